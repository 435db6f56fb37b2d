/* SPDX-License-Identifier: MIT */
/*
 * Single-page workloads (see work.h and work_internal.h): map, query,
 * translate, remap, protect, unmap and flush one page per call, and the
 * floors of an out-of-line map and of a query.
 */
#include <stdlib.h>
#include <string.h>

#include "shim.h" /* only the inline optimiser barriers */
#include "work_internal.h"

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

static int alloc_addr(struct fix *f, size_t n)
{
	f->addr = calloc(n, sizeof(*f->addr));
	if (!f->addr)
		return PT_ERR_NO_MEMORY;
	f->naddr = n;
	return PT_OK;
}

/* ---- Single-page workloads ----------------------------------------------- */

/* Single-op loops keep what they iterate over in locals, as a caller
 * would: the fixture shares memory with the table, so the compiler would
 * otherwise reload it around every call. */
int run_map_seq(struct fix *f)
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

int setup_map_call_floor(struct fix *f)
{
	CHECK(setup_pages(f));
	f->buf = calloc(f->items, sizeof(uint64_t));
	return f->buf ? PT_OK : PT_ERR_NO_MEMORY;
}

int run_map_call_floor(struct fix *f)
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
int setup_map_rand(struct fix *f)
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

int run_map_rand(struct fix *f)
{
	struct pt_table *t = &f->t;
	const uint64_t *addr = f->addr;
	const size_t n = f->naddr;
	for (size_t i = 0; i < n; i++)
		CHECK(pt_map(t, addr[i], PA0 + i * PAGE, PAGE, RW));
	return PT_OK;
}

/* SINGLE_OPS random addresses (any byte) inside a mapped 4K region. */
int setup_lookup(struct fix *f)
{
	CHECK(setup_pages_mapped(f));
	CHECK(alloc_addr(f, SINGLE_OPS));
	for (size_t i = 0; i < f->naddr; i++)
		f->addr[i] = f->va + rng() % f->size;
	f->items = f->naddr;
	return PT_OK;
}

int run_query(struct fix *f)
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

int setup_query_floor(struct fix *f)
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

int run_query_floor(struct fix *f)
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
	out->size = PT_SIZE_4K; /* a 4K model: not run on the granules */
	return PT_OK;
}

int run_query_call_floor(struct fix *f)
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

int run_translate(struct fix *f)
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

/* Every control the format's regime has, with a read that passes them
 * all (the pages are the kernel's, readable). ARMv7 remaps memory types
 * through Linux's PRRR and NMRR. */
static struct pt_regime regime_all(const struct fix *f)
{
	const enum pt_arch a = f->fm->arch;
	struct pt_regime r = { a, 0, 0, pt_root(&f->t), 0, 0, 0, 0 };
	if (a == PT_X86_64 || a == PT_X86_64_LA57)
		r.controls = PT_CTL_NXE | PT_CTL_WP | PT_CTL_SMEP | PT_CTL_SMAP | PT_CTL_AC;
	else if (a == PT_AARCH64)
		r.controls = PT_CTL_PAN | PT_CTL_WXN | PT_CTL_HA | PT_CTL_HD | PT_CTL_HPD;
	else if (a == PT_ARMV7)
		r.controls = PT_CTL_TRE | PT_CTL_AFE, r.attrs = UINT64_C(0x40e040e0ff0a81a8);
	else if (a == PT_AARCH64_S2)
		r.controls = PT_CTL_HA | PT_CTL_HD; /* VTCR_EL2's only two */
	else if (a == PT_RISCV_SV39X4 || a == PT_RISCV_SV48X4 || a == PT_RISCV_SV57X4)
		r.controls = PT_CTL_HA | PT_CTL_HD | PT_CTL_MXR; /* no SUM at G-stage */
	else if (a == PT_X86_64_EPT || a == PT_X86_64_EPT5)
		r.controls = 0; /* EPT has none */
	else if (a != PT_LOONGARCH64)
		r.controls = PT_CTL_HA | PT_CTL_HD | PT_CTL_SUM | PT_CTL_MXR;
	return r;
}

/* pt_access checking a read, under libpt's own regime (access: x86 NXE
 * and WP, hardware access state elsewhere) or with every control set
 * (access_ctl). */
static int run_access_with(struct fix *f, bool all)
{
	struct pt_regime r = regime_all(f);
	struct pt_mapping m;
	const uint64_t *addr = f->addr;
	const size_t n = f->naddr;
	uint64_t sum = 0;
	if (!all)
		r.controls &= PT_CTL_NXE | PT_CTL_WP | PT_CTL_HA | PT_CTL_HD, r.attrs = 0;
	for (size_t i = 0; i < n; i++) {
		CHECK(pt_access(&r, &f->mm, addr[i], PT_ACCESS_READ, &m, NULL));
		sum += m.pa;
	}
	f->sink += sum;
	bench_do_not_optimize(&f->sink);
	return PT_OK;
}

int run_access(struct fix *f)
{
	return run_access_with(f, false);
}

int run_access_ctl(struct fix *f)
{
	return run_access_with(f, true);
}

/* The second stage each benchmarked guest format runs under: x86-64 with
 * EPT, AArch64 with its stage 2 at the default 40-bit IPA, Sv48 with
 * Sv48x4. */
enum pt_arch nested_s2(enum pt_arch a)
{
	return a == PT_X86_64 ? PT_X86_64_EPT : a == PT_AARCH64 ? PT_AARCH64_S2 : PT_RISCV_SV48X4;
}

/* Guest-physical [pa, pa + size) onto the same host-physical range in 2M
 * leaves, as a hypervisor backs guest memory with huge pages. */
static int map_guest(struct pt_table *s2, uint64_t pa, uint64_t size)
{
	for (uint64_t off = 0; off < size; off += PT_SIZE_2M)
		CHECK(pt_map_region(s2, pa + off, pa + off, PT_SIZE_2M,
				    PT_READ | PT_WRITE | PT_EXECUTE, PT_ALLOW_HUGE));
	return PT_OK;
}

/* The lookup fixture as a guest's stage 1, plus a stage 2 that maps the
 * pool (where stage 1's tables live) and the region's PAs. */
int setup_nested(struct fix *f)
{
	const struct arena *p = pool();
	/* The addresses access draws, leaving the generator where it was:
	 * the workloads after this one keep their addresses, and their
	 * instruction counts stay comparable with the baseline. */
	const uint64_t seed = rng_state;
	const int r = setup_lookup(f);
	rng_state = seed;
	CHECK(r);
	f->tabs = calloc(1, sizeof(*f->tabs));
	if (!f->tabs)
		return PT_ERR_NO_MEMORY;
	CHECK(pt_init(&f->tabs[0], nested_s2(f->fm->arch), 0, &f->mm));
	f->ntabs = 1;
	CHECK(map_guest(&f->tabs[0], p->base, (p->nframes * PAGE + PT_SIZE_2M - 1) & ~(PT_SIZE_2M - 1)));
	return map_guest(&f->tabs[0], f->pa, f->size);
}

/* pt_access_nested checking a read under both stages' own regimes. */
int run_access_nested(struct fix *f)
{
	struct pt_regime r1 = regime_all(f), r2;
	struct pt_mapping m;
	const uint64_t *addr = f->addr;
	const size_t n = f->naddr;
	uint64_t sum = 0;
	r1.controls &= PT_CTL_NXE | PT_CTL_WP | PT_CTL_HA | PT_CTL_HD;
	memset(&r2, 0, sizeof(r2));
	r2.arch = nested_s2(f->fm->arch);
	r2.root = pt_root(&f->tabs[0]);
	if (r2.arch != PT_X86_64_EPT)
		r2.controls = PT_CTL_HA | PT_CTL_HD;
	for (size_t i = 0; i < n; i++) {
		CHECK(pt_access_nested(&r1, &r2, &f->mm, addr[i], PT_ACCESS_READ, &m, NULL));
		sum += m.pa;
	}
	f->sink += sum;
	bench_do_not_optimize(&f->sink);
	return PT_OK;
}

/* Every run moves each page by 1 GiB of PA and back the next time, so
 * every call really changes the entry (break-before-make included on
 * AArch64 and ARMv7). */
int run_remap(struct fix *f)
{
	struct pt_table *t = &f->t;
	const uint64_t va = f->va, pa = f->pa + (f->pa_shift ^= GiB(1)), n = f->items;
	for (uint64_t i = 0; i < n; i++)
		CHECK(pt_remap(t, va + i * PAGE, pa + i * PAGE, RW, NULL));
	return PT_OK;
}

/* Read-write to read-only and back, alternating runs. */
int run_protect(struct fix *f)
{
	struct pt_table *t = &f->t;
	const uint64_t va = f->va, n = f->items;
	const uint32_t flags = f->flags ^= PT_WRITE;
	for (uint64_t i = 0; i < n; i++)
		CHECK(pt_protect(t, va + i * PAGE, flags, NULL));
	return PT_OK;
}

int run_unmap(struct fix *f)
{
	struct pt_table *t = &f->t;
	const uint64_t va = f->va, n = f->items;
	for (uint64_t i = 0; i < n; i++)
		CHECK(pt_unmap(t, va + i * PAGE, NULL));
	return PT_OK;
}

/* pt_protect page by page with a pt_flush every `arg` pages: up to 32
 * records flush one VA each, more flush everything once. */
int setup_flush(struct fix *f)
{
	int64_t batch = f->arg;
	f->arg = (int64_t)MiB(16);
	CHECK(setup_pages_mapped(f));
	f->arg = batch;
	return PT_OK;
}

int run_flush(struct fix *f)
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
