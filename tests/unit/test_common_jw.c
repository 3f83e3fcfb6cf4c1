/* common/jw.c: commas per depth, escaping, misuse detection. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "common/jw.h"

static struct evbuffer *buf;
static struct jw w;

static void setup(void)
{
	buf = evbuffer_new();
	jw_init(&w, buf);
}

static void teardown(void)
{
	evbuffer_free(buf);
}

/* The buffer as a NUL-terminated string (static storage, test use only). */
static const char *text(void)
{
	static char out[4096];
	size_t n = evbuffer_get_length(buf);

	cr_assert_lt(n, sizeof(out));
	evbuffer_copyout(buf, out, n);
	out[n] = '\0';
	return out;
}

TestSuite(jw, .init = setup, .fini = teardown);

Test(jw, nested_commas)
{
	jw_object_begin(&w);
	jw_key(&w, "neighbors");
	jw_array_begin(&w);
	for (int i = 0; i < 2; i++) {
		jw_object_begin(&w);
		jw_kv_string(&w, "address", i ? "10.255.0.3" : "10.255.0.2");
		jw_kv_uint(&w, "remote_as", 65000);
		jw_kv_int(&w, "delta", -5);
		jw_kv_bool(&w, "up", i == 0);
		jw_key(&w, "label");
		jw_null(&w);
		jw_key(&w, "families");
		jw_array_begin(&w);
		jw_string(&w, "vpnv4");
		jw_uint(&w, 1);
		jw_array_end(&w);
		jw_object_end(&w);
	}
	jw_array_end(&w);
	jw_key(&w, "empty");
	jw_array_begin(&w);
	jw_array_end(&w);
	jw_key(&w, "obj");
	jw_object_begin(&w);
	jw_object_end(&w);
	jw_object_end(&w);
	cr_assert_not(w.failed);
	cr_assert_str_eq(text(),
			 "{\"neighbors\":[{\"address\":\"10.255.0.2\",\"remote_as\":65000,\"delta\":-5,"
			 "\"up\":true,\"label\":null,\"families\":[\"vpnv4\",1]},"
			 "{\"address\":\"10.255.0.3\",\"remote_as\":65000,\"delta\":-5,\"up\":false,"
			 "\"label\":null,\"families\":[\"vpnv4\",1]}],\"empty\":[],\"obj\":{}}");
}

Test(jw, escaping)
{
	jw_array_begin(&w);
	jw_string(&w, "a\"b\\c\n\t\x01\x1f\x7f/é");
	jw_string(&w, NULL);
	jw_string(&w, "");
	jw_array_end(&w);
	cr_assert_not(w.failed);
	cr_assert_str_eq(text(), "[\"a\\\"b\\\\c\\u000a\\u0009\\u0001\\u001f\\u007f/é\",null,\"\"]");
}

/* JSON text must be UTF-8: well-formed sequences pass, anything else is U+FFFD. */
Test(jw, not_utf8_replaced)
{
	jw_array_begin(&w);
	jw_string(&w, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");  /* e-acute, euro, emoji */
	jw_string(&w, "no VRF named \xff");                   /* a stray byte */
	jw_string(&w, "\xc0\xaf|\xed\xa0\x80|\xe2\x82");        /* overlong, surrogate, cut short */
	jw_array_end(&w);
	cr_assert_not(w.failed);
	cr_assert_str_eq(text(), "[\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\","
				 "\"no VRF named \\ufffd\","
				 "\"\\ufffd\\ufffd|\\ufffd\\ufffd\\ufffd|\\ufffd\\ufffd\"]");
}

Test(jw, key_escaped)
{
	jw_object_begin(&w);
	jw_kv_string(&w, "k\"", "v");
	jw_object_end(&w);
	cr_assert_str_eq(text(), "{\"k\\\"\":\"v\"}");
}

Test(jw, extremes)
{
	jw_array_begin(&w);
	jw_int(&w, INT64_MIN);
	jw_uint(&w, UINT64_MAX);
	jw_array_end(&w);
	cr_assert_str_eq(text(), "[-9223372036854775808,18446744073709551615]");
}

Test(jw, value_where_key_is_due)
{
	jw_object_begin(&w);
	jw_string(&w, "oops");
	cr_assert(w.failed);
}

Test(jw, key_in_array)
{
	jw_array_begin(&w);
	jw_key(&w, "k");
	cr_assert(w.failed);
}

Test(jw, key_twice)
{
	jw_object_begin(&w);
	jw_key(&w, "a");
	jw_key(&w, "b");
	cr_assert(w.failed);
}

Test(jw, mismatched_end)
{
	jw_object_begin(&w);
	jw_array_end(&w);
	cr_assert(w.failed);
}

Test(jw, end_after_key)
{
	jw_object_begin(&w);
	jw_key(&w, "a");
	jw_object_end(&w);
	cr_assert(w.failed);
}

Test(jw, end_at_top)
{
	jw_object_end(&w);
	cr_assert(w.failed);
}

Test(jw, two_top_level_values)
{
	jw_object_begin(&w);
	jw_object_end(&w);
	jw_object_begin(&w);
	cr_assert(w.failed);
}

Test(jw, too_deep_and_sticky)
{
	for (int i = 0; i < JW_MAX_DEPTH + 2; i++)
		jw_array_begin(&w);
	cr_assert(w.failed);
	size_t n = evbuffer_get_length(buf);
	jw_uint(&w, 1);
	cr_assert_eq(evbuffer_get_length(buf), n, "nothing written after a failure");
}

Test(jw, deepest_allowed)
{
	for (int i = 0; i < JW_MAX_DEPTH - 1; i++)
		jw_array_begin(&w);
	for (int i = 0; i < JW_MAX_DEPTH - 1; i++)
		jw_array_end(&w);
	cr_assert_not(w.failed);
}
