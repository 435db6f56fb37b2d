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

#define PT_FAMILY aarch64
#include "tmpl_table.h"
#include "tmpl_walk.h"
#include "tmpl_region.h"
#include "tmpl_share.h"
#undef PT_FAMILY
#undef HT

#define PT_FAMILY riscv
#include "tmpl_table.h"
#include "tmpl_walk.h"
#include "tmpl_region.h"
#include "tmpl_share.h"
#undef PT_FAMILY
#undef HT

#define PT_FAMILY loongarch
#include "tmpl_table.h"
#include "tmpl_walk.h"
#include "tmpl_region.h"
#include "tmpl_share.h"
#undef PT_FAMILY
#undef HT

#define PT_FAMILY armv7
#include "tmpl_table.h"
#include "tmpl_walk.h"
#include "tmpl_region.h"
#include "tmpl_share.h"
#undef PT_FAMILY
#undef HT

/* ---- Shapes: every format as data -------------------------------------- */

#define S4K (PT_SIZE_4K | PT_SIZE_2M | PT_SIZE_1G)

static const struct pt_shape pt__shapes[PT_ARCH_COUNT] = {
	[PT_X86_64] = { { "x86_64", 4, 48, 52, S4K }, { 39, 30, 21, 12 },
			{ 512, 512, 512, 512 }, 8, { 1, 1, 1, 1 }, { 1, 1, 1, 1 },
			0xe, true, 0 },
	[PT_X86_64_LA57] = { { "x86_64_la57", 5, 57, 52, S4K }, { 48, 39, 30, 21, 12 },
			     { 512, 512, 512, 512, 512 }, 8, { 1, 1, 1, 1, 1 },
			     { 1, 1, 1, 1, 1 }, 0x1c, true, 0 },
	[PT_AARCH64] = { { "aarch64", 4, 48, 48, S4K }, { 39, 30, 21, 12 },
			 { 512, 512, 512, 512 }, 8, { 1, 1, 1, 1 }, { 1, 1, 1, 1 },
			 0xe, false, PT_FEAT_AARCH64_EL2 | PT_FEAT_AARCH64_HIGH },
	[PT_RISCV_SV39] = { { "riscv_sv39", 3, 39, 56, S4K }, { 30, 21, 12 },
			    { 512, 512, 512 }, 8, { 1, 1, 1 }, { 1, 1, 1 }, 0x7, true,
			    PT_FEAT_RISCV_SVPBMT | PT_FEAT_RISCV_XUANTIE },
	[PT_RISCV_SV48] = { { "riscv_sv48", 4, 48, 56, S4K | PT_SIZE_512G },
			    { 39, 30, 21, 12 }, { 512, 512, 512, 512 }, 8, { 1, 1, 1, 1 },
			    { 1, 1, 1, 1 }, 0xf, true,
			    PT_FEAT_RISCV_SVPBMT | PT_FEAT_RISCV_XUANTIE },
	[PT_RISCV_SV57] = { { "riscv_sv57", 5, 57, 56, S4K | PT_SIZE_512G | PT_SIZE_256T },
			    { 48, 39, 30, 21, 12 }, { 512, 512, 512, 512, 512 }, 8,
			    { 1, 1, 1, 1, 1 }, { 1, 1, 1, 1, 1 }, 0x1f, true,
			    PT_FEAT_RISCV_SVPBMT | PT_FEAT_RISCV_XUANTIE },
	[PT_LOONGARCH64] = { { "loongarch64", 4, 48, 48, S4K }, { 39, 30, 21, 12 },
			     { 512, 512, 512, 512 }, 8, { 1, 1, 1, 1 }, { 1, 1, 1, 1 },
			     0xe, true, 0 },
	/* L1: 4096 entries, 16 KiB (4 frames, 16 KiB aligned); L2: 256
	 * entries, 1 KiB, four to a frame. */
	[PT_ARMV7] = { { "armv7", 2, 32, 32, PT_SIZE_4K | PT_SIZE_1M }, { 20, 12 },
		       { 4096, 256 }, 4, { 4, 1 }, { 1, 4 }, 0x3, false, 0 },
};

const struct pt_shape *pt__shape(enum pt_arch a)
{
	return (unsigned)a < PT_ARCH_COUNT ? &pt__shapes[a] : (const struct pt_shape *)0;
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
