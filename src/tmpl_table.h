/* SPDX-License-Identifier: MIT */
/*
 * Engine template, part 1: entry access and table frames.
 * Included once per family by src/engines.c (no include guard on purpose);
 * E(x) names this family's copy of x, A(x) the family's arch hook.
 */

/* The one load and the one store every entry goes through. Stores are
 * single aligned release stores: whatever was written before (a new table's
 * contents) is visible before the entry is, to other CPUs and the MMU. */
PT_INLINE uint64_t E(ld)(const PTE *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

PT_INLINE void E(st)(PTE *p, uint64_t v)
{
	__atomic_store_n(p, (PTE)v, __ATOMIC_RELEASE);
}

#define HT(op, l) ((op)->levels - 1u - (l))

/* 16 bytes of entries, at any entry-aligned address, for run scans. */
typedef PTE E(vec) __attribute__((vector_size(16), aligned(sizeof(PTE)), may_alias));

PT_INLINE int E(kind)(const struct pt_op *op, unsigned l, uint64_t e)
{
	return A(kind)(op->feat, HT(op, l), e);
}

PT_INLINE size_t E(idx)(const struct pt_shape *s, unsigned l, uint64_t va)
{
	return (size_t)((va >> s->shift[l]) & (s->entries[l] - 1u));
}

static inline PTE *E(tbl)(const struct pt_table *t, uint64_t pa)
{
	return (PTE *)pt__frame(t, pa);
}

/* Last VA of the slot holding va at level l, clipped to last. */
PT_INLINE uint64_t E(slot_end)(const struct pt_shape *s, unsigned l, uint64_t va, uint64_t last)
{
	uint64_t end = va | (pt__span(s, l) - 1);
	return end < last ? end : last;
}

/* Does [va, end] cover the whole level-l slot it lies in? */
PT_INLINE bool E(whole)(const struct pt_shape *s, unsigned l, uint64_t va, uint64_t end)
{
	uint64_t m = pt__span(s, l) - 1;
	return !(va & m) && end - va == m;
}

/*
 * The hot loop: how many of p[0..n) continue the run, i.e. equal expect,
 * expect + step, ... exactly. Four entries per test, no branch between them.
 */
static inline size_t E(run_len)(const PTE *p, size_t n, uint64_t expect, uint64_t step)
{
	size_t i = 0;
	if (n >= 4 * PT_LANES(PTE)) {
		/* Long runs 64 bytes per test, in 16-byte vectors (SSE2, NEON;
		 * plain scalar code where there are none). The loads are only
		 * compared: a mismatch, or a torn read, just ends the fast part
		 * and the one-entry loop below decides from a fresh load. */
		enum { L = PT_LANES(PTE) };
		E(vec) x0 = { 0 }, x1 = { 0 }, x2 = { 0 }, x3 = { 0 }, inc = { 0 }, d;
		for (unsigned k = 0; k < L; k++) {
			x0[k] = (PTE)(expect + k * step);
			x1[k] = (PTE)(expect + (k + L) * step);
			x2[k] = (PTE)(expect + (k + 2 * L) * step);
			x3[k] = (PTE)(expect + (k + 3 * L) * step);
			inc[k] = (PTE)(4 * L * step);
		}
		for (; i + 4 * L <= n; i += 4 * L) {
			const E(vec) *v = (const E(vec) *)(const void *)(p + i);
			PTE any = 0;
			d = (v[0] ^ x0) | (v[1] ^ x1) | (v[2] ^ x2) | (v[3] ^ x3);
			for (unsigned k = 0; k < L; k++)
				any |= d[k];
			if (any)
				break;
			x0 += inc;
			x1 += inc;
			x2 += inc;
			x3 += inc;
		}
		expect += i * step;
	}
	for (; i + 4 <= n; i += 4, expect += 4 * step) {
		uint64_t d = (E(ld)(&p[i]) ^ expect) | (E(ld)(&p[i + 1]) ^ (expect + step)) |
			     (E(ld)(&p[i + 2]) ^ (expect + 2 * step)) |
			     (E(ld)(&p[i + 3]) ^ (expect + 3 * step));
		if (d)
			break;
	}
	for (; i < n && E(ld)(&p[i]) == expect; i++, expect += step)
		;
	return i;
}

/* 4K entries that may follow the 4K leaf e in a run before the PA would
 * leave the format's range (and carry into reserved bits). */
PT_INLINE size_t E(run_room)(const struct pt_shape *s, uint64_t e)
{
	uint64_t top = (UINT64_C(1) << s->info.pa_bits) - PT_SIZE_4K;
	uint64_t pa = A(leaf_pa)(0, e);
	return pa < top ? (size_t)((top - pa) >> 12) : 0;
}

/*
 * The first entry of tbl at or after i (n if none) that is not all-zero.
 * All-zero is empty in every format (tests/test_hooks.c) and most empty
 * entries are (an unmap writes 0), so walks and teardown cross the empty
 * stretches of a sparse table four entries per test instead of decoding
 * each. Out of line: it runs only once an empty entry is found, and inlined
 * it would crowd the registers of the loops that call it.
 */
static __attribute__((noinline)) size_t E(skip_zero)(const PTE *tbl, size_t i, size_t n)
{
	while (i + 4 <= n && !(E(ld)(&tbl[i]) | E(ld)(&tbl[i + 1]) | E(ld)(&tbl[i + 2]) |
			       E(ld)(&tbl[i + 3])))
		i += 4;
	while (i < n && !E(ld)(&tbl[i]))
		i++;
	return i;
}

PT_INLINE size_t E(min)(size_t a, size_t b)
{
	return a < b ? a : b;
}

PT_INLINE bool E(shared)(const struct pt_op *op, unsigned l, size_t i)
{
	return l == 0 && pt__root_shared(op->t, i);
}

/*
 * Zero entries [from, to) of a new table nothing points to yet: no walker
 * can see these stores, and the release store that links the table orders
 * them before it, so they need not go through E(st). 64 bytes per step in
 * 16-byte stores, volatile so that the compiler cannot turn the loop into
 * a memset call (the core is freestanding).
 */
static inline void E(zero)(PTE *tbl, size_t from, size_t to)
{
	enum { L = PT_LANES(PTE) };
	const E(vec) z = { 0 };
	size_t i = from;
	for (; i < to && (i % L); i++)
		E(st)(&tbl[i], 0);
	for (; i + 4 * L <= to; i += 4 * L) {
		volatile E(vec) *v = (volatile E(vec) *)(void *)(tbl + i);
		v[0] = z;
		v[1] = z;
		v[2] = z;
		v[3] = z;
	}
	for (; i < to; i++)
		E(st)(&tbl[i], 0);
}

/* Hints (struct pt_table): the span a last-level table covers, and the span
 * of the directory above it, as VA bit positions. */
#define LEAF_SHIFT (12u + A(LEAF_BITS))
#define DIR_SHIFT (LEAF_SHIFT + A(DIR_BITS))

/* Does the hinted directory cover va? Then a walk for va may start there,
 * at level levels - 2: a hinted table is still where the walk from the
 * root reaches it (a freed table takes the hint with it), and its span
 * holds only canonical VAs. */
PT_INLINE bool E(dir_hinted)(const struct pt_table *t, uint64_t va)
{
	return (va >> DIR_SHIFT) == t->hint_dir_span;
}

/* The level-(levels - 2) table tbl covers va's directory span: hint it. */
PT_INLINE void E(hint_dir)(struct pt_table *t, const PTE *tbl, uint64_t va)
{
	t->hint_dir = tbl;
	t->hint_dir_span = va >> DIR_SHIFT;
	t->hint_qspan = t->fast.query ? ~((va >> DIR_SHIFT) | t->fast.qtag) : 0;
	t->hint_qdir = (uintptr_t)tbl - (uintptr_t)(((va >> DIR_SHIFT) << A(DIR_BITS)) * sizeof(PTE));
}

/* tbl is the last-level table for va; the next 4K pages mapped will most
 * likely be given `flags` (normalised: nflags; encoded: attrs). */
PT_INLINE void E(hint_leaf)(struct pt_table *t, PTE *tbl, uint64_t va, uint32_t flags,
				uint32_t nflags, uint64_t attrs)
{
	t->hint_tbl = tbl;
	t->hint_va = va & ~((UINT64_C(1) << LEAF_SHIFT) - 1);
	t->hint_flags = flags;
	t->hint_nflags = nflags;
	t->hint_attrs = attrs;
}

/* Without its PA: the bits of a 4K leaf that decide its kind and flags. */
PT_INLINE uint64_t E(leaf_attrs_of)(uint64_t e)
{
	return e ^ A(out)(A(leaf_pa)(0, e));
}

/* A 4K leaf's address field: what leaf_pa keeps of an all-ones entry, put
 * back by out(). */
PT_INLINE uint64_t E(leaf_field)(void)
{
	return A(out)(A(leaf_pa)(0, ~UINT64_C(0)));
}

/* How far the address fields sit right of the PA they hold (2 where they
 * hold PA / 4, RISC-V; else 0). */
PT_INLINE unsigned E(field_shift)(void)
{
	return 12 - (unsigned)__builtin_ctzll(A(out)(PT_SIZE_4K));
}

/* The format as the inline pt_map and pt_query see it (struct pt_fast),
 * read off the family's own hooks: the address fields are what table_pa
 * and leaf_pa keep of an all-ones entry, put back by out(). The geometry
 * must be one the fast paths know, or they are off; pt_query's is off
 * without a direct map. */
static void E(fast_facts)(struct pt_fast *f, bool direct)
{
	const unsigned shr = E(field_shift)();
	f->tbl_mask = A(TABLE_MASK);
	f->tbl_match = A(TABLE_MATCH);
	f->tbl_field = A(out)(A(table_pa)(1, ~UINT64_C(0)));
	f->leaf_field = E(leaf_field)();
	f->attrs_mask = ~f->leaf_field;
	f->pa_bad = ~(f->leaf_field << shr);
	f->va_fixed = ~(((UINT64_C(1) << LEAF_SHIFT) - 1) & ~(PT_SIZE_4K - 1));
	f->map = 0; /* a geometry the fast paths do not know */
	f->qtag = 0;
	if (sizeof(PTE) == 8 && A(LEAF_BITS) == 9 && A(DIR_BITS) == 9 && (shr == 0 || shr == 2)) {
		f->map = shr ? PT_FAST_64_X4 : PT_FAST_64;
		f->qtag = shr ? PT_FAST_X4_TAG : 0;
	} else if (sizeof(PTE) == 4 && A(LEAF_BITS) == 8 && A(DIR_BITS) == 12 && shr == 0) {
		f->map = PT_FAST_32;
		f->qtag = PT_FAST_32_TAG;
	}
	f->query = direct ? f->map : 0;
	/* Where a table entry's value test is 0 (LoongArch), only the 8-byte
	 * copy of pt_query's fast path also refuses an entry of 0. */
	if (f->query != PT_FAST_64 && f->tbl_match == 0)
		f->query = 0;
}

/*
 * Packed tables (ARMv7 L2: four 1 KiB tables in a 4 KiB frame, the tables
 * of four consecutive parent entries): the frame already holding a sibling
 * of slot i's table, or 0.
 */
static uint64_t E(group_frame)(const struct pt_op *op, unsigned l, const PTE *tbl, size_t i)
{
	size_t n = op->s->per_frame[l + 1], g = i & ~(n - 1);
	for (size_t j = g; j < g + n; j++) {
		uint64_t e;
		if (j == i || E(shared)(op, l, j))
			continue;
		e = E(ld)(&tbl[j]);
		if (E(kind)(op, l, e) == PTK_TABLE)
			return A(table_pa)(HT(op, l), e) & ~(uint64_t)(PT_FRAME_SIZE - 1);
	}
	return 0;
}

/*
 * Planning: frames a new table under the level-l slot holding va needs.
 * A packed group is counted once per call and never credited with a
 * sibling's frame (that sibling may go away earlier in the same call); an
 * unused reserve goes back at the end.
 */
static inline size_t E(plan_table)(struct pt_op *op, unsigned l, uint64_t va)
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
static uint64_t E(new_table)(struct pt_op *op, unsigned l, const PTE *tbl, size_t i)
{
	const struct pt_shape *s = op->s;
	size_t n = s->per_frame[l + 1];
	uint64_t f;
	if (n <= 1)
		return pt__take(op);
	f = E(group_frame)(op, l, tbl, i);
	if (!f)
		f = pt__take(op);
	return f + (uint64_t)(i & (n - 1)) * s->entries[l + 1] * s->pte_bytes;
}

/* Slot i of tbl no longer points at child_pa: give its frame back unless a
 * packed sibling still lives there. */
static void E(release)(struct pt_op *op, unsigned l, const PTE *tbl, size_t i, uint64_t child_pa)
{
	const struct pt_shape *s = op->s;
	pt__forget_hints(op->w); /* one may have pointed into this frame */
	if (s->per_frame[l + 1] > 1) {
		if (E(group_frame)(op, l, tbl, i))
			return;
		child_pa &= ~(uint64_t)(PT_FRAME_SIZE - 1);
	}
	op->t->mm.free_frames(op->t->mm.ctx, child_pa, s->frames[l + 1]);
}

/* Free every table below the level-l table at tpa (not tpa itself), never a
 * shared subtree. Entries are cleared as their tables go, so packed frames
 * are freed with their last table. */
static void E(free_below)(struct pt_op *op, unsigned l, uint64_t tpa)
{
	const unsigned h = HT(op, l);
	const size_t n = op->s->entries[l];
	PTE *tbl;
	if (h == 0)
		return;
	tbl = E(tbl)(op->t, tpa);
	if (!tbl)
		return;
	for (size_t i = 0; i < n; i++) {
		uint64_t e = E(ld)(&tbl[i]), c;
		if (!e) {
			i = E(skip_zero)(tbl, i + 1, n) - 1;
			continue;
		}
		if (!A(is_table)(op->feat, h, e) || E(shared)(op, l, i))
			continue;
		c = A(table_pa)(h, e);
		E(free_below)(op, l + 1, c);
		E(st)(&tbl[i], 0);
		E(release)(op, l, tbl, i, c);
	}
}

/* 1 if a leaf lives below the level-l table at tpa, 0 if none,
 * PT_ERR_CORRUPT if something cannot be trusted first. */
static int E(has_leaf)(const struct pt_op *op, unsigned l, uint64_t tpa)
{
	const PTE *tbl = E(tbl)(op->t, tpa);
	if (!tbl)
		return PT_ERR_CORRUPT;
	for (size_t i = 0; i < op->s->entries[l]; i++) {
		uint64_t e = E(ld)(&tbl[i]);
		int k = E(kind)(op, l, e), r;
		if (k == PTK_LEAF)
			return 1;
		if (k == PTK_CORRUPT)
			return PT_ERR_CORRUPT;
		if (k == PTK_TABLE && (r = E(has_leaf)(op, l + 1, A(table_pa)(HT(op, l), e))))
			return r;
	}
	return 0;
}

static bool E(is_empty)(const struct pt_op *op, unsigned l, const PTE *tbl)
{
	for (size_t i = 0; i < op->s->entries[l]; i++)
		if (E(kind)(op, l, E(ld)(&tbl[i])) != PTK_EMPTY)
			return false;
	return true;
}

/*
 * Replace a present entry. Arm requires break-before-make for anything but
 * a permission change: invalid entry, TLB invalidation, then the new entry.
 * `all` when the old entry was a table (walk caches for its whole span).
 */
static inline void E(replace)(struct pt_op *op, unsigned l, PTE *p, uint64_t old,
			      uint64_t nv, uint64_t va, bool all)
{
	if (A(needs_bbm)(HT(op, l), old, nv)) {
		E(st)(p, 0);
		pt__flush_now(op->t, va, all);
	}
	E(st)(p, nv);
}

static inline void E(req_init)(const struct pt_op *op, struct pt_req *rq, uint32_t flags,
			       unsigned max_h)
{
	for (unsigned h = 0; h < op->levels; h++)
		rq->attrs[h] = A(leaf_attrs)(op->feat, h, flags);
	rq->flags = flags;
	rq->max_h = max_h;
}
