/*
 * Streaming JSON writer into a libevent evbuffer (OpenBGPD bgpctl style):
 * entries are written as they are visited, so a large table is never built
 * as an object tree in memory. Keys are snake_case. Nesting is tracked to
 * place commas; misuse (a value where a key is due) is a programming error
 * and sets w->failed. Small writes are gathered in the struct and handed to
 * the evbuffer in blocks, so a million-route dump costs memcpy, not a
 * million evbuffer calls.
 */
#ifndef FERRY_JW_H
#define FERRY_JW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct evbuffer;

#define JW_MAX_DEPTH 32
#define JW_STAGE 4096 /* bytes gathered before one evbuffer_add */

struct jw {
	struct evbuffer *out;
	size_t staged; /* bytes in stage not yet in out (jw_flush moves them) */
	int depth;
	bool first[JW_MAX_DEPTH]; /* no element written yet at this level */
	bool after_key;
	bool failed;
	bool is_object[JW_MAX_DEPTH]; /* container at this level is an object (else array) */
	char stage[JW_STAGE];
};

void jw_init(struct jw *w, struct evbuffer *out);
void jw_object_begin(struct jw *w);
void jw_object_end(struct jw *w);
void jw_array_begin(struct jw *w);
void jw_array_end(struct jw *w);
void jw_key(struct jw *w, const char *key);
void jw_string(struct jw *w, const char *s); /* escaped; NULL writes null */
void jw_int(struct jw *w, int64_t v);
void jw_uint(struct jw *w, uint64_t v);
void jw_bool(struct jw *w, bool v);
void jw_null(struct jw *w);

/*
 * Output is gathered in w->stage and moved to w->out when the stage fills,
 * when a top-level value is complete, on a failure and by jw_flush: read
 * w->out directly only after one of those.
 */
void jw_flush(struct jw *w);
/* Bytes written as they are (not JSON: SSE framing, Prometheus text). */
void jw_raw(struct jw *w, const char *s, size_t n);
/* An IPv4 address (host order) as a quoted dotted quad: the API's most common value. */
void jw_ipv4(struct jw *w, uint32_t addr);

/* key + value shorthands */
void jw_kv_string(struct jw *w, const char *key, const char *s);
void jw_kv_int(struct jw *w, const char *key, int64_t v);
void jw_kv_uint(struct jw *w, const char *key, uint64_t v);
void jw_kv_bool(struct jw *w, const char *key, bool v);
void jw_kv_ipv4(struct jw *w, const char *key, uint32_t addr);

#endif
