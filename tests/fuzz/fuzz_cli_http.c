/*
 * libFuzzer harness: how ferryctl reads an HTTP response (cli/http.c), the
 * bytes a daemon, or whatever answers at a --url, sends back. read_all
 * feeds cli_http_scan the response as it grows, read by read, until it
 * says complete (or broken), then cli_http_parse splits it; at EOF a body
 * without length is complete. The input: a byte giving the read size
 * (1-64), then the response.
 *
 * Each scan step sees exactly the bytes received so far, in a buffer of
 * that size (read_all's buffer holds whatever was there before beyond
 * them): reading on past them is caught by ASan. Properties besides no
 * crash, leak or UB:
 *  - the scan fed read by read says what one scan of the same bytes says
 *    (it only looks at what is new, so a read split must not change it);
 *  - a response the scan calls complete, with an HTTP status line, parses,
 *    and one that parses before EOF is one the scan calls complete (so
 *    ferryctl never stops reading at a point parse calls incomplete);
 *  - bytes after a complete response change nothing of what it parses to;
 *  - a parsed body is NUL-terminated and no longer than the response.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

#define FUZZ_NAME "fuzz_cli_http"
#include "fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The first len bytes of raw, NUL-terminated as read_all leaves its buffer. */
static char *prefix_copy(const char *raw, size_t len)
{
	char *s = malloc(len + 1);

	CHECK(s != NULL);
	memcpy(s, raw, len);
	s[len] = '\0';
	return s;
}

/* What cli_http_parse itself requires of the first bytes. */
static bool status_line(const char *s, size_t len)
{
	int status;

	return len >= 12 && strncmp(s, "HTTP/1.", 7) == 0 && sscanf(s + 8, " %3d", &status) == 1;
}

static void check_body(const struct cli_response *r, size_t len)
{
	CHECK(r->body != NULL);
	CHECK(r->body_len <= len);
	CHECK(r->body[r->body_len] == '\0');
}

/*
 * One scan step on exactly the len bytes received so far, in a buffer of
 * that size: a read past them (bytes not received yet) is an ASan report.
 */
static int scan_exact(struct cli_http_scan *st, const char *raw, size_t len)
{
	char *got = malloc(len ? len : 1);
	int rc;

	CHECK(got != NULL);
	memcpy(got, raw, len);
	rc = cli_http_scan(st, got, len);
	free(got);
	return rc;
}

/* Fed read by read until the scan is done (or all is in): how much was fed, and its verdict. */
static size_t feed(const char *raw, size_t n, size_t step, int *verdict)
{
	struct cli_http_scan st = { 0 }, one = { 0 };
	size_t at = 0;
	int got = 0;

	while (at < n && got == 0) {
		at = n - at > step ? at + step : n;
		got = scan_exact(&st, raw, at);
	}
	CHECK(scan_exact(&one, raw, at) == got);
	CHECK(one.mode == st.mode);
	if (got == 1)
		CHECK(one.body == st.body);
	*verdict = got;
	return at;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cli_response r, whole;
	char *all, *part;
	size_t at, n;
	int got, rc;

	if (size < 1)
		return 0;
	n = size - 1;
	all = prefix_copy((const char *)data + 1, n);
	at = feed(all, n, data[0] % 64 + 1, &got);
	part = prefix_copy(all, at);

	rc = cli_http_parse(part, at, false, &r);
	if (got == 1 && status_line(part, at))
		CHECK(rc == 0);
	if (rc == 0) {
		CHECK(got == 1);
		check_body(&r, at);
		CHECK(cli_http_parse(all, n, false, &whole) == 0);
		CHECK(whole.status == r.status && whole.body_len == r.body_len);
		CHECK(memcmp(whole.body, r.body, r.body_len) == 0);
		cli_response_free(&whole);
		cli_response_free(&r);
	}
	if (cli_http_parse(all, n, true, &r) == 0) {
		check_body(&r, n);
		cli_response_free(&r);
	}
	free(part);
	free(all);
	return 0;
}
