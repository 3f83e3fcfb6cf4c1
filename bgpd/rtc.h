/*
 * Route target constraint (RFC 4684): route target membership NLRI, AFI 1 /
 * SAFI 132. Each NLRI is a prefix of 0..96 bits over origin AS (4 octets)
 * and route target (8 octets, an extended community). Length 0 is the
 * default route target ("send me every VPN route"); otherwise the origin AS
 * is whole (32..96 bits, RFC 4684 §4) and the rest is a prefix of the route
 * target: 96 names one RT, 32 any RT. A set of them is one neighbor's
 * membership (what it asked for), or ours (what our VRFs import).
 *
 * rtc.c: the codec and the set. rtc_adv.c: what bgpd advertises and how
 * the membership filters VPN-IPv4 routes.
 */
#ifndef FERRY_BGPD_RTC_H
#define FERRY_BGPD_RTC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/rd.h"

#define RTC_SAFI 132
#define RTC_MAX_BITS 96
#define RTC_MIN_BITS 32 /* but for the default (0): the origin AS is never cut */
#define RTC_MAX_BYTES 13 /* length octet + 12 */

struct rtc_route {
	uint8_t len;       /* bits: 0, or 32..96 */
	uint32_t origin_as;
	struct ext_community rt; /* bits past len - 32 are zero */
};

/* Reads one NLRI. 0, or -1 when its length is impossible (1..31, > 96) or it overruns r. */
int rtc_nlri_get(struct rbuf *r, struct rtc_route *out);
/* Checks a whole NLRI field: 0, or -1 at the first malformed NLRI. *n: how many. */
int rtc_nlri_check(const struct rbuf *r, size_t *n);
void rtc_nlri_put(struct wbuf *w, const struct rtc_route *rt);
size_t rtc_nlri_size(const struct rtc_route *rt);
/* The route for one whole route target (96 bits) from origin_as. */
struct rtc_route rtc_route_of(uint32_t origin_as, const struct ext_community *rt);
bool rtc_route_equal(const struct rtc_route *a, const struct rtc_route *b);
/* Whether rt (a route's extended community) falls under membership route m. */
bool rtc_route_covers(const struct rtc_route *m, const struct ext_community *rt);
/* "65000:rt:65000:100/96", "default"; buf of RTC_STRLEN. */
#define RTC_STRLEN 48
const char *rtc_route_format(const struct rtc_route *m, char *buf);

/*
 * A set of membership routes: v[0..n_sorted) sorted by route target
 * (rtc.c), so that a VPN route's RTs are looked up, not compared with each
 * member; v[n_sorted..n) the ones added since, in arrival order, until
 * rtc_set_settle sorts them in. A neighbor may send tens of thousands in
 * any order: inserting each into the sorted array would move everything
 * behind it (quadratic); settled once per burst they cost a sort and one
 * merge.
 */
struct attr_set;

/* The order of a set: route target bytes, then length, then origin AS. */
int rtc_route_cmp(const struct rtc_route *a, const struct rtc_route *b);

struct rtc_set {
	struct rtc_route *v;
	struct attr_set **attrs; /* each member's path attributes (a reference), or NULL */
	size_t n, cap;
	size_t n_sorted;  /* v[0..n_sorted) sorted; the rest pending, maybe repeated */
	size_t n_default; /* length 0 (sorted ones: as the counts below) */
	size_t n_partial; /* lengths 32..95 */
	uint32_t n_len[RTC_MAX_BITS]; /* members of each partial length: looked up per length */
};

/* Adds m (without attributes): 1 when new, 0 when already there, -1 on ENOMEM. */
int rtc_set_add(struct rtc_set *s, const struct rtc_route *m);
/*
 * Adds m with the attributes it came with, or gives a sorted member its new
 * ones; the set takes the reference a (released on failure). 1 when new
 * (or pending: a repeat of a pending one is dropped by the settle, the
 * last attributes kept), 2 when its attributes changed, 0 when the same,
 * -1 on ENOMEM. O(log n): a new one is appended, pending.
 */
int rtc_set_put(struct rtc_set *s, const struct rtc_route *m, struct attr_set *a);
/*
 * Sorts the pending members in: after it, n counts distinct members. 0, or
 * -1 on ENOMEM (the pending ones are dropped). O(k log k + n) for k pending.
 */
int rtc_set_settle(struct rtc_set *s);
/* Removes m (settling first): 1 when it was there, else 0. */
int rtc_set_del(struct rtc_set *s, const struct rtc_route *m);
/* Whether m is a member (the pending ones looked at one by one). */
bool rtc_set_has(const struct rtc_set *s, const struct rtc_route *m);
void rtc_set_clear(struct rtc_set *s);
void rtc_set_free(struct rtc_set *s);
/*
 * Whether a VPN route with extended communities ext[0..n) is wanted by s:
 * s has the default route, or one route covering one of its route targets
 * (other extended communities are not route targets and match nothing).
 * Right with members pending, but fast once settled.
 */
bool rtc_set_wants(const struct rtc_set *s, const struct ext_community *ext, size_t n);

#endif
