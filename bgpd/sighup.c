/*
 * SIGHUP: read the config file again and apply it in place (reload.c). A
 * file that does not load, or that changes what needs a restart, is refused
 * with one log line and the running config stays, untouched. The line
 * logged at the end says what changed.
 */
#include <stdio.h>
#include <stdlib.h>

#include "bgpd/bgpd.h"
#include "common/log.h"
#include "common/plural.h"

struct ferry_config *bgpd_sighup(struct bgpd *d, struct ferry_config *cfg, const char *run_dir)
{
	struct ferry_config *nc = calloc(1, sizeof(*nc));
	struct bgpd_reload_stats st;
	char err[512];

	log_info("SIGHUP: reloading %s", cfg->path);
	if (!nc) {
		log_warn("reload refused, the running config stays");
		return cfg;
	}
	if (config_load(cfg->path, nc, err, sizeof(err)) < 0) {
		log_warnx("reload refused, the running config stays: %s", err);
		free(nc);
		return cfg;
	}
	if (run_dir) /* -r, as at start */
		snprintf(nc->run_dir, sizeof(nc->run_dir), "%s", run_dir);
	if (bgpd_reload(d, nc, &st, err, sizeof(err)) < 0) {
		log_warnx("reload refused, the running config stays: %s", err);
		config_free(nc);
		free(nc);
		return cfg;
	}
	config_free(cfg);
	free(cfg);
	log_info("reload done: %zu %s added, %zu removed, %zu changed, %zu unchanged", st.added,
		 plural(st.added, "neighbor", "neighbors"), st.removed, st.changed, st.unchanged);
	return nc;
}
