/*
 * The config sections a PE's forwarding depends on: VRFs (with their
 * interfaces and static routes), static LSPs and the fwd section (core
 * interfaces, static LFIB). Besides the form of each value, this is where
 * the cross-checks live: unique VRF names and RDs, every interface named
 * once across VRFs and the core, static routes on one of their VRF's
 * interfaces with an on-link next hop, LSPs on a core interface with an
 * on-link next hop, one LSP per FEC, one LFIB entry per label.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "common/config_get.h"
#include "common/hash.h"
#include "common/label.h"

/* RFC 4364 4.2's three types, whose fields' sizes set the ranges; RTs share them (RFC 4360, 5668) */
#define RD_FORM                                                                                  \
	"ASN:NN (ASN 0..65535, NN 0..4294967295), IP:NN (NN 0..65535), ASN4:NN (ASN4 "          \
	"65536..4294967295, NN 0..65535) or ASNL:NN (ASN 0..65535 as a four-octet AS, NN "      \
	"0..65535), decimal without leading zeros"
static const struct kind K_RD = { "a route distinguisher", RD_FORM };
static const struct kind K_RT = { "a route target", RD_FORM ", optionally after rt: or target:" };
static const struct kind K_IN_LABEL = { "an incoming label", "an integer 16..1048575" };
static const struct kind K_LABEL_MODE = { "a label mode",
					  "\"per-vrf\", \"per-ce\" or \"per-prefix\"" };
static const struct kind K_FWD_MODE = { "a forwarding mode", "\"pe\" or \"lsr\"" };
static const struct kind K_FWD_IO = { "a packet I/O backend", "\"af_packet\" or \"af_xdp\"" };
static const struct kind K_FWD_RX_RING = { "a receive ring kind", "\"blocks\" or \"frames\"" };
static const struct kind K_ACTION = { "an LFIB action", "\"swap\" or \"pop\"" };
static const struct kind K_RT_LIST = { "a list of route targets",
				       "[\"ASN:NN\", \"IP:NN\", \"ASN4:NN\" or \"ASNL:NN\", ...]" };
static const struct kind K_VRFS = { "a list of VRFs", "[{ \"name\": ..., \"rd\": ..., ... }]" };
static const struct kind K_IFS = { "a list of interfaces",
				   "[{ \"name\": ..., \"address\": ... }]" };
static const struct kind K_STATICS = {
	"a list of static routes", "[{ \"prefix\": ..., \"next_hop\": ..., \"interface\": ... }]"
};
static const struct kind K_LSPS = { "a list of LSPs",
				    "[{ \"fec\": ..., \"out_label\": ..., ... }]" };
static const struct kind K_LFIB = { "a list of LFIB entries", "[{ \"in_label\": ..., ... }]" };
static const struct kind K_ARP = { "a number of seconds", "an integer 1..86400" };
static const struct kind K_WORKERS = { "a number of worker threads",
				       "an integer 0..16, 0 = forward on the main thread" };
static const struct kind K_DISTANCE = { "a distance", "an integer 1..255" };
static const struct kind K_MAX_ROUTES = { "a number of routes", "an integer 1..10000000" };
static const struct kind K_PERCENT = { "a percentage", "an integer 1..100" };

static int p_rd(const char *s, void *out)
{
	return rd_parse(s, out);
}

/* ---- interfaces (shared by VRFs and the core) ---- */

/*
 * Whether an interface name is used already (by a VRF or the core), as a
 * JSON path in where; else it is noted as used by (vrf, i), vrf SIZE_MAX
 * for the core. Names point into the config, which outlives the loading.
 */
static int ifname_used(struct cctx *c, const char *name, size_t vrf, size_t i, char *where)
{
	const struct cfg_uniq_slot *seen;
	char p[JPATH_MAX];
	int rc = cfg_uniq_put(&c->ifnames, name, strlen(name), vrf, i, &seen);

	if (rc == 1 && seen->a == SIZE_MAX)
		snprintf(where, JPATH_NAMED_MAX, "fwd.core_interfaces[%zu]", seen->b);
	else if (rc == 1) {
		snprintf(p, sizeof(p), "vrfs[%zu].interfaces[%zu]", seen->a, seen->b);
		cj_path_named(c, p, where, JPATH_NAMED_MAX); /* the other VRF, by name */
	}
	return rc;
}

/* {"name", "address"}; name and addr point into a cfg_vrf_if or cfg_core_if. */
static int parse_if(struct cctx *c, struct json_object *v, const char *path, size_t vrf, size_t i,
		    char *name, struct prefix4 *addr)
{
	static const char *const keys[] = { "name", "address", NULL };
	char p[JPATH_MAX], where[JPATH_NAMED_MAX];
	int rc;

	if (cj_check_object(c, v, path, keys) < 0 || cj_ifname(c, v, path, "name", name) < 0 ||
	    cj_ifaddr(c, v, path, "address", addr) < 0)
		return -1;
	rc = ifname_used(c, name, vrf, i, where);
	if (rc < 0)
		return cj_fail(c, path, "out of memory");
	if (rc == 1) {
		cj_path_key(p, path, "name");
		return cj_fail(c, p,
			       "\"%s\" is already used by %s (want each interface listed once)",
			       name, where);
	}
	return 0;
}

/* ---- VRFs ---- */

static int parse_rts(struct cctx *c, struct json_object *vrf, const char *path, const char *key,
		     struct ext_community **out, size_t *n_out)
{
	char p[JPATH_MAX], ip[JPATH_MAX];
	struct json_object *arr, *e;
	size_t n;

	if (cj_array(c, vrf, path, key, &K_RT_LIST, &arr, &n, p) < 0 ||
	    cj_alloc(c, n, sizeof(**out), (void **)out) < 0)
		return -1;
	*n_out = n;
	for (size_t i = 0; i < n; i++) {
		e = json_object_array_get_idx(arr, i);
		cj_path_idx(ip, p, i);
		if (cj_text_of(e) == NULL || rt_parse(cj_text_of(e), &(*out)[i]) < 0)
			return cj_bad(c, ip, e, &K_RT);
		/* twice in one list: harmless to vrfmgr, but a slip where another RT was meant */
		for (size_t j = 0; j < i; j++)
			if (extcom_equal(&(*out)[j], &(*out)[i]))
				return cj_fail(c, ip, "\"%s\" is already %s[%zu] (want each route "
					       "target once)", json_object_get_string(e), p, j);
	}
	return 0;
}

static const struct cfg_vrf_if *vrf_if_find(const struct cfg_vrf *vrf, const char *name)
{
	for (size_t i = 0; i < vrf->n_interfaces; i++)
		if (strcmp(vrf->interfaces[i].name, name) == 0)
			return &vrf->interfaces[i];
	return NULL;
}

static int static_if_fail(struct cctx *c, const struct cfg_vrf *vrf, const char *path,
			  const char *name)
{
	char p[JPATH_MAX], list[256] = "";

	for (size_t i = 0; i < vrf->n_interfaces; i++)
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", i ? ", " : "",
			 vrf->interfaces[i].name);
	cj_path_key(p, path, "interface");
	return cj_fail(
	    c, p, "\"%s\" is not an interface of VRF %s (want %s%s)", name, vrf->name,
	    vrf->n_interfaces ? "one of " : "an interface listed in the VRF; it has none", list);
}

/*
 * A next hop sent to through interface ifname (our address ifaddr on it) is
 * resolved by ARP on that link, so it must be another host of its subnet:
 * not outside it, not our own address, and (shorter than /31) neither the
 * subnet's network nor its broadcast address. The message goes to path.
 */
static int on_link_check(struct cctx *c, const char *path, uint32_t nh, const char *ifname,
			 const struct prefix4 *ifaddr)
{
	char a[IPV4_STRLEN], net[PREFIX4_STRLEN], why[64] = "";
	struct prefix4 subnet = *ifaddr;
	const char *what = cj_link_reserved(ifaddr, nh);

	prefix4_normalize(&subnet);
	if (what != NULL)
		snprintf(why, sizeof(why), ": it is the subnet's %s address", what);
	else if (prefix4_contains(&subnet, nh) && nh != ifaddr->addr)
		return 0;
	if (ifaddr->len == 32)
		return cj_fail(c, path, "\"%s\" is not a neighbor on %s (a /32 link has none: want "
			       "the interface on a subnet with room for a neighbor)",
			       ipv4_format(nh, a), ifname);
	return cj_fail(c, path, "\"%s\" is not a neighbor on %s%s (want another address in %s)",
		       ipv4_format(nh, a), ifname, why, prefix4_format(&subnet, net));
}

/*
 * With an interface, the next hop must be on its subnet (ARP resolves it
 * there). Without one, vrfmgr looks for the VRF interface whose subnet holds
 * it; if none does the route is kept but neither installed nor exported,
 * which lets a route be configured before the link it will use.
 */
static int parse_static(struct cctx *c, struct json_object *v, const char *path,
			const struct cfg_vrf *vrf, struct cfg_static_route *s)
{
	static const char *const keys[] = { "prefix", "next_hop", "interface", "distance", NULL };
	char p[JPATH_MAX], nh[IPV4_STRLEN];
	const struct cfg_vrf_if *vi;

	s->distance = 1;
	if (cj_check_object(c, v, path, keys) < 0 ||
	    cj_prefix(c, v, path, "prefix", &s->prefix) < 0 ||
	    cj_ipv4(c, v, path, "next_hop", true, &s->next_hop) < 0 ||
	    cj_u32(c, v, path, "distance", false, &K_DISTANCE, 1, 255, &s->distance) < 0)
		return -1;
	/* no CE answers ARP for these, whatever the link: the route could never be installed */
	if (!cj_unicast(s->next_hop)) {
		cj_path_key(p, path, "next_hop");
		return cj_fail(c, p, "\"%s\" is not a next hop (want a CE's address, %s)",
			       ipv4_format(s->next_hop, nh), CJ_UNICAST_FORM);
	}
	if (!json_object_object_get_ex(v, "interface", NULL))
		return 0;
	if (cj_ifname(c, v, path, "interface", s->interface) < 0)
		return -1;
	vi = vrf_if_find(vrf, s->interface);
	if (vi == NULL)
		return static_if_fail(c, vrf, path, s->interface);
	cj_path_key(p, path, "next_hop");
	return on_link_check(c, p, s->next_hop, vi->name, &vi->address);
}

/*
 * Two links of one table (a VRF's interfaces, or the core's) whose subnets
 * overlap: the connected route of one hides the other's, or, equal, replaces
 * it (vrfmgr kept the last of two, silently). path: the new entry's; list:
 * the array's, whose entry j has address prev.
 */
static int overlap_check(struct cctx *c, const char *path, const char *list, size_t j,
			 const struct prefix4 *prev, const struct prefix4 *a)
{
	uint8_t len = prev->len < a->len ? prev->len : a->len;
	uint32_t mask = prefix4_netmask(len);
	char p[JPATH_MAX], x[PREFIX4_STRLEN], y[PREFIX4_STRLEN];

	if ((prev->addr & mask) != (a->addr & mask))
		return 0;
	cj_path_key(p, path, "address");
	return cj_fail(c, p, "\"%s\" overlaps %s[%zu].address \"%s\" (want a subnet of its own "
		       "for each link)", prefix4_format(a, x), list, j, prefix4_format(prev, y));
}

/* Parses the array at vrf.key; each element by item(c, elem, path, vrf, &out[i]). */
static int parse_vrf_ifs(struct cctx *c, const struct ferry_config *cfg, struct json_object *v,
			 const char *path, struct cfg_vrf *vrf)
{
	char p[JPATH_MAX], ip[JPATH_MAX];
	struct json_object *arr;
	size_t n;

	if (cj_array(c, v, path, "interfaces", &K_IFS, &arr, &n, p) < 0 ||
	    cj_alloc(c, n, sizeof(*vrf->interfaces), (void **)&vrf->interfaces) < 0)
		return -1;
	vrf->n_interfaces = n;
	for (size_t i = 0; i < n; i++) {
		struct cfg_vrf_if *vi = &vrf->interfaces[i];

		cj_path_idx(ip, p, i);
		if (parse_if(c, json_object_array_get_idx(arr, i), ip, (size_t)(vrf - cfg->vrfs), i,
			     vi->name, &vi->address) < 0)
			return -1;
		for (size_t j = 0; j < i; j++)
			if (overlap_check(c, ip, p, j, &vrf->interfaces[j].address, &vi->address) < 0)
				return -1;
	}
	return 0;
}

/*
 * The static routes parsed so far, by prefix and next hop: an open-addressing
 * table of indexes + 1 (0: empty), twice as many slots as routes, so that a
 * VRF of 100,000 static routes is checked for repeats in one pass (comparing
 * each with every earlier one took seconds).
 */
struct static_seen {
	size_t *slot;
	size_t mask;
};

static size_t static_hash(const struct static_seen *t, const struct cfg_static_route *r)
{
	uint64_t k = (uint64_t)r->prefix.addr << 32 | r->next_hop;

	return (size_t)hash_mix64(k ^ (uint64_t)r->prefix.len << 56) & t->mask;
}

/* The index of an earlier route with r's prefix and next hop, or r's index i, now kept. */
static size_t static_first(struct static_seen *t, const struct cfg_static_route *routes, size_t i)
{
	const struct cfg_static_route *r = &routes[i];
	size_t h = static_hash(t, r);

	for (; t->slot[h] != 0; h = (h + 1) & t->mask) {
		const struct cfg_static_route *o = &routes[t->slot[h] - 1];

		if (prefix4_equal(&o->prefix, &r->prefix) && o->next_hop == r->next_hop)
			return t->slot[h] - 1;
	}
	t->slot[h] = i + 1;
	return i;
}

static int parse_statics(struct cctx *c, struct json_object *v, const char *path,
			 struct cfg_vrf *vrf)
{
	char p[JPATH_MAX], ip[JPATH_MAX];
	struct json_object *arr;
	struct static_seen seen = { NULL, 0 };
	size_t n, cap = 2;
	int rc = 0;

	if (cj_array(c, v, path, "static_routes", &K_STATICS, &arr, &n, p) < 0 ||
	    cj_alloc(c, n, sizeof(*vrf->static_routes), (void **)&vrf->static_routes) < 0)
		return -1;
	vrf->n_static_routes = n;
	while (cap < 2 * n)
		cap *= 2;
	if (n > 0 && cj_alloc(c, cap, sizeof(*seen.slot), (void **)&seen.slot) < 0)
		return -1;
	seen.mask = cap - 1;
	for (size_t i = 0; i < n && rc == 0; i++) {
		const struct cfg_static_route *r = &vrf->static_routes[i];
		char pfx[PREFIX4_STRLEN], nh[IPV4_STRLEN];
		size_t j;

		cj_path_idx(ip, p, i);
		if (parse_static(c, json_object_array_get_idx(arr, i), ip, vrf,
				 &vrf->static_routes[i]) < 0)
			rc = -1;
		/* the same route twice: vrfmgr kept the last (its distance), silently */
		else if ((j = static_first(&seen, vrf->static_routes, i)) != i)
			rc = cj_fail(c, ip, "%s via %s is already %s[%zu] (want one entry per "
				     "prefix and next hop)", prefix4_format(&r->prefix, pfx),
				     ipv4_format(r->next_hop, nh), p, j);
	}
	free(seen.slot);
	return rc;
}

/* "max_routes" and "warn_threshold" (which means nothing without a maximum). */
static int parse_limit(struct cctx *c, struct json_object *v, const char *path,
		       struct cfg_vrf *vrf)
{
	char p[JPATH_MAX];

	vrf->warn_threshold = 80;
	if (cj_u32(c, v, path, "max_routes", false, &K_MAX_ROUTES, 1, 10000000,
		   &vrf->max_routes) < 0 ||
	    cj_u32(c, v, path, "warn_threshold", false, &K_PERCENT, 1, 100,
		   &vrf->warn_threshold) < 0)
		return -1;
	if (vrf->max_routes == 0 && json_object_object_get_ex(v, "warn_threshold", NULL)) {
		cj_path_key(p, path, "warn_threshold");
		return cj_fail(c, p, "not allowed without max_routes (want max_routes too, or no "
				     "warn_threshold)");
	}
	return 0;
}

/*
 * Name and RD must be unique among the VRFs before this one: the first
 * earlier VRF with either is named, the name first when one VRF has both.
 */
static int vrf_unique(struct cctx *c, const struct ferry_config *cfg, size_t i, const char *path)
{
	const struct cfg_vrf *vrf = &cfg->vrfs[i];
	const struct cfg_uniq_slot *name, *rd;
	char p[JPATH_MAX], rds[RD_STRLEN], at[JPATH_MAX], other[JPATH_NAMED_MAX];

	if (cfg_uniq_put(&c->vrf_names, vrf->name, strlen(vrf->name), i, 0, &name) < 0 ||
	    cfg_uniq_put(&c->vrf_rds, vrf->rd.b, sizeof(vrf->rd.b), i, 0, &rd) < 0)
		return cj_fail(c, path, "out of memory");
	if (name != NULL && (rd == NULL || name->a <= rd->a)) {
		cj_path_key(p, path, "name");
		return cj_fail(c, p, "\"%s\" is already used by vrfs[%zu] (want a unique VRF name)",
			       vrf->name, name->a);
	}
	if (rd != NULL) {
		cj_path_key(p, path, "rd");
		cj_path_idx(at, "vrfs", rd->a);
		cj_path_named(c, at, other, sizeof(other)); /* which tenant has it */
		return cj_fail(c, p,
			       "\"%s\" is already used by %s (want a unique route distinguisher "
			       "per VRF)",
			       rd_format(&vrf->rd, rds), other);
	}
	return 0;
}

static int parse_vrf(struct cctx *c, struct ferry_config *cfg, struct json_object *v,
		     const char *path, size_t i)
{
	static const char *const keys[] = { "name", "rd", "import_rts", "export_rts", "label_mode",
					    "interfaces", "static_routes", "max_routes",
					    "warn_threshold", NULL };
	static const char *const modes[] = { "per-vrf", "per-ce", "per-prefix", NULL };
	struct cfg_vrf *vrf = &cfg->vrfs[i];
	int mode = CFG_LABEL_PER_VRF;

	vrf->id = (uint32_t)i + 1;
	if (cj_check_object(c, v, path, keys) < 0 || cj_name(c, v, path, "name", vrf->name) < 0 ||
	    cj_parsed(c, v, path, "rd", true, &K_RD, p_rd, &vrf->rd) < 0 ||
	    vrf_unique(c, cfg, i, path) < 0 ||
	    parse_rts(c, v, path, "import_rts", &vrf->import_rts, &vrf->n_import_rts) < 0 ||
	    parse_rts(c, v, path, "export_rts", &vrf->export_rts, &vrf->n_export_rts) < 0 ||
	    cj_enum(c, v, path, "label_mode", &K_LABEL_MODE, modes, &mode) < 0 ||
	    parse_vrf_ifs(c, cfg, v, path, vrf) < 0 || parse_statics(c, v, path, vrf) < 0 ||
	    parse_limit(c, v, path, vrf) < 0)
		return -1;
	vrf->label_mode = (enum cfg_label_mode)mode;
	return 0;
}

/*
 * Each per-vrf VRF holds one label of router.label_range from its start: a
 * range smaller than their number leaves VRFs without a label (nothing
 * exported, logged only), whatever else happens. Per-CE and per-prefix
 * labels, and labels held down after a reload, depend on run time.
 */
static int per_vrf_labels_check(struct cctx *c, const struct ferry_config *cfg)
{
	uint64_t size = (uint64_t)cfg->label_max - cfg->label_min + 1, need = 0;

	for (size_t i = 0; i < cfg->n_vrfs; i++)
		need += cfg->vrfs[i].label_mode == CFG_LABEL_PER_VRF;
	if (need <= size)
		return 0;
	return cj_fail(c, "router.label_range",
		       "%u..%u holds %llu label%s, fewer than the %llu VRFs with label_mode "
		       "per-vrf need (want a range of at least %llu labels)", cfg->label_min,
		       cfg->label_max, (unsigned long long)size, size == 1 ? "" : "s",
		       (unsigned long long)need, (unsigned long long)need);
}

int cfg_parse_vrfs(struct cctx *c, struct json_object *root, struct ferry_config *cfg)
{
	char p[JPATH_MAX], ip[JPATH_MAX];
	struct json_object *arr;
	size_t n;

	if (cj_array(c, root, "", "vrfs", &K_VRFS, &arr, &n, p) < 0)
		return -1;
	if (n > CFG_VRFS_MAX)
		return cj_fail(c, p, "%zu VRFs (want at most %u: a VRF id is 1..%u)", n,
			       CFG_VRFS_MAX, CFG_VRFS_MAX);
	if (cj_alloc(c, n, sizeof(*cfg->vrfs), (void **)&cfg->vrfs) < 0)
		return -1;
	cfg->n_vrfs = n;
	for (size_t i = 0; i < n; i++) {
		cj_path_idx(ip, p, i);
		if (parse_vrf(c, cfg, json_object_array_get_idx(arr, i), ip, i) < 0)
			return -1;
	}
	return per_vrf_labels_check(c, cfg);
}

/* ---- LSPs ---- */

static int parse_lsp(struct cctx *c, struct json_object *v, const char *path, struct cfg_lsp *l)
{
	static const char *const keys[] = { "fec", "out_label", "next_hop", "interface", NULL };

	if (cj_check_object(c, v, path, keys) < 0 || cj_prefix(c, v, path, "fec", &l->fec) < 0 ||
	    cj_out_label(c, v, path, "out_label", &l->out_label) < 0 ||
	    cj_ipv4(c, v, path, "next_hop", true, &l->next_hop) < 0 ||
	    cj_ifname(c, v, path, "interface", l->interface) < 0)
		return -1;
	return 0;
}

int cfg_parse_lsps(struct cctx *c, struct json_object *root, struct ferry_config *cfg)
{
	char p[JPATH_MAX], ip[JPATH_MAX], fec[PREFIX4_STRLEN];
	struct json_object *arr;
	size_t n;

	if (cj_array(c, root, "", "lsps", &K_LSPS, &arr, &n, p) < 0 ||
	    cj_alloc(c, n, sizeof(*cfg->lsps), (void **)&cfg->lsps) < 0)
		return -1;
	cfg->n_lsps = n;
	for (size_t i = 0; i < n; i++) {
		cj_path_idx(ip, p, i);
		if (parse_lsp(c, json_object_array_get_idx(arr, i), ip, &cfg->lsps[i]) < 0)
			return -1;
		for (size_t j = 0; j < i; j++) {
			if (!prefix4_equal(&cfg->lsps[j].fec, &cfg->lsps[i].fec))
				continue;
			cj_path_key(ip, ip, "fec");
			return cj_fail(c, ip,
				       "\"%s\" is already used by lsps[%zu] (want one LSP per FEC)",
				       prefix4_format(&cfg->lsps[i].fec, fec), j);
		}
	}
	return 0;
}

/*
 * After the fwd section: an LSP, and a label fwd.lfib swaps or pops, leaves
 * through one of the core interfaces toward a neighbour on that link (fwd
 * resolves it by ARP there). Both are in this file (a core interface's
 * address is required), so both are checked; whether the neighbour is up
 * and is an LSR is for run time. path: the entry's JSON path.
 */
static int core_link_check(struct cctx *c, const struct ferry_config *cfg, const char *path,
			   const char *ifname, uint32_t next_hop)
{
	char p[JPATH_MAX], list[256] = "";

	for (size_t j = 0; j < cfg->fwd.n_core_interfaces; j++) {
		const struct cfg_core_if *ci = &cfg->fwd.core_interfaces[j];

		if (strcmp(ci->name, ifname) == 0) {
			cj_path_key(p, path, "next_hop");
			return on_link_check(c, p, next_hop, ci->name, &ci->address);
		}
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", j ? ", " : "",
			 ci->name);
	}
	cj_path_key(p, path, "interface");
	return cj_fail(c, p, "\"%s\" is not a core interface (want %s%s)", ifname,
		       cfg->fwd.n_core_interfaces
			   ? "one of "
			   : "an interface listed in fwd.core_interfaces; there are none",
		       list);
}

int cfg_check_core_links(struct cctx *c, const struct ferry_config *cfg)
{
	char path[JPATH_MAX];

	for (size_t i = 0; i < cfg->n_lsps; i++) {
		cj_path_idx(path, "lsps", i);
		if (core_link_check(c, cfg, path, cfg->lsps[i].interface, cfg->lsps[i].next_hop) < 0)
			return -1;
	}
	for (size_t i = 0; i < cfg->fwd.n_lfib; i++) {
		uint32_t in = cfg->fwd.lfib[i].in_label;

		cj_path_idx(path, "fwd.lfib", i);
		if (core_link_check(c, cfg, path, cfg->fwd.lfib[i].interface,
				    cfg->fwd.lfib[i].next_hop) < 0)
			return -1;
		/*
		 * On a PE, vrfmgr programs fwd's LFIB with the labels of its range: one
		 * it gave out would silently replace the static entry, and take it
		 * away again when released.
		 */
		if (cfg->fwd.mode != CFG_FWD_PE || in < cfg->label_min || in > cfg->label_max)
			continue;
		cj_path_key(path, path, "in_label");
		return cj_fail(c, path, "%u is in router.label_range %u..%u, which vrfmgr gives out "
			       "on a PE (want a label outside it)", in, cfg->label_min,
			       cfg->label_max);
	}
	return 0;
}

/* ---- fwd ---- */

static int parse_lfib_entry(struct cctx *c, struct json_object *v, const char *path,
			    struct cfg_lfib_entry *e)
{
	static const char *const keys[] = { "in_label", "action", "out_label", "next_hop",
					    "interface", NULL };
	static const char *const actions[] = { "swap", "pop", NULL };
	char p[JPATH_MAX];
	int action = -1;

	if (cj_check_object(c, v, path, keys) < 0 ||
	    cj_u32(c, v, path, "in_label", true, &K_IN_LABEL, 16, MPLS_LABEL_MAX, &e->in_label) <
		0 ||
	    cj_enum(c, v, path, "action", &K_ACTION, actions, &action) < 0)
		return -1;
	if (action < 0) {
		cj_path_key(p, path, "action");
		return cj_fail(c, p, "missing (want %s)", K_ACTION.noun);
	}
	e->action = action == 0 ? CFG_LFIB_SWAP : CFG_LFIB_POP;
	e->out_label = MPLS_LABEL_NONE;
	if (e->action == CFG_LFIB_SWAP) {
		if (cj_out_label(c, v, path, "out_label", &e->out_label) < 0)
			return -1;
	} else if (json_object_object_get_ex(v, "out_label", NULL)) {
		cj_path_key(p, path, "out_label");
		return cj_fail(c, p,
			       "not allowed with action \"pop\" (want no out_label, or action "
			       "\"swap\")");
	}
	if (cj_ipv4(c, v, path, "next_hop", true, &e->next_hop) < 0 ||
	    cj_ifname(c, v, path, "interface", e->interface) < 0)
		return -1;
	return 0;
}

static int parse_lfib(struct cctx *c, struct json_object *fwd, struct cfg_fwd *f)
{
	char p[JPATH_MAX], ip[JPATH_MAX];
	struct json_object *arr;
	size_t n;

	if (cj_array(c, fwd, "fwd", "lfib", &K_LFIB, &arr, &n, p) < 0 ||
	    cj_alloc(c, n, sizeof(*f->lfib), (void **)&f->lfib) < 0)
		return -1;
	f->n_lfib = n;
	for (size_t i = 0; i < n; i++) {
		cj_path_idx(ip, p, i);
		if (parse_lfib_entry(c, json_object_array_get_idx(arr, i), ip, &f->lfib[i]) < 0)
			return -1;
		for (size_t j = 0; j < i; j++) {
			if (f->lfib[j].in_label != f->lfib[i].in_label)
				continue;
			cj_path_key(ip, ip, "in_label");
			return cj_fail(
			    c, ip, "%u is already used by fwd.lfib[%zu] (want one entry per label)",
			    f->lfib[i].in_label, j);
		}
	}
	return 0;
}

static int parse_core_ifs(struct cctx *c, struct ferry_config *cfg, struct json_object *fwd)
{
	struct cfg_fwd *f = &cfg->fwd;
	char p[JPATH_MAX], ip[JPATH_MAX];
	struct json_object *arr;
	size_t n;

	if (cj_array(c, fwd, "fwd", "core_interfaces", &K_IFS, &arr, &n, p) < 0 ||
	    cj_alloc(c, n, sizeof(*f->core_interfaces), (void **)&f->core_interfaces) < 0)
		return -1;
	f->n_core_interfaces = n;
	for (size_t i = 0; i < n; i++) {
		struct cfg_core_if *ci = &f->core_interfaces[i];

		cj_path_idx(ip, p, i);
		if (parse_if(c, json_object_array_get_idx(arr, i), ip, SIZE_MAX, i, ci->name,
			     &ci->address) < 0)
			return -1;
		for (size_t j = 0; j < i; j++)
			if (overlap_check(c, ip, p, j, &f->core_interfaces[j].address, &ci->address) <
			    0)
				return -1;
	}
	return 0;
}

int cfg_parse_fwd(struct cctx *c, struct json_object *root, struct ferry_config *cfg)
{
	static const char *const keys[] = { "mode", "core_interfaces", "lfib", "arp_timeout",
					    "io", "rx_ring", "workers", NULL };
	static const char *const modes[] = { "pe", "lsr", NULL };
	static const char *const ios[] = { "af_packet", "af_xdp", NULL };
	static const char *const rings[] = { "blocks", "frames", NULL };
	static const struct kind k_fwd = { "the fwd section", "{ \"mode\": ..., ... }" };
	char p[JPATH_MAX];
	struct json_object *v;
	int mode = CFG_FWD_PE, io = CFG_FWD_IO_AF_PACKET, ring = CFG_FWD_RX_BLOCKS;
	int r = cj_field(c, root, "", "fwd", false, &k_fwd, &v, p);

	if (r <= 0)
		return r;
	if (cj_check_object(c, v, "fwd", keys) < 0 ||
	    cj_enum(c, v, "fwd", "mode", &K_FWD_MODE, modes, &mode) < 0 ||
	    cj_enum(c, v, "fwd", "io", &K_FWD_IO, ios, &io) < 0 ||
	    cj_enum(c, v, "fwd", "rx_ring", &K_FWD_RX_RING, rings, &ring) < 0 ||
	    cj_u32(c, v, "fwd", "arp_timeout", false, &K_ARP, 1, 86400, &cfg->fwd.arp_timeout) <
		0 ||
	    cj_u32(c, v, "fwd", "workers", false, &K_WORKERS, 0, CFG_FWD_WORKERS_MAX,
		   &cfg->fwd.workers) < 0 ||
	    parse_core_ifs(c, cfg, v) < 0 || parse_lfib(c, v, &cfg->fwd) < 0)
		return -1;
	cfg->fwd.mode = mode == 0 ? CFG_FWD_PE : CFG_FWD_LSR;
	/* vrfmgr programs fwd only in PE mode: an LSR's VRFs and LSPs would never forward */
	if (cfg->fwd.mode == CFG_FWD_LSR && (cfg->n_vrfs > 0 || cfg->n_lsps > 0))
		return cj_fail(c, "fwd.mode", "\"lsr\" on a router with VRFs or LSPs (vrfs: %zu, lsps: %zu): an LSR's fwd takes "
			       "nothing from vrfmgr, so they would never forward (want \"pe\", or "
			       "no vrfs and lsps)", cfg->n_vrfs, cfg->n_lsps);
	cfg->fwd.io = io == 1 ? CFG_FWD_IO_AF_XDP : CFG_FWD_IO_AF_PACKET;
	cfg->fwd.rx_ring = ring == 1 ? CFG_FWD_RX_FRAMES : CFG_FWD_RX_BLOCKS;
	return 0;
}
