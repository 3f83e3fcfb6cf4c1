/*
 * ICMP errors fwd sends about packets it cannot forward (RFC 792, RFC 1812
 * 4.3.2): time exceeded, network unreachable, fragmentation needed. The
 * error is built in place of the frame that caused it, in the headroom in
 * front of it, so the packet path allocates nothing; the caller then routes
 * it back toward the sender like any packet of the VRF.
 */
#ifndef FERRY_FWD_ICMP_H
#define FERRY_FWD_ICMP_H

#include <stdbool.h>
#include <stdint.h>

#include "common/label.h"
#include "fwd/fwd.h"
#include "fwd/ipv4.h"

#define ICMP_UNREACH 3
#define ICMP_UNREACH_NET 0
#define ICMP_UNREACH_NEEDFRAG 4
#define ICMP_TIME_EXCEEDED 11
#define ICMP_TIME_EXCEEDED_TTL 0
#define ICMP_PARAM_PROBLEM 12

/* Bytes an error adds in front of the packet it quotes: its IPv4 and ICMP headers. */
#define ICMP_ERROR_ROOM 28
/* An error quotes at most this much, so that it stays within 576 bytes (RFC 1812). */
#define ICMP_QUOTE_MAX (576 - ICMP_ERROR_ROOM)

/*
 * RFC 1812 4.3.2.7: no error about an ICMP error, a fragment other than the
 * first, or a packet whose source is not one host (0/8, 127/8, multicast,
 * 240/4 and the broadcast address) or whose destination is multicast or the
 * broadcast address. ip and info as ipv4_check left them.
 */
bool icmp_error_allowed(const uint8_t *ip, const struct ipv4_info *info);

/*
 * Turns the frame (front bytes of Ethernet header and any label entries,
 * then the IPv4 packet of info) into an ICMP error of type and code from
 * src to the packet's source, under the same front bytes, quoting the
 * packet up to ICMP_QUOTE_MAX bytes; mtu goes into a fragmentation-needed
 * error's next-hop MTU field. The Ethernet addresses are left for the
 * output step. 0, or -ENOSPC without ICMP_ERROR_ROOM bytes of headroom
 * (frame unchanged).
 */
int icmp_error_build(struct fwd_pkt *p, size_t front, const struct ipv4_info *info, uint8_t type,
		     uint8_t code, uint16_t mtu, uint32_t src);

/*
 * An error about a packet that arrived with labels carries the label stack
 * it arrived with (RFC 4950), so that a traceroute through the core shows
 * the labels of each hop: after the quote comes an ICMP extension structure
 * (RFC 4884: version 2, a checksum over the whole structure) holding one
 * MPLS label stack object (class 1, c-type 1: the incoming stack), each
 * entry as received: label, TC, S and the TTL before any decrement (so the
 * entry that expired shows 1, or 0). The quote is then exactly
 * ICMP_EXT_QUOTE bytes, truncated or zero padded, and its length in 32-bit
 * words goes in the ICMP header's length octet (the 6th): RFC 4884 asks for
 * at least 128, and 128 is where receivers older than RFC 4884 look for the
 * extension. Only destination unreachable, time exceeded and parameter
 * problem may carry one (RFC 4884 section 4).
 */
#define ICMP_EXT_QUOTE 128
/* Label entries an extension holds at most (as many as fwd looks through). */
#define ICMP_MPLS_STACK_MAX 8

/* The label stack a packet arrived with. */
struct icmp_mpls_stack {
	const uint8_t *lse; /* n entries of MPLS_LSE_LEN bytes, top first, as received */
	unsigned n;
};

/*
 * icmp_error_build's error with stack in an extension (above). It is built
 * in a buffer of the calling thread's rather than in place: it is longer
 * than the short packets it is mostly about (a traceroute probe), and
 * nothing says how much room a received frame's buffer has past its end (on
 * a TPACKET_V3 ring the next frame follows it). p then points there, with
 * FWD_HEADROOM bytes of headroom, until the thread's next such error; what
 * sends or queues a frame copies it (fwd_tx, the ARP queue). front is at
 * most Ethernet and ICMP_MPLS_STACK_MAX label entries. 0; -EINVAL for a
 * type that takes no extension, a stack of no entries or more than
 * ICMP_MPLS_STACK_MAX, or a frame already in that buffer (an error about
 * an error); -ENOSPC for a longer front. The frame is unchanged on error:
 * the caller then sends the plain error.
 */
int icmp_error_build_mpls(struct fwd_pkt *p, size_t front, const struct ipv4_info *info,
			  uint8_t type, uint8_t code, uint16_t mtu, uint32_t src,
			  const struct icmp_mpls_stack *stack);

/*
 * How many errors fwd sends: a token bucket of ICMP_BURST, refilled at
 * ICMP_PER_SECOND (RFC 1812 4.3.2.8: rate limited), per VRF, so a flood of
 * expiring or unroutable packets cannot turn into a flood of errors, and one
 * customer's flood does not hold back another's errors (path MTU discovery
 * among them). A worker thread hands the control thread at most as many
 * frames to answer, so that such a flood cannot fill its punt queue.
 */
#define ICMP_PER_SECOND 1000
#define ICMP_BURST 50

/* Takes one token at now_ms (monotonic): true when an error may go. */
bool icmp_limit_take(struct icmp_limit *l, uint64_t now_ms);
/* A monotonic clock in ms for a worker thread (the control thread has f->now_ms). */
uint64_t icmp_clock_ms(void);

#endif
