/* SPDX-License-Identifier: MIT */
/*
 * RISC-V G-stage (hypervisor extension: Sv39x4, Sv48x4, Sv57x4), guest-
 * physical to supervisor-physical under hgatp. Entries are Sv39/48/57's
 * (arch/riscv.h); the root table is widened by two address bits to 2048
 * entries (16 KiB, 16 KiB aligned) and guest-physical addresses are not
 * sign-extended: bits above 41/50/59 must be 0.
 *
 * Every G-stage access is checked as a user-mode access, so a leaf needs
 * U = 1 to allow anything: libpt writes U in every leaf, and PT_USER is not
 * a mapping flag here. The G bit is not used by G-stage translation (the
 * MMU ignores it, software keeps it 0), so PT_GLOBAL is dropped too.
 * A family of its own, sharing riscv's encoding hooks, so the stage-1
 * formats' code stays as it is.
 */
#ifndef PT_ARCH_RVG_H
#define PT_ARCH_RVG_H

#include "riscv.h"

typedef uint64_t arch_rvg_pte;

PT_HOOK int arch_rvg_kind(unsigned feat, unsigned h, uint64_t pte)
{
	return arch_riscv_kind(feat, h, pte);
}

PT_HOOK bool arch_rvg_is_table(unsigned feat, unsigned h, uint64_t pte)
{
	return arch_riscv_is_table(feat, h, pte);
}

PT_HOOK bool arch_rvg_leaf_empty(unsigned feat, uint64_t pte)
{
	return arch_riscv_leaf_empty(feat, pte);
}

PT_HOOK bool arch_rvg_leaf_bad(unsigned feat, uint64_t pte)
{
	return arch_riscv_leaf_bad(feat, pte);
}

PT_HOOK uint64_t arch_rvg_table_pa(unsigned h, uint64_t pte)
{
	return arch_riscv_table_pa(h, pte);
}

PT_HOOK uint64_t arch_rvg_leaf_pa(unsigned h, uint64_t pte)
{
	return arch_riscv_leaf_pa(h, pte);
}

PT_HOOK uint64_t arch_rvg_table(unsigned h, uint64_t pa)
{
	return arch_riscv_table(h, pa);
}

PT_HOOK uint64_t arch_rvg_out(uint64_t pa)
{
	return arch_riscv_out(pa);
}

/* U and G are not flags here (a leaf without U is one the guest cannot
 * use at all: pt_access reports it without permissions). */
PT_HOOK uint32_t arch_rvg_leaf_flags(unsigned feat, unsigned h, uint64_t pte)
{
	return arch_riscv_leaf_flags(feat, h, pte) & ~(PT_USER | PT_GLOBAL);
}

PT_HOOK uint64_t arch_rvg_leaf_attrs(unsigned feat, unsigned h, uint32_t flags)
{
	return arch_riscv_leaf_attrs(feat, h, flags & ~(PT_USER | PT_GLOBAL)) | RV_U;
}

PT_HOOK bool arch_rvg_may_set(unsigned feat, unsigned h, uint64_t pte)
{
	return arch_riscv_may_set(feat, h, pte);
}

PT_HOOK bool arch_rvg_needs_bbm(unsigned h, uint64_t old, uint64_t new_pte)
{
	return arch_riscv_needs_bbm(h, old, new_pte);
}

/* ---- Under a regime (pt_access) ---- */

/* Svadu for G-stage is henvcfg.ADUE (HA and HD together); the MXR that
 * reaches G-stage is HS-level sstatus.MXR (vsstatus.MXR covers VS-stage
 * only); SUM has no meaning where every access is a user access. */
PT_HOOK bool arch_rvg_regime_ok(const struct pt_regime *r)
{
	const uint64_t ok = PT_CTL_HA | PT_CTL_HD | PT_CTL_MXR;
	const uint64_t ad = r->controls & (PT_CTL_HA | PT_CTL_HD);
	return !(r->controls & ~ok) && (ad == 0 || ad == (PT_CTL_HA | PT_CTL_HD)) && !r->attrs &&
	       !r->dir_mask;
}

/* As stage 1, Svnapot included, but a table's G bit means nothing. */
PT_HOOK int arch_rvg_r_entry(const struct pt_regime *r, unsigned h, uint64_t e, uint64_t *next,
			     uint64_t *up)
{
	int k = arch_riscv_kind(r->features, h, e);
	(void)up;
	if (k == PTK_TABLE)
		*next = arch_riscv_table_pa(h, e);
	return k;
}

/* Every access is a user-mode one: a leaf without U allows nothing, one
 * with U allows what R, W and X say (the mode the guest runs in does not
 * matter), MXR making executable pages readable; without Svadu a clear A
 * faults, and a clear D on a write. */
PT_HOOK bool arch_rvg_r_leaf(const struct pt_regime *r, unsigned h, uint64_t e, uint64_t up,
			     struct pt_rleaf *lf)
{
	const uint64_t c = r->controls;
	const bool u = e & RV_U, w = e & RV_W, x = e & RV_X;
	const bool rd = (e & RV_R) || ((c & PT_CTL_MXR) && x);
	const uint32_t p = (rd ? PT_PERM_R : 0) | (w ? PT_PERM_W : 0) | (x ? PT_PERM_X : 0);
	(void)up;
	if (arch_riscv_napot(r, h, e))
		lf->size = UINT64_C(1) << 16;
	lf->pa = arch_riscv_table_pa(h, e) & ~(lf->size - 1);
	lf->flags = arch_rvg_leaf_flags(r->features, h, e);
	if (!u)
		lf->flags &= ~(uint32_t)(PT_READ | PT_WRITE | PT_EXECUTE);
	lf->perm = u ? p | p << 3 : 0;
	lf->af = !(e & RV_A) && !(c & PT_CTL_HA);
	lf->clean = w && !(e & RV_D) && !(c & PT_CTL_HD);
	return true;
}

#define arch_rvg_AF_FIRST 0
#define arch_rvg_REGIME_COPY 0
#define arch_rvg_OWN_CONTROLS (PT_CTL_HA | PT_CTL_HD)

static const struct pt_shape arch_rvg_shape_sv39x4 = {
	.info = { "riscv_sv39x4", 3, 41, 56, PT_SIZE_4K | PT_SIZE_2M | PT_SIZE_1G },
	.shift = { 30, 21, 12 },
	.entries = { 2048, 512, 512 },
	.pte_bytes = 8,
	.frames = { 4, 1, 1 },
	.per_frame = { 1, 1, 1 },
	.leaf_levels = 0x7,
	.sign_extend = false,
	.features = 0,
};
static const struct pt_shape arch_rvg_shape_sv48x4 = {
	.info = { "riscv_sv48x4", 4, 50, 56, PT_SIZE_4K | PT_SIZE_2M | PT_SIZE_1G | PT_SIZE_512G },
	.shift = { 39, 30, 21, 12 },
	.entries = { 2048, 512, 512, 512 },
	.pte_bytes = 8,
	.frames = { 4, 1, 1, 1 },
	.per_frame = { 1, 1, 1, 1 },
	.leaf_levels = 0xf,
	.sign_extend = false,
	.features = 0,
};
static const struct pt_shape arch_rvg_shape_sv57x4 = {
	.info = { "riscv_sv57x4", 5, 59, 56,
		  PT_SIZE_4K | PT_SIZE_2M | PT_SIZE_1G | PT_SIZE_512G | PT_SIZE_256T },
	.shift = { 48, 39, 30, 21, 12 },
	.entries = { 2048, 512, 512, 512, 512 },
	.pte_bytes = 8,
	.frames = { 4, 1, 1, 1, 1 },
	.per_frame = { 1, 1, 1, 1, 1 },
	.leaf_levels = 0x1f,
	.sign_extend = false,
	.features = 0,
};

/* The hook contract's constants (arch/arch.h): riscv's. */
#define arch_rvg_EMPTY arch_riscv_EMPTY
RV_NAPOT_RUNS(rvg)
#define arch_rvg_OUT_LINEAR arch_riscv_OUT_LINEAR
#define arch_rvg_LEAF_BITS arch_riscv_LEAF_BITS
#define arch_rvg_DIR_BITS arch_riscv_DIR_BITS
#define arch_rvg_STATE_BITS arch_riscv_STATE_BITS
#define arch_rvg_LEAF0_SOUND arch_riscv_LEAF0_SOUND
#define arch_rvg_STATE_MASK arch_riscv_STATE_MASK
#define arch_rvg_TABLE_MASK arch_riscv_TABLE_MASK
#define arch_rvg_TABLE_MATCH arch_riscv_TABLE_MATCH

#define arch_rvg_SHAPES(X) X(arch_rvg_shape_sv39x4) X(arch_rvg_shape_sv48x4) X(arch_rvg_shape_sv57x4)
#define arch_rvg_FAST_SHAPES arch_rvg_SHAPES

#endif /* PT_ARCH_RVG_H */
