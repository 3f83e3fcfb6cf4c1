/*
 * Path attributes: the table-driven codec (attr.c, one row per type code
 * with its flags, decoder, encoder and RFC 7606 error action), the AS_PATH
 * helpers (aspath.c), VPN-IPv4 NLRI in MP_REACH/MP_UNREACH (mp.c), interning
 * (intern.c) and UPDATE messages built from them (update.c).
 */
#ifndef FERRY_BGPD_ATTR_H
#define FERRY_BGPD_ATTR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bgpd/msg.h"
#include "common/buf.h"
#include "common/prefix.h"
#include "common/rd.h"

enum attr_type {
	ATTR_ORIGIN = 1,
	ATTR_AS_PATH = 2,
	ATTR_NEXT_HOP = 3,
	ATTR_MED = 4,
	ATTR_LOCAL_PREF = 5,
	ATTR_ATOMIC_AGGREGATE = 6,
	ATTR_AGGREGATOR = 7,
	ATTR_COMMUNITIES = 8,
	ATTR_ORIGINATOR_ID = 9,  /* RFC 4456 */
	ATTR_CLUSTER_LIST = 10,  /* RFC 4456 */
	ATTR_MP_REACH = 14,
	ATTR_MP_UNREACH = 15,
	ATTR_EXT_COMMUNITIES = 16,
	ATTR_AS4_PATH = 17,
	ATTR_AS4_AGGREGATOR = 18,
	ATTR_LARGE_COMMUNITIES = 32, /* RFC 8092 */
};

/* Bit of a known type (all below 64) in struct bgp_attrs.present. */
#define ATTR_BIT(t) ((uint64_t)1 << (t))

#define ATTR_F_OPTIONAL 0x80
#define ATTR_F_TRANSITIVE 0x40
#define ATTR_F_PARTIAL 0x20
#define ATTR_F_EXTLEN 0x10

/* What a malformed attribute costs (RFC 7606 §2), in increasing severity. */
enum attr_action {
	ATTR_ACT_NONE = 0,
	ATTR_ACT_DISCARD,  /* drop the attribute, keep the routes */
	ATTR_ACT_WITHDRAW, /* treat the UPDATE's routes as withdrawn */
	ATTR_ACT_RESET,    /* NOTIFICATION and session reset */
};

enum bgp_origin { ORIGIN_IGP = 0, ORIGIN_EGP = 1, ORIGIN_INCOMPLETE = 2 };

/* AS_PATH segment types (RFC 4271, RFC 5065). */
#define ASPATH_SET 1
#define ASPATH_SEQUENCE 2
#define ASPATH_CONFED_SEQUENCE 3
#define ASPATH_CONFED_SET 4

#define ATTR_DEFAULT_LOCAL_PREF 100

/* Well-known communities (RFC 1997, RFC 3765 registry). */
#define COMM_NO_EXPORT 0xffffff01u
#define COMM_NO_ADVERTISE 0xffffff02u
#define COMM_NO_EXPORT_SUBCONFED 0xffffff03u
#define COMM_LLGR_STALE 0xffff0006u /* RFC 9494: kept past a graceful restart, least preferred */
#define COMM_NO_LLGR 0xffff0007u    /* RFC 9494: never keep this one long-lived stale */

/*
 * One route's attributes. Variable parts point elsewhere: into the decoder's
 * scratch (struct bgp_update), or into an interned set's own storage.
 * AS paths are kept as 4-octet wire segments whatever the session speaks.
 */
struct bgp_attrs {
	uint64_t present; /* ATTR_BIT(type) for the known types */
	/*
	 * ATTR_BIT(type): a known optional transitive attribute that came with
	 * the Partial bit; it goes on with it (RFC 4271 §5: "MUST NOT be set
	 * back to 0"). Unknown ones keep theirs in their wire form (unknown).
	 */
	uint64_t partial;
	uint8_t origin;
	uint32_t nexthop; /* NEXT_HOP or MP next hop, host order; 0 = self (local routes) */
	uint32_t med;
	uint32_t local_pref;
	uint32_t aggregator_as;
	uint32_t aggregator_id;
	uint32_t originator_id;
	uint16_t aspath_len;
	uint16_t n_communities;
	uint16_t n_ext;
	uint16_t unknown_len;
	uint16_t n_cluster;
	uint16_t n_large;  /* large communities (3 words each) */
	const uint8_t *aspath;
	const uint32_t *communities;         /* host order */
	const uint32_t *cluster;             /* CLUSTER_LIST ids, host order */
	const uint32_t *large;               /* n_large * 3 words, host order */
	const struct ext_community *ext;
	const uint8_t *unknown; /* optional transitive attributes we pass on, wire form */
};

static inline bool attr_has(const struct bgp_attrs *a, int type)
{
	return type < 64 && ((a->present >> type) & 1u);
}

struct bgp_vpn_nlri {
	struct rd rd;
	struct prefix4 prefix;
	uint32_t label; /* 20-bit label (withdrawals: whatever was sent) */
};

/* The session facts a decoder or encoder needs. */
struct attr_ctx {
	bool as4;         /* 4-octet AS numbers on the wire (both sides sent the capability) */
	bool ext_msg;     /* extended messages (RFC 8654): UPDATEs up to 65535 bytes */
	uint8_t afs;      /* BGP_AF_* negotiated */
	bool ebgp;
	uint32_t peer_as;
};

/* Most NLRI one UPDATE can hold (12 bytes each, at least; extended messages, RFC 8654). */
#define BGP_MAX_NLRI (BGP_MAX_EXT_MSG / 12 + 1)

/* A decoded UPDATE. Large (scratch for one message): allocate with bgp_update_new. */
struct bgp_update {
	struct bgp_attrs attrs;
	struct bgp_vpn_nlri reach[BGP_MAX_NLRI];
	size_t n_reach;
	struct bgp_vpn_nlri unreach[BGP_MAX_NLRI];
	size_t n_unreach;
	bool has_mp_reach;
	bool has_mp_unreach;
	bool end_of_rib;       /* VPN-IPv4 End-of-RIB: an empty MP_UNREACH alone (RFC 4724 §2) */
	bool eor_lookalike;    /* an empty MP_UNREACH with more in the UPDATE: not an End-of-RIB */
	/* route target membership (RFC 4684), when negotiated: checked NLRI fields, read by input.c */
	struct rbuf rtc_reach, rtc_unreach;
	size_t n_rtc_reach, n_rtc_unreach;
	bool rtc_eor;          /* its End-of-RIB: an empty MP_UNREACH for it alone */
	size_t n_ipv4_nlri;    /* plain IPv4 unicast routes: not negotiated, ignored */
	size_t n_ipv4_withdrawn;
	uint32_t ipv4_nexthop; /* the NEXT_HOP attribute's value, for those routes only */
	size_t n_other_afi;    /* MP attributes of a family we did not negotiate */
	bool other_reach;      /* ... one of them an MP_REACH_NLRI with NLRI */
	bool other_attrs;      /* attributes but MP_UNREACH_NLRI, or bytes that did not parse */
	bool overrun;          /* the attribute section did not parse to its end (RFC 7606 §4) */
	enum attr_action action;  /* worst RFC 7606 action taken below RESET */
	struct bgp_err withdraw_err; /* why, when action is WITHDRAW or DISCARD */
	/* scratch the attributes point into */
	uint32_t seen[8];         /* attribute types met, for duplicates */
	uint8_t aspath_buf[2 * BGP_MAX_EXT_MSG];
	uint8_t as4path_buf[BGP_MAX_EXT_MSG];
	uint16_t as4path_len;
	bool has_as4path;
	bool as4path_partial;     /* it came with the Partial bit: kept when merged (update.c) */
	uint32_t as4_aggregator_as;
	uint32_t as4_aggregator_id;
	bool has_as4_aggregator;
	bool as4_aggregator_partial; /* as as4path_partial, for AS4_AGGREGATOR */
	uint32_t comm_buf[BGP_MAX_EXT_MSG / 4];
	uint32_t cluster_buf[BGP_MAX_EXT_MSG / 4];
	uint32_t large_buf[BGP_MAX_EXT_MSG / 4];
	uint8_t unknown_buf[BGP_MAX_EXT_MSG];
};

struct bgp_update *bgp_update_new(void);
void bgp_update_free(struct bgp_update *u);

/*
 * Decodes an UPDATE body (after the header). Returns 0 (the routes to apply
 * are in u; u->action says whether they were turned into withdrawals), or -1
 * with the NOTIFICATION to send in err (session reset).
 */
int bgp_update_decode(const uint8_t *body, size_t len, const struct attr_ctx *ctx,
		      struct bgp_update *u, struct bgp_err *err);

/*
 * Appends one UPDATE to w announcing as many of nlri[0..n) as fit in 4096
 * bytes, all with attributes a (a->nexthop must be set). Returns how many it
 * took (>= 1), or -errno.
 */
int bgp_update_encode_reach(struct wbuf *w, const struct bgp_attrs *a,
			    const struct bgp_vpn_nlri *nlri, size_t n, const struct attr_ctx *ctx);
/* Appends one UPDATE withdrawing as many of nlri[0..n) as fit. Count or -errno. */
int bgp_update_encode_unreach(struct wbuf *w, const struct bgp_vpn_nlri *nlri, size_t n);
/* What an UPDATE withdrawing by MP_UNREACH_NLRI holds before its NLRI: attribute header, AFI, SAFI. */
#define BGP_MP_UNREACH_FIXED (4 + 2 + 1)
/*
 * The body of such an UPDATE (AFI 1, safi) up to its NLRI, which take
 * nlri_bytes and which the caller writes next: no withdrawn routes, one
 * MP_UNREACH_NLRI (update.c's VPN-IPv4, rtc_update.c's membership).
 */
void bgp_mp_unreach_head(struct wbuf *w, uint8_t safi, size_t nlri_bytes);
/* End-of-RIB marker for VPN-IPv4: an UPDATE with an empty MP_UNREACH_NLRI. */
int bgp_update_encode_eor(struct wbuf *w);
/* End-of-RIB for IPv4 unicast: an empty UPDATE. */
int bgp_update_encode_eor_ipv4(struct wbuf *w);

/* ---- RFC 7606 §6: what to log of a malformed UPDATE (update_dump.c) ---- */

#define BGP_DUMP_BYTES_PER_LINE 32
#define BGP_DUMP_HEAD 512u /* a longer body: its first bytes shown ... */
#define BGP_DUMP_TAIL 256u /* ... and its last (from a line's boundary), the rest counted */
/*
 * Describes a malformed UPDATE (u as far as it was decoded, body the
 * message after its header) in lines handed to emit: the VPN-IPv4 routes
 * involved, then the body in hex, whole while under a line past
 * BGP_DUMP_HEAD + BGP_DUMP_TAIL bytes (799), else its first and last bytes
 * and a line saying how many were left out. Returns how many lines.
 */
size_t bgp_update_dump(const struct bgp_update *u, const uint8_t *body, size_t len,
		       void (*emit)(void *arg, const char *line), void *arg);

/* ---- the attribute table (attr.c) ---- */

struct attr_dec {
	const struct attr_ctx *ctx;
	struct bgp_update *u;
	uint8_t flags;
};

struct attr_desc {
	const char *name;
	uint8_t flags;              /* expected Optional|Transitive bits */
	enum attr_action on_error;  /* RFC 7606 */
	bool ebgp_discard;          /* from an external peer: dropped unread (RFC 7606 §7.5, 7.9, 7.10) */
	/* 0, or the UPDATE error subcode (the attribute is then the data) */
	int (*decode)(struct rbuf *val, struct attr_dec *d);
	/* writes the whole attribute when a holds it; MP attributes are update.c's */
	void (*encode)(struct wbuf *w, const struct bgp_attrs *a, const struct attr_ctx *ctx);
};

/*
 * Decodes the path attribute section into u (table driven). Applies the
 * RFC 7606 action of each malformed attribute: the worst non-reset one is
 * left in u->action; a reset returns -1 with err. An attribute running past
 * the section stops the loop with u->overrun set (and err filled in).
 */
int attr_decode_list(struct rbuf *r, const struct attr_ctx *ctx, struct bgp_update *u,
		     struct bgp_err *err);
/* Records a non-reset error: the worst action wins; its would-be NOTIFICATION is kept. */
void attr_soft_error(struct bgp_update *u, enum attr_action act, uint8_t subcode,
		     const uint8_t *data, size_t len);
/* The row for a type code, or NULL when we do not know it. */
const struct attr_desc *attr_desc_get(uint8_t type);
/* Writes flags, type, length (extended when len > 255). */
void attr_put_header(struct wbuf *w, uint8_t flags, uint8_t type, size_t len);
/*
 * Encodes every attribute of a but the MP ones (the caller puts MP_REACH_NLRI
 * first, RFC 7606 §5.1) in type order, unknown ones last.
 */
void attr_encode_all(struct wbuf *w, const struct bgp_attrs *a, const struct attr_ctx *ctx);
const char *attr_origin_name(uint8_t origin);
bool attr_has_community(const struct bgp_attrs *a, uint32_t c);
/* id is in the CLUSTER_LIST (RFC 4456 loop check). */
bool attr_cluster_has(const struct bgp_attrs *a, uint32_t id);
/* A next hop one can forward to: not 0.0.0.0, broadcast or multicast. */
bool attr_nexthop_usable(uint32_t nh);
/* "LOCAL_PREF"; "unknown attribute" for types without a row. */
const char *attr_name(uint8_t type);

/* ---- AS_PATH (aspath.c) ---- */

/* Checks segments of asn_size (2 or 4) octets. 0 or -1. */
int aspath_validate(const uint8_t *p, size_t len, size_t asn_size, bool allow_confed);
/* Widens a valid 2-octet path into out (2x the size). Returns the new length. */
size_t aspath_widen(const uint8_t *p, size_t len, uint8_t *out);
/* Length for best-path selection: AS_SET counts 1, confederation segments 0. */
unsigned aspath_count(const uint8_t *p, size_t len);
/* The first AS of the path (the neighbor AS), 0 for an empty path. */
uint32_t aspath_first_as(const uint8_t *p, size_t len);
bool aspath_contains(const uint8_t *p, size_t len, uint32_t asn);
/* Writes asn then p into out (room: len + 6). Returns the new length. */
size_t aspath_prepend(const uint8_t *p, size_t len, uint32_t asn, uint8_t *out);
/*
 * RFC 6793 §4.2.3: rebuilds the true path from a 2-octet speaker's AS_PATH
 * (widened, p) and its AS4_PATH. Returns the new length written to out (room:
 * len + as4len), or 0 when AS4_PATH is to be ignored.
 */
size_t aspath_merge_as4(const uint8_t *p, size_t len, const uint8_t *as4, size_t as4len,
			uint8_t *out);
/* "65001 65002 {65003,65004}" into buf; "" when empty. */
const char *aspath_format(const uint8_t *p, size_t len, char *buf, size_t buflen);
/* For a 2-octet session: the narrowed path (ASes > 65535 become AS_TRANS) into out. */
size_t aspath_narrow(const uint8_t *p, size_t len, uint8_t *out, bool *needs_as4);

/* ---- VPN-IPv4 NLRI (mp.c) ---- */

int mp_reach_decode(struct rbuf *val, struct attr_dec *d);
int mp_unreach_decode(struct rbuf *val, struct attr_dec *d);
size_t mp_nlri_size(const struct bgp_vpn_nlri *n);
void mp_nlri_put(struct wbuf *w, const struct bgp_vpn_nlri *n, bool withdraw);

/* ---- interned attribute sets (intern.c) ---- */

struct attr_set {
	struct attr_set *hnext;
	uint32_t hash;
	uint32_t refcnt;
	struct bgp_attrs a; /* variable parts point into key */
	size_t key_len;
	uint8_t key[];      /* canonical form: what makes two sets equal */
};

/* A shared, reference-counted copy of a (a new reference). NULL on ENOMEM. */
struct attr_set *attr_intern(const struct bgp_attrs *a);
struct attr_set *attr_ref(struct attr_set *s);
void attr_unref(struct attr_set *s);
/* Interned sets alive (for tests and the API). */
size_t attr_intern_count(void);

#endif
