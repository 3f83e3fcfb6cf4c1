/*
 * What the daemons' command lines share: getopt_long's errors said in
 * words, for their usage messages.
 */
#ifndef FERRY_COMMON_OPTS_H
#define FERRY_COMMON_OPTS_H

#include <stddef.h>

/*
 * The daemons' exit statuses, as ferryctl's and scripts/lab's: 1 is a
 * config that does not load or a start or run that failed, 2 a command
 * line that is wrong (a script can tell a typo from a broken router).
 */
#define OPTS_EXIT_FAILURE 1
#define OPTS_EXIT_USAGE 2

/*
 * What getopt_long (with a leading ':' in its option string, opterr 0)
 * found wrong when it returned ch (':' or '?'), written into buf.
 */
const char *opts_error(int ch, char **argv, char *buf, size_t len);

/*
 * A daemon's usage: with why NULL (-h) on stdout, exit 0; else why first,
 * then the same on stderr, exit 2 (OPTS_EXIT_USAGE). The options every
 * daemon takes, then its own: more_synopsis after "-d", more_lines before
 * "-h" (or "").
 */
_Noreturn void opts_usage(const char *prog, const char *why, const char *more_synopsis,
			  const char *more_lines);

/*
 * An option's value that is wrong (why names the option and the form it
 * wants): "prog: why" alone on stderr, exit 2. One line, not the whole
 * usage: the option was found, its value was not what it takes.
 */
_Noreturn void opts_bad_value(const char *prog, const char *why);

/*
 * -r RUN_DIR checked before the config is read (router.run_dir's form): a
 * wrong one is bad usage, opts_bad_value's line and exit 2, whatever the
 * file holds. NULL (no -r) passes.
 */
void opts_run_dir_check(const char *prog, const char *run_dir);

#endif
