/* SPDX-License-Identifier: MIT */
/* The engine (src/engine.h) for the armv7 family. */
#define PT_FAMILY armv7
#include "../arch/armv7.h"
#include "engine.h"
