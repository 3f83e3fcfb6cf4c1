/*
 * Between the two halves of the packet path (internal to fwd): pipeline.c,
 * the complete per-frame path, and vector.c, which runs the common cases of
 * a batch itself and hands a frame back here where it stops being common:
 * from the start (pipeline_frame) or once its next hop is known
 * (pipeline_nh_output, with the frame already rewritten up to that point).
 */
#ifndef FERRY_FWD_PIPELINE_INT_H
#define FERRY_FWD_PIPELINE_INT_H

#include <stdbool.h>

#include "fwd/fwd.h"
#include "fwd/ipv4.h"

struct icmp_mpls_stack;
struct nexthop;

/*
 * The top label entry an LSR swapped, or popped (PHP), on a frame: what an
 * error about the frame needs to give the label stack it arrived with (RFC
 * 4950) once the entries are rewritten. valid false: no LSR's frame.
 */
struct lsr_in {
	uint32_t label;
	bool valid, popped;
};

/* One frame in flight. */
struct pctx {
	struct fwd *f;
	struct fwd_iface *in;
	struct fwd_pkt *p;
	struct fwd_vrf *vrf; /* set once the packet is IPv4 in a VRF */
	struct ipv4_info ip; /* valid once is_ip */
	bool is_ip;
	bool local;          /* fwd's own packet (ping reply, ICMP error): no error about it */
	struct nexthop *nh;  /* pipeline_nh_output's: where each fragment goes too */
	uint32_t inner;      /* ... and the route's inner label */
	/* the label stack it arrived with, for an error about it (RFC 4950), or NULL */
	const struct icmp_mpls_stack *rx_stack;
	struct lsr_in lsr_in; /* an LSR's: the label it swapped or popped */
};

/* vector.c's VRF id of a frame no VRF holds (a swapped one) */
#define FWD_VRF_NONE UINT32_MAX
/* ... of a frame popped by a per-CE label: the VRF of the CE's link */
#define FWD_VRF_OF_CE (UINT32_MAX - 1)

/* The VRF of the attachment link a next hop leaves by (a per-CE label's), or NULL. */
struct fwd_vrf *pipeline_ce_vrf(struct fwd *f, struct nexthop *nh);
/* The whole per-frame path; rx counters are the caller's. */
enum fwd_verdict pipeline_frame(struct fwd *f, struct fwd_iface *in, struct fwd_pkt *p);
/* From "next hop found" on: push, ARP, MTU, send (IP TTL already handled). */
enum fwd_verdict pipeline_nh_output(struct pctx *c, struct nexthop *nh, uint32_t inner_label);
/* ---- shared by pipeline.c and pipeline_mtu.c ---- */

/* Validates the IPv4 packet behind the Ethernet header and trims padding; is_ip from then on. */
bool pipeline_ip_parse(struct pctx *c, enum fwd_drop *why);
/*
 * Drops c's packet (counted as why) and, when an error may be sent about it
 * (its VRF has a route back, the rate limit allows), sends that error in its
 * place, from fwd's address in the VRF. The verdict of the packet's fate.
 */
enum fwd_verdict pipeline_drop_icmp(struct pctx *c, enum fwd_drop why, uint8_t type, uint8_t code,
				    uint16_t mtu);
/* Bytes of Ethernet header and label stack in front of the packet under it (n entries); 0: none. */
size_t pipeline_stack_front(const struct fwd_pkt *p, unsigned *n);
/* The first n label entries get the TTL an LSR's error travels on with (255). */
void pipeline_lsp_error_ttls(struct fwd_pkt *p, unsigned n);
/*
 * pipeline_mtu.c: c's IPv4 packet is over out's MTU once k label entries
 * are pushed (fragments, or fragmentation needed); a labeled frame is over
 * it as it is (an LSR: the same under its labels, toward nh_ip).
 */
enum fwd_verdict pipeline_too_big(struct pctx *c, const struct fwd_iface *out, unsigned k);
enum fwd_verdict pipeline_lsr_too_big(struct pctx *c, struct fwd_iface *out, uint32_t nh_ip);

/*
 * The same from a frame vector.c prepared (TTL handled, labels popped;
 * is_ip: IPv4 in VRF vrf_id, or FWD_VRF_NONE / FWD_VRF_OF_CE): refills the
 * context pipeline.c needs, then pipeline_nh_output; nh NULL: the lookup
 * found no route. Control thread (or no workers).
 */
enum fwd_verdict vector_nh_output(struct fwd *f, struct fwd_iface *in, struct fwd_pkt *p,
				  bool is_ip, uint32_t vrf_id, struct nexthop *nh, uint32_t inner,
				  struct lsr_in lsr_in);

#endif
