/* SPDX-License-Identifier: MIT */
/* The engine (src/engine.h) for the ept family. */
#define PT_FAMILY ept
#include "../arch/ept.h"
#include "engine.h"
