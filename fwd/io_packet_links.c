/*
 * fwd's AF_PACKET links opened and closed together, and checked each second
 * (the rest of the backend: io_packet.c). vrfmgr binds and unbinds links
 * one message at a time, and each packet socket's rings and close wait for
 * a kernel RCU grace period, so the links bound in one callback are opened
 * together, their sockets made beforehand at once, and the sockets of the
 * links unbound in one callback are closed together after it (io_par.h).
 * Each second the tick opens what could not be opened, closes what was
 * unbound, and notices a link deleted or replaced under its name.
 */
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/event.h>

#include "common/log.h"
#include "fwd/arp.h"
#include "fwd/io_packet.h"
#include "fwd/io_packet_int.h"
#include "fwd/io_par.h"
#include "fwd/xdp_prog.h"

/*
 * On AF_XDP, the kernel's addresses read once for the links opened or
 * checked together (xdp_prog.h); true when this call read them (the caller
 * then drops them), false when they were read already, or on failure (each
 * link then reads its own).
 */
static bool kaddrs_read(struct io_packet *io)
{
	if (!io->xdp || io->kaddrs != NULL)
		return false;
	if (getifaddrs(&io->kaddrs) < 0)
		io->kaddrs = NULL;
	return io->kaddrs != NULL;
}

static void kaddrs_drop(struct io_packet *io, bool mine)
{
	if (!mine)
		return;
	freeifaddrs(io->kaddrs);
	io->kaddrs = NULL;
}

/* An access link's address may change with a new IF_BIND, the kernel's at any time. */
static void xdp_tick(struct io_if *x)
{
	if (x->prog == NULL || x->ifp->role != FWD_IF_ACCESS)
		return;
	if (xdp_prog_set_addr(x->prog, x->ifp->addr) < 0 ||
	    xdp_prog_sync_kaddrs(x->prog, x->io->kaddrs) < 0)
		log_debug("%s: cannot update the XDP program's addresses", x->ifp->name);
}

/*
 * The ifindex the link of ifp's name has now: 0 when there is none (deleted),
 * -1 when it cannot be told. Asked on the link's own socket (no socket made
 * per call, as if_nametoindex makes), once a second per link.
 */
static int link_index_now(const struct io_if *x)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, x->ifp->name, strnlen(x->ifp->name, IFNAMSIZ - 1));
	if (ioctl(x->fd, SIOCGIFINDEX, &ifr) == 0)
		return ifr.ifr_ifindex;
	return errno == ENODEV ? 0 : -1;
}

/*
 * Whether the link fwd has open under ifp's name is still the one it opened.
 * Its sockets are bound to that link's ifindex: once the link is deleted
 * they never carry a frame again, and one made again under the name (a new
 * veth, a new ifindex) is another link. Left so, the VRF's CEs stay cut off
 * while fwd says the link is up (with the new link's MAC, read by name). So
 * a link deleted is closed (and opened when it is back, as one that was never
 * there); one replaced is opened again on the new link at once. Its
 * neighbours go with it: the CE behind a new link may be another box.
 */
static bool link_same(struct io_packet *io, struct fwd_iface *ifp)
{
	struct io_if *x = ifp->io;
	int was = x->ifindex, now = link_index_now(x);

	if (now < 0 || now == was)
		return true;
	if (now == 0)
		log_warnx("%s: link deleted (it was ifindex %d): closed; fwd opens it again when "
			  "it is back", ifp->name, was);
	else
		log_warnx("%s: link replaced (ifindex %d, now %d): opened again on the new one",
			  ifp->name, was, now);
	io_if_close(io, ifp);
	arp_flush(io->f, ifp);
	ifp->absent_told = now == 0; /* said above: the retries need not say it again */
	if (now != 0)
		io_if_open(io, ifp);
	return false;
}

/* The MTU of the link named name now, asked on fd (any socket); 0 when it cannot be told. */
static unsigned mtu_of(int fd, const char *name)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, name, strnlen(name, IFNAMSIZ - 1));
	return ioctl(fd, SIOCGIFMTU, &ifr) == 0 && ifr.ifr_mtu > 0 ? (unsigned)ifr.ifr_mtu : 0;
}

/*
 * The packet sockets with rings that links about to open will take, made
 * together (io_par.h): the link's own socket, or without it one per worker.
 * Not on AF_XDP, whose sockets are made per queue as the link opens.
 */
static void prep_sockets(struct io_packet *io, struct fwd_iface **want, size_t n)
{
	struct io_prep_job *jobs = calloc(n, sizeof(*jobs));
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0); /* for the ioctls */
	size_t k = 0;

	for (size_t i = 0; jobs != NULL && fd >= 0 && i < n; i++) {
		int idx = (int)if_nametoindex(want[i]->name);
		unsigned flags = io->ring_flags |
				 (want[i]->role == FWD_IF_ACCESS ? IO_RING_ACCESS : 0);

		if (idx > 0)
			jobs[k++] = (struct io_prep_job){ idx, flags, mtu_of(fd, want[i]->name) };
	}
	if (k > 1) /* one link alone gains nothing */
		io_prep_make(jobs, k, io->workers != NULL ? io->n_workers : 1);
	if (fd >= 0)
		close(fd);
	free(jobs);
}

/*
 * Opens every link that should be open and is not, together: their
 * sockets' rings are made at once beforehand, and whatever the opens close
 * (a failed open, a socket replaced by one made ahead) is closed together
 * at the end.
 */
static void open_batch(struct io_packet *io)
{
	struct fwd_iface **want = calloc(io->f->n_ifaces + 1, sizeof(*want));
	size_t n = 0;
	bool mine;

	/* first: a link unbound and bound again must not share its fanout group with its old sockets */
	io_closes_end(io);
	if (want == NULL)
		return;
	for (size_t i = 0; i < io->f->n_ifaces; i++)
		if (io->f->ifaces[i]->active && !io->f->ifaces[i]->open)
			want[n++] = io->f->ifaces[i];
	io_close_batch_begin();
	if (n > 1 && !io->no_rings && !io->xdp)
		prep_sockets(io, want, n);
	mine = n > 0 && kaddrs_read(io);
	for (size_t i = 0; i < n; i++)
		io_if_open(io, want[i]);
	kaddrs_drop(io, mine);
	io_prep_drop();
	io_close_batch_end();
	free(want);
}

void io_open_batch_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	open_batch(arg);
}

/*
 * fwd_hooks' if_open: vrfmgr binds links one message at a time (a replay:
 * hundreds), so the link is opened once the messages read are applied,
 * with the others bound meanwhile (open_batch), from the event loop.
 */
int io_if_open_soon(void *ctx, struct fwd_iface *ifp)
{
	struct io_packet *io = ctx;

	if (!ifp->open)
		event_active(io->open_ev, 0, 0);
	return 0;
}

/*
 * fwd_hooks' if_close: the link is closed now (nothing is read from it or
 * sent out of it after this, the workers have let it go, the fwd_iface may
 * be freed), but close(2) of its sockets, a grace period or more each, waits
 * until the messages read are applied (close_ev), or a link opens: a reload
 * removing a hundred VRFs unbinds a hundred links, which then cost a few
 * grace periods of the control thread, not a hundred times a few.
 */
void io_if_close_soon(void *ctx, struct fwd_iface *ifp)
{
	struct io_packet *io = ctx;

	if (!io->closing) {
		io_close_batch_begin();
		io->closing = true;
		event_active(io->close_ev, 0, 0);
	}
	io_if_close(io, ifp);
}

void io_closes_end(struct io_packet *io)
{
	if (!io->closing)
		return;
	io->closing = false;
	io_close_batch_end();
}

void io_close_batch_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	io_closes_end(arg);
}

/* What the tick closes (links deleted, replaced or left unbound), closed together at its end. */
void io_packet_tick(struct io_packet *io)
{
	bool mine = kaddrs_read(io);

	open_batch(io);
	io_close_batch_begin();
	for (size_t i = 0; i < io->f->n_ifaces; i++) {
		struct fwd_iface *ifp = io->f->ifaces[i];

		if (ifp->active && !ifp->open)
			continue; /* open_batch could not open it: the next tick tries again */
		else if (!ifp->active && ifp->open)
			io_if_close(io, ifp);
		else if (ifp->open && !link_same(io, ifp))
			continue;
		else if (ifp->open && io_read_link(ifp->io) < 0)
			log_debug("%s: cannot read MTU/MAC: %s", ifp->name, strerror(errno));
		else if (ifp->open)
			xdp_tick(ifp->io);
	}
	io_close_batch_end();
	kaddrs_drop(io, mine);
	io_packet_flush(io);
}
