/*
 * common/api*.c: a server on a temporary Unix socket (and a loopback TCP
 * port) and a raw HTTP client driven by the same event loop: 200 with the
 * handler's body, query parameters, 404/405 as JSON, GET / listing, handler
 * errors, socket mode; size limits (414/431), unknown and repeated
 * parameters, write routes (403), the bearer token (401), the connection
 * limit (503); streamed replies (HTTP/1.0 and chunked 1.1, a client that
 * goes away mid-stream). The event ring over SSE: test_common_api_events.c.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <sys/queue.h>

#include <netinet/in.h>

#include "common/api.h"
#include "common/api_events.h"
#include "common/prefix.h"
#include "common/rd.h"
#include "common/log.h"
#include "test_common_api_util.h"

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

/* /count?n=N: {"items":[0,1,...,N-1]} streamed, a few items per fill. */
struct counter {
	uint64_t i, n;
	int *released;
};

static enum api_fill count_fill(struct jw *w, void *state)
{
	struct counter *c = state;

	for (int k = 0; k < 1000 && c->i < c->n; k++)
		jw_uint(w, c->i++);
	if (c->i < c->n)
		return API_FILL_MORE;
	jw_array_end(w);
	jw_object_end(w);
	return API_FILL_DONE;
}

static int released;

static void count_release(void *state)
{
	struct counter *c = state;

	(*c->released)++;
	free(c);
}

static int h_count(struct jw *w, const struct api_request *req, void *ctx)
{
	static const char *const keys[] = { "n", NULL };
	struct counter *c;
	uint64_t n = 3;
	int rc;

	(void)ctx;
	if ((rc = api_check_params(w, req, keys)) || (rc = api_param_uint(w, req, "n", 0, 10000000, &n)))
		return rc;
	c = calloc(1, sizeof(*c));
	c->n = n;
	c->released = &released;
	jw_object_begin(w);
	jw_key(w, "items");
	jw_array_begin(w);
	return api_stream(w, req, count_fill, count_release, c, NULL);
}

static int h_poke(struct jw *w, const struct api_request *req, void *ctx)
{
	(void)req;
	(void)ctx;
	jw_object_begin(w);
	jw_kv_bool(w, "poked", true);
	jw_object_end(w);
	return 200;
}

/* /flag?on=B: {"on":B}, absent false. */
static int h_flag(struct jw *w, const struct api_request *req, void *ctx)
{
	bool on = false;
	int rc;

	(void)ctx;
	if ((rc = api_param_bool(w, req, "on", &on)) != 0)
		return rc;
	jw_object_begin(w);
	jw_kv_bool(w, "on", on);
	jw_object_end(w);
	return 200;
}

static const struct api_route routes[] = {
	/* Y besides y: that reading a parameter takes its exact name */
	{ "/x", h_x, "echoes y", .params = API_PARAMS("y", "z", "Y") },
	{ "/bad", h_bad, "always 400", .params = API_PARAMS("vrf") },
	{ "/broken", h_broken, "unbalanced JSON" },
	{ "/count", h_count, "streams numbers", .params = API_PARAMS("n") },
	{ "/poke", h_poke, "a write route", true },
	{ "/events", h_events, "SSE", .params = API_PARAMS("since", "limit", "snapshot") },
	{ "/flag", h_flag, "a boolean parameter", .params = API_PARAMS("on") },
	{ "/local", h_poke, "a Unix-socket-only GET", .local = true },
};

static int tcp_fd(uint16_t port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port),
				   .sin_addr.s_addr = htonl(0x7f000001) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	cr_assert_eq(connect(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	return fd;
}

static void setup(void)
{
	api_fixture_setup(routes, sizeof(routes) / sizeof(routes[0]));
	released = 0;
}

TestSuite(api, .init = setup, .fini = api_fixture_teardown);

Test(api, get_with_query)
{
	const char *r = http("GET /x?y=1 HTTP/1.0\r\n\r\n");

	cr_assert(strncmp(r, "HTTP/1.0 200", 12) == 0 || strncmp(r, "HTTP/1.1 200", 12) == 0, "%s",
		  r);
	cr_assert_not_null(strstr(r, "Content-Type: application/json\r\n"), "%s", r);
	cr_assert_not_null(strstr(r, "Cache-Control: no-store\r\n"), "%s", r);
	cr_assert_str_eq(body_of(r), "{\"y\":\"1\",\"absent\":null}");
}

Test(api, query_is_decoded)
{
	const char *r = http("GET /x?y=a%20b&z=2 HTTP/1.0\r\n\r\n");

	cr_assert_str_eq(body_of(r), "{\"y\":\"a b\",\"absent\":null}");
}

/* %00 would end the decoded value early, a stray '%' would be read as it is: both 400 */
Test(api, query_escapes_checked)
{
	cr_assert_str_eq(body_of(http("GET /x?y=%41%42 HTTP/1.0\r\n\r\n")),
			 "{\"y\":\"AB\",\"absent\":null}");
	cr_assert_str_eq(body_of(http("GET /x?y=A%00B HTTP/1.0\r\n\r\n")),
			 "{\"error\":\"malformed query string: \\\"y=A%00B\\\": %00, a NUL byte, would "
			 "cut the name or value short (want no %00)\",\"status\":400}");
	cr_assert_str_eq(body_of(http("GET /x?y%00=1 HTTP/1.0\r\n\r\n")),
			 "{\"error\":\"malformed query string: \\\"y%00=1\\\": %00, a NUL byte, would "
			 "cut the name or value short (want no %00)\",\"status\":400}");
	cr_assert_str_eq(body_of(http("GET /x?y=%ZZ HTTP/1.0\r\n\r\n")),
			 "{\"error\":\"malformed query string: \\\"y=%ZZ\\\": '%' not followed by two "
			 "hex digits (want %XX)\",\"status\":400}");
	cr_assert_not_null(strstr(body_of(http("GET /x?z=1&y=%4 HTTP/1.0\r\n\r\n")),
				  "\\\"y=%4\\\": '%' not followed by two hex digits"));
	cr_assert_not_null(strstr(body_of(http("GET /x?y=1%&z=2 HTTP/1.0\r\n\r\n")),
				  "\\\"y=1%\\\": '%' not followed by two hex digits"));
}

/* "//x" is no path of ours (evhttp reads it as a host "x" and an empty path: GET /) */
Test(api, double_slash_is_404)
{
	const char *r = http("GET //x?y=1 HTTP/1.0\r\n\r\n");

	cr_assert_not_null(strstr(r, " 404 "), "%s", r);
	cr_assert_str_eq(body_of(r),
			 "{\"error\":\"no such path: //x (GET / lists them)\",\"status\":404}");
}

Test(api, unknown_path_404)
{
	const char *r = http("GET /nope HTTP/1.0\r\n\r\n");

	cr_assert_not_null(strstr(r, " 404 "), "%s", r);
	cr_assert_not_null(strstr(r, "Content-Type: application/json\r\n"), "%s", r);
	cr_assert_str_eq(body_of(r),
			 "{\"error\":\"no such path: /nope (GET / lists them)\",\"status\":404}");
}

/* A path that does not exist is 404 whatever the method, and before its query is read. */
Test(api, unknown_path_is_404_for_any_method)
{
	static const char *const reqs[] = {
		"POST /nope HTTP/1.0\r\nContent-Length: 0\r\n\r\n",
		"DELETE /nope HTTP/1.0\r\n\r\n",
		"GET /nope?x HTTP/1.0\r\n\r\n",
	};

	for (size_t i = 0; i < sizeof(reqs) / sizeof(reqs[0]); i++) {
		const char *r = http(reqs[i]);

		cr_assert_not_null(strstr(r, " 404 "), "%s: %s", reqs[i], r);
		cr_assert_null(strstr(r, "Allow:"), "%s: %s", reqs[i], r);
		cr_assert_str_eq(body_of(r), "{\"error\":\"no such path: /nope (GET / lists "
					     "them)\",\"status\":404}", "%s", reqs[i]);
	}
	/* a wrong method on GET / is still 405 */
	cr_assert_not_null(strstr(http("DELETE / HTTP/1.0\r\n\r\n"), " 405 "));
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
	cr_assert_not_null(strstr(r, "Allow: GET, HEAD\r\n"), "%s", r);
	cr_assert_str_eq(body_of(r), "{\"error\":\"method not allowed (want GET or HEAD)\","
				     "\"status\":405}");
}

/*
 * HEAD is GET's status and headers without a body, on one keep-alive
 * connection: the GET that follows each must come right after its head
 * (libevent 2.1 wrote the body of a HEAD's reply, which the client read as
 * the start of the next one). A streamed GET's HEAD runs no stream.
 */
Test(api, head_is_get_without_its_body)
{
	static const struct {
		const char *path, *status, *length;
	} heads[] = {
		{ "/x?y=1", " 200 ", "Content-Length: 23\r\n" }, /* {"y":"1","absent":null} */
		{ "/nope", " 404 ", NULL },
		{ "/x?q=1", " 400 ", NULL },
		{ "/count?n=100000", " 200 ", NULL },
		{ "/events", " 200 ", NULL },
		{ "/poke", " 405 ", NULL },
	};
	char req[256];

	for (size_t i = 0; i < sizeof(heads) / sizeof(heads[0]); i++) {
		const char *r, *next;

		snprintf(req, sizeof(req), "HEAD %s HTTP/1.1\r\nHost: t\r\n\r\n"
			 "GET /x?y=2 HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", heads[i].path);
		r = http(req);
		cr_assert(strncmp(r, "HTTP/1.1", 8) == 0 && strstr(r, heads[i].status) == r + 8,
			  "%s: %.200s", heads[i].path, r);
		if (heads[i].length != NULL)
			cr_assert_not_null(strstr(r, heads[i].length), "%s: %.300s", heads[i].path, r);
		next = strstr(r, "\r\n\r\n");
		cr_assert_not_null(next);
		cr_assert(strncmp(next + 4, "HTTP/1.1 200 ", 13) == 0,
			  "HEAD %s: a body came before the next reply: %.300s", heads[i].path, next + 4);
		cr_assert_str_eq(body_of(next + 4), "{\"y\":\"2\",\"absent\":null}");
	}
	cr_assert_eq(released, 1, "the stream of /count's HEAD was released, never run");
	cr_assert_eq(api_events_clients(events), 0, "HEAD /events leaves no client behind");
}

Test(api, root_lists_routes)
{
	const char *r = http("GET / HTTP/1.0\r\n\r\n");

	cr_assert_str_eq(body_of(r),
			 "{\"routes\":[{\"path\":\"/x\",\"summary\":\"echoes y\",\"params\":[\"y\",\"z\",\"Y\"]},"
			 "{\"path\":\"/bad\",\"summary\":\"always 400\",\"params\":[\"vrf\"]},"
			 "{\"path\":\"/broken\",\"summary\":\"unbalanced JSON\",\"params\":[]},"
			 "{\"path\":\"/count\",\"summary\":\"streams numbers\",\"params\":[\"n\"]},"
			 "{\"path\":\"/poke\",\"summary\":\"a write route\",\"method\":\"POST\","
			 "\"params\":[]},"
			 "{\"path\":\"/events\",\"summary\":\"SSE\",\"params\":[\"since\",\"limit\","
			 "\"snapshot\"]},"
			 "{\"path\":\"/flag\",\"summary\":\"a boolean parameter\",\"params\":[\"on\"]},"
			 "{\"path\":\"/local\",\"summary\":\"a Unix-socket-only GET\","
			 "\"unix_only\":true,\"params\":[]}]}");
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

Test(api, long_uri_is_414_json)
{
	static char req[6000];
	const char *r;

	snprintf(req, sizeof(req), "GET /x?y=%0*d HTTP/1.0\r\n\r\n", 4500, 0);
	r = http(req);
	cr_assert_not_null(strstr(r, " 414 "), "%.200s", r);
	cr_assert_not_null(strstr(body_of(r), "\"status\":414"), "%s", body_of(r));
}

Test(api, big_headers_are_431_json)
{
	static char req[16384];
	const char *r;

	snprintf(req, sizeof(req), "GET /x HTTP/1.0\r\nX-A: %0*d\r\n\r\n", 9000, 0);
	r = http(req);
	cr_assert_not_null(strstr(r, " 431 "), "%.200s", r);
	cr_assert_not_null(strstr(body_of(r), "\"status\":431"));
}

/* Bodies between ferry's limit and evhttp's get ferry's JSON 413, not evhttp's HTML. */
Test(api, big_body_is_413_json)
{
	static char req[8192];
	const char *r;
	int n = snprintf(req, sizeof(req), "POST /poke HTTP/1.0\r\nContent-Length: 5000\r\n\r\n");

	memset(req + n, 'b', 5000);
	req[n + 5000] = '\0';
	r = http(req);
	cr_assert_not_null(strstr(r, " 413 "), "%.200s", r);
	cr_assert_not_null(strstr(r, "Content-Type: application/json"), "%.300s", r);
	cr_assert_not_null(strstr(body_of(r), "request body of 5000 bytes is too large"), "%s",
			   body_of(r));
}

/* TRACE and CONNECT are ours to refuse (JSON 405), not evhttp's (HTML 501). */
Test(api, trace_method_is_405_json)
{
	const char *r = http("TRACE /x HTTP/1.0\r\n\r\n");

	cr_assert_not_null(strstr(r, " 405 "), "%.200s", r);
	cr_assert_not_null(strstr(body_of(r), "\"status\":405"), "%s", body_of(r));
}

/* What libevent 2.1 refuses itself, in HTML, is rewritten into JSON before it is sent. */
static void check_json_refusal(const char *r, int status, const char *why)
{
	char st[32];

	snprintf(st, sizeof(st), " %d ", status);
	cr_assert_not_null(strstr(r, st), "%.300s", r);
	cr_assert_null(strstr(r, "text/html"), "%.300s", r);
	cr_assert_null(strstr(r, "<HTML>"), "%.300s", r);
	cr_assert_not_null(strstr(r, "Content-Type: application/json\r\n"), "%.300s", r);
	snprintf(st, sizeof(st), "\"status\":%d}", status);
	cr_assert_not_null(strstr(body_of(r), st), "%s", body_of(r));
	cr_assert_not_null(strstr(body_of(r), why), "%s", body_of(r));
}

Test(api, malformed_request_line_is_400_json)
{
	check_json_refusal(http("GARBAGE\r\n\r\n"), 400, "malformed request");
	check_json_refusal(http("GET /x HTTP/1.0\r\nno colon here\r\n\r\n"), 400,
			   "malformed request");
}

Test(api, headers_over_evhttp_limit_are_400_json)
{
	static char req[80000];

	snprintf(req, sizeof(req), "GET /x HTTP/1.0\r\nX-A: %0*d\r\n\r\n", 70000, 0);
	check_json_refusal(http(req), 400, "over 64 KiB"); /* evhttp 2.1 says 400, not 413 */
}

Test(api, request_line_over_evhttp_limit_is_400_json)
{
	static char req[80000];

	snprintf(req, sizeof(req), "GET /x?y=%0*d HTTP/1.0\r\n\r\n", 70000, 0);
	check_json_refusal(http(req), 400, "over 64 KiB");
}

/*
 * Sends len bytes on fd without blocking, running the server's loop while the
 * socket is full: 0, or -1 with errno when the server closed on us.
 */
static int send_pumping(int fd, const char *p, size_t len)
{
	for (int i = 0; len > 0 && i < 100000; i++) {
		ssize_t n = send(fd, p, len, MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n > 0) {
			p += n;
			len -= (size_t)n;
		} else if (errno == EAGAIN || errno == EWOULDBLOCK) {
			event_base_loop(base, EVLOOP_NONBLOCK);
		} else {
			return -1;
		}
	}
	return len == 0 ? 0 : -1;
}

/*
 * A body over evhttp's limit, sent as a client sends it: headers first, the
 * body after the server has judged them. The server reads the body to its
 * end before it answers and closes (a lingering close): had it closed on
 * reading the headers, the client's next write would fail (EPIPE here, a
 * reset over TCP) before it read the 413, as curl did now and then in
 * tests/integration/test_api.sh.
 */
Test(api, body_over_evhttp_limit_is_read_then_413_json)
{
	static char body[100000];
	const char *head = "POST /poke HTTP/1.0\r\nContent-Length: 100000\r\n\r\n";
	int fd = unix_fd();

	cr_assert_eq(write(fd, head, strlen(head)), (ssize_t)strlen(head));
	for (int i = 0; i < 50; i++) /* the server reads the headers and judges them */
		event_base_loop(base, EVLOOP_NONBLOCK);
	memset(body, 'b', sizeof(body));
	cr_assert_eq(send_pumping(fd, body, sizeof(body)), 0,
		     "the server closed while the body was being sent: %s", strerror(errno));
	check_json_refusal(http_response(fd), 413, "over 64 KiB");
}

Test(api, unknown_expect_is_417_json)
{
	check_json_refusal(http("POST /poke HTTP/1.1\r\nHost: x\r\nExpect: magic\r\n"
				"Content-Length: 3\r\n\r\n"),
			   417, "Expect");
}

/* A refusal over TCP after a kept-alive reply: only the refusal is rewritten. */
Test(api, refusal_after_a_reply_on_the_same_connection)
{
	const char *r;

	cr_assert_eq(api_server_listen_tcp(srv, &(struct api_listen){ 0x7f000001, 0, NULL, NULL,
								      NULL }),
		     0);
	r = http_fd(tcp_fd(api_server_port(srv)),
		    "GET /x?y=1 HTTP/1.1\r\nHost: x\r\n\r\nGARBAGE\r\n\r\n");
	cr_assert_not_null(strstr(r, "{\"y\":\"1\",\"absent\":null}"), "%.400s", r);
	cr_assert_null(strstr(r, "<HTML>"), "%.400s", r);
	cr_assert_not_null(strstr(r, "\"status\":400}"), "%.400s", r);
}

Test(api, params_unknown_repeated_and_bad_numbers)
{
	cr_assert_str_eq(body_of(http("GET /count?m=1 HTTP/1.0\r\n\r\n")),
			 "{\"error\":\"unknown parameter \\\"m\\\" (want n)\",\"status\":400,\"param\":\"m\"}");
	cr_assert_str_eq(body_of(http("GET /count?n=1&n=2 HTTP/1.0\r\n\r\n")),
			 "{\"error\":\"parameter \\\"n\\\" given twice (want it once)\","
			 "\"status\":400,\"param\":\"n\"}");
	cr_assert_str_eq(body_of(http("GET /count?n=-1 HTTP/1.0\r\n\r\n")),
			 "{\"error\":\"n: \\\"-1\\\" is not an integer 0..10000000\",\"status\":400,\"param\":\"n\"}");
	cr_assert_not_null(strstr(http("GET /count?n=99999999999 HTTP/1.0\r\n\r\n"), " 400 "));
}

/* One spelling of booleans on every endpoint: true/false and 1/0, nothing else. */
Test(api, bool_params_take_true_false_1_0)
{
	static const char *const yes[] = { "true", "1" }, *const no[] = { "false", "0" };
	char req[64];

	for (size_t i = 0; i < 2; i++) {
		snprintf(req, sizeof(req), "GET /flag?on=%s HTTP/1.0\r\n\r\n", yes[i]);
		cr_assert_str_eq(body_of(http(req)), "{\"on\":true}", "%s", yes[i]);
		snprintf(req, sizeof(req), "GET /flag?on=%s HTTP/1.0\r\n\r\n", no[i]);
		cr_assert_str_eq(body_of(http(req)), "{\"on\":false}", "%s", no[i]);
	}
	cr_assert_str_eq(body_of(http("GET /flag HTTP/1.0\r\n\r\n")), "{\"on\":false}");
	cr_assert_str_eq(body_of(http("GET /flag?on=yes HTTP/1.0\r\n\r\n")),
			 "{\"error\":\"on: \\\"yes\\\" is not a boolean (want true, false, 1 or 0)\","
			 "\"status\":400,\"param\":\"on\"}");
	cr_assert_not_null(strstr(http("GET /flag?on=TRUE HTTP/1.0\r\n\r\n"), " 400 "));
	cr_assert_not_null(strstr(http("GET /flag?on= HTTP/1.0\r\n\r\n"), " 400 "));
}

Test(api, param_names_are_exact_and_malformed_pieces_named)
{
	/* evhttp_find_header ignores case; api_query_get does not */
	cr_assert_str_eq(body_of(http("GET /x?Y=1 HTTP/1.0\r\n\r\n")), "{\"y\":null,\"absent\":null}");
	cr_assert_str_eq(body_of(http("GET /count?N=1 HTTP/1.0\r\n\r\n")),
			 "{\"error\":\"unknown parameter \\\"N\\\" (want n)\",\"status\":400,\"param\":\"N\"}");
	cr_assert_str_eq(body_of(http("GET /count?x HTTP/1.0\r\n\r\n")),
			 "{\"error\":\"malformed query string: \\\"x\\\" is not NAME=VALUE (want "
			 "?name=value&name=value)\",\"status\":400}");
	cr_assert_not_null(strstr(body_of(http("GET /count?n=1&&n=2 HTTP/1.0\r\n\r\n")),
				  "malformed query string: \\\"\\\" is not NAME=VALUE"));
	cr_assert_not_null(strstr(body_of(http("GET /count?=1 HTTP/1.0\r\n\r\n")),
				  "malformed query string: \\\"=1\\\" is not NAME=VALUE"));
	cr_assert_str_eq(body_of(http("GET /count?n=2& HTTP/1.0\r\n\r\n")), "{\"items\":[0,1]}");
	/* a route's parameters are checked before its handler runs, which need not check them */
	cr_assert_str_eq(body_of(http("GET /x?q=1 HTTP/1.0\r\n\r\n")),
			 "{\"error\":\"unknown parameter \\\"q\\\" (want y, z, Y)\",\"status\":400,\"param\":\"q\"}");
	cr_assert_str_eq(body_of(http("GET /broken?q=1 HTTP/1.0\r\n\r\n")),
			 "{\"error\":\"unknown parameter \\\"q\\\" (want none)\",\"status\":400,\"param\":\"q\"}");
	/* GET / takes none */
	cr_assert_str_eq(body_of(http("GET /?x=1 HTTP/1.0\r\n\r\n")),
			 "{\"error\":\"unknown parameter \\\"x\\\" (want none)\",\"status\":400,\"param\":\"x\"}");
}

Test(api, write_route_is_403_until_allowed)
{
	const char *r = http("POST /poke HTTP/1.0\r\nContent-Length: 0\r\n\r\n");

	cr_assert_not_null(strstr(r, " 403 "), "%s", r);
	cr_assert_not_null(strstr(body_of(r), "read-only API"), "%s", body_of(r));
	cr_assert_not_null(strstr(http("GET /poke HTTP/1.0\r\n\r\n"), " 405 "));
	api_server_set_writable(srv, true);
	r = http("POST /poke HTTP/1.0\r\nContent-Length: 0\r\n\r\n");
	cr_assert_str_eq(body_of(r), "{\"poked\":true}");
}

Test(api, tcp_listener_with_token)
{
	char tok[256];
	struct api_listen l = { 0x7f000001, 0, NULL, NULL, tok };
	uint16_t port;
	FILE *f;
	const char *r;

	snprintf(tok, sizeof(tok), "%s/token", dir);
	f = fopen(tok, "w");
	fputs("s3cret-token\n", f);
	fclose(f);
	cr_assert_eq(api_server_listen_tcp(srv, &l), 0);
	port = api_server_port(srv);
	cr_assert_neq(port, 0);
	r = http_fd(tcp_fd(port), "GET /x?y=1 HTTP/1.0\r\n\r\n");
	cr_assert_not_null(strstr(r, " 401 "), "%s", r);
	cr_assert_not_null(strstr(r, "WWW-Authenticate: Bearer"), "%s", r);
	r = http_fd(tcp_fd(port), "GET /x?y=1 HTTP/1.0\r\nAuthorization: Bearer s3cret\r\n\r\n");
	cr_assert_not_null(strstr(body_of(r), "wrong token"), "%s", r);
	r = http_fd(tcp_fd(port),
		    "GET /x?y=1 HTTP/1.0\r\nAuthorization: Bearer s3cret-token\r\n\r\n");
	cr_assert_str_eq(body_of(r), "{\"y\":\"1\",\"absent\":null}");
	/* write routes never on TCP, even when allowed */
	api_server_set_writable(srv, true);
	r = http_fd(tcp_fd(port), "POST /poke HTTP/1.0\r\nAuthorization: Bearer s3cret-token\r\n"
				  "Content-Length: 0\r\n\r\n");
	cr_assert_not_null(strstr(r, " 403 "), "%s", r);
	/* a local route neither (it reads what TCP must not see), token or not */
	r = http_fd(tcp_fd(port), "GET /local HTTP/1.0\r\nAuthorization: Bearer s3cret-token\r\n\r\n");
	cr_assert_not_null(strstr(r, " 403 "), "%s", r);
	cr_assert_str_eq(body_of(r), "{\"error\":\"/local reads the config file: only allowed on "
				     "the Unix socket\",\"status\":403}");
	cr_assert_str_eq(body_of(http("GET /local HTTP/1.0\r\n\r\n")), "{\"poked\":true}");
	cr_assert_not_null(strstr(http("POST /local HTTP/1.0\r\nContent-Length: 0\r\n\r\n"),
				  " 405 "));
	/* the Unix socket needs no token */
	cr_assert_str_eq(body_of(http("GET /x?y=1 HTTP/1.0\r\n\r\n")), "{\"y\":\"1\",\"absent\":null}");
	unlink(tok);
}

Test(api, tcp_port_busy_is_an_error)
{
	struct api_listen l = { 0x7f000001, 0, NULL, NULL, NULL };

	cr_assert_eq(api_server_listen_tcp(srv, &l), 0);
	l.port = api_server_port(srv);
	cr_assert_lt(api_server_listen_tcp(srv, &l), 0);
}

/* The body of an HTTP/1.1 chunked response, de-chunked. */
static char *dechunk(const char *body)
{
	char *out = malloc(strlen(body) + 1), *end;
	size_t n = 0;
	unsigned long sz;

	for (;;) {
		sz = strtoul(body, &end, 16);
		cr_assert(end != body, "chunk size expected: %.40s", body);
		body = strstr(end, "\r\n") + 2;
		if (sz == 0)
			break;
		memcpy(out + n, body, sz);
		n += sz;
		body += sz + 2;
	}
	out[n] = '\0';
	return out;
}

static void check_items(const char *json, unsigned n)
{
	char *expect = malloc(16 * n + 32);
	size_t k = (size_t)sprintf(expect, "{\"items\":[");

	for (unsigned i = 0; i < n; i++)
		k += (size_t)sprintf(expect + k, "%s%u", i ? "," : "", i);
	sprintf(expect + k, "]}");
	cr_assert(strcmp(json, expect) == 0, "streamed body differs (%zu vs %zu bytes)",
		  strlen(json), strlen(expect));
	free(expect);
}

Test(api, stream_http10)
{
	const char *r = http("GET /count?n=50000 HTTP/1.0\r\n\r\n");

	cr_assert(strncmp(r, "HTTP/1.", 7) == 0 && strstr(r, " 200 "), "%.100s", r);
	check_items(body_of(r), 50000);
	cr_assert_eq(released, 1);
}

Test(api, stream_chunked_http11)
{
	const char *r = http("GET /count?n=30000 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
	char *b;

	cr_assert_not_null(strstr(r, "Transfer-Encoding: chunked"), "%.300s", r);
	b = dechunk(body_of(r));
	check_items(b, 30000);
	free(b);
	cr_assert_eq(released, 1);
}

Test(api, stream_inline_without_http)
{
	struct evbuffer *b = evbuffer_new();
	struct evkeyvalq q;
	struct api_request req = { "/count", &q, NULL };
	struct jw w;
	char out[64];
	size_t n;

	TAILQ_INIT(&q);
	evhttp_parse_query_str("n=3", &q);
	jw_init(&w, b);
	cr_assert_eq(h_count(&w, &req, NULL), 200);
	jw_flush(&w);
	n = evbuffer_copyout(b, out, sizeof(out) - 1);
	out[n] = '\0';
	cr_assert_str_eq(out, "{\"items\":[0,1,2]}");
	cr_assert_eq(released, 1);
	evhttp_clear_headers(&q);
	evbuffer_free(b);
}

Test(api, client_gone_mid_stream_releases)
{
	int fd = unix_fd();
	char buf[4096];
	const char *req = "GET /count?n=5000000 HTTP/1.0\r\n\r\n";

	cr_assert_eq(write(fd, req, strlen(req)), (ssize_t)strlen(req));
	/* let the stream start, read a little, then hang up */
	for (int i = 0; i < 50; i++)
		event_base_loop(base, EVLOOP_NONBLOCK);
	cr_assert_gt(read(fd, buf, sizeof(buf)), 0);
	close(fd);
	run_until(&released, 1, 5000);
	cr_assert_eq(released, 1, "stream state released after the client left");
}

static int read_some(int fd, char *buf, size_t len)
{
	struct timeval tv = { 0, 0 };
	int got = 0;

	for (int i = 0; i < 2000 && got == 0; i++) {
		ssize_t n;

		event_base_loop(base, EVLOOP_NONBLOCK);
		n = recv(fd, buf, len - 1, MSG_DONTWAIT);
		if (n > 0) {
			buf[n] = '\0';
			got = (int)n;
		} else {
			tv.tv_usec = 1000;
			select(0, NULL, NULL, NULL, &tv);
		}
	}
	return got;
}

Test(api, connection_limit_503)
{
	int fds[64];
	char buf[4096];
	const char *r;

	for (int i = 0; i < 64; i++) {
		const char *req = "GET /x?y=k HTTP/1.1\r\nHost: a\r\n\r\n";

		fds[i] = unix_fd();
		cr_assert_eq(write(fds[i], req, strlen(req)), (ssize_t)strlen(req));
		cr_assert_gt(read_some(fds[i], buf, sizeof(buf)), 0, "answer %d", i);
		cr_assert_not_null(strstr(buf, " 200 "), "%s", buf);
	}
	r = http("GET /x?y=1 HTTP/1.0\r\n\r\n");
	cr_assert_not_null(strstr(r, " 503 "), "%s", r);
	cr_assert_not_null(strstr(body_of(r), "too many connections"));
	close(fds[0]);
	/* the server notices the close when it next reads: then there is room again */
	for (int i = 0; i < 200; i++)
		event_base_loop(base, EVLOOP_NONBLOCK);
	r = http("GET /x?y=1 HTTP/1.0\r\n\r\n");
	cr_assert_not_null(strstr(r, " 200 "), "%s", r);
	for (int i = 1; i < 64; i++)
		close(fds[i]);
}
