/*
 * fwd/options.c: -o KEY=VALUE overrides change one setting of the fwd
 * section; bad ones leave the config alone and say what is wanted, with
 * the "fwd: " prefix of fwd's other errors.
 */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <string.h>

#include "fwd/options.h"

Test(options, good_values_change_one_setting)
{
	struct ferry_config cfg;
	char err[256] = "";

	memset(&cfg, 0, sizeof(cfg));
	cr_assert_eq(fwd_option_apply(&cfg, "io=af_xdp", err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(cfg.fwd.io, CFG_FWD_IO_AF_XDP);
	cr_assert_eq(fwd_option_apply(&cfg, "io=af_packet", err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(cfg.fwd.io, CFG_FWD_IO_AF_PACKET);
	cr_assert_eq(fwd_option_apply(&cfg, "rx_ring=frames", err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(cfg.fwd.rx_ring, CFG_FWD_RX_FRAMES);
	cr_assert_eq(fwd_option_apply(&cfg, "rx_ring=blocks", err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(cfg.fwd.rx_ring, CFG_FWD_RX_BLOCKS);
	cr_assert_eq(fwd_option_apply(&cfg, "workers=16", err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(cfg.fwd.workers, 16);
	cr_assert_eq(fwd_option_apply(&cfg, "workers=0", err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(cfg.fwd.workers, 0);
}

Test(options, bad_values_say_what_is_wanted)
{
	static const struct {
		const char *kv, *msg;
	} bad[] = {
		{ "io=dpdk", "fwd: -o io=dpdk: want io=af_packet or io=af_xdp" },
		{ "io=", "fwd: -o io=: want io=af_packet or io=af_xdp" },
		{ "rx_ring=v2", "fwd: -o rx_ring=v2: want rx_ring=blocks or rx_ring=frames" },
		{ "workers=17", "fwd: -o workers=17: want workers=0..16" },
		{ "workers=", "fwd: -o workers=: want workers=0..16" },
		{ "workers=2x", "fwd: -o workers=2x: want workers=0..16" },
		{ "workers=+4", "fwd: -o workers=+4: want workers=0..16" },
		{ "workers= 4", "fwd: -o workers= 4: want workers=0..16" },
		{ "mtu=9000",
		  "fwd: -o mtu=9000: unknown setting (want io=..., rx_ring=... or workers=...)" },
		{ "io", "fwd: -o io: unknown setting (want io=..., rx_ring=... or workers=...)" },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct ferry_config cfg, before;
		char err[256] = "";

		memset(&cfg, 0, sizeof(cfg));
		cfg.fwd.workers = 3;
		before = cfg;
		cr_assert_eq(fwd_option_apply(&cfg, bad[i].kv, err, sizeof(err)), -1, "%s",
			     bad[i].kv);
		cr_expect_str_eq(err, bad[i].msg, "%s", bad[i].kv);
		cr_assert(memcmp(&cfg.fwd, &before.fwd, sizeof(cfg.fwd)) == 0, "%s: changed",
			  bad[i].kv);
	}
}

/* fwd_option_check: a bad -o is bad usage, before any file is read (exit 2). */
Test(options, a_bad_one_checked_without_a_config_exits_2, .exit_code = 2)
{
	cr_redirect_stderr();
	fwd_option_check("workers=17");
}

Test(options, a_good_one_checked_without_a_config_passes)
{
	fwd_option_check("io=af_xdp");
	fwd_option_check("rx_ring=frames");
	fwd_option_check("workers=16");
}
