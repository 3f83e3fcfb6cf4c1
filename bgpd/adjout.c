/*
 * Adj-RIB-Out and update generation. What a peer hears is the best path of
 * each destination when it may hear it (adjout_eligible: communities, route
 * reflection, no learned routes to eBGP peers). The exported attributes
 * (next hop self for local routes and eBGP, LOCAL_PREF for iBGP, own AS
 * prepended for eBGP, ORIGINATOR_ID/CLUSTER_LIST when reflecting) are
 * interned, so NLRI that share them can be packed: pending
 * changes are sorted by attribute set and each run becomes as few 4096-byte
 * UPDATEs as fit.
 */
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "bgpd/bgpd.h"
#include "common/log.h"

#define OUT_FLUSH_BYTES (64 * 1024) /* hand encoded updates to the socket in chunks */

/*
 * Who hears what: NO_ADVERTISE goes to nobody, NO_EXPORT stays in the AS
 * (RFC 1997); local routes go to everyone; routes learned over eBGP go to
 * iBGP peers; routes learned over iBGP are reflected (RFC 4456 §6: a
 * client's to everyone in the AS, a non-client's to clients) and never go
 * to eBGP peers (that needs new labels: no inter-AS option B).
 */
bool adjout_eligible(const struct bgp_peer *p, const struct rib_path *path)
{
	const struct rib_source *s;
	const struct bgp_attrs *a;

	if (!path || path->src == &p->src)
		return false;
	s = path->src;
	a = &path->attrs->a;
	if (attr_has_community(a, COMM_NO_ADVERTISE))
		return false;
	if (p->ctx.ebgp && (attr_has_community(a, COMM_NO_EXPORT) ||
			    attr_has_community(a, COMM_NO_EXPORT_SUBCONFED)))
		return false;
	if (s->local)
		return true;
	if (s->ebgp || p->ctx.ebgp)
		return s->ebgp && !p->ctx.ebgp;
	if (attr_has(a, ATTR_ORIGINATOR_ID) && a->originator_id == p->src.router_id)
		return false; /* back to where it started */
	return s->rr_client || p->cfg->rr_client;
}

/* RFC 4456 §8: a reflected route names its originator and gains our cluster id. */
static void reflect(struct bgp_peer *p, const struct rib_path *path, struct bgp_attrs *a)
{
	static uint32_t cluster[BGP_MAX_EXT_MSG / 4 + 1]; /* static: large, one event loop */
	uint32_t id = p->d->cfg->bgp.cluster_id ? p->d->cfg->bgp.cluster_id : p->d->cfg->router_id;

	if (!attr_has(a, ATTR_ORIGINATOR_ID)) {
		a->originator_id = path->src->router_id;
		a->present |= ATTR_BIT(ATTR_ORIGINATOR_ID);
	}
	cluster[0] = id;
	if (a->n_cluster)
		memcpy(cluster + 1, a->cluster, (size_t)a->n_cluster * 4);
	a->cluster = cluster;
	a->n_cluster++;
	a->present |= ATTR_BIT(ATTR_CLUSTER_LIST);
}

/* The attributes p hears for path (a new reference), memoized per source and set. */
static struct attr_set *adjout_export(struct bgp_peer *p, const struct rib_path *path)
{
	struct bgp_attrs a = path->attrs->a;
	static uint8_t aspath[2 * BGP_MAX_EXT_MSG + 8]; /* static: large, one event loop */
	const struct rib_source *s = path->src;

	if (p->memo_in == path->attrs && p->memo_src == s && p->memo_out)
		return attr_ref(p->memo_out);
	a.present |= ATTR_BIT(ATTR_ORIGIN) | ATTR_BIT(ATTR_AS_PATH);
	if (a.nexthop == 0 || p->ctx.ebgp)
		a.nexthop = p->local_addr;
	if (p->ctx.ebgp) {
		a.aspath_len = (uint16_t)aspath_prepend(a.aspath, a.aspath_len, p->d->cfg->asn, aspath);
		a.aspath = aspath;
		a.present &= ~(ATTR_BIT(ATTR_LOCAL_PREF) | ATTR_BIT(ATTR_ORIGINATOR_ID) |
			       ATTR_BIT(ATTR_CLUSTER_LIST));
		a.n_cluster = 0;
	} else {
		a.local_pref = rib_path_local_pref(path);
		a.present |= ATTR_BIT(ATTR_LOCAL_PREF);
		if (!s->local && !s->ebgp)
			reflect(p, path, &a);
	}
	attr_unref(p->memo_in);
	attr_unref(p->memo_out);
	p->memo_in = attr_ref(path->attrs);
	p->memo_src = s;
	p->memo_out = attr_intern(&a);
	return attr_ref(p->memo_out);
}

static void pending_push(struct bgp_peer *p, const struct rib_entry *e, uint32_t label,
			 struct attr_set *attrs)
{
	struct adjout_item *it;

	if (p->n_pending == p->cap_pending) {
		size_t cap = p->cap_pending ? p->cap_pending * 2 : 256;
		struct adjout_item *n = realloc(p->pending, cap * sizeof(*n));

		if (!n) {
			log_warnx("peer %s: out of memory queueing an update", p->name);
			attr_unref(attrs);
			return;
		}
		p->pending = n;
		p->cap_pending = cap;
	}
	it = &p->pending[p->n_pending++];
	it->nlri.rd = e->rd;
	it->nlri.prefix = e->prefix;
	it->nlri.label = label;
	it->attrs = attrs;
}

void adjout_entry(struct bgp_peer *p, struct rib_entry *e)
{
	unsigned slot = p->src.slot;

	if (adjout_eligible(p, e->best)) {
		struct attr_set *a = adjout_export(p, e->best);

		if (!a)
			return;
		if (!rib_adv_test(e, slot)) {
			rib_adv_set(e, slot, true);
			p->n_advertised++;
		}
		pending_push(p, e, e->best->label, a);
	} else if (rib_adv_test(e, slot)) {
		rib_adv_set(e, slot, false);
		p->n_advertised--;
		pending_push(p, e, 0, NULL);
	}
}

static int item_order(const void *x, const void *y)
{
	const struct adjout_item *a = x, *b = y;
	uintptr_t pa = (uintptr_t)a->attrs, pb = (uintptr_t)b->attrs;

	return pa < pb ? -1 : pa > pb;
}

static void out_chunk(struct bgp_peer *p, bool force)
{
	struct wbuf *w = &p->d->out;

	if (w->len && (force || w->len >= OUT_FLUSH_BYTES)) {
		session_send(p->est, w);
		wbuf_reset(w);
	}
}

/* Encodes one run of NLRI sharing attrs (NULL: withdrawals). */
static void send_run(struct bgp_peer *p, const struct attr_set *attrs,
		     const struct bgp_vpn_nlri *nlri, size_t n)
{
	size_t off = 0;

	while (off < n) {
		int k = attrs ? bgp_update_encode_reach(&p->d->out, &attrs->a, nlri + off, n - off,
							&p->ctx)
			      : bgp_update_encode_unreach(&p->d->out, nlri + off, n - off);

		if (k <= 0) {
			log_warnx("peer %s: cannot encode an UPDATE (%d), routes not sent", p->name, k);
			return;
		}
		off += (size_t)k;
		out_chunk(p, false);
	}
}

void adjout_send(struct bgp_peer *p)
{
	struct bgp_vpn_nlri *run = NULL;
	size_t i = 0;

	if (!p->est || !p->n_pending)
		goto done;
	/* one array for the longest run: every run then fills whole messages */
	if (!(run = malloc(p->n_pending * sizeof(*run)))) {
		log_warnx("peer %s: out of memory sending updates", p->name);
		goto done;
	}
	qsort(p->pending, p->n_pending, sizeof(*p->pending), item_order);
	wbuf_reset(&p->d->out);
	while (i < p->n_pending) {
		struct attr_set *a = p->pending[i].attrs;
		size_t n = 0;

		while (i < p->n_pending && p->pending[i].attrs == a)
			run[n++] = p->pending[i++].nlri;
		send_run(p, a, run, n);
	}
	out_chunk(p, true);
done:
	free(run);
	for (i = 0; i < p->n_pending; i++)
		attr_unref(p->pending[i].attrs);
	p->n_pending = 0;
}

static void peer_up_entry(struct rib_entry *e, void *arg)
{
	adjout_entry(arg, e);
}

void adjout_peer_up(struct bgp_peer *p)
{
	struct wbuf *w = &p->d->out;

	if (p->ctx.afs & BGP_AF_VPNV4) {
		rib_walk(p->d->rib, peer_up_entry, p);
		adjout_send(p);
		wbuf_reset(w);
		if (p->est && bgp_update_encode_eor(w) == 0)
			session_send(p->est, w);
	}
	wbuf_reset(w);
	/* IPv4 unicast carries no routes yet (CE peering comes later): just End-of-RIB */
	if (p->est && (p->ctx.afs & BGP_AF_IPV4) && bgp_update_encode_eor_ipv4(w) == 0)
		session_send(p->est, w);
	log_info("peer %s: sent %zu routes and End-of-RIB", p->name, p->n_advertised);
}

static void send_refresh_marker(struct bgp_peer *p, uint8_t subtype)
{
	struct wbuf *w = &p->d->out;

	wbuf_reset(w);
	if (p->est && bgp_route_refresh_encode(w, BGP_AFI_IPV4, BGP_SAFI_VPN, subtype) == 0)
		session_send(p->est, w);
}

void adjout_refresh(struct bgp_peer *p)
{
	if (!p->enhanced_rr) {
		adjout_peer_up(p);
		return;
	}
	send_refresh_marker(p, BGP_RR_BORR);
	rib_walk(p->d->rib, peer_up_entry, p);
	adjout_send(p);
	send_refresh_marker(p, BGP_RR_EORR);
	log_info("peer %s: resent %zu routes between BoRR and EoRR", p->name, p->n_advertised);
}

void adjout_peer_down(struct bgp_peer *p)
{
	for (size_t i = 0; i < p->n_pending; i++)
		attr_unref(p->pending[i].attrs);
	p->n_pending = 0;
	attr_unref(p->memo_in);
	attr_unref(p->memo_out);
	p->memo_in = NULL;
	p->memo_src = NULL;
	p->memo_out = NULL;
	rib_adv_clear_slot(p->d->rib, p->src.slot);
	p->n_advertised = 0;
}
