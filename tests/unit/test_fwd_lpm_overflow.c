/*
 * Fuzzing finding (fuzz_ipc, docs/testing.md): a stack-buffer-overflow in
 * fwd's incremental LPM commit, kept as a regression test (fixed in fwd/lpm_commit.c:
 * cut_span() now checks for room before every emit).
 *
 * VRF 1 holds 10.1.1.0/30 (next hop 1), 192.168.100.0/24 (2),
 * 192.168.101.0/24 (3, inner 200) and 10.99.0.0/16 (8, drop), committed.
 * Adding 0.0.0.0/0 and 192.168.101.32/28, both via next hop 2 with inner
 * label 0 (a result of their own: (2, 0), not the /24's (2, none)), then
 * committing (the next lookup does) writes past skeys[] in patch_leaf:
 * fwd/lpm_commit.c emit() <- cut_span() <- patch_leaf() <- commit_patch()
 * <- commit_range() <- lpm_commit() <- fib_commit().
 *
 *   cc -std=c11 -D_GNU_SOURCE -I. -Itests/fuzz -fsanitize=address,undefined \
 *      tests/fuzz/findings/test_fwd_lpm_commit_overflow.c \
 *      build/asan/libfwd.a build/asan/libcommon.a -lcriterion -levent -ljson-c -lm -lpthread
 */
#include <criterion/criterion.h>

#include "common/log.h"
#include "tests/fuzz/fuzz_fwd_util.h"
#include "fwd/fib.h"

static int out_sink(void *ctx, struct fwd_iface *ifp, const uint8_t *frame, size_t len)
{
	(void)ctx;
	(void)ifp;
	(void)frame;
	(void)len;
	return 0;
}

Test(lpm_commit, default_and_a_longer_prefix_with_a_shared_result)
{
	struct fwd_hooks hooks = { .output = out_sink };
	struct fwd *f;

	log_init("test_fwd_lpm_commit_overflow", LOG_LVL_ERR);
	f = fwd_new(&hooks, 300);
	cr_assert_not_null(f);
	cr_assert_eq(fz_core_ifs(f), 0);
	fz_reset(f); /* the fixture, access interfaces, neighbours learned */
	fz_route(f, 1, 0, 0, 2, 0);
	fz_route(f, 1, FZ_IP(192, 168, 101, 32), 28, 2, 0);
	const struct fib_result *r = fib_lookup(f, fib_vrf_get(f, 1), FZ_IP(192, 168, 101, 40));
	cr_assert_not_null(r);
	cr_assert_eq(r->inner_label, 0, "the /28 wins over the /24");
	cr_assert_eq(fib_lookup(f, fib_vrf_get(f, 1), FZ_IP(192, 168, 101, 10))->inner_label, 200);
	cr_assert_not_null(fib_lookup(f, fib_vrf_get(f, 1), FZ_IP(8, 8, 8, 8)), "default route");
	fwd_free(f);
}
