/*
 * The RIB: one entry per VPN-IPv4 destination (RD, prefix) holding every
 * path to it, each path from a source (a peer, or "local" = vrfmgr). A
 * source's paths are its Adj-RIB-In (no inbound policy here); the entry's
 * best path (RFC 4271 §9.1, reason kept) is the Loc-RIB; per-source bits in
 * the entry say what was advertised to whom (Adj-RIB-Out): one bit per
 * peer, one per update group, one per peer for "changed while it could not
 * keep up" (bgpd.h: the owner assigns the slots).
 *
 * The RIB knows nothing of sessions: an entry whose best path changed is
 * queued, and the owner (bgpd.c) pops the queue to tell peers and vrfmgr.
 * An entry that only gained or lost a path behind its best is queued as
 * well, marked paths_only, for the /events stream's path count alone.
 */
#ifndef FERRY_BGPD_RIB_H
#define FERRY_BGPD_RIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bgpd/attr.h"
#include "bgpd/rib_byattr.h"
#include "bgpd/slab.h"
#include "common/prefix.h"
#include "common/rd.h"

struct rib_path;

struct rib_source {
	unsigned slot;        /* index into the Adj-RIB-Out bits; local = 0 */
	bool local;           /* vrfmgr's routes */
	bool ebgp;
	bool rr_client;       /* a route reflector client of ours (RFC 4456) */
	uint32_t peer_as;
	uint32_t router_id;   /* the peer's BGP identifier */
	uint32_t address;     /* the peer's address */
	struct rib_path *paths; /* Adj-RIB-In */
	size_t n_paths;
	size_t n_stale;         /* paths marked stale and not refreshed since (GR, replay) */
	size_t n_llgr;          /* ... of them long-lived stale (RFC 9494, llgr.c) */
};

struct rib_entry;

struct rib_path {
	struct rib_path *next;     /* the entry's paths */
	struct rib_path *src_next; /* the source's paths */
	struct rib_path *src_prev;
	struct rib_entry *entry;
	struct rib_source *src;
	struct attr_set *attrs;
	uint32_t label;
	bool stale; /* not refreshed since the source's replay began */
	bool llgr;  /* stale, and long-lived stale since: its attrs gained LLGR_STALE (llgr.c) */
};

struct rib_entry {
	struct rib_entry *hnext;
	struct rib_entry *chg_next;
	struct rd rd;
	struct prefix4 prefix;
	struct rib_path *paths;
	struct rib_path *best;
	const char *best_reason; /* why best beat the runner-up */
	uint32_t hash;           /* rib_key_hash(rd, prefix): growth and removal need no rehash */
	bool queued;             /* on the changed queue */
	bool paths_only;         /* ... only because a path came or went behind the best */
	bool exported;           /* vrfmgr holds an ADD for it */
	bool export_pending;     /* changed while vrfmgr was behind: to be sent (vrfmgr_link.c) */
	uint64_t adv[];          /* Adj-RIB-Out: bit per source slot */
};

/*
 * Destinations in a chained hash table of 2^k buckets (bucket = hash & (size
 * - 1), grown by doubling when the load reaches 1: api_rib.c's cursor order
 * relies on both). Entries and paths come from pools of their own (slab.h).
 */
struct rib {
	struct rib_entry **buckets;
	size_t n_buckets;
	size_t n_entries;
	size_t n_paths;
	size_t adv_words;
	struct rib_entry *chg_head, *chg_tail;
	struct slab entry_slab, path_slab;
	struct rib_byattr *byattr; /* paths by attribute set, only while wanted (rib_byattr.h) */
	struct rd memo_rd;   /* the last RD hashed ... */
	uint32_t memo_state; /* ... and the hash state after its 8 bytes */
	bool memo_valid;
};

/* A RIB for sources with slots 0..max_slots-1. NULL on ENOMEM. */
struct rib *rib_new(unsigned max_slots);
/* Frees everything (paths dropped, no queue processing). */
void rib_free(struct rib *rib);

/*
 * Adds or replaces src's path to rd:prefix (takes its own reference on
 * attrs) and clears its stale mark. 0 or -ENOMEM.
 */
int rib_update(struct rib *rib, struct rib_source *src, const struct rd *rd,
	       const struct prefix4 *prefix, struct attr_set *attrs, uint32_t label);
/* Removes src's path to rd:prefix. 0, or -ENOENT when it had none. */
int rib_withdraw(struct rib *rib, struct rib_source *src, const struct rd *rd,
		 const struct prefix4 *prefix);
/* Removes every path of src (session down). Returns how many. */
size_t rib_source_flush(struct rib *rib, struct rib_source *src);
/*
 * Replay and graceful restart: mark all of src's paths stale (src->n_stale
 * counts them down as they are refreshed or withdrawn), then drop those still stale.
 */
void rib_source_mark_stale(struct rib_source *src);
size_t rib_source_sweep(struct rib *rib, struct rib_source *src);
/*
 * Long-lived graceful restart (RFC 9494): the stale path p is long-lived
 * stale from now on, with attrs (LLGR_STALE attached; a reference is taken)
 * and selection run again. A refresh of p (rib_update) ends it.
 */
void rib_path_set_llgr(struct rib *rib, struct rib_path *p, struct attr_set *attrs);
/* Removes one path (p is freed; its entry is queued, and freed once popped if empty). */
void rib_path_remove(struct rib *rib, struct rib_path *p);
/*
 * src's paths are the same but src is not (its router id changed, which
 * selection compares and exports carry): selects again at each of its
 * entries and queues those where src's path is the best.
 */
void rib_source_reselect(struct rib *rib, struct rib_source *src);

struct rib_entry *rib_lookup(struct rib *rib, const struct rd *rd, const struct prefix4 *prefix);
/*
 * The hash of a destination: FNV-1a over the RD's 8 bytes, the address and
 * the length, then MurmurHash3's fmix32. api_rib.c orders its walks by it.
 */
uint32_t rib_key_hash(const struct rd *rd, const struct prefix4 *prefix);
/*
 * Starts fetching what a lookup of rd:prefix will read (a batch of lookups is
 * coming): its bucket slot, or with deep (called again, nearer the lookup,
 * when the slot has arrived) the first entry of that bucket.
 */
void rib_prefetch(struct rib *rib, const struct rd *rd, const struct prefix4 *prefix, bool deep);

/*
 * The next entry whose best path changed since it was last popped, or whose
 * paths did behind an unchanged best (then e->paths_only), or NULL. The
 * caller acts on it, then calls rib_entry_done (which may free it).
 */
struct rib_entry *rib_changed_pop(struct rib *rib);
void rib_entry_done(struct rib *rib, struct rib_entry *e);

bool rib_adv_test(const struct rib_entry *e, unsigned slot);
void rib_adv_set(struct rib_entry *e, unsigned slot, bool on);
/* Forgets what was advertised on slot (session down); entries left empty are freed. */
void rib_adv_clear_slot(struct rib *rib, unsigned slot);
/* The same for several slots in one pass over the table. */
void rib_adv_clear_slots(struct rib *rib, const unsigned *slots, size_t n);

/*
 * Starts keeping the paths by attribute set (rib->byattr, indexed now: one
 * pass over the paths), or stops (freed). Start: 0 (also when already
 * kept) or -ENOMEM (then not kept). Should keeping it up to date run out
 * of memory later, the index is dropped (rib->byattr NULL again, logged).
 */
int rib_byattr_start(struct rib *rib);
void rib_byattr_stop(struct rib *rib);

/* Calls fn on every entry (fn must not change the RIB). */
void rib_walk(struct rib *rib, void (*fn)(struct rib_entry *e, void *arg), void *arg);
/* The same, but fn may call rib_entry_done on the entry it was given (and change nothing else). */
void rib_walk_safe(struct rib *rib, void (*fn)(struct rib_entry *e, void *arg), void *arg);
/* Entries sorted by RD then prefix, in a malloc'd array (*n of them). NULL on ENOMEM/empty. */
struct rib_entry **rib_sorted(struct rib *rib, size_t *n);

/* Best-path order: < 0 when a is better than b; *reason says which step decided. */
int rib_path_cmp(const struct rib_path *a, const struct rib_path *b, const char **reason);
/* LOCAL_PREF as used for selection (default 100). */
uint32_t rib_path_local_pref(const struct rib_path *p);

#endif
