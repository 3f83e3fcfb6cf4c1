/*
 * The IPC hub: vrfmgr listens on <run_dir>/vrfmgr.ipc and accepts any
 * number of connections. Each one says who it is in its HELLO; from then on
 * its messages go to that role's handlers (one table row per role, OpenBGPD
 * style, rather than a switch doing the work). A second connection of a
 * role replaces the first (the daemon restarted before the old socket died).
 * Closing is always deferred to a fresh event-loop turn so a handler never
 * frees the connection whose callback it is running in.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/event.h>

#include "common/log.h"
#include "vrfmgr/vrfmgr.h"

struct role_handler {
	uint32_t role;
	const char *name;
	void (*hello)(struct vrfmgr *vm, struct vrfmgr_conn *c);
	void (*msg)(struct vrfmgr *vm, struct vrfmgr_conn *c, uint16_t type, const void *p,
		    uint32_t len);
	void (*closed)(struct vrfmgr *vm, struct vrfmgr_conn *c);
};

static const struct role_handler roles[] = {
	{ IPC_ROLE_BGPD, "bgpd", bgpd_link_hello, bgpd_link_msg, bgpd_link_closed },
	{ IPC_ROLE_FWD, "fwd", fwd_sync_hello, fwd_sync_msg, fwd_sync_closed },
};

static const struct role_handler *role_find(uint32_t role)
{
	size_t i;

	for (i = 0; i < sizeof(roles) / sizeof(roles[0]); i++)
		if (roles[i].role == role)
			return &roles[i];
	return NULL;
}

const char *hub_role_name(uint32_t role)
{
	const struct role_handler *h = role_find(role);

	return h != NULL ? h->name : "peer";
}

static void conn_free(struct vrfmgr_conn *c)
{
	struct vrfmgr *vm = c->vm;
	const struct role_handler *h = role_find(c->role);
	struct vrfmgr_conn **pp;

	if (h != NULL)
		h->closed(vm, c);
	for (pp = &vm->conns; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	if (c->drop_ev != NULL)
		event_free(c->drop_ev);
	ipc_conn_free(c->ipc);
	free(c);
}

static void conn_drop_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	conn_free(arg);
}

void hub_conn_drop(struct vrfmgr_conn *c, const char *why)
{
	if (c->dead)
		return;
	c->dead = true;
	log_info("%s connection%s%s closed: %s", hub_role_name(c->role), c->name[0] ? " " : "",
		 c->name, why);
	event_active(c->drop_ev, EV_TIMEOUT, 0);
}

int hub_send2(struct vrfmgr_conn *c, uint16_t type, const void *p1, uint32_t l1, const void *p2,
	      uint32_t l2)
{
	int rc;

	if (c->dead)
		return -EPIPE;
	rc = ipc_send2(c->ipc, type, p1, l1, p2, l2);
	if (rc < 0) {
		log_warnx("%s: cannot queue %s: %s", hub_role_name(c->role), ipc_type_name(type),
			  strerror(-rc));
		hub_conn_drop(c, "send failed");
	}
	return rc;
}

int hub_send(struct vrfmgr_conn *c, uint16_t type, const void *p, uint32_t len)
{
	return hub_send2(c, type, p, len, NULL, 0);
}

static void conn_hello(struct vrfmgr_conn *c, const struct ipc_hello *h)
{
	const struct role_handler *r = role_find(h->role);

	if (h->version != IPC_VERSION) {
		log_warnx("peer speaks IPC version %u, want %u", h->version, IPC_VERSION);
		hub_conn_drop(c, "version mismatch");
		return;
	}
	if (r == NULL) {
		log_warnx("peer announces role %u, which does not connect to vrfmgr", h->role);
		hub_conn_drop(c, "unexpected role");
		return;
	}
	c->role = h->role;
	memcpy(c->name, h->name, sizeof(c->name));
	c->name[sizeof(c->name) - 1] = '\0';
	log_info("%s %s connected", r->name, c->name);
	r->hello(c->vm, c);
}

static void conn_msg(struct ipc_conn *ic, uint16_t type, const void *payload, uint32_t len,
		     void *ctx)
{
	struct vrfmgr_conn *c = ctx;
	const struct role_handler *r;

	(void)ic;
	if (c->dead)
		return;
	if (type == IPC_HELLO) {
		if (c->role != 0)
			hub_conn_drop(c, "second HELLO");
		else
			conn_hello(c, payload);
		return;
	}
	r = role_find(c->role);
	if (r == NULL) {
		log_warnx("peer sent %s before HELLO", ipc_type_name(type));
		hub_conn_drop(c, "no HELLO");
		return;
	}
	r->msg(c->vm, c, type, payload, len);
}

static void conn_closed(struct ipc_conn *ic, void *ctx)
{
	struct vrfmgr_conn *c = ctx;

	(void)ic;
	if (!c->dead)
		log_info("%s%s%s disconnected", hub_role_name(c->role), c->name[0] ? " " : "",
			 c->name);
	c->dead = true;
	conn_free(c);
}

static void hub_accept(evutil_socket_t fd, short what, void *arg)
{
	struct vrfmgr *vm = arg;
	struct vrfmgr_conn *c;
	int s;

	(void)what;
	s = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (s < 0) {
		if (errno != EAGAIN && errno != EINTR)
			log_warn("accept on %s", vm->ipc_path);
		return;
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		log_warn("new IPC connection");
		close(s);
		return;
	}
	c->vm = vm;
	c->drop_ev = evtimer_new(vm->base, conn_drop_cb, c);
	c->ipc = ipc_conn_new(vm->base, s, conn_msg, conn_closed, c);
	if (c->drop_ev == NULL || c->ipc == NULL) {
		log_warnx("cannot set up an IPC connection");
		if (c->drop_ev != NULL)
			event_free(c->drop_ev);
		if (c->ipc != NULL)
			ipc_conn_free(c->ipc);
		else
			close(s);
		free(c);
		return;
	}
	c->next = vm->conns;
	vm->conns = c;
	if (ipc_send_hello(c->ipc, IPC_ROLE_VRFMGR, vm->cfg->name) < 0)
		hub_conn_drop(c, "cannot send HELLO");
}

int hub_start(struct vrfmgr *vm)
{
	int rc = config_sock_path(vm->cfg, FERRY_SOCK_VRFMGR_IPC, vm->ipc_path);

	if (rc < 0) {
		log_warnx("IPC socket path under %s is too long", vm->cfg->run_dir);
		return rc;
	}
	vm->listen_fd = ipc_listen_unix(vm->ipc_path);
	if (vm->listen_fd < 0)
		return vm->listen_fd;
	vm->listen_ev = event_new(vm->base, vm->listen_fd, EV_READ | EV_PERSIST, hub_accept, vm);
	if (vm->listen_ev == NULL || event_add(vm->listen_ev, NULL) < 0) {
		log_warnx("cannot watch %s", vm->ipc_path);
		return -ENOMEM;
	}
	log_info("listening for bgpd and fwd on %s", vm->ipc_path);
	return 0;
}

void hub_stop(struct vrfmgr *vm)
{
	while (vm->conns != NULL) {
		vm->conns->dead = true;
		conn_free(vm->conns);
	}
	if (vm->listen_ev != NULL)
		event_free(vm->listen_ev);
	vm->listen_ev = NULL;
	if (vm->listen_fd >= 0) {
		close(vm->listen_fd);
		unlink(vm->ipc_path);
	}
	vm->listen_fd = -1;
}
