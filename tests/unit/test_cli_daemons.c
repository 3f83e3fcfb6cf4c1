/*
 * ferryctl show daemons' table (cli/daemons.c), from answers shaped as the
 * daemons' GET /process (common/api_process.c) gives them: one row per
 * daemon, bgpd, vrfmgr, fwd, sizes as a person reads them, a daemon not
 * running a row saying so (a P router's bgpd and vrfmgr); and the answer
 * api_process_json writes has every field the table reads.
 */
#include <criterion/criterion.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <event2/buffer.h>

#include "cli/cli.h"
#include "common/api.h"
#include "common/jw.h"

static const char *const BGPD =
	"{\"daemon\":\"bgpd\",\"pid\":4242,\"started_ms\":1795775480000,\"uptime_s\":3725,"
	"\"rss_bytes\":8912896,\"vm_bytes\":20000000,\"heap_in_use_bytes\":1536,"
	"\"open_fds\":12,\"max_fds\":1024,\"cpu_ms\":520}";
static const char *const FWD =
	"{\"daemon\":\"fwd\",\"pid\":77,\"started_ms\":1795775480000,\"uptime_s\":59,"
	"\"rss_bytes\":3221225472,\"vm_bytes\":4000000000,\"heap_in_use_bytes\":512,"
	"\"open_fds\":9,\"max_fds\":null,\"cpu_ms\":1234567}";

/* The table of the answers (JSON text, NULL: not running) for bgpd, vrfmgr, fwd. */
static char *table(const char *bgpd, const char *vrfmgr, const char *fwd)
{
	const char *answers[3] = { bgpd, vrfmgr, fwd };
	struct json_object *docs[3];
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	cr_assert_not_null(out);
	for (int i = 0; i < 3; i++)
		docs[i] = answers[i] != NULL ? json_tokener_parse(answers[i]) : NULL;
	cr_assert_eq(cli_daemons_report(out, docs, NULL, 3), 0);
	fclose(out);
	for (int i = 0; i < 3; i++)
		json_object_put(docs[i]);
	return text;
}

/* The line of daemon d in text, whitespace squeezed to one blank. */
static char *row(const char *text, const char *d)
{
	static char buf[256];
	const char *p = text;
	size_t n = 0;

	while (p != NULL && strncmp(p, d, strlen(d)) != 0) {
		p = strchr(p, '\n');
		p = p != NULL ? p + 1 : NULL;
	}
	cr_assert_not_null(p, "no row for %s in:\n%s", d, text);
	for (; *p != '\0' && *p != '\n' && n + 1 < sizeof(buf); p++)
		if (*p != ' ' || (n > 0 && buf[n - 1] != ' '))
			buf[n++] = *p;
	while (n > 0 && buf[n - 1] == ' ')
		n--;
	buf[n] = '\0';
	return buf;
}

Test(cli_daemons, a_pe_with_its_three_daemons)
{
	char *t = table(BGPD, BGPD, FWD);

	cr_assert_not_null(strstr(t, "DAEMON"), "%s", t);
	cr_assert_str_eq(row(t, "bgpd"), "bgpd running 4242 01:02:05 8.5M 1.5K 12/1024 0.52s");
	cr_assert_str_eq(row(t, "fwd"), "fwd running 77 00:00:59 3.0G 512B 9/- 1234.57s");
	free(t);
}

Test(cli_daemons, a_p_router_runs_fwd_alone)
{
	char *t = table(NULL, NULL, FWD);

	cr_assert_str_eq(row(t, "bgpd"), "bgpd not running - - - - - -");
	cr_assert_str_eq(row(t, "vrfmgr"), "vrfmgr not running - - - - - -");
	cr_assert(strncmp(row(t, "fwd"), "fwd running 77 ", 15) == 0, "%s", row(t, "fwd"));
	free(t);
}

/* What a daemon answers has what the table reads, this process's own pid among them. */
Test(cli_daemons, the_answer_api_process_json_writes)
{
	struct evbuffer *b = evbuffer_new();
	struct json_object *doc, *docs[3] = { NULL };
	struct jw w;
	char *s, *text = NULL;
	size_t n, len = 0;
	FILE *out;

	jw_init(&w, b);
	api_process_json(&w, "vrfmgr");
	jw_flush(&w);
	n = evbuffer_get_length(b);
	s = calloc(1, n + 1);
	evbuffer_remove(b, s, n);
	evbuffer_free(b);
	doc = json_tokener_parse(s);
	cr_assert_not_null(doc, "not JSON: %s", s);
	cr_assert_str_eq(cli_json_str(doc, "daemon"), "vrfmgr");
	cr_assert_eq(json_object_get_int64(cli_json_get(doc, "pid")), (int64_t)getpid());
	cr_assert_gt(json_object_get_uint64(cli_json_get(doc, "rss_bytes")), 0);
	cr_assert_gt(json_object_get_uint64(cli_json_get(doc, "heap_in_use_bytes")), 0);
	cr_assert_geq(json_object_get_uint64(cli_json_get(doc, "open_fds")), 3);
	cr_assert_not_null(cli_json_get(doc, "uptime_s"));
	cr_assert_not_null(cli_json_get(doc, "started_ms"));
	cr_assert_not_null(cli_json_get(doc, "cpu_ms"));
	docs[1] = doc;
	out = open_memstream(&text, &len);
	cli_daemons_report(out, docs, NULL, 3);
	fclose(out);
	cr_assert(strstr(row(text, "vrfmgr"), "vrfmgr running ") == row(text, "vrfmgr"), "%s", text);
	cr_assert_eq(strstr(row(text, "vrfmgr"), " - "), NULL, "every cell filled: %s",
		     row(text, "vrfmgr"));
	free(text);
	json_object_put(doc);
	free(s);
}

/*
 * A daemon whose socket is there but that does not answer (hung, busy, an
 * HTTP error) runs: its row must not say "not running", which sends the
 * operator to start a daemon that is up. Here vrfmgr's socket listens and
 * never answers; bgpd and fwd have no socket (not running).
 */
Test(cli_daemons, a_daemon_that_does_not_answer_is_not_called_not_running)
{
	char dir[] = "/tmp/test_cli_daemons.XXXXXX", *text = NULL, *errs = NULL;
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct cli_ctx c = { .timeout_ms = 300 };
	size_t len = 0, elen = 0;
	int fd, rc;

	cr_assert_not_null(mkdtemp(dir));
	snprintf(c.run_dir, sizeof(c.run_dir), "%s", dir);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/vrfmgr.sock", dir);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	cr_assert_geq(fd, 0);
	cr_assert_eq(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	cr_assert_eq(listen(fd, 4), 0);
	c.out = open_memstream(&text, &len);
	c.err = open_memstream(&errs, &elen);
	rc = cli_show_daemons(&c);
	fclose(c.out);
	fclose(c.err);
	close(fd);
	unlink(sun.sun_path);
	rmdir(dir);
	cr_assert_eq(rc, 1, "a daemon that runs and does not answer is exit 1");
	cr_assert_str_eq(row(text, "bgpd"), "bgpd not running - - - - - -");
	cr_assert_str_eq(row(text, "vrfmgr"), "vrfmgr no answer - - - - - -", "%s", text);
	cr_assert_str_eq(row(text, "fwd"), "fwd not running - - - - - -");
	cr_assert_not_null(strstr(errs, "vrfmgr"), "stderr names vrfmgr: %s", errs);
	free(text);
	free(errs);
}
