/* SPDX-License-Identifier: MIT */
/*
 * pt_walk_ranges (extension) against a reference built in the test: every
 * leaf pt_walk reports, clipped to the window and coalesced here, must give
 * exactly the ranges the library reports, on random tables of every format.
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

/* A bit the hardware or OS may set that decoding ignores, at 4K level. */
static uint64_t ignored_bit(const struct fmt *f)
{
	switch (f->arch) {
	case PT_AARCH64: return UINT64_C(1) << 11;   /* nG */
	case PT_ARMV7: return UINT64_C(1) << 11;     /* nG */
	case PT_LOONGARCH64: return UINT64_C(1) << 6; /* G */
	default: return UINT64_C(1) << 5;            /* x86 A, RISC-V G */
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
	base = f->lo ? f->lo + (UINT64_C(1) << 40) : (f->arch == PT_ARMV7 ? 0x40000000 : UINT64_C(1) << 32);
	CTX("%s", f->name);
	/* Runs that coalesce (one big map, later split by protect/unmap) and
	 * random small pieces that do not. */
	CHECK_EQ(pt_map_region(&e.t, base, UINT64_C(0x80000000), 16 * huge, RW, PT_ALLOW_HUGE), PT_OK);
	CHECK_EQ(pt_map_region(&e.t, base + 16 * huge, UINT64_C(0x80000000) + 16 * huge, 8 * huge, RW, 0),
		 PT_OK);
	/* Huge runs grow through the slow path (no raw compare above 4K). */
	compare(&e, base, span);
	/* A bit decode ignores (accessed, global, nG) on some 4K entries: the
	 * raw compare misses, the flags still match, one range results. */
	{
		uint64_t lt = table_at(&e, base + 16 * huge, f->levels - 1);
		if (CHECK(lt != 0))
			for (size_t i = 5; i < 40; i += 7)
				pte_write(f, &e.a, lt, i, pte_read(f, &e.a, lt, i) | ignored_bit(f));
		compare(&e, base, span);
		CHECK_EQ(got.n, 2u); /* the huge run, then the 4K run */
	}
	for (int i = 0; i < 300; i++) {
		uint64_t off = (rng_next(&s) % (span / PT_SIZE_4K)) * PT_SIZE_4K;
		uint64_t len = (1 + rng_next(&s) % 64) * PT_SIZE_4K;
		uint32_t flags = fl[rng_next(&s) % 5];
		if (off + len > span)
			continue;
		switch (rng_next(&s) % 3) {
		case 0:
			pt_map_region(&e.t, base + off, UINT64_C(0x100000000) + off, len, flags, 0);
			break;
		case 1:
			CHECK_EQ(pt_protect_region(&e.t, base + off, len, flags), PT_OK);
			break;
		default:
			CHECK_EQ(pt_unmap_region(&e.t, base + off, len), PT_OK);
		}
	}
	compare(&e, base, span);
	for (int i = 0; i < 40; i++) {
		uint64_t a = (rng_next(&s) % (span / PT_SIZE_4K)) * PT_SIZE_4K;
		uint64_t len = (1 + rng_next(&s) % (span / PT_SIZE_4K - a / PT_SIZE_4K)) * PT_SIZE_4K;
		compare(&e, base + a, len);
	}
	/* Errors and the callback's stop value. */
	CHECK_EQ(pt_walk_ranges(&e.t, base, span, stop_fn, &n), 77);
	CHECK_EQ(pt_walk_ranges(&e.t, base, span, NULL, NULL), PT_ERR_INVALID);
	CHECK_EQ(pt_walk_ranges(&e.t, base, 0, got_fn, &got), PT_ERR_INVALID);
	CHECK_EQ(pt_walk_ranges(&e.t, base + 1, PT_SIZE_4K, got_fn, &got), PT_ERR_INVALID);
	CHECK_EQ(pt_walk_ranges(NULL, base, span, got_fn, &got), PT_ERR_INVALID);
	/* A corrupt last-level entry in the window stops the walk. */
	if (corrupt_leaf(f)) {
		uint64_t lt = table_at(&e, base + 16 * huge, f->levels - 1);
		if (CHECK(lt != 0)) {
			uint64_t old = pte_read(f, &e.a, lt, 3);
			pte_write(f, &e.a, lt, 3, corrupt_leaf(f));
			CHECK_EQ(pt_walk_ranges(&e.t, base, span, got_fn, &got), PT_ERR_CORRUPT);
			pte_write(f, &e.a, lt, 3, old);
		}
	}
	env_fini(&e);
}

int main(void)
{
	for (size_t i = 0; i < NFMTS; i++) {
		char name[64];
		snprintf(name, sizeof(name), "ranges %s", FMTS[i].name);
		group_begin(name);
		run(&FMTS[i], 0x5eed + i);
		group_end();
	}
	return check_status();
}
