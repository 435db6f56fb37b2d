/* SPDX-License-Identifier: MIT */
/*
 * ref_ept.h: Intel EPT, 4- and 5-level, as the Intel SDM Vol. 3C describes
 * it ("EPT Translation Mechanism": the walk and the entry formats with
 * their reserved bits; "EPT Misconfigurations" and "EPT Violations"; EPT
 * memory types; accessed and dirty flags with EPTP bit 6). Without
 * mode-based execute control: bit 2 allows every fetch, bit 10 is ignored,
 * and the guest's privilege does not matter. Execute-only entries are taken
 * as supported (IA32_VMX_EPT_VPID_CAP bit 0), 1 GiB pages too. MAXPHYADDR
 * is 52: no address bit is reserved.
 *
 * - An entry whose bits 2:0 are 000 is not present (an EPT violation).
 * - Misconfigurations (reported as RESERVED): bits 2:0 = 010 or 110
 *   (write without read) in any entry; bits 7:3 set in a PML5E or PML4E;
 *   bits 6:3 set in a PDPTE or PDE that references a table; memory type 2,
 *   3 or 7 in the entry that maps the page; bits 29:12 of a 1 GiB PDPTE or
 *   20:12 of a 2 MiB PDE.
 * - Violations: a read needs bit 0, a write bit 1, a fetch bit 2 in every
 *   entry used (reported at the leaf, as for the other formats).
 * - With A/D flags the CPU sets A (8) and D (9): no fault; without them the
 *   bits are ignored and the state is libpt's stand-in (SPEC §9): accessed,
 *   and dirty when the page's own entry allows writes.
 * - Memory type (bits 5:3): 0 UC (DEVICE), 1 WC, 4 WT, 5 WP, 6 WB (normal);
 *   IPAT does not change it. SW0, SW1: bits 52, 53 (ignored by the CPU).
 */
#ifndef PT_FUZZ_REF_EPT_H
#define PT_FUZZ_REF_EPT_H

#include "ref_walk.h"

#define RE_ADDR UINT64_C(0x000ffffffffff000)

static int ref_ept(struct ref_ctx *c, unsigned levels)
{
	const unsigned vbits = 12 + 9 * levels;
	const bool ad = (c->r->features & PT_FEAT_EPT_AD) != 0;
	uint64_t tpa = c->r->root, e = 0;
	bool rd = true, wr = true, ex = true;
	unsigned l;
	/* Guest-physical addresses are not sign-extended: a GPA beyond the
	 * walk's width is outside the regime. */
	if (c->va >> vbits)
		return ref_fault(c, PT_FAULT_ADDRESS, 0, 0, 0);
	for (l = 0; l < levels; l++) {
		const unsigned i = levels - 1 - l, shift = 12 + 9 * i;
		const uint64_t size = UINT64_C(1) << shift;
		unsigned rwx;
		bool leaf;
		if (!ref_read(c, l, tpa, (c->va >> shift) & 511, 8, &e))
			return PT_ERR_FAULT;
		rwx = (unsigned)e & 7;
		if (rwx == 0)
			return ref_fault(c, PT_FAULT_NOT_PRESENT, l, e, tpa);
		if (rwx == 2 || rwx == 6)
			return ref_fault(c, PT_FAULT_RESERVED, l, e, tpa);
		leaf = i == 0 || (i <= 2 && ((e >> 7) & 1));
		rd = rd && (rwx & 1);
		wr = wr && (rwx & 2);
		ex = ex && (rwx & 4);
		if (!leaf) {
			/* PML5E/PML4E: 7:3 reserved; PDPTE/PDE to a table:
			 * 6:3 reserved (7 is clear here). */
			if ((e >> 3) & 0x1f)
				return ref_fault(c, PT_FAULT_RESERVED, l, e, tpa);
			tpa = e & RE_ADDR;
			continue;
		}
		{
			const unsigned mt = (unsigned)(e >> 3) & 7;
			struct ref_perm p;
			uint32_t flags, state;
			if (mt == 2 || mt == 3 || mt == 7 || (i && (e & RE_ADDR & (size - 1))))
				return ref_fault(c, PT_FAULT_RESERVED, l, e, tpa);
			p.ur = p.pr = rd;
			p.uw = p.pw = wr;
			p.ux = p.px = ex;
			if (ref_checks(c) && ref_denied(c, &p))
				return ref_fault(c, PT_FAULT_PERMISSION, l, e, tpa);
			flags = (rd ? PT_READ : 0) | (wr ? PT_WRITE : 0) | (ex ? PT_EXECUTE : 0) |
				(mt == 0 ? PT_DEVICE : mt == 1 ? PT_WC : 0) |
				((e >> 52) & 1 ? PT_SW0 : 0) | ((e >> 53) & 1 ? PT_SW1 : 0);
			if (ad)
				state = ((e >> 8) & 1 ? PT_ACCESSED : 0) | ((e >> 9) & 1 ? PT_DIRTY : 0);
			else
				state = PT_ACCESSED | ((e >> 1) & 1 ? PT_DIRTY : 0);
			return ref_ok(c, (e & RE_ADDR & ~(size - 1)) | (c->va & (size - 1)), size, flags,
				      state);
		}
	}
	return ref_fault(c, PT_FAULT_RESERVED, levels - 1, e, tpa); /* not reached */
}

#endif /* PT_FUZZ_REF_EPT_H */
