/*
 * The RFC 7606 malformed-UPDATE table (FRR test_mp_attr.c style): each row is
 * the bytes of one path attribute and what must come of it, on an iBGP and
 * on an eBGP session: parse, treat-as-withdraw, attribute discard, or session
 * reset with its NOTIFICATION subcode. Every row is decoded five times, the
 * attribute put first, second, third, just before MP_REACH_NLRI and last, so
 * the outcome never depends on attribute order. A second table holds whole
 * UPDATE bodies for what is not one attribute (section lengths, overruns,
 * duplicates, the NLRI fields, 2-octet AS sessions).
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <string.h>

#include "bgpd/attr.h"

/* In the order of enum attr_action. */
enum outcome { PARSE, DISCARD, WITHDRAW, RESET };

static const char *const outcome_name[] = { "parse", "attribute discard", "treat-as-withdraw",
					    "session reset" };

static const struct attr_ctx ibgp = { .as4 = true, .afs = BGP_AF_VPNV4, .peer_as = 65000 };
static const struct attr_ctx ebgp = { .as4 = true, .afs = BGP_AF_VPNV4, .ebgp = true,
				      .peer_as = 65001 };
static const struct attr_ctx ebgp2 = { .as4 = false, .afs = BGP_AF_VPNV4, .ebgp = true,
				       .peer_as = 65001 };

struct row {
	char what[64]; /* an array: parameters are copied to the test process */
	uint8_t bytes[48];
	uint8_t len;
	enum outcome ibgp, ebgp;
	uint8_t sub;     /* UPDATE error subcode (withdraw/discard: the logged one) */
	int8_t n_reach;  /* routes announced after decoding, -1: 1 (the base route) */
};

/* ---- the base UPDATE the probe goes into ---- */

/* 65000:1 10.1.0.0/16 label 100, next hop 10.0.0.1 */
#define MP_REACH_OK                                                                           \
	0x80, 14, 31, 0, 1, 128, 12, 0, 0, 0, 0, 0, 0, 0, 0, 10, 0, 0, 1, 0, 104, 0, 6, 0x41, 0, \
		0, 0xfd, 0xe8, 0, 0, 0, 1, 10, 1
/* MP_REACH_NLRI for VPN-IPv4, next hop 10.0.0.1, up to the NLRI: len = 17 + NLRI bytes */
#define MP_REACH_HDR(len) 0x80, 14, len, 0, 1, 128, 12, 0, 0, 0, 0, 0, 0, 0, 0, 10, 0, 0, 1, 0

struct base_attr {
	uint8_t type;
	uint8_t bytes[40];
	uint8_t len;
};

static const struct base_attr base_attrs[] = {
	{ ATTR_ORIGIN, { 0x40, 1, 1, 0 }, 4 },
	{ ATTR_AS_PATH, { 0x40, 2, 6, 2, 1, 0, 0, 0xfd, 0xe9 }, 9 }, /* 65001: fine for eBGP too */
	{ ATTR_LOCAL_PREF, { 0x40, 5, 4, 0, 0, 0, 100 }, 7 },
	{ ATTR_MP_REACH, { MP_REACH_OK }, 34 },
};
#define N_BASE (sizeof(base_attrs) / sizeof(base_attrs[0]))

/*
 * Builds an UPDATE body: the base attributes (minus any of the probe's type)
 * with the probe inserted before base attribute `pos` (N_BASE: last).
 */
static size_t build(uint8_t *b, const struct row *r, size_t pos)
{
	size_t off = 4, n = 0;

	for (size_t i = 0; i <= N_BASE; i++) {
		if (i == pos) {
			memcpy(b + off, r->bytes, r->len);
			off += r->len;
		}
		if (i == N_BASE || base_attrs[i].type == r->bytes[1])
			continue;
		memcpy(b + off, base_attrs[i].bytes, base_attrs[i].len);
		off += base_attrs[i].len;
		n++;
	}
	b[0] = b[1] = 0;
	b[2] = (uint8_t)((off - 4) >> 8);
	b[3] = (uint8_t)(off - 4);
	return off;
}

static void check(const char *what, const char *where, const struct attr_ctx *ctx,
		  const uint8_t *b, size_t len, enum outcome want, uint8_t sub, int n_reach)
{
	struct bgp_update *u = bgp_update_new();
	struct bgp_err e = { 0 };
	int rc = bgp_update_decode(b, len, ctx, u, &e);
	const char *who = ctx->ebgp ? "eBGP" : "iBGP";

	if (want == RESET) {
		cr_assert_eq(rc, -1, "%s (%s, %s): want %s, got rc %d action %d", what, who, where,
			     outcome_name[want], rc, u->action);
		cr_assert_eq(e.code, BGP_ERR_UPDATE, "%s (%s, %s): code %u", what, who, where, e.code);
		cr_assert_eq(e.subcode, sub, "%s (%s, %s): subcode %u, want %u", what, who, where,
			     e.subcode, sub);
		bgp_update_free(u);
		return;
	}
	cr_assert_eq(rc, 0, "%s (%s, %s): want %s, got a reset %u/%u", what, who, where,
		     outcome_name[want], e.code, e.subcode);
	cr_assert_eq(u->action, (enum attr_action)want, "%s (%s, %s): want %s, got %s", what, who,
		     where, outcome_name[want], outcome_name[u->action]);
	if (want != PARSE)
		cr_assert_eq(u->withdraw_err.subcode, sub, "%s (%s, %s): subcode %u, want %u", what,
			     who, where, u->withdraw_err.subcode, sub);
	/* treat-as-withdraw must know the routes it withdraws */
	cr_assert_eq((int)u->n_reach, n_reach, "%s (%s, %s): %zu routes, want %d", what, who,
		     where, u->n_reach, n_reach);
	bgp_update_free(u);
}

static void run_row(const struct row *r)
{
	static const char *const where[] = { "first", "second", "third", "before MP_REACH",
					     "last" };
	uint8_t b[512];

	for (size_t pos = 0; pos <= N_BASE; pos++) {
		size_t len = build(b, r, pos);
		int n = r->n_reach < 0 ? 1 : r->n_reach;

		check(r->what, where[pos], &ibgp, b, len, r->ibgp, r->sub, n);
		check(r->what, where[pos], &ebgp, b, len, r->ebgp, r->sub, n);
	}
}

#define W WITHDRAW
#define D DISCARD
#define P PARSE
#define R RESET
#define LEN BGP_ERR_UPD_LENGTH
#define FLAGS BGP_ERR_UPD_FLAGS
#define OPT BGP_ERR_UPD_OPTIONAL
#define ROW(what, i, e, sub, ...) \
	{ what, { __VA_ARGS__ }, sizeof((uint8_t[]){ __VA_ARGS__ }), i, e, sub, -1 }
#define ROWN(what, i, e, sub, n, ...) \
	{ what, { __VA_ARGS__ }, sizeof((uint8_t[]){ __VA_ARGS__ }), i, e, sub, n }

static struct row rows[] = {
	/* ORIGIN (§7.1) */
	ROW("ORIGIN good", P, P, 0, 0x40, 1, 1, 2),
	ROW("ORIGIN length 0", W, W, LEN, 0x40, 1, 0),
	ROW("ORIGIN length 2", W, W, LEN, 0x40, 1, 2, 0, 0),
	ROW("ORIGIN value 3", W, W, BGP_ERR_UPD_ORIGIN, 0x40, 1, 1, 3),
	ROW("ORIGIN optional flag", W, W, FLAGS, 0xc0, 1, 1, 0),
	ROW("ORIGIN partial bit", W, W, FLAGS, 0x60, 1, 1, 0),
	ROW("ORIGIN extended length 1", P, P, 0, 0x50, 1, 0, 1, 0),
	/* AS_PATH (§7.2) */
	ROW("AS_PATH segment overrun", W, W, BGP_ERR_UPD_ASPATH, 0x40, 2, 6, 2, 2, 0, 0, 0xfd, 0xe9),
	ROW("AS_PATH segment count 0", W, W, BGP_ERR_UPD_ASPATH, 0x40, 2, 2, 2, 0),
	ROW("AS_PATH segment type 5", W, W, BGP_ERR_UPD_ASPATH, 0x40, 2, 6, 5, 1, 0, 0, 0xfd, 0xe9),
	ROW("AS_PATH trailing octet", W, W, BGP_ERR_UPD_ASPATH, 0x40, 2, 7, 2, 1, 0, 0, 0xfd, 0xe9,
	    0),
	ROW("AS_PATH lone segment header octet", W, W, BGP_ERR_UPD_ASPATH, 0x40, 2, 1, 2),
	ROW("AS_PATH confederation segment", P, W, BGP_ERR_UPD_ASPATH, 0x40, 2, 6, 3, 1, 0, 0, 0xfd,
	    0xe9),
	ROW("AS_PATH not starting with the eBGP peer's AS", P, W, BGP_ERR_UPD_ASPATH, 0x40, 2, 6, 2,
	    1, 0, 0, 0xfd, 0xea),
	ROW("AS_PATH empty (eBGP needs the peer's AS)", P, W, BGP_ERR_UPD_ASPATH, 0x40, 2, 0),
	ROW("AS_PATH optional flag", W, W, FLAGS, 0xc0, 2, 6, 2, 1, 0, 0, 0xfd, 0xe9),
	ROW("AS_PATH transitive bit clear", W, W, FLAGS, 0x00, 2, 6, 2, 1, 0, 0, 0xfd, 0xe9),
	ROW("AS_PATH with AS_SET", P, P, 0, 0x40, 2, 12, 2, 1, 0, 0, 0xfd, 0xe9, 1, 1, 0, 0, 0xfd,
	    0xea),
	/*
	 * NEXT_HOP (§7.3): only plain IPv4 NLRI use it. Beside MP_REACH alone its
	 * value is ignored (RFC 4760 §3), but a malformed one still withdraws.
	 */
	ROW("NEXT_HOP good", P, P, 0, 0x40, 3, 4, 10, 0, 0, 1),
	ROW("NEXT_HOP length 3", W, W, LEN, 0x40, 3, 3, 10, 0, 0),
	ROW("NEXT_HOP length 5", W, W, LEN, 0x40, 3, 5, 10, 0, 0, 1, 0),
	ROW("NEXT_HOP 0.0.0.0 beside MP_REACH: ignored", P, P, 0, 0x40, 3, 4, 0, 0, 0, 0),
	ROW("NEXT_HOP multicast beside MP_REACH: ignored", P, P, 0, 0x40, 3, 4, 224, 0, 0, 1),
	ROW("NEXT_HOP optional flag", W, W, FLAGS, 0xc0, 3, 4, 10, 0, 0, 1),
	/* MULTI_EXIT_DISC (§7.4) */
	ROW("MED good", P, P, 0, 0x80, 4, 4, 0, 0, 0, 7),
	ROW("MED length 3", W, W, LEN, 0x80, 4, 3, 0, 0, 7),
	ROW("MED length 5", W, W, LEN, 0x80, 4, 5, 0, 0, 0, 0, 7),
	ROW("MED transitive flag", W, W, FLAGS, 0xc0, 4, 4, 0, 0, 0, 7),
	ROW("MED well-known flags", W, W, FLAGS, 0x40, 4, 4, 0, 0, 0, 7),
	/* LOCAL_PREF (§7.5): from an external peer discarded whatever its form */
	ROW("LOCAL_PREF good", P, P, 0, 0x40, 5, 4, 0, 0, 0, 200),
	ROW("LOCAL_PREF length 3", W, P, LEN, 0x40, 5, 3, 0, 0, 200),
	ROW("LOCAL_PREF length 0", W, P, LEN, 0x40, 5, 0),
	ROW("LOCAL_PREF optional flag", W, P, FLAGS, 0xc0, 5, 4, 0, 0, 0, 200),
	/* ATOMIC_AGGREGATE (§7.6) */
	ROW("ATOMIC_AGGREGATE good", P, P, 0, 0x40, 6, 0),
	ROW("ATOMIC_AGGREGATE length 1", D, D, LEN, 0x40, 6, 1, 0),
	ROW("ATOMIC_AGGREGATE optional flag", W, W, FLAGS, 0xc0, 6, 0),
	/* AGGREGATOR (§7.7), 4-octet session: 8 octets */
	ROW("AGGREGATOR good", P, P, 0, 0xc0, 7, 8, 0, 0, 0xfd, 0xe9, 10, 0, 0, 1),
	ROW("AGGREGATOR length 6 on a 4-octet session", D, D, LEN, 0xc0, 7, 6, 0xfd, 0xe9, 10, 0, 0,
	    1),
	ROW("AGGREGATOR length 0", D, D, LEN, 0xc0, 7, 0),
	ROW("AGGREGATOR non-transitive flag", W, W, FLAGS, 0x80, 7, 8, 0, 0, 0xfd, 0xe9, 10, 0, 0, 1),
	ROW("AGGREGATOR partial bit is fine", P, P, 0, 0xe0, 7, 8, 0, 0, 0xfd, 0xe9, 10, 0, 0, 1),
	/* COMMUNITIES (§7.8) */
	ROW("COMMUNITIES good", P, P, 0, 0xc0, 8, 8, 0xfd, 0xe8, 0, 1, 0xff, 0xff, 0xff, 0x01),
	ROW("COMMUNITIES length 0", W, W, LEN, 0xc0, 8, 0),
	ROW("COMMUNITIES length 5", W, W, LEN, 0xc0, 8, 5, 0xfd, 0xe8, 0, 1, 0),
	ROW("COMMUNITIES well-known flags", W, W, FLAGS, 0x40, 8, 4, 0xfd, 0xe8, 0, 1),
	/* ORIGINATOR_ID (§7.9) and CLUSTER_LIST (§7.10): eBGP discards them unread */
	ROW("ORIGINATOR_ID good", P, P, 0, 0x80, 9, 4, 10, 0, 0, 9),
	ROW("ORIGINATOR_ID length 3", W, P, LEN, 0x80, 9, 3, 10, 0, 0),
	ROW("ORIGINATOR_ID length 8", W, P, LEN, 0x80, 9, 8, 10, 0, 0, 9, 10, 0, 0, 9),
	ROW("ORIGINATOR_ID transitive flag", W, P, FLAGS, 0xc0, 9, 4, 10, 0, 0, 9),
	ROW("CLUSTER_LIST good", P, P, 0, 0x80, 10, 8, 10, 0, 0, 9, 10, 0, 0, 8),
	ROW("CLUSTER_LIST length 0", W, P, LEN, 0x80, 10, 0),
	ROW("CLUSTER_LIST length 6", W, P, LEN, 0x80, 10, 6, 10, 0, 0, 9, 0, 0),
	ROW("CLUSTER_LIST well-known flags", W, P, FLAGS, 0x40, 10, 4, 10, 0, 0, 9),
	/* EXTENDED_COMMUNITIES (§7.14) */
	ROW("EXTENDED_COMMUNITIES good (RT + other)", P, P, 0, 0xc0, 16, 16, 0, 2, 0xfd, 0xe8, 0,
	    0, 0, 100, 0x03, 0x0c, 0, 0, 0, 0, 0, 8),
	ROW("EXTENDED_COMMUNITIES length 0", W, W, LEN, 0xc0, 16, 0),
	ROW("EXTENDED_COMMUNITIES length 12", W, W, LEN, 0xc0, 16, 12, 0, 2, 0xfd, 0xe8, 0, 0, 0,
	    100, 0, 0, 0, 0),
	ROW("EXTENDED_COMMUNITIES non-transitive flag", W, W, FLAGS, 0x80, 16, 8, 0, 2, 0xfd, 0xe8,
	    0, 0, 0, 100),
	/* LARGE_COMMUNITIES (RFC 8092 §5) */
	ROW("LARGE_COMMUNITIES good", P, P, 0, 0xc0, 32, 12, 0, 0, 0xfd, 0xe8, 0, 0, 0, 1, 0, 0, 0,
	    2),
	ROW("LARGE_COMMUNITIES length 0", W, W, LEN, 0xc0, 32, 0),
	ROW("LARGE_COMMUNITIES length 8", W, W, LEN, 0xc0, 32, 8, 0, 0, 0xfd, 0xe8, 0, 0, 0, 1),
	ROW("LARGE_COMMUNITIES length 13", W, W, LEN, 0xc0, 32, 13, 0, 0, 0xfd, 0xe8, 0, 0, 0, 1, 0,
	    0, 0, 2, 0),
	ROW("LARGE_COMMUNITIES non-transitive flag", W, W, FLAGS, 0x80, 32, 12, 0, 0, 0xfd, 0xe8, 0,
	    0, 0, 1, 0, 0, 0, 2),
	/* AS4_PATH / AS4_AGGREGATOR from a 4-octet speaker mean nothing (RFC 6793 §4.2.2) */
	ROW("AS4_PATH from a 4-octet speaker, malformed", P, P, 0, 0xc0, 17, 3, 2, 1, 0),
	ROW("AS4_AGGREGATOR from a 4-octet speaker, length 2", P, P, 0, 0xc0, 18, 2, 0, 0),
	ROW("AS4_PATH well-known flags", W, W, FLAGS, 0x40, 17, 6, 2, 1, 0, 0, 0xfd, 0xe9),
	/* MP_REACH_NLRI (§7.11, RFC 4760 §7): replaces the base one */
	ROWN("MP_REACH next hop length 4", R, R, OPT, 0, 0x80, 14, 13, 0, 1, 128, 4, 10, 0, 0, 1, 0,
	     88, 0, 6, 0x41),
	ROWN("MP_REACH next hop length 16", R, R, OPT, 0, 0x80, 14, 21, 0, 1, 128, 16, 0, 0, 0, 0, 0,
	     0, 0, 0, 10, 0, 0, 1, 0, 0, 0, 0, 0),
	ROWN("MP_REACH next hop length past the attribute", R, R, OPT, 0, 0x80, 14, 8, 0, 1, 128, 12,
	     0, 0, 0, 0),
	ROWN("MP_REACH only an AFI", R, R, OPT, 0, 0x80, 14, 2, 0, 1),
	ROWN("MP_REACH without the reserved octet", R, R, OPT, 0, 0x80, 14, 16, 0, 1, 128, 12, 0, 0,
	     0, 0, 0, 0, 0, 0, 10, 0, 0, 1),
	ROWN("VPN-IPv4 prefix length 121 bits (/33)", R, R, OPT, 0, MP_REACH_HDR(34), 121, 0, 6,
	     0x41, 0, 0, 0xfd, 0xe8, 0, 0, 0, 1, 10, 1, 0, 0, 0),
	ROWN("VPN-IPv4 length 80 bits (< label + RD)", R, R, OPT, 0, MP_REACH_HDR(28), 80, 0, 6,
	     0x41, 0, 0, 0xfd, 0xe8, 0, 0, 0),
	ROWN("VPN-IPv4 length 0", R, R, OPT, 0, MP_REACH_HDR(18), 0),
	ROWN("VPN-IPv4 label truncated", R, R, OPT, 0, MP_REACH_HDR(20), 104, 0, 6),
	ROWN("VPN-IPv4 RD truncated", R, R, OPT, 0, MP_REACH_HDR(25), 104, 0, 6, 0x41, 0, 0, 0xfd,
	     0xe8),
	ROWN("VPN-IPv4 prefix octets missing", R, R, OPT, 0, MP_REACH_HDR(30), 104, 0, 6, 0x41, 0,
	     0, 0xfd, 0xe8, 0, 0, 0, 1, 10),
	ROWN("VPN-IPv4 second NLRI truncated", R, R, OPT, 0, MP_REACH_HDR(33), 104, 0, 6, 0x41, 0,
	     0, 0xfd, 0xe8, 0, 0, 0, 1, 10, 1, 104, 0),
	ROWN("VPN-IPv4 /0 and /32 are fine", P, P, 0, 2, MP_REACH_HDR(45), 88, 0, 6, 0x41, 0, 0,
	     0xfd, 0xe8, 0, 0, 0, 1, 120, 0, 6, 0x51, 0, 1, 10, 0, 0, 1, 0, 7, 10, 1, 2, 3),
	/* §5.3: flags other than RFC 4760's make an MP attribute incorrect: reset, not §3(c) */
	ROWN("MP_REACH transitive flag", R, R, FLAGS, 0, 0xc0, 14, 31, 0, 1, 128, 12, 0, 0, 0, 0, 0,
	     0, 0, 0, 10, 0, 0, 1, 0, 104, 0, 6, 0x41, 0, 0, 0xfd, 0xe8, 0, 0, 0, 1, 10, 1),
	ROWN("MP_REACH Partial bit", R, R, FLAGS, 0, 0xa0, 14, 31, 0, 1, 128, 12, 0, 0, 0, 0, 0, 0,
	     0, 0, 10, 0, 0, 1, 0, 104, 0, 6, 0x41, 0, 0, 0xfd, 0xe8, 0, 0, 0, 1, 10, 1),
	ROWN("MP_REACH well-known flags", R, R, FLAGS, 0, 0x40, 14, 31, 0, 1, 128, 12, 0, 0, 0, 0,
	     0, 0, 0, 0, 10, 0, 0, 1, 0, 104, 0, 6, 0x41, 0, 0, 0xfd, 0xe8, 0, 0, 0, 1, 10, 1),
	ROW("MP_REACH next hop 0.0.0.0", W, W, BGP_ERR_UPD_NEXTHOP, 0x80, 14, 31, 0, 1, 128, 12, 0,
	    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 104, 0, 6, 0x41, 0, 0, 0xfd, 0xe8, 0, 0, 0, 1, 10, 1),
	ROWN("MP_REACH of a family not negotiated (IPv6 unicast)", P, P, 0, 0, 0x80, 14, 22, 0, 2, 1,
	     16, 0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0),
	/* MP_UNREACH_NLRI (§7.12): added beside the base MP_REACH */
	ROW("MP_UNREACH good", P, P, 0, 0x80, 15, 17, 0, 1, 128, 104, 0x80, 0, 0, 0, 0, 0xfd, 0xe8,
	    0, 0, 0, 2, 10, 2),
	ROW("MP_UNREACH NLRI length 130 bits", R, R, OPT, 0x80, 15, 17, 0, 1, 128, 130, 0x80, 0, 0,
	    0, 0, 0xfd, 0xe8, 0, 0, 0, 2, 10, 2),
	ROW("MP_UNREACH NLRI truncated RD", R, R, OPT, 0x80, 15, 8, 0, 1, 128, 104, 0x80, 0, 0, 0),
	ROW("MP_UNREACH only an AFI", R, R, OPT, 0x80, 15, 2, 0, 1),
	ROW("MP_UNREACH transitive flag", R, R, FLAGS, 0xc0, 15, 17, 0, 1, 128, 104, 0x80, 0, 0, 0,
	    0, 0xfd, 0xe8, 0, 0, 0, 2, 10, 2),
	ROW("MP_UNREACH extended length on a short one is fine", P, P, 0, 0x90, 15, 0, 17, 0, 1, 128,
	    104, 0x80, 0, 0, 0, 0, 0xfd, 0xe8, 0, 0, 0, 2, 10, 2),
	/* unknown attributes (RFC 4271 §6.3) */
	ROW("unknown well-known attribute", R, R, BGP_ERR_UPD_UNKNOWN_WK, 0x40, 99, 1, 0),
	ROW("unknown optional transitive: kept", P, P, 0, 0xc0, 99, 2, 1, 2),
	ROW("unknown optional non-transitive: dropped", P, P, 0, 0x80, 99, 2, 1, 2),
};

ParameterizedTestParameters(bgpd_rfc7606, attribute)
{
	return cr_make_param_array(struct row, rows, sizeof(rows) / sizeof(rows[0]));
}

ParameterizedTest(struct row *r, bgpd_rfc7606, attribute)
{
	run_row(r);
}

/* ---- whole UPDATE bodies ---- */

struct body {
	char what[64]; /* an array: parameters are copied to the test process */
	uint8_t bytes[96];
	uint8_t len;
	int ctx; /* 0: both iBGP and eBGP; 2: eBGP, 2-octet AS (no pointers: params are copied) */
	enum outcome out;
	uint8_t sub;
	int8_t n_reach;
};

#define BODY(what, ctx, out, sub, n, ...) \
	{ what, { __VA_ARGS__ }, sizeof((uint8_t[]){ __VA_ARGS__ }), ctx, out, sub, n }
#define ORIGIN_OK 0x40, 1, 1, 0
#define ASPATH_OK 0x40, 2, 6, 2, 1, 0, 0, 0xfd, 0xe9
#define HDR(alen) 0, 0, 0, alen
/* withdraws 65000:2 10.2.0.0/16 */
#define MP_UNREACH_OK 0x80, 15, 17, 0, 1, 128, 104, 0x80, 0, 0, 0, 0, 0xfd, 0xe8, 0, 0, 0, 2, 10, 2

static struct body bodies[] = {
	BODY("withdrawn routes length past the message", 0, R, BGP_ERR_UPD_ATTR_LIST, 0, 0, 50, 0,
	     0),
	BODY("total attribute length past the message", 0, R, BGP_ERR_UPD_ATTR_LIST, 0, 0, 0, 0,
	     60, ORIGIN_OK),
	BODY("only one length octet", 0, R, BGP_ERR_UPD_ATTR_LIST, 0, 0, 0, 0),
	BODY("attribute overruns the section after MP_REACH (§4)", 0, W, BGP_ERR_UPD_LENGTH, 1,
	     HDR(4 + 9 + 34 + 5), ORIGIN_OK, ASPATH_OK, MP_REACH_OK, 0x80, 4, 9, 0, 0),
	BODY("attribute overruns the section, no routes known yet", 0, R, BGP_ERR_UPD_LENGTH, 0,
	     HDR(4 + 5), ORIGIN_OK, 0x80, 4, 9, 0, 0),
	BODY("3 octets left after MP_REACH, extended length (§4)", 0, W, BGP_ERR_UPD_LENGTH, 1,
	     HDR(4 + 9 + 34 + 3), ORIGIN_OK, ASPATH_OK, MP_REACH_OK, 0x90, 4, 0),
	BODY("2 octets left, no routes known", 0, R, BGP_ERR_UPD_LENGTH, 0, HDR(4 + 2), ORIGIN_OK,
	     0x80, 4),
	BODY("overrun with plain IPv4 NLRI after the section", 0, W, BGP_ERR_UPD_LENGTH, 0,
	     HDR(4 + 5), ORIGIN_OK, 0x80, 4, 9, 0, 0, 24, 10, 9, 9),
	BODY("missing ORIGIN", 0, W, BGP_ERR_UPD_MISSING_WK, 1, HDR(9 + 34), ASPATH_OK,
	     MP_REACH_OK),
	BODY("missing AS_PATH", 0, W, BGP_ERR_UPD_MISSING_WK, 1, HDR(4 + 34), ORIGIN_OK,
	     MP_REACH_OK),
	BODY("no routes: nothing is mandatory", 0, P, 0, 0, HDR(7), 0x80, 4, 4, 0, 0, 0, 1),
	BODY("MP_REACH twice", 0, R, BGP_ERR_UPD_ATTR_LIST, 0, HDR(4 + 9 + 68), ORIGIN_OK,
	     ASPATH_OK, MP_REACH_OK, MP_REACH_OK),
	BODY("MP_UNREACH twice", 0, R, BGP_ERR_UPD_ATTR_LIST, 0, HDR(12), 0x80, 15, 3, 0, 1, 128,
	     0x80, 15, 3, 0, 1, 128),
	BODY("other attribute twice: the first wins", 0, P, 0, 1, HDR(4 + 9 + 34 + 13), ORIGIN_OK,
	     ASPATH_OK, 0x80, 4, 4, 0, 0, 0, 1, MP_REACH_OK, 0x80, 4, 3, 0, 0, 1),
	BODY("End-of-RIB (empty MP_UNREACH)", 0, P, 0, 0, HDR(6), 0x80, 15, 3, 0, 1, 128),
	/* what real peers send must never meet §5.2's reset (below) */
	BODY("legacy End-of-RIB: an empty UPDATE", 0, P, 0, 0, 0, 0, 0, 0),
	BODY("End-of-RIB, MP_UNREACH with the extended length bit", 0, P, 0, 0, HDR(7), 0x90, 15,
	     0, 3, 0, 1, 128),
	BODY("MP_UNREACH alone: a withdrawal", 0, P, 0, 0, HDR(20), MP_UNREACH_OK),
	BODY("MP_UNREACH with ORIGIN, AS_PATH, NEXT_HOP 0.0.0.0: a withdrawal", 0, P, 0, 0,
	     HDR(20 + 4 + 9 + 7), MP_UNREACH_OK, ORIGIN_OK, ASPATH_OK, 0x40, 3, 4, 0, 0, 0, 0),
	/* §5.2: attributes but MP_UNREACH, no reachable NLRI: only a discard stays soft */
	BODY("MP_UNREACH and a malformed MED (§5.2)", 0, R, LEN, 0, HDR(20 + 6), MP_UNREACH_OK,
	     0x80, 4, 3, 0, 0, 1),
	BODY("MP_UNREACH, a broken ATOMIC_AGGREGATE: discarded (§5.2)", 0, D, LEN, 0,
	     HDR(20 + 4), MP_UNREACH_OK, 0x40, 6, 1, 0),
	BODY("MP_UNREACH with ORIGIN and AS_PATH: a plain withdrawal", 0, P, 0, 0,
	     HDR(20 + 4 + 9), MP_UNREACH_OK, ORIGIN_OK, ASPATH_OK),
	BODY("no NLRI at all and ORIGIN length 2 (§5.2)", 0, R, LEN, 0, HDR(5), 0x40, 1, 2, 0, 0),
	BODY("IPv4 withdrawn routes, a malformed MED (§5.2)", 0, R, LEN, 0, 0, 4, 24, 10,
	     9, 9, 0, 6, 0x80, 4, 3, 0, 0, 1),
	BODY("MP_UNREACH, overrun after it (§4, §5.2)", 0, R, LEN, 0, HDR(20 + 5), MP_UNREACH_OK,
	     0x80, 4, 9, 0, 0),
	BODY("other family MP_REACH, a malformed MED: routes there (§5.2)", 0, W, LEN, 0,
	     HDR(4 + 9 + 25 + 6), ORIGIN_OK, ASPATH_OK, 0x80, 14, 22, 0, 2, 1, 16, 0x20, 1, 0xd,
	     0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0x80, 4, 3, 0, 0, 1),
	BODY("NEXT_HOP 0.0.0.0 with plain IPv4 NLRI", 0, W, BGP_ERR_UPD_NEXTHOP, 0, HDR(4 + 9 + 7),
	     ORIGIN_OK, ASPATH_OK, 0x40, 3, 4, 0, 0, 0, 0, 24, 10, 9, 9),
	BODY("NEXT_HOP multicast with plain IPv4 NLRI and MP_REACH", 0, W, BGP_ERR_UPD_NEXTHOP, 1,
	     HDR(4 + 9 + 7 + 34), ORIGIN_OK, ASPATH_OK, 0x40, 3, 4, 239, 1, 1, 1, MP_REACH_OK, 24,
	     10, 9, 9),
	BODY("plain IPv4 NLRI /33", 0, R, BGP_ERR_UPD_NETWORK, 0, HDR(4 + 9), ORIGIN_OK,
	     ASPATH_OK, 33, 10, 0, 0, 0, 0),
	BODY("plain IPv4 NLRI truncated", 0, R, BGP_ERR_UPD_NETWORK, 0, HDR(4 + 9), ORIGIN_OK,
	     ASPATH_OK, 24, 10, 0),
	BODY("withdrawn route /40", 0, R, BGP_ERR_UPD_NETWORK, 0, 0, 2, 40, 10, 0, 0),
	/* 2-octet AS session: AS4_* are read, and discarded when broken (RFC 6793 §6) */
	BODY("2-octet session: AS4_PATH malformed", 2, D, OPT, 1, HDR(4 + 7 + 6 + 34),
	     ORIGIN_OK, 0x40, 2, 4, 2, 1, 0xfd, 0xe9, 0xc0, 17, 3, 2, 1, 0, MP_REACH_OK),
	BODY("2-octet session: AS4_PATH length 0 (§4)", 2, D, OPT, 1, HDR(4 + 7 + 3 + 34),
	     ORIGIN_OK, 0x40, 2, 4, 2, 1, 0xfd, 0xe9, 0xc0, 17, 0, MP_REACH_OK),
	BODY("2-octet session: AS4_AGGREGATOR length 6", 2, D, LEN, 1, HDR(4 + 7 + 9 + 34),
	     ORIGIN_OK, 0x40, 2, 4, 2, 1, 0xfd, 0xe9, 0xc0, 18, 6, 0, 0, 0xfd, 0xe9, 10, 0,
	     MP_REACH_OK),
	BODY("2-octet session: AGGREGATOR length 8", 2, D, LEN, 1, HDR(4 + 7 + 11 + 34),
	     ORIGIN_OK, 0x40, 2, 4, 2, 1, 0xfd, 0xe9, 0xc0, 7, 8, 0, 0, 0xfd, 0xe9, 10, 0, 0, 1,
	     MP_REACH_OK),
	BODY("2-octet session: AS_PATH segment overrun (2-octet ASes)", 2, W,
	     BGP_ERR_UPD_ASPATH, 1, HDR(4 + 7 + 34), ORIGIN_OK, 0x40, 2, 4, 2, 2, 0xfd, 0xe9,
	     MP_REACH_OK),
};

ParameterizedTestParameters(bgpd_rfc7606, body)
{
	return cr_make_param_array(struct body, bodies, sizeof(bodies) / sizeof(bodies[0]));
}

ParameterizedTest(struct body *b, bgpd_rfc7606, body)
{
	if (b->ctx == 2) {
		check(b->what, "as given", &ebgp2, b->bytes, b->len, b->out, b->sub, b->n_reach);
		return;
	}
	check(b->what, "as given", &ibgp, b->bytes, b->len, b->out, b->sub, b->n_reach);
	check(b->what, "as given", &ebgp, b->bytes, b->len, b->out, b->sub, b->n_reach);
}

/* The discarded attribute is really gone, and the rest of the route is kept. */
Test(bgpd_rfc7606, discard_drops_only_that_attribute)
{
	const uint8_t b[] = { HDR(4 + 9 + 4 + 34 + 7), ORIGIN_OK, ASPATH_OK, 0x40, 6, 1, 0,
			      MP_REACH_OK, 0x80, 4, 4, 0, 0, 0, 9 };
	struct bgp_update *u = bgp_update_new();
	struct bgp_err e;

	cr_assert_eq(bgp_update_decode(b, sizeof(b), &ibgp, u, &e), 0);
	cr_assert_eq(u->action, ATTR_ACT_DISCARD);
	cr_assert(!attr_has(&u->attrs, ATTR_ATOMIC_AGGREGATE));
	cr_assert(attr_has(&u->attrs, ATTR_MED));
	cr_assert_eq(u->attrs.med, 9);
	cr_assert_eq(u->n_reach, 1);
	bgp_update_free(u);
}

/* Withdraw beats discard in one UPDATE; the logged error is the withdraw's. */
Test(bgpd_rfc7606, worst_action_wins)
{
	const uint8_t b[] = { HDR(4 + 9 + 4 + 34 + 6), ORIGIN_OK, ASPATH_OK, 0x40, 6, 1, 0,
			      MP_REACH_OK, 0x80, 4, 3, 0, 0, 9 };
	struct bgp_update *u = bgp_update_new();
	struct bgp_err e;

	cr_assert_eq(bgp_update_decode(b, sizeof(b), &ebgp, u, &e), 0);
	cr_assert_eq(u->action, ATTR_ACT_WITHDRAW);
	cr_assert_eq(u->withdraw_err.subcode, BGP_ERR_UPD_LENGTH);
	cr_assert_eq(u->withdraw_err.data[1], ATTR_MED);
	bgp_update_free(u);
}
