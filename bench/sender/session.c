/*
 * bgp-sender's session: the handshake (OPEN, KEEPALIVE, Established), the
 * messages the peer sends, reading and writing the socket (control
 * messages before the pre-built UPDATEs), the Cease at the end.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bench/sender/sender.h"
#include "common/log.h"

bool sess_bulk_idle(const struct sess *s)
{
	return !s->bulk || s->bulk_off == s->bulk->len;
}

bool sess_out_pending(const struct sess *s)
{
	return s->ctl_off < s->ctl.len || !sess_bulk_idle(s);
}

static int open_recv(struct run *rn, const uint8_t *b, size_t len)
{
	struct sess *s = &rn->s;
	uint16_t hold;

	if (len < 10 || b[0] != 4) {
		log_warnx("bad OPEN from the peer");
		return -1;
	}
	hold = (uint16_t)(b[3] << 8 | b[4]);
	s->peer_as = (uint32_t)(b[1] << 8 | b[2]);
	for (size_t off = 10; off + 6 <= len; off++) /* the AS4 capability, if any */
		if (b[off] == 65 && b[off + 1] == 4 && s->peer_as == 23456)
			s->peer_as = (uint32_t)b[off + 2] << 24 | (uint32_t)b[off + 3] << 16 |
				     (uint32_t)b[off + 4] << 8 | b[off + 5];
	s->hold = hold < rn->o->hold ? hold : rn->o->hold;
	msg_keepalive(&s->ctl);
	s->state = 1;
	return 0;
}

void sess_start_bulk(struct run *rn, enum phase ph, const struct obuf *b)
{
	rn->ph = ph;
	rn->s.bulk = b;
	rn->s.bulk_off = 0;
	rn->t_phase = snd_now_mono();
	if (ph == PH_WITHDRAW)
		snd_emit("withdraw_start_at=%.6f", snd_now_epoch());
}

static void established(struct run *rn)
{
	struct sess *s = &rn->s;

	s->state = 2;
	rn->t_est = snd_now_mono();
	snd_emit("established_at=%.6f", snd_now_epoch());
	log_info("established: peer AS %u, hold time %u", s->peer_as, s->hold);
	if (!rn->o->sink)
		sess_start_bulk(rn, PH_ANNOUNCE, &rn->bt->announce);
}

/* A Cease ends the session cleanly (1); any other NOTIFICATION is an error (-1). */
static int notification_recv(const uint8_t *b, size_t len)
{
	if (len > 0 && b[0] == 6) {
		log_info("the peer ended the session (Cease, subcode %u)", len > 1 ? b[1] : 0);
		return 1;
	}
	log_warnx("NOTIFICATION from the peer: code %u subcode %u", len > 0 ? b[0] : 0,
		  len > 1 ? b[1] : 0);
	return -1;
}

static int sess_msg_recv(struct run *rn, uint8_t type, const uint8_t *b, size_t len)
{
	struct sess *s = &rn->s;

	switch (type) {
	case 1:
		return s->state == 0 ? open_recv(rn, b, len) : -1;
	case 2:
		sink_update_count(s, b, len);
		sink_check(rn);
		return 0;
	case 3:
		return notification_recv(b, len);
	case 4:
		if (s->state == 1)
			established(rn);
		return 0;
	default:
		return 0; /* ROUTE-REFRESH: everything is sent once anyway */
	}
}

/* 0: go on, 1: the peer ended the session cleanly, -1: error. */
int sess_read(struct run *rn)
{
	struct sess *s = &rn->s;
	ssize_t n = read(s->fd, s->rb + s->rlen, RBUF_SIZE - s->rlen);
	size_t off = 0;
	int rc;

	if (n == 0) {
		log_warnx("the peer closed the session");
		return rn->o->sink ? 1 : -1;
	}
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : (log_warn("read"), -1);
	s->rlen += (size_t)n;
	s->last_rx = snd_now_mono();
	while (s->rlen - off >= HDR_LEN) {
		const uint8_t *m = s->rb + off;
		size_t mlen = (size_t)m[16] << 8 | m[17];

		if (mlen < HDR_LEN) {
			log_warnx("bad message length %zu from the peer", mlen);
			return -1;
		}
		if (s->rlen - off < mlen)
			break;
		if ((rc = sess_msg_recv(rn, m[18], m + HDR_LEN, mlen - HDR_LEN)) != 0)
			return rc;
		off += mlen;
	}
	memmove(s->rb, s->rb + off, s->rlen - off);
	s->rlen -= off;
	return 0;
}

int sess_write(struct sess *s)
{
	const uint8_t *p;
	size_t len;
	ssize_t n;

	if (s->ctl_off < s->ctl.len)
		p = s->ctl.p + s->ctl_off, len = s->ctl.len - s->ctl_off;
	else if (!sess_bulk_idle(s))
		p = s->bulk->p + s->bulk_off, len = s->bulk->len - s->bulk_off;
	else
		return 0;
	n = write(s->fd, p, len);
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : (log_warn("write"), -1);
	s->last_tx = snd_now_mono();
	if (s->ctl_off < s->ctl.len) {
		s->ctl_off += (size_t)n;
		if (s->ctl_off == s->ctl.len)
			s->ctl.len = s->ctl_off = 0;
	} else {
		s->bulk_off += (size_t)n;
	}
	return 0;
}

/* A CEASE when no UPDATE is half written, then close. */
void sess_close(struct run *rn)
{
	struct sess *s = &rn->s;

	if (sess_bulk_idle(s) && s->ctl_off == s->ctl.len) {
		s->ctl.len = s->ctl_off = 0;
		msg_cease(&s->ctl);
		if (write(s->fd, s->ctl.p, s->ctl.len) < 0)
			log_debug("CEASE not sent");
	}
	close(s->fd);
	snd_emit("updates_in=%" PRIu64 " reach_in=%" PRIu64 " unreach_in=%" PRIu64 " eor_in=%" PRIu64,
		 s->updates_in, s->reach_in, s->unreach_in, s->eor_in);
}
