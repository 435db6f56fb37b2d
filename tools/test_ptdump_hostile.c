/* SPDX-License-Identifier: MIT */
/*
 * ptdump tests: hostile images (see test_ptdump.c), and other harnesses'
 * corpora read as images.
 */
#include <dirent.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_ptdump.h"

/* ---- Hostile images ----------------------------------------------------- */

void put_pte(unsigned char *img, uint64_t off, uint64_t pte, unsigned bytes)
{
	for (unsigned i = 0; i < bytes; i++)
		img[off + i] = (unsigned char)(pte >> (8 * i));
}

int walk_img(const unsigned char *p, size_t n, uint64_t base, enum pt_arch a, unsigned feat,
	     uint64_t root, unsigned long max, struct collect *c, struct ptd_stats *st)
{
	struct ptd_image img = { p, n, base };
	struct ptd_config cfg = { .arch = a, .features = feat, .root = root, .va_hi = UINT64_MAX, .max_tables = max };
	struct ptd_sink sink = { col_range, col_corrupt, c };
	int rc = ptd_walk(&img, &cfg, &sink, st);
	if (rc != PTD_EXIT_USAGE)
		CHECK(translate_mismatches(&img, &cfg, c) == 0, "%s: ranges disagree with pt_translate",
		      pt_arch_info(a)->name);
	return rc;
}

void hostile(void)
{
	const size_t n = 64 * 4096;
	const uint64_t base = 0x100000;
	unsigned char *img = malloc(n);
	g_ctx = "hostile";
	/* Random bytes, every format, root at several places. */
	for (unsigned a = 0; a < PTD_NARCH; a++) {
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

	/* Random images under random regimes: the controls of the format,
	 * attribute registers and (LoongArch) a dir-mask, valid or not. A
	 * regime ptd_check_regime refuses is a usage error with a message;
	 * any other walks like the default one, and agrees with pt_access. */
	{
		static const uint64_t ctl[PT_ARCH_COUNT] = {
			[PT_X86_64] = 0x1f, [PT_X86_64_LA57] = 0x1f, [PT_AARCH64] = 0x21e0,
			[PT_RISCV_SV39] = 0x780, [PT_RISCV_SV48] = 0x780, [PT_RISCV_SV57] = 0x780,
			[PT_ARMV7] = 0x1800, [PT_AARCH64_S2] = 0x180, [PT_RISCV_SV39X4] = 0x580,
			[PT_RISCV_SV48X4] = 0x580, [PT_RISCV_SV57X4] = 0x580,
		};
		unsigned refused = 0, walked = 0;
		for (int round = 0; round < 160; round++) {
			enum pt_arch a = (enum pt_arch)(rnd() % PTD_NARCH);
			struct ptd_geom g;
			struct ptd_config cfg = { .arch = a, .va_hi = UINT64_MAX, .max_tables = 300,
						  .controls_set = true };
			struct ptd_image im = { img, n, base };
			struct collect c = { 0 };
			struct ptd_sink sink = { col_range, col_corrupt, &c };
			struct ptd_stats st;
			char err[240] = "";
			int rc;
			ptd_geom(a, &g);
			for (size_t i = 0; i < n; i += 8) {
				uint64_t r = rnd();
				r &= (rnd() & 3) ? 0 : ~UINT64_C(0);
				memcpy(img + i, &r, 8);
			}
			cfg.root = base + (rnd() % (n / g.table_bytes[0])) * g.table_bytes[0];
			cfg.controls = rnd() & (round & 1 ? ctl[a] : 0x3fff);
			cfg.attrs = round % 3 == 0 ? rnd() : round % 3 == 1 ? 0 : rnd() & 0x0707070707070707u;
			if (a == PT_LOONGARCH64 && (round & 2))
				cfg.dir_mask = UINT64_C(0x0000fffffffff000);
			if (ptd_check_regime(&cfg, err, sizeof(err))) {
				refused++;
				CHECK(err[0] && ptd_walk(&im, &cfg, &sink, &st) == PTD_EXIT_USAGE,
				      "refused regime walks anyway");
				continue;
			}
			walked++;
			rc = ptd_walk(&im, &cfg, &sink, &st);
			CHECK(rc == 0 || rc == 1, "%s regime ctl %#" PRIx64 " attrs %#" PRIx64 ": rc %d",
			      pt_arch_info(a)->name, cfg.controls, cfg.attrs, rc);
			CHECK(st.changed == 0, "a still image changed under the walk");
			CHECK(translate_mismatches(&im, &cfg, &c) == 0, "%s regime: ranges disagree with pt_access",
			      pt_arch_info(a)->name);
			free(c.r);
		}
		CHECK(refused > 10 && walked > 10, "regimes refused %u, walked %u", refused, walked);
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
	/* Stage 2. EPT misconfigurations (write without read, bits 7:3 of a
	 * PML4E, memory type 2 in a leaf) are reported and not followed; the
	 * 1G leaf beside them is dumped. */
	{
		struct collect c = { 0 };
		struct ptd_stats st;
		int rc;
		memset(img, 0, n);
		put_pte(img, 8 * 0, (base + 0x1000) | 7, 8);
		put_pte(img, 0x1000 + 8 * 0, (base + 0x3000) | 2, 8);
		put_pte(img, 8 * 1, (base + 0x1000) | 7 | 1 << 3, 8);
		put_pte(img, 8 * 2, (base + 0x2000) | 7, 8);
		put_pte(img, 0x2000 + 8 * 0, 0x40000000 | 7 | 2 << 3 | 0x80, 8);
		put_pte(img, 0x2000 + 8 * 1, 0x80000000 | 5 | 6 << 3 | 0x80, 8);
		rc = walk_img(img, n, base, PT_X86_64_EPT, 0, base, 0, &c, &st);
		CHECK(rc == 1 && st.corrupt == 3 && c.nc == 3, "ept rc %d corrupt %lu", rc, st.corrupt);
		CHECK(c.nc == 3 && c.c[0].level == 1 && c.c[1].level == 0 && c.c[1].index == 1 &&
			      c.c[2].level == 1 && c.c[2].index == 0,
		      "ept corrupt locations");
		CHECK(c.n == 1 && c.r[0].va == (UINT64_C(2) << 39 | UINT64_C(1) << 30) &&
			      c.r[0].pa == 0x80000000 && c.r[0].leaf_size == PT_SIZE_1G &&
			      c.r[0].flags == (PT_READ | PT_EXECUTE),
		      "ept leaf beside the misconfigurations");
		free(c.r);
	}
	/* AArch64 stage 2 at 40 bits: a root of two concatenated frames, a
	 * block in the second (IPA 512 GiB up); at the image's last frame the
	 * second root frame is outside it. */
	{
		struct collect c = { 0 };
		struct ptd_stats st;
		struct ptd_image im = { img, n, base };
		struct ptd_config cfg = { .arch = PT_AARCH64_S2, .root = base + 0x2000,
					  .va_hi = UINT64_MAX };
		struct ptd_sink sink = { col_range, col_corrupt, &c };
		int rc;
		memset(img, 0, n);
		put_pte(img, 0x3000 + 8 * 3, 0x40000000 | 1 | 0xf << 2 | 3 << 6 | 3 << 8 | 1 << 10, 8);
		rc = walk_img(img, n, base, PT_AARCH64_S2, 0, base + 0x2000, 0, &c, &st);
		CHECK(rc == 0 && c.n == 1 && c.r[0].va == UINT64_C(515) << 30 &&
			      c.r[0].pa == 0x40000000 && c.r[0].flags == (PT_READ | PT_WRITE | PT_EXECUTE),
		      "s2 block in the second root frame: rc %d ranges %zu", rc, c.n);
		free(c.r);
		memset(&c, 0, sizeof(c));
		CHECK(walk_img(img, n, base, PT_AARCH64_S2, 0, base + n - 0x2000, 0, &c, &st) == 0,
		      "s2 root in the last two frames");
		CHECK(walk_img(img, n - 0x1000, base, PT_AARCH64_S2, 0, base + n - 0x2000, 0, &c, &st) ==
			      2,
		      "s2 root's second frame outside the image");
		CHECK(walk_img(img, n, base, PT_AARCH64_S2, 0, base + 0x1000, 0, &c, &st) == 2,
		      "s2 root not aligned to its two frames");
		/* At 32 bits: four frames, 16 KiB aligned. */
		cfg.va_bits = 32;
		cfg.root = base + 0x2000;
		CHECK(ptd_walk(&im, &cfg, &sink, &st) == PTD_EXIT_USAGE, "s2/32 root 8K aligned");
		cfg.root = base + 0x4000;
		CHECK(ptd_walk(&im, &cfg, &sink, &st) == 0, "s2/32 root 16K aligned");
		free(c.r);
	}
	/* G-stage: a 16 KiB root, its last entry (GPA bits 40:39 all set)
	 * a 1G leaf; a leaf without U (no guest access at all) is dumped
	 * with no permission, as pt_access reads it. */
	{
		struct collect c = { 0 };
		struct ptd_stats st;
		int rc;
		memset(img, 0, n);
		put_pte(img, 8 * 2047, (UINT64_C(0x40000000) >> 12) << 10 | 0xdf, 8);
		put_pte(img, 8 * 1, (UINT64_C(0x80000000) >> 12) << 10 | 0xcf, 8);
		rc = walk_img(img, n, base, PT_RISCV_SV39X4, 0, base, 0, &c, &st);
		CHECK(rc == 0 && c.n == 2 && c.r[0].va == UINT64_C(1) << 30 && c.r[0].pa == 0x80000000 &&
			      c.r[0].flags == 0 && c.r[1].va == UINT64_C(2047) << 30 &&
			      c.r[1].pa == 0x40000000 && c.r[1].flags == (PT_READ | PT_WRITE | PT_EXECUTE),
		      "sv39x4 rc %d ranges %zu", rc, c.n);
		free(c.r);
		memset(&c, 0, sizeof(c));
		CHECK(walk_img(img, n, base, PT_RISCV_SV39X4, 0, base + 0x2000, 0, &c, &st) == 2,
		      "sv39x4 root not 16K aligned");
		CHECK(walk_img(img, n - 0x1000, base, PT_RISCV_SV39X4, 0, base + n - 0x4000, 0, &c, &st) ==
			      2,
		      "sv39x4 root's last frame outside the image");
		CHECK(walk_img(img, n, base, PT_RISCV_SV39X4, 0, base + n - 0x4000, 0, &c, &st) == 0,
		      "sv39x4 root in the last four frames");
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

/*
 * Other harnesses' corpora as hostile images: every file of
 * corpus/fuzz_translate (and corpus/fuzz_ptdump, if the lead keeps ours) is
 * read as a raw image at PA 0x100000 for every format, root at its start.
 * Nothing to check when the corpora are absent (a fresh checkout).
 */
void corpora(void)
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
			for (unsigned a = 0; a < PTD_NARCH && n > 0; a++) {
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
