/*
 * Shared by the ferryctl unit tests: JSON fixtures recorded from a lab run
 * (tests/unit/cli/NAME.json) and golden outputs beside them (NAME.txt).
 * FERRY_GOLDEN_UPDATE=1 rewrites the golden files from the current output
 * (then read the diff before committing it).
 */
#ifndef FERRY_TEST_CLI_UTIL_H
#define FERRY_TEST_CLI_UTIL_H

#include <criterion/criterion.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CLI_FIXTURES "tests/unit/cli/"

static inline struct json_object *fixture(const char *name)
{
	char path[256];
	struct json_object *o;

	snprintf(path, sizeof(path), CLI_FIXTURES "%s.json", name);
	o = json_object_from_file(path);
	cr_assert_not_null(o, "fixture %s (run from the repository root)", path);
	return o;
}

static inline char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = calloc(1, (size_t)n + 1);
	if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

/* Compares text with golden/NAME.txt (or writes it in update mode). */
static inline void golden(const char *name, const char *text)
{
	char path[256], *want;

	snprintf(path, sizeof(path), CLI_FIXTURES "%s.txt", name);
	if (getenv("FERRY_GOLDEN_UPDATE") != NULL) {
		FILE *f = fopen(path, "w");

		cr_assert_not_null(f, "%s", path);
		fputs(text, f);
		fclose(f);
		return;
	}
	want = slurp(path);
	cr_assert_not_null(want, "golden file %s missing (FERRY_GOLDEN_UPDATE=1 makes it)", path);
	cr_expect_str_eq(text, want, "%s differs:\n--- got ---\n%s--- want ---\n%s", path, text,
			 want);
	free(want);
}

/* Runs fn(out, ...) into a string. */
#define CAPTURE(buf, stmt)                                                                        \
	do {                                                                                      \
		size_t cap_len_ = 0;                                                              \
		FILE *out = open_memstream(&(buf), &cap_len_);                                    \
		stmt;                                                                             \
		fclose(out);                                                                      \
	} while (0)

#endif
