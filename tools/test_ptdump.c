/* SPDX-License-Identifier: MIT */
/*
 * ptdump tests.
 *
 * roundtrip: for every format and feature variant, build tables with libpt
 * in an arena, keep a flat model of every leaf made (map, map_region with
 * huge pages, protect_region splits, unmap_region holes, random edits),
 * dump the arena to an image file and check that ptdump reports exactly the
 * model's leaves coalesced (same leaf size and flags, contiguous VA and PA),
 * through the core (ptd_walk), the command line (ptd_main) and the binary.
 * The model is also checked against pt_walk, so a mismatch says which side
 * is wrong.
 *
 * hostile: random images, self-referencing tables, tables outside the image,
 * reserved encodings, bad roots: no crash (run under ASan by `make
 * ptdump-asan`), exit 0 or 1, every reported range agrees with pt_translate.
 */
#include <dirent.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arena.h"
#include "ptdump_core.h"

#ifndef PTDUMP_BIN
#define PTDUMP_BIN "build/ptdump"
#endif

static unsigned g_pass, g_fail;
static const char *g_ctx = "";

#define CHECK(cond, ...)                                                       \
	do {                                                                   \
		if (cond) {                                                    \
			g_pass++;                                              \
		} else {                                                       \
			g_fail++;                                              \
			printf("FAIL %s:%d [%s] %s: ", __FILE__, __LINE__, g_ctx, #cond); \
			printf(__VA_ARGS__);                                   \
			printf("\n");                                          \
		}                                                              \
	} while (0)

static void group_end(const char *name)
{
	printf("[group] ptdump %s: %u passed, %u failed\n", name, g_pass, g_fail);
}

/* xorshift: deterministic, so a failure reproduces. */
static uint64_t rng_state = 0x9e3779b97f4a7c15u;
static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* ---- The flat model: every leaf made, in any order -------------------- */

struct leaf {
	uint64_t va, pa, size;
	uint32_t flags;
};

struct model {
	struct leaf *v;
	size_t n, cap;
	const struct ptd_geom *g;
};

static void model_add(struct model *m, uint64_t va, uint64_t pa, uint64_t size, uint32_t flags)
{
	if (m->n == m->cap) {
		m->cap = m->cap ? 2 * m->cap : 256;
		m->v = realloc(m->v, m->cap * sizeof(*m->v));
		if (!m->v)
			abort();
	}
	m->v[m->n++] = (struct leaf){ va, pa, size, flags };
}

static bool model_overlaps(const struct model *m, uint64_t va, uint64_t size)
{
	for (size_t i = 0; i < m->n; i++)
		if (va <= m->v[i].va + (m->v[i].size - 1) && m->v[i].va <= va + (size - 1))
			return true;
	return false;
}

/* The next smaller span below a leaf of `size`. */
static uint64_t child_size(const struct ptd_geom *g, uint64_t size)
{
	for (unsigned l = 0; l + 1 < g->levels; l++)
		if ((UINT64_C(1) << g->shift[l]) == size)
			return UINT64_C(1) << g->shift[l + 1];
	abort();
}

/* Split the leaf strictly straddling `edge` one level at a time, as the
 * library does; if keep_flags is given, a leaf already carrying those flags
 * stays whole (lead's semantics for protect_region). */
static void model_split(struct model *m, uint64_t edge, bool check_flags, uint32_t flags)
{
	for (;;) {
		size_t i;
		for (i = 0; i < m->n; i++)
			if (m->v[i].va < edge && edge - m->v[i].va < m->v[i].size)
				break;
		if (i == m->n)
			return;
		struct leaf l = m->v[i];
		if (check_flags && l.flags == flags)
			return;
		uint64_t c = child_size(m->g, l.size);
		m->v[i] = m->v[--m->n];
		for (uint64_t off = 0; off < l.size; off += c)
			model_add(m, l.va + off, l.pa + off, c, l.flags);
	}
}

static void model_protect(struct model *m, uint64_t va, uint64_t size, uint32_t flags)
{
	model_split(m, va, true, flags);
	model_split(m, va + size, true, flags);
	for (size_t i = 0; i < m->n; i++)
		if (m->v[i].va >= va && m->v[i].va + m->v[i].size - 1 <= va + size - 1)
			m->v[i].flags = flags;
}

static void model_unmap(struct model *m, uint64_t va, uint64_t size)
{
	model_split(m, va, false, 0);
	model_split(m, va + size, false, 0);
	for (size_t i = 0; i < m->n;)
		if (m->v[i].va >= va && m->v[i].va + m->v[i].size - 1 <= va + size - 1)
			m->v[i] = m->v[--m->n];
		else
			i++;
}

static int cmp_leaf(const void *a, const void *b)
{
	const struct leaf *x = a, *y = b;
	return x->va < y->va ? -1 : x->va > y->va;
}

/* What ptdump must print for these leaves: the coalescing rule itself. */
static size_t coalesce(struct leaf *v, size_t n, struct ptd_range *out)
{
	size_t k = 0;
	qsort(v, n, sizeof(*v), cmp_leaf);
	for (size_t i = 0; i < n; i++) {
		struct ptd_range *r = k ? &out[k - 1] : NULL;
		if (r && r->leaf_size == v[i].size && r->flags == v[i].flags &&
		    r->va + r->size == v[i].va && r->pa + r->size == v[i].pa) {
			r->size += v[i].size;
			continue;
		}
		out[k++] = (struct ptd_range){ v[i].va, v[i].pa, v[i].size, v[i].size, v[i].flags };
	}
	return k;
}

/* ---- Collecting sink ---------------------------------------------------- */

struct collect {
	struct ptd_range *r;
	size_t n, cap;
	struct ptd_corrupt c[64];
	size_t nc;
};

static void col_range(void *arg, const struct ptd_range *r)
{
	struct collect *c = arg;
	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 256;
		c->r = realloc(c->r, c->cap * sizeof(*c->r));
		if (!c->r)
			abort();
	}
	c->r[c->n++] = *r;
}

static void col_corrupt(void *arg, const struct ptd_corrupt *x)
{
	struct collect *c = arg;
	if (c->nc < 64)
		c->c[c->nc] = *x;
	c->nc++;
}

/* Every range ptdump reports must be what pt_translate says at both ends. */
static unsigned translate_mismatches(const struct ptd_image *img, const struct ptd_config *cfg,
				     const struct collect *c)
{
	unsigned bad = 0;
	for (size_t i = 0; i < c->n; i++) {
		const struct ptd_range *r = &c->r[i];
		uint64_t off[2] = { 0, r->size - 1 };
		for (int j = 0; j < 2; j++) {
			struct pt_mapping m;
			int e = ptd_translate(img, cfg, r->va + off[j], &m);
			if (e != PT_OK || m.pa != r->pa + off[j] || m.flags != r->flags ||
			    m.size != r->leaf_size) {
				if (bad++ < 3)
					printf("  translate 0x%" PRIx64 ": %s pa 0x%" PRIx64
					       " (want 0x%" PRIx64 ") flags %x/%x size %" PRIx64 "\n",
					       r->va + off[j], pt_strerror(e), m.pa, r->pa + off[j],
					       m.flags, r->flags, m.size);
			}
		}
	}
	return bad;
}

/* ---- pt_walk as a second oracle ---------------------------------------- */

struct walkacc {
	struct model leaves;
	unsigned long tables[PT_MAX_LEVELS];
};

static int walk_pre(void *arg, const struct pt_entry *e)
{
	struct walkacc *w = arg;
	if (e->leaf)
		model_add(&w->leaves, e->va, e->pa, e->size, e->flags);
	else
		w->tables[e->level + 1]++;
	return 0;
}

/* ---- Round trip --------------------------------------------------------- */

struct variant {
	enum pt_arch arch;
	unsigned feat;
	const char *feat_name;
};

static const struct variant variants[] = {
	{ PT_X86_64, 0, NULL },
	{ PT_X86_64_LA57, 0, NULL },
	{ PT_AARCH64, 0, NULL },
	{ PT_AARCH64, PT_FEAT_AARCH64_EL2, "el2" },
	{ PT_AARCH64, PT_FEAT_AARCH64_HIGH, "high" },
	{ PT_RISCV_SV39, 0, NULL },
	{ PT_RISCV_SV39, PT_FEAT_RISCV_SVPBMT, "svpbmt" },
	{ PT_RISCV_SV39, PT_FEAT_RISCV_XUANTIE, "xuantie" },
	{ PT_RISCV_SV48, 0, NULL },
	{ PT_RISCV_SV48, PT_FEAT_RISCV_SVPBMT, "svpbmt" },
	{ PT_RISCV_SV48, PT_FEAT_RISCV_XUANTIE, "xuantie" },
	{ PT_RISCV_SV57, 0, NULL },
	{ PT_RISCV_SV57, PT_FEAT_RISCV_SVPBMT, "svpbmt" },
	{ PT_RISCV_SV57, PT_FEAT_RISCV_XUANTIE, "xuantie" },
	{ PT_LOONGARCH64, 0, NULL },
	{ PT_ARMV7, 0, NULL },
};

static const uint32_t flag_set[] = {
	PT_READ,
	PT_READ | PT_WRITE,
	PT_READ | PT_EXECUTE,
	PT_READ | PT_WRITE | PT_USER,
	PT_READ | PT_EXECUTE | PT_USER,
	PT_READ | PT_WRITE | PT_DEVICE,
	PT_READ | PT_WRITE | PT_UNCACHED,
	PT_READ | PT_WRITE | PT_EXECUTE | PT_USER | PT_UNCACHED | PT_DEVICE,
};
#define NFLAGS (sizeof(flag_set) / sizeof(flag_set[0]))

#define ARENA_BASE UINT64_C(0x40000000)
#define ARENA_FRAMES 1024

struct rt {
	const struct variant *v;
	struct ptd_geom g;
	struct arena ar;
	struct pt_table t;
	struct model m;
	uint32_t (*norm)(enum pt_arch, unsigned, uint32_t);
	uint64_t smax, s2; /* largest leaf, smallest huge leaf */
};

static uint32_t nf(struct rt *rt, uint32_t f)
{
	return pt_flags_normalize(rt->v->arch, rt->v->feat, f);
}

static void do_map(struct rt *rt, uint64_t va, uint64_t pa, uint64_t size, uint32_t flags)
{
	int e = pt_map(&rt->t, va, pa, size, flags);
	CHECK(e == PT_OK, "pt_map 0x%" PRIx64 " size 0x%" PRIx64 ": %s", va, size, pt_strerror(e));
	if (e == PT_OK)
		model_add(&rt->m, va, pa, size, nf(rt, flags));
}

/* map_region with PT_ALLOW_HUGE: the largest leaf va, pa and size allow. */
static void do_map_region(struct rt *rt, uint64_t va, uint64_t pa, uint64_t size, uint32_t flags)
{
	const struct pt_arch_info *in = pt_arch_info(rt->v->arch);
	int e = pt_map_region(&rt->t, va, pa, size, flags, PT_ALLOW_HUGE);
	CHECK(e == PT_OK, "pt_map_region 0x%" PRIx64 ": %s", va, pt_strerror(e));
	if (e != PT_OK)
		return;
	while (size) {
		uint64_t s = 0;
		for (unsigned l = 0; l < rt->g.levels; l++) {
			uint64_t sp = UINT64_C(1) << rt->g.shift[l];
			if ((in->leaf_sizes & sp) && !((va | pa) & (sp - 1)) && sp <= size) {
				s = sp;
				break;
			}
		}
		model_add(&rt->m, va, pa, s, nf(rt, flags));
		va += s, pa += s, size -= s;
	}
}

static void do_protect(struct rt *rt, uint64_t va, uint64_t size, uint32_t flags)
{
	int e = pt_protect_region(&rt->t, va, size, flags);
	CHECK(e == PT_OK, "pt_protect_region 0x%" PRIx64 "+0x%" PRIx64 ": %s", va, size,
	      pt_strerror(e));
	if (e == PT_OK)
		model_protect(&rt->m, va, size, nf(rt, flags));
}

static void do_unmap(struct rt *rt, uint64_t va, uint64_t size)
{
	int e = pt_unmap_region(&rt->t, va, size);
	CHECK(e == PT_OK, "pt_unmap_region 0x%" PRIx64 "+0x%" PRIx64 ": %s", va, size,
	      pt_strerror(e));
	if (e == PT_OK)
		model_unmap(&rt->m, va, size);
}

static bool ranges_equal(const struct ptd_range *a, size_t na, const struct ptd_range *b,
			 size_t nb)
{
	if (na != nb) {
		printf("  %zu ranges, want %zu\n", na, nb);
	}
	for (size_t i = 0; i < na && i < nb; i++)
		if (memcmp(&a[i], &b[i], sizeof(a[i])) != 0) {
			printf("  range %zu: va 0x%" PRIx64 " pa 0x%" PRIx64 " size 0x%" PRIx64
			       " leaf 0x%" PRIx64 " flags %x; want va 0x%" PRIx64 " pa 0x%" PRIx64
			       " size 0x%" PRIx64 " leaf 0x%" PRIx64 " flags %x\n",
			       i, a[i].va, a[i].pa, a[i].size, a[i].leaf_size, a[i].flags, b[i].va,
			       b[i].pa, b[i].size, b[i].leaf_size, b[i].flags);
			return false;
		}
	return na == nb;
}

/* The text ptd_print_range gives for these ranges: what ptdump must print. */
static char *render(const struct ptd_range *r, size_t n, bool json)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct ptd_printer p = { f, json };
	for (size_t i = 0; i < n; i++)
		ptd_print_range(&p, &r[i]);
	fclose(f);
	return buf;
}

/* Run ptd_main; the output without '#' lines is returned in *out. */
static bool g_raw; /* run_main keeps the '#' lines */

static int run_main(char **argv, char **out, char **errout)
{
	char *buf = NULL, *ebuf = NULL, *body;
	size_t len = 0, elen = 0;
	int argc = 0, rc;
	FILE *f = open_memstream(&buf, &len), *e = open_memstream(&ebuf, &elen);
	while (argv[argc])
		argc++;
	rc = ptd_main(argc, argv, f, e);
	fclose(f);
	fclose(e);
	body = calloc(1, len + 1);
	for (char *line = buf, *nl, *w = body; line && *line; line = nl + 1) {
		size_t n;
		nl = strchr(line, '\n');
		n = nl ? (size_t)(nl - line + 1) : strlen(line);
		if (*line != '#' || g_raw) {
			memcpy(w, line, n);
			w += n;
		}
		if (!nl)
			break;
	}
	*out = body;
	if (errout)
		*errout = ebuf;
	else
		free(ebuf);
	free(buf);
	return rc;
}

static char *write_image(const void *p, size_t n)
{
	char *path = strdup("/tmp/ptdump_test_XXXXXX");
	int fd = mkstemp(path);
	if (fd < 0 || write(fd, p, n) != (ssize_t)n) {
		perror("ptdump test image");
		exit(2);
	}
	close(fd);
	return path;
}

static void roundtrip(const struct variant *v)
{
	struct rt rt;
	const struct pt_arch_info *in = pt_arch_info(v->arch);
	struct pt_mm mm;
	struct ptd_range *want;
	size_t nwant;
	struct collect col = { 0 };
	struct ptd_stats st;
	char ctx[64];
	uint64_t vbase = 0, upper = 0, c, d, pa;
	unsigned fail0 = g_fail;
	int e;

	memset(&rt, 0, sizeof(rt));
	snprintf(ctx, sizeof(ctx), "%s%s%s", in->name, v->feat_name ? "+" : "",
		 v->feat_name ? v->feat_name : "");
	g_ctx = ctx;
	rt.v = v;
	ptd_geom(v->arch, &rt.g);
	rt.m.g = &rt.g;
	for (unsigned l = 0; l < rt.g.levels; l++) {
		uint64_t sp = UINT64_C(1) << rt.g.shift[l];
		if (in->leaf_sizes & sp) {
			if (!rt.smax)
				rt.smax = sp;
			if (sp > PT_SIZE_4K)
				rt.s2 = sp;
		}
	}
	if (v->feat & PT_FEAT_AARCH64_HIGH)
		vbase = ~((UINT64_C(1) << in->va_bits) - 1);
	if (rt.g.sign_extend)
		upper = ~UINT64_C(0) << (in->va_bits - 1);
	else if (v->arch == PT_ARMV7)
		upper = UINT64_C(0xc0000000);

	if (arena_init(&rt.ar, ARENA_BASE, ARENA_FRAMES)) {
		CHECK(0, "arena_init");
		return;
	}
	rt.ar.strict_virt = false;
	arena_mm(&rt.ar, &mm);
	e = pt_init(&rt.t, v->arch, v->feat, &mm);
	CHECK(e == PT_OK, "pt_init: %s", pt_strerror(e));
	if (e)
		goto out;

	/* One leaf of every size the format has, huge ones included. */
	for (unsigned l = 0, k = 0; l < rt.g.levels; l++) {
		uint64_t sp = UINT64_C(1) << rt.g.shift[l];
		if (!(in->leaf_sizes & sp))
			continue;
		do_map(&rt, vbase + (2 * k + 1) * rt.smax, (k + 1) * rt.smax, sp,
		       flag_set[k % NFLAGS]);
		k++;
	}
	/* Split the largest one down to 4K at one edge: every level of split. */
	if (rt.smax > rt.s2)
		do_protect(&rt, vbase + rt.smax + rt.s2 + PT_SIZE_4K, PT_SIZE_4K, PT_READ | PT_WRITE);

	/* Coalescing: 8 contiguous pages, then other flags, then a PA gap. */
	c = vbase + 16 * rt.smax;
	pa = UINT64_C(0x10000000);
	for (int i = 0; i < 8; i++)
		do_map(&rt, c + i * PT_SIZE_4K, pa + i * PT_SIZE_4K, PT_SIZE_4K, PT_READ | PT_WRITE);
	for (int i = 8; i < 12; i++)
		do_map(&rt, c + i * PT_SIZE_4K, pa + i * PT_SIZE_4K, PT_SIZE_4K, PT_READ);
	for (int i = 12; i < 16; i++)
		do_map(&rt, c + i * PT_SIZE_4K, pa + (i + 1) * PT_SIZE_4K, PT_SIZE_4K, PT_READ);
	/* A hole in the middle of a coalesced range splits it in two. */
	do_unmap(&rt, c + 3 * PT_SIZE_4K, PT_SIZE_4K);
	/* Huge and small leaves of one region: size classes never merge. */
	do_map_region(&rt, c + 2 * rt.s2, pa + 2 * rt.s2, 3 * rt.s2 + 3 * PT_SIZE_4K,
		      PT_READ | PT_WRITE);
	/* Protect across a huge edge with the flags it has: stays whole. */
	do_protect(&rt, c + 3 * rt.s2 - PT_SIZE_4K, 2 * PT_SIZE_4K, PT_READ | PT_WRITE);
	/* Protect one page inside a huge leaf: it splits into three ranges. */
	do_map(&rt, c + 8 * rt.s2, pa + 8 * rt.s2, rt.s2, PT_READ | PT_WRITE | PT_EXECUTE);
	do_protect(&rt, c + 8 * rt.s2 + 2 * PT_SIZE_4K, PT_SIZE_4K, PT_READ);

	/* The other half of the address space. */
	if (upper) {
		for (int i = 0; i < 4; i++)
			do_map(&rt, upper + rt.s2 + i * PT_SIZE_4K, pa + i * PT_SIZE_4K, PT_SIZE_4K,
			       PT_READ | PT_EXECUTE);
		do_map(&rt, upper + 2 * rt.s2, pa, rt.s2, PT_READ | PT_WRITE);
	}

	/* Random edits in a window of 64 huge slots: mostly linear PAs so that
	 * neighbours coalesce, some random ones so that they do not. */
	d = vbase + 32 * rt.smax;
	for (int i = 0; i < 120; i++) {
		uint64_t size = (rnd() % 4) ? PT_SIZE_4K : rt.s2;
		uint64_t off = (rnd() % (64 * rt.s2 / size)) * size;
		uint64_t p = UINT64_C(0x20000000) + off;
		uint32_t f = flag_set[rnd() % 3];
		if (rnd() % 4 == 0)
			p = ((rnd() % 0x10000) * size) & ((UINT64_C(1) << 31) - 1) & ~(size - 1);
		if (model_overlaps(&rt.m, d + off, size))
			continue;
		/* 4K runs of 1..8 pages make coalescable stretches. */
		for (uint64_t n = (size == PT_SIZE_4K) ? 1 + rnd() % 8 : 1; n--; off += size, p += size)
			if (off < 64 * rt.s2 && !model_overlaps(&rt.m, d + off, size))
				do_map(&rt, d + off, p, size, f);
	}
	for (int i = 0; i < 12; i++) {
		uint64_t off = (rnd() % (64 * rt.s2 / PT_SIZE_4K)) * PT_SIZE_4K;
		uint64_t size = (1 + rnd() % 700) * PT_SIZE_4K;
		if (off + size > 64 * rt.s2)
			size = 64 * rt.s2 - off;
		if (i % 3 == 2)
			do_unmap(&rt, d + off, size);
		else
			do_protect(&rt, d + off, size, flag_set[rnd() % NFLAGS]);
	}
	if (g_fail != fail0)
		goto out;

	/* Expected ranges from the model. */
	want = calloc(rt.m.n + 1, sizeof(*want));
	nwant = coalesce(rt.m.v, rt.m.n, want);

	/* The library agrees with the model (else the model or libpt is wrong). */
	{
		struct walkacc wa;
		struct pt_walk_ops ops = { 0, walk_pre, NULL };
		struct ptd_range *lib;
		size_t nlib;
		memset(&wa, 0, sizeof(wa));
		e = pt_walk(&rt.t, &ops, &wa);
		CHECK(e == PT_OK, "pt_walk: %s", pt_strerror(e));
		lib = calloc(wa.leaves.n + 1, sizeof(*lib));
		nlib = coalesce(wa.leaves.v, wa.leaves.n, lib);
		CHECK(ranges_equal(lib, nlib, want, nwant), "pt_walk leaves differ from the model");

		/* The core walk over the arena's memory. */
		struct ptd_image img = { rt.ar.mem, (size_t)ARENA_FRAMES * 4096, ARENA_BASE };
		struct ptd_config cfg = { v->arch, v->feat, pt_root(&rt.t), 0, UINT64_MAX, 0 };
		struct ptd_sink sink = { col_range, col_corrupt, &col };
		e = ptd_walk(&img, &cfg, &sink, &st);
		CHECK(e == PTD_EXIT_CLEAN, "ptd_walk rc %d, %zu corrupt", e, col.nc);
		CHECK(col.nc == 0, "%zu corrupt entries", col.nc);
		CHECK(ranges_equal(col.r, col.n, want, nwant), "ptdump ranges differ from the model");
		CHECK(translate_mismatches(&img, &cfg, &col) == 0, "ranges disagree with pt_translate");
		/* Stats: tables per level as pt_walk saw them, leaves per size. */
		wa.tables[0] = 1;
		for (unsigned l = 0; l < rt.g.levels; l++)
			CHECK(st.tables[l] == wa.tables[l], "L%u tables %lu, pt_walk %lu", l,
			      st.tables[l], wa.tables[l]);
		{
			unsigned long per[64] = { 0 }, total = 0, stotal = 0;
			for (size_t i = 0; i < rt.m.n; i++) {
				unsigned b = 0;
				while ((UINT64_C(1) << b) < rt.m.v[i].size)
					b++;
				per[b]++;
			}
			for (unsigned b = 0; b < 64; b++) {
				total += per[b] != st.leaves[b];
				stotal += st.leaves[b];
			}
			CHECK(total == 0, "leaf counts per size differ (ptdump counted %lu leaves, model %zu)",
			      stotal, rt.m.n);
		}
		CHECK(st.corrupt == 0 && st.skipped == 0 && st.revisits == 0,
		      "stats corrupt %lu skipped %lu revisits %lu", st.corrupt, st.skipped,
		      st.revisits);

		/* A VA window: the ranges clipped to it. */
		/* Both edges inside huge leaves, so both edges clip a leaf. */
		size_t first = nwant, lastr = nwant;
		for (size_t i = 0; i < nwant; i++)
			if (want[i].leaf_size > PT_SIZE_4K) {
				if (first == nwant)
					first = i;
				lastr = i;
			}
		CHECK(first < lastr, "no two huge ranges to clip at");
		if (first < lastr) {
			uint64_t lo = want[first].va + PT_SIZE_4K;
			uint64_t hi = want[lastr].va + want[lastr].leaf_size / 2 - 1;
			struct ptd_range *clip = calloc(nwant, sizeof(*clip));
			size_t nclip = 0;
			struct collect cw = { 0 };
			struct ptd_sink sw = { col_range, col_corrupt, &cw };
			for (size_t i = 0; i < nwant; i++) {
				struct ptd_range r = want[i];
				uint64_t last = r.va + r.size - 1;
				if (last < lo || r.va > hi)
					continue;
				if (r.va < lo) {
					r.pa += lo - r.va;
					r.va = lo;
				}
				r.size = (last > hi ? hi : last) - r.va + 1;
				clip[nclip++] = r;
			}
			cfg.va_lo = lo;
			cfg.va_hi = hi;
			e = ptd_walk(&img, &cfg, &sw, NULL);
			CHECK(e == PTD_EXIT_CLEAN, "windowed walk rc %d", e);
			CHECK(ranges_equal(cw.r, cw.n, clip, nclip), "windowed ranges differ");
			free(clip);
			free(cw.r);
		}
		free(lib);
		free(wa.leaves.v);
	}

	/* The command line over an image file: text and JSON. */
	{
		char *path = write_image(rt.ar.mem, (size_t)ARENA_FRAMES * 4096);
		char root[32], base[32], *out, *ref;
		char *argv[16] = { "ptdump", "--arch", (char *)in->name, "--root", root,
				   "--base", base, path, NULL };
		int k = 8;
		snprintf(root, sizeof(root), "0x%" PRIx64, pt_root(&rt.t));
		snprintf(base, sizeof(base), "0x%" PRIx64, ARENA_BASE);
		if (v->feat_name) {
			argv[k++] = "--features";
			argv[k++] = (char *)v->feat_name;
		}
		argv[k] = NULL;
		ref = render(want, nwant, false);
		e = run_main(argv, &out, NULL);
		CHECK(e == 0, "ptd_main rc %d", e);
		CHECK(strcmp(out, ref) == 0, "text output differs:\n%s---- want\n%s", out, ref);
		free(out);
		free(ref);
		argv[k] = "--json";
		argv[k + 1] = NULL;
		ref = render(want, nwant, true);
		e = run_main(argv, &out, NULL);
		CHECK(e == 0 && strcmp(out, ref) == 0, "json output differs (rc %d)", e);
		free(out);
		free(ref);
		/* --translate of a mapped VA: one line with the PA. */
		{
			char va[32], line[160];
			char *tv[20];
			memcpy(tv, argv, sizeof(argv));
			snprintf(va, sizeof(va), "0x%" PRIx64, want[0].va + PT_SIZE_4K / 2);
			tv[k] = "--translate";
			tv[k + 1] = va;
			tv[k + 2] = NULL;
			e = run_main(tv, &out, NULL);
			snprintf(line, sizeof(line), "0x%016" PRIx64 " -> 0x%016" PRIx64 " ",
				 want[0].va + PT_SIZE_4K / 2, want[0].pa + PT_SIZE_4K / 2);
			CHECK(e == 0 && strncmp(out, line, strlen(line)) == 0,
			      "translate rc %d: %s (want %s...)", e, out, line);
			free(out);
		}
		unlink(path);
		free(path);
	}
	free(want);
out:
	free(col.r);
	free(rt.m.v);
	pt_destroy(&rt.t);
	CHECK(rt.ar.errors == 0, "arena: %s", rt.ar.error);
	arena_fini(&rt.ar);
}

/* ---- Hostile images ----------------------------------------------------- */

static void put_pte(unsigned char *img, uint64_t off, uint64_t pte, unsigned bytes)
{
	for (unsigned i = 0; i < bytes; i++)
		img[off + i] = (unsigned char)(pte >> (8 * i));
}

static int walk_img(const unsigned char *p, size_t n, uint64_t base, enum pt_arch a,
		    unsigned feat, uint64_t root, unsigned long max, struct collect *c,
		    struct ptd_stats *st)
{
	struct ptd_image img = { p, n, base };
	struct ptd_config cfg = { a, feat, root, 0, UINT64_MAX, max };
	struct ptd_sink sink = { col_range, col_corrupt, c };
	int rc = ptd_walk(&img, &cfg, &sink, st);
	if (rc != PTD_EXIT_USAGE)
		CHECK(translate_mismatches(&img, &cfg, c) == 0, "%s: ranges disagree with pt_translate",
		      pt_arch_info(a)->name);
	return rc;
}

static void hostile(void)
{
	const size_t n = 64 * 4096;
	const uint64_t base = 0x100000;
	unsigned char *img = malloc(n);
	g_ctx = "hostile";
	/* Random bytes, every format, root at several places. */
	for (unsigned a = 0; a < PT_ARCH_COUNT; a++) {
		struct ptd_geom g;
		ptd_geom((enum pt_arch)a, &g);
		for (int round = 0; round < 6; round++) {
			struct collect c = { 0 };
			struct ptd_stats st;
			int rc;
			for (size_t i = 0; i < n; i += 8) {
				uint64_t r = rnd();
				/* Mostly empty entries with a few live ones look
				 * like tables more often than uniform noise does. */
				if (round & 1)
					r &= (rnd() & 3) ? 0 : ~UINT64_C(0);
				memcpy(img + i, &r, 8);
			}
			uint64_t root = base + (rnd() % (n / g.table_bytes[0])) * g.table_bytes[0];
			rc = walk_img(img, n, base, (enum pt_arch)a, 0, root, 2000, &c, &st);
			CHECK(rc == 0 || rc == 1, "%s random: rc %d", pt_arch_info((enum pt_arch)a)->name, rc);
			CHECK((rc == 1) == (st.corrupt + st.skipped > 0), "rc %d vs corrupt %lu skipped %lu",
			      rc, st.corrupt, st.skipped);
			free(c.r);
		}
	}

	/* Self-reference: every root entry points at the root. Bounded by the
	 * depth and the visit cap, which is reported. */
	{
		struct collect c = { 0 };
		struct ptd_stats st;
		uint64_t root = base + 4096;
		int rc;
		memset(img, 0, n);
		for (int i = 0; i < 512; i++)
			put_pte(img, 4096 + 8 * (uint64_t)i, pt_pte_table(PT_X86_64, 0, root), 8);
		rc = walk_img(img, n, base, PT_X86_64, 0, root, 200, &c, &st);
		CHECK(rc == 1, "self-reference rc %d", rc);
		CHECK(st.skipped > 0 && st.revisits > 0, "skipped %lu revisits %lu", st.skipped,
		      st.revisits);
		CHECK(st.tables[0] + st.tables[1] + st.tables[2] + st.tables[3] == 200,
		      "tables walked %lu", st.tables[0] + st.tables[1] + st.tables[2] + st.tables[3]);
		CHECK(c.nc == 1 && strstr(c.c[0].reason, "limit"), "cap reported %zu times", c.nc);
		free(c.r);
	}
	/* One entry at the root pointing at the root: a recursive mapping
	 * (as Windows does). Legal, bounded, reported as revisits, and the
	 * walk sees the root table through itself as leaves at the bottom. */
	{
		struct collect c = { 0 };
		struct ptd_stats st;
		uint64_t root = base;
		int rc;
		memset(img, 0, n);
		put_pte(img, 8 * 5, pt_pte_table(PT_X86_64, 0, root), 8);
		rc = walk_img(img, n, base, PT_X86_64, 0, root, 0, &c, &st);
		CHECK(rc == 0, "recursive map rc %d", rc);
		CHECK(st.revisits == 3 && c.n == 1 && c.r[0].pa == root && c.r[0].size == 4096,
		      "revisits %lu ranges %zu", st.revisits, c.n);
		free(c.r);
	}
	/* Tables outside the image, at both ends, and a reserved encoding. */
	{
		struct collect c = { 0 };
		struct ptd_stats st;
		int rc;
		memset(img, 0, n);
		put_pte(img, 8 * 1, pt_pte_table(PT_X86_64, 0, base + n), 8);
		put_pte(img, 8 * 2, pt_pte_table(PT_X86_64, 0, base - 4096), 8);
		put_pte(img, 8 * 3, pt_pte_table(PT_X86_64, 0, UINT64_C(0xfffffffff000)), 8);
		put_pte(img, 8 * 4, 0x81, 8); /* PS in the root: reserved */
		put_pte(img, 8 * 6, pt_pte_table(PT_X86_64, 0, base + 4096), 8);
		put_pte(img, 4096 + 8 * 7, pt_pte_page(PT_X86_64, 0, 1, 0x40000000, PT_READ), 8);
		rc = walk_img(img, n, base, PT_X86_64, 0, base, 0, &c, &st);
		CHECK(rc == 1 && st.corrupt == 4 && c.nc == 4, "rc %d corrupt %lu", rc, st.corrupt);
		CHECK(c.nc >= 4 && c.c[0].level == 0 && c.c[0].index == 1 && c.c[0].table_pa == base &&
			      strstr(c.c[0].reason, "outside") && c.c[3].index == 4 &&
			      strstr(c.c[3].reason, "reserved"),
		      "corrupt locations");
		if (c.n != 1 || c.r[0].pa != 0x40000000)
			printf("  got va 0x%" PRIx64 " pa 0x%" PRIx64 " leaf 0x%" PRIx64 " n %zu nc %zu\n",
			       c.r[0].va, c.r[0].pa, c.r[0].leaf_size, c.n, c.nc);
		CHECK(c.n == 1 && c.r[0].va == (UINT64_C(6) << 39 | UINT64_C(7) << 30) &&
			      c.r[0].leaf_size == PT_SIZE_1G && c.r[0].pa == 0x40000000 && c.nc == 4,
		      "the good entry after the bad ones is still dumped");
		free(c.r);
	}
	/* ARMv7: a 1 KiB L2 table pointer, the last L2 in the image's last
	 * frame, and one past it; LoongArch: a directory entry with low bits. */
	{
		struct collect c = { 0 };
		struct ptd_stats st;
		uint64_t root = 0x100000; /* 16 KiB aligned */
		int rc;
		memset(img, 0, n);
		put_pte(img, 4 * 0, pt_pte_table(PT_ARMV7, 0, base + n - 1024), 4);
		put_pte(img, 4 * 1, pt_pte_table(PT_ARMV7, 0, base + n), 4);
		put_pte(img, n - 1024 + 4 * 3, pt_pte_page(PT_ARMV7, 0, 1, 0x5000, PT_READ), 4);
		rc = walk_img(img, n, base, PT_ARMV7, 0, root, 0, &c, &st);
		CHECK(rc == 1 && st.corrupt == 1 && c.n == 1 && c.r[0].va == 0x3000 &&
			      c.r[0].pa == 0x5000 && c.c[0].index == 1,
		      "armv7 rc %d corrupt %lu ranges %zu", rc, st.corrupt, c.n);
		free(c.r);
		memset(&c, 0, sizeof(c));
		memset(img, 0, 4096);
		put_pte(img, 0, (base + 4096) | 0x10, 8);
		rc = walk_img(img, n, base, PT_LOONGARCH64, 0, base, 0, &c, &st);
		CHECK(rc == 1 && c.nc == 1 && c.c[0].level == 0, "loongarch low bits rc %d", rc);
		free(c.r);
	}
	/* Bad roots and configurations are usage errors, not walks. */
	{
		struct collect c = { 0 };
		struct ptd_stats st;
		memset(img, 0, n);
		CHECK(walk_img(img, n, base, PT_X86_64, 0, base + n, 0, &c, &st) == 2, "root past end");
		CHECK(walk_img(img, n, base, PT_X86_64, 0, base - 4096, 0, &c, &st) == 2, "root before");
		CHECK(walk_img(img, n, base, PT_X86_64, 0, base + 8, 0, &c, &st) == 2, "root misaligned");
		CHECK(walk_img(img, n, base, PT_ARMV7, 0, base + 4096, 0, &c, &st) == 2,
		      "armv7 root not 16K aligned");
		CHECK(walk_img(img, 4096 * 3, base, PT_ARMV7, 0, base, 0, &c, &st) == 2,
		      "armv7 root needs 16K");
		CHECK(walk_img(img, n, base, PT_X86_64, PT_FEAT_AARCH64_EL2, base, 0, &c, &st) == 2,
		      "feature of another arch");
		CHECK(walk_img(img, n, base, PT_RISCV_SV39,
			       PT_FEAT_RISCV_SVPBMT | PT_FEAT_RISCV_XUANTIE, base, 0, &c, &st) == 2,
		      "svpbmt with xuantie");
		CHECK(walk_img(img, n, UINT64_MAX - 4095, PT_X86_64, 0, base, 0, &c, &st) == 2,
		      "image wraps");
		CHECK(walk_img(img, n, base, PT_X86_64, 0, base, 0, &c, &st) == 0 && c.n == 0,
		      "empty table is clean");
		free(c.r);
	}
	free(img);
	group_end("hostile");
}

/* ---- Command line and the binary ----------------------------------------- */

static int sh(const char *cmd)
{
	int st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void cli(void)
{
	unsigned char *img = calloc(1, 8 * 4096);
	char *path, *out, *err, cmd[512];
	g_ctx = "cli";
	put_pte(img, 0, pt_pte_table(PT_RISCV_SV39, 0, 0x81000), 8);
	for (int i = 0; i < 3; i++)
		put_pte(img, 4096 + 8 * (uint64_t)i,
			pt_pte_page(PT_RISCV_SV39, 0, 1, 0x80200000 + (uint64_t)i * PT_SIZE_2M,
				    PT_READ | PT_WRITE),
			8);
	put_pte(img, 4096 + 8 * 9, 0x4 | 1, 8); /* W without R: reserved */
	path = write_image(img, 8 * 4096);
	{
		char *ok[] = { "ptdump", "--arch", "sv39", "--root=0x80000", "--base", "0x80000",
			       "--stats", path, NULL };
		g_raw = true;
		CHECK(run_main(ok, &out, &err) == 1, "corrupt image exits 1");
		g_raw = false;
		CHECK(strstr(out, "0x0000000000000000-0x0000000000600000 -> "
				  "0x0000000080200000-0x0000000080800000     6M   2M rw-- normal\n") &&
			      strstr(out, "!! level 1 index 9 of table 0x81000 (va 0x0000000001200000, "
					  "pte 0x5): reserved encoding\n"),
		      "text output:\n%s", out);
		CHECK(strstr(out, "# leaves: 2M=3") && strstr(out, "# corrupt entries: 1") &&
			      strstr(out, "# tables: L0=1 L1=1 L2=0"),
		      "stats:\n%s", out);
		free(out);
		free(err);
	}
	{
		char *tr[] = { "ptdump", "--arch", "riscv_sv39", "--root", "0x80000", "--base", "0x80000",
			       "--translate", "0x200123", "--translate", "0x40000000", "--json", path, NULL };
		CHECK(run_main(tr, &out, NULL) == 0, "translate exits 0");
		CHECK(strstr(out, "\"va\":\"0x0000000000200123\",\"pa\":\"0x0000000080400123\",\"leaf\":\"2M\"") &&
			      strstr(out, "\"error\":\"not mapped\""),
		      "translate json:\n%s", out);
		free(out);
		char *bad[] = { "ptdump", "--arch", "sv39", "--root", "0x80000", "--base", "0x80000",
				"--translate", "0x8000000000", path, NULL };
		CHECK(run_main(bad, &out, NULL) == 2, "non-canonical VA exits 2");
		free(out);
	}
	{
		char *h[] = { "ptdump", "--help", NULL };
		char *u1[] = { "ptdump", "--arch", "vax", "--root", "0", path, NULL };
		char *u2[] = { "ptdump", "--arch", "x86_64", path, NULL };
		char *u3[] = { "ptdump", "--arch", "x86_64", "--root", "0", "/nonexistent/img", NULL };
		char *u4[] = { "ptdump", "--arch", "x86_64", "--root", "0x1000", "--base", "0x80000", path, NULL };
		char *u5[] = { "ptdump", "--arch", "x86_64", "--root", "12junk", path, NULL };
		char *u6[] = { "ptdump", "--arch", "aarch64", "--features", "el2,sv", "--root", "0", path, NULL };
		char *u7[] = { "ptdump", "--arch", "x86_64", "--root", "0", "--va-range", "0x2000-0x1000", path, NULL };
		CHECK(run_main(h, &out, NULL) == 0 && strstr(out, "usage: ptdump"), "--help");
		free(out);
		char **u[] = { u1, u2, u3, u4, u5, u6, u7 };
		for (int i = 0; i < 7; i++) {
			int rc = run_main(u[i], &out, &err);
			CHECK(rc == 2 && strstr(err, "ptdump: "), "usage case %d rc %d err %s", i + 1, rc, err);
			free(out);
			free(err);
		}
	}
	/* The binary itself, one run per exit code. */
	snprintf(cmd, sizeof(cmd), "%s --arch sv39 --root 0x80000 --base 0x80000 %s >/dev/null 2>&1",
		 PTDUMP_BIN, path);
	CHECK(sh(cmd) == 1, "binary on a corrupt image: %s", cmd);
	snprintf(cmd, sizeof(cmd),
		 "%s --arch sv39 --root 0x80000 --base 0x80000 --va-range 0-0x600000 %s >/dev/null 2>&1",
		 PTDUMP_BIN, path);
	CHECK(sh(cmd) == 0, "binary on a clean window: %s", cmd);
	snprintf(cmd, sizeof(cmd), "%s --root 0 %s >/dev/null 2>&1", PTDUMP_BIN, path);
	CHECK(sh(cmd) == 2, "binary usage error: %s", cmd);
	unlink(path);
	free(path);
	free(img);
	group_end("cli");
}

static void geometry(void)
{
	static const struct {
		enum pt_arch a;
		size_t root_entries;
		uint64_t root_bytes, l1_bytes;
	} want[] = {
		{ PT_X86_64, 512, 4096, 4096 },	     { PT_X86_64_LA57, 512, 4096, 4096 },
		{ PT_AARCH64, 512, 4096, 4096 },     { PT_RISCV_SV39, 512, 4096, 4096 },
		{ PT_RISCV_SV48, 512, 4096, 4096 },  { PT_RISCV_SV57, 512, 4096, 4096 },
		{ PT_LOONGARCH64, 512, 4096, 4096 }, { PT_ARMV7, 4096, 16384, 1024 },
	};
	g_ctx = "geometry";
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		struct ptd_geom g;
		CHECK(ptd_geom(want[i].a, &g) == 0 && g.entries[0] == want[i].root_entries &&
			      g.table_bytes[0] == want[i].root_bytes && g.table_bytes[1] == want[i].l1_bytes &&
			      g.shift[g.levels - 1] == 12,
		      "%s", pt_arch_info(want[i].a)->name);
		/* Table entries accept exactly the alignment the geometry says. */
		CHECK(pt_pte_table(want[i].a, 0, g.table_bytes[1]) != 0 &&
			      pt_pte_table(want[i].a, 0, g.table_bytes[1] / 2) == 0,
		      "%s table alignment", pt_arch_info(want[i].a)->name);
		CHECK(g.sign_extend == (want[i].a != PT_AARCH64 && want[i].a != PT_ARMV7), "sign");
	}
	CHECK(ptd_geom(PT_ARCH_COUNT, &(struct ptd_geom){ 0 }) == -1, "unknown arch");
	group_end("geometry");
}

/*
 * Other harnesses' corpora as hostile images: every file of
 * corpus/fuzz_translate (and corpus/fuzz_ptdump, if the lead keeps ours) is
 * read as a raw image at PA 0x100000 for every format, root at its start.
 * Nothing to check when the corpora are absent (a fresh checkout).
 */
static void corpora(void)
{
	static const char *dirs[] = { "corpus/fuzz_translate", "corpus/fuzz_ptdump" };
	unsigned files = 0;
	char name[64];
	g_ctx = "corpus";
	for (size_t d = 0; d < 2; d++) {
		DIR *dir = opendir(dirs[d]);
		struct dirent *de;
		while (dir && (de = readdir(dir))) {
			char path[1024];
			unsigned char *buf;
			long n;
			FILE *f;
			if (de->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", dirs[d], de->d_name);
			if (!(f = fopen(path, "rb")))
				continue;
			buf = malloc(1 << 20);
			n = (long)fread(buf, 1, 1 << 20, f);
			fclose(f);
			files++;
			for (unsigned a = 0; a < PT_ARCH_COUNT && n > 0; a++) {
				struct collect c = { 0 };
				struct ptd_stats st;
				int rc = walk_img(buf, (size_t)n, 0x100000, (enum pt_arch)a, 0, 0x100000,
						  4096, &c, &st);
				CHECK(rc == 0 || rc == 1 || (rc == 2 && n < 16384), "%s as %s: rc %d", path,
				      pt_arch_info((enum pt_arch)a)->name, rc);
				free(c.r);
			}
			free(buf);
		}
		if (dir)
			closedir(dir);
	}
	snprintf(name, sizeof(name), "corpora (%u files)", files);
	group_end(name);
}

/*
 * `test_ptdump --seeds DIR`: write one fuzz seed per variant in the layout
 * tools/fuzz_ptdump.c reads (8-byte header, then a small libpt-built image
 * at PA 0x100000), so the fuzzer starts from real tables.
 */
static int write_seeds(const char *dir)
{
	for (size_t i = 0; i < sizeof(variants) / sizeof(variants[0]); i++) {
		const struct variant *v = &variants[i];
		struct arena ar;
		struct pt_mm mm;
		struct pt_table t;
		struct ptd_geom g;
		const struct pt_arch_info *in = pt_arch_info(v->arch);
		uint64_t vb = (v->feat & PT_FEAT_AARCH64_HIGH) ? ~((UINT64_C(1) << in->va_bits) - 1) : 0;
		uint64_t s2 = v->arch == PT_ARMV7 ? PT_SIZE_1M : PT_SIZE_2M, idx;
		unsigned char hdr[8] = { (unsigned char)v->arch, (unsigned char)v->feat, 0, 0, 0, 0, 0, 0 };
		char path[512];
		FILE *f;
		ptd_geom(v->arch, &g);
		if (arena_init(&ar, 0x100000, 12))
			return 1;
		ar.strict_virt = false;
		ar.dirty = false;
		arena_mm(&ar, &mm);
		if (pt_init(&t, v->arch, v->feat, &mm) ||
		    pt_map_region(&t, vb + 2 * s2, 0x80000000, 2 * s2 + 5 * PT_SIZE_4K,
				  PT_READ | PT_WRITE, PT_ALLOW_HUGE) ||
		    pt_protect_region(&t, vb + 2 * s2 + PT_SIZE_4K, PT_SIZE_4K, PT_READ | PT_USER) ||
		    pt_map(&t, vb + 16 * s2, 0x1000, PT_SIZE_4K, PT_READ | PT_EXECUTE | PT_DEVICE))
			return 1;
		idx = (pt_root(&t) - 0x100000) / g.table_bytes[0];
		hdr[2] = (unsigned char)idx;
		hdr[3] = (unsigned char)(idx >> 8);
		snprintf(path, sizeof(path), "%s/seed-%s%s%s", dir, in->name, v->feat_name ? "-" : "",
			 v->feat_name ? v->feat_name : "");
		f = fopen(path, "wb");
		if (!f || fwrite(hdr, 1, 8, f) != 8 || fwrite(ar.mem, 4096, 12, f) != 12 || fclose(f))
			return 1;
		pt_destroy(&t);
		arena_fini(&ar);
	}
	return 0;
}

int main(int argc, char **argv)
{
	unsigned total_fail;
	if (argc == 3 && strcmp(argv[1], "--seeds") == 0)
		return write_seeds(argv[2]);
	geometry();
	total_fail = g_fail;
	g_pass = g_fail = 0;
	for (size_t i = 0; i < sizeof(variants) / sizeof(variants[0]); i++)
		roundtrip(&variants[i]);
	group_end("roundtrip (16 format/feature variants)");
	total_fail += g_fail;
	g_pass = g_fail = 0;
	hostile();
	total_fail += g_fail;
	g_pass = g_fail = 0;
	cli();
	total_fail += g_fail;
	g_pass = g_fail = 0;
	corpora();
	total_fail += g_fail;
	return total_fail ? 1 : 0;
}
