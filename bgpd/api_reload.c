/*
 * GET /reload/check: the dry run of a reload (SIGHUP). The config file is
 * loaded as the reload loads it (bgpd_reload_load, -r applied) and given
 * to bgpd_reload_plan, which refuses and counts by the walk bgpd_reload
 * itself refuses and counts by; the new config is then dropped. So a file
 * this accepts is one SIGHUP applies, with the same summary, and one it
 * refuses SIGHUP refuses in the same words (unless the file changes in
 * between). scripts/lab reload asks vrfmgr and bgpd first and signals
 * neither when one refuses.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "bgpd/api.h"
#include "common/log.h"

static void write_plan(struct jw *w, const struct bgpd_reload_plan *p)
{
	char summary[128];

	bgpd_reload_stats_format(&p->st, summary, sizeof(summary));
	jw_kv_string(w, "summary", summary);
	jw_kv_uint(w, "added", p->st.added);
	jw_kv_uint(w, "removed", p->st.removed);
	jw_kv_uint(w, "changed", p->st.changed);
	jw_kv_uint(w, "unchanged", p->st.unchanged);
	jw_key(w, "neighbors");
	jw_array_begin(w);
	for (size_t i = 0; i < p->n; i++) {
		jw_object_begin(w);
		jw_kv_ipv4(w, "address", p->neighbors[i].address);
		jw_kv_string(w, "action", bgpd_reload_fate_name(p->neighbors[i].fate));
		jw_kv_string(w, "setting", p->neighbors[i].what);
		jw_object_end(w);
	}
	jw_array_end(w);
}

/* {"daemon","file","accepted","reason"} and, when accepted, what would change. */
int bgpd_api_reload_check(struct jw *w, const struct api_request *req, void *ctx)
{
	struct bgpd *d = ctx;
	struct bgpd_reload_plan plan = { 0 };
	struct ferry_config *nc;
	char err[512], summary[128];
	int rc = -1;

	(void)req;
	nc = bgpd_reload_load(d->cfg, d->run_dir_override, err, sizeof(err));
	if (nc != NULL && (rc = bgpd_reload_plan(d, nc, &plan, err, sizeof(err))) == -ENOMEM) {
		bgpd_reload_plan_free(&plan);
		config_free(nc);
		free(nc);
		return api_error(w, 503, "reload check: out of memory");
	}
	jw_object_begin(w);
	jw_kv_string(w, "daemon", "bgpd");
	jw_kv_string(w, "file", d->cfg->path);
	jw_kv_bool(w, "accepted", rc == 0);
	jw_kv_string(w, "reason", rc == 0 ? NULL : err);
	if (rc == 0) {
		write_plan(w, &plan);
		bgpd_reload_stats_format(&plan.st, summary, sizeof(summary));
		log_info("reload check: %s would be applied: %s", d->cfg->path, summary);
	} else {
		jw_kv_string(w, "summary", NULL);
		jw_kv_string(w, "neighbors", NULL);
		log_info("reload check: %s would be refused: %s", d->cfg->path, err);
	}
	jw_object_end(w);
	bgpd_reload_plan_free(&plan);
	if (nc != NULL) {
		config_free(nc);
		free(nc);
	}
	return 200;
}
