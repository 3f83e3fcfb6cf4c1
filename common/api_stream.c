/*
 * Streamed replies (see api.h): the head the handler wrote goes out first,
 * then the handler's fill function is called for the next ~API_CHUNK bytes
 * each time the previous chunk has left the connection's output buffer. So
 * a reply of any size holds one chunk in the daemon, a client that reads
 * slowly only slows its own reply (and is dropped after API_TIMEOUT_S
 * without progress), and the event loop runs BGP, IPC and the other clients
 * between chunks.
 *
 * The next fill always runs from an event of its own (wake_ev), never from
 * inside evhttp's callbacks, so ending the reply (which can free the
 * request and the connection) never happens under evhttp's feet. HTTP/1.1
 * clients get chunked encoding; HTTP/1.0 clients get the body until close.
 */
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>

#include "common/api.h"
#include "common/api_int.h"
#include "common/log.h"

static void stream_unlink(struct api_stream *st)
{
	if (st->prev != NULL)
		st->prev->next = st->next;
	else if (st->s != NULL && st->s->streams == st)
		st->s->streams = st->next;
	if (st->next != NULL)
		st->next->prev = st->prev;
	st->next = st->prev = NULL;
}

/* Forgets the stream; the request is no longer ours to touch. */
static void stream_free(struct api_stream *st)
{
	stream_unlink(st);
	if (st->conn != NULL)
		st->conn->stream = NULL;
	if (st->release != NULL)
		st->release(st->state);
	if (st->wake_ev != NULL)
		event_free(st->wake_ev);
	if (st->chunk != NULL)
		evbuffer_free(st->chunk);
	free(st);
}

void api_stream_abort(struct api_stream *st)
{
	struct evhttp_request *req = st->req;

	/*
	 * Called when the connection is closing: if evhttp detached the request
	 * (client gone mid-reply), ending it is how it gets freed; otherwise the
	 * connection frees it itself and we must not touch it.
	 */
	if (req != NULL && evhttp_request_get_connection(req) == NULL)
		evhttp_send_reply_end(req);
	st->conn = NULL;
	stream_free(st);
}

static void stream_sent(struct evhttp_connection *evcon, void *arg)
{
	struct api_stream *st = arg;

	(void)evcon;
	st->sending = false;
	event_active(st->wake_ev, 0, 0);
}

/*
 * While a reply streams, evhttp keeps reading the connection only to see it
 * close, with the read timeout still armed: a quiet event stream would be
 * cut after API_TIMEOUT_S. So the read timeout is off while streaming (the
 * write timeout stays: a client that stops reading is still dropped) and
 * back when the reply ends, for the keep-alive wait.
 */
static void stream_timeouts(struct api_stream *st, bool streaming)
{
	struct evhttp_connection *evcon = evhttp_request_get_connection(st->req);
	struct timeval tv = { API_TIMEOUT_S, 0 };

	if (evcon == NULL)
		return;
	if (streaming)
		bufferevent_set_timeouts(evhttp_connection_get_bufferevent(evcon), NULL, &tv);
	else
		evhttp_connection_set_timeout(evcon, API_TIMEOUT_S);
}

/* Fills and sends until a chunk is on its way, the fill idles or yields, or the reply ends. */
static void stream_pump(struct api_stream *st)
{
	enum api_fill r;

	while (!st->sending && !st->idle) {
		r = st->fill(&st->w, st->state);
		jw_flush(&st->w);
		if (st->w.failed && r != API_FILL_ABORT) {
			log_warnx("api: streamed reply to %.100s failed",
				  evhttp_request_get_uri(st->req));
			r = API_FILL_ABORT;
		}
		if (r == API_FILL_ABORT) {
			/* close without the last chunk: the client must not take it as complete */
			struct evhttp_connection *evcon = evhttp_request_get_connection(st->req);

			if (evcon != NULL)
				evhttp_connection_free(evcon); /* its close callback frees st */
			else
				api_stream_abort(st);
			return;
		}
		if (evbuffer_get_length(st->chunk) > 0) {
			st->sending = true;
			evhttp_send_reply_chunk_with_cb(st->req, st->chunk, stream_sent, st);
		}
		if (r == API_FILL_DONE) {
			stream_timeouts(st, false);
			evhttp_send_reply_end(st->req);
			st->req = NULL;
			stream_free(st);
			return;
		}
		if (r == API_FILL_IDLE)
			st->idle = true;
		else if (!st->sending) {
			/*
			 * MORE with nothing to send (a filter that matched little in a
			 * pass over a big table): the next fill runs from the event
			 * loop, after it polled, so IPC and other requests go first.
			 * A timer of 0, not event_active: libevent 2.1 runs an event
			 * activated from a callback in the same round, before any I/O.
			 */
			static const struct timeval now = { 0, 0 };

			event_add(st->wake_ev, &now);
			return;
		}
	}
}

static void stream_wake_cb(evutil_socket_t fd, short what, void *arg)
{
	struct api_stream *st = arg;

	(void)fd;
	(void)what;
	stream_pump(st);
}

void api_stream_wake(struct api_stream *st)
{
	if (st == NULL || !st->idle)
		return;
	st->idle = false;
	if (!st->sending)
		event_active(st->wake_ev, 0, 0);
}

/* Unit tests call handlers without HTTP: run the fill to the end into w. */
static int stream_inline(struct jw *w, api_fill_fn fill, void (*release)(void *), void *state)
{
	enum api_fill r;

	do
		r = fill(w, state);
	while (r == API_FILL_MORE);
	if (release != NULL)
		release(state);
	return r == API_FILL_ABORT ? 500 : 200;
}

int api_stream(struct jw *w, const struct api_request *req, api_fill_fn fill,
	       void (*release)(void *state), void *state, struct api_stream **out)
{
	struct api_call *call = req != NULL ? req->call : NULL;
	struct api_stream *st;

	if (out != NULL)
		*out = NULL;
	if (call == NULL)
		return stream_inline(w, fill, release, state);
	if (evhttp_request_get_command(call->req) == EVHTTP_REQ_HEAD) {
		/* the head of the GET, no body: nothing to stream (an event stream would never end) */
		if (release != NULL)
			release(state);
		call->head_stream = true;
		return 200;
	}
	st = calloc(1, sizeof(*st));
	if (st == NULL || (st->chunk = evbuffer_new()) == NULL ||
	    (st->wake_ev = event_new(call->s->base, -1, 0, stream_wake_cb, st)) == NULL) {
		if (st != NULL && st->chunk != NULL)
			evbuffer_free(st->chunk);
		free(st);
		if (release != NULL)
			release(state);
		return api_error(w, 503, "out of memory for a streamed reply");
	}
	jw_flush(w);
	memcpy(&st->w, w, sizeof(*w)); /* the nesting goes on where the handler stopped */
	st->w.out = st->chunk;
	st->s = call->s;
	st->req = call->req;
	st->fill = fill;
	st->release = release;
	st->state = state;
	call->stream = st;
	if (out != NULL)
		*out = st;
	return 200;
}

void api_stream_begin(struct api_call *call, struct evbuffer *head)
{
	struct api_stream *st = call->stream;

	st->next = call->s->streams;
	if (st->next != NULL)
		st->next->prev = st;
	call->s->streams = st;
	st->conn = call->conn;
	if (st->conn != NULL)
		st->conn->stream = st;
	evhttp_send_reply_start(call->req, 200, "OK");
	stream_timeouts(st, true);
	if (evbuffer_get_length(head) > 0) {
		st->sending = true;
		evhttp_send_reply_chunk_with_cb(call->req, head, stream_sent, st);
	} else {
		event_active(st->wake_ev, 0, 0);
	}
}
