/* UPDATE messages for route target membership (RFC 4684): rtc_update.c. */
#ifndef FERRY_BGPD_RTC_UPDATE_H
#define FERRY_BGPD_RTC_UPDATE_H

#include <stddef.h>

#include "bgpd/attr.h"
#include "bgpd/rtc.h"

/*
 * Appends one UPDATE announcing as many of v[0..n) as fit in 4096 bytes
 * with attributes a (a->nexthop: the 4-byte next hop). Count (>= 1) or -errno.
 */
int rtc_update_encode_reach(struct wbuf *w, const struct bgp_attrs *a, const struct rtc_route *v,
			    size_t n, const struct attr_ctx *ctx);
/* Appends one UPDATE withdrawing as many of v[0..n) as fit. Count or -errno. */
int rtc_update_encode_unreach(struct wbuf *w, const struct rtc_route *v, size_t n);
/* End-of-RIB for the family: an empty MP_UNREACH_NLRI (AFI 1 / SAFI 132). */
int rtc_update_encode_eor(struct wbuf *w);

#endif
