/* SPDX-License-Identifier: MIT */
/* The engine (src/engine.h) for the aarch64_16k family: 16 KiB pages. */
#define PT_FAMILY aarch64_16k
#include "../arch/aarch64_16k.h"
#define PT_PAGE_SHIFT arch_aarch64_16k_PAGE_SHIFT
#include "engine.h"
