/*
 * GET /events: a server-sent-events stream of a daemon's changes
 * (docs/api.md). The daemon publishes small binary records into a bounded
 * ring as things change (a memcpy: publishing costs nothing when nobody
 * listens); they are turned into JSON only when a client reads them, by the
 * daemon's format function. Each event has a sequence number; a client
 * resumes with Last-Event-ID or ?since=N while the ring still holds what
 * follows, and otherwise gets a "resync" event, then (when the daemon can
 * write its state as events: api_events_set_snapshot) a snapshot of the
 * state ending with "snapshot-end", then the events that happened since the
 * snapshot began; without a snapshot it must re-read the state itself
 * (GET /routes, ...). When the ring outruns a client's snapshot (the state
 * changes faster than the snapshot is written and read) twice in a row, the
 * stream ends with an "error" event: reconnect later.
 *
 * Sequence numbers go up by one per event and start at the daemon's start
 * time in microseconds, so a number from an earlier run of the daemon is
 * always older than anything the new one holds and leads to a resync.
 */
#ifndef FERRY_API_EVENTS_H
#define FERRY_API_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/api.h"

#define API_EVENT_DATA 64      /* bytes of record per event (each daemon asserts its records fit) */
#define API_EVENTS_RING 16384  /* events kept for resuming clients */
#define API_EVENTS_KEEPALIVE_S 15
/* Snapshots the ring may outrun in a row before the stream ends with an "error" event. */
#define API_EVENTS_SNAP_RETRIES 1

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
/*
 * A record may hold a reference (an interned attribute or RT set whose
 * fields are written when a client reads the event): drop(e) releases it
 * when the ring overwrites the record, and for every record left when the
 * ring is freed. Optional; set before the first publish.
 */
void api_events_set_drop(struct api_events *ev, void (*drop)(const struct api_event *e, void *ctx));
/* Stores one event (data truncated to API_EVENT_DATA) and wakes waiting clients. Its seq. */
uint64_t api_events_publish(struct api_events *ev, uint16_t type, const void *data, size_t len);
/*
 * Replaces the record of event seq (its type, seq and time stay) while no
 * client has been sent it yet: a daemon that learns, before its call
 * returns, what an event it just published should have said (vrfmgr: a
 * route's RTs, set after its FIB add). drop, if set, releases the old
 * record. False when seq is gone from the ring or a client has it: publish.
 */
bool api_events_amend(struct api_events *ev, uint64_t seq, const void *data, size_t len);
/* The last sequence number given (the one before the first event when none yet). */
uint64_t api_events_last(const struct api_events *ev);
size_t api_events_clients(const struct api_events *ev);

/*
 * A daemon's current state written as events, so that a client whose
 * position is gone (resync) or who asks for it (?snapshot=1) gets the state
 * in the stream itself. begin makes a cursor over the daemon's tables;
 * fill writes items with api_events_snapshot_item until the chunk holds
 * budget_end bytes (evbuffer length of w->out plus w->staged) and returns
 * false, or returns true when the walk is complete; end frees the cursor
 * (also when the client goes away mid-snapshot). The tables may change
 * between two fills: the cursor must stay valid (a position, not a pointer),
 * and what changes is in the ring as events after the snapshot's sequence
 * number, which the client gets right after the snapshot.
 */
struct api_events_snapshot {
	void *(*begin)(void *ctx);
	bool (*fill)(struct jw *w, void *cursor, size_t budget_end);
	void (*end)(void *cursor);
	void *ctx;
};
/* Makes ?snapshot=1 available and resyncs send a snapshot. ops must outlive ev. */
void api_events_set_snapshot(struct api_events *ev, const struct api_events_snapshot *ops);
/*
 * One snapshot item: the SSE event of a record of type, formatted as a
 * published one would be (the ring's format function), with
 * "snapshot":true and no id.
 */
void api_events_snapshot_item(struct jw *w, struct api_events *ev, uint16_t type,
			      const void *data, size_t len);
/*
 * In a fill: whether the client it writes for asked for events of type
 * (?type=), so a part of the snapshot nobody reads is not walked (bgpd's
 * RIB for ?type=session). The daemon's own filter is not consulted.
 */
bool api_events_snapshot_wants(const struct api_events *ev, uint16_t type);

/*
 * A daemon's own filter on its events, one query parameter (vrfmgr's
 * ?vrf=NAME): check runs once when a client connects (0, or the 4xx it
 * wrote: a 404 for a VRF that is not there), except for a client resuming
 * (since, Last-Event-ID) when an event the ring keeps matches the value
 * (the VRF's removal: its watcher gets it), match for each event and
 * snapshot item before it is written to that client (data as published:
 * type and record), so a client is sent only what it asked for.
 */
struct api_events_filter {
	const char *param;
	int (*check)(struct jw *w, const char *value, void *ctx);
	bool (*match)(uint16_t type, const void *data, const char *value, void *ctx);
	void *ctx;
};
/* Makes ?<f->param>= filter this ring's events. f must outlive ev. */
void api_events_set_filter(struct api_events *ev, const struct api_events_filter *f);

/*
 * The body of a daemon's GET /events handler: ?since=N, Last-Event-ID: N,
 * ?snapshot=1 (the state first, when the daemon has set a snapshot),
 * ?limit=N (end after N events: scripts and tests), ?type=T[,T...] (only
 * events of those types, named as the "event:" lines name them), and the
 * daemon's filter (api_events_set_filter). Control events (hello, resync,
 * snapshot-end, error) are always sent. Returns the status.
 */
int api_events_serve(struct api_events *ev, struct jw *w, const struct api_request *req);

#endif
