/*
 * How many labels a reload may claim: an estimate for the reload check
 * (api_reload.c), which warns when the free labels of router.label_range
 * may not be enough. A VRF that finds none waits for one, its routes not
 * exported meanwhile (vrf_label.c), and said only in the log once the
 * reload is done; said by the check, the operator learns it before
 * signalling, and can widen the range (a restart of vrfmgr) first.
 *
 * It counts what the VRFs the reload adds (re-created ones too) or gives
 * another label mode would claim if every route they would export were
 * exported: one per-VRF label, or per CE (one per link's subnet, one per
 * static next hop) or per prefix. It is an upper bound (a static route a
 * BGP route outranks is not exported); changes inside a VRF that keeps its
 * mode (a new static route to a new CE) are not counted.
 */
#include <string.h>

#include "vrfmgr/label.h"
#include "vrfmgr/reload.h"

/*
 * Static routes of c that would be exported (their next hop usable): each,
 * or per CE only those with a next hop no earlier one of them had.
 */
static size_t statics_exported(const struct cfg_vrf *c, bool one_per_next_hop)
{
	size_t n = 0;

	for (size_t i = 0; i < c->n_static_routes; i++) {
		const struct cfg_static_route *s = &c->static_routes[i];
		const char *ifname;
		size_t j = 0;

		if (vrf_static_cfg_check(c, s, &ifname) != STATIC_NH_OK)
			continue;
		while (one_per_next_hop && j < i && c->static_routes[j].next_hop != s->next_hop)
			j++;
		n += !one_per_next_hop || j == i;
	}
	return n;
}

/* The labels VRF config c claims at most, by its label mode. */
static size_t labels_of_vrf(const struct cfg_vrf *c)
{
	if (c->label_mode == CFG_LABEL_PER_VRF)
		return 1; /* held from the VRF's start, whatever it exports */
	if (c->n_export_rts == 0)
		return 0;
	return c->n_interfaces + statics_exported(c, c->label_mode == CFG_LABEL_PER_CE);
}

/* A VRF back under its name and RD within its per-VRF label's hold-down gets it again. */
static bool label_comes_back(const struct vrf_table *t, const struct cfg_vrf *c)
{
	struct label_key k;
	const struct label_entry *e;

	if (c->label_mode != CFG_LABEL_PER_VRF || label_vrf_left_rd(&t->labels, c->name) == NULL ||
	    !rd_equal(label_vrf_left_rd(&t->labels, c->name), &c->rd))
		return false;
	label_key_vrf(&k, c->name);
	e = label_find(&t->labels, &k);
	return e != NULL && !label_key_retired(&e->key);
}

size_t reload_labels_wanted(const struct vrf_table *t, const struct ferry_config *nc)
{
	size_t n = 0;

	for (size_t i = 0; i < nc->n_vrfs; i++) {
		const struct cfg_vrf *c = &nc->vrfs[i], *old = config_vrf_by_name(t->cfg, c->name);

		if (old != NULL && rd_equal(&old->rd, &c->rd) && old->label_mode == c->label_mode)
			continue;
		if (old == NULL && label_comes_back(t, c))
			continue;
		n += labels_of_vrf(c);
	}
	return n;
}

size_t reload_labels_free(const struct vrf_table *t, size_t *held)
{
	const struct label_alloc *la = &t->labels;
	size_t span = (size_t)la->max - la->min + 1;

	*held = 0;
	for (size_t i = 0; i < la->n; i++)
		*held += la->v[i]->state != LABEL_USED;
	return la->n < span ? span - la->n : 0;
}
