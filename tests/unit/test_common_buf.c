/* common/buf.c: bounded reads fail cleanly (no overread), writers grow and flag misuse. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"

Test(rbuf, reads_big_endian)
{
	static const uint8_t d[] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0xaa, 0xbb };
	struct rbuf r;
	uint8_t u8, b[2];
	uint16_t u16;
	uint32_t u32;

	rbuf_init(&r, d, sizeof(d));
	cr_assert_eq(rbuf_get_u8(&r, &u8), 0);
	cr_assert_eq(u8, 0x01);
	cr_assert_eq(rbuf_get_u16(&r, &u16), 0);
	cr_assert_eq(u16, 0x0203);
	cr_assert_eq(rbuf_get_u32(&r, &u32), 0);
	cr_assert_eq(u32, 0x04050607u);
	cr_assert_eq(rbuf_left(&r), 2);
	cr_assert_eq(*rbuf_cur(&r), 0xaa);
	cr_assert_eq(rbuf_get_bytes(&r, b, 2), 0);
	cr_assert(b[0] == 0xaa && b[1] == 0xbb);
	cr_assert_eq(rbuf_left(&r), 0);
	cr_assert_eq(rbuf_get_u8(&r, &u8), -1);
}

/*
 * Each getter on a buffer one byte too short must fail and leave the reader
 * and the output alone. The data sits at the very end of a heap block so ASan
 * catches any overread.
 */
Test(rbuf, short_reads_fail_without_overread)
{
	uint8_t *blk = malloc(3);
	struct rbuf r;
	uint8_t u8 = 9, out[4] = { 9, 9, 9, 9 };
	uint16_t u16 = 9;
	uint32_t u32 = 9;

	memset(blk, 0xee, 3);
	rbuf_init(&r, blk + 2, 1);
	cr_assert_eq(rbuf_get_u16(&r, &u16), -1);
	cr_assert_eq(u16, 9);
	cr_assert_eq(r.off, 0);
	rbuf_init(&r, blk, 3);
	cr_assert_eq(rbuf_get_u32(&r, &u32), -1);
	cr_assert_eq(u32, 9);
	cr_assert_eq(rbuf_get_bytes(&r, out, 4), -1);
	cr_assert_eq(out[0], 9);
	cr_assert_eq(rbuf_skip(&r, 4), -1);
	cr_assert_eq(r.off, 0);
	rbuf_init(&r, blk, 0);
	cr_assert_eq(rbuf_get_u8(&r, &u8), -1);
	cr_assert_eq(u8, 9);
	free(blk);
}

Test(rbuf, skip_and_sub)
{
	static const uint8_t d[] = { 1, 2, 3, 4, 5, 6 };
	struct rbuf r, s, t;
	uint8_t v;
	uint16_t v16;

	rbuf_init(&r, d, sizeof(d));
	cr_assert_eq(rbuf_skip(&r, 1), 0);
	cr_assert_eq(rbuf_sub(&r, 3, &s), 0);
	cr_assert_eq(rbuf_left(&s), 3);
	cr_assert_eq(rbuf_left(&r), 2);
	cr_assert_eq(rbuf_get_u16(&s, &v16), 0);
	cr_assert_eq(v16, 0x0203);
	cr_assert_eq(rbuf_get_u16(&s, &v16), -1, "sub reader is bounded by its own length");
	cr_assert_eq(rbuf_get_u8(&s, &v), 0);
	cr_assert_eq(v, 4);
	cr_assert_eq(rbuf_sub(&r, 3, &t), -1);
	cr_assert_eq(rbuf_left(&r), 2);
	cr_assert_eq(rbuf_get_u8(&r, &v), 0);
	cr_assert_eq(v, 5);
	cr_assert_eq(rbuf_sub(&r, 0, &t), 0);
	cr_assert_eq(rbuf_left(&t), 0);
}

Test(wbuf, writes_big_endian_and_grows)
{
	struct wbuf w;

	wbuf_init(&w);
	wbuf_put_u8(&w, 0x01);
	wbuf_put_u16(&w, 0x0203);
	wbuf_put_u32(&w, 0x04050607u);
	wbuf_put_bytes(&w, "\xaa\xbb", 2);
	cr_assert(wbuf_ok(&w));
	cr_assert_eq(w.len, 9);
	cr_assert_arr_eq(w.data, "\x01\x02\x03\x04\x05\x06\x07\xaa\xbb", 9);
	for (int i = 0; i < 10000; i++)
		wbuf_put_u32(&w, (uint32_t)i);
	cr_assert(wbuf_ok(&w));
	cr_assert_eq(w.len, 9 + 40000);
	cr_assert_eq(w.data[w.len - 1], (uint8_t)9999);
	wbuf_free(&w);
}

Test(wbuf, set_fills_length_fields)
{
	struct wbuf w;

	wbuf_init(&w);
	wbuf_put_u16(&w, 0);
	wbuf_put_u8(&w, 0);
	wbuf_put_bytes(&w, "xyz", 3);
	wbuf_set_u16(&w, 0, 0x1234);
	wbuf_set_u8(&w, 2, 3);
	cr_assert(wbuf_ok(&w));
	cr_assert_arr_eq(w.data, "\x12\x34\x03xyz", 6);
	wbuf_reset(&w);
	cr_assert_eq(w.len, 0);
	cr_assert(w.cap > 0);
	wbuf_free(&w);
}

Test(wbuf, set_out_of_range_fails)
{
	struct wbuf w;

	wbuf_init(&w);
	wbuf_put_u8(&w, 1);
	wbuf_set_u16(&w, 0, 1);
	cr_assert_not(wbuf_ok(&w));
	wbuf_put_u8(&w, 2);
	cr_assert_eq(w.len, 1, "puts are ignored after a failure");
	wbuf_reset(&w);
	cr_assert(wbuf_ok(&w));
	wbuf_set_u8(&w, 0, 1);
	cr_assert_not(wbuf_ok(&w));
	wbuf_free(&w);
}
