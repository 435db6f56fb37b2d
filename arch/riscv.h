/* SPDX-License-Identifier: MIT */
/*
 * RISC-V Sv39/Sv48/Sv57 (Privileged ISA §4.4-4.6), with the Svpbmt extension
 * or T-Head XuanTie C9xx memory types as features. Any level may hold a leaf
 * (heights 0..4: 4K, 2M, 1G, 512G, 256T).
 */
#ifndef PT_ARCH_RISCV_H
#define PT_ARCH_RISCV_H

#include "arch.h"

typedef uint64_t arch_riscv_pte;

#define RV_V (UINT64_C(1) << 0)
#define RV_R (UINT64_C(1) << 1)
#define RV_W (UINT64_C(1) << 2)
#define RV_X (UINT64_C(1) << 3)
#define RV_U (UINT64_C(1) << 4)
#define RV_G (UINT64_C(1) << 5)
#define RV_A (UINT64_C(1) << 6)
#define RV_D (UINT64_C(1) << 7)
#define RV_RSW0 (UINT64_C(1) << 8) /* RSW: for supervisor software */
#define RV_RSW1 (UINT64_C(1) << 9)
#define RV_PPN_SHIFT 10
#define RV_PPN_MASK ((UINT64_C(1) << 44) - 1)
#define RV_RESERVED (UINT64_C(0x7f) << 54)   /* bits 54..60 */
#define RV_PBMT_MASK (UINT64_C(3) << 61)
#define RV_PBMT_NC (UINT64_C(1) << 61)
#define RV_PBMT_IO (UINT64_C(2) << 61)
#define RV_N (UINT64_C(1) << 63)             /* Svnapot: one of a 64 KiB run */
#define RV_NAPOT_64K (UINT64_C(8) << RV_PPN_SHIFT) /* PPN[3:0] of a 64 KiB NAPOT leaf */
#define RV_NAPOT_LOW (UINT64_C(0xf) << RV_PPN_SHIFT)
/* T-Head XuanTie memory-type bits (what Linux writes for C9xx). */
#define RV_XT_SO (UINT64_C(1) << 63)
#define RV_XT_C  (UINT64_C(1) << 62)
#define RV_XT_B  (UINT64_C(1) << 61)
#define RV_XT_SH (UINT64_C(1) << 60)
#define RV_XT_SEC (UINT64_C(1) << 59)
#define RV_XT_MASK (RV_XT_SO | RV_XT_C | RV_XT_B | RV_XT_SH | RV_XT_SEC)
/* The flags whose bits are R, W, X, U shifted right by one. */
#define RV_RWXU_FLAGS (PT_READ | PT_WRITE | PT_EXECUTE | PT_USER)

/* Svnapot: a last-level leaf with N set maps 64 KiB where PPN[3:0] is
 * 0b1000 (every other N encoding is reserved); not under XuanTie, whose
 * memory types own bit 63. */
PT_HOOK bool arch_riscv_napot_ok(unsigned feat, unsigned h, uint64_t pte)
{
	return (pte & (RV_N | RV_NAPOT_LOW)) == (RV_N | RV_NAPOT_64K) && h == 0 &&
	       !(feat & PT_FEAT_RISCV_XUANTIE);
}

PT_HOOK int arch_riscv_kind(unsigned feat, unsigned h, uint64_t pte)
{
	uint64_t rwx = pte & (RV_R | RV_W | RV_X);
	uint64_t high = pte & (RV_RESERVED | RV_PBMT_MASK | RV_N);

	if (!(pte & RV_V))
		return PTK_EMPTY;
	if (rwx == 0) {
		/* Non-leaf: D, A, U and every attribute bit are reserved, and
		 * there is nothing below a level-0 entry. */
		if (h == 0 || (pte & (RV_D | RV_A | RV_U)) || high)
			return PTK_CORRUPT;
		return PTK_TABLE;
	}
	if ((rwx & (RV_R | RV_W)) == RV_W)
		return PTK_CORRUPT; /* W without R is reserved */
	if (__builtin_expect(high != 0, 0)) {
		if (arch_riscv_napot_ok(feat, h, pte))
			high &= ~RV_N;
		if (feat & PT_FEAT_RISCV_XUANTIE)
			high &= ~RV_XT_MASK;
		else if (feat & PT_FEAT_RISCV_SVPBMT) {
			if ((pte & RV_PBMT_MASK) == RV_PBMT_MASK)
				return PTK_CORRUPT; /* PBMT 3 is reserved */
			high &= ~RV_PBMT_MASK;
		}
		if (high)
			return PTK_CORRUPT;
	}
	/* A superpage whose PPN is not aligned raises a page fault. */
	if ((pte >> RV_PPN_SHIFT) & ((UINT64_C(1) << (9 * h)) - 1))
		return PTK_CORRUPT;
	return PTK_LEAF;
}

PT_LEAF_EMPTY_UNLESS(riscv, RV_V)

/* A table entry: valid, no R/W/X, and D, A, U and every attribute bit
 * clear. */
#define arch_riscv_TABLE_MASK \
	(RV_V | RV_R | RV_W | RV_X | RV_U | RV_A | RV_D | RV_RESERVED | RV_PBMT_MASK | RV_N)
#define arch_riscv_TABLE_MATCH RV_V
PT_IS_TABLE_BY_MASK(riscv)

/* kind(feat, 0, pte) == PTK_CORRUPT, branch-free for the plan's scans. */
PT_HOOK bool arch_riscv_leaf_bad(unsigned feat, uint64_t pte)
{
	uint64_t rwx = pte & (RV_R | RV_W | RV_X);
	uint64_t allowed = 0;
	bool bad;
	if (feat & PT_FEAT_RISCV_XUANTIE)
		allowed = RV_XT_MASK;
	else if (feat & PT_FEAT_RISCV_SVPBMT)
		allowed = RV_PBMT_MASK;
	allowed |= arch_riscv_napot_ok(feat, 0, pte) ? RV_N : 0;
	bad = (rwx == 0) | ((rwx & (RV_R | RV_W)) == RV_W) |
	      ((pte & (RV_RESERVED | RV_PBMT_MASK | RV_N) & ~allowed) != 0) |
	      (((feat & PT_FEAT_RISCV_SVPBMT) != 0) & ((pte & RV_PBMT_MASK) == RV_PBMT_MASK));
	return (pte & RV_V) && bad;
}

PT_HOOK uint64_t arch_riscv_table_pa(unsigned h, uint64_t pte)
{
	(void)h;
	return ((pte >> RV_PPN_SHIFT) & RV_PPN_MASK) << 12;
}

PT_HOOK uint64_t arch_riscv_leaf_pa(unsigned h, uint64_t pte)
{
	return arch_riscv_table_pa(h, pte);
}

PT_HOOK uint32_t arch_riscv_leaf_flags(unsigned feat, unsigned h, uint64_t pte)
{
	/* Bit moves: R, W, X, U (1..4) are PT_READ, PT_WRITE, PT_EXECUTE,
	 * PT_USER (0..3); G (5) PT_GLOBAL (6), A and D (6, 7) the state (16,
	 * 17), RSW (8, 9) PT_SW0 and PT_SW1 (8, 9). */
	uint32_t f = ((uint32_t)(pte >> 1) & RV_RWXU_FLAGS) | (uint32_t)(pte & RV_G) << 1 |
		     (uint32_t)(pte & (RV_A | RV_D)) << 10 | (uint32_t)(pte & (RV_RSW0 | RV_RSW1));
	(void)h;
	if (feat & PT_FEAT_RISCV_SVPBMT) {
		if ((pte & RV_PBMT_MASK) == RV_PBMT_IO)
			f |= PT_DEVICE;
		else if ((pte & RV_PBMT_MASK) == RV_PBMT_NC)
			f |= PT_UNCACHED;
	} else if (feat & PT_FEAT_RISCV_XUANTIE) {
		if (pte & RV_XT_SO)
			f |= PT_DEVICE;
		else if (!(pte & RV_XT_C))
			f |= PT_UNCACHED;
	}
	return f;
}

PT_HOOK uint64_t arch_riscv_table(unsigned h, uint64_t pa)
{
	(void)h;
	return RV_V | (((pa >> 12) & RV_PPN_MASK) << RV_PPN_SHIFT);
}

PT_HOOK uint64_t arch_riscv_leaf_attrs(unsigned feat, unsigned h, uint32_t flags)
{
	/* Without Svadu a clear A or D faults (Svade): the OS sets them. */
	uint64_t e = RV_V | (uint64_t)(flags & RV_RWXU_FLAGS) << 1 |
		     (uint64_t)(flags & PT_GLOBAL) >> 1 |
		     (uint64_t)(flags & (PT_ACCESSED | PT_DIRTY)) >> 10 |
		     (uint64_t)(flags & (PT_SW0 | PT_SW1));
	(void)h;
	if (feat & PT_FEAT_RISCV_SVPBMT) {
		if (flags & PT_DEVICE)
			e |= RV_PBMT_IO;
		else if (flags & PT_UNCACHED)
			e |= RV_PBMT_NC;
	} else if (feat & PT_FEAT_RISCV_XUANTIE) {
		if (flags & PT_DEVICE)
			e |= RV_XT_SO | RV_XT_SH;
		else if (flags & PT_UNCACHED)
			e |= RV_XT_B | RV_XT_SH;
		else
			e |= RV_XT_C | RV_XT_B | RV_XT_SH;
	}
	return e;
}

PT_HOOK uint64_t arch_riscv_out(uint64_t pa)
{
	return (pa >> 12) << RV_PPN_SHIFT;
}

/* Svadu: the MMU sets A and D. */
PT_MAY_SET_AWD(riscv, RV_A, RV_W, RV_D)
PT_NEVER_BBM(riscv)

/* ---- Under a regime (pt_access) ---- */

PT_HOOK bool arch_riscv_regime_ok(const struct pt_regime *r)
{
	const uint64_t ok = PT_CTL_HA | PT_CTL_HD | PT_CTL_SUM | PT_CTL_MXR, c = r->controls;
	/* Svadu sets both or neither. */
	return !((c & ~ok) | r->attrs | r->dir_mask | (((c >> 1) ^ c) & PT_CTL_HA));
}

/* Svnapot under a regime: the leaf maps 64 KiB. */
PT_HOOK bool arch_riscv_napot(const struct pt_regime *r, unsigned h, uint64_t e)
{
	return arch_riscv_napot_ok(r->features, h, e);
}

/* A G table entry makes every mapping below it global. */
PT_HOOK int arch_riscv_r_entry(const struct pt_regime *r, unsigned h, uint64_t e, uint64_t *next,
			       uint64_t *up)
{
	if (arch_riscv_is_table(r->features, h, e)) {
		*next = arch_riscv_table_pa(h, e);
		*up |= e & RV_G;
		return PTK_TABLE;
	}
	return arch_riscv_kind(r->features, h, e);
}

/* Privileged ISA §4.3.1: S-mode reaches U pages' data only with SUM and
 * never executes them; MXR makes executable pages readable; without
 * Svadu a clear A faults, and a clear D on a write. */
PT_HOOK bool arch_riscv_r_leaf(const struct pt_regime *r, unsigned h, uint64_t e, uint64_t up,
			       struct pt_rleaf *lf)
{
	const uint64_t c = r->controls;
	const bool u = e & RV_U, w = e & RV_W, x = e & RV_X;
	const bool rd = (e & RV_R) || ((c & PT_CTL_MXR) && x);
	const uint32_t data = (rd ? PT_PERM_R : 0) | (w ? PT_PERM_W : 0);
	if (arch_riscv_napot(r, h, e))
		lf->size = UINT64_C(1) << 16;
	lf->pa = arch_riscv_table_pa(h, e) & ~(lf->size - 1);
	lf->flags = arch_riscv_leaf_flags(r->features, h, e) | (up & RV_G ? PT_GLOBAL : 0);
	lf->perm = u ? data << 3 | (x ? PT_PERM_UX : 0) | (c & PT_CTL_SUM ? data : 0)
		     : data | (x ? PT_PERM_X : 0);
	lf->af = !((e | c >> 1) & RV_A);
	lf->clean = w && !((e | c >> 1) & RV_D);
	return true;
}

/* r_leaf reads HA and HD one bit above A and D. */
_Static_assert(PT_CTL_HA >> 1 == RV_A && PT_CTL_HD >> 1 == RV_D, "HA, HD over A, D");

#define arch_riscv_AF_FIRST 0
#define arch_riscv_REGIME_COPY 0
#define arch_riscv_OWN_CONTROLS (PT_CTL_HA | PT_CTL_HD)

#define ARCH_RISCV_FEATURES (PT_FEAT_RISCV_SVPBMT | PT_FEAT_RISCV_XUANTIE | PT_FEAT_RISCV_SVNAPOT)
static const struct pt_shape arch_riscv_shape_sv39 = {
	.info = { "riscv_sv39", 3, 39, 56, PT_SIZE_4K | PT_SIZE_2M | PT_SIZE_1G },
	.shift = { 30, 21, 12 },
	PT_SHAPE_512,
	.leaf_levels = 0x7,
	.sign_extend = true,
	.features = ARCH_RISCV_FEATURES,
};
static const struct pt_shape arch_riscv_shape_sv48 = {
	.info = { "riscv_sv48", 4, 48, 56, PT_SIZE_4K | PT_SIZE_2M | PT_SIZE_1G | PT_SIZE_512G },
	.shift = { 39, 30, 21, 12 },
	PT_SHAPE_512,
	.leaf_levels = 0xf,
	.sign_extend = true,
	.features = ARCH_RISCV_FEATURES,
};
static const struct pt_shape arch_riscv_shape_sv57 = {
	.info = { "riscv_sv57", 5, 57, 56,
		  PT_SIZE_4K | PT_SIZE_2M | PT_SIZE_1G | PT_SIZE_512G | PT_SIZE_256T },
	.shift = { 48, 39, 30, 21, 12 },
	PT_SHAPE_512,
	.leaf_levels = 0x1f,
	.sign_extend = true,
	.features = ARCH_RISCV_FEATURES,
};

/* Svnapot runs (arch/arch.h): 16 last-level leaves share one entry, N set
 * and PPN[3:0] = 0b1000 standing for the low bits of the 64 KiB run's PA. */
#define RV_NAPOT_RUNS(f)                                                                     \
	enum { arch_##f##_RUN_MAX = 4, arch_##f##_RUN_SHARED = 1,                            \
	       arch_##f##_RUN_FEAT = PT_FEAT_RISCV_SVNAPOT };                                \
	PT_HOOK unsigned arch_##f##_run_order(unsigned feat, unsigned h)                     \
	{                                                                                    \
		return h == 0 && !(feat & PT_FEAT_RISCV_XUANTIE) ? 4 : 0;                    \
	}                                                                                    \
	PT_HOOK bool arch_##f##_in_run(unsigned h, uint64_t e)                               \
	{                                                                                    \
		(void)h;                                                                     \
		return (e & RV_N) != 0;                                                      \
	}                                                                                    \
	PT_HOOK uint64_t arch_##f##_run_mark(unsigned h, uint64_t e)                         \
	{                                                                                    \
		(void)h;                                                                     \
		return (e & ~RV_NAPOT_LOW) | RV_N | RV_NAPOT_64K;                            \
	}                                                                                    \
	PT_HOOK uint64_t arch_##f##_run_unmark(unsigned h, uint64_t e)                       \
	{                                                                                    \
		(void)h;                                                                     \
		return e & ~(RV_N | RV_NAPOT_LOW);                                           \
	}

/* The hook contract's constants (arch/arch.h). */
#define arch_riscv_EMPTY 0
RV_NAPOT_RUNS(riscv)
#define arch_riscv_OUT_LINEAR 1
#define arch_riscv_LEAF_BITS 9
#define arch_riscv_DIR_BITS 9
#define arch_riscv_STATE_BITS (PT_ACCESSED | PT_DIRTY | PT_SW0 | PT_SW1)
#define arch_riscv_LEAF0_SOUND 0
#define arch_riscv_STATE_MASK (RV_A | RV_D | RV_RSW0 | RV_RSW1)

#define arch_riscv_SHAPES(X) X(arch_riscv_shape_sv39) X(arch_riscv_shape_sv48) X(arch_riscv_shape_sv57)
#define arch_riscv_FAST_SHAPES arch_riscv_SHAPES

#endif /* PT_ARCH_RISCV_H */
