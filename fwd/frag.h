/*
 * IPv4 fragmentation (RFC 791 3.2, RFC 1812 4.2.2.7): a packet without DF
 * that is too large for its egress link once its labels are pushed leaves
 * as fragments instead of being dropped. Each fragment is handed to the
 * caller, who sends it the way the whole packet would have gone (labels,
 * ARP, MACs). Control thread only (one scratch buffer).
 */
#ifndef FERRY_FWD_FRAG_H
#define FERRY_FWD_FRAG_H

#include "fwd/fwd.h"
#include "fwd/ipv4.h"

/* Bytes in front of the IPv4 header a fragment carries at most: Ethernet and 8 labels. */
#define FRAG_FRONT_MAX (FWD_ETH_HLEN + 8 * 4)

/* One fragment: a frame (the original's front bytes, then IPv4) with FWD_HEADROOM before it. */
typedef void (*frag_out_fn)(void *ctx, struct fwd_pkt *frag);

/*
 * Cuts the checked IPv4 packet at p->data + front (info from ipv4_check)
 * into fragments of at most mtu bytes of IP each and calls out for each, in
 * order; each starts with p's front bytes (Ethernet header; at an LSR, the
 * label entries too). Options go whole into the first fragment and, of the
 * later ones, only those marked copied. A packet that is already a fragment
 * keeps its offset and its MF in the last piece. Returns how many fragments
 * went out, or -EINVAL: DF set, a front over FRAG_FRONT_MAX, mtu too small
 * for a header and 8 bytes of data, malformed options, or an offset and
 * data that end past the largest datagram (65,535 bytes: the pieces'
 * offsets would not fit their field).
 */
int frag_ipv4(const struct fwd_pkt *p, size_t front, const struct ipv4_info *info, unsigned mtu,
	      frag_out_fn out, void *ctx);

#endif
