/* SPDX-License-Identifier: MIT */
/*
 * fuzz_ops: the walks: pt_walk with limits and stops, pt_walk_ranges and
 * pt_walk_batches and the cursor.
 * Included once, by fuzz/fuzz_ops.c, which defines the bounds and globals
 * these sections share; split out only to keep each file to one job.
 */
#ifndef PT_FUZZ_OPS_WALK_H
#define PT_FUZZ_OPS_WALK_H

/* ---- Walks ------------------------------------------------------------ */

/*
 * pt_walk with a per-table limit, or stopped by its callback after `stop`
 * entries: the model's pre-order (every leaf and table, as full_check
 * meets them) filtered as the limit says, each entry shown checked as
 * full_check checks it. With a corrupt entry in the table the full walk
 * stops there and a limited one may not get there: only the result is
 * checked.
 */
static void do_walk(struct ctx *c, struct rd *r)
{
	uint8_t b = rd_u8(r);
	size_t limit = b & 3;
	unsigned long stop = (b >> 2) & 1 ? rd_u8(r) + 1u : 0;
	struct model *m = &c->m;
	struct expect x = { .m = m, .tend = m->nt, .lend = m->n };
	size_t nfull = m->n + m->nt, k = 0;
	int got;
	cur_op = "walk";
	if (!c->alive) {
		struct pt_walk_ops ops = { 0, NULL, NULL };
		FZ_CHECK(pt_walk(NULL, &ops, NULL) == PT_ERR_INVALID);
		return;
	}
	FZ_CHECK(pt_walk(&c->t, NULL, NULL) == PT_ERR_INVALID);
	got = walk_all(c, limit, stop);
	if (m_ncorrupt(m)) {
		FZ_CHECK(got == PT_ERR_CORRUPT || got == PT_OK || got == 77);
		return;
	}
	if (stop && stop <= nfull && limit == 0) {
		FZ_CHECK(got == 77 && W.pre_calls == stop);
		nfull = stop; /* the entries shown: the first `stop` */
	} else if (stop) {
		return;
	} else {
		FZ_CHECK(got == PT_OK);
	}
	{
		size_t cnt[PT_MAX_LEVELS + 1] = { 0 };
		bool emit[PT_MAX_LEVELS + 1] = { 0 };
		for (size_t f = 0; f < nfull; f++) {
			const bool leaf = ex_take_leaf(&x);
			const unsigned l = leaf ? level_of(m->lv[x.li].size) : ex_table(&x)->level - 1;
			/* cnt[l]: entries shown so far in the current level-l table. */
			bool ok = (l == 0 || emit[l - 1]) && (!limit || cnt[l] < limit);
			if (ok)
				cnt[l]++;
			if (!leaf) {
				emit[l] = ok;
				cnt[l + 1] = 0;
			}
			if (ok) {
				struct pt_entry d;
				const struct pt_entry *e = &W.v[k].e;
				FZ_CHECK(k < W.n);
				FZ_CHECK(pt_pte_decode(S.arch, S.feat, S.plev + e->level, e->pte, &d) == PT_OK);
				check_entry(c, &x, e, &d);
				k++;
			} else if (leaf) {
				x.li++;
			} else if (x.ai < x.nanc) {
				x.ai++;
			} else {
				x.ti++;
			}
		}
	}
	FZ_CHECK(k == W.n);
}

static struct pt_range *rg;
static size_t nrg, rgcap;
static unsigned long rg_stop;

static int ranges_cb(void *arg, const struct pt_range *x)
{
	(void)arg;
	rg = grow(rg, &rgcap, nrg + 1, sizeof(*rg));
	rg[nrg++] = *x;
	return nrg == rg_stop ? 55 : 0;
}

/* pt_walk_batches' leaves, flattened; bad: a batch broke the header's
 * promise (no leaves, too many, no PAs). */
static struct leaf *bl;
static size_t nbl, blcap;
static bool bl_bad;

static int batches_cb(void *arg, const struct pt_batch *b)
{
	(void)arg;
	if (b->n < 1 || !b->entry ||
	    b->n > (b->shift == 0 && b->mask == ~UINT64_C(0) ? PT_BATCH_MAX : 8192u)) {
		bl_bad = true;
		return 0;
	}
	for (size_t i = 0; i < b->n; i++) {
		bl = grow(bl, &blcap, nbl + 1, sizeof(*bl));
		bl[nbl++] = (struct leaf){ b->va + i * b->size, PT_BATCH_PA(b, i), b->size, b->flags, 0,
					   false, false, false };
	}
	return 0;
}

/* pt_walk_batches: every leaf overlapping the window, whole, in VA order;
 * at a corrupt entry, every leaf before it and PT_ERR_CORRUPT. */
static void check_batches(struct model *m, int gotb, uint64_t va, uint64_t last)
{
	size_t k = 0;
	int want = PT_OK;
	FZ_CHECK(!bl_bad);
	for (size_t i = m_first_ge(m, va); i < m->n && m->lv[i].va <= last; i++, k++) {
		const struct leaf *x = &m->lv[i];
		if (x->corrupt) {
			want = PT_ERR_CORRUPT;
			break;
		}
		FZ_CHECK(k < nbl);
		if (k >= nbl)
			return;
		FZ_CHECK(bl[k].va == x->va && bl[k].pa == x->pa && bl[k].size == x->size &&
			 bl[k].flags == x->flags);
	}
	FZ_CHECK(gotb == want && nbl == k);
}

/* pt_walk_ranges: coalesced runs of uniform leaves, clipped to the window;
 * pt_walk_batches and the cursor over the same window. */
static void do_ranges(struct ctx *c, struct rd *r)
{
	struct model *m = &c->m;
	uint64_t va = gen_va(r, m), size = gen_region_size(r), last = 0;
	struct pt_range *want_v = NULL;
	size_t nw = 0, wcap = 0;
	int want = PT_OK, got, gotb;
	bool cor = false;
	cur_op = "walk_ranges";
	rg_stop = rd_u8(r);
	nrg = 0;
	if (!c->alive)
		want = PT_ERR_INVALID;
	else if ((want = model_range(va, size, &last)) == PT_ERR_NOT_ALIGNED)
		want = PT_ERR_INVALID;
	got = pt_walk_ranges(&c->t, va, size, ranges_cb, NULL);
	nbl = 0;
	bl_bad = false;
	gotb = pt_walk_batches(&c->t, va, size, batches_cb, NULL);
	if (want != PT_OK) {
		FZ_CHECK(got == want && gotb == want);
		return;
	}
	check_batches(m, gotb, va, last);
	{
		/* The cursor: the same leaves, the same end. */
		struct pt_cursor cur;
		struct pt_batch b;
		int rc;
		nbl = 0;
		PT_FOR_EACH_BATCH(&cur, &c->t, va, size, &b, rc)
			batches_cb(NULL, &b);
		check_batches(m, rc, va, last);
	}
	FZ_CHECK(pt_walk_ranges(&c->t, va, size, NULL, NULL) == PT_ERR_INVALID);
	for (size_t i = m_first_ge(m, va); i < m->n && m->lv[i].va <= last; i++) {
		const struct leaf *x = &m->lv[i];
		uint64_t cva = x->va > va ? x->va : va, cl = llast(x) < last ? llast(x) : last;
		uint64_t pa = x->pa + (cva - x->va);
		struct pt_range *p = nw ? &want_v[nw - 1] : NULL;
		if (x->corrupt) {
			cor = true;
			break;
		}
		if (p && p->va + p->size == cva && p->pa + p->size == pa && p->flags == x->flags &&
		    p->leaf_size == x->size) {
			p->size += cl - cva + 1;
		} else {
			want_v = grow(want_v, &wcap, nw + 1, sizeof(*want_v));
			want_v[nw++] = (struct pt_range){ cva, pa, cl - cva + 1, x->size, x->flags };
		}
	}
	if (cor) {
		FZ_CHECK(got == PT_ERR_CORRUPT || (got == 55 && rg_stop && nrg == rg_stop));
	} else if (rg_stop && rg_stop <= nw) {
		FZ_CHECK(got == 55 && nrg == rg_stop);
	} else {
		FZ_CHECK(got == PT_OK && nrg == nw);
	}
	for (size_t i = 0; !cor && i < nrg; i++)
		FZ_CHECK(rg[i].va == want_v[i].va && rg[i].pa == want_v[i].pa &&
			 rg[i].size == want_v[i].size && rg[i].leaf_size == want_v[i].leaf_size &&
			 rg[i].flags == want_v[i].flags);
	free(want_v);
}

#endif
