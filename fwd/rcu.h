/*
 * Quiescent-state based reclamation for the forwarding tables: the control
 * thread publishes a new version of a structure with one atomic store and
 * retires the old one; it is freed once every registered reader (a worker
 * thread) has passed a quiescent point (between two packet batches) or is
 * offline (asleep in poll). Readers never lock, never write shared lines
 * except their own slot, and never wait.
 *
 * With no reader registered (the single-threaded daemon, unit tests) there
 * is nobody to wait for: rcu_retire frees at once.
 */
#ifndef FERRY_FWD_RCU_H
#define FERRY_FWD_RCU_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#define RCU_READERS_MAX 32

struct rcu_reader {
	_Atomic uint64_t seen; /* epoch at the last quiescent point; 0 = offline */
	bool used;
	char pad[64 - sizeof(uint64_t) - sizeof(bool)];
};

struct rcu_item;

struct rcu {
	_Atomic uint64_t epoch;
	struct rcu_reader readers[RCU_READERS_MAX];
	_Atomic unsigned n_readers;
	struct rcu_item *pending; /* retired, newest first */
	uint64_t n_pending;
};

void rcu_init(struct rcu *r);
/* Frees everything still pending: only once no reader can run any more. */
void rcu_fini(struct rcu *r);

/* A worker thread joins (online at once); NULL when all slots are taken. */
struct rcu_reader *rcu_register(struct rcu *r);
void rcu_unregister(struct rcu *r, struct rcu_reader *rd);

/* Between batches: the reader holds no pointer into the tables. */
static inline void rcu_quiescent(struct rcu *r, struct rcu_reader *rd)
{
	atomic_store_explicit(&rd->seen, atomic_load_explicit(&r->epoch, memory_order_acquire),
			      memory_order_release);
}

/* Before sleeping in poll: the writer need not wait for this reader. */
static inline void rcu_offline(struct rcu_reader *rd)
{
	atomic_store_explicit(&rd->seen, 0, memory_order_release);
}

/* After waking: from here on the reader may hold pointers again. */
static inline void rcu_online(struct rcu *r, struct rcu_reader *rd)
{
	atomic_store(&rd->seen, atomic_load(&r->epoch));
	atomic_thread_fence(memory_order_seq_cst);
}

/*
 * Control thread only: p (already unpublished) is freed by fn(p, ctx) once
 * no reader can still see it. Frees at once when no reader is registered.
 */
void rcu_retire(struct rcu *r, void (*fn)(void *p, void *ctx), void *p, void *ctx);
/* Control thread: frees what every online reader has passed; returns how many remain. */
uint64_t rcu_poll(struct rcu *r);
/* Control thread: waits (50 us sleeps) for every online reader, then frees all retired. */
void rcu_synchronize(struct rcu *r);

#endif
