/*
 * ferryctl events [bgpd] [vrfmgr] [--type T[,T...]] [--vrf NAME] [--since N]
 * [--snapshot] [--count N]: follows the daemons' server-sent-event streams
 * (GET /events) side by side, one line per event (--json: one JSON object
 * per line with daemon, event, id and data), until interrupted or --count
 * events were shown. Control events (hello, resync) are shown but not
 * counted. --type and --vrf become each daemon's ?type= and ?vrf=: the
 * daemons filter (ferryctl is sent only what was asked for), and a daemon
 * none of whose events could pass is not asked.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "cli/cli.h"

#define MAX_STREAMS 2
#define LINE_MAX_LEN 4096

struct sse {
	const char *daemon;
	struct cli_conn *conn;
	char buf[LINE_MAX_LEN * 2];
	size_t n;
	char id[32], event[32], data[LINE_MAX_LEN];
};

static const char *lab(struct json_object *o, const char *key, char *buf)
{
	struct json_object *v = NULL;

	json_object_object_get_ex(o, key, &v);
	return cli_cell_format(v, CLI_COL_LABEL, buf, 16);
}

/* " rt RT1,RT2" of an event's route_targets; "" when it has none (or is from an older daemon). */
static const char *rts(struct json_object *o, char *buf, size_t len)
{
	struct json_object *a = NULL;
	size_t at = 0;

	buf[0] = '\0';
	if (!json_object_object_get_ex(o, "route_targets", &a) ||
	    !json_object_is_type(a, json_type_array) || json_object_array_length(a) == 0)
		return buf;
	for (size_t i = 0; i < json_object_array_length(a) && at < len; i++)
		at += (size_t)snprintf(buf + at, len - at, "%s%s", i ? "," : " rt ",
				       json_object_get_string(json_object_array_get_idx(a, i)));
	return buf;
}

const char *cli_event_line(const char *daemon, const char *event, const char *data, char *buf,
			   size_t len)
{
	char r[256];
	struct json_object *d = json_tokener_parse(data);
	char t[32] = "", a[16], b[16];
	struct json_object *tm;

	if (d != NULL && json_object_object_get_ex(d, "time_ms", &tm)) {
		time_t s = (time_t)(json_object_get_int64(tm) / 1000);
		struct tm lt;

		localtime_r(&s, &lt);
		strftime(t, sizeof(t), "%H:%M:%S", &lt);
		snprintf(t + strlen(t), sizeof(t) - strlen(t), ".%03d ",
			 (int)(json_object_get_int64(tm) % 1000));
	}
	if (strcmp(event, "route") == 0 && strcmp(cli_json_text(d, "action"), "withdraw") == 0)
		snprintf(buf, len, "%s%s route withdraw %s:%s", t, daemon, cli_json_text(d, "rd"),
			 cli_json_text(d, "prefix"));
	else if (strcmp(event, "route") == 0)
		snprintf(buf, len, "%s%s route %s %s:%s label %s next hop %s from %s%s", t, daemon,
			 cli_json_text(d, "action"), cli_json_text(d, "rd"),
			 cli_json_text(d, "prefix"), lab(d, "label", a),
			 cli_json_text(d, "next_hop"), cli_json_text(d, "peer"),
			 rts(d, r, sizeof(r)));
	else if (strcmp(event, "fib") == 0 && strcmp(cli_json_text(d, "action"), "del") == 0)
		snprintf(buf, len, "%s%s fib del VRF %s %s", t, daemon, cli_json_text(d, "vrf"),
			 cli_json_text(d, "prefix"));
	else if (strcmp(event, "label") == 0 && strcmp(cli_json_text(d, "action"), "del") == 0)
		snprintf(buf, len, "%s%s label del %s", t, daemon, cli_json_text(d, "label"));
	else if (strcmp(event, "session") == 0)
		snprintf(buf, len, "%s%s session %s %s -> %s%s%s", t, daemon,
			 cli_json_text(d, "neighbor"), cli_json_text(d, "from"),
			 cli_json_text(d, "to"),
			 strcmp(cli_json_text(d, "last_error"), "-") ? ", last error: " : "",
			 strcmp(cli_json_text(d, "last_error"), "-") ? cli_json_text(d, "last_error")
								    : "");
	else if (strcmp(event, "fib") == 0)
		snprintf(buf, len, "%s%s fib %s VRF %s %s %s [%s | %s] via %s on %s%s", t, daemon,
			 cli_json_text(d, "action"), cli_json_text(d, "vrf"),
			 cli_json_text(d, "prefix"), cli_json_text(d, "type"),
			 lab(d, "outer_label", a), lab(d, "inner_label", b),
			 cli_json_text(d, "next_hop"), cli_json_text(d, "interface"),
			 rts(d, r, sizeof(r)));
	else if (strcmp(event, "label") == 0)
		snprintf(buf, len, "%s%s label %s %s %s VRF %s", t, daemon,
			 cli_json_text(d, "action"), cli_json_text(d, "label"),
			 cli_lfib_action_text(cli_json_text(d, "does")), cli_json_text(d, "vrf"));
	else if (strcmp(event, "vrf") == 0)
		snprintf(buf, len, "%s%s vrf %s %s (id %s)", t, daemon, cli_json_text(d, "action"),
			 cli_json_text(d, "vrf"), cli_json_text(d, "vrf_id"));
	else if (strcmp(event, "interface") == 0)
		snprintf(buf, len, "%s%s interface %s %s %s VRF %s (%s)", t, daemon,
			 cli_json_text(d, "action"), cli_json_text(d, "interface"),
			 strcmp(cli_json_text(d, "action"), "bind") == 0 ? "to" : "from",
			 cli_json_text(d, "vrf"), cli_json_text(d, "address"));
	else if (strcmp(event, "nexthop") == 0)
		snprintf(buf, len, "%s%s nexthop %s %s out label %s via %s on %s", t, daemon,
			 cli_json_text(d, "nh_id"), cli_json_text(d, "type"),
			 lab(d, "outer_label", a), cli_json_text(d, "next_hop"),
			 cli_json_text(d, "interface"));
	else
		snprintf(buf, len, "%s%s %s: %s (at %s)", t, daemon, event, cli_json_text(d, "why"),
			 cli_json_text(d, "seq"));
	json_object_put(d);
	return buf;
}

/* One complete event: printed; returns 1 when it counts toward --count. */
static int sse_dispatch(const struct cli_ctx *c, struct sse *s)
{
	char line[1024];
	bool snap = strstr(s->data, "\"snapshot\":true") != NULL;
	int counts = strcmp(s->event, "hello") != 0 && strcmp(s->event, "resync") != 0 &&
		     strcmp(s->event, "snapshot-end") != 0 && !snap;

	if (s->event[0] == '\0' && s->data[0] == '\0')
		return 0; /* a comment (keepalive) */
	if (c->json)
		fprintf(c->out, "{\"daemon\":\"%s\",\"event\":\"%s\",\"id\":%s,\"data\":%s}\n",
			s->daemon, s->event[0] ? s->event : "message", s->id[0] ? s->id : "null",
			s->data[0] ? s->data : "null");
	else
		fprintf(c->out, "%s%s\n", cli_event_line(s->daemon, s->event, s->data, line,
							 sizeof(line)),
			snap && strcmp(s->event, "hello") != 0 && strcmp(s->event, "resync") != 0
				? " (snapshot)"
				: "");
	fflush(c->out);
	s->id[0] = s->event[0] = s->data[0] = '\0';
	return counts;
}

/* Consumes the complete lines in s->buf, counting shown events (up to count, 0 = all). */
static void sse_lines(const struct cli_ctx *c, struct sse *s, long *shown, long count)
{
	char *p = s->buf, *nl;

	while ((nl = memchr(p, '\n', s->n - (size_t)(p - s->buf))) != NULL) {
		*nl = '\0';
		if (*p == '\0' && (count == 0 || *shown < count))
			*shown += sse_dispatch(c, s);
		else if (strncmp(p, "id: ", 4) == 0)
			snprintf(s->id, sizeof(s->id), "%s", p + 4);
		else if (strncmp(p, "event: ", 7) == 0)
			snprintf(s->event, sizeof(s->event), "%s", p + 7);
		else if (strncmp(p, "data: ", 6) == 0)
			snprintf(s->data, sizeof(s->data), "%s", p + 6);
		p = nl + 1;
	}
	s->n -= (size_t)(p - s->buf);
	memmove(s->buf, p, s->n);
	if (s->n >= sizeof(s->buf) - 1)
		s->n = 0; /* a line longer than any event: drop it */
}

#define EVENTS_USAGE                                                                               \
	"events [bgpd] [vrfmgr] [--type T[,T...]] [--vrf NAME] [--since N] [--snapshot] "         \
	"[--count N]"

/* Each daemon's event types, as its "event:" lines name them, and whether they name a VRF. */
static const struct ev_daemon {
	const char *name;
	const char *const *types;
	bool has_vrf;
} ev_daemons[] = {
	{ "bgpd", (const char *const[]){ "route", "session", NULL }, false },
	{ "vrfmgr", (const char *const[]){ "fib", "label", "nexthop", "vrf", "interface", NULL },
	  true },
};

#define TYPES_WANTED                                                                               \
	"route or session (bgpd); fib, label, nexthop, vrf or interface (vrfmgr); several "       \
	"comma-separated"

static const struct ev_daemon *ev_daemon(const char *name)
{
	for (size_t i = 0; i < sizeof(ev_daemons) / sizeof(ev_daemons[0]); i++)
		if (strcmp(ev_daemons[i].name, name) == 0)
			return &ev_daemons[i];
	return NULL;
}

/* Sets type s[0..n)'s bit in its daemon's mask (masks[i]: ev_daemons[i]); false: no such type. */
static bool type_mark(const char *s, size_t n, uint32_t *masks)
{
	for (size_t d = 0; d < sizeof(ev_daemons) / sizeof(ev_daemons[0]); d++)
		for (size_t t = 0; ev_daemons[d].types[t] != NULL; t++)
			if (strlen(ev_daemons[d].types[t]) == n &&
			    strncmp(s, ev_daemons[d].types[t], n) == 0) {
				masks[d] |= UINT32_C(1) << t;
				return true;
			}
	return false;
}

/* --type's list into a bit per type of each daemon (masks[i] for ev_daemons[i]). 0, or -1. */
static int types_parse(const char *list, uint32_t *masks, char *err, size_t errlen)
{
	const char *s = list;

	for (;;) {
		size_t n = strcspn(s, ",");

		if (!type_mark(s, n, masks)) {
			snprintf(err, errlen, "events: --type: \"%.*s\" is not an event type (want "
				 TYPES_WANTED ")", (int)(n < 64 ? n : 64), s);
			return -1;
		}
		if (s[n] == '\0')
			return 0;
		s += n + 1;
	}
}

/* One daemon's query: /events with --since, --snapshot, its share of --type, --vrf. */
static int events_query(const struct cli_ctx *c, const struct ev_daemon *d, uint32_t mask,
			char *q, size_t len)
{
	char types[128] = "";

	snprintf(q, len, "/events");
	for (size_t t = 0; d->types[t] != NULL; t++)
		if (mask & (UINT32_C(1) << t))
			snprintf(types + strlen(types), sizeof(types) - strlen(types), "%s%s",
				 types[0] ? "," : "", d->types[t]);
	if ((c->since != NULL && cli_path_add(q, len, "since", c->since) < 0) ||
	    (c->snapshot && cli_path_add(q, len, "snapshot", "1") < 0) ||
	    (types[0] && cli_path_add(q, len, "type", types) < 0) ||
	    (c->vrf != NULL && cli_path_add(q, len, "vrf", c->vrf) < 0))
		return -1;
	return 0;
}

/*
 * Whether daemon d, named on the command line (named) or not, is asked with
 * --type's masks and --vrf: 1 yes, 0 not (none of its events could pass),
 * -1 a usage error (named, but none of its events could pass).
 */
static int events_fit(const struct cli_ctx *c, const struct ev_daemon *d, uint32_t mask,
		      bool named, char *err, size_t errlen)
{
	if (c->vrf != NULL && !d->has_vrf) {
		if (named)
			snprintf(err, errlen, "events: --vrf: %s's events name no VRF (want events "
				 "vrfmgr --vrf NAME, or %s without --vrf)", d->name, d->name);
		return named ? -1 : 0;
	}
	if (c->types != NULL && mask == 0) {
		char its[96] = "";

		for (size_t t = 0; named && d->types[t] != NULL; t++)
			snprintf(its + strlen(its), sizeof(its) - strlen(its), "%s%s", t ? ", " : "",
				 d->types[t]);
		if (named)
			snprintf(err, errlen, "events: --type %.64s: %s has none of those events (its "
				 "events: %s)", c->types, d->name, its);
		return named ? -1 : 0;
	}
	return 1;
}

static int events_args(int argc, char **argv, const char **daemons, int *nd, char *err,
		       size_t errlen)
{
	for (int i = 0; i < argc; i++) {
		bool known = strcmp(argv[i], "bgpd") == 0 || strcmp(argv[i], "vrfmgr") == 0;
		bool again = false;

		for (int j = 0; j < *nd; j++)
			again |= strcmp(daemons[j], argv[i]) == 0;
		if (!known || again || *nd >= MAX_STREAMS) {
			snprintf(err, errlen, "events: %s \"%.64s\" (want " EVENTS_USAGE ")",
				 known ? "a second" : "unexpected", argv[i]);
			return -1;
		}
		daemons[(*nd)++] = argv[i];
	}
	if (*nd == 0) {
		daemons[(*nd)++] = "bgpd";
		daemons[(*nd)++] = "vrfmgr";
	}
	return 0;
}

int cli_events_plan(const struct cli_ctx *c, int argc, char **argv, struct cli_events_plan *p,
		    char *err, size_t errlen)
{
	const char *daemons[MAX_STREAMS];
	uint32_t masks[sizeof(ev_daemons) / sizeof(ev_daemons[0])] = { 0 };
	int nd = 0;

	memset(p, 0, sizeof(*p));
	if (events_args(argc, argv, daemons, &nd, err, errlen) < 0 ||
	    (c->types != NULL && types_parse(c->types, masks, err, errlen) < 0))
		return -1;
	for (int i = 0; i < nd; i++) {
		const struct ev_daemon *d = ev_daemon(daemons[i]);
		uint32_t mask = masks[d - ev_daemons];
		int fit = events_fit(c, d, mask, argc > 0, err, errlen);

		if (fit < 0)
			return -1;
		if (fit == 0)
			continue;
		if (events_query(c, d, mask, p->query[p->n], sizeof(p->query[p->n])) < 0) {
			snprintf(err, errlen, "events: --vrf: argument too long");
			return -1;
		}
		p->daemons[p->n++] = d->name;
	}
	if (p->n == 0) {
		snprintf(err, errlen, "events: --vrf with --type %.64s: only vrfmgr's events name a "
			 "VRF (want --type fib, label, nexthop, vrf or interface with --vrf)", c->types);
		return -1;
	}
	return 0;
}

/*
 * A refused GET /events: its status and the API's "error" ({"error":..,
 * "status":N}), read from what came with the headers and the rest of the
 * short body, so a missing token says so instead of just "refused". The
 * body is read until it is a whole JSON document (a server that keeps the
 * connection open is not waited for), the connection ends, or the deadline
 * the request started with passes: the timeout is waited once at most.
 */
static void sse_refused(const struct cli_ctx *c, struct sse *s, int status, long long deadline)
{
	struct json_object *doc, *e = NULL;
	ssize_t r;

	s->buf[s->n] = '\0';
	while ((doc = json_tokener_parse(s->buf)) == NULL && s->n < sizeof(s->buf) - 1 &&
	       (r = cli_conn_read(s->conn, s->buf + s->n, sizeof(s->buf) - 1 - s->n, deadline)) > 0) {
		s->n += (size_t)r;
		s->buf[s->n] = '\0';
	}
	json_object_object_get_ex(doc, "error", &e);
	/* --vrf naming no VRF: said as every command says an unknown VRF */
	if (status == 404 && c->vrf != NULL && doc != NULL && cli_json_str(doc, "param") != NULL &&
	    strcmp(cli_json_str(doc, "param"), "vrf") == 0)
		cli_vrf_unknown_print(c, c->vrf);
	else
		fprintf(c->err, "ferryctl: %s: GET /events refused: HTTP %d%s%s\n", s->daemon,
			status, e != NULL ? ": " : "", e != NULL ? json_object_get_string(e) : "");
	json_object_put(doc);
}

/* Opens daemon's event stream into s. 0, or -1 after saying why. */
static int sse_open(const struct cli_ctx *c, struct sse *s, const char *daemon, const char *query)
{
	char sock[600], err[800];
	struct cli_endpoint ep;
	int status = 0, rc;
	long long deadline = cli_now_ms() + c->timeout_ms;

	s->daemon = daemon;
	if (cli_endpoint_of(c, daemon, &ep, sock, sizeof(sock), err, sizeof(err)) < 0) {
		fprintf(c->err, "ferryctl: %s\n", err);
		return -1;
	}
	rc = cli_http_open(&ep, query, c->timeout_ms, &status, s->buf, sizeof(s->buf) - 1, &s->n,
			   &s->conn, err, sizeof(err));
	if (rc < 0) {
		cli_conn_error_print(c, daemon, rc, err);
		return -1;
	}
	if (status != 200) {
		sse_refused(c, s, status, deadline);
		return -1;
	}
	return 0;
}

/* Reads what s's daemon sent; false when the stream is over. */
static bool sse_read(const struct cli_ctx *c, struct sse *s, long *shown, long count)
{
	ssize_t r = cli_conn_read(s->conn, s->buf + s->n, sizeof(s->buf) - 1 - s->n,
				  cli_now_ms() + 1000);

	if (r == -ETIMEDOUT)
		return true; /* woken by poll, but TLS had only a partial record */
	if (r <= 0) {
		fprintf(c->err, "ferryctl: %s closed the event stream\n", s->daemon);
		return false;
	}
	s->n += (size_t)r;
	sse_lines(c, s, shown, count);
	return true;
}

int cli_events(const struct cli_ctx *c, int argc, char **argv)
{
	struct cli_events_plan plan;
	struct sse *s = calloc(MAX_STREAMS, sizeof(*s));
	struct pollfd pfd[MAX_STREAMS];
	char err[300];
	long count = c->count, shown = 0;
	int nd = 0, open = 0, rc = 0;

	if (cli_events_plan(c, argc, argv, &plan, err, sizeof(err)) < 0) {
		fprintf(c->err, "ferryctl: %s\n", err);
		free(s);
		return 2;
	}
	if (s == NULL) {
		fprintf(c->err, "ferryctl: events: out of memory\n");
		return 1;
	}
	nd = plan.n;
	for (int i = 0; i < nd; i++) {
		if (sse_open(c, &s[i], plan.daemons[i], plan.query[i]) < 0) {
			rc = 1;
			goto out;
		}
		pfd[i].fd = cli_conn_fd(s[i].conn);
		pfd[i].events = POLLIN;
		open++;
		sse_lines(c, &s[i], &shown, count);
	}
	while (open > 0 && (count == 0 || shown < count)) {
		bool pending = false;

		for (int i = 0; i < nd; i++)
			pending |= pfd[i].fd >= 0 && cli_conn_pending(s[i].conn);
		if (!pending && poll(pfd, (nfds_t)nd, -1) < 0 && errno != EINTR)
			break;
		for (int i = 0; i < nd; i++) {
			if (pfd[i].fd < 0 || (!cli_conn_pending(s[i].conn) &&
					      !(pfd[i].revents & (POLLIN | POLLHUP | POLLERR))))
				continue;
			pfd[i].revents = 0;
			if (!sse_read(c, &s[i], &shown, count)) {
				pfd[i].fd = -1;
				open--;
				rc = 1;
			}
		}
	}
out:
	for (int i = 0; i < nd; i++)
		cli_conn_close(s[i].conn);
	free(s);
	return rc;
}
