/* SPDX-License-Identifier: MIT */
/*
 * ref_x86.h: x86-64 4- and 5-level paging as the Intel SDM Vol. 3A
 * describes it (§4.5 walk and Tables 4-14..4-20 for the entry formats and
 * reserved bits, §4.6 access rights, §4.8 accessed and dirty flags,
 * §4.9.2 memory typing with PAT). MAXPHYADDR is 52 (SPEC §3), so no
 * address bit is reserved; protection keys and CR4.PGE are not modelled.
 */
#ifndef PT_FUZZ_REF_X86_H
#define PT_FUZZ_REF_X86_H

#include "ref_walk.h"

#define RX_P   (UINT64_C(1) << 0)
#define RX_RW  (UINT64_C(1) << 1)
#define RX_US  (UINT64_C(1) << 2)
#define RX_PWT (UINT64_C(1) << 3)
#define RX_PCD (UINT64_C(1) << 4)
#define RX_A   (UINT64_C(1) << 5)
#define RX_D   (UINT64_C(1) << 6)
#define RX_PS  (UINT64_C(1) << 7)
#define RX_G   (UINT64_C(1) << 8)
#define RX_XD  (UINT64_C(1) << 63)
#define RX_ADDR UINT64_C(0x000ffffffffff000)

static int ref_x86(struct ref_ctx *c, unsigned levels)
{
	const unsigned vbits = levels == 5 ? 57 : 48;
	const bool nxe = ref_ctl(c, PT_CTL_NXE);
	uint64_t hi = c->va >> (vbits - 1), tpa = c->r->root, e = 0;
	bool rw = true, us = true, xd = false;
	unsigned l;
	/* §4.5: a non-canonical address is a #GP, not a walk. */
	if (hi != 0 && hi != UINT64_MAX >> (vbits - 1))
		return ref_fault(c, PT_FAULT_ADDRESS, 0, 0, 0);
	for (l = 0; l < levels; l++) {
		unsigned shift = 12 + 9 * (levels - 1 - l);
		bool leaf = l == levels - 1, rsv = false;
		uint64_t size = UINT64_C(1) << shift;
		if (!ref_read(c, l, tpa, (c->va >> shift) & 511, 8, &e))
			return PT_ERR_FAULT;
		if (!(e & RX_P))
			return ref_fault(c, PT_FAULT_NOT_PRESENT, l, e, tpa);
		/* XD is reserved unless IA32_EFER.NXE (Tables 4-14..4-20). */
		if (!nxe && (e & RX_XD))
			rsv = true;
		if (!leaf && (e & RX_PS)) {
			/* PS is reserved in a PML5E and a PML4E; a PDPTE with
			 * PS maps 1 GiB (bits 29:13 reserved), a PDE 2 MiB
			 * (bits 20:13 reserved). */
			if (levels - 1 - l > 2)
				rsv = true;
			else if (e & (size - 1) & ~UINT64_C(0x1fff))
				rsv = true;
			leaf = true;
		}
		if (rsv)
			return ref_fault(c, PT_FAULT_RESERVED, l, e, tpa);
		/* §4.6: write and user rights are the AND over every level,
		 * execute-disable the OR. */
		rw = rw && (e & RX_RW);
		us = us && (e & RX_US);
		xd = xd || (nxe && (e & RX_XD));
		if (leaf) {
			struct ref_perm p;
			bool known = true;
			unsigned pat = l == levels - 1 ? (unsigned)(e >> 7) & 1 : (unsigned)(e >> 12) & 1;
			unsigned idx = pat << 2 | (unsigned)((e & RX_PCD) ? 2 : 0) | (unsigned)((e & RX_PWT) ? 1 : 0);
			uint64_t patreg = c->r->attrs ? c->r->attrs : PT_X86_PAT;
			uint32_t flags, state = 0;
			uint64_t base = e & RX_ADDR & ~(size - 1);
			const bool wp = ref_ctl(c, PT_CTL_WP), smep = ref_ctl(c, PT_CTL_SMEP);
			const bool smap = ref_ctl(c, PT_CTL_SMAP) && !ref_ctl(c, PT_CTL_AC);
			/* §4.6.1: user mode needs US everywhere, RW everywhere
			 * to write; supervisor writes obey RW only with CR0.WP;
			 * SMAP (unless EFLAGS.AC) keeps supervisor data
			 * accesses off user addresses, SMEP fetches. */
			p.ur = us;
			p.uw = us && rw;
			p.ux = us && !xd;
			p.pr = !(us && smap);
			p.pw = !(us && smap) && (rw || !wp);
			p.px = !xd && !(us && smep);
			if (ref_checks(c) && ref_denied(c, &p))
				return ref_fault(c, PT_FAULT_PERMISSION, l, e, tpa);
			/* The flags do not depend on the mode's controls. */
			flags = PT_READ | (us ? PT_USER : 0) | (rw ? PT_WRITE : 0) |
				(xd ? 0 : PT_EXECUTE) | ((e & RX_G) ? PT_GLOBAL : 0) |
				((e >> 9) & 1 ? PT_SW0 : 0) | ((e >> 10) & 1 ? PT_SW1 : 0);
			flags |= ref_x86_pat_type(patreg, idx, &known);
			c->o->memtype_known = known;
			/* §4.8: the processor sets A and D itself: no faults. */
			state |= (e & RX_A) ? PT_ACCESSED : 0;
			state |= (e & RX_D) ? PT_DIRTY : 0;
			return ref_ok(c, base | (c->va & (size - 1)), size, flags, state);
		}
		tpa = e & RX_ADDR;
	}
	return ref_fault(c, PT_FAULT_RESERVED, levels - 1, e, tpa); /* not reached */
}

#endif /* PT_FUZZ_REF_X86_H */
