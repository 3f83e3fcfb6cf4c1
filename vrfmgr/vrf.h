/*
 * The VRF table and each VRF's routes. A VRF is built from its config entry
 * (id, name, RD, RTs, interfaces, statics) and gets its per-VRF label at
 * start. Its route table maps a prefix to candidate routes from several
 * sources; one is selected and, when its next hop resolves, installed in the
 * dataplane. Selection: a usable route beats an unusable one, then the
 * lowest distance (connected 0, static 1 or as configured, leaked and bgp
 * 200), then connected > static > leaked (another local VRF's route,
 * imported by RT) > bgp; among bgp routes (one per RD) the highest
 * local_pref, then the lowest remote PE address, then the lowest RD bytes;
 * among static routes (one per next hop) the lowest next hop address.
 *
 * Changes go out through struct dataplane as they happen; vrf_table_replay
 * re-emits the whole state for a dataplane that (re)connects. Likewise each
 * change of what a prefix exports (l3vpn.h) goes out through struct
 * export_sink at once, and to the local VRFs that import it (leaking).
 */
#ifndef FERRY_VRFMGR_VRF_H
#define FERRY_VRFMGR_VRF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/config.h"
#include "common/prefix.h"
#include "common/rd.h"
#include "vrfmgr/dataplane.h"
#include "vrfmgr/label.h"
#include "vrfmgr/nexthop.h"
#include "vrfmgr/rt_index.h"
#include "vrfmgr/rtable.h"
#include "vrfmgr/vpn.h"

struct state_lfib;

/* In order of preference when distances are equal. */
enum route_source { ROUTE_CONNECTED = 0, ROUTE_STATIC, ROUTE_LEAKED, ROUTE_BGP };

/* Why a static route's next hop is no neighbour on a link of its VRF (the reason shown). */
enum static_nh {
	STATIC_NH_OK = 0,
	STATIC_NH_OFF_LINK,  /* on no subnet (of its interface, or of the VRF) */
	STATIC_NH_OWN,       /* the router's own address there */
	STATIC_NH_NETWORK,   /* the subnet's first address (links shorter than /31) */
	STATIC_NH_BROADCAST, /* its last */
};

/* Administrative distances (lower wins); a static route's comes from its config (default 1). */
#define ROUTE_DISTANCE_CONNECTED 0
#define ROUTE_DISTANCE_LEAKED 200
#define ROUTE_DISTANCE_BGP 200

/* Kept small: one per prefix per VRF (a million of them), 56 bytes. */
struct vrf_route {
	struct vrf_route *next;  /* the prefix's other candidates */
	struct nexthop *nh;      /* holds a reference; NULL when the route cannot be used */
	const struct ext_community *rts; /* interned (rtset.h), a reference held */
	struct rd rd;            /* bgp: the VPN route's; local: the VRF's; leaked: its source VRF's */
	uint32_t inner_label;    /* bgp: the remote PE's VPN label; else MPLS_LABEL_NONE */
	uint32_t remote_pe;      /* bgp only */
	uint32_t local_pref;     /* bgp only */
	union {
		uint32_t peer;       /* bgp: the neighbor bgpd learned it from */
		uint32_t origin_vrf; /* leaked: id of the VRF it comes from */
	};
	uint16_t n_rts;
	uint8_t source;          /* enum route_source */
	uint8_t distance;        /* see ROUTE_DISTANCE_*: compared before the source */
	bool valid;              /* static: next hop a neighbour on its interface's link */
	uint8_t static_nh;       /* static: enum static_nh, why not valid */
	bool mark;               /* reload: not (yet) found again in the new config */
};

#define VRF_EXP_NH_BIG ((1u << 30) - 1)

struct vrf_prefix {
	struct vrf_prefix *hnext; /* rtable chain */
	struct vrf_route *routes;
	struct vrf_route *best;   /* selected candidate, or NULL */
	struct nexthop *fib_nh;        /* what the dataplane holds (NULL: nothing) */
	/* export state (export.c): advertised with this label, NULL when not exported */
	struct label_entry *exp_label;
	struct prefix4 prefix;
	uint32_t fib_label;
	/*
	 * Next hop it was exported and leaked with, in 30 bits: an id from
	 * VRF_EXP_NH_BIG up (a billion next hops made) is stored as that and
	 * never compares equal (a needless re-leak, never a missed one).
	 */
	uint32_t exp_nh_id : 30;
	uint32_t busy : 1, resync : 1; /* an export sync is running / must run again */
};

struct vrf {
	const struct cfg_vrf *cfg; /* NULL while the table is being built */
	uint32_t id;
	uint32_t label;  /* per-VRF label, MPLS_LABEL_NONE if none (other modes) */
	struct label_entry *vrf_label; /* its allocator entry (the VRF holds a reference) */
	struct rtable routes;
	size_t n_routes; /* candidates over all prefixes */
	size_t n_leaked; /* of which leaked from another local VRF (import.c skips VRFs without) */
	/* route limit (cfg->max_routes on the number of prefixes, routes.count) */
	bool limit_warned; /* at or above the warning threshold: said once */
	bool limit_hit;    /* refused a route since it last had room */
	bool dying;        /* being torn down (reload): nothing installed, exported or leaked in */
	bool label_wait;   /* found no free label (its own or a prefix's): gets one when one is */
	bool label_wait_on_prefix;         /* ... for label_wait_prefix, not its own */
	struct prefix4 label_wait_prefix;  /* the first prefix that found none (logged) */
	bool label_wait_mode_changed;      /* ... and a label mode change is what waits */
	uint32_t import_gen; /* import.c: last VPN route visit that reached this VRF */
};

/* Where exported VPN routes go: bgpd over IPC, a recorder in tests. */
struct export_ops {
	void (*add)(void *ctx, const struct ipc_vpn_route *r, const struct ext_community *rts);
	void (*del)(void *ctx, const struct ipc_vpn_route *r);
};

struct export_sink {
	const struct export_ops *ops; /* NULL: nobody to tell (bgpd gets a replay later) */
	void *ctx;
};

struct vrf_table {
	const struct ferry_config *cfg;
	struct vrf *vrfs;
	size_t n_vrfs;
	struct nexthop_table nhs;
	struct label_alloc labels;
	struct vpn_table vpn; /* every VPN route bgpd gave us (import.c) */
	struct rt_index rtix; /* import RT -> VRFs (import.c); stale when VRFs change */
	uint32_t import_gen;
	size_t n_leaked;      /* leaked candidates in all VRFs: 0 spares import.c a walk */
	bool limits_hit;      /* some VRF has limit_hit set (import_retry_limits has work) */
	bool label_wait;      /* some VRF has label_wait set (vrf_table_labels_tick has work) */
	bool building;        /* the start-up build: a wait is logged once it is done */
	uint64_t label_wait_freed; /* labels.freed when the waiting VRFs last tried */
	struct dataplane dp;
	/*
	 * The prefix whose selection just installed its FIB entry and is
	 * exporting it now (NULL: none): a fib_rts for it (its RTs given as
	 * it goes out) is that same entry's, told in the same call, so the
	 * API's events say it in the entry's fib add (api_events.c).
	 */
	const struct vrf_prefix *fib_exporting;
	struct export_sink exp;
	char state_path[CFG_PATH_MAX]; /* labels and VRF ids persist here ("": nowhere) */
};

/* fwd's limit on VRF ids. */
#define VRF_ID_MAX 65535u

/*
 * Builds every VRF of cfg (which must outlive the table): labels, connected
 * and static routes, programmed through dp (which may have no ops yet).
 * 0, or -ENOSPC when the label range is too small (logged).
 */
int vrf_table_init(struct vrf_table *t, const struct ferry_config *cfg, const struct dataplane *dp);
/*
 * The same, with the labels and VRF ids of the last run from state_path
 * (state.h): unchanged routes keep their labels, VRFs their ids; labels of
 * routes gone since are held down. Nothing is written: the caller saves
 * (vrf_table_save) once it is up, so a start that fails leaves the file be.
 */
int vrf_table_init_state(struct vrf_table *t, const struct ferry_config *cfg,
			 const struct dataplane *dp, const char *state_path);
/* Writes the state file if anything changed since the last write. 0 or -errno. */
int vrf_table_save(struct vrf_table *t);
/* The lowest VRF id not in use. */
uint32_t vrf_table_free_id(const struct vrf_table *t);

/* ---- vrf_table.c, for reload.c ---- */
/*
 * Brings v's connected and static routes in line with v->cfg: adds what is
 * new, replaces what changed, removes what is gone; unchanged routes cause
 * no dataplane or export call at all. 0 or -ENOMEM.
 */
int vrf_local_sync(struct vrf_table *t, struct vrf *v);
/*
 * Removes v's connected and static routes out of interfaces v->cfg no
 * longer has (another VRF may be about to bind them), nothing else.
 */
void vrf_local_shed(struct vrf_table *t, struct vrf *v);
/* Appends a VRF built from c (new id, VRF_ADD, IF_BIND, label, local routes). NULL on failure. */
struct vrf *vrf_table_add(struct vrf_table *t, const struct cfg_vrf *c);
/*
 * Takes v out of the dataplane and of the exports: its routes (FIB_DEL,
 * export DEL, leaked copies elsewhere), labels, its interfaces (all but
 * those next gives to a VRF that stays, which rebinds them), VRF_DEL. v
 * stays in the array (dying) until vrf_table_compact.
 */
void vrf_teardown(struct vrf_table *t, struct vrf *v, const struct ferry_config *next);
/* A VRF came, went or changed its config: the import index is rebuilt before its next use. */
void vrf_table_changed(struct vrf_table *t);
/* Drops the torn-down VRFs from the array. */
void vrf_table_compact(struct vrf_table *t);
/*
 * The hash tables that grow with routes (the VPN table, each VRF's prefix
 * table, the label allocator's indexes, the RT sets) into smaller arrays
 * where they are under 1/8 full, as after a withdrawal; the bytes given
 * back. Each rebuild touches its entries: for a quiet moment (main.c's tick).
 */
size_t vrf_table_shrink(struct vrf_table *t);
/* True when next has an interface (VRF or core) named name. */
bool config_has_interface(const struct ferry_config *next, const char *name);
/* Every prefix with a candidate through nh selects again (nh's resolution changed). */
void vrf_table_reselect_nh(struct vrf_table *t, const struct nexthop *nh);
void vrf_table_free(struct vrf_table *t);
/* Switches the dataplane that later changes go to (no replay). */
void vrf_table_set_dataplane(struct vrf_table *t, const struct dataplane *dp);
/* Switches where later export changes go (no replay: export_walk is that). */
void vrf_table_set_export(struct vrf_table *t, const struct export_sink *sink);
/* Emits the full state to dp: VRF_ADD, IF_BIND, NH_ADD, FIB_ADD, LFIB_ADD. */
void vrf_table_replay(const struct vrf_table *t, const struct dataplane *dp);
/* v's VRF_ADD and its interfaces' IF_BINDs to dp, as replays and new VRFs send them. */
void vrf_emit_config(const struct vrf *v, const struct dataplane *dp);
/* The FIB entry vp has in the dataplane (its installed next hop and label); false when none. */
bool vrf_prefix_fib_entry(const struct vrf *v, const struct vrf_prefix *vp,
			  struct ipc_fib_entry *e);
/*
 * vp's FIB entry stays as fwd holds it; the RTs its route is given changed
 * (export_rts_given): the API's events alone are told (fib_rts, dataplane.h).
 */
void vrf_prefix_rts_changed(struct vrf_table *t, const struct vrf *v, const struct vrf_prefix *vp);

struct vrf *vrf_by_name(struct vrf_table *t, const char *name);
struct vrf *vrf_by_id(struct vrf_table *t, uint32_t id);

/*
 * Adds or replaces the candidate of source tmpl->source (and, for bgp and
 * leaked routes, RD tmpl->rd) for prefix p. The route takes over tmpl->nh's
 * reference and holds one on the interned copy of tmpl->rts (rtset.h).
 * Reselects and programs. 0 or -ENOMEM.
 */
int vrf_route_upsert(struct vrf_table *t, struct vrf *v, const struct prefix4 *p,
		     const struct vrf_route *tmpl);
/*
 * Removes that candidate (for a static, the first one of the prefix). 0, or
 * -ENOENT when there was none.
 */
int vrf_route_remove(struct vrf_table *t, struct vrf *v, const struct prefix4 *p,
		     enum route_source source, const struct rd *rd);
/* Removes the static route of prefix p through next hop nh. 0 or -ENOENT. */
int vrf_static_remove(struct vrf_table *t, struct vrf *v, const struct prefix4 *p,
		      const struct nexthop *nh);
struct vrf_route *vrf_route_find(struct vrf *v, const struct prefix4 *p, enum route_source source,
				 const struct rd *rd);
struct vrf_route *vrf_route_find_static(struct vrf *v, const struct prefix4 *p,
					const struct nexthop *nh);

/* Frees a route unlinked from its prefix (its RT set reference too; not its next hop). */
void vrf_route_free(struct vrf_route *r);
/* Has a next hop that resolves (and, for a static, one on its link). */
bool vrf_route_usable(const struct vrf_route *r);
/* Selects again (a next hop's resolution changed under the candidates). */
void vrf_prefix_reselect(struct vrf_table *t, struct vrf *v, struct vrf_prefix *vp);
bool vrf_route_installed(const struct vrf_prefix *vp, const struct vrf_route *r);
/* Why a candidate is not installed, for humans ("next hop 10.255.0.9 has no LSP"). */
/*
 * Whether nh is a neighbour on ifc's link (NULL: none), by the loader's
 * rule: inside the subnet, not our own address, nor (shorter than /31) its
 * network or broadcast address. STATIC_NH_OK when it is, else why not.
 */
enum static_nh vrf_static_nh_check(const struct cfg_vrf_if *ifc, uint32_t nh);
/*
 * Whether static route s of VRF config c has its next hop as a neighbour on
 * one of c's links (the one it names, else the one whose subnet holds it):
 * STATIC_NH_OK, else why not. *ifname: that link's name ("" for none).
 */
enum static_nh vrf_static_cfg_check(const struct cfg_vrf *c, const struct cfg_static_route *s,
				    const char **ifname);
/* Why a static route's next hop is no neighbour: "next hop ... is ..." into buf. */
const char *vrf_static_nh_text(enum static_nh why, const char *ifname, uint32_t next_hop,
			       char *buf, size_t len);
/* Why static route r (valid false) is not used: "next hop ... is ..." into buf. */
const char *vrf_static_nh_reason(const struct vrf_route *r, char *buf, size_t len);
const char *vrf_route_reason(const struct vrf_prefix *vp, const struct vrf_route *r, char *buf,
			     size_t len);
const char *route_source_name(enum route_source s);

/* ---- vrf_label.c: the labels a VRF advertises, and their LFIB entries ---- */
/*
 * Per-VRF mode: claims v's label and programs "pop, look up in v". 0, or
 * -ENOSPC when none is free: v waits for one (logged once, saying that its
 * routes keep their old labels meanwhile when mode_changed: a reload
 * changed its label_mode), see below.
 */
int vrf_label_claim_vrf(struct vrf_table *t, struct vrf *v, bool mode_changed);
/* Drops v's per-VRF label (LFIB entry deleted, label held down). */
void vrf_label_release_vrf(struct vrf_table *t, struct vrf *v);
/* Whether e is the label v's mode gives a prefix exported through route r. */
bool vrf_label_fits(const struct vrf *v, const struct label_entry *e, const struct vrf_route *r);
/*
 * A reference on the label for prefix vp exported through route r, with its
 * LFIB entry programmed on first use. NULL when no label is free: v waits
 * for one (logged once), see below.
 */
struct label_entry *vrf_label_get(struct vrf_table *t, struct vrf *v, const struct vrf_prefix *vp,
				  const struct vrf_route *r);
/*
 * When no label of v's mode is free for vp (routed through r): a label v
 * gave out in another mode that still leads to r, found by its key, never
 * a new one: vp's own per-prefix label, the per-CE label of r's next
 * hop or v's per-VRF label (pop, look up in v), the first there is, in
 * use or reserved from the state file (in use when vrfmgr stopped), with
 * a reference taken (none when it is old, vp's label already); NULL when
 * there is none. A label mode changed in a full range thus stays
 * make-before-break across a restart, which finds the prefixes without
 * the labels they went out with. A held label is not taken back: another
 * VRF may wait for it.
 */
struct label_entry *vrf_label_get_earlier(struct vrf_table *t, struct vrf *v,
					  const struct vrf_prefix *vp, const struct vrf_route *r,
					  struct label_entry *old);
/*
 * v drops a reference on e; with the last the label is held down. Its LFIB
 * entry stays in fwd through the hold-down while v stays (and, to pop to a
 * CE, keeps that CE's interface with the CE still on it); else it goes now.
 */
void vrf_label_put(struct vrf_table *t, const struct vrf *v, struct label_entry *e);
/*
 * v is torn down: the labels held down for it leave fwd's LFIB now (its id
 * may go to another VRF before their hold-down ends).
 */
void vrf_label_drop_vrf(struct vrf_table *t, const struct vrf *v);
/*
 * A VRF of config c is built (start-up or reload), before it claims a
 * label: when a VRF of its name left with another RD (a reload or restart
 * re-created it), that one's labels are retired, never c's (logged).
 */
void vrf_label_arrive(struct vrf_table *t, const struct cfg_vrf *c);
/*
 * Reload, after the switch to the new config: held labels kept in fwd that
 * pop to a link their VRF no longer has (another VRF may bind it), or to a
 * CE no longer on its renumbered link, leave it.
 */
void vrf_label_drop_stale(struct vrf_table *t);
/* Makes the allocator take kept labels out of fwd when their hold-down ends. */
void vrf_label_attach(struct vrf_table *t);
/* Per-prefix: points e's LFIB entry at nh instead (the prefix's next hop changed). */
void vrf_label_retarget(struct vrf_table *t, struct label_entry *e, struct nexthop *nh);
/*
 * Start-up, after the build and label_release_reserved: each held label
 * the last run had in fwd (m, from the state file) is programmed again
 * with that meaning for the rest of its hold-down when it still holds
 * (its VRF there with the same RD, a CE it popped to still on a link of
 * that VRF); else it stays held but out of fwd, said once in the log.
 */
void vrf_label_restore(struct vrf_table *t, const struct state_lfib *m, size_t n);
/*
 * Start-up, after vrf_label_restore: logs the wait of each VRF that found
 * no free label during the build. During it the last run's labels are
 * reserved, then held down from its end or claimed by it (a relabel's old
 * labels): what is free, and when, is known only now.
 */
void vrf_label_wait_report(const struct vrf_table *t);
/* Emits an LFIB_ADD per label in use and per held label kept in fwd. */
void vrf_label_replay(const struct vrf_table *t, const struct dataplane *dp);
/*
 * Once a second: frees the labels whose hold-down is over and, when any
 * was freed, gives the VRFs that wait for a label (a new VRF whose label
 * range is held down by the one it replaced) their labels, exporting
 * their routes; each such VRF says so in the log.
 */
void vrf_table_labels_tick(struct vrf_table *t);
/*
 * After a reload changed v: a wait for labels its new config ended (the
 * label_mode changed back, the waiting routes gone) is over, said once.
 * Else it lasted until a label was freed, whose tick then said "free
 * again" of what v had all along.
 */
void vrf_label_wait_recheck(struct vrf *v);
/*
 * How many of v's prefixes would be exported and are not, for want of a
 * free label (0 unless v waits for one): GET /vrfs' "exports_waiting".
 */
size_t vrf_label_exports_waiting(const struct vrf *v);
/*
 * How many of v's prefixes are exported with a label of its previous mode
 * while labels of its new one are not free (a label_mode change in a full
 * range, 0 unless v waits): GET /vrfs' "exports_old_label".
 */
size_t vrf_label_exports_old_label(const struct vrf *v);
/* The LFIB entry that gives e its meaning (in use or kept); false when it has none. */
bool vrf_label_lfib_entry(const struct label_entry *e, struct ipc_lfib_entry *m);

#endif
