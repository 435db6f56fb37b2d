/* SPDX-License-Identifier: MIT */
/*
 * Shared scaffolding of the engine tests (test_engine.c, test_walk.c,
 * test_translate.c): a table on an arena whose allocator can also hand
 * back PA 0, a walk recorder, and structural checks of a table we own.
 */
#ifndef PT_TEST_ENGINE_ENV_H
#define PT_TEST_ENGINE_ENV_H

#include <stdlib.h>

#include "check.h"
#include "fmt.h"

#define R_ PT_READ
#define RW (PT_READ | PT_WRITE)
#define RWX (PT_READ | PT_WRITE | PT_EXECUTE)

#define ARENA_BASE UINT64_C(0x10000000)
#define ARENA_FRAMES 16384

/* ---- Environment -------------------------------------------------------- */

/* Wraps the arena so a test can make the allocator hand back PA 0. */
struct env {
	const struct fmt *f;
	struct arena a;
	struct pt_mm mm;
	struct pt_table t;
	size_t base;             /* frames in use right after pt_init */
	unsigned long zero_at;   /* the zero_at-th allocation from now returns PA 0 */
	/* An entry to sample whenever flush_tlb is called (break-before-make). */
	const unsigned char *watch;
	uint64_t watched;
	unsigned long nwatched;
};

static inline int env_alloc(void *ctx, size_t count, size_t align, uint64_t *pa)
{
	struct env *e = ctx;
	if (e->zero_at && --e->zero_at == 0) {
		*pa = 0;
		return 0;
	}
	return arena_alloc_frames(&e->a, count, align, pa);
}
static inline void env_free(void *ctx, uint64_t pa, size_t count)
{
	arena_free_frames(&((struct env *)ctx)->a, pa, count);
}
static inline void *env_virt(void *ctx, uint64_t pa)
{
	return arena_phys_to_virt(&((struct env *)ctx)->a, pa);
}
static inline void env_flush(void *ctx, uint64_t va, bool all)
{
	struct env *e = ctx;
	if (e->watch) {
		if (e->f->arch == PT_ARMV7) {
			uint32_t w;
			memcpy(&w, e->watch, 4);
			e->watched = w;
		} else {
			memcpy(&e->watched, e->watch, 8);
		}
		e->nwatched++;
	}
	arena_flush_tlb(&e->a, va, all);
}

static inline int env_init(struct env *e, const struct fmt *f)
{
	memset(e, 0, sizeof(*e));
	e->f = f;
	if (arena_init(&e->a, ARENA_BASE, ARENA_FRAMES) != 0)
		return CHECK(!"arena_init"), 0;
	e->mm = (struct pt_mm){ env_alloc, env_free, env_virt, env_flush, e };
	if (!CHECK_EQ(fmt_init(&e->t, f, &e->mm), PT_OK)) {
		arena_fini(&e->a);
		return 0;
	}
	e->base = e->a.in_use;
	CHECK_EQ(e->base, fmt_root_frames(f));
	return 1;
}

static inline void env_fini(struct env *e)
{
	pt_destroy(&e->t);
	CHECK_EQ(e->a.in_use, 0);
	if (!CHECK_EQ(e->a.errors, 0))
		printf("  arena: %s\n", e->a.error);
	arena_fini(&e->a);
}

/* Frames in use once pt_flush handed back the table frames edits took out
 * of the tree (they wait for a full flush). */
static inline size_t flushed_use(struct env *e)
{
	pt_flush(&e->t);
	return e->a.in_use;
}

static inline void flush_reset(struct env *e)
{
	pt_flush(&e->t);
	e->a.flush_calls = e->a.flush_all_calls = 0;
	e->a.flush_last_va = 0;
}

static inline uint64_t V(const struct fmt *f, uint64_t off)
{
	return f->lo + off;
}

/* The last page of the half the table serves. */
static inline uint64_t top_page(const struct fmt *f)
{
	if (f->arch == PT_ARMV7)
		return 0xfffff000;
	if (fmt_is_a64(f->arch))
		return f->lo ? 0 - fmt_page(f) : fmt_lower_end(f) - fmt_page(f);
	if (fmt_stage2(f))
		return fmt_lower_end(f) - PT_SIZE_4K;
	return UINT64_C(0xfffffffffffff000);
}

/* Query helper: the PA, or ~0 if the query failed. */
static inline uint64_t qpa(struct env *e, uint64_t va, uint64_t *size, uint32_t *flags)
{
	struct pt_mapping m;
	if (pt_query(&e->t, va, &m) != PT_OK)
		return ~UINT64_C(0);
	if (size)
		*size = m.size;
	if (flags)
		*flags = m.flags;
	return m.pa;
}

static inline uint32_t norm(const struct fmt *f, uint32_t fl)
{
	return pt_flags_normalize(f->arch, f->feat, fl);
}

/* ---- Walk recorder ------------------------------------------------------ */

struct rec {
	struct pt_entry e;
	bool post;
};

struct coll {
	struct rec r[8 * 16384];
	size_t n;
	size_t npre, npost;
	size_t stop_pre, stop_post; /* stop at the n-th pre/post call (1-based); 0 never */
	int stop_val;
};

static inline int coll_pre(void *arg, const struct pt_entry *e)
{
	struct coll *c = arg;
	if (c->n < 8 * 16384)
		c->r[c->n++] = (struct rec){ *e, false };
	c->npre++;
	return c->stop_pre && c->npre == c->stop_pre ? c->stop_val : 0;
}

static inline int coll_post(void *arg, const struct pt_entry *e)
{
	struct coll *c = arg;
	if (c->n < 8 * 16384)
		c->r[c->n++] = (struct rec){ *e, true };
	c->npost++;
	return c->stop_post && c->npost == c->stop_post ? c->stop_val : 0;
}

static struct coll COLL;

static inline int walk_all(struct env *e, size_t limit)
{
	struct pt_walk_ops ops = { limit, coll_pre, coll_post };
	int r;
	memset(&COLL, 0, sizeof(COLL));
	r = pt_walk(&e->t, &ops, &COLL);
	CHECK_EQ(COLL.n, COLL.npre + COLL.npost); /* the recorder did not overflow */
	return r;
}

/*
 * Structural invariants of a table we own: every table the walk reaches holds
 * exactly as many non-zero raw entries as the walk reported below it, no
 * table (but the root) is empty when `no_empty` is set, and the frame count
 * is exactly the root plus the distinct frames of all tables.
 */
static inline int check_tables(struct env *e, bool no_empty)
{
	const struct fmt *f = e->f;
	uint64_t tpa[PT_MAX_LEVELS + 1];
	size_t kids[PT_MAX_LEVELS + 1];
	uint64_t frames[4096];
	size_t nframes = 0, bad_count = 0, empty = 0;
	if (!CHECK_EQ(walk_all(e, 0), PT_OK))
		return 0;
	tpa[0] = pt_root(&e->t);
	kids[0] = 0;
	/* Pre/post order lets us keep one table per level on a stack. */
	for (size_t i = 0; i < COLL.n; i++) {
		const struct rec *r = &COLL.r[i];
		unsigned l = r->e.level;
		if (!r->post) {
			kids[l]++;
			if (!r->e.leaf) {
				tpa[l + 1] = r->e.pa;
				kids[l + 1] = 0;
				uint64_t fr = r->e.pa & ~UINT64_C(0xfff);
				size_t k;
				for (k = 0; k < nframes && frames[k] != fr; k++)
					;
				if (k == nframes && nframes < 4096)
					frames[nframes++] = fr;
			}
		} else if (!r->e.leaf) {
			size_t nz = 0;
			for (size_t j = 0; j < fmt_entries(f, l + 1); j++)
				nz += pte_read(f, &e->a, tpa[l + 1], j) != fmt_empty(f);
			bad_count += nz != kids[l + 1];
			empty += kids[l + 1] == 0;
		}
	}
	{
		size_t nz = 0;
		for (size_t j = 0; j < fmt_entries(f, 0); j++)
			nz += pte_read(f, &e->a, tpa[0], j) != fmt_empty(f);
		bad_count += nz != kids[0];
	}
	int ok = CHECK_EQ(bad_count, 0);
	if (no_empty)
		ok &= CHECK_EQ(empty, 0);
	ok &= CHECK_EQ(e->a.in_use,
		       fmt_root_frames(f) + nframes * fmt_table_frames(f) + pending_frames(&e->t));
	return ok;
}

/* Leaves the walk reports. */
static inline size_t count_leaves(struct env *e)
{
	size_t n = 0;
	if (walk_all(e, 0) != PT_OK)
		return (size_t)-1;
	for (size_t i = 0; i < COLL.n; i++)
		n += !COLL.r[i].post && COLL.r[i].e.leaf;
	return n;
}

/* PA of the table at `level` on va's path (0 if none). */
static inline uint64_t table_at(struct env *e, uint64_t va, unsigned level)
{
	uint64_t pa = pt_root(&e->t);
	const struct fmt *f = e->f;
	for (unsigned l = 0; l < level; l++) {
		struct pt_entry d;
		uint64_t pte = pte_read(f, &e->a, pa, fmt_index(f, l, va));
		if (pt_pte_decode(f->arch, f->feat, fmt_plevel(f, l), pte, &d) != PT_OK || d.leaf)
			return 0;
		pa = d.pa;
	}
	return pa;
}

/* A value that decodes as corrupt at the root / at the last level; 0 if the
 * format has none there (every present x86 PTE is a valid 4K leaf). */
static inline uint64_t corrupt_root(const struct fmt *f)
{
	if (fmt_empty(f)) /* the root's valid bit and bit 0, never used */
		return UINT64_C(1) << (1 + 3 * (f->levels - 1)) | 1;
	/* FEAT_LPA2: bits 9:8 are address and the root may hold blocks; a
	 * table with bit 50 set. */
	if ((f->feat & PT_FEAT_AARCH64_PA52) && f->arch != PT_AARCH64_64K)
		return UINT64_C(1) << 50 | 0x3;
	switch (f->arch) {
	case PT_X86_64:
	case PT_X86_64_LA57: return 0x1000 | 0x81;
	case PT_AARCH64: /* a level-0 block where the root is level 0 */
		return f->levels == 4 ? 0x401 : 0x501;
	case PT_AARCH64_16K:
	case PT_AARCH64_64K:
	case PT_AARCH64_S2: return 0x501; /* SH 0b01 (the root may hold blocks) */
	case PT_LOONGARCH64: return 0x1000 | 0x40 | 0x91;
	case PT_ARMV7: return 0x100000 | 0x3;
	case PT_X86_64_EPT:
	case PT_X86_64_EPT5: return 0x1000 | 0x2; /* write-only */
	default: return 0xc5; /* RISC-V W without R */
	}
}

static inline uint64_t corrupt_leaf(const struct fmt *f)
{
	if (fmt_empty(f))
		return 0x3;
	switch (f->arch) {
	case PT_X86_64:
	case PT_X86_64_LA57: return 0;
	case PT_AARCH64:
	case PT_AARCH64_S2: return 0x1000 | 0x401; /* level 3, bit 1 clear */
	case PT_LOONGARCH64: return 0x1000 | 0xb1;
	case PT_ARMV7: return 0x10000 | 0x1;
	case PT_X86_64_EPT:
	case PT_X86_64_EPT5: return 0x1000 | 2 << 3 | 0x7; /* memory type 2 */
	default: return (0x1000 >> 2) | 0xc5;
	}
}

static inline unsigned hl_of(const struct fmt *f)
{
	return fmt_huge_level(f);
}

/* n random region edits in [base, base + span), pages of pg bytes: a map
 * (which may fail where pages are in use), a protect to one of the nfl
 * flags fl, or an unmap, each of 1 to 64 pages. */
static inline void random_edits(struct env *e, uint64_t base, uint64_t span, uint64_t pg,
				const uint32_t *fl, size_t nfl, uint64_t *s, int n)
{
	for (int i = 0; i < n; i++) {
		uint64_t off = (rng_next(s) % (span / pg)) * pg;
		uint64_t len = (1 + rng_next(s) % 64) * pg;
		uint32_t flags = fl[rng_next(s) % nfl];
		if (off + len > span)
			continue;
		switch (rng_next(s) % 3) {
		case 0:
			pt_map_region(&e->t, base + off, UINT64_C(0x100000000) + off, len, flags, 0);
			break;
		case 1:
			CHECK_EQ(pt_protect_region(&e->t, base + off, len, flags), PT_OK);
			break;
		default:
			CHECK_EQ(pt_unmap_region(&e->t, base + off, len), PT_OK);
		}
	}
}

#endif
