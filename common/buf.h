/*
 * Bounds-checked wire buffers. Every read of untrusted input goes through
 * struct rbuf, whose getters fail (return -1 and leave the output untouched)
 * instead of reading past the end. struct wbuf grows as needed; an allocation
 * failure sets a sticky error checked once at the end (wbuf_ok).
 * All multi-byte values are big-endian (network order) on the wire.
 */
#ifndef FERRY_BUF_H
#define FERRY_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rbuf {
	const uint8_t *p;
	size_t len;
	size_t off;
};

static inline void rbuf_init(struct rbuf *r, const void *p, size_t len)
{
	r->p = p;
	r->len = len;
	r->off = 0;
}
static inline size_t rbuf_left(const struct rbuf *r) { return r->len - r->off; }
static inline const uint8_t *rbuf_cur(const struct rbuf *r) { return r->p + r->off; }

int rbuf_get_u8(struct rbuf *r, uint8_t *v);
int rbuf_get_u16(struct rbuf *r, uint16_t *v);
int rbuf_get_u32(struct rbuf *r, uint32_t *v);
int rbuf_get_bytes(struct rbuf *r, void *out, size_t n);
int rbuf_skip(struct rbuf *r, size_t n);
/* Splits the next n bytes off as their own reader. */
int rbuf_sub(struct rbuf *r, size_t n, struct rbuf *sub);

struct wbuf {
	uint8_t *data;
	size_t len;
	size_t cap;
	bool failed;
};

void wbuf_init(struct wbuf *w);
void wbuf_free(struct wbuf *w);
void wbuf_reset(struct wbuf *w); /* len = 0, keeps the allocation */
bool wbuf_ok(const struct wbuf *w);
void wbuf_put_u8(struct wbuf *w, uint8_t v);
void wbuf_put_u16(struct wbuf *w, uint16_t v);
void wbuf_put_u32(struct wbuf *w, uint32_t v);
void wbuf_put_bytes(struct wbuf *w, const void *p, size_t n);
/* Overwrites 1/2 bytes at an earlier offset (length fields filled in afterwards). */
void wbuf_set_u8(struct wbuf *w, size_t off, uint8_t v);
void wbuf_set_u16(struct wbuf *w, size_t off, uint16_t v);

#endif
