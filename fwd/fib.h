/*
 * VRFs and their FIBs: one LPM table per VRF id (vrfmgr's numbering). A
 * route's value in the LPM is the id of an interned result, the pair (next
 * hop, inner label) that thousands of routes share (every route a remote PE
 * advertises with its per-VRF label has the same one), so a route costs the
 * LPM's bytes and nothing more.
 */
#ifndef FERRY_FWD_FIB_H
#define FERRY_FWD_FIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/ipc.h"
#include "fwd/fwd.h"

/* VRF ids above this are refused: the VRF array is indexed directly. */
#define FIB_VRF_ID_MAX 65535u
#define FIB_RES_CHUNK_BITS 10
#define FIB_RES_CHUNK (1u << FIB_RES_CHUNK_BITS)
#define FIB_RES_CHUNKS_MAX 4096u /* 4M distinct (next hop, label) pairs */

struct nexthop;
struct lpm;
struct fwd_vrf_ctr;

struct fwd_vrf {
	uint32_t id;
	char name[IPC_NAME_MAX];
	struct lpm *lpm;
	/*
	 * Its core-facing view (fib_core.c): what frames popped from the core
	 * look up first; NULL while out of memory (they take the full lookup).
	 */
	struct lpm *core;
	uint32_t core_changes; /* of the core table since the last commit (fib_core.c) */
	/*
	 * Rebuilds of its core table failed in a row (out of memory): it waits
	 * for f->now_ms to reach core_retry_ms, each wait twice the last
	 * (fib_core.c); core_lost: dropped out of memory, "back" is logged.
	 */
	uint64_t core_retry_ms;
	uint32_t core_fails;
	bool core_lost;
	uint32_t gen;
	bool dirty; /* on f->fib_dirty: changes wait for fib_commit */
	/* its counters (ctr.h) when it was created or renamed: what it shows starts there */
	struct fwd_vrf_ctr *base;
	/* its ICMP errors' rate limit: one customer's flood never silences another's (icmp.h) */
	struct icmp_limit icmp;
};

/*
 * What a route says: where to send, which VPN label to push under the LSP's.
 * All the packet path reads of a result: 16 bytes, four to a cache line.
 */
struct fib_result {
	struct nexthop *nh;   /* counted reference */
	uint32_t inner_label; /* MPLS_LABEL_NONE when unlabeled */
	uint32_t pad;
};

/* The control thread's bookkeeping of a result, beside it in a chunk of its own. */
struct fib_result_ctl {
	uint32_t refs; /* routes using it; 0 = free slot */
	uint32_t next; /* hash chain, then free list (ids) */
};

struct fib_results {
	struct fib_result *chunk[FIB_RES_CHUNKS_MAX]; /* never moved: readers index freely */
	struct fib_result_ctl *ctl[FIB_RES_CHUNKS_MAX];
	uint32_t n_chunks;
	uint32_t *hash;
	uint32_t hash_size; /* power of two */
	uint32_t count;
	uint32_t free_head;
	/*
	 * Results no route uses any more, linked through their ctl next:
	 * retired (RCU) only once fib_commit has published the tables without
	 * them. Retired at once, a grace period could end before the commit and
	 * a worker still reading the old table would find the id freed, or
	 * given to another route's result.
	 */
	uint32_t dead_head;
};

/* A route as the control plane sees it (API, sweep). */
struct fib_entry {
	uint32_t vrf_id;
	uint32_t prefix;
	uint8_t plen;
	uint32_t inner_label;
	struct nexthop *nh;
	uint16_t gen; /* low bits of the replay generation that last refreshed it */
};

/* The result behind a value the LPM returned (id != 0). Packet path, any thread. */
static inline const struct fib_result *fib_result_of(const struct fib_results *r, uint32_t id)
{
	return &r->chunk[id >> FIB_RES_CHUNK_BITS][id & (FIB_RES_CHUNK - 1)];
}

int fib_init(struct fwd *f);
void fib_free_all(struct fwd *f);

struct fwd_vrf *fib_vrf_get(const struct fwd *f, uint32_t id);
struct fwd_vrf *fib_vrf_by_name(const struct fwd *f, const char *name);
/* The VRF's counters since it was created or renamed (every thread's added up). */
void fib_vrf_counters(const struct fwd *f, const struct fwd_vrf *v, struct fwd_vrf_ctr *out);
/* Whether v is the VRF called name (as fib_vrf_add stores it, cut to IPC_NAME_MAX - 1). */
bool fib_vrf_named(const struct fwd_vrf *v, const char *name);
/* Adds a VRF or renames it (refreshing its generation). 0 or -errno. */
int fib_vrf_add(struct fwd *f, uint32_t id, const char *name);
/*
 * Removes VRF vrf_id's entries out of interface ifname (their next hop's)
 * not refreshed in generation gen: a replay's leftovers. How many.
 */
size_t fib_sweep_out_of(struct fwd *f, uint32_t vrf_id, const char *ifname, uint32_t gen);
/* Removes a VRF with all its routes. */
void fib_vrf_del(struct fwd *f, uint32_t id);

/* Adds or replaces a route; the VRF must exist. 0 or -errno (logged). */
int fib_add(struct fwd *f, uint32_t vrf_id, uint32_t prefix, uint8_t plen, uint32_t nh_id,
	    uint32_t inner_label);
/* 0, or -ENOENT when there is no such route. */
int fib_del(struct fwd *f, uint32_t vrf_id, uint32_t prefix, uint8_t plen);
/*
 * Publishes pending route changes to the lookup tables (one rebuild per
 * touched chunk, however many changes). Control thread.
 */
void fib_commit(struct fwd *f);
/*
 * Once a second (main.c): a VRF's core table whose rebuild ran out of
 * memory is tried again when its wait is over, and published, also with
 * no route change to commit; so is anything a commit left pending. Control
 * thread.
 */
void fib_tick(struct fwd *f);
static inline bool fib_pending(const struct fwd *f)
{
	return f->n_fib_dirty != 0 || f->res->dead_head != 0;
}
/*
 * Longest match, after committing what is pending (not while workers run:
 * f->no_lazy_commit); NULL when none. Control thread.
 */
const struct fib_result *fib_lookup(struct fwd *f, struct fwd_vrf *v, uint32_t addr);
/*
 * The prefix length of the entry that gave r for addr (fib_lookup's
 * answer): the longest prefix covering addr that holds r; -1 when none
 * does (r changed under a worker's unpublished view). Control thread.
 */
int fib_match_len(const struct fwd *f, const struct fwd_vrf *v, uint32_t addr,
		  const struct fib_result *r);
size_t fib_count(const struct fwd_vrf *v);
/* Bytes held by every VRF's tables and the results, for stats. */
size_t fib_memory(const struct fwd *f);
/* Results mostly gone: their empty chunks and the hash given back (quiet time). Bytes freed. */
size_t fib_res_shrink(struct fwd *f);

/*
 * The VRF's routes sorted by prefix then length, in a malloc'd array the
 * caller frees (NULL with *n = 0 when empty or on ENOMEM).
 */
struct fib_entry *fib_entries(struct fwd *f, const struct fwd_vrf *v, size_t *n);

/* Deletes VRFs and routes not refreshed in generation gen. */
void fib_sweep(struct fwd *f, uint32_t gen);

#endif
