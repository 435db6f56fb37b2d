/* SPDX-License-Identifier: MIT */
/*
 * The benchmark suite: every workload of work.h on every format, registered
 * with Google Benchmark as "<workload>/<format>/<arg>". Formats run one after
 * the other, each with its own floor, so every ratio compares figures taken
 * close together on a shared machine.
 *
 * Timing: each iteration is one run of the workload, timed by us with the
 * monotonic clock and handed over as manual time; the reset that follows
 * (unmapping what a map run mapped, say) is not timed. The monotonic clock
 * because it is read in user space (vDSO, ~20 ns): the thread CPU clock is
 * a system call, and on a kernel with page-table isolation and no PCID
 * (this machine) every system call empties the TLB, so each run began by
 * refilling it: 1.9 us per run of 4096 random queries over 1 GiB of
 * tables, 0.45 ns per query, measured. Time spent descheduled now counts,
 * so figures worth quoting are the fastest of repetitions (BENCH_TABLE=
 * --min). Each run does thousands of operations, so the clock read and
 * Google Benchmark's per-iteration overhead are amortised. The counter
 * "items" is the work units per run (pages, leaves or calls, see the
 * label), so ns per unit is real_time / items.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "shim.h"
#include "work.h"

/* 64 MiB of frames: the largest working set (4096 sparse pages on a
 * 5-level format, or a 1 GiB populated table beside its reset) fits. */
#define POOL_FRAMES 16384u

struct reg {
	const struct fmt *fm;
	const struct workload *w;
};

/* What reading the clock twice adds to an empty interval (some 20 ns):
 * subtracted from every run. */
static double clock_cost;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void calibrate_clock(void)
{
	double best = 1.0;
	for (int i = 0; i < 2000; i++) {
		double a = now(), b = now();
		if (b - a < best)
			best = b - a;
	}
	clock_cost = best;
}

static void fail(struct bench_state *st, const char *what, int err)
{
	char msg[256];
	snprintf(msg, sizeof(msg), "%s: %s%s%s", what, pt_strerror(err),
		 pool()->errors ? "; pool: " : "", pool()->error);
	bench_error(st, msg);
}

static void run_one(struct bench_state *st, const void *ctx)
{
	const struct reg *rg = ctx;
	struct fix f;
	int r = fix_open(&f, rg->fm, rg->w, bench_get_arg(st));
	if (r != PT_OK) {
		fail(st, "setup", r);
		return;
	}
	while (bench_keep_running(st)) {
		double t0, t1;
		fix_prepare(&f);
		t0 = now();
		r = rg->w->run(&f);
		t1 = now();
		bench_set_iteration_time(st, t1 - t0 > clock_cost ? t1 - t0 - clock_cost : 1e-9);
		if (r == PT_OK && rg->w->reset) {
			fix_prepare(&f);
			r = rg->w->reset(&f);
		}
		if (r != PT_OK) {
			fail(st, "run", r);
			break;
		}
	}
	bench_set_items(st, bench_iterations(st) * (int64_t)f.items);
	bench_counter(st, "items", (double)f.items, BENCH_COUNTER_PLAIN);
	bench_label(st, rg->w->unit);
	r = fix_close(&f);
	if (r != PT_OK)
		fail(st, "teardown (leak?)", r);
}

int main(int argc, char **argv)
{
	static struct reg regs[64 * 16];
	size_t n = 0;
	char note[160];
	if (pool_init(POOL_FRAMES) != 0) {
		fprintf(stderr, "bench: cannot set up the frame pool\n");
		return 1;
	}
	bench_context("libpt_pool", "pre-faulted 64 MiB arena (tests/arena.c), dirty=false "
				    "(no garbage fill measured), strict_virt=false");
	calibrate_clock();
	snprintf(note, sizeof(note), "%.0f ns per pair of clock reads, subtracted from each run",
		 clock_cost * 1e9);
	bench_context("libpt_clock_cost", note);
	bench_context("libpt_timing", "manual time = monotonic (vDSO) time of the measured "
				      "part of each iteration; resets not timed; ns/unit = real_time/items");
	for (size_t i = 0; i < fmt_count; i++) {
		for (size_t j = 0; j < work_count; j++) {
			const struct workload *w = &work_list[j];
			struct bench_def *b = NULL;
			char name[96];
			snprintf(name, sizeof(name), "%s/%s", w->name, fmt_list[i].name);
			if (n == sizeof(regs) / sizeof(regs[0]))
				abort();
			regs[n] = (struct reg){ &fmt_list[i], w };
			for (size_t k = 0; k < 5 && w->args[k]; k++) {
				if (!work_applies(w, &fmt_list[i], w->args[k]))
					continue;
				if (!b) {
					b = bench_manual_time(bench_register(name, run_one, &regs[n]));
					if (w->min_time > 0)
						bench_min_time(b, w->min_time);
				}
				bench_arg(b, w->args[k]);
			}
			n++;
		}
	}
	return bench_main(argc, argv);
}
