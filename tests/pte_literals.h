/* SPDX-License-Identifier: MIT */
/* What the hand-written entry tests share: B(n) and the decoded-leaf check dec_leaf. */
#ifndef PT_TEST_PTE_LITERALS_H
#define PT_TEST_PTE_LITERALS_H

#include "check.h"
#include "fmt.h"

#define B(n) (UINT64_C(1) << (n))

/* pte decodes at `level` of format (a, feat) as a leaf of pa, flags and state. */
static inline void dec_leaf(enum pt_arch a, unsigned feat, unsigned level, uint64_t pte,
			    uint64_t pa, uint32_t flags, uint32_t state, const char *what)
{
	struct pt_entry e;
	CTX("%s pte %#llx", what, (unsigned long long)pte);
	memset(&e, 0xee, sizeof(e));
	if (!CHECK_EQ(pt_pte_decode(a, feat, level, pte, &e), PT_OK))
		return;
	CHECK(e.leaf);
	CHECK_EQ(e.pa, pa);
	CHECK_EQ(e.flags, flags);
	CHECK_EQ(e.state, state);
}

#endif
