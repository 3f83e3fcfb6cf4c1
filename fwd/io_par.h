/*
 * Packet sockets opened and closed many at a time. Setting up a packet
 * socket's RX or TX ring, and closing a packet socket (once more per ring it
 * has), each wait for an RCU grace period in the kernel (synchronize_net in
 * af_packet.c): 15-20 ms each on the project's machines, so an attachment
 * link cost about 35 ms to open and 50 ms to close, one link after the other.
 * Grace periods waited for at the same time are shared, so these calls are
 * made from several threads at once: N links then cost a few grace periods,
 * not N times a few. Control thread only.
 */
#ifndef FERRY_FWD_IO_PAR_H
#define FERRY_FWD_IO_PAR_H

#include <stddef.h>

#include "fwd/io_ring.h"

/* Runs fn(arg, i) for every i < n, on up to IO_PAR_THREADS threads at once. */
#define IO_PAR_THREADS 64
void io_par_run(size_t n, void (*fn)(void *arg, size_t i), void *arg);

/*
 * Between io_close_batch_begin and io_close_batch_end, io_fd_close only
 * notes the descriptor; the end closes them all together. Outside a batch it
 * closes at once. Batches do not nest.
 */
void io_close_batch_begin(void);
void io_fd_close(int fd);
void io_close_batch_end(void);

/*
 * Sockets with their rings made ahead, together: n for each job, bound to
 * the job's link with no protocol (they receive nothing until bound again),
 * rings as io_ring_setup(flags, mtu) makes them. io_prep_take hands one out
 * (its fd, its ring in *ring) when one matches, else -1; io_prep_drop closes
 * (io_fd_close) those nobody took.
 */
struct io_prep_job {
	int ifindex;
	unsigned flags, mtu;
};
void io_prep_make(const struct io_prep_job *jobs, size_t n_jobs, unsigned n_each);
int io_prep_take(int ifindex, unsigned flags, unsigned mtu, struct io_ring *ring);
void io_prep_drop(void);

#endif
