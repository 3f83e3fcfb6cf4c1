/*
 * Worker threads and their sockets (see io_worker.h). A worker loops on an
 * epoll set of its own: offline (RCU) while it sleeps, online for a round of
 * receive batches through fwd_input_batch, then it kicks the transmit rings
 * it filled, wakes the control thread if it punted frames, and reports a
 * quiescent point. Epoll entries name a socket by (interface index, source)
 * rather than by pointer: an event returned just before the control thread
 * closes the interface is looked up again once the worker is online, and
 * finds nothing. Interfaces are handed over by publishing a worker's
 * per-interface entry with an atomic store; taken back by clearing it,
 * removing the fds from the epoll set, and waiting a grace period
 * (rcu_synchronize) before anything is closed.
 */
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/event.h>

#include "common/log.h"
#include "fwd/ctr.h"
#include "fwd/io_packet.h"
#include "fwd/io_par.h"
#include "fwd/io_ring.h"
#include "fwd/io_worker.h"
#include "fwd/io_xsk.h"
#include "fwd/pipeline.h"
#include "fwd/punt.h"
#include "fwd/rcu.h"

#define WS_MIN 64          /* interface slots a worker's table starts with (it grows) */
#define SRC_MAX 17         /* per interface: AF_XDP queues, or one packet socket */
#define W_ROUNDS 8         /* batches (ring blocks) per source per round */
#define W_EVENTS 32
#define W_SLEEP_MS 100     /* the longest a worker takes to notice it must stop */
#define FOLD_MS 100        /* counters summed, retired memory reclaimed */

/* One worker's share of one interface. */
struct wsock {
	struct fwd_iface *ifp;
	int fd; /* AF_PACKET: fanout member (receives) or transmit only; -1: none */
	bool ring_up;
	struct io_ring ring;
	struct io_xsk *tx_xsk;        /* its AF_XDP socket to send through, if it has one */
	struct io_xsk *rx[SRC_MAX];   /* sources: AF_XDP sockets, NULL = the packet socket */
	unsigned n_rx;
	bool dirty;                   /* frames queued since the last kick */
	struct wsock *dirty_next;
};

/*
 * A worker's shares of the interfaces, by fwd_iface.idx. It grows as links
 * come (tenants: thousands); the worker reads it without locks, so a
 * bigger one is published whole and the old one freed once no worker can
 * be reading it (ws_room).
 */
struct wstab {
	uint32_t cap;
	_Atomic(struct wsock *) s[];
};

struct io_worker {
	struct fwd_thread t;
	struct io_workers *all;
	pthread_t tid;
	bool started;
	int epfd;
	struct rcu_reader *rd;
	struct event *punt_ev;
	_Atomic(struct wstab *) ws;
	struct wsock *dirty;
	struct fwd_iface *in[FWD_BATCH];
};

struct io_workers {
	struct fwd *f;
	unsigned n;
	struct io_worker *w[FWD_WORKERS_MAX];
	_Atomic bool stop;
	struct event *fold_ev;
	void (*flush)(void *ctx);
	void *flush_ctx;
};

static _Thread_local struct io_worker *cur;

/* Worker w's share of interface idx, or NULL. */
static inline struct wsock *ws_get(struct io_worker *w, uint32_t idx)
{
	struct wstab *t = atomic_load_explicit(&w->ws, memory_order_acquire);

	return idx < t->cap ? atomic_load_explicit(&t->s[idx], memory_order_acquire) : NULL;
}

/* ---- the worker thread ---- */

static void w_batch(void *ctx, struct fwd_pkt *p, unsigned n)
{
	struct wsock *ws = ctx;

	for (unsigned i = 0; i < n; i++)
		cur->in[i] = ws->ifp;
	fwd_input_batch(cur->all->f, cur->in, p, n, NULL);
}

static void w_toolong(void *ctx, size_t len)
{
	struct wsock *ws = ctx;
	struct fwd_if_ctr *c = fwd_if_ctr(ws->ifp);

	fwd_ctr_add(&c->rx_packets, 1);
	fwd_ctr_add(&c->rx_bytes, len);
	fwd_drop(cur->all->f, FWD_DROP_MTU_EXCEEDED);
}

static void w_receive(struct io_worker *w, uint64_t key)
{
	uint32_t idx = (uint32_t)(key >> 8), src = (uint32_t)(key & 0xFF);
	struct wsock *ws = ws_get(w, idx);

	if (ws == NULL || src >= ws->n_rx)
		return; /* closed since the event was returned */
	if (ws->rx[src] != NULL)
		io_xsk_rx(ws->rx[src], W_ROUNDS, w_batch, ws);
	else if (ws->ring_up)
		io_ring_rx(&ws->ring, W_ROUNDS, w_batch, w_toolong, ws);
}

static void w_flush(struct io_worker *w)
{
	while (w->dirty != NULL) {
		struct wsock *ws = w->dirty;

		w->dirty = ws->dirty_next;
		ws->dirty = false;
		if (ws->tx_xsk != NULL)
			io_xsk_kick(ws->tx_xsk);
		else
			io_ring_kick(&ws->ring, ws->fd);
	}
}

static void *w_main(void *arg)
{
	struct io_worker *w = arg;
	struct fwd *f = w->all->f;
	struct epoll_event ev[W_EVENTS];

	fwd_self = &w->t;
	cur = w;
	while (!atomic_load_explicit(&w->all->stop, memory_order_relaxed)) {
		int n;

		rcu_offline(w->rd);
		n = epoll_wait(w->epfd, ev, W_EVENTS, W_SLEEP_MS);
		rcu_online(f->rcu, w->rd);
		for (int i = 0; i < n; i++)
			w_receive(w, ev[i].data.u64);
		w_flush(w);
		punt_ring_signal(w->t.punt);
		rcu_quiescent(f->rcu, w->rd);
	}
	rcu_offline(w->rd);
	return NULL;
}

int io_workers_output(struct fwd_iface *ifp, const uint8_t *frame, size_t len)
{
	struct io_worker *w = cur;
	struct wsock *ws = ws_get(w, ifp->idx);
	int r;

	if (ws == NULL)
		return -ENOTCONN;
	if (ws->tx_xsk != NULL)
		r = io_xsk_tx(ws->tx_xsk, frame, len);
	else if (ws->ring_up)
		r = io_ring_tx(&ws->ring, ws->fd, frame, len);
	else
		r = -ENOTCONN;
	if (r == 0 && !ws->dirty) {
		ws->dirty = true;
		ws->dirty_next = w->dirty;
		w->dirty = ws;
	}
	return r;
}

/* ---- the control thread's side ---- */

static void punt_cb(evutil_socket_t fd, short what, void *arg)
{
	struct io_worker *w = arg;

	(void)fd;
	(void)what;
	fwd_clock_update(w->all->f);
	if (punt_ring_drain(w->all->f, w->t.punt) > 0)
		w->all->flush(w->all->flush_ctx);
}

static void fold_cb(evutil_socket_t fd, short what, void *arg)
{
	struct io_workers *all = arg;

	(void)fd;
	(void)what;
	fwd_fold(all->f);
	rcu_poll(all->f->rcu);
}

static void ws_free(struct wsock *ws)
{
	if (ws->ring_up)
		io_ring_teardown(&ws->ring);
	if (ws->fd >= 0)
		io_fd_close(ws->fd);
	free(ws);
}

/* A table of cap slots holding old's shares (NULL: none); NULL on ENOMEM. */
static struct wstab *wstab_new(uint32_t cap, const struct wstab *old)
{
	struct wstab *t = malloc(sizeof(*t) + cap * sizeof(t->s[0]));

	if (t == NULL)
		return NULL;
	t->cap = cap;
	for (uint32_t i = 0; i < cap; i++)
		atomic_init(&t->s[i], old != NULL && i < old->cap ? atomic_load(&old->s[i]) : NULL);
	return t;
}

static void wstab_free(void *p, void *ctx)
{
	(void)ctx;
	free(p);
}

/* Room in every worker's table for interface idx. 0 or -ENOMEM. */
static int ws_room(struct io_workers *all, uint32_t idx)
{
	for (unsigned k = 0; k < all->n; k++) {
		struct io_worker *w = all->w[k];
		struct wstab *old = atomic_load(&w->ws), *t;
		uint32_t cap = old->cap;

		if (idx < cap)
			continue;
		while (cap <= idx)
			cap *= 2;
		if ((t = wstab_new(cap, old)) == NULL)
			return -ENOMEM;
		atomic_store_explicit(&w->ws, t, memory_order_release);
		rcu_retire(all->f->rcu, wstab_free, old, NULL); /* a worker may be reading it */
	}
	return 0;
}

static struct io_worker *w_new(struct io_workers *all, struct event_base *base, unsigned id)
{
	struct io_worker *w = calloc(1, sizeof(*w));

	if (w == NULL)
		return NULL;
	w->all = all;
	w->t.id = id;
	w->epfd = epoll_create1(EPOLL_CLOEXEC);
	atomic_init(&w->ws, wstab_new(WS_MIN, NULL));
	if (w->epfd < 0 || atomic_load(&w->ws) == NULL || (w->t.ctrs = fwd_ctrs_get(all->f, id + 1)) == NULL ||
	    (w->t.punt = punt_ring_new()) == NULL ||
	    (w->punt_ev = event_new(base, punt_ring_fd(w->t.punt), EV_READ | EV_PERSIST, punt_cb,
				    w)) == NULL ||
	    event_add(w->punt_ev, NULL) < 0 || (w->rd = rcu_register(all->f->rcu)) == NULL) {
		log_warnx("worker %u: cannot set up its epoll set, counters, punt ring or RCU slot",
			  id);
		if (w->punt_ev != NULL)
			event_free(w->punt_ev);
		punt_ring_free(w->t.punt);
		if (w->epfd >= 0)
			close(w->epfd);
		free(atomic_load(&w->ws));
		free(w);
		return NULL;
	}
	return w;
}

static void w_free(struct io_workers *all, struct io_worker *w)
{
	struct wstab *t = atomic_load(&w->ws);

	for (uint32_t i = 0; i < t->cap; i++) {
		struct wsock *ws = atomic_load(&t->s[i]);

		if (ws != NULL)
			ws_free(ws);
	}
	free(t);
	rcu_unregister(all->f->rcu, w->rd);
	event_free(w->punt_ev);
	punt_ring_drain(all->f, w->t.punt); /* frames it handed over before stopping */
	punt_ring_free(w->t.punt);
	close(w->epfd);
	free(w);
}

struct io_workers *io_workers_start(struct event_base *base, struct fwd *f, unsigned n,
				    void (*flush)(void *ctx), void *flush_ctx)
{
	struct io_workers *all = calloc(1, sizeof(*all));
	struct timeval fold = { 0, FOLD_MS * 1000 };

	if (all == NULL || n == 0 || n > FWD_WORKERS_MAX) {
		free(all);
		return NULL;
	}
	all->f = f;
	all->flush = flush;
	all->flush_ctx = flush_ctx;
	atomic_init(&all->stop, false);
	f->no_lazy_commit = true; /* only the control thread publishes routes now */
	for (; all->n < n; all->n++) {
		if ((all->w[all->n] = w_new(all, base, all->n)) == NULL)
			goto fail;
		f->threads[f->n_threads++] = &all->w[all->n]->t;
	}
	if ((all->fold_ev = event_new(base, -1, EV_PERSIST, fold_cb, all)) == NULL ||
	    event_add(all->fold_ev, &fold) < 0)
		goto fail;
	for (unsigned i = 0; i < n; i++) {
		if (pthread_create(&all->w[i]->tid, NULL, w_main, all->w[i]) != 0) {
			log_warnx("cannot start worker thread %u", i);
			goto fail;
		}
		all->w[i]->started = true;
	}
	return all;
fail:
	io_workers_stop(all);
	return NULL;
}

void io_workers_stop(struct io_workers *all)
{
	struct fwd *f;

	if (all == NULL)
		return;
	f = all->f;
	atomic_store(&all->stop, true);
	for (unsigned i = 0; i < all->n; i++)
		if (all->w[i]->started)
			pthread_join(all->w[i]->tid, NULL);
	fwd_fold(f); /* the last counts, before the workers' counters go */
	for (unsigned i = 0; i < all->n; i++)
		w_free(all, all->w[i]);
	f->n_threads = 0;
	memset(f->threads, 0, sizeof(f->threads));
	memset(f->wdrops, 0, sizeof(f->wdrops));
	for (size_t i = 0; i < f->n_ifaces; i++) {
		f->ifaces[i]->wsum = (struct fwd_if_ctr){ 0 };
		memset(f->ifaces[i]->wctr, 0, FWD_WORKERS_MAX * sizeof(*f->ifaces[i]->wctr));
	}
	f->no_lazy_commit = false;
	if (all->fold_ev != NULL)
		event_free(all->fold_ev);
	free(all);
}

/* ---- interfaces ---- */

/*
 * A packet socket of the worker's own, with rings: a member of the
 * interface's fanout group (hash of the flow), or transmit only (bound to
 * no protocol) beside AF_XDP sockets of other workers. 0 or -errno.
 */
static int ws_packet(struct wsock *ws, int ifindex, bool receive, unsigned ring_flags)
{
	int fanout = (ifindex & 0xFFFF) | PACKET_FANOUT_HASH << 16;
	int r;

	/* one made ahead with its rings (io_par.h), bound again to receive; else made now */
	if ((ws->fd = io_prep_take(ifindex, ring_flags, ws->ifp->mtu, &ws->ring)) >= 0) {
		ws->ring_up = true;
		if (receive && (r = io_packet_bind(ws->fd, ifindex, ETH_P_ALL)) < 0)
			return r;
	} else if ((ws->fd = io_packet_socket(ifindex, receive ? ETH_P_ALL : 0)) < 0) {
		return ws->fd;
	} else if ((r = io_ring_setup(&ws->ring, ws->fd, ring_flags, ws->ifp->mtu)) < 0) {
		return r;
	}
	ws->ring_up = true;
	if (receive) {
		if (setsockopt(ws->fd, SOL_PACKET, PACKET_FANOUT, &fanout, sizeof(fanout)) < 0)
			return -errno;
		ws->rx[ws->n_rx++] = NULL;
	}
	return 0;
}

/* Worker k's share of the interface; NULL on failure (logged). */
static struct wsock *ws_new(struct io_workers *all, unsigned k, struct fwd_iface *ifp,
			    int ifindex, struct io_xsk *const *xsk, unsigned n_xsk,
			    unsigned ring_flags)
{
	struct wsock *ws = calloc(1, sizeof(*ws));
	int r = 0;

	if (ws == NULL)
		return NULL;
	ws->ifp = ifp;
	ws->fd = -1;
	for (unsigned q = k; q < n_xsk && ws->n_rx < SRC_MAX; q += all->n)
		ws->rx[ws->n_rx++] = xsk[q];
	ws->tx_xsk = ws->n_rx > 0 ? ws->rx[0] : NULL;
	if (ws->tx_xsk == NULL && (r = ws_packet(ws, ifindex, n_xsk == 0, ring_flags)) < 0) {
		log_warnx("%s: worker %u: packet socket: %s", ifp->name, k, strerror(-r));
		ws_free(ws);
		return NULL;
	}
	return ws;
}

static int ws_fd(const struct wsock *ws, unsigned src)
{
	return ws->rx[src] != NULL ? io_xsk_fd(ws->rx[src]) : ws->fd;
}

/* Publishes ws to worker w and adds its sources to w's epoll set. 0 or -errno. */
static int ws_attach(struct io_worker *w, struct wsock *ws)
{
	uint32_t idx = ws->ifp->idx;

	atomic_store_explicit(&atomic_load(&w->ws)->s[idx], ws, memory_order_release);
	for (unsigned i = 0; i < ws->n_rx; i++) {
		struct epoll_event ev = { .events = EPOLLIN, .data.u64 = (uint64_t)idx << 8 | i };

		if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, ws_fd(ws, i), &ev) < 0)
			return -errno;
	}
	return 0;
}

int io_workers_if_open(struct io_workers *all, struct fwd_iface *ifp, int ifindex,
		       struct io_xsk *const *xsk, unsigned n_xsk, unsigned ring_flags)
{
	int r;

	if ((r = ws_room(all, ifp->idx)) < 0)
		return r;
	if (n_xsk > 0 && n_xsk < all->n)
		log_info("%s: %u receive queue%s for %u workers: %u of them receive nothing here",
			 ifp->name, n_xsk, n_xsk > 1 ? "s" : "", all->n, all->n - n_xsk);
	for (unsigned k = 0; k < all->n; k++) {
		struct wsock *ws = ws_new(all, k, ifp, ifindex, xsk, n_xsk, ring_flags);

		if (ws == NULL) {
			io_workers_if_close(all, ifp);
			return -ENOMEM;
		}
		if ((r = ws_attach(all->w[k], ws)) < 0) {
			log_warnx("%s: worker %u: epoll: %s", ifp->name, k, strerror(-r));
			io_workers_if_close(all, ifp);
			return r;
		}
	}
	return 0;
}

void io_workers_if_close(struct io_workers *all, struct fwd_iface *ifp)
{
	struct wsock *gone[FWD_WORKERS_MAX] = { 0 };

	if (all == NULL)
		return;
	for (unsigned k = 0; k < all->n; k++) {
		struct io_worker *w = all->w[k];
		struct wstab *t = atomic_load(&w->ws);
		struct wsock *ws = ifp->idx < t->cap ? atomic_exchange(&t->s[ifp->idx], NULL) : NULL;

		for (unsigned i = 0; ws != NULL && i < ws->n_rx; i++)
			epoll_ctl(w->epfd, EPOLL_CTL_DEL, ws_fd(ws, i), NULL);
		gone[k] = ws;
	}
	rcu_synchronize(all->f->rcu); /* no worker is still in a round that saw them */
	for (unsigned k = 0; k < all->n; k++)
		if (gone[k] != NULL)
			ws_free(gone[k]);
}
