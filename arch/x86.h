/* SPDX-License-Identifier: MIT */
/*
 * x86-64 4-level and 5-level (LA57) paging, Intel SDM vol. 3A §4.5.
 * Heights: 0 PTE (4K), 1 PDE (2M with PS), 2 PDPTE (1G with PS),
 * 3 PML4E, 4 PML5E (PS reserved in both).
 */
#ifndef PT_ARCH_X86_H
#define PT_ARCH_X86_H

#include "arch.h"

typedef uint64_t arch_x86_pte;

#define X86_P    (UINT64_C(1) << 0)
#define X86_RW   (UINT64_C(1) << 1)
#define X86_US   (UINT64_C(1) << 2)
#define X86_PWT  (UINT64_C(1) << 3)
#define X86_PCD  (UINT64_C(1) << 4)
#define X86_A    (UINT64_C(1) << 5)
#define X86_D    (UINT64_C(1) << 6)
#define X86_PS   (UINT64_C(1) << 7)
#define X86_PAT_4K (UINT64_C(1) << 7)   /* bit 7 of a 4K leaf: PAT, not PS */
#define X86_G    (UINT64_C(1) << 8)
#define X86_SW0  (UINT64_C(1) << 9)     /* AVL bits: ignored by the MMU */
#define X86_SW1  (UINT64_C(1) << 10)
#define X86_PAT_HUGE (UINT64_C(1) << 12)
#define X86_NX   (UINT64_C(1) << 63)
#define X86_ADDR UINT64_C(0x000ffffffffff000) /* bits 12..51 */

PT_HOOK int arch_x86_kind(unsigned feat, unsigned h, uint64_t pte)
{
	(void)feat;
	if (!(pte & X86_P))
		return PTK_EMPTY; /* the CPU ignores every other bit */
	if (h == 0)
		return PTK_LEAF; /* bit 7 is PAT here, not PS */
	if (!(pte & X86_PS))
		return PTK_TABLE;
	/* PS is reserved in PML4E/PML5E; in a huge leaf the address bits below
	 * the page size, except PAT (bit 12), are reserved. */
	if (h > 2 || (pte & X86_ADDR & arch_span_mask_512(h) & ~X86_PAT_HUGE))
		return PTK_CORRUPT;
	return PTK_LEAF;
}

PT_LEAF_EMPTY_UNLESS(x86, X86_P)

#define arch_x86_TABLE_MASK (X86_P | X86_PS)
#define arch_x86_TABLE_MATCH X86_P
PT_IS_TABLE_BY_MASK(x86)

/* kind(feat, 0, pte) == PTK_CORRUPT, branch-free for the plan's scans: a
 * present 4K entry is always a leaf (bit 7 is PAT there). */
PT_HOOK bool arch_x86_leaf_bad(unsigned feat, uint64_t pte)
{
	(void)feat, (void)pte;
	return false;
}

/* Permissive table entries: the leaf alone decides access. */
PT_PA_IN_PLACE(x86, X86_ADDR, X86_P | X86_RW | X86_US)

/* Memory types by PAT index (PAT, PCD, PWT) through PT_X86_PAT: WB, WC,
 * UC-, UC, WB, WP, UC-, WT; WB, WP and WT are normal memory. */
static const unsigned char arch_x86_memtype[8] = {
	0, PT_WC, PT_UNCACHED, PT_DEVICE, 0, 0, PT_UNCACHED, 0,
};

/* Bit moves, not branches: RW (1) is PT_WRITE (1), US (2) PT_USER (3),
 * G (8) PT_GLOBAL (6), AVL 9 and 10 PT_SW0 and PT_SW1 (8, 9), A and D
 * (5, 6) the state (16, 17), NX (63) !PT_EXECUTE (2). */
PT_HOOK uint32_t arch_x86_leaf_flags(unsigned feat, unsigned h, uint64_t pte)
{
	const uint64_t pat = pte & (h ? X86_PAT_HUGE : X86_PAT_4K);
	const unsigned mt = (unsigned)((pte >> 3) & 3) | (pat ? 4u : 0u);
	(void)feat;
	return PT_READ | ((uint32_t)pte & PT_WRITE) | ((uint32_t)pte << 1 & PT_USER) |
	       ((uint32_t)(pte >> 2) & PT_GLOBAL) | ((uint32_t)(pte >> 1) & (PT_SW0 | PT_SW1)) |
	       ((uint32_t)(pte << 11) & (PT_ACCESSED | PT_DIRTY)) |
	       ((uint32_t)(~pte >> 61) & PT_EXECUTE) | arch_x86_memtype[mt];
}

/* The moves of leaf_flags backwards; memory types as PAT indexes 3 (UC:
 * PCD, PWT), 2 (UC-: PCD) and 1 (WC: PWT). */
PT_HOOK uint64_t arch_x86_leaf_attrs(unsigned feat, unsigned h, uint32_t flags)
{
	(void)feat;
	return X86_P | (flags & PT_WRITE) | (flags & PT_USER) >> 1 |
	       (uint64_t)(flags & PT_GLOBAL) << 2 | (uint64_t)(flags & (PT_SW0 | PT_SW1)) << 1 |
	       (uint64_t)(flags & (PT_ACCESSED | PT_DIRTY)) >> 11 |
	       ((flags & (PT_DEVICE | PT_UNCACHED)) ? X86_PCD : 0) |
	       ((flags & (PT_DEVICE | PT_WC)) ? X86_PWT : 0) |
	       ((flags & PT_EXECUTE) ? 0 : X86_NX) | (h > 0 ? X86_PS : 0);
}

PT_OUT_IS_PA(x86)
PT_MAY_SET_AWD(x86, X86_A, X86_RW, X86_D)
PT_NEVER_BBM(x86)

/* ---- Under a regime (pt_access) ---- */

#define X86_CONTROLS (PT_CTL_NXE | PT_CTL_WP | PT_CTL_SMEP | PT_CTL_SMAP | PT_CTL_AC)

/* Every PAT entry a valid memory type (0 UC, 1 WC, 4 WT, 5 WP, 6 WB, 7
 * UC-; 2, 3 and the upper bits of each byte are reserved). */
PT_HOOK bool arch_x86_regime_ok(const struct pt_regime *r)
{
	const uint64_t pat = r->attrs, ones = UINT64_C(0x0101010101010101);
	const uint64_t two_or_three = (pat >> 1) & ~(pat >> 2) & ones;
	return !(r->controls & ~(uint64_t)X86_CONTROLS) && !r->dir_mask &&
	       (!pat || (!(pat & (ones * 0xf8)) && !two_or_three));
}

/* Without NXE bit 63 is reserved at every level. Table entries restrict
 * everything below: up collects the RW and US bits some level lacks, and
 * XD where any level sets it. */
PT_HOOK int arch_x86_r_entry(const struct pt_regime *r, unsigned h, uint64_t e, uint64_t *next,
			     uint64_t *up)
{
	int k;
	if (arch_x86_is_table(0, h, e) && (!(e & X86_NX) || (r->controls & PT_CTL_NXE))) {
		*next = e & X86_ADDR;
		*up |= (~e & (X86_RW | X86_US)) | (e & X86_NX);
		return PTK_TABLE;
	}
	k = arch_x86_kind(0, h, e);
	if (k != PTK_EMPTY && (e & X86_NX) && !(r->controls & PT_CTL_NXE))
		return PTK_CORRUPT;
	if (k == PTK_TABLE) {
		*next = e & X86_ADDR;
		*up |= (~e & (X86_RW | X86_US)) | (e & X86_NX);
	}
	return k;
}

/* Intel SDM vol. 3A §4.6: a user-mode address has US at every level;
 * supervisor writes obey RW only with WP; SMAP keeps the supervisor's data
 * accesses off user addresses unless AC; SMEP its fetches. */
PT_HOOK bool arch_x86_r_leaf(const struct pt_regime *r, unsigned h, uint64_t e, uint64_t up,
			     struct pt_rleaf *lf)
{
	const uint64_t c = r->controls, pat = r->attrs ? r->attrs : PT_X86_PAT;
	/* The leaf's bits as every level decides them together; XD is set
	 * only with NXE (r_entry calls it reserved otherwise). */
	const uint64_t b = (e & ~up) | ((e | up) & X86_NX);
	const bool rw = b & X86_RW, us = b & X86_US, x = !(b & X86_NX);
	const bool smap = us && (c & PT_CTL_SMAP) && !(c & PT_CTL_AC);
	const unsigned idx = (unsigned)((e >> 3) & 3) | (e & (h ? X86_PAT_HUGE : X86_PAT_4K) ? 4u : 0u);
	static const unsigned char type[8] = { PT_DEVICE, PT_WC, 0, 0, 0, 0, 0, PT_UNCACHED };
	lf->pa = e & X86_ADDR & ~arch_span_mask_512(h);
	lf->flags = PT_READ | ((uint32_t)b & PT_WRITE) | ((uint32_t)b << 1 & PT_USER) |
		    ((uint32_t)(e >> 2) & PT_GLOBAL) | ((uint32_t)(e >> 1) & (PT_SW0 | PT_SW1)) |
		    ((uint32_t)(e << 11) & (PT_ACCESSED | PT_DIRTY)) | (x ? PT_EXECUTE : 0) |
		    type[(pat >> (8 * idx)) & 7];
	lf->perm = (smap ? 0 : PT_PERM_R | (rw || !(c & PT_CTL_WP) ? PT_PERM_W : 0)) |
		   (x && !(us && (c & PT_CTL_SMEP)) ? PT_PERM_X : 0) |
		   (us ? PT_PERM_UR | (rw ? PT_PERM_UW : 0) | (x ? PT_PERM_UX : 0) : 0);
	lf->af = lf->clean = false; /* the MMU sets A and D itself */
	return true;
}

#define arch_x86_AF_FIRST 0
#define arch_x86_REGIME_COPY 0
#define arch_x86_OWN_CONTROLS (PT_CTL_NXE | PT_CTL_WP)

/* 4-level: PML4 PDPT PD PT; 5-level adds PML5. Leaves at PDPT, PD, PT. */
static const struct pt_shape arch_x86_shape_4level = {
	.info = { "x86_64", 4, 48, 52, PT_SIZE_4K | PT_SIZE_2M | PT_SIZE_1G },
	.shift = { 39, 30, 21, 12 },
	PT_SHAPE_512,
	.leaf_levels = 0xe,
	.sign_extend = true,
};
static const struct pt_shape arch_x86_shape_5level = {
	.info = { "x86_64_la57", 5, 57, 52, PT_SIZE_4K | PT_SIZE_2M | PT_SIZE_1G },
	.shift = { 48, 39, 30, 21, 12 },
	PT_SHAPE_512,
	.leaf_levels = 0x1c,
	.sign_extend = true,
};

/* The hook contract's constants (arch/arch.h). */
#define arch_x86_EMPTY 0
PT_NO_RUNS(x86)
#define arch_x86_OUT_LINEAR 1
#define arch_x86_LEAF_BITS 9
#define arch_x86_DIR_BITS 9
#define arch_x86_STATE_BITS (PT_ACCESSED | PT_DIRTY | PT_SW0 | PT_SW1)
#define arch_x86_LEAF0_SOUND 1
#define arch_x86_STATE_MASK (X86_A | X86_D | X86_SW0 | X86_SW1)

#define arch_x86_SHAPES(X) X(arch_x86_shape_4level) X(arch_x86_shape_5level)
#define arch_x86_FAST_SHAPES arch_x86_SHAPES

#endif /* PT_ARCH_X86_H */
