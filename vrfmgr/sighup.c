/*
 * SIGHUP: read the config file again and apply it in place (reload.c). A
 * file that does not load, or that changes what needs a restart, is
 * refused with one log line and the running config stays, untouched. On
 * success only the differences go to fwd and bgpd; the line logged says
 * how many messages that took. GET /reload/check (api_reload.c) loads and
 * checks the file the same way (vrfmgr_reload_load) and applies nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/plural.h"
#include "vrfmgr/reload.h"
#include "vrfmgr/vrfmgr.h"

static uint64_t fwd_messages(const struct vrfmgr *vm)
{
	uint64_t n = 0;

	for (size_t i = 0; i < IPC_TYPE_MAX; i++)
		n += vm->fwd.sent[i];
	return n;
}

struct ferry_config *vrfmgr_reload_load(const struct vrfmgr *vm, char *err, size_t len)
{
	struct ferry_config *nc = calloc(1, sizeof(*nc));

	if (nc == NULL) {
		snprintf(err, len, "%s: out of memory", config_file_name(vm->cfg->path));
		return NULL;
	}
	if (config_load(vm->cfg->path, nc, err, len) < 0) {
		free(nc);
		return NULL;
	}
	if (vm->run_dir_override != NULL)
		snprintf(nc->run_dir, sizeof(nc->run_dir), "%s", vm->run_dir_override);
	if (vrf_table_reload_check(&vm->table, nc, err, len) < 0) {
		config_free(nc);
		free(nc);
		return NULL;
	}
	return nc;
}

void vrfmgr_reload(struct vrfmgr *vm)
{
	struct ferry_config *nc;
	struct reload_stats st;
	uint64_t fwd0, bgp0;
	unsigned long long n_fwd;
	char err[512], what[160];

	log_info("SIGHUP: reloading %s", vm->cfg->path);
	if ((nc = vrfmgr_reload_load(vm, err, sizeof(err))) == NULL) {
		log_warnx("reload refused, the running config stays: %s", err);
		return;
	}
	fwd0 = fwd_messages(vm);
	bgp0 = vm->bgp.exported;
	vrf_table_reload(&vm->table, nc, &st);
	fwd_sync_flush(vm); /* the FIB changes it held back count too */
	config_free(vm->cfg);
	free(vm->cfg);
	vm->cfg = nc;
	bgpd_link_imports(vm, false); /* VRFs or their import RTs may have changed */
	vrf_table_save(&vm->table);
	n_fwd = fwd_messages(vm) - fwd0;
	reload_stats_format(&st, what, sizeof(what));
	log_info("reload done: %s; %llu %s to fwd, %llu to bgpd", what, n_fwd,
		 plural(n_fwd, "message", "messages"),
		 (unsigned long long)(vm->bgp.exported - bgp0));
}
