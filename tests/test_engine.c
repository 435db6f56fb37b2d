/* SPDX-License-Identifier: MIT */
/*
 * Engine tests against the real formats, one group per format variant:
 * SPEC §6 error cases in the check order of the brief, huge pages of every
 * size, empty-subtree replacement, splits at range edges, reclaim, TLB flush
 * batching, walk order/limit/stop, copy_from sharing, translate over real and
 * garbage tables, ARMv7 L2 packing, zeroed frames, PA 0 from the allocator,
 * NULL pointers and dead tables.
 */
#include <stdlib.h>
#include <sys/mman.h>

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

static int env_init(struct env *e, const struct fmt *f)
{
	memset(e, 0, sizeof(*e));
	e->f = f;
	if (arena_init(&e->a, ARENA_BASE, ARENA_FRAMES) != 0)
		return CHECK(!"arena_init"), 0;
	e->mm = (struct pt_mm){ env_alloc, env_free, env_virt, env_flush, e };
	if (!CHECK_EQ(pt_init(&e->t, f->arch, f->feat, &e->mm), PT_OK)) {
		arena_fini(&e->a);
		return 0;
	}
	e->base = e->a.in_use;
	CHECK_EQ(e->base, fmt_root_frames(f));
	return 1;
}

static void env_fini(struct env *e)
{
	pt_destroy(&e->t);
	CHECK_EQ(e->a.in_use, 0);
	if (!CHECK_EQ(e->a.errors, 0))
		printf("  arena: %s\n", e->a.error);
	arena_fini(&e->a);
}

static void flush_reset(struct env *e)
{
	pt_flush(&e->t);
	e->a.flush_calls = e->a.flush_all_calls = 0;
	e->a.flush_last_va = 0;
}

static uint64_t V(const struct fmt *f, uint64_t off)
{
	return f->lo + off;
}

/* The last page of the half the table serves. */
static uint64_t top_page(const struct fmt *f)
{
	if (f->arch == PT_ARMV7)
		return 0xfffff000;
	if (f->arch == PT_AARCH64)
		return f->lo ? UINT64_C(0xfffffffffffff000) : UINT64_C(0x0000fffffffff000);
	return UINT64_C(0xfffffffffffff000);
}

/* Query helper: the PA, or ~0 if the query failed. */
static uint64_t qpa(struct env *e, uint64_t va, uint64_t *size, uint32_t *flags)
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

static uint32_t norm(const struct fmt *f, uint32_t fl)
{
	return pt_flags_normalize(f->arch, f->feat, fl);
}

/* ---- Walk recorder ------------------------------------------------------ */

struct rec {
	struct pt_entry e;
	bool post;
};

struct coll {
	struct rec r[16384];
	size_t n;
	size_t npre, npost;
	size_t stop_pre, stop_post; /* stop at the n-th pre/post call (1-based); 0 never */
	int stop_val;
};

static int coll_pre(void *arg, const struct pt_entry *e)
{
	struct coll *c = arg;
	if (c->n < 16384)
		c->r[c->n++] = (struct rec){ *e, false };
	c->npre++;
	return c->stop_pre && c->npre == c->stop_pre ? c->stop_val : 0;
}

static int coll_post(void *arg, const struct pt_entry *e)
{
	struct coll *c = arg;
	if (c->n < 16384)
		c->r[c->n++] = (struct rec){ *e, true };
	c->npost++;
	return c->stop_post && c->npost == c->stop_post ? c->stop_val : 0;
}

static struct coll COLL;

static int walk_all(struct env *e, size_t limit)
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
static int check_tables(struct env *e, bool no_empty)
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
				nz += pte_read(f, &e->a, tpa[l + 1], j) != 0;
			bad_count += nz != kids[l + 1];
			empty += kids[l + 1] == 0;
		}
	}
	{
		size_t nz = 0;
		for (size_t j = 0; j < fmt_entries(f, 0); j++)
			nz += pte_read(f, &e->a, tpa[0], j) != 0;
		bad_count += nz != kids[0];
	}
	int ok = CHECK_EQ(bad_count, 0);
	if (no_empty)
		ok &= CHECK_EQ(empty, 0);
	ok &= CHECK_EQ(e->a.in_use, fmt_root_frames(f) + nframes);
	return ok;
}

/* Leaves the walk reports. */
static size_t count_leaves(struct env *e)
{
	size_t n = 0;
	if (walk_all(e, 0) != PT_OK)
		return (size_t)-1;
	for (size_t i = 0; i < COLL.n; i++)
		n += !COLL.r[i].post && COLL.r[i].e.leaf;
	return n;
}

/* PA of the table at `level` on va's path (0 if none). */
static uint64_t table_at(struct env *e, uint64_t va, unsigned level)
{
	uint64_t pa = pt_root(&e->t);
	const struct fmt *f = e->f;
	for (unsigned l = 0; l < level; l++) {
		struct pt_entry d;
		uint64_t pte = pte_read(f, &e->a, pa, fmt_index(f, l, va));
		if (pt_pte_decode(f->arch, f->feat, l, pte, &d) != PT_OK || d.leaf)
			return 0;
		pa = d.pa;
	}
	return pa;
}

/* A value that decodes as corrupt at the root / at the last level; 0 if the
 * format has none there (every present x86 PTE is a valid 4K leaf). */
static uint64_t corrupt_root(const struct fmt *f)
{
	switch (f->arch) {
	case PT_X86_64:
	case PT_X86_64_LA57: return 0x1000 | 0x81;
	case PT_AARCH64: return 0x401;
	case PT_LOONGARCH64: return 0x1000 | 0x40 | 0x91;
	case PT_ARMV7: return 0x100000 | 0x3;
	default: return 0xc5; /* RISC-V W without R */
	}
}

static uint64_t corrupt_leaf(const struct fmt *f)
{
	switch (f->arch) {
	case PT_X86_64:
	case PT_X86_64_LA57: return 0;
	case PT_AARCH64: return 0x1000 | 0x401;
	case PT_LOONGARCH64: return 0x1000 | 0xb1;
	case PT_ARMV7: return 0x10000 | 0x1;
	default: return (0x1000 >> 2) | 0xc5;
	}
}

/* ---- Life cycle and argument errors ------------------------------------ */

static void t_init(const struct fmt *f)
{
	struct env e;
	struct pt_table t;
	struct pt_mm mm;
	CTX("%s init", f->name);
	if (!env_init(&e, f))
		return;
	mm = e.mm;
	CHECK_EQ(pt_init(NULL, f->arch, f->feat, &mm), PT_ERR_INVALID);
	CHECK_EQ(pt_init(&t, f->arch, f->feat, NULL), PT_ERR_INVALID);
	CHECK_EQ(pt_init(&t, PT_ARCH_COUNT, 0, &mm), PT_ERR_INVALID);
	mm.alloc_frames = NULL;
	CHECK_EQ(pt_init(&t, f->arch, f->feat, &mm), PT_ERR_INVALID);
	mm = e.mm, mm.free_frames = NULL;
	CHECK_EQ(pt_init(&t, f->arch, f->feat, &mm), PT_ERR_INVALID);
	mm = e.mm, mm.phys_to_virt = NULL;
	CHECK_EQ(pt_init(&t, f->arch, f->feat, &mm), PT_ERR_INVALID);
	mm = e.mm;
	/* Features of another arch, or conflicting ones. */
	if (f->arch == PT_AARCH64) {
		CHECK_EQ(pt_init(&t, f->arch, PT_FEAT_RISCV_SVPBMT, &mm), PT_ERR_INVALID);
		CHECK_EQ(pt_init(&t, f->arch, PT_FEAT_AARCH64_EL2 | PT_FEAT_AARCH64_HIGH, &mm),
			 PT_ERR_INVALID);
	} else if (fmt_is_riscv(f->arch)) {
		CHECK_EQ(pt_init(&t, f->arch, PT_FEAT_AARCH64_EL2, &mm), PT_ERR_INVALID);
		CHECK_EQ(pt_init(&t, f->arch, PT_FEAT_RISCV_SVPBMT | PT_FEAT_RISCV_XUANTIE, &mm),
			 PT_ERR_INVALID);
	} else {
		CHECK_EQ(pt_init(&t, f->arch, PT_FEAT_AARCH64_HIGH, &mm), PT_ERR_INVALID);
		CHECK_EQ(pt_init(&t, f->arch, PT_FEAT_RISCV_SVPBMT, &mm), PT_ERR_INVALID);
	}
	CHECK_EQ(pt_init(&t, f->arch, 1u << 20, &mm), PT_ERR_INVALID);
	CHECK_EQ(e.a.in_use, e.base);
	/* Allocation failure and PA 0 at init. */
	arena_fail_nth(&e.a, 1);
	CHECK_EQ(pt_init(&t, f->arch, f->feat, &mm), PT_ERR_NO_MEMORY);
	e.zero_at = 1;
	CHECK_EQ(pt_init(&t, f->arch, f->feat, &mm), PT_ERR_NO_MEMORY);
	CHECK_EQ(e.a.in_use, e.base);
	/* The root is zeroed although the arena hands out dirty frames. */
	CHECK_EQ(count_leaves(&e), 0);
	CHECK_EQ(COLL.n, 0);
	check_tables(&e, true);
	CHECK(pt_root(&e.t) >= ARENA_BASE);
	CHECK_EQ(pt_root(&e.t) % (fmt_root_frames(f) * 4096), 0);
	env_fini(&e);
	CHECK_EQ(pt_root(&e.t), 0);
}

static void t_dead_and_null(const struct fmt *f)
{
	struct env e;
	struct pt_mapping m;
	uint64_t sz = 0;
	struct pt_walk_ops ops = { 0, coll_pre, NULL };
	uint64_t va = V(f, 0x40000000);
	CTX("%s null/dead", f->name);
	if (!env_init(&e, f))
		return;
	CHECK_EQ(pt_map(&e.t, va, 0x1000, PT_SIZE_4K, RW), PT_OK);
	CHECK_EQ(pt_query(&e.t, va, NULL), PT_ERR_INVALID);
	CHECK_EQ(pt_query(NULL, va, &m), PT_ERR_INVALID);
	CHECK_EQ(pt_map(NULL, va, 0x1000, PT_SIZE_4K, RW), PT_ERR_INVALID);
	CHECK_EQ(pt_unmap(NULL, va, &m), PT_ERR_INVALID);
	CHECK_EQ(pt_remap(NULL, va, 0x1000, RW, &sz), PT_ERR_INVALID);
	CHECK_EQ(pt_protect(NULL, va, RW, &sz), PT_ERR_INVALID);
	CHECK_EQ(pt_map_region(NULL, va, 0x1000, PT_SIZE_4K, RW, 0), PT_ERR_INVALID);
	CHECK_EQ(pt_unmap_region(NULL, va, PT_SIZE_4K), PT_ERR_INVALID);
	CHECK_EQ(pt_protect_region(NULL, va, PT_SIZE_4K, RW), PT_ERR_INVALID);
	CHECK_EQ(pt_copy_from(NULL, &e.t, f->lo, fmt_span(f, 0)), PT_ERR_INVALID);
	CHECK_EQ(pt_copy_from(&e.t, NULL, f->lo, fmt_span(f, 0)), PT_ERR_INVALID);
	CHECK_EQ(pt_walk(NULL, &ops, &COLL), PT_ERR_INVALID);
	CHECK_EQ(pt_walk(&e.t, NULL, &COLL), PT_ERR_INVALID);
	CHECK_EQ(pt_root(NULL), 0);
	pt_flush(NULL);
	pt_destroy(NULL);
	/* Optional out pointers may be NULL. */
	CHECK_EQ(pt_remap(&e.t, va, 0x2000, RW, NULL), PT_OK);
	CHECK_EQ(pt_protect(&e.t, va, R_, NULL), PT_OK);
	CHECK_EQ(pt_unmap(&e.t, va, NULL), PT_OK);
	pt_destroy(&e.t);
	CHECK_EQ(e.a.in_use, 0);
	/* A dead table refuses everything. */
	CHECK_EQ(pt_root(&e.t), 0);
	CHECK_EQ(pt_map(&e.t, va, 0x1000, PT_SIZE_4K, RW), PT_ERR_INVALID);
	CHECK_EQ(pt_query(&e.t, va, &m), PT_ERR_INVALID);
	CHECK_EQ(pt_unmap(&e.t, va, &m), PT_ERR_INVALID);
	CHECK_EQ(pt_remap(&e.t, va, 0x1000, RW, &sz), PT_ERR_INVALID);
	CHECK_EQ(pt_protect(&e.t, va, RW, &sz), PT_ERR_INVALID);
	CHECK_EQ(pt_map_region(&e.t, va, 0x1000, PT_SIZE_4K, RW, 0), PT_ERR_INVALID);
	CHECK_EQ(pt_unmap_region(&e.t, va, PT_SIZE_4K), PT_ERR_INVALID);
	CHECK_EQ(pt_protect_region(&e.t, va, PT_SIZE_4K, RW), PT_ERR_INVALID);
	CHECK_EQ(pt_walk(&e.t, &ops, &COLL), PT_ERR_INVALID);
	pt_flush(&e.t);
	pt_destroy(&e.t); /* twice: no-op */
	CHECK_EQ(e.a.in_use, 0);
	CHECK_EQ(e.a.errors, 0);
	CHECK_EQ(e.a.allocs, e.a.frees);
	arena_fini(&e.a);
}

/* pt_map and the region calls: every error, in the brief's check order. */
static void t_errors(const struct fmt *f)
{
	struct env e;
	struct digest d0;
	struct pt_mapping m;
	uint64_t sz = 0;
	const unsigned hl = fmt_huge_level(f);
	const uint64_t hs = fmt_span(f, hl);
	const uint64_t va = V(f, 0x40000000);
	const uint64_t noncanon = f->arch == PT_ARMV7 ? UINT64_C(1) << 32
				  : f->arch == PT_AARCH64 ? (f->lo ? UINT64_C(0x1000) : HIGH_HALF)
							  : UINT64_C(1) << (f->va_bits - 1);
	const uint64_t widepa = UINT64_C(1) << f->pa_bits;
	CTX("%s errors", f->name);
	if (!env_init(&e, f))
		return;
	d0 = table_digest(&e.t);
	/* INVALID: flags, size, va, pa. */
	CHECK_EQ(pt_map(&e.t, va, 0x1000, PT_SIZE_4K, 0), PT_ERR_INVALID);
	CHECK_EQ(pt_map(&e.t, va, 0x1000, PT_SIZE_4K, PT_WRITE), PT_ERR_INVALID);
	CHECK_EQ(pt_map(&e.t, va, 0x1000, PT_SIZE_4K, R_ | 0x40), PT_ERR_INVALID);
	CHECK_EQ(pt_map(&e.t, va, 0x1000, 0, R_), PT_ERR_INVALID);
	CHECK_EQ(pt_map(&e.t, va, 0x1000, 2 * PT_SIZE_4K, R_), PT_ERR_INVALID);
	CHECK_EQ(pt_map(&e.t, va, 0, f->arch == PT_ARMV7 ? PT_SIZE_2M : PT_SIZE_1M, R_),
		 PT_ERR_INVALID);
	if (f->arch != PT_RISCV_SV48 && f->arch != PT_RISCV_SV57)
		CHECK_EQ(pt_map(&e.t, f->lo, 0, PT_SIZE_512G, R_), PT_ERR_INVALID);
	if (f->arch != PT_RISCV_SV57)
		CHECK_EQ(pt_map(&e.t, f->lo, 0, PT_SIZE_256T, R_), PT_ERR_INVALID);
	CHECK_EQ(pt_map(&e.t, noncanon, 0x1000, PT_SIZE_4K, R_), PT_ERR_INVALID);
	CHECK_EQ(pt_map(&e.t, va, widepa, PT_SIZE_4K, R_), PT_ERR_INVALID);
	/* INVALID is decided before NOT_ALIGNED. */
	CHECK_EQ(pt_map(&e.t, va + 0x800, 0x1000, PT_SIZE_4K, 0), PT_ERR_INVALID);
	CHECK_EQ(pt_map(&e.t, va + 0x800, 0x1000, 3 * PT_SIZE_4K, R_), PT_ERR_INVALID);
	CHECK_EQ(pt_map(&e.t, noncanon + 0x800, 0x1000, PT_SIZE_4K, R_), PT_ERR_INVALID);
	CHECK_EQ(pt_map(&e.t, va, widepa | 0x800, PT_SIZE_4K, R_), PT_ERR_INVALID);
	/* NOT_ALIGNED. */
	CHECK_EQ(pt_map(&e.t, va + 0x800, 0x1000, PT_SIZE_4K, R_), PT_ERR_NOT_ALIGNED);
	CHECK_EQ(pt_map(&e.t, va, 0x1800, PT_SIZE_4K, R_), PT_ERR_NOT_ALIGNED);
	CHECK_EQ(pt_map(&e.t, va + PT_SIZE_4K, 0, hs, R_), PT_ERR_NOT_ALIGNED);
	CHECK_EQ(pt_map(&e.t, va, PT_SIZE_4K, hs, R_), PT_ERR_NOT_ALIGNED);
	/* Region calls. */
	CHECK_EQ(pt_map_region(&e.t, va + 0x800, 0x1000, PT_SIZE_4K, 0, 0), PT_ERR_INVALID);
	CHECK_EQ(pt_map_region(&e.t, va, 0x1000, PT_SIZE_4K, R_, 2), PT_ERR_INVALID);
	CHECK_EQ(pt_map_region(&e.t, va + 0x800, 0x1000, PT_SIZE_4K, R_, 0), PT_ERR_NOT_ALIGNED);
	CHECK_EQ(pt_map_region(&e.t, va, 0x1000, 0x800, R_, 0), PT_ERR_NOT_ALIGNED);
	CHECK_EQ(pt_map_region(&e.t, va, 0x1000, 0, R_, 0), PT_ERR_INVALID);
	CHECK_EQ(pt_map_region(&e.t, va, 0x800, 0, R_, 0), PT_ERR_INVALID);
	CHECK_EQ(pt_map_region(&e.t, noncanon, 0x1000, PT_SIZE_4K, R_, 0), PT_ERR_INVALID);
	CHECK_EQ(pt_map_region(&e.t, top_page(f), 0x1000, 2 * PT_SIZE_4K, R_, 0), PT_ERR_INVALID);
	CHECK_EQ(pt_map_region(&e.t, va, 0x800, PT_SIZE_4K, R_, 0), PT_ERR_NOT_ALIGNED);
	CHECK_EQ(pt_map_region(&e.t, va, widepa | 0x800, PT_SIZE_4K, R_, 0), PT_ERR_NOT_ALIGNED);
	CHECK_EQ(pt_map_region(&e.t, va, widepa - PT_SIZE_4K, 2 * PT_SIZE_4K, R_, 0), PT_ERR_INVALID);
	CHECK_EQ(pt_map_region(&e.t, va, widepa, PT_SIZE_4K, R_, 0), PT_ERR_INVALID);
	CHECK_EQ(pt_unmap_region(&e.t, va + 0x800, PT_SIZE_4K), PT_ERR_NOT_ALIGNED);
	CHECK_EQ(pt_unmap_region(&e.t, va, 0x1800), PT_ERR_NOT_ALIGNED);
	CHECK_EQ(pt_unmap_region(&e.t, va, 0), PT_ERR_INVALID);
	CHECK_EQ(pt_unmap_region(&e.t, noncanon, PT_SIZE_4K), PT_ERR_INVALID);
	CHECK_EQ(pt_unmap_region(&e.t, top_page(f), 2 * PT_SIZE_4K), PT_ERR_INVALID);
	CHECK_EQ(pt_protect_region(&e.t, va + 0x800, PT_SIZE_4K, 0), PT_ERR_INVALID);
	CHECK_EQ(pt_protect_region(&e.t, va + 0x800, PT_SIZE_4K, R_), PT_ERR_NOT_ALIGNED);
	CHECK_EQ(pt_protect_region(&e.t, va, 0, R_), PT_ERR_INVALID);
	CHECK_EQ(pt_protect_region(&e.t, top_page(f), 2 * PT_SIZE_4K, R_), PT_ERR_INVALID);
	if (f->arch != PT_ARMV7) {
		/* The end of the lower half and the start of the upper one are
		 * never one range. */
		uint64_t last_lo = f->arch == PT_AARCH64 ? UINT64_C(0x0000fffffffff000)
							 : (UINT64_C(1) << (f->va_bits - 1)) - PT_SIZE_4K;
		if (!f->lo)
			CHECK_EQ(pt_unmap_region(&e.t, last_lo, 2 * PT_SIZE_4K), PT_ERR_INVALID);
	}
	/* Holes are fine for unmap/protect. */
	CHECK_EQ(pt_unmap_region(&e.t, va, 16 * PT_SIZE_4K), PT_OK);
	CHECK_EQ(pt_protect_region(&e.t, va, 16 * PT_SIZE_4K, RW), PT_OK);
	/* Nothing was allocated nor changed by any of that. */
	CHECK_EQ(e.a.in_use, e.base);
	CHECK_EQ(e.a.allocs, 1); /* the root only */
	CHECK_EQ(table_digest(&e.t).h, d0.h);
	/* NOT_MAPPED. */
	CHECK_EQ(pt_query(&e.t, va, &m), PT_ERR_NOT_MAPPED);
	CHECK_EQ(pt_unmap(&e.t, va, &m), PT_ERR_NOT_MAPPED);
	CHECK_EQ(pt_remap(&e.t, va, 0x1000, R_, &sz), PT_ERR_NOT_MAPPED);
	CHECK_EQ(pt_protect(&e.t, va, R_, &sz), PT_ERR_NOT_MAPPED);
	CHECK_EQ(pt_query(&e.t, noncanon, &m), PT_ERR_INVALID);
	/* ALREADY_MAPPED and MAPPED_TO_HUGE_PAGE. */
	CHECK_EQ(pt_map(&e.t, va, 0x1000, PT_SIZE_4K, RW), PT_OK);
	d0 = table_digest(&e.t);
	size_t used = e.a.in_use;
	CHECK_EQ(pt_map(&e.t, va, 0x5000, PT_SIZE_4K, RW), PT_ERR_ALREADY_MAPPED);
	CHECK_EQ(pt_map(&e.t, va, 0, hs, RW), PT_ERR_ALREADY_MAPPED);
	CHECK_EQ(pt_map_region(&e.t, va - PT_SIZE_4K, 0x1000, 3 * PT_SIZE_4K, RW, 0),
		 PT_ERR_ALREADY_MAPPED);
	CHECK_EQ(pt_map(&e.t, va + hs, 0, hs, RW), PT_OK);
	CHECK_EQ(pt_map(&e.t, va + hs + PT_SIZE_4K, 0x1000, PT_SIZE_4K, RW),
		 PT_ERR_MAPPED_TO_HUGE_PAGE);
	CHECK_EQ(pt_map(&e.t, va + hs, 0, hs, RW), PT_ERR_ALREADY_MAPPED);
	/* The first failing page in VA order decides. */
	CHECK_EQ(pt_map_region(&e.t, va + PT_SIZE_4K, 0x1000, hs + PT_SIZE_4K, RW, 0),
		 PT_ERR_MAPPED_TO_HUGE_PAGE);
	CHECK_EQ(pt_map_region(&e.t, va - PT_SIZE_4K, 0x1000, hs + 2 * PT_SIZE_4K, RW, 0),
		 PT_ERR_ALREADY_MAPPED);
	CHECK_EQ(pt_map_region(&e.t, va + hs - PT_SIZE_4K, 0x1000, 2 * PT_SIZE_4K, RW, 0),
		 PT_ERR_MAPPED_TO_HUGE_PAGE);
	/* Every smaller size inside every huge leaf size. */
	for (unsigned l1 = 0; l1 < f->levels; l1++) {
		if (!((f->leaf_mask >> l1) & 1) || l1 == f->levels - 1)
			continue;
		uint64_t s1 = fmt_span(f, l1);
		uint64_t hv = V(f, s1 * 2);
		if (s1 * 3 > (f->arch == PT_ARMV7 ? UINT64_C(1) << 32 : UINT64_C(1) << (f->va_bits - 1)))
			continue;
		if (!CHECK_EQ(pt_map(&e.t, hv, s1, s1, R_), PT_OK))
			continue;
		for (unsigned l2 = l1 + 1; l2 < f->levels; l2++) {
			uint64_t s2 = fmt_span(f, l2);
			if (!((f->leaf_mask >> l2) & 1))
				continue;
			CHECK_EQ(pt_map(&e.t, hv + s1 - s2, 0, s2, R_), PT_ERR_MAPPED_TO_HUGE_PAGE);
		}
		CHECK_EQ(pt_unmap_region(&e.t, hv, s1), PT_OK);
	}
	used = e.a.in_use;
	d0 = table_digest(&e.t);
	/* NO_MEMORY: a fresh VA needs new tables; fail each in turn. PA 0 too. */
	{
		uint64_t fresh = V(f, fmt_span(f, 0) * 3 + 0x5000);
		for (unsigned long n = 1; n < f->levels; n++) {
			CTX("%s errors: fail alloc %lu", f->name, n);
			arena_fail_nth(&e.a, n);
			CHECK_EQ(pt_map(&e.t, fresh, 0x1000, PT_SIZE_4K, RW), PT_ERR_NO_MEMORY);
			arena_fail_nth(&e.a, 0);
			CHECK_EQ(e.a.in_use, used);
			CHECK_EQ(table_digest(&e.t).h, d0.h);
			e.zero_at = n;
			CHECK_EQ(pt_map(&e.t, fresh, 0x1000, PT_SIZE_4K, RW), PT_ERR_NO_MEMORY);
			e.zero_at = 0;
			CHECK_EQ(e.a.in_use, used);
			CHECK_EQ(table_digest(&e.t).h, d0.h);
			e.zero_at = n;
			CHECK_EQ(pt_map_region(&e.t, fresh, 0x1000, PT_SIZE_4K, RW, 0), PT_ERR_NO_MEMORY);
			e.zero_at = 0;
			CHECK_EQ(e.a.in_use, used);
		}
		CTX("%s errors", f->name);
		CHECK_EQ(pt_map(&e.t, fresh, 0x1000, PT_SIZE_4K, RW), PT_OK);
		CHECK_EQ(e.a.in_use, used + f->levels - 1);
		CHECK_EQ(e.a.errors, 0);
	}
	/* CORRUPT: a reserved entry in the root, then at the last level. */
	{
		uint64_t cva = V(f, fmt_span(f, 0) * 5);
		size_t ci = fmt_index(f, 0, cva);
		uint64_t root = pt_root(&e.t);
		struct coll *c = &COLL;
		struct pt_walk_ops ops = { 0, coll_pre, coll_post };
		pte_write(f, &e.a, root, ci, corrupt_root(f));
		CHECK_EQ(pt_query(&e.t, cva, &m), PT_ERR_CORRUPT);
		CHECK_EQ(pt_map(&e.t, cva + fmt_span(f, 0) / 2, 0x1000, PT_SIZE_4K, RW), PT_ERR_CORRUPT);
		CHECK_EQ(pt_unmap(&e.t, cva, &m), PT_ERR_CORRUPT);
		CHECK_EQ(pt_remap(&e.t, cva, 0x1000, RW, &sz), PT_ERR_CORRUPT);
		CHECK_EQ(pt_protect(&e.t, cva, RW, &sz), PT_ERR_CORRUPT);
		CHECK_EQ(pt_map_region(&e.t, cva, 0x1000, PT_SIZE_4K, RW, 0), PT_ERR_CORRUPT);
		CHECK_EQ(pt_protect_region(&e.t, cva, PT_SIZE_4K, RW), PT_ERR_CORRUPT);
		/* Straddling the range edge: unmap_region cannot clear it. */
		if (fmt_span(f, 0) > PT_SIZE_4K)
			CHECK_EQ(pt_unmap_region(&e.t, cva, PT_SIZE_4K), PT_ERR_CORRUPT);
		memset(c, 0, sizeof(*c));
		CHECK_EQ(pt_walk(&e.t, &ops, c), PT_ERR_CORRUPT);
		CHECK_EQ(e.a.in_use, used + f->levels - 1);
		/* Wholly inside the range: cleared, never followed. */
		CHECK_EQ(pt_unmap_region(&e.t, cva, fmt_span(f, 0)), PT_OK);
		CHECK_EQ(pte_read(f, &e.a, root, ci), 0);
		CHECK_EQ(pt_query(&e.t, cva, &m), PT_ERR_NOT_MAPPED);
		if (corrupt_leaf(f)) {
			uint64_t lva = V(f, fmt_span(f, 0) * 5 + 0x3000);
			uint64_t ltab;
			CHECK_EQ(pt_map(&e.t, lva, 0x1000, PT_SIZE_4K, RW), PT_OK);
			CHECK_EQ(pt_map(&e.t, lva + PT_SIZE_4K, 0x2000, PT_SIZE_4K, RW), PT_OK);
			ltab = table_at(&e, lva, f->levels - 1);
			used = e.a.in_use;
			if (CHECK(ltab != 0)) {
				size_t li = fmt_index(f, f->levels - 1, lva);
				pte_write(f, &e.a, ltab, li, corrupt_leaf(f));
				CHECK_EQ(pt_query(&e.t, lva, &m), PT_ERR_CORRUPT);
				CHECK_EQ(pt_unmap(&e.t, lva, &m), PT_ERR_CORRUPT);
				CHECK_EQ(pt_remap(&e.t, lva, 0x1000, RW, &sz), PT_ERR_CORRUPT);
				CHECK_EQ(pt_protect(&e.t, lva, RW, &sz), PT_ERR_CORRUPT);
				CHECK_EQ(pt_map(&e.t, lva, 0x1000, PT_SIZE_4K, RW), PT_ERR_CORRUPT);
				CHECK_EQ(pt_protect_region(&e.t, lva, 2 * PT_SIZE_4K, R_), PT_ERR_CORRUPT);
				/* protect_region is atomic too: the good page kept RW. */
				CHECK_EQ(qpa(&e, lva + PT_SIZE_4K, NULL, NULL), 0x2000);
				{
					uint32_t fl = 0;
					qpa(&e, lva + PT_SIZE_4K, NULL, &fl);
					CHECK_EQ(fl, norm(f, RW));
				}
				/* Both cleared; the emptied tables were reclaimed. */
				CHECK_EQ(pt_unmap_region(&e.t, lva, 2 * PT_SIZE_4K), PT_OK);
				CHECK_EQ(pt_query(&e.t, lva, &m), PT_ERR_NOT_MAPPED);
				CHECK_EQ(pt_query(&e.t, lva + PT_SIZE_4K, &m), PT_ERR_NOT_MAPPED);
				CHECK(e.a.in_use < used);
				check_tables(&e, true);
			}
		}
	}
	CTX("%s errors", f->name);
	CHECK_EQ(e.a.errors, 0);
	env_fini(&e);
}

/* ---- Leaves of every size ----------------------------------------------- */

static void t_huge(const struct fmt *f)
{
	struct env e;
	struct pt_mapping m;
	uint64_t sz = 0;
	uint32_t fl = 0;
	CTX("%s huge", f->name);
	if (!env_init(&e, f))
		return;
	for (unsigned l = 0; l < f->levels; l++) {
		if (!((f->leaf_mask >> l) & 1))
			continue;
		uint64_t s = fmt_span(f, l);
		uint64_t va = V(f, s); /* index 1 at its level: canonical everywhere */
		uint64_t pa = s * 3;
		if (!pt_pa_valid(f->arch, pa + s - 1))
			pa = s;
		CTX("%s huge level %u size %#llx", f->name, l, (unsigned long long)s);
		if (!CHECK_EQ(pt_map(&e.t, va, pa, s, RWX | PT_USER), PT_OK))
			continue;
		CHECK_EQ(qpa(&e, va + s / 2 + 0x123, &sz, &fl), pa + s / 2 + 0x123);
		CHECK_EQ(sz, s);
		CHECK_EQ(fl, norm(f, RWX | PT_USER));
		CHECK_EQ(qpa(&e, va + s - 1, &sz, NULL), pa + s - 1);
		CHECK_EQ(qpa(&e, va - 1, NULL, NULL), ~UINT64_C(0));
		/* The walk reports one leaf at level l. */
		if (CHECK_EQ(count_leaves(&e), 1)) {
			for (size_t i = 0; i < COLL.n; i++)
				if (COLL.r[i].e.leaf && !COLL.r[i].post) {
					CHECK_EQ(COLL.r[i].e.level, l);
					CHECK_EQ(COLL.r[i].e.va, va);
					CHECK_EQ(COLL.r[i].e.pa, pa);
					CHECK_EQ(COLL.r[i].e.size, s);
				}
		}
		check_tables(&e, true);
		/* remap/protect act on the whole leaf and report its size. */
		if (s > PT_SIZE_4K)
			CHECK_EQ(pt_remap(&e.t, va + 0x5000, pa + PT_SIZE_4K, RW, &sz), PT_ERR_NOT_ALIGNED);
		sz = 0;
		CHECK_EQ(pt_remap(&e.t, va + s / 2, pa + s, RW, &sz),
			 pt_pa_valid(f->arch, pa + 2 * s - 1) ? PT_OK : PT_ERR_INVALID);
		if (sz == s) {
			CHECK_EQ(sz, s);
			CHECK_EQ(qpa(&e, va, NULL, &fl), pa + s);
			CHECK_EQ(fl, norm(f, RW));
			CHECK_EQ(pt_remap(&e.t, va, pa, RW, NULL), PT_OK);
		}
		sz = 0;
		CHECK_EQ(pt_protect(&e.t, va + s - PT_SIZE_4K, R_ | PT_EXECUTE, &sz), PT_OK);
		CHECK_EQ(sz, s);
		CHECK_EQ(qpa(&e, va, &sz, &fl), pa);
		CHECK_EQ(fl, norm(f, R_ | PT_EXECUTE));
		CHECK_EQ(pt_protect(&e.t, va, PT_EXECUTE, &sz), PT_ERR_INVALID);
		memset(&m, 0, sizeof(m));
		CHECK_EQ(pt_unmap(&e.t, va + s - PT_SIZE_4K, &m), PT_OK);
		CHECK_EQ(m.pa, pa);
		CHECK_EQ(m.size, s);
		CHECK_EQ(m.flags, norm(f, R_ | PT_EXECUTE));
		CHECK_EQ(pt_unmap(&e.t, va, &m), PT_ERR_NOT_MAPPED);
		/* map_region with ALLOW_HUGE picks this size for an aligned run. */
		CHECK_EQ(pt_map_region(&e.t, va, pa, s, RW, PT_ALLOW_HUGE), PT_OK);
		CHECK_EQ(qpa(&e, va + s - 1, &sz, NULL), pa + s - 1);
		CHECK_EQ(sz, s);
		CHECK_EQ(pt_unmap_region(&e.t, va, s), PT_OK);
		CHECK_EQ(e.a.in_use, e.base);
		/* Every memory type and permission round-trips at this size. */
		for (uint32_t f6 = 0; f6 < 64; f6++) {
			if (!(f6 & PT_READ))
				continue;
			if (!CHECK_EQ(pt_map(&e.t, va, pa, s, f6), PT_OK))
				break;
			qpa(&e, va, NULL, &fl);
			CHECK_EQ(fl, norm(f, f6));
			CHECK_EQ(pt_unmap(&e.t, va, NULL), PT_OK);
		}
		CHECK_EQ(pt_unmap_region(&e.t, va, s), PT_OK);
		CHECK_EQ(e.a.in_use, e.base);
	}
	CTX("%s huge", f->name);
	/* ALLOW_HUGE picks the largest leaf VA, PA and size allow; without it
	 * everything is 4K; a PA not congruent to the VA keeps it at 4K. */
	{
		const unsigned hl = fmt_huge_level(f);
		const uint64_t hs = fmt_span(f, hl);
		uint64_t va = V(f, 0x40000000 - PT_SIZE_4K);
		uint64_t pa = 0x20000000 - PT_SIZE_4K;
		CHECK_EQ(pt_map_region(&e.t, va, pa, 2 * hs + 2 * PT_SIZE_4K, RW, PT_ALLOW_HUGE), PT_OK);
		CHECK_EQ(qpa(&e, va, &sz, NULL), pa);
		CHECK_EQ(sz, PT_SIZE_4K);
		CHECK_EQ(qpa(&e, va + PT_SIZE_4K + 5, &sz, NULL), pa + PT_SIZE_4K + 5);
		CHECK_EQ(sz, hs);
		CHECK_EQ(qpa(&e, va + PT_SIZE_4K + hs, &sz, NULL), pa + PT_SIZE_4K + hs);
		CHECK_EQ(sz, hs);
		CHECK_EQ(qpa(&e, va + PT_SIZE_4K + 2 * hs, &sz, NULL), pa + PT_SIZE_4K + 2 * hs);
		CHECK_EQ(sz, PT_SIZE_4K);
		CHECK_EQ(count_leaves(&e), 4);
		CHECK_EQ(pt_unmap_region(&e.t, va, 2 * hs + 2 * PT_SIZE_4K), PT_OK);
		CHECK_EQ(e.a.in_use, e.base);
		CHECK_EQ(pt_map_region(&e.t, va, pa + PT_SIZE_4K, 2 * hs + 2 * PT_SIZE_4K, RW,
				       PT_ALLOW_HUGE), PT_OK);
		CHECK_EQ(count_leaves(&e), (2 * hs + 2 * PT_SIZE_4K) / PT_SIZE_4K);
		CHECK_EQ(pt_unmap_region(&e.t, va, 2 * hs + 2 * PT_SIZE_4K), PT_OK);
		CHECK_EQ(pt_map_region(&e.t, va + PT_SIZE_4K, pa + PT_SIZE_4K, hs, RW, 0), PT_OK);
		CHECK_EQ(count_leaves(&e), hs / PT_SIZE_4K);
		CHECK_EQ(pt_unmap_region(&e.t, va, 2 * hs + 2 * PT_SIZE_4K), PT_OK);
		CHECK_EQ(e.a.in_use, e.base);
		/* 1G + 2M + 4K at a 1G boundary: one leaf of each size. */
		if (f->arch != PT_ARMV7) {
			uint64_t g = PT_SIZE_1G;
			CHECK_EQ(pt_map_region(&e.t, V(f, 4 * g), 4 * g, g + hs + PT_SIZE_4K, RW,
					       PT_ALLOW_HUGE), PT_OK);
			CHECK_EQ(count_leaves(&e), 3);
			CHECK_EQ(qpa(&e, V(f, 5 * g), &sz, NULL), 5 * g);
			CHECK_EQ(sz, hs);
			CHECK_EQ(pt_unmap_region(&e.t, V(f, 4 * g), g + hs + PT_SIZE_4K), PT_OK);
			CHECK_EQ(e.a.in_use, e.base);
		}
	}
	env_fini(&e);
}

/* A slot holding a table with no leaf below is replaced by a huge leaf. */
static void t_empty_subtree(const struct fmt *f)
{
	struct env e;
	uint64_t sz = 0;
	CTX("%s empty subtree", f->name);
	if (!env_init(&e, f))
		return;
	for (unsigned l = 0; l + 1 < f->levels; l++) {
		if (!((f->leaf_mask >> l) & 1))
			continue;
		uint64_t s = fmt_span(f, l);
		uint64_t va = V(f, s);
		size_t before = e.a.in_use, mid;
		unsigned below = f->levels - 1 - l; /* tables under a level-l slot */
		CTX("%s empty subtree level %u", f->name, l);
		CHECK_EQ(pt_map(&e.t, va + s - PT_SIZE_4K, 0x1000, PT_SIZE_4K, RW), PT_OK);
		CHECK_EQ(pt_unmap(&e.t, va + s - PT_SIZE_4K, NULL), PT_OK);
		mid = e.a.in_use;
		/* pt_unmap does not reclaim. */
		CHECK_EQ(mid, before + (f->arch == PT_ARMV7 ? 1 : f->levels - 1));
		flush_reset(&e);
		CHECK_EQ(pt_map(&e.t, va, s, s, RW), PT_OK);
		CHECK_EQ(e.a.in_use, mid - below);
		CHECK_EQ(qpa(&e, va + s - PT_SIZE_4K, &sz, NULL), 2 * s - PT_SIZE_4K);
		CHECK_EQ(sz, s);
		/* Replacing a table entry needs a full flush. */
		pt_flush(&e.t);
		if (f->arch == PT_AARCH64 || f->arch == PT_ARMV7)
			CHECK(e.a.flush_all_calls >= 1); /* break-before-make may add one */
		else
			CHECK_EQ(e.a.flush_all_calls, 1);
		check_tables(&e, true);
		/* Also through map_region, over two emptied subtrees. */
		CHECK_EQ(pt_unmap(&e.t, va, NULL), PT_OK);
		CHECK_EQ(pt_map(&e.t, va + 5 * PT_SIZE_4K, 0x1000, PT_SIZE_4K, RW), PT_OK);
		CHECK_EQ(pt_unmap(&e.t, va + 5 * PT_SIZE_4K, NULL), PT_OK);
		CHECK_EQ(pt_map_region(&e.t, va, s, s, RW, PT_ALLOW_HUGE), PT_OK);
		CHECK_EQ(qpa(&e, va, &sz, NULL), s);
		CHECK_EQ(sz, s);
		check_tables(&e, true);
		CHECK_EQ(pt_unmap_region(&e.t, va, s), PT_OK);
		CHECK_EQ(e.a.in_use, before);
	}
	env_fini(&e);
}

/* ---- Splits at range edges ---------------------------------------------- */

static void t_splits(const struct fmt *f)
{
	struct env e;
	uint64_t sz = 0;
	uint32_t fl = 0;
	const unsigned hl = fmt_huge_level(f);
	const uint64_t hs = fmt_span(f, hl), K4 = PT_SIZE_4K;
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
	CHECK_EQ(e.a.in_use, n0 + 1);
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
	CHECK_EQ(e.a.in_use, n0 + (f->arch == PT_ARMV7 ? 0 : 1));
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
	CHECK_EQ(e.a.in_use, n0 + 1);
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
	if (f->arch != PT_ARMV7) {
		uint64_t G = V(f, 8 * PT_SIZE_1G);
		CHECK_EQ(pt_map(&e.t, G, PT_SIZE_1G, PT_SIZE_1G, RW), PT_OK);
		n0 = e.a.in_use;
		CHECK_EQ(pt_unmap_region(&e.t, G + PT_SIZE_2M + K4, K4), PT_OK);
		CHECK_EQ(e.a.in_use, n0 + 2);
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
		CHECK_EQ(e.a.in_use, n0);
	}
	CHECK_EQ(pt_unmap_region(&e.t, H, 16 * hs), PT_OK);
	CHECK_EQ(e.a.in_use, e.base);
	env_fini(&e);
}

/* ---- Reclaim ------------------------------------------------------------ */

static void t_reclaim(const struct fmt *f)
{
	struct env e;
	const uint64_t K4 = PT_SIZE_4K;
	const uint64_t R = V(f, 0x40000000 - 16 * K4);
	const uint64_t size = 4 * PT_SIZE_2M + 32 * K4;
	CTX("%s reclaim", f->name);
	if (!env_init(&e, f))
		return;
	CHECK_EQ(pt_map_region(&e.t, R, 0x100000, size, RW, 0), PT_OK);
	CHECK(e.a.in_use > e.base);
	check_tables(&e, true);
	CHECK_EQ(pt_unmap_region(&e.t, R, size), PT_OK);
	CHECK_EQ(e.a.in_use, e.base);
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
	CHECK_EQ(e.a.in_use, e.base);
	/* pt_unmap never reclaims; a later unmap_region over the hole does. */
	CHECK_EQ(pt_map(&e.t, R, 0x1000, K4, RW), PT_OK);
	CHECK_EQ(e.a.in_use, e.base + (f->arch == PT_ARMV7 ? 1 : f->levels - 1));
	CHECK_EQ(pt_unmap(&e.t, R, NULL), PT_OK);
	CHECK_EQ(e.a.in_use, e.base + (f->arch == PT_ARMV7 ? 1 : f->levels - 1));
	CHECK_EQ(walk_all(&e, 0), PT_OK);
	CHECK_EQ(COLL.npre, f->levels - 1); /* the empty tables are still linked */
	check_tables(&e, false);
	flush_reset(&e);
	CHECK_EQ(pt_unmap_region(&e.t, R + K4, K4), PT_OK);
	CHECK_EQ(e.a.in_use, e.base);
	pt_flush(&e.t);
	CHECK_EQ(e.a.flush_all_calls, 1); /* a table entry went away */
	env_fini(&e);
}

static unsigned hl_of(const struct fmt *f)
{
	return fmt_huge_level(f);
}

/* ---- TLB flush batching -------------------------------------------------- */

static void t_flush(const struct fmt *f)
{
	struct env e;
	const uint64_t K4 = PT_SIZE_4K, B = V(f, 0x40000000);
	const bool bbm = f->arch == PT_AARCH64 || f->arch == PT_ARMV7;
	CTX("%s flush", f->name);
	if (!env_init(&e, f))
		return;
	flush_reset(&e);
	for (int i = 0; i < 3; i++)
		CHECK_EQ(pt_map(&e.t, B + (uint64_t)i * K4, 0x1000, K4, RW), PT_OK);
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
	CHECK_EQ(pt_remap(&e.t, B + 2 * K4, 0x1000, RW, NULL), PT_OK);
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
	CHECK_EQ(pt_remap(&e.t, B + 2 * K4, 0x7000, R_, NULL), PT_OK);
	if (bbm) {
		CHECK_EQ(e.a.flush_calls, 1);
		CHECK_EQ(e.a.flush_last_va, B + 2 * K4);
		CHECK_EQ(e.nwatched, 1);
		CHECK_EQ(e.watched, 0); /* broken before make */
	} else {
		CHECK_EQ(e.a.flush_calls, 0);
	}
	CHECK_EQ(qpa(&e, B + 2 * K4, NULL, NULL), 0x7000);
	/* So does a memory-type change. */
	flush_reset(&e);
	e.watched = 1;
	CHECK_EQ(pt_protect(&e.t, B + 2 * K4, R_ | PT_DEVICE, NULL), PT_OK);
	CHECK_EQ(e.a.flush_calls, bbm ? 1 : 0);
	if (bbm)
		CHECK_EQ(e.watched, 0);
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
			CHECK_EQ(e.watched, 0);
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
		if (CHECK_EQ(pt_init(&t2, f->arch, f->feat, &mm), PT_OK)) {
			CHECK_EQ(pt_map(&t2, B, 0x1000, K4, RW), PT_OK);
			CHECK_EQ(pt_remap(&t2, B, 0x3000, RW, NULL), PT_OK);
			CHECK_EQ(pt_unmap_region(&t2, B, K4), PT_OK);
			pt_flush(&t2);
			pt_destroy(&t2);
		}
	}
	env_fini(&e);
}

/* ---- Walk ---------------------------------------------------------------- */

static void t_walk(const struct fmt *f)
{
	struct env e;
	const uint64_t K4 = PT_SIZE_4K;
	const unsigned hl = fmt_huge_level(f);
	const uint64_t hs = fmt_span(f, hl);
	struct {
		uint64_t va, pa, size;
		uint32_t fl;
	} L[] = {
		{ V(f, 0x40003000), 0x3000, K4, RW },
		{ top_page(f), 0x9000, K4, R_ },
		{ V(f, 0x40000000), 0x1000, K4, RWX },
		{ V(f, 0x40000000 + 2 * hs), 0, hs, R_ | PT_USER },
		{ V(f, 0x7000), 0x7000, K4, R_ | PT_DEVICE },
		{ V(f, 0x1000), 0x2000, K4, RW | PT_UNCACHED },
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
		if (!pt_va_valid(f->arch, x->va) || (f->lo && x->va < f->lo))
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
	const uint64_t K4 = PT_SIZE_4K, RS = fmt_span(f, 0);
	const unsigned hl = fmt_huge_level(f);
	const uint64_t hs = fmt_span(f, hl);
	const uint64_t R = V(f, 4 * RS); /* root entries 4 and 5 */
	size_t n1;
	CTX("%s copy_from", f->name);
	if (!env_init(&e, f))
		return;
	CHECK_EQ(pt_map(&e.t, R + 0x5000, 0x5000, K4, RW), PT_OK);
	CHECK_EQ(pt_map(&e.t, R + RS + (hs == RS ? 0 : 3 * hs), 0, hs, R_), PT_OK);
	n1 = e.a.in_use;
	if (!CHECK_EQ(pt_init(&dst, f->arch, f->feat, &e.mm), PT_OK))
		goto out;
	flush_reset(&e);
	CHECK_EQ(pt_copy_from(&dst, &e.t, R, 2 * RS), PT_OK);
	CHECK_EQ(e.a.in_use, n1 + fmt_root_frames(f)); /* nothing allocated */
	pt_flush(&dst);
	CHECK_EQ(e.a.flush_all_calls, 1);
	/* dst sees src's mappings, including later ones. */
	CHECK_EQ(pt_query(&dst, R + 0x5123, &m), PT_OK);
	CHECK_EQ(m.pa, 0x5123);
	CHECK_EQ(pt_query(&dst, R + RS + (hs == RS ? 0 : 3 * hs) + 7, &m), PT_OK);
	CHECK_EQ(m.pa, 7);
	CHECK_EQ(m.size, hs);
	CHECK_EQ(pt_map(&e.t, R + 0x9000, 0x9000, K4, RW), PT_OK);
	CHECK_EQ(pt_query(&dst, R + 0x9000, &m), PT_OK);
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
	CHECK_EQ(pt_map(&dst, R + 0xa000, 0xa000, K4, RW), PT_ERR_INVALID);
	CHECK_EQ(pt_unmap(&dst, R + 0x5000, &m), PT_ERR_INVALID);
	CHECK_EQ(pt_remap(&dst, R + 0x5000, 0x1000, RW, NULL), PT_ERR_INVALID);
	CHECK_EQ(pt_protect(&dst, R + 0x5000, R_, NULL), PT_ERR_INVALID);
	CHECK_EQ(pt_map_region(&dst, R + 0xa000, 0xa000, K4, RW, 0), PT_ERR_INVALID);
	CHECK_EQ(pt_unmap_region(&dst, R, K4), PT_ERR_INVALID);
	CHECK_EQ(pt_protect_region(&dst, R, K4, R_), PT_ERR_INVALID);
	CHECK_EQ(pt_unmap_region(&dst, R - RS, 2 * RS), PT_ERR_INVALID);
	CHECK_EQ(pt_query(&e.t, R + 0x5000, &m), PT_OK); /* src untouched */
	CHECK_EQ(m.flags, norm(f, RW));
	/* Range rules. */
	CHECK_EQ(pt_copy_from(&dst, &e.t, R, 2 * RS), PT_ERR_ALREADY_MAPPED);
	CHECK_EQ(pt_copy_from(&dst, &e.t, R + RS, RS), PT_ERR_ALREADY_MAPPED);
	if (RS > K4) {
		CHECK_EQ(pt_copy_from(&dst, &e.t, R + K4, RS), PT_ERR_NOT_ALIGNED);
		CHECK_EQ(pt_copy_from(&dst, &e.t, R + 2 * RS, RS / 2), PT_ERR_NOT_ALIGNED);
	}
	/* An empty src range shares nothing: dst may map there afterwards. */
	CHECK_EQ(pt_copy_from(&dst, &e.t, R - 2 * RS, 2 * RS), PT_OK);
	CHECK_EQ(pt_map(&dst, R - RS + 0x3000, 0x3000, K4, RW), PT_OK);
	CHECK_EQ(pt_copy_from(&dst, &e.t, R - RS, RS), PT_ERR_ALREADY_MAPPED);
	/* dst's own tables next to (ARMv7: in the L2 group of) shared ones. */
	CHECK_EQ(pt_map(&dst, V(f, 0x1000), 0x1000, K4, RW), PT_OK);
	CHECK_EQ(pt_map(&dst, R + 2 * RS + 0x1000, 0x1000, K4, RW), PT_OK);
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
			      : fmt_is_riscv(f->arch) ? (f->feat ? 0 : PT_FEAT_RISCV_SVPBMT) : ~0u;
		if (of != ~0u && CHECK_EQ(pt_init(&other, f->arch, of, &e.mm), PT_OK)) {
			CHECK_EQ(pt_copy_from(&other, &e.t, R, RS), PT_ERR_INVALID);
			pt_destroy(&other);
		}
	}
	/* destroy(dst) frees only dst's own frames. */
	pt_destroy(&dst);
	CHECK_EQ(e.a.in_use, n1);
	CHECK_EQ(e.a.errors, 0);
	CHECK_EQ(pt_query(&e.t, R + 0x5000, &m), PT_OK);
	CHECK_EQ(pt_query(&e.t, R + 0x9000, &m), PT_OK);
	check_tables(&e, true);
	CHECK_EQ(pt_copy_from(&dst, &e.t, R, RS), PT_ERR_INVALID); /* dead dst */
out:
	env_fini(&e);
}

/* ---- pt_translate -------------------------------------------------------- */

/* phys_to_virt that refuses one frame. */
struct deny {
	struct arena *a;
	uint64_t frame;
};
static void *deny_virt(void *ctx, uint64_t pa)
{
	struct deny *d = ctx;
	if ((pa & ~UINT64_C(0xfff)) == d->frame)
		return NULL;
	return arena_phys_to_virt(d->a, pa);
}

/* Garbage memory: NG frames at PA GB.., each a read-write page between
 * PROT_NONE guard pages, so a read outside a frame faults. */
#define NG 8
#define GB UINT64_C(0x200000)
struct garbage {
	unsigned char *map;
	unsigned long asked, outside;
};
static unsigned char *g_frame(struct garbage *g, size_t i)
{
	return g->map + (2 * i + 1) * 4096;
}
static void *garbage_virt(void *ctx, uint64_t pa)
{
	struct garbage *g = ctx;
	g->asked++;
	if (pa < GB || pa >= GB + NG * 4096) {
		g->outside++;
		return NULL;
	}
	return g_frame(g, (size_t)((pa - GB) / 4096)) + (pa & 0xfff);
}

static void t_translate(const struct fmt *f)
{
	struct env e;
	struct pt_mapping m1, m2;
	const uint64_t K4 = PT_SIZE_4K;
	const unsigned hl = fmt_huge_level(f);
	const uint64_t hs = fmt_span(f, hl);
	uint64_t vas[64];
	size_t nv = 0;
	uint64_t s = 0x1234567 + f->arch * 77 + f->feat;
	CTX("%s translate", f->name);
	if (!env_init(&e, f))
		return;
	CHECK_EQ(pt_map_region(&e.t, V(f, 0x40000000 - 8 * K4), 0x800000 - 8 * K4, 2 * hs + 16 * K4,
			       RWX, PT_ALLOW_HUGE), PT_OK);
	CHECK_EQ(pt_map(&e.t, top_page(f), 0x4000, K4, R_ | PT_USER), PT_OK);
	vas[nv++] = top_page(f) + 0xabc;
	vas[nv++] = top_page(f) - 1;
	vas[nv++] = V(f, 0);
	for (int i = -9; i < 10; i++)
		vas[nv++] = V(f, 0x40000000) + (uint64_t)(int64_t)i * (int64_t)K4 + 0x10;
	vas[nv++] = V(f, 0x40000000) + hs + 0x777;
	vas[nv++] = V(f, 0x40000000) + 2 * hs + 0x777;
	vas[nv++] = V(f, 0x40000000) + 2 * hs + 8 * K4;
	while (nv < 64)
		vas[nv++] = V(f, 0x40000000 - 16 * K4) + rng_next(&s) % (2 * hs + 32 * K4);
	for (size_t i = 0; i < nv; i++) {
		int r1 = pt_query(&e.t, vas[i], &m1);
		int r2 = pt_translate(f->arch, f->feat, pt_root(&e.t), &e.mm, vas[i], &m2);
		CTX("%s translate va %#llx", f->name, (unsigned long long)vas[i]);
		CHECK_EQ(r2, r1);
		if (r1 == PT_OK && r2 == PT_OK) {
			CHECK_EQ(m2.pa, m1.pa);
			CHECK_EQ(m2.size, m1.size);
			CHECK_EQ(m2.flags, m1.flags);
		}
	}
	CTX("%s translate", f->name);
	/* Bad arguments. */
	{
		uint64_t va = V(f, 0x40000000 - 4 * K4), root = pt_root(&e.t);
		struct pt_mm nov = e.mm;
		nov.phys_to_virt = NULL;
		CHECK_EQ(pt_translate(f->arch, f->feat, root + 0x800, &e.mm, va, &m2), PT_ERR_INVALID);
		if (f->arch == PT_ARMV7)
			CHECK_EQ(pt_translate(f->arch, f->feat, root + K4, &e.mm, va, &m2), PT_ERR_INVALID);
		CHECK_EQ(pt_translate(f->arch, f->feat, root, NULL, va, &m2), PT_ERR_INVALID);
		/* A VA outside the half the table serves. */
		{
			uint64_t nc = f->arch == PT_ARMV7     ? UINT64_C(1) << 32
				      : f->arch == PT_AARCH64 ? (f->lo ? UINT64_C(0x1000) : HIGH_HALF)
							      : UINT64_C(1) << (f->va_bits - 1);
			CHECK_EQ(pt_translate(f->arch, f->feat, root, &e.mm, nc, &m2), PT_ERR_INVALID);
		}
		CHECK_EQ(pt_translate(f->arch, f->feat, root, &e.mm, va, NULL), PT_ERR_INVALID);
		CHECK_EQ(pt_translate(f->arch, f->feat, root, &nov, va, &m2), PT_ERR_INVALID);
		CHECK_EQ(pt_translate(PT_ARCH_COUNT, 0, root, &e.mm, va, &m2), PT_ERR_INVALID);
		CHECK_EQ(pt_translate(f->arch, 1u << 20, root, &e.mm, va, &m2), PT_ERR_INVALID);
		CHECK_EQ(pt_translate(f->arch, f->feat, UINT64_C(1) << f->pa_bits, &e.mm, va, &m2),
			 PT_ERR_INVALID);
		/* A table phys_to_virt cannot reach is corrupt. */
		{
			struct deny d = { &e.a, table_at(&e, va, f->levels - 1) & ~UINT64_C(0xfff) };
			struct pt_mm dm = { NULL, NULL, deny_virt, NULL, &d };
			if (CHECK(d.frame != 0)) {
				CHECK_EQ(pt_translate(f->arch, f->feat, root, &dm, va, &m2), PT_ERR_CORRUPT);
				CHECK_EQ(pt_translate(f->arch, f->feat, root, &dm, top_page(f), &m2), PT_OK);
			}
			d.frame = root;
			CHECK_EQ(pt_translate(f->arch, f->feat, root, &dm, top_page(f), &m2),
				 f->arch == PT_ARMV7 ? PT_OK : PT_ERR_CORRUPT);
		}
	}
	env_fini(&e);

	/* Garbage tables: never crash, never read outside a served frame. */
	{
		struct garbage g = { 0, 0, 0 };
		struct pt_mm gm = { NULL, NULL, garbage_virt, NULL, &g };
		unsigned long res[8] = { 0 }, bad = 0;
		g.map = mmap(NULL, (2 * NG + 1) * 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (!CHECK(g.map != MAP_FAILED))
			return;
		for (size_t i = 0; i < NG; i++)
			mprotect(g_frame(&g, i), 4096, PROT_READ | PROT_WRITE);
		for (int round = 0; round < 200; round++) {
			for (size_t i = 0; i < NG; i++) {
				unsigned char *p = g_frame(&g, i);
				for (size_t k = 0; k < 4096; k += 8) {
					uint64_t v = rng_next(&s);
					memcpy(p + k, &v, 8);
				}
			}
			/* Plant plausible entries so walks go deep. */
			for (int k = 0; k < 3000; k++) {
				size_t fi = (size_t)(rng_next(&s) % NG);
				unsigned pb = fmt_pte_bytes(f);
				size_t slot = (size_t)(rng_next(&s) % (4096 / pb));
				unsigned lvl = (unsigned)(rng_next(&s) % f->levels);
				uint64_t tgt = GB + (rng_next(&s) % (NG * 4)) * 1024;
				uint64_t v;
				switch (rng_next(&s) % 4) {
				case 0: v = pt_pte_table(f->arch, lvl, f->arch == PT_ARMV7 ? tgt : tgt & ~UINT64_C(0xfff)); break;
				case 1: v = pt_pte_page(f->arch, f->feat, lvl, fmt_span(f, lvl) * (rng_next(&s) % 4), RW); break;
				case 2: v = pt_pte_table(f->arch, lvl, UINT64_C(0x7000000)); break; /* unreachable */
				default: v = 0; break;
				}
				if (pb == 4) {
					uint32_t w = (uint32_t)v;
					memcpy(g_frame(&g, fi) + slot * 4, &w, 4);
				} else {
					memcpy(g_frame(&g, fi) + slot * 8, &v, 8);
				}
			}
			for (int q = 0; q < 100; q++) {
				uint64_t va = fmt_canon(f, rng_next(&s)) & ~UINT64_C(0x3);
				int r;
				if (f->arch == PT_ARMV7)
					va &= 0xffffffffu;
				else if (f->arch == PT_AARCH64)
					va = f->lo | (va & UINT64_C(0xffffffffffff));
				r = pt_translate(f->arch, f->feat, GB, &gm, va, &m2);
				if (r == PT_OK) {
					res[0]++;
					if (m2.size == 0 || (m2.size & (m2.size - 1)) ||
					    !(pt_arch_info(f->arch)->leaf_sizes & m2.size) ||
					    ((m2.pa ^ va) & (m2.size - 1)) || (m2.flags & ~PT_FLAGS_ALL))
						bad++;
				} else if (r == PT_ERR_NOT_MAPPED) {
					res[1]++;
				} else if (r == PT_ERR_CORRUPT) {
					res[2]++;
				} else {
					bad++;
				}
			}
		}
		/* A table pointing at itself at every level cannot loop. */
		for (size_t k = 0; k < 4096 / fmt_pte_bytes(f); k++) {
			uint64_t v = pt_pte_table(f->arch, 0, GB);
			if (fmt_pte_bytes(f) == 4) {
				uint32_t w = (uint32_t)v;
				for (size_t i = 0; i < 4; i++)
					memcpy(g_frame(&g, i) + k * 4, &w, 4);
			} else {
				memcpy(g_frame(&g, 0) + k * 8, &v, 8);
			}
		}
		{
			int r = pt_translate(f->arch, f->feat, GB, &gm, V(f, 0x12345000), &m2);
			CHECK(r == PT_ERR_CORRUPT || r == PT_ERR_NOT_MAPPED || r == PT_OK);
		}
		CHECK_EQ(bad, 0);
		CHECK(res[0] > 0); /* the planted entries produced translations */
		CHECK(res[2] > 0);
		CHECK(g.outside > 0);
		munmap(g.map, (2 * NG + 1) * 4096);
	}
}

/* ---- ARMv7 L2 packing ------------------------------------------------------ */

static void t_armv7_packing(const struct fmt *f)
{
	struct env e;
	const uint64_t K4 = PT_SIZE_4K, M1 = PT_SIZE_1M, Vb = 0x40000000; /* L1 index 1024 */
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
	/* The frame goes only when all four tables are gone. */
	for (size_t i = 0; i < 4; i++) {
		CHECK_EQ(pt_unmap_region(&e.t, Vb + i * M1, M1), PT_OK);
		CHECK_EQ(pte_read(f, &e.a, root, 1024 + i), 0);
		CHECK_EQ(e.a.in_use, e.base + (i < 3 ? 2 : 1));
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
	CHECK_EQ(e.a.in_use, e.base + 1); /* the group's last table went */
	/* Splitting a section allocates into a packed frame too. */
	CHECK_EQ(pt_unmap_region(&e.t, Vb + M1 + K4, K4), PT_OK);
	CHECK_EQ(e.a.in_use, e.base + 2);
	CHECK_EQ(pt_unmap_region(&e.t, Vb + 2 * K4, K4), PT_OK);
	CHECK_EQ(e.a.in_use, e.base + 2);
	check_tables(&e, true);
	CHECK_EQ(pt_unmap_region(&e.t, Vb, 8 * M1), PT_OK);
	CHECK_EQ(e.a.in_use, e.base);
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
	CTX("%s wide frames", f->name);
	if (!CHECK_EQ(arena_init(&a, top - rf * PT_SIZE_4K, 64), 0))
		return;
	arena_mm(&a, &mm);
	if (CHECK_EQ(pt_init(&t, f->arch, f->feat, &mm), PT_OK)) {
		CHECK_EQ(pt_map(&t, V(f, 0x1000), 0x1000, PT_SIZE_4K, RW), PT_ERR_NO_MEMORY);
		CHECK_EQ(pt_query(&t, V(f, 0x1000), &m), PT_ERR_NOT_MAPPED);
		CHECK_EQ(a.in_use, rf);
		pt_destroy(&t);
	}
	CHECK_EQ(a.in_use, 0);
	arena_fini(&a);
	if (!CHECK_EQ(arena_init(&a, top, 64), 0))
		return;
	arena_mm(&a, &mm);
	CHECK_EQ(pt_init(&t, f->arch, f->feat, &mm), PT_ERR_NO_MEMORY);
	CHECK_EQ(a.in_use, 0);
	CHECK_EQ(a.errors, 0);
	arena_fini(&a);
}

/* ---- Address-space edges ---------------------------------------------------- */

static void t_edges(const struct fmt *f)
{
	struct env e;
	struct pt_table dst;
	const uint64_t K4 = PT_SIZE_4K, top = top_page(f);
	/* Size of the half the table serves. */
	const uint64_t half = f->arch == PT_ARMV7 ? UINT64_C(1) << 32
			      : f->arch == PT_AARCH64 ? UINT64_C(1) << 48
						      : UINT64_C(1) << (f->va_bits - 1);
	uint64_t sz = 0;
	CTX("%s edges", f->name);
	if (!env_init(&e, f))
		return;
	/* A range ending exactly at the top of the address space (or of the
	 * half) does not wrap. */
	CHECK_EQ(pt_map_region(&e.t, top - K4, 0x1000, 2 * K4, RW, 0), PT_OK);
	CHECK_EQ(qpa(&e, top + 0xfff, &sz, NULL), 0x2fff);
	CHECK_EQ(pt_protect_region(&e.t, top - K4, 2 * K4, R_), PT_OK);
	CHECK_EQ(pt_unmap_region(&e.t, top - K4, 2 * K4), PT_OK);
	CHECK_EQ(e.a.in_use, e.base);
	/* Whole-half region calls: cheap over holes, and they clear everything. */
	CHECK_EQ(pt_map(&e.t, V(f, 0x1000), 0x1000, K4, RW), PT_OK);
	CHECK_EQ(pt_map(&e.t, V(f, 0x40000000), 0, fmt_span(f, fmt_huge_level(f)), RW), PT_OK);
	CHECK_EQ(pt_map(&e.t, top, 0x1000, K4, RW), PT_OK);
	uint64_t hb = fmt_sext(f) && !f->lo ? 0 : f->lo; /* lower half */
	CHECK_EQ(pt_protect_region(&e.t, hb, half, R_ | PT_EXECUTE), PT_OK);
	CHECK_EQ(pt_query(&e.t, V(f, 0x1000), &(struct pt_mapping){ 0, 0, 0 }), PT_OK);
	{
		uint32_t fl = 0;
		qpa(&e, V(f, 0x1000), NULL, &fl);
		CHECK_EQ(fl, norm(f, R_ | PT_EXECUTE));
	}
	CHECK_EQ(pt_unmap_region(&e.t, hb, half), PT_OK);
	CHECK_EQ(qpa(&e, V(f, 0x1000), NULL, NULL), ~UINT64_C(0));
	if (fmt_sext(f)) {
		/* the upper half still holds its page */
		CHECK_EQ(qpa(&e, top, NULL, NULL), 0x1000);
		CHECK_EQ(pt_unmap_region(&e.t, 0 - half, half), PT_OK);
	}
	CHECK_EQ(e.a.in_use, e.base);
	CHECK_EQ(count_leaves(&e), 0);
	/* copy_from range errors. */
	if (CHECK_EQ(pt_init(&dst, f->arch, f->feat, &e.mm), PT_OK)) {
		CHECK_EQ(pt_copy_from(&dst, &e.t, f->lo, 0), PT_ERR_INVALID);
		CHECK_EQ(pt_copy_from(&dst, &e.t, top + K4 - fmt_span(f, 0), 2 * fmt_span(f, 0)),
			 PT_ERR_INVALID);
		CHECK_EQ(pt_map(&e.t, V(f, 0x1000), 0x1000, K4, RW), PT_OK);
		CHECK_EQ(pt_copy_from(&dst, &e.t, hb, half), PT_OK);
		CHECK_EQ(qpa(&e, V(f, 0x1000), NULL, NULL), 0x1000);
		{
			struct pt_mapping m;
			CHECK_EQ(pt_query(&dst, V(f, 0x1000), &m), PT_OK);
		}
		pt_destroy(&dst);
		CHECK_EQ(pt_unmap_region(&e.t, V(f, 0x1000), K4), PT_OK);
	}
	CHECK_EQ(e.a.in_use, e.base);
	env_fini(&e);
}

int main(void)
{
	for (size_t i = 0; i < NFMTS; i++) {
		const struct fmt *f = &FMTS[i];
		char name[64];
		snprintf(name, sizeof(name), "engine %s", f->name);
		group_begin(name);
		t_init(f);
		t_dead_and_null(f);
		t_errors(f);
		t_huge(f);
		t_empty_subtree(f);
		t_splits(f);
		t_reclaim(f);
		t_flush(f);
		t_walk(f);
		t_copy(f);
		t_translate(f);
		t_edges(f);
		t_wide_alloc(f);
		if (f->arch == PT_ARMV7)
			t_armv7_packing(f);
		group_end();
	}
	return check_status();
}
