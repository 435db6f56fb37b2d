/* SPDX-License-Identifier: MIT */
/* Shared by bench/work*.c: units, budgets, and the functions one file calls in another. */
#ifndef PT_BENCH_WORK_INTERNAL_H
#define PT_BENCH_WORK_INTERNAL_H

#include "work.h"

#define RW (PT_READ | PT_WRITE)
#define PAGE PT_SIZE_4K
/* Regions start at 1 GiB (VA) and 2 GiB (PA): 1G-aligned, valid on every
 * format (ARMv7 included: everything stays below 4 GiB there). */
#define VA0 GiB(1)
#define PA0 GiB(2)
/* Single-page workloads do this many operations per run. */
#define SINGLE_OPS 4096u
/* Work per run: 4K-page region workloads cover at least 256 MiB, huge-page
 * ones 1 GiB, 1G-leaf ones 64 GiB (several calls when the size is
 * smaller); walks visit at least WALK_LEAVES leaves. */
#define BUDGET_4K MiB(256)
#define BUDGET_HUGE GiB(1)
#define GIANT_REPS 64u
#define WALK_LEAVES 16384u
/* Teardown: populated tables per run cover at least this much. */
#define BUDGET_DESTROY GiB(4)

#define CHECK(x)                   \
	do {                       \
		int r_ = (x);      \
		if (r_ != PT_OK)   \
			return r_; \
	} while (0)

static inline uint64_t max_u64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

/* work.c */
int table_init(struct fix *f, struct pt_table *t);

/* work_region.c */
int map_regions(struct fix *f);
int unmap_all(struct fix *f);
int remap_all(struct fix *f);
int setup_region_4k(struct fix *f);
int setup_region_4k_mapped(struct fix *f);
int setup_region_huge(struct fix *f);
int setup_region_runs(struct fix *f);
int setup_region_giant(struct fix *f);
int setup_split(struct fix *f);
int setup_pages(struct fix *f);
int setup_pages_mapped(struct fix *f);
int run_unmap_regions(struct fix *f);
int run_protect_regions(struct fix *f);
int run_unmap_split(struct fix *f);
int run_protect_split(struct fix *f);
int populate_tabs(struct fix *f);
int setup_destroy(struct fix *f);
int run_destroy(struct fix *f);
int setup_floor(struct fix *f);
int run_floor(struct fix *f);

/* work_state.c */
int setup_dirty_log(struct fix *f);
int run_clear_dirty(struct fix *f);
int reset_dirty_log(struct fix *f);
int setup_region_4k_clean(struct fix *f);
int run_protect_clean(struct fix *f);
int reset_protect_clean(struct fix *f);

/* work_page.c */
int run_map_seq(struct fix *f);
int setup_map_call_floor(struct fix *f);
int run_map_call_floor(struct fix *f);
int setup_map_rand(struct fix *f);
int run_map_rand(struct fix *f);
int setup_lookup(struct fix *f);
int run_query(struct fix *f);
int setup_query_floor(struct fix *f);
int run_query_floor(struct fix *f);
int run_query_call_floor(struct fix *f);
int run_translate(struct fix *f);
int run_access(struct fix *f);
int run_access_ctl(struct fix *f);
enum pt_arch nested_s2(enum pt_arch a);
int setup_nested(struct fix *f);
int run_access_nested(struct fix *f);
int run_remap(struct fix *f);
int run_protect(struct fix *f);
int run_unmap(struct fix *f);
int setup_flush(struct fix *f);
int run_flush(struct fix *f);

/* work_walk.c */
int setup_walk_4k(struct fix *f);
int run_walk_ranges(struct fix *f);
int run_walk_batches(struct fix *f);
int run_walk_batches_sum(struct fix *f);
int run_walk_cursor(struct fix *f);
int run_walk_cursor_sum(struct fix *f);
int setup_walk_huge(struct fix *f);
int run_walk(struct fix *f);
int setup_walk_floor(struct fix *f);
int run_walk_floor(struct fix *f);

#endif /* PT_BENCH_WORK_INTERNAL_H */
