/* SPDX-License-Identifier: MIT */
/*
 * libpt's private layout of struct pt_table, included by pt.h: callers
 * allocate the struct and may not touch any field. Not an API: it changes
 * with every release.
 */
#ifndef PT_TABLE_H
#define PT_TABLE_H

struct pt_engine;
struct pt_shape;

/* The format as the inline fast paths of pt_map and pt_query see it, as
 * plain numbers read off its hooks by pt_init (src/hints.h, fast_facts). */
struct pt_fast {
	/* A directory entry e points at a table exactly when e != 0 and
	 * (e & tbl_mask) == tbl_match; its table's PA is e & tbl_field. */
	uint64_t tbl_mask, tbl_match, tbl_field;
	/* A 4K leaf e maps e & leaf_field; e & attrs_mask, the rest, are its
	 * attributes. A PA with any pa_bad bit set (not 4K-aligned, or too
	 * wide) cannot be a 4K leaf's. (Address fields times 4 on
	 * PT_FAST_64_X4.) */
	uint64_t leaf_field, attrs_mask, pa_bad;
	/* VA bits outside a last-level table's index (its span number and
	 * the page offset). */
	uint64_t va_fixed;
	/* The geometry's tag, which hint_dir ORs into hint_qspan. */
	uint64_t qtag;
	/* The geometry (PT_FAST_*, or 0: no fast path) of pt_map's fast path,
	 * and of pt_query's (0 without a direct map). */
	uint8_t map, query;
};

/*
 * The geometries the fast paths know, each compiled with its constants:
 * 8-byte entries, 512 to a table, a directory spanning 1 GiB and a
 * last-level table 2 MiB, with address fields holding the PA (PT_FAST_64)
 * or PA / 4 (PT_FAST_64_X4, RISC-V); and 4-byte entries (PT_FAST_32,
 * ARMv7: 256-entry last-level tables under a 4096-entry root spanning
 * 4 GiB). So that one compare finds both the span and the geometry,
 * hint_qspan is va >> 30 ORed with PT_FAST_X4_TAG on PT_FAST_64_X4, and
 * va >> 32 ORed with PT_FAST_32_TAG on PT_FAST_32 (and complemented: see
 * struct pt_table).
 */
#define PT_FAST_32 1
#define PT_FAST_64 2    /* the 8-byte geometries from here up: one compare */
#define PT_FAST_64_X4 3
#define PT_FAST_X4_TAG (UINT64_C(1) << 62)
#define PT_FAST_32_TAG (UINT64_C(1) << 61)

/* One address space. Caller-allocated; every field is private to libpt and
 * valid only between pt_init and pt_destroy. */
struct pt_table {
	/* ---- The table: format, hooks, root ---------------------------- */
	const struct pt_engine *engine; /* per-family code, chosen once at init */
	/* pt_query's lookup for this shape and mode (direct map or hook),
	 * chosen at init and by pt_set_direct_map; NULL when dead. */
	int (*lookup)(const struct pt_table *t, uint64_t va, struct pt_mapping *out);
	const struct pt_shape *shape;   /* the format's levels, shifts, sizes */
	struct pt_mm mm;                /* copy of the caller's hooks */
	uint64_t root;                  /* PA of the root table, 0 when dead */
	enum pt_arch arch;
	unsigned features;
	uint32_t flags_kept;            /* mapping flags the format can express */
	unsigned char memtypes;         /* how WC and UNCACHED are written (PT__MT_*) */
	unsigned nflush;                /* recorded VAs; > PT_FLUSH_MAX: flush all */
	uint64_t page_mask;             /* the page (the AArch64 granule) less one */
	/* ---- The per-page hints (src/hints.h) ---------------------------- */
	/* Written only by editing calls (concurrent lookups never write): the
	 * last-level table covering [hint_va, hint_va + its span); the
	 * level-(levels - 2) directory covering the hint_dir_span-th span of
	 * its size (hint_tbl NULL / hint_dir_span UINT64_MAX: none; both
	 * forgotten whenever a table frame is freed); the last 4K-page flags
	 * mapped (hint_flags as passed, hint_nflags normalised, hint_state a
	 * new leaf's state) and their encoding without the PA, always a
	 * matching pair, whatever the tables hold. */
	void *hint_tbl;
	uint64_t hint_va;
	uint32_t hint_flags;
	uint32_t hint_nflags;
	uint32_t hint_state;
	uint64_t hint_attrs;
	/* The MMU may set a state bit in a leaf with hint_attrs: pt_unmap's
	 * fast path takes it out with a compare-and-swap. */
	bool hint_cas;
	const void *hint_dir;
	uint64_t hint_dir_span;
	/* hint_dir_span ORed with fast.qtag and complemented where pt_query
	 * has a fast path (fast.query), else 0: no span gives 0, so a table
	 * never initialised (all zero) takes no fast path. */
	uint64_t hint_qspan;
	/* hint_dir less the directory's first VA's index (va >> 21, or
	 * va >> 20 on PT_FAST_32) times the entry size: where the span
	 * matches, va's entry is at hint_qdir + that index times the size,
	 * with no mask. */
	uintptr_t hint_qdir;
	/* The last 4K leaf rewrite (src/edit.h, xform_leaf0): attributes
	 * memo_old became memo_new under (memo_mode, memo_bits), a pure
	 * function of the three, so never stale; memo_mode 0: none yet. */
	uint64_t memo_old, memo_new;
	uint32_t memo_bits;
	uint32_t memo_mode;
	/* The flags pt_protect was given when its rewrite set the memo (0:
	 * not a protect's), and whether that rewrite may be done in place
	 * with a plain store (no break-before-make, nothing the MMU may set):
	 * pt_protect's inline path repeats it. */
	uint32_t memo_pflags;
	bool memo_plain;
	/* Counts the times a table frame left the tree or the way to reach
	 * frames changed (pt__forget_hints): a struct pt_cursor reads on in
	 * the table it remembers only while this has not moved. */
	uint64_t tables_gen;
	/* pt_set_direct_map: table frames are at pa + direct_offset. */
	uint64_t direct_offset;
	bool direct;
	struct pt_fast fast;
	/* ---- TLB records (pt_flush) and shared root entries -------------- */
	uint64_t flush_va[PT_FLUSH_MAX];
	/* nfree table frames out of the tree waiting for pt_flush's full TLB
	 * flush (only with a flush_tlb hook): the first frame's PA ORed with
	 * the frame count (below 4096: it fits the PA's low 12 bits). */
	uint64_t free_pending[PT_FREE_MAX];
	unsigned nfree;
	/* pt_set_free_batch: frames that go together come back through it. */
	pt_free_batch_fn *free_batch;
	/* One bit per root entry shared from another table (pt_copy_from):
	 * never freed nor edited through this table. */
	uint64_t shared[PT_MAX_ROOT_ENTRIES / 64];
};

#endif /* PT_TABLE_H */
