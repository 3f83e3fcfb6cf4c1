/*
 * OPEN messages a bgpd test's fake peer sends (test_bgpd_fsm, test_bgpd_caps,
 * test_bgpd_delayopen, test_bgpd_updgroup): one through bgpd's own encoder,
 * one written byte by byte with exactly the capabilities a test names.
 */
#ifndef TEST_BGPD_OPEN_H
#define TEST_BGPD_OPEN_H

#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "bgpd/msg.h"
#include "common/buf.h"

/* An OPEN from AS asn, router id id, hold 9, as bgpd's encoder writes it, into b. */
static inline size_t open_encoded(uint8_t *b, uint32_t asn, uint32_t id)
{
	struct bgp_open o = { .asn = asn, .hold_time = 9, .bgp_id = id };
	struct wbuf w;
	size_t n;

	wbuf_init(&w);
	cr_assert_eq(bgp_open_encode(&w, &o), 0);
	memcpy(b, w.data, w.len);
	n = w.len;
	wbuf_free(&w);
	return n;
}

/*
 * An OPEN from 127.0.0.<id>, AS 65000, hold time hold, with the capability
 * bytes caps (code, length, value ...) in one optional parameter, into b.
 */
static inline size_t open_with_caps(uint8_t *b, uint8_t id, uint8_t hold, const uint8_t *caps,
				    uint8_t clen)
{
	size_t n = 19;

	memset(b, 0xff, 16);
	b[18] = BGP_MSG_OPEN;
	b[n++] = 4;
	b[n++] = 0xfd;
	b[n++] = 0xe8;
	b[n++] = 0;
	b[n++] = hold;
	b[n++] = 127;
	b[n++] = 0;
	b[n++] = 0;
	b[n++] = id;
	b[n++] = (uint8_t)(2 + clen);
	b[n++] = 2;
	b[n++] = clen;
	memcpy(b + n, caps, clen);
	n += clen;
	b[16] = (uint8_t)(n >> 8);
	b[17] = (uint8_t)n;
	return n;
}

#endif
