/* SPDX-License-Identifier: MIT */
/*
 * Atomicity of the region calls: for every region operation on
 * every format, fail the 1st, 2nd, 3rd ... allocation (and, separately, hand
 * back PA 0) until the call succeeds. After each failure the full walk
 * digest (every entry, raw values) and the frame count must be unchanged and
 * the arena must have seen no bad free. The call that finally succeeds must
 * leave exactly the table an undisturbed run leaves. Each run again with
 * PT_FREE_MAX table frames already waiting for a flush: a failed call
 * flushes nothing and leaves them waiting, as they were.
 */
#include <stdlib.h>

#include "check.h"
#include "fmt.h"

static uint64_t K4; /* the page: 4K, or the AArch64 granule */
#define RW (PT_READ | PT_WRITE)

struct env {
	const struct fmt *f;
	struct arena a;
	struct pt_mm mm;
	struct pt_table t;
	unsigned long zero_at; /* the zero_at-th allocation from now returns PA 0 */
};

static int env_alloc(void *ctx, size_t count, size_t align, uint64_t *pa)
{
	struct env *e = ctx;
	if (e->zero_at && --e->zero_at == 0) {
		*pa = 0;
		return 0;
	}
	return arena_alloc_frames(&e->a, count, align, pa);
}
static void env_free(void *ctx, uint64_t pa, size_t count)
{
	arena_free_frames(&((struct env *)ctx)->a, pa, count);
}
static void *env_virt(void *ctx, uint64_t pa)
{
	return arena_phys_to_virt(&((struct env *)ctx)->a, pa);
}
static void env_flush(void *ctx, uint64_t va, bool all)
{
	arena_flush_tlb(&((struct env *)ctx)->a, va, all);
}

static int env_init(struct env *e, const struct fmt *f)
{
	memset(e, 0, sizeof(*e));
	e->f = f;
	if (arena_init(&e->a, UINT64_C(0x10000000), 8192) != 0)
		return 0;
	e->mm = (struct pt_mm){ env_alloc, env_free, env_virt, env_flush, e };
	if (fmt_init(&e->t, f, &e->mm) != PT_OK) {
		arena_fini(&e->a);
		return 0;
	}
	return 1;
}

static void env_fini(struct env *e)
{
	pt_destroy(&e->t);
	CHECK_EQ(e->a.in_use, 0);
	CHECK_EQ(e->a.errors, 0);
	arena_fini(&e->a);
}

static uint64_t V(const struct fmt *f, uint64_t off)
{
	return f->lo + off;
}

static uint64_t HS(const struct fmt *f)
{
	return fmt_span(f, fmt_huge_level(f));
}

/* ---- Scenarios: a setup (may be empty) and the region call under test ---- */

struct scen {
	const char *name;
	bool needs_1g;               /* skipped on ARMv7 */
	void (*setup)(struct env *e);
	int (*op)(struct env *e);
	int want;                    /* final result once allocations succeed */
	int allocates;               /* 1: must fail at least once, 0: never, -1: may */
};

static void s_none(struct env *e)
{
	(void)e;
}

/* 4K pages across two table boundaries, fresh table. */
static int o_map4k(struct env *e)
{
	return pt_map_region(&e->t, V(e->f, 0x40000000 - 2 * K4), 0x100000, 2 * HS(e->f) + 4 * K4, RW, 0);
}

/* Huge leaves with 4K head and tail. */
static int o_maphuge(struct env *e)
{
	return pt_map_region(&e->t, V(e->f, 0x40000000 - 2 * K4), 0x20000000 - 2 * K4,
			     2 * HS(e->f) + 4 * K4, RW, PT_ALLOW_HUGE);
}

/* 4K + 1G + 2M + 2M + 4K. */
static int o_map1g(struct env *e)
{
	uint64_t g = PT_SIZE_1G;
	return pt_map_region(&e->t, V(e->f, 4 * g - K4), 4 * g - K4, g + 2 * PT_SIZE_2M + 2 * K4, RW,
			     PT_ALLOW_HUGE);
}

/* Tables partly there: pages just outside both ends of the range. */
static void s_partial(struct env *e)
{
	uint64_t hs = HS(e->f);
	CHECK_EQ(pt_map(&e->t, V(e->f, 0x40000000 - hs), K4, K4, RW), PT_OK);
	CHECK_EQ(pt_map(&e->t, V(e->f, 0x40000000 + 2 * hs + K4), K4, K4, RW), PT_OK);
	CHECK_EQ(pt_map(&e->t, V(e->f, 0x40000000 + 3 * hs), K4, K4, RW), PT_OK);
}
static int o_partial(struct env *e)
{
	uint64_t hs = HS(e->f);
	return pt_map_region(&e->t, V(e->f, 0x40000000 - hs + K4), 5 * K4, 3 * hs - K4, RW, 0);
}
static int o_partial_huge(struct env *e)
{
	uint64_t hs = HS(e->f);
	return pt_map_region(&e->t, V(e->f, 0x40000000 - hs + K4), 0x40000000 - hs + K4,
			     3 * hs - K4, RW, PT_ALLOW_HUGE);
}

/* A page right after o_maphuge's range: its tail shares a table. */
static void s_right(struct env *e)
{
	CHECK_EQ(pt_map(&e->t, V(e->f, 0x40000000 + 2 * HS(e->f) + 3 * K4), K4, K4, RW), PT_OK);
}

/* An emptied subtree in the way (replaced), plus a table to allocate. */
static void s_emptied(struct env *e)
{
	CHECK_EQ(pt_map(&e->t, V(e->f, 0x40000000 + K4), K4, K4, RW), PT_OK);
	CHECK_EQ(pt_unmap(&e->t, V(e->f, 0x40000000 + K4), NULL), PT_OK);
}
static int o_emptied(struct env *e)
{
	return pt_map_region(&e->t, V(e->f, 0x40000000 - K4), 0x40000000 - K4,
			     2 * HS(e->f) + K4, RW, PT_ALLOW_HUGE);
}

/* A page mapped at the end of the range: the plan refuses before any
 * allocation, so no NO_MEMORY is ever seen. */
static void s_blocked(struct env *e)
{
	CHECK_EQ(pt_map(&e->t, V(e->f, 0x40000000 + 2 * HS(e->f)), K4, K4, RW), PT_OK);
}
static int o_blocked(struct env *e)
{
	return pt_map_region(&e->t, V(e->f, 0x40000000 - 2 * K4), K4, 2 * HS(e->f) + 3 * K4,
			     RW, 0);
}

/* Two huge pages, each straddling one edge of the range. */
static void s_two_huge(struct env *e)
{
	uint64_t hs = HS(e->f);
	CHECK_EQ(pt_map(&e->t, V(e->f, 0x40000000), 0x40000000, hs, RW), PT_OK);
	CHECK_EQ(pt_map(&e->t, V(e->f, 0x40000000 + hs), 0x40000000 + hs, hs, RW), PT_OK);
	/* and a huge page in another table group, to need a third frame */
	CHECK_EQ(pt_map(&e->t, V(e->f, 0x40000000 + 9 * hs), 0, hs, RW), PT_OK);
}
static int o_unmap_split(struct env *e)
{
	uint64_t hs = HS(e->f);
	return pt_unmap_region(&e->t, V(e->f, 0x40000000 + K4), hs);
}
static int o_protect_split(struct env *e)
{
	uint64_t hs = HS(e->f);
	return pt_protect_region(&e->t, V(e->f, 0x40000000 + K4), hs, PT_READ);
}
static int o_unmap_split3(struct env *e)
{
	uint64_t hs = HS(e->f);
	return pt_unmap_region(&e->t, V(e->f, 0x40000000 + K4), 9 * hs);
}

static void s_1g(struct env *e)
{
	CHECK_EQ(pt_map(&e->t, V(e->f, 4 * PT_SIZE_1G), PT_SIZE_1G, PT_SIZE_1G, RW), PT_OK);
}
static int o_unmap_1g(struct env *e)
{
	return pt_unmap_region(&e->t, V(e->f, 4 * PT_SIZE_1G + PT_SIZE_2M + K4), K4);
}
static int o_protect_1g(struct env *e)
{
	return pt_protect_region(&e->t, V(e->f, 4 * PT_SIZE_1G + PT_SIZE_2M + K4), 3 * PT_SIZE_2M,
				 PT_READ | PT_EXECUTE);
}

/* A full table to reclaim next to a huge page to split. */
static void s_reclaim_split(struct env *e)
{
	uint64_t hs = HS(e->f);
	CHECK_EQ(pt_map_region(&e->t, V(e->f, 0x40000000 - hs), 0x100000, hs, RW, 0), PT_OK);
	CHECK_EQ(pt_map(&e->t, V(e->f, 0x40000000 + hs), 0, hs, RW), PT_OK);
}
static int o_reclaim_split(struct env *e)
{
	uint64_t hs = HS(e->f);
	return pt_unmap_region(&e->t, V(e->f, 0x40000000 - hs), 2 * hs + K4);
}

/*
 * Frames already waiting for a flush (pt_flush) when the call under test
 * runs: exactly PT_FREE_MAX of them, so that the next frame out of the
 * tree makes the call flush and free them all. Pages far from every
 * scenario's range, each in a last-level table frame of its own, each
 * reclaimed by an unmap_region of its own; one more keeps the directories.
 */
static void prime(struct env *e)
{
	const struct fmt *f = e->f;
	const uint64_t step = f->arch == PT_ARMV7 ? 4 * PT_SIZE_1M : HS(f);
	const uint64_t va = V(f, 0x80000000);
	for (unsigned k = 0; k <= PT_FREE_MAX; k++)
		CHECK_EQ(pt_map(&e->t, va + k * step, K4, K4, RW), PT_OK);
	pt_flush(&e->t);
	for (unsigned k = 0; k < PT_FREE_MAX; k++)
		CHECK_EQ(pt_unmap_region(&e->t, va + k * step, K4), PT_OK);
	CHECK_EQ(e->t.nfree, PT_FREE_MAX);
}

static const struct scen SCENS[] = {
	{ "map_region 4K", false, s_none, o_map4k, PT_OK, true },
	{ "map_region huge", false, s_none, o_maphuge, PT_OK, true },
	{ "map_region 1G", true, s_none, o_map1g, PT_OK, true },
	{ "map_region partial tables", false, s_partial, o_partial, PT_OK, true },
	/* No frame needed, but ARMv7 may reserve a spare one. */
	{ "map_region partial tables huge", false, s_partial, o_partial_huge, PT_OK, -1 },
	{ "map_region huge next to a table", false, s_right, o_maphuge, PT_OK, true },
	{ "map_region over emptied subtree", false, s_emptied, o_emptied, PT_OK, true },
	{ "map_region blocked", false, s_blocked, o_blocked, PT_ERR_ALREADY_MAPPED, 0 },
	{ "unmap_region split both edges", false, s_two_huge, o_unmap_split, PT_OK, true },
	{ "unmap_region split far edge", false, s_two_huge, o_unmap_split3, PT_OK, true },
	{ "protect_region split both edges", false, s_two_huge, o_protect_split, PT_OK, true },
	{ "unmap_region split 1G", true, s_1g, o_unmap_1g, PT_OK, true },
	{ "protect_region split 1G", true, s_1g, o_protect_1g, PT_OK, true },
	{ "unmap_region reclaim and split", false, s_reclaim_split, o_reclaim_split, PT_OK, true },
};

/* What a failed call must not touch: the frames waiting for a flush, and
 * the TLB (no flush, so nothing of the wait is spent). */
struct waiting {
	unsigned n;
	uint64_t v[PT_FREE_MAX];
	unsigned long flushes;
};

static void waiting_take(const struct env *e, struct waiting *w)
{
	w->n = e->t.nfree;
	memcpy(w->v, e->t.free_pending, sizeof(w->v));
	w->flushes = e->a.flush_calls;
}

static void run(const struct fmt *f, const struct scen *sc, bool zero_pa, bool primed)
{
	struct env e;
	K4 = fmt_page(f);
	struct digest ref = { 0, 0 };
	size_t ref_use = 0;
	unsigned long failures = 0;
	const char *how = zero_pa ? (primed ? " (PA 0, frames waiting)" : " (PA 0)")
				  : (primed ? " (frames waiting)" : "");
	CTX("%s %s%s reference", f->name, sc->name, how);
	/* The undisturbed run. */
	if (!CHECK(env_init(&e, f)))
		return;
	if (primed)
		prime(&e);
	sc->setup(&e);
	CHECK_EQ(sc->op(&e), sc->want);
	ref = table_digest(&e.t);
	ref_use = e.a.in_use;
	env_fini(&e);
	for (unsigned long n = 1; n < 100; n++) {
		struct digest d0, d1;
		struct waiting w0, w1;
		size_t use0;
		int r;
		CTX("%s %s%s: failing allocation %lu", f->name, sc->name, how, n);
		if (!CHECK(env_init(&e, f)))
			return;
		if (primed)
			prime(&e);
		sc->setup(&e);
		d0 = table_digest(&e.t);
		use0 = e.a.in_use;
		waiting_take(&e, &w0);
		if (zero_pa)
			e.zero_at = n;
		else
			arena_fail_nth(&e.a, n);
		r = sc->op(&e);
		arena_fail_nth(&e.a, 0);
		e.zero_at = 0;
		if (r == PT_ERR_NO_MEMORY) {
			failures++;
			d1 = table_digest(&e.t);
			CHECK_EQ(d1.h, d0.h);
			CHECK_EQ(d1.n, d0.n);
			CHECK_EQ(e.a.in_use, use0);
			CHECK_EQ(e.a.errors, 0);
			waiting_take(&e, &w1);
			CHECK_EQ(w1.flushes, w0.flushes);
			CHECK_EQ(w1.n, w0.n);
			CHECK(memcmp(w1.v, w0.v, sizeof(w0.v)) == 0);
			/* The table still works: the same call now succeeds. */
			CHECK_EQ(sc->op(&e), sc->want);
			CHECK_EQ(table_digest(&e.t).n, ref.n);
			env_fini(&e);
			continue;
		}
		CHECK_EQ(r, sc->want);
		d1 = table_digest(&e.t);
		CHECK_EQ(d1.h, ref.h);
		CHECK_EQ(e.a.in_use, ref_use);
		env_fini(&e);
		break;
	}
	CTX("%s %s%s", f->name, sc->name, how);
	if (sc->allocates > 0)
		CHECK(failures > 0);
	else if (sc->allocates == 0 || f->arch != PT_ARMV7)
		CHECK_EQ(failures, 0);
}

int main(void)
{
	for (size_t i = 0; i < NFMTS; i++) {
		const struct fmt *f = &FMTS[i];
		char name[64];
		if (!fmt_in_slow_suites(f))
			continue;
		snprintf(name, sizeof(name), "atomic %s", f->name);
		group_begin(name);
		for (size_t s = 0; s < sizeof(SCENS) / sizeof(SCENS[0]); s++) {
			if (SCENS[s].needs_1g && !fmt_has_1g(f))
				continue;
			run(f, &SCENS[s], false, false);
			run(f, &SCENS[s], true, false);
			run(f, &SCENS[s], false, true);
			run(f, &SCENS[s], true, true);
		}
		group_end();
	}
#ifndef PT_TEST_FORMATS
	/* The 16K and 64K granules: tables of several frames below the root. */
	for (size_t i = 0; i < NGRAN_FMTS; i++) {
		const struct fmt *f = &GRAN_FMTS[i];
		char name[64];
		if (!fmt_in_slow_suites(f))
			continue;
		snprintf(name, sizeof(name), "atomic %s", f->name);
		group_begin(name);
		for (size_t s = 0; s < sizeof(SCENS) / sizeof(SCENS[0]); s++) {
			if (SCENS[s].needs_1g && !fmt_has_1g(f))
				continue;
			run(f, &SCENS[s], false, false);
			run(f, &SCENS[s], true, true);
		}
		group_end();
	}
#endif
	return check_status();
}
