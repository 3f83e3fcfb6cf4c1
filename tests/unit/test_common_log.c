/* common/log.c: line format, level filtering, errno text. */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <string.h>

#include "common/log.h"

static void read_all(char *buf, size_t len)
{
	FILE *f = cr_get_redirected_stderr();
	size_t n;

	fflush(stderr);
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
}

static bool matches(const char *s, const char *re)
{
	regex_t r;
	bool ok;

	cr_assert_eq(regcomp(&r, re, REG_EXTENDED | REG_NEWLINE), 0);
	ok = regexec(&r, s, 0, NULL, 0) == 0;
	regfree(&r);
	return ok;
}

Test(log, format_and_levels, .init = cr_redirect_stderr)
{
	char out[4096];

	log_init("/usr/sbin/bgpd", LOG_LVL_INFO);
	cr_assert_eq(log_get_level(), LOG_LVL_INFO);
	log_info("hello %d", 42);
	log_debug("hidden");
	errno = ENOENT;
	log_warn("open %s", "x");
	cr_assert_eq(errno, ENOENT, "logging keeps errno");
	log_warnx("plain");
	log_set_level(LOG_LVL_DEBUG);
	log_debug("shown");
	read_all(out, sizeof(out));
	cr_assert(matches(out, "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3} "
			       "bgpd: info: hello 42$"),
		  "%s", out);
	cr_assert(matches(out, " bgpd: warning: open x: No such file or directory$"), "%s", out);
	cr_assert(matches(out, " bgpd: warning: plain$"), "%s", out);
	cr_assert(matches(out, " bgpd: debug: shown$"), "%s", out);
	cr_assert_null(strstr(out, "hidden"));
}

Test(log, fatalx_exits_1, .exit_code = 1, .init = cr_redirect_stderr)
{
	log_init("fwd", LOG_LVL_ERR);
	fatalx("broken invariant");
}
