/*
 * AF_PACKET I/O backend: one raw socket per interface fwd owns, bound to its
 * ifindex with ETH_P_ALL (so fwd sees ARP and MPLS before the kernel drops
 * them) and PACKET_IGNORE_OUTGOING (or fwd would re-forward its own output
 * and the kernel's). Normally the socket has PACKET_MMAP rings (io_ring.c):
 * frames are read in place in batches of up to 256, run through the vector
 * path (fwd_input_batch) and copied into the egress interface's TX ring,
 * which is kicked once per batch. Where rings cannot be set up the socket
 * falls back to recvmmsg batches into buffers with FWD_HEADROOM in front and
 * sendmmsg per egress interface. Environment knobs for benchmarks:
 * FERRY_FWD_NO_RINGS=1 (the fallback), FERRY_FWD_QDISC_BYPASS=1 (faster on
 * real NICs, but tcpdump on the egress interface then misses fwd's frames).
 *
 * With fwd.io "af_xdp" an interface gets fwd's XDP program (xdp_prog.c) and
 * one AF_XDP socket per receive queue (io_xsk.c) instead: frames fwd handles
 * never become socket buffers, the rest go on to the kernel untouched. The
 * packet socket stays for the ioctls and, on core links, as a tap for ARP
 * (which the XDP program leaves to the kernel, whose address it is: fwd only
 * learns from it). Where XDP or the socket cannot be set up, the interface
 * uses AF_PACKET as above, and the log says why.
 *
 * With worker threads (io_worker.c) the workers own every socket that
 * receives forwarded traffic (fanout members, or the AF_XDP sockets); the
 * control thread keeps its packet socket per interface to send what it
 * produces (ARP, punted frames; sendmmsg batches, no rings) and, beside
 * AF_XDP on core links, the ARP tap.
 *
 * When links are opened (together) and how they are watched each second:
 * io_packet_links.c.
 */
#include <dirent.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/event.h>

#include "common/log.h"
#include "fwd/arp.h"
#include "fwd/ctr.h"
#include "fwd/io_packet.h"
#include "fwd/io_packet_int.h"
#include "fwd/io_par.h"
#include "fwd/io_ring.h"
#include "fwd/io_worker.h"
#include "fwd/io_xsk.h"
#include "fwd/pipeline.h"
#include "fwd/xdp/fwd_xdp.h"
#include "fwd/xdp_prog.h"

static int io_output(void *ctx, struct fwd_iface *ifp, const uint8_t *frame, size_t len);

struct io_packet *io_packet_new(struct event_base *base)
{
	struct io_packet *io = calloc(1, sizeof(*io));

	if (io != NULL) {
		io->base = base;
		io->open_ev = event_new(base, -1, 0, io_open_batch_cb, io);
		io->close_ev = event_new(base, -1, 0, io_close_batch_cb, io);
		if (io->open_ev == NULL || io->close_ev == NULL) {
			if (io->open_ev != NULL)
				event_free(io->open_ev);
			free(io);
			return NULL;
		}
		io->no_rings = getenv("FERRY_FWD_NO_RINGS") != NULL;
		if (getenv("FERRY_FWD_QDISC_BYPASS") != NULL)
			io->ring_flags |= IO_RING_QDISC_BYPASS;
	}
	return io;
}

void io_packet_rx_frames(struct io_packet *io)
{
	io->ring_flags |= IO_RING_FRAMES;
}

void io_packet_hooks(struct io_packet *io, struct fwd_hooks *hooks)
{
	*hooks = (struct fwd_hooks){ .output = io_output, .if_open = io_if_open_soon,
				     .if_close = io_if_close_soon, .ctx = io };
}

void io_packet_attach(struct io_packet *io, struct fwd *f)
{
	io->f = f;
}

bool io_packet_use_xdp(struct io_packet *io)
{
	io->xdp = xdp_prog_available();
	return io->xdp;
}

static void flush_all(void *ctx)
{
	io_packet_flush(ctx);
}

int io_packet_start_workers(struct io_packet *io, unsigned n)
{
	if ((io->workers = io_workers_start(io->base, io->f, n, flush_all, io)) == NULL)
		return -ENOMEM;
	io->n_workers = n;
	return 0;
}

void io_packet_free(struct io_packet *io)
{
	if (io == NULL)
		return;
	io_closes_end(io); /* batches do not nest */
	io_close_batch_begin(); /* every link's sockets closed together */
	io_workers_stop(io->workers); /* first: they use the sockets closed below */
	io->workers = NULL;
	for (size_t i = 0; io->f != NULL && i < io->f->n_ifaces; i++)
		if (io->f->ifaces[i]->open)
			io_if_close(io, io->f->ifaces[i]);
	io_close_batch_end();
	event_free(io->open_ev);
	event_free(io->close_ev);
	free(io);
}

/* MTU and MAC of the interface; 0 or -errno. */
int io_read_link(struct io_if *x)
{
	struct ifreq ifr;
	struct fwd_iface *ifp = x->ifp;
	uint32_t mtu;

	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, ifp->name, strnlen(ifp->name, IFNAMSIZ - 1));
	if (ioctl(x->fd, SIOCGIFHWADDR, &ifr) < 0)
		return -errno;
	memcpy(ifp->mac, ifr.ifr_hwaddr.sa_data, FWD_ETH_ALEN);
	if (ioctl(x->fd, SIOCGIFMTU, &ifr) < 0)
		return -errno;
	mtu = (uint32_t)ifr.ifr_mtu;
	if (x->ring_frame_max != 0 && mtu + FWD_ETH_HLEN > x->ring_frame_max) {
		if (!x->mtu_capped)
			log_warnx("%s: MTU %u is larger than the rings made when the link was "
				  "opened take: forwarding as at MTU %zu until it is opened again",
				  ifp->name, mtu, x->ring_frame_max - FWD_ETH_HLEN);
		x->mtu_capped = true;
		mtu = (uint32_t)(x->ring_frame_max - FWD_ETH_HLEN);
	} else {
		x->mtu_capped = false;
	}
	if (ifp->mtu != mtu && ifp->mtu != 0)
		log_info("%s: MTU now %u", ifp->name, mtu);
	ifp->mtu = mtu;
	return 0;
}

/* io_ring_setup's flags for x's rings (and the workers'): attachment links get small ones. */
static unsigned ring_flags_for(const struct io_packet *io, const struct io_if *x)
{
	return io->ring_flags | (x->ifp->role == FWD_IF_ACCESS ? IO_RING_ACCESS : 0);
}

/* (Re)binds a packet socket: ETH_P_ALL, ETH_P_ARP (the tap beside AF_XDP), 0 (nothing). */
int io_packet_bind(int fd, int ifindex, uint16_t proto)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(proto),
				   .sll_ifindex = ifindex };

	return bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0 ? -errno : 0;
}

int io_packet_socket(int ifindex, uint16_t proto)
{
	int one = 1, rcvbuf = IO_RCVBUF, r;
	/* protocol 0 until bound, so no frame of another interface slips in */
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof(one)) < 0)
		log_warn("PACKET_IGNORE_OUTGOING (outgoing frames are skipped by type instead)");
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)) < 0)
		log_debug("SO_RCVBUF: %s", strerror(errno));
	if ((r = io_packet_bind(fd, ifindex, proto)) < 0) {
		close(fd);
		return r;
	}
	return fd;
}

static void io_read_cb(evutil_socket_t fd, short what, void *arg);

/*
 * A socket made ahead with its rings for x (io_par.h) takes the place of x's
 * own, which is still bound to no protocol: closing it later (in the batch)
 * costs nothing meanwhile, as it receives no frame. 0, or -1 when none fits.
 */
static int io_if_take_ahead(struct io_packet *io, struct io_if *x)
{
	int fd = io->no_rings ? -1
			      : io_prep_take(x->ifindex, ring_flags_for(io, x), x->ifp->mtu, &x->ring);

	if (fd < 0)
		return -1;
	if (io_packet_bind(fd, x->ifindex, ETH_P_ALL) < 0) {
		io_ring_teardown(&x->ring);
		io_fd_close(fd);
		return -1;
	}
	io_fd_close(x->fd);
	x->fd = fd;
	x->ring_up = true;
	return 0;
}

/* Rings if possible, else the recvmmsg/sendmmsg batch (which needs its buffers). */
static int io_if_setup(struct io_packet *io, struct io_if *x)
{
	int r = io->no_rings ? -ENOTSUP
			     : io_ring_setup(&x->ring, x->fd, ring_flags_for(io, x), x->ifp->mtu);

	if (r == 0) {
		x->ring_up = true;
		return 0;
	}
	if (!io->no_rings)
		log_warnx("%s: no PACKET_MMAP rings (%s): using recvmmsg/sendmmsg", x->ifp->name,
			  strerror(-r));
	x->plain = calloc(1, sizeof(*x->plain));
	return x->plain != NULL ? 0 : -ENOMEM;
}

static void xdp_close(struct io_if *x)
{
	io_workers_if_close(x->io->workers, x->ifp); /* before their sockets go */
	for (unsigned q = 0; q < x->n_xq; q++) {
		if (x->xq[q].ev != NULL)
			event_free(x->xq[q].ev);
		io_xsk_close(x->xq[q].xsk);
	}
	x->n_xq = 0;
	xdp_prog_detach(x->prog);
	x->prog = NULL;
}

/* Receive queues of the interface (/sys/class/net/IF/queues/rx-N), at least 1. */
static unsigned rx_queues(const char *ifname)
{
	char path[64];
	DIR *d;
	struct dirent *e;
	unsigned n = 0;

	snprintf(path, sizeof(path), "/sys/class/net/%s/queues", ifname);
	if ((d = opendir(path)) == NULL)
		return 1;
	while ((e = readdir(d)) != NULL)
		n += strncmp(e->d_name, "rx-", 3) == 0;
	closedir(d);
	return n == 0 ? 1 : n > IO_XSK_MAX ? IO_XSK_MAX : n;
}

static void xsk_read_cb(evutil_socket_t fd, short what, void *arg);

/* The XDP program and a socket per receive queue; 0, or -errno with *why set. */
static int xdp_setup(struct io_if *x, const char **why)
{
	struct fwd_iface *ifp = x->ifp;
	unsigned role = ifp->role == FWD_IF_CORE ? FWD_XDP_ROLE_CORE : FWD_XDP_ROLE_ACCESS;
	unsigned nq = rx_queues(ifp->name);
	int r;

	if (ifp->mtu + FWD_ETH_HLEN > io_xsk_max_frame()) {
		*why = "the MTU is larger than an AF_XDP buffer";
		return -EMSGSIZE;
	}
	for (unsigned q = 0; q < nq; q++) {
		struct io_xq *xq = &x->xq[q];

		if ((r = io_xsk_open(&xq->xsk, ifp->name, q, ifp->mtu + FWD_ETH_HLEN + 2 * 4,
				     why)) < 0)
			return r;
		xq->x = x;
		x->n_xq++;
		*why = "watching the AF_XDP socket";
		if (x->io->workers == NULL && /* else a worker watches it */
		    ((xq->ev = event_new(x->io->base, io_xsk_fd(xq->xsk), EV_READ | EV_PERSIST,
					 xsk_read_cb, xq)) == NULL ||
		     event_add(xq->ev, NULL) < 0))
			return -ENOMEM;
	}
	if ((r = xdp_prog_attach(&x->prog, ifp->name, x->ifindex, role, x->io->kaddrs, why)) < 0)
		return r;
	*why = "filling the XDP program's maps";
	for (unsigned q = 0; q < x->n_xq; q++)
		if ((r = xdp_prog_set_xsk(x->prog, q, io_xsk_fd(x->xq[q].xsk))) < 0)
			return r;
	return role == FWD_XDP_ROLE_ACCESS ? xdp_prog_set_addr(x->prog, ifp->addr) : 0;
}

/*
 * With workers, the control thread's own socket: it receives proto (the ARP
 * tap, or nothing), sends with sendmmsg, and the workers get the interface.
 */
static int io_if_control(struct io_packet *io, struct io_if *x, uint16_t proto)
{
	struct io_xsk *xsk[IO_XSK_MAX];
	int r;

	if ((r = io_packet_bind(x->fd, x->ifindex, proto)) < 0)
		return r;
	if (x->plain == NULL && (x->plain = calloc(1, sizeof(*x->plain))) == NULL)
		return -ENOMEM;
	for (unsigned q = 0; q < x->n_xq; q++)
		xsk[q] = x->xq[q].xsk;
	return io_workers_if_open(io->workers, x->ifp, x->ifindex, xsk, x->n_xq,
				  ring_flags_for(io, x));
}

/* AF_XDP is up: the packet socket now only taps ARP (core links) or nothing. */
static int io_if_xdp_done(struct io_packet *io, struct io_if *x)
{
	uint16_t proto = x->ifp->role == FWD_IF_CORE ? ETH_P_ARP : 0;

	if (io->workers != NULL)
		return io_if_control(io, x, proto);
	return io_packet_bind(x->fd, x->ifindex, proto);
}

/*
 * AF_XDP where it can be had; the packet socket then only taps ARP (core) or
 * nothing (access). Otherwise AF_PACKET as without it. 0 or -errno.
 */
static int io_if_backend(struct io_packet *io, struct io_if *x)
{
	const char *why = NULL;
	int r;

	if (io->xdp) {
		if ((r = xdp_setup(x, &why)) == 0)
			return io_if_xdp_done(io, x);
		log_warnx("%s: no AF_XDP here (%s: %s); using AF_PACKET on this interface",
			  x->ifp->name, why, strerror(-r));
		xdp_close(x);
	}
	if (io->workers != NULL) /* the workers receive; this socket only sends */
		return io_if_control(io, x, 0);
	if (io_if_take_ahead(io, x) == 0)
		return 0;
	if ((r = io_packet_bind(x->fd, x->ifindex, ETH_P_ALL)) < 0)
		return r;
	return io_if_setup(io, x);
}

static void io_if_free(struct io_if *x)
{
	xdp_close(x);
	if (x->ev != NULL)
		event_free(x->ev);
	if (x->ring_up)
		io_ring_teardown(&x->ring);
	io_fd_close(x->fd);
	free(x->plain);
	free(x);
}

/* TPACKET_V2 receive rings: this socket's as set up, or the workers' (they follow the flags). */
static bool io_if_v2(const struct io_packet *io, const struct io_if *x)
{
	return x->ring_up ? x->ring.frames : (io->ring_flags & IO_RING_FRAMES) != 0;
}

/* How the interface's frames come and go, for the log: "TPACKET_V3 rings", ... */
static void io_if_how(const struct io_packet *io, const struct io_if *x, char *buf, size_t len)
{
	const char *rings = io_if_v2(io, x) ? "TPACKET_V2" : "TPACKET_V3";

	if (x->n_xq > 0)
		snprintf(buf, len, "AF_XDP copy mode, %s XDP, %s", xdp_prog_mode(x->prog),
			 x->n_xq > 1 ? "one socket per queue" : "one queue");
	else if (io->workers != NULL)
		snprintf(buf, len, "workers: %s rings, PACKET_FANOUT_HASH", rings);
	else if (x->ring_up)
		snprintf(buf, len, "%s rings", rings);
	else
		snprintf(buf, len, "recvmmsg");
}

int io_if_open(void *ctx, struct fwd_iface *ifp)
{
	struct io_packet *io = ctx;
	struct io_if *x;
	unsigned idx = if_nametoindex(ifp->name);
	char how[96];
	int r;

	if (ifp->open)
		return 0;
	if (idx == 0) {
		if (!ifp->absent_told)
			log_warnx("%s: no such interface here: fwd opens it when it appears (its "
				  "routes are installed meanwhile)", ifp->name);
		else
			log_debug("%s: no such interface yet", ifp->name);
		ifp->absent_told = true;
		return -ENODEV;
	}
	ifp->absent_told = false;
	if ((x = calloc(1, sizeof(*x))) == NULL)
		return -ENOMEM;
	x->io = io;
	x->ifp = ifp;
	x->ifindex = (int)idx;
	if ((x->fd = io_packet_socket(x->ifindex, 0)) < 0) {
		r = x->fd;
		log_warnx("%s: packet socket: %s", ifp->name, strerror(-r));
		free(x);
		return r;
	}
	if ((r = io_read_link(x)) < 0 || (r = io_if_backend(io, x)) < 0 ||
	    (x->ev = event_new(io->base, x->fd, EV_READ | EV_PERSIST, io_read_cb, x)) == NULL ||
	    event_add(x->ev, NULL) < 0) {
		log_warnx("%s: cannot watch the interface: %s", ifp->name,
			  strerror(r < 0 ? -r : ENOMEM));
		io_if_free(x);
		return r < 0 ? r : -ENOMEM;
	}
	if (x->ring_up || io->workers != NULL) /* the workers' rings are made alike */
		x->ring_frame_max = io_ring_tx_max_for(ifp->mtu, io_if_v2(io, x));
	ifp->io = x;
	ifp->open = true;
	io_if_how(io, x, how, sizeof(how));
	log_info("%s: %s interface open (ifindex %d, mtu %u, mac %02x:%02x:%02x:%02x:%02x:%02x, %s)",
		 ifp->name, fwd_if_role_name(ifp->role), x->ifindex, ifp->mtu, ifp->mac[0],
		 ifp->mac[1], ifp->mac[2], ifp->mac[3], ifp->mac[4], ifp->mac[5], how);
	if (x->n_xq == 0 && (x->ring_up || io->workers != NULL) && io_if_v2(io, x) &&
	    ifp->mtu + FWD_ETH_HLEN > IO_RING_FRAME_MAX)
		log_warnx("%s: mtu %u: frames over %d bytes do not fit a TPACKET_V2 slot "
			  "(fwd.rx_ring frames) and are dropped as mtu_exceeded; \"blocks\" takes "
			  "them", ifp->name, ifp->mtu, IO_RING_FRAME_MAX);
	return 0;
}

static void flush_plain(struct io_packet *io, struct io_if *x)
{
	struct io_plain *pl = x->plain;
	unsigned sent = 0;

	while (sent < pl->n_tx) {
		int n = sendmmsg(x->fd, pl->tx_msgs + sent, pl->n_tx - sent, MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		sent += (unsigned)n;
	}
	/* what the kernel refused was counted as sent by fwd_tx: move it to drops */
	for (unsigned i = sent; i < pl->n_tx; i++) {
		const uint8_t *frame = pl->tx_iov[i].iov_base;
		size_t len = pl->tx_iov[i].iov_len;

		x->ifp->tx_packets--;
		x->ifp->tx_bytes -= len;
		if (len >= FWD_ETH_HLEN && (frame[12] << 8 | frame[13]) == FWD_ETHERTYPE_ARP) {
			/* send_arp counted it apart from the link's data (ctr.h, to_ce) */
			x->ifp->tx_arp_packets--;
			x->ifp->tx_arp_bytes -= len;
		}
		fwd_drop(io->f, FWD_DROP_TX_ERROR);
	}
	pl->n_tx = 0;
}

static void flush_if(struct io_packet *io, struct io_if *x)
{
	if (x->n_xq > 0 && io->workers == NULL)
		io_xsk_kick(x->xq[0].xsk);
	else if (x->ring_up)
		io_ring_kick(&x->ring, x->fd);
	else if (x->plain->n_tx > 0)
		flush_plain(io, x);
}

void io_if_close(void *ctx, struct fwd_iface *ifp)
{
	struct io_if *x = ifp->io;

	if (!ifp->open || x == NULL)
		return;
	flush_if(ctx, x);
	io_if_free(x);
	ifp->io = NULL;
	ifp->open = false;
	log_info("%s: interface closed", ifp->name);
}

static int io_output(void *ctx, struct fwd_iface *ifp, const uint8_t *frame, size_t len)
{
	struct io_if *x = ifp->io;
	struct io_plain *pl;

	if (fwd_self != NULL)
		return io_workers_output(ifp, frame, len);
	if (!ifp->open || x == NULL)
		return -ENOTCONN;
	if (x->n_xq > 0 && ((struct io_packet *)ctx)->workers == NULL)
		return io_xsk_tx(x->xq[0].xsk, frame, len);
	if (x->ring_up)
		return io_ring_tx(&x->ring, x->fd, frame, len);
	if (len > IO_SLOT)
		return -EMSGSIZE;
	pl = x->plain;
	if (pl->n_tx == IO_BATCH)
		flush_plain(ctx, x);
	memcpy(pl->tx_buf[pl->n_tx], frame, len);
	pl->tx_iov[pl->n_tx] = (struct iovec){ pl->tx_buf[pl->n_tx], len };
	pl->tx_msgs[pl->n_tx] = (struct mmsghdr){ .msg_hdr = { .msg_iov = &pl->tx_iov[pl->n_tx],
							       .msg_iovlen = 1 } };
	pl->n_tx++;
	return 0;
}

void io_packet_flush(struct io_packet *io)
{
	for (size_t i = 0; i < io->f->n_ifaces; i++) {
		struct fwd_iface *ifp = io->f->ifaces[i];

		if (ifp->open)
			flush_if(io, ifp->io);
	}
}

/* A batch from one interface into the vector path. */
static void rx_batch(void *ctx, struct fwd_pkt *p, unsigned n)
{
	struct io_if *x = ctx;
	struct io_packet *io = x->io;

	for (unsigned i = 0; i < n; i++)
		io->in[i] = x->ifp;
	fwd_input_batch(io->f, io->in, p, n, NULL);
}

/* A frame larger than fwd handles (an offload left on somewhere): counted, dropped. */
static void rx_toolong(void *ctx, size_t len)
{
	struct io_if *x = ctx;

	x->ifp->rx_packets++;
	x->ifp->rx_bytes += len;
	fwd_drop(x->io->f, FWD_DROP_MTU_EXCEEDED);
}

static void rx_prepare(struct io_packet *io)
{
	for (unsigned i = 0; i < IO_BATCH; i++) {
		io->rx_iov[i] = (struct iovec){ io->rx_buf[i] + FWD_HEADROOM, IO_SLOT };
		io->rx_msgs[i] = (struct mmsghdr){ .msg_hdr = {
			.msg_name = &io->rx_addr[i], .msg_namelen = sizeof(io->rx_addr[i]),
			.msg_iov = &io->rx_iov[i], .msg_iovlen = 1 } };
	}
}

/* The fallback path's received batch: outgoing copies skipped, truncated ones dropped. */
static void rx_plain(struct io_if *x, unsigned n)
{
	struct io_packet *io = x->io;
	struct fwd_pkt p[IO_BATCH];
	unsigned k = 0;

	for (unsigned i = 0; i < n; i++) {
		if (io->rx_addr[i].sll_pkttype == PACKET_OUTGOING)
			continue;
		if (io->rx_msgs[i].msg_hdr.msg_flags & MSG_TRUNC) {
			rx_toolong(x, io->rx_msgs[i].msg_len);
			continue;
		}
		p[k++] = (struct fwd_pkt){ io->rx_buf[i] + FWD_HEADROOM, io->rx_msgs[i].msg_len,
					   FWD_HEADROOM };
	}
	if (k > 0)
		rx_batch(x, p, k);
}

/* A read error other than "nothing left": false when the socket is unusable. */
static bool rx_error(struct io_if *x)
{
	if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
		return true;
	if (errno == ENETDOWN) {
		log_debug("%s: link down", x->ifp->name);
		return true;
	}
	log_warn("%s: receive", x->ifp->name);
	return false;
}

static void read_plain(struct io_if *x)
{
	struct io_packet *io = x->io;

	for (int round = 0; round < IO_ROUNDS; round++) {
		int n;

		rx_prepare(io);
		n = recvmmsg(x->fd, io->rx_msgs, IO_BATCH, MSG_DONTWAIT, NULL);
		if (n <= 0) {
			if (n < 0 && !rx_error(x))
				io_if_close(io, x->ifp); /* gone: the tick reopens it if it returns */
			break;
		}
		fwd_clock_update(io->f);
		rx_plain(x, (unsigned)n);
		io_packet_flush(io);
		if (n < IO_BATCH)
			break;
	}
}

static void xsk_read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct io_xq *xq = arg;
	struct io_packet *io = xq->x->io;

	(void)fd;
	(void)what;
	fwd_clock_update(io->f);
	if (io_xsk_rx(xq->xsk, IO_ROUNDS, rx_batch, xq->x) > 0)
		io_packet_flush(io);
}

static void io_read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct io_if *x = arg;
	struct io_packet *io = x->io;

	(void)fd;
	(void)what;
	if (!x->ring_up) {
		read_plain(x);
		return;
	}
	fwd_clock_update(io->f);
	if (io_ring_rx(&x->ring, IO_ROUNDS, rx_batch, rx_toolong, x) > 0)
		io_packet_flush(io);
}
