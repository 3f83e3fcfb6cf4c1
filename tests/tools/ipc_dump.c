/*
 * ipc_dump: connects to vrfmgr's IPC socket as fwd (default) or bgpd and
 * prints every message it receives, one line each, e.g.
 *   NH_ADD id 5 type labeled gw 10.0.1.2 out 16 if core0
 *   FIB_ADD vrf 1 prefix 192.168.101.0/24 nh 5 inner 200
 * As bgpd it can also announce VPN routes, so vrfmgr's import can be driven
 * without a BGP session (tests and manual checks):
 *
 *   ipc_dump [-r RUN_DIR | -s SOCKET] [-b] [-n NAME] [-e] [-t SECONDS]
 *            [-a "RD PREFIX LABEL NEXT_HOP RT[,RT...]"]...
 *
 * -b       act as bgpd (default: fwd)
 * -a ROUTE as bgpd, send REPLAY_BEGIN, these routes, REPLAY_END after HELLO
 * -e       exit after vrfmgr's first REPLAY_END (a snapshot of its state)
 * -t SECS  exit after SECS seconds (default: run until vrfmgr closes)
 * Exit 0 on a clean end, 1 when the socket cannot be reached, 2 on bad usage.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "common/config.h"
#include "common/ipc.h"
#include "common/label.h"
#include "common/log.h"
#include "common/prefix.h"
#include "common/rd.h"

#define MAX_ROUTES 64

struct route_arg {
	struct ipc_vpn_route r;
	struct ext_community rts[16];
};

static struct {
	struct event_base *base;
	struct ipc_conn *conn;
	struct event *drain;
	bool as_bgpd, exit_on_end;
	struct route_arg routes[MAX_ROUTES];
	int n_routes;
	int rc;
} g;

static const char *label_str(uint32_t l, char *b)
{
	if (l == MPLS_LABEL_NONE)
		return "-";
	snprintf(b, 12, "%u", l);
	return b;
}

static void pr_hello(const void *p)
{
	const struct ipc_hello *h = p;

	printf(" version %u role %u name %s", h->version, h->role, h->name);
}

static void pr_vpn(const void *p)
{
	const struct ipc_vpn_route *r = p;
	const uint8_t *tail = (const uint8_t *)p + sizeof(*r);
	char a[IPV4_STRLEN], b[IPV4_STRLEN], pe[IPV4_STRLEN], rd[RD_STRLEN];
	int i;

	printf(" rd %s prefix %s/%u label %u nh %s lp %u med %u peer %s rts",
	       rd_format((const struct rd *)r->rd, rd), ipv4_format(r->prefix, a), r->plen, r->label,
	       ipv4_format(r->next_hop, b), r->local_pref, r->med, ipv4_format(r->peer, pe));
	for (i = 0; i < r->n_rts; i++) {
		struct ext_community c;

		memcpy(&c, tail + i * 8, 8);
		printf("%c%s", i ? ',' : ' ', extcom_format(&c, rd));
	}
}

static void pr_vrf(const void *p)
{
	const struct ipc_vrf *v = p;

	printf(" vrf %u name %s", v->vrf_id, v->name);
}

static void pr_if(const void *p)
{
	const struct ipc_if_bind *b = p;
	char a[IPV4_STRLEN];

	printf(" vrf %u if %s address %s/%u", b->vrf_id, b->ifname, ipv4_format(b->address, a),
	       b->plen);
}

static void pr_nh(const void *p)
{
	static const char *const types[] = { "?", "connected", "gateway", "labeled", "local",
					     "drop" };
	const struct ipc_nexthop *nh = p;
	char a[IPV4_STRLEN], l[12];

	printf(" id %u type %s gw %s out %s if %s", nh->nh_id,
	       nh->type < 6 ? types[nh->type] : "?", ipv4_format(nh->gateway, a),
	       label_str(nh->out_label, l), nh->ifname);
}

static void pr_fib(const void *p)
{
	const struct ipc_fib_entry *e = p;
	char a[IPV4_STRLEN], l[12];

	printf(" vrf %u prefix %s/%u nh %u inner %s", e->vrf_id, ipv4_format(e->prefix, a),
	       e->plen, e->nh_id, label_str(e->inner_label, l));
}

static void pr_lfib(const void *p)
{
	static const char *const actions[] = { "?", "pop_lookup", "pop_forward", "swap" };
	const struct ipc_lfib_entry *e = p;
	char l[12];

	printf(" in %u action %s vrf %u nh %u out %s", e->in_label,
	       e->action < 4 ? actions[e->action] : "?", e->vrf_id, e->nh_id,
	       label_str(e->out_label, l));
}

/* One printer per message type; NULL prints the name alone. */
static void (*const printers[IPC_TYPE_MAX])(const void *p) = {
	[IPC_HELLO] = pr_hello,         [IPC_VPN_ROUTE_ADD] = pr_vpn, [IPC_VPN_ROUTE_DEL] = pr_vpn,
	[IPC_VRF_ADD] = pr_vrf,         [IPC_VRF_DEL] = pr_vrf,       [IPC_IF_BIND] = pr_if,
	[IPC_IF_UNBIND] = pr_if,        [IPC_NH_ADD] = pr_nh,         [IPC_NH_DEL] = pr_nh,
	[IPC_FIB_ADD] = pr_fib,         [IPC_FIB_DEL] = pr_fib,       [IPC_LFIB_ADD] = pr_lfib,
	[IPC_LFIB_DEL] = pr_lfib,
};

static void announce(struct ipc_conn *c)
{
	int i;

	ipc_send(c, IPC_REPLAY_BEGIN, NULL, 0);
	for (i = 0; i < g.n_routes; i++)
		ipc_send2(c, IPC_VPN_ROUTE_ADD, &g.routes[i].r, sizeof(g.routes[i].r),
			  g.routes[i].rts, g.routes[i].r.n_rts * 8u);
	ipc_send(c, IPC_REPLAY_END, NULL, 0);
}

/* Leaves once what we queued (announcements) has been written. */
static void drain_cb(evutil_socket_t fd, short what, void *arg)
{
	static const struct timeval tick = { 0, 10000 };

	(void)fd;
	(void)what;
	(void)arg;
	if (g.conn != NULL && ipc_pending(g.conn) > 0)
		event_add(g.drain, &tick);
	else
		event_base_loopexit(g.base, NULL);
}

static void on_msg(struct ipc_conn *c, uint16_t type, const void *p, uint32_t len, void *ctx)
{
	(void)len;
	(void)ctx;
	printf("%s", ipc_type_name(type));
	if (type < IPC_TYPE_MAX && printers[type] != NULL)
		printers[type](p);
	printf("\n");
	fflush(stdout);
	if (type == IPC_HELLO && g.as_bgpd && g.n_routes > 0)
		announce(c);
	if (type == IPC_REPLAY_END && g.exit_on_end)
		drain_cb(-1, 0, NULL);
}

static void on_close(struct ipc_conn *c, void *ctx)
{
	(void)c;
	(void)ctx;
	g.conn = NULL;
	printf("CLOSED\n");
	fflush(stdout);
	event_base_loopexit(g.base, NULL);
}

static int parse_route(const char *s, struct route_arg *a)
{
	char rd[64], pfx[32], nh[32], rts[512], *tok, *save = NULL;
	struct prefix4 p;
	struct rd d;
	unsigned label;

	memset(a, 0, sizeof(*a));
	if (sscanf(s, "%63s %31s %u %31s %511s", rd, pfx, &label, nh, rts) != 5 ||
	    rd_parse(rd, &d) < 0 || prefix4_parse(pfx, &p) < 0 || ipv4_parse(nh, &a->r.next_hop) < 0)
		return -1;
	memcpy(a->r.rd, d.b, 8);
	a->r.prefix = p.addr;
	a->r.plen = p.len;
	a->r.label = label;
	a->r.local_pref = 100;
	a->r.peer = a->r.next_hop;
	for (tok = strtok_r(rts, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		if (a->r.n_rts == 16 || rt_parse(tok, &a->rts[a->r.n_rts]) < 0)
			return -1;
		a->r.n_rts++;
	}
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: ipc_dump [-r RUN_DIR | -s SOCKET] [-b] [-n NAME] [-e] [-t SECONDS]\n"
			"                [-a \"RD PREFIX LABEL NEXT_HOP RT[,RT...]\"]...\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *run_dir = NULL, *sock = NULL, *name = "ipc_dump";
	char path[CFG_PATH_MAX];
	struct timeval tv = { 0, 0 };
	struct ipc_conn *c;
	int ch, fd;

	while ((ch = getopt(argc, argv, "r:s:bn:et:a:")) != -1) {
		switch (ch) {
		case 'r': run_dir = optarg; break;
		case 's': sock = optarg; break;
		case 'b': g.as_bgpd = true; break;
		case 'n': name = optarg; break;
		case 'e': g.exit_on_end = true; break;
		case 't': tv.tv_sec = atoi(optarg); break;
		case 'a':
			if (g.n_routes == MAX_ROUTES || parse_route(optarg, &g.routes[g.n_routes]) < 0) {
				fprintf(stderr, "ipc_dump: bad route \"%s\"\n", optarg);
				usage();
			}
			g.n_routes++;
			break;
		default: usage();
		}
	}
	if ((run_dir == NULL) == (sock == NULL) || optind != argc)
		usage();
	if (sock == NULL) {
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", run_dir, FERRY_SOCK_VRFMGR_IPC) >=
		    sizeof(path))
			usage();
		sock = path;
	}
	log_init("ipc_dump", LOG_LVL_WARN);
	fd = ipc_connect_unix(sock);
	if (fd < 0) {
		fprintf(stderr, "ipc_dump: %s: %s\n", sock, strerror(-fd));
		return 1;
	}
	g.base = event_base_new();
	c = ipc_conn_new(g.base, fd, on_msg, on_close, NULL);
	g.drain = evtimer_new(g.base, drain_cb, NULL);
	if (g.base == NULL || c == NULL || g.drain == NULL)
		return 1;
	g.conn = c;
	ipc_send_hello(c, g.as_bgpd ? IPC_ROLE_BGPD : IPC_ROLE_FWD, name);
	if (tv.tv_sec > 0)
		event_base_loopexit(g.base, &tv);
	event_base_dispatch(g.base);
	event_free(g.drain);
	ipc_conn_free(c);
	event_base_free(g.base);
	return g.rc;
}
