/*
 * Writes the generated seed corpora of the fuzz harnesses, made with
 * ferry's own encoders so they are valid by construction (the mutations
 * then start from messages that get past the first checks):
 *
 *   gen_seeds DIR    writes DIR/bgp_msg/, DIR/ipc/, DIR/fwd_frame/, DIR/api_query/,
 *                    DIR/cli_http/
 *
 * tests/fuzz/corpus/ holds the committed output plus hand-made seeds
 * (configs, captures from interop peers); tests/fuzz/run regenerates
 * nothing by itself: run this after changing an encoder on purpose.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bgpd/attr.h"
#include "bgpd/msg.h"
#include "bgpd/rtc_update.h"
#include "common/ipc.h"
#include "common/label.h"
#include "fuzz_fwd_util.h"

static const char *dir;

static void write_seed(const char *sub, const char *name, const void *p, size_t len)
{
	char path[512];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, sub);
	if (mkdir(path, 0755) < 0 && errno != EEXIST) {
		perror(path);
		exit(1);
	}
	snprintf(path, sizeof(path), "%s/%s/%s", dir, sub, name);
	fp = fopen(path, "wb");
	if (fp == NULL || fwrite(p, 1, len, fp) != len || fclose(fp) != 0) {
		perror(path);
		exit(1);
	}
}

/* ---- BGP: the flag byte of fuzz_bgp_msg, then messages ---- */

#define F_AS4 1
#define F_EXT 2
#define F_VPN 4
#define F_IPV4 8
#define F_EBGP 16
#define F_RTC 32

static void bgp_seed(const char *name, uint8_t flags, const struct wbuf *w)
{
	uint8_t *b = malloc(w->len + 1);

	if (b == NULL)
		exit(1);
	b[0] = flags;
	memcpy(b + 1, w->data, w->len);
	write_seed("bgp_msg", name, b, w->len + 1);
	free(b);
}

static void rd0(struct rd *rd, uint16_t as, uint32_t n)
{
	memset(rd, 0, sizeof(*rd));
	rd->b[2] = (uint8_t)(as >> 8);
	rd->b[3] = (uint8_t)as;
	rd->b[4] = (uint8_t)(n >> 24);
	rd->b[5] = (uint8_t)(n >> 16);
	rd->b[6] = (uint8_t)(n >> 8);
	rd->b[7] = (uint8_t)n;
}

static void rt(struct ext_community *c, uint16_t as, uint32_t n)
{
	memset(c, 0, sizeof(*c));
	c->b[0] = EXTCOM_TYPE_AS2;
	c->b[1] = EXTCOM_SUBTYPE_RT;
	c->b[2] = (uint8_t)(as >> 8);
	c->b[3] = (uint8_t)as;
	c->b[4] = (uint8_t)(n >> 24);
	c->b[5] = (uint8_t)(n >> 16);
	c->b[6] = (uint8_t)(n >> 8);
	c->b[7] = (uint8_t)n;
}

static const uint8_t aspath[] = { ASPATH_SEQUENCE, 2, 0, 0, 0xfd, 0xe9, 0, 0, 0xfd, 0xea };
static const uint8_t aspath4[] = { ASPATH_SEQUENCE, 2, 0, 0, 0xfd, 0xe9, 0xfa, 0x56, 0xea, 0x00 };
static const uint32_t comms[] = { 0xfde80064, COMM_NO_EXPORT };
static const uint32_t large[] = { 65000, 1, 2 };
static const uint32_t cluster[] = { 0x0aff0009 };
static const uint8_t unknown[] = { ATTR_F_OPTIONAL | ATTR_F_TRANSITIVE, 99, 3, 1, 2, 3 };
static const struct attr_ctx ctx_ibgp = { .as4 = true, .afs = BGP_AF_VPNV4 };
static const struct attr_ctx ctx_ebgp2 = { .as4 = false, .afs = BGP_AF_VPNV4, .ebgp = true,
					   .peer_as = 65001 };

/* The lab's routes: 192.168.101.0/24 in two RDs, and 10/8 with the highest label. */
static void lab_nlri(struct bgp_vpn_nlri n[3], struct ext_community rts[2])
{
	rd0(&n[0].rd, 65000, 100);
	n[0].prefix = (struct prefix4){ FZ_IP(192, 168, 101, 0), 24 };
	n[0].label = 200;
	rd0(&n[1].rd, 65000, 200);
	n[1].prefix = (struct prefix4){ FZ_IP(192, 168, 101, 0), 24 };
	n[1].label = 201;
	rd0(&n[2].rd, 65000, 300);
	n[2].prefix = (struct prefix4){ FZ_IP(10, 0, 0, 0), 8 };
	n[2].label = 1048575;
	rt(&rts[0], 65000, 100);
	rt(&rts[1], 65000, 200);
}

/* ORIGIN, empty AS_PATH, LOCAL_PREF, one route target: what a PE sends. */
static void lab_attrs(struct bgp_attrs *a, const struct ext_community *rts)
{
	memset(a, 0, sizeof(*a));
	a->present = ATTR_BIT(ATTR_ORIGIN) | ATTR_BIT(ATTR_AS_PATH) | ATTR_BIT(ATTR_LOCAL_PREF) |
		     ATTR_BIT(ATTR_EXT_COMMUNITIES);
	a->nexthop = FZ_IP(10, 255, 0, 2);
	a->local_pref = 100;
	a->ext = rts;
	a->n_ext = 1;
}

/* Every other attribute bgpd knows, on top of lab_attrs. */
static void all_attrs(struct bgp_attrs *a)
{
	a->present |= ATTR_BIT(ATTR_MED) | ATTR_BIT(ATTR_COMMUNITIES) |
		      ATTR_BIT(ATTR_ORIGINATOR_ID) | ATTR_BIT(ATTR_CLUSTER_LIST) |
		      ATTR_BIT(ATTR_LARGE_COMMUNITIES) | ATTR_BIT(ATTR_ATOMIC_AGGREGATE) |
		      ATTR_BIT(ATTR_AGGREGATOR);
	a->origin = ORIGIN_INCOMPLETE;
	a->aspath = aspath;
	a->aspath_len = sizeof(aspath);
	a->med = 7;
	a->communities = comms;
	a->n_communities = 2;
	a->n_ext = 2;
	a->originator_id = FZ_IP(10, 255, 0, 9);
	a->cluster = cluster;
	a->n_cluster = 1;
	a->large = large;
	a->n_large = 1;
	a->aggregator_as = 65001;
	a->aggregator_id = FZ_IP(1, 2, 3, 4);
	a->unknown = unknown;
	a->unknown_len = sizeof(unknown);
}

/* OPEN, KEEPALIVE, NOTIFICATION, ROUTE-REFRESH. */
static void bgp_seeds_fixed(void)
{
	struct wbuf w;
	struct bgp_open o = { .version = 4, .asn = 65000, .hold_time = 90, .bgp_id = 0x0aff0001 };
	struct bgp_err e;

	wbuf_init(&w);
	bgp_open_encode(&w, &o);
	bgp_seed("open", F_AS4 | F_VPN, &w);
	wbuf_reset(&w);
	o.asn = 4200000000u;
	o.afs = BGP_AF_VPNV4 | BGP_AF_IPV4;
	o.cap_enhanced_rr = o.cap_ext_msg = o.cap_gr = true;
	o.gr_time = 120;
	bgp_open_encode(&w, &o);
	bgp_seed("open-as4-all-caps", F_AS4 | F_VPN, &w);
	wbuf_reset(&w);
	bgp_keepalive_encode(&w);
	bgp_seed("keepalive", F_AS4 | F_VPN, &w);
	wbuf_reset(&w);
	bgp_err_set(&e, BGP_ERR_CEASE, BGP_CEASE_ADMIN_SHUTDOWN, "bye", 3);
	bgp_notification_encode(&w, &e);
	bgp_seed("notification-cease", F_AS4 | F_VPN, &w);
	wbuf_reset(&w);
	bgp_err_set(&e, BGP_ERR_UPDATE, BGP_ERR_UPD_ASPATH, aspath, sizeof(aspath));
	bgp_notification_encode(&w, &e);
	bgp_seed("notification-update", F_AS4 | F_VPN, &w);
	wbuf_reset(&w);
	bgp_route_refresh_encode(&w, BGP_AFI_IPV4, BGP_SAFI_VPN, BGP_RR_REQUEST);
	bgp_route_refresh_encode(&w, BGP_AFI_IPV4, BGP_SAFI_VPN, BGP_RR_BORR);
	bgp_route_refresh_encode(&w, BGP_AFI_IPV4, BGP_SAFI_VPN, BGP_RR_EORR);
	bgp_seed("route-refresh", F_AS4 | F_VPN, &w);
	wbuf_free(&w);
}

/* UPDATEs: the lab's, every attribute, a 2-octet eBGP one, withdrawals, End-of-RIB. */
/* Route target membership (RFC 4684): one route per RT, the default, a prefix; withdrawn; EoR. */
static void bgp_seeds_rtc(struct wbuf *w)
{
	static const struct attr_ctx ctx_rtc = { .as4 = true, .afs = BGP_AF_VPNV4 | BGP_AF_RTC };
	struct ext_community c[2];
	struct rtc_route m[4];
	struct bgp_attrs a;

	rt(&c[0], 65000, 100);
	rt(&c[1], 65000, 200);
	m[0] = rtc_route_of(65000, &c[0]);
	m[1] = rtc_route_of(65000, &c[1]);
	m[2] = (struct rtc_route){ 0 };
	m[3] = rtc_route_of(65000, &c[0]);
	m[3].len = 48;
	memset(m[3].rt.b + 2, 0, 6);
	memset(&a, 0, sizeof(a));
	a.present = ATTR_BIT(ATTR_ORIGIN) | ATTR_BIT(ATTR_AS_PATH) | ATTR_BIT(ATTR_LOCAL_PREF);
	a.nexthop = FZ_IP(10, 255, 0, 2);
	a.local_pref = 100;
	wbuf_reset(w);
	rtc_update_encode_reach(w, &a, m, 4, &ctx_rtc);
	rtc_update_encode_unreach(w, m + 1, 1);
	rtc_update_encode_eor(w);
	bgp_seed("update-rtc", F_AS4 | F_VPN | F_RTC, w);
	wbuf_reset(w);
}

static void bgp_seeds_updates(void)
{
	struct wbuf w;
	struct bgp_vpn_nlri n[3];
	struct ext_community rts[2];
	struct bgp_attrs a;

	lab_nlri(n, rts);
	lab_attrs(&a, rts);
	wbuf_init(&w);
	bgp_update_encode_reach(&w, &a, n, 1, &ctx_ibgp);
	bgp_seed("update-lab", F_AS4 | F_VPN, &w);
	wbuf_reset(&w);
	all_attrs(&a);
	bgp_update_encode_reach(&w, &a, n, 3, &ctx_ibgp);
	bgp_seed("update-all-attrs", F_AS4 | F_VPN, &w);
	wbuf_reset(&w);
	/* a 2-octet eBGP session: AS4_PATH / AS4_AGGREGATOR come out for the big AS */
	a.aspath = aspath4;
	a.aspath_len = sizeof(aspath4);
	a.present &= ~(ATTR_BIT(ATTR_LOCAL_PREF) | ATTR_BIT(ATTR_ORIGINATOR_ID) |
		       ATTR_BIT(ATTR_CLUSTER_LIST));
	a.aggregator_as = 4200000000u;
	bgp_update_encode_reach(&w, &a, n, 2, &ctx_ebgp2);
	bgp_seed("update-as2-ebgp", F_VPN | F_EBGP, &w);
	wbuf_reset(&w);
	bgp_update_encode_unreach(&w, n, 3);
	bgp_seed("update-withdraw", F_AS4 | F_VPN, &w);
	wbuf_reset(&w);
	bgp_update_encode_eor(&w);
	bgp_update_encode_eor_ipv4(&w);
	bgp_seed("update-eor", F_AS4 | F_VPN | F_IPV4, &w);
	bgp_seeds_rtc(&w);
	wbuf_free(&w);
}

/* A whole session as it comes off the socket. */
static void bgp_seed_session(void)
{
	struct wbuf w;
	struct bgp_open o = { .version = 4, .asn = 65000, .hold_time = 90, .bgp_id = 0x0aff0002 };
	struct bgp_vpn_nlri n[3];
	struct ext_community rts[2];
	struct bgp_attrs a;
	struct bgp_err e;

	lab_nlri(n, rts);
	lab_attrs(&a, rts);
	wbuf_init(&w);
	bgp_open_encode(&w, &o);
	bgp_keepalive_encode(&w);
	bgp_update_encode_reach(&w, &a, n, 1, &ctx_ibgp);
	a.ext = rts + 1;
	bgp_update_encode_reach(&w, &a, n + 1, 1, &ctx_ibgp);
	bgp_update_encode_eor(&w);
	bgp_keepalive_encode(&w);
	bgp_update_encode_unreach(&w, n, 1);
	bgp_err_set(&e, BGP_ERR_CEASE, BGP_CEASE_ADMIN_SHUTDOWN, NULL, 0);
	bgp_notification_encode(&w, &e);
	bgp_seed("session", F_AS4 | F_VPN, &w);
	wbuf_free(&w);
}

/* ---- IPC: framed messages as on the socket ---- */

struct ipcbuf {
	uint8_t b[8192];
	size_t len;
};

static void ipc_put(struct ipcbuf *s, uint16_t type, const void *p, uint32_t len)
{
	struct ipc_hdr h = { .type = type, .flags = 0, .len = len };

	if (s->len + sizeof(h) + len > sizeof(s->b))
		exit(1);
	memcpy(s->b + s->len, &h, sizeof(h));
	if (len)
		memcpy(s->b + s->len + sizeof(h), p, len);
	s->len += sizeof(h) + len;
}

static void ipc_seeds(void)
{
	static struct ipcbuf s;
	struct ipc_hello hello = { .version = IPC_VERSION, .role = IPC_ROLE_VRFMGR, .name = "pe1" };
	struct ipc_vrf va = { .vrf_id = 1, .name = "A" }, vc = { .vrf_id = 3, .name = "C" };
	struct ipc_if_bind b = { .vrf_id = 3, .address = FZ_IP(10, 3, 1, 1), .plen = 30,
				 .ifname = "ce-b1" };
	struct ipc_nexthop nh = { .nh_id = 20, .type = IPC_NH_LABELED, .gateway = FZ_P2_ADDR,
				  .out_label = 30, .ifname = "core1" };
	struct ipc_fib_entry fe = { .vrf_id = 3, .prefix = FZ_IP(192, 168, 101, 0), .plen = 24,
				    .nh_id = 20, .inner_label = 300 };
	struct ipc_lfib_entry le = { .in_label = 103, .action = IPC_LFIB_POP_LOOKUP, .vrf_id = 3 };
	struct {
		struct ipc_vpn_route r;
		uint8_t rts[16];
	} vr = { .r = { .prefix = FZ_IP(192, 168, 100, 0), .plen = 24, .n_rts = 2, .label = 100 } };

	ipc_put(&s, IPC_HELLO, &hello, sizeof(hello));
	ipc_put(&s, IPC_REPLAY_BEGIN, NULL, 0);
	ipc_put(&s, IPC_VRF_ADD, &va, sizeof(va));
	ipc_put(&s, IPC_VRF_ADD, &vc, sizeof(vc));
	ipc_put(&s, IPC_IF_BIND, &b, sizeof(b));
	ipc_put(&s, IPC_NH_ADD, &nh, sizeof(nh));
	ipc_put(&s, IPC_FIB_ADD, &fe, sizeof(fe));
	ipc_put(&s, IPC_LFIB_ADD, &le, sizeof(le));
	ipc_put(&s, IPC_REPLAY_END, NULL, 0);
	write_seed("ipc", "replay-sweep", s.b, s.len);
	s.len = 0;
	ipc_put(&s, IPC_HELLO, &hello, sizeof(hello));
	ipc_put(&s, IPC_FIB_DEL, &fe, sizeof(fe));
	ipc_put(&s, IPC_LFIB_DEL, &le, sizeof(le));
	ipc_put(&s, IPC_NH_DEL, &nh, sizeof(nh));
	ipc_put(&s, IPC_IF_UNBIND, &b, sizeof(b));
	ipc_put(&s, IPC_VRF_DEL, &va, sizeof(va));
	write_seed("ipc", "deletes", s.b, s.len);
	s.len = 0;
	hello.role = IPC_ROLE_BGPD;
	ipc_put(&s, IPC_HELLO, &hello, sizeof(hello));
	ipc_put(&s, IPC_REPLAY_BEGIN, NULL, 0);
	ipc_put(&s, IPC_VPN_ROUTE_ADD, &vr, sizeof(vr));
	vr.r.n_rts = 0;
	ipc_put(&s, IPC_VPN_ROUTE_DEL, &vr.r, sizeof(vr.r));
	ipc_put(&s, IPC_REPLAY_END, NULL, 0);
	write_seed("ipc", "vpn-routes", s.b, s.len);
	s.len = 0;
	nh.type = IPC_NH_GATEWAY;
	nh.nh_id = 5; /* replaces the fixture's next hop of B's CE */
	ipc_put(&s, IPC_NH_ADD, &nh, sizeof(nh));
	le.action = IPC_LFIB_SWAP;
	le.in_label = 100;
	le.nh_id = 3;
	le.out_label = MPLS_LABEL_IMPLICIT_NULL;
	ipc_put(&s, IPC_LFIB_ADD, &le, sizeof(le));
	fe.vrf_id = 1;
	fe.nh_id = 3;
	ipc_put(&s, IPC_FIB_ADD, &fe, sizeof(fe));
	write_seed("ipc", "replace", s.b, s.len);
}

/* ---- fwd frames: option byte, then records ---- */

struct frames {
	uint8_t b[8192];
	size_t len;
};

static uint8_t *rec(struct frames *s, int ifi, size_t len)
{
	uint8_t *p = s->b + s->len;

	p[0] = (uint8_t)ifi;
	fz_put16(p + 1, (uint16_t)len);
	memset(p + 3, 0, len);
	s->len += 3 + len;
	return p + 3;
}

/* Ethernet header into if i from its neighbour, then IPv4 (+ labels) with payload. */
static void ip_frame(struct frames *s, int i, const uint32_t *labels, size_t nl, uint32_t src,
		     uint32_t dst, uint8_t proto, uint8_t ttl)
{
	size_t len = 14 + 4 * nl + 20 + 28;
	uint8_t *p = rec(s, i, len), *ip = p + 14 + 4 * nl;

	memcpy(p, fz_mac_if[i], 6);
	memcpy(p + 6, fz_mac_nb[i], 6);
	fz_put16(p + 12, nl ? ETHERTYPE_MPLS : FWD_ETHERTYPE_IPV4);
	for (size_t k = 0; k < nl; k++) {
		struct mpls_lse e = { .label = labels[k], .bos = k + 1 == nl, .ttl = 64 };

		mpls_lse_encode(p + 14 + 4 * k, &e);
	}
	ip[0] = 0x45;
	fz_put16(ip + 2, 48);
	ip[8] = ttl;
	ip[9] = proto;
	fz_put32(ip + 12, src);
	fz_put32(ip + 16, dst);
	fz_put16(ip + 10, ipv4_checksum(ip, 20));
	if (proto == 1) {
		ip[20] = 8;
		fz_put16(ip + 22, ipv4_checksum(ip + 20, 28));
	}
}

static void arp_frame(struct frames *s, int i, uint16_t op, uint32_t sip, uint32_t tip)
{
	uint8_t *p = rec(s, i, 60), *a = p + 14;

	memset(p, 0xff, 6);
	memcpy(p + 6, fz_mac_nb[i], 6);
	fz_put16(p + 12, FWD_ETHERTYPE_ARP);
	fz_put16(a, 1);
	fz_put16(a + 2, 0x0800);
	a[4] = 6;
	a[5] = 4;
	fz_put16(a + 6, op);
	memcpy(a + 8, fz_mac_nb[i], 6);
	fz_put32(a + 14, sip);
	fz_put32(a + 24, tip);
}

static void fwd_seeds(void)
{
	static struct frames s;
	const uint32_t l200[] = { 200 }, l100[] = { 100 }, l101[] = { 101 }, l102[] = { 102 },
		       l16[] = { 16, 200 }, l18[] = { 18, 200 }, l3[] = { 16, 100, 101 };
	const uint32_t site1 = FZ_IP(192, 168, 100, 10), site2 = FZ_IP(192, 168, 101, 10);

	s.len = 1;
	s.b[0] = 0;
	ip_frame(&s, 2, NULL, 0, site1, site2, 17, 64);           /* A: push [16 | 200] */
	ip_frame(&s, 3, NULL, 0, site1, site2, 17, 64);           /* B: push [16 | 201] */
	ip_frame(&s, 3, NULL, 0, site1, FZ_IP(192, 168, 102, 1), 17, 64); /* implicit null */
	ip_frame(&s, 2, NULL, 0, site1, FZ_IP(10, 1, 1, 1), 1, 64); /* ping fwd itself */
	ip_frame(&s, 2, NULL, 0, site1, FZ_IP(10, 99, 1, 1), 17, 64); /* blackhole */
	ip_frame(&s, 2, NULL, 0, site1, site2, 17, 1);            /* TTL expires */
	write_seed("fwd_frame", "access-ip", s.b, s.len);
	s.len = 1;
	s.b[0] = 1; /* slow path */
	ip_frame(&s, 0, l100, 1, site2, site1, 17, 64);           /* pop, look up in A */
	ip_frame(&s, 0, l101, 1, site2, site1, 17, 64);           /* pop, look up in B */
	ip_frame(&s, 0, l102, 1, site2, FZ_IP(172, 16, 0, 1), 17, 64); /* pop, forward */
	ip_frame(&s, 0, l16, 2, site1, site2, 17, 64);            /* swap 16 -> 17 */
	ip_frame(&s, 0, l18, 2, site1, site2, 17, 64);            /* PHP */
	ip_frame(&s, 0, l200, 1, site1, site2, 17, 64);           /* unknown label */
	ip_frame(&s, 0, l3, 3, site1, site2, 17, 64);             /* deep stack */
	ip_frame(&s, 2, l100, 1, site1, site2, 17, 64);           /* forged label on access */
	write_seed("fwd_frame", "core-mpls", s.b, s.len);
	s.len = 1;
	s.b[0] = 0;
	arp_frame(&s, 2, 1, FZ_CEA_ADDR, FZ_IP(10, 1, 1, 1));    /* who has our address */
	arp_frame(&s, 3, 1, FZ_CEB_ADDR, FZ_IP(10, 1, 1, 1));    /* ... of the other VRF */
	arp_frame(&s, 2, 2, FZ_IP(10, 1, 1, 3), FZ_IP(10, 1, 1, 1)); /* unsolicited reply */
	arp_frame(&s, 0, 1, FZ_P_ADDR, FZ_IP(10, 0, 1, 1));
	ip_frame(&s, 2, NULL, 0, site1, FZ_IP(10, 1, 1, 3), 17, 64); /* waits for ARP */
	write_seed("fwd_frame", "arp", s.b, s.len);
}

/* Text seeds s[0..n) as sub/<stem>-00, -01, ... */
static void write_texts(const char *sub, const char *stem, const char *const *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char name[32];

		snprintf(name, sizeof(name), "%s-%02zu", stem, i);
		write_seed(sub, name, s[i], strlen(s[i]));
	}
}

static void api_seeds(void)
{
	static const char *const t[] = {
		"/", "/neighbors", "/routes", "/routes?rd=65000:100&prefix=192.168.101.0/24",
		"/routes?rd=10.255.0.1:200", "/routes?rd=4200000000:7&prefix=0.0.0.0/0",
		"/vrfs", "/routes?vrf=A", "/fib?vrf=cust-42", "/lfib", "/arp", "/counters",
		"/explain?vrf=A&rd=10.255.0.2:100&prefix=192.168.101.0/24",
		"/routes?rd=target:65000:100&prefix=10.0.0.1/32&x=%41%20b+c",
		"/no/such?path=1&label=implicit-null&addr=10.1.1.1/30",
	};

	write_texts("api_query", "target", t, sizeof(t) / sizeof(t[0]));
}

/*
 * Responses as the daemons' API sends them (Content-Length, chunked
 * streams, errors) and as other servers might (HTTP/1.0 to EOF, chunk
 * extensions, trailers), each after the harness's byte of read size.
 */
static void cli_http_seeds(void)
{
	static const char *const r[] = {
		"\x07HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 7\r\n\r\n"
		"{\"a\":1}",
		"\x03HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\n{\"a\r\n4\r\n\":3}\r\n"
		"0\r\n\r\n",
		"\x0cHTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n# HELP ferry_up 1\nferry_up 1\n",
		"\x01HTTP/1.1 401 Unauthorized\r\ncontent-length: 47\r\n\r\n"
		"{\"error\":\"missing or wrong token\",\"status\":401}",
		"\x05HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
		"a;ext=1\r\n0123456789\r\n0\r\nX-Trailer: y\r\n\r\n",
		"\x40HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}HTTP/1.1 200 OK\r\n\r\n",
	};

	write_texts("cli_http", "response", r, sizeof(r) / sizeof(r[0]));
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: gen_seeds DIR\n");
		return 2;
	}
	dir = argv[1];
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		perror(dir);
		return 1;
	}
	bgp_seeds_fixed();
	bgp_seeds_updates();
	bgp_seed_session();
	ipc_seeds();
	fwd_seeds();
	api_seeds();
	cli_http_seeds();
	return 0;
}
