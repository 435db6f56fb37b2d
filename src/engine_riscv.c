/* SPDX-License-Identifier: MIT */
/* The engine (src/engine.h) for the riscv family. */
#define PT_FAMILY riscv
#include "../arch/riscv.h"
#include "engine.h"
