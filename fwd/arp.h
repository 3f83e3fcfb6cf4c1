/*
 * ARP (RFC 826), one table per interface. On access links fwd owns its
 * address: it answers requests for it and learns the requester. On core
 * links the kernel owns the address, so fwd never answers there; it only
 * learns from replies to its own requests and refreshes entries it holds.
 */
#ifndef FERRY_FWD_ARP_H
#define FERRY_FWD_ARP_H

#include <stdint.h>

#include "fwd/fwd.h"

#define ARP_QUEUE_MAX 4        /* frames held per neighbour while resolving */
#define ARP_RETRY_MS 1000
#define ARP_MAX_TRIES 3
#define ARP_FAILED_HOLD_MS 3000 /* a failed neighbour drops at once for this long */
#define ARP_TABLE_MAX 1024     /* entries per interface */

enum arp_state { ARP_INCOMPLETE = 0, ARP_REACHABLE, ARP_FAILED };

struct arp_queued;

struct arp_entry {
	uint32_t ip;
	uint8_t mac[FWD_ETH_ALEN];
	uint8_t state;   /* enum arp_state */
	uint8_t tries;   /* requests sent while incomplete */
	uint8_t n_queued;
	uint64_t updated_ms; /* learned, created or failed at */
	uint64_t next_try_ms;
	struct arp_queued *queue[ARP_QUEUE_MAX];
	struct arp_entry *next;
};

struct arp_table *arp_table_new(void);
void arp_table_free(struct arp_table *t);

/* A received ARP frame on ifp. */
enum fwd_verdict arp_input(struct fwd *f, struct fwd_iface *ifp, const struct fwd_pkt *p);
/*
 * Sends the finished frame p (all but the MAC addresses) to neighbour ip on
 * ifp, or queues a copy while resolving (sending a request on first use).
 */
enum fwd_verdict arp_output(struct fwd *f, struct fwd_iface *ifp, uint32_t ip,
			    struct fwd_pkt *p);
/* Retries requests, fails and ages entries; call about once a second. */
void arp_tick(struct fwd *f, struct fwd_iface *ifp);
/* Forgets every entry (queued frames are dropped as arp_failed). */
void arp_flush(struct fwd *f, struct fwd_iface *ifp);

const struct arp_entry *arp_find(const struct fwd_iface *ifp, uint32_t ip);
void arp_foreach(const struct fwd_iface *ifp, void (*cb)(const struct arp_entry *e, void *ctx),
		 void *ctx);
const char *arp_state_name(uint8_t state);

#endif
