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

/*
 * A daemon's usage: with why NULL (-h) on stdout, exit 0; else why first,
 * then the same on stderr, exit 1. The options every daemon takes, then
 * its own: more_synopsis after "-d", more_lines before "-h" (or "").
 */
_Noreturn void opts_usage(const char *prog, const char *why, const char *more_synopsis,
			  const char *more_lines);

#endif
