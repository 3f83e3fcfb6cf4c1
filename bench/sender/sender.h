/*
 * bgp-sender (bench/bgp-sender.c): a fast, standalone BGP speaker that feeds
 * a peer N VPN-IPv4 routes for ingest benchmarks. What its parts share: the
 * options, the output buffer, the UPDATE being packed, the session and the
 * run's phases. One concern per file:
 *   options.c  command line          routes.c   the route mix, built up front
 *   msg.c      buffer, framing, OPEN/KEEPALIVE/Cease/End-of-RIB
 *   pack.c     UPDATE packing        sink.c     counting what the peer sends
 *   session.c  handshake, socket I/O phase.c    phases, timers, the poll loop
 *   sock.c     connect/accept        report.c   clocks, key=value output
 */
#ifndef FERRY_BENCH_SENDER_H
#define FERRY_BENCH_SENDER_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

/* Everything sent after Established, packed before the session comes up. */
struct built {
	struct obuf announce, withdraw, eor;
	uint64_t n_announce_msgs, n_withdraw_msgs;
};

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

/* Set by the signal handlers (bgp-sender.c): SIGTERM/SIGINT, SIGUSR1. */
extern volatile sig_atomic_t snd_sig_stop, snd_sig_withdraw;

static inline void ob_put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void ob_put32(uint8_t *p, uint32_t v)
{
	ob_put16(p, v >> 16);
	ob_put16(p + 2, v);
}

/* report.c */
double snd_now_mono(void);
double snd_now_epoch(void);
/* One key=value line on stdout, flushed. */
void snd_emit(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* msg.c */
/* Room for n more bytes at the end of b (b->len not moved). */
uint8_t *ob_room(struct obuf *b, size_t n);
void ob_put(struct obuf *b, const void *p, size_t n);
/* Starts a message of type; returns where it starts, for msg_end to set its length. */
size_t msg_begin(struct obuf *b, uint8_t type);
void msg_end(struct obuf *b, size_t start);
void msg_open(struct obuf *b, const struct opts *o);
void msg_keepalive(struct obuf *b);
void msg_cease(struct obuf *b);
void msg_eor(struct obuf *b);

/* pack.c */
void upd_close(struct upd *u);
void upd_add(struct upd *u, const struct opts *o, uint64_t group, uint32_t rd,
	     uint32_t set, uint32_t lfield, uint32_t addr, uint8_t len);

/* routes.c */
void routes_build(const struct opts *o, struct built *bt);

/* sink.c */
void sink_update_count(struct sess *s, const uint8_t *b, size_t len);
void sink_check(struct run *rn);

/* session.c */
bool sess_bulk_idle(const struct sess *s);
bool sess_out_pending(const struct sess *s);
void sess_start_bulk(struct run *rn, enum phase ph, const struct obuf *b);
/* 0: go on, 1: the peer ended the session cleanly, -1: error. */
int sess_read(struct run *rn);
int sess_write(struct sess *s);
/* A CEASE when no UPDATE is half written, then close; prints the received counts. */
void sess_close(struct run *rn);

/* phase.c */
/* Runs the session until done (0) or failed (-1). */
int phase_run_loop(struct run *rn);

/* sock.c */
int sock_connect(const struct opts *o);
int sock_accept(const struct opts *o);
uint32_t sock_local_addr(int fd);

/* options.c */
void opts_parse(struct opts *o, int argc, char **argv);

#endif
