/*
 * The RIB's paths grouped by attribute set, held only while someone asks
 * for it: route target constraint (RFC 4684) builds it when the first
 * neighbor negotiates the family and drops it when the last one goes
 * (rtc_adv.c), so that a neighbor's membership change looks only at the
 * paths whose attributes carry a route target that changed instead of
 * walking the whole RIB. It lives beside the RIB, not in its paths: a PE
 * without such a neighbor pays nothing for it (a path is 56 bytes either
 * way); while it exists rib.c keeps it up to date as paths are added,
 * removed or given other attributes.
 *
 * One group per attribute set in use (a hash table by the set's address),
 * each a hash set of the paths carrying it (by the path's address; a group
 * of one path holds it inline). Attribute sets are interned and shared by
 * many paths, so the groups are few and the cost is about the path sets:
 * 8 bytes a slot, filled to between 3/8 and 3/4.
 */
#ifndef FERRY_BGPD_RIB_BYATTR_H
#define FERRY_BGPD_RIB_BYATTR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct attr_set;
struct rib_path;

struct rib_byattr_group {
	struct attr_set *attrs; /* NULL: a free slot */
	union {
		struct rib_path *one;   /* cap 0: the group's only path (n 1), or none */
		struct rib_path **set;  /* cap slots (a power of 2), NULL where free */
	};
	uint32_t n, cap;
};

struct rib_byattr {
	struct rib_byattr_group *g; /* cap slots (a power of 2), open addressing */
	size_t n, cap;              /* groups in use, slots */
	size_t n_paths;
	size_t set_slots;           /* path slots allocated over all groups */
};

/* An empty index, or NULL on ENOMEM. */
struct rib_byattr *rib_byattr_new(void);
void rib_byattr_free(struct rib_byattr *x);
/* p joins the group of p->attrs (it must not be in the index). 0 or -ENOMEM (then it is not). */
int rib_byattr_add(struct rib_byattr *x, struct rib_path *p);
/* p leaves the group of p->attrs (nothing when it is not there). */
void rib_byattr_del(struct rib_byattr *x, struct rib_path *p);
/*
 * Calls fn on every path whose attributes match says yes to (asked once
 * per attribute set). fn must not add, remove or change paths.
 */
void rib_byattr_visit(const struct rib_byattr *x, bool (*match)(const struct attr_set *, void *),
		      void (*fn)(struct rib_path *, void *), void *arg);
/* Bytes the index holds (its tables, not malloc's overhead). */
size_t rib_byattr_bytes(const struct rib_byattr *x);

#endif
