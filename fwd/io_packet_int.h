/*
 * Internal to fwd's AF_PACKET backend (io_packet.c: sockets, rings, the
 * receive and send paths; io_packet_links.c: links opened together and
 * checked each second): the per-link and backend state both read.
 */
#ifndef FERRY_FWD_IO_PACKET_INT_H
#define FERRY_FWD_IO_PACKET_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <linux/if_packet.h>

#include <event2/event.h>

#include "fwd/fwd.h"
#include "fwd/io_ring.h"

#define IO_BATCH 32
#define IO_ROUNDS 8       /* batches (or ring blocks) per read event before yielding */
#define IO_SLOT 16384     /* largest frame handled; anything bigger exceeds every MTU */
#define IO_RCVBUF (4 << 20)
#define IO_XSK_MAX 16     /* AF_XDP sockets (receive queues) per interface */

/* The fallback path's transmit batch (only allocated when the rings are not there). */
struct io_plain {
	unsigned n_tx;
	struct mmsghdr tx_msgs[IO_BATCH];
	struct iovec tx_iov[IO_BATCH];
	uint8_t tx_buf[IO_BATCH][IO_SLOT];
};

struct io_if;

/* One AF_XDP socket (one receive queue) of an interface. */
struct io_xq {
	struct io_if *x;
	struct io_xsk *xsk;
	struct event *ev;
};

struct io_if {
	struct io_packet *io;
	struct fwd_iface *ifp;
	int fd;
	int ifindex;
	struct event *ev;
	bool ring_up;
	struct io_ring ring;
	struct io_plain *plain;
	struct xdp_prog *prog; /* AF_XDP: the interface's XDP program and sockets */
	struct io_xq xq[IO_XSK_MAX];
	unsigned n_xq;
	/*
	 * The largest frame the packet rings (this socket's or the workers')
	 * take, set by the MTU at open; 0: no rings. A later, larger MTU is
	 * capped to it until the link is opened again.
	 */
	size_t ring_frame_max;
	bool mtu_capped;
};

struct io_packet {
	struct event_base *base;
	struct fwd *f;
	bool no_rings;
	unsigned ring_flags; /* io_ring_setup's */
	bool xdp; /* fwd.io af_xdp: try AF_XDP on every interface */
	struct io_workers *workers; /* NULL: everything on this thread */
	unsigned n_workers;
	struct event *open_ev; /* opens the links vrfmgr bound, together (io_par.h) */
	struct event *close_ev; /* closes the sockets of the links vrfmgr unbound, together */
	bool closing; /* a close batch (io_par.h) is open for them */
	/* AF_XDP, through a batch of opens or a tick: the kernel's addresses, read once */
	struct ifaddrs *kaddrs;
	struct fwd_iface *in[FWD_BATCH];
	struct mmsghdr rx_msgs[IO_BATCH];
	struct iovec rx_iov[IO_BATCH];
	struct sockaddr_ll rx_addr[IO_BATCH];
	uint8_t rx_buf[IO_BATCH][FWD_HEADROOM + IO_SLOT];
};

/* io_packet.c, for io_packet_links.c */
int io_if_open(void *ctx, struct fwd_iface *ifp);
void io_if_close(void *ctx, struct fwd_iface *ifp);
/* The link's MTU and MAC read again: 0, or -1 with errno. */
int io_read_link(struct io_if *x);

/* io_packet_links.c, for io_packet.c */
int io_if_open_soon(void *ctx, struct fwd_iface *ifp);
void io_open_batch_cb(evutil_socket_t fd, short what, void *arg);
void io_if_close_soon(void *ctx, struct fwd_iface *ifp);
void io_close_batch_cb(evutil_socket_t fd, short what, void *arg);
/* What io_if_close_soon left open, closed now (together); nothing when nothing is. */
void io_closes_end(struct io_packet *io);

#endif
