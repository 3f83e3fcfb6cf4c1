/*
 * The fixture of the common/api tests (test_common_api.c,
 * test_common_api_events.c): a server on a temporary Unix socket driven by
 * the test's event loop, an event ring behind /events, and a raw HTTP
 * client on the same loop.
 */
#ifndef FERRY_TEST_COMMON_API_UTIL_H
#define FERRY_TEST_COMMON_API_UTIL_H

#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <event2/event.h>

#include "common/api.h"
#include "common/api_events.h"
#include "common/log.h"

static struct api_events *events;

static inline void ev_fmt(struct jw *w, const struct api_event *e, void *ctx)
{
	(void)ctx;
	jw_kv_uint(w, "n", e->data[0]);
}

static inline int h_events(struct jw *w, const struct api_request *req, void *ctx)
{
	(void)ctx;
	return api_events_serve(events, w, req);
}
static struct event_base *base;
static struct api_server *srv;
static char dir[64], sock[128];

/* A server with routes on a socket in a fresh directory, and the event ring behind /events. */
static inline void api_fixture_setup(const struct api_route *routes, size_t nroutes)
{
	log_init("test", LOG_LVL_ERR);
	signal(SIGPIPE, SIG_IGN); /* as the daemons do: a client gone mid-reply is EPIPE */
	snprintf(dir, sizeof(dir), "/tmp/ferry-api-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(sock, sizeof(sock), "%s/test.sock", dir);
	base = event_base_new();
	srv = api_server_start(base, sock, routes, nroutes, (void *)0x1234);
	cr_assert_not_null(srv);
	static const char *const names[] = { "tick", NULL };

	events = api_events_new(base, 4, names, ev_fmt, NULL);
	cr_assert_not_null(events);
}

static inline void api_fixture_teardown(void)
{
	api_server_free(srv);
	api_events_free(events);
	event_base_free(base);
	unlink(sock);
	rmdir(dir);
}

struct client {
	char resp[1 << 20];
	size_t n;
	bool done;
};

static inline void client_read(evutil_socket_t fd, short what, void *arg)
{
	struct client *c = arg;
	ssize_t r;

	if (what & EV_TIMEOUT) {
		event_base_loopbreak(base);
		return;
	}
	r = read(fd, c->resp + c->n, sizeof(c->resp) - 1 - c->n);
	if (r > 0) {
		c->n += (size_t)r;
		return;
	}
	c->done = true;
	event_base_loopbreak(base);
}

/* Runs the loop until the server closes fd's connection (HTTP/1.0), returns the response. */
static inline const char *http_response(int fd)
{
	static struct client c;
	struct timeval tmo = { 5, 0 };
	struct event *ev;

	memset(&c, 0, sizeof(c));
	ev = event_new(base, fd, EV_READ | EV_PERSIST, client_read, &c);
	event_add(ev, &tmo);
	event_base_dispatch(base);
	event_free(ev);
	close(fd);
	cr_assert(c.done, "no complete response within 5 s");
	c.resp[c.n] = '\0';
	return c.resp;
}

/* Sends raw on fd, runs the loop until the server closes (HTTP/1.0), returns the response. */
static inline const char *http_fd(int fd, const char *raw)
{
	cr_assert_eq(write(fd, raw, strlen(raw)), (ssize_t)strlen(raw));
	return http_response(fd);
}

static inline int unix_fd(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	strcpy(sun.sun_path, sock);
	cr_assert_eq(connect(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	return fd;
}

static inline const char *http(const char *raw)
{
	return http_fd(unix_fd(), raw);
}

static inline const char *body_of(const char *resp)
{
	const char *b = strstr(resp, "\r\n\r\n");

	cr_assert_not_null(b, "%s", resp);
	return b + 4;
}
static inline void stop_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	event_base_loopbreak(base);
}

/* Runs the loop for at most ms, until *v reaches want. */
static inline void run_until(const int *v, int want, int ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };
	struct event *t = evtimer_new(base, stop_cb, NULL);

	evtimer_add(t, &tv);
	while (*v < want && evtimer_pending(t, NULL))
		event_base_loop(base, EVLOOP_ONCE);
	event_free(t);
}
#endif
