/*
 * bgpd -c FILE [-r RUN_DIR] [-n] [-d]: loads the configuration (its "bgp"
 * section, router id, AS, run directory), then runs the speaker, the vrfmgr
 * link and the JSON API on <run_dir>/bgpd.sock until SIGTERM/SIGINT, when
 * every peer gets Cease / administrative shutdown before the process exits.
 * SIGUSR1 stops it for a planned graceful restart instead: no NOTIFICATION,
 * the marker below kept, so the bgpd started next restarts gracefully and
 * peers keep its routes meanwhile. SIGHUP reloads the config in place
 * (sighup.c, reload.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <event2/event.h>

#include "bgpd/bgpd.h"
#include "common/config.h"
#include "common/log.h"
#include "common/opts.h"
#include "common/plural.h"

#define STOP_TIMEOUT 3 /* seconds the Cease NOTIFICATIONs get to leave */

/* -h: the options on stdout, exit 0; bad usage: why first, on stderr, exit 2. */
static _Noreturn void usage(const char *why)
{
	opts_usage("bgpd", why, "",
		   "");
}

/* What the signals need: the speaker, the config it runs (replaced by a reload), -r. */
struct running {
	struct bgpd *d;
	struct ferry_config *cfg;
	const char *run_dir;
	bool graceful; /* stopped by SIGUSR1: the next start is a graceful restart */
};

static void on_hup(evutil_socket_t sig, short what, void *arg)
{
	struct running *r = arg;

	(void)sig;
	(void)what;
	if (!r->d->stopping)
		r->cfg = bgpd_sighup(r->d, r->cfg, r->run_dir);
}

static void stopped(struct bgpd *d)
{
	event_base_loopexit(d->base, NULL);
}

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
	struct running *r = arg;
	struct bgpd *d = r->d;
	struct timeval tv = { STOP_TIMEOUT, 0 };

	(void)what;
	if (d->stopping)
		return;
	if (sig == SIGUSR1 && r->cfg->bgp.graceful_restart) {
		r->graceful = true;
		log_info("signal %d: stopping for a graceful restart: no NOTIFICATION, peers keep our "
			 "routes for up to %u s and fwd forwards on; the next bgpd started here resumes",
			 (int)sig, r->cfg->bgp.gr_restart_time);
		bgpd_stop_graceful(d, stopped);
	} else {
		log_info("signal %d: shutting down%s", (int)sig,
			 sig == SIGUSR1 ? " (graceful restart is off: as on SIGTERM)" : "");
		bgpd_stop(d, stopped);
	}
	event_base_loopexit(d->base, &tv); /* in case a peer never reads */
}

/* mkdir -p, for the run directory. */
static int mkdirs(const char *path)
{
	char buf[CFG_PATH_MAX];

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return -ENAMETOOLONG;
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, 0755) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

/*
 * <run_dir>/bgpd.running exists while bgpd runs: made once it is set up,
 * removed by a clean stop. Found at start, it says the last bgpd died
 * (killed, crashed): fwd kept forwarding on its routes meanwhile, so this
 * one restarts gracefully (gr_restart.c). A start that fails makes none.
 */
static bool marker_found(const struct ferry_config *cfg, char *path, size_t len)
{
	if (snprintf(path, len, "%s/bgpd.running", cfg->run_dir) >= (int)len)
		fatalx("run directory %s too long", cfg->run_dir);
	return access(path, F_OK) == 0;
}

static void marker_make(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT, 0644);

	if (fd < 0)
		fatal("cannot create %s", path);
	close(fd);
}

/* Runs until SIGTERM/SIGINT/SIGUSR1; takes cfg over (a reload may replace it) and frees it. */
static int run(struct ferry_config *cfg, const char *run_dir)
{
	struct event_base *base = event_base_new();
	struct event *sig_term, *sig_int, *sig_usr1, *sig_hup;
	char api_path[CFG_PATH_MAX], marker[CFG_PATH_MAX];
	struct running r = { NULL, cfg, run_dir, false };
	struct bgpd *d;
	bool restarted;

	if (!base)
		fatalx("event_base_new failed");
	if (mkdirs(cfg->run_dir) < 0)
		fatal("cannot create run directory %s", cfg->run_dir);
	restarted = marker_found(cfg, marker, sizeof(marker));
	if (!(d = bgpd_new(base, cfg)))
		fatalx("cannot start the BGP speaker");
	d->run_dir_override = run_dir;
	if (restarted && bgpd_gr_restarted(d, cfg->bgp.gr_deferral_time) < 0)
		fatalx("cannot set up the graceful restart");
	if (config_sock_path(cfg, FERRY_SOCK_BGPD_API, api_path) < 0 ||
	    bgpd_api_start(d, api_path) < 0) {
		bgpd_free(d); /* with the API's socket: ferryctl would take it for a running bgpd */
		fatalx("cannot serve the API in %s", cfg->run_dir);
	}
	if (!(d->vl = vrfmgr_link_new(d)))
		fatalx("cannot set up the vrfmgr link");
	r.d = d;
	sig_term = evsignal_new(base, SIGTERM, on_signal, &r);
	sig_int = evsignal_new(base, SIGINT, on_signal, &r);
	sig_usr1 = evsignal_new(base, SIGUSR1, on_signal, &r);
	sig_hup = evsignal_new(base, SIGHUP, on_hup, &r);
	if (!sig_term || !sig_int || !sig_usr1 || !sig_hup || evsignal_add(sig_term, NULL) < 0 ||
	    evsignal_add(sig_int, NULL) < 0 || evsignal_add(sig_usr1, NULL) < 0 ||
	    evsignal_add(sig_hup, NULL) < 0)
		fatalx("cannot install signal handlers");
	marker_make(marker);
	log_info("bgpd %s: AS %u, router id %s, %zu %s", cfg->name, cfg->asn,
		 ipv4_format(cfg->router_id, api_path), cfg->bgp.n_neighbors,
		 plural(cfg->bgp.n_neighbors, "neighbor", "neighbors"));
	event_base_dispatch(base);
	bgpd_free(d);
	if (!r.graceful)
		unlink(marker); /* a clean stop: the next start is no restart */
	event_free(sig_term);
	event_free(sig_int);
	event_free(sig_usr1);
	event_free(sig_hup);
	event_base_free(base);
	config_free(r.cfg);
	free(r.cfg);
	log_info(r.graceful ? "stopped for a graceful restart" : "stopped");
	return 0;
}

static const struct option long_opts[] = { { "help", no_argument, NULL, 'h' }, { 0 } };

int main(int argc, char **argv)
{
	const char *file = NULL, *run_dir = NULL;
	bool check = false, debug = false;
	struct ferry_config cfg, *owned;
	char err[512], why[160];
	int ch;

	opterr = 0; /* said below, with the usage */
	while ((ch = getopt_long(argc, argv, ":c:r:ndh", long_opts, NULL)) != -1) {
		switch (ch) {
		case 'c': file = optarg; break;
		case 'r': run_dir = optarg; break;
		case 'n': check = true; break;
		case 'd': debug = true; break;
		case 'h': usage(NULL);
		default: usage(opts_error(ch, argv, why, sizeof(why)));
		}
	}
	if (!file)
		usage("-c FILE is required (the router's JSON config)");
	if (optind != argc) {
		snprintf(why, sizeof(why), "unexpected \"%.64s\" (options only)", argv[optind]);
		usage(why);
	}
	opts_run_dir_check("bgpd", run_dir);
	log_init("bgpd", debug ? LOG_LVL_DEBUG : LOG_LVL_INFO);
	/*
	 * Until the event loop's SIGHUP handler is in, the signal's default
	 * action would end the daemon (a HUP sent to every ferry daemon while
	 * this one starts, e.g. reading a slow config): ignored until then.
	 */
	signal(SIGHUP, SIG_IGN);
	if (config_load(file, &cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	if (run_dir && config_run_dir_set(&cfg, run_dir, err, sizeof(err)) < 0) {
		fprintf(stderr, "bgpd: %s\n", err);
		config_free(&cfg);
		return 1;
	}
	if (!cfg.bgp.enabled) {
		fprintf(stderr, "%s: no \"bgp\" section: nothing for bgpd to do\n", file);
		config_free(&cfg);
		return 1;
	}
	if (check && config_api_files_check(&cfg, cfg.api.port_bgpd, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		config_free(&cfg);
		return 1;
	}
	if (check) {
		printf("configuration OK\n");
		config_free(&cfg);
		return 0;
	}
	signal(SIGPIPE, SIG_IGN);
	if (!(owned = malloc(sizeof(*owned))))
		fatal("malloc");
	*owned = cfg; /* run owns it (and what it points to) from here */
	return run(owned, run_dir);
}
