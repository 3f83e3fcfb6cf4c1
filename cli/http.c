/*
 * ferryctl's HTTP client: one GET per run over a daemon's Unix socket, or
 * over TCP/TLS to an address given with --url (cli/conn.c). It
 * speaks HTTP/1.0 so the daemon (evhttp) closes the connection after the
 * reply and "read until EOF" is the whole protocol; Content-Length and
 * chunked bodies are still honoured in case a server keeps the connection
 * open or streams. Everything is bounded: the wait by a deadline, the size
 * by CLI_HTTP_MAX.
 */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cli/cli.h"

#define CLI_HTTP_MAX (256u << 20) /* a full table of a large router fits */

/* The request: HTTP/1.0 GET, the host's name for TCP, the bearer token when there is one. */
static int request_make(const struct cli_endpoint *ep, const char *path, bool json, char *req,
			size_t len, char *err, size_t errlen)
{
	int rc = snprintf(req, len, "GET %s HTTP/1.0\r\nHost: %s\r\n%s%s%s%s\r\n", path,
			  ep->sock_path != NULL ? "localhost" : ep->host,
			  json ? "Accept: application/json\r\n" : "",
			  ep->token != NULL ? "Authorization: Bearer " : "",
			  ep->token != NULL ? ep->token : "", ep->token != NULL ? "\r\n" : "");

	if (rc < 0 || (size_t)rc >= len) {
		snprintf(err, errlen, "request path too long");
		return -EINVAL;
	}
	return 0;
}

/*
 * Reads until the response is complete (cli_http_scan) or EOF, within the
 * deadline, into a growing buffer. 0 or -errno. Each read only scans what
 * it added: over TLS a read is at most one 16 KB record, so re-parsing the
 * whole answer after every read would copy a large dump thousands of times.
 */
static int read_all(struct cli_conn *conn, long long deadline, char **out, size_t *outlen)
{
	size_t cap = 16384, len = 0;
	char *buf = malloc(cap), *nbuf;
	struct cli_http_scan scan = { 0 };
	ssize_t n;

	if (!buf)
		return -ENOMEM;
	for (;;) {
		if (len + 1 >= cap) {
			if (cap >= CLI_HTTP_MAX || !(nbuf = realloc(buf, cap * 2))) {
				free(buf);
				return -EFBIG;
			}
			buf = nbuf;
			cap *= 2;
		}
		n = cli_conn_read(conn, buf + len, cap - len - 1, deadline);
		if (n < 0) {
			free(buf);
			return (int)n;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		/* A server that keeps the connection open: stop once complete (or broken). */
		if (cli_http_scan(&scan, buf, len) != 0)
			break;
	}
	buf[len] = '\0';
	*out = buf;
	*outlen = len;
	return 0;
}

/* "bgpd.sock" or "https://10.255.0.1:7180": what error messages name. */
static const char *ep_name(const struct cli_endpoint *ep, char *buf, size_t len)
{
	if (ep->sock_path != NULL)
		return ep->sock_path;
	snprintf(buf, len, "%s://%s:%u", ep->tls ? "https" : "http", ep->host, ep->port);
	return buf;
}

int cli_http_get_ep(const struct cli_endpoint *ep, const char *path, int timeout_ms,
		    struct cli_response *resp, char *err, size_t errlen)
{
	long long deadline = cli_now_ms() + timeout_ms;
	char req[2600], *raw = NULL, namebuf[300];
	struct cli_conn *conn;
	const char *name;
	size_t rawlen = 0;
	int rc;

	memset(resp, 0, sizeof(*resp));
	if ((rc = request_make(ep, path, true, req, sizeof(req), err, errlen)) < 0)
		return rc;
	if ((rc = cli_conn_open(ep, deadline, &conn, err, errlen)) < 0)
		return rc;
	rc = cli_conn_write(conn, req, strlen(req), deadline);
	if (rc == 0)
		rc = read_all(conn, deadline, &raw, &rawlen);
	cli_conn_close(conn);
	name = ep_name(ep, namebuf, sizeof(namebuf));
	if (rc == -ETIMEDOUT)
		snprintf(err, errlen, "%s: no complete answer within %d ms", name, timeout_ms);
	else if (rc < 0)
		snprintf(err, errlen, "%s: %s", name, strerror(-rc));
	if (rc < 0)
		return rc;
	rc = cli_http_parse(raw, rawlen, true, resp);
	free(raw);
	if (rc < 0) {
		snprintf(err, errlen, "%s: the answer is not a complete HTTP response", name);
		return -EPROTO;
	}
	return 0;
}

int cli_http_get(const char *sock_path, const char *path, int timeout_ms,
		 struct cli_response *resp, char *err, size_t errlen)
{
	struct cli_endpoint ep = { .sock_path = sock_path };

	return cli_http_get_ep(&ep, path, timeout_ms, resp, err, errlen);
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/*
 * Value of header name in [h, end) and its length, blanks around it left
 * out, or NULL; headers are "Name: value\r\n". The value is only what its
 * line holds: the bytes after end may not have arrived yet.
 */
static const char *header_find(const char *h, const char *end, const char *name, size_t *vlen)
{
	size_t nlen = strlen(name);

	while (h < end) {
		const char *eol = memchr(h, '\n', (size_t)(end - h));

		if (!eol)
			eol = end;
		if ((size_t)(eol - h) > nlen && strncasecmp(h, name, nlen) == 0 && h[nlen] == ':') {
			const char *v = h + nlen + 1;

			while (v < eol && is_blank(*v))
				v++;
			while (eol > v && is_blank(eol[-1]))
				eol--;
			*vlen = (size_t)(eol - v);
			return v;
		}
		h = eol + 1;
	}
	return NULL;
}

/* A Content-Length value: digits only (RFC 9112 section 6.3), that fit. 0 or -1. */
static int length_parse(const char *v, size_t n, size_t *out)
{
	size_t cl = 0;

	if (n == 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9' || cl > (SIZE_MAX - 9) / 10)
			return -1;
		cl = cl * 10 + (size_t)(v[i] - '0');
	}
	*out = cl;
	return 0;
}

/* Decodes a chunked body into out (at least len+1 bytes). -1 if incomplete. */
static int dechunk(const char *p, const char *end, char *out, size_t *outlen)
{
	size_t n = 0;
	unsigned long sz;
	char *num_end;

	for (;;) {
		if (p >= end || !isxdigit((unsigned char)*p))
			return -1;
		sz = strtoul(p, &num_end, 16);
		p = memchr(num_end, '\n', (size_t)(end - num_end));
		if (!p)
			return -1;
		p++;
		if (sz == 0)
			break;
		if (sz > (size_t)(end - p))
			return -1;
		memcpy(out + n, p, sz);
		n += sz;
		p += sz;
		if (p < end && *p == '\r')
			p++;
		if (p < end && *p == '\n')
			p++;
	}
	out[n] = '\0';
	*outlen = n;
	return 0;
}

/*
 * Where the headers end, searching only what arrived since the last call:
 * 1 once they are in (st->mode set), 0 before, -EPROTO for a
 * Content-Length that is not a number (the mode stays CLI_HTTP_HEADERS).
 */
static int scan_headers(struct cli_http_scan *st, const char *raw, size_t len)
{
	size_t from = st->seen > 3 ? st->seen - 3 : 0;
	const char *e = memmem(raw + from, len - from, "\r\n\r\n", 4);
	const char *v;
	size_t vlen, cl;

	st->seen = len;
	if (e == NULL)
		return 0;
	st->body = (size_t)(e - raw) + 4;
	v = header_find(raw, e, "Transfer-Encoding", &vlen);
	if (v && vlen >= 7 && strncasecmp(v, "chunked", 7) == 0) {
		st->mode = CLI_HTTP_CHUNKED;
		st->end = st->body; /* the first chunk's size line */
	} else if ((v = header_find(raw, e, "Content-Length", &vlen)) != NULL) {
		if (length_parse(v, vlen, &cl) < 0)
			return -EPROTO;
		st->mode = CLI_HTTP_LENGTH;
		st->end = cl > SIZE_MAX - st->body ? SIZE_MAX : st->body + cl;
	} else {
		st->mode = CLI_HTTP_TO_EOF;
	}
	return 1;
}

/* Steps st->end over the complete chunks in raw: 1 at the last one, 0 for more, -EPROTO. */
static int scan_chunks(struct cli_http_scan *st, const char *raw, size_t len)
{
	for (;;) {
		const char *p = raw + st->end, *nl;
		unsigned long long sz;
		size_t left;

		if (st->end >= len)
			return 0;
		if (!isxdigit((unsigned char)*p))
			return -EPROTO;
		nl = memchr(p, '\n', len - st->end);
		if (nl == NULL)
			return 0;
		sz = strtoull(p, NULL, 16);
		if (sz == 0)
			return 1;
		left = len - (size_t)(nl + 1 - raw);
		if (sz > CLI_HTTP_MAX)
			return -EPROTO;
		if (left < sz + 2)
			return 0; /* the data and its CRLF are not all in yet */
		st->end = (size_t)(nl + 1 - raw) + (size_t)sz;
		if (raw[st->end] == '\r')
			st->end++;
		if (raw[st->end] == '\n')
			st->end++;
	}
}

int cli_http_scan(struct cli_http_scan *st, const char *raw, size_t len)
{
	int rc;

	if (st->mode == CLI_HTTP_HEADERS && (rc = scan_headers(st, raw, len)) <= 0)
		return rc;
	switch (st->mode) {
	case CLI_HTTP_LENGTH:
		return len >= st->end ? 1 : 0;
	case CLI_HTTP_CHUNKED:
		return scan_chunks(st, raw, len);
	default:
		return 0; /* no length: only EOF ends the body */
	}
}

/* The framing comes from cli_http_scan: the headers are read in one place only. */
int cli_http_parse(const char *raw, size_t len, bool at_eof, struct cli_response *resp)
{
	struct cli_http_scan st = { 0 };
	int status, done;

	memset(resp, 0, sizeof(*resp));
	if (len < 12 || strncmp(raw, "HTTP/1.", 7) != 0 || sscanf(raw + 8, " %3d", &status) != 1)
		return -EPROTO;
	done = cli_http_scan(&st, raw, len);
	if (st.mode == CLI_HTTP_HEADERS)
		return -EPROTO;
	if (done != 1 && !(st.mode == CLI_HTTP_TO_EOF && at_eof))
		return -EAGAIN; /* short, or a broken chunk: not a complete response */
	if ((resp->body = malloc(len - st.body + 1)) == NULL)
		return -ENOMEM;
	if (st.mode == CLI_HTTP_CHUNKED) {
		if (dechunk(raw + st.body, raw + len, resp->body, &resp->body_len) < 0) {
			cli_response_free(resp);
			return -EAGAIN;
		}
	} else {
		resp->body_len = (st.mode == CLI_HTTP_LENGTH ? st.end : len) - st.body;
		memcpy(resp->body, raw + st.body, resp->body_len);
		resp->body[resp->body_len] = '\0';
	}
	resp->status = status;
	return 0;
}

void cli_response_free(struct cli_response *resp)
{
	free(resp->body);
	resp->body = NULL;
	resp->body_len = 0;
}

int cli_http_open(const struct cli_endpoint *ep, const char *path, int timeout_ms, int *status,
		  char *head, size_t headlen, size_t *head_len, struct cli_conn **out, char *err,
		  size_t errlen)
{
	long long deadline = cli_now_ms() + timeout_ms;
	char req[2600], buf[8192], namebuf[300], *end = NULL;
	struct cli_conn *conn;
	const char *name;
	size_t n = 0;
	int rc;

	*out = NULL;
	if ((rc = request_make(ep, path, false, req, sizeof(req), err, errlen)) < 0)
		return rc;
	if ((rc = cli_conn_open(ep, deadline, &conn, err, errlen)) < 0)
		return rc;
	if ((rc = cli_conn_write(conn, req, strlen(req), deadline)) < 0)
		goto fail;
	while (end == NULL) {
		ssize_t r;

		rc = -EPROTO;
		if (n + 1 >= sizeof(buf))
			goto fail;
		r = cli_conn_read(conn, buf + n, sizeof(buf) - 1 - n, deadline);
		rc = r < 0 ? (int)r : -EPROTO;
		if (r <= 0)
			goto fail;
		n += (size_t)r;
		buf[n] = '\0';
		end = strstr(buf, "\r\n\r\n");
	}
	rc = -EPROTO;
	if (strncmp(buf, "HTTP/1.", 7) != 0 || sscanf(buf + 8, " %3d", status) != 1)
		goto fail;
	end += 4;
	*head_len = n - (size_t)(end - buf);
	if (*head_len > headlen)
		*head_len = headlen;
	memcpy(head, end, *head_len);
	*out = conn;
	return 0;
fail:
	name = ep_name(ep, namebuf, sizeof(namebuf));
	if (rc == -ETIMEDOUT)
		snprintf(err, errlen, "%s: no answer within %d ms", name, timeout_ms);
	else
		snprintf(err, errlen, "%s: %s", name, rc == -EPROTO ? "not an HTTP answer"
								: strerror(-rc));
	cli_conn_close(conn);
	return rc;
}

int cli_url_encode(const char *s, char *buf, size_t len)
{
	size_t n = strlen(buf);

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (n + 4 > len)
			return -ENAMETOOLONG;
		if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~')
			buf[n++] = (char)c;
		else
			n += (size_t)sprintf(buf + n, "%%%02X", c);
	}
	buf[n] = '\0';
	return 0;
}
