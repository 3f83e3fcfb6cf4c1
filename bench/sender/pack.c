/*
 * bgp-sender's UPDATE packing: labeled VPN-IPv4 NLRI in MP_REACH_NLRI (or
 * MP_UNREACH_NLRI for withdrawals) with their attribute set, as many as
 * fit in 4096 bytes while the group (RD and attribute set) stays the same.
 */
#include <string.h>

#include "bench/sender/sender.h"

static bool ibgp(const struct opts *o)
{
	return o->peer_as == o->asn;
}

/* ORIGIN, AS_PATH, LOCAL_PREF or MED, EXTENDED_COMMUNITIES (the RTs of rd). */
static void attrs_encode(struct obuf *b, const struct opts *o, uint32_t rd, uint32_t set)
{
	uint8_t *p;
	size_t n = o->rts_per_rd;

	ob_put(b, (const uint8_t[]){ 0x40, 1, 1, 0 }, 4);
	if (ibgp(o)) {
		ob_put(b, (const uint8_t[]){ 0x40, 2, 0 }, 3);
		p = ob_room(b, 7);
		memcpy(p, (const uint8_t[]){ 0x40, 5, 4 }, 3);
		ob_put32(p + 3, 100 + set);
		b->len += 7;
	} else {
		p = ob_room(b, 9);
		memcpy(p, (const uint8_t[]){ 0x40, 2, 6, 2, 1 }, 5);
		ob_put32(p + 5, o->asn);
		b->len += 9;
		if (o->attr_sets > 1) {
			p = ob_room(b, 7);
			memcpy(p, (const uint8_t[]){ 0x80, 4, 4 }, 3);
			ob_put32(p + 3, set);
			b->len += 7;
		}
	}
	p = ob_room(b, 3 + 8 * n);
	p[0] = 0xc0, p[1] = 16, p[2] = (uint8_t)(8 * n);
	for (size_t i = 0; i < n; i++) { /* type 0x00/0x02: two-octet AS route target */
		uint8_t *e = p + 3 + 8 * i;

		e[0] = 0, e[1] = 2;
		ob_put16(e + 2, o->rd_asn);
		ob_put32(e + 4, o->rd_base + rd * o->rts_per_rd + (uint32_t)i);
	}
	b->len += 3 + 8 * n;
}

void upd_close(struct upd *u)
{
	struct obuf *b = u->b;

	if (!u->open)
		return;
	ob_put16(b->p + u->mp_len_off, (uint32_t)(b->len - u->mp_len_off - 2));
	ob_put16(b->p + u->attr_len_off, (uint32_t)(b->len - u->attr_len_off - 2));
	msg_end(b, u->start);
	u->open = false;
	u->n_msgs++;
}

static void upd_open(struct upd *u, const struct opts *o, uint32_t rd, uint32_t set)
{
	struct obuf *b = u->b;
	uint8_t *p;

	u->start = msg_begin(b, 2);
	ob_put(b, (const uint8_t[]){ 0, 0 }, 2); /* no IPv4 withdrawn routes */
	u->attr_len_off = b->len;
	b->len += 2;
	ob_room(b, 0);
	if (u->reach)
		attrs_encode(b, o, rd, set);
	p = ob_room(b, 4);
	p[0] = 0x90, p[1] = u->reach ? 14 : 15; /* optional, extended length */
	u->mp_len_off = b->len + 2;
	b->len += 4;
	ob_put(b, (const uint8_t[]){ 0, 1, 128 }, 3);
	if (u->reach) { /* next hop: RD 0 + IPv4, then the reserved octet */
		p = ob_room(b, 14);
		memset(p, 0, 14);
		p[0] = 12;
		ob_put32(p + 9, o->nexthop);
		b->len += 14;
	}
	u->open = true;
}

/*
 * Appends one labeled VPN-IPv4 NLRI (lfield: the 3-octet label field as
 * sent), starting a new UPDATE when the group changes or 4096 would be passed.
 */
void upd_add(struct upd *u, const struct opts *o, uint64_t group, uint32_t rd,
		    uint32_t set, uint32_t lfield, uint32_t addr, uint8_t len)
{
	size_t bytes = (len + 7) / 8, need = 1 + 3 + 8 + bytes;
	uint8_t *p;

	if (u->open && (group != u->group || u->b->len - u->start + need > MSG_MAX))
		upd_close(u);
	if (!u->open) {
		upd_open(u, o, rd, set);
		u->group = group;
	}
	p = ob_room(u->b, need);
	p[0] = (uint8_t)(24 + 64 + len);
	p[1] = (uint8_t)(lfield >> 16), p[2] = (uint8_t)(lfield >> 8), p[3] = (uint8_t)lfield;
	p[4] = 0, p[5] = 0; /* RD type 0: 2-octet ASN, 4-octet number */
	ob_put16(p + 6, o->rd_asn);
	ob_put32(p + 8, o->rd_base + rd);
	for (size_t i = 0; i < bytes; i++)
		p[12 + i] = (uint8_t)(addr >> (24 - 8 * i));
	u->b->len += need;
}
