/* SPDX-License-Identifier: MIT */
/* The engine (src/engine.h) for the x86 family. */
#define PT_FAMILY x86
#include "../arch/x86.h"
#include "engine.h"
