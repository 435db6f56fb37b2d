/* SPDX-License-Identifier: MIT */
/*
 * Engine template, part 2: single-leaf lookups and edits, walking, and
 * translation over untrusted tables.
 */

/* The leaf holding va: its slot, level and value. Under the directory
 * hint (see E(query_in)) the walk starts there. */
static inline __attribute__((always_inline)) int
E(find)(const struct pt_op *op, uint64_t va, PTE **slot, unsigned *lvl, uint64_t *pte)
{
	uint64_t tpa = op->t->root;
	unsigned l = 0;
	PTE *hinted = (PTE *)0;
	if (E(dir_hinted)(op->t, va)) {
		l = op->levels - 2;
		hinted = (PTE *)(uintptr_t)op->t->hint_dir;
	}
	for (; l < op->levels; l++) {
		PTE *tbl = hinted ? hinted : E(tbl)(op->t, tpa);
		size_t i = E(idx)(op->s, l, va);
		uint64_t e;
		hinted = (PTE *)0;
		if (!tbl)
			return PT_ERR_CORRUPT;
		e = E(ld)(&tbl[i]);
		switch (E(kind)(op, l, e)) {
		case PTK_EMPTY:
			return PT_ERR_NOT_MAPPED;
		case PTK_LEAF:
			*slot = &tbl[i];
			*lvl = l;
			*pte = e;
			return PT_OK;
		case PTK_TABLE:
			tpa = A(table_pa)(HT(op, l), e);
			break;
		default:
			return PT_ERR_CORRUPT;
		}
	}
	return PT_ERR_CORRUPT; /* unreachable: kind() has no table at height 0 */
}

/* The entry e at level l, above the last, points at no table: a huge leaf
 * answers the lookup of va, anything else ends it. Out of the lookups' line,
 * so their common path (tables, then a 4K leaf) takes no branch. */
static __attribute__((cold, noinline)) int E(lookup_stop)(const struct pt_shape *s, unsigned feat,
						    unsigned l, uint64_t e, uint64_t va,
						    struct pt_mapping *out)
{
	const unsigned h = s->info.levels - 1 - l;
	const uint64_t m = pt__span(s, l) - 1;
	int k = A(kind)(feat, h, e);
	if (k != PTK_LEAF)
		return k == PTK_EMPTY ? PT_ERR_NOT_MAPPED : PT_ERR_CORRUPT;
	out->pa = A(leaf_pa)(h, e) | (va & m);
	out->flags = A(leaf_flags)(feat, h, e);
	out->size = m + 1;
	return PT_OK;
}

/*
 * One translation, shared by pt_query (own tables: t, frames found as the
 * table finds them) and pt_translate (untrusted: t NULL, each entry read
 * through the frame mm->phys_to_virt returns for it, every table address
 * checked). `direct` (t's direct map is set, and the caller says so as a
 * constant): each table is a plain offset from its PA, no test. The walk
 * starts at level l0 in table `first` when `from_first` (a constant; own
 * tables only), else at the root's level 0. At most one read per level:
 * nothing an image holds can make it loop. Always inlined, so each caller
 * gets its own specialised copy; with a constant shape the level loop
 * unrolls and every index and span is a constant.
 */
static inline __attribute__((always_inline)) int
E(lookup)(const struct pt_shape *s, unsigned feat, bool from_first, unsigned l0, const PTE *first,
	  uint64_t root, const struct pt_table *t, bool direct, const struct pt_mm *mm, uint64_t va,
	  struct pt_mapping *out)
{
	const unsigned levels = s->info.levels;
	const uint64_t off = t && direct ? t->direct_offset : 0;
	uint64_t tpa = root;
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
			p = first + E(idx)(s, l, va);
		} else if (t && direct) {
			p = (const PTE *)(uintptr_t)(tpa + off) + E(idx)(s, l, va);
		} else {
			if (t) {
				const PTE *tbl = E(tbl)(t, tpa);
				p = tbl ? &tbl[E(idx)(s, l, va)] : (const PTE *)0;
			} else {
				p = (const PTE *)pt__virt(mm, tpa + E(idx)(s, l, va) * s->pte_bytes);
			}
			if (!p)
				return PT_ERR_CORRUPT;
		}
		e = E(ld)(p);
		/* A 4K leaf encoded as the table's last mapped flags (most
		 * are): decoded by one compare. The pair is always consistent,
		 * and kind and flags of a 4K leaf depend on these bits alone. */
		if (h == 0 && t && PT_LIKELY(E(leaf_attrs_of)(e) == t->hint_attrs)) {
			out->pa = A(leaf_pa)(0, e) | (va & (PT_SIZE_4K - 1));
			out->flags = t->hint_nflags;
			out->size = PT_SIZE_4K;
			return PT_OK;
		}
		/* The common path falls through: tables above (one branch-free
		 * test), a 4K leaf at the bottom; anything else above takes a
		 * call. */
		if (h > 0) {
			if (PT_UNLIKELY(!A(is_table)(feat, h, e)))
				return E(lookup_stop)(s, feat, l, e, va, out);
			tpa = A(table_pa)(h, e);
			if (!t && (tpa >> s->info.pa_bits))
				return PT_ERR_CORRUPT;
			continue;
		}
		k = A(kind)(feat, h, e);
		if (PT_LIKELY(k == PTK_LEAF)) {
			out->pa = A(leaf_pa)(0, e) | (va & (PT_SIZE_4K - 1));
			out->flags = A(leaf_flags)(feat, 0, e);
			out->size = PT_SIZE_4K;
			return PT_OK;
		}
		return k == PTK_EMPTY ? PT_ERR_NOT_MAPPED : PT_ERR_CORRUPT;
	}
	return PT_ERR_CORRUPT; /* unreachable: kind() has no table at height 0 */
}

/* pt_query in shape s from the root: va checked, every level read. */
static inline __attribute__((always_inline)) int
E(query_root)(const struct pt_shape *s, const struct pt_table *t, bool direct, uint64_t va,
	      struct pt_mapping *out)
{
	if (!pt__va_ok(s, t->features, va))
		return PT_ERR_INVALID;
	return E(lookup)(s, t->features, false, 0, (const PTE *)0, t->root, t, direct, &t->mm, va,
			 out);
}

/*
 * pt_query in shape s (a constant in each copy). The directory hint, when
 * it covers va, skips every level above the last two (see E(dir_hinted));
 * a miss checks va and walks from the root, in `root` (s's copy of
 * E(query_root), out of line so that the hinted path needs no stack).
 */
static inline __attribute__((always_inline)) int
E(query_in)(const struct pt_shape *s, const struct pt_table *t, bool direct, uint64_t va,
	    struct pt_mapping *out, pt__lookup_fn root)
{
	const unsigned dl = s->info.levels - 2;
	if (PT_LIKELY(E(dir_hinted)(t, va)))
		return E(lookup)(s, t->features, true, dl, (const PTE *)t->hint_dir, 0, t, direct,
				 &t->mm, va, out);
	return root(t, va, out);
}

/* Through the caller's phys_to_virt, any shape of the family. */
static __attribute__((noinline)) int E(root_mm)(const struct pt_table *t, uint64_t va,
						struct pt_mapping *out)
{
	return E(query_root)(t->shape, t, false, va, out);
}

static int E(lookup_mm)(const struct pt_table *t, uint64_t va, struct pt_mapping *out)
{
	return E(query_in)(t->shape, t, false, va, out, E(root_mm));
}

/* Through the direct map: one copy per shape, every index and span a
 * constant, chosen once (pt_init, pt_set_direct_map) instead of per call. */
#define PT_LOOKUP_DIRECT(shape) \
	static __attribute__((noinline)) int E(PT_CAT(root_, shape))( \
		const struct pt_table *t, uint64_t va, struct pt_mapping *out) \
	{ \
		return E(query_root)(&(shape), t, true, va, out); \
	} \
	static int E(PT_CAT(lookup_, shape))(const struct pt_table *t, uint64_t va, \
					      struct pt_mapping *out) \
	{ \
		return E(query_in)(&(shape), t, true, va, out, E(PT_CAT(root_, shape))); \
	}
A(SHAPES)(PT_LOOKUP_DIRECT)
#undef PT_LOOKUP_DIRECT

static void E(set_lookup)(struct pt_table *t)
{
	const struct pt_shape *s = t->shape;
	if (t->direct) {
#define PT_LOOKUP_PICK(shape) \
		if (s == &(shape)) { \
			t->lookup = E(PT_CAT(lookup_, shape)); \
			return; \
		}
		A(SHAPES)(PT_LOOKUP_PICK)
#undef PT_LOOKUP_PICK
	}
	t->lookup = E(lookup_mm);
}

/*
 * The single-page edits, in shape s: a constant in each copy below, so the
 * walk from the directory hint unrolls with constant indices and spans.
 */
static inline __attribute__((always_inline)) int
E(unmap_in)(const struct pt_shape *s, struct pt_table *t, uint64_t va, struct pt_mapping *old)
{
	struct pt_op op;
	PTE *slot;
	unsigned l;
	uint64_t e, span;
	int r;
	pt__op_init_rw(&op, t);
	op.s = s;
	op.levels = s->info.levels;
	r = E(find)(&op, va, &slot, &l, &e);
	if (r)
		return r;
	span = pt__span(op.s, l);
	if (old) {
		old->pa = A(leaf_pa)(HT(&op, l), e);
		old->flags = A(leaf_flags)(op.feat, HT(&op, l), e);
		old->size = span;
	}
	E(st)(slot, 0);
	pt__record(t, va & ~(span - 1));
	return PT_OK;
}

/* pt_remap (set_pa) and pt_protect: rewrite the leaf holding va. */
static inline __attribute__((always_inline)) int
E(change_in)(const struct pt_shape *s, struct pt_table *t, uint64_t va, bool set_pa, uint64_t pa,
	     uint32_t flags, uint64_t *size)
{
	struct pt_op op;
	PTE *slot;
	unsigned l;
	uint64_t e, nv, span;
	int r;
	pt__op_init_rw(&op, t);
	op.s = s;
	op.levels = s->info.levels;
	r = E(find)(&op, va, &slot, &l, &e);
	if (r)
		return r;
	span = pt__span(op.s, l);
	if (set_pa && (pa & (span - 1)))
		return PT_ERR_NOT_ALIGNED;
	if (!set_pa)
		pa = A(leaf_pa)(HT(&op, l), e);
	nv = A(leaf_attrs)(op.feat, HT(&op, l), flags) | A(out)(pa);
	if (nv != e) {
		E(replace)(&op, l, slot, e, nv, va & ~(span - 1), false);
		pt__record(t, va & ~(span - 1));
	}
	if (size)
		*size = span;
	return PT_OK;
}

/* One copy per shape, picked once per call (t->shape is one of A(SHAPES)). */
static int E(unmap)(struct pt_table *t, uint64_t va, struct pt_mapping *old)
{
#define PT_EDIT_PICK(sh) \
	if (t->shape == &(sh)) \
		return E(unmap_in)(&(sh), t, va, old);
	A(SHAPES)(PT_EDIT_PICK)
#undef PT_EDIT_PICK
	return PT_ERR_INVALID;
}

static int E(change)(struct pt_table *t, uint64_t va, bool set_pa, uint64_t pa, uint32_t flags,
		     uint64_t *size)
{
#define PT_EDIT_PICK(sh) \
	if (t->shape == &(sh)) \
		return E(change_in)(&(sh), t, va, set_pa, pa, flags, size);
	A(SHAPES)(PT_EDIT_PICK)
#undef PT_EDIT_PICK
	return PT_ERR_INVALID;
}

/* ---- Walking ----------------------------------------------------------- */

/*
 * A last-level table: only 4K leaves (or empty or corrupt slots). An entry
 * that continues the previous leaf's run (same bits, PA one page on, room
 * left below the PA limit) is that leaf's successor and needs no decoding,
 * so a uniform table costs a compare per entry besides the callbacks.
 */
static inline __attribute__((always_inline)) int
E(walk_leaves_in)(const struct pt_op *op, unsigned l, const PTE *tbl, uint64_t base,
		  const struct pt_walk_ops *ops, void *arg, bool pre_only)
{
	/* pre_only: a pre callback, no post, no limit (so no count either). */
	const struct pt_shape *s = op->s;
	const unsigned feat = op->feat;
	const size_t n = s->entries[l], limit = ops->limit ? ops->limit : (size_t)-1;
	int (*const pre)(void *, const struct pt_entry *) = ops->pre;
	int (*const post)(void *, const struct pt_entry *) = ops->post;
	const uint64_t step = A(out)(PT_SIZE_4K);
	/* Within one table every VA has the same top bits: canonicalise once. */
	const uint64_t cbase = pt__canon(s, feat, base);
	uint64_t expect = 0;
	size_t seen = 0, room = 0;
	struct pt_entry ent;
	/* ent is handed over as const: what a leaf shares with the one before
	 * it (level, size, and the flags within a run) is written once. */
	ent.level = l;
	ent.size = PT_SIZE_4K;
	ent.leaf = true;
	for (size_t i = 0; i < n; i++) {
		uint64_t e = E(ld)(&tbl[i]);
		int r;
		/* A leaf that carries on the run decodes as the one before it
		 * but for its PA: no kind, no flags. */
		if (PT_UNLIKELY(!room || e != expect)) {
			int k = A(kind)(feat, 0, e);
			room = 0;
			if (k == PTK_EMPTY) {
				if (!e)
					i = E(skip_zero)(tbl, i + 1, n) - 1;
				continue;
			}
			if (!pre_only && seen == limit)
				break;
			if (k != PTK_LEAF)
				return PT_ERR_CORRUPT;
			ent.flags = A(leaf_flags)(feat, 0, e);
			room = E(run_room)(s, e) + 1;
		}
		/* One decrement for both paths: as an else branch it costs the
		 * loop 2 instructions per leaf (GCC 12). */
		room--;
		if (!pre_only) {
			if (PT_UNLIKELY(seen == limit))
				break;
			seen++;
		}
		expect = e + step;
		ent.index = i;
		ent.va = cbase + ((uint64_t)i << 12);
		ent.pte = e;
		ent.pa = A(leaf_pa)(0, e);
		if ((pre_only || pre) && (r = pre(arg, &ent)))
			return r;
		if (!pre_only && post && (r = post(arg, &ent)))
			return r;
	}
	return PT_OK;
}

/* Most walks have a pre callback and no limit: that loop tests nothing
 * else. */
static int E(walk_leaves)(const struct pt_op *op, unsigned l, const PTE *tbl, uint64_t base,
			  const struct pt_walk_ops *ops, void *arg)
{
	if (ops->pre && !ops->post && !ops->limit)
		return E(walk_leaves_in)(op, l, tbl, base, ops, arg, true);
	return E(walk_leaves_in)(op, l, tbl, base, ops, arg, false);
}

static int E(walk_table)(const struct pt_op *op, unsigned l, uint64_t tpa, uint64_t base,
			 const struct pt_walk_ops *ops, void *arg)
{
	/* Everything the loop needs in locals: the callbacks may write any
	 * memory, so the compiler would reload fields through pointers. */
	const struct pt_shape *s = op->s;
	const unsigned h = HT(op, l), shift = s->shift[l], feat = op->feat;
	const size_t n = s->entries[l], limit = ops->limit ? ops->limit : (size_t)-1;
	int (*const pre)(void *, const struct pt_entry *) = ops->pre;
	int (*const post)(void *, const struct pt_entry *) = ops->post;
	const uint64_t span = pt__span(s, l);
	const PTE *tbl = E(tbl)(op->t, tpa);
	size_t seen = 0;
	struct pt_entry ent;
	if (!tbl)
		return PT_ERR_CORRUPT;
	if (h == 0)
		return E(walk_leaves)(op, l, tbl, base, ops, arg);
	ent.level = l;
	ent.size = span;
	for (size_t i = 0; i < n; i++) {
		uint64_t e = E(ld)(&tbl[i]);
		uint64_t va;
		int k = A(kind)(feat, h, e), r;
		if (k == PTK_EMPTY) {
			if (!e)
				i = E(skip_zero)(tbl, i + 1, n) - 1;
			continue;
		}
		if (seen == limit)
			break;
		if (k == PTK_CORRUPT)
			return PT_ERR_CORRUPT;
		seen++;
		va = base + ((uint64_t)i << shift);
		ent.index = i;
		ent.va = pt__canon(s, feat, va);
		ent.pte = e;
		ent.leaf = k == PTK_LEAF;
		if (ent.leaf) {
			ent.pa = A(leaf_pa)(h, e);
			ent.flags = A(leaf_flags)(feat, h, e);
		} else {
			ent.pa = A(table_pa)(h, e);
			ent.flags = 0;
		}
		if (pre && (r = pre(arg, &ent)))
			return r;
		if (!ent.leaf && (r = E(walk_table)(op, l + 1, ent.pa, va, ops, arg)))
			return r;
		if (post && (r = post(arg, &ent)))
			return r;
	}
	return PT_OK;
}

static int E(walk)(const struct pt_table *t, const struct pt_walk_ops *ops, void *arg)
{
	struct pt_op op;
	pt__op_init(&op, t);
	return E(walk_table)(&op, 0, t->root, 0, ops, arg);
}

/* ---- Coalesced ranges ---------------------------------------------------- */

/* The range being grown, and the raw entry that would extend it. */
struct E(ranges) {
	int (*fn)(void *arg, const struct pt_range *r);
	void *arg;
	struct pt_range cur;  /* cur.size == 0: nothing pending */
	uint64_t expect;      /* next entry continuing cur at this height */
	unsigned expect_h;    /* height expect belongs to (no match elsewhere) */
	size_t room;          /* 4K entries expect may still advance (PA limit) */
};

static int E(range_emit)(struct E(ranges) *w)
{
	int r = 0;
	if (w->cur.size)
		r = w->fn(w->arg, &w->cur);
	w->cur.size = 0;
	return r;
}

/* A leaf the fast compare did not recognise: extend or start a range. */
static int E(range_leaf)(const struct pt_op *op, struct E(ranges) *w, unsigned h, unsigned l,
			 uint64_t e, uint64_t va, uint64_t end)
{
	uint64_t m = pt__span(op->s, l) - 1;
	uint64_t pa = A(leaf_pa)(h, e) | (va & m);
	uint32_t flags = A(leaf_flags)(op->feat, h, e);
	uint64_t cva = pt__canon(op->s, op->feat, va);
	struct pt_range *c = &w->cur;
	int r;
	if (c->size && c->va + c->size == cva && c->pa + c->size == pa && c->flags == flags &&
	    c->leaf_size == m + 1) {
		c->size += end - va + 1;
	} else {
		if ((r = E(range_emit)(w)))
			return r;
		c->va = cva;
		c->pa = pa;
		c->size = end - va + 1;
		c->leaf_size = m + 1;
		c->flags = flags;
	}
	/* Only a whole next slot can continue by raw compare. */
	w->expect = e + A(out)(m + 1);
	w->expect_h = h;
	w->room = h == 0 ? E(run_room)(op->s, e) : 0;
	return 0;
}

static int E(ranges_table)(const struct pt_op *op, struct E(ranges) *w, unsigned l, uint64_t tpa,
			   uint64_t va, uint64_t last)
{
	const struct pt_shape *s = op->s;
	const unsigned h = HT(op, l);
	const PTE *tbl = E(tbl)(op->t, tpa);
	int r;
	if (!tbl)
		return PT_ERR_CORRUPT;
	if (h == 0) {
		const uint64_t step = A(out)(PT_SIZE_4K);
		size_t i = E(idx)(s, l, va), j = E(idx)(s, l, last);
		for (; i <= j; i++, va += PT_SIZE_4K) {
			uint64_t e;
			if (w->expect_h == 0 && w->cur.size) {
				size_t n = E(run_len)(&tbl[i], E(min)(j - i + 1, w->room),
						      w->expect, step);
				w->room -= n;
				w->cur.size += n * PT_SIZE_4K;
				w->expect += n * step;
				i += n;
				va += n * PT_SIZE_4K;
				if (i > j)
					break;
			}
			e = E(ld)(&tbl[i]);
			switch (A(kind)(op->feat, 0, e)) {
			case PTK_EMPTY:
				w->expect_h = ~0u;
				if ((r = E(range_emit)(w)))
					return r;
				if (!e) {
					size_t k = E(skip_zero)(tbl, i + 1, j + 1);
					va += (uint64_t)(k - i - 1) * PT_SIZE_4K;
					i = k - 1;
				}
				break;
			case PTK_LEAF:
				if ((r = E(range_leaf)(op, w, 0, l, e, va, va + PT_SIZE_4K - 1)))
					return r;
				break;
			default:
				return PT_ERR_CORRUPT;
			}
		}
		return 0;
	}
	for (;;) {
		uint64_t end = E(slot_end)(s, l, va, last);
		uint64_t e = E(ld)(&tbl[E(idx)(s, l, va)]);
		switch (A(kind)(op->feat, h, e)) {
		case PTK_EMPTY:
			w->expect_h = ~0u;
			if ((r = E(range_emit)(w)))
				return r;
			break;
		case PTK_TABLE:
			if ((r = E(ranges_table)(op, w, l + 1, A(table_pa)(h, e), va, end)))
				return r;
			break;
		case PTK_LEAF:
			if ((r = E(range_leaf)(op, w, h, l, e, va, end)))
				return r;
			break;
		default:
			return PT_ERR_CORRUPT;
		}
		if (end == last)
			return 0;
		va = end + 1;
	}
}

static int E(walk_ranges)(const struct pt_table *t, uint64_t va, uint64_t last,
			  int (*fn)(void *arg, const struct pt_range *r), void *arg)
{
	struct pt_op op;
	struct E(ranges) w;
	int r;
	pt__op_init(&op, t);
	w.fn = fn;
	w.arg = arg;
	w.cur.size = 0;
	w.expect = 0;
	w.expect_h = ~0u;
	r = E(ranges_table)(&op, &w, 0, t->root, va, last);
	return r ? r : E(range_emit)(&w);
}

/* ---- Batches of leaves ---------------------------------------------------- */

/*
 * The batch being filled, and the raw attribute bits of its last 4K leaf:
 * a next 4K entry with the same bits is a leaf with the same flags, so it
 * joins on a compare (raw is false when the batch holds larger leaves).
 */
struct E(batches) {
	int (*fn)(void *arg, const struct pt_batch *b);
	void *arg;
	struct pt_batch b; /* b.n == 0: nothing pending */
	uint64_t attrs;
	bool raw;
	uint64_t pa[PT_BATCH_MAX];
};

static int E(batch_emit)(struct E(batches) *w)
{
	int r = 0;
	if (w->b.n)
		r = w->fn(w->arg, &w->b);
	w->b.n = 0;
	return r;
}

/* Hand over a full batch; the next one starts where it ended, with the
 * same level, size and flags, so the raw compare carries on. */
static int E(batch_next)(struct E(batches) *w)
{
	int r = w->fn(w->arg, &w->b);
	w->b.va += w->b.n * w->b.size;
	w->b.n = 0;
	return r;
}

/* A leaf the raw compare did not take, at canonical VA cva (its start). */
static int E(batch_leaf)(const struct pt_op *op, struct E(batches) *w, unsigned h, unsigned l,
			 uint64_t e, uint64_t cva)
{
	const uint64_t size = pt__span(op->s, l);
	const uint32_t flags = A(leaf_flags)(op->feat, h, e);
	struct pt_batch *b = &w->b;
	int r;
	if (!b->n || b->level != l || b->flags != flags || b->va + b->n * size != cva) {
		if ((r = E(batch_emit)(w)))
			return r;
		b->va = cva;
		b->size = size;
		b->flags = flags;
		b->level = l;
	}
	w->pa[b->n++] = A(leaf_pa)(h, e);
	w->raw = h == 0;
	w->attrs = E(leaf_attrs_of)(e);
	return b->n == PT_BATCH_MAX ? E(batch_next)(w) : 0;
}

/* PAs of a vector of entries: one 8-byte lane per entry. */
typedef uint64_t E(pav) __attribute__((vector_size(8 * PT_LANES(PTE)), aligned(8), may_alias));

/*
 * How many of the k entries from p are 4K leaves with attribute bits
 * attrs; their PAs go to pa. e ^ attrs is e's address field exactly when
 * e's attribute bits are attrs, so one test takes many entries, and the
 * field is the PA (shifted where it holds PA / 4, RISC-V). Long runs go
 * 64 bytes per test in 16-byte vectors (SSE2, NEON; plain scalar code
 * where there are none): each lane is an aligned entry, which those loads
 * read whole, as E(ld) does, so a PA taken from a lane is one the entry
 * held.
 */
static inline __attribute__((always_inline)) size_t
E(batch_run)(const PTE *p, size_t k, uint64_t attrs, uint64_t *pa)
{
	enum { L = PT_LANES(PTE) };
	const uint64_t am = ~E(leaf_field)();
	const unsigned sh = E(field_shift)();
	size_t m = 0;
	if (k >= 4 * L) {
		E(vec) av = { 0 }, amv = { 0 };
		for (unsigned j = 0; j < L; j++) {
			av[j] = (PTE)attrs;
			amv[j] = (PTE)am;
		}
		for (; m + 4 * L <= k; m += 4 * L) {
			const E(vec) *v = (const E(vec) *)(const void *)(p + m);
			const E(vec) x0 = v[0] ^ av, x1 = v[1] ^ av, x2 = v[2] ^ av, x3 = v[3] ^ av;
			const E(vec) d = (x0 | x1 | x2 | x3) & amv;
			E(pav) *o = (E(pav) *)(void *)(pa + m);
			PTE any = 0;
			for (unsigned j = 0; j < L; j++)
				any |= d[j];
			if (any)
				break;
			o[0] = __builtin_convertvector(x0, E(pav)) << sh;
			o[1] = __builtin_convertvector(x1, E(pav)) << sh;
			o[2] = __builtin_convertvector(x2, E(pav)) << sh;
			o[3] = __builtin_convertvector(x3, E(pav)) << sh;
		}
	}
	for (; m < k; m++) {
		const uint64_t x = E(ld)(&p[m]) ^ attrs;
		if (x & am)
			break;
		pa[m] = x << sh;
	}
	return m;
}

/* A corrupt entry or table: what came before it is handed over first. */
static int E(batch_corrupt)(struct E(batches) *w)
{
	int r = E(batch_emit)(w);
	return r ? r : PT_ERR_CORRUPT;
}

static int E(batches_table)(const struct pt_op *op, struct E(batches) *w, unsigned l,
			    uint64_t tpa, uint64_t va, uint64_t last)
{
	const struct pt_shape *s = op->s;
	const unsigned h = HT(op, l);
	const PTE *tbl = E(tbl)(op->t, tpa);
	int r;
	if (!tbl)
		return E(batch_corrupt)(w);
	if (h == 0) {
		size_t i = E(idx)(s, l, va);
		const size_t j = E(idx)(s, l, last);
		uint64_t cva = pt__canon(s, op->feat, va);
		while (i <= j) {
			struct pt_batch *b = &w->b;
			uint64_t e;
			if (w->raw && b->va + b->n * PT_SIZE_4K == cva) {
				const size_t k = E(min)(j - i + 1, PT_BATCH_MAX - b->n);
				const size_t m = E(batch_run)(&tbl[i], k, w->attrs, &w->pa[b->n]);
				b->n += m;
				i += m;
				cva += m * PT_SIZE_4K;
				if (b->n == PT_BATCH_MAX && (r = E(batch_next)(w)))
					return r;
				if (m == k)
					continue;
			}
			e = E(ld)(&tbl[i]);
			switch (A(kind)(op->feat, 0, e)) {
			case PTK_EMPTY: {
				/* A hole: the batch cannot go on past it, and the
				 * VA compare above sees that. */
				const size_t z = e ? i + 1 : E(skip_zero)(tbl, i + 1, j + 1);
				cva += (z - i) * PT_SIZE_4K;
				i = z;
				continue;
			}
			case PTK_LEAF:
				if ((r = E(batch_leaf)(op, w, 0, l, e, cva)))
					return r;
				break;
			default:
				return E(batch_corrupt)(w);
			}
			i++;
			cva += PT_SIZE_4K;
		}
		return 0;
	}
	for (;;) {
		const uint64_t end = E(slot_end)(s, l, va, last);
		const uint64_t e = E(ld)(&tbl[E(idx)(s, l, va)]);
		switch (A(kind)(op->feat, h, e)) {
		case PTK_EMPTY:
			break;
		case PTK_TABLE:
			if ((r = E(batches_table)(op, w, l + 1, A(table_pa)(h, e), va, end)))
				return r;
			break;
		case PTK_LEAF:
			/* The whole leaf, wherever the window starts in it. */
			if ((r = E(batch_leaf)(op, w, h, l, e,
					       pt__canon(s, op->feat, va & ~(pt__span(s, l) - 1)))))
				return r;
			break;
		default:
			return E(batch_corrupt)(w);
		}
		if (end == last)
			return 0;
		va = end + 1;
	}
}

static int E(walk_batches)(const struct pt_table *t, uint64_t va, uint64_t last,
			   int (*fn)(void *arg, const struct pt_batch *b), void *arg)
{
	struct pt_op op;
	struct E(batches) w;
	int r;
	pt__op_init(&op, t);
	w.fn = fn;
	w.arg = arg;
	w.b.n = 0;
	w.b.pa = w.pa;
	w.raw = false;
	w.attrs = 0;
	r = E(batches_table)(&op, &w, 0, t->root, va, last);
	return r ? r : E(batch_emit)(&w);
}

/* ---- Untrusted tables -------------------------------------------------- */

static int E(translate)(const struct pt_shape *s, unsigned feat, uint64_t root,
			const struct pt_mm *mm, uint64_t va, struct pt_mapping *out)
{
	return E(lookup)(s, feat, false, 0, (const PTE *)0, root, (const struct pt_table *)0, false,
			 mm, va, out);
}

/* ---- Pure entry functions ---------------------------------------------- */

static int E(decode)(unsigned feat, unsigned h, uint64_t e, uint64_t *pa, uint32_t *flags)
{
	int k;
	if (e != (uint64_t)(PTE)e)
		return PTK_CORRUPT; /* wider than this format's entries */
	k = A(kind)(feat, h, e);
	if (k == PTK_TABLE)
		*pa = A(table_pa)(h, e);
	if (k == PTK_LEAF) {
		*pa = A(leaf_pa)(h, e);
		*flags = A(leaf_flags)(feat, h, e);
	}
	return k;
}

static uint64_t E(pte_leaf)(unsigned feat, unsigned h, uint64_t pa, uint32_t flags)
{
	return A(leaf_attrs)(feat, h, flags) | A(out)(pa);
}

static uint64_t E(pte_table)(unsigned h, uint64_t pa)
{
	return A(table)(h, pa);
}
