/* SPDX-License-Identifier: MIT */
/* Hand-written stage-2 entries and roots: AArch64 stage 2, VTCR_EL2, VTTBR_EL2, EPTP, hgatp. */
#include "pte_literals.h"

/*
 * AArch64 stage 2, from the Arm ARM (D8, stage 2 descriptors, FWB off):
 * valid 0x1, table/page 0x2, MemAttr[3:0] at 5:2 (Normal WB 0b1111 =
 * 0x3c, Device-nGnRE 0b0001 = 0x4, Normal NC 0b0101 = 0x14), S2AP read
 * 0x40 and write 0x80, SH inner 0x300, AF 0x400, DBM bit 51, XN[1:0] at
 * 54:53 (0b10 = bit 54: no execution), software bits 55 (dirty of a
 * read-only leaf), 56, 57. Entry levels count Arm lookup levels 0..3.
 */
static void stage2(void)
{
	const uint32_t R = PT_READ, W = PT_WRITE, X = PT_EXECUTE, U = PT_USER, G = PT_GLOBAL,
		       D = PT_DEVICE, NC = PT_UNCACHED, WC = PT_WC, S0 = PT_SW0, S1 = PT_SW1,
		       A = PT_ACCESSED, DT = PT_DIRTY;
	const enum pt_arch S = PT_AARCH64_S2;
	const uint64_t page = 0x1000 | 0x3 | 0x3c | 0x300 | 0x400; /* WB, AF, no S2AP */
	struct pt_entry e;
	/* Encodings. */
	CHECK_EQ(pt_pte_page(S, 0, 3, 0x1000, R | W | X), 0x00080000000017ff);
	CHECK_EQ(pt_pte_page(S, 0, 3, 0x1000, R), 0x004000000000177f);
	CHECK_EQ(pt_pte_page(S, 0, 3, 0x1000, R | W | D), 0x00480000000014c7);
	CHECK_EQ(pt_pte_page(S, 0, 2, 0x200000, R | W | X | NC), 0x00080000002007d5);
	CHECK_EQ(pt_pte_page(S, 0, 3, 0x1000, R | WC), 0x0040000000001757);
	CHECK_EQ(pt_pte_page(S, 0, 3, 0x1000, R | X | S0 | S1), 0x030000000000177f);
	CHECK_EQ(pt_pte_page(S, 0, 1, 0x40000000, R | W | X | U | G), 0x00080000400007fd);
	CHECK_EQ(pt_pte_page(S, 0, 0, 0, R), 0);                   /* no level-0 block */
	CHECK_EQ(pt_pte_page(S, 0, 2, 0x201000, R), 0);            /* misaligned 2M */
	CHECK_EQ(pt_pte_page(S, PT_FEAT_AARCH64_EL2, 3, 0x1000, R), 0); /* no features */
	CHECK_EQ(pt_pte_page(S, 0, 3, B(48), R), 0);               /* PA past 48 bits */
	CHECK_EQ(pt_pte_table(S, 0, 0x5000), 0x5003);
	CHECK_EQ(pt_pte_table(S, 2, 0xfffffffff000), 0xfffffffff003);
	CHECK_EQ(pt_pte_table(S, 3, 0x5000), 0);
	CHECK_EQ(pt_flags_normalize(S, 0, R | W | U | G | WC), R | W | NC);
	/* Decodes of entries libpt does not write. */
	dec_leaf(S, 0, 3, page | 0x40 | B(51) | B(54), 0x1000, R | W, A, "s2 writable clean");
	dec_leaf(S, 0, 3, page | 0x40 | 0x80 | B(51), 0x1000, R | W | X, A | DT, "s2 dirty");
	dec_leaf(S, 0, 3, page | 0x40 | 0x80, 0x1000, R | W | X, A | DT, "s2 S2AP RW no DBM");
	dec_leaf(S, 0, 3, page | 0x40 | B(54) | B(55), 0x1000, R, A | DT, "s2 RO dirty");
	dec_leaf(S, 0, 3, (page & ~UINT64_C(0x400)) | 0x40 | B(54), 0x1000, R, 0, "s2 AF=0");
	dec_leaf(S, 0, 3, page | 0x40 | B(53), 0x1000, R, A, "s2 XN 01: EL0 only");
	dec_leaf(S, 0, 3, page | 0x40 | B(53) | B(54), 0x1000, R | X, A, "s2 XN 11: EL1 only");
	dec_leaf(S, 0, 3, page | 0x80 | B(54), 0x1000, W, A | DT, "s2 write-only");
	dec_leaf(S, 0, 3, (page & ~UINT64_C(0x3c)) | 0x28 | 0x40 | B(54), 0x1000, R, A,
		 "s2 MemAttr 1010 WT");
	dec_leaf(S, 0, 3, (page & ~UINT64_C(0x33c)) | 0x40 | B(54), 0x1000, R | D, A,
		 "s2 MemAttr 0000 nGnRnE");
	dec_leaf(S, 0, 3, (page & ~UINT64_C(0x3c)) | 0x1c | 0x40 | B(54), 0x1000, R, A,
		 "s2 MemAttr 0111 NC outer, WB inner");
	dec_leaf(S, 0, 3, page | 0x40 | B(52) | B(11) | B(58) | B(63), 0x1000, R | X, A,
		 "s2 contiguous, bit 11, 58, 63");
	dec_leaf(S, 0, 1, 0x40000000 | 0x7fd | B(51), 0x40000000, R | W | X, A | DT, "s2 1G");
	CHECK_EQ(pt_pte_decode(S, 0, 2, 0x5003 | B(59) | B(63), &e), PT_OK); /* no table bits */
	CHECK(!e.leaf);
	CHECK_EQ(e.pa, 0x5000);
	/* Reserved (corrupt): MemAttr Normal outer with inner 0b00, SH 0b01, a
	 * level-0 block, level 3 with bit 1 clear, OA bits 49:48 of a leaf,
	 * 51:48 of a table, OA bits below a block's size. */
	{
		static const struct {
			unsigned level;
			uint64_t pte;
			const char *what;
		} RS[] = {
			{ 3, (0x1000 | 0x743) & ~UINT64_C(0x3c), "MemAttr 0000 is fine" },
			{ 3, ((0x1000 | 0x743) & ~UINT64_C(0x3c)) | 0x10, "MemAttr 0100" },
			{ 3, ((0x1000 | 0x743) & ~UINT64_C(0x3c)) | 0x20, "MemAttr 1000" },
			{ 3, ((0x1000 | 0x743) & ~UINT64_C(0x3c)) | 0x30, "MemAttr 1100" },
			{ 3, (0x1000 | 0x77f) & ~UINT64_C(0x200), "SH 01" },
			{ 0, 0x8000000000 | 0x77d, "block at level 0" },
			{ 3, 0x1000 | 0x77d, "level 3, bit 1 clear" },
			{ 3, 0x1000 | 0x77f | B(48), "page bit 48" },
			{ 2, 0x200000 | 0x77d | B(49), "2M block bit 49" },
			{ 1, 0x5003 | B(50), "table bit 50" },
			{ 2, 0x201000 | 0x77d, "2M block OA bit 12" },
			{ 1, 0x40200000 | 0x77d, "1G block OA bit 21" },
		};
		for (size_t i = 0; i < sizeof(RS) / sizeof(RS[0]); i++) {
			CTX("s2 %s", RS[i].what);
			CHECK_EQ(pt_pte_decode(S, 0, RS[i].level, RS[i].pte, &e),
				 i == 0 ? PT_OK : PT_ERR_CORRUPT);
		}
		CTX_CLEAR();
	}
	CHECK_EQ(pt_pte_decode(S, 0, 3, 0x1000 | 0x77e, &e), PT_ERR_NOT_MAPPED);
	CHECK_EQ(pt_pte_decode(S, 0, 4, 0x1000 | 0x77f, &e), PT_ERR_INVALID);
	/* Metadata at the default IPA size (40 bits, 3 levels); VA validity
	 * at any size (48 bits). */
	{
		const struct pt_arch_info *in = pt_arch_info(S);
		if (CHECK(in != NULL)) {
			CHECK_EQ(in->levels, 3);
			CHECK_EQ(in->va_bits, 40);
			CHECK_EQ(in->pa_bits, 48);
			CHECK_EQ(in->leaf_sizes, PT_SIZE_4K | PT_SIZE_2M | PT_SIZE_1G);
		}
		CHECK(pt_va_valid(S, B(48) - 1));
		CHECK(!pt_va_valid(S, B(48)));
		CHECK(!pt_va_valid(S, UINT64_MAX));
		CHECK(pt_pa_valid(S, B(48) - 1));
		CHECK(!pt_pa_valid(S, B(48)));
	}
}

/*
 * Every IPA size: the levels and concatenated root KVM picks (at most 16
 * tables at the start level: (bits - 8) / 9 levels), the root aligned to
 * its size, VTCR_EL2 and VTTBR_EL2; 31 and 49 bits refused.
 */
static void stage2_sizes(void)
{
	struct arena a;
	struct pt_mm mm;
	struct pt_table t;
	/* bits: levels, root frames, VTCR T0SZ | SL0 << 6 (by hand from the Arm
	 * ARM: start level 2 -> SL0 0, 1 -> 1, 0 -> 2). */
	static const struct {
		unsigned bits, levels, frames;
		uint64_t vtcr;
	} Z[] = {
		{ 32, 2, 4, 0x800d3520 },  { 33, 2, 8, 0x800d351f },  { 34, 2, 16, 0x800d351e },
		{ 35, 3, 1, 0x800d355d },  { 36, 3, 1, 0x800d355c },  { 37, 3, 1, 0x800d355b },
		{ 38, 3, 1, 0x800d355a },  { 39, 3, 1, 0x800d3559 },  { 40, 3, 2, 0x800d3558 },
		{ 41, 3, 4, 0x800d3557 },  { 42, 3, 8, 0x800d3556 },  { 43, 3, 16, 0x800d3555 },
		{ 44, 4, 1, 0x800d3594 },  { 45, 4, 1, 0x800d3593 },  { 46, 4, 1, 0x800d3592 },
		{ 47, 4, 1, 0x800d3591 },  { 48, 4, 1, 0x800d3590 },
	};
	if (arena_init(&a, UINT64_C(0x80000000), 256) != 0) {
		CHECK(!"arena");
		return;
	}
	arena_mm(&a, &mm);
	for (size_t i = 0; i < sizeof(Z) / sizeof(Z[0]); i++) {
		const struct pt_config cfg = { PT_AARCH64_S2, 0, Z[i].bits };
		const uint64_t top = B(Z[i].bits) - PT_SIZE_4K;
		struct pt_mapping m;
		uint64_t root;
		CTX("s2 ipa %u", Z[i].bits);
		if (!CHECK_EQ(pt_init_config(&t, &cfg, &mm), PT_OK))
			continue;
		root = pt_root(&t);
		CHECK_EQ(a.in_use, Z[i].frames);
		CHECK_EQ(root % (Z[i].frames * PT_SIZE_4K), 0);
		CHECK_EQ(pt_vtcr(&t), Z[i].vtcr);
		CHECK_EQ(pt_vttbr(&t, 0), root);
		CHECK_EQ(pt_vttbr(&t, 0xbeef), root | UINT64_C(0xbeef) << 48);
		/* The last IPA maps through levels - 1 new tables; the next is
		 * outside. */
		CHECK_EQ(pt_map(&t, top, 0x7000, PT_SIZE_4K, PT_READ), PT_OK);
		CHECK_EQ(a.in_use, Z[i].frames + Z[i].levels - 1);
		CHECK_EQ(pt_query(&t, top + 5, &m), PT_OK);
		CHECK_EQ(m.pa, 0x7005);
		CHECK_EQ(pt_map(&t, B(Z[i].bits), 0x7000, PT_SIZE_4K, PT_READ), PT_ERR_INVALID);
		/* 1G blocks only from Arm level 1 (3 levels and more). */
		CHECK_EQ(pt_map(&t, PT_SIZE_1G, PT_SIZE_1G, PT_SIZE_1G, PT_READ),
			 Z[i].levels > 2 ? PT_OK : PT_ERR_INVALID);
		CHECK_EQ(pt_map(&t, 0, 0, PT_SIZE_2M, PT_READ), PT_OK);
		pt_destroy(&t);
		CHECK_EQ(a.in_use, 0);
		CHECK_EQ(pt_vtcr(&t), 0); /* dead */
		CHECK_EQ(pt_vttbr(&t, 1), 0);
	}
	CTX_CLEAR();
	{
		const struct pt_config c31 = { PT_AARCH64_S2, 0, 31 }, c49 = { PT_AARCH64_S2, 0, 49 };
		const struct pt_config c0 = { PT_AARCH64_S2, 0, 0 };
		const struct pt_config x39 = { PT_X86_64, 0, 39 }, x48 = { PT_X86_64, 0, 48 };
		CHECK_EQ(pt_init_config(&t, &c31, &mm), PT_ERR_INVALID);
		CHECK_EQ(pt_init_config(&t, &c49, &mm), PT_ERR_INVALID);
		CHECK_EQ(pt_init_config(&t, &x39, &mm), PT_ERR_INVALID);
		CHECK_EQ(a.in_use, 0);
		/* Another format: no VTCR/VTTBR. */
		if (CHECK_EQ(pt_init_config(&t, &x48, &mm), PT_OK)) {
			CHECK_EQ(pt_vtcr(&t), 0);
			CHECK_EQ(pt_vttbr(&t, 1), 0);
			pt_destroy(&t);
		}
		/* The default is 40 bits. */
		if (CHECK_EQ(pt_init_config(&t, &c0, &mm), PT_OK)) {
			CHECK_EQ(pt_vtcr(&t), 0x800d3558);
			CHECK_EQ(a.in_use, 2);
			pt_destroy(&t);
		}
	}
	CHECK_EQ(pt_vtcr(NULL), 0);
	CHECK_EQ(pt_vttbr(NULL, 0), 0);
	CHECK_EQ(a.in_use, 0);
	CHECK_EQ(a.errors, 0);
	arena_fini(&a);
}

/* pt_eptp and pt_hgatp, from the SDM's EPTP layout (memory type 2:0 = 6,
 * page-walk length - 1 in 5:3, A/D enable bit 6, root PA) and the
 * hypervisor extension's hgatp (MODE 63:60 = 8/9/10, VMID 57:44, PPN
 * 43:0); 0 for other formats, dead tables and 15-bit VMIDs. */
static void stage2_registers(void)
{
	struct arena a;
	struct pt_mm mm;
	struct pt_table t;
	static const struct {
		enum pt_arch a;
		unsigned feat;
		uint64_t eptp_low; /* 0: not EPT */
		uint64_t mode;     /* 0: not G-stage */
	} S[] = {
		{ PT_X86_64_EPT, 0, 0x1e, 0 },
		{ PT_X86_64_EPT, PT_FEAT_EPT_AD, 0x5e, 0 },
		{ PT_X86_64_EPT5, 0, 0x26, 0 },
		{ PT_X86_64_EPT5, PT_FEAT_EPT_AD, 0x66, 0 },
		{ PT_RISCV_SV39X4, 0, 0, 8 },
		{ PT_RISCV_SV48X4, 0, 0, 9 },
		{ PT_RISCV_SV57X4, 0, 0, 10 },
		{ PT_X86_64, 0, 0, 0 },
		{ PT_RISCV_SV39, 0, 0, 0 },
	};
	if (arena_init(&a, UINT64_C(0x80000000), 64) != 0) {
		CHECK(!"arena");
		return;
	}
	arena_mm(&a, &mm);
	for (size_t i = 0; i < sizeof(S) / sizeof(S[0]); i++) {
		uint64_t root;
		CTX("stage-2 registers arch %d feat %#x", S[i].a, S[i].feat);
		if (!CHECK_EQ(pt_init(&t, S[i].a, S[i].feat, &mm), PT_OK))
			continue;
		root = pt_root(&t);
		CHECK_EQ(pt_eptp(&t), S[i].eptp_low ? root | S[i].eptp_low : 0);
		if (S[i].mode) {
			CHECK_EQ(root & 0x3fff, 0); /* the 16 KiB root */
			CHECK_EQ(pt_hgatp(&t, 0), S[i].mode << 60 | root >> 12);
			CHECK_EQ(pt_hgatp(&t, 0x2bcd),
				 S[i].mode << 60 | UINT64_C(0x2bcd) << 44 | root >> 12);
			CHECK_EQ(pt_hgatp(&t, 0x3fff),
				 S[i].mode << 60 | UINT64_C(0x3fff) << 44 | root >> 12);
			CHECK_EQ(pt_hgatp(&t, 0x4000), 0);
			CHECK_EQ(pt_hgatp(&t, 0xffff), 0);
			CHECK_EQ(pt_satp(&t, 1), 0);
		} else {
			CHECK_EQ(pt_hgatp(&t, 1), 0);
		}
		pt_destroy(&t);
		CHECK_EQ(pt_eptp(&t), 0); /* dead table */
		CHECK_EQ(pt_hgatp(&t, 1), 0);
	}
	CTX_CLEAR();
	CHECK_EQ(pt_eptp(NULL), 0);
	CHECK_EQ(pt_hgatp(NULL, 1), 0);
	CHECK_EQ(a.in_use, 0);
	arena_fini(&a);
}

int main(void)
{
	group_begin("pte aarch64 stage 2");
	stage2();
	group_end();
	group_begin("pte aarch64 stage 2 IPA sizes, vtcr, vttbr");
	stage2_sizes();
	group_end();
	group_begin("pte eptp and hgatp");
	stage2_registers();
	group_end();
	return check_status();
}
