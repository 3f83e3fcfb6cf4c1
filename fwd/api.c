/*
 * fwd's API handlers: they walk the forwarding tables and stream JSON with
 * struct jw (addresses as strings, labels as numbers or null, 3 = implicit
 * null). No formatting for humans here: ferryctl does that.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/label.h"
#include "common/prefix.h"
#include "fwd/api_extra.h"
#include "fwd/arp.h"
#include "fwd/fib.h"
#include "fwd/fwd_api.h"
#include "fwd/lfib.h"
#include "fwd/nexthop.h"

static void kv_addr(struct jw *w, const char *key, uint32_t addr)
{
	char buf[IPV4_STRLEN];

	if (addr == 0)
		jw_kv_string(w, key, NULL);
	else
		jw_kv_string(w, key, ipv4_format(addr, buf));
}

static void kv_label(struct jw *w, const char *key, uint32_t label)
{
	jw_key(w, key);
	if (label == MPLS_LABEL_NONE)
		jw_null(w);
	else
		jw_uint(w, label);
}

static void kv_ifname(struct jw *w, const char *key, const char *name)
{
	jw_kv_string(w, key, name != NULL && name[0] != '\0' ? name : NULL);
}

void fwd_api_fib_entry(struct jw *w, const struct fwd_vrf *v, const struct fib_entry *e)
{
	const struct nexthop *nh = e->nh;
	struct prefix4 p = { e->prefix, e->plen };
	char buf[PREFIX4_STRLEN];
	bool has_gw = nh->type == IPC_NH_GATEWAY || nh->type == IPC_NH_LABELED;

	jw_object_begin(w);
	jw_kv_string(w, "vrf", v->name);
	jw_kv_uint(w, "vrf_id", v->id);
	jw_kv_string(w, "prefix", prefix4_format(&p, buf));
	jw_kv_string(w, "type", nh_type_name(nh->type));
	kv_ifname(w, "interface", nh->present ? nh->ifname : NULL);
	kv_addr(w, "gateway", has_gw ? nh->gateway : 0);
	kv_addr(w, "next_hop", has_gw ? nh->gateway : 0); /* /lfib's and vrfmgr's name for it */
	kv_label(w, "out_label", nh->type == IPC_NH_LABELED ? nh->out_label : MPLS_LABEL_NONE);
	kv_label(w, "inner_label", e->inner_label);
	/* the pushed LSP label under vrfmgr's name (/routes, fib events), beside inner_label's */
	kv_label(w, "outer_label", nh->type == IPC_NH_LABELED ? nh->out_label : MPLS_LABEL_NONE);
	jw_object_end(w);
}

struct lfib_walk {
	struct jw *w;
	const struct fwd *f;
	const struct fwd_vrf *only; /* ?vrf=: the labels into it; NULL: all */
};

static void lfib_entry_json(const struct lfib_entry *e, void *ctx)
{
	struct lfib_walk *lw = ctx;
	struct jw *w = lw->w;
	const struct fwd_vrf *v = fib_vrf_get(lw->f, e->vrf_id);
	const struct nexthop *nh = e->nh;
	uint64_t packets, bytes;

	if (lw->only != NULL && (e->action == IPC_LFIB_SWAP || v != lw->only))
		return;
	jw_object_begin(w);
	jw_kv_uint(w, "in_label", e->in_label);
	jw_kv_string(w, "action", lfib_action_name(e));
	/* pop_lookup: the VRF looked up in; pop_forward: its CE's (as /counters has it) */
	jw_kv_string(w, "vrf", e->action != IPC_LFIB_SWAP && v != NULL ? v->name : NULL);
	kv_label(w, "out_label", e->action == IPC_LFIB_SWAP ? e->out_label : MPLS_LABEL_NONE);
	kv_ifname(w, "interface", nh != NULL && nh->present ? nh->ifname : NULL);
	kv_addr(w, "next_hop", nh != NULL && nh->present ? nh->gateway : 0);
	lfib_entry_counters(lw->f, e, &packets, &bytes);
	jw_kv_uint(w, "packets", packets);
	jw_kv_uint(w, "bytes", bytes);
	jw_object_end(w);
}

static int h_lfib(struct jw *w, const struct api_request *req, void *ctx)
{
	struct lfib_walk lw = { w, ctx, NULL };
	const char *name = api_query_get(req, "vrf");

	if (name != NULL && (lw.only = fib_vrf_by_name(lw.f, name)) == NULL)
		return api_param_error(w, 404, "vrf", "no VRF named \"%s\"", name);
	jw_object_begin(w);
	jw_key(w, "lfib");
	jw_array_begin(w);
	lfib_foreach(lw.f, lfib_entry_json, &lw);
	jw_array_end(w);
	jw_object_end(w);
	return 200;
}

struct arp_walk {
	struct jw *w;
	const struct fwd *f;
	const struct fwd_iface *ifp;
};

static void arp_entry_json(const struct arp_entry *e, void *ctx)
{
	struct arp_walk *aw = ctx;
	struct jw *w = aw->w;
	char mac[18];

	snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", e->mac[0], e->mac[1],
		 e->mac[2], e->mac[3], e->mac[4], e->mac[5]);
	jw_object_begin(w);
	jw_kv_string(w, "interface", aw->ifp->name);
	kv_addr(w, "address", e->ip);
	jw_kv_string(w, "mac", e->state == ARP_REACHABLE ? mac : NULL);
	jw_kv_string(w, "state", arp_state_name(e->state));
	jw_kv_uint(w, "age_s", (aw->f->now_ms - e->updated_ms) / 1000);
	jw_object_end(w);
}

static int h_arp(struct jw *w, const struct api_request *req, void *ctx)
{
	struct arp_walk aw = { w, ctx, NULL };

	(void)req;
	jw_object_begin(w);
	jw_key(w, "arp");
	jw_array_begin(w);
	for (size_t i = 0; i < aw.f->n_ifaces; i++) {
		aw.ifp = aw.f->ifaces[i];
		arp_foreach(aw.ifp, arp_entry_json, &aw);
	}
	jw_array_end(w);
	jw_object_end(w);
	return 200;
}

/*
 * up: fwd sends and receives on it; down: configured or bound but not
 * open; unbound: an access link no VRF holds that a next hop still uses
 * (once none does, it is removed and not listed)
 */
static const char *if_state(const struct fwd_iface *ifp)
{
	if (ifp->role == FWD_IF_ACCESS && !ifp->active)
		return "unbound";
	return ifp->active && ifp->open ? "up" : "down";
}

static void if_json(struct jw *w, const struct fwd *f, const struct fwd_iface *ifp)
{
	const struct fwd_vrf *v = ifp->role == FWD_IF_ACCESS && ifp->active ?
					  fib_vrf_get(f, ifp->vrf_id) :
					  NULL;
	char buf[IPV4_STRLEN + 4], mac[18];

	snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", ifp->mac[0], ifp->mac[1],
		 ifp->mac[2], ifp->mac[3], ifp->mac[4], ifp->mac[5]);
	jw_object_begin(w);
	jw_kv_string(w, "name", ifp->name);
	jw_kv_string(w, "role", fwd_if_role_name(ifp->role));
	jw_kv_string(w, "state", if_state(ifp));
	jw_kv_string(w, "vrf", v != NULL ? v->name : NULL);
	if (ifp->addr != 0) {
		ipv4_format(ifp->addr, buf);
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "/%u", ifp->plen);
	}
	jw_kv_string(w, "address", ifp->addr != 0 ? buf : NULL);
	jw_kv_string(w, "mac", ifp->open ? mac : NULL);
	jw_key(w, "mtu");
	if (ifp->mtu != 0)
		jw_uint(w, ifp->mtu);
	else
		jw_null(w);
	jw_object_end(w);
}

/* ?vrf=NAME: that VRF's attachment links only. */
static int h_interfaces(struct jw *w, const struct api_request *req, void *ctx)
{
	const struct fwd *f = ctx;
	const char *name = api_query_get(req, "vrf");
	const struct fwd_vrf *only = NULL;

	if (name != NULL && (only = fib_vrf_by_name(f, name)) == NULL)
		return api_param_error(w, 404, "vrf", "no VRF named \"%s\"", name);
	jw_object_begin(w);
	jw_key(w, "interfaces");
	jw_array_begin(w);
	for (size_t i = 0; i < f->n_ifaces; i++)
		if (!f->ifaces[i]->removed &&
		    (only == NULL || (f->ifaces[i]->role == FWD_IF_ACCESS && f->ifaces[i]->active &&
				      f->ifaces[i]->vrf_id == only->id)))
			if_json(w, f, f->ifaces[i]);
	jw_array_end(w);
	jw_object_end(w);
	return 200;
}

/*
 * ?vrf=NAME: one tenant's counters out of hundreds: its row, the labels
 * into it, its attachment links; drops and what fwd sent stay fwd's.
 */
static int h_counters(struct jw *w, const struct api_request *req, void *ctx)
{
	const struct fwd *f = ctx;
	const char *name = api_query_get(req, "vrf");
	const struct fwd_vrf *only = NULL;

	if (name != NULL && (only = fib_vrf_by_name(f, name)) == NULL)
		return api_param_error(w, 404, "vrf", "no VRF named \"%s\"", name);
	jw_object_begin(w);
	jw_key(w, "interfaces");
	jw_array_begin(w);
	for (size_t i = 0; i < f->n_ifaces; i++) {
		const struct fwd_iface *ifp = f->ifaces[i];

		if (!ifp->active || (only != NULL && (ifp->role != FWD_IF_ACCESS ||
						      ifp->vrf_id != only->id)))
			continue;
		jw_object_begin(w);
		jw_kv_string(w, "name", ifp->name);
		jw_kv_string(w, "role", fwd_if_role_name(ifp->role));
		jw_kv_uint(w, "rx_packets", ifp->rx_packets);
		jw_kv_uint(w, "tx_packets", ifp->tx_packets);
		jw_kv_uint(w, "rx_bytes", ifp->rx_bytes);
		jw_kv_uint(w, "tx_bytes", ifp->tx_bytes);
		jw_object_end(w);
	}
	jw_array_end(w);
	jw_key(w, "drops");
	jw_object_begin(w);
	for (int d = 0; d < FWD_DROP_MAX; d++)
		jw_kv_uint(w, fwd_drop_name(d), f->drops[d]);
	jw_object_end(w);
	jw_key(w, "icmp_errors");
	jw_object_begin(w);
	jw_kv_uint(w, "sent", f->icmp_sent);
	jw_kv_uint(w, "rate_limited", f->icmp_limited);
	jw_object_end(w);
	jw_key(w, "fragmented");
	jw_object_begin(w);
	jw_kv_uint(w, "packets", f->ip_fragmented);
	jw_kv_uint(w, "fragments", f->ip_fragments);
	jw_object_end(w);
	fwd_api_counters_json(w, f, only);
	jw_object_end(w);
	return 200;
}


/* GET /process: this daemon's own process (ferryctl show daemons). */
static int h_process(struct jw *w, const struct api_request *req, void *ctx)
{
	(void)req;
	(void)ctx;
	api_process_json(w, "fwd");
	return 200;
}

const struct api_route fwd_api_routes[] = {
	{ "/fib", fwd_api_fib,
	  "per-VRF forwarding entries, streamed (?vrf=NAME for one VRF, &prefix=P&match=exact|longer|"
	  "shorter, &limit=N&after=VRF:PREFIX pages)",
	  .params = API_PARAMS("vrf", "prefix", "match", "limit", "after") },
	{ "/lfib", h_lfib, "label forwarding entries (?vrf=NAME: the labels into that VRF)",
	  .params = API_PARAMS("vrf") },
	{ "/arp", h_arp, "ARP entries per interface" },
	{ "/interfaces", h_interfaces,
	  "fwd's interfaces: role, state, VRF, address, MAC, MTU (?vrf=NAME: that VRF's)",
	  .params = API_PARAMS("vrf") },
	{ "/counters", h_counters,
	  "packet/byte counters per interface, per VRF and per label; drops by reason; "
	  "ICMP errors sent (?vrf=NAME: that VRF's rows)",
	  .params = API_PARAMS("vrf") },
	{ "/lookup", fwd_api_lookup, "the forwarding decision for ?vrf=NAME&address=A",
	  .params = API_PARAMS("vrf", "address") },
	{ "/metrics", fwd_api_metrics,
	  "Prometheus text: interface, VRF and label counters, drops, table sizes" },
	{ "/process", h_process,
	  "this daemon's process: pid, uptime, memory, heap in use, descriptors, CPU" },
	{ "/reload/check", fwd_api_reload_check,
	  "would a reload leave fwd running its config file: accepted (nothing for fwd to do) or "
	  "refused (the setting that needs a restart of fwd, or why the file does not load); "
	  "changes nothing (Unix socket only)",
	  .local = true },
};
const size_t fwd_api_n_routes = sizeof(fwd_api_routes) / sizeof(fwd_api_routes[0]);

struct api_server *fwd_api_start(struct event_base *base, const char *path, struct fwd *f)
{
	return api_server_start(base, path, fwd_api_routes, fwd_api_n_routes, f);
}
