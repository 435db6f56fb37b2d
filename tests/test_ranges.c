/* SPDX-License-Identifier: MIT */
/*
 * pt_walk_ranges and pt_walk_batches (extensions) against references built
 * in the test from the leaves pt_walk reports, on random tables of every
 * format: clipped to the window and coalesced here, they must give exactly
 * the ranges the library reports; unclipped, exactly the leaves its
 * batches hold, in order, with every batch as the header promises.
 */
#include <stdio.h>
#include <stdlib.h>

#include "check.h"
#include "engine_env.h"
#include "fmt.h"

#define MAXR 8192

struct list {
	struct pt_range r[MAXR];
	size_t n;
	bool overflow;
};

static void push(struct list *l, const struct pt_range *r)
{
	struct pt_range *p = l->n ? &l->r[l->n - 1] : NULL;
	/* Reference coalescing, written from the header's promise. */
	if (p && p->va + p->size == r->va && p->pa + p->size == r->pa &&
	    p->flags == r->flags && p->leaf_size == r->leaf_size) {
		p->size += r->size;
		return;
	}
	if (l->n == MAXR) {
		l->overflow = true;
		return;
	}
	l->r[l->n++] = *r;
}

struct refwalk {
	struct list *l;
	uint64_t lo, hi; /* window, canonical, inclusive */
};

static int ref_pre(void *arg, const struct pt_entry *e)
{
	struct refwalk *w = arg;
	uint64_t a, b;
	struct pt_range r;
	if (!e->leaf)
		return 0;
	a = e->va < w->lo ? w->lo : e->va;
	b = e->va + (e->size - 1) > w->hi ? w->hi : e->va + (e->size - 1);
	if (e->va + (e->size - 1) < w->lo || e->va > w->hi)
		return 0;
	r.va = a;
	r.pa = e->pa + (a - e->va);
	r.size = b - a + 1;
	r.leaf_size = e->size;
	r.flags = e->flags;
	push(w->l, &r);
	return 0;
}

static int got_fn(void *arg, const struct pt_range *r)
{
	struct list *l = arg;
	if (l->n == MAXR) {
		l->overflow = true;
		return 0;
	}
	l->r[l->n++] = *r; /* no merging: the library must have done it */
	return 0;
}

static int stop_fn(void *arg, const struct pt_range *r)
{
	(void)r;
	return ++*(int *)arg == 2 ? 77 : 0;
}

static struct list want, got;

/* A bit the hardware or OS may set that decoding ignores, at 4K level
 * (the fake format has none: 0). */
/* The accessed bit of a 4K leaf: state, not a mapping flag, so leaves
 * that differ in it still form one range (ARMv7 has none). */
static uint64_t ignored_bit(const struct fmt *f)
{
	if (fmt_empty(f))
		return 0;
	switch (f->arch) {
	case PT_AARCH64:
	case PT_AARCH64_16K:
	case PT_AARCH64_64K:
	case PT_AARCH64_S2: return UINT64_C(1) << 10;   /* AF */
	case PT_ARMV7: return 0;
	case PT_LOONGARCH64: return UINT64_C(1) << 0; /* V */
	case PT_RISCV_SV39: case PT_RISCV_SV48: case PT_RISCV_SV57:
	case PT_RISCV_SV39X4: case PT_RISCV_SV48X4: case PT_RISCV_SV57X4:
		return UINT64_C(1) << 6;              /* A */
	case PT_X86_64_EPT: case PT_X86_64_EPT5:
		return UINT64_C(1) << 8;              /* A (ignored without A/D) */
	default: return UINT64_C(1) << 5;            /* x86 A */
	}
}

static void compare(struct env *e, uint64_t va, uint64_t size)
{
	struct refwalk w = { &want, fmt_canon(e->f, va), fmt_canon(e->f, va + (size - 1)) };
	struct pt_walk_ops ops = { 0, ref_pre, NULL };
	want.n = got.n = 0;
	want.overflow = got.overflow = false;
	CHECK_EQ(pt_walk(&e->t, &ops, &w), PT_OK);
	CHECK_EQ(pt_walk_ranges(&e->t, va, size, got_fn, &got), PT_OK);
	CHECK(!want.overflow && !got.overflow);
	if (!CHECK_EQ(got.n, want.n))
		return;
	for (size_t i = 0; i < got.n; i++) {
		CTX("%s range %zu of %zu", e->f->name, i, got.n);
		CHECK_EQ(got.r[i].va, want.r[i].va);
		CHECK_EQ(got.r[i].pa, want.r[i].pa);
		CHECK_EQ(got.r[i].size, want.r[i].size);
		CHECK_EQ(got.r[i].leaf_size, want.r[i].leaf_size);
		CHECK_EQ(got.r[i].flags, want.r[i].flags);
	}
}

/* ---- Batches ------------------------------------------------------------ */

#define MAXL (4 * 65536) /* a 64K granule's run of eight huge spans in pages */

struct leaves {
	struct pt_entry e[MAXL]; /* level, va, pa, flags, size */
	size_t n, batches;
	bool overflow, bad_batch;
};

static struct leaves lwant, lgot;

static void leaf_push(struct leaves *l, unsigned level, uint64_t va, uint64_t pa, uint32_t flags,
		      uint64_t size)
{
	struct pt_entry *x;
	if (l->n == MAXL) {
		l->overflow = true;
		return;
	}
	x = &l->e[l->n++];
	x->level = level;
	x->va = va;
	x->pa = pa;
	x->flags = flags;
	x->size = size;
}

static int lref_pre(void *arg, const struct pt_entry *e)
{
	struct refwalk *w = arg;
	if (e->leaf && e->va + (e->size - 1) >= w->lo && e->va <= w->hi)
		leaf_push(&lwant, e->level, e->va, e->pa, e->flags, e->size);
	return 0;
}

static int batch_fn(void *arg, const struct pt_batch *b)
{
	struct leaves *l = arg;
	l->batches++;
	if (!batch_sound(b))
		l->bad_batch = true;
	else
		for (size_t i = 0; i < b->n; i++)
			leaf_push(l, b->level, b->va + i * b->size, PT_BATCH_PA(b, i), b->flags, b->size);
	return 0;
}

static int batch_stop(void *arg, const struct pt_batch *b)
{
	(void)b;
	return ++*(int *)arg == 2 ? 78 : 0;
}

/* The leaves of [va, va + size): pt_walk's (result want_r) against the
 * batches' (result got_r). */
static void compare_batches(struct env *e, uint64_t va, uint64_t size, int want_r)
{
	struct refwalk w = { NULL, fmt_canon(e->f, va), fmt_canon(e->f, va + (size - 1)) };
	struct pt_walk_ops ops = { 0, lref_pre, NULL };
	lwant.n = lgot.n = lgot.batches = 0;
	lwant.overflow = lgot.overflow = lgot.bad_batch = false;
	CHECK_EQ(pt_walk(&e->t, &ops, &w), want_r);
	CHECK_EQ(pt_walk_batches(&e->t, va, size, batch_fn, &lgot), want_r);
	CHECK(!lwant.overflow && !lgot.overflow && !lgot.bad_batch);
	if (!CHECK_EQ(lgot.n, lwant.n))
		return;
	for (size_t i = 0; i < lgot.n; i++) {
		CTX("%s leaf %zu of %zu", e->f->name, i, lgot.n);
		CHECK_EQ(lgot.e[i].va, lwant.e[i].va);
		CHECK_EQ(lgot.e[i].pa, lwant.e[i].pa);
		CHECK_EQ(lgot.e[i].size, lwant.e[i].size);
		CHECK_EQ(lgot.e[i].level, lwant.e[i].level);
		CHECK_EQ(lgot.e[i].flags, lwant.e[i].flags);
	}
}

static void run(const struct fmt *f, uint64_t seed)
{
	struct env e;
	uint64_t s = seed, base, span, huge;
	uint32_t fl[] = { R_, RW, RWX, R_ | PT_USER, RW | PT_DEVICE };
	int n = 0;
	if (!env_init(&e, f))
		return;
	huge = fmt_span(f, fmt_huge_level(f));
	span = 64 * huge;
	base = f->lo ? f->lo + (fmt_lower_end(f) >> 8)
		     : (f->va_bits <= 32 ? 0x40000000 : UINT64_C(1) << 32);
	CTX("%s", f->name);
	/* Runs that coalesce (one big map, later split by protect/unmap) and
	 * random small pieces that do not. */
	CHECK_EQ(pt_map_region(&e.t, base, UINT64_C(0x80000000), 16 * huge, RW, PT_ALLOW_HUGE), PT_OK);
	CHECK_EQ(pt_map_region(&e.t, base + 16 * huge, UINT64_C(0x80000000) + 16 * huge, 8 * huge, RW, 0),
		 PT_OK);
	/* Huge runs grow through the slow path (no raw compare above 4K). */
	compare(&e, base, span);
	/* The 4K run in full batches: a last-level table each where they are
	 * read in place, else PT_BATCH_MAX PAs each, the raw compare carrying
	 * them across last-level tables. */
	compare_batches(&e, base + 16 * huge, 8 * huge, PT_OK);
	CHECK_EQ(lgot.batches, (size_t)(fmt_batches_in_place(f) ? 8
								 : 8 * huge / fmt_page(f) / PT_BATCH_MAX));
	/* Single pages with other flags, and an empty slot. The raw compare
	 * runs from the page after each and takes four at a time: gaps of 2
	 * to 9 put the next one at every place in a group of four. */
	for (unsigned k = 0, off = 1; k < 8; off += k + 2, k++)
		CHECK_EQ(pt_protect_region(&e.t, base + 16 * huge + off * fmt_page(f), fmt_page(f),
					   k & 1 ? R_ : RWX),
			 PT_OK);
	CHECK_EQ(pt_unmap_region(&e.t, base + 16 * huge + 70 * fmt_page(f), fmt_page(f)), PT_OK);
	compare_batches(&e, base + 16 * huge, huge, PT_OK);
	CHECK_EQ(pt_protect_region(&e.t, base + 16 * huge, huge, RW), PT_OK);
	CHECK_EQ(pt_map(&e.t, base + 16 * huge + 70 * fmt_page(f),
			UINT64_C(0x80000000) + 16 * huge + 70 * fmt_page(f), fmt_page(f), RW),
		 PT_OK);
	/* The accessed state cleared on some 4K entries: the raw compare
	 * misses, the flags still match, one range results. */
	{
		uint64_t lt = table_at(&e, base + 16 * huge, f->levels - 1);
		if (CHECK(lt != 0))
			for (size_t i = 5; i < 40; i += 7)
				pte_write(f, &e.a, lt, i, pte_read(f, &e.a, lt, i) ^ ignored_bit(f));
		compare(&e, base, span);
		CHECK_EQ(got.n, 2u); /* the huge run, then the 4K run */
		compare_batches(&e, base, span, PT_OK);
	}
	random_edits(&e, base, span, fmt_page(f), fl, 5, &s, 300);
	compare(&e, base, span);
	compare_batches(&e, base, span, PT_OK);
	for (int i = 0; i < 40; i++) {
		uint64_t a = (rng_next(&s) % (span / fmt_page(f))) * fmt_page(f);
		uint64_t len = (1 + rng_next(&s) % (span / fmt_page(f) - a / fmt_page(f))) * fmt_page(f);
		compare(&e, base + a, len);
		compare_batches(&e, base + a, len, PT_OK);
	}
	/* Errors and the callback's stop value. */
	CHECK_EQ(pt_walk_ranges(&e.t, base, span, stop_fn, &n), 77);
	CHECK_EQ(pt_walk_ranges(&e.t, base, span, NULL, NULL), PT_ERR_INVALID);
	CHECK_EQ(pt_walk_ranges(&e.t, base, 0, got_fn, &got), PT_ERR_INVALID);
	CHECK_EQ(pt_walk_ranges(&e.t, base + 1, fmt_page(f), got_fn, &got), PT_ERR_INVALID);
	CHECK_EQ(pt_walk_ranges(NULL, base, span, got_fn, &got), PT_ERR_INVALID);
	n = 0;
	CHECK_EQ(pt_walk_batches(&e.t, base, span, batch_stop, &n), 78);
	CHECK_EQ(pt_walk_batches(&e.t, base, span, NULL, NULL), PT_ERR_INVALID);
	CHECK_EQ(pt_walk_batches(&e.t, base, 0, batch_fn, &lgot), PT_ERR_INVALID);
	CHECK_EQ(pt_walk_batches(&e.t, base + 1, fmt_page(f), batch_fn, &lgot), PT_ERR_INVALID);
	CHECK_EQ(pt_walk_batches(NULL, base, span, batch_fn, &lgot), PT_ERR_INVALID);
	/* A corrupt last-level entry in the window stops the walk. */
	if (corrupt_leaf(f)) {
		uint64_t lt = table_at(&e, base + 16 * huge, f->levels - 1);
		if (CHECK(lt != 0)) {
			uint64_t old = pte_read(f, &e.a, lt, 3);
			pte_write(f, &e.a, lt, 3, corrupt_leaf(f));
			CHECK_EQ(pt_walk_ranges(&e.t, base, span, got_fn, &got), PT_ERR_CORRUPT);
			/* Batches: every leaf before it, as pt_walk's. */
			compare_batches(&e, base, span, PT_ERR_CORRUPT);
			pte_write(f, &e.a, lt, 3, old);
		}
	}
	env_fini(&e);
}

int main(void)
{
	for (size_t i = 0; i < NALL_FMTS; i++) {
		char name[64];
		if (!fmt_in_valgrind_runs(fmt_nth(i)))
			continue;
		snprintf(name, sizeof(name), "ranges %s", fmt_nth(i)->name);
		group_begin(name);
		run(fmt_nth(i), 0x5eed + i);
		group_end();
	}
	return check_status();
}
