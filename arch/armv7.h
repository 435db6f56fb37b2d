/* SPDX-License-Identifier: MIT */
/*
 * ARMv7-A short-descriptor translation (Arm ARM v7-A/R B3.5), TEX remap off,
 * domain 0. Heights: 0 second-level small page (4K), 1 first-level section
 * (1M) or page-table pointer. Supersections, large pages and PXN sections are
 * not written and decode as corrupt. Decoding depends on the level: the same
 * low bits mean different things in L1 and L2.
 */
#ifndef PT_ARCH_ARMV7_H
#define PT_ARCH_ARMV7_H

#include "arch.h"

typedef uint32_t arch_armv7_pte;

#define V7_TYPE_MASK   UINT64_C(3)
#define V7_L1_TABLE    UINT64_C(1)
#define V7_L1_SECTION  UINT64_C(2)
#define V7_SUPERSECTION (UINT64_C(1) << 18)
#define V7_SECTION_ADDR UINT64_C(0xfff00000)
#define V7_TABLE_ADDR  UINT64_C(0xfffffc00)
#define V7_SMALL       UINT64_C(2)
#define V7_SMALL_ADDR  UINT64_C(0xfffff000)

/* Field positions: [0] in L2 small pages, [1] in L1 sections. */
struct arch_armv7_fields {
	unsigned char xn, b, c, ap, tex, ap2, s, ng;
};
static const struct arch_armv7_fields arch_armv7_at[2] = {
	{ 0, 2, 3, 4, 6, 9, 10, 11 },
	{ 4, 2, 3, 10, 12, 15, 16, 17 },
};

/* Memory type from TEX:C:B, TEX remap disabled. -1: reserved. */
PT_HOOK int arch_armv7_memtype(unsigned tex, unsigned c, unsigned b)
{
	if (tex == 0)
		return (c ? 0 : (int)PT_DEVICE); /* SO, Device, WT, WB: no WA */
	if (tex == 1)
		return c && b ? 0 : (!c && !b ? (int)PT_UNCACHED : -1);
	if (tex == 2)
		return (!c && !b) ? (int)PT_DEVICE : -1; /* non-shareable Device */
	if (tex == 3)
		return -1;
	/* TEX=1BB, CB=AA: outer BB, inner AA; both 00 is non-cacheable. */
	return ((tex & 3) == 0 && !c && !b) ? (int)PT_UNCACHED : 0;
}

/* Flags for AP[2:0]; 0 for no-access and reserved encodings. */
PT_HOOK uint32_t arch_armv7_ap_flags(unsigned ap)
{
	switch (ap) {
	case 1: return PT_READ | PT_WRITE;
	case 3: return PT_READ | PT_WRITE | PT_USER;
	case 5: return PT_READ;
	case 6: /* deprecated encoding of 7 */
	case 7: return PT_READ | PT_USER;
	default: return 0; /* 0 no access, 2 kernel RW/user RO, 4 reserved */
	}
}

PT_HOOK int arch_armv7_kind(unsigned feat, unsigned h, uint64_t pte)
{
	const struct arch_armv7_fields *at = &arch_armv7_at[h != 0];
	unsigned tex, ap;
	(void)feat;
	if ((pte & V7_TYPE_MASK) == 0)
		return PTK_EMPTY;
	if (h == 1) {
		if ((pte & V7_TYPE_MASK) == V7_L1_TABLE)
			return PTK_TABLE;
		if ((pte & V7_TYPE_MASK) != V7_L1_SECTION || (pte & V7_SUPERSECTION))
			return PTK_CORRUPT;
	} else if (!(pte & V7_SMALL)) {
		return PTK_CORRUPT; /* 64K large page */
	}
	tex = (unsigned)(pte >> at->tex) & 7;
	ap = (unsigned)((pte >> at->ap) & 3) | (unsigned)((pte >> at->ap2) & 1) << 2;
	if (arch_armv7_memtype(tex, (pte >> at->c) & 1, (pte >> at->b) & 1) < 0 ||
	    !arch_armv7_ap_flags(ap))
		return PTK_CORRUPT;
	return PTK_LEAF;
}

PT_LEAF_EMPTY_UNLESS(armv7, V7_TYPE_MASK)

#define arch_armv7_TABLE_MASK V7_TYPE_MASK
#define arch_armv7_TABLE_MATCH V7_L1_TABLE
PT_IS_TABLE_BY_MASK(armv7)

/* kind(feat, 0, pte) == PTK_CORRUPT, for the plan's scans. */
PT_HOOK bool arch_armv7_leaf_bad(unsigned feat, uint64_t pte)
{
	return arch_armv7_kind(feat, 0, pte) == PTK_CORRUPT;
}

PT_HOOK uint64_t arch_armv7_table_pa(unsigned h, uint64_t pte)
{
	(void)h;
	return pte & V7_TABLE_ADDR;
}

PT_HOOK uint64_t arch_armv7_leaf_pa(unsigned h, uint64_t pte)
{
	return pte & (h ? V7_SECTION_ADDR : V7_SMALL_ADDR);
}

PT_HOOK uint32_t arch_armv7_leaf_flags(unsigned feat, unsigned h, uint64_t pte)
{
	const struct arch_armv7_fields *at = &arch_armv7_at[h != 0];
	unsigned tex = (unsigned)(pte >> at->tex) & 7;
	unsigned ap = (unsigned)((pte >> at->ap) & 3) | (unsigned)((pte >> at->ap2) & 1) << 2;
	int mt = arch_armv7_memtype(tex, (pte >> at->c) & 1, (pte >> at->b) & 1);
	uint32_t f = arch_armv7_ap_flags(ap);
	(void)feat;
	if (!((pte >> at->xn) & 1))
		f |= PT_EXECUTE;
	if (!((pte >> at->ng) & 1))
		f |= PT_GLOBAL;
	/* No access flag (SCTLR.AFE off) and no dirty bit: every leaf is
	 * accessed, every writable one dirty. */
	f |= PT_ACCESSED | (f & PT_WRITE ? PT_DIRTY : 0u);
	return f | (mt > 0 ? (uint32_t)mt : 0);
}

PT_HOOK uint64_t arch_armv7_table(unsigned h, uint64_t pa)
{
	(void)h;
	return V7_L1_TABLE | (pa & V7_TABLE_ADDR); /* domain 0 */
}

PT_HOOK uint64_t arch_armv7_leaf_attrs(unsigned feat, unsigned h, uint32_t flags)
{
	const struct arch_armv7_fields *at = &arch_armv7_at[h != 0];
	uint64_t tex, c, b, s, ap;
	(void)feat;
	if (flags & PT_DEVICE) {
		tex = 0, c = 0, b = 1, s = 0; /* Shareable Device */
	} else if (flags & PT_UNCACHED) {
		tex = 1, c = 0, b = 0, s = 1; /* Normal non-cacheable */
	} else {
		tex = 1, c = 1, b = 1, s = 1; /* Normal WB write-allocate */
	}
	if (flags & PT_USER)
		ap = (flags & PT_WRITE) ? 3 : 7;
	else
		ap = (flags & PT_WRITE) ? 1 : 5;
	return (h ? V7_L1_SECTION : V7_SMALL) | b << at->b | c << at->c |
	       (uint64_t)!(flags & PT_EXECUTE) << at->xn | (ap & 3) << at->ap |
	       tex << at->tex | (ap >> 2) << at->ap2 | s << at->s |
	       (uint64_t)!(flags & PT_GLOBAL) << at->ng;
}

PT_OUT_IS_PA(armv7)

/* Nothing here sets a bit: the access flag is off. */
PT_HOOK bool arch_armv7_may_set(unsigned feat, unsigned h, uint64_t pte)
{
	(void)feat, (void)h, (void)pte;
	return false;
}

/* Permission bits (AP, XN) may change in place; anything else (nG too)
 * needs BBM. */
PT_HOOK bool arch_armv7_needs_bbm(unsigned h, uint64_t old, uint64_t new_pte)
{
	const struct arch_armv7_fields *at = &arch_armv7_at[h != 0];
	uint64_t perms = UINT64_C(1) << at->xn | UINT64_C(3) << at->ap | UINT64_C(1) << at->ap2;
	if ((old & V7_TYPE_MASK) == 0 || (new_pte & V7_TYPE_MASK) == 0)
		return false;
	return ((old ^ new_pte) & ~perms) != 0;
}

/* L1: 4096 4-byte entries, 16 KiB (four frames, 16 KiB aligned). L2: 256
 * entries, 1 KiB, packed four to a frame: the tables of L1 entries 4k..4k+3
 * share one frame. The engine needs no special path for either. */
static const struct pt_shape arch_armv7_shape = {
	.info = { "armv7", 2, 32, 32, PT_SIZE_4K | PT_SIZE_1M },
	.shift = { 20, 12 },
	.entries = { 4096, 256 },
	.pte_bytes = 4,
	.frames = { 4, 1 },
	.per_frame = { 1, 4 },
	.leaf_levels = 0x3,
};

/* The hook contract's constants (arch/arch.h). */
#define arch_armv7_EMPTY 0
#define arch_armv7_OUT_LINEAR 1
#define arch_armv7_LEAF_BITS 8
#define arch_armv7_DIR_BITS 12
#define arch_armv7_STATE_BITS 0u /* no state and no software bits it could keep */
#define arch_armv7_LEAF0_SOUND 0
#define arch_armv7_STATE_MASK UINT64_C(0)

#define arch_armv7_SHAPES(X) X(arch_armv7_shape)

#endif /* PT_ARCH_ARMV7_H */
