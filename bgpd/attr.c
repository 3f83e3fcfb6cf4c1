/*
 * The path attribute table (BIRD style): one row per type code with its
 * expected flags, decoder, encoder and RFC 7606 error action. A new attribute
 * is one row and two small functions, never a case in a long switch. The
 * generic loop here does what is common to all: header and length checks,
 * flag checks, duplicates, unknown attributes (well-known: error; optional
 * transitive: kept with the Partial bit; optional non-transitive: dropped).
 */
#include <string.h>

#include "bgpd/attr.h"

#define WK ATTR_F_TRANSITIVE
#define OPT_T (ATTR_F_OPTIONAL | ATTR_F_TRANSITIVE)
#define OPT_NT ATTR_F_OPTIONAL

static int get_u32_exact(struct rbuf *v, uint32_t *out)
{
	if (rbuf_left(v) != 4 || rbuf_get_u32(v, out) < 0)
		return BGP_ERR_UPD_LENGTH;
	return 0;
}

static int origin_decode(struct rbuf *v, struct attr_dec *d)
{
	uint8_t o;

	if (rbuf_left(v) != 1 || rbuf_get_u8(v, &o) < 0)
		return BGP_ERR_UPD_LENGTH;
	if (o > ORIGIN_INCOMPLETE)
		return BGP_ERR_UPD_ORIGIN;
	d->u->attrs.origin = o;
	return 0;
}

static int aspath_decode(struct rbuf *v, struct attr_dec *d)
{
	struct bgp_update *u = d->u;
	size_t len = rbuf_left(v), asn_size = d->ctx->as4 ? 4 : 2;

	if (aspath_validate(rbuf_cur(v), len, asn_size, !d->ctx->ebgp) < 0)
		return BGP_ERR_UPD_ASPATH;
	if (len * (4 / asn_size) > UINT16_MAX) /* cannot be held (only from huge messages) */
		return BGP_ERR_UPD_ASPATH;
	if (asn_size == 4) {
		memcpy(u->aspath_buf, rbuf_cur(v), len);
	} else {
		len = aspath_widen(rbuf_cur(v), len, u->aspath_buf);
	}
	/* RFC 4271 §6.3: an external peer's path starts with its own AS. */
	if (d->ctx->ebgp && aspath_first_as(u->aspath_buf, len) != d->ctx->peer_as)
		return BGP_ERR_UPD_ASPATH;
	u->attrs.aspath = u->aspath_buf;
	u->attrs.aspath_len = (uint16_t)len;
	return 0;
}

bool attr_nexthop_usable(uint32_t nh)
{
	return nh != 0 && nh != 0xffffffffu && (nh >> 28) != 0xe;
}

/*
 * Only plain IPv4 NLRI use it (MP_REACH carries ours): its value is judged
 * in update.c once the NLRI field is known to hold some (RFC 4760 §3).
 */
static int nexthop_decode(struct rbuf *v, struct attr_dec *d)
{
	return get_u32_exact(v, &d->u->ipv4_nexthop);
}

static int med_decode(struct rbuf *v, struct attr_dec *d)
{
	return get_u32_exact(v, &d->u->attrs.med);
}

/* From an external peer the row's ebgp_discard drops it before this (RFC 4271 §5.1.5). */
static int local_pref_decode(struct rbuf *v, struct attr_dec *d)
{
	return get_u32_exact(v, &d->u->attrs.local_pref);
}

static int atomic_decode(struct rbuf *v, struct attr_dec *d)
{
	(void)d;
	return rbuf_left(v) == 0 ? 0 : BGP_ERR_UPD_LENGTH;
}

static int aggregator_decode(struct rbuf *v, struct attr_dec *d)
{
	struct bgp_attrs *a = &d->u->attrs;
	uint16_t as2;

	if (d->ctx->as4) {
		if (rbuf_left(v) != 8 || rbuf_get_u32(v, &a->aggregator_as) < 0 ||
		    rbuf_get_u32(v, &a->aggregator_id) < 0)
			return BGP_ERR_UPD_LENGTH;
		return 0;
	}
	if (rbuf_left(v) != 6 || rbuf_get_u16(v, &as2) < 0 || rbuf_get_u32(v, &a->aggregator_id) < 0)
		return BGP_ERR_UPD_LENGTH;
	a->aggregator_as = as2;
	return 0;
}

static int communities_decode(struct rbuf *v, struct attr_dec *d)
{
	struct bgp_update *u = d->u;
	size_t n = rbuf_left(v) / 4;

	if (rbuf_left(v) == 0 || rbuf_left(v) % 4)
		return BGP_ERR_UPD_LENGTH;
	for (size_t i = 0; i < n; i++)
		rbuf_get_u32(v, &u->comm_buf[i]);
	u->attrs.communities = u->comm_buf;
	u->attrs.n_communities = (uint16_t)n;
	return 0;
}

/* A list of 32-bit words, len a non-zero multiple of unit bytes. */
static int get_words(struct rbuf *v, size_t unit, uint32_t *out, uint16_t *n)
{
	size_t len = rbuf_left(v);

	if (len == 0 || len % unit)
		return BGP_ERR_UPD_LENGTH;
	for (size_t i = 0; i < len / 4; i++)
		rbuf_get_u32(v, &out[i]);
	*n = (uint16_t)(len / unit);
	return 0;
}

static int originator_decode(struct rbuf *v, struct attr_dec *d)
{
	return get_u32_exact(v, &d->u->attrs.originator_id);
}

static int cluster_decode(struct rbuf *v, struct attr_dec *d)
{
	d->u->attrs.cluster = d->u->cluster_buf;
	return get_words(v, 4, d->u->cluster_buf, &d->u->attrs.n_cluster);
}

/* RFC 8092 §5: a length that is not a non-zero multiple of 12 withdraws. */
static int large_decode(struct rbuf *v, struct attr_dec *d)
{
	d->u->attrs.large = d->u->large_buf;
	return get_words(v, 12, d->u->large_buf, &d->u->attrs.n_large);
}

static int ext_decode(struct rbuf *v, struct attr_dec *d)
{
	if (rbuf_left(v) == 0 || rbuf_left(v) % 8)
		return BGP_ERR_UPD_LENGTH;
	/* Wire form is our form: point at the message, interning copies it. */
	d->u->attrs.ext = (const struct ext_community *)rbuf_cur(v);
	d->u->attrs.n_ext = (uint16_t)(rbuf_left(v) / 8);
	return 0;
}

/*
 * RFC 6793: only a 2-octet speaker's AS4_PATH means anything; a 4-octet
 * one's is dropped. Confederation segments have no place in it (§6): they
 * are dropped and the rest kept.
 */
static int as4path_decode(struct rbuf *v, struct attr_dec *d)
{
	struct bgp_update *u = d->u;
	const uint8_t *p = rbuf_cur(v);
	size_t len = rbuf_left(v), off = 0, o = 0;

	d->u->attrs.present &= ~ATTR_BIT(ATTR_AS4_PATH);
	if (d->ctx->as4)
		return 0;
	/* RFC 7606 §4: only AS_PATH and ATOMIC_AGGREGATE may be empty */
	if (len == 0 || aspath_validate(p, len, 4, true) < 0)
		return BGP_ERR_UPD_OPTIONAL;
	while (off < len) {
		size_t seg = 2 + (size_t)p[off + 1] * 4;

		if (p[off] == ASPATH_SET || p[off] == ASPATH_SEQUENCE) {
			memcpy(u->as4path_buf + o, p + off, seg);
			o += seg;
		}
		off += seg;
	}
	u->as4path_len = (uint16_t)o;
	u->has_as4path = o > 0;
	u->as4path_partial = (d->flags & ATTR_F_PARTIAL) != 0;
	return 0;
}

static int as4aggr_decode(struct rbuf *v, struct attr_dec *d)
{
	struct bgp_update *u = d->u;

	d->u->attrs.present &= ~ATTR_BIT(ATTR_AS4_AGGREGATOR);
	if (d->ctx->as4)
		return 0;
	if (rbuf_left(v) != 8 || rbuf_get_u32(v, &u->as4_aggregator_as) < 0 ||
	    rbuf_get_u32(v, &u->as4_aggregator_id) < 0)
		return BGP_ERR_UPD_LENGTH;
	u->has_as4_aggregator = true;
	u->as4_aggregator_partial = (d->flags & ATTR_F_PARTIAL) != 0;
	return 0;
}

/* ---- encoders: each writes its attribute when the set holds it ---- */

void attr_put_header(struct wbuf *w, uint8_t flags, uint8_t type, size_t len)
{
	flags &= (uint8_t)~ATTR_F_EXTLEN;
	if (len > 255) {
		wbuf_put_u8(w, flags | ATTR_F_EXTLEN);
		wbuf_put_u8(w, type);
		wbuf_put_u16(w, (uint16_t)len);
	} else {
		wbuf_put_u8(w, flags);
		wbuf_put_u8(w, type);
		wbuf_put_u8(w, (uint8_t)len);
	}
}

static void put_u32_attr(struct wbuf *w, uint8_t flags, uint8_t type, uint32_t v)
{
	attr_put_header(w, flags, type, 4);
	wbuf_put_u32(w, v);
}

static void origin_encode(struct wbuf *w, const struct bgp_attrs *a, const struct attr_ctx *c)
{
	(void)c;
	attr_put_header(w, WK, ATTR_ORIGIN, 1);
	wbuf_put_u8(w, a->origin);
}

static void aspath_encode(struct wbuf *w, const struct bgp_attrs *a, const struct attr_ctx *c)
{
	static uint8_t narrow[BGP_MAX_EXT_MSG]; /* static: large, one event loop */
	bool need4;
	size_t len;

	if (c->as4) { /* (a narrowed path is never longer: narrow holds any) */
		attr_put_header(w, WK, ATTR_AS_PATH, a->aspath_len);
		wbuf_put_bytes(w, a->aspath, a->aspath_len);
		return;
	}
	len = aspath_narrow(a->aspath, a->aspath_len, narrow, &need4);
	attr_put_header(w, WK, ATTR_AS_PATH, len);
	wbuf_put_bytes(w, narrow, len);
}

static void as4path_encode(struct wbuf *w, const struct bgp_attrs *a, const struct attr_ctx *c)
{
	static uint8_t narrow[BGP_MAX_EXT_MSG]; /* static: large, one event loop */
	bool need4 = false;

	if (c->as4 || !attr_has(a, ATTR_AS_PATH))
		return;
	aspath_narrow(a->aspath, a->aspath_len, narrow, &need4);
	if (!need4)
		return;
	attr_put_header(w, OPT_T, ATTR_AS4_PATH, a->aspath_len);
	wbuf_put_bytes(w, a->aspath, a->aspath_len);
}

static void med_encode(struct wbuf *w, const struct bgp_attrs *a, const struct attr_ctx *c)
{
	(void)c;
	put_u32_attr(w, OPT_NT, ATTR_MED, a->med);
}

static void local_pref_encode(struct wbuf *w, const struct bgp_attrs *a, const struct attr_ctx *c)
{
	if (!c->ebgp)
		put_u32_attr(w, WK, ATTR_LOCAL_PREF, a->local_pref);
}

static void atomic_encode(struct wbuf *w, const struct bgp_attrs *a, const struct attr_ctx *c)
{
	(void)a;
	(void)c;
	attr_put_header(w, WK, ATTR_ATOMIC_AGGREGATE, 0);
}

static void aggregator_encode(struct wbuf *w, const struct bgp_attrs *a, const struct attr_ctx *c)
{
	if (c->as4) {
		attr_put_header(w, OPT_T, ATTR_AGGREGATOR, 8);
		wbuf_put_u32(w, a->aggregator_as);
	} else {
		attr_put_header(w, OPT_T, ATTR_AGGREGATOR, 6);
		wbuf_put_u16(w, a->aggregator_as > 0xffff ? BGP_AS_TRANS : (uint16_t)a->aggregator_as);
	}
	wbuf_put_u32(w, a->aggregator_id);
}

static void as4aggr_encode(struct wbuf *w, const struct bgp_attrs *a, const struct attr_ctx *c)
{
	if (c->as4 || !attr_has(a, ATTR_AGGREGATOR) || a->aggregator_as <= 0xffff)
		return;
	attr_put_header(w, OPT_T, ATTR_AS4_AGGREGATOR, 8);
	wbuf_put_u32(w, a->aggregator_as);
	wbuf_put_u32(w, a->aggregator_id);
}

static void communities_encode(struct wbuf *w, const struct bgp_attrs *a, const struct attr_ctx *c)
{
	(void)c;
	if (!a->n_communities) /* an empty one would be malformed (RFC 7606 §7.8) */
		return;
	attr_put_header(w, OPT_T, ATTR_COMMUNITIES, (size_t)a->n_communities * 4);
	for (size_t i = 0; i < a->n_communities; i++)
		wbuf_put_u32(w, a->communities[i]);
}

static void words_put(struct wbuf *w, const uint32_t *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		wbuf_put_u32(w, v[i]);
}

/* Route reflection attributes never leave the AS (RFC 4456 §8). */
static void originator_encode(struct wbuf *w, const struct bgp_attrs *a, const struct attr_ctx *c)
{
	if (!c->ebgp)
		put_u32_attr(w, OPT_NT, ATTR_ORIGINATOR_ID, a->originator_id);
}

static void cluster_encode(struct wbuf *w, const struct bgp_attrs *a, const struct attr_ctx *c)
{
	if (c->ebgp || !a->n_cluster)
		return;
	attr_put_header(w, OPT_NT, ATTR_CLUSTER_LIST, (size_t)a->n_cluster * 4);
	words_put(w, a->cluster, a->n_cluster);
}

static void large_encode(struct wbuf *w, const struct bgp_attrs *a, const struct attr_ctx *c)
{
	(void)c;
	if (!a->n_large)
		return;
	attr_put_header(w, OPT_T, ATTR_LARGE_COMMUNITIES, (size_t)a->n_large * 12);
	words_put(w, a->large, (size_t)a->n_large * 3);
}

static void ext_encode(struct wbuf *w, const struct bgp_attrs *a, const struct attr_ctx *c)
{
	(void)c;
	if (!a->n_ext)
		return;
	attr_put_header(w, OPT_T, ATTR_EXT_COMMUNITIES, (size_t)a->n_ext * 8);
	wbuf_put_bytes(w, a->ext, (size_t)a->n_ext * 8);
}

/*
 * RFC 7606 actions: ORIGIN, AS_PATH, NEXT_HOP, MED, LOCAL_PREF, COMMUNITIES,
 * ORIGINATOR_ID, CLUSTER_LIST, EXTENDED and LARGE COMMUNITIES errors withdraw
 * the routes (§7.1-7.10, §7.14, RFC 8092 §5); ATOMIC_AGGREGATE, AGGREGATOR
 * and the AS4 ones are discarded (§7.6, §7.7, RFC 6793 §6); a broken
 * MP_REACH/MP_UNREACH hides which routes were meant, so the session resets
 * (§7.11, §7.12). LOCAL_PREF, ORIGINATOR_ID and CLUSTER_LIST from an external
 * peer are discarded unread. Wrong Optional/Transitive flags withdraw
 * (§3(c)), but reset on the MP rows (RFC 4760 §7: an incorrect MP
 * attribute); attr_decode.c applies that.
 */
#define ROW(n, f, act, dec, enc) { n, f, act, false, dec, enc }
#define IBGP_ROW(n, f, act, dec, enc) { n, f, act, true, dec, enc }
static const struct attr_desc attr_table[256] = {
	[ATTR_ORIGIN] = ROW("ORIGIN", WK, ATTR_ACT_WITHDRAW, origin_decode, origin_encode),
	[ATTR_AS_PATH] = ROW("AS_PATH", WK, ATTR_ACT_WITHDRAW, aspath_decode, aspath_encode),
	[ATTR_NEXT_HOP] = ROW("NEXT_HOP", WK, ATTR_ACT_WITHDRAW, nexthop_decode, NULL),
	[ATTR_MED] = ROW("MULTI_EXIT_DISC", OPT_NT, ATTR_ACT_WITHDRAW, med_decode, med_encode),
	[ATTR_LOCAL_PREF] = IBGP_ROW("LOCAL_PREF", WK, ATTR_ACT_WITHDRAW, local_pref_decode,
				     local_pref_encode),
	[ATTR_ATOMIC_AGGREGATE] = ROW("ATOMIC_AGGREGATE", WK, ATTR_ACT_DISCARD, atomic_decode,
				      atomic_encode),
	[ATTR_AGGREGATOR] = ROW("AGGREGATOR", OPT_T, ATTR_ACT_DISCARD, aggregator_decode,
				aggregator_encode),
	[ATTR_COMMUNITIES] = ROW("COMMUNITIES", OPT_T, ATTR_ACT_WITHDRAW, communities_decode,
				 communities_encode),
	[ATTR_ORIGINATOR_ID] = IBGP_ROW("ORIGINATOR_ID", OPT_NT, ATTR_ACT_WITHDRAW,
					originator_decode, originator_encode),
	[ATTR_CLUSTER_LIST] = IBGP_ROW("CLUSTER_LIST", OPT_NT, ATTR_ACT_WITHDRAW, cluster_decode,
				       cluster_encode),
	[ATTR_MP_REACH] = ROW("MP_REACH_NLRI", OPT_NT, ATTR_ACT_RESET, mp_reach_decode, NULL),
	[ATTR_MP_UNREACH] = ROW("MP_UNREACH_NLRI", OPT_NT, ATTR_ACT_RESET, mp_unreach_decode, NULL),
	[ATTR_EXT_COMMUNITIES] = ROW("EXTENDED_COMMUNITIES", OPT_T, ATTR_ACT_WITHDRAW, ext_decode,
				     ext_encode),
	[ATTR_AS4_PATH] = ROW("AS4_PATH", OPT_T, ATTR_ACT_DISCARD, as4path_decode, as4path_encode),
	[ATTR_AS4_AGGREGATOR] = ROW("AS4_AGGREGATOR", OPT_T, ATTR_ACT_DISCARD, as4aggr_decode,
				    as4aggr_encode),
	[ATTR_LARGE_COMMUNITIES] = ROW("LARGE_COMMUNITIES", OPT_T, ATTR_ACT_WITHDRAW, large_decode,
				       large_encode),
};
#undef ROW
#undef IBGP_ROW

const struct attr_desc *attr_desc_get(uint8_t type)
{
	return attr_table[type].name ? &attr_table[type] : NULL;
}

bool attr_has_community(const struct bgp_attrs *a, uint32_t c)
{
	for (size_t i = 0; attr_has(a, ATTR_COMMUNITIES) && i < a->n_communities; i++)
		if (a->communities[i] == c)
			return true;
	return false;
}

bool attr_cluster_has(const struct bgp_attrs *a, uint32_t id)
{
	for (size_t i = 0; attr_has(a, ATTR_CLUSTER_LIST) && i < a->n_cluster; i++)
		if (a->cluster[i] == id)
			return true;
	return false;
}

const char *attr_name(uint8_t type)
{
	return attr_table[type].name ? attr_table[type].name : "unknown attribute";
}

const char *attr_origin_name(uint8_t origin)
{
	static const char *const names[] = { "igp", "egp", "incomplete" };
	return origin <= ORIGIN_INCOMPLETE ? names[origin] : "invalid";
}

void attr_encode_all(struct wbuf *w, const struct bgp_attrs *a, const struct attr_ctx *ctx)
{
	for (int t = 0; t < 256; t++) {
		const struct attr_desc *d = &attr_table[t];
		size_t at = w->len;

		/* AS4_* rows decide themselves (they follow AS_PATH/AGGREGATOR) */
		if (!d->encode)
			continue;
		if (t < 64 && !attr_has(a, t) && t != ATTR_AS4_PATH && t != ATTR_AS4_AGGREGATOR)
			continue;
		d->encode(w, a, ctx);
		/* the rows write fixed flags: a Partial bit received is added back here */
		if (t < 64 && ((a->partial >> t) & 1) && w->len > at && wbuf_ok(w))
			w->data[at] |= ATTR_F_PARTIAL;
	}
	if (a->unknown_len)
		wbuf_put_bytes(w, a->unknown, a->unknown_len);
}
