/*
 * The PACKET_MMAP ring logic (io_ring.c) on a ring in plain memory laid out
 * as the kernel lays it out, no socket: where each version keeps a TX slot's
 * status and length (a busy slot is never overwritten), and how a TPACKET_V2
 * receive ring hands frames over and gives its slots back; TX slots sized
 * for the link's MTU. Last, on a real socket: a frame the kernel refuses
 * does not stop the TX ring, and an attachment link's rings are small.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fwd/io_ring.h"

#define SLOT 2048u

/* A ring of rx_slots V2 receive slots (or one V3 block) and tx_slots TX slots. */
static struct io_ring ring_new(bool frames, uint32_t rx_slots, uint32_t tx_slots)
{
	struct io_ring r = { .frames = frames, .rx_block_size = SLOT, .rx_blocks = rx_slots,
			     .tx_slot_size = SLOT, .tx_slots = tx_slots };

	r.tx_data_off = frames ? TPACKET_ALIGN(sizeof(struct tpacket2_hdr))
			       : TPACKET_ALIGN(sizeof(struct tpacket3_hdr));
	r.map_len = (size_t)SLOT * (rx_slots + tx_slots);
	r.map = calloc(1, r.map_len);
	cr_assert_not_null(r.map);
	return r;
}

static uint8_t *tx_slot(const struct io_ring *r, unsigned i)
{
	return r->map + (size_t)r->rx_block_size * r->rx_blocks + (size_t)i * r->tx_slot_size;
}

static uint32_t *tx_status_of(const struct io_ring *r, unsigned i)
{
	return r->frames ? &((struct tpacket2_hdr *)tx_slot(r, i))->tp_status
			 : &((struct tpacket3_hdr *)tx_slot(r, i))->tp_status;
}

static uint32_t tx_len_of(const struct io_ring *r, unsigned i)
{
	return r->frames ? ((struct tpacket2_hdr *)tx_slot(r, i))->tp_len
			 : ((struct tpacket3_hdr *)tx_slot(r, i))->tp_len;
}

static void tx_slots_in_place(bool frames)
{
	struct io_ring r = ring_new(frames, 1, 2);
	uint8_t frame[60];

	memset(frame, 0x5A, sizeof(frame));
	*tx_status_of(&r, 0) = TP_STATUS_SEND_REQUEST; /* the kernel has not sent it yet */
	cr_assert_eq(io_ring_tx(&r, -1, frame, sizeof(frame)), -ENOBUFS,
		     "a slot the kernel still holds is not overwritten");
	cr_assert_eq(*tx_status_of(&r, 0), TP_STATUS_SEND_REQUEST);
	*tx_status_of(&r, 0) = TP_STATUS_SENDING;
	cr_assert_eq(io_ring_tx(&r, -1, frame, sizeof(frame)), -ENOBUFS);
	*tx_status_of(&r, 0) = TP_STATUS_AVAILABLE;
	cr_assert_eq(io_ring_tx(&r, -1, frame, sizeof(frame)), 0);
	cr_assert_eq(*tx_status_of(&r, 0), TP_STATUS_SEND_REQUEST);
	cr_assert_eq(tx_len_of(&r, 0), sizeof(frame));
	cr_assert_eq(memcmp(tx_slot(&r, 0) + r.tx_data_off, frame, sizeof(frame)), 0);
	cr_assert_eq(r.tx_next, 1);
	cr_assert_eq(io_ring_tx(&r, -1, frame, SLOT), -EMSGSIZE, "no room for the header too");
	free(r.map);
}

Test(fwd_io_ring, v3_tx_slot_status_and_length)
{
	tx_slots_in_place(false);
}

Test(fwd_io_ring, v2_tx_slot_status_and_length)
{
	tx_slots_in_place(true);
}

/* What the receive callbacks saw. */
static struct {
	uint8_t *data[16];
	size_t len[16];
	unsigned n, calls, toolong;
	const struct io_ring *r; /* the slots must still be ours while fn runs */
	bool held;
} seen;

static void on_frames(void *ctx, struct fwd_pkt *p, unsigned n)
{
	(void)ctx;
	seen.calls++;
	for (unsigned i = 0; i < n; i++) {
		struct tpacket2_hdr *h =
			(struct tpacket2_hdr *)(seen.r->map +
						(size_t)(p[i].data - seen.r->map) / SLOT * SLOT);

		seen.held &= (h->tp_status & TP_STATUS_USER) != 0;
		seen.data[seen.n] = p[i].data;
		seen.len[seen.n++] = p[i].len;
	}
}

static void on_toolong(void *ctx, size_t len)
{
	(void)ctx;
	(void)len;
	seen.toolong++;
}

/* Slot i filled by the kernel: a frame of len bytes, snaplen of them stored. */
static void fill(struct io_ring *r, unsigned i, uint32_t len, uint32_t snaplen)
{
	struct tpacket2_hdr *h = (struct tpacket2_hdr *)(r->map + (size_t)i * SLOT);

	h->tp_mac = 130;
	h->tp_len = len;
	h->tp_snaplen = snaplen;
	h->tp_status = TP_STATUS_USER;
}

static uint32_t rx_status_of(const struct io_ring *r, unsigned i)
{
	return ((struct tpacket2_hdr *)(r->map + (size_t)i * SLOT))->tp_status;
}

Test(fwd_io_ring, v2_rx_frames_in_order_slots_back_after_the_batch)
{
	struct io_ring r = ring_new(true, 4, 1);

	memset(&seen, 0, sizeof(seen));
	seen.r = &r;
	seen.held = true;
	fill(&r, 0, 60, 60);
	fill(&r, 1, 3000, 1918); /* over the slot's room */
	fill(&r, 2, 1514, 1514);
	cr_assert_eq(io_ring_rx(&r, 1, on_frames, on_toolong, NULL), 3);
	cr_assert_eq(seen.calls, 1);
	cr_assert_eq(seen.n, 2);
	cr_assert_eq(seen.data[0], r.map + 130);
	cr_assert_eq(seen.len[0], 60);
	cr_assert_eq(seen.data[1], r.map + 2 * SLOT + 130);
	cr_assert_eq(seen.len[1], 1514);
	cr_assert_eq(seen.toolong, 1);
	cr_assert(seen.held, "the slots were still fwd's while the batch ran");
	for (unsigned i = 0; i < 3; i++)
		cr_assert_eq(rx_status_of(&r, i), TP_STATUS_KERNEL, "slot %u given back", i);
	cr_assert_eq(r.rx_next, 3);
	cr_assert_eq(io_ring_rx(&r, 1, on_frames, on_toolong, NULL), 0, "slot 3 is not filled");
	free(r.map);
}

Test(fwd_io_ring, v2_rx_a_full_ring_of_long_frames_is_read_once)
{
	struct io_ring r = ring_new(true, 4, 1);

	memset(&seen, 0, sizeof(seen));
	seen.r = &r;
	for (unsigned i = 0; i < 4; i++)
		fill(&r, i, 3000, 1918);
	/* 8 x 256 frames allowed, 4 slots: each is seen once, not again after the wrap */
	cr_assert_eq(io_ring_rx(&r, 8, on_frames, on_toolong, NULL), 4);
	cr_assert_eq(seen.toolong, 4);
	cr_assert_eq(seen.n, 0);
	cr_assert_eq(r.rx_next, 0);
	for (unsigned i = 0; i < 4; i++)
		cr_assert_eq(rx_status_of(&r, i), TP_STATUS_KERNEL);
	free(r.map);
}

/*
 * On a real socket (root: a network namespace of the test's own, its
 * loopback at MTU 1000): a frame the kernel refuses (larger than the MTU,
 * as happens when a link's MTU drops before fwd's next look at it) must not
 * stop the ring. Without PACKET_LOSS the kernel marks it WRONG_FORMAT, stays
 * on it, and sends nothing after it until fwd writes that slot again, 255
 * frames later.
 */
static void lo_up_at_mtu(int fd, int mtu)
{
	struct ifreq ifr = { .ifr_name = "lo" };

	cr_assert_eq(ioctl(fd, SIOCGIFFLAGS, &ifr), 0);
	ifr.ifr_flags |= IFF_UP;
	cr_assert_eq(ioctl(fd, SIOCSIFFLAGS, &ifr), 0);
	ifr.ifr_mtu = mtu;
	cr_assert_eq(ioctl(fd, SIOCSIFMTU, &ifr), 0);
}

/* The TX slot i is back with fwd (sent or skipped) within about a second. */
static bool tx_slot_done(const struct io_ring *r, unsigned i)
{
	for (int t = 0; t < 1000; t++) {
		uint32_t s = __atomic_load_n(tx_status_of(r, i), __ATOMIC_ACQUIRE);

		if ((s & (TP_STATUS_SEND_REQUEST | TP_STATUS_SENDING)) == 0)
			return true;
		usleep(1000);
	}
	return false;
}

static void refused_frame_does_not_stop_the_ring(unsigned flags)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = 0 };
	uint8_t big[1200] = { 0 }, small[100] = { 0 };
	struct io_ring r;
	int fd;

	if (geteuid() != 0)
		cr_skip_test("needs root: a network namespace of its own (CI runs as root)");
	cr_assert_eq(unshare(CLONE_NEWNET), 0, "unshare: %s", strerror(errno));
	cr_assert_geq(fd = socket(AF_PACKET, SOCK_RAW, 0), 0);
	lo_up_at_mtu(fd, 1000);
	cr_assert_eq(io_ring_setup(&r, fd, flags, 0), 0);
	sll.sll_ifindex = (int)if_nametoindex("lo");
	cr_assert_eq(bind(fd, (struct sockaddr *)&sll, sizeof(sll)), 0);
	big[12] = small[12] = 0x88; /* an ethertype nobody listens to */
	big[13] = small[13] = 0xB5;
	cr_assert_eq(io_ring_tx(&r, fd, big, sizeof(big)), 0);
	io_ring_kick(&r, fd);
	cr_assert_eq(io_ring_tx(&r, fd, small, sizeof(small)), 0);
	io_ring_kick(&r, fd);
	cr_assert(tx_slot_done(&r, 0), "the refused frame's slot is ours again");
	cr_assert(tx_slot_done(&r, 1), "the frame after a refused one was not sent");
	io_ring_teardown(&r);
	close(fd);
}

Test(fwd_io_ring, v2_a_refused_frame_does_not_stop_the_ring)
{
	refused_frame_does_not_stop_the_ring(IO_RING_FRAMES);
}

Test(fwd_io_ring, v3_a_refused_frame_does_not_stop_the_ring)
{
	refused_frame_does_not_stop_the_ring(0);
}

/* A TX slot takes the link's largest frame (MTU + Ethernet header), in 2 KB to 16 KB. */
Test(fwd_io_ring, tx_slots_fit_the_mtu)
{
	for (int v2 = 0; v2 <= 1; v2++) {
		size_t biggest = io_ring_tx_max_for(0, v2);

		cr_assert_gt(biggest, 16000, "an unknown MTU gets the largest slots");
		cr_assert_lt(io_ring_tx_max_for(1500, v2), 2048, "MTU 1500: 2 KB slots");
		cr_assert_eq(io_ring_tx_max_for(65535, v2), biggest, "no slot over 16 KB");
		for (unsigned mtu = 68; mtu < 16000; mtu += 7) {
			size_t max = io_ring_tx_max_for(mtu, v2);

			cr_assert_geq(max, mtu + 14u, "MTU %u: %zu", mtu, max);
			cr_assert_leq(max, 2 * (mtu + 14u) + 2048, "MTU %u: %zu is too much", mtu,
				      max);
		}
	}
}

/* On a real socket: an attachment link's rings (1 MB at MTU 1500), a core link's (2.5 MB). */
Test(fwd_io_ring, an_attachment_links_rings_are_small)
{
	struct io_ring r;
	uint8_t frame[2048] = { 0 };
	int fd;

	if (geteuid() != 0)
		cr_skip_test("needs root: a network namespace of its own (CI runs as root)");
	cr_assert_eq(unshare(CLONE_NEWNET), 0, "unshare: %s", strerror(errno));
	cr_assert_geq(fd = socket(AF_PACKET, SOCK_RAW, 0), 0);
	cr_assert_eq(io_ring_setup(&r, fd, IO_RING_ACCESS, 1500), 0);
	cr_assert_eq(r.map_len, (512u << 10) + 256u * 2048, "%zu bytes", r.map_len);
	cr_assert_eq(io_ring_tx(&r, fd, frame, 1514), 0, "a full 1,500-byte frame fits");
	cr_assert_eq(io_ring_tx(&r, fd, frame, sizeof(frame)), -EMSGSIZE);
	io_ring_teardown(&r);
	close(fd);
	cr_assert_geq(fd = socket(AF_PACKET, SOCK_RAW, 0), 0);
	cr_assert_eq(io_ring_setup(&r, fd, 0, 1500), 0);
	cr_assert_eq(r.map_len, (2048u << 10) + 256u * 2048, "%zu bytes", r.map_len);
	io_ring_teardown(&r);
	close(fd);
}
