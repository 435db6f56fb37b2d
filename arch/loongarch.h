/* SPDX-License-Identifier: MIT */
/*
 * LoongArch64 with 4 KiB pages and a 4-level, 48-bit layout (LoongArch
 * Reference Manual vol. 1 §5.4 and §7.5; PWCL/PWCH in pt.h).
 * Heights: 0 PTE, 1 directory (2M huge with H), 2 directory (1G huge with H),
 * 3 root directory (no huge pages).
 * Directory entries hold only the next table's PA; a huge leaf is a
 * directory entry with H set, where bit 12 is the global bit, not a PA bit.
 */
#ifndef PT_ARCH_LOONGARCH_H
#define PT_ARCH_LOONGARCH_H

#include "arch.h"

typedef uint64_t arch_loongarch_pte;

#define LA_V    (UINT64_C(1) << 0)
#define LA_D    (UINT64_C(1) << 1)
#define LA_PLV_MASK (UINT64_C(3) << 2)
#define LA_MAT_SHIFT 4
#define LA_MAT_MASK (UINT64_C(3) << 4)
#define LA_G    (UINT64_C(1) << 6)   /* 4K leaves */
#define LA_H    (UINT64_C(1) << 6)   /* directory entries: a huge leaf */
#define LA_P    (UINT64_C(1) << 7)
#define LA_W    (UINT64_C(1) << 8)
#define LA_DIRTY_RO (UINT64_C(1) << 9) /* dirty state of a leaf without W */
#define LA_SW0  (UINT64_C(1) << 10)
#define LA_SW1  (UINT64_C(1) << 11)
#define LA_HG   (UINT64_C(1) << 12)  /* huge leaves: global */
#define LA_NR   (UINT64_C(1) << 61)
#define LA_NX   (UINT64_C(1) << 62)
#define LA_ADDR UINT64_C(0x0000fffffffff000) /* PA bits 12..47 */
#define LA_RES_PA (UINT64_C(0x1fff) << 48)  /* bits 48..60 beyond PALEN */
#define LA_MAT_SUC 0u
#define LA_MAT_CC  1u
#define LA_MAT_WUC 2u

/* A leaf is present when P is set; V is its accessed state (the TLB takes
 * V = 0 as invalid, so the first access faults). V without P is a mapping
 * to the TLB but none to the OS: corrupt. */
PT_HOOK bool arch_loongarch_leaf_ok(uint64_t pte)
{
	return (pte & LA_P) && (pte & LA_MAT_MASK) != LA_MAT_MASK && !(pte & LA_RES_PA);
}

PT_LEAF_EMPTY_UNLESS(loongarch, LA_P | LA_V)

/* A directory entry is a non-zero aligned table address and nothing else. */
#define arch_loongarch_TABLE_MASK (~LA_ADDR)
#define arch_loongarch_TABLE_MATCH 0
PT_IS_TABLE_BY_MASK(loongarch)

/* kind(feat, 0, pte) == PTK_CORRUPT, branch-free for the plan's scans. */
PT_HOOK bool arch_loongarch_leaf_bad(unsigned feat, uint64_t pte)
{
	(void)feat;
	return (pte & (LA_P | LA_V)) && !arch_loongarch_leaf_ok(pte);
}

PT_HOOK int arch_loongarch_kind(unsigned feat, unsigned h, uint64_t pte)
{
	(void)feat;
	if (h == 0) {
		if (!(pte & (LA_P | LA_V)))
			return PTK_EMPTY;
		return arch_loongarch_leaf_ok(pte) ? PTK_LEAF : PTK_CORRUPT;
	}
	if (pte == 0)
		return PTK_EMPTY;
	if (pte & LA_H) {
		/* H and P set, bits between the global bit (12) and the page
		 * size clear, and only at the 2M and 1G levels. */
		if (h > 2 || !arch_loongarch_leaf_ok(pte) ||
		    (pte & LA_ADDR & arch_span_mask_512(h) & ~LA_HG))
			return PTK_CORRUPT;
		return PTK_LEAF;
	}
	/* A directory entry is nothing but an aligned table address. */
	return (pte & ~LA_ADDR) ? PTK_CORRUPT : PTK_TABLE;
}

PT_PA_IN_PLACE(loongarch, LA_ADDR, 0)

PT_HOOK uint32_t arch_loongarch_leaf_flags(unsigned feat, unsigned h, uint64_t pte)
{
	uint32_t f = 0;
	unsigned mat = (unsigned)((pte & LA_MAT_MASK) >> LA_MAT_SHIFT);
	(void)feat;
	if (!(pte & LA_NR))
		f |= PT_READ;
	/* D is the TLB's write enable: a leaf with D is writable, W or not
	 * (as pt_access finds it). */
	if (pte & (LA_W | LA_D))
		f |= PT_WRITE;
	if (!(pte & LA_NX))
		f |= PT_EXECUTE;
	if ((pte & LA_PLV_MASK) == LA_PLV_MASK)
		f |= PT_USER;
	if (mat == LA_MAT_SUC)
		f |= PT_DEVICE;
	else if (mat == LA_MAT_WUC)
		f |= PT_UNCACHED;
	if (pte & (h ? LA_HG : LA_G))
		f |= PT_GLOBAL;
	if (pte & LA_V)
		f |= PT_ACCESSED;
	if (pte & (LA_D | LA_DIRTY_RO))
		f |= PT_DIRTY;
	return f | (uint32_t)((pte >> 2) & (PT_SW0 | PT_SW1)); /* bits 10, 11 */
}

PT_HOOK uint64_t arch_loongarch_leaf_attrs(unsigned feat, unsigned h, uint32_t flags)
{
	uint64_t e = LA_P | (uint64_t)(flags & (PT_SW0 | PT_SW1)) << 2;
	(void)feat;
	if (flags & PT_ACCESSED)
		e |= LA_V;
	/* D is the TLB's write enable: a writable clean leaf faults on its
	 * first write, and the OS makes it dirty (pt_set_state). */
	if (flags & PT_WRITE)
		e |= LA_W | (flags & PT_DIRTY ? LA_D : 0);
	else if (flags & PT_DIRTY)
		e |= LA_DIRTY_RO;
	if (flags & PT_USER)
		e |= LA_PLV_MASK;
	if (flags & PT_DEVICE)
		e |= (uint64_t)LA_MAT_SUC << LA_MAT_SHIFT;
	else if (flags & PT_UNCACHED)
		e |= (uint64_t)LA_MAT_WUC << LA_MAT_SHIFT;
	else
		e |= (uint64_t)LA_MAT_CC << LA_MAT_SHIFT;
	if (h > 0)
		e |= LA_H;
	if (flags & PT_GLOBAL)
		e |= h > 0 ? LA_HG : LA_G;
	if (!(flags & PT_READ))
		e |= LA_NR;
	if (!(flags & PT_EXECUTE))
		e |= LA_NX;
	return e;
}

PT_OUT_IS_PA(loongarch)
/* A CPU with the hardware page walker sets V and D. */
PT_MAY_SET_AWD(loongarch, LA_V, LA_W, LA_D)
PT_NEVER_BBM(loongarch)

/* ---- Under a regime (pt_access) ---- */

PT_HOOK bool arch_loongarch_regime_ok(const struct pt_regime *r)
{
	return !r->controls && !r->attrs;
}

/* With dir_mask, a directory entry that is no huge leaf holds the next
 * table's address in a direct-map window (the walk checks what is left). */
PT_HOOK int arch_loongarch_r_entry(const struct pt_regime *r, unsigned h, uint64_t e,
				   uint64_t *next, uint64_t *up)
{
	(void)up;
	if (h > 0 && r->dir_mask && e && !(e & LA_H)) {
		*next = e & r->dir_mask;
		return *next & ~LA_ADDR ? PTK_CORRUPT : PTK_TABLE;
	}
	if (arch_loongarch_is_table(0, h, e)) {
		*next = e & LA_ADDR;
		return PTK_TABLE;
	}
	return arch_loongarch_kind(0, h, e);
}

/* LoongArch manual §5.4: PLV0 may use a leaf unless RPLV ties it to
 * another level; PLV3 only a PLV-3 leaf. V clear faults (page invalid)
 * before anything else; NR, NX and D (the write enable) are checked
 * after the privilege level; a store to a writable leaf without D faults
 * for its dirty state. */
PT_HOOK bool arch_loongarch_r_leaf(const struct pt_regime *r, unsigned h, uint64_t e,
				   uint64_t up, struct pt_rleaf *lf)
{
	const unsigned plv = (unsigned)(e >> 2) & 3;
	const bool kern = !(e >> 63) || plv == 0, user = plv == 3;
	const bool w = e & (LA_W | LA_D);
	const uint32_t p = (e & LA_NR ? 0 : PT_PERM_R) | (w ? PT_PERM_W : 0) |
			   (e & LA_NX ? 0 : PT_PERM_X);
	(void)up;
	lf->pa = e & LA_ADDR & ~arch_span_mask_512(h);
	lf->flags = arch_loongarch_leaf_flags(r->features, h, e) | (w ? PT_WRITE : 0);
	lf->perm = (kern ? p : 0) | (user ? p << 3 : 0);
	lf->af = !(e & LA_V);
	lf->clean = w && !(e & LA_D);
	return true;
}

#define arch_loongarch_AF_FIRST 1
#define arch_loongarch_REGIME_COPY 1
#define arch_loongarch_OWN_CONTROLS 0

/* The layout PT_LOONGARCH_PWCL/PWCH describe: PTE index at bit 12, directories
 * at 21, 30 and 39, 9 bits each. */
static const struct pt_shape arch_loongarch_shape = {
	.info = { "loongarch64", 4, 48, 48, PT_SIZE_4K | PT_SIZE_2M | PT_SIZE_1G },
	.shift = { 39, 30, 21, 12 },
	PT_SHAPE_512,
	.leaf_levels = 0xe,
	.sign_extend = true,
};

/* The hook contract's constants (arch/arch.h). */
#define arch_loongarch_EMPTY 0
PT_NO_RUNS(loongarch)
#define arch_loongarch_OUT_LINEAR 1
#define arch_loongarch_LEAF_BITS 9
#define arch_loongarch_DIR_BITS 9
#define arch_loongarch_STATE_BITS (PT_ACCESSED | PT_DIRTY | PT_SW0 | PT_SW1)
#define arch_loongarch_LEAF0_SOUND 0
#define arch_loongarch_STATE_MASK (LA_V | LA_D | LA_DIRTY_RO | LA_SW0 | LA_SW1)

#define arch_loongarch_SHAPES(X) X(arch_loongarch_shape)
#define arch_loongarch_FAST_SHAPES arch_loongarch_SHAPES

#endif /* PT_ARCH_LOONGARCH_H */
