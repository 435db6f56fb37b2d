/* SPDX-License-Identifier: MIT */
/*
 * VMSAv8-64 descriptor bits with a 48-bit OA that stage 1 (arch/aarch64.h,
 * arch/aarch64_gran.h) and stage 2 (arch/aarch64_s2.h) share or place
 * alike: valid and type, the output address, the shareability field, the
 * access flag, DBM, and the bits both keep for software. Stage-1-only
 * meanings are named here too where stage 2 gives the bit another one.
 * With the 16K and 64K granules the address fields start at the granule
 * (bits 14 and 16), the bits below it up to bit 12 being RES0 without
 * FEAT_LPA; the stage-1 shapes of every granule are made here too.
 */
#ifndef PT_ARCH_AARCH64_DESC_H
#define PT_ARCH_AARCH64_DESC_H

#include "arch.h"

#define A64_VALID   (UINT64_C(1) << 0)
#define A64_TYPE    (UINT64_C(1) << 1)  /* table (h > 0) or page (h == 0) */
#define A64_ATTR(i) ((uint64_t)(i) << 2)
#define A64_ATTR_MASK (UINT64_C(7) << 2)
#define A64_AP_USER (UINT64_C(1) << 6)  /* AP[1]; RES1 at EL2 */
#define A64_AP_RO   (UINT64_C(1) << 7)  /* AP[2] */
#define A64_SH_MASK (UINT64_C(3) << 8)
#define A64_SH_INNER (UINT64_C(3) << 8)
#define A64_SH_RESERVED (UINT64_C(1) << 8)
#define A64_AF      (UINT64_C(1) << 10)
#define A64_NG      (UINT64_C(1) << 11) /* RES0 at EL2 */
#define A64_DBM     (UINT64_C(1) << 51) /* writable: the CPU (HD) clears AP[2] on write */
#define A64_SW_DIRTY (UINT64_C(1) << 55) /* dirty state of a leaf without WRITE */
#define A64_SW0     (UINT64_C(1) << 56)
#define A64_SW1     (UINT64_C(1) << 57)
#define A64_CONT    (UINT64_C(1) << 52) /* one of a contiguous run */
#define A64_PXN     (UINT64_C(1) << 53) /* RES0 at EL2 */
#define A64_UXN     (UINT64_C(1) << 54) /* XN at EL2 */
#define A64_ADDR    UINT64_C(0x0000fffffffff000) /* OA bits 12..47 */
#define A64_RES0_OA (UINT64_C(0xf) << 48) /* table: OA[51:48], RES0 with 48-bit OA */
#define A64_RES0_LEAF (UINT64_C(3) << 48) /* leaf: 48, 49 (50 is GP, 51 DBM) */


/* Contiguous runs at the last level and the block level above it: 2^k
 * entries of a 2^p-byte granule (4K: 16 and 16, 16K: 128 and 32, 64K: 32
 * and 32), marked by the contiguous bit. */
#define A64_RUNS(f, k0, k1)                                                                  \
	enum { arch_##f##_RUN_MAX = (k0) > (k1) ? (k0) : (k1), arch_##f##_RUN_SHARED = 0,    \
	       arch_##f##_RUN_FEAT = 0 };                                                    \
	PT_HOOK unsigned arch_##f##_run_order(unsigned feat, unsigned h)                     \
	{                                                                                    \
		(void)feat;                                                                  \
		return h == 0 ? (k0) : h == 1 ? (k1) : 0;                                    \
	}                                                                                    \
	PT_HOOK bool arch_##f##_in_run(unsigned h, uint64_t e)                               \
	{                                                                                    \
		(void)h;                                                                     \
		return (e & A64_CONT) != 0;                                                  \
	}                                                                                    \
	PT_HOOK uint64_t arch_##f##_run_mark(unsigned h, uint64_t e)                         \
	{                                                                                    \
		(void)h;                                                                     \
		return e | A64_CONT;                                                         \
	}                                                                                    \
	PT_HOOK uint64_t arch_##f##_run_unmark(unsigned h, uint64_t e)                       \
	{                                                                                    \
		(void)h;                                                                     \
		return e & ~A64_CONT;                                                        \
	}

/* ---- Stage-1 shapes for a granule of 2^p bytes and `bits` of VA ---- */

/* Levels as the Arm ARM's initial lookup level for TxSZ = 64 - bits:
 * each level resolves p - 3 bits above the page offset, and the walk
 * starts at the highest level that has any (4K: 25..30 bits 2 levels,
 * 31..39 3, 40..48 4; 16K: 26..36 2, 37..47 3, 48..52 4; 64K: 30..42 2,
 * 43..52 3). */
#define A64_LEVELS(bits, p) (((bits) - 4u) / ((p) - 3u))
/* The VA bit where level l's index starts (0 past the last level). */
#define A64_SHIFT(bits, p, l)                                                                \
	((unsigned char)((l) < A64_LEVELS(bits, p)                                           \
				 ? (p) + ((p) - 3u) * (A64_LEVELS(bits, p) - 1u - (l))       \
				 : 0u))
#define A64_ROOT_ENTRIES(bits, p) (1u << ((bits) - A64_SHIFT(bits, p, 0u)))
/* 4 KiB frames of a table of n entries (a smaller table takes one). */
#define A64_FRAMES(n) ((unsigned char)((n) > 512u ? (n) / 512u : 1u))
/* Levels that may hold leaves: the last, and blocks up to height maxh. */
#define A64_MIN_(a, b) ((a) < (b) ? (a) : (b))
#define A64_LEAF_LEVELS(levels, maxh)                                                        \
	((unsigned char)(((1u << (A64_MIN_(maxh, (levels) - 1u) + 1u)) - 1u)                 \
			 << ((levels) - 1u - A64_MIN_(maxh, (levels) - 1u))))

/* A stage-1 shape: `sizes` are its leaf sizes (PT_SIZE_*), blocks up to
 * height maxh; every table below the root is one granule, aligned to it.
 * A64_SHAPE_OF: with a PA width and feature set of its own. */
#define A64_SHAPE(var, name, bits, p, maxh, sizes)                                           \
	A64_SHAPE_OF(var, name, bits, p, maxh, sizes, 48,                                    \
		     PT_FEAT_AARCH64_EL2 | PT_FEAT_AARCH64_HIGH)
#define A64_SHAPE_OF(var, name, bits, p, maxh, sizes, pa, feats)                             \
	static const struct pt_shape var = {                                                 \
		.info = { name, A64_LEVELS(bits, p), bits, pa, sizes },                      \
		.shift = { A64_SHIFT(bits, p, 0u), A64_SHIFT(bits, p, 1u),                   \
			   A64_SHIFT(bits, p, 2u), A64_SHIFT(bits, p, 3u) },                 \
		.entries = { (unsigned short)A64_ROOT_ENTRIES(bits, p), 1u << ((p) - 3u),    \
			     1u << ((p) - 3u), 1u << ((p) - 3u), 1u << ((p) - 3u) },         \
		.pte_bytes = 8,                                                              \
		.frames = { A64_FRAMES(A64_ROOT_ENTRIES(bits, p)),                           \
			    A64_FRAMES(1u << ((p) - 3u)), A64_FRAMES(1u << ((p) - 3u)),      \
			    A64_FRAMES(1u << ((p) - 3u)), A64_FRAMES(1u << ((p) - 3u)) },    \
		.per_frame = { 1, 1, 1, 1, 1 },                                              \
		.leaf_levels = A64_LEAF_LEVELS(A64_LEVELS(bits, p), maxh),                   \
		.features = feats,                                                           \
	};

#endif /* PT_ARCH_AARCH64_DESC_H */
