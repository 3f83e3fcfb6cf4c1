/*
 * The event ring and its SSE clients (see api_events.h). The ring is an
 * array of fixed-size records indexed by seq % cap; a client is only a
 * position in it (the next seq it wants), so a hundred clients cost a
 * hundred integers and the daemon's changes are copied once. A client that
 * falls more than cap events behind gets a "resync" event and continues
 * from the present, after a snapshot of the state when the daemon has one
 * (api_events_set_snapshot): the snapshot's items are written a chunk at a
 * time from the daemon's cursor, while the client's position stays at the
 * sequence number the snapshot began at, so whatever changes meanwhile
 * reaches it right after "snapshot-end". If the ring outruns a client's
 * snapshot (more than cap events while it was written), it gets "resync" and
 * one more snapshot; if that one is outrun too, an "error" event ends the
 * stream, rather than snapshots forever. A client may ask for some event
 * types only (?type=) and the daemon may offer a filter of its own (?vrf=):
 * an event or snapshot item a client did not ask for is skipped when it
 * would be written, so filtering costs nothing at publish, nor when nobody
 * listens. Clients that wait for news are woken on publish; every
 * API_EVENTS_KEEPALIVE_S an SSE comment line shows idle clients (and the
 * daemon) that the connection is still alive.
 *
 * Wire form of one event:
 *   id: 1719400000000042
 *   event: route
 *   data: {"seq":1719400000000042,"time_ms":1719400001234, ...daemon's fields...}
 * A snapshot item has no id and "snapshot":true instead of "seq"; the
 * snapshot ends with
 *   id: <the seq it began at>
 *   event: snapshot-end
 *   data: {"seq":...,"items":N,"why":"..."}
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include "common/api.h"
#include "common/api_events.h"
#include "common/log.h"

struct api_sse {
	struct api_events *ev;
	struct api_stream *st;
	uint64_t next;      /* next seq this client gets */
	uint64_t left;      /* events before the stream ends (?limit), 0 = no limit */
	uint64_t resume;    /* the since/Last-Event-ID asked, 0 = none */
	bool hello_sent;
	bool limited;
	bool ka_due;
	bool want_snap;     /* ?snapshot=1 */
	void *snap;         /* the daemon's snapshot cursor while one is written */
	const struct api_events_snapshot *snap_ops;
	uint64_t snap_seq;  /* the last seq when the snapshot began */
	uint64_t snap_items;
	bool snap_fresh;    /* a snapshot ended and no event after it was sent yet */
	unsigned snap_overflows; /* snapshots in a row the ring outran (see sse_behind) */
	uint32_t types;     /* a bit per event type asked (?type=), 0 = every type */
	char *value;        /* the value of the daemon's filter (?vrf=), NULL = none */
	struct api_sse *nx, *pv;
};

struct api_events {
	struct api_event *ring;
	size_t cap;
	uint64_t first_seq; /* seq of the first event ever published */
	uint64_t last;      /* last seq published (first_seq - 1 when none) */
	const char *const *names;
	size_t n_names;
	api_event_format_fn fmt;
	void *ctx;
	struct api_sse *clients;
	size_t n_clients;
	struct event *ka_ev;
	const struct api_events_snapshot *snap;
	uint64_t snap_written; /* items written by the fill running now */
	struct api_sse *snap_client; /* whose snapshot that fill writes */
	void (*drop)(const struct api_event *e, void *ctx);
	const struct api_events_filter *filter;
};

static uint64_t oldest(const struct api_events *ev);

static uint64_t now_realtime_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void ka_cb(evutil_socket_t fd, short what, void *arg)
{
	struct api_events *ev = arg;

	(void)fd;
	(void)what;
	for (struct api_sse *c = ev->clients; c != NULL; c = c->nx) {
		c->ka_due = true;
		api_stream_wake(c->st);
	}
}

struct api_events *api_events_new(struct event_base *base, size_t cap,
				  const char *const *type_names, api_event_format_fn fmt,
				  void *ctx)
{
	struct timeval ka = { API_EVENTS_KEEPALIVE_S, 0 };
	struct api_events *ev = calloc(1, sizeof(*ev));

	if (ev == NULL)
		return NULL;
	ev->ring = calloc(cap, sizeof(*ev->ring));
	ev->ka_ev = event_new(base, -1, EV_PERSIST, ka_cb, ev);
	if (ev->ring == NULL || ev->ka_ev == NULL || event_add(ev->ka_ev, &ka) < 0) {
		api_events_free(ev);
		return NULL;
	}
	ev->cap = cap;
	ev->first_seq = now_realtime_us();
	ev->last = ev->first_seq - 1;
	ev->names = type_names;
	while (type_names[ev->n_names] != NULL)
		ev->n_names++;
	if (ev->n_names > 32) { /* ?type= keeps a bit per type */
		api_events_free(ev);
		return NULL;
	}
	ev->fmt = fmt;
	ev->ctx = ctx;
	return ev;
}

void api_events_free(struct api_events *ev)
{
	if (ev == NULL)
		return;
	/* ending a stream releases its client, which unlinks itself */
	while (ev->clients != NULL) {
		struct api_sse *c = ev->clients;

		ev->clients = c->nx;
		c->ev = NULL;
		c->nx = c->pv = NULL;
		c->limited = true;
		c->left = 0;
		api_stream_wake(c->st);
	}
	if (ev->ka_ev != NULL)
		event_free(ev->ka_ev);
	if (ev->drop != NULL && ev->ring != NULL)
		for (uint64_t seq = oldest(ev); seq <= ev->last; seq++)
			ev->drop(&ev->ring[seq % ev->cap], ev->ctx);
	free(ev->ring);
	free(ev);
}

uint64_t api_events_last(const struct api_events *ev)
{
	return ev->last;
}

size_t api_events_clients(const struct api_events *ev)
{
	return ev->n_clients;
}

void api_events_set_drop(struct api_events *ev, void (*drop)(const struct api_event *e, void *ctx))
{
	ev->drop = drop;
}

void api_events_set_filter(struct api_events *ev, const struct api_events_filter *f)
{
	ev->filter = f;
}

uint64_t api_events_publish(struct api_events *ev, uint16_t type, const void *data, size_t len)
{
	struct timespec ts;
	struct api_event *e;

	if (ev == NULL)
		return 0;
	e = &ev->ring[(ev->last + 1) % ev->cap];
	if (ev->drop != NULL && ev->last + 1 - ev->first_seq >= ev->cap)
		ev->drop(e, ev->ctx); /* the oldest event, overwritten */
	e->seq = ++ev->last;
	clock_gettime(CLOCK_REALTIME_COARSE, &ts); /* coarse: a vDSO read, no syscall */
	e->time_ms = (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
	e->type = type;
	e->len = (uint16_t)(len < API_EVENT_DATA ? len : API_EVENT_DATA);
	memcpy(e->data, data, e->len);
	for (struct api_sse *c = ev->clients; c != NULL; c = c->nx)
		api_stream_wake(c->st);
	return e->seq;
}

bool api_events_amend(struct api_events *ev, uint64_t seq, const void *data, size_t len)
{
	struct api_event *e;

	if (ev == NULL || seq > ev->last || seq < oldest(ev))
		return false;
	for (const struct api_sse *c = ev->clients; c != NULL; c = c->nx)
		if (c->hello_sent && c->next > seq)
			return false; /* sent, or passed over by its filter or snapshot */
	e = &ev->ring[seq % ev->cap];
	if (ev->drop != NULL)
		ev->drop(e, ev->ctx);
	e->len = (uint16_t)(len < API_EVENT_DATA ? len : API_EVENT_DATA);
	memcpy(e->data, data, e->len);
	return true;
}

/* Whether client c asked for events of type (?type=). */
static bool type_wanted(const struct api_sse *c, uint16_t type)
{
	return c->types == 0 || (type < 32 && (c->types & (UINT32_C(1) << type)));
}

/* Whether client c asked for an event of type with this record (?type=, the daemon's filter). */
static bool sse_wants(const struct api_sse *c, uint16_t type, const void *data)
{
	const struct api_events *ev = c->ev;

	if (!type_wanted(c, type))
		return false;
	return c->value == NULL || ev->filter->match(type, data, c->value, ev->filter->ctx);
}

/* Oldest seq still in the ring. */
static uint64_t oldest(const struct api_events *ev)
{
	uint64_t n = ev->last + 1 - ev->first_seq; /* events ever published */

	return n > ev->cap ? ev->last + 1 - ev->cap : ev->first_seq;
}

static void sse_head(struct jw *w, const char *id, const char *name)
{
	if (id != NULL) {
		jw_raw(w, "id: ", 4);
		jw_raw(w, id, strlen(id));
		jw_raw(w, "\n", 1);
	}
	jw_raw(w, "event: ", 7);
	jw_raw(w, name, strlen(name));
	jw_raw(w, "\ndata: ", 7);
}

/* "hello" (fresh start or resumed) or "resync" (what was asked is gone). */
static void sse_control(struct jw *w, struct api_sse *c, const char *name, const char *why,
			bool snapshot)
{
	struct api_events *ev = c->ev;
	struct jw j;

	sse_head(w, NULL, name);
	jw_flush(w);
	jw_init(&j, w->out);
	jw_object_begin(&j);
	jw_kv_uint(&j, "seq", ev->last);
	jw_kv_uint(&j, "oldest", oldest(ev));
	if (c->resume != 0)
		jw_kv_uint(&j, "asked", c->resume);
	jw_kv_string(&j, "why", why);
	if (snapshot)
		jw_kv_bool(&j, "snapshot", true);
	jw_object_end(&j);
	jw_raw(w, "\n\n", 2);
}

void api_events_set_snapshot(struct api_events *ev, const struct api_events_snapshot *ops)
{
	ev->snap = ops;
}

void api_events_snapshot_item(struct jw *w, struct api_events *ev, uint16_t type,
			      const void *data, size_t len)
{
	struct api_event e = { 0 };
	struct timespec ts;
	struct jw j;

	if (ev->snap_client != NULL && !sse_wants(ev->snap_client, type, data))
		return;
	clock_gettime(CLOCK_REALTIME_COARSE, &ts);
	e.time_ms = (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
	e.type = type;
	e.len = (uint16_t)(len < API_EVENT_DATA ? len : API_EVENT_DATA);
	memcpy(e.data, data, e.len);
	sse_head(w, NULL, type < ev->n_names ? ev->names[type] : "event");
	jw_flush(w);
	jw_init(&j, w->out);
	jw_object_begin(&j);
	jw_kv_bool(&j, "snapshot", true);
	jw_kv_uint(&j, "time_ms", e.time_ms);
	ev->fmt(&j, &e, ev->ctx);
	jw_object_end(&j);
	if (j.failed)
		w->failed = true;
	jw_raw(w, "\n\n", 2);
	ev->snap_written++;
}

bool api_events_snapshot_wants(const struct api_events *ev, uint16_t type)
{
	return ev->snap_client == NULL || type_wanted(ev->snap_client, type);
}

/* Starts a snapshot for c if the daemon has one: true when it did. */
static bool snap_begin(struct api_sse *c)
{
	struct api_events *ev = c->ev;

	if (ev->snap == NULL || (c->snap = ev->snap->begin(ev->snap->ctx)) == NULL)
		return false;
	c->snap_ops = ev->snap;
	c->snap_seq = ev->last;
	c->snap_items = 0;
	c->next = ev->last + 1; /* what changes from now on follows the snapshot */
	return true;
}

static void snap_end(struct api_sse *c)
{
	if (c->snap != NULL)
		c->snap_ops->end(c->snap);
	c->snap = NULL;
}

/* The next part of c's snapshot; true when it is complete (snapshot-end written). */
static bool snap_fill(struct jw *w, struct api_sse *c, size_t budget_end)
{
	struct api_events *ev = c->ev;
	char id[24];
	struct jw j;
	bool done;

	ev->snap_written = 0;
	ev->snap_client = c;
	done = c->snap_ops->fill(w, c->snap, budget_end);
	ev->snap_client = NULL;
	c->snap_items += ev->snap_written;
	if (!done)
		return false;
	snap_end(c);
	snprintf(id, sizeof(id), "%llu", (unsigned long long)c->snap_seq);
	sse_head(w, id, "snapshot-end");
	jw_flush(w);
	jw_init(&j, w->out);
	jw_object_begin(&j);
	jw_kv_uint(&j, "seq", c->snap_seq);
	jw_kv_uint(&j, "items", c->snap_items);
	jw_kv_string(&j, "why", "snapshot complete: the events since it began follow");
	jw_object_end(&j);
	jw_raw(w, "\n\n", 2);
	c->snap_fresh = true;
	return true;
}

static void sse_event(struct jw *w, struct api_events *ev, const struct api_event *e)
{
	char id[24];
	struct jw j;

	snprintf(id, sizeof(id), "%llu", (unsigned long long)e->seq);
	sse_head(w, id, e->type < ev->n_names ? ev->names[e->type] : "event");
	jw_flush(w);
	jw_init(&j, w->out);
	jw_object_begin(&j);
	jw_kv_uint(&j, "seq", e->seq);
	jw_kv_uint(&j, "time_ms", e->time_ms);
	ev->fmt(&j, e, ev->ctx);
	jw_object_end(&j);
	if (j.failed)
		w->failed = true;
	jw_raw(w, "\n\n", 2);
}

/* Where a new or resuming client starts, and what it is told first. */
static void sse_start(struct jw *w, struct api_sse *c)
{
	struct api_events *ev = c->ev;
	bool snap = ev->snap != NULL;

	c->hello_sent = true;
	c->next = ev->last + 1;
	if (c->want_snap && snap) {
		sse_control(w, c, "hello", "snapshot asked: the state follows, then events", true);
		snap_begin(c);
	} else if (c->resume == 0) {
		sse_control(w, c, "hello", "new client: read the state now, events follow", false);
	} else if (c->resume > ev->last || c->resume + 1 < oldest(ev)) {
		sse_control(w, c, "resync",
			    c->resume > ev->last
				    ? (snap ? "unknown sequence number (daemon restarted?): the state "
					      "follows as a snapshot"
					    : "unknown sequence number (daemon restarted?)")
				    : (snap ? "events after the one asked are gone: the state follows "
					      "as a snapshot"
					    : "events after the one asked are gone"),
			    snap);
		snap_begin(c);
	} else {
		c->next = c->resume + 1;
		sse_control(w, c, "hello", "resumed", false);
	}
}

/*
 * c fell more than the ring behind: "resync" and a snapshot (when the
 * daemon has one). If what it lost is the ring's events since its own
 * snapshot began, the table is too big to snapshot while it changes this
 * fast: one more try, then an "error" event, and the stream ends (true)
 * rather than snapshot after snapshot forever.
 */
static bool sse_behind(struct jw *w, struct api_sse *c)
{
	struct api_events *ev = c->ev;
	struct jw j;

	if (c->snap_fresh && ev->snap != NULL && ++c->snap_overflows > API_EVENTS_SNAP_RETRIES) {
		sse_head(w, NULL, "error");
		jw_flush(w);
		jw_init(&j, w->out);
		jw_object_begin(&j);
		jw_kv_string(&j, "error", "events overflowed during the snapshot; reconnect");
		jw_kv_uint(&j, "seq", ev->last);
		jw_kv_uint(&j, "oldest", oldest(ev));
		jw_kv_uint(&j, "snapshots", c->snap_overflows);
		jw_object_end(&j);
		jw_raw(w, "\n\n", 2);
		return true;
	}
	c->snap_fresh = false;
	sse_control(w, c, "resync",
		    ev->snap ? (c->snap_overflows > 0
				       ? "events overflowed during the snapshot: the state follows "
					 "as a snapshot again"
				       : "this client fell too far behind: the state follows as a "
					 "snapshot")
			     : "this client fell too far behind",
		    ev->snap != NULL);
	c->next = ev->last + 1;
	snap_begin(c);
	return false;
}

static enum api_fill sse_fill(struct jw *w, void *state)
{
	struct api_sse *c = state;
	struct api_events *ev = c->ev;
	size_t start = evbuffer_get_length(w->out);

	if (ev == NULL)
		return API_FILL_DONE; /* the daemon is going away */
	if (!c->hello_sent)
		sse_start(w, c);
	if (c->snap != NULL && !snap_fill(w, c, start + w->staged + API_CHUNK))
		return API_FILL_MORE;
	if (c->next < oldest(ev) && c->next <= ev->last) {
		if (sse_behind(w, c))
			return API_FILL_DONE;
		if (c->snap != NULL)
			return API_FILL_MORE;
	}
	while (c->next <= ev->last && evbuffer_get_length(w->out) - start + w->staged < API_CHUNK) {
		const struct api_event *e = &ev->ring[c->next++ % ev->cap];

		if (!sse_wants(c, e->type, e->data))
			continue; /* not asked for: passed over, its seq too */
		sse_event(w, ev, e);
		c->snap_fresh = false;
		if (c->limited && --c->left == 0)
			return API_FILL_DONE;
	}
	if (c->ka_due && c->next > ev->last && evbuffer_get_length(w->out) == start &&
	    w->staged == 0)
		jw_raw(w, ": keepalive\n\n", 13);
	c->ka_due = false;
	if (c->next <= ev->last)
		return API_FILL_MORE;
	c->snap_overflows = 0; /* caught up: the next overflow may retry again */
	return API_FILL_IDLE;
}

static void sse_release(void *state)
{
	struct api_sse *c = state;

	snap_end(c);
	free(c->value);
	if (c->ev != NULL) {
		if (c->pv != NULL)
			c->pv->nx = c->nx;
		else
			c->ev->clients = c->nx;
		if (c->nx != NULL)
			c->nx->pv = c->pv;
		c->ev->n_clients--;
	}
	free(c);
}

/* The ring's type names joined as "a, b, c" (what ?type= wants). */
static void type_list(const struct api_events *ev, char *buf, size_t len)
{
	size_t at = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < ev->n_names && at < len; i++)
		at += (size_t)snprintf(buf + at, len - at, "%s%s", i ? ", " : "", ev->names[i]);
}

/* ?type=T[,T...] into a bit per type (absent: 0, every type). 0, or the 400 written. */
static int param_types(struct jw *w, const struct api_request *req, const struct api_events *ev,
		       uint32_t *out)
{
	const char *s = api_query_get(req, "type");
	char want[256];

	if (s == NULL)
		return 0;
	for (;;) {
		size_t n = strcspn(s, ",");
		size_t i;

		for (i = 0; i < ev->n_names; i++)
			if (strlen(ev->names[i]) == n && strncmp(s, ev->names[i], n) == 0)
				break;
		if (i == ev->n_names) {
			type_list(ev, want, sizeof(want));
			return api_param_error(w, 400, "type", "type: \"%.*s\" is not an event type "
					       "of this daemon (want one or more of %s, "
					       "comma-separated)", (int)(n < 64 ? n : 64), s, want);
		}
		*out |= UINT32_C(1) << i;
		if (s[n] == '\0')
			return 0;
		s += n + 1;
	}
}

/* Whether an event the ring keeps passes the daemon's filter for value (a VRF gone since, say). */
static bool ring_names(const struct api_events *ev, const char *value)
{
	for (uint64_t seq = oldest(ev); seq <= ev->last; seq++) {
		const struct api_event *e = &ev->ring[seq % ev->cap];

		if (ev->filter->match(e->type, e->data, value, ev->filter->ctx))
			return true;
	}
	return false;
}

int api_events_serve(struct api_events *ev, struct jw *w, const struct api_request *req)
{
	const char *lei = api_header_get(req, "Last-Event-ID");
	const char *value = ev->filter != NULL ? api_query_get(req, ev->filter->param) : NULL;
	uint64_t since = 0, limit = 0;
	uint32_t types = 0;
	bool snap = false;
	struct api_sse *c;
	int rc;

	if ((rc = api_param_uint(w, req, "since", 1, UINT64_MAX - 1, &since)) != 0 ||
	    (rc = api_param_uint(w, req, "limit", 1, UINT32_MAX, &limit)) != 0 ||
	    (rc = api_param_bool(w, req, "snapshot", &snap)) != 0 ||
	    (rc = param_types(w, req, ev, &types)) != 0)
		return rc;
	if (snap && ev->snap == NULL)
		return api_param_error(w, 400, "snapshot",
				       "snapshot: this daemon's events have no snapshot");
	if (lei != NULL && since == 0) {
		char *end;

		/* as ?since: 1..2^64-2 (an overflow saturated to 2^64-1, whose next wraps to 0) */
		errno = 0;
		since = strtoull(lei, &end, 10);
		if (*lei < '0' || *lei > '9' || *end != '\0' || errno != 0 || since == 0 ||
		    since == UINT64_MAX)
			return api_error(w, 400, "Last-Event-ID: \"%.32s\" is not a sequence number "
					 "(want 1..%llu, as ?since)", lei,
					 (unsigned long long)UINT64_MAX - 1);
	}
	/* a client resuming may ask for what is gone now but still in the ring */
	if (value != NULL && !(since != 0 && ring_names(ev, value)) &&
	    (rc = ev->filter->check(w, value, ev->filter->ctx)) != 0)
		return rc;
	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (value != NULL && (c->value = strdup(value)) == NULL)) {
		free(c);
		return api_error(w, 503, "out of memory");
	}
	c->types = types;
	c->ev = ev;
	c->resume = since;
	c->left = limit;
	c->limited = limit != 0;
	c->want_snap = snap;
	c->nx = ev->clients;
	if (c->nx != NULL)
		c->nx->pv = c;
	ev->clients = c;
	ev->n_clients++;
	api_set_content_type(req, "text/event-stream");
	/* nothing is written before the stream: the first fill says hello */
	return api_stream(w, req, sse_fill, sse_release, c, &c->st);
}
