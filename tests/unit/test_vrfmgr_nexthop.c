/*
 * vrfmgr/nexthop.c: LSP resolution by longest match, implicit null, remote
 * PEs without an LSP (unresolved: kept, never installed), sharing and
 * reference counting, dataplane add/delete following FIB use.
 */
#include <criterion/criterion.h>

#include "test_vrfmgr_fixture.h"
#include "vrfmgr/nexthop.h"

static struct cfg_lsp lsp(const char *fec, uint32_t label, const char *nh, const char *ifname)
{
	struct cfg_lsp l;

	memset(&l, 0, sizeof(l));
	cr_assert_eq(prefix4_parse(fec, &l.fec), 0);
	l.out_label = label;
	cr_assert_eq(ipv4_parse(nh, &l.next_hop), 0);
	snprintf(l.interface, sizeof(l.interface), "%s", ifname);
	return l;
}

static uint32_t addr(const char *s)
{
	uint32_t a;

	cr_assert_eq(ipv4_parse(s, &a), 0);
	return a;
}

Test(nexthop, longest_match_wins)
{
	struct cfg_lsp l[3] = {
		lsp("0.0.0.0/0", 30, "10.0.9.2", "core9"),
		lsp("10.255.0.2/32", 16, "10.0.1.2", "core0"),
		lsp("10.255.0.0/16", 20, "10.0.2.2", "core1"),
	};

	cr_assert_eq(nexthop_lsp_lookup(l, 3, addr("10.255.0.2")), &l[1]);
	cr_assert_eq(nexthop_lsp_lookup(l, 3, addr("10.255.0.9")), &l[2]);
	cr_assert_eq(nexthop_lsp_lookup(l, 3, addr("8.8.8.8")), &l[0]);
	cr_assert_null(nexthop_lsp_lookup(l + 1, 2, addr("8.8.8.8")));
	cr_assert_null(nexthop_lsp_lookup(l, 0, addr("10.255.0.2")));
}

Test(nexthop, labeled_resolves_through_the_lsp)
{
	struct cfg_lsp l[2] = {
		lsp("10.255.0.0/16", 20, "10.0.2.2", "core1"),
		lsp("10.255.0.2/32", 16, "10.0.1.2", "core0"),
	};
	struct nexthop_table t;
	struct nexthop *a, *b;

	nexthop_table_init(&t, l, 2);
	a = nexthop_get_labeled(&t, addr("10.255.0.2"));
	cr_assert_not_null(a);
	cr_assert(a->resolved);
	cr_assert_eq(a->ipc.type, IPC_NH_LABELED);
	cr_assert_eq(a->ipc.out_label, 16);
	cr_assert_eq(a->ipc.gateway, addr("10.0.1.2"));
	cr_assert_str_eq(a->ipc.ifname, "core0");
	cr_assert_neq(a->ipc.nh_id, 0);
	/* One object per remote PE, shared. */
	b = nexthop_get_labeled(&t, addr("10.255.0.2"));
	cr_assert_eq(a, b);
	cr_assert_eq(a->refs, 2);
	b = nexthop_get_labeled(&t, addr("10.255.0.7"));
	cr_assert_neq(a, b);
	cr_assert_neq(a->ipc.nh_id, b->ipc.nh_id);
	cr_assert_eq(b->ipc.out_label, 20);
	cr_assert_eq(t.count, 2);
	nexthop_put(&t, a);
	nexthop_put(&t, a);
	nexthop_put(&t, b);
	cr_assert_eq(t.count, 0);
	cr_assert_null(t.head);
	nexthop_table_free(&t);
}

Test(nexthop, implicit_null_is_kept_as_label_3)
{
	struct cfg_lsp l = lsp("10.255.0.2/32", MPLS_LABEL_IMPLICIT_NULL, "10.0.1.2", "core0");
	struct nexthop_table t;
	struct nexthop *a;

	nexthop_table_init(&t, &l, 1);
	a = nexthop_get_labeled(&t, addr("10.255.0.2"));
	cr_assert(a->resolved);
	cr_assert_eq(a->ipc.out_label, 3);
	cr_assert_eq(a->ipc.gateway, addr("10.0.1.2"));
	nexthop_put(&t, a);
	nexthop_table_free(&t);
}

Test(nexthop, pe_without_lsp_is_unresolved)
{
	struct cfg_lsp l = lsp("10.255.0.2/32", 16, "10.0.1.2", "core0");
	struct nexthop_table t;
	struct nexthop *a;

	nexthop_table_init(&t, &l, 1);
	a = nexthop_get_labeled(&t, addr("10.255.0.9"));
	cr_assert_not_null(a);
	cr_assert_not(a->resolved);
	cr_assert_null(a->lsp);
	cr_assert_eq(a->ipc.gateway, 0);
	nexthop_put(&t, a);
	nexthop_table_free(&t);
}

Test(nexthop, gateway_and_connected_are_shared_per_key)
{
	struct nexthop_table t;
	struct nexthop *g1, *g2, *g3, *c1, *c2;

	nexthop_table_init(&t, NULL, 0);
	g1 = nexthop_get_gateway(&t, "ce-a1", addr("10.1.1.2"));
	g2 = nexthop_get_gateway(&t, "ce-a1", addr("10.1.1.2"));
	g3 = nexthop_get_gateway(&t, "ce-b1", addr("10.1.1.2"));
	c1 = nexthop_get_connected(&t, "ce-a1");
	c2 = nexthop_get_connected(&t, "ce-a1");
	cr_assert_eq(g1, g2);
	cr_assert_neq(g1, g3);
	cr_assert_eq(c1, c2);
	cr_assert_neq(c1, g1);
	cr_assert_eq(g1->ipc.type, IPC_NH_GATEWAY);
	cr_assert_eq(c1->ipc.type, IPC_NH_CONNECTED);
	cr_assert_eq(c1->ipc.gateway, 0);
	cr_assert(c1->resolved && g1->resolved);
	cr_assert_eq(t.count, 3);
	nexthop_table_free(&t);
}

Test(nexthop, dataplane_follows_fib_use)
{
	struct fx_rec rec = { .n = 0 };
	struct dataplane dp = { &fx_ops, &rec };
	struct nexthop_table t;
	struct nexthop *g;

	nexthop_table_init(&t, NULL, 0);
	g = nexthop_get_gateway(&t, "ce-a1", addr("10.1.1.2"));
	nexthop_fib_hold(&t, g, &dp);
	nexthop_fib_hold(&t, g, &dp);
	cr_assert_eq(rec.n, 1);
	cr_assert_eq(fx_find(&rec, "nh_add 1 type 2 gw 10.1.1.2"), 0);
	nexthop_put(&t, g); /* the route lets go; the FIB entries still hold it */
	cr_assert_eq(t.count, 1);
	nexthop_fib_release(&t, g, &dp);
	cr_assert_eq(rec.n, 1);
	nexthop_fib_release(&t, g, &dp);
	cr_assert_eq(rec.n, 2);
	cr_assert_eq(fx_find(&rec, "nh_del 1"), 1);
	cr_assert_eq(t.count, 0);
	nexthop_table_free(&t);
}

Test(nexthop, route_to_pe_without_lsp_stays_uninstalled)
{
	struct fx_rec rec = { .n = 0 };
	struct dataplane dp = { &fx_ops, &rec };
	struct ferry_config cfg;
	struct vrf_table t;
	struct fx_vpn v = fx_vpn("10.255.0.9:100", "192.168.109.0/24", 900, "10.255.0.9",
				 "65000:100");
	struct vrf_prefix *vp;
	char why[128];

	log_init("test", LOG_LVL_WARN);
	fx_load(&cfg, FX_PE1_JSON);
	cr_assert_eq(vrf_table_init(&t, &cfg, &dp), 0);
	rec.n = 0;
	cr_assert_eq(fx_import(&t, &v), 1);
	cr_assert_eq(rec.n, 0, "nothing may reach the dataplane");
	vp = fx_vp(&t, "A", "192.168.109.0/24");
	cr_assert_not_null(vp);
	cr_assert_not_null(vp->best);
	cr_assert_not(vrf_route_installed(vp, vp->best));
	cr_assert_str_eq(vrf_route_reason(vp, vp->best, why, sizeof(why)),
			 "next hop 10.255.0.9 has no LSP");
	cr_assert_eq(fx_withdraw(&t, "10.255.0.9:100", "192.168.109.0/24"), 1);
	cr_assert_eq(rec.n, 0);
	cr_assert_null(fx_vp(&t, "A", "192.168.109.0/24"));
	vrf_table_free(&t);
	config_free(&cfg);
}

Test(nexthop, unresolved_path_loses_to_a_resolved_one)
{
	struct fx_rec rec = { .n = 0 };
	struct dataplane dp = { &fx_ops, &rec };
	struct ferry_config cfg;
	struct vrf_table t;
	/* The unresolved path has the better local_pref but cannot carry traffic. */
	struct fx_vpn bad = fx_vpn("10.255.0.9:100", "192.168.101.0/24", 900, "10.255.0.9",
				   "65000:100");
	struct fx_vpn good = fx_vpn("10.255.0.2:100", "192.168.101.0/24", 200, "10.255.0.2",
				    "65000:100");
	struct vrf_prefix *vp;

	log_init("test", LOG_LVL_WARN);
	bad.r.local_pref = 500;
	fx_load(&cfg, FX_PE1_JSON);
	cr_assert_eq(vrf_table_init(&t, &cfg, &dp), 0);
	cr_assert_eq(fx_import(&t, &bad), 1);
	cr_assert_eq(fx_import(&t, &good), 1);
	vp = fx_vp(&t, "A", "192.168.101.0/24");
	cr_assert_eq(vp->best->remote_pe, addr("10.255.0.2"));
	cr_assert_eq(vp->best->inner_label, 200);
	cr_assert(vrf_route_installed(vp, vp->best));
	vrf_table_free(&t);
	config_free(&cfg);
}

/* The old search: the list, one object after the other. */
static struct nexthop *linear_find(const struct nexthop_table *t, uint32_t type,
				   const char *ifname, uint32_t gateway, uint32_t remote_pe)
{
	for (struct nexthop *nh = t->head; nh != NULL; nh = nh->next) {
		if (nh->ipc.type != type)
			continue;
		if (type == IPC_NH_LABELED ? nh->remote_pe == remote_pe
					   : nh->ipc.gateway == gateway &&
						     strcmp(nh->ipc.ifname, ifname) == 0)
			return nh;
	}
	return NULL;
}

/*
 * The hash finds what the list holds: 30,000 random gets and puts over a
 * small key space (so objects are shared, freed and made again, and the
 * buckets grow past 64 more than once); each get returns what a linear
 * search found before it (or a new object, appended with the next id, when
 * it found none), and the list stays in id order with its count; a
 * lookup by id agrees with a walk of the list.
 */
Test(nexthop, hash_agrees_with_the_list_under_gets_and_puts)
{
	enum { KEYS = 3000, STEPS = 30000 };
	static struct nexthop *held[KEYS][4];
	static unsigned n_held[KEYS];
	struct nexthop_table t;
	uint32_t last_id = 0;
	unsigned seed = 7;

	nexthop_table_init(&t, NULL, 0);
	for (int step = 0; step < STEPS; step++) {
		unsigned k = (unsigned)rand_r(&seed) % KEYS;
		uint32_t type = k % 3 == 0 ? IPC_NH_LABELED : k % 3 == 1 ? IPC_NH_GATEWAY
									  : IPC_NH_CONNECTED;
		uint32_t gw = type == IPC_NH_GATEWAY ? 0xc0a80000u + k % 7 : 0;
		char ifname[16];
		struct nexthop *want, *got;

		snprintf(ifname, sizeof(ifname), "ce%u", k / 3);
		if (n_held[k] > 0 && (n_held[k] == 4 || rand_r(&seed) % 2)) {
			nexthop_put(&t, held[k][--n_held[k]]);
			cr_assert_eq(linear_find(&t, type, ifname, gw, k) != NULL, n_held[k] > 0);
			continue;
		}
		want = linear_find(&t, type, ifname, gw, k);
		got = type == IPC_NH_LABELED ? nexthop_get_labeled(&t, k)
		      : type == IPC_NH_GATEWAY ? nexthop_get_gateway(&t, ifname, gw)
					       : nexthop_get_connected(&t, ifname);
		cr_assert_not_null(got);
		if (want != NULL) {
			cr_assert_eq(got, want, "step %d key %u: another object than the list's", step, k);
		} else {
			cr_assert_eq(got, t.tail, "a new object is appended");
			cr_assert_gt(got->ipc.nh_id, last_id);
			last_id = got->ipc.nh_id;
		}
		held[k][n_held[k]++] = got;
		/* by id too: the object, and for any id what the list has (NULL once freed) */
		cr_assert_eq(nexthop_by_id(&t, got->ipc.nh_id), got);
		uint32_t id = (uint32_t)rand_r(&seed) % (last_id + 2);
		struct nexthop *lin = NULL;

		for (struct nexthop *nh = t.head; nh != NULL && lin == NULL; nh = nh->next)
			if (nh->ipc.nh_id == id)
				lin = nh;
		cr_assert_eq(nexthop_by_id(&t, id), lin, "step %d: id %u", step, id);
	}
	size_t n = 0;
	uint32_t prev = 0;

	for (struct nexthop *nh = t.head; nh != NULL; nh = nh->next, n++) {
		cr_assert_gt(nh->ipc.nh_id, prev, "the list is in id order");
		cr_assert_eq(nh->next == NULL ? t.tail : nh->next->prev, nh);
		prev = nh->ipc.nh_id;
	}
	cr_assert_eq(n, t.count);
	cr_assert_gt(t.n_buckets, 64);
	for (unsigned k = 0; k < KEYS; k++)
		while (n_held[k] > 0)
			nexthop_put(&t, held[k][--n_held[k]]);
	cr_assert_eq(t.count, 0);
	cr_assert_null(t.head);
	cr_assert_null(t.tail);
	nexthop_table_free(&t);
}
