/*
 * Packet sockets opened and closed many at a time (io_par.c): io_par_run
 * runs every index exactly once however many threads it starts; a close
 * batch closes nothing before its end and every descriptor at its end (fwd's
 * stop closes all its links' sockets so); sockets made ahead are handed out
 * only for the link, flags and TX slot size they were made for, each once,
 * with working rings, and those nobody took are closed.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fwd/io_packet.h"
#include "fwd/io_par.h"

#define N_IDX 1000

static void count_one(void *arg, size_t i)
{
	atomic_fetch_add(&((atomic_int *)arg)[i], 1);
}

Test(fwd_io_par, every_index_runs_once)
{
	static atomic_int seen[N_IDX];
	size_t sizes[] = { 0, 1, 2, IO_PAR_THREADS, IO_PAR_THREADS + 1, N_IDX };

	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		for (size_t i = 0; i < N_IDX; i++)
			atomic_store(&seen[i], 0);
		io_par_run(sizes[s], count_one, seen);
		for (size_t i = 0; i < N_IDX; i++)
			cr_assert_eq(atomic_load(&seen[i]), i < sizes[s] ? 1 : 0,
				     "n %zu: index %zu ran %d times", sizes[s], i,
				     atomic_load(&seen[i]));
	}
}

static bool fd_open(int fd)
{
	return fcntl(fd, F_GETFD) >= 0;
}

Test(fwd_io_par, a_close_batch_closes_every_fd_at_its_end)
{
	int fd[300];

	for (size_t i = 0; i < 300; i++)
		cr_assert_geq(fd[i] = eventfd(0, EFD_CLOEXEC), 0);
	io_close_batch_begin();
	for (size_t i = 0; i < 300; i++)
		io_fd_close(fd[i]);
	for (size_t i = 0; i < 300; i++)
		cr_assert(fd_open(fd[i]), "fd %d closed before the batch ended", fd[i]);
	io_close_batch_end();
	for (size_t i = 0; i < 300; i++)
		cr_assert(!fd_open(fd[i]), "fd %d left open by the batch", fd[i]);
	cr_assert_geq(fd[0] = eventfd(0, EFD_CLOEXEC), 0);
	io_fd_close(fd[0]);
	cr_assert(!fd_open(fd[0]), "outside a batch a close is at once");
}

static size_t open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	size_t n = 0;

	cr_assert_not_null(d);
	while (readdir(d) != NULL)
		n++;
	closedir(d);
	return n;
}

static void lo_up(void)
{
	struct ifreq ifr = { .ifr_name = "lo" };
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	cr_assert_geq(fd, 0);
	cr_assert_eq(ioctl(fd, SIOCGIFFLAGS, &ifr), 0);
	ifr.ifr_flags |= IFF_UP;
	cr_assert_eq(ioctl(fd, SIOCSIFFLAGS, &ifr), 0);
	close(fd);
}

Test(fwd_io_par, sockets_made_ahead_match_their_link_and_rings)
{
	struct io_prep_job jobs[2];
	struct io_ring r;
	uint8_t frame[1514] = { 0 };
	int lo, fd[3];
	size_t before;

	if (geteuid() != 0)
		cr_skip_test("needs root: a network namespace of its own (CI runs as root)");
	cr_assert_eq(unshare(CLONE_NEWNET), 0, "unshare: %s", strerror(errno));
	lo_up();
	lo = (int)if_nametoindex("lo");
	jobs[0] = (struct io_prep_job){ lo, IO_RING_ACCESS, 1500 };
	jobs[1] = (struct io_prep_job){ lo, 0, 9000 };
	before = open_fds();
	io_prep_make(jobs, 2, 3);
	cr_assert_eq(open_fds(), before + 6, "3 sockets for each of 2 jobs");
	cr_assert_eq(io_prep_take(lo + 1, IO_RING_ACCESS, 1500, &r), -1, "another link");
	cr_assert_eq(io_prep_take(lo, IO_RING_FRAMES, 1500, &r), -1, "other rings");
	cr_assert_eq(io_prep_take(lo, IO_RING_ACCESS, 4000, &r), -1, "larger TX slots");
	for (int i = 0; i < 3; i++) {
		cr_assert_geq(fd[i] = io_prep_take(lo, IO_RING_ACCESS, 1400, &r), 0,
			      "an MTU with the same TX slots takes job 0's socket %d", i);
		cr_assert_eq(r.map_len, (512u << 10) + 256u * 2048, "an attachment link's rings");
		cr_assert_eq(io_packet_bind(fd[i], lo, 0x88B5), 0);
		cr_assert_eq(io_ring_tx(&r, fd[i], frame, sizeof(frame)), 0);
		io_ring_kick(&r, fd[i]);
		io_ring_teardown(&r);
	}
	cr_assert_eq(io_prep_take(lo, IO_RING_ACCESS, 1500, &r), -1, "each is handed out once");
	io_prep_drop();
	cr_assert_eq(open_fds(), before + 3, "the 3 not taken are closed, the 3 taken not");
	for (int i = 0; i < 3; i++)
		close(fd[i]);
	cr_assert_eq(io_prep_take(lo, 0, 9000, &r), -1, "nothing is left after the drop");
}
