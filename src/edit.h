/* SPDX-License-Identifier: MIT */
/*
 * Edits: map, unmap and protect, over ranges and single pages.
 *
 * A region operation runs in two phases over the same descent. The plan
 * reads the range, returns the first error in VA order and counts the
 * frames the commit needs; those are reserved before anything is written,
 * so the commit cannot fail and a failed call has written nothing. One pure
 * function per operation (decide_map, decide_clear) decides what to do at
 * a slot for both phases, so they cannot disagree. Part of src/engine.h.
 */

/* What a region operation does at one slot above the last level. */
enum act {
	ACT_SKIP,    /* nothing */
	ACT_LEAF,    /* write a leaf into the empty slot */
	ACT_REPLACE, /* a leaf over a table with no leaf below: replace, free it */
	ACT_DOWN,    /* go into the table */
	ACT_NEW,     /* a new table in the empty slot, then go into it */
	ACT_SPLIT,   /* the leaf becomes a table of its pieces, then go into it */
	ACT_CLEAR,   /* empty the slot */
	ACT_FREE,    /* empty the slot and free the tables below it */
	ACT_REWRITE, /* the leaf gets the new flags */
};

/* ---- map ---------------------------------------------------------------- */

/* A map: its flags, the leaf bits of a page (computed once per call;
 * a huge leaf's where it is written), the largest a leaf may have. */
struct map_ctx {
	uint64_t attrs0;
	uint32_t flags;
	unsigned max_h;
	uint64_t delta; /* pa - va */
	size_t need;    /* plan: frames to reserve */
	bool runs;      /* huge leaves allowed: mark contiguous runs too */
};

PT_INLINE int decide_map(const struct pt_op *op, const struct slot *s, uint64_t pa, unsigned max_h)
{
	/* Does a leaf go here, mapping pa? */
	const bool here = s->h <= max_h && ((op->s->leaf_levels >> s->l) & 1) &&
			  !(pa & (s->span - 1)) && slot_whole(s);
	switch (s->kind) {
	case PTK_EMPTY:
		return here ? ACT_LEAF : ACT_NEW;
	case PTK_TABLE:
		return here ? ACT_REPLACE : ACT_DOWN;
	case PTK_LEAF:
		return here ? PT_ERR_ALREADY_MAPPED : PT_ERR_MAPPED_TO_HUGE_PAGE;
	default:
		return PT_ERR_CORRUPT;
	}
}

/* How many slots from s on (s included) a leaf each fills whole: the
 * range covers them, and in a table of the tree they are EMPTY. One
 * stretch is one fill, as the last level's pages are. */
PT_INLINE size_t leaf_stretch(const struct pt_op *op, const struct slot *s)
{
	const size_t whole = (size_t)((s->last - s->va + 1) >> op->s->shift[s->l]);
	return s->live && whole > 1 ? skip_empty(s->tbl, s->i + 1, s->i + whole) - s->i : whole;
}

PT_INLINE int map_slot(struct pt_op *op, struct map_ctx *c, struct slot *s, const bool plan)
{
	const uint64_t pa = s->va + c->delta;
	const int act = decide_map(op, s, pa, c->max_h);
	int r;
	if (act < 0)
		return act;
	if (!plan && s->h == 1 && s->i == s->i0)
		hint_dir(op->w, op->s, s->tbl, s->va);
	switch (act) {
	case ACT_LEAF:
		s->more = leaf_stretch(op, s) - 1;
		if (!plan) {
			const uint64_t e = A(leaf_attrs)(op->feat, s->h, c->flags) | A(out)(pa);
			if (PT_LIKELY(!s->more)) {
				st(&s->tbl[s->i], e);
				pt__record(op->w, s->va);
			} else {
				if (c->runs)
					fill_runs(op->feat, s->tbl, s->i, s->more + 1, s->h, e, s->va,
						  s->span);
				else
					fill(&s->tbl[s->i], s->more + 1, s->h, e, s->span);
				pt__record_run(op->w, s->va, s->more + 1, s->span);
			}
		}
		return 0;
	case ACT_REPLACE:
		/* An empty subtree never blocks a map. */
		if (plan) {
			r = has_leaf(op, s->l, s->e, s->va);
			return r > 0 ? PT_ERR_ALREADY_MAPPED : r;
		}
		replace(op, s->l, &s->tbl[s->i], s->e,
			A(leaf_attrs)(op->feat, s->h, c->flags) | A(out)(pa), s->va, true);
		free_child(op, s->l, s->e, s->va);
		release(op, s->l, s->tbl, s->i, A(table_pa)(s->h, s->e));
		pt__record_all(op->w);
		pt__record(op->w, s->va);
		return 0;
	case ACT_DOWN:
		s->down = DOWN_TABLE;
		return 0;
	default: /* ACT_NEW */
		s->down = DOWN_FRESH;
		s->child = (PTE *)0;
		if (plan) {
			c->need += plan_table(op, s->l, s->va);
		} else {
			const struct pt_shape *sh = op->s;
			const unsigned cl = s->l + 1;
			const size_t n = sh->entries[cl];
			s->child_pa = new_table(op, s->l, s->tbl, s->i);
			s->child = tbl_at(op->t, s->child_pa);
			/* Only what the range does not write needs emptying; a
			 * packed level whole, so lookups in a sibling never
			 * see garbage. */
			if (cl + 1 < op->levels && sh->per_frame[cl + 1] > 1) {
				clear_entries(s->child, 0, n);
			} else {
				clear_entries(s->child, 0, idx(sh, cl, s->va));
				clear_entries(s->child, idx(sh, cl, slot_end(s)) + 1, n);
			}
		}
		return 0;
	}
}

/* The new table is complete before it becomes visible. */
PT_INLINE int map_link(struct pt_op *op, void *ctx, struct slot *s)
{
	(void)op, (void)ctx;
	if (s->down == DOWN_FRESH)
		st(&s->tbl[s->i], A(table)(s->h, s->child_pa));
	return 0;
}

PT_PLAN_COMMIT(map_slot)

PT_INLINE int map_plan_run(struct pt_op *op, void *ctx, struct level lv, size_t i, size_t j,
			uint64_t va)
{
	(void)ctx, (void)va;
	if (lv.mode != TBL_LIVE)
		return 0;
	/* A live table's free stretch is EMPTY, four entries per test (a
	 * 64K granule's last level maps 512 MiB). */
	for (i = skip_empty(lv.tbl, i, j + 1); i <= j; i++) {
		int k = A(kind)(op->feat, 0, ld(&lv.tbl[i]));
		if (k != PTK_EMPTY)
			return k == PTK_LEAF ? PT_ERR_ALREADY_MAPPED : PT_ERR_CORRUPT;
	}
	return 0;
}

PT_INLINE int map_commit_run(struct pt_op *op, void *ctx, struct level lv, size_t i,
			  size_t j, uint64_t va)
{
	const struct map_ctx *c = ctx;
	PTE *const tbl = lv.tbl;
	if (c->runs)
		fill_runs(op->feat, tbl, i, j - i + 1, 0, c->attrs0 | A(out)(va + c->delta), va,
			  PG_SIZE);
	else
		fill(&tbl[i], j - i + 1, 0, c->attrs0 | A(out)(va + c->delta), PG_SIZE);
	pt__record_run(op->w, va, j - i + 1, PG_SIZE);
	/* Linked by the time the call returns: pages next to these take the
	 * hinted path (normalised flags are valid flags). */
	hint_leaf(op->w, lv.tbl, va, c->flags & PT_FLAGS_ALL, c->flags);
	return 0;
}

PT_VISITOR(map_plan, map_plan_level, .stretch = true, .empty = map_slot_plan,
	   .table = map_slot_plan, .leaf = map_slot_plan, .corrupt = map_slot_plan,
	   .run = map_plan_run)
PT_VISITOR(map_commit, map_commit_level, .stretch = true, .empty = map_slot_commit,
	   .table = map_slot_commit, .leaf = map_slot_commit, .corrupt = map_slot_commit,
	   .up = map_link, .run = map_commit_run)

/* Map [va, last], which lies in the table lv, to pa on. */
static int map_in(struct pt_table *t, struct level lv, uint64_t va, uint64_t pa, uint64_t last,
		  uint32_t flags, unsigned max_h)
{
	struct pt_op op;
	struct pt_give give;
	struct map_ctx c;
	int r;
	pt__op_init_rw(&op, t);
	c.attrs0 = A(leaf_attrs)(op.feat, 0, flags);
	c.flags = flags;
	c.max_h = max_h;
	c.delta = pa - va;
	c.need = 0;
	/* Marks need huge leaves allowed, and the feature where the family
	 * asks for one. */
	c.runs = A(RUN_MAX) > 0 && max_h > 0 && (!A(RUN_FEAT) || (op.feat & A(RUN_FEAT)));
	if ((r = map_plan_level(&op, &c, lv, va, last)) || (r = pt__reserve(&op, c.need)))
		return r;
	give.n = 0;
	op.give = &give;
	(void)map_commit_level(&op, &c, lv, va, last);
	pt__give_all(t, &give);
	pt__unreserve(&op);
	return PT_OK;
}

static int map(struct pt_table *t, uint64_t va, uint64_t pa, uint64_t last, uint32_t flags,
	       unsigned max_h)
{
	const struct level root = { tbl_at(t, t->root), 0, TBL_LIVE };
	return root.tbl ? map_in(t, root, va, pa, last, flags, max_h) : PT_ERR_CORRUPT;
}

/* The slot holds e, not empty: out of the single-page path's way. */
static __attribute__((cold, noinline)) int map_taken(unsigned feat, uint64_t e)
{
	return A(kind)(feat, 0, e) == PTK_LEAF ? PT_ERR_ALREADY_MAPPED : PT_ERR_CORRUPT;
}

/*
 * One page (checked; flags valid, not normalised): the point descent to
 * its last-level table (from the directory hint when it covers va), which
 * is hinted, so the next page takes the inline path (include/pt/inline.h).
 * A missing table or a huge page in the way takes map_in() from the table
 * where the point descent stopped.
 */
static int map_page(struct pt_table *t, uint64_t va, uint64_t pa, uint32_t flags)
{
	const struct pt_shape *s = t->shape;
	const unsigned leaf = s->info.levels - 1;
	const uint32_t nf = pt__fresh(pt__normalize_for(t, flags));
	struct point pt;
	int r = find(s, t, va, GOAL_SLOT, &pt);
	if (PT_UNLIKELY(r == PT_ERR_NOT_MAPPED)) {
		const struct level lv = { pt.p - idx(s, pt.l, va), pt.l, TBL_LIVE };
		return map_in(t, lv, va, pa, va + (PG_SIZE - 1), nf, 0);
	}
	if (PT_UNLIKELY(r != PT_OK || !pt.dir))
		return map(t, va, pa, va + (PG_SIZE - 1), nf, 0);
	hint_dir(t, s, pt.dir - idx(s, leaf - 1, va), va);
	hint_leaf(t, pt.p - idx(s, leaf, va), va, flags, nf);
	if (PT_UNLIKELY(!A(leaf_empty)(t->features, pt.e)))
		return map_taken(t->features, pt.e);
	st(pt.p, t->hint_attrs | A(out)(pa));
	pt__record(t, va);
	return PT_OK;
}

/* ---- Rewriting present leaves ------------------------------------------- */

/* How a rewrite makes a leaf's flags (and state) from its old ones. */
enum xmode {
	XF_PROTECT = PT__MEMO_PROTECT, /* bits: the new mapping flags, without PT_SW0/1 */
	XF_SET,     /* bits: state and PT_SW0/1 bits to set */
	XF_CLEAR,   /* bits: state and PT_SW0/1 bits to clear */
};
struct xform {
	enum xmode mode;
	uint32_t bits;
};

/* A protect keeps the leaf's state and software bits, and a leaf that
 * gains WRITE is dirty, as a new writable leaf is. */
PT_INLINE uint32_t xform_flags(const struct xform *x, uint32_t old)
{
	uint32_t keep = old & (PT_STATE_ALL | PT_SW0 | PT_SW1);
	if (x->mode == XF_SET)
		return old | x->bits;
	if (x->mode == XF_CLEAR)
		return old & ~x->bits;
	if ((x->bits & PT_WRITE) && !(old & PT_WRITE))
		keep |= PT_DIRTY;
	return x->bits | keep;
}

/* The leaf e (height h) as x makes it. */
PT_INLINE uint64_t xform_leaf(const struct pt_op *op, const struct xform *x, unsigned h, uint64_t e)
{
	const uint64_t nv =
		leaf_at(op->feat, h, A(leaf_pa)(h, e), xform_flags(x, A(leaf_flags)(op->feat, h, e)));
	/* Only whole groups get here (src/runs.h): they keep their mark. */
	return run_member(op->feat, h, e) ? A(run_mark)(h, nv) : nv;
}

/* The same for a last-level leaf, through the table's memo of the last one: leaves
 * rewritten together mostly share their attributes, so they are decoded
 * and encoded once. */
PT_INLINE uint64_t xform_leaf0(const struct pt_op *op, const struct xform *x, uint64_t e)
{
	struct pt_table *t = op->w;
	const uint64_t a = leaf_attrs_of(e);
	if (PT_UNLIKELY(t->memo_old != a || t->memo_mode != (uint32_t)x->mode ||
			t->memo_bits != x->bits)) {
		const uint64_t nv = xform_leaf(op, x, 0, e);
		t->memo_new = leaf_attrs_of(nv);
		t->memo_old = a;
		t->memo_mode = (uint32_t)x->mode;
		t->memo_bits = x->bits;
		t->memo_pflags = 0; /* pt__protect_slow sets it */
		/* A group's member is never rewritten alone. */
		t->memo_plain = !A(needs_bbm)(0, e, nv) && !A(may_set)(op->feat, 0, e) &&
				!run_member(op->feat, 0, e);
	}
	return t->memo_new ^ (e ^ a); /* e ^ a: e's address field */
}

/* Either, by height. */
PT_INLINE uint64_t xform_at(const struct pt_op *op, const struct xform *x, unsigned h, uint64_t e)
{
	return h == 0 ? xform_leaf0(op, x, e) : xform_leaf(op, x, h, e);
}

/*
 * Rewrite the present leaf *p at level l, read as e, as x makes it, and
 * record va (its base) if it changed. Where the MMU may set a state bit
 * meanwhile (may_set), a compare-and-swap, redone from what the MMU left;
 * elsewhere a plain store. Break-before-make takes the old entry out with
 * an exchange, so a bit set until then is kept too.
 */
static bool rewrite_leaf(struct pt_op *op, unsigned l, PTE *p, uint64_t e, const struct xform *x,
			 uint64_t va)
{
	const unsigned h = HT(op, l);
	uint64_t nv = xform_at(op, x, h, e);
	for (;;) {
		if (nv == e)
			return false;
		if (A(needs_bbm)(h, e, nv)) {
			e = xchg(p, EMPTY);
			pt__flush_now(op->t, va, false);
			st(p, xform_at(op, x, h, e));
			break;
		}
		if (!A(may_set)(op->feat, h, e)) {
			st(p, nv);
			break;
		}
		if (cas(p, &e, nv))
			break;
		nv = xform_at(op, x, h, e);
	}
	pt__record(op->w, va);
	return true;
}

/* Swap p[0..n), expected to hold the run of last-level leaves old, succ(old), ...,
 * to nv, succ(nv), ... one compare-and-swap each, up to the first that
 * holds something else (the MMU marked it, or the run ended): how many
 * were swapped. */
static size_t cas_run(PTE *p, size_t n, uint64_t old, uint64_t nv)
{
	size_t k = 0;
	for (; k < n; k++) {
		uint64_t e = old;
		if (!cas(&p[k], &e, nv))
			break;
		old = succ(0, old, PG_SIZE);
		nv = succ(0, nv, PG_SIZE);
	}
	return k;
}

/* ---- unmap and protect -------------------------------------------------- */

struct clear_ctx {
	struct xform x;       /* protect: XF_PROTECT to the new flags */
	bool protect;
	struct pt_runs *runs; /* protect: what the plan read (src/op.h) */
	size_t need;
};

PT_INLINE int decide_clear(const struct pt_op *op, const struct slot *s, const struct clear_ctx *c)
{
	switch (s->kind) {
	case PTK_TABLE:
		/* A whole subtree to unmap goes as one: nothing to check. */
		return !c->protect && slot_whole(s) ? ACT_FREE : ACT_DOWN;
	case PTK_LEAF:
		if (slot_whole(s))
			return c->protect ? ACT_REWRITE : ACT_CLEAR;
		/* A protect that would not change this leaf needs no split. */
		if (c->protect && (A(leaf_flags)(op->feat, s->h, s->e) &
				   (PT_FLAGS_ALL & ~(PT_SW0 | PT_SW1))) == c->x.bits)
			return ACT_SKIP;
		return ACT_SPLIT;
	case PTK_CORRUPT:
		/* Garbage wholly inside an unmapped range is cleared, never
		 * followed; anything else cannot be handled. */
		return !c->protect && slot_whole(s) ? ACT_CLEAR : PT_ERR_CORRUPT;
	default: /* an empty entry with stray bits goes too */
		return !c->protect && s->e != EMPTY ? ACT_CLEAR : ACT_SKIP;
	}
}

PT_INLINE int clear_slot(struct pt_op *op, struct clear_ctx *c, struct slot *s, const bool plan)
{
	const int act = decide_clear(op, s, c);
	PTE *p = s->tbl ? &s->tbl[s->i] : (PTE *)0;
	if (act < 0)
		return act;
	switch (act) {
	case ACT_DOWN:
		s->down = DOWN_TABLE;
		return 0;
	case ACT_SPLIT:
		s->down = DOWN_PIECES;
		s->child = (PTE *)0;
		if (plan) {
			c->need += plan_table(op, s->l, s->va);
			return 0;
		}
		/* The same mapping in smaller leaves, then the range handled
		 * in it; the table is not live yet, so no break-before-make
		 * inside it. */
		s->child_pa = new_table(op, s->l, s->tbl, s->i);
		s->child = tbl_at(op->t, s->child_pa);
		fill(s->child, op->s->entries[s->l + 1], s->h - 1, piece(op, s->h - 1, s->e, 0),
		     pt__span(op->s, s->l + 1));
		return 0;
	case ACT_SKIP:
		return 0;
	}
	if (plan)
		return 0;
	switch (act) {
	case ACT_FREE:
		st(p, EMPTY);
		free_child(op, s->l, s->e, s->va);
		release(op, s->l, s->tbl, s->i, A(table_pa)(s->h, s->e));
		pt__record_all(op->w);
		return 0;
	case ACT_CLEAR:
		st(p, EMPTY);
		if (s->live && s->kind == PTK_LEAF)
			pt__record(op->w, s->va);
		else if (s->kind == PTK_CORRUPT)
			pt__record_all(op->w);
		return 0;
	default: /* ACT_REWRITE */
		if (s->live)
			(void)rewrite_leaf(op, s->l, p, s->e, &c->x, s->va);
		else
			st(p, xform_leaf(op, &c->x, s->h, s->e));
		return 0;
	}
}

/* After going into a table: link a split's table in its leaf's place, or
 * reclaim a table an unmap left empty. */
PT_INLINE int clear_up(struct pt_op *op, void *ctx, struct slot *s)
{
	const struct clear_ctx *c = ctx;
	const uint64_t base = s->va & ~(pt__span(op->s, s->l) - 1);
	if (s->kind == PTK_LEAF) {
		const uint64_t te = A(table)(s->h, s->child_pa);
		if (s->live) {
			replace(op, s->l, &s->tbl[s->i], s->e, te, base, false);
			pt__record(op->w, base);
		} else {
			st(&s->tbl[s->i], te);
		}
	} else if (!c->protect && is_empty(op, s->l + 1, s->child, idx(op->s, s->l + 1, s->va),
					    idx(op->s, s->l + 1, slot_end(s)))) {
		st(&s->tbl[s->i], EMPTY);
		release(op, s->l, s->tbl, s->i, A(table_pa)(s->h, s->e));
		pt__record_all(op->w);
	}
	return 0;
}

PT_PLAN_COMMIT(clear_slot)

/* The plan found the run e, succ(e), ... of n last-level leaves from va: extend
 * the last record or start one while the log has room (the commit compares
 * what the log misses). */
static inline void note_run(struct pt_runs *rs, uint64_t va, size_t n, uint64_t e)
{
	struct pt_run *r;
	if (rs->n) {
		r = &rs->rec[rs->n - 1];
		if (r->last + 1 == va && succ(0, r->e, va - r->va) == e) {
			r->last += (uint64_t)n * PG_SIZE;
			return;
		}
	}
	if (rs->n == PT_RUN_LOG)
		return;
	r = &rs->rec[rs->n++];
	r->va = va;
	r->last = va + ((uint64_t)n * PG_SIZE - 1);
	r->e = e;
}

/* The plan's run covering va, if any; the commit asks in VA order. */
static inline const struct pt_run *run_at(struct pt_runs *rs, uint64_t va)
{
	while (rs->cur < rs->n && rs->rec[rs->cur].last < va)
		rs->cur++;
	if (rs->cur < rs->n && rs->rec[rs->cur].va <= va)
		return &rs->rec[rs->cur];
	return (const struct pt_run *)0;
}

/* The plan's last level: an unmap clears whatever is there; a protect must
 * decode, and a valid leaf vouches for the uniform run after it. */
PT_INLINE int clear_plan_run(struct pt_op *op, void *ctx, struct level lv, size_t i0,
			  size_t j, uint64_t va)
{
	const struct clear_ctx *c = ctx;
	const PTE *tbl = lv.tbl;
	size_t i = i0;
	while (c->protect && lv.mode == TBL_LIVE && i <= j) {
		uint64_t e = ld(&tbl[i]);
		size_t n;
		if (A(leaf_bad)(op->feat, e))
			return PT_ERR_CORRUPT;
		if (A(leaf_empty)(op->feat, e)) {
			i++;
			continue;
		}
		n = 1 + run_len(&tbl[i + 1], min_sz(j - i, run_room(op->s, e)),
				succ(0, e, PG_SIZE));
		note_run(c->runs, va + (uint64_t)(i - i0) * PG_SIZE, n, e);
		i += n;
	}
	return 0;
}

/* The commit's last level. Leaves of a run share their attributes, so a
 * protect works out their new ones once per run; a run the MMU may be
 * marking goes leaf by leaf. */
PT_INLINE int clear_commit_run(struct pt_op *op, void *ctx, struct level lv, size_t i0,
			    size_t j, uint64_t va)
{
	const struct clear_ctx *c = ctx;
	const size_t n = j - i0 + 1;
	PTE *const tbl = lv.tbl;
	PTE *p = &tbl[i0];
	if (lv.mode != TBL_LIVE) {
		/* A split's new table: every piece in the range, all with the
		 * same attributes, no TLB entry to think of yet. */
		const uint64_t na = c->protect ? leaf_attrs_of(xform_leaf0(op, &c->x, ld(p))) : 0;
		for (size_t i = 0; i < n; i++)
			st(&p[i], c->protect ? na | A(out)(A(leaf_pa)(0, ld(&p[i]))) : EMPTY);
		return 0;
	}
	if (!c->protect) {
		for (size_t i = 0; i < n; i++)
			if (ld(&p[i]) != EMPTY) { /* stray bits in an empty entry go too */
				st(&p[i], EMPTY);
				pt__record(op->w, va + (uint64_t)i * PG_SIZE);
			}
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		uint64_t pva = va + (uint64_t)i * PG_SIZE;
		uint64_t e, nv;
		const struct pt_run *run = run_at(c->runs, pva);
		if (run) {
			/* The plan read this part of the run: rewrite it without
			 * reading it again; where the MMU may mark them, one CAS
			 * each, and one it marked is read below. */
			const uint64_t old = succ(0, run->e, pva - run->va);
			const size_t r = min_sz(n - i, (size_t)((run->last - pva) >> PG_SHIFT) + 1);
			size_t k = 0;
			nv = xform_leaf0(op, &c->x, old);
			if (nv == old) {
				k = r;
			} else if (!A(needs_bbm)(0, old, nv)) {
				k = A(may_set)(op->feat, 0, old) ? cas_run(&p[i], r, old, nv)
								 : (fill(&p[i], r, 0, nv, PG_SIZE), r);
				pt__record_run(op->w, pva, k, PG_SIZE);
			}
			if (k == r) {
				i += r - 1;
				continue;
			}
			i += k;
			pva += (uint64_t)k * PG_SIZE;
		}
		/* The plan found nothing corrupt: present is a leaf. */
		e = ld(&p[i]);
		if (A(leaf_empty)(op->feat, e))
			continue;
		nv = xform_leaf0(op, &c->x, e);
		if (nv == e)
			continue;
		if (!A(needs_bbm)(0, e, nv)) {
			/* The uniform run from here: the map's loop, or one
			 * CAS each where the MMU may mark them. */
			const size_t room = min_sz(n - i - 1, run_room(op->s, e));
			size_t r;
			if (!A(may_set)(op->feat, 0, e)) {
				r = 1 + rewrite_run(&p[i + 1], room, succ(0, e, PG_SIZE),
						    succ(0, nv, PG_SIZE));
				st(&p[i], nv);
			} else {
				r = cas_run(&p[i], room + 1, e, nv);
			}
			if (r) {
				pt__record_run(op->w, pva, r, PG_SIZE);
				i += r - 1;
				continue;
			}
		}
		(void)rewrite_leaf(op, op->levels - 1, &p[i], e, &c->x, pva);
	}
	return 0;
}

PT_VISITOR(clear_plan, clear_plan_level, .skip_empty = true, .table = clear_slot_plan,
	   .leaf = clear_slot_plan, .corrupt = clear_slot_plan, .run = clear_plan_run)
PT_VISITOR(clear_commit, clear_commit_level, .empty = clear_slot_commit,
	   .table = clear_slot_commit, .leaf = clear_slot_commit, .corrupt = clear_slot_commit,
	   .up = clear_up, .run = clear_commit_run)

static int clear_range(struct pt_table *t, uint64_t va, uint64_t last, bool protect, uint32_t flags)
{
	struct pt_op op;
	struct pt_runs runs;
	struct pt_give give;
	struct clear_ctx c = { { XF_PROTECT, flags }, protect, &runs, 0 };
	int r;
	/* Not an initialiser: zeroing the log would be a memset call. */
	runs.n = 0;
	runs.cur = 0;
	pt__op_init_rw(&op, t);
	if ((r = descend_root(&op, &clear_plan, &c, va, last)) ||
	    (r = runs_at_ends(&op, va, last, false)) || (r = pt__reserve(&op, c.need)))
		return r;
	if (runs_at_ends(&op, va, last, true))
		runs.n = 0; /* the plan's log holds the marks the break took off */
	give.n = 0;
	op.give = &give;
	(void)descend_root(&op, &clear_commit, &c, va, last);
	pt__give_all(t, &give);
	pt__unreserve(&op);
	return PT_OK;
}

/* ---- Single leaves ------------------------------------------------------ */

/* The single-page edits, in shape s: a constant in each copy below, so the
 * point descent unrolls with constant indices and spans. */
PT_INLINE int unmap_in(const struct pt_shape *s, struct pt_table *t, uint64_t va,
		       struct pt_mapping *old)
{
	struct point pt;
	int r = find(s, t, va, GOAL_LEAF, &pt);
	if (r || (r = run_point(t, s, va, &pt)))
		return r;
	const unsigned h = s->info.levels - 1 - pt.l;
	const uint64_t span = pt__span(s, pt.l);
	/* Take out with what the MMU marked, where it may. */
	if (A(may_set)(t->features, h, pt.e))
		pt.e = xchg(pt.p, EMPTY);
	else
		st(pt.p, EMPTY);
	if (old)
		leaf_mapping(old, t->features, h, pt.e, 0, span);
	pt__record(t, va & ~(span - 1));
	if (h == 0)
		hint_table(t, pt.p - idx(s, pt.l, va), va);
	return PT_OK;
}

/* pt_remap (set_pa) and pt_protect: rewrite the leaf holding va. */
PT_INLINE int change_in(const struct pt_shape *s, struct pt_table *t, uint64_t va, bool set_pa,
			uint64_t pa, uint32_t flags, uint64_t *size)
{
	struct pt_op op;
	struct point pt;
	uint64_t nv;
	int r = find(s, t, va, GOAL_LEAF, &pt);
	if (r)
		return r;
	const unsigned h = s->info.levels - 1 - pt.l;
	const uint64_t span = pt__span(s, pt.l);
	if (set_pa && (pa & (span - 1)))
		return PT_ERR_NOT_ALIGNED;
	if ((r = run_point(t, s, va, &pt)))
		return r;
	pt__op_init_rw(&op, t);
	op.s = s;
	op.levels = s->info.levels;
	if (set_pa) {
		/* A new leaf (fresh state: flags has it); the old one goes
		 * with whatever the MMU marked in it. */
		nv = leaf_at(t->features, h, pa, flags);
		if (nv != pt.e) {
			replace(&op, pt.l, pt.p, pt.e, nv, va & ~(span - 1), false);
			pt__record(t, va & ~(span - 1));
		}
	} else {
		const struct xform x = { XF_PROTECT, flags };
		(void)rewrite_leaf(&op, pt.l, pt.p, pt.e, &x, va & ~(span - 1));
		if (h == 0)
			hint_table(t, pt.p - idx(s, pt.l, va), va);
	}
	if (size)
		*size = span;
	return PT_OK;
}

/* One copy per fast shape, picked once per call, and one reading any other
 * shape at run time, out of line so that the fast copies' callers stay as
 * small as a family without other shapes needs. */
static __attribute__((noinline)) int unmap_any(struct pt_table *t, uint64_t va,
					       struct pt_mapping *old)
{
	return unmap_in(t->shape, t, va, old);
}

static __attribute__((noinline)) int change_any(struct pt_table *t, uint64_t va, bool set_pa,
						uint64_t pa, uint32_t flags, uint64_t *size)
{
	return change_in(t->shape, t, va, set_pa, pa, flags, size);
}

#define PT_PICK_UNMAP(sh) if (t->shape == &(sh)) return unmap_in(&(sh), t, va, old);
#define PT_PICK_CHANGE(sh) \
	if (t->shape == &(sh)) return change_in(&(sh), t, va, set_pa, pa, flags, size);

static int unmap(struct pt_table *t, uint64_t va, struct pt_mapping *old)
{
	A(FAST_SHAPES)(PT_PICK_UNMAP)
	return unmap_any(t, va, old);
}

static int change(struct pt_table *t, uint64_t va, bool set_pa, uint64_t pa, uint32_t flags,
		  uint64_t *size)
{
	A(FAST_SHAPES)(PT_PICK_CHANGE)
	return change_any(t, va, set_pa, pa, flags, size);
}
