/* SPDX-License-Identifier: MIT */
/* The engine (src/engine.h) for the aarch64_64k_lpa family: 52-bit output addresses. */
#define PT_FAMILY aarch64_64k_lpa
#include "../arch/aarch64_pa52.h"
#define PT_PAGE_SHIFT arch_aarch64_64k_lpa_PAGE_SHIFT
#define PT_FAMILY_SLOT(arch) (PT__PA52 + 2u)
#include "engine.h"
