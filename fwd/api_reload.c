/*
 * GET /reload/check on fwd: would the node's reload leave fwd running the
 * file? fwd does not reload, so the answer is whether its part of the file,
 * read again exactly as at start (the loader, -o, -r: fwd_reload_check),
 * is what it runs: accepted with "nothing for fwd to do", or refused with
 * the setting that changed (a restart of fwd takes it) or the loader's
 * error. The shape is vrfmgr's and bgpd's, plus the mode fwd runs in, from
 * which ferryctl reload check knows whether the node is a PE (vrfmgr and
 * bgpd asked too) or a P router (fwd alone). An accepted file's
 * "warnings" name the VRF interfaces fwd's namespace does not have (a typo
 * there would otherwise pass unsaid), and "missing_interfaces" the same
 * interfaces by name and VRF. Unix socket only: the loader's
 * errors may quote the file.
 */
#include <stdio.h>
#include <stdlib.h>

#include "common/log.h"
#include "fwd/api_extra.h"
#include "fwd/fwd.h"
#include "fwd/reload.h"

/* The warnings as they are written, and the missing interfaces kept for their own list. */
struct missing {
	struct jw *w;
	char (*names)[2][CFG_NAME_MAX]; /* VRF, interface */
	size_t n, cap;
};

static void warning_json(void *arg, const char *warning, const char *vrf, const char *ifname)
{
	struct missing *m = arg;

	jw_string(m->w, warning);
	if (m->n == m->cap) {
		size_t cap = m->cap ? 2 * m->cap : 16;
		void *p = realloc(m->names, cap * sizeof(*m->names));

		if (p == NULL)
			return; /* the warning is written; only the list is short */
		m->names = p;
		m->cap = cap;
	}
	snprintf(m->names[m->n][0], CFG_NAME_MAX, "%s", vrf);
	snprintf(m->names[m->n][1], CFG_NAME_MAX, "%s", ifname);
	m->n++;
}

/*
 * "missing_interfaces": [{"interface", "vrf"}] of the warnings, so that a
 * client may say 43 of them (a reload adding tenants before their links
 * exist) on one line without reading them out of the warnings' text.
 */
static void missing_json(struct jw *w, const struct missing *m)
{
	jw_key(w, "missing_interfaces");
	jw_array_begin(w);
	for (size_t i = 0; i < m->n; i++) {
		jw_object_begin(w);
		jw_kv_string(w, "interface", m->names[i][1]);
		jw_kv_string(w, "vrf", m->names[i][0]);
		jw_object_end(w);
	}
	jw_array_end(w);
}

int fwd_api_reload_check(struct jw *w, const struct api_request *req, void *ctx)
{
	const struct fwd *f = ctx;
	const struct fwd_boot *b = f->boot;
	struct missing m = { w, NULL, 0, 0 };
	enum fwd_reload_verdict v;
	char why[1024];
	bool ok;

	(void)req;
	if (b == NULL)
		return api_error(w, 503, "reload check: this fwd runs without a config file");
	v = fwd_reload_check(b, why, sizeof(why));
	ok = v == FWD_RELOAD_NOTHING;
	jw_object_begin(w);
	jw_kv_string(w, "daemon", "fwd");
	jw_kv_string(w, "file", b->cfg->path);
	jw_kv_bool(w, "accepted", ok);
	jw_kv_string(w, "reason", ok ? NULL : why);
	jw_kv_string(w, "summary", ok ? why : NULL);
	jw_kv_string(w, "mode", b->cfg->fwd.mode == CFG_FWD_LSR ? "lsr" : "pe");
	/* accepted, and still likely wrong: VRF interfaces this namespace has not */
	jw_key(w, "warnings");
	jw_array_begin(w);
	if (ok)
		fwd_reload_warnings(b, warning_json, &m);
	jw_array_end(w);
	missing_json(w, &m);
	free(m.names);
	jw_object_end(w);
	log_info("reload check: %s would be %s: %s", b->cfg->path, ok ? "applied" : "refused", why);
	return 200;
}
