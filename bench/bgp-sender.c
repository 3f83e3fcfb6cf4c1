/*
 * bgp-sender: a fast, standalone BGP speaker that feeds a peer N VPN-IPv4
 * routes (RFC 4364 / RFC 8277 in MP_REACH_NLRI) for ingest benchmarks, so the
 * generator never limits the measurement. Every UPDATE is pre-built into one
 * contiguous buffer before the session comes up (NLRI sharing an RD, its RTs
 * and an attribute set packed up to 4096 bytes), then pushed with a few large
 * write(2)s on a socket with a big send buffer. The withdraw-all buffer is
 * built the same way. It can also be the receiving end (--sink): it answers
 * the handshake, counts NLRI and discards them, which measures the sender.
 * One poll(2) loop, no library codec: the encoder is a few byte stores.
 * Output for scripts: "key=value" lines on stdout; human notes on stderr.
 *
 * This file is main and the signals; the parts are in bench/sender/
 * (sender.h lists them).
 */
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>

#include "bench/sender/sender.h"
#include "common/log.h"

volatile sig_atomic_t snd_sig_stop, snd_sig_withdraw;

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		snd_sig_withdraw = 1;
	else
		snd_sig_stop = 1;
}

static void signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static void build(struct opts *o, struct built *bt)
{
	double t = snd_now_mono();

	routes_build(o, bt);
	snd_emit("built_routes=%" PRIu64 " built_updates=%" PRIu64 " built_bytes=%zu build_s=%.3f",
		 o->routes, bt->n_announce_msgs, bt->announce.len, snd_now_mono() - t);
}

int main(int argc, char **argv)
{
	static struct built bt;
	static struct opts o;
	struct run rn = { .o = &o, .bt = &bt };
	int fd, rc;

	log_init("bgp-sender", LOG_LVL_INFO);
	opts_parse(&o, argc, argv);
	signals();
	fd = o.connect ? sock_connect(&o) : sock_accept(&o);
	if (fd < 0)
		return 1;
	if (!o.router_id)
		o.router_id = sock_local_addr(fd);
	if (!o.nexthop)
		o.nexthop = sock_local_addr(fd);
	if (!o.sink)
		build(&o, &bt);
	rn.s = (struct sess){ .fd = fd, .rb = malloc(RBUF_SIZE), .last_rx = snd_now_mono() };
	if (!rn.s.rb)
		fatal("malloc");
	msg_open(&rn.s.ctl, &o);
	if (fcntl(fd, F_SETFL, O_NONBLOCK) < 0)
		fatal("fcntl");
	rc = phase_run_loop(&rn);
	sess_close(&rn);
	if (!o.sink && rn.ph < PH_ANNOUNCED)
		rc = -1;
	return rc < 0 ? 1 : 0;
}
