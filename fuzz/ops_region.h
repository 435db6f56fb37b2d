/* SPDX-License-Identifier: MIT */
/*
 * fuzz_ops: the region calls: unmap_region and protect_region (with the
 * model of the leaf splits they make), and copy_from.
 * Included once, by fuzz/fuzz_ops.c, which defines the bounds and globals
 * these sections share; split out only to keep each file to one job.
 */
#ifndef PT_FUZZ_OPS_REGION_H
#define PT_FUZZ_OPS_REGION_H

/* ---- Region calls ----------------------------------------------------- */

static struct leaf *piece_buf;
static size_t piece_n, piece_cap;

/* Leaf x as the result of the call: as it is, or (protect) with flags
 * passed to pt_protect_region, its state and SW bits kept. */
static void piece(const struct leaf *x, bool protect, uint32_t flags)
{
	struct leaf y = *x;
	if (protect) {
		y.flags = protect_flags(x, flags);
		y.state = protect_state(x, y.flags);
	}
	piece_buf = grow(piece_buf, &piece_cap, piece_n + 1, sizeof(*piece_buf));
	piece_buf[piece_n++] = y;
}

/* Split leaf x (level L) so that only [a, b] goes (unmap) or gets flags;
 * every piece keeps x's state and SW bits. */
static void model_split(struct model *m, struct need *nd, const struct leaf *x, unsigned L,
			uint64_t a, uint64_t b, bool protect, uint32_t flags)
{
	uint64_t cs = span(L + 1);
	need_table(nd, L + 1, x->va);
	t_add(m, x->va, L + 1, false);
	for (uint64_t j = 0; j < x->size / cs; j++) {
		struct leaf ch = *x;
		uint64_t cl;
		ch.run = false;
		ch.va = x->va + j * cs;
		ch.pa = x->pa + j * cs;
		ch.size = cs;
		cl = llast(&ch);
		if (cl < a || ch.va > b)
			piece(&ch, false, 0);
		else if (a <= ch.va && cl <= b) {
			if (protect)
				piece(&ch, true, flags);
		} else
			model_split(m, nd, &ch, L + 1, a, b, protect, flags);
	}
}

/* unmap_region or pt_protect_region (protect); shaped: over the range
 * gen_shaped_range makes, with an allocation failure always injected. */
static void do_clear(struct ctx *c, struct rd *r, bool protect, bool shaped)
{
	struct model *m = &c->m;
	uint64_t va = 0, size = 0, last = 0;
	uint32_t flags;
	if (shaped) {
		gen_shaped_range(r, m, &va, &size);
	} else {
		va = gen_va(r, m);
		size = gen_region_size(r);
	}
	flags = protect ? gen_flags(r) : PT_READ;
	struct need nd = { 0, UINT64_MAX };
	struct effect ef = { 0 };
	struct snap sn;
	struct model save = { 0 };
	struct broken brk = { { 0 }, { 0 }, 0 };
	size_t i = 0, j = 0;
	unsigned fail_n;
	int want = PT_OK, got;
	cur_op = protect ? "protect_region" : "unmap_region";
	if (!c->alive || !flags_ok(flags))
		want = PT_ERR_INVALID;
	else if ((want = model_range(va, size, &last)) != PT_OK)
		;
	else if (touches_shared(m, va, last))
		want = PT_ERR_INVALID;
	if (want == PT_OK && c->frozen)
		return;
	piece_n = 0;
	if (want == PT_OK) {
		if (A.in_use + 64 > ARENA_FRAMES)
			return;
		/* Keep the table list to restore if the call fails. */
		save.tv = malloc((m->nt + 1) * sizeof(*m->tv));
		FZ_CHECK(save.tv != NULL);
		mv(save.tv, m->tv, m->nt * sizeof(*m->tv));
		save.nt = m->nt;
		scope_set(c, va, last);
		want = m_break_ends(m, va, last, &brk, &ef.bbm);
		i = m_first_ge(m, va);
		for (j = i; want == PT_OK && j < m->n && m->lv[j].va <= last; j++) {
			const struct leaf *x = &m->lv[j];
			bool inside = x->va >= va && llast(x) <= last;
			if (x->corrupt) {
				/* Cleared when wholly inside an unmap; otherwise
				 * nothing can be done with it. */
				if (protect || !inside) {
					want = PT_ERR_CORRUPT;
					break;
				}
				/* Its VA, or flush-all: BRIEF leaves it open. */
				ef.changed = true;
				ef.loose = true;
				continue;
			}
			/* A leaf the protect would not change: not rewritten, not
			 * split, not recorded. */
			if (protect && protect_flags(x, flags) == x->flags) {
				piece(x, false, 0);
				continue;
			}
			ef.changed = true;
			eff_rec(&ef, x->va);
			if (inside) {
				if (protect)
					piece(x, true, flags);
			} else {
				ef.bbm = true;
				model_split(m, &nd, x, level_of(x->size), va, last, protect, flags);
			}
		}
		if (m->n - (j - i) + piece_n > MAX_LEAVES) {
			m_unbreak(m, &brk);
			mv(m->tv, save.tv, save.nt * sizeof(*m->tv));
			m->nt = save.nt;
			free(save.tv);
			return;
		}
	}
	/* A shaped call always fails its nth allocation. */
	if (shaped)
		fail_n = rd_u8(r) % 8 + 1u;
	else
		fail_n = rd_u8(r) >= 0xe0 ? (rd_u8(r) & 7) + 1u : 0;
	snap_take(c, &sn);
	if (trace > 0)
		fprintf(stderr, "   %s va %#llx size %#llx flags %#x (tables %zu leaves %zu)\n", cur_op,
			(unsigned long long)va, (unsigned long long)size, flags, m->nt, m->n);
	if (trace > 1) {
		for (size_t k = 0; k < m->n; k++)
			fprintf(stderr, "     leaf %#llx size %#llx pa %#llx flags %#x state %#x%s%s\n",
				(unsigned long long)m->lv[k].va, (unsigned long long)m->lv[k].size,
				(unsigned long long)m->lv[k].pa, m->lv[k].flags, m->lv[k].state,
				m->lv[k].corrupt ? " corrupt" : "", m->lv[k].shared ? " shared" : "");
		for (size_t k = 0; k < m->nt; k++)
			fprintf(stderr, "     table L%u %#llx%s\n", m->tv[k].level,
				(unsigned long long)m->tv[k].va, m->tv[k].shared ? " shared" : "");
	}
	if (fail_n)
		arena_fail_nth(&A, fail_n);
	if (protect)
		got = pt_protect_region(&c->t, va, size, flags);
	else
		got = pt_unmap_region(&c->t, va, size);
	arena_fail_nth(&A, 0);
	if (want == PT_OK && got == PT_OK) {
		m_splice(m, i, j, piece_buf, piece_n);
		if (!protect) {
			/* Reclaim, bottom-up: every table whose span meets the range
			 * and holds nothing now. */
			for (unsigned l = S.levels - 1; l >= 1; l--) {
				for (size_t k = 0; k < m->nt;) {
					struct tbl *t = &m->tv[k];
					uint64_t tl = t->va + (span(l - 1) - 1);
					if (t->level == l && !t->shared && t->va <= last && tl >= va &&
					    !m_any_leaf(m, t->va, tl) && !m_any_table(m, t->va, tl, l + 1)) {
						if (trace > 0)
							fprintf(stderr, "   reclaim level %u table at %#llx\n", l,
								(unsigned long long)t->va);
						t_del(m, k);
						ef.changed = true;
						ef.record_all = true;
					} else {
						k++;
					}
				}
			}
		}
	} else if (save.tv) {
		m_unbreak(m, &brk);
		m->tv = grow(m->tv, &m->capt, save.nt, sizeof(*m->tv));
		mv(m->tv, save.tv, save.nt * sizeof(*m->tv));
		m->nt = save.nt;
	}
	free(save.tv);
	verify_call(c, got, want, nd.n, &sn, &ef);
}

static void do_copy(struct rd *r)
{
	struct ctx *d = &C[0], *s = &C[1];
	uint64_t va = gen_va(r, &s->m), size = gen_region_size(r), last = 0, first, end;
	struct effect ef = { 0 };
	struct snap sn;
	int want = PT_OK, got;
	cur_op = "copy_from";
	uint8_t how = rd_u8(r);
	if (how & 1) { /* root-entry aligned */
		va &= ~(span(0) - 1);
		size = (size + span(0) - 1) & ~(span(0) - 1);
	}
	if (how & 2) /* a table cannot share with itself */
		s = d;
	if (!d->alive || !s->alive || s == d)
		want = PT_ERR_INVALID;
	else
		want = model_range(va, size, &last);
	/* Every root entry the range touches is shared whole: from the first
	 * one's base to the last one's end. */
	first = va & ~(span(0) - 1);
	end = last | (span(0) - 1);
	if (want == PT_OK)
		for (uint64_t b = first; want == PT_OK; b += span(0)) {
			if (root_present(&d->m, b))
				want = PT_ERR_ALREADY_MAPPED;
			if (b + (span(0) - 1) == end)
				break;
		}
	if (want == PT_OK)
		for (uint64_t b = first;; b += span(0)) {
			const struct leaf *x = m_find(&s->m, b);
			if (x && x->corrupt && x->size == span(0))
				want = PT_ERR_CORRUPT;
			if (b + (span(0) - 1) == end)
				break;
		}
	snap_take(d, &sn);
	got = pt_copy_from(&d->t, &s->t, va, size);
	if (want == PT_OK) {
		ef.changed = true;
		ef.record_all = true;
	}
	verify_call(d, got, want, 0, &sn, &ef);
	if (got != PT_OK)
		return;
	for (uint64_t b = first;; b += span(0)) {
		uint64_t bl = b + (span(0) - 1);
		bool table = m_any_table(&s->m, b, bl, 1);
		for (size_t k = m_first_ge(&s->m, b); k < s->m.n && s->m.lv[k].va <= bl; k++) {
			struct leaf x = s->m.lv[k];
			size_t at = m_first_ge(&d->m, x.va);
			x.shared = table;
			m_splice(&d->m, at, at, &x, 1);
		}
		if (table) {
			size_t ri = idx(0, b);
			d->m.shared[ri / 64] |= UINT64_C(1) << (ri % 64);
			for (size_t k = t_lower(&s->m, b, 0); k < s->m.nt && s->m.tv[k].va <= bl; k++)
				t_add(&d->m, s->m.tv[k].va, s->m.tv[k].level, true);
			s->frozen = true;
		}
		if (bl == end)
			break;
	}
}

#endif
