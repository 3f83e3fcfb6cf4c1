/*
 * bench/fwd-lookup -c: route churn beside forwarding. A control thread (on
 * the other core) replaces, deletes and re-adds random routes at the rate
 * asked, publishing every millisecond (fib_commit, RCU) and finishing what
 * the worker punts, as fwd's control thread does; this thread forwards the
 * push path as a worker (an RCU reader with its own counters and punt ring,
 * no locks); the same run without churn comes first.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

#include "bench/lookup/lookup.h"
#include "common/log.h"
#include "fwd/ctr.h"
#include "fwd/fib.h"
#include "fwd/pipeline.h"
#include "fwd/punt.h"
#include "fwd/rcu.h"

struct churn {
	struct fwd *f;
	const struct opts *o;
	const struct route *routes;
	struct punt_ring *punt; /* the worker's */
	bool *gone; /* deleted by the churn: the next update of it adds it back */
	uint32_t rate;
	atomic_bool stop, churning;
	uint64_t applied, ticks;
	double commit_sum, commit_max, wall, cpu;
};

static double mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (pthread_setaffinity_np(pthread_self(), sizeof(set), &set) != 0)
		log_warnx("cannot pin to CPU %d", cpu);
}

/* One update: replace the next hop (another PE, its label), delete, or add back. */
static void churn_one(struct churn *c, uint64_t *x)
{
	uint32_t i, v, pe;
	const struct route *r;

	*x = *x * 6364136223846793005ULL + 1442695040888963407ULL;
	i = (uint32_t)(*x >> 33) % c->o->routes;
	v = 1 + i % c->o->vrfs;
	pe = (uint32_t)(*x >> 20) % N_PE;
	r = &c->routes[i];
	if (c->gone[i] || (*x >> 60) % 2 == 0) {
		fib_add(c->f, v, r->prefix, r->plen, pe + 1, VPN_LABEL(pe, v));
		c->gone[i] = false;
	} else {
		fib_del(c->f, v, r->prefix, r->plen);
		c->gone[i] = true;
	}
}

/* One millisecond's updates, then one commit (timed) and the grace periods that ended. */
static void churn_tick(struct churn *c, uint64_t *x)
{
	double t0;

	for (uint32_t k = 0; k < c->rate / 1000; k++)
		churn_one(c, x);
	c->applied += c->rate / 1000;
	t0 = now_s();
	fib_commit(c->f);
	rcu_poll(c->f->rcu);
	t0 = now_s() - t0;
	c->commit_sum += t0;
	if (t0 > c->commit_max)
		c->commit_max = t0;
	c->ticks++;
}

/*
 * The control thread: every millisecond it finishes what the worker punted
 * and, once churning is set, applies and publishes that millisecond's updates.
 */
static void *churn_main(void *arg)
{
	struct churn *c = arg;
	struct timespec next;
	uint64_t x = 12345;
	double w0 = 0, c0 = 0;

	pin(1);
	clock_gettime(CLOCK_MONOTONIC, &next);
	while (!atomic_load(&c->stop)) {
		if (atomic_load(&c->churning)) {
			if (c->ticks == 0) {
				w0 = mono_s();
				c0 = now_s();
			}
			churn_tick(c, &x);
		}
		punt_ring_drain(c->f, c->punt);
		next.tv_nsec += 1000000;
		if (next.tv_nsec >= 1000000000) {
			next.tv_sec++;
			next.tv_nsec -= 1000000000;
		}
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
	}
	c->wall = mono_s() - w0;
	c->cpu = now_s() - c0;
	return NULL;
}

struct fwd_stats {
	double mpps, cpu_mpps, min_window_mpps, max_gap_ms;
	long waits, preempted; /* voluntary and involuntary context switches */
};

/*
 * The push path as a worker thread runs it, for o->seconds. The slowest
 * window is over 10 ms of this thread's CPU time; a worker that never waits
 * (no locks) shows no voluntary context switches. Wall-clock gaps include
 * time the scheduler gave to other processes.
 */
static struct fwd_stats forward_for(struct fwd *f, const struct opts *o, struct batch *b,
				    struct fwd_iface **acc, const struct draw *d,
				    struct rcu_reader *rd)
{
	struct fwd_stats st = { .min_window_mpps = 1e9 };
	double start = mono_s(), c0 = now_s(), win = c0, last = start, t;
	uint64_t n = 0, n_win = 0;
	struct rusage ru0, ru1;
	uint32_t i = 0;

	batch_template(b, 0);
	getrusage(RUSAGE_THREAD, &ru0);
	while ((t = mono_s()) - start < o->seconds) {
		double c = now_s();

		if (t - last > st.max_gap_ms / 1e3)
			st.max_gap_ms = (t - last) * 1e3;
		last = t;
		if (c - win >= 0.01) {
			double r = (double)n_win / (c - win) / 1e6;

			if (r < st.min_window_mpps)
				st.min_window_mpps = r;
			win = c;
			n_win = 0;
		}
		if (i + o->batch > o->packets)
			i = 0;
		refill(b, acc, NULL, d + i, o->batch, PATH_PUSH);
		fwd_input_batch(f, b->in, b->p, o->batch, NULL);
		rcu_quiescent(f->rcu, rd);
		i += o->batch;
		n += o->batch;
		n_win += o->batch;
	}
	getrusage(RUSAGE_THREAD, &ru1);
	st.mpps = (double)n / (mono_s() - start) / 1e6;
	st.cpu_mpps = (double)n / (now_s() - c0) / 1e6;
	st.waits = ru1.ru_nvcsw - ru0.ru_nvcsw;
	st.preempted = ru1.ru_nivcsw - ru0.ru_nivcsw;
	return st;
}

static void print_fwd(const char *what, struct fwd_stats st)
{
	printf("%-13s %6.2f Mpps per CPU second (%6.2f wall), slowest 10 ms of CPU %6.2f Mpps; "
	       "waits %ld, preempted %ld, longest wall gap %.2f ms\n", what, st.cpu_mpps, st.mpps,
	       st.min_window_mpps, st.waits, st.preempted, st.max_gap_ms);
}

/*
 * This thread becomes a worker as io_worker.c makes one: counters of its own
 * (slot 1), a punt ring, and a place in f->threads for fwd_fold. So a frame
 * it cannot finish (no route while the churn has deleted it) is punted, not
 * taken through the control thread's code beside the control thread.
 */
static void worker_begin(struct fwd *f, struct fwd_thread *t)
{
	*t = (struct fwd_thread){ .id = 0 };
	if ((t->ctrs = fwd_ctrs_get(f, 1)) == NULL || (t->punt = punt_ring_new()) == NULL)
		fatalx("worker setup");
	f->threads[f->n_threads++] = t;
	f->no_lazy_commit = true; /* only the control thread publishes */
	fwd_self = t;
}

/* The control thread's last drain and fold, then this thread is the control thread again. */
static void worker_end(struct fwd *f, struct fwd_thread *t)
{
	fwd_self = NULL;
	punt_ring_drain(f, t->punt);
	fwd_fold(f);
	punt_ring_free(t->punt);
	f->n_threads = 0;
	f->threads[0] = NULL;
	f->no_lazy_commit = false;
}

void run_churn(struct fwd *f, const struct opts *o, struct batch *b, struct fwd_iface **acc,
	       const struct draw *d, const struct route *routes)
{
	struct churn c = { .f = f, .o = o, .routes = routes, .rate = o->churn };
	struct rcu_reader *rd;
	struct fwd_stats quiet, busy;
	struct fwd_thread t;
	pthread_t th;

	c.gone = calloc(o->routes, sizeof(*c.gone));
	if (c.gone == NULL || (rd = rcu_register(f->rcu)) == NULL)
		fatalx("churn setup");
	/* one pass as the control thread: every next hop learns its MAC (nh_adj_learn) */
	batch_template(b, 0);
	for (uint32_t i = 0; i + o->batch <= o->packets; i += o->batch) {
		refill(b, acc, NULL, d + i, o->batch, PATH_PUSH);
		fwd_input_batch(f, b->in, b->p, o->batch, NULL);
	}
	worker_begin(f, &t);
	c.punt = t.punt;
	pin(0);
	if (pthread_create(&th, NULL, churn_main, &c) != 0)
		fatalx("pthread_create");
	quiet = forward_for(f, o, b, acc, d, rd);
	atomic_store(&c.churning, true);
	busy = forward_for(f, o, b, acc, d, rd);
	atomic_store(&c.stop, true);
	rcu_offline(rd);
	pthread_join(th, NULL);
	rcu_unregister(f->rcu, rd);
	rcu_synchronize(f->rcu);
	worker_end(f, &t);
	printf("churn: %u updates/s asked, %.0f applied/s; a commit every 1 ms: mean %.3f ms, "
	       "max %.3f ms of CPU; control thread %.0f%% of a CPU\n", o->churn,
	       (double)c.applied / c.wall, c.commit_sum / (double)c.ticks * 1e3,
	       c.commit_max * 1e3, c.cpu / c.wall * 100);
	print_fwd("push, quiet:", quiet);
	print_fwd("push, churn:", busy);
	free(c.gone);
}
