/*
 * One AF_XDP socket (internal to the I/O backend, io_packet.c): bound in
 * copy mode to one receive queue of one interface, with a UMEM of its own
 * split in two halves, receive frames (handed to the kernel through the
 * fill ring, read in place with their headroom, refilled after each batch)
 * and transmit frames (forwarded frames are copied in; the completion ring
 * gives them back). The XDP program that steers frames here is xdp_prog.c's.
 */
#ifndef FERRY_FWD_IO_XSK_H
#define FERRY_FWD_IO_XSK_H

#include <stddef.h>
#include <stdint.h>

#include "fwd/fwd.h"

struct io_xsk;

/*
 * Socket on queue of ifname, for frames up to max_frame bytes (at most
 * io_xsk_max_frame()); 0 or -errno, *why says which step failed. A queue
 * still busy from fwd's own close a moment ago is waited for (bounded).
 */
int io_xsk_open(struct io_xsk **out, const char *ifname, uint32_t queue, size_t max_frame,
		const char **why);
void io_xsk_close(struct io_xsk *x);
int io_xsk_fd(const struct io_xsk *x);
/* The largest frame a receive buffer can hold (bigger ones the kernel drops). */
size_t io_xsk_max_frame(void);

/*
 * Hands what the RX ring holds to fn in batches of up to FWD_BATCH (at most
 * max_batches), frames in place with their headroom; refills the fill ring.
 * Returns the number of frames seen.
 */
unsigned io_xsk_rx(struct io_xsk *x, unsigned max_batches,
		   void (*fn)(void *ctx, struct fwd_pkt *p, unsigned n), void *ctx);
/* Copies a frame into a free transmit buffer and queues it. 0, -EMSGSIZE or -ENOBUFS. */
int io_xsk_tx(struct io_xsk *x, const uint8_t *frame, size_t len);
/*
 * Makes the kernel send what is queued. In copy mode each sendto() sends at
 * most a few dozen frames and then says EAGAIN: it keeps kicking (bounded)
 * until the ring is drained, or the TX ring would stall for good.
 */
void io_xsk_kick(struct io_xsk *x);

#endif
