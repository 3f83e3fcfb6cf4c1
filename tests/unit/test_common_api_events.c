/*
 * common/api_events.c through the API server (tests/unit/test_common_api_util.h):
 * the event ring over SSE: ?since= and ?limit=, Last-Event-ID, resync when
 * the ring has moved on, hello for a fresh client, the snapshot (asked, sent
 * on resync, written over several fills with what changed meanwhile after
 * snapshot-end), a client that leaves mid-snapshot, and amending an event
 * no client has been sent yet.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include "common/api.h"
#include "common/api_events.h"
#include "test_common_api_util.h"

static const struct api_route routes[] = {
	{ "/events", h_events, "SSE", .params = API_PARAMS("since", "limit", "snapshot") },
};

static void setup(void)
{
	api_fixture_setup(routes, sizeof(routes) / sizeof(routes[0]));
}

TestSuite(api, .init = setup, .fini = api_fixture_teardown);

static void publish(uint8_t n)
{
	api_events_publish(events, 0, &n, 1);
}

Test(api, events_since_and_limit)
{
	uint64_t before = api_events_last(events);
	char req[128];
	const char *r, *b;

	publish(1);
	publish(2);
	publish(3);
	snprintf(req, sizeof(req), "GET /events?since=%llu&limit=2 HTTP/1.0\r\n\r\n",
		 (unsigned long long)before + 1);
	r = http(req);
	cr_assert_not_null(strstr(r, "Content-Type: text/event-stream"), "%s", r);
	cr_assert_not_null(strstr(r, "Cache-Control: no-store"), "a cache may keep the stream: %s", r);
	b = body_of(r);
	cr_assert_not_null(strstr(b, "event: hello\ndata: {"), "%s", b);
	cr_assert_not_null(strstr(b, "\"why\":\"resumed\""), "%s", b);
	cr_assert_null(strstr(b, "\"n\":1}"), "event 1 was before since: %s", b);
	snprintf(req, sizeof(req), "id: %llu\nevent: tick\ndata: {\"seq\":%llu,",
		 (unsigned long long)before + 2, (unsigned long long)before + 2);
	cr_assert_not_null(strstr(b, req), "%s", b);
	cr_assert_not_null(strstr(b, "\"n\":2}\n\n"), "%s", b);
	cr_assert_not_null(strstr(b, "\"n\":3}\n\n"), "%s", b);
	cr_assert_eq(api_events_clients(events), 0);
}

Test(api, events_last_event_id_and_resync)
{
	uint64_t before = api_events_last(events);
	char req[160];
	const char *b;

	for (uint8_t i = 1; i <= 6; i++) /* the ring holds 4: the first two are gone */
		publish(i);
	snprintf(req, sizeof(req), "GET /events?limit=4 HTTP/1.0\r\nLast-Event-ID: %llu\r\n\r\n",
		 (unsigned long long)before + 2);
	b = body_of(http(req));
	cr_assert_not_null(strstr(b, "\"why\":\"resumed\""), "%s", b);
	cr_assert_not_null(strstr(b, "\"n\":3}"), "%s", b);
	cr_assert_not_null(strstr(b, "\"n\":6}"), "%s", b);
	cr_assert_not_null(strstr(body_of(http("GET /events?since=abc HTTP/1.0\r\n\r\n")),
				  "\"status\":400"));
	cr_assert_not_null(strstr(
	    body_of(http("GET /events HTTP/1.0\r\nLast-Event-ID: x\r\n\r\n")),
	    "Last-Event-ID"));
	/* the range ?since takes: an overflow was taken as 2^64-1 and resumed after it */
	cr_assert_str_eq(
	    body_of(http("GET /events HTTP/1.0\r\nLast-Event-ID: 99999999999999999999\r\n\r\n")),
	    "{\"error\":\"Last-Event-ID: \\\"99999999999999999999\\\" is not a sequence number "
	    "(want 1..18446744073709551614, as ?since)\",\"status\":400}");
	cr_assert_not_null(strstr(
	    body_of(http("GET /events HTTP/1.0\r\nLast-Event-ID: 18446744073709551615\r\n\r\n")),
	    "\"status\":400"));
}

static void publish_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	publish(42);
}

Test(api, events_resync_then_live)
{
	struct timeval tv = { 0, 100000 };
	struct event *t = evtimer_new(base, publish_cb, NULL);
	const char *b;

	for (uint8_t i = 1; i <= 6; i++)
		publish(i);
	evtimer_add(t, &tv);
	b = body_of(http("GET /events?since=1&limit=1 HTTP/1.0\r\n\r\n"));
	event_free(t);
	cr_assert_not_null(strstr(b, "event: resync\n"), "%s", b);
	cr_assert_not_null(strstr(b, "\"n\":42}"), "%s", b);
	cr_assert_null(strstr(b, "\"n\":6}"), "%s", b);
}

Test(api, events_fresh_client_gets_hello)
{
	struct timeval tv = { 0, 50000 };
	struct event *t = evtimer_new(base, publish_cb, NULL);
	const char *b;

	publish(1);
	evtimer_add(t, &tv);
	b = body_of(http("GET /events?limit=1 HTTP/1.0\r\n\r\n"));
	event_free(t);
	cr_assert(strncmp(b, "event: hello\ndata: {\"seq\":", 26) == 0, "%s", b);
	cr_assert_null(strstr(b, "\"n\":1}"), "%s", b);
	cr_assert_not_null(strstr(b, "\"n\":42}"), "%s", b);
}

/* A snapshot of 10000 items: larger than a chunk, so it is written over several fills. */
#define SNAP_ITEMS 10000
static int snap_fills, snap_ends;

static void *snap_begin(void *ctx)
{
	static unsigned pos;

	(void)ctx;
	pos = 0;
	return &pos;
}

static bool snap_fill(struct jw *w, void *cursor, size_t budget_end)
{
	unsigned *pos = cursor;

	if (snap_fills++ == 0)
		publish(99); /* a change while the snapshot is written: it must follow the snapshot */
	for (; *pos < SNAP_ITEMS; (*pos)++) {
		uint8_t n = (uint8_t)(*pos % 90); /* never 99 */

		if (evbuffer_get_length(w->out) + w->staged >= budget_end)
			return false;
		api_events_snapshot_item(w, events, 0, &n, 1);
	}
	return true;
}

static void snap_end_cb(void *cursor)
{
	(void)cursor;
	snap_ends++;
}

static const struct api_events_snapshot snap_ops = { snap_begin, snap_fill, snap_end_cb, NULL };

static unsigned count_of(const char *hay, const char *needle)
{
	unsigned n = 0;

	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
		n++;
	return n;
}

/* Runs the loop until the snapshot's cursor is ended and no client is left, at most ms. */
static void run_until_gone(int ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };
	struct event *t = evtimer_new(base, stop_cb, NULL);

	evtimer_add(t, &tv);
	while ((snap_ends < 1 || api_events_clients(events) != 0) && evtimer_pending(t, NULL))
		event_base_loop(base, EVLOOP_ONCE);
	event_free(t);
}

/* The snapshot's items, then snapshot-end naming where events resume, then what changed. */
static void check_snapshot(const char *b, uint64_t seq)
{
	char end[128];
	const char *e, *ev99;

	cr_assert_eq(count_of(b, "event: tick\ndata: {\"snapshot\":true,\"time_ms\":"), SNAP_ITEMS);
	snprintf(end, sizeof(end), "id: %llu\nevent: snapshot-end\ndata: {\"seq\":%llu,\"items\":%u,",
		 (unsigned long long)seq, (unsigned long long)seq, SNAP_ITEMS);
	e = strstr(b, end);
	cr_assert_not_null(e, "%.300s", b);
	ev99 = strstr(b, "\"n\":99}");
	cr_assert_not_null(ev99, "the event published during the snapshot is lost");
	cr_assert(ev99 > e, "the event published during the snapshot came before its end");
	cr_assert_gt(snap_fills, 2, "a snapshot larger than a chunk is written in several fills");
	cr_assert_eq(snap_ends, 1);
}

Test(api, events_snapshot_asked)
{
	uint64_t before;
	const char *b;

	snap_fills = snap_ends = 0;
	cr_assert_not_null(strstr(body_of(http("GET /events?snapshot=1 HTTP/1.0\r\n\r\n")),
				  "have no snapshot"));
	api_events_set_snapshot(events, &snap_ops);
	publish(1);
	before = api_events_last(events);
	b = body_of(http("GET /events?snapshot=1&limit=1 HTTP/1.0\r\n\r\n"));
	cr_assert(strncmp(b, "event: hello\ndata: {", 20) == 0, "%.200s", b);
	cr_assert_not_null(strstr(b, "\"snapshot\":true}"), "%.300s", b);
	check_snapshot(b, before);
	cr_assert_eq(count_of(b, "\nid: "), 2, "only snapshot-end and event 99 carry ids: event 1 "
		     "is in the snapshot's past");
}

/* ?snapshot= takes the booleans bgpd's ?best= takes: true as well as 1, not "yes". */
Test(api, events_snapshot_true_as_1)
{
	uint64_t before;
	char req[128];
	const char *b;

	snap_fills = snap_ends = 0;
	api_events_set_snapshot(events, &snap_ops);
	publish(1);
	before = api_events_last(events);
	b = body_of(http("GET /events?snapshot=true&limit=1 HTTP/1.0\r\n\r\n"));
	cr_assert(strncmp(b, "event: hello\ndata: {", 20) == 0, "%.200s", b);
	check_snapshot(b, before);
	snprintf(req, sizeof(req), "GET /events?snapshot=false&since=%llu&limit=1 HTTP/1.0\r\n\r\n",
		 (unsigned long long)before);
	b = body_of(http(req));
	cr_assert_not_null(strstr(b, "\"why\":\"resumed\""), "%.300s", b);
	cr_assert_null(strstr(b, "\"snapshot\":true"), "false asks for no snapshot: %.300s", b);
	cr_assert_str_eq(body_of(http("GET /events?snapshot=yes HTTP/1.0\r\n\r\n")),
			 "{\"error\":\"snapshot: \\\"yes\\\" is not a boolean (want true, false, 1 "
			 "or 0)\",\"status\":400,\"param\":\"snapshot\"}");
}

Test(api, events_resync_sends_snapshot)
{
	uint64_t before;
	const char *b;

	snap_fills = snap_ends = 0;
	api_events_set_snapshot(events, &snap_ops);
	for (uint8_t i = 1; i <= 6; i++)
		publish(i);
	before = api_events_last(events);
	b = body_of(http("GET /events?since=1&limit=1 HTTP/1.0\r\n\r\n"));
	cr_assert(strncmp(b, "event: resync\ndata: {", 21) == 0, "%.200s", b);
	check_snapshot(b, before);
}

/* A client that leaves mid-snapshot: the cursor is ended and the client dropped (polled, 10 s bound). */
Test(api, events_snapshot_client_gone_ends_cursor)
{
	int fd = unix_fd();
	const char *req = "GET /events?snapshot=1 HTTP/1.0\r\n\r\n";

	snap_fills = snap_ends = 0;
	api_events_set_snapshot(events, &snap_ops);
	cr_assert_eq(write(fd, req, strlen(req)), (ssize_t)strlen(req));
	run_until(&snap_fills, 1, 10000); /* the first chunk goes out; the client reads nothing */
	cr_assert_gt(snap_fills, 0, "the snapshot did not start within 10 s");
	close(fd);
	run_until_gone(10000);
	cr_assert_eq(snap_ends, 1, "the cursor is ended when the client goes mid-snapshot");
	cr_assert_eq(api_events_clients(events), 0);
}

/* Runs the loop until the stream on fd has brought want (into got, n bytes so far). */
static void read_until(int fd, char *got, size_t cap, size_t *n, const char *want)
{
	for (int i = 0; i < 500 && strstr(got, want) == NULL; i++) {
		struct timeval tick = { 0, 10000 };
		ssize_t r;

		event_base_loopexit(base, &tick);
		event_base_dispatch(base);
		while ((r = recv(fd, got + *n, cap - 1 - *n, MSG_DONTWAIT)) > 0)
			*n += (size_t)r;
		got[*n] = '\0';
	}
	cr_assert_not_null(strstr(got, want), "%s", got);
}

/*
 * api_events_amend: an event no client has been sent yet is read as
 * amended; once a client has it (here a stream still open), or when it is
 * gone from the ring or not published yet, it is left as it was.
 */
Test(api, events_amend_until_a_client_has_it)
{
	uint64_t before = api_events_last(events), seq;
	uint8_t seven = 7, eight = 8;
	char req[128], got[4096];
	size_t n = 0;
	int fd;
	const char *b;

	publish(1);
	seq = api_events_last(events);
	publish(2);
	cr_assert(api_events_amend(events, seq, &seven, 1));
	cr_assert_not(api_events_amend(events, seq + 2, &seven, 1), "not published yet");
	snprintf(req, sizeof(req), "GET /events?since=%llu&limit=2 HTTP/1.0\r\n\r\n",
		 (unsigned long long)before);
	b = body_of(http(req));
	cr_assert_not_null(strstr(b, "\"n\":7}"), "%s", b);
	cr_assert_null(strstr(b, "\"n\":1}"), "%s", b);
	cr_assert_not_null(strstr(b, "\"n\":2}"), "%s", b);

	fd = unix_fd();
	snprintf(req, sizeof(req), "GET /events?since=%llu HTTP/1.0\r\n\r\n",
		 (unsigned long long)before);
	cr_assert_eq(write(fd, req, strlen(req)), (ssize_t)strlen(req));
	got[0] = '\0';
	read_until(fd, got, sizeof(got), &n, "\"n\":2}");
	cr_assert_not(api_events_amend(events, seq, &eight, 1), "a client has it");
	close(fd);
	for (uint8_t i = 0; i < 4; i++)
		publish(i);
	cr_assert_not(api_events_amend(events, seq, &eight, 1), "gone from the ring");
}

/*
 * The case amending is for: a client is connected and caught up (an open
 * /events stream, as a mirror keeps) when the daemon publishes and amends
 * at once: it has not been sent the event yet, so it reads it amended,
 * once; only after that is the event its own.
 */
Test(api, events_amend_reaches_a_client_waiting_for_news)
{
	uint8_t seven = 7, eight = 8;
	const char *req = "GET /events HTTP/1.0\r\n\r\n";
	char got[4096];
	size_t n = 0;
	uint64_t seq;
	int fd = unix_fd();

	cr_assert_eq(write(fd, req, strlen(req)), (ssize_t)strlen(req));
	got[0] = '\0';
	read_until(fd, got, sizeof(got), &n, "event: hello\n");
	cr_assert_eq(api_events_clients(events), 1);
	publish(1);
	seq = api_events_last(events);
	cr_assert(api_events_amend(events, seq, &seven, 1), "refused for a client not sent it");
	read_until(fd, got, sizeof(got), &n, "\"n\":7}");
	cr_assert_null(strstr(got, "\"n\":1}"), "%s", got);
	cr_assert_not(api_events_amend(events, seq, &eight, 1), "the client has it");
	close(fd);
}
