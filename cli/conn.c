/*
 * ferryctl's connections to a daemon's API: its Unix socket in the run
 * directory, or a TCP address given with --url (http:// on loopback,
 * https:// for a daemon's TLS listener elsewhere). TLS is OpenSSL, as on the
 * daemons' side: the server certificate is verified against --ca (or the
 * system's CAs) and must name the host asked for (DNS name or IP address
 * in subjectAltName); there is no way to skip that, since the bearer token
 * goes over this connection. Every wait is bounded by a deadline: the
 * socket is non-blocking and each step polls for what OpenSSL wants.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "cli/cli.h"
#include "common/clock.h"

struct cli_conn {
	int fd;
	SSL_CTX *ctx;
	SSL *ssl;
};

long long cli_now_ms(void)
{
	return (long long)clock_mono_ms();
}

/* ---- --url ---------------------------------------------------------------- */

int cli_url_parse(const char *s, struct cli_url *u, char *err, size_t errlen)
{
	const char *h, *end, *colon;
	size_t hlen;

	memset(u, 0, sizeof(*u));
	if (strncmp(s, "https://", 8) == 0) {
		u->tls = true;
		h = s + 8;
	} else if (strncmp(s, "http://", 7) == 0) {
		h = s + 7;
	} else {
		snprintf(err, errlen, "--url %.100s: want http://HOST[:PORT] or https://HOST[:PORT]", s);
		return -1;
	}
	end = h + strcspn(h, "/?#");
	if (*end != '\0' && strcmp(end, "/") != 0) {
		snprintf(err, errlen, "--url %.100s: no path or query (ferryctl adds them)", s);
		return -1;
	}
	if (memchr(h, '@', (size_t)(end - h)) != NULL) { /* user:password@ read as host "user" */
		snprintf(err, errlen, "--url %.100s: no user or password in the URL (want "
				      "http[s]://HOST[:PORT]; a bearer token goes in --token-file)", s);
		return -1;
	}
	if (*h == '[') { /* [IPv6]:port */
		const char *rb = memchr(h, ']', (size_t)(end - h));

		if (rb == NULL)
			goto bad_host;
		colon = rb + 1 < end && rb[1] == ':' ? rb + 1 : NULL;
		if (rb + 1 < end && colon == NULL)
			goto bad_host;
		h++;
		hlen = (size_t)(rb - h);
	} else {
		colon = memchr(h, ':', (size_t)(end - h));
		hlen = (size_t)((colon ? colon : end) - h);
	}
	if (hlen == 0 || hlen >= sizeof(u->host))
		goto bad_host;
	memcpy(u->host, h, hlen);
	u->host[hlen] = '\0';
	if (colon != NULL) {
		char *pe;
		unsigned long p;

		if (!isdigit((unsigned char)colon[1]))
			goto bad_port;
		p = strtoul(colon + 1, &pe, 10);
		if (pe != end || p == 0 || p > 65535)
			goto bad_port;
		u->port = (uint16_t)p;
	}
	return 0;
bad_host:
	snprintf(err, errlen, "--url %.100s: no usable host", s);
	return -1;
bad_port:
	snprintf(err, errlen, "--url %.100s: the port must be 1..65535", s);
	return -1;
}

uint16_t cli_api_port(const char *daemon)
{
	if (strcmp(daemon, "bgpd") == 0)
		return 7179;
	if (strcmp(daemon, "vrfmgr") == 0)
		return 7180;
	return 7181; /* fwd */
}

int cli_token_load(const char *path, char *token, size_t len, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	size_t n;

	if (f == NULL) {
		snprintf(err, errlen, "--token-file %s: %s", path, strerror(errno));
		return -1;
	}
	if (fgets(token, (int)len, f) == NULL)
		token[0] = '\0';
	fclose(f);
	n = strlen(token);
	while (n > 0 && isspace((unsigned char)token[n - 1]))
		token[--n] = '\0';
	if (n == 0 || n >= len - 1) {
		snprintf(err, errlen, "--token-file %s: want one line of 1..%zu characters", path,
			 len - 2);
		return -1;
	}
	return 0;
}

/* 127.0.0.0/8, ::1 or "localhost": a plain connection that never leaves the machine. */
static bool host_is_loopback(const char *host)
{
	struct in_addr a4;
	struct in6_addr a6;

	if (strcasecmp(host, "localhost") == 0)
		return true;
	if (inet_pton(AF_INET, host, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	return inet_pton(AF_INET6, host, &a6) == 1 && IN6_IS_ADDR_LOOPBACK(&a6);
}

int cli_token_check(const struct cli_url *u, char *err, size_t errlen)
{
	if (u == NULL || u->tls || host_is_loopback(u->host))
		return 0;
	snprintf(err, errlen, "--token-file: refusing to send the bearer token in clear over "
		 "http:// to %.100s; use --url https://%.100s (plain http only to 127.0.0.0/8, "
		 "::1 or localhost)", u->host, u->host);
	return -1;
}

/* ---- connecting ------------------------------------------------------------ */

/* Waits for events on fd until the deadline: 0, or -ETIMEDOUT. */
static int wait_fd(int fd, short events, long long deadline)
{
	struct pollfd pfd = { .fd = fd, .events = events };
	int left, r;

	for (;;) {
		left = (int)(deadline - cli_now_ms());
		if (left <= 0)
			return -ETIMEDOUT;
		r = poll(&pfd, 1, left);
		if (r > 0)
			return 0;
		if (r == 0)
			return -ETIMEDOUT;
		if (errno != EINTR)
			return -errno;
	}
}

static int unix_connect(const char *sock_path, char *err, size_t errlen)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd, e;

	if (strlen(sock_path) >= sizeof(sun.sun_path)) {
		snprintf(err, errlen, "%s: socket path too long", sock_path);
		return -ENAMETOOLONG;
	}
	strcpy(sun.sun_path, sock_path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		e = errno;
		snprintf(err, errlen, "%s: %s", sock_path, strerror(e));
		if (fd >= 0)
			close(fd);
		return -e;
	}
	return fd;
}

/* One address of the host: a non-blocking connect, finished within the deadline. */
static int tcp_try(const struct addrinfo *ai, long long deadline)
{
	int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0), e = 0, rc;
	socklen_t elen = sizeof(e);

	if (fd < 0)
		return -errno;
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
		return fd;
	rc = errno == EINPROGRESS ? wait_fd(fd, POLLOUT, deadline) : -errno;
	if (rc == 0 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &elen) == 0 && e != 0)
		rc = -e;
	if (rc < 0) {
		close(fd);
		return rc;
	}
	return fd;
}

static int tcp_connect(const char *host, uint16_t port, long long deadline, char *err,
		       size_t errlen)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res, *ai;
	char ps[8];
	int fd = -EHOSTUNREACH, g;

	snprintf(ps, sizeof(ps), "%u", port);
	if ((g = getaddrinfo(host, ps, &hints, &res)) != 0) {
		snprintf(err, errlen, "%s: %s", host, gai_strerror(g));
		return -EHOSTUNREACH;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next)
		if ((fd = tcp_try(ai, deadline)) >= 0)
			break;
	freeaddrinfo(res);
	if (fd < 0)
		snprintf(err, errlen, "%s port %u: %s", host, port,
			 fd == -ETIMEDOUT ? "no connection within the timeout" : strerror(-fd));
	return fd;
}

static void ssl_err(const char *what, char *err, size_t errlen)
{
	char buf[256];
	unsigned long e = ERR_get_error();

	ERR_error_string_n(e, buf, sizeof(buf));
	snprintf(err, errlen, "%s: %s", what, e ? buf : "failed");
	ERR_clear_error();
}

static SSL_CTX *tls_ctx(const char *ca_file, char *err, size_t errlen)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());

	if (ctx == NULL) {
		ssl_err("TLS", err, errlen);
		return NULL;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
#ifdef SSL_OP_IGNORE_UNEXPECTED_EOF
	/* the daemon may close without close_notify; every body has its own end */
	SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
#endif
	if ((ca_file != NULL ? SSL_CTX_load_verify_locations(ctx, ca_file, NULL)
			     : SSL_CTX_set_default_verify_paths(ctx)) != 1) {
		ssl_err(ca_file != NULL ? ca_file : "system CA certificates", err, errlen);
		SSL_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

/* The certificate must name host: an IP address in its SANs, or a DNS name. */
static int tls_name(SSL *ssl, const char *host)
{
	unsigned char a[16];

	if (inet_pton(AF_INET, host, a) == 1 || inet_pton(AF_INET6, host, a) == 1)
		return X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host) == 1 ? 0 : -1;
	if (SSL_set_tlsext_host_name(ssl, host) != 1 || SSL_set1_host(ssl, host) != 1)
		return -1;
	return 0;
}

/* Waits for what OpenSSL asked for after a call that returned r. 0 to retry, or -errno. */
static int tls_wait(struct cli_conn *c, int r, long long deadline)
{
	switch (SSL_get_error(c->ssl, r)) {
	case SSL_ERROR_WANT_READ: return wait_fd(c->fd, POLLIN, deadline);
	case SSL_ERROR_WANT_WRITE: return wait_fd(c->fd, POLLOUT, deadline);
	case SSL_ERROR_ZERO_RETURN: return -ECONNRESET;
	case SSL_ERROR_SYSCALL: return errno ? -errno : -ECONNRESET;
	default: return -EPROTO;
	}
}

static int tls_handshake(struct cli_conn *c, const struct cli_endpoint *ep, long long deadline,
			 char *err, size_t errlen)
{
	int r, rc;

	if ((c->ctx = tls_ctx(ep->ca_file, err, errlen)) == NULL)
		return -EPROTO;
	if ((c->ssl = SSL_new(c->ctx)) == NULL || SSL_set_fd(c->ssl, c->fd) != 1 ||
	    tls_name(c->ssl, ep->host) < 0) {
		ssl_err("TLS", err, errlen);
		return -EPROTO;
	}
	while ((r = SSL_connect(c->ssl)) != 1) {
		if ((rc = tls_wait(c, r, deadline)) == 0)
			continue;
		if (SSL_get_verify_result(c->ssl) != X509_V_OK)
			snprintf(err, errlen, "%s: the server's certificate is not trusted: %s%s",
				 ep->host, X509_verify_cert_error_string(
						   SSL_get_verify_result(c->ssl)),
				 ep->ca_file ? "" : " (give its CA with --ca FILE)");
		else if (rc == -ETIMEDOUT)
			snprintf(err, errlen, "%s: no TLS handshake within the timeout", ep->host);
		else
			ssl_err(ep->host, err, errlen);
		return rc == -ETIMEDOUT ? rc : -EPROTO;
	}
	return 0;
}

int cli_conn_open(const struct cli_endpoint *ep, long long deadline, struct cli_conn **out,
		  char *err, size_t errlen)
{
	struct cli_conn *c = calloc(1, sizeof(*c));
	int rc;

	*out = NULL;
	if (c == NULL)
		return -ENOMEM;
	if (ep->sock_path != NULL)
		c->fd = unix_connect(ep->sock_path, err, errlen);
	else
		c->fd = tcp_connect(ep->host, ep->port, deadline, err, errlen);
	if (c->fd < 0) {
		rc = c->fd;
		free(c);
		return rc;
	}
	if (ep->tls && (rc = tls_handshake(c, ep, deadline, err, errlen)) < 0) {
		cli_conn_close(c);
		return rc;
	}
	*out = c;
	return 0;
}

void cli_conn_close(struct cli_conn *c)
{
	if (c == NULL)
		return;
	if (c->ssl != NULL)
		SSL_free(c->ssl);
	if (c->ctx != NULL)
		SSL_CTX_free(c->ctx);
	if (c->fd >= 0)
		close(c->fd);
	free(c);
}

int cli_conn_fd(const struct cli_conn *c)
{
	return c->fd;
}

bool cli_conn_pending(const struct cli_conn *c)
{
	return c->ssl != NULL && SSL_pending(c->ssl) > 0;
}

int cli_conn_write(struct cli_conn *c, const char *s, size_t len, long long deadline)
{
	ssize_t n;
	int rc;

	while (len > 0) {
		if (c->ssl != NULL) {
			errno = 0;
			int r = SSL_write(c->ssl, s, (int)len);

			if (r <= 0) {
				if ((rc = tls_wait(c, r, deadline)) < 0)
					return rc;
				continue;
			}
			n = r;
		} else if ((n = send(c->fd, s, len, MSG_NOSIGNAL)) < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN)
				return -errno;
			if ((rc = wait_fd(c->fd, POLLOUT, deadline)) < 0)
				return rc;
			continue;
		}
		s += n;
		len -= (size_t)n;
	}
	return 0;
}

ssize_t cli_conn_read(struct cli_conn *c, char *buf, size_t len, long long deadline)
{
	ssize_t n;
	int rc;

	for (;;) {
		if (c->ssl != NULL) {
			errno = 0;
			int r = SSL_read(c->ssl, buf, (int)(len > INT32_MAX ? INT32_MAX : len));

			if (r > 0)
				return r;
			if (SSL_get_error(c->ssl, r) == SSL_ERROR_ZERO_RETURN ||
			    (SSL_get_error(c->ssl, r) == SSL_ERROR_SYSCALL && errno == 0))
				return 0;
			if ((rc = tls_wait(c, r, deadline)) < 0)
				return rc;
			continue;
		}
		if ((rc = wait_fd(c->fd, POLLIN, deadline)) < 0)
			return rc;
		n = read(c->fd, buf, len);
		if (n >= 0)
			return n;
		if (errno != EINTR && errno != EAGAIN)
			return -errno;
	}
}
