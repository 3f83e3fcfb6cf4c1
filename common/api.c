/*
 * The JSON API server (see api.h): one dispatch for every listener (Unix
 * socket, TCP, TLS: api_listen.c), exact-path routes, JSON everywhere,
 * including errors. Handlers never see HTTP: they get the path and the
 * parsed query and write JSON with struct jw, or start a stream
 * (api_stream.c).
 *
 * What a request must get past before a handler runs, in order: the
 * connection limit (503), the size limits we can still answer in JSON
 * (414/431/413; evhttp itself refuses far larger ones), the bearer token on
 * a listener that wants one (401), the method (405; write routes: 403 unless
 * enabled, and only on the Unix socket). Every connection is tracked so
 * that a stream learns when its client is gone.
 *
 * Why ferry's limits sit below evhttp's: libevent 2.1 answers the requests
 * it rejects itself (a malformed request or header line, a request line or
 * headers over its max_headers_size, a body over its max_body_size, an
 * Expect other than 100-continue) before any callback sees the request,
 * with its own HTML page; a hook for that (evhttp_set_errorcb) only came in
 * 2.2. So evhttp is given limits 16 times ours and everything between gets
 * a precise JSON error from api_admit; beyond, api_listen.c rewrites
 * evhttp's page into JSON in the connection's output buffer before it is
 * sent.
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
#include <openssl/crypto.h>

#include "common/api.h"
#include "common/api_int.h"
#include "common/log.h"
#include "common/prefix.h"

/*
 * Exact, case-sensitive names (evhttp_find_header ignores case): the same
 * rule as api_check_params, so ?VRF=A is never read as ?vrf=A.
 */
const char *api_query_get(const struct api_request *req, const char *key)
{
	struct evkeyval *kv;

	if (req == NULL || req->query == NULL || key == NULL)
		return NULL;
	TAILQ_FOREACH(kv, req->query, next)
		if (strcmp(kv->key, key) == 0)
			return kv->value;
	return NULL;
}

const char *api_header_get(const struct api_request *req, const char *name)
{
	if (req == NULL || req->call == NULL)
		return NULL;
	return evhttp_find_header(evhttp_request_get_input_headers(req->call->req), name);
}

void api_set_content_type(const struct api_request *req, const char *type)
{
	if (req != NULL && req->call != NULL)
		req->call->content_type = type;
}

static int api_error_v(struct jw *w, int status, const char *param, const char *fmt,
		       va_list ap)
{
	char msg[512];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	evbuffer_drain(w->out, evbuffer_get_length(w->out));
	jw_init(w, w->out);
	jw_object_begin(w);
	jw_kv_string(w, "error", msg);
	jw_kv_int(w, "status", status);
	if (param != NULL)
		jw_kv_string(w, "param", param);
	jw_object_end(w);
	return status;
}

int api_error(struct jw *w, int status, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = api_error_v(w, status, NULL, fmt, ap);
	va_end(ap);
	return rc;
}

int api_param_error(struct jw *w, int status, const char *param, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = api_error_v(w, status, param, fmt, ap);
	va_end(ap);
	return rc;
}

int api_check_params(struct jw *w, const struct api_request *req, const char *const *keys)
{
	struct evkeyval *kv, *o;
	size_t i;

	if (req == NULL || req->query == NULL)
		return 0;
	TAILQ_FOREACH(kv, req->query, next)
	{
		for (i = 0; keys[i] != NULL && strcmp(keys[i], kv->key) != 0; i++)
			;
		if (keys[i] == NULL) {
			char known[256] = "";

			for (i = 0; keys[i] != NULL; i++)
				snprintf(known + strlen(known), sizeof(known) - strlen(known), "%s%s",
					 i ? ", " : "", keys[i]);
			return api_param_error(w, 400, kv->key, "unknown parameter \"%.64s\" (want %s)",
					       kv->key, keys[0] ? known : "none");
		}
		for (o = TAILQ_NEXT(kv, next); o != NULL; o = TAILQ_NEXT(o, next))
			if (strcmp(o->key, kv->key) == 0)
				return api_param_error(w, 400, kv->key,
						       "parameter \"%s\" given twice (want it once)",
						       kv->key);
	}
	return 0;
}

int api_param_uint(struct jw *w, const struct api_request *req, const char *key, uint64_t min,
		   uint64_t max, uint64_t *out)
{
	const char *v = api_query_get(req, key);
	unsigned long long n;
	char *end;

	if (v == NULL)
		return 0;
	errno = 0;
	n = strtoull(v, &end, 10);
	if (v[0] < '0' || v[0] > '9' || *end != '\0' || errno != 0 || n < min || n > max)
		return api_param_error(w, 400, key, "%s: \"%.32s\" is not an integer %llu..%llu",
				       key, v, (unsigned long long)min, (unsigned long long)max);
	*out = n;
	return 0;
}

int api_param_bool(struct jw *w, const struct api_request *req, const char *key, bool *out)
{
	const char *v = api_query_get(req, key);

	if (v == NULL)
		return 0;
	if (strcmp(v, "true") == 0 || strcmp(v, "1") == 0)
		*out = true;
	else if (strcmp(v, "false") == 0 || strcmp(v, "0") == 0)
		*out = false;
	else
		return api_param_error(w, 400, key,
				       "%s: \"%.32s\" is not a boolean (want true, false, 1 or 0)",
				       key, v);
	return 0;
}

int api_param_match(struct jw *w, const struct api_request *req, bool has_prefix,
		    enum api_match *out)
{
	const char *m = api_query_get(req, "match");

	if (m == NULL || strcmp(m, "exact") == 0)
		*out = API_MATCH_EXACT;
	else if (strcmp(m, "longer") == 0)
		*out = API_MATCH_LONGER;
	else if (strcmp(m, "shorter") == 0)
		*out = API_MATCH_SHORTER;
	else
		return api_param_error(w, 400, "match",
				       "match: \"%.32s\" is not a match kind (want exact, longer "
				       "or shorter)", m);
	if (m != NULL && !has_prefix)
		return api_param_error(w, 400, "match",
				       "match: needs a prefix (want ?prefix=P&match=%s)", m);
	return 0;
}

/* outer holds inner: same or shorter length, same bits under outer's mask. */
static bool prefix_covers(const struct prefix4 *outer, const struct prefix4 *inner)
{
	return inner->len >= outer->len &&
	       (inner->addr & prefix4_netmask(outer->len)) == outer->addr;
}

bool api_prefix_match(enum api_match m, const struct prefix4 *filter, const struct prefix4 *p)
{
	switch (m) {
	case API_MATCH_EXACT: return prefix4_equal(filter, p);
	case API_MATCH_LONGER: return prefix_covers(filter, p);
	case API_MATCH_SHORTER: return prefix_covers(p, filter);
	}
	return false;
}

void api_kv_next(struct jw *w, const char *head, const struct prefix4 *p)
{
	char pfx[PREFIX4_STRLEN], next[128]; /* heads: an RD or a VRF name, under 32 */

	jw_key(w, "next");
	if (head == NULL) {
		jw_null(w);
		return;
	}
	snprintf(next, sizeof(next), "%s:%s", head, prefix4_format(p, pfx));
	jw_string(w, next);
}

int api_after_split(const char *s, char *head, size_t len, struct prefix4 *p)
{
	const char *colon = strrchr(s, ':');

	if (colon == NULL || colon == s || (size_t)(colon - s) >= len)
		return -1;
	memcpy(head, s, (size_t)(colon - s));
	head[colon - s] = '\0';
	return prefix4_parse(colon + 1, p) == 0 ? 0 : -1;
}

/* The parameters of GET / and of a route that lists none. */
static const char *const no_params[] = { NULL };

int api_route_call(const struct api_route *r, struct jw *w, const struct api_request *req,
		   void *ctx)
{
	int rc = api_check_params(w, req, r->params != NULL ? r->params : no_params);

	return rc != 0 ? rc : r->handler(w, req, ctx);
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
		if (s->routes[i].write)
			jw_kv_string(w, "method", "POST");
		if (s->routes[i].local)
			jw_kv_bool(w, "unix_only", true);
		jw_key(w, "params");
		jw_array_begin(w);
		for (const char *const *p = s->routes[i].params; p != NULL && *p != NULL; p++)
			jw_string(w, *p);
		jw_array_end(w);
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

/* Header bytes as evhttp keeps them (names, values and separators). */
static size_t headers_size(struct evhttp_request *req)
{
	struct evkeyvalq *h = evhttp_request_get_input_headers(req);
	struct evkeyval *kv;
	size_t n = 0;

	TAILQ_FOREACH(kv, h, next)
	n += strlen(kv->key) + strlen(kv->value) + 4;
	return n;
}

/* 0 when the request may go on, else the status of the error written in w. */
static int api_admit(struct api_call *call, struct jw *w)
{
	struct evhttp_request *req = call->req;
	const char *uri = evhttp_request_get_uri(req), *auth;

	if (call->conn == NULL)
		return api_error(w, 503, "too many connections (%d at most): try again later",
				 API_MAX_CONNS);
	if (uri != NULL && strlen(uri) > API_MAX_URI)
		return api_error(w, 414, "request URI of %zu bytes is too long (%d at most)",
				 strlen(uri), API_MAX_URI);
	if (headers_size(req) > API_MAX_HEADERS)
		return api_error(w, 431, "request headers too large (%d bytes at most)",
				 API_MAX_HEADERS);
	if (evbuffer_get_length(evhttp_request_get_input_buffer(req)) > API_MAX_BODY)
		return api_error(w, 413, "request body of %zu bytes is too large (%d at most)",
				 evbuffer_get_length(evhttp_request_get_input_buffer(req)),
				 API_MAX_BODY);
	if (call->l->token[0] == '\0')
		return 0;
	auth = evhttp_find_header(evhttp_request_get_input_headers(req), "Authorization");
	if (auth == NULL || strncmp(auth, "Bearer ", 7) != 0 ||
	    strlen(auth + 7) != strlen(call->l->token) ||
	    CRYPTO_memcmp(auth + 7, call->l->token, strlen(call->l->token)) != 0) {
		evhttp_add_header(evhttp_request_get_output_headers(req), "WWW-Authenticate",
				  "Bearer realm=\"ferry\"");
		return api_error(w, 401, "%s (want an Authorization: Bearer header with the token)",
				 auth == NULL ? "no credentials" : "wrong token");
	}
	return 0;
}

/* The method rules of route r (NULL: GET / and unknown paths). 0 or the error status. */
static int api_method_ok(struct api_call *call, const struct api_route *r, struct jw *w)
{
	enum evhttp_cmd_type m = evhttp_request_get_command(call->req);
	struct evkeyvalq *out = evhttp_request_get_output_headers(call->req);

	if (r == NULL || !r->write) {
		/* HEAD is GET without the body (RFC 9110 §9.3.2): what monitors and `curl -I` send */
		if (m != EVHTTP_REQ_GET && m != EVHTTP_REQ_HEAD) {
			evhttp_add_header(out, "Allow", "GET, HEAD");
			return api_error(w, 405, "method not allowed (want GET or HEAD)");
		}
		if (r != NULL && r->local && !call->l->is_unix)
			return api_error(w, 403, "%s reads the config file: only allowed on the "
						 "Unix socket", r->path);
		return 0;
	}
	if (m != EVHTTP_REQ_POST) {
		evhttp_add_header(out, "Allow", "POST");
		return api_error(w, 405, "method not allowed (want POST)");
	}
	if (!call->s->writable)
		return api_error(w, 403, "read-only API: %s changes state (set api.read_only to "
					 "false to allow it)", r->path);
	if (!call->l->is_unix)
		return api_error(w, 403, "%s changes state: only allowed on the Unix socket",
				 r->path);
	return 0;
}

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/*
 * What is wrong with the percent-encoding of one NAME=VALUE piece (n bytes
 * at p), or NULL. evhttp_decode_uri leaves a '%' without two hex digits as
 * it is, and decodes %00 into a NUL that ends the C string early: "vrf=A%00B"
 * would be read as vrf=A, "address=10.1.1.1%00junk" as 10.1.1.1.
 */
static const char *query_escape_error(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] != '%')
			continue;
		if (i + 2 >= n || !is_hex(p[i + 1]) || !is_hex(p[i + 2]))
			return "'%' not followed by two hex digits (want %XX)";
		if (p[i + 1] == '0' && p[i + 2] == '0')
			return "%00, a NUL byte, would cut the name or value short (want no %00)";
		i += 2;
	}
	return NULL;
}

/*
 * The query string into query. evhttp_parse_query_str refuses a piece
 * without '=' or with an empty name without saying which: name it here.
 * 0, or the 400 written.
 */
static int api_query_parse(struct jw *w, const char *qs, struct evkeyvalq *query)
{
	const char *p = qs, *why;

	while (*p != '\0') {
		size_t n = strcspn(p, "&");
		const char *eq = memchr(p, '=', n);

		if (eq == NULL || eq == p)
			return api_error(w, 400, "malformed query string: \"%.*s\" is not NAME=VALUE "
						 "(want ?name=value&name=value)", (int)(n > 64 ? 64 : n), p);
		if ((why = query_escape_error(p, n)) != NULL)
			return api_error(w, 400, "malformed query string: \"%.*s\": %s",
					 (int)(n > 64 ? 64 : n), p, why);
		p += n;
		if (*p == '&')
			p++;
	}
	if (evhttp_parse_query_str(qs, query) < 0)
		return api_error(w, 400, "malformed query string");
	return 0;
}

/* Runs the request against the route table; returns the status, body in w. */
static int api_run(struct api_call *call, struct jw *w, struct evkeyvalq *query)
{
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(call->req);
	const char *path = uri ? evhttp_uri_get_path(uri) : NULL;
	const char *qs = uri ? evhttp_uri_get_query(uri) : NULL;
	const struct api_route *r;
	struct api_request ar;
	int rc;

	const char *raw = evhttp_request_get_uri(call->req);

	if ((rc = api_admit(call, w)) != 0)
		return rc;
	/* "//vrfs" parses as an authority ("vrfs") and an empty path, which would be GET / */
	if (raw != NULL && raw[0] == '/' && raw[1] == '/')
		return api_error(w, 404, "no such path: %.*s (GET / lists them)",
				 (int)(strcspn(raw, "?") > 200 ? 200 : strcspn(raw, "?")), raw);
	if (path == NULL || *path == '\0')
		path = "/";
	/* a path that does not exist is 404 whatever the method: 405 would say it exists */
	if ((r = api_find(call->s, path)) == NULL && strcmp(path, "/") != 0)
		return api_error(w, 404, "no such path: %.200s (GET / lists them)", path);
	if ((rc = api_method_ok(call, r, w)) != 0)
		return rc;
	if (qs != NULL && (rc = api_query_parse(w, qs, query)) != 0)
		return rc;
	ar.path = path;
	ar.query = query;
	ar.call = call;
	if (strcmp(path, "/") == 0)
		return (rc = api_check_params(w, &ar, no_params)) != 0 ? rc
								       : api_list_routes(w, call->s);
	return api_route_call(r, w, &ar, call->s->ctx);
}

static void api_conn_closed(struct evhttp_connection *evcon, void *arg)
{
	struct api_conn *c = arg, **pp;

	(void)evcon;
	for (pp = &c->s->conns; *pp != NULL; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	c->s->n_conns--;
	if (c->stream != NULL)
		api_stream_abort(c->stream);
	free(c);
}

/* The tracked connection of req, tracked now if new; NULL when over the limit. */
static struct api_conn *api_conn_of(struct api_server *s, struct evhttp_request *req)
{
	struct evhttp_connection *evcon = evhttp_request_get_connection(req);
	struct api_conn *c;

	for (c = s->conns; c != NULL; c = c->next)
		if (c->evcon == evcon)
			return c;
	if (evcon == NULL || s->n_conns >= API_MAX_CONNS || (c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->s = s;
	c->evcon = evcon;
	c->next = s->conns;
	s->conns = c;
	s->n_conns++;
	evhttp_connection_set_closecb(evcon, api_conn_closed, c);
	return c;
}

/*
 * A HEAD's reply: the GET's status and headers, never its body. libevent 2.1
 * leaves Content-Length out for HEAD but still writes the body it is given,
 * which a keep-alive client then reads as the start of its next reply.
 */
static void api_send_head(struct evhttp_request *req, int status, struct evbuffer *body,
			  bool streamed)
{
	char len[24];

	if (!streamed) {
		snprintf(len, sizeof(len), "%zu", evbuffer_get_length(body));
		evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Length", len);
	}
	evbuffer_drain(body, evbuffer_get_length(body));
	evhttp_send_reply(req, status, NULL, body);
}

static void api_dispatch(struct evhttp_request *req, void *arg)
{
	struct api_listener *l = arg;
	struct api_call call = { l->s, l, req, NULL, "application/json", NULL, false };
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
	call.conn = api_conn_of(l->s, req);
	jw_init(&w, body);
	status = api_run(&call, &w, &query);
	jw_flush(&w);
	if (call.stream == NULL && !call.head_stream &&
	    (w.failed || w.depth != 0 || status < 200 || status > 599)) {
		log_warnx("api: handler for %.200s failed (status %d)", evhttp_request_get_uri(req),
			  status);
		status = api_error(&w, 500, "internal error");
	}
	evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type",
			  call.content_type);
	/* every answer is live state (an event stream above all): no cache may keep one */
	evhttp_add_header(evhttp_request_get_output_headers(req), "Cache-Control", "no-store");
	if (call.conn == NULL)
		evhttp_add_header(evhttp_request_get_output_headers(req), "Connection", "close");
	if (evhttp_request_get_command(req) == EVHTTP_REQ_HEAD)
		api_send_head(req, status, body, call.head_stream);
	else if (call.stream != NULL)
		api_stream_begin(&call, body);
	else
		evhttp_send_reply(req, status, NULL, body);
	evhttp_clear_headers(&query);
	evbuffer_free(body);
}

void api_listener_setup(struct api_listener *l)
{
	evhttp_set_timeout(l->http, API_TIMEOUT_S);
	evhttp_set_max_headers_size(l->http, API_HARD_HEADERS);
	evhttp_set_max_body_size(l->http, API_HARD_BODY);
	/*
	 * A body over that limit is read (and dropped) to its declared end
	 * before the 413 goes out: closing on a client still sending it has
	 * the client's next write fail (EPIPE, or a TCP reset) before it reads
	 * the answer. The read timeout still drops a client that stops sending.
	 * Declared by Content-Length only: libevent 2.1 fails a chunked body
	 * past the limit at once, and has no hook on a request before its body
	 * is read to drop one as it comes (evhttp_set_newreqcb is 2.2's).
	 */
	evhttp_set_flags(l->http, EVHTTP_SERVER_LINGERING_CLOSE);
	/* accept every method so that the wrong one gets our JSON 405, not evhttp's HTML 501 */
	evhttp_set_allowed_methods(l->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_HEAD |
						    EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
						    EVHTTP_REQ_OPTIONS | EVHTTP_REQ_PATCH |
						    EVHTTP_REQ_TRACE | EVHTTP_REQ_CONNECT);
	evhttp_set_gencb(l->http, api_dispatch, l);
}

void api_server_set_writable(struct api_server *s, bool writable)
{
	s->writable = writable;
}

void api_server_on_free(struct api_server *s, void (*fn)(void *arg), void *arg)
{
	s->on_free = fn;
	s->on_free_arg = arg;
}

void api_server_free(struct api_server *s)
{
	struct api_listener *l, *ln;

	if (s == NULL)
		return;
	if (s->on_free != NULL)
		s->on_free(s->on_free_arg);
	/* evhttp_free closes the connections: their close callbacks end the streams */
	for (l = s->listeners; l != NULL; l = ln) {
		ln = l->next;
		api_listener_free(l);
	}
	while (s->streams != NULL)
		api_stream_abort(s->streams);
	unlink(s->path);
	free(s);
}
