/* SPDX-License-Identifier: MIT */
/*
 * ref_arm.h: the two Arm formats as the Arm Architecture Reference
 * Manuals describe them.
 *
 * AArch64 (Arm ARM DDI 0487, D8 "The AArch64 Virtual Memory System
 * Architecture"): VMSAv8-64 stage 1 with the 4K, 16K and 64K granules
 * (ref_a64_geom), TTBR0 or TTBR1 (PT_FEAT_AARCH64_HIGH) of EL1&0, or EL2
 * without VHE
 * (PT_FEAT_AARCH64_EL2: one privilege, XN at 54, APTable[1] and XNTable
 * only). Descriptor formats D8.3, hierarchical permissions D8.4.2
 * (TCR.HPD), data access permissions D8.4.3 (AP[2:1] and PSTATE.PAN),
 * execute-never D8.4.4 (UXN, PXN, the implicit PXN of EL0-writable memory,
 * SCTLR.WXN), the access flag and dirty state D8.5 (TCR.HA, TCR.HD "only
 * if HA is also 1", DBM), memory attributes D8.6 (AttrIndx into MAIR), and
 * the fault priority D8.? (Translation > Access flag > Permission).
 *
 * ARMv7-A short descriptors (ARMv7 ARM DDI 0406C, B3.5 formats, B3.7
 * access permissions and the access flag with SCTLR.AFE, B3.8 memory
 * attributes with and without SCTLR.TRE, B3.12.3 fault-checking sequence:
 * translation, access flag, domain, permission). Domains are clients
 * (SPEC §8), PXN is implemented (LPAE-capable cores), TTBCR.N = 0.
 */
#ifndef PT_FUZZ_REF_ARM_H
#define PT_FUZZ_REF_ARM_H

#include "ref_walk.h"

#define RA_ADDR UINT64_C(0x0000fffffffff000)

/* A stage-1 walk's shape (D8.2, "Translation granule" and "Initial lookup
 * level"): a granule of 2^p bytes resolves p - 3 VA bits per lookup, the
 * last (level 3) at VA[2p-4:p]; an n-bit VA (T0SZ = 64 - n) starts at the
 * level whose table covers the bits left, so ceil((n - p) / (p - 3))
 * lookups, and the first table holds 2^(n - shift) entries. */
struct ref_a64_geom {
	unsigned p, n, levels, start;
	bool ds;  /* FEAT_LPA2 with TCR.DS (4K, 16K and PT_FEAT_AARCH64_PA52) */
	bool lpa; /* FEAT_LPA on 64K (PT_FEAT_AARCH64_PA52) */
	unsigned min_block; /* the lowest Arm level a block may sit at */
};

/* The shape of format a with features feat at VA width bits (0: 48);
 * false for a width the format has not: 4K 25..48, 16K 26..48, 64K
 * 30..48; 49..52 with PT_FEAT_AARCH64_VA52 on 16K (which needs LPA2) and
 * 64K (FEAT_LVA). */
static bool ref_a64_geom_of(enum pt_arch a, unsigned feat, unsigned bits, struct ref_a64_geom *g)
{
	const bool pa52 = feat & PT_FEAT_AARCH64_PA52, va52 = feat & PT_FEAT_AARCH64_VA52;
	unsigned lo;
	switch (a) {
	case PT_AARCH64: g->p = 12, lo = 25; break;
	case PT_AARCH64_16K: g->p = 14, lo = 26; break;
	case PT_AARCH64_64K: g->p = 16, lo = 30; break;
	default: return false;
	}
	g->n = bits ? bits : 48;
	if (g->n < lo || g->n > (va52 && a != PT_AARCH64 ? 52u : 48u))
		return false;
	g->levels = (g->n - g->p + (g->p - 4)) / (g->p - 3);
	g->start = 4 - g->levels;
	g->ds = pa52 && g->p != 16;
	g->lpa = pa52 && g->p == 16;
	/* Blocks: 4K at levels 1 and 2, 16K and 64K at level 2; one level
	 * higher with a 52-bit OA (4K level 0, 16K and 64K level 1). */
	g->min_block = (g->p == 12 ? 1u : 2u) - (pa52 ? 1u : 0u);
	return true;
}

/* The output (or next-table) address a descriptor holds, with the bits
 * below the granule that a granule-aligned field leaves RES0: bits 47:12
 * (16K: 13:12 RES0, 64K: 15:12); with LPA2 (TCR.DS) bits 49:12 and
 * OA[51:50] in bits 9:8; with 64K FEAT_LPA OA[51:48] in bits 15:12
 * (D8.3). The caller faults on set bits below the granule (or the
 * block's size). */
static uint64_t ra_oa(const struct ref_a64_geom *g, uint64_t e)
{
	if (g->lpa)
		return (e & UINT64_C(0x0000ffffffff0000)) | ((e >> 12) & 15) << 48;
	if (!g->ds)
		return e & RA_ADDR;
	return (e & UINT64_C(0x0003fffffffff000)) | ((e >> 8) & 3) << 50;
}

static int ref_aarch64(struct ref_ctx *c)
{
	const unsigned feat = c->r->features;
	const bool el2 = feat & PT_FEAT_AARCH64_EL2, high = feat & PT_FEAT_AARCH64_HIGH;
	const bool hpd = ref_ctl(c, PT_CTL_HPD), wxn = ref_ctl(c, PT_CTL_WXN);
	const bool ha = ref_ctl(c, PT_CTL_HA), hd = ha && ref_ctl(c, PT_CTL_HD);
	bool ap_t0 = false, ap_t1 = false, uxn_t = false, pxn_t = false;
	uint64_t tpa = c->r->root, e = 0;
	struct ref_a64_geom g;
	bool ds;
	unsigned l;
	if (!ref_a64_geom_of(c->r->arch, feat, c->r->va_bits, &g))
		return PT_ERR_INVALID; /* ref_args refused it already */
	ds = g.ds;
	/* TTBR0 serves VAs with bits 63:n zero, TTBR1 all ones; anything
	 * else is a translation fault outside this table (D8.2). */
	if (c->va >> g.n != (high ? (UINT64_MAX >> g.n) : 0))
		return ref_fault(c, PT_FAULT_ADDRESS, 0, 0, 0);
	/* l counts lookups from the root (libpt's levels), lvl is Arm's. */
	for (l = 0; l < g.levels; l++) {
		const unsigned lvl = g.start + l, shift = g.p + (g.p - 3) * (3 - lvl);
		const uint64_t size = UINT64_C(1) << shift, gran = UINT64_C(1) << g.p;
		const unsigned ibits = l ? g.p - 3 : g.n - shift;
		if (!ref_read(c, l, tpa, (c->va >> shift) & ((UINT64_C(1) << ibits) - 1), 8, &e))
			return PT_ERR_FAULT;
		if (!(e & 1))
			return ref_fault(c, PT_FAULT_NOT_PRESENT, l, e, tpa);
		if (lvl < 3 && (e & 2)) {
			/* Table descriptor: next table at 47:p (ra_oa); APTable 62:61,
			 * UXNTable/XNTable 60, PXNTable 59, unless TCR.HPD.
			 * At EL2 APTable[0] and PXNTable are RES0. */
			if (!hpd) {
				ap_t1 = ap_t1 || ((e >> 62) & 1);
				if (!el2) {
					ap_t0 = ap_t0 || ((e >> 61) & 1);
					pxn_t = pxn_t || ((e >> 59) & 1);
				}
				uxn_t = uxn_t || ((e >> 60) & 1);
			}
			/* Bits 51:48 are RES0 (no FEAT_LPA2/DS): SPEC §4 and
			 * libpt treat a set one as reserved; with DS 49:48 are
			 * OA bits. Tables fill a granule, aligned to it: the
			 * address bits below it are RES0 too. */
			if (((e >> 48) & (ds ? 12 : 15)) || (ra_oa(&g, e) & (gran - 1)))
				return ref_fault(c, PT_FAULT_RESERVED, l, e, tpa);
			tpa = ra_oa(&g, e);
			continue;
		}
		/* 0b01 above the levels that hold blocks and at level 3 is
		 * reserved: SPEC §4 calls it corrupt. The block LPA2 adds
		 * (4K level 0, 16K level 1) has its contiguous bit (52)
		 * RES0. */
		if (lvl < g.min_block || (ds && lvl == g.min_block && ((e >> 52) & 1)) ||
		    (lvl == 3 && !(e & 2)))
			return ref_fault(c, PT_FAULT_RESERVED, l, e, tpa);
		/* Bits 49:48 are RES0 in blocks and pages (OA with DS), as
		 * are the OA bits below a block's size (and a page's below
		 * the granule) and PXN (53) at EL2; SH 0b01 is reserved
		 * (D8.6.2; with DS the field is OA). */
		if ((!ds && ((e >> 48) & 3)) || (ra_oa(&g, e) & (size - 1)) ||
		    (el2 && ((e >> 53) & 1)) || (!ds && ((e >> 8) & 3) == 1))
			return ref_fault(c, PT_FAULT_RESERVED, l, e, tpa);
		{
			const bool af = (e >> 10) & 1, dbm = (e >> 51) & 1, ap2 = (e >> 7) & 1;
			const bool ap1 = (e >> 6) & 1, pxn = (e >> 53) & 1, uxn = (e >> 54) & 1;
			const bool store = c->acc & PT_ACCESS_WRITE;
			struct ref_perm p, q;
			bool known = true, el0;
			uint32_t flags, state;
			uint64_t mair = c->r->attrs ? c->r->attrs : PT_AARCH64_MAIR;
			/* Permissions with AP[2] as given (ro), the hierarchy
			 * applied: APTable[1] forces read-only, APTable[0] no
			 * EL0 access. */
#define RA_PERM(P, RO)                                                                        \
	do {                                                                                  \
		bool w_ = !(RO) && !ap_t1;                                                    \
		if (el2) {                                                                    \
			(P).ur = (P).uw = (P).ux = false;                                     \
			(P).pr = true;                                                        \
			(P).pw = w_;                                                          \
			(P).px = !(uxn || uxn_t) && !(wxn && w_);                             \
		} else {                                                                      \
			bool u_ = ap1 && !ap_t0;                                              \
			(P).ur = u_;                                                          \
			(P).uw = u_ && w_;                                                    \
			(P).ux = !(uxn || uxn_t) && !(wxn && (P).uw);                         \
			(P).pr = true;                                                        \
			(P).pw = w_;                                                          \
			(P).px = !(pxn || pxn_t) && !(wxn && w_) && !(P).uw;                  \
		}                                                                             \
	} while (0)
			/* Each kind of an access is checked on its own: reads
			 * and fetches see AP[2] as stored; a store to a DBM page
			 * sees it cleared when HA and HD let the MMU clear it
			 * first (D8.5), else it is the dirty-state fault if that
			 * is all that refuses it (the page is writable-clean). */
			RA_PERM(p, ap2);
			RA_PERM(q, ap2 && !dbm);
			el0 = ref_user(c) && !el2;
			if (ref_checks(c)) {
				struct ref_perm pc = p;
				/* PAN: EL1 data accesses to memory EL0 can read or
				 * write fault (EL1&0 only). */
				if (!el0 && !el2 && ref_ctl(c, PT_CTL_PAN) && p.ur)
					pc.pr = pc.pw = false, q.pr = q.pw = false;
				if (store && dbm && hd)
					pc.pw = q.pw, pc.uw = q.uw;
				/* Access flag before permission (fault priority). */
				if (!af && !ha)
					return ref_fault(c, PT_FAULT_ACCESS_FLAG, l, e, tpa);
				if (ref_denied(c, &pc)) {
					if (store && dbm && ap2 && !hd) {
						pc.pw = q.pw, pc.uw = q.uw;
						if (!ref_denied(c, &pc))
							return ref_fault(c, PT_FAULT_DIRTY, l, e, tpa);
					}
					return ref_fault(c, PT_FAULT_PERMISSION, l, e, tpa);
				}
			}
			/* Flags: the permissions as the MMU sees the leaf now
			 * (WXN and the implicit PXN from AP[2] as stored), and
			 * WRITE also for a clean DBM page (SPEC §4: WRITE = DBM
			 * | !AP[2]) where no APTable[1] forbids it. */
			RA_PERM(q, ap2);
			flags = ref_perm_flags(&q) | (dbm && !ap_t1 ? PT_WRITE : 0);
#undef RA_PERM
			if (!el2 && !((e >> 11) & 1))
				flags |= PT_GLOBAL;
			flags |= ((e >> 56) & 1) ? PT_SW0 : 0;
			flags |= ((e >> 57) & 1) ? PT_SW1 : 0;
			flags |= ref_mair_type(mair, (unsigned)(e >> 2) & 7, &known);
			c->o->memtype_known = known;
			/* §7: ACCESSED = AF; DIRTY = AP[2] clear, or the software
			 * dirty bit 55 of a read-only page. */
			state = (af ? PT_ACCESSED : 0) | ((!ap2 || ((e >> 55) & 1)) ? PT_DIRTY : 0);
			return ref_ok(c, (ra_oa(&g, e) & ~(size - 1)) | (c->va & (size - 1)), size, flags,
				      state);
		}
	}
	return ref_fault(c, PT_FAULT_RESERVED, g.levels - 1, e, tpa); /* not reached */
}

/* ARMv7 AP[2:0] (B3.7.1, Tables B3-8 and B3-9). false: reserved. */
static bool ref_v7_ap(bool afe, unsigned ap, struct ref_perm *p)
{
	bool pr, pw, ur, uw;
	if (afe) {
		/* Simplified model: AP[2] read-only, AP[1] PL0 access. */
		pr = true;
		pw = !(ap & 4);
		ur = ap & 2;
		uw = ur && pw;
	} else {
		switch (ap) {
		case 0: pr = pw = ur = uw = false; break;
		case 1: pr = pw = true, ur = uw = false; break;
		case 2: pr = pw = ur = true, uw = false; break;
		case 3: pr = pw = ur = uw = true; break;
		case 5: pr = true, pw = ur = uw = false; break;
		case 6: case 7: pr = ur = true, pw = uw = false; break;
		default: return false; /* 100: reserved */
		}
	}
	p->pr = pr, p->pw = pw, p->ur = ur, p->uw = uw;
	return true;
}

static int ref_armv7(struct ref_ctx *c)
{
	const bool afe = ref_ctl(c, PT_CTL_AFE);
	/* With TRE the attribute register is used as given, 0 included
	 * (all Strongly-ordered): the control says remap is on. */
	const bool tre = ref_ctl(c, PT_CTL_TRE);
	uint64_t e1, e2, tpa = c->r->root, base, size;
	unsigned tex, cb_c, cb_b, ap, lvl;
	bool xn, pxn, ng, known = true;
	struct ref_perm p = { false, false, false, false, false, false };
	uint64_t e;
	uint32_t flags, state, mt;
	if (c->va >> 32)
		return ref_fault(c, PT_FAULT_ADDRESS, 0, 0, 0);
	if (!ref_read(c, 0, tpa, c->va >> 20, 4, &e1))
		return PT_ERR_FAULT;
	switch (e1 & 3) {
	case 0:
		return ref_fault(c, PT_FAULT_NOT_PRESENT, 0, e1, tpa);
	case 1: {
		/* Page table: L2 at 31:10, PXN at bit 2. */
		uint64_t l2 = e1 & 0xfffffc00;
		pxn = (e1 >> 2) & 1;
		if (!ref_read(c, 1, l2, (c->va >> 12) & 255, 4, &e2))
			return PT_ERR_FAULT;
		if (!(e2 & 3))
			return ref_fault(c, PT_FAULT_NOT_PRESENT, 1, e2, l2);
		if ((e2 & 3) == 1) {
			/* Large page (64K): XN 15, TEX 14:12, PA 31:16. */
			xn = (e2 >> 15) & 1;
			tex = (unsigned)(e2 >> 12) & 7;
			size = 0x10000;
		} else {
			/* Small page: XN 0, TEX 8:6, PA 31:12. */
			xn = e2 & 1;
			tex = (unsigned)(e2 >> 6) & 7;
			size = 0x1000;
		}
		cb_b = (e2 >> 2) & 1;
		cb_c = (e2 >> 3) & 1;
		ap = (unsigned)((e2 >> 4) & 3) | (unsigned)((e2 >> 9) & 1) << 2;
		ng = (e2 >> 11) & 1;
		base = e2 & ~(size - 1) & 0xffffffff;
		e = e2;
		tpa = l2;
		lvl = 1;
		break;
	}
	default:
		/* Section (bit 18 = 0) or supersection; bit 0 is PXN. */
		pxn = e1 & 1;
		cb_b = (e1 >> 2) & 1;
		cb_c = (e1 >> 3) & 1;
		xn = (e1 >> 4) & 1;
		ap = (unsigned)((e1 >> 10) & 3) | (unsigned)((e1 >> 15) & 1) << 2;
		tex = (unsigned)(e1 >> 12) & 7;
		ng = (e1 >> 17) & 1;
		if ((e1 >> 18) & 1) {
			/* Supersection: PA[31:24] 31:24, PA[35:32] 23:20,
			 * PA[39:36] 8:5 (B3.5.1, Figure B3-4). */
			size = 0x1000000;
			base = (e1 & 0xff000000) | ((e1 >> 20) & 0xf) << 32 | ((e1 >> 5) & 0xf) << 36;
		} else {
			size = 0x100000;
			base = e1 & 0xfff00000;
		}
		e = e1;
		lvl = 0;
		break;
	}
	/* Reserved encodings (AP 100, TEX/C/B without remap) are corrupt
	 * (SPEC §4). TEX 001 C 1 B 0 is IMPLEMENTATION DEFINED, not reserved:
	 * the MMU translates it (Table B3-10), its type is not compared. */
	mt = tre ? ref_v7_remap(c->r->attrs, tex, cb_c, cb_b, &known)
		 : ref_v7_texcb(tex, cb_c, cb_b, &known);
	if (!ref_v7_ap(afe, ap, &p) || mt == UINT32_MAX)
		return ref_fault(c, PT_FAULT_RESERVED, lvl, e, tpa);
	/* Instruction fetches need read permission at the PL (B3.7.2). */
	p.ux = p.ur && !xn;
	p.px = p.pr && !xn && !pxn;
	if (ref_checks(c)) {
		if (afe && !(ap & 1))
			return ref_fault(c, PT_FAULT_ACCESS_FLAG, lvl, e, tpa);
		if (ref_denied(c, &p))
			return ref_fault(c, PT_FAULT_PERMISSION, lvl, e, tpa);
	}
	flags = ref_perm_flags(&p) | (ng ? 0 : PT_GLOBAL) | mt;
	c->o->memtype_known = known;
	/* §7: ACCESSED from AP[0] only with AFE; DIRTY for every writable leaf. */
	state = (!afe || (ap & 1)) ? PT_ACCESSED : 0;
	state |= (flags & PT_WRITE) ? PT_DIRTY : 0;
	return ref_ok(c, base | (c->va & (size - 1)), size, flags, state);
}

/*
 * AArch64 stage 2 (Arm ARM DDI 0487, D8: stage 2 translation, 4K granule,
 * 48-bit OA, HCR_EL2.FWB 0), IPA size `bits` (VTCR_EL2.T0SZ = 64 - bits).
 * The walk starts at the lowest lookup level whose table, concatenated
 * at most 16 times, covers the IPA: level 2 up to 34 bits, level 1 up to
 * 43, else level 0 (KVM's choice too); the first lookup indexes the
 * concatenated tables as one. Descriptors: valid bit 0; at levels 0..2
 * bit 1 a table (next table 47:12; 51:48 RES0, set ones reserved here as
 * at stage 1; bits 63:59 have no meaning at stage 2 and fault nothing),
 * else a block (levels 1, 2; a level-0 block is reserved); level 3 needs
 * bit 1. Leaves: S2AP[1:0] at 7:6 (read, write; EL1 and EL0 alike),
 * MemAttr[3:0] at 5:2 (0b00xx Device; else Normal, outer [3:2], inner
 * [1:0], inner 0b00 reserved), SH 9:8 (0b01 reserved), AF 10, DBM 51,
 * XN[1:0] at 54:53 with FEAT_XNX (0b00 both ELs execute, 0b01 EL0 only,
 * 0b10 neither, 0b11 EL1 only). Faults: access flag before permission;
 * a store to a DBM leaf with S2AP[1] clear sets it when VTCR.HA and HD are
 * both set, else it is the dirty-state fault if nothing else refuses it.
 * Flags: READ = S2AP[0], WRITE = S2AP[1] or DBM, EXECUTE = EL1 may
 * execute (no mapping of a stage 2 is USER), no GLOBAL.
 */
static int ref_aarch64_s2(struct ref_ctx *c, unsigned bits)
{
	const unsigned levels = (bits - 8) / 9, start = 4 - levels;
	const bool ha = ref_ctl(c, PT_CTL_HA), hd = ha && ref_ctl(c, PT_CTL_HD);
	uint64_t tpa = c->r->root, e = 0;
	if (c->va >> bits)
		return ref_fault(c, PT_FAULT_ADDRESS, 0, 0, 0);
	for (unsigned l = 0; l < levels; l++) {
		const unsigned lvl = start + l, shift = 39 - 9 * lvl;
		const uint64_t size = UINT64_C(1) << shift;
		const uint64_t idx = l == 0 ? c->va >> shift : (c->va >> shift) & 511;
		if (!ref_read(c, l, tpa, idx, 8, &e))
			return PT_ERR_FAULT;
		if (!(e & 1))
			return ref_fault(c, PT_FAULT_NOT_PRESENT, l, e, tpa);
		if (lvl < 3 && (e & 2)) {
			if ((e >> 48) & 15)
				return ref_fault(c, PT_FAULT_RESERVED, l, e, tpa);
			tpa = e & RA_ADDR;
			continue;
		}
		if (lvl == 0 || (lvl == 3 && !(e & 2)))
			return ref_fault(c, PT_FAULT_RESERVED, l, e, tpa);
		{
			const unsigned mem = (unsigned)(e >> 2) & 15, outer = mem >> 2, inner = mem & 3;
			const bool rd = (e >> 6) & 1, wr = (e >> 7) & 1, af = (e >> 10) & 1;
			const bool dbm = (e >> 51) & 1, xn1 = (e >> 54) & 1, xn0 = (e >> 53) & 1;
			const bool store = c->acc & PT_ACCESS_WRITE;
			struct ref_perm p;
			uint32_t flags, state;
			if (((e >> 48) & 3) || (e & RA_ADDR & (size - 1)) || ((e >> 8) & 3) == 1 ||
			    (outer && !inner))
				return ref_fault(c, PT_FAULT_RESERVED, l, e, tpa);
			p.pr = p.ur = rd;
			p.pw = p.uw = wr || (store && dbm && hd);
			p.px = !xn1 == !xn0;  /* 0b00, 0b11 */
			p.ux = !xn1;          /* 0b00, 0b01 */
			if (ref_checks(c)) {
				if (!af && !ha)
					return ref_fault(c, PT_FAULT_ACCESS_FLAG, l, e, tpa);
				if (ref_denied(c, &p)) {
					struct ref_perm q = p;
					q.pw = q.uw = wr || dbm;
					if (store && dbm && !ref_denied(c, &q))
						return ref_fault(c, PT_FAULT_DIRTY, l, e, tpa);
					return ref_fault(c, PT_FAULT_PERMISSION, l, e, tpa);
				}
			}
			flags = (rd ? PT_READ : 0) | (wr || dbm ? PT_WRITE : 0) | (p.px ? PT_EXECUTE : 0);
			flags |= !outer ? PT_DEVICE : outer == 1 && inner == 1 ? PT_UNCACHED : 0;
			flags |= ((e >> 56) & 1) ? PT_SW0 : 0;
			flags |= ((e >> 57) & 1) ? PT_SW1 : 0;
			state = (af ? PT_ACCESSED : 0) | ((wr || ((e >> 55) & 1)) ? PT_DIRTY : 0);
			return ref_ok(c, (e & RA_ADDR & ~(size - 1)) | (c->va & (size - 1)), size, flags,
				      state);
		}
	}
	return ref_fault(c, PT_FAULT_RESERVED, levels - 1, e, tpa); /* not reached */
}

#endif /* PT_FUZZ_REF_ARM_H */
