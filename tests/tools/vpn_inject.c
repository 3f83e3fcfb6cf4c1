/*
 * vpn_inject: stands in for vrfmgr on one bgpd's IPC socket, for tests.
 * Listens on SOCK (<run_dir>/vrfmgr.ipc), and to every bgpd that connects
 * sends HELLO and a replay of the local routes given on the command line;
 * prints each route bgpd reports back ("ADD rd prefix label nh rts" /
 * "DEL rd prefix"), one line each, flushed, so a script can wait for them.
 * Lines on standard input change the local routes while it runs (sent to
 * every connected bgpd and replayed to later ones):
 *   add RD PREFIX LABEL RT[,RT...] [LOCAL_PREF [MED]]
 *   del RD PREFIX
 *
 *   vpn_inject SOCK [RD PREFIX LABEL RT[,RT...]]...
 *   e.g. vpn_inject /run/x/vrfmgr.ipc 10.255.0.1:100 192.168.100.0/24 100 65000:100
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/listener.h>

#include "common/ipc.h"
#include "common/log.h"
#include "common/prefix.h"
#include "common/rd.h"

#define MAX_ROUTES 256
#define MAX_CONNS 8
#define MAX_RTS 8

struct route {
	struct ipc_vpn_route r;
	struct ext_community rts[MAX_RTS];
};

static struct route routes[MAX_ROUTES];
static size_t n_routes;
static struct event_base *base;
static struct ipc_conn *conns[MAX_CONNS];

static int parse_route(char **a, struct route *rt)
{
	struct prefix4 p;
	struct rd rd;
	char *save = NULL, *tok;

	if (rd_parse(a[0], &rd) < 0 || prefix4_parse(a[1], &p) < 0)
		return -1;
	memcpy(rt->r.rd, rd.b, 8);
	rt->r.prefix = p.addr;
	rt->r.plen = p.len;
	rt->r.label = (uint32_t)strtoul(a[2], NULL, 10);
	for (tok = strtok_r(a[3], ",", &save); tok && rt->r.n_rts < MAX_RTS;
	     tok = strtok_r(NULL, ",", &save))
		if (rt_parse(tok, &rt->rts[rt->r.n_rts++]) < 0)
			return -1;
	return 0;
}

static void on_msg(struct ipc_conn *c, uint16_t type, const void *payload, uint32_t len, void *ctx)
{
	const struct ipc_vpn_route *r = payload;
	const struct ext_community *rts = (const struct ext_community *)(r + 1);
	char rd[RD_STRLEN], pfx[PREFIX4_STRLEN], nh[IPV4_STRLEN], rt[RD_STRLEN];
	struct prefix4 p;
	struct rd d;

	(void)c;
	(void)len;
	(void)ctx;
	if (type != IPC_VPN_ROUTE_ADD && type != IPC_VPN_ROUTE_DEL) {
		printf("%s\n", ipc_type_name(type));
		fflush(stdout);
		return;
	}
	memcpy(d.b, r->rd, 8);
	p.addr = r->prefix;
	p.len = r->plen;
	printf("%s %s %s", type == IPC_VPN_ROUTE_ADD ? "ADD" : "DEL", rd_format(&d, rd),
	       prefix4_format(&p, pfx));
	if (type == IPC_VPN_ROUTE_ADD) {
		printf(" %u %s", r->label, ipv4_format(r->next_hop, nh));
		for (unsigned i = 0; i < r->n_rts; i++)
			printf("%s%s", i ? "," : " ", extcom_format(&rts[i], rt));
	}
	printf("\n");
	fflush(stdout);
}

static void on_close(struct ipc_conn *c, void *ctx)
{
	(void)ctx;
	printf("CLOSED\n");
	fflush(stdout);
	for (size_t i = 0; i < MAX_CONNS; i++)
		if (conns[i] == c)
			conns[i] = NULL;
	ipc_conn_free(c);
}

static void on_accept(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa, int sl,
		      void *arg)
{
	struct ipc_conn *c = ipc_conn_new(base, fd, on_msg, on_close, NULL);

	(void)l;
	(void)sa;
	(void)sl;
	(void)arg;
	if (!c)
		return;
	for (size_t i = 0; i < MAX_CONNS; i++) {
		if (!conns[i]) {
			conns[i] = c;
			break;
		}
	}
	ipc_send_hello(c, IPC_ROLE_VRFMGR, "vpn_inject");
	ipc_send(c, IPC_REPLAY_BEGIN, NULL, 0);
	for (size_t i = 0; i < n_routes; i++)
		ipc_send2(c, IPC_VPN_ROUTE_ADD, &routes[i].r, sizeof(routes[i].r), routes[i].rts,
			  routes[i].r.n_rts * 8u);
	ipc_send(c, IPC_REPLAY_END, NULL, 0);
}

static void send_all(uint16_t type, const struct route *rt)
{
	for (size_t i = 0; i < MAX_CONNS; i++)
		if (conns[i])
			ipc_send2(conns[i], type, &rt->r, sizeof(rt->r), rt->rts, rt->r.n_rts * 8u);
}

static struct route *route_find(const struct route *key)
{
	for (size_t i = 0; i < n_routes; i++)
		if (!memcmp(routes[i].r.rd, key->r.rd, 8) && routes[i].r.prefix == key->r.prefix &&
		    routes[i].r.plen == key->r.plen)
			return &routes[i];
	return NULL;
}

/* One command line: "add RD PREFIX LABEL RTS [LP [MED]]" or "del RD PREFIX". */
static void command(char *line)
{
	char *a[7] = { 0 }, *save = NULL;
	struct route rt = { 0 }, *old;
	int n = 0;

	for (char *t = strtok_r(line, " \t\n", &save); t && n < 7; t = strtok_r(NULL, " \t\n", &save))
		a[n++] = t;
	if (n >= 5 && !strcmp(a[0], "add") && parse_route(&a[1], &rt) == 0) {
		rt.r.local_pref = n > 5 ? (uint32_t)strtoul(a[5], NULL, 10) : 0;
		rt.r.med = n > 6 ? (uint32_t)strtoul(a[6], NULL, 10) : 0;
		if ((old = route_find(&rt)))
			*old = rt;
		else if (n_routes < MAX_ROUTES)
			routes[n_routes++] = rt;
		send_all(IPC_VPN_ROUTE_ADD, &rt);
	} else if (n == 3 && !strcmp(a[0], "del") && parse_route((char *[]){ a[1], a[2], "0", "" },
								   &rt) == 0) {
		if ((old = route_find(&rt)))
			*old = routes[--n_routes];
		rt.r.n_rts = 0;
		send_all(IPC_VPN_ROUTE_DEL, &rt);
	} else {
		fprintf(stderr, "vpn_inject: bad command\n");
	}
}

static void on_stdin(evutil_socket_t fd, short what, void *arg)
{
	static char buf[4096];
	static size_t have;
	struct event *ev = arg;
	ssize_t r;
	char *nl;

	(void)what;
	r = read(fd, buf + have, sizeof(buf) - 1 - have);
	if (r <= 0) {
		event_del(ev); /* EOF: keep serving what we have */
		return;
	}
	have += (size_t)r;
	buf[have] = '\0';
	while ((nl = strchr(buf, '\n'))) {
		*nl = '\0';
		command(buf);
		have -= (size_t)(nl + 1 - buf);
		memmove(buf, nl + 1, have + 1);
	}
	if (have == sizeof(buf) - 1)
		have = 0; /* a line too long: drop it */
}

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
	(void)sig;
	(void)what;
	(void)arg;
	event_base_loopexit(base, NULL);
}

int main(int argc, char **argv)
{
	struct evconnlistener *l;
	struct event *s1, *s2, *in;
	struct stat st;
	int fd;

	if (argc < 2 || (argc - 2) % 4) {
		fprintf(stderr, "usage: vpn_inject SOCK [RD PREFIX LABEL RT[,RT...]]...\n");
		return 2;
	}
	log_init("vpn_inject", LOG_LVL_INFO);
	for (int i = 2; i < argc && n_routes < MAX_ROUTES; i += 4)
		if (parse_route(&argv[i], &routes[n_routes++]) < 0) {
			fprintf(stderr, "bad route: %s %s %s %s\n", argv[i], argv[i + 1], argv[i + 2],
				argv[i + 3]);
			return 2;
		}
	signal(SIGPIPE, SIG_IGN);
	base = event_base_new();
	if ((fd = ipc_listen_unix(argv[1])) < 0)
		return 1;
	l = evconnlistener_new(base, on_accept, NULL, LEV_OPT_CLOSE_ON_FREE, -1, fd);
	s1 = evsignal_new(base, SIGTERM, on_signal, NULL);
	s2 = evsignal_new(base, SIGINT, on_signal, NULL);
	if (!l || !s1 || !s2)
		return 1;
	evsignal_add(s1, NULL);
	evsignal_add(s2, NULL);
	/* commands come from a pipe or FIFO; a file or /dev/null is not watched */
	in = fstat(0, &st) == 0 && (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode))
		 ? event_new(base, 0, EV_READ | EV_PERSIST, on_stdin, event_self_cbarg())
		 : NULL;
	if (in)
		event_add(in, NULL);
	printf("READY\n");
	fflush(stdout);
	event_base_dispatch(base);
	evconnlistener_free(l);
	unlink(argv[1]);
	return 0;
}
