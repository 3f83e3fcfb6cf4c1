/*
 * The speaker: peers and their connections, the FSM (fsm.c), socket I/O
 * (session.c), update generation (adjout.c, updgroup.c), the vrfmgr link
 * (vrfmgr_link.c) and the JSON API (api.c), tied together by struct bgpd
 * (bgpd.c); a new config is applied in place on SIGHUP (reload.c,
 * sighup.c). Several speakers can live in one process and one event_base
 * (the FSM unit test runs two), so there is no global state here.
 */
#ifndef FERRY_BGPD_BGPD_H
#define FERRY_BGPD_BGPD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "bgpd/attr.h"
#include "bgpd/msg.h"
#include "bgpd/rib.h"
#include "bgpd/rtc.h"
#include "bgpd/rtc_index.h"
#include "bgpd/rtc_map.h"
#include "common/config.h"

struct event;
struct event_base;
struct bufferevent;
struct evconnlistener;

/* RFC 4271 §8.2.2 states. A peer shows its most advanced connection's. */
enum fsm_state {
	FSM_IDLE = 0,
	FSM_CONNECT,
	FSM_ACTIVE,
	FSM_OPENSENT,
	FSM_OPENCONFIRM,
	FSM_ESTABLISHED,
};

#define BGP_OPEN_HOLD 240  /* hold time while waiting for OPEN (RFC 4271 §8.2.2: "large") */
#define BGP_PROBE_WAIT 30  /* how long a connection arriving while Established may stay silent */
#define BGP_LINGER 3       /* seconds a closing connection gets to deliver its NOTIFICATION */
/* A peer's unsent output over this leaves it out of its update group's stream... */
#define BGPD_OUT_HIGH_WATER (8u << 20)
/* ... until it drains under this (then it gets what changed meanwhile). */
#define BGPD_OUT_LOW_WATER (2u << 20)
/* The same for the stream to vrfmgr (vrfmgr_link.c): past this, changes wait in the RIB ... */
#define BGPD_IPC_HIGH_WATER (8u << 20)
/* ... and are sent once it is under this. */
#define BGPD_IPC_LOW_WATER (2u << 20)

struct bgp_peer;

/* One TCP connection; a peer may briefly have two (collision, §6.8). */
struct bgp_conn {
	struct bgp_peer *peer;
	struct bgpd *d;
	struct bufferevent *bev;
	enum fsm_state state; /* CONNECT, OPENSENT, OPENCONFIRM, ESTABLISHED */
	bool outbound;
	bool ext_msg; /* both sent the extended message capability (RFC 8654) */
	bool probe;   /* arrived while Established: only its first message is read */
	bool closing; /* NOTIFICATION queued, waiting to drain */
	bool delay_open; /* DelayOpenTimer running: TCP is up, our OPEN waits for the peer's */
	bool sent_gr_notif; /* our OPEN had the N bit (RFC 8538): a reload may change the knob since */
	uint32_t sent_llgr_time; /* our OPEN's long-lived stale time (RFC 9494), 0: none sent */
	uint32_t local_addr;
	uint32_t remote_addr;
	struct event *hold_timer;
	struct event *ka_timer;
	struct event *delay_timer; /* RFC 4271 DelayOpenTimer */
	struct bgp_open open; /* the peer's, once received */
	uint16_t hold_time;   /* negotiated */
	uint16_t keepalive;
	struct bgp_conn *next_closing;
};

/* An announcement (attrs set) or withdrawal (attrs NULL) waiting to be packed. */
struct adjout_item {
	struct bgp_vpn_nlri nlri;
	struct attr_set *attrs;
};

/*
 * Encoded UPDATEs built once for an update group (updgroup.c) and queued by
 * reference to every member's output: one copy however many members.
 */
struct adjout_chunk {
	uint32_t refs;
	uint32_t n_msgs;
	size_t len;
	uint8_t data[];
};

/*
 * Where one member's stream departs from its group's in this flush: a route
 * the group announces must not go back to the member it came from (or whose
 * router id is its ORIGINATOR_ID), RFC 4456 §8. Such a member gets the
 * group's items with these changes, packed for it alone.
 */
struct adjout_override {
	size_t pos;     /* the group item it concerns (or precedes) */
	bool skip;      /* the member does not get group item pos */
	bool withdraw;  /* the member gets a withdrawal of nlri */
	struct bgp_vpn_nlri nlri;
};

/*
 * What makes two neighbors' outbound policy the same, hence their UPDATEs
 * byte for byte the same (docs/bgp.md, "Update groups"): the session type
 * (what is eligible, LOCAL_PREF, own AS prepended, reflection attributes),
 * route reflector client status (iBGP only), the families, 4-octet AS
 * (AS_PATH encoding), extended messages (packing) and the next hop we put
 * in (the session's local address).
 */
struct updgroup_key {
	bool ebgp;
	bool rr_client;
	bool as4;
	bool ext_msg;
	uint8_t afs;
	uint32_t nexthop;
	bool llgr; /* long-lived GR negotiated: it may hear LLGR_STALE paths (RFC 9494) */
	/*
	 * Route target constraint negotiated (RFC 4684): its VPN routes are
	 * filtered by this peer's own membership, so it is alone in its group.
	 */
	const struct bgp_peer *rtc_peer;
};

struct updgroup {
	struct bgpd *d;
	struct updgroup *next;
	unsigned id;             /* for logs and the API */
	unsigned slot;           /* its RIB bit: what the group as a whole was told */
	struct updgroup_key key;
	struct attr_ctx ctx;     /* the encoding context all members share */
	struct bgp_peer *members;
	size_t n_members;
	struct adjout_item *items; /* this flush's changes, packed once */
	size_t n_items, cap_items;
	struct attr_set *memo_in;  /* last export: (source, source set) -> exported set */
	const struct rib_source *memo_src;
	struct attr_set *memo_out;
	uint64_t updates_built;    /* UPDATEs encoded once for all members */
};

/* UPDATE errors from one neighbor (RFC 7606), counted over the daemon's life. */
struct bgp_update_errors {
	uint64_t treat_as_withdraw; /* UPDATEs whose routes were taken as withdrawn */
	uint64_t routes_withdrawn;  /* routes in those */
	uint64_t attribute_discard; /* UPDATEs that lost a malformed attribute */
	uint64_t session_reset;     /* UPDATEs that reset the session */
};

/* A membership route we advertised to a peer, and whose it is (rtc_adv.c). */
struct rtc_adv {
	struct rtc_route r;
	int src; /* RTC_SRC_LOCAL (our VRFs, or the default we ask for), else a peer slot */
	struct attr_set *attrs; /* what src's came with (NULL: ours); a reference in rtc_out */
};
#define RTC_SRC_LOCAL (-1)

struct bgp_peer {
	struct bgpd *d;
	const struct cfg_neighbor *cfg;
	char name[IPV4_STRLEN];      /* the peer's address, for logs */
	struct bgp_conn *out, *in;   /* connections being set up, one per direction */
	struct bgp_conn *est;        /* the established one */
	struct bgp_conn *probe;      /* a connection that came in while Established */
	enum fsm_state idle_state;   /* shown when there is no connection: Idle or Active */
	struct event *retry_timer;
	struct rib_source src;       /* Adj-RIB-In; src.slot is the Adj-RIB-Out bit */
	struct attr_ctx ctx;         /* negotiated */
	bool enhanced_rr;            /* both sent enhanced route refresh (RFC 7313) */
	bool gr_capable;             /* its graceful restart capability covers VPN-IPv4 (RFC 4724) */
	uint16_t gr_time;            /* its restart time */
	bool gr_notif;               /* both sent the N bit: NOTIFICATIONs restart gracefully (RFC 8538) */
	bool gr_waiting;             /* its routes are kept stale, waiting for it / its End-of-RIB */
	struct event *gr_timer;      /* restart time, then stale time */
	time_t gr_stale_until;       /* bgpd_clock() past which they go, however often it restarts */
	bool llgr;                   /* both sent long-lived GR for VPN-IPv4 (RFC 9494, llgr.c) */
	uint32_t llgr_peer_time;     /* its long-lived stale time for VPN-IPv4 */
	uint32_t llgr_time;          /* the one we keep its routes for: the lower of its and ours */
	bool llgr_stale;             /* its stale routes are long-lived stale: gr_timer is the LLST */
	unsigned flaps;              /* recent failures: the idle hold-down doubles with each */
	bool max_prefix_warned;
	bool rtc_limit_warned;       /* its membership passed rtc_limit (warn_only) */
	bool admin_down;             /* stays down (max-prefix exceeded, no restart) */
	bool refusal_said;           /* down (admin_down, shutdown): a refused connection logged */
	uint32_t local_addr;         /* of the established session: our next hop */
	time_t up_since;             /* bgpd_clock() when Established; 0 while it is not */
	time_t down_since;           /* bgpd_clock() when its last session ended; 0: never up */
	uint64_t session_downs;      /* Established sessions that ended, since bgpd started */
	char last_error[BGP_ERR_TEXT_MAX + 64]; /* a peer's shutdown communication too (RFC 9003) */
	char connect_error[128];     /* why our last connect to it failed; "" once one came up */
	uint64_t msgs_in, msgs_out;
	struct bgp_update_errors uerr;
	uint64_t uerr_logged; /* (action, subcode) pairs logged this session: each once */
	bool eor_lookalike_logged;   /* an End-of-RIB lookalike logged this session (input.c) */
	size_t n_advertised;
	struct adjout_item *pending; /* its own stream (full table walks, split horizon) */
	size_t n_pending, cap_pending;
	struct updgroup *grp;        /* while Established */
	struct bgp_peer *grp_next;
	unsigned dirty_slot;         /* RIB bit: changed while parked, resent when drained */
	bool parked;                 /* output backlog over the bound: out of the shared stream */
	bool eor_owed;               /* its first End-of-RIB waits for vrfmgr's routes (adjout.c) */
	bool gr_eor_seen;            /* it sent End-of-RIB since bgpd started (gr_restart.c) */
	struct adjout_override *ovr; /* this flush's departures from the group stream */
	size_t n_ovr, cap_ovr;
	uint64_t updates_own;        /* UPDATEs encoded for this peer alone */
	uint64_t parks;              /* times its backlog went over the bound */
	/* route target constraint (RFC 4684, rtc_adv.c), while both sent the family */
	bool rtc;                    /* its VPN routes are filtered by rtc_in */
	bool rtc_ready;              /* its membership is complete: its End-of-RIB came, or the wait ended */
	bool rtc_rewalk;             /* rtc_in changed: what it was sent is looked at again */
	bool rtc_eor_sent;           /* our membership and its End-of-RIB went out */
	bool rtc_vpn_eor_owed;       /* its VPN-IPv4 End-of-RIB waits for rtc_ready */
	struct event *rtc_timer;     /* bounds the wait for its End-of-RIB */
	struct rtc_set rtc_in;       /* the membership it advertised */
	bool rtc_kept;               /* down: rtc_in kept while its routes are (graceful restart) */
	struct rtc_set rtc_old;      /* back: the last session's, until its End-of-RIB */
	struct rtc_map rtc_out;      /* the membership we advertised to it (entries' out) */
	size_t n_rtc_out;            /* rtc_out.n */
	struct rtc_pub rtc_pub;      /* its membership as the index has it (rtc_out.c) */
	bool rtc_pub_dirty;          /* rtc_in or rtc_old changed since: published at the flush */
	uint64_t rtc_rewalks;        /* times its membership changed what it may hear */
	uint64_t rtc_full_walks;     /* ... of them looked at the whole RIB (not the difference alone) */
	struct rtc_route *rtc_walked; /* rtc_in (sorted) as of its last look: what a change differs from */
	size_t n_rtc_walked;
	bool rtc_walked_valid;       /* else the next look is at the whole RIB */
	unsigned held_slot;          /* RIB bit: its membership held e back when last decided; 0: none */
	bool held_counted;           /* those bits are set and n_held counts them (rtc_held.c) */
	size_t n_held;
};

struct vrfmgr_link;
struct api_server;
struct bgpd_events;

struct bgpd {
	struct event_base *base;
	const struct ferry_config *cfg;
	struct rib *rib;
	struct rib_source local;  /* routes from vrfmgr */
	/*
	 * One slot per neighbor, fixed at start (bgpd_peer_slots): a slot's
	 * index gives its RIB bits, and the routes, timers and connections of a
	 * peer point at it, so slots never move. A reload fills free slots (cfg
	 * NULL) and frees those of removed neighbors.
	 */
	struct bgp_peer *peers;
	size_t peer_slots;
	unsigned slot_bits;       /* RIB bits per slot: 3, or 4 with a held_slot each (rtc_held.c) */
	struct evconnlistener *listener;
	struct event *flush_ev;
	struct event *stop_ev;
	struct bgp_update *upd;   /* decode scratch */
	struct wbuf out;          /* encode scratch */
	struct bgp_conn *closing; /* connections draining a NOTIFICATION */
	struct vrfmgr_link *vl;
	struct api_server *api;
	struct bgpd_events *events; /* events.c: the /events ring, freed with api */
	const char *run_dir_override; /* -r, which GET /reload/check applies as SIGHUP does */
	struct updgroup *groups;
	unsigned next_group_id;
	size_t out_high_water;    /* a member's unsent bytes over this: parked (updgroup.c) */
	size_t out_low_water;     /* ... back under this: resynchronized and back in */
	size_t ipc_high_water;    /* unsent bytes to vrfmgr over this: changes wait (vrfmgr_link.c) */
	size_t ipc_low_water;     /* ... until it is back under this */
	unsigned probe_wait;      /* seconds a probe may stay silent (BGP_PROBE_WAIT; tests less) */
	uint64_t updates_encoded; /* every UPDATE built for peers (shared ones once) */
	struct bgp_vpn_nlri *run; /* packing scratch */
	size_t run_cap;
	/*
	 * vrfmgr has not yet replayed the local routes since bgpd started
	 * (vrfmgr_link.c): a peer coming up gets what is there, but its
	 * End-of-RIB waits, or it would take an empty table as complete.
	 */
	bool local_pending;
	/*
	 * Graceful restart, restarting side (gr_restart.c): bgpd was not
	 * stopped cleanly, so fwd kept forwarding on its routes (F bit), and
	 * it is still waiting for its neighbors' End-of-RIBs (R bit).
	 */
	bool gr_restarted;
	bool gr_deferring;
	struct event *gr_defer_ev;
	bool stopping;
	void (*on_stopped)(struct bgpd *d);
	/* route target constraint (rtc_adv.c): our membership, from vrfmgr's import RTs */
	struct rtc_set rtc_local;
	bool rtc_dirty; /* who may hear whose membership changed: everything looked at again */
	bool rtc_delta; /* a neighbor's membership changed: its changed routes looked at */
	struct rtc_map rtc_idx;        /* every membership route and its sources (rtc_index.h) */
	struct rtc_pub rtc_local_pub;  /* rtc_local as the index has it */
	struct rtc_changes rtc_changes; /* routes whose sources changed, not yet looked at */
	unsigned rtc_eor_wait; /* seconds, RTC_EOR_WAIT (tests shorten it) */
};

/*
 * A neighbor that takes no session for now: held down after max-prefix, or
 * shut down in the config. It is not dialed, its connections are refused,
 * and a restart's deferral does not wait for its End-of-RIB.
 */
static inline bool peer_held_down(const struct bgp_peer *p)
{
	return p->admin_down || p->cfg->shutdown;
}

/* Its routes that count toward max-prefix: those kept stale for its graceful restart go. */
static inline size_t peer_fresh_paths(const struct bgp_peer *p)
{
	return p->src.n_paths - p->src.n_stale;
}

/* ---- gr_restart.c ---- */
/*
 * bgpd restarted (main.c found it was not stopped cleanly): it defers for
 * at most deferral_s (bgp.graceful_restart.deferral_time). 0, or -1 on ENOMEM.
 */
int bgpd_gr_restarted(struct bgpd *d, unsigned deferral_s);
/* A neighbor sent End-of-RIB or came up: ends the deferral once every one has. */
void bgpd_gr_check(struct bgpd *d);
void bgpd_gr_free(struct bgpd *d);
/* End-of-RIBs to peers wait: for vrfmgr's routes, or for a restart's deferral. */
static inline bool bgpd_eor_waits(const struct bgpd *d)
{
	return d->local_pending || d->gr_deferring;
}

/* ---- bgpd.c ---- */
/* Creates the speaker: RIB, peers, listener, starts the sessions. NULL on failure (logged). */
struct bgpd *bgpd_new(struct event_base *base, const struct ferry_config *cfg);
/*
 * Sends Cease (6/2, saying "ferry bgpd on NAME stopping": RFC 9003) on every
 * connection, waits for them to drain (bounded), then calls done.
 */
void bgpd_stop(struct bgpd *d, void (*done)(struct bgpd *d));
/*
 * A stop to restart gracefully (planned: an upgrade): every connection
 * closed without a NOTIFICATION, which graceful restart peers read as our
 * restart (RFC 4724): they keep our routes, stale, and fwd forwards on.
 */
void bgpd_stop_graceful(struct bgpd *d, void (*done)(struct bgpd *d));
void bgpd_free(struct bgpd *d);
/* Seconds on a clock no time step moves (CLOCK_MONOTONIC), never 0: for durations. */
time_t bgpd_clock(void);
/* Processes the RIB's changed queue soon (once per event-loop turn). */
void bgpd_schedule_flush(struct bgpd *d);
/* A local (vrfmgr) route: add/replace or remove. 0 or -errno. */
int bgpd_local_add(struct bgpd *d, const struct rd *rd, const struct prefix4 *prefix,
		   uint32_t label, const struct ext_community *rts, size_t n_rts, uint32_t nexthop,
		   uint32_t local_pref, uint32_t med);
int bgpd_local_del(struct bgpd *d, const struct rd *rd, const struct prefix4 *prefix);
struct bgp_peer *bgpd_peer_by_addr(struct bgpd *d, uint32_t addr);
/*
 * The neighbors a speaker started with n of can have: as many as the RIB's
 * Adj-RIB-Out words for n hold (bits each plus the local one: with 3, 21
 * per 64-bit word; with 4, 15), so the room a reload has costs no memory
 * per route. 4 when a neighbor has route target constraint (rtc_held.c).
 */
size_t bgpd_peer_slots(size_t n_neighbors, unsigned bits);
/* Takes a free slot for neighbor n (not started). NULL when none is left or on ENOMEM (logged). */
struct bgp_peer *bgpd_peer_add(struct bgpd *d, const struct cfg_neighbor *n);
/* Frees p's slot; p must be down (fsm_peer_reset) with no routes. */
void bgpd_peer_release(struct bgp_peer *p);

/* ---- sighup.c ---- */
/*
 * Loads cfg's file again (run_dir, when not NULL, overriding as -r does) and
 * applies it (bgpd_reload), logging the outcome. Returns the config running
 * now: a new one (cfg freed) or cfg itself (refused).
 */
struct ferry_config *bgpd_sighup(struct bgpd *d, struct ferry_config *cfg, const char *run_dir);
/*
 * cfg's file as a reload reads it (run_dir, when not NULL, overriding as -r
 * does): the new config (malloc'd: config_free and free), or NULL with why
 * in err. Only loads: bgpd_reload and bgpd_reload_plan check it.
 */
struct ferry_config *bgpd_reload_load(const struct ferry_config *cfg, const char *run_dir,
				      char *err, size_t errlen);

/* ---- reload.c ---- */
/* What a reload does, counted before it starts (its dry run counts the same way). */
struct bgpd_reload_stats {
	size_t added, removed, changed, unchanged;
};
/* "1 neighbor added, 0 removed, 1 changed, 2 unchanged", as "reload done" says it */
void bgpd_reload_stats_format(const struct bgpd_reload_stats *st, char *out, size_t len);

/* What a reload does to one neighbor; SHUT_DOWN and BROUGHT_UP count as changed. */
enum bgpd_reload_fate {
	BGPD_RELOAD_UNCHANGED, /* not touched (a new description is taken in place) */
	BGPD_RELOAD_REMOVED,   /* Cease 6/3, its routes withdrawn, its slot freed */
	BGPD_RELOAD_CHANGED,   /* Cease 6/6, back with its new settings */
	BGPD_RELOAD_SHUT_DOWN, /* Cease 6/2 with its reason, stays down */
	BGPD_RELOAD_BROUGHT_UP, /* no longer shut down: dials again */
	BGPD_RELOAD_ADDED,     /* a free slot, started */
};
const char *bgpd_reload_fate_name(enum bgpd_reload_fate f); /* "shut_down" */
/*
 * The fate of a running neighbor configured as was whose new config is n
 * (NULL: not in the new file); for CHANGED, *what is the first setting that
 * differs ("max_prefix"), else NULL. The reload and its dry run both ask this.
 */
enum bgpd_reload_fate bgpd_reload_fate(const struct cfg_neighbor *was,
				       const struct cfg_neighbor *n, const char **what);

/*
 * A dry run: what bgpd_reload(d, nc) would do, one entry per neighbor it
 * touches (the running ones in slot order, then those added in nc's order).
 */
struct bgpd_reload_plan {
	struct bgpd_reload_stats st;
	struct bgpd_reload_plan_neighbor {
		uint32_t address;
		enum bgpd_reload_fate fate;
		const char *what; /* CHANGED: the setting, a static string */
	} *neighbors;
	size_t n;
};
/*
 * Fills p with what bgpd_reload(d, nc) would do, by the same checks and
 * decisions, touching nothing: 0, or -1 with err set as bgpd_reload sets
 * it (refused), or -ENOMEM. bgpd_reload_plan_free after any of them.
 */
int bgpd_reload_plan(const struct bgpd *d, const struct ferry_config *nc,
		     struct bgpd_reload_plan *p, char *err, size_t errlen);
void bgpd_reload_plan_free(struct bgpd_reload_plan *p);
/*
 * Applies a new configuration in place (SIGHUP): neighbors added are
 * started, removed ones get Cease 6/3 and their routes are withdrawn,
 * changed ones are reset with Cease 6/6 and come back with their new
 * settings, the others are not touched. 0 when applied (d->cfg is nc from
 * then on; the caller frees the old one), or -1 with err set ("file: field:
 * why") and nothing changed: nc has no bgp section, changes what needs a
 * restart, or more neighbors than the slots.
 */
int bgpd_reload(struct bgpd *d, const struct ferry_config *nc, struct bgpd_reload_stats *st,
		char *err, size_t errlen);
enum fsm_state peer_state(const struct bgp_peer *p);
const char *fsm_state_name(enum fsm_state s);

/* ---- fsm.c ---- */
void fsm_peer_start(struct bgp_peer *p);
/* An accepted TCP connection from a configured neighbor. */
void fsm_conn_accepted(struct bgp_peer *p, struct bgp_conn *c);
/*
 * An OPEN on the probe c may say the peer restarted (RFC 4724 §4.2): c goes
 * on as an inbound connection, and replaces the session once Established.
 */
void fsm_conn_restarted(struct bgp_conn *c);
/* The probe c stayed silent for probe_wait seconds (fsm_msg.c). */
void fsm_probe_silent(struct bgp_conn *c);
/* c goes on as the peer's inbound connection, our OPEN sent (fsm_conn_restarted's end). */
void fsm_probe_answer(struct bgp_conn *c);
/* The outbound connection completed (ok) or failed. */
void fsm_conn_connected(struct bgp_conn *c, bool ok);
/*
 * Our connect to p failed, why ("Connection refused", "no answer in 5 s"):
 * kept for the API and logged when the reason is new, as a peer that
 * cannot be reached otherwise shows only Active with no error at all.
 */
void fsm_connect_failed(struct bgp_peer *p, const char *why);
/* One complete message. 0, or -1 when c was closed (stop reading it). */
int fsm_message(struct bgp_conn *c, uint8_t type, const uint8_t *body, size_t len);
/* An UPDATE on an established connection (input.c). 0, or -1 when c was closed. */
int fsm_update(struct bgp_conn *c, const uint8_t *body, size_t len);
/* The TCP connection died (EOF/error) without a NOTIFICATION. */
void fsm_conn_lost(struct bgp_conn *c, const char *why);
/* Sends err (if any), closes c, and takes the peer down/Idle when it was its last. */
void fsm_conn_fail(struct bgp_conn *c, const struct bgp_err *err, const char *why);
/* The peer sent a NOTIFICATION: close without answering. */
void fsm_conn_notified(struct bgp_conn *c, const struct bgp_err *err);
/*
 * Takes the peer down for good or for a restart with new settings (reload):
 * every connection closed with err where a NOTIFICATION can be sent, the
 * routes withdrawn as when a session goes down (stale ones too), timers
 * stopped, the peer left Idle. why is logged.
 */
void fsm_peer_reset(struct bgp_peer *p, const struct bgp_err *err, const char *why);
/*
 * Both OPENs on c had the N bit (RFC 8538): the established session's, or
 * one in OpenConfirm. Ours as sent: a reload may have changed the knob since.
 */
bool fsm_conn_gr_notif(const struct bgp_conn *c);
/*
 * The NOTIFICATION for c (established, or in OpenConfirm): err, or a Hard
 * Reset carrying it (in *hard) when err means "for good" and both sent the N bit.
 */
const struct bgp_err *fsm_hard_if_final(const struct bgp_conn *c, const struct bgp_err *err,
					struct bgp_err *hard);
/* The peer's ConnectRetry timer (arg: the peer). */
void fsm_retry_cb(int fd, short what, void *arg);
/* A connection's DelayOpenTimer ran out (arg: the connection): our OPEN goes now. */
void fsm_delay_open_cb(int fd, short what, void *arg);
/* Sends our OPEN on c: OpenSent, hold timer at its large initial value. */
void fsm_send_open(struct bgp_conn *c);
/* The peer's routes passed its max_prefix (input.c): warn, or Cease 6/1 and stay down a while. */
void fsm_max_prefix(struct bgp_peer *p);
/*
 * Its route target membership routes passed max_prefix.rtc_limit (input.c):
 * the same, the Cease's data naming AFI 1 / SAFI 132 (RFC 4486 §4).
 */
void fsm_max_rtc(struct bgp_peer *p);
/* The membership routes p may hold: its rtc_limit, or CFG_RTC_LIMIT for a config made by hand. */
static inline uint32_t peer_rtc_limit(const struct bgp_peer *p)
{
	return p->cfg->rtc_limit ? p->cfg->rtc_limit : CFG_RTC_LIMIT;
}
/* Graceful restart (RFC 4724): the peer's End-of-RIB, or its restart/stale timer. */
void fsm_gr_sweep(struct bgp_peer *p, const char *why);
/* Seconds p's stale routes may stay from now: want, within their bound (gr_stale_until). */
unsigned fsm_gr_stale_left(const struct bgp_peer *p, unsigned want);
void fsm_gr_timer_cb(int fd, short what, void *arg);

/* ---- llgr.c: long-lived graceful restart (RFC 9494), receiving side ---- */
/* Established: records whether p negotiated it, and for how long its routes may stay. */
void llgr_established(struct bgp_peer *p, const struct bgp_conn *c);
/*
 * p's graceful restart ended without its End-of-RIB: its stale routes
 * carrying NO_LLGR go, the others become long-lived stale for p->llgr_time.
 * False (nothing done) when p did not negotiate it or has nothing stale.
 */
bool llgr_enter(struct bgp_peer *p);
/*
 * p's session ended again while its routes are long-lived stale: what it
 * sent since is long-lived stale too, within the time already running.
 * False when they are not long-lived stale (graceful restart as usual).
 */
bool llgr_session_down(struct bgp_peer *p);
/* p is back while its routes are long-lived stale: false when they must go (no F bit). */
bool llgr_back(struct bgp_peer *p, const struct bgp_open *o);

/* ---- session.c ---- */
int session_listen(struct bgpd *d);
/* Starts a non-blocking connect for p; the result comes to fsm_conn_connected. */
struct bgp_conn *session_connect(struct bgp_peer *p);
struct bgp_conn *session_conn_new(struct bgp_peer *p, int fd, bool outbound);
/* Queues a message already encoded in w (counted as sent). */
void session_send(struct bgp_conn *c, const struct wbuf *w);
/* Queues shared encoded UPDATEs by reference (no copy; k released when sent). */
void session_send_chunk(struct bgp_conn *c, struct adjout_chunk *k);
void session_send_keepalive(struct bgp_conn *c);
/* Detaches c from its peer and closes it, after sending err when given. */
void session_close(struct bgp_conn *c, const struct bgp_err *err);
void session_timer_set(struct event *ev, unsigned seconds);
/* The listener learns the neighbors' TCP-MD5 keys and GTSM (again, after a reload). */
void session_listener_protect(struct bgpd *d);
/* The listener forgets addr's TCP-MD5 key (a neighbor removed or without one now). */
void session_listener_unkey(struct bgpd *d, uint32_t addr);
/* Frees connections still lingering (daemon teardown). */
void session_free_closing(struct bgpd *d);

/* ---- adjout.c ---- */
/*
 * A peer that just came up joins its update group and gets the whole
 * Adj-RIB-Out (the group's shared walk when it is the first member, a walk
 * of its own otherwise), then End-of-RIB.
 */
void adjout_peer_up(struct bgp_peer *p);
/* Answers a ROUTE-REFRESH: the Adj-RIB-Out again, between BoRR and EoRR when enhanced. */
void adjout_refresh(struct bgp_peer *p);
/* Leaves the group, forgets what was advertised. */
void adjout_peer_down(struct bgp_peer *p);
/* What group g (and each member) should hear about e's best path now; sent by updgroup_send. */
void adjout_group_entry(struct updgroup *g, struct rib_entry *e);
/* A parked peer's output drained: resend what changed meanwhile, back into the shared stream. */
void adjout_drained(struct bgp_peer *p);
/* After a flush: End-of-RIB to the peers that waited for vrfmgr's routes, once they are in. */
void adjout_send_owed_eor(struct bgpd *d);
/* p may hear path: policy (communities, reflection, no learned routes to eBGP), not back to its source. */
bool adjout_eligible(const struct bgp_peer *p, const struct rib_path *path);
/* The same, for a group's policy (no per-member split horizon). */
bool adjout_group_eligible(const struct updgroup_key *k, const struct rib_path *path);
/* Per-member split horizon: path came from p, or names p's router id as ORIGINATOR_ID. */
bool adjout_split_horizon(const struct bgp_peer *p, const struct rib_path *path);
/*
 * The groups forget exports memoized for src: its slot is about to serve
 * another neighbor, or a new session of it (another router id) begins.
 */
void adjout_forget_source(struct bgpd *d, const struct rib_source *src);

/* ---- updgroup.c ---- */
/* Puts p (Established) in the group of its policy, created if none. */
struct updgroup *updgroup_join(struct bgp_peer *p);
/* Takes p out; a group left empty is freed (its RIB bits cleared). */
void updgroup_leave(struct bgp_peer *p);
/* Queues an item on the group's (or a peer's own) list; takes the attrs reference. */
void updgroup_push(struct adjout_item **v, size_t *n, size_t *cap, const struct rib_entry *e,
		   uint32_t label, struct attr_set *attrs);
/* Packs this flush's items once, queues the bytes to each member (own streams where needed). */
void updgroup_send(struct updgroup *g);
/* Packs and queues p's own list (walks, resynchronization). */
void updgroup_send_own(struct bgp_peer *p);
/* Before a flush: members whose unsent output passed out_high_water are parked. */
void updgroup_check_backlog(struct bgpd *d);
/* Unsent bytes queued to p's established connection. */
size_t updgroup_backlog(const struct bgp_peer *p);
/*
 * For the API: p's update group id (0 when not Established) with its member
 * count and the UPDATEs built once for all of them (either may be NULL).
 */
unsigned bgpd_peer_update_group(const struct bgp_peer *p, size_t *members, uint64_t *built);
void adjout_chunk_unref(struct adjout_chunk *k);

/* ---- vrfmgr_link.c ---- */
struct vrfmgr_link *vrfmgr_link_new(struct bgpd *d);
void vrfmgr_link_free(struct vrfmgr_link *vl);
/* Tells vrfmgr about e's best remote path (ADD), or that there is none (DEL). */
void vrfmgr_link_entry(struct vrfmgr_link *vl, struct rib_entry *e);
/*
 * Each flush, after the changes: the replay left open since vrfmgr
 * connected ends once a restart's deferral is over (gr_restart.c) and
 * nothing waits for vrfmgr.
 */
void vrfmgr_link_replay_done(struct vrfmgr_link *vl);

/* ---- rtc_adv.c: route target constraint (RFC 4684) ---- */
/* Seconds VPN-IPv4 routes to a peer wait for its membership's End-of-RIB (RFC 4684 §6). */
#define RTC_EOR_WAIT 30
/* vrfmgr's import RTs (IPC_RT_IMPORTS): our membership, one route each from our AS. */
void rtc_local_set(struct bgpd *d, const struct ext_community *rts, size_t n);
/* vrfmgr's import RTs did not fit one message (IPC_RT_IMPORTS_ALL): ask for everything. */
void rtc_local_set_all(struct bgpd *d);
/* An UPDATE's membership routes (already checked), as withdrawals when withdraw is set. */
void rtc_input(struct bgp_peer *p, const struct bgp_update *u, bool withdraw);
/*
 * Sorts in every neighbor's membership routes taken since (rtc.h): first in
 * each flush, before the routes and rewalks look them up.
 */
void rtc_settle_all(struct bgpd *d);
/* Its membership holds more than its rtc_limit (then fsm_max_rtc). */
bool rtc_over_limit(struct bgp_peer *p);
/* p came up: with the family, its VPN routes wait for its membership; ours goes out. */
void rtc_peer_up(struct bgp_peer *p);
/*
 * p went down: its membership is kept (as its routes may be, for its
 * graceful restart) until rtc_gr_end; what we advertised it is forgotten.
 */
void rtc_peer_down(struct bgp_peer *p);
/* p's graceful restart is over (or there was none): a membership kept for it goes. */
void rtc_gr_end(struct bgp_peer *p);
/* Whether p's membership asks for path (its route targets); true without the family. */
bool rtc_peer_wants(const struct bgp_peer *p, const struct rib_path *path);
/*
 * In a flush, before the groups send: VPN routes looked at again where a
 * membership changed (rtc_rewalk.c); the RIB's paths by attribute set kept
 * while some neighbor has the family, dropped when none has.
 */
void rtc_flush_rewalks(struct bgpd *d);
/* p's next look at its VPN routes is at the whole RIB (unless its session comes up: rtc_peer_up). */
void rtc_rewalk_forget(struct bgp_peer *p);
/* In a flush, after: the membership we advertise brought up to date, End-of-RIBs due. */
void rtc_flush_adverts(struct bgpd *d);
/* A ROUTE-REFRESH for the family: our membership routes again, then End-of-RIB. */
void rtc_refresh(struct bgp_peer *p);
/*
 * ---- rtc_held.c ----
 * For the API: VPN routes p's policy allows but its membership holds back
 * now (counted by one walk the first time in a session, kept since).
 */
size_t rtc_held_back(const struct bgp_peer *p);
/* p's group has just decided e (adjout.c): what p holds back of it, counted. */
void rtc_held_note(struct bgp_peer *p, struct rib_entry *e);
/* p's session went (its bits cleared with its others): nothing counted. */
void rtc_held_reset(struct bgp_peer *p);
void rtc_peer_free(struct bgp_peer *p);
void rtc_free(struct bgpd *d);

/* ---- rtc_out.c: the membership we advertise (RFC 4684) ---- */
/* Whether q gives membership: Established with the family, or kept across its graceful restart. */
bool rtc_has_membership(const struct bgp_peer *q);
/* Forgets what p was advertised (the references it held). */
void rtc_out_clear(struct bgp_peer *p);
/* p goes: what it put into the index leaves, what it was advertised is forgotten. */
void rtc_out_free(struct bgp_peer *p);
void rtc_timer_cb(int fd, short what, void *arg);

/* ---- api.c ---- */
int bgpd_api_start(struct bgpd *d, const char *path);

#endif
