/*
 * fake_vrfmgr: stands in for vrfmgr toward fwd, so fwd's PE mode can be
 * tested alone. Listens on the vrfmgr IPC socket; to every fwd that
 * connects it sends HELLO, REPLAY_BEGIN, the table from a spec file,
 * REPLAY_END, then keeps the connection open. SIGHUP re-reads the spec and
 * replays it to the connected fwd (so a sweep can be watched).
 *
 *   fake_vrfmgr (-r RUN_DIR | -s SOCKET) -f SPEC [-t SECONDS]
 *
 * Spec, one item a line ('#' starts a comment):
 *   vrf ID NAME
 *   bind IFNAME VRF_ID ADDR/LEN
 *   nh ID connected IFNAME | nh ID gateway GW IFNAME | nh ID labeled GW OUT IFNAME
 *   nh ID local | nh ID drop
 *   route VRF_ID PREFIX NH_ID [INNER_LABEL]
 *   label IN pop_lookup VRF_ID | label IN pop_forward NH_ID | label IN swap OUT NH_ID
 * Labels are numbers or implicit-null. Exit 0 at -t, 1 on errors, 2 on usage.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/event.h>

#include "common/ipc.h"
#include "common/label.h"
#include "common/log.h"
#include "common/prefix.h"

#define MAX_MSGS 1024

struct msg {
	uint16_t type;
	uint32_t len;
	union {
		struct ipc_vrf vrf;
		struct ipc_if_bind bind;
		struct ipc_nexthop nh;
		struct ipc_fib_entry fib;
		struct ipc_lfib_entry lfib;
	} u;
};

static struct {
	const char *spec;
	struct msg msgs[MAX_MSGS];
	size_t n;
	struct event_base *base;
	struct ipc_conn *conn;
} g;

static int label_arg(const char *s, uint32_t *l)
{
	return mpls_label_parse(s, l);
}

static void name_arg(char *dst, size_t size, const char *s)
{
	snprintf(dst, size, "%s", s);
}

static int parse_nh(char **a, int n, struct msg *m)
{
	struct ipc_nexthop *nh = &m->u.nh;

	m->type = IPC_NH_ADD;
	m->len = sizeof(*nh);
	nh->nh_id = (uint32_t)strtoul(a[1], NULL, 10);
	if (n == 4 && strcmp(a[2], "connected") == 0) {
		nh->type = IPC_NH_CONNECTED;
		name_arg(nh->ifname, sizeof(nh->ifname), a[3]);
	} else if (n == 5 && strcmp(a[2], "gateway") == 0) {
		nh->type = IPC_NH_GATEWAY;
		name_arg(nh->ifname, sizeof(nh->ifname), a[4]);
		return ipv4_parse(a[3], &nh->gateway);
	} else if (n == 6 && strcmp(a[2], "labeled") == 0) {
		nh->type = IPC_NH_LABELED;
		name_arg(nh->ifname, sizeof(nh->ifname), a[5]);
		if (label_arg(a[4], &nh->out_label) < 0)
			return -1;
		return ipv4_parse(a[3], &nh->gateway);
	} else if (n == 3 && strcmp(a[2], "local") == 0) {
		nh->type = IPC_NH_LOCAL;
	} else if (n == 3 && strcmp(a[2], "drop") == 0) {
		nh->type = IPC_NH_DROP;
	} else {
		return -1;
	}
	return 0;
}

static int parse_label(char **a, int n, struct msg *m)
{
	struct ipc_lfib_entry *e = &m->u.lfib;

	m->type = IPC_LFIB_ADD;
	m->len = sizeof(*e);
	if (n < 4 || label_arg(a[1], &e->in_label) < 0)
		return -1;
	if (n == 4 && strcmp(a[2], "pop_lookup") == 0) {
		e->action = IPC_LFIB_POP_LOOKUP;
		e->vrf_id = (uint32_t)strtoul(a[3], NULL, 10);
	} else if (n == 4 && strcmp(a[2], "pop_forward") == 0) {
		e->action = IPC_LFIB_POP_FORWARD;
		e->nh_id = (uint32_t)strtoul(a[3], NULL, 10);
	} else if (n == 5 && strcmp(a[2], "swap") == 0) {
		e->action = IPC_LFIB_SWAP;
		e->nh_id = (uint32_t)strtoul(a[4], NULL, 10);
		return label_arg(a[3], &e->out_label);
	} else {
		return -1;
	}
	return 0;
}

static int parse_line(char **a, int n, struct msg *m)
{
	struct prefix4 p;

	memset(m, 0, sizeof(*m));
	if (n == 3 && strcmp(a[0], "vrf") == 0) {
		m->type = IPC_VRF_ADD;
		m->len = sizeof(m->u.vrf);
		m->u.vrf.vrf_id = (uint32_t)strtoul(a[1], NULL, 10);
		name_arg(m->u.vrf.name, sizeof(m->u.vrf.name), a[2]);
		return 0;
	}
	if (n == 4 && strcmp(a[0], "bind") == 0) {
		m->type = IPC_IF_BIND;
		m->len = sizeof(m->u.bind);
		name_arg(m->u.bind.ifname, sizeof(m->u.bind.ifname), a[1]);
		m->u.bind.vrf_id = (uint32_t)strtoul(a[2], NULL, 10);
		if (ifaddr4_parse(a[3], &p) < 0)
			return -1;
		m->u.bind.address = p.addr;
		m->u.bind.plen = p.len;
		return 0;
	}
	if (n >= 3 && strcmp(a[0], "nh") == 0)
		return parse_nh(a, n, m);
	if ((n == 4 || n == 5) && strcmp(a[0], "route") == 0) {
		m->type = IPC_FIB_ADD;
		m->len = sizeof(m->u.fib);
		m->u.fib.vrf_id = (uint32_t)strtoul(a[1], NULL, 10);
		if (prefix4_parse(a[2], &p) < 0)
			return -1;
		m->u.fib.prefix = p.addr;
		m->u.fib.plen = p.len;
		m->u.fib.nh_id = (uint32_t)strtoul(a[3], NULL, 10);
		m->u.fib.inner_label = MPLS_LABEL_NONE;
		return n == 5 ? label_arg(a[4], &m->u.fib.inner_label) : 0;
	}
	if (strcmp(a[0], "label") == 0)
		return parse_label(a, n, m);
	return -1;
}

static int load_spec(void)
{
	FILE *fp = fopen(g.spec, "r");
	char line[256];
	int lineno = 0;

	if (fp == NULL) {
		log_warn("%s", g.spec);
		return -1;
	}
	g.n = 0;
	while (fgets(line, sizeof(line), fp) != NULL) {
		char *a[8], *save = NULL, *tok;
		int n = 0;

		lineno++;
		if (strchr(line, '#') != NULL)
			*strchr(line, '#') = '\0';
		for (tok = strtok_r(line, " \t\r\n", &save); tok != NULL && n < 8;
		     tok = strtok_r(NULL, " \t\r\n", &save))
			a[n++] = tok;
		if (n == 0)
			continue;
		if (g.n == MAX_MSGS || parse_line(a, n, &g.msgs[g.n]) < 0) {
			log_warnx("%s:%d: cannot parse this line", g.spec, lineno);
			fclose(fp);
			return -1;
		}
		g.n++;
	}
	fclose(fp);
	return 0;
}

static void replay(void)
{
	ipc_send(g.conn, IPC_REPLAY_BEGIN, NULL, 0);
	for (size_t i = 0; i < g.n; i++)
		ipc_send(g.conn, g.msgs[i].type, &g.msgs[i].u, g.msgs[i].len);
	ipc_send(g.conn, IPC_REPLAY_END, NULL, 0);
	log_info("replayed %zu entries", g.n);
}

static void on_msg(struct ipc_conn *c, uint16_t type, const void *payload, uint32_t len,
		   void *ctx)
{
	(void)c;
	(void)payload;
	(void)len;
	(void)ctx;
	if (type == IPC_HELLO)
		replay();
}

static void on_close(struct ipc_conn *c, void *ctx)
{
	(void)ctx;
	ipc_conn_free(c);
	if (c == g.conn)
		g.conn = NULL;
	log_info("fwd went away");
}

static void on_accept(evutil_socket_t lfd, short what, void *arg)
{
	int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	(void)what;
	(void)arg;
	if (fd < 0)
		return;
	if (g.conn != NULL)
		ipc_conn_free(g.conn);
	g.conn = ipc_conn_new(g.base, fd, on_msg, on_close, NULL);
	if (g.conn != NULL)
		ipc_send_hello(g.conn, IPC_ROLE_VRFMGR, "fake");
	log_info("fwd connected");
}

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
	(void)what;
	(void)arg;
	if (sig == SIGHUP) {
		if (load_spec() == 0 && g.conn != NULL)
			replay();
		return;
	}
	event_base_loopbreak(g.base);
}

int main(int argc, char **argv)
{
	char path[256] = "";
	int ch, lfd, seconds = 0;
	struct timeval tv;

	while ((ch = getopt(argc, argv, "r:s:f:t:")) != -1) {
		if (ch == 'r')
			snprintf(path, sizeof(path), "%s/vrfmgr.ipc", optarg);
		else if (ch == 's')
			snprintf(path, sizeof(path), "%s", optarg);
		else if (ch == 'f')
			g.spec = optarg;
		else if (ch == 't')
			seconds = atoi(optarg);
		else
			return 2;
	}
	if (path[0] == '\0' || g.spec == NULL) {
		fprintf(stderr, "usage: fake_vrfmgr (-r RUN_DIR | -s SOCKET) -f SPEC [-t SECONDS]\n");
		return 2;
	}
	log_init("fake_vrfmgr", LOG_LVL_INFO);
	signal(SIGPIPE, SIG_IGN);
	if (load_spec() < 0 || (lfd = ipc_listen_unix(path)) < 0)
		return 1;
	g.base = event_base_new();
	event_add(event_new(g.base, lfd, EV_READ | EV_PERSIST, on_accept, NULL), NULL);
	event_add(evsignal_new(g.base, SIGHUP, on_signal, NULL), NULL);
	event_add(evsignal_new(g.base, SIGTERM, on_signal, NULL), NULL);
	event_add(evsignal_new(g.base, SIGINT, on_signal, NULL), NULL);
	if (seconds > 0) {
		tv = (struct timeval){ seconds, 0 };
		event_base_loopexit(g.base, &tv);
	}
	event_base_dispatch(g.base);
	unlink(path);
	return 0;
}
