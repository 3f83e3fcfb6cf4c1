/*
 * Who announced each membership route (RFC 4684), for a reflector: every
 * route any source holds (ours, each neighbor's) with its sources, so that
 * what a neighbor should be advertised for one route is read off its
 * sources, and a neighbor's membership change touches only the routes that
 * changed (rtc_index.c).
 */
#ifndef FERRY_BGPD_RTC_INDEX_H
#define FERRY_BGPD_RTC_INDEX_H

#include <stdbool.h>
#include <stddef.h>

#include "bgpd/rtc.h"
#include "bgpd/rtc_map.h"

/*
 * What one source has put into the index: sorted in set order
 * (rtc_route_cmp), one entry per route, a reference held on each
 * attributes (the index's sources borrow it).
 */
struct rtc_pub {
	struct rtc_route *v;
	struct attr_set **attrs;
	size_t n, cap;
};

/* Routes whose sources changed since the neighbors' advertisements were brought up to date. */
struct rtc_changes {
	struct rtc_route *v;
	size_t n, cap;
	bool oom; /* one could not be recorded: everything is looked at again */
};

/*
 * src's contribution becomes next[0..n) (sorted in set order, distinct;
 * attrs[i] its attributes, or NULL): the index gains and loses the
 * differences, each recorded in ch. 0, or -1 on ENOMEM (then src's
 * contribution is whatever part of it went in, and ch->oom is set).
 */
int rtc_index_publish(struct rtc_map *idx, struct rtc_pub *pub, int src,
		      const struct rtc_route *next, struct attr_set *const *attrs, size_t n,
		      struct rtc_changes *ch);
/* Releases pub (its routes must have left the index, or the index goes with it). */
void rtc_pub_free(struct rtc_pub *pub);
/* Frees the index (each source's pub still holds its references). */
void rtc_index_free(struct rtc_map *idx);

/* Sorts ch and drops repeats. */
void rtc_changes_settle(struct rtc_changes *ch);
void rtc_changes_free(struct rtc_changes *ch);

#endif
