/*
 * Typed IPC framing between ferry's daemons (see ipc.h, docs/ipc.md).
 *
 * One table (ipc_types) says, per message type, its name and payload size;
 * ipc_payload_ok and ipc_send both check against it, so a malformed message
 * is caught on the sending side too. Frames are read from a bufferevent;
 * each payload is copied into a per-connection buffer from malloc so the
 * owner may cast it to the payload struct without alignment worries.
 *
 * The owner may free the connection from inside on_msg or on_close: while
 * a callback runs, ipc_conn_free only marks the connection and the read loop
 * frees it once the callback returns. At most IPC_BATCH messages are handed
 * over per event-loop turn; the rest wait for the next turn so one busy peer
 * cannot starve the others.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "common/ipc.h"
#include "common/log.h"

#define IPC_BATCH 1024

struct ipc_type_info {
	const char *name;
	uint32_t size; /* fixed payload bytes */
	uint8_t rt_tail; /* followed by n_rts route targets of 8 bytes: TAIL_* */
	/* offset/length of a NUL-terminated name inside the struct; len 0 = none */
	uint16_t str_off, str_len;
};

/* Where a message with route targets after its struct keeps their count. */
enum { TAIL_NONE = 0, TAIL_VPN_ROUTE, TAIL_RT_IMPORTS };

#define NAMED(n, s, f) { n, sizeof(s), TAIL_NONE, offsetof(s, f), sizeof(((s *)0)->f) }

static const struct ipc_type_info ipc_types[IPC_TYPE_MAX] = {
	[IPC_HELLO] = NAMED("HELLO", struct ipc_hello, name),
	[IPC_REPLAY_BEGIN] = { "REPLAY_BEGIN", 0, false, 0, 0 },
	[IPC_REPLAY_END] = { "REPLAY_END", 0, false, 0, 0 },
	[IPC_VPN_ROUTE_ADD] = { "VPN_ROUTE_ADD", sizeof(struct ipc_vpn_route), TAIL_VPN_ROUTE, 0, 0 },
	[IPC_VPN_ROUTE_DEL] = { "VPN_ROUTE_DEL", sizeof(struct ipc_vpn_route), TAIL_VPN_ROUTE, 0, 0 },
	[IPC_VRF_ADD] = NAMED("VRF_ADD", struct ipc_vrf, name),
	[IPC_VRF_DEL] = NAMED("VRF_DEL", struct ipc_vrf, name),
	[IPC_IF_BIND] = NAMED("IF_BIND", struct ipc_if_bind, ifname),
	[IPC_IF_UNBIND] = NAMED("IF_UNBIND", struct ipc_if_bind, ifname),
	[IPC_NH_ADD] = NAMED("NH_ADD", struct ipc_nexthop, ifname),
	[IPC_NH_DEL] = NAMED("NH_DEL", struct ipc_nexthop, ifname),
	[IPC_FIB_ADD] = { "FIB_ADD", sizeof(struct ipc_fib_entry), false, 0, 0 },
	[IPC_FIB_DEL] = { "FIB_DEL", sizeof(struct ipc_fib_entry), false, 0, 0 },
	[IPC_LFIB_ADD] = { "LFIB_ADD", sizeof(struct ipc_lfib_entry), false, 0, 0 },
	[IPC_LFIB_DEL] = { "LFIB_DEL", sizeof(struct ipc_lfib_entry), false, 0, 0 },
	[IPC_RT_IMPORTS] = { "RT_IMPORTS", sizeof(struct ipc_rt_imports), TAIL_RT_IMPORTS, 0, 0 },
};

static const struct ipc_type_info *ipc_type_info(uint16_t type)
{
	if (type == 0 || type >= IPC_TYPE_MAX)
		return NULL;
	return &ipc_types[type];
}

const char *ipc_type_name(uint16_t type)
{
	const struct ipc_type_info *t = ipc_type_info(type);

	return t ? t->name : "UNKNOWN";
}

/* head holds the first head_len of total payload bytes; it must cover the fixed struct. */
static bool payload_check(uint16_t type, const void *head, uint32_t head_len, uint32_t total)
{
	const struct ipc_type_info *t = ipc_type_info(type);
	const uint8_t *p = head;
	uint32_t n_rts;

	if (t == NULL || total > IPC_MAX_PAYLOAD || total < t->size || head_len < t->size)
		return false;
	if (t->size > 0 && head == NULL)
		return false;
	if (t->str_len > 0 && memchr(p + t->str_off, '\0', t->str_len) == NULL)
		return false;
	if (t->rt_tail == TAIL_NONE)
		return total == t->size;
	if (t->rt_tail == TAIL_VPN_ROUTE)
		n_rts = p[offsetof(struct ipc_vpn_route, n_rts)];
	else
		memcpy(&n_rts, p + offsetof(struct ipc_rt_imports, n_rts), sizeof(n_rts));
	return n_rts <= IPC_RT_IMPORTS_MAX && total == t->size + n_rts * 8;
}

bool ipc_payload_ok(uint16_t type, const void *payload, uint32_t len)
{
	return payload_check(type, payload, len, len);
}

/* ---- connections ---- */

struct ipc_conn {
	struct bufferevent *bev;
	struct event *more; /* fires when a batch left complete frames behind */
	ipc_msg_cb on_msg;
	ipc_close_cb on_close;
	void *ctx;
	uint8_t *rx; /* the current payload, suitably aligned */
	size_t rx_cap;
	int busy;          /* > 0 while a callback into the owner runs */
	bool free_pending; /* ipc_conn_free was called during a callback */
	bool closed;       /* on_close delivered (or freed): no more callbacks */
};

static void conn_destroy(struct ipc_conn *c)
{
	if (c->more)
		event_free(c->more);
	bufferevent_free(c->bev); /* closes the fd */
	free(c->rx);
	free(c);
}

/* Stops all I/O and tells the owner once. */
static void conn_close(struct ipc_conn *c)
{
	if (c->closed)
		return;
	c->closed = true;
	bufferevent_disable(c->bev, EV_READ | EV_WRITE);
	c->busy++;
	c->on_close(c, c->ctx);
	c->busy--;
}

static bool hdr_ok(const struct ipc_hdr *h)
{
	if (h->len > IPC_MAX_PAYLOAD) {
		log_warnx("ipc: frame of %u bytes exceeds %u, closing", h->len, IPC_MAX_PAYLOAD);
		return false;
	}
	if (h->flags != 0 || ipc_type_info(h->type) == NULL) {
		log_warnx("ipc: bad frame header (type %u flags 0x%x), closing", h->type, h->flags);
		return false;
	}
	return true;
}

static int rx_reserve(struct ipc_conn *c, size_t n)
{
	uint8_t *p;

	if (n <= c->rx_cap)
		return 0;
	p = realloc(c->rx, n);
	if (p == NULL)
		return -ENOMEM;
	c->rx = p;
	c->rx_cap = n;
	return 0;
}

/*
 * Takes one complete frame off the input into c->rx. 1 = got one, 0 = need
 * more bytes, -1 = malformed (already logged).
 */
static int next_frame(struct ipc_conn *c, struct ipc_hdr *h)
{
	struct evbuffer *in = bufferevent_get_input(c->bev);
	size_t avail = evbuffer_get_length(in);

	if (avail < sizeof(*h))
		return 0;
	evbuffer_copyout(in, h, sizeof(*h));
	if (!hdr_ok(h))
		return -1;
	if (avail - sizeof(*h) < h->len)
		return 0;
	if (rx_reserve(c, h->len > 0 ? h->len : 1) < 0) {
		log_warnx("ipc: out of memory for a %u byte payload", h->len);
		return -1;
	}
	evbuffer_drain(in, sizeof(*h));
	evbuffer_remove(in, c->rx, h->len);
	if (!ipc_payload_ok(h->type, c->rx, h->len)) {
		log_warnx("ipc: malformed %s payload (%u bytes), closing", ipc_type_name(h->type),
			  h->len);
		return -1;
	}
	return 1;
}

static void conn_dispatch(struct ipc_conn *c)
{
	struct ipc_hdr h;
	int n = 0, r;

	c->busy++;
	while (!c->free_pending && !c->closed) {
		if (n == IPC_BATCH) {
			/* a zero timeout runs after the next poll, so other fds get a turn first */
			static const struct timeval now = { 0, 0 };

			event_add(c->more, &now);
			break;
		}
		r = next_frame(c, &h);
		if (r == 0)
			break;
		if (r < 0) {
			conn_close(c);
			break;
		}
		c->on_msg(c, h.type, c->rx, h.len, c->ctx);
		n++;
	}
	c->busy--;
	if (c->busy == 0 && c->free_pending)
		conn_destroy(c);
}

static void conn_read_cb(struct bufferevent *bev, void *arg)
{
	(void)bev;
	conn_dispatch(arg);
}

static void conn_more_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	conn_dispatch(arg);
}

static void conn_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct ipc_conn *c = arg;

	(void)bev;
	if (!(what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)))
		return;
	if (what & BEV_EVENT_ERROR)
		log_warn("ipc: connection error");
	else
		log_debug("ipc: peer closed the connection");
	c->busy++;
	conn_close(c);
	c->busy--;
	if (c->busy == 0 && c->free_pending)
		conn_destroy(c);
}

struct ipc_conn *ipc_conn_new(struct event_base *base, int fd, ipc_msg_cb on_msg,
			      ipc_close_cb on_close, void *ctx)
{
	struct ipc_conn *c = calloc(1, sizeof(*c));

	if (c == NULL) {
		log_warn("ipc: conn");
		return NULL;
	}
	c->on_msg = on_msg;
	c->on_close = on_close;
	c->ctx = ctx;
	evutil_make_socket_nonblocking(fd);
	c->bev = bufferevent_socket_new(base, fd, BEV_OPT_CLOSE_ON_FREE);
	c->more = event_new(base, -1, 0, conn_more_cb, c);
	if (c->bev == NULL || c->more == NULL) {
		log_warnx("ipc: cannot set up the connection's events");
		if (c->more)
			event_free(c->more);
		if (c->bev)
			bufferevent_free(c->bev);
		free(c);
		return NULL;
	}
	bufferevent_setcb(c->bev, conn_read_cb, NULL, conn_event_cb, c);
	if (bufferevent_enable(c->bev, EV_READ | EV_WRITE) < 0) {
		log_warnx("ipc: cannot enable the connection");
		conn_destroy(c);
		return NULL;
	}
	return c;
}

void ipc_conn_free(struct ipc_conn *c)
{
	if (c == NULL)
		return;
	if (c->busy > 0) {
		/* inside one of our callbacks: the dispatch loop frees it on the way out */
		c->free_pending = true;
		c->closed = true;
		bufferevent_disable(c->bev, EV_READ | EV_WRITE);
		return;
	}
	conn_destroy(c);
}

int ipc_send2(struct ipc_conn *c, uint16_t type, const void *p1, uint32_t l1, const void *p2,
	      uint32_t l2)
{
	struct evbuffer *out;
	struct ipc_hdr h;

	if (c->closed)
		return -ENOTCONN;
	if (l1 > IPC_MAX_PAYLOAD || l2 > IPC_MAX_PAYLOAD - l1)
		return -EMSGSIZE;
	if (!payload_check(type, p1, l1, l1 + l2)) {
		log_warnx("ipc: refusing to send a malformed %s (%u bytes)", ipc_type_name(type),
			  l1 + l2);
		return -EINVAL;
	}
	h.type = type;
	h.flags = 0;
	h.len = l1 + l2;
	out = bufferevent_get_output(c->bev);
	if (evbuffer_expand(out, sizeof(h) + h.len) < 0 || evbuffer_add(out, &h, sizeof(h)) < 0 ||
	    (l1 > 0 && evbuffer_add(out, p1, l1) < 0) || (l2 > 0 && evbuffer_add(out, p2, l2) < 0))
		return -ENOMEM;
	return 0;
}

int ipc_send(struct ipc_conn *c, uint16_t type, const void *payload, uint32_t len)
{
	return ipc_send2(c, type, payload, len, NULL, 0);
}

int ipc_send_hello(struct ipc_conn *c, enum ipc_role role, const char *name)
{
	struct ipc_hello h;

	memset(&h, 0, sizeof(h));
	h.version = IPC_VERSION;
	h.role = (uint32_t)role;
	snprintf(h.name, sizeof(h.name), "%s", name ? name : "");
	return ipc_send(c, IPC_HELLO, &h, sizeof(h));
}

size_t ipc_pending(const struct ipc_conn *c)
{
	return evbuffer_get_length(bufferevent_get_output(c->bev));
}

/* ---- Unix sockets ---- */

static int sun_fill(struct sockaddr_un *sun, const char *path)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun->sun_path)) {
		log_warnx("%s: socket path too long", path);
		return -ENAMETOOLONG;
	}
	strcpy(sun->sun_path, path);
	return 0;
}

/* A socket file left by a dead process is removed; a live listener is not stolen. */
static int remove_stale(const char *path, const struct sockaddr_un *sun)
{
	struct stat st;
	int fd, r;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode)) {
		log_warnx("%s: exists and is not a socket", path);
		return -EEXIST;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	r = connect(fd, (const struct sockaddr *)sun, sizeof(*sun));
	close(fd);
	if (r == 0) {
		log_warnx("%s: another process is listening there", path);
		return -EADDRINUSE;
	}
	if (unlink(path) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}

int ipc_listen_unix(const char *path)
{
	struct sockaddr_un sun;
	int fd, r;

	if ((r = sun_fill(&sun, path)) < 0)
		return r;
	if ((r = remove_stale(path, &sun)) < 0) {
		errno = -r;
		log_warn("%s: cannot replace the socket", path);
		return r;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		r = -errno;
		log_warn("%s: socket", path);
		return r;
	}
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 || chmod(path, 0660) < 0 ||
	    listen(fd, 64) < 0) {
		r = -errno;
		log_warn("%s: cannot listen", path);
		close(fd);
		return r;
	}
	return fd;
}

int ipc_connect_unix(const char *path)
{
	struct sockaddr_un sun;
	int fd, r;

	if ((r = sun_fill(&sun, path)) < 0)
		return r;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		r = -errno;
		log_warn("%s: socket", path);
		return r;
	}
	/* Local connects complete at once, so connect blocking and switch afterwards. */
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		r = -errno;
		if (r == -ENOENT || r == -ECONNREFUSED)
			log_debug("%s: not there yet: %s", path, strerror(-r));
		else
			log_warn("%s: connect", path);
		close(fd);
		return r;
	}
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0) {
		r = -errno;
		log_warn("%s: non-blocking", path);
		close(fd);
		return r;
	}
	return fd;
}
