/* SPDX-License-Identifier: MIT */
/*
 * Engine tests, part 2, one group per format variant: walk order, nesting,
 * limit and stop values; copy_from sharing; ARMv7 L2 packing; frames above
 * 2^pa_bits from the allocator; address-space edges. pt_translate has
 * test_translate.c.
 */
#include "engine_env.h"

/* ---- Walk ---------------------------------------------------------------- */

static void t_walk(const struct fmt *f)
{
	struct env e;
	const uint64_t K4 = fmt_page(f);
	const unsigned hl = fmt_huge_level(f);
	const uint64_t hs = fmt_span(f, hl);
	struct {
		uint64_t va, pa, size;
		uint32_t fl;
	} L[] = {
		{ V(f, 0x40000000 + 3 * K4), 3 * K4, K4, RW },
		{ top_page(f), 9 * K4, K4, R_ },
		{ V(f, 0x40000000), K4, K4, RWX },
		{ V(f, 0x40000000 + 2 * hs), 0, hs, R_ | PT_USER },
		{ V(f, 7 * K4), 7 * K4, K4, R_ | PT_DEVICE },
		{ V(f, K4), 2 * K4, K4, RW | PT_UNCACHED },
	};
	const size_t n = sizeof(L) / sizeof(L[0]);
	uint64_t want_va[8];
	size_t nl = 0, depth = 0;
	const struct pt_entry *stack[PT_MAX_LEVELS + 1];
	size_t children[PT_MAX_LEVELS + 1] = { 0 };
	bool bad_order = false, bad_nest = false, bad_entry = false, bad_pair = false;
	CTX("%s walk", f->name);
	if (!env_init(&e, f))
		return;
	for (size_t i = 0; i < n; i++)
		CHECK_EQ(pt_map(&e.t, L[i].va, L[i].pa, L[i].size, L[i].fl), PT_OK);
	/* Expected leaf order: ascending VA. */
	for (size_t i = 0; i < n; i++)
		want_va[i] = L[i].va;
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			if (want_va[j] < want_va[i]) {
				uint64_t x = want_va[i];
				want_va[i] = want_va[j], want_va[j] = x;
			}
	if (!CHECK_EQ(walk_all(&e, 0), PT_OK))
		goto out;
	CHECK_EQ(COLL.npre, COLL.npost);
	for (size_t i = 0; i < COLL.n; i++) {
		const struct rec *r = &COLL.r[i];
		const struct pt_entry *x = &r->e;
		/* pt_va_valid knows no feature: a 52-bit VA is checked here. */
		if (f->feat & PT_FEAT_AARCH64_VA52 ? (x->va - f->lo) >> f->va_bits != 0
						   : !pt_va_valid(f->arch, x->va))
			bad_entry = true;
		if (f->lo && x->va < f->lo)
			bad_entry = true;
		if (x->index != fmt_index(f, x->level, x->va) || x->size != fmt_span(f, x->level))
			bad_entry = true;
		if (r->post) {
			if (x->leaf) {
				/* A leaf's post comes right after its pre. */
				if (i == 0 || COLL.r[i - 1].post || COLL.r[i - 1].e.va != x->va)
					bad_pair = true;
			} else {
				if (depth == 0 || stack[depth - 1]->va != x->va ||
				    stack[depth - 1]->level != x->level)
					bad_nest = true;
				else
					depth--;
			}
			continue;
		}
		/* pre: inside the parent's span, at the next level. */
		if (depth > 0) {
			const struct pt_entry *p = stack[depth - 1];
			if (x->level != p->level + 1 || x->va < p->va ||
			    x->va + (x->size - 1) > p->va + (p->size - 1))
				bad_nest = true;
			if (++children[depth] > fmt_entries(f, x->level))
				bad_nest = true;
		} else if (x->level != 0) {
			bad_nest = true;
		}
		if (x->leaf) {
			if (nl < n && x->va != want_va[nl])
				bad_order = true;
			for (size_t k = 0; k < n; k++)
				if (L[k].va == x->va &&
				    (x->pa != L[k].pa || x->size != L[k].size ||
				     x->flags != norm(f, L[k].fl) || !((f->leaf_mask >> x->level) & 1)))
					bad_entry = true;
			nl++;
		} else {
			if (x->flags != 0 || !arena_allocated(&e.a, x->pa) || x->level + 1 >= f->levels)
				bad_entry = true;
			if (depth < PT_MAX_LEVELS) {
				stack[depth++] = x;
				children[depth] = 0;
			}
		}
	}
	CHECK_EQ(nl, n);
	CHECK_EQ(depth, 0);
	CHECK(!bad_order);
	CHECK(!bad_nest);
	CHECK(!bad_entry);
	CHECK(!bad_pair);
	check_tables(&e, true);
	/* limit = 1: only the first present entry of each table, one path. */
	CHECK_EQ(walk_all(&e, 1), PT_OK);
	CHECK_EQ(COLL.npre, f->levels);
	if (COLL.n) {
		const struct rec *last = &COLL.r[f->levels - 1];
		CHECK(last->e.leaf);
		CHECK_EQ(last->e.va, want_va[0]);
	}
	/* limit = 2: at most two entries under any table. */
	CHECK_EQ(walk_all(&e, 2), PT_OK);
	{
		size_t per[PT_MAX_LEVELS + 1] = { 0 }, worst = 0;
		for (size_t i = 0; i < COLL.n; i++) {
			const struct rec *r = &COLL.r[i];
			if (r->post)
				continue;
			if (++per[r->e.level] > worst)
				worst = per[r->e.level];
			if (!r->e.leaf)
				per[r->e.level + 1] = 0;
		}
		CHECK(worst <= 2);
		CHECK(COLL.npre > f->levels);
	}
	/* A callback's non-zero result stops the walk and is returned. */
	{
		struct pt_walk_ops ops = { 0, coll_pre, coll_post };
		memset(&COLL, 0, sizeof(COLL));
		COLL.stop_pre = 3;
		COLL.stop_val = 42;
		CHECK_EQ(pt_walk(&e.t, &ops, &COLL), 42);
		CHECK_EQ(COLL.npre, 3);
		memset(&COLL, 0, sizeof(COLL));
		COLL.stop_post = 1;
		COLL.stop_val = -1000;
		CHECK_EQ(pt_walk(&e.t, &ops, &COLL), -1000);
		CHECK_EQ(COLL.npost, 1);
		CHECK_EQ(COLL.npre, f->levels);
		/* post alone, pre alone, neither. */
		ops.pre = NULL;
		memset(&COLL, 0, sizeof(COLL));
		CHECK_EQ(pt_walk(&e.t, &ops, &COLL), PT_OK);
		CHECK_EQ(COLL.npre, 0);
		CHECK(COLL.npost >= n);
		ops.post = NULL;
		CHECK_EQ(pt_walk(&e.t, &ops, &COLL), PT_OK);
	}
out:
	env_fini(&e);
}

/* ---- copy_from ------------------------------------------------------------ */

static void t_copy(const struct fmt *f)
{
	struct env e;
	struct pt_table dst;
	struct pt_mapping m;
	const uint64_t K4 = fmt_page(f), RS = fmt_span(f, 0);
	const unsigned hl = fmt_huge_level(f);
	const uint64_t hs = fmt_span(f, hl);
	const uint64_t R = V(f, 4 * RS); /* root entries 4 and 5 */
	size_t n1;
	CTX("%s copy_from", f->name);
	/* Root entries 3 to 6: not in a root of two (16K at 48 bits). */
	if (fmt_entries(f, 0) < 8 || !env_init(&e, f))
		return;
	CHECK_EQ(pt_map(&e.t, R + 5 * K4, 5 * K4, K4, RW), PT_OK);
	CHECK_EQ(pt_map(&e.t, R + RS + (hs == RS ? 0 : 3 * hs), 0, hs, R_), PT_OK);
	n1 = e.a.in_use;
	if (!CHECK_EQ(fmt_init(&dst, f, &e.mm), PT_OK))
		goto out;
	flush_reset(&e);
	CHECK_EQ(pt_copy_from(&dst, &e.t, R, 2 * RS), PT_OK);
	CHECK_EQ(e.a.in_use, n1 + fmt_root_frames(f)); /* nothing allocated */
	pt_flush(&dst);
	CHECK_EQ(e.a.flush_all_calls, 1);
	/* dst sees src's mappings, including later ones. */
	CHECK_EQ(pt_query(&dst, R + (5 * K4 + 0x123), &m), PT_OK);
	CHECK_EQ(m.pa, (5 * K4 + 0x123));
	CHECK_EQ(pt_query(&dst, R + RS + (hs == RS ? 0 : 3 * hs) + 7, &m), PT_OK);
	CHECK_EQ(m.pa, 7);
	CHECK_EQ(m.size, hs);
	CHECK_EQ(pt_map(&e.t, R + 9 * K4, 9 * K4, K4, RW), PT_OK);
	CHECK_EQ(pt_query(&dst, R + 9 * K4, &m), PT_OK);
	{
		struct pt_walk_ops ops = { 0, coll_pre, coll_post };
		memset(&COLL, 0, sizeof(COLL));
		CHECK_EQ(pt_walk(&dst, &ops, &COLL), PT_OK);
		size_t leaves = 0;
		for (size_t i = 0; i < COLL.n; i++)
			leaves += COLL.r[i].e.leaf && !COLL.r[i].post;
		CHECK_EQ(leaves, 3);
	}
	/* Edits through dst touching a shared root entry are refused. */
	CHECK_EQ(pt_map(&dst, R + 10 * K4, 10 * K4, K4, RW), PT_ERR_INVALID);
	CHECK_EQ(pt_unmap(&dst, R + 5 * K4, &m), PT_ERR_INVALID);
	CHECK_EQ(pt_remap(&dst, R + 5 * K4, K4, RW, NULL), PT_ERR_INVALID);
	CHECK_EQ(pt_protect(&dst, R + 5 * K4, R_, NULL), PT_ERR_INVALID);
	CHECK_EQ(pt_map_region(&dst, R + 10 * K4, 10 * K4, K4, RW, 0), PT_ERR_INVALID);
	CHECK_EQ(pt_unmap_region(&dst, R, K4), PT_ERR_INVALID);
	CHECK_EQ(pt_protect_region(&dst, R, K4, R_), PT_ERR_INVALID);
	CHECK_EQ(pt_unmap_region(&dst, R - RS, 2 * RS), PT_ERR_INVALID);
	CHECK_EQ(pt_query(&e.t, R + 5 * K4, &m), PT_OK); /* src untouched */
	CHECK_EQ(m.flags, norm(f, RW));
	/* Range rules: 4K-aligned is enough, and every root entry the range
	 * touches counts, whole. */
	CHECK_EQ(pt_copy_from(&dst, &e.t, R, 2 * RS), PT_ERR_ALREADY_MAPPED);
	CHECK_EQ(pt_copy_from(&dst, &e.t, R + RS, RS), PT_ERR_ALREADY_MAPPED);
	CHECK_EQ(pt_copy_from(&dst, &e.t, R + 2 * RS - K4, K4), PT_ERR_ALREADY_MAPPED);
	CHECK_EQ(pt_copy_from(&dst, &e.t, R - K4, 2 * K4), PT_ERR_ALREADY_MAPPED);
	CHECK_EQ(pt_copy_from(&dst, &e.t, R + RS + 0x800, K4), PT_ERR_NOT_ALIGNED);
	CHECK_EQ(pt_copy_from(&dst, &e.t, R + 2 * RS, K4 / 2), PT_ERR_NOT_ALIGNED);
	/* An empty src range shares nothing: dst may map there afterwards. */
	CHECK_EQ(pt_copy_from(&dst, &e.t, R - 2 * RS, 2 * RS), PT_OK);
	CHECK_EQ(pt_map(&dst, R - RS + 3 * K4, 3 * K4, K4, RW), PT_OK);
	CHECK_EQ(pt_copy_from(&dst, &e.t, R - RS, RS), PT_ERR_ALREADY_MAPPED);
	/* dst's own tables next to (ARMv7: in the L2 group of) shared ones. */
	CHECK_EQ(pt_map(&dst, V(f, K4), K4, K4, RW), PT_OK);
	CHECK_EQ(pt_map(&dst, R + 2 * RS + K4, K4, K4, RW), PT_OK);
	CHECK_EQ(pt_unmap_region(&dst, R + 2 * RS, RS), PT_OK);
	/* Format and features must match. */
	{
		struct pt_table other;
		enum pt_arch oa = f->arch == PT_X86_64 ? PT_AARCH64 : PT_X86_64;
		if (CHECK_EQ(pt_init(&other, oa, 0, &e.mm), PT_OK)) {
			CHECK_EQ(pt_copy_from(&other, &e.t, 0, fmt_span(f, 0)), PT_ERR_INVALID);
			pt_destroy(&other);
		}
		unsigned of = f->arch == PT_AARCH64 ? (f->feat ? 0 : PT_FEAT_AARCH64_EL2)
			      : fmt_is_riscv(f->arch) ? (f->feat ? 0 : PT_FEAT_RISCV_SVPBMT)
			      : fmt_is_ept(f->arch)   ? f->feat ^ PT_FEAT_EPT_AD : ~0u;
		if (of != ~0u && CHECK_EQ(pt_init(&other, f->arch, of, &e.mm), PT_OK)) {
			CHECK_EQ(pt_copy_from(&other, &e.t, R, RS), PT_ERR_INVALID);
			pt_destroy(&other);
		}
		/* And the width, where the format has several. */
		const struct pt_config oc = { f->arch, f->feat, f->va_bits == 40 ? 41 : 40 };
		if (f->arch == PT_AARCH64_S2 && CHECK_EQ(pt_init_config(&other, &oc, &e.mm), PT_OK)) {
			CHECK_EQ(pt_copy_from(&other, &e.t, R, RS), PT_ERR_INVALID);
			pt_destroy(&other);
		}
	}
	/* destroy(dst) frees only dst's own frames. */
	pt_destroy(&dst);
	CHECK_EQ(e.a.in_use, n1);
	CHECK_EQ(e.a.errors, 0);
	CHECK_EQ(pt_query(&e.t, R + 5 * K4, &m), PT_OK);
	CHECK_EQ(pt_query(&e.t, R + 9 * K4, &m), PT_OK);
	check_tables(&e, true);
	CHECK_EQ(pt_copy_from(&dst, &e.t, R, RS), PT_ERR_INVALID); /* dead dst */
out:
	env_fini(&e);
}

/* A range that is only 4K-aligned shares every root entry it touches,
 * whole: what lies outside the range in those entries is shared too. */
static void t_copy_unaligned(const struct fmt *f)
{
	struct env e;
	struct pt_table dst;
	struct pt_mapping m;
	const uint64_t K4 = fmt_page(f), RS = fmt_span(f, 0);
	const uint64_t R = V(f, 4 * RS); /* root entries 4 and 5 */
	size_t n1;
	CTX("%s copy_from unaligned", f->name);
	/* Root entries 4 to 6: not in a root of two (16K at 48 bits). */
	if (fmt_entries(f, 0) < 8 || !env_init(&e, f))
		return;
	CHECK_EQ(pt_map(&e.t, R + 5 * K4, 5 * K4, K4, RW), PT_OK);
	CHECK_EQ(pt_map(&e.t, R + RS - K4, 7 * K4, K4, RW), PT_OK);
	CHECK_EQ(pt_map(&e.t, R + 2 * RS - K4, 8 * K4, K4, RW), PT_OK);
	n1 = e.a.in_use;
	if (!CHECK_EQ(fmt_init(&dst, f, &e.mm), PT_OK))
		goto out;
	/* Two pages across the boundary of entries 4 and 5. */
	CHECK_EQ(pt_copy_from(&dst, &e.t, R + RS - K4, 2 * K4), PT_OK);
	CHECK_EQ(e.a.in_use, n1 + fmt_root_frames(f));
	CHECK_EQ(pt_query(&dst, R + 5 * K4, &m), PT_OK);
	CHECK_EQ(m.pa, 5 * K4);
	CHECK_EQ(pt_query(&dst, R + RS - K4, &m), PT_OK);
	CHECK_EQ(m.pa, 7 * K4);
	CHECK_EQ(pt_query(&dst, R + 2 * RS - K4, &m), PT_OK);
	CHECK_EQ(m.pa, 8 * K4);
	/* Both are shared: dst edits neither, and cannot share them again. */
	CHECK_EQ(pt_unmap(&dst, R + 2 * RS - K4, NULL), PT_ERR_INVALID);
	CHECK_EQ(pt_map(&dst, R + 9 * K4, 9 * K4, K4, RW), PT_ERR_INVALID);
	CHECK_EQ(pt_copy_from(&dst, &e.t, R + 2 * RS - K4, K4), PT_ERR_ALREADY_MAPPED);
	/* The entries on either side are dst's own. */
	CHECK_EQ(pt_map(&dst, R - K4, K4, K4, RW), PT_OK);
	CHECK_EQ(pt_map(&dst, R + 2 * RS, K4, K4, RW), PT_OK);
	pt_destroy(&dst);
	CHECK_EQ(e.a.in_use, n1);
	CHECK_EQ(e.a.errors, 0);
	check_tables(&e, true);
out:
	env_fini(&e);
}

/*
 * ArceOS gives every process the kernel half through page_table_multiarch
 * with exactly this call on x86-64 4-level: va 0xffff_8000_0000_0000,
 * size 0x7fff_ffff_f000, the upper half less its last page, not a whole
 * number of 512 GiB root entries. Root entries 256 to 511 are shared, the
 * last one whole (its last page too).
 */
static void t_copy_arceos(const struct fmt *f)
{
	struct env e;
	struct pt_table dst, busy;
	struct pt_mapping m;
	const uint64_t K4 = fmt_page(f);
	const uint64_t kva = UINT64_C(0xffff800000000000), ksize = UINT64_C(0x7ffffffff000);
	const uint64_t k1 = kva + K4;                  /* root entry 256 */
	const uint64_t k2 = UINT64_C(0xffffc00000000000);   /* 384, a 1G leaf */
	const uint64_t k3 = UINT64_C(0xfffffffffffff000);   /* 511, past the range */
	size_t n1;
	if (f->arch != PT_X86_64)
		return;
	CTX("%s copy_from ArceOS kernel half", f->name);
	if (!env_init(&e, f))
		return;
	CHECK_EQ(pt_map(&e.t, k1, K4, K4, RW), PT_OK);
	CHECK_EQ(pt_map(&e.t, k2, PT_SIZE_1G, PT_SIZE_1G, RW), PT_OK);
	CHECK_EQ(pt_map(&e.t, k3, 3 * K4, K4, R_), PT_OK);
	n1 = e.a.in_use;
	if (!CHECK_EQ(fmt_init(&dst, f, &e.mm), PT_OK))
		goto out;
	/* A user page first: the lower half is dst's own. */
	CHECK_EQ(pt_map(&dst, 0x400000, 4 * K4, K4, RW), PT_OK);
	CHECK_EQ(pt_copy_from(&dst, &e.t, kva, ksize), PT_OK);
	CHECK_EQ(pt_query(&dst, k1 + 0x10, &m), PT_OK);
	CHECK_EQ(m.pa, (K4 + 0x10));
	CHECK_EQ(pt_query(&dst, k2 + (K4 + 0x234), &m), PT_OK);
	CHECK_EQ(m.pa, PT_SIZE_1G + (K4 + 0x234));
	CHECK_EQ(m.size, PT_SIZE_1G);
	CHECK_EQ(pt_query(&dst, k3, &m), PT_OK);
	CHECK_EQ(m.pa, 3 * K4);
	CHECK_EQ(pt_query(&dst, 0x400000, &m), PT_OK);
	/* Later kernel mappings show through; dst edits no kernel entry. */
	CHECK_EQ(pt_map(&e.t, k1 + 2 * K4, 2 * K4, K4, RW), PT_OK);
	CHECK_EQ(pt_query(&dst, k1 + 2 * K4, &m), PT_OK);
	CHECK_EQ(pt_map(&dst, k1 + 3 * K4, 3 * K4, K4, RW), PT_ERR_INVALID);
	CHECK_EQ(pt_unmap_region(&dst, kva, ksize), PT_ERR_INVALID);
	CHECK_EQ(pt_copy_from(&dst, &e.t, kva, ksize), PT_ERR_ALREADY_MAPPED);
	CHECK_EQ(pt_map(&dst, 0x401000, 5 * K4, K4, RW), PT_OK);
	pt_destroy(&dst);
	CHECK_EQ(e.a.in_use, n1);
	/* A table that already uses a root entry of the half shares none. */
	if (CHECK_EQ(fmt_init(&busy, f, &e.mm), PT_OK)) {
		CHECK_EQ(pt_map(&busy, UINT64_C(0xffff960000000000), K4, K4, RW), PT_OK);
		CHECK_EQ(pt_copy_from(&busy, &e.t, kva, ksize), PT_ERR_ALREADY_MAPPED);
		CHECK_EQ(pt_query(&busy, k1, &m), PT_ERR_NOT_MAPPED);
		pt_destroy(&busy);
	}
	CHECK_EQ(e.a.in_use, n1);
	CHECK_EQ(e.a.errors, 0);
	CHECK_EQ(pt_query(&e.t, k3, &m), PT_OK);
out:
	env_fini(&e);
}

/* ---- ARMv7 L2 packing ------------------------------------------------------ */

static void t_armv7_packing(const struct fmt *f)
{
	struct env e;
	const uint64_t K4 = fmt_page(f), M1 = PT_SIZE_1M, Vb = 0x40000000; /* L1 index 1024 */
	uint64_t root, l2[4];
	CTX("armv7 packing");
	if (!env_init(&e, f))
		return;
	root = pt_root(&e.t);
	CHECK_EQ(pt_map(&e.t, Vb, 0x1000, K4, RW), PT_OK);
	CHECK_EQ(e.a.in_use, e.base + 1);
	CHECK_EQ(pte_read(f, &e.a, root, 1024) & 3, 1);
	for (size_t i = 1025; i < 1028; i++)
		CHECK_EQ(pte_read(f, &e.a, root, i), 0); /* invalid until needed */
	CHECK_EQ(pt_map(&e.t, Vb + M1 + K4, 0x2000, K4, RW), PT_OK);
	CHECK_EQ(pte_read(f, &e.a, root, 1026), 0);
	CHECK_EQ(pt_map(&e.t, Vb + 2 * M1 + 2 * K4, 0x3000, K4, RW), PT_OK);
	CHECK_EQ(pt_map(&e.t, Vb + 3 * M1 + 3 * K4, 0x4000, K4, RW), PT_OK);
	CHECK_EQ(e.a.in_use, e.base + 1);
	for (size_t i = 0; i < 4; i++) {
		uint64_t pte = pte_read(f, &e.a, root, 1024 + i);
		CHECK_EQ(pte & 3, 1);
		l2[i] = pte & ~UINT64_C(0x3ff);
	}
	CHECK_EQ(l2[0] & 0xfff, 0);
	for (size_t i = 1; i < 4; i++) {
		CHECK_EQ(l2[i] & ~UINT64_C(0xfff), l2[0]);
		for (size_t j = 0; j < i; j++)
			CHECK(l2[i] != l2[j]);
	}
	/* Each 1 KiB table holds exactly its one entry (the frame was dirty). */
	CHECK_EQ(count_leaves(&e), 4);
	check_tables(&e, true);
	/* The next group needs a new frame. */
	CHECK_EQ(pt_map(&e.t, Vb + 4 * M1, 0x5000, K4, RW), PT_OK);
	CHECK_EQ(e.a.in_use, e.base + 2);
	/* The frame goes only when all four tables are gone (and the TLB
	 * forgot them). */
	for (size_t i = 0; i < 4; i++) {
		CHECK_EQ(pt_unmap_region(&e.t, Vb + i * M1, M1), PT_OK);
		CHECK_EQ(pte_read(f, &e.a, root, 1024 + i), 0);
		CHECK_EQ(flushed_use(&e), e.base + (i < 3 ? 2 : 1));
		CHECK_EQ(arena_allocated(&e.a, l2[0]), i < 3);
		check_tables(&e, true);
	}
	/* A section replaces an emptied L2 table; the group frame stays for
	 * the neighbour. */
	CHECK_EQ(pt_map(&e.t, Vb + K4, 0x1000, K4, RW), PT_OK);
	CHECK_EQ(pt_map(&e.t, Vb + M1 + K4, 0x1000, K4, RW), PT_OK);
	CHECK_EQ(pt_unmap(&e.t, Vb + M1 + K4, NULL), PT_OK);
	CHECK_EQ(pt_map(&e.t, Vb + M1, 0x300000, M1, RW), PT_OK);
	CHECK_EQ(pte_read(f, &e.a, root, 1025) & 3, 2);
	CHECK_EQ(e.a.in_use, e.base + 2);
	CHECK_EQ(pt_unmap(&e.t, Vb + K4, NULL), PT_OK);
	CHECK_EQ(pt_map(&e.t, Vb, 0x400000, M1, RW), PT_OK);
	CHECK_EQ(flushed_use(&e), e.base + 1); /* the group's last table went */
	/* Splitting a section allocates into a packed frame too. */
	CHECK_EQ(pt_unmap_region(&e.t, Vb + M1 + K4, K4), PT_OK);
	CHECK_EQ(e.a.in_use, e.base + 2);
	CHECK_EQ(pt_unmap_region(&e.t, Vb + 2 * K4, K4), PT_OK);
	CHECK_EQ(e.a.in_use, e.base + 2);
	check_tables(&e, true);
	CHECK_EQ(pt_unmap_region(&e.t, Vb, 8 * M1), PT_OK);
	CHECK_EQ(flushed_use(&e), e.base);
	env_fini(&e);
}

/* An allocator handing out frames above 2^pa_bits: refused, not truncated. */
static void t_wide_alloc(const struct fmt *f)
{
	struct arena a;
	struct pt_mm mm;
	struct pt_table t;
	struct pt_mapping m;
	uint64_t top = UINT64_C(1) << f->pa_bits;
	size_t rf = fmt_root_frames(f);
	const uint64_t K4 = fmt_page(f);
	CTX("%s wide frames", f->name);
	if (!CHECK_EQ(arena_init(&a, top - rf * PT_SIZE_4K, 64), 0))
		return;
	arena_mm(&a, &mm);
	if (CHECK_EQ(fmt_init(&t, f, &mm), PT_OK)) {
		CHECK_EQ(pt_map(&t, V(f, K4), K4, K4, RW), PT_ERR_NO_MEMORY);
		CHECK_EQ(pt_query(&t, V(f, K4), &m), PT_ERR_NOT_MAPPED);
		CHECK_EQ(a.in_use, rf);
		pt_destroy(&t);
	}
	CHECK_EQ(a.in_use, 0);
	arena_fini(&a);
	if (!CHECK_EQ(arena_init(&a, top, 64), 0))
		return;
	arena_mm(&a, &mm);
	CHECK_EQ(fmt_init(&t, f, &mm), PT_ERR_NO_MEMORY);
	CHECK_EQ(a.in_use, 0);
	CHECK_EQ(a.errors, 0);
	arena_fini(&a);
}

/* ---- Address-space edges ---------------------------------------------------- */

static void t_edges(const struct fmt *f)
{
	struct env e;
	struct pt_table dst;
	const uint64_t K4 = fmt_page(f), top = top_page(f);
	/* Size of the half the table serves. */
	const uint64_t half = f->arch == PT_ARMV7 ? UINT64_C(1) << 32
						      : fmt_lower_end(f);
	uint64_t sz = 0;
	CTX("%s edges", f->name);
	if (!env_init(&e, f))
		return;
	/* A range ending exactly at the top of the address space (or of the
	 * half) does not wrap. */
	CHECK_EQ(pt_map_region(&e.t, top - K4, K4, 2 * K4, RW, 0), PT_OK);
	CHECK_EQ(qpa(&e, top + K4 - 1, &sz, NULL), 3 * K4 - 1);
	CHECK_EQ(pt_protect_region(&e.t, top - K4, 2 * K4, R_), PT_OK);
	CHECK_EQ(pt_unmap_region(&e.t, top - K4, 2 * K4), PT_OK);
	CHECK_EQ(flushed_use(&e), e.base);
	/* Whole-half region calls: cheap over holes, and they clear everything. */
	CHECK_EQ(pt_map(&e.t, V(f, K4), K4, K4, RW), PT_OK);
	CHECK_EQ(pt_map(&e.t, V(f, 0x40000000), 0, fmt_span(f, fmt_huge_level(f)), RW), PT_OK);
	CHECK_EQ(pt_map(&e.t, top, K4, K4, RW), PT_OK);
	uint64_t hb = fmt_sext(f) && !f->lo ? 0 : f->lo; /* lower half */
	CHECK_EQ(pt_protect_region(&e.t, hb, half, R_ | PT_EXECUTE), PT_OK);
	CHECK_EQ(pt_query(&e.t, V(f, K4), &(struct pt_mapping){ 0, 0, 0, 0 }), PT_OK);
	{
		uint32_t fl = 0;
		qpa(&e, V(f, K4), NULL, &fl);
		CHECK_EQ(fl, norm(f, R_ | PT_EXECUTE));
	}
	CHECK_EQ(pt_unmap_region(&e.t, hb, half), PT_OK);
	CHECK_EQ(qpa(&e, V(f, K4), NULL, NULL), ~UINT64_C(0));
	if (fmt_sext(f)) {
		/* the upper half still holds its page */
		CHECK_EQ(qpa(&e, top, NULL, NULL), K4);
		CHECK_EQ(pt_unmap_region(&e.t, 0 - half, half), PT_OK);
	}
	CHECK_EQ(flushed_use(&e), e.base);
	CHECK_EQ(count_leaves(&e), 0);
	/* copy_from range errors. */
	if (CHECK_EQ(fmt_init(&dst, f, &e.mm), PT_OK)) {
		CHECK_EQ(pt_copy_from(&dst, &e.t, f->lo, 0), PT_ERR_INVALID);
		CHECK_EQ(pt_copy_from(&dst, &e.t, top + K4 - fmt_span(f, 0), 2 * fmt_span(f, 0)),
			 PT_ERR_INVALID);
		CHECK_EQ(pt_map(&e.t, V(f, K4), K4, K4, RW), PT_OK);
		CHECK_EQ(pt_copy_from(&dst, &e.t, hb, half), PT_OK);
		CHECK_EQ(qpa(&e, V(f, K4), NULL, NULL), K4);
		{
			struct pt_mapping m;
			CHECK_EQ(pt_query(&dst, V(f, K4), &m), PT_OK);
		}
		pt_destroy(&dst);
		CHECK_EQ(pt_unmap_region(&e.t, V(f, K4), K4), PT_OK);
	}
	CHECK_EQ(flushed_use(&e), e.base);
	env_fini(&e);
}

/*
 * pt_walk decodes a run of 4K leaves by compare (the next entry is the
 * previous one plus a page); at the top of the PA space that sum carries
 * out of the PA field, and an entry planted with that value must be
 * reported as pt_pte_decode reads it, not as the next page.
 */
static void t_walk_pa_top(const struct fmt *f)
{
	struct env e;
	const uint64_t K4 = fmt_page(f), va = V(f, 0x40000000);
	const uint64_t top = (UINT64_C(1) << f->pa_bits) - K4;
	const unsigned leaf = f->levels - 1;
	uint64_t tpa = 0, planted;
	struct pt_entry want;
	int wr;
	CTX("%s walk at the PA top", f->name);
	if (!env_init(&e, f))
		return;
	CHECK_EQ(pt_map(&e.t, va, top, K4, RW), PT_OK);
	if (!CHECK_EQ(walk_all(&e, 0), PT_OK))
		goto out;
	for (size_t i = 0; i < COLL.n; i++)
		if (!COLL.r[i].e.leaf && COLL.r[i].e.level == leaf - 1)
			tpa = COLL.r[i].e.pa;
	if (!CHECK(tpa != 0))
		goto out;
	planted = pte_read(f, &e.a, tpa, fmt_index(f, leaf, va)) +
		  (pt_pte_page(f->arch, f->feat, fmt_plevel(f, leaf), K4, RW) -
		   pt_pte_page(f->arch, f->feat, fmt_plevel(f, leaf), 0, RW));
	pte_write(f, &e.a, tpa, fmt_index(f, leaf, va + K4), planted);
	if (f->arch == PT_ARMV7)
		planted &= UINT32_MAX;
	wr = pt_pte_decode(f->arch, f->feat, fmt_plevel(f, leaf), planted, &want);
	if (wr == PT_ERR_CORRUPT) {
		CHECK_EQ(walk_all(&e, 0), PT_ERR_CORRUPT);
	} else if (CHECK_EQ(wr, PT_OK) && CHECK_EQ(walk_all(&e, 0), PT_OK)) {
		bool seen = false;
		for (size_t i = 0; i < COLL.n; i++) {
			const struct pt_entry *x = &COLL.r[i].e;
			if (!x->leaf || x->va != fmt_canon(f, va + K4))
				continue;
			seen = true;
			CHECK_EQ(x->pa, want.pa);
			CHECK_EQ(x->flags, want.flags);
		}
		CHECK(seen);
	}
	pte_write(f, &e.a, tpa, fmt_index(f, leaf, va + K4), 0);
out:
	env_fini(&e);
}

int main(void)
{
	for (size_t i = 0; i < NALL_FMTS; i++) {
		const struct fmt *f = fmt_nth(i);
		char name[64];
		if (!fmt_in_valgrind_runs(f))
			continue;
		snprintf(name, sizeof(name), "walk/share %s", f->name);
		group_begin(name);
		t_walk(f);
		t_copy(f);
		t_copy_unaligned(f);
		t_copy_arceos(f);
		t_edges(f);
		t_walk_pa_top(f);
		t_wide_alloc(f);
		if (f->arch == PT_ARMV7)
			t_armv7_packing(f);
		group_end();
	}
	return check_status();
}
