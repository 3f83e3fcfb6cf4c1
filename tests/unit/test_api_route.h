/*
 * A daemon's API route called as the server calls it (api_route_call: its
 * parameter check, then its handler) with no query, and its answer parsed:
 * the reload check tests of vrfmgr, bgpd and fwd ask their handlers so.
 */
#ifndef FERRY_TEST_API_ROUTE_H
#define FERRY_TEST_API_ROUTE_H

#include <criterion/criterion.h>
#include <sys/queue.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <json-c/json.h>

#include "common/api.h"

/*
 * GET r->path?key=value (key NULL: no query) on a daemon whose context is
 * ctx: the JSON answer (put by the caller), its status.
 */
static inline json_object *t_api_get_q(const struct api_route *r, void *ctx, const char *key,
				       const char *value, int *status)
{
	struct evkeyvalq q;
	struct evbuffer *out = evbuffer_new();
	struct api_request req = { r->path, &q, NULL };
	struct jw w;
	json_object *j;

	TAILQ_INIT(&q);
	if (key != NULL)
		cr_assert_eq(evhttp_add_header(&q, key, value), 0);
	jw_init(&w, out);
	*status = api_route_call(r, &w, &req, ctx);
	jw_flush(&w);
	evbuffer_add(out, "", 1);
	j = json_tokener_parse((const char *)evbuffer_pullup(out, -1));
	cr_assert_not_null(j, "%s", (const char *)evbuffer_pullup(out, -1));
	evbuffer_free(out);
	evhttp_clear_headers(&q);
	return j;
}

/* GET r->path, no query. */
static inline json_object *t_api_get(const struct api_route *r, void *ctx, int *status)
{
	return t_api_get_q(r, ctx, NULL, NULL, status);
}

#endif
