/* SPDX-License-Identifier: MIT */
/*
 * ptdump tests: the round trip (see test_ptdump.c). libpt builds the tables,
 * the model records every leaf, ptdump must report exactly those.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arena.h"
#include "test_ptdump.h"

/* ---- Round trip --------------------------------------------------------- */

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
#define ARENA_FRAMES 4096 /* 64K tables: 16 frames each */

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
static char *render(const struct ptd_config *cfg, const struct ptd_range *r, size_t n, bool json)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct ptd_printer p = { f, json, cfg, NULL };
	for (size_t i = 0; i < n; i++)
		ptd_print_range(&p, &r[i]);
	fclose(f);
	return buf;
}

void roundtrip(const struct variant *v)
{
	struct rt rt;
	const struct pt_arch_info *in = pt_arch_info(v->arch);
	struct pt_mm mm;
	struct ptd_range *want;
	size_t nwant;
	struct collect col = { 0 };
	struct ptd_stats st;
	char ctx[64];
	uint64_t vbase = 0, upper = 0, c, d, pa, pg;
	const unsigned vbits = v->va_bits ? v->va_bits : pt_arch_info(v->arch)->va_bits;
	unsigned fail0 = g_fail;
	int e;

	memset(&rt, 0, sizeof(rt));
	snprintf(ctx, sizeof(ctx), "%s%s%s/%u", in->name, v->feat_name ? "+" : "",
		 v->feat_name ? v->feat_name : "", v->va_bits);
	g_ctx = ctx;
	rt.v = v;
	ptd_geom_bits(v->arch, v->va_bits, &rt.g);
	rt.m.g = &rt.g;
	/* The page: the smallest leaf (the granule on AArch64). */
	pg = UINT64_C(1) << rt.g.shift[rt.g.levels - 1];
	for (unsigned l = 0; l < rt.g.levels; l++) {
		uint64_t sp = UINT64_C(1) << rt.g.shift[l];
		if (in->leaf_sizes & sp) {
			if (!rt.smax)
				rt.smax = sp;
			if (sp > pg)
				rt.s2 = sp;
		}
	}
	if (v->feat & PT_FEAT_AARCH64_HIGH)
		vbase = ~((UINT64_C(1) << vbits) - 1);
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
	{
		const struct pt_config pc = { v->arch, v->feat, v->va_bits };
		e = pt_init_config(&rt.t, &pc, &mm);
	}
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
		do_protect(&rt, vbase + rt.smax + rt.s2 + pg, pg, PT_READ | PT_WRITE);

	/* Coalescing: 8 contiguous pages, then other flags, then a PA gap. */
	c = vbase + 16 * rt.smax;
	/* Aligned to the smallest huge leaf (64K: 512M). */
	pa = rt.s2 > UINT64_C(0x10000000) ? rt.s2 : UINT64_C(0x10000000);
	for (int i = 0; i < 8; i++)
		do_map(&rt, c + i * pg, pa + i * pg, pg, PT_READ | PT_WRITE);
	for (int i = 8; i < 12; i++)
		do_map(&rt, c + i * pg, pa + i * pg, pg, PT_READ);
	for (int i = 12; i < 16; i++)
		do_map(&rt, c + i * pg, pa + (i + 1) * pg, pg, PT_READ);
	/* A hole in the middle of a coalesced range splits it in two. */
	do_unmap(&rt, c + 3 * pg, pg);
	/* Huge and small leaves of one region: size classes never merge. */
	do_map_region(&rt, c + 2 * rt.s2, pa + 2 * rt.s2, 3 * rt.s2 + 3 * pg,
		      PT_READ | PT_WRITE);
	/* Protect across a huge edge with the flags it has: stays whole. */
	do_protect(&rt, c + 3 * rt.s2 - pg, 2 * pg, PT_READ | PT_WRITE);
	/* Protect one page inside a huge leaf: it splits into three ranges. */
	do_map(&rt, c + 8 * rt.s2, pa + 8 * rt.s2, rt.s2, PT_READ | PT_WRITE | PT_EXECUTE);
	do_protect(&rt, c + 8 * rt.s2 + 2 * pg, pg, PT_READ);

	/* The other half of the address space. */
	if (upper) {
		for (int i = 0; i < 4; i++)
			do_map(&rt, upper + rt.s2 + i * pg, pa + i * pg, pg,
			       PT_READ | PT_EXECUTE);
		do_map(&rt, upper + 2 * rt.s2, pa, rt.s2, PT_READ | PT_WRITE);
	}

	/* Random edits in a window of 64 huge slots: mostly linear PAs so that
	 * neighbours coalesce, some random ones so that they do not. */
	d = vbase + 32 * rt.smax;
	for (int i = 0; i < 120; i++) {
		uint64_t size = (rnd() % 4) ? pg : rt.s2;
		uint64_t off = (rnd() % (64 * rt.s2 / size)) * size;
		uint64_t p = UINT64_C(0x20000000) + off;
		uint32_t f = flag_set[rnd() % 3];
		if (rnd() % 4 == 0)
			p = ((rnd() % 0x10000) * size) & ((UINT64_C(1) << 31) - 1) & ~(size - 1);
		if (model_overlaps(&rt.m, d + off, size))
			continue;
		/* Runs of 1..8 pages make coalescable stretches. */
		for (uint64_t n = (size == pg) ? 1 + rnd() % 8 : 1; n--; off += size, p += size)
			if (off < 64 * rt.s2 && !model_overlaps(&rt.m, d + off, size))
				do_map(&rt, d + off, p, size, f);
	}
	for (int i = 0; i < 12; i++) {
		uint64_t off = (rnd() % (64 * rt.s2 / pg)) * pg;
		uint64_t size = (1 + rnd() % 700) * pg;
		if (off + size > 64 * rt.s2)
			size = 64 * rt.s2 - off;
		if (i % 3 == 2)
			do_unmap(&rt, d + off, size);
		else
			do_protect(&rt, d + off, size, flag_set[rnd() % NFLAGS]);
	}
	if (g_fail != fail0)
		goto out;

	struct ptd_config cfg = { .arch = v->arch, .features = v->feat, .va_bits = v->va_bits,
				  .root = pt_root(&rt.t), .va_hi = UINT64_MAX };
	/* The library agrees with the model (else the model or libpt is wrong). */
	{
		struct walkacc wa;
		struct pt_walk_ops ops = { 0, walk_pre, NULL };
		struct ptd_range *lib;
		size_t nlib;
		memset(&wa, 0, sizeof(wa));
		wa.cfg = &cfg;
		e = pt_walk(&rt.t, &ops, &wa);
		CHECK(e == PT_OK, "pt_walk: %s", pt_strerror(e));
		/* Expected ranges from the model, the raw attributes of each
		 * leaf read from the entry libpt wrote (pt_walk's pte). */
		CHECK(model_fill_attrs(&rt.m, &wa.leaves), "a model leaf pt_walk does not have");
		want = calloc(rt.m.n + 1, sizeof(*want));
		nwant = coalesce(rt.m.v, rt.m.n, want);
		lib = calloc(wa.leaves.n + 1, sizeof(*lib));
		nlib = coalesce(wa.leaves.v, wa.leaves.n, lib);
		CHECK(ranges_equal(lib, nlib, want, nwant), "pt_walk leaves differ from the model");

		/* The core walk over the arena's memory. */
		struct ptd_image img = { rt.ar.mem, (size_t)ARENA_FRAMES * 4096, ARENA_BASE };
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
			if (want[i].leaf_size > pg) {
				if (first == nwant)
					first = i;
				lastr = i;
			}
		CHECK(first < lastr, "no two huge ranges to clip at");
		if (first < lastr) {
			uint64_t lo = want[first].va + pg;
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
		char bits[16];
		if (v->feat_name) {
			argv[k++] = "--features";
			argv[k++] = (char *)v->feat_name;
		}
		if (v->va_bits) {
			snprintf(bits, sizeof(bits), "%u", v->va_bits);
			argv[k++] = "--va-bits";
			argv[k++] = bits;
		}
		argv[k] = NULL;
		ref = render(&cfg, want, nwant, false);
		e = run_main(argv, &out, NULL);
		CHECK(e == 0, "ptd_main rc %d", e);
		CHECK(strcmp(out, ref) == 0, "text output differs:\n%s---- want\n%s", out, ref);
		free(out);
		free(ref);
		argv[k] = "--json";
		argv[k + 1] = NULL;
		ref = render(&cfg, want, nwant, true);
		e = run_main(argv, &out, NULL);
		CHECK(e == 0 && strcmp(out, ref) == 0, "json output differs (rc %d)", e);
		free(out);
		free(ref);
		/* --translate of a mapped VA: one line with the PA. */
		{
			char va[32], line[160];
			char *tv[20];
			memcpy(tv, argv, sizeof(argv));
			snprintf(va, sizeof(va), "0x%" PRIx64, want[0].va + pg / 2);
			tv[k] = "--translate";
			tv[k + 1] = va;
			tv[k + 2] = NULL;
			e = run_main(tv, &out, NULL);
			snprintf(line, sizeof(line), "0x%016" PRIx64 " -> 0x%016" PRIx64 " ",
				 want[0].va + pg / 2, want[0].pa + pg / 2);
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
