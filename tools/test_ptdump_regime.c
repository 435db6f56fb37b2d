/* SPDX-License-Identifier: MIT */
/*
 * ptdump tests: tables some other OS wrote, spelled out in bits. Effective
 * permissions over the levels (x86 RW/US/XD, AArch64 APTable/UXNTable),
 * encodings libpt never writes (ARMv7 64K large pages and 16M
 * supersections, RISC-V Svnapot, LoongArch directory entries holding
 * direct-map VAs), the raw attribute column, --lint, --diff, and the
 * regime options on the command line (bad ones are usage errors).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test_ptdump.h"

#define BASE UINT64_C(0x100000)
#define NB (64 * 4096)

/* x86 entry bits (Intel SDM vol. 3A §4.5). */
#define P 1u
#define RW 2u
#define US 4u
#define PWT 8u
#define PCD 0x10u
#define A 0x20u
#define D 0x40u
#define PS 0x80u
#define G 0x100u
#define XD (UINT64_C(1) << 63)

static int walk_cfg(const unsigned char *p, const struct ptd_config *cfg, struct collect *c,
		    struct ptd_stats *st)
{
	struct ptd_image img = { p, NB, BASE };
	struct ptd_sink sink = { col_range, col_corrupt, c };
	return ptd_walk(&img, cfg, &sink, st);
}

static const char *attrs_of(const struct ptd_config *cfg, const struct ptd_range *r)
{
	static char buf[256];
	return ptd_attr_str(cfg, r->level, r->attr, buf, sizeof(buf));
}

/* A range at va in c, or NULL. */
static const struct ptd_range *at(const struct collect *c, uint64_t va)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->r[i].va <= va && va - c->r[i].va < c->r[i].size)
			return &c->r[i];
	return NULL;
}

/*
 * The x86 image: PML4[0] -> PDPT (XD) -> PD -> PT (RW clear): below it
 * every page is read-only and not executable, whatever the leaf says.
 * PML4[1] -> PDPT -> PD -> PT with permissive tables holds the lint cases.
 */
static void x86_image(unsigned char *img)
{
	memset(img, 0, NB);
	put_pte(img, 0, (BASE + 0x1000) | P | RW | US | XD, 8);
	put_pte(img, 0x1000, (BASE + 0x2000) | P | RW | US, 8);
	put_pte(img, 0x2000, (BASE + 0x3000) | P | US, 8);
	put_pte(img, 0x3000 + 8 * 1, 0x500000 | P | RW | US | A | D, 8);
	put_pte(img, 0x3000 + 8 * 2, 0x501000 | P | G | A | PWT | (UINT64_C(3) << 59) | (1u << 9), 8);
	/* PML4[1]: 0x0000008000000000 */
	put_pte(img, 8, (BASE + 0x4000) | P | RW | US, 8);
	put_pte(img, 0x4000, (BASE + 0x5000) | P | RW | US, 8);
	put_pte(img, 0x5000, (BASE + 0x6000) | P | RW | US, 8);
	put_pte(img, 0x6000 + 8 * 0, 0x600000 | P | RW | A | D, 8);            /* wx */
	put_pte(img, 0x6000 + 8 * 1, 0x601000 | P | US | G | A | XD, 8);       /* user-global */
	put_pte(img, 0x6000 + 8 * 2, 0xfe000000 | P | PCD | PWT | A, 8); /* exec-device (UC) */
	put_pte(img, 0x6000 + 8 * 3, 0x700000 | P | A | D, 8);                  /* r-x of 0x700000 */
	put_pte(img, 0x6000 + 8 * 4, 0x700000 | P | RW | A | D | XD, 8);       /* its rw alias */
}

static void effective(void)
{
	unsigned char *img = calloc(1, NB);
	struct ptd_config cfg = { .arch = PT_X86_64, .root = BASE, .va_hi = UINT64_MAX };
	struct collect c = { 0 };
	struct ptd_stats st;
	const struct ptd_range *r;
	char perm[5];
	x86_image(img);
	CHECK(walk_cfg(img, &cfg, &c, &st) == 0, "x86 walk");
	r = at(&c, 0x1000);
	CHECK(r && r->pa == 0x500000 && r->flags == (PT_READ | PT_USER),
	      "x86 leaf RW/US/no XD under RW-clear PD and XD PML4: %s",
	      r ? ptd_perm_str(r->flags, perm) : "missing");
	r = at(&c, 0x2000);
	CHECK(r && strcmp(attrs_of(&cfg, r), "G A PK=3 SW9 PAT1=WC") == 0 &&
		      (r->flags & PT_WC),
	      "x86 attrs '%s'", r ? attrs_of(&cfg, r) : "");
	/* Without NXE, XD is reserved: the PML4 entry is corrupt. */
	cfg.controls_set = true;
	cfg.controls = PT_CTL_WP;
	free(c.r);
	memset(&c, 0, sizeof(c));
	CHECK(walk_cfg(img, &cfg, &c, &st) == 1 && c.nc == 3 && c.c[0].level == 0 && c.c[0].index == 0,
	      "x86 without NXE: XD reserved");
	free(c.r);

	/* AArch64: level-0 table with APTable[1] (read-only) and UXNTable;
	 * the leaf says EL0 RW executable. HPD ignores the table bits. */
	memset(img, 0, NB);
	memset(&c, 0, sizeof(c));
	put_pte(img, 0, (BASE + 0x1000) | 3 | (UINT64_C(1) << 62) | (UINT64_C(1) << 60), 8);
	put_pte(img, 0x1000, (BASE + 0x2000) | 3, 8);
	put_pte(img, 0x2000, (BASE + 0x3000) | 3, 8);
	/* AF, AP[1] (EL0), SH inner, AttrIndx 0, nG, DBM, CON, GP, SW55. */
	put_pte(img, 0x3000 + 8 * 16,
		0x800000 | 3 | 0x40 | 0x300 | 0x400 | 0x800 | (UINT64_C(1) << 51) |
			(UINT64_C(1) << 52) | (UINT64_C(1) << 50) | (UINT64_C(1) << 55) |
			(UINT64_C(1) << 53),
		8);
	cfg = (struct ptd_config){ .arch = PT_AARCH64, .root = BASE, .va_hi = UINT64_MAX,
				   .attrs = UINT64_C(0xff) }; /* Linux: Attr0 Normal WB */
	CHECK(walk_cfg(img, &cfg, &c, &st) == 0 && c.n == 1, "aarch64 walk rc");
	r = c.n ? &c.r[0] : NULL;
	CHECK(r && r->va == 0x10000 && r->flags == (PT_READ | PT_USER),
	      "aarch64 APTable RO + UXNTable: %s", r ? ptd_perm_str(r->flags, perm) : "missing");
	CHECK(r && strcmp(attrs_of(&cfg, r), "nG AF DBM CON GP PXN ISH SW55 Attr0=0xff") == 0,
	      "aarch64 attrs '%s'", r ? attrs_of(&cfg, r) : "");
	free(c.r);
	memset(&c, 0, sizeof(c));
	cfg.controls_set = true;
	cfg.controls = PT_CTL_HA | PT_CTL_HD | PT_CTL_HPD;
	CHECK(walk_cfg(img, &cfg, &c, &st) == 0 && c.n == 1 &&
		      c.r[0].flags == (PT_READ | PT_WRITE | PT_USER | PT_EXECUTE),
	      "aarch64 HPD: table bits ignored");
	free(c.r);
	free(img);
}

static void foreign(void)
{
	unsigned char *img = calloc(1, NB);
	struct ptd_config cfg = { .arch = PT_ARMV7, .root = BASE, .va_hi = UINT64_MAX };
	struct collect c = { 0 };
	struct ptd_stats st;
	/* ARMv7: a 64K large page (16 copies in the L2 at BASE + 0x4000) and
	 * a 16M supersection (16 copies in L1 entries 32..47). */
	put_pte(img, 4 * 1, (BASE + 0x4000) | 1, 4);
	for (int i = 0; i < 16; i++) {
		/* large: PA 0x90000, AP 01 (kernel RW), TEX 001 C B (WB) */
		put_pte(img, 0x4000 + 4 * (16 + (uint64_t)i), 0x90000 | 1 | 0x10 | 0x1000 | 0xc, 4);
		/* supersection PA 0x2000000, AP 01, XN, nG */
		put_pte(img, 4 * (32 + (uint64_t)i),
			0x2000000 | 2 | (1u << 18) | 0x400 | 0x10 | (1u << 17) | 0xc | 0x1000, 4);
	}
	CHECK(walk_cfg(img, &cfg, &c, &st) == 0 && c.n == 2 && c.nc == 0, "armv7 rc, %zu ranges %zu corrupt",
	      c.n, c.nc);
	CHECK(c.n == 2 && c.r[0].va == 0x110000 && c.r[0].pa == 0x90000 && c.r[0].size == 0x10000 &&
		      c.r[0].leaf_size == 0x10000 && c.r[0].flags & PT_EXECUTE,
	      "armv7 large page");
	CHECK(c.n == 2 && c.r[1].va == 0x2000000 && c.r[1].pa == 0x2000000 &&
		      c.r[1].size == 0x1000000 && c.r[1].leaf_size == 0x1000000 &&
		      !(c.r[1].flags & PT_EXECUTE) && !(c.r[1].flags & PT_GLOBAL),
	      "armv7 supersection");
	CHECK(st.leaves[16] == 1 && st.leaves[24] == 1, "one leaf each, not 16");
	CHECK(c.n == 2 && strcmp(attrs_of(&cfg, &c.r[0]), "LARGE TEX=001 C B") == 0 &&
		      strcmp(attrs_of(&cfg, &c.r[1]), "nG SUPER TEX=001 C B") == 0,
	      "armv7 attrs '%s' / '%s'", c.n ? attrs_of(&cfg, &c.r[0]) : "", "");
	/* TEX remap with Linux's PRRR/NMRR: TR for TEX[0]:C:B = 111 is n7. */
	cfg.controls_set = true;
	cfg.controls = PT_CTL_TRE;
	cfg.attrs = UINT64_C(0xff0a81a8) | UINT64_C(0x40e040e0) << 32;
	free(c.r);
	memset(&c, 0, sizeof(c));
	CHECK(walk_cfg(img, &cfg, &c, &st) == 0 && c.n == 2 &&
		      strstr(attrs_of(&cfg, &c.r[0]), "TR7=NORM/WBWA/WBWA"),
	      "armv7 TRE '%s'", c.n ? attrs_of(&cfg, &c.r[0]) : "");
	free(c.r);

	/* RISC-V Svnapot: 16 copies of a 4K leaf with N and PPN[3:0] = 1000. */
	memset(img, 0, NB);
	memset(&c, 0, sizeof(c));
	put_pte(img, 0, ((BASE + 0x1000) >> 12) << 10 | 1, 8);
	put_pte(img, 0x1000, ((BASE + 0x2000) >> 12) << 10 | 1, 8);
	for (int i = 0; i < 16; i++)
		put_pte(img, 0x2000 + 8 * (16 + (uint64_t)i),
			((UINT64_C(0x80000) | 8) << 10) | (UINT64_C(1) << 63) | 0xc7 | 0x20, 8);
	cfg = (struct ptd_config){ .arch = PT_RISCV_SV39, .root = BASE, .va_hi = UINT64_MAX };
	CHECK(walk_cfg(img, &cfg, &c, &st) == 0 && c.n == 1 && c.r[0].va == 0x10000 &&
		      c.r[0].pa == 0x80000000 && c.r[0].size == 0x10000 && c.r[0].leaf_size == 0x10000,
	      "svnapot 64K: n %zu nc %zu", c.n, c.nc);
	CHECK(c.n == 1 && strcmp(attrs_of(&cfg, &c.r[0]), "G A D N") == 0, "svnapot attrs '%s'",
	      c.n ? attrs_of(&cfg, &c.r[0]) : "");
	free(c.r);

	/* LoongArch with Linux's directory entries: direct-map VAs. */
	memset(img, 0, NB);
	memset(&c, 0, sizeof(c));
	{
		const uint64_t dmw = UINT64_C(0x9000000000000000);
		put_pte(img, 0, dmw | (BASE + 0x1000), 8);
		put_pte(img, 0x1000, dmw | (BASE + 0x2000), 8);
		put_pte(img, 0x2000, dmw | (BASE + 0x3000), 8);
		/* V D PLV3 MAT=CC G P W */
		put_pte(img, 0x3000 + 8 * 5, 0x800000 | 1 | 2 | 0xc | 0x10 | 0x40 | 0x80 | 0x100, 8);
		cfg = (struct ptd_config){ .arch = PT_LOONGARCH64, .root = BASE, .va_hi = UINT64_MAX };
		CHECK(walk_cfg(img, &cfg, &c, &st) == 1 && c.n == 0, "loongarch VAs without dir-mask");
		free(c.r);
		memset(&c, 0, sizeof(c));
		cfg.dir_mask = UINT64_C(0x0000fffffffff000);
		CHECK(walk_cfg(img, &cfg, &c, &st) == 0 && c.n == 1 && c.r[0].va == 0x5000 &&
			      c.r[0].pa == 0x800000,
		      "loongarch dir-mask");
		CHECK(c.n == 1 && strcmp(attrs_of(&cfg, &c.r[0]), "V D G PLV3 MAT=CC") == 0,
		      "loongarch attrs '%s'", c.n ? attrs_of(&cfg, &c.r[0]) : "");
		free(c.r);
	}
	/* Stage 2 leaves in encodings libpt never writes, named from the
	 * manuals: EPT write-combining with IPAT, A, D and suppress-#VE;
	 * AArch64 stage-2 1G blocks, Normal non-cacheable, read-only, XN
	 * 0b10, and outer non-cacheable, inner write-back (normal); a G-stage 1G leaf, and one with Svpbmt's IO (reserved
	 * there). */
	memset(img, 0, NB);
	memset(&c, 0, sizeof(c));
	put_pte(img, 0, (BASE + 0x1000) | 7, 8);
	put_pte(img, 0x1000 + 8, 0x40000000 | 7 | 1 << 3 | 1 << 6 | 0x80 | 3 << 8 | UINT64_C(1) << 63, 8);
	cfg = (struct ptd_config){ .arch = PT_X86_64_EPT, .features = PT_FEAT_EPT_AD, .root = BASE,
				   .va_hi = UINT64_MAX };
	CHECK(walk_cfg(img, &cfg, &c, &st) == 0 && c.n == 1 && c.r[0].va == UINT64_C(1) << 30 &&
		      c.r[0].flags == (PT_READ | PT_WRITE | PT_EXECUTE | PT_WC),
	      "ept WC leaf: n %zu", c.n);
	CHECK(c.n == 1 && strcmp(attrs_of(&cfg, &c.r[0]), "IPAT A D SVE MT=WC") == 0, "ept attrs '%s'",
	      c.n ? attrs_of(&cfg, &c.r[0]) : "");
	free(c.r);
	memset(img, 0, NB);
	memset(&c, 0, sizeof(c));
	put_pte(img, 8 * 2, 0x80000000 | 1 | 5 << 2 | 1 << 6 | 3 << 8 | 1 << 10 | UINT64_C(2) << 53, 8);
	put_pte(img, 8 * 4, 0x40000000 | 1 | 7 << 2 | 3 << 6 | 2 << 8 | 1 << 10, 8);
	cfg = (struct ptd_config){ .arch = PT_AARCH64_S2, .root = BASE, .va_hi = UINT64_MAX };
	CHECK(walk_cfg(img, &cfg, &c, &st) == 0 && c.n == 2 && c.r[0].va == UINT64_C(2) << 30 &&
		      c.r[0].flags == (PT_READ | PT_UNCACHED) && c.r[1].va == UINT64_C(4) << 30 &&
		      c.r[1].flags == (PT_READ | PT_WRITE | PT_EXECUTE),
	      "s2 blocks: n %zu flags %#x", c.n, c.n ? c.r[0].flags : 0);
	CHECK(c.n == 2 && strcmp(attrs_of(&cfg, &c.r[0]), "AF ISH XN=2 MemAttr=Normal-ONC-INC") == 0 &&
		      strcmp(attrs_of(&cfg, &c.r[1]), "AF OSH MemAttr=Normal-ONC-IWB") == 0,
	      "s2 attrs '%s' '%s'", c.n ? attrs_of(&cfg, &c.r[0]) : "",
	      c.n > 1 ? attrs_of(&cfg, &c.r[1]) : "");
	free(c.r);
	memset(img, 0, NB);
	memset(&c, 0, sizeof(c));
	put_pte(img, 8 * 3, (UINT64_C(0xc0000000) >> 12) << 10 | 0xdf | 1 << 8, 8);
	put_pte(img, 8 * 4, (UINT64_C(0x100000000) >> 12) << 10 | 0xdf | UINT64_C(2) << 61, 8);
	cfg = (struct ptd_config){ .arch = PT_RISCV_SV39X4, .root = BASE, .va_hi = UINT64_MAX };
	CHECK(walk_cfg(img, &cfg, &c, &st) == 1 && c.n == 1 && c.r[0].va == UINT64_C(3) << 30 &&
		      c.r[0].pa == 0xc0000000 && c.nc == 1 && c.c[0].index == 4,
	      "sv39x4 leaves: n %zu nc %zu", c.n, c.nc);
	CHECK(c.n == 1 && strcmp(attrs_of(&cfg, &c.r[0]), "U A D SW8") == 0, "sv39x4 attrs '%s'",
	      c.n ? attrs_of(&cfg, &c.r[0]) : "");
	free(c.r);
	free(img);
	group_end("regime (effective permissions, foreign encodings, attributes)");
}

/* ---- Lint and diff -------------------------------------------------------- */

struct found {
	struct ptd_finding f[16];
	unsigned n;
};

static void on_finding(void *arg, const struct ptd_finding *f)
{
	struct found *x = arg;
	if (x->n < 16)
		x->f[x->n] = *f;
	x->n++;
}

struct changes {
	struct ptd_change c[16];
	unsigned n;
};

static void on_change(void *arg, const struct ptd_change *c)
{
	struct changes *x = arg;
	if (x->n < 16)
		x->c[x->n] = *c;
	x->n++;
}

void lint_diff(void)
{
	unsigned char *img = calloc(1, NB), *img2 = calloc(1, NB);
	struct ptd_config cfg = { .arch = PT_X86_64, .root = BASE, .va_hi = UINT64_MAX };
	struct collect c = { 0 }, c2 = { 0 };
	struct ptd_stats st;
	struct found fd = { 0 };
	g_ctx = "lint/diff";
	struct changes ch = { 0 };
	const uint64_t hi = UINT64_C(0x8000000000);
	unsigned long n;
	x86_image(img);
	walk_cfg(img, &cfg, &c, &st);
	n = ptd_lint(c.r, c.n, on_finding, &fd);
	CHECK(n == 4 && fd.n == 4, "lint findings %lu", n);
	CHECK(fd.n == 4 && fd.f[0].kind == PTD_LINT_WX && fd.f[0].r.va == hi &&
		      fd.f[1].kind == PTD_LINT_USER_GLOBAL && fd.f[1].r.va == hi + 0x1000 &&
		      fd.f[2].kind == PTD_LINT_EXEC_DEVICE && fd.f[2].r.va == hi + 0x2000 &&
		      fd.f[3].kind == PTD_LINT_W_ALIAS && fd.f[3].r.va == hi + 0x4000 &&
		      fd.f[3].other.va == hi + 0x3000 && fd.f[3].r.pa == 0x700000,
	      "lint kinds and VAs");
	/* Diff: one page remapped, one unmapped, one added, one made RO. */
	memcpy(img2, img, NB);
	put_pte(img2, 0x3000 + 8 * 1, 0x510000 | P | RW | US | A | D, 8);
	put_pte(img2, 0x3000 + 8 * 2, 0, 8);
	put_pte(img2, 0x3000 + 8 * 9, 0x509000 | P | A, 8);
	put_pte(img2, 0x6000 + 8 * 0, 0x600000 | P | A | D, 8);
	walk_cfg(img2, &cfg, &c2, &st);
	n = ptd_diff(c.r, c.n, c2.r, c2.n, on_change, &ch);
	CHECK(n == 4 && ch.n == 4, "diff changes %lu", n);
	CHECK(ch.n == 4 && ch.c[0].kind == PTD_DIFF_CHANGED && ch.c[0].old_r.pa == 0x500000 &&
		      ch.c[0].new_r.pa == 0x510000 && ch.c[1].kind == PTD_DIFF_REMOVED &&
		      ch.c[1].old_r.va == 0x2000 && ch.c[2].kind == PTD_DIFF_ADDED &&
		      ch.c[2].new_r.va == 0x9000 && ch.c[3].kind == PTD_DIFF_CHANGED &&
		      ch.c[3].old_r.flags != ch.c[3].new_r.flags,
	      "diff kinds");
	CHECK(ptd_diff(c.r, c.n, c.r, c.n, NULL, NULL) == 0, "an image against itself");
	CHECK(ptd_diff(c.r, c.n, NULL, 0, NULL, NULL) == c.n, "everything removed");
	free(c.r);
	free(c2.r);
	/* The command line: exit statuses of --lint and --diff. */
	{
		char *p1 = write_image(img, NB), *p2 = write_image(img2, NB), *out, *err;
		char *lint[] = { "ptdump", "--arch", "x86_64", "--root", "0x100000", "--base",
				 "0x100000", "--lint", p1, NULL };
		char *diff[] = { "ptdump", "--arch", "x86_64", "--root", "0x100000", "--base",
				 "0x100000", "--diff", p1, p2, NULL };
		char *same[] = { "ptdump", "--arch", "x86_64", "--root", "0x100000", "--base",
				 "0x100000", "--diff", p1, p1, NULL };
		CHECK(run_main(lint, &out, NULL) == PTD_EXIT_LINT && strstr(out, "lint wx ") &&
			      strstr(out, "lint w-alias ") && strstr(out, "  executable at   0x0000008000003000"),
		      "--lint output:\n%s", out);
		free(out);
		CHECK(run_main(diff, &out, &err) == 1 && strstr(out, "< 0x0000000000001000") &&
			      strstr(out, "> 0x0000000000001000") && strstr(out, "- 0x0000000000002000") &&
			      strstr(out, "+ 0x0000000000009000"),
		      "--diff output:\n%s", out);
		free(out);
		free(err);
		CHECK(run_main(same, &out, NULL) == 0 && !strchr(out, '<'), "--diff of one image");
		free(out);
		unlink(p1);
		unlink(p2);
		free(p1);
		free(p2);
	}
	free(img);
	free(img2);
	group_end("lint and diff");
}

/* ---- Regime options on the command line ---------------------------------- */

void options(void)
{
	unsigned char *img = calloc(1, NB);
	char *path, *out, *err;
	struct {
		const char *arch, *opt, *val, *want;
	} bad[] = {
		{ "x86_64", "--ctl", "nxe,bogus", "unknown control in --ctl" },
		{ "x86_64", "--ctl", "nxe,", "unknown control in --ctl" },
		{ "x86_64", "--ctl", "pan", "control pan does not apply to x86_64" },
		{ "aarch64", "--ctl", "smep,ha", "control smep does not apply" },
		{ "x86_64", "--attrs", "0x0007050600070203", "PAT entry 0 is 0x03" },
		{ "x86_64", "--pat", "0xff", "PAT entry 0 is 0xff" },
		{ "aarch64", "--attrs", "0x0000000000000007", "MAIR Attr0 is 0x07" },
		{ "aarch64", "--mair", "0x30ff", "MAIR Attr1 is 0x30" },
		{ "riscv_sv39", "--attrs", "1", "has no memory-attribute register" },
		{ "armv7", "--attrs", "0xff0a81a8", "read only with TEX remap" },
		{ "x86_64", "--dir-mask", "0xfff000", "applies to loongarch64 only" },
		{ "x86_64", "--sctlr", "0", "--sctlr does not apply to x86_64" },
		{ "riscv_sv39", "--cr0", "0", "--cr0 does not apply" },
		{ "riscv_sv39", "--ctl", "ha", "both ha and hd" },
		{ "x86_64", "--attrs", "garbage", "bad --attrs" },
		{ "x86_64", "--cr4", "0x10000000000000000", "bad register value" },
		{ "aarch64_s2", "--ctl", "mxr", "control mxr does not apply to aarch64_s2" },
		{ "aarch64_s2", "--attrs", "0xff", "has no memory-attribute register" },
		{ "riscv_sv39x4", "--ctl", "hd", "both ha and hd" },
		{ "sv48x4", "--ctl", "sum", "control sum does not apply" },
		{ "x86_64_ept", "--ctl", "ha", "control ha does not apply to x86_64_ept" },
		{ "x86_64_ept", "--vtcr", "0", "--vtcr does not apply to x86_64_ept" },
		{ "x86_64", "--eptp", "0x5e", "--eptp applies to x86_64_ept" },
		{ "aarch64", "--henvcfg", "0", "--henvcfg does not apply" },
	};
	g_ctx = "options";
	put_pte(img, 0, (BASE + 0x1000) | P | RW | US | XD, 8);
	path = write_image(img, NB);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *argv[] = { "ptdump", "--arch", (char *)bad[i].arch, "--root", "0x100000", "--base",
				 "0x100000", (char *)bad[i].opt, (char *)bad[i].val, path, NULL };
		char *armv[] = { "ptdump", "--arch", "armv7", "--root", "0x100000", "--base", "0x100000",
				 "--ctl", "tre", "--attrs", "0xff0a81ab", path, NULL };
		int rc = run_main(argv, &out, &err);
		CHECK(rc == PTD_EXIT_USAGE && strstr(err, bad[i].want), "%s %s %s: rc %d, err %s",
		      bad[i].arch, bad[i].opt, bad[i].val, rc, err);
		free(out);
		free(err);
		if (i == 0) {
			rc = run_main(armv, &out, &err);
			CHECK(rc == PTD_EXIT_USAGE && strstr(err, "PRRR TR0 is 0b11"), "prrr: %s", err);
			free(out);
			free(err);
		}
	}
	/* Register-shaped options set the controls they hold: EFER without
	 * NXE makes the XD root entry reserved; CR0, CR4 leave NXE alone. */
	{
		char *efer[] = { "ptdump", "--arch", "x86_64", "--root", "0x100000", "--base", "0x100000",
				 "--efer", "0x500", path, NULL };
		char *cr[] = { "ptdump", "--arch", "x86_64", "--root", "0x100000", "--base", "0x100000",
			       "--cr0", "0x80010033", "--cr4", "0x3006f0", path, NULL };
		g_raw_header = true;
		CHECK(run_main(efer, &out, NULL) == PTD_EXIT_CORRUPT &&
			      strstr(out, "# regime: controls wp\n"),
		      "--efer without NXE:\n%s", out);
		free(out);
		CHECK(run_main(cr, &out, NULL) == PTD_EXIT_CLEAN &&
			      strstr(out, "# regime: controls nxe,wp,smep,smap\n"),
		      "--cr0/--cr4:\n%s", out);
		free(out);
		g_raw_header = false;
	}
	/* Stage 2: VTCR_EL2.HA/HD; henvcfg.ADUE and the HS-level
	 * sstatus.MXR for the G-stage; EPTP bit 6 for EPT's A/D flags. */
	{
		char *s2[] = { "ptdump", "--arch", "aarch64_s2", "--root", "0x100000", "--base",
			       "0x100000", "--vtcr", "0x200000", "--ctl", "hd", path, NULL };
		char *s2ctl[] = { "ptdump", "--arch", "aarch64_s2", "--root", "0x100000", "--base",
				  "0x100000", "--ctl", "ha,hd", path, NULL };
		char *rvg[] = { "ptdump", "--arch", "sv39x4", "--root", "0x100000", "--base", "0x100000",
				"--henvcfg", "0x2000000000000000", "--sstatus", "0x80000", path, NULL };
		char *ept[] = { "ptdump", "--arch", "ept", "--root", "0x100000", "--base", "0x100000",
				"--eptp", "0x10005e", path, NULL };
		g_raw_header = true;
		CHECK(run_main(s2, &out, NULL) == PTD_EXIT_CLEAN && strstr(out, "# regime: controls ha\n"),
		      "--vtcr after --ctl:\n%s", out);
		free(out);
		CHECK(run_main(s2ctl, &out, NULL) == PTD_EXIT_CLEAN &&
			      strstr(out, "# regime: controls ha,hd\n"),
		      "aarch64_s2 --ctl ha,hd:\n%s", out);
		free(out);
		CHECK(run_main(rvg, &out, NULL) != PTD_EXIT_USAGE &&
			      strstr(out, "# regime: controls ha,hd,mxr\n"),
		      "--henvcfg --sstatus:\n%s", out);
		free(out);
		CHECK(run_main(ept, &out, NULL) == PTD_EXIT_CLEAN &&
			      strstr(out, "# x86_64_ept +ad root 0x100000"),
		      "--eptp:\n%s", out);
		free(out);
		g_raw_header = false;
	}
	{
		uint64_t owned, set;
		CHECK(ptd_register_controls(PT_AARCH64_S2, 0, "vtcr", UINT64_C(3) << 21, &owned, &set) ==
				      0 && set == (PT_CTL_HA | PT_CTL_HD) && owned == set,
		      "VTCR_EL2 HA, HD");
		CHECK(ptd_register_controls(PT_RISCV_SV57X4, 0, "sstatus", UINT64_C(3) << 18, &owned,
					    &set) == 0 && set == PT_CTL_MXR && owned == PT_CTL_MXR,
		      "G-stage: sstatus.MXR, not SUM");
		CHECK(ptd_default_controls(PT_AARCH64_S2) == (PT_CTL_HA | PT_CTL_HD) &&
			      ptd_default_controls(PT_RISCV_SV48X4) == (PT_CTL_HA | PT_CTL_HD) &&
			      ptd_default_controls(PT_X86_64_EPT) == 0,
		      "stage 2 defaults: libpt's own regime");
		CHECK(ptd_register_controls(PT_AARCH64, PT_FEAT_AARCH64_HIGH, "tcr",
					    UINT64_C(1) << 42 | UINT64_C(1) << 39, &owned, &set) == 0 &&
			      set == (PT_CTL_HA | PT_CTL_HPD),
		      "TCR_EL1 HA, HPD1 for the high half");
		CHECK(ptd_register_controls(PT_AARCH64, 0, "tcr", UINT64_C(1) << 42, &owned, &set) == 0 &&
			      set == 0 && (owned & PT_CTL_HPD),
		      "HPD1 does not apply to TTBR0");
		CHECK(ptd_register_controls(PT_RISCV_SV48, 0, "menvcfg", UINT64_C(1) << 61, &owned,
					    &set) == 0 && set == (PT_CTL_HA | PT_CTL_HD),
		      "menvcfg.ADUE");
	}
	unlink(path);
	free(path);
	free(img);
	group_end("regime options");
}

void regime(void)
{
	g_ctx = "regime";
	effective();
	foreign();
}
