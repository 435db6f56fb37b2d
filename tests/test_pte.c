/* SPDX-License-Identifier: MIT */
/*
 * Conformance tables, one group per architecture family: every flag
 * combination x every leaf level x every feature variant is encoded with
 * pt_pte_page and decoded with pt_pte_decode, and the raw entry is compared
 * with an expected value computed here independently from the encodings the contract states
 * (GLOBAL, WC, SW0/SW1 and the access state included), and flag
 * normalisation. tests/test_pte_literals.c has the hand-written entries
 * (tests/test_pte_stage2.c the stage-2 ones).
 */
/*
 * Conformance tables, one group per architecture family: every flag
 * combination x every leaf level x every feature variant is encoded with
 * pt_pte_page and decoded with pt_pte_decode, and the raw entry is compared
 * with an expected value computed here independently from the encodings the contract states
 * (GLOBAL, WC, SW0/SW1 and the access state included). Plus
 * hand-written raw entries with non-fresh state and x86 PAT memory types,
 * table entries, empty and reserved encodings, flag normalisation, format
 * metadata, VA/PA validity edges, satp and the MAIR constant.
 */
#include <stdlib.h>

#include "check.h"
#include "fmt.h"

#define B(n) (UINT64_C(1) << (n))

/* ---- The encodings, written out independently -------------------------- */

/* Every value below is worked out from the contract's text (and the
 * architecture manuals where it defers to them), never from the library's
 * encoders. */

#define MEMTYPES (PT_DEVICE | PT_UNCACHED | PT_WC)
#define SWBITS (PT_SW0 | PT_SW1)

static bool is_x86(enum pt_arch a)
{
	return a == PT_X86_64 || a == PT_X86_64_LA57;
}

/* Normalisation: the strongest memory type wins (DEVICE > UNCACHED > WC)
 * and the weaker ones are cleared; WC is UNCACHED on every format but x86
 * and EPT; EPT has no uncached type but UC (UNCACHED is DEVICE there);
 * RISC-V without a memory-type feature, and G-stage, drop all three;
 * AArch64 EL2 and the stage-2 formats drop USER and GLOBAL; ARMv7 has no
 * SW0/SW1. */
static uint32_t want_norm(enum pt_arch a, unsigned feat, uint32_t fl)
{
	if (fmt_is_ept(a) && (fl & PT_UNCACHED))
		fl = (fl & ~PT_UNCACHED) | PT_DEVICE;
	if (fmt_is_ept(a) || fmt_is_gstage(a))
		fl &= ~(PT_USER | PT_GLOBAL);
	if (fmt_is_gstage(a))
		fl &= ~MEMTYPES;
	if (fl & PT_DEVICE)
		fl &= ~(PT_UNCACHED | PT_WC);
	else if (fl & PT_UNCACHED)
		fl &= ~PT_WC;
	if ((fl & PT_WC) && !is_x86(a) && !fmt_is_ept(a))
		fl = (fl & ~PT_WC) | PT_UNCACHED;
	if (fmt_is_riscv(a) && !(feat & (PT_FEAT_RISCV_SVPBMT | PT_FEAT_RISCV_XUANTIE)))
		fl &= ~MEMTYPES;
	if ((fmt_is_a64(a) && (feat & PT_FEAT_AARCH64_EL2)) || a == PT_AARCH64_S2)
		fl &= ~(PT_USER | PT_GLOBAL);
	if (a == PT_ARMV7)
		fl &= ~SWBITS;
	return fl;
}

/* Flags pt_pte_page accepts: READ set, nothing outside bits 0..9, and no SW
 * bit on ARMv7 (it has no spare bits). */
static bool want_valid(enum pt_arch a, uint32_t fl)
{
	if (!(fl & PT_READ) || (fl & ~PT_FLAGS_ALL))
		return false;
	if (a == PT_ARMV7 && (fl & SWBITS))
		return false;
	return true;
}

/* The state of a new leaf: accessed, and dirty when writable (normalised
 * flags). */
static uint32_t want_fresh(uint32_t n)
{
	return PT_ACCESSED | ((n & PT_WRITE) ? PT_DIRTY : 0);
}

/* x86: P(0), RW(1), US(2), PWT(3), PCD(4), A(5), D(6), PS(7) in huge
 * leaves, G(8), SW0(9), SW1(10), NX(63). DEVICE = UC = PCD|PWT (PAT 3),
 * UNCACHED = UC- = PCD (PAT 2), WC = PWT (PAT 1). */
static uint64_t want_x86(unsigned level, unsigned levels, uint64_t pa, uint32_t fl)
{
	uint64_t e = B(0) | B(5) | pa; /* present, accessed */
	if (fl & PT_WRITE)
		e |= B(1) | B(6); /* writable, dirty */
	if (fl & PT_USER)
		e |= B(2);
	if (fl & PT_DEVICE)
		e |= B(4) | B(3);
	else if (fl & PT_UNCACHED)
		e |= B(4);
	else if (fl & PT_WC)
		e |= B(3);
	if (fl & PT_GLOBAL)
		e |= B(8);
	if (fl & PT_SW0)
		e |= B(9);
	if (fl & PT_SW1)
		e |= B(10);
	if (!(fl & PT_EXECUTE))
		e |= B(63);
	if (level != levels - 1)
		e |= B(7);
	return e;
}

/* x86 memory type through PT_X86_PAT: the PAT index is PAT<<2 | PCD<<1 |
 * PWT, PAT being bit 7 in a 4K leaf and bit 12 in a huge one. Types (SDM
 * vol. 3, 12.12.2): 0 UC, 1 WC, 4 WT, 5 WP, 6 WB, 7 UC-. */
static uint32_t x86_memtype(bool huge, uint64_t pte)
{
	unsigned pat = (unsigned)((pte >> (huge ? 12 : 7)) & 1);
	unsigned idx = pat << 2 | (unsigned)((pte >> 4) & 1) << 1 | (unsigned)((pte >> 3) & 1);
	unsigned type = (unsigned)((PT_X86_PAT >> (8 * idx)) & 0xff);
	switch (type) {
	case 0:
		return PT_DEVICE;   /* UC */
	case 7:
		return PT_UNCACHED; /* UC- */
	case 1:
		return PT_WC;
	default:
		return 0;           /* WB, WP, WT: normal */
	}
}

/* What an x86 leaf decodes to (flags). */
static uint32_t x86_dec_flags(bool huge, uint64_t pte)
{
	uint32_t fl = PT_READ | x86_memtype(huge, pte);
	if (pte & B(1))
		fl |= PT_WRITE;
	if (pte & B(2))
		fl |= PT_USER;
	if (!(pte & B(63)))
		fl |= PT_EXECUTE;
	if (pte & B(8))
		fl |= PT_GLOBAL;
	if (pte & B(9))
		fl |= PT_SW0;
	if (pte & B(10))
		fl |= PT_SW1;
	return fl;
}

/* AArch64 stage 1, 4K granule. EL1&0: nG(11) = !GLOBAL, AF(10) = 1; WRITE:
 * DBM(51) = 1, AP[2](7) = !DIRTY = 0 (a new writable leaf is dirty); not
 * WRITE: DBM = 0, AP[2] = 1, software dirty bit 55 = 0 (a new read-only
 * leaf is clean). SW0 bit 56, SW1 bit 57. EL2: AP[6] RES1, XN(54) =
 * !EXECUTE, no PXN, bit 11 written 0. */
static uint64_t want_a64(unsigned feat, unsigned level, uint64_t pa, uint32_t fl)
{
	/* FEAT_LPA2: OA[51:50] in bits 9:8, no shareability field. */
	const bool lpa2 = feat & PT_FEAT_AARCH64_PA52;
	const uint64_t sh = lpa2 ? 0 : 3u << 8;
	uint64_t e = B(0) | B(10) | (lpa2 ? (pa & (B(50) - 1)) | (pa >> 50) << 8 : pa);
	if (level == 3)
		e |= B(1);
	if (fl & PT_DEVICE)
		e |= 0u << 2; /* AttrIndx 0, SH 00 */
	else if (fl & PT_UNCACHED)
		e |= 2u << 2 | sh;
	else
		e |= 1u << 2 | sh;
	if (fl & PT_WRITE)
		e |= B(51); /* DBM, AP[2] = 0: writable and dirty */
	else
		e |= B(7);  /* AP[2] = 1, DBM = 0, bit 55 = 0: clean */
	if (fl & PT_SW0)
		e |= B(56);
	if (fl & PT_SW1)
		e |= B(57);
	if (feat & PT_FEAT_AARCH64_EL2) {
		e |= B(6);
		if (!(fl & PT_EXECUTE))
			e |= B(54);
		return e;
	}
	if (!(fl & PT_GLOBAL))
		e |= B(11);
	if (fl & PT_USER) {
		e |= B(6) | B(53);
		if (!(fl & PT_EXECUTE))
			e |= B(54);
	} else {
		e |= B(54);
		if (!(fl & PT_EXECUTE))
			e |= B(53);
	}
	return e;
}

/* AArch64 stage 2 (Arm ARM, FWB off): valid 0, page 1 (level 3), MemAttr
 * 5:2 (Normal WB 0b1111, Device-nGnRE 0b0001 with SH 00, Normal NC 0b0101),
 * S2AP read 6 (always: READ is required), write 7, SH 9:8 = 11, AF 10,
 * DBM 51 for WRITE (a new writable leaf is dirty: S2AP[1] set), XN 54
 * without EXECUTE, SW0 56, SW1 57; no USER, no GLOBAL. */
static uint64_t want_s2(unsigned level, uint64_t pa, uint32_t fl)
{
	uint64_t e = B(0) | B(6) | B(10) | pa;
	if (level == 3)
		e |= B(1);
	if (fl & PT_DEVICE)
		e |= UINT64_C(1) << 2;
	else if (fl & PT_UNCACHED)
		e |= UINT64_C(5) << 2 | 3u << 8;
	else
		e |= UINT64_C(15) << 2 | 3u << 8;
	if (fl & PT_WRITE)
		e |= B(51) | B(7);
	if (!(fl & PT_EXECUTE))
		e |= B(54);
	if (fl & PT_SW0)
		e |= B(56);
	if (fl & PT_SW1)
		e |= B(57);
	return e;
}

/* The flags a stage-2 leaf decodes to: READ from S2AP[0], WRITE from
 * S2AP[1] or DBM, EXECUTE where EL1 may execute (XN 0b00 or 0b11), the
 * memory type from MemAttr (0b00xx Device, 0b0101 Normal NC). */
static uint32_t s2_dec_flags(uint64_t pte)
{
	const unsigned m = (unsigned)(pte >> 2) & 15;
	uint32_t f = ((pte & B(6)) ? PT_READ : 0) | ((pte & (B(7) | B(51))) ? PT_WRITE : 0) |
		     (!(pte & B(54)) == !(pte & B(53)) ? PT_EXECUTE : 0) |
		     ((pte & B(56)) ? PT_SW0 : 0) | ((pte & B(57)) ? PT_SW1 : 0);
	if (!(m >> 2))
		f |= PT_DEVICE;
	else if (m == 5)
		f |= PT_UNCACHED;
	return f;
}

/* RISC-V: V R W X U G(5) A(6) D(7), RSW 8, 9 = SW0, SW1. */
static uint64_t want_rv(unsigned feat, uint64_t pa, uint32_t fl)
{
	uint64_t e = B(0) | B(6) | (pa >> 12) << 10;
	if (fl & PT_READ)
		e |= B(1);
	if (fl & PT_WRITE)
		e |= B(2) | B(7);
	if (fl & PT_EXECUTE)
		e |= B(3);
	if (fl & PT_USER)
		e |= B(4);
	if (fl & PT_GLOBAL)
		e |= B(5);
	if (fl & PT_SW0)
		e |= B(8);
	if (fl & PT_SW1)
		e |= B(9);
	if (feat & PT_FEAT_RISCV_SVPBMT) {
		if (fl & PT_DEVICE)
			e |= UINT64_C(2) << 61;
		else if (fl & PT_UNCACHED)
			e |= UINT64_C(1) << 61;
	}
	if (feat & PT_FEAT_RISCV_XUANTIE) {
		if (fl & PT_DEVICE)
			e |= B(63) | B(60);
		else if (fl & PT_UNCACHED)
			e |= B(61) | B(60);
		else
			e |= B(62) | B(61) | B(60);
	}
	return e;
}

/* RISC-V G-stage: as stage 1, with U(4) in every leaf and never G(5). */
static uint64_t want_rvg(uint64_t pa, uint32_t fl)
{
	return want_rv(0, pa, fl & ~PT_GLOBAL) | B(4);
}

/* EPT (Intel SDM vol. 3C, EPT entry formats): R(0) W(1) X(2), memory type
 * 5:3 (UC 0 = DEVICE, WC 1, WB 6), IPAT(6) = 0, bit 7 in a 2M/1G leaf, with
 * A/D flags A(8) = 1 and D(9) = 1 when writable, SW0 52, SW1 53. */
static uint64_t want_ept(unsigned feat, unsigned level, unsigned levels, uint64_t pa, uint32_t fl)
{
	uint64_t e = pa | B(0);
	if (fl & PT_WRITE)
		e |= B(1);
	if (fl & PT_EXECUTE)
		e |= B(2);
	if (fl & PT_DEVICE)
		e |= UINT64_C(0) << 3;
	else if (fl & PT_WC)
		e |= UINT64_C(1) << 3;
	else
		e |= UINT64_C(6) << 3;
	if (level != levels - 1)
		e |= B(7);
	if (feat & PT_FEAT_EPT_AD)
		e |= B(8) | ((fl & PT_WRITE) ? B(9) : 0);
	if (fl & PT_SW0)
		e |= B(52);
	if (fl & PT_SW1)
		e |= B(53);
	return e;
}

/* LoongArch: V(0) = ACCESSED = 1; D(1) = DIRTY = 1 on a new writable leaf,
 * 0 without WRITE (bit 9, the read-only leaf's dirty state, is 0 in a new
 * leaf); PLV 3:2; MAT 5:4; H(6) in a huge leaf; P(7); W(8); SW0 10, SW1
 * 11; G bit 6 in a 4K leaf, bit 12 in a huge one; NR(61), NX(62). */
static uint64_t want_la(unsigned level, uint64_t pa, uint32_t fl)
{
	uint64_t e = B(0) | B(7) | pa;
	if (fl & PT_WRITE)
		e |= B(1) | B(8);
	if (fl & PT_USER)
		e |= 3u << 2;
	if (fl & PT_DEVICE)
		e |= 0u << 4;
	else if (fl & PT_UNCACHED)
		e |= 2u << 4;
	else
		e |= 1u << 4;
	if (level != 3)
		e |= B(6);
	if (fl & PT_GLOBAL)
		e |= level != 3 ? B(12) : B(6);
	if (fl & PT_SW0)
		e |= B(10);
	if (fl & PT_SW1)
		e |= B(11);
	if (!(fl & PT_READ))
		e |= B(61);
	if (!(fl & PT_EXECUTE))
		e |= B(62);
	return e;
}

/* ARMv7 short descriptors; nG = !GLOBAL (section bit 17, small page bit
 * 11); no access or dirty bits are written. */
static uint64_t want_v7(unsigned level, uint64_t pa, uint32_t fl)
{
	uint64_t tex, c, b, s, ap, xn = !(fl & PT_EXECUTE), ng = !(fl & PT_GLOBAL);
	if (fl & PT_DEVICE)
		tex = 0, c = 0, b = 1, s = 0;
	else if (fl & PT_UNCACHED)
		tex = 1, c = 0, b = 0, s = 1;
	else
		tex = 1, c = 1, b = 1, s = 1;
	if (fl & PT_USER)
		ap = (fl & PT_WRITE) ? 3 : 7; /* 011 / 111 */
	else
		ap = (fl & PT_WRITE) ? 1 : 5; /* 001 / 101 */
	if (level == 0) /* section */
		return 2 | b << 2 | c << 3 | xn << 4 | (ap & 3) << 10 | tex << 12 | (ap >> 2) << 15 |
		       s << 16 | ng << 17 | pa;
	return 2 | xn | b << 2 | c << 3 | (ap & 3) << 4 | tex << 6 | (ap >> 2) << 9 | s << 10 |
	       ng << 11 | pa;
}

static uint64_t want_page(const struct fmt *f, unsigned level, uint64_t pa, uint32_t fl)
{
	uint32_t n = want_norm(f->arch, f->feat, fl);
	switch (f->arch) {
	case PT_X86_64:
	case PT_X86_64_LA57:
		return want_x86(level, f->levels, pa, n);
	case PT_AARCH64:
	case PT_AARCH64_16K:
	case PT_AARCH64_64K:
		/* want_a64 takes the Arm level: a 64K table has no level 0.
		 * 64K with FEAT_LPA keeps its shareability field and holds
		 * OA[51:48] in bits 15:12. */
		if (f->arch == PT_AARCH64_64K && (f->feat & PT_FEAT_AARCH64_PA52))
			return want_a64(f->feat & ~PT_FEAT_AARCH64_PA52, level + 1,
					(pa & (B(48) - 1)) | (pa >> 48) << 12, n);
		return want_a64(f->feat, level + (f->arch == PT_AARCH64_64K), pa, n);
	case PT_RISCV_SV39:
	case PT_RISCV_SV48:
	case PT_RISCV_SV57:
		return want_rv(f->feat, pa, n);
	case PT_LOONGARCH64:
		return want_la(level, pa, n);
	case PT_ARMV7:
		return want_v7(level, pa, n);
	case PT_X86_64_EPT:
	case PT_X86_64_EPT5:
		return want_ept(f->feat, level, f->levels, pa, n);
	case PT_RISCV_SV39X4:
	case PT_RISCV_SV48X4:
	case PT_RISCV_SV57X4:
		return want_rvg(pa, n);
	case PT_AARCH64_S2:
		return want_s2(level, pa, n);
	default:
		return 0;
	}
}

/* For any leaf the decoder accepts: the access state §7 reads from the raw
 * bits, and the GLOBAL/SW0/SW1 part of the flags (*extra). */
static uint32_t want_raw_state(const struct fmt *f, unsigned level, uint64_t pte, uint32_t flags,
			       uint32_t *extra)
{
	uint32_t st = 0, x = 0;
	switch (f->arch) {
	case PT_X86_64:
	case PT_X86_64_LA57:
		st = ((pte & B(5)) ? PT_ACCESSED : 0) | ((pte & B(6)) ? PT_DIRTY : 0);
		x = ((pte & B(8)) ? PT_GLOBAL : 0) | ((pte & B(9)) ? PT_SW0 : 0) |
		    ((pte & B(10)) ? PT_SW1 : 0);
		break;
	case PT_AARCH64:
	case PT_AARCH64_16K:
	case PT_AARCH64_64K:
		/* DIRTY: writable with AP[2] = 0, or the software dirty bit 55. */
		st = ((pte & B(10)) ? PT_ACCESSED : 0) |
		     (!(pte & B(7)) || (pte & B(55)) ? PT_DIRTY : 0);
		x = ((pte & B(56)) ? PT_SW0 : 0) | ((pte & B(57)) ? PT_SW1 : 0);
		if (!(f->feat & PT_FEAT_AARCH64_EL2) && !(pte & B(11)))
			x |= PT_GLOBAL;
		break;
	case PT_RISCV_SV39:
	case PT_RISCV_SV48:
	case PT_RISCV_SV57:
		st = ((pte & B(6)) ? PT_ACCESSED : 0) | ((pte & B(7)) ? PT_DIRTY : 0);
		x = ((pte & B(5)) ? PT_GLOBAL : 0) | ((pte & B(8)) ? PT_SW0 : 0) |
		    ((pte & B(9)) ? PT_SW1 : 0);
		break;
	case PT_LOONGARCH64:
		/* ACCESSED is V; DIRTY is D or bit 9. */
		st = ((pte & B(0)) ? PT_ACCESSED : 0) | ((pte & (B(1) | B(9))) ? PT_DIRTY : 0);
		x = ((pte & (level == 3 ? B(6) : B(12))) ? PT_GLOBAL : 0) |
		    ((pte & B(10)) ? PT_SW0 : 0) | ((pte & B(11)) ? PT_SW1 : 0);
		break;
	case PT_ARMV7:
		st = PT_ACCESSED | ((flags & PT_WRITE) ? PT_DIRTY : 0);
		x = (pte & (level == 0 ? B(17) : B(11))) ? 0 : PT_GLOBAL;
		break;
	case PT_X86_64_EPT:
	case PT_X86_64_EPT5:
		/* Without A/D flags bits 8 and 9 are ignored: no state kept. */
		if (f->feat & PT_FEAT_EPT_AD)
			st = ((pte & B(8)) ? PT_ACCESSED : 0) | ((pte & B(9)) ? PT_DIRTY : 0);
		else
			st = PT_ACCESSED | ((pte & B(1)) ? PT_DIRTY : 0);
		x = ((pte & B(52)) ? PT_SW0 : 0) | ((pte & B(53)) ? PT_SW1 : 0);
		break;
	case PT_RISCV_SV39X4:
	case PT_RISCV_SV48X4:
	case PT_RISCV_SV57X4: /* G is not used by G-stage */
		st = ((pte & B(6)) ? PT_ACCESSED : 0) | ((pte & B(7)) ? PT_DIRTY : 0);
		x = ((pte & B(8)) ? PT_SW0 : 0) | ((pte & B(9)) ? PT_SW1 : 0);
		break;
	case PT_AARCH64_S2:
		/* DIRTY: S2AP[1] (written by the MMU with HD), or bit 55. */
		st = ((pte & B(10)) ? PT_ACCESSED : 0) | ((pte & (B(7) | B(55))) ? PT_DIRTY : 0);
		x = ((pte & B(56)) ? PT_SW0 : 0) | ((pte & B(57)) ? PT_SW1 : 0);
		break;
	default:
		break;
	}
	*extra = x;
	return st;
}

static uint64_t want_table(const struct fmt *f, uint64_t pa)
{
	switch (f->arch) {
	case PT_X86_64:
	case PT_X86_64_LA57:
		return pa | 7; /* P|RW|US */
	case PT_X86_64_EPT:
	case PT_X86_64_EPT5:
		return pa | 7; /* R|W|X */
	case PT_AARCH64:
	case PT_AARCH64_16K:
	case PT_AARCH64_64K:
	case PT_AARCH64_S2:
		return pa | 3;
	case PT_LOONGARCH64:
		return pa;
	case PT_ARMV7:
		return pa | 1;
	default:
		return 1 | (pa >> 12) << 10;
	}
}

/* Every conformance variant: the engine formats plus AArch64 EL2 on the
 * high half is not allowed, so FMTS already lists every legal variant of
 * every family except RISC-V Sv48/Sv57 with features. */
static const struct fmt EXTRA[] = {
	{ "riscv_sv48_svpbmt", PT_RISCV_SV48, PT_FEAT_RISCV_SVPBMT, 4, 48, 56, 0xf, 0 },
	{ "riscv_sv48_xuantie", PT_RISCV_SV48, PT_FEAT_RISCV_XUANTIE, 4, 48, 56, 0xf, 0 },
	{ "riscv_sv57_svpbmt", PT_RISCV_SV57, PT_FEAT_RISCV_SVPBMT, 5, 57, 56, 0x1f, 0 },
	{ "riscv_sv57_xuantie", PT_RISCV_SV57, PT_FEAT_RISCV_XUANTIE, 5, 57, 56, 0x1f, 0 },
	{ "x86_64_ept5_ad", PT_X86_64_EPT5, PT_FEAT_EPT_AD, 5, 57, 52, 0x1c, 0 },
};

/* PAs to try at a level: low, high (top valid aligned PA), and a pattern. */
static void pas_for(const struct fmt *f, unsigned level, uint64_t out[3])
{
	uint64_t span = fmt_span(f, level);
	uint64_t top = (f->pa_bits == 64 ? UINT64_MAX : (B(f->pa_bits) - 1)) & ~(span - 1);
	out[0] = span;
	out[1] = top;
	out[2] = (UINT64_C(0x5a5a5a5a5a5a5a5a) & (B(f->pa_bits) - 1)) & ~(span - 1);
	if (out[2] == 0)
		out[2] = span * 3;
}

static void leaf_table(const struct fmt *f)
{
	for (unsigned level = 0; level < f->levels; level++) {
		bool leaf_ok = (f->leaf_mask >> level) & 1;
		uint64_t pas[3];
		pas_for(f, level, pas);
		for (int p = 0; p < 3; p++) {
			/* Every combination of the ten flag bits. */
			for (uint32_t fl = 0; fl <= PT_FLAGS_ALL; fl++) {
				uint64_t pa = pas[p];
				uint64_t pte = pt_pte_page(f->arch, f->feat, level, pa, fl);
				uint32_t n = want_norm(f->arch, f->feat, fl), extra;
				struct pt_entry e;
				CTX("%s level %u pa %#llx flags %#x", f->name, level,
				    (unsigned long long)pa, fl);
				if (!want_valid(f->arch, fl) || !leaf_ok) {
					CHECK_EQ(pte, 0);
					continue;
				}
				if (!CHECK_EQ(pte, want_page(f, level, pa, fl)))
					continue;
				memset(&e, 0xee, sizeof(e));
				if (!CHECK_EQ(pt_pte_decode(f->arch, f->feat, level, pte, &e), PT_OK))
					continue;
				CHECK(e.leaf);
				CHECK_EQ(e.level, level);
				CHECK_EQ(e.pte, pte);
				CHECK_EQ(e.pa, pa);
				CHECK_EQ(e.size, fmt_span(f, level));
				CHECK_EQ(e.flags, pt_flags_normalize(f->arch, f->feat, fl));
				CHECK_EQ(e.flags, n);
				/* A new leaf: accessed, dirty when writable. */
				CHECK_EQ(e.state, want_fresh(n));
				/* The raw-bit reading of state and G/SW agrees. */
				CHECK_EQ(e.state, want_raw_state(f, level, pte, e.flags, &extra));
				CHECK_EQ(e.flags & (PT_GLOBAL | SWBITS), extra);
				/* The entry is not something else at the other levels'
				 * meaning of "table": re-encoding gives it back. */
				CHECK_EQ(pt_pte_page(f->arch, f->feat, level, e.pa, e.flags), pte);
			}
			/* Unknown flag bits are rejected even with READ; access
			 * state is not a mapping flag. */
			CHECK_EQ(pt_pte_page(f->arch, f->feat, level, pas[p], PT_READ | 0x400), 0);
			CHECK_EQ(pt_pte_page(f->arch, f->feat, level, pas[p], PT_READ | PT_ACCESSED), 0);
			CHECK_EQ(pt_pte_page(f->arch, f->feat, level, pas[p], PT_READ | PT_WRITE | PT_DIRTY),
				 0);
			CHECK_EQ(pt_pte_page(f->arch, f->feat, level, pas[p], PT_READ | 0x80000000u), 0);
		}
		CTX("%s level %u", f->name, level);
		if (leaf_ok) {
			uint64_t span = fmt_span(f, level);
			/* Misaligned and too-wide PAs are invalid arguments. */
			if (span > PT_SIZE_4K)
				CHECK_EQ(pt_pte_page(f->arch, f->feat, level, span + PT_SIZE_4K, PT_READ), 0);
			CHECK_EQ(pt_pte_page(f->arch, f->feat, level, 0x800, PT_READ), 0);
			if (f->pa_bits < 64)
				CHECK_EQ(pt_pte_page(f->arch, f->feat, level, B(f->pa_bits), PT_READ), 0);
		}
	}
	CTX("%s", f->name);
	/* Level out of range. */
	CHECK_EQ(pt_pte_page(f->arch, f->feat, f->levels, 0x1000, PT_READ), 0);
}

static void table_entries(const struct fmt *f)
{
	struct pt_entry e;
	for (unsigned level = 0; level + 1 < f->levels; level++) {
		uint64_t align = (f->arch == PT_ARMV7) ? 1024 : fmt_page(f); /* a table: one granule */
		/* pt_pte_table has no features: the widest table it writes is
		 * below 2^48, where a 52-bit OA table entry is the same. */
		uint64_t top = B(f->feat & PT_FEAT_AARCH64_PA52 ? 48 : f->pa_bits);
		uint64_t pas[3] = { align, (top - 1) & ~(align - 1), 0x12345000 & ~(align - 1) };
		if (f->arch == PT_ARMV7)
			pas[2] = 0x12345c00;
		for (int p = 0; p < 3; p++) {
			uint64_t pte = pt_pte_table(f->arch, level, pas[p]);
			CTX("%s table level %u pa %#llx", f->name, level, (unsigned long long)pas[p]);
			if (!CHECK_EQ(pte, want_table(f, pas[p])))
				continue;
			memset(&e, 0, sizeof(e));
			if (!CHECK_EQ(pt_pte_decode(f->arch, f->feat, level, pte, &e), PT_OK))
				continue;
			CHECK(!e.leaf);
			CHECK_EQ(e.pa, pas[p]);
			CHECK_EQ(e.size, fmt_span(f, level));
			CHECK_EQ(e.flags, 0);
		}
		CTX("%s table level %u", f->name, level);
		CHECK_EQ(pt_pte_table(f->arch, level, align / 2), 0);   /* misaligned */
		CHECK_EQ(pt_pte_table(f->arch, level, top), 0); /* too wide */
	}
	CTX("%s", f->name);
	/* The last level holds no table pointers. */
	CHECK_EQ(pt_pte_table(f->arch, f->levels - 1, 0x1000), 0);
	/* Empty entries at every level. */
	for (unsigned level = 0; level < f->levels; level++)
		CHECK_EQ(pt_pte_decode(f->arch, f->feat, level, 0, &e), PT_ERR_NOT_MAPPED);
	CHECK_EQ(pt_pte_decode(f->arch, f->feat, f->levels, 0, &e), PT_ERR_INVALID);
	CHECK_EQ(pt_pte_decode(f->arch, f->feat, 0, 0, NULL), PT_ERR_INVALID);
}

/* Random raw values: the decoder answers one of the three kinds, and what it
 * calls a leaf is self-consistent. */
static void random_decode(const struct fmt *f, uint64_t seed)
{
	uint64_t s = seed;
	unsigned long bad = 0, state_bad = 0, checked = 0;
	for (int i = 0; i < 20000; i++) {
		unsigned level = (unsigned)(rng_next(&s) % f->levels);
		uint64_t pte = rng_next(&s);
		struct pt_entry e;
		int r;
		if (f->arch == PT_ARMV7)
			pte &= 0xffffffffu;
		if (i & 1)
			pte &= rng_next(&s); /* sparser values reach more kinds */
		r = pt_pte_decode(f->arch, f->feat, level, pte, &e);
		if (r != PT_OK && r != PT_ERR_NOT_MAPPED && r != PT_ERR_CORRUPT) {
			bad++;
			continue;
		}
		if (r != PT_OK)
			continue;
		checked++;
		if (e.leaf) {
			/* A Svnapot leaf (N set, RISC-V but XuanTie, last level)
			 * stands for its 64 KiB run. */
			const bool napot = (fmt_is_riscv(f->arch) || fmt_is_gstage(f->arch)) &&
					   !(f->feat & PT_FEAT_RISCV_XUANTIE) &&
					   level == f->levels - 1 && (pte >> 63);
			if (!((f->leaf_mask >> level) & 1) || (e.pa & (e.size - 1)) ||
			    e.size != (napot ? 0x10000 : fmt_span(f, level)) || (e.pa >> f->pa_bits) ||
			    (e.flags & ~PT_FLAGS_ALL) ||
			    e.flags != want_norm(f->arch, f->feat, e.flags))
				bad++;
			else {
				uint32_t extra, st = want_raw_state(f, level, pte, e.flags, &extra);
				if (e.state != st || (e.flags & (PT_GLOBAL | SWBITS)) != extra) {
					if (state_bad++ < 5)
						printf("  %s level %u pte %#llx: flags %#x state %#x, "
						       "want G/SW %#x state %#x\n",
						       f->name, level, (unsigned long long)pte, e.flags,
						       e.state, extra, st);
				}
				if (f->arch == PT_AARCH64_S2 && e.flags != s2_dec_flags(pte)) {
					if (state_bad++ < 5)
						printf("  %s level %u pte %#llx: flags %#x, want %#x\n",
						       f->name, level, (unsigned long long)pte, e.flags,
						       s2_dec_flags(pte));
				}
				if (is_x86(f->arch) &&
				    e.flags != x86_dec_flags(level != f->levels - 1, pte)) {
					if (state_bad++ < 5)
						printf("  %s level %u pte %#llx: flags %#x, want %#x\n",
						       f->name, level, (unsigned long long)pte, e.flags,
						       x86_dec_flags(level != f->levels - 1, pte));
				}
			}
		} else if (level + 1 >= f->levels || e.flags != 0 || (e.pa >> f->pa_bits)) {
			bad++;
		}
	}
	CTX("%s random decode", f->name);
	CHECK_EQ(bad, 0);
	CHECK_EQ(state_bad, 0);
	CHECK(checked > 0);
}

/* Decode one hand-written leaf and compare flags, state and PA. */
static void normalize(void)
{
	static const struct fmt V[] = {
		{ "", PT_X86_64, 0, 0, 0, 0, 0, 0 },
		{ "", PT_X86_64_LA57, 0, 0, 0, 0, 0, 0 },
		{ "", PT_AARCH64, 0, 0, 0, 0, 0, 0 },
		{ "", PT_AARCH64, PT_FEAT_AARCH64_EL2, 0, 0, 0, 0, 0 },
		{ "", PT_AARCH64, PT_FEAT_AARCH64_HIGH, 0, 0, 0, 0, 0 },
		{ "", PT_RISCV_SV39, 0, 0, 0, 0, 0, 0 },
		{ "", PT_RISCV_SV48, PT_FEAT_RISCV_SVPBMT, 0, 0, 0, 0, 0 },
		{ "", PT_RISCV_SV57, PT_FEAT_RISCV_XUANTIE, 0, 0, 0, 0, 0 },
		{ "", PT_LOONGARCH64, 0, 0, 0, 0, 0, 0 },
		{ "", PT_ARMV7, 0, 0, 0, 0, 0, 0 },
		{ "", PT_X86_64_EPT, 0, 0, 0, 0, 0, 0 },
		{ "", PT_X86_64_EPT5, PT_FEAT_EPT_AD, 0, 0, 0, 0, 0 },
		{ "", PT_RISCV_SV39X4, 0, 0, 0, 0, 0, 0 },
		{ "", PT_RISCV_SV57X4, 0, 0, 0, 0, 0, 0 },
	};
	for (size_t i = 0; i < sizeof(V) / sizeof(V[0]); i++)
		for (uint32_t fl = 0; fl <= PT_FLAGS_ALL; fl++) {
			CTX("arch %d feat %#x flags %#x", V[i].arch, V[i].feat, fl);
			CHECK_EQ(pt_flags_normalize(V[i].arch, V[i].feat, fl),
				 want_norm(V[i].arch, V[i].feat, fl));
		}
	CTX_CLEAR();
	CHECK_EQ(pt_flags_normalize(PT_X86_64, 0, PT_READ | PT_DEVICE | PT_UNCACHED),
		 PT_READ | PT_DEVICE);
	CHECK_EQ(pt_flags_normalize(PT_RISCV_SV39, 0, PT_READ | PT_DEVICE), PT_READ);
	CHECK_EQ(pt_flags_normalize(PT_RISCV_SV39, PT_FEAT_RISCV_SVPBMT, PT_READ | PT_UNCACHED),
		 PT_READ | PT_UNCACHED);
	CHECK_EQ(pt_flags_normalize(PT_AARCH64, PT_FEAT_AARCH64_EL2, PT_READ | PT_USER), PT_READ);
	CHECK_EQ(pt_flags_normalize(PT_AARCH64, 0, PT_READ | PT_USER), PT_READ | PT_USER);
	CHECK_EQ(pt_flags_normalize(PT_X86_64, 0, PT_READ | PT_WC), PT_READ | PT_WC);
	CHECK_EQ(pt_flags_normalize(PT_X86_64_LA57, 0, PT_READ | PT_WC | PT_UNCACHED),
		 PT_READ | PT_UNCACHED);
	CHECK_EQ(pt_flags_normalize(PT_X86_64, 0, PT_READ | PT_WC | PT_DEVICE), PT_READ | PT_DEVICE);
	CHECK_EQ(pt_flags_normalize(PT_AARCH64, 0, PT_READ | PT_WC), PT_READ | PT_UNCACHED);
	CHECK_EQ(pt_flags_normalize(PT_AARCH64, 0, PT_READ | PT_WC | PT_DEVICE), PT_READ | PT_DEVICE);
	CHECK_EQ(pt_flags_normalize(PT_LOONGARCH64, 0, PT_READ | PT_WC), PT_READ | PT_UNCACHED);
	CHECK_EQ(pt_flags_normalize(PT_ARMV7, 0, PT_READ | PT_WC | PT_GLOBAL),
		 PT_READ | PT_UNCACHED | PT_GLOBAL);
	CHECK_EQ(pt_flags_normalize(PT_RISCV_SV39, 0, PT_READ | PT_WC), PT_READ);
	CHECK_EQ(pt_flags_normalize(PT_RISCV_SV39, PT_FEAT_RISCV_SVPBMT, PT_READ | PT_WC),
		 PT_READ | PT_UNCACHED);
	CHECK_EQ(pt_flags_normalize(PT_RISCV_SV48, PT_FEAT_RISCV_XUANTIE, PT_READ | PT_WC),
		 PT_READ | PT_UNCACHED);
	CHECK_EQ(pt_flags_normalize(PT_AARCH64, PT_FEAT_AARCH64_EL2,
				    PT_READ | PT_USER | PT_GLOBAL | PT_SW0 | PT_SW1),
		 PT_READ | PT_SW0 | PT_SW1);
	CHECK_EQ(pt_flags_normalize(PT_AARCH64, PT_FEAT_AARCH64_HIGH, PT_READ | PT_USER | PT_GLOBAL),
		 PT_READ | PT_USER | PT_GLOBAL);
	CHECK_EQ(pt_flags_normalize(PT_RISCV_SV57, 0, PT_READ | PT_GLOBAL | PT_SW1),
		 PT_READ | PT_GLOBAL | PT_SW1);
	CHECK_EQ(pt_flags_normalize(PT_ARMV7, 0, PT_READ | PT_SW0 | PT_SW1), PT_READ);
	/* Stage 2: EPT keeps WC, writes UNCACHED as UC (DEVICE); neither
	 * keeps USER or GLOBAL; G-stage has no memory types. */
	CHECK_EQ(pt_flags_normalize(PT_X86_64_EPT, 0, PT_READ | PT_WC), PT_READ | PT_WC);
	CHECK_EQ(pt_flags_normalize(PT_X86_64_EPT, 0, PT_READ | PT_UNCACHED), PT_READ | PT_DEVICE);
	CHECK_EQ(pt_flags_normalize(PT_X86_64_EPT5, 0, PT_READ | PT_UNCACHED | PT_WC),
		 PT_READ | PT_DEVICE);
	CHECK_EQ(pt_flags_normalize(PT_X86_64_EPT, PT_FEAT_EPT_AD,
				    PT_READ | PT_USER | PT_GLOBAL | PT_SW0 | PT_SW1),
		 PT_READ | PT_SW0 | PT_SW1);
	CHECK_EQ(pt_flags_normalize(PT_RISCV_SV48X4, 0,
				    PT_READ | PT_USER | PT_GLOBAL | PT_DEVICE | PT_EXECUTE | PT_SW1),
		 PT_READ | PT_EXECUTE | PT_SW1);
}

int main(void)
{
	static const struct {
		const char *group;
		enum pt_arch a;
	} FAM[] = {
		{ "pte x86_64", PT_X86_64 },      { "pte x86_64_la57", PT_X86_64_LA57 },
		{ "pte aarch64", PT_AARCH64 },    { "pte riscv_sv39", PT_RISCV_SV39 },
		{ "pte riscv_sv48", PT_RISCV_SV48 }, { "pte riscv_sv57", PT_RISCV_SV57 },
		{ "pte loongarch64", PT_LOONGARCH64 }, { "pte armv7", PT_ARMV7 },
		{ "pte x86_64_ept", PT_X86_64_EPT }, { "pte x86_64_ept5", PT_X86_64_EPT5 },
		{ "pte riscv_sv39x4", PT_RISCV_SV39X4 }, { "pte riscv_sv48x4", PT_RISCV_SV48X4 },
		{ "pte riscv_sv57x4", PT_RISCV_SV57X4 },
		{ "pte aarch64_s2", PT_AARCH64_S2 },
		{ "pte aarch64_16k", PT_AARCH64_16K }, { "pte aarch64_64k", PT_AARCH64_64K },
	};
	for (size_t i = 0; i < sizeof(FAM) / sizeof(FAM[0]); i++) {
		group_begin(FAM[i].group);
		for (size_t j = 0; j < NALL_FMTS + sizeof(EXTRA) / sizeof(EXTRA[0]); j++) {
			const struct fmt *f = j < NALL_FMTS ? fmt_nth(j) : &EXTRA[j - NALL_FMTS];
			if (f->arch != FAM[i].a)
				continue;
			/* The entry helpers number a stage 2's levels, and an
			 * AArch64 stage 1's, as the format's widest table
			 * does: that row alone. */
			if ((f->arch == PT_AARCH64_S2 || fmt_is_a64(f->arch)) && f->va_bits != 48)
				continue;
			leaf_table(f);
			table_entries(f);
			random_decode(f, 0x9e3779b97f4a7c15ull + j);
		}
		group_end();
	}
	group_begin("pte flags normalize");
	normalize();
	group_end();
	return check_status();
}
