/* SPDX-License-Identifier: MIT */
/*
 * 52-bit output addresses and VAs on AArch64 stage 1, worked out by hand
 * from the Arm ARM's descriptor formats, not from arch/: FEAT_LPA2 on the
 * 4K and 16K granules (TCR.DS = 1: OA[51:50] in bits 9:8, OA[49:48] in
 * bits 49:48, no shareability field), FEAT_LPA on 64K (OA[51:48] in bits
 * 15:12), the blocks each makes legal, FEAT_LVA's 52-bit VAs on 64K,
 * pt_tcr, and bad input refused with nothing changed.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "fmt.h"

#define B(n) (UINT64_C(1) << (n))
#define R_ PT_READ
#define RW (PT_READ | PT_WRITE)
#define PA52 PT_FEAT_AARCH64_PA52
#define VA52 PT_FEAT_AARCH64_VA52

/* ---- Raw descriptors ------------------------------------------------------ */

struct lit {
	enum pt_arch arch;
	unsigned level; /* as the entry helpers number it: the widest table's */
	uint64_t pa;
	uint32_t flags;
	uint64_t want; /* 0: no such leaf */
};

/* Attribute bits: valid 0, page/table 1, AttrIndx 4:2 (1 Normal, 0
 * Device), AP[1] 6, AP[2] 7, SH 9:8 (64K only), AF 10, nG 11, DBM 51, PXN
 * 53, UXN 54. */
static const struct lit LITS[] = {
	/* 4K, a page at level 3, PA 0xf_1234_5678_9000: OA[49:12] in place
	 * (0x3_1234_5678_9000), OA[51:50] = 3 in bits 9:8; RW kernel, nG:
	 * V|P|Attr1|AF|nG = 0xc07, | 0x300, DBM|PXN|UXN = 0x68 << 48. */
	{ PT_AARCH64, 3, UINT64_C(0x000f123456789000), RW, UINT64_C(0x006b123456789f07) },
	/* 4K, a 512G block at level 0, PA 0xa_0080_0000_0000: OA[49:48] = 2
	 * (bit 49), OA[51:50] = 2 (bit 9), bit 39; RX global kernel:
	 * V|Attr1|AP[2]|AF = 0x485, | 0x200, UXN. */
	{ PT_AARCH64, 0, UINT64_C(0x000a008000000000), R_ | PT_EXECUTE | PT_GLOBAL,
	  UINT64_C(0x0042008000000685) },
	/* 4K, a 1G block at level 1 at PA 2^50 + 2^30: bit 8 and bit 30. */
	{ PT_AARCH64, 1, B(50) | B(30), R_, UINT64_C(0x0060000040000d85) },
	/* 16K, a page at level 3, PA 0x5_0000_0000_4000: bit 48, bit 8. */
	{ PT_AARCH64_16K, 3, UINT64_C(0x0005000000004000), RW, UINT64_C(0x0069000000004d07) },
	/* 16K, a 64G block at level 1, Device: Attr0, no SH; PA
	 * 0xc_0010_0000_0000: bits 9:8 = 3, bit 36. */
	{ PT_AARCH64_16K, 1, UINT64_C(0x000c001000000000), R_ | PT_DEVICE,
	  UINT64_C(0x0060001000000f81) },
	/* 16K: still no block at level 0. */
	{ PT_AARCH64_16K, 0, B(47), R_, 0 },
	/* 64K, a page at level 3 (level 2 of three), PA 0xf_0000_0001_0000:
	 * OA[51:48] = 0xf in bits 15:12; user RWX with SH inner (0x300):
	 * V|P|Attr1|AP[1]|SH|AF|nG = 0xf47, DBM|PXN. */
	{ PT_AARCH64_64K, 2, UINT64_C(0x000f000000010000), RW | PT_EXECUTE | PT_USER,
	  UINT64_C(0x002800000001ff47) },
	/* 64K, a 4T block at Arm level 1, PA 0x3_0400_0000_0000: bits 13:12,
	 * bit 42; RX global kernel: V|Attr1|AP[2]|SH|AF = 0x785, UXN. */
	{ PT_AARCH64_64K, 0, UINT64_C(0x0003040000000000), R_ | PT_EXECUTE | PT_GLOBAL,
	  UINT64_C(0x0040040000003785) },
	/* 64K, a 512M Device block at PA 0x9_0000_2000_0000: bits 15 and 12. */
	{ PT_AARCH64_64K, 1, UINT64_C(0x0009000020000000), R_ | PT_DEVICE,
	  UINT64_C(0x0060000020009c81) },
};

/* Descriptors the walker must refuse, with 52-bit OAs. */
static const struct {
	enum pt_arch arch;
	unsigned level;
	uint64_t pte;
	const char *what;
} BAD[] = {
	{ PT_AARCH64, 0, B(50) | 0x3, "4K table with bit 50 set" },
	{ PT_AARCH64, 0, UINT64_C(0x0042008000000685) | B(52), "4K 512G block, contiguous" },
	{ PT_AARCH64, 0, UINT64_C(0x0042008000001685), "4K 512G block, OA bit 12" },
	{ PT_AARCH64, 1, UINT64_C(0x0060000040200d85), "4K 1G block, OA bit 21" },
	{ PT_AARCH64, 3, UINT64_C(0x006b123456789f05), "4K level 3, bit 1 clear" },
	{ PT_AARCH64_16K, 3, UINT64_C(0x0069000000005d07), "16K page, bit 12" },
	{ PT_AARCH64_16K, 2, B(13) | 0x3, "16K table, bit 13" },
	{ PT_AARCH64_16K, 0, B(47) | 0x401, "16K block at level 0" },
	{ PT_AARCH64_16K, 1, UINT64_C(0x0060001000000f81) | B(52), "16K 64G block, contiguous" },
	{ PT_AARCH64_64K, 2, UINT64_C(0x002900000001ff47), "64K page, bit 48" },
	{ PT_AARCH64_64K, 0, UINT64_C(0x0040040000013785), "64K 4T block, OA bit 16" },
	{ PT_AARCH64_64K, 2, UINT64_C(0x002800000001fd47), "64K page, SH 0b01" },
	{ PT_AARCH64_64K, 1, B(48) | 0x30003, "64K table, bit 48" },
};

static void literals(void)
{
	struct pt_entry e;
	for (size_t i = 0; i < sizeof(LITS) / sizeof(LITS[0]); i++) {
		const struct lit *l = &LITS[i];
		uint64_t pte = pt_pte_page(l->arch, PA52, l->level, l->pa, l->flags);
		CTX("literal %zu", i);
		CHECK_EQ(pte, l->want);
		if (!l->want)
			continue;
		if (CHECK_EQ(pt_pte_decode(l->arch, PA52, l->level, pte, &e), PT_OK)) {
			CHECK(e.leaf);
			CHECK_EQ(e.pa, l->pa);
			CHECK_EQ(e.flags, pt_flags_normalize(l->arch, PA52, l->flags));
			CHECK_EQ(e.state, PT_ACCESSED | (l->flags & PT_WRITE ? PT_DIRTY : 0));
		}
		/* Without the feature the same PA has no encoding. */
		CHECK_EQ(pt_pte_page(l->arch, 0, l->level, l->pa, l->flags), 0);
	}
	for (size_t i = 0; i < sizeof(BAD) / sizeof(BAD[0]); i++) {
		CTX("%s", BAD[i].what);
		CHECK_EQ(pt_pte_decode(BAD[i].arch, PA52, BAD[i].level, BAD[i].pte, &e),
			 PT_ERR_CORRUPT);
	}
	CTX_CLEAR();
	/* Block sizes as decoded. */
	CHECK_EQ(pt_pte_decode(PT_AARCH64, PA52, 0, LITS[1].want, &e), PT_OK);
	CHECK_EQ(e.size, PT_SIZE_512G);
	CHECK_EQ(pt_pte_decode(PT_AARCH64_16K, PA52, 1, LITS[4].want, &e), PT_OK);
	CHECK_EQ(e.size, PT_SIZE_64G);
	CHECK_EQ(pt_pte_decode(PT_AARCH64_64K, PA52, 0, LITS[7].want, &e), PT_OK);
	CHECK_EQ(e.size, PT_SIZE_4T);
	/* Foreign table descriptors with OA bits 48..51 set. */
	if (CHECK_EQ(pt_pte_decode(PT_AARCH64, PA52, 1, UINT64_C(0x0003123456789303), &e), PT_OK)) {
		CHECK(!e.leaf);
		CHECK_EQ(e.pa, UINT64_C(0x000f123456789000));
	}
	if (CHECK_EQ(pt_pte_decode(PT_AARCH64_16K, PA52, 2, UINT64_C(0x0001000000008103), &e),
		     PT_OK)) {
		CHECK(!e.leaf);
		CHECK_EQ(e.pa, UINT64_C(0x0005000000008000));
	}
	if (CHECK_EQ(pt_pte_decode(PT_AARCH64_64K, PA52, 1, UINT64_C(0x000000123456a003), &e),
		     PT_OK)) {
		CHECK(!e.leaf);
		CHECK_EQ(e.pa, UINT64_C(0x000a001234560000));
	}
	/* The same bits read without the feature: shareability (4K: the PA
	 * is below 2^48), or RES0 (64K's 15:12). */
	if (CHECK_EQ(pt_pte_decode(PT_AARCH64, 0, 3, UINT64_C(0x0060000012345f07), &e), PT_OK))
		CHECK_EQ(e.pa, UINT64_C(0x12345000));
	CHECK_EQ(pt_pte_decode(PT_AARCH64_64K, 0, 1, UINT64_C(0x000000123456a003), &e),
		 PT_ERR_CORRUPT);
	/* A 512G block needs PA52. */
	CHECK_EQ(pt_pte_page(PT_AARCH64, 0, 0, B(39), R_), 0);
	/* Bad input: an OA of 53 bits, a misaligned high OA, PA52 where no
	 * format has it. */
	CHECK_EQ(pt_pte_page(PT_AARCH64, PA52, 3, B(52), R_), 0);
	CHECK_EQ(pt_pte_page(PT_AARCH64_64K, PA52, 2, B(52) | B(16), R_), 0);
	CHECK_EQ(pt_pte_page(PT_AARCH64, PA52, 0, B(51) | B(12), R_), 0);
	CHECK_EQ(pt_pte_page(PT_AARCH64_16K, PA52, 1, B(50) | B(14), R_), 0);
	CHECK_EQ(pt_pte_page(PT_AARCH64_S2, PA52, 3, B(50), R_), 0);
	CHECK_EQ(pt_pte_page(PT_X86_64, PA52, 3, 0x1000, R_), 0);
	CHECK_EQ(pt_pte_decode(PT_RISCV_SV39, PA52, 0, 0x1, &e), PT_ERR_INVALID);
	/* Metadata. */
	{
		const struct pt_arch_info *a = pt_arch_info(PT_AARCH64);
		if (CHECK(a))
			CHECK_EQ(a->pa_bits, 48); /* the default regime */
	}
}

/* ---- Tables, VA sizes and pt_tcr ----------------------------------------- */

struct width {
	enum pt_arch arch;
	unsigned feat, bits;
	unsigned page_shift, levels;
	size_t root_frames;
	uint64_t tcr;
	uint64_t huge; /* the largest block */
};

/* TCR: T0SZ 5:0, IRGN0/ORGN0 WB 0x500, SH0 inner 0x3000, TG0 15:14 (4K
 * 0, 64K 1, 16K 2), IPS 34:32 (0b110: 52 bits), DS bit 59 (LPA2); the
 * upper half 16 bits higher with TG1 (16K 1, 4K 2, 64K 3); TCR_EL2 PS
 * 18:16, RES1 23 and 31, DS bit 32. */
static const struct width WIDTHS[] = {
	{ PT_AARCH64, PA52, 48, 12, 4, 1, UINT64_C(0x0800000600003510), PT_SIZE_512G },
	{ PT_AARCH64, PA52 | PT_FEAT_AARCH64_HIGH, 48, 12, 4, 1, UINT64_C(0x08000006b5100000),
	  PT_SIZE_512G },
	{ PT_AARCH64, PA52 | PT_FEAT_AARCH64_EL2, 48, 12, 4, 1, UINT64_C(0x0000000180863510),
	  PT_SIZE_512G },
	{ PT_AARCH64, PA52, 39, 12, 3, 1, UINT64_C(0x0800000600003519), PT_SIZE_1G },
	{ PT_AARCH64_16K, PA52, 48, 14, 4, 1, UINT64_C(0x080000060000b510), PT_SIZE_64G },
	{ PT_AARCH64_16K, PA52 | VA52, 52, 14, 4, 1, UINT64_C(0x080000060000b50c), PT_SIZE_64G },
	{ PT_AARCH64_16K, PA52, 47, 14, 3, 4, UINT64_C(0x080000060000b511), PT_SIZE_64G },
	{ PT_AARCH64_64K, PA52, 48, 16, 3, 1, UINT64_C(0x0000000600007510), PT_SIZE_4T },
	{ PT_AARCH64_64K, VA52, 52, 16, 3, 2, UINT64_C(0x000000050000750c), PT_SIZE_512M },
	{ PT_AARCH64_64K, PA52 | VA52 | PT_FEAT_AARCH64_HIGH, 52, 16, 3, 2,
	  UINT64_C(0x00000006f50c0000), PT_SIZE_4T },
	{ PT_AARCH64_64K, VA52, 49, 16, 3, 1, UINT64_C(0x000000050000750f), PT_SIZE_512M },
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
		const bool high = w->feat & PT_FEAT_AARCH64_HIGH;
		const bool pa52 = w->feat & PA52;
		const uint64_t lo = high ? 0 - B(w->bits) : 0, top = lo + B(w->bits) - page;
		/* A PA with bits 48..51 set where the table has them. */
		const uint64_t hipa = pa52 ? UINT64_C(0x000d000000000000) : 0;
		struct pt_mapping m;
		struct digest d0;
		size_t used;
		uint64_t root;
		CTX("arch %u feat %#x bits %u", w->arch, w->feat, w->bits);
		if (!CHECK_EQ(pt_init_config(&t, &cfg, &mm), PT_OK))
			continue;
		root = pt_root(&t);
		CHECK_EQ(a.in_use, w->root_frames);
		CHECK_EQ(root % (w->root_frames * PT_SIZE_4K), 0);
		CHECK_EQ(pt_tcr(&t), w->tcr);
		/* The last page of the range, mapped to a high PA. */
		CHECK_EQ(pt_map(&t, top, hipa | 2 * page, page, RW), PT_OK);
		CHECK_EQ(pt_query(&t, top + page - 1, &m), PT_OK);
		CHECK_EQ(m.pa, hipa | (3 * page - 1));
		CHECK_EQ(m.size, page);
		/* pt_access under a regime of the table's width, and one that
		 * says the CPU has 48 PA bits: an address-size fault there. */
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
			CHECK_EQ(m.pa, hipa | (2 * page + 8));
			if (pa52) {
				r.pa_bits = 48;
				CHECK_EQ(pt_access(&r, &mm, top + 8, PT_ACCESS_READ, &m, &ft),
					 PT_ERR_FAULT);
				CHECK_EQ(ft.kind, PT_FAULT_RESERVED); /* the address size fault */
			}
			if (w->bits == 48) {
				CHECK_EQ(pt_translate(w->arch, w->feat, root, &mm, top + 8, &m), PT_OK);
				CHECK_EQ(m.pa, hipa | (2 * page + 8));
			}
		}
		/* The largest block, at the bottom of the range, through
		 * map_region's huge choice; walked back as one leaf. */
		CHECK_EQ(pt_map_region(&t, lo, hipa | w->huge, w->huge, RW, PT_ALLOW_HUGE), PT_OK);
		CHECK_EQ(pt_query(&t, lo + w->huge - 8, &m), PT_OK);
		CHECK_EQ(m.size, w->huge);
		CHECK_EQ(m.pa, hipa | (2 * w->huge - 8));
		CHECK_EQ(pt_protect_region(&t, lo, w->huge, R_), PT_OK);
		CHECK_EQ(pt_query(&t, lo, &m), PT_OK);
		CHECK_EQ(m.pa, hipa | w->huge);
		CHECK_EQ(m.flags & PT_WRITE, 0);
		/* Refused with nothing changed: an OA past 52 bits (past 48
		 * without PA52), a misaligned high OA, a VA outside the half. */
		pt_flush(&t);
		d0 = table_digest(&t);
		used = a.in_use;
		CHECK_EQ(pt_map(&t, lo + w->huge, B(pa52 ? 52 : 48), page, RW), PT_ERR_INVALID);
		CHECK_EQ(pt_map_region(&t, lo + w->huge, B(pa52 ? 52 : 48) - page, 2 * page, RW, 0),
			 PT_ERR_INVALID);
		CHECK_EQ(pt_map(&t, lo + w->huge, hipa | (w->huge / 2 + page), w->huge, RW),
			 PT_ERR_NOT_ALIGNED);
		CHECK_EQ(pt_map(&t, high ? lo - page : B(w->bits), 0, page, RW), PT_ERR_INVALID);
		CHECK_EQ(table_digest(&t).h, d0.h);
		CHECK_EQ(a.in_use, used);
		CHECK_EQ(pt_unmap_region(&t, lo, B(w->bits)), PT_OK);
		pt_flush(&t);
		CHECK_EQ(a.in_use, w->root_frames);
		pt_destroy(&t);
		CHECK_EQ(a.in_use, 0);
	}
	CTX_CLEAR();
	/* Features and sizes no granule or format has: refused, nothing
	 * allocated. */
	{
		static const struct pt_config NO[] = {
			{ PT_AARCH64, PA52 | VA52, 52 },   /* 4K 52-bit VA: not built */
			{ PT_AARCH64, VA52, 0 },           /* FEAT_LVA is 64K's */
			{ PT_AARCH64_16K, VA52, 52 },      /* 16K 52-bit VA needs LPA2 */
			{ PT_AARCH64_16K, PA52, 52 },      /* without VA52 */
			{ PT_AARCH64_64K, PA52, 52 },      /* without VA52 */
			{ PT_AARCH64_64K, VA52, 53 },
			{ PT_AARCH64_16K, PA52 | VA52, 53 },
			{ PT_AARCH64_S2, PA52, 0 },
			{ PT_X86_64, PA52, 0 },
			{ PT_RISCV_SV57, VA52, 0 },
			{ PT_X86_64_EPT, PA52, 0 },
		};
		for (size_t i = 0; i < sizeof(NO) / sizeof(NO[0]); i++) {
			CTX("refused %zu", i);
			CHECK_EQ(pt_init_config(&t, &NO[i], &mm), PT_ERR_INVALID);
			CHECK_EQ(a.in_use, 0);
		}
		CTX_CLEAR();
	}
	CHECK_EQ(a.errors, 0);
	arena_fini(&a);
}

int main(void)
{
	group_begin("pa52 literals");
	literals();
	group_end();
	group_begin("pa52 tables, va sizes and pt_tcr");
	widths();
	group_end();
	return check_status();
}
