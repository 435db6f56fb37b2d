/* SPDX-License-Identifier: MIT */
/*
 * What the engine (src/) and the architectures (arch/) share.
 *
 * An architecture is a *family* of encodings (x86, aarch64, riscv, loongarch,
 * armv7) plus one or more *shapes* (the pt_shape constants below). The engine
 * is written once, in src/tmpl_*.h, and instantiated per family by
 * src/engines.c, so every hook below is a static inline call the compiler
 * folds into the engine's loops: no indirect call per entry.
 *
 * Hooks an arch/<family>.h provides, each `static inline`, named
 * arch_<family>_<hook>. `h` is the entry's height: 0 for an entry that maps
 * 4 KiB, 1 for the level above, and so on (level = levels - 1 - h). Heights
 * keep the encodings independent of how many levels a shape has.
 *
 *   typedef ... arch_<f>_pte;                 storage type of one entry
 *   int      kind(feat, h, pte)               PTK_EMPTY/TABLE/LEAF/CORRUPT
 *   bool     is_table(feat, h, pte)           kind(feat, h, pte) == PTK_TABLE
 *   bool     leaf_empty(feat, pte)            kind(feat, 0, pte) == PTK_EMPTY
 *   bool     leaf_bad(feat, pte)              kind(feat, 0, pte) == PTK_CORRUPT
 *   uint64_t table_pa(h, pte)                 next table of a PTK_TABLE entry
 *   uint64_t leaf_pa(h, pte)                  base PA of a PTK_LEAF entry
 *   uint32_t leaf_flags(feat, h, pte)         normalised flags of a PTK_LEAF
 *   uint64_t table(h, pa)                     entry pointing at table pa
 *   uint64_t leaf_attrs(feat, h, flags)       every bit of a leaf but its PA
 *   uint64_t out(pa)                          the PA field of a leaf; linear
 *   bool     needs_bbm(h, old, new)           break-before-make required
 *
 * and two constants, arch_<family>_LEAF_BITS and arch_<family>_DIR_BITS:
 * the index bits of a last-level table and of the directory above it,
 * which every shape of a family shares.
 */
#ifndef PT_INTERNAL_H
#define PT_INTERNAL_H

#include "pt.h"

enum pt_kind { PTK_EMPTY, PTK_TABLE, PTK_LEAF, PTK_CORRUPT };

/* Arch hooks run once per entry in the engine's loops: they must fold into
 * them, whatever the compiler's size heuristics say. */
#define PT_HOOK static inline __attribute__((always_inline))

/* The engine's own small helpers on the per-entry and per-call paths, for
 * the same reason: the five families share one translation unit, and GCC's
 * unit-growth limit once turned riscv's kind() into a call when unrelated
 * code was added (sv39/sv48 single-page unmap 35% slower, same count of
 * instructions). */
#define PT_INLINE static inline __attribute__((always_inline))

#define PT_FRAME_SIZE 4096u

/* Branch layout for the per-page fast paths: a taken branch costs more
 * than the instructions around it there, so the hot case falls through. */
#define PT_LIKELY(x) __builtin_expect(!!(x), 1)
#define PT_UNLIKELY(x) __builtin_expect(!!(x), 0)

/* The shape of one format: pure data, no code (STYLE §2). */
struct pt_shape {
	struct pt_arch_info info;
	unsigned char shift[PT_MAX_LEVELS];  /* VA bit where the level's index starts */
	unsigned short entries[PT_MAX_LEVELS];
	unsigned char pte_bytes;             /* 8, or 4 for ARMv7 */
	unsigned char frames[PT_MAX_LEVELS]; /* frames per table allocation */
	unsigned char per_frame[PT_MAX_LEVELS]; /* tables packed in one frame */
	unsigned char leaf_levels;           /* bit l: level l may hold leaves */
	bool sign_extend;                    /* VAs are sign-extended from va_bits */
	unsigned features;                   /* feature bits this format accepts */
};

/* The fields every shape of 512 8-byte entries per one-frame table shares
 * (entries past the shape's levels are never read). */
#define PT_SHAPE_512 \
	.entries = { 512, 512, 512, 512, 512 }, .pte_bytes = 8, \
	.frames = { 1, 1, 1, 1, 1 }, .per_frame = { 1, 1, 1, 1, 1 }

typedef int (*pt__lookup_fn)(const struct pt_table *t, uint64_t va, struct pt_mapping *out);

/*
 * The per-family engine, one constant instance per family (src/engines.c).
 * Validation of arguments happens once in src/api.c; these run on checked
 * input: canonical addresses, last >= va, normalised flags.
 */
struct pt_engine {
	/* Leaves of height <= max_h wherever va, pa and the range allow. */
	int (*map)(struct pt_table *t, uint64_t va, uint64_t pa, uint64_t last,
		   uint32_t flags, unsigned max_h);
	/* pt_map on a live table, arguments unchecked: maps one 4K page
	 * when the edit hint covers it (checking only what the hint does
	 * not vouch for), else hands the call to pt__map_checked. */
	int (*map_page)(struct pt_table *t, uint64_t va, uint64_t pa, uint64_t size,
			uint32_t flags);
	/* map() of one 4K page, checked, flags valid but not normalised:
	 * walk to its last-level table, hint it, map there. */
	int (*map_walk)(struct pt_table *t, uint64_t va, uint64_t pa, uint32_t flags);
	int (*unmap)(struct pt_table *t, uint64_t va, struct pt_mapping *old);
	int (*change)(struct pt_table *t, uint64_t va, bool set_pa, uint64_t pa,
		      uint32_t flags, uint64_t *size);
	/* Point t->lookup (pt_query's lookup) at the copy for t's shape and
	 * mode (t->direct): it takes a live table and an unchecked va (the
	 * directory hint vouches for it, or the lookup checks it). */
	void (*set_lookup)(struct pt_table *t);
	/* The format's numbers for the inline fast paths (include/pt.h), for
	 * a table with or without a direct map. */
	void (*fast_facts)(struct pt_fast *f, bool direct);
	int (*clear_range)(struct pt_table *t, uint64_t va, uint64_t last,
			   bool protect, uint32_t flags);
	int (*walk)(const struct pt_table *t, const struct pt_walk_ops *ops, void *arg);
	int (*walk_ranges)(const struct pt_table *t, uint64_t va, uint64_t last,
			   int (*fn)(void *arg, const struct pt_range *r), void *arg);
	int (*walk_batches)(const struct pt_table *t, uint64_t va, uint64_t last,
			    int (*fn)(void *arg, const struct pt_batch *b), void *arg);
	void (*destroy)(struct pt_table *t);
	int (*copy_root)(struct pt_table *dst, const struct pt_table *src,
			 size_t first, size_t last);
	int (*translate)(const struct pt_shape *s, unsigned feat, uint64_t root,
			 const struct pt_mm *mm, uint64_t va, struct pt_mapping *out);
	uint64_t (*pte_leaf)(unsigned feat, unsigned h, uint64_t pa, uint32_t flags);
	uint64_t (*pte_table)(unsigned h, uint64_t pa);
	int (*decode)(unsigned feat, unsigned h, uint64_t pte, uint64_t *pa, uint32_t *flags);
};

const struct pt_shape *pt__shape(enum pt_arch a);
const struct pt_engine *pt__engine(enum pt_arch a);

extern const struct pt_engine pt__engine_x86, pt__engine_aarch64, pt__engine_riscv,
	pt__engine_loongarch, pt__engine_armv7;

/* Entries of type T in a 16-byte vector. */
#define PT_LANES(T) (16u / sizeof(T))

/* Small helpers shared by api.c and the engine. */

/* Is root entry i shared from another table (pt_copy_from)? */
PT_INLINE bool pt__root_shared(const struct pt_table *t, size_t i)
{
	return (t->shared[i / 64] >> (i % 64)) & 1;
}

/* Flags as every format stores them: only what the format can express. */
PT_INLINE uint32_t pt__normalize(enum pt_arch a, unsigned features, uint32_t flags)
{
	flags &= PT_FLAGS_ALL;
	if (flags & PT_DEVICE)
		flags &= ~PT_UNCACHED;
	if ((a == PT_RISCV_SV39 || a == PT_RISCV_SV48 || a == PT_RISCV_SV57) &&
	    !(features & (PT_FEAT_RISCV_SVPBMT | PT_FEAT_RISCV_XUANTIE)))
		flags &= ~(PT_DEVICE | PT_UNCACHED);
	if (a == PT_AARCH64 && (features & PT_FEAT_AARCH64_EL2))
		flags &= ~PT_USER;
	return flags;
}

PT_INLINE uint64_t pt__span(const struct pt_shape *s, unsigned level)
{
	return UINT64_C(1) << s->shift[level];
}

/* Is va canonical for the table (the half it serves, on AArch64)? */
PT_INLINE bool pt__va_ok(const struct pt_shape *s, unsigned feat, uint64_t va)
{
	unsigned bits = s->info.va_bits;
	uint64_t hi = va >> (bits - 1); /* the top VA bit and everything above */
	if (s->sign_extend)
		return hi == 0 || hi == (UINT64_MAX >> (bits - 1));
	if (bits == 32)
		return va >> 32 == 0;
	/* AArch64: top 16 bits all 0 (TTBR0) or all 1 (TTBR1). */
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
