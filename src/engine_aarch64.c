/* SPDX-License-Identifier: MIT */
/* The engine (src/engine.h) for the aarch64 family. */
#define PT_FAMILY aarch64
#include "../arch/aarch64.h"
#include "engine.h"
