/*
 * GET /lookup?vrf=NAME&address=A (docs/api.md): the forwarding decision fwd
 * would take for a packet to A arriving in VRF NAME, from the same lookup
 * the packet path uses: next hop (type, interface, gateway), the labels it
 * would push (outer from the next hop, inner from the route) and the
 * gateway's ARP entry (the destination MAC). `ferryctl trace` holds this
 * against what vrfmgr says the route should be.
 */
#include <stdio.h>

#include "common/label.h"
#include "common/prefix.h"
#include "fwd/api_extra.h"
#include "fwd/arp.h"
#include "fwd/fib.h"
#include "fwd/fwd.h"
#include "fwd/nexthop.h"

static void kv_label(struct jw *w, const char *key, uint32_t label)
{
	jw_key(w, key);
	if (label == MPLS_LABEL_NONE)
		jw_null(w);
	else
		jw_uint(w, label);
}

/* The gateway's (or, on a connected route, the destination's) ARP entry. */
static void arp_json(struct jw *w, const struct fwd *f, const struct nexthop *nh, uint32_t dst)
{
	const struct fwd_iface *ifp = fwd_iface_find(f, nh->ifname);
	uint32_t ip = nh->type == IPC_NH_CONNECTED ? dst : nh->gateway;
	const struct arp_entry *e = ifp != NULL && ip != 0 ? arp_find(ifp, ip) : NULL;
	char mac[18];

	jw_key(w, "arp");
	if (e == NULL) {
		jw_null(w);
		return;
	}
	snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", e->mac[0], e->mac[1], e->mac[2],
		 e->mac[3], e->mac[4], e->mac[5]);
	jw_object_begin(w);
	jw_kv_ipv4(w, "address", ip);
	jw_kv_string(w, "mac", e->state == ARP_REACHABLE ? mac : NULL);
	jw_kv_string(w, "state", arp_state_name(e->state));
	jw_object_end(w);
}

/* The fields of a lookup that found nothing: the same keys, null, so no client meets a missing one. */
static void lookup_none(struct jw *w)
{
	static const char *const keys[] = { "prefix",    "type",        "nh_id",
					    "interface", "gateway",     "next_hop",
					    "out_label", "inner_label", "outer_label",
					    "arp" };

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		jw_kv_string(w, keys[i], NULL);
}

/* The entry that matched (its prefix) and what a packet to a gets from it. */
static void lookup_found(struct jw *w, struct fwd *f, const struct fwd_vrf *v, uint32_t a,
			 const struct fib_result *r)
{
	const struct nexthop *nh = r->nh;
	int len = fib_match_len(f, v, a, r);
	struct prefix4 p = { a & prefix4_netmask(len < 0 ? 0 : (uint8_t)len), (uint8_t)len };
	char buf[PREFIX4_STRLEN];

	jw_kv_string(w, "prefix", len >= 0 ? prefix4_format(&p, buf) : NULL);
	jw_kv_string(w, "type", nh_type_name(nh->type));
	jw_kv_uint(w, "nh_id", nh->id);
	jw_kv_string(w, "interface", nh->ifname[0] ? nh->ifname : NULL);
	/* "gateway" as before; "next_hop" as /lfib and vrfmgr name the same address */
	for (int i = 0; i < 2; i++) {
		const char *k = i == 0 ? "gateway" : "next_hop";

		if (nh->type == IPC_NH_GATEWAY || nh->type == IPC_NH_LABELED)
			jw_kv_ipv4(w, k, nh->gateway);
		else
			jw_kv_string(w, k, NULL);
	}
	kv_label(w, "out_label", nh->type == IPC_NH_LABELED ? nh->out_label : MPLS_LABEL_NONE);
	kv_label(w, "inner_label", r->inner_label);
	/* out_label under vrfmgr's name for it (/routes, fib events), as /fib has it too */
	kv_label(w, "outer_label", nh->type == IPC_NH_LABELED ? nh->out_label : MPLS_LABEL_NONE);
	arp_json(w, f, nh, a);
}

int fwd_api_lookup(struct jw *w, const struct api_request *req, void *ctx)
{
	struct fwd *f = ctx;
	const char *name = api_query_get(req, "vrf"), *as = api_query_get(req, "address");
	const struct fib_result *r;
	struct fwd_vrf *v;
	uint32_t a;

	if (name == NULL || as == NULL)
		return api_param_error(w, 400, name == NULL ? "vrf" : "address",
				       "missing %s (want ?vrf=NAME&address=A)",
				 name == NULL && as == NULL ? "vrf and address"
				 : name == NULL		    ? "vrf"
							    : "address");
	if (ipv4_parse(as, &a) < 0)
		return api_param_error(w, 400, "address",
				       "address: \"%.64s\" is not an IPv4 address (want a.b.c.d, "
				       "a packet's destination)", as);
	if ((v = fib_vrf_by_name(f, name)) == NULL)
		return api_param_error(w, 404, "vrf", "no VRF named \"%s\"", name);
	r = fib_lookup(f, v, a);
	if (r != NULL && r->nh == NULL)
		r = NULL;
	jw_object_begin(w);
	jw_kv_string(w, "vrf", v->name);
	jw_kv_uint(w, "vrf_id", v->id);
	jw_kv_ipv4(w, "address", a);
	jw_kv_bool(w, "found", r != NULL);
	if (r != NULL)
		lookup_found(w, f, v, a, r);
	else
		lookup_none(w);
	jw_object_end(w);
	return 200;
}
