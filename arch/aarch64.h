/* SPDX-License-Identifier: MIT */
/*
 * AArch64 VMSAv8-64 stage 1, 4 KiB granule, 25..48-bit VA, 48-bit OA (Arm
 * ARM D8.3).
 * Heights: 0 level-3 page, 1 level-2 block (2M), 2 level-1 block (1G),
 * 3 level-0 (table only: a level-0 block does not exist with 4K granule).
 * Features: PT_FEAT_AARCH64_EL2 (single-privilege regime), _HIGH (TTBR1, no
 * effect on the encoding).
 */
#ifndef PT_ARCH_AARCH64_H
#define PT_ARCH_AARCH64_H

#include "aarch64_desc.h"

typedef uint64_t arch_aarch64_pte;

/* MAIR indexes matching PT_AARCH64_MAIR = 0x44ff04. */
#define A64_IDX_DEVICE 0u
#define A64_IDX_NORMAL 1u
#define A64_IDX_NC     2u

PT_HOOK int arch_aarch64_kind(unsigned feat, unsigned h, uint64_t pte)
{
	if (!(pte & A64_VALID))
		return PTK_EMPTY;
	if (h > 0 && (pte & A64_TYPE))
		return (pte & A64_RES0_OA) ? PTK_CORRUPT : PTK_TABLE;
	if (pte & A64_RES0_LEAF)
		return PTK_CORRUPT;
	/* Level 3 with bit 1 clear is reserved; no level-0 block with 4K. */
	if ((h == 0) != !!(pte & A64_TYPE) || h > 2)
		return PTK_CORRUPT;
	if (h > 0 && (pte & A64_ADDR & arch_span_mask_512(h)))
		return PTK_CORRUPT; /* block OA bits below the block size are RES0 */
	if ((pte & A64_SH_MASK) == A64_SH_RESERVED)
		return PTK_CORRUPT;
	if ((feat & PT_FEAT_AARCH64_EL2) && (pte & A64_PXN))
		return PTK_CORRUPT;
	return PTK_LEAF;
}

PT_LEAF_EMPTY_UNLESS(aarch64, A64_VALID)

#define arch_aarch64_TABLE_MASK (A64_VALID | A64_TYPE | A64_RES0_OA)
#define arch_aarch64_TABLE_MATCH (A64_VALID | A64_TYPE)
PT_IS_TABLE_BY_MASK(aarch64)

/* kind(feat, 0, pte) == PTK_CORRUPT, branch-free for the plan's scans. */
PT_HOOK bool arch_aarch64_leaf_bad(unsigned feat, uint64_t pte)
{
	bool bad = ((pte & A64_RES0_LEAF) != 0) | ((pte & A64_TYPE) == 0) |
		   ((pte & A64_SH_MASK) == A64_SH_RESERVED) |
		   (((feat & PT_FEAT_AARCH64_EL2) != 0) & ((pte & A64_PXN) != 0));
	return (pte & A64_VALID) && bad;
}

PT_PA_IN_PLACE(aarch64, A64_ADDR, A64_VALID | A64_TYPE)

PT_HOOK uint32_t arch_aarch64_leaf_flags(unsigned feat, unsigned h, uint64_t pte)
{
	uint32_t f = PT_READ;
	unsigned idx = (unsigned)((pte & A64_ATTR_MASK) >> 2);
	(void)h;
	/* Writable: DBM (clean, the Linux scheme) or AP[2] clear (dirty). */
	if ((pte & A64_DBM) || !(pte & A64_AP_RO))
		f |= PT_WRITE;
	if (!(pte & A64_AP_RO) || (pte & A64_SW_DIRTY))
		f |= PT_DIRTY;
	if (feat & PT_FEAT_AARCH64_EL2) {
		if (!(pte & A64_UXN))
			f |= PT_EXECUTE;
	} else {
		if (pte & A64_AP_USER) {
			f |= PT_USER;
			if (!(pte & A64_UXN))
				f |= PT_EXECUTE;
		} else if (!(pte & A64_PXN)) {
			f |= PT_EXECUTE;
		}
		if (!(pte & A64_NG))
			f |= PT_GLOBAL;
	}
	/* Attr3..7 are 0x00 in PT_AARCH64_MAIR: Device-nGnRnE. */
	if (idx == A64_IDX_NC)
		f |= PT_UNCACHED;
	else if (idx != A64_IDX_NORMAL)
		f |= PT_DEVICE;
	if (pte & A64_AF)
		f |= PT_ACCESSED;
	return f | (uint32_t)((pte >> 48) & (PT_SW0 | PT_SW1)); /* bits 56, 57 */
}

PT_HOOK uint64_t arch_aarch64_leaf_attrs(unsigned feat, unsigned h, uint32_t flags)
{
	uint64_t e = A64_VALID | (uint64_t)(flags & (PT_SW0 | PT_SW1)) << 48;
	if (h == 0)
		e |= A64_TYPE;
	if (flags & PT_ACCESSED)
		e |= A64_AF;
	if (flags & PT_DEVICE)
		e |= A64_ATTR(A64_IDX_DEVICE); /* SH 0: Device is always OSH */
	else if (flags & PT_UNCACHED)
		e |= A64_ATTR(A64_IDX_NC) | A64_SH_INNER;
	else
		e |= A64_ATTR(A64_IDX_NORMAL) | A64_SH_INNER;
	/* Writable and clean is read-only to the MMU until the CPU (HD) or
	 * the OS (pt_set_state) makes it dirty; a read-only leaf keeps its
	 * dirty state in a software bit. */
	if (flags & PT_WRITE)
		e |= A64_DBM | (flags & PT_DIRTY ? 0 : A64_AP_RO);
	else
		e |= A64_AP_RO | (flags & PT_DIRTY ? A64_SW_DIRTY : 0);
	if (feat & PT_FEAT_AARCH64_EL2) {
		e |= A64_AP_USER; /* RES1 */
		if (!(flags & PT_EXECUTE))
			e |= A64_UXN;
		return e;
	}
	if (flags & PT_USER) {
		/* Never let the kernel execute user memory. */
		e |= A64_AP_USER | A64_PXN;
		if (!(flags & PT_EXECUTE))
			e |= A64_UXN;
	} else {
		e |= A64_UXN;
		if (!(flags & PT_EXECUTE))
			e |= A64_PXN;
	}
	if (!(flags & PT_GLOBAL))
		e |= A64_NG;
	return e;
}

PT_OUT_IS_PA(aarch64)

/* The MMU may still set AF (HA), or clear AP[2] of a writable clean leaf
 * (HD). */
PT_HOOK bool arch_aarch64_may_set(unsigned feat, unsigned h, uint64_t pte)
{
	(void)feat, (void)h;
	return !(pte & A64_AF) || (pte & (A64_DBM | A64_AP_RO)) == (A64_DBM | A64_AP_RO);
}

/* Arm ARM D8.14 (break-before-make): only permissions, the access flag,
 * DBM and the software bits may change in place; a new address, size,
 * memory type, shareability, nG or descriptor type must go through an
 * invalid entry. */
PT_HOOK bool arch_aarch64_needs_bbm(unsigned h, uint64_t old, uint64_t new_pte)
{
	const uint64_t perms = A64_AP_USER | A64_AP_RO | A64_PXN | A64_UXN | A64_AF | A64_DBM |
			       A64_SW_DIRTY | A64_SW0 | A64_SW1;
	(void)h;
	return (old & A64_VALID) && (new_pte & A64_VALID) && ((old ^ new_pte) & ~perms);
}

/* ---- Under a regime (pt_access) ---- */

#define A64_PXN_TABLE (UINT64_C(1) << 59)
#define A64_UXN_TABLE (UINT64_C(1) << 60) /* XNTable at EL2 */
#define A64_AP_TABLE_NO_EL0 (UINT64_C(1) << 61)
#define A64_AP_TABLE_RO (UINT64_C(1) << 62)
#define A64_TABLE_BITS (A64_PXN_TABLE | A64_UXN_TABLE | A64_AP_TABLE_NO_EL0 | A64_AP_TABLE_RO)

/* Every MAIR value decodes (an index the tables never use does no harm). */
PT_HOOK bool arch_aarch64_regime_ok(const struct pt_regime *r)
{
	const uint64_t ok = PT_CTL_PAN | PT_CTL_WXN | PT_CTL_HA | PT_CTL_HD | PT_CTL_HPD;
	return !(r->controls & ~ok) && !r->dir_mask;
}

/* Table descriptors restrict everything below through APTable, UXNTable
 * and PXNTable, unless TCR.HPD disables them. */
PT_HOOK int arch_aarch64_r_entry(const struct pt_regime *r, unsigned h, uint64_t e,
				 uint64_t *next, uint64_t *up)
{
	if (arch_aarch64_is_table(r->features, h, e)) {
		*next = e & A64_ADDR;
		*up |= e; /* r_leaf keeps the table bits of it, unless HPD */
		return PTK_TABLE;
	}
	return arch_aarch64_kind(r->features, h, e);
}

/* The memory type of MAIR attribute byte m: Device (0b0000ddxx), Normal
 * non-cacheable inside and out (0x44, or 0x40 with FEAT_XS), or cacheable
 * Normal (every other outer and inner pair, 0xa0 and 0xf0 included). */
PT_HOOK uint32_t arch_aarch64_mair_type(unsigned m)
{
	return m < 0x10 ? PT_DEVICE : (m & 0xfb) == 0x40 ? PT_UNCACHED : 0;
}

/*
 * Arm ARM D8.4 (stage 1 EL1&0; EL2 single range with PT_FEAT_AARCH64_EL2):
 * AP[2] or APTable[1] make a leaf read-only at every level; EL0 may use it
 * with AP[1] and no APTable[0]; PAN stops EL1's data accesses to what EL0
 * may use; EL1 never executes what EL0 may write, nor (WXN) what it may
 * write itself. DBM marks a leaf writable: read-only to the MMU while
 * clean, and a write then either sets it dirty (HA and HD) or faults.
 */
PT_HOOK bool arch_aarch64_r_leaf(const struct pt_regime *r, unsigned h, uint64_t e, uint64_t up,
				 struct pt_rleaf *lf)
{
	const uint64_t c = r->controls;
	const uint64_t mair = r->attrs ? r->attrs : PT_AARCH64_MAIR;
	const bool el2 = r->features & PT_FEAT_AARCH64_EL2;
	const bool wxn = c & PT_CTL_WXN;
	/* The table bits folded into the leaf's own: XNTable sets XN,
	 * APTable[0] clears AP[1], APTable[1] sets AP[2] and clears DBM. */
	const uint64_t t = (up &= c & PT_CTL_HPD ? 0 : A64_TABLE_BITS) >> 55; /* APTable: 6, 7 */
	const uint64_t x = (e | ((up >> 6) & (A64_PXN | A64_UXN)) | (t & A64_AP_RO)) &
			   ~((t & A64_AP_USER) | (t & A64_AP_RO) << 44);
	const bool w_hw = !(x & A64_AP_RO);        /* writable to the MMU now */
	const bool w = w_hw || (x & A64_DBM);      /* the OS's view */
	const bool user = !el2 && (x & A64_AP_USER);
	/* EL0 may execute without AP[1]: execute-only memory. */
	const bool ux = !el2 && !(x & A64_UXN) && !(wxn && user && w_hw);
	const bool px = el2 ? !(x & A64_UXN) && !(wxn && w_hw)
			    : !(x & A64_PXN) && !(user && w_hw) && !(wxn && w_hw);
	lf->pa = e & A64_ADDR & ~arch_span_mask_512(h);
	lf->flags = PT_READ | (uint32_t)((e >> 48) & (PT_SW0 | PT_SW1)) |
		    (e & A64_AF ? PT_ACCESSED : 0) |
		    (!(e & A64_AP_RO) || (e & A64_SW_DIRTY) ? PT_DIRTY : 0) |
		    (!el2 && !(e & A64_NG) ? PT_GLOBAL : 0) | (w ? PT_WRITE : 0) |
		    (user ? PT_USER : 0) | ((user ? ux : px) ? PT_EXECUTE : 0) |
		    arch_aarch64_mair_type((unsigned)(mair >> (8 * ((e & A64_ATTR_MASK) >> 2))) & 0xff);
	lf->perm = (user && (c & PT_CTL_PAN) ? 0 : PT_PERM_R | (w ? PT_PERM_W : 0)) |
		   (px ? PT_PERM_X : 0) |
		   (user ? PT_PERM_UR | (w ? PT_PERM_UW : 0) : 0) | (ux ? PT_PERM_UX : 0);
	lf->af = !(e & A64_AF) && !(c & PT_CTL_HA);
	lf->clean = w && !w_hw && !((c & PT_CTL_HA) && (c & PT_CTL_HD));
	return true;
}

#define arch_aarch64_AF_FIRST 1
#define arch_aarch64_REGIME_COPY 0
#define arch_aarch64_OWN_CONTROLS (PT_CTL_HA | PT_CTL_HD)

/* One shape per VA size, 25..48 bits (T0SZ/T1SZ 16..39); blocks at heights
 * 1 and 2 (Arm levels 2 and 1) where the shape has them. Without
 * PT_FEAT_AARCH64_HIGH the table serves [0, 2^bits), with it
 * [2^64 - 2^bits, 2^64): not sign-extended. */
#define A64_4K_SHAPE(bits)                                                                   \
	A64_SHAPE(arch_aarch64_shape_##bits, "aarch64", bits, 12u, 2u,                       \
		  PT_SIZE_4K | PT_SIZE_2M | (A64_LEVELS(bits, 12u) > 2 ? PT_SIZE_1G : 0))
#define A64_4K_WIDTHS(X)                                                                     \
	X(25) X(26) X(27) X(28) X(29) X(30) X(31) X(32) X(33) X(34) X(35) X(36) X(37) X(38)  \
	X(39) X(40) X(41) X(42) X(43) X(44) X(45) X(46) X(47) X(48)
A64_4K_WIDTHS(A64_4K_SHAPE)

/* The hook contract's constants (arch/arch.h). */
#define arch_aarch64_EMPTY 0
A64_RUNS(aarch64, 4, 4)
#define arch_aarch64_OUT_LINEAR 1
#define arch_aarch64_LEAF_BITS 9
#define arch_aarch64_DIR_BITS 9
#define arch_aarch64_STATE_BITS (PT_ACCESSED | PT_DIRTY | PT_SW0 | PT_SW1)
#define arch_aarch64_LEAF0_SOUND 0
#define arch_aarch64_STATE_MASK (A64_AP_RO | A64_AF | A64_SW_DIRTY | A64_SW0 | A64_SW1)

#define arch_aarch64_SHAPES(X)                                                               \
	X(arch_aarch64_shape_25) X(arch_aarch64_shape_26) X(arch_aarch64_shape_27)           \
	X(arch_aarch64_shape_28) X(arch_aarch64_shape_29) X(arch_aarch64_shape_30)           \
	X(arch_aarch64_shape_31) X(arch_aarch64_shape_32) X(arch_aarch64_shape_33)           \
	X(arch_aarch64_shape_34) X(arch_aarch64_shape_35) X(arch_aarch64_shape_36)           \
	X(arch_aarch64_shape_37) X(arch_aarch64_shape_38) X(arch_aarch64_shape_39)           \
	X(arch_aarch64_shape_40) X(arch_aarch64_shape_41) X(arch_aarch64_shape_42)           \
	X(arch_aarch64_shape_43) X(arch_aarch64_shape_44) X(arch_aarch64_shape_45)           \
	X(arch_aarch64_shape_46) X(arch_aarch64_shape_47) X(arch_aarch64_shape_48)
/* The default, 48 bits, is the one the engine folds constants for. */
#define arch_aarch64_FAST_SHAPES(X) X(arch_aarch64_shape_48)
#endif /* PT_ARCH_AARCH64_H */
