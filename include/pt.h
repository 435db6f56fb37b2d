/* SPDX-License-Identifier: MIT */
/*
 * libpt: build, edit, query and walk hardware page tables for several CPU
 * architectures through one API.
 *
 * Conventions used throughout:
 *  - Level 0 is the root table; level (levels - 1) holds 4 KiB pages.
 *  - Ranges are half-open: [va, va + size).
 *  - Every fallible call returns PT_OK (0) or a negative PT_ERR_* value.
 *  - The library owns no memory: every table frame comes from, and goes back
 *    to, the caller's struct pt_mm hooks.
 *  - Nothing is global: one struct pt_table is one address space; calls on
 *    different tables may run concurrently, calls on one table are serialised
 *    by the caller (the MMU may walk it meanwhile: each entry is one store).
 */
#ifndef PT_H
#define PT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* What the shared library exports: the API below and nothing else. */
#if defined(__GNUC__) || defined(__clang__)
#define PT_API __attribute__((__visibility__("default")))
#else
#define PT_API
#endif

/* ---- Errors ------------------------------------------------------------ */

enum {
	PT_OK = 0,
	PT_ERR_NO_MEMORY = -1,          /* a frame allocation failed */
	PT_ERR_NOT_ALIGNED = -2,        /* va, pa or size not aligned as required */
	PT_ERR_NOT_MAPPED = -3,         /* nothing mapped at va */
	PT_ERR_ALREADY_MAPPED = -4,     /* a leaf already occupies the range */
	PT_ERR_MAPPED_TO_HUGE_PAGE = -5, /* a huge page covers va */
	PT_ERR_INVALID = -6,            /* bad argument (flags, size, va, pa, NULL) */
	PT_ERR_CORRUPT = -7,            /* a table holds an entry libpt cannot trust */
	PT_ERR_FAULT = -8,              /* the access faults (pt_access: *fault says why) */
};

/* A static, human-readable name for err; "unknown error" for other values. */
PT_API const char *pt_strerror(int err);

/* ---- Architectures ----------------------------------------------------- */

enum pt_arch {
	PT_X86_64,      /* 4-level, 48-bit VA, 52-bit PA; 4K, 2M, 1G */
	PT_X86_64_LA57, /* 5-level, 57-bit VA, 52-bit PA; 4K, 2M, 1G */
	PT_AARCH64,     /* VMSAv8-64 stage 1, 4K granule, 48-bit VA/PA; 4K, 2M, 1G
			 * (52-bit PA and 512G with PT_FEAT_AARCH64_PA52) */
	PT_RISCV_SV39,  /* 3-level, 39-bit VA, 56-bit PA; 4K, 2M, 1G */
	PT_RISCV_SV48,  /* 4-level, 48-bit VA; 4K, 2M, 1G, 512G */
	PT_RISCV_SV57,  /* 5-level, 57-bit VA; 4K, 2M, 1G, 512G, 256T */
	PT_LOONGARCH64, /* 4-level, 48-bit VA/PA; 4K, 2M, 1G */
	PT_ARMV7,       /* short descriptors, 32-bit VA/PA; 4K, 1M */
	/* Stage-2 (nested) tables: guest-physical to host-physical. */
	PT_X86_64_EPT,  /* Intel EPT, 4-level, 48-bit GPA, 52-bit PA; 4K, 2M, 1G */
	PT_X86_64_EPT5, /* Intel EPT, 5-level, 57-bit GPA, 52-bit PA; 4K, 2M, 1G */
	/* VMSAv8-64 stage 2, 4K granule, 48-bit PA; IPA 32..48 bits (va_bits,
	 * default 40): 2 levels up to 34 bits, 3 up to 43, 4 above, the root
	 * 1 to 16 concatenated tables; 4K, 2M, 1G (1G from 35 bits) */
	PT_AARCH64_S2,
	PT_RISCV_SV39X4, /* G-stage, 41-bit GPA, 16 KiB root; as Sv39 */
	PT_RISCV_SV48X4, /* G-stage, 50-bit GPA, 16 KiB root; as Sv48 */
	PT_RISCV_SV57X4, /* G-stage, 59-bit GPA, 16 KiB root; as Sv57 */
	/* VMSAv8-64 stage 1 with larger granules (the page is the granule),
	 * 48-bit PA, features as PT_AARCH64; va_bits picks the levels. */
	PT_AARCH64_16K, /* 16 KiB granule, 26..48-bit VA (default 48: 4 levels, a
			 * 2-entry root; 37..47: 3; 26..36: 2); 16K, 32M; with
			 * PT_FEAT_AARCH64_PA52 a 52-bit PA, 64G, and 49..52-bit
			 * VAs with PT_FEAT_AARCH64_VA52 (4 levels) */
	PT_AARCH64_64K, /* 64 KiB granule, 30..48-bit VA (default 48: 3 levels, a
			 * 64-entry root; 30..42: 2); 64K, 512M; 49..52-bit VAs
			 * with PT_FEAT_AARCH64_VA52 (a root of up to 1024
			 * entries, 8 KiB); a 52-bit PA and 4T with
			 * PT_FEAT_AARCH64_PA52 */
	PT_ARCH_COUNT
};

/* Feature bits for pt_init's `features` (0 = the default regime). */
#define PT_FEAT_AARCH64_EL2   (1u << 0) /* EL2 stage 1: no EL0 access, XN from EXECUTE */
#define PT_FEAT_AARCH64_HIGH  (1u << 1) /* table serves the TTBR1 (upper) VA half */
#define PT_FEAT_RISCV_SVPBMT  (1u << 2) /* Svpbmt bits 62:61: DEVICE->IO, UNCACHED->NC */
#define PT_FEAT_RISCV_XUANTIE (1u << 3) /* T-Head C9xx memory types in bits 63:60 */
#define PT_FEAT_EPT_AD        (1u << 4) /* EPT accessed/dirty flags (EPTP bit 6): A(8), D(9) */
/* 52-bit output addresses on AArch64 stage 1: FEAT_LPA2 with TCR.DS = 1 on
 * the 4K and 16K granules (OA[51:50] in bits 9:8, OA[49:48] in 49:48,
 * shareability from TCR; blocks of 512G and 64G), FEAT_LPA on 64K
 * (OA[51:48] in bits 15:12; 4T blocks). */
#define PT_FEAT_AARCH64_PA52  (1u << 5)
/* VAs of 49..52 bits on AArch64 stage 1: FEAT_LVA on 64K, and 16K with
 * PT_FEAT_AARCH64_PA52 (FEAT_LPA2). */
#define PT_FEAT_AARCH64_VA52  (1u << 6)
/* RISC-V Svnapot: pt_map_region with PT_ALLOW_HUGE writes 64 KiB NAPOT
 * leaves (N set, PPN[3:0] = 0b1000 in all 16 entries) where a run of 16
 * aligned pages qualifies. Tables are read with NAPOT leaves whether or
 * not it is set (each entry reported as its own 4 KiB page); not with
 * PT_FEAT_RISCV_XUANTIE, whose memory types own bit 63. */
#define PT_FEAT_RISCV_SVNAPOT (1u << 7)
#define PT_FEAT_ALL (PT_FEAT_AARCH64_EL2 | PT_FEAT_AARCH64_HIGH | \
		     PT_FEAT_RISCV_SVPBMT | PT_FEAT_RISCV_XUANTIE | PT_FEAT_EPT_AD | \
		     PT_FEAT_AARCH64_PA52 | PT_FEAT_AARCH64_VA52 | PT_FEAT_RISCV_SVNAPOT)

/* ---- Mapping flags (same values as the Rust crate page_table_multiarch) */

#define PT_READ     (1u << 0) /* required on every mapping */
#define PT_WRITE    (1u << 1)
#define PT_EXECUTE  (1u << 2)
#define PT_USER     (1u << 3)
#define PT_DEVICE   (1u << 4) /* device memory; wins over UNCACHED */
#define PT_UNCACHED (1u << 5) /* normal non-cacheable memory; wins over WC */
#define PT_GLOBAL   (1u << 6) /* the same in every address space: not tagged by ASID */
#define PT_WC       (1u << 7) /* write-combining (x86 PAT entry 1; else UNCACHED) */
#define PT_SW0      (1u << 8) /* the OS's own: stored in bits the MMU ignores */
#define PT_SW1      (1u << 9) /* (not on ARMv7, which has none: PT_ERR_INVALID) */
#define PT_FLAGS_ALL 0x3ffu

/*
 * Access state, reported in `state` (struct pt_mapping, struct pt_entry),
 * never a mapping flag: the MMU sets it (x86; AArch64 with FEAT_HAFDBS and
 * TCR.HA/HD; RISC-V with Svadu), or the OS's fault handler (pt_set_state).
 * New leaves are accessed, and dirty when writable. ARMv7, with neither
 * bit, reports every leaf accessed and every writable leaf dirty.
 */
#define PT_ACCESSED (1u << 16)
#define PT_DIRTY    (1u << 17)
#define PT_STATE_ALL (PT_ACCESSED | PT_DIRTY)

/* ---- Sizes ------------------------------------------------------------- */

#define PT_SIZE_4K   (UINT64_C(1) << 12)
#define PT_SIZE_16K  (UINT64_C(1) << 14)
#define PT_SIZE_64K  (UINT64_C(1) << 16)
#define PT_SIZE_1M   (UINT64_C(1) << 20)
#define PT_SIZE_2M   (UINT64_C(1) << 21)
#define PT_SIZE_32M  (UINT64_C(1) << 25)
#define PT_SIZE_512M (UINT64_C(1) << 29)
#define PT_SIZE_1G   (UINT64_C(1) << 30)
#define PT_SIZE_64G  (UINT64_C(1) << 36)
#define PT_SIZE_512G (UINT64_C(1) << 39)
#define PT_SIZE_4T   (UINT64_C(1) << 42)
#define PT_SIZE_256T (UINT64_C(1) << 48)

#define PT_MAX_LEVELS 5
#define PT_FLUSH_MAX 32      /* recorded VAs before pt_flush flushes everything */
#define PT_FREE_MAX 64       /* detached table frames held for pt_flush (see there) */
#define PT_FREE_BATCH 16     /* most allocations a pt_set_free_batch hook call takes */
#define PT_MAX_ROOT_ENTRIES 8192 /* a 43-bit stage 2: 16 concatenated tables */

/* ---- Caller's memory hooks --------------------------------------------- */

struct pt_mm {
	/* Allocate `count` physically contiguous 4 KiB frames aligned to
	 * `align` bytes; store the first one's PA in *pa and return 0. Any other
	 * return, or a PA of 0, is a failure. Frames may hold garbage. */
	int (*alloc_frames)(void *ctx, size_t count, size_t align, uint64_t *pa);
	/* Give back `count` frames starting at `pa`, exactly as allocated. A
	 * table frame comes back only after a flush_tlb(all = true) made after
	 * it left the tree (see pt_flush). */
	void (*free_frames)(void *ctx, uint64_t pa, size_t count);
	/* A pointer through which the frame at `pa` can be read and written, or
	 * NULL if it is not accessible. Frames of one allocation must be
	 * contiguous in the returned mapping. */
	void *(*phys_to_virt)(void *ctx, uint64_t pa);
	/* Invalidate the TLB for `va` (or everything when `all`). May be NULL. */
	void (*flush_tlb)(void *ctx, uint64_t va, bool all);
	void *ctx;
};

/* Gives back n allocations of `count` frames each, the i-th at pa[i], each
 * as mm->free_frames would (1 <= n <= PT_FREE_BATCH; pa is valid during
 * the call only); ctx is mm->ctx. */
typedef void pt_free_batch_fn(void *ctx, const uint64_t *pa, size_t n, size_t count);

/* One translation: the output address, normalised flags, access state
 * (PT_ACCESSED, PT_DIRTY) and leaf size. */
struct pt_mapping {
	uint64_t pa;
	uint32_t flags;
	uint32_t state;
	uint64_t size;
};

/* One address space: struct pt_table. Its layout is private (every field
 * belongs to libpt), in a header of its own. */
#include "pt/table.h"

/* ---- Life cycle -------------------------------------------------------- */

/*
 * Initialise `t` as an empty address space of format `arch` with features,
 * allocating its root table through `mm` (copied into `t`). Errors:
 * PT_ERR_INVALID (NULL t or mm, missing alloc/free/phys_to_virt hook,
 * unknown arch, feature not of this arch, SVPBMT with XUANTIE, EL2 with
 * HIGH), PT_ERR_NO_MEMORY.
 */
PT_API int pt_init(struct pt_table *t, enum pt_arch arch, unsigned features,
	    const struct pt_mm *mm);

/* A format with its features and VA (IPA) width. */
struct pt_config {
	enum pt_arch arch;
	unsigned features;   /* PT_FEAT_* as for pt_init */
	unsigned va_bits;    /* 0: the format's default (pt_arch_info) */
};

/*
 * pt_init for the format, features and VA width of *cfg; pt_init is this
 * with va_bits 0. A width decides the levels and the root's size (see each
 * format in enum pt_arch; formats without a range have only their
 * default). Errors: as pt_init, and PT_ERR_INVALID for a NULL cfg or a
 * width the format does not have.
 */
PT_API int pt_init_config(struct pt_table *t, const struct pt_config *cfg,
			  const struct pt_mm *mm);

/*
 * Free every table frame `t` owns (never a subtree shared by pt_copy_from),
 * those waiting for pt_flush too, at once and without a TLB flush: the
 * caller has switched away from the table. Leave `t` dead (further calls
 * fail with PT_ERR_INVALID); mapped frames are the caller's, untouched.
 * NULL or dead: no-op.
 */
PT_API void pt_destroy(struct pt_table *t);

/* PA of the root table (what goes into CR3 / TTBR / satp / PGD), 0 if dead. */
PT_API uint64_t pt_root(const struct pt_table *t);

/*
 * Extension: every table frame of t, present and future, is at virtual
 * address pa + offset (0 for an identity map, the direct-map base in a
 * kernel), so libpt computes table addresses instead of calling
 * mm->phys_to_virt (which pt_translate still uses). The caller vouches for
 * it. Errors: PT_ERR_INVALID (NULL or dead t).
 */
PT_API int pt_set_direct_map(struct pt_table *t, uint64_t offset);

/*
 * Extension: table frames that go together (a subtree a region call or
 * pt_destroy takes down, those pt_flush releases) come back through fn, a
 * batch a call, instead of one mm->free_frames call each; under the same
 * rules (after the flush that pt_flush describes). NULL turns it off, as
 * pt_init leaves it. Errors: PT_ERR_INVALID (NULL or dead t).
 */
PT_API int pt_set_free_batch(struct pt_table *t, pt_free_batch_fn *fn);

/* ---- Single-leaf operations ------------------------------------------- */

/*
 * Map one leaf of `size` (a leaf size of the format) at va -> pa. Missing
 * tables are allocated and zeroed; an empty subtree in the way is replaced
 * and freed. Errors: PT_ERR_INVALID (flags, size, non-canonical va, pa too
 * wide, shared range), PT_ERR_NOT_ALIGNED, PT_ERR_ALREADY_MAPPED (a leaf in
 * the slot, or a table with a leaf below it), PT_ERR_MAPPED_TO_HUGE_PAGE,
 * PT_ERR_NO_MEMORY, PT_ERR_CORRUPT. On error nothing changed.
 * The fast case, inlined into the caller (include/pt/inline.h): a 4K page
 * with the previous page's flags, into an empty slot of the last-level
 * table that page went to (one load, one store). Any other 4K page under
 * the directory the last edit went through starts there, as pt_query does.
 */
PT_API int pt_map(struct pt_table *t, uint64_t va, uint64_t pa, uint64_t size, uint32_t flags);

/*
 * Remove the whole leaf containing va; store what it mapped (base PA) in
 * *old if non-NULL. O(levels): emptied tables are not reclaimed.
 * Errors: PT_ERR_INVALID, PT_ERR_NOT_MAPPED, PT_ERR_CORRUPT.
 */
PT_API int pt_unmap(struct pt_table *t, uint64_t va, struct pt_mapping *old);

/*
 * Point the whole leaf containing va at pa (aligned to the leaf size) with
 * new flags; report the leaf size in *size if non-NULL.
 * Errors: PT_ERR_INVALID, PT_ERR_NOT_ALIGNED, PT_ERR_NOT_MAPPED, PT_ERR_CORRUPT.
 */
PT_API int pt_remap(struct pt_table *t, uint64_t va, uint64_t pa, uint32_t flags, uint64_t *size);

/*
 * Change the flags of the whole leaf containing va; report its size in *size
 * if non-NULL. The leaf keeps its access state and PT_SW0/PT_SW1 (those in
 * flags are ignored: flags read back from pt_query can be passed as they
 * are); one gaining PT_WRITE is made dirty. Where the MMU could set the
 * accessed or dirty bit, a compare-and-swap keeps a bit set meanwhile.
 * Errors: PT_ERR_INVALID, PT_ERR_NOT_MAPPED, PT_ERR_CORRUPT.
 */
PT_API int pt_protect(struct pt_table *t, uint64_t va, uint32_t flags, uint64_t *size);

/*
 * Translate va: out->pa is va's own physical address (leaf base + offset),
 * out->flags the normalised flags, out->size the leaf size. Errors:
 * PT_ERR_INVALID, PT_ERR_NOT_MAPPED, PT_ERR_CORRUPT; on any error *out
 * (unless out is NULL) is zeroed.
 * Under the directory the last edit went through (1 GiB of VA; 4 GiB on
 * ARMv7) the lookup reads two entries, not one per level: libpt trusts the
 * upper levels of its own tables, which only it writes (an entry anyone
 * else overwrote is still reported corrupt where it is read; pt_translate
 * reads every level). With a direct map (pt_set_direct_map), such a lookup
 * finding a 4K leaf with the table's last mapped flags is inlined into the
 * caller (include/pt/inline.h).
 */
PT_API int pt_query(const struct pt_table *t, uint64_t va, struct pt_mapping *out);

/* ---- Region operations (atomic: on error the table is unchanged) ------- */

#define PT_ALLOW_HUGE 1u

/*
 * Map [va, va + size) to [pa, pa + size), all three 4K-aligned: with
 * PT_ALLOW_HUGE in the largest leaves va, pa and the size allow, else in 4K
 * pages. Errors as pt_map, for the first failing page in VA order;
 * wrap-around or a non-canonical end is PT_ERR_INVALID.
 */
PT_API int pt_map_region(struct pt_table *t, uint64_t va, uint64_t pa, uint64_t size,
		  uint32_t flags, unsigned opts);

/*
 * Unmap every leaf in [va, va + size); holes are fine (a range with nothing
 * mapped is PT_OK). A huge page that straddles an edge is split (this
 * allocates) so only the range goes. Every table whose span meets the range
 * and is left without a present entry is freed (never the root). An entry
 * that cannot be decoded is cleared if it lies wholly inside the range,
 * never followed. Errors: PT_ERR_INVALID (also size 0), PT_ERR_NOT_ALIGNED,
 * PT_ERR_NO_MEMORY, PT_ERR_CORRUPT (an undecodable entry across an edge).
 */
PT_API int pt_unmap_region(struct pt_table *t, uint64_t va, uint64_t size);

/*
 * Give every leaf in [va, va + size) the new flags; holes are fine; huge
 * pages straddling an edge are split, unless they already have these flags.
 * Errors as pt_unmap_region, and PT_ERR_CORRUPT for any undecodable entry
 * in the range.
 */
PT_API int pt_protect_region(struct pt_table *t, uint64_t va, uint64_t size, uint32_t flags);

/*
 * Test and clear: in every leaf overlapping [va, va + size), clear the
 * `state` bits asked for (PT_ACCESSED, PT_DIRTY, PT_SW0, PT_SW1) and record
 * its VA; a compare-and-swap where the MMU could set a bit meanwhile, so
 * such a bit is kept for the next round. With a bitmap, bit i
 * (bitmap[i / 64] >> (i % 64)) is set for each 4K page va + i * 4K under a
 * leaf that had any of them (a huge leaf, cleared whole, marks all its
 * pages in the range). The next access or write sets the bit again, or
 * faults and the OS calls pt_set_state. Errors: PT_ERR_INVALID (NULL or
 * dead t, state 0 or outside ACCESSED|DIRTY|SW0|SW1, a bit the format
 * cannot clear, range as for region calls), PT_ERR_CORRUPT (nothing
 * changed).
 */
PT_API int pt_clear_state(struct pt_table *t, uint64_t va, uint64_t size, uint32_t state,
			  uint64_t *bitmap);

/*
 * The fault handler's half: mark the leaf containing va accessed and/or
 * dirty (DIRTY needs a writable leaf), or set PT_SW0/PT_SW1; records va
 * when the entry changed. Errors: PT_ERR_INVALID (also DIRTY on a leaf
 * without PT_WRITE), PT_ERR_NOT_MAPPED, PT_ERR_CORRUPT.
 */
PT_API int pt_set_state(struct pt_table *t, uint64_t va, uint32_t state);

/*
 * Make dst share src's root entries covering [va, va + size) (the kernel
 * half of every process, say): every root entry the 4K-aligned range
 * touches, whole; only src's non-empty ones are copied. dst never frees
 * nor edits a shared subtree (its edits touching one fail with
 * PT_ERR_INVALID). Not reference-counted: src must outlive dst's use and
 * not unmap_region (which reclaims) the tables it shares.
 * Errors: PT_ERR_INVALID (different format or features, NULL, range as for
 * region calls), PT_ERR_NOT_ALIGNED, PT_ERR_ALREADY_MAPPED (dst already
 * uses a root entry the range touches), PT_ERR_CORRUPT.
 */
PT_API int pt_copy_from(struct pt_table *dst, const struct pt_table *src, uint64_t va, uint64_t size);

/*
 * Hand every VA recorded since the last flush to mm->flush_tlb (one call
 * with all = true after more than PT_FLUSH_MAX records) and forget them.
 * Each leaf written or cleared records its base VA (a split huge page
 * once); removing or replacing a table entry asks for a full flush, as walk
 * caches may hold it for its whole span (RISC-V sfence.vma with an address
 * covers leaves only). Break-before-make on Arm formats calls flush_tlb at
 * once, inside the editing call, as the architecture requires.
 *
 * Table frames an edit takes out of the tree (reclaimed by
 * pt_unmap_region, an empty subtree a map replaces, a subtree under a new
 * huge leaf) may be read by the MMU or a walk cache until the TLB forgot
 * them, so with a flush_tlb hook they wait in t until pt_flush's call with
 * all = true, then go to mm->free_frames (or pt_set_free_batch's hook). A
 * call that would hold more than PT_FREE_MAX of them makes that flush and
 * frees them itself. libpt never writes a frame that left the tree. Without a
 * flush_tlb hook frames are freed at once.
 */
PT_API void pt_flush(struct pt_table *t);

/* ---- Walking ----------------------------------------------------------- */

/* One present entry seen by pt_walk. For a table entry: leaf is false, pa is
 * the next table's PA, size the VA span the entry covers, flags 0. */
struct pt_entry {
	unsigned level;
	size_t index;
	uint64_t va;      /* canonical (sign-extended) VA of the entry's span */
	uint64_t pte;     /* raw entry */
	bool leaf;
	uint64_t pa;
	uint32_t flags;   /* normalised flags of a leaf */
	uint32_t state;   /* a leaf's access state (PT_ACCESSED, PT_DIRTY) */
	uint64_t size;
};

struct pt_walk_ops {
	size_t limit; /* present entries visited per table; 0 = no limit */
	int (*pre)(void *arg, const struct pt_entry *e);  /* may be NULL */
	int (*post)(void *arg, const struct pt_entry *e); /* may be NULL */
};

/*
 * Visit present entries depth-first in VA order: pre before descending into
 * a table (and for each leaf), post after. A non-zero callback result stops
 * the walk and is returned. Errors: PT_ERR_INVALID, PT_ERR_CORRUPT (an entry
 * that is neither empty, table nor leaf; the walk stops there).
 */
PT_API int pt_walk(const struct pt_table *t, const struct pt_walk_ops *ops, void *arg);

/*
 * Extension: the mappings in [va, va + size) as coalesced ranges, in VA
 * order, clipped to the window: consecutive leaves of one size, contiguous
 * in VA and PA, with equal flags, form one range. For dumps of large
 * address spaces: a uniform leaf costs a compare, fn runs once per range.
 * A non-zero fn result stops the walk and is returned. Errors:
 * PT_ERR_INVALID (NULL t or fn, window not 4K-aligned, empty, wrapping or
 * non-canonical), PT_ERR_CORRUPT (the walk stops there).
 */
struct pt_range {
	uint64_t va;        /* canonical start */
	uint64_t pa;
	uint64_t size;
	uint64_t leaf_size; /* every leaf in the range has this size */
	uint32_t flags;     /* normalised flags */
};
PT_API int pt_walk_ranges(const struct pt_table *t, uint64_t va, uint64_t size,
		   int (*fn)(void *arg, const struct pt_range *r), void *arg);

/* Extension: the leaves in batches, by callback (pt_walk_batches) or as an
 * iterator the caller drives (struct pt_cursor, PT_FOR_EACH_BATCH). */
#include "pt/batch.h"

/* ---- Entry encoding (pure functions, no table needed) ------------------ */

/* `level` counts from the root of the format's widest table (the most
 * levels): on AArch64 the Arm lookup level, so a table of fewer levels
 * (a narrower stage 2) numbers its own level l as widest levels - its
 * levels + l. */

/* The leaf entry mapping pa with flags at `level`, accessed, and dirty if
 * writable, as a new leaf is; 0 if the arguments are invalid (bad
 * arch/features/level/flags, pa unaligned or too wide). */
PT_API uint64_t pt_pte_page(enum pt_arch a, unsigned features, unsigned level, uint64_t pa, uint32_t flags);

/* The table entry at `level` pointing to a table at pa; 0 if invalid. */
PT_API uint64_t pt_pte_table(enum pt_arch a, unsigned level, uint64_t pa);

/*
 * Decode `pte` found at `level`. Fills out (level, pte, leaf, pa, flags,
 * state, size; index and va are set to 0); a RISC-V Svnapot leaf, which
 * all 16 pages of a run hold alike, as the 64 KiB run. Errors:
 * PT_ERR_NOT_MAPPED (empty entry),
 * PT_ERR_CORRUPT (reserved encoding), PT_ERR_INVALID (bad arch, features,
 * level or NULL out).
 */
PT_API int pt_pte_decode(enum pt_arch a, unsigned features, unsigned level, uint64_t pte,
		  struct pt_entry *out);

/* What decoding an entry written with `flags` gives back: the strongest
 * memory type wins (DEVICE > UNCACHED > WC) and the others are cleared; WC
 * is UNCACHED everywhere but x86; RISC-V without SVPBMT/XUANTIE drops all
 * three; AArch64 EL2 drops USER and GLOBAL; ARMv7 has no PT_SW0/PT_SW1. */
PT_API uint32_t pt_flags_normalize(enum pt_arch a, unsigned features, uint32_t flags);

/* ---- Format metadata --------------------------------------------------- */

struct pt_arch_info {
	const char *name;
	unsigned levels, va_bits, pa_bits;
	uint64_t leaf_sizes; /* OR of the supported PT_SIZE_* */
};

/* Metadata for a at its default width, or NULL if a is unknown. */
PT_API const struct pt_arch_info *pt_arch_info(enum pt_arch a);
/* va is canonical for the format at its widest (AArch64: either half). */
PT_API bool pt_va_valid(enum pt_arch a, uint64_t va);
/* pa is below 2^pa_bits. */
PT_API bool pt_pa_valid(enum pt_arch a, uint64_t pa);

/* ---- Switching the tables on ------------------------------------------- */

#define PT_AARCH64_MAIR   0x44ff04u /* Attr0 Device-nGnRE, Attr1 Normal WB, Attr2 Normal NC */
/* The x86 PAT MSR the memory types assume (Linux's): entries 0..7 are WB,
 * WC, UC-, UC, WB, WP, UC-, WT, so PWT alone is WC. */
#define PT_X86_PAT UINT64_C(0x0407050600070106)
/*
 * LoongArch hardware walk (lddir/ldpte in a TLB refill handler) with these
 * values. Caveat: an empty directory entry is 0 and lddir/ldpte have no
 * "not present" test, so the walk for an unmapped VA reads physical frame 0
 * as a table. Keep frame 0 all zero and never hand it out (libpt refuses PA
 * 0 from the allocator), or test for 0 in the refill handler.
 */
#define PT_LOONGARCH_PWCL (12u | 9u << 5 | 21u << 10 | 9u << 15 | 30u << 20 | 9u << 25)
#define PT_LOONGARCH_PWCH (39u | 9u << 6)

/* RISC-V satp value: MODE | ASID | root PPN; 0 for other formats or dead t. */
PT_API uint64_t pt_satp(const struct pt_table *t, uint16_t asid);

/*
 * VTCR_EL2 for a PT_AARCH64_S2 table: T0SZ (5:0) = 64 - IPA bits, SL0
 * (7:6) its start level (0: Arm level 2, 1: level 1, 2: level 0), IRGN0
 * and ORGN0 (9:8, 11:10) write-back, SH0 (13:12) inner shareable, TG0
 * (15:14) 4K, PS (18:16) 48-bit, VS (19) 16-bit VMIDs (FEAT_VMID16; clear
 * it, and use VMIDs below 256, without), RES1 bit 31. HA, HD and the rest
 * are the caller's to OR in. 0 for other formats or dead t.
 */
PT_API uint64_t pt_vtcr(const struct pt_table *t);

/*
 * TCR_ELx fields for an AArch64 stage-1 table (PT_AARCH64, _16K, _64K), for
 * the half it serves: without PT_FEAT_AARCH64_HIGH T0SZ (5:0) = 64 - VA
 * bits, IRGN0 and ORGN0 (9:8, 11:10) write-back, SH0 (13:12) inner
 * shareable, TG0 (15:14: 4K 0, 64K 1, 16K 2); with it the same fields of
 * TTBR1 16 bits higher (T1SZ 21:16 ... TG1 31:30: 16K 1, 4K 2, 64K 3).
 * IPS (34:32) 48-bit; with PT_FEAT_AARCH64_EL2 (TCR_EL2 without VHE) PS
 * (18:16) 48-bit and the RES1 bits 31 and 23 instead. With
 * PT_FEAT_AARCH64_PA52 IPS/PS say 52-bit (0b110), and on 4K and 16K DS
 * (TCR_EL1 bit 59, TCR_EL2 bit 32) is set. OR the two halves'
 * values together for TCR_EL1; HA, HD, HPD, ASID size and the rest are the
 * caller's. 0 for other formats or dead t.
 */
PT_API uint64_t pt_tcr(const struct pt_table *t);

/* VTTBR_EL2 for a PT_AARCH64_S2 table: root PA | VMID << 48 (the root is
 * aligned to its whole size, CnP clear); 0 for other formats or dead t. */
PT_API uint64_t pt_vttbr(const struct pt_table *t, uint16_t vmid);

/*
 * The EPT pointer (VMCS field) for an EPT table: root PA | (levels - 1) << 3
 * (page-walk length) | 6 (write-back walks) | 1 << 6 with PT_FEAT_EPT_AD
 * (accessed and dirty flags on). 0 for other formats or a dead t.
 */
PT_API uint64_t pt_eptp(const struct pt_table *t);

/*
 * RISC-V hgatp value for a G-stage table: MODE (8 Sv39x4, 9 Sv48x4,
 * 10 Sv57x4) << 60 | vmid << 44 | root PPN. 0 for a vmid above 0x3fff (the
 * field is 14 bits), other formats or a dead t.
 */
PT_API uint64_t pt_hgatp(const struct pt_table *t, uint16_t vmid);

/*
 * TLB maintenance for the CPU libpt is compiled for; fits pt_mm.flush_tlb.
 * AArch64/ARMv7 broadcast (tlbi ...is); x86, RISC-V and LoongArch are local.
 * A VA flush reaches every ASID on AArch64, ARMv7 and RISC-V; on x86 the
 * current PCID and global entries; on LoongArch the current ASID (read
 * from CSR.ASID) and global entries. all = true drops everything.
 * Only declared when compiling for one of those CPUs.
 */
#if defined(__x86_64__) || defined(__aarch64__) || defined(__riscv) || \
	defined(__loongarch__) || defined(__arm__)
PT_API void pt_flush_tlb_native(void *ctx, uint64_t va, bool all);
#define PT_HAVE_FLUSH_TLB_NATIVE 1
#endif

/*
 * Stage-2 TLB maintenance for a hypervisor's EPT / stage-2 / G-stage table
 * on the CPU libpt is compiled for; fits pt_mm.flush_tlb of such a table.
 * x86: INVEPT single-context (type 1), ctx pointing to the table's EPTP
 * (uint64_t; NULL: all-context, type 2); every address of that EPT goes,
 * whatever ipa and all say (INVEPT has no per-address form). AArch64, for
 * the VMID in VTTBR_EL2, broadcast: dsb ishst; tlbi ipas2e1is, ipa >> 12;
 * dsb ish; tlbi vmalle1is; dsb ish; isb (all: tlbi vmalls12e1is).
 * RISC-V, this hart only: hfence.gvma with rs1 = ipa >> 2 (x0 when all)
 * and rs2 = the VMID, ctx pointing to it (uint16_t; NULL: x0, every VMID).
 * Only declared when compiling for x86-64, AArch64 or RISC-V.
 */
#if defined(__x86_64__) || defined(__aarch64__) || defined(__riscv)
PT_API void pt_flush_tlb_native_s2(void *ctx, uint64_t ipa, bool all);
#define PT_HAVE_FLUSH_TLB_NATIVE_S2 1
#endif

/* ---- Untrusted tables -------------------------------------------------- */

/*
 * Translate va through tables rooted at root_pa that nobody vouches for (a
 * guest's, a dump's). Reads only inside 4 KiB frames mm->phys_to_virt
 * returned (only phys_to_virt is used), at most one entry per level.
 * pt_access with libpt's own regime (x86 NXE and WP, hardware access state,
 * TEX remap and AFE off) and no access check: *out holds the EFFECTIVE
 * permissions of every level together.
 * Errors: PT_ERR_INVALID (bad arguments, misaligned root), PT_ERR_NOT_MAPPED,
 * PT_ERR_CORRUPT (malformed entry, or a table phys_to_virt cannot reach).
 */
PT_API int pt_translate(enum pt_arch a, unsigned features, uint64_t root_pa,
		 const struct pt_mm *mm, uint64_t va, struct pt_mapping *out);

/* ---- Regimes and access checks: tables some other OS wrote ------------ */

/*
 * The translation regime a foreign table runs under: its format, the
 * registers that change how entries decode, and the controls that change
 * what an access may do.
 */
struct pt_regime {
	enum pt_arch arch;
	unsigned features;   /* PT_FEAT_* as for pt_init */
	unsigned va_bits;    /* 0: the format's own */
	uint64_t root;       /* PA of the root table */
	uint64_t attrs;      /* the memory-attribute register the tables assume:
			      * AArch64 MAIR_ELx; x86 IA32_PAT; ARMv7
			      * PRRR | (uint64_t)NMRR << 32 (read with PT_CTL_TRE).
			      * 0: libpt's own (PT_AARCH64_MAIR, PT_X86_PAT,
			      * TEX remap off) */
	uint64_t controls;   /* PT_CTL_*: each the named register bit, 0 = clear */
	uint64_t dir_mask;   /* LoongArch: directory entries hold a direct-map
			      * window VA (as Linux's do); the next table's PA
			      * is entry & dir_mask. 0: entries hold PAs */
	unsigned pa_bits;    /* the CPU's physical address width (x86
			      * MAXPHYADDR, AArch64 PARange or TCR.IPS): an
			      * entry holding an address at or above it is a
			      * reserved-bit or address-size fault.
			      * 0: the format's own */
};

#define PT_CTL_NXE  (1u << 0)  /* x86 EFER.NXE (without it bit 63 is reserved) */
#define PT_CTL_WP   (1u << 1)  /* x86 CR0.WP: supervisor writes obey RW */
#define PT_CTL_SMEP (1u << 2)  /* x86 CR4.SMEP */
#define PT_CTL_SMAP (1u << 3)  /* x86 CR4.SMAP */
#define PT_CTL_AC   (1u << 4)  /* x86 EFLAGS.AC: SMAP waived for explicit accesses */
#define PT_CTL_PAN  (1u << 5)  /* AArch64 PSTATE.PAN */
#define PT_CTL_WXN  (1u << 6)  /* AArch64 SCTLR_ELx.WXN: writable is never executable */
#define PT_CTL_HA   (1u << 7)  /* AArch64 TCR.HA, RISC-V Svadu: hardware sets accessed */
#define PT_CTL_HD   (1u << 8)  /* AArch64 TCR.HD, RISC-V Svadu: hardware sets dirty */
#define PT_CTL_SUM  (1u << 9)  /* RISC-V sstatus.SUM */
#define PT_CTL_MXR  (1u << 10) /* RISC-V sstatus.MXR */
#define PT_CTL_TRE  (1u << 11) /* ARMv7 SCTLR.TRE: memory types from PRRR/NMRR */
#define PT_CTL_AFE  (1u << 12) /* ARMv7 SCTLR.AFE: AP[0] is the access flag */
#define PT_CTL_HPD  (1u << 13) /* AArch64 TCR.HPD for the table's half */
#define PT_CTL_ALL  0x3fffu

#define PT_ACCESS_READ  1u
#define PT_ACCESS_WRITE 2u
#define PT_ACCESS_EXEC  4u
#define PT_ACCESS_USER  8u /* made from user (unprivileged) mode */

enum pt_fault_kind {
	PT_FAULT_NONE,
	PT_FAULT_ADDRESS,     /* va outside what the regime translates */
	PT_FAULT_NOT_PRESENT, /* no valid entry */
	PT_FAULT_PERMISSION,
	PT_FAULT_ACCESS_FLAG, /* accessed clear, and the hardware does not set it */
	PT_FAULT_DIRTY,       /* a write to a clean page the hardware does not dirty */
	PT_FAULT_RESERVED,    /* an entry the architecture reserves */
	PT_FAULT_BUS,         /* a table phys_to_virt cannot reach */
};

/* Where and why an access faults: the first fault the MMU would raise. */
struct pt_fault {
	enum pt_fault_kind kind;
	unsigned stage;    /* 1 (2 for a nested walk's second stage) */
	unsigned level;    /* the level whose entry faulted (0 = the root) */
	uint64_t pte;      /* that entry (0 where none was read) */
	uint64_t table_pa; /* the PA of the table holding it */
	uint64_t ipa;      /* stage 2: the guest-physical address it was
			    * translating (what HPFAR_EL2, htval and the
			    * VMCS guest-physical address report); else 0 */
};

/*
 * Walk r's tables as its MMU would for one access (PT_ACCESS_*; 0 checks
 * nothing and translates). PT_OK: allowed; *out holds the translation with
 * the EFFECTIVE permissions (what every level allows together: x86 RW, US
 * and XD of every level; AArch64 APTable, UXNTable, PXNTable, the implicit
 * PXN of EL0-writable pages and WXN; ...), the memory type read through
 * r->attrs, and the access state. PT_ERR_FAULT: *fault (if not NULL) says
 * where and why. PT_ERR_INVALID: bad arguments (unknown arch, feature or
 * control, misaligned root, NULL r, mm or out). Reads as pt_translate.
 */
PT_API int pt_access(const struct pt_regime *r, const struct pt_mm *mm, uint64_t va,
		     unsigned access, struct pt_mapping *out, struct pt_fault *fault);

/*
 * A guest VA through the guest's stage-1 tables (s1), every stage-1 table
 * address and the final output being guest-physical and translated
 * through s2, as the MMU does. Stage 1 reads its tables as reads at stage
 * 2 (as writes under EPT with PT_FEAT_EPT_AD: the CPU treats every access
 * to a guest paging structure as a write there); a leaf whose access
 * state the MMU sets itself (x86; AArch64 and RISC-V with PT_CTL_HA/HD in
 * s1) and that the access would set is written, a write at stage 2 to the
 * leaf's table (fault->ipa the leaf's entry), before the output; the
 * output is checked at stage 2 with `access` itself. PT_OK:
 * out->pa is host-physical, out->size the smaller of the two leaves,
 * out->flags what both stages allow together (WRITE and EXECUTE where
 * both give them, the stronger memory type; USER and GLOBAL from stage 1)
 * and out->state stage 1's. PT_ERR_FAULT: fault->stage says which stage
 * faulted: a stage-2 fault on a stage-1 table read reports stage 2, the
 * stage-2 level and entry, and in fault->ipa the guest-physical address
 * of the stage-1 entry it was reading (what htval and the VMCS report;
 * HPFAR_EL2 holds its page); on the output, fault->ipa is the output
 * address. Stage
 * 1's table_pa is guest-physical, stage 2's host-physical. PT_ERR_INVALID:
 * either regime refused as pt_access refuses it, or s2 not the second
 * stage of s1's architecture. No image of either stage can make it loop
 * or read outside what mm->phys_to_virt gives.
 */
PT_API int pt_access_nested(const struct pt_regime *s1, const struct pt_regime *s2,
			    const struct pt_mm *mm, uint64_t va, unsigned access,
			    struct pt_mapping *out, struct pt_fault *fault);

/*
 * Decode `pte` found at `level` as pt_access reads it under r (r->root is
 * not used): encodings libpt never writes, memory types through r->attrs,
 * the leaf's own permissions (no level above it is known here: pt_access
 * gives the effective ones), its size (ARMv7 64K and 16M, RISC-V Svnapot
 * 64K leaves too). Errors as pt_pte_decode, and PT_ERR_INVALID for a
 * regime pt_access refuses.
 */
PT_API int pt_regime_decode(const struct pt_regime *r, unsigned level, uint64_t pte,
			    struct pt_entry *out);

/* The inline fast paths of pt_map and pt_query (private machinery; define
 * PT_NO_INLINE_API before including pt.h to call only the exported
 * functions). */
#include "pt/inline.h"

#ifdef __cplusplus
}
#endif
#endif /* PT_H */
