/* SPDX-License-Identifier: MIT */
/*
 * Hand-written raw entries, each worked out from the contract and the
 * architecture manuals: leaves with non-fresh state and x86 PAT memory
 * types, table entries, empty and reserved encodings, literal encodings,
 * format metadata, VA/PA validity edges, satp and the MAIR constant.
 */
/*
 * Conformance tables, one group per architecture family: every flag
 * combination x every leaf level x every feature variant is encoded with
 * pt_pte_page and decoded with pt_pte_decode, and the raw entry is compared
 * with an expected value computed here independently from the encodings the contract states
 * (GLOBAL, WC, SW0/SW1 and the access state included). Plus
 * hand-written raw entries with non-fresh state and x86 PAT memory types,
 * table entries, empty and reserved encodings, flag normalisation, format
 * metadata, VA/PA validity edges, satp and the MAIR constant.
 */
#include <stdlib.h>

#include "pte_literals.h"

struct reserved {
	enum pt_arch arch;
	unsigned feat, level;
	uint64_t pte;
	const char *what;
};

static const struct reserved RESERVED[] = {
	/* x86: PS in the root (PML4E, and PML5E/PML4E in LA57). */
	{ PT_X86_64, 0, 0, 0x1000 | 0x81, "x86 PS in PML4E" },
	{ PT_X86_64_LA57, 0, 0, 0x1000 | 0x81, "la57 PS in PML5E" },
	{ PT_X86_64_LA57, 0, 1, 0x1000 | 0x81, "la57 PS in PML4E" },
	/* x86: a huge leaf with address bits below its size (bit 12 is PAT). */
	{ PT_X86_64, 0, 2, 0x200000 | 0x2000 | 0x81, "x86 misaligned 2M" },
	/* AArch64: block at level 0, level-3 entry with bit 1 clear. */
	{ PT_AARCH64, 0, 0, 0x8000000000 | 0x401, "a64 block at level 0" },
	{ PT_AARCH64, PT_FEAT_AARCH64_HIGH, 0, 0x8000000000 | 0x401, "a64 high block at level 0" },
	{ PT_AARCH64, 0, 3, 0x1000 | 0x401, "a64 level-3 bit1=0" },
	{ PT_AARCH64, PT_FEAT_AARCH64_EL2, 3, 0x1000 | 0x401, "a64 el2 level-3 bit1=0" },
	/* RISC-V: W without R; misaligned superpages. */
	{ PT_RISCV_SV39, 0, 2, 0x1000 >> 2 | 0xc5, "rv W without R" },
	{ PT_RISCV_SV39, 0, 0, 0x1000 >> 2 | 0xc5, "rv W without R at root" },
	{ PT_RISCV_SV39, 0, 2, 0x1000 >> 2 | 0xcd, "rv WX without R" },
	{ PT_RISCV_SV48, 0, 2, 0x201000 >> 2 | 0xc3, "rv 2M superpage misaligned" },
	{ PT_RISCV_SV39, 0, 0, 0x40200000 >> 2 | 0xc3, "rv 1G superpage misaligned" },
	{ PT_RISCV_SV57, 0, 0, (B(48) + B(40)) >> 2 | 0xc3, "rv 256T superpage misaligned" },
	{ PT_RISCV_SV39, PT_FEAT_RISCV_SVPBMT, 2, 0x1000 >> 2 | 0xc3 | UINT64_C(3) << 61,
	  "rv PBMT=3 reserved" },
	/* AArch64, 48-bit OA: bits 49:48 of a page or block are RES0 (OA[49:48]
	 * only with LPA2). */
	{ PT_AARCH64, 0, 3, 0x1000 | 0xf03 | B(48), "a64 page bit 48" },
	{ PT_AARCH64, 0, 3, 0x1000 | 0xf03 | B(49), "a64 page bit 49" },
	{ PT_AARCH64, 0, 2, 0x200000 | 0xf01 | B(48), "a64 2M block bit 48" },
	{ PT_AARCH64, PT_FEAT_AARCH64_EL2, 3, 0x1000 | 0x7c3 | B(49), "a64 el2 page bit 49" },
	/* LoongArch: V (accessed) without P (present) in a 4K leaf. */
	{ PT_LOONGARCH64, 0, 3, 0x1000 | 0x11, "la V=1 P=0" },
	{ PT_LOONGARCH64, 0, 3, 0x1000 | 0x113, "la V=1 D=1 W=1 P=0" },
	/* LoongArch: MAT=3. */
	{ PT_LOONGARCH64, 0, 3, 0x1000 | 0x83 | 0x30, "la MAT=3" },
	{ PT_LOONGARCH64, 0, 2, 0x200000 | 0xc3 | 0x30, "la huge MAT=3" },
	/* ARMv7: supersection, section bits[1:0]=11, large page, AP 000/010/100. */
	{ PT_ARMV7, 0, 0, 0x01000000 | B(18) | 0x2 | 0x1140c, "v7 supersection" },
	{ PT_ARMV7, 0, 0, 0x00100000 | 0x3 | 0x1140c, "v7 section bits 11" },
	{ PT_ARMV7, 0, 1, 0x00010000 | 0x1 | 0x1c, "v7 large page" },
	{ PT_ARMV7, 0, 1, 0x1000 | 0x2 | 0x44c, "v7 small AP=000" },
	{ PT_ARMV7, 0, 1, 0x1000 | 0x2 | 0x44c | 2u << 4, "v7 small AP=010" },
	{ PT_ARMV7, 0, 1, 0x1000 | 0x2 | 0x44c | B(9), "v7 small AP=100" },
	{ PT_ARMV7, 0, 0, 0x100000 | 0x2 | 0x1100c, "v7 section AP=000" },
	/* EPT (SDM vol. 3C, EPT misconfigurations): bits 2:0 = 010b or 110b;
	 * leaf memory type 2, 3 or 7; bits 7:3 of a PML4E/PML5E; bits 6:3 of
	 * a PDE/PDPTE that references a table; the bits of a 2M/1G page's
	 * address below its size. */
	{ PT_X86_64_EPT, 0, 3, 0x1000 | 0x32, "ept write-only PTE" },
	{ PT_X86_64_EPT, 0, 3, 0x1000 | 0x36, "ept write/execute PTE" },
	{ PT_X86_64_EPT, PT_FEAT_EPT_AD, 0, 0x1000 | 0x2, "ept write-only PML4E" },
	{ PT_X86_64_EPT, 0, 3, 0x1000 | 2u << 3 | 0x7, "ept PTE memory type 2" },
	{ PT_X86_64_EPT, 0, 3, 0x1000 | 3u << 3 | 0x7, "ept PTE memory type 3" },
	{ PT_X86_64_EPT, 0, 3, 0x1000 | 7u << 3 | 0x7, "ept PTE memory type 7" },
	{ PT_X86_64_EPT, 0, 2, 0x200000 | 0x80 | 7u << 3 | 0x1, "ept 2M memory type 7" },
	{ PT_X86_64_EPT, 0, 0, 0x1000 | 0x80 | 0x7, "ept bit 7 in PML4E" },
	{ PT_X86_64_EPT, 0, 0, 0x1000 | 0x8 | 0x7, "ept bit 3 in PML4E" },
	{ PT_X86_64_EPT5, 0, 0, 0x1000 | 0x80 | 0x7, "ept5 bit 7 in PML5E" },
	{ PT_X86_64_EPT5, 0, 1, 0x1000 | 0x40 | 0x7, "ept5 bit 6 in PML4E" },
	{ PT_X86_64_EPT, 0, 2, 0x1000 | 0x30 | 0x7, "ept memory type in a PDE to a table" },
	{ PT_X86_64_EPT, 0, 1, 0x1000 | 0x40 | 0x7, "ept IPAT in a PDPTE to a table" },
	{ PT_X86_64_EPT, 0, 2, 0x201000 | 0xb7, "ept 2M with address bit 12" },
	{ PT_X86_64_EPT, 0, 1, 0x40200000 | 0xb7, "ept 1G with address bit 21" },
	/* libpt's own tables take no execute-only table entry (pt_access does). */
	{ PT_X86_64_EPT, 0, 1, 0x1000 | 0x4, "ept execute-only PDPTE" },
	/* G-stage entries are RISC-V ones: W without R, A/D/U in a table. */
	/* Svnapot: N with PPN[3:0] other than 0b1000 (a size not defined),
	 * N above the last level, N in a table entry. */
	{ PT_RISCV_SV39, 0, 2, B(63) | 0x80000000 >> 2 | 0xcf, "rv N PPN[3:0]=0000" },
	{ PT_RISCV_SV39, PT_FEAT_RISCV_SVNAPOT, 2, B(63) | 0x80004000 >> 2 | 0xcf,
	  "rv N PPN[3:0]=0100 (32 KiB)" },
	{ PT_RISCV_SV39, 0, 1, B(63) | 0x80008000 >> 2 | 0xcf, "rv N in a 2M leaf" },
	{ PT_RISCV_SV39, 0, 1, B(63) | 0x80008000 >> 2 | 0x01, "rv N in a table entry" },
	{ PT_RISCV_SV39X4, 0, 2, 0x1000 >> 2 | 0xd5, "rvg W without R" },
	{ PT_RISCV_SV48X4, 0, 1, 0x1000 >> 2 | 0x11, "rvg U in a table entry" },
	{ PT_RISCV_SV57X4, 0, 3, 0x201000 >> 2 | 0xd3, "rvg 2M superpage misaligned" },
};

/* Hand-written raw entries: the x86 memory type through PT_X86_PAT, and
 * access state that is not a new leaf's (§7). */
static void state_decodes(void)
{
	const uint32_t R = PT_READ, W = PT_WRITE, X = PT_EXECUTE, U = PT_USER, G = PT_GLOBAL,
		       A = PT_ACCESSED, DT = PT_DIRTY;
	const uint64_t NX = B(63);

	/* x86 PAT index = PAT<<2 | PCD<<1 | PWT through WB WC UC- UC WB WP UC- WT. */
	CHECK_EQ(PT_X86_PAT, UINT64_C(0x0407050600070106));
	/* 4K leaf (PAT is bit 7; bit 12 is PA). P|A = 0x21. */
	dec_leaf(PT_X86_64, 0, 3, 0x1000 | 0x21, 0x1000, R | X, A, "x86 4K PAT 0 WB");
	dec_leaf(PT_X86_64, 0, 3, 0x1000 | 0x29, 0x1000, R | X | PT_WC, A, "x86 4K PAT 1 WC");
	dec_leaf(PT_X86_64, 0, 3, 0x1000 | 0x31, 0x1000, R | X | PT_UNCACHED, A, "x86 4K PAT 2 UC-");
	dec_leaf(PT_X86_64, 0, 3, 0x1000 | 0x39, 0x1000, R | X | PT_DEVICE, A, "x86 4K PAT 3 UC");
	dec_leaf(PT_X86_64, 0, 3, 0x1000 | 0xa1, 0x1000, R | X, A, "x86 4K PAT 4 WB");
	dec_leaf(PT_X86_64, 0, 3, 0x1000 | 0xa9, 0x1000, R | X, A, "x86 4K PAT 5 WP");
	dec_leaf(PT_X86_64, 0, 3, 0x1000 | 0xb1, 0x1000, R | X | PT_UNCACHED, A, "x86 4K PAT 6 UC-");
	dec_leaf(PT_X86_64, 0, 3, 0x1000 | 0xb9, 0x1000, R | X, A, "x86 4K PAT 7 WT");
	dec_leaf(PT_X86_64_LA57, 0, 4, 0x3000 | 0xa9 | 0x2 | 0x40, 0x3000, R | W | X, A | DT,
		 "la57 4K PAT 5 WP");
	/* 2M leaf (PS is bit 7, PAT bit 12). P|A|PS = 0xa1. */
	dec_leaf(PT_X86_64, 0, 2, 0x200000 | 0xa1, 0x200000, R | X, A, "x86 2M PAT 0 WB");
	dec_leaf(PT_X86_64, 0, 2, 0x200000 | 0xa9, 0x200000, R | X | PT_WC, A, "x86 2M PAT 1 WC");
	dec_leaf(PT_X86_64, 0, 2, 0x200000 | 0xb9, 0x200000, R | X | PT_DEVICE, A, "x86 2M PAT 3 UC");
	dec_leaf(PT_X86_64, 0, 2, 0x200000 | B(12) | 0xa1, 0x200000, R | X, A, "x86 2M PAT 4 WB");
	dec_leaf(PT_X86_64, 0, 2, 0x200000 | B(12) | 0xa9, 0x200000, R | X, A, "x86 2M PAT 5 WP");
	dec_leaf(PT_X86_64, 0, 2, 0x200000 | B(12) | 0xb1, 0x200000, R | X | PT_UNCACHED, A,
		 "x86 2M PAT 6 UC-");
	dec_leaf(PT_X86_64, 0, 2, 0x200000 | B(12) | 0xb9, 0x200000, R | X, A, "x86 2M PAT 7 WT");
	dec_leaf(PT_X86_64, 0, 1, 0x40000000 | B(12) | 0xb1, 0x40000000, R | X | PT_UNCACHED, A,
		 "x86 1G PAT 6 UC-");
	/* x86 state as stored: A(5), D(6), also on a read-only leaf. */
	dec_leaf(PT_X86_64, 0, 3, NX | 0x1000 | 0x03, 0x1000, R | W, 0, "x86 RW A=0 D=0");
	dec_leaf(PT_X86_64, 0, 3, NX | 0x1000 | 0x23, 0x1000, R | W, A, "x86 RW A=1 D=0");
	dec_leaf(PT_X86_64, 0, 3, NX | 0x1000 | 0x43, 0x1000, R | W, DT, "x86 RW A=0 D=1");
	dec_leaf(PT_X86_64, 0, 3, NX | 0x1000 | 0x61, 0x1000, R, A | DT, "x86 RO A=1 D=1");
	dec_leaf(PT_X86_64, 0, 2, 0x200000 | 0x83, 0x200000, R | W | X, 0, "x86 2M RW A=0 D=0");
	/* x86 G(8), SW0(9), SW1(10). */
	dec_leaf(PT_X86_64, 0, 3, 0x1000 | 0x721, 0x1000, R | X | G | PT_SW0 | PT_SW1, A,
		 "x86 G SW0 SW1");

	/* AArch64 EL1&0 level 3 base: valid|page, AttrIndx 1, SH 11, AF, nG,
	 * not USER: UXN(54), PXN(53) = 1 (no EXECUTE). */
	{
		const uint64_t base = 0x1000 | 0x3 | 0x4 | 0x300 | 0xc00 | B(54) | B(53);
		dec_leaf(PT_AARCH64, 0, 3, base | B(51) | B(7), 0x1000, R | W, A,
			 "a64 DBM=1 AP2=1: writable clean");
		dec_leaf(PT_AARCH64, 0, 3, base | B(51), 0x1000, R | W, A | DT, "a64 DBM=1 AP2=0");
		dec_leaf(PT_AARCH64, 0, 3, base, 0x1000, R | W, A | DT, "a64 DBM=0 AP2=0");
		dec_leaf(PT_AARCH64, 0, 3, base | B(7), 0x1000, R, A, "a64 RO clean");
		dec_leaf(PT_AARCH64, 0, 3, base | B(7) | B(55), 0x1000, R, A | DT,
			 "a64 RO with bit 55: dirty");
		dec_leaf(PT_AARCH64, 0, 3, (base & ~B(10)) | B(7), 0x1000, R, 0, "a64 AF=0");
		dec_leaf(PT_AARCH64, 0, 3, (base & ~B(10)) | B(51), 0x1000, R | W, DT, "a64 AF=0 RW");
		dec_leaf(PT_AARCH64, 0, 3, (base & ~B(11)) | B(7), 0x1000, R | G, A, "a64 nG=0");
		dec_leaf(PT_AARCH64, 0, 3, base | B(7) | B(56), 0x1000, R | PT_SW0, A, "a64 SW0");
		dec_leaf(PT_AARCH64, 0, 3, base | B(7) | B(57), 0x1000, R | PT_SW1, A, "a64 SW1");
		dec_leaf(PT_AARCH64, PT_FEAT_AARCH64_HIGH, 3, base | B(7) | B(55), 0x1000, R, A | DT,
			 "a64 high RO with bit 55");
		/* Bits that carry OS or hardware meaning: GP(50), DBM(51),
		 * contiguous(52), 58, 59-62, 63: a leaf, never corrupt. */
		dec_leaf(PT_AARCH64, 0, 3, base | B(7) | B(50), 0x1000, R, A, "a64 GP");
		dec_leaf(PT_AARCH64, 0, 3, base | B(52) | B(51), 0x1000, R | W, A | DT, "a64 contiguous");
		dec_leaf(PT_AARCH64, 0, 3, base | B(7) | B(58), 0x1000, R, A, "a64 bit 58");
		dec_leaf(PT_AARCH64, 0, 3, base | B(7) | B(59) | B(62), 0x1000, R, A, "a64 PBHA");
		dec_leaf(PT_AARCH64, 0, 3, base | B(7) | B(63), 0x1000, R, A, "a64 bit 63");
		/* A 2M block: bit 1 clear. */
		dec_leaf(PT_AARCH64, 0, 2, ((base & ~UINT64_C(0x1002)) | 0x200000) | B(51) | B(7),
			 0x200000, R | W, A, "a64 2M DBM=1 AP2=1");
		dec_leaf(PT_AARCH64, 0, 2, ((base & ~UINT64_C(0x1002)) | 0x200000) | B(7) | B(55),
			 0x200000, R, A | DT, "a64 2M RO bit 55");
	}
	/* AArch64 EL2: AP[6] RES1, XN(54); bit 11 not written; GLOBAL/USER not
	 * reported. */
	{
		const uint64_t base = 0x1000 | 0x3 | 0x4 | 0x40 | 0x300 | 0x400 | B(54);
		dec_leaf(PT_AARCH64, PT_FEAT_AARCH64_EL2, 3, base | B(51) | B(7), 0x1000, R | W, A,
			 "a64 el2 DBM=1 AP2=1");
		dec_leaf(PT_AARCH64, PT_FEAT_AARCH64_EL2, 3, base | B(7) | B(55), 0x1000, R, A | DT,
			 "a64 el2 RO bit 55");
		dec_leaf(PT_AARCH64, PT_FEAT_AARCH64_EL2, 3, (base & ~B(10)) | B(7), 0x1000, R, 0,
			 "a64 el2 AF=0");
	}

	/* Svnapot: N (63) and PPN[3:0] = 0b1000 in a last-level leaf, with or
	 * without the feature, stage 1 and G-stage: the 64 KiB run from the
	 * PPN with its low four bits clear. */
	{
		const uint64_t napot = B(63) | (0x80000000 | 0x8000) >> 2;
		struct pt_entry e;
		dec_leaf(PT_RISCV_SV39, 0, 2, napot | 0xcf, 0x80000000, R | W | X, A | DT, "rv napot");
		dec_leaf(PT_RISCV_SV39, PT_FEAT_RISCV_SVNAPOT, 2, napot | 0x43, 0x80000000, R, A,
			 "rv napot (feature)");
		dec_leaf(PT_RISCV_SV48, PT_FEAT_RISCV_SVPBMT, 3, napot | B(61) | 0xc3, 0x80000000,
			 R | PT_UNCACHED, A | DT, "rv napot NC");
		dec_leaf(PT_RISCV_SV39X4, 0, 2, napot | 0xd3, 0x80000000, R, A | DT, "rvg napot");
		CHECK_EQ(pt_pte_decode(PT_RISCV_SV39, 0, 2, napot | 0xcf, &e), PT_OK);
		CHECK_EQ(e.size, 0x10000);
		/* Under XuanTie, bit 63 is strong order: a device 4K page. */
		dec_leaf(PT_RISCV_SV39, PT_FEAT_RISCV_XUANTIE, 2, napot | 0xc3, 0x80008000,
			 R | PT_DEVICE, A | DT, "rv xuantie SO");
	}
	/* RISC-V: A(6), D(7) as stored; G(5); RSW 8, 9. */
	dec_leaf(PT_RISCV_SV39, 0, 2, 0x1000 >> 2 | 0x07, 0x1000, R | W, 0, "rv RW A=0 D=0");
	dec_leaf(PT_RISCV_SV39, 0, 2, 0x1000 >> 2 | 0x47, 0x1000, R | W, A, "rv RW A=1 D=0");
	dec_leaf(PT_RISCV_SV39, 0, 2, 0x1000 >> 2 | 0x87, 0x1000, R | W, DT, "rv RW A=0 D=1");
	dec_leaf(PT_RISCV_SV39, 0, 2, 0x1000 >> 2 | 0xc3, 0x1000, R, A | DT, "rv RO A=1 D=1");
	dec_leaf(PT_RISCV_SV48, 0, 2, 0x200000 >> 2 | 0x3, 0x200000, R, 0, "rv 2M RO A=0");
	dec_leaf(PT_RISCV_SV39, 0, 2, 0x1000 >> 2 | 0x363 | 0x10, 0x1000, R | U | G | PT_SW0 | PT_SW1,
		 A, "rv U G RSW");

	/* LoongArch 4K: P(7) present; V(0) = ACCESSED; D(1) = DIRTY on a
	 * writable leaf; bit 9 the dirty state of a leaf without WRITE. MAT 1 =
	 * 0x10; NX(62) unless EXECUTE. */
	dec_leaf(PT_LOONGARCH64, 0, 3, 0x1000 | 0x90, 0x1000, R | X, 0, "la P=1 V=0");
	dec_leaf(PT_LOONGARCH64, 0, 3, 0x1000 | 0x91, 0x1000, R | X, A, "la P=1 V=1");
	dec_leaf(PT_LOONGARCH64, 0, 3, B(62) | 0x1000 | 0x191, 0x1000, R | W, A,
		 "la RW D=0: clean");
	dec_leaf(PT_LOONGARCH64, 0, 3, B(62) | 0x1000 | 0x193, 0x1000, R | W, A | DT, "la RW D=1");
	dec_leaf(PT_LOONGARCH64, 0, 3, B(62) | 0x1000 | 0x192, 0x1000, R | W, DT, "la RW V=0 D=1");
	dec_leaf(PT_LOONGARCH64, 0, 3, B(62) | 0x1000 | 0x291, 0x1000, R, A | DT,
		 "la RO bit 9: dirty");
	dec_leaf(PT_LOONGARCH64, 0, 3, 0x1000 | 0xd1, 0x1000, R | X | G, A, "la 4K G (bit 6)");
	dec_leaf(PT_LOONGARCH64, 0, 3, 0x1000 | 0xc91, 0x1000, R | X | PT_SW0 | PT_SW1, A,
		 "la SW0 SW1");
	/* LoongArch 2M: H(6), G bit 12. */
	dec_leaf(PT_LOONGARCH64, 0, 2, 0x200000 | 0xd0, 0x200000, R | X, 0, "la 2M V=0");
	dec_leaf(PT_LOONGARCH64, 0, 2, 0x200000 | B(12) | 0xd1, 0x200000, R | X | G, A,
		 "la 2M G (bit 12)");
	dec_leaf(PT_LOONGARCH64, 0, 2, B(62) | 0x200000 | 0x2d1, 0x200000, R, A | DT,
		 "la 2M RO bit 9");

	/* ARMv7: no A/D bits: always accessed, dirty when writable; nG. */
	dec_leaf(PT_ARMV7, 0, 0, 0x100000 | 0x1140e, 0x100000, R | W | X | G, A | DT,
		 "v7 section RW global");
	dec_leaf(PT_ARMV7, 0, 0, 0x100000 | 0x3940e, 0x100000, R | X, A, "v7 section RO nG");
	dec_leaf(PT_ARMV7, 0, 1, 0x1000 | 0x45f, 0x1000, R | W | G, A | DT, "v7 small RW global");
	dec_leaf(PT_ARMV7, 0, 1, 0x1000 | 0xe7f, 0x1000, R | U, A, "v7 small user RO nG");
	CTX_CLEAR();
}

static void reserved_entries(void)
{
	struct pt_entry e;
	for (size_t i = 0; i < sizeof(RESERVED) / sizeof(RESERVED[0]); i++) {
		const struct reserved *r = &RESERVED[i];
		CTX("%s pte %#llx", r->what, (unsigned long long)r->pte);
		CHECK_EQ(pt_pte_decode(r->arch, r->feat, r->level, r->pte, &e), PT_ERR_CORRUPT);
	}
	CTX_CLEAR();
	/* Level matters on ARMv7: a small-page value at L1 is a section or
	 * worse, an L1 table pointer at L2 is a large page (corrupt). */
	{
		uint64_t small = pt_pte_page(PT_ARMV7, 0, 1, 0x1000, PT_READ | PT_WRITE);
		uint64_t l1t = pt_pte_table(PT_ARMV7, 0, 0x1400);
		CHECK_EQ(pt_pte_decode(PT_ARMV7, 0, 1, l1t, &e), PT_ERR_CORRUPT);
		if (pt_pte_decode(PT_ARMV7, 0, 0, small, &e) == PT_OK)
			CHECK(e.leaf && e.size == PT_SIZE_1M);
	}
	/* An AArch64 level-3 page is a table descriptor one level up. */
	{
		uint64_t page = pt_pte_page(PT_AARCH64, 0, 3, 0x5000, PT_READ);
		CHECK_EQ(pt_pte_decode(PT_AARCH64, 0, 2, page, &e), PT_OK);
		CHECK(!e.leaf);
	}
	/* x86: at the PTE level bit 7 is PAT, never PS: still a 4K leaf. */
	CHECK_EQ(pt_pte_decode(PT_X86_64, 0, 3, 0x1000 | 0x81, &e), PT_OK);
	CHECK(e.leaf && e.size == PT_SIZE_4K && e.pa == 0x1000);
	/* x86: a huge leaf keeps bit 12 (PAT) out of the PA. */
	CHECK_EQ(pt_pte_decode(PT_X86_64, 0, 2, 0x200000 | 0x1000 | 0x81, &e), PT_OK);
	CHECK(e.leaf && e.pa == 0x200000 && e.size == PT_SIZE_2M);
	/* Decode quirks the brief pins. */
	CHECK_EQ(pt_pte_decode(PT_AARCH64, 0, 3, 0x1000 | 0x703 | 5u << 2, &e), PT_OK); /* Attr5 */
	CHECK(e.flags & PT_DEVICE);
	CHECK_EQ(e.state, PT_ACCESSED | PT_DIRTY); /* AF, AP[2] = 0 */
	CHECK_EQ(pt_pte_decode(PT_RISCV_SV39, 0, 2, 0x1000 >> 2 | 0xc9, &e), PT_OK); /* X only */
	CHECK(e.leaf && e.flags == PT_EXECUTE);
	CHECK_EQ(e.state, PT_ACCESSED | PT_DIRTY); /* A, D */
	CHECK_EQ(pt_pte_decode(PT_LOONGARCH64, 0, 3, 0x1000 | 0x91 | B(61), &e), PT_OK); /* NR */
	CHECK(e.leaf && !(e.flags & PT_READ));
	CHECK_EQ(e.flags, PT_EXECUTE);
	CHECK_EQ(e.state, PT_ACCESSED);
	/* Empty is empty whatever else is set, where the CPU ignores it. */
	CHECK_EQ(pt_pte_decode(PT_X86_64, 0, 3, 0x7ffffffffffff000 | 0xfe, &e), PT_ERR_NOT_MAPPED);
	CHECK_EQ(pt_pte_decode(PT_AARCH64, 0, 3, 0x1000 | 0x702, &e), PT_ERR_NOT_MAPPED);
	CHECK_EQ(pt_pte_decode(PT_RISCV_SV39, 0, 2, 0x1000 >> 2 | 0xce, &e), PT_ERR_NOT_MAPPED);
	CHECK_EQ(pt_pte_decode(PT_ARMV7, 0, 0, 0xfff00000, &e), PT_ERR_NOT_MAPPED);
	CHECK_EQ(pt_pte_decode(PT_ARMV7, 0, 1, 0xfffff000, &e), PT_ERR_NOT_MAPPED);
	/* x86: the PWT-only quirk of revision 1 is WC now (PAT entry 1). */
	CHECK_EQ(pt_pte_decode(PT_X86_64, 0, 3, 0x1000 | 0x9, &e), PT_OK);
	CHECK_EQ(e.flags, PT_READ | PT_EXECUTE | PT_WC);
	CHECK_EQ(e.state, 0);
	/* Features that do not belong to the arch. */
	CHECK_EQ(pt_pte_decode(PT_X86_64, PT_FEAT_AARCH64_EL2, 3, 0, &e), PT_ERR_INVALID);
	CHECK_EQ(pt_pte_decode(PT_RISCV_SV39, PT_FEAT_RISCV_SVPBMT | PT_FEAT_RISCV_XUANTIE, 2, 0, &e),
		 PT_ERR_INVALID);
	CHECK_EQ(pt_pte_page(PT_AARCH64, PT_FEAT_RISCV_SVPBMT, 3, 0x1000, PT_READ), 0);
	CHECK_EQ(pt_pte_page(PT_AARCH64, PT_FEAT_AARCH64_EL2 | PT_FEAT_AARCH64_HIGH, 3, 0x1000,
			     PT_READ), 0);
	CHECK_EQ(pt_pte_page(PT_ARCH_COUNT, 0, 0, 0x1000, PT_READ), 0);
	CHECK_EQ(pt_pte_decode(PT_ARCH_COUNT, 0, 0, 1, &e), PT_ERR_INVALID);
	/* EPT: what the MMU ignores is decoded, never corrupt: bits 2:0 = 000b
	 * is not present whatever else is set; execute-only leaves; WT (4) and
	 * WP (5) are normal memory, UC (0) DEVICE, WC (1) WC; IPAT; bit 7 of a
	 * PTE; bits 10, 11, 52-63; A/D ignored without A/D flags. */
	CHECK_EQ(pt_pte_decode(PT_X86_64_EPT, 0, 3, 0x000ffffffffffff8, &e), PT_ERR_NOT_MAPPED);
	CHECK_EQ(pt_pte_decode(PT_X86_64_EPT, 0, 0, 0x1000 | 0xf8, &e), PT_ERR_NOT_MAPPED);
	dec_leaf(PT_X86_64_EPT, 0, 3, 0x1000 | 6u << 3 | 0x4, 0x1000, PT_EXECUTE, PT_ACCESSED,
		 "ept execute-only");
	dec_leaf(PT_X86_64_EPT, 0, 3, 0x1000 | 4u << 3 | 0x3, 0x1000, PT_READ | PT_WRITE,
		 PT_ACCESSED | PT_DIRTY, "ept WT");
	dec_leaf(PT_X86_64_EPT, 0, 3, 0x1000 | 5u << 3 | 0x1, 0x1000, PT_READ, PT_ACCESSED,
		 "ept WP");
	dec_leaf(PT_X86_64_EPT, 0, 3, 0x1000 | 0u << 3 | 0x1 | 0x40, 0x1000, PT_READ | PT_DEVICE,
		 PT_ACCESSED, "ept UC with IPAT");
	dec_leaf(PT_X86_64_EPT, 0, 3, 0x1000 | 1u << 3 | 0x5 | 0x80, 0x1000, PT_READ | PT_EXECUTE | PT_WC,
		 PT_ACCESSED, "ept WC, PTE bit 7 ignored");
	dec_leaf(PT_X86_64_EPT, 0, 3, 0xff00000000001000 | 6u << 3 | 0x1 | 0xc00, 0x1000, PT_READ,
		 PT_ACCESSED, "ept bits 10, 11, 56-63 ignored");
	dec_leaf(PT_X86_64_EPT, 0, 3, 0x1000 | 6u << 3 | 0x3, 0x1000, PT_READ | PT_WRITE,
		 PT_ACCESSED | PT_DIRTY, "ept no A/D: writable reads dirty");
	dec_leaf(PT_X86_64_EPT, PT_FEAT_EPT_AD, 3, 0x1000 | 6u << 3 | 0x3, 0x1000, PT_READ | PT_WRITE,
		 0, "ept A/D: clean, not accessed");
	dec_leaf(PT_X86_64_EPT, PT_FEAT_EPT_AD, 3, 0x1000 | 6u << 3 | 0x1 | B(9), 0x1000, PT_READ,
		 PT_DIRTY, "ept A/D: dirty read-only");
	dec_leaf(PT_X86_64_EPT, PT_FEAT_EPT_AD, 1, 0x40000000 | 6u << 3 | 0x87 | B(8) | B(53),
		 0x40000000, PT_READ | PT_WRITE | PT_EXECUTE | PT_SW1, PT_ACCESSED, "ept 1G");
	/* A table entry with fewer rights is still a table (they restrict
	 * what is below, as pt_access reads them); its A bit is ignored. */
	CHECK_EQ(pt_pte_decode(PT_X86_64_EPT, 0, 0, 0x5000 | 0x1 | B(8), &e), PT_OK);
	CHECK(!e.leaf && e.pa == 0x5000);
	/* G-stage: a leaf without U still decodes (pt_access grants nothing);
	 * G is ignored. */
	dec_leaf(PT_RISCV_SV39X4, 0, 2, 0x1000 >> 2 | 0xc7 | B(5), 0x1000, PT_READ | PT_WRITE,
		 PT_ACCESSED | PT_DIRTY, "rvg U=0, G=1");
	/* The features each stage-2 format takes. */
	CHECK_EQ(pt_pte_page(PT_RISCV_SV39X4, PT_FEAT_RISCV_SVPBMT, 2, 0x1000, PT_READ), 0);
	CHECK_EQ(pt_pte_page(PT_X86_64, PT_FEAT_EPT_AD, 3, 0x1000, PT_READ), 0);
	CHECK_EQ(pt_pte_decode(PT_RISCV_SV39, PT_FEAT_EPT_AD, 2, 0, &e), PT_ERR_INVALID);
}

/* A few literal values worked out by hand from the encodings, so an error shared
 * by the library and want_*() above cannot hide. */
static void literals(void)
{
	const uint32_t R = PT_READ, W = PT_WRITE, X = PT_EXECUTE, U = PT_USER, D = PT_DEVICE,
		       NC = PT_UNCACHED, G = PT_GLOBAL, WC = PT_WC, S0 = PT_SW0, S1 = PT_SW1;
	/* x86: P 0x1, RW 0x2, US 0x4, PWT 0x8, PCD 0x10, A 0x20, D 0x40 (only
	 * when writable), PS 0x80, G 0x100, SW0 0x200, SW1 0x400, NX bit 63. */
	CHECK_EQ(pt_pte_page(PT_X86_64, 0, 3, 0x1000, R | W), 0x8000000000001063);
	CHECK_EQ(pt_pte_page(PT_X86_64, 0, 3, 0x1000, R | W | X | U), 0x1067);
	CHECK_EQ(pt_pte_page(PT_X86_64, 0, 3, 0x1000, R | D | NC), 0x8000000000001039);
	CHECK_EQ(pt_pte_page(PT_X86_64, 0, 3, 0x1000, R | X | NC), 0x1031);
	CHECK_EQ(pt_pte_page(PT_X86_64, 0, 2, 0x200000, R | X), 0x2000a1);
	CHECK_EQ(pt_pte_page(PT_X86_64, 0, 1, 0x40000000, R | W | X), 0x400000e3);
	CHECK_EQ(pt_pte_page(PT_X86_64_LA57, 0, 4, 0xffffffffff000, R | X), 0xffffffffff021);
	CHECK_EQ(pt_pte_page(PT_X86_64, 0, 3, 0x1000, R | X | G), 0x1121);
	CHECK_EQ(pt_pte_page(PT_X86_64, 0, 3, 0x1000, R | W | WC), 0x800000000000106b);
	CHECK_EQ(pt_pte_page(PT_X86_64, 0, 3, 0x1000, R | X | WC | NC), 0x1031);
	CHECK_EQ(pt_pte_page(PT_X86_64, 0, 3, 0x1000, R | X | WC | D), 0x1039);
	CHECK_EQ(pt_pte_page(PT_X86_64, 0, 3, 0x1000, R | X | S0), 0x1221);
	CHECK_EQ(pt_pte_page(PT_X86_64, 0, 3, 0x1000, R | X | S1), 0x1421);
	CHECK_EQ(pt_pte_page(PT_X86_64, 0, 2, 0x200000, R | W | X | U | G | WC | S0 | S1), 0x2007ef);
	CHECK_EQ(pt_pte_page(PT_X86_64, 0, 1, 0x40000000, R | G), 0x80000000400001a1);
	CHECK_EQ(pt_pte_page(PT_X86_64_LA57, 0, 2, 0x40000000, R | W | X | WC), 0x400000eb);
	CHECK_EQ(pt_pte_table(PT_X86_64, 0, 0x5000), 0x5007);
	/* EPT: R 0x1, W 0x2, X 0x4, memory type << 3 (WB 0x30, UC 0, WC 0x8),
	 * bit 7 0x80 in 2M/1G leaves, with A/D flags A 0x100 and D 0x200 (only
	 * when writable), SW0 bit 52, SW1 bit 53; no USER, no GLOBAL, UNCACHED
	 * is UC. Table entry: R|W|X | PA. */
	CHECK_EQ(pt_pte_page(PT_X86_64_EPT, 0, 3, 0x1000, R | W), 0x1033);
	CHECK_EQ(pt_pte_page(PT_X86_64_EPT, 0, 3, 0x1000, R | X | U | G), 0x1035);
	CHECK_EQ(pt_pte_page(PT_X86_64_EPT, 0, 3, 0x1000, R | W | X | D), 0x1007);
	CHECK_EQ(pt_pte_page(PT_X86_64_EPT, 0, 3, 0x1000, R | NC), 0x1001);
	CHECK_EQ(pt_pte_page(PT_X86_64_EPT, 0, 3, 0x1000, R | W | WC), 0x100b);
	CHECK_EQ(pt_pte_page(PT_X86_64_EPT, 0, 3, 0x1000, R | WC | NC), 0x1001);
	CHECK_EQ(pt_pte_page(PT_X86_64_EPT, PT_FEAT_EPT_AD, 3, 0x1000, R | W), 0x1333);
	CHECK_EQ(pt_pte_page(PT_X86_64_EPT, PT_FEAT_EPT_AD, 3, 0x1000, R | X | S0 | S1),
		 0x0030000000001135);
	CHECK_EQ(pt_pte_page(PT_X86_64_EPT, 0, 2, 0x200000, R | W | X), 0x2000b7);
	CHECK_EQ(pt_pte_page(PT_X86_64_EPT, PT_FEAT_EPT_AD, 1, 0x40000000, R), 0x400001b1);
	CHECK_EQ(pt_pte_page(PT_X86_64_EPT, 0, 0, 0x8000000000, R), 0); /* no 512G */
	CHECK_EQ(pt_pte_page(PT_X86_64_EPT5, 0, 4, 0xffffffffff000, R | X), 0xffffffffff035);
	CHECK_EQ(pt_pte_page(PT_X86_64_EPT5, 0, 2, 0x40000000, R | X | S0), 0x00100000400000b5);
	CHECK_EQ(pt_pte_table(PT_X86_64_EPT, 0, 0x5000), 0x5007);
	CHECK_EQ(pt_pte_table(PT_X86_64_EPT5, 3, 0xffffffffff000), 0xffffffffff007);
	/* G-stage: RISC-V leaves with U (0x10) always, never G (0x20); no
	 * memory types. V 0x1 R 0x2 W 0x4 X 0x8 A 0x40 D 0x80, RSW 0x100 0x200. */
	CHECK_EQ(pt_pte_page(PT_RISCV_SV39X4, 0, 2, 0x1000, R), 0x453);
	CHECK_EQ(pt_pte_page(PT_RISCV_SV39X4, 0, 2, 0x1000, R | W | U | G | D), 0x4d7);
	CHECK_EQ(pt_pte_page(PT_RISCV_SV48X4, 0, 2, 0x200000, R | X | S0), 0x8015b);
	CHECK_EQ(pt_pte_page(PT_RISCV_SV57X4, 0, 0, UINT64_C(1) << 48, R | W | X | S1),
		 (UINT64_C(1) << 46) | 0x2df);
	CHECK_EQ(pt_pte_table(PT_RISCV_SV39X4, 0, 0x5000), 0x1401);

	/* AArch64: valid 0x1, page 0x2, AttrIndx << 2, AP[6] 0x40, AP[2] 0x80,
	 * SH 0x300, AF 0x400, nG 0x800, DBM bit 51, PXN 53, UXN 54, dirty 55,
	 * SW0 56, SW1 57. */
	CHECK_EQ(pt_pte_page(PT_AARCH64, 0, 3, 0x1000, R | W | X), 0x0048000000001f07);
	CHECK_EQ(pt_pte_page(PT_AARCH64, 0, 3, 0x1000, R | W | U), 0x0068000000001f47);
	CHECK_EQ(pt_pte_page(PT_AARCH64, 0, 3, 0x1000, R | W | X | U), 0x0028000000001f47);
	CHECK_EQ(pt_pte_page(PT_AARCH64, 0, 3, 0x1000, R | D), 0x0060000000001c83);
	CHECK_EQ(pt_pte_page(PT_AARCH64, 0, 2, 0x200000, R | W | NC), 0x0068000000200f09);
	CHECK_EQ(pt_pte_page(PT_AARCH64, PT_FEAT_AARCH64_EL2, 3, 0x1000, R | W | X | U),
		 0x0008000000001747);
	CHECK_EQ(pt_pte_page(PT_AARCH64, PT_FEAT_AARCH64_EL2, 1, 0x40000000, R), 0x00400000400007c5);
	CHECK_EQ(pt_pte_page(PT_AARCH64, 0, 3, 0x1000, R | X | G), 0x0040000000001787);
	CHECK_EQ(pt_pte_page(PT_AARCH64, 0, 3, 0x1000, R | W | WC), 0x0068000000001f0b);
	CHECK_EQ(pt_pte_page(PT_AARCH64, 0, 3, 0x1000, R | X | S0 | S1), 0x0340000000001f87);
	CHECK_EQ(pt_pte_page(PT_AARCH64, PT_FEAT_AARCH64_EL2, 3, 0x1000, R | W | G | U | S1),
		 0x0248000000001747);
	CHECK_EQ(pt_pte_page(PT_AARCH64, PT_FEAT_AARCH64_HIGH, 2, 0x200000, R | G | D),
		 0x0060000000200481);
	CHECK_EQ(pt_pte_page(PT_AARCH64, 0, 1, 0x40000000, R | W | X | U | G | WC | S0),
		 0x0128000040000749);
	CHECK_EQ(pt_pte_table(PT_AARCH64, 0, 0x5000), 0x5003);

	/* RISC-V: V 0x1, R 0x2, W 0x4, X 0x8, U 0x10, G 0x20, A 0x40, D 0x80
	 * (only when writable), RSW 0x100, 0x200. */
	CHECK_EQ(pt_pte_page(PT_RISCV_SV39, 0, 2, 0x80000000, R | W | X), 0x200000cf);
	CHECK_EQ(pt_pte_page(PT_RISCV_SV39, 0, 2, 0x80000000, R | U | D), 0x20000053);
	CHECK_EQ(pt_pte_page(PT_RISCV_SV39, PT_FEAT_RISCV_SVPBMT, 2, 0x80000000, R | W | D),
		 0x40000000200000c7);
	CHECK_EQ(pt_pte_page(PT_RISCV_SV39, PT_FEAT_RISCV_SVPBMT, 2, 0x80000000, R | W | NC),
		 0x20000000200000c7);
	CHECK_EQ(pt_pte_page(PT_RISCV_SV39, PT_FEAT_RISCV_XUANTIE, 2, 0x80000000, R | W),
		 0x70000000200000c7);
	CHECK_EQ(pt_pte_page(PT_RISCV_SV39, PT_FEAT_RISCV_XUANTIE, 2, 0x80000000, R | D),
		 0x9000000020000043);
	CHECK_EQ(pt_pte_page(PT_RISCV_SV39, PT_FEAT_RISCV_XUANTIE, 2, 0x80000000, R | NC),
		 0x3000000020000043);
	CHECK_EQ(pt_pte_page(PT_RISCV_SV39, 0, 2, 0x80000000, R | G), 0x20000063);
	CHECK_EQ(pt_pte_page(PT_RISCV_SV39, 0, 2, 0x80000000, R | W | S0 | S1), 0x200003c7);
	CHECK_EQ(pt_pte_page(PT_RISCV_SV39, 0, 2, 0x80000000, R | WC), 0x20000043);
	CHECK_EQ(pt_pte_page(PT_RISCV_SV39, PT_FEAT_RISCV_SVPBMT, 2, 0x80000000, R | W | WC),
		 0x20000000200000c7);
	CHECK_EQ(pt_pte_page(PT_RISCV_SV39, PT_FEAT_RISCV_XUANTIE, 2, 0x80000000, R | WC),
		 0x3000000020000043);
	CHECK_EQ(pt_pte_page(PT_RISCV_SV48, 0, 1, 0x40000000, R | W | X | U | G), 0x100000ff);
	CHECK_EQ(pt_pte_page(PT_RISCV_SV57, 0, 0, B(48), R | S1), 0x0000400000000243);
	CHECK_EQ(pt_pte_table(PT_RISCV_SV39, 0, 0x80001000), 0x20000401);

	/* LoongArch: V 0x1, D 0x2 (only when writable), PLV 0xc, MAT << 4, H
	 * 0x40 (huge) or G 0x40 (4K), P 0x80, W 0x100, SW0 0x400, SW1 0x800,
	 * huge G 0x1000, NR bit 61, NX bit 62. */
	CHECK_EQ(pt_pte_page(PT_LOONGARCH64, 0, 3, 0x1000, R | W | X), 0x1193);
	CHECK_EQ(pt_pte_page(PT_LOONGARCH64, 0, 3, 0x1000, R), 0x4000000000001091);
	CHECK_EQ(pt_pte_page(PT_LOONGARCH64, 0, 3, 0x1000, R | U | D | X), 0x108d);
	CHECK_EQ(pt_pte_page(PT_LOONGARCH64, 0, 2, 0x200000, R | X | NC), 0x2000e1);
	CHECK_EQ(pt_pte_page(PT_LOONGARCH64, 0, 3, 0x1000, R | X | G), 0x10d1);
	CHECK_EQ(pt_pte_page(PT_LOONGARCH64, 0, 2, 0x200000, R | W | X | G), 0x2011d3);
	CHECK_EQ(pt_pte_page(PT_LOONGARCH64, 0, 3, 0x1000, R | W | X | S0 | S1), 0x1d93);
	CHECK_EQ(pt_pte_page(PT_LOONGARCH64, 0, 3, 0x1000, R | X | WC), 0x10a1);
	CHECK_EQ(pt_pte_page(PT_LOONGARCH64, 0, 1, 0x40000000, R | G | S0), 0x40000000400014d1);
	CHECK_EQ(pt_pte_table(PT_LOONGARCH64, 0, 0x5000), 0x5000);

	/* ARMv7: nG is section bit 17 (0x20000), small page bit 11 (0x800). */
	CHECK_EQ(pt_pte_page(PT_ARMV7, 0, 0, 0x100000, R | W | X), 0x13140e);
	CHECK_EQ(pt_pte_page(PT_ARMV7, 0, 0, 0x100000, R | U | D), 0x128c16);
	CHECK_EQ(pt_pte_page(PT_ARMV7, 0, 1, 0x1000, R | W), 0x1c5f);
	CHECK_EQ(pt_pte_page(PT_ARMV7, 0, 1, 0xfffff000, R | W | U | X | NC), 0xfffffc72);
	CHECK_EQ(pt_pte_page(PT_ARMV7, 0, 0, 0x100000, R | X | G), 0x11940e);
	CHECK_EQ(pt_pte_page(PT_ARMV7, 0, 1, 0x1000, R | W | G), 0x145f);
	CHECK_EQ(pt_pte_page(PT_ARMV7, 0, 1, 0x1000, R | W | WC), 0x1c53);
	CHECK_EQ(pt_pte_page(PT_ARMV7, 0, 1, 0x1000, R | S0), 0);
	CHECK_EQ(pt_pte_page(PT_ARMV7, 0, 0, 0x100000, R | W | S1), 0);
	CHECK_EQ(pt_pte_table(PT_ARMV7, 0, 0x12345c00), 0x12345c01);
}

static void metadata(void)
{
	static const struct {
		enum pt_arch a;
		unsigned levels, va, pa;
		uint64_t sizes;
	} M[] = {
		{ PT_X86_64, 4, 48, 52, PT_SIZE_4K | PT_SIZE_2M | PT_SIZE_1G },
		{ PT_X86_64_LA57, 5, 57, 52, PT_SIZE_4K | PT_SIZE_2M | PT_SIZE_1G },
		{ PT_AARCH64, 4, 48, 48, PT_SIZE_4K | PT_SIZE_2M | PT_SIZE_1G },
		{ PT_RISCV_SV39, 3, 39, 56, PT_SIZE_4K | PT_SIZE_2M | PT_SIZE_1G },
		{ PT_RISCV_SV48, 4, 48, 56, PT_SIZE_4K | PT_SIZE_2M | PT_SIZE_1G | PT_SIZE_512G },
		{ PT_RISCV_SV57, 5, 57, 56,
		  PT_SIZE_4K | PT_SIZE_2M | PT_SIZE_1G | PT_SIZE_512G | PT_SIZE_256T },
		{ PT_LOONGARCH64, 4, 48, 48, PT_SIZE_4K | PT_SIZE_2M | PT_SIZE_1G },
		{ PT_ARMV7, 2, 32, 32, PT_SIZE_4K | PT_SIZE_1M },
		{ PT_X86_64_EPT, 4, 48, 52, PT_SIZE_4K | PT_SIZE_2M | PT_SIZE_1G },
		{ PT_X86_64_EPT5, 5, 57, 52, PT_SIZE_4K | PT_SIZE_2M | PT_SIZE_1G },
		{ PT_RISCV_SV39X4, 3, 41, 56, PT_SIZE_4K | PT_SIZE_2M | PT_SIZE_1G },
		{ PT_RISCV_SV48X4, 4, 50, 56, PT_SIZE_4K | PT_SIZE_2M | PT_SIZE_1G | PT_SIZE_512G },
		{ PT_RISCV_SV57X4, 5, 59, 56,
		  PT_SIZE_4K | PT_SIZE_2M | PT_SIZE_1G | PT_SIZE_512G | PT_SIZE_256T },
	};
	for (size_t i = 0; i < sizeof(M) / sizeof(M[0]); i++) {
		const struct pt_arch_info *in = pt_arch_info(M[i].a);
		CTX("arch %d", M[i].a);
		if (!CHECK(in != NULL))
			continue;
		CHECK(in->name && in->name[0]);
		CHECK_EQ(in->levels, M[i].levels);
		CHECK_EQ(in->va_bits, M[i].va);
		CHECK_EQ(in->pa_bits, M[i].pa);
		CHECK_EQ(in->leaf_sizes, M[i].sizes);
		/* PA edges. */
		CHECK(pt_pa_valid(M[i].a, 0));
		CHECK(pt_pa_valid(M[i].a, B(M[i].pa) - 1));
		CHECK(!pt_pa_valid(M[i].a, B(M[i].pa)));
		CHECK(!pt_pa_valid(M[i].a, UINT64_MAX));
		/* VA edges. */
		CHECK(pt_va_valid(M[i].a, 0));
		if (M[i].a == PT_ARMV7) {
			CHECK(pt_va_valid(M[i].a, 0xffffffff));
			CHECK(!pt_va_valid(M[i].a, B(32)));
			CHECK(!pt_va_valid(M[i].a, UINT64_MAX));
		} else if (M[i].a == PT_AARCH64) {
			CHECK(pt_va_valid(M[i].a, 0x0000ffffffffffff));
			CHECK(pt_va_valid(M[i].a, 0x0000800000000000));
			CHECK(!pt_va_valid(M[i].a, 0x0001000000000000));
			CHECK(!pt_va_valid(M[i].a, 0xfffeffffffffffff));
			CHECK(pt_va_valid(M[i].a, 0xffff000000000000));
			CHECK(pt_va_valid(M[i].a, 0xffff7fffffffffff));
			CHECK(pt_va_valid(M[i].a, UINT64_MAX));
			CHECK(!pt_va_valid(M[i].a, B(63)));
		} else if (fmt_is_ept(M[i].a) || fmt_is_gstage(M[i].a)) {
			/* Guest-physical: no sign extension, no upper half. */
			CHECK(pt_va_valid(M[i].a, B(M[i].va) - 1));
			CHECK(pt_va_valid(M[i].a, B(M[i].va - 1)));
			CHECK(!pt_va_valid(M[i].a, B(M[i].va)));
			CHECK(!pt_va_valid(M[i].a, UINT64_MAX));
			CHECK(!pt_va_valid(M[i].a, ~(B(M[i].va - 1) - 1)));
		} else {
			uint64_t top = B(M[i].va - 1);
			CHECK(pt_va_valid(M[i].a, top - 1));
			CHECK(!pt_va_valid(M[i].a, top));
			CHECK(!pt_va_valid(M[i].a, ~(top - 1) - 1));
			CHECK(pt_va_valid(M[i].a, ~(top - 1)));
			CHECK(pt_va_valid(M[i].a, UINT64_MAX));
			CHECK(!pt_va_valid(M[i].a, B(63)));
			CHECK(!pt_va_valid(M[i].a, B(62)));
		}
	}
	CTX_CLEAR();
	CHECK(pt_arch_info(PT_ARCH_COUNT) == NULL);
	CHECK(pt_arch_info((enum pt_arch)-1) == NULL);
	CHECK(!pt_va_valid(PT_ARCH_COUNT, 0));
	CHECK(!pt_pa_valid(PT_ARCH_COUNT, 0));
	CHECK_EQ(PT_AARCH64_MAIR, 0x44ff04);
	/* MAIR attribute bytes the AttrIndx values assume. */
	CHECK_EQ((PT_AARCH64_MAIR >> 0) & 0xff, 0x04);  /* 0: Device-nGnRE */
	CHECK_EQ((PT_AARCH64_MAIR >> 8) & 0xff, 0xff);  /* 1: Normal WB RW-alloc */
	CHECK_EQ((PT_AARCH64_MAIR >> 16) & 0xff, 0x44); /* 2: Normal NC */
	CHECK_EQ(pt_strerror(12345) != NULL, 1);
	CHECK(pt_strerror(PT_ERR_CORRUPT) != pt_strerror(PT_ERR_INVALID));
}

static void satp(void)
{
	struct arena a;
	struct pt_mm mm;
	struct pt_table t;
	static const struct {
		enum pt_arch a;
		uint64_t mode;
	} S[] = { { PT_RISCV_SV39, 8 }, { PT_RISCV_SV48, 9 }, { PT_RISCV_SV57, 10 },
		  { PT_X86_64, 0 }, { PT_AARCH64, 0 }, { PT_ARMV7, 0 } };
	if (arena_init(&a, UINT64_C(0x80000000), 64) != 0) {
		CHECK(!"arena");
		return;
	}
	arena_mm(&a, &mm);
	for (size_t i = 0; i < sizeof(S) / sizeof(S[0]); i++) {
		CTX("satp arch %d", S[i].a);
		if (!CHECK_EQ(pt_init(&t, S[i].a, 0, &mm), PT_OK))
			continue;
		if (S[i].mode) {
			uint64_t root = pt_root(&t);
			CHECK_EQ(pt_satp(&t, 0), S[i].mode << 60 | root >> 12);
			CHECK_EQ(pt_satp(&t, 0xabcd), S[i].mode << 60 | UINT64_C(0xabcd) << 44 | root >> 12);
			CHECK_EQ(pt_satp(&t, 0xffff) >> 60, S[i].mode);
		} else {
			CHECK_EQ(pt_satp(&t, 7), 0);
		}
		pt_destroy(&t);
		CHECK_EQ(pt_satp(&t, 1), 0); /* dead table */
	}
	CTX_CLEAR();
	CHECK_EQ(pt_satp(NULL, 1), 0);
	CHECK_EQ(a.in_use, 0);
	CHECK_EQ(a.errors, 0);
	arena_fini(&a);
}

int main(void)
{
	group_begin("pte reserved encodings");
	reserved_entries();
	group_end();
	group_begin("pte state, G/SW and PAT decodes");
	state_decodes();
	group_end();
	group_begin("pte literal encodings");
	literals();
	group_end();
	group_begin("pte arch info and validity");
	metadata();
	group_end();
	group_begin("pte satp");
	satp();
	group_end();
	return check_status();
}
