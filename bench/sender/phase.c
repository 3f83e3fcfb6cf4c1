/*
 * bgp-sender's phases and timers: announce, End-of-RIB, wait for the
 * peer's TCP to acknowledge everything, withdraw-all (--withdraw or
 * SIGUSR1), then stay up --hold-seconds; keepalives and the hold timer; the
 * poll(2) loop that drives it all.
 */
#include <errno.h>
#include <inttypes.h>
#include <linux/sockios.h>
#include <poll.h>
#include <sys/ioctl.h>

#include "bench/sender/sender.h"
#include "common/log.h"

static int outq(int fd)
{
	int q = 0;

	return ioctl(fd, SIOCOUTQ, &q) == 0 ? q : 0;
}

static void bulk_written(struct run *rn, const char *name, const struct obuf *b, uint64_t msgs)
{
	double dt = snd_now_mono() - rn->t_phase;

	snd_emit("%s_written_s=%.6f", name, dt);
	log_info("%s: %" PRIu64 " routes in %" PRIu64 " UPDATEs (%zu bytes) written in %.3f s "
		 "(%.0f routes/s)", name, rn->o->routes, msgs, b->len, dt,
		 dt > 0 ? (double)rn->o->routes / dt : 0.0);
	rn->ack_wait = true;
	rn->ack_name = name;
}

static void phase_step(struct run *rn)
{
	struct sess *s = &rn->s;
	double t = snd_now_mono();

	if (rn->ack_wait && outq(s->fd) == 0) {
		snd_emit("%s_acked_s=%.6f", rn->ack_name, t - rn->t_phase);
		rn->ack_wait = false;
		rn->t_idle = t;
	}
	if (!s->bulk || !sess_bulk_idle(s) || rn->ph == PH_ANNOUNCED || rn->ph == PH_DONE) {
		if (rn->ph == PH_ANNOUNCED && !rn->ack_wait && (rn->o->withdraw || snd_sig_withdraw))
			sess_start_bulk(rn, PH_WITHDRAW, &rn->bt->withdraw);
		return;
	}
	if (rn->ph == PH_ANNOUNCE) {
		bulk_written(rn, "announce", &rn->bt->announce, rn->bt->n_announce_msgs);
		if (rn->o->eor) {
			s->bulk = &rn->bt->eor, s->bulk_off = 0, rn->ph = PH_EOR;
			return;
		}
	} else if (rn->ph == PH_WITHDRAW) {
		bulk_written(rn, "withdraw", &rn->bt->withdraw, rn->bt->n_withdraw_msgs);
		if (rn->o->eor) /* a marker the receiver may log: "all withdrawals read" */
			s->bulk = &rn->bt->eor, s->bulk_off = 0, rn->ph = PH_WEOR;
		else
			rn->ph = PH_DONE;
		return;
	} else if (rn->ph == PH_WEOR) {
		snd_emit("withdraw_eor_sent=1");
		rn->ph = PH_DONE;
		return;
	}
	if (rn->ph == PH_EOR)
		snd_emit("eor_sent=1");
	rn->ph = PH_ANNOUNCED; /* t_phase still marks the start of the announce */
}

/* 1: time to stop (--hold-seconds passed), -1: hold timer expired, 0: go on. */
static int timers(struct run *rn)
{
	struct sess *s = &rn->s;
	double t = snd_now_mono(), hs = rn->o->hold_seconds;
	bool quiet = rn->o->sink ? s->state == 2 : rn->ph == PH_DONE ||
			(rn->ph == PH_ANNOUNCED && !rn->o->withdraw);

	if (s->hold && s->state == 2 && t - s->last_rx > s->hold) {
		log_warnx("hold timer expired: nothing from the peer for %u s", s->hold);
		return -1;
	}
	if (s->hold && s->state == 2 && t - s->last_tx >= s->hold / 3.0 && !sess_out_pending(s))
		msg_keepalive(&s->ctl);
	if (hs >= 0 && quiet && !rn->ack_wait) {
		double since = rn->o->sink ? rn->t_est : rn->t_idle;

		if (t - since >= hs)
			return 1;
	}
	return 0;
}

static int poll_timeout_ms(const struct run *rn)
{
	if (rn->ack_wait || (rn->ph == PH_ANNOUNCED && (rn->o->withdraw || snd_sig_withdraw)))
		return 1;
	return sess_out_pending(&rn->s) ? 1000 : 100;
}

int phase_run_loop(struct run *rn)
{
	struct sess *s = &rn->s;

	while (!snd_sig_stop) {
		struct pollfd pfd = { .fd = s->fd, .events = POLLIN };
		int r;

		phase_step(rn);
		if ((r = timers(rn)) != 0)
			return r > 0 ? 0 : -1;
		if (sess_out_pending(s))
			pfd.events |= POLLOUT;
		if (poll(&pfd, 1, poll_timeout_ms(rn)) < 0) {
			if (errno == EINTR)
				continue;
			log_warn("poll");
			return -1;
		}
		if ((pfd.revents & (POLLIN | POLLHUP | POLLERR)) && (r = sess_read(rn)) != 0)
			return r > 0 ? 0 : -1;
		if ((pfd.revents & POLLOUT) && sess_write(s) < 0)
			return -1;
	}
	return 0;
}
