/*
 * bgp-sender's command line: every option, its range, the defaults
 * (--help prints them).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/sender/sender.h"
#include "common/log.h"

static const char usage_text[] =
	"usage: bgp-sender (--connect ADDR | --listen ADDR) [options]\n"
	"Sends N VPN-IPv4 routes (AFI 1 / SAFI 128) over one BGP session, fast.\n"
	"session:\n"
	"  -c, --connect ADDR     connect to the peer at ADDR (retrying, see --connect-timeout)\n"
	"  -l, --listen ADDR      accept one connection on ADDR instead\n"
	"  -p, --port N           TCP port (179)\n"
	"  -L, --local ADDR       source address when connecting\n"
	"  -a, --as N             our AS (65000); 4-octet AS capability always sent\n"
	"  -P, --peer-as N        the peer's AS (default: ours, iBGP)\n"
	"  -i, --router-id ADDR   BGP identifier (default: the session's local address)\n"
	"      --hold-time N      proposed hold time (90)\n"
	"      --connect-timeout S  give up connecting/accepting after S s (30; 0 = wait forever)\n"
	"routes:\n"
	"  -n, --routes N         number of routes (1000000)\n"
	"      --rds N            route distinguishers, type 0 ASN:i (1000); routes split evenly\n"
	"      --rd-asn N         ASN of the RDs and RTs (65000)\n"
	"      --rd-base N        first RD number i (1)\n"
	"      --rts-per-rd N     route targets per RD: ASN:(base + rd*N + j) (1: RT = RD)\n"
	"      --attr-sets N      attribute sets per RD (LOCAL_PREF 100+k, eBGP: MED k) (1)\n"
	"      --label-mode M     per-prefix (default) or per-vrf (one label per RD)\n"
	"      --label-base N     first label (16)\n"
	"      --prefix-len L[,L..]  prefix lengths, used in turn (24)\n"
	"      --prefix-base ADDR first prefix (20.0.0.0); prefixes are distinct\n"
	"      --overlap          every RD gets the same prefixes (overlapping customers)\n"
	"      --nexthop ADDR     next hop (default: the session's local address)\n"
	"after the routes:\n"
	"      --eor              send End-of-RIB after the routes (and after the withdrawals)\n"
	"      --withdraw         withdraw everything (MP_UNREACH) once the announce is acked;\n"
	"                         SIGUSR1 does the same at a moment of your choosing\n"
	"      --hold-seconds S   stay up S s after the last phase, then CEASE and exit\n"
	"                         (default: until SIGTERM/SIGINT)\n"
	"receiving end:\n"
	"      --sink             send no routes: count and discard what the peer sends\n"
	"      --expect N         (sink) report when N routes were announced / withdrawn\n"
	"Output: key=value lines on stdout: built_*, established_at (epoch),\n"
	"announce_written_s / announce_acked_s (written to the socket / acknowledged by the\n"
	"peer's TCP, from Established), withdraw_start_at, withdraw_written_s, withdraw_acked_s,\n"
	"sink_reach_all_s, sink_unreach_all_s, then the received counts.\n";

static void usage(int status)
{
	fputs(usage_text, status ? stderr : stdout);
	exit(status);
}

static uint64_t num(const char *s, uint64_t max, const char *what)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *end || v > max || *s == '-')
		fatalx("%s: \"%s\" is not a number up to %" PRIu64, what, s, max);
	return v;
}

static uint32_t addr(const char *s)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		fatalx("\"%s\" is not an IPv4 address", s);
	return ntohl(a.s_addr);
}

static void parse_lens(struct opts *o, const char *s)
{
	char *dup = strdup(s), *save = NULL;

	o->n_lens = 0;
	for (char *t = strtok_r(dup, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (o->n_lens == MAX_LENS)
			fatalx("--prefix-len: at most %d lengths", MAX_LENS);
		o->lens[o->n_lens++] = (uint8_t)num(t, 32, "--prefix-len");
	}
	free(dup);
	if (!o->n_lens)
		fatalx("--prefix-len: no length");
}

enum { O_HOLD = 256, O_CTO, O_RDS, O_RDASN, O_RDBASE, O_RTS, O_SETS, O_LMODE, O_LBASE, O_PLEN,
       O_PBASE, O_OVERLAP, O_NH, O_EOR, O_WD, O_HOLDS, O_SINK, O_EXPECT };

static const struct option long_opts[] = {
	{ "connect", 1, 0, 'c' }, { "listen", 1, 0, 'l' }, { "port", 1, 0, 'p' },
	{ "local", 1, 0, 'L' }, { "as", 1, 0, 'a' }, { "peer-as", 1, 0, 'P' },
	{ "router-id", 1, 0, 'i' }, { "hold-time", 1, 0, O_HOLD },
	{ "connect-timeout", 1, 0, O_CTO }, { "routes", 1, 0, 'n' }, { "rds", 1, 0, O_RDS },
	{ "rd-asn", 1, 0, O_RDASN }, { "rd-base", 1, 0, O_RDBASE },
	{ "rts-per-rd", 1, 0, O_RTS }, { "attr-sets", 1, 0, O_SETS },
	{ "label-mode", 1, 0, O_LMODE }, { "label-base", 1, 0, O_LBASE },
	{ "prefix-len", 1, 0, O_PLEN }, { "prefix-base", 1, 0, O_PBASE },
	{ "overlap", 0, 0, O_OVERLAP }, { "nexthop", 1, 0, O_NH }, { "eor", 0, 0, O_EOR },
	{ "withdraw", 0, 0, O_WD }, { "hold-seconds", 1, 0, O_HOLDS }, { "sink", 0, 0, O_SINK },
	{ "expect", 1, 0, O_EXPECT }, { "help", 0, 0, 'h' }, { 0, 0, 0, 0 },
};

static void opt_set(struct opts *o, int c, const char *a)
{
	switch (c) {
	case 'c': o->connect = a; break;
	case 'l': o->listen = a; break;
	case 'p': o->port = (uint16_t)num(a, 65535, "--port"); break;
	case 'L': o->local = a; break;
	case 'a': o->asn = (uint32_t)num(a, UINT32_MAX, "--as"); break;
	case 'P': o->peer_as = (uint32_t)num(a, UINT32_MAX, "--peer-as"); break;
	case 'i': o->router_id = addr(a); break;
	case O_HOLD: o->hold = (uint16_t)num(a, 65535, "--hold-time"); break;
	case O_CTO: o->connect_timeout = (double)num(a, 86400, "--connect-timeout"); break;
	case 'n': o->routes = num(a, 1ull << 32, "--routes"); break;
	case O_RDS: o->rds = (uint32_t)num(a, 1u << 24, "--rds"); break;
	case O_RDASN: o->rd_asn = (uint32_t)num(a, 65535, "--rd-asn"); break;
	case O_RDBASE: o->rd_base = (uint32_t)num(a, UINT32_MAX / 2, "--rd-base"); break;
	case O_RTS: o->rts_per_rd = (uint32_t)num(a, MAX_RTS, "--rts-per-rd"); break;
	case O_SETS: o->attr_sets = (uint32_t)num(a, 1u << 24, "--attr-sets"); break;
	case O_LBASE: o->label_base = (uint32_t)num(a, LABEL_LIMIT - 1, "--label-base"); break;
	case O_PLEN: parse_lens(o, a); break;
	case O_PBASE: o->pfx_base = addr(a); break;
	case O_OVERLAP: o->overlap = true; break;
	case O_NH: o->nexthop = addr(a); break;
	case O_EOR: o->eor = true; break;
	case O_WD: o->withdraw = true; break;
	case O_HOLDS: o->hold_seconds = (double)num(a, 86400 * 365, "--hold-seconds"); break;
	case O_SINK: o->sink = true; break;
	case O_EXPECT: o->expect = num(a, 1ull << 32, "--expect"); break;
	case O_LMODE:
		if (strcmp(a, "per-prefix") && strcmp(a, "per-vrf"))
			fatalx("--label-mode: want per-prefix or per-vrf, not \"%s\"", a);
		o->per_vrf = !strcmp(a, "per-vrf");
		break;
	case 'h': usage(0); break;
	default: usage(1);
	}
}

void opts_parse(struct opts *o, int argc, char **argv)
{
	int c;

	*o = (struct opts){ .port = 179, .hold = 90, .asn = 65000, .routes = 1000000, .rds = 1000,
			    .rd_asn = 65000, .rd_base = 1, .rts_per_rd = 1, .attr_sets = 1,
			    .label_base = 16, .lens = { 24 }, .n_lens = 1, .pfx_base = 20u << 24,
			    .hold_seconds = -1, .connect_timeout = 30 };
	while ((c = getopt_long(argc, argv, "c:l:p:L:a:P:i:n:h", long_opts, NULL)) != -1)
		opt_set(o, c, optarg);
	if (optind != argc || !o->connect == !o->listen)
		usage(1);
	if (!o->peer_as)
		o->peer_as = o->asn;
	if (!o->rds || !o->rts_per_rd || !o->attr_sets)
		fatalx("--rds, --rts-per-rd and --attr-sets must be at least 1");
	if (o->hold == 1 || o->hold == 2)
		fatalx("--hold-time: 0 or at least 3");
}
