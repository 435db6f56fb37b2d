/* SPDX-License-Identifier: MIT */
/*
 * The cursor (pt_cursor_init, pt_cursor_next, PT_FOR_EACH_BATCH) against
 * pt_walk_batches, on random tables of every format: over windows cut at
 * random places, with corrupt entries planted, it must hand over exactly
 * the batches pt_walk_batches does (VA, size, flags, level, count and every
 * PA), end with the same result, and give the same rest from a copy of
 * itself taken after any batch. Plus its argument errors, its sticky end
 * and errors, and tables edited between calls.
 */
#include <stdio.h>
#include <stdlib.h>

#include "check.h"
#include "engine_env.h"
#include "fmt.h"

#define MAXB 16384
#define MAXP (1u << 19)

/* Batches, flattened: batch k's PAs are pa[b[k].pa_at ...]. */
struct batches {
	struct pt_batch b[MAXB];
	size_t pa_at[MAXB];
	uint64_t pa[MAXP];
	size_t nb, np;
	bool overflow, bad;
};

static void push(struct batches *l, const struct pt_batch *b)
{
	if (!batch_sound(b)) {
		l->bad = true;
		return;
	}
	if (l->nb == MAXB || l->np + b->n > MAXP) {
		l->overflow = true;
		return;
	}
	l->b[l->nb] = *b;
	l->pa_at[l->nb++] = l->np;
	for (size_t i = 0; i < b->n; i++)
		l->pa[l->np++] = PT_BATCH_PA(b, i);
}

static int ref_fn(void *arg, const struct pt_batch *b)
{
	push(arg, b);
	return 0;
}

static void reset(struct batches *l)
{
	l->nb = l->np = 0;
	l->overflow = l->bad = false;
}

/* Is batch b (with PAs pa) batch k of want? */
static bool same_batch(const struct batches *want, size_t k, const struct pt_batch *b)
{
	const struct pt_batch *w = &want->b[k];
	if (k >= want->nb || b->va != w->va || b->size != w->size || b->flags != w->flags ||
	    b->level != w->level || b->n != w->n)
		return false;
	for (size_t i = 0; i < b->n; i++)
		if (PT_BATCH_PA(b, i) != want->pa[want->pa_at[k] + i])
			return false;
	return true;
}

static struct batches want, got;

/* pt_walk's leaves overlapping a window, to hold the reference itself to:
 * a bug the two walks share would pass the comparison. */
struct refwalk {
	uint64_t lo, hi; /* the window, canonical, inclusive */
	size_t k, i;     /* the batch and leaf in it the next leaf must be */
	bool ok;
};

static int ref_leaf(void *arg, const struct pt_entry *e)
{
	struct refwalk *w = arg;
	const struct pt_batch *b;
	if (!e->leaf || e->va + (e->size - 1) < w->lo || e->va > w->hi)
		return 0;
	if (w->k >= want.nb) {
		w->ok = false;
		return 1;
	}
	b = &want.b[w->k];
	if (e->va != b->va + w->i * b->size || e->size != b->size || e->level != b->level ||
	    e->flags != b->flags || e->pa != want.pa[want.pa_at[w->k] + w->i])
		w->ok = false;
	if (++w->i == b->n) {
		w->k++;
		w->i = 0;
	}
	return 0;
}

/* What a cursor still has to give, from batch k of want on, then want_r:
 * pulled from c to the end. */
static void check_rest(struct pt_cursor *c, size_t k, int want_r)
{
	struct pt_batch b;
	int r;
	while ((r = pt_cursor_next(c, &b)) > 0) {
		if (!CHECK(same_batch(&want, k, &b)) || !CHECK_EQ((size_t)r, b.n))
			return;
		k++;
	}
	CHECK_EQ(k, want.nb);
	CHECK_EQ(r, want_r);
	/* The end, or the error, stays. */
	CHECK_EQ(pt_cursor_next(c, &b), want_r);
}

/* [va, va + size): pt_walk_batches' batches (result want_r) against the
 * cursor's, and the rest of a copy of the cursor taken after every batch
 * (a batch from each, every batch from some). */
static void compare(struct env *e, uint64_t va, uint64_t size, int want_r, uint64_t *seed)
{
	struct pt_cursor c;
	struct pt_batch b;
	int r;
	size_t k = 0;
	reset(&want);
	reset(&got);
	CHECK_EQ(pt_walk_batches(&e->t, va, size, ref_fn, &want), want_r);
	if (!CHECK(!want.overflow && !want.bad))
		return;
	{
		struct refwalk w = { fmt_canon(e->f, va), fmt_canon(e->f, va + (size - 1)), 0, 0,
				     true };
		const struct pt_walk_ops ops = { 0, ref_leaf, NULL };
		CTX("%s window %#llx+%#llx: pt_walk_batches against pt_walk", e->f->name,
		    (unsigned long long)va, (unsigned long long)size);
		CHECK_EQ(pt_walk(&e->t, &ops, &w), want_r);
		CHECK(w.ok && w.i == 0 && w.k == want.nb);
	}
	PT_FOR_EACH_BATCH(&c, &e->t, va, size, &b, r) {
		struct pt_cursor copy = c;
		CTX("%s window %#llx+%#llx batch %zu of %zu", e->f->name, (unsigned long long)va,
		    (unsigned long long)size, k, want.nb);
		if (!CHECK(same_batch(&want, k, &b)) || !CHECK_EQ((size_t)r, b.n))
			return;
		k++;
		if (rng_next(seed) % 16 == 0) {
			check_rest(&copy, k, want_r);
		} else {
			struct pt_batch b2;
			const int r2 = pt_cursor_next(&copy, &b2);
			if (k < want.nb)
				CHECK(r2 > 0 && same_batch(&want, k, &b2));
			else
				CHECK_EQ(r2, want_r);
		}
		/* b still holds the batch the copy's call did not touch. */
		CHECK(same_batch(&want, k - 1, &b));
	}
	CTX("%s window %#llx+%#llx end", e->f->name, (unsigned long long)va,
	    (unsigned long long)size);
	CHECK_EQ(k, want.nb);
	CHECK_EQ(r, want_r);
	CHECK_EQ(pt_cursor_next(&c, &b), want_r);
	CTX_CLEAR();
}

/* A random window in [base, base + span), page-aligned. */
static void random_window(const struct fmt *f, uint64_t base, uint64_t span, uint64_t *s,
			  uint64_t *va, uint64_t *size)
{
	const uint64_t pages = span / fmt_page(f);
	const uint64_t a = rng_next(s) % pages;
	*va = base + a * fmt_page(f);
	*size = (1 + rng_next(s) % (pages - a)) * fmt_page(f);
}

/* The arguments pt_walk_batches refuses, the cursor refuses alike. */
static void t_args(struct env *e, uint64_t base)
{
	const struct fmt *f = e->f;
	struct pt_cursor c;
	struct pt_batch b;
	const uint64_t pg = fmt_page(f);
	const uint64_t bad[][2] = {
		{ base, 0 },
		{ base + 1, pg },
		{ base, pg + 1 },
		{ base, UINT64_MAX - pg + 1 }, /* wraps */
		{ f->lo ? 0 : UINT64_C(1) << 62, pg }, /* outside the half / non-canonical */
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		CTX("%s bad window %zu", f->name, i);
		CHECK_EQ(pt_walk_batches(&e->t, bad[i][0], bad[i][1], ref_fn, &got), PT_ERR_INVALID);
		CHECK_EQ(pt_cursor_init(&c, &e->t, bad[i][0], bad[i][1]), PT_ERR_INVALID);
		/* A cursor whose init failed fails. */
		CHECK_EQ(pt_cursor_next(&c, &b), PT_ERR_INVALID);
	}
	CTX("%s", f->name);
	CHECK_EQ(pt_cursor_init(NULL, &e->t, base, pg), PT_ERR_INVALID);
	CHECK_EQ(pt_cursor_init(&c, NULL, base, pg), PT_ERR_INVALID);
	CHECK_EQ(pt_walk_batches(NULL, base, pg, ref_fn, &got), PT_ERR_INVALID);
	CHECK_EQ(pt_cursor_next(&c, &b), PT_ERR_INVALID);
	CHECK_EQ(pt_cursor_init(&c, &e->t, base, pg), PT_OK);
	CHECK_EQ(pt_cursor_next(NULL, &b), PT_ERR_INVALID);
	CHECK_EQ(pt_cursor_next(&c, NULL), PT_ERR_INVALID);
	CTX_CLEAR();
}

/* Edits between calls: the walk goes on after the last leaf handed over,
 * through the table as it is then, even where tables it went through were
 * freed (a reclaiming unmap) or replaced. */
static void t_edits(struct env *e, uint64_t base, uint64_t span, uint64_t huge)
{
	const struct fmt *f = e->f;
	struct pt_cursor c;
	struct pt_batch b;
	uint64_t next;
	int r;
	size_t k;
	CTX("%s edits", f->name);
	CHECK_EQ(pt_unmap_region(&e->t, base, span), PT_OK);
	CHECK_EQ(pt_map_region(&e->t, base, UINT64_C(0x80000000), 4 * huge, RW, 0), PT_OK);
	CHECK_EQ(pt_cursor_init(&c, &e->t, base, span), PT_OK);
	CHECK((r = pt_cursor_next(&c, &b)) > 0);
	if (r <= 0)
		return;
	next = b.va + b.n * b.size;
	/* Every table past the first huge span goes (reclaimed), then one
	 * span comes back in huge leaves, another in pages with other flags. */
	CHECK_EQ(pt_unmap_region(&e->t, base + huge, 3 * huge), PT_OK);
	flushed_use(e);
	CHECK_EQ(pt_map_region(&e->t, base + 2 * huge, UINT64_C(0x40000000), huge, RW,
			       PT_ALLOW_HUGE),
		 PT_OK);
	CHECK_EQ(pt_map_region(&e->t, base + 3 * huge, UINT64_C(0x50000000), huge, R_, 0), PT_OK);
	reset(&want);
	CHECK_EQ(pt_walk_batches(&e->t, next, base + span - next, ref_fn, &want), PT_OK);
	k = 0;
	while ((r = pt_cursor_next(&c, &b)) > 0) {
		if (!CHECK(same_batch(&want, k, &b)))
			break;
		k++;
	}
	CHECK_EQ(r, PT_OK);
	CHECK_EQ(k, want.nb);
	CTX_CLEAR();
}

static void run(const struct fmt *f, uint64_t seed)
{
	struct env e;
	uint64_t s = seed, base, span, huge, pg;
	const uint32_t fl[] = { R_, RW, RWX, R_ | PT_USER, RW | PT_DEVICE };
	if (!env_init(&e, f))
		return;
	pg = fmt_page(f);
	huge = fmt_span(f, fmt_huge_level(f));
	span = 64 * huge;
	base = f->lo ? f->lo + (fmt_lower_end(f) >> 8)
		     : (f->va_bits <= 32 ? 0x40000000 : UINT64_C(1) << 32);
	CTX("%s", f->name);
	/* Huge leaves, a 4K run of full batches across last-level tables,
	 * then random pieces with other flags and holes. */
	CHECK_EQ(pt_map_region(&e.t, base, UINT64_C(0x80000000), 16 * huge, RW, PT_ALLOW_HUGE),
		 PT_OK);
	CHECK_EQ(pt_map_region(&e.t, base + 16 * huge, UINT64_C(0x80000000) + 16 * huge, 8 * huge,
			       RW, 0),
		 PT_OK);
	compare(&e, base, span, PT_OK, &s);
	compare(&e, base + 16 * huge, 8 * huge, PT_OK, &s);
	/* A batch a last-level table read in place, else PT_BATCH_MAX PAs. */
	CHECK_EQ(want.nb, (size_t)(fmt_batches_in_place(f) ? 8 : 8 * huge / pg / PT_BATCH_MAX));
	random_edits(&e, base, span, pg, fl, 5, &s, 300);
	compare(&e, base, span, PT_OK, &s);
	for (int i = 0; i < 40; i++) {
		uint64_t va, size;
		random_window(f, base, span, &s, &va, &size);
		compare(&e, va, size, PT_OK, &s);
	}
	/* Corrupt entries: at the last level where the format has one, under
	 * windows that start before it. */
	for (int i = 0; corrupt_leaf(f) && i < 6; i++) {
		const uint64_t at = base + 16 * huge + (rng_next(&s) % (8 * huge / pg)) * pg;
		const unsigned l = f->levels - 1;
		const uint64_t tpa = table_at(&e, at, l);
		const size_t idx = fmt_index(f, l, at);
		uint64_t old, va, size;
		CTX("%s corrupt %d", f->name, i);
		if (!CHECK(tpa != 0))
			break;
		old = pte_read(f, &e.a, tpa, idx);
		pte_write(f, &e.a, tpa, idx, corrupt_leaf(f));
		compare(&e, base, span, PT_ERR_CORRUPT, &s);
		CHECK(want.nb > 0); /* leaves before it were handed over */
		for (int w = 0; w < 8; w++) {
			random_window(f, base, at + pg - base, &s, &va, &size);
			size = at + pg - va + (rng_next(&s) % 4) * pg;
			compare(&e, va, size, PT_ERR_CORRUPT, &s);
		}
		pte_write(f, &e.a, tpa, idx, old);
	}
	/* Else (every present x86 entry is a valid 4K leaf) in the root
	 * entry after pages at the end of the one before. */
	if (!corrupt_leaf(f)) {
		const uint64_t rs = fmt_span(f, 0), at = (base / rs + 1) * rs;
		const uint64_t root = pt_root(&e.t);
		const size_t idx = fmt_index(f, 0, at);
		const uint64_t old = pte_read(f, &e.a, root, idx);
		CTX("%s corrupt root", f->name);
		CHECK_EQ(pt_map_region(&e.t, at - 100 * pg, UINT64_C(0x80000000), 100 * pg, RW, 0),
			 PT_OK);
		pte_write(f, &e.a, root, idx, corrupt_root(f));
		for (int w = 0; w < 8; w++) {
			const uint64_t va = at - (1 + rng_next(&s) % 100) * pg;
			compare(&e, va, at - va + (1 + rng_next(&s) % 4) * pg, PT_ERR_CORRUPT, &s);
			CHECK(want.nb > 0);
		}
		pte_write(f, &e.a, root, idx, old);
		CHECK_EQ(pt_unmap_region(&e.t, at - 100 * pg, 100 * pg), PT_OK);
	}
	/* Plain 4K leaves, then a shared run's members (Svnapot: one entry, the
	 * run's PA, in each), then plain ones, all with the same flags and PAs
	 * following on: a batch read in place cannot take the members. */
	if (f->feat & PT_FEAT_RISCV_SVNAPOT) {
		const uint64_t at = base + span, pa = UINT64_C(0x90000000), run = 16 * pg;
		CTX("%s plain leaves around a shared run", f->name);
		CHECK_EQ(pt_map_region(&e.t, at, pa, run, RW, 0), PT_OK);
		CHECK_EQ(pt_map_region(&e.t, at + run, pa + run, run, RW, PT_ALLOW_HUGE), PT_OK);
		CHECK_EQ(pt_map_region(&e.t, at + 2 * run, pa + 2 * run, run, RW, 0), PT_OK);
		compare(&e, at, 3 * run, PT_OK, &s);
		compare(&e, at + 5 * pg, 3 * run - 9 * pg, PT_OK, &s);
		CHECK_EQ(pt_unmap_region(&e.t, at, 3 * run), PT_OK);
	}
	t_args(&e, base);
	t_edits(&e, base, span, huge);
	/* A table destroyed under a cursor. */
	{
		struct pt_cursor c;
		struct pt_batch b;
		CHECK_EQ(pt_cursor_init(&c, &e.t, base, span), PT_OK);
		CHECK(pt_cursor_next(&c, &b) > 0);
		env_fini(&e);
		CHECK_EQ(pt_cursor_next(&c, &b), PT_ERR_INVALID);
	}
}

int main(void)
{
	for (size_t i = 0; i < NALL_FMTS; i++) {
		char name[64];
		if (!fmt_in_valgrind_runs(fmt_nth(i)))
			continue;
		snprintf(name, sizeof(name), "cursor %s", fmt_nth(i)->name);
		group_begin(name);
		run(fmt_nth(i), 0xc0de + i);
		group_end();
	}
	return check_status();
}
