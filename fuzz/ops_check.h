/* SPDX-License-Identifier: MIT */
/*
 * fuzz_ops: the full check of a real table against the model.
 * Included once, by fuzz/fuzz_ops.c, which defines the bounds and globals
 * these sections share; split out only to keep each file to one job.
 */
#ifndef PT_FUZZ_OPS_CHECK_H
#define PT_FUZZ_OPS_CHECK_H

/* ---- Full check: walk the real table, compare with the model -------- */

struct went {
	struct pt_entry e;
};

static struct {
	struct went *v;
	size_t n, cap;
	struct pt_entry stack[PT_MAX_LEVELS + 1];
	unsigned depth;
	unsigned long stop_at, pre_calls;
} W;

static int walk_pre(void *arg, const struct pt_entry *e)
{
	(void)arg;
	W.v = grow(W.v, &W.cap, W.n + 1, sizeof(*W.v));
	W.v[W.n++].e = *e;
	FZ_CHECK(W.depth <= PT_MAX_LEVELS);
	W.stack[W.depth++] = *e;
	if (++W.pre_calls == W.stop_at)
		return 77;
	return 0;
}

static int walk_post(void *arg, const struct pt_entry *e)
{
	(void)arg;
	FZ_CHECK(W.depth > 0);
	W.depth--;
	FZ_CHECK(W.stack[W.depth].va == e->va && W.stack[W.depth].level == e->level &&
		 W.stack[W.depth].pte == e->pte);
	return 0;
}

static int walk_all(struct ctx *c, size_t limit, unsigned long stop_at)
{
	struct pt_walk_ops ops = { limit, walk_pre, walk_post };
	W.n = 0;
	W.depth = 0;
	W.stop_at = stop_at;
	W.pre_calls = 0;
	return pt_walk(&c->t, &ops, NULL);
}

static uint64_t canon(uint64_t va)
{
	if (S.sext) {
		unsigned up = 64 - S.va_bits;
		return (uint64_t)((int64_t)(va << up) >> up);
	}
	return va;
}

struct tpa {
	uint64_t pa, va;
};

static int tpa_cmp(const void *a, const void *b)
{
	const struct tpa *x = a, *y = b;
	return x->pa < y->pa ? -1 : x->pa > y->pa;
}

/*
 * A failed call must leave the table exactly as it was. Rather than walk
 * it whole before and after, the harness keeps a copy of every frame in use
 * (the blocks the arena handed out and has not had back), in step with the
 * arena after every check: whole after a full check, the frames a scoped
 * check walked (and those waiting for a flush) after one. A failed call's
 * frames are compared with it: any write the call left behind, in any
 * table, shows up there, and so does a write an earlier successful call
 * made outside the part of the table checked after it.
 */
static struct {
	struct blk {
		uint32_t i, n; /* frames [i, i + n) */
	} *blk;            /* the blocks in use, as allocated */
	size_t nblk, blkcap;
	unsigned char *copy; /* frame i's copy at copy + i * 4096 */
} F;

static int fz_alloc_frames(void *ctx, size_t count, size_t align, uint64_t *pa)
{
	int r = arena_alloc_frames(ctx, count, align, pa);
	if (r == 0) {
		F.blk = grow(F.blk, &F.blkcap, F.nblk + 1, sizeof(*F.blk));
		F.blk[F.nblk++] = (struct blk){ (uint32_t)((*pa - A.base) / 4096), (uint32_t)count };
	}
	return r;
}

static void fz_free_frames(void *ctx, uint64_t pa, size_t count)
{
	arena_free_frames(ctx, pa, count);
	for (size_t k = 0; k < F.nblk; k++)
		if (A.base + (uint64_t)F.blk[k].i * 4096 == pa) {
			F.blk[k] = F.blk[--F.nblk];
			break;
		}
}

/* 1 to PT_FREE_BATCH tables of one granule each, none twice, each then
 * given back as free_frames would. */
static void fz_free_frames_batch(void *ctx, const uint64_t *pa, size_t n, size_t count)
{
	FZ_CHECK(n >= 1 && n <= PT_FREE_BATCH && count == (size_t)1 << (S.pg - 12));
	for (size_t k = 0; k < n; k++) {
		for (size_t m = 0; m < k; m++)
			FZ_CHECK(pa[m] != pa[k]);
		fz_free_frames(ctx, pa[k], count);
	}
}

static void frames_init(void)
{
	F.copy = mmap(NULL, (size_t)ARENA_FRAMES * 4096, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	FZ_CHECK(F.copy != MAP_FAILED);
}

/* Copy n frames from frame i. */
static void frames_sync(size_t i, size_t n)
{
	FZ_CHECK(i + n <= ARENA_FRAMES);
	memcpy(F.copy + i * 4096, A.mem + i * 4096, n * 4096);
}

static void frames_sync_all(void)
{
	for (size_t k = 0; k < F.nblk; k++)
		frames_sync(F.blk[k].i, F.blk[k].n);
}

/* The block holding pa, copied whole. */
static void frames_sync_pa(uint64_t pa)
{
	const size_t i = (size_t)((pa - A.base) / 4096);
	for (size_t k = 0; k < F.nblk; k++)
		if (i >= F.blk[k].i && i < (size_t)F.blk[k].i + F.blk[k].n) {
			frames_sync(F.blk[k].i, F.blk[k].n);
			return;
		}
}

static void frames_same(void)
{
	for (size_t k = 0; k < F.nblk; k++) {
		const size_t at = (size_t)F.blk[k].i * 4096, n = (size_t)F.blk[k].n * 4096;
		if (memcmp(F.copy + at, A.mem + at, n) != 0)
			fprintf(stderr, "frame %#llx changed since the last check\n",
				(unsigned long long)(A.base + at));
		FZ_CHECK(memcmp(F.copy + at, A.mem + at, n) == 0);
	}
}

static struct tpa *tp;
static size_t tpcap;

/*
 * What a walk of part of a table must meet, in pre-order: the model's
 * leaves lv[li, lend) and its tables anc[ai, nanc) (the ones holding the
 * first VA from above, lowest level first) then tv[ti, tend); the table
 * PAs seen so far in tp[0, ntp).
 */
struct expect {
	const struct model *m;
	const struct tbl *anc[PT_MAX_LEVELS];
	unsigned nanc, ai;
	size_t ti, tend, li, lend, ntp;
};

static const struct tbl *ex_table(const struct expect *x)
{
	return x->ai < x->nanc ? x->anc[x->ai] : x->ti < x->tend ? &x->m->tv[x->ti] : NULL;
}

/* Is the next expected entry a leaf (by (va, entry level), the walk's
 * pre-order) rather than a table entry? */
static bool ex_take_leaf(const struct expect *x)
{
	const struct tbl *t = ex_table(x);
	const struct leaf *l = x->li < x->lend ? &x->m->lv[x->li] : NULL;
	FZ_CHECK(l || t);
	return l && (!t || tcmp(l->va, level_of(l->size), t->va, t->level - 1) < 0);
}

/*
 * One present entry e of c's table against the next expected one; d is e
 * decoded alone (pt_pte_decode). Every walk of the real table, whole or
 * part, goes through here: a per-entry check belongs in this function.
 */
static void check_entry(struct ctx *c, struct expect *x, const struct pt_entry *e,
			const struct pt_entry *d)
{
	const struct model *m = x->m;
	FZ_CHECK(e->level < S.levels);
	FZ_CHECK(e->size == span(e->level));
	FZ_CHECK(e->index == idx(e->level, e->va));
	FZ_CHECK(canon(e->va) == e->va && va_ok(e->va));
	/* A NAPOT member alone decodes as its 64 KiB run. */
	FZ_CHECK(d->leaf == e->leaf &&
		 d->pa == (S.napot && (e->pte & S.run_bit) ? e->pa & ~UINT64_C(0xffff) : e->pa));
	bool take_leaf = ex_take_leaf(x);
	FZ_CHECK(e->leaf == take_leaf);
	FZ_CHECK(!take_leaf || !m->lv[x->li].corrupt); /* reported past a corrupt entry */
	if (e->leaf) {
		const struct leaf *l = &m->lv[x->li++];
		FZ_CHECK(l->va == e->va && l->size == e->size && l->pa == e->pa &&
			 l->flags == e->flags && l->state == e->state);
		FZ_CHECK(d->flags == e->flags && d->state == e->state &&
			 pt_flags_normalize(S.arch, S.feat, e->flags) == e->flags);
		/* The library writes canonical entries: a leaf in the state
		 * of a new one re-encodes (decoded mapping, pt_pte_page)
		 * to the very same bits. Any other state (cleared, set,
		 * or dirty kept through a loss of WRITE) has no encoder
		 * to compare with: decode (above) must give it back. */
		/* A member of a contiguous group has its mark besides. */
		if (!(e->pte & S.run_bit) != !l->run)
			fprintf(stderr, "leaf %#llx pte %#llx model run %d\n", (unsigned long long)e->va,
				(unsigned long long)e->pte, l->run);
		FZ_CHECK(!(e->pte & S.run_bit) == !l->run);
		if (e->state == fresh(e->flags) && S.napot && l->run)
			FZ_CHECK((pt_pte_page(S.arch, S.feat, S.plev + e->level,
					      e->pa & ~UINT64_C(0xffff), e->flags) |
				  S.run_bit | UINT64_C(8) << 10) == e->pte);
		else if (e->state == fresh(e->flags))
			FZ_CHECK((pt_pte_page(S.arch, S.feat, S.plev + e->level, e->pa, e->flags) |
				  (l->run ? S.run_bit : 0)) == e->pte);
		else
			FZ_CHECK(!S.armv7 && pt_pte_page(S.arch, S.feat, S.plev + e->level, e->pa,
							 e->flags) != e->pte);
	} else {
		const struct tbl *t = ex_table(x);
		if (x->ai < x->nanc)
			x->ai++;
		else
			x->ti++;
		FZ_CHECK(e->level + 1 < S.levels && e->flags == 0);
		FZ_CHECK(t->va == e->va && t->level == e->level + 1);
		FZ_CHECK(pt_pte_table(S.arch, S.plev + e->level, e->pa) == e->pte);
		FZ_CHECK(arena_allocated(&A, e->pa));
		/* ARMv7 L2 tables sit at their slot in the group frame. */
		FZ_CHECK((e->pa & 0xfff) == (S.armv7 ? (e->index & 3) * 1024 : 0));
		FZ_CHECK(e->pa >> 14 != pt_root(&c->t) >> 14 || !S.armv7);
		FZ_CHECK(e->pa != pt_root(&c->t));
		tp = grow(tp, &tpcap, x->ntp + 1, sizeof(*tp));
		tp[x->ntp++] = (struct tpa){ e->pa, e->va };
	}
	/* And the reference MMU's reading of the same entry. */
	ref_check_entry(c, e, e->leaf ? &m->lv[x->li - 1] : NULL);
}

/* Every table frame referenced once: table PAs distinct, and (ARMv7) one
 * frame serves only the four L1 entries of one group. Frames waiting for
 * a flush: only with a flush hook, at most PT_FREE_MAX, one table's frames
 * (a granule) each, still allocated, each once, and out of the tree (of
 * the part of it walked). */
static void check_frames_of(struct ctx *c, size_t ntp)
{
	if (ntp > 1)
		qsort(tp, ntp, sizeof(*tp), tpa_cmp);
	for (size_t k = 1; k < ntp; k++) {
		FZ_CHECK(tp[k].pa != tp[k - 1].pa);
		if (tp[k].pa >> 12 == tp[k - 1].pa >> 12)
			FZ_CHECK(S.armv7 && tp[k].va >> 22 == tp[k - 1].va >> 22);
	}
	FZ_CHECK(c->t.nfree <= PT_FREE_MAX && (c->t.mm.flush_tlb || c->t.nfree == 0));
	for (unsigned i = 0; i < c->t.nfree; i++) {
		const uint64_t v = c->t.free_pending[i], pa = v & ~UINT64_C(0xfff);
		FZ_CHECK((v & 0xfff) == UINT64_C(1) << (S.pg - 12) && arena_allocated(&A, pa));
		FZ_CHECK(pa >> 14 != pt_root(&c->t) >> 14 || !S.armv7);
		FZ_CHECK(pa != pt_root(&c->t));
		for (unsigned j = 0; j < i; j++)
			FZ_CHECK(c->t.free_pending[j] != v);
		for (size_t k = 0; k < ntp; k++)
			FZ_CHECK(tp[k].pa >> 12 != pa >> 12);
	}
}

/* The whole table through pt_walk against the whole model. */
static void full_check(struct ctx *c)
{
	struct model *m = &c->m;
	struct expect x = { .m = m, .tend = m->nt, .lend = m->n };
	int r;
	if (!c->alive)
		return;
	bool hascor = m_ncorrupt(m) > 0;
	r = walk_all(c, 0, 0);
	/* A corrupt entry stops the walk there, with PT_ERR_CORRUPT. */
	FZ_CHECK(r == (hascor ? PT_ERR_CORRUPT : PT_OK));
	FZ_CHECK(hascor || W.depth == 0);
	for (size_t k = 0; k < W.n; k++) {
		const struct pt_entry *e = &W.v[k].e;
		struct pt_entry d;
		FZ_CHECK(pt_pte_decode(S.arch, S.feat, S.plev + e->level, e->pte, &d) == PT_OK);
		check_entry(c, &x, e, &d);
	}
	if (hascor)
		FZ_CHECK(x.li < m->n && m->lv[x.li].corrupt && ex_take_leaf(&x));
	else
		FZ_CHECK(x.li == m->n && x.ti == m->nt);
	{
		/* satp: MODE | ASID | root PPN on RISC-V, 0 elsewhere. */
		uint64_t mode = S.arch == PT_RISCV_SV39 ? 8 : S.arch == PT_RISCV_SV48 ? 9
			      : S.arch == PT_RISCV_SV57 ? 10 : 0;
		uint64_t satp = pt_satp(&c->t, 0x1234);
		FZ_CHECK(satp == (mode ? mode << 60 | UINT64_C(0x1234) << 44 | pt_root(&c->t) >> 12 : 0));
		/* hgatp: MODE | VMID (14 bits) | root PPN on G-stage; EPTP:
		 * root | walk length - 1 << 3 | WB | A/D enable << 6 on EPT. */
		mode = S.arch == PT_RISCV_SV39X4 ? 8 : S.arch == PT_RISCV_SV48X4 ? 9
		     : S.arch == PT_RISCV_SV57X4 ? 10 : 0;
		FZ_CHECK(pt_hgatp(&c->t, 0x1234) ==
			 (mode ? mode << 60 | UINT64_C(0x1234) << 44 | pt_root(&c->t) >> 12 : 0));
		FZ_CHECK(pt_hgatp(&c->t, 0x4000) == 0);
		FZ_CHECK(pt_eptp(&c->t) ==
			 (S.ept ? pt_root(&c->t) | (uint64_t)(S.levels - 1) << 3 | 6 |
					  (S.feat & PT_FEAT_EPT_AD ? 0x40u : 0)
				: 0));
	}
	check_frames_of(c, x.ntp);
}

/* ---- Scoped check: the part of the table a call could change ----------- */

/* The entries of the level-l table at tpa (its span from base) that meet
 * [lo, hi], read and decoded here rather than through pt_walk, against
 * the model; the walk goes on past a corrupt entry. */
static void scope_walk(struct ctx *c, struct expect *x, uint64_t tpa, unsigned l, uint64_t base,
		       uint64_t lo, uint64_t hi)
{
	const unsigned char *tbl = arena_ptr(&A, tpa);
	const unsigned esz = S.armv7 ? 4 : 8;
	uint64_t a = lo, b = hi;
	if (l) {
		const uint64_t end = base + (span(l - 1) - 1);
		a = lo > base ? lo : base;
		b = hi < end ? hi : end;
	}
	FZ_CHECK(tbl != NULL);
	for (size_t i = idx(l, a), j = idx(l, b); i <= j; i++) {
		uint64_t raw = 0;
		struct pt_entry e, d;
		int rc;
		memcpy(&raw, tbl + i * esz, esz);
		if (raw == 0)
			continue; /* empty in every format */
		e.level = l;
		e.index = i;
		e.va = l ? base + i * span(l)
			 : (lo & ~((UINT64_C(1) << S.va_bits) - 1)) | (uint64_t)i << S.shift[0];
		e.pte = raw;
		e.size = span(l);
		rc = pt_pte_decode(S.arch, S.feat, S.plev + l, raw, &d);
		if (rc == PT_ERR_CORRUPT) {
			const struct leaf *y = x->li < x->lend ? &x->m->lv[x->li] : NULL;
			FZ_CHECK(y && ex_take_leaf(x) && y->corrupt && y->va == e.va && y->size == e.size);
			x->li++;
			continue;
		}
		FZ_CHECK(rc == PT_OK);
		e.leaf = d.leaf;
		e.pa = S.napot && (raw & S.run_bit) && d.leaf ? d.pa | (e.va & UINT64_C(0xf000)) : d.pa;
		e.flags = d.leaf ? d.flags : 0;
		e.state = d.leaf ? d.state : 0;
		check_entry(c, x, &e, &d);
		if (!e.leaf)
			scope_walk(c, x, e.pa, l + 1, e.va, lo, hi);
	}
}

/* First table (by (va, level)) whose base is above va. */
static size_t t_upper(const struct model *m, uint64_t va)
{
	size_t lo = 0, hi = m->nt;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (m->tv[mid].va <= va)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* c's entries meeting [lo, hi] (every entry a call on that range could
 * write, add or free) against the model's leaves and tables there. */
static void scope_check(struct ctx *c, uint64_t lo, uint64_t hi)
{
	struct model *m = &c->m;
	struct expect x = { .m = m };
	size_t k;
	if (!c->alive)
		return;
	for (unsigned l = 1; l < S.levels; l++) {
		const struct tbl *t = t_find(m, tbase(l, lo), l);
		if (tbase(l, lo) < lo && t)
			x.anc[x.nanc++] = t;
	}
	x.ti = t_lower(m, lo, 0);
	x.tend = t_upper(m, hi);
	x.li = m_first_ge(m, lo);
	for (k = x.li; k < m->n && m->lv[k].va <= hi; k++)
		;
	x.lend = k;
	scope_walk(c, &x, pt_root(&c->t), 0, 0, lo, hi);
	FZ_CHECK(x.li == x.lend && x.ai == x.nanc && x.ti == x.tend);
	check_frames_of(c, x.ntp);
	/* The frames the call could have written: the blocks holding the
	 * tables walked, the root, and those it took out of the tree; on
	 * ARMv7 every frame, as a group frame's other slots (tables out of
	 * the range, or ones no entry points to any more) may change too. */
	if (S.armv7) {
		frames_sync_all();
		return;
	}
	for (k = 0; k < x.ntp; k++)
		frames_sync_pa(tp[k].pa);
	frames_sync_pa(pt_root(&c->t));
	for (unsigned i = 0; i < c->t.nfree; i++)
		frames_sync_pa(c->t.free_pending[i] & ~UINT64_C(0xfff));
}

static void check_frames(void)
{
	size_t want = 0;
	for (int k = 0; k < 2; k++)
		if (C[k].alive)
			want += m_frames(&C[k].m) + pending_frames(&C[k]);
	FZ_CHECK(A.in_use == want);
	FZ_CHECK(A.errors == 0);
}

static void check_all(void)
{
	full_check(&C[0]);
	full_check(&C[1]);
	check_frames();
	frames_sync_all();
}

#endif
