/* SPDX-License-Identifier: MIT */
/*
 * Conformance tables, one group per architecture family: every flag
 * combination x every leaf level x every feature variant is encoded with
 * pt_pte_page and decoded with pt_pte_decode, and the raw entry is compared
 * with an expected value computed here independently from the encodings the contract states. Plus
 * table entries, empty and reserved encodings, flag normalisation, format
 * metadata, VA/PA validity edges, satp and the MAIR constant.
 */
#include <stdlib.h>

#include "check.h"
#include "fmt.h"

#define B(n) (UINT64_C(1) << (n))

/* ---- The encodings, written out independently -------------------------- */

/* Normalisation: DEVICE clears UNCACHED; RISC-V without a memory-type
 * feature drops both; AArch64 EL2 drops USER. */
static uint32_t want_norm(enum pt_arch a, unsigned feat, uint32_t fl)
{
	if (fl & PT_DEVICE)
		fl &= ~PT_UNCACHED;
	if (fmt_is_riscv(a) && !(feat & (PT_FEAT_RISCV_SVPBMT | PT_FEAT_RISCV_XUANTIE)))
		fl &= ~(PT_DEVICE | PT_UNCACHED);
	if (a == PT_AARCH64 && (feat & PT_FEAT_AARCH64_EL2))
		fl &= ~PT_USER;
	return fl;
}

static uint64_t want_x86(unsigned level, unsigned levels, uint64_t pa, uint32_t fl)
{
	uint64_t e = B(0) | pa;
	if (fl & PT_WRITE)
		e |= B(1);
	if (fl & PT_USER)
		e |= B(2);
	if (fl & PT_DEVICE)
		e |= B(4) | B(3);
	else if (fl & PT_UNCACHED)
		e |= B(4);
	if (!(fl & PT_EXECUTE))
		e |= B(63);
	if (level != levels - 1)
		e |= B(7);
	return e;
}

static uint64_t want_a64(unsigned feat, unsigned level, uint64_t pa, uint32_t fl)
{
	uint64_t e = B(0) | B(10) | pa;
	if (level == 3)
		e |= B(1);
	if (fl & PT_DEVICE)
		e |= 0u << 2; /* AttrIndx 0, SH 00 */
	else if (fl & PT_UNCACHED)
		e |= 2u << 2 | 3u << 8;
	else
		e |= 1u << 2 | 3u << 8;
	if (!(fl & PT_WRITE))
		e |= B(7);
	if (feat & PT_FEAT_AARCH64_EL2) {
		e |= B(6);
		if (!(fl & PT_EXECUTE))
			e |= B(54);
	} else if (fl & PT_USER) {
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

static uint64_t want_rv(unsigned feat, uint64_t pa, uint32_t fl)
{
	uint64_t e = B(0) | B(6) | B(7) | (pa >> 12) << 10;
	if (fl & PT_READ)
		e |= B(1);
	if (fl & PT_WRITE)
		e |= B(2);
	if (fl & PT_EXECUTE)
		e |= B(3);
	if (fl & PT_USER)
		e |= B(4);
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
	if (!(fl & PT_READ))
		e |= B(61);
	if (!(fl & PT_EXECUTE))
		e |= B(62);
	return e;
}

static uint64_t want_v7(unsigned level, uint64_t pa, uint32_t fl)
{
	uint64_t tex, c, b, s, ap, xn = !(fl & PT_EXECUTE);
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
		       s << 16 | pa;
	return 2 | xn | b << 2 | c << 3 | (ap & 3) << 4 | tex << 6 | (ap >> 2) << 9 | s << 10 | pa;
}

static uint64_t want_page(const struct fmt *f, unsigned level, uint64_t pa, uint32_t fl)
{
	uint32_t n = want_norm(f->arch, f->feat, fl);
	switch (f->arch) {
	case PT_X86_64:
	case PT_X86_64_LA57:
		return want_x86(level, f->levels, pa, n);
	case PT_AARCH64:
		return want_a64(f->feat, level, pa, n);
	case PT_RISCV_SV39:
	case PT_RISCV_SV48:
	case PT_RISCV_SV57:
		return want_rv(f->feat, pa, n);
	case PT_LOONGARCH64:
		return want_la(level, pa, n);
	case PT_ARMV7:
		return want_v7(level, pa, n);
	default:
		return 0;
	}
}

static uint64_t want_table(const struct fmt *f, uint64_t pa)
{
	switch (f->arch) {
	case PT_X86_64:
	case PT_X86_64_LA57:
		return pa | 7; /* P|RW|US */
	case PT_AARCH64:
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
			for (uint32_t fl = 0; fl < 64; fl++) {
				uint64_t pa = pas[p];
				uint64_t pte = pt_pte_page(f->arch, f->feat, level, pa, fl);
				struct pt_entry e;
				CTX("%s level %u pa %#llx flags %#x", f->name, level,
				    (unsigned long long)pa, fl);
				if (!(fl & PT_READ) || !leaf_ok) {
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
				CHECK_EQ(e.flags, want_norm(f->arch, f->feat, fl));
				/* The entry is not something else at the other levels'
				 * meaning of "table": re-encoding gives it back. */
				CHECK_EQ(pt_pte_page(f->arch, f->feat, level, e.pa, e.flags), pte);
			}
			/* Unknown flag bits are rejected even with READ. */
			CHECK_EQ(pt_pte_page(f->arch, f->feat, level, pas[p], PT_READ | 0x40), 0);
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
		uint64_t align = (f->arch == PT_ARMV7) ? 1024 : 4096;
		uint64_t pas[3] = { align, (B(f->pa_bits) - 1) & ~(align - 1), 0x12345000 & ~(align - 1) };
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
		CHECK_EQ(pt_pte_table(f->arch, level, B(f->pa_bits)), 0); /* too wide */
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
	unsigned long bad = 0, checked = 0;
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
			if (!((f->leaf_mask >> level) & 1) || (e.pa & (e.size - 1)) ||
			    e.size != fmt_span(f, level) || !pt_pa_valid(f->arch, e.pa) ||
			    (e.flags & ~PT_FLAGS_ALL) ||
			    e.flags != want_norm(f->arch, f->feat, e.flags))
				bad++;
		} else if (level + 1 >= f->levels || e.flags != 0 || !pt_pa_valid(f->arch, e.pa)) {
			bad++;
		}
	}
	CTX("%s random decode", f->name);
	CHECK_EQ(bad, 0);
	CHECK(checked > 0);
}

struct reserved {
	enum pt_arch arch;
	unsigned feat, level;
	uint64_t pte;
	const char *what;
};

static const struct reserved RESERVED[] = {
	/* x86: PS in the root (PML4E, and PML5E/PML4E in LA57). */
	{ PT_X86_64, 0, 0, 0x1000 | 0x81, "x86 PS in PML4E" },
	{ PT_X86_64_LA57, 0, 0, 0x1000 | 0x81, "la57 PS in PML5E" },
	{ PT_X86_64_LA57, 0, 1, 0x1000 | 0x81, "la57 PS in PML4E" },
	/* x86: a huge leaf with address bits below its size (bit 12 is PAT). */
	{ PT_X86_64, 0, 2, 0x200000 | 0x2000 | 0x81, "x86 misaligned 2M" },
	/* AArch64: block at level 0, level-3 entry with bit 1 clear. */
	{ PT_AARCH64, 0, 0, 0x8000000000 | 0x401, "a64 block at level 0" },
	{ PT_AARCH64, PT_FEAT_AARCH64_HIGH, 0, 0x8000000000 | 0x401, "a64 high block at level 0" },
	{ PT_AARCH64, 0, 3, 0x1000 | 0x401, "a64 level-3 bit1=0" },
	{ PT_AARCH64, PT_FEAT_AARCH64_EL2, 3, 0x1000 | 0x401, "a64 el2 level-3 bit1=0" },
	/* RISC-V: W without R; misaligned superpages. */
	{ PT_RISCV_SV39, 0, 2, 0x1000 >> 2 | 0xc5, "rv W without R" },
	{ PT_RISCV_SV39, 0, 0, 0x1000 >> 2 | 0xc5, "rv W without R at root" },
	{ PT_RISCV_SV39, 0, 2, 0x1000 >> 2 | 0xcd, "rv WX without R" },
	{ PT_RISCV_SV48, 0, 2, 0x201000 >> 2 | 0xc3, "rv 2M superpage misaligned" },
	{ PT_RISCV_SV39, 0, 0, 0x40200000 >> 2 | 0xc3, "rv 1G superpage misaligned" },
	{ PT_RISCV_SV57, 0, 0, (B(48) + B(40)) >> 2 | 0xc3, "rv 256T superpage misaligned" },
	{ PT_RISCV_SV39, PT_FEAT_RISCV_SVPBMT, 2, 0x1000 >> 2 | 0xc3 | UINT64_C(3) << 61,
	  "rv PBMT=3 reserved" },
	/* LoongArch: MAT=3. */
	{ PT_LOONGARCH64, 0, 3, 0x1000 | 0x83 | 0x30, "la MAT=3" },
	{ PT_LOONGARCH64, 0, 2, 0x200000 | 0xc3 | 0x30, "la huge MAT=3" },
	/* ARMv7: supersection, section bits[1:0]=11, large page, AP 000/010/100. */
	{ PT_ARMV7, 0, 0, 0x01000000 | B(18) | 0x2 | 0x1140c, "v7 supersection" },
	{ PT_ARMV7, 0, 0, 0x00100000 | 0x3 | 0x1140c, "v7 section bits 11" },
	{ PT_ARMV7, 0, 1, 0x00010000 | 0x1 | 0x1c, "v7 large page" },
	{ PT_ARMV7, 0, 1, 0x1000 | 0x2 | 0x44c, "v7 small AP=000" },
	{ PT_ARMV7, 0, 1, 0x1000 | 0x2 | 0x44c | 2u << 4, "v7 small AP=010" },
	{ PT_ARMV7, 0, 1, 0x1000 | 0x2 | 0x44c | B(9), "v7 small AP=100" },
	{ PT_ARMV7, 0, 0, 0x100000 | 0x2 | 0x1100c, "v7 section AP=000" },
};

static void reserved_entries(void)
{
	struct pt_entry e;
	for (size_t i = 0; i < sizeof(RESERVED) / sizeof(RESERVED[0]); i++) {
		const struct reserved *r = &RESERVED[i];
		CTX("%s pte %#llx", r->what, (unsigned long long)r->pte);
		CHECK_EQ(pt_pte_decode(r->arch, r->feat, r->level, r->pte, &e), PT_ERR_CORRUPT);
	}
	CTX_CLEAR();
	/* Level matters on ARMv7: a small-page value at L1 is a section or
	 * worse, an L1 table pointer at L2 is a large page (corrupt). */
	{
		uint64_t small = pt_pte_page(PT_ARMV7, 0, 1, 0x1000, PT_READ | PT_WRITE);
		uint64_t l1t = pt_pte_table(PT_ARMV7, 0, 0x1400);
		CHECK_EQ(pt_pte_decode(PT_ARMV7, 0, 1, l1t, &e), PT_ERR_CORRUPT);
		if (pt_pte_decode(PT_ARMV7, 0, 0, small, &e) == PT_OK)
			CHECK(e.leaf && e.size == PT_SIZE_1M);
	}
	/* An AArch64 level-3 page is a table descriptor one level up. */
	{
		uint64_t page = pt_pte_page(PT_AARCH64, 0, 3, 0x5000, PT_READ);
		CHECK_EQ(pt_pte_decode(PT_AARCH64, 0, 2, page, &e), PT_OK);
		CHECK(!e.leaf);
	}
	/* x86: at the PTE level bit 7 is PAT, never PS: still a 4K leaf. */
	CHECK_EQ(pt_pte_decode(PT_X86_64, 0, 3, 0x1000 | 0x81, &e), PT_OK);
	CHECK(e.leaf && e.size == PT_SIZE_4K && e.pa == 0x1000);
	/* x86: a huge leaf keeps bit 12 (PAT) out of the PA. */
	CHECK_EQ(pt_pte_decode(PT_X86_64, 0, 2, 0x200000 | 0x1000 | 0x81, &e), PT_OK);
	CHECK(e.leaf && e.pa == 0x200000 && e.size == PT_SIZE_2M);
	/* Decode quirks the brief pins. */
	CHECK_EQ(pt_pte_decode(PT_X86_64, 0, 3, 0x1000 | 0x9, &e), PT_OK); /* PWT only */
	CHECK_EQ(e.flags & (PT_DEVICE | PT_UNCACHED), 0);
	CHECK_EQ(pt_pte_decode(PT_AARCH64, 0, 3, 0x1000 | 0x703 | 5u << 2, &e), PT_OK); /* Attr5 */
	CHECK(e.flags & PT_DEVICE);
	CHECK_EQ(pt_pte_decode(PT_RISCV_SV39, 0, 2, 0x1000 >> 2 | 0xc9, &e), PT_OK); /* X only */
	CHECK(e.leaf && e.flags == PT_EXECUTE);
	CHECK_EQ(pt_pte_decode(PT_LOONGARCH64, 0, 3, 0x1000 | 0x91 | B(61), &e), PT_OK); /* NR */
	CHECK(e.leaf && !(e.flags & PT_READ));
	/* Empty is empty whatever else is set, where the CPU ignores it. */
	CHECK_EQ(pt_pte_decode(PT_X86_64, 0, 3, 0x7ffffffffffff000 | 0xfe, &e), PT_ERR_NOT_MAPPED);
	CHECK_EQ(pt_pte_decode(PT_AARCH64, 0, 3, 0x1000 | 0x702, &e), PT_ERR_NOT_MAPPED);
	CHECK_EQ(pt_pte_decode(PT_RISCV_SV39, 0, 2, 0x1000 >> 2 | 0xce, &e), PT_ERR_NOT_MAPPED);
	CHECK_EQ(pt_pte_decode(PT_ARMV7, 0, 0, 0xfff00000, &e), PT_ERR_NOT_MAPPED);
	CHECK_EQ(pt_pte_decode(PT_ARMV7, 0, 1, 0xfffff000, &e), PT_ERR_NOT_MAPPED);
	/* Features that do not belong to the arch. */
	CHECK_EQ(pt_pte_decode(PT_X86_64, PT_FEAT_AARCH64_EL2, 3, 0, &e), PT_ERR_INVALID);
	CHECK_EQ(pt_pte_decode(PT_RISCV_SV39, PT_FEAT_RISCV_SVPBMT | PT_FEAT_RISCV_XUANTIE, 2, 0, &e),
		 PT_ERR_INVALID);
	CHECK_EQ(pt_pte_page(PT_AARCH64, PT_FEAT_RISCV_SVPBMT, 3, 0x1000, PT_READ), 0);
	CHECK_EQ(pt_pte_page(PT_AARCH64, PT_FEAT_AARCH64_EL2 | PT_FEAT_AARCH64_HIGH, 3, 0x1000,
			     PT_READ), 0);
	CHECK_EQ(pt_pte_page(PT_ARCH_COUNT, 0, 0, 0x1000, PT_READ), 0);
	CHECK_EQ(pt_pte_decode(PT_ARCH_COUNT, 0, 0, 1, &e), PT_ERR_INVALID);
}

/* A few literal values worked out by hand from the encodings, so an error shared
 * by the library and want_*() above cannot hide. */
static void literals(void)
{
	const uint32_t R = PT_READ, W = PT_WRITE, X = PT_EXECUTE, U = PT_USER, D = PT_DEVICE,
		       NC = PT_UNCACHED;
	CHECK_EQ(pt_pte_page(PT_X86_64, 0, 3, 0x1000, R | W), 0x8000000000001003);
	CHECK_EQ(pt_pte_page(PT_X86_64, 0, 3, 0x1000, R | W | X | U), 0x1007);
	CHECK_EQ(pt_pte_page(PT_X86_64, 0, 3, 0x1000, R | D | NC), 0x8000000000001019);
	CHECK_EQ(pt_pte_page(PT_X86_64, 0, 3, 0x1000, R | X | NC), 0x1011);
	CHECK_EQ(pt_pte_page(PT_X86_64, 0, 2, 0x200000, R | X), 0x200081);
	CHECK_EQ(pt_pte_page(PT_X86_64, 0, 1, 0x40000000, R | W | X), 0x40000083);
	CHECK_EQ(pt_pte_page(PT_X86_64_LA57, 0, 4, 0xffffffffff000, R | X), 0xffffffffff001);
	CHECK_EQ(pt_pte_table(PT_X86_64, 0, 0x5000), 0x5007);

	CHECK_EQ(pt_pte_page(PT_AARCH64, 0, 3, 0x1000, R | W | X), 0x0040000000001707);
	CHECK_EQ(pt_pte_page(PT_AARCH64, 0, 3, 0x1000, R | W | U), 0x0060000000001747);
	CHECK_EQ(pt_pte_page(PT_AARCH64, 0, 3, 0x1000, R | W | X | U), 0x0020000000001747);
	CHECK_EQ(pt_pte_page(PT_AARCH64, 0, 3, 0x1000, R | D), 0x0060000000001483);
	CHECK_EQ(pt_pte_page(PT_AARCH64, 0, 2, 0x200000, R | W | NC), 0x0060000000200709);
	CHECK_EQ(pt_pte_page(PT_AARCH64, PT_FEAT_AARCH64_EL2, 3, 0x1000, R | W | X | U),
		 0x0000000000001747);
	CHECK_EQ(pt_pte_page(PT_AARCH64, PT_FEAT_AARCH64_EL2, 1, 0x40000000, R), 0x00400000400007c5);
	CHECK_EQ(pt_pte_table(PT_AARCH64, 0, 0x5000), 0x5003);

	CHECK_EQ(pt_pte_page(PT_RISCV_SV39, 0, 2, 0x80000000, R | W | X), 0x200000cf);
	CHECK_EQ(pt_pte_page(PT_RISCV_SV39, 0, 2, 0x80000000, R | U | D), 0x200000d3);
	CHECK_EQ(pt_pte_page(PT_RISCV_SV39, PT_FEAT_RISCV_SVPBMT, 2, 0x80000000, R | W | D),
		 0x40000000200000c7);
	CHECK_EQ(pt_pte_page(PT_RISCV_SV39, PT_FEAT_RISCV_SVPBMT, 2, 0x80000000, R | W | NC),
		 0x20000000200000c7);
	CHECK_EQ(pt_pte_page(PT_RISCV_SV39, PT_FEAT_RISCV_XUANTIE, 2, 0x80000000, R | W),
		 0x70000000200000c7);
	CHECK_EQ(pt_pte_page(PT_RISCV_SV39, PT_FEAT_RISCV_XUANTIE, 2, 0x80000000, R | D),
		 0x90000000200000c3);
	CHECK_EQ(pt_pte_page(PT_RISCV_SV39, PT_FEAT_RISCV_XUANTIE, 2, 0x80000000, R | NC),
		 0x30000000200000c3);
	CHECK_EQ(pt_pte_table(PT_RISCV_SV39, 0, 0x80001000), 0x20000401);

	CHECK_EQ(pt_pte_page(PT_LOONGARCH64, 0, 3, 0x1000, R | W | X), 0x1193);
	CHECK_EQ(pt_pte_page(PT_LOONGARCH64, 0, 3, 0x1000, R), 0x4000000000001091);
	CHECK_EQ(pt_pte_page(PT_LOONGARCH64, 0, 3, 0x1000, R | U | D | X), 0x108d);
	CHECK_EQ(pt_pte_page(PT_LOONGARCH64, 0, 2, 0x200000, R | X | NC), 0x2000e1);
	CHECK_EQ(pt_pte_table(PT_LOONGARCH64, 0, 0x5000), 0x5000);

	CHECK_EQ(pt_pte_page(PT_ARMV7, 0, 0, 0x100000, R | W | X), 0x11140e);
	CHECK_EQ(pt_pte_page(PT_ARMV7, 0, 0, 0x100000, R | U | D), 0x108c16);
	CHECK_EQ(pt_pte_page(PT_ARMV7, 0, 1, 0x1000, R | W), 0x145f);
	CHECK_EQ(pt_pte_page(PT_ARMV7, 0, 1, 0xfffff000, R | W | U | X | NC), 0xfffff472);
	CHECK_EQ(pt_pte_table(PT_ARMV7, 0, 0x12345c00), 0x12345c01);
}

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
	};
	for (size_t i = 0; i < sizeof(V) / sizeof(V[0]); i++)
		for (uint32_t fl = 0; fl < 64; fl++) {
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
}

static void metadata(void)
{
	static const struct {
		enum pt_arch a;
		unsigned levels, va, pa;
		uint64_t sizes;
	} M[] = {
		{ PT_X86_64, 4, 48, 52, PT_SIZE_4K | PT_SIZE_2M | PT_SIZE_1G },
		{ PT_X86_64_LA57, 5, 57, 52, PT_SIZE_4K | PT_SIZE_2M | PT_SIZE_1G },
		{ PT_AARCH64, 4, 48, 48, PT_SIZE_4K | PT_SIZE_2M | PT_SIZE_1G },
		{ PT_RISCV_SV39, 3, 39, 56, PT_SIZE_4K | PT_SIZE_2M | PT_SIZE_1G },
		{ PT_RISCV_SV48, 4, 48, 56, PT_SIZE_4K | PT_SIZE_2M | PT_SIZE_1G | PT_SIZE_512G },
		{ PT_RISCV_SV57, 5, 57, 56,
		  PT_SIZE_4K | PT_SIZE_2M | PT_SIZE_1G | PT_SIZE_512G | PT_SIZE_256T },
		{ PT_LOONGARCH64, 4, 48, 48, PT_SIZE_4K | PT_SIZE_2M | PT_SIZE_1G },
		{ PT_ARMV7, 2, 32, 32, PT_SIZE_4K | PT_SIZE_1M },
	};
	for (size_t i = 0; i < sizeof(M) / sizeof(M[0]); i++) {
		const struct pt_arch_info *in = pt_arch_info(M[i].a);
		CTX("arch %d", M[i].a);
		if (!CHECK(in != NULL))
			continue;
		CHECK(in->name && in->name[0]);
		CHECK_EQ(in->levels, M[i].levels);
		CHECK_EQ(in->va_bits, M[i].va);
		CHECK_EQ(in->pa_bits, M[i].pa);
		CHECK_EQ(in->leaf_sizes, M[i].sizes);
		/* PA edges. */
		CHECK(pt_pa_valid(M[i].a, 0));
		CHECK(pt_pa_valid(M[i].a, B(M[i].pa) - 1));
		CHECK(!pt_pa_valid(M[i].a, B(M[i].pa)));
		CHECK(!pt_pa_valid(M[i].a, UINT64_MAX));
		/* VA edges. */
		CHECK(pt_va_valid(M[i].a, 0));
		if (M[i].a == PT_ARMV7) {
			CHECK(pt_va_valid(M[i].a, 0xffffffff));
			CHECK(!pt_va_valid(M[i].a, B(32)));
			CHECK(!pt_va_valid(M[i].a, UINT64_MAX));
		} else if (M[i].a == PT_AARCH64) {
			CHECK(pt_va_valid(M[i].a, 0x0000ffffffffffff));
			CHECK(pt_va_valid(M[i].a, 0x0000800000000000));
			CHECK(!pt_va_valid(M[i].a, 0x0001000000000000));
			CHECK(!pt_va_valid(M[i].a, 0xfffeffffffffffff));
			CHECK(pt_va_valid(M[i].a, 0xffff000000000000));
			CHECK(pt_va_valid(M[i].a, 0xffff7fffffffffff));
			CHECK(pt_va_valid(M[i].a, UINT64_MAX));
			CHECK(!pt_va_valid(M[i].a, B(63)));
		} else {
			uint64_t top = B(M[i].va - 1);
			CHECK(pt_va_valid(M[i].a, top - 1));
			CHECK(!pt_va_valid(M[i].a, top));
			CHECK(!pt_va_valid(M[i].a, ~(top - 1) - 1));
			CHECK(pt_va_valid(M[i].a, ~(top - 1)));
			CHECK(pt_va_valid(M[i].a, UINT64_MAX));
			CHECK(!pt_va_valid(M[i].a, B(63)));
			CHECK(!pt_va_valid(M[i].a, B(62)));
		}
	}
	CTX_CLEAR();
	CHECK(pt_arch_info(PT_ARCH_COUNT) == NULL);
	CHECK(pt_arch_info((enum pt_arch)-1) == NULL);
	CHECK(!pt_va_valid(PT_ARCH_COUNT, 0));
	CHECK(!pt_pa_valid(PT_ARCH_COUNT, 0));
	CHECK_EQ(PT_AARCH64_MAIR, 0x44ff04);
	/* MAIR attribute bytes the AttrIndx values assume. */
	CHECK_EQ((PT_AARCH64_MAIR >> 0) & 0xff, 0x04);  /* 0: Device-nGnRE */
	CHECK_EQ((PT_AARCH64_MAIR >> 8) & 0xff, 0xff);  /* 1: Normal WB RW-alloc */
	CHECK_EQ((PT_AARCH64_MAIR >> 16) & 0xff, 0x44); /* 2: Normal NC */
	CHECK_EQ(pt_strerror(12345) != NULL, 1);
	CHECK(pt_strerror(PT_ERR_CORRUPT) != pt_strerror(PT_ERR_INVALID));
}

static void satp(void)
{
	struct arena a;
	struct pt_mm mm;
	struct pt_table t;
	static const struct {
		enum pt_arch a;
		uint64_t mode;
	} S[] = { { PT_RISCV_SV39, 8 }, { PT_RISCV_SV48, 9 }, { PT_RISCV_SV57, 10 },
		  { PT_X86_64, 0 }, { PT_AARCH64, 0 }, { PT_ARMV7, 0 } };
	if (arena_init(&a, UINT64_C(0x80000000), 64) != 0) {
		CHECK(!"arena");
		return;
	}
	arena_mm(&a, &mm);
	for (size_t i = 0; i < sizeof(S) / sizeof(S[0]); i++) {
		CTX("satp arch %d", S[i].a);
		if (!CHECK_EQ(pt_init(&t, S[i].a, 0, &mm), PT_OK))
			continue;
		if (S[i].mode) {
			uint64_t root = pt_root(&t);
			CHECK_EQ(pt_satp(&t, 0), S[i].mode << 60 | root >> 12);
			CHECK_EQ(pt_satp(&t, 0xabcd), S[i].mode << 60 | UINT64_C(0xabcd) << 44 | root >> 12);
			CHECK_EQ(pt_satp(&t, 0xffff) >> 60, S[i].mode);
		} else {
			CHECK_EQ(pt_satp(&t, 7), 0);
		}
		pt_destroy(&t);
		CHECK_EQ(pt_satp(&t, 1), 0); /* dead table */
	}
	CTX_CLEAR();
	CHECK_EQ(pt_satp(NULL, 1), 0);
	CHECK_EQ(a.in_use, 0);
	CHECK_EQ(a.errors, 0);
	arena_fini(&a);
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
	};
	for (size_t i = 0; i < sizeof(FAM) / sizeof(FAM[0]); i++) {
		group_begin(FAM[i].group);
		for (size_t j = 0; j < NFMTS + sizeof(EXTRA) / sizeof(EXTRA[0]); j++) {
			const struct fmt *f = j < NFMTS ? &FMTS[j] : &EXTRA[j - NFMTS];
			if (f->arch != FAM[i].a)
				continue;
			leaf_table(f);
			table_entries(f);
			random_decode(f, 0x9e3779b97f4a7c15ull + j);
		}
		group_end();
	}
	group_begin("pte reserved encodings");
	reserved_entries();
	group_end();
	group_begin("pte literal encodings");
	literals();
	group_end();
	group_begin("pte flags normalize");
	normalize();
	group_end();
	group_begin("pte arch info and validity");
	metadata();
	group_end();
	group_begin("pte satp");
	satp();
	group_end();
	return check_status();
}
