/* SPDX-License-Identifier: MIT */
/*
 * The registry: every format as its family's engine and a run of that
 * family's shapes, one per VA width the format has, narrowest first and
 * consecutive (the shapes live in arch/, each engine lists its own). The
 * width is picked here, once, when a table is made or a regime read.
 */
#include "internal.h"

const struct pt_format pt__formats[PT__NFORMATS] = {
	[PT_X86_64] = { &pt__engine_x86, 0, 1, 0 },
	[PT_X86_64_LA57] = { &pt__engine_x86, 1, 1, 1 },
	[PT_AARCH64] = { &pt__engine_aarch64, 0, 24, 23 }, /* 25..48, 48 */
	[PT_RISCV_SV39] = { &pt__engine_riscv, 0, 1, 0 },
	[PT_RISCV_SV48] = { &pt__engine_riscv, 1, 1, 1 },
	[PT_RISCV_SV57] = { &pt__engine_riscv, 2, 1, 2 },
	[PT_LOONGARCH64] = { &pt__engine_loongarch, 0, 1, 0 },
	[PT_ARMV7] = { &pt__engine_armv7, 0, 1, 0 },
	[PT_X86_64_EPT] = { &pt__engine_ept, 0, 1, 0 },
	[PT_X86_64_EPT5] = { &pt__engine_ept, 1, 1, 1 },
	[PT_AARCH64_S2] = { &pt__engine_aarch64_s2, 0, 17, 8 }, /* 32..48, 40 */
	[PT_RISCV_SV39X4] = { &pt__engine_rvg, 0, 1, 0 },
	[PT_RISCV_SV48X4] = { &pt__engine_rvg, 1, 1, 1 },
	[PT_RISCV_SV57X4] = { &pt__engine_rvg, 2, 1, 2 },
	[PT_AARCH64_16K] = { &pt__engine_aarch64_16k, 0, 23, 22 }, /* 26..48, 48 */
	[PT_AARCH64_64K] = { &pt__engine_aarch64_64k, 0, 23, 18 }, /* 30..52, 48 */
#ifdef PT_TEST_FORMATS
	/* Test builds only (tests/fake_arch.h): formats no hardware has. */
	[PT__FAKE] = { &pt__engine_fake, 0, 1, 0 },
	[PT__FAKE + 1] = { &pt__engine_fake, 1, 1, 1 },
#endif
	/* PT_FEAT_AARCH64_PA52 (src/internal.h: pt__slot). */
	[PT__PA52] = { &pt__engine_aarch64_lpa2, 0, 24, 23 },       /* 25..48, 48 */
	[PT__PA52 + 1] = { &pt__engine_aarch64_16k_lpa2, 0, 27, 22 }, /* 26..52, 48 */
	[PT__PA52 + 2] = { &pt__engine_aarch64_64k_lpa, 0, 23, 18 },  /* 30..52, 48 */
};

const struct pt_shape *pt__shape_bits(unsigned a, unsigned va_bits)
{
	const struct pt_engine *e = pt__engine(a);
	unsigned lo;
	if (!e || !va_bits)
		return e ? e->shapes[pt__formats[a].def] : (const struct pt_shape *)0;
	lo = e->shapes[pt__formats[a].first]->info.va_bits;
	if (va_bits < lo || va_bits - lo >= pt__formats[a].count)
		return (const struct pt_shape *)0;
	return e->shapes[pt__formats[a].first + (va_bits - lo)];
}

const struct pt_shape *pt__shape_widest(unsigned a)
{
	const struct pt_engine *e = pt__engine(a);
	return e ? e->shapes[pt__formats[a].first + pt__formats[a].count - 1] : (const struct pt_shape *)0;
}
