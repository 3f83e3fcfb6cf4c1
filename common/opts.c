#include <getopt.h>
#include <stdio.h>

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
