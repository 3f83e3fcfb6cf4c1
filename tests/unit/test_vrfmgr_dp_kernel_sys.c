/*
 * vrfmgr/dp_kernel_sys.c over a directory standing for /proc/sys, and the
 * bookkeeping map (dp_kernel_map.c) against a plain array.
 */
#include "tests/unit/test_vrfmgr_dp_kernel.h"

/* ---- sysctls over a directory standing for /proc/sys ---- */
static char root[64];

static void write_file(const char *rel, const char *val)
{
	char path[200], dir[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	snprintf(dir, sizeof(dir), "mkdir -p $(dirname %s)", path);
	cr_assert_eq(system(dir), 0);
	cr_assert_not_null(f = fopen(path, "w"));
	fputs(val, f);
	fclose(f);
}

static unsigned long read_file(const char *rel)
{
	char path[256];
	unsigned long v = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	cr_assert_not_null(f = fopen(path, "r"));
	cr_assert_eq(fscanf(f, "%lu", &v), 1);
	fclose(f);
	return v;
}

static struct ferry_config sys_cfg(struct cfg_core_if *core, size_t n)
{
	struct ferry_config cfg = { .label_min = 100, .label_max = 199 };

	cfg.fwd.core_interfaces = core;
	cfg.fwd.n_core_interfaces = n;
	return cfg;
}

static void sys_setup(void)
{
	snprintf(root, sizeof(root), "/tmp/ferry-dpk-sys.XXXXXX");
	cr_assert_not_null(mkdtemp(root));
}

static void sys_teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	cr_assert_eq(system(cmd), 0);
}

Test(dp_kernel_sys, sets_what_the_kernel_needs, .init = sys_setup, .fini = sys_teardown)
{
	struct cfg_core_if core[1] = { { .name = "core0" } };
	struct ferry_config cfg = sys_cfg(core, 1);
	char err[256] = "";

	write_file("net/ipv4/ip_forward", "0\n");
	write_file("net/mpls/platform_labels", "0\n");
	write_file("net/mpls/conf/core0/input", "0\n");
	cr_assert_eq(dpk_sysctls_apply(&cfg, root, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(read_file("net/ipv4/ip_forward"), 1);
	cr_assert_eq(read_file("net/mpls/platform_labels"), 200, "labels up to label_max");
	cr_assert_eq(read_file("net/mpls/conf/core0/input"), 1);
	/* a larger table is left as it is */
	write_file("net/mpls/platform_labels", "100000\n");
	cr_assert_eq(dpk_sysctls_apply(&cfg, root, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(read_file("net/mpls/platform_labels"), 100000);
}

Test(dp_kernel_sys, says_which_setting_failed, .init = sys_setup, .fini = sys_teardown)
{
	struct cfg_core_if core[1] = { { .name = "core0" } };
	struct ferry_config cfg = sys_cfg(core, 1);
	char err[256] = "";

	write_file("net/ipv4/ip_forward", "0\n");
	cr_assert_eq(dpk_sysctls_apply(&cfg, root, err, sizeof(err)), -1);
	cr_assert(strstr(err, "cannot read net.mpls.platform_labels") != NULL, "%s", err);
	cr_assert(strstr(err, "modprobe mpls_router") != NULL, "%s", err);
	write_file("net/mpls/platform_labels", "0\n");
	cr_assert_eq(dpk_sysctls_apply(&cfg, root, err, sizeof(err)), -1);
	cr_assert(strstr(err, "cannot set net.mpls.conf.core0.input=1") != NULL, "%s", err);
}

/* ---- the map, against a plain array ---- */
Test(dp_kernel_map, random_puts_and_deletes_agree_with_an_array)
{
	static void *ref[4096];
	struct dpk_map m = { 0 };
	unsigned seed = 12345;

	for (int i = 0; i < 200000; i++) {
		uint64_t key;

		seed = seed * 1103515245u + 12345u;
		key = (seed >> 8) % 4096;
		if ((seed >> 4) % 3 == 0) {
			cr_assert_eq(dpk_map_del(&m, key << 20), ref[key]);
			ref[key] = NULL;
		} else {
			ref[key] = (void *)(uintptr_t)(i + 1);
			cr_assert_eq(dpk_map_put(&m, key << 20, ref[key]), 0);
		}
	}
	size_t n = 0;
	for (uint64_t key = 0; key < 4096; key++) {
		cr_assert_eq(dpk_map_get(&m, key << 20), ref[key]);
		n += ref[key] != NULL;
	}
	cr_assert_eq(m.n, n);
	dpk_map_free(&m, NULL);
}
