/*
 * The JSON API glue every daemon uses (docs/api.md). HTTP/1.1 through
 * libevent's evhttp, served on a Unix socket in the run directory (mode
 * 0660); the same handlers can later be bound to a loopback TCP port.
 * Handlers only walk their module's structs and write JSON with struct jw;
 * they never format text for humans (ferryctl does that).
 *
 * Routes match the request path exactly ("/neighbors"); parameters come in
 * the query string (?vrf=A).
 */
#ifndef FERRY_API_H
#define FERRY_API_H

#include "jw.h"

struct event_base;
struct evkeyvalq;

struct api_request {
	const char *path;
	struct evkeyvalq *query; /* parsed query parameters */
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
};

struct api_server;

/* Listens on unix_path (replacing a stale socket). NULL on failure (logged). */
struct api_server *api_server_start(struct event_base *base, const char *unix_path,
				    const struct api_route *routes, size_t n_routes, void *ctx);
void api_server_free(struct api_server *s);

/* A query parameter, or NULL when absent. */
const char *api_query_get(const struct api_request *req, const char *key);
/*
 * Replaces whatever the handler wrote with {"error": "...", "status": N}
 * and returns status, so handlers can `return api_error(w, 400, ...)`.
 */
int api_error(struct jw *w, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
