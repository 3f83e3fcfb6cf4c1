/*
 * The JSON API server glue (see api.h): evhttp on a Unix socket. The
 * listening socket is made by ipc_listen_unix (stale-file replacement,
 * mode 0660, non-blocking) and handed to evhttp through an evconnlistener,
 * because evhttp can only bind TCP addresses itself.
 *
 * One generic callback dispatches by exact path over the daemon's route
 * table, so handlers never see HTTP: they get the path and the parsed query
 * and write JSON with struct jw. Only GET exists; every answer, errors
 * included, is JSON. Request sizes and idle time are capped because the
 * socket is reachable by every member of the run directory's group.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>

#include "common/api.h"
#include "common/ipc.h"
#include "common/log.h"

#define API_MAX_HEADERS 8192
#define API_MAX_BODY 4096
#define API_TIMEOUT_S 10

struct api_server {
	struct evhttp *http;
	char path[108];
	const struct api_route *routes;
	size_t n_routes;
	void *ctx;
};

const char *api_query_get(const struct api_request *req, const char *key)
{
	if (req == NULL || req->query == NULL || key == NULL)
		return NULL;
	return evhttp_find_header(req->query, key);
}

int api_error(struct jw *w, int status, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	evbuffer_drain(w->out, evbuffer_get_length(w->out));
	jw_init(w, w->out);
	jw_object_begin(w);
	jw_kv_string(w, "error", msg);
	jw_kv_int(w, "status", status);
	jw_object_end(w);
	return status;
}

/* GET /: the route table itself, so a client can discover what is served. */
static int api_list_routes(struct jw *w, const struct api_server *s)
{
	jw_object_begin(w);
	jw_key(w, "routes");
	jw_array_begin(w);
	for (size_t i = 0; i < s->n_routes; i++) {
		jw_object_begin(w);
		jw_kv_string(w, "path", s->routes[i].path);
		jw_kv_string(w, "summary", s->routes[i].summary);
		jw_object_end(w);
	}
	jw_array_end(w);
	jw_object_end(w);
	return 200;
}

static const struct api_route *api_find(const struct api_server *s, const char *path)
{
	for (size_t i = 0; i < s->n_routes; i++)
		if (strcmp(s->routes[i].path, path) == 0)
			return &s->routes[i];
	return NULL;
}

/* Runs the request against the route table; returns the status, body in w. */
static int api_run(struct api_server *s, struct evhttp_request *req, struct jw *w,
		   struct evkeyvalq *query)
{
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	const char *path = uri ? evhttp_uri_get_path(uri) : NULL;
	const char *qs = uri ? evhttp_uri_get_query(uri) : NULL;
	const struct api_route *r;
	struct api_request ar;

	if (evhttp_request_get_command(req) != EVHTTP_REQ_GET) {
		evhttp_add_header(evhttp_request_get_output_headers(req), "Allow", "GET");
		return api_error(w, 405, "method not allowed (want GET)");
	}
	if (path == NULL || *path == '\0')
		path = "/";
	if (qs != NULL && evhttp_parse_query_str(qs, query) < 0)
		return api_error(w, 400, "malformed query string");
	if (strcmp(path, "/") == 0)
		return api_list_routes(w, s);
	r = api_find(s, path);
	if (r == NULL)
		return api_error(w, 404, "no such path: %s (GET / lists them)", path);
	ar.path = path;
	ar.query = query;
	return r->handler(w, &ar, s->ctx);
}

static void api_dispatch(struct evhttp_request *req, void *arg)
{
	struct api_server *s = arg;
	struct evkeyvalq query;
	struct evbuffer *body;
	struct jw w;
	int status;

	TAILQ_INIT(&query);
	body = evbuffer_new();
	if (body == NULL) {
		evhttp_send_error(req, 500, NULL);
		return;
	}
	jw_init(&w, body);
	status = api_run(s, req, &w, &query);
	if (w.failed || w.depth != 0 || status < 200 || status > 599) {
		log_warnx("api: handler for %s failed (status %d)", evhttp_request_get_uri(req),
			  status);
		status = api_error(&w, 500, "internal error");
	}
	evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type",
			  "application/json");
	evhttp_send_reply(req, status, NULL, body);
	evhttp_clear_headers(&query);
	evbuffer_free(body);
}

struct api_server *api_server_start(struct event_base *base, const char *unix_path,
				    const struct api_route *routes, size_t n_routes, void *ctx)
{
	struct evconnlistener *lev;
	struct api_server *s;
	int fd;

	s = calloc(1, sizeof(*s));
	if (s == NULL) {
		log_warn("api");
		return NULL;
	}
	if (snprintf(s->path, sizeof(s->path), "%s", unix_path) >= (int)sizeof(s->path)) {
		log_warnx("%s: socket path too long", unix_path);
		free(s);
		return NULL;
	}
	s->routes = routes;
	s->n_routes = n_routes;
	s->ctx = ctx;
	s->http = evhttp_new(base);
	if (s->http == NULL || (fd = ipc_listen_unix(unix_path)) < 0)
		goto fail;
	lev = evconnlistener_new(base, NULL, NULL, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC,
				 0, fd);
	if (lev == NULL) {
		close(fd);
		goto fail_unlink;
	}
	if (evhttp_bind_listener(s->http, lev) == NULL) {
		evconnlistener_free(lev);
		goto fail_unlink;
	}
	evhttp_set_timeout(s->http, API_TIMEOUT_S);
	evhttp_set_max_headers_size(s->http, API_MAX_HEADERS);
	evhttp_set_max_body_size(s->http, API_MAX_BODY);
	/* accept every method so that the wrong one gets our JSON 405, not evhttp's HTML */
	evhttp_set_allowed_methods(s->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_HEAD |
						    EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
						    EVHTTP_REQ_OPTIONS | EVHTTP_REQ_PATCH);
	evhttp_set_gencb(s->http, api_dispatch, s);
	log_debug("api: serving %zu routes on %s", n_routes, unix_path);
	return s;

fail_unlink:
	unlink(unix_path);
fail:
	log_warnx("api: cannot serve on %s", unix_path);
	if (s->http)
		evhttp_free(s->http);
	free(s);
	return NULL;
}

void api_server_free(struct api_server *s)
{
	if (s == NULL)
		return;
	evhttp_free(s->http); /* also frees the bound listener and its fd */
	unlink(s->path);
	free(s);
}
