/* SPDX-License-Identifier: MIT */
/*
 * Contiguous runs, from the Arm ARM's rules, not from arch/: a map with
 * PT_ALLOW_HUGE sets the contiguous bit (52) on every aligned group of
 * leaves over an equally aligned PA run (4K: 16 pages, 16 2M blocks; 16K:
 * 128 pages, 32 blocks; 64K: 32 and 32), and on nothing else; an edit that
 * covers a group whole keeps the bit on all of its members (or clears them
 * all); an edit of part of a group first breaks the whole group (every
 * member invalid and its VA flushed before any is written again), and a
 * group changed behind libpt's back is refused with nothing written.
 * Queries report each member as its own page. The same for RISC-V Svnapot
 * (Privileged ISA, Svnapot chapter): 16 last-level leaves over an aligned
 * 64 KiB run all hold one entry, N (63) set and PPN[3:0] = 0b1000, the
 * run's PPN above; tables hold such leaves whether or not libpt may write
 * them.
 */
#include "engine_env.h"

#define CONT (UINT64_C(1) << 52)
#define NAPOT_N (UINT64_C(1) << 63)
#define PPN_LOW4 (UINT64_C(0xf) << 10)

static bool is_riscv(const struct fmt *f)
{
	return fmt_is_riscv(f->arch) || fmt_is_gstage(f->arch);
}

/* Does the leaf v carry its format's run mark? */
static bool is_marked(const struct fmt *f, uint64_t v)
{
	if (is_riscv(f))
		return (v & (NAPOT_N | PPN_LOW4)) == (NAPOT_N | (UINT64_C(8) << 10));
	return (v & CONT) != 0;
}

/* The entry mapping va at level l (its leaf's level). */
static uint64_t raw(struct env *e, uint64_t va, unsigned l)
{
	return pte_read(e->f, &e->a, table_at(e, va, l), fmt_index(e->f, l, va));
}

static void poke(struct env *e, uint64_t va, unsigned l, uint64_t v)
{
	pte_write(e->f, &e->a, table_at(e, va, l), fmt_index(e->f, l, va), v);
}

/* How many of the n entries of `size` from va at level l carry the bit. */
static size_t marked(struct env *e, uint64_t va, size_t n, uint64_t size, unsigned l)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		k += is_marked(e->f, raw(e, va + i * size, l));
	return k;
}

/* Group sizes by granule: pages, blocks. */
static void group_of(const struct fmt *f, size_t *g0, size_t *g1)
{
	*g0 = f->arch == PT_AARCH64 || is_riscv(f) ? 16 : f->arch == PT_AARCH64_16K ? 128 : 32;
	*g1 = f->arch == PT_AARCH64 ? 16 : 32;
}

/* A snapshot of every entry the walk reports, to compare after a failed call. */
static uint64_t digest(struct env *e)
{
	uint64_t h = 1469598103934665603ull;
	walk_all(e, 0);
	for (size_t i = 0; i < COLL.n; i++)
		h = (h ^ COLL.r[i].e.pte ^ COLL.r[i].e.va) * 1099511628211ull;
	return h;
}

static void t_pages(const struct fmt *f)
{
	struct env e;
	size_t g0, g1;
	const uint64_t pg = fmt_page(f);
	const unsigned leaf = f->levels - 1;
	uint64_t gs, va, pa;
	if (!env_init(&e, f))
		return;
	group_of(f, &g0, &g1);
	gs = g0 * pg;
	va = V(f, 4 * gs);
	pa = UINT64_C(0x40000000);
	CTX("%s pages", f->name);
	/* Three groups and a page either side: the groups marked, not the
	 * pages around them. */
	CHECK_EQ(pt_map_region(&e.t, va - pg, pa - pg, 3 * gs + 2 * pg, RW, PT_ALLOW_HUGE), PT_OK);
	CHECK_EQ(marked(&e, va, 3 * g0, pg, leaf), 3 * g0);
	CHECK(!is_marked(f, raw(&e, va - pg, leaf)));
	CHECK(!is_marked(f, raw(&e, va + 3 * gs, leaf)));
	/* Svnapot: every member holds its run's one entry. */
	for (size_t i = 0; is_riscv(f) && i < 3 * g0; i++) {
		const uint64_t v = raw(&e, va + i * pg, leaf);
		CHECK_EQ(v, raw(&e, va + (i / g0) * gs, leaf));
		CHECK_EQ((v >> 10) & ((UINT64_C(1) << 44) - 16), (pa + (i / g0) * gs) >> 12);
	}
	/* Each member is its own page to a query. */
	{
		uint64_t size = 0;
		uint32_t fl = 0;
		CHECK_EQ(qpa(&e, va + 5 * pg, &size, &fl), pa + 5 * pg);
		CHECK_EQ(size, pg);
		CHECK_EQ(fl, norm(f, RW));
	}
	/* Protect of the middle group whole: its marks stay. */
	CHECK_EQ(pt_protect_region(&e.t, va + gs, gs, R_), PT_OK);
	CHECK_EQ(marked(&e, va + gs, g0, pg, leaf), g0);
	/* One page of the first group: that group broken, flushed page by
	 * page with every member invalid at each flush, the others kept. */
	flush_reset(&e);
	e.watch = (const unsigned char *)arena_phys_to_virt(&e.a, table_at(&e, va, leaf)) +
		  fmt_index(f, leaf, va + (g0 - 1) * pg) * 8;
	e.nwatched = 0;
	CHECK_EQ(pt_protect(&e.t, va + 3 * pg, R_, NULL), PT_OK);
	CHECK(e.nwatched >= g0);
	CHECK_EQ(e.watched, 0); /* the last member still empty at the last flush */
	e.watch = NULL;
	CHECK_EQ(marked(&e, va, g0, pg, leaf), 0);
	CHECK_EQ(marked(&e, va + gs, 2 * g0, pg, leaf), 2 * g0);
	CHECK_EQ(qpa(&e, va + 3 * pg, NULL, NULL), pa + 3 * pg);
	CHECK_EQ(qpa(&e, va + (g0 - 1) * pg, NULL, NULL), pa + (g0 - 1) * pg);
	/* An unmap of the last group's second half: broken, the rest there. */
	CHECK_EQ(pt_unmap_region(&e.t, va + 2 * gs + gs / 2, gs / 2), PT_OK);
	CHECK_EQ(marked(&e, va + 2 * gs, g0 / 2, pg, leaf), 0);
	CHECK_EQ(qpa(&e, va + 2 * gs, NULL, NULL), pa + 2 * gs);
	/* A range from a whole group into the next: the first kept, the
	 * second, holding the range's last page, broken. */
	CHECK_EQ(pt_map_region(&e.t, va + 8 * gs, pa + 8 * gs, 2 * gs, RW, PT_ALLOW_HUGE), PT_OK);
	CHECK_EQ(pt_protect_region(&e.t, va + 8 * gs, gs + pg, R_), PT_OK);
	CHECK_EQ(marked(&e, va + 8 * gs, g0, pg, leaf), g0);
	CHECK_EQ(marked(&e, va + 9 * gs, g0, pg, leaf), 0);
	/* A state change inside the middle group breaks it too. */
	CHECK_EQ(pt_set_state(&e.t, va + gs, PT_ACCESSED), PT_OK);
	CHECK_EQ(marked(&e, va + gs, g0, pg, leaf), 0);
	env_fini(&e);
	CTX_CLEAR();
}

/* A PA run aligned otherwise than its VAs: nothing marked. A map without
 * PT_ALLOW_HUGE: nothing marked. */
static void t_unaligned(const struct fmt *f)
{
	struct env e;
	size_t g0, g1;
	const uint64_t pg = fmt_page(f);
	const unsigned leaf = f->levels - 1;
	uint64_t gs, va;
	if (!env_init(&e, f))
		return;
	group_of(f, &g0, &g1);
	gs = g0 * pg;
	va = V(f, 8 * gs);
	CTX("%s unaligned", f->name);
	CHECK_EQ(pt_map_region(&e.t, va, UINT64_C(0x40000000) + pg, 2 * gs, RW, PT_ALLOW_HUGE), PT_OK);
	CHECK_EQ(marked(&e, va, 2 * g0, pg, leaf), 0);
	CHECK_EQ(pt_map_region(&e.t, va + 4 * gs, UINT64_C(0x40000000), 2 * gs, RW, 0), PT_OK);
	CHECK_EQ(marked(&e, va + 4 * gs, 2 * g0, pg, leaf), 0);
	env_fini(&e);
	CTX_CLEAR();
}

/* Groups of blocks, and a group changed behind libpt's back. */
static void t_blocks(const struct fmt *f)
{
	struct env e;
	size_t g0, g1;
	const unsigned bl = f->levels - 2;
	uint64_t bs, gs, va, d0, d1;
	if (!env_init(&e, f))
		return;
	group_of(f, &g0, &g1);
	bs = fmt_page(f) << (fmt_page_shift(f) - 3); /* a block one level up */
	gs = g1 * bs;
	CTX("%s blocks", f->name);
	if (!((f->leaf_mask >> bl) & 1) || V(f, 2 * gs) + gs - 1 > fmt_lower_end(f) - 1 + f->lo) {
		env_fini(&e);
		CTX_CLEAR();
		return;
	}
	va = V(f, gs);
	CHECK_EQ(pt_map_region(&e.t, va, gs, gs, RW, PT_ALLOW_HUGE), PT_OK);
	CHECK_EQ(marked(&e, va, g1, bs, bl), g1);
	/* A member emptied behind libpt's back: an edit of another member
	 * that would split the group is refused, nothing written; one of
	 * the whole group is not. */
	d0 = raw(&e, va + bs, bl);
	poke(&e, va + bs, bl, 0);
	d1 = digest(&e);
	CHECK_EQ(pt_protect_region(&e.t, va, bs, R_), PT_ERR_CORRUPT);
	CHECK_EQ(pt_unmap(&e.t, va + 2 * bs, NULL), PT_ERR_CORRUPT);
	CHECK_EQ(pt_protect(&e.t, va + 3 * bs, R_, NULL), PT_ERR_CORRUPT);
	CHECK_EQ(digest(&e), d1);
	poke(&e, va + bs, bl, d0);
	/* Part of one block: the group broken, that block split. */
	CHECK_EQ(pt_protect_region(&e.t, va + 2 * bs, fmt_page(f), R_), PT_OK);
	CHECK_EQ(marked(&e, va, g1, bs, bl), 0);
	CHECK_EQ(qpa(&e, va + 2 * bs + fmt_page(f), NULL, NULL), gs + 2 * bs + fmt_page(f));
	env_fini(&e);
	CTX_CLEAR();
}

/* What the walks report in [va0, ...), each page mapped at pa0 + its
 * offset: how many, and how many otherwise. */
struct pa_seen {
	uint64_t va0, pa0;
	size_t n, bad;
};

static int pre_pa(void *arg, const struct pt_entry *en)
{
	struct pa_seen *ps = arg;
	if (en->leaf && en->va >= ps->va0 && en->va < ps->va0 + 0x20000) {
		ps->n++;
		ps->bad += en->pa - ps->pa0 != en->va - ps->va0 || en->size != 0x1000;
	}
	return 0;
}

static int batch_pa(void *arg, const struct pt_batch *b)
{
	struct pa_seen *ps = arg;
	for (size_t i = 0; i < b->n; i++) {
		ps->n++;
		ps->bad += PT_BATCH_PA(b, i) - ps->pa0 != b->va + i * b->size - ps->va0;
	}
	return 0;
}

static int range_pa(void *arg, const struct pt_range *r)
{
	struct pa_seen *ps = arg;
	ps->n++;
	ps->bad += r->pa - ps->pa0 != r->va - ps->va0 || r->size != 0x20000;
	return 0;
}

/*
 * Svnapot: a run changed behind libpt's back (a member with another PPN,
 * or other flags) is refused by an edit that would split it, nothing
 * written; members differing only in A and D (which the MMU may set in
 * any of them, for any page of the run) are not, and every page of the
 * run has the run's state (the union of the members'): to a query, to a
 * walk, and in each piece when the run is broken.
 * NAPOT leaves written by someone else read as 16 pages in any table, and
 * an N leaf with another PPN[3:0] as corrupt.
 */
static void t_napot(const struct fmt *f)
{
	struct env e;
	const uint64_t pg = 0x1000, gs = 16 * pg, pa = UINT64_C(0x40000000);
	const unsigned leaf = f->levels - 1;
	const uint64_t va = V(f, 4 * gs);
	uint64_t d0, d1, v;
	if (!env_init(&e, f))
		return;
	CTX("%s napot", f->name);
	CHECK_EQ(pt_map_region(&e.t, va, pa, 2 * gs, RW, PT_ALLOW_HUGE), PT_OK);
	CHECK_EQ(marked(&e, va, 32, pg, leaf), (f->feat & PT_FEAT_RISCV_SVNAPOT) ? 32 : 0);
	/* Written by hand (as another OS would), whatever the features. */
	v = raw(&e, va, leaf);
	v = (v & ~(((UINT64_C(1) << 44) - 1) << 10)) | ((pa >> 12) | 8) << 10 | NAPOT_N;
	for (unsigned i = 0; i < 32; i++)
		poke(&e, va + i * pg, leaf, v + (i >= 16 ? UINT64_C(16) << 10 : 0));
	for (unsigned i = 0; i < 32; i++) {
		uint64_t size = 0;
		CHECK_EQ(qpa(&e, va + i * pg + 0x123, &size, NULL), pa + i * pg + 0x123);
		CHECK_EQ(size, pg);
	}
	walk_all(&e, 0);
	{
		size_t k = 0;
		for (size_t i = 0; i < COLL.n; i++)
			if (!COLL.r[i].post && COLL.r[i].e.leaf && COLL.r[i].e.va >= va &&
			    COLL.r[i].e.va < va + 2 * gs) {
				CHECK_EQ(COLL.r[i].e.pa - pa, COLL.r[i].e.va - va);
				CHECK_EQ(k++, (COLL.r[i].e.va - va) / pg);
			}
		CHECK_EQ(k, 32);
	}
	{
		struct pa_seen ps = { va, pa, 0, 0 };
		const struct pt_walk_ops pre_only = { 0, pre_pa, NULL };
		CHECK_EQ(pt_walk(&e.t, &pre_only, &ps), PT_OK);
		CHECK_EQ(ps.n, 32);
		CHECK_EQ(ps.bad, 0);
		ps.n = 0;
		CHECK_EQ(pt_walk_batches(&e.t, va, 2 * gs, batch_pa, &ps), PT_OK);
		CHECK_EQ(ps.n, 32);
		CHECK_EQ(ps.bad, 0);
		ps.n = 0;
		CHECK_EQ(pt_walk_ranges(&e.t, va, 2 * gs, range_pa, &ps), PT_OK);
		CHECK_EQ(ps.n, 1); /* one range: the runs are contiguous */
		CHECK_EQ(ps.bad, 0);
	}
	{
		struct pt_entry d;
		CHECK_EQ(pt_pte_decode(f->arch, f->feat, fmt_plevel(f, leaf), v, &d), PT_OK);
		CHECK_EQ(d.pa, pa); /* one entry, no VA: its run */
		CHECK_EQ(d.size, gs);
	}
	/* A and D differ between members: every page has the run's state. */
	for (unsigned i = 0; i < 16; i++)
		poke(&e, va + i * pg, leaf, v & ~(UINT64_C(3) << 6)); /* A = D = 0 */
	poke(&e, va + 5 * pg, leaf, v & ~(UINT64_C(1) << 6)); /* D only */
	poke(&e, va + 9 * pg, leaf, v & ~(UINT64_C(1) << 7)); /* A only */
	{
		struct pt_mapping m;
		CHECK_EQ(pt_query(&e.t, va + 2 * pg, &m), PT_OK);
		CHECK_EQ(m.state, PT_ACCESSED | PT_DIRTY);
		walk_all(&e, 0);
		for (size_t i = 0; i < COLL.n; i++)
			if (COLL.r[i].e.leaf && COLL.r[i].e.va >= va && COLL.r[i].e.va < va + gs)
				CHECK_EQ(COLL.r[i].e.state, PT_ACCESSED | PT_DIRTY);
	}
	CHECK_EQ(pt_protect(&e.t, va + 3 * pg, R_, NULL), PT_OK);
	CHECK_EQ(marked(&e, va, 16, pg, leaf), 0);
	for (unsigned i = 0; i < 16; i++)
		CHECK_EQ(raw(&e, va + i * pg, leaf) & (UINT64_C(3) << 6), UINT64_C(3) << 6);
	for (unsigned i = 0; i < 16; i++)
		CHECK_EQ(qpa(&e, va + i * pg, NULL, NULL), pa + i * pg);
	/* A member of the second run with another PPN, then other flags:
	 * refused, nothing written. */
	d0 = raw(&e, va + gs + 7 * pg, leaf);
	for (unsigned m = 0; m < 2; m++) {
		poke(&e, va + gs + 7 * pg, leaf, m ? d0 & ~(UINT64_C(1) << 2) : d0 + (UINT64_C(16) << 10));
		d1 = digest(&e);
		CHECK_EQ(pt_protect_region(&e.t, va + gs, pg, R_), PT_ERR_CORRUPT);
		CHECK_EQ(pt_unmap(&e.t, va + gs + 9 * pg, NULL), PT_ERR_CORRUPT);
		CHECK_EQ(pt_unmap_region(&e.t, va + gs + gs / 2, gs / 2), PT_ERR_CORRUPT);
		CHECK_EQ(digest(&e), d1);
	}
	poke(&e, va + gs + 7 * pg, leaf, d0);
	CHECK_EQ(pt_unmap_region(&e.t, va + gs + gs / 2, gs / 2), PT_OK);
	CHECK_EQ(qpa(&e, va + gs + gs / 2 - pg, NULL, NULL), pa + gs + gs / 2 - pg);
	/* N with PPN[3:0] other than 0b1000 is reserved: corrupt. */
	poke(&e, va + gs, leaf, d0 - (UINT64_C(1) << 10));
	{
		struct pt_mapping m;
		CHECK_EQ(pt_query(&e.t, va + gs, &m), PT_ERR_CORRUPT);
	}
	env_fini(&e);
	CTX_CLEAR();
}

/* A format without runs never has bit 52 set by one. */
static void t_none(const struct fmt *f)
{
	struct env e;
	if (!env_init(&e, f))
		return;
	CTX("%s none", f->name);
	CHECK_EQ(pt_map_region(&e.t, V(f, 0x200000), 0x200000, 0x400000, RW, PT_ALLOW_HUGE), PT_OK);
	walk_all(&e, 0);
	for (size_t i = 0; i < COLL.n; i++)
		if (COLL.r[i].e.leaf)
			CHECK_EQ(pt_pte_page(f->arch, f->feat, fmt_plevel(f, COLL.r[i].e.level),
					     COLL.r[i].e.pa, COLL.r[i].e.flags),
				 COLL.r[i].e.pte);
	env_fini(&e);
	CTX_CLEAR();
}

int main(void)
{
	group_begin("runs: pages of every granule");
	for (size_t i = 0; i < NFMTS; i++)
		if (FMTS[i].arch == PT_AARCH64)
			t_pages(&FMTS[i]);
	for (size_t i = 0; i < NGRAN_FMTS; i++)
		t_pages(&GRAN_FMTS[i]);
	group_end();
	group_begin("runs: PA not aligned, no huge leaves");
	for (size_t i = 0; i < NFMTS; i++)
		if (FMTS[i].arch == PT_AARCH64)
			t_unaligned(&FMTS[i]);
	for (size_t i = 0; i < NGRAN_FMTS; i++)
		t_unaligned(&GRAN_FMTS[i]);
	group_end();
	group_begin("runs: groups of blocks, a group changed behind libpt's back");
	for (size_t i = 0; i < NFMTS; i++)
		if (FMTS[i].arch == PT_AARCH64)
			t_blocks(&FMTS[i]);
	for (size_t i = 0; i < NGRAN_FMTS; i++)
		t_blocks(&GRAN_FMTS[i]);
	group_end();
	group_begin("runs: formats without them");
	for (size_t i = 0; i < NFMTS; i++)
		if (!fmt_is_a64(FMTS[i].arch) && !fmt_stage2(&FMTS[i]) && FMTS[i].arch != PT_ARMV7 &&
		    !(FMTS[i].feat & PT_FEAT_RISCV_SVNAPOT))
			t_none(&FMTS[i]);
	group_end();
	group_begin("runs: Svnapot, written by libpt and by others");
	for (size_t i = 0; i < NFMTS; i++)
		if (is_riscv(&FMTS[i]) && !(FMTS[i].feat & PT_FEAT_RISCV_XUANTIE)) {
			if (FMTS[i].feat & PT_FEAT_RISCV_SVNAPOT) {
				t_pages(&FMTS[i]);
				t_unaligned(&FMTS[i]);
			}
			t_napot(&FMTS[i]);
		}
	group_end();
	return check_status();
}
