/*
 * What the daemons' command lines share: getopt_long's errors said in
 * words, for their usage messages.
 */
#ifndef FERRY_COMMON_OPTS_H
#define FERRY_COMMON_OPTS_H

#include <stddef.h>

/*
 * What getopt_long (with a leading ':' in its option string, opterr 0)
 * found wrong when it returned ch (':' or '?'), written into buf.
 */
const char *opts_error(int ch, char **argv, char *buf, size_t len);

#endif
