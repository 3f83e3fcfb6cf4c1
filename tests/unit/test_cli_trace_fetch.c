/*
 * ferryctl trace with no VRF route, against stand-ins for vrfmgr and fwd on
 * Unix sockets that answer each request by its path: which covering VPN
 * routes the trace asks vrfmgr to explain (those that matter to the VRF
 * first, on a PE of many tenants), and one /explain that fails, which is
 * said for that route while the trace goes on (it ended the whole trace).
 */
#include <criterion/criterion.h>
#include <json-c/json.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cli.h"

/* An answer: status and JSON body, for one request path. */
typedef void (*answer_fn)(const char *path, int *status, char *body, size_t len);

static void write_all(int fd, const char *s, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, s, n);

		if (w <= 0)
			_exit(1);
		s += w;
		n -= (size_t)w;
	}
}

/* One request on fd: its path into path (the request line's second word). */
static int read_path(int fd, char *path, size_t len)
{
	char req[8192];
	size_t n = 0;
	ssize_t r;

	while (n < sizeof(req) - 1 && (r = read(fd, req + n, sizeof(req) - 1 - n)) > 0) {
		n += (size_t)r;
		req[n] = '\0';
		if (strstr(req, "\r\n\r\n") != NULL)
			break;
	}
	req[n] = '\0';
	return sscanf(req, "GET %1023s HTTP/", path) == 1 && len >= 1024 ? 0 : -1;
}

/* A child serving every connection on sock with answer() until it is stopped. */
static pid_t serve(const char *sock, answer_fn answer)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	pid_t pid;

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", sock);
	cr_assert(lfd >= 0);
	cr_assert_eq(bind(lfd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	cr_assert_eq(listen(lfd, 8), 0);
	pid = fork();
	cr_assert(pid >= 0);
	if (pid == 0) {
		alarm(30); /* the test died: do not serve forever */
		for (;;) {
			char path[1024], body[16384], head[256];
			int fd = accept(lfd, NULL, NULL), status = 200;

			if (fd < 0 || read_path(fd, path, sizeof(path)) < 0)
				_exit(1);
			answer(path, &status, body, sizeof(body));
			snprintf(head, sizeof(head),
				 "HTTP/1.1 %d X\r\nContent-Type: application/json\r\n"
				 "Content-Length: %zu\r\n\r\n",
				 status, strlen(body));
			write_all(fd, head, strlen(head));
			write_all(fd, body, strlen(body));
			close(fd);
		}
	}
	close(lfd);
	return pid;
}

static void stop(pid_t pid)
{
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
}

/*
 * pe1 with VRF A (RD 10.255.0.1:100) importing 65000:10, a typo of
 * 65000:100, among nine other tenants whose 192.168.0.0/16 covers the
 * address too and come first in vrfmgr's RD order (10.255.0.2:1..9, each
 * its own RT). A's own route, 10.255.0.2:100, is listed last.
 */
#define TENANTS 9

static void vpn_answer(char *body, size_t len)
{
	size_t n = (size_t)snprintf(body, len, "{\"count\":%d,\"routes\":[", TENANTS + 1);

	for (int i = 1; i <= TENANTS; i++)
		n += (size_t)snprintf(body + n, len - n,
				      "{\"rd\":\"10.255.0.2:%d\",\"prefix\":\"192.168.0.0/16\","
				      "\"label\":%d,\"route_targets\":[\"65000:%d\"],\"vrfs\":[]},",
				      i, 300 + i, i);
	snprintf(body + n, len - n,
		 "{\"rd\":\"10.255.0.2:100\",\"prefix\":\"192.168.101.0/24\",\"label\":200,"
		 "\"route_targets\":[\"65000:100\"],\"vrfs\":[]}],\"next\":null,\"returned\":%d}",
		 TENANTS + 1);
}

/* The query's value of key, %XX decoded ("" when absent). */
static void query_value(const char *path, const char *key, char *v, size_t len)
{
	char pat[32];
	const char *p;
	size_t n = 0;
	unsigned x;

	snprintf(pat, sizeof(pat), "%s=", key);
	p = strstr(path, pat);
	v[0] = '\0';
	if (p == NULL)
		return;
	for (p += strlen(pat); *p && *p != '&' && n + 1 < len; n++)
		if (*p == '%' && sscanf(p + 1, "%2x", &x) == 1) {
			v[n] = (char)x;
			p += 3;
		} else
			v[n] = *p++;
	v[n] = '\0';
}

static void vrfmgr_answer(const char *path, int *status, char *body, size_t len)
{
	char rd[64], prefix[64], rt[32];

	if (strncmp(path, "/routes?", 8) == 0)
		snprintf(body, len, "{\"routes\":[],\"next\":null,\"prefixes\":0,\"candidates\":0}");
	else if (strncmp(path, "/vrfs?", 6) == 0)
		snprintf(body, len, "{\"vrfs\":[{\"name\":\"A\",\"id\":1,\"rd\":\"10.255.0.1:100\","
				    "\"import_rts\":[\"65000:10\"],\"export_rts\":[\"65000:100\"]}]}");
	else if (strncmp(path, "/vpn?", 5) == 0)
		vpn_answer(body, len);
	else if (strncmp(path, "/explain?", 9) == 0) {
		query_value(path, "rd", rd, sizeof(rd));
		query_value(path, "prefix", prefix, sizeof(prefix));
		if (strcmp(rd, "10.255.0.2:2") == 0) { /* this one question fails */
			*status = 500;
			snprintf(body, len, "{\"error\":\"out of memory\",\"status\":500}");
			return;
		}
		snprintf(rt, sizeof(rt), "65000:%s", strrchr(rd, ':') + 1);
		snprintf(body, len,
			 "{\"rd\":\"%s\",\"prefix\":\"%s\",\"vpn_route\":{\"source\":\"bgp\","
			 "\"route_targets\":[\"%s\"]},\"vrfs\":[{\"vrf\":\"A\",\"verdict\":"
			 "\"no-common-rt\",\"reason\":\"no route target in common\","
			 "\"import_rts\":[\"65000:10\"]}]}",
			 rd, prefix, rt);
	} else {
		*status = 404;
		snprintf(body, len, "{\"error\":\"no such path: %.200s\",\"status\":404}", path);
	}
}

static void fwd_answer(const char *path, int *status, char *body, size_t len)
{
	if (strncmp(path, "/lookup?", 8) == 0)
		snprintf(body, len, "{\"found\":false}");
	else if (strncmp(path, "/fib?", 5) == 0)
		snprintf(body, len, "{\"fib\":[]}");
	else {
		*status = 404;
		snprintf(body, len, "{\"error\":\"no such path\",\"status\":404}");
	}
}

Test(cli_trace, no_vrf_route_explains_the_vrfs_own_first_and_goes_on_past_a_failed_explain)
{
	static const char first[] = "  VPN route    10.255.0.2:100:192.168.101.0/24, RTs 65000:100, "
				    "not used: no route target in common (VRF A imports 65000:10)\n";
	struct cli_ctx c = { .timeout_ms = 10000 };
	char *text = NULL, *errs = NULL, sock[600], *l;
	size_t tlen = 0, elen = 0;
	pid_t vrfmgr, fwd;
	int rc;

	snprintf(c.run_dir, sizeof(c.run_dir), "/tmp/ferry-cli-trf-%d", (int)getpid());
	cr_assert_eq(mkdir(c.run_dir, 0700), 0);
	snprintf(sock, sizeof(sock), "%s/vrfmgr.sock", c.run_dir);
	vrfmgr = serve(sock, vrfmgr_answer);
	snprintf(sock, sizeof(sock), "%s/fwd.sock", c.run_dir);
	fwd = serve(sock, fwd_answer);
	c.out = open_memstream(&text, &tlen);
	c.err = open_memstream(&errs, &elen);
	rc = cli_trace(&c, "A", "192.168.101.10");
	fclose(c.out);
	fclose(c.err);
	stop(vrfmgr);
	stop(fwd);
	snprintf(sock, sizeof(sock), "%s/vrfmgr.sock", c.run_dir);
	unlink(sock);
	snprintf(sock, sizeof(sock), "%s/fwd.sock", c.run_dir);
	unlink(sock);
	rmdir(c.run_dir);

	cr_assert_eq(rc, 0, "exit %d; stdout:\n%s\nstderr:\n%s", rc, text, errs);
	/* A's own RD number first, though vrfmgr listed it last */
	l = strstr(text, "  VPN route    ");
	cr_assert_not_null(l, "%s", text);
	cr_assert_eq(strncmp(l, first, strlen(first)), 0, "%s", text);
	/* the failed question is that route's line, and the others are explained after it */
	cr_assert_not_null(strstr(text, "  VPN route    10.255.0.2:2:192.168.0.0/16, RTs 65000:2, not "
					"explained: vrfmgr did not answer GET /explain (see above)\n"
					"  VPN route    10.255.0.2:3:192.168.0.0/16, RTs 65000:3, not "
					"used: no route target in common (VRF A imports 65000:10)\n"),
			   "%s", text);
	cr_assert_not_null(strstr(text, "  VPN route    and 2 more cover it, none with an import RT "
					"or the RD of VRF A (ferryctl show vpn 192.168.101.10/32 "
					"shorter)\n"),
			   "%s", text);
	cr_assert_not_null(strstr(text, "  verdict      no route: fwd drops packets"), "%s", text);
	cr_assert_not_null(strstr(errs, "GET /explain?rd=10.255.0.2%3A2&"), "%s", errs);
	cr_assert_not_null(strstr(errs, "out of memory (HTTP 500)"), "%s", errs);
	free(text);
	free(errs);
}
