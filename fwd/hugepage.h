/*
 * fwd's heap on 2 MB pages (hugepage.c): glibc's tunable, set by executing
 * the program again at the very start of main().
 */
#ifndef FERRY_FWD_HUGEPAGE_H
#define FERRY_FWD_HUGEPAGE_H

#include <stdbool.h>

/* Executes argv again with glibc.malloc.hugetlb=1 when worth it; returns when not (or on failure). */
void fwd_huge_pages(char **argv);
/* Whether fwd_huge_pages would execute the program again (tests). */
bool fwd_huge_pages_wanted(void);
/* Whether this process runs with the tunable (for the start-up log line). */
bool fwd_huge_pages_on(void);

#endif
