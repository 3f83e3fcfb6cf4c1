/*
 * UPDATEs carrying route target membership (RFC 4684, AFI 1 / SAFI 132):
 * MP_REACH_NLRI with a 4-byte IPv4 next hop (our session address), first
 * as update.c puts it, the other path attributes after it in type order;
 * MP_UNREACH_NLRI for withdrawals, and the family's End-of-RIB (an empty
 * MP_UNREACH_NLRI).
 * Membership sets are small, so these are packed simply: as many NLRI as
 * fit in one 4096-byte message.
 */
#include <errno.h>

#include "bgpd/attr.h"
#include "bgpd/rtc.h"
#include "bgpd/rtc_update.h"

#define RTC_REACH_FIXED (4 + 2 + 1 + 1 + 4 + 1) /* ext header, AFI, SAFI, nh len, nh, reserved */

static size_t fit(const struct rtc_route *v, size_t n, size_t budget, size_t *bytes)
{
	size_t k = 0, sum = 0;

	while (k < n && sum + rtc_nlri_size(&v[k]) <= budget)
		sum += rtc_nlri_size(&v[k++]);
	*bytes = sum;
	return k;
}

int rtc_update_encode_reach(struct wbuf *w, const struct bgp_attrs *a, const struct rtc_route *v,
			    size_t n, const struct attr_ctx *ctx)
{
	size_t start = bgp_msg_begin(w, BGP_MSG_UPDATE), alen_off, used, bytes, k;
	struct wbuf rest; /* the other attributes, after MP_REACH_NLRI (RFC 7606 §5.1) */
	int rc;

	wbuf_put_u16(w, 0);
	alen_off = w->len;
	wbuf_put_u16(w, 0);
	wbuf_init(&rest);
	attr_encode_all(&rest, a, ctx);
	used = (w->len - start) + rest.len + RTC_REACH_FIXED;
	k = used < BGP_MAX_MSG ? fit(v, n, BGP_MAX_MSG - used, &bytes) : 0;
	if (k == 0 || !wbuf_ok(&rest)) {
		wbuf_free(&rest);
		w->len = start;
		return k == 0 ? -EMSGSIZE : -ENOMEM;
	}
	wbuf_put_u8(w, ATTR_F_OPTIONAL | ATTR_F_EXTLEN);
	wbuf_put_u8(w, ATTR_MP_REACH);
	wbuf_put_u16(w, (uint16_t)(RTC_REACH_FIXED - 4 + bytes));
	wbuf_put_u16(w, BGP_AFI_IPV4);
	wbuf_put_u8(w, BGP_SAFI_RTC);
	wbuf_put_u8(w, 4);
	wbuf_put_u32(w, a->nexthop);
	wbuf_put_u8(w, 0);
	for (size_t i = 0; i < k; i++)
		rtc_nlri_put(w, &v[i]);
	wbuf_put_bytes(w, rest.data, rest.len);
	wbuf_free(&rest);
	wbuf_set_u16(w, alen_off, (uint16_t)(w->len - alen_off - 2));
	rc = bgp_msg_end(w, start);
	return rc < 0 ? rc : (int)k;
}

int rtc_update_encode_unreach(struct wbuf *w, const struct rtc_route *v, size_t n)
{
	size_t start = bgp_msg_begin(w, BGP_MSG_UPDATE), bytes, k;
	int rc;

	k = fit(v, n, BGP_MAX_MSG - BGP_UPDATE_MIN - BGP_MP_UNREACH_FIXED, &bytes);
	bgp_mp_unreach_head(w, BGP_SAFI_RTC, bytes);
	for (size_t i = 0; i < k; i++)
		rtc_nlri_put(w, &v[i]);
	rc = bgp_msg_end(w, start);
	return rc < 0 ? rc : (int)k;
}

int rtc_update_encode_eor(struct wbuf *w)
{
	int rc = rtc_update_encode_unreach(w, NULL, 0);

	return rc < 0 ? rc : 0;
}
