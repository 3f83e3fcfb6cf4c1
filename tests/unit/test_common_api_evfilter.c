/*
 * common/api_events.c's filters through the API server
 * (tests/unit/test_common_api_util.h): ?type= keeps some event types, a
 * daemon's own filter (here ?vrf=, as vrfmgr's) keeps the events it
 * matches; both apply to the ring's events and to snapshot items, before
 * they are written to that client, and ?limit= counts what was sent. And a
 * record's reference is dropped when the ring overwrites it or is freed.
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

enum { TICK = 0, TOCK };

static const struct api_route routes[] = {
	{ "/events", h_events, "SSE",
	  .params = API_PARAMS("since", "limit", "snapshot", "type", "vrf") },
};

/* A record: data[0] its number, data[1] its VRF ('A', 'B', or 0: none). */
static int vrf_check(struct jw *w, const char *value, void *ctx)
{
	(void)ctx;
	if (strcmp(value, "A") != 0 && strcmp(value, "B") != 0)
		return api_param_error(w, 404, "vrf", "no VRF named \"%s\"", value);
	return 0;
}

static bool vrf_match(uint16_t type, const void *data, const char *value, void *ctx)
{
	const uint8_t *d = data;

	(void)type;
	(void)ctx;
	return d[1] != 0 && d[1] == (uint8_t)value[0];
}

static const struct api_events_filter vrf_filter = { "vrf", vrf_check, vrf_match, NULL };

static void setup(void)
{
	static const char *const names[] = { "tick", "tock", NULL };

	api_fixture_setup(routes, sizeof(routes) / sizeof(routes[0]));
	api_events_free(events); /* the fixture's has one type: this one has two, ring of 8 */
	events = api_events_new(base, 8, names, ev_fmt, NULL);
	cr_assert_not_null(events);
	api_events_set_filter(events, &vrf_filter);
}

TestSuite(evfilter, .init = setup, .fini = api_fixture_teardown);

static void pub(uint16_t type, uint8_t n, char vrf)
{
	uint8_t d[2] = { n, (uint8_t)vrf };

	api_events_publish(events, type, d, sizeof(d));
}

/* The body of GET /events?since=<before>&<query>: the events after before (HTTP/1.0: until it ends). */
static const char *get_since(uint64_t before, const char *query)
{
	char req[256];

	snprintf(req, sizeof(req), "GET /events?since=%llu&%s HTTP/1.0\r\n\r\n",
		 (unsigned long long)before, query);
	return body_of(http(req));
}

Test(evfilter, type_keeps_those_types_and_limit_counts_what_is_sent)
{
	uint64_t before = api_events_last(events);
	const char *b;

	pub(TICK, 1, 'A');
	pub(TOCK, 2, 'A');
	pub(TICK, 3, 'B');
	pub(TOCK, 4, 0);
	b = get_since(before, "type=tock&limit=2");
	cr_assert_not_null(strstr(b, "event: tock\ndata: {\"seq\":"), "%s", b);
	cr_assert_null(strstr(b, "event: tick"), "a tick passed ?type=tock: %s", b);
	cr_assert_not_null(strstr(b, "\"n\":2}"), "%s", b);
	cr_assert_not_null(strstr(b, "\"n\":4}"), "limit=2 counts the tocks sent: %s", b);
	b = get_since(before, "type=tock,tick&limit=4");
	for (int n = 1; n <= 4; n++) {
		char want[24];

		snprintf(want, sizeof(want), "\"n\":%d}", n);
		cr_assert_not_null(strstr(b, want), "%s lacks %s", b, want);
	}
}

Test(evfilter, bad_type_is_named_with_the_form_wanted)
{
	cr_assert_str_eq(body_of(http("GET /events?type=tack HTTP/1.0\r\n\r\n")),
			 "{\"error\":\"type: \\\"tack\\\" is not an event type of this daemon (want "
			 "one or more of tick, tock, comma-separated)\",\"status\":400,"
			 "\"param\":\"type\"}");
	cr_assert_not_null(strstr(body_of(http("GET /events?type=tick, HTTP/1.0\r\n\r\n")),
				  "type: \\\"\\\" is not an event type"));
	cr_assert_not_null(strstr(body_of(http("GET /events?type=tick&type=tock HTTP/1.0\r\n\r\n")),
				  "parameter \\\"type\\\" given twice (want it once)"));
}

Test(evfilter, daemon_filter_keeps_its_matches_and_checks_the_value)
{
	uint64_t before = api_events_last(events);
	const char *b;

	pub(TICK, 1, 'A');
	pub(TOCK, 2, 'B');
	pub(TICK, 3, 0); /* names no VRF: left out */
	pub(TOCK, 4, 'A');
	b = get_since(before, "vrf=A&limit=2");
	cr_assert_not_null(strstr(b, "\"n\":1}"), "%s", b);
	cr_assert_not_null(strstr(b, "\"n\":4}"), "%s", b);
	cr_assert_null(strstr(b, "\"n\":2}"), "B's event passed vrf=A: %s", b);
	cr_assert_null(strstr(b, "\"n\":3}"), "an event of no VRF passed vrf=A: %s", b);
	b = get_since(before, "vrf=A&type=tock&limit=1");
	cr_assert_not_null(strstr(b, "\"n\":4}"), "both filters: %s", b);
	cr_assert_null(strstr(b, "\"n\":1}"), "%s", b);
	cr_assert_str_eq(body_of(http("GET /events?vrf=Z HTTP/1.0\r\n\r\n")),
			 "{\"error\":\"no VRF named \\\"Z\\\"\",\"status\":404,\"param\":\"vrf\"}");
}

/* A snapshot of 3 ticks of A, 3 tocks of B: what a client gets of it is filtered too. */
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

	(void)budget_end;
	if (*pos == 0) { /* changes while it is written: they follow snapshot-end, filtered too */
		pub(TOCK, 98, 'B');
		pub(TICK, 99, 'A');
	}
	for (; *pos < 6; (*pos)++) {
		uint8_t d[2] = { (uint8_t)(10 + *pos), *pos < 3 ? 'A' : 'B' };

		api_events_snapshot_item(w, events, *pos < 3 ? TICK : TOCK, d, sizeof(d));
	}
	return true;
}

static void snap_end(void *cursor)
{
	(void)cursor;
}

static const struct api_events_snapshot snap_ops = { snap_begin, snap_fill, snap_end, NULL };

Test(evfilter, snapshot_items_are_filtered_and_counted_as_sent)
{
	const char *b;

	api_events_set_snapshot(events, &snap_ops);
	pub(TICK, 1, 'A');
	b = body_of(http("GET /events?snapshot=1&type=tock&limit=1 HTTP/1.0\r\n\r\n"));
	cr_assert_null(strstr(b, "event: tick\ndata: {\"snapshot\":true"), "%s", b);
	cr_assert_not_null(strstr(b, "\"n\":13}"), "%s", b);
	cr_assert_not_null(strstr(b, "\"n\":15}"), "%s", b);
	cr_assert_not_null(strstr(b, "event: snapshot-end\ndata: {\"seq\":"), "%s", b);
	cr_assert_not_null(strstr(b, ",\"items\":3,"), "items counts those sent: %s", b);
	cr_assert_not_null(strstr(b, "\"n\":98}"), "%s", b);
	b = body_of(http("GET /events?snapshot=1&vrf=A&limit=1 HTTP/1.0\r\n\r\n"));
	cr_assert_not_null(strstr(b, "\"n\":10}"), "%s", b);
	cr_assert_null(strstr(b, "\"n\":13}"), "B's item passed vrf=A: %s", b);
	cr_assert_not_null(strstr(b, ",\"items\":3,"), "%s", b);
	cr_assert_not_null(strstr(b, "\"n\":99}"), "%s", b);
	cr_assert_null(strstr(b, "\"n\":98}"), "%s", b);
}

static int drops;

static void count_drop(const struct api_event *e, void *ctx)
{
	(void)e;
	(void)ctx;
	drops++;
}

/* What a record holds a reference to is let go when the ring overwrites it, and when it goes. */
Test(evfilter, records_are_dropped_when_overwritten_and_when_freed)
{
	static const char *const names[] = { "tick", NULL };
	struct api_events *ring = api_events_new(base, 4, names, ev_fmt, NULL);
	uint8_t d[2] = { 0, 0 };

	cr_assert_not_null(ring);
	api_events_set_drop(ring, count_drop);
	drops = 0;
	for (int i = 0; i < 6; i++)
		api_events_publish(ring, TICK, d, sizeof(d));
	cr_assert_eq(drops, 2, "the two overwritten: %d", drops);
	api_events_free(ring);
	cr_assert_eq(drops, 6, "and the four left, when freed: %d", drops);
}

/* What the daemon's fill is told of the client's ?type=, to skip walking a part it left out. */
static bool wanted[2];

static bool wants_fill(struct jw *w, void *cursor, size_t budget_end)
{
	(void)w;
	(void)cursor;
	(void)budget_end;
	wanted[TICK] = api_events_snapshot_wants(events, TICK);
	wanted[TOCK] = api_events_snapshot_wants(events, TOCK);
	pub(TOCK, 97, 'A'); /* after snapshot-end: ends the stream (limit=1) */
	return true;
}

static const struct api_events_snapshot wants_ops = { snap_begin, wants_fill, snap_end, NULL };

Test(evfilter, a_snapshot_fill_is_told_which_types_the_client_wants)
{
	const char *b;

	api_events_set_snapshot(events, &wants_ops);
	b = body_of(http("GET /events?snapshot=1&type=tock&limit=1 HTTP/1.0\r\n\r\n"));
	cr_assert_not_null(strstr(b, "\"n\":97}"), "%s", b);
	cr_assert(!wanted[TICK] && wanted[TOCK], "type=tock: tick %d, tock %d", wanted[TICK],
		  wanted[TOCK]);
	b = body_of(http("GET /events?snapshot=1&limit=1 HTTP/1.0\r\n\r\n"));
	cr_assert_not_null(strstr(b, "\"n\":97}"), "%s", b);
	cr_assert(wanted[TICK] && wanted[TOCK], "no type: every type wanted");
	cr_assert(api_events_snapshot_wants(events, TICK), "outside a fill: every type");
}
