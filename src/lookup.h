/* SPDX-License-Identifier: MIT */
/* Single addresses: the point form of the descent, for pt_query and the
 * single-page edits. Part of src/engine.h. */

/* The entry the point descent stopped at: its slot, level and value, and
 * the directory entry above the last level it passed (NULL if none). */
struct point {
	PTE *p;
	PTE *dir;
	unsigned l;
	uint64_t e;
};

/* What the point descent looks for (a constant in each copy). */
enum point_goal {
	GOAL_MAPPING, /* decode the leaf holding va into a struct pt_mapping */
	GOAL_LEAF,    /* the slot of the leaf holding va */
	GOAL_SLOT,    /* va's last-level slot, whatever it holds (or, with
		       * PT_ERR_NOT_MAPPED, the entry above it that is no
		       * table) */
};

/* What the leaf e (height h, `size` bytes, at pa) maps at va's offset in it. */
PT_INLINE void leaf_mapping_at(struct pt_mapping *out, unsigned feat, unsigned h, uint64_t e,
			       uint64_t pa, uint64_t va, uint64_t size)
{
	const uint32_t f = A(leaf_flags)(feat, h, e);
	out->pa = pa | (va & (size - 1));
	out->flags = f & PT_FLAGS_ALL;
	out->state = f & PT_STATE_ALL;
	out->size = size;
}

/* The same, for any leaf e (a shared-run member's PA is its own). */
PT_INLINE void leaf_mapping(struct pt_mapping *out, unsigned feat, unsigned h, uint64_t e,
			    uint64_t va, uint64_t size)
{
	leaf_mapping_at(out, feat, h, e, member_pa(feat, h, e, va, size), va, size);
}

/* A last-level shared-run member at slot i of tbl: its own PA, and its
 * run's state. Out of line: the query's common path only tests for it. */
static __attribute__((cold, noinline)) int run_mapping(struct pt_mapping *out, unsigned feat,
						       uint64_t e, uint64_t va, const PTE *tbl,
						       size_t i)
{
	leaf_mapping(out, feat, 0, e, va, PG_SIZE);
	out->state = run_state(feat, 0, tbl, i);
	return PT_OK;
}

/* The entry e at level l, above the last, is no table: a huge leaf answers
 * the lookup of va, anything else ends it. Out of line, so the common path
 * (tables, then a last-level leaf) takes no branch. */
static __attribute__((cold, noinline)) int lookup_stop(const struct pt_shape *s, unsigned feat,
						       unsigned l, uint64_t e, uint64_t va,
						       struct pt_mapping *out)
{
	const unsigned h = s->info.levels - 1 - l;
	int k = A(kind)(feat, h, e);
	if (k != PTK_LEAF)
		return k == PTK_EMPTY ? PT_ERR_NOT_MAPPED : PT_ERR_CORRUPT;
	leaf_mapping(out, feat, h, e, va, pt__span(s, l));
	return PT_OK;
}

/*
 * The point descent in t's own tables, for pt_query and the single-page
 * edits (GOAL_LEAF, GOAL_SLOT: the slot, in *pt).
 * `direct` (a constant: t has a direct map): each table is a plain offset
 * from its PA. The walk starts at level l0 in table `first` when
 * `from_first` (a constant), else at the root. At most one read per
 * level. Always inlined: with a
 * constant shape the level loop unrolls, every index and span a constant.
 */
PT_INLINE int lookup(const struct pt_shape *s, bool from_first, unsigned l0, const PTE *first,
		     const struct pt_table *t, bool direct, uint64_t va, struct pt_mapping *out,
		     enum point_goal goal, struct point *pt)
{
	const unsigned levels = s->info.levels;
	const unsigned feat = t->features;
	const uint64_t off = direct ? t->direct_offset : 0;
	uint64_t tpa = t->root;
	const PTE *dir = (const PTE *)0;
	/* GCC needs the hint to unroll; clang unrolls constant trip counts
	 * by itself and warns (an error here) where the count is not one. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC unroll 5
#endif
	for (unsigned l = l0; l < levels; l++) {
		const unsigned h = levels - 1 - l;
		const PTE *p;
		uint64_t e;
		int k;
		if (from_first && l == l0) {
			p = first + idx(s, l, va);
		} else if (direct) {
			p = (const PTE *)(uintptr_t)(tpa + off) + idx(s, l, va);
		} else {
			const PTE *tbl = tbl_at(t, tpa);
			if (!tbl)
				return PT_ERR_CORRUPT;
			p = &tbl[idx(s, l, va)];
		}
		e = ld(p);
		if (goal != GOAL_MAPPING) {
			k = A(kind)(feat, h, e);
			if (k == PTK_TABLE) {
				dir = p;
				tpa = A(table_pa)(h, e);
				continue;
			}
			if (goal == GOAL_LEAF && k != PTK_LEAF)
				return k == PTK_EMPTY ? PT_ERR_NOT_MAPPED : PT_ERR_CORRUPT;
			pt->p = (PTE *)(uintptr_t)p;
			pt->dir = (PTE *)(uintptr_t)dir;
			pt->l = l;
			pt->e = e;
			/* GOAL_SLOT above the last level: no last-level table
			 * there; *pt says where the walk stopped. */
			return goal == GOAL_SLOT && h > 0 ? PT_ERR_NOT_MAPPED : PT_OK;
		}
		/* A last-level leaf encoded as the last mapped flags (most are):
		 * decoded by one compare, as its kind and flags depend on
		 * these bits alone. */
		if (h == 0 && PT_LIKELY(leaf_attrs_of(e) == t->hint_attrs)) {
			out->pa = A(leaf_pa)(0, e) | (va & (PG_SIZE - 1));
			out->flags = t->hint_nflags;
			out->state = t->hint_state;
			out->size = PG_SIZE;
			return PT_OK;
		}
		/* The common path falls through: tables (a branch-free test),
		 * then a last-level leaf; anything else above takes a call. */
		if (h > 0) {
			if (PT_UNLIKELY(!A(is_table)(feat, h, e)))
				return lookup_stop(s, feat, l, e, va, out);
			tpa = A(table_pa)(h, e);
			continue;
		}
		k = A(kind)(feat, h, e);
		if (PT_LIKELY(k == PTK_LEAF)) {
			if (PT_UNLIKELY(shared_member(feat, 0, e)))
				return run_mapping(out, feat, e, va, p - idx(s, l, va),
						   idx(s, l, va));
			leaf_mapping_at(out, feat, 0, e, A(leaf_pa)(0, e), va, PG_SIZE);
			return PT_OK;
		}
		return k == PTK_EMPTY ? PT_ERR_NOT_MAPPED : PT_ERR_CORRUPT;
	}
	return PT_ERR_CORRUPT; /* unreachable: kind() has no table at height 0 */
}

/* The slot for va in t (shape s, a constant in each caller), from the
 * directory hint when it covers va, else from the root. */
PT_INLINE int find(const struct pt_shape *s, const struct pt_table *t, uint64_t va,
		   enum point_goal goal, struct point *pt)
{
	if (dir_hinted(t, va))
		return lookup(s, true, s->info.levels - 2, (const PTE *)t->hint_dir, t, false, va,
			      (struct pt_mapping *)0, goal, pt);
	return lookup(s, false, 0, (const PTE *)0, t, false, va, (struct pt_mapping *)0, goal, pt);
}

/* pt_query in shape s from the root: va checked, every level read. */
PT_INLINE int query_root(const struct pt_shape *s, const struct pt_table *t, bool direct,
			 uint64_t va, struct pt_mapping *out)
{
	if (!pt__va_ok(s, t->features, va))
		return PT_ERR_INVALID;
	return lookup(s, false, 0, (const PTE *)0, t, direct, va, out, GOAL_MAPPING, (struct point *)0);
}

/* pt_query in shape s (a constant in each copy): from the directory hint
 * when it covers va, else `root` (s's query_root, out of line so that the
 * hinted path needs no stack). */
PT_INLINE int query_in(const struct pt_shape *s, const struct pt_table *t, bool direct,
		       uint64_t va, struct pt_mapping *out, pt__lookup_fn root)
{
	const unsigned dl = s->info.levels - 2;
	if (PT_LIKELY(dir_hinted(t, va)))
		return lookup(s, true, dl, (const PTE *)t->hint_dir, t, direct, va, out,
			      GOAL_MAPPING, (struct point *)0);
	return root(t, va, out);
}

/* One pair of copies per shape and mode: `name` through the direct map
 * (`direct` true) or the caller's phys_to_virt, every index and span a
 * constant where the shape is. */
#define PT_QUERY_COPY(name, shape, direct)                                                   \
	static __attribute__((noinline)) int query_root_##name(const struct pt_table *t,     \
								uint64_t va,                 \
								struct pt_mapping *out)      \
	{                                                                                    \
		return query_root(shape, t, direct, va, out);                                \
	}                                                                                    \
	static int query_##name(const struct pt_table *t, uint64_t va, struct pt_mapping *out) \
	{                                                                                    \
		return query_in(shape, t, direct, va, out, query_root_##name);               \
	}

/* A copy per fast shape in either mode, chosen once (pt_init,
 * pt_set_direct_map); one for the rest, the shape read from the table. */
#define PT_QUERY_COPIES(sh)                      \
	PT_QUERY_COPY(direct_##sh, &(sh), true)  \
	PT_QUERY_COPY(mm_##sh, &(sh), false)
A(FAST_SHAPES)(PT_QUERY_COPIES)
PT_QUERY_COPY(direct_any, t->shape, true)
PT_QUERY_COPY(mm_any, t->shape, false)
#undef PT_QUERY_COPIES
#undef PT_QUERY_COPY

static void set_lookup(struct pt_table *t)
{
	t->lookup = t->direct ? query_direct_any : query_mm_any;
#define PT_QUERY_PICK(sh)                                                 \
	if (t->shape == &(sh))                                            \
		t->lookup = t->direct ? query_direct_##sh : query_mm_##sh;
	A(FAST_SHAPES)(PT_QUERY_PICK)
#undef PT_QUERY_PICK
}
