/* SPDX-License-Identifier: MIT */
/* The engine (src/engine.h) for the aarch64_64k family: 64 KiB pages. */
#define PT_FAMILY aarch64_64k
#include "../arch/aarch64_64k.h"
#define PT_PAGE_SHIFT arch_aarch64_64k_PAGE_SHIFT
#include "engine.h"
