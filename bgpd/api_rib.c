/*
 * GET /routes and GET /route (docs/api.md): the VPN-IPv4 RIB as JSON.
 *
 * /routes streams: it writes ~64 KiB of paths, waits for the client to take
 * them, and goes on from a cursor, so a million routes never sit in memory
 * as a reply (or as a sorted copy) and BGP keeps running between chunks.
 * The cursor is a position in a fixed order of destinations: by the bit-
 * reversed hash of (RD, prefix), then by the key. The RIB's buckets are
 * "hash & (size - 1)" and the table only doubles, so in that order every
 * bucket is one contiguous run and a run splits in place when the table
 * grows: a cursor stays valid across growth, and a walk (or paging with
 * ?after=) sees every destination that exists throughout exactly once,
 * whatever is added or withdrawn meanwhile. The order is not sorted by
 * prefix; ferryctl sorts what it shows.
 *
 * The hash is rib.c's rib_key_hash(); a walk that meets an entry in the
 * wrong bucket says so.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "bgpd/api.h"
#include "bgpd/bgpd.h"
#include "common/api.h"
#include "common/log.h"

static uint32_t rev32(uint32_t x)
{
	x = ((x >> 1) & 0x55555555u) | ((x & 0x55555555u) << 1);
	x = ((x >> 2) & 0x33333333u) | ((x & 0x33333333u) << 2);
	x = ((x >> 4) & 0x0f0f0f0fu) | ((x & 0x0f0f0f0fu) << 4);
	x = ((x >> 8) & 0x00ff00ffu) | ((x & 0x00ff00ffu) << 8);
	return (x >> 16) | (x << 16);
}

void bgpd_rib_cursor(const struct rd *rd, const struct prefix4 *p, struct rib_cursor *c)
{
	c->rh = rev32(rib_key_hash(rd, p));
	c->rd = *rd;
	c->prefix = *p;
}

/* Order of destinations: < 0 when a comes first. */
static int cursor_cmp(const struct rib_cursor *a, const struct rib_cursor *b)
{
	int r;

	if (a->rh != b->rh)
		return a->rh < b->rh ? -1 : 1;
	if ((r = memcmp(a->rd.b, b->rd.b, sizeof(a->rd.b))) != 0)
		return r;
	if (a->prefix.addr != b->prefix.addr)
		return a->prefix.addr < b->prefix.addr ? -1 : 1;
	return (int)a->prefix.len - (int)b->prefix.len;
}

static unsigned log2_size(size_t n)
{
	unsigned b = 0;

	while (((size_t)1 << b) < n)
		b++;
	return b;
}

/* The bucket holding the i-th run of the order in a table of 2^bits buckets. */
static size_t bucket_at(size_t i, unsigned bits)
{
	return bits > 0 ? rev32((uint32_t)i) >> (32 - bits) : 0;
}

#define WALK_PREFETCH 16 /* buckets ahead: the order jumps around the bucket array */

#define BUCKET_SORT_MAX 16 /* chains up to this long are sorted once; longer ones scanned */

/* A long chain (a bad hash, or an attack on it): the next entry found by scanning, each time. */
static bool bucket_scan(struct rib_entry *head, struct rib_cursor *c, bool resume,
			int (*fn)(struct rib_entry *e, void *arg), void *arg)
{
	struct rib_cursor last = *c, k, bk;
	bool have_last = resume;

	for (;;) {
		struct rib_entry *best = NULL;

		for (struct rib_entry *e = head; e != NULL; e = e->hnext) {
			bgpd_rib_cursor(&e->rd, &e->prefix, &k);
			if (have_last && cursor_cmp(&k, &last) <= 0)
				continue;
			if (best == NULL || cursor_cmp(&k, &bk) < 0) {
				best = e;
				bk = k;
			}
		}
		if (best == NULL)
			return false;
		if (fn(best, arg)) {
			*c = bk;
			return true;
		}
		last = bk;
		have_last = true;
	}
}

/*
 * Visits, in order, the entries of one bucket after c (all when !resume);
 * true when fn asked to stop, *c then being the cursor of its entry. A
 * bucket holds one or two entries nearly always: one needs no cursor at
 * all, a few are sorted in place.
 */
static bool bucket_walk(struct rib_entry *head, struct rib_cursor *c, bool resume,
			int (*fn)(struct rib_entry *e, void *arg), void *arg)
{
	struct rib_entry *v[BUCKET_SORT_MAX];
	struct rib_cursor k[BUCKET_SORT_MAX];
	size_t n = 0;

	if (head->hnext == NULL && !resume) {
		if (!fn(head, arg))
			return false;
		bgpd_rib_cursor(&head->rd, &head->prefix, c);
		return true;
	}
	for (struct rib_entry *e = head; e != NULL; e = e->hnext) {
		struct rib_cursor x;
		size_t j;

		if (n == BUCKET_SORT_MAX)
			return bucket_scan(head, c, resume, fn, arg);
		bgpd_rib_cursor(&e->rd, &e->prefix, &x);
		if (resume && cursor_cmp(&x, c) <= 0)
			continue;
		for (j = n; j > 0 && cursor_cmp(&x, &k[j - 1]) < 0; j--) {
			v[j] = v[j - 1];
			k[j] = k[j - 1];
		}
		v[j] = e;
		k[j] = x;
		n++;
	}
	for (size_t j = 0; j < n; j++)
		if (fn(v[j], arg)) {
			*c = k[j];
			return true;
		}
	return false;
}

bool bgpd_rib_walk(struct rib *rib, struct rib_cursor *c, bool *started,
		   int (*fn)(struct rib_entry *e, void *arg), void *arg)
{
	size_t nb = rib->n_buckets, i;
	unsigned bits;
	bool resume = *started;

	if (nb == 0)
		return true;
	bits = log2_size(nb);
	i = resume && bits > 0 ? c->rh >> (32 - bits) : 0;
	for (; i < nb; i++, resume = false) {
		struct rib_entry *head;

		/*
		 * The order jumps around memory: fetch the bucket slot far ahead, the
		 * entry it points to nearer, and that entry's best path nearer still,
		 * so the lookups of each step have landed by the time it is written.
		 */
		if (i + WALK_PREFETCH < nb)
			__builtin_prefetch(&rib->buckets[bucket_at(i + WALK_PREFETCH, bits)]);
		if (i + WALK_PREFETCH / 2 < nb &&
		    (head = rib->buckets[bucket_at(i + WALK_PREFETCH / 2, bits)]) != NULL)
			__builtin_prefetch(head);
		if (i + WALK_PREFETCH / 4 < nb &&
		    (head = rib->buckets[bucket_at(i + WALK_PREFETCH / 4, bits)]) != NULL &&
		    head->best != NULL)
			__builtin_prefetch(head->best->attrs);
		if ((head = rib->buckets[bucket_at(i, bits)]) == NULL)
			continue;
		if (bucket_walk(head, c, resume, fn, arg)) {
			*started = true;
			return false;
		}
	}
	return true;
}

static int take_first(struct rib_entry *e, void *arg)
{
	*(struct rib_entry **)arg = e;
	return 1;
}

struct rib_entry *bgpd_rib_next(struct rib *rib, struct rib_cursor *c, bool started)
{
	struct rib_entry *e = NULL;

	bgpd_rib_walk(rib, c, &started, take_first, &e);
	return e;
}

/* ---- filters ---------------------------------------------------------------- */

struct route_filter {
	bool has_rd, has_prefix, has_rt, has_neighbor, best_only, local_only;
	enum api_match match;
	struct rd rd;
	struct prefix4 prefix;
	struct ext_community rt;
	uint32_t neighbor;
};

static bool entry_match(const struct route_filter *f, const struct rib_entry *e)
{
	if (f->has_rd && !rd_equal(&f->rd, &e->rd))
		return false;
	return !f->has_prefix || api_prefix_match(f->match, &f->prefix, &e->prefix);
}

static bool path_match(const struct route_filter *f, const struct rib_entry *e,
		       const struct rib_path *p)
{
	if (f->best_only && e->best != p)
		return false;
	if (f->local_only && !p->src->local)
		return false;
	if (f->has_neighbor && (p->src->local || p->src->address != f->neighbor))
		return false;
	if (f->has_rt) {
		const struct bgp_attrs *a = &p->attrs->a;
		size_t i;

		for (i = 0; i < a->n_ext; i++)
			if (memcmp(&a->ext[i], &f->rt, sizeof(f->rt)) == 0)
				break;
		if (i == a->n_ext)
			return false;
	}
	return true;
}

/* "RD:PREFIX", the form of /routes' "next". */
static int vpn_key_parse(const char *s, struct rd *rd, struct prefix4 *p)
{
	char rds[64];

	return api_after_split(s, rds, sizeof(rds), p) == 0 && rd_parse(rds, rd) == 0 ? 0 : -1;
}

/* Reads ?rd, prefix, match, rt, neighbor, best into f: 0, or the 400 written. */
static int filter_parse(struct jw *w, const struct api_request *req, struct route_filter *f)
{
	const char *rd = api_query_get(req, "rd"), *pfx = api_query_get(req, "prefix"),
		   *rt = api_query_get(req, "rt"), *nb = api_query_get(req, "neighbor");
	int rc;

	memset(f, 0, sizeof(*f));
	if (rd && !(f->has_rd = rd_parse(rd, &f->rd) == 0))
		return api_param_error(w, 400, "rd",
				       "rd: \"%.64s\" is not a route distinguisher (want ASN:NN, "
				       "IP:NN, ASN4:NN or ASNL:NN)", rd);
	if (pfx && !(f->has_prefix = prefix4_parse(pfx, &f->prefix) == 0))
		return api_param_error(w, 400, "prefix",
				       "prefix: \"%.64s\" is not an IPv4 prefix (want a.b.c.d/len, "
				       "host bits clear)", pfx);
	if (rt && !(f->has_rt = rt_parse(rt, &f->rt) == 0))
		return api_param_error(w, 400, "rt",
				       "rt: \"%.64s\" is not a route target (want ASN:NN, IP:NN, "
				       "ASN4:NN or ASNL:NN)", rt);
	if (nb && strcmp(nb, "local") == 0)
		f->local_only = true;
	else if (nb && !(f->has_neighbor = ipv4_parse(nb, &f->neighbor) == 0))
		return api_param_error(w, 400, "neighbor",
				       "neighbor: \"%.64s\" is not an IPv4 address or \"local\" "
				       "(want a neighbor's a.b.c.d, or local for vrfmgr's routes)", nb);
	if ((rc = api_param_bool(w, req, "best", &f->best_only)) != 0)
		return rc;
	return api_param_match(w, req, f->has_prefix, &f->match);
}

/* ---- GET /routes ---------------------------------------------------------------- */

struct routes_walk {
	struct bgpd *d;
	struct route_filter f;
	struct rib_cursor cur; /* the last destination looked at */
	bool started;
	uint64_t limit; /* destinations per page, 0 = all */
	uint64_t n_dest, n_paths;
	bool one;       /* rd and exact prefix given: a lookup, no walk */
	/* during one fill */
	struct jw *w;
	size_t budget_end; /* stop once the chunk holds this many bytes */
	size_t looked;     /* destinations looked at, written or not */
	bool page_full;
	uint64_t probed;
};

/* Writes e's matching paths, best first; true when any was written. */
static bool entry_json(struct jw *w, struct routes_walk *rw, const struct rib_entry *e)
{
	bool any = false;

	if (e->best != NULL && path_match(&rw->f, e, e->best)) {
		bgpd_api_path_json(w, e, e->best);
		any = true;
		rw->n_paths++;
	}
	for (const struct rib_path *p = e->paths; p != NULL; p = p->next)
		if (p != e->best && path_match(&rw->f, e, p)) {
			bgpd_api_path_json(w, e, p);
			any = true;
			rw->n_paths++;
		}
	return any;
}

static void walk_end(struct jw *w, struct routes_walk *rw, bool more)
{
	char rd[RD_STRLEN];

	jw_array_end(w);
	api_kv_next(w, more ? rd_format(&rw->cur.rd, rd) : NULL, &rw->cur.prefix);
	jw_kv_uint(w, "destinations", rw->n_dest);
	jw_kv_uint(w, "paths", rw->n_paths);
	jw_object_end(w);
}

/*
 * Destinations a fill looks at before it yields. The chunk budget counts
 * only what is written: with a filter that passes few (?rt=), one fill
 * would look at the whole RIB, keeping bgpd from its sessions meanwhile.
 */
#define ROUTES_FILL_LOOK 65536

/* One destination of the walk: written if it matches; 1 = stop here (chunk, page or fill full). */
static int routes_visit(struct rib_entry *e, void *arg)
{
	struct routes_walk *rw = arg;
	struct jw *w = rw->w;

	if (entry_match(&rw->f, e) && entry_json(w, rw, e)) {
		rw->n_dest++;
		if (rw->limit != 0 && rw->n_dest >= rw->limit) {
			rw->page_full = true;
			return 1;
		}
	}
	return evbuffer_get_length(w->out) + w->staged >= rw->budget_end ||
	       ++rw->looked >= ROUTES_FILL_LOOK;
}

#define PROBE_MAX 65536 /* destinations looked at to tell whether a next page exists */

/* After a full page: is there a matching destination further on? (bounded: then "maybe") */
static int probe_visit(struct rib_entry *e, void *arg)
{
	struct routes_walk *rw = arg;

	return entry_match(&rw->f, e) || ++rw->probed >= PROBE_MAX;
}

static bool more_after(struct routes_walk *rw)
{
	struct rib_cursor c = rw->cur;
	bool started = true;

	return !bgpd_rib_walk(rw->d->rib, &c, &started, probe_visit, rw);
}

static enum api_fill routes_fill(struct jw *w, void *state)
{
	struct routes_walk *rw = state;
	struct rib *rib = rw->d->rib;
	struct rib_entry *e;
	bool end;

	if (rw->one) {
		e = rib_lookup(rib, &rw->f.rd, &rw->f.prefix);
		if (e != NULL && entry_json(w, rw, e))
			rw->n_dest++;
		walk_end(w, rw, false);
		return API_FILL_DONE;
	}
	rw->w = w;
	rw->budget_end = evbuffer_get_length(w->out) + w->staged + API_CHUNK;
	rw->looked = 0;
	end = bgpd_rib_walk(rib, &rw->cur, &rw->started, routes_visit, rw);
	if (rw->page_full) {
		walk_end(w, rw, more_after(rw));
		return API_FILL_DONE;
	}
	if (end) {
		walk_end(w, rw, false);
		return API_FILL_DONE;
	}
	return API_FILL_MORE;
}

int bgpd_api_routes(struct jw *w, const struct api_request *req, void *ctx)
{
	const char *after = api_query_get(req, "after");
	struct routes_walk *rw;
	struct route_filter f;
	uint64_t limit = 0;
	struct rd ard;
	struct prefix4 ap;
	int rc;

	if ((rc = filter_parse(w, req, &f)) != 0 ||
	    (rc = api_param_uint(w, req, "limit", 1, 1000000000, &limit)) != 0)
		return rc;
	if (after != NULL && vpn_key_parse(after, &ard, &ap) < 0)
		return api_param_error(w, 400, "after",
				       "after: \"%.80s\" is not a VPN-IPv4 prefix (want RD:PREFIX "
				       "as in a previous answer's \"next\")", after);
	if ((rw = calloc(1, sizeof(*rw))) == NULL)
		return api_error(w, 503, "out of memory");
	rw->d = ctx;
	rw->f = f;
	rw->limit = limit;
	rw->one = f.has_rd && f.has_prefix && f.match == API_MATCH_EXACT && after == NULL;
	if (after != NULL) {
		bgpd_rib_cursor(&ard, &ap, &rw->cur);
		rw->started = true;
	}
	jw_object_begin(w);
	jw_key(w, "routes");
	jw_array_begin(w);
	return api_stream(w, req, routes_fill, free, rw, NULL);
}

/* ---- GET /route ------------------------------------------------------------------- */

/* Why each path is or is not the best: the rule that decided against it. */
static void ranking_json(struct jw *w, const struct bgpd *d, const struct rib_entry *e)
{
	char buf[IPV4_STRLEN];

	jw_key(w, "ranking");
	jw_array_begin(w);
	for (const struct rib_path *p = e->paths; p != NULL; p = p->next) {
		const char *why = NULL;

		jw_object_begin(w);
		jw_kv_string(w, "peer", p->src->local ? "local" : ipv4_format(p->src->address, buf));
		jw_kv_bool(w, "best", p == e->best);
		if (p != e->best && e->best != NULL)
			rib_path_cmp(e->best, p, &why);
		/* both keys on every entry, the one that does not apply null */
		jw_kv_string(w, "reason", p == e->best ? e->best_reason : NULL);
		jw_kv_string(w, "lost_because", why);
		jw_object_end(w);
	}
	jw_array_end(w);
	jw_key(w, "advertised_to");
	jw_array_begin(w);
	for (size_t i = 0; i < d->peer_slots; i++)
		if (d->peers[i].cfg && rib_adv_test(e, d->peers[i].src.slot))
			jw_string(w, d->peers[i].name);
	jw_array_end(w);
	jw_kv_bool(w, "sent_to_vrfmgr", e->exported);
}

int bgpd_api_route(struct jw *w, const struct api_request *req, void *ctx)
{
	struct bgpd *d = ctx;
	const char *rds = api_query_get(req, "rd"), *ps = api_query_get(req, "prefix");
	char rb[RD_STRLEN], pb[PREFIX4_STRLEN];
	const struct rib_entry *e;
	struct prefix4 p;
	struct rd rd;

	if (rds == NULL || ps == NULL)
		return api_param_error(w, 400, rds == NULL ? "rd" : "prefix",
				       "missing %s (want ?rd=RD&prefix=PREFIX)",
				       rds != NULL ? "prefix" : ps != NULL ? "rd" : "rd and prefix");
	if (rd_parse(rds, &rd) < 0)
		return api_param_error(w, 400, "rd",
				       "rd: \"%.64s\" is not a route distinguisher (want ASN:NN, "
				       "IP:NN, ASN4:NN or ASNL:NN)", rds);
	if (prefix4_parse(ps, &p) < 0)
		return api_param_error(w, 400, "prefix",
				       "prefix: \"%.64s\" is not an IPv4 prefix (want a.b.c.d/len, "
				       "host bits clear)", ps);
	e = rib_lookup(d->rib, &rd, &p);
	if (e == NULL)
		return api_error(w, 404, "no route %s:%s in the RIB", rd_format(&rd, rb),
				 prefix4_format(&p, pb));
	jw_object_begin(w);
	jw_kv_string(w, "rd", rd_format(&e->rd, rb));
	jw_kv_string(w, "prefix", prefix4_format(&e->prefix, pb));
	jw_key(w, "best_reason");
	jw_string(w, e->best ? e->best_reason : NULL);
	jw_key(w, "paths");
	jw_array_begin(w);
	if (e->best != NULL)
		bgpd_api_path_json(w, e, e->best);
	for (const struct rib_path *q = e->paths; q != NULL; q = q->next)
		if (q != e->best)
			bgpd_api_path_json(w, e, q);
	jw_array_end(w);
	ranking_json(w, d, e);
	jw_object_end(w);
	return 200;
}
