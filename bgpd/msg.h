/*
 * bgpd/: a BGP-4 speaker (RFC 4271) for VPN-IPv4 (RFC 4364, AFI 1 / SAFI 128).
 * It owns the sessions and their FSM, the message codec, the path attributes,
 * the Adj-RIB-In / Loc-RIB / Adj-RIB-Out with best-path selection and update
 * packing. It knows nothing of VRFs, interfaces or packets: local routes come
 * from vrfmgr over IPC and best remote paths go back to it.
 *
 * msg.h: the message codec. Decoders read untrusted bytes through struct
 * rbuf and, on error, fill a struct bgp_err with exactly the NOTIFICATION
 * (code, subcode, data) that RFC 4271 §6 says to send.
 */
#ifndef FERRY_BGPD_MSG_H
#define FERRY_BGPD_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"

#define BGP_MARKER_LEN 16
#define BGP_HDR_LEN 19
#define BGP_MAX_MSG 4096
#define BGP_MAX_EXT_MSG 65535 /* RFC 8654 */
#define BGP_VERSION 4
#define BGP_AS_TRANS 23456
#define BGP_AFI_IPV4 1
#define BGP_SAFI_VPN 128
#define BGP_OPEN_MIN (BGP_HDR_LEN + 10)
#define BGP_UPDATE_MIN (BGP_HDR_LEN + 4)
#define BGP_NOTIFICATION_MIN (BGP_HDR_LEN + 2)
#define BGP_ROUTE_REFRESH_LEN (BGP_HDR_LEN + 4)

enum bgp_msg_type {
	BGP_MSG_OPEN = 1,
	BGP_MSG_UPDATE,
	BGP_MSG_NOTIFICATION,
	BGP_MSG_KEEPALIVE,
	BGP_MSG_ROUTE_REFRESH, /* RFC 2918 */
};

/* NOTIFICATION error codes (RFC 4271 §4.5) and subcodes (§6, RFC 4486, 6608). */
enum bgp_err_code {
	BGP_ERR_HEADER = 1,
	BGP_ERR_OPEN = 2,
	BGP_ERR_UPDATE = 3,
	BGP_ERR_HOLD = 4,
	BGP_ERR_FSM = 5,
	BGP_ERR_CEASE = 6,
};
enum {
	BGP_ERR_HDR_SYNC = 1,
	BGP_ERR_HDR_LEN = 2,
	BGP_ERR_HDR_TYPE = 3,
};
enum {
	BGP_ERR_OPEN_UNSPEC = 0,
	BGP_ERR_OPEN_VERSION = 1,
	BGP_ERR_OPEN_PEER_AS = 2,
	BGP_ERR_OPEN_BGP_ID = 3,
	BGP_ERR_OPEN_OPT_PARAM = 4,
	BGP_ERR_OPEN_HOLD = 6,
	BGP_ERR_OPEN_CAPABILITY = 7,
};
enum {
	BGP_ERR_UPD_ATTR_LIST = 1,
	BGP_ERR_UPD_UNKNOWN_WK = 2,
	BGP_ERR_UPD_MISSING_WK = 3,
	BGP_ERR_UPD_FLAGS = 4,
	BGP_ERR_UPD_LENGTH = 5,
	BGP_ERR_UPD_ORIGIN = 6,
	BGP_ERR_UPD_NEXTHOP = 8,
	BGP_ERR_UPD_OPTIONAL = 9,
	BGP_ERR_UPD_NETWORK = 10,
	BGP_ERR_UPD_ASPATH = 11,
};
enum {
	BGP_ERR_FSM_UNSPEC = 0,
	BGP_ERR_FSM_OPENSENT = 1,
	BGP_ERR_FSM_OPENCONFIRM = 2,
	BGP_ERR_FSM_ESTABLISHED = 3,
};
enum {
	BGP_CEASE_MAX_PREFIX = 1,
	BGP_CEASE_ADMIN_SHUTDOWN = 2,
	BGP_CEASE_PEER_DECONFIGURED = 3,
	BGP_CEASE_ADMIN_RESET = 4,
	BGP_CEASE_REJECTED = 5,
	BGP_CEASE_OTHER_CONFIG = 6,
	BGP_CEASE_COLLISION = 7,
	BGP_CEASE_RESOURCES = 8,
	BGP_CEASE_HARD_RESET = 9, /* RFC 8538: the inner NOTIFICATION follows as its data */
};

/* Longer NOTIFICATION data (a whole erroneous attribute) is cut to this. */
#define BGP_ERR_DATA_MAX 512 /* a Hard Reset around a shutdown's 255-byte communication fits */

struct bgp_err {
	uint8_t code;
	uint8_t subcode;
	uint16_t data_len;
	uint8_t data[BGP_ERR_DATA_MAX];
};

void bgp_err_set(struct bgp_err *e, uint8_t code, uint8_t subcode, const void *data,
		 size_t len);
/* "UPDATE message error / malformed AS_PATH (3/11)" into buf. */
const char *bgp_err_format(uint8_t code, uint8_t subcode, char *buf, size_t len);
/*
 * As bgp_err_format, with a shutdown or reset's communication (RFC 9003,
 * ': "text"'), and a Hard Reset followed by the NOTIFICATION it carries.
 * buf: BGP_ERR_TEXT_MAX bytes hold any.
 */
const char *bgp_err_describe(const struct bgp_err *e, char *buf, size_t len);
#define BGP_SHUTDOWN_MSG_MAX 255 /* RFC 9003: the communication's length octet */
#define BGP_ERR_TEXT_MAX (2 * BGP_SHUTDOWN_MSG_MAX + 256)
/* Cease / subcode (shutdown or reset) with text as its communication (cut to 255 bytes). */
void bgp_err_set_shutdown(struct bgp_err *e, uint8_t subcode, const char *text);
/* RFC 8538 §3: in, sent as the data of a Cease / Hard Reset (cut to BGP_ERR_DATA_MAX). */
void bgp_err_hard_reset(const struct bgp_err *in, struct bgp_err *out);
static inline bool bgp_err_is_hard_reset(const struct bgp_err *e)
{
	return e->code == BGP_ERR_CEASE && e->subcode == BGP_CEASE_HARD_RESET;
}

struct bgp_hdr {
	uint16_t len; /* whole message, header included */
	uint8_t type;
};

/*
 * Checks the 19-byte header at p: marker (1/1), length 19..4096 and the
 * minimum/exact length of the type (1/2, data = the length), type (1/3).
 * 0, or -1 with err filled.
 */
int bgp_hdr_decode(const uint8_t *p, struct bgp_hdr *h, struct bgp_err *err);
/* The same with the RFC 8654 limit (65535) for all types but OPEN and KEEPALIVE. */
int bgp_hdr_decode_ext(const uint8_t *p, struct bgp_hdr *h, struct bgp_err *err, bool ext);
/* Writes a header with a length placeholder; returns its offset for bgp_msg_end. */
size_t bgp_msg_begin(struct wbuf *w, uint8_t type);
/* Fills in the length. 0, or -EMSGSIZE past 4096 bytes, -ENOMEM on allocation failure. */
int bgp_msg_end(struct wbuf *w, size_t start);
/* The same with another size limit (BGP_MAX_EXT_MSG once negotiated). */
int bgp_msg_end_max(struct wbuf *w, size_t start, size_t max);
const char *bgp_msg_type_name(uint8_t type);

/* Capability codes (RFC 5492 registry) we act on. */
#define BGP_CAP_MP 1
#define BGP_CAP_ROUTE_REFRESH 2
#define BGP_CAP_EXT_MSG 6       /* RFC 8654 */
#define BGP_CAP_GR 64           /* RFC 4724 */
#define BGP_CAP_AS4 65
#define BGP_CAP_ENHANCED_RR 70  /* RFC 7313 */
#define BGP_CAP_LLGR 71         /* RFC 9494 long-lived graceful restart */
#define BGP_CAP_ROUTE_REFRESH_OLD 128

/* The families we know, as bits (same values as the config's CFG_AF_*). */
#define BGP_AF_VPNV4 0x01 /* AFI 1 / SAFI 128 */
#define BGP_AF_IPV4 0x02  /* AFI 1 / SAFI 1 */
#define BGP_AF_RTC 0x04   /* AFI 1 / SAFI 132, route target membership (RFC 4684) */
#define BGP_AF_ALL (BGP_AF_VPNV4 | BGP_AF_IPV4 | BGP_AF_RTC)
#define BGP_SAFI_UNICAST 1
#define BGP_SAFI_RTC 132
#define BGP_GR_RESTARTING 0x8   /* R bit, in the top nibble of the flags/time word */
#define BGP_GR_NOTIFICATION 0x4 /* N bit (RFC 8538), beside it */
#define BGP_GR_F_FORWARDING 0x80 /* also the F bit of a long-lived graceful restart tuple */
#define BGP_LLGR_TUPLE_LEN 7     /* AFI 2, SAFI 1, flags 1, long-lived stale time 3 */
#define BGP_LLGR_TIME_MAX 0xffffff

/* ROUTE-REFRESH message subtypes (RFC 7313) and its error code. */
#define BGP_RR_REQUEST 0
#define BGP_RR_BORR 1
#define BGP_RR_EORR 2
#define BGP_ERR_ROUTE_REFRESH 7
#define BGP_ERR_RR_LENGTH 1 /* invalid message length */

struct bgp_open {
	uint8_t version;
	uint16_t my_as2;    /* the 2-octet My AS field */
	uint32_t asn;       /* the speaker's AS: the AS4 capability's, else my_as2 */
	uint16_t hold_time;
	uint32_t bgp_id;    /* host order */
	bool cap_as4;
	bool cap_vpnv4;     /* multiprotocol AFI 1 / SAFI 128 */
	bool cap_route_refresh;
	bool cap_enhanced_rr;
	bool cap_ext_msg;
	bool cap_gr;
	uint8_t afs;        /* BGP_AF_* offered (encode: 0 means vpnv4 only) */
	uint16_t gr_time;   /* restart time, seconds */
	bool gr_restarting; /* R bit */
	bool gr_notification; /* N bit: a NOTIFICATION restarts gracefully too (RFC 8538) */
	uint8_t gr_afs;     /* families the peer keeps state for across its restart */
	uint8_t gr_fwd_afs; /* ... and whose forwarding it kept (F bit) */
	bool cap_llgr;      /* long-lived graceful restart (RFC 9494) */
	uint8_t llgr_afs;   /* families listed in it */
	uint8_t llgr_fwd_afs; /* ... with the F bit */
	uint32_t llgr_time; /* VPN-IPv4's long-lived stale time, seconds (encode: every family's) */
	uint8_t n_families; /* multiprotocol capabilities offered, any family */
};

/*
 * Encodes OPEN with multiprotocol for o->afs (vpnv4 when 0), route refresh,
 * 4-octet AS (o->asn), and when set enhanced route refresh, extended
 * message and graceful restart (o->gr_time, the R and N bits, and o->gr_afs with
 * the F bit for those in o->gr_fwd_afs; no family: a receiving speaker only),
 * and long-lived graceful restart (o->llgr_afs with o->llgr_time, F bit as
 * in o->llgr_fwd_afs).
 */
int bgp_open_encode(struct wbuf *w, const struct bgp_open *o);
/*
 * Decodes an OPEN body (after the header): version (2/1), hold time 1 or 2
 * (2/6), BGP id 0 (2/3), optional parameters (2/4 unknown, 2/0 malformed:
 * also a known capability of the wrong length).
 * The checks that need configuration (peer AS, own id, families) are the
 * FSM's. 0 or -1 with err.
 */
int bgp_open_decode(const uint8_t *body, size_t len, struct bgp_open *o, struct bgp_err *err);

int bgp_keepalive_encode(struct wbuf *w);
int bgp_notification_encode(struct wbuf *w, const struct bgp_err *e);
/* The received code/subcode/data (data cut to BGP_ERR_DATA_MAX). 0 or -1. */
int bgp_notification_decode(const uint8_t *body, size_t len, struct bgp_err *out);
/*
 * A ROUTE-REFRESH body's length against its subtype: 0 when usable, 1 when
 * it is to be ignored (unknown subtype, RFC 7313 §5), -1 with err: BoRR/EoRR
 * not 4 bytes long (7/1, data = the whole message), a request not 4 bytes
 * long (1/2).
 */
int bgp_route_refresh_check(const uint8_t *body, size_t len, struct bgp_err *err);
/* ROUTE-REFRESH; subtype BGP_RR_* (RFC 7313; 0 for a plain RFC 2918 request). */
int bgp_route_refresh_encode(struct wbuf *w, uint16_t afi, uint8_t safi, uint8_t subtype);
int bgp_route_refresh_decode(const uint8_t *body, size_t len, uint16_t *afi, uint8_t *safi,
			     uint8_t *subtype);
/* The BGP_AF_* bit of an AFI/SAFI pair, 0 for one we do not know. */
uint8_t bgp_af_bit(uint16_t afi, uint8_t safi);
/* The SAFI of one BGP_AF_* bit (all are AFI 1). */
uint8_t bgp_af_safi(uint8_t af);

#endif
