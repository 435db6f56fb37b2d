/* SPDX-License-Identifier: MIT */
/*
 * Region edits against the real formats (and the fake ones), one group per
 * format variant: splits at range edges, reclaim of emptied tables,
 * protect_region over many runs, TLB flush batching and break-before-make.
 * Life cycle, errors and leaves of every size are in test_engine.c.
 */
#include "engine_env.h"

/* ---- Stretches of huge leaves -------------------------------------------- */

/* map_region writes a stretch of whole huge slots at once: it stops at a
 * slot the range covers only in part (pages there) and refuses, having
 * written nothing, a stretch with a leaf in it. */
static void t_stretches(const struct fmt *f)
{
	struct env e;
	uint64_t sz = 0;
	uint32_t fl = 0;
	const uint64_t hs = fmt_span(f, fmt_huge_level(f)), K4 = fmt_page(f);
	const uint64_t H = V(f, 0x40000000), P = hs * 7;
	size_t n0;
	CTX("%s stretches", f->name);
	if (!env_init(&e, f))
		return;
	CHECK_EQ(pt_map(&e.t, H + 2 * hs, P, hs, RW), PT_OK);
	n0 = e.a.in_use;
	CHECK_EQ(pt_map_region(&e.t, H, P, 5 * hs, RW, PT_ALLOW_HUGE), PT_ERR_ALREADY_MAPPED);
	CHECK_EQ(count_leaves(&e), 1);
	CHECK_EQ(e.a.in_use, n0);
	CHECK_EQ(qpa(&e, H, NULL, NULL), ~UINT64_C(0));
	CHECK_EQ(qpa(&e, H + 4 * hs, NULL, NULL), ~UINT64_C(0));
	/* Three whole slots, then three pages of a fourth. */
	CHECK_EQ(pt_map_region(&e.t, H + 8 * hs, P, 3 * hs + 3 * K4, RW, PT_ALLOW_HUGE), PT_OK);
	for (uint64_t k = 0; k < 3; k++) {
		CHECK_EQ(qpa(&e, H + (8 + k) * hs + K4, &sz, &fl), P + k * hs + K4);
		CHECK_EQ(sz, hs);
		CHECK_EQ(fl, norm(f, RW));
	}
	CHECK_EQ(qpa(&e, H + 11 * hs + 2 * K4, &sz, NULL), P + 3 * hs + 2 * K4);
	CHECK_EQ(sz, K4);
	CHECK_EQ(qpa(&e, H + 11 * hs + 3 * K4, NULL, NULL), ~UINT64_C(0));
	CHECK_EQ(count_leaves(&e), 1 + 3 + 3);
	/* Into the live table again: stops at the first slot in use. */
	CHECK_EQ(pt_map_region(&e.t, H + 5 * hs, P, 4 * hs, RW, PT_ALLOW_HUGE), PT_ERR_ALREADY_MAPPED);
	CHECK_EQ(count_leaves(&e), 1 + 3 + 3);
	CHECK_EQ(pt_map_region(&e.t, H + 3 * hs, P, 5 * hs, RW, PT_ALLOW_HUGE), PT_OK);
	CHECK_EQ(qpa(&e, H + 7 * hs + hs - K4, &sz, NULL), P + 5 * hs - K4);
	CHECK_EQ(sz, hs);
	CHECK_EQ(count_leaves(&e), 1 + 3 + 3 + 5);
	check_tables(&e, true);
	env_fini(&e);
}

/* ---- Splits at range edges ---------------------------------------------- */

static void t_splits(const struct fmt *f)
{
	struct env e;
	uint64_t sz = 0;
	uint32_t fl = 0;
	const unsigned hl = fmt_huge_level(f);
	const uint64_t hs = fmt_span(f, hl), K4 = fmt_page(f);
	const uint64_t H = V(f, 0x40000000), P = hs * 7;
	size_t n0;
	CTX("%s splits", f->name);
	if (!env_init(&e, f))
		return;
	/* unmap_region inside a huge page: both sides stay mapped, as 4K. */
	CHECK_EQ(pt_map(&e.t, H, P, hs, RWX), PT_OK);
	n0 = e.a.in_use;
	flush_reset(&e);
	CHECK_EQ(pt_unmap_region(&e.t, H + K4, 2 * K4), PT_OK);
	CHECK_EQ(e.a.in_use, n0 + fmt_table_frames(f));
	CHECK_EQ(qpa(&e, H, &sz, &fl), P);
	CHECK_EQ(sz, K4);
	CHECK_EQ(fl, norm(f, RWX));
	CHECK_EQ(qpa(&e, H + K4, NULL, NULL), ~UINT64_C(0));
	CHECK_EQ(qpa(&e, H + 2 * K4, NULL, NULL), ~UINT64_C(0));
	CHECK_EQ(qpa(&e, H + 3 * K4, &sz, NULL), P + 3 * K4);
	CHECK_EQ(sz, K4);
	CHECK_EQ(qpa(&e, H + hs - K4, &sz, &fl), P + hs - K4);
	CHECK_EQ(fl, norm(f, RWX));
	CHECK_EQ(count_leaves(&e), hs / K4 - 2);
	pt_flush(&e.t);
	CHECK(e.a.flush_calls >= 1);
	check_tables(&e, true);
	/* Straddling the right edge of a huge page into a hole. */
	CHECK_EQ(pt_map(&e.t, H + 2 * hs, P, hs, RW), PT_OK);
	n0 = e.a.in_use;
	CHECK_EQ(pt_unmap_region(&e.t, H + 3 * hs - 2 * K4, 4 * K4), PT_OK);
	/* ARMv7: the new L2 table shares the first split's frame. */
	CHECK_EQ(e.a.in_use, n0 + (f->arch == PT_ARMV7 ? 0 : fmt_table_frames(f)));
	CHECK_EQ(qpa(&e, H + 3 * hs - 3 * K4, &sz, NULL), P + hs - 3 * K4);
	CHECK_EQ(sz, K4);
	CHECK_EQ(qpa(&e, H + 3 * hs - 2 * K4, NULL, NULL), ~UINT64_C(0));
	CHECK_EQ(qpa(&e, H + 2 * hs, &sz, NULL), P);
	/* Straddling the left edge, from a hole. */
	CHECK_EQ(pt_map(&e.t, H + 5 * hs, P, hs, RW), PT_OK);
	CHECK_EQ(pt_unmap_region(&e.t, H + 5 * hs - 2 * K4, 3 * K4), PT_OK);
	CHECK_EQ(qpa(&e, H + 5 * hs, NULL, NULL), ~UINT64_C(0));
	CHECK_EQ(qpa(&e, H + 5 * hs + K4, &sz, NULL), P + K4);
	CHECK_EQ(sz, K4);
	/* A huge page exactly covered goes whole, no split. */
	CHECK_EQ(pt_map(&e.t, H + 7 * hs, P, hs, RW), PT_OK);
	n0 = e.a.in_use;
	CHECK_EQ(pt_unmap_region(&e.t, H + 7 * hs, hs), PT_OK);
	CHECK_EQ(e.a.in_use, n0);
	CHECK_EQ(qpa(&e, H + 7 * hs, NULL, NULL), ~UINT64_C(0));
	check_tables(&e, true);

	/* protect_region splits too, and leaves the rest with its flags. */
	CHECK_EQ(pt_map(&e.t, H + 9 * hs, P, hs, RW), PT_OK);
	n0 = e.a.in_use;
	CHECK_EQ(pt_protect_region(&e.t, H + 9 * hs + K4, K4, R_), PT_OK);
	CHECK_EQ(e.a.in_use, n0 + fmt_table_frames(f));
	CHECK_EQ(qpa(&e, H + 9 * hs + K4, &sz, &fl), P + K4);
	CHECK_EQ(sz, K4);
	CHECK_EQ(fl, norm(f, R_));
	CHECK_EQ(qpa(&e, H + 9 * hs, &sz, &fl), P);
	CHECK_EQ(sz, K4);
	CHECK_EQ(fl, norm(f, RW));
	CHECK_EQ(qpa(&e, H + 10 * hs - K4, &sz, &fl), P + hs - K4);
	CHECK_EQ(fl, norm(f, RW));
	/* Same flags on a straddling huge page: left whole, nothing allocated. */
	CHECK_EQ(pt_map(&e.t, H + 11 * hs, P, hs, RW), PT_OK);
	n0 = e.a.in_use;
	flush_reset(&e);
	CHECK_EQ(pt_protect_region(&e.t, H + 11 * hs + K4, hs, RW), PT_OK);
	CHECK_EQ(e.a.in_use, n0);
	CHECK_EQ(qpa(&e, H + 11 * hs + K4, &sz, NULL), P + K4);
	CHECK_EQ(sz, hs);
	pt_flush(&e.t);
	CHECK_EQ(e.a.flush_calls, 0);
	/* A whole huge page in range keeps its size and takes the flags. */
	CHECK_EQ(pt_protect_region(&e.t, H + 11 * hs, hs, R_ | PT_USER), PT_OK);
	CHECK_EQ(qpa(&e, H + 11 * hs, &sz, &fl), P);
	CHECK_EQ(sz, hs);
	CHECK_EQ(fl, norm(f, R_ | PT_USER));
	CHECK_EQ(e.a.in_use, n0);
	check_tables(&e, true);
	/* Two-level split: a 1G leaf cut at one 4K page becomes 2M + 4K. */
	if (fmt_has_1g(f)) {
		uint64_t G = V(f, 8 * PT_SIZE_1G);
		CHECK_EQ(pt_map(&e.t, G, PT_SIZE_1G, PT_SIZE_1G, RW), PT_OK);
		n0 = e.a.in_use;
		CHECK_EQ(pt_unmap_region(&e.t, G + PT_SIZE_2M + K4, K4), PT_OK);
		CHECK_EQ(e.a.in_use, n0 + 2 * fmt_table_frames(f));
		CHECK_EQ(qpa(&e, G, &sz, NULL), PT_SIZE_1G);
		CHECK_EQ(sz, PT_SIZE_2M);
		CHECK_EQ(qpa(&e, G + PT_SIZE_2M, &sz, NULL), PT_SIZE_1G + PT_SIZE_2M);
		CHECK_EQ(sz, K4);
		CHECK_EQ(qpa(&e, G + PT_SIZE_2M + K4, NULL, NULL), ~UINT64_C(0));
		CHECK_EQ(qpa(&e, G + PT_SIZE_1G - 1, &sz, NULL), 2 * PT_SIZE_1G - 1);
		CHECK_EQ(sz, PT_SIZE_2M);
		CHECK_EQ(count_leaves(&e) >= 511 + 511, 1);
		CHECK_EQ(pt_protect_region(&e.t, G + PT_SIZE_1G - PT_SIZE_2M - K4, 2 * K4, R_), PT_OK);
		CHECK_EQ(qpa(&e, G + PT_SIZE_1G - PT_SIZE_2M, &sz, &fl), 2 * PT_SIZE_1G - PT_SIZE_2M);
		CHECK_EQ(sz, K4);
		CHECK_EQ(fl, norm(f, R_));
		CHECK_EQ(pt_unmap_region(&e.t, G, PT_SIZE_1G), PT_OK);
		CHECK_EQ(flushed_use(&e), n0);
	}
	CHECK_EQ(pt_unmap_region(&e.t, H, 16 * hs), PT_OK);
	CHECK_EQ(flushed_use(&e), e.base);
	env_fini(&e);
}

/* ---- Reclaim ------------------------------------------------------------ */

static void t_reclaim(const struct fmt *f)
{
	struct env e;
	const uint64_t K4 = fmt_page(f);
	const uint64_t R = V(f, 0x40000000 - 16 * K4);
	const uint64_t size = 4 * PT_SIZE_2M + 32 * K4;
	CTX("%s reclaim", f->name);
	if (!env_init(&e, f))
		return;
	CHECK_EQ(pt_map_region(&e.t, R, 0x100000, size, RW, 0), PT_OK);
	CHECK(e.a.in_use > e.base);
	check_tables(&e, true);
	CHECK_EQ(pt_unmap_region(&e.t, R, size), PT_OK);
	CHECK_EQ(flushed_use(&e), e.base);
	CHECK_EQ(count_leaves(&e), 0);
	CHECK_EQ(COLL.n, 0);
	/* Partial unmaps free exactly the tables left empty. */
	CHECK_EQ(pt_map_region(&e.t, R, 0x100000, size, RW, 0), PT_OK);
	for (uint64_t off = 0; off < size; off += 5 * K4 * 37) {
		uint64_t len = size - off < 37 * K4 ? size - off : 37 * K4;
		CTX("%s reclaim off %#llx", f->name, (unsigned long long)off);
		CHECK_EQ(pt_unmap_region(&e.t, R + off, len), PT_OK);
		if (!check_tables(&e, true))
			break;
	}
	CTX("%s reclaim", f->name);
	CHECK_EQ(pt_unmap_region(&e.t, R - PT_SIZE_2M, size + 2 * PT_SIZE_2M), PT_OK);
	CHECK_EQ(flushed_use(&e), e.base);
	/* pt_unmap never reclaims; a later unmap_region over the hole does. */
	CHECK_EQ(pt_map(&e.t, R, K4, K4, RW), PT_OK);
	CHECK_EQ(e.a.in_use, e.base + (f->arch == PT_ARMV7 ? 1 : (f->levels - 1) * fmt_table_frames(f)));
	CHECK_EQ(pt_unmap(&e.t, R, NULL), PT_OK);
	CHECK_EQ(e.a.in_use, e.base + (f->arch == PT_ARMV7 ? 1 : (f->levels - 1) * fmt_table_frames(f)));
	CHECK_EQ(walk_all(&e, 0), PT_OK);
	CHECK_EQ(COLL.npre, f->levels - 1); /* the empty tables are still linked */
	check_tables(&e, false);
	flush_reset(&e);
	CHECK_EQ(pt_unmap_region(&e.t, R + K4, K4), PT_OK);
	CHECK_EQ(flushed_use(&e), e.base);
	pt_flush(&e.t);
	CHECK_EQ(e.a.flush_all_calls, 1); /* a table entry went away */
	env_fini(&e);
}

/* ---- protect_region over many runs ----------------------------------------- */

/*
 * pt_protect_region's plan remembers up to PT_RUN_LOG uniform runs (src/op.h)
 * and the commit rewrites those without reading them again: runs that
 * continue across last-level tables, runs broken by a PA jump, by other
 * flags or by a hole, more runs than the log holds, and pages whose flags do
 * not change, all checked page by page against what was mapped.
 */
#define PR_PAGES 1600
static void t_protect_runs(const struct fmt *f)
{
	static uint64_t pa[PR_PAGES];
	static uint32_t fl[PR_PAGES];
	struct env e;
	const uint64_t K4 = fmt_page(f);
	const uint64_t B = V(f, 0x40000000 - 300 * K4);
	const uint32_t want = norm(f, R_ | PT_USER);
	uint64_t p = 0x2000000;
	CTX("%s protect runs", f->name);
	if (!env_init(&e, f))
		return;
	/* Runs of 1..37 pages: a PA jump or other flags every few runs, a
	 * hole now and then; runs 0..9 long enough to cross tables. */
	for (size_t i = 0, run = 0; i < PR_PAGES; run++) {
		size_t len = run < 4 ? 300 : 1 + (run * 7) % 37;
		uint32_t flags = run % 3 == 1 ? RW : run % 5 == 2 ? R_ | PT_USER : R_;
		if (run % 4 == 3)
			p += 16 * K4; /* PA jump */
		for (size_t k = 0; k < len && i < PR_PAGES; k++, i++) {
			bool hole = run % 6 == 5 && k == len / 2;
			pa[i] = hole ? 0 : p;
			fl[i] = flags;
			p += K4;
			if (!hole && !CHECK_EQ(pt_map(&e.t, B + i * K4, pa[i], K4, flags), PT_OK))
				goto out;
		}
	}
	/* The pages as mapped; then the whole range, then a part starting
	 * and ending inside runs. */
	for (size_t i = 0; i < PR_PAGES; i++) {
		uint32_t got = 0;
		if (pa[i] && !(CHECK_EQ(qpa(&e, B + i * K4, NULL, &got), pa[i]) &&
			       CHECK_EQ(got, norm(f, fl[i]))))
			break;
	}
	CHECK_EQ(pt_protect_region(&e.t, B, PR_PAGES * K4, R_ | PT_USER), PT_OK);
	for (size_t i = 0; i < PR_PAGES; i++) {
		uint32_t got = 0;
		CTX("%s protect runs page %zu", f->name, i);
		if (!pa[i]) {
			CHECK_EQ(qpa(&e, B + i * K4, NULL, NULL), ~UINT64_C(0));
			continue;
		}
		if (!CHECK_EQ(qpa(&e, B + i * K4, NULL, &got), pa[i]) || !CHECK_EQ(got, want))
			break;
	}
	CTX("%s protect runs part", f->name);
	CHECK_EQ(pt_protect_region(&e.t, B + 150 * K4, 1000 * K4, RW), PT_OK);
	for (size_t i = 0; i < PR_PAGES; i++) {
		uint32_t got = 0;
		CTX("%s protect runs part page %zu", f->name, i);
		if (!pa[i])
			continue;
		if (!CHECK_EQ(qpa(&e, B + i * K4, NULL, &got), pa[i]) ||
		    !CHECK_EQ(got, i >= 150 && i < 1150 ? norm(f, RW) : want))
			break;
	}
	CTX("%s protect runs", f->name);
	check_tables(&e, true);
	CHECK_EQ(e.a.errors, 0);
out:
	env_fini(&e);
}

/* ---- TLB flush batching -------------------------------------------------- */

static void t_flush(const struct fmt *f)
{
	struct env e;
	const uint64_t K4 = fmt_page(f), B = V(f, 0x40000000);
	const bool bbm = fmt_bbm(f);
	CTX("%s flush", f->name);
	if (!env_init(&e, f))
		return;
	flush_reset(&e);
	for (int i = 0; i < 3; i++)
		CHECK_EQ(pt_map(&e.t, B + (uint64_t)i * K4, K4, K4, RW), PT_OK);
	CHECK_EQ(e.a.flush_calls, 0); /* nothing until pt_flush */
	pt_flush(&e.t);
	CHECK_EQ(e.a.flush_calls, 3);
	CHECK_EQ(e.a.flush_all_calls, 0);
	CHECK_EQ(e.a.flush_last_va, B + 2 * K4);
	pt_flush(&e.t); /* forgotten */
	CHECK_EQ(e.a.flush_calls, 3);
	/* 32 records: one call each; 33: one call for everything. */
	flush_reset(&e);
	CHECK_EQ(pt_map_region(&e.t, B + 16 * K4, 0x100000, 32 * K4, RW, 0), PT_OK);
	pt_flush(&e.t);
	CHECK_EQ(e.a.flush_calls, 32);
	CHECK_EQ(e.a.flush_all_calls, 0);
	flush_reset(&e);
	CHECK_EQ(pt_map_region(&e.t, B + 64 * K4, 0x100000, 33 * K4, RW, 0), PT_OK);
	pt_flush(&e.t);
	CHECK_EQ(e.a.flush_calls, 1);
	CHECK_EQ(e.a.flush_all_calls, 1);
	pt_flush(&e.t);
	CHECK_EQ(e.a.flush_calls, 1);
	/* Unmaps record; identical remap/protect record nothing. */
	flush_reset(&e);
	CHECK_EQ(pt_unmap(&e.t, B, NULL), PT_OK);
	CHECK_EQ(pt_unmap(&e.t, B + K4, NULL), PT_OK);
	pt_flush(&e.t);
	CHECK_EQ(e.a.flush_calls, 2);
	CHECK_EQ(e.a.flush_last_va, B + K4);
	flush_reset(&e);
	CHECK_EQ(pt_remap(&e.t, B + 2 * K4, K4, RW, NULL), PT_OK);
	CHECK_EQ(pt_protect(&e.t, B + 2 * K4, RW, NULL), PT_OK);
	CHECK_EQ(pt_protect_region(&e.t, B + 16 * K4, 32 * K4, RW), PT_OK);
	pt_flush(&e.t);
	CHECK_EQ(e.a.flush_calls, 0);
	/* A permission change records, never flushes on the spot. */
	flush_reset(&e);
	CHECK_EQ(pt_protect(&e.t, B + 2 * K4, R_, NULL), PT_OK);
	CHECK_EQ(e.a.flush_calls, 0);
	pt_flush(&e.t);
	CHECK_EQ(e.a.flush_calls, 1);
	CHECK_EQ(e.a.flush_last_va, B + 2 * K4);
	/* A new output address: break-before-make flushes at once on Arm,
	 * while the entry is invalid. */
	flush_reset(&e);
	{
		uint64_t lt = table_at(&e, B + 2 * K4, f->levels - 1);
		e.watch = arena_ptr(&e.a, lt + fmt_index(f, f->levels - 1, B + 2 * K4) * fmt_pte_bytes(f));
		e.nwatched = 0;
		e.watched = 1;
	}
	CHECK_EQ(pt_remap(&e.t, B + 2 * K4, 7 * K4, R_, NULL), PT_OK);
	if (bbm) {
		CHECK_EQ(e.a.flush_calls, 1);
		CHECK_EQ(e.a.flush_last_va, B + 2 * K4);
		CHECK_EQ(e.nwatched, 1);
		CHECK_EQ(e.watched, fmt_empty(f)); /* broken before make */
	} else {
		CHECK_EQ(e.a.flush_calls, 0);
	}
	CHECK_EQ(qpa(&e, B + 2 * K4, NULL, NULL), 7 * K4);
	/* So does a memory-type change. */
	flush_reset(&e);
	e.watched = 1;
	CHECK_EQ(pt_protect(&e.t, B + 2 * K4, R_ | PT_DEVICE, NULL), PT_OK);
	CHECK_EQ(e.a.flush_calls, bbm ? 1 : 0);
	if (bbm)
		CHECK_EQ(e.watched, fmt_empty(f));
	e.watch = NULL;
	pt_flush(&e.t);
	/* A protect_region over 40 pages: one flush-all. */
	flush_reset(&e);
	CHECK_EQ(pt_protect_region(&e.t, B + 16 * K4, 81 * K4, R_), PT_OK);
	pt_flush(&e.t);
	CHECK_EQ(e.a.flush_calls, 1);
	CHECK_EQ(e.a.flush_all_calls, 1);
	/* Splitting a huge page records its base once. */
	{
		const uint64_t hs = fmt_span(f, fmt_huge_level(f)), H = V(f, 0x80000000);
		CHECK_EQ(pt_map(&e.t, H, 0, hs, RW), PT_OK);
		flush_reset(&e);
		/* A block becoming a table is break-before-make on Arm too. */
		{
			uint64_t ht = table_at(&e, H, hl_of(f));
			e.watch = arena_ptr(&e.a, ht + fmt_index(f, hl_of(f), H) * fmt_pte_bytes(f));
			e.nwatched = 0;
			e.watched = 1;
		}
		CHECK_EQ(pt_protect_region(&e.t, H + K4, K4, R_), PT_OK);
		if (bbm) {
			CHECK_EQ(e.nwatched, 1);
			CHECK_EQ(e.watched, fmt_empty(f));
		}
		e.watch = NULL;
		pt_flush(&e.t);
		CHECK(e.a.flush_calls >= 1 && e.a.flush_calls <= 2);
		CHECK_EQ(e.a.flush_all_calls, 0);
	}
	/* Without a flush hook nothing breaks. */
	{
		struct pt_mm mm = e.mm;
		struct pt_table t2;
		mm.flush_tlb = NULL;
		if (CHECK_EQ(fmt_init(&t2, f, &mm), PT_OK)) {
			CHECK_EQ(pt_map(&t2, B, K4, K4, RW), PT_OK);
			CHECK_EQ(pt_remap(&t2, B, 3 * K4, RW, NULL), PT_OK);
			CHECK_EQ(pt_unmap_region(&t2, B, K4), PT_OK);
			pt_flush(&t2);
			pt_destroy(&t2);
		}
	}
	env_fini(&e);
}

int main(void)
{
	for (size_t i = 0; i < NALL_FMTS; i++) {
		const struct fmt *f = fmt_nth(i);
		char name[64];
		snprintf(name, sizeof(name), "edit %s", f->name);
		group_begin(name);
		t_stretches(f);
		t_splits(f);
		t_reclaim(f);
		t_protect_runs(f);
		t_flush(f);
		group_end();
	}
	return check_status();
}
