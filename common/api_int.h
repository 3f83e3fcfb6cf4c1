/*
 * Internal to common/api*.c: the server, its listeners, the connections it
 * tracks and the streamed replies. Nothing outside common/api*.c includes
 * this; daemons see only api.h.
 *
 * Each listener is its own evhttp, because evhttp's per-connection hooks
 * (the TLS bufferevent callback) are per evhttp: the Unix socket, a plain
 * loopback port and a TLS port differ exactly there. They share one route
 * table, one connection count and one dispatch.
 */
#ifndef FERRY_API_INT_H
#define FERRY_API_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "common/api.h"

struct evhttp;
struct evhttp_request;
struct evhttp_connection;
struct evbuffer;
struct event;
struct ssl_ctx_st;

#define API_MAX_URI 4096      /* longer request lines get a JSON 414 */
#define API_MAX_HEADERS 8192  /* header bytes we answer with a JSON 431 above */
#define API_HARD_HEADERS 65536 /* evhttp's own limit (it answers 413 itself, in HTML) */
#define API_MAX_BODY 4096     /* request bodies we answer with a JSON 413 above */
#define API_HARD_BODY 65536   /* evhttp's own body limit (its 413 is HTML, see api.c) */
#define API_TIMEOUT_S 10      /* a client silent (or not reading) this long is dropped */
#define API_MAX_CONNS 64      /* concurrent connections per daemon */
#define API_TOKEN_MAX 256

struct api_listener {
	struct api_server *s;
	struct evhttp *http;
	bool is_unix;
	struct ssl_ctx_st *ssl;   /* TLS when set */
	char token[API_TOKEN_MAX]; /* bearer token asked, "" = none */
	char name[64];            /* for logs: "unix", "127.0.0.1:7179", "tls 10.0.0.1:7179" */
	uint16_t port;            /* TCP: the port bound (also when 0 was asked) */
	struct api_listener *next;
};

/* A client connection we have seen a request on. */
struct api_conn {
	struct api_server *s;
	struct evhttp_connection *evcon;
	struct api_stream *stream; /* the reply streaming on it, if any */
	struct api_conn *next;
};

struct api_server {
	struct event_base *base;
	char path[108];
	const struct api_route *routes;
	size_t n_routes;
	void *ctx;
	bool writable;
	struct api_listener *listeners;
	struct api_conn *conns;
	size_t n_conns;
	struct api_stream *streams;
	void (*on_free)(void *arg);
	void *on_free_arg;
};

/* One request being answered (api_request.call). */
struct api_call {
	struct api_server *s;
	struct api_listener *l;
	struct evhttp_request *req;
	struct api_conn *conn;
	const char *content_type;
	struct api_stream *stream; /* set when the handler chose to stream */
	bool head_stream;          /* a HEAD whose GET streams: the head only, nothing to run */
};

struct api_stream {
	struct api_server *s;
	struct api_conn *conn; /* NULL once the connection is gone */
	struct evhttp_request *req;
	struct evbuffer *chunk;
	struct event *wake_ev;
	api_fill_fn fill;
	void (*release)(void *state);
	void *state;
	bool sending; /* a chunk is on its way: wait for it to drain */
	bool idle;    /* fill said IDLE: wait for api_stream_wake */
	struct api_stream *next, *prev;
	struct jw w;  /* last: large */
};

/* api_listen.c */
struct api_listener *api_listener_new(struct api_server *s, const char *name);
void api_listener_free(struct api_listener *l);
void api_listener_setup(struct api_listener *l);

/* api_stream.c */
/* After the handler returned: sends the head (body so far) and starts filling. */
void api_stream_begin(struct api_call *call, struct evbuffer *head);
/* The stream's connection is closing (closecb) or the server is going away. */
void api_stream_abort(struct api_stream *st);

#endif
