/* SPDX-License-Identifier: MIT */
/* The engine (src/engine.h) for the aarch64_16k_lpa2 family: 52-bit output addresses. */
#define PT_FAMILY aarch64_16k_lpa2
#include "../arch/aarch64_pa52.h"
#define PT_PAGE_SHIFT arch_aarch64_16k_lpa2_PAGE_SHIFT
#define PT_FAMILY_SLOT(arch) (PT__PA52 + 1u)
#include "engine.h"
