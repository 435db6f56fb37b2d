/* SPDX-License-Identifier: MIT */
/*
 * Intel EPT (extended page tables), 4-level and 5-level: guest-physical to
 * host-physical (Intel SDM vol. 3C, "EPT Translation Mechanism"). Heights:
 * 0 PTE (4K), 1 PDE (2M with bit 7), 2 PDPTE (1G with bit 7), 3 PML4E,
 * 4 PML5E (bits 7:3 reserved in both).
 *
 * Without mode-based execute control: bit 2 allows every instruction fetch
 * and bit 10 is ignored, so an entry is present when bits 2:0 are not 0.
 * Execute-only entries (bits 2:0 = 100b) are taken as supported, as on every
 * EPT implementation that reports IA32_VMX_EPT_VPID_CAP bit 0.
 * An EPT has no user/supervisor distinction, no global bit and no ASID.
 */
#ifndef PT_ARCH_EPT_H
#define PT_ARCH_EPT_H

#include "arch.h"

typedef uint64_t arch_ept_pte;

#define EPT_R (UINT64_C(1) << 0)
#define EPT_W (UINT64_C(1) << 1)
#define EPT_X (UINT64_C(1) << 2)
#define EPT_RWX (EPT_R | EPT_W | EPT_X)
#define EPT_MT_SHIFT 3                        /* memory type, bits 5:3 of a leaf */
#define EPT_MT_MASK (UINT64_C(7) << EPT_MT_SHIFT)
#define EPT_MT_UC 0
#define EPT_MT_WC 1
#define EPT_MT_WB 6
#define EPT_IPAT (UINT64_C(1) << 6)
#define EPT_PS (UINT64_C(1) << 7)             /* a PDE or PDPTE maps a page */
#define EPT_A (UINT64_C(1) << 8)              /* with A/D enabled (EPTP bit 6) */
#define EPT_D (UINT64_C(1) << 9)
#define EPT_SW0 (UINT64_C(1) << 52)           /* ignored by the CPU in every entry */
#define EPT_SW1 (UINT64_C(1) << 53)
#define EPT_ADDR UINT64_C(0x000ffffffffff000) /* bits 12..51 */
/* Reserved in a non-leaf entry: bits 7:3 (bit 7 is the page-size bit in a
 * PDE or PDPTE, so a table there has it clear too). */
#define EPT_TABLE_RSVD (UINT64_C(0x1f) << 3)
/* Leaf memory types 2, 3 and 7 are reserved (EPT misconfiguration). */
#define EPT_MT_BAD 0x8cu

/*
 * The kind of e at height h. A non-leaf entry without read access
 * (execute-only) is a table to the MMU; libpt never writes one and its
 * own tables refuse it (`xonly_tables` false), so that one mask test tells
 * its table entries (struct pt_fast); pt_access follows it.
 */
PT_HOOK int arch_ept_kind_of(unsigned h, uint64_t pte, bool xonly_tables)
{
	const uint64_t rwx = pte & EPT_RWX;
	if (!rwx)
		return PTK_EMPTY; /* the CPU ignores every other bit */
	if ((rwx & (EPT_R | EPT_W)) == EPT_W)
		return PTK_CORRUPT; /* write-only and write/execute */
	if (h == 0 || (h <= 2 && (pte & EPT_PS))) {
		/* The bits of a huge page's address below its size are
		 * reserved. */
		if (((EPT_MT_BAD >> ((pte & EPT_MT_MASK) >> EPT_MT_SHIFT)) & 1) ||
		    (pte & EPT_ADDR & arch_span_mask_512(h)))
			return PTK_CORRUPT;
		return PTK_LEAF;
	}
	if (pte & EPT_TABLE_RSVD)
		return PTK_CORRUPT;
	if (!(pte & EPT_R) && !xonly_tables)
		return PTK_CORRUPT;
	return PTK_TABLE;
}

PT_HOOK int arch_ept_kind(unsigned feat, unsigned h, uint64_t pte)
{
	(void)feat;
	return arch_ept_kind_of(h, pte, false);
}

PT_LEAF_EMPTY_UNLESS(ept, EPT_RWX)

/* A table entry of libpt's: readable, bits 7:3 clear. */
#define arch_ept_TABLE_MASK (EPT_R | EPT_TABLE_RSVD)
#define arch_ept_TABLE_MATCH EPT_R
PT_IS_TABLE_BY_MASK(ept)

/* kind(feat, 0, pte) == PTK_CORRUPT, branch-free for the plan's scans. */
PT_HOOK bool arch_ept_leaf_bad(unsigned feat, uint64_t pte)
{
	const unsigned mt = (unsigned)((pte & EPT_MT_MASK) >> EPT_MT_SHIFT);
	(void)feat;
	return (pte & EPT_RWX) &&
	       (((pte & (EPT_R | EPT_W)) == EPT_W) | (((EPT_MT_BAD >> mt) & 1) != 0));
}

/* Table entries allow everything: the leaf alone decides access. */
PT_PA_IN_PLACE(ept, EPT_ADDR, EPT_RWX)
PT_OUT_IS_PA(ept)

/* R, W, X (0..2) are PT_READ, PT_WRITE, PT_EXECUTE (0..2); memory type UC
 * is PT_DEVICE, WC PT_WC, WB, WT and WP normal; bits 52, 53 PT_SW0, PT_SW1.
 * With A/D on, A and D (8, 9) are the state; without, the CPU keeps none:
 * every leaf reads accessed, and dirty when writable. */
PT_HOOK uint32_t arch_ept_leaf_flags(unsigned feat, unsigned h, uint64_t pte)
{
	const unsigned mt = (unsigned)((pte & EPT_MT_MASK) >> EPT_MT_SHIFT);
	uint32_t f = (uint32_t)(pte & EPT_RWX) | ((uint32_t)(pte >> 44) & (PT_SW0 | PT_SW1));
	(void)h;
	if (mt == EPT_MT_UC)
		f |= PT_DEVICE;
	else if (mt == EPT_MT_WC)
		f |= PT_WC;
	if (feat & PT_FEAT_EPT_AD)
		f |= (uint32_t)(pte & (EPT_A | EPT_D)) << 8;
	else
		f |= PT_ACCESSED | (pte & EPT_W ? PT_DIRTY : 0);
	return f;
}

/* IPAT stays 0: the guest's PAT type combines with the EPT type. */
PT_HOOK uint64_t arch_ept_leaf_attrs(unsigned feat, unsigned h, uint32_t flags)
{
	const uint64_t mt = flags & (PT_DEVICE | PT_UNCACHED) ? EPT_MT_UC
			    : flags & PT_WC			 ? EPT_MT_WC
								 : EPT_MT_WB;
	uint64_t e = (uint64_t)(flags & (PT_READ | PT_WRITE | PT_EXECUTE)) | mt << EPT_MT_SHIFT |
		     (uint64_t)(flags & (PT_SW0 | PT_SW1)) << 44 | (h ? EPT_PS : 0);
	if (feat & PT_FEAT_EPT_AD)
		e |= (uint64_t)(flags & (PT_ACCESSED | PT_DIRTY)) >> 8;
	return e;
}

/* With A/D on, the MMU sets A, and D in a writable leaf. */
PT_HOOK bool arch_ept_may_set(unsigned feat, unsigned h, uint64_t pte)
{
	(void)h;
	return (feat & PT_FEAT_EPT_AD) && (!(pte & EPT_A) || (pte & (EPT_W | EPT_D)) == EPT_W);
}

PT_NEVER_BBM(ept)

/* ---- Under a regime (pt_access) ---- */

/* EPT has no control registers libpt models and no attribute register. */
PT_HOOK bool arch_ept_regime_ok(const struct pt_regime *r)
{
	return !r->controls && !r->attrs && !r->dir_mask;
}

/* A table entry takes away, for everything below it, the accesses it does
 * not allow: an access needs R, W or X in every entry on the way. */
PT_HOOK int arch_ept_r_entry(const struct pt_regime *r, unsigned h, uint64_t e, uint64_t *next,
			     uint64_t *up)
{
	const int k = arch_ept_kind_of(h, e, true);
	(void)r;
	if (k == PTK_TABLE) {
		*next = e & EPT_ADDR;
		*up |= ~e & EPT_RWX;
	}
	return k;
}

/* Reads, writes and fetches alike from every guest privilege level; the
 * CPU sets A and D itself when they are on, and otherwise has none, so
 * neither faults. */
PT_HOOK bool arch_ept_r_leaf(const struct pt_regime *r, unsigned h, uint64_t e, uint64_t up,
			     struct pt_rleaf *lf)
{
	lf->pa = arch_ept_leaf_pa(h, e);
	lf->flags = arch_ept_leaf_flags(r->features, h, e) & ~(uint32_t)(up & EPT_RWX);
	lf->perm = (lf->flags & (PT_PERM_R | PT_PERM_W | PT_PERM_X)) * (1u | 1u << 3);
	lf->af = lf->clean = false;
	return true;
}

#define arch_ept_AF_FIRST 0
#define arch_ept_REGIME_COPY 0
#define arch_ept_OWN_CONTROLS 0

static const struct pt_shape arch_ept_shape_4 = {
	.info = { "x86_64_ept", 4, 48, 52, PT_SIZE_4K | PT_SIZE_2M | PT_SIZE_1G },
	.shift = { 39, 30, 21, 12 },
	PT_SHAPE_512,
	.leaf_levels = 0xe,
	.sign_extend = false,
	.features = PT_FEAT_EPT_AD,
};
static const struct pt_shape arch_ept_shape_5 = {
	.info = { "x86_64_ept5", 5, 57, 52, PT_SIZE_4K | PT_SIZE_2M | PT_SIZE_1G },
	.shift = { 48, 39, 30, 21, 12 },
	PT_SHAPE_512,
	.leaf_levels = 0x1c,
	.sign_extend = false,
	.features = PT_FEAT_EPT_AD,
};

/* The hook contract's constants (arch/arch.h). */
#define arch_ept_EMPTY 0
PT_NO_RUNS(ept)
#define arch_ept_OUT_LINEAR 1
#define arch_ept_LEAF_BITS 9
#define arch_ept_DIR_BITS 9
#define arch_ept_STATE_BITS (PT_ACCESSED | PT_DIRTY | PT_SW0 | PT_SW1)
#define arch_ept_LEAF0_SOUND 0
#define arch_ept_STATE_MASK (EPT_A | EPT_D | EPT_SW0 | EPT_SW1)

#define arch_ept_SHAPES(X) X(arch_ept_shape_4) X(arch_ept_shape_5)
#define arch_ept_FAST_SHAPES arch_ept_SHAPES

#endif /* PT_ARCH_EPT_H */
