/*
 * Where the API listens (see api.h, docs/api.md): the Unix socket every
 * daemon has (made by ipc_listen_unix: stale-file replacement, mode 0660,
 * handed to evhttp through an evconnlistener since evhttp binds only TCP
 * itself), and TCP listeners from the config's api section.
 *
 * TLS is libevent_openssl: evhttp asks our callback for each new
 * connection's bufferevent and we hand it an OpenSSL one in accepting
 * state. A listener with a token file answers 401 to any request without
 * that bearer token. The token is read once at start.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/listener.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "common/api.h"
#include "common/api_int.h"
#include "common/config.h"
#include "common/ipc.h"
#include "common/log.h"
#include "common/plural.h"
#include "common/prefix.h"

struct api_listener *api_listener_new(struct api_server *s, const char *name)
{
	struct api_listener *l = calloc(1, sizeof(*l));

	if (l == NULL)
		return NULL;
	l->s = s;
	snprintf(l->name, sizeof(l->name), "%s", name);
	l->http = evhttp_new(s->base);
	if (l->http == NULL) {
		free(l);
		return NULL;
	}
	api_listener_setup(l);
	return l;
}

void api_listener_free(struct api_listener *l)
{
	evhttp_free(l->http); /* also frees the bound listeners and their fds */
	if (l->ssl != NULL)
		SSL_CTX_free(l->ssl);
	OPENSSL_cleanse(l->token, sizeof(l->token));
	free(l);
}

static void api_listener_add(struct api_server *s, struct api_listener *l)
{
	l->next = s->listeners;
	s->listeners = l;
}

/*
 * While a reply is written evhttp keeps reading the connection to see it
 * close, and would buffer whatever a client sends meanwhile: capping the
 * input buffer makes such a client stall itself instead.
 */
static void api_bev_limit(struct bufferevent *bev)
{
	bufferevent_setwatermark(bev, EV_READ, 0, API_HARD_HEADERS + API_MAX_BODY);
}

/*
 * evhttp's own refusals in JSON. libevent 2.1 answers the requests it
 * rejects before any callback of ours sees them (a malformed request line,
 * headers or body over its limits, an unknown Expect) with an HTML page,
 * and has no hook to change that (evhttp_set_errorcb came in 2.2). But it
 * writes that page into the connection's output buffer, which is ours:
 * a callback on it recognizes such a reply once it is complete there (a
 * header block with Content-Type: text/html, which no reply of ferry's
 * has, and evhttp's page after it) and replaces it, before a byte of it is
 * sent, with the same status and a JSON error. Replies of ours pass at the
 * cost of a length test (or, when short, one search).
 */
#define HTML_FIX_MAX 8192 /* an evhttp error page and what may be queued before it */

static const char *html_fix_why(int status)
{
	switch (status) {
	case 400: return "malformed request (not an HTTP/1.x request line or header line), or "
			 "request line and headers over 64 KiB";
	case 413: return "request too large: a body over 64 KiB";
	case 417: return "unsupported Expect header (only 100-continue is)";
	case 501: return "method not implemented";
	default: return "request refused by the HTTP layer";
	}
}

/*
 * Replaces [start, len) of buf (an evhttp HTML error reply) with a JSON one.
 * A socket bufferevent keeps its output's front frozen (only its writes may
 * drain it; a TLS one does not): thawed for the moment of the rewrite,
 * nothing of it having been sent, and frozen again if it was.
 */
static void html_fix_rewrite(struct evbuffer *buf, size_t start, const char *status_line,
			     size_t sl_len, int status)
{
	struct evbuffer *keep = evbuffer_new();
	char body[256];
	bool frozen;
	int n;

	if (keep == NULL)
		return; /* out of memory: evhttp's HTML goes out */
	n = snprintf(body, sizeof(body), "{\"error\":\"%s\",\"status\":%d}", html_fix_why(status),
		     status);
	frozen = evbuffer_drain(buf, 0) < 0; /* the only way to ask */
	if (frozen)
		evbuffer_unfreeze(buf, 1);
	if (evbuffer_remove_buffer(buf, keep, start) == (int)start) {
		evbuffer_add(keep, status_line, sl_len);
		evbuffer_add_printf(keep, "Content-Type: application/json\r\nConnection: close\r\n"
					  "Content-Length: %d\r\n\r\n%s", n, body);
		evbuffer_drain(buf, evbuffer_get_length(buf));
	} else {
		evbuffer_prepend_buffer(buf, keep); /* cannot happen; leave it as it was */
	}
	evbuffer_add_buffer(buf, keep);
	if (frozen)
		evbuffer_freeze(buf, 1);
	evbuffer_free(keep);
}

static void html_fix_cb(struct evbuffer *buf, const struct evbuffer_cb_info *info, void *arg)
{
	static const char ct[] = "\r\nContent-Type: text/html\r\n", end[] = "</BODY></HTML>\n";
	static bool busy; /* our own rewrite calls us again */
	size_t len = evbuffer_get_length(buf), sl;
	const char *p, *c, *h, *st;
	char line[128];
	int status;

	(void)arg;
	if (busy || info->n_added == 0 || len > HTML_FIX_MAX || len < sizeof(end))
		return;
	p = (const char *)evbuffer_pullup(buf, -1);
	if (p == NULL || memcmp(p + len - (sizeof(end) - 1), end, sizeof(end) - 1) != 0)
		return;
	for (c = NULL, h = p; (h = memmem(h, len - (size_t)(h - p), ct, sizeof(ct) - 1)) != NULL; h++)
		c = h;
	if (c == NULL)
		return;
	for (st = NULL, h = p; (h = memmem(h, (size_t)(c - h), "HTTP/1.", 7)) != NULL; h++)
		st = h;
	if (st == NULL || (h = memchr(st, '\n', (size_t)(c - st) + 2)) == NULL ||
	    sscanf(st + 8, " %3d", &status) != 1)
		return;
	sl = (size_t)(h + 1 - st);
	if (sl >= sizeof(line))
		return;
	memcpy(line, st, sl); /* buf's memory goes in the rewrite */
	busy = true;
	html_fix_rewrite(buf, (size_t)(st - p), line, sl, status);
	busy = false;
}

static void api_bev_fix_errors(struct bufferevent *bev)
{
	evbuffer_add_cb(bufferevent_get_output(bev), html_fix_cb, NULL);
}

/* evhttp's per-connection hook on plain listeners (Unix, TCP). */
static struct bufferevent *api_plain_bev(struct event_base *base, void *arg)
{
	struct bufferevent *bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);

	(void)arg;
	if (bev == NULL)
		return NULL; /* evhttp makes its own: only the cap and JSON refusals are lost */
	api_bev_limit(bev);
	api_bev_fix_errors(bev);
	return bev;
}

struct api_server *api_server_start(struct event_base *base, const char *unix_path,
				    const struct api_route *routes, size_t n_routes, void *ctx)
{
	struct evconnlistener *lev;
	struct api_listener *l;
	struct api_server *s;
	int fd;

	s = calloc(1, sizeof(*s));
	if (s == NULL) {
		log_warn("api");
		return NULL;
	}
	if (snprintf(s->path, sizeof(s->path), "%s", unix_path) >= (int)sizeof(s->path)) {
		log_warnx("%s: socket path too long", unix_path);
		free(s);
		return NULL;
	}
	s->base = base;
	s->routes = routes;
	s->n_routes = n_routes;
	s->ctx = ctx;
	l = api_listener_new(s, "unix");
	if (l == NULL || (fd = ipc_listen_unix(unix_path)) < 0)
		goto fail;
	l->is_unix = true;
	evhttp_set_bevcb(l->http, api_plain_bev, l);
	lev = evconnlistener_new(base, NULL, NULL, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC,
				 0, fd);
	if (lev == NULL) {
		close(fd);
		goto fail_unlink;
	}
	if (evhttp_bind_listener(l->http, lev) == NULL) {
		evconnlistener_free(lev);
		goto fail_unlink;
	}
	api_listener_add(s, l);
	log_debug("api: serving %zu %s on %s", n_routes, plural(n_routes, "route", "routes"),
		  unix_path);
	return s;

fail_unlink:
	unlink(unix_path);
fail:
	log_warnx("api: cannot serve on %s", unix_path);
	if (l != NULL)
		api_listener_free(l);
	free(s);
	return NULL;
}

/* The first line of path, without trailing blanks, into l->token. */
static int api_token_load(struct api_listener *l, const char *path)
{
	struct stat st;
	size_t n;
	FILE *f = fopen(path, "r");

	if (f == NULL) {
		log_warn("api: token file %s", path);
		return -errno;
	}
	if (fstat(fileno(f), &st) == 0 && (st.st_mode & 0004))
		log_warnx("api: token file %s is readable by everyone", path);
	if (fgets(l->token, sizeof(l->token), f) == NULL)
		l->token[0] = '\0';
	fclose(f);
	n = strlen(l->token);
	while (n > 0 && (l->token[n - 1] == '\n' || l->token[n - 1] == '\r' ||
			 l->token[n - 1] == ' ' || l->token[n - 1] == '\t'))
		l->token[--n] = '\0';
	if (n == 0 || n >= sizeof(l->token) - 1) {
		log_warnx("api: token file %s: want one line of 1..%d characters", path,
			  API_TOKEN_MAX - 2);
		return -EINVAL;
	}
	return 0;
}

static void api_ssl_log(const char *what, const char *path)
{
	char buf[256];
	unsigned long e = ERR_get_error();

	ERR_error_string_n(e, buf, sizeof(buf));
	log_warnx("api: %s %s: %s", what, path, e ? buf : "failed");
	ERR_clear_error();
}

static int api_tls_load(struct api_listener *l, const char *cert, const char *key)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());

	if (ctx == NULL) {
		api_ssl_log("TLS context", "");
		return -ENOMEM;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
	if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1) {
		api_ssl_log("certificate", cert);
		SSL_CTX_free(ctx);
		return -EINVAL;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1) {
		api_ssl_log("private key", key);
		SSL_CTX_free(ctx);
		return -EINVAL;
	}
	l->ssl = ctx;
	return 0;
}

/*
 * evhttp's per-connection hook on a TLS listener. It must never return
 * NULL: evhttp would then make a plain bufferevent and speak clear text on
 * a port meant to be TLS-only.
 */
static struct bufferevent *api_tls_bev(struct event_base *base, void *arg)
{
	struct api_listener *l = arg;
	struct bufferevent *bev;
	SSL *ssl = SSL_new(l->ssl);

	if (ssl == NULL)
		fatalx("api: out of memory for a TLS session");
	bev = bufferevent_openssl_socket_new(base, -1, ssl, BUFFEREVENT_SSL_ACCEPTING,
					     BEV_OPT_CLOSE_ON_FREE);
	if (bev == NULL)
		fatalx("api: out of memory for a TLS connection");
	/* clients that close without close_notify are normal: no error for that */
	bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
	api_bev_limit(bev);
	api_bev_fix_errors(bev);
	return bev;
}

int api_server_listen_tcp(struct api_server *s, const struct api_listen *cfg)
{
	bool tls = cfg->tls_cert != NULL && cfg->tls_cert[0] && cfg->tls_key != NULL &&
		   cfg->tls_key[0];
	char addr[IPV4_STRLEN], name[64];
	struct sockaddr_in sin;
	socklen_t slen = sizeof(sin);
	struct evhttp_bound_socket *h;
	struct api_listener *l;
	int rc = 0;

	ipv4_format(cfg->address, addr);
	snprintf(name, sizeof(name), "%s%s:%u", tls ? "tls " : "", addr, cfg->port);
	if ((l = api_listener_new(s, name)) == NULL)
		return -ENOMEM;
	if (tls && (rc = api_tls_load(l, cfg->tls_cert, cfg->tls_key)) < 0)
		goto fail;
	if (cfg->token_file != NULL && cfg->token_file[0] &&
	    (rc = api_token_load(l, cfg->token_file)) < 0)
		goto fail;
	if (tls)
		evhttp_set_bevcb(l->http, api_tls_bev, l);
	else
		evhttp_set_bevcb(l->http, api_plain_bev, l);
	errno = 0;
	if ((h = evhttp_bind_socket_with_handle(l->http, addr, cfg->port)) == NULL) {
		rc = errno ? -errno : -EADDRINUSE;
		log_warnx("api: cannot listen on %s port %u: %s", addr, cfg->port, strerror(-rc));
		goto fail;
	}
	l->port = cfg->port;
	if (getsockname(evhttp_bound_socket_get_fd(h), (struct sockaddr *)&sin, &slen) == 0)
		l->port = ntohs(sin.sin_port);
	snprintf(name, sizeof(name), "%s%s:%u", tls ? "tls " : "", addr, l->port);
	snprintf(l->name, sizeof(l->name), "%s", name);
	api_listener_add(s, l);
	log_info("JSON API on %s%s%s", tls ? "https://" : "http://", name + (tls ? 4 : 0),
		 l->token[0] ? " (bearer token required)" : "");
	return 0;
fail:
	api_listener_free(l);
	return rc;
}

uint16_t api_server_port(const struct api_server *s)
{
	for (const struct api_listener *l = s->listeners; l != NULL; l = l->next)
		if (!l->is_unix)
			return l->port;
	return 0;
}

int api_server_configure(struct api_server *s, const struct ferry_config *cfg,
			 const char *daemon)
{
	const struct cfg_api *a = &cfg->api;
	struct api_listen l = { a->listen, 0, a->tls_cert, a->tls_key, a->token_file };
	int rc;

	s->writable = !a->read_only;
	if (strcmp(daemon, "bgpd") == 0)
		l.port = a->port_bgpd;
	else if (strcmp(daemon, "vrfmgr") == 0)
		l.port = a->port_vrfmgr;
	else if (strcmp(daemon, "fwd") == 0)
		l.port = a->port_fwd;
	if (l.port == 0)
		return 0;
	rc = api_server_listen_tcp(s, &l);
	if (rc < 0 && !a->configured) {
		log_warnx("api: default TCP port %u unavailable: serving only %s", l.port, s->path);
		return 0;
	}
	return rc;
}
