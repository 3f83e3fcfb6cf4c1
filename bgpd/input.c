/*
 * Received UPDATEs into the RIB: decode (a reset-class error closes the
 * session with its NOTIFICATION), then withdrawals, then announcements with
 * one interned attribute set shared by all NLRI of the message. RFC 7606
 * treat-as-withdraw turns the announcements into withdrawals and is logged
 * as the remote error it is (counted per neighbor, each kind logged once per
 * session with the routes and the whole UPDATE, RFC 7606 §6); routing loops (our AS, our ORIGINATOR_ID or cluster id) are
 * dropped the same way. End-of-RIB ends a graceful restart; max-prefix is
 * checked after each UPDATE.
 */
#include "bgpd/bgpd.h"
#include "common/log.h"
#include "common/plural.h"

/*
 * An UPDATE's NLRI land all over the RIB's memory: a cache miss on the
 * bucket and one on the entry for each. Their buckets are fetched this many
 * NLRI ahead, and the entries half as far ahead, so the misses overlap.
 */
#define NLRI_PREFETCH 16

static void nlri_prefetch(struct rib *rib, const struct bgp_vpn_nlri *n, size_t i, size_t count)
{
	if (i + NLRI_PREFETCH < count)
		rib_prefetch(rib, &n[i + NLRI_PREFETCH].rd, &n[i + NLRI_PREFETCH].prefix, false);
	if (i + NLRI_PREFETCH / 2 < count)
		rib_prefetch(rib, &n[i + NLRI_PREFETCH / 2].rd, &n[i + NLRI_PREFETCH / 2].prefix, true);
}

static void update_withdraw_all(struct bgp_peer *p, const struct bgp_vpn_nlri *n, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		nlri_prefetch(p->d->rib, n, i, count);
		rib_withdraw(p->d->rib, &p->src, &n[i].rd, &n[i].prefix);
	}
}

static void update_announce(struct bgp_peer *p, const struct bgp_update *u)
{
	struct attr_set *s = attr_intern(&u->attrs);

	if (!s) {
		update_withdraw_all(p, u->reach, u->n_reach);
		return;
	}
	for (size_t i = 0; i < u->n_reach; i++) {
		const struct bgp_vpn_nlri *n = &u->reach[i];

		nlri_prefetch(p->d->rib, u->reach, i, u->n_reach);
		if (rib_update(p->d->rib, &p->src, &n->rd, &n->prefix, s, n->label) < 0)
			log_warnx("peer %s: out of memory storing a route", p->name);
	}
	attr_unref(s);
}

/* A line of the RFC 7606 §6 dump of a malformed UPDATE (bgp_update_dump). */
static void dump_line(void *arg, const char *line)
{
	log_warnx("peer %s: %s", ((const struct bgp_peer *)arg)->name, line);
}

/*
 * Counts a treat-as-withdraw or attribute discard, and logs the first of
 * each kind (action, subcode) per session, with the UPDATE: a peer
 * repeating one mistake on every UPDATE must not flood the log; the
 * counters in /neighbors go on.
 */
static void update_log_soft(struct bgp_peer *p, const struct bgp_update *u, const uint8_t *body,
			    size_t len)
{
	const struct bgp_err *w = &u->withdraw_err;
	uint64_t bit = (uint64_t)1 << ((u->action * 16 + (w->subcode & 15)) & 63);
	const char *attr = w->data_len >= 2 ? attr_name(w->data[1]) : NULL;
	char e[96];

	if (u->action == ATTR_ACT_WITHDRAW) {
		p->uerr.treat_as_withdraw++;
		p->uerr.routes_withdrawn += u->n_reach;
	} else {
		p->uerr.attribute_discard++;
	}
	if (p->uerr_logged & bit)
		return;
	p->uerr_logged |= bit;
	bgp_err_format(w->code, w->subcode, e, sizeof(e));
	log_warnx("peer %s: remote error %s%s%s: %s (RFC 7606; further ones only counted)", p->name,
		  e, attr ? " in " : "", attr ? attr : "",
		  u->action == ATTR_ACT_WITHDRAW ? "routes treated as withdrawn"
						 : "attribute discarded");
	bgp_update_dump(u, body, len, dump_line, p);
}

/*
 * Our own routes coming back: our AS in an eBGP path, or (RFC 4456 §8) our
 * router id as ORIGINATOR_ID or our cluster id in CLUSTER_LIST over iBGP.
 */
static bool route_loops(const struct bgp_peer *p, const struct bgp_attrs *a)
{
	const struct ferry_config *cfg = p->d->cfg;
	uint32_t cluster = cfg->bgp.cluster_id ? cfg->bgp.cluster_id : cfg->router_id;

	if (p->ctx.ebgp)
		return aspath_contains(a->aspath, a->aspath_len, cfg->asn);
	return (attr_has(a, ATTR_ORIGINATOR_ID) && a->originator_id == cfg->router_id) ||
	       attr_cluster_has(a, cluster);
}

int fsm_update(struct bgp_conn *c, const uint8_t *body, size_t len)
{
	struct bgp_peer *p = c->peer;
	struct bgp_update *u = c->d->upd;
	struct bgp_err err;
	bool loop;

	if (bgp_update_decode(body, len, &p->ctx, u, &err) < 0) {
		p->uerr.session_reset++;
		bgp_update_dump(u, body, len, dump_line, p);
		fsm_conn_fail(c, &err, "bad UPDATE");
		return -1;
	}
	if (u->action >= ATTR_ACT_DISCARD)
		update_log_soft(p, u, body, len);
	if (u->n_ipv4_nlri || u->n_ipv4_withdrawn || u->n_other_afi)
		log_debug("peer %s: ignored routes of families not negotiated", p->name);
	update_withdraw_all(p, u->unreach, u->n_unreach);
	loop = route_loops(p, &u->attrs);
	if (loop && u->n_reach)
		log_debug("peer %s: %zu %s looping back to us ignored", p->name, u->n_reach,
			  plural(u->n_reach, "route", "routes"));
	if (u->action == ATTR_ACT_WITHDRAW || loop)
		update_withdraw_all(p, u->reach, u->n_reach);
	else if (u->n_reach)
		update_announce(p, u);
	rtc_input(p, u, u->action == ATTR_ACT_WITHDRAW || loop); /* RFC 4684 membership */
	if (u->eor_lookalike && !p->eor_lookalike_logged) {
		p->eor_lookalike_logged = true; /* once a session: it may send them on every UPDATE */
		log_info("peer %s: an empty MP_UNREACH_NLRI with other attributes or routes: not an "
			 "End-of-RIB (RFC 4724 §2: the attribute alone)", p->name);
	}
	if (u->end_of_rib) {
		log_info("peer %s: End-of-RIB, %zu %s", p->name, p->src.n_paths,
			 plural(p->src.n_paths, "route", "routes"));
		fsm_gr_sweep(p, "End-of-RIB");
		p->gr_eor_seen = true;
		bgpd_gr_check(c->d);
	}
	bgpd_schedule_flush(c->d);
	if (p->cfg->max_prefix && peer_fresh_paths(p) > p->cfg->max_prefix) {
		fsm_max_prefix(p);
		if (p->est != c)
			return -1; /* closed: read no more of it */
	} else if (rtc_over_limit(p)) { /* membership: its own limit, its own Cease data */
		fsm_max_rtc(p);
		if (p->est != c)
			return -1;
	}
	return 0;
}
