/*
 * ferryctl's reading of a response (cli/http.c): cli_http_scan fed the
 * answer a piece at a time says when it is complete (headers split across
 * reads, Content-Length, chunked with chunks split anywhere, a body without
 * length that only EOF ends), and cli_http_get stops as soon as a server
 * that keeps the connection open has sent a complete answer, and reads to
 * EOF a streamed HTTP/1.0 body of several MB; a daemon that never answers
 * is a timeout naming its socket; ferryctl events names the status and the
 * API's error when GET /events is refused; a daemon that is not in the run
 * directory is "not running", with the daemons that are; trace in an unknown
 * VRF says so as show does; without -i, the one run directory with the
 * daemon, or the names to choose from (and -i of no router names them).
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cli.h"

/* Feeds raw in pieces of step bytes; returns the length at which scan said 1 (0: never). */
static size_t feed(const char *raw, size_t step, int *last)
{
	struct cli_http_scan st = { 0 };
	size_t len = 0, total = strlen(raw);

	*last = 0;
	while (len < total) {
		len = len + step < total ? len + step : total;
		*last = cli_http_scan(&st, raw, len);
		if (*last != 0)
			return len;
	}
	return 0;
}

Test(cli_http_scan, content_length_any_split)
{
	const char *raw = "HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\n{\"a\":1}";
	int last;

	for (size_t step = 1; step <= strlen(raw); step++) {
		cr_assert_eq(feed(raw, step, &last), strlen(raw), "step %zu", step);
		cr_assert_eq(last, 1);
	}
}

Test(cli_http_scan, no_length_waits_for_eof)
{
	const char *raw = "HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n{\"a\":2}";
	struct cli_http_scan st = { 0 };
	int last;

	for (size_t step = 1; step <= strlen(raw); step++)
		cr_assert_eq(feed(raw, step, &last), 0, "step %zu", step);
	cr_assert_eq(cli_http_scan(&st, raw, strlen(raw)), 0);
	cr_assert_eq(st.mode, CLI_HTTP_TO_EOF);
	cr_assert_eq(st.body, strlen(raw) - 7);
}

Test(cli_http_scan, chunked_any_split)
{
	const char *raw = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
			  "3\r\n{\"a\r\n4\r\n\":3}\r\n0\r\n\r\n";
	size_t at0 = strstr(raw, "0\r\n\r\n") - raw + 3; /* complete once "0\r\n" is in */
	int last;

	for (size_t step = 1; step <= strlen(raw); step++) {
		size_t got = feed(raw, step, &last);

		cr_assert_eq(last, 1, "step %zu", step);
		cr_assert(got >= at0, "step %zu: complete at %zu", step, got);
	}
}

Test(cli_http_scan, chunked_broken_and_headers_late)
{
	const char *bad = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n";
	const char *hdr = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n";
	struct cli_http_scan st = { 0 };
	int last;

	feed(bad, 1, &last);
	cr_assert_eq(last, -EPROTO);
	cr_assert_eq(cli_http_scan(&st, hdr, strlen(hdr)), 0);
	cr_assert_eq(st.mode, CLI_HTTP_HEADERS);
}

/* ---- against a server on a Unix socket ---- */

static char sock_path[108];

/* A child that answers one connection with resp, then stays open (hold) or closes. */
static pid_t serve(const char *resp, size_t len, bool hold)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int lfd = socket(AF_UNIX, SOCK_STREAM, 0), fd;
	pid_t pid;

	if (sock_path[0] == '\0')
		snprintf(sock_path, sizeof(sock_path), "/tmp/ferry-cli-http-%d.sock", (int)getpid());
	unlink(sock_path);
	strcpy(sun.sun_path, sock_path);
	cr_assert(lfd >= 0);
	cr_assert_eq(bind(lfd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	cr_assert_eq(listen(lfd, 1), 0);
	pid = fork();
	cr_assert(pid >= 0);
	if (pid == 0) {
		char req[4096];

		alarm(30); /* the test failed before connecting: do not wait for it forever */
		fd = accept(lfd, NULL, NULL);
		if (fd < 0 || read(fd, req, sizeof(req)) <= 0)
			_exit(1);
		for (size_t off = 0; off < len;) {
			ssize_t n = write(fd, resp + off, len - off > 4096 ? 4096 : len - off);

			if (n <= 0)
				_exit(1);
			off += (size_t)n;
		}
		if (hold)
			while (read(fd, req, sizeof(req)) > 0) /* until the client closes */
				;
		_exit(0);
	}
	close(lfd);
	return pid;
}

static void reap(pid_t pid)
{
	int st;

	cr_assert_eq(waitpid(pid, &st, 0), pid);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	unlink(sock_path);
}

/* A server that keeps the connection: the answer ends at its Content-Length, not EOF. */
Test(cli_http_get, stops_at_content_length)
{
	const char *resp = "HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\n{\"a\":1}";
	struct cli_response r;
	char err[512];
	pid_t pid = serve(resp, strlen(resp), true);

	cr_assert_eq(cli_http_get(sock_path, "/x", 10000, &r, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(r.status, 200);
	cr_assert_str_eq(r.body, "{\"a\":1}");
	cli_response_free(&r);
	reap(pid);
}

Test(cli_http_get, stops_at_last_chunk)
{
	const char *resp = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
			   "3\r\n{\"a\r\n4\r\n\":3}\r\n0\r\n\r\n";
	struct cli_response r;
	char err[512];
	pid_t pid = serve(resp, strlen(resp), true);

	cr_assert_eq(cli_http_get(sock_path, "/x", 10000, &r, err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(r.body, "{\"a\":3}");
	cli_response_free(&r);
	reap(pid);
}

/* HTTP/1.0 without length, 8 MB in 4 KB writes: all of it, up to EOF. */
Test(cli_http_get, streamed_body_to_eof)
{
	const char *hdr = "HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n";
	size_t hlen = strlen(hdr), blen = 8u << 20;
	char *resp = malloc(hlen + blen), err[512];
	struct cli_response r;
	pid_t pid;

	cr_assert_not_null(resp);
	memcpy(resp, hdr, hlen);
	for (size_t i = 0; i < blen; i++)
		resp[hlen + i] = (char)('a' + i % 26);
	pid = serve(resp, hlen + blen, false);
	cr_assert_eq(cli_http_get(sock_path, "/x", 30000, &r, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(r.body_len, blen);
	cr_assert_eq(memcmp(r.body, resp + hlen, blen), 0);
	cli_response_free(&r);
	free(resp);
	reap(pid);
}

/*
 * A daemon that takes the request and never answers (stopped, stuck): the
 * timeout's error names the socket it waited on (it named nothing: the
 * buffer ep_name fills is only used for TCP, and was printed for Unix
 * sockets too, "bgpd: : no answer within 1000 ms").
 */
Test(cli_http_get, a_silent_daemon_times_out_naming_its_socket)
{
	struct cli_response r;
	struct cli_conn *conn = NULL;
	struct cli_endpoint ep = { 0 };
	char err[512], want[300], head[64];
	size_t head_len = 0;
	int status = 0;
	pid_t pid = serve("", 0, true);

	cr_assert_eq(cli_http_get(sock_path, "/x", 200, &r, err, sizeof(err)), -ETIMEDOUT);
	snprintf(want, sizeof(want), "%s: no complete answer within 200 ms", sock_path);
	cr_assert_str_eq(err, want);
	reap(pid);
	pid = serve("", 0, true);
	ep.sock_path = sock_path;
	cr_assert_eq(cli_http_open(&ep, "/events", 200, &status, head, sizeof(head), &head_len,
				   &conn, err, sizeof(err)),
		     -ETIMEDOUT);
	cr_assert_null(conn);
	snprintf(want, sizeof(want), "%s: no answer within 200 ms", sock_path);
	cr_assert_str_eq(err, want);
	reap(pid);
}

/*
 * ferryctl events against a server that refuses GET /events (and closes,
 * or holds the connection open: hold); what ferryctl printed on stderr,
 * and in *ms how long it took.
 */
static char *events_refused(bool hold, int timeout_ms, long long *ms)
{
	const char *resp = "HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\n"
			   "Content-Length: 47\r\n\r\n{\"error\":\"missing or wrong token\",\"status\":401}";
	struct cli_ctx c = { .timeout_ms = timeout_ms, .out = stdout };
	char *text = NULL, *argv[] = { "bgpd" };
	size_t tlen = 0;
	long long t0 = cli_now_ms();
	pid_t pid;

	snprintf(c.run_dir, sizeof(c.run_dir), "/tmp/ferry-cli-ev-%d", (int)getpid());
	cr_assert_eq(mkdir(c.run_dir, 0700), 0);
	snprintf(sock_path, sizeof(sock_path), "%.80s/bgpd.sock", c.run_dir);
	pid = serve(resp, strlen(resp), hold);
	c.err = open_memstream(&text, &tlen);
	cr_assert_eq(cli_events(&c, 1, argv), 1);
	*ms = cli_now_ms() - t0;
	fclose(c.err);
	reap(pid);
	rmdir(c.run_dir);
	return text;
}

/* GET /events refused: the status and the API's "error", not just "refused". */
Test(cli_events, refused_names_status_and_error)
{
	long long ms;
	char *text = events_refused(false, 10000, &ms);

	cr_assert(strstr(text, "bgpd: GET /events refused: HTTP 401: missing or wrong token") !=
			  NULL,
		  "%s", text);
	free(text);
}

/*
 * A server that keeps the connection open after its refusal: the answer is
 * shown once its JSON is whole, not after the timeout (60 s; the server
 * gives up after 30 s, which the old code waited for).
 */
Test(cli_events, refused_by_a_server_that_holds_the_connection)
{
	long long ms;
	char *text = events_refused(true, 60000, &ms);

	cr_assert(strstr(text, "HTTP 401: missing or wrong token") != NULL, "%s", text);
	cr_assert_lt(ms, 20000, "waited %lld ms for a connection the server held open", ms);
	free(text);
}

/*
 * A run directory without the daemon asked: "not running", and which
 * daemons the directory does have, the same from a table's fetch, --json's
 * stream and events (events said "bgpd: PATH: No such file or directory").
 */
Test(cli_fetch, a_missing_daemon_is_said_with_what_runs_there)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct cli_ctx c = { .timeout_ms = 1000, .out = stdout };
	struct json_object *doc = (struct json_object *)1;
	char *text = NULL, *argv[] = { "bgpd" }, want[4096];
	size_t tlen = 0;
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	snprintf(c.run_dir, sizeof(c.run_dir), "/tmp/ferry-cli-nr-%d", (int)getpid());
	cr_assert_eq(mkdir(c.run_dir, 0700), 0);
	c.err = open_memstream(&text, &tlen);
	cr_assert_eq(cli_fetch(&c, "vrfmgr", "/vrfs", &doc), -1);
	cr_assert_null(doc);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%.80s/fwd.sock", c.run_dir);
	cr_assert_eq(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0); /* fwd alone, as on P */
	cr_assert_eq(cli_fetch(&c, "vrfmgr", "/vrfs", &doc), -1);
	cr_assert_eq(cli_events(&c, 1, argv), 1);
	fclose(c.err);
	snprintf(want, sizeof(want),
		 "ferryctl: vrfmgr is not running (%s/vrfmgr.sock: No such file or directory; no "
		 "daemon runs in %s)\n"
		 "ferryctl: vrfmgr is not running (%s/vrfmgr.sock: No such file or directory; %s "
		 "has fwd only)\n"
		 "ferryctl: bgpd is not running (%s/bgpd.sock: No such file or directory; %s has "
		 "fwd only)\n",
		 c.run_dir, c.run_dir, c.run_dir, c.run_dir, c.run_dir, c.run_dir);
	cr_assert_str_eq(text, want);
	free(text);
	close(fd);
	unlink(sun.sun_path);
	rmdir(c.run_dir);
}

/*
 * trace in a VRF vrfmgr does not know says so as show vrf NAME does (it
 * printed vrfmgr's raw 404: "vrfmgr: GET /routes?vrf=Z&address=...: no VRF
 * named "Z" (HTTP 404)").
 */
Test(cli_trace, an_unknown_vrf_is_said_as_show_says_it)
{
	const char *resp = "HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\n"
			   "Content-Length: 43\r\n\r\n{\"error\":\"no VRF named \\\"Z\\\"\",\"status\":404}";
	struct cli_ctx c = { .timeout_ms = 10000, .out = stdout };
	char *text = NULL;
	size_t tlen = 0;
	pid_t pid;

	snprintf(c.run_dir, sizeof(c.run_dir), "/tmp/ferry-cli-tr-%d", (int)getpid());
	cr_assert_eq(mkdir(c.run_dir, 0700), 0);
	snprintf(sock_path, sizeof(sock_path), "%.80s/vrfmgr.sock", c.run_dir);
	pid = serve(resp, strlen(resp), false);
	c.err = open_memstream(&text, &tlen);
	cr_assert_eq(cli_trace(&c, "Z", "192.168.101.10"), 1);
	fclose(c.err);
	reap(pid);
	rmdir(c.run_dir);
	cr_assert_str_eq(text, "ferryctl: no VRF named \"Z\"\n");
	free(text);
}

/*
 * Without -i: the one run directory with the daemon's socket; several are
 * named as -i takes them (sorted names, one to copy), not as full paths in
 * readdir's order.
 */
Test(cli_run_dir, found_or_the_names_to_choose_from)
{
	char base[128], dir[256], out[512], *text = NULL;
	const char *names[] = { "lab-pe2", "lab-p", "lab-pe1" };
	size_t tlen = 0;
	int fds[3];
	FILE *err;

	snprintf(base, sizeof(base), "/tmp/ferry-cli-rd-%d", (int)getpid());
	cr_assert_eq(mkdir(base, 0700), 0);
	for (int i = 0; i < 3; i++) {
		struct sockaddr_un sun = { .sun_family = AF_UNIX };

		snprintf(dir, sizeof(dir), "%s/%s", base, names[i]);
		cr_assert_eq(mkdir(dir, 0700), 0);
		/* P runs fwd alone; both PEs run vrfmgr */
		snprintf(sun.sun_path, sizeof(sun.sun_path), "%.90s/%s.sock", dir,
			 i == 1 ? "fwd" : "vrfmgr");
		fds[i] = socket(AF_UNIX, SOCK_STREAM, 0);
		cr_assert_eq(bind(fds[i], (struct sockaddr *)&sun, sizeof(sun)), 0);
	}
	err = open_memstream(&text, &tlen);
	cr_assert_eq(cli_run_dir_find(base, "fwd", out, sizeof(out), err), 0);
	snprintf(dir, sizeof(dir), "%s/lab-p", base);
	cr_assert_str_eq(out, dir);
	cr_assert_eq(cli_run_dir_find(base, "vrfmgr", out, sizeof(out), err), -1);
	cr_assert_eq(cli_run_dir_find(base, "bgpd", out, sizeof(out), err), -1);
	fclose(err);
	snprintf(out, sizeof(out),
		 "ferryctl: vrfmgr runs in 2 run directories under %s (lab-pe1, lab-pe2); choose "
		 "one with -i NAME, e.g. -i lab-pe1\n"
		 "ferryctl: no bgpd running under %s; say which with -i INSTANCE\n", base, base);
	cr_assert_str_eq(text, out);
	free(text);
	/* -i of no router: the routers there, a directory without a daemon's socket left out */
	snprintf(dir, sizeof(dir), "%s/lab-host-a1", base);
	cr_assert_eq(mkdir(dir, 0700), 0);
	cli_run_dir_names(base, out, sizeof(out));
	cr_assert_str_eq(out, "lab-p, lab-pe1, lab-pe2");
	rmdir(dir);
	for (int i = 0; i < 3; i++) {
		struct sockaddr_un sun;
		socklen_t sl = sizeof(sun);

		cr_assert_eq(getsockname(fds[i], (struct sockaddr *)&sun, &sl), 0);
		unlink(sun.sun_path);
		close(fds[i]);
		snprintf(dir, sizeof(dir), "%s/%s", base, names[i]);
		rmdir(dir);
	}
	rmdir(base);
}

/*
 * show daemons and reload check look for the run directory by any daemon's
 * socket (NULL): the one found, or what is there said without a daemon's
 * name ("(null)" before).
 */
Test(cli_run_dir, found_by_any_daemon)
{
	char base[64], dir[128], out[512], *text = NULL;
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	size_t tlen = 0;
	FILE *err;
	int fd;

	snprintf(base, sizeof(base), "/tmp/ferry-cli-any-%d", (int)getpid());
	cr_assert_eq(mkdir(base, 0700), 0);
	err = open_memstream(&text, &tlen);
	cr_assert_eq(cli_run_dir_find(base, NULL, out, sizeof(out), err), -1);
	snprintf(dir, sizeof(dir), "%s/pe1", base);
	cr_assert_eq(mkdir(dir, 0700), 0);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%.90s/vrfmgr.sock", dir); /* fwd's is not there */
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	cr_assert_eq(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	cr_assert_eq(cli_run_dir_find(base, NULL, out, sizeof(out), err), 0);
	cr_assert_str_eq(out, dir);
	cr_assert_eq(cli_run_dir_find(base, "fwd", out, sizeof(out), err), -1);
	fclose(err);
	close(fd);
	unlink(sun.sun_path);
	rmdir(dir);
	rmdir(base);
	snprintf(out, sizeof(out),
		 "ferryctl: no bgpd, vrfmgr or fwd running under %s; say which with -i INSTANCE\n"
		 "ferryctl: no fwd running under %s; say which with -i INSTANCE\n", base, base);
	cr_assert_str_eq(text, out);
	free(text);
}
