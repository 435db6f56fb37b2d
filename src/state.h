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
	/* Raw attribute bits (leaf_attrs_of) of the last last-level leaf seen with
	 * none of the bits (leaf_field(), which no entry's attributes are,
	 * before): leaves of a VM's memory share a handful of attribute
	 * sets, so nearly every entry is decided by a compare. */
	uint64_t clean;
};

/* Pages [first, last] (VAs in the range) had a bit: report them. */
PT_INLINE void mark_pages(struct state_ctx *c, uint64_t first, uint64_t last)
{
	uint64_t i = (first - c->va0) >> PG_SHIFT, n = ((last - first) >> PG_SHIFT) + 1;
	if (!c->bitmap)
		return;
	for (; n && (i % 64); n--, i++)
		c->bitmap[i / 64] |= UINT64_C(1) << (i % 64);
	for (; n >= 64; n -= 64, i += 64)
		c->bitmap[i / 64] = ~UINT64_C(0);
	for (; n; n--, i++)
		c->bitmap[i / 64] |= UINT64_C(1) << (i % 64);
}

/* The plan: only a corrupt entry can fail the call. A last-level entry's kind
 * depends on its attribute bits alone (lookup.h relies on it too), and not
 * on the state bits among them (STATE_MASK), which are what tells a VM's
 * dirty pages from its clean ones: so entries like the last leaf found
 * sound pass four to a test. */
PT_INLINE uint64_t kind_attrs(uint64_t e)
{
	return leaf_attrs_of(e) & ~(uint64_t)A(STATE_MASK);
}

/* tbl[i..i+4) all have attributes `sound` but for state bits. */
PT_INLINE bool four_like(const PTE *tbl, size_t i, uint64_t sound)
{
	if (A(OUT_LINEAR)) {
		const uint64_t d = (ld(&tbl[i]) ^ sound) | (ld(&tbl[i + 1]) ^ sound) |
				   (ld(&tbl[i + 2]) ^ sound) | (ld(&tbl[i + 3]) ^ sound);
		return !(d & ~leaf_field() & ~(uint64_t)A(STATE_MASK));
	}
	return ((kind_attrs(ld(&tbl[i])) ^ sound) | (kind_attrs(ld(&tbl[i + 1])) ^ sound) |
		(kind_attrs(ld(&tbl[i + 2])) ^ sound) | (kind_attrs(ld(&tbl[i + 3])) ^ sound)) == 0;
}

PT_INLINE int state_plan_run(struct pt_op *op, void *ctx, struct level lv, size_t i, size_t j,
			     uint64_t va)
{
	/* The last two leaves' sets found sound; leaf_field() is no
	 * entry's attributes: none yet. */
	uint64_t sound = leaf_field(), sound2 = leaf_field();
	(void)ctx, (void)va;
	if (A(LEAF0_SOUND))
		return 0;
	while (i <= j) {
		if (sound != leaf_field())
			while (i + 3 <= j && four_like(lv.tbl, i, sound))
				i += 4;
		if (i > j)
			break;
		const uint64_t e = ld(&lv.tbl[i++]), a = kind_attrs(e);
		if (PT_LIKELY(a == sound || a == sound2))
			continue;
		if (A(leaf_bad)(op->feat, e))
			return PT_ERR_CORRUPT;
		if (!A(leaf_empty)(op->feat, e)) {
			sound2 = sound;
			sound = a;
		}
	}
	return 0;
}

PT_VISITOR(state_plan, state_plan_level, .skip_empty = true, .live_only = true, .run = state_plan_run)

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

/* The first entry of q..end whose attributes are not `attrs`, or end;
 * two entries to a step. */
PT_INLINE PTE *skip_like(PTE *q, PTE *const end, uint64_t attrs)
{
	for (; q + 1 < end; q += 2) {
		if (leaf_attrs_of(ld(&q[0])) != attrs)
			return q;
		if (leaf_attrs_of(ld(&q[1])) != attrs)
			return q + 1;
	}
	return q < end && leaf_attrs_of(ld(q)) == attrs ? q + 1 : q;
}

PT_INLINE int state_run(struct pt_op *op, void *ctx, struct level lv, size_t i0, size_t j,
			uint64_t va)
{
	struct state_ctx *c = ctx;
	PTE *const first = &lv.tbl[i0], *const end = &lv.tbl[j] + 1;
	uint64_t *const bitmap = c->bitmap;
	const uint64_t k0 = (va - c->va0) >> PG_SHIFT; /* first's page in the bitmap */
	/* And here, the last set with some of the bits that a plain store
	 * may rewrite (none yet), and what it becomes. */
	uint64_t clean = c->clean, marked = leaf_field(), cleared = 0;
	for (PTE *q = skip_like(first, end, clean); q < end; q = skip_like(q + 1, end, clean)) {
		const uint64_t e = ld(q), a = leaf_attrs_of(e), n = (uint64_t)(q - first);
		const uint64_t pva = va + n * PG_SIZE;
		if (a == marked) {
			st(q, cleared ^ e ^ a); /* e ^ a: e's address field */
			pt__record(op->w, pva);
		} else {
			uint64_t nv;
			if (e == EMPTY || A(leaf_empty)(op->feat, e))
				continue;
			/* What the clear makes of it: unchanged means none of
			 * the bits. */
			nv = xform_leaf0(op, &c->x, e);
			if (nv == e) {
				clean = a;
				continue;
			}
			if (A(may_set)(op->feat, 0, e) || A(needs_bbm)(0, e, nv)) {
				/* Records pva itself when it changes the leaf. */
				(void)rewrite_leaf(op, op->levels - 1, q, e, &c->x, pva);
			} else {
				marked = a;
				cleared = leaf_attrs_of(nv);
				st(q, nv);
				pt__record(op->w, pva);
			}
		}
		if (bitmap)
			bitmap[(k0 + n) / 64] |= UINT64_C(1) << ((k0 + n) % 64);
	}
	c->clean = clean;
	return 0;
}

PT_VISITOR(state_commit, state_commit_level, .skip_empty = true, .live_only = true,
	   .leaf = state_leaf, .run = state_run)

static int clear_state(struct pt_table *t, uint64_t va, uint64_t last, uint32_t bits,
		       uint64_t *bitmap)
{
	struct pt_op op;
	struct state_ctx c = { { XF_CLEAR, bits }, va, bitmap, leaf_field() };
	int r;
	pt__op_init_rw(&op, t);
	if ((r = descend_root(&op, &state_plan, &c, va, last)) ||
	    (r = runs_at_ends(&op, va, last, false)))
		return r;
	(void)runs_at_ends(&op, va, last, true);
	return descend_root(&op, &state_commit, &c, va, last);
}

static int set_state(struct pt_table *t, uint64_t va, uint32_t bits)
{
	const struct pt_shape *s = t->shape;
	const struct xform x = { XF_SET, bits };
	struct pt_op op;
	struct point pt;
	int r = find(s, t, va, GOAL_LEAF, &pt);
	if (r)
		return r;
	const unsigned h = s->info.levels - 1 - pt.l;
	/* A dirty page is one that was written: only a writable one can be. */
	if ((bits & PT_DIRTY) && !(A(leaf_flags)(t->features, h, pt.e) & PT_WRITE))
		return PT_ERR_INVALID;
	if ((r = run_point(t, s, va, &pt)))
		return r;
	pt__op_init_rw(&op, t);
	(void)rewrite_leaf(&op, pt.l, pt.p, pt.e, &x, va & ~(pt__span(s, pt.l) - 1));
	return PT_OK;
}
