/* SPDX-License-Identifier: MIT */
/*
 * A small C face for Google Benchmark, so the benchmarks themselves stay C.
 * bench/shim.cc is the only C++ in bench/; it forwards each call to
 * benchmark::State or benchmark::internal::Benchmark.
 *
 *	static void bm(struct bench_state *st, const void *ctx)
 *	{
 *		... setup (not timed) ...
 *		while (bench_keep_running(st))
 *			... many operations ...;
 *		bench_set_items(st, bench_iterations(st) * ops_per_iteration);
 *	}
 *	bench_range(bench_register("op/fmt", bm, ctx), 1 << 20, 1 << 30, 16);
 *	return bench_main(argc, argv);
 */
#ifndef PT_BENCH_SHIM_H
#define PT_BENCH_SHIM_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct bench_state; /* one run of one benchmark (a benchmark::State) */
struct bench_def;   /* one registered benchmark (a benchmark::internal::Benchmark) */

typedef void (*bench_fn)(struct bench_state *st, const void *ctx);

/* ---- Registration (before bench_main) ---------------------------------- */

/* Register fn under `name`; ctx is handed back to every call of fn. The name
 * is copied. Without bench_arg/bench_range fn runs once, with no argument. */
struct bench_def *bench_register(const char *name, bench_fn fn, const void *ctx);
/* Add one run with argument v (the name gets "/v"). Returns b. */
struct bench_def *bench_arg(struct bench_def *b, int64_t v);
/* Add runs lo, lo*mult, ... up to hi (Google Benchmark's Range). Returns b. */
struct bench_def *bench_range(struct bench_def *b, int64_t lo, int64_t hi, int mult);
/* The benchmark reports the time given by bench_set_iteration_time instead
 * of the time it measures itself (the name gets "/manual_time"). Returns b. */
struct bench_def *bench_manual_time(struct bench_def *b);
/* Run for at least `seconds` of measured time, whatever
 * --benchmark_min_time says. Returns b. */
struct bench_def *bench_min_time(struct bench_def *b, double seconds);
/* Fixed iteration count instead of Google Benchmark's estimate. Returns b. */
struct bench_def *bench_iterations_fixed(struct bench_def *b, int64_t n);

/* A key/value line in the report's context (console header and JSON). */
void bench_context(const char *key, const char *value);

/* Parse Google Benchmark's flags, run what was registered, return 0 (or 1
 * for an unrecognised argument). */
int bench_main(int argc, char **argv);

/* ---- Inside a benchmark ------------------------------------------------ */

/* The keep-running loop: true while another iteration is wanted. */
bool bench_keep_running(struct bench_state *st);
/* The run's argument. Only for benchmarks given bench_arg or bench_range:
 * Google Benchmark 1.7.1 asserts otherwise. */
int64_t bench_get_arg(const struct bench_state *st);
/* Iterations done so far (after the loop: all of them). */
int64_t bench_iterations(const struct bench_state *st);

/* Totals over the whole run (all iterations); Google Benchmark turns them
 * into items_per_second / bytes_per_second. */
void bench_set_items(struct bench_state *st, int64_t items);
void bench_set_bytes(struct bench_state *st, int64_t bytes);

enum bench_counter_kind {
	BENCH_COUNTER_PLAIN, /* reported as given */
	BENCH_COUNTER_RATE,  /* divided by the run's time: per second */
	BENCH_COUNTER_AVG,   /* divided by the iteration count: per iteration */
};
void bench_counter(struct bench_state *st, const char *name, double v,
		   enum bench_counter_kind kind);

/* Stop and restart the clock around setup inside the loop. Each pair costs
 * microseconds in Debian's debug build: prefer bench_manual_time for short
 * iterations. */
void bench_pause(struct bench_state *st);
void bench_resume(struct bench_state *st);
/* With bench_manual_time: the time of the iteration just done, in seconds. */
void bench_set_iteration_time(struct bench_state *st, double seconds);
/* Mark the run failed with msg (shown instead of figures). Leave the loop
 * afterwards: further bench_keep_running calls return false. */
void bench_error(struct bench_state *st, const char *msg);
/* A short note shown next to the figures. */
void bench_label(struct bench_state *st, const char *label);

/* ---- Keeping the optimiser honest -------------------------------------- */

/* The value behind p is treated as read and written by unknown code, so the
 * computation that produced it cannot be dropped. Inline: no call cost. */
static inline void bench_do_not_optimize(const void *p)
{
	__asm__ volatile("" : : "r"(p) : "memory");
}

/* Every store before this point is treated as observed. */
static inline void bench_clobber_memory(void)
{
	__asm__ volatile("" : : : "memory");
}

#ifdef __cplusplus
}
#endif
#endif /* PT_BENCH_SHIM_H */
