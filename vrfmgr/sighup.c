/*
 * SIGHUP: read the config file again and apply it in place (reload.c). A
 * file that does not load, or that changes what needs a restart, is
 * refused with one log line and the running config stays, untouched. On
 * success only the differences go to fwd and bgpd; the line logged says
 * how many messages that took.
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

/* The new file, with -r applied as at start. NULL when it does not load (logged). */
static struct ferry_config *reload_load(struct vrfmgr *vm)
{
	struct ferry_config *nc = calloc(1, sizeof(*nc));
	char err[512];

	if (nc == NULL) {
		log_warn("reload refused");
		return NULL;
	}
	if (config_load(vm->cfg->path, nc, err, sizeof(err)) < 0) {
		log_warnx("reload refused, the running config stays: %s", err);
		free(nc);
		return NULL;
	}
	if (vm->run_dir_override != NULL)
		snprintf(nc->run_dir, sizeof(nc->run_dir), "%s", vm->run_dir_override);
	if (vrf_table_reload_check(&vm->table, nc, err, sizeof(err)) < 0) {
		log_warnx("reload refused, the running config stays: %s", err);
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

	log_info("SIGHUP: reloading %s", vm->cfg->path);
	if ((nc = reload_load(vm)) == NULL)
		return;
	fwd0 = fwd_messages(vm);
	bgp0 = vm->bgp.exported;
	vrf_table_reload(&vm->table, nc, &st);
	fwd_sync_flush(vm); /* the FIB changes it held back count too */
	config_free(vm->cfg);
	free(vm->cfg);
	vm->cfg = nc;
	vrf_table_save(&vm->table);
	n_fwd = fwd_messages(vm) - fwd0;
	log_info("reload done: %zu %s added, %zu removed, %zu changed, %zu %s with a new LSP "
		 "state; %llu %s to fwd, %llu to bgpd", st.added, plural(st.added, "VRF", "VRFs"),
		 st.removed, st.changed, st.next_hops,
		 plural(st.next_hops, "remote PE", "remote PEs"), n_fwd,
		 plural(n_fwd, "message", "messages"),
		 (unsigned long long)(vm->bgp.exported - bgp0));
}
