/* SPDX-License-Identifier: MIT */
/*
 * Table frames: where a new table goes, when a frame is given back, and
 * the whole-subtree visitors (free everything below, is there a leaf
 * below). Part of src/engine.h.
 */

static inline PTE *tbl_at(const struct pt_table *t, uint64_t pa)
{
	return (PTE *)pt__frame(t, pa);
}

PT_INLINE bool is_shared(const struct pt_op *op, unsigned l, size_t i)
{
	return l == 0 && pt__root_shared(op->t, i);
}

/*
 * Packed tables (ARMv7 L2: four 1 KiB tables in a 4 KiB frame, the tables
 * of four consecutive parent entries): the frame already holding a sibling
 * of slot i's table (`later`: one in a slot after i), or 0.
 */
static uint64_t group_frame(const struct pt_op *op, unsigned l, const PTE *tbl, size_t i,
			    bool later)
{
	const size_t n = op->s->per_frame[l + 1], end = (i | (n - 1)) + 1;
	for (size_t j = later ? i + 1 : i & ~(n - 1); j < end; j++) {
		uint64_t e;
		if (j == i || is_shared(op, l, j))
			continue;
		e = ld(&tbl[j]);
		if (kind_at(op, l, e) == PTK_TABLE)
			return A(table_pa)(HT(op, l), e) & ~(uint64_t)(PT_FRAME_SIZE - 1);
	}
	return 0;
}

/* Planning: frames a new table under the level-l slot holding va needs. A
 * packed group counts once per call, never credited with a sibling's frame
 * (which may go earlier in the call); an unused reserve goes back. */
static inline size_t plan_table(struct pt_op *op, unsigned l, uint64_t va)
{
	unsigned n = op->s->per_frame[l + 1];
	uint64_t g;
	if (n <= 1)
		return 1;
	g = (va >> op->s->shift[l]) / n;
	if (op->plan_group == g)
		return 0;
	op->plan_group = g;
	return 1;
}

/* Commit: where the new table under slot i of tbl (level l) goes. */
static uint64_t new_table(struct pt_op *op, unsigned l, const PTE *tbl, size_t i)
{
	const struct pt_shape *s = op->s;
	size_t n = s->per_frame[l + 1];
	uint64_t f;
	if (n <= 1)
		return pt__take(op);
	f = group_frame(op, l, tbl, i, false);
	if (!f)
		f = pt__take(op);
	return f + (uint64_t)(i & (n - 1)) * s->entries[l + 1] * s->pte_bytes;
}

/* The table at child_pa under slot i of tbl (level l) left the tree, and
 * no hint points into it any more: give its frame back through g, at once
 * (`now`) or after the TLB forgot it (pt__free_table), unless a packed
 * sibling (`later`: one visited after it) still lives there. */
PT_INLINE void give_frame(struct pt_op *op, struct pt_give *g, unsigned l, const PTE *tbl,
			  size_t i, uint64_t child_pa, bool later, bool now)
{
	const struct pt_shape *s = op->s;
	if (s->per_frame[l + 1] > 1) {
		if (group_frame(op, l, tbl, i, later))
			return;
		child_pa &= ~(uint64_t)(PT_FRAME_SIZE - 1);
	}
	if (now)
		pt__give(op->t, g, child_pa, s->frames[l + 1]);
	else
		pt__free_table(op->w, g, child_pa, s->frames[l + 1]);
}

/* Slot i of the live table tbl was just stored empty or given a leaf: its
 * table goes, the hints forgotten first (one may point into the frame). */
static void release(struct pt_op *op, unsigned l, const PTE *tbl, size_t i, uint64_t child_pa)
{
	pt__forget_hints(op->w);
	give_frame(op, op->give, l, tbl, i, child_pa, false, false);
}

/* Is the level-l table tbl all empty, now that an unmap emptied what it
 * could of slots i..j? The slots either side first: calls over neighbouring
 * ranges find the table in use at once, whatever its size (a 64K
 * granule's last level has 8192 slots); then the whole table, empty
 * stretches four entries a test. */
static bool is_empty(const struct pt_op *op, unsigned l, const PTE *tbl, size_t i, size_t j)
{
	const size_t n = op->s->entries[l];
	if ((i > 0 && kind_at(op, l, ld(&tbl[i - 1])) != PTK_EMPTY) ||
	    (j + 1 < n && kind_at(op, l, ld(&tbl[j + 1])) != PTK_EMPTY))
		return false;
	for (size_t k = skip_empty(tbl, 0, n); k < n; k = skip_empty(tbl, k + 1, n))
		if (kind_at(op, l, ld(&tbl[k])) != PTK_EMPTY)
			return false;
	return true;
}

/* The whole VA range of the level-l table holding va. */
PT_INLINE uint64_t table_last(const struct pt_op *op, unsigned l, uint64_t va)
{
	const uint64_t m = (pt__span(op->s, l) << __builtin_ctz(op->s->entries[l])) - 1;
	return va | m;
}

/* ---- Teardown: free every table below one ------------------------------- */

/*
 * The tables below a table that left the tree (or the root of a table being
 * destroyed) go as they are: the MMU may walk a detached subtree until the
 * TLB forgot it, so nothing in it is written, and each frame goes after
 * everything below it was read, at once (pt_destroy) or after the TLB
 * forgot it (pt__free_table).
 */
struct free_ctx {
	bool now;
	struct pt_give *give; /* op->give */
};

/* Slot s points at child_pa: its frame goes, with the last of the packed
 * tables sharing it, after that one was read (free_below forgot the hints
 * once for all of them). */
PT_INLINE int free_up(struct pt_op *op, void *ctx, struct slot *s)
{
	struct free_ctx *c = ctx;
	give_frame(op, c->give, s->l, s->tbl, s->i, s->child_pa, true, c->now);
	return 0;
}

/* The next table entry of tbl after slot *k up to slot j, empty ones
 * skipped (stretches of EMPTY at once): its table's PA, or 0 at the
 * range's end or an entry that is neither (*k left there). */
PT_INLINE uint64_t next_table(const struct pt_op *op, const PTE *tbl, size_t *k, size_t j)
{
	while (++*k <= j) {
		uint64_t e = ld(&tbl[*k]);
		if (e == EMPTY) {
			*k = skip_empty(tbl, *k, j + 1);
			if (*k > j)
				return 0;
			e = ld(&tbl[*k]);
		}
		const int kind = A(kind)(op->feat, 1, e);
		if (kind == PTK_TABLE)
			return A(table_pa)(1, e);
		if (kind != PTK_EMPTY)
			return 0;
	}
	return 0;
}

/* Slot s holds a last-level table, as may the slots after it up to the
 * range's end or the first that is neither empty nor a table; none is
 * shared or packed (s->l > 0, one table a frame). Their frames go in one
 * loop, straight into the batch when they go at once and the caller takes
 * batches; the descent goes on after the last one taken (s->more). */
PT_INLINE void free_last_tables(struct pt_op *op, struct free_ctx *c, struct slot *s)
{
	const PTE *tbl = s->tbl;
	const size_t j = idx(op->s, s->l, s->last), count = op->s->frames[s->l + 1];
	struct pt_give *g = c->give;
	uint64_t pa = s->child_pa;
	size_t k = s->i;
	if ((c->now || !op->t->mm.flush_tlb) && op->t->free_batch && g) {
		size_t n = g->n;
		if (n && g->count != count) {
			pt__give_all(op->t, g);
			n = 0;
		}
		g->count = count;
		do {
			if (n == PT_FREE_BATCH) {
				g->n = n;
				pt__give_all(op->t, g);
				n = 0;
			}
			g->pa[n++] = pa;
		} while ((pa = next_table(op, tbl, &k, j)));
		g->n = n;
	} else {
		do
			give_frame(op, g, s->l, tbl, k, pa, true, c->now);
		while ((pa = next_table(op, tbl, &k, j)));
	}
	s->more = k - 1 - s->i;
}

/* A table entry: free what is below it (never a shared subtree), then its
 * own frame (free_up). Last-level tables hold no table: no need to go in. */
PT_INLINE int free_table(struct pt_op *op, void *ctx, struct slot *s)
{
	if (is_shared(op, s->l, s->i))
		return 0;
	s->child_pa = A(table_pa)(s->h, s->e);
	if (s->h > 1) {
		s->down = DOWN_TABLE;
		return 0;
	}
	if (s->l == 0 || op->s->per_frame[s->l + 1] > 1)
		return free_up(op, ctx, s);
	free_last_tables(op, ctx, s);
	return 0;
}

/* A table that cannot be reached is released all the same. */
PT_INLINE int free_unreachable(struct pt_op *op, void *ctx, struct slot *s)
{
	return s->kind == PTK_TABLE ? free_up(op, ctx, s) : 0;
}

PT_VISITOR(free_visitor, free_level, .skip_empty = true, .live_only = true, .stretch = true,
	   .table = free_table,
	   .corrupt = free_unreachable, .up = free_up)

/* Free every table below the level-l table tbl at va (not tbl itself),
 * writing nothing; `now`: without waiting for a TLB flush. */
static void free_below(struct pt_op *op, unsigned l, PTE *tbl, uint64_t va, bool now)
{
	struct free_ctx c = { now, op->give };
	struct level lv = { tbl, l, TBL_LIVE };
	if (tbl && HT(op, l) > 0) {
		pt__forget_hints(op->w); /* they may point into any frame below */
		(void)free_level(op, &c, lv, va, table_last(op, l, va));
	}
}

/* free_below the table that e, the level-l entry for va, pointed at before
 * it left the tree. A last-level table holds no table: nothing to read. */
PT_INLINE void free_child(struct pt_op *op, unsigned l, uint64_t e, uint64_t va)
{
	if (HT(op, l) > 1)
		free_below(op, l + 1, tbl_at(op->t, A(table_pa)(HT(op, l), e)),
			   va & ~(pt__span(op->s, l) - 1), false);
}

/* ---- Is there a leaf below a table? -------------------------------------- */

PT_INLINE int found_leaf(struct pt_op *op, void *ctx, struct slot *s)
{
	(void)op, (void)ctx, (void)s;
	return 1;
}

PT_INLINE int leaf_in_run(struct pt_op *op, void *ctx, struct level lv, size_t i, size_t j,
		       uint64_t va)
{
	(void)ctx, (void)va;
	for (; i <= j; i++) {
		int k = A(kind)(op->feat, 0, ld(&lv.tbl[i]));
		if (k == PTK_LEAF)
			return 1;
		if (k == PTK_CORRUPT)
			return PT_ERR_CORRUPT;
	}
	return 0;
}

PT_VISITOR(leaf_visitor, leaf_level, .skip_empty = true, .live_only = true, .leaf = found_leaf,
	   .run = leaf_in_run)

/* 1 if a leaf lives below e, the level-l table entry for va, 0 if none,
 * PT_ERR_CORRUPT if something cannot be trusted first. */
static int has_leaf(struct pt_op *op, unsigned l, uint64_t e, uint64_t va)
{
	struct level lv = { tbl_at(op->t, A(table_pa)(HT(op, l), e)), l + 1, TBL_LIVE };
	va &= ~(pt__span(op->s, l) - 1);
	return lv.tbl ? leaf_level(op, (void *)0, lv, va, table_last(op, l + 1, va))
		      : PT_ERR_CORRUPT;
}
