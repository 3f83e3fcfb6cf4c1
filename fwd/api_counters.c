/*
 * The per-VRF and per-label counters in fwd's API (docs/api.md): the
 * "vrfs" and "labels" arrays of GET /counters and their Prometheus
 * families in GET /metrics. Every thread's counters are added up here, on
 * the control thread, when asked (ctr.c); the packet path never writes
 * anything for the API's sake.
 */
#include <stddef.h>
#include <stdio.h>

#include "common/ipc.h"
#include "fwd/api_extra.h"
#include "fwd/ctr.h"
#include "fwd/fib.h"
#include "fwd/lfib.h"

/* The VRF a label belongs to (pop+lookup: looked up in; pop+forward: its CE's), or NULL. */
static const char *label_vrf(const struct fwd *f, const struct lfib_entry *e)
{
	const struct fwd_vrf *v;

	if (e->action != IPC_LFIB_POP_LOOKUP && e->action != IPC_LFIB_POP_FORWARD)
		return NULL;
	v = fib_vrf_get(f, e->vrf_id);
	return v != NULL ? v->name : NULL;
}

static void vrf_json(struct jw *w, const struct fwd *f, const struct fwd_vrf *v)
{
	struct fwd_vrf_ctr c;

	fib_vrf_counters(f, v, &c);
	jw_object_begin(w);
	jw_kv_string(w, "vrf", v->name);
	jw_kv_uint(w, "vrf_id", v->id);
	jw_kv_uint(w, "from_ce_packets", c.from_ce_packets);
	jw_kv_uint(w, "from_ce_bytes", c.from_ce_bytes);
	jw_kv_uint(w, "to_ce_packets", c.to_ce_packets);
	jw_kv_uint(w, "to_ce_bytes", c.to_ce_bytes);
	jw_kv_uint(w, "lookups_from_ce", c.lookups_from_ce);
	jw_kv_uint(w, "lookups_from_core", c.lookups_from_core);
	jw_kv_uint(w, "no_route", c.no_route);
	jw_object_end(w);
}

struct label_walk {
	const struct fwd_vrf *only; /* NULL: every label */
	struct jw *w;
	const struct fwd *f;
};

static void label_json(const struct lfib_entry *e, void *ctx)
{
	struct label_walk *lw = ctx;
	uint64_t packets, bytes;

	if (lw->only != NULL && label_vrf(lw->f, e) != lw->only->name)
		return; /* another VRF's, or none's (a swap) */
	lfib_entry_counters(lw->f, e, &packets, &bytes);
	jw_object_begin(lw->w);
	jw_kv_uint(lw->w, "in_label", e->in_label);
	jw_kv_string(lw->w, "action", lfib_action_name(e));
	jw_kv_string(lw->w, "vrf", label_vrf(lw->f, e));
	jw_kv_uint(lw->w, "packets", packets);
	jw_kv_uint(lw->w, "bytes", bytes);
	jw_object_end(lw->w);
}

void fwd_api_counters_json(struct jw *w, const struct fwd *f, const struct fwd_vrf *only)
{
	struct label_walk lw = { .only = only, .w = w, .f = f };

	jw_key(w, "vrfs");
	jw_array_begin(w);
	for (uint32_t id = 0; id < f->vrf_cap; id++)
		if (f->vrfs[id] != NULL && (only == NULL || f->vrfs[id] == only))
			vrf_json(w, f, f->vrfs[id]);
	jw_array_end(w);
	jw_key(w, "labels");
	jw_array_begin(w);
	lfib_foreach(f, label_json, &lw);
	jw_array_end(w);
}

/* ---- Prometheus ---- */

/* One family over every VRF: a sample per k=vals[i] (one without k when k is NULL). */
static void vrf_family(struct jw *w, const struct fwd *f, const char *name, const char *help,
		       const char *k, const char *const vals[2], const size_t off[2])
{
	api_prom_family(w, name, "counter", help);
	for (uint32_t id = 0; id < f->vrf_cap; id++) {
		const struct fwd_vrf *v = f->vrfs[id];
		struct fwd_vrf_ctr c;

		if (v == NULL)
			continue;
		fib_vrf_counters(f, v, &c);
		for (int i = 0; i < (k != NULL ? 2 : 1); i++)
			api_prom_sample(w, name, "vrf", v->name, k, vals[i],
					*(const uint64_t *)((const char *)&c + off[i]));
	}
}

struct prom_walk {
	struct jw *w;
	const struct fwd *f;
	bool bytes;
};

static void label_sample(const struct lfib_entry *e, void *ctx)
{
	struct prom_walk *pw = ctx;
	uint64_t packets, bytes;
	char label[16];

	lfib_entry_counters(pw->f, e, &packets, &bytes);
	snprintf(label, sizeof(label), "%u", e->in_label);
	api_prom_sample(pw->w, pw->bytes ? "ferry_fwd_label_bytes_total" : "ferry_fwd_label_packets_total",
			"label", label, "action", lfib_action_name(e), pw->bytes ? bytes : packets);
}

void fwd_api_counters_prom(struct jw *w, const struct fwd *f)
{
	static const char *const dir[2] = { "from_ce", "to_ce" };
	static const char *const from[2] = { "ce", "core" };
	static const char *const none[2] = { NULL, NULL };
	static const size_t pk[2] = { offsetof(struct fwd_vrf_ctr, from_ce_packets),
				      offsetof(struct fwd_vrf_ctr, to_ce_packets) };
	static const size_t by[2] = { offsetof(struct fwd_vrf_ctr, from_ce_bytes),
				      offsetof(struct fwd_vrf_ctr, to_ce_bytes) };
	static const size_t lk[2] = { offsetof(struct fwd_vrf_ctr, lookups_from_ce),
				      offsetof(struct fwd_vrf_ctr, lookups_from_core) };
	static const size_t nr[2] = { offsetof(struct fwd_vrf_ctr, no_route), 0 };
	struct prom_walk pw = { w, f, false };

	vrf_family(w, f, "ferry_fwd_vrf_packets_total",
		   "packets from the VRF's CEs (from_ce) and forwarded to them (to_ce)", "dir", dir,
		   pk);
	vrf_family(w, f, "ferry_fwd_vrf_bytes_total", "bytes from and to the VRF's CEs", "dir", dir,
		   by);
	vrf_family(w, f, "ferry_fwd_vrf_lookups_total",
		   "LPM lookups in the VRF: packets from a CE, or from the core after a per-VRF label",
		   "from", from, lk);
	vrf_family(w, f, "ferry_fwd_vrf_no_route_total", "lookups in the VRF that found no route",
		   NULL, none, nr);
	api_prom_family(w, "ferry_fwd_label_packets_total", "counter",
			"MPLS packets from the core with this label on top, since it was programmed");
	lfib_foreach(f, label_sample, &pw);
	pw.bytes = true;
	api_prom_family(w, "ferry_fwd_label_bytes_total", "counter",
			"bytes of those packets (Ethernet header included)");
	lfib_foreach(f, label_sample, &pw);
}
