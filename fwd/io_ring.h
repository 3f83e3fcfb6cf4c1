/*
 * PACKET_MMAP rings for one AF_PACKET socket (internal to io_packet.c):
 * a TPACKET_V3 receive ring (the kernel fills blocks of frames, fwd reads
 * them in place, pushing labels into the reserved headroom in front of each
 * frame) and a transmit ring of fixed slots sent with one sendto() per batch:
 * no per-frame system call either way. PACKET_QDISC_BYPASS is optional: it
 * skips the qdisc, but also the taps, so tcpdump on the interface no longer
 * sees what fwd sends (the lab's on-the-wire checks rely on seeing it).
 */
#ifndef FERRY_FWD_IO_RING_H
#define FERRY_FWD_IO_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fwd/fwd.h"

struct io_ring {
	uint8_t *map;  /* RX blocks (or frames), then TX slots */
	size_t map_len;
	bool frames;   /* IO_RING_FRAMES: TPACKET_V2, a block is one frame */
	uint32_t rx_block_size, rx_blocks, rx_next;
	uint32_t tx_slot_size, tx_slots, tx_next, tx_data_off;
	unsigned tx_pending; /* slots filled since the last kick */
};

/* io_ring_setup's flags. */
enum {
	IO_RING_QDISC_BYPASS = 1,
	/*
	 * TPACKET_V2 instead of V3: the kernel hands each frame over as soon as
	 * it is written instead of a block at a time (full, or after 1 ms), so a
	 * lone frame waits for nothing; frames over IO_RING_FRAME_MAX are
	 * passed to toolong.
	 */
	IO_RING_FRAMES = 2,
	/* an attachment link (one customer site): a receive ring a quarter the size */
	IO_RING_ACCESS = 4,
};
#define IO_RING_FRAME_MAX 1918 /* the largest frame a 2 KB slot of the TPACKET_V2 ring takes */

/*
 * Sets up both rings on bound socket fd, TX slots sized for frames of a
 * link of this MTU (0: not known, the largest). 0 or -errno (then the
 * socket is as before).
 */
int io_ring_setup(struct io_ring *r, int fd, unsigned flags, unsigned mtu);
/* The largest frame the TX ring io_ring_setup makes for mtu takes. */
size_t io_ring_tx_max_for(unsigned mtu, bool frames);
/* The largest frame the TX ring takes. */
static inline size_t io_ring_tx_max(const struct io_ring *r)
{
	return r->tx_slot_size - r->tx_data_off;
}
void io_ring_teardown(struct io_ring *r);

/*
 * Hands every frame waiting in the RX ring to fn in batches of up to
 * FWD_BATCH (frames point into the ring, with FWD_HEADROOM before them), at
 * most max_blocks blocks (IO_RING_FRAMES: max_blocks x FWD_BATCH frames) per
 * call; frames the ring truncated are passed to toolong instead. Returns the
 * number of frames seen.
 */
#define FWD_BATCH 256
unsigned io_ring_rx(struct io_ring *r, unsigned max_blocks,
		    void (*fn)(void *ctx, struct fwd_pkt *p, unsigned n),
		    void (*toolong)(void *ctx, size_t len), void *ctx);

/* Copies a frame into the next free TX slot. 0, -EMSGSIZE or -ENOBUFS (ring full). */
int io_ring_tx(struct io_ring *r, int fd, const uint8_t *frame, size_t len);
/* Asks the kernel to send what was queued. */
void io_ring_kick(struct io_ring *r, int fd);

#endif
