/*
 * The LFIB: incoming label -> what to do with the packet.
 */
#ifndef FERRY_FWD_LFIB_H
#define FERRY_FWD_LFIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fwd/fwd.h"

struct nexthop;

struct lfib_entry {
	uint32_t in_label;
	uint32_t action;    /* enum ipc_lfib_action */
	uint32_t vrf_id;    /* POP_LOOKUP */
	uint32_t out_label; /* SWAP; MPLS_LABEL_IMPLICIT_NULL = pop (PHP) */
	struct nexthop *nh; /* POP_FORWARD, SWAP: counted reference */
	uint32_t gen;
	bool is_static;     /* from the config: never swept */
};

/* A direct array over 0..cap-1: O(1) per packet; grows to the largest label in use. */
struct lfib {
	struct lfib_entry **tab;
	uint32_t cap;
	size_t count;
};

static inline const struct lfib_entry *lfib_lookup(const struct lfib *l, uint32_t label)
{
	return label < l->cap ? l->tab[label] : NULL;
}

struct lfib *lfib_new(void);
/* Frees every entry, releasing their next hops. */
void lfib_free(struct fwd *f, struct lfib *l);

/*
 * Adds or replaces the entry for in_label (a copy of e, taking a reference
 * on nh_id for POP_FORWARD/SWAP). 0 or -errno (logged).
 */
int lfib_set(struct fwd *f, const struct lfib_entry *e, uint32_t nh_id);
/* 0, or -ENOENT. */
int lfib_del(struct fwd *f, uint32_t in_label);

/* Calls cb for each entry in label order. */
void lfib_foreach(const struct fwd *f, void (*cb)(const struct lfib_entry *e, void *ctx), void *ctx);
size_t lfib_count(const struct fwd *f);
/* Deletes every non-static entry not refreshed in generation gen. */
void lfib_sweep(struct fwd *f, uint32_t gen);

const char *lfib_action_name(const struct lfib_entry *e);

#endif
