/* SPDX-License-Identifier: MIT */
/*
 * Walks: pt_walk (every entry, callbacks per entry), pt_walk_ranges
 * (coalesced ranges) and pt_walk_batches (leaves in batches), each a
 * visitor of the descent with its own tuned last-level loop. Part of
 * src/engine.h.
 */

/* ---- pt_walk ------------------------------------------------------------ */

/* A last-level table. An entry continuing the previous leaf's run (same
 * bits, PA one page on, below the PA limit) needs no decoding, so a uniform
 * table costs a compare per entry besides the callbacks. */
static inline __attribute__((always_inline)) int
walk_leaves_in(const struct pt_op *op, unsigned l, const PTE *tbl, uint64_t base,
		  const struct pt_walk_ops *ops, void *arg, bool pre_only)
{
	/* pre_only: a pre callback, no post, no limit (so no count either). */
	const struct pt_shape *s = op->s;
	const unsigned feat = op->feat;
	const size_t n = s->entries[l], limit = ops->limit ? ops->limit : (size_t)-1;
	int (*const pre)(void *, const struct pt_entry *) = ops->pre;
	int (*const post)(void *, const struct pt_entry *) = ops->post;
	/* Within one table every VA has the same top bits: canonicalise once. */
	const uint64_t cbase = pt__canon(s, feat, base);
	uint64_t expect = 0;
	size_t seen = 0, room = 0;
	struct pt_entry ent;
	/* ent is handed over as const: what leaves share is written once. */
	ent.level = l;
	ent.size = PG_SIZE;
	ent.leaf = true;
	for (size_t i = 0; i < n; i++) {
		uint64_t e = ld(&tbl[i]);
		int r;
		/* A leaf carrying on the run: no kind, no flags to decode. */
		if (PT_UNLIKELY(!room || e != expect)) {
			int k = A(kind)(feat, 0, e);
			room = 0;
			if (k == PTK_EMPTY) {
				if (e == EMPTY)
					i = skip_empty(tbl, i + 1, n) - 1;
				continue;
			}
			if (!pre_only && seen == limit)
				break;
			if (k != PTK_LEAF)
				return PT_ERR_CORRUPT;
			const uint32_t f = A(leaf_flags)(feat, 0, e);
			ent.flags = f & PT_FLAGS_ALL;
			ent.state = f & PT_STATE_ALL;
			room = run_room(s, e) + 1;
			if (PT_UNLIKELY(shared_member(feat, 0, e)))
				ent.state = run_state(feat, 0, tbl, i);
			ent.pa = member_pa(feat, 0, e, base + ((uint64_t)i << PG_SHIFT), PG_SIZE) -
				 PG_SIZE;
		}
		/* One decrement for both paths: as an else branch it costs the
		 * loop two instructions per leaf with GCC. */
		room--;
		if (!pre_only) {
			if (PT_UNLIKELY(seen == limit))
				break;
			seen++;
		}
		expect = succ(0, e, PG_SIZE);
		ent.index = i;
		ent.va = cbase + ((uint64_t)i << PG_SHIFT);
		ent.pte = e;
		ent.pa += PG_SIZE; /* the run's next page, or the decoded one */
		if ((pre_only || pre) && (r = pre(arg, &ent)))
			return r;
		if (!pre_only && post && (r = post(arg, &ent)))
			return r;
	}
	return PT_OK;
}

/* Most walks have a pre callback and no limit: a loop of their own. */
static int walk_leaves(const struct pt_op *op, unsigned l, const PTE *tbl, uint64_t base,
			  const struct pt_walk_ops *ops, void *arg)
{
	if (ops->pre && !ops->post && !ops->limit)
		return walk_leaves_in(op, l, tbl, base, ops, arg, true);
	return walk_leaves_in(op, l, tbl, base, ops, arg, false);
}

struct walk_ctx {
	const struct pt_walk_ops *ops;
	int (*pre)(void *arg, const struct pt_entry *e);
	int (*post)(void *arg, const struct pt_entry *e);
	void *arg;
	size_t limit;
};

/* The present entry of slot s as pt_walk hands it over. */
PT_INLINE void walk_entry(const struct pt_op *op, const struct slot *s, struct pt_entry *ent)
{
	uint32_t f;
	ent->level = s->l;
	ent->index = s->i;
	ent->va = pt__canon(op->s, op->feat, s->va);
	ent->pte = s->e;
	ent->size = s->span;
	ent->leaf = s->kind == PTK_LEAF;
	ent->pa = ent->leaf ? member_pa(op->feat, s->h, s->e, s->va, s->span)
			    : A(table_pa)(s->h, s->e);
	f = ent->leaf ? A(leaf_flags)(op->feat, s->h, s->e) : 0;
	ent->flags = f & PT_FLAGS_ALL;
	ent->state = f & PT_STATE_ALL;
	if (ent->leaf && s->tbl && shared_member(op->feat, s->h, s->e))
		ent->state = run_state(op->feat, s->h, s->tbl, s->i);
}

/* pre, then the table's entries, then post (in walk_post). */
PT_INLINE int walk_slot(struct pt_op *op, void *ctx, struct slot *s)
{
	const struct walk_ctx *c = ctx;
	struct pt_entry ent;
	int r;
	if (s->nth == c->limit) {
		s->stop = true;
		return 0;
	}
	walk_entry(op, s, &ent);
	if (c->pre && (r = c->pre(c->arg, &ent)))
		return r;
	if (!ent.leaf)
		s->down = DOWN_TABLE;
	else if (c->post && (r = c->post(c->arg, &ent)))
		return r;
	return 0;
}

PT_INLINE int walk_post(struct pt_op *op, void *ctx, struct slot *s)
{
	const struct walk_ctx *c = ctx;
	struct pt_entry ent;
	walk_entry(op, s, &ent);
	return c->post ? c->post(c->arg, &ent) : 0;
}

/* A corrupt entry past the limit is not visited; an unreachable table is
 * corrupt. */
PT_INLINE int walk_corrupt(struct pt_op *op, void *ctx, struct slot *s)
{
	const struct walk_ctx *c = ctx;
	(void)op;
	if (s->kind == PTK_CORRUPT && s->nth == c->limit) {
		s->stop = true;
		return 0;
	}
	return PT_ERR_CORRUPT;
}

PT_INLINE int walk_run(struct pt_op *op, void *ctx, struct level lv, size_t i, size_t j,
		    uint64_t va)
{
	const struct walk_ctx *c = ctx;
	(void)j;
	return walk_leaves(op, lv.l, lv.tbl, va - ((uint64_t)i << PG_SHIFT), c->ops, c->arg);
}

PT_VISITOR(walk_visitor, walk_level, .skip_empty = true, .live_only = true, .count = true,
	   .table = walk_slot, .leaf = walk_slot, .corrupt = walk_corrupt, .up = walk_post,
	   .run = walk_run)

static int walk(const struct pt_table *t, const struct pt_walk_ops *ops, void *arg)
{
	struct pt_op op;
	struct walk_ctx c = { ops, ops->pre, ops->post, arg, ops->limit ? ops->limit : (size_t)-1 };
	pt__op_init(&op, t);
	return descend_root(&op, &walk_visitor, &c, 0, table_last(&op, 0, 0));
}

/* ---- Coalesced ranges (pt_walk_ranges) --------------------------------- */

/* The range being grown, and the raw entry that would extend it. */
struct ranges {
	int (*fn)(void *arg, const struct pt_range *r);
	void *arg;
	struct pt_range cur;  /* cur.size == 0: nothing pending */
	uint64_t expect;      /* next entry continuing cur at this height */
	unsigned expect_h;    /* height expect belongs to (no match elsewhere) */
	size_t room;          /* last-level entries expect may still advance (PA limit) */
};

/* Hand over the pending range: nothing is left to extend. */
static int range_emit(struct ranges *w)
{
	const int r = w->cur.size ? w->fn(w->arg, &w->cur) : 0;
	w->cur.size = 0;
	w->expect_h = ~0u;
	return r;
}

/* A leaf the fast compare did not recognise: extend or start a range. */
static int range_leaf(const struct pt_op *op, struct ranges *w, unsigned h, unsigned l,
			 uint64_t e, uint64_t va, uint64_t end)
{
	uint64_t m = pt__span(op->s, l) - 1;
	uint64_t pa = member_pa(op->feat, h, e, va, m + 1) | (va & m);
	uint32_t flags = A(leaf_flags)(op->feat, h, e) & PT_FLAGS_ALL;
	uint64_t cva = pt__canon(op->s, op->feat, va);
	struct pt_range *c = &w->cur;
	int r;
	if (c->size && c->va + c->size == cva && c->pa + c->size == pa && c->flags == flags &&
	    c->leaf_size == m + 1) {
		c->size += end - va + 1;
	} else {
		if ((r = range_emit(w)))
			return r;
		c->va = cva;
		c->pa = pa;
		c->size = end - va + 1;
		c->leaf_size = m + 1;
		c->flags = flags;
	}
	/* Only a whole next slot can continue by raw compare. */
	w->expect = succ(h, e, m + 1);
	w->expect_h = h;
	w->room = h == 0 ? run_room(op->s, e) : 0;
	return 0;
}

PT_INLINE int ranges_run(struct pt_op *op, void *ctx, struct level lv, size_t i, size_t j,
		      uint64_t va)
{
	struct ranges *w = ctx;
	const PTE *tbl = lv.tbl;
	int r;
	for (; i <= j; i++, va += PG_SIZE) {
		uint64_t e;
		if (w->expect_h == 0 && w->cur.size) {
			size_t n = run_len(&tbl[i], min_sz(j - i + 1, w->room), w->expect);
			w->room -= n;
			w->cur.size += n * PG_SIZE;
			w->expect = succ(0, w->expect, n * PG_SIZE);
			i += n;
			va += n * PG_SIZE;
			if (i > j)
				break;
		}
		e = ld(&tbl[i]);
		switch (A(kind)(op->feat, 0, e)) {
		case PTK_EMPTY:
			if ((r = range_emit(w)))
				return r;
			if (e == EMPTY) {
				size_t k = skip_empty(tbl, i + 1, j + 1);
				va += (uint64_t)(k - i - 1) * PG_SIZE;
				i = k - 1;
			}
			break;
		case PTK_LEAF:
			if ((r = range_leaf(op, w, 0, lv.l, e, va, va + PG_SIZE - 1)))
				return r;
			break;
		default:
			return PT_ERR_CORRUPT;
		}
	}
	return 0;
}

PT_INLINE int ranges_hole(struct pt_op *op, void *ctx, struct slot *s)
{
	(void)op, (void)s;
	return range_emit(ctx);
}

PT_INLINE int ranges_leaf(struct pt_op *op, void *ctx, struct slot *s)
{
	return range_leaf(op, ctx, s->h, s->l, s->e, s->va, slot_end(s));
}

PT_VISITOR(ranges_visitor, ranges_level, .skip_empty = true, .live_only = true,
	   .empty = ranges_hole, .leaf = ranges_leaf, .run = ranges_run)

static int walk_ranges(const struct pt_table *t, uint64_t va, uint64_t last,
		       int (*fn)(void *arg, const struct pt_range *r), void *arg)
{
	struct pt_op op;
	struct ranges w;
	int r;
	/* Field by field: an initialiser may zero the struct by a memset call. */
	w.fn = fn;
	w.arg = arg;
	w.cur.size = 0;
	w.expect = 0;
	w.expect_h = ~0u;
	w.room = 0;
	pt__op_init(&op, t);
	r = descend_root(&op, &ranges_visitor, &w, va, last);
	return r ? r : range_emit(&w);
}

/* ---- Batches of leaves (pt_walk_batches, the cursor) ------------------- */

/*
 * One set of handlers in two modes, cb a constant in each: pt_walk_batches
 * descends once and hands every ready batch to its callback; a cursor
 * walks a batch per call, reading on from c->va in the deepest table the
 * previous call went through that holds it, and stops the descent once a
 * batch is ready: full, or followed by a leaf that cannot join it (read
 * again by the next call, as the first of the next batch), or at the
 * window's end, or before a corrupt entry. Either way the batch, its PAs
 * and the raw compare's state live in a struct pt_cursor.
 */
struct batches {
	struct pt_cursor c; /* first: a handler's context is either */
	int (*fn)(void *arg, const struct pt_batch *b);
	void *arg;
};

/* What a cursor's handler returns to stop the descent with a batch ready
 * (every PT_ERR_* is negative). */
#define BATCH_READY 1
/* c->state once the window is done. */
#define CURSOR_DONE 1

/* Formats whose last-level leaves a batch reads in place: 8-byte entries
 * holding the PA shifted, which PT_BATCH_PA's one shift and mask decode. */
#define BATCH_VIEWS (A(OUT_LINEAR) && sizeof(PTE) == 8)
/* Is c's batch read in place? Never where no batch can be. */
#define IN_PLACE(c) (BATCH_VIEWS && (c)->view)

/* How the caller reads c's batch: its entries in place, or the PAs
 * copied out (c->pa, which a copy of the cursor has at another address). */
PT_INLINE void batch_out(const struct pt_cursor *c, struct pt_batch *out)
{
	if (IN_PLACE(c)) {
		out->entry = c->b.entry;
		out->shift = field_shift();
		out->mask = leaf_field() << field_shift();
	} else {
		out->entry = c->pa;
		out->shift = 0;
		out->mask = ~UINT64_C(0);
	}
}

/* pt_walk_batches: hand the batch over; a next one starts where it ended
 * with the same level, size and flags, so the raw compare carries on. */
static int batch_emit(struct pt_cursor *c)
{
	const struct batches *w = (const struct batches *)(const void *)c;
	struct pt_batch *b = &c->b;
	int r;
	batch_out(c, b);
	r = w->fn(w->arg, b);
	b->va += b->n * b->size;
	b->n = 0;
	return r;
}

/* The batch is full with the leaves up to `end`: emitted (cb), or ready,
 * the cursor's next call reading on after it. */
PT_INLINE int batch_full(struct pt_cursor *c, const bool cb, uint64_t end)
{
	if (cb)
		return batch_emit(c);
	c->va = end + 1;
	if (end >= c->last)
		c->state = CURSOR_DONE;
	return BATCH_READY;
}

/* A leaf the raw compare did not take, at canonical VA cva (its start),
 * meeting the window from va to end; at is its entry in a last-level
 * table (NULL above the last level). A batch read in place takes only
 * leaves of its table, which follow its last one in VA exactly when they
 * follow it in the table. */
PT_INLINE int batch_leaf(const struct pt_op *op, struct pt_cursor *c, const bool cb, unsigned h,
			 unsigned l, uint64_t e, const PTE *at, uint64_t cva, uint64_t va,
			 uint64_t end)
{
	const uint64_t size = pt__span(op->s, l);
	const uint32_t flags = A(leaf_flags)(op->feat, h, e) & PT_FLAGS_ALL;
	/* Shared-run members hold no PA of their own: never taken raw, nor
	 * read in place. */
	const bool own = h == 0 && !shared_member(op->feat, h, e);
	const bool in_place = BATCH_VIEWS && at && own;
	struct pt_batch *b = &c->b;
	int r;
	if (!b->n || b->level != l || b->flags != flags || b->va + b->n * size != cva ||
	    (IN_PLACE(c) && !in_place)) {
		if (b->n) {
			/* What came before is ready; this leaf starts the next
			 * batch (a cursor's next call reads it again). */
			if (!cb) {
				c->va = va;
				c->raw = false;
				return BATCH_READY;
			}
			if ((r = batch_emit(c)))
				return r;
		}
		b->va = cva;
		b->size = size;
		b->flags = flags;
		b->level = l;
		c->view = in_place;
		if (in_place)
			b->entry = (const uint64_t *)(const void *)at;
	}
	if (!IN_PLACE(c))
		c->pa[b->n] = member_pa(op->feat, h, e, cva, size);
	b->n++;
	c->raw = own;
	c->attrs = leaf_attrs_of(e);
	return !IN_PLACE(c) && b->n == PT_BATCH_MAX ? batch_full(c, cb, end) : 0;
}

/*
 * How many of the k entries from p are last-level leaves with attribute bits
 * attrs; their PAs go to pa. e ^ attrs is e's address field (the PA, or PA
 * / 4 on RISC-V) exactly when e's attribute bits are attrs. Linear formats
 * test 64 bytes at once in 16-byte vectors; each lane is an aligned entry,
 * read whole as ld reads it, so a PA taken from a lane is one it held.
 */
static inline __attribute__((always_inline)) size_t
batch_run(const PTE *p, size_t k, uint64_t attrs, uint64_t *pa)
{
	enum { L = PT_LANES(PTE) };
	const uint64_t am = ~leaf_field();
	const unsigned sh = field_shift();
	/* The shift as a product: gcc -fanalyzer misreads vector shifts. */
	const uint64_t scale = UINT64_C(1) << sh;
	size_t m = 0;
	if (A(OUT_LINEAR) && k >= 4 * L) {
		vec av = { 0 }, amv = { 0 };
		for (unsigned j = 0; j < L; j++) {
			av[j] = (PTE)attrs;
			amv[j] = (PTE)am;
		}
		for (; m + 4 * L <= k; m += 4 * L) {
			const vec *v = (const vec *)(const void *)(p + m);
			const vec x0 = v[0] ^ av, x1 = v[1] ^ av, x2 = v[2] ^ av, x3 = v[3] ^ av;
			const vec d = (x0 | x1 | x2 | x3) & amv;
			pa_vec *o = (pa_vec *)(void *)(pa + m);
			PTE any = 0;
			for (unsigned j = 0; j < L; j++)
				any |= d[j];
			if (any)
				break;
			o[0] = __builtin_convertvector(x0, pa_vec) * scale;
			o[1] = __builtin_convertvector(x1, pa_vec) * scale;
			o[2] = __builtin_convertvector(x2, pa_vec) * scale;
			o[3] = __builtin_convertvector(x3, pa_vec) * scale;
		}
	}
	for (; m < k; m++) {
		const uint64_t x = ld(&p[m]) ^ attrs;
		if (x & am)
			break;
		pa[m] = A(OUT_LINEAR) ? x << sh : A(leaf_pa)(0, x ^ attrs);
	}
	return m;
}

/*
 * How many of the k entries from p are last-level leaves with attribute
 * bits attrs, for a batch read in place: batch_run's compare without the
 * copy, 128 bytes a step (a step that fails is looked at again one entry
 * at a time).
 */
static inline __attribute__((always_inline)) size_t
batch_scan(const PTE *p, size_t k, uint64_t attrs)
{
	const uint64_t am = ~leaf_field();
	size_t m = 0;
	while (m + STEP_ENTRIES <= k && !step_differs(&p[m], attrs, am))
		m += STEP_ENTRIES;
	for (; m < k; m++)
		if ((ld(&p[m]) ^ attrs) & am)
			break;
	return m;
}

/* A corrupt entry or table: what came before it is handed over first
 * (by a cursor's call, the error by its next). */
PT_INLINE int batch_corrupt(struct pt_cursor *c, const bool cb)
{
	int r;
	if (!cb) {
		c->state = PT_ERR_CORRUPT;
		return c->b.n ? BATCH_READY : PT_ERR_CORRUPT;
	}
	r = c->b.n ? batch_emit(c) : 0;
	return r ? r : PT_ERR_CORRUPT;
}

/* The last-level entries [i, j] of lv, the first at va. */
PT_INLINE int batches_run(struct pt_op *op, struct pt_cursor *c, const bool cb, struct level lv,
			  size_t i, size_t j, uint64_t va)
{
	struct pt_batch *b = &c->b;
	const PTE *tbl = lv.tbl;
	/* The table's first VA: entry k's is tva + k pages. */
	const uint64_t tva = va - ((uint64_t)i << PG_SHIFT);
	uint64_t cva = pt__canon(op->s, op->feat, va);
	int r;
	/* A batch read in place holds one table's leaves (a cursor's ends
	 * with its table's run, below). */
	if (cb && IN_PLACE(c) && b->n && (r = batch_emit(c)))
		return r;
	while (i <= j) {
		uint64_t e;
		if (BATCH_VIEWS && c->raw && b->va + b->n * PG_SIZE == cva && (c->view || !b->n)) {
			const size_t k = j - i + 1;
			size_t m;
			if (!b->n) {
				c->view = true;
				b->entry = (const uint64_t *)(const void *)&tbl[i];
			}
			m = batch_scan(&tbl[i], k, c->attrs);
			b->n += m;
			i += m;
			cva += m * PG_SIZE;
			if (m == k)
				continue;
		} else if (c->raw && b->va + b->n * PG_SIZE == cva) {
			const size_t k = min_sz(j - i + 1, PT_BATCH_MAX - b->n);
			const size_t m = batch_run(&tbl[i], k, c->attrs, &c->pa[b->n]);
			b->n += m;
			i += m;
			cva += m * PG_SIZE;
			if (b->n == PT_BATCH_MAX &&
			    (r = batch_full(c, cb, tva + ((uint64_t)i << PG_SHIFT) - 1)))
				return r;
			if (m == k)
				continue;
		}
		e = ld(&tbl[i]);
		switch (A(kind)(op->feat, 0, e)) {
		case PTK_EMPTY: {
			/* A hole: the batch cannot go on past it, and the VA
			 * compare above sees that. */
			const size_t z = e != EMPTY ? i + 1 : skip_empty(tbl, i + 1, j + 1);
			cva += (z - i) * PG_SIZE;
			i = z;
			continue;
		}
		case PTK_LEAF: {
			const uint64_t at = tva + ((uint64_t)i << PG_SHIFT);
			if ((r = batch_leaf(op, c, cb, 0, lv.l, e, &tbl[i], cva, at,
					    at + (PG_SIZE - 1))))
				return r;
			break;
		}
		default:
			return batch_corrupt(c, cb);
		}
		i++;
		cva += PG_SIZE;
	}
	if (!cb && IN_PLACE(c) && b->n)
		return batch_full(c, cb, tva + ((uint64_t)(j + 1) << PG_SHIFT) - 1);
	return 0;
}

/* A leaf above the last level: the whole leaf, wherever the window starts
 * in it. */
PT_INLINE int batches_leaf(struct pt_op *op, struct pt_cursor *c, const bool cb, struct slot *s)
{
	const uint64_t base = s->va & ~(pt__span(op->s, s->l) - 1);
	return batch_leaf(op, c, cb, s->h, s->l, s->e, (const PTE *)0,
			  pt__canon(op->s, op->feat, base), s->va, slot_end(s));
}

/* The handlers of each mode. */
#define PT_BATCH_HANDLERS(mode, cb)                                                         \
	PT_INLINE int batches_run_##mode(struct pt_op *op, void *ctx, struct level lv,       \
					 size_t i, size_t j, uint64_t va)                    \
	{                                                                                   \
		return batches_run(op, ctx, cb, lv, i, j, va);                              \
	}                                                                                   \
	PT_INLINE int batches_leaf_##mode(struct pt_op *op, void *ctx, struct slot *s)       \
	{                                                                                   \
		return batches_leaf(op, ctx, cb, s);                                        \
	}                                                                                   \
	PT_INLINE int batches_corrupt_##mode(struct pt_op *op, void *ctx, struct slot *s)    \
	{                                                                                   \
		(void)op, (void)s;                                                          \
		return batch_corrupt(ctx, cb);                                              \
	}
PT_BATCH_HANDLERS(cb, true)
PT_BATCH_HANDLERS(cursor, false)

PT_VISITOR(batches_visitor, batches_level, .skip_empty = true, .live_only = true,
	   .leaf = batches_leaf_cb, .corrupt = batches_corrupt_cb, .run = batches_run_cb)

static int walk_batches(const struct pt_table *t, uint64_t va, uint64_t last,
			int (*fn)(void *arg, const struct pt_batch *b), void *arg)
{
	struct pt_op op;
	struct batches w;
	int r;
	pt__op_init(&op, t);
	pt__cursor_start(&w.c, t, va, last);
	w.fn = fn;
	w.arg = arg;
	r = descend_root(&op, &batches_visitor, &w.c, va, last);
	return r ? r : w.c.b.n ? batch_emit(&w.c) : 0;
}

/* The cursor's descent: every table it goes through is remembered, for the
 * next call to start from. */
static int cursor_level(struct pt_op *op, void *ctx, struct level lv, uint64_t va,
			uint64_t last);
static const struct visitor cursor_visitor = {
	.skip_empty = true, .live_only = true, .leaf = batches_leaf_cursor,
	.corrupt = batches_corrupt_cursor, .run = batches_run_cursor, .down = cursor_level,
};
static int cursor_level(struct pt_op *op, void *ctx, struct level lv, uint64_t va,
			uint64_t last)
{
	struct pt_cursor *c = ctx;
	c->path[lv.l] = lv.tbl;
	c->path_va[lv.l] = va;
	return descend(op, &cursor_visitor, ctx, lv, va, last);
}

/* Does the level-l table c remembers (l >= 1) hold c->va? It spans one
 * entry of level l - 1. */
PT_INLINE bool cursor_holds(const struct pt_cursor *c, const struct pt_shape *s, unsigned l)
{
	return c->path[l] && !((c->va ^ c->path_va[l]) >> s->shift[l - 1]);
}

/* Walk on from c->va until a batch is ready (BATCH_READY), the window is
 * done (0) or an error: in the deepest table remembered that holds c->va,
 * then in its parent, and so on up to the root. */
static int cursor_walk(struct pt_op *op, struct pt_cursor *c)
{
	const struct pt_shape *s = op->s;
	/* A table that left the tree may be another's now, or garbage. */
	if (c->gen != op->t->tables_gen) {
		for (unsigned l = 0; l < PT_MAX_LEVELS; l++)
			c->path[l] = (const void *)0;
		c->gen = op->t->tables_gen;
	}
	for (;;) {
		unsigned l = op->levels - 1;
		uint64_t end;
		int r;
		while (l && !cursor_holds(c, s, l))
			l--;
		if (!l)
			return descend_root(op, &cursor_visitor, c, c->va, c->last);
		end = c->va | (pt__span(s, l - 1) - 1);
		if (end > c->last)
			end = c->last;
		r = cursor_level(op, c, (struct level){ (PTE *)(uintptr_t)c->path[l], l, TBL_LIVE },
				 c->va, end);
		if (r || end == c->last)
			return r;
		c->va = end + 1;
	}
}

/*
 * The common call: the last batch ended on a last-level leaf the raw
 * compare took, in the last-level table the walk remembers, which holds
 * c->va. The entries that follow there join on the compare, up to a full
 * batch (read in place: the table's run), the table's end or the
 * window's. Is the batch ready? One left short goes on through
 * cursor_walk, as any call does.
 */
PT_INLINE bool cursor_run_on(struct pt_cursor *c)
{
	const struct pt_shape *s = c->t->shape;
	const unsigned ll = s->info.levels - 1;
	const PTE *tbl = (const PTE *)c->path[ll];
	size_t i, k, m;
	if (!c->raw || c->gen != c->t->tables_gen || !cursor_holds(c, s, ll))
		return false;
	i = idx(s, ll, c->va);
	k = s->entries[ll] - i;
	if ((c->last - c->va) >> PG_SHIFT < k)
		k = (size_t)((c->last - c->va) >> PG_SHIFT) + 1;
	c->view = BATCH_VIEWS;
	if (BATCH_VIEWS) {
		c->b.entry = (const uint64_t *)(const void *)&tbl[i];
		m = batch_scan(&tbl[i], k, c->attrs);
	} else {
		k = min_sz(k, PT_BATCH_MAX);
		m = batch_run(&tbl[i], k, c->attrs, c->pa);
	}
	c->b.n = m;
	c->va += (uint64_t)m << PG_SHIFT;
	return m == k && (BATCH_VIEWS || m == PT_BATCH_MAX);
}

/* The next batch of a cursor still walking (pt_cursor_next). */
static int cursor_next(struct pt_cursor *c, struct pt_batch *out)
{
	struct pt_op op;
	size_t n;
	int r = BATCH_READY;
	const bool ready = cursor_run_on(c);
	if (c->va - 1 == c->last) {
		r = 0;
	} else if (!ready) {
		pt__op_init(&op, c->t);
		r = cursor_walk(&op, c);
	}
	if (r < 0)
		return c->state = r;
	if (!r)
		c->state = CURSOR_DONE;
	n = c->b.n;
	if (!n)
		return 0;
	*out = c->b;
	batch_out(c, out);
	/* A next batch continuing this one joins on the raw compare. */
	c->b.va += n * c->b.size;
	c->b.n = 0;
	return (int)n;
}
