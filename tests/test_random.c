/* SPDX-License-Identifier: MIT */
/*
 * Random differential test: per format a long seeded sequence of map,
 * unmap, remap, protect, query and the region calls, each checked against a
 * flat reference model (one record per 4K page of a 64 MiB window: mapped,
 * PA, flags, access state, and the leaf it belongs to), pt_clear_state and
 * pt_set_state too. The model encodes the region-call rules and the
 * brief's choices: error order, first failing page of map_region, largest
 * leaf with PT_ALLOW_HUGE, splits at range edges (a straddling huge page
 * whose flags already match is left whole by protect_region). At the end
 * the window is unmapped (every table reclaimed) and pt_destroy leaves no
 * frame in use.
 */
#include <stdlib.h>

#include "check.h"
#include "fmt.h"

#define NPAGES 16384 /* a window of 64 MiB, 256 MiB (16K) or 1 GiB (64K) */
#define NOPS 8000
#define NONE (~UINT64_C(0))

struct page {
	bool mapped;
	uint32_t flags;   /* normalised, PT_SW0/1 included */
	uint32_t state;   /* PT_ACCESSED, PT_DIRTY */
	uint64_t lva;     /* base VA of the leaf holding the page */
	uint64_t lsize;
	uint64_t lpa;     /* base PA of that leaf */
};

static struct page M[NPAGES];
static const struct fmt *F;
static uint64_t WB;  /* window base */
static uint64_t HSZ; /* the huge size used: 2M, or 1M on ARMv7 */
static uint64_t K4;  /* the page: 4K, or the AArch64 granule */

static struct page *pg(uint64_t va)
{
	return &M[(va - WB) / K4];
}

/* ARMv7 keeps no software bits. */
static bool no_sw(void)
{
	return F->arch == PT_ARMV7;
}

/* ARMv7 and an EPT without A/D flags keep no state: they report their
 * leaves accessed, dirty if writable. */
static bool stateless(void)
{
	return no_sw() || ((F->arch == PT_X86_64_EPT || F->arch == PT_X86_64_EPT5) &&
			   !(F->feat & PT_FEAT_EPT_AD));
}

static uint32_t fresh(uint32_t flags)
{
	return PT_ACCESSED | (flags & PT_WRITE ? PT_DIRTY : 0u);
}

static void set_leaf_state(uint64_t va, uint64_t size, uint64_t pa, uint32_t flags,
			   uint32_t state)
{
	for (uint64_t o = 0; o < size; o += K4) {
		struct page *p = pg(va + o);
		*p = (struct page){ true, flags, stateless() ? fresh(flags) : state, va, size, pa };
	}
}

/* A new leaf: fresh state. */
static void set_leaf(uint64_t va, uint64_t size, uint64_t pa, uint32_t flags)
{
	set_leaf_state(va, size, pa, flags, fresh(flags));
}

/* What a protect to flags (normalised) makes of page p: its software bits
 * and state kept, dirty when it gains WRITE. */
static void protect_page(struct page *p, uint32_t flags)
{
	uint32_t st = p->state | ((flags & PT_WRITE) && !(p->flags & PT_WRITE) ? PT_DIRTY : 0u);
	p->flags = (flags & ~(PT_SW0 | PT_SW1)) | (p->flags & (PT_SW0 | PT_SW1));
	p->state = stateless() ? fresh(p->flags) : st;
}

static void clear_leaf(uint64_t lva, uint64_t size)
{
	for (uint64_t o = 0; o < size; o += K4)
		pg(lva + o)->mapped = false;
}

/* Split the huge leaf holding va (if any) into 4K leaves. */
static void split_at(uint64_t va)
{
	struct page *p = pg(va);
	if (!p->mapped || p->lsize == K4)
		return;
	uint64_t lva = p->lva, size = p->lsize, lpa = p->lpa;
	uint32_t fl = p->flags, st = p->state;
	for (uint64_t o = 0; o < size; o += K4)
		set_leaf_state(lva + o, K4, lpa + o, fl, st);
}

/* pt_map semantics for one leaf at [va, va + size), on the model. */
static int model_map_check(uint64_t va, uint64_t size)
{
	const struct page *p = pg(va);
	if (p->mapped && p->lsize > size)
		return PT_ERR_MAPPED_TO_HUGE_PAGE;
	for (uint64_t o = 0; o < size; o += K4)
		if (pg(va + o)->mapped)
			return PT_ERR_ALREADY_MAPPED;
	return PT_OK;
}

static bool flags_ok(uint32_t fl)
{
	return (fl & PT_READ) && !(fl & ~PT_FLAGS_ALL) &&
	       !(no_sw() && (fl & (PT_SW0 | PT_SW1)));
}

static uint32_t norm(uint32_t fl)
{
	return pt_flags_normalize(F->arch, F->feat, fl);
}

/* ---- Operations: do it on both, compare ----------------------------------- */

static uint64_t S;

static uint64_t rnd(uint64_t n)
{
	return rng_next(&S) % n;
}

static uint32_t rnd_flags(void)
{
	uint32_t fl = (uint32_t)rnd(rnd(4) ? 1024 : 2048);
	if (no_sw() && rnd(8))
		fl &= ~(PT_SW0 | PT_SW1);
	if (rnd(100) < 97)
		fl |= PT_READ;
	return fl;
}

/* Half the operations land in a hot 8 MiB stretch so they collide. */
static uint64_t rnd_page(void)
{
	if (rnd(2))
		return WB + 4096 * K4 + rnd(2048) * K4;
	return WB + rnd(NPAGES) * K4;
}

static uint64_t rnd_pa(uint64_t align)
{
	uint64_t pa = (rng_next(&S) & 0xfffff000u) & ~(align - 1);
	/* With 52-bit OAs, half the PAs have bits 48..51 (the split field). */
	if ((F->feat & PT_FEAT_AARCH64_PA52) && rnd(2))
		pa |= (rng_next(&S) & 0xf) << 48;
	return pa;
}

static void op_map(struct pt_table *t)
{
	uint64_t size = rnd(5) == 0 ? HSZ : K4;
	uint64_t va = rnd_page() & ~(size - 1), pa = rnd_pa(size);
	uint32_t fl = rnd_flags();
	int want;
	if (rnd(20) == 0)
		va += K4;
	if (rnd(20) == 0)
		pa += K4;
	if (va + size > WB + NPAGES * K4)
		return;
	if (!flags_ok(fl) || (pa >> F->pa_bits))
		want = PT_ERR_INVALID;
	else if ((va | pa) & (size - 1))
		want = PT_ERR_NOT_ALIGNED;
	else
		want = model_map_check(va, size);
	CTX("%s map va %#llx pa %#llx size %#llx flags %#x", F->name, (unsigned long long)va,
	    (unsigned long long)pa, (unsigned long long)size, fl);
	CHECK_EQ(pt_map(t, va, pa, size, fl), want);
	if (want == PT_OK)
		set_leaf(va, size, pa, norm(fl));
}

static void op_unmap(struct pt_table *t)
{
	uint64_t va = rnd_page() + rnd(K4);
	struct pt_mapping old = { 0, 0, 0, 0 };
	const struct page *p = pg(va & ~(K4 - 1));
	int want = p->mapped ? PT_OK : PT_ERR_NOT_MAPPED;
	CTX("%s unmap va %#llx", F->name, (unsigned long long)va);
	if (!CHECK_EQ(pt_unmap(t, va, &old), want) || want)
		return;
	CHECK_EQ(old.pa, p->lpa);
	CHECK_EQ(old.size, p->lsize);
	CHECK_EQ(old.flags, p->flags);
	CHECK_EQ(old.state, p->state);
	clear_leaf(p->lva, p->lsize);
}

static void op_change(struct pt_table *t, bool remap)
{
	uint64_t va = rnd_page() + rnd(K4);
	const struct page *p = pg(va & ~(K4 - 1));
	uint64_t pa = rnd_pa(rnd(2) ? HSZ : K4);
	uint32_t fl = rnd_flags();
	uint64_t size = 0;
	int want, r;
	if (!flags_ok(fl))
		want = PT_ERR_INVALID;
	else if (!p->mapped)
		want = PT_ERR_NOT_MAPPED;
	else if (remap && (pa & (p->lsize - 1)))
		want = PT_ERR_NOT_ALIGNED;
	else
		want = PT_OK;
	CTX("%s %s va %#llx pa %#llx flags %#x", F->name, remap ? "remap" : "protect",
	    (unsigned long long)va, (unsigned long long)pa, fl);
	r = remap ? pt_remap(t, va, pa, fl, &size) : pt_protect(t, va, fl, &size);
	if (!CHECK_EQ(r, want) || want)
		return;
	CHECK_EQ(size, p->lsize);
	if (remap) {
		set_leaf(p->lva, p->lsize, pa, norm(fl));
	} else {
		for (uint64_t o = 0; o < p->lsize; o += K4)
			protect_page(pg(p->lva + o), norm(fl));
	}
}

static void op_query(struct pt_table *t)
{
	uint64_t va = rnd_page() + rnd(K4);
	const struct page *p = pg(va & ~(K4 - 1));
	struct pt_mapping m = { 0, 0, 0, 0 };
	CTX("%s query va %#llx", F->name, (unsigned long long)va);
	if (!CHECK_EQ(pt_query(t, va, &m), p->mapped ? PT_OK : PT_ERR_NOT_MAPPED) || !p->mapped)
		return;
	CHECK_EQ(m.pa, p->lpa + (va - p->lva));
	CHECK_EQ(m.size, p->lsize);
	CHECK_EQ(m.flags, p->flags);
	CHECK_EQ(m.state, p->state);
}

static void op_map_region(struct pt_table *t)
{
	uint64_t va = rnd_page(), n = 1 + rnd(rnd(4) ? 40 : 3 * HSZ / K4), size = n * K4;
	uint64_t pa = rnd(2) ? rnd_pa(HSZ) + (va & (HSZ - 1)) : rnd_pa(K4);
	unsigned opts = rnd(2) ? PT_ALLOW_HUGE : 0;
	uint32_t fl = rnd_flags();
	int want = PT_OK;
	if (va + size > WB + NPAGES * K4)
		size = WB + NPAGES * K4 - va;
	CTX("%s map_region va %#llx pa %#llx size %#llx flags %#x opts %u", F->name,
	    (unsigned long long)va, (unsigned long long)pa, (unsigned long long)size, fl, opts);
	if (!flags_ok(fl) || ((pa + size - 1) >> F->pa_bits))
		want = PT_ERR_INVALID; /* pa + size - 1 too wide (ARMv7) */
	for (uint64_t o = 0; want == PT_OK && o < size;) {
		uint64_t s = K4;
		if ((opts & PT_ALLOW_HUGE) && !((va + o) & (HSZ - 1)) && !((pa + o) & (HSZ - 1)) &&
		    size - o >= HSZ)
			s = HSZ;
		want = model_map_check(va + o, s);
		o += s;
	}
	if (!CHECK_EQ(pt_map_region(t, va, pa, size, fl, opts), want) || want)
		return;
	for (uint64_t o = 0; o < size;) {
		uint64_t s = K4;
		if ((opts & PT_ALLOW_HUGE) && !((va + o) & (HSZ - 1)) && !((pa + o) & (HSZ - 1)) &&
		    size - o >= HSZ)
			s = HSZ;
		set_leaf(va + o, s, pa + o, norm(fl));
		o += s;
	}
}

static void op_range(struct pt_table *t, bool protect)
{
	uint64_t va = rnd_page(), size = (1 + rnd(rnd(3) ? 30 : 3 * HSZ / K4)) * K4;
	uint32_t fl = rnd_flags();
	int want = protect && !flags_ok(fl) ? PT_ERR_INVALID : PT_OK;
	uint64_t end;
	if (va + size > WB + NPAGES * K4)
		size = WB + NPAGES * K4 - va;
	end = va + size;
	CTX("%s %s va %#llx size %#llx flags %#x", F->name, protect ? "protect_region" : "unmap_region",
	    (unsigned long long)va, (unsigned long long)size, fl);
	if (!CHECK_EQ(protect ? pt_protect_region(t, va, size, fl) : pt_unmap_region(t, va, size),
		      want) || want)
		return;
	/* Straddling leaves at the edges are split unless protect finds the
	 * flags already right. */
	uint64_t edges[2] = { va, end - K4 };
	for (int i = 0; i < 2; i++) {
		struct page *p = pg(edges[i]);
		if (!p->mapped || (p->lva >= va && p->lva + p->lsize <= end))
			continue;
		if (protect && (p->flags & ~(PT_SW0 | PT_SW1)) == (norm(fl) & ~(PT_SW0 | PT_SW1)))
			continue;
		split_at(edges[i]);
	}
	for (uint64_t a = va; a < end; a += K4) {
		struct page *p = pg(a);
		if (!p->mapped || p->lva < va || p->lva + p->lsize > end)
			continue; /* a straddler left whole */
		if (protect)
			protect_page(p, norm(fl));
		else
			p->mapped = false;
	}
}

/* State and software bits a call may name; ARMv7 stores none of them, an
 * EPT without A/D flags only the software bits. */
static uint32_t rnd_state(void)
{
	static const uint32_t bits[] = { PT_ACCESSED, PT_DIRTY, PT_SW0, PT_SW1 };
	uint32_t st = 0;
	for (int i = 0; i < 4; i++)
		if (rnd(3) == 0)
			st |= bits[i];
	if (rnd(30) == 0)
		st |= 1u << (18 + rnd(4)); /* unknown */
	return st;
}

static bool state_ok(uint32_t st, bool clear)
{
	const uint32_t all = PT_ACCESSED | PT_DIRTY | PT_SW0 | PT_SW1;
	if (!st || (st & ~all))
		return false;
	if (no_sw())
		return !clear && !(st & (PT_SW0 | PT_SW1));
	if (stateless())
		return !clear || !(st & (PT_ACCESSED | PT_DIRTY));
	return true;
}

static void op_clear_state(struct pt_table *t)
{
	uint64_t va = rnd_page(), size = (1 + rnd(rnd(3) ? 30 : 3 * HSZ / K4)) * K4;
	uint32_t st = rnd_state();
	uint64_t bm[3 * 512 / 64 * 2 + 2] = { 0 }, want_bm[3 * 512 / 64 * 2 + 2] = { 0 };
	const bool with_bm = rnd(2) && size / K4 <= 64 * 40;
	int want = state_ok(st, true) ? PT_OK : PT_ERR_INVALID;
	if (va + size > WB + NPAGES * K4)
		size = WB + NPAGES * K4 - va;
	if (with_bm && size / K4 > 64 * 40)
		size = 64 * 40 * K4;
	CTX("%s clear_state va %#llx size %#llx state %#x", F->name, (unsigned long long)va,
	    (unsigned long long)size, st);
	if (!CHECK_EQ(pt_clear_state(t, va, size, st, with_bm ? bm : NULL), want) || want)
		return;
	/* Every leaf overlapping the range, whole; the bitmap names the pages
	 * in the range under a leaf that had a bit. */
	for (uint64_t a = va; a < va + size;) {
		struct page *p = pg(a);
		uint64_t lva = p->lva, lsize = p->lsize;
		if (!p->mapped) {
			a += K4;
			continue;
		}
		if ((p->state | p->flags) & st) {
			for (uint64_t o = 0; o < lsize; o += K4) {
				struct page *q = pg(lva + o);
				uint64_t qa = lva + o;
				q->state &= ~st;
				q->flags &= ~(st & (PT_SW0 | PT_SW1));
				if (with_bm && qa >= va && qa < va + size)
					want_bm[(qa - va) / K4 / 64] |= UINT64_C(1) << ((qa - va) / K4 % 64);
			}
		}
		a = lva + lsize;
	}
	if (with_bm)
		for (size_t i = 0; i < sizeof(bm) / sizeof(bm[0]); i++)
			if (!CHECK_EQ(bm[i], want_bm[i]))
				break;
}

static void op_set_state(struct pt_table *t)
{
	uint64_t va = rnd_page() + rnd(K4);
	struct page *p = pg(va & ~(K4 - 1));
	uint32_t st = rnd_state();
	int want;
	if (!state_ok(st, false))
		want = PT_ERR_INVALID;
	else if (!p->mapped)
		want = PT_ERR_NOT_MAPPED;
	else if ((st & PT_DIRTY) && !(p->flags & PT_WRITE))
		want = PT_ERR_INVALID;
	else
		want = PT_OK;
	CTX("%s set_state va %#llx state %#x", F->name, (unsigned long long)va, st);
	if (!CHECK_EQ(pt_set_state(t, va, st), want) || want)
		return;
	for (uint64_t o = 0; o < p->lsize; o += K4) {
		struct page *q = pg(p->lva + o);
		if (!stateless())
			q->state |= st & (PT_ACCESSED | PT_DIRTY);
		q->flags |= st & (PT_SW0 | PT_SW1);
	}
}

/* ---- Whole-table comparison ------------------------------------------------ */

struct cmp {
	unsigned long pages, bad, outside;
};

static int cmp_pre(void *arg, const struct pt_entry *e)
{
	struct cmp *c = arg;
	if (!e->leaf)
		return 0;
	if (e->va < WB || e->va + e->size > WB + NPAGES * K4) {
		c->outside++;
		return 0;
	}
	for (uint64_t o = 0; o < e->size; o += K4) {
		const struct page *p = pg(e->va + o);
		if (!p->mapped || p->lva != e->va || p->lsize != e->size || p->lpa != e->pa ||
		    p->flags != e->flags || p->state != e->state)
			c->bad++;
		c->pages++;
	}
	return 0;
}

static void compare_all(struct pt_table *t, unsigned long step)
{
	struct cmp c = { 0, 0, 0 };
	struct pt_walk_ops ops = { 0, cmp_pre, NULL };
	unsigned long want = 0;
	for (size_t i = 0; i < NPAGES; i++)
		want += M[i].mapped;
	CTX("%s full compare after op %lu", F->name, step);
	CHECK_EQ(pt_walk(t, &ops, &c), PT_OK);
	CHECK_EQ(c.bad, 0);
	CHECK_EQ(c.outside, 0);
	CHECK_EQ(c.pages, want);
}

/* phys_to_virt calls, to prove pt_set_direct_map makes libpt stop asking. */
static unsigned long p2v_calls;
static void *counting_p2v(void *ctx, uint64_t pa)
{
	p2v_calls++;
	return arena_phys_to_virt(ctx, pa);
}

static void run(const struct fmt *f, size_t idx, bool direct)
{
	struct arena a;
	struct pt_mm mm;
	struct pt_table t;
	F = f;
	HSZ = fmt_span(f, fmt_huge_level(f));
	K4 = fmt_page(f);
	/* Upper half for every other sign-extended format, to cover both; a
	 * window far enough below 2^64 (64K's 1 GiB one lower down) that the
	 * end of a region call (up to 3 huge pages past it) never wraps. */
	if (f->lo || (fmt_sext(f) && idx % 2 == 0))
		WB = UINT64_C(0xffffffffc0000000) < 0 - 4 * NPAGES * K4 ? UINT64_C(0xffffffffc0000000)
									: 0 - 4 * NPAGES * K4;
	else
		WB = 0x40000000;
	S = UINT64_C(0x243f6a8885a308d3) ^ (idx * UINT64_C(0x9e3779b97f4a7c15));
	memset(M, 0, sizeof(M));
	CTX("%s setup", f->name);
	if (!CHECK_EQ(arena_init(&a, UINT64_C(0x10000000), 16384), 0))
		return;
	arena_mm(&a, &mm);
	mm.phys_to_virt = counting_p2v;
	if (!CHECK_EQ(fmt_init(&t, f, &mm), PT_OK)) {
		arena_fini(&a);
		return;
	}
	if (direct)
		CHECK_EQ(pt_set_direct_map(&t, (uint64_t)(uintptr_t)a.mem - a.base), PT_OK);
	p2v_calls = 0;
	for (unsigned long i = 0; i < NOPS; i++) {
		uint64_t k = rnd(100);
		if (k < 22)
			op_map(&t);
		else if (k < 32)
			op_unmap(&t);
		else if (k < 40)
			op_change(&t, true);
		else if (k < 48)
			op_change(&t, false);
		else if (k < 58)
			op_query(&t);
		else if (k < 73)
			op_map_region(&t);
		else if (k < 85)
			op_range(&t, false);
		else if (k < 93)
			op_range(&t, true);
		else if (k < 97)
			op_clear_state(&t);
		else
			op_set_state(&t);
		if (rnd(8) == 0)
			pt_flush(&t);
		if (i % 250 == 249)
			compare_all(&t, i);
		if (check_fail > 20)
			break; /* one bug is enough to report; keep the log short */
	}
	compare_all(&t, NOPS);
	CTX("%s phys_to_virt calls", f->name);
	if (direct)
		CHECK_EQ(p2v_calls, 0);
	else
		CHECK(p2v_calls > 0);
	CTX("%s teardown", f->name);
	CHECK_EQ(pt_unmap_region(&t, WB, NPAGES * K4), PT_OK);
	pt_flush(&t); /* reclaimed frames go back after the full flush */
	CHECK_EQ(a.in_use, fmt_root_frames(f)); /* every table reclaimed */
	pt_destroy(&t);
	if (direct) {
		CHECK_EQ(pt_set_direct_map(&t, 0), PT_ERR_INVALID); /* dead table */
		CHECK_EQ(pt_set_direct_map(NULL, 0), PT_ERR_INVALID);
	}
	CHECK_EQ(a.in_use, 0);
	if (!CHECK_EQ(a.errors, 0))
		printf("  arena: %s\n", a.error);
	arena_fini(&a);
}

int main(void)
{
	for (size_t i = 0; i < NFMTS; i++) {
		char name[64];
		if (!fmt_in_valgrind_runs(&FMTS[i]))
			continue;
		snprintf(name, sizeof(name), "random %s", FMTS[i].name);
		group_begin(name);
		run(&FMTS[i], i, false);
		group_end();
	}
#ifndef PT_TEST_FORMATS
	/* The 16K and 64K granules, every other one through a direct map. */
	for (size_t i = 0; i < NGRAN_FMTS; i++) {
		char name[64];
		if (!fmt_in_valgrind_runs(&GRAN_FMTS[i]))
			continue;
		snprintf(name, sizeof(name), "random %s", GRAN_FMTS[i].name);
		group_begin(name);
		run(&GRAN_FMTS[i], NFMTS + i, i % 2 == 0);
		group_end();
	}
#endif
	/* The same sequences through pt_set_direct_map (extension). */
	for (size_t i = 0; i < NFMTS; i++) {
		char name[64];
		if (!fmt_in_valgrind_runs(&FMTS[i]))
			continue;
		snprintf(name, sizeof(name), "random direct-map %s", FMTS[i].name);
		group_begin(name);
		run(&FMTS[i], i, true);
		group_end();
	}
	return check_status();
}
