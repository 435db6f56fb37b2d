/* SPDX-License-Identifier: MIT */
/*
 * Engine tests against the real formats, one group per format variant:
 * life cycle, NULL pointers and dead tables, every error in the
 * brief's check order (NO_MEMORY and PA 0 from the allocator, CORRUPT
 * entries), leaves of every size, empty-subtree replacement. Splits,
 * reclaim, protect runs and TLB flush batching are in test_edit.c; walk,
 * copy_from and ARMv7 packing in test_walk.c; translate in test_translate.c.
 */
#include "engine_env.h"

/* ---- Life cycle and argument errors ------------------------------------ */

/* The page (the granule on AArch64) of the format f every test below runs. */
#define PG fmt_page(f)

static void t_init(const struct fmt *f)
{
	struct env e;
	struct pt_table t;
	struct pt_mm mm;
	CTX("%s init", f->name);
	if (!env_init(&e, f))
		return;
	mm = e.mm;
	CHECK_EQ(fmt_init(NULL, f, &mm), PT_ERR_INVALID);
	CHECK_EQ(fmt_init(&t, f, NULL), PT_ERR_INVALID);
	CHECK_EQ(pt_init(&t, ARCH_UNKNOWN, 0, &mm), PT_ERR_INVALID);
	mm.alloc_frames = NULL;
	CHECK_EQ(fmt_init(&t, f, &mm), PT_ERR_INVALID);
	mm = e.mm, mm.free_frames = NULL;
	CHECK_EQ(fmt_init(&t, f, &mm), PT_ERR_INVALID);
	mm = e.mm, mm.phys_to_virt = NULL;
	CHECK_EQ(fmt_init(&t, f, &mm), PT_ERR_INVALID);
	mm = e.mm;
	/* Features of another arch, or conflicting ones. */
	if (fmt_is_a64(f->arch)) {
		CHECK_EQ(pt_init(&t, f->arch, PT_FEAT_RISCV_SVPBMT, &mm), PT_ERR_INVALID);
		CHECK_EQ(pt_init(&t, f->arch, PT_FEAT_AARCH64_EL2 | PT_FEAT_AARCH64_HIGH, &mm),
			 PT_ERR_INVALID);
	} else if (fmt_is_riscv(f->arch)) {
		CHECK_EQ(pt_init(&t, f->arch, PT_FEAT_AARCH64_EL2, &mm), PT_ERR_INVALID);
		CHECK_EQ(pt_init(&t, f->arch, PT_FEAT_RISCV_SVPBMT | PT_FEAT_RISCV_XUANTIE, &mm),
			 PT_ERR_INVALID);
	} else {
		CHECK_EQ(pt_init(&t, f->arch, PT_FEAT_AARCH64_HIGH, &mm), PT_ERR_INVALID);
		CHECK_EQ(pt_init(&t, f->arch, PT_FEAT_RISCV_SVPBMT, &mm), PT_ERR_INVALID);
		/* EPT A/D is EPT's alone. */
		if (!fmt_is_ept(f->arch))
			CHECK_EQ(pt_init(&t, f->arch, PT_FEAT_EPT_AD, &mm), PT_ERR_INVALID);
	}
	CHECK_EQ(pt_init(&t, f->arch, 1u << 20, &mm), PT_ERR_INVALID);
	/* pt_init_config: a NULL config; widths the format does not have
	 * (one past either end of its range; the others have only their
	 * default). */
	CHECK_EQ(pt_init_config(&t, NULL, &mm), PT_ERR_INVALID);
	{
		unsigned lo = f->va_bits, hi = f->va_bits;
		fmt_va_range(f, &lo, &hi);
		const struct pt_config below = { f->arch, f->feat, lo - 1 };
		const struct pt_config above = { f->arch, f->feat, hi + 1 };
		const struct pt_config dflt = { f->arch, f->feat, 0 };
		CHECK_EQ(pt_init_config(&t, &below, &mm), PT_ERR_INVALID);
		CHECK_EQ(pt_init_config(&t, &above, &mm), PT_ERR_INVALID);
		if (CHECK_EQ(pt_init_config(&t, &dflt, &mm), PT_OK)) {
			CHECK_EQ(e.a.in_use, e.base + fmt_default_root_frames(f));
			pt_destroy(&t);
		}
	}
	CHECK_EQ(e.a.in_use, e.base);
	/* Allocation failure and PA 0 at init. */
	arena_fail_nth(&e.a, 1);
	CHECK_EQ(fmt_init(&t, f, &mm), PT_ERR_NO_MEMORY);
	e.zero_at = 1;
	CHECK_EQ(fmt_init(&t, f, &mm), PT_ERR_NO_MEMORY);
	CHECK_EQ(e.a.in_use, e.base);
	/* The root is zeroed although the arena hands out dirty frames. */
	CHECK_EQ(count_leaves(&e), 0);
	CHECK_EQ(COLL.n, 0);
	check_tables(&e, true);
	CHECK(pt_root(&e.t) >= ARENA_BASE);
	CHECK_EQ(pt_root(&e.t) % (fmt_root_frames(f) * PT_SIZE_4K), 0);
	env_fini(&e);
	CHECK_EQ(pt_root(&e.t), 0);
}

static void t_dead_and_null(const struct fmt *f)
{
	struct env e;
	struct pt_mapping m;
	uint64_t sz = 0;
	struct pt_walk_ops ops = { 0, coll_pre, NULL };
	uint64_t va = V(f, 0x40000000);
	CTX("%s null/dead", f->name);
	if (!env_init(&e, f))
		return;
	/* No edit hint yet: VAs that would match its empty value are checked
	 * like any other (the fuzzer's first find in the hinted path). */
	CHECK_EQ(pt_map(&e.t, 1, 0, PG, 0), PT_ERR_INVALID);
	CHECK_EQ(pt_map(&e.t, 1, 0, PG, R_), f->lo ? PT_ERR_INVALID : PT_ERR_NOT_ALIGNED);
	CHECK_EQ(pt_map(&e.t, (PG + 1), PG, PG, R_),
		 f->lo ? PT_ERR_INVALID : PT_ERR_NOT_ALIGNED);
	CHECK_EQ(pt_map(&e.t, V(f, (PG + 1)), PG, PG, R_), PT_ERR_NOT_ALIGNED);
	CHECK_EQ(pt_map(&e.t, va, PG, PG, RW), PT_OK);
	CHECK_EQ(pt_query(&e.t, va, NULL), PT_ERR_INVALID);
	CHECK_EQ(pt_query(NULL, va, &m), PT_ERR_INVALID);
	CHECK_EQ(pt_map(NULL, va, PG, PG, RW), PT_ERR_INVALID);
	CHECK_EQ(pt_unmap(NULL, va, &m), PT_ERR_INVALID);
	CHECK_EQ(pt_remap(NULL, va, PG, RW, &sz), PT_ERR_INVALID);
	CHECK_EQ(pt_protect(NULL, va, RW, &sz), PT_ERR_INVALID);
	CHECK_EQ(pt_map_region(NULL, va, PG, PG, RW, 0), PT_ERR_INVALID);
	CHECK_EQ(pt_unmap_region(NULL, va, PG), PT_ERR_INVALID);
	CHECK_EQ(pt_protect_region(NULL, va, PG, RW), PT_ERR_INVALID);
	CHECK_EQ(pt_copy_from(NULL, &e.t, f->lo, fmt_span(f, 0)), PT_ERR_INVALID);
	CHECK_EQ(pt_copy_from(&e.t, NULL, f->lo, fmt_span(f, 0)), PT_ERR_INVALID);
	CHECK_EQ(pt_walk(NULL, &ops, &COLL), PT_ERR_INVALID);
	CHECK_EQ(pt_walk(&e.t, NULL, &COLL), PT_ERR_INVALID);
	CHECK_EQ(pt_root(NULL), 0);
	pt_flush(NULL);
	pt_destroy(NULL);
	/* Optional out pointers may be NULL. */
	CHECK_EQ(pt_remap(&e.t, va, 2 * PG, RW, NULL), PT_OK);
	CHECK_EQ(pt_protect(&e.t, va, R_, NULL), PT_OK);
	CHECK_EQ(pt_unmap(&e.t, va, NULL), PT_OK);
	pt_destroy(&e.t);
	CHECK_EQ(e.a.in_use, 0);
	/* A dead table refuses everything. */
	CHECK_EQ(pt_root(&e.t), 0);
	CHECK_EQ(pt_map(&e.t, va, PG, PG, RW), PT_ERR_INVALID);
	CHECK_EQ(pt_query(&e.t, va, &m), PT_ERR_INVALID);
	CHECK_EQ(pt_unmap(&e.t, va, &m), PT_ERR_INVALID);
	CHECK_EQ(pt_remap(&e.t, va, PG, RW, &sz), PT_ERR_INVALID);
	CHECK_EQ(pt_protect(&e.t, va, RW, &sz), PT_ERR_INVALID);
	CHECK_EQ(pt_map_region(&e.t, va, PG, PG, RW, 0), PT_ERR_INVALID);
	CHECK_EQ(pt_unmap_region(&e.t, va, PG), PT_ERR_INVALID);
	CHECK_EQ(pt_protect_region(&e.t, va, PG, RW), PT_ERR_INVALID);
	CHECK_EQ(pt_walk(&e.t, &ops, &COLL), PT_ERR_INVALID);
	pt_flush(&e.t);
	pt_destroy(&e.t); /* twice: no-op */
	CHECK_EQ(e.a.in_use, 0);
	CHECK_EQ(e.a.errors, 0);
	CHECK_EQ(e.a.allocs, e.a.frees);
	arena_fini(&e.a);
}

/* pt_map and the region calls: every error, in the brief's check order. */
static void t_errors(const struct fmt *f)
{
	struct env e;
	struct digest d0;
	struct pt_mapping m;
	uint64_t sz = 0;
	const unsigned hl = fmt_huge_level(f);
	const uint64_t hs = fmt_span(f, hl);
	const uint64_t va = V(f, 0x40000000);
	const uint64_t noncanon = f->arch == PT_ARMV7 ? UINT64_C(1) << 32
				  : fmt_is_a64(f->arch) ? (f->lo ? PG : HIGH_HALF)
							  : fmt_lower_end(f);
	const uint64_t widepa = UINT64_C(1) << f->pa_bits;
	CTX("%s errors", f->name);
	if (!env_init(&e, f))
		return;
	d0 = table_digest(&e.t);
	/* INVALID: flags, size, va, pa. */
	CHECK_EQ(pt_map(&e.t, va, PG, PG, 0), PT_ERR_INVALID);
	CHECK_EQ(pt_map(&e.t, va, PG, PG, PT_WRITE), PT_ERR_INVALID);
	CHECK_EQ(pt_map(&e.t, va, PG, PG, R_ | 0x400), PT_ERR_INVALID);
	CHECK_EQ(pt_map(&e.t, va, PG, 0, R_), PT_ERR_INVALID);
	CHECK_EQ(pt_map(&e.t, va, PG, 2 * PG, R_), PT_ERR_INVALID);
	CHECK_EQ(pt_map(&e.t, va, 0, f->arch == PT_ARMV7 ? PT_SIZE_2M : PT_SIZE_1M, R_),
		 PT_ERR_INVALID);
	if (f->arch != PT_RISCV_SV48 && f->arch != PT_RISCV_SV57 && f->arch != PT_RISCV_SV48X4 &&
	    f->arch != PT_RISCV_SV57X4 && !(f->levels == 4 && (f->feat & PT_FEAT_AARCH64_PA52)))
		CHECK_EQ(pt_map(&e.t, f->lo, 0, PT_SIZE_512G, R_), PT_ERR_INVALID);
	if (f->arch != PT_RISCV_SV57 && f->arch != PT_RISCV_SV57X4)
		CHECK_EQ(pt_map(&e.t, f->lo, 0, PT_SIZE_256T, R_), PT_ERR_INVALID);
	CHECK_EQ(pt_map(&e.t, noncanon, PG, PG, R_), PT_ERR_INVALID);
	CHECK_EQ(pt_map(&e.t, va, widepa, PG, R_), PT_ERR_INVALID);
	/* INVALID is decided before NOT_ALIGNED. */
	CHECK_EQ(pt_map(&e.t, va + (PG / 2), PG, PG, 0), PT_ERR_INVALID);
	CHECK_EQ(pt_map(&e.t, va + (PG / 2), PG, 3 * PG, R_), PT_ERR_INVALID);
	CHECK_EQ(pt_map(&e.t, noncanon + (PG / 2), PG, PG, R_), PT_ERR_INVALID);
	CHECK_EQ(pt_map(&e.t, va, widepa | (PG / 2), PG, R_), PT_ERR_INVALID);
	/* NOT_ALIGNED. */
	CHECK_EQ(pt_map(&e.t, va + (PG / 2), PG, PG, R_), PT_ERR_NOT_ALIGNED);
	CHECK_EQ(pt_map(&e.t, va, (PG + PG / 2), PG, R_), PT_ERR_NOT_ALIGNED);
	CHECK_EQ(pt_map(&e.t, va + PG, 0, hs, R_), PT_ERR_NOT_ALIGNED);
	CHECK_EQ(pt_map(&e.t, va, PG, hs, R_), PT_ERR_NOT_ALIGNED);
	/* Region calls. */
	CHECK_EQ(pt_map_region(&e.t, va + (PG / 2), PG, PG, 0, 0), PT_ERR_INVALID);
	CHECK_EQ(pt_map_region(&e.t, va, PG, PG, R_, 2), PT_ERR_INVALID);
	CHECK_EQ(pt_map_region(&e.t, va + (PG / 2), PG, PG, R_, 0), PT_ERR_NOT_ALIGNED);
	CHECK_EQ(pt_map_region(&e.t, va, PG, (PG / 2), R_, 0), PT_ERR_NOT_ALIGNED);
	CHECK_EQ(pt_map_region(&e.t, va, PG, 0, R_, 0), PT_ERR_INVALID);
	CHECK_EQ(pt_map_region(&e.t, va, (PG / 2), 0, R_, 0), PT_ERR_INVALID);
	CHECK_EQ(pt_map_region(&e.t, noncanon, PG, PG, R_, 0), PT_ERR_INVALID);
	CHECK_EQ(pt_map_region(&e.t, top_page(f), PG, 2 * PG, R_, 0), PT_ERR_INVALID);
	CHECK_EQ(pt_map_region(&e.t, va, (PG / 2), PG, R_, 0), PT_ERR_NOT_ALIGNED);
	CHECK_EQ(pt_map_region(&e.t, va, widepa | (PG / 2), PG, R_, 0), PT_ERR_NOT_ALIGNED);
	CHECK_EQ(pt_map_region(&e.t, va, widepa - PG, 2 * PG, R_, 0), PT_ERR_INVALID);
	CHECK_EQ(pt_map_region(&e.t, va, widepa, PG, R_, 0), PT_ERR_INVALID);
	CHECK_EQ(pt_unmap_region(&e.t, va + (PG / 2), PG), PT_ERR_NOT_ALIGNED);
	CHECK_EQ(pt_unmap_region(&e.t, va, (PG + PG / 2)), PT_ERR_NOT_ALIGNED);
	CHECK_EQ(pt_unmap_region(&e.t, va, 0), PT_ERR_INVALID);
	CHECK_EQ(pt_unmap_region(&e.t, noncanon, PG), PT_ERR_INVALID);
	CHECK_EQ(pt_unmap_region(&e.t, top_page(f), 2 * PG), PT_ERR_INVALID);
	CHECK_EQ(pt_protect_region(&e.t, va + (PG / 2), PG, 0), PT_ERR_INVALID);
	CHECK_EQ(pt_protect_region(&e.t, va + (PG / 2), PG, R_), PT_ERR_NOT_ALIGNED);
	CHECK_EQ(pt_protect_region(&e.t, va, 0, R_), PT_ERR_INVALID);
	CHECK_EQ(pt_protect_region(&e.t, top_page(f), 2 * PG, R_), PT_ERR_INVALID);
	if (f->arch != PT_ARMV7) {
		/* The end of the lower half and the start of the upper one are
		 * never one range. */
		uint64_t last_lo = fmt_is_a64(f->arch) ? (UINT64_C(1) << f->va_bits) - PG
							 : fmt_lower_end(f) - PG;
		if (!f->lo)
			CHECK_EQ(pt_unmap_region(&e.t, last_lo, 2 * PG), PT_ERR_INVALID);
	}
	/* Holes are fine for unmap/protect. */
	CHECK_EQ(pt_unmap_region(&e.t, va, 16 * PG), PT_OK);
	CHECK_EQ(pt_protect_region(&e.t, va, 16 * PG, RW), PT_OK);
	/* Nothing was allocated nor changed by any of that. */
	CHECK_EQ(e.a.in_use, e.base);
	CHECK_EQ(e.a.allocs, 1); /* the root only */
	CHECK_EQ(table_digest(&e.t).h, d0.h);
	/* NOT_MAPPED. */
	CHECK_EQ(pt_query(&e.t, va, &m), PT_ERR_NOT_MAPPED);
	CHECK_EQ(pt_unmap(&e.t, va, &m), PT_ERR_NOT_MAPPED);
	CHECK_EQ(pt_remap(&e.t, va, PG, R_, &sz), PT_ERR_NOT_MAPPED);
	CHECK_EQ(pt_protect(&e.t, va, R_, &sz), PT_ERR_NOT_MAPPED);
	CHECK_EQ(pt_query(&e.t, noncanon, &m), PT_ERR_INVALID);
	/* ALREADY_MAPPED and MAPPED_TO_HUGE_PAGE. */
	CHECK_EQ(pt_map(&e.t, va, PG, PG, RW), PT_OK);
	d0 = table_digest(&e.t);
	size_t used = e.a.in_use;
	CHECK_EQ(pt_map(&e.t, va, 5 * PG, PG, RW), PT_ERR_ALREADY_MAPPED);
	CHECK_EQ(pt_map(&e.t, va, 0, hs, RW), PT_ERR_ALREADY_MAPPED);
	CHECK_EQ(pt_map_region(&e.t, va - PG, PG, 3 * PG, RW, 0),
		 PT_ERR_ALREADY_MAPPED);
	CHECK_EQ(pt_map(&e.t, va + hs, 0, hs, RW), PT_OK);
	CHECK_EQ(pt_map(&e.t, va + hs + PG, PG, PG, RW),
		 PT_ERR_MAPPED_TO_HUGE_PAGE);
	CHECK_EQ(pt_map(&e.t, va + hs, 0, hs, RW), PT_ERR_ALREADY_MAPPED);
	/* The first failing page in VA order decides. */
	CHECK_EQ(pt_map_region(&e.t, va + PG, PG, hs + PG, RW, 0),
		 PT_ERR_MAPPED_TO_HUGE_PAGE);
	CHECK_EQ(pt_map_region(&e.t, va - PG, PG, hs + 2 * PG, RW, 0),
		 PT_ERR_ALREADY_MAPPED);
	CHECK_EQ(pt_map_region(&e.t, va + hs - PG, PG, 2 * PG, RW, 0),
		 PT_ERR_MAPPED_TO_HUGE_PAGE);
	/* Every smaller size inside every huge leaf size. */
	for (unsigned l1 = 0; l1 < f->levels; l1++) {
		if (!((f->leaf_mask >> l1) & 1) || l1 == f->levels - 1)
			continue;
		uint64_t s1 = fmt_span(f, l1);
		/* Clear of va and the huge leaf after it (64K: 512M leaves, va at 1G). */
		uint64_t hv = V(f, s1 * 2 == va - f->lo ? s1 * 4 : s1 * 2);
		if (hv - f->lo + s1 > (f->arch == PT_ARMV7 ? UINT64_C(1) << 32 : fmt_lower_end(f)))
			continue;
		if (!CHECK_EQ(pt_map(&e.t, hv, s1, s1, R_), PT_OK))
			continue;
		for (unsigned l2 = l1 + 1; l2 < f->levels; l2++) {
			uint64_t s2 = fmt_span(f, l2);
			if (!((f->leaf_mask >> l2) & 1))
				continue;
			CHECK_EQ(pt_map(&e.t, hv + s1 - s2, 0, s2, R_), PT_ERR_MAPPED_TO_HUGE_PAGE);
		}
		CHECK_EQ(pt_unmap_region(&e.t, hv, s1), PT_OK);
	}
	used = e.a.in_use;
	d0 = table_digest(&e.t);
	/* NO_MEMORY: a fresh VA needs new tables; fail each in turn. PA 0 too. */
	{
		/* Root slot 3 (4 where slot 3 is the huge leaf at va + hs: 64K
		 * at 42 bits), or the last of a smaller root (16K at 48 bits). */
		const uint64_t fk = fmt_entries(f, 0) <= 3 ? fmt_entries(f, 0) - 1
				   : fmt_span(f, 0) * 3 == va + hs - f->lo ? 4 : 3;
		uint64_t fresh = V(f, fmt_span(f, 0) * fk + 5 * PG);
		for (unsigned long n = 1; n < f->levels; n++) {
			CTX("%s errors: fail alloc %lu", f->name, n);
			arena_fail_nth(&e.a, n);
			CHECK_EQ(pt_map(&e.t, fresh, PG, PG, RW), PT_ERR_NO_MEMORY);
			arena_fail_nth(&e.a, 0);
			CHECK_EQ(e.a.in_use, used);
			CHECK_EQ(table_digest(&e.t).h, d0.h);
			e.zero_at = n;
			CHECK_EQ(pt_map(&e.t, fresh, PG, PG, RW), PT_ERR_NO_MEMORY);
			e.zero_at = 0;
			CHECK_EQ(e.a.in_use, used);
			CHECK_EQ(table_digest(&e.t).h, d0.h);
			e.zero_at = n;
			CHECK_EQ(pt_map_region(&e.t, fresh, PG, PG, RW, 0), PT_ERR_NO_MEMORY);
			e.zero_at = 0;
			CHECK_EQ(e.a.in_use, used);
		}
		CTX("%s errors", f->name);
		CHECK_EQ(pt_map(&e.t, fresh, PG, PG, RW), PT_OK);
		CHECK_EQ(e.a.in_use, used + (f->levels - 1) * fmt_table_frames(f));
		CHECK_EQ(e.a.errors, 0);
	}
	/* CORRUPT: a reserved entry in the root, then at the last level
	 * (in a root of more than five slots: not 16K at 48 bits). */
	if (fmt_entries(f, 0) > 5) {
		uint64_t cva = V(f, fmt_span(f, 0) * 5);
		size_t ci = fmt_index(f, 0, cva);
		uint64_t root = pt_root(&e.t);
		struct coll *c = &COLL;
		struct pt_walk_ops ops = { 0, coll_pre, coll_post };
		pte_write(f, &e.a, root, ci, corrupt_root(f));
		CHECK_EQ(pt_query(&e.t, cva, &m), PT_ERR_CORRUPT);
		CHECK_EQ(pt_map(&e.t, cva + fmt_span(f, 0) / 2, PG, PG, RW), PT_ERR_CORRUPT);
		CHECK_EQ(pt_unmap(&e.t, cva, &m), PT_ERR_CORRUPT);
		CHECK_EQ(pt_remap(&e.t, cva, PG, RW, &sz), PT_ERR_CORRUPT);
		CHECK_EQ(pt_protect(&e.t, cva, RW, &sz), PT_ERR_CORRUPT);
		CHECK_EQ(pt_map_region(&e.t, cva, PG, PG, RW, 0), PT_ERR_CORRUPT);
		CHECK_EQ(pt_protect_region(&e.t, cva, PG, RW), PT_ERR_CORRUPT);
		/* Straddling the range edge: unmap_region cannot clear it. */
		if (fmt_span(f, 0) > PG)
			CHECK_EQ(pt_unmap_region(&e.t, cva, PG), PT_ERR_CORRUPT);
		memset(c, 0, sizeof(*c));
		CHECK_EQ(pt_walk(&e.t, &ops, c), PT_ERR_CORRUPT);
		CHECK_EQ(e.a.in_use, used + (f->levels - 1) * fmt_table_frames(f));
		/* Wholly inside the range: cleared, never followed. */
		CHECK_EQ(pt_unmap_region(&e.t, cva, fmt_span(f, 0)), PT_OK);
		CHECK_EQ(pte_read(f, &e.a, root, ci), fmt_empty(f));
		CHECK_EQ(pt_query(&e.t, cva, &m), PT_ERR_NOT_MAPPED);
		if (corrupt_leaf(f)) {
			uint64_t lva = V(f, fmt_span(f, 0) * 5 + 3 * PG);
			uint64_t ltab;
			CHECK_EQ(pt_map(&e.t, lva, PG, PG, RW), PT_OK);
			CHECK_EQ(pt_map(&e.t, lva + PG, 2 * PG, PG, RW), PT_OK);
			ltab = table_at(&e, lva, f->levels - 1);
			used = e.a.in_use;
			if (CHECK(ltab != 0)) {
				size_t li = fmt_index(f, f->levels - 1, lva);
				pte_write(f, &e.a, ltab, li, corrupt_leaf(f));
				CHECK_EQ(pt_query(&e.t, lva, &m), PT_ERR_CORRUPT);
				CHECK_EQ(pt_unmap(&e.t, lva, &m), PT_ERR_CORRUPT);
				CHECK_EQ(pt_remap(&e.t, lva, PG, RW, &sz), PT_ERR_CORRUPT);
				CHECK_EQ(pt_protect(&e.t, lva, RW, &sz), PT_ERR_CORRUPT);
				CHECK_EQ(pt_map(&e.t, lva, PG, PG, RW), PT_ERR_CORRUPT);
				CHECK_EQ(pt_protect_region(&e.t, lva, 2 * PG, R_), PT_ERR_CORRUPT);
				/* protect_region is atomic too: the good page kept RW. */
				CHECK_EQ(qpa(&e, lva + PG, NULL, NULL), 2 * PG);
				{
					uint32_t fl = 0;
					qpa(&e, lva + PG, NULL, &fl);
					CHECK_EQ(fl, norm(f, RW));
				}
				/* Both cleared; the emptied tables were reclaimed. */
				CHECK_EQ(pt_unmap_region(&e.t, lva, 2 * PG), PT_OK);
				CHECK_EQ(pt_query(&e.t, lva, &m), PT_ERR_NOT_MAPPED);
				CHECK_EQ(pt_query(&e.t, lva + PG, &m), PT_ERR_NOT_MAPPED);
				CHECK(flushed_use(&e) < used);
				check_tables(&e, true);
			}
		}
	}
	CTX("%s errors", f->name);
	CHECK_EQ(e.a.errors, 0);
	env_fini(&e);
}

/* ---- Leaves of every size ----------------------------------------------- */

static void t_huge(const struct fmt *f)
{
	struct env e;
	struct pt_mapping m;
	uint64_t sz = 0;
	uint32_t fl = 0;
	CTX("%s huge", f->name);
	if (!env_init(&e, f))
		return;
	for (unsigned l = 0; l < f->levels; l++) {
		if (!((f->leaf_mask >> l) & 1))
			continue;
		uint64_t s = fmt_span(f, l);
		uint64_t va = V(f, s); /* index 1 at its level: canonical everywhere */
		uint64_t pa = s * 3;
		if (!pt_pa_valid(f->arch, pa + s - 1))
			pa = s;
		CTX("%s huge level %u size %#llx", f->name, l, (unsigned long long)s);
		if (!CHECK_EQ(pt_map(&e.t, va, pa, s, RWX | PT_USER), PT_OK))
			continue;
		CHECK_EQ(qpa(&e, va + s / 2 + 0x123, &sz, &fl), pa + s / 2 + 0x123);
		CHECK_EQ(sz, s);
		CHECK_EQ(fl, norm(f, RWX | PT_USER));
		CHECK_EQ(qpa(&e, va + s - 1, &sz, NULL), pa + s - 1);
		CHECK_EQ(qpa(&e, va - 1, NULL, NULL), ~UINT64_C(0));
		/* The walk reports one leaf at level l. */
		if (CHECK_EQ(count_leaves(&e), 1)) {
			for (size_t i = 0; i < COLL.n; i++)
				if (COLL.r[i].e.leaf && !COLL.r[i].post) {
					CHECK_EQ(COLL.r[i].e.level, l);
					CHECK_EQ(COLL.r[i].e.va, va);
					CHECK_EQ(COLL.r[i].e.pa, pa);
					CHECK_EQ(COLL.r[i].e.size, s);
				}
		}
		check_tables(&e, true);
		/* remap/protect act on the whole leaf and report its size. */
		if (s > PG)
			CHECK_EQ(pt_remap(&e.t, va + 5 * PG, pa + PG, RW, &sz), PT_ERR_NOT_ALIGNED);
		sz = 0;
		CHECK_EQ(pt_remap(&e.t, va + s / 2, pa + s, RW, &sz),
			 pt_pa_valid(f->arch, pa + 2 * s - 1) ? PT_OK : PT_ERR_INVALID);
		if (sz == s) {
			CHECK_EQ(sz, s);
			CHECK_EQ(qpa(&e, va, NULL, &fl), pa + s);
			CHECK_EQ(fl, norm(f, RW));
			CHECK_EQ(pt_remap(&e.t, va, pa, RW, NULL), PT_OK);
		}
		sz = 0;
		CHECK_EQ(pt_protect(&e.t, va + s - PG, R_ | PT_EXECUTE, &sz), PT_OK);
		CHECK_EQ(sz, s);
		CHECK_EQ(qpa(&e, va, &sz, &fl), pa);
		CHECK_EQ(fl, norm(f, R_ | PT_EXECUTE));
		CHECK_EQ(pt_protect(&e.t, va, PT_EXECUTE, &sz), PT_ERR_INVALID);
		memset(&m, 0, sizeof(m));
		CHECK_EQ(pt_unmap(&e.t, va + s - PG, &m), PT_OK);
		CHECK_EQ(m.pa, pa);
		CHECK_EQ(m.size, s);
		CHECK_EQ(m.flags, norm(f, R_ | PT_EXECUTE));
		CHECK_EQ(pt_unmap(&e.t, va, &m), PT_ERR_NOT_MAPPED);
		/* map_region with ALLOW_HUGE picks this size for an aligned run. */
		CHECK_EQ(pt_map_region(&e.t, va, pa, s, RW, PT_ALLOW_HUGE), PT_OK);
		CHECK_EQ(qpa(&e, va + s - 1, &sz, NULL), pa + s - 1);
		CHECK_EQ(sz, s);
		CHECK_EQ(pt_unmap_region(&e.t, va, s), PT_OK);
		CHECK_EQ(flushed_use(&e), e.base);
		/* Every memory type and permission round-trips at this size. */
		for (uint32_t f6 = 0; f6 < 64; f6++) {
			if (!(f6 & PT_READ))
				continue;
			if (!CHECK_EQ(pt_map(&e.t, va, pa, s, f6), PT_OK))
				break;
			qpa(&e, va, NULL, &fl);
			CHECK_EQ(fl, norm(f, f6));
			CHECK_EQ(pt_unmap(&e.t, va, NULL), PT_OK);
		}
		CHECK_EQ(pt_unmap_region(&e.t, va, s), PT_OK);
		CHECK_EQ(flushed_use(&e), e.base);
	}
	CTX("%s huge", f->name);
	/* ALLOW_HUGE picks the largest leaf VA, PA and size allow; without it
	 * everything is 4K; a PA not congruent to the VA keeps it at 4K. */
	{
		const unsigned hl = fmt_huge_level(f);
		const uint64_t hs = fmt_span(f, hl);
		uint64_t va = V(f, 0x40000000 - PG);
		uint64_t pa = 0x20000000 - PG;
		CHECK_EQ(pt_map_region(&e.t, va, pa, 2 * hs + 2 * PG, RW, PT_ALLOW_HUGE), PT_OK);
		CHECK_EQ(qpa(&e, va, &sz, NULL), pa);
		CHECK_EQ(sz, PG);
		CHECK_EQ(qpa(&e, va + PG + 5, &sz, NULL), pa + PG + 5);
		CHECK_EQ(sz, hs);
		CHECK_EQ(qpa(&e, va + PG + hs, &sz, NULL), pa + PG + hs);
		CHECK_EQ(sz, hs);
		CHECK_EQ(qpa(&e, va + PG + 2 * hs, &sz, NULL), pa + PG + 2 * hs);
		CHECK_EQ(sz, PG);
		CHECK_EQ(count_leaves(&e), 4);
		CHECK_EQ(pt_unmap_region(&e.t, va, 2 * hs + 2 * PG), PT_OK);
		CHECK_EQ(flushed_use(&e), e.base);
		CHECK_EQ(pt_map_region(&e.t, va, pa + PG, 2 * hs + 2 * PG, RW,
				       PT_ALLOW_HUGE), PT_OK);
		CHECK_EQ(count_leaves(&e), (2 * hs + 2 * PG) / PG);
		CHECK_EQ(pt_unmap_region(&e.t, va, 2 * hs + 2 * PG), PT_OK);
		CHECK_EQ(pt_map_region(&e.t, va + PG, pa + PG, hs, RW, 0), PT_OK);
		CHECK_EQ(count_leaves(&e), hs / PG);
		CHECK_EQ(pt_unmap_region(&e.t, va, 2 * hs + 2 * PG), PT_OK);
		CHECK_EQ(flushed_use(&e), e.base);
		/* 1G + 2M + 4K at a 1G boundary: one leaf of each size. */
		if (fmt_has_1g(f)) {
			uint64_t g = PT_SIZE_1G;
			CHECK_EQ(pt_map_region(&e.t, V(f, 4 * g), 4 * g, g + hs + PG, RW,
					       PT_ALLOW_HUGE), PT_OK);
			CHECK_EQ(count_leaves(&e), 3);
			CHECK_EQ(qpa(&e, V(f, 5 * g), &sz, NULL), 5 * g);
			CHECK_EQ(sz, hs);
			CHECK_EQ(pt_unmap_region(&e.t, V(f, 4 * g), g + hs + PG), PT_OK);
			CHECK_EQ(flushed_use(&e), e.base);
		}
	}
	env_fini(&e);
}

/* A slot holding a table with no leaf below is replaced by a huge leaf. */
static void t_empty_subtree(const struct fmt *f)
{
	struct env e;
	uint64_t sz = 0;
	CTX("%s empty subtree", f->name);
	if (!env_init(&e, f))
		return;
	for (unsigned l = 0; l + 1 < f->levels; l++) {
		if (!((f->leaf_mask >> l) & 1))
			continue;
		uint64_t s = fmt_span(f, l);
		uint64_t va = V(f, s);
		size_t before = e.a.in_use, mid;
		unsigned below = f->levels - 1 - l; /* tables under a level-l slot */
		CTX("%s empty subtree level %u", f->name, l);
		CHECK_EQ(pt_map(&e.t, va + s - PG, PG, PG, RW), PT_OK);
		CHECK_EQ(pt_unmap(&e.t, va + s - PG, NULL), PT_OK);
		mid = e.a.in_use;
		/* pt_unmap does not reclaim. */
		CHECK_EQ(mid, before + (f->arch == PT_ARMV7 ? 1 : (f->levels - 1) * fmt_table_frames(f)));
		flush_reset(&e);
		CHECK_EQ(pt_map(&e.t, va, s, s, RW), PT_OK);
		CHECK_EQ(flushed_use(&e), mid - below * fmt_table_frames(f));
		CHECK_EQ(qpa(&e, va + s - PG, &sz, NULL), 2 * s - PG);
		CHECK_EQ(sz, s);
		/* Replacing a table entry needs a full flush. */
		pt_flush(&e.t);
		if (fmt_bbm(f))
			CHECK(e.a.flush_all_calls >= 1); /* break-before-make may add one */
		else
			CHECK_EQ(e.a.flush_all_calls, 1);
		check_tables(&e, true);
		/* Also through map_region, over two emptied subtrees. */
		CHECK_EQ(pt_unmap(&e.t, va, NULL), PT_OK);
		CHECK_EQ(pt_map(&e.t, va + 5 * PG, PG, PG, RW), PT_OK);
		CHECK_EQ(pt_unmap(&e.t, va + 5 * PG, NULL), PT_OK);
		CHECK_EQ(pt_map_region(&e.t, va, s, s, RW, PT_ALLOW_HUGE), PT_OK);
		CHECK_EQ(qpa(&e, va, &sz, NULL), s);
		CHECK_EQ(sz, s);
		check_tables(&e, true);
		CHECK_EQ(pt_unmap_region(&e.t, va, s), PT_OK);
		CHECK_EQ(flushed_use(&e), before);
	}
	env_fini(&e);
}

int main(void)
{
	for (size_t i = 0; i < NALL_FMTS; i++) {
		const struct fmt *f = fmt_nth(i);
		char name[64];
		snprintf(name, sizeof(name), "engine %s", f->name);
		group_begin(name);
		t_init(f);
		t_dead_and_null(f);
		t_errors(f);
		t_huge(f);
		t_empty_subtree(f);
		group_end();
	}
	return check_status();
}
