/* SPDX-License-Identifier: MIT */
/*
 * fuzz_ops: the calls on one mapping: map and map_region (with the plan
 * of the leaves they write), unmap, remap, protect and query.
 * Included once, by fuzz/fuzz_ops.c, which defines the bounds and globals
 * these sections share; split out only to keep each file to one job.
 */
#ifndef PT_FUZZ_OPS_MAP_H
#define PT_FUZZ_OPS_MAP_H

/* ---- Map, and the single-page calls ----------------------------------- */

/* What pt_protect / pt_protect_region make of leaf x's flags: the new
 * ones, normalised, with x's own PT_SW0/1 (those passed are ignored). */
static uint32_t protect_flags(const struct leaf *x, uint32_t flags)
{
	return (norm(flags) & ~(uint32_t)SW_BITS) | (x->flags & SW_BITS);
}

/* ... and of its state, given its new flags nf: kept, and dirty if it
 * gains WRITE, as a new writable leaf is. */
static uint32_t protect_state(const struct leaf *x, uint32_t nf)
{
	uint32_t st = x->state;
	if ((nf & PT_WRITE) && !(x->flags & PT_WRITE))
		st |= PT_DIRTY;
	return st_of(nf, st);
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
	/* Pages alone: the count is known before the loop. */
	if (max_h == 0 && (last - va) / span(S.levels - 1) >= MAX_PLAN)
		return false;
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
		plan_buf[n++] = (struct leaf){ va, pa, span(l), flags, fresh(flags), false, false, false };
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
	unsigned opts = 0, max_h = 0, fail_n;
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
		else if (pa & (PG - 1))
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
	/* The model's normalisation is the library's. */
	if (flags_ok(flags))
		FZ_CHECK(pt_flags_normalize(S.arch, S.feat, flags) == norm(flags));
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
	fail_n = rd_u8(r) >= 0xe0 ? (rd_u8(r) & 7) + 1u : 0;
	if (want == PT_OK)
		scope_set(c, va, last);
	snap_take(c, &sn);
	if (trace > 0)
		fprintf(stderr, "   %s va %#llx pa %#llx size %#llx flags %#x\n", cur_op,
			(unsigned long long)va, (unsigned long long)pa, (unsigned long long)size, flags);
	if (fail_n)
		arena_fail_nth(&A, fail_n);
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
	verify_call(c, got, want, nd.n, &sn, &ef);
	if (got == PT_OK) {
		size_t i = m_first_ge(m, va);
		if (region && opts)
			m_mark_new(plan_buf, np);
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
	struct pt_mapping out = { 0, 0, 0, 0 };
	struct effect ef = { 0 };
	struct broken brk = { { 0 }, { 0 }, 0 };
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
	else if (kind == 1 && (pa & (PG - 1)))
		want = PT_ERR_NOT_ALIGNED;
	else if (!(x = m_find(m, va)))
		want = PT_ERR_NOT_MAPPED;
	else if (x->corrupt)
		want = PT_ERR_CORRUPT;
	else if (kind == 1 && (pa & (x->size - 1)))
		want = PT_ERR_NOT_ALIGNED;
	if (want == PT_OK && kind != 3 && c->frozen)
		return;
	/* An edit of one member breaks its whole group first. */
	if (want == PT_OK && kind != 3) {
		scope_set(c, x->va, llast(x));
		want = m_break_ends(m, x->va, llast(x), &brk, &ef.bbm);
	}
	snap_take(c, &sn);
	if (kind == 3)
		memset(&out, 0x5a, sizeof(out)); /* zeroed on errors */
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
				 out.state == x->state && out.size == x->size);
		else
			FZ_CHECK(out.pa == 0 && out.flags == 0 && out.state == 0 && out.size == 0);
		/* The untrusted walker agrees with the trusted one, but for
		 * what it knows beyond libpt's own tables: encodings libpt never
		 * writes but decodes when poked in (ARMv7 large pages, PXN
		 * sections, AP 000/010; RISC-V Svnapot), and the permissions of
		 * every level together (poked table entries may take WRITE,
		 * EXECUTE or USER away; a RISC-V G table entry makes a leaf
		 * global). */
		if (c->alive && va_ok(va)) {
			struct pt_mapping tr;
			int rt = translate(pt_root(&c->t), va, &tr);
			/* Stage 2: table entries (EPT) and a leaf's U (G-stage)
			 * may take READ away too. */
			const uint32_t perm = PT_WRITE | PT_EXECUTE | PT_USER |
					      (S.ept || S.gstage ? PT_READ : 0);
			const bool richer = S.arch == PT_ARMV7 || S.ept || S.gstage ||
					    (S.arch >= PT_RISCV_SV39 && S.arch <= PT_RISCV_SV57);
			/* A NAPOT leaf is one 64 KiB translation to pt_access,
			 * and 16 pages to a query. */
			const bool rv = S.arch >= PT_RISCV_SV39 && S.arch <= PT_RISCV_SV57;
			FZ_CHECK(rt == got || (richer && got == PT_ERR_CORRUPT && rt == PT_OK));
			if (rt == PT_OK && got == PT_OK)
				FZ_CHECK(tr.pa == out.pa && tr.state == out.state &&
					 (tr.size == out.size ||
					  (rv && tr.size == 0x10000 && out.size == 0x1000)) &&
					 !((tr.flags ^ out.flags) & ~(perm | PT_GLOBAL)) &&
					 !(tr.flags & ~out.flags & perm));
		}
		return;
	}
	if (want == PT_OK) {
		/* remap writes a new leaf (fresh state, the SW bits passed);
		 * protect keeps the state and SW bits. */
		uint32_t nf = kind == 2 ? protect_flags(x, flags) : norm(flags);
		uint32_t ns = kind == 2 ? protect_state(x, nf) : st_of(nf, fresh(nf));
		uint64_t npa = kind == 1 ? pa : x->pa;
		ef.changed = kind == 0 || nf != x->flags || ns != x->state || npa != x->pa;
		eff_rec(&ef, x->va);
		/* A different output address on Arm: break-before-make. */
		ef.bbm |= kind == 1 && npa != x->pa;
	}
	verify_call(c, got, want, 0, &sn, &ef);
	if (got != PT_OK) {
		m_unbreak(m, &brk);
		return;
	}
	if (kind == 0) {
		if (out.size)
			FZ_CHECK(out.pa == x->pa && out.size == x->size && out.flags == x->flags &&
				 out.state == x->state);
		m_splice(m, (size_t)(x - m->lv), (size_t)(x - m->lv) + 1, NULL, 0);
	} else {
		if (sz)
			FZ_CHECK(sz == x->size);
		if (kind == 1) {
			x->flags = norm(flags);
			x->state = st_of(x->flags, fresh(x->flags));
			x->pa = pa;
		} else {
			uint32_t nf = protect_flags(x, flags);
			x->state = protect_state(x, nf);
			x->flags = nf;
		}
	}
}

#endif
