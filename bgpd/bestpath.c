/*
 * Best-path selection (RFC 4271 §9.1.2.2), as a table of tie-breaking steps
 * applied in order; the first that tells two paths apart decides and names
 * the reason shown in the API. Local routes (from vrfmgr) come first: a PE
 * prefers its own VRF routes to the same RD:prefix heard from elsewhere;
 * only a long-lived stale path (RFC 9494) is ranked before that, last.
 * There is no IGP cost step: next hops are resolved by vrfmgr over LSPs.
 */
#include "bgpd/rib.h"

uint32_t rib_path_local_pref(const struct rib_path *p)
{
	const struct bgp_attrs *a = &p->attrs->a;

	return attr_has(a, ATTR_LOCAL_PREF) ? a->local_pref : ATTR_DEFAULT_LOCAL_PREF;
}

static int cmp_u32(uint32_t a, uint32_t b)
{
	return a < b ? -1 : a > b;
}

/*
 * RFC 9494 §4.3: a long-lived stale path (ours, or one that came tagged)
 * loses to any other before every other step: it is only a last resort
 * while its peer is away.
 */
static int step_llgr(const struct rib_path *a, const struct rib_path *b)
{
	return (int)attr_has_community(&a->attrs->a, COMM_LLGR_STALE) -
	       (int)attr_has_community(&b->attrs->a, COMM_LLGR_STALE);
}

static int step_local(const struct rib_path *a, const struct rib_path *b)
{
	return (int)b->src->local - (int)a->src->local;
}

static int step_local_pref(const struct rib_path *a, const struct rib_path *b)
{
	return cmp_u32(rib_path_local_pref(b), rib_path_local_pref(a));
}

static int step_as_path(const struct rib_path *a, const struct rib_path *b)
{
	const struct bgp_attrs *x = &a->attrs->a, *y = &b->attrs->a;

	return cmp_u32(aspath_count(x->aspath, x->aspath_len), aspath_count(y->aspath, y->aspath_len));
}

static int step_origin(const struct rib_path *a, const struct rib_path *b)
{
	return cmp_u32(a->attrs->a.origin, b->attrs->a.origin);
}

/* MED only means something between paths from the same neighbor AS. */
static int step_med(const struct rib_path *a, const struct rib_path *b)
{
	const struct bgp_attrs *x = &a->attrs->a, *y = &b->attrs->a;

	if (aspath_first_as(x->aspath, x->aspath_len) != aspath_first_as(y->aspath, y->aspath_len))
		return 0;
	return cmp_u32(attr_has(x, ATTR_MED) ? x->med : 0, attr_has(y, ATTR_MED) ? y->med : 0);
}

static int step_ebgp(const struct rib_path *a, const struct rib_path *b)
{
	return (int)b->src->ebgp - (int)a->src->ebgp;
}

/* RFC 4456 §9: a reflected route's ORIGINATOR_ID stands for the router id. */
static uint32_t path_router_id(const struct rib_path *p)
{
	const struct bgp_attrs *a = &p->attrs->a;

	return attr_has(a, ATTR_ORIGINATOR_ID) ? a->originator_id : p->src->router_id;
}

static int step_router_id(const struct rib_path *a, const struct rib_path *b)
{
	return cmp_u32(path_router_id(a), path_router_id(b));
}

static int step_cluster_list(const struct rib_path *a, const struct rib_path *b)
{
	return cmp_u32(a->attrs->a.n_cluster, b->attrs->a.n_cluster);
}

static int step_address(const struct rib_path *a, const struct rib_path *b)
{
	return cmp_u32(a->src->address, b->src->address);
}

static const struct {
	const char *reason;
	int (*cmp)(const struct rib_path *a, const struct rib_path *b);
} steps[] = {
	{ "not long-lived stale", step_llgr },
	{ "local route", step_local },
	{ "higher local_pref", step_local_pref },
	{ "shorter as_path", step_as_path },
	{ "lower origin", step_origin },
	{ "lower med", step_med },
	{ "ebgp over ibgp", step_ebgp },
	{ "lower router_id", step_router_id },
	{ "shorter cluster_list", step_cluster_list },
	{ "lower peer address", step_address },
};

int rib_path_cmp(const struct rib_path *a, const struct rib_path *b, const char **reason)
{
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		int c = steps[i].cmp(a, b);

		if (c) {
			if (reason)
				*reason = steps[i].reason;
			return c;
		}
	}
	if (reason)
		*reason = "equal";
	return 0;
}
