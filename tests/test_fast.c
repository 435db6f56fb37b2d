/* SPDX-License-Identifier: MIT */
/*
 * The inline fast paths of pt_map, pt_unmap, pt_protect and pt_query
 * (include/pt/inline.h) against the exported, out-of-line calls (the
 * library's pt_map, reached through a pointer, pt__unmap_slow,
 * pt__protect_slow and pt__query_slow). Two tables over two arenas get
 * the same random sequence of edits, one through the inline pt_map, the
 * other through the exported one; both must
 * return the same, record the same TLB flushes and end up holding the same
 * entries. After every step, random queries (any byte, around the edits,
 * in both directory spans) must give the same answer inline and out of
 * line, on both tables. The sequence mixes what the fast paths must refuse:
 * taken and corrupted slots, entries rewritten behind libpt's back (table
 * entries too, including zero and junk), other flags, sizes and
 * misaligned or too-wide PAs, freed tables (the hints must go with them),
 * and the direct map switched on mid-sequence. Every format and feature
 * variant, with and without a direct map.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "fmt.h"

#define NOPS 6000
#define WIN (UINT64_C(8) << 20) /* edits go to [WB, WB + WIN) and to WB2 */

/* The library's own pt_map: a pointer never takes the inline path. */
static int (*volatile const pt_map_out)(struct pt_table *, uint64_t, uint64_t, uint64_t,
					uint32_t) = pt_map;
static int (*volatile const pt_unmap_out)(struct pt_table *, uint64_t,
					  struct pt_mapping *) = pt_unmap;
static int (*volatile const pt_protect_out)(struct pt_table *, uint64_t, uint32_t,
					    uint64_t *) = pt_protect;

static const struct fmt *F;
static uint64_t S, WB, WB2;
static bool LEAKED; /* a table entry was overwritten: its subtree is lost to both */

static uint64_t rnd(uint64_t n)
{
	return rng_next(&S) % n;
}

struct side {
	struct arena a;
	struct pt_table t;
	bool live;
};

static const uint32_t FLAGS[] = {
	PT_READ | PT_WRITE,
	PT_READ,
	PT_READ | PT_EXECUTE,
	PT_READ | PT_WRITE | PT_USER,
	PT_READ | PT_DEVICE,
	PT_READ | PT_WRITE | PT_UNCACHED | PT_DEVICE,
	PT_WRITE,         /* invalid: no READ */
	PT_READ | 0x40u,  /* invalid: unknown bit */
};

/* A VA in one of the two windows: page-aligned, or any byte. */
static uint64_t pick_va(bool any_byte)
{
	uint64_t base = rnd(4) == 0 ? WB2 : WB;
	uint64_t va = base + rnd(WIN / fmt_page(F)) * fmt_page(F);
	if (any_byte)
		va += rnd(fmt_page(F));
	return va;
}

/* Slot of va's entry at `level`, descending from the root through what the
 * tables hold; false when a level above is not a table. */
static bool slot_of(struct side *s, uint64_t va, unsigned level, uint64_t *tpa, size_t *idx)
{
	uint64_t pa = pt_root(&s->t);
	for (unsigned l = 0;; l++) {
		size_t i = fmt_index(F, l, va);
		struct pt_entry e;
		if (l == level) {
			*tpa = pa;
			*idx = i;
			return true;
		}
		if (pt_pte_decode(F->arch, F->feat, l, pte_read(F, &s->a, pa, i), &e) != PT_OK ||
		    e.leaf)
			return false;
		pa = e.pa;
	}
}

/* The same query four ways: inline and out of line, on both tables. */
static void query_both(struct side *x, struct side *y, uint64_t va)
{
	struct pt_mapping m[4];
	int r[4];
	memset(m, 0x5a, sizeof(m));
	r[0] = pt_query(&x->t, va, &m[0]);
	r[1] = pt__query_slow(&x->t, va, &m[1]);
	r[2] = pt_query(&y->t, va, &m[2]);
	r[3] = pt__query_slow(&y->t, va, &m[3]);
	for (int k = 0; k < 4; k++) {
		CHECK_EQ(r[k], r[0]);
		/* Answers agree; an error zeroes out (the 0x5a fill above
		 * would show). */
		CHECK_EQ(m[k].pa, r[k] == PT_OK ? m[0].pa : 0);
		CHECK_EQ(m[k].flags, r[k] == PT_OK ? m[0].flags : 0);
		CHECK_EQ(m[k].size, r[k] == PT_OK ? m[0].size : 0);
	}
}

/* Both tables hold the same entries and recorded the same flushes. */
struct walk_log {
	uint64_t *v;
	size_t n, cap;
};

static int log_entry(void *arg, const struct pt_entry *e)
{
	struct walk_log *w = arg;
	if (w->n + 2 > w->cap) {
		size_t cap = w->cap ? 2 * w->cap : 1024;
		uint64_t *v = realloc(w->v, cap * sizeof(uint64_t));
		if (!v)
			return -1;
		w->v = v;
		w->cap = cap;
	}
	w->v[w->n++] = e->va ^ e->level;
	w->v[w->n++] = e->leaf ? e->pte : e->level; /* table PAs differ by arena */
	return 0;
}

static void same_tables(struct side *x, struct side *y)
{
	struct walk_log wx = { 0 }, wy = { 0 };
	const struct pt_walk_ops ops = { 0, log_entry, NULL };
	CHECK_EQ(pt_walk(&x->t, &ops, &wx), pt_walk(&y->t, &ops, &wy));
	if (CHECK_EQ(wx.n, wy.n))
		CHECK(wx.n == 0 || memcmp(wx.v, wy.v, wx.n * sizeof(uint64_t)) == 0);
	CHECK_EQ(x->t.nflush, y->t.nflush);
	CHECK_EQ(x->a.flush_calls, y->a.flush_calls);
	/* Past PT_FLUSH_MAX everything is flushed: no entry means anything. */
	for (unsigned i = 0; x->t.nflush <= PT_FLUSH_MAX && i < x->t.nflush; i++)
		CHECK_EQ(x->t.flush_va[i], y->t.flush_va[i]);
	free(wx.v);
	free(wy.v);
}

/* The same raw entry write in both tables (behind libpt's back). */
static void poke_both(struct side *x, struct side *y, uint64_t va)
{
	unsigned level = (unsigned)rnd(F->levels);
	uint64_t tx, ty, v;
	size_t ix, iy;
	if (!slot_of(x, va, level, &tx, &ix) || !slot_of(y, va, level, &ty, &iy))
		return;
	v = pte_read(F, &x->a, tx, ix);
	switch (rnd(4)) {
	case 0: /* one bit flipped */
		v ^= UINT64_C(1) << rnd(fmt_pte_bytes(F) * 8);
		break;
	case 1:
		v = 0;
		break;
	case 2: /* junk */
		v = rng_next(&S);
		break;
	default: /* a leaf with other flags, or a valid-looking table entry
		  * pointing at the root (a cycle the fast path must not trust
		  * more than the slow one) */
		v = level + 1 < F->levels && rnd(2)
			    ? 0
			    : pt_pte_page(F->arch, F->feat, level, rnd(1u << 12) << 21,
					  FLAGS[rnd(6)]);
		break;
	}
	if (level + 1 < F->levels) {
		/* Above the last level only an empty entry or a leaf: libpt
		 * trusts the table entries of its own tables (include/pt.h,
		 * pt_query), so one pointing anywhere is outside the contract,
		 * and so is junk the engine may take for one. */
		struct pt_entry e;
		int r = pt_pte_decode(F->arch, F->feat, level, v, &e);
		if (!(r == PT_ERR_NOT_MAPPED || (r == PT_OK && e.leaf)))
			return;
	}
	if (level + 1 < F->levels)
		LEAKED = true;
	pte_write(F, &x->a, tx, ix, v);
	pte_write(F, &y->a, ty, iy, v);
}

static void step(struct side *x, struct side *y, uint64_t *cursor, uint32_t *flags)
{
	uint64_t k = rnd(100), va, pa, size = fmt_page(F);
	if (k < 55) {
		/* Mostly the next page with the same flags: the fast path. */
		if (rnd(8) == 0)
			*cursor = pick_va(false);
		else
			*cursor += fmt_page(F);
		if (rnd(10) == 0)
			*flags = FLAGS[rnd(sizeof(FLAGS) / sizeof(FLAGS[0]))];
		va = *cursor;
		pa = (va & (WIN - 1)) + UINT64_C(0x80000000);
		switch (rnd(24)) {
		case 0: pa |= 0x800; break;                          /* misaligned pa */
		case 1: pa |= UINT64_C(1) << (F->pa_bits + rnd(64 - F->pa_bits)); break;
		case 2: va |= UINT64_C(1) << rnd(fmt_page_shift(F)); break; /* misaligned va */
		case 3: size = PT_SIZE_2M; break;
		case 4: size = PT_SIZE_1M; break;
		case 5: size = 12345; break;
		case 6: va ^= UINT64_C(1) << (F->va_bits + rnd(64 - F->va_bits)); break;
		default: break;
		}
		CTX("%s op map va %#llx pa %#llx size %#llx flags %#x", F->name,
		    (unsigned long long)va, (unsigned long long)pa, (unsigned long long)size,
		    *flags);
		CHECK_EQ(pt_map(&x->t, va, pa, size, *flags), pt_map_out(&y->t, va, pa, size, *flags));
	} else if (k < 65) {
		/* Often a page just mapped, or next to it: the fast path. */
		struct pt_mapping ox = { 1, 2, 3, 4 }, oy = { 1, 2, 3, 4 };
		const bool want = rnd(4) != 0;
		va = rnd(2) ? pick_va(false) : *cursor - rnd(4) * fmt_page(F);
		if (rnd(16) == 0)
			va |= 1u << rnd(12);
		CTX("%s op unmap va %#llx", F->name, (unsigned long long)va);
		/* Once a table entry was overwritten behind libpt's back, a
		 * hinted table may be out of the tree (outside the contract):
		 * then both sides take the same hinted path. */
		CHECK_EQ(pt_unmap(&x->t, va, want ? &ox : NULL),
			 LEAKED ? pt_unmap_out(&y->t, va, want ? &oy : NULL)
				: pt__unmap_slow(&y->t, va, want ? &oy : NULL));
		CHECK_EQ(ox.pa, oy.pa);
		CHECK_EQ(ox.flags, oy.flags);
		CHECK_EQ(ox.state, oy.state);
		CHECK_EQ(ox.size, oy.size);
	} else if (k < 72) {
		/* Often pages just mapped, to a few flags: the fast path. */
		/* DEVICE: a change of memory type (break-before-make on Arm). */
		uint32_t f = rnd(6) ? FLAGS[rnd(rnd(2) ? 2 : 6)] : PT_READ | PT_WRITE | PT_DEVICE;
		uint64_t sx = 1, sy = 2;
		va = rnd(2) ? pick_va(false) : *cursor - rnd(4) * fmt_page(F);
		CTX("%s op protect va %#llx flags %#x", F->name, (unsigned long long)va, f);
		CHECK_EQ(pt_protect(&x->t, va, f, &sx),
			 LEAKED ? pt_protect_out(&y->t, va, f, &sy)
				: pt__protect_slow(&y->t, va, f, &sy));
		CHECK(sx == sy || (sx == 1 && sy == 2));
	} else if (k < 76) {
		va = pick_va(false) & ~(PT_SIZE_2M - 1);
		size = PT_SIZE_2M * (1 + rnd(2));
		pa = UINT64_C(0x40000000) + rnd(64) * PT_SIZE_2M;
		{
			uint32_t f = FLAGS[rnd(6)];
			CHECK_EQ(pt_map_region(&x->t, va, pa, size, f, PT_ALLOW_HUGE),
				 pt_map_region(&y->t, va, pa, size, f, PT_ALLOW_HUGE));
		}
	} else if (k < 80) {
		/* Whole last-level tables and directories go: the hints must. */
		va = (rnd(2) ? WB : WB2) + rnd(4) * PT_SIZE_2M;
		size = rnd(3) == 0 ? WIN : PT_SIZE_2M;
		CHECK_EQ(pt_unmap_region(&x->t, va, size), pt_unmap_region(&y->t, va, size));
	} else if (k < 84) {
		poke_both(x, y, pick_va(false));
	} else if (k < 86) {
		pt_flush(&x->t);
		pt_flush(&y->t);
	} else if (k < 87 && !x->t.direct) {
		CHECK_EQ(pt_set_direct_map(&x->t, (uint64_t)(uintptr_t)x->a.mem - x->a.base), PT_OK);
		CHECK_EQ(pt_set_direct_map(&y->t, (uint64_t)(uintptr_t)y->a.mem - y->a.base), PT_OK);
	}
	CTX("%s after op %llu", F->name, (unsigned long long)k);
	/* The same TLB maintenance, break-before-make's included. */
	CHECK_EQ(x->a.flush_calls, y->a.flush_calls);
	CHECK_EQ(x->a.flush_all_calls, y->a.flush_all_calls);
	for (int q = 0; q < 6; q++)
		query_both(x, y, q < 2 ? *cursor + rnd(fmt_page(F)) : pick_va(true));
}

static bool side_init(struct side *s, bool direct)
{
	struct pt_mm mm;
	s->live = false;
	if (!CHECK_EQ(arena_init(&s->a, UINT64_C(0x10000000), 8192), 0))
		return false;
	arena_mm(&s->a, &mm);
	if (!CHECK_EQ(pt_init(&s->t, F->arch, F->feat, &mm), PT_OK)) {
		arena_fini(&s->a);
		return false;
	}
	if (direct)
		CHECK_EQ(pt_set_direct_map(&s->t, (uint64_t)(uintptr_t)s->a.mem - s->a.base), PT_OK);
	s->live = true;
	return true;
}

static void side_fini(struct side *s)
{
	if (!s->live)
		return;
	pt_destroy(&s->t);
	if (!LEAKED)
		CHECK_EQ(s->a.in_use, 0);
	CHECK_EQ(s->a.errors, 0);
	arena_fini(&s->a);
}

static void run(const struct fmt *f, size_t idx, bool direct)
{
	struct side x, y;
	uint64_t cursor;
	uint32_t flags = FLAGS[0];
	F = f;
	S = UINT64_C(0x9e3779b97f4a7c15) * (idx * 2 + direct + 1);
	if (f->lo)
		WB = UINT64_C(0xffffffffc0000000);
	else if (fmt_sext(f) && idx % 2)
		WB = UINT64_C(0xffffffff80000000);
	else
		WB = UINT64_C(0x40000000);
	/* The second window: another directory (another 1 GiB span) on the
	 * 64-bit formats; on ARMv7 the root is the only directory. */
	WB2 = f->arch == PT_ARMV7 ? UINT64_C(0x80000000) : WB + PT_SIZE_1G;
	if (fmt_sext(f))
		WB2 = fmt_canon(f, WB2);
	cursor = WB;
	LEAKED = false;
	if (!side_init(&x, direct))
		return;
	if (!side_init(&y, direct)) {
		side_fini(&x);
		return;
	}
	for (unsigned long i = 0; i < NOPS; i++)
		step(&x, &y, &cursor, &flags);
	CTX("%s end", f->name);
	same_tables(&x, &y);
	/* A dead table: both paths refuse it. */
	pt_destroy(&x.t);
	CHECK_EQ(pt_map(&x.t, cursor, 0, fmt_page(F), flags), PT_ERR_INVALID);
	CHECK_EQ(pt_query(&x.t, cursor, &(struct pt_mapping){ 0 }), PT_ERR_INVALID);
	if (!LEAKED)
		CHECK_EQ(x.a.in_use, 0);
	arena_fini(&x.a);
	side_fini(&y);
}

/* Pages mapped one after another, protected and then unmapped one after
 * another (the inline paths from the second page of each last-level table
 * on): each records its VA; an unmap returns the page as mapped and
 * leaves it unmapped. */
static void consecutive_unmaps(const struct fmt *f)
{
	struct side x, y;
	const uint64_t pa0 = UINT64_C(0x80000000);
	/* Past a last-level table's span on every format. */
	const unsigned n = 200 + fmt_entries(f, f->levels - 1) * (f->arch == PT_ARMV7 ? 4 : 2);
	/* In the upper half, pages that end well below the top. */
	const uint64_t va0 = f->lo ? (UINT64_C(0) - 2 * (uint64_t)n * fmt_page(f)) &
					     ~(UINT64_C(0x3fffffff))
				   : UINT64_C(0x40000000);
	const uint32_t fl = PT_READ | PT_WRITE;
	const uint32_t want = pt_flags_normalize(f->arch, f->feat, fl);
	F = f;
	LEAKED = false;
	if (!side_init(&x, false))
		return;
	if (!side_init(&y, false)) {
		side_fini(&x);
		return;
	}
	for (unsigned i = 0; i < n; i++) {
		CHECK_EQ(pt_map(&x.t, va0 + i * fmt_page(F), pa0 + i * fmt_page(F), fmt_page(F), fl),
			 PT_OK);
		CHECK_EQ(pt_map(&y.t, va0 + i * fmt_page(F), pa0 + i * fmt_page(F), fmt_page(F), fl),
			 PT_OK);
	}
	pt_flush(&x.t);
	pt_flush(&y.t);
	/* Protected one after another, read-only, to device memory (a
	 * change of memory type: break-before-make on Arm) and back, beside
	 * a table protected out of line: the same results, TLB maintenance
	 * and entries. */
	for (unsigned round = 0, was = want; round < 3; round++) {
		const uint32_t pf = round == 0 ? PT_READ : round == 1 ? fl | PT_DEVICE : fl;
		const uint32_t pn = pt_flags_normalize(f->arch, f->feat, pf);
		const unsigned changed = pn != was; /* DEVICE may normalise away */
		was = pn;
		for (unsigned i = 0; i < n; i++) {
			struct pt_mapping o = { 0, 0, 0, 0 }, p = { 0, 0, 0, 0 };
			const uint64_t va = va0 + i * fmt_page(F);
			uint64_t sz = 0;
			CTX("%s protect %u round %u", f->name, i, round);
			x.t.nflush = 0;
			CHECK_EQ(pt_protect(&x.t, va, pf, &sz), PT_OK);
			CHECK_EQ(pt__protect_slow(&y.t, va, pf, NULL), PT_OK);
			CHECK_EQ(sz, fmt_page(F));
			CHECK_EQ(x.t.nflush, changed);
			if (changed)
				CHECK_EQ(x.t.flush_va[0], va);
			CHECK_EQ(x.a.flush_calls, y.a.flush_calls);
			CHECK_EQ(pt__query_slow(&x.t, va, &o), PT_OK);
			CHECK_EQ(pt__query_slow(&y.t, va, &p), PT_OK);
			CHECK_EQ(o.pa, pa0 + i * fmt_page(F));
			CHECK_EQ(o.flags, pn);
			CHECK_EQ(o.flags, p.flags);
			CHECK_EQ(o.state, p.state);
		}
	}
	for (unsigned i = 0; i < n; i++) {
		struct pt_mapping o = { 0, 0, 0, 0 };
		const uint64_t va = va0 + i * fmt_page(F);
		CTX("%s unmap %u", f->name, i);
		x.t.nflush = 0;
		CHECK_EQ(pt_unmap(&x.t, va, &o), PT_OK);
		CHECK_EQ(o.pa, pa0 + i * fmt_page(F));
		CHECK_EQ(o.flags, want);
		CHECK_EQ(o.size, fmt_page(F));
		CHECK_EQ(x.t.nflush, 1u);
		CHECK_EQ(x.t.flush_va[0], va);
		CHECK_EQ(pt__query_slow(&x.t, va, &o), PT_ERR_NOT_MAPPED);
		CHECK_EQ(pt_unmap(&x.t, va, NULL), PT_ERR_NOT_MAPPED);
	}
	CTX_CLEAR();
	side_fini(&x);
	side_fini(&y);
}

int main(void)
{
	char name[96];
	for (size_t i = 0; i < NALL_FMTS; i++) {
		if (!fmt_in_valgrind_runs(fmt_nth(i)))
			continue;
		for (int direct = 0; direct < 2; direct++) {
			snprintf(name, sizeof(name), "fast paths vs out of line: %s%s", fmt_nth(i)->name,
				 direct ? " (direct map)" : "");
			group_begin(name);
			run(fmt_nth(i), i, direct);
			CTX_CLEAR();
			group_end();
		}
	}
	for (size_t i = 0; i < NALL_FMTS; i++) {
		if (!fmt_in_valgrind_runs(fmt_nth(i)))
			continue;
		snprintf(name, sizeof(name), "fast paths: consecutive unmaps: %s", fmt_nth(i)->name);
		group_begin(name);
		consecutive_unmaps(fmt_nth(i));
		group_end();
	}
	/* NULL tables and outputs. */
	group_begin("fast paths: NULL arguments");
	CHECK_EQ(pt_map(NULL, 0, 0, PT_SIZE_4K, PT_READ), PT_ERR_INVALID);
	{
		struct pt_mapping m = { 1, 2, 4, 3 }, n = { 1, 2, 4, 3 };
		struct pt_table dead;
		memset(&dead, 0, sizeof(dead));
		CHECK_EQ(pt_query(NULL, 0, &m), PT_ERR_INVALID);
		CHECK_EQ(m.pa | m.flags | m.size, 0u);
		CHECK_EQ(pt__query_slow(NULL, 0, &n), PT_ERR_INVALID);
		CHECK_EQ(n.pa | n.flags | n.size, 0u);
		m = n = (struct pt_mapping){ 1, 2, 4, 3 };
		CHECK_EQ(pt_query(&dead, 0, &m), PT_ERR_INVALID); /* never initialised */
		CHECK_EQ(m.pa | m.flags | m.size, 0u);
		CHECK_EQ(pt__query_slow(&dead, 0, &n), PT_ERR_INVALID);
		CHECK_EQ(n.pa | n.flags | n.size, 0u);
		CHECK_EQ(pt_query(&dead, 0, NULL), PT_ERR_INVALID);
		CHECK_EQ(pt_map(&dead, 0x1000, 0x1000, PT_SIZE_4K, PT_READ), PT_ERR_INVALID);
	}
	group_end();
	return check_status();
}
