/*
 * Shared by the vrfmgr unit tests: the lab's pe1 config, a dataplane
 * recorder (each call becomes one line of text, so tests read like the
 * message log they check) and small builders for VPN routes from bgpd.
 */
#ifndef TEST_VRFMGR_FIXTURE_H
#define TEST_VRFMGR_FIXTURE_H

#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "common/config.h"
#include "common/label.h"
#include "common/log.h"
#include "vrfmgr/dataplane.h"
#include "vrfmgr/l3vpn.h"
#include "vrfmgr/vrf.h"

/* The lab's pe1 (brief): VRFs A and B, labels 100-199, LSP to pe2 (label 16). */
#define FX_PE1_JSON                                                                              \
	"{ \"router\": { \"name\": \"pe1\", \"router_id\": \"10.255.0.1\", \"asn\": 65000,"      \
	"  \"run_dir\": \"/tmp/ferry-test\", \"label_range\": { \"min\": 100, \"max\": 199 } },"  \
	"  \"bgp\": { \"listen\": \"10.255.0.1\", \"neighbors\": [ { \"address\": \"10.255.0.2\"," \
	"    \"remote_as\": 65000, \"local_address\": \"10.255.0.1\" } ] },"                     \
	"  \"vrfs\": ["                                                                          \
	"    { \"name\": \"A\", \"rd\": \"10.255.0.1:100\", \"import_rts\": [\"65000:100\"],"      \
	"      \"export_rts\": [\"65000:100\"], \"label_mode\": \"per-vrf\","                      \
	"      \"interfaces\": [ { \"name\": \"ce-a1\", \"address\": \"10.1.1.1/30\" } ],"         \
	"      \"static_routes\": [ { \"prefix\": \"192.168.100.0/24\", \"next_hop\": \"10.1.1.2\"," \
	"                             \"interface\": \"ce-a1\" } ] },"                           \
	"    { \"name\": \"B\", \"rd\": \"10.255.0.1:200\", \"import_rts\": [\"65000:200\"],"      \
	"      \"export_rts\": [\"65000:200\"], \"label_mode\": \"per-vrf\","                      \
	"      \"interfaces\": [ { \"name\": \"ce-b1\", \"address\": \"10.2.1.1/30\" } ],"         \
	"      \"static_routes\": [ { \"prefix\": \"192.168.100.0/24\", \"next_hop\": \"10.2.1.2\"," \
	"                             \"interface\": \"ce-b1\" } ] } ],"                         \
	"  \"lsps\": [ { \"fec\": \"10.255.0.2/32\", \"out_label\": 16, \"next_hop\": \"10.0.1.2\"," \
	"              \"interface\": \"core0\" } ],"                                             \
	"  \"fwd\": { \"mode\": \"pe\", \"core_interfaces\": [ { \"name\": \"core0\","            \
	"            \"address\": \"10.0.1.1/30\" } ] } }"

static inline void fx_load(struct ferry_config *cfg, const char *json)
{
	char err[512] = "";

	cr_assert_eq(config_load_string(json, "test.json", cfg, err, sizeof(err)), 0, "%s", err);
}

/* ---- the recorder ---- */
#define FX_REC_MAX 512
struct fx_rec {
	char line[FX_REC_MAX][128];
	int n;
};

static inline void fx_rec_add(struct fx_rec *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static inline void fx_rec_add(struct fx_rec *r, const char *fmt, ...)
{
	va_list ap;

	cr_assert_lt(r->n, FX_REC_MAX);
	va_start(ap, fmt);
	vsnprintf(r->line[r->n++], sizeof(r->line[0]), fmt, ap);
	va_end(ap);
}

static inline const char *fx_label(uint32_t l, char *b)
{
	if (l == MPLS_LABEL_NONE)
		return "-";
	snprintf(b, 12, "%u", l);
	return b;
}

static inline void fx_vrf_add(void *c, const struct ipc_vrf *v)
{
	fx_rec_add(c, "vrf_add %u %s", v->vrf_id, v->name);
}
static inline void fx_vrf_del(void *c, const struct ipc_vrf *v)
{
	fx_rec_add(c, "vrf_del %u %s", v->vrf_id, v->name);
}
static inline void fx_if_unbind(void *c, const struct ipc_if_bind *b)
{
	fx_rec_add(c, "if_unbind %u %s", b->vrf_id, b->ifname);
}
static inline void fx_if_bind(void *c, const struct ipc_if_bind *b)
{
	char a[IPV4_STRLEN];

	fx_rec_add(c, "if_bind %u %s %s/%u", b->vrf_id, b->ifname, ipv4_format(b->address, a),
		   b->plen);
}
static inline void fx_nh(void *c, const char *op, const struct ipc_nexthop *nh)
{
	char a[IPV4_STRLEN], l[12];

	fx_rec_add(c, "%s %u type %u gw %s out %s if %s", op, nh->nh_id, nh->type,
		   ipv4_format(nh->gateway, a), fx_label(nh->out_label, l), nh->ifname);
}
static inline void fx_nh_add(void *c, const struct ipc_nexthop *nh) { fx_nh(c, "nh_add", nh); }
static inline void fx_nh_del(void *c, const struct ipc_nexthop *nh) { fx_nh(c, "nh_del", nh); }
static inline void fx_fib_add(void *c, const struct ipc_fib_entry *e)
{
	char a[IPV4_STRLEN], l[12];

	fx_rec_add(c, "fib_add %u %s/%u nh %u inner %s", e->vrf_id, ipv4_format(e->prefix, a),
		   e->plen, e->nh_id, fx_label(e->inner_label, l));
}
static inline void fx_fib_del(void *c, const struct ipc_fib_entry *e)
{
	char a[IPV4_STRLEN];

	fx_rec_add(c, "fib_del %u %s/%u", e->vrf_id, ipv4_format(e->prefix, a), e->plen);
}
static inline void fx_lfib_add(void *c, const struct ipc_lfib_entry *e)
{
	fx_rec_add(c, "lfib_add %u action %u vrf %u nh %u", e->in_label, e->action, e->vrf_id,
		   e->nh_id);
}
static inline void fx_lfib_del(void *c, const struct ipc_lfib_entry *e)
{
	fx_rec_add(c, "lfib_del %u", e->in_label);
}

static const struct dataplane_ops fx_ops = {
	.vrf_add = fx_vrf_add, .vrf_del = fx_vrf_del, .if_bind = fx_if_bind,
	.if_unbind = fx_if_unbind, .nh_add = fx_nh_add, .nh_del = fx_nh_del,
	.fib_add = fx_fib_add, .fib_del = fx_fib_del, .lfib_add = fx_lfib_add,
	.lfib_del = fx_lfib_del,
};

/* The export sink, recorded the same way: "exp_add RD PREFIX label L rts N" / "exp_del RD PREFIX". */
static inline void fx_exp_add(void *c, const struct ipc_vpn_route *r, const struct ext_community *rts)
{
	char rd[RD_STRLEN], a[IPV4_STRLEN], rt[RD_STRLEN];

	fx_rec_add(c, "exp_add %s %s/%u label %u rt %s n %u", rd_format((const struct rd *)r->rd, rd),
		   ipv4_format(r->prefix, a), r->plen, r->label,
		   r->n_rts ? extcom_format(&rts[0], rt) : "-", r->n_rts);
}
static inline void fx_exp_del(void *c, const struct ipc_vpn_route *r)
{
	char rd[RD_STRLEN], a[IPV4_STRLEN];

	fx_rec_add(c, "exp_del %s %s/%u", rd_format((const struct rd *)r->rd, rd),
		   ipv4_format(r->prefix, a), r->plen);
}
static const struct export_ops fx_exp_ops = { .add = fx_exp_add, .del = fx_exp_del };

/* Index of the first line starting with prefix, or -1. */
static inline int fx_find(const struct fx_rec *r, const char *prefix)
{
	int i;

	for (i = 0; i < r->n; i++)
		if (strncmp(r->line[i], prefix, strlen(prefix)) == 0)
			return i;
	return -1;
}

static inline int fx_count(const struct fx_rec *r, const char *prefix)
{
	int i, n = 0;

	for (i = 0; i < r->n; i++)
		if (strncmp(r->line[i], prefix, strlen(prefix)) == 0)
			n++;
	return n;
}

static inline void fx_dump(const struct fx_rec *r)
{
	int i;

	for (i = 0; i < r->n; i++)
		fprintf(stderr, "  %s\n", r->line[i]);
}

/* Applies recorded lines to a set of "what the dataplane holds" strings. */
struct fx_held {
	char s[FX_REC_MAX][300];
	int n;
};

static inline void fx_held_apply(struct fx_held *h, const struct fx_rec *r)
{
	int i, j;

	for (i = 0; i < r->n; i++) {
		char key[64];
		const char *l = r->line[i];
		bool add = strstr(l, "_add ") != NULL || strncmp(l, "if_bind", 7) == 0;
		char ifn[32];
		unsigned a;
		char pfx[32];

		/* The key is the object's identity: kind + id (+ prefix for FIB entries). */
		if (sscanf(l, "fib_%*[a-z] %u %31s", &a, pfx) == 2)
			snprintf(key, sizeof(key), "fib %u %s", a, pfx);
		else if (sscanf(l, "nh_%*[a-z] %u", &a) == 1)
			snprintf(key, sizeof(key), "nh %u", a);
		else if (sscanf(l, "lfib_%*[a-z] %u", &a) == 1)
			snprintf(key, sizeof(key), "lfib %u", a);
		else if (sscanf(l, "vrf_%*[a-z] %u", &a) == 1)
			snprintf(key, sizeof(key), "vrf %u", a);
		else if (sscanf(l, "if_bind %u %31s", &a, ifn) == 2 ||
			 sscanf(l, "if_unbind %u %31s", &a, ifn) == 2)
			snprintf(key, sizeof(key), "if %s", ifn);
		else
			cr_assert_fail("unknown line %s", l);
		for (j = 0; j < h->n; j++)
			if (strncmp(h->s[j], key, strlen(key)) == 0 && h->s[j][strlen(key)] == '|')
				break;
		if (!add) {
			cr_assert_lt(j, h->n, "delete of something not held: %s", l);
			memmove(&h->s[j], &h->s[j + 1], (size_t)(h->n - j - 1) * sizeof(h->s[0]));
			h->n--;
			continue;
		}
		if (j == h->n)
			h->n++;
		snprintf(h->s[j], sizeof(h->s[j]), "%s|%s", key, l);
	}
}

static inline int fx_cmp_str(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* The dataplane state built by incremental calls equals the one a replay builds. */
static inline void fx_assert_same_state(const struct fx_rec *inc_rec, const struct fx_rec *rep_rec)
{
	static struct fx_held inc, rep;
	int i;

	inc.n = rep.n = 0;
	fx_held_apply(&inc, inc_rec);
	fx_held_apply(&rep, rep_rec);
	qsort(inc.s, (size_t)inc.n, sizeof(inc.s[0]), fx_cmp_str);
	qsort(rep.s, (size_t)rep.n, sizeof(rep.s[0]), fx_cmp_str);
	cr_assert_eq(inc.n, rep.n, "incremental %d entries, replay %d", inc.n, rep.n);
	for (i = 0; i < inc.n; i++)
		cr_assert_str_eq(inc.s[i], rep.s[i]);
}


/* ---- VPN routes as bgpd sends them ---- */
struct fx_vpn {
	struct ipc_vpn_route r;
	struct ext_community rts[8];
};

/* rts: up to 8 route targets separated by spaces ("65000:100 65000:200"). */
static inline struct fx_vpn fx_vpn(const char *rd, const char *prefix, uint32_t label,
				   const char *next_hop, const char *rts)
{
	struct fx_vpn v;
	struct prefix4 p;
	struct rd d;
	char buf[256], *tok, *save = NULL;

	memset(&v, 0, sizeof(v));
	cr_assert_eq(rd_parse(rd, &d), 0, "%s", rd);
	memcpy(v.r.rd, d.b, 8);
	cr_assert_eq(prefix4_parse(prefix, &p), 0, "%s", prefix);
	v.r.prefix = p.addr;
	v.r.plen = p.len;
	v.r.label = label;
	cr_assert_eq(ipv4_parse(next_hop, &v.r.next_hop), 0);
	v.r.local_pref = 100;
	v.r.peer = v.r.next_hop;
	snprintf(buf, sizeof(buf), "%s", rts);
	for (tok = strtok_r(buf, " ", &save); tok != NULL; tok = strtok_r(NULL, " ", &save)) {
		cr_assert_lt(v.r.n_rts, 8);
		cr_assert_eq(rt_parse(tok, &v.rts[v.r.n_rts]), 0, "%s", tok);
		v.r.n_rts++;
	}
	return v;
}

static inline int fx_import(struct vrf_table *t, const struct fx_vpn *v)
{
	return import_vpn_add(t, &v->r, v->rts);
}

static inline int fx_withdraw(struct vrf_table *t, const char *rd, const char *prefix)
{
	struct rd d;
	struct prefix4 p;

	cr_assert_eq(rd_parse(rd, &d), 0);
	cr_assert_eq(prefix4_parse(prefix, &p), 0);
	return import_vpn_del(t, &d, &p);
}

static inline struct prefix4 fx_prefix(const char *s)
{
	struct prefix4 p;

	cr_assert_eq(prefix4_parse(s, &p), 0, "%s", s);
	return p;
}

static inline struct rd fx_rd(const char *s)
{
	struct rd d;

	cr_assert_eq(rd_parse(s, &d), 0, "%s", s);
	return d;
}

static inline struct vrf_prefix *fx_vp(struct vrf_table *t, const char *vrf, const char *prefix)
{
	struct vrf *v = vrf_by_name(t, vrf);
	struct prefix4 p = fx_prefix(prefix);

	cr_assert_not_null(v);
	return rtable_find(&v->routes, &p);
}

#endif
