/* SPDX-License-Identifier: MIT */
/*
 * Access state: pt_clear_state over a range (page aging, a VM's dirty log)
 * and pt_set_state at one address (the fault handler's half). Leaves are
 * rewritten in place by rewrite_leaf (edit.h): no split, no frame, so a
 * plan that finds nothing corrupt is all the atomicity needs. Part of
 * src/engine.h.
 */

struct state_ctx {
	struct xform x;   /* XF_CLEAR of the bits asked for */
	uint64_t va0;     /* the range's first VA: bitmap bit 0 */
	uint64_t *bitmap; /* NULL: no report */
	/*
	 * The last-level loop's memory, as raw attribute bits of 4K leaves
	 * (leaf_attrs_of): `clean` has none of the bits; `marked` has some
	 * and no bit the MMU could set, and becomes `cleared`. Leaves of a
	 * VM's memory share a handful of attribute sets, so nearly every
	 * entry is decided by a compare.
	 */
	uint64_t clean, marked, cleared;
	bool have_clean, have_marked;
};

/* Pages [first, last] (VAs in the range) had a bit: report them. */
PT_INLINE void mark_pages(struct state_ctx *c, uint64_t first, uint64_t last)
{
	uint64_t i = (first - c->va0) >> 12, n = ((last - first) >> 12) + 1;
	if (!c->bitmap)
		return;
	for (; n && (i % 64); n--, i++)
		c->bitmap[i / 64] |= UINT64_C(1) << (i % 64);
	for (; n >= 64; n -= 64, i += 64)
		c->bitmap[i / 64] = ~UINT64_C(0);
	for (; n; n--, i++)
		c->bitmap[i / 64] |= UINT64_C(1) << (i % 64);
}

/* The plan: only a corrupt entry can fail the call. */
PT_INLINE int state_plan_run(struct pt_op *op, void *ctx, struct level lv, size_t i, size_t j,
			     uint64_t va)
{
	(void)ctx, (void)va;
	for (; i <= j; i++)
		if (A(leaf_bad)(op->feat, ld(&lv.tbl[i])))
			return PT_ERR_CORRUPT;
	return 0;
}

PT_VISITOR(state_plan, state_plan_level, .skip_empty = true, .live_only = true,
	   .table = down_table, .leaf = skip_slot, .run = state_plan_run)

/* A leaf above the last level goes whole, wherever the range cuts it. */
PT_INLINE int state_leaf(struct pt_op *op, void *ctx, struct slot *s)
{
	struct state_ctx *c = ctx;
	const uint64_t base = s->va & ~(s->span - 1);
	if (!(A(leaf_flags)(op->feat, s->h, s->e) & c->x.bits))
		return 0;
	(void)rewrite_leaf(op, s->l, &s->tbl[s->i], s->e, &c->x, base);
	mark_pages(c, s->va, slot_end(s));
	return 0;
}

PT_INLINE int state_run(struct pt_op *op, void *ctx, struct level lv, size_t i, size_t j,
			uint64_t va)
{
	struct state_ctx *c = ctx;
	PTE *const tbl = lv.tbl;
	const unsigned leaf = op->levels - 1;
	for (; i <= j; i++, va += PT_SIZE_4K) {
		const uint64_t e = ld(&tbl[i]);
		uint64_t a;
		uint32_t f;
		if (e == EMPTY)
			continue;
		a = leaf_attrs_of(e);
		if (PT_LIKELY(c->have_clean && a == c->clean))
			continue;
		if (c->have_marked && a == c->marked) {
			st(&tbl[i], c->cleared ^ e ^ a); /* e ^ a: e's address field */
			pt__record(op->w, va);
			mark_pages(c, va, va);
			continue;
		}
		if (A(leaf_empty)(op->feat, e))
			continue;
		f = A(leaf_flags)(op->feat, 0, e);
		if (!(f & c->x.bits)) {
			c->clean = a;
			c->have_clean = true;
			continue;
		}
		if (!A(may_set)(op->feat, 0, e) &&
		    !A(needs_bbm)(0, e, xform_leaf(op, &c->x, 0, e))) {
			c->marked = a;
			c->cleared = leaf_attrs_of(xform_leaf(op, &c->x, 0, e));
			c->have_marked = true;
		}
		(void)rewrite_leaf(op, leaf, &tbl[i], e, &c->x, va);
		mark_pages(c, va, va);
	}
	return 0;
}

PT_VISITOR(state_commit, state_commit_level, .skip_empty = true, .live_only = true,
	   .table = down_table, .leaf = state_leaf, .run = state_run)

static int clear_state(struct pt_table *t, uint64_t va, uint64_t last, uint32_t bits,
		       uint64_t *bitmap)
{
	struct pt_op op;
	struct state_ctx c;
	int r;
	c.x.mode = XF_CLEAR;
	c.x.bits = bits;
	c.va0 = va;
	c.bitmap = bitmap;
	c.clean = c.marked = c.cleared = 0;
	c.have_clean = c.have_marked = false;
	pt__op_init_rw(&op, t);
	if ((r = descend_root(&op, &state_plan, &c, va, last)))
		return r;
	return descend_root(&op, &state_commit, &c, va, last);
}

static int set_state(struct pt_table *t, uint64_t va, uint32_t bits)
{
	const struct pt_shape *s = t->shape;
	const struct xform x = { XF_SET, bits };
	struct pt_op op;
	struct point pt;
	int r = find(s, t, va, GOAL_LEAF, &pt);
	unsigned h;
	if (r)
		return r;
	h = s->info.levels - 1 - pt.l;
	/* A dirty page is one that was written: only a writable one can be. */
	if ((bits & PT_DIRTY) && !(A(leaf_flags)(t->features, h, pt.e) & PT_WRITE))
		return PT_ERR_INVALID;
	pt__op_init_rw(&op, t);
	(void)rewrite_leaf(&op, pt.l, pt.p, pt.e, &x, va & ~(pt__span(s, pt.l) - 1));
	return PT_OK;
}
