/*
 * 2 MB pages for fwd's heap. The FIB's lookup nodes are tens of megabytes
 * read at random (a million routes: 16 MB of leaf lines); on 4 KB pages
 * nearly every lookup also misses the TLB. glibc puts its heap on
 * transparent huge pages when the tunable glibc.malloc.hugetlb=1 is set,
 * and tunables are read only when a program starts, so fwd sets it and
 * executes itself again, before anything else happens (same PID, same
 * arguments). bench/fwd-lookup: pop + VRF lookup on 1M routes 52 -> 47 ns,
 * LPM alone 10.5 -> 9.6 ns (docs/performance.md).
 *
 * Not done when FERRY_FWD_HUGE_PAGES=0 (valgrind runs: the new program
 * would run outside valgrind), when the tunable is already there (also
 * after the re-execution), or when the kernel's transparent huge pages are
 * off ("[never]"): nothing to gain.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "fwd/hugepage.h"

#define TUNABLE "glibc.malloc.hugetlb=1"
#define THP_ENABLED "/sys/kernel/mm/transparent_hugepage/enabled"

static bool thp_possible(void)
{
	char buf[128] = "";
	FILE *fp = fopen(THP_ENABLED, "r");

	if (fp == NULL)
		return false;
	if (fgets(buf, sizeof(buf), fp) == NULL)
		buf[0] = '\0';
	fclose(fp);
	return buf[0] != '\0' && strstr(buf, "[never]") == NULL;
}

bool fwd_huge_pages_wanted(void)
{
	const char *off = getenv("FERRY_FWD_HUGE_PAGES");
	const char *tun = getenv("GLIBC_TUNABLES");

	if (off != NULL && strcmp(off, "0") == 0)
		return false;
	if (tun != NULL && strstr(tun, "glibc.malloc.hugetlb") != NULL)
		return false;
	return thp_possible();
}

bool fwd_huge_pages_on(void)
{
	const char *tun = getenv("GLIBC_TUNABLES");

	return tun != NULL && strstr(tun, TUNABLE) != NULL;
}

/*
 * By the program's own path, not /proc/self/exe: the process is named after
 * the file it executes, and ps, pgrep and ss would show "exe" instead of fwd.
 * A binary replaced since it started reads "... (deleted)": then /proc/self/exe.
 */
static void exec_self(char **argv)
{
	char path[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);

	if (n > 0) {
		path[n] = '\0';
		execv(path, argv);
	}
	execv("/proc/self/exe", argv);
}

void fwd_huge_pages(char **argv)
{
	const char *tun = getenv("GLIBC_TUNABLES");
	char buf[1024];
	int n;

	if (!fwd_huge_pages_wanted())
		return;
	n = tun != NULL && tun[0] != '\0' ? snprintf(buf, sizeof(buf), "%s:%s", tun, TUNABLE) :
					    snprintf(buf, sizeof(buf), "%s", TUNABLE);
	if (n < 0 || (size_t)n >= sizeof(buf) || setenv("GLIBC_TUNABLES", buf, 1) != 0)
		return;
	exec_self(argv);
	/* still here: go on with 4 KB pages, and say so once logging is up */
	fprintf(stderr, "fwd: cannot execute itself again for huge pages (%s); 4 KB pages\n",
		strerror(errno));
	unsetenv("GLIBC_TUNABLES");
	if (tun != NULL)
		setenv("GLIBC_TUNABLES", tun, 1);
}
