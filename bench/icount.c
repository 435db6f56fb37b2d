/* SPDX-License-Identifier: MIT */
/*
 * Instruction counts per operation: the workloads of work.h, each run once
 * with its icount argument, under
 *
 *	valgrind --tool=callgrind --collect-atstart=no build/bench/icount [filter]
 *
 * Only the measured part of a run is collected (CALLGRIND_TOGGLE_COLLECT
 * around it), then dumped under the workload's name, so each dump holds
 * exactly one operation's instructions: setup, reset and this driver are
 * never counted. Counts are deterministic (fixed addresses, fixed pool), so
 * a 3% change means the code changed. Outside valgrind the client requests
 * are no-ops and the program just checks that every workload succeeds.
 *
 * stdout: one line per workload, "<name> <items> <unit>"; bench/icount.py
 * joins it with the dumps. A second argument runs the workloads that have
 * that size among their benchmark arguments at it instead (not a baseline
 * point; for make bench-profile ARG=...).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <valgrind/callgrind.h>

#include "work.h"

/* The largest icount workload (4096 sparse pages) needs ~5000 frames. */
#define POOL_FRAMES 8192u

static int run_counted(const struct fmt *fm, const struct workload *w, const char *name)
{
	struct fix f;
	int r = fix_open(&f, fm, w, w->icount_arg);
	if (r == PT_OK) {
		/* One run uncounted first, so the counted one starts from the
		 * state every benchmark iteration starts from. */
		fix_prepare(&f);
		r = w->run(&f);
		if (r == PT_OK && w->reset) {
			fix_prepare(&f);
			r = w->reset(&f);
		}
	}
	if (r == PT_OK) {
		fix_prepare(&f);
		CALLGRIND_TOGGLE_COLLECT;
		r = w->run(&f);
		CALLGRIND_TOGGLE_COLLECT;
		CALLGRIND_DUMP_STATS_AT(name);
	}
	if (r == PT_OK)
		printf("%s %llu %s\n", name, (unsigned long long)f.items, w->unit);
	if (fix_close(&f) != PT_OK && r == PT_OK)
		r = PT_ERR_INVALID;
	if (r != PT_OK)
		fprintf(stderr, "icount: %s: %s%s%s\n", name, pt_strerror(r),
			pool()->errors ? "; pool: " : "", pool()->error);
	return r;
}

/* Is a one of w's benchmark arguments? */
static bool work_has_arg(const struct workload *w, long long a)
{
	for (size_t k = 0; k < sizeof w->args / sizeof w->args[0] && w->args[k]; k++)
		if (w->args[k] == a)
			return true;
	return false;
}

int main(int argc, char **argv)
{
	const char *filter = argc > 1 ? argv[1] : "";
	const long long arg = argc > 2 ? atoll(argv[2]) : 0;
	int bad = 0;
	if (pool_init(POOL_FRAMES) != 0) {
		fprintf(stderr, "icount: cannot set up the frame pool\n");
		return 1;
	}
	for (size_t i = 0; i < fmt_count; i++) {
		for (size_t j = 0; j < work_count; j++) {
			struct workload w = work_list[j];
			char name[96];
			/* The floor is our own code, not the library's. */
			if (arg && w.icount_arg)
				w.icount_arg = work_has_arg(&w, arg) ? arg : 0;
			if (!w.icount_arg || !work_applies(&w, &fmt_list[i], w.icount_arg))
				continue;
			snprintf(name, sizeof(name), "%s/%s/%lld", w.name, fmt_list[i].name,
				 (long long)w.icount_arg);
			if (!strstr(name, filter))
				continue;
			bad |= run_counted(&fmt_list[i], &w, name) != PT_OK;
		}
	}
	fflush(stdout);
	return bad;
}
