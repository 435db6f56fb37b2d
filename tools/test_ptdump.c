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
 *
 * The parts: test_ptdump_oracle.c (the model, the coalescing rule, the
 * collecting sink), test_ptdump_roundtrip.c, test_ptdump_hostile.c (with
 * other harnesses' corpora as images), test_ptdump_cli.c (the command line
 * and the binary); this file holds the variants, geometry, seeds and main.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "test_ptdump.h"

unsigned g_pass, g_fail;
const char *g_ctx = "";

void group_end(const char *name)
{
	printf("[group] ptdump %s: %u passed, %u failed\n", name, g_pass, g_fail);
}

/* xorshift: deterministic, so a failure reproduces. */
static uint64_t rng_state = 0x9e3779b97f4a7c15u;
uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static const struct variant variants[] = {
	{ PT_X86_64, 0, NULL, 0 },
	{ PT_X86_64_LA57, 0, NULL, 0 },
	{ PT_AARCH64, 0, NULL, 0 },
	{ PT_AARCH64, PT_FEAT_AARCH64_EL2, "el2", 0 },
	{ PT_AARCH64, PT_FEAT_AARCH64_HIGH, "high", 0 },
	{ PT_RISCV_SV39, 0, NULL, 0 },
	{ PT_RISCV_SV39, PT_FEAT_RISCV_SVPBMT, "svpbmt", 0 },
	{ PT_RISCV_SV39, PT_FEAT_RISCV_XUANTIE, "xuantie", 0 },
	{ PT_RISCV_SV39, PT_FEAT_RISCV_SVNAPOT, "svnapot", 0 },
	{ PT_RISCV_SV48, 0, NULL, 0 },
	{ PT_RISCV_SV48, PT_FEAT_RISCV_SVPBMT, "svpbmt", 0 },
	{ PT_RISCV_SV48, PT_FEAT_RISCV_XUANTIE, "xuantie", 0 },
	{ PT_RISCV_SV57, 0, NULL, 0 },
	{ PT_RISCV_SV57, PT_FEAT_RISCV_SVPBMT, "svpbmt", 0 },
	{ PT_RISCV_SV57, PT_FEAT_RISCV_XUANTIE, "xuantie", 0 },
	{ PT_LOONGARCH64, 0, NULL, 0 },
	{ PT_ARMV7, 0, NULL, 0 },
	{ PT_AARCH64_S2, 0, NULL, 0 },
	{ PT_AARCH64_S2, 0, NULL, 32 },
	{ PT_AARCH64_S2, 0, NULL, 48 },
	{ PT_X86_64_EPT, 0, NULL, 0 },
	{ PT_X86_64_EPT, PT_FEAT_EPT_AD, "ad", 0 },
	{ PT_X86_64_EPT5, 0, NULL, 0 },
	{ PT_RISCV_SV39X4, 0, NULL, 0 },
	{ PT_RISCV_SV48X4, 0, NULL, 0 },
	{ PT_RISCV_SV57X4, 0, NULL, 0 },
	/* AArch64 at other VA sizes and granules (pages of the granule). */
	{ PT_AARCH64, 0, NULL, 39 },
	{ PT_AARCH64, PT_FEAT_AARCH64_HIGH, "high", 39 },
	{ PT_AARCH64_16K, 0, NULL, 0 },
	{ PT_AARCH64_16K, PT_FEAT_AARCH64_HIGH, "high", 0 },
	{ PT_AARCH64_16K, 0, NULL, 47 },
	{ PT_AARCH64_64K, 0, NULL, 0 },
	{ PT_AARCH64_64K, PT_FEAT_AARCH64_EL2, "el2", 0 },
	{ PT_AARCH64_64K, 0, NULL, 42 },
};

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
		/* stage 2 at 40 bits: two concatenated root tables */
		{ PT_AARCH64_S2, 1024, 8192, 4096 },
		/* EPT as x86; G-stage: a 16 KiB root of 2048 entries */
		{ PT_X86_64_EPT, 512, 4096, 4096 },  { PT_X86_64_EPT5, 512, 4096, 4096 },
		{ PT_RISCV_SV39X4, 2048, 16384, 4096 }, { PT_RISCV_SV48X4, 2048, 16384, 4096 },
		{ PT_RISCV_SV57X4, 2048, 16384, 4096 },
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
		/* Guest-physical addresses are not sign-extended. */
		CHECK(g.sign_extend == (want[i].a < PT_ARMV7 && want[i].a != PT_AARCH64), "sign %s",
		      pt_arch_info(want[i].a)->name);
	}
	CHECK(ptd_geom(PT_ARCH_COUNT, &(struct ptd_geom){ 0 }) == -1, "unknown arch");
	/* Stage 2 widths: levels and root as the concatenation rule gives. */
	{
		static const struct { unsigned bits, levels; size_t root; } S2[] = {
			{ 32, 2, 2048 }, { 34, 2, 8192 }, { 35, 3, 32 }, { 40, 3, 1024 },
			{ 43, 3, 8192 }, { 44, 4, 32 }, { 48, 4, 512 },
		};
		struct ptd_geom g;
		for (size_t i = 0; i < sizeof(S2) / sizeof(S2[0]); i++)
			CHECK(ptd_geom_bits(PT_AARCH64_S2, S2[i].bits, &g) == 0 &&
				      g.levels == S2[i].levels && g.entries[0] == S2[i].root &&
				      g.shift[g.levels - 1] == 12,
			      "s2 %u bits", S2[i].bits);
		CHECK(ptd_geom_bits(PT_AARCH64_S2, 31, &g) == -1 &&
			      ptd_geom_bits(PT_AARCH64_S2, 49, &g) == -1 &&
			      ptd_geom_bits(PT_X86_64, 39, &g) == -1 &&
			      ptd_geom_bits(PT_X86_64, 48, &g) == 0,
		      "widths refused");
	}
	/* AArch64 stage 1 widths and granules: the granule is the page and
	 * every table below the root; the root takes the bits left over. */
	{
		static const struct {
			enum pt_arch a;
			unsigned bits, levels, page_shift;
			size_t root;
		} A64[] = {
			{ PT_AARCH64, 48, 4, 12, 512 },	      { PT_AARCH64, 39, 3, 12, 512 },
			{ PT_AARCH64, 25, 2, 12, 16 },	      { PT_AARCH64, 30, 2, 12, 512 },
			{ PT_AARCH64, 31, 3, 12, 2 },	      { PT_AARCH64_16K, 48, 4, 14, 2 },
			{ PT_AARCH64_16K, 47, 3, 14, 2048 },  { PT_AARCH64_16K, 36, 2, 14, 2048 },
			{ PT_AARCH64_16K, 26, 2, 14, 2 },     { PT_AARCH64_64K, 48, 3, 16, 64 },
			{ PT_AARCH64_64K, 42, 2, 16, 8192 },  { PT_AARCH64_64K, 43, 3, 16, 2 },
			{ PT_AARCH64_64K, 30, 2, 16, 2 },
		};
		struct ptd_geom g;
		for (size_t i = 0; i < sizeof(A64) / sizeof(A64[0]); i++)
			CHECK(ptd_geom_bits(A64[i].a, A64[i].bits, &g) == 0 &&
				      g.levels == A64[i].levels && g.entries[0] == A64[i].root &&
				      g.shift[g.levels - 1] == A64[i].page_shift &&
				      g.table_bytes[g.levels - 1] == UINT64_C(1) << A64[i].page_shift &&
				      !g.sign_extend,
			      "%s %u bits", pt_arch_info(A64[i].a)->name, A64[i].bits);
		CHECK(ptd_geom_bits(PT_AARCH64, 24, &g) == -1 &&
			      ptd_geom_bits(PT_AARCH64_16K, 25, &g) == -1 &&
			      ptd_geom_bits(PT_AARCH64_64K, 29, &g) == -1 &&
			      ptd_geom_bits(PT_AARCH64_64K, 49, &g) == -1,
		      "AArch64 widths refused");
	}
	/* Memory types as normalised flags carry them: one at most. */
	CHECK(strcmp(ptd_memtype_str(PT_READ | PT_WC), "wc") == 0, "wc");
	CHECK(strcmp(ptd_memtype_str(PT_READ | PT_UNCACHED), "uncached") == 0, "uncached");
	CHECK(strcmp(ptd_memtype_str(PT_READ | PT_DEVICE), "device") == 0, "device");
	CHECK(strcmp(ptd_memtype_str(PT_READ | PT_GLOBAL), "normal") == 0, "normal");
	group_end("geometry");
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
		/* The header has no VA width, and 12 frames hold no 16K or 64K
		 * tables: those variants have no seed. */
		if (v->va_bits || v->arch == PT_AARCH64_16K || v->arch == PT_AARCH64_64K)
			continue;
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

/*
 * DIR/a64.bin: AArch64 TTBR1 tables written the way Linux writes them (not
 * by libpt), at PA 0x1000000: a linear map in a 1G block (RW through DBM,
 * PXN, UXN), the kernel text in 16 2M blocks with the contiguous bit, its
 * data writable and still clean (AP[2] and DBM), a UART page as Device-nGnRE
 * through MAIR index 4, memory types through Linux's MAIR.
 */
static void put64(unsigned char *m, uint64_t off, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		m[off + (uint64_t)i] = (unsigned char)(v >> (8 * i));
}

static int write_a64_sample(const char *dir)
{
	const uint64_t base = 0x1000000, af = 1u << 10, ish = 3u << 8, ro = 1u << 7;
	const uint64_t dbm = UINT64_C(1) << 51, con = UINT64_C(1) << 52, pxn = UINT64_C(1) << 53,
		       uxn = UINT64_C(1) << 54;
	unsigned char *m = calloc(8, 4096);
	char path[512];
	FILE *f;
	if (!m)
		return 1;
	/* L0[0] -> L1 at +0x1000: L1[0] a 1G block of RAM at 0x40000000. */
	put64(m, 0, (base + 0x1000) | 3);
	put64(m, 0x1000, 0x40000000 | 1 | af | ish | dbm | pxn | uxn);
	/* L0[0x100] -> L1 at +0x2000, L1[2] -> L2 at +0x3000: the kernel. */
	put64(m, 8 * 0x100, (base + 0x2000) | 3);
	put64(m, 0x2000 + 8 * 2, (base + 0x3000) | 3);
	for (uint64_t i = 0; i < 16; i++)
		put64(m, 0x3000 + 8 * i, (0x40200000 + (i << 21)) | 1 | af | ish | ro | uxn | con);
	put64(m, 0x3000 + 8 * 16, (0x42200000) | 1 | af | ish | ro | dbm | pxn | uxn);
	/* L0[0x1f7] -> L1 +0x4000, L1[0x1ff] -> L2 +0x5000, L2[0x1f0] -> L3
	 * +0x6000: the UART, Attr4. */
	put64(m, 8 * 0x1f7, (base + 0x4000) | 3);
	put64(m, 0x4000 + 8 * 0x1ff, (base + 0x5000) | 3);
	put64(m, 0x5000 + 8 * 0x1f0, (base + 0x6000) | 3);
	put64(m, 0x6000, 0x09000000 | 3 | af | (4u << 2) | pxn | uxn);
	snprintf(path, sizeof(path), "%s/a64.bin", dir);
	if (!(f = fopen(path, "wb")) || fwrite(m, 4096, 8, f) != 8 || fclose(f)) {
		free(m);
		return 1;
	}
	free(m);
	return 0;
}

/*
 * `test_ptdump --samples DIR`: the images the README and the man page show
 * (DIR/x86.bin and DIR/x86-new.bin, raw RAM at PA 0x1000000, root at its
 * start; DIR/a64.bin below): a small x86-64 address space as a kernel would build it, with
 * what --lint looks for, and a later state of it for --diff.
 */
static int write_samples(const char *dir)
{
	const uint64_t base = 0x1000000, k = UINT64_C(0xffffffff81000000);
	struct arena ar;
	struct pt_mm mm;
	struct pt_table t;
	char path[512];
	FILE *f;
	int e = 0;
	if (arena_init(&ar, base, 256))
		return 1;
	ar.strict_virt = false;
	ar.dirty = false;
	arena_mm(&ar, &mm);
	if (pt_init(&t, PT_X86_64, 0, &mm))
		return 1;
	/* User: text, data, stack. */
	e |= pt_map_region(&t, 0x400000, 0x2000000, 0x4000, PT_READ | PT_EXECUTE | PT_USER, 0);
	e |= pt_map_region(&t, 0x600000, 0x2004000, 0x2000, PT_READ | PT_WRITE | PT_USER, 0);
	e |= pt_map_region(&t, 0x7ffffffde000, 0x2010000, 0x3000, PT_READ | PT_WRITE | PT_USER, 0);
	/* Kernel: a direct map of the first 64 MiB, its text mapped again
	 * read-only and executable (the direct map stays writable: an alias),
	 * a module page both writable and executable, a WC framebuffer, an
	 * MMIO page left executable, and a user-readable global page. */
	e |= pt_map_region(&t, UINT64_C(0xffff888000000000), 0, 64 << 20,
			   PT_READ | PT_WRITE | PT_GLOBAL, PT_ALLOW_HUGE);
	e |= pt_map_region(&t, k, 0x1000000, 4 << 20, PT_READ | PT_EXECUTE | PT_GLOBAL, PT_ALLOW_HUGE);
	e |= pt_map(&t, UINT64_C(0xffffffffc0000000), 0x3000000, PT_SIZE_4K,
		    PT_READ | PT_WRITE | PT_EXECUTE | PT_GLOBAL);
	e |= pt_map_region(&t, UINT64_C(0xffffc90000000000), 0xfd000000, 2 << 20,
			   PT_READ | PT_WRITE | PT_WC | PT_GLOBAL, PT_ALLOW_HUGE);
	e |= pt_map(&t, UINT64_C(0xffffc90000400000), 0xfee00000, PT_SIZE_4K,
		    PT_READ | PT_EXECUTE | PT_DEVICE | PT_GLOBAL);
	e |= pt_map(&t, UINT64_C(0xffffffffff600000), 0x2020000, PT_SIZE_4K,
		    PT_READ | PT_EXECUTE | PT_USER | PT_GLOBAL);
	if (e || pt_root(&t) != base)
		return 1;
	/* What PTI does to the kernel's copy of the user half: XD in the
	 * PML4 entry, so user text is not executable from it whatever its
	 * leaves say. */
	ar.mem[7] |= 0x80;
	snprintf(path, sizeof(path), "%s/x86.bin", dir);
	if (!(f = fopen(path, "wb")) || fwrite(ar.mem, 4096, 256, f) != 256 || fclose(f))
		return 1;
	/* Later: the data segment grew, a stack page went, the module page
	 * was made read-only, the framebuffer moved. */
	e |= pt_map_region(&t, 0x602000, 0x2006000, 0x2000, PT_READ | PT_WRITE | PT_USER, 0);
	e |= pt_unmap_region(&t, 0x7ffffffde000, 0x1000);
	e |= pt_protect_region(&t, UINT64_C(0xffffffffc0000000), PT_SIZE_4K,
			       PT_READ | PT_EXECUTE | PT_GLOBAL);
	e |= pt_unmap_region(&t, UINT64_C(0xffffc90000000000), 2 << 20);
	e |= pt_map_region(&t, UINT64_C(0xffffc90000000000), 0xfc000000, 2 << 20,
			   PT_READ | PT_WRITE | PT_WC | PT_GLOBAL, PT_ALLOW_HUGE);
	snprintf(path, sizeof(path), "%s/x86-new.bin", dir);
	if (e || !(f = fopen(path, "wb")) || fwrite(ar.mem, 4096, 256, f) != 256 || fclose(f))
		return 1;
	pt_destroy(&t);
	arena_fini(&ar);
	return write_a64_sample(dir);
}

int main(int argc, char **argv)
{
	unsigned total_fail;
	if (argc == 3 && strcmp(argv[1], "--seeds") == 0)
		return write_seeds(argv[2]);
	if (argc == 3 && strcmp(argv[1], "--samples") == 0)
		return write_samples(argv[2]);
#ifdef PTDUMP_LIVE_ONLY
	/* The ASan+UBSan build `make check` runs: the live-image group. */
	live();
	return g_fail ? 1 : 0;
#endif
	geometry();
	total_fail = g_fail;
	g_pass = g_fail = 0;
	for (size_t i = 0; i < sizeof(variants) / sizeof(variants[0]); i++)
		roundtrip(&variants[i]);
	group_end("roundtrip (33 format/feature/width variants)");
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
	void (*more[])(void) = { regime, lint_diff, options, live };
	for (size_t i = 0; i < sizeof(more) / sizeof(more[0]); i++) {
		g_pass = g_fail = 0;
		more[i]();
		total_fail += g_fail;
	}
	return total_fail ? 1 : 0;
}
