/*
 * Worker threads (fwd.workers > 0; internal to the I/O backend, io_packet.c).
 * Each worker runs the vector path on sockets of its own, so no two threads
 * ever share a ring: on AF_PACKET a socket per interface in a
 * PACKET_FANOUT_HASH group (the kernel splits the flows between workers),
 * on AF_XDP the sockets of the receive queues it was given (queue q to
 * worker q mod n) and, to send where it has none, a transmit-only packet
 * socket. Tables are read lock-free (RCU: each worker is a reader with a
 * quiescent point per round), counters are per worker (fwd_self) and summed
 * by the control thread every 100 ms, and what the fast path cannot finish
 * is punted to the control thread (punt.c).
 */
#ifndef FERRY_FWD_IO_WORKER_H
#define FERRY_FWD_IO_WORKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fwd/fwd.h"

struct event_base;
struct io_workers;
struct io_xsk;

/*
 * Starts n workers. Punted frames are finished on base's loop, then
 * flush(flush_ctx) sends what they produced. NULL on failure (logged).
 */
struct io_workers *io_workers_start(struct event_base *base, struct fwd *f, unsigned n,
				    void (*flush)(void *ctx), void *flush_ctx);
/* Stops and joins the threads, closes their sockets (the AF_XDP ones are the caller's). */
void io_workers_stop(struct io_workers *w);

/*
 * Control thread: hands interface ifp to the workers. n_xsk AF_XDP sockets
 * (one per receive queue, owned by the caller), or none: AF_PACKET fanout,
 * rings set up with ring_flags (io_ring_setup's). 0 or -errno (logged).
 */
int io_workers_if_open(struct io_workers *w, struct fwd_iface *ifp, int ifindex,
		       struct io_xsk *const *xsk, unsigned n_xsk, unsigned ring_flags);
/* Control thread: takes ifp back; when it returns no worker touches its sockets any more. */
void io_workers_if_close(struct io_workers *w, struct fwd_iface *ifp);

/* On a worker thread: sends through that worker's socket on ifp (0 or -errno). */
int io_workers_output(struct fwd_iface *ifp, const uint8_t *frame, size_t len);

#endif
