/*
 * common/api_events.c: a snapshot the ring outruns. While a client's
 * snapshot is written, more events than the ring holds are published (a
 * big table during convergence): the client gets "resync" and one more
 * snapshot; if that one is outrun too, an "error" event ends the stream
 * instead of snapshot after snapshot forever. The handler runs inline
 * (no HTTP: api_stream runs the fill until it ends or idles).
 *
 * And common/api_stream.c: a fill that says MORE without writing anything
 * (vrfmgr's walks after a pass over a big table that a filter matched
 * little of) gets its next call from the event loop, so other events run
 * in between, instead of being called again at once until it writes.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "common/api.h"
#include "common/api_events.h"

#define RING 64

static struct event_base *base;
static struct api_events *events;
static unsigned snaps_begun;
static unsigned outrun_snaps; /* the first this many snapshots publish more than the ring */

static const char *const names[] = { "tick", NULL };

static void fmt(struct jw *w, const struct api_event *e, void *ctx)
{
	(void)ctx;
	jw_kv_uint(w, "n", e->data[0]);
}

static void *snap_begin(void *ctx)
{
	static int cursor;

	(void)ctx;
	snaps_begun++;
	return &cursor;
}

/* Two fills per snapshot; the first publishes RING + 10 events if this one is outrun. */
static bool snap_fill(struct jw *w, void *cursor, size_t budget_end)
{
	int *fills = cursor;
	uint8_t n = 7;

	(void)budget_end;
	api_events_snapshot_item(w, events, 0, &n, 1);
	if (++*fills == 1) {
		if (snaps_begun <= outrun_snaps)
			for (int i = 0; i < RING + 10; i++)
				api_events_publish(events, 0, &n, 1);
		return false;
	}
	*fills = 0;
	return true;
}

static void snap_end(void *cursor)
{
	(void)cursor;
}

static const struct api_events_snapshot ops = { snap_begin, snap_fill, snap_end, NULL };

static void setup(void)
{
	base = event_base_new();
	events = api_events_new(base, RING, names, fmt, NULL);
	cr_assert_not_null(events);
	api_events_set_snapshot(events, &ops);
	snaps_begun = 0;
}

static void teardown(void)
{
	api_events_free(events);
	event_base_free(base);
}

static unsigned count_of(const char *s, const char *what)
{
	unsigned n = 0;

	for (const char *p = strstr(s, what); p != NULL; p = strstr(p + 1, what))
		n++;
	return n;
}

/* GET /events?snapshot=1 run inline: the status and the body. */
static char *serve(int *status)
{
	struct evkeyvalq q;
	struct api_request req = { "/events", &q, NULL };
	struct evbuffer *out = evbuffer_new();
	struct jw w;
	char *b;
	size_t n;

	cr_assert_eq(evhttp_parse_query_str("snapshot=1", &q), 0); /* initializes q */
	jw_init(&w, out);
	*status = api_events_serve(events, &w, &req);
	jw_flush(&w);
	n = evbuffer_get_length(out);
	b = malloc(n + 1);
	evbuffer_remove(out, b, n);
	b[n] = '\0';
	evbuffer_free(out);
	evhttp_clear_headers(&q);
	return b;
}

Test(api_snapshot, outrun_twice_ends_with_an_error, .init = setup, .fini = teardown,
     .timeout = 60) /* before the fix: snapshots forever */
{
	int status;
	char *b;

	outrun_snaps = 1000; /* every snapshot */
	b = serve(&status);
	cr_assert_eq(status, 200);
	cr_assert_eq(snaps_begun, 1 + API_EVENTS_SNAP_RETRIES, "snapshots: %u", snaps_begun);
	cr_assert_eq(count_of(b, "event: snapshot-end\n"), 2, "%s", b);
	cr_assert_eq(count_of(b, "event: resync\n"), 1, "%s", b);
	cr_assert_not_null(strstr(b, "overflowed during the snapshot: the state follows as a "
				     "snapshot again"), "%s", b);
	cr_assert_not_null(strstr(b, "event: error\ndata: {\"error\":\"events overflowed during the "
				     "snapshot; reconnect\""), "%s", b);
	/* the error is the last thing on the stream: no event of the lost stretch follows */
	cr_assert_eq(count_of(b, "event: tick\ndata: {\"seq\""), 0, "%s", b);
	cr_assert_str_eq(b + strlen(b) - 2, "\n\n");
	cr_assert_null(strstr(strstr(b, "event: error\n"), "\nevent: "), "%s", b);
	free(b);
}

/* Snapshots outrun the first outrun times: snaps snapshots, each ended, no error. */
static void check_converges(unsigned outrun, unsigned snaps)
{
	int status;
	char *b;

	outrun_snaps = outrun;
	b = serve(&status);
	cr_assert_eq(status, 200);
	cr_assert_eq(snaps_begun, snaps);
	cr_assert_eq(count_of(b, "event: snapshot-end\n"), snaps, "%s", b);
	cr_assert_eq(count_of(b, "event: resync\n"), snaps - 1, "%s", b);
	cr_assert_null(strstr(b, "event: error"), "%s", b);
	free(b);
}

Test(api_snapshot, outrun_once_then_converges, .init = setup, .fini = teardown)
{
	check_converges(1, 2);
}

Test(api_snapshot, not_outrun_one_snapshot, .init = setup, .fini = teardown)
{
	check_converges(0, 1);
}

/* ---- a fill that says MORE with nothing written ---- */

#define EMPTY_FILLS 200

static struct event *other_ev;
static const struct timeval zero_tv = { 0, 0 };
static unsigned other_runs, fills, interleaved, last_other;

/* Other work of the daemon (IPC, another client): runs whenever the loop gets to it. */
static void other_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	other_runs++;
	event_add(other_ev, &zero_tv); /* again on the next round */
}

static enum api_fill empty_fill(struct jw *w, void *state)
{
	(void)state;
	if (other_runs != last_other)
		interleaved++;
	last_other = other_runs;
	if (++fills < EMPTY_FILLS)
		return API_FILL_MORE; /* a pass over a table, nothing matched */
	jw_array_end(w);
	return API_FILL_DONE;
}

static void empty_release(void *state)
{
	(void)state;
	event_del(other_ev);
	event_base_loopbreak(base);
}

static int h_empty(struct jw *w, const struct api_request *req, void *ctx)
{
	(void)ctx;
	jw_array_begin(w);
	return api_stream(w, req, empty_fill, empty_release, NULL, NULL);
}

Test(api_stream, more_without_output_yields_to_the_loop, .timeout = 60)
{
	static const struct api_route routes[] = { { "/empty", h_empty, "test", false } };
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct event_base *b = event_base_new();
	struct api_server *s;
	char reply[4096];
	ssize_t n, got = 0;
	int fd;

	base = b;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "/tmp/ferry-test-yield-%d.sock", getpid());
	s = api_server_start(b, sa.sun_path, routes, 1, NULL);
	cr_assert_not_null(s);
	other_ev = event_new(b, -1, 0, other_cb, NULL);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	cr_assert_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	cr_assert_eq(write(fd, "GET /empty HTTP/1.0\r\n\r\n", 24), 24);
	event_add(other_ev, &zero_tv);
	event_base_dispatch(b); /* until the reply is released */
	cr_assert_eq(fills, EMPTY_FILLS);
	cr_assert_geq(interleaved, EMPTY_FILLS - 2,
		      "other events ran between only %u of %u empty fills", interleaved, fills);
	event_base_loop(b, EVLOOP_NONBLOCK); /* the last chunk out */
	api_server_free(s);
	while ((n = read(fd, reply + got, sizeof(reply) - 1 - (size_t)got)) > 0)
		got += n;
	reply[got] = '\0';
	cr_assert_not_null(strstr(reply, "200 OK"), "%s", reply);
	cr_assert_not_null(strstr(reply, "\r\n\r\n[]"), "%s", reply);
	close(fd);
	event_free(other_ev);
	event_base_free(b);
}
