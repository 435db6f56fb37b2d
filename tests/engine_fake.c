/* SPDX-License-Identifier: MIT */
/* The engine (src/engine.h) over the fake format, for test builds only. */
#define PT_FAMILY fake
#include "fake_arch.h"
#include "../src/engine.h"
