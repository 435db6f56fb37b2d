/* SPDX-License-Identifier: MIT */
/*
 * The workloads behind every benchmark and every instruction count (see
 * work.h). Each run does thousands of operations, so the per-iteration
 * overhead of Debian's debug build of Google Benchmark (and of reading the
 * clock) stays far below the work measured. Every result code is checked:
 * a run that fails reports the error instead of a time.
 */
#include "work.h"

#include <stdlib.h>
#include <string.h>

#include "shim.h" /* only the inline optimiser barriers */

#define RW (PT_READ | PT_WRITE)
#define PAGE PT_SIZE_4K
/* Regions start at 1 GiB (VA) and 2 GiB (PA): 1G-aligned, valid on every
 * format (ARMv7 included: everything stays below 4 GiB there). */
#define VA0 GiB(1)
#define PA0 GiB(2)
/* Single-page workloads do this many operations per run. */
#define SINGLE_OPS 4096u
/* Work per run: 4K-page region workloads cover at least 256 MiB, huge-page
 * ones 1 GiB, 1G-leaf ones 64 GiB (several calls when the size is
 * smaller); walks visit at least WALK_LEAVES leaves. */
#define BUDGET_4K MiB(256)
#define BUDGET_HUGE GiB(1)
#define GIANT_REPS 64u
#define WALK_LEAVES 16384u
/* Teardown: populated tables per run cover at least this much. */
#define BUDGET_DESTROY GiB(4)

#define CHECK(x)                   \
	do {                       \
		int r_ = (x);      \
		if (r_ != PT_OK)   \
			return r_; \
	} while (0)

const struct fmt fmt_list[] = {
	{ PT_X86_64, "x86_64", MiB(2), GiB(1), 8, 512, 512 },
	{ PT_X86_64_LA57, "la57", MiB(2), GiB(1), 8, 512, 512 },
	{ PT_AARCH64, "aarch64", MiB(2), GiB(1), 8, 512, 512 },
	{ PT_RISCV_SV39, "sv39", MiB(2), GiB(1), 8, 512, 512 },
	{ PT_RISCV_SV48, "sv48", MiB(2), GiB(1), 8, 512, 512 },
	{ PT_RISCV_SV57, "sv57", MiB(2), GiB(1), 8, 512, 512 },
	{ PT_LOONGARCH64, "la64", MiB(2), GiB(1), 8, 512, 512 },
	/* ARMv7: 256-entry L2 tables under the 4096-entry L1 root. */
	{ PT_ARMV7, "armv7", MiB(1), 0, 4, 256, 4096 },
};
const size_t fmt_count = sizeof(fmt_list) / sizeof(fmt_list[0]);

/* ---- The pool ------------------------------------------------------------ */

static struct arena the_pool;

int pool_init(size_t frames)
{
	if (arena_init(&the_pool, PT_SIZE_1G, frames) != 0)
		return -1;
	/* Fault every page in now, once: no run pays for a first touch. */
	memset(the_pool.mem, 0, frames * PT_SIZE_4K);
	/* Tables are zeroed by libpt; the arena's garbage fill (and poison on
	 * free) would add a memset per frame that no real allocator does. */
	the_pool.dirty = false;
	/* A kernel's phys_to_virt is an add; the strict mode's ownership
	 * lookup is a test aid. */
	the_pool.strict_virt = false;
	return 0;
}

struct arena *pool(void)
{
	return &the_pool;
}

/* ---- Helpers --------------------------------------------------------------- */

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static uint64_t rng(void)
{
	/* xorshift64*: deterministic, so every run (and every icount) sees the
	 * same addresses. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1du;
}

static uint64_t max_u64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

static int alloc_addr(struct fix *f, size_t n)
{
	f->addr = calloc(n, sizeof(*f->addr));
	if (!f->addr)
		return PT_ERR_NO_MEMORY;
	f->naddr = n;
	return PT_OK;
}

static int map_regions(struct fix *f)
{
	for (uint64_t k = 0; k < f->reps; k++)
		CHECK(pt_map_region(&f->t, f->va + k * f->size, f->pa + k * f->size, f->size, RW,
				    f->opts));
	return PT_OK;
}

static int unmap_all(struct fix *f)
{
	return pt_unmap_region(&f->t, f->va, f->reps * f->size);
}

static int remap_all(struct fix *f)
{
	CHECK(unmap_all(f));
	return map_regions(f);
}

/* ---- Setups ---------------------------------------------------------------- */

/* `arg` bytes in 4K pages, repeated up to BUDGET_4K. */
static int setup_region_4k(struct fix *f)
{
	f->size = (uint64_t)f->arg;
	f->reps = max_u64(1, BUDGET_4K / f->size);
	f->va = VA0;
	f->pa = PA0;
	f->opts = 0;
	f->items = f->reps * f->size / PAGE;
	return PT_OK;
}

static int setup_region_4k_mapped(struct fix *f)
{
	CHECK(setup_region_4k(f));
	return map_regions(f);
}

/* `arg` bytes in the smallest huge leaf: VA and PA start one huge leaf
 * past a 1G boundary so no 1G leaf fits anywhere. */
static int setup_region_huge(struct fix *f)
{
	f->size = (uint64_t)f->arg;
	f->reps = max_u64(1, BUDGET_HUGE / f->size);
	f->va = VA0 + f->fm->huge;
	f->pa = PA0 + f->fm->huge;
	f->opts = PT_ALLOW_HUGE;
	f->items = f->reps * f->size / f->fm->huge;
	return PT_OK;
}

static int setup_region_giant(struct fix *f)
{
	f->size = (uint64_t)f->arg;
	f->reps = GIANT_REPS;
	f->va = VA0;
	f->pa = PA0;
	f->opts = PT_ALLOW_HUGE;
	f->items = f->reps * (f->size / f->fm->giant);
	return PT_OK;
}

/* Huge-page regions whose edges the run cuts one page in from each end:
 * every call splits two huge leaves. Items: pages in the cut range. */
static int setup_split(struct fix *f)
{
	CHECK(setup_region_huge(f));
	f->inner = PAGE;
	f->items = f->reps * (f->size - 2 * f->inner) / PAGE;
	return map_regions(f);
}

/* One region of `arg` bytes in 4K pages for single-page operations. */
static int setup_pages(struct fix *f)
{
	f->size = (uint64_t)f->arg;
	f->reps = 1;
	f->va = VA0;
	f->pa = PA0;
	f->items = f->size / PAGE;
	return PT_OK;
}

static int setup_pages_mapped(struct fix *f)
{
	CHECK(setup_pages(f));
	return map_regions(f);
}

/* ---- Single-page workloads ----------------------------------------------- */

/* Single-op loops keep what they iterate over in locals, as a caller
 * would: the fixture shares memory with the table, so the compiler would
 * otherwise reload it around every call. */
static int run_map_seq(struct fix *f)
{
	struct pt_table *t = &f->t;
	const uint64_t va = f->va, pa = f->pa, n = f->items;
	for (uint64_t i = 0; i < n; i++)
		CHECK(pt_map(t, va + i * PAGE, pa + i * PAGE, PAGE, RW));
	return PT_OK;
}

/*
 * The floor of any out-of-line single-page map: a call shaped like
 * pt_map's (a table, va, pa, size, flags, a result to test) to a function
 * the compiler cannot inline or see into, which stores the entry into a
 * warm buffer as large as the last-level tables and checks nothing.
 */
struct call_map {
	uint64_t *tbl;
	uint64_t va0;
};

__attribute__((noinline)) int bench_map_call(struct call_map *c, uint64_t va, uint64_t pa,
					     uint64_t size, uint32_t flags);
__attribute__((noinline)) int bench_map_call(struct call_map *c, uint64_t va, uint64_t pa,
					     uint64_t size, uint32_t flags)
{
	__asm__ volatile("" : "+r"(c)); /* nothing about c is known here */
	(void)size;
	c->tbl[(va - c->va0) >> 12] = pa | flags;
	return PT_OK;
}

static int setup_map_call_floor(struct fix *f)
{
	CHECK(setup_pages(f));
	f->buf = calloc(f->items, sizeof(uint64_t));
	return f->buf ? PT_OK : PT_ERR_NO_MEMORY;
}

static int run_map_call_floor(struct fix *f)
{
	struct call_map c = { f->buf, f->va };
	const uint64_t va = f->va, pa = f->pa, n = f->items;
	for (uint64_t i = 0; i < n; i++)
		CHECK(bench_map_call(&c, va + i * PAGE, pa + i * PAGE, PAGE, RW));
	bench_clobber_memory();
	return PT_OK;
}

/* `arg` pages spread over 64 GiB (3 GiB on ARMv7): one per equal slot, in
 * random order, so nearly every map allocates its own last-level table. */
static int setup_map_rand(struct fix *f)
{
	uint64_t span = f->fm->pte_bytes == 4 ? GiB(3) : GiB(64);
	size_t n = (size_t)f->arg;
	uint64_t slot = span / n / PAGE;
	CHECK(alloc_addr(f, n));
	for (size_t i = 0; i < n; i++)
		f->addr[i] = VA0 + (i * slot + rng() % slot) * PAGE;
	for (size_t i = n - 1; i > 0; i--) {
		size_t j = (size_t)(rng() % (i + 1));
		uint64_t x = f->addr[i];
		f->addr[i] = f->addr[j];
		f->addr[j] = x;
	}
	f->va = VA0;
	f->size = span;
	f->reps = 1;
	f->items = n;
	return PT_OK;
}

static int run_map_rand(struct fix *f)
{
	struct pt_table *t = &f->t;
	const uint64_t *addr = f->addr;
	const size_t n = f->naddr;
	for (size_t i = 0; i < n; i++)
		CHECK(pt_map(t, addr[i], PA0 + i * PAGE, PAGE, RW));
	return PT_OK;
}

/* SINGLE_OPS random addresses (any byte) inside a mapped 4K region. */
static int setup_lookup(struct fix *f)
{
	CHECK(setup_pages_mapped(f));
	CHECK(alloc_addr(f, SINGLE_OPS));
	for (size_t i = 0; i < f->naddr; i++)
		f->addr[i] = f->va + rng() % f->size;
	f->items = f->naddr;
	return PT_OK;
}

static int run_query(struct fix *f)
{
	const struct pt_table *t = &f->t;
	const uint64_t *addr = f->addr;
	const size_t n = f->naddr;
	struct pt_mapping m;
	uint64_t sum = 0;
	for (size_t i = 0; i < n; i++) {
		CHECK(pt_query(t, addr[i], &m));
		sum += m.pa;
	}
	f->sink += sum;
	bench_do_not_optimize(&f->sink);
	return PT_OK;
}

/*
 * The floor of a random query over the same tables: the two dependent loads
 * every lookup under a known directory makes (the entry pointing at the
 * last-level table, then the leaf), with no check, no call and no decode.
 * The directory is an array of the last-level tables' addresses, read off
 * the table by pt_walk, as large as the real one.
 */
struct dir_rec {
	unsigned level;
	void **dir;
};

static int note_dir(void *arg, const struct pt_entry *e)
{
	struct dir_rec *d = arg;
	if (e->level == d->level && !e->leaf)
		d->dir[e->index] = pool()->mem + (e->pa - pool()->base);
	return 0;
}

static int setup_query_floor(struct fix *f)
{
	unsigned levels = pt_arch_info(f->fm->arch)->levels;
	const struct pt_walk_ops ops = { 0, note_dir, NULL };
	struct dir_rec d = { levels - 2, NULL };
	size_t n = f->fm->pte_bytes == 4 ? 4096 : 512;
	CHECK(setup_lookup(f));
	f->buf = d.dir = calloc(n, sizeof(void *));
	if (!d.dir)
		return PT_ERR_NO_MEMORY;
	return pt_walk(&f->t, &ops, &d);
}

static int run_query_floor(struct fix *f)
{
	void *const *dir = f->buf;
	const uint64_t *addr = f->addr;
	const size_t n = f->naddr;
	uint64_t sum = 0;
	if (f->fm->pte_bytes == 8) {
		for (size_t i = 0; i < n; i++) {
			const uint64_t *tbl = dir[(addr[i] >> 21) & 511];
			sum += tbl[(addr[i] >> 12) & 511] ^ (addr[i] & 4095);
		}
	} else {
		for (size_t i = 0; i < n; i++) {
			const uint32_t *tbl = dir[(addr[i] >> 20) & 4095];
			sum += tbl[(addr[i] >> 12) & 255] ^ (addr[i] & 4095);
		}
	}
	f->sink += sum;
	bench_do_not_optimize(&f->sink);
	return PT_OK;
}

/*
 * The floor of any out-of-line query: the same two loads, behind a call
 * shaped like pt_query's (a table, va, an output of three fields, a result
 * to test), to a function the compiler cannot inline or see into. It adds
 * to query_floor exactly what calling a library costs and nothing that
 * checking, decoding or dispatch costs.
 */
struct call_tbl {
	void *const *dir;
	unsigned wide;
};

__attribute__((noinline)) int bench_query_call(const struct call_tbl *c, uint64_t va,
					       struct pt_mapping *out);
__attribute__((noinline)) int bench_query_call(const struct call_tbl *c, uint64_t va,
					       struct pt_mapping *out)
{
	uint64_t e;
	__asm__ volatile("" : "+r"(c)); /* nothing about c is known here */
	if (c->wide)
		e = ((const uint64_t *)c->dir[(va >> 21) & 511])[(va >> 12) & 511];
	else
		e = ((const uint32_t *)c->dir[(va >> 20) & 4095])[(va >> 12) & 255];
	out->pa = (e & ~(uint64_t)4095) | (va & 4095);
	out->flags = (uint32_t)e & 7;
	out->size = PAGE;
	return PT_OK;
}

static int run_query_call_floor(struct fix *f)
{
	const struct call_tbl c = { f->buf, f->fm->pte_bytes == 8 };
	const uint64_t *addr = f->addr;
	const size_t n = f->naddr;
	struct pt_mapping m;
	uint64_t sum = 0;
	for (size_t i = 0; i < n; i++) {
		CHECK(bench_query_call(&c, addr[i], &m));
		sum += m.pa;
	}
	f->sink += sum;
	bench_do_not_optimize(&f->sink);
	return PT_OK;
}

static int run_translate(struct fix *f)
{
	struct pt_mapping m;
	const uint64_t root = pt_root(&f->t), *addr = f->addr;
	const size_t n = f->naddr;
	const enum pt_arch arch = f->fm->arch;
	uint64_t sum = 0;
	for (size_t i = 0; i < n; i++) {
		CHECK(pt_translate(arch, 0, root, &f->mm, addr[i], &m));
		sum += m.pa;
	}
	f->sink += sum;
	bench_do_not_optimize(&f->sink);
	return PT_OK;
}

/* Every run moves each page by 1 GiB of PA and back the next time, so
 * every call really changes the entry (break-before-make included on
 * AArch64 and ARMv7). */
static int run_remap(struct fix *f)
{
	struct pt_table *t = &f->t;
	const uint64_t va = f->va, pa = f->pa + (f->pa_shift ^= GiB(1)), n = f->items;
	for (uint64_t i = 0; i < n; i++)
		CHECK(pt_remap(t, va + i * PAGE, pa + i * PAGE, RW, NULL));
	return PT_OK;
}

/* Read-write to read-only and back, alternating runs. */
static int run_protect(struct fix *f)
{
	struct pt_table *t = &f->t;
	const uint64_t va = f->va, n = f->items;
	const uint32_t flags = f->flags ^= PT_WRITE;
	for (uint64_t i = 0; i < n; i++)
		CHECK(pt_protect(t, va + i * PAGE, flags, NULL));
	return PT_OK;
}

static int run_unmap(struct fix *f)
{
	struct pt_table *t = &f->t;
	const uint64_t va = f->va, n = f->items;
	for (uint64_t i = 0; i < n; i++)
		CHECK(pt_unmap(t, va + i * PAGE, NULL));
	return PT_OK;
}

/* pt_protect page by page with a pt_flush every `arg` pages: up to 32
 * records flush one VA each, more flush everything once. */
static int setup_flush(struct fix *f)
{
	int64_t batch = f->arg;
	f->arg = (int64_t)MiB(16);
	CHECK(setup_pages_mapped(f));
	f->arg = batch;
	return PT_OK;
}

static int run_flush(struct fix *f)
{
	uint64_t batch = (uint64_t)f->arg;
	f->flags ^= PT_WRITE;
	for (uint64_t i = 0; i < f->items; i++) {
		CHECK(pt_protect(&f->t, f->va + i * PAGE, f->flags, NULL));
		if ((i + 1) % batch == 0)
			pt_flush(&f->t);
	}
	pt_flush(&f->t);
	return PT_OK;
}

/* ---- Region workloads ------------------------------------------------------ */

static int run_unmap_regions(struct fix *f)
{
	for (uint64_t k = 0; k < f->reps; k++)
		CHECK(pt_unmap_region(&f->t, f->va + k * f->size, f->size));
	return PT_OK;
}

static int run_protect_regions(struct fix *f)
{
	f->flags ^= PT_WRITE;
	for (uint64_t k = 0; k < f->reps; k++)
		CHECK(pt_protect_region(&f->t, f->va + k * f->size, f->size, f->flags));
	return PT_OK;
}

static int run_unmap_split(struct fix *f)
{
	for (uint64_t k = 0; k < f->reps; k++)
		CHECK(pt_unmap_region(&f->t, f->va + k * f->size + f->inner,
				      f->size - 2 * f->inner));
	return PT_OK;
}

static int run_protect_split(struct fix *f)
{
	for (uint64_t k = 0; k < f->reps; k++)
		CHECK(pt_protect_region(&f->t, f->va + k * f->size + f->inner,
					f->size - 2 * f->inner, PT_READ));
	return PT_OK;
}

/* ---- Walk ------------------------------------------------------------------ */

static int count_leaf(void *arg, const struct pt_entry *e)
{
	if (e->leaf)
		++*(uint64_t *)arg;
	return 0;
}

static void setup_walk_common(struct fix *f)
{
	f->expect = f->items;
	f->reps = max_u64(1, WALK_LEAVES / f->expect);
	f->items = f->reps * f->expect;
}

static int setup_walk_4k(struct fix *f)
{
	CHECK(setup_pages_mapped(f));
	setup_walk_common(f);
	return PT_OK;
}

/* pt_walk_ranges (extension): one range per uniform run, one callback each. */
static int sum_range(void *arg, const struct pt_range *r)
{
	*(uint64_t *)arg += r->size;
	return 0;
}

static int run_walk_ranges(struct fix *f)
{
	for (uint64_t k = 0; k < f->reps; k++) {
		uint64_t bytes = 0;
		CHECK(pt_walk_ranges(&f->t, f->va, f->size, sum_range, &bytes));
		if (bytes != f->expect * PAGE)
			return PT_ERR_CORRUPT;
	}
	return PT_OK;
}

/*
 * pt_walk_batches (extension): one callback per batch of up to
 * PT_BATCH_MAX leaves, each leaf's PA decoded by libpt. walk_batches_4k's
 * callback counts the leaves, as walk_4k's does (and keeps the last PA, so
 * the batch is read); walk_batches_sum_4k's also adds up every PA, a loop
 * over the batch of the caller's own (4 instructions a leaf here).
 */
struct batch_sum {
	uint64_t leaves, pa;
};

static int count_batch(void *arg, const struct pt_batch *b)
{
	struct batch_sum *a = arg;
	a->leaves += b->n;
	a->pa ^= b->pa[b->n - 1];
	return 0;
}

static int sum_batch(void *arg, const struct pt_batch *b)
{
	struct batch_sum *a = arg;
	uint64_t pa = 0;
	for (size_t i = 0; i < b->n; i++)
		pa += b->pa[i];
	a->leaves += b->n;
	a->pa += pa;
	return 0;
}

static int walk_batches(struct fix *f, int (*fn)(void *arg, const struct pt_batch *b))
{
	for (uint64_t k = 0; k < f->reps; k++) {
		struct batch_sum a = { 0, 0 };
		CHECK(pt_walk_batches(&f->t, f->va, f->size, fn, &a));
		if (a.leaves != f->expect)
			return PT_ERR_CORRUPT;
		f->sink += a.pa;
	}
	return PT_OK;
}

static int run_walk_batches(struct fix *f)
{
	return walk_batches(f, count_batch);
}

static int run_walk_batches_sum(struct fix *f)
{
	return walk_batches(f, sum_batch);
}

static int setup_walk_huge(struct fix *f)
{
	CHECK(setup_region_huge(f));
	f->reps = 1;
	f->items = f->size / f->fm->huge;
	CHECK(map_regions(f));
	setup_walk_common(f);
	return PT_OK;
}

static int run_walk(struct fix *f)
{
	const struct pt_walk_ops ops = { 0, count_leaf, NULL };
	for (uint64_t k = 0; k < f->reps; k++) {
		uint64_t n = 0;
		CHECK(pt_walk(&f->t, &ops, &n));
		/* A walk that misses leaves is not a fast walk. */
		if (n != f->expect)
			return PT_ERR_CORRUPT;
	}
	return PT_OK;
}

/* walk_huge maps one region, not reps of them: reset/close unmap that. */

/* ---- Teardown ---------------------------------------------------------------- */

/* pt_init, then the direct map unless the workload measures the hook. */
static int table_init(struct fix *f, struct pt_table *t)
{
	CHECK(pt_init(t, f->fm->arch, 0, &f->mm));
	if (f->w->hook)
		return PT_OK;
	return pt_set_direct_map(t, (uint64_t)(uintptr_t)pool()->mem - pool()->base);
}

static int populate_tabs(struct fix *f)
{
	for (size_t i = 0; i < f->ntabs; i++) {
		CHECK(table_init(f, &f->tabs[i]));
		CHECK(pt_map_region(&f->tabs[i], VA0, PA0, f->size, RW, 0));
	}
	return PT_OK;
}

static int setup_destroy(struct fix *f)
{
	f->size = (uint64_t)f->arg;
	f->ntabs = (size_t)max_u64(1, BUDGET_DESTROY / f->size);
	f->tabs = calloc(f->ntabs, sizeof(*f->tabs));
	if (!f->tabs)
		return PT_ERR_NO_MEMORY;
	f->items = f->ntabs * f->size / PAGE;
	return populate_tabs(f);
}

static int run_destroy(struct fix *f)
{
	for (size_t i = 0; i < f->ntabs; i++)
		pt_destroy(&f->tabs[i]);
	return PT_OK;
}

/* ---- The floor --------------------------------------------------------------- */

/*
 * What any map_region of the same pages must write, done with plain stores
 * into a warm buffer: every new table zeroed, then its entries written
 * (last level first), then the entries in the root. Tables per level are
 * counted as for VA0-aligned pages; the root is written, never zeroed.
 */
static unsigned floor_levels(const struct fix *f)
{
	return pt_arch_info(f->fm->arch)->levels;
}

static size_t floor_entries(const struct fix *f, unsigned lv, unsigned levels)
{
	if (lv == 0)
		return f->fm->leaf_entries;
	if (lv == levels - 1 && f->fm->pte_bytes == 4)
		return 4096; /* the ARMv7 L1 root */
	return f->fm->up_entries;
}

static int setup_floor(struct fix *f)
{
	unsigned levels;
	uint64_t n;
	size_t bytes = 0;
	CHECK(setup_region_4k(f));
	levels = floor_levels(f);
	n = f->items;
	for (unsigned lv = 0; lv < levels; lv++) {
		size_t e = floor_entries(f, lv, levels);
		size_t tables = lv == levels - 1 ? 1 : (size_t)((n + e - 1) / e);
		f->buf_tables[lv] = tables;
		bytes += tables * e * f->fm->pte_bytes;
		n = tables;
	}
	f->buf = aligned_alloc(PAGE, (bytes + PAGE - 1) & ~(PAGE - 1));
	if (!f->buf)
		return PT_ERR_NO_MEMORY;
	memset(f->buf, 0, bytes); /* warm */
	return PT_OK;
}

static int run_floor(struct fix *f)
{
	unsigned levels = floor_levels(f);
	unsigned char *p = f->buf;
	uint64_t n = f->items; /* entries to write at this level */
	for (unsigned lv = 0; lv < levels; lv++) {
		size_t e = floor_entries(f, lv, levels);
		size_t tbytes = e * f->fm->pte_bytes;
		bool root = lv == levels - 1;
		uint64_t pte = PA0 | 3;
		for (size_t t = 0; t < f->buf_tables[lv]; t++, p += tbytes) {
			size_t k = n - t * e < e ? (size_t)(n - t * e) : e;
			if (!root)
				memset(p, 0, tbytes);
			/* The zeroing is not dead because entries follow. */
			bench_clobber_memory();
			if (f->fm->pte_bytes == 8) {
				uint64_t *q = (uint64_t *)(void *)p;
				for (size_t i = 0; i < k; i++, pte += PAGE)
					q[i] = pte;
			} else {
				uint32_t *q = (uint32_t *)(void *)p;
				for (size_t i = 0; i < k; i++, pte += PAGE)
					q[i] = (uint32_t)pte;
			}
		}
		n = f->buf_tables[lv];
	}
	bench_clobber_memory();
	return PT_OK;
}

/*
 * The floor of any walk that calls back once per leaf: the same leaves, read
 * from a warm buffer as large as their tables, each put in a struct pt_entry
 * and handed to the same callback through a pointer the compiler cannot
 * see. pt_walk does this plus the descent and the decode; pt_walk_ranges
 * calls back once per run and so can go below it.
 */
static int setup_walk_floor(struct fix *f)
{
	uint64_t *q;
	CHECK(setup_pages(f));
	setup_walk_common(f);
	f->buf = q = aligned_alloc(PAGE, (size_t)((f->expect * 8 + PAGE - 1) & ~(PAGE - 1)));
	if (!q)
		return PT_ERR_NO_MEMORY;
	for (uint64_t i = 0; i < f->expect; i++)
		q[i] = (f->pa + i * PAGE) | 3;
	return PT_OK;
}

static int run_walk_floor(struct fix *f)
{
	const struct pt_walk_ops ops = { 0, count_leaf, NULL };
	const struct pt_walk_ops *o = &ops;
	const uint64_t *q = f->buf;
	const uint64_t n = f->expect, va = f->va, pa = f->pa;
	const size_t mask = f->fm->leaf_entries - 1;
	struct pt_entry e = { 0 };
	bench_do_not_optimize(&o);
	__asm__ volatile("" : "+r"(o)); /* the callback is not known here */
	e.level = pt_arch_info(f->fm->arch)->levels - 1;
	e.leaf = true;
	e.flags = RW;
	e.size = PAGE;
	for (uint64_t k = 0; k < f->reps; k++) {
		uint64_t got = 0;
		for (uint64_t i = 0; i < n; i++) {
			e.index = (size_t)i & mask;
			e.va = va + i * PAGE;
			e.pte = q[i];
			e.pa = pa + i * PAGE;
			CHECK(o->pre(&got, &e));
		}
		if (got != n)
			return PT_ERR_CORRUPT;
	}
	return PT_OK;
}

/* ---- The list ---------------------------------------------------------------- */

static bool applies_huge(const struct fmt *fm, int64_t arg)
{
	return (uint64_t)arg >= fm->huge;
}

static bool applies_split(const struct fmt *fm, int64_t arg)
{
	return (uint64_t)arg >= 2 * fm->huge;
}

static bool applies_giant(const struct fmt *fm, int64_t arg)
{
	return fm->giant && (uint64_t)arg >= fm->giant;
}

#define M1 ((int64_t)MiB(1))
#define M16 ((int64_t)MiB(16))
#define M256 ((int64_t)MiB(256))
#define G1 ((int64_t)GiB(1))

#define W(n, u, ...) .name = (n), .unit = (u), .args = { __VA_ARGS__ }

const struct workload work_list[] = {
	{ W("floor", "page", M1, M16, M256, G1), .setup = setup_floor, .run = run_floor },
	{ W("map_seq", "op", M16), .icount_arg = M16, .setup = setup_pages, .run = run_map_seq,
	  .reset = unmap_all },
	{ W("map_call_floor", "op", M16), .icount_arg = M16, .setup = setup_map_call_floor,
	  .run = run_map_call_floor },
	{ W("map_rand", "op", 4096), .icount_arg = 4096, .setup = setup_map_rand,
	  .run = run_map_rand, .reset = unmap_all },
	{ W("query", "op", M16, G1), .icount_arg = M16, .setup = setup_lookup, .run = run_query },
	{ W("query_floor", "op", M16, G1), .icount_arg = M16, .setup = setup_query_floor,
	  .run = run_query_floor },
	{ W("query_call_floor", "op", M16, G1), .icount_arg = M16, .setup = setup_query_floor,
	  .run = run_query_call_floor },
	{ W("query_hook", "op", M16, G1), .icount_arg = M16, .setup = setup_lookup,
	  .run = run_query, .hook = true },
	{ W("translate", "op", M16, G1), .icount_arg = M16, .setup = setup_lookup,
	  .run = run_translate },
	{ W("remap", "op", M16), .icount_arg = M16, .setup = setup_pages_mapped, .run = run_remap },
	{ W("protect", "op", M16), .icount_arg = M16, .setup = setup_pages_mapped,
	  .run = run_protect },
	{ W("unmap", "op", M16), .icount_arg = M16, .setup = setup_pages_mapped, .run = run_unmap,
	  .reset = map_regions },
	{ W("flush_batch", "op", 1, 32, 33, 512), .icount_arg = 32, .setup = setup_flush,
	  .run = run_flush },
	{ W("map_region_4k", "page", M1, M16, M256, G1), .icount_arg = M16,
	  .setup = setup_region_4k, .run = map_regions, .reset = unmap_all },
	{ W("map_region_huge", "leaf", M1, M16, M256, G1), .icount_arg = G1,
	  .applies = applies_huge, .setup = setup_region_huge, .run = map_regions,
	  .reset = unmap_all },
	{ W("map_region_1g", "leaf", G1), .icount_arg = G1, .applies = applies_giant,
	  .setup = setup_region_giant, .run = map_regions, .reset = unmap_all },
	{ W("unmap_region_4k", "page", M1, M16, M256, G1), .icount_arg = M16,
	  .setup = setup_region_4k_mapped, .run = run_unmap_regions, .reset = map_regions,
	  .min_time = 0.005 },
	{ W("protect_region_4k", "page", M1, M16, M256, G1), .icount_arg = M16,
	  .setup = setup_region_4k_mapped, .run = run_protect_regions },
	{ W("unmap_region_split", "page", M16, G1), .icount_arg = M16, .applies = applies_split,
	  .setup = setup_split, .run = run_unmap_split, .reset = remap_all },
	{ W("protect_region_split", "page", M16, G1), .icount_arg = M16,
	  .applies = applies_split, .setup = setup_split, .run = run_protect_split,
	  .reset = remap_all },
	{ W("walk_4k", "leaf", M1, M16, M256, G1), .icount_arg = M16, .setup = setup_walk_4k,
	  .run = run_walk },
	{ W("walk_floor", "leaf", M1, M16, M256, G1), .icount_arg = M16,
	  .setup = setup_walk_floor, .run = run_walk_floor },
	{ W("walk_ranges_4k", "leaf", M1, M16, M256, G1), .icount_arg = M16,
	  .setup = setup_walk_4k, .run = run_walk_ranges },
	{ W("walk_batches_4k", "leaf", M1, M16, M256, G1), .icount_arg = M16,
	  .setup = setup_walk_4k, .run = run_walk_batches },
	{ W("walk_batches_sum_4k", "leaf", M1, M16, M256, G1), .icount_arg = M16,
	  .setup = setup_walk_4k, .run = run_walk_batches_sum },
	{ W("walk_huge", "leaf", G1), .icount_arg = G1, .applies = applies_huge,
	  .setup = setup_walk_huge, .run = run_walk },
	{ W("destroy", "page", M16, M256, G1), .icount_arg = M16, .setup = setup_destroy,
	  .run = run_destroy, .reset = populate_tabs, .min_time = 0.005 },
};
const size_t work_count = sizeof(work_list) / sizeof(work_list[0]);

bool work_applies(const struct workload *w, const struct fmt *fm, int64_t arg)
{
	return !w->applies || w->applies(fm, arg);
}

/* ---- Fixtures ---------------------------------------------------------------- */

int fix_open(struct fix *f, const struct fmt *fm, const struct workload *w, int64_t arg)
{
	int r;
	memset(f, 0, sizeof(*f));
	f->fm = fm;
	f->w = w;
	f->arg = arg;
	f->flags = RW;
	arena_mm(pool(), &f->mm);
	pool()->hint = 0;
	r = table_init(f, &f->t);
	if (r != PT_OK) {
		fix_close(f);
		return r;
	}
	r = w->setup(f);
	if (r != PT_OK) {
		fix_close(f);
		return r;
	}
	/* Start every run with no TLB records left over from the setup. */
	pt_flush(&f->t);
	return PT_OK;
}

void fix_prepare(struct fix *f)
{
	(void)f;
	pool()->hint = 0;
}

int fix_close(struct fix *f)
{
	pt_destroy(&f->t);
	for (size_t i = 0; i < f->ntabs; i++)
		pt_destroy(&f->tabs[i]);
	free(f->tabs);
	free(f->addr);
	free(f->buf);
	f->tabs = NULL;
	f->addr = NULL;
	f->buf = NULL;
	/* Every frame must be back: a leak is a library bug, not a speed-up. */
	if (pool()->in_use != 0 || pool()->errors != 0)
		return PT_ERR_INVALID;
	return PT_OK;
}
