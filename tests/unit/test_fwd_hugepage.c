/*
 * fwd/hugepage.c: when fwd executes itself again with glibc's huge-page
 * tunable, and how it tells whether it runs with it.
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fwd/hugepage.h"

/* The test's own reading of what the kernel allows (/sys), with read(2). */
static bool kernel_thp(void)
{
	char buf[128];
	int fd = open("/sys/kernel/mm/transparent_hugepage/enabled", O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	return strstr(buf, "[never]") == NULL;
}

static void clean_env(void)
{
	unsetenv("FERRY_FWD_HUGE_PAGES");
	unsetenv("GLIBC_TUNABLES");
}

TestSuite(fwd_hugepage, .init = clean_env, .fini = clean_env);

Test(fwd_hugepage, wanted_unless_switched_off_or_already_set)
{
	cr_assert_eq(fwd_huge_pages_wanted(), kernel_thp());
	setenv("FERRY_FWD_HUGE_PAGES", "0", 1);
	cr_assert_not(fwd_huge_pages_wanted(), "FERRY_FWD_HUGE_PAGES=0 switches it off");
	setenv("FERRY_FWD_HUGE_PAGES", "1", 1);
	cr_assert_eq(fwd_huge_pages_wanted(), kernel_thp());
	setenv("GLIBC_TUNABLES", "glibc.malloc.hugetlb=0", 1);
	cr_assert_not(fwd_huge_pages_wanted(), "an explicit setting of the tunable is left alone");
	setenv("GLIBC_TUNABLES", "glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1", 1);
	cr_assert_not(fwd_huge_pages_wanted(), "after the re-execution: never again (no loop)");
}

Test(fwd_hugepage, on_only_with_the_tunable)
{
	cr_assert_not(fwd_huge_pages_on());
	setenv("GLIBC_TUNABLES", "glibc.malloc.arena_max=2", 1);
	cr_assert_not(fwd_huge_pages_on());
	setenv("GLIBC_TUNABLES", "glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1", 1);
	cr_assert(fwd_huge_pages_on());
	setenv("GLIBC_TUNABLES", "glibc.malloc.hugetlb=0", 1);
	cr_assert_not(fwd_huge_pages_on());
}

/* Nothing to do: the call returns, and the environment is as it was. */
Test(fwd_hugepage, returns_when_not_wanted)
{
	char *argv[] = { "never-executed", NULL };

	setenv("FERRY_FWD_HUGE_PAGES", "0", 1);
	setenv("GLIBC_TUNABLES", "glibc.malloc.arena_max=2", 1);
	fwd_huge_pages(argv);
	cr_assert_str_eq(getenv("GLIBC_TUNABLES"), "glibc.malloc.arena_max=2");
}
