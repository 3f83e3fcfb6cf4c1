/*
 * bgp-sender's receiving side: counts the NLRI of what the peer sends
 * (MP_REACH, MP_UNREACH, End-of-RIB) without storing them, and with
 * --expect N reports when N were announced and withdrawn (--sink mode).
 */
#include "bench/sender/sender.h"

static uint64_t nlri_count(const uint8_t *p, size_t len)
{
	uint64_t n = 0;
	size_t off = 0;

	while (off < len) {
		off += 1 + (p[off] + 7u) / 8;
		n++;
	}
	return off == len ? n : n - 1; /* a truncated last NLRI is not counted */
}

static void mp_count(struct sess *s, uint8_t type, const uint8_t *v, size_t len)
{
	size_t off;

	if (len < 3)
		return;
	if (type == 15) {
		if (len == 3)
			s->eor_in++;
		else
			s->unreach_in += nlri_count(v + 3, len - 3);
		return;
	}
	if (len < 5 || (off = 5 + (size_t)v[3]) > len)
		return;
	s->reach_in += nlri_count(v + off, len - off);
}

void sink_update_count(struct sess *s, const uint8_t *b, size_t len)
{
	size_t off, alen, end;

	s->updates_in++;
	if (len < 4 || (off = 2 + ((size_t)b[0] << 8 | b[1])) + 2 > len)
		return;
	alen = (size_t)b[off] << 8 | b[off + 1];
	off += 2;
	if (off + alen > len)
		return;
	end = off + alen;
	while (off + 3 <= end) {
		uint8_t flags = b[off], type = b[off + 1];
		size_t hl = flags & 0x10 ? 4 : 3, vl;

		if (off + hl > end)
			return;
		vl = flags & 0x10 ? ((size_t)b[off + 2] << 8 | b[off + 3]) : b[off + 2];
		if (off + hl + vl > end)
			return;
		if (type == 14 || type == 15)
			mp_count(s, type, b + off + hl, vl);
		off += hl + vl;
	}
}

void sink_check(struct run *rn)
{
	struct sess *s = &rn->s;
	uint64_t want = rn->o->expect;

	if (!want)
		return;
	if (!rn->reach_done && s->reach_in >= want) {
		rn->reach_done = true;
		rn->t_reach_all = snd_now_mono();
		snd_emit("sink_reach_all_s=%.6f", rn->t_reach_all - rn->t_est);
		snd_emit("sink_reach_all_at=%.6f", snd_now_epoch());
	}
	if (!rn->unreach_done && s->unreach_in >= want) {
		rn->unreach_done = true;
		snd_emit("sink_unreach_all_s=%.6f", snd_now_mono() - rn->t_reach_all);
		snd_emit("sink_unreach_all_at=%.6f", snd_now_epoch());
	}
}
