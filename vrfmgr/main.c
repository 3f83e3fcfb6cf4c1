/*
 * vrfmgr -c FILE [-r RUN_DIR] [-n] [-d]
 *
 * Loads the router's config, builds the VRFs (labels, connected and static
 * routes, local leaking), then serves bgpd and fwd on <run_dir>/vrfmgr.ipc
 * and the JSON API on <run_dir>/vrfmgr.sock until SIGTERM/SIGINT; SIGHUP
 * reloads the config in place (sighup.c). A bad config exits 1 before
 * anything is started.
 */
#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <event2/event.h>

#include "common/clock.h"
#include "common/label.h"
#include "common/log.h"
#include "common/opts.h"
#include "common/plural.h"
#include "vrfmgr/dp_kernel.h"
#include "vrfmgr/dp_kernel_nl.h"
#include "vrfmgr/l3vpn.h"
#include "vrfmgr/slab.h"
#include "vrfmgr/state.h"
#include "vrfmgr/vrfmgr.h"

/* -h: the options on stdout, exit 0; bad usage: why first, on stderr, exit 2. */
static _Noreturn void usage(const char *why)
{
	opts_usage("vrfmgr", why, "",
		   "");
}

/* mkdir -p with mode 0755 for what it creates. */
static int mkdir_p(const char *path)
{
	char buf[CFG_PATH_MAX];
	size_t i, len = strlen(path);

	if (len == 0 || len >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, path, len + 1);
	for (i = 1; i <= len; i++) {
		if (buf[i] != '/' && buf[i] != '\0')
			continue;
		buf[i] = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return -errno;
		buf[i] = path[i];
	}
	return 0;
}

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
	(void)what;
	log_info("signal %d: shutting down", (int)sig);
	event_base_loopbreak(arg);
}

static void on_hup(evutil_socket_t sig, short what, void *arg)
{
	(void)sig;
	(void)what;
	vrfmgr_reload(arg);
}

/*
 * After a table is withdrawn (a session gone, a VRF removed) and things are
 * quiet, the route objects' empty blocks go back to the heap (once, when
 * the quiet begins: a walk of every free object), the tables' slot arrays
 * shrink to what they hold (checked every quiet second: per-prefix labels
 * leave at the end of their hold-down, later), and the heap's free pages
 * go to the kernel: RSS falls back instead of staying at the peak.
 */
static void route_memory_trim(struct vrfmgr *vm)
{
	unsigned quiet = slab_quiet_ticks();
	size_t blocks = 0, slots;
	uint64_t t0;

	if (quiet < SLAB_QUIET_TICKS)
		return;
	t0 = clock_mono_ms();
	if (quiet == SLAB_QUIET_TICKS)
		blocks = slab_trim_all();
	slots = vrf_table_shrink(&vm->table);
	if (vm->kernel != NULL)
		slots += dp_kernel_shrink(vm->kernel);
	if (blocks + slots == 0)
		return;
	malloc_trim(0);
	log_info("route memory: %zu kB given back in %llu ms (%zu kB of blocks whose routes were "
		 "all withdrawn, %zu kB of table slots)", (blocks + slots) / 1024,
		 (unsigned long long)(clock_mono_ms() - t0), blocks / 1024, slots / 1024);
}

static void on_tick(evutil_socket_t fd, short what, void *arg)
{
	struct vrfmgr *vm = arg;

	(void)fd;
	(void)what;
	vrf_table_labels_tick(&vm->table);
	vrf_table_save(&vm->table);
	route_memory_trim(vm);
}

static void on_grace(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	fwd_sync_converged(arg, "no replay from bgpd in time");
}

/* The once-a-second state saver and, with BGP, the wait for bgpd's first replay. */
static int timers_start(struct vrfmgr *vm)
{
	struct timeval one = { 1, 0 }, grace = { VRFMGR_SYNC_GRACE_S, 0 };

	vm->tick_ev = event_new(vm->base, -1, EV_PERSIST, on_tick, vm);
	vm->grace_ev = evtimer_new(vm->base, on_grace, vm);
	if (vm->tick_ev == NULL || vm->grace_ev == NULL || event_add(vm->tick_ev, &one) < 0)
		return -ENOMEM;
	if (!vm->cfg->bgp.enabled) {
		fwd_sync_converged(vm, "no bgp configured");
		return 0;
	}
	return evtimer_add(vm->grace_ev, &grace) < 0 ? -ENOMEM : 0;
}

static void log_vrfs(const struct vrf_table *t)
{
	char rd[RD_STRLEN];
	size_t i;

	for (i = 0; i < t->n_vrfs; i++) {
		const struct vrf *v = &t->vrfs[i];

		char label[16];

		if (v->label != MPLS_LABEL_NONE)
			snprintf(label, sizeof(label), "%u", v->label);
		else
			snprintf(label, sizeof(label), "%s",
				 v->cfg->label_mode == CFG_LABEL_PER_CE ? "per-ce" : "per-prefix");
		log_info("vrf %s up: id %u, rd %s, label %s, %zu %s, %zu %s", v->cfg->name, v->id,
			 rd_format(&v->cfg->rd, rd), label, v->cfg->n_interfaces,
			 plural(v->cfg->n_interfaces, "interface", "interfaces"), v->n_routes,
			 plural(v->n_routes, "route", "routes"));
	}
}

/*
 * router.dataplane "kernel": the kernel's settings, then a netlink socket. A
 * kernel without MPLS or VRF support, or a setting that cannot be made, stops
 * vrfmgr here with the reason.
 */
static int kernel_dataplane_open(struct vrfmgr *vm, struct dataplane *dp)
{
	char err[512];

	if (dpk_sysctls_apply(vm->cfg, "/proc/sys", err, sizeof(err)) < 0 ||
	    (vm->kernel_nl = dpk_nl_open(err, sizeof(err))) == NULL) {
		log_warnx("%s", err);
		return -EINVAL;
	}
	if ((vm->kernel = dp_kernel_new(&dpk_nl_ops, vm->kernel_nl)) == NULL)
		return -ENOMEM;
	if ((vm->kernel_watch = dpk_watch_start(vm->base, vm->kernel, err, sizeof(err))) == NULL) {
		log_warnx("%s", err);
		return -EINVAL;
	}
	*dp = (struct dataplane){ &dp_kernel_ops, vm->kernel };
	log_info("dataplane: the kernel (VRF devices " DPK_VRF_IFPREFIX "<name>, table %u + VRF "
		 "id, routes of protocol %d); fwd is not used",
		 DPK_TABLE_BASE, DPK_RTPROT);
	return 0;
}

static int vrfmgr_start(struct vrfmgr *vm)
{
	struct dataplane dp = { &fwd_sync_ops, &vm->fwd };
	size_t leaked;
	int rc;

	if ((rc = mkdir_p(vm->cfg->run_dir)) < 0) {
		log_warnx("cannot create run directory %s: %s", vm->cfg->run_dir, strerror(-rc));
		return rc;
	}
	if (snprintf(vm->state_path, sizeof(vm->state_path), "%s/%s", vm->cfg->run_dir,
		     VRFMGR_STATE_FILE) >= (int)sizeof(vm->state_path)) {
		log_warnx("state file path under %s is too long", vm->cfg->run_dir);
		return -ENAMETOOLONG;
	}
	if (vm->cfg->dataplane == CFG_DATAPLANE_KERNEL && (rc = kernel_dataplane_open(vm, &dp)) < 0)
		return rc;
	if ((rc = vrf_table_init_state(&vm->table, vm->cfg, &dp, vm->state_path)) < 0)
		return rc;
	leaked = import_leak_local(&vm->table);
	log_vrfs(&vm->table);
	if (leaked > 0)
		log_info("%zu %s leaked between local VRFs by route target", leaked,
			 plural(leaked, "route", "routes"));
	if ((rc = bgpd_link_init(vm)) < 0 || (rc = fwd_sync_init(vm)) < 0)
		return rc;
	if ((rc = timers_start(vm)) < 0)
		return rc;
	if ((rc = hub_start(vm)) < 0)
		return rc;
	if ((rc = vrfmgr_api_start(vm)) < 0)
		return rc;
	/* Up: the labels it starts with are the ones to come back with. */
	vrf_table_save(&vm->table);
	return 0;
}

/*
 * started: vrfmgr_start succeeded. Only then is the state saved: a vrfmgr
 * that never ran would overwrite the last run's file, or a running
 * vrfmgr's (the one whose socket it could not take), with its own view.
 */
static void vrfmgr_stop(struct vrfmgr *vm, bool started)
{
	vrfmgr_api_stop(vm);
	fwd_sync_free(vm); /* sends what it holds first */
	hub_stop(vm);
	bgpd_link_free(vm);
	if (started)
		vrf_table_save(&vm->table);
	vrf_table_free(&vm->table);
	/* the kernel keeps forwarding on what it holds: a restart sweeps what changed */
	dpk_watch_stop(vm->kernel_watch);
	dp_kernel_free(vm->kernel);
	dpk_nl_close(vm->kernel_nl);
	slab_release_all(); /* every route is freed by now (or it is named) */
	if (vm->tick_ev != NULL)
		event_free(vm->tick_ev);
	if (vm->grace_ev != NULL)
		event_free(vm->grace_ev);
}

/* Runs until SIGTERM/SIGINT; takes cfg over (a reload may replace it) and frees it. */
static int run(struct ferry_config *cfg, const char *run_dir)
{
	struct vrfmgr vm = { .cfg = cfg, .run_dir_override = run_dir, .listen_fd = -1 };
	struct event *sigterm, *sigint, *sighup;
	int rc;

	vm.base = event_base_new();
	if (vm.base == NULL)
		fatalx("cannot create the event loop");
	sigterm = evsignal_new(vm.base, SIGTERM, on_signal, vm.base);
	sigint = evsignal_new(vm.base, SIGINT, on_signal, vm.base);
	sighup = evsignal_new(vm.base, SIGHUP, on_hup, &vm);
	if (sigterm == NULL || sigint == NULL || sighup == NULL || evsignal_add(sigterm, NULL) < 0 ||
	    evsignal_add(sigint, NULL) < 0 || evsignal_add(sighup, NULL) < 0)
		fatalx("cannot watch signals");
	rc = vrfmgr_start(&vm);
	if (rc == 0) {
		log_info("vrfmgr %s running (run dir %s)", cfg->name, cfg->run_dir);
		event_base_dispatch(vm.base);
	}
	vrfmgr_stop(&vm, rc == 0);
	event_free(sigterm);
	event_free(sigint);
	event_free(sighup);
	event_base_free(vm.base);
	config_free(vm.cfg);
	free(vm.cfg);
	return rc == 0 ? 0 : 1;
}

static const struct option long_opts[] = { { "help", no_argument, NULL, 'h' }, { 0 } };

int main(int argc, char **argv)
{
	const char *file = NULL, *run_dir = NULL;
	bool check = false, debug = false;
	struct ferry_config *cfg;
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
	if (file == NULL)
		usage("-c FILE is required (the router's JSON config)");
	if (optind != argc) {
		snprintf(why, sizeof(why), "unexpected \"%.64s\" (options only)", argv[optind]);
		usage(why);
	}
	opts_run_dir_check("vrfmgr", run_dir);
	log_init("vrfmgr", debug ? LOG_LVL_DEBUG : LOG_LVL_INFO);
	/*
	 * Until the event loop's SIGHUP handler is in, the signal's default
	 * action would end the daemon (a HUP sent to every ferry daemon while
	 * this one starts, e.g. reading a slow config): ignored until then.
	 */
	signal(SIGHUP, SIG_IGN);
	if ((cfg = calloc(1, sizeof(*cfg))) == NULL)
		fatal("config");
	if (config_load(file, cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		free(cfg);
		return 1;
	}
	if (run_dir != NULL && config_run_dir_set(cfg, run_dir, err, sizeof(err)) < 0) {
		fprintf(stderr, "vrfmgr: %s\n", err);
		config_free(cfg);
		free(cfg);
		return 1;
	}
	if (check && config_api_files_check(cfg, cfg->api.port_vrfmgr, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		config_free(cfg);
		free(cfg);
		return 1;
	}
	if (check) {
		printf("configuration OK\n");
		config_free(cfg);
		free(cfg);
		return 0;
	}
	signal(SIGPIPE, SIG_IGN);
	return run(cfg, run_dir);
}
