/* SPDX-License-Identifier: MIT */
/* The engine (src/engine.h) for the loongarch family. */
#define PT_FAMILY loongarch
#include "../arch/loongarch.h"
#include "engine.h"
