/*
 * UPDATE messages: the frame around the path attributes (withdrawn routes,
 * attribute section, plain IPv4 NLRI) and the checks that need the whole
 * message (mandatory attributes, RFC 6793 AS4 reconstruction). Encoding
 * packs as many VPN-IPv4 NLRI sharing one attribute set as fit in 4096
 * bytes, MP_REACH_NLRI first (RFC 7606 §5.1: "SHALL be encoded as the very
 * first path attribute", so a receiver knows the routes whatever breaks
 * after it), the other attributes after it in type order (RFC 4271 §5).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bgpd/attr.h"

struct bgp_update *bgp_update_new(void)
{
	return calloc(1, sizeof(struct bgp_update));
}

void bgp_update_free(struct bgp_update *u)
{
	free(u);
}

/* Clears what one decode fills in (not the scratch buffers). */
static void update_reset(struct bgp_update *u)
{
	memset(&u->attrs, 0, sizeof(u->attrs));
	u->n_reach = u->n_unreach = 0;
	u->has_mp_reach = u->has_mp_unreach = u->end_of_rib = u->overrun = false;
	u->n_ipv4_nlri = u->n_ipv4_withdrawn = u->n_other_afi = 0;
	u->other_reach = u->other_attrs = false;
	u->n_rtc_reach = u->n_rtc_unreach = 0;
	rbuf_init(&u->rtc_reach, NULL, 0);
	rbuf_init(&u->rtc_unreach, NULL, 0);
	u->rtc_eor = u->eor_lookalike = false;
	u->action = ATTR_ACT_NONE;
	memset(&u->withdraw_err, 0, sizeof(u->withdraw_err));
	memset(u->seen, 0, sizeof(u->seen));
	u->as4path_len = 0;
	u->has_as4path = u->has_as4_aggregator = u->as4path_partial = false;
	u->as4_aggregator_partial = false;
}

/* Plain IPv4 prefixes (withdrawn routes, NLRI): checked and counted only. */
static int ipv4_prefixes(struct rbuf *r, size_t *count)
{
	while (rbuf_left(r) > 0) {
		uint8_t len;

		if (rbuf_get_u8(r, &len) < 0 || len > 32 || rbuf_skip(r, (len + 7u) / 8) < 0)
			return -1;
		(*count)++;
	}
	return 0;
}

/*
 * RFC 6793 §4.2.3: a 2-octet speaker's true path and aggregator. With
 * AS4_AGGREGATOR, an AGGREGATOR from a real 2-octet AS means a 2-octet
 * speaker aggregated after the AS4_* attributes were made: both are stale
 * and ignored. An
 * AS4_PATH that would replace an external neighbor's own AS (which no
 * 2-octet speaker can have put there) is malformed: discarded (§6).
 */
static void update_as4_fixup(struct bgp_update *u, const struct attr_ctx *ctx)
{
	static const uint8_t as4path_hdr[2] = { ATTR_F_OPTIONAL | ATTR_F_TRANSITIVE, ATTR_AS4_PATH };
	struct bgp_attrs *a = &u->attrs;

	if (u->has_as4_aggregator && attr_has(a, ATTR_AGGREGATOR) &&
	    a->aggregator_as != BGP_AS_TRANS)
		return;
	if (u->has_as4path && attr_has(a, ATTR_AS_PATH)) {
		static uint8_t merged[3 * BGP_MAX_EXT_MSG]; /* static: large, one event loop */
		size_t n = aspath_merge_as4(a->aspath, a->aspath_len, u->as4path_buf,
					    u->as4path_len, merged);

		if (n && ctx->ebgp && aspath_first_as(merged, n) != ctx->peer_as)
			attr_soft_error(u, ATTR_ACT_DISCARD, BGP_ERR_UPD_OPTIONAL, as4path_hdr, 2);
		else if (n && n <= UINT16_MAX) {
			memcpy(u->aspath_buf, merged, n);
			a->aspath = u->aspath_buf;
			a->aspath_len = (uint16_t)n;
			/*
			 * Its Partial bit (a 2-octet speaker on the way passed it on
			 * without knowing it) stays with the path: on the AS4_PATH
			 * made for a 2-octet peer, never set back to 0 (RFC 4271 §5);
			 * never on AS_PATH, nor to a 4-octet peer (no AS4_PATH, attr.c).
			 */
			if (u->as4path_partial)
				a->partial |= ATTR_BIT(ATTR_AS4_PATH);
		}
	}
	if (u->has_as4_aggregator && attr_has(a, ATTR_AGGREGATOR)) {
		a->aggregator_as = u->as4_aggregator_as;
		a->aggregator_id = u->as4_aggregator_id;
		if (u->as4_aggregator_partial) /* as AS4_PATH's, on the one made for a 2-octet peer */
			a->partial |= ATTR_BIT(ATTR_AS4_AGGREGATOR);
	}
}

/*
 * NEXT_HOP's value only matters to plain IPv4 NLRI: with none (RFC 4760
 * §3: an UPDATE whose routes are all in MP_REACH_NLRI "SHOULD NOT carry"
 * it, and if it does, the receiver "SHOULD ignore this attribute"; ExaBGP
 * 4.2 sends it) a 0.0.0.0 or multicast one withdraws nothing (RFC 7606
 * §7.3 otherwise). Its length was checked when it was read.
 */
static void update_check_nexthop(struct bgp_update *u)
{
	uint32_t nh = u->ipv4_nexthop;

	if (!u->n_ipv4_nlri || !attr_has(&u->attrs, ATTR_NEXT_HOP) || attr_nexthop_usable(nh))
		return;
	/* the NOTIFICATION's data would be the attribute (RFC 4271 §6.3) */
	const uint8_t attr[7] = { ATTR_F_TRANSITIVE, ATTR_NEXT_HOP, 4, (uint8_t)(nh >> 24),
				  (uint8_t)(nh >> 16), (uint8_t)(nh >> 8), (uint8_t)nh };
	attr_soft_error(u, ATTR_ACT_WITHDRAW, BGP_ERR_UPD_NEXTHOP, attr, sizeof(attr));
}

/* Mandatory attributes, only when routes are announced (RFC 7606 §3(d)). */
static void update_check_mandatory(struct bgp_update *u, const struct attr_ctx *ctx)
{
	static const uint8_t wk[] = { ATTR_ORIGIN, ATTR_AS_PATH };

	if (u->n_reach == 0 && u->n_ipv4_nlri == 0 && u->n_rtc_reach == 0)
		return;
	for (size_t i = 0; i < sizeof(wk); i++) {
		if (!attr_has(&u->attrs, wk[i]) && !(u->seen[0] & (1u << wk[i]))) {
			attr_soft_error(u, ATTR_ACT_WITHDRAW, BGP_ERR_UPD_MISSING_WK, &wk[i], 1);
			return;
		}
	}
	if (!ctx->ebgp && !attr_has(&u->attrs, ATTR_LOCAL_PREF)) {
		/* Lenient like most speakers: an iBGP route without it gets the default. */
		u->attrs.local_pref = ATTR_DEFAULT_LOCAL_PREF;
		u->attrs.present |= ATTR_BIT(ATTR_LOCAL_PREF);
	}
}

/*
 * RFC 7606 §4: the attribute section broke off. Treat-as-withdraw needs the
 * routes: the NLRI field (found from the section length) or an MP attribute
 * already read. With neither, an MP attribute may hide in the unreadable
 * rest, which §3(h) answers with a session reset. 0 or -1 (err is set).
 */
static int update_overrun(struct bgp_update *u, struct bgp_err *err)
{
	if (!u->has_mp_reach && !u->has_mp_unreach && !u->n_ipv4_nlri && !u->n_ipv4_withdrawn)
		return -1;
	attr_soft_error(u, ATTR_ACT_WITHDRAW, err->subcode, err->data, err->data_len);
	return 0;
}

/*
 * RFC 7606 §5.2: an UPDATE with attributes besides MP_UNREACH_NLRI but no
 * reachable NLRI is none of the well-formed kinds (announcement,
 * withdrawal, End-of-RIB), so its NLRI may not have been found right:
 * an error there that is not an attribute discard "MUST" reset the session.
 * 0, or -1 with err set to that error.
 */
static int update_no_reach_check(const struct bgp_update *u, struct bgp_err *err)
{
	bool reach = u->n_reach || u->n_ipv4_nlri || u->n_rtc_reach || u->other_reach;

	if (u->action != ATTR_ACT_WITHDRAW || reach || !u->other_attrs)
		return 0;
	*err = u->withdraw_err;
	return -1;
}

/*
 * RFC 4724 §2: for a family other than IPv4 unicast the End-of-RIB is "an
 * UPDATE message that contains only the MP_UNREACH_NLRI attribute" with no
 * withdrawn routes. An empty MP_UNREACH beside other attributes, routes or
 * withdrawn IPv4 routes is not one (as GoBGP and BIRD read it; FRR takes
 * any UPDATE without NLRI and with an empty MP_UNREACH): taken for one, it
 * would end a graceful restart early and sweep routes still coming. It
 * withdraws nothing, and the rest of it is taken as any UPDATE's.
 */
static void update_check_eor(struct bgp_update *u)
{
	bool alone = !u->other_attrs && !u->n_ipv4_nlri && !u->n_ipv4_withdrawn;

	if (alone || (!u->end_of_rib && !u->rtc_eor))
		return;
	u->end_of_rib = u->rtc_eor = false;
	u->eor_lookalike = true;
}

int bgp_update_decode(const uint8_t *body, size_t len, const struct attr_ctx *ctx,
		      struct bgp_update *u, struct bgp_err *err)
{
	struct rbuf r, wd, attrs;
	uint16_t wlen, alen;

	update_reset(u);
	rbuf_init(&r, body, len);
	if (rbuf_get_u16(&r, &wlen) < 0 || rbuf_sub(&r, wlen, &wd) < 0 ||
	    rbuf_get_u16(&r, &alen) < 0 || rbuf_sub(&r, alen, &attrs) < 0) {
		bgp_err_set(err, BGP_ERR_UPDATE, BGP_ERR_UPD_ATTR_LIST, NULL, 0);
		return -1;
	}
	if (ipv4_prefixes(&wd, &u->n_ipv4_withdrawn) < 0) {
		bgp_err_set(err, BGP_ERR_UPDATE, BGP_ERR_UPD_NETWORK, NULL, 0);
		return -1;
	}
	if (attr_decode_list(&attrs, ctx, u, err) < 0)
		return -1;
	if (ipv4_prefixes(&r, &u->n_ipv4_nlri) < 0) {
		bgp_err_set(err, BGP_ERR_UPDATE, BGP_ERR_UPD_NETWORK, NULL, 0);
		return -1;
	}
	if (u->overrun && update_overrun(u, err) < 0)
		return -1;
	if (!ctx->as4)
		update_as4_fixup(u, ctx);
	update_check_eor(u);
	update_check_nexthop(u);
	update_check_mandatory(u, ctx);
	return update_no_reach_check(u, err);
}

/* ---- encoding ---- */

#define MP_REACH_FIXED (4 + 2 + 1 + 1 + 12 + 1) /* ext header, AFI, SAFI, nh len, nh, reserved */

/* How many of nlri[0..n) fit in budget bytes, and their size. */
static size_t nlri_fit(const struct bgp_vpn_nlri *nlri, size_t n, size_t budget, size_t *bytes)
{
	size_t k = 0, sum = 0;

	while (k < n && sum + mp_nlri_size(&nlri[k]) <= budget)
		sum += mp_nlri_size(&nlri[k++]);
	*bytes = sum;
	return k;
}

static void mp_reach_put(struct wbuf *w, uint32_t nexthop, const struct bgp_vpn_nlri *nlri,
			 size_t k, size_t bytes)
{
	static const uint8_t zero_rd[8];

	wbuf_put_u8(w, ATTR_F_OPTIONAL | ATTR_F_EXTLEN);
	wbuf_put_u8(w, ATTR_MP_REACH);
	wbuf_put_u16(w, (uint16_t)(MP_REACH_FIXED - 4 + bytes));
	wbuf_put_u16(w, BGP_AFI_IPV4);
	wbuf_put_u8(w, BGP_SAFI_VPN);
	wbuf_put_u8(w, 12);
	wbuf_put_bytes(w, zero_rd, 8);
	wbuf_put_u32(w, nexthop);
	wbuf_put_u8(w, 0);
	for (size_t i = 0; i < k; i++)
		mp_nlri_put(w, &nlri[i], false);
}

int bgp_update_encode_reach(struct wbuf *w, const struct bgp_attrs *a,
			    const struct bgp_vpn_nlri *nlri, size_t n, const struct attr_ctx *ctx)
{
	size_t start = bgp_msg_begin(w, BGP_MSG_UPDATE), alen_off, used, bytes, k;
	size_t max = ctx->ext_msg ? BGP_MAX_EXT_MSG : BGP_MAX_MSG;
	struct wbuf rest; /* the other attributes, which follow MP_REACH_NLRI */
	int rc;

	wbuf_put_u16(w, 0); /* no plain IPv4 withdrawals */
	alen_off = w->len;
	wbuf_put_u16(w, 0);
	wbuf_init(&rest);
	attr_encode_all(&rest, a, ctx);
	used = (w->len - start) + rest.len + MP_REACH_FIXED;
	k = used < max ? nlri_fit(nlri, n, max - used, &bytes) : 0;
	if (k == 0 || !wbuf_ok(&rest)) {
		wbuf_free(&rest);
		w->len = start;
		return k == 0 ? -EMSGSIZE : -ENOMEM;
	}
	mp_reach_put(w, a->nexthop, nlri, k, bytes);
	wbuf_put_bytes(w, rest.data, rest.len);
	wbuf_free(&rest);
	wbuf_set_u16(w, alen_off, (uint16_t)(w->len - alen_off - 2));
	rc = bgp_msg_end_max(w, start, max);
	return rc < 0 ? rc : (int)k;
}

void bgp_mp_unreach_head(struct wbuf *w, uint8_t safi, size_t nlri_bytes)
{
	wbuf_put_u16(w, 0);
	wbuf_put_u16(w, (uint16_t)(BGP_MP_UNREACH_FIXED + nlri_bytes));
	wbuf_put_u8(w, ATTR_F_OPTIONAL | ATTR_F_EXTLEN);
	wbuf_put_u8(w, ATTR_MP_UNREACH);
	wbuf_put_u16(w, (uint16_t)(BGP_MP_UNREACH_FIXED - 4 + nlri_bytes));
	wbuf_put_u16(w, BGP_AFI_IPV4);
	wbuf_put_u8(w, safi);
}

static int unreach_encode(struct wbuf *w, const struct bgp_vpn_nlri *nlri, size_t n)
{
	size_t start = bgp_msg_begin(w, BGP_MSG_UPDATE), bytes, k;
	int rc;

	k = nlri_fit(nlri, n, BGP_MAX_MSG - BGP_UPDATE_MIN - BGP_MP_UNREACH_FIXED, &bytes);
	bgp_mp_unreach_head(w, BGP_SAFI_VPN, bytes);
	for (size_t i = 0; i < k; i++)
		mp_nlri_put(w, &nlri[i], true);
	rc = bgp_msg_end(w, start);
	return rc < 0 ? rc : (int)k;
}

int bgp_update_encode_unreach(struct wbuf *w, const struct bgp_vpn_nlri *nlri, size_t n)
{
	if (n == 0)
		return -EINVAL;
	return unreach_encode(w, nlri, n);
}

int bgp_update_encode_eor_ipv4(struct wbuf *w)
{
	size_t start = bgp_msg_begin(w, BGP_MSG_UPDATE);

	wbuf_put_u16(w, 0);
	wbuf_put_u16(w, 0);
	return bgp_msg_end(w, start);
}

int bgp_update_encode_eor(struct wbuf *w)
{
	int rc = unreach_encode(w, NULL, 0);

	return rc < 0 ? rc : 0;
}
