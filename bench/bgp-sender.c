/*
 * bgp-sender: a fast, standalone BGP speaker that feeds a peer N VPN-IPv4
 * routes (RFC 4364 / RFC 8277 in MP_REACH_NLRI) for ingest benchmarks, so the
 * generator never limits the measurement. Every UPDATE is pre-built into one
 * contiguous buffer before the session comes up (NLRI sharing an RD, its RTs
 * and an attribute set packed up to 4096 bytes), then pushed with a few large
 * write(2)s on a socket with a big send buffer. The withdraw-all buffer is
 * built the same way. It can also be the receiving end (--sink): it answers
 * the handshake, counts NLRI and discards them, which measures the sender.
 * One poll(2) loop, no library codec: the encoder is a few byte stores.
 * Output for scripts: "key=value" lines on stdout; human notes on stderr.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"

#define MSG_MAX 4096
#define HDR_LEN 19
#define MAX_LENS 16
#define MAX_RTS 64
#define RBUF_SIZE (1 << 20)
#define SOCKBUF (32 << 20)
#define LABEL_LIMIT 0x100000u
#define WITHDRAW_LABEL 0x800000u /* RFC 8277 §2.4 compatibility value */

struct opts {
	const char *connect, *listen, *local;
	uint16_t port, hold;
	uint32_t asn, peer_as, router_id, nexthop, pfx_base;
	uint64_t routes, expect;
	uint32_t rds, rd_asn, rd_base, rts_per_rd, attr_sets, label_base;
	uint8_t lens[MAX_LENS];
	unsigned n_lens;
	bool per_vrf, overlap, withdraw, eor, sink;
	double hold_seconds, connect_timeout;
};

/* A growable output buffer; running out of memory in a benchmark tool is fatal. */
struct obuf {
	uint8_t *p;
	size_t len, cap;
};

/* The UPDATE being filled: where its length fields are, which group it carries. */
struct upd {
	struct obuf *b;
	bool open;
	bool reach;
	size_t start, attr_len_off, mp_len_off;
	uint64_t group;
	uint64_t n_msgs;
};

struct sess {
	int fd;
	int state; /* 0 wait OPEN, 1 wait KEEPALIVE, 2 established */
	uint16_t hold;
	uint32_t peer_as;
	double last_rx, last_tx;
	uint8_t *rb;
	size_t rlen;
	struct obuf ctl;   /* control messages (OPEN, KEEPALIVE, NOTIFICATION) */
	size_t ctl_off;
	const struct obuf *bulk; /* pre-built UPDATEs being written */
	size_t bulk_off;
	uint64_t updates_in, reach_in, unreach_in, eor_in;
};

static volatile sig_atomic_t sig_stop, sig_withdraw;

static double now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double now_epoch(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void emit(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void emit(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

/* ---- output buffer ---- */

static uint8_t *ob_room(struct obuf *b, size_t n)
{
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 65536;

		while (cap < b->len + n)
			cap *= 2;
		b->p = realloc(b->p, cap);
		if (!b->p)
			fatal("allocating %zu bytes", cap);
		b->cap = cap;
	}
	return b->p + b->len;
}

static void ob_put(struct obuf *b, const void *p, size_t n)
{
	memcpy(ob_room(b, n), p, n);
	b->len += n;
}

static void put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v);
}

static size_t msg_begin(struct obuf *b, uint8_t type)
{
	size_t start = b->len;
	uint8_t *p = ob_room(b, HDR_LEN);

	memset(p, 0xff, 16);
	put16(p + 16, HDR_LEN);
	p[18] = type;
	b->len += HDR_LEN;
	return start;
}

static void msg_end(struct obuf *b, size_t start)
{
	put16(b->p + start + 16, (uint32_t)(b->len - start));
}

/* ---- control messages ---- */

static void open_encode(struct obuf *b, const struct opts *o)
{
	size_t start = msg_begin(b, 1);
	uint8_t caps[] = {
		2, 12,                             /* one Capabilities parameter */
		1, 4, 0, 1, 0, 128,                /* multiprotocol VPN-IPv4 */
		65, 4, 0, 0, 0, 0,                 /* 4-octet AS */
	};
	uint8_t *p = ob_room(b, 10 + sizeof(caps));

	put32(caps + 10, o->asn);
	p[0] = 4;
	put16(p + 1, o->asn > 65535 ? 23456 : o->asn);
	put16(p + 3, o->hold);
	put32(p + 5, o->router_id);
	p[9] = sizeof(caps);
	memcpy(p + 10, caps, sizeof(caps));
	b->len += 10 + sizeof(caps);
	msg_end(b, start);
}

static void keepalive_encode(struct obuf *b)
{
	msg_end(b, msg_begin(b, 4));
}

static void cease_encode(struct obuf *b)
{
	size_t start = msg_begin(b, 3);
	uint8_t body[2] = { 6, 2 }; /* Cease / Administrative Shutdown */

	ob_put(b, body, sizeof(body));
	msg_end(b, start);
}

/* End-of-RIB for VPN-IPv4 (RFC 4724 §2): an empty MP_UNREACH_NLRI. */
static void eor_encode(struct obuf *b)
{
	size_t start = msg_begin(b, 2);
	uint8_t body[] = { 0, 0, 0, 6, 0x80, 15, 3, 0, 1, 128 };

	ob_put(b, body, sizeof(body));
	msg_end(b, start);
}

/* ---- UPDATE building ---- */

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
		put32(p + 3, 100 + set);
		b->len += 7;
	} else {
		p = ob_room(b, 9);
		memcpy(p, (const uint8_t[]){ 0x40, 2, 6, 2, 1 }, 5);
		put32(p + 5, o->asn);
		b->len += 9;
		if (o->attr_sets > 1) {
			p = ob_room(b, 7);
			memcpy(p, (const uint8_t[]){ 0x80, 4, 4 }, 3);
			put32(p + 3, set);
			b->len += 7;
		}
	}
	p = ob_room(b, 3 + 8 * n);
	p[0] = 0xc0, p[1] = 16, p[2] = (uint8_t)(8 * n);
	for (size_t i = 0; i < n; i++) { /* type 0x00/0x02: two-octet AS route target */
		uint8_t *e = p + 3 + 8 * i;

		e[0] = 0, e[1] = 2;
		put16(e + 2, o->rd_asn);
		put32(e + 4, o->rd_base + rd * o->rts_per_rd + (uint32_t)i);
	}
	b->len += 3 + 8 * n;
}

static void upd_close(struct upd *u)
{
	struct obuf *b = u->b;

	if (!u->open)
		return;
	put16(b->p + u->mp_len_off, (uint32_t)(b->len - u->mp_len_off - 2));
	put16(b->p + u->attr_len_off, (uint32_t)(b->len - u->attr_len_off - 2));
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
		put32(p + 9, o->nexthop);
		b->len += 14;
	}
	u->open = true;
}

/*
 * Appends one labeled VPN-IPv4 NLRI (lfield: the 3-octet label field as
 * sent), starting a new UPDATE when the group changes or 4096 would be passed.
 */
static void upd_add(struct upd *u, const struct opts *o, uint64_t group, uint32_t rd,
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
	put16(p + 6, o->rd_asn);
	put32(p + 8, o->rd_base + rd);
	for (size_t i = 0; i < bytes; i++)
		p[12 + i] = (uint8_t)(addr >> (24 - 8 * i));
	u->b->len += need;
}

/* Next free prefix of length len at or after *cursor (distinct, aligned). */
static int prefix_alloc(uint64_t *cursor, uint8_t len, uint32_t *addr)
{
	uint64_t step = 1ull << (32 - len), a = (*cursor + step - 1) & ~(step - 1);

	if (a + step > (1ull << 32))
		return -1;
	*addr = (uint32_t)a;
	*cursor = a + step;
	return 0;
}

struct built {
	struct obuf announce, withdraw, eor;
	uint64_t n_announce_msgs, n_withdraw_msgs;
};

static void build_routes(const struct opts *o, struct built *bt)
{
	struct upd ua = { .b = &bt->announce, .reach = true };
	struct upd uw = { .b = &bt->withdraw, .reach = false };
	uint64_t g = 0, cursor = o->pfx_base;

	for (uint32_t r = 0; r < o->rds; r++) {
		uint64_t cnt = o->routes / o->rds + (r < o->routes % o->rds);

		if (o->overlap)
			cursor = o->pfx_base;
		for (uint64_t j = 0; j < cnt; j++, g++) {
			uint32_t set = (uint32_t)(j * o->attr_sets / cnt), addr;
			uint8_t len = o->lens[g % o->n_lens];
			uint32_t label = o->per_vrf ? o->label_base + r
						    : o->label_base + (uint32_t)(g % (LABEL_LIMIT - o->label_base));

			if (prefix_alloc(&cursor, len, &addr) < 0)
				fatalx("address space exhausted at route %" PRIu64 ": lower --routes "
				       "or --prefix-base, or use --overlap", g);
			upd_add(&ua, o, (uint64_t)r << 32 | set, r, set, label << 4 | 1, addr, len);
			upd_add(&uw, o, 0, r, 0, WITHDRAW_LABEL, addr, len);
		}
	}
	upd_close(&ua);
	upd_close(&uw);
	bt->n_announce_msgs = ua.n_msgs;
	bt->n_withdraw_msgs = uw.n_msgs;
	eor_encode(&bt->eor);
}

/* ---- counting what the peer sends (sink mode, and stray UPDATEs) ---- */

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

static void update_count(struct sess *s, const uint8_t *b, size_t len)
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

/* ---- the session ---- */

enum phase { PH_HANDSHAKE, PH_ANNOUNCE, PH_EOR, PH_ANNOUNCED, PH_WITHDRAW, PH_WEOR, PH_DONE };

struct run {
	const struct opts *o;
	struct built *bt;
	struct sess s;
	enum phase ph;
	double t_est, t_phase, t_idle, t_reach_all;
	bool ack_wait, reach_done, unreach_done;
	const char *ack_name;
};

static bool bulk_idle(const struct sess *s)
{
	return !s->bulk || s->bulk_off == s->bulk->len;
}

static bool out_pending(const struct sess *s)
{
	return s->ctl_off < s->ctl.len || !bulk_idle(s);
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
	keepalive_encode(&s->ctl);
	s->state = 1;
	return 0;
}

static void start_bulk(struct run *rn, enum phase ph, const struct obuf *b)
{
	rn->ph = ph;
	rn->s.bulk = b;
	rn->s.bulk_off = 0;
	rn->t_phase = now_mono();
	if (ph == PH_WITHDRAW)
		emit("withdraw_start_at=%.6f", now_epoch());
}

static void established(struct run *rn)
{
	struct sess *s = &rn->s;

	s->state = 2;
	rn->t_est = now_mono();
	emit("established_at=%.6f", now_epoch());
	log_info("established: peer AS %u, hold time %u", s->peer_as, s->hold);
	if (!rn->o->sink)
		start_bulk(rn, PH_ANNOUNCE, &rn->bt->announce);
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

static void sink_check(struct run *rn)
{
	struct sess *s = &rn->s;
	uint64_t want = rn->o->expect;

	if (!want)
		return;
	if (!rn->reach_done && s->reach_in >= want) {
		rn->reach_done = true;
		rn->t_reach_all = now_mono();
		emit("sink_reach_all_s=%.6f", rn->t_reach_all - rn->t_est);
		emit("sink_reach_all_at=%.6f", now_epoch());
	}
	if (!rn->unreach_done && s->unreach_in >= want) {
		rn->unreach_done = true;
		emit("sink_unreach_all_s=%.6f", now_mono() - rn->t_reach_all);
		emit("sink_unreach_all_at=%.6f", now_epoch());
	}
}

static int msg_recv(struct run *rn, uint8_t type, const uint8_t *b, size_t len)
{
	struct sess *s = &rn->s;

	switch (type) {
	case 1:
		return s->state == 0 ? open_recv(rn, b, len) : -1;
	case 2:
		update_count(s, b, len);
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
static int sess_read(struct run *rn)
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
	s->last_rx = now_mono();
	while (s->rlen - off >= HDR_LEN) {
		const uint8_t *m = s->rb + off;
		size_t mlen = (size_t)m[16] << 8 | m[17];

		if (mlen < HDR_LEN) {
			log_warnx("bad message length %zu from the peer", mlen);
			return -1;
		}
		if (s->rlen - off < mlen)
			break;
		if ((rc = msg_recv(rn, m[18], m + HDR_LEN, mlen - HDR_LEN)) != 0)
			return rc;
		off += mlen;
	}
	memmove(s->rb, s->rb + off, s->rlen - off);
	s->rlen -= off;
	return 0;
}

static int sess_write(struct sess *s)
{
	const uint8_t *p;
	size_t len;
	ssize_t n;

	if (s->ctl_off < s->ctl.len)
		p = s->ctl.p + s->ctl_off, len = s->ctl.len - s->ctl_off;
	else if (!bulk_idle(s))
		p = s->bulk->p + s->bulk_off, len = s->bulk->len - s->bulk_off;
	else
		return 0;
	n = write(s->fd, p, len);
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : (log_warn("write"), -1);
	s->last_tx = now_mono();
	if (s->ctl_off < s->ctl.len) {
		s->ctl_off += (size_t)n;
		if (s->ctl_off == s->ctl.len)
			s->ctl.len = s->ctl_off = 0;
	} else {
		s->bulk_off += (size_t)n;
	}
	return 0;
}

static int outq(int fd)
{
	int q = 0;

	return ioctl(fd, SIOCOUTQ, &q) == 0 ? q : 0;
}

/* ---- phases and timers ---- */

static void bulk_written(struct run *rn, const char *name, const struct obuf *b, uint64_t msgs)
{
	double dt = now_mono() - rn->t_phase;

	emit("%s_written_s=%.6f", name, dt);
	log_info("%s: %" PRIu64 " routes in %" PRIu64 " UPDATEs (%zu bytes) written in %.3f s "
		 "(%.0f routes/s)", name, rn->o->routes, msgs, b->len, dt,
		 dt > 0 ? (double)rn->o->routes / dt : 0.0);
	rn->ack_wait = true;
	rn->ack_name = name;
}

static void phase_step(struct run *rn)
{
	struct sess *s = &rn->s;
	double t = now_mono();

	if (rn->ack_wait && outq(s->fd) == 0) {
		emit("%s_acked_s=%.6f", rn->ack_name, t - rn->t_phase);
		rn->ack_wait = false;
		rn->t_idle = t;
	}
	if (!s->bulk || !bulk_idle(s) || rn->ph == PH_ANNOUNCED || rn->ph == PH_DONE) {
		if (rn->ph == PH_ANNOUNCED && !rn->ack_wait && (rn->o->withdraw || sig_withdraw))
			start_bulk(rn, PH_WITHDRAW, &rn->bt->withdraw);
		return;
	}
	if (rn->ph == PH_ANNOUNCE) {
		bulk_written(rn, "announce", &rn->bt->announce, rn->bt->n_announce_msgs);
		if (rn->o->eor) {
			s->bulk = &rn->bt->eor, s->bulk_off = 0, rn->ph = PH_EOR;
			return;
		}
	} else if (rn->ph == PH_WITHDRAW) {
		bulk_written(rn, "withdraw", &rn->bt->withdraw, rn->bt->n_withdraw_msgs);
		if (rn->o->eor) /* a marker the receiver may log: "all withdrawals read" */
			s->bulk = &rn->bt->eor, s->bulk_off = 0, rn->ph = PH_WEOR;
		else
			rn->ph = PH_DONE;
		return;
	} else if (rn->ph == PH_WEOR) {
		emit("withdraw_eor_sent=1");
		rn->ph = PH_DONE;
		return;
	}
	if (rn->ph == PH_EOR)
		emit("eor_sent=1");
	rn->ph = PH_ANNOUNCED; /* t_phase still marks the start of the announce */
}

/* 1: time to stop (--hold-seconds passed), -1: hold timer expired, 0: go on. */
static int timers(struct run *rn)
{
	struct sess *s = &rn->s;
	double t = now_mono(), hs = rn->o->hold_seconds;
	bool quiet = rn->o->sink ? s->state == 2 : rn->ph == PH_DONE ||
			(rn->ph == PH_ANNOUNCED && !rn->o->withdraw);

	if (s->hold && s->state == 2 && t - s->last_rx > s->hold) {
		log_warnx("hold timer expired: nothing from the peer for %u s", s->hold);
		return -1;
	}
	if (s->hold && s->state == 2 && t - s->last_tx >= s->hold / 3.0 && !out_pending(s))
		keepalive_encode(&s->ctl);
	if (hs >= 0 && quiet && !rn->ack_wait) {
		double since = rn->o->sink ? rn->t_est : rn->t_idle;

		if (t - since >= hs)
			return 1;
	}
	return 0;
}

static int poll_timeout_ms(const struct run *rn)
{
	if (rn->ack_wait || (rn->ph == PH_ANNOUNCED && (rn->o->withdraw || sig_withdraw)))
		return 1;
	return out_pending(&rn->s) ? 1000 : 100;
}

static int run_loop(struct run *rn)
{
	struct sess *s = &rn->s;

	while (!sig_stop) {
		struct pollfd pfd = { .fd = s->fd, .events = POLLIN };
		int r;

		phase_step(rn);
		if ((r = timers(rn)) != 0)
			return r > 0 ? 0 : -1;
		if (out_pending(s))
			pfd.events |= POLLOUT;
		if (poll(&pfd, 1, poll_timeout_ms(rn)) < 0) {
			if (errno == EINTR)
				continue;
			log_warn("poll");
			return -1;
		}
		if ((pfd.revents & (POLLIN | POLLHUP | POLLERR)) && (r = sess_read(rn)) != 0)
			return r > 0 ? 0 : -1;
		if ((pfd.revents & POLLOUT) && sess_write(s) < 0)
			return -1;
	}
	return 0;
}

/* A CEASE when no UPDATE is half written, then close. */
static void sess_close(struct run *rn)
{
	struct sess *s = &rn->s;

	if (bulk_idle(s) && s->ctl_off == s->ctl.len) {
		s->ctl.len = s->ctl_off = 0;
		cease_encode(&s->ctl);
		if (write(s->fd, s->ctl.p, s->ctl.len) < 0)
			log_debug("CEASE not sent");
	}
	close(s->fd);
	emit("updates_in=%" PRIu64 " reach_in=%" PRIu64 " unreach_in=%" PRIu64 " eor_in=%" PRIu64,
	     s->updates_in, s->reach_in, s->unreach_in, s->eor_in);
}

/* ---- sockets ---- */

static void sock_tune(int fd)
{
	int sz = SOCKBUF, one = 1;

	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof(sz)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

static void sin_make(struct sockaddr_in *sin, const char *addr, uint16_t port)
{
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_port = htons(port);
	if (inet_pton(AF_INET, addr, &sin->sin_addr) != 1)
		fatalx("\"%s\" is not an IPv4 address", addr);
}

static int try_connect(const struct opts *o, const struct sockaddr_in *dst)
{
	struct sockaddr_in src;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0)
		fatal("socket");
	sock_tune(fd);
	if (o->local) {
		sin_make(&src, o->local, 0);
		if (bind(fd, (struct sockaddr *)&src, sizeof(src)) < 0)
			fatal("bind %s", o->local);
	}
	if (connect(fd, (const struct sockaddr *)dst, sizeof(*dst)) == 0)
		return fd;
	close(fd);
	return -1;
}

/* Retries every 200 ms (the peer may still be starting) until the timeout. */
static int sock_connect(const struct opts *o)
{
	struct sockaddr_in dst;
	double end = now_mono() + o->connect_timeout;
	int fd;

	sin_make(&dst, o->connect, o->port);
	while ((fd = try_connect(o, &dst)) < 0) {
		struct timespec ts = { 0, 200 * 1000 * 1000 };

		if (sig_stop || now_mono() >= end) {
			log_warn("connect %s port %u", o->connect, o->port);
			return -1;
		}
		nanosleep(&ts, NULL);
	}
	return fd;
}

static int sock_accept(const struct opts *o)
{
	struct sockaddr_in sin;
	struct pollfd pfd;
	int one = 1, fd, lfd = socket(AF_INET, SOCK_STREAM, 0);

	if (lfd < 0)
		fatal("socket");
	sin_make(&sin, o->listen, o->port);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	sock_tune(lfd);
	if (bind(lfd, (struct sockaddr *)&sin, sizeof(sin)) < 0 || listen(lfd, 1) < 0)
		fatal("listen on %s port %u", o->listen, o->port);
	emit("listening=%s:%u", o->listen, o->port);
	pfd = (struct pollfd){ .fd = lfd, .events = POLLIN };
	if (poll(&pfd, 1, o->connect_timeout > 0 ? (int)(o->connect_timeout * 1000) : -1) != 1) {
		log_warnx("no connection within %.0f s", o->connect_timeout);
		close(lfd);
		return -1;
	}
	fd = accept(lfd, NULL, NULL);
	close(lfd);
	if (fd >= 0)
		sock_tune(fd);
	return fd;
}

static uint32_t local_addr(int fd)
{
	struct sockaddr_in sin;
	socklen_t sl = sizeof(sin);

	if (getsockname(fd, (struct sockaddr *)&sin, &sl) < 0)
		return 0;
	return ntohl(sin.sin_addr.s_addr);
}

/* ---- command line ---- */

static const char usage_text[] =
	"usage: bgp-sender (--connect ADDR | --listen ADDR) [options]\n"
	"Sends N VPN-IPv4 routes (AFI 1 / SAFI 128) over one BGP session, fast.\n"
	"session:\n"
	"  -c, --connect ADDR     connect to the peer at ADDR (retrying, see --connect-timeout)\n"
	"  -l, --listen ADDR      accept one connection on ADDR instead\n"
	"  -p, --port N           TCP port (179)\n"
	"  -L, --local ADDR       source address when connecting\n"
	"  -a, --as N             our AS (65000); 4-octet AS capability always sent\n"
	"  -P, --peer-as N        the peer's AS (default: ours, iBGP)\n"
	"  -i, --router-id ADDR   BGP identifier (default: the session's local address)\n"
	"      --hold-time N      proposed hold time (90)\n"
	"      --connect-timeout S  give up connecting/accepting after S s (30; 0 = wait forever)\n"
	"routes:\n"
	"  -n, --routes N         number of routes (1000000)\n"
	"      --rds N            route distinguishers, type 0 ASN:i (1000); routes split evenly\n"
	"      --rd-asn N         ASN of the RDs and RTs (65000)\n"
	"      --rd-base N        first RD number i (1)\n"
	"      --rts-per-rd N     route targets per RD: ASN:(base + rd*N + j) (1: RT = RD)\n"
	"      --attr-sets N      attribute sets per RD (LOCAL_PREF 100+k, eBGP: MED k) (1)\n"
	"      --label-mode M     per-prefix (default) or per-vrf (one label per RD)\n"
	"      --label-base N     first label (16)\n"
	"      --prefix-len L[,L..]  prefix lengths, used in turn (24)\n"
	"      --prefix-base ADDR first prefix (20.0.0.0); prefixes are distinct\n"
	"      --overlap          every RD gets the same prefixes (overlapping customers)\n"
	"      --nexthop ADDR     next hop (default: the session's local address)\n"
	"after the routes:\n"
	"      --eor              send End-of-RIB after the routes (and after the withdrawals)\n"
	"      --withdraw         withdraw everything (MP_UNREACH) once the announce is acked;\n"
	"                         SIGUSR1 does the same at a moment of your choosing\n"
	"      --hold-seconds S   stay up S s after the last phase, then CEASE and exit\n"
	"                         (default: until SIGTERM/SIGINT)\n"
	"receiving end:\n"
	"      --sink             send no routes: count and discard what the peer sends\n"
	"      --expect N         (sink) report when N routes were announced / withdrawn\n"
	"Output: key=value lines on stdout: built_*, established_at (epoch),\n"
	"announce_written_s / announce_acked_s (written to the socket / acknowledged by the\n"
	"peer's TCP, from Established), withdraw_start_at, withdraw_written_s, withdraw_acked_s,\n"
	"sink_reach_all_s, sink_unreach_all_s, then the received counts.\n";

static void usage(int status)
{
	fputs(usage_text, status ? stderr : stdout);
	exit(status);
}

static uint64_t num(const char *s, uint64_t max, const char *what)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *end || v > max || *s == '-')
		fatalx("%s: \"%s\" is not a number up to %" PRIu64, what, s, max);
	return v;
}

static uint32_t addr(const char *s)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		fatalx("\"%s\" is not an IPv4 address", s);
	return ntohl(a.s_addr);
}

static void parse_lens(struct opts *o, const char *s)
{
	char *dup = strdup(s), *save = NULL;

	o->n_lens = 0;
	for (char *t = strtok_r(dup, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (o->n_lens == MAX_LENS)
			fatalx("--prefix-len: at most %d lengths", MAX_LENS);
		o->lens[o->n_lens++] = (uint8_t)num(t, 32, "--prefix-len");
	}
	free(dup);
	if (!o->n_lens)
		fatalx("--prefix-len: no length");
}

enum { O_HOLD = 256, O_CTO, O_RDS, O_RDASN, O_RDBASE, O_RTS, O_SETS, O_LMODE, O_LBASE, O_PLEN,
       O_PBASE, O_OVERLAP, O_NH, O_EOR, O_WD, O_HOLDS, O_SINK, O_EXPECT };

static const struct option long_opts[] = {
	{ "connect", 1, 0, 'c' }, { "listen", 1, 0, 'l' }, { "port", 1, 0, 'p' },
	{ "local", 1, 0, 'L' }, { "as", 1, 0, 'a' }, { "peer-as", 1, 0, 'P' },
	{ "router-id", 1, 0, 'i' }, { "hold-time", 1, 0, O_HOLD },
	{ "connect-timeout", 1, 0, O_CTO }, { "routes", 1, 0, 'n' }, { "rds", 1, 0, O_RDS },
	{ "rd-asn", 1, 0, O_RDASN }, { "rd-base", 1, 0, O_RDBASE },
	{ "rts-per-rd", 1, 0, O_RTS }, { "attr-sets", 1, 0, O_SETS },
	{ "label-mode", 1, 0, O_LMODE }, { "label-base", 1, 0, O_LBASE },
	{ "prefix-len", 1, 0, O_PLEN }, { "prefix-base", 1, 0, O_PBASE },
	{ "overlap", 0, 0, O_OVERLAP }, { "nexthop", 1, 0, O_NH }, { "eor", 0, 0, O_EOR },
	{ "withdraw", 0, 0, O_WD }, { "hold-seconds", 1, 0, O_HOLDS }, { "sink", 0, 0, O_SINK },
	{ "expect", 1, 0, O_EXPECT }, { "help", 0, 0, 'h' }, { 0, 0, 0, 0 },
};

static void opt_set(struct opts *o, int c, const char *a)
{
	switch (c) {
	case 'c': o->connect = a; break;
	case 'l': o->listen = a; break;
	case 'p': o->port = (uint16_t)num(a, 65535, "--port"); break;
	case 'L': o->local = a; break;
	case 'a': o->asn = (uint32_t)num(a, UINT32_MAX, "--as"); break;
	case 'P': o->peer_as = (uint32_t)num(a, UINT32_MAX, "--peer-as"); break;
	case 'i': o->router_id = addr(a); break;
	case O_HOLD: o->hold = (uint16_t)num(a, 65535, "--hold-time"); break;
	case O_CTO: o->connect_timeout = (double)num(a, 86400, "--connect-timeout"); break;
	case 'n': o->routes = num(a, 1ull << 32, "--routes"); break;
	case O_RDS: o->rds = (uint32_t)num(a, 1u << 24, "--rds"); break;
	case O_RDASN: o->rd_asn = (uint32_t)num(a, 65535, "--rd-asn"); break;
	case O_RDBASE: o->rd_base = (uint32_t)num(a, UINT32_MAX / 2, "--rd-base"); break;
	case O_RTS: o->rts_per_rd = (uint32_t)num(a, MAX_RTS, "--rts-per-rd"); break;
	case O_SETS: o->attr_sets = (uint32_t)num(a, 1u << 24, "--attr-sets"); break;
	case O_LBASE: o->label_base = (uint32_t)num(a, LABEL_LIMIT - 1, "--label-base"); break;
	case O_PLEN: parse_lens(o, a); break;
	case O_PBASE: o->pfx_base = addr(a); break;
	case O_OVERLAP: o->overlap = true; break;
	case O_NH: o->nexthop = addr(a); break;
	case O_EOR: o->eor = true; break;
	case O_WD: o->withdraw = true; break;
	case O_HOLDS: o->hold_seconds = (double)num(a, 86400 * 365, "--hold-seconds"); break;
	case O_SINK: o->sink = true; break;
	case O_EXPECT: o->expect = num(a, 1ull << 32, "--expect"); break;
	case O_LMODE:
		if (strcmp(a, "per-prefix") && strcmp(a, "per-vrf"))
			fatalx("--label-mode: want per-prefix or per-vrf, not \"%s\"", a);
		o->per_vrf = !strcmp(a, "per-vrf");
		break;
	case 'h': usage(0); break;
	default: usage(1);
	}
}

static void opts_parse(struct opts *o, int argc, char **argv)
{
	int c;

	*o = (struct opts){ .port = 179, .hold = 90, .asn = 65000, .routes = 1000000, .rds = 1000,
			    .rd_asn = 65000, .rd_base = 1, .rts_per_rd = 1, .attr_sets = 1,
			    .label_base = 16, .lens = { 24 }, .n_lens = 1, .pfx_base = 20u << 24,
			    .hold_seconds = -1, .connect_timeout = 30 };
	while ((c = getopt_long(argc, argv, "c:l:p:L:a:P:i:n:h", long_opts, NULL)) != -1)
		opt_set(o, c, optarg);
	if (optind != argc || !o->connect == !o->listen)
		usage(1);
	if (!o->peer_as)
		o->peer_as = o->asn;
	if (!o->rds || !o->rts_per_rd || !o->attr_sets)
		fatalx("--rds, --rts-per-rd and --attr-sets must be at least 1");
	if (o->hold == 1 || o->hold == 2)
		fatalx("--hold-time: 0 or at least 3");
}

/* ---- main ---- */

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		sig_withdraw = 1;
	else
		sig_stop = 1;
}

static void signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static void build(struct opts *o, struct built *bt)
{
	double t = now_mono();

	build_routes(o, bt);
	emit("built_routes=%" PRIu64 " built_updates=%" PRIu64 " built_bytes=%zu build_s=%.3f",
	     o->routes, bt->n_announce_msgs, bt->announce.len, now_mono() - t);
}

int main(int argc, char **argv)
{
	static struct built bt;
	static struct opts o;
	struct run rn = { .o = &o, .bt = &bt };
	int fd, rc;

	log_init("bgp-sender", LOG_LVL_INFO);
	opts_parse(&o, argc, argv);
	signals();
	fd = o.connect ? sock_connect(&o) : sock_accept(&o);
	if (fd < 0)
		return 1;
	if (!o.router_id)
		o.router_id = local_addr(fd);
	if (!o.nexthop)
		o.nexthop = local_addr(fd);
	if (!o.sink)
		build(&o, &bt);
	rn.s = (struct sess){ .fd = fd, .rb = malloc(RBUF_SIZE), .last_rx = now_mono() };
	if (!rn.s.rb)
		fatal("malloc");
	open_encode(&rn.s.ctl, &o);
	if (fcntl(fd, F_SETFL, O_NONBLOCK) < 0)
		fatal("fcntl");
	rc = run_loop(&rn);
	sess_close(&rn);
	if (!o.sink && rn.ph < PH_ANNOUNCED)
		rc = -1;
	return rc < 0 ? 1 : 0;
}
