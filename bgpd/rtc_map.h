/*
 * Membership routes (RFC 4684) hashed by route: the reflector's index of
 * who announced each route (rtc_index.c) and what each neighbor was
 * advertised (rtc_adv.c). A change to one route then costs a lookup, not a
 * walk or re-sort of everything a neighbor holds: a reflector with N
 * neighbors of M routes each holds N * M of them.
 *
 * Open addressing with linear probing, grown by doubling at a load of three
 * quarters; a removal shifts the entries of its run back (no tombstones), so
 * entry pointers are good only until the next insert or removal.
 */
#ifndef FERRY_BGPD_RTC_MAP_H
#define FERRY_BGPD_RTC_MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bgpd/rtc.h"

struct attr_set;

/* One source of a membership route: ours (RTC_SRC_LOCAL) or a peer slot, and its attributes. */
struct rtc_src {
	int src;
	struct attr_set *attrs;
};

struct rtc_map_ent {
	struct rtc_route r; /* r.len == RTC_MAP_FREE: an empty slot */
	union {
		/* what a neighbor was advertised (rtc_adv.c): whose, a reference on its attributes */
		struct rtc_src out;
		/* the index (rtc_index.c): every source, sorted by src (ours first) */
		struct {
			struct rtc_src *v;
			uint32_t n, cap;
		} srcs;
	};
};
#define RTC_MAP_FREE 0xff /* no route is that long (RTC_MAX_BITS) */

static inline bool rtc_map_used(const struct rtc_map_ent *e)
{
	return e->r.len != RTC_MAP_FREE;
}

struct rtc_map {
	struct rtc_map_ent *v;
	size_t n, cap; /* cap: 0 or a power of two */
};

struct rtc_map_ent *rtc_map_find(const struct rtc_map *m, const struct rtc_route *r);
/* r's entry, added (zeroed but for r) when missing; NULL on ENOMEM. */
struct rtc_map_ent *rtc_map_get(struct rtc_map *m, const struct rtc_route *r);
/* Room for n more entries without growing (one rehash for a burst): 0, or -1 on ENOMEM. */
int rtc_map_reserve(struct rtc_map *m, size_t n);
/* Removes e (an entry of m; the caller released what it held). */
void rtc_map_del(struct rtc_map *m, struct rtc_map_ent *e);
/* Frees the table (the caller released what the entries held). */
void rtc_map_free(struct rtc_map *m);

#endif
