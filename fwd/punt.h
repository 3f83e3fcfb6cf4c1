/*
 * Punting (worker threads only): a frame the vector path cannot finish on
 * its own (ARP, pings to fwd, TTL expiry, a next hop whose MAC is not
 * cached, anything odd) is copied into its worker's punt ring and finished
 * by the control thread, which alone touches ARP tables, ARP queues and
 * next-hop caches. So workers never write shared state, and the slow path
 * stays single-threaded code. One single-producer single-consumer ring per
 * worker, with an eventfd that wakes the control thread's event loop.
 */
#ifndef FERRY_FWD_PUNT_H
#define FERRY_FWD_PUNT_H

#include <stdbool.h>
#include <stdint.h>

#include "fwd/fwd.h"
#include "fwd/pipeline_int.h"

struct nexthop;

struct punt_ring *punt_ring_new(void);
void punt_ring_free(struct punt_ring *r);
/* Readable when frames are waiting. */
int punt_ring_fd(const struct punt_ring *r);

/* Worker: the frame as received, for pipeline.c whole. FWD_PUNTED or a counted drop. */
enum fwd_verdict punt_frame(struct fwd *f, struct fwd_iface *in, const struct fwd_pkt *p);
/* Worker: a frame prepared up to its next hop (vector_nh_output's arguments; nh NULL: no route). */
enum fwd_verdict punt_nh(struct fwd *f, struct fwd_iface *in, const struct fwd_pkt *p,
			 bool is_ip, uint32_t vrf_id, const struct nexthop *nh, uint32_t inner,
			 struct lsr_in lsr_in);
/*
 * The same for a frame the control thread only might send (one to
 * fragment): taken while the ring is at most half full, so that what must
 * reach the control thread (ARP) still finds room; else a counted drop.
 */
enum fwd_verdict punt_nh_bulk(struct fwd *f, struct fwd_iface *in, const struct fwd_pkt *p,
			      bool is_ip, uint32_t vrf_id, const struct nexthop *nh, uint32_t inner,
			      struct lsr_in lsr_in);
/* Worker, after a round: wakes the control thread when it punted anything. */
void punt_ring_signal(struct punt_ring *r);

/* Control thread: finishes what r holds (sent through the output hook); how many. */
unsigned punt_ring_drain(struct fwd *f, struct punt_ring *r);

#endif
