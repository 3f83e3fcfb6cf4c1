/*
 * TPACKET_V3 (or V2) RX ring and TX ring for one AF_PACKET socket (see
 * io_ring.h). Sizes: the V3 RX ring is 8 blocks of 256 KB, retired by the
 * kernel after 1 ms even when not full (so a lone ping is held back 1 ms at
 * most, at each hop); the V2 RX ring is the same 2 MB as 1,024 slots of
 * 2 KB, each handed over as soon as its frame is in. An attachment link
 * (IO_RING_ACCESS) carries one customer site's traffic and gets a quarter
 * of that: 4 blocks of 128 KB, or 256 slots. Each frame gets FWD_HEADROOM
 * reserved bytes in front (PACKET_RESERVE) so labels are pushed in place.
 * The TX ring has 256 slots as big as the link's largest frame needs (its
 * MTU when the ring was made, from 2 KB to 16 KB, the largest frame the V3
 * receive path accepts). Memory is what limits tenants: with 16 KB slots
 * and full RX rings everywhere, 200 attachment links held 1.29 GB.
 * Blocks, frames and slots change hands through their status word (V2 and
 * V3 headers keep it at different offsets), read with acquire and written
 * with release ordering.
 */
#include <errno.h>
#include <linux/if_packet.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/log.h"
#include "fwd/io_ring.h"

#define RX_BLOCK_SIZE (256u << 10)
#define RX_BLOCKS 8u
#define RX_ACCESS_BLOCK_SIZE (128u << 10)
#define RX_ACCESS_BLOCKS 4u
#define RX_TIMEOUT_MS 1
#define RX_FRAME_SIZE 2048u
/*
 * What a V2 slot holds of an Ethernet frame: the kernel puts the MAC header at
 * ALIGN(header + sockaddr_ll + 16) + our reserve - 14 (af_packet.c, tpacket_rcv).
 */
_Static_assert(RX_FRAME_SIZE - (TPACKET_ALIGN(TPACKET2_HDRLEN + 16) + FWD_HEADROOM - 14) ==
		       IO_RING_FRAME_MAX,
	       "IO_RING_FRAME_MAX is not what a TPACKET_V2 slot holds");
#define TX_SLOT_MIN (2u << 10)
#define TX_SLOT_MAX (16u << 10)
#define TX_SLOTS 256u
#define KICK_EVERY 64 /* queued frames before an early kick */

static uint32_t load_status(const uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static void store_status(uint32_t *p, uint32_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

/* Where the kernel reads a TX frame: right after the version's header. */
static uint32_t tx_data_off(bool frames)
{
	return frames ? TPACKET_ALIGN(sizeof(struct tpacket2_hdr))
		      : TPACKET_ALIGN(sizeof(struct tpacket3_hdr));
}

static uint32_t tx_slot_for(unsigned mtu, bool frames)
{
	uint32_t slot = TX_SLOT_MIN;

	if (mtu == 0)
		return TX_SLOT_MAX; /* not known: room for anything */
	while (slot < TX_SLOT_MAX && slot - tx_data_off(frames) < mtu + FWD_ETH_HLEN)
		slot *= 2;
	return slot;
}

size_t io_ring_tx_max_for(unsigned mtu, bool frames)
{
	return tx_slot_for(mtu, frames) - tx_data_off(frames);
}

int io_ring_setup(struct io_ring *r, int fd, unsigned flags, unsigned mtu)
{
	bool frames = flags & IO_RING_FRAMES, access = flags & IO_RING_ACCESS;
	int version = frames ? TPACKET_V2 : TPACKET_V3, reserve = FWD_HEADROOM, one = 1;
	/* V2 reads the first four fields only (struct tpacket_req), hence the length */
	socklen_t req_len = frames ? sizeof(struct tpacket_req) : sizeof(struct tpacket_req3);
	uint32_t block = access ? RX_ACCESS_BLOCK_SIZE : RX_BLOCK_SIZE;
	uint32_t blocks = access ? RX_ACCESS_BLOCKS : RX_BLOCKS;
	uint32_t slot = tx_slot_for(mtu, frames);
	/* the frame size is V2's slot; V3 only checks it */
	struct tpacket_req3 rx = { .tp_block_size = block, .tp_block_nr = blocks,
				   .tp_frame_size = RX_FRAME_SIZE,
				   .tp_frame_nr = block / RX_FRAME_SIZE * blocks,
				   .tp_retire_blk_tov = RX_TIMEOUT_MS };
	struct tpacket_req3 tx = { .tp_block_size = slot * 16, .tp_block_nr = TX_SLOTS / 16,
				   .tp_frame_size = slot, .tp_frame_nr = TX_SLOTS };
	struct tpacket_req3 none = { 0 };

	memset(r, 0, sizeof(*r));
	/*
	 * PACKET_LOSS: a TX frame the kernel refuses (over the MTU when a link's
	 * MTU dropped before fwd saw it) is skipped. Without it the kernel marks
	 * it WRONG_FORMAT and stops there: nothing after it goes out until fwd
	 * writes that slot again, a whole ring later. Set before the rings.
	 */
	if (setsockopt(fd, SOL_PACKET, PACKET_VERSION, &version, sizeof(version)) < 0 ||
	    setsockopt(fd, SOL_PACKET, PACKET_LOSS, &one, sizeof(one)) < 0 ||
	    setsockopt(fd, SOL_PACKET, PACKET_RESERVE, &reserve, sizeof(reserve)) < 0 ||
	    setsockopt(fd, SOL_PACKET, PACKET_RX_RING, &rx, req_len) < 0)
		return -errno;
	if (setsockopt(fd, SOL_PACKET, PACKET_TX_RING, &tx, req_len) < 0) {
		int e = -errno;

		setsockopt(fd, SOL_PACKET, PACKET_RX_RING, &none, req_len);
		return e;
	}
	r->map_len = (size_t)block * blocks + (size_t)slot * TX_SLOTS;
	r->map = mmap(NULL, r->map_len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (r->map == MAP_FAILED) {
		int e = -errno;

		setsockopt(fd, SOL_PACKET, PACKET_TX_RING, &none, req_len);
		setsockopt(fd, SOL_PACKET, PACKET_RX_RING, &none, req_len);
		r->map = NULL;
		return e;
	}
	if ((flags & IO_RING_QDISC_BYPASS) &&
	    setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one)) < 0)
		log_debug("PACKET_QDISC_BYPASS: %s (frames go through the qdisc)", strerror(errno));
	r->frames = frames;
	r->rx_block_size = frames ? RX_FRAME_SIZE : block;
	r->rx_blocks = frames ? rx.tp_frame_nr : blocks;
	r->tx_slot_size = slot;
	r->tx_slots = TX_SLOTS;
	r->tx_data_off = tx_data_off(frames);
	return 0;
}

void io_ring_teardown(struct io_ring *r)
{
	if (r->map != NULL)
		munmap(r->map, r->map_len);
	r->map = NULL;
}

/* Runs one block's frames through fn, FWD_BATCH at a time. */
static unsigned rx_block(struct tpacket_block_desc *bd,
			 void (*fn)(void *ctx, struct fwd_pkt *p, unsigned n),
			 void (*toolong)(void *ctx, size_t len), void *ctx)
{
	struct fwd_pkt batch[FWD_BATCH];
	struct tpacket3_hdr *h =
		(struct tpacket3_hdr *)((uint8_t *)bd + bd->hdr.bh1.offset_to_first_pkt);
	uint32_t n = bd->hdr.bh1.num_pkts;
	unsigned k = 0;

	for (uint32_t i = 0; i < n; i++) {
		if (h->tp_snaplen < h->tp_len) {
			toolong(ctx, h->tp_len); /* bigger than a ring frame: an offload is on */
		} else {
			batch[k++] = (struct fwd_pkt){ (uint8_t *)h + h->tp_mac, h->tp_snaplen,
						       FWD_HEADROOM };
			if (k == FWD_BATCH) {
				fn(ctx, batch, k);
				k = 0;
			}
		}
		h = (struct tpacket3_hdr *)((uint8_t *)h + h->tp_next_offset);
	}
	if (k > 0)
		fn(ctx, batch, k);
	return n;
}

static struct tpacket2_hdr *rx_slot(const struct io_ring *r, uint32_t i)
{
	return (struct tpacket2_hdr *)(r->map + (size_t)i * r->rx_block_size);
}

/*
 * V2: up to max frames, FWD_BATCH at a time; a batch's slots go back to the
 * kernel once fn is done with them (its frames point into them).
 */
static unsigned rx_frames(struct io_ring *r, unsigned max,
			  void (*fn)(void *ctx, struct fwd_pkt *p, unsigned n),
			  void (*toolong)(void *ctx, size_t len), void *ctx)
{
	struct fwd_pkt batch[FWD_BATCH];
	unsigned seen = 0;

	while (seen < max) {
		uint32_t first = r->rx_next;
		unsigned k = 0, used = 0;

		/* used < slots: too long frames take slots but no batch place */
		for (; k < FWD_BATCH && used < r->rx_blocks && seen + used < max; used++) {
			struct tpacket2_hdr *h = rx_slot(r, r->rx_next);

			if (!(load_status(&h->tp_status) & TP_STATUS_USER))
				break;
			if (h->tp_snaplen < h->tp_len)
				toolong(ctx, h->tp_len); /* over the slot's room */
			else
				batch[k++] = (struct fwd_pkt){ (uint8_t *)h + h->tp_mac, h->tp_snaplen,
							       FWD_HEADROOM };
			r->rx_next = (r->rx_next + 1) % r->rx_blocks;
		}
		if (used == 0)
			break;
		if (k > 0)
			fn(ctx, batch, k);
		for (unsigned i = 0; i < used; i++)
			store_status(&rx_slot(r, (first + i) % r->rx_blocks)->tp_status,
				     TP_STATUS_KERNEL);
		seen += used;
	}
	return seen;
}

unsigned io_ring_rx(struct io_ring *r, unsigned max_blocks,
		    void (*fn)(void *ctx, struct fwd_pkt *p, unsigned n),
		    void (*toolong)(void *ctx, size_t len), void *ctx)
{
	unsigned seen = 0;

	if (r->frames)
		return rx_frames(r, max_blocks * FWD_BATCH, fn, toolong, ctx);

	for (unsigned b = 0; b < max_blocks; b++) {
		struct tpacket_block_desc *bd =
			(struct tpacket_block_desc *)(r->map + (size_t)r->rx_next * r->rx_block_size);

		if (!(load_status(&bd->hdr.bh1.block_status) & TP_STATUS_USER))
			break;
		seen += rx_block(bd, fn, toolong, ctx);
		store_status(&bd->hdr.bh1.block_status, TP_STATUS_KERNEL); /* back to the kernel */
		r->rx_next = (r->rx_next + 1) % r->rx_blocks;
	}
	return seen;
}

void io_ring_kick(struct io_ring *r, int fd)
{
	if (r->tx_pending == 0)
		return;
	/* the kernel sends every SEND_REQUEST slot; EAGAIN/ENOBUFS: it keeps them for later */
	if (sendto(fd, NULL, 0, MSG_DONTWAIT, NULL, 0) < 0 && errno != EAGAIN &&
	    errno != ENOBUFS && errno != EINTR)
		log_debug("tx ring: %s", strerror(errno));
	r->tx_pending = 0;
}

/* A slot still owned by the kernel (a frame it refused, WRONG_FORMAT, is ours again). */
static bool slot_busy(uint32_t *status)
{
	return (load_status(status) & (TP_STATUS_SEND_REQUEST | TP_STATUS_SENDING)) != 0;
}

/* A TX slot's status word: V3's header has it sixth, V2's first. */
static uint32_t *tx_status(const struct io_ring *r, uint8_t *slot)
{
	return r->frames ? &((struct tpacket2_hdr *)slot)->tp_status
			 : &((struct tpacket3_hdr *)slot)->tp_status;
}

/* The frame's length in the slot's header, where the version's kernel reads it. */
static void tx_set_len(const struct io_ring *r, uint8_t *slot, size_t len)
{
	if (r->frames) {
		struct tpacket2_hdr *h = (struct tpacket2_hdr *)slot;

		h->tp_len = h->tp_snaplen = (uint32_t)len;
	} else {
		struct tpacket3_hdr *h = (struct tpacket3_hdr *)slot;

		h->tp_next_offset = 0;
		h->tp_len = h->tp_snaplen = (uint32_t)len;
	}
}

int io_ring_tx(struct io_ring *r, int fd, const uint8_t *frame, size_t len)
{
	uint8_t *slot;
	uint32_t *status;

	if (len > io_ring_tx_max(r))
		return -EMSGSIZE;
	slot = r->map + (size_t)r->rx_block_size * r->rx_blocks +
	       (size_t)r->tx_next * r->tx_slot_size;
	status = tx_status(r, slot);
	if (slot_busy(status)) {
		io_ring_kick(r, fd); /* the kernel is behind: let it catch up once */
		if (slot_busy(status))
			return -ENOBUFS;
	}
	memcpy(slot + r->tx_data_off, frame, len);
	tx_set_len(r, slot, len);
	store_status(status, TP_STATUS_SEND_REQUEST);
	r->tx_next = (r->tx_next + 1) % r->tx_slots;
	if (++r->tx_pending >= KICK_EVERY)
		io_ring_kick(r, fd);
	return 0;
}
