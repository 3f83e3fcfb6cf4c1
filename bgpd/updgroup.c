/*
 * Update groups: Established neighbors whose outbound policy is the same
 * (struct updgroup_key: session type, route reflector client, families,
 * 4-octet AS, extended messages, next hop self, long-lived graceful
 * restart) share one Adj-RIB-Out computation. Each flush's changes are decided, exported and packed into
 * UPDATEs once per group; the encoded bytes live in reference-counted
 * chunks queued by reference to every member's socket output, so ten
 * members cost one encoding and one copy.
 *
 * A member never stalls the others: before each flush, one whose unsent
 * output passed out_high_water is parked. It stays out of the shared
 * stream (its changed destinations only get a "dirty" bit, so memory stays
 * bounded whatever the churn) until its output drains under out_low_water,
 * when it gets just those destinations, as they are then, and rejoins.
 * A member whose stream departs from the group's (split horizon) gets the
 * group's items with its overrides, packed for it alone.
 */
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "bgpd/bgpd.h"
#include "common/log.h"
#include "common/plural.h"

#define CHUNK_BYTES (64 * 1024) /* encoded UPDATEs handed to the sockets per chunk */

static struct updgroup_key key_of(const struct bgp_peer *p)
{
	struct updgroup_key k;

	memset(&k, 0, sizeof(k));
	k.ebgp = p->ctx.ebgp;
	k.rr_client = !p->ctx.ebgp && p->cfg->rr_client; /* meaningless on eBGP */
	k.as4 = p->ctx.as4;
	k.ext_msg = p->ctx.ext_msg;
	k.afs = p->ctx.afs;
	k.nexthop = p->local_addr;
	k.llgr = p->llgr;
	k.rtc_peer = p->rtc ? p : NULL;
	return k;
}

static bool key_eq(const struct updgroup_key *a, const struct updgroup_key *b)
{
	return a->ebgp == b->ebgp && a->rr_client == b->rr_client && a->as4 == b->as4 &&
	       a->ext_msg == b->ext_msg && a->afs == b->afs && a->nexthop == b->nexthop &&
	       a->llgr == b->llgr && a->rtc_peer == b->rtc_peer;
}

/* Group slots follow the peers' own and dirty ones (bgpd.c): one per possible group. */
static unsigned slot_free(const struct bgpd *d)
{
	unsigned first = 2 * (unsigned)d->peer_slots + 1;

	for (unsigned s = first; s < first + d->peer_slots; s++) {
		const struct updgroup *g = d->groups;

		while (g && g->slot != s)
			g = g->next;
		if (!g)
			return s;
	}
	return 0; /* cannot happen: at most one group per peer */
}

static struct updgroup *group_new(struct bgpd *d, const struct updgroup_key *k)
{
	struct updgroup *g = calloc(1, sizeof(*g));

	if (!g)
		return NULL;
	g->d = d;
	g->slot = slot_free(d);
	if (!g->slot) {
		free(g);
		return NULL;
	}
	g->id = ++d->next_group_id;
	g->key = *k;
	g->ctx.ebgp = k->ebgp;
	g->ctx.as4 = k->as4;
	g->ctx.ext_msg = k->ext_msg;
	g->ctx.afs = k->afs;
	g->next = d->groups;
	d->groups = g;
	return g;
}

static void items_clear(struct adjout_item *v, size_t *n)
{
	for (size_t i = 0; i < *n; i++)
		attr_unref(v[i].attrs);
	*n = 0;
}

static void group_free(struct updgroup *g)
{
	struct updgroup **pp = &g->d->groups;

	while (*pp && *pp != g)
		pp = &(*pp)->next;
	if (*pp)
		*pp = g->next;
	rib_adv_clear_slot(g->d->rib, g->slot);
	items_clear(g->items, &g->n_items);
	free(g->items);
	attr_unref(g->memo_in);
	attr_unref(g->memo_out);
	free(g);
}

struct updgroup *updgroup_join(struct bgp_peer *p)
{
	struct updgroup_key k = key_of(p);
	struct updgroup *g = p->d->groups;
	char nh[IPV4_STRLEN];

	while (g && !key_eq(&g->key, &k))
		g = g->next;
	if (!g && !(g = group_new(p->d, &k))) {
		log_warnx("peer %s: out of memory for an update group", p->name);
		return NULL;
	}
	p->grp = g;
	p->grp_next = g->members;
	g->members = p;
	g->n_members++;
	p->parked = false;
	log_info("peer %s: update group %u (%s%s, %s-octet AS%s%s, next hop %s), %zu %s", p->name,
		 g->id, k.ebgp ? "eBGP" : "iBGP", k.rr_client ? " client" : "", k.as4 ? "4" : "2",
		 k.ext_msg ? ", extended messages" : "", k.llgr ? ", long-lived GR" : "",
		 ipv4_format(k.nexthop, nh), g->n_members,
		 plural(g->n_members, "member", "members"));
	return g;
}

void updgroup_leave(struct bgp_peer *p)
{
	struct updgroup *g = p->grp;
	struct bgp_peer **pp;

	if (!g)
		return;
	for (pp = &g->members; *pp && *pp != p; pp = &(*pp)->grp_next)
		;
	if (*pp) {
		*pp = p->grp_next;
		g->n_members--;
	}
	p->grp = NULL;
	p->grp_next = NULL;
	if (!g->n_members)
		group_free(g);
}

void updgroup_push(struct adjout_item **v, size_t *n, size_t *cap, const struct rib_entry *e,
		   uint32_t label, struct attr_set *attrs)
{
	struct adjout_item *it;

	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 256;
		struct adjout_item *nv = realloc(*v, c * sizeof(*nv));

		if (!nv) {
			log_warnx("out of memory queueing an update");
			attr_unref(attrs);
			return;
		}
		*v = nv;
		*cap = c;
	}
	it = &(*v)[(*n)++];
	it->nlri.rd = e->rd;
	it->nlri.prefix = e->prefix;
	it->nlri.label = label;
	it->attrs = attrs;
}

/* ---- packing: runs of NLRI sharing attributes, as few UPDATEs as fit ---- */

void adjout_chunk_unref(struct adjout_chunk *k)
{
	if (k && --k->refs == 0)
		free(k);
}

static struct adjout_chunk *chunk_from(const struct wbuf *w)
{
	struct adjout_chunk *k = malloc(sizeof(*k) + w->len);

	if (!k)
		return NULL;
	k->refs = 1;
	k->len = w->len;
	k->n_msgs = 0;
	memcpy(k->data, w->data, w->len);
	for (size_t off = 0; off + BGP_HDR_LEN <= k->len; k->n_msgs++)
		off += (size_t)k->data[off + 16] << 8 | k->data[off + 17];
	return k;
}

typedef void (*emit_fn)(struct adjout_chunk *k, void *arg);

struct packer {
	struct bgpd *d;
	emit_fn emit;
	void *arg;
	uint64_t msgs;
};

static void pack_flush(struct packer *pk, bool force)
{
	struct wbuf *w = &pk->d->out;
	struct adjout_chunk *k;

	if (!w->len || (!force && w->len < CHUNK_BYTES))
		return;
	if (!(k = chunk_from(w)))
		log_warnx("out of memory sending updates");
	else
		pk->emit(k, pk->arg);
	adjout_chunk_unref(k);
	wbuf_reset(w);
}

/* One run of NLRI sharing attrs (NULL: withdrawals). */
static void pack_run(struct packer *pk, const struct attr_set *attrs, const struct attr_ctx *ctx,
		     const struct bgp_vpn_nlri *nlri, size_t n)
{
	struct wbuf *w = &pk->d->out;
	size_t off = 0;

	while (off < n) {
		int k = attrs ? bgp_update_encode_reach(w, &attrs->a, nlri + off, n - off, ctx)
			      : bgp_update_encode_unreach(w, nlri + off, n - off);

		if (k <= 0) {
			log_warnx("cannot encode an UPDATE (%d), %zu %s not sent", k, n - off,
				  plural(n - off, "route", "routes"));
			return;
		}
		off += (size_t)k;
		pk->msgs++;
		pack_flush(pk, false);
	}
}

static int item_order(const void *x, const void *y)
{
	const struct adjout_item *a = x, *b = y;
	uintptr_t pa = (uintptr_t)a->attrs, pb = (uintptr_t)b->attrs;

	return pa < pb ? -1 : pa > pb;
}

/* Sorts items by attribute set and packs them for ctx; returns the UPDATEs built. */
static uint64_t pack(struct bgpd *d, struct adjout_item *items, size_t n,
		     const struct attr_ctx *ctx, emit_fn emit, void *arg)
{
	struct packer pk = { d, emit, arg, 0 };
	size_t i = 0;

	if (!n)
		return 0;
	if (d->run_cap < n) {
		struct bgp_vpn_nlri *r = realloc(d->run, n * sizeof(*r));

		if (!r) {
			log_warnx("out of memory sending updates");
			return 0;
		}
		d->run = r;
		d->run_cap = n;
	}
	qsort(items, n, sizeof(*items), item_order);
	wbuf_reset(&d->out);
	while (i < n) {
		struct attr_set *a = items[i].attrs;
		size_t k = 0;

		while (i < n && items[i].attrs == a)
			d->run[k++] = items[i++].nlri;
		pack_run(&pk, a, ctx, d->run, k);
	}
	pack_flush(&pk, true);
	d->updates_encoded += pk.msgs;
	return pk.msgs;
}

/* ---- who gets which bytes ---- */

static bool conn_ok(const struct bgp_peer *p)
{
	return p->est && !p->est->closing;
}

static bool takes_shared(const struct bgp_peer *m)
{
	return conn_ok(m) && !m->parked && !m->n_ovr;
}

static void emit_group(struct adjout_chunk *k, void *arg)
{
	const struct updgroup *g = arg;

	for (struct bgp_peer *m = g->members; m; m = m->grp_next)
		if (takes_shared(m))
			session_send_chunk(m->est, k);
}

static void emit_own(struct adjout_chunk *k, void *arg)
{
	struct bgp_peer *p = arg;

	session_send_chunk(p->est, k);
}

void updgroup_send_own(struct bgp_peer *p)
{
	const struct attr_ctx *ctx = p->grp ? &p->grp->ctx : &p->ctx;

	if (p->n_pending && conn_ok(p))
		p->updates_own += pack(p->d, p->pending, p->n_pending, ctx, emit_own, p);
	items_clear(p->pending, &p->n_pending);
}

/* The group's items (in their original order) with m's overrides applied, onto m's own list. */
static void member_stream(struct bgp_peer *m, const struct updgroup *g)
{
	size_t o = 0;

	for (size_t i = 0; i <= g->n_items; i++) {
		bool skip = false;

		for (; o < m->n_ovr && m->ovr[o].pos == i; o++) {
			const struct adjout_override *v = &m->ovr[o];

			if (v->withdraw) {
				struct rib_entry e = { .rd = v->nlri.rd, .prefix = v->nlri.prefix };

				updgroup_push(&m->pending, &m->n_pending, &m->cap_pending, &e, 0, NULL);
			}
			skip |= v->skip;
		}
		if (i < g->n_items && !skip) {
			const struct adjout_item *it = &g->items[i];
			struct rib_entry e = { .rd = it->nlri.rd, .prefix = it->nlri.prefix };

			updgroup_push(&m->pending, &m->n_pending, &m->cap_pending, &e, it->nlri.label,
				      attr_ref(it->attrs));
		}
	}
}

void updgroup_send(struct updgroup *g)
{
	bool shared = false;

	/* departing members first: their streams are built from the items' original order */
	for (struct bgp_peer *m = g->members; m; m = m->grp_next) {
		if (m->n_ovr && conn_ok(m) && !m->parked)
			member_stream(m, g);
		shared |= takes_shared(m);
	}
	if (shared && g->n_items)
		g->updates_built += pack(g->d, g->items, g->n_items, &g->ctx, emit_group, g);
	items_clear(g->items, &g->n_items);
	for (struct bgp_peer *m = g->members; m; m = m->grp_next) {
		m->n_ovr = 0;
		if (m->n_pending)
			updgroup_send_own(m);
	}
}

unsigned bgpd_peer_update_group(const struct bgp_peer *p, size_t *members, uint64_t *built)
{
	if (members)
		*members = p->grp ? p->grp->n_members : 0;
	if (built)
		*built = p->grp ? p->grp->updates_built : 0;
	return p->grp ? p->grp->id : 0;
}

/* ---- backpressure ---- */

size_t updgroup_backlog(const struct bgp_peer *p)
{
	return p->est ? evbuffer_get_length(bufferevent_get_output(p->est->bev)) : 0;
}

void updgroup_check_backlog(struct bgpd *d)
{
	for (struct updgroup *g = d->groups; g; g = g->next) {
		for (struct bgp_peer *m = g->members; m; m = m->grp_next) {
			size_t n = updgroup_backlog(m);

			if (m->parked || !conn_ok(m) || n <= d->out_high_water)
				continue;
			m->parked = true;
			m->parks++;
			/* the write callback fires once the output is down to the low mark */
			bufferevent_setwatermark(m->est->bev, EV_WRITE, d->out_low_water, 0);
			log_info("peer %s: %zu bytes not yet sent (over %zu): left out of update group %u "
				 "until it catches up",
				 m->name, n, d->out_high_water, g->id);
		}
	}
}
