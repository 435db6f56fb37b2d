/* SPDX-License-Identifier: MIT */
/*
 * AArch64 granules and VA sizes, worked out by hand from the Arm ARM
 * (VMSAv8-64 descriptor formats, the initial lookup level for TxSZ, TCR_ELx
 * fields), not from arch/: raw 16K and 64K descriptors, which levels hold
 * blocks, RES0 address bits, the levels and root of every VA size, pt_tcr,
 * and the granule as the unit of every call (alignment, sizes, tables of
 * several frames below the root, the pt_clear_state bitmap), with failed
 * calls leaving the table as it was.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "fmt.h"

#define B(n) (UINT64_C(1) << (n))
#define R_ PT_READ
#define RW (PT_READ | PT_WRITE)

/* Descriptor bits (Arm ARM, stage 1). */
#define D_VALID 0x1u
#define D_TABLE 0x2u /* table above level 3, page at level 3 */
#define D_NORMAL (1u << 2) /* AttrIndx 1 */
#define D_USER (1u << 6)
#define D_RO (1u << 7)
#define D_SH (3u << 8)
#define D_AF (1u << 10)
#define D_NG (1u << 11)
#define D_DBM B(51)
#define D_PXN B(53)
#define D_UXN B(54)

/* ---- Raw descriptors ------------------------------------------------------ */

struct lit {
	enum pt_arch arch;
	unsigned level; /* as the entry helpers number it: the widest table's */
	uint64_t pa;
	uint32_t flags;
	uint64_t want; /* 0: no such leaf */
};

static const struct lit LITS[] = {
	/* 16K: a page at level 3 maps PA bits 47:14; RW kernel, not global. */
	{ PT_AARCH64_16K, 3, 0x4000, RW,
	  0x4000 | D_VALID | D_TABLE | D_NORMAL | D_SH | D_AF | D_NG | D_DBM | D_PXN | D_UXN },
	/* 16K: a 32M block at level 2, read-only global kernel code. */
	{ PT_AARCH64_16K, 2, 0x2000000, R_ | PT_EXECUTE | PT_GLOBAL,
	  0x2000000 | D_VALID | D_NORMAL | D_RO | D_SH | D_AF | D_UXN },
	/* 16K: no block at level 1 (64G needs LPA2) nor at level 0. */
	{ PT_AARCH64_16K, 1, B(36), R_, 0 },
	{ PT_AARCH64_16K, 0, B(47), R_, 0 },
	/* 64K: a page at level 3 (the third of three) maps PA bits 47:16;
	 * user RWX: PXN always, AP[1]. */
	{ PT_AARCH64_64K, 2, 0x10000, RW | PT_EXECUTE | PT_USER,
	  0x10000 | D_VALID | D_TABLE | D_NORMAL | D_USER | D_SH | D_AF | D_NG | D_DBM | D_PXN },
	/* 64K: a 512M block at level 2, device: AttrIndx 0, SH 0. */
	{ PT_AARCH64_64K, 1, 0x20000000, R_ | PT_DEVICE,
	  0x20000000 | D_VALID | D_RO | D_AF | D_NG | D_PXN | D_UXN },
	/* 64K: no block at level 1 (4T needs LPA). */
	{ PT_AARCH64_64K, 0, B(42), R_, 0 },
	/* Misaligned PAs: no entry. */
	{ PT_AARCH64_16K, 3, 0x1000, R_, 0 },
	{ PT_AARCH64_64K, 2, 0x4000, R_, 0 },
	{ PT_AARCH64_64K, 1, 0x10000, R_, 0 },
};

struct bad {
	enum pt_arch arch;
	unsigned level;
	uint64_t pte;
	const char *what;
};

static const struct bad BAD[] = {
	{ PT_AARCH64_16K, 3, 0x5000 | 0x703, "16K page with OA bit 12 (RES0)" },
	{ PT_AARCH64_16K, 3, 0x6000 | 0x703, "16K page with OA bit 13 (RES0)" },
	{ PT_AARCH64_16K, 2, 0x2004000 | 0x701, "16K block with OA bit 14" },
	{ PT_AARCH64_16K, 1, B(36) | 0x701, "16K block at level 1" },
	{ PT_AARCH64_16K, 2, 0x9000 | 0x3, "16K table at a 4K-aligned PA" },
	{ PT_AARCH64_16K, 3, 0x4000 | 0x701, "16K level 3 with bit 1 clear" },
	{ PT_AARCH64_64K, 2, 0x11000 | 0x703, "64K page with OA bit 12 (OA[51:48] with LPA)" },
	{ PT_AARCH64_64K, 1, 0x20010000 | 0x701, "64K block with OA bit 16" },
	{ PT_AARCH64_64K, 0, B(42) | 0x701, "64K block at level 1" },
	{ PT_AARCH64_64K, 1, 0x18000 | 0x3, "64K table at a 32K-aligned PA" },
};

static void literals(void)
{
	struct pt_entry e;
	for (size_t i = 0; i < sizeof(LITS) / sizeof(LITS[0]); i++) {
		const struct lit *l = &LITS[i];
		uint64_t pte = pt_pte_page(l->arch, 0, l->level, l->pa, l->flags);
		CTX("literal %zu", i);
		CHECK_EQ(pte, l->want);
		if (!l->want)
			continue;
		if (CHECK_EQ(pt_pte_decode(l->arch, 0, l->level, pte, &e), PT_OK)) {
			CHECK(e.leaf);
			CHECK_EQ(e.pa, l->pa);
			CHECK_EQ(e.flags, pt_flags_normalize(l->arch, 0, l->flags));
			CHECK_EQ(e.state, PT_ACCESSED | (l->flags & PT_WRITE ? PT_DIRTY : 0));
		}
	}
	for (size_t i = 0; i < sizeof(BAD) / sizeof(BAD[0]); i++) {
		CTX("%s", BAD[i].what);
		CHECK_EQ(pt_pte_decode(BAD[i].arch, 0, BAD[i].level, BAD[i].pte, &e), PT_ERR_CORRUPT);
	}
	CTX_CLEAR();
	/* Page and block sizes as decoded. */
	CHECK_EQ(pt_pte_decode(PT_AARCH64_16K, 0, 3, LITS[0].want, &e), PT_OK);
	CHECK_EQ(e.size, PT_SIZE_16K);
	CHECK_EQ(pt_pte_decode(PT_AARCH64_16K, 0, 2, LITS[1].want, &e), PT_OK);
	CHECK_EQ(e.size, PT_SIZE_32M);
	CHECK_EQ(pt_pte_decode(PT_AARCH64_64K, 0, 2, LITS[4].want, &e), PT_OK);
	CHECK_EQ(e.size, PT_SIZE_64K);
	CHECK_EQ(pt_pte_decode(PT_AARCH64_64K, 0, 1, LITS[5].want, &e), PT_OK);
	CHECK_EQ(e.size, PT_SIZE_512M);
	/* Table descriptors: 0b11 | the next table's PA, aligned to a granule. */
	CHECK_EQ(pt_pte_table(PT_AARCH64_16K, 0, 0x8000), 0x8003);
	CHECK_EQ(pt_pte_table(PT_AARCH64_16K, 2, 0x6000), 0);
	CHECK_EQ(pt_pte_table(PT_AARCH64_16K, 3, 0x8000), 0); /* no table below level 3 */
	CHECK_EQ(pt_pte_table(PT_AARCH64_64K, 1, 0x30000), 0x30003);
	CHECK_EQ(pt_pte_table(PT_AARCH64_64K, 1, 0x38000), 0);
	if (CHECK_EQ(pt_pte_decode(PT_AARCH64_64K, 0, 0, 0x30003, &e), PT_OK)) {
		CHECK(!e.leaf);
		CHECK_EQ(e.pa, 0x30000);
	}
	/* Metadata at the default width. */
	{
		const struct pt_arch_info *a = pt_arch_info(PT_AARCH64_16K);
		const struct pt_arch_info *b = pt_arch_info(PT_AARCH64_64K);
		if (CHECK(a && b)) {
			CHECK_EQ(a->levels, 4);
			CHECK_EQ(a->va_bits, 48);
			CHECK_EQ(a->pa_bits, 48);
			CHECK_EQ(a->leaf_sizes, PT_SIZE_16K | PT_SIZE_32M);
			CHECK_EQ(b->levels, 3);
			CHECK_EQ(b->va_bits, 48);
			CHECK_EQ(b->leaf_sizes, PT_SIZE_64K | PT_SIZE_512M);
		}
	}
	CHECK(pt_va_valid(PT_AARCH64_16K, UINT64_C(0xffff000000000000)));
	CHECK(!pt_va_valid(PT_AARCH64_64K, B(48)));
	CHECK_EQ(pt_flags_normalize(PT_AARCH64_64K, PT_FEAT_AARCH64_EL2, RW | PT_USER | PT_GLOBAL),
		 RW);
}

/* ---- VA sizes: levels, root, TCR ---------------------------------------- */

struct width {
	enum pt_arch arch;
	unsigned feat, bits, levels, root_frames, page_shift;
	uint64_t tcr;
};

/*
 * Levels from the initial lookup level for TxSZ = 64 - bits (4K: level 0
 * for TxSZ 16..24, 1 for 25..33, 2 for 34..39; 16K: 0 for 16, 1 for
 * 17..27, 2 for 28..38; 64K: 1 for 16..21, 2 for 22..34); the root holds
 * what the levels below leave of the VA. TCR by hand: T0SZ 5:0, IRGN0 01,
 * ORGN0 01, SH0 11 (0x3500), TG0 (4K 0, 64K 0x4000, 16K 0x8000), IPS 0b101
 * at 34:32; TTBR1's fields 16 bits up with TG1 (16K 1, 4K 2, 64K 3 at
 * 31:30); EL2: PS 0b101 at 18:16, RES1 23 and 31.
 */
static const struct width WIDTHS[] = {
	{ PT_AARCH64, 0, 48, 4, 1, 12, 0x500003510 },
	{ PT_AARCH64, 0, 40, 4, 1, 12, 0x500003518 },
	{ PT_AARCH64, 0, 39, 3, 1, 12, 0x500003519 },
	{ PT_AARCH64, 0, 31, 3, 1, 12, 0x500003521 },
	{ PT_AARCH64, 0, 30, 2, 1, 12, 0x500003522 },
	{ PT_AARCH64, 0, 25, 2, 1, 12, 0x500003527 },
	{ PT_AARCH64, PT_FEAT_AARCH64_HIGH, 48, 4, 1, 12, 0x5b5100000 },
	{ PT_AARCH64, PT_FEAT_AARCH64_HIGH, 39, 3, 1, 12, 0x5b5190000 },
	{ PT_AARCH64, PT_FEAT_AARCH64_EL2, 48, 4, 1, 12, 0x80853510 },
	{ PT_AARCH64_16K, 0, 48, 4, 1, 14, 0x50000b510 },
	{ PT_AARCH64_16K, 0, 47, 3, 4, 14, 0x50000b511 },
	{ PT_AARCH64_16K, 0, 37, 3, 1, 14, 0x50000b51b },
	{ PT_AARCH64_16K, 0, 36, 2, 4, 14, 0x50000b51c },
	{ PT_AARCH64_16K, 0, 26, 2, 1, 14, 0x50000b526 },
	{ PT_AARCH64_16K, PT_FEAT_AARCH64_HIGH, 48, 4, 1, 14, 0x575100000 },
	{ PT_AARCH64_16K, PT_FEAT_AARCH64_EL2, 47, 3, 4, 14, 0x8085b511 },
	{ PT_AARCH64_64K, 0, 48, 3, 1, 16, 0x500007510 },
	{ PT_AARCH64_64K, 0, 43, 3, 1, 16, 0x500007515 },
	{ PT_AARCH64_64K, 0, 42, 2, 16, 16, 0x500007516 },
	{ PT_AARCH64_64K, 0, 30, 2, 1, 16, 0x500007522 },
	{ PT_AARCH64_64K, PT_FEAT_AARCH64_HIGH, 48, 3, 1, 16, 0x5f5100000 },
	{ PT_AARCH64_64K, PT_FEAT_AARCH64_EL2, 48, 3, 1, 16, 0x80857510 },
};

static void widths(void)
{
	struct arena a;
	struct pt_mm mm;
	struct pt_table t;
	if (arena_init(&a, UINT64_C(0x80000000), 512) != 0) {
		CHECK(!"arena");
		return;
	}
	arena_mm(&a, &mm);
	for (size_t i = 0; i < sizeof(WIDTHS) / sizeof(WIDTHS[0]); i++) {
		const struct width *w = &WIDTHS[i];
		const struct pt_config cfg = { w->arch, w->feat, w->bits };
		const uint64_t page = B(w->page_shift);
		const size_t sub = (size_t)(page / PT_SIZE_4K); /* frames of a table below the root */
		const bool high = w->feat & PT_FEAT_AARCH64_HIGH;
		const uint64_t lo = high ? 0 - B(w->bits) : 0, top = lo + B(w->bits) - page;
		struct pt_mapping m;
		uint64_t root;
		CTX("arch %u feat %#x bits %u", w->arch, w->feat, w->bits);
		if (!CHECK_EQ(pt_init_config(&t, &cfg, &mm), PT_OK))
			continue;
		root = pt_root(&t);
		CHECK_EQ(a.in_use, w->root_frames);
		CHECK_EQ(root % (w->root_frames * PT_SIZE_4K), 0);
		CHECK_EQ(pt_tcr(&t), w->tcr);
		/* The last page: one table per level below the root, each a
		 * granule aligned to itself. */
		CHECK_EQ(pt_map(&t, top, 2 * page, page, RW), PT_OK);
		CHECK_EQ(a.in_use, w->root_frames + (w->levels - 1) * sub);
		CHECK_EQ(pt_query(&t, top + page - 1, &m), PT_OK);
		CHECK_EQ(m.pa, 3 * page - 1);
		CHECK_EQ(m.size, page);
		/* pt_access under a regime of this width reads what was
		 * written: the page, its size, a write allowed; pt_translate
		 * at the default width. */
		{
			struct pt_regime r;
			struct pt_fault ft;
			memset(&r, 0, sizeof(r));
			r.arch = w->arch;
			r.features = w->feat;
			r.va_bits = w->bits;
			r.root = root;
			r.controls = PT_CTL_HA | PT_CTL_HD;
			CHECK_EQ(pt_access(&r, &mm, top + 8, PT_ACCESS_WRITE, &m, &ft), PT_OK);
			CHECK_EQ(m.pa, 2 * page + 8);
			CHECK_EQ(m.size, page);
			CHECK_EQ(pt_access(&r, &mm, top - page, PT_ACCESS_READ, &m, &ft), PT_ERR_FAULT);
			CHECK_EQ(ft.kind, PT_FAULT_NOT_PRESENT);
			if (w->bits == 48) {
				CHECK_EQ(pt_translate(w->arch, w->feat, root, &mm, top + 8, &m), PT_OK);
				CHECK_EQ(m.pa, 2 * page + 8);
			}
		}
		/* Just outside the half, and the first VA of it. */
		CHECK_EQ(pt_map(&t, high ? lo - page : B(w->bits), 0, page, RW), PT_ERR_INVALID);
		CHECK_EQ(pt_map(&t, lo, 0, page, RW), PT_OK);
		CHECK_EQ(pt_unmap_region(&t, lo, B(w->bits)), PT_OK);
		pt_flush(&t);
		CHECK_EQ(a.in_use, w->root_frames);
		pt_destroy(&t);
		CHECK_EQ(a.in_use, 0);
		CHECK_EQ(pt_tcr(&t), 0); /* dead */
	}
	CTX_CLEAR();
	/* Sizes a granule cannot express (one past either end; a one-level
	 * table is not built), and pt_tcr of other formats. */
	{
		static const struct {
			enum pt_arch arch;
			unsigned bits;
		} NO[] = { { PT_AARCH64, 24 },     { PT_AARCH64, 49 },     { PT_AARCH64_16K, 25 },
			   { PT_AARCH64_16K, 49 }, { PT_AARCH64_64K, 29 }, { PT_AARCH64_64K, 49 },
			   { PT_AARCH64_64K, 52 } };
		for (size_t i = 0; i < sizeof(NO) / sizeof(NO[0]); i++) {
			const struct pt_config c = { NO[i].arch, 0, NO[i].bits };
			CTX("arch %u bits %u", NO[i].arch, NO[i].bits);
			CHECK_EQ(pt_init_config(&t, &c, &mm), PT_ERR_INVALID);
			CHECK_EQ(a.in_use, 0);
		}
		CTX_CLEAR();
	}
	{
		const struct pt_config s2 = { PT_AARCH64_S2, 0, 0 }, x = { PT_X86_64, 0, 0 };
		const struct pt_config both = { PT_AARCH64_16K, PT_FEAT_AARCH64_EL2 | PT_FEAT_AARCH64_HIGH, 0 };
		if (CHECK_EQ(pt_init_config(&t, &s2, &mm), PT_OK)) {
			CHECK_EQ(pt_tcr(&t), 0);
			pt_destroy(&t);
		}
		if (CHECK_EQ(pt_init_config(&t, &x, &mm), PT_OK)) {
			CHECK_EQ(pt_tcr(&t), 0);
			pt_destroy(&t);
		}
		CHECK_EQ(pt_init_config(&t, &both, &mm), PT_ERR_INVALID);
		CHECK_EQ(pt_init(&t, PT_AARCH64_64K, PT_FEAT_RISCV_SVPBMT, &mm), PT_ERR_INVALID);
		CHECK_EQ(pt_tcr(NULL), 0);
	}
	CHECK_EQ(a.errors, 0);
	arena_fini(&a);
}

/* ---- The granule as the unit of every call -------------------------------- */

static uint64_t digest_of(const struct pt_table *t)
{
	return table_digest(t).h;
}

static int count_table(void *arg, const struct pt_entry *e)
{
	uint64_t *bad = arg;
	/* Every table below the root is one granule, aligned to it. */
	if (!e->leaf && (e->pa & (bad[1] - 1)))
		bad[0]++;
	return 0;
}

static void unit(enum pt_arch arch, unsigned feat)
{
	struct arena a;
	struct pt_mm mm;
	struct pt_table t;
	const struct pt_arch_info *in = pt_arch_info(arch);
	const uint64_t page = arch == PT_AARCH64_16K ? PT_SIZE_16K : PT_SIZE_64K;
	const uint64_t huge = arch == PT_AARCH64_16K ? PT_SIZE_32M : PT_SIZE_512M;
	const size_t sub = (size_t)(page / PT_SIZE_4K);
	const uint64_t lo = feat & PT_FEAT_AARCH64_HIGH ? UINT64_C(0xffff000000000000) : 0;
	const uint64_t va = lo + 4 * huge;
	uint64_t d0, bitmap[4] = { 0 }, bad[2] = { 0, page }, sz;
	size_t used;
	struct pt_mapping m;
	struct pt_walk_ops ops = { 0, count_table, NULL };
	CTX("unit arch %u feat %#x", arch, feat);
	if (!in || arena_init(&a, UINT64_C(0x40000000), 1024) != 0) {
		CHECK(!"setup");
		return;
	}
	arena_mm(&a, &mm);
	if (!CHECK_EQ(pt_init(&t, arch, feat, &mm), PT_OK)) {
		arena_fini(&a);
		return;
	}
	/* Three pages and a block; the pages take one table per level. */
	CHECK_EQ(pt_map_region(&t, va, 0x10000000, 3 * page, RW, 0), PT_OK);
	CHECK_EQ(a.in_use, 1 + (in->levels - 1) * sub);
	CHECK_EQ(pt_map_region(&t, va + huge, 2 * huge, huge, RW, PT_ALLOW_HUGE), PT_OK);
	CHECK_EQ(pt_query(&t, va + 2 * page + 5, &m), PT_OK);
	CHECK_EQ(m.pa, 0x10000000 + 2 * page + 5);
	CHECK_EQ(m.size, page);
	CHECK_EQ(pt_query(&t, va + huge + 7, &m), PT_OK);
	CHECK_EQ(m.pa, 2 * huge + 7);
	CHECK_EQ(m.size, huge);
	CHECK_EQ(pt_walk(&t, &ops, bad), PT_OK);
	CHECK_EQ(bad[0], 0);
	/* Not a granule: refused, nothing changed, nothing allocated. */
	used = a.in_use;
	d0 = digest_of(&t);
	CHECK_EQ(pt_map(&t, va + 8 * page, 0x20000000, PT_SIZE_4K, RW), PT_ERR_INVALID);
	CHECK_EQ(pt_map(&t, va + 8 * page + PT_SIZE_4K, 0x20000000, page, RW), PT_ERR_NOT_ALIGNED);
	CHECK_EQ(pt_map_region(&t, va + 8 * page + PT_SIZE_4K, 0x20000000, page, RW, 0),
		 PT_ERR_NOT_ALIGNED);
	CHECK_EQ(pt_map_region(&t, va + 8 * page, 0x20001000, page, RW, 0), PT_ERR_NOT_ALIGNED);
	CHECK_EQ(pt_map_region(&t, va + 8 * page, 0x20000000, page + PT_SIZE_4K, RW, 0),
		 PT_ERR_NOT_ALIGNED);
	CHECK_EQ(pt_unmap_region(&t, va + PT_SIZE_4K, page), PT_ERR_NOT_ALIGNED);
	CHECK_EQ(pt_protect_region(&t, va, page / 2, R_), PT_ERR_NOT_ALIGNED);
	CHECK_EQ(pt_remap(&t, va, 0x30001000, RW, &sz), PT_ERR_NOT_ALIGNED);
	CHECK_EQ(pt_clear_state(&t, va, PT_SIZE_4K, PT_ACCESSED, bitmap), PT_ERR_NOT_ALIGNED);
	CHECK_EQ(pt_walk_ranges(&t, va + PT_SIZE_4K, page, NULL, NULL), PT_ERR_INVALID);
	CHECK_EQ(a.in_use, used);
	CHECK_EQ(digest_of(&t), d0);
	/* Allocation failure at every step of a map needing new tables of
	 * several frames, and of a split of the block: atomic. */
	for (unsigned long n = 1; n <= 4; n++) {
		arena_fail_nth(&a, n);
		int r = pt_map_region(&t, lo + B(40), 0x20000000, 2 * page, RW, 0);
		arena_fail_nth(&a, 0);
		if (r == PT_OK) {
			CHECK_EQ(pt_unmap_region(&t, lo + B(40), 2 * page), PT_OK);
			pt_flush(&t);
			break;
		}
		CHECK_EQ(r, PT_ERR_NO_MEMORY);
		CHECK_EQ(a.in_use, used);
		CHECK_EQ(digest_of(&t), d0);
	}
	CHECK_EQ(a.in_use, used);
	arena_fail_nth(&a, 1);
	CHECK_EQ(pt_protect_region(&t, va + huge + page, page, R_), PT_ERR_NO_MEMORY);
	arena_fail_nth(&a, 0);
	CHECK_EQ(a.in_use, used);
	CHECK_EQ(digest_of(&t), d0);
	/* The split makes granule pages with the block's attributes. */
	CHECK_EQ(pt_protect_region(&t, va + huge + page, page, R_), PT_OK);
	CHECK_EQ(a.in_use, used + sub);
	CHECK_EQ(pt_query(&t, va + huge + page, &m), PT_OK);
	CHECK_EQ(m.size, page);
	CHECK_EQ(m.flags, R_);
	CHECK_EQ(pt_query(&t, va + huge + 2 * page, &m), PT_OK);
	CHECK_EQ(m.pa, 2 * huge + 2 * page);
	CHECK_EQ(m.flags, RW);
	/* One bitmap bit per granule. */
	CHECK_EQ(pt_clear_state(&t, va - page, 5 * page, PT_ACCESSED, bitmap), PT_OK);
	CHECK_EQ(bitmap[0], 0xe);
	CHECK_EQ(pt_query(&t, va + page, &m), PT_OK);
	CHECK_EQ(m.state & PT_ACCESSED, 0);
	/* Unmapping everything gives every table back. */
	CHECK_EQ(pt_unmap_region(&t, lo, B(48)), PT_OK);
	pt_flush(&t);
	CHECK_EQ(a.in_use, 1);
	pt_destroy(&t);
	CHECK_EQ(a.in_use, 0);
	CHECK_EQ(a.errors, 0);
	arena_fini(&a);
	CTX_CLEAR();
}

int main(void)
{
	group_begin("granule literals");
	literals();
	group_end();
	group_begin("granule va sizes and pt_tcr");
	widths();
	group_end();
	group_begin("granule as the unit");
	unit(PT_AARCH64_16K, 0);
	unit(PT_AARCH64_16K, PT_FEAT_AARCH64_HIGH);
	unit(PT_AARCH64_64K, 0);
	unit(PT_AARCH64_64K, PT_FEAT_AARCH64_EL2);
	group_end();
	return check_status();
}
