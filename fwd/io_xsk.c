/*
 * AF_XDP sockets through libxdp's xsk API (see io_xsk.h). Copy mode only:
 * veth refuses XDP_ZEROCOPY, and copy mode works on any driver. Sizes: 4,096
 * receive frames (all of them in the fill ring between batches: a burst
 * that outruns fwd for a moment waits there instead of being dropped by the
 * driver) and 1,024 transmit frames, of 2 KB (10 MB a socket), or of 4 KB
 * when the interface's frames do not fit in 2 KB. The fill and TX rings have
 * room for twice their frames: the kernel publishes how far it has read
 * them lazily, so a ring exactly as big as its frames can look full while
 * a frame is ready to go back (the receive and completion rings, which fwd
 * releases at once, need no such margin). A
 * receive frame's data starts at least XDP_PACKET_HEADROOM (256) bytes into
 * its buffer, so labels are pushed in place as on the TPACKET_V3 ring.
 * libxdp is told not to load its own XDP program: fwd's (xdp_prog.c)
 * decides which frames come here.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <linux/if_xdp.h>
#include <xdp/xsk.h>

#include "common/clock.h"
#include "common/log.h"
#include "common/plural.h"
#include "fwd/io_par.h"
#include "fwd/io_ring.h"
#include "fwd/io_xsk.h"

#define FRAME_MAX 4096u
#define RX_FRAMES 4096u
#define TX_FRAMES 1024u
#define N_FRAMES (RX_FRAMES + TX_FRAMES)
#define KICK_EVERY 64u /* queued frames before an early kick */
/*
 * A queue whose socket fwd has just closed stays busy (EBUSY) until the
 * kernel's deferred release of that socket's buffer pool has run, on a
 * workqueue after the close. A link unbound and bound again in one burst of
 * vrfmgr's messages is opened right after that close (io_packet_links.c's
 * open_batch), so an EBUSY then is waited out, 2 ms at a time, up to
 * BUSY_WAIT_MS, rather than taken for another program's socket (which
 * would leave the link on AF_PACKET until it is opened again).
 */
#define BUSY_WAIT_MS 500u
#define BUSY_SINCE_CLOSE_MS 5000u /* an EBUSY later than this after fwd's last close: not ours */

struct io_xsk {
	void *area;
	uint32_t frame; /* 2048 or 4096 */
	struct xsk_umem *umem;
	struct xsk_socket *xsk;
	struct xsk_ring_prod fill, tx;
	struct xsk_ring_cons comp, rx;
	uint64_t tx_free[TX_FRAMES]; /* transmit buffers not in the kernel's hands */
	unsigned n_tx_free;
	unsigned tx_queued; /* since the last kick */
	int fd;
};

size_t io_xsk_max_frame(void)
{
	return FRAME_MAX - XDP_PACKET_HEADROOM;
}

static uint64_t chunk_of(const struct io_xsk *x, uint64_t addr)
{
	return addr & ~(uint64_t)(x->frame - 1);
}

int io_xsk_fd(const struct io_xsk *x)
{
	return x->fd;
}

/* Every receive buffer into the fill ring: the kernel may use them all. */
static int fill_all(struct io_xsk *x)
{
	uint32_t idx;

	if (xsk_ring_prod__reserve(&x->fill, RX_FRAMES, &idx) != RX_FRAMES)
		return -ENOSPC;
	for (uint32_t i = 0; i < RX_FRAMES; i++)
		*xsk_ring_prod__fill_addr(&x->fill, idx + i) = (uint64_t)i * x->frame;
	xsk_ring_prod__submit(&x->fill, RX_FRAMES);
	return 0;
}

static int setup(struct io_xsk *x, const char *ifname, uint32_t queue, const char **why)
{
	struct xsk_umem_config ucfg = { .fill_size = 2 * RX_FRAMES, .comp_size = TX_FRAMES,
					.frame_size = x->frame, .frame_headroom = 0 };
	struct xsk_socket_config scfg = {
		.rx_size = RX_FRAMES, .tx_size = 2 * TX_FRAMES,
		.libxdp_flags = XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD,
		.bind_flags = XDP_COPY | XDP_USE_NEED_WAKEUP,
	};
	int r;

	*why = "allocating the UMEM";
	x->area = mmap(NULL, (size_t)N_FRAMES * x->frame, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (x->area == MAP_FAILED) {
		x->area = NULL;
		return -errno;
	}
	*why = "registering the UMEM";
	if ((r = xsk_umem__create(&x->umem, x->area, (uint64_t)N_FRAMES * x->frame, &x->fill,
				  &x->comp, &ucfg)) < 0)
		return r;
	*why = "creating the AF_XDP socket (copy mode)";
	if ((r = xsk_socket__create(&x->xsk, ifname, queue, x->umem, &x->rx, &x->tx, &scfg)) < 0)
		return r;
	x->fd = xsk_socket__fd(x->xsk);
	for (uint32_t i = 0; i < TX_FRAMES; i++)
		x->tx_free[i] = (uint64_t)(RX_FRAMES + i) * x->frame;
	x->n_tx_free = TX_FRAMES;
	*why = "filling the fill ring";
	return fill_all(x);
}

static uint64_t last_close_ms; /* when io_xsk_close last let a bound socket go; control thread */

static int open_once(struct io_xsk **out, const char *ifname, uint32_t queue, size_t max_frame,
		     const char **why)
{
	struct io_xsk *x = calloc(1, sizeof(*x));
	int r;

	*out = NULL;
	if (x == NULL) {
		*why = "allocating";
		return -ENOMEM;
	}
	x->fd = -1;
	x->frame = max_frame + XDP_PACKET_HEADROOM <= 2048 ? 2048 : FRAME_MAX;
	if ((r = setup(x, ifname, queue, why)) < 0) {
		io_xsk_close(x);
		return r;
	}
	*out = x;
	return 0;
}

int io_xsk_open(struct io_xsk **out, const char *ifname, uint32_t queue, size_t max_frame,
		const char **why)
{
	const struct timespec pause = { 0, 2000000 };
	uint64_t t0 = clock_mono_ms();
	unsigned waits = 0;
	int r;

	while ((r = open_once(out, ifname, queue, max_frame, why)) == -EBUSY &&
	       last_close_ms != 0 && t0 - last_close_ms < BUSY_SINCE_CLOSE_MS &&
	       clock_mono_ms() - t0 < BUSY_WAIT_MS) {
		nanosleep(&pause, NULL);
		waits++;
	}
	if (waits > 0)
		log_info("%s: queue %u busy after fwd's own close: AF_XDP socket %s after %llu ms",
			 ifname, queue, r == 0 ? "made" : "still refused",
			 (unsigned long long)(clock_mono_ms() - t0));
	return r;
}

/*
 * The socket's release waits for a grace period (the kernel's unbind from
 * the device): a reference of fwd's own keeps it alive past libxdp's close,
 * and goes through io_fd_close, so that in a batch (io_par.h) many sockets
 * are released together. Until then the socket receives nothing anyone reads.
 */
void io_xsk_close(struct io_xsk *x)
{
	int keep;

	if (x == NULL)
		return;
	keep = x->fd >= 0 ? dup(x->fd) : -1; /* -1: libxdp's close releases it at once */
	if (x->fd >= 0)
		last_close_ms = clock_mono_ms();
	if (x->xsk != NULL)
		xsk_socket__delete(x->xsk);
	if (x->umem != NULL)
		xsk_umem__delete(x->umem);
	io_fd_close(keep);
	if (x->area != NULL)
		munmap(x->area, (size_t)N_FRAMES * x->frame);
	free(x);
}

/* Transmit buffers the kernel is done with go back on the free list. */
static void reap(struct io_xsk *x)
{
	uint32_t idx, n = xsk_ring_cons__peek(&x->comp, TX_FRAMES, &idx);

	for (uint32_t i = 0; i < n; i++)
		x->tx_free[x->n_tx_free++] =
			chunk_of(x, *xsk_ring_cons__comp_addr(&x->comp, idx + i));
	if (n > 0)
		xsk_ring_cons__release(&x->comp, n);
}

/* Frames in the TX ring the kernel has not taken yet. */
static uint32_t tx_backlog(const struct io_xsk *x)
{
	return x->tx.cached_prod - __atomic_load_n(x->tx.consumer, __ATOMIC_ACQUIRE);
}

void io_xsk_kick(struct io_xsk *x)
{
	/* each copy-mode sendto sends up to 32 frames: enough rounds for a full ring */
	for (unsigned round = 0; round < TX_FRAMES / 16 && tx_backlog(x) > 0; round++) {
		if (sendto(x->fd, NULL, 0, MSG_DONTWAIT, NULL, 0) >= 0)
			continue;
		if (errno != EAGAIN && errno != EBUSY && errno != ENOBUFS && errno != EINTR) {
			log_debug("AF_XDP transmit: %s", strerror(errno));
			break;
		}
		reap(x); /* a full completion ring also stops the kernel */
	}
	x->tx_queued = 0;
	reap(x);
}

int io_xsk_tx(struct io_xsk *x, const uint8_t *frame, size_t len)
{
	uint32_t idx;
	struct xdp_desc *d;
	uint64_t addr;

	if (len > x->frame)
		return -EMSGSIZE;
	if (x->n_tx_free == 0) {
		reap(x);
		if (x->n_tx_free == 0) {
			io_xsk_kick(x); /* the kernel is behind: let it catch up once */
			if (x->n_tx_free == 0)
				return -ENOBUFS;
		}
	}
	if (xsk_ring_prod__reserve(&x->tx, 1, &idx) != 1)
		return -ENOBUFS;
	addr = x->tx_free[--x->n_tx_free];
	memcpy(xsk_umem__get_data(x->area, addr), frame, len);
	d = xsk_ring_prod__tx_desc(&x->tx, idx);
	d->addr = addr;
	d->len = (uint32_t)len;
	d->options = 0;
	xsk_ring_prod__submit(&x->tx, 1);
	if (++x->tx_queued >= KICK_EVERY)
		io_xsk_kick(x);
	return 0;
}

/* Gives n receive buffers (from RX descriptors idx..) back to the fill ring. */
static void refill(struct io_xsk *x, uint32_t rx_idx, uint32_t n)
{
	uint32_t idx;

	/* the fill ring has room for twice the receive buffers: this cannot come short */
	if (xsk_ring_prod__reserve(&x->fill, n, &idx) != n) {
		log_warnx("AF_XDP fill ring full: %u receive %s lost", n,
			  plural(n, "buffer", "buffers"));
		return;
	}
	for (uint32_t i = 0; i < n; i++)
		*xsk_ring_prod__fill_addr(&x->fill, idx + i) =
			chunk_of(x, xsk_ring_cons__rx_desc(&x->rx, rx_idx + i)->addr);
	xsk_ring_prod__submit(&x->fill, n);
}

unsigned io_xsk_rx(struct io_xsk *x, unsigned max_batches,
		   void (*fn)(void *ctx, struct fwd_pkt *p, unsigned n), void *ctx)
{
	struct fwd_pkt batch[FWD_BATCH];
	unsigned seen = 0;

	for (unsigned b = 0; b < max_batches; b++) {
		uint32_t idx, n = xsk_ring_cons__peek(&x->rx, FWD_BATCH, &idx);

		if (n == 0)
			break;
		for (uint32_t i = 0; i < n; i++) {
			const struct xdp_desc *d = xsk_ring_cons__rx_desc(&x->rx, idx + i);

			batch[i] = (struct fwd_pkt){ xsk_umem__get_data(x->area, d->addr), d->len,
						     d->addr & (x->frame - 1) };
		}
		fn(ctx, batch, n);
		refill(x, idx, n);
		xsk_ring_cons__release(&x->rx, n);
		seen += n;
		if (n < FWD_BATCH)
			break;
	}
	return seen;
}
