/*
 * GET /reload/check: the dry run of a reload (SIGHUP). The config file is
 * read and checked exactly as the reload reads and checks it
 * (vrfmgr_reload_load), and what the reload would do is worked out by the
 * walk the reload counts its own work with (vrf_table_reload_plan); the
 * new config is then dropped and nothing runs differently. So a file this
 * accepts is one SIGHUP applies, with the same summary, and a file this
 * refuses SIGHUP refuses with the same words (unless the file changes in
 * between). scripts/lab reload asks every daemon first and signals none
 * when one refuses: the node takes the whole file or none of it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/plural.h"
#include "common/prefix.h"
#include "vrfmgr/api.h"
#include "vrfmgr/reload.h"
#include "vrfmgr/vrfmgr.h"

static const char *fate_name(enum reload_fate f)
{
	static const char *const names[] = {
		[RELOAD_VRF_REMOVED] = "removed",
		[RELOAD_VRF_RECREATED] = "recreated",
		[RELOAD_VRF_CHANGED] = "changed",
		[RELOAD_VRF_ADDED] = "added",
	};

	return names[f];
}

/* "import_rts, static_routes" as ["import_rts","static_routes"]. */
static void write_keys(struct jw *w, const char *keys)
{
	jw_key(w, "keys");
	jw_array_begin(w);
	while (*keys != '\0') {
		size_t n = strcspn(keys, ",");
		char key[RELOAD_KEYS_LEN];

		snprintf(key, sizeof(key), "%.*s", (int)n, keys);
		jw_string(w, key);
		keys += n;
		keys += strspn(keys, ", ");
	}
	jw_array_end(w);
}

static void write_plan(struct jw *w, const struct reload_plan *p)
{
	char summary[160];

	reload_stats_format(&p->st, summary, sizeof(summary));
	jw_kv_string(w, "summary", summary);
	jw_kv_uint(w, "added", p->st.added);
	jw_kv_uint(w, "removed", p->st.removed);
	jw_kv_uint(w, "changed", p->st.changed);
	jw_kv_uint(w, "remote_pes_new_lsp_state", p->st.next_hops);
	jw_key(w, "vrfs");
	jw_array_begin(w);
	for (size_t i = 0; i < p->n; i++) {
		jw_object_begin(w);
		jw_kv_string(w, "vrf", p->vrfs[i].name);
		jw_kv_string(w, "action", fate_name(p->vrfs[i].fate));
		if (p->vrfs[i].fate == RELOAD_VRF_CHANGED)
			write_keys(w, p->vrfs[i].keys);
		else
			jw_kv_string(w, "keys", NULL); /* there on every entry (docs/api.md) */
		jw_object_end(w);
	}
	jw_array_end(w);
}

/* What losing its LSP does to the FIB entries through a next hop: n of them leave. */
static void lsp_loss_effect(uint32_t n, char *buf, size_t len)
{
	if (n == 0) /* its routes are all outranked: nothing installed to lose */
		snprintf(buf, len, "no route is installed through it, the FIB does not change");
	else if (n == 1)
		snprintf(buf, len, "the one route installed through it leaves the FIB");
	else
		snprintf(buf, len, "the %u routes installed through it leave the FIB", n);
}

/*
 * A remote PE in use that the new lsps no longer reach: every route through
 * it leaves the FIB (kept in the VRFs, unresolved). The summary only counts
 * "remote PEs with a new LSP state", gained or lost alike.
 */
static void write_lsp_losses(struct jw *w, const struct vrf_table *t,
			     const struct ferry_config *nc)
{
	char a[IPV4_STRLEN], effect[96], line[256];

	for (const struct nexthop *nh = t->nhs.head; nh != NULL; nh = nh->next) {
		if (nh->ipc.type != IPC_NH_LABELED || !nh->resolved ||
		    nexthop_lsp_lookup(nc->lsps, nc->n_lsps, nh->remote_pe) != NULL)
			continue;
		lsp_loss_effect(nh->fib_refs, effect, sizeof(effect));
		snprintf(line, sizeof(line),
			 "lsps: remote PE %s would lose its LSP (no FEC of lsps covers it): %s",
			 ipv4_format(nh->remote_pe, a), effect);
		jw_string(w, line);
	}
}

/*
 * The VRFs a reload adds or relabels may need more labels than are free:
 * those that find none wait, their routes not exported (vrf_label.c), which
 * the log alone would say once the reload is done.
 */
static void write_label_shortage(struct jw *w, const struct vrf_table *t,
				 const struct ferry_config *nc)
{
	size_t held, free_now = reload_labels_free(t, &held);
	size_t wanted = reload_labels_wanted(t, nc);
	char line[320];

	if (wanted <= free_now)
		return;
	snprintf(line, sizeof(line),
		 "router.label_range: the VRFs this adds or relabels may take up to %zu %s, %zu "
		 "of %u-%u %s free (%zu held down): those that find none wait for one, an "
		 "added VRF's routes not exported meanwhile, a relabelled one's still with their "
		 "old labels (a wider range needs a restart of vrfmgr)",
		 wanted, plural(wanted, "label", "labels"), free_now, t->labels.min,
		 t->labels.max, plural(free_now, "is", "are"), held);
	jw_string(w, line);
}

/*
 * What an accepted file may still get wrong: a remote PE losing its LSP,
 * too few free labels (above), and what the loader lets through, a static route without an
 * interface whose next hop is no neighbour on any of its VRF's links. The
 * reload keeps such a route, neither installed nor exported, and logs it
 * once; said here, the operator learns it before signalling (ferryctl
 * reload check prints "vrfmgr: warning: ...").
 */
static void write_warnings(struct jw *w, const struct vrf_table *t,
			   const struct ferry_config *nc)
{
	char why[128], pb[PREFIX4_STRLEN], line[320];

	jw_key(w, "warnings");
	jw_array_begin(w);
	write_lsp_losses(w, t, nc);
	write_label_shortage(w, t, nc);
	for (size_t i = 0; i < nc->n_vrfs; i++) {
		const struct cfg_vrf *c = &nc->vrfs[i];

		for (size_t k = 0; k < c->n_static_routes; k++) {
			const struct cfg_static_route *s = &c->static_routes[k];
			const char *ifname;
			enum static_nh nh = vrf_static_cfg_check(c, s, &ifname);

			if (nh == STATIC_NH_OK)
				continue;
			/* the element by path, then named, as the loader's errors have it */
			snprintf(line, sizeof(line),
				 "vrfs[%zu].static_routes[%zu].next_hop (VRF %s, route %s): %s; kept, "
				 "but neither installed nor exported",
				 i, k, c->name, prefix4_format(&s->prefix, pb),
				 vrf_static_nh_text(nh, ifname, s->next_hop, why, sizeof(why)));
			jw_string(w, line);
		}
	}
	jw_array_end(w);
}

/* The fields every answer starts with: who answers, about which file, programming what. */
static void write_head(struct jw *w, const struct vrfmgr *vm)
{
	jw_kv_string(w, "daemon", "vrfmgr");
	jw_kv_string(w, "file", vm->cfg->path);
	/* the running one: with "kernel" the node has no fwd to ask (ferryctl reload check) */
	jw_kv_string(w, "dataplane",
		     vm->cfg->dataplane == CFG_DATAPLANE_KERNEL ? "kernel" : "fwd");
}

/* The reply of a file refused, and the log line that says so. */
static int write_refused(struct jw *w, const struct vrfmgr *vm, const char *why)
{
	log_info("reload check: %s would be refused: %s", vm->cfg->path, why);
	jw_object_begin(w);
	write_head(w, vm);
	jw_kv_bool(w, "accepted", false);
	jw_kv_string(w, "reason", why);
	jw_kv_string(w, "summary", NULL);
	jw_kv_string(w, "vrfs", NULL);
	jw_key(w, "warnings"); /* empty when refused, as fwd's */
	jw_array_begin(w);
	jw_array_end(w);
	jw_object_end(w);
	return 200;
}

/* {"daemon","file","accepted","reason"} and, when accepted, what would change. */
int vrfapi_reload_check(struct jw *w, const struct api_request *req, void *ctx)
{
	struct vrfmgr *vm = ctx;
	struct ferry_config *nc;
	struct reload_plan plan;
	char err[512];
	int rc;

	(void)req;
	if ((nc = vrfmgr_reload_load(vm, err, sizeof(err))) == NULL)
		return write_refused(w, vm, err);
	if ((rc = vrf_table_reload_plan(&vm->table, nc, &plan)) == 0) {
		jw_object_begin(w);
		write_head(w, vm);
		jw_kv_bool(w, "accepted", true);
		jw_kv_string(w, "reason", NULL);
		write_plan(w, &plan);
		write_warnings(w, &vm->table, nc);
		jw_object_end(w);
		reload_stats_format(&plan.st, err, sizeof(err));
		log_info("reload check: %s would be applied: %s", vm->cfg->path, err);
	}
	reload_plan_free(&plan);
	config_free(nc);
	free(nc);
	if (rc < 0) /* no room for the plan: no answer rather than a wrong one */
		return api_error(w, 503, "reload check: out of memory");
	return 200;
}
