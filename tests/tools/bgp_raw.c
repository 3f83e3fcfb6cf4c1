/*
 * bgp_raw: a scriptable raw BGP speaker for session-security and RFC 7606
 * tests. It connects from a chosen source address (optionally with a
 * TCP-MD5 key and an IP TTL), then runs its commands in order, printing one
 * line per event; it stops at the first command that fails (exit 1).
 * Messages are built with bgpd's own codec where they are valid, by hand
 * where they are not.
 *
 *   bgp_raw -s SRC -d DST [-p PORT] [-a ASN] [-P PASSWORD] [-T TTL] [-t SEC] CMD...
 *   bgp_raw -l                      list the malformed-UPDATE cases
 *
 * Commands:
 *   establish             OPEN, wait for the peer's OPEN and KEEPALIVE, KEEPALIVE
 *   route RD PREFIX LABEL [RT[,RT...]]   announce one VPN-IPv4 route (next hop
 *                         SRC) with those route targets (up to 8)
 *   withdraw RD PREFIX    withdraw it
 *   flood N [K]           announce N routes 10.a.b.0/24, RD 65000:999, K per
 *                         UPDATE (default: as many as fit)
 *   case NAME             send one malformed UPDATE (-l lists them, with the
 *                         RFC 7606 outcome bgpd documents)
 *   read SEC              print what arrives for SEC seconds
 *   expect-close SEC      read until the peer closes (fails if it does not)
 *   hold SEC              stay up SEC seconds answering with KEEPALIVEs
 * Events: "connected", "timeout" (connect or wait), "refused", "< OPEN as A
 * hold H", "< KEEPALIVE", "< UPDATE reach N unreach M", "< NOTIFICATION c/s
 * (text)", "closed", "reset". KEEPALIVEs go out every 30 s while reading.
 *
 * Without commands it reads them from stdin, one per line, and ends each
 * with "done" or "failed"; meanwhile it keeps printing what arrives, so a
 * test script can drive one session step by step (a bash coproc).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "bgpd/attr.h"
#include "bgpd/msg.h"
#include "common/buf.h"
#include "common/prefix.h"
#include "common/rd.h"

static int fd = -1;
static uint32_t src_addr, asn = 65000;
static int wait_s = 5;
static uint8_t rx[2 * BGP_MAX_EXT_MSG];
static size_t rx_len;
static time_t last_tx;
static struct bgp_update *upd;
/* what the peer has sent so far (a message may arrive before the command that waits for it) */
static bool seen_open, seen_keepalive, seen_notification;

static void usage(void)
{
	fprintf(stderr, "usage: bgp_raw -s SRC -d DST [-p PORT] [-a ASN] [-P PASSWORD] [-T TTL] "
			"[-t SEC] CMD...\n       bgp_raw -l\n");
	exit(2);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* ---- sending ---- */

static int send_buf(const struct wbuf *w)
{
	size_t off = 0;

	if (!wbuf_ok(w))
		return -1;
	while (off < w->len) {
		ssize_t n = write(fd, w->data + off, w->len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			printf("reset\n");
			return -1;
		}
		off += (size_t)n;
	}
	last_tx = time(NULL);
	return 0;
}

static int send_keepalive(void)
{
	struct wbuf w;
	int rc;

	wbuf_init(&w);
	bgp_keepalive_encode(&w);
	rc = send_buf(&w);
	wbuf_free(&w);
	return rc;
}

static int send_open(void)
{
	struct bgp_open o = { .version = BGP_VERSION, .asn = asn, .hold_time = 90,
			      .bgp_id = src_addr, .afs = BGP_AF_VPNV4 };
	struct wbuf w;
	int rc;

	wbuf_init(&w);
	bgp_open_encode(&w, &o);
	rc = send_buf(&w);
	wbuf_free(&w);
	return rc;
}

/* An UPDATE whose body (withdrawn, attributes, NLRI) is body. */
static int send_update_body(const uint8_t *body, size_t len)
{
	struct wbuf w;
	size_t start;
	int rc;

	wbuf_init(&w);
	start = bgp_msg_begin(&w, BGP_MSG_UPDATE);
	wbuf_put_bytes(&w, body, len);
	rc = bgp_msg_end(&w, start) < 0 ? -1 : send_buf(&w);
	wbuf_free(&w);
	return rc;
}

/* ---- receiving ---- */

static void print_message(uint8_t type, const uint8_t *body, size_t len)
{
	struct attr_ctx ctx = { .as4 = true, .afs = BGP_AF_VPNV4, .peer_as = asn };
	struct bgp_open o;
	struct bgp_err e;
	char s[128];

	seen_open |= type == BGP_MSG_OPEN;
	seen_keepalive |= type == BGP_MSG_KEEPALIVE;
	seen_notification |= type == BGP_MSG_NOTIFICATION;
	switch (type) {
	case BGP_MSG_OPEN:
		if (bgp_open_decode(body, len, &o, &e) == 0)
			printf("< OPEN as %u hold %u\n", o.asn, o.hold_time);
		else
			printf("< OPEN (malformed)\n");
		break;
	case BGP_MSG_UPDATE:
		if (bgp_update_decode(body, len, &ctx, upd, &e) == 0)
			printf("< UPDATE reach %zu unreach %zu\n", upd->n_reach, upd->n_unreach);
		else
			printf("< UPDATE (malformed)\n");
		break;
	case BGP_MSG_NOTIFICATION:
		if (bgp_notification_decode(body, len, &e) == 0)
			printf("< NOTIFICATION %u/%u (%s)\n", e.code, e.subcode,
			       bgp_err_format(e.code, e.subcode, s, sizeof(s)));
		break;
	default:
		printf("< %s\n", bgp_msg_type_name(type));
		break;
	}
}

/*
 * Reads for up to ms milliseconds, printing messages; returns the type of
 * the first message for which stop(type) is true, 0 on timeout, -1 when the
 * connection ended. KEEPALIVEs go out every 30 s meanwhile.
 */
static int read_until(uint64_t ms, bool (*stop)(uint8_t type))
{
	uint64_t deadline = now_ms() + ms;
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	struct bgp_hdr h;
	struct bgp_err e;

	for (;;) {
		while (rx_len >= BGP_HDR_LEN) {
			if (bgp_hdr_decode_ext(rx, &h, &e, true) < 0) {
				printf("junk %zu bytes\n", rx_len);
				return -1;
			}
			if (rx_len < h.len)
				break;
			print_message(h.type, rx + BGP_HDR_LEN, h.len - BGP_HDR_LEN);
			memmove(rx, rx + h.len, rx_len - h.len);
			rx_len -= h.len;
			fflush(stdout);
			if (stop && stop(h.type))
				return h.type;
		}
		uint64_t t = now_ms();
		if (t >= deadline)
			return 0;
		if (time(NULL) - last_tx >= 30 && send_keepalive() < 0)
			return -1;
		int left = (int)(deadline - t > 1000 ? 1000 : deadline - t);
		if (poll(&pfd, 1, left) <= 0)
			continue;
		ssize_t n = read(fd, rx + rx_len, sizeof(rx) - rx_len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			printf("%s\n", n == 0 ? "closed" : "reset");
			return -1;
		}
		rx_len += (size_t)n;
	}
}

static bool any_message(uint8_t t)
{
	(void)t;
	return true;
}

/* Reads until *flag is set (true) or a NOTIFICATION, the end or ms pass (false). */
static bool wait_for(const bool *flag, uint64_t ms)
{
	uint64_t deadline = now_ms() + ms;

	while (!*flag && !seen_notification) {
		uint64_t t = now_ms();

		if (t >= deadline || read_until(deadline - t, any_message) <= 0)
			break;
	}
	return *flag;
}

/* ---- connecting ---- */

static void sin_of(const char *s, struct sockaddr_in *sin)
{
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	if (inet_pton(AF_INET, s, &sin->sin_addr) != 1)
		usage();
}

static int md5_key(const struct sockaddr_in *peer, const char *key)
{
	struct tcp_md5sig sig;

	memset(&sig, 0, sizeof(sig));
	memcpy(&sig.tcpm_addr, peer, sizeof(*peer));
	sig.tcpm_keylen = (uint16_t)strlen(key);
	memcpy(sig.tcpm_key, key, sig.tcpm_keylen);
	return setsockopt(fd, IPPROTO_TCP, TCP_MD5SIG, &sig, sizeof(sig));
}

/* 0 connected, 1 timeout or refused (printed), -1 local error. */
static int connect_to(const char *src, const char *dst, int port, const char *key, int ttl,
		      int timeout_s)
{
	struct sockaddr_in s, d;
	struct pollfd pfd;
	int err = 0;
	socklen_t el = sizeof(err);

	sin_of(src, &s);
	sin_of(dst, &d);
	d.sin_port = htons((uint16_t)port);
	src_addr = ntohl(s.sin_addr.s_addr);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&s, sizeof(s)) < 0) {
		fprintf(stderr, "bgp_raw: bind %s: %s\n", src, strerror(errno));
		return -1;
	}
	if (key && md5_key(&d, key) < 0) {
		fprintf(stderr, "bgp_raw: TCP_MD5SIG: %s\n", strerror(errno));
		return -1;
	}
	if (ttl > 0 && setsockopt(fd, IPPROTO_IP, IP_TTL, &ttl, sizeof(ttl)) < 0) {
		fprintf(stderr, "bgp_raw: IP_TTL: %s\n", strerror(errno));
		return -1;
	}
	if (connect(fd, (struct sockaddr *)&d, sizeof(d)) < 0 && errno != EINPROGRESS) {
		printf("%s\n", errno == ECONNREFUSED ? "refused" : "timeout");
		return 1;
	}
	pfd = (struct pollfd){ .fd = fd, .events = POLLOUT };
	if (poll(&pfd, 1, timeout_s * 1000) <= 0) {
		printf("timeout\n");
		return 1;
	}
	getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el);
	if (err) {
		printf("%s\n", err == ECONNREFUSED ? "refused" : "timeout");
		return 1;
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	last_tx = time(NULL);
	printf("connected\n");
	fflush(stdout);
	return 0;
}

/* ---- routes ---- */

static void std_attrs(struct bgp_attrs *a, struct ext_community *rt, size_t n_rt)
{
	memset(a, 0, sizeof(*a));
	a->present = ATTR_BIT(ATTR_ORIGIN) | ATTR_BIT(ATTR_AS_PATH) | ATTR_BIT(ATTR_LOCAL_PREF);
	a->origin = ORIGIN_IGP;
	a->local_pref = 100;
	a->nexthop = src_addr;
	if (n_rt > 0) {
		a->present |= ATTR_BIT(ATTR_EXT_COMMUNITIES);
		a->ext = rt;
		a->n_ext = n_rt;
	}
}

static int announce(const struct bgp_vpn_nlri *n, size_t count, struct ext_community *rt,
		    size_t n_rt, size_t per_update)
{
	struct attr_ctx ctx = { .as4 = true, .afs = BGP_AF_VPNV4, .peer_as = asn };
	struct bgp_attrs a;
	struct wbuf w;
	int rc = 0;

	std_attrs(&a, rt, n_rt);
	wbuf_init(&w);
	while (count > 0 && rc >= 0) {
		int k = bgp_update_encode_reach(&w, &a, n, count < per_update ? count : per_update,
						&ctx);

		if (k <= 0 || send_buf(&w) < 0) {
			rc = -1;
			break;
		}
		wbuf_reset(&w);
		n += k;
		count -= (size_t)k;
	}
	wbuf_free(&w);
	return rc;
}

/* "RT,RT,..." into c[] (at most 8); the count, or -1. */
static int parse_rts(const char *list, struct ext_community c[8])
{
	char buf[256], *save = NULL;
	int n = 0;

	if (snprintf(buf, sizeof(buf), "%s", list) >= (int)sizeof(buf))
		return -1;
	for (char *t = strtok_r(buf, ",", &save); t != NULL; t = strtok_r(NULL, ",", &save))
		if (n == 8 || rt_parse(t, &c[n++]) < 0)
			return -1;
	return n;
}

static int cmd_route(const char *rd, const char *pfx, const char *label, const char *rts)
{
	struct bgp_vpn_nlri n;
	struct ext_community c[8];
	int n_rt = rts != NULL ? parse_rts(rts, c) : 0;

	if (rd_parse(rd, &n.rd) < 0 || prefix4_parse(pfx, &n.prefix) < 0 || n_rt < 0) {
		fprintf(stderr, "bgp_raw: route: bad RD, prefix or RT (want RT[,RT...], up to 8)\n");
		return -1;
	}
	n.label = (uint32_t)strtoul(label, NULL, 10);
	return announce(&n, 1, c, (size_t)n_rt, 1);
}

static int cmd_withdraw(const char *rd, const char *pfx)
{
	struct bgp_vpn_nlri n = { 0 };
	struct wbuf w;
	int rc;

	if (rd_parse(rd, &n.rd) < 0 || prefix4_parse(pfx, &n.prefix) < 0)
		return -1;
	wbuf_init(&w);
	rc = bgp_update_encode_unreach(&w, &n, 1) < 0 ? -1 : send_buf(&w);
	wbuf_free(&w);
	return rc;
}

static int cmd_flood(unsigned count, unsigned per_update)
{
	struct bgp_vpn_nlri *n = calloc(count ? count : 1, sizeof(*n));
	int rc;

	if (n == NULL)
		return -1;
	for (unsigned i = 0; i < count; i++) {
		rd_parse("65000:999", &n[i].rd);
		n[i].prefix.addr = 0x0a000000u | (i & 0xffff) << 8;
		n[i].prefix.len = 24;
		n[i].label = 2000 + (i & 0xfffff);
	}
	rc = announce(n, count, NULL, 0, per_update ? per_update : count);
	free(n);
	if (rc == 0)
		printf("> %u routes, %u per UPDATE\n", count, per_update ? per_update : count);
	return rc;
}

/* ---- malformed UPDATEs (RFC 7606), all about 192.0.2.0/24 in RD 65000:777 ---- */

static void put_attr(struct wbuf *w, uint8_t flags, uint8_t type, const void *v, size_t len)
{
	wbuf_put_u8(w, flags);
	wbuf_put_u8(w, type);
	wbuf_put_u8(w, (uint8_t)len);
	wbuf_put_bytes(w, v, len);
}

/* MP_REACH_NLRI for the case route; flags, nhlen and nlri_bits may be broken on purpose. */
static void put_mp_reach(struct wbuf *w, uint8_t flags, uint8_t nhlen, uint8_t nlri_bits)
{
	uint8_t v[64], *p = v;
	uint32_t lab = 777u << 4 | 1;

	*p++ = 0, *p++ = BGP_AFI_IPV4, *p++ = BGP_SAFI_VPN, *p++ = nhlen;
	memset(p, 0, 8);
	p += 8;
	for (int i = 3; i >= 0; i--)
		*p++ = (uint8_t)(src_addr >> (8 * i));
	if (nhlen < 12)
		p -= 12 - nhlen;
	*p++ = 0; /* reserved */
	*p++ = nlri_bits;
	*p++ = (uint8_t)(lab >> 16), *p++ = (uint8_t)(lab >> 8), *p++ = (uint8_t)lab;
	*p++ = 0, *p++ = 0, *p++ = 0xfd, *p++ = 0xe8, *p++ = 0, *p++ = 0, *p++ = 0x03, *p++ = 0x09;
	*p++ = 192, *p++ = 0, *p++ = 2;
	put_attr(w, flags, ATTR_MP_REACH, v, (size_t)(p - v));
}

/* MP_UNREACH_NLRI withdrawing the case route (Compatibility field 0x800000). */
static void put_mp_unreach(struct wbuf *w)
{
	static const uint8_t v[] = { 0, BGP_AFI_IPV4, BGP_SAFI_VPN, 24 + 64 + 24, 0x80, 0, 0, 0, 0,
				     0xfd, 0xe8, 0, 0, 0x03, 0x09, 192, 0, 2 };

	put_attr(w, ATTR_F_OPTIONAL, ATTR_MP_UNREACH, v, sizeof(v));
}

enum brk {
	B_NONE, B_ORIGIN_VALUE, B_ORIGIN_FLAGS, B_ORIGIN_LEN, B_ASPATH_OVERRUN, B_MED_LEN,
	B_LP_LEN, B_EXT_LEN, B_NO_ORIGIN, B_NO_ASPATH, B_AGGR_LEN, B_ATOMIC_LEN, B_MP_NLRI,
	B_MP_NHLEN, B_MP_TWICE, B_UNKNOWN_WK, B_OVERRUN_FIRST, B_OVERRUN_AFTER_MP,
	B_WITHDRAWN_OVERRUN, B_MP_FLAGS, B_UNREACH_MED,
};

struct rcase {
	const char *name;
	enum brk brk;
	const char *outcome; /* what bgpd documents (docs/bgp.md, RFC 7606 table) */
};

static const struct rcase cases[] = {
	{ "valid", B_NONE, "route installed" },
	{ "origin-value", B_ORIGIN_VALUE, "treat-as-withdraw" },
	{ "origin-flags", B_ORIGIN_FLAGS, "treat-as-withdraw" },
	{ "origin-length", B_ORIGIN_LEN, "treat-as-withdraw" },
	{ "aspath-overrun", B_ASPATH_OVERRUN, "treat-as-withdraw" },
	{ "med-length", B_MED_LEN, "treat-as-withdraw" },
	{ "local-pref-length", B_LP_LEN, "treat-as-withdraw (iBGP)" },
	{ "ext-communities-length", B_EXT_LEN, "treat-as-withdraw" },
	{ "missing-origin", B_NO_ORIGIN, "treat-as-withdraw" },
	{ "missing-as-path", B_NO_ASPATH, "treat-as-withdraw" },
	{ "aggregator-length", B_AGGR_LEN, "attribute discard (route installed)" },
	{ "atomic-aggregate-length", B_ATOMIC_LEN, "attribute discard (route installed)" },
	{ "overrun-after-mp", B_OVERRUN_AFTER_MP, "treat-as-withdraw" },
	{ "mp-nlri-length", B_MP_NLRI, "session reset 3/9" },
	{ "mp-nexthop-length", B_MP_NHLEN, "session reset 3/9" },
	{ "mp-reach-twice", B_MP_TWICE, "session reset 3/1" },
	{ "unknown-well-known", B_UNKNOWN_WK, "session reset 3/2" },
	{ "overrun-first", B_OVERRUN_FIRST, "session reset 3/5" },
	{ "withdrawn-overrun", B_WITHDRAWN_OVERRUN, "session reset 3/1" },
	{ "mp-reach-flags", B_MP_FLAGS, "session reset 3/4 (RFC 7606 §5.3)" },
	{ "unreach-med-length", B_UNREACH_MED, "session reset 3/5 (nothing announced, §5.2)" },
};

static void case_attrs(struct wbuf *w, enum brk b)
{
	static const uint8_t lp[4] = { 0, 0, 0, 100 }, med[4] = { 0, 0, 0, 5 };
	static const uint8_t rt[8] = { 0, 2, 0xfd, 0xe8, 0, 0, 0x03, 0x09 }; /* 65000:777 */
	static const uint8_t aggr[8] = { 0, 0, 0xfd, 0xe8, 192, 0, 2, 1 };
	uint8_t origin = b == B_ORIGIN_VALUE ? 5 : ORIGIN_IGP, o2[2] = { 0, 0 };
	uint8_t path[6] = { ASPATH_SEQUENCE, 3, 0, 0, 0xfd, 0xe9 }; /* claims 3 ASes, holds 1 */

	if (b == B_UNREACH_MED) { /* a withdrawal with a broken MED beside it */
		put_mp_unreach(w);
		put_attr(w, ATTR_F_OPTIONAL, ATTR_MED, med, 3);
		return;
	}
	if (b == B_OVERRUN_FIRST) { /* ORIGIN claims 40 bytes: nothing after it can be trusted */
		wbuf_put_u8(w, ATTR_F_TRANSITIVE);
		wbuf_put_u8(w, ATTR_ORIGIN);
		wbuf_put_u8(w, 40);
		wbuf_put_u8(w, 0);
		return;
	}
	if (b != B_NO_ORIGIN)
		put_attr(w, b == B_ORIGIN_FLAGS ? ATTR_F_OPTIONAL | ATTR_F_TRANSITIVE : ATTR_F_TRANSITIVE,
			 ATTR_ORIGIN, b == B_ORIGIN_LEN ? o2 : &origin, b == B_ORIGIN_LEN ? 2 : 1);
	if (b == B_ASPATH_OVERRUN)
		put_attr(w, ATTR_F_TRANSITIVE, ATTR_AS_PATH, path, sizeof(path));
	else if (b != B_NO_ASPATH)
		put_attr(w, ATTR_F_TRANSITIVE, ATTR_AS_PATH, NULL, 0);
	put_attr(w, ATTR_F_TRANSITIVE, ATTR_LOCAL_PREF, lp, b == B_LP_LEN ? 2 : 4);
	if (b == B_MED_LEN)
		put_attr(w, ATTR_F_OPTIONAL, ATTR_MED, med, 3);
	if (b == B_AGGR_LEN)
		put_attr(w, ATTR_F_OPTIONAL | ATTR_F_TRANSITIVE, ATTR_AGGREGATOR, aggr, 5);
	if (b == B_ATOMIC_LEN)
		put_attr(w, ATTR_F_TRANSITIVE, ATTR_ATOMIC_AGGREGATE, aggr, 1);
	if (b == B_UNKNOWN_WK)
		put_attr(w, ATTR_F_TRANSITIVE, 40, aggr, 2);
	put_attr(w, ATTR_F_OPTIONAL | ATTR_F_TRANSITIVE, ATTR_EXT_COMMUNITIES, rt,
		 b == B_EXT_LEN ? 7 : 8);
	put_mp_reach(w, b == B_MP_FLAGS ? ATTR_F_OPTIONAL | ATTR_F_TRANSITIVE : ATTR_F_OPTIONAL,
		     b == B_MP_NHLEN ? 4 : 12, b == B_MP_NLRI ? 200 : 24 + 64 + 24);
	if (b == B_MP_TWICE)
		put_mp_reach(w, ATTR_F_OPTIONAL, 12, 24 + 64 + 24);
	if (b == B_OVERRUN_AFTER_MP) { /* MED claims 30 bytes: the routes are known by now */
		wbuf_put_u8(w, ATTR_F_OPTIONAL);
		wbuf_put_u8(w, ATTR_MED);
		wbuf_put_u8(w, 30);
		wbuf_put_bytes(w, med, 4);
	}
}

static int cmd_case(const char *name)
{
	const struct rcase *c = NULL;
	struct wbuf attrs, body;
	int rc;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (strcmp(cases[i].name, name) == 0)
			c = &cases[i];
	if (c == NULL) {
		fprintf(stderr, "bgp_raw: no case '%s' (bgp_raw -l)\n", name);
		return -1;
	}
	wbuf_init(&attrs);
	wbuf_init(&body);
	case_attrs(&attrs, c->brk);
	wbuf_put_u16(&body, c->brk == B_WITHDRAWN_OVERRUN ? 200 : 0);
	wbuf_put_u16(&body, (uint16_t)attrs.len);
	wbuf_put_bytes(&body, attrs.data, attrs.len);
	rc = send_update_body(body.data, body.len);
	wbuf_free(&attrs);
	wbuf_free(&body);
	if (rc == 0)
		printf("> case %s (expect: %s)\n", c->name, c->outcome);
	return rc;
}

/* ---- main ---- */

static int run(int argc, char **argv)
{
	for (int i = 0; i < argc; i++) {
		const char *c = argv[i];
		int rc = 0;
		bool need = false;

#define ARGS(n)                                  \
	do {                                     \
		if (i + (n) >= argc)             \
			usage();                 \
	} while (0)
		fflush(stdout);
		if (strcmp(c, "establish") == 0) {
			uint64_t ms = (uint64_t)wait_s * 1000;

			if (send_open() < 0 || !wait_for(&seen_open, ms) || send_keepalive() < 0 ||
			    !wait_for(&seen_keepalive, ms)) {
				printf("not established\n");
				return 1;
			}
			printf("established\n");
		} else if (strcmp(c, "route") == 0) {
			ARGS(3);
			need = i + 4 < argc && strchr(argv[i + 4], ':') != NULL;
			rc = cmd_route(argv[i + 1], argv[i + 2], argv[i + 3], need ? argv[i + 4] : NULL);
			i += need ? 4 : 3;
		} else if (strcmp(c, "withdraw") == 0) {
			ARGS(2);
			rc = cmd_withdraw(argv[i + 1], argv[i + 2]);
			i += 2;
		} else if (strcmp(c, "flood") == 0) {
			ARGS(1);
			need = i + 2 < argc && argv[i + 2][0] >= '0' && argv[i + 2][0] <= '9';
			rc = cmd_flood((unsigned)strtoul(argv[i + 1], NULL, 10),
				       need ? (unsigned)strtoul(argv[i + 2], NULL, 10) : 0);
			i += need ? 2 : 1;
		} else if (strcmp(c, "case") == 0) {
			ARGS(1);
			rc = cmd_case(argv[++i]);
		} else if (strcmp(c, "read") == 0 || strcmp(c, "hold") == 0) {
			ARGS(1);
			rc = read_until(strtoull(argv[++i], NULL, 10) * 1000, NULL) < 0 ? -1 : 0;
		} else if (strcmp(c, "expect-close") == 0) {
			ARGS(1);
			if (read_until(strtoull(argv[++i], NULL, 10) * 1000, NULL) != -1) {
				printf("still open\n");
				return 1;
			}
		} else {
			fprintf(stderr, "bgp_raw: unknown command '%s'\n", c);
			usage();
		}
		if (rc < 0)
			return 1;
	}
	fflush(stdout);
	return 0;
}

/* Commands from stdin, one per line; what arrives meanwhile is printed. */
static int interactive(void)
{
	char line[512], *argv[16];
	size_t have = 0;

	for (;;) {
		struct pollfd pfd[2] = { { .fd = 0, .events = POLLIN }, { .fd = fd, .events = POLLIN } };
		char *nl;

		if (poll(pfd, fd >= 0 ? 2 : 1, 1000) < 0 && errno != EINTR)
			return 1;
		if (fd >= 0 && (pfd[1].revents & (POLLIN | POLLHUP | POLLERR)) &&
		    read_until(1, NULL) < 0) {
			close(fd);
			fd = -1; /* the session is gone; commands now fail */
		}
		if (fd >= 0 && time(NULL) - last_tx >= 30)
			send_keepalive();
		if (!(pfd[0].revents & (POLLIN | POLLHUP)))
			continue;
		ssize_t n = read(0, line + have, sizeof(line) - 1 - have);
		if (n <= 0)
			return 0;
		have += (size_t)n;
		line[have] = '\0';
		while ((nl = strchr(line, '\n')) != NULL) {
			int argc = 0, rc;
			char *tok, *save = NULL;

			*nl = '\0';
			for (tok = strtok_r(line, " \t", &save); tok && argc < 16;
			     tok = strtok_r(NULL, " \t", &save))
				argv[argc++] = tok;
			rc = fd < 0 ? 1 : run(argc, argv);
			printf("%s\n", rc == 0 ? "done" : "failed");
			fflush(stdout);
			have -= (size_t)(nl + 1 - line);
			memmove(line, nl + 1, have + 1);
		}
	}
}

int main(int argc, char **argv)
{
	const char *src = NULL, *dst = NULL, *key = NULL;
	int port = 179, ttl = 0, timeout_s = 5, c, rc;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((c = getopt(argc, argv, "+s:d:p:a:P:T:t:lh")) != -1) {
		switch (c) {
		case 's': src = optarg; break;
		case 'd': dst = optarg; break;
		case 'p': port = atoi(optarg); break;
		case 'a': asn = (uint32_t)strtoul(optarg, NULL, 10); break;
		case 'P': key = optarg; break;
		case 'T': ttl = atoi(optarg); break;
		case 't': timeout_s = atoi(optarg); break;
		case 'l':
			for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
				printf("%-24s %s\n", cases[i].name, cases[i].outcome);
			return 0;
		default: usage();
		}
	}
	if (!src || !dst || port <= 0 || port > 65535 || timeout_s <= 0 || ttl < 0 || ttl > 255)
		usage();
	if ((upd = bgp_update_new()) == NULL)
		return 1;
	rc = connect_to(src, dst, port, key, ttl, timeout_s);
	if (rc != 0)
		return rc < 0 ? 2 : 1;
	wait_s = timeout_s;
	rc = optind < argc ? run(argc - optind, argv + optind) : interactive();
	close(fd);
	bgp_update_free(upd);
	return rc;
}
