/* SPDX-License-Identifier: MIT */
/*
 * ref_rv_la.h: RISC-V and LoongArch64.
 *
 * RISC-V: the Privileged Architecture manual (20240411), §12.3.2 "Virtual
 * Address Translation Process" step by step (step 3: V=0, W without R, or a
 * bit reserved for future standard use faults, including D/A/U of a
 * non-leaf PTE and N/PBMT where those extensions say so; step 4: a pointer
 * at the last level faults; step 5: permission with sstatus.SUM and MXR;
 * step 6: a misaligned superpage faults; step 7: A clear, or a store with
 * D clear, faults unless Svadu (menvcfg.ADUE) sets them), §12.4-12.6 for
 * Sv48/Sv57, and the Svnapot (64 KiB: N=1 only in a last-level leaf with
 * PPN[3:0] = 1000) and Svpbmt (PBMT 0 PMA, 1 NC, 2 IO, 3 reserved; reserved
 * in non-leaf PTEs) chapters. G in a non-leaf PTE makes every mapping below
 * it global (§12.3.1). XuanTie (T-Head C9xx MAEE, as Linux's
 * pgtable-64.h uses it): SO 63, C 62, B 61, SH 60, Sec 59 in leaves, 58:54
 * reserved.
 *
 * LoongArch64: LoongArch Reference Manual Vol. 1 §5.4 (page table entry
 * fields V, D, PLV, MAT, G, NR, NX, RPLV; TLB-based translation checks in
 * the order V (page invalid), PLV/RPLV (PPI), then NR (PNR) for loads, NX
 * (PNX) for fetches, D (PME) for stores) and the software bits SPEC §4
 * gives to the OS's own view (P 7, W 8, Linux's layout): a leaf is present
 * with P; V clear is the access-flag fault, D clear on a store the dirty
 * fault when W says the page is writable, else a permission fault.
 * Directory entries hold the next table's PA (or a direct-map VA, masked by
 * dir_mask); a directory entry with H (bit 6) is a huge leaf, G at 12.
 */
#ifndef PT_FUZZ_REF_RV_LA_H
#define PT_FUZZ_REF_RV_LA_H

#include "ref_walk.h"

#define RV_V (UINT64_C(1) << 0)
#define RV_R (UINT64_C(1) << 1)
#define RV_W (UINT64_C(1) << 2)
#define RV_X (UINT64_C(1) << 3)
#define RV_U (UINT64_C(1) << 4)
#define RV_G (UINT64_C(1) << 5)
#define RV_A (UINT64_C(1) << 6)
#define RV_D (UINT64_C(1) << 7)
#define RV_PPN_MASK ((UINT64_C(1) << 44) - 1)

static int ref_riscv(struct ref_ctx *c, unsigned levels)
{
	const unsigned vbits = 12 + 9 * levels, feat = c->r->features;
	const bool pbmt = feat & PT_FEAT_RISCV_SVPBMT, xt = feat & PT_FEAT_RISCV_XUANTIE;
	uint64_t hi = c->va >> (vbits - 1), tpa = c->r->root, e = 0;
	bool global = false;
	unsigned l;
	if (hi != 0 && hi != UINT64_MAX >> (vbits - 1))
		return ref_fault(c, PT_FAULT_ADDRESS, 0, 0, 0);
	for (l = 0; l < levels; l++) {
		unsigned i = levels - 1 - l, shift = 12 + 9 * i;
		uint64_t size = UINT64_C(1) << shift, ppn, top;
		bool r, w, x;
		if (!ref_read(c, l, tpa, (c->va >> shift) & 511, 8, &e))
			return PT_ERR_FAULT;
		if (!(e & RV_V))
			return ref_fault(c, PT_FAULT_NOT_PRESENT, l, e, tpa);
		r = e & RV_R, w = e & RV_W, x = e & RV_X;
		ppn = (e >> 10) & RV_PPN_MASK;
		top = e >> 54; /* bits 63:54 */
		if (!r && w)
			return ref_fault(c, PT_FAULT_RESERVED, l, e, tpa);
		if (!r && !x) {
			/* Pointer: D, A, U and every bit of 63:54 reserved; none
			 * at the last level. */
			if ((e & (RV_D | RV_A | RV_U)) || top || i == 0)
				return ref_fault(c, PT_FAULT_RESERVED, l, e, tpa);
			global = global || (e & RV_G);
			tpa = ppn << 12;
			continue;
		}
		{
			struct ref_perm p;
			bool u = e & RV_U, napot = false, rsv = false;
			const bool mxr = ref_ctl(c, PT_CTL_MXR), sum = ref_ctl(c, PT_CTL_SUM);
			uint32_t flags = 0, state;
			uint64_t pa;
			if (xt) {
				if (top & 0x1f) /* 58:54; 59 is T-Head's Sec */
					rsv = true;
				flags |= (top >> 9) & 1 ? PT_DEVICE : !((top >> 8) & 1) ? PT_UNCACHED : 0;
			} else {
				unsigned pb = (unsigned)(top >> 7) & 3;
				if (top & 0x7f) /* 60:54 */
					rsv = true;
				if (pbmt)
					flags |= pb == 2 ? PT_DEVICE : pb == 1 ? PT_UNCACHED : 0;
				if (pb == 3 || (pb && !pbmt))
					rsv = true;
				if (top >> 9) {
					/* Svnapot: N only in a last-level leaf
					 * with PPN[3:0] = 1000 (64 KiB). */
					if (i != 0 || (ppn & 15) != 8)
						rsv = true;
					napot = true;
				}
			}
			/* A misaligned superpage faults (step 6). */
			if (i && (ppn & ((UINT64_C(1) << (9 * i)) - 1)))
				rsv = true;
			if (rsv)
				return ref_fault(c, PT_FAULT_RESERVED, l, e, tpa);
			/* Step 5: U pages are user pages; S-mode reads and
			 * writes them only with SUM and never executes them;
			 * MXR makes executable pages readable. */
			p.ur = u && (r || (mxr && x));
			p.uw = u && w;
			p.ux = u && x;
			p.pr = (!u || sum) && (r || (mxr && x));
			p.pw = (!u || sum) && w;
			p.px = !u && x;
			if (ref_checks(c)) {
				if (ref_denied(c, &p))
					return ref_fault(c, PT_FAULT_PERMISSION, l, e, tpa);
				/* Step 7: Svadu sets A and D; without it they fault. */
				if (!(e & RV_A) && !ref_ctl(c, PT_CTL_HA))
					return ref_fault(c, PT_FAULT_ACCESS_FLAG, l, e, tpa);
				if ((c->acc & PT_ACCESS_WRITE) && !(e & RV_D) && !ref_ctl(c, PT_CTL_HD))
					return ref_fault(c, PT_FAULT_DIRTY, l, e, tpa);
			}
			/* Flags are the page's: MXR changes what loads may
			 * do (§3.1.6.3 "modifies the privilege with which
			 * loads access virtual memory"), not the page. */
			flags |= (u ? PT_USER : 0) | (r ? PT_READ : 0) |
				 (w ? PT_WRITE : 0) | (x ? PT_EXECUTE : 0);
			flags |= (global || (e & RV_G)) ? PT_GLOBAL : 0;
			flags |= ((e >> 8) & 1) ? PT_SW0 : 0;
			flags |= ((e >> 9) & 1) ? PT_SW1 : 0;
			state = ((e & RV_A) ? PT_ACCESSED : 0) | ((e & RV_D) ? PT_DIRTY : 0);
			if (napot) {
				size = 0x10000;
				ppn &= ~UINT64_C(15);
			}
			pa = (ppn << 12 & ~(size - 1)) | (c->va & (size - 1));
			return ref_ok(c, pa, size, flags, state);
		}
	}
	return ref_fault(c, PT_FAULT_RESERVED, levels - 1, e, tpa); /* not reached */
}

/*
 * RISC-V G-stage (the hypervisor extension's "Two-Stage Address
 * Translation", Sv39x4/Sv48x4/Sv57x4): the Sv39/48/57 walk over a
 * guest-physical address two bits wider, whose bits above 41/50/59 must be
 * 0 (a guest-page fault: outside the regime); the root has 2048 entries
 * (16 KiB). Every access is checked as a U-mode one: a leaf needs U, and
 * then allows what R, W and X say from any guest mode; HS-level
 * sstatus.MXR makes executable pages readable; SUM does not apply (no such
 * control here). The G bit is not used (ignored). Svadu for G-stage is
 * henvcfg.ADUE (HA/HD). Flags are the effective rights (none without U);
 * no USER, no GLOBAL, no memory type (no Svpbmt feature here).
 */
static int ref_rvg(struct ref_ctx *c, unsigned levels)
{
	const unsigned gbits = 14 + 9 * levels;
	uint64_t tpa = c->r->root, e = 0;
	unsigned l;
	if (c->va >> gbits)
		return ref_fault(c, PT_FAULT_ADDRESS, 0, 0, 0);
	for (l = 0; l < levels; l++) {
		unsigned i = levels - 1 - l, shift = 12 + 9 * i;
		uint64_t size = UINT64_C(1) << shift, ppn, top, idx;
		bool r, w, x;
		idx = (c->va >> shift) & (l == 0 ? 2047 : 511);
		if (!ref_read(c, l, tpa, idx, 8, &e))
			return PT_ERR_FAULT;
		if (!(e & RV_V))
			return ref_fault(c, PT_FAULT_NOT_PRESENT, l, e, tpa);
		r = e & RV_R, w = e & RV_W, x = e & RV_X;
		ppn = (e >> 10) & RV_PPN_MASK;
		top = e >> 54;
		if (!r && w)
			return ref_fault(c, PT_FAULT_RESERVED, l, e, tpa);
		if (!r && !x) {
			if ((e & (RV_D | RV_A | RV_U)) || top || i == 0)
				return ref_fault(c, PT_FAULT_RESERVED, l, e, tpa);
			tpa = ppn << 12;
			continue;
		}
		{
			struct ref_perm p;
			const bool u = e & RV_U, mxr = ref_ctl(c, PT_CTL_MXR);
			bool napot = false, rsv = (top & 0x7f) != 0 || ((top >> 7) & 3) != 0;
			uint32_t flags;
			if (top >> 9) {
				if (i != 0 || (ppn & 15) != 8)
					rsv = true;
				napot = true;
			}
			if (i && (ppn & ((UINT64_C(1) << (9 * i)) - 1)))
				rsv = true;
			if (rsv)
				return ref_fault(c, PT_FAULT_RESERVED, l, e, tpa);
			p.ur = p.pr = u && (r || (mxr && x));
			p.uw = p.pw = u && w;
			p.ux = p.px = u && x;
			if (ref_checks(c)) {
				if (ref_denied(c, &p))
					return ref_fault(c, PT_FAULT_PERMISSION, l, e, tpa);
				if (!(e & RV_A) && !ref_ctl(c, PT_CTL_HA))
					return ref_fault(c, PT_FAULT_ACCESS_FLAG, l, e, tpa);
				if ((c->acc & PT_ACCESS_WRITE) && !(e & RV_D) && !ref_ctl(c, PT_CTL_HD))
					return ref_fault(c, PT_FAULT_DIRTY, l, e, tpa);
			}
			flags = u ? (r ? PT_READ : 0) | (w ? PT_WRITE : 0) | (x ? PT_EXECUTE : 0) : 0;
			flags |= ((e >> 8) & 1) ? PT_SW0 : 0;
			flags |= ((e >> 9) & 1) ? PT_SW1 : 0;
			if (napot) {
				size = 0x10000;
				ppn &= ~UINT64_C(15);
			}
			return ref_ok(c, (ppn << 12 & ~(size - 1)) | (c->va & (size - 1)), size, flags,
				      ((e & RV_A) ? PT_ACCESSED : 0) | ((e & RV_D) ? PT_DIRTY : 0));
		}
	}
	return ref_fault(c, PT_FAULT_RESERVED, levels - 1, e, tpa); /* not reached */
}

#define LA_V   (UINT64_C(1) << 0)
#define LA_D   (UINT64_C(1) << 1)
#define LA_H   (UINT64_C(1) << 6)
#define LA_P   (UINT64_C(1) << 7)
#define LA_W   (UINT64_C(1) << 8)
#define LA_M   (UINT64_C(1) << 9)
#define LA_NR  (UINT64_C(1) << 61)
#define LA_NX  (UINT64_C(1) << 62)
#define LA_RPLV (UINT64_C(1) << 63)
#define LA_PA  UINT64_C(0x0000fffffffff000)

static int ref_loongarch(struct ref_ctx *c)
{
	uint64_t hi = c->va >> 47, tpa = c->r->root, e = 0;
	unsigned l;
	if (hi != 0 && hi != UINT64_MAX >> 47)
		return ref_fault(c, PT_FAULT_ADDRESS, 0, 0, 0);
	for (l = 0; l < 4; l++) {
		unsigned shift = 39 - 9 * l;
		uint64_t size = UINT64_C(1) << shift;
		bool huge;
		if (!ref_read(c, l, tpa, (c->va >> shift) & 511, 8, &e))
			return PT_ERR_FAULT;
		huge = l < 3 && (e & LA_H);
		if (l < 3 && !huge) {
			uint64_t next = c->r->dir_mask ? e & c->r->dir_mask : e;
			if (!e)
				return ref_fault(c, PT_FAULT_NOT_PRESENT, l, e, tpa);
			/* A directory entry must give an aligned table inside
			 * the 48-bit PA space. */
			if ((next & 0xfff) || next >> 48)
				return ref_fault(c, PT_FAULT_RESERVED, l, e, tpa);
			tpa = next;
			continue;
		}
		/* A 4K slot with neither P nor V is empty; V without P is
		 * a page the MMU would use that the OS calls absent, and a
		 * huge leaf must have P: both corrupt. No 512 GiB pages; a
		 * huge leaf's PA bits below its size (but G at 12) must be
		 * clear; MAT 3 is reserved; bits 60:48 are beyond PALEN. */
		if (!huge && !(e & (LA_P | LA_V)))
			return ref_fault(c, PT_FAULT_NOT_PRESENT, l, e, tpa);
		if (l == 0 || !(e & LA_P) || ((e >> 4) & 3) == 3 || ((e >> 48) & 0x1fff) ||
		    (huge && (e & LA_PA & (size - 1) & ~(UINT64_C(1) << 12))))
			return ref_fault(c, PT_FAULT_RESERVED, l, e, tpa);
		{
			struct ref_perm p;
			unsigned plv = (unsigned)(e >> 2) & 3, mat = (unsigned)(e >> 4) & 3;
			bool known = true, glob = huge ? (e >> 12) & 1 : (e >> 6) & 1;
			bool rplv = e & LA_RPLV, nr = e & LA_NR, nx = e & LA_NX;
			bool wr = (e & LA_W) || (e & LA_D);
			uint32_t flags, state;
			/* PLV: privilege 0 may access PLV >= 0, 3 only PLV 3;
			 * with RPLV only the exact PLV may. */
			p.ur = p.uw = p.ux = rplv ? plv == 3 : plv == 3;
			p.pr = p.pw = p.px = rplv ? plv == 0 : true;
			if (ref_checks(c)) {
				bool u = ref_user(c);
				if (!(e & LA_V))
					return ref_fault(c, PT_FAULT_ACCESS_FLAG, l, e, tpa);
				if (!(u ? p.ur : p.pr))
					return ref_fault(c, PT_FAULT_PERMISSION, l, e, tpa);
				if ((c->acc & PT_ACCESS_READ) && nr)
					return ref_fault(c, PT_FAULT_PERMISSION, l, e, tpa);
				if ((c->acc & PT_ACCESS_EXEC) && nx)
					return ref_fault(c, PT_FAULT_PERMISSION, l, e, tpa);
				if ((c->acc & PT_ACCESS_WRITE) && !(e & LA_D))
					return ref_fault(c, (e & LA_W) ? PT_FAULT_DIRTY : PT_FAULT_PERMISSION,
							 l, e, tpa);
			}
			flags = (plv == 3 ? PT_USER : 0) | (nr ? 0 : PT_READ) | (wr ? PT_WRITE : 0) |
				(nx ? 0 : PT_EXECUTE) | (glob ? PT_GLOBAL : 0);
			flags |= ((e >> 10) & 1) ? PT_SW0 : 0;
			flags |= ((e >> 11) & 1) ? PT_SW1 : 0;
			flags |= mat == 0 ? PT_DEVICE : mat == 2 ? PT_UNCACHED : 0;
			c->o->memtype_known = known;
			state = ((e & LA_V) ? PT_ACCESSED : 0) | ((e & (LA_D | LA_M)) ? PT_DIRTY : 0);
			/* PA bits below the page size are not part of the
			 * huge page's frame number. */
			return ref_ok(c, (e & LA_PA & ~(size - 1)) | (c->va & (size - 1)), size, flags,
				      state);
		}
	}
	return ref_fault(c, PT_FAULT_RESERVED, 3, e, tpa); /* not reached */
}

#endif /* PT_FUZZ_REF_RV_LA_H */
