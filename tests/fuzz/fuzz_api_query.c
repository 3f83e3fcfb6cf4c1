/*
 * libFuzzer harness: the API's request-target handling. common/api.c has
 * no parsing function of its own: evhttp parses the request line into a URI
 * (evhttp_uri_parse_with_flags, EVHTTP_URI_NONCONFORMANT, as evhttp does
 * for every request), api_run takes its path and query string and parses
 * the query with evhttp_parse_query_str, handlers read parameters with
 * api_query_get and parse them with common's value parsers (rd_parse,
 * prefix4_parse, ...), and every answer, errors included, is JSON written
 * by struct jw (api_error echoes the path). This harness runs that chain on
 * the raw request target (the input, e.g. "/routes?rd=65000:1&prefix=...").
 *
 * Properties besides no crash, leak or UB (api_check_params too, as every
 * handler calls it first):
 *  - each value parser's accepted input formats back to a string that
 *    parses to the same value (rd, route target, IPv4, prefix, label);
 *  - the JSON written (an error naming the path, the parameters as
 *    strings) is valid JSON and valid UTF-8 (RFC 8259 §8.1) for json-c, and
 *    gives ASCII strings back byte for byte (other bytes may have become
 *    U+FFFD); FUZZ_API_UTF8=0 in the environment turns the UTF-8 check off.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <json-c/json.h>

#include "common/api.h"
#include "common/jw.h"
#include "common/label.h"
#include "common/log.h"
#include "common/prefix.h"
#include "common/rd.h"

#define FUZZ_NAME "fuzz_api_query"
#include "fuzz_check.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int utf8_strict;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *e = getenv("FUZZ_API_UTF8");

	(void)argc;
	(void)argv;
	log_init("fuzz_api_query", LOG_LVL_ERR);
	utf8_strict = e == NULL || strcmp(e, "0") != 0;
	return 0;
}

/* Every parser that reads a query value: accepted means it formats back the same. */
static void values(const char *v)
{
	struct rd rd, rd2;
	struct ext_community rt, rt2;
	struct prefix4 p, p2;
	uint32_t a, a2, l;
	char b[RD_STRLEN], pb[PREFIX4_STRLEN], ib[IPV4_STRLEN];

	if (rd_parse(v, &rd) == 0) {
		CHECK(rd_parse(rd_format(&rd, b), &rd2) == 0 && rd_equal(&rd, &rd2));
	}
	if (rt_parse(v, &rt) == 0) {
		CHECK(extcom_is_rt(&rt));
		CHECK(rt_parse(extcom_format(&rt, b), &rt2) == 0 && extcom_equal(&rt, &rt2));
	}
	if (prefix4_parse(v, &p) == 0) {
		CHECK(p.len <= 32);
		CHECK(prefix4_parse(prefix4_format(&p, pb), &p2) == 0 && prefix4_equal(&p, &p2));
	}
	if (ifaddr4_parse(v, &p) == 0)
		CHECK(p.len <= 32);
	if (ipv4_parse(v, &a) == 0)
		CHECK(ipv4_parse(ipv4_format(a, ib), &a2) == 0 && a == a2);
	if (mpls_label_parse(v, &l) == 0)
		CHECK(l <= MPLS_LABEL_MAX);
}

/* buf holds one JSON document (strict; UTF-8 checked when asked). NULL when it does not parse. */
static struct json_object *json_parse(struct evbuffer *buf)
{
	size_t len = evbuffer_get_length(buf);
	const char *s = (const char *)evbuffer_pullup(buf, -1);
	struct json_tokener *tok = json_tokener_new();
	struct json_object *o;

	CHECK(tok != NULL);
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
					    (utf8_strict ? JSON_TOKENER_VALIDATE_UTF8 : 0));
	o = json_tokener_parse_ex(tok, s, (int)len);
	if (o != NULL && json_tokener_get_error(tok) != json_tokener_success) {
		json_object_put(o);
		o = NULL;
	}
	json_tokener_free(tok);
	return o;
}

static bool ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 0x80)
			return false;
	return true;
}

/* api_error's answer naming the path: valid JSON whose "error" holds the path. */
static void error_check(const char *path)
{
	struct evbuffer *buf = evbuffer_new();
	struct json_object *o, *v;
	struct jw w;

	CHECK(buf != NULL);
	jw_init(&w, buf);
	CHECK(api_error(&w, 404, "no such path: %s (GET / lists them)", path) == 404);
	CHECK(!w.failed);
	o = json_parse(buf);
	CHECK(o != NULL);
	CHECK(json_object_object_get_ex(o, "error", &v));
	/* vsnprintf into 512 bytes may cut a long path */
	CHECK(strlen(path) > 400 || !ascii(path) || strstr(json_object_get_string(v), path) != NULL);
	CHECK(json_object_object_get_ex(o, "status", &v) && json_object_get_int(v) == 404);
	json_object_put(o);
	evbuffer_free(buf);
}

/* The parameters written as JSON strings come back byte for byte (ASCII ones). */
static void params_check(struct evkeyvalq *q)
{
	struct evbuffer *buf = evbuffer_new();
	struct json_object *o, *params;
	struct evkeyval *kv;
	struct jw w;
	size_t i = 0;

	CHECK(buf != NULL);
	jw_init(&w, buf);
	jw_object_begin(&w);
	jw_key(&w, "params");
	jw_array_begin(&w);
	TAILQ_FOREACH(kv, q, next) {
		jw_object_begin(&w);
		jw_kv_string(&w, "key", kv->key);
		jw_kv_string(&w, "value", kv->value);
		jw_object_end(&w);
	}
	jw_array_end(&w);
	jw_object_end(&w);
	CHECK(!w.failed);
	o = json_parse(buf);
	CHECK(o != NULL);
	CHECK(json_object_object_get_ex(o, "params", &params));
	TAILQ_FOREACH(kv, q, next) {
		struct json_object *pair = json_object_array_get_idx(params, i++), *k, *val;

		CHECK(pair != NULL);
		CHECK(json_object_object_get_ex(pair, "key", &k));
		CHECK(json_object_object_get_ex(pair, "value", &val));
		CHECK(!ascii(kv->key) || strcmp(json_object_get_string(k), kv->key) == 0);
		CHECK(!ascii(kv->value) || strcmp(json_object_get_string(val), kv->value) == 0);
	}
	json_object_put(o);
	evbuffer_free(buf);
}

/*
 * api_check_params as every handler calls it: a refusal is a 400 whose JSON
 * is valid; an acceptance leaves nothing written.
 */
static void check_params_check(const struct api_request *ar)
{
	static const char *const keys[] = { "rd", "prefix", "vrf", NULL };
	struct evbuffer *buf = evbuffer_new();
	struct json_object *o;
	struct jw w;
	int rc;

	CHECK(buf != NULL);
	jw_init(&w, buf);
	rc = api_check_params(&w, ar, keys);
	if (rc == 0) {
		CHECK(evbuffer_get_length(buf) == 0);
	} else {
		CHECK(rc == 400 && !w.failed);
		o = json_parse(buf);
		CHECK(o != NULL);
		json_object_put(o);
	}
	evbuffer_free(buf);
}

static void request(const char *target)
{
	struct evhttp_uri *uri = evhttp_uri_parse_with_flags(target, EVHTTP_URI_NONCONFORMANT);
	struct evkeyvalq q;
	struct evkeyval *kv;
	struct api_request ar;
	const char *path, *qs, *v;

	if (uri == NULL)
		return; /* evhttp answers 400 itself */
	TAILQ_INIT(&q);
	path = evhttp_uri_get_path(uri);
	qs = evhttp_uri_get_query(uri);
	if (path == NULL || *path == '\0')
		path = "/";
	error_check(path);
	if (qs != NULL && evhttp_parse_query_str(qs, &q) < 0) {
		evhttp_clear_headers(&q);
		evhttp_uri_free(uri);
		return; /* api_run: 400 malformed query string */
	}
	ar.path = path;
	ar.query = &q;
	/* what handlers read: bgpd /routes rd, prefix; vrfmgr /explain; vrf everywhere */
	static const char *const keys[] = { "rd", "prefix", "vrf" };
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if ((v = api_query_get(&ar, keys[i])) != NULL)
			values(v);
	TAILQ_FOREACH(kv, &q, next)
		values(kv->value);
	params_check(&q);
	check_params_check(&ar);
	evhttp_clear_headers(&q);
	evhttp_uri_free(uri);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	request(s);
	free(s);
	return 0;
}
