/* SPDX-License-Identifier: MIT */
/*
 * The descent: the one piece of code that takes a range of VAs down the
 * tree (slot iteration, kinds, recursion). An operation is a visitor, a
 * constant set of handlers (empty slot, table, leaf, corrupt, and the
 * last-level part of the range at once) folded into the descent, so there
 * is no indirect call per entry. Single addresses take the point form of
 * the same walk (lookup.h). Part of src/engine.h.
 */

/* What a table being descended into holds. */
enum table_mode {
	TBL_LIVE,   /* a table of the tree: entries are read */
	TBL_FRESH,  /* a new table, not linked: read as all empty (its
		     * entries are garbage until the commit writes them) */
	TBL_PIECES, /* the table a leaf splits into: read as that leaf's
		     * pieces, one size down (tbl is NULL while planning) */
};

/* A table the descent is in: 16 bytes, passed in registers. The leaf a
 * TBL_PIECES table is made of is op->split[l - 1]. */
struct level {
	PTE *tbl;
	unsigned l;
	enum table_mode mode;
};

/* How a handler asks the descent to go on below a slot. */
enum down {
	DOWN_NO,
	DOWN_TABLE,  /* into the table the entry points at */
	DOWN_FRESH,  /* into slot.child, a new table (TBL_FRESH) */
	DOWN_PIECES, /* into slot.child, the table the leaf splits into */
};

/* One slot above the last level, as the handlers see it. */
struct slot {
	unsigned l, h;
	PTE *tbl;         /* the table (NULL in a table being planned) */
	size_t i;
	uint64_t e;
	int kind;
	uint64_t va;      /* where the range starts in this slot (for an empty
			   * stretch crossed at once, in its first slot) */
	uint64_t span;    /* of a slot at this level */
	uint64_t last;    /* the range's last VA in this table */
	bool live;        /* the table is linked into the tree */
	size_t i0;        /* the first slot of the range in this table */
	size_t nth;       /* visitor.count: present entries before this one */
	/* Set by the handler: */
	enum down down;
	bool stop;        /* leave this table (not an error) */
	size_t more;      /* visitor.stretch: the handler also took this many
			   * slots after this one */
	PTE *child;       /* the table below (DOWN_TABLE: set by the descent) */
	uint64_t child_pa; /* for the handler's own use in up() */
};

struct visitor {
	/* Cross stretches of EMPTY entries at once (the empty handler then
	 * sees the stretch as one slot); off where every slot matters. */
	bool skip_empty;
	/* Count present entries in slot.nth (walks with a limit). */
	bool count;
	/* Only ever in tables of the tree (TBL_LIVE): no mode to test. */
	bool live_only;
	/* A handler may take a stretch of slots at once (slot.more). */
	bool stretch;
	/* Per kind. NULL table: go into it; NULL corrupt: PT_ERR_CORRUPT
	 * (also for a table entry whose frame cannot be reached); any other
	 * NULL handler: nothing to do. A non-zero result ends the whole
	 * descent and is returned. */
	int (*empty)(struct pt_op *op, void *ctx, struct slot *s);
	int (*table)(struct pt_op *op, void *ctx, struct slot *s);
	int (*leaf)(struct pt_op *op, void *ctx, struct slot *s);
	int (*corrupt)(struct pt_op *op, void *ctx, struct slot *s);
	/* After the descent below a slot returned 0. */
	int (*up)(struct pt_op *op, void *ctx, struct slot *s);
	/* The last level: entries [i, j] of lv, the first at va. */
	int (*run)(struct pt_op *op, void *ctx, struct level lv, size_t i, size_t j, uint64_t va);
	/* The operation's out-of-line copy of descend() for the next level. */
	int (*down)(struct pt_op *op, void *ctx, struct level lv, uint64_t va, uint64_t last);
};

/* The last VA of the range in slot s. */
PT_INLINE uint64_t slot_end(const struct slot *s)
{
	const uint64_t end = s->va | (s->span - 1);
	return end < s->last ? end : s->last;
}

/* The i-th piece of leaf e (height h + 1) split one level down. */
PT_INLINE uint64_t piece(const struct pt_op *op, unsigned h, uint64_t e, size_t i)
{
	const unsigned l = op->levels - 1 - h;
	const uint64_t pa = A(leaf_pa)(h + 1, e) + (uint64_t)i * pt__span(op->s, l);
	return leaf_at(op->feat, h, pa, A(leaf_flags)(op->feat, h + 1, e));
}

/* Visit [va, last], which lies in one table at level lv.l, with v. Inlined
 * into each operation's level function (v->down), where v is a constant. */
PT_INLINE int descend_at(struct pt_op *op, const struct visitor *v, void *ctx,
			 struct level lv, uint64_t va, uint64_t last, const unsigned h)
{
	const struct pt_shape *s = op->s;
	const unsigned l = lv.l;
	const enum table_mode mode = v->live_only ? TBL_LIVE : lv.mode;
	PTE *const tbl = lv.tbl;
	const uint64_t span = pt__span(s, l);
	const size_t j = idx(s, l, last);
	size_t i = idx(s, l, va);
	uint64_t sva = va & ~(span - 1);
	struct slot sl;
	if (h == 0)
		return v->run ? v->run(op, ctx, lv, i, j, va) : 0;
	sl.l = l;
	sl.h = h;
	sl.tbl = tbl;
	sl.live = mode == TBL_LIVE;
	sl.nth = 0;
	sl.i0 = i;
	sl.va = va;
	sl.span = span;
	sl.last = last;
	sl.child = (PTE *)0;
	sl.child_pa = 0;
	for (;; i++, sva += span, sl.va = sva) {
		uint64_t e;
		int kind, r;
		if (mode == TBL_LIVE) {
			e = ld(&tbl[i]);
			kind = A(kind)(op->feat, h, e);
		} else if (mode == TBL_FRESH) {
			e = EMPTY;
			kind = PTK_EMPTY;
		} else {
			e = piece(op, h, op->split[l - 1], i);
			kind = PTK_LEAF;
		}
		if (kind == PTK_EMPTY && v->skip_empty && mode == TBL_LIVE && e == EMPTY && i < j) {
			const size_t k = skip_empty(tbl, i + 1, j + 1) - 1;
			sva += (uint64_t)(k - i) * span;
			i = k;
		}
		if (kind == PTK_EMPTY && !v->empty) {
			if (i >= j)
				return 0;
			continue;
		}
		sl.i = i;
		sl.e = e;
		sl.kind = kind;
		sl.down = kind == PTK_TABLE && !v->table ? DOWN_TABLE : DOWN_NO;
		sl.stop = false;
		if (v->stretch)
			sl.more = 0;
		switch (kind) {
		case PTK_EMPTY:
			r = v->empty(op, ctx, &sl);
			break;
		case PTK_TABLE:
			r = v->table ? v->table(op, ctx, &sl) : 0;
			break;
		case PTK_LEAF:
			r = v->leaf ? v->leaf(op, ctx, &sl) : 0;
			break;
		default:
			r = v->corrupt ? v->corrupt(op, ctx, &sl) : PT_ERR_CORRUPT;
			break;
		}
		if (r)
			return r;
		if (sl.stop)
			return 0;
		if (v->count && kind != PTK_EMPTY)
			sl.nth++;
		if (sl.down != DOWN_NO) {
			struct level cl;
			cl.l = l + 1;
			if (sl.down == DOWN_TABLE) {
				cl.mode = TBL_LIVE;
				cl.tbl = (PTE *)pt__frame(op->t, A(table_pa)(h, e));
				sl.child = cl.tbl;
				if (!cl.tbl)
					return v->corrupt ? v->corrupt(op, ctx, &sl) : PT_ERR_CORRUPT;
			} else {
				cl.mode = sl.down == DOWN_FRESH ? TBL_FRESH : TBL_PIECES;
				cl.tbl = sl.child;
				op->split[l] = e;
			}
			r = v->down(op, ctx, cl, sl.va, slot_end(&sl));
			if (!r && v->up)
				r = v->up(op, ctx, &sl);
			if (r)
				return r;
		}
		if (v->stretch && sl.more) {
			i += sl.more;
			sva += (uint64_t)sl.more * span;
		}
		if (i >= j)
			return 0;
	}
}

/* descend_at() with the height a constant where it is 0 or 1, as for most
 * slots: the hooks then decode without per-height masks. */
PT_INLINE int descend(struct pt_op *op, const struct visitor *v, void *ctx,
		      struct level lv, uint64_t va, uint64_t last)
{
	switch (HT(op, lv.l)) {
	case 0:
		return descend_at(op, v, ctx, lv, va, last, 0);
	case 1:
		return descend_at(op, v, ctx, lv, va, last, 1);
	default:
		return descend_at(op, v, ctx, lv, va, last, HT(op, lv.l));
	}
}

/* Does slot s's part of the range cover its whole span? */
PT_INLINE bool slot_whole(const struct slot *s)
{
	return !(s->va & (s->span - 1)) && s->last - s->va >= s->span - 1;
}

/* Define `vis`, a constant struct visitor with the given fields, and
 * `level_fn`, its out-of-line copy of descend() (the recursion's step, and
 * the operation's name in a profile). */
#define PT_VISITOR(vis, level_fn, ...)                                                      \
	static int level_fn(struct pt_op *op, void *ctx, struct level lv, uint64_t va,      \
			    uint64_t last);                                                 \
	static const struct visitor vis = { __VA_ARGS__, .down = level_fn };                \
	static int level_fn(struct pt_op *op, void *ctx, struct level lv, uint64_t va,      \
			    uint64_t last)                                                  \
	{                                                                                   \
		return descend(op, &vis, ctx, lv, va, last);                                \
	}

/* handler_plan and handler_commit: handler(op, ctx, s, plan) for the plan's
 * and the commit's visitors, with plan a constant in each. */
#define PT_PLAN_COMMIT(handler)                                                             \
	PT_INLINE int handler##_plan(struct pt_op *op, void *ctx, struct slot *s)           \
	{                                                                                   \
		return handler(op, ctx, s, true);                                           \
	}                                                                                   \
	PT_INLINE int handler##_commit(struct pt_op *op, void *ctx, struct slot *s)         \
	{                                                                                   \
		return handler(op, ctx, s, false);                                          \
	}

/* Descend [va, last] from the root with v. */
PT_INLINE int descend_root(struct pt_op *op, const struct visitor *v, void *ctx, uint64_t va,
			   uint64_t last)
{
	const struct level root = { (PTE *)pt__frame(op->t, op->t->root), 0, TBL_LIVE };
	return root.tbl ? v->down(op, ctx, root, va, last) : PT_ERR_CORRUPT;
}
