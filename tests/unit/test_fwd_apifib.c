/*
 * fwd's GET /fib streamed (fwd/api_fib.c), through a real API server on a
 * Unix socket: a FIB of 40 000 routes (~7 MB of JSON, many chunks) comes
 * whole and in order; routes removed while the answer is being sent are
 * left out, which only a reply written a chunk at a time with the event
 * loop running in between can do (the whole reply at once had them all).
 * Paged (?limit=N&after=VRF:PREFIX, as vrfmgr's /routes), every route that
 * exists throughout is seen once while routes come and go between pages.
 */
#include <criterion/criterion.h>
#include <json-c/json.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <event2/event.h>

#include "common/api.h"
#include "common/log.h"
#include "fwd/fwd_api.h"
#include "test_fwd_util.h"

#define N_A 40000 /* routes in VRF A: 10.0.0.0/32 upwards */
#define N_CUT 1000 /* A's last routes, removed once the answer has begun */

static struct fwd *f;
static struct event_base *base;
static struct api_server *srv;
static char dir[64], sock[128];

static void fib_route(uint16_t type, uint32_t vrf_id, uint32_t prefix, uint8_t plen,
		      uint32_t label)
{
	struct ipc_fib_entry r = { .vrf_id = vrf_id, .prefix = prefix, .plen = plen, .nh_id = 2,
				   .inner_label = label };

	t_apply(f, type, &r, sizeof(r));
}

static void setup(void)
{
	struct fwd_hooks h = { .output = t_out_discard };
	struct ipc_nexthop nh = { .nh_id = 2, .type = IPC_NH_LABELED, .gateway = t_ip(10, 9, 0, 2),
				  .out_label = 16, .ifname = "core0" };

	log_init("test_fwd_apifib", LOG_LVL_ERR);
	signal(SIGPIPE, SIG_IGN);
	f = fwd_new(&h, 0);
	t_vrf_add(f, 1, "A");
	t_vrf_add(f, 2, "B");
	t_apply(f, IPC_NH_ADD, &nh, sizeof(nh));
	/* added in reverse: the answer's order is the walk's, not the order of arrival */
	for (uint32_t i = N_A; i-- > 0;)
		fib_route(IPC_FIB_ADD, 1, t_ip(10, 0, 0, 0) + i, 32, 1000 + i % 1000);
	fib_route(IPC_FIB_ADD, 2, t_ip(192, 168, 0, 0), 16, 201);
	snprintf(dir, sizeof(dir), "/tmp/ferry-fib-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(sock, sizeof(sock), "%s/fwd.sock", dir);
	base = event_base_new();
	srv = api_server_start(base, sock, fwd_api_routes, fwd_api_n_routes, f);
	cr_assert_not_null(srv);
}

static void teardown(void)
{
	api_server_free(srv);
	event_base_free(base);
	fwd_free(f);
	unlink(sock);
	rmdir(dir);
}

TestSuite(apifib, .init = setup, .fini = teardown);

struct client {
	char *resp;
	size_t n, cap;
	bool done, first; /* the server closed; something arrived */
};

static void client_read(evutil_socket_t fd, short what, void *arg)
{
	struct client *c = arg;
	ssize_t r;

	(void)what;
	if (c->cap - c->n < 65536) {
		c->cap = c->cap * 2 + 65536;
		cr_assert_not_null(c->resp = realloc(c->resp, c->cap));
	}
	r = read(fd, c->resp + c->n, c->cap - c->n - 1);
	if (r > 0) {
		c->n += (size_t)r;
		c->first = true;
		return;
	}
	c->done = true;
}

static void stop_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	event_base_loopbreak(base);
}

/* Runs the loop until *flag is set, at most ms. */
static void run_until(const bool *flag, int ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };
	struct event *t = evtimer_new(base, stop_cb, NULL);

	evtimer_add(t, &tv);
	while (!*flag && evtimer_pending(t, NULL))
		event_base_loop(base, EVLOOP_ONCE);
	event_free(t);
}

/*
 * GET path over HTTP/1.0; between_first (if any) runs once the first bytes
 * arrived. The body, parsed; the status in *status.
 */
static json_object *get_status(const char *path, void (*between_first)(void), int *status)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct client c = { 0 };
	char req[128];
	struct event *ev;
	const char *body;
	json_object *j;
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	strcpy(sun.sun_path, sock);
	cr_assert_eq(connect(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	snprintf(req, sizeof(req), "GET %s HTTP/1.0\r\n\r\n", path);
	cr_assert_eq(write(fd, req, strlen(req)), (ssize_t)strlen(req));
	ev = event_new(base, fd, EV_READ | EV_PERSIST, client_read, &c);
	event_add(ev, NULL);
	run_until(&c.first, 10000);
	cr_assert(c.first, "nothing within 10 s");
	if (between_first != NULL)
		between_first();
	run_until(&c.done, 10000);
	event_free(ev);
	close(fd);
	cr_assert(c.done, "no complete answer within 10 s");
	c.resp[c.n] = '\0';
	cr_assert_eq(sscanf(c.resp, "HTTP/1.%*d %d", status), 1, "%.200s", c.resp);
	body = strstr(c.resp, "\r\n\r\n");
	cr_assert_not_null(body);
	j = json_tokener_parse(body + 4);
	cr_assert_not_null(j, "the answer is whole JSON (%zu bytes)", c.n);
	free(c.resp);
	return j;
}

/* The same, wanting 200. */
static json_object *get_fib(const char *path, void (*between_first)(void))
{
	int status;
	json_object *j = get_status(path, between_first, &status);

	cr_assert_eq(status, 200, "%s: %s", path, json_object_to_json_string(j));
	return j;
}

static const char *str(json_object *o, const char *k)
{
	json_object *v = NULL;

	cr_assert(json_object_object_get_ex(o, k, &v), "%s", k);
	return json_object_get_string(v);
}

/* Entry i of VRF A is 10.0.0.0 + i /32, inner label 1000 + i % 1000. */
static void check_a(json_object *fib, size_t n)
{
	char want[32];

	for (size_t i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(fib, i), *l = NULL;

		snprintf(want, sizeof(want), "10.0.%zu.%zu/32", i / 256, i % 256);
		cr_assert_str_eq(str(e, "vrf"), "A");
		cr_assert_str_eq(str(e, "prefix"), want, "entry %zu", i);
		cr_assert(json_object_object_get_ex(e, "inner_label", &l));
		cr_assert_eq(json_object_get_int(l), 1000 + (int)(i % 1000));
	}
}

Test(apifib, whole_and_in_order)
{
	json_object *j = get_fib("/fib", NULL), *fib = json_object_object_get(j, "fib");

	cr_assert_eq(json_object_array_length(fib), N_A + 1);
	check_a(fib, N_A);
	cr_assert_str_eq(str(json_object_array_get_idx(fib, N_A), "prefix"), "192.168.0.0/16");
	cr_assert_str_eq(str(json_object_array_get_idx(fib, N_A), "vrf"), "B");
	cr_assert_null(json_object_object_get(j, "next"), "unpaged: next is there, null");
	cr_assert(json_object_object_get_ex(j, "next", NULL));
	cr_assert_eq(json_object_get_int(json_object_object_get(j, "prefixes")), N_A + 1,
		     "it says how many it holds, as vrfmgr's /routes does");
	json_object_put(j);

	j = get_fib("/fib?vrf=B", NULL);
	fib = json_object_object_get(j, "fib");
	cr_assert_eq(json_object_array_length(fib), 1);
	cr_assert_eq(json_object_get_int(json_object_object_get(j, "prefixes")), 1);
	json_object_put(j);

	j = get_fib("/fib?limit=7", NULL);
	cr_assert_eq(json_object_get_int(json_object_object_get(j, "prefixes")), 7);
	json_object_put(j);
}

/* What vrfmgr might send while a client reads: A's last routes and all of B go. */
static void cut(void)
{
	for (uint32_t i = N_A - N_CUT; i < N_A; i++)
		fib_route(IPC_FIB_DEL, 1, t_ip(10, 0, 0, 0) + i, 32, 0);
	fib_route(IPC_FIB_DEL, 2, t_ip(192, 168, 0, 0), 16, 0);
}

Test(apifib, routes_removed_while_sent_are_left_out)
{
	json_object *j = get_fib("/fib", cut), *fib = json_object_object_get(j, "fib");

	cr_assert_eq(json_object_array_length(fib), N_A - N_CUT,
		     "the answer had been written whole before the routes went: %zu entries",
		     json_object_array_length(fib));
	check_a(fib, N_A - N_CUT);
	json_object_put(j);
}

Test(apifib, empty_vrf)
{
	json_object *j;

	fib_route(IPC_FIB_DEL, 2, t_ip(192, 168, 0, 0), 16, 0);
	j = get_fib("/fib?vrf=B", NULL);
	cr_assert_eq(json_object_array_length(json_object_object_get(j, "fib")), 0);
	json_object_put(j);
}

/* The index i of A's route 10.0.0.0 + i /32 in an entry, or -1 for another route. */
static int a_index(json_object *e)
{
	unsigned x, y;
	char tail;

	if (strcmp(str(e, "vrf"), "A") != 0 ||
	    sscanf(str(e, "prefix"), "10.0.%u.%u/32%c", &x, &y, &tail) != 2)
		return -1;
	return (int)(x * 256 + y);
}

/* The answer's "next" (NULL when null), copied into buf. */
static const char *next_of(json_object *j, char *buf, size_t len)
{
	json_object *n = NULL;

	cr_assert(json_object_object_get_ex(j, "next", &n), "next is always there");
	if (n == NULL)
		return NULL;
	snprintf(buf, len, "%s", json_object_get_string(n));
	return buf;
}

/*
 * Pages of 997 while, between pages, a route just ahead goes, one already
 * seen goes, and one comes behind the position: each route that was there
 * throughout is seen exactly once, the one removed ahead never, the one
 * added behind never, one added ahead once.
 */
Test(apifib, pages_see_every_route_once_while_routes_come_and_go)
{
	static uint8_t seen[N_A], gone[N_A];
	char path[128] = "/fib?limit=997", next[64];
	size_t pages = 0, others = 0;
	int last = -1;

	for (;;) {
		json_object *j = get_fib(path, NULL), *fib = json_object_object_get(j, "fib");

		cr_assert_leq(json_object_array_length(fib), 997);
		for (size_t i = 0; i < json_object_array_length(fib); i++) {
			int k = a_index(json_object_array_get_idx(fib, i));

			if (k < 0) {
				others++;
				continue;
			}
			cr_assert(!gone[k] && k > last, "A %d: removed, or out of order after %d", k, last);
			seen[k]++;
			last = k;
		}
		pages++;
		if (next_of(j, next, sizeof(next)) == NULL) {
			json_object_put(j);
			break;
		}
		json_object_put(j);
		snprintf(path, sizeof(path), "/fib?limit=997&after=%s", next);
		if (last + 5 < N_A) {
			fib_route(IPC_FIB_DEL, 1, t_ip(10, 0, 0, 0) + (uint32_t)last + 5, 32, 0);
			gone[last + 5] = 1;
		}
		if (last >= 5)
			fib_route(IPC_FIB_DEL, 1, t_ip(10, 0, 0, 0) + (uint32_t)last - 5, 32, 0);
		/* 10.0.0.0/8..27 sort before 10.0.0.0/32: behind the position */
		fib_route(IPC_FIB_ADD, 1, t_ip(10, 0, 0, 0), (uint8_t)(8 + pages % 20), 7);
		if (pages == 1)
			fib_route(IPC_FIB_ADD, 1, t_ip(10, 200, 0, 0), 16, 7); /* ahead */
	}
	for (int k = 0; k < N_A; k++)
		cr_assert_eq(seen[k], gone[k] ? 0 : 1, "A %d seen %u times", k, seen[k]);
	cr_assert_eq(others, 2, "B's route and 10.200.0.0/16, once each: %zu", others);
	cr_assert_eq(pages, 41, "%zu pages", pages);
}

/* next is null when nothing follows a full page, and one page more is B's route alone. */
Test(apifib, next_only_when_a_route_follows)
{
	char next[64];
	json_object *j = get_fib("/fib?limit=40001", NULL);

	cr_assert_eq(json_object_array_length(json_object_object_get(j, "fib")), N_A + 1);
	cr_assert_null(next_of(j, next, sizeof(next)), "the page took everything");
	json_object_put(j);
	j = get_fib("/fib?limit=40000", NULL);
	cr_assert_str_eq(next_of(j, next, sizeof(next)), "A:10.0.156.63/32");
	json_object_put(j);
	j = get_fib("/fib?limit=40000&after=A:10.0.156.63/32", NULL);
	cr_assert_eq(json_object_array_length(json_object_object_get(j, "fib")), 1);
	cr_assert_str_eq(str(json_object_array_get_idx(json_object_object_get(j, "fib"), 0), "vrf"),
			 "B");
	cr_assert_null(next_of(j, next, sizeof(next)));
	json_object_put(j);
	j = get_fib("/fib?vrf=A&limit=40000", NULL);
	cr_assert_null(next_of(j, next, sizeof(next)), "?vrf=A: B's route is not A's next");
	json_object_put(j);
	j = get_fib("/fib?vrf=A&limit=2&after=A:10.0.0.0/32", NULL);
	cr_assert_eq(a_index(json_object_array_get_idx(json_object_object_get(j, "fib"), 0)), 1);
	cr_assert_str_eq(next_of(j, next, sizeof(next)), "A:10.0.0.2/32");
	json_object_put(j);
}

/* A bad limit or after is a 400 naming it, with vrfmgr's /routes words. */
Test(apifib, bad_paging_parameters)
{
	static const struct {
		const char *path, *param, *error;
	} bad[] = {
		{ "/fib?limit=0", "limit", "limit: \"0\" is not an integer 1..1000000000" },
		{ "/fib?limit=1000000001", "limit", "limit: \"1000000001\" is not an integer" },
		{ "/fib?limit=-1", "limit", "is not an integer" },
		{ "/fib?limit=5x", "limit", "is not an integer" },
		{ "/fib?after=A", "after", "after: \"A\" is not VRF:PREFIX (want a previous answer's" },
		{ "/fib?after=A:10.0.0.0/33", "after", "is not VRF:PREFIX" },
		{ "/fib?after=:10.0.0.0/32", "after", "is not VRF:PREFIX" },
		{ "/fib?after=Z:10.0.0.0/32", "after", "after: no VRF \"Z\"" },
		{ "/fib?vrf=B&after=A:10.0.0.0/32", "after", "(or not the one of ?vrf=)" },
		{ "/fib?limit=1&limit=2", "limit", "given twice" },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int status;
		json_object *j = get_status(bad[i].path, NULL, &status);

		cr_assert_eq(status, 400, "%s: %d", bad[i].path, status);
		cr_assert_str_eq(str(j, "param"), bad[i].param, "%s", bad[i].path);
		cr_assert_not_null(strstr(str(j, "error"), bad[i].error), "%s: %s", bad[i].path,
				   str(j, "error"));
		json_object_put(j);
	}
}

/* The prefixes of an answer's entries, "VRF:PREFIX" joined by spaces, and its "next". */
static void fib_said(const char *path, char *got, size_t len, char *next, size_t nlen)
{
	json_object *j = get_fib(path, NULL), *fib = json_object_object_get(j, "fib");

	got[0] = '\0';
	for (size_t i = 0; i < json_object_array_length(fib); i++) {
		json_object *e = json_object_array_get_idx(fib, i);

		snprintf(got + strlen(got), len - strlen(got), "%s%s:%s", i ? " " : "",
			 str(e, "vrf"), str(e, "prefix"));
	}
	if (next_of(j, next, nlen) == NULL)
		snprintf(next, nlen, "null");
	json_object_put(j);
}

/*
 * ?prefix=P&match= as vrfmgr's /routes has it: one prefix found in every
 * VRF (exact), its more-specifics (longer) or what covers it (shorter),
 * paged with "next" null after the last match (no empty page follows).
 */
Test(apifib, prefix_filter_across_vrfs)
{
	static const struct {
		const char *path, *want, *next;
	} cases[] = {
		{ "/fib?prefix=192.168.0.0/16", "B:192.168.0.0/16", "null" },
		{ "/fib?prefix=192.168.0.0/16&match=longer", "A:192.168.1.0/24 B:192.168.0.0/16",
		  "null" },
		{ "/fib?prefix=192.168.1.7/32&match=shorter", "A:192.168.1.0/24 B:192.168.0.0/16",
		  "null" },
		{ "/fib?prefix=192.168.0.0/16&match=longer&limit=1", "A:192.168.1.0/24",
		  "A:192.168.1.0/24" },
		{ "/fib?prefix=192.168.0.0/16&match=longer&limit=1&after=A:192.168.1.0/24",
		  "B:192.168.0.0/16", "null" },
		{ "/fib?prefix=10.0.0.5/32&limit=1", "A:10.0.0.5/32", "null" },
		{ "/fib?prefix=10.0.0.0/24&match=longer&vrf=A&limit=2", "A:10.0.0.0/32 A:10.0.0.1/32",
		  "A:10.0.0.1/32" },
		{ "/fib?prefix=10.0.0.0/24&match=shorter", "", "null" },
	};
	char got[256], next[64];

	fib_route(IPC_FIB_ADD, 1, t_ip(192, 168, 1, 0), 24, 300);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		fib_said(cases[i].path, got, sizeof(got), next, sizeof(next));
		cr_assert_str_eq(got, cases[i].want, "%s", cases[i].path);
		cr_assert_str_eq(next, cases[i].next, "%s", cases[i].path);
	}
}

/* A prefix that is not one, or a match without a prefix, is a 400 naming it. */
Test(apifib, prefix_filter_errors_name_the_parameter)
{
	static const struct {
		const char *path, *param;
	} cases[] = {
		{ "/fib?prefix=192.168.1.7/16", "prefix" },
		{ "/fib?prefix=192.168.1.7", "prefix" },
		{ "/fib?match=longer", "match" },
		{ "/fib?prefix=192.168.0.0/16&match=longest", "match" },
	};
	int status;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_object *j = get_status(cases[i].path, NULL, &status);

		cr_assert_eq(status, 400, "%s", cases[i].path);
		cr_assert_str_eq(str(j, "param"), cases[i].param, "%s", cases[i].path);
		cr_assert_not_null(strstr(str(j, "error"), "(want "), "%s", str(j, "error"));
		json_object_put(j);
	}
}
