/*
 * Route target membership NLRI (RFC 4684 §4) and sets of them. On the
 * wire: a length octet in bits, then that many bits (rounded up to whole
 * octets) of origin AS + route target. A length of 1..31 would cut the
 * origin AS and one over 96 runs past the route target: both are
 * malformed, which the caller answers as RFC 4760 §7 / RFC 7606 §5.3 say
 * for any malformed NLRI in MP_REACH/MP_UNREACH (session reset, 3/9).
 * Bits beyond the length are ignored (cleared), as for any prefix.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bgpd/attr.h"
#include "bgpd/rtc.h"

/* Clears the route target bits past len (and the whole RT for the default). */
static void rtc_normalize(struct rtc_route *m)
{
	unsigned rt_bits = m->len > RTC_MIN_BITS ? m->len - RTC_MIN_BITS : 0;

	if (m->len == 0)
		m->origin_as = 0;
	for (unsigned i = 0; i < 8; i++) {
		unsigned have = rt_bits > i * 8 ? rt_bits - i * 8 : 0;

		if (have < 8)
			m->rt.b[i] &= (uint8_t)(0xff00u >> have);
	}
}

int rtc_nlri_get(struct rbuf *r, struct rtc_route *out)
{
	uint8_t len, b[12] = { 0 };
	size_t nbytes;

	if (rbuf_get_u8(r, &len) < 0 || len > RTC_MAX_BITS || (len > 0 && len < RTC_MIN_BITS))
		return -1;
	nbytes = (len + 7u) / 8;
	if (rbuf_get_bytes(r, b, nbytes) < 0)
		return -1;
	out->len = len;
	out->origin_as = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
	memcpy(out->rt.b, b + 4, 8);
	rtc_normalize(out);
	return 0;
}

int rtc_nlri_check(const struct rbuf *r, size_t *n)
{
	struct rbuf c = *r;
	struct rtc_route m;

	*n = 0;
	while (rbuf_left(&c) > 0) {
		if (rtc_nlri_get(&c, &m) < 0)
			return -1;
		(*n)++;
	}
	return 0;
}

size_t rtc_nlri_size(const struct rtc_route *m)
{
	return 1 + (m->len + 7u) / 8;
}

void rtc_nlri_put(struct wbuf *w, const struct rtc_route *m)
{
	uint8_t b[12];

	b[0] = (uint8_t)(m->origin_as >> 24);
	b[1] = (uint8_t)(m->origin_as >> 16);
	b[2] = (uint8_t)(m->origin_as >> 8);
	b[3] = (uint8_t)m->origin_as;
	memcpy(b + 4, m->rt.b, 8);
	wbuf_put_u8(w, m->len);
	wbuf_put_bytes(w, b, (m->len + 7u) / 8);
}

struct rtc_route rtc_route_of(uint32_t origin_as, const struct ext_community *rt)
{
	struct rtc_route m = { .len = RTC_MAX_BITS, .origin_as = origin_as, .rt = *rt };

	return m;
}

bool rtc_route_equal(const struct rtc_route *a, const struct rtc_route *b)
{
	return a->len == b->len && a->origin_as == b->origin_as &&
	       memcmp(a->rt.b, b->rt.b, 8) == 0;
}

bool rtc_route_covers(const struct rtc_route *m, const struct ext_community *rt)
{
	unsigned bits = m->len > RTC_MIN_BITS ? m->len - RTC_MIN_BITS : 0;
	unsigned whole = bits / 8, rest = bits % 8;

	if (m->len == 0)
		return true;
	if (memcmp(m->rt.b, rt->b, whole) != 0)
		return false;
	return rest == 0 || ((m->rt.b[whole] ^ rt->b[whole]) & (uint8_t)(0xff00u >> rest)) == 0;
}

const char *rtc_route_format(const struct rtc_route *m, char *buf)
{
	char rt[RD_STRLEN];

	if (m->len == 0)
		snprintf(buf, RTC_STRLEN, "default");
	else if (m->len == RTC_MAX_BITS)
		snprintf(buf, RTC_STRLEN, "%" PRIu32 ":%s", m->origin_as, extcom_format(&m->rt, rt));
	else
		snprintf(buf, RTC_STRLEN, "%" PRIu32 ":0x%02x%02x%02x%02x%02x%02x%02x%02x/%u",
			 m->origin_as, m->rt.b[0], m->rt.b[1], m->rt.b[2], m->rt.b[3], m->rt.b[4],
			 m->rt.b[5], m->rt.b[6], m->rt.b[7], m->len);
	return buf;
}

/* ---- sets ---- */

/*
 * Kept sorted by route target bytes, then length, then origin AS: a route's
 * RT is found among the whole ones (length 96) by binary search, whatever
 * the origin AS, and among the partial ones (32..95) by one binary search
 * per length some member has (its RT cut to that length). The default and
 * each partial length are counted so that a set without them skips those.
 */
static int set_cmp(const struct rtc_route *a, const struct rtc_route *b)
{
	int c = memcmp(a->rt.b, b->rt.b, 8);

	if (c)
		return c;
	if (a->len != b->len)
		return a->len < b->len ? -1 : 1;
	return a->origin_as < b->origin_as ? -1 : a->origin_as > b->origin_as;
}

int rtc_route_cmp(const struct rtc_route *a, const struct rtc_route *b)
{
	return set_cmp(a, b);
}

/* The first index of the sorted part whose entry is not below m. */
static size_t set_lower(const struct rtc_set *s, const struct rtc_route *m)
{
	size_t lo = 0, hi = s->n_sorted;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (set_cmp(&s->v[mid], m) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void count(struct rtc_set *s, const struct rtc_route *m, int d)
{
	if (m->len == 0) {
		s->n_default += (size_t)d;
	} else if (m->len < RTC_MAX_BITS) {
		s->n_partial += (size_t)d;
		s->n_len[m->len] += (uint32_t)d;
	}
}

static int set_grow(struct rtc_set *s)
{
	size_t cap = s->cap ? s->cap * 2 : 8;
	struct rtc_route *v = realloc(s->v, cap * sizeof(*v));
	struct attr_set **a;

	if (!v)
		return -1;
	s->v = v;
	if (!(a = realloc(s->attrs, cap * sizeof(*a))))
		return -1;
	s->attrs = a;
	s->cap = cap;
	return 0;
}

/* Whether m is in the sorted part; *at: where it is, or would go. */
static bool sorted_find(const struct rtc_set *s, const struct rtc_route *m, size_t *at)
{
	*at = set_lower(s, m);
	return *at < s->n_sorted && set_cmp(&s->v[*at], m) == 0;
}

int rtc_set_put(struct rtc_set *s, const struct rtc_route *m, struct attr_set *a)
{
	size_t at;

	if (sorted_find(s, m, &at)) {
		int changed = s->attrs[at] != a;

		attr_unref(s->attrs[at]);
		s->attrs[at] = a;
		return changed ? 2 : 0;
	}
	if (s->n == s->cap && set_grow(s) < 0) {
		attr_unref(a);
		return -1;
	}
	s->v[s->n] = *m;
	s->attrs[s->n++] = a;
	return 1;
}

int rtc_set_add(struct rtc_set *s, const struct rtc_route *m)
{
	if (rtc_set_has(s, m))
		return 0;
	return rtc_set_put(s, m, NULL);
}

/* A pending member and when it came: of repeats, the last one's attributes count. */
struct pending {
	struct rtc_route r;
	struct attr_set *a;
	size_t seq;
};

static int pending_cmp(const void *x, const void *y)
{
	const struct pending *a = x, *b = y;
	int c = set_cmp(&a->r, &b->r);

	return c ? c : (a->seq > b->seq) - (a->seq < b->seq);
}

/* Sorts p[0..k) and keeps the last of each repeated route: how many are left. */
static size_t pending_sort(struct pending *p, size_t k)
{
	size_t out = 0;

	qsort(p, k, sizeof(*p), pending_cmp);
	for (size_t i = 0; i < k; i++) {
		if (i + 1 < k && set_cmp(&p[i].r, &p[i + 1].r) == 0) {
			attr_unref(p[i].a); /* announced again later in the burst */
			continue;
		}
		p[out++] = p[i];
	}
	return out;
}

/*
 * Merges sorted p[0..k) (none of them in the sorted part: rtc_set_put
 * appends only what it did not find there, and rtc_set_del settles first)
 * into v, from the back so that nothing is moved twice.
 */
static void merge_in(struct rtc_set *s, const struct pending *p, size_t k)
{
	size_t i = s->n_sorted, j = k, out = s->n_sorted + k;

	while (j > 0) {
		out--;
		if (i > 0 && set_cmp(&s->v[i - 1], &p[j - 1].r) > 0) {
			i--;
			s->v[out] = s->v[i];
			s->attrs[out] = s->attrs[i];
		} else {
			j--;
			s->v[out] = p[j].r;
			s->attrs[out] = p[j].a;
			count(s, &p[j].r, 1);
		}
	}
	s->n = s->n_sorted = s->n_sorted + k;
}

int rtc_set_settle(struct rtc_set *s)
{
	size_t k = s->n - s->n_sorted;
	struct pending *p;

	if (k == 0)
		return 0;
	if (!(p = malloc(k * sizeof(*p)))) {
		for (size_t i = s->n_sorted; i < s->n; i++)
			attr_unref(s->attrs[i]);
		s->n = s->n_sorted;
		return -1;
	}
	for (size_t i = 0; i < k; i++)
		p[i] = (struct pending){ s->v[s->n_sorted + i], s->attrs[s->n_sorted + i], i };
	merge_in(s, p, pending_sort(p, k));
	free(p);
	return 0;
}

int rtc_set_del(struct rtc_set *s, const struct rtc_route *m)
{
	size_t at;

	if (rtc_set_settle(s) < 0 || !sorted_find(s, m, &at))
		return 0;
	attr_unref(s->attrs[at]);
	memmove(s->v + at, s->v + at + 1, (s->n - at - 1) * sizeof(*s->v));
	memmove(s->attrs + at, s->attrs + at + 1, (s->n - at - 1) * sizeof(*s->attrs));
	s->n--;
	s->n_sorted--;
	count(s, m, -1);
	return 1;
}

bool rtc_set_has(const struct rtc_set *s, const struct rtc_route *m)
{
	size_t at;

	if (sorted_find(s, m, &at))
		return true;
	for (size_t i = s->n_sorted; i < s->n; i++)
		if (rtc_route_equal(&s->v[i], m))
			return true;
	return false;
}

void rtc_set_clear(struct rtc_set *s)
{
	for (size_t i = 0; i < s->n; i++)
		attr_unref(s->attrs[i]);
	s->n = s->n_sorted = s->n_default = s->n_partial = 0;
	memset(s->n_len, 0, sizeof(s->n_len));
}

void rtc_set_free(struct rtc_set *s)
{
	rtc_set_clear(s);
	free(s->v);
	free(s->attrs);
	s->v = NULL;
	s->attrs = NULL;
	s->cap = 0;
}

/*
 * A member of length len (32..96) from any origin AS covering rt: its RT
 * is rt cut to len - 32 bits (members' bits past their length are zero),
 * and the first entry not below (that RT, len, origin 0) is one if any is.
 */
static bool has_len(const struct rtc_set *s, const struct ext_community *rt, uint8_t len)
{
	struct rtc_route key = { .len = len, .origin_as = 0, .rt = *rt };
	size_t at;

	rtc_normalize(&key);
	at = set_lower(s, &key);
	return at < s->n_sorted && memcmp(s->v[at].rt.b, key.rt.b, 8) == 0 && s->v[at].len == len;
}

static bool partial_covers(const struct rtc_set *s, const struct ext_community *rt)
{
	for (uint8_t len = RTC_MIN_BITS; len < RTC_MAX_BITS; len++)
		if (s->n_len[len] && has_len(s, rt, len))
			return true;
	return false;
}

/* A pending member covering one of the route targets in ext[0..n). */
static bool pending_covers(const struct rtc_set *s, const struct ext_community *ext, size_t n)
{
	for (size_t i = s->n_sorted; i < s->n; i++) {
		if (s->v[i].len == 0)
			return true;
		for (size_t j = 0; j < n; j++)
			if (extcom_is_rt(&ext[j]) && rtc_route_covers(&s->v[i], &ext[j]))
				return true;
	}
	return false;
}

bool rtc_set_wants(const struct rtc_set *s, const struct ext_community *ext, size_t n)
{
	if (s->n_default || (s->n > s->n_sorted && pending_covers(s, ext, n)))
		return true;
	for (size_t j = 0; j < n; j++) {
		if (!extcom_is_rt(&ext[j]))
			continue;
		if (has_len(s, &ext[j], RTC_MAX_BITS) ||
		    (s->n_partial && partial_covers(s, &ext[j])))
			return true;
	}
	return false;
}
