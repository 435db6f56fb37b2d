/* SPDX-License-Identifier: MIT */
/* The engine (src/engine.h) for the rvg family. */
#define PT_FAMILY rvg
#include "../arch/rvg.h"
#include "engine.h"
