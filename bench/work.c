/* SPDX-License-Identifier: MIT */
/*
 * The workloads behind every benchmark and every instruction count (see
 * work.h). Each run does thousands of operations, so the per-iteration
 * overhead of Debian's debug build of Google Benchmark (and of reading the
 * clock) stays far below the work measured. Every result code is checked:
 * a run that fails reports the error instead of a time.
 *
 * This file: the formats, the pool, the list of workloads and the fixtures.
 * The workloads: work_page.c (single-page calls), work_region.c (region
 * calls, teardown, the map_region floor), work_walk.c (walks).
 */
#include "work.h"

#include <stdlib.h>
#include <string.h>

#include "work_internal.h"

const struct fmt fmt_list[] = {
	{ PT_X86_64, "x86_64", MiB(2), GiB(1), 8, 512, 512, KiB(4), 0, 0 },
	{ PT_X86_64_LA57, "la57", MiB(2), GiB(1), 8, 512, 512, KiB(4), 0, 0 },
	{ PT_AARCH64, "aarch64", MiB(2), GiB(1), 8, 512, 512, KiB(4), 0, 0 },
	{ PT_RISCV_SV39, "sv39", MiB(2), GiB(1), 8, 512, 512, KiB(4), 0, 0 },
	{ PT_RISCV_SV48, "sv48", MiB(2), GiB(1), 8, 512, 512, KiB(4), 0, 0 },
	{ PT_RISCV_SV57, "sv57", MiB(2), GiB(1), 8, 512, 512, KiB(4), 0, 0 },
	{ PT_LOONGARCH64, "la64", MiB(2), GiB(1), 8, 512, 512, KiB(4), 0, 0 },
	/* ARMv7: 256-entry L2 tables under the 4096-entry L1 root. */
	{ PT_ARMV7, "armv7", MiB(1), 0, 4, 256, 4096, KiB(4), 0, 0 },
	/* AArch64 stage 2 at its default 40-bit IPA (a 1024-entry root). */
	{ PT_AARCH64_S2, "aarch64_s2", MiB(2), GiB(1), 8, 512, 512, KiB(4), 0, 0 },
	/* Stage 2: EPT (without A/D flags), RISC-V G-stage (16 KiB root). */
	{ PT_X86_64_EPT, "ept", MiB(2), GiB(1), 8, 512, 512, KiB(4), 0, 0 },
	{ PT_X86_64_EPT5, "ept5", MiB(2), GiB(1), 8, 512, 512, KiB(4), 0, 0 },
	{ PT_RISCV_SV39X4, "sv39x4", MiB(2), GiB(1), 8, 512, 512, KiB(4), 0, 0 },
	{ PT_RISCV_SV48X4, "sv48x4", MiB(2), GiB(1), 8, 512, 512, KiB(4), 0, 0 },
	{ PT_RISCV_SV57X4, "sv57x4", MiB(2), GiB(1), 8, 512, 512, KiB(4), 0, 0 },
	/* AArch64 at 39 bits (3 levels), and the 16K and 64K granules: pages
	 * of the granule, 2048- and 8192-entry tables, 32M and 512M blocks. */
	{ PT_AARCH64, "aarch64_39", MiB(2), GiB(1), 8, 512, 512, KiB(4), 39, 0 },
	{ PT_AARCH64_16K, "aarch64_16k", MiB(32), 0, 8, 2048, 2048, KiB(16), 0, 0 },
	{ PT_AARCH64_64K, "aarch64_64k", MiB(512), 0, 8, 8192, 8192, KiB(64), 0, 0 },
	/* Sv39 with Svnapot: 64 KiB runs where a map allows huge leaves. */
	{ PT_RISCV_SV39, "sv39_napot", MiB(2), GiB(1), 8, 512, 512, KiB(4), 0,
	  PT_FEAT_RISCV_SVNAPOT },
};
const size_t fmt_count = sizeof(fmt_list) / sizeof(fmt_list[0]);

/* ---- The pool ------------------------------------------------------------ */

static struct arena the_pool;

int pool_init(size_t frames)
{
	if (arena_init(&the_pool, PT_SIZE_1G, frames) != 0)
		return -1;
	/* Fault every page in now, once: no run pays for a first touch. */
	memset(the_pool.mem, 0, frames * PT_SIZE_4K);
	/* Tables are zeroed by libpt; the arena's garbage fill (and poison on
	 * free) would add a memset per frame that no real allocator does. */
	the_pool.dirty = false;
	/* A kernel's phys_to_virt is an add; the strict mode's ownership
	 * lookup is a test aid. */
	the_pool.strict_virt = false;
	return 0;
}

struct arena *pool(void)
{
	return &the_pool;
}

/* ---- The list ---------------------------------------------------------------- */

static bool applies_huge(const struct fmt *fm, int64_t arg)
{
	return (uint64_t)arg >= fm->huge;
}

static bool applies_split(const struct fmt *fm, int64_t arg)
{
	return (uint64_t)arg >= 2 * fm->huge;
}

/* Formats with contiguous runs: AArch64 stage 1, every granule, and
 * RISC-V with Svnapot. */
static bool applies_runs(const struct fmt *fm, int64_t arg)
{
	(void)arg;
	return fm->arch == PT_AARCH64 || fm->arch == PT_AARCH64_16K ||
	       fm->arch == PT_AARCH64_64K || (fm->feat & PT_FEAT_RISCV_SVNAPOT);
}

/* Formats whose leaves keep access state (not ARMv7, nor EPT without A/D
 * flags, as benchmarked). */
static bool applies_state(const struct fmt *fm, int64_t arg)
{
	(void)arg;
	return fm->arch != PT_ARMV7 && fm->arch != PT_X86_64_EPT && fm->arch != PT_X86_64_EPT5;
}

/* The guest formats benchmarked under a stage 2 (nested_s2). */
static bool applies_nested(const struct fmt *fm, int64_t arg)
{
	(void)arg;
	return fm->arch == PT_X86_64 || fm->arch == PT_AARCH64 || fm->arch == PT_RISCV_SV48;
}

static bool applies_giant(const struct fmt *fm, int64_t arg)
{
	return fm->giant && (uint64_t)arg >= fm->giant;
}

#define M1 ((int64_t)MiB(1))
#define M16 ((int64_t)MiB(16))
#define M256 ((int64_t)MiB(256))
#define G1 ((int64_t)GiB(1))
#define G64 ((int64_t)GiB(64))

#define W(n, u, ...) .name = (n), .unit = (u), .args = { __VA_ARGS__ }

const struct workload work_list[] = {
	{ W("floor", "page", M1, M16, M256, G1), .setup = setup_floor, .run = run_floor },
	{ W("map_seq", "op", M16), .icount_arg = M16, .setup = setup_pages, .run = run_map_seq,
	  .reset = unmap_all },
	{ W("map_call_floor", "op", M16), .icount_arg = M16, .setup = setup_map_call_floor,
	  .run = run_map_call_floor },
	{ W("map_rand", "op", 4096), .icount_arg = 4096, .setup = setup_map_rand,
	  .run = run_map_rand, .reset = unmap_all },
	{ W("query", "op", M16, G1), .icount_arg = M16, .setup = setup_lookup, .run = run_query, .gran = true },
	{ W("query_floor", "op", M16, G1), .icount_arg = M16, .setup = setup_query_floor,
	  .run = run_query_floor },
	{ W("query_call_floor", "op", M16, G1), .icount_arg = M16, .setup = setup_query_floor,
	  .run = run_query_call_floor },
	{ W("query_hook", "op", M16, G1), .icount_arg = M16, .setup = setup_lookup,
	  .run = run_query, .hook = true },
	{ W("translate", "op", M16, G1), .icount_arg = M16, .setup = setup_lookup,
	  .run = run_translate },
	{ W("access", "op", M16, G1), .icount_arg = M16, .setup = setup_lookup, .run = run_access },
	{ W("access_ctl", "op", M16, G1), .icount_arg = M16, .setup = setup_lookup,
	  .run = run_access_ctl },
	{ W("access_nested", "op", M16, G1), .icount_arg = M16, .applies = applies_nested,
	  .setup = setup_nested, .run = run_access_nested },
	{ W("remap", "op", M16), .icount_arg = M16, .setup = setup_pages_mapped, .run = run_remap },
	{ W("protect", "op", M16), .icount_arg = M16, .setup = setup_pages_mapped,
	  .run = run_protect },
	{ W("unmap", "op", M16), .icount_arg = M16, .setup = setup_pages_mapped, .run = run_unmap,
	  .reset = map_regions },
	{ W("flush_batch", "op", 1, 32, 33, 512), .icount_arg = 32, .setup = setup_flush,
	  .run = run_flush },
	{ W("map_region_4k", "page", M1, M16, M256, G1), .icount_arg = M16,
	  .setup = setup_region_4k, .run = map_regions, .reset = unmap_all, .gran = true },
	{ W("map_region_runs", "page", M1, M16, M256, G1), .icount_arg = M16,
	  .applies = applies_runs, .setup = setup_region_runs, .run = map_regions,
	  .reset = unmap_all, .gran = true },
	{ W("map_region_huge", "leaf", M1, M16, M256, G1), .icount_arg = G1,
	  .applies = applies_huge, .setup = setup_region_huge, .run = map_regions,
	  .reset = unmap_all, .gran = true },
	{ W("map_region_1g", "leaf", G1, G64), .icount_arg = G1, .applies = applies_giant,
	  .setup = setup_region_giant, .run = map_regions, .reset = unmap_all },
	{ W("unmap_region_4k", "page", M1, M16, M256, G1), .icount_arg = M16,
	  .setup = setup_region_4k_mapped, .run = run_unmap_regions, .reset = map_regions,
	  .min_time = 0.005, .gran = true },
	{ W("protect_region_4k", "page", M1, M16, M256, G1), .icount_arg = M16,
	  .setup = setup_region_4k_mapped, .run = run_protect_regions, .gran = true },
	{ W("protect_region_clean", "page", M16, G1), .icount_arg = M16,
	  .applies = applies_state, .setup = setup_region_4k_clean, .run = run_protect_clean, .reset = reset_protect_clean },
	{ W("clear_dirty", "page", M16, G1), .icount_arg = M16, .applies = applies_state,
	  .setup = setup_dirty_log,
	  .run = run_clear_dirty, .reset = reset_dirty_log },
	{ W("unmap_region_split", "page", M16, G1), .icount_arg = M16, .applies = applies_split,
	  .setup = setup_split, .run = run_unmap_split, .reset = remap_all },
	{ W("protect_region_split", "page", M16, G1), .icount_arg = M16,
	  .applies = applies_split, .setup = setup_split, .run = run_protect_split,
	  .reset = remap_all },
	{ W("walk_4k", "leaf", M1, M16, M256, G1), .icount_arg = M16, .setup = setup_walk_4k,
	  .run = run_walk, .gran = true },
	{ W("walk_floor", "leaf", M1, M16, M256, G1), .icount_arg = M16,
	  .setup = setup_walk_floor, .run = run_walk_floor },
	{ W("walk_ranges_4k", "leaf", M1, M16, M256, G1), .icount_arg = M16,
	  .setup = setup_walk_4k, .run = run_walk_ranges },
	{ W("walk_batches_4k", "leaf", M1, M16, M256, G1), .icount_arg = M16,
	  .setup = setup_walk_4k, .run = run_walk_batches },
	{ W("walk_batches_sum_4k", "leaf", M1, M16, M256, G1), .icount_arg = M16,
	  .setup = setup_walk_4k, .run = run_walk_batches_sum },
	{ W("walk_cursor_4k", "leaf", M1, M16, M256, G1), .icount_arg = M16,
	  .setup = setup_walk_4k, .run = run_walk_cursor },
	{ W("walk_cursor_sum_4k", "leaf", M1, M16, M256, G1), .icount_arg = M16,
	  .setup = setup_walk_4k, .run = run_walk_cursor_sum },
	{ W("walk_huge", "leaf", G1), .icount_arg = G1, .applies = applies_huge,
	  .setup = setup_walk_huge, .run = run_walk },
	{ W("destroy", "page", M16, M256, G1), .icount_arg = M16, .setup = setup_destroy,
	  .run = run_destroy, .reset = populate_tabs, .min_time = 0.005 },
};
const size_t work_count = sizeof(work_list) / sizeof(work_list[0]);

bool work_applies(const struct workload *w, const struct fmt *fm, int64_t arg)
{
	if ((fm->page != KiB(4) || fm->va_bits || fm->feat) && !w->gran)
		return false;
	return !w->applies || w->applies(fm, arg);
}

/* ---- Fixtures ---------------------------------------------------------------- */

/* pt_init, then the direct map unless the workload measures the hook. */
int table_init(struct fix *f, struct pt_table *t)
{
	{
		const struct pt_config cfg = { f->fm->arch, f->fm->feat, f->fm->va_bits };
		CHECK(pt_init_config(t, &cfg, &f->mm));
	}
	if (f->w->hook)
		return PT_OK;
	return pt_set_direct_map(t, (uint64_t)(uintptr_t)pool()->mem - pool()->base);
}

int fix_open(struct fix *f, const struct fmt *fm, const struct workload *w, int64_t arg)
{
	int r;
	memset(f, 0, sizeof(*f));
	f->fm = fm;
	f->w = w;
	f->arg = arg;
	f->flags = RW;
	arena_mm(pool(), &f->mm);
	pool()->hint = 0;
	r = table_init(f, &f->t);
	if (r != PT_OK) {
		fix_close(f);
		return r;
	}
	r = w->setup(f);
	if (r != PT_OK) {
		fix_close(f);
		return r;
	}
	/* Start every run with no TLB records left over from the setup. */
	pt_flush(&f->t);
	return PT_OK;
}

void fix_prepare(struct fix *f)
{
	(void)f;
	pool()->hint = 0;
}

int fix_close(struct fix *f)
{
	pt_destroy(&f->t);
	for (size_t i = 0; i < f->ntabs; i++)
		pt_destroy(&f->tabs[i]);
	free(f->tabs);
	free(f->addr);
	free(f->buf);
	f->tabs = NULL;
	f->addr = NULL;
	f->buf = NULL;
	/* Every frame must be back: a leak is a library bug, not a speed-up. */
	if (pool()->in_use != 0 || pool()->errors != 0)
		return PT_ERR_INVALID;
	return PT_OK;
}
