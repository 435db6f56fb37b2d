/* SPDX-License-Identifier: MIT */
/*
 * What api.c and the per-family engines share: the engine interface, the
 * format registry, and small helpers on shapes and addresses. The hooks a
 * format supplies are in arch/arch.h.
 */
#ifndef PT_INTERNAL_H
#define PT_INTERNAL_H

#include "../arch/arch.h"

/* The engine's small helpers on the per-entry and per-call paths: they
 * must fold into their callers as the hooks do (one left out of line made
 * single-page unmap 35% slower at the same instruction count). */
#define PT_INLINE static inline __attribute__((always_inline))

/* memo_mode of a protect's rewrite (src/edit.h XF_PROTECT; src/api.c reads it). */
#define PT__MEMO_PROTECT 1

#define PT_FRAME_SIZE 4096u

/* Branch layout for the per-page fast paths: a taken branch costs more
 * than the instructions around it there, so the hot case falls through. */
#define PT_LIKELY(x) __builtin_expect(!!(x), 1)
#define PT_UNLIKELY(x) __builtin_expect(!!(x), 0)

typedef int (*pt__lookup_fn)(const struct pt_table *t, uint64_t va, struct pt_mapping *out);

/* The per-family engine (src/engine_<family>.c). Arguments are checked in
 * src/api.c: these run on canonical addresses, last >= va, normalised
 * flags, ranges that touch no shared root entry. */
struct pt_engine {
	/* The family's shapes (arch_<family>_SHAPES order). */
	const struct pt_shape *const *shapes;
	/* Which of PT_STATE_ALL | PT_SW0 | PT_SW1 the family's leaves store. */
	uint32_t state_bits;
	/* The root was just allocated: empty it; set lookup, facts, hints. */
	void (*init)(struct pt_table *t);
	/* pt_set_direct_map was called: pick the lookup and facts again. */
	void (*set_direct)(struct pt_table *t);
	/* Leaves of height <= max_h wherever va, pa and the range allow. */
	int (*map)(struct pt_table *t, uint64_t va, uint64_t pa, uint64_t last,
		   uint32_t flags, unsigned max_h);
	/* One page; flags valid, not normalised (the hint keeps both). */
	int (*map_page)(struct pt_table *t, uint64_t va, uint64_t pa, uint32_t flags);
	int (*unmap)(struct pt_table *t, uint64_t va, struct pt_mapping *old);
	int (*change)(struct pt_table *t, uint64_t va, bool set_pa, uint64_t pa,
		      uint32_t flags, uint64_t *size);
	int (*clear_range)(struct pt_table *t, uint64_t va, uint64_t last,
			   bool protect, uint32_t flags);
	int (*walk)(const struct pt_table *t, const struct pt_walk_ops *ops, void *arg);
	int (*walk_ranges)(const struct pt_table *t, uint64_t va, uint64_t last,
			   int (*fn)(void *arg, const struct pt_range *r), void *arg);
	int (*walk_batches)(const struct pt_table *t, uint64_t va, uint64_t last,
			    int (*fn)(void *arg, const struct pt_batch *b), void *arg);
	/* pt_cursor_next on a cursor still walking a live table. */
	int (*cursor_next)(struct pt_cursor *c, struct pt_batch *b);
	/* Clear (bits of PT_STATE_ALL | PT_SW0 | PT_SW1, all in state_bits)
	 * in every leaf overlapping [va, last]; atomic. */
	int (*clear_state)(struct pt_table *t, uint64_t va, uint64_t last, uint32_t bits,
			   uint64_t *bitmap);
	int (*set_state)(struct pt_table *t, uint64_t va, uint32_t bits);
	void (*destroy)(struct pt_table *t);
	int (*copy_root)(struct pt_table *dst, const struct pt_table *src,
			 size_t first, size_t last);
	bool (*regime_ok)(const struct pt_regime *r);
	int (*regime_decode)(const struct pt_regime *r, unsigned h, uint64_t pte, uint64_t *pa,
			     uint32_t *flags, uint64_t *size);
	/* Would pt_access take r (its format this family's)? */
	bool (*regime_valid)(const struct pt_regime *r);
	/* pt_access, past the checks of what is not the regime's. */
	int (*access)(const struct pt_regime *r, const struct pt_mm *mm, uint64_t va,
		      unsigned acc, struct pt_mapping *out, struct pt_fault *f);
	/* pt_access under the regime libpt writes tables for. */
	int (*translate)(enum pt_arch a, unsigned feat, uint64_t root, const struct pt_mm *mm,
			 uint64_t va, struct pt_mapping *out, struct pt_fault *f);
	uint64_t (*pte_leaf)(unsigned feat, unsigned h, uint64_t pa, uint32_t flags);
	uint64_t (*pte_table)(unsigned h, uint64_t pa);
	int (*decode)(unsigned feat, unsigned h, uint64_t pte, uint64_t *pa, uint32_t *flags,
		      uint64_t *size);
};

extern const struct pt_engine pt__engine_x86, pt__engine_aarch64, pt__engine_riscv,
	pt__engine_loongarch, pt__engine_armv7, pt__engine_aarch64_s2, pt__engine_ept,
	pt__engine_rvg, pt__engine_aarch64_16k, pt__engine_aarch64_64k,
	pt__engine_aarch64_lpa2, pt__engine_aarch64_16k_lpa2, pt__engine_aarch64_64k_lpa;
#ifdef PT_TEST_FORMATS
/* Test builds: the fake formats (tests/fake_arch.h), after the real ones. */
#define PT__FAKE ((enum pt_arch)PT_ARCH_COUNT)
#define PT__NPUBLIC (PT_ARCH_COUNT + 2)
extern const struct pt_engine pt__engine_fake;
#else
#define PT__NPUBLIC PT_ARCH_COUNT
#endif
/* Registry slots no caller names, after the ones they do: the AArch64
 * stage-1 formats with PT_FEAT_AARCH64_PA52 (4K, 16K, 64K), each a family
 * of its own, as the output address moves into other descriptor bits. */
#define PT__PA52 ((unsigned)PT__NPUBLIC)
#define PT__NFORMATS (PT__NPUBLIC + 3)

/* The registry (src/formats.c): every format as its family's engine and
 * one of that family's shapes. Inline, as each call starts with it. */
struct pt_format {
	const struct pt_engine *engine;
	unsigned char first; /* index in engine->shapes of the narrowest width */
	unsigned char count; /* widths: first .. first + count - 1 */
	unsigned char def;   /* index of the default width */
};
extern const struct pt_format pt__formats[PT__NFORMATS];

/* The registry slot of format a with features f: a itself, or its 52-bit
 * OA slot; PT__NFORMATS (no slot) for a format no caller may name. Every
 * lookup below takes a slot. */
PT_INLINE unsigned pt__slot(enum pt_arch a, unsigned f)
{
	if ((unsigned)a >= PT__NPUBLIC)
		return PT__NFORMATS;
	if (!(f & PT_FEAT_AARCH64_PA52))
		return (unsigned)a;
	return a == PT_AARCH64       ? PT__PA52
	       : a == PT_AARCH64_16K ? PT__PA52 + 1
	       : a == PT_AARCH64_64K ? PT__PA52 + 2
				     : (unsigned)a;
}

/* A slot's family engine; NULL if unknown. */
PT_INLINE const struct pt_engine *pt__engine(unsigned a)
{
	return (unsigned)a < PT__NFORMATS ? pt__formats[a].engine : (const struct pt_engine *)0;
}

/* A format's shape at its default width; NULL if unknown. */
PT_INLINE const struct pt_shape *pt__shape(unsigned a)
{
	const struct pt_engine *e = pt__engine(a);
	return e ? e->shapes[pt__formats[a].def] : (const struct pt_shape *)0;
}

/* The shape for va_bits (0: the default), NULL for a width the format
 * does not have; the format's widest (the most levels). */
const struct pt_shape *pt__shape_bits(unsigned a, unsigned va_bits);

/* An AArch64 stage-1 VA wider than 48 bits only with PT_FEAT_AARCH64_VA52
 * (FEAT_LVA, or the 52-bit VAs of FEAT_LPA2). */
PT_INLINE bool pt__width_ok(const struct pt_shape *s, unsigned f)
{
	return s->info.va_bits <= 48 || (f & PT_FEAT_AARCH64_VA52) ||
	       !(s->features & PT_FEAT_AARCH64_VA52);
}

/* The shape of r's format at r's VA width; NULL if it has no such width. */
PT_INLINE const struct pt_shape *regime_shape(const struct pt_regime *r)
{
	const unsigned a = pt__slot(r->arch, r->features);
	const struct pt_shape *s = r->va_bits ? pt__shape_bits(a, r->va_bits) : pt__shape(a);
	return s && pt__width_ok(s, r->features) ? s : (const struct pt_shape *)0;
}
const struct pt_shape *pt__shape_widest(unsigned a);

/* Entries of type T in a 16-byte vector. */
#define PT_LANES(T) (16u / sizeof(T))

/* Small helpers shared by api.c and the engine. */

/* Is root entry i shared from another table (pt_copy_from)? */
PT_INLINE bool pt__root_shared(const struct pt_table *t, size_t i)
{
	return (t->shared[i / 64] >> (i % 64)) & 1;
}

/* Is a one of the EPT formats? */
PT_INLINE bool pt__is_ept(enum pt_arch a)
{
	return a == PT_X86_64_EPT || a == PT_X86_64_EPT5;
}

/* Is a an AArch64 stage-1 format (any granule)? */
PT_INLINE bool pt__is_a64_s1(enum pt_arch a)
{
	return a == PT_AARCH64 || a == PT_AARCH64_16K || a == PT_AARCH64_64K;
}

/* Is a one of the RISC-V G-stage formats? */
PT_INLINE bool pt__is_gstage(enum pt_arch a)
{
	return a == PT_RISCV_SV39X4 || a == PT_RISCV_SV48X4 || a == PT_RISCV_SV57X4;
}

/* The mapping flags a format (with these features) can express at all.
 * Stage-2 formats have no user/supervisor split and no ASIDs: no USER, no
 * GLOBAL; G-stage has no memory types (EPT's are pt__memtypes'). */
PT_INLINE uint32_t pt__flags_kept(enum pt_arch a, unsigned features)
{
	if (a >= PT_RISCV_SV39 && a <= PT_RISCV_SV57 &&
	    !(features & (PT_FEAT_RISCV_SVPBMT | PT_FEAT_RISCV_XUANTIE)))
		return PT_FLAGS_ALL & ~(PT_DEVICE | PT_UNCACHED | PT_WC);
	if (pt__is_ept(a))
		return PT_FLAGS_ALL & ~(PT_USER | PT_GLOBAL);
	if (pt__is_gstage(a))
		return PT_FLAGS_ALL & ~(PT_DEVICE | PT_UNCACHED | PT_WC | PT_USER | PT_GLOBAL);
	if ((pt__is_a64_s1(a) && (features & PT_FEAT_AARCH64_EL2)) || a == PT_AARCH64_S2)
		return PT_FLAGS_ALL & ~(PT_USER | PT_GLOBAL);
	if (a == PT_ARMV7)
		return PT_FLAGS_ALL & ~(PT_SW0 | PT_SW1);
	return PT_FLAGS_ALL;
}

/* How a format writes the weaker memory types (pt__norm). */
enum {
	PT__MT_WC,       /* WC kept (x86: PAT entry 1) */
	PT__MT_WC_UC,    /* WC written as UNCACHED (every other format) */
	PT__MT_UC_DEV,   /* WC kept, UNCACHED written as DEVICE (EPT: UC) */
};

PT_INLINE unsigned char pt__memtypes(enum pt_arch a)
{
	if (a == PT_X86_64 || a == PT_X86_64_LA57)
		return PT__MT_WC;
	return pt__is_ept(a) ? PT__MT_UC_DEV : PT__MT_WC_UC;
}

/* Flags as the format stores them: those it keeps, the strongest memory
 * type alone. */
PT_INLINE uint32_t pt__norm(uint32_t flags, uint32_t kept, unsigned char memtypes)
{
	flags &= kept;
	if (PT_UNLIKELY(flags & (PT_DEVICE | PT_UNCACHED | PT_WC))) {
		if ((flags & PT_UNCACHED) && memtypes == PT__MT_UC_DEV)
			flags |= PT_DEVICE;
		if (flags & PT_DEVICE)
			flags &= ~(PT_UNCACHED | PT_WC);
		else if ((flags & PT_UNCACHED) || memtypes == PT__MT_WC_UC)
			flags = (flags & ~PT_WC) | PT_UNCACHED;
	}
	return flags;
}

/* pt__norm for t's format, from what pt_init worked out. */
PT_INLINE uint32_t pt__normalize_for(const struct pt_table *t, uint32_t flags)
{
	return pt__norm(flags, t->flags_kept, t->memtypes);
}

/* A new leaf's state: accessed, and dirty when writable, so nobody takes a
 * fault they did not ask for. */
PT_INLINE uint32_t pt__fresh(uint32_t flags)
{
	return flags | PT_ACCESSED | (flags & PT_WRITE ? PT_DIRTY : 0u);
}

/* Bytes of one table at level l (what a table entry must be aligned to). */
PT_INLINE uint64_t pt__table_bytes(const struct pt_shape *s, unsigned l)
{
	return (uint64_t)s->entries[l] * s->pte_bytes;
}

/* Frames of one allocation for a table below the root: every level below
 * the root has tables of the same size (several packed to a frame, or
 * several frames to a table), aligned to it. */
PT_INLINE size_t pt__sub_frames(const struct pt_shape *s)
{
	return s->frames[s->info.levels > 1 ? s->info.levels - 1 : 0];
}

/* The page: what a last-level entry maps, the unit of region calls. */
PT_INLINE uint64_t pt__page(const struct pt_shape *s)
{
	return UINT64_C(1) << s->shift[s->info.levels - 1];
}

PT_INLINE uint64_t pt__span(const struct pt_shape *s, unsigned level)
{
	return UINT64_C(1) << s->shift[level];
}

/* Is f a feature set of shape s? EL2 without VHE has a single (lower) VA
 * range; a RISC-V table has one memory-type scheme. */
PT_INLINE bool pt__features_ok(const struct pt_shape *s, unsigned f)
{
	return !(f & ~s->features) &&
	       !((f & PT_FEAT_RISCV_XUANTIE) && (f & (PT_FEAT_RISCV_SVPBMT | PT_FEAT_RISCV_SVNAPOT))) &&
	       !((f & PT_FEAT_AARCH64_EL2) && (f & PT_FEAT_AARCH64_HIGH));
}

/* Is va canonical for the table (the half it serves, on AArch64)? */
PT_INLINE bool pt__va_ok(const struct pt_shape *s, unsigned feat, uint64_t va)
{
	unsigned bits = s->info.va_bits;
	uint64_t hi = va >> (bits - 1); /* the top VA bit and everything above */
	if (s->sign_extend)
		return hi == 0 || hi == (UINT64_MAX >> (bits - 1));
	/* AArch64: bits 63..bits all 0 (TTBR0) or all 1 (TTBR1); ARMv7:
	 * below 2^32. */
	hi = va >> bits;
	if (feat & PT_FEAT_AARCH64_HIGH)
		return hi == (UINT64_MAX >> bits);
	return hi == 0;
}

/* The VA as software sees it: sign-extended, or in the AArch64 upper half. */
PT_INLINE uint64_t pt__canon(const struct pt_shape *s, unsigned feat, uint64_t va)
{
	unsigned bits = s->info.va_bits;
	if (s->sign_extend) {
		unsigned up = 64 - bits;
		return (uint64_t)((int64_t)(va << up) >> up);
	}
	if (feat & PT_FEAT_AARCH64_HIGH)
		return va | ~((UINT64_C(1) << bits) - 1);
	return va;
}

#endif /* PT_INTERNAL_H */
