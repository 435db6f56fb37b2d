/* SPDX-License-Identifier: MIT */
/*
 * Contiguous runs (arch/arch.h): a map with huge leaves allowed marks each
 * aligned group of leaves it writes whole over one equally aligned PA run.
 * The TLB may then hold a group as one entry, so a group must never be
 * left partly changed: an edit that covers whole groups treats their
 * members alike (an unmap clears them all; a protect or a state change
 * rewrites them all, marks kept), and a group the edit covers only in part
 * is broken first, whole: every member made EMPTY, a TLB invalidation for
 * each, then the same leaves unmarked. Only the groups holding the first
 * and the last page of a range can be covered in part. Part of
 * src/engine.h.
 */

/* log2 of the leaves in a group at height h; 0: no groups there (a
 * constant 0 in a family without runs, where all of this folds away). */
PT_INLINE unsigned run_order_at(unsigned feat, unsigned h)
{
	return A(RUN_MAX) > 0 ? A(run_order)(feat, h) : 0;
}

/* A map's fill of n leaves of height h from tbl[i], the first e at va,
 * each `span` further on: the aligned groups among them whose PAs are
 * aligned alike are marked (the rest, before and after, are not). */
PT_INLINE void fill_runs(unsigned feat, PTE *tbl, size_t i, size_t n, unsigned h, uint64_t e,
			 uint64_t va, uint64_t span)
{
	const unsigned k = run_order_at(feat, h);
	const size_t g = (size_t)1 << k;
	const size_t a = (g - (i & (g - 1))) & (g - 1); /* leaves before the first group */
	size_t m;
	if (!k || n < a + g || ((va ^ A(leaf_pa)(h, e)) & ((span << k) - 1))) {
		fill(&tbl[i], n, h, e, span);
		return;
	}
	m = (n - a) & ~(g - 1);
	fill(&tbl[i], a, h, e, span);
	e = succ(h, e, a * span);
	if (A(RUN_SHARED)) {
		/* Every member of a group holds the group's one entry (stored
		 * here, not by fill() with a step of 0: GCC's loop analysis
		 * then warns on fill's succ loop). */
		for (size_t q = 0; q < m; q += g) {
			const uint64_t v = A(run_mark)(h, succ(h, e, q * span));
			PTE *p = &tbl[i + a + q];
			size_t x = 0;
			for (; x + 4 <= g; x += 4) {
				st(&p[x], v);
				st(&p[x + 1], v);
				st(&p[x + 2], v);
				st(&p[x + 3], v);
			}
			for (; x < g; x++)
				st(&p[x], v);
		}
	} else {
		fill(&tbl[i + a], m, h, A(run_mark)(h, e), span);
	}
	fill(&tbl[i + a + m], n - a - m, h, succ(h, e, m * span), span);
}

/* Do the leaves a and b (height h) differ at most in their state? */
PT_INLINE bool same_but_state(unsigned feat, unsigned h, uint64_t a, uint64_t b)
{
	const uint32_t fa = A(leaf_flags)(feat, h, a), fb = A(leaf_flags)(feat, h, b);
	return A(leaf_pa)(h, a) == A(leaf_pa)(h, b) && !((fa ^ fb) & ~(uint32_t)PT_STATE_ALL);
}

/*
 * The group holding slot i of tbl (level l; the slot's span starts at va):
 * check it (commit false) or break it. A group with a member that is not
 * a marked leaf (or, where members share one entry, not the first's entry
 * but for the state the MMU sets) was changed behind libpt's back and
 * cannot be split: PT_ERR_CORRUPT, from the check, before anything is
 * written. The break gives each member its own PA and keeps its state;
 * where members share one entry, the run's state (run_state), as the MMU
 * may have set A or D in any member for any page.
 */
static int run_break(struct pt_op *op, PTE *tbl, size_t i, unsigned l, uint64_t va, bool commit)
{
	const unsigned h = HT(op, l);
	const size_t g = (size_t)1 << run_order_at(op->feat, h);
	const uint64_t span = pt__span(op->s, l);
	const size_t i0 = i & ~(g - 1);
	const uint64_t va0 = va - (uint64_t)(i - i0) * span;
	PTE old[(size_t)1 << A(RUN_MAX)];
	if (!commit) {
		if (g > op->s->entries[l])
			return PT_ERR_CORRUPT;
		for (size_t k = 0; k < g; k++) {
			const uint64_t e = ld(&tbl[i0 + k]);
			if (A(kind)(op->feat, h, e) != PTK_LEAF || !A(in_run)(h, e))
				return PT_ERR_CORRUPT;
			if (A(RUN_SHARED) && !same_but_state(op->feat, h, e, ld(&tbl[i0])))
				return PT_ERR_CORRUPT;
		}
		return 0;
	}
	for (size_t k = 0; k < g; k++)
		old[k] = (PTE)xchg(&tbl[i0 + k], EMPTY);
	for (size_t k = 0; k < g; k++)
		pt__flush_now(op->t, va0 + k * span, false);
	if (A(RUN_SHARED)) {
		uint32_t state = 0;
		for (size_t k = 0; k < g; k++)
			state |= A(leaf_flags)(op->feat, h, old[k]) & PT_STATE_ALL;
		for (size_t k = 0; k < g; k++) {
			const uint64_t e = A(run_unmark)(h, old[k]);
			st(&tbl[i0 + k], leaf_at(op->feat, h, A(leaf_pa)(h, e) + k * span,
						 A(leaf_flags)(op->feat, h, e) | state));
		}
		return 0;
	}
	for (size_t k = 0; k < g; k++)
		st(&tbl[i0 + k], A(run_unmark)(h, old[k]));
	return 0;
}

/* The leaf holding va, through the point descent folded for the shape. */
#define PT_FIND_IN(sh) \
	if (op->s == &(sh)) \
		return find(&(sh), op->w, va, GOAL_LEAF, pt);
PT_INLINE int find_leaf(const struct pt_op *op, uint64_t va, struct point *pt)
{
	A(FAST_SHAPES)(PT_FIND_IN)
	return find(op->s, op->w, va, GOAL_LEAF, pt);
}

/* Can a group hold both va - 1 and va? Not where va is aligned to the
 * largest group of the family (groups are aligned to their span). */
PT_INLINE bool run_may_cross(const struct pt_op *op, uint64_t va)
{
	const unsigned l = op->levels >= 2 ? op->levels - 2 : 0;
	const uint64_t most = pt__span(op->s, l) << run_order_at(op->feat, 1);
	return (va & (most - 1)) != 0 || op->levels < 2;
}

/* Before an edit of [va, last] (plan: commit false; then the commit): the
 * groups holding va and last that reach outside the range. The check
 * returns 0 or an error, the commit how many groups it broke (what a plan
 * read of them is stale). */
static int runs_at_ends_in(struct pt_op *op, uint64_t va, uint64_t last, bool commit)
{
	const uint64_t ends[2] = { va, last };
	int n = 0;
	for (unsigned k = 0; k < 2; k++) {
		struct point pt;
		unsigned h;
		uint64_t span, base;
		int r;
		/* A group reaching outside holds va - 1 and va, or last and
		 * last + 1. */
		if (!run_may_cross(op, k ? last + 1 : va) || find_leaf(op, ends[k], &pt))
			continue; /* none, or no leaf there: nothing to break */
		h = HT(op, pt.l);
		if (!run_member(op->feat, h, pt.e))
			continue;
		span = pt__span(op->s, pt.l);
		base = ends[k] & ~((span << run_order_at(op->feat, h)) - 1);
		if (base >= va && base + ((span << run_order_at(op->feat, h)) - 1) <= last)
			continue;
		r = run_break(op, pt.p - idx(op->s, pt.l, ends[k]), idx(op->s, pt.l, ends[k]), pt.l,
			      ends[k] & ~(span - 1), commit);
		if (r)
			return r;
		n++;
	}
	return commit ? n : 0;
}

/* The same, nothing to do where both ends are aligned to the largest group
 * (most calls). */
PT_INLINE int runs_at_ends(struct pt_op *op, uint64_t va, uint64_t last, bool commit)
{
	if (A(RUN_MAX) == 0 || (!run_may_cross(op, va) && !run_may_cross(op, last + 1)))
		return 0;
	return runs_at_ends_in(op, va, last, commit);
}

/* A single-page edit at va, whose leaf *pt is a member of a group: the
 * group broken (or PT_ERR_CORRUPT, nothing written), and the leaf found
 * again. */
static __attribute__((cold, noinline)) int run_break_point(struct pt_table *t,
							   const struct pt_shape *s, uint64_t va,
							   struct point *pt)
{
	struct pt_op op;
	const size_t i = idx(s, pt->l, va);
	const uint64_t base = va & ~(pt__span(s, pt->l) - 1);
	int r;
	pt__op_init_rw(&op, t);
	op.s = s;
	op.levels = s->info.levels;
	if ((r = run_break(&op, pt->p - i, i, pt->l, base, false)))
		return r;
	(void)run_break(&op, pt->p - i, i, pt->l, base, true);
	return find(s, t, va, GOAL_LEAF, pt);
}

/* The single-page edits' test: break va's group first where there is one. */
PT_INLINE int run_point(struct pt_table *t, const struct pt_shape *s, uint64_t va,
			struct point *pt)
{
	if (PT_UNLIKELY(run_member(t->features, s->info.levels - 1 - pt->l, pt->e)))
		return run_break_point(t, s, va, pt);
	return PT_OK;
}
