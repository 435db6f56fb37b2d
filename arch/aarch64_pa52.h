/* SPDX-License-Identifier: MIT */
/*
 * AArch64 VMSAv8-64 stage 1 with 52-bit output addresses
 * (PT_FEAT_AARCH64_PA52, Arm ARM D8.3): three families, one per granule of
 * 2^p bytes, each an instance of the hooks below.
 *
 *   aarch64_lpa2      4K, FEAT_LPA2 (TCR.DS = 1), 25..48-bit VA
 *   aarch64_16k_lpa2  16K, FEAT_LPA2, 26..52-bit VA (49..52 with
 *                     PT_FEAT_AARCH64_VA52: a root of up to 32 entries)
 *   aarch64_64k_lpa   64K, FEAT_LPA, 30..52-bit VA (as aarch64_64k)
 *
 * With LPA2 a table or leaf descriptor holds OA[49:p] in bits 49:p and
 * OA[51:50] in bits 9:8, where shareability was: it comes from TCR_ELx.SH
 * instead, and libpt writes none. 16K keeps bits 13:12 RES0. With LPA
 * (64K) OA[51:48] sits in bits 15:12, below the granule-aligned field, and
 * bits 9:8 stay the shareability. Either way a block one level higher
 * becomes legal: 4K at Arm level 0 (512G), 16K at level 1 (64G), 64K at
 * level 1 (4T); with LPA2 the contiguous bit (52) is RES0 in that block.
 *
 * The address is no longer one run of bits, so out() is not additive
 * (a carry out of bit 49, or 47 on 64K, lands in the wrong field): these
 * families are not OUT_LINEAR, and the engine rebuilds each entry from
 * its PA. Attributes, permissions, access state and the regime's reading
 * of them are the 48-bit families' (arch/aarch64.h).
 */
#ifndef PT_ARCH_AARCH64_PA52_H
#define PT_ARCH_AARCH64_PA52_H

#include "aarch64_16k.h"
#include "aarch64_64k.h"

#define A64_ADDR_LPA2 UINT64_C(0x0003fffffffff000) /* OA bits 12..49 in place */
#define A64_CONT      (UINT64_C(1) << 52)
/* RES0 in a table descriptor: LPA2 bits 51:50 (libpt's reading, as the
 * 48-bit families' 51:48) and 16K's 13:12; LPA bits 51:48. */
#define A64W_TABLE_RES0(p)                                                                   \
	((p) == 16u ? A64_RES0_OA                                                            \
		    : (UINT64_C(3) << 50) | (A64_ADDR & ((UINT64_C(1) << (p)) - 1)))

/* The highest height that may hold a block: Arm level 0 with 4K, 1 with
 * 16K and 64K. */
PT_HOOK unsigned a64w_maxh(unsigned p)
{
	return p == 12u ? 3u : 2u;
}

/* RES0 bits of a leaf descriptor: 64K's 49:48, 16K's 13:12. */
PT_HOOK uint64_t a64w_leaf_res0(unsigned p)
{
	return p == 16u ? A64_RES0_LEAF : a64g_low(p);
}

/* The descriptor bits holding pa (a table's or a leaf's, aligned to it). */
PT_HOOK uint64_t a64w_out(unsigned p, uint64_t pa)
{
	if (p == 16u)
		return (pa & A64_ADDR & ~a64g_low(p)) | ((pa >> 48) & 0xf) << 12;
	return (pa & A64_ADDR_LPA2 & ~a64g_low(p)) | ((pa >> 50) & 3) << 8;
}

/* The PA a descriptor's address bits hold (a64w_out undone). */
PT_HOOK uint64_t a64w_pa(unsigned p, uint64_t e)
{
	if (p == 16u)
		return (e & A64_ADDR & ~a64g_low(p)) | ((e >> 12) & 0xf) << 48;
	return (e & A64_ADDR_LPA2 & ~a64g_low(p)) | ((e >> 8) & 3) << 50;
}

PT_HOOK int a64w_kind(unsigned p, unsigned feat, unsigned h, uint64_t pte)
{
	if (!(pte & A64_VALID))
		return PTK_EMPTY;
	if (h > 0 && (pte & A64_TYPE))
		return (pte & A64W_TABLE_RES0(p)) ? PTK_CORRUPT : PTK_TABLE;
	if (pte & a64w_leaf_res0(p))
		return PTK_CORRUPT;
	/* Level 3 with bit 1 clear is reserved; no block above a64w_maxh. */
	if ((h == 0) != !!(pte & A64_TYPE) || h > a64w_maxh(p))
		return PTK_CORRUPT;
	if (a64w_pa(p, pte) & a64g_span_mask(p, h))
		return PTK_CORRUPT; /* OA bits below the leaf's size are RES0 */
	if (p == 16u && (pte & A64_SH_MASK) == A64_SH_RESERVED)
		return PTK_CORRUPT;
	if (p != 16u && h == a64w_maxh(p) && (pte & A64_CONT))
		return PTK_CORRUPT;
	if ((feat & PT_FEAT_AARCH64_EL2) && (pte & A64_PXN))
		return PTK_CORRUPT;
	return PTK_LEAF;
}

PT_HOOK bool a64w_leaf_bad(unsigned p, unsigned feat, uint64_t pte)
{
	bool bad = ((pte & a64w_leaf_res0(p)) != 0) | ((pte & A64_TYPE) == 0) |
		   ((p == 16u) & ((pte & A64_SH_MASK) == A64_SH_RESERVED)) |
		   (((feat & PT_FEAT_AARCH64_EL2) != 0) & ((pte & A64_PXN) != 0));
	return (pte & A64_VALID) && bad;
}

/* The 48-bit families' attributes; with LPA2 bits 9:8 are address. */
PT_HOOK uint64_t a64w_leaf_attrs(unsigned p, unsigned feat, unsigned h, uint32_t flags)
{
	const uint64_t e = arch_aarch64_leaf_attrs(feat, h, flags);
	return p == 16u ? e : e & ~A64_SH_MASK;
}

/* The 4K family's decode but for the address field. */
PT_HOOK bool a64w_r_leaf(unsigned p, const struct pt_regime *r, unsigned h, uint64_t e, uint64_t up,
			 struct pt_rleaf *lf)
{
	const bool ok = arch_aarch64_r_leaf(r, 0, e, up, lf);
	lf->pa = a64w_pa(p, e) & ~a64g_span_mask(p, h);
	return ok;
}

/* The hooks and constants of family f, granule 2^p. */
#define A64_WIDE_FAMILY(f, p)                                                                \
	typedef uint64_t arch_##f##_pte;                                                     \
	PT_HOOK int arch_##f##_kind(unsigned feat, unsigned h, uint64_t pte)                 \
	{                                                                                    \
		return a64w_kind(p, feat, h, pte);                                           \
	}                                                                                    \
	PT_LEAF_EMPTY_UNLESS(f, A64_VALID)                                                   \
	PT_HOOK bool arch_##f##_leaf_bad(unsigned feat, uint64_t pte)                        \
	{                                                                                    \
		return a64w_leaf_bad(p, feat, pte);                                          \
	}                                                                                    \
	PT_IS_TABLE_BY_MASK(f)                                                               \
	PT_HOOK uint64_t arch_##f##_table(unsigned h, uint64_t pa)                           \
	{                                                                                    \
		(void)h;                                                                     \
		return A64_VALID | A64_TYPE | a64w_out(p, pa);                               \
	}                                                                                    \
	PT_HOOK uint64_t arch_##f##_table_pa(unsigned h, uint64_t pte)                       \
	{                                                                                    \
		(void)h;                                                                     \
		return a64w_pa(p, pte);                                                      \
	}                                                                                    \
	PT_HOOK uint64_t arch_##f##_leaf_pa(unsigned h, uint64_t pte)                        \
	{                                                                                    \
		return a64w_pa(p, pte) & ~a64g_span_mask(p, h);                              \
	}                                                                                    \
	PT_HOOK uint64_t arch_##f##_leaf_attrs(unsigned feat, unsigned h, uint32_t flags)    \
	{                                                                                    \
		return a64w_leaf_attrs(p, feat, h, flags);                                   \
	}                                                                                    \
	PT_HOOK uint64_t arch_##f##_out(uint64_t pa)                                         \
	{                                                                                    \
		return a64w_out(p, pa);                                                      \
	}                                                                                    \
	A64_SHARED_HOOKS(f)                                                                  \
	PT_HOOK bool arch_##f##_r_leaf(const struct pt_regime *r, unsigned h, uint64_t e,    \
				       uint64_t up, struct pt_rleaf *lf)                     \
	{                                                                                    \
		return a64w_r_leaf(p, r, h, e, up, lf);                                      \
	}

/* The hook contract's constants (arch/arch.h). */
#define arch_aarch64_lpa2_EMPTY 0
A64_RUNS(aarch64_lpa2, 4, 4)
#define arch_aarch64_lpa2_OUT_LINEAR 0
#define arch_aarch64_lpa2_LEAF_BITS 9
#define arch_aarch64_lpa2_DIR_BITS 9
#define arch_aarch64_lpa2_PAGE_SHIFT 12u
#define arch_aarch64_lpa2_TABLE_MASK (A64_VALID | A64_TYPE | A64W_TABLE_RES0(12u))
#define arch_aarch64_lpa2_TABLE_MATCH (A64_VALID | A64_TYPE)
#define arch_aarch64_lpa2_STATE_BITS arch_aarch64_STATE_BITS
#define arch_aarch64_lpa2_LEAF0_SOUND 0
#define arch_aarch64_lpa2_STATE_MASK arch_aarch64_STATE_MASK
#define arch_aarch64_lpa2_AF_FIRST 1
#define arch_aarch64_lpa2_REGIME_COPY 0
#define arch_aarch64_lpa2_OWN_CONTROLS arch_aarch64_OWN_CONTROLS
#define arch_aarch64_16k_lpa2_EMPTY 0
A64_RUNS(aarch64_16k_lpa2, 7, 5)
#define arch_aarch64_16k_lpa2_OUT_LINEAR 0
#define arch_aarch64_16k_lpa2_LEAF_BITS 11
#define arch_aarch64_16k_lpa2_DIR_BITS 11
#define arch_aarch64_16k_lpa2_PAGE_SHIFT 14u
#define arch_aarch64_16k_lpa2_TABLE_MASK (A64_VALID | A64_TYPE | A64W_TABLE_RES0(14u))
#define arch_aarch64_16k_lpa2_TABLE_MATCH (A64_VALID | A64_TYPE)
#define arch_aarch64_16k_lpa2_STATE_BITS arch_aarch64_STATE_BITS
#define arch_aarch64_16k_lpa2_LEAF0_SOUND 0
#define arch_aarch64_16k_lpa2_STATE_MASK arch_aarch64_STATE_MASK
#define arch_aarch64_16k_lpa2_AF_FIRST 1
#define arch_aarch64_16k_lpa2_REGIME_COPY 0
#define arch_aarch64_16k_lpa2_OWN_CONTROLS arch_aarch64_OWN_CONTROLS
#define arch_aarch64_64k_lpa_EMPTY 0
A64_RUNS(aarch64_64k_lpa, 5, 5)
#define arch_aarch64_64k_lpa_OUT_LINEAR 0
#define arch_aarch64_64k_lpa_LEAF_BITS 13
#define arch_aarch64_64k_lpa_DIR_BITS 13
#define arch_aarch64_64k_lpa_PAGE_SHIFT 16u
#define arch_aarch64_64k_lpa_TABLE_MASK (A64_VALID | A64_TYPE | A64W_TABLE_RES0(16u))
#define arch_aarch64_64k_lpa_TABLE_MATCH (A64_VALID | A64_TYPE)
#define arch_aarch64_64k_lpa_STATE_BITS arch_aarch64_STATE_BITS
#define arch_aarch64_64k_lpa_LEAF0_SOUND 0
#define arch_aarch64_64k_lpa_STATE_MASK arch_aarch64_STATE_MASK
#define arch_aarch64_64k_lpa_AF_FIRST 1
#define arch_aarch64_64k_lpa_REGIME_COPY 0
#define arch_aarch64_64k_lpa_OWN_CONTROLS arch_aarch64_OWN_CONTROLS

/* cppcheck reads each expansion as one line. */
// cppcheck-suppress ctunullpointer
A64_WIDE_FAMILY(aarch64_lpa2, 12u)
// cppcheck-suppress ctunullpointer
A64_WIDE_FAMILY(aarch64_16k_lpa2, 14u)
// cppcheck-suppress ctunullpointer
A64_WIDE_FAMILY(aarch64_64k_lpa, 16u)

#define A64W_FEATS (PT_FEAT_AARCH64_EL2 | PT_FEAT_AARCH64_HIGH | PT_FEAT_AARCH64_PA52)

/* Shapes as the 48-bit families', with a 52-bit PA and the higher block. */
#define A64W_4K_SHAPE(bits)                                                                  \
	A64_SHAPE_OF(arch_aarch64_lpa2_shape_##bits, "aarch64", bits, 12u, 3u,               \
		     PT_SIZE_4K | PT_SIZE_2M | (A64_LEVELS(bits, 12u) > 2 ? PT_SIZE_1G : 0) | \
			     (A64_LEVELS(bits, 12u) > 3 ? PT_SIZE_512G : 0),                 \
		     52, A64W_FEATS)
A64_4K_WIDTHS(A64W_4K_SHAPE)
#define A64W_16K_SHAPE(bits)                                                                 \
	A64_SHAPE_OF(arch_aarch64_16k_lpa2_shape_##bits, "aarch64_16k", bits, 14u, 2u,       \
		     PT_SIZE_16K | (A64_LEVELS(bits, 14u) > 1 ? PT_SIZE_32M : 0) |           \
			     (A64_LEVELS(bits, 14u) > 2 ? PT_SIZE_64G : 0),                  \
		     52, A64W_FEATS | PT_FEAT_AARCH64_VA52)
A64_16K_WIDTHS(A64W_16K_SHAPE)
A64W_16K_SHAPE(49) A64W_16K_SHAPE(50) A64W_16K_SHAPE(51) A64W_16K_SHAPE(52)
#define A64W_64K_SHAPE(bits)                                                                 \
	A64_SHAPE_OF(arch_aarch64_64k_lpa_shape_##bits, "aarch64_64k", bits, 16u, 2u,        \
		     PT_SIZE_64K | (A64_LEVELS(bits, 16u) > 1 ? PT_SIZE_512M : 0) |          \
			     (A64_LEVELS(bits, 16u) > 2 ? PT_SIZE_4T : 0),                   \
		     52, A64W_FEATS | PT_FEAT_AARCH64_VA52)
A64_64K_WIDTHS(A64W_64K_SHAPE)

#define arch_aarch64_lpa2_SHAPES(X) \
	X(arch_aarch64_lpa2_shape_25) X(arch_aarch64_lpa2_shape_26) X(arch_aarch64_lpa2_shape_27) \
	X(arch_aarch64_lpa2_shape_28) X(arch_aarch64_lpa2_shape_29) X(arch_aarch64_lpa2_shape_30) \
	X(arch_aarch64_lpa2_shape_31) X(arch_aarch64_lpa2_shape_32) X(arch_aarch64_lpa2_shape_33) \
	X(arch_aarch64_lpa2_shape_34) X(arch_aarch64_lpa2_shape_35) X(arch_aarch64_lpa2_shape_36) \
	X(arch_aarch64_lpa2_shape_37) X(arch_aarch64_lpa2_shape_38) X(arch_aarch64_lpa2_shape_39) \
	X(arch_aarch64_lpa2_shape_40) X(arch_aarch64_lpa2_shape_41) X(arch_aarch64_lpa2_shape_42) \
	X(arch_aarch64_lpa2_shape_43) X(arch_aarch64_lpa2_shape_44) X(arch_aarch64_lpa2_shape_45) \
	X(arch_aarch64_lpa2_shape_46) X(arch_aarch64_lpa2_shape_47) X(arch_aarch64_lpa2_shape_48)
#define arch_aarch64_lpa2_FAST_SHAPES(X) X(arch_aarch64_lpa2_shape_48)
#define arch_aarch64_16k_lpa2_SHAPES(X) \
	X(arch_aarch64_16k_lpa2_shape_26) X(arch_aarch64_16k_lpa2_shape_27) X(arch_aarch64_16k_lpa2_shape_28) \
	X(arch_aarch64_16k_lpa2_shape_29) X(arch_aarch64_16k_lpa2_shape_30) X(arch_aarch64_16k_lpa2_shape_31) \
	X(arch_aarch64_16k_lpa2_shape_32) X(arch_aarch64_16k_lpa2_shape_33) X(arch_aarch64_16k_lpa2_shape_34) \
	X(arch_aarch64_16k_lpa2_shape_35) X(arch_aarch64_16k_lpa2_shape_36) X(arch_aarch64_16k_lpa2_shape_37) \
	X(arch_aarch64_16k_lpa2_shape_38) X(arch_aarch64_16k_lpa2_shape_39) X(arch_aarch64_16k_lpa2_shape_40) \
	X(arch_aarch64_16k_lpa2_shape_41) X(arch_aarch64_16k_lpa2_shape_42) X(arch_aarch64_16k_lpa2_shape_43) \
	X(arch_aarch64_16k_lpa2_shape_44) X(arch_aarch64_16k_lpa2_shape_45) X(arch_aarch64_16k_lpa2_shape_46) \
	X(arch_aarch64_16k_lpa2_shape_47) X(arch_aarch64_16k_lpa2_shape_48) X(arch_aarch64_16k_lpa2_shape_49) \
	X(arch_aarch64_16k_lpa2_shape_50) X(arch_aarch64_16k_lpa2_shape_51) X(arch_aarch64_16k_lpa2_shape_52)
#define arch_aarch64_16k_lpa2_FAST_SHAPES(X) X(arch_aarch64_16k_lpa2_shape_48)
#define arch_aarch64_64k_lpa_SHAPES(X) \
	X(arch_aarch64_64k_lpa_shape_30) X(arch_aarch64_64k_lpa_shape_31) X(arch_aarch64_64k_lpa_shape_32) \
	X(arch_aarch64_64k_lpa_shape_33) X(arch_aarch64_64k_lpa_shape_34) X(arch_aarch64_64k_lpa_shape_35) \
	X(arch_aarch64_64k_lpa_shape_36) X(arch_aarch64_64k_lpa_shape_37) X(arch_aarch64_64k_lpa_shape_38) \
	X(arch_aarch64_64k_lpa_shape_39) X(arch_aarch64_64k_lpa_shape_40) X(arch_aarch64_64k_lpa_shape_41) \
	X(arch_aarch64_64k_lpa_shape_42) X(arch_aarch64_64k_lpa_shape_43) X(arch_aarch64_64k_lpa_shape_44) \
	X(arch_aarch64_64k_lpa_shape_45) X(arch_aarch64_64k_lpa_shape_46) X(arch_aarch64_64k_lpa_shape_47) \
	X(arch_aarch64_64k_lpa_shape_48) X(arch_aarch64_64k_lpa_shape_49) X(arch_aarch64_64k_lpa_shape_50) \
	X(arch_aarch64_64k_lpa_shape_51) X(arch_aarch64_64k_lpa_shape_52)
#define arch_aarch64_64k_lpa_FAST_SHAPES(X) X(arch_aarch64_64k_lpa_shape_48)
#endif /* PT_ARCH_AARCH64_PA52_H */
