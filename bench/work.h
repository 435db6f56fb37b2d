/* SPDX-License-Identifier: MIT */
/*
 * The benchmark workloads, written once and driven twice: by Google
 * Benchmark for time (bench/bench.c) and under callgrind for instruction
 * counts (bench/icount.c). A workload is setup (once), run (the measured
 * part, many operations) and reset (not measured: bring the table back to
 * the state run expects, e.g. unmap what run mapped).
 *
 * Memory: every table frame comes from one pre-faulted pool (tests/arena.c)
 * with dirty=false, so neither page faults nor the arena's garbage fill are
 * measured, and strict_virt=false, so phys_to_virt is a bounds check and an
 * add. Tables are declared direct-mapped (pt_set_direct_map, as a kernel
 * would) except in workloads marked `hook`. Before each run the pool's next-fit hint
 * goes back to 0, so a run reuses the frames the previous reset freed: the
 * tables are as warm as the floor's buffer.
 */
#ifndef PT_BENCH_WORK_H
#define PT_BENCH_WORK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "pt.h"

#define KiB(x) ((uint64_t)(x) << 10)
#define MiB(x) ((uint64_t)(x) << 20)
#define GiB(x) ((uint64_t)(x) << 30)

/* One page-table format as the benchmarks see it. */
struct fmt {
	enum pt_arch arch;
	const char *name;      /* short, used in benchmark names */
	uint64_t huge;         /* smallest huge leaf: 2M, or 1M on ARMv7 */
	uint64_t giant;        /* 1G leaf, 0 if none */
	unsigned pte_bytes;    /* 8, or 4 on ARMv7 */
	unsigned leaf_entries; /* entries of a last-level table */
	unsigned up_entries;   /* entries of a table above it (not the root) */
	uint64_t page;         /* the page: 4K, or the AArch64 granule */
	unsigned va_bits;      /* pt_init_config's width, 0: the default */
	unsigned feat;         /* pt_init_config's features */
};

extern const struct fmt fmt_list[];
extern const size_t fmt_count;

/* Everything one benchmark run works on. */
struct fix {
	const struct fmt *fm;
	const struct workload *w;
	struct pt_mm mm;
	struct pt_table t;
	struct pt_table *tabs;  /* teardown: several populated tables */
	size_t ntabs;
	int64_t arg;
	uint64_t va, pa, size;  /* one region */
	uint64_t inner;         /* split workloads: bytes trimmed at each edge */
	uint64_t reps;          /* regions (or walks, or tables) per run */
	uint64_t items;         /* work units per run, for per-item rates */
	unsigned opts;          /* PT_ALLOW_HUGE or 0 */
	uint64_t *addr;         /* precomputed VAs for single-page workloads */
	size_t naddr;
	void *buf;              /* floor: the warm buffer */
	size_t buf_tables[PT_MAX_LEVELS]; /* floor: tables per level, leaf first */
	uint32_t flags;         /* protect workloads toggle this */
	uint64_t pa_shift;      /* remap toggles this */
	uint64_t expect;        /* walk: leaves a walk must see */
	uint64_t sink;
};

struct workload {
	const char *name;
	const char *unit;         /* what items count: page, leaf, op */
	int64_t args[5];          /* benchmark arguments, 0-terminated */
	int64_t icount_arg;       /* the argument of the fixed icount workload */
	/* Does it make sense for this format and argument? NULL: always. */
	bool (*applies)(const struct fmt *fm, int64_t arg);
	int (*setup)(struct fix *f);
	int (*run)(struct fix *f);
	int (*reset)(struct fix *f); /* NULL: run leaves a state it can rerun on */
	/* Fixed measured time in seconds (0: the suite's --benchmark_min_time),
	 * for runs 10-30 times cheaper than their reset (freeing whole tables,
	 * then rebuilding them), which would otherwise eat the time budget. */
	double min_time;
	/* Reach tables through mm->phys_to_virt instead of the direct map
	 * (pt_set_direct_map), to keep that path measured too. */
	bool hook;
	/* Also on the formats whose page is not 4 KiB or whose width is not
	 * the default (the AArch64 granules and VA sizes). */
	bool gran;
};

extern const struct workload work_list[];
extern const size_t work_count;

/* The pool: pre-fault it once per process. */
int pool_init(size_t frames);
struct arena *pool(void);

/* pt_init plus the workload's setup; on error everything is released. */
int fix_open(struct fix *f, const struct fmt *fm, const struct workload *w, int64_t arg);
/* Before each run: reuse the pool's first free frames (warm tables). */
void fix_prepare(struct fix *f);
/* Tear down; PT_ERR_INVALID if frames leaked or the pool saw a bad free. */
int fix_close(struct fix *f);

bool work_applies(const struct workload *w, const struct fmt *fm, int64_t arg);

#endif /* PT_BENCH_WORK_H */
