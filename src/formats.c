/* SPDX-License-Identifier: MIT */
/*
 * The registry: every format as its family's engine and one of that
 * family's shapes (the shapes live in arch/, each engine lists its own).
 */
#include "internal.h"

static const struct {
	const struct pt_engine *engine;
	unsigned shape; /* index in engine->shapes */
} formats[] = {
	[PT_X86_64] = { &pt__engine_x86, 0 },
	[PT_X86_64_LA57] = { &pt__engine_x86, 1 },
	[PT_AARCH64] = { &pt__engine_aarch64, 0 },
	[PT_RISCV_SV39] = { &pt__engine_riscv, 0 },
	[PT_RISCV_SV48] = { &pt__engine_riscv, 1 },
	[PT_RISCV_SV57] = { &pt__engine_riscv, 2 },
	[PT_LOONGARCH64] = { &pt__engine_loongarch, 0 },
	[PT_ARMV7] = { &pt__engine_armv7, 0 },
	[PT_X86_64_EPT] = { &pt__engine_ept, 0 },
	[PT_X86_64_EPT5] = { &pt__engine_ept, 1 },
	[PT_RISCV_SV39X4] = { &pt__engine_rvg, 0 },
	[PT_RISCV_SV48X4] = { &pt__engine_rvg, 1 },
	[PT_RISCV_SV57X4] = { &pt__engine_rvg, 2 },
#ifdef PT_TEST_FORMATS
	/* Test builds only (tests/fake_arch.h): formats no hardware has. */
	[PT__FAKE] = { &pt__engine_fake, 0 },
	[PT__FAKE + 1] = { &pt__engine_fake, 1 },
#endif
};

const struct pt_engine *pt__engine(enum pt_arch a)
{
	return (unsigned)a < sizeof(formats) / sizeof(formats[0]) ? formats[a].engine
								  : (const struct pt_engine *)0;
}

const struct pt_shape *pt__shape(enum pt_arch a)
{
	const struct pt_engine *e = pt__engine(a);
	return e ? e->shapes[formats[a].shape] : (const struct pt_shape *)0;
}
