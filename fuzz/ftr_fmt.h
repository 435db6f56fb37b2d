/* SPDX-License-Identifier: MIT */
/*
 * ftr_fmt.h: the table geometry fuzz_translate reasons with (levels, VA
 * bits each level resolves, entries, the root's size and alignment, the
 * granule), restated from the formats' documentation in pt.h and the
 * architecture manuals, never asked of the library: the harness uses it
 * to pick addresses and bound the frames a walk may ask for, and
 * ref_args to decide which regimes are bad arguments.
 */
#ifndef PT_FUZZ_FTR_FMT_H
#define PT_FUZZ_FTR_FMT_H

#include <stdbool.h>
#include <stdint.h>

#include "fuzz_common.h"
#include "pt.h"
#include "ref_arm.h"

struct fmt {
	unsigned levels, va_bits, pa_bits, pte_bytes;
	unsigned shift[PT_MAX_LEVELS], entries[PT_MAX_LEVELS];
	uint64_t root_bytes; /* the root's size, also its alignment */
	uint64_t gran;	     /* the smallest page: tables below the root fill one */
};

/* The AArch64 stage-1 formats, every granule. */
static inline bool fz_is_a64s1(enum pt_arch a)
{
	return a == PT_AARCH64 || a == PT_AARCH64_16K || a == PT_AARCH64_64K;
}

/* The geometry of format a at IPA/VA width `bits` (0: the default; a
 * stage 2 has 32..48, KVM's levels: at most 16 concatenated root tables). */
static void fmt_of_bits(enum pt_arch a, unsigned bits, struct fmt *f)
{
	const struct pt_arch_info *in = pt_arch_info(a);
	f->levels = in->levels;
	f->va_bits = in->va_bits;
	f->pa_bits = in->pa_bits;
	f->pte_bytes = a == PT_ARMV7 ? 4 : 8;
	f->gran = 4096;
	if (a == PT_AARCH64_S2 && bits >= 32 && bits <= 48) {
		f->va_bits = bits;
		f->levels = (bits - 8) / 9;
	}
	for (unsigned l = 0; l < f->levels; l++) {
		f->shift[l] = a == PT_ARMV7 ? (l ? 12u : 20u) : 12u + 9u * (f->levels - 1 - l);
		f->entries[l] = a == PT_ARMV7 ? (l ? 256u : 4096u) : 512u;
	}
	/* G-stage: a 2048-entry root, 16 KiB as ARMv7's L1. */
	if (fz_is_gstage(a))
		f->entries[0] = 2048;
	f->root_bytes = a == PT_ARMV7 || fz_is_gstage(a) ? 16384 : 4096;
	if (a == PT_AARCH64_S2) {
		f->entries[0] = 1u << (f->va_bits - f->shift[0]);
		if (f->entries[0] > 512)
			f->root_bytes = (uint64_t)f->entries[0] * 8;
	}
}

/* The geometry of format a with features feat at width bits (0: the
 * default); false for a width the format (with those features) has not,
 * f then the default's. AArch64 stage 1 at a 2^p granule (ref_arm.h's
 * ref_a64_geom): p - 3 bits a level, a root of 2^(n - shift) entries
 * aligned to its size, 52-bit PAs with PT_FEAT_AARCH64_PA52. */
static bool fmt_of_cfg(enum pt_arch a, unsigned feat, unsigned bits, struct fmt *f)
{
	struct ref_a64_geom g;
	bool ok;
	fmt_of_bits(a, bits, f);
	if (!fz_is_a64s1(a))
		return !(bits && bits != f->va_bits);
	ok = ref_a64_geom_of(a, feat, bits, &g);
	if (!ok)
		(void)ref_a64_geom_of(a, 0, 0, &g);
	f->levels = g.levels;
	f->va_bits = g.n;
	f->pa_bits = feat & PT_FEAT_AARCH64_PA52 ? 52 : 48;
	f->gran = UINT64_C(1) << g.p;
	for (unsigned l = 0; l < g.levels; l++) {
		f->shift[l] = g.p + (g.p - 3) * (g.levels - 1 - l);
		f->entries[l] = 1u << (g.p - 3);
	}
	f->entries[0] = 1u << (g.n - f->shift[0]);
	f->root_bytes = (uint64_t)f->entries[0] * 8;
	return ok;
}

#endif /* PT_FUZZ_FTR_FMT_H */
