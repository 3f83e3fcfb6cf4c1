/*
 * Streaming JSON writer (see jw.h). Values are appended to the evbuffer as
 * they are written; the writer only remembers, per nesting level, whether it
 * is an object or an array and whether something was written yet, which is
 * all it needs to place commas and to catch misuse (a value where a key is
 * due, a key inside an array, unbalanced ends). Errors are sticky: after the
 * first one nothing more is written and w->failed stays set, so a handler
 * checks once at the end.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <event2/buffer.h>

#include "common/jw.h"

void jw_init(struct jw *w, struct evbuffer *out)
{
	memset(w, 0, sizeof(*w));
	w->out = out;
	w->first[0] = true;
}

static void jw_add(struct jw *w, const char *s, size_t n)
{
	if (!w->failed && evbuffer_add(w->out, s, n) < 0)
		w->failed = true;
}

static void jw_puts(struct jw *w, const char *s)
{
	jw_add(w, s, strlen(s));
}

/* Before any value: checks it is allowed here and writes the separating comma. */
static bool jw_value_pre(struct jw *w)
{
	if (w->failed)
		return false;
	if (w->depth > 0 && w->is_object[w->depth]) {
		if (!w->after_key) {
			w->failed = true; /* a value where a key is due */
			return false;
		}
		w->after_key = false;
		return true;
	}
	if (!w->first[w->depth]) {
		if (w->depth == 0) {
			w->failed = true; /* a second top-level value */
			return false;
		}
		jw_add(w, ",", 1);
	}
	w->first[w->depth] = false;
	return !w->failed;
}

static void jw_open(struct jw *w, bool object)
{
	if (w->depth + 1 >= JW_MAX_DEPTH) {
		w->failed = true;
		return;
	}
	if (!jw_value_pre(w))
		return;
	jw_add(w, object ? "{" : "[", 1);
	w->depth++;
	w->first[w->depth] = true;
	w->is_object[w->depth] = object;
}

static void jw_close(struct jw *w, bool object)
{
	if (w->failed)
		return;
	if (w->depth == 0 || w->is_object[w->depth] != object || w->after_key) {
		w->failed = true;
		return;
	}
	w->depth--;
	jw_add(w, object ? "}" : "]", 1);
}

void jw_object_begin(struct jw *w)
{
	jw_open(w, true);
}

void jw_object_end(struct jw *w)
{
	jw_close(w, true);
}

void jw_array_begin(struct jw *w)
{
	jw_open(w, false);
}

void jw_array_end(struct jw *w)
{
	jw_close(w, false);
}

/* Writes s as a quoted JSON string; runs of plain bytes go out in one add. */
static void jw_quoted(struct jw *w, const char *s)
{
	const char *run = s;
	char esc[8];

	jw_add(w, "\"", 1);
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c >= 0x20 && c != '"' && c != '\\' && c != 0x7f)
			continue;
		jw_add(w, run, (size_t)(s - run));
		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			jw_add(w, esc, 2);
		} else {
			snprintf(esc, sizeof(esc), "\\u%04x", c);
			jw_add(w, esc, 6);
		}
		run = s + 1;
	}
	jw_add(w, run, (size_t)(s - run));
	jw_add(w, "\"", 1);
}

void jw_key(struct jw *w, const char *key)
{
	if (w->failed)
		return;
	if (w->depth == 0 || !w->is_object[w->depth] || w->after_key || key == NULL) {
		w->failed = true;
		return;
	}
	if (!w->first[w->depth])
		jw_add(w, ",", 1);
	w->first[w->depth] = false;
	jw_quoted(w, key);
	jw_add(w, ":", 1);
	w->after_key = true;
}

void jw_string(struct jw *w, const char *s)
{
	if (s == NULL) {
		jw_null(w);
		return;
	}
	if (jw_value_pre(w))
		jw_quoted(w, s);
}

void jw_int(struct jw *w, int64_t v)
{
	char b[24];

	if (jw_value_pre(w)) {
		snprintf(b, sizeof(b), "%" PRId64, v);
		jw_puts(w, b);
	}
}

void jw_uint(struct jw *w, uint64_t v)
{
	char b[24];

	if (jw_value_pre(w)) {
		snprintf(b, sizeof(b), "%" PRIu64, v);
		jw_puts(w, b);
	}
}

void jw_bool(struct jw *w, bool v)
{
	if (jw_value_pre(w))
		jw_puts(w, v ? "true" : "false");
}

void jw_null(struct jw *w)
{
	if (jw_value_pre(w))
		jw_puts(w, "null");
}

void jw_kv_string(struct jw *w, const char *key, const char *s)
{
	jw_key(w, key);
	jw_string(w, s);
}

void jw_kv_int(struct jw *w, const char *key, int64_t v)
{
	jw_key(w, key);
	jw_int(w, v);
}

void jw_kv_uint(struct jw *w, const char *key, uint64_t v)
{
	jw_key(w, key);
	jw_uint(w, v);
}

void jw_kv_bool(struct jw *w, const char *key, bool v)
{
	jw_key(w, key);
	jw_bool(w, v);
}
