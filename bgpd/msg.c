/*
 * The fixed-shape BGP messages: header, OPEN with capabilities, KEEPALIVE,
 * NOTIFICATION, ROUTE-REFRESH (UPDATE lives in update.c beside the path
 * attributes). Every decoder reads through struct rbuf and turns each
 * malformation into the exact NOTIFICATION of RFC 4271 §6, so the FSM only
 * has to send what it is handed.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "bgpd/msg.h"

const char *bgp_msg_type_name(uint8_t type)
{
	static const char *const names[] = { "type 0", "OPEN", "UPDATE", "NOTIFICATION",
					     "KEEPALIVE", "ROUTE-REFRESH" };
	return type < 6 ? names[type] : "unknown";
}

/* Shortest (and for fixed types, exact) length of each message type. */
static bool hdr_len_ok(uint8_t type, uint16_t len)
{
	switch (type) {
	case BGP_MSG_OPEN: return len >= BGP_OPEN_MIN;
	case BGP_MSG_UPDATE: return len >= BGP_UPDATE_MIN;
	case BGP_MSG_NOTIFICATION: return len >= BGP_NOTIFICATION_MIN;
	case BGP_MSG_KEEPALIVE: return len == BGP_HDR_LEN;
	/* longer ones are judged by subtype (bgp_route_refresh_check, RFC 7313 §5) */
	case BGP_MSG_ROUTE_REFRESH: return len >= BGP_ROUTE_REFRESH_LEN;
	default: return true;
	}
}

int bgp_hdr_decode(const uint8_t *p, struct bgp_hdr *h, struct bgp_err *err)
{
	return bgp_hdr_decode_ext(p, h, err, false);
}

int bgp_hdr_decode_ext(const uint8_t *p, struct bgp_hdr *h, struct bgp_err *err, bool ext)
{
	struct rbuf r;
	uint16_t len;
	uint8_t type;
	size_t max;

	rbuf_init(&r, p, BGP_HDR_LEN);
	for (int i = 0; i < BGP_MARKER_LEN; i++) {
		if (p[i] != 0xff) {
			bgp_err_set(err, BGP_ERR_HEADER, BGP_ERR_HDR_SYNC, NULL, 0);
			return -1;
		}
	}
	rbuf_skip(&r, BGP_MARKER_LEN);
	if (rbuf_get_u16(&r, &len) < 0 || rbuf_get_u8(&r, &type) < 0)
		return -1; /* cannot happen: 19 bytes are there */
	if (type < BGP_MSG_OPEN || type > BGP_MSG_ROUTE_REFRESH) {
		bgp_err_set(err, BGP_ERR_HEADER, BGP_ERR_HDR_TYPE, &type, 1);
		return -1;
	}
	/* RFC 8654 §4: OPEN and KEEPALIVE keep the old limit */
	max = ext && type != BGP_MSG_OPEN && type != BGP_MSG_KEEPALIVE ? BGP_MAX_EXT_MSG : BGP_MAX_MSG;
	if (len < BGP_HDR_LEN || len > max || !hdr_len_ok(type, len)) {
		uint8_t d[2] = { (uint8_t)(len >> 8), (uint8_t)len };
		bgp_err_set(err, BGP_ERR_HEADER, BGP_ERR_HDR_LEN, d, 2);
		return -1;
	}
	h->len = len;
	h->type = type;
	return 0;
}

size_t bgp_msg_begin(struct wbuf *w, uint8_t type)
{
	static const uint8_t marker[BGP_MARKER_LEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
							0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
							0xff, 0xff, 0xff, 0xff };
	size_t start = w->len;

	wbuf_put_bytes(w, marker, sizeof(marker));
	wbuf_put_u16(w, 0);
	wbuf_put_u8(w, type);
	return start;
}

int bgp_msg_end(struct wbuf *w, size_t start)
{
	return bgp_msg_end_max(w, start, BGP_MAX_MSG);
}

int bgp_msg_end_max(struct wbuf *w, size_t start, size_t max)
{
	size_t len = w->len - start;

	if (!wbuf_ok(w))
		return -ENOMEM;
	if (len > max)
		return -EMSGSIZE;
	wbuf_set_u16(w, start + BGP_MARKER_LEN, (uint16_t)len);
	return 0;
}

/* ---- OPEN ---- */

static void put_cap(struct wbuf *w, uint8_t code, const uint8_t *val, uint8_t len)
{
	wbuf_put_u8(w, code);
	wbuf_put_u8(w, len);
	wbuf_put_bytes(w, val, len);
}

uint8_t bgp_af_bit(uint16_t afi, uint8_t safi)
{
	if (afi != BGP_AFI_IPV4)
		return 0;
	switch (safi) {
	case BGP_SAFI_VPN:
		return BGP_AF_VPNV4;
	case BGP_SAFI_UNICAST:
		return BGP_AF_IPV4;
	case BGP_SAFI_RTC:
		return BGP_AF_RTC;
	default:
		return 0;
	}
}

uint8_t bgp_af_safi(uint8_t af)
{
	return af == BGP_AF_VPNV4 ? BGP_SAFI_VPN : af == BGP_AF_IPV4 ? BGP_SAFI_UNICAST : BGP_SAFI_RTC;
}

/*
 * RFC 4724 §3: the R bit and restart time, then for each family whose
 * routes the peer may keep across our restart its AFI, SAFI and the F bit
 * (we kept its forwarding state).
 */
static const struct { uint8_t af; uint8_t safi; } gr_fams[] = {
	{ BGP_AF_VPNV4, BGP_SAFI_VPN }, { BGP_AF_IPV4, BGP_SAFI_UNICAST }, { BGP_AF_RTC, BGP_SAFI_RTC },
};
#define N_GR_FAMS (sizeof(gr_fams) / sizeof(gr_fams[0]))

static void put_cap_gr(struct wbuf *w, const struct bgp_open *o)
{
	uint8_t v[2 + 4 * N_GR_FAMS];
	uint8_t n = 2;

	v[0] = (uint8_t)((o->gr_restarting ? BGP_GR_RESTARTING << 4 : 0) |
			 (o->gr_notification ? BGP_GR_NOTIFICATION << 4 : 0) | ((o->gr_time >> 8) & 0x0f));
	v[1] = (uint8_t)o->gr_time;
	for (size_t i = 0; i < N_GR_FAMS; i++) {
		if (!(o->gr_afs & gr_fams[i].af))
			continue;
		v[n++] = 0;
		v[n++] = BGP_AFI_IPV4;
		v[n++] = gr_fams[i].safi;
		v[n++] = o->gr_fwd_afs & gr_fams[i].af ? BGP_GR_F_FORWARDING : 0;
	}
	put_cap(w, BGP_CAP_GR, v, n);
}

/*
 * RFC 9494: per family AFI, SAFI, flags (F: forwarding kept, as in the
 * graceful restart capability) and the 24-bit long-lived stale time.
 */
static void put_cap_llgr(struct wbuf *w, const struct bgp_open *o)
{
	uint8_t v[N_GR_FAMS * BGP_LLGR_TUPLE_LEN];
	uint8_t n = 0;

	for (size_t i = 0; i < N_GR_FAMS; i++) {
		if (!(o->llgr_afs & gr_fams[i].af))
			continue;
		v[n++] = 0;
		v[n++] = BGP_AFI_IPV4;
		v[n++] = gr_fams[i].safi;
		v[n++] = o->llgr_fwd_afs & gr_fams[i].af ? BGP_GR_F_FORWARDING : 0;
		v[n++] = (uint8_t)(o->llgr_time >> 16);
		v[n++] = (uint8_t)(o->llgr_time >> 8);
		v[n++] = (uint8_t)o->llgr_time;
	}
	put_cap(w, BGP_CAP_LLGR, v, n);
}

int bgp_open_encode(struct wbuf *w, const struct bgp_open *o)
{
	size_t start = bgp_msg_begin(w, BGP_MSG_OPEN);
	uint8_t afs = o->afs ? o->afs : BGP_AF_VPNV4;
	const uint8_t as4[4] = { (uint8_t)(o->asn >> 24), (uint8_t)(o->asn >> 16),
				 (uint8_t)(o->asn >> 8), (uint8_t)o->asn };
	size_t plen_off, caps_off;

	wbuf_put_u8(w, BGP_VERSION);
	wbuf_put_u16(w, o->asn > 0xffff ? BGP_AS_TRANS : (uint16_t)o->asn);
	wbuf_put_u16(w, o->hold_time);
	wbuf_put_u32(w, o->bgp_id);
	plen_off = w->len;
	wbuf_put_u8(w, 0);              /* optional parameters length */
	wbuf_put_u8(w, 2);              /* parameter: capabilities */
	caps_off = w->len;
	wbuf_put_u8(w, 0);
	for (uint8_t af = BGP_AF_VPNV4; af & BGP_AF_ALL; af <<= 1) {
		const uint8_t mp[4] = { 0, BGP_AFI_IPV4, 0, bgp_af_safi(af) };

		if (afs & af)
			put_cap(w, BGP_CAP_MP, mp, 4);
	}
	put_cap(w, BGP_CAP_ROUTE_REFRESH, NULL, 0);
	if (o->cap_enhanced_rr)
		put_cap(w, BGP_CAP_ENHANCED_RR, NULL, 0);
	if (o->cap_ext_msg)
		put_cap(w, BGP_CAP_EXT_MSG, NULL, 0);
	if (o->cap_gr)
		put_cap_gr(w, o);
	if (o->cap_llgr)
		put_cap_llgr(w, o);
	put_cap(w, BGP_CAP_AS4, as4, 4);
	if (!wbuf_ok(w))
		return -ENOMEM;
	wbuf_set_u8(w, caps_off, (uint8_t)(w->len - caps_off - 1));
	wbuf_set_u8(w, plen_off, (uint8_t)(w->len - plen_off - 1));
	return bgp_msg_end(w, start);
}

/* RFC 4724 §3: restart flags and time, then (AFI, SAFI, flags) per family. */
static int open_cap_gr(struct rbuf *v, struct bgp_open *o)
{
	uint16_t ft, afi;
	uint8_t safi, flags;

	if (rbuf_left(v) < 2 || (rbuf_left(v) - 2) % 4 || rbuf_get_u16(v, &ft) < 0)
		return -1;
	o->cap_gr = true;
	o->gr_restarting = (ft >> 12) & BGP_GR_RESTARTING;
	o->gr_notification = (ft >> 12) & BGP_GR_NOTIFICATION;
	o->gr_time = ft & 0x0fff;
	while (rbuf_left(v) >= 4) {
		rbuf_get_u16(v, &afi);
		rbuf_get_u8(v, &safi);
		rbuf_get_u8(v, &flags);
		o->gr_afs |= bgp_af_bit(afi, safi);
		if (flags & BGP_GR_F_FORWARDING)
			o->gr_fwd_afs |= bgp_af_bit(afi, safi);
	}
	return 0;
}

/*
 * RFC 9494: 7-byte tuples (a length that is not a multiple of 7 is
 * malformed, as a graceful restart capability's of the wrong length).
 * Only VPN-IPv4's stale time is kept: it is the one family we keep.
 */
static int open_cap_llgr(struct rbuf *v, struct bgp_open *o)
{
	uint16_t afi;
	uint8_t safi, flags, t[3];

	if (rbuf_left(v) % BGP_LLGR_TUPLE_LEN)
		return -1;
	o->cap_llgr = true;
	while (rbuf_left(v) >= BGP_LLGR_TUPLE_LEN) {
		rbuf_get_u16(v, &afi);
		rbuf_get_u8(v, &safi);
		rbuf_get_u8(v, &flags);
		rbuf_get_bytes(v, t, 3);
		o->llgr_afs |= bgp_af_bit(afi, safi);
		if (flags & BGP_GR_F_FORWARDING)
			o->llgr_fwd_afs |= bgp_af_bit(afi, safi);
		if (bgp_af_bit(afi, safi) == BGP_AF_VPNV4)
			o->llgr_time = (uint32_t)t[0] << 16 | (uint32_t)t[1] << 8 | t[2];
	}
	return 0;
}

/* One capability; unknown ones are ignored (RFC 5492 §3). 0 or -1 (malformed). */
static int open_cap(uint8_t code, struct rbuf *v, struct bgp_open *o)
{
	uint16_t afi;
	uint8_t res, safi;

	switch (code) {
	case BGP_CAP_MP:
		if (rbuf_left(v) != 4 || rbuf_get_u16(v, &afi) < 0 || rbuf_get_u8(v, &res) < 0 ||
		    rbuf_get_u8(v, &safi) < 0)
			return -1;
		o->n_families++;
		o->afs |= bgp_af_bit(afi, safi);
		if (afi == BGP_AFI_IPV4 && safi == BGP_SAFI_VPN)
			o->cap_vpnv4 = true;
		return 0;
	case BGP_CAP_GR:
		return open_cap_gr(v, o);
	case BGP_CAP_LLGR:
		return open_cap_llgr(v, o);
	case BGP_CAP_ENHANCED_RR:
		o->cap_enhanced_rr = true;
		return 0;
	case BGP_CAP_EXT_MSG:
		o->cap_ext_msg = true;
		return 0;
	case BGP_CAP_AS4:
		if (rbuf_left(v) != 4 || rbuf_get_u32(v, &o->asn) < 0)
			return -1;
		o->cap_as4 = true;
		return 0;
	case BGP_CAP_ROUTE_REFRESH:
	case BGP_CAP_ROUTE_REFRESH_OLD:
		o->cap_route_refresh = true;
		return 0;
	default:
		return 0;
	}
}

static int open_caps(struct rbuf *r, struct bgp_open *o, struct bgp_err *err)
{
	while (rbuf_left(r) > 0) {
		uint8_t code, len;
		struct rbuf v;

		if (rbuf_get_u8(r, &code) < 0 || rbuf_get_u8(r, &len) < 0 ||
		    rbuf_sub(r, len, &v) < 0 || open_cap(code, &v, o) < 0) {
			bgp_err_set(err, BGP_ERR_OPEN, BGP_ERR_OPEN_UNSPEC, NULL, 0);
			return -1;
		}
	}
	return 0;
}

static int open_params(struct rbuf *r, struct bgp_open *o, struct bgp_err *err)
{
	while (rbuf_left(r) > 0) {
		uint8_t type, len;
		struct rbuf v;

		if (rbuf_get_u8(r, &type) < 0 || rbuf_get_u8(r, &len) < 0 ||
		    rbuf_sub(r, len, &v) < 0) {
			bgp_err_set(err, BGP_ERR_OPEN, BGP_ERR_OPEN_UNSPEC, NULL, 0);
			return -1;
		}
		if (type != 2) { /* only capabilities are defined today */
			bgp_err_set(err, BGP_ERR_OPEN, BGP_ERR_OPEN_OPT_PARAM, NULL, 0);
			return -1;
		}
		if (open_caps(&v, o, err) < 0)
			return -1;
	}
	return 0;
}

int bgp_open_decode(const uint8_t *body, size_t len, struct bgp_open *o, struct bgp_err *err)
{
	struct rbuf r, params;
	uint8_t plen;

	memset(o, 0, sizeof(*o));
	rbuf_init(&r, body, len);
	if (rbuf_get_u8(&r, &o->version) < 0 || rbuf_get_u16(&r, &o->my_as2) < 0 ||
	    rbuf_get_u16(&r, &o->hold_time) < 0 || rbuf_get_u32(&r, &o->bgp_id) < 0 ||
	    rbuf_get_u8(&r, &plen) < 0) {
		uint8_t d[2] = { (uint8_t)((len + BGP_HDR_LEN) >> 8), (uint8_t)(len + BGP_HDR_LEN) };
		bgp_err_set(err, BGP_ERR_HEADER, BGP_ERR_HDR_LEN, d, 2);
		return -1;
	}
	if (o->version != BGP_VERSION) {
		const uint8_t d[2] = { 0, BGP_VERSION };
		bgp_err_set(err, BGP_ERR_OPEN, BGP_ERR_OPEN_VERSION, d, 2);
		return -1;
	}
	o->asn = o->my_as2;
	if (o->hold_time == 1 || o->hold_time == 2) {
		bgp_err_set(err, BGP_ERR_OPEN, BGP_ERR_OPEN_HOLD, NULL, 0);
		return -1;
	}
	if (o->bgp_id == 0 || o->bgp_id == 0xffffffffu) {
		bgp_err_set(err, BGP_ERR_OPEN, BGP_ERR_OPEN_BGP_ID, NULL, 0);
		return -1;
	}
	if (rbuf_sub(&r, plen, &params) < 0 || rbuf_left(&r) != 0) {
		bgp_err_set(err, BGP_ERR_OPEN, BGP_ERR_OPEN_UNSPEC, NULL, 0);
		return -1;
	}
	if (open_params(&params, o, err) < 0)
		return -1;
	if (!o->cap_as4)
		o->asn = o->my_as2;
	return 0;
}

/* ---- KEEPALIVE, NOTIFICATION, ROUTE-REFRESH ---- */

int bgp_keepalive_encode(struct wbuf *w)
{
	return bgp_msg_end(w, bgp_msg_begin(w, BGP_MSG_KEEPALIVE));
}

int bgp_notification_encode(struct wbuf *w, const struct bgp_err *e)
{
	size_t start = bgp_msg_begin(w, BGP_MSG_NOTIFICATION);

	wbuf_put_u8(w, e->code);
	wbuf_put_u8(w, e->subcode);
	wbuf_put_bytes(w, e->data, e->data_len);
	return bgp_msg_end(w, start);
}

int bgp_notification_decode(const uint8_t *body, size_t len, struct bgp_err *out)
{
	struct rbuf r;
	uint8_t code, sub;

	rbuf_init(&r, body, len);
	if (rbuf_get_u8(&r, &code) < 0 || rbuf_get_u8(&r, &sub) < 0)
		return -1;
	bgp_err_set(out, code, sub, rbuf_cur(&r), rbuf_left(&r));
	return 0;
}

int bgp_route_refresh_encode(struct wbuf *w, uint16_t afi, uint8_t safi, uint8_t subtype)
{
	size_t start = bgp_msg_begin(w, BGP_MSG_ROUTE_REFRESH);

	wbuf_put_u16(w, afi);
	wbuf_put_u8(w, subtype);
	wbuf_put_u8(w, safi);
	return bgp_msg_end(w, start);
}

int bgp_route_refresh_check(const uint8_t *body, size_t len, struct bgp_err *err)
{
	uint8_t sub = len > 2 ? body[2] : 0;
	uint8_t m[BGP_ERR_DATA_MAX];
	size_t n;

	if (sub > BGP_RR_EORR)
		return 1; /* RFC 7313 §5: unknown subtypes are ignored, whatever their length */
	if (len == BGP_ROUTE_REFRESH_LEN - BGP_HDR_LEN)
		return 0;
	if (sub == BGP_RR_REQUEST) { /* RFC 2918's fixed length (no ORF here) */
		const uint8_t d[2] = { (uint8_t)((len + BGP_HDR_LEN) >> 8), (uint8_t)(len + BGP_HDR_LEN) };

		bgp_err_set(err, BGP_ERR_HEADER, BGP_ERR_HDR_LEN, d, 2);
		return -1;
	}
	/* BoRR/EoRR: 7/1, the data is the whole message (cut to what a NOTIFICATION holds) */
	memset(m, 0xff, BGP_MARKER_LEN);
	m[16] = (uint8_t)((len + BGP_HDR_LEN) >> 8);
	m[17] = (uint8_t)(len + BGP_HDR_LEN);
	m[18] = BGP_MSG_ROUTE_REFRESH;
	n = len < sizeof(m) - BGP_HDR_LEN ? len : sizeof(m) - BGP_HDR_LEN;
	memcpy(m + BGP_HDR_LEN, body, n);
	bgp_err_set(err, BGP_ERR_ROUTE_REFRESH, BGP_ERR_RR_LENGTH, m, BGP_HDR_LEN + n);
	return -1;
}

int bgp_route_refresh_decode(const uint8_t *body, size_t len, uint16_t *afi, uint8_t *safi,
			     uint8_t *subtype)
{
	struct rbuf r;

	rbuf_init(&r, body, len);
	if (rbuf_get_u16(&r, afi) < 0 || rbuf_get_u8(&r, subtype) < 0 || rbuf_get_u8(&r, safi) < 0)
		return -1;
	return 0;
}
