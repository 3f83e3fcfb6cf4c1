/*
 * The VPN table (vpn.h): a chained hash keyed by RD and prefix, doubled as
 * it fills, with sorted snapshots for walks that may change the table and
 * for the API.
 */
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "vrfmgr/vpn.h"

#define VPN_MIN_BUCKETS 64

void vpn_table_init(struct vpn_table *t)
{
	memset(t, 0, sizeof(*t));
}

static void vpn_free_one(struct vpn_route *vr)
{
	free(vr->rts);
	free(vr);
}

void vpn_table_free(struct vpn_table *t)
{
	for (size_t i = 0; i < t->nb; i++) {
		struct vpn_route *vr, *next;

		for (vr = t->b[i]; vr != NULL; vr = next) {
			next = vr->hnext;
			vpn_free_one(vr);
		}
	}
	free(t->b);
	memset(t, 0, sizeof(*t));
}

static size_t vpn_hash(const struct rd *rd, const struct prefix4 *p, size_t nb)
{
	uint64_t h = 1469598103934665603ull;

	for (size_t i = 0; i < sizeof(rd->b); i++)
		h = (h ^ rd->b[i]) * 1099511628211ull;
	h = (h ^ p->addr) * 1099511628211ull;
	h = (h ^ p->len) * 1099511628211ull;
	return (size_t)(h ^ (h >> 29)) & (nb - 1);
}

struct vpn_route *vpn_find(const struct vpn_table *t, const struct rd *rd,
			   const struct prefix4 *p)
{
	struct vpn_route *vr;

	if (t->nb == 0)
		return NULL;
	for (vr = t->b[vpn_hash(rd, p, t->nb)]; vr != NULL; vr = vr->hnext)
		if (rd_equal(&vr->rd, rd) && prefix4_equal(&vr->prefix, p))
			return vr;
	return NULL;
}

static int vpn_grow(struct vpn_table *t)
{
	size_t nb = t->nb ? t->nb * 2 : VPN_MIN_BUCKETS;
	struct vpn_route **b = calloc(nb, sizeof(*b));

	if (b == NULL)
		return -1;
	for (size_t i = 0; i < t->nb; i++) {
		struct vpn_route *vr, *next;

		for (vr = t->b[i]; vr != NULL; vr = next) {
			size_t h = vpn_hash(&vr->rd, &vr->prefix, nb);

			next = vr->hnext;
			vr->hnext = b[h];
			b[h] = vr;
		}
	}
	free(t->b);
	t->b = b;
	t->nb = nb;
	return 0;
}

struct vpn_route *vpn_put(struct vpn_table *t, const struct ipc_vpn_route *r,
			  const struct ext_community *rts)
{
	struct prefix4 p = { .addr = r->prefix, .len = r->plen };
	struct ext_community *copy = NULL;
	struct vpn_route *vr;
	struct rd rd;
	size_t h;

	prefix4_normalize(&p);
	memcpy(rd.b, r->rd, sizeof(rd.b));
	if (r->n_rts > 0 && (copy = malloc(r->n_rts * sizeof(*copy))) == NULL)
		goto nomem;
	if (r->n_rts > 0)
		memcpy(copy, rts, r->n_rts * sizeof(*copy));
	vr = vpn_find(t, &rd, &p);
	if (vr == NULL) {
		if ((t->count >= t->nb && vpn_grow(t) < 0 && t->nb == 0) ||
		    (vr = calloc(1, sizeof(*vr))) == NULL)
			goto nomem;
		vr->rd = rd;
		vr->prefix = p;
		h = vpn_hash(&rd, &p, t->nb);
		vr->hnext = t->b[h];
		t->b[h] = vr;
		t->count++;
	}
	free(vr->rts);
	vr->msg = *r;
	vr->msg.prefix = p.addr;
	vr->rts = copy;
	vr->n_rts = r->n_rts;
	vr->problem = NULL;
	vr->stale = false;
	return vr;
nomem:
	log_warn("VPN table");
	free(copy);
	return NULL;
}

void vpn_remove(struct vpn_table *t, struct vpn_route *vr)
{
	struct vpn_route **pp;

	for (pp = &t->b[vpn_hash(&vr->rd, &vr->prefix, t->nb)]; *pp != NULL; pp = &(*pp)->hnext) {
		if (*pp == vr) {
			*pp = vr->hnext;
			t->count--;
			vpn_free_one(vr);
			return;
		}
	}
}

static int vpn_cmp(const void *a, const void *b)
{
	const struct vpn_route *x = *(struct vpn_route *const *)a;
	const struct vpn_route *y = *(struct vpn_route *const *)b;
	int c = memcmp(x->rd.b, y->rd.b, sizeof(x->rd.b));

	if (c != 0)
		return c;
	if (x->prefix.addr != y->prefix.addr)
		return x->prefix.addr < y->prefix.addr ? -1 : 1;
	return (int)x->prefix.len - (int)y->prefix.len;
}

size_t vpn_list(const struct vpn_table *t, struct vpn_route ***out)
{
	struct vpn_route **v;
	size_t n = 0;

	*out = NULL;
	if (t->count == 0)
		return 0;
	if ((v = malloc(t->count * sizeof(*v))) == NULL) {
		log_warn("VPN table listing");
		return 0;
	}
	for (size_t i = 0; i < t->nb; i++)
		for (struct vpn_route *vr = t->b[i]; vr != NULL; vr = vr->hnext)
			v[n++] = vr;
	qsort(v, n, sizeof(*v), vpn_cmp);
	*out = v;
	return n;
}
