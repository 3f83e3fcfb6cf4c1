/*
 * The generic path attribute loop: splits the attribute section into
 * attributes, checks what every attribute shares (header, length, flags,
 * duplicates), hands the value to its table row and applies the row's
 * RFC 7606 action when that fails. Kept apart from the table so the rows
 * stay a readable list.
 */
#include <string.h>

#include "bgpd/attr.h"

/*
 * Records an error that does not reset the session: the worst action wins,
 * and its NOTIFICATION (never sent) is kept for the log.
 */
void attr_soft_error(struct bgp_update *u, enum attr_action act, uint8_t subcode,
		     const uint8_t *data, size_t len)
{
	if (act <= u->action)
		return;
	u->action = act;
	bgp_err_set(&u->withdraw_err, BGP_ERR_UPDATE, subcode, data, len);
}

static bool flags_ok(const struct attr_desc *d, uint8_t flags)
{
	uint8_t want = d->flags, got = flags & (ATTR_F_OPTIONAL | ATTR_F_TRANSITIVE);

	if (got != want)
		return false;
	/* Partial only makes sense on optional transitive attributes. */
	if ((flags & ATTR_F_PARTIAL) && want != (ATTR_F_OPTIONAL | ATTR_F_TRANSITIVE))
		return false;
	return true;
}

/* Applies a row's action for a failed attribute. 0, or -1 for a reset. */
static int attr_fail(struct bgp_update *u, enum attr_action act, uint8_t sub, const uint8_t *raw,
		     size_t rawlen, struct bgp_err *err)
{
	if (act == ATTR_ACT_RESET) {
		bgp_err_set(err, BGP_ERR_UPDATE, sub, raw, rawlen);
		return -1;
	}
	attr_soft_error(u, act, sub, raw, rawlen);
	return 0;
}

/* Keeps an unknown optional transitive attribute, Partial bit set (RFC 4271 §5). */
static void attr_keep_unknown(struct bgp_update *u, uint8_t flags, uint8_t type,
			      const struct rbuf *val)
{
	size_t len = rbuf_left(val), hdr = len > 255 ? 4 : 3;
	uint8_t *o = u->unknown_buf + u->attrs.unknown_len;

	if (u->attrs.unknown_len + hdr + len > sizeof(u->unknown_buf))
		return; /* cannot happen: smaller than the message it came in */
	flags = (uint8_t)((flags & (ATTR_F_OPTIONAL | ATTR_F_TRANSITIVE)) | ATTR_F_PARTIAL);
	o[0] = (uint8_t)(len > 255 ? flags | ATTR_F_EXTLEN : flags);
	o[1] = type;
	if (len > 255) {
		o[2] = (uint8_t)(len >> 8);
		o[3] = (uint8_t)len;
	} else {
		o[2] = (uint8_t)len;
	}
	memcpy(o + hdr, rbuf_cur(val), len);
	u->attrs.unknown_len = (uint16_t)(u->attrs.unknown_len + hdr + len);
	u->attrs.unknown = u->unknown_buf;
}

static int attr_unknown(struct bgp_update *u, uint8_t flags, uint8_t type, struct rbuf *val,
			const uint8_t *raw, size_t rawlen, struct bgp_err *err)
{
	if (!(flags & ATTR_F_OPTIONAL)) {
		bgp_err_set(err, BGP_ERR_UPDATE, BGP_ERR_UPD_UNKNOWN_WK, raw, rawlen);
		return -1;
	}
	if (flags & ATTR_F_TRANSITIVE)
		attr_keep_unknown(u, flags, type, val);
	return 0; /* optional non-transitive: quietly ignored */
}

static int attr_one(uint8_t flags, uint8_t type, struct rbuf *val, const uint8_t *raw,
		    size_t rawlen, const struct attr_ctx *ctx, struct bgp_update *u,
		    struct bgp_err *err)
{
	const struct attr_desc *d = attr_desc_get(type);
	struct attr_dec dec = { ctx, u, flags };
	int sub;

	u->other_attrs |= type != ATTR_MP_UNREACH;
	if (u->seen[type / 32] & (1u << (type % 32))) {
		/*
		 * RFC 7606 §3(g): repeated MP attributes reset; any other, "whether
		 * recognized or unrecognized", keeps the first
		 */
		if (d && d->on_error == ATTR_ACT_RESET)
			return attr_fail(u, ATTR_ACT_RESET, BGP_ERR_UPD_ATTR_LIST, NULL, 0, err);
		return 0;
	}
	u->seen[type / 32] |= 1u << (type % 32);
	if (!d)
		return attr_unknown(u, flags, type, val, raw, rawlen, err);
	if (d->ebgp_discard && ctx->ebgp)
		return 0; /* RFC 7606 §7.5, 7.9, 7.10: discarded, whatever its form */
	if (!flags_ok(d, flags)) {
		/*
		 * §3(c): treat-as-withdraw, "unless the specification for the
		 * attribute mandates different handling". For MP_REACH/MP_UNREACH
		 * no RFC says so in words (§5.3 names only NLRI and length
		 * faults); ferry takes flags other than RFC 4760's as making the
		 * attribute incorrect (RFC 4760 §7: its family's routes go, a
		 * reset allowed), whose routes cannot be withdrawn one by one:
		 * a session reset, as FRR does. Subcode: RFC 4271 §6.3's for flags.
		 */
		if (d->on_error == ATTR_ACT_RESET)
			return attr_fail(u, ATTR_ACT_RESET, BGP_ERR_UPD_FLAGS, raw, rawlen, err);
		attr_soft_error(u, ATTR_ACT_WITHDRAW, BGP_ERR_UPD_FLAGS, raw, rawlen);
		return 0;
	}
	u->attrs.present |= ATTR_BIT(type);
	sub = d->decode(val, &dec);
	if (sub) {
		u->attrs.present &= ~ATTR_BIT(type);
		return attr_fail(u, d->on_error, (uint8_t)sub, raw, rawlen, err);
	}
	/* flags_ok let the Partial bit through only on optional transitive rows */
	if ((flags & ATTR_F_PARTIAL) && attr_has(&u->attrs, type))
		u->attrs.partial |= ATTR_BIT(type);
	return 0;
}

int attr_decode_list(struct rbuf *r, const struct attr_ctx *ctx, struct bgp_update *u,
		     struct bgp_err *err)
{
	while (rbuf_left(r) > 0) {
		const uint8_t *raw = rbuf_cur(r);
		size_t avail = rbuf_left(r);
		uint8_t flags, type, len8;
		uint16_t len = 0;
		struct rbuf val;
		int rc;

		rc = rbuf_get_u8(r, &flags);
		if (rc == 0)
			rc = rbuf_get_u8(r, &type);
		if (rc == 0 && (flags & ATTR_F_EXTLEN))
			rc = rbuf_get_u16(r, &len);
		else if (rc == 0 && (rc = rbuf_get_u8(r, &len8)) == 0)
			len = len8;
		/*
		 * A truncated header or a value running past the section: RFC 7606
		 * §4 says treat-as-withdraw, the NLRI field being found from the
		 * section's length; bgp_update_decode decides whether the routes
		 * can be known at all.
		 */
		if (rc < 0 || rbuf_sub(r, len, &val) < 0) {
			u->overrun = true;
			u->other_attrs = true;
			bgp_err_set(err, BGP_ERR_UPDATE, BGP_ERR_UPD_LENGTH, raw, avail);
			return 0;
		}
		if (attr_one(flags, type, &val, raw, (size_t)(rbuf_cur(r) - raw), ctx, u, err) < 0)
			return -1;
	}
	return 0;
}
