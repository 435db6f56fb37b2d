/* SPDX-License-Identifier: MIT */
/*
 * Access state and software bits, on every
 * format (the fake format too): what new leaves are written with, what
 * protect keeps, pt_clear_state with its bitmap, pt_set_state, their
 * errors, and that a state bit the MMU sets while libpt rewrites a leaf is
 * never lost: once deterministically (the allocator hook of a splitting
 * protect_region sets it between the plan's read and the commit's write),
 * and once against a second thread playing the MMU.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <time.h>

#include "engine_env.h"

#define ST_ALL (PT_ACCESSED | PT_DIRTY)
#define SW (PT_SW0 | PT_SW1)

/* What a format stores: ARMv7 keeps no state and no software bits; an EPT
 * without A/D flags keeps software bits but no state. */
static bool stores_sw(const struct fmt *f)
{
	return f->arch != PT_ARMV7;
}

static bool stores_state(const struct fmt *f)
{
	return stores_sw(f) && !(fmt_is_ept(f->arch) && !(f->feat & PT_FEAT_EPT_AD));
}

/* The state a new leaf of flags fl reports. */
static uint32_t fresh(uint32_t fl)
{
	return PT_ACCESSED | (fl & PT_WRITE ? PT_DIRTY : 0u);
}

static uint32_t qstate(struct env *e, uint64_t va, uint32_t *flags)
{
	struct pt_mapping m;
	if (pt_query(&e->t, va, &m) != PT_OK)
		return ~0u;
	if (flags)
		*flags = m.flags;
	return m.state;
}

/* The raw leaf mapping va (its table's PA and index), by reading the
 * tables the way the MMU does; 0 if there is none. */
static uint64_t leaf_slot(struct env *e, uint64_t va, size_t *idx, unsigned *level)
{
	const struct fmt *f = e->f;
	uint64_t tbl = pt_root(&e->t);
	for (unsigned l = 0; l < f->levels; l++) {
		struct pt_entry d;
		size_t i = fmt_index(f, l, va);
		if (pt_pte_decode(f->arch, f->feat, fmt_plevel(f, l), pte_read(f, &e->a, tbl, i), &d) != PT_OK)
			return 0;
		if (d.leaf) {
			*idx = i;
			*level = l;
			return tbl;
		}
		tbl = d.pa;
	}
	return 0;
}

/* ---- What the MMU does to a leaf, per format (from the manuals) -------- */

/* The bits the MMU sets in a leaf when it is accessed, and written (for a
 * writable leaf): OR in `set`, clear `clr`. 0/0: this format's MMU never
 * writes leaves (ARMv7 with the access flag off; the fake format). */
static void mmu_bits(const struct fmt *f, bool write, uint64_t *set, uint64_t *clr)
{
	*set = *clr = 0;
	switch (f->arch) {
	case PT_X86_64:
	case PT_X86_64_LA57: /* A(5), D(6) */
		*set = UINT64_C(1) << 5 | (write ? UINT64_C(1) << 6 : 0);
		break;
	case PT_AARCH64: /* AF(10); HD clears AP[2](7) of a DBM leaf */
		*set = UINT64_C(1) << 10;
		*clr = write ? UINT64_C(1) << 7 : 0;
		break;
	case PT_AARCH64_S2: /* AF(10); HD sets S2AP[1](7) of a DBM leaf */
		*set = UINT64_C(1) << 10 | (write ? UINT64_C(1) << 7 : 0);
		break;
	case PT_RISCV_SV39:
	case PT_RISCV_SV48:
	case PT_RISCV_SV57: /* A(6), D(7) */
		*set = UINT64_C(1) << 6 | (write ? UINT64_C(1) << 7 : 0);
		break;
	case PT_LOONGARCH64: /* V(0), D(1) */
		*set = UINT64_C(1) | (write ? UINT64_C(2) : 0);
		break;
	case PT_X86_64_EPT:
	case PT_X86_64_EPT5: /* A(8), D(9), only with A/D flags on */
		if (f->feat & PT_FEAT_EPT_AD)
			*set = UINT64_C(1) << 8 | (write ? UINT64_C(1) << 9 : 0);
		break;
	case PT_RISCV_SV39X4:
	case PT_RISCV_SV48X4:
	case PT_RISCV_SV57X4: /* as stage 1: A(6), D(7) */
		*set = UINT64_C(1) << 6 | (write ? UINT64_C(1) << 7 : 0);
		break;
	default:
		break;
	}
}

/* ---- New leaves, protect, set and clear ---------------------------------- */

static void fresh_and_protect(const struct fmt *f)
{
	struct env e;
	const uint64_t va = V(f, 0x40000000), huge = fmt_span(f, fmt_huge_level(f));
	const uint32_t sw = stores_sw(f) ? PT_SW0 : 0;
	uint32_t fl;
	if (!env_init(&e, f))
		return;
	/* New leaves: accessed, dirty when writable; SW bits as given. */
	CHECK_EQ(pt_map(&e.t, va, 0x100000, fmt_page(f), RW | sw), PT_OK);
	CHECK_EQ(pt_map(&e.t, va + fmt_page(f), 0x100000 + fmt_page(f), fmt_page(f), R_), PT_OK);
	CHECK_EQ(qstate(&e, va, &fl), fresh(RW));
	CHECK_EQ(fl, norm(f, RW | sw));
	CHECK_EQ(qstate(&e, va + fmt_page(f), NULL), fresh(R_));
	CHECK_EQ(pt_map_region(&e.t, va + huge, 2 * huge, 2 * huge, RW, PT_ALLOW_HUGE), PT_OK);
	CHECK_EQ(qstate(&e, va + huge + 5 * fmt_page(f), NULL), fresh(RW));
	/* Protect keeps state and SW bits (SW in flags ignored): a dirty
	 * leaf made read-only is still dirty, and writable again, too. */
	CHECK_EQ(pt_protect(&e.t, va, R_ | (stores_sw(f) ? PT_SW1 : 0), NULL), PT_OK);
	CHECK_EQ(qstate(&e, va, &fl), stores_state(f) ? fresh(RW) : fresh(R_));
	CHECK_EQ(fl, norm(f, R_ | sw));
	CHECK_EQ(pt_protect(&e.t, va, RW, NULL), PT_OK);
	CHECK_EQ(qstate(&e, va, &fl), fresh(RW));
	CHECK_EQ(fl, norm(f, RW | sw));
	if (stores_state(f)) {
		/* A clean writable leaf stays clean under protect... */
		CHECK_EQ(pt_clear_state(&e.t, va, fmt_page(f), PT_DIRTY, NULL), PT_OK);
		CHECK_EQ(qstate(&e, va, &fl), PT_ACCESSED);
		CHECK_EQ(fl, norm(f, RW | sw)); /* clean, still writable */
		CHECK_EQ(pt_protect(&e.t, va, RWX, NULL), PT_OK);
		CHECK_EQ(qstate(&e, va, NULL), PT_ACCESSED);
		/* ...and a leaf that gains WRITE is dirty. */
		CHECK_EQ(pt_clear_state(&e.t, va + fmt_page(f), fmt_page(f), PT_ACCESSED, NULL), PT_OK);
		CHECK_EQ(qstate(&e, va + fmt_page(f), NULL), 0u);
		CHECK_EQ(pt_protect_region(&e.t, va + fmt_page(f), fmt_page(f), RW), PT_OK);
		CHECK_EQ(qstate(&e, va + fmt_page(f), NULL), PT_DIRTY);
		/* A split keeps the huge leaf's state and SW bits in every
		 * piece; the pieces outside the range keep their flags. */
		CHECK_EQ(pt_set_state(&e.t, va + huge, PT_SW0), PT_OK);
		CHECK_EQ(pt_clear_state(&e.t, va + huge, fmt_page(f), PT_DIRTY, NULL), PT_OK);
		CHECK_EQ(pt_protect_region(&e.t, va + huge + 3 * fmt_page(f), fmt_page(f), R_), PT_OK);
		CHECK_EQ(qstate(&e, va + huge, &fl), PT_ACCESSED);
		CHECK_EQ(fl, norm(f, RW | PT_SW0));
		CHECK_EQ(qstate(&e, va + huge + 3 * fmt_page(f), &fl), PT_ACCESSED);
		CHECK_EQ(fl, norm(f, R_ | PT_SW0));
		CHECK_EQ(qstate(&e, va + 2 * huge, NULL), fresh(RW)); /* the other leaf */
		/* pt_remap writes a new leaf: fresh state, SW bits as given. */
		CHECK_EQ(pt_remap(&e.t, va, 0x300000, R_, NULL), PT_OK);
		CHECK_EQ(qstate(&e, va, &fl), fresh(R_));
		CHECK_EQ(fl, norm(f, R_));
		/* pt_unmap reports the state it took away. */
		{
			struct pt_mapping old;
			CHECK_EQ(pt_unmap(&e.t, va + fmt_page(f), &old), PT_OK);
			CHECK_EQ(old.state, PT_DIRTY);
			CHECK_EQ(old.flags, norm(f, RW));
		}
	}
	env_fini(&e);
}

static void set_state_rules(const struct fmt *f)
{
	struct env e;
	const uint64_t va = V(f, 0x40000000);
	uint32_t fl;
	struct digest d0;
	if (!env_init(&e, f))
		return;
	CHECK_EQ(pt_map(&e.t, va, 0x100000, fmt_page(f), RW), PT_OK);
	CHECK_EQ(pt_map(&e.t, va + fmt_page(f), 0x100000 + fmt_page(f), fmt_page(f), R_), PT_OK);
	d0 = table_digest(&e.t);
	/* Errors change nothing. */
	CHECK_EQ(pt_set_state(&e.t, va, 0), PT_ERR_INVALID);
	CHECK_EQ(pt_set_state(&e.t, va, PT_READ), PT_ERR_INVALID);
	CHECK_EQ(pt_set_state(&e.t, va, 1u << 18), PT_ERR_INVALID);
	CHECK_EQ(pt_set_state(&e.t, va + fmt_page(f), PT_DIRTY), PT_ERR_INVALID); /* read-only */
	CHECK_EQ(pt_set_state(&e.t, va + 2 * fmt_page(f), PT_ACCESSED), PT_ERR_NOT_MAPPED);
	CHECK_EQ(pt_set_state(NULL, va, PT_ACCESSED), PT_ERR_INVALID);
	if (!stores_sw(f))
		CHECK_EQ(pt_set_state(&e.t, va, PT_SW0), PT_ERR_INVALID);
	CHECK_EQ(table_digest(&e.t).h, d0.h);
	if (!stores_state(f)) {
		/* Nothing to set: every leaf is accessed, every writable one
		 * dirty. */
		CHECK_EQ(pt_set_state(&e.t, va, ST_ALL), PT_OK);
		CHECK_EQ(pt_clear_state(&e.t, va, fmt_page(f), PT_ACCESSED, NULL), PT_ERR_INVALID);
		CHECK_EQ(pt_clear_state(&e.t, va, fmt_page(f), PT_DIRTY, NULL), PT_ERR_INVALID);
		CHECK_EQ(table_digest(&e.t).h, d0.h);
		if (stores_sw(f)) {
			/* Software bits come and go all the same. */
			CHECK_EQ(pt_set_state(&e.t, va, PT_SW1), PT_OK);
			CHECK_EQ(qstate(&e, va, &fl), ST_ALL);
			CHECK_EQ(fl, norm(f, RW | PT_SW1));
			CHECK_EQ(pt_clear_state(&e.t, va, fmt_page(f), PT_SW1, NULL), PT_OK);
			CHECK_EQ(table_digest(&e.t).h, d0.h);
		}
		env_fini(&e);
		return;
	}
	CHECK_EQ(pt_clear_state(&e.t, va, 2 * fmt_page(f), ST_ALL, NULL), PT_OK);
	CHECK_EQ(qstate(&e, va, &fl), 0u);
	CHECK_EQ(fl, norm(f, RW));
	flush_reset(&e);
	CHECK_EQ(pt_set_state(&e.t, va, PT_ACCESSED), PT_OK);
	CHECK_EQ(qstate(&e, va, NULL), PT_ACCESSED);
	CHECK_EQ(pt_set_state(&e.t, va, PT_DIRTY | PT_SW1), PT_OK);
	CHECK_EQ(qstate(&e, va, &fl), ST_ALL);
	CHECK_EQ(fl, norm(f, RW | PT_SW1));
	/* A set that changes nothing records nothing. */
	pt_flush(&e.t);
	CHECK_EQ(e.a.flush_calls, 2u);
	CHECK_EQ(pt_set_state(&e.t, va, PT_DIRTY), PT_OK);
	pt_flush(&e.t);
	CHECK_EQ(e.a.flush_calls, 2u);
	env_fini(&e);
}

/* clear_state over a mixed range: the bitmap names exactly the pages under
 * leaves that had a bit; a huge leaf the range cuts is cleared whole and
 * marks only its pages in the range. */
static void clear_state_bitmap(const struct fmt *f)
{
	struct env e;
	const uint64_t va = V(f, 0x40000000), huge = fmt_span(f, fmt_huge_level(f));
	const uint64_t npages = 3 * huge / fmt_page(f);
	uint64_t *bm = calloc((size_t)(npages + 63) / 64 + 1, 8);
	uint64_t want[4096] = { 0 };
	struct digest d0;
	if (!stores_state(f) || !env_init(&e, f)) {
		free(bm);
		return;
	}
	/* [va, va + huge): 4K pages, every 8th writable and dirty, the rest
	 * read-only (accessed, clean); [va + huge, va + 2 huge): one huge RW
	 * leaf; then 4K pages mapped clean-accessed. */
	for (uint64_t i = 0; i < huge / fmt_page(f); i++)
		CHECK_EQ(pt_map(&e.t, va + i * fmt_page(f), 0x1000000 + i * fmt_page(f), fmt_page(f),
				i % 8 == 3 ? RW : R_),
			 PT_OK);
	CHECK_EQ(pt_map(&e.t, va + huge, UINT64_C(0x40000000), huge, RW), PT_OK);
	CHECK_EQ(pt_map_region(&e.t, va + 2 * huge, 0x8000000, huge, R_, 0), PT_OK);
	/* Errors change nothing. */
	d0 = table_digest(&e.t);
	CHECK_EQ(pt_clear_state(&e.t, va, huge, 0, bm), PT_ERR_INVALID);
	CHECK_EQ(pt_clear_state(&e.t, va, huge, PT_WRITE, bm), PT_ERR_INVALID);
	CHECK_EQ(pt_clear_state(&e.t, va, huge, PT_DIRTY | (1u << 20), bm), PT_ERR_INVALID);
	CHECK_EQ(pt_clear_state(&e.t, va + 1, huge, PT_DIRTY, bm), PT_ERR_NOT_ALIGNED);
	CHECK_EQ(pt_clear_state(&e.t, va, 0, PT_DIRTY, bm), PT_ERR_INVALID);
	CHECK_EQ(pt_clear_state(NULL, va, huge, PT_DIRTY, bm), PT_ERR_INVALID);
	CHECK_EQ(table_digest(&e.t).h, d0.h);
	for (uint64_t i = 0; i < (npages + 63) / 64; i++)
		CHECK_EQ(bm[i], 0u);
	/* The window starts one page in and ends half-way into the huge
	 * leaf. */
	{
		const uint64_t w0 = va + fmt_page(f), wlen = huge - fmt_page(f) + huge / 2;
		flush_reset(&e);
		CHECK_EQ(pt_clear_state(&e.t, w0, wlen, PT_DIRTY, bm), PT_OK);
		for (uint64_t p = 0; p < wlen / fmt_page(f); p++) {
			uint64_t pva = w0 + p * fmt_page(f);
			bool had = pva < va + huge ? ((pva - va) / fmt_page(f)) % 8 == 3 : true;
			if (had)
				want[p / 64] |= UINT64_C(1) << (p % 64);
		}
		for (uint64_t i = 0; i < (wlen / fmt_page(f) + 63) / 64; i++)
			if (!CHECK_EQ(bm[i], want[i]))
				break;
		CHECK_EQ(bm[(wlen / fmt_page(f)) / 64] >> ((wlen / fmt_page(f)) % 64), 0u);
		/* Cleared: the 4K pages and the whole huge leaf. */
		CHECK_EQ(qstate(&e, va + 3 * fmt_page(f), NULL), PT_ACCESSED);
		CHECK_EQ(qstate(&e, va + 11 * fmt_page(f), NULL), PT_ACCESSED);
		CHECK_EQ(qstate(&e, va + huge + huge - fmt_page(f), NULL), PT_ACCESSED);
		/* The page before the window keeps its state. */
		CHECK_EQ(qstate(&e, va, NULL), fresh(R_));
		/* Every cleared leaf was recorded for TLB maintenance. */
		pt_flush(&e.t);
		CHECK(e.a.flush_calls > 0);
		/* A second round finds nothing. */
		memset(bm, 0, (size_t)(npages + 63) / 64 * 8);
		CHECK_EQ(pt_clear_state(&e.t, w0, wlen, PT_DIRTY, bm), PT_OK);
		for (uint64_t i = 0; i < (npages + 63) / 64; i++)
			CHECK_EQ(bm[i], 0u);
	}
	/* Accessed over everything: every page reports. */
	memset(bm, 0, (size_t)(npages + 63) / 64 * 8);
	CHECK_EQ(pt_clear_state(&e.t, va, 3 * huge, PT_ACCESSED, bm), PT_OK);
	for (uint64_t i = 0; i < npages / 64; i++)
		CHECK_EQ(bm[i], ~UINT64_C(0));
	CHECK_EQ(qstate(&e, va + 2 * huge, NULL), 0u);
	/* A corrupt entry anywhere in the range: an error, nothing changed. */
	CHECK_EQ(pt_set_state(&e.t, va, PT_ACCESSED), PT_OK);
	{
		size_t i;
		unsigned l;
		uint64_t tbl = leaf_slot(&e, va + 2 * huge + 5 * fmt_page(f), &i, &l);
		uint64_t bad = f->arch == PT_AARCH64 || f->arch == PT_AARCH64_S2 ? UINT64_C(1) : /* level-3 block */
			       f->arch == PT_LOONGARCH64 ? UINT64_C(1) : /* V without P */
			       fmt_is_riscv(f->arch) || fmt_is_gstage(f->arch) ? UINT64_C(5) : /* W without R */
			       fmt_is_ept(f->arch) ? UINT64_C(2) :       /* write-only */
			       0; /* x86 has no corrupt 4K leaf */
		if (bad && CHECK(tbl != 0)) {
			uint64_t keep = pte_read(f, &e.a, tbl, i);
			pte_write(f, &e.a, tbl, i, bad);
			d0 = table_digest(&e.t);
			CHECK_EQ(pt_clear_state(&e.t, va, 3 * huge, PT_ACCESSED, NULL), PT_ERR_CORRUPT);
			CHECK_EQ(qstate(&e, va, NULL), PT_ACCESSED);
			pte_write(f, &e.a, tbl, i, keep);
		}
	}
	free(bm);
	env_fini(&e);
}

/* A corrupt 4K entry among sound ones, at every place of the groups the
 * scans test together, made from its sound neighbour by one flipped bit
 * (state bits included): the call fails and changes nothing. Half the
 * pages are dirty, half clean, so sound entries differ in state bits. */
static void corrupt_among_sound(const struct fmt *f)
{
	struct env e;
	const uint64_t va = V(f, 0x40000000);
	size_t i0;
	unsigned l, tried = 0;
	uint64_t tbl;
	if (!stores_state(f) || !env_init(&e, f))
		return;
	CHECK_EQ(pt_map_region(&e.t, va, 0x1000000, 16 * fmt_page(f), RW, 0), PT_OK);
	for (unsigned k = 1; k < 16; k += 2)
		CHECK_EQ(pt_clear_state(&e.t, va + k * fmt_page(f), fmt_page(f), PT_DIRTY, NULL), PT_OK);
	tbl = leaf_slot(&e, va, &i0, &l);
	if (!CHECK(tbl != 0)) {
		env_fini(&e);
		return;
	}
	for (unsigned k = 1; k < 16; k++) {
		const uint64_t keep = pte_read(f, &e.a, tbl, i0 + k);
		for (unsigned b = 0; b < 64; b++) {
			const uint64_t bad = keep ^ (UINT64_C(1) << b);
			struct pt_entry d;
			struct digest d0;
			if (pt_pte_decode(f->arch, f->feat, fmt_plevel(f, l), bad, &d) != PT_ERR_CORRUPT)
				continue;
			pte_write(f, &e.a, tbl, i0 + k, bad);
			d0 = table_digest(&e.t);
			CTX("%s: page %u, bit %u flipped", f->name, k, b);
			CHECK_EQ(pt_clear_state(&e.t, va, 16 * fmt_page(f), ST_ALL, NULL), PT_ERR_CORRUPT);
			CHECK_EQ(table_digest(&e.t).h, d0.h);
			pte_write(f, &e.a, tbl, i0 + k, keep);
			tried++;
		}
	}
	CTX("%s", f->name);
	/* x86 has no corrupt 4K entry; every other format has some. */
	CHECK(tried > 0 || f->arch == PT_X86_64 || f->arch == PT_X86_64_LA57);
	env_fini(&e);
}

/* ---- The MMU sets a bit between libpt's read and its write ----------- */

/* The allocator hook runs between a protect_region's plan (which read and
 * logged the 4K run) and its commit: the "MMU" writes a page there. */
static uint64_t *race_slot64;
static uint64_t race_set, race_clr;
static int race_alloc(void *ctx, size_t count, size_t align, uint64_t *pa)
{
	if (race_slot64)
		__atomic_store_n(race_slot64, (*race_slot64 | race_set) & ~race_clr, __ATOMIC_SEQ_CST);
	race_slot64 = NULL;
	return env_alloc(ctx, count, align, pa);
}

static void bit_set_in_plan_gap(const struct fmt *f)
{
	struct env e;
	const uint64_t va = V(f, 0x40000000), huge = fmt_span(f, fmt_huge_level(f));
	size_t i;
	unsigned l;
	uint64_t tbl;
	mmu_bits(f, true, &race_set, &race_clr);
	if (!race_set || !env_init(&e, f))
		return;
	/* The table again, with the racing allocator. */
	pt_destroy(&e.t);
	e.mm.alloc_frames = race_alloc;
	CHECK_EQ(fmt_init(&e.t, f, &e.mm), PT_OK);
	/* A clean writable 4K run, then a huge leaf the range cuts (the split
	 * allocates after the plan read the run). */
	CHECK_EQ(pt_map_region(&e.t, va, 0x1000000, 64 * fmt_page(f), RW, 0), PT_OK);
	CHECK_EQ(pt_map(&e.t, va + huge, UINT64_C(0x40000000), huge, RW), PT_OK);
	CHECK_EQ(pt_clear_state(&e.t, va, 64 * fmt_page(f), PT_DIRTY, NULL), PT_OK);
	tbl = leaf_slot(&e, va + 17 * fmt_page(f), &i, &l);
	if (CHECK(tbl != 0)) {
		race_slot64 = arena_ptr(&e.a, tbl + i * 8);
		CHECK_EQ(pt_protect_region(&e.t, va, huge + fmt_page(f), RWX), PT_OK);
		CHECK(race_slot64 == NULL); /* the hook ran */
		CHECK_EQ(qstate(&e, va + 17 * fmt_page(f), NULL), ST_ALL);
		CHECK_EQ(qstate(&e, va + 16 * fmt_page(f), NULL), PT_ACCESSED);
	}
	race_slot64 = NULL;
	env_fini(&e);
}

/* A second thread plays the MMU: told to go, it waits a little, then
 * marks the leaf dirty (and accessed) with an atomic operation, as the
 * hardware does, while this thread rewrites the leaf through libpt. */
struct mmu {
	void *slot;
	bool wide;
	uint64_t set, clr;
	atomic_uint go, done;
	atomic_bool quit;
	uint64_t seed;
};

static void *mmu_thread(void *arg)
{
	struct mmu *m = arg;
	unsigned seen = 0;
	while (!atomic_load(&m->quit)) {
		unsigned g = atomic_load_explicit(&m->go, memory_order_acquire);
		if (g == seen) {
			sched_yield();
			continue;
		}
		seen = g;
		for (volatile unsigned d = (unsigned)(rng_next(&m->seed) % 160); d; d--)
			;
		if (m->wide) {
			__atomic_fetch_or((uint64_t *)m->slot, m->set, __ATOMIC_SEQ_CST);
			__atomic_fetch_and((uint64_t *)m->slot, ~m->clr, __ATOMIC_SEQ_CST);
		} else {
			__atomic_fetch_or((uint32_t *)m->slot, (uint32_t)m->set, __ATOMIC_SEQ_CST);
		}
		atomic_store_explicit(&m->done, g, memory_order_release);
	}
	return NULL;
}

static void mmu_races(const struct fmt *f, unsigned rounds)
{
	static const char *const opname[] = { "protect", "protect_region", "clear_state(A)",
					      "set_state(SW0)", "clear_state(SW0)" };
	struct env e;
	struct mmu m;
	pthread_t th;
	const uint64_t va = V(f, 0x40000000);
	unsigned lost[5] = { 0 };
	size_t i;
	unsigned l;
	uint64_t tbl;
	memset(&m, 0, sizeof(m));
	mmu_bits(f, true, &m.set, &m.clr);
	if (!m.set || !env_init(&e, f))
		return;
	CHECK_EQ(pt_map_region(&e.t, va, 0x1000000, 8 * fmt_page(f), RW, 0), PT_OK);
	tbl = leaf_slot(&e, va + 3 * fmt_page(f), &i, &l);
	if (!CHECK(tbl != 0)) {
		env_fini(&e);
		return;
	}
	m.slot = arena_ptr(&e.a, tbl + i * 8);
	m.wide = true;
	/* Only D (or AP[2]) from the thread: A stays set, so the leaf is
	 * "writable and clean" until the thread writes. */
	m.set &= ~(uint64_t)(f->arch == PT_AARCH64 || f->arch == PT_AARCH64_S2 ? UINT64_C(1) << 10
											: 0);
	m.seed = 12345;
	atomic_init(&m.go, 0);
	atomic_init(&m.done, 0);
	atomic_init(&m.quit, false);
	if (pthread_create(&th, NULL, mmu_thread, &m) != 0) {
		CHECK(!"pthread_create");
		env_fini(&e);
		return;
	}
	/* Rounds, or 0.4 s per format, whichever ends first: under Valgrind
	 * (which runs one thread at a time) and the sanitizers a round takes
	 * far longer. */
	struct timespec t0, now;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (unsigned r = 0; r < rounds; r++) {
		if (r % 64 == 63) {
			clock_gettime(CLOCK_MONOTONIC, &now);
			if ((now.tv_sec - t0.tv_sec) * 1000000000L + (now.tv_nsec - t0.tv_nsec) > 400000000L) {
				rounds = r + 1;
				break;
			}
		}
		const unsigned op = r % 5;
		const uint64_t pva = va + 3 * fmt_page(f);
		unsigned g;
		CHECK_EQ(pt_clear_state(&e.t, va, 8 * fmt_page(f), PT_DIRTY | PT_SW0, NULL), PT_OK);
		if (op == 4)
			CHECK_EQ(pt_set_state(&e.t, pva, PT_SW0), PT_OK);
		g = atomic_load(&m.go) + 1;
		atomic_store_explicit(&m.go, g, memory_order_release);
		switch (op) {
		case 0: CHECK_EQ(pt_protect(&e.t, pva, r & 2 ? RW : RWX, NULL), PT_OK); break;
		case 1: CHECK_EQ(pt_protect_region(&e.t, pva, fmt_page(f), r & 2 ? RW : RWX), PT_OK); break;
		case 2: CHECK_EQ(pt_clear_state(&e.t, pva, fmt_page(f), PT_ACCESSED, NULL), PT_OK); break;
		case 3: CHECK_EQ(pt_set_state(&e.t, pva, PT_SW0), PT_OK); break;
		default: CHECK_EQ(pt_clear_state(&e.t, pva, fmt_page(f), PT_SW0, NULL), PT_OK); break;
		}
		while (atomic_load_explicit(&m.done, memory_order_acquire) != g)
			sched_yield();
		if (!(qstate(&e, pva, NULL) & PT_DIRTY))
			lost[op]++;
		if (op == 2)
			CHECK_EQ(pt_set_state(&e.t, pva, PT_ACCESSED), PT_OK);
		pt_flush(&e.t);
	}
	atomic_store(&m.quit, true);
	pthread_join(th, NULL);
	for (unsigned k = 0; k < 5; k++)
		if (!CHECK_EQ(lost[k], 0u))
			printf("  %s: %s lost the MMU's dirty bit %u times in %u rounds\n", f->name,
			       opname[k], lost[k], rounds / 5);
	env_fini(&e);
}

int main(int argc, char **argv)
{
	unsigned rounds = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 0) : 20000;
	for (size_t i = 0; i < NALL_FMTS; i++) {
		const struct fmt *f = fmt_nth(i);
		char name[64];
		snprintf(name, sizeof(name), "state %s", f->name);
		group_begin(name);
		CTX("%s", f->name);
		fresh_and_protect(f);
		set_state_rules(f);
		clear_state_bitmap(f);
		bit_set_in_plan_gap(f);
		corrupt_among_sound(f);
		mmu_races(f, rounds);
		group_end();
	}
	return check_status();
}
