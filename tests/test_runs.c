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
 * Queries report each member as its own page.
 */
#include "engine_env.h"

#define CONT (UINT64_C(1) << 52)

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
		k += (raw(e, va + i * size, l) & CONT) != 0;
	return k;
}

/* Group sizes by granule: pages, blocks. */
static void group_of(const struct fmt *f, size_t *g0, size_t *g1)
{
	*g0 = f->arch == PT_AARCH64 ? 16 : f->arch == PT_AARCH64_16K ? 128 : 32;
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
	CHECK_EQ(raw(&e, va - pg, leaf) & CONT, 0);
	CHECK_EQ(raw(&e, va + 3 * gs, leaf) & CONT, 0);
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
		if (!fmt_is_a64(FMTS[i].arch) && !fmt_stage2(&FMTS[i]) && FMTS[i].arch != PT_ARMV7)
			t_none(&FMTS[i]);
	group_end();
	return check_status();
}
