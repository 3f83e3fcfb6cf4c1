#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "common/config.h"
#include "common/opts.h"

const char *opts_error(int ch, char **argv, char *buf, size_t len)
{
	if (ch == ':')
		snprintf(buf, len, "option -%c needs a value", optopt);
	else if (optopt != 0)
		snprintf(buf, len, "unknown option -%c", optopt);
	else
		snprintf(buf, len, "unknown option %.64s", argv[optind - 1]);
	return buf;
}

_Noreturn void opts_usage(const char *prog, const char *why, const char *more_synopsis,
			  const char *more_lines)
{
	FILE *out = why != NULL ? stderr : stdout;

	if (why != NULL)
		fprintf(stderr, "%s: %s\n", prog, why);
	fprintf(out, "usage: %s -c FILE [-r RUN_DIR] [-n] [-d]%s\n"
		"  -c FILE     the router's JSON config (configs/lab/pe1.json is a complete one)\n"
		"  -r RUN_DIR  where the sockets, state and PID files live (default: the config's\n"
		"              router.run_dir, else /run/ferry/NAME)\n"
		"  -n          check the config and exit: \"configuration OK\" or why not\n"
		"  -d          debug log\n"
		"%s"
		"  -h, --help  this text\n"
		"exit status: 0 stopped by a signal, or -n and the config is good;\n"
		"  1 the config does not load, or the daemon cannot start or run on; 2 bad usage\n",
		prog, more_synopsis, more_lines);
	exit(why != NULL ? OPTS_EXIT_USAGE : 0);
}

_Noreturn void opts_bad_value(const char *prog, const char *why)
{
	fprintf(stderr, "%s: %s\n", prog, why);
	exit(OPTS_EXIT_USAGE);
}

void opts_run_dir_check(const char *prog, const char *run_dir)
{
	char err[256];

	if (run_dir != NULL && config_run_dir_check(run_dir, err, sizeof(err)) < 0)
		opts_bad_value(prog, err);
}
