/* SPDX-License-Identifier: MIT */
/*
 * Walk workloads (see work.h and work_internal.h): pt_walk, pt_walk_ranges,
 * pt_walk_batches and the cursor over 4K and huge leaves, and the floor of a walk
 * that calls back once per leaf.
 */
#include <stdlib.h>

#include "shim.h" /* only the inline optimiser barriers */
#include "work_internal.h"

/* ---- Walk ------------------------------------------------------------------ */

static int count_leaf(void *arg, const struct pt_entry *e)
{
	if (e->leaf)
		++*(uint64_t *)arg;
	return 0;
}

static void setup_walk_common(struct fix *f)
{
	f->expect = f->items;
	f->reps = max_u64(1, WALK_LEAVES / f->expect);
	f->items = f->reps * f->expect;
}

int setup_walk_4k(struct fix *f)
{
	CHECK(setup_pages_mapped(f));
	setup_walk_common(f);
	return PT_OK;
}

/* pt_walk_ranges (extension): one range per uniform run, one callback each. */
static int sum_range(void *arg, const struct pt_range *r)
{
	*(uint64_t *)arg += r->size;
	return 0;
}

int run_walk_ranges(struct fix *f)
{
	for (uint64_t k = 0; k < f->reps; k++) {
		uint64_t bytes = 0;
		CHECK(pt_walk_ranges(&f->t, f->va, f->size, sum_range, &bytes));
		if (bytes != f->expect * PAGE)
			return PT_ERR_CORRUPT;
	}
	return PT_OK;
}

/*
 * pt_walk_batches (extension): one callback per batch (a last-level
 * table's run of 4K leaves, read in place). walk_batches_4k's
 * callback counts the leaves, as walk_4k's does (and keeps the last PA, so
 * the batch is read); walk_batches_sum_4k's also adds up every PA, a loop
 * over the batch of the caller's own.
 */
struct batch_sum {
	uint64_t leaves, pa;
};

static int count_batch(void *arg, const struct pt_batch *b)
{
	struct batch_sum *a = arg;
	a->leaves += b->n;
	a->pa ^= PT_BATCH_PA(b, b->n - 1);
	return 0;
}

static int sum_batch(void *arg, const struct pt_batch *b)
{
	struct batch_sum *a = arg;
	uint64_t pa = 0;
	for (size_t i = 0; i < b->n; i++)
		pa += PT_BATCH_PA(b, i);
	a->leaves += b->n;
	a->pa += pa;
	return 0;
}

static int walk_batches(struct fix *f, int (*fn)(void *arg, const struct pt_batch *b))
{
	for (uint64_t k = 0; k < f->reps; k++) {
		struct batch_sum a = { 0, 0 };
		CHECK(pt_walk_batches(&f->t, f->va, f->size, fn, &a));
		if (a.leaves != f->expect)
			return PT_ERR_CORRUPT;
		f->sink += a.pa;
	}
	return PT_OK;
}

int run_walk_batches(struct fix *f)
{
	return walk_batches(f, count_batch);
}

int run_walk_batches_sum(struct fix *f)
{
	return walk_batches(f, sum_batch);
}

/*
 * The cursor (extension): the same batches, the per-leaf loop the caller's
 * own, inline, with no callback at all. walk_cursor_4k counts the leaves
 * and keeps each batch's last PA, as walk_batches_4k's callback does;
 * walk_cursor_sum_4k also adds up every PA in a plain loop, compiled as the
 * caller's code is (-O2 here, as the rest of the bench).
 */
int run_walk_cursor(struct fix *f)
{
	for (uint64_t k = 0; k < f->reps; k++) {
		struct pt_cursor c;
		struct pt_batch b;
		uint64_t leaves = 0, pa = 0;
		int r;
		PT_FOR_EACH_BATCH(&c, &f->t, f->va, f->size, &b, r) {
			leaves += b.n;
			pa ^= PT_BATCH_PA(&b, b.n - 1);
		}
		CHECK(r);
		if (leaves != f->expect)
			return PT_ERR_CORRUPT;
		f->sink += pa;
	}
	return PT_OK;
}

int run_walk_cursor_sum(struct fix *f)
{
	for (uint64_t k = 0; k < f->reps; k++) {
		struct pt_cursor c;
		struct pt_batch b;
		uint64_t leaves = 0, pa = 0;
		int r;
		PT_FOR_EACH_BATCH(&c, &f->t, f->va, f->size, &b, r) {
			for (size_t i = 0; i < b.n; i++)
				pa += PT_BATCH_PA(&b, i);
			leaves += b.n;
		}
		CHECK(r);
		if (leaves != f->expect)
			return PT_ERR_CORRUPT;
		f->sink += pa;
	}
	return PT_OK;
}

int setup_walk_huge(struct fix *f)
{
	CHECK(setup_region_huge(f));
	f->reps = 1;
	f->items = f->size / f->fm->huge;
	CHECK(map_regions(f));
	setup_walk_common(f);
	return PT_OK;
}

int run_walk(struct fix *f)
{
	const struct pt_walk_ops ops = { 0, count_leaf, NULL };
	for (uint64_t k = 0; k < f->reps; k++) {
		uint64_t n = 0;
		CHECK(pt_walk(&f->t, &ops, &n));
		/* A walk that misses leaves is not a fast walk. */
		if (n != f->expect)
			return PT_ERR_CORRUPT;
	}
	return PT_OK;
}

/* walk_huge maps one region, not reps of them: reset/close unmap that. */

/* ---- The floor --------------------------------------------------------------- */

/*
 * The floor of any walk that calls back once per leaf: the same leaves, read
 * from a warm buffer as large as their tables, each put in a struct pt_entry
 * and handed to the same callback through a pointer the compiler cannot
 * see. pt_walk does this plus the descent and the decode; pt_walk_ranges
 * calls back once per run and so can go below it.
 */
int setup_walk_floor(struct fix *f)
{
	uint64_t *q;
	CHECK(setup_pages(f));
	setup_walk_common(f);
	f->buf = q = aligned_alloc(PAGE, (size_t)((f->expect * 8 + PAGE - 1) & ~(PAGE - 1)));
	if (!q)
		return PT_ERR_NO_MEMORY;
	for (uint64_t i = 0; i < f->expect; i++)
		q[i] = (f->pa + i * PAGE) | 3;
	return PT_OK;
}

int run_walk_floor(struct fix *f)
{
	const struct pt_walk_ops ops = { 0, count_leaf, NULL };
	const struct pt_walk_ops *o = &ops;
	const uint64_t *q = f->buf;
	const uint64_t n = f->expect, va = f->va, pa = f->pa;
	const size_t mask = f->fm->leaf_entries - 1;
	struct pt_entry e = { 0 };
	bench_do_not_optimize(&o);
	__asm__ volatile("" : "+r"(o)); /* the callback is not known here */
	e.level = pt_arch_info(f->fm->arch)->levels - 1;
	e.leaf = true;
	e.flags = RW;
	e.size = PAGE;
	for (uint64_t k = 0; k < f->reps; k++) {
		uint64_t got = 0;
		for (uint64_t i = 0; i < n; i++) {
			e.index = (size_t)i & mask;
			e.va = va + i * PAGE;
			e.pte = q[i];
			e.pa = pa + i * PAGE;
			CHECK(o->pre(&got, &e));
		}
		if (got != n)
			return PT_ERR_CORRUPT;
	}
	return PT_OK;
}
