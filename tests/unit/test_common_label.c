/* common/label.c: RFC 3032 label stack entries and label parsing. */
#include <criterion/criterion.h>
#include <errno.h>

#include "common/label.h"

Test(label, encode_known_bytes)
{
	struct mpls_lse e = { .label = 16, .tc = 0, .bos = false, .ttl = 64 };
	uint8_t b[MPLS_LSE_LEN];

	mpls_lse_encode(b, &e);
	cr_assert(b[0] == 0x00 && b[1] == 0x01 && b[2] == 0x00 && b[3] == 0x40);
	e = (struct mpls_lse){ .label = 200, .tc = 5, .bos = true, .ttl = 255 };
	mpls_lse_encode(b, &e);
	/* 200 << 12 = 0x000c8000; tc 5 << 9 = 0xa00; S = 0x100; ttl 0xff */
	cr_assert(b[0] == 0x00 && b[1] == 0x0c && b[2] == 0x8b && b[3] == 0xff);
}

Test(label, round_trip)
{
	static const uint32_t labels[] = { 0, 3, 16, 100, 1048575 };
	uint8_t b[MPLS_LSE_LEN];
	struct mpls_lse e, d;

	for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++) {
		for (uint8_t tc = 0; tc < 8; tc++) {
			e = (struct mpls_lse){ labels[i], tc, (tc & 1) != 0, (uint8_t)(tc * 31) };
			mpls_lse_encode(b, &e);
			mpls_lse_decode(b, &d);
			cr_assert(d.label == e.label && d.tc == e.tc && d.bos == e.bos &&
				  d.ttl == e.ttl);
		}
	}
}

Test(label, decode_max)
{
	static const uint8_t b[MPLS_LSE_LEN] = { 0xff, 0xff, 0xff, 0xff };
	struct mpls_lse d;

	mpls_lse_decode(b, &d);
	cr_assert(d.label == MPLS_LABEL_MAX && d.tc == 7 && d.bos && d.ttl == 255);
}

Test(label, parse)
{
	uint32_t l = 0;

	cr_assert_eq(mpls_label_parse("16", &l), 0);
	cr_assert_eq(l, 16);
	cr_assert_eq(mpls_label_parse("0", &l), 0);
	cr_assert_eq(l, 0);
	cr_assert_eq(mpls_label_parse("1048575", &l), 0);
	cr_assert_eq(l, 1048575);
	cr_assert_eq(mpls_label_parse("implicit-null", &l), 0);
	cr_assert_eq(l, MPLS_LABEL_IMPLICIT_NULL);
	cr_assert_eq(mpls_label_parse("explicit-null", &l), 0);
	cr_assert_eq(l, MPLS_LABEL_IPV4_EXPLICIT_NULL);
}

Test(label, parse_rejects)
{
	static const char *const bad[] = { "", "1048576", "-1", "+5", "16x", " 16", "0x10",
					   "implicit", "null", "99999999999" };
	uint32_t l = 77;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(mpls_label_parse(bad[i], &l), -EINVAL, "%s", bad[i]);
	cr_assert_eq(l, 77);
	cr_assert_eq(mpls_label_parse(NULL, &l), -EINVAL);
}

Test(label, valid)
{
	cr_assert(mpls_label_valid(0));
	cr_assert(mpls_label_valid(MPLS_LABEL_MAX));
	cr_assert_not(mpls_label_valid(MPLS_LABEL_MAX + 1));
	cr_assert_not(mpls_label_valid(MPLS_LABEL_NONE));
}
