/* SPDX-License-Identifier: MIT */
/*
 * AArch64 VMSAv8-64 stage 1 with the 16 KiB and 64 KiB granules, 48-bit
 * OA (Arm ARM D8.3): the families aarch64_16k (arch/aarch64_16k.h) and
 * aarch64_64k (arch/aarch64_64k.h) are each one instance of the hooks
 * below, for a granule of 2^p bytes.
 *
 * Heights: 0 a level-3 page of one granule, 1 a level-2 block (16K: 32M,
 * 64K: 512M), 2 and 3 tables only (without FEAT_LPA/LPA2, neither granule
 * has a block at Arm level 1 or 0). A table holds 2^(p - 3) entries in one
 * granule, aligned to it: its descriptor keeps the next table's address in
 * bits 47..p, and a page's or block's in bits 47..p plus its level's
 * offset bits; the bits between 12 and there are RES0 (64K: OA[51:48]
 * with FEAT_LPA, not used here) and a descriptor with one set is corrupt,
 * as the 4K family treats a block's. The leaf attributes are the 4K
 * family's (arch/aarch64.h), the same bits at every granule; where the
 * contiguous bit (52) will be written, nothing here changes.
 */
#ifndef PT_ARCH_AARCH64_GRAN_H
#define PT_ARCH_AARCH64_GRAN_H

#include "aarch64.h"

/* Offset bits of a leaf at height h with a 2^p-byte granule. */
PT_HOOK uint64_t a64g_span_mask(unsigned p, unsigned h)
{
	return (UINT64_C(1) << (p + (p - 3u) * h)) - 1;
}

/* The RES0 bits below a granule-aligned address field. */
PT_HOOK uint64_t a64g_low(unsigned p)
{
	return A64_ADDR & ((UINT64_C(1) << p) - 1);
}

PT_HOOK int a64g_kind(unsigned p, unsigned feat, unsigned h, uint64_t pte)
{
	if (!(pte & A64_VALID))
		return PTK_EMPTY;
	if (h > 0 && (pte & A64_TYPE))
		return (pte & (A64_RES0_OA | a64g_low(p))) ? PTK_CORRUPT : PTK_TABLE;
	if (pte & A64_RES0_LEAF)
		return PTK_CORRUPT;
	/* Level 3 with bit 1 clear is reserved; blocks only at Arm level 2. */
	if ((h == 0) != !!(pte & A64_TYPE) || h > 1)
		return PTK_CORRUPT;
	if (pte & A64_ADDR & a64g_span_mask(p, h))
		return PTK_CORRUPT; /* OA bits below the leaf's size are RES0 */
	if ((pte & A64_SH_MASK) == A64_SH_RESERVED)
		return PTK_CORRUPT;
	if ((feat & PT_FEAT_AARCH64_EL2) && (pte & A64_PXN))
		return PTK_CORRUPT;
	return PTK_LEAF;
}

PT_HOOK bool a64g_leaf_bad(unsigned p, unsigned feat, uint64_t pte)
{
	bool bad = ((pte & (A64_RES0_LEAF | a64g_low(p))) != 0) | ((pte & A64_TYPE) == 0) |
		   ((pte & A64_SH_MASK) == A64_SH_RESERVED) |
		   (((feat & PT_FEAT_AARCH64_EL2) != 0) & ((pte & A64_PXN) != 0));
	return (pte & A64_VALID) && bad;
}

/* The 4K family's decode but for where the address field starts. */
PT_HOOK bool a64g_r_leaf(unsigned p, const struct pt_regime *r, unsigned h, uint64_t e, uint64_t up,
			 struct pt_rleaf *lf)
{
	const bool ok = arch_aarch64_r_leaf(r, 0, e, up, lf);
	lf->pa = e & A64_ADDR & ~a64g_span_mask(p, h);
	return ok;
}

/* The hooks every AArch64 stage-1 family other than 4K takes from it as
 * they are: the MMU's updates, break-before-make, the flags a leaf's
 * attributes mean, the regime's controls, and table bits that restrict
 * everything below. */
#define A64_SHARED_HOOKS(f)                                                                  \
	PT_HOOK bool arch_##f##_may_set(unsigned feat, unsigned h, uint64_t pte)             \
	{                                                                                    \
		return arch_aarch64_may_set(feat, h, pte);                                   \
	}                                                                                    \
	PT_HOOK bool arch_##f##_needs_bbm(unsigned h, uint64_t old, uint64_t new_pte)        \
	{                                                                                    \
		return arch_aarch64_needs_bbm(h, old, new_pte);                              \
	}                                                                                    \
	PT_HOOK uint32_t arch_##f##_leaf_flags(unsigned feat, unsigned h, uint64_t pte)      \
	{                                                                                    \
		return arch_aarch64_leaf_flags(feat, h, pte);                                \
	}                                                                                    \
	PT_HOOK bool arch_##f##_regime_ok(const struct pt_regime *r)                         \
	{                                                                                    \
		return arch_aarch64_regime_ok(r);                                            \
	}                                                                                    \
	PT_HOOK int arch_##f##_r_entry(const struct pt_regime *r, unsigned h, uint64_t e,    \
				       uint64_t *next, uint64_t *up)                         \
	{                                                                                    \
		if (arch_##f##_is_table(r->features, h, e)) {                                \
			*next = arch_##f##_table_pa(h, e);                                   \
			*up |= e;                                                            \
			return PTK_TABLE;                                                    \
		}                                                                            \
		return arch_##f##_kind(r->features, h, e);                                   \
	}

/* The hooks and constants of family f, granule 2^p. */
#define A64_GRANULE_FAMILY(f, p)                                                             \
	typedef uint64_t arch_##f##_pte;                                                     \
	PT_HOOK int arch_##f##_kind(unsigned feat, unsigned h, uint64_t pte)                 \
	{                                                                                    \
		return a64g_kind(p, feat, h, pte);                                           \
	}                                                                                    \
	PT_LEAF_EMPTY_UNLESS(f, A64_VALID)                                                   \
	PT_HOOK bool arch_##f##_leaf_bad(unsigned feat, uint64_t pte)                        \
	{                                                                                    \
		return a64g_leaf_bad(p, feat, pte);                                          \
	}                                                                                    \
	PT_IS_TABLE_BY_MASK(f)                                                               \
	PT_HOOK uint64_t arch_##f##_table(unsigned h, uint64_t pa)                           \
	{                                                                                    \
		(void)h;                                                                     \
		return A64_VALID | A64_TYPE | (pa & A64_ADDR & ~a64g_low(p));                \
	}                                                                                    \
	PT_HOOK uint64_t arch_##f##_table_pa(unsigned h, uint64_t pte)                       \
	{                                                                                    \
		(void)h;                                                                     \
		return pte & A64_ADDR & ~a64g_low(p);                                        \
	}                                                                                    \
	PT_HOOK uint64_t arch_##f##_leaf_pa(unsigned h, uint64_t pte)                        \
	{                                                                                    \
		return pte & A64_ADDR & ~a64g_span_mask(p, h);                               \
	}                                                                                    \
	PT_HOOK uint64_t arch_##f##_leaf_attrs(unsigned feat, unsigned h, uint32_t flags)    \
	{                                                                                    \
		return arch_aarch64_leaf_attrs(feat, h, flags);                              \
	}                                                                                    \
	PT_OUT_IS_PA(f)                                                                      \
	A64_SHARED_HOOKS(f)                                                                  \
	PT_HOOK bool arch_##f##_r_leaf(const struct pt_regime *r, unsigned h, uint64_t e,    \
				       uint64_t up, struct pt_rleaf *lf)                     \
	{                                                                                    \
		return a64g_r_leaf(p, r, h, e, up, lf);                                      \
	}

#endif /* PT_ARCH_AARCH64_GRAN_H */
