/* SPDX-License-Identifier: MIT */
/*
 * A tiny test framework: checks are counted per group, a failure prints its
 * file:line and expression (the first few per group, so a broken loop does
 * not flood the log), and group_end() prints the line tests/run.sh parses:
 *   [group] <name>: <p> passed, <f> failed
 * Header-only: each test program is one translation unit.
 */
#ifndef PT_TEST_CHECK_H
#define PT_TEST_CHECK_H

#include <inttypes.h>
#include <stdio.h>

#define CHECK_MAX_REPORTS 25

static const char *check_group_name;
static unsigned long check_pass, check_fail;
static unsigned long check_total_fail;
/* Free-form context printed with a failure (format, level, flags, ...). */
static char check_ctx[200];

static inline void group_begin(const char *name)
{
	check_group_name = name;
	check_pass = check_fail = 0;
	check_ctx[0] = 0;
}

static inline void group_end(void)
{
	printf("[group] %s: %lu passed, %lu failed\n", check_group_name, check_pass, check_fail);
	fflush(stdout);
	check_total_fail += check_fail;
}

/* Exit status of a test program: non-zero if any check failed. */
static inline int check_status(void)
{
	return check_total_fail ? 1 : 0;
}

static inline int check_report(int ok, const char *file, int line, const char *expr)
{
	if (ok) {
		check_pass++;
		return 1;
	}
	if (check_fail++ < CHECK_MAX_REPORTS)
		printf("FAIL %s:%d [%s] %s%s%s\n", file, line, check_group_name, expr,
		       check_ctx[0] ? " -- " : "", check_ctx);
	return 0;
}

static inline int check_report_eq(uint64_t a, uint64_t b, const char *file, int line,
				  const char *ea, const char *eb)
{
	if (a == b) {
		check_pass++;
		return 1;
	}
	if (check_fail++ < CHECK_MAX_REPORTS)
		printf("FAIL %s:%d [%s] %s == %s: got %#" PRIx64 " (%" PRId64 "), want %#" PRIx64
		       " (%" PRId64 ")%s%s\n",
		       file, line, check_group_name, ea, eb, a, (int64_t)a, b, (int64_t)b,
		       check_ctx[0] ? " -- " : "", check_ctx);
	return 0;
}

/* Both evaluate to 1 when the check passed, so callers can skip dependent checks. */
#define CHECK(cond) check_report(!!(cond), __FILE__, __LINE__, #cond)
#define CHECK_EQ(a, b) check_report_eq((uint64_t)(a), (uint64_t)(b), __FILE__, __LINE__, #a, #b)
/* Set the context string printed with failures; CTX_CLEAR() clears it. */
#define CTX(...) snprintf(check_ctx, sizeof(check_ctx), __VA_ARGS__)
#define CTX_CLEAR() (check_ctx[0] = 0)

#endif
