/*
 * ferryctl's numeric options (cli/opts.c): -t MS, events --count N and
 * --since N take decimal digits within their range and nothing else; a
 * refusal names the option and the form it wants (main.c exits 2).
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "cli/cli.h"

static char err[256];

static uint64_t ok(const char *arg, uint64_t min, uint64_t max)
{
	uint64_t n = 12345;

	cr_assert_eq(cli_opt_uint("-t/--timeout", "a whole number of milliseconds", arg, min, max,
				  &n, err, sizeof(err)), 0, "\"%s\": %s", arg, err);
	return n;
}

static void bad(const char *arg, uint64_t min, uint64_t max)
{
	uint64_t n = 12345;
	char want[256];

	err[0] = '\0';
	cr_assert_lt(cli_opt_uint("--count", "a whole number of events", arg, min, max, &n, err,
				  sizeof(err)), 0, "\"%s\" accepted", arg);
	cr_assert_eq(n, 12345, "\"%s\": *out left alone", arg);
	snprintf(want, sizeof(want), "--count: \"%s\" is not a whole number of events %llu..%llu",
		 arg, (unsigned long long)min, (unsigned long long)max);
	cr_assert_str_eq(err, want);
}

Test(cli_opts, whole_numbers_in_range)
{
	cr_assert_eq(ok("1", 1, CLI_TIMEOUT_MAX_MS), 1);
	cr_assert_eq(ok("250", 1, CLI_TIMEOUT_MAX_MS), 250);
	cr_assert_eq(ok("3600000", 1, CLI_TIMEOUT_MAX_MS), 3600000);
	cr_assert_eq(ok("007", 1, CLI_COUNT_MAX), 7);
	cr_assert_eq(ok("18446744073709551614", 1, UINT64_MAX - 1), UINT64_MAX - 1);
}

Test(cli_opts, anything_else_is_refused_with_option_and_form)
{
	/* -t abc and -t 0 ran with the default 10 s; --count x was 0, "no limit" */
	bad("abc", 1, CLI_TIMEOUT_MAX_MS);
	bad("0", 1, CLI_TIMEOUT_MAX_MS);
	bad("x", 1, CLI_COUNT_MAX);
	bad("", 1, CLI_COUNT_MAX);
	bad("5x", 1, CLI_COUNT_MAX);
	bad("-1", 1, CLI_COUNT_MAX);
	bad("+5", 1, CLI_COUNT_MAX);
	bad(" 5", 1, CLI_COUNT_MAX);
	bad("5 ", 1, CLI_COUNT_MAX);
	bad("0x10", 1, CLI_COUNT_MAX);
	bad("1.5", 1, CLI_COUNT_MAX);
	bad("3600001", 1, CLI_TIMEOUT_MAX_MS);
	bad("18446744073709551615", 1, UINT64_MAX - 1);
	bad("99999999999999999999999", 1, UINT64_MAX - 1); /* past 2^64: ERANGE */
}
