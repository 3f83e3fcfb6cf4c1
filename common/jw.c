/*
 * Streaming JSON writer (see jw.h). Values are appended to the evbuffer as
 * they are written; the writer only remembers, per nesting level, whether it
 * is an object or an array and whether something was written yet, which is
 * all it needs to place commas and to catch misuse (a value where a key is
 * due, a key inside an array, unbalanced ends). Errors are sticky: after the
 * first one nothing more is written and w->failed stays set, so a handler
 * checks once at the end.
 *
 * Writes land in a stage inside struct jw and reach the evbuffer in blocks
 * (JW_STAGE bytes, or when a top-level value ends, or on jw_flush): the
 * large dumps write tens of small pieces per entry, and one evbuffer_add
 * per piece was most of their cost. Numbers are formatted by hand for the
 * same reason.
 */
#include <stdio.h>
#include <string.h>

#include <event2/buffer.h>

#include "common/jw.h"
#include "common/utf8.h"

void jw_init(struct jw *w, struct evbuffer *out)
{
	/* not memset: the stage is large and needs no clearing */
	w->out = out;
	w->staged = 0;
	w->depth = 0;
	w->after_key = false;
	w->failed = false;
	memset(w->first, 0, sizeof(w->first));
	memset(w->is_object, 0, sizeof(w->is_object));
	w->first[0] = true;
}

void jw_flush(struct jw *w)
{
	if (w->staged == 0)
		return;
	if (evbuffer_add(w->out, w->stage, w->staged) < 0)
		w->failed = true;
	w->staged = 0;
}

/* Misuse or no memory: what was staged still reaches out, nothing more will. */
static void jw_fail(struct jw *w)
{
	jw_flush(w);
	w->failed = true;
}

/* Room for n more bytes in the stage (flushing it if needed); false when n never fits. */
static inline bool jw_room(struct jw *w, size_t n)
{
	if (w->staged + n <= JW_STAGE)
		return true;
	jw_flush(w);
	return n <= JW_STAGE;
}

static inline void jw_add(struct jw *w, const char *s, size_t n)
{
	if (w->failed)
		return;
	if (!jw_room(w, n)) {
		if (evbuffer_add(w->out, s, n) < 0)
			w->failed = true;
		return;
	}
	/* short pieces (most of them) are cheaper copied here than through a call */
	if (n <= 16) {
		char *d = w->stage + w->staged;

		for (size_t i = 0; i < n; i++)
			d[i] = s[i];
	} else {
		memcpy(w->stage + w->staged, s, n);
	}
	w->staged += n;
}

static inline void jw_byte(struct jw *w, char c)
{
	if (!w->failed && jw_room(w, 1))
		w->stage[w->staged++] = c;
}

void jw_raw(struct jw *w, const char *s, size_t n)
{
	jw_add(w, s, n);
}

/* A completed top-level value goes out at once: callers read w->out next. */
static void jw_top_done(struct jw *w)
{
	if (w->depth == 0)
		jw_flush(w);
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
			jw_fail(w); /* a value where a key is due */
			return false;
		}
		w->after_key = false;
		return true;
	}
	if (!w->first[w->depth]) {
		if (w->depth == 0) {
			jw_fail(w); /* a second top-level value */
			return false;
		}
		jw_byte(w, ',');
	}
	w->first[w->depth] = false;
	return !w->failed;
}

static void jw_open(struct jw *w, bool object)
{
	if (w->depth + 1 >= JW_MAX_DEPTH) {
		jw_fail(w);
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
		jw_fail(w);
		return;
	}
	w->depth--;
	jw_add(w, object ? "}" : "]", 1);
	jw_top_done(w);
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

/*
 * Bytes that need a look inside a JSON string: controls, '"', '\\', DEL,
 * and every non-ASCII byte (checked as UTF-8: JSON text must be UTF-8, and
 * names and query values can carry any bytes).
 */
static const unsigned char jw_esc[256] = {
	[0 ... 0x1f] = 1, ['"'] = 1, ['\\'] = 1, [0x7f ... 0xff] = 1,
};

/*
 * The slow way: runs of plain bytes (and well-formed UTF-8) out in one add,
 * escapes between them; a byte that is not UTF-8 becomes U+FFFD.
 */
static void jw_quoted_slow(struct jw *w, const char *s)
{
	const unsigned char *p = (const unsigned char *)s, *run = p;
	char esc[8];
	size_t n;

	jw_add(w, "\"", 1);
	for (;;) {
		while (!jw_esc[*p] && *p != '\0')
			p++;
		if (*p >= 0x80 && (n = utf8_seq_len(p)) > 0) {
			p += n;
			continue;
		}
		jw_add(w, (const char *)run, (size_t)(p - run));
		if (*p == '\0')
			break;
		if (*p == '"' || *p == '\\') {
			esc[0] = '\\';
			esc[1] = (char)*p;
			jw_add(w, esc, 2);
		} else if (*p >= 0x80) {
			jw_add(w, "\\ufffd", 6);
		} else {
			snprintf(esc, sizeof(esc), "\\u%04x", *p);
			jw_add(w, esc, 6);
		}
		run = ++p;
	}
	jw_add(w, "\"", 1);
}

/*
 * Writes s as a quoted JSON string. The usual string is short and plain: it
 * is scanned and copied into the stage in one pass; anything else (an
 * escape, a string longer than the stage holds) takes the slow way.
 */
static void jw_quoted(struct jw *w, const char *s)
{
	size_t start, n = strlen(s);
	char *d;

	if (w->failed)
		return;
	if (n + 2 > JW_STAGE / 2 || !jw_room(w, n + 2)) {
		jw_quoted_slow(w, s);
		return;
	}
	start = w->staged;
	d = w->stage + start;
	*d++ = '"';
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (jw_esc[c]) {
			w->staged = start; /* undo, escape properly */
			jw_quoted_slow(w, s);
			return;
		}
		*d++ = (char)c;
	}
	*d++ = '"';
	w->staged = (size_t)(d - w->stage);
}

void jw_key(struct jw *w, const char *key)
{
	if (w->failed)
		return;
	if (w->depth == 0 || !w->is_object[w->depth] || w->after_key || key == NULL) {
		jw_fail(w);
		return;
	}
	if (!w->first[w->depth])
		jw_byte(w, ',');
	w->first[w->depth] = false;
	jw_quoted(w, key);
	jw_byte(w, ':');
	w->after_key = true;
}

void jw_string(struct jw *w, const char *s)
{
	if (s == NULL) {
		jw_null(w);
		return;
	}
	if (jw_value_pre(w)) {
		jw_quoted(w, s);
		jw_top_done(w);
	}
}

/* Decimal digits of v ending at end (exclusive); returns where they start. */
static char *jw_utoa(uint64_t v, char *end)
{
	do {
		*--end = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	return end;
}

void jw_int(struct jw *w, int64_t v)
{
	char b[24], *p;

	if (!jw_value_pre(w))
		return;
	/* the magnitude as unsigned, so INT64_MIN needs no special case */
	p = jw_utoa(v < 0 ? 0 - (uint64_t)v : (uint64_t)v, b + sizeof(b));
	if (v < 0)
		*--p = '-';
	jw_add(w, p, (size_t)(b + sizeof(b) - p));
	jw_top_done(w);
}

void jw_uint(struct jw *w, uint64_t v)
{
	char b[24], *p;

	if (!jw_value_pre(w))
		return;
	p = jw_utoa(v, b + sizeof(b));
	jw_add(w, p, (size_t)(b + sizeof(b) - p));
	jw_top_done(w);
}

void jw_ipv4(struct jw *w, uint32_t a)
{
	char b[20], *p = b + sizeof(b);

	if (!jw_value_pre(w))
		return;
	*--p = '"';
	for (int i = 0; i < 4; i++) {
		p = jw_utoa((a >> (8 * i)) & 0xff, p);
		*--p = i == 3 ? '"' : '.';
	}
	jw_add(w, p, (size_t)(b + sizeof(b) - p));
	jw_top_done(w);
}

void jw_bool(struct jw *w, bool v)
{
	if (jw_value_pre(w)) {
		jw_puts(w, v ? "true" : "false");
		jw_top_done(w);
	}
}

void jw_null(struct jw *w)
{
	if (jw_value_pre(w)) {
		jw_puts(w, "null");
		jw_top_done(w);
	}
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

void jw_kv_ipv4(struct jw *w, const char *key, uint32_t addr)
{
	jw_key(w, key);
	jw_ipv4(w, addr);
}
