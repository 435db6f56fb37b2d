/* SPDX-License-Identifier: MIT */
/*
 * Format facts for the tests, written down from the format table (not read back from
 * the library), plus small helpers shared by the test programs.
 */
#ifndef PT_TEST_FMT_H
#define PT_TEST_FMT_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "arena.h"
#include "pt.h"

/* Valgrind's client request; without its header, never under Valgrind. */
#if defined(__has_include) && __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#else
#define RUNNING_ON_VALGRIND 0
#endif

struct fmt {
	const char *name;
	enum pt_arch arch;
	unsigned feat;
	unsigned levels, va_bits, pa_bits;
	unsigned leaf_mask; /* bit l: level l may hold a leaf */
	uint64_t lo;        /* first VA of the half this table serves */
};

#define HIGH_HALF UINT64_C(0xffff000000000000)

#ifdef PT_TEST_FORMATS
/* Test builds over the fake formats (tests/fake_arch.h), which the core's
 * registry holds after the real ones: the engine suites run on them. */
#define FAKE_ARCH ((enum pt_arch)PT_ARCH_COUNT)
/* What the fake format writes into an empty slot (not 0). */
#define FAKE_EMPTY_PTE ((UINT64_C(1) << 63) | (UINT64_C(1) << 59) | (UINT64_C(1) << 3))
/* A format no build knows. */
#define ARCH_UNKNOWN ((enum pt_arch)(PT_ARCH_COUNT + 2))
static const struct fmt FMTS[] = {
	{ "fake48", FAKE_ARCH, 0, 4, 48, 48, 0xe, 0 },
	{ "fake39", (enum pt_arch)(FAKE_ARCH + 1), 0, 3, 39, 48, 0x7, 0 },
};
#else
/* Every format and feature variant; engine-level tests run on all of them. */
static const struct fmt FMTS[] = {
	{ "x86_64", PT_X86_64, 0, 4, 48, 52, 0xe, 0 },
	{ "x86_64_la57", PT_X86_64_LA57, 0, 5, 57, 52, 0x1c, 0 },
	{ "aarch64", PT_AARCH64, 0, 4, 48, 48, 0xe, 0 },
	{ "aarch64_el2", PT_AARCH64, PT_FEAT_AARCH64_EL2, 4, 48, 48, 0xe, 0 },
	{ "aarch64_high", PT_AARCH64, PT_FEAT_AARCH64_HIGH, 4, 48, 48, 0xe, HIGH_HALF },
	/* 4K granule at 39 bits (Android's): 3 levels from Arm level 1. */
	{ "aarch64_39", PT_AARCH64, 0, 3, 39, 48, 0x7, 0 },
	{ "aarch64_39_high", PT_AARCH64, PT_FEAT_AARCH64_HIGH, 3, 39, 48, 0x7,
	  UINT64_C(0xffffff8000000000) },
	/* 52-bit OAs (FEAT_LPA2): OA[51:50] in bits 9:8, 512G blocks at the
	 * root of 4 levels. */
	{ "aarch64_pa52", PT_AARCH64, PT_FEAT_AARCH64_PA52, 4, 48, 52, 0xf, 0 },
	{ "aarch64_pa52_39_high", PT_AARCH64, PT_FEAT_AARCH64_PA52 | PT_FEAT_AARCH64_HIGH, 3, 39,
	  52, 0x7, UINT64_C(0xffffff8000000000) },
	{ "riscv_sv39", PT_RISCV_SV39, 0, 3, 39, 56, 0x7, 0 },
	{ "riscv_sv39_svpbmt", PT_RISCV_SV39, PT_FEAT_RISCV_SVPBMT, 3, 39, 56, 0x7, 0 },
	{ "riscv_sv39_xuantie", PT_RISCV_SV39, PT_FEAT_RISCV_XUANTIE, 3, 39, 56, 0x7, 0 },
	/* Svnapot: 64 KiB runs of 16 leaves sharing one entry. */
	{ "riscv_sv39_svnapot", PT_RISCV_SV39, PT_FEAT_RISCV_SVNAPOT, 3, 39, 56, 0x7, 0 },
	{ "riscv_sv48", PT_RISCV_SV48, 0, 4, 48, 56, 0xf, 0 },
	{ "riscv_sv57", PT_RISCV_SV57, 0, 5, 57, 56, 0x1f, 0 },
	{ "loongarch64", PT_LOONGARCH64, 0, 4, 48, 48, 0xe, 0 },
	{ "armv7", PT_ARMV7, 0, 2, 32, 32, 0x3, 0 },
	/* Stage 2 at its default IPA size (3 levels from Arm level 1, two
	 * concatenated root tables), the narrowest (2 levels from Arm
	 * level 2, four root tables), the widest (4 levels, one), a root of
	 * 64 entries (less than a frame) and one of 16 tables (8192 entries,
	 * the most any format has). */
	{ "aarch64_s2", PT_AARCH64_S2, 0, 3, 40, 48, 0x7, 0 },
	{ "aarch64_s2_32", PT_AARCH64_S2, 0, 2, 32, 48, 0x3, 0 },
	{ "aarch64_s2_48", PT_AARCH64_S2, 0, 4, 48, 48, 0xe, 0 },
	{ "aarch64_s2_36", PT_AARCH64_S2, 0, 3, 36, 48, 0x7, 0 },
	{ "aarch64_s2_43", PT_AARCH64_S2, 0, 3, 43, 48, 0x7, 0 },
	{ "x86_64_ept", PT_X86_64_EPT, 0, 4, 48, 52, 0xe, 0 },
	{ "x86_64_ept_ad", PT_X86_64_EPT, PT_FEAT_EPT_AD, 4, 48, 52, 0xe, 0 },
	{ "x86_64_ept5", PT_X86_64_EPT5, 0, 5, 57, 52, 0x1c, 0 },
	{ "riscv_sv39x4", PT_RISCV_SV39X4, 0, 3, 41, 56, 0x7, 0 },
	{ "riscv_sv48x4", PT_RISCV_SV48X4, 0, 4, 50, 56, 0xf, 0 },
	{ "riscv_sv57x4", PT_RISCV_SV57X4, 0, 5, 59, 56, 0x1f, 0 },
};
#define ARCH_UNKNOWN PT_ARCH_COUNT
/* The 16K and 64K granules (pages of one granule), run by the suites that
 * ask the page size (fmt_page) rather than assume 4 KiB. */
static const struct fmt GRAN_FMTS[] = {
	{ "aarch64_16k", PT_AARCH64_16K, 0, 4, 48, 48, 0xc, 0 },
	{ "aarch64_16k_high", PT_AARCH64_16K, PT_FEAT_AARCH64_HIGH, 4, 48, 48, 0xc, HIGH_HALF },
	{ "aarch64_16k_47", PT_AARCH64_16K, 0, 3, 47, 48, 0x6, 0 },
	{ "aarch64_64k", PT_AARCH64_64K, 0, 3, 48, 48, 0x6, 0 },
	{ "aarch64_64k_el2", PT_AARCH64_64K, PT_FEAT_AARCH64_EL2, 3, 48, 48, 0x6, 0 },
	{ "aarch64_64k_42", PT_AARCH64_64K, 0, 2, 42, 48, 0x3, 0 },
	/* 52-bit OAs (16K: FEAT_LPA2, 64G blocks; 64K: FEAT_LPA, 4T blocks)
	 * and 52-bit VAs (FEAT_LVA on 64K: a 1024-entry root of 8 KiB). */
	{ "aarch64_16k_pa52", PT_AARCH64_16K, PT_FEAT_AARCH64_PA52, 4, 48, 52, 0xe, 0 },
	{ "aarch64_16k_pa52_va52", PT_AARCH64_16K, PT_FEAT_AARCH64_PA52 | PT_FEAT_AARCH64_VA52, 4,
	  52, 52, 0xe, 0 },
	{ "aarch64_64k_pa52", PT_AARCH64_64K, PT_FEAT_AARCH64_PA52, 3, 48, 52, 0x7, 0 },
	{ "aarch64_64k_va52", PT_AARCH64_64K, PT_FEAT_AARCH64_VA52, 3, 52, 48, 0x6, 0 },
	{ "aarch64_64k_pa52_va52_high", PT_AARCH64_64K,
	  PT_FEAT_AARCH64_PA52 | PT_FEAT_AARCH64_VA52 | PT_FEAT_AARCH64_HIGH, 3, 52, 52, 0x7,
	  UINT64_C(0xfff0000000000000) },
};
#define NGRAN_FMTS (sizeof(GRAN_FMTS) / sizeof(GRAN_FMTS[0]))
#endif
#define NFMTS (sizeof(FMTS) / sizeof(FMTS[0]))
#ifdef PT_TEST_FORMATS
#define NALL_FMTS NFMTS
#else
#define NALL_FMTS (NFMTS + NGRAN_FMTS)
#endif

/* The i-th of every format the engine suites run: FMTS, then GRAN_FMTS
 * (whose page is their granule: suites size pages with fmt_page). */
/* A batch as include/pt/batch.h describes it: one or more leaves, their
 * PAs copied out (PT_BATCH_MAX at most) or read in place, a last-level
 * table's run at most (8192 entries, a 64K-granule table). */
static inline bool batch_sound(const struct pt_batch *b)
{
	const bool copied = b->shift == 0 && b->mask == ~UINT64_C(0);
	return b->n >= 1 && b->entry && b->n <= (copied ? PT_BATCH_MAX : 8192u);
}

/* Does f's batch of last-level leaves read them in place? Where its
 * entries are 8 bytes holding the PA shifted: not ARMV7's 4-byte entries,
 * nor the 52-bit-PA AArch64 stage-1 encodings, whose PA bits are split,
 * nor the fake formats, whose address field is not linear. */
static inline bool fmt_batches_in_place(const struct fmt *f)
{
	const bool s1_pa52 = (f->arch == PT_AARCH64 || f->arch == PT_AARCH64_16K ||
			      f->arch == PT_AARCH64_64K) &&
			     (f->feat & PT_FEAT_AARCH64_PA52);
	return f->arch != PT_ARMV7 && !s1_pa52 && (unsigned)f->arch < PT_ARCH_COUNT;
}

static inline const struct fmt *fmt_nth(size_t i)
{
#ifndef PT_TEST_FORMATS
	if (i >= NFMTS)
		return &GRAN_FMTS[i - NFMTS];
#endif
	return &FMTS[i];
}

/* Does a suite run f under Valgrind (fifty times slower)? One format per
 * engine family, and 16K for the tables of several frames (64K's take
 * minutes there): every format still runs natively and under the
 * sanitizers. Elsewhere, every format. */
static inline bool fmt_in_valgrind_runs(const struct fmt *f)
{
	static const char *const under_valgrind[] = {
		"x86_64", "aarch64",    "riscv_sv39",    "loongarch64",
		"armv7",  "aarch64_s2_32", "x86_64_ept_ad", "aarch64_16k",
	};
	if (!RUNNING_ON_VALGRIND || f->arch >= PT_ARCH_COUNT) /* the fake formats: always */
		return true;
	for (size_t i = 0; i < sizeof under_valgrind / sizeof under_valgrind[0]; i++)
		if (!strcmp(f->name, under_valgrind[i]))
			return true;
	return false;
}

/* Does a suite that runs for seconds per format (frame-by-frame watches,
 * every failing allocation) take f? Of the 16K and 64K variants, one per
 * granule and output width: the others differ only in what the faster
 * suites cover. */
static inline bool fmt_in_slow_suites(const struct fmt *f)
{
	if (!fmt_in_valgrind_runs(f))
		return false;
	if (f->arch != PT_AARCH64_16K && f->arch != PT_AARCH64_64K)
		return true;
	return !strcmp(f->name, "aarch64_16k") || !strcmp(f->name, "aarch64_64k") ||
	       !strcmp(f->name, "aarch64_16k_pa52") || !strcmp(f->name, "aarch64_64k_pa52");
}

/* The entry libpt writes into an empty slot. */
static inline uint64_t fmt_empty(const struct fmt *f)
{
#ifdef PT_TEST_FORMATS
	if (f->arch >= FAKE_ARCH)
		return FAKE_EMPTY_PTE;
#endif
	(void)f;
	return 0;
}

/* Formats that need break-before-make for anything but a permission
 * change (Arm, and the fake format). */
static inline bool fmt_is_a64(enum pt_arch a)
{
	return a == PT_AARCH64 || a == PT_AARCH64_16K || a == PT_AARCH64_64K;
}

static inline bool fmt_bbm(const struct fmt *f)
{
	return fmt_is_a64(f->arch) || f->arch == PT_AARCH64_S2 || f->arch == PT_ARMV7 ||
	       fmt_empty(f);
}

/* The page (the granule on AArch64): log2 of its size. */
static inline unsigned fmt_page_shift(const struct fmt *f)
{
	return f->arch == PT_AARCH64_16K ? 14 : f->arch == PT_AARCH64_64K ? 16 : 12;
}

static inline uint64_t fmt_page(const struct fmt *f)
{
	return UINT64_C(1) << fmt_page_shift(f);
}

/* Frames of one table below the root (a granule: 4 KiB frames). */
static inline size_t fmt_table_frames(const struct fmt *f)
{
	return (size_t)(fmt_page(f) / PT_SIZE_4K);
}

static inline bool fmt_is_riscv(enum pt_arch a)
{
	return a == PT_RISCV_SV39 || a == PT_RISCV_SV48 || a == PT_RISCV_SV57;
}

/* RISC-V G-stage: riscv entries, every leaf with U set, a 2048-entry root. */
static inline bool fmt_is_gstage(enum pt_arch a)
{
	return a == PT_RISCV_SV39X4 || a == PT_RISCV_SV48X4 || a == PT_RISCV_SV57X4;
}

static inline bool fmt_is_ept(enum pt_arch a)
{
	return a == PT_X86_64_EPT || a == PT_X86_64_EPT5;
}

/* Stage-2 formats: no USER, no GLOBAL (no privilege split, no ASIDs). */
static inline bool fmt_stage2(const struct fmt *f)
{
	return fmt_is_ept(f->arch) || fmt_is_gstage(f->arch) || f->arch == PT_AARCH64_S2;
}

/* Sign-extended VAs (everything but AArch64, ARMv7 and the stage-2
 * formats, whose guest-physical addresses have no upper half). */
static inline bool fmt_sext(const struct fmt *f)
{
	return !fmt_is_a64(f->arch) && f->arch != PT_ARMV7 && !fmt_stage2(f);
}

/* The first VA above the lower half (sign-extended formats: the first
 * non-canonical one; stage-2 formats: the first beyond their width). */
static inline uint64_t fmt_lower_end(const struct fmt *f)
{
	return UINT64_C(1) << (fmt_sext(f) ? f->va_bits - 1 : f->va_bits);
}

/* VA span of one entry at level l. */
static inline uint64_t fmt_span(const struct fmt *f, unsigned l)
{
	if (f->arch == PT_ARMV7)
		return l == 0 ? PT_SIZE_1M : PT_SIZE_4K;
	return UINT64_C(1) << (fmt_page_shift(f) + (fmt_page_shift(f) - 3) * (f->levels - 1 - l));
}

static inline unsigned fmt_entries(const struct fmt *f, unsigned l)
{
	if (f->arch == PT_ARMV7)
		return l == 0 ? 4096 : 256;
	/* A stage-2 root resolves the IPA bits above the level below it. */
	if (f->arch == PT_AARCH64_S2 && l == 0)
		return 1u << (f->va_bits - (12 + 9 * (f->levels - 1)));
	if (fmt_is_gstage(f->arch))
		return l == 0 ? 2048 : 512;
	/* An AArch64 stage-1 root resolves the VA bits above the level
	 * below it; every other table is one granule. */
	if (fmt_is_a64(f->arch) && l == 0)
		return 1u << (f->va_bits - (fmt_page_shift(f) + (fmt_page_shift(f) - 3) * (f->levels - 1)));
	return 1u << (fmt_page_shift(f) - 3);
}

static inline unsigned fmt_pte_bytes(const struct fmt *f)
{
	return f->arch == PT_ARMV7 ? 4 : 8;
}

static inline size_t fmt_index(const struct fmt *f, unsigned l, uint64_t va)
{
	uint64_t span = fmt_span(f, l);
	unsigned sh = 0;
	while ((UINT64_C(1) << sh) != span)
		sh++;
	return (size_t)((va >> sh) & (fmt_entries(f, l) - 1));
}

/* Frames of the root table (ARMv7 L1 and the G-stage root are 16 KiB; a
 * stage-2 root of n concatenated tables is n frames). */
static inline size_t fmt_root_frames(const struct fmt *f)
{
	if (f->arch == PT_AARCH64_S2 || fmt_is_a64(f->arch))
		return fmt_entries(f, 0) > 512 ? fmt_entries(f, 0) / 512 : 1;
	return f->arch == PT_ARMV7 || fmt_is_gstage(f->arch) ? 4 : 1;
}

/* The largest leaf size below the root span (2M, or 1M on ARMv7). */
static inline unsigned fmt_huge_level(const struct fmt *f)
{
	return f->levels - 2;
}

/* Canonical form of a VA inside the table's half. */
static inline uint64_t fmt_canon(const struct fmt *f, uint64_t va)
{
	if (fmt_sext(f)) {
		unsigned up = 64 - f->va_bits;
		return (uint64_t)((int64_t)(va << up) >> up);
	}
	return va;
}

/* Raw entry access in an arena-backed table. */
static inline uint64_t pte_read(const struct fmt *f, struct arena *a, uint64_t table_pa, size_t i)
{
	unsigned char *p = arena_ptr(a, table_pa + i * fmt_pte_bytes(f));
	if (f->arch == PT_ARMV7) {
		uint32_t v;
		memcpy(&v, p, 4);
		return v;
	}
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

static inline void pte_write(const struct fmt *f, struct arena *a, uint64_t table_pa, size_t i,
			     uint64_t v)
{
	unsigned char *p = arena_ptr(a, table_pa + i * fmt_pte_bytes(f));
	if (f->arch == PT_ARMV7) {
		uint32_t w = (uint32_t)v;
		memcpy(p, &w, 4);
	} else {
		memcpy(p, &v, 8);
	}
}

/* Table frames t holds for its next full flush (pt_flush): they count as
 * the table's own in every leak check. Reads libpt's private layout
 * (include/pt/table.h), as only a test may. */
static inline size_t pending_frames(const struct pt_table *t)
{
	size_t n = 0;
	for (unsigned i = 0; i < t->nfree; i++)
		n += (size_t)(t->free_pending[i] & 0xfff);
	return n;
}

/* Deterministic PRNG (xorshift64*), so failures reproduce. */
static inline uint64_t rng_next(uint64_t *s)
{
	uint64_t x = *s;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * UINT64_C(0x2545F4914F6CDD1D);
}

/* Order-sensitive digest of every entry pt_walk visits (raw values too). */
struct digest {
	uint64_t h;
	unsigned long n;
};

static inline void digest_add(struct digest *d, uint64_t v)
{
	d->h = (d->h ^ v) * UINT64_C(0x100000001b3);
	d->h ^= d->h >> 29;
}

static inline int digest_pre(void *arg, const struct pt_entry *e)
{
	struct digest *d = arg;
	digest_add(d, e->level);
	digest_add(d, e->index);
	digest_add(d, e->va);
	digest_add(d, e->pte);
	digest_add(d, e->pa);
	digest_add(d, e->flags);
	digest_add(d, e->size);
	digest_add(d, e->leaf);
	d->n++;
	return 0;
}

/* Digest of the whole table; the walk's own result is folded in. */
static inline struct digest table_digest(const struct pt_table *t)
{
	struct digest d = { UINT64_C(0xcbf29ce484222325), 0 };
	struct pt_walk_ops ops = { 0, digest_pre, NULL };
	int r = pt_walk(t, &ops, &d);
	digest_add(&d, (uint64_t)(int64_t)r);
	return d;
}

/* The VA widths f's format has: [*lo, *hi] (only its default but
 * for a stage 2). */
static inline void fmt_va_range(const struct fmt *f, unsigned *lo, unsigned *hi)
{
	if (f->arch == PT_AARCH64_S2) {
		*lo = 32, *hi = 48;
		return;
	}
	if (fmt_is_a64(f->arch)) {
		*lo = f->arch == PT_AARCH64_16K ? 26 : f->arch == PT_AARCH64_64K ? 30 : 25;
		*hi = f->feat & PT_FEAT_AARCH64_VA52 ? 52 : 48;
		return;
	}
	*lo = *hi = pt_arch_info(f->arch) ? pt_arch_info(f->arch)->va_bits : f->va_bits;
}

/* Frames of the root of f's format at its default width (40-bit stage 2:
 * two concatenated tables). */
static inline size_t fmt_default_root_frames(const struct fmt *f)
{
	if (f->arch == PT_AARCH64_S2)
		return 2;
	return fmt_is_a64(f->arch) ? 1 : fmt_root_frames(f); /* 48 bits: one frame or less */
}

/* Level l of a table of f as pt_pte_page/table/decode number it: from the
 * root of the format's widest table (a narrower stage 2 starts lower). */
static inline unsigned fmt_plevel(const struct fmt *f, unsigned l)
{
	if (fmt_is_a64(f->arch))
		return l + (f->arch == PT_AARCH64_64K ? 3 : 4) - f->levels;
	return f->arch == PT_AARCH64_S2 ? l + 4 - f->levels : l;
}

/* pt_translate for a table of f; at a width other than the format's
 * default, which pt_translate cannot be told, pt_access under libpt's own
 * regime for it (hardware access state), with pt_translate's results. */
static inline int fmt_translate(const struct fmt *f, uint64_t root, const struct pt_mm *mm,
				uint64_t va, struct pt_mapping *out)
{
	const struct pt_arch_info *ai = pt_arch_info(f->arch);
	struct pt_regime r;
	struct pt_fault ft;
	int e;
	if (!ai || ai->va_bits == f->va_bits)
		return pt_translate(f->arch, f->feat, root, mm, va, out);
	memset(&r, 0, sizeof(r));
	r.arch = f->arch;
	r.features = f->feat;
	r.va_bits = f->va_bits;
	r.root = root;
	r.controls = PT_CTL_HA | PT_CTL_HD;
	e = pt_access(&r, mm, va, 0, out, &ft);
	if (e != PT_ERR_FAULT)
		return e;
	return ft.kind == PT_FAULT_NOT_PRESENT ? PT_ERR_NOT_MAPPED
	       : ft.kind == PT_FAULT_ADDRESS   ? PT_ERR_INVALID
					       : PT_ERR_CORRUPT;
}

/* 1G leaves, and VAs up to 16 GiB at least (not ARMV7, not a 2-level
 * stage 2). */
static inline bool fmt_has_1g(const struct fmt *f)
{
	return f->arch != PT_ARMV7 && f->levels > 2 && fmt_page(f) == PT_SIZE_4K;
}

/* Every table of format f the suites make: f's format, features and VA
 * width (the default one where f has no other). */
static inline int fmt_init(struct pt_table *t, const struct fmt *f, const struct pt_mm *mm)
{
	const struct pt_config cfg = { f->arch, f->feat, f->va_bits };
	return pt_init_config(t, &cfg, mm);
}

#endif
