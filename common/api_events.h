/*
 * GET /events: a server-sent-events stream of a daemon's changes
 * (docs/api.md). The daemon publishes small binary records into a bounded
 * ring as things change (a memcpy: publishing costs nothing when nobody
 * listens); they are turned into JSON only when a client reads them, by the
 * daemon's format function. Each event has a sequence number; a client
 * resumes with Last-Event-ID or ?since=N while the ring still holds what
 * follows, and otherwise gets a "resync" event telling it to re-read the
 * state (GET /routes, ...) and go on from there.
 *
 * Sequence numbers go up by one per event and start at the daemon's start
 * time in microseconds, so a number from an earlier run of the daemon is
 * always older than anything the new one holds and leads to a resync.
 */
#ifndef FERRY_API_EVENTS_H
#define FERRY_API_EVENTS_H

#include <stddef.h>
#include <stdint.h>

#include "common/api.h"

#define API_EVENT_DATA 48      /* bytes of record per event */
#define API_EVENTS_RING 16384  /* events kept for resuming clients */
#define API_EVENTS_KEEPALIVE_S 15

struct api_event {
	uint64_t seq;
	uint64_t time_ms; /* wall clock */
	uint16_t type;    /* index into the ring's type names */
	uint16_t len;
	uint8_t data[API_EVENT_DATA];
};

/* Writes the event's fields (keys and values) into the open data object. */
typedef void (*api_event_format_fn)(struct jw *w, const struct api_event *e, void *ctx);

struct api_events;

/*
 * A ring of cap events; type_names[type] is the SSE "event:" name of each
 * record type (NULL-terminated). NULL on ENOMEM.
 */
struct api_events *api_events_new(struct event_base *base, size_t cap,
				  const char *const *type_names, api_event_format_fn fmt,
				  void *ctx);
/* Ends every client's stream and frees the ring. */
void api_events_free(struct api_events *ev);
/* Stores one event (data truncated to API_EVENT_DATA) and wakes waiting clients. Its seq. */
uint64_t api_events_publish(struct api_events *ev, uint16_t type, const void *data, size_t len);
/* The last sequence number given (the one before the first event when none yet). */
uint64_t api_events_last(const struct api_events *ev);
size_t api_events_clients(const struct api_events *ev);

/*
 * The body of a daemon's GET /events handler: ?since=N, Last-Event-ID: N,
 * ?limit=N (end after N events: scripts and tests). Returns the status.
 */
int api_events_serve(struct api_events *ev, struct jw *w, const struct api_request *req);

#endif
