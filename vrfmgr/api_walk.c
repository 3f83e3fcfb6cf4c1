/*
 * Walks in key order over vrfmgr's hash tables (a VRF's prefixes, the VPN
 * table) for the streamed, paged answers and the event snapshot. The tables
 * are hashes and may change between two chunks of an answer, so a walk
 * holds no pointers into them: it keeps the last key it handed out, and
 * takes the next keys in batches, each found by one pass over the table
 * keeping the smallest keys above the last one in a bounded max-heap. The
 * caller looks each key up again (vpn_find, rtable_find) and skips one that
 * is gone. So a walk sees every entry that exists throughout exactly once,
 * in the order of the old sorted listings (RD, then address, then length).
 * A batch is VRFAPI_BATCH keys, or an eighth of the table when the caller
 * reserves it (vrfapi_walk_reserve), so a full walk is ~8 passes, not
 * n / 8192 of them (1M VPN routes: 16 s of passes at -O2 before), and a
 * fill yields after VRFAPI_FILL_SCAN keys of passes whatever it wrote.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "vrfmgr/api.h"
#include "vrfmgr/rtable.h"
#include "vrfmgr/vpn.h"
#include "vrfmgr/vrf.h"

int vrfapi_key_cmp(const struct vrfapi_key *a, const struct vrfapi_key *b)
{
	int c = memcmp(a->rd.b, b->rd.b, sizeof(a->rd.b));

	if (c != 0)
		return c;
	if (a->addr != b->addr)
		return a->addr < b->addr ? -1 : 1;
	return (int)a->len - (int)b->len;
}

void vrfapi_walk_seek(struct vrfapi_walk *wk, const struct vrfapi_key *after)
{
	wk->n = wk->pos = 0;
	wk->exhausted = false;
	wk->started = after != NULL;
	if (after != NULL)
		wk->last = *after;
}

void vrfapi_walk_start(struct vrfapi_walk *wk, const struct vrfapi_key *after)
{
	wk->big = NULL;
	wk->cap = VRFAPI_BATCH;
	wk->passes = wk->scanned = 0;
	vrfapi_walk_seek(wk, after);
}

void vrfapi_walk_reserve(struct vrfapi_walk *wk, size_t count)
{
	size_t want = count / 8;
	struct vrfapi_key *big;

	if (want > VRFAPI_BATCH_MAX)
		want = VRFAPI_BATCH_MAX;
	if (want <= wk->cap)
		return;
	if ((big = malloc(want * sizeof(*big))) == NULL)
		return; /* the small batch still works, only slower */
	/* the batch being handed out moves along: its position stays */
	memcpy(big, wk->big != NULL ? wk->big : wk->keys, wk->n * sizeof(*big));
	free(wk->big);
	wk->big = big;
	wk->cap = want;
}

void vrfapi_walk_free(struct vrfapi_walk *wk)
{
	free(wk->big);
	wk->big = NULL;
	wk->cap = VRFAPI_BATCH;
	wk->n = wk->pos = 0;
	wk->exhausted = false;
}

void vrfapi_walk_copy(struct vrfapi_walk *dst, const struct vrfapi_walk *src)
{
	memcpy(dst, src, offsetof(struct vrfapi_walk, keys));
	dst->big = NULL;
	if (src->big != NULL && (dst->big = malloc(src->cap * sizeof(*dst->big))) != NULL) {
		memcpy(dst->big, src->big + src->pos, (src->n - src->pos) * sizeof(*dst->big));
	} else if (src->big != NULL) { /* out of memory: start again from the last key */
		dst->cap = VRFAPI_BATCH;
		vrfapi_walk_seek(dst, src->started ? &src->last : NULL);
		return;
	} else {
		memcpy(dst->keys, src->keys + src->pos, (src->n - src->pos) * sizeof(*dst->keys));
	}
	dst->n = src->n - src->pos;
	dst->pos = 0;
}

bool vrfapi_walk_yield(const struct vrfapi_walk *wk, uint64_t scanned0)
{
	return wk->pos == wk->n && !wk->exhausted && wk->scanned - scanned0 >= VRFAPI_FILL_SCAN;
}

static void heap_down(struct vrfapi_key *h, size_t n, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		struct vrfapi_key t;

		if (l < n && vrfapi_key_cmp(&h[l], &h[m]) > 0)
			m = l;
		if (r < n && vrfapi_key_cmp(&h[r], &h[m]) > 0)
			m = r;
		if (m == i)
			return;
		t = h[i];
		h[i] = h[m];
		h[m] = t;
		i = m;
	}
}

static void heap_up(struct vrfapi_key *h, size_t i)
{
	while (i > 0 && vrfapi_key_cmp(&h[(i - 1) / 2], &h[i]) < 0) {
		struct vrfapi_key t = h[i];

		h[i] = h[(i - 1) / 2];
		h[(i - 1) / 2] = t;
		i = (i - 1) / 2;
	}
}

static struct vrfapi_key *batch_keys(struct vrfapi_walk *wk)
{
	return wk->big != NULL ? wk->big : wk->keys;
}

struct batch_pass {
	struct vrfapi_walk *wk;
	struct vrfapi_key *h; /* the max-heap of the smallest keys above last */
};

/* One key of the table: kept when above the last one and among the smallest. */
static void batch_offer(const struct vrfapi_key *k, void *arg)
{
	struct batch_pass *bp = arg;
	struct vrfapi_walk *wk = bp->wk;

	wk->scanned++;
	if (wk->started && vrfapi_key_cmp(k, &wk->last) <= 0)
		return;
	wk->seen++;
	if (wk->n < wk->cap) {
		bp->h[wk->n] = *k;
		heap_up(bp->h, wk->n++);
	} else if (vrfapi_key_cmp(k, &bp->h[0]) < 0) {
		bp->h[0] = *k;
		heap_down(bp->h, wk->n, 0);
	}
}

/* The next batch: one pass over the table, then the heap sorted ascending. */
static void batch_fill(struct vrfapi_walk *wk, vrfapi_each_fn each, const void *table)
{
	struct batch_pass bp = { wk, batch_keys(wk) };

	wk->n = wk->pos = 0;
	wk->seen = 0;
	wk->passes++;
	each(table, batch_offer, &bp);
	wk->exhausted = wk->seen <= wk->cap;
	for (size_t n = wk->n; n > 1; n--) {
		struct vrfapi_key t = bp.h[0];

		bp.h[0] = bp.h[n - 1];
		bp.h[n - 1] = t;
		heap_down(bp.h, n - 1, 0);
	}
}

bool vrfapi_walk_next(struct vrfapi_walk *wk, vrfapi_each_fn each, const void *table,
		      struct vrfapi_key *out)
{
	if (wk->pos == wk->n) {
		if (wk->exhausted)
			return false;
		batch_fill(wk, each, table);
		if (wk->n == 0)
			return false;
	}
	*out = batch_keys(wk)[wk->pos++];
	wk->last = *out;
	wk->started = true;
	return true;
}

/* ---- the tables, as key sources ---- */

void vrfapi_each_prefix(const void *table, void (*cb)(const struct vrfapi_key *k, void *arg),
			void *arg)
{
	const struct rtable *t = table;
	struct vrfapi_key k;

	memset(&k, 0, sizeof(k));
	for (size_t i = 0; i < t->nb; i++)
		for (const struct vrf_prefix *vp = t->b[i]; vp != NULL; vp = vp->hnext) {
			k.addr = vp->prefix.addr;
			k.len = vp->prefix.len;
			cb(&k, arg);
		}
}

void vrfapi_each_vpn(const void *table, void (*cb)(const struct vrfapi_key *k, void *arg),
		     void *arg)
{
	const struct vpn_table *t = table;
	const struct vpn_route *vr;
	struct vrfapi_key k;
	size_t pos = 0;

	memset(&k, 0, sizeof(k));
	while ((vr = vpn_next(t, &pos)) != NULL) { /* one pass, nothing changes meanwhile */
		k.rd = vr->rd;
		k.addr = vr->prefix.addr;
		k.len = vr->prefix.len;
		cb(&k, arg);
	}
}

/* ---- filters and positions shared by /routes and /vpn ---- */

int vrfapi_pfilter_parse(struct jw *w, const struct api_request *req, struct vrfapi_pfilter *f)
{
	const char *ps = api_query_get(req, "prefix");

	memset(f, 0, sizeof(*f));
	if (ps != NULL && !(f->has_prefix = prefix4_parse(ps, &f->prefix) == 0))
		return api_param_error(w, 400, "prefix",
				       "prefix: \"%.64s\" is not an IPv4 prefix (want a.b.c.d/len, "
				       "host bits clear)", ps);
	return api_param_match(w, req, f->has_prefix, &f->match);
}

bool vrfapi_pfilter_ok(const struct vrfapi_pfilter *f, const struct prefix4 *p)
{
	return !f->has_prefix || api_prefix_match(f->match, &f->prefix, p);
}
