/*
 * The API's formatting helpers without a server: api_fmt.c's fast RD,
 * route target and prefix writers against the common formatters, and the
 * ?after= cursor split (api_after_split).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include <event2/buffer.h>

#include "common/api.h"
#include "common/jw.h"
#include "common/prefix.h"
#include "common/rd.h"

/* api_fmt.c writes exactly what rd_format / prefix4_format / extcom_format write. */
Test(api_fmt, fast_formatters_match)
{
	static const char *const rds[] = { "65000:100", "10.255.0.1:100", "4200000000:7",
					   "0:0", "65535:4294967295", "255.255.255.255:65535",
					   "65000L:7", "0L:0" };
	struct evbuffer *b = evbuffer_new();
	char want[64], got[64];
	struct jw w;

	for (size_t i = 0; i < sizeof(rds) / sizeof(rds[0]); i++) {
		struct rd rd;
		struct ext_community rt;
		size_t n;

		cr_assert_eq(rd_parse(rds[i], &rd), 0, "%s", rds[i]);
		cr_assert_eq(rt_parse(rds[i], &rt), 0, "%s", rds[i]);
		jw_init(&w, b);
		jw_array_begin(&w);
		api_rd(&w, &rd);
		api_extcom(&w, &rt);
		jw_array_end(&w);
		n = evbuffer_remove(b, got, sizeof(got) - 1);
		got[n] = '\0';
		snprintf(want, sizeof(want), "[\"%s\",\"%s\"]", rd_format(&rd, (char[RD_STRLEN]){ 0 }),
			 extcom_format(&rt, (char[RD_STRLEN]){ 0 }));
		cr_assert_str_eq(got, want);
	}
	for (unsigned len = 0; len <= 32; len += 8) {
		struct prefix4 p = { 0xc0a86500u & prefix4_netmask((uint8_t)len), (uint8_t)len };
		char pb[PREFIX4_STRLEN];
		size_t n;

		jw_init(&w, b);
		api_prefix(&w, &p);
		n = evbuffer_remove(b, got, sizeof(got) - 1);
		got[n] = '\0';
		snprintf(want, sizeof(want), "\"%s\"", prefix4_format(&p, pb));
		cr_assert_str_eq(got, want);
	}
	evbuffer_free(b);
}

/* ?after=: what api_kv_next wrote, split back; an RD's own colons stay in the head. */
Test(api_after, splits_at_the_last_colon)
{
	struct prefix4 p;
	char head[32];

	cr_assert_eq(api_after_split("A:192.168.1.0/24", head, sizeof(head), &p), 0);
	cr_assert_str_eq(head, "A");
	cr_assert_eq(p.len, 24);
	cr_assert_eq(api_after_split("10.255.0.2:100:10.1.2.0/30", head, sizeof(head), &p), 0);
	cr_assert_str_eq(head, "10.255.0.2:100");
	cr_assert_eq(api_after_split("nocolon", head, sizeof(head), &p), -1);
	cr_assert_eq(api_after_split(":10.0.0.0/8", head, sizeof(head), &p), -1);
	cr_assert_eq(api_after_split("A:10.0.0.1/8", head, sizeof(head), &p), -1);
	cr_assert_eq(api_after_split("0123456789012345678901234567890123:10.0.0.0/8", head,
				     sizeof(head), &p), -1, "a head longer than the buffer");
}
