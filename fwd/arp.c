/*
 * ARP tables: a small chained hash per interface, entries incomplete ->
 * reachable (or failed after ARP_MAX_TRIES unanswered requests, one per
 * ARP_RETRY_MS). While a neighbour resolves, up to ARP_QUEUE_MAX finished
 * frames wait as copies; more are dropped and counted. Reachable entries
 * expire after arp_timeout and are resolved again on next use.
 */
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "fwd/arp.h"
#include "fwd/ctr.h"

#define ARP_BUCKETS 256
#define ARP_HTYPE_ETHER 1
#define ARP_OP_REQUEST 1
#define ARP_OP_REPLY 2
#define ARP_PKT_LEN 28
#define ETH_MIN_FRAME 60

struct arp_queued {
	size_t len;
	uint8_t data[];
};

struct arp_table {
	struct arp_entry *buckets[ARP_BUCKETS];
	uint32_t count;
};

/* The fields of an Ethernet/IPv4 ARP packet. */
struct arp_msg {
	uint16_t op;
	uint8_t sha[FWD_ETH_ALEN], tha[FWD_ETH_ALEN];
	uint32_t spa, tpa;
};

static const uint8_t broadcast[FWD_ETH_ALEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

struct arp_table *arp_table_new(void)
{
	return calloc(1, sizeof(struct arp_table));
}

static void queue_drop(struct fwd *f, struct arp_entry *e)
{
	for (unsigned i = 0; i < e->n_queued; i++) {
		free(e->queue[i]);
		if (f != NULL)
			fwd_drop(f, FWD_DROP_ARP_FAILED);
	}
	e->n_queued = 0;
}

static void table_clear(struct fwd *f, struct arp_table *t)
{
	for (unsigned i = 0; i < ARP_BUCKETS; i++) {
		struct arp_entry *e = t->buckets[i], *next;

		for (; e != NULL; e = next) {
			next = e->next;
			queue_drop(f, e);
			free(e);
		}
		t->buckets[i] = NULL;
	}
	t->count = 0;
}

void arp_table_free(struct arp_table *t)
{
	if (t == NULL)
		return;
	table_clear(NULL, t);
	free(t);
}

void arp_flush(struct fwd *f, struct fwd_iface *ifp)
{
	table_clear(f, ifp->arp);
	ifp->arp_gen++;
}

static unsigned bucket_of(uint32_t ip)
{
	return (ip * 2654435761u) >> 24;
}

const struct arp_entry *arp_find(const struct fwd_iface *ifp, uint32_t ip)
{
	const struct arp_entry *e = ifp->arp->buckets[bucket_of(ip)];

	while (e != NULL && e->ip != ip)
		e = e->next;
	return e;
}

static struct arp_entry *entry_create(struct fwd *f, struct arp_table *t, uint32_t ip)
{
	struct arp_entry *e;
	unsigned b = bucket_of(ip);

	if (t->count >= ARP_TABLE_MAX || (e = calloc(1, sizeof(*e))) == NULL)
		return NULL;
	e->ip = ip;
	e->updated_ms = f->now_ms;
	e->next = t->buckets[b];
	t->buckets[b] = e;
	t->count++;
	return e;
}

static void entry_remove(struct fwd *f, struct fwd_iface *ifp, struct arp_entry *e)
{
	struct arp_table *t = ifp->arp;
	struct arp_entry **pp = &t->buckets[bucket_of(e->ip)];

	while (*pp != e)
		pp = &(*pp)->next;
	*pp = e->next;
	t->count--;
	queue_drop(f, e);
	free(e);
	ifp->arp_gen++; /* next hops caching its MAC must ask again */
}

static void put_arp(struct wbuf *w, const struct arp_msg *m)
{
	wbuf_put_u16(w, ARP_HTYPE_ETHER);
	wbuf_put_u16(w, FWD_ETHERTYPE_IPV4);
	wbuf_put_u8(w, FWD_ETH_ALEN);
	wbuf_put_u8(w, 4);
	wbuf_put_u16(w, m->op);
	wbuf_put_bytes(w, m->sha, FWD_ETH_ALEN);
	wbuf_put_u32(w, m->spa);
	wbuf_put_bytes(w, m->tha, FWD_ETH_ALEN);
	wbuf_put_u32(w, m->tpa);
}

/* Builds and sends one ARP frame from ifp to dst_mac. */
static enum fwd_verdict send_arp(struct fwd *f, struct fwd_iface *ifp, const uint8_t *dst_mac,
				 const struct arp_msg *m)
{
	struct wbuf w;
	enum fwd_verdict v;

	wbuf_init(&w);
	wbuf_put_bytes(&w, dst_mac, FWD_ETH_ALEN);
	wbuf_put_bytes(&w, ifp->mac, FWD_ETH_ALEN);
	wbuf_put_u16(&w, FWD_ETHERTYPE_ARP);
	put_arp(&w, m);
	while (w.len < ETH_MIN_FRAME)
		wbuf_put_u8(&w, 0);
	v = wbuf_ok(&w) ? fwd_tx(f, ifp, w.data, w.len) : fwd_drop(f, FWD_DROP_TX_ERROR);
	if (v == FWD_SENT) { /* not data for the link's VRF (ctr.h, to_ce) */
		ifp->tx_arp_packets++;
		ifp->tx_arp_bytes += w.len;
	}
	wbuf_free(&w);
	return v;
}

static void send_request(struct fwd *f, struct fwd_iface *ifp, struct arp_entry *e)
{
	struct arp_msg m = { .op = ARP_OP_REQUEST, .spa = ifp->addr, .tpa = e->ip };

	memcpy(m.sha, ifp->mac, FWD_ETH_ALEN);
	send_arp(f, ifp, broadcast, &m);
	e->tries++;
	e->next_try_ms = f->now_ms + ARP_RETRY_MS;
}

static void set_macs(uint8_t *frame, const struct fwd_iface *ifp, const uint8_t *dst)
{
	memcpy(frame, dst, FWD_ETH_ALEN);
	memcpy(frame + FWD_ETH_ALEN, ifp->mac, FWD_ETH_ALEN);
}

/* The neighbour answered: remember its MAC and send what waited for it. */
static void learn(struct fwd *f, struct fwd_iface *ifp, struct arp_entry *e, const uint8_t *mac)
{
	if (e->state != ARP_INCOMPLETE && memcmp(e->mac, mac, FWD_ETH_ALEN) != 0)
		ifp->arp_gen++; /* the neighbour moved: cached copies are wrong now */
	memcpy(e->mac, mac, FWD_ETH_ALEN);
	e->state = ARP_REACHABLE;
	e->updated_ms = f->now_ms;
	e->tries = 0;
	for (unsigned i = 0; i < e->n_queued; i++) {
		set_macs(e->queue[i]->data, ifp, mac);
		fwd_tx(f, ifp, e->queue[i]->data, e->queue[i]->len);
		free(e->queue[i]);
	}
	e->n_queued = 0;
}

static int parse_arp(const struct fwd_pkt *p, struct arp_msg *m)
{
	struct rbuf r;
	uint16_t htype, ptype;
	uint8_t hlen, plen;

	rbuf_init(&r, p->data, p->len);
	if (rbuf_skip(&r, FWD_ETH_HLEN) < 0 || rbuf_get_u16(&r, &htype) < 0 ||
	    rbuf_get_u16(&r, &ptype) < 0 || rbuf_get_u8(&r, &hlen) < 0 ||
	    rbuf_get_u8(&r, &plen) < 0 || rbuf_get_u16(&r, &m->op) < 0 ||
	    rbuf_get_bytes(&r, m->sha, FWD_ETH_ALEN) < 0 || rbuf_get_u32(&r, &m->spa) < 0 ||
	    rbuf_get_bytes(&r, m->tha, FWD_ETH_ALEN) < 0 || rbuf_get_u32(&r, &m->tpa) < 0)
		return -1;
	if (htype != ARP_HTYPE_ETHER || ptype != FWD_ETHERTYPE_IPV4 || hlen != FWD_ETH_ALEN ||
	    plen != 4 || (m->op != ARP_OP_REQUEST && m->op != ARP_OP_REPLY))
		return -1;
	return 0;
}

static enum fwd_verdict answer(struct fwd *f, struct fwd_iface *ifp, const struct arp_msg *req)
{
	struct arp_msg m = { .op = ARP_OP_REPLY, .spa = ifp->addr, .tpa = req->spa };

	memcpy(m.sha, ifp->mac, FWD_ETH_ALEN);
	memcpy(m.tha, req->sha, FWD_ETH_ALEN);
	return send_arp(f, ifp, req->sha, &m);
}

enum fwd_verdict arp_input(struct fwd *f, struct fwd_iface *ifp, const struct fwd_pkt *p)
{
	struct arp_msg m;
	struct arp_entry *e = NULL;
	bool for_us;

	if (parse_arp(p, &m) < 0)
		return ifp->role == FWD_IF_ACCESS ? fwd_drop(f, FWD_DROP_BAD_ARP) : FWD_IGNORED;
	/* fwd owns the address only on access links; on core links the kernel answers */
	for_us = ifp->role == FWD_IF_ACCESS && ifp->addr != 0 && m.tpa == ifp->addr;
	if (m.spa != 0 && !(m.sha[0] & 1)) {
		e = (struct arp_entry *)arp_find(ifp, m.spa);
		if (e == NULL && for_us && m.op == ARP_OP_REQUEST)
			e = entry_create(f, ifp->arp, m.spa); /* it will talk to us next */
		if (e != NULL)
			learn(f, ifp, e, m.sha);
	}
	if (for_us && m.op == ARP_OP_REQUEST)
		return answer(f, ifp, &m);
	return for_us || e != NULL ? FWD_CONSUMED : FWD_IGNORED;
}

static enum fwd_verdict enqueue(struct fwd *f, struct arp_entry *e, const struct fwd_pkt *p)
{
	struct arp_queued *q;

	if (e->n_queued == ARP_QUEUE_MAX)
		return fwd_drop(f, FWD_DROP_ARP_QUEUE_FULL);
	if ((q = malloc(sizeof(*q) + p->len)) == NULL)
		return fwd_drop(f, FWD_DROP_ARP_QUEUE_FULL);
	q->len = p->len;
	memcpy(q->data, p->data, p->len);
	e->queue[e->n_queued++] = q;
	return FWD_QUEUED;
}

enum fwd_verdict arp_output(struct fwd *f, struct fwd_iface *ifp, uint32_t ip, struct fwd_pkt *p)
{
	struct arp_entry *e = (struct arp_entry *)arp_find(ifp, ip);
	enum fwd_verdict v;

	if (e != NULL && e->state == ARP_REACHABLE) {
		set_macs(p->data, ifp, e->mac);
		return fwd_tx(f, ifp, p->data, p->len);
	}
	if (e != NULL && e->state == ARP_FAILED)
		return fwd_drop(f, FWD_DROP_ARP_FAILED);
	if (e == NULL) {
		if ((e = entry_create(f, ifp->arp, ip)) == NULL)
			return fwd_drop(f, FWD_DROP_ARP_TABLE_FULL);
		v = enqueue(f, e, p);
		send_request(f, ifp, e);
		return v;
	}
	return enqueue(f, e, p);
}

static void entry_tick(struct fwd *f, struct fwd_iface *ifp, struct arp_entry *e)
{
	uint64_t age = f->now_ms - e->updated_ms;

	switch (e->state) {
	case ARP_INCOMPLETE:
		if (f->now_ms < e->next_try_ms)
			return;
		if (e->tries < ARP_MAX_TRIES) {
			send_request(f, ifp, e);
			return;
		}
		e->state = ARP_FAILED;
		e->updated_ms = f->now_ms;
		ifp->arp_gen++;
		queue_drop(f, e);
		return;
	case ARP_REACHABLE:
		if (age >= (uint64_t)f->arp_timeout_s * 1000)
			entry_remove(f, ifp, e);
		return;
	default:
		if (age >= ARP_FAILED_HOLD_MS)
			entry_remove(f, ifp, e);
		return;
	}
}

void arp_tick(struct fwd *f, struct fwd_iface *ifp)
{
	struct arp_table *t = ifp->arp;

	for (unsigned i = 0; i < ARP_BUCKETS; i++) {
		struct arp_entry *e = t->buckets[i], *next;

		for (; e != NULL; e = next) {
			next = e->next;
			entry_tick(f, ifp, e);
		}
	}
}

void arp_foreach(const struct fwd_iface *ifp, void (*cb)(const struct arp_entry *e, void *ctx),
		 void *ctx)
{
	for (unsigned i = 0; i < ARP_BUCKETS; i++)
		for (const struct arp_entry *e = ifp->arp->buckets[i]; e != NULL; e = e->next)
			cb(e, ctx);
}

const char *arp_state_name(uint8_t state)
{
	static const char *const names[] = { "incomplete", "reachable", "failed" };

	return state <= ARP_FAILED ? names[state] : "unknown";
}
