/*
 * Labeled VPN-IPv4 NLRI (RFC 4364 §4.3.4, RFC 8277) inside MP_REACH_NLRI and
 * MP_UNREACH_NLRI (RFC 4760), AFI 1 / SAFI 128. Each NLRI: length in bits
 * (label + RD + prefix), one 3-byte label (label << 4 | bottom-of-stack; a
 * withdrawal's label is not looked at), the 8-byte RD, the prefix bytes.
 * The next hop is an RD of zero followed by the IPv4 address (length 12).
 * Route target membership (RFC 4684, AFI 1 / SAFI 132) is read when
 * negotiated: next hop of 4 (IPv4) or 16/32 (IPv6) bytes, not used; the
 * NLRI are checked here and taken by input.c (rtc.c has their codec).
 * VPN-IPv4 too is read only when negotiated with this neighbor. Other
 * families, and these two when not negotiated, are counted and skipped:
 * the routes of a family one side did not offer are none of ours.
 */
#include <string.h>

#include "bgpd/attr.h"
#include "bgpd/rtc.h"
#include "common/label.h"

#define VPN_NLRI_FIXED_BITS (24 + 64)
#define VPN_NH_LEN 12
#define WITHDRAW_LABEL 0x800000u

/* One NLRI. 0, or -1 when its length is impossible or overruns the attribute. */
static int nlri_get(struct rbuf *r, struct bgp_vpn_nlri *n)
{
	uint8_t bits, lab[3], pfx[4] = { 0 };
	unsigned plen;

	if (rbuf_get_u8(r, &bits) < 0 || bits < VPN_NLRI_FIXED_BITS)
		return -1;
	plen = bits - VPN_NLRI_FIXED_BITS;
	if (plen > 32)
		return -1;
	if (rbuf_get_bytes(r, lab, 3) < 0 || rbuf_get_bytes(r, n->rd.b, 8) < 0 ||
	    rbuf_get_bytes(r, pfx, (plen + 7) / 8) < 0)
		return -1;
	n->label = ((uint32_t)lab[0] << 16 | (uint32_t)lab[1] << 8 | lab[2]) >> 4;
	n->prefix.addr = (uint32_t)pfx[0] << 24 | (uint32_t)pfx[1] << 16 | (uint32_t)pfx[2] << 8 |
			 pfx[3];
	n->prefix.len = (uint8_t)plen;
	prefix4_normalize(&n->prefix); /* host bits beyond the length are ignored */
	return 0;
}

static int nlri_list(struct rbuf *r, struct bgp_vpn_nlri *out, size_t *n)
{
	while (rbuf_left(r) > 0) {
		if (*n >= BGP_MAX_NLRI || nlri_get(r, &out[*n]) < 0)
			return BGP_ERR_UPD_OPTIONAL; /* RFC 4760 §7 */
		(*n)++;
	}
	return 0;
}

static bool is_rtc(const struct attr_dec *d, uint16_t afi, uint8_t safi)
{
	return afi == BGP_AFI_IPV4 && safi == BGP_SAFI_RTC && (d->ctx->afs & BGP_AF_RTC);
}

static bool is_vpn(const struct attr_dec *d, uint16_t afi, uint8_t safi)
{
	return afi == BGP_AFI_IPV4 && safi == BGP_SAFI_VPN && (d->ctx->afs & BGP_AF_VPNV4);
}

/* RFC 4760 §7 / RFC 7606 §5.3, 7.11: a bad next hop length or NLRI resets the session. */
static int rtc_reach_decode(struct rbuf *val, struct bgp_update *u, uint8_t nhlen)
{
	if (nhlen != 4 && nhlen != 16 && nhlen != 32)
		return BGP_ERR_UPD_OPTIONAL;
	u->has_mp_reach = true;
	u->rtc_reach = *val;
	return rtc_nlri_check(val, &u->n_rtc_reach) < 0 ? BGP_ERR_UPD_OPTIONAL : 0;
}

int mp_reach_decode(struct rbuf *val, struct attr_dec *d)
{
	struct bgp_update *u = d->u;
	uint16_t afi;
	uint8_t safi, nhlen, reserved;
	struct rbuf nh;

	if (rbuf_get_u16(val, &afi) < 0 || rbuf_get_u8(val, &safi) < 0 ||
	    rbuf_get_u8(val, &nhlen) < 0 || rbuf_sub(val, nhlen, &nh) < 0 ||
	    rbuf_get_u8(val, &reserved) < 0)
		return BGP_ERR_UPD_OPTIONAL;
	if (is_rtc(d, afi, safi))
		return rtc_reach_decode(val, u, nhlen);
	if (!is_vpn(d, afi, safi)) {
		u->n_other_afi++;
		u->other_reach |= rbuf_left(val) > 0;
		return 0;
	}
	if (nhlen != VPN_NH_LEN || rbuf_skip(&nh, 8) < 0 || rbuf_get_u32(&nh, &u->attrs.nexthop) < 0)
		return BGP_ERR_UPD_OPTIONAL;
	u->has_mp_reach = true;
	if (nlri_list(val, u->reach, &u->n_reach))
		return BGP_ERR_UPD_OPTIONAL;
	/* RFC 7606 §7.11: a next hop that cannot be ours to use withdraws the routes. */
	if (!attr_nexthop_usable(u->attrs.nexthop))
		attr_soft_error(u, ATTR_ACT_WITHDRAW, BGP_ERR_UPD_NEXTHOP, NULL, 0);
	return 0;
}

int mp_unreach_decode(struct rbuf *val, struct attr_dec *d)
{
	struct bgp_update *u = d->u;
	uint16_t afi;
	uint8_t safi;

	if (rbuf_get_u16(val, &afi) < 0 || rbuf_get_u8(val, &safi) < 0)
		return BGP_ERR_UPD_OPTIONAL;
	if (is_rtc(d, afi, safi)) {
		u->has_mp_unreach = true;
		u->rtc_eor = rbuf_left(val) == 0;
		u->rtc_unreach = *val;
		return rtc_nlri_check(val, &u->n_rtc_unreach) < 0 ? BGP_ERR_UPD_OPTIONAL : 0;
	}
	if (!is_vpn(d, afi, safi)) {
		u->n_other_afi++;
		return 0;
	}
	u->has_mp_unreach = true;
	if (rbuf_left(val) == 0)
		u->end_of_rib = true;
	return nlri_list(val, u->unreach, &u->n_unreach);
}

size_t mp_nlri_size(const struct bgp_vpn_nlri *n)
{
	return 1 + 3 + 8 + ((size_t)n->prefix.len + 7) / 8;
}

void mp_nlri_put(struct wbuf *w, const struct bgp_vpn_nlri *n, bool withdraw)
{
	uint32_t lab = withdraw ? WITHDRAW_LABEL : ((n->label & MPLS_LABEL_MAX) << 4) | 1;
	uint8_t pfx[4] = { (uint8_t)(n->prefix.addr >> 24), (uint8_t)(n->prefix.addr >> 16),
			   (uint8_t)(n->prefix.addr >> 8), (uint8_t)n->prefix.addr };

	wbuf_put_u8(w, (uint8_t)(VPN_NLRI_FIXED_BITS + n->prefix.len));
	wbuf_put_u8(w, (uint8_t)(lab >> 16));
	wbuf_put_u8(w, (uint8_t)(lab >> 8));
	wbuf_put_u8(w, (uint8_t)lab);
	wbuf_put_bytes(w, n->rd.b, 8);
	wbuf_put_bytes(w, pfx, ((size_t)n->prefix.len + 7) / 8);
}
