/* SPDX-License-Identifier: MIT */
/*
 * Engine template, part 3: map, unmap and protect over ranges.
 *
 * Every operation runs in two phases (STYLE §4). The plan reads the range,
 * returns the first error in VA order and counts the frames the commit will
 * need; those are reserved before anything is written. The commit then
 * cannot fail. A failed call has written nothing and holds no frame.
 * Both phases recurse per table, so the path to the current table is kept
 * on the stack and a run of entries is handled in one loop.
 */

/* Does a leaf go in the level-l slot holding [va, end] (mapping pa)? */
static inline bool E(leaf_here)(const struct pt_op *op, unsigned l, uint64_t va, uint64_t end,
				uint64_t pa, unsigned max_h)
{
	unsigned h = HT(op, l);
	uint64_t m = pt__span(op->s, l) - 1;
	if (h == 0)
		return true;
	if (h > max_h || !((op->s->leaf_levels >> l) & 1))
		return false;
	return !((va | pa) & m) && end - va == m;
}

/* Write n 4K leaves from pte on: the hot loop of every map. */
static inline void E(fill)(PTE *p, size_t n, uint64_t pte, uint64_t step)
{
	size_t i = 0;
	for (; i + 4 <= n; i += 4, pte += 4 * step) {
		E(st)(&p[i], pte);
		E(st)(&p[i + 1], pte + step);
		E(st)(&p[i + 2], pte + 2 * step);
		E(st)(&p[i + 3], pte + 3 * step);
	}
	for (; i < n; i++, pte += step)
		E(st)(&p[i], pte);
}

/* Rewrite the entries of p[0..n) that continue the run old, old + step, ...
 * as nv, nv + step, ...: a chunk is compared first (run_len, 16-byte
 * vectors), then stored, so the compare costs no store-side work. */
static inline size_t E(rewrite_run)(PTE *p, size_t n, uint64_t old, uint64_t nv, uint64_t step)
{
	enum { CHUNK = 64 };
	size_t i = 0;
	while (i < n) {
		size_t c = E(min)(n - i, CHUNK);
		size_t r = E(run_len)(&p[i], c, old, step);
		E(fill)(&p[i], r, nv, step);
		i += r;
		if (r < c)
			break;
		old += r * step;
		nv += r * step;
	}
	return i;
}

/* ---- map ---------------------------------------------------------------- */

/* Frames needed below a new level-l table covering [va, last]. */
static size_t E(count_fresh)(struct pt_op *op, unsigned l, uint64_t va, uint64_t last,
			     uint64_t pa, unsigned max_h)
{
	size_t n = 0;
	if (HT(op, l) == 0)
		return 0;
	for (;;) {
		uint64_t end = E(slot_end)(op->s, l, va, last);
		if (!E(leaf_here)(op, l, va, end, pa, max_h))
			n += E(plan_table)(op, l, va) + E(count_fresh)(op, l + 1, va, end, pa, max_h);
		if (end == last)
			return n;
		pa += end - va + 1;
		va = end + 1;
	}
}

static int E(plan_map)(struct pt_op *op, unsigned l, uint64_t tpa, uint64_t va, uint64_t last,
		       uint64_t pa, unsigned max_h, size_t *need)
{
	const struct pt_shape *s = op->s;
	unsigned h = HT(op, l);
	const PTE *tbl = E(tbl)(op->t, tpa);
	if (!tbl)
		return PT_ERR_CORRUPT;
	if (h == 0) {
		for (size_t i = E(idx)(s, l, va), j = E(idx)(s, l, last); i <= j; i++) {
			int k = E(kind)(op, l, E(ld)(&tbl[i]));
			if (k != PTK_EMPTY)
				return k == PTK_LEAF ? PT_ERR_ALREADY_MAPPED : PT_ERR_CORRUPT;
		}
		return PT_OK;
	}
	for (;;) {
		uint64_t end = E(slot_end)(s, l, va, last);
		uint64_t e = E(ld)(&tbl[E(idx)(s, l, va)]);
		int k = E(kind)(op, l, e), r = PT_OK;
		if (k == PTK_CORRUPT)
			return PT_ERR_CORRUPT;
		if (E(leaf_here)(op, l, va, end, pa, max_h)) {
			if (k == PTK_LEAF)
				return PT_ERR_ALREADY_MAPPED;
			/* An empty subtree never blocks a map. */
			if (k == PTK_TABLE && (r = E(has_leaf)(op, l + 1, A(table_pa)(h, e))))
				return r > 0 ? PT_ERR_ALREADY_MAPPED : r;
		} else if (k == PTK_LEAF) {
			return PT_ERR_MAPPED_TO_HUGE_PAGE;
		} else if (k == PTK_TABLE) {
			r = E(plan_map)(op, l + 1, A(table_pa)(h, e), va, end, pa, max_h, need);
			if (r)
				return r;
		} else {
			*need += E(plan_table)(op, l, va) + E(count_fresh)(op, l + 1, va, end, pa, max_h);
		}
		if (end == last)
			return PT_OK;
		pa += end - va + 1;
		va = end + 1;
	}
}

/*
 * Map [va, last] into the level-l table tbl. With `fresh` the table is new
 * and unlinked: its entries are not read (they are garbage until written).
 */
static void E(commit_map)(struct pt_op *op, unsigned l, PTE *tbl, bool fresh, uint64_t va,
			  uint64_t last, uint64_t pa, const struct pt_req *rq)
{
	const struct pt_shape *s = op->s;
	unsigned h = HT(op, l);
	if (h == 0) {
		size_t n = (size_t)((last - va) >> 12) + 1;
		E(fill)(&tbl[E(idx)(s, l, va)], n, rq->attrs[0] | A(out)(pa), A(out)(PT_SIZE_4K));
		pt__record_run(op->w, va, n, PT_SIZE_4K);
		/* Linked by the time the call returns: pages next to these
		 * take the hinted path (normalised flags are valid flags). */
		E(hint_leaf)(op->w, tbl, va, rq->flags, rq->flags, rq->attrs[0]);
		return;
	}
	if (h == 1)
		E(hint_dir)(op->w, tbl, va);
	for (;;) {
		uint64_t end = E(slot_end)(s, l, va, last);
		size_t i = E(idx)(s, l, va);
		uint64_t e = fresh ? 0 : E(ld)(&tbl[i]);
		int k = fresh ? PTK_EMPTY : E(kind)(op, l, e);
		if (E(leaf_here)(op, l, va, end, pa, rq->max_h)) {
			uint64_t nv = rq->attrs[h] | A(out)(pa);
			if (k == PTK_TABLE) {
				/* Replace the empty subtree, then free it. */
				uint64_t c = A(table_pa)(h, e);
				E(replace)(op, l, &tbl[i], e, nv, va, true);
				E(free_below)(op, l + 1, c);
				E(release)(op, l, tbl, i, c);
				pt__record_all(op->w);
			} else {
				E(st)(&tbl[i], nv);
			}
			pt__record(op->w, va);
		} else if (k == PTK_TABLE) {
			E(commit_map)(op, l + 1, E(tbl)(op->t, A(table_pa)(h, e)), false, va, end, pa, rq);
		} else {
			uint64_t c = E(new_table)(op, l, tbl, i);
			PTE *ct = E(tbl)(op->t, c);
			size_t n = s->entries[l + 1];
			size_t i0 = E(idx)(s, l + 1, va), i1 = E(idx)(s, l + 1, end);
			/* Only what the range does not write needs zeroing; a
			 * packed level is zeroed whole so sibling lookups in it
			 * never see garbage. */
			if (l + 2 < op->levels && s->per_frame[l + 2] > 1) {
				E(zero)(ct, 0, n);
			} else {
				E(zero)(ct, 0, i0);
				E(zero)(ct, i1 + 1, n);
			}
			E(commit_map)(op, l + 1, ct, true, va, end, pa, rq);
			/* The new table is complete before it becomes visible. */
			E(st)(&tbl[i], A(table)(h, c));
		}
		if (end == last)
			return;
		pa += end - va + 1;
		va = end + 1;
	}
}

static int E(map)(struct pt_table *t, uint64_t va, uint64_t pa, uint64_t last, uint32_t flags,
		  unsigned max_h)
{
	struct pt_op op;
	struct pt_req rq;
	size_t need = 0;
	int r;
	pt__op_init_rw(&op, t);
	r = E(plan_map)(&op, 0, t->root, va, last, pa, max_h, &need);
	if (r)
		return r;
	if (pt__reserve(&op, need) != PT_OK) {
		pt__unreserve(&op);
		return PT_ERR_NO_MEMORY;
	}
	E(req_init)(&op, &rq, flags, max_h);
	E(commit_map)(&op, 0, E(tbl)(t, t->root), false, va, last, pa, &rq);
	pt__unreserve(&op);
	return PT_OK;
}

/*
 * One 4K page at a time (the common way to build an address space): the
 * edit hint keeps the last-level table the previous page went to, so a page
 * next to it costs one entry load and one store, and only the checks the
 * hint does not vouch for. A hinted table is never under a shared root
 * entry, and its span holds only canonical VAs; hint_flags were valid.
 */
static int E(map_page)(struct pt_table *t, uint64_t va, uint64_t pa, uint64_t size,
		      uint32_t flags);

/* Checked (pt__map_checked): walk to the last-level table, from the
 * directory hint when it covers va, hint it and map there; anything else
 * (a missing table, a huge page in the way) takes E(map). */
static int E(map_walk)(struct pt_table *t, uint64_t va, uint64_t pa, uint32_t flags)
{
	const struct pt_shape *s = t->shape;
	const unsigned leaf = s->info.levels - 1, feat = t->features;
	const uint32_t nf = pt__normalize(t->arch, feat, flags);
	unsigned l = 0;
	uint64_t e;
	PTE *tbl = E(tbl)(t, t->root);
	if (E(dir_hinted)(t, va)) {
		l = leaf - 1;
		tbl = (PTE *)(uintptr_t)t->hint_dir;
	}
	for (; tbl; l++) {
		e = E(ld)(&tbl[E(idx)(s, l, va)]);
		if (A(kind)(feat, leaf - l, e) != PTK_TABLE)
			break;
		if (l == leaf - 1) {
			PTE *lt = E(tbl)(t, A(table_pa)(1, e));
			if (!lt)
				break;
			E(hint_dir)(t, tbl, va);
			E(hint_leaf)(t, lt, va, flags, nf, A(leaf_attrs)(feat, 0, nf));
			/* the hint covers it now */
			return E(map_page)(t, va, pa, PT_SIZE_4K, flags);
		}
		tbl = E(tbl)(t, A(table_pa)(leaf - l, e));
	}
	return E(map)(t, va, pa, va + (PT_SIZE_4K - 1), nf, 0);
}

/* The slot holds e, not empty: out of the hinted path's way. */
static __attribute__((cold, noinline)) int E(map_taken)(unsigned feat, uint64_t e)
{
	return A(kind)(feat, 0, e) == PTK_LEAF ? PT_ERR_ALREADY_MAPPED : PT_ERR_CORRUPT;
}

/* pt_map, unchecked: the hinted path for a 4K page, or pt__map_checked. */
static int E(map_page)(struct pt_table *t, uint64_t va, uint64_t pa, uint64_t size,
		      uint32_t flags)
{
	PTE *p = (PTE *)t->hint_tbl;
	uint64_t e;
	const uint64_t index_bits = ((UINT64_C(1) << LEAF_SHIFT) - 1) & ~(PT_SIZE_4K - 1);
	/* A hint (no value of hint_va alone can say "none": some va matches
	 * any); a 4K page; va: in the hinted span and 4K-aligned (every other
	 * bit as in hint_va); pa: aligned and in range exactly when the leaf's
	 * PA field gives it back unchanged; the hinted flags. */
	if (PT_UNLIKELY(!p ||
			(((va ^ t->hint_va) & ~index_bits) | (pa ^ A(leaf_pa)(0, A(out)(pa))) |
			 (size ^ PT_SIZE_4K)) || flags != t->hint_flags))
		return pt__map_checked(t, va, pa, size, flags);
	p += (va & index_bits) >> 12;
	e = E(ld)(p);
	if (PT_UNLIKELY(!A(leaf_empty)(t->features, e)))
		return E(map_taken)(t->features, e);
	E(st)(p, t->hint_attrs | A(out)(pa));
	pt__record(t, va);
	return PT_OK;
}

/* ---- unmap and protect -------------------------------------------------- */

/* Frames to split the level-l leaf so that [va, last], a strict part of its
 * slot, can be handled alone. */
static size_t E(split_need)(struct pt_op *op, unsigned l, uint64_t va, uint64_t last)
{
	uint64_t cm = pt__span(op->s, l + 1) - 1;
	uint64_t a = va & ~cm, b = last & ~cm;
	size_t n = E(plan_table)(op, l, va);
	if (a == b) {
		if ((va & cm) || (last & cm) != cm)
			n += E(split_need)(op, l + 1, va, last);
		return n;
	}
	if (va & cm)
		n += E(split_need)(op, l + 1, va, va | cm);
	if ((last & cm) != cm)
		n += E(split_need)(op, l + 1, b, last);
	return n;
}

/* A protect that would not change this leaf needs no split. */
static inline bool E(same_flags)(const struct pt_op *op, unsigned l, uint64_t e,
				 const struct pt_req *rq, bool protect)
{
	return protect && A(leaf_flags)(op->feat, HT(op, l), e) == rq->flags;
}

/* The plan found n 4K leaves from va forming the run e, e + one page, ...:
 * extend the last record when this continues it, else start one while the
 * log has room (the commit compares what the log misses). */
static inline void E(note_run)(struct pt_runs *rs, uint64_t va, size_t n, uint64_t e)
{
	const uint64_t step = A(out)(PT_SIZE_4K);
	struct pt_run *r;
	if (rs->n) {
		r = &rs->rec[rs->n - 1];
		if (r->last + 1 == va && r->e + ((va - r->va) >> 12) * step == e) {
			r->last += (uint64_t)n * PT_SIZE_4K;
			return;
		}
	}
	if (rs->n == PT_RUN_LOG)
		return;
	r = &rs->rec[rs->n++];
	r->va = va;
	r->last = va + ((uint64_t)n * PT_SIZE_4K - 1);
	r->e = e;
}

/* The plan's run covering va, if any; the commit asks in VA order. */
static inline const struct pt_run *E(run_at)(struct pt_runs *rs, uint64_t va)
{
	while (rs->cur < rs->n && rs->rec[rs->cur].last < va)
		rs->cur++;
	if (rs->cur < rs->n && rs->rec[rs->cur].va <= va)
		return &rs->rec[rs->cur];
	return (const struct pt_run *)0;
}

static int E(plan_clear)(struct pt_op *op, unsigned l, uint64_t tpa, uint64_t va, uint64_t last,
			 const struct pt_req *rq, bool protect, size_t *need)
{
	const struct pt_shape *s = op->s;
	unsigned h = HT(op, l);
	const PTE *tbl = E(tbl)(op->t, tpa);
	if (!tbl)
		return PT_ERR_CORRUPT;
	if (h == 0) {
		/* Unmapping clears whatever is there; protecting must decode.
		 * A valid leaf vouches for the uniform run that follows it. */
		const uint64_t step = A(out)(PT_SIZE_4K);
		const size_t i0 = E(idx)(s, l, va), j = E(idx)(s, l, last);
		size_t i = i0;
		while (protect && i <= j) {
			uint64_t e = E(ld)(&tbl[i]);
			size_t n;
			if (A(leaf_bad)(op->feat, e))
				return PT_ERR_CORRUPT;
			if (A(kind)(op->feat, 0, e) != PTK_LEAF) {
				i++;
				continue;
			}
			n = 1 + E(run_len)(&tbl[i + 1], E(min)(j - i, E(run_room)(s, e)), e + step,
					   step);
			if (op->runs)
				E(note_run)(op->runs, va + (uint64_t)(i - i0) * PT_SIZE_4K, n, e);
			i += n;
		}
		return PT_OK;
	}
	for (;;) {
		uint64_t end = E(slot_end)(s, l, va, last);
		uint64_t e = E(ld)(&tbl[E(idx)(s, l, va)]);
		bool whole = E(whole)(s, l, va, end);
		int r;
		switch (E(kind)(op, l, e)) {
		case PTK_TABLE:
			/* A whole subtree to unmap goes as one: nothing to check. */
			if (whole && !protect)
				break;
			r = E(plan_clear)(op, l + 1, A(table_pa)(h, e), va, end, rq, protect, need);
			if (r)
				return r;
			break;
		case PTK_LEAF:
			if (!whole && !E(same_flags)(op, l, e, rq, protect))
				*need += E(split_need)(op, l, va, end);
			break;
		case PTK_CORRUPT:
			/* Garbage wholly inside an unmapped range is cleared, never
			 * followed; anything else cannot be handled. */
			if (!whole || protect)
				return PT_ERR_CORRUPT;
			break;
		default:
			break;
		}
		if (end == last)
			return PT_OK;
		va = end + 1;
	}
}

static void E(commit_clear)(struct pt_op *op, unsigned l, PTE *tbl, uint64_t va, uint64_t last,
			    const struct pt_req *rq, bool protect);

/*
 * Split the level-l leaf e in slot i so that only [va, last] (a strict part
 * of its slot) is unmapped or reprotected. The new table is built whole,
 * then replaces the leaf (break-before-make where the arch needs it).
 */
static void E(split)(struct pt_op *op, unsigned l, PTE *tbl, size_t i, uint64_t e, uint64_t va,
		     uint64_t last, const struct pt_req *rq, bool protect, bool live)
{
	const struct pt_shape *s = op->s;
	unsigned h = HT(op, l);
	uint64_t cs = pt__span(s, l + 1);
	uint64_t base = va & ~(pt__span(s, l) - 1);
	uint64_t out0 = A(out)(A(leaf_pa)(h, e));
	uint64_t pte = A(leaf_attrs)(op->feat, h - 1, A(leaf_flags)(op->feat, h, e)) | out0;
	uint64_t step = A(out)(cs);
	uint64_t c = E(new_table)(op, l, tbl, i);
	PTE *ct = E(tbl)(op->t, c);
	size_t n = s->entries[l + 1];
	size_t i0 = E(idx)(s, l + 1, va), i1 = E(idx)(s, l + 1, last);

	/* The same mapping in smaller leaves, then the range handled in it;
	 * the table is not live yet, so no break-before-make inside it. */
	E(fill)(ct, n, pte, step);
	for (size_t j = i0; j <= i1; j++) {
		uint64_t cva = base + j * cs;
		uint64_t clast = cva + (cs - 1);
		uint64_t a = cva < va ? va : cva, b = clast > last ? last : clast;
		if (a == cva && b == clast)
			E(st)(&ct[j], protect ? rq->attrs[h - 1] | (out0 + j * step) : 0);
		else
			E(split)(op, l + 1, ct, j, E(ld)(&ct[j]), a, b, rq, protect, false);
	}
	if (live) {
		E(replace)(op, l, &tbl[i], e, A(table)(h, c), base, false);
		pt__record(op->w, base);
	} else {
		E(st)(&tbl[i], A(table)(h, c));
	}
}

/* The last level of commit_clear: one tight loop over the run. */
static void E(clear_leaves)(struct pt_op *op, PTE *tbl, uint64_t va, uint64_t last,
			    const struct pt_req *rq, bool protect)
{
	unsigned l = op->levels - 1;
	size_t n = (size_t)((last - va) >> 12) + 1;
	PTE *p = &tbl[E(idx)(op->s, l, va)];
	const uint64_t step = A(out)(PT_SIZE_4K);
	for (size_t i = 0; i < n; i++) {
		uint64_t pva = va + (uint64_t)i * PT_SIZE_4K;
		uint64_t e, nv;
		if (protect) {
			const struct pt_run *run = op->runs ? E(run_at)(op->runs, pva) : 0;
			if (run) {
				/* The plan read this part of the run: rewrite it
				 * without reading it again. */
				uint64_t old = run->e + ((pva - run->va) >> 12) * step;
				size_t r = E(min)(n - i, (size_t)((run->last - pva) >> 12) + 1);
				nv = rq->attrs[0] | A(out)(A(leaf_pa)(0, old));
				if (nv == old) {
					i += r - 1;
					continue;
				}
				if (!A(needs_bbm)(0, old, nv)) {
					E(fill)(&p[i], r, nv, step);
					pt__record_run(op->w, pva, r, PT_SIZE_4K);
					i += r - 1;
					continue;
				}
			}
			/* The plan found nothing corrupt: present is a leaf. */
			e = E(ld)(&p[i]);
			if (E(kind)(op, l, e) == PTK_EMPTY)
				continue;
			nv = rq->attrs[0] | A(out)(A(leaf_pa)(0, e));
			if (nv == e)
				continue;
			if (!A(needs_bbm)(0, e, nv)) {
				/* The uniform run from here gets the same new
				 * attributes: rewrite it with the map's loop. */
				size_t r = 1 + E(rewrite_run)(&p[i + 1],
							      E(min)(n - i - 1, E(run_room)(op->s, e)),
							      e + step, nv + step, step);
				E(st)(&p[i], nv);
				pt__record_run(op->w, pva, r, PT_SIZE_4K);
				i += r - 1;
				continue;
			}
			E(replace)(op, l, &p[i], e, nv, pva, false);
		} else {
			e = E(ld)(&p[i]);
			if (!e) /* stray bits in an empty entry go too */
				continue;
			E(st)(&p[i], 0);
		}
		pt__record(op->w, pva);
	}
}

static void E(commit_clear)(struct pt_op *op, unsigned l, PTE *tbl, uint64_t va, uint64_t last,
			    const struct pt_req *rq, bool protect)
{
	const struct pt_shape *s = op->s;
	unsigned h = HT(op, l);
	if (h == 0) {
		E(clear_leaves)(op, tbl, va, last, rq, protect);
		return;
	}
	for (;;) {
		uint64_t end = E(slot_end)(s, l, va, last);
		size_t i = E(idx)(s, l, va);
		uint64_t e = E(ld)(&tbl[i]), c, nv;
		bool whole = E(whole)(s, l, va, end);
		PTE *ct;
		switch (E(kind)(op, l, e)) {
		case PTK_LEAF:
			if (!whole) {
				if (!E(same_flags)(op, l, e, rq, protect))
					E(split)(op, l, tbl, i, e, va, end, rq, protect, true);
				break;
			}
			if (!protect) {
				E(st)(&tbl[i], 0);
				pt__record(op->w, va);
				break;
			}
			nv = rq->attrs[h] | A(out)(A(leaf_pa)(h, e));
			if (nv != e) {
				E(replace)(op, l, &tbl[i], e, nv, va, false);
				pt__record(op->w, va);
			}
			break;
		case PTK_TABLE:
			c = A(table_pa)(h, e);
			if (whole && !protect) {
				E(st)(&tbl[i], 0);
				E(free_below)(op, l + 1, c);
				E(release)(op, l, tbl, i, c);
				pt__record_all(op->w);
				break;
			}
			ct = E(tbl)(op->t, c);
			E(commit_clear)(op, l + 1, ct, va, end, rq, protect);
			/* Reclaim a table the unmap left empty. */
			if (!protect && E(is_empty)(op, l + 1, ct)) {
				E(st)(&tbl[i], 0);
				E(release)(op, l, tbl, i, c);
				pt__record_all(op->w);
			}
			break;
		case PTK_CORRUPT: /* wholly inside an unmap: the plan said so */
			E(st)(&tbl[i], 0);
			pt__record_all(op->w);
			break;
		default:
			if (!protect && e) /* an empty entry with stray bits */
				E(st)(&tbl[i], 0);
			break;
		}
		if (end == last)
			return;
		va = end + 1;
	}
}

static int E(clear_range)(struct pt_table *t, uint64_t va, uint64_t last, bool protect,
			  uint32_t flags)
{
	struct pt_op op;
	struct pt_req rq;
	size_t need = 0;
	int r;
	struct pt_runs runs;
	pt__op_init_rw(&op, t);
	E(req_init)(&op, &rq, flags, 0);
	if (protect) {
		runs.n = 0;
		runs.cur = 0;
		op.runs = &runs;
	}
	r = E(plan_clear)(&op, 0, t->root, va, last, &rq, protect, &need);
	if (r)
		return r;
	if (pt__reserve(&op, need) != PT_OK) {
		pt__unreserve(&op);
		return PT_ERR_NO_MEMORY;
	}
	E(commit_clear)(&op, 0, E(tbl)(t, t->root), va, last, &rq, protect);
	pt__unreserve(&op);
	return PT_OK;
}
