/* SPDX-License-Identifier: MIT */
/*
 * fuzz_ops_<format>: differential fuzzing of every editing call against a
 * flat reference model.
 *
 * Built once per format/feature set: -DFUZZ_ARCH=PT_... -DFUZZ_FEAT=...
 * (FUZZ_ARCH=-1: the first input byte picks the format and features).
 *
 * The input is a program: a sequence of operations on two tables (the main
 * table, and a second one that main can share root entries from through
 * pt_copy_from). The model knows, for each table, every leaf (VA, PA, size,
 * normalised flags) and every intermediate table (level, VA base). From
 * that it predicts each call's result, the exact frame count, which entries
 * a walk must report in which order, and which VAs the TLB records must
 * hold. After every call the real table is walked and compared whole.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "fuzz_common.h"
#include "pt.h"

#ifndef FUZZ_ARCH
#define FUZZ_ARCH PT_X86_64
#endif
#ifndef FUZZ_FEAT
#define FUZZ_FEAT 0
#endif

/* Bounds that keep one input fast; a call whose effect would pass them is
 * skipped (not executed), so the model never has to guess. */
#define MAX_LEAVES 16384u
#define MAX_PLAN 4096u
#define MAX_OPS 256u
#define ARENA_FRAMES 65536u
#define ARENA_BASE UINT64_C(0x10000000)

#include "ops_model.h"
#include "ops_gen.h"
#include "ops_check.h"

/* ---- The calls ------------------------------------------------------------ */

/* What one call did, for the TLB and failure checks. */
struct effect {
	bool changed;
	uint64_t rec[PT_FLUSH_MAX + 1]; /* VAs the call must record, in order */
	size_t nrec;                    /* > PT_FLUSH_MAX: unknown / too many */
	bool record_all;                /* a table entry went or was replaced */
	bool bbm;                       /* Arm break-before-make flush expected */
	bool loose;                     /* which VAs get recorded is open */
};

static void eff_rec(struct effect *ef, uint64_t va)
{
	if (ef->nrec < PT_FLUSH_MAX)
		ef->rec[ef->nrec] = va;
	if (ef->nrec <= PT_FLUSH_MAX)
		ef->nrec++;
}

static bool arm_family(void)
{
	return S.arch == PT_AARCH64 || S.arch == PT_ARMV7;
}

/*
 * Verify a mutating call: result, unchanged table on failure, TLB records.
 * n0/fl0: t->nflush and flush calls before; failed0: injected failures
 * before; want: model result; need: frames the model needed.
 */
static void verify_call(struct ctx *c, int got, int want, size_t need, unsigned n0,
			unsigned long failed0, unsigned long fl0, uint64_t digest0, size_t inuse0,
			const struct effect *ef)
{
	bool injected = A.failed != failed0;
	if (trace > 0)
		fprintf(stderr, "#%u %s%s: got %d model %d need %zu injected %d changed %d\n", cur_opno,
			cur_op, c == &C[1] ? " (second table)" : "", got, want, need, injected,
			ef->changed);
	if (injected && want == PT_OK && got == PT_ERR_NO_MEMORY) {
		/* Fine, if the table is as before. */
	} else {
		if (got != want)
			fprintf(stderr, "got %d (%s), model %d (%s), need %zu, injected %d\n", got,
				pt_strerror(got), want, pt_strerror(want), need, injected);
		FZ_CHECK(got == want);
		/* The plan allocates nothing before its checks pass. */
		FZ_CHECK(!(injected && want != PT_OK));
		/* A call that needed frames and was refused one must fail. */
		FZ_CHECK(!(injected && need > 0 && got == PT_OK));
	}
	need_check = got == PT_OK;
	if (got != PT_OK) {
		FZ_CHECK(c->t.nflush == n0);
		FZ_CHECK(A.in_use == inuse0);
		FZ_CHECK(A.flush_calls == fl0);
		/* Atomic: the walk sees exactly the entries it saw before. */
		if (c->alive) {
			full_check(c);
			FZ_CHECK(c->digest == digest0);
		}
		return;
	}
	if (!ef->changed) {
		FZ_CHECK(c->t.nflush == n0);
		return;
	}
	FZ_CHECK(c->t.nflush > n0 || c->t.nflush > PT_FLUSH_MAX);
	if (ef->record_all) {
		FZ_CHECK(c->t.nflush > PT_FLUSH_MAX);
	} else if (ef->loose) {
		/* At least recorded something (checked above). */
	} else if (c->t.nflush <= PT_FLUSH_MAX) {
		FZ_CHECK(ef->nrec <= PT_FLUSH_MAX);
		FZ_CHECK(c->t.nflush == n0 + ef->nrec);
		for (size_t i = 0; i < ef->nrec; i++)
			FZ_CHECK(c->t.flush_va[n0 + i] == ef->rec[i]);
	} else {
		FZ_CHECK(n0 + ef->nrec > PT_FLUSH_MAX);
	}
	if (ef->bbm && arm_family())
		FZ_CHECK(A.flush_calls > fl0);
}

/* Common pre-call bookkeeping. */
struct snap {
	unsigned n0;
	unsigned long failed0, fl0;
	uint64_t digest0;
	size_t inuse0;
};

static void snap_take(struct ctx *c, struct snap *s)
{
	s->n0 = c->t.nflush;
	s->failed0 = A.failed;
	s->fl0 = A.flush_calls;
	s->digest0 = c->digest;
	s->inuse0 = A.in_use;
}

/* Range checks of region calls (BRIEF order). 0 if fine. */
static int model_range(uint64_t va, uint64_t size, uint64_t *last)
{
	if ((va | size) & (PT_SIZE_4K - 1))
		return PT_ERR_NOT_ALIGNED;
	if (size == 0 || va + (size - 1) < va)
		return PT_ERR_INVALID;
	*last = va + (size - 1);
	if (!va_ok(va) || !va_ok(*last))
		return PT_ERR_INVALID;
	/* Halves exist only where VAs are sign-extended; an AArch64 or ARMv7
	 * table serves one contiguous range. */
	if (S.sext && (va >> 63) != (*last >> 63))
		return PT_ERR_INVALID;
	return PT_OK;
}

static struct leaf *plan_buf;
static size_t plan_cap;

/*
 * The leaves a map of [va, last] -> pa with leaves up to height max_h
 * writes, in VA order; false if more than MAX_PLAN.
 */
static bool plan_leaves(uint64_t va, uint64_t last, uint64_t pa, unsigned max_h, uint32_t flags,
			size_t *np)
{
	size_t n = 0;
	for (;;) {
		unsigned l;
		for (l = 0; l < S.levels; l++) {
			unsigned h = S.levels - 1 - l;
			uint64_t m = span(l) - 1;
			if (h == 0)
				break;
			if (h <= max_h && leaf_level(l) && !((va | pa) & m) && last - va >= m)
				break;
		}
		if (n >= MAX_PLAN)
			return false;
		plan_buf = grow(plan_buf, &plan_cap, n + 1, sizeof(*plan_buf));
		plan_buf[n++] = (struct leaf){ va, pa, span(l), flags, false, false };
		if (last - va < span(l))
			break;
		va += span(l);
		pa += span(l);
	}
	*np = n;
	return true;
}

static void do_map(struct ctx *c, struct rd *r, bool region)
{
	struct model *m = &c->m;
	uint64_t va = gen_va(r, m), pa = gen_pa(r, va), size, last = 0;
	uint32_t flags = gen_flags(r);
	unsigned opts = 0, max_h = 0;
	int want = PT_OK, got;
	size_t np = 0;
	struct need nd = { 0, UINT64_MAX };
	struct effect ef = { 0 };
	struct snap sn;

	if (region) {
		uint8_t o = rd_u8(r);
		size = gen_region_size(r);
		opts = o & 1;
		if (o == 0xff)
			opts = 2; /* unknown option bit */
		if (!c->alive || !flags_ok(flags) || (opts & ~PT_ALLOW_HUGE))
			want = PT_ERR_INVALID;
		else if ((want = model_range(va, size, &last)) != PT_OK)
			;
		else if (pa & (PT_SIZE_4K - 1))
			want = PT_ERR_NOT_ALIGNED;
		else if (pa + (size - 1) < pa || (pa + (size - 1)) >> S.pa_bits)
			want = PT_ERR_INVALID;
		else if (touches_shared(m, va, last))
			want = PT_ERR_INVALID;
		max_h = opts ? S.levels - 1 : 0;
	} else {
		unsigned l;
		size = gen_leaf_size(r);
		l = level_of(size);
		if (!c->alive || !flags_ok(flags) || l == ~0u || !leaf_level(l) || !va_ok(va) ||
		    pa >> S.pa_bits)
			want = PT_ERR_INVALID;
		else if ((va | pa) & (size - 1))
			want = PT_ERR_NOT_ALIGNED;
		else if (touches_shared(m, va, va))
			want = PT_ERR_INVALID;
		if (want == PT_OK) {
			last = va + (size - 1);
			max_h = S.levels - 1 - l;
		}
	}
	cur_op = region ? (opts ? "map_region huge" : "map_region") : "map";
	if (want == PT_OK && c->frozen)
		return; /* its tables are shared: editing them is the caller's bug */
	if (want == PT_OK) {
		if (!plan_leaves(va, last, pa, max_h, norm(flags), &np) || m->n + np > MAX_LEAVES ||
		    A.in_use + 64 > ARENA_FRAMES)
			return;
		/* First conflict in VA order. */
		for (size_t k = 0; k < np && want == PT_OK; k++) {
			const struct leaf *p = &plan_buf[k];
			size_t i = m_first_ge(m, p->va);
			const struct leaf *x = i < m->n ? &m->lv[i] : NULL;
			/* The first thing in the slot's way, in VA order, decides:
			 * a corrupt entry on the path or below, a bigger leaf on
			 * the path, or a leaf in the slot. */
			if (x && x->va <= llast(p))
				want = x->corrupt		 ? PT_ERR_CORRUPT
				       : x->size > p->size ? PT_ERR_MAPPED_TO_HUGE_PAGE
							   : PT_ERR_ALREADY_MAPPED;
		}
	}
	if (want == PT_OK) {
		/* Tables the planned leaves need that do not exist yet. */
		for (size_t k = 0; k < np; k++) {
			const struct leaf *p = &plan_buf[k];
			unsigned L = level_of(p->size);
			for (unsigned l = 1; l <= L; l++) {
				uint64_t b = tbase(l, p->va);
				if (!t_find(m, b, l)) {
					need_table(&nd, l, b);
					t_add(m, b, l, false); /* undone below on failure */
					t_find(m, b, l)->shared = true; /* marker: new */
				}
			}
		}
	}
	snap_take(c, &sn);
	if (trace > 0)
		fprintf(stderr, "   %s va %#llx pa %#llx size %#llx flags %#x\n", cur_op,
			(unsigned long long)va, (unsigned long long)pa, (unsigned long long)size, flags);
	if (rd_u8(r) >= 0xe0)
		arena_fail_nth(&A, (rd_u8(r) & 7) + 1u);
	if (region)
		got = pt_map_region(&c->t, va, pa, size, flags, opts);
	else
		got = pt_map(&c->t, va, pa, size, flags);
	arena_fail_nth(&A, 0);

	/* Resolve the tentative tables: keep (success) or drop (failure). */
	for (size_t i = 0; i < m->nt;) {
		if (m->tv[i].shared && !root_shared(m, idx(0, m->tv[i].va))) {
			if (got == PT_OK) {
				m->tv[i++].shared = false;
			} else {
				t_del(m, i);
			}
		} else {
			i++;
		}
	}
	if (want == PT_OK) {
		ef.changed = true;
		for (size_t k = 0; k < np; k++) {
			const struct leaf *p = &plan_buf[k];
			unsigned L = level_of(p->size);
			if (got == PT_OK && L + 1 < S.levels && t_find(m, p->va, L + 1)) {
				/* An empty subtree in the slot: replaced and freed. */
				for (size_t i = t_lower(m, p->va, 0); i < m->nt && m->tv[i].va <= llast(p);)
					if (m->tv[i].level > L)
						t_del(m, i);
					else
						i++;
				ef.record_all = true;
				ef.bbm = true;
			}
			eff_rec(&ef, p->va);
		}
	}
	verify_call(c, got, want, nd.n, sn.n0, sn.failed0, sn.fl0, sn.digest0, sn.inuse0, &ef);
	if (got == PT_OK) {
		size_t i = m_first_ge(m, va);
		m_splice(m, i, i, plan_buf, np);
	}
}

static void do_single(struct ctx *c, struct rd *r, int kind)
{
	static const char *names[] = { "unmap", "remap", "protect", "query" };
	struct model *m = &c->m;
	uint64_t va = gen_va(r, m), pa = 0, sz = 0;
	uint32_t flags = 0;
	struct leaf *x = NULL;
	struct pt_mapping out = { 0, 0, 0 };
	struct effect ef = { 0 };
	struct snap sn;
	int want = PT_OK, got;
	cur_op = names[kind];
	if (kind == 1)
		pa = gen_pa(r, va);
	if (kind == 1 || kind == 2)
		flags = gen_flags(r);
	if (!c->alive || ((kind == 1 || kind == 2) && !flags_ok(flags)) || !va_ok(va) ||
	    (kind == 1 && pa >> S.pa_bits) || (kind != 3 && touches_shared(m, va, va)))
		want = PT_ERR_INVALID;
	else if (kind == 1 && (pa & (PT_SIZE_4K - 1)))
		want = PT_ERR_NOT_ALIGNED;
	else if (!(x = m_find(m, va)))
		want = PT_ERR_NOT_MAPPED;
	else if (x->corrupt)
		want = PT_ERR_CORRUPT;
	else if (kind == 1 && (pa & (x->size - 1)))
		want = PT_ERR_NOT_ALIGNED;
	if (want == PT_OK && kind != 3 && c->frozen)
		return;
	snap_take(c, &sn);
	switch (kind) {
	case 0: got = pt_unmap(&c->t, va, (rd_u8(r) & 1) ? &out : NULL); break;
	case 1: got = pt_remap(&c->t, va, pa, flags, (rd_u8(r) & 1) ? &sz : NULL); break;
	case 2: got = pt_protect(&c->t, va, flags, (rd_u8(r) & 1) ? &sz : NULL); break;
	default: got = pt_query(&c->t, va, &out); break;
	}
	if (kind == 3) {
		if (trace > 0)
			fprintf(stderr, "#%u query %#llx: got %d model %d\n", cur_opno,
				(unsigned long long)va, got, want);
		if (got != want)
			fprintf(stderr, "query %#llx: got %d model %d\n", (unsigned long long)va, got, want);
		FZ_CHECK(got == want);
		FZ_CHECK(c->t.nflush == sn.n0);
		if (got == PT_OK)
			FZ_CHECK(out.pa == x->pa + (va - x->va) && out.flags == x->flags &&
				 out.size == x->size);
		/* The untrusted walker agrees with the trusted one. */
		if (c->alive && va_ok(va)) {
			struct pt_mapping tr;
			int rt = pt_translate(S.arch, S.feat, pt_root(&c->t), &MM, va, &tr);
			FZ_CHECK(rt == got);
			if (rt == PT_OK)
				FZ_CHECK(tr.pa == out.pa && tr.flags == out.flags && tr.size == out.size);
		}
		return;
	}
	if (want == PT_OK) {
		uint32_t nf = norm(flags);
		uint64_t npa = kind == 1 ? pa : x->pa;
		ef.changed = kind == 0 || nf != x->flags || npa != x->pa;
		eff_rec(&ef, x->va);
		/* A different output address on Arm: break-before-make. */
		ef.bbm = kind == 1 && npa != x->pa;
	}
	verify_call(c, got, want, 0, sn.n0, sn.failed0, sn.fl0, sn.digest0, sn.inuse0, &ef);
	if (got != PT_OK)
		return;
	if (kind == 0) {
		if (out.size)
			FZ_CHECK(out.pa == x->pa && out.size == x->size && out.flags == x->flags);
		m_splice(m, (size_t)(x - m->lv), (size_t)(x - m->lv) + 1, NULL, 0);
	} else {
		if (sz)
			FZ_CHECK(sz == x->size);
		x->flags = norm(flags);
		if (kind == 1)
			x->pa = pa;
	}
}

static struct leaf *piece_buf;
static size_t piece_n, piece_cap;

static void piece(uint64_t va, uint64_t pa, uint64_t size, uint32_t flags)
{
	piece_buf = grow(piece_buf, &piece_cap, piece_n + 1, sizeof(*piece_buf));
	piece_buf[piece_n++] = (struct leaf){ va, pa, size, flags, false, false };
}

/* Split leaf x (level L) so that only [a, b] goes (unmap) or gets nf. */
static void model_split(struct model *m, struct need *nd, const struct leaf *x, unsigned L,
			uint64_t a, uint64_t b, bool protect, uint32_t nf)
{
	uint64_t cs = span(L + 1);
	need_table(nd, L + 1, x->va);
	t_add(m, x->va, L + 1, false);
	for (uint64_t j = 0; j < x->size / cs; j++) {
		struct leaf ch = { x->va + j * cs, x->pa + j * cs, cs, x->flags, false, false };
		uint64_t cl = llast(&ch);
		if (cl < a || ch.va > b)
			piece(ch.va, ch.pa, cs, ch.flags);
		else if (a <= ch.va && cl <= b) {
			if (protect)
				piece(ch.va, ch.pa, cs, nf);
		} else
			model_split(m, nd, &ch, L + 1, a, b, protect, nf);
	}
}

static void do_clear(struct ctx *c, struct rd *r, bool protect)
{
	struct model *m = &c->m;
	uint64_t va = gen_va(r, m), size = gen_region_size(r), last = 0;
	uint32_t flags = protect ? gen_flags(r) : PT_READ, nf = norm(flags);
	struct need nd = { 0, UINT64_MAX };
	struct effect ef = { 0 };
	struct snap sn;
	struct model save = { 0 };
	size_t i = 0, j = 0;
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
		i = m_first_ge(m, va);
		for (j = i; j < m->n && m->lv[j].va <= last; j++) {
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
			if (protect && x->flags == nf) {
				piece(x->va, x->pa, x->size, x->flags);
				continue;
			}
			ef.changed = true;
			eff_rec(&ef, x->va);
			if (inside) {
				if (protect)
					piece(x->va, x->pa, x->size, nf);
			} else {
				ef.bbm = true;
				model_split(m, &nd, x, level_of(x->size), va, last, protect, nf);
			}
		}
		if (m->n - (j - i) + piece_n > MAX_LEAVES) {
			mv(m->tv, save.tv, save.nt * sizeof(*m->tv));
			m->nt = save.nt;
			free(save.tv);
			return;
		}
	}
	snap_take(c, &sn);
	if (trace > 0)
		fprintf(stderr, "   %s va %#llx size %#llx flags %#x (tables %zu leaves %zu)\n", cur_op,
			(unsigned long long)va, (unsigned long long)size, flags, m->nt, m->n);
	if (trace > 1) {
		for (size_t k = 0; k < m->n; k++)
			fprintf(stderr, "     leaf %#llx size %#llx pa %#llx flags %#x%s%s\n",
				(unsigned long long)m->lv[k].va, (unsigned long long)m->lv[k].size,
				(unsigned long long)m->lv[k].pa, m->lv[k].flags,
				m->lv[k].corrupt ? " corrupt" : "", m->lv[k].shared ? " shared" : "");
		for (size_t k = 0; k < m->nt; k++)
			fprintf(stderr, "     table L%u %#llx%s\n", m->tv[k].level,
				(unsigned long long)m->tv[k].va, m->tv[k].shared ? " shared" : "");
	}
	if (rd_u8(r) >= 0xe0)
		arena_fail_nth(&A, (rd_u8(r) & 7) + 1u);
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
		m->tv = grow(m->tv, &m->capt, save.nt, sizeof(*m->tv));
		mv(m->tv, save.tv, save.nt * sizeof(*m->tv));
		m->nt = save.nt;
	}
	free(save.tv);
	verify_call(c, got, want, nd.n, sn.n0, sn.failed0, sn.fl0, sn.digest0, sn.inuse0, &ef);
}

static void do_copy(struct rd *r)
{
	struct ctx *d = &C[0], *s = &C[1];
	uint64_t va = gen_va(r, &s->m), size = gen_region_size(r), last = 0;
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
	else if ((want = model_range(va, size, &last)) != PT_OK)
		;
	else if ((va | size) & (span(0) - 1))
		want = PT_ERR_NOT_ALIGNED;
	if (want == PT_OK)
		for (uint64_t b = va; want == PT_OK; b += span(0)) {
			if (root_present(&d->m, b))
				want = PT_ERR_ALREADY_MAPPED;
			if (b + (span(0) - 1) == last)
				break;
		}
	if (want == PT_OK)
		for (uint64_t b = va;; b += span(0)) {
			const struct leaf *x = m_find(&s->m, b);
			if (x && x->corrupt && x->size == span(0))
				want = PT_ERR_CORRUPT;
			if (b + (span(0) - 1) == last)
				break;
		}
	snap_take(d, &sn);
	got = pt_copy_from(&d->t, &s->t, va, size);
	if (want == PT_OK) {
		ef.changed = true;
		ef.record_all = true;
	}
	verify_call(d, got, want, 0, sn.n0, sn.failed0, sn.fl0, sn.digest0, sn.inuse0, &ef);
	if (got != PT_OK)
		return;
	for (uint64_t b = va;; b += span(0)) {
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
		if (bl == last)
			break;
	}
}

static void do_walk(struct ctx *c, struct rd *r)
{
	uint8_t b = rd_u8(r);
	size_t limit = b & 3;
	unsigned long stop = (b >> 2) & 1 ? rd_u8(r) + 1u : 0;
	struct went *full;
	size_t nfull;
	int got;
	cur_op = "walk";
	if (!c->alive) {
		struct pt_walk_ops ops = { 0, NULL, NULL };
		FZ_CHECK(pt_walk(NULL, &ops, NULL) == PT_ERR_INVALID);
		return;
	}
	FZ_CHECK(pt_walk(&c->t, NULL, NULL) == PT_ERR_INVALID);
	full_check(c);
	nfull = W.n;
	full = malloc((nfull + 1) * sizeof(*full));
	FZ_CHECK(full != NULL);
	mv(full, W.v, nfull * sizeof(*full));
	got = walk_all(c, limit, stop);
	if (m_ncorrupt(&c->m)) {
		/* The full walk stopped at it; a limited one may not get there. */
		FZ_CHECK(got == PT_ERR_CORRUPT || got == PT_OK || got == 77);
	} else if (stop && stop <= nfull && limit == 0) {
		FZ_CHECK(got == 77 && W.pre_calls == stop);
	} else if (!stop) {
		/* Expected limited walk: filter the full pre-order. */
		size_t cnt[PT_MAX_LEVELS + 1] = { 0 };
		bool emit[PT_MAX_LEVELS + 1] = { 0 };
		size_t k = 0;
		FZ_CHECK(got == PT_OK);
		for (size_t f = 0; f < nfull; f++) {
			const struct pt_entry *e = &full[f].e;
			unsigned l = e->level;
			/* cnt[l]: entries shown so far in the current level-l table. */
			bool ok = (l == 0 || emit[l - 1]) && (!limit || cnt[l] < limit);
			if (ok)
				cnt[l]++;
			if (!e->leaf) {
				emit[l] = ok;
				cnt[l + 1] = 0;
			}
			if (ok) {
				FZ_CHECK(k < W.n);
				FZ_CHECK(W.v[k].e.va == e->va && W.v[k].e.level == e->level &&
					 W.v[k].e.pte == e->pte);
				k++;
			}
		}
		FZ_CHECK(k == W.n);
	}
	free(full);
}

/* Overwrite a leaf's entry, behind libpt's back, with one that decodes as
 * corrupt at that level (a stray write, a bit flip in RAM). */
static void do_plant(struct ctx *c, struct rd *r)
{
	struct model *m = &c->m;
	struct leaf *x;
	uint64_t v = rd_u64(r), cand[5], tpa, parent[PT_MAX_LEVELS];
	uint16_t pick = rd_u16(r);
	unsigned L;
	size_t k;
	struct pt_entry d;
	cur_op = "plant corrupt";
	if (!c->alive || c->frozen || !m->n)
		return;
	x = &m->lv[pick % m->n];
	if (x->shared || x->corrupt)
		return;
	L = level_of(x->size);
	cand[0] = v, cand[1] = v | 1, cand[2] = v | 3, cand[3] = v | 0x83, cand[4] = v | 0x2083;
	for (k = 0; k < 5; k++) {
		if (S.armv7)
			cand[k] &= UINT32_MAX;
		if (pt_pte_decode(S.arch, S.feat, L, cand[k], &d) == PT_ERR_CORRUPT)
			break;
	}
	if (k == 5)
		return; /* this level has no corrupt encoding near v (x86 PTEs) */
	/* Where is x's entry? Its table is the one the last table entry of
	 * the level above points to. */
	(void)walk_all(c, 0, 0);
	tpa = 0;
	for (size_t i = 0; i < W.n; i++) {
		const struct pt_entry *e = &W.v[i].e;
		if (!e->leaf) {
			parent[e->level] = e->pa;
		} else if (e->va == x->va && e->level == L) {
			tpa = L ? parent[L - 1] : pt_root(&c->t);
			break;
		}
	}
	if (!tpa)
		return; /* not reached: an earlier corrupt entry stops the walk */
	if (S.armv7) {
		uint32_t w = (uint32_t)cand[k];
		memcpy((unsigned char *)arena_ptr(&A, tpa) + idx(L, x->va) * 4, &w, 4);
	} else {
		memcpy((unsigned char *)arena_ptr(&A, tpa) + idx(L, x->va) * 8, &cand[k], 8);
	}
	x->corrupt = true;
	need_check = true;
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
	if (b->n < 1 || b->n > PT_BATCH_MAX || !b->pa) {
		bl_bad = true;
		return 0;
	}
	for (size_t i = 0; i < b->n; i++) {
		bl = grow(bl, &blcap, nbl + 1, sizeof(*bl));
		bl[nbl++] = (struct leaf){ b->va + i * b->size, b->pa[i], b->size, b->flags, false,
					   false };
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
 * pt_walk_batches over the same window. */
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

static void do_flush(struct ctx *c)
{
	unsigned long calls = A.flush_calls, alls = A.flush_all_calls;
	unsigned n = c->t.nflush;
	cur_op = "flush";
	pt_flush(&c->t);
	if (!c->alive)
		return;
	FZ_CHECK(c->t.nflush == 0);
	if (n > PT_FLUSH_MAX)
		FZ_CHECK(A.flush_calls == calls + 1 && A.flush_all_calls == alls + 1);
	else
		FZ_CHECK(A.flush_calls == calls + n && A.flush_all_calls == alls);
}

static int ctx_init(struct ctx *c, bool inject, bool direct)
{
	int r;
	size_t before = A.in_use;
	{
		/* Arguments pt_init must refuse, allocating nothing. */
		struct pt_mm bad = MM;
		bad.phys_to_virt = NULL;
		FZ_CHECK(pt_init(NULL, S.arch, S.feat, &MM) == PT_ERR_INVALID);
		FZ_CHECK(pt_init(&c->t, S.arch, S.feat, NULL) == PT_ERR_INVALID);
		FZ_CHECK(pt_init(&c->t, S.arch, S.feat, &bad) == PT_ERR_INVALID);
		FZ_CHECK(pt_init(&c->t, PT_ARCH_COUNT, 0, &MM) == PT_ERR_INVALID);
		FZ_CHECK(pt_init(&c->t, S.arch, PT_FEAT_ALL, &MM) == PT_ERR_INVALID);
		FZ_CHECK(A.in_use == before);
	}
	if (inject)
		arena_fail_nth(&A, 1);
	r = pt_init(&c->t, S.arch, S.feat, &MM);
	arena_fail_nth(&A, 0);
	if (inject) {
		FZ_CHECK(r == PT_ERR_NO_MEMORY && A.in_use == before && pt_root(&c->t) == 0);
		r = pt_init(&c->t, S.arch, S.feat, &MM);
	}
	FZ_CHECK(r == PT_OK);
	FZ_CHECK(c->t.nflush == 0 && pt_root(&c->t) != 0);
	/* Tables through the arena's mapping instead of phys_to_virt. */
	if (direct)
		FZ_CHECK(pt_set_direct_map(&c->t, (uint64_t)(uintptr_t)A.mem - A.base) == PT_OK);
	c->alive = true;
	c->frozen = false;
	m_clear(&c->m);
	full_check(c);
	return r;
}

static void ctx_destroy(struct ctx *c)
{
	size_t others = 0;
	cur_op = "destroy";
	for (int k = 0; k < 2; k++)
		if (&C[k] != c && C[k].alive)
			others += m_frames(&C[k].m);
	pt_destroy(&c->t);
	FZ_CHECK(pt_root(&c->t) == 0);
	c->alive = false;
	m_clear(&c->m);
	FZ_CHECK(A.in_use == others && A.errors == 0);
	/* Dead tables refuse everything. */
	{
		struct pt_mapping o;
		FZ_CHECK(pt_map(&c->t, 0, 0, PT_SIZE_4K, PT_READ) == PT_ERR_INVALID);
		FZ_CHECK(pt_query(&c->t, 0, &o) == PT_ERR_INVALID);
		FZ_CHECK(pt_unmap_region(&c->t, 0, PT_SIZE_4K) == PT_ERR_INVALID);
		FZ_CHECK(pt_set_direct_map(&c->t, 0) == PT_ERR_INVALID);
	}
	pt_destroy(&c->t); /* twice: a no-op */
	FZ_CHECK(A.in_use == others && A.errors == 0);
	if (c == &C[0])
		C[1].frozen = false;
}

static void setup(const uint8_t **data, size_t *size)
{
	enum pt_arch a = FUZZ_ARCH;
	unsigned f = FUZZ_FEAT;
	if ((int)FUZZ_ARCH < 0) {
		/* Any format: the first byte picks format and features. */
		static const struct { enum pt_arch a; unsigned f; } v[] = {
			{ PT_X86_64, 0 }, { PT_X86_64_LA57, 0 }, { PT_AARCH64, 0 },
			{ PT_AARCH64, PT_FEAT_AARCH64_EL2 }, { PT_AARCH64, PT_FEAT_AARCH64_HIGH },
			{ PT_RISCV_SV39, 0 }, { PT_RISCV_SV39, PT_FEAT_RISCV_SVPBMT },
			{ PT_RISCV_SV39, PT_FEAT_RISCV_XUANTIE }, { PT_RISCV_SV48, 0 },
			{ PT_RISCV_SV48, PT_FEAT_RISCV_SVPBMT }, { PT_RISCV_SV57, 0 },
			{ PT_RISCV_SV57, PT_FEAT_RISCV_XUANTIE }, { PT_LOONGARCH64, 0 }, { PT_ARMV7, 0 },
		};
		uint8_t b = *size ? **data : 0;
		if (*size) {
			(*data)++;
			(*size)--;
		}
		a = v[b % (sizeof(v) / sizeof(v[0]))].a;
		f = v[b % (sizeof(v) / sizeof(v[0]))].f;
	}
	shape_init(a, f);
	if (trace < 0)
		trace = getenv("FUZZ_TRACE") ? atoi(getenv("FUZZ_TRACE")) : 0;
	if (!arena_ready) {
		FZ_CHECK(arena_init(&A, ARENA_BASE, ARENA_FRAMES) == 0);
		arena_ready = true;
	}
	/* A fresh-looking arena for every input, without re-mapping it. */
	FZ_CHECK(A.in_use == 0);
	A.hint = 0;
	A.allocs = A.frees = A.failed = 0;
	A.fail_at = A.fail_every = 0;
	A.errors = 0;
	A.flush_calls = A.flush_all_calls = 0;
	arena_mm(&A, &MM);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rd r;
	setup(&data, &size);
	r = (struct rd){ data, size, 0 };
	last_va = last_pa = 0;
	cur_opno = 0;
	cur_op = "init";
	/* Byte 0: bit 7 fails the first pt_init's allocation. */
	{
		uint8_t b0 = rd_u8(&r); /* bit 6: direct map */
		ctx_init(&C[0], b0 & 0x80, b0 & 0x40);
	}
	C[1].alive = false;
	C[1].frozen = false;
	m_clear(&C[1].m);
	check_all();
	while (rd_more(&r) && cur_opno < MAX_OPS) {
		uint8_t op = rd_u8(&r);
		/* Bit 7: act on the second table (created on first use). */
		struct ctx *c = (op & 0x80) ? &C[1] : &C[0];
		cur_opno++;
		if (c == &C[1] && !c->alive && (op & 0x0f) != 13)
			ctx_init(c, false, false);
		switch (op & 0x0f) {
		case 0:
		case 1: do_map(c, &r, false); break;
		case 2: do_map(c, &r, true); break;
		case 3: do_single(c, &r, 0); break;
		case 4: do_single(c, &r, 1); break;
		case 5: do_single(c, &r, 2); break;
		case 6: do_single(c, &r, 3); break;
		case 7: do_clear(c, &r, false); break;
		case 8: do_clear(c, &r, true); break;
		case 9: do_copy(&r); break;
		case 10: do_walk(c, &r); break;
		case 11: do_flush(c); break;
		case 12:
			if (c == &C[1] && c->frozen)
				break; /* main still uses its subtrees */
			if (c->alive)
				ctx_destroy(c);
			{
				uint8_t b = rd_u8(&r);
				ctx_init(c, b & 1, b & 2);
			}
			break;
		case 13:
			if (c == &C[1] && c->frozen)
				break;
			if (c->alive)
				ctx_destroy(c);
			break;
		case 14: do_plant(c, &r); break;
		default: do_ranges(c, &r); break;
		}
		/* Lookups and flushes change no entry, and a failed call was
		 * compared whole already: walk again only after a success. */
		if (need_check || (op & 0x0f) == 12 || (op & 0x0f) == 13)
			check_all();
		need_check = false;
	}
	cur_op = "final destroy";
	check_all();
	if (C[0].alive)
		ctx_destroy(&C[0]);
	if (C[1].alive)
		ctx_destroy(&C[1]);
	FZ_CHECK(A.in_use == 0 && A.errors == 0);
	return 0;
}
