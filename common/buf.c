/*
 * Bounds-checked readers and growing writers for wire data. A failed rbuf
 * getter leaves both the reader and the output untouched, so a parser can
 * return on the first short read without cleanup. A wbuf records an
 * allocation failure once and ignores later puts, so encoders check wbuf_ok
 * at the end instead of after every field.
 */
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"

int rbuf_get_u8(struct rbuf *r, uint8_t *v)
{
	if (rbuf_left(r) < 1)
		return -1;
	*v = r->p[r->off];
	r->off += 1;
	return 0;
}

int rbuf_get_u16(struct rbuf *r, uint16_t *v)
{
	const uint8_t *p;

	if (rbuf_left(r) < 2)
		return -1;
	p = rbuf_cur(r);
	*v = (uint16_t)(p[0] << 8 | p[1]);
	r->off += 2;
	return 0;
}

int rbuf_get_u32(struct rbuf *r, uint32_t *v)
{
	const uint8_t *p;

	if (rbuf_left(r) < 4)
		return -1;
	p = rbuf_cur(r);
	*v = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	r->off += 4;
	return 0;
}

int rbuf_get_bytes(struct rbuf *r, void *out, size_t n)
{
	if (rbuf_left(r) < n)
		return -1;
	if (n > 0)
		memcpy(out, rbuf_cur(r), n);
	r->off += n;
	return 0;
}

int rbuf_skip(struct rbuf *r, size_t n)
{
	if (rbuf_left(r) < n)
		return -1;
	r->off += n;
	return 0;
}

int rbuf_sub(struct rbuf *r, size_t n, struct rbuf *sub)
{
	if (rbuf_left(r) < n)
		return -1;
	rbuf_init(sub, rbuf_cur(r), n);
	r->off += n;
	return 0;
}

void wbuf_init(struct wbuf *w)
{
	w->data = NULL;
	w->len = 0;
	w->cap = 0;
	w->failed = false;
}

void wbuf_free(struct wbuf *w)
{
	free(w->data);
	wbuf_init(w);
}

void wbuf_reset(struct wbuf *w)
{
	w->len = 0;
	w->failed = false;
}

bool wbuf_ok(const struct wbuf *w)
{
	return !w->failed;
}

/* Makes room for n more bytes; false (and sticky failure) when it cannot. */
static bool wbuf_reserve(struct wbuf *w, size_t n)
{
	size_t cap;
	uint8_t *p;

	if (w->failed)
		return false;
	if (n <= w->cap - w->len)
		return true;
	if (n > SIZE_MAX / 2 - w->len) {
		w->failed = true;
		return false;
	}
	cap = w->cap ? w->cap : 256;
	while (cap - w->len < n)
		cap *= 2;
	p = realloc(w->data, cap);
	if (p == NULL) {
		w->failed = true;
		return false;
	}
	w->data = p;
	w->cap = cap;
	return true;
}

void wbuf_put_u8(struct wbuf *w, uint8_t v)
{
	wbuf_put_bytes(w, &v, 1);
}

void wbuf_put_u16(struct wbuf *w, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	wbuf_put_bytes(w, b, sizeof(b));
}

void wbuf_put_u32(struct wbuf *w, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };

	wbuf_put_bytes(w, b, sizeof(b));
}

void wbuf_put_bytes(struct wbuf *w, const void *p, size_t n)
{
	if (n == 0 || !wbuf_reserve(w, n))
		return;
	memcpy(w->data + w->len, p, n);
	w->len += n;
}

/* Writing outside what was put is an encoder bug: flag it rather than corrupt memory. */
void wbuf_set_u8(struct wbuf *w, size_t off, uint8_t v)
{
	if (w->failed || off >= w->len) {
		w->failed = true;
		return;
	}
	w->data[off] = v;
}

void wbuf_set_u16(struct wbuf *w, size_t off, uint16_t v)
{
	if (w->failed || off > w->len || w->len - off < 2) {
		w->failed = true;
		return;
	}
	w->data[off] = (uint8_t)(v >> 8);
	w->data[off + 1] = (uint8_t)v;
}
