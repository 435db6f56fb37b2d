// SPDX-License-Identifier: MIT
//
// The C++ side of bench/shim.h: nothing but forwarding to Google Benchmark.
// Kept deliberately thin so every benchmark (and every decision about what
// is measured) lives in C.

#include "shim.h"

#include <benchmark/benchmark.h>

namespace {

benchmark::State &S(struct bench_state *st)
{
	return *reinterpret_cast<benchmark::State *>(st);
}

const benchmark::State &S(const struct bench_state *st)
{
	return *reinterpret_cast<const benchmark::State *>(st);
}

benchmark::internal::Benchmark *B(struct bench_def *b)
{
	return reinterpret_cast<benchmark::internal::Benchmark *>(b);
}

struct bench_def *D(benchmark::internal::Benchmark *b)
{
	return reinterpret_cast<struct bench_def *>(b);
}

} // namespace

extern "C" {

struct bench_def *bench_register(const char *name, bench_fn fn, const void *ctx)
{
	// The lambda carries the C function and its context; Google Benchmark
	// copies the name.
	return D(benchmark::RegisterBenchmark(name, [fn, ctx](benchmark::State &st) {
		fn(reinterpret_cast<struct bench_state *>(&st), ctx);
	}));
}

struct bench_def *bench_arg(struct bench_def *b, int64_t v)
{
	return D(B(b)->Arg(v));
}

struct bench_def *bench_range(struct bench_def *b, int64_t lo, int64_t hi, int mult)
{
	return D(B(b)->RangeMultiplier(mult)->Range(lo, hi));
}

struct bench_def *bench_manual_time(struct bench_def *b)
{
	return D(B(b)->UseManualTime());
}

struct bench_def *bench_min_time(struct bench_def *b, double seconds)
{
	return D(B(b)->MinTime(seconds));
}

struct bench_def *bench_iterations_fixed(struct bench_def *b, int64_t n)
{
	return D(B(b)->Iterations(n));
}

void bench_context(const char *key, const char *value)
{
	benchmark::AddCustomContext(key, value);
}

int bench_main(int argc, char **argv)
{
	benchmark::Initialize(&argc, argv);
	if (benchmark::ReportUnrecognizedArguments(argc, argv))
		return 1;
	benchmark::RunSpecifiedBenchmarks();
	benchmark::Shutdown();
	return 0;
}

bool bench_keep_running(struct bench_state *st)
{
	return S(st).KeepRunning();
}

int64_t bench_get_arg(const struct bench_state *st)
{
	// 1.7.1 cannot tell whether an argument exists (range() asserts):
	// only call this for benchmarks registered with bench_arg/bench_range.
	return S(st).range(0);
}

int64_t bench_iterations(const struct bench_state *st)
{
	return static_cast<int64_t>(S(st).iterations());
}

void bench_set_items(struct bench_state *st, int64_t items)
{
	S(st).SetItemsProcessed(items);
}

void bench_set_bytes(struct bench_state *st, int64_t bytes)
{
	S(st).SetBytesProcessed(bytes);
}

void bench_counter(struct bench_state *st, const char *name, double v,
		   enum bench_counter_kind kind)
{
	benchmark::Counter::Flags f = benchmark::Counter::kDefaults;
	if (kind == BENCH_COUNTER_RATE)
		f = benchmark::Counter::kIsRate;
	else if (kind == BENCH_COUNTER_AVG)
		f = benchmark::Counter::kAvgIterations;
	S(st).counters[name] = benchmark::Counter(v, f);
}

void bench_pause(struct bench_state *st)
{
	S(st).PauseTiming();
}

void bench_resume(struct bench_state *st)
{
	S(st).ResumeTiming();
}

void bench_set_iteration_time(struct bench_state *st, double seconds)
{
	S(st).SetIterationTime(seconds);
}

void bench_error(struct bench_state *st, const char *msg)
{
	S(st).SkipWithError(msg);
}

void bench_label(struct bench_state *st, const char *label)
{
	S(st).SetLabel(label);
}

} // extern "C"
