/*
 * Who hears which path (adjout_eligible), as a table: source kind (local,
 * eBGP, iBGP client, iBGP non-client), receiving peer kind, well-known
 * communities and ORIGINATOR_ID. RFC 1997 (NO_EXPORT, NO_ADVERTISE) and
 * RFC 4456 §6 (reflection) decide; learned routes never go to eBGP peers.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "bgpd/bgpd.h"

enum src_kind { LOCAL, EBGP, IBGP_CLIENT, IBGP_NONCLIENT };
enum peer_kind { TO_EBGP, TO_CLIENT, TO_NONCLIENT };

struct elig_case {
	const char *what;
	enum src_kind src;
	enum peer_kind to;
	uint32_t community; /* 0: none */
	bool originator_is_peer;
	bool want;
};

static const struct elig_case cases[] = {
	{ "local to eBGP", LOCAL, TO_EBGP, 0, false, true },
	{ "local to client", LOCAL, TO_CLIENT, 0, false, true },
	{ "local to non-client", LOCAL, TO_NONCLIENT, 0, false, true },
	{ "eBGP-learned to eBGP (no option B)", EBGP, TO_EBGP, 0, false, false },
	{ "eBGP-learned to iBGP", EBGP, TO_NONCLIENT, 0, false, true },
	{ "client's to client", IBGP_CLIENT, TO_CLIENT, 0, false, true },
	{ "client's to non-client", IBGP_CLIENT, TO_NONCLIENT, 0, false, true },
	{ "non-client's to client", IBGP_NONCLIENT, TO_CLIENT, 0, false, true },
	{ "non-client's to non-client", IBGP_NONCLIENT, TO_NONCLIENT, 0, false, false },
	{ "iBGP-learned to eBGP", IBGP_CLIENT, TO_EBGP, 0, false, false },
	{ "back to its originator", IBGP_CLIENT, TO_CLIENT, 0, true, false },
	{ "NO_ADVERTISE to iBGP", EBGP, TO_NONCLIENT, COMM_NO_ADVERTISE, false, false },
	{ "NO_ADVERTISE reflected", IBGP_CLIENT, TO_CLIENT, COMM_NO_ADVERTISE, false, false },
	{ "NO_EXPORT stays in the AS", EBGP, TO_NONCLIENT, COMM_NO_EXPORT, false, true },
	{ "NO_EXPORT reflected in the AS", IBGP_NONCLIENT, TO_CLIENT, COMM_NO_EXPORT, false, true },
	{ "NO_EXPORT not to eBGP", LOCAL, TO_EBGP, COMM_NO_EXPORT, false, false },
	{ "NO_EXPORT_SUBCONFED not to eBGP", LOCAL, TO_EBGP, COMM_NO_EXPORT_SUBCONFED, false,
	  false },
	{ "other community", LOCAL, TO_EBGP, 0xfde80001u, false, true },
};

Test(bgpd_adjout, eligibility_table)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct elig_case *c = &cases[i];
		struct cfg_neighbor ncfg = { .rr_client = c->to == TO_CLIENT };
		struct bgp_peer peer = { .cfg = &ncfg };
		struct rib_source src = { .local = c->src == LOCAL, .ebgp = c->src == EBGP,
					  .rr_client = c->src == IBGP_CLIENT, .router_id = 9 };
		struct bgp_attrs a = { 0 };
		struct attr_set *set;
		struct rib_path path = { .src = &src };

		peer.ctx.ebgp = c->to == TO_EBGP;
		peer.src.router_id = 7;
		if (c->community) {
			a.present |= ATTR_BIT(ATTR_COMMUNITIES);
			a.communities = &c->community;
			a.n_communities = 1;
		}
		if (c->originator_is_peer) {
			a.present |= ATTR_BIT(ATTR_ORIGINATOR_ID);
			a.originator_id = 7;
		}
		set = attr_intern(&a);
		path.attrs = set;
		cr_assert_eq(adjout_eligible(&peer, &path), c->want, "%s: want %s", c->what,
			     c->want ? "advertised" : "not advertised");
		attr_unref(set);
	}
	cr_assert_eq(attr_intern_count(), 0);
}

Test(bgpd_adjout, a_path_never_goes_back_to_its_source)
{
	struct cfg_neighbor ncfg = { .rr_client = true };
	struct bgp_peer peer = { .cfg = &ncfg };
	struct bgp_attrs a = { 0 };
	struct rib_path path = { .src = &peer.src };

	peer.src.rr_client = true;
	path.attrs = attr_intern(&a);
	cr_assert_not(adjout_eligible(&peer, &path));
	attr_unref(path.attrs);
}
