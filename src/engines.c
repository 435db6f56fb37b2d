/* SPDX-License-Identifier: MIT */
/*
 * The engine, instantiated once per encoding family (STYLE §3): the
 * templates in tmpl_*.h are compiled here five times, each time over one
 * arch/<family>.h, so every entry hook is inlined into the loops.
 */
#include "op.h"

#include "../arch/aarch64.h"
#include "../arch/armv7.h"
#include "../arch/loongarch.h"
#include "../arch/riscv.h"
#include "../arch/x86.h"

#define PT_CAT_(a, b) a##b
#define PT_CAT(a, b) PT_CAT_(a, b)
#define E(x) PT_CAT(PT_CAT(pt__engine_, PT_FAMILY), PT_CAT(_, x))
#define A(x) PT_CAT(PT_CAT(arch_, PT_FAMILY), PT_CAT(_, x))
#define PTE A(pte)
#define pt__engine_x86_engine pt__engine_x86
#define pt__engine_aarch64_engine pt__engine_aarch64
#define pt__engine_riscv_engine pt__engine_riscv
#define pt__engine_loongarch_engine pt__engine_loongarch
#define pt__engine_armv7_engine pt__engine_armv7

#define PT_FAMILY x86
#include "tmpl_table.h"
#include "tmpl_walk.h"
#include "tmpl_region.h"
#include "tmpl_share.h"
#undef PT_FAMILY
#undef HT
#undef LEAF_SHIFT
#undef DIR_SHIFT

#define PT_FAMILY aarch64
#include "tmpl_table.h"
#include "tmpl_walk.h"
#include "tmpl_region.h"
#include "tmpl_share.h"
#undef PT_FAMILY
#undef HT
#undef LEAF_SHIFT
#undef DIR_SHIFT

#define PT_FAMILY riscv
#include "tmpl_table.h"
#include "tmpl_walk.h"
#include "tmpl_region.h"
#include "tmpl_share.h"
#undef PT_FAMILY
#undef HT
#undef LEAF_SHIFT
#undef DIR_SHIFT

#define PT_FAMILY loongarch
#include "tmpl_table.h"
#include "tmpl_walk.h"
#include "tmpl_region.h"
#include "tmpl_share.h"
#undef PT_FAMILY
#undef HT
#undef LEAF_SHIFT
#undef DIR_SHIFT

#define PT_FAMILY armv7
#include "tmpl_table.h"
#include "tmpl_walk.h"
#include "tmpl_region.h"
#include "tmpl_share.h"
#undef PT_FAMILY
#undef HT
#undef LEAF_SHIFT
#undef DIR_SHIFT

/* ---- Shapes: every format as data (in arch/) ---------------------------- */

static const struct pt_shape *const pt__shapes[PT_ARCH_COUNT] = {
	[PT_X86_64] = &arch_x86_shape_4level,
	[PT_X86_64_LA57] = &arch_x86_shape_5level,
	[PT_AARCH64] = &arch_aarch64_shape,
	[PT_RISCV_SV39] = &arch_riscv_shape_sv39,
	[PT_RISCV_SV48] = &arch_riscv_shape_sv48,
	[PT_RISCV_SV57] = &arch_riscv_shape_sv57,
	[PT_LOONGARCH64] = &arch_loongarch_shape,
	[PT_ARMV7] = &arch_armv7_shape,
};

const struct pt_shape *pt__shape(enum pt_arch a)
{
	return (unsigned)a < PT_ARCH_COUNT ? pt__shapes[a] : (const struct pt_shape *)0;
}

const struct pt_engine *pt__engine(enum pt_arch a)
{
	switch (a) {
	case PT_X86_64:
	case PT_X86_64_LA57:
		return &pt__engine_x86;
	case PT_AARCH64:
		return &pt__engine_aarch64;
	case PT_RISCV_SV39:
	case PT_RISCV_SV48:
	case PT_RISCV_SV57:
		return &pt__engine_riscv;
	case PT_LOONGARCH64:
		return &pt__engine_loongarch;
	case PT_ARMV7:
		return &pt__engine_armv7;
	default:
		return (const struct pt_engine *)0;
	}
}
