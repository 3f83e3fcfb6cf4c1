/*
 * ferryctl's numeric options (-t MS, events --count N and --since N),
 * read strictly: digits only, within the option's range, else a one-line
 * reason naming the option and the form it wants (exit 2 in main.c). atoi
 * and a bare strtol took "abc", "0" or "5x" and went on with a default or
 * with "no limit".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"

int cli_opt_uint(const char *opt, const char *what, const char *arg, uint64_t min,
		 uint64_t max, uint64_t *out, char *err, size_t errlen)
{
	unsigned long long n = 0;
	char *end = NULL;

	errno = 0;
	if (arg != NULL && arg[0] >= '0' && arg[0] <= '9')
		n = strtoull(arg, &end, 10);
	if (end == NULL || *end != '\0' || errno != 0 || n < min || n > max) {
		snprintf(err, errlen, "%s: \"%.40s\" is not %s %llu..%llu", opt, arg ? arg : "",
			 what, (unsigned long long)min, (unsigned long long)max);
		return -1;
	}
	*out = n;
	return 0;
}
