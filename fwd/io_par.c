/*
 * Packet sockets opened and closed many at a time (see io_par.h). The
 * threads live only for one io_par_run: links come in bursts (fwd's start,
 * vrfmgr's replay, fwd's stop), and between bursts nothing is waiting.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>

#include "common/log.h"
#include "fwd/io_packet.h"
#include "fwd/io_par.h"

#define PAR_STACK (64u << 10) /* a worker only makes system calls */

struct par {
	void (*fn)(void *arg, size_t i);
	void *arg;
	size_t n;
	atomic_size_t next;
};

static void *par_thread(void *p)
{
	struct par *par = p;
	size_t i;

	while ((i = atomic_fetch_add(&par->next, 1)) < par->n)
		par->fn(par->arg, i);
	return NULL;
}

void io_par_run(size_t n, void (*fn)(void *arg, size_t i), void *arg)
{
	struct par par = { .fn = fn, .arg = arg, .n = n };
	pthread_t tid[IO_PAR_THREADS];
	pthread_attr_t attr;
	size_t want = n < IO_PAR_THREADS ? n : IO_PAR_THREADS, started = 0;

	atomic_init(&par.next, 0);
	if (want > 1 && pthread_attr_init(&attr) == 0) {
		pthread_attr_setstacksize(&attr, PAR_STACK);
		/* one of them is this thread: it takes its share below */
		while (started + 1 < want && pthread_create(&tid[started], &attr, par_thread, &par) == 0)
			started++;
		pthread_attr_destroy(&attr);
	}
	par_thread(&par); /* what no thread took (all of it if none started) */
	for (size_t t = 0; t < started; t++)
		pthread_join(tid[t], NULL);
}

/* ---- closes ---- */

static struct {
	bool on;
	int *fd;
	size_t n, cap;
} batch;

void io_close_batch_begin(void)
{
	batch.on = true;
}

/* Room for one more descriptor in the batch: false on ENOMEM. */
static bool batch_room(void)
{
	size_t cap = batch.cap ? 2 * batch.cap : 64;
	int *more;

	if (batch.n < batch.cap)
		return true;
	if ((more = realloc(batch.fd, cap * sizeof(*more))) == NULL)
		return false;
	batch.fd = more;
	batch.cap = cap;
	return true;
}

void io_fd_close(int fd)
{
	if (fd < 0)
		return;
	if (batch.on && batch_room())
		batch.fd[batch.n++] = fd;
	else
		close(fd); /* outside a batch, or out of memory: at once, slower, never lost */
}

static void close_one(void *arg, size_t i)
{
	close(((const int *)arg)[i]);
}

void io_close_batch_end(void)
{
	io_par_run(batch.n, close_one, batch.fd);
	free(batch.fd);
	batch.fd = NULL;
	batch.n = batch.cap = 0;
	batch.on = false;
}

/* ---- sockets with rings made ahead ---- */

struct prepped {
	struct io_prep_job job;
	int fd; /* -1: not made, or taken */
	struct io_ring ring;
};

static struct {
	struct prepped *p;
	size_t n;
} prep;

static void prep_one(void *arg, size_t i)
{
	struct prepped *p = (struct prepped *)arg + i;
	int fd = io_packet_socket(p->job.ifindex, 0);

	if (fd >= 0 && io_ring_setup(&p->ring, fd, p->job.flags, p->job.mtu) < 0) {
		close(fd);
		fd = -1;
	}
	p->fd = fd < 0 ? -1 : fd; /* io_packet_socket's failure is -errno */
}

void io_prep_make(const struct io_prep_job *jobs, size_t n_jobs, unsigned n_each)
{
	io_prep_drop();
	if (n_jobs == 0 || n_each == 0 || (prep.p = calloc(n_jobs * n_each, sizeof(*prep.p))) == NULL)
		return; /* each socket is made when its link opens, as without this */
	prep.n = n_jobs * n_each;
	for (size_t i = 0; i < prep.n; i++)
		prep.p[i].job = jobs[i / n_each];
	io_par_run(prep.n, prep_one, prep.p);
}

int io_prep_take(int ifindex, unsigned flags, unsigned mtu, struct io_ring *ring)
{
	bool frames = flags & IO_RING_FRAMES;

	for (size_t i = 0; i < prep.n; i++) {
		struct prepped *p = &prep.p[i];
		int fd = p->fd;

		if (fd < 0 || p->job.ifindex != ifindex || p->job.flags != flags ||
		    io_ring_tx_max_for(p->job.mtu, frames) != io_ring_tx_max_for(mtu, frames))
			continue;
		*ring = p->ring;
		p->fd = -1;
		return fd;
	}
	return -1;
}

void io_prep_drop(void)
{
	for (size_t i = 0; i < prep.n; i++)
		if (prep.p[i].fd >= 0) {
			io_ring_teardown(&prep.p[i].ring);
			io_fd_close(prep.p[i].fd);
		}
	free(prep.p);
	prep.p = NULL;
	prep.n = 0;
}
