/*
 * UTF-8 (RFC 3629), for text from outside (JSON strings, a peer's shutdown
 * communication) that goes on as text.
 */
#ifndef FERRY_COMMON_UTF8_H
#define FERRY_COMMON_UTF8_H

#include <stdbool.h>
#include <stddef.h>

static inline bool utf8_cont(unsigned char c, unsigned char lo, unsigned char hi)
{
	return c >= lo && c <= hi;
}

/*
 * Length of the well-formed multi-byte sequence at p, or 0 (ASCII too). It
 * reads up to 4 bytes: p must be NUL-terminated, as a NUL stops it.
 */
static inline size_t utf8_seq_len(const unsigned char *p)
{
	unsigned char c = p[0];

	if (c >= 0xc2 && c <= 0xdf)
		return utf8_cont(p[1], 0x80, 0xbf) ? 2 : 0;
	if (c >= 0xe0 && c <= 0xef) {
		unsigned char lo = c == 0xe0 ? 0xa0 : 0x80, hi = c == 0xed ? 0x9f : 0xbf;

		return utf8_cont(p[1], lo, hi) && utf8_cont(p[2], 0x80, 0xbf) ? 3 : 0;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		unsigned char lo = c == 0xf0 ? 0x90 : 0x80, hi = c == 0xf4 ? 0x8f : 0xbf;

		return utf8_cont(p[1], lo, hi) && utf8_cont(p[2], 0x80, 0xbf) &&
		       utf8_cont(p[3], 0x80, 0xbf) ? 4 : 0;
	}
	return 0;
}

#endif
