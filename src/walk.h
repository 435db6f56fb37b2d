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

/* ---- Batches of leaves (pt_walk_batches) ------------------------------- */

/* The batch being filled, and the raw attribute bits of its last last-level leaf:
 * a next last-level entry with the same bits joins on a compare (raw is false when
 * the batch holds larger leaves). */
struct batches {
	int (*fn)(void *arg, const struct pt_batch *b);
	void *arg;
	struct pt_batch b; /* b.n == 0: nothing pending */
	uint64_t attrs;
	bool raw;
	uint64_t pa[PT_BATCH_MAX];
};

static int batch_emit(struct batches *w)
{
	const int r = w->b.n ? w->fn(w->arg, &w->b) : 0;
	w->b.n = 0;
	return r;
}

/* Hand over a full batch; the next one starts where it ended, with the
 * same level, size and flags, so the raw compare carries on. */
static int batch_next(struct batches *w)
{
	int r = w->fn(w->arg, &w->b);
	w->b.va += w->b.n * w->b.size;
	w->b.n = 0;
	return r;
}

/* A leaf the raw compare did not take, at canonical VA cva (its start). */
static int batch_leaf(const struct pt_op *op, struct batches *w, unsigned h, unsigned l,
			 uint64_t e, uint64_t cva)
{
	const uint64_t size = pt__span(op->s, l);
	const uint32_t flags = A(leaf_flags)(op->feat, h, e) & PT_FLAGS_ALL;
	struct pt_batch *b = &w->b;
	int r;
	if (!b->n || b->level != l || b->flags != flags || b->va + b->n * size != cva) {
		if ((r = batch_emit(w)))
			return r;
		b->va = cva;
		b->size = size;
		b->flags = flags;
		b->level = l;
	}
	w->pa[b->n++] = member_pa(op->feat, h, e, cva, size);
	/* Shared-run members hold no PA of their own: never taken raw. */
	w->raw = h == 0 && !shared_member(op->feat, h, e);
	w->attrs = leaf_attrs_of(e);
	return b->n == PT_BATCH_MAX ? batch_next(w) : 0;
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

/* A corrupt entry or table: what came before it is handed over first. */
static int batch_corrupt(struct batches *w)
{
	int r = batch_emit(w);
	return r ? r : PT_ERR_CORRUPT;
}

PT_INLINE int batches_run(struct pt_op *op, void *ctx, struct level lv, size_t i, size_t j,
		       uint64_t va)
{
	struct batches *w = ctx;
	const PTE *tbl = lv.tbl;
	uint64_t cva = pt__canon(op->s, op->feat, va);
	int r;
	while (i <= j) {
		struct pt_batch *b = &w->b;
		uint64_t e;
		if (w->raw && b->va + b->n * PG_SIZE == cva) {
			const size_t k = min_sz(j - i + 1, PT_BATCH_MAX - b->n);
			const size_t m = batch_run(&tbl[i], k, w->attrs, &w->pa[b->n]);
			b->n += m;
			i += m;
			cva += m * PG_SIZE;
			if (b->n == PT_BATCH_MAX && (r = batch_next(w)))
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
		case PTK_LEAF:
			if ((r = batch_leaf(op, w, 0, lv.l, e, cva)))
				return r;
			break;
		default:
			return batch_corrupt(w);
		}
		i++;
		cva += PG_SIZE;
	}
	return 0;
}

/* A leaf above the last level: the whole leaf, wherever the window starts
 * in it. */
PT_INLINE int batches_leaf(struct pt_op *op, void *ctx, struct slot *s)
{
	const uint64_t base = s->va & ~(pt__span(op->s, s->l) - 1);
	return batch_leaf(op, ctx, s->h, s->l, s->e, pt__canon(op->s, op->feat, base));
}

PT_INLINE int batches_corrupt(struct pt_op *op, void *ctx, struct slot *s)
{
	(void)op, (void)s;
	return batch_corrupt(ctx);
}

PT_VISITOR(batches_visitor, batches_level, .skip_empty = true, .live_only = true,
	   .leaf = batches_leaf, .corrupt = batches_corrupt, .run = batches_run)

static int walk_batches(const struct pt_table *t, uint64_t va, uint64_t last,
			int (*fn)(void *arg, const struct pt_batch *b), void *arg)
{
	struct pt_op op;
	struct batches w;
	int r;
	pt__op_init(&op, t);
	w.fn = fn;
	w.arg = arg;
	w.b.n = 0;
	w.b.pa = w.pa;
	w.raw = false;
	w.attrs = 0;
	r = descend_root(&op, &batches_visitor, &w, va, last);
	return r ? r : batch_emit(&w);
}
