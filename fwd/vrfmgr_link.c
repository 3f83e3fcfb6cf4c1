/*
 * The IPC client side toward vrfmgr. Only connection handling lives here:
 * the messages themselves are applied by apply.c. When vrfmgr goes away
 * the tables stay as they are (fwd keeps forwarding); on reconnect vrfmgr
 * replays its state and apply.c sweeps whatever it did not send again.
 * Route changes are published (fib_commit) once per burst of messages, from
 * an event that runs after the read callback: a replay of a million routes
 * rebuilds each chunk a few times, not once per route.
 */
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "common/ipc.h"
#include "common/log.h"
#include "fwd/apply.h"
#include "fwd/fib.h"
#include "fwd/vrfmgr_link.h"

#define RETRY_SECONDS 1

struct fwd_vrfmgr_link {
	struct event_base *base;
	struct fwd *f;
	char path[128];
	char name[IPC_NAME_MAX];
	struct ipc_conn *conn;
	struct event *retry;
	struct event *commit; /* publishes route changes after a burst */
	bool hello_seen;
	bool was_up; /* to log "lost" once, not every retry */
};

static void schedule_retry(struct fwd_vrfmgr_link *l)
{
	struct timeval tv = { RETRY_SECONDS, 0 };

	evtimer_add(l->retry, &tv);
}

static void drop_conn(struct fwd_vrfmgr_link *l, const char *why)
{
	if (l->conn != NULL) {
		ipc_conn_free(l->conn);
		l->conn = NULL;
		log_warnx("vrfmgr link lost (%s): forwarding on with the current tables", why);
	}
	l->hello_seen = false;
	schedule_retry(l);
}

static void on_hello(struct fwd_vrfmgr_link *l, const struct ipc_hello *h)
{
	char name[IPC_NAME_MAX + 1];
	size_t n = strnlen(h->name, IPC_NAME_MAX);

	memcpy(name, h->name, n);
	name[n] = '\0';
	if (h->version != IPC_VERSION || h->role != IPC_ROLE_VRFMGR) {
		log_warnx("vrfmgr link: HELLO with version %u role %u, want %u/%u", h->version,
			  h->role, IPC_VERSION, IPC_ROLE_VRFMGR);
		drop_conn(l, "bad hello");
		return;
	}
	l->hello_seen = true;
	log_info("vrfmgr link up (router %s)", name);
}

static void on_msg(struct ipc_conn *c, uint16_t type, const void *payload, uint32_t len,
		   void *ctx)
{
	struct fwd_vrfmgr_link *l = ctx;

	(void)c;
	if (type == IPC_HELLO) {
		on_hello(l, payload);
		return;
	}
	if (!l->hello_seen) {
		log_warnx("vrfmgr link: %s before HELLO", ipc_type_name(type));
		drop_conn(l, "protocol error");
		return;
	}
	apply_msg(l->f, type, payload, len);
	if (fib_pending(l->f) && !event_pending(l->commit, EV_TIMEOUT, NULL))
		event_active(l->commit, EV_TIMEOUT, 0);
}

static void on_commit(evutil_socket_t fd, short what, void *arg)
{
	struct fwd_vrfmgr_link *l = arg;
	struct timeval retry = { RETRY_SECONDS, 0 };

	(void)fd;
	(void)what;
	fib_commit(l->f);
	/* out of memory: try again, vrfmgr may have nothing more to send */
	if (fib_pending(l->f))
		evtimer_add(l->commit, &retry);
}

static void on_close(struct ipc_conn *c, void *ctx)
{
	struct fwd_vrfmgr_link *l = ctx;

	(void)c;
	drop_conn(l, "closed");
}

static void try_connect(evutil_socket_t fd_unused, short what, void *arg)
{
	struct fwd_vrfmgr_link *l = arg;
	int fd;

	(void)fd_unused;
	(void)what;
	if (l->conn != NULL)
		return;
	if ((fd = ipc_connect_unix(l->path)) < 0) {
		schedule_retry(l); /* vrfmgr not there (yet): try again in a second */
		return;
	}
	l->conn = ipc_conn_new(l->base, fd, on_msg, on_close, l);
	if (l->conn == NULL) {
		log_warnx("vrfmgr link: cannot set up the connection");
		schedule_retry(l);
		return;
	}
	if (ipc_send_hello(l->conn, IPC_ROLE_FWD, l->name) < 0) {
		drop_conn(l, "hello not sent");
		return;
	}
	log_info("connected to vrfmgr at %s", l->path);
}

struct fwd_vrfmgr_link *fwd_vrfmgr_link_start(struct event_base *base, struct fwd *f, const char *path,
				      const char *name)
{
	struct fwd_vrfmgr_link *l = calloc(1, sizeof(*l));

	if (l == NULL)
		return NULL;
	if (strlen(path) >= sizeof(l->path)) {
		log_warnx("vrfmgr socket path too long: %s", path);
		free(l);
		return NULL;
	}
	l->base = base;
	l->f = f;
	strcpy(l->path, path);
	memcpy(l->name, name, strnlen(name, sizeof(l->name) - 1));
	l->retry = evtimer_new(base, try_connect, l);
	l->commit = event_new(base, -1, 0, on_commit, l);
	if (l->retry == NULL || l->commit == NULL) {
		if (l->retry != NULL)
			event_free(l->retry);
		if (l->commit != NULL)
			event_free(l->commit);
		free(l);
		return NULL;
	}
	try_connect(-1, 0, l);
	return l;
}

void fwd_vrfmgr_link_free(struct fwd_vrfmgr_link *l)
{
	if (l == NULL)
		return;
	if (l->conn != NULL)
		ipc_conn_free(l->conn);
	event_free(l->retry);
	event_free(l->commit);
	free(l);
}

bool fwd_vrfmgr_link_up(const struct fwd_vrfmgr_link *l)
{
	return l != NULL && l->conn != NULL && l->hello_seen;
}
