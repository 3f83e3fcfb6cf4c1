/*
 * common/opts.c: the daemons' command-line mistakes exit 2 (as ferryctl's
 * and scripts/lab's do), distinct from 1, a config that does not load or a
 * daemon that fails; -h exits 0. Each test runs in its own process
 * (Criterion), so the exit status is what is asserted.
 */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <string.h>

#include "common/opts.h"

Test(opts, help_exits_0, .exit_code = 0)
{
	cr_redirect_stdout();
	opts_usage("bgpd", NULL, "", "");
}

Test(opts, a_usage_error_exits_2, .exit_code = 2)
{
	cr_redirect_stderr();
	opts_usage("vrfmgr", "unknown option --bogus", "", "");
}

Test(opts, a_bad_option_value_exits_2, .exit_code = 2)
{
	cr_redirect_stderr();
	opts_bad_value("fwd", "-o io=dpdk: want io=af_packet or io=af_xdp");
}

Test(opts, a_relative_run_dir_exits_2, .exit_code = 2)
{
	cr_redirect_stderr();
	opts_run_dir_check("bgpd", "run/pe1");
}

Test(opts, an_absolute_run_dir_or_none_passes)
{
	opts_run_dir_check("bgpd", "/run/ferry/pe1");
	opts_run_dir_check("bgpd", NULL);
}
