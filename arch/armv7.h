/* SPDX-License-Identifier: MIT */
/*
 * ARMv7-A short-descriptor translation (Arm ARM v7-A/R B3.5), TEX remap off,
 * domain 0. Heights: 0 second-level small page (4K), 1 first-level section
 * (1M) or page-table pointer. Supersections, large pages and PXN sections are
 * never written: the engine calls them corrupt, pt_access (foreign tables)
 * decodes them. Decoding depends on the level: the same low bits mean
 * different things in L1 and L2.
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

/* Field positions: [0] in L2 small pages, [1] in L1 sections and
 * supersections, [2] in L2 64K large pages (foreign tables only). */
struct arch_armv7_fields {
	unsigned char xn, b, c, ap, tex, ap2, s, ng;
};
static const struct arch_armv7_fields arch_armv7_at[3] = {
	{ 0, 2, 3, 4, 6, 9, 10, 11 },
	{ 4, 2, 3, 10, 12, 15, 16, 17 },
	{ 15, 2, 3, 4, 12, 9, 10, 11 },
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

/* ---- Under a regime (pt_access) ---- */

#define V7_L1_PXN UINT64_C(4)     /* page-table pointer: PXN for the pages below */
#define V7_SECTION_PXN UINT64_C(1)
#define V7_LARGE UINT64_C(1)      /* L2 bits[1:0] = 01: 64K large page */

/* PRRR's TRn fields (used with TRE) hold no reserved type (0b11). */
PT_HOOK bool arch_armv7_regime_ok(const struct pt_regime *r)
{
	bool ok = !(r->controls & ~(uint64_t)(PT_CTL_TRE | PT_CTL_AFE)) && !r->dir_mask;
	for (unsigned n = 0; ok && (r->controls & PT_CTL_TRE) && n < 8; n++)
		ok = ((r->attrs >> (2 * n)) & 3) != 3;
	return ok;
}

/* The memory type of TEX:C:B read from a foreign table (TEX remap off):
 * as the engine's, but TEX 001 C 1 B 0 is IMPLEMENTATION DEFINED, not
 * reserved (taken as Normal). -1: reserved. */
PT_HOOK int arch_armv7_r_memtype(unsigned tex, unsigned c, unsigned b)
{
	return tex == 1 && c && !b ? 0 : arch_armv7_memtype(tex, c, b);
}

/* Every type but 00 is a table or a leaf; r_leaf finds the reserved
 * encodings of a leaf. */
PT_HOOK int arch_armv7_r_entry(const struct pt_regime *r, unsigned h, uint64_t e, uint64_t *next,
			       uint64_t *up)
{
	(void)r;
	if ((e & V7_TYPE_MASK) == 0)
		return PTK_EMPTY;
	if (h && (e & V7_TYPE_MASK) == V7_L1_TABLE) {
		*next = e & V7_TABLE_ADDR;
		*up |= e & V7_L1_PXN;
		return PTK_TABLE;
	}
	return PTK_LEAF;
}

/* PT_PERM_* for AP[2:0]: without AFE the full table (0 no access, 4
 * reserved); with AFE AP[0] is the access flag and AP[2:1] the simplified
 * model. */
PT_HOOK uint32_t arch_armv7_ap_perm(unsigned ap, bool afe)
{
	static const unsigned char full[8] = {
		0, PT_PERM_R | PT_PERM_W, PT_PERM_R | PT_PERM_W | PT_PERM_UR,
		PT_PERM_R | PT_PERM_W | PT_PERM_UR | PT_PERM_UW, 0, PT_PERM_R,
		PT_PERM_R | PT_PERM_UR, PT_PERM_R | PT_PERM_UR,
	};
	return full[afe ? ap | 1 : ap];
}

/*
 * Arm ARM v7-A B3.7: fetches need read permission too, XN forbids them at
 * both levels and PXN (the section's, or its L1 page-table pointer's) at
 * PL1. Under TEX remap (TRE) the type is PRRR's TRn for n = TEX[0]:C:B,
 * a Normal one non-cacheable when NMRR's IRn and ORn both say so; TEX[2:1]
 * are the OS's. Domains are not modelled: every domain is a client.
 */
PT_HOOK bool arch_armv7_r_leaf_at(const struct arch_armv7_fields *at, const struct pt_regime *r,
				  unsigned h, uint64_t e, uint64_t up, struct pt_rleaf *lf)
{
	const bool afe = r->controls & PT_CTL_AFE;
	const unsigned ap = (unsigned)((e >> at->ap) & 3) | (unsigned)((e >> at->ap2) & 1) << 2;
	const unsigned tex = (unsigned)(e >> at->tex) & 7, c = (e >> at->c) & 1, b = (e >> at->b) & 1;
	const bool xn = (e >> at->xn) & 1;
	const bool pxn = xn || (up & V7_L1_PXN) || (h && (e & V7_SECTION_PXN));
	uint32_t p = arch_armv7_ap_perm(ap, afe), mt;
	int type;
	if (r->controls & PT_CTL_TRE) {
		const unsigned n = (tex & 1) << 2 | c << 1 | b;
		const unsigned tr = (unsigned)(r->attrs >> (2 * n)) & 3;
		const unsigned ir = (unsigned)(r->attrs >> (32 + 2 * n)) & 3;
		const unsigned or_ = (unsigned)(r->attrs >> (48 + 2 * n)) & 3;
		mt = tr < 2 ? PT_DEVICE : (!ir && !or_ ? PT_UNCACHED : 0);
	} else if ((type = arch_armv7_r_memtype(tex, c, b)) >= 0) {
		mt = (uint32_t)type;
	} else {
		return false; /* a reserved TEX:C:B */
	}
	if (ap == 4 && !afe)
		return false; /* AP 100 is reserved without AFE */
	if (h && (e & V7_SUPERSECTION)) {
		lf->size = UINT64_C(1) << 24;
		lf->pa = (e & UINT64_C(0xff000000)) | ((e >> 20) & 0xf) << 32 | ((e >> 5) & 0xf) << 36;
	} else if (!h && !(e & V7_SMALL)) {
		lf->size = UINT64_C(1) << 16;
		lf->pa = e & UINT64_C(0xffff0000);
	} else {
		lf->pa = e & (h ? V7_SECTION_ADDR : V7_SMALL_ADDR);
	}
	p |= (p & PT_PERM_R && !pxn ? PT_PERM_X : 0) | (p & PT_PERM_UR && !xn ? PT_PERM_UX : 0);
	lf->perm = p;
	lf->flags = (p & (PT_PERM_R | PT_PERM_UR) ? PT_READ : 0) |
		    (p & (PT_PERM_W | PT_PERM_UW) ? PT_WRITE | PT_DIRTY : 0) |
		    (p & PT_PERM_UR ? PT_USER : 0) |
		    (p & (p & PT_PERM_UR ? PT_PERM_UX : PT_PERM_X) ? PT_EXECUTE : 0) |
		    ((e >> at->ng) & 1 ? 0 : PT_GLOBAL) | mt |
		    (!afe || (ap & 1) ? PT_ACCESSED : 0);
	lf->af = afe && !(ap & 1);
	lf->clean = false;
	return true;
}

/* The fields of each kind of leaf at constant places: sections (L1),
 * small pages and 64K large pages (L2). */
PT_HOOK bool arch_armv7_r_leaf(const struct pt_regime *r, unsigned h, uint64_t e, uint64_t up,
			       struct pt_rleaf *lf)
{
	if (h)
		return arch_armv7_r_leaf_at(&arch_armv7_at[1], r, h, e, up, lf);
	if (e & V7_SMALL)
		return arch_armv7_r_leaf_at(&arch_armv7_at[0], r, h, e, up, lf);
	return arch_armv7_r_leaf_at(&arch_armv7_at[2], r, h, e, up, lf);
}

#define arch_armv7_AF_FIRST 1
#define arch_armv7_REGIME_COPY 0
#define arch_armv7_OWN_CONTROLS 0

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
PT_NO_RUNS(armv7)
#define arch_armv7_OUT_LINEAR 1
#define arch_armv7_LEAF_BITS 8
#define arch_armv7_DIR_BITS 12
#define arch_armv7_STATE_BITS 0u /* no state and no software bits it could keep */
#define arch_armv7_LEAF0_SOUND 0
#define arch_armv7_STATE_MASK UINT64_C(0)

#define arch_armv7_SHAPES(X) X(arch_armv7_shape)
#define arch_armv7_FAST_SHAPES arch_armv7_SHAPES

#endif /* PT_ARCH_ARMV7_H */
