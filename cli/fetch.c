/*
 * The daemons of one instance, as JSON documents: trace and verify ask
 * several daemons several questions, and every answer goes through here so
 * that "not running", an HTTP error (with the API's own message) and an
 * answer that is not JSON are reported the same way everywhere. Where a
 * daemon is: its Unix socket in the run directory, or --url's host.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <json-c/json.h>

#include "cli/cli.h"

void cli_sock_path(const struct cli_ctx *c, const char *daemon, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s.sock", c->run_dir, daemon);
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

#define RUN_DIRS_MAX 64

/* The daemons that may have a socket in a run directory, in the order they are named. */
static const char *const daemons[] = { "bgpd", "vrfmgr", "fwd" };
#define N_DAEMONS (sizeof(daemons) / sizeof(daemons[0]))

static bool is_socket(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISSOCK(st.st_mode);
}

/*
 * The directories under base holding daemon's socket (NULL: any daemon's),
 * sorted into found (malloc'd, at most RUN_DIRS_MAX); how many there are.
 */
static size_t run_dirs_scan(const char *base, const char *daemon, char **found, size_t *n)
{
	char sock[PATH_MAX];
	struct dirent *e;
	size_t seen = 0;
	DIR *d = opendir(base);

	*n = 0;
	while (d && (e = readdir(d))) {
		bool has = false;

		if (e->d_name[0] == '.')
			continue;
		for (size_t k = 0; k < N_DAEMONS && !has; k++) {
			if (daemon != NULL && strcmp(daemon, daemons[k]) != 0)
				continue;
			snprintf(sock, sizeof(sock), "%s/%s/%s.sock", base, e->d_name, daemons[k]);
			has = is_socket(sock);
		}
		if (!has)
			continue;
		seen++;
		if (*n < RUN_DIRS_MAX && (found[*n] = strdup(e->d_name)) != NULL)
			(*n)++;
	}
	if (d)
		closedir(d);
	qsort(found, *n, sizeof(found[0]), name_cmp);
	return seen;
}

/* found[0..n) joined with ", " into buf, at most max of them, then ", ...". Frees them. */
static void run_dirs_join(char **found, size_t n, size_t seen, size_t max, char *buf,
			  size_t len)
{
	buf[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		size_t at = strlen(buf);

		if (i < max)
			snprintf(buf + at, len - at, "%s%s", i ? ", " : "", found[i]);
		free(found[i]);
	}
	if (seen > max) {
		size_t at = strlen(buf);

		snprintf(buf + at, len - at, ", ...");
	}
}

int cli_run_dir_find(const char *base, const char *daemon, char *out, size_t len, FILE *err)
{
	char *found[RUN_DIRS_MAX], names[512], first[256];
	size_t n, seen = run_dirs_scan(base, daemon, found, &n);

	if (seen == 0) {
		fprintf(err, "ferryctl: no %s running under %s; say which with -i INSTANCE\n",
			daemon != NULL ? daemon : "bgpd, vrfmgr or fwd", base);
		return -1;
	}
	snprintf(first, sizeof(first), "%s", n > 0 ? found[0] : "NAME");
	if (seen == 1 && n == 1) {
		snprintf(out, len, "%s/%s", base, found[0]);
		free(found[0]);
		return 0;
	}
	/* the names -i takes, in order, and one to copy */
	run_dirs_join(found, n, seen, 6, names, sizeof(names));
	fprintf(err, "ferryctl: %s run%s in %zu run directories under %s (%s); choose one with -i "
		     "NAME, e.g. -i %s\n", daemon != NULL ? daemon : "ferry's daemons",
		daemon != NULL ? "s" : "", seen, base, names, first);
	return -1;
}

void cli_run_dir_names(const char *base, char *buf, size_t len)
{
	char *found[RUN_DIRS_MAX];
	size_t n, seen = run_dirs_scan(base, NULL, found, &n);

	run_dirs_join(found, n, seen, 12, buf, len);
}

int cli_endpoint_of(const struct cli_ctx *c, const char *daemon, struct cli_endpoint *ep,
		    char *sock, size_t len, char *err, size_t errlen)
{
	memset(ep, 0, sizeof(*ep));
	ep->token = c->token;
	if (c->url == NULL) {
		cli_sock_path(c, daemon, sock, len);
		ep->sock_path = sock;
		return 0;
	}
	if (c->url->port != 0 && c->url_daemon != NULL && strcmp(daemon, c->url_daemon) != 0) {
		snprintf(err, errlen, "--url's port %u is %s's; this command also asks %s: give the "
			 "URL without a port (bgpd 7179, vrfmgr 7180, fwd 7181)", c->url->port,
			 c->url_daemon, daemon);
		return -1;
	}
	ep->host = c->url->host;
	ep->port = c->url->port != 0 ? c->url->port : cli_api_port(daemon);
	ep->tls = c->url->tls;
	ep->ca_file = c->ca_file;
	return 0;
}

/*
 * The daemons whose sockets are in the run directory, as "fwd" or "bgpd and
 * fwd" (empty: none): a router without this daemon (the lab's P runs fwd
 * alone) is told apart from one whose daemon stopped.
 */
static void daemons_present(const struct cli_ctx *c, char *buf, size_t len)
{
	const char *here[N_DAEMONS];
	char sock[600];
	size_t n = 0;

	for (size_t i = 0; i < N_DAEMONS; i++) {
		cli_sock_path(c, daemons[i], sock, sizeof(sock));
		if (is_socket(sock))
			here[n++] = daemons[i];
	}
	buf[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		size_t at = strlen(buf);

		snprintf(buf + at, len - at, "%s%s", i == 0 ? "" : i + 1 == n ? " and " : ", ",
			 here[i]);
	}
}

void cli_conn_error_print(const struct cli_ctx *c, const char *daemon, int rc, const char *err)
{
	char here[64];

	if (rc != -ENOENT && rc != -ECONNREFUSED) {
		fprintf(c->err, "ferryctl: %s: %s\n", daemon, err);
		return;
	}
	if (c->url != NULL || rc != -ENOENT) {
		fprintf(c->err, "ferryctl: %s is not running (%s)\n", daemon, err);
		return;
	}
	daemons_present(c, here, sizeof(here));
	if (here[0] == '\0')
		fprintf(c->err, "ferryctl: %s is not running (%s; no daemon runs in %s)\n", daemon,
			err, c->run_dir);
	else
		fprintf(c->err, "ferryctl: %s is not running (%s; %s has %s only)\n", daemon, err,
			c->run_dir, here);
}

int cli_path_add(char *path, size_t len, const char *key, const char *value)
{
	size_t n = strlen(path);

	if (n + strlen(key) + 3 >= len)
		return -1;
	snprintf(path + n, len - n, "%c%s=", strchr(path, '?') ? '&' : '?', key);
	return cli_url_encode(value, path, len) < 0 ? -1 : 0;
}

/* A daemon's error for a path it does not serve (common/api.c says so). */
static bool error_is_no_such_path(struct json_object *msg)
{
	return msg != NULL && strncmp(json_object_get_string(msg), "no such path", 12) == 0;
}

bool cli_no_such_path(const char *body)
{
	struct json_object *doc = json_tokener_parse(body), *msg = NULL;
	bool yes = doc != NULL && json_object_object_get_ex(doc, "error", &msg) &&
		   error_is_no_such_path(msg);

	json_object_put(doc);
	return yes;
}

void cli_http_error_print(const struct cli_ctx *c, const char *daemon, const char *path,
			  int status, const char *body)
{
	struct json_object *doc = json_tokener_parse(body), *msg = NULL;

	if (doc != NULL)
		json_object_object_get_ex(doc, "error", &msg);
	fprintf(c->err, "ferryctl: %s: GET %s: %s (HTTP %d)\n", daemon, path,
		msg ? json_object_get_string(msg) : body, status);
	/* --url's port is taken to be the command's daemon's: perhaps it is another's */
	if (status == 404 && c->url != NULL && c->url->port != 0 && error_is_no_such_path(msg))
		fprintf(c->err, "ferryctl: is port %u %s's? This command asks %s (by default on port "
			"%u)\n", c->url->port, daemon, daemon, cli_api_port(daemon));
	json_object_put(doc);
}

/* What fetch leaves unsaid: a 404 that is an answer, a daemon that is not running. */
enum { QUIET_404 = 1, QUIET_NOT_RUNNING = 2 };

static int fetch(const struct cli_ctx *c, const char *daemon, const char *path,
		 struct json_object **doc, unsigned quiet)
{
	char sock[600], err[800];
	struct cli_endpoint ep;
	struct cli_response resp;
	int rc;

	*doc = NULL;
	if (cli_endpoint_of(c, daemon, &ep, sock, sizeof(sock), err, sizeof(err)) < 0) {
		fprintf(c->err, "ferryctl: %s\n", err);
		return -1;
	}
	rc = cli_http_get_ep(&ep, path, c->timeout_ms, &resp, err, sizeof(err));
	if (rc < 0 && (quiet & QUIET_NOT_RUNNING) && (rc == -ENOENT || rc == -ECONNREFUSED))
		return -3;
	if (rc < 0) {
		cli_conn_error_print(c, daemon, rc, err);
		return -1;
	}
	*doc = json_tokener_parse(resp.body);
	/* "no such path" is not the answer the caller expects: the wrong daemon (--url's port) */
	if (resp.status == 404 && (quiet & QUIET_404) && !cli_no_such_path(resp.body)) {
		json_object_put(*doc);
		*doc = NULL;
		cli_response_free(&resp);
		return -2;
	}
	if (resp.status < 200 || resp.status > 299) {
		cli_http_error_print(c, daemon, path, resp.status, resp.body);
		json_object_put(*doc);
		*doc = NULL;
	} else if (*doc == NULL || !json_object_is_type(*doc, json_type_object)) {
		fprintf(c->err, "ferryctl: %s: GET %s: the answer is not a JSON object\n", daemon,
			path);
		json_object_put(*doc);
		*doc = NULL;
	}
	cli_response_free(&resp);
	return *doc != NULL ? 0 : -1;
}

int cli_fetch(const struct cli_ctx *c, const char *daemon, const char *path,
	      struct json_object **doc)
{
	return fetch(c, daemon, path, doc, 0);
}

int cli_fetch_if_running(const struct cli_ctx *c, const char *daemon, const char *path,
			 struct json_object **doc)
{
	return fetch(c, daemon, path, doc, QUIET_NOT_RUNNING);
}

int cli_fetch_maybe(const struct cli_ctx *c, const char *daemon, const char *path,
		    struct json_object **doc)
{
	return fetch(c, daemon, path, doc, QUIET_404);
}
