/* SPDX-License-Identifier: MIT */
/*
 * AArch64 VMSAv8-64 stage 1, 16 KiB granule, 26..48-bit VA, 48-bit OA:
 * the hooks are arch/aarch64_gran.h's for p = 14. VA sizes pick the levels
 * as the Arm ARM's initial lookup level does: 26..36 bits 2 levels,
 * 37..47 3 levels, 48 4 levels with a 2-entry root. Features as the 4K
 * family.
 */
#ifndef PT_ARCH_AARCH64_16K_H
#define PT_ARCH_AARCH64_16K_H

#include "aarch64_gran.h"

/* The hook contract's constants (arch/arch.h). */
#define arch_aarch64_16k_EMPTY 0
A64_RUNS(aarch64_16k, 7, 5)
#define arch_aarch64_16k_OUT_LINEAR 1
#define arch_aarch64_16k_LEAF_BITS 11
#define arch_aarch64_16k_DIR_BITS 11
#define arch_aarch64_16k_PAGE_SHIFT 14u
#define arch_aarch64_16k_TABLE_MASK (arch_aarch64_TABLE_MASK | (A64_ADDR & ((UINT64_C(1) << 14) - 1)))
#define arch_aarch64_16k_TABLE_MATCH arch_aarch64_TABLE_MATCH
#define arch_aarch64_16k_STATE_BITS arch_aarch64_STATE_BITS
#define arch_aarch64_16k_LEAF0_SOUND 0
#define arch_aarch64_16k_STATE_MASK arch_aarch64_STATE_MASK
#define arch_aarch64_16k_AF_FIRST 1
#define arch_aarch64_16k_REGIME_COPY 0
#define arch_aarch64_16k_OWN_CONTROLS arch_aarch64_OWN_CONTROLS

/* cppcheck reads the expansion as one line, and one hook's height 0 as
 * another's null regime. */
// cppcheck-suppress ctunullpointer
A64_GRANULE_FAMILY(aarch64_16k, 14u)

#define A64_16K_SHAPE(bits) \
	A64_SHAPE(arch_aarch64_16k_shape_##bits, "aarch64_16k", bits, 14u, 1u, \
		  PT_SIZE_16K | (A64_LEVELS(bits, 14u) > 1 ? PT_SIZE_32M : 0))
#define A64_16K_WIDTHS(X) \
	X(26) X(27) X(28) X(29) X(30) X(31) X(32) X(33) X(34) X(35) \
	X(36) X(37) X(38) X(39) X(40) X(41) X(42) X(43) X(44) X(45) \
	X(46) X(47) X(48)
A64_16K_WIDTHS(A64_16K_SHAPE)

#define arch_aarch64_16k_SHAPES(X) \
	X(arch_aarch64_16k_shape_26) X(arch_aarch64_16k_shape_27) \
	X(arch_aarch64_16k_shape_28) X(arch_aarch64_16k_shape_29) \
	X(arch_aarch64_16k_shape_30) X(arch_aarch64_16k_shape_31) \
	X(arch_aarch64_16k_shape_32) X(arch_aarch64_16k_shape_33) \
	X(arch_aarch64_16k_shape_34) X(arch_aarch64_16k_shape_35) \
	X(arch_aarch64_16k_shape_36) X(arch_aarch64_16k_shape_37) \
	X(arch_aarch64_16k_shape_38) X(arch_aarch64_16k_shape_39) \
	X(arch_aarch64_16k_shape_40) X(arch_aarch64_16k_shape_41) \
	X(arch_aarch64_16k_shape_42) X(arch_aarch64_16k_shape_43) \
	X(arch_aarch64_16k_shape_44) X(arch_aarch64_16k_shape_45) \
	X(arch_aarch64_16k_shape_46) X(arch_aarch64_16k_shape_47) \
	X(arch_aarch64_16k_shape_48)
/* The default, 48 bits, is the one the engine folds constants for. */
#define arch_aarch64_16k_FAST_SHAPES(X) X(arch_aarch64_16k_shape_48)
#endif /* PT_ARCH_AARCH64_16K_H */
