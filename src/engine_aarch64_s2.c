/* SPDX-License-Identifier: MIT */
/* The engine (src/engine.h) for the aarch64_s2 family (AArch64 stage 2). */
#define PT_FAMILY aarch64_s2
#include "../arch/aarch64_s2.h"
#include "engine.h"
