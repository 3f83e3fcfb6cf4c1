/*
 * Session I/O: the listening socket, non-blocking connects from the
 * neighbor's local address, reading whole messages out of large reads, and
 * closing. A connection that must die with a NOTIFICATION is not freed on
 * the spot: it is detached from its peer at once (the FSM moves on), then
 * lingers until the NOTIFICATION has left and the peer closed (or
 * BGP_LINGER seconds), so the message is not lost to a reset.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>

#include "bgpd/bgpd.h"
#include "common/log.h"

#define READ_CHUNK (64 * 1024)

static void sin_set(struct sockaddr_in *sin, uint32_t addr, uint16_t port)
{
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(addr);
	sin->sin_port = htons(port);
}

void session_timer_set(struct event *ev, unsigned seconds)
{
	struct timeval tv = { seconds, 0 };

	if (seconds)
		evtimer_add(ev, &tv);
	else
		evtimer_del(ev);
}

static void conn_addrs(struct bgp_conn *c)
{
	struct sockaddr_in sin;
	socklen_t sl = sizeof(sin);
	int fd = bufferevent_getfd(c->bev);

	if (getsockname(fd, (struct sockaddr *)&sin, &sl) == 0 && sin.sin_family == AF_INET)
		c->local_addr = ntohl(sin.sin_addr.s_addr);
	sl = sizeof(sin);
	if (getpeername(fd, (struct sockaddr *)&sin, &sl) == 0 && sin.sin_family == AF_INET)
		c->remote_addr = ntohl(sin.sin_addr.s_addr);
}

static void conn_free(struct bgp_conn *c)
{
	struct bgpd *d = c->d;
	struct bgp_conn **pp;

	for (pp = &d->closing; *pp; pp = &(*pp)->next_closing) {
		if (*pp == c) {
			*pp = c->next_closing;
			break;
		}
	}
	event_free(c->hold_timer);
	event_free(c->ka_timer);
	event_free(c->delay_timer);
	bufferevent_free(c->bev);
	free(c);
	if (d->stopping && !d->closing)
		event_active(d->stop_ev, 0, 0);
}

/* ---- session protection: TCP-MD5 (RFC 2385), GTSM (RFC 5082) ---- */

#define GTSM_TTL 255

/* Signs (and requires signatures on) segments to/from peer on fd; key "" removes it. */
static int md5_set(int fd, uint32_t peer, const char *key)
{
	struct tcp_md5sig sig;
	struct sockaddr_in *sin = (struct sockaddr_in *)&sig.tcpm_addr;
	size_t len = strlen(key);

	memset(&sig, 0, sizeof(sig));
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(peer);
	if (len > TCP_MD5SIG_MAXKEYLEN)
		return -EINVAL;
	sig.tcpm_keylen = (uint16_t)len;
	memcpy(sig.tcpm_key, key, len);
	return setsockopt(fd, IPPROTO_TCP, TCP_MD5SIG, &sig, sizeof(sig)) < 0 ? -errno : 0;
}

/* GTSM: send with TTL 255 and (min) drop what arrives with less. */
static void gtsm_set(int fd, bool min, const char *name)
{
	int ttl = GTSM_TTL;

	if (setsockopt(fd, IPPROTO_IP, IP_TTL, &ttl, sizeof(ttl)) < 0 ||
	    (min && setsockopt(fd, IPPROTO_IP, IP_MINTTL, &ttl, sizeof(ttl)) < 0))
		log_warn("%s: cannot set up GTSM (TTL 255)", name);
}

/* Per-neighbor socket protection on a socket about to talk to p. 0 or -1 (logged). */
static int protect(int fd, const struct bgp_peer *p)
{
	int rc;

	if (p->cfg->password[0] && (rc = md5_set(fd, p->cfg->address, p->cfg->password)) < 0) {
		errno = -rc;
		log_warn("peer %s: cannot set the TCP-MD5 key", p->name);
		return -1;
	}
	if (p->cfg->ttl_security)
		gtsm_set(fd, true, p->name);
	return 0;
}

/* The listener must know every key before a SYN arrives; GTSM peers need TTL 255 SYN-ACKs. */
static void listener_protect(struct bgpd *d, int fd)
{
	bool gtsm = false;
	int rc;

	for (size_t i = 0; i < d->peer_slots; i++) {
		const struct bgp_peer *p = &d->peers[i];

		if (!p->cfg)
			continue;
		if (p->cfg->password[0] && (rc = md5_set(fd, p->cfg->address, p->cfg->password)) < 0) {
			errno = -rc;
			log_warn("peer %s: cannot set the TCP-MD5 key on the listener", p->name);
		}
		gtsm |= p->cfg->ttl_security;
	}
	if (gtsm) {
		int on = 1;

		gtsm_set(fd, false, "listener");
		/* Keep each SYN's headers: an accepted socket gets IP_MINTTL only after
		 * the handshake, when the peer's OPEN may already be queued. */
		if (setsockopt(fd, IPPROTO_TCP, TCP_SAVE_SYN, &on, sizeof(on)) < 0)
			log_warn("listener: cannot keep SYN headers for GTSM");
	}
}

void session_listener_protect(struct bgpd *d)
{
	if (d->listener)
		listener_protect(d, evconnlistener_get_fd(d->listener));
}

void session_listener_unkey(struct bgpd *d, uint32_t addr)
{
	int rc;

	if (d->listener && (rc = md5_set(evconnlistener_get_fd(d->listener), addr, "")) < 0 &&
	    rc != -ENOENT) {
		char buf[IPV4_STRLEN];

		errno = -rc;
		log_warn("peer %s: cannot remove the TCP-MD5 key from the listener",
			 ipv4_format(addr, buf));
	}
}

/*
 * GTSM on an accepted connection: the SYN must have arrived with TTL 255
 * (RFC 5082 §3); later segments are held to it by IP_MINTTL. Returns false
 * when the connection must be dropped.
 */
static bool gtsm_accept_ok(int fd, const struct bgp_peer *p)
{
	uint8_t syn[128];
	socklen_t len = sizeof(syn);

	if (getsockopt(fd, IPPROTO_TCP, TCP_SAVED_SYN, syn, &len) < 0 || len < 20 ||
	    (syn[0] >> 4) != 4) {
		log_warnx("peer %s: GTSM: no SYN headers to check, connection dropped", p->name);
		return false;
	}
	if (syn[8] < GTSM_TTL) {
		log_warnx("peer %s: GTSM: SYN arrived with TTL %u (want 255), connection dropped",
			  p->name, syn[8]);
		return false;
	}
	gtsm_set(fd, true, p->name);
	return true;
}

/* ---- reading ---- */

/* A marker that is already wrong need not wait for 19 bytes (garbage probes). */
static bool marker_broken(const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len && i < BGP_MARKER_LEN; i++)
		if (p[i] != 0xff)
			return true;
	return false;
}

static void conn_read_cb(struct bufferevent *bev, void *arg)
{
	struct bgp_conn *c = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	struct bgp_err err;
	struct bgp_hdr h;
	size_t avail;

	while ((avail = evbuffer_get_length(in)) > 0) {
		size_t look = avail < BGP_HDR_LEN ? avail : BGP_HDR_LEN;
		const uint8_t *p = evbuffer_pullup(in, (ssize_t)look);

		if (marker_broken(p, look)) {
			bgp_err_set(&err, BGP_ERR_HEADER, BGP_ERR_HDR_SYNC, NULL, 0);
			fsm_conn_fail(c, &err, "bad marker");
			return;
		}
		if (avail < BGP_HDR_LEN)
			return;
		if (bgp_hdr_decode_ext(p, &h, &err, c->ext_msg) < 0) {
			fsm_conn_fail(c, &err, "bad message header");
			return;
		}
		if (avail < h.len)
			return;
		p = evbuffer_pullup(in, h.len);
		if (fsm_message(c, h.type, p + BGP_HDR_LEN, h.len - BGP_HDR_LEN) < 0)
			return; /* c is closing or gone */
		evbuffer_drain(in, h.len);
	}
}

/* The output drained to the low mark (set when the peer was parked, updgroup.c). */
static void conn_write_cb(struct bufferevent *bev, void *arg)
{
	struct bgp_conn *c = arg;
	struct bgp_peer *p = c->peer;

	if (p->est == c && p->parked &&
	    evbuffer_get_length(bufferevent_get_output(bev)) <= c->d->out_low_water)
		adjout_drained(p);
}

static void conn_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct bgp_conn *c = arg;

	(void)bev;
	if (what & BEV_EVENT_CONNECTED) {
		conn_addrs(c);
		fsm_conn_connected(c, true);
		return;
	}
	if (c->state == FSM_CONNECT) {
		fsm_connect_failed(c->peer, strerror(EVUTIL_SOCKET_ERROR()));
		fsm_conn_connected(c, false);
		return;
	}
	if (what & BEV_EVENT_EOF)
		fsm_conn_lost(c, "connection closed by peer");
	else
		fsm_conn_lost(c, strerror(EVUTIL_SOCKET_ERROR()));
}

static void hold_cb(evutil_socket_t fd, short what, void *arg)
{
	struct bgp_conn *c = arg;
	struct bgp_err err;

	(void)fd;
	(void)what;
	if (c->state == FSM_CONNECT) {
		char why[64];
		unsigned retry = c->d->cfg->bgp.connect_retry;

		snprintf(why, sizeof(why), "no answer in %u s", retry ? retry : 5);
		fsm_connect_failed(c->peer, why);
		fsm_conn_connected(c, false);
	} else if (c->probe) {
		fsm_probe_silent(c);
	} else {
		bgp_err_set(&err, BGP_ERR_HOLD, 0, NULL, 0);
		fsm_conn_fail(c, &err, "hold timer expired");
	}
}

static void ka_cb(evutil_socket_t fd, short what, void *arg)
{
	struct bgp_conn *c = arg;

	(void)fd;
	(void)what;
	session_send_keepalive(c);
	session_timer_set(c->ka_timer, c->keepalive);
}

struct bgp_conn *session_conn_new(struct bgp_peer *p, int fd, bool outbound)
{
	struct bgp_conn *c = calloc(1, sizeof(*c));
	struct event_base *base = p->d->base;

	if (!c) {
		close(fd);
		return NULL;
	}
	c->peer = p;
	c->d = p->d;
	c->outbound = outbound;
	c->bev = bufferevent_socket_new(base, fd, BEV_OPT_CLOSE_ON_FREE);
	c->hold_timer = evtimer_new(base, hold_cb, c);
	c->ka_timer = evtimer_new(base, ka_cb, c);
	c->delay_timer = evtimer_new(base, fsm_delay_open_cb, c);
	if (!c->bev || !c->hold_timer || !c->ka_timer || !c->delay_timer) {
		log_warnx("peer %s: out of memory for a connection", p->name);
		if (c->bev)
			bufferevent_free(c->bev);
		else
			close(fd);
		if (c->hold_timer)
			event_free(c->hold_timer);
		if (c->ka_timer)
			event_free(c->ka_timer);
		if (c->delay_timer)
			event_free(c->delay_timer);
		free(c);
		return NULL;
	}
	bufferevent_set_max_single_read(c->bev, READ_CHUNK);
	bufferevent_setcb(c->bev, conn_read_cb, conn_write_cb, conn_event_cb, c);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
	if (!outbound)
		conn_addrs(c);
	return c;
}

/* ---- connecting and accepting ---- */

struct bgp_conn *session_connect(struct bgp_peer *p)
{
	const struct ferry_config *cfg = p->d->cfg;
	uint32_t local = p->cfg->local_address ? p->cfg->local_address : cfg->bgp.listen_address;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int tos = IPTOS_PREC_INTERNETCONTROL;
	struct sockaddr_in sin;
	struct bgp_conn *c;

	if (fd < 0) {
		log_warn("peer %s: socket", p->name);
		return NULL;
	}
	setsockopt(fd, IPPROTO_IP, IP_TOS, &tos, sizeof(tos));
	if (protect(fd, p) < 0) {
		close(fd);
		return NULL;
	}
	if (local) {
		sin_set(&sin, local, 0);
		if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
			char why[96], a[IPV4_STRLEN];

			snprintf(why, sizeof(why), "bind to local address %s: %s",
				 ipv4_format(local, a), strerror(errno));
			fsm_connect_failed(p, why);
			close(fd);
			return NULL;
		}
	}
	if (!(c = session_conn_new(p, fd, true)))
		return NULL;
	c->state = FSM_CONNECT;
	c->remote_addr = p->cfg->address;
	sin_set(&sin, p->cfg->address, cfg->bgp.port);
	if (bufferevent_socket_connect(c->bev, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
		fsm_connect_failed(p, strerror(errno)); /* "Network is unreachable": no route */
		session_close(c, NULL);
		return NULL;
	}
	session_timer_set(c->hold_timer, cfg->bgp.connect_retry ? cfg->bgp.connect_retry : 5);
	return c;
}

static void accept_cb(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa, int sl,
		      void *arg)
{
	struct bgpd *d = arg;
	const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;
	char buf[IPV4_STRLEN];
	struct bgp_peer *p;
	struct bgp_conn *c;
	uint32_t addr;

	(void)l;
	if (sa->sa_family != AF_INET || sl < (int)sizeof(*sin)) {
		close(fd);
		return;
	}
	addr = ntohl(sin->sin_addr.s_addr);
	p = bgpd_peer_by_addr(d, addr);
	if (!p || d->stopping) {
		log_warnx("connection from %s: not a configured neighbor, closed",
			  ipv4_format(addr, buf));
		close(fd);
		return;
	}
	if (peer_held_down(p)) {
		/* a peer dials every few seconds: said once a hold-down, then at debug */
		if (!p->refusal_said)
			log_info("peer %s: connection refused: %s (further refusals at debug level)",
				 p->name, p->cfg->shutdown ? "shut down in the config"
							   : "down after max-prefix");
		else
			log_debug("peer %s: connection refused again", p->name);
		p->refusal_said = true;
		close(fd);
		return;
	}
	p->refusal_said = false;
	if (p->cfg->ttl_security && !gtsm_accept_ok(fd, p)) {
		close(fd);
		return;
	}
	if ((c = session_conn_new(p, fd, false)))
		fsm_conn_accepted(p, c);
}

int session_listen(struct bgpd *d)
{
	const struct cfg_bgp *b = &d->cfg->bgp;
	struct sockaddr_in sin;
	char buf[IPV4_STRLEN];

	sin_set(&sin, b->listen_address, b->port);
	d->listener = evconnlistener_new_bind(d->base, accept_cb, d,
					      LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE |
						      LEV_OPT_CLOSE_ON_EXEC,
					      64, (struct sockaddr *)&sin, sizeof(sin));
	if (!d->listener) {
		log_warn("listen on %s port %u", ipv4_format(b->listen_address, buf), b->port);
		return -errno;
	}
	listener_protect(d, evconnlistener_get_fd(d->listener));
	log_info("listening on %s port %u", ipv4_format(b->listen_address, buf), b->port);
	return 0;
}

/* ---- writing and closing ---- */

void session_send(struct bgp_conn *c, const struct wbuf *w)
{
	size_t off = 0;

	if (c->closing || !w->len)
		return;
	bufferevent_write(c->bev, w->data, w->len);
	while (off + BGP_HDR_LEN <= w->len) { /* count the messages it holds */
		c->peer->msgs_out++;
		off += (size_t)w->data[off + 16] << 8 | w->data[off + 17];
	}
}

static void chunk_release(const void *data, size_t len, void *arg)
{
	(void)data;
	(void)len;
	adjout_chunk_unref(arg);
}

void session_send_chunk(struct bgp_conn *c, struct adjout_chunk *k)
{
	if (c->closing || !k->len)
		return;
	k->refs++;
	if (evbuffer_add_reference(bufferevent_get_output(c->bev), k->data, k->len, chunk_release,
				   k) < 0) {
		k->refs--;
		log_warnx("peer %s: cannot queue updates", c->peer->name);
		return;
	}
	c->peer->msgs_out += k->n_msgs;
}

void session_send_keepalive(struct bgp_conn *c)
{
	struct wbuf *w = &c->d->out;

	wbuf_reset(w);
	if (bgp_keepalive_encode(w) == 0)
		session_send(c, w);
}

static void closing_read_cb(struct bufferevent *bev, void *arg)
{
	(void)arg;
	evbuffer_drain(bufferevent_get_input(bev), evbuffer_get_length(bufferevent_get_input(bev)));
}

static void closing_write_cb(struct bufferevent *bev, void *arg)
{
	(void)arg;
	if (evbuffer_get_length(bufferevent_get_output(bev)) == 0)
		shutdown(bufferevent_getfd(bev), SHUT_WR);
}

static void closing_event_cb(struct bufferevent *bev, short what, void *arg)
{
	(void)bev;
	(void)what;
	conn_free(arg);
}

static void linger_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	conn_free(arg);
}

static void conn_detach(struct bgp_conn *c)
{
	struct bgp_peer *p = c->peer;

	if (p->out == c)
		p->out = NULL;
	if (p->in == c)
		p->in = NULL;
	if (p->est == c)
		p->est = NULL;
	if (p->probe == c)
		p->probe = NULL;
}

void session_close(struct bgp_conn *c, const struct bgp_err *err)
{
	struct bgpd *d = c->d;
	struct wbuf *w = &d->out;

	if (c->closing)
		return;
	conn_detach(c);
	c->closing = true;
	evtimer_del(c->ka_timer);
	evtimer_del(c->delay_timer);
	event_free(c->hold_timer);
	c->hold_timer = evtimer_new(d->base, linger_cb, c);
	if (!c->hold_timer)
		fatalx("session_close: out of memory");
	c->next_closing = d->closing;
	d->closing = c;
	if (c->state == FSM_CONNECT && !c->delay_open) { /* no TCP yet: free it next turn */
		/* a connect completing meanwhile must not reach a peer that may be gone (reload) */
		bufferevent_setcb(c->bev, NULL, NULL, NULL, NULL);
		event_active(c->hold_timer, 0, 0);
		return;
	}
	if (err) {
		wbuf_reset(w);
		if (bgp_notification_encode(w, err) == 0) {
			bufferevent_write(c->bev, w->data, w->len);
			c->peer->msgs_out++;
		}
	}
	bufferevent_setcb(c->bev, closing_read_cb, closing_write_cb, closing_event_cb, c);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
	if (evbuffer_get_length(bufferevent_get_output(c->bev)) == 0)
		shutdown(bufferevent_getfd(c->bev), SHUT_WR);
	session_timer_set(c->hold_timer, BGP_LINGER);
}

void session_free_closing(struct bgpd *d)
{
	while (d->closing)
		conn_free(d->closing);
}
