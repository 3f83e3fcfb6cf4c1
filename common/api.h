/*
 * The JSON API glue every daemon uses (docs/api.md). HTTP/1.1 through
 * libevent's evhttp, served on a Unix socket in the run directory (mode
 * 0660) and on TCP listeners from the config's "api" section (loopback by
 * default; TLS and a bearer token required anywhere else). Handlers only
 * walk their module's structs and write JSON with struct jw; they never
 * format text for humans (ferryctl does that).
 *
 * Routes match the request path exactly ("/neighbors"); parameters come in
 * the query string (?vrf=A). Large answers are streamed (api_stream): the
 * handler writes the head, then a fill function is called each time the
 * client has taken the previous chunk, so a reply is never whole in memory
 * and a slow client only slows itself.
 */
#ifndef FERRY_API_H
#define FERRY_API_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "jw.h"

struct event_base;
struct evkeyvalq;
struct ferry_config;
struct api_call;

struct api_request {
	const char *path;
	struct evkeyvalq *query; /* parsed query parameters */
	struct api_call *call;   /* the HTTP exchange; NULL in unit tests calling handlers */
};

/*
 * Writes the response body into w and returns the HTTP status (200, or
 * 4xx after api_error). ctx is the daemon's pointer given to api_server_start.
 */
typedef int (*api_handler)(struct jw *w, const struct api_request *req, void *ctx);

struct api_route {
	const char *path;
	api_handler handler;
	const char *summary; /* one line, listed at GET / */
	bool write;          /* POST only, refused (403) unless api.read_only is false,
			      * and only ever on the Unix socket */
	/*
	 * The query parameters it takes, NULL-terminated (NULL: none). Any
	 * other is refused before the handler runs (api_route_call), so no
	 * endpoint can forget to: a misspelt filter is never silently ignored.
	 */
	const char *const *params;
	/*
	 * A GET served only on the Unix socket (403 on TCP): it reads the
	 * config file, whose errors can quote what the file holds (a password).
	 */
	bool local;
};

/* A route's parameter list: .params = API_PARAMS("vrf", "prefix"). */
#define API_PARAMS(...) ((const char *const[]){ __VA_ARGS__, NULL })

struct api_server;

/* Listens on unix_path (replacing a stale socket). NULL on failure (logged). */
struct api_server *api_server_start(struct event_base *base, const char *unix_path,
				    const struct api_route *routes, size_t n_routes, void *ctx);
void api_server_free(struct api_server *s);

/* One TCP listener (api_server_listen_tcp). */
struct api_listen {
	uint32_t address;       /* host order */
	uint16_t port;
	const char *tls_cert;   /* PEM paths: TLS when both set */
	const char *tls_key;
	const char *token_file; /* first line is the bearer token every request must carry */
};
/* Adds a TCP listener. 0, or -errno (logged: bind failure, unreadable cert/key/token). */
int api_server_listen_tcp(struct api_server *s, const struct api_listen *l);
/*
 * The config's api section for daemon ("bgpd", "vrfmgr", "fwd"): its TCP
 * listener (if its port is not 0) and read_only. Without an "api" section
 * in the file a busy default port is only a warning; returns 0 or -errno.
 */
int api_server_configure(struct api_server *s, const struct ferry_config *cfg,
			 const char *daemon);
/* The port of the last TCP listener added (0 = none): tests listen on port 0. */
uint16_t api_server_port(const struct api_server *s);
/* fn(arg) runs in api_server_free, before the server goes: for state that lives beside it. */
void api_server_on_free(struct api_server *s, void (*fn)(void *arg), void *arg);
/* Allows the routes marked write (the config's api.read_only = false). */
void api_server_set_writable(struct api_server *s, bool writable);

/* A query parameter by its exact (case-sensitive) name, or NULL when absent. */
const char *api_query_get(const struct api_request *req, const char *key);
/* A request header, or NULL (also when req has no HTTP exchange). */
const char *api_header_get(const struct api_request *req, const char *name);
/*
 * Replaces whatever the handler wrote with {"error": "...", "status": N}
 * and returns status, so handlers can `return api_error(w, 400, ...)`.
 */
int api_error(struct jw *w, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/*
 * The same for an error about one query parameter (or, for a 404, the
 * thing it names): {"error": "...", "status": N, "param": "name"}, so a
 * client can tell which field to fix without reading the sentence.
 */
int api_param_error(struct jw *w, int status, const char *param, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/*
 * Query parameters the handler understands: any other one is a 400 naming
 * it, so a misspelt filter is not silently ignored. keys ends with NULL.
 * 0 when all are known, else the api_error status (already written).
 */
int api_check_params(struct jw *w, const struct api_request *req, const char *const *keys);
/* What the server does with a request for r: its parameters checked, then its handler. */
int api_route_call(const struct api_route *r, struct jw *w, const struct api_request *req,
		   void *ctx);
/* Parses an unsigned parameter in [min, max] into *out (absent: unchanged); 0 or 400 written. */
int api_param_uint(struct jw *w, const struct api_request *req, const char *key, uint64_t min,
		   uint64_t max, uint64_t *out);
/*
 * Parses a boolean parameter into *out (absent: unchanged): true/1 or
 * false/0, the same spellings on every endpoint (bgpd's ?best=, /events'
 * ?snapshot=). 0, or the 400 written.
 */
int api_param_bool(struct jw *w, const struct api_request *req, const char *key, bool *out);

/* ?match= of a prefix filter: the prefix itself, its more-specifics, or those covering it. */
enum api_match { API_MATCH_EXACT = 0, API_MATCH_LONGER, API_MATCH_SHORTER };
struct prefix4;
/*
 * Reads ?match=exact|longer|shorter into *out (absent: exact); it needs a
 * prefix (has_prefix). 0, or the 400 written.
 */
int api_param_match(struct jw *w, const struct api_request *req, bool has_prefix,
		    enum api_match *out);
/* Whether p passes ?prefix=filter&match=m. */
bool api_prefix_match(enum api_match m, const struct prefix4 *filter, const struct prefix4 *p);
/*
 * A paged answer's "next": "HEAD:PREFIX", what ?after= takes to continue
 * after p, or null when head is NULL (nothing follows).
 */
void api_kv_next(struct jw *w, const char *head, const struct prefix4 *p);
/*
 * The reverse, for ?after=: "HEAD:PREFIX" split at the last ':' (an RD has
 * colons of its own) into head (len bytes) and p. 0, or -1 when there is
 * no head, it does not fit, or the prefix is not one.
 */
int api_after_split(const char *s, char *head, size_t len, struct prefix4 *p);

/* Sets the reply's Content-Type (default application/json), e.g. for /metrics. */
void api_set_content_type(const struct api_request *req, const char *type);

/* --- values written fast (api_fmt.c): the same text as rd_format & co ----- */

struct rd;
struct prefix4;
struct ext_community;
void api_rd(struct jw *w, const struct rd *rd);
void api_prefix(struct jw *w, const struct prefix4 *p);
void api_extcom(struct jw *w, const struct ext_community *c); /* route targets, others */
void api_kv_rd(struct jw *w, const char *key, const struct rd *rd);
void api_kv_prefix(struct jw *w, const char *key, const struct prefix4 *p);

/* --- Prometheus text (GET /metrics; api_prom.c) --------------------------- */

/* Sets the text exposition content type; call first in a /metrics handler. */
void api_prom_begin(const struct api_request *req);
/* # HELP and # TYPE lines of one metric family (type "gauge" or "counter"). */
void api_prom_family(struct jw *w, const char *name, const char *type, const char *help);
/* name{k1="v1",k2="v2"} value; labels with a NULL key are left out, values escaped. */
void api_prom_sample(struct jw *w, const char *name, const char *k1, const char *v1,
		     const char *k2, const char *v2, uint64_t value);
/* name value, with no labels and a fractional value (seconds). */
void api_prom_sample_f(struct jw *w, const char *name, double value);
/* A family of one sample with no labels: its # HELP, # TYPE and value lines. */
void api_prom_metric(struct jw *w, const char *name, const char *type, const char *help,
		     uint64_t value);
void api_prom_metric_f(struct jw *w, const char *name, const char *type, const char *help,
		       double value);
/*
 * The process's own families (api_prom_process.c): resident and virtual
 * memory, heap in use, CPU seconds, open and allowed descriptors, start time.
 */
void api_prom_process(struct jw *w);
/*
 * GET /process (api_process.c): the same figures as one JSON object, with
 * the daemon's name and pid: what ferryctl show daemons lists.
 */
void api_process_json(struct jw *w, const char *daemon);

/* --- streamed replies ------------------------------------------------------ */

enum api_fill {
	API_FILL_MORE = 0, /* wrote a chunk: call again once the client has taken it */
	API_FILL_IDLE,     /* nothing to say now: call again after api_stream_wake */
	API_FILL_DONE,     /* the reply is complete */
	API_FILL_ABORT,    /* cannot go on: the connection is closed mid-reply */
};

/*
 * Writes the next part of the reply into w, about API_CHUNK bytes (the
 * writer's nesting carries over from the handler and from earlier calls).
 */
typedef enum api_fill (*api_fill_fn)(struct jw *w, void *state);

#define API_CHUNK (256 * 1024)

struct api_stream;

/*
 * From a handler: the reply goes on after what it wrote in w, with fill
 * called until it says DONE. release(state) is called exactly once, when
 * the stream ends for any reason (done, client gone, server freed). Returns
 * 200 for the handler to return; the status is then always 200. With no
 * HTTP exchange (unit tests) fill runs to completion at once.
 */
int api_stream(struct jw *w, const struct api_request *req, api_fill_fn fill,
	       void (*release)(void *state), void *state, struct api_stream **out);
/* An IDLE stream has something to say again (safe to call any time, from anywhere). */
void api_stream_wake(struct api_stream *st);

#endif
