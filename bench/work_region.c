/* SPDX-License-Identifier: MIT */
/*
 * Workloads on regions (see work.h and work_internal.h): the region
 * helpers and setups every kind shares, map/unmap/protect_region, the
 * teardown by pt_destroy, and the floor of map_region.
 */
#include <stdlib.h>
#include <string.h>

#include "shim.h" /* only the inline optimiser barriers */
#include "work_internal.h"

/* ---- Helpers --------------------------------------------------------------- */

int map_regions(struct fix *f)
{
	for (uint64_t k = 0; k < f->reps; k++)
		CHECK(pt_map_region(&f->t, f->va + k * f->size, f->pa + k * f->size, f->size, RW,
				    f->opts));
	return PT_OK;
}

int unmap_all(struct fix *f)
{
	return pt_unmap_region(&f->t, f->va, f->reps * f->size);
}

int remap_all(struct fix *f)
{
	CHECK(unmap_all(f));
	return map_regions(f);
}

/* ---- Setups ---------------------------------------------------------------- */

/* `arg` bytes in 4K pages, repeated up to BUDGET_4K. */
int setup_region_4k(struct fix *f)
{
	f->size = (uint64_t)f->arg;
	f->reps = max_u64(1, BUDGET_4K / f->size);
	f->va = VA0;
	f->pa = PA0;
	f->opts = 0;
	f->items = f->reps * f->size / f->fm->page; /* pages of the granule */
	return PT_OK;
}

int setup_region_4k_mapped(struct fix *f)
{
	CHECK(setup_region_4k(f));
	return map_regions(f);
}

/* map_region_4k's pages with huge leaves allowed, the PA one contiguous
 * group's span (16 4K pages, 128 16K pages, 32 64K pages) off the VA's
 * block alignment: no block fits, every aligned group is marked. Against
 * map_region_4k, the cost of the marks. */
int setup_region_runs(struct fix *f)
{
	CHECK(setup_region_4k(f));
	f->pa = PA0 + f->fm->page * (f->fm->page == PT_SIZE_4K ? 16 : f->fm->page == 16384 ? 128 : 32);
	f->opts = PT_ALLOW_HUGE;
	return PT_OK;
}

/* `arg` bytes in the smallest huge leaf: VA and PA start one huge leaf
 * past a 1G boundary so no 1G leaf fits anywhere. */
int setup_region_huge(struct fix *f)
{
	f->size = (uint64_t)f->arg;
	f->reps = max_u64(1, BUDGET_HUGE / f->size);
	f->va = VA0 + f->fm->huge;
	f->pa = PA0 + f->fm->huge;
	f->opts = PT_ALLOW_HUGE;
	f->items = f->reps * f->size / f->fm->huge;
	return PT_OK;
}

/* `arg` bytes in the largest leaf, up to GIANT_REPS of them: one leaf a
 * call (the call's own cost) or all in one call (the cost per leaf). */
int setup_region_giant(struct fix *f)
{
	f->size = (uint64_t)f->arg;
	f->reps = max_u64(1, GIANT_REPS * f->fm->giant / f->size);
	f->va = VA0;
	f->pa = PA0;
	f->opts = PT_ALLOW_HUGE;
	f->items = f->reps * (f->size / f->fm->giant);
	return PT_OK;
}

/* Huge-page regions whose edges the run cuts one page in from each end:
 * every call splits two huge leaves. Items: pages in the cut range. */
int setup_split(struct fix *f)
{
	CHECK(setup_region_huge(f));
	f->inner = PAGE;
	f->items = f->reps * (f->size - 2 * f->inner) / PAGE;
	return map_regions(f);
}

/* One region of `arg` bytes in 4K pages for single-page operations. */
int setup_pages(struct fix *f)
{
	f->size = (uint64_t)f->arg;
	f->reps = 1;
	f->va = VA0;
	f->pa = PA0;
	f->items = f->size / f->fm->page;
	return PT_OK;
}

int setup_pages_mapped(struct fix *f)
{
	CHECK(setup_pages(f));
	return map_regions(f);
}

/* ---- Region workloads ------------------------------------------------------ */

int run_unmap_regions(struct fix *f)
{
	for (uint64_t k = 0; k < f->reps; k++)
		CHECK(pt_unmap_region(&f->t, f->va + k * f->size, f->size));
	return PT_OK;
}

int run_protect_regions(struct fix *f)
{
	f->flags ^= PT_WRITE;
	for (uint64_t k = 0; k < f->reps; k++)
		CHECK(pt_protect_region(&f->t, f->va + k * f->size, f->size, f->flags));
	return PT_OK;
}

int run_unmap_split(struct fix *f)
{
	for (uint64_t k = 0; k < f->reps; k++)
		CHECK(pt_unmap_region(&f->t, f->va + k * f->size + f->inner,
				      f->size - 2 * f->inner));
	return PT_OK;
}

int run_protect_split(struct fix *f)
{
	for (uint64_t k = 0; k < f->reps; k++)
		CHECK(pt_protect_region(&f->t, f->va + k * f->size + f->inner,
					f->size - 2 * f->inner, PT_READ));
	return PT_OK;
}

/* ---- Teardown ---------------------------------------------------------------- */


int populate_tabs(struct fix *f)
{
	for (size_t i = 0; i < f->ntabs; i++) {
		CHECK(table_init(f, &f->tabs[i]));
		CHECK(pt_map_region(&f->tabs[i], VA0, PA0, f->size, RW, 0));
	}
	return PT_OK;
}

int setup_destroy(struct fix *f)
{
	f->size = (uint64_t)f->arg;
	f->ntabs = (size_t)max_u64(1, BUDGET_DESTROY / f->size);
	f->tabs = calloc(f->ntabs, sizeof(*f->tabs));
	if (!f->tabs)
		return PT_ERR_NO_MEMORY;
	f->items = f->ntabs * f->size / PAGE;
	return populate_tabs(f);
}

int run_destroy(struct fix *f)
{
	for (size_t i = 0; i < f->ntabs; i++)
		pt_destroy(&f->tabs[i]);
	return PT_OK;
}

/* ---- The floor --------------------------------------------------------------- */

/*
 * What any map_region of the same pages must write, done with plain stores
 * into a warm buffer: every new table zeroed, then its entries written
 * (last level first), then the entries in the root. Tables per level are
 * counted as for VA0-aligned pages; the root is written, never zeroed.
 */
static unsigned floor_levels(const struct fix *f)
{
	return pt_arch_info(f->fm->arch)->levels;
}

static size_t floor_entries(const struct fix *f, unsigned lv, unsigned levels)
{
	if (lv == 0)
		return f->fm->leaf_entries;
	if (lv == levels - 1 && f->fm->pte_bytes == 4)
		return 4096; /* the ARMv7 L1 root */
	return f->fm->up_entries;
}

int setup_floor(struct fix *f)
{
	unsigned levels;
	uint64_t n;
	size_t bytes = 0;
	CHECK(setup_region_4k(f));
	levels = floor_levels(f);
	n = f->items;
	for (unsigned lv = 0; lv < levels; lv++) {
		size_t e = floor_entries(f, lv, levels);
		size_t tables = lv == levels - 1 ? 1 : (size_t)((n + e - 1) / e);
		f->buf_tables[lv] = tables;
		bytes += tables * e * f->fm->pte_bytes;
		n = tables;
	}
	f->buf = aligned_alloc(PAGE, (bytes + PAGE - 1) & ~(PAGE - 1));
	if (!f->buf)
		return PT_ERR_NO_MEMORY;
	memset(f->buf, 0, bytes); /* warm */
	return PT_OK;
}

int run_floor(struct fix *f)
{
	unsigned levels = floor_levels(f);
	unsigned char *p = f->buf;
	uint64_t n = f->items; /* entries to write at this level */
	for (unsigned lv = 0; lv < levels; lv++) {
		size_t e = floor_entries(f, lv, levels);
		size_t tbytes = e * f->fm->pte_bytes;
		bool root = lv == levels - 1;
		uint64_t pte = PA0 | 3;
		for (size_t t = 0; t < f->buf_tables[lv]; t++, p += tbytes) {
			size_t k = n - t * e < e ? (size_t)(n - t * e) : e;
			if (!root)
				memset(p, 0, tbytes);
			/* The zeroing is not dead because entries follow. */
			bench_clobber_memory();
			if (f->fm->pte_bytes == 8) {
				uint64_t *q = (uint64_t *)(void *)p;
				for (size_t i = 0; i < k; i++, pte += PAGE)
					q[i] = pte;
			} else {
				uint32_t *q = (uint32_t *)(void *)p;
				for (size_t i = 0; i < k; i++, pte += PAGE)
					q[i] = (uint32_t)pte;
			}
		}
		n = f->buf_tables[lv];
	}
	bench_clobber_memory();
	return PT_OK;
}
