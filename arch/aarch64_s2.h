/* SPDX-License-Identifier: MIT */
/*
 * AArch64 VMSAv8-64 stage 2 (IPA -> PA), 4 KiB granule, 48-bit OA, IPA
 * sizes 32..48 bits, HCR_EL2.FWB off (Arm ARM D8.3, D8.5, D8.6).
 *
 * Heights as stage 1: 0 level-3 page, 1 level-2 block (2M), 2 level-1
 * block (1G), 3 level-0 (table only). The IPA size picks the levels as
 * KVM does: the start level is the lowest one whose table, concatenated
 * up to 16 times, covers the IPA space, so (ipa - 8) / 9 levels: 32..34
 * bits start at Arm level 2 (2 levels, 4 to 16 root tables), 35..43 at
 * level 1 (3 levels, 1 to 16), 44..48 at level 0 (4 levels, 1). A root of
 * several tables is one allocation aligned to its whole size, as VTTBR
 * requires. Valid VTCR_EL2.SL0/T0SZ pairs with 4K: start level 2 for
 * T0SZ 30..39, 1 for 21..33, 0 for 16..24; every pair here is one.
 *
 * Leaves: S2AP[7:6] (bit 6 read, bit 7 write), MemAttr[5:2] (FWB off:
 * 0b00dd Device, else Normal with outer [3:2] and inner [1:0] cacheability,
 * an inner 0b00 under a Normal outer being reserved), SH[9:8], AF(10),
 * XN[54:53]. With FEAT_XNX, XN 0b00 executes at EL1 and EL0, 0b01 at EL0
 * only, 0b10 nowhere, 0b11 at EL1 only; libpt assumes FEAT_XNX (without
 * it bit 53 is RES0 and the two are read alike only where libpt writes,
 * 0b00 and 0b10). No USER and no GLOBAL: there is no nG and no EL0 bit.
 * Writable and clean is S2AP[1] clear with DBM(51) set, as stage 1 keeps
 * it with AP[2]; the dirty state of a read-only leaf and PT_SW0/1 live in
 * the software bits 55..57, as on stage 1. Stage-2 table descriptors have
 * no attributes: bits 63:59 are ignored.
 */
#ifndef PT_ARCH_AARCH64_S2_H
#define PT_ARCH_AARCH64_S2_H

#include "aarch64_desc.h"

typedef uint64_t arch_aarch64_s2_pte;

#define S2_MEMATTR_MASK (UINT64_C(0xf) << 2)
#define S2_MEMATTR(m)   ((uint64_t)(m) << 2)
#define S2_NORMAL_WB    0xfu /* outer and inner write-back */
#define S2_NORMAL_NC    0x5u /* outer and inner non-cacheable */
#define S2_DEVICE_NGNRE 0x1u
#define S2AP_R          (UINT64_C(1) << 6)
#define S2AP_W          (UINT64_C(1) << 7)
#define S2_XN           (UINT64_C(1) << 54) /* XN[1] */
#define S2_XN0          (UINT64_C(1) << 53) /* XN[0], FEAT_XNX */

/* MemAttr with a Normal outer ([3:2] != 0) and inner [1:0] == 0:
 * reserved. */
PT_HOOK bool arch_s2_memattr_bad(uint64_t pte)
{
	const uint64_t m = pte & S2_MEMATTR_MASK;
	return (m & S2_MEMATTR(0xc)) != 0 && (m & S2_MEMATTR(0x3)) == 0;
}

PT_HOOK int arch_aarch64_s2_kind(unsigned feat, unsigned h, uint64_t pte)
{
	(void)feat;
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
	if ((pte & A64_SH_MASK) == A64_SH_RESERVED || arch_s2_memattr_bad(pte))
		return PTK_CORRUPT;
	return PTK_LEAF;
}

PT_LEAF_EMPTY_UNLESS(aarch64_s2, A64_VALID)

#define arch_aarch64_s2_TABLE_MASK (A64_VALID | A64_TYPE | A64_RES0_OA)
#define arch_aarch64_s2_TABLE_MATCH (A64_VALID | A64_TYPE)
PT_IS_TABLE_BY_MASK(aarch64_s2)

PT_HOOK bool arch_aarch64_s2_leaf_bad(unsigned feat, uint64_t pte)
{
	bool bad = ((pte & A64_RES0_LEAF) != 0) | ((pte & A64_TYPE) == 0) |
		   ((pte & A64_SH_MASK) == A64_SH_RESERVED) | arch_s2_memattr_bad(pte);
	(void)feat;
	return (pte & A64_VALID) && bad;
}

PT_PA_IN_PLACE(aarch64_s2, A64_ADDR, A64_VALID | A64_TYPE)

/* The memory type of a MemAttr: Device, Normal non-cacheable inside and
 * out, or cacheable Normal (write-back or write-through on either side). */
PT_HOOK uint32_t arch_s2_memtype(uint64_t pte)
{
	const uint64_t m = pte & S2_MEMATTR_MASK;
	if (!(m & S2_MEMATTR(0xc)))
		return PT_DEVICE;
	return m == S2_MEMATTR(S2_NORMAL_NC) ? PT_UNCACHED : 0;
}

/* PT_EXECUTE: the guest kernel (EL1) may execute, XN 0b00 or 0b11, as
 * EXECUTE means for every mapping that is not USER. */
PT_HOOK uint32_t arch_aarch64_s2_leaf_flags(unsigned feat, unsigned h, uint64_t pte)
{
	uint32_t f = arch_s2_memtype(pte);
	(void)feat, (void)h;
	if (pte & S2AP_R)
		f |= PT_READ;
	/* Writable: DBM (clean) or S2AP[1] (dirty). */
	if (pte & (A64_DBM | S2AP_W))
		f |= PT_WRITE;
	if (pte & (S2AP_W | A64_SW_DIRTY))
		f |= PT_DIRTY;
	if (!(pte & S2_XN) == !(pte & S2_XN0))
		f |= PT_EXECUTE;
	if (pte & A64_AF)
		f |= PT_ACCESSED;
	return f | (uint32_t)((pte >> 48) & (PT_SW0 | PT_SW1)); /* bits 56, 57 */
}

PT_HOOK uint64_t arch_aarch64_s2_leaf_attrs(unsigned feat, unsigned h, uint32_t flags)
{
	uint64_t e = A64_VALID | S2AP_R | (uint64_t)(flags & (PT_SW0 | PT_SW1)) << 48;
	(void)feat;
	if (h == 0)
		e |= A64_TYPE;
	if (flags & PT_ACCESSED)
		e |= A64_AF;
	if (flags & PT_DEVICE)
		e |= S2_MEMATTR(S2_DEVICE_NGNRE); /* SH 0: Device is always OSH */
	else if (flags & PT_UNCACHED)
		e |= S2_MEMATTR(S2_NORMAL_NC) | A64_SH_INNER;
	else
		e |= S2_MEMATTR(S2_NORMAL_WB) | A64_SH_INNER;
	/* Writable and clean cannot be written by the guest until the CPU
	 * (HD) or the hypervisor (pt_set_state) makes it dirty; a read-only
	 * leaf keeps its dirty state in a software bit. */
	if (flags & PT_WRITE)
		e |= A64_DBM | (flags & PT_DIRTY ? S2AP_W : 0);
	else if (flags & PT_DIRTY)
		e |= A64_SW_DIRTY;
	if (!(flags & PT_EXECUTE))
		e |= S2_XN;
	return e;
}

PT_OUT_IS_PA(aarch64_s2)

/* The MMU may still set AF (HA), or S2AP[1] of a writable clean leaf
 * (HD). */
PT_HOOK bool arch_aarch64_s2_may_set(unsigned feat, unsigned h, uint64_t pte)
{
	(void)feat, (void)h;
	return !(pte & A64_AF) || (pte & (A64_DBM | S2AP_W)) == A64_DBM;
}

/* Break-before-make as on stage 1: only permissions, the access flag, DBM
 * and the software bits may change in place. */
PT_HOOK bool arch_aarch64_s2_needs_bbm(unsigned h, uint64_t old, uint64_t new_pte)
{
	const uint64_t perms = S2AP_R | S2AP_W | S2_XN | S2_XN0 | A64_AF | A64_DBM |
			       A64_SW_DIRTY | A64_SW0 | A64_SW1;
	(void)h;
	return (old & A64_VALID) && (new_pte & A64_VALID) && ((old ^ new_pte) & ~perms);
}

/* ---- Under a regime (pt_access) ---- */

/* VTCR_EL2.HA and HD are the only controls; stage 2 reads no attribute
 * register (FWB off) and table entries hold PAs. */
PT_HOOK bool arch_aarch64_s2_regime_ok(const struct pt_regime *r)
{
	return !(r->controls & ~(uint64_t)(PT_CTL_HA | PT_CTL_HD)) && !r->attrs && !r->dir_mask;
}

PT_HOOK int arch_aarch64_s2_r_entry(const struct pt_regime *r, unsigned h, uint64_t e,
				    uint64_t *next, uint64_t *up)
{
	int k = arch_aarch64_s2_kind(r->features, h, e);
	(void)up; /* no table-level restrictions at stage 2 */
	if (k == PTK_TABLE)
		*next = e & A64_ADDR;
	return k;
}

/*
 * Arm ARM D8.5: S2AP decides reads and writes for EL1 and EL0 alike; XN
 * (with FEAT_XNX) decides execution per EL. DBM marks a leaf writable:
 * not writable to the MMU while clean, and a write then either sets
 * S2AP[1] (HA and HD) or faults.
 */
PT_HOOK bool arch_aarch64_s2_r_leaf(const struct pt_regime *r, unsigned h, uint64_t e,
				    uint64_t up, struct pt_rleaf *lf)
{
	const uint64_t c = r->controls;
	const bool hd = (c & PT_CTL_HA) && (c & PT_CTL_HD);
	const bool rd = e & S2AP_R;
	const bool w = e & (S2AP_W | A64_DBM); /* the hypervisor's view */
	const bool w_hw = e & S2AP_W;          /* the MMU's, now */
	const uint64_t xn = e & (S2_XN | S2_XN0);
	const bool x1 = xn == 0 || xn == (S2_XN | S2_XN0); /* EL1 */
	const bool x0 = xn == 0 || xn == S2_XN0;            /* EL0 */
	(void)up;
	lf->pa = e & A64_ADDR & ~arch_span_mask_512(h);
	lf->flags = arch_aarch64_s2_leaf_flags(r->features, h, e);
	lf->perm = (rd ? PT_PERM_R | PT_PERM_UR : 0) | (w ? PT_PERM_W | PT_PERM_UW : 0) |
		   (x1 ? PT_PERM_X : 0) | (x0 ? PT_PERM_UX : 0);
	lf->af = !(e & A64_AF) && !(c & PT_CTL_HA);
	lf->clean = w && !w_hw && !hd;
	return true;
}

#define arch_aarch64_s2_AF_FIRST 1
#define arch_aarch64_s2_REGIME_COPY 0
#define arch_aarch64_s2_OWN_CONTROLS (PT_CTL_HA | PT_CTL_HD)

/* ---- Shapes: one per IPA size ---- */

/* Levels, and the VA bit where level l's index starts, for `bits` of IPA. */
#define S2_LEVELS(bits) (((bits) - 8u) / 9u)
#define S2_SHIFT(bits, l) \
	((unsigned char)((l) < S2_LEVELS(bits) ? 12u + 9u * (S2_LEVELS(bits) - 1u - (l)) : 0u))
#define S2_ROOT_ENTRIES(bits) (1u << ((bits) - S2_SHIFT(bits, 0u)))
#define S2_ROOT_FRAMES(bits) \
	((unsigned char)(S2_ROOT_ENTRIES(bits) > 512u ? S2_ROOT_ENTRIES(bits) / 512u : 1u))

/* Every level but the root is a 512-entry table; blocks wherever the Arm
 * level is 1 or 2; 1G blocks only where Arm level 1 exists. */
#define S2_SHAPE(bits)                                                                       \
	static const struct pt_shape arch_aarch64_s2_shape_##bits = {                        \
		.info = { "aarch64_s2", S2_LEVELS(bits), bits, 48,                           \
			  PT_SIZE_4K | PT_SIZE_2M | (S2_LEVELS(bits) > 2 ? PT_SIZE_1G : 0) }, \
		.shift = { S2_SHIFT(bits, 0u), S2_SHIFT(bits, 1u), S2_SHIFT(bits, 2u),       \
			   S2_SHIFT(bits, 3u) },                                             \
		.entries = { (unsigned short)S2_ROOT_ENTRIES(bits), 512, 512, 512, 512 },    \
		.pte_bytes = 8,                                                              \
		.frames = { S2_ROOT_FRAMES(bits), 1, 1, 1, 1 },                              \
		.per_frame = { 1, 1, 1, 1, 1 },                                              \
		.leaf_levels = (unsigned char)(S2_LEVELS(bits) == 4 ? 0xe                    \
					       : S2_LEVELS(bits) == 3 ? 0x7 : 0x3),          \
		.features = 0,                                                               \
	};
#define S2_WIDTHS(X)                                                                         \
	X(32) X(33) X(34) X(35) X(36) X(37) X(38) X(39) X(40) X(41) X(42) X(43) X(44) X(45)  \
	X(46) X(47) X(48)
S2_WIDTHS(S2_SHAPE)
#undef S2_SHAPE

/* The hook contract's constants (arch/arch.h). */
#define arch_aarch64_s2_EMPTY 0
PT_NO_RUNS(aarch64_s2)
#define arch_aarch64_s2_OUT_LINEAR 1
#define arch_aarch64_s2_LEAF_BITS 9
#define arch_aarch64_s2_DIR_BITS 9
#define arch_aarch64_s2_STATE_BITS (PT_ACCESSED | PT_DIRTY | PT_SW0 | PT_SW1)
#define arch_aarch64_s2_LEAF0_SOUND 0
#define arch_aarch64_s2_STATE_MASK (S2AP_W | A64_AF | A64_SW_DIRTY | A64_SW0 | A64_SW1)

#define arch_aarch64_s2_SHAPES(X)                                                            \
	X(arch_aarch64_s2_shape_32) X(arch_aarch64_s2_shape_33) X(arch_aarch64_s2_shape_34) \
	X(arch_aarch64_s2_shape_35) X(arch_aarch64_s2_shape_36) X(arch_aarch64_s2_shape_37) \
	X(arch_aarch64_s2_shape_38) X(arch_aarch64_s2_shape_39) X(arch_aarch64_s2_shape_40) \
	X(arch_aarch64_s2_shape_41) X(arch_aarch64_s2_shape_42) X(arch_aarch64_s2_shape_43) \
	X(arch_aarch64_s2_shape_44) X(arch_aarch64_s2_shape_45) X(arch_aarch64_s2_shape_46) \
	X(arch_aarch64_s2_shape_47) X(arch_aarch64_s2_shape_48)
/* The default IPA size is the one the engine folds constants for. */
#define arch_aarch64_s2_FAST_SHAPES(X) X(arch_aarch64_s2_shape_40)
#endif /* PT_ARCH_AARCH64_S2_H */
