/*
 * dp_kernel_watch: the kernel's link events (RTNLGRP_LINK) on vrfmgr's event
 * loop, for the kernel dataplane. The kernel drops every IPv4 route through a
 * link that is set down, and a link deleted and made again comes back with
 * no VRF and no address: dp_kernel_link_event programs them again when the
 * link is up. A socket of its own, non-blocking, read when the loop says so.
 * vrfmgr does not read it while it programs (a bind alone makes several
 * events), so the buffer is large; an overrun (ENOBUFS: events lost, libnl's
 * NLE_NOMEM) may have hidden a link's down and up, so every link is listed
 * again (dp_kernel_resync). A VRF put right after a backoff (its device
 * made or set up again, a link bound again: dp_kernel_remake.c,
 * dp_kernel_guard.c) waits on a timer here, armed after every read from
 * dp_kernel_next_tick_ms (no walk of the VRFs when none waits).
 */
#include <linux/if.h>
#include <stdio.h>
#include <stdlib.h>

#include <event2/event.h>
#include <netlink/errno.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include <netlink/socket.h>

#include "common/log.h"
#include "vrfmgr/dp_kernel.h"

/* asked for; the kernel caps it at net.core.rmem_max */
#define WATCH_RCVBUF (1 << 20)

struct dpk_watch {
	struct nl_sock *sk;
	struct event *ev;
	struct event *remake; /* dp_kernel_tick, when a VRF device is due to be made again */
	struct dp_kernel *k;
};

static void remake_arm(struct dpk_watch *w)
{
	int64_t ms = dp_kernel_next_tick_ms(w->k);
	struct timeval in = { .tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000 };

	if (ms < 0)
		event_del(w->remake);
	else
		event_add(w->remake, &in);
}

static void on_remake_due(evutil_socket_t fd, short what, void *arg)
{
	struct dpk_watch *w = arg;

	(void)fd;
	(void)what;
	dp_kernel_tick(w->k);
	remake_arm(w);
}

static void on_link(struct nl_object *o, void *arg)
{
	struct rtnl_link *l = (struct rtnl_link *)o;
	const char *name = rtnl_link_get_name(l);

	if (name != NULL && rtnl_link_get_ifindex(l) > 0)
		dp_kernel_link_event(arg, rtnl_link_get_ifindex(l), name, rtnl_link_get_master(l),
				     (rtnl_link_get_flags(l) & IFF_UP) != 0);
}

static void on_link_gone(struct nl_object *o, void *arg)
{
	int ifindex = rtnl_link_get_ifindex((struct rtnl_link *)o);

	if (ifindex > 0)
		dp_kernel_link_gone(arg, ifindex);
}

static int on_msg(struct nl_msg *msg, void *arg)
{
	struct dpk_watch *w = arg;

	if (nlmsg_hdr(msg)->nlmsg_type == RTM_NEWLINK)
		nl_msg_parse(msg, on_link, w->k);
	else if (nlmsg_hdr(msg)->nlmsg_type == RTM_DELLINK)
		nl_msg_parse(msg, on_link_gone, w->k);
	return NL_OK;
}

static void on_readable(evutil_socket_t fd, short what, void *arg)
{
	struct dpk_watch *w = arg;
	int rc = nl_recvmsgs_default(w->sk);

	(void)fd;
	(void)what;
	if (rc == -NLE_NOMEM) { /* ENOBUFS */
		log_warnx("kernel dataplane: link events lost (receive buffer overrun): "
			  "listing every link again");
		dp_kernel_resync(w->k);
	} else if (rc < 0 && rc != -NLE_AGAIN) {
		log_warnx("kernel dataplane: reading link events: %s", nl_geterror(rc));
	}
	remake_arm(w); /* a VRF device deleted again: made again after a backoff */
}

struct dpk_watch *dpk_watch_start(struct event_base *base, struct dp_kernel *k, char *err,
				  size_t errlen)
{
	struct dpk_watch *w = calloc(1, sizeof(*w));
	int rc = -NLE_NOMEM;

	if (w == NULL || (w->sk = nl_socket_alloc()) == NULL)
		goto fail;
	w->k = k;
	nl_socket_disable_seq_check(w->sk);
	nl_socket_modify_cb(w->sk, NL_CB_VALID, NL_CB_CUSTOM, on_msg, w);
	if ((rc = nl_connect(w->sk, NETLINK_ROUTE)) < 0 ||
	    (rc = nl_socket_set_buffer_size(w->sk, WATCH_RCVBUF, 0)) < 0 ||
	    (rc = nl_socket_add_membership(w->sk, RTNLGRP_LINK)) < 0 ||
	    (rc = nl_socket_set_nonblocking(w->sk)) < 0)
		goto fail;
	w->ev = event_new(base, nl_socket_get_fd(w->sk), EV_READ | EV_PERSIST, on_readable, w);
	w->remake = evtimer_new(base, on_remake_due, w);
	if (w->ev == NULL || w->remake == NULL || event_add(w->ev, NULL) < 0) {
		rc = -NLE_NOMEM;
		goto fail;
	}
	return w;
fail:
	snprintf(err, errlen, "kernel dataplane: cannot watch link events: %s", nl_geterror(rc));
	dpk_watch_stop(w);
	return NULL;
}

void dpk_watch_stop(struct dpk_watch *w)
{
	if (w == NULL)
		return;
	if (w->ev != NULL)
		event_free(w->ev);
	if (w->remake != NULL)
		event_free(w->remake);
	if (w->sk != NULL)
		nl_socket_free(w->sk);
	free(w);
}
