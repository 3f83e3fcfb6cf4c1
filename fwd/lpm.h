/*
 * IPv4 longest-prefix match, one table per VRF, read without locks.
 *
 * Values are non-zero 32-bit numbers (fib.c's interned results); 0 means
 * "no route". Each route also carries a 16-bit tag the table only stores
 * (fib.c keeps its replay generation there).
 *
 * Two views: the control view (lpm_add/delete/get/walk) changes at once; the
 * lookup view (lpm_lookup*) changes only at lpm_commit, which rebuilds what
 * the changes touched aside and publishes it with atomic stores. Old nodes go
 * through rcu_retire, so worker threads may look up while the control thread
 * commits. A batch of changes costs one rebuild per touched chunk.
 */
#ifndef FERRY_FWD_LPM_H
#define FERRY_FWD_LPM_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct lpm;
struct rcu;

/*
 * rcu NULL: old nodes are freed at once (no concurrent readers). root NULL:
 * the table keeps its root word itself; else it publishes its root into
 * *root, so readers can go from a VRF id to the table in one load (fib.c
 * keeps the roots of all VRFs in one flat array).
 */
struct lpm *lpm_new(struct rcu *rcu, _Atomic uintptr_t *root);
/* Frees the table at once: the caller makes sure no reader can reach it. */
void lpm_free(struct lpm *t);

/*
 * Adds prefix/plen (host bits are ignored) or replaces its value and tag;
 * *old (if not NULL) receives the replaced value, or 0 when the prefix is
 * new. 0, -EINVAL (plen > 32 or value 0) or -ENOMEM.
 */
int lpm_add(struct lpm *t, uint32_t prefix, uint8_t plen, uint32_t value, uint16_t tag,
	    uint32_t *old);
/* Removes prefix/plen; returns its value, or 0 when it is not there. */
uint32_t lpm_delete(struct lpm *t, uint32_t prefix, uint8_t plen);
/* Exact match in the control view: the value (and tag) of prefix/plen, or 0. */
uint32_t lpm_get(const struct lpm *t, uint32_t prefix, uint8_t plen, uint16_t *tag);
size_t lpm_count(const struct lpm *t);

/* True when changes wait for lpm_commit. */
bool lpm_dirty(const struct lpm *t);
/* Publishes every pending change. 0, or -ENOMEM (the rest stays pending). */
int lpm_commit(struct lpm *t);

/* Longest match for addr in the published view, or 0. Any thread. */
uint32_t lpm_lookup(const struct lpm *t, uint32_t addr);
/*
 * n lookups at once (t[i] may be NULL: out[i] = 0), interleaved so their
 * cache misses overlap. Any thread.
 */
void lpm_lookup_batch(const struct lpm *const *t, const uint32_t *addr, uint32_t *out,
		      unsigned n);
/* The same from root words (lpm_root_word, or *root given to lpm_new). */
void lpm_lookup_roots(const uintptr_t *roots, const uint32_t *addr, uint32_t *out, unsigned n);
uintptr_t lpm_root_word(const struct lpm *t);

/*
 * Calls cb for every route of the control view in (prefix, plen) order
 * within each chunk (not globally sorted) until cb returns non-zero, which
 * lpm_walk then returns. cb must not modify the table.
 */
typedef int (*lpm_walk_cb)(uint32_t prefix, uint8_t plen, uint32_t value, uint16_t tag,
			   void *ctx);
int lpm_walk(const struct lpm *t, lpm_walk_cb cb, void *ctx);
/*
 * The same for the routes inside prefix/plen (length >= plen, prefix/plen
 * itself included) only: a walk of the part of the tree under that span.
 */
int lpm_walk_within(const struct lpm *t, uint32_t prefix, uint8_t plen, lpm_walk_cb cb,
		    void *ctx);
/*
 * The value of the longest route in the control view covering prefix/plen
 * (prefix/plen itself included), or 0 when there is none.
 */
uint32_t lpm_cover(const struct lpm *t, uint32_t prefix, uint8_t plen);

/* Bytes held by the table (lookup nodes and control copy), for stats. */
size_t lpm_memory(const struct lpm *t);

#endif
