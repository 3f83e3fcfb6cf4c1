/*
 * fwd: ferry's userspace forwarding plane.
 *   fwd -c FILE [-r RUN_DIR] [-n] [-d] [-o io=af_packet|af_xdp] [-o rx_ring=blocks|frames]
 *       [-o workers=N]
 * One libevent loop on the main (control) thread: packet sockets
 * (io_packet.c), the vrfmgr link in PE mode (vrfmgr_link.c), the JSON API on
 * <run_dir>/fwd.sock and a one-second tick for ARP retries/ageing and
 * interface (re)opening. With fwd.workers = N, N threads forward and the
 * main thread keeps the rest (io_worker.c).
 * LSR mode (a P router) runs on the config's static LFIB alone.
 * -o KEY=VALUE overrides one setting of the config's fwd section for this
 * run (options.c; the lab's --io option uses it, so one config serves both
 * backends).
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <event2/event.h>

#include "common/api.h"
#include "common/config.h"
#include "common/log.h"
#include "common/opts.h"
#include "common/plural.h"
#include "fwd/apply.h"
#include "fwd/arp.h"
#include "fwd/fib.h"
#include "fwd/fwd_api.h"
#include "fwd/hugepage.h"
#include "fwd/io_packet.h"
#include "fwd/io_ring.h"
#include "fwd/lfib.h"
#include "fwd/options.h"
#include "fwd/reload.h"
#include "fwd/trim.h"
#include "fwd/vrfmgr_link.h"

struct fwd_daemon {
	struct ferry_config cfg;
	struct fwd_boot boot; /* how cfg was loaded: GET /reload/check loads the file so again */
	struct event_base *base;
	struct io_packet *io;
	struct fwd *f;
	struct api_server *api;
	struct fwd_vrfmgr_link *link;
	struct event *tick, *sigterm, *sigint, *sighup;
	struct fwd_trim trim;
};

/* -h: the options on stdout, exit 0; bad usage: why first, on stderr, exit 2. */
static _Noreturn void usage(const char *why)
{
	opts_usage("fwd", why, " [-o KEY=VALUE]...",
		   "  -o KEY=VALUE\n"
		   "              override the config's fwd section: io=af_packet|af_xdp,\n"
		   "              rx_ring=blocks|frames, workers=N (up to 16 -o)\n");
}

/* mkdir -p: the lab passes a fresh run directory per node. */
static int mkdir_p(const char *path)
{
	char buf[CFG_PATH_MAX];

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return -ENAMETOOLONG;
	for (char *p = buf + 1; *p != '\0'; p++) {
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

static void on_tick(evutil_socket_t fd, short what, void *arg)
{
	struct fwd_daemon *d = arg;

	(void)fd;
	(void)what;
	fwd_clock_update(d->f);
	for (size_t i = 0; i < d->f->n_ifaces; i++)
		arp_tick(d->f, d->f->ifaces[i]);
	io_packet_tick(d->io);
	fib_tick(d->f);
	fwd_trim_tick(d->f, &d->trim);
}

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
	struct fwd_daemon *d = arg;

	(void)what;
	log_info("signal %d: exiting", (int)sig);
	event_base_loopbreak(d->base);
}

/*
 * SIGHUP: fwd does not reload (its part of the file takes effect at a
 * restart), but the signal's default action would end it and the data
 * plane with it: a HUP meant for vrfmgr and bgpd, or sent to every ferry
 * daemon, must not stop forwarding. Says what GET /reload/check would:
 * nothing for fwd to do, the setting a restart would change, or why the
 * file would not load (so why a restart would fail).
 */
static void on_hup(evutil_socket_t sig, short what, void *arg)
{
	struct fwd_daemon *d = arg;
	char why[1024];

	(void)sig;
	(void)what;
	switch (fwd_reload_check(&d->boot, why, sizeof(why))) {
	case FWD_RELOAD_NOTHING:
		log_info("SIGHUP: fwd does not reload and keeps running as it is: %s (its part "
			 "of %s is what it runs)", why, config_file_name(d->cfg.path));
		break;
	case FWD_RELOAD_CHANGED:
		log_warnx("SIGHUP: fwd does not reload and keeps running as it is: %s", why);
		break;
	case FWD_RELOAD_BAD_FILE:
		log_warnx("SIGHUP: fwd does not reload and keeps running as it is; the file "
			  "would not load at a restart either: %s", why);
		break;
	}
}

static void load_config(struct fwd_daemon *d, bool check_only)
{
	char err[512];

	if (fwd_boot_load(&d->boot, &d->cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		exit(1);
	}
	if (check_only &&
	    config_api_files_check(&d->cfg, d->cfg.api.port_fwd, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		config_free(&d->cfg);
		exit(1);
	}
	if (check_only) {
		printf("configuration OK\n");
		config_free(&d->cfg);
		exit(0);
	}
}

/* Everything but the loop itself; fatal on what fwd cannot run without. */
static void start(struct fwd_daemon *d)
{
	struct fwd_hooks hooks;
	char path[CFG_PATH_MAX];
	struct timeval one_s = { 1, 0 };
	int rc;

	if ((rc = mkdir_p(d->cfg.run_dir)) < 0)
		fatalx("%s: cannot create the run directory: %s", d->cfg.run_dir, strerror(-rc));
	if ((d->base = event_base_new()) == NULL || (d->io = io_packet_new(d->base)) == NULL)
		fatalx("cannot set up the event loop");
	if (d->cfg.fwd.io == CFG_FWD_IO_AF_XDP) {
		if (io_packet_use_xdp(d->io))
			log_info("fwd.io af_xdp: AF_XDP sockets (copy mode) behind an XDP program on "
				 "every interface, AF_PACKET where that cannot be set up");
		else
			log_warnx("fwd.io af_xdp: no XDP program to load; using AF_PACKET "
				  "on every interface");
	}
	if (d->cfg.fwd.rx_ring == CFG_FWD_RX_FRAMES) {
		io_packet_rx_frames(d->io);
		log_info("fwd.rx_ring frames: AF_PACKET receive rings hand each frame over at once "
			 "(TPACKET_V2; frames up to %d bytes)", IO_RING_FRAME_MAX);
	}
	io_packet_hooks(d->io, &hooks);
	if ((d->f = fwd_new(&hooks, d->cfg.fwd.arp_timeout)) == NULL)
		fatalx("out of memory");
	d->f->boot = &d->boot;
	io_packet_attach(d->io, d->f);
	if (d->cfg.fwd.workers > 0) {
		if (io_packet_start_workers(d->io, d->cfg.fwd.workers) < 0)
			fatalx("cannot start %u worker %s", d->cfg.fwd.workers,
			       plural(d->cfg.fwd.workers, "thread", "threads"));
		log_info("%u worker %s forward; this thread keeps ARP, the API and vrfmgr",
			 d->cfg.fwd.workers, plural(d->cfg.fwd.workers, "thread", "threads"));
	}
	if (apply_core_interfaces(d->f, &d->cfg) < 0 || apply_static_lfib(d->f, &d->cfg) < 0)
		fatalx("cannot install the configured interfaces and label entries");
	io_packet_tick(d->io); /* opens the core interfaces; missing ones are retried */
	if (config_sock_path(&d->cfg, FERRY_SOCK_FWD_API, path) < 0 ||
	    (d->api = fwd_api_start(d->base, path, d->f)) == NULL)
		fatalx("cannot serve the API in %s", d->cfg.run_dir);
	if (api_server_configure(d->api, &d->cfg, "fwd") < 0) {
		api_server_free(d->api); /* its socket must not outlive it: ferryctl looks for one */
		fatalx("cannot serve the API on TCP (see the config's api section)");
	}
	if (d->cfg.fwd.mode == CFG_FWD_PE) {
		if (config_sock_path(&d->cfg, FERRY_SOCK_VRFMGR_IPC, path) < 0 ||
		    (d->link = fwd_vrfmgr_link_start(d->base, d->f, path, d->cfg.name)) == NULL)
			fatalx("cannot set up the vrfmgr link");
	}
	d->tick = event_new(d->base, -1, EV_PERSIST, on_tick, d);
	d->sigterm = evsignal_new(d->base, SIGTERM, on_signal, d);
	d->sigint = evsignal_new(d->base, SIGINT, on_signal, d);
	d->sighup = evsignal_new(d->base, SIGHUP, on_hup, d);
	if (d->tick == NULL || d->sigterm == NULL || d->sigint == NULL || d->sighup == NULL ||
	    event_add(d->tick, &one_s) < 0 || event_add(d->sigterm, NULL) < 0 ||
	    event_add(d->sigint, NULL) < 0 || event_add(d->sighup, NULL) < 0)
		fatalx("cannot set up timers and signals");
	log_info("fwd for %s started in %s mode: %zu core %s, %zu static label %s, run dir %s",
		 d->cfg.name, d->cfg.fwd.mode == CFG_FWD_PE ? "PE" : "LSR",
		 d->cfg.fwd.n_core_interfaces,
		 plural(d->cfg.fwd.n_core_interfaces, "interface", "interfaces"), lfib_count(d->f),
		 plural(lfib_count(d->f), "entry", "entries"), d->cfg.run_dir);
}

static void stop(struct fwd_daemon *d)
{
	fwd_vrfmgr_link_free(d->link);
	api_server_free(d->api); /* removes fwd.sock */
	if (d->tick != NULL)
		event_free(d->tick);
	if (d->sigterm != NULL)
		event_free(d->sigterm);
	if (d->sigint != NULL)
		event_free(d->sigint);
	if (d->sighup != NULL)
		event_free(d->sighup);
	io_packet_free(d->io);
	fwd_free(d->f);
	event_base_free(d->base);
	config_free(&d->cfg);
}

static const struct option long_opts[] = { { "help", no_argument, NULL, 'h' }, { 0 } };

int main(int argc, char **argv)
{
	struct fwd_daemon d = { 0 };
	const char *file = NULL, *run_dir = NULL;
	bool check_only = false, debug = false;
	char *overrides[16];
	char why[160];
	int ch, n_overrides = 0;

	fwd_huge_pages(argv); /* first: it may execute fwd again */
	opterr = 0; /* said below, with the usage */
	while ((ch = getopt_long(argc, argv, ":c:r:ndo:h", long_opts, NULL)) != -1) {
		switch (ch) {
		case 'o':
			if (n_overrides == (int)(sizeof(overrides) / sizeof(overrides[0]))) {
				snprintf(why, sizeof(why), "-o %s: at most %zu -o options (want one "
					 "per setting: io, rx_ring, workers)", optarg,
					 sizeof(overrides) / sizeof(overrides[0]));
				opts_bad_value("fwd", why);
			}
			overrides[n_overrides++] = optarg;
			break;
		case 'c':
			file = optarg;
			break;
		case 'r':
			run_dir = optarg;
			break;
		case 'n':
			check_only = true;
			break;
		case 'd':
			debug = true;
			break;
		case 'h':
			usage(NULL);
		default:
			usage(opts_error(ch, argv, why, sizeof(why)));
		}
	}
	if (file == NULL)
		usage("-c FILE is required (the router's JSON config)");
	if (optind != argc) {
		snprintf(why, sizeof(why), "unexpected \"%.64s\" (options only)", argv[optind]);
		usage(why);
	}
	opts_run_dir_check("fwd", run_dir);
	for (int i = 0; i < n_overrides; i++)
		fwd_option_check(overrides[i]);
	log_init("fwd", debug ? LOG_LVL_DEBUG : LOG_LVL_INFO);
	/*
	 * Until the event loop's SIGHUP handler is in, the signal's default
	 * action would end the daemon (a HUP sent to every ferry daemon while
	 * this one starts, e.g. reading a slow config): ignored until then.
	 */
	signal(SIGHUP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	d.boot = (struct fwd_boot){ file, run_dir, overrides, (size_t)n_overrides, &d.cfg };
	load_config(&d, check_only); /* -n: ends here */
	log_info("heap on %s", fwd_huge_pages_on() ?
		 "2 MB transparent huge pages (glibc.malloc.hugetlb=1; FERRY_FWD_HUGE_PAGES=0: 4 KB)" :
		 "4 KB pages");
	start(&d);
	event_base_dispatch(d.base);
	stop(&d);
	log_info("fwd stopped");
	return 0;
}
