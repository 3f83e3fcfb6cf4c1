/*
 * SIGHUP: read the config file again and apply it in place (reload.c). A
 * file that does not load, or that changes what needs a restart, is refused
 * with one log line and the running config stays, untouched. The line
 * logged at the end says what changed. GET /reload/check (api_reload.c)
 * loads the file the same way and asks bgpd_reload_plan, which refuses and
 * counts as bgpd_reload does, applying nothing.
 */
#include <stdio.h>
#include <stdlib.h>

#include "bgpd/bgpd.h"
#include "common/log.h"

struct ferry_config *bgpd_reload_load(const struct ferry_config *cfg, const char *run_dir,
				      char *err, size_t errlen)
{
	struct ferry_config *nc = calloc(1, sizeof(*nc));

	if (!nc) {
		snprintf(err, errlen, "%s: out of memory", config_file_name(cfg->path));
		return NULL;
	}
	if (config_load(cfg->path, nc, err, errlen) < 0) {
		free(nc);
		return NULL;
	}
	if (run_dir) /* -r, as at start */
		snprintf(nc->run_dir, sizeof(nc->run_dir), "%s", run_dir);
	return nc;
}

struct ferry_config *bgpd_sighup(struct bgpd *d, struct ferry_config *cfg, const char *run_dir)
{
	struct ferry_config *nc;
	struct bgpd_reload_stats st;
	char err[512], what[128];

	log_info("SIGHUP: reloading %s", cfg->path);
	if (!(nc = bgpd_reload_load(cfg, run_dir, err, sizeof(err)))) {
		log_warnx("reload refused, the running config stays: %s", err);
		return cfg;
	}
	if (bgpd_reload(d, nc, &st, err, sizeof(err)) < 0) {
		log_warnx("reload refused, the running config stays: %s", err);
		config_free(nc);
		free(nc);
		return cfg;
	}
	config_free(cfg);
	free(cfg);
	bgpd_reload_stats_format(&st, what, sizeof(what));
	log_info("reload done: %s", what);
	return nc;
}
