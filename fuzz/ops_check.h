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

static struct tpa *tp;
static size_t tpcap;

static void full_check(struct ctx *c)
{
	struct model *m = &c->m;
	size_t li = 0, ti = 0, ntp = 0;
	uint64_t h = 1469598103934665603ull;
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
		h = (h ^ e->level) * 1099511628211ull;
		h = (h ^ e->index) * 1099511628211ull;
		h = (h ^ e->pte) * 1099511628211ull;
		FZ_CHECK(e->level < S.levels);
		FZ_CHECK(e->size == span(e->level));
		FZ_CHECK(e->index == idx(e->level, e->va));
		FZ_CHECK(canon(e->va) == e->va && va_ok(e->va));
		FZ_CHECK(pt_pte_decode(S.arch, S.feat, S.plev + e->level, e->pte, &d) == PT_OK);
		/* A NAPOT member alone decodes as its 64 KiB run. */
		FZ_CHECK(d.leaf == e->leaf &&
			 d.pa == (S.napot && (e->pte & S.run_bit) ? e->pa & ~UINT64_C(0xffff) : e->pa));
		/* Next expected entry: the smaller of the next leaf and the next
		 * table entry by (va, entry level), which is the walk's pre-order. */
		bool take_leaf = li < m->n &&
				 (ti >= m->nt || tcmp(m->lv[li].va, level_of(m->lv[li].size),
						      m->tv[ti].va, m->tv[ti].level - 1) < 0);
		FZ_CHECK(li < m->n || ti < m->nt);
		FZ_CHECK(e->leaf == take_leaf);
		FZ_CHECK(!take_leaf || !m->lv[li].corrupt); /* reported past a corrupt entry */
		if (e->leaf) {
			const struct leaf *x = &m->lv[li++];
			FZ_CHECK(x->va == e->va && x->size == e->size && x->pa == e->pa &&
				 x->flags == e->flags && x->state == e->state);
			FZ_CHECK(d.flags == e->flags && d.state == e->state &&
				 pt_flags_normalize(S.arch, S.feat, e->flags) == e->flags);
			/* The library writes canonical entries: a leaf in the state
			 * of a new one re-encodes (decoded mapping, pt_pte_page)
			 * to the very same bits. Any other state (cleared, set,
			 * or dirty kept through a loss of WRITE) has no encoder
			 * to compare with: decode (above) must give it back. */
			/* A member of a contiguous group has its mark besides. */
			if (!(e->pte & S.run_bit) != !x->run)
				fprintf(stderr, "leaf %#llx pte %#llx model run %d\n", (unsigned long long)e->va,
					(unsigned long long)e->pte, x->run);
			FZ_CHECK(!(e->pte & S.run_bit) == !x->run);
			if (e->state == fresh(e->flags) && S.napot && x->run)
				FZ_CHECK((pt_pte_page(S.arch, S.feat, S.plev + e->level,
						      e->pa & ~UINT64_C(0xffff), e->flags) |
					  S.run_bit | UINT64_C(8) << 10) == e->pte);
			else if (e->state == fresh(e->flags))
				FZ_CHECK((pt_pte_page(S.arch, S.feat, S.plev + e->level, e->pa, e->flags) |
					  (x->run ? S.run_bit : 0)) == e->pte);
			else
				FZ_CHECK(!S.armv7 && pt_pte_page(S.arch, S.feat, S.plev + e->level, e->pa,
								 e->flags) != e->pte);
		} else {
			const struct tbl *t = &m->tv[ti++];
			FZ_CHECK(e->level + 1 < S.levels && e->flags == 0);
			FZ_CHECK(t->va == e->va && t->level == e->level + 1);
			FZ_CHECK(pt_pte_table(S.arch, S.plev + e->level, e->pa) == e->pte);
			FZ_CHECK(arena_allocated(&A, e->pa));
			/* ARMv7 L2 tables sit at their slot in the group frame. */
			FZ_CHECK((e->pa & 0xfff) == (S.armv7 ? (e->index & 3) * 1024 : 0));
			FZ_CHECK(e->pa >> 14 != pt_root(&c->t) >> 14 || !S.armv7);
			FZ_CHECK(e->pa != pt_root(&c->t));
			tp = grow(tp, &tpcap, ntp + 1, sizeof(*tp));
			tp[ntp++] = (struct tpa){ e->pa, e->va };
		}
		ref_check_entry(c, e, e->leaf ? &m->lv[li - 1] : NULL);
	}
	if (hascor)
		FZ_CHECK(li < m->n && m->lv[li].corrupt &&
			 (ti >= m->nt || tcmp(m->lv[li].va, level_of(m->lv[li].size), m->tv[ti].va,
					      m->tv[ti].level - 1) < 0));
	else
		FZ_CHECK(li == m->n && ti == m->nt);
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
	/* Every frame referenced once: table PAs distinct, and (ARMv7) one
	 * frame serves only the four L1 entries of one group. */
	if (ntp > 1)
		qsort(tp, ntp, sizeof(*tp), tpa_cmp);
	for (size_t k = 1; k < ntp; k++) {
		FZ_CHECK(tp[k].pa != tp[k - 1].pa);
		if (tp[k].pa >> 12 == tp[k - 1].pa >> 12)
			FZ_CHECK(S.armv7 && tp[k].va >> 22 == tp[k - 1].va >> 22);
	}
	/* Frames waiting for a flush: only with a flush hook, at most
	 * PT_FREE_MAX, one table's frames (a granule) each, still allocated, each once,
	 * and out of the tree. */
	FZ_CHECK(c->t.nfree <= PT_FREE_MAX && (MM.flush_tlb || c->t.nfree == 0));
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
	c->digest = h;
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
}

#endif
