/* SPDX-License-Identifier: MIT */
/*
 * The per-page hints (struct pt_table): the last-level table the last 4K
 * page went to, the directory above it, and the format as the inline fast
 * paths see it. Written only by editing calls; pt__forget_hints (src/op.h)
 * drops them whenever a table frame goes. Part of src/engine.h.
 */

/* The span a last-level table covers, and the span of the directory above
 * it, as VA bit positions. */
#define LEAF_SHIFT (PG_SHIFT + A(LEAF_BITS))
#define DIR_SHIFT (LEAF_SHIFT + A(DIR_BITS))

/* Does the hinted directory cover va? Then a walk for va may start there,
 * at level levels - 2: a hinted table is still where the walk from the
 * root reaches it (a freed table takes the hint with it), and its span
 * holds only canonical VAs. */
PT_INLINE bool dir_hinted(const struct pt_table *t, uint64_t va)
{
	return (va >> DIR_SHIFT) == t->hint_dir_span;
}

/* The level-(levels - 2) table tbl of shape s covers va's directory span:
 * hint it. Not where that level is a root of several concatenated tables
 * (a 2-level stage 2): the inline paths index a directory of DIR_BITS. */
PT_INLINE void hint_dir(struct pt_table *t, const struct pt_shape *s, const PTE *tbl, uint64_t va)
{
	if (s->entries[s->info.levels - 2] != 1u << A(DIR_BITS))
		return;
	t->hint_dir = tbl;
	t->hint_dir_span = va >> DIR_SHIFT;
	t->hint_qspan = t->fast.query ? ~((va >> DIR_SHIFT) | t->fast.qtag) : 0;
	t->hint_qdir = (uintptr_t)tbl - (uintptr_t)(((va >> DIR_SHIFT) << A(DIR_BITS)) * sizeof(PTE));
}

/* tbl is the last-level table for va: the next pages' single-page edits
 * take the inline paths there. */
PT_INLINE void hint_table(struct pt_table *t, PTE *tbl, uint64_t va)
{
	t->hint_tbl = tbl;
	t->hint_va = va & ~((UINT64_C(1) << LEAF_SHIFT) - 1);
}

/* tbl is the last-level table for va; the next pages mapped will most
 * likely be given `flags` (normalised, with a new leaf's state: nflags). */
PT_INLINE void hint_leaf(struct pt_table *t, PTE *tbl, uint64_t va, uint32_t flags, uint32_t nflags)
{
	hint_table(t, tbl, va);
	t->hint_flags = flags;
	t->hint_nflags = nflags & PT_FLAGS_ALL;
	t->hint_state = nflags & PT_STATE_ALL;
	t->hint_attrs = A(leaf_attrs)(t->features, 0, nflags);
	t->hint_cas = A(may_set)(t->features, 0, t->hint_attrs);
}

/* struct pt_fast, read off the family's hooks: the address fields are what
 * table_pa and leaf_pa keep of an all-ones entry, put back by out(). The
 * fast paths are off unless the geometry is one they know, with linear
 * entries and 0 as the empty one; pt_query's is off without a direct map. */
static void fast_facts(struct pt_fast *f, bool direct)
{
	const unsigned shr = field_shift();
	const bool plain = A(OUT_LINEAR) && EMPTY == 0; /* entries they can compute */
	f->tbl_mask = A(TABLE_MASK);
	f->tbl_match = A(TABLE_MATCH);
	f->tbl_field = A(out)(A(table_pa)(1, ~UINT64_C(0)));
	f->leaf_field = leaf_field();
	f->attrs_mask = ~f->leaf_field;
	f->pa_bad = ~(f->leaf_field << shr);
	f->va_fixed = ~(((UINT64_C(1) << LEAF_SHIFT) - 1) & ~(PG_SIZE - 1));
	f->map = 0; /* a geometry the fast paths do not know */
	f->qtag = 0;
	if (plain && PG_SHIFT == 12 && sizeof(PTE) == 8 && A(LEAF_BITS) == 9 && A(DIR_BITS) == 9 &&
	    (shr == 0 || shr == 2)) {
		f->map = shr ? PT_FAST_64_X4 : PT_FAST_64;
		f->qtag = shr ? PT_FAST_X4_TAG : 0;
	} else if (plain && PG_SHIFT == 12 && sizeof(PTE) == 4 && A(LEAF_BITS) == 8 && A(DIR_BITS) == 12 &&
		   shr == 0) {
		f->map = PT_FAST_32;
		f->qtag = PT_FAST_32_TAG;
	}
	f->query = direct ? f->map : 0;
	/* Where a table entry's value test is 0 (LoongArch), only the 8-byte
	 * copy of pt_query's fast path also refuses an entry of 0. */
	if (f->query != PT_FAST_64 && f->tbl_match == 0)
		f->query = 0;
}
