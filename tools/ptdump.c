/* SPDX-License-Identifier: MIT */
/* ptdump: print the mappings of page tables inside a raw memory image.
 * Everything lives in ptdump_core.c so tests and the fuzzer run the same code. */
#include <stdio.h>

#include "ptdump_core.h"

int main(int argc, char **argv)
{
	return ptd_main(argc, argv, stdout, stderr);
}
