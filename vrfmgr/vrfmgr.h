/*
 * The vrfmgr daemon around the core: its event loop state, the IPC hub that
 * bgpd and fwd connect to, the fwd and bgpd links, and the JSON API. The
 * core (vrf.h, l3vpn.h, nexthop.h, label.h) knows nothing of sockets or
 * JSON; everything here is glue that the core's unit tests do not need.
 */
#ifndef FERRY_VRFMGR_VRFMGR_H
#define FERRY_VRFMGR_VRFMGR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/config.h"
#include "common/ipc.h"
#include "vrfmgr/vrf.h"

struct event;
struct event_base;
struct api_server;
struct vrfapi_events;
struct dp_kernel;
struct dpk_nl;
struct dpk_watch;

/* One accepted IPC connection; its role is known once its HELLO arrived. */
struct vrfmgr_conn {
	struct vrfmgr_conn *next;
	struct vrfmgr *vm;
	struct ipc_conn *ipc;
	struct event *drop_ev; /* deferred close, so no callback frees its own caller */
	uint32_t role;         /* enum ipc_role, 0 before HELLO */
	bool dead;
	char name[IPC_NAME_MAX];
};

/* What vrfmgr has told the fwd it is connected to (counts for the log). */
struct fs_fib_op;

struct fwd_sync {
	struct vrfmgr_conn *conn;    /* replayed to: gets every change */
	struct vrfmgr_conn *pending; /* connected, its replay waits for bgpd's routes */
	uint64_t sent[IPC_TYPE_MAX];
	uint64_t replays; /* whole replays sent to a fwd since start (/metrics) */
	/* FIB changes held back to go out grouped by VRF (fwd_sync.c) */
	struct fs_fib_op *held;
	size_t n_held, cap_held;
	struct event *flush_ev;      /* NULL: no grouping, every change goes out at once */
	bool replaying;              /* a replay sends VRF by VRF already: nothing to group */
	uint64_t last_flush_ms;
	size_t last_flush_n;
};

/* After a vrfmgr start, fwd's replay waits at most this long for bgpd's routes. */
#define VRFMGR_SYNC_GRACE_S 5

struct bgpd_link {
	struct vrfmgr_conn *conn;
	bool in_replay;
	struct event *flush_ev; /* logs incremental changes once per second, not per route */
	bool flush_armed;
	/* counters of the current replay or of the batch not yet logged */
	size_t received, placed, withdrawn, ignored;
	uint64_t exported; /* VPN route ADD/DEL sent since start (outside replays) */
	/* bgpd replays taken whole (REPLAY_END) since start: /metrics, which scripts/lab
	 * restart reads to know bgpd's routes are back in a restarted vrfmgr */
	uint64_t replays;
	/* bgpd went away: its routes are kept for its graceful restart time, then dropped */
	struct event *gone_ev;
	/* the import route targets last sent (rt_imports.c), sorted; NULL: none yet */
	struct ext_community *imports;
	size_t n_imports;
};

struct vrfmgr {
	struct ferry_config *cfg; /* malloc'd; replaced by a reload */
	const char *run_dir_override; /* -r, applied to every config loaded */
	struct event_base *base;
	struct vrf_table table;
	struct fwd_sync fwd;
	/* router.dataplane "kernel": the dataplane instead of fwd (dp_kernel.h), else NULL */
	struct dp_kernel *kernel;
	struct dpk_nl *kernel_nl;
	struct dpk_watch *kernel_watch; /* its link events */
	struct bgpd_link bgp;
	int listen_fd;
	struct event *listen_ev;
	struct vrfmgr_conn *conns;
	struct api_server *api;
	struct vrfapi_events *api_events; /* api_events.c: /events and its dataplane tap */
	char ipc_path[CFG_PATH_MAX];
	char api_path[CFG_PATH_MAX];
	char state_path[CFG_PATH_MAX];
	/* Restart model: true once the routes of bgpd's first replay are in (or the grace
	 * time passed, or there is no bgp); only then does fwd get its replay and sweep. */
	bool converged;
	struct event *grace_ev;
	struct event *tick_ev; /* once a second: save the label state if it changed */
};

/* hub.c: the IPC listener and connection bookkeeping. */
int hub_start(struct vrfmgr *vm);
void hub_stop(struct vrfmgr *vm);
/* Closes c after the current callback returns. */
void hub_conn_drop(struct vrfmgr_conn *c, const char *why);
/* Sends; a failed send drops the connection. 0 or -errno. */
int hub_send(struct vrfmgr_conn *c, uint16_t type, const void *p, uint32_t len);
int hub_send2(struct vrfmgr_conn *c, uint16_t type, const void *p1, uint32_t l1, const void *p2,
	      uint32_t l2);
const char *hub_role_name(uint32_t role);

/* fwd_sync.c: the dataplane backed by fwd over IPC. */
extern const struct dataplane_ops fwd_sync_ops;
/* Sets up (and, sending what it holds, frees) the grouping of FIB changes. 0 or -ENOMEM. */
int fwd_sync_init(struct vrfmgr *vm);
void fwd_sync_free(struct vrfmgr *vm);
/* Sends the FIB changes held back now (so that they count in fwd.sent). */
void fwd_sync_flush(struct vrfmgr *vm);
void fwd_sync_hello(struct vrfmgr *vm, struct vrfmgr_conn *c);
void fwd_sync_msg(struct vrfmgr *vm, struct vrfmgr_conn *c, uint16_t type, const void *p,
		  uint32_t len);
void fwd_sync_closed(struct vrfmgr *vm, struct vrfmgr_conn *c);
/* vrfmgr has what it needs (bgpd replayed, or the grace time is over): replay to fwd. */
void fwd_sync_converged(struct vrfmgr *vm, const char *why);

/* bgpd_link.c: exports to and imports from bgpd. */
int bgpd_link_init(struct vrfmgr *vm);
void bgpd_link_free(struct vrfmgr *vm);
void bgpd_link_hello(struct vrfmgr *vm, struct vrfmgr_conn *c);
void bgpd_link_msg(struct vrfmgr *vm, struct vrfmgr_conn *c, uint16_t type, const void *p,
		   uint32_t len);
void bgpd_link_closed(struct vrfmgr *vm, struct vrfmgr_conn *c);
/*
 * rt_imports.c: sends bgpd every route target a local VRF imports
 * (IPC_RT_IMPORTS) when the set changed since last sent, or always (force:
 * in a replay). Route target constraint (RFC 4684) asks peers for these.
 */
void bgpd_link_imports(struct vrfmgr *vm, bool force);
/* The RT_IMPORTS header for n import RTs; returns how many of them go (0 when too many). */
size_t rt_imports_header(size_t n, struct ipc_rt_imports *h);
void bgpd_link_imports_free(struct vrfmgr *vm);

/* sighup.c: reload the config file in place; a bad one is refused (logged). */
void vrfmgr_reload(struct vrfmgr *vm);
/*
 * The config file as a reload reads it (-r applied as at start), checked
 * against the running one: the new config (malloc'd; config_free and
 * free), or NULL with why in err ("pe1.json: router.router_id changed;
 * that needs a restart of vrfmgr"). Changes nothing.
 */
struct ferry_config *vrfmgr_reload_load(const struct vrfmgr *vm, char *err, size_t len);

/* api.c: GET /vrfs, /routes[?vrf=], /lsps, /labels on <run_dir>/vrfmgr.sock. */
int vrfmgr_api_start(struct vrfmgr *vm);
void vrfmgr_api_stop(struct vrfmgr *vm);

#endif
