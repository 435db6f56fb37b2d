/* SPDX-License-Identifier: MIT */
/*
 * AArch64 VMSAv8-64 stage 1, 64 KiB granule, 30..52-bit VA, 48-bit OA:
 * the hooks are arch/aarch64_gran.h's for p = 16. VA sizes pick the levels
 * as the Arm ARM's initial lookup level does: 30..42 bits 2 levels,
 * 43..52 3 levels (48: a 64-entry root; 49..52 with PT_FEAT_AARCH64_VA52).
 * Features as the 4K family.
 */
#ifndef PT_ARCH_AARCH64_64K_H
#define PT_ARCH_AARCH64_64K_H

#include "aarch64_gran.h"

/* The hook contract's constants (arch/arch.h). */
#define arch_aarch64_64k_EMPTY 0
A64_RUNS(aarch64_64k, 5, 5)
#define arch_aarch64_64k_OUT_LINEAR 1
#define arch_aarch64_64k_LEAF_BITS 13
#define arch_aarch64_64k_DIR_BITS 13
#define arch_aarch64_64k_PAGE_SHIFT 16u
#define arch_aarch64_64k_TABLE_MASK (arch_aarch64_TABLE_MASK | (A64_ADDR & ((UINT64_C(1) << 16) - 1)))
#define arch_aarch64_64k_TABLE_MATCH arch_aarch64_TABLE_MATCH
#define arch_aarch64_64k_STATE_BITS arch_aarch64_STATE_BITS
#define arch_aarch64_64k_LEAF0_SOUND 0
#define arch_aarch64_64k_STATE_MASK arch_aarch64_STATE_MASK
#define arch_aarch64_64k_AF_FIRST 1
#define arch_aarch64_64k_REGIME_COPY 0
#define arch_aarch64_64k_OWN_CONTROLS arch_aarch64_OWN_CONTROLS

/* cppcheck reads the expansion as one line, and one hook's height 0 as
 * another's null regime. */
// cppcheck-suppress ctunullpointer
A64_GRANULE_FAMILY(aarch64_64k, 16u)

/* FEAT_LVA: 49..52 bits (a root of up to 1024 entries, 8 KiB aligned to
 * its size, at Arm level 1) only with PT_FEAT_AARCH64_VA52, which every
 * width accepts. */
#define A64_64K_SHAPE(bits) \
	A64_SHAPE_OF(arch_aarch64_64k_shape_##bits, "aarch64_64k", bits, 16u, 1u, \
		     PT_SIZE_64K | (A64_LEVELS(bits, 16u) > 1 ? PT_SIZE_512M : 0), 48, \
		     PT_FEAT_AARCH64_EL2 | PT_FEAT_AARCH64_HIGH | PT_FEAT_AARCH64_VA52)
#define A64_64K_WIDTHS(X) \
	X(30) X(31) X(32) X(33) X(34) X(35) X(36) X(37) X(38) X(39) \
	X(40) X(41) X(42) X(43) X(44) X(45) X(46) X(47) X(48) X(49) \
	X(50) X(51) X(52)
A64_64K_WIDTHS(A64_64K_SHAPE)

#define arch_aarch64_64k_SHAPES(X) \
	X(arch_aarch64_64k_shape_30) X(arch_aarch64_64k_shape_31) \
	X(arch_aarch64_64k_shape_32) X(arch_aarch64_64k_shape_33) \
	X(arch_aarch64_64k_shape_34) X(arch_aarch64_64k_shape_35) \
	X(arch_aarch64_64k_shape_36) X(arch_aarch64_64k_shape_37) \
	X(arch_aarch64_64k_shape_38) X(arch_aarch64_64k_shape_39) \
	X(arch_aarch64_64k_shape_40) X(arch_aarch64_64k_shape_41) \
	X(arch_aarch64_64k_shape_42) X(arch_aarch64_64k_shape_43) \
	X(arch_aarch64_64k_shape_44) X(arch_aarch64_64k_shape_45) \
	X(arch_aarch64_64k_shape_46) X(arch_aarch64_64k_shape_47) \
	X(arch_aarch64_64k_shape_48) X(arch_aarch64_64k_shape_49) \
	X(arch_aarch64_64k_shape_50) X(arch_aarch64_64k_shape_51) \
	X(arch_aarch64_64k_shape_52)
/* The default, 48 bits, is the one the engine folds constants for. */
#define arch_aarch64_64k_FAST_SHAPES(X) X(arch_aarch64_64k_shape_48)
#endif /* PT_ARCH_AARCH64_64K_H */
