/*
 * Label stack operations on an Ethernet frame in place (pure functions on
 * byte buffers), with RFC 3443 uniform-model TTL handling:
 *   push: the caller passes the TTL for the new entries (the IP TTL after
 *         its decrement at the ingress PE);
 *   swap: the top entry's TTL is decremented;
 *   pop:  the top TTL is decremented and copied into what is exposed: the
 *         next label, or the IPv4 header (checksum updated).
 * A TTL that would reach 0 leaves the frame untouched and returns -ETIMEDOUT.
 */
#ifndef FERRY_FWD_MPLS_H
#define FERRY_FWD_MPLS_H

#include <stddef.h>
#include <stdint.h>

#include "common/label.h"
#include "fwd/fwd.h"

/* The frame's ethertype, or -EBADMSG when it is shorter than an Ethernet header. */
int mpls_ethertype(const struct fwd_pkt *p);

/*
 * Pushes labels[0] (outermost) .. labels[n-1] in front of the frame's
 * payload; entries equal to MPLS_LABEL_IMPLICIT_NULL or MPLS_LABEL_NONE are
 * skipped (implicit-null outer: only the inner label goes on). S is set on the
 * last pushed entry when the payload is not MPLS already. The MAC addresses
 * move with the header; the ethertype becomes 0x8847.
 * 0, -EBADMSG (no Ethernet header) or -ENOSPC (headroom too small).
 */
int mpls_push(struct fwd_pkt *p, const uint32_t *labels, size_t n, uint8_t ttl);
/* Reads the top entry. 0, or -EBADMSG when the frame is not MPLS or too short. */
int mpls_peek(const struct fwd_pkt *p, struct mpls_lse *top);
/*
 * Pops the top entry. On the bottom of the stack the payload must be IPv4
 * (the ethertype becomes 0x0800). 0, -EBADMSG or -ETIMEDOUT.
 */
int mpls_pop(struct fwd_pkt *p);
/*
 * Takes the top entry off whatever its TTL, passing none on: for a label
 * whose TTL ran out, to reach the packet an error quotes. 0 or -EBADMSG.
 */
int mpls_strip(struct fwd_pkt *p);
/* Swaps the top label to out (keeping TC and S); out implicit null pops. */
int mpls_swap(struct fwd_pkt *p, uint32_t out);

#endif
