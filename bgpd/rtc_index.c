/*
 * The index of membership routes by route (rtc_index.h). Each source
 * (ours, a neighbor) keeps what it put in (its pub, sorted like its
 * membership set), so that publishing its new membership is one merge of
 * two sorted lists: only the routes that differ touch the index and are
 * recorded as changed. A reflector's neighbors then look at those routes
 * alone instead of recomputing the union of everyone's membership.
 */
#include <stdlib.h>
#include <string.h>

#include "bgpd/attr.h"
#include "bgpd/rtc_index.h"

/* Where src is (or would go) among e's sources, kept sorted by src. */
static uint32_t src_at(const struct rtc_map_ent *e, int src)
{
	uint32_t i = 0;

	while (i < e->srcs.n && e->srcs.v[i].src < src)
		i++;
	return i;
}

/* r from src with attrs a (borrowed from src's pub). -1 on ENOMEM. */
static int idx_put(struct rtc_map *idx, const struct rtc_route *r, int src, struct attr_set *a)
{
	struct rtc_map_ent *e = rtc_map_get(idx, r);
	uint32_t i;

	if (!e)
		return -1;
	i = src_at(e, src);
	if (i < e->srcs.n && e->srcs.v[i].src == src) {
		e->srcs.v[i].attrs = a;
		return 0;
	}
	if (e->srcs.n == e->srcs.cap) {
		uint32_t cap = e->srcs.cap ? e->srcs.cap * 2 : 1;
		struct rtc_src *v = realloc(e->srcs.v, cap * sizeof(*v));

		if (!v) {
			if (!e->srcs.n)
				rtc_map_del(idx, e);
			return -1;
		}
		e->srcs.v = v;
		e->srcs.cap = cap;
	}
	memmove(e->srcs.v + i + 1, e->srcs.v + i, (e->srcs.n - i) * sizeof(*e->srcs.v));
	e->srcs.v[i] = (struct rtc_src){ src, a };
	e->srcs.n++;
	return 0;
}

/* r no longer from src (nothing when it was not: an earlier ENOMEM). */
static void idx_del(struct rtc_map *idx, const struct rtc_route *r, int src)
{
	struct rtc_map_ent *e = rtc_map_find(idx, r);
	uint32_t i;

	if (!e || (i = src_at(e, src)) == e->srcs.n || e->srcs.v[i].src != src)
		return;
	memmove(e->srcs.v + i, e->srcs.v + i + 1, (e->srcs.n - i - 1) * sizeof(*e->srcs.v));
	if (--e->srcs.n == 0) {
		free(e->srcs.v);
		rtc_map_del(idx, e);
	}
}

static void change(struct rtc_changes *ch, const struct rtc_route *r)
{
	if (ch->n == ch->cap) {
		size_t cap = ch->cap ? ch->cap * 2 : 64;
		struct rtc_route *v = realloc(ch->v, cap * sizeof(*v));

		if (!v) {
			ch->oom = true;
			return;
		}
		ch->v = v;
		ch->cap = cap;
	}
	ch->v[ch->n++] = *r;
}

/* The index takes the differences between pub and next[0..n); false on ENOMEM. */
static bool apply_diff(struct rtc_map *idx, const struct rtc_pub *pub, int src,
		       const struct rtc_route *next, struct attr_set *const *attrs, size_t n,
		       struct rtc_changes *ch)
{
	size_t i = 0, j = 0;
	bool ok = true;

	while (i < pub->n || j < n) {
		int c = i == pub->n ? 1 : j == n ? -1 : rtc_route_cmp(&pub->v[i], &next[j]);

		if (c < 0) {
			idx_del(idx, &pub->v[i], src);
			change(ch, &pub->v[i++]);
		} else if (c > 0 || pub->attrs[i] != attrs[j]) {
			ok &= idx_put(idx, &next[j], src, attrs[j]) == 0;
			change(ch, &next[j]);
			i += c == 0;
			j++;
		} else {
			i++;
			j++;
		}
	}
	return ok;
}

int rtc_index_publish(struct rtc_map *idx, struct rtc_pub *pub, int src,
		      const struct rtc_route *next, struct attr_set *const *attrs, size_t n,
		      struct rtc_changes *ch)
{
	struct rtc_route *v = n ? malloc(n * sizeof(*v)) : NULL;
	struct attr_set **a = n ? malloc(n * sizeof(*a)) : NULL;
	bool ok;

	if (n && (!v || !a)) {
		free(v);
		free(a);
		ch->oom = true;
		return -1;
	}
	ok = apply_diff(idx, pub, src, next, attrs, n, ch);
	for (size_t k = 0; k < n; k++) {
		v[k] = next[k];
		a[k] = attr_ref(attrs[k]);
	}
	rtc_pub_free(pub);
	*pub = (struct rtc_pub){ v, a, n, n };
	if (!ok)
		ch->oom = true;
	return ok ? 0 : -1;
}

void rtc_pub_free(struct rtc_pub *pub)
{
	for (size_t i = 0; i < pub->n; i++)
		attr_unref(pub->attrs[i]);
	free(pub->v);
	free(pub->attrs);
	*pub = (struct rtc_pub){ 0 };
}

void rtc_index_free(struct rtc_map *idx)
{
	for (size_t i = 0; i < idx->cap; i++)
		if (rtc_map_used(&idx->v[i]))
			free(idx->v[i].srcs.v);
	rtc_map_free(idx);
}

static int route_qcmp(const void *a, const void *b)
{
	return rtc_route_cmp(a, b);
}

void rtc_changes_settle(struct rtc_changes *ch)
{
	size_t k = 0;

	if (ch->n < 2)
		return;
	qsort(ch->v, ch->n, sizeof(*ch->v), route_qcmp);
	for (size_t i = 0; i < ch->n; i++)
		if (k == 0 || !rtc_route_equal(&ch->v[k - 1], &ch->v[i]))
			ch->v[k++] = ch->v[i];
	ch->n = k;
}

void rtc_changes_free(struct rtc_changes *ch)
{
	free(ch->v);
	*ch = (struct rtc_changes){ 0 };
}
