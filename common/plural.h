/*
 * Counts in log lines and ferryctl's text: "1 route", "2 routes", "0
 * routes". The caller gives both forms ("prefix", "prefixes"; "entry",
 * "entries"): English plurals are not all an added "s".
 */
#ifndef FERRY_COMMON_PLURAL_H
#define FERRY_COMMON_PLURAL_H

/* one when n is 1, else many: printf("%zu %s", n, plural(n, "route", "routes")). */
static inline const char *plural(unsigned long long n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

#endif
