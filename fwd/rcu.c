/*
 * QSBR reclamation (see rcu.h). The epoch only moves in rcu_poll: an item
 * retired at epoch E is safe once every online reader has reported an
 * epoch > E, i.e. has passed a quiescent point after the bump that followed
 * the item's unpublishing. Retired items wait in one list, newest first, so
 * the safe ones are a suffix of it.
 */
#include <stdlib.h>
#include <time.h>

#include "common/log.h"
#include "fwd/rcu.h"

struct rcu_item {
	struct rcu_item *next;
	uint64_t epoch;
	void (*fn)(void *p, void *ctx);
	void *p, *ctx;
};

void rcu_init(struct rcu *r)
{
	*r = (struct rcu){ 0 };
	atomic_init(&r->epoch, 1);
	atomic_init(&r->n_readers, 0);
	for (int i = 0; i < RCU_READERS_MAX; i++)
		atomic_init(&r->readers[i].seen, 0);
}

static void free_list(struct rcu_item *it)
{
	while (it != NULL) {
		struct rcu_item *next = it->next;

		it->fn(it->p, it->ctx);
		free(it);
		it = next;
	}
}

void rcu_fini(struct rcu *r)
{
	/* a callback may retire more (an LFIB entry's last next-hop reference) */
	while (r->pending != NULL) {
		struct rcu_item *list = r->pending;

		r->pending = NULL;
		free_list(list);
	}
	r->n_pending = 0;
}

struct rcu_reader *rcu_register(struct rcu *r)
{
	for (int i = 0; i < RCU_READERS_MAX; i++) {
		struct rcu_reader *rd = &r->readers[i];

		if (!rd->used) {
			rd->used = true;
			rcu_online(r, rd);
			atomic_fetch_add(&r->n_readers, 1);
			return rd;
		}
	}
	log_warnx("rcu: more than %d reader threads", RCU_READERS_MAX);
	return NULL;
}

void rcu_unregister(struct rcu *r, struct rcu_reader *rd)
{
	rcu_offline(rd);
	rd->used = false;
	atomic_fetch_sub(&r->n_readers, 1);
}

void rcu_retire(struct rcu *r, void (*fn)(void *p, void *ctx), void *p, void *ctx)
{
	struct rcu_item *it;

	if (atomic_load(&r->n_readers) == 0 && r->pending == NULL) {
		fn(p, ctx);
		return;
	}
	if ((it = malloc(sizeof(*it))) == NULL) {
		/* cannot defer: wait for every reader rather than leak or free early */
		rcu_synchronize(r);
		fn(p, ctx);
		return;
	}
	*it = (struct rcu_item){ r->pending, atomic_load(&r->epoch), fn, p, ctx };
	r->pending = it;
	r->n_pending++;
}

/* The lowest epoch an online reader reported; UINT64_MAX when none is online. */
static uint64_t min_seen(struct rcu *r)
{
	uint64_t min = UINT64_MAX;

	for (int i = 0; i < RCU_READERS_MAX; i++) {
		uint64_t s = atomic_load(&r->readers[i].seen);

		if (s != 0 && s < min)
			min = s;
	}
	return min;
}

uint64_t rcu_poll(struct rcu *r)
{
	struct rcu_item **pp = &r->pending, *done;
	uint64_t safe;

	if (r->pending == NULL)
		return 0;
	atomic_fetch_add(&r->epoch, 1);
	safe = min_seen(r);
	while (*pp != NULL && (*pp)->epoch >= safe)
		pp = &(*pp)->next;
	done = *pp;
	*pp = NULL;
	for (struct rcu_item *it = done; it != NULL; it = it->next)
		r->n_pending--;
	free_list(done);
	return r->n_pending;
}

void rcu_synchronize(struct rcu *r)
{
	struct timespec ts = { 0, 50000 };
	uint64_t target = atomic_fetch_add(&r->epoch, 1) + 1;
	struct rcu_item *list;

	while (min_seen(r) < target)
		nanosleep(&ts, NULL);
	list = r->pending; /* all retired before target */
	r->pending = NULL; /* what the callbacks retire waits for the next round */
	r->n_pending = 0;
	free_list(list);
}
