/* SPDX-License-Identifier: MIT */
/*
 * The registry: every format as its family's engine and one of that
 * family's shapes (the shapes live in arch/, each engine lists its own).
 */
#include "internal.h"

const struct pt_format pt__formats[PT__NFORMATS] = {
	[PT_X86_64] = { &pt__engine_x86, 0 },
	[PT_X86_64_LA57] = { &pt__engine_x86, 1 },
	[PT_AARCH64] = { &pt__engine_aarch64, 0 },
	[PT_RISCV_SV39] = { &pt__engine_riscv, 0 },
	[PT_RISCV_SV48] = { &pt__engine_riscv, 1 },
	[PT_RISCV_SV57] = { &pt__engine_riscv, 2 },
	[PT_LOONGARCH64] = { &pt__engine_loongarch, 0 },
	[PT_ARMV7] = { &pt__engine_armv7, 0 },
#ifdef PT_TEST_FORMATS
	/* Test builds only (tests/fake_arch.h): formats no hardware has. */
	[PT__FAKE] = { &pt__engine_fake, 0 },
	[PT__FAKE + 1] = { &pt__engine_fake, 1 },
#endif
};
