/*
 * common/api.c: a server on a temporary Unix socket and a raw HTTP client
 * driven by the same event loop: 200 with the handler's body, query
 * parameters, 404/405 as JSON, GET / listing, handler errors, socket mode.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include "common/api.h"
#include "common/log.h"

static int h_x(struct jw *w, const struct api_request *req, void *ctx)
{
	const char *y = api_query_get(req, "y");

	cr_assert_eq(ctx, (void *)0x1234);
	cr_assert_str_eq(req->path, "/x");
	jw_object_begin(w);
	jw_kv_string(w, "y", y);
	jw_kv_string(w, "absent", api_query_get(req, "nope"));
	jw_object_end(w);
	return 200;
}

static int h_bad(struct jw *w, const struct api_request *req, void *ctx)
{
	(void)ctx;
	jw_object_begin(w);
	jw_kv_string(w, "partial", "output");
	return api_error(w, 400, "vrf %s: no such VRF", api_query_get(req, "vrf"));
}

static int h_broken(struct jw *w, const struct api_request *req, void *ctx)
{
	(void)req;
	(void)ctx;
	jw_object_begin(w); /* never closed: a handler bug */
	return 200;
}

static const struct api_route routes[] = {
	{ "/x", h_x, "echoes y" },
	{ "/bad", h_bad, "always 400" },
	{ "/broken", h_broken, "unbalanced JSON" },
};

static struct event_base *base;
static struct api_server *srv;
static char dir[64], sock[128];

static void setup(void)
{
	log_init("test", LOG_LVL_ERR);
	snprintf(dir, sizeof(dir), "/tmp/ferry-api-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(sock, sizeof(sock), "%s/test.sock", dir);
	base = event_base_new();
	srv = api_server_start(base, sock, routes, 3, (void *)0x1234);
	cr_assert_not_null(srv);
}

static void teardown(void)
{
	api_server_free(srv);
	event_base_free(base);
	rmdir(dir);
}

struct client {
	char resp[8192];
	size_t n;
	bool done;
};

static void client_read(evutil_socket_t fd, short what, void *arg)
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

/* Sends raw, runs the loop until the server closes (HTTP/1.0), returns the response. */
static const char *http(const char *raw)
{
	static struct client c;
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct timeval tmo = { 5, 0 };
	struct event *ev;
	int fd;

	memset(&c, 0, sizeof(c));
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	strcpy(sun.sun_path, sock);
	cr_assert_eq(connect(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	cr_assert_eq(write(fd, raw, strlen(raw)), (ssize_t)strlen(raw));
	ev = event_new(base, fd, EV_READ | EV_PERSIST, client_read, &c);
	event_add(ev, &tmo);
	event_base_dispatch(base);
	event_free(ev);
	close(fd);
	cr_assert(c.done, "no complete response within 5 s");
	c.resp[c.n] = '\0';
	return c.resp;
}

static const char *body_of(const char *resp)
{
	const char *b = strstr(resp, "\r\n\r\n");

	cr_assert_not_null(b, "%s", resp);
	return b + 4;
}

TestSuite(api, .init = setup, .fini = teardown);

Test(api, get_with_query)
{
	const char *r = http("GET /x?y=1 HTTP/1.0\r\n\r\n");

	cr_assert(strncmp(r, "HTTP/1.0 200", 12) == 0 || strncmp(r, "HTTP/1.1 200", 12) == 0, "%s",
		  r);
	cr_assert_not_null(strstr(r, "Content-Type: application/json\r\n"), "%s", r);
	cr_assert_str_eq(body_of(r), "{\"y\":\"1\",\"absent\":null}");
}

Test(api, query_is_decoded)
{
	const char *r = http("GET /x?y=a%20b&z=2 HTTP/1.0\r\n\r\n");

	cr_assert_str_eq(body_of(r), "{\"y\":\"a b\",\"absent\":null}");
}

Test(api, unknown_path_404)
{
	const char *r = http("GET /nope HTTP/1.0\r\n\r\n");

	cr_assert_not_null(strstr(r, " 404 "), "%s", r);
	cr_assert_not_null(strstr(r, "Content-Type: application/json\r\n"), "%s", r);
	cr_assert_str_eq(body_of(r),
			 "{\"error\":\"no such path: /nope (GET / lists them)\",\"status\":404}");
}

Test(api, path_match_is_exact)
{
	cr_assert_not_null(strstr(http("GET /x/ HTTP/1.0\r\n\r\n"), " 404 "));
	cr_assert_not_null(strstr(http("GET /xx HTTP/1.0\r\n\r\n"), " 404 "));
}

Test(api, post_is_405)
{
	const char *r = http("POST /x HTTP/1.0\r\nContent-Length: 0\r\n\r\n");

	cr_assert_not_null(strstr(r, " 405 "), "%s", r);
	cr_assert_not_null(strstr(r, "Allow: GET\r\n"), "%s", r);
	cr_assert_str_eq(body_of(r), "{\"error\":\"method not allowed (want GET)\",\"status\":405}");
}

Test(api, root_lists_routes)
{
	const char *r = http("GET / HTTP/1.0\r\n\r\n");

	cr_assert_str_eq(body_of(r),
			 "{\"routes\":[{\"path\":\"/x\",\"summary\":\"echoes y\"},"
			 "{\"path\":\"/bad\",\"summary\":\"always 400\"},"
			 "{\"path\":\"/broken\",\"summary\":\"unbalanced JSON\"}]}");
}

Test(api, handler_error_replaces_output)
{
	const char *r = http("GET /bad?vrf=Z HTTP/1.0\r\n\r\n");

	cr_assert_not_null(strstr(r, " 400 "), "%s", r);
	cr_assert_str_eq(body_of(r), "{\"error\":\"vrf Z: no such VRF\",\"status\":400}");
}

Test(api, broken_handler_is_500)
{
	const char *r = http("GET /broken HTTP/1.0\r\n\r\n");

	cr_assert_not_null(strstr(r, " 500 "), "%s", r);
	cr_assert_str_eq(body_of(r), "{\"error\":\"internal error\",\"status\":500}");
}

Test(api, oversized_headers_refused)
{
	static char req[16384];
	const char *r;

	snprintf(req, sizeof(req), "GET /x HTTP/1.0\r\nX-Big: %0*d\r\n\r\n", 12000, 0);
	r = http(req);
	cr_assert_null(strstr(r, " 200 "), "%s", r);
}

Test(api, socket_mode_and_cleanup)
{
	struct stat st;

	cr_assert_eq(stat(sock, &st), 0);
	cr_assert(S_ISSOCK(st.st_mode));
	cr_assert_eq(st.st_mode & 0777, 0660);
	api_server_free(srv);
	srv = NULL;
	cr_assert_eq(stat(sock, &st), -1, "socket removed on free");
}

Test(api, error_helper_standalone)
{
	struct evbuffer *b = evbuffer_new();
	struct jw w;
	char out[128];
	size_t n;

	jw_init(&w, b);
	jw_array_begin(&w);
	jw_string(&w, "junk");
	cr_assert_eq(api_error(&w, 404, "no \"%s\"", "A"), 404);
	n = evbuffer_copyout(b, out, sizeof(out) - 1);
	out[n] = '\0';
	cr_assert_str_eq(out, "{\"error\":\"no \\\"A\\\"\",\"status\":404}");
	cr_assert_not(w.failed);
	evbuffer_free(b);
}

Test(api, http11_connection_close)
{
	const char *r = http("GET /x?y=2 HTTP/1.1\r\nHost: ferry\r\nConnection: close\r\n\r\n");

	cr_assert(strncmp(r, "HTTP/1.1 200", 12) == 0, "%s", r);
	cr_assert_str_eq(body_of(r), "{\"y\":\"2\",\"absent\":null}");
}
