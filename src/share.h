/* SPDX-License-Identifier: MIT */
/*
 * Whole tables: a new one, teardown, and root entries shared between
 * tables (pt_copy_from). Part of src/engine.h.
 */

/* A new table: its root all empty, no hint, a matching flags/encoding pair. */
static void init(struct pt_table *t)
{
	clear_entries(tbl_at(t, t->root), 0, t->shape->entries[0]);
	hint_leaf(t, (PTE *)0, 0, PT_READ, pt__fresh(pt__normalize_for(t, PT_READ)));
	pt__forget_hints(t);
	set_lookup(t);
	fast_facts(&t->fast, false);
	/* No rewrite remembered (mode 0); every field set, as each is read. */
	t->memo_old = t->memo_new = 0;
	t->memo_bits = t->memo_mode = 0;
	t->memo_pflags = 0;
	t->memo_plain = false;
}

static void set_direct(struct pt_table *t)
{
	set_lookup(t);
	fast_facts(&t->fast, true); /* pt_query's fast path on */
	pt__forget_hints(t); /* found through the hook: recompute */
}

static void destroy(struct pt_table *t)
{
	struct pt_op op;
	struct pt_give give;
	pt__op_init_rw(&op, t);
	/* The caller has switched away from t: nothing walks it any more, so
	 * every frame goes at once, those waiting for a flush too. */
	give.n = 0;
	op.give = &give;
	free_below(&op, 0, tbl_at(t, t->root), 0, true);
	pt__give_all(t, &give);
	t->mm.free_frames(t->mm.ctx, t->root, op.s->frames[0]);
	pt__free_pending(t);
	pt__forget_hints(t);
}

/* Share src's root entries [first, last] with dst. */
static int copy_root(struct pt_table *dst, const struct pt_table *src, size_t first, size_t last)
{
	struct pt_op op;
	PTE *d = tbl_at(dst, dst->root);
	const PTE *s = tbl_at(src, src->root);
	pt__op_init_rw(&op, dst);
	if (!d || !s)
		return PT_ERR_CORRUPT;
	for (size_t i = first; i <= last; i++)
		if (kind_at(&op, 0, ld(&d[i])) != PTK_EMPTY)
			return PT_ERR_ALREADY_MAPPED;
	for (size_t i = first; i <= last; i++)
		if (kind_at(&op, 0, ld(&s[i])) == PTK_CORRUPT)
			return PT_ERR_CORRUPT;
	for (size_t i = first; i <= last; i++) {
		uint64_t e = ld(&s[i]);
		int k = kind_at(&op, 0, e);
		if (k == PTK_EMPTY)
			continue;
		st(&d[i], e);
		if (k == PTK_TABLE)
			dst->shared[i / 64] |= UINT64_C(1) << (i % 64);
	}
	pt__record_all(dst);
	return PT_OK;
}
