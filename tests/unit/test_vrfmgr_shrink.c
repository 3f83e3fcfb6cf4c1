/*
 * vrfmgr's tables giving their slot arrays back after a withdrawal (the
 * quiet tick, main.c): the VPN table, a VRF's prefix table, the label
 * allocator's indexes, the RT sets and the kernel dataplane's maps each
 * shrink when under 1/8 full, never below their minimum, and leave alone a
 * table still in use. After a shrink every entry left is found (and every
 * one removed is not), with its data and placement list, and the table
 * grows again as before. Last, the whole VRF table after a withdrawal.
 */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "test_vrfmgr_fixture.h"
#include "vrfmgr/dp_kernel_int.h"
#include "vrfmgr/rtset.h"

#define N_KEYS 20000
#define KEEP_EVERY 100 /* what a withdrawal leaves: 1 key in KEEP_EVERY */

static void quiet_logs(void)
{
	log_init("test", LOG_LVL_ERR);
}

TestSuite(shrink, .init = quiet_logs);

/* ---- the VPN table ---- */

/* Key k: RD 65000:(k % 37), prefix 20.0.0.0 + (k / 37) /24 (or /25 for odd k), label 16 + k. */
static struct ipc_vpn_route vpn_key(uint32_t k)
{
	struct ipc_vpn_route r = { .plen = (uint8_t)(24 + (k & 1)), .label = 16 + k,
				   .next_hop = 0x0A000001, .n_rts = 1 };

	r.rd[2] = 0xfd, r.rd[3] = 0xe8, r.rd[7] = (uint8_t)(k % 37);
	r.prefix = 0x14000000u + ((k / 37) << 8);
	return r;
}

static struct vpn_route *vpn_key_find(const struct vpn_table *t, uint32_t k)
{
	struct ipc_vpn_route r = vpn_key(k);
	struct prefix4 p = { .addr = r.prefix, .len = r.plen };
	struct rd rd;

	memcpy(rd.b, r.rd, sizeof(rd.b));
	return vpn_find(t, &rd, &p);
}

/* Key k's VRFs: 1 + k % 9, and for every 7th key 10..15 too (more than the inline four). */
static size_t vpn_key_ids(uint32_t k, uint16_t *ids)
{
	size_t n = 0;

	ids[n++] = (uint16_t)(1 + k % 9);
	for (uint16_t id = 10; k % 7 == 0 && id <= 15; id++)
		ids[n++] = id;
	return n;
}

static void vpn_put_key(struct vpn_table *t, uint32_t k)
{
	static const struct ext_community rt = { { 0, 2, 0xfd, 0xe8, 0, 0, 0, 1 } };
	struct ipc_vpn_route r = vpn_key(k);
	struct vpn_route *vr = vpn_put(t, &r, &rt);
	uint16_t ids[8];
	size_t n = vpn_key_ids(k, ids);

	cr_assert_not_null(vr);
	for (size_t i = 0; i < n; i++)
		cr_assert_eq(vpn_place(vr, ids[i]), 0);
}

/* Every key found when present[k], with its label and placement list; none other; the count. */
static void vpn_check(const struct vpn_table *t, const bool *present)
{
	size_t count = 0;

	for (uint32_t k = 0; k < N_KEYS; k++) {
		struct vpn_route *vr = vpn_key_find(t, k);
		uint16_t ids[8];
		size_t n = vpn_key_ids(k, ids), m;
		const uint16_t *got;

		if (!present[k]) {
			cr_assert_null(vr, "key %u was removed", k);
			continue;
		}
		cr_assert_not_null(vr, "key %u lost", k);
		cr_assert_eq(vr->msg.label, 16 + k);
		got = vpn_placed(vr, &m);
		cr_assert_eq(m, n, "key %u: %zu VRFs placed, want %zu", k, m, n);
		cr_assert_arr_eq(got, ids, n * sizeof(*ids));
		count++;
	}
	cr_assert_eq(t->count, count);
}

Test(shrink, vpn_table_after_a_withdrawal_finds_what_is_left_and_grows_again, .timeout = 60)
{
	static bool present[N_KEYS];
	struct vpn_table t;
	size_t peak, given;

	vpn_table_init(&t);
	for (uint32_t k = 0; k < N_KEYS; k++) {
		vpn_put_key(&t, k);
		present[k] = true;
	}
	peak = t.cap;
	cr_assert_eq(vpn_table_shrink(&t), 0, "full: nothing to give back");
	for (uint32_t k = 0; k < N_KEYS; k++)
		if (k % KEEP_EVERY != 0) {
			vpn_remove(&t, vpn_key_find(&t, k));
			present[k] = false;
		}
	given = vpn_table_shrink(&t);
	cr_assert_lt(t.cap, peak);
	cr_assert_eq(given, (peak - t.cap) * sizeof(uintptr_t));
	cr_assert_leq(t.count * 4, t.cap, "at most 1/4 full after");
	cr_assert_lt(t.cap, t.count * 8, "and no larger than that needs");
	cr_assert_eq(t.n_dead, 0, "the dead slots went with the rebuild");
	vpn_check(&t, present);
	cr_assert_eq(vpn_table_shrink(&t), 0, "once is enough");

	for (uint32_t k = 0; k < N_KEYS; k++)
		if (!present[k]) {
			vpn_put_key(&t, k);
			present[k] = true;
		}
	cr_assert_eq(t.cap, peak, "grown back to the size it had");
	vpn_check(&t, present);

	for (uint32_t k = 0; k < N_KEYS; k++) {
		vpn_remove(&t, vpn_key_find(&t, k));
		present[k] = false;
	}
	cr_assert_gt(vpn_table_shrink(&t), 0);
	cr_assert_eq(t.cap, 64, "empty: down to the minimum, not below");
	cr_assert_eq(vpn_table_shrink(&t), 0);
	vpn_check(&t, present);
	vpn_put_key(&t, 5);
	present[5] = true;
	vpn_check(&t, present);
	vpn_table_free(&t);
}

Test(shrink, vpn_table_an_eighth_full_or_more_is_left_alone)
{
	static bool present[N_KEYS];
	struct vpn_table t;
	size_t cap;

	vpn_table_init(&t);
	for (uint32_t k = 0; k < 4096; k++) {
		vpn_put_key(&t, k);
		present[k] = true;
	}
	cap = t.cap;
	/* Down to exactly an eighth of the slots. */
	for (uint32_t k = (uint32_t)cap / 8; k < 4096; k++) {
		vpn_remove(&t, vpn_key_find(&t, k));
		present[k] = false;
	}
	cr_assert_eq(t.count * 8, cap);
	cr_assert_eq(vpn_table_shrink(&t), 0);
	cr_assert_eq(t.cap, cap);
	vpn_check(&t, present);
	vpn_table_free(&t);
}

/* ---- a VRF's prefix table ---- */

static struct prefix4 rt_prefix(uint32_t k)
{
	return (struct prefix4){ .addr = 0x0A000000u + (k << 8), .len = 24 };
}

/* rtable_count's predicates: every entry, and those of the keys given (a multiple of *arg). */
static bool any_prefix(const struct vrf_prefix *vp, const void *arg)
{
	(void)vp;
	(void)arg;
	return true;
}

static bool key_multiple_of(const struct vrf_prefix *vp, const void *arg)
{
	return ((vp->prefix.addr - 0x0A000000u) >> 8) % *(const uint32_t *)arg == 0;
}

Test(shrink, prefix_table_after_a_withdrawal)
{
	const uint32_t every_other_kept = 2 * KEEP_EVERY;
	struct rtable t;
	struct vrf_prefix **sorted;
	size_t peak, n;

	rtable_init(&t);
	for (uint32_t k = 0; k < N_KEYS; k++) {
		struct prefix4 p = rt_prefix(k);

		cr_assert_not_null(rtable_get(&t, &p));
	}
	peak = t.nb;
	cr_assert_eq(rtable_shrink(&t), 0, "full: nothing to give back");
	for (uint32_t k = 0; k < N_KEYS; k++) {
		struct prefix4 p = rt_prefix(k);

		if (k % KEEP_EVERY != 0)
			rtable_remove(&t, rtable_find(&t, &p));
	}
	cr_assert_eq(rtable_shrink(&t), (peak - t.nb) * sizeof(*t.b));
	cr_assert_lt(t.nb, peak);
	cr_assert_geq(t.nb, 2 * t.count);
	cr_assert_lt(t.nb, 4 * t.count);
	for (uint32_t k = 0; k < N_KEYS; k++) {
		struct prefix4 p = rt_prefix(k);
		struct vrf_prefix *vp = rtable_find(&t, &p);

		cr_assert_eq(vp != NULL, k % KEEP_EVERY == 0, "prefix %u", k);
		cr_assert(vp == NULL || (vp->prefix.addr == p.addr && vp->prefix.len == 24));
	}
	n = rtable_sorted(&t, &sorted);
	cr_assert_eq(n, N_KEYS / KEEP_EVERY, "every entry still on a chain");
	free(sorted);
	cr_assert_eq(rtable_count(&t, any_prefix, NULL), n, "counted in place as listed");
	cr_assert_eq(rtable_count(&t, key_multiple_of, &every_other_kept),
		     (N_KEYS + every_other_kept - 1) / every_other_kept);
	for (uint32_t k = 0; k < N_KEYS; k++) {
		struct prefix4 p = rt_prefix(k);

		cr_assert_not_null(rtable_get(&t, &p));
	}
	cr_assert_eq(t.count, N_KEYS);
	cr_assert_eq(t.nb, peak, "grown back");
	for (uint32_t k = 0; k < N_KEYS; k++) {
		struct prefix4 p = rt_prefix(k);

		rtable_remove(&t, rtable_find(&t, &p));
	}
	cr_assert_gt(rtable_shrink(&t), 0);
	cr_assert_eq(t.nb, 16, "empty: the minimum");
	cr_assert_eq(rtable_shrink(&t), 0);
	rtable_free(&t);
}

/* ---- the label allocator ---- */

static struct label_key label_key_of(uint32_t k)
{
	struct label_key key;
	struct prefix4 p = rt_prefix(k);

	label_key_prefix(&key, "V1", &p);
	return key;
}

Test(shrink, label_indexes_after_per_prefix_labels_are_freed)
{
	static struct label_entry *e[N_KEYS];
	struct label_alloc la;
	size_t nb, cap;

	label_alloc_init(&la, 16, 100000, 0); /* no hold-down: an unclaim frees */
	for (uint32_t k = 0; k < N_KEYS; k++) {
		struct label_key key = label_key_of(k);

		cr_assert_not_null(e[k] = label_claim(&la, &key, 1));
		cr_assert_eq(e[k]->label, 16 + k);
	}
	nb = la.nb;
	cap = la.cap;
	cr_assert_eq(label_alloc_shrink(&la), 0, "full: nothing to give back");
	for (uint32_t k = 0; k < N_KEYS; k++)
		if (k % KEEP_EVERY != 0)
			label_unclaim(&la, e[k]);
	cr_assert_eq(la.n, N_KEYS / KEEP_EVERY);
	cr_assert_eq(label_alloc_shrink(&la), (nb - la.nb + cap - la.cap) * sizeof(void *));
	cr_assert_lt(la.nb, nb);
	cr_assert_lt(la.cap, cap);
	cr_assert_geq(la.cap, la.n);
	for (uint32_t k = 0; k < N_KEYS; k++) {
		struct label_key key = label_key_of(k);
		struct label_entry *f = label_find(&la, &key);

		if (k % KEEP_EVERY != 0) {
			cr_assert_null(f, "key %u was freed", k);
			cr_assert_null(label_lookup(&la, 16 + k));
			continue;
		}
		cr_assert_eq(f, e[k], "key %u", k);
		cr_assert_eq(label_lookup(&la, 16 + k), e[k]);
	}
	cr_assert_eq(label_alloc_shrink(&la), 0, "once is enough");
	/* Growing again: the freed labels come back, lowest first. */
	for (uint32_t k = 0; k < N_KEYS; k++)
		if (k % KEEP_EVERY != 0) {
			struct label_key key = label_key_of(k);

			cr_assert_not_null(e[k] = label_claim(&la, &key, 1));
		}
	cr_assert_eq(la.n, N_KEYS);
	for (uint32_t k = 0; k < N_KEYS; k++) {
		struct label_key key = label_key_of(k);

		cr_assert_eq(label_find(&la, &key), e[k]);
		cr_assert_eq(label_lookup(&la, e[k]->label), e[k]);
		cr_assert_eq(la.v[k]->label, 16 + k, "the array is sorted and dense");
	}
	label_alloc_free(&la);
}

/* ---- interned RT sets ---- */

static struct ext_community rt_of(uint32_t k)
{
	struct ext_community rt = { { 0, 2, 0xfd, 0xe8, 0, 0, 0, 0 } };

	rt.b[4] = (uint8_t)(k >> 24), rt.b[5] = (uint8_t)(k >> 16);
	rt.b[6] = (uint8_t)(k >> 8), rt.b[7] = (uint8_t)k;
	return rt;
}

Test(shrink, rt_sets_after_their_routes_went)
{
	static const struct ext_community *set[4000];
	const struct ext_community *again;

	for (uint32_t k = 0; k < 4000; k++) {
		struct ext_community rt = rt_of(k);

		cr_assert_not_null(set[k] = rtset_get(&rt, 1));
	}
	cr_assert_eq(rtset_shrink(), 0, "full: nothing to give back");
	for (uint32_t k = 0; k < 4000; k++)
		if (k % KEEP_EVERY != 0)
			rtset_put(set[k]);
	cr_assert_eq(rtset_count(), 4000 / KEEP_EVERY);
	cr_assert_gt(rtset_shrink(), 0);
	cr_assert_eq(rtset_shrink(), 0, "once is enough");
	for (uint32_t k = 0; k < 4000; k++) {
		struct ext_community rt = rt_of(k);

		cr_assert_not_null(again = rtset_get(&rt, 1));
		if (k % KEEP_EVERY != 0) {
			set[k] = again;
			continue;
		}
		cr_assert_eq(again, set[k], "set %u: the interned copy", k);
		rtset_put(again);
	}
	cr_assert_eq(rtset_count(), 4000);
	for (uint32_t k = 0; k < 4000; k++)
		rtset_put(set[k]);
	cr_assert_eq(rtset_count(), 0);
}

/* ---- the kernel dataplane's maps ---- */

Test(shrink, kernel_dataplane_map_after_a_withdrawal)
{
	struct dpk_map m = { 0 };
	static int val[N_KEYS];
	size_t peak;

	for (uint64_t k = 0; k < N_KEYS; k++)
		cr_assert_eq(dpk_map_put(&m, k << 20, &val[k]), 0);
	peak = m.cap;
	cr_assert_eq(dpk_map_shrink(&m), 0);
	for (uint64_t k = 0; k < N_KEYS; k++)
		if (k % KEEP_EVERY != 0)
			cr_assert_eq(dpk_map_del(&m, k << 20), &val[k]);
	cr_assert_eq(dpk_map_shrink(&m), (peak - m.cap) * sizeof(*m.s));
	cr_assert_lt(m.cap, peak);
	cr_assert_geq(m.cap, 2 * m.n);
	for (uint64_t k = 0; k < N_KEYS; k++)
		cr_assert_eq(dpk_map_get(&m, k << 20), k % KEEP_EVERY == 0 ? &val[k] : NULL);
	for (uint64_t k = 0; k < N_KEYS; k++)
		cr_assert_eq(dpk_map_put(&m, k << 20, &val[k]), 0);
	cr_assert_eq(m.n, N_KEYS);
	for (uint64_t k = 0; k < N_KEYS; k++)
		cr_assert_eq(dpk_map_get(&m, k << 20), &val[k]);
	dpk_map_free(&m, NULL);
}

/* ---- the whole VRF table ---- */

#define VRFS_JSON                                                                                \
	"{ \"router\": { \"name\": \"pe1\", \"router_id\": \"10.255.0.1\", \"asn\": 65000,"      \
	"  \"label_range\": { \"min\": 100, \"max\": 199 } },"                                   \
	"  \"vrfs\": ["                                                                          \
	"    { \"name\": \"A\", \"rd\": \"10.255.0.1:1\", \"import_rts\": [\"65000:1\"] },"        \
	"    { \"name\": \"B\", \"rd\": \"10.255.0.1:2\","                                      \
	"      \"import_rts\": [\"65000:1\", \"65000:2\"] } ],"                                     \
	"  \"lsps\": [ { \"fec\": \"10.255.0.2/32\", \"out_label\": 16,"                         \
	"  \"next_hop\": \"10.0.1.2\", \"interface\": \"core0\" } ],"                          \
	"  \"fwd\": { \"core_interfaces\": [ { \"name\": \"core0\", \"address\": \"10.0.1.1/30\" } ] } }"

#define TABLE_ROUTES 5000

static struct fx_vpn table_route(uint32_t k)
{
	char prefix[32];

	snprintf(prefix, sizeof(prefix), "10.%u.%u.0/24", k >> 8, k & 0xff);
	return fx_vpn("65000:7", prefix, 1000 + k, "10.255.0.2", k % 2 ? "65000:1" : "65000:2");
}

/* k's route where it belongs (A: odd k, B: every k) and nowhere when withdrawn. */
static void table_check(struct vrf_table *t, uint32_t k, bool present)
{
	struct fx_vpn v = table_route(k);
	struct prefix4 p = { .addr = v.r.prefix, .len = v.r.plen };
	struct rd rd;

	memcpy(rd.b, v.r.rd, sizeof(rd.b));
	cr_assert_eq(vpn_find(&t->vpn, &rd, &p) != NULL, present, "route %u", k);
	cr_assert_eq(vrf_route_find(vrf_by_name(t, "A"), &p, ROUTE_BGP, &rd) != NULL,
		     present && k % 2 == 1, "route %u in A", k);
	cr_assert_eq(vrf_route_find(vrf_by_name(t, "B"), &p, ROUTE_BGP, &rd) != NULL, present,
		     "route %u in B", k);
}

Test(shrink, vrf_table_after_a_withdrawal)
{
	struct ferry_config cfg;
	struct vrf_table t;
	struct dataplane dp = { NULL, NULL };
	size_t vpn_peak, a_peak, b_peak;

	fx_load(&cfg, VRFS_JSON);
	cr_assert_eq(vrf_table_init(&t, &cfg, &dp), 0);
	for (uint32_t k = 0; k < TABLE_ROUTES; k++) {
		struct fx_vpn v = table_route(k);

		cr_assert_eq(fx_import(&t, &v), 1 + (int)(k % 2));
	}
	vpn_peak = t.vpn.cap;
	a_peak = vrf_by_name(&t, "A")->routes.nb;
	b_peak = vrf_by_name(&t, "B")->routes.nb;
	cr_assert_eq(vrf_table_shrink(&t), 0, "in use: nothing to give back");
	for (uint32_t k = 0; k < TABLE_ROUTES; k++) {
		char prefix[32];

		snprintf(prefix, sizeof(prefix), "10.%u.%u.0/24", k >> 8, k & 0xff);
		if (k % KEEP_EVERY != 1)
			cr_assert_eq(fx_withdraw(&t, "65000:7", prefix), 1 + (int)(k % 2));
	}
	cr_assert_eq(vrf_table_shrink(&t),
		     (vpn_peak - t.vpn.cap) * sizeof(uintptr_t) +
			     (b_peak - vrf_by_name(&t, "B")->routes.nb) * sizeof(void *) +
			     (a_peak - vrf_by_name(&t, "A")->routes.nb) * sizeof(void *),
		     "the VPN table's slots and both VRFs' buckets");
	cr_assert_lt(t.vpn.cap, vpn_peak);
	for (uint32_t k = 0; k < TABLE_ROUTES; k++)
		table_check(&t, k, k % KEEP_EVERY == 1);
	for (uint32_t k = 0; k < TABLE_ROUTES; k++) {
		struct fx_vpn v = table_route(k);

		if (k % KEEP_EVERY != 1)
			cr_assert_eq(fx_import(&t, &v), 1 + (int)(k % 2));
	}
	for (uint32_t k = 0; k < TABLE_ROUTES; k++)
		table_check(&t, k, true);
	vrf_table_free(&t);
	config_free(&cfg);
}
