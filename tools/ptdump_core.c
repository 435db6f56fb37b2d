/* SPDX-License-Identifier: MIT */
/*
 * ptdump core: geometry, the image (mapped, guarded, read once per entry),
 * the regime, the walker and the coalescer. See ptdump_core.h for the contract and tools/ptdump.1 for
 * the user's view.
 */
#include "ptdump_core.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define FRAME UINT64_C(4096)

/* ---- Geometry ------------------------------------------------------------ */

int ptd_geom(enum pt_arch a, struct ptd_geom *g)
{
	return ptd_geom_bits(a, 0, g);
}

int ptd_geom_bits(enum pt_arch a, unsigned va_bits, struct ptd_geom *g)
{
	const struct pt_arch_info *in = pt_arch_info(a);
	/* ARMv7 short descriptors are the one format with 4-byte entries and
	 * 1 KiB second-level tables; every other format has 4 KiB
	 * tables of 8-byte entries below the root. */
	bool v7 = a == PT_ARMV7;
	/* AArch64 stage 1: the granule is the page and every table below the
	 * root (4, 16 or 64 KiB). */
	const bool a64 = a == PT_AARCH64 || a == PT_AARCH64_16K || a == PT_AARCH64_64K;
	const unsigned pg = a == PT_AARCH64_16K ? 14 : a == PT_AARCH64_64K ? 16 : 12;
	unsigned shift = pg, bits, levels, width;
	if (!in || in->levels == 0 || in->levels > PT_MAX_LEVELS)
		return -1;
	levels = in->levels;
	width = in->va_bits;
	if (va_bits && va_bits != in->va_bits) {
		if (a64) {
			/* The Arm ARM's initial lookup level for TxSZ = 64 -
			 * va_bits: pg - 3 bits a level, the root takes the rest
			 * (4K from 25 bits, 16K from 26, 64K from 30, to 48). */
			if (va_bits < (pg == 12 ? 25u : pg == 14 ? 26u : 30u) || va_bits > 48)
				return -1;
			width = va_bits;
			levels = (va_bits - 4) / (pg - 3);
		} else {
			/* A stage 2 starts at the lowest level whose table,
			 * concatenated up to 16 times, covers the IPA (Arm ARM;
			 * KVM does the same): 9 bits per level below the root,
			 * 13 at most in it. */
			if (a != PT_AARCH64_S2 || va_bits < 32 || va_bits > 48)
				return -1;
			width = va_bits;
			levels = (va_bits - 12 - 13 + 8) / 9 + 1;
		}
	}
	memset(g, 0, sizeof(*g));
	g->levels = levels;
	g->pte_bytes = v7 ? 4 : 8;
	for (unsigned l = levels - 1; l > 0; l--) {
		g->table_bytes[l] = v7 ? 1024 : UINT64_C(1) << pg;
		g->entries[l] = (size_t)(g->table_bytes[l] / g->pte_bytes);
		g->shift[l] = shift;
		for (bits = 0; (UINT64_C(1) << bits) < g->entries[l]; bits++)
			;
		shift += bits;
	}
	if (shift >= width)
		return -1;
	/* The root indexes whatever VA bits the lower levels leave over. */
	g->shift[0] = shift;
	g->entries[0] = (size_t)1 << (width - shift);
	g->table_bytes[0] = (uint64_t)g->entries[0] * g->pte_bytes;
	/* A format whose VAs are sign-extended rejects the top VA bit alone;
	 * AArch64 and ARMv7 accept it (lower half / 32-bit space). */
	g->sign_extend = !pt_va_valid(a, UINT64_C(1) << (in->va_bits - 1));
	return 0;
}

/* ---- Parsing ------------------------------------------------------------- */

static const struct {
	const char *name;
	enum pt_arch arch;
} arch_alias[] = {
	{ "x86-64", PT_X86_64 },       { "x86", PT_X86_64 },
	{ "la57", PT_X86_64_LA57 },    { "arm64", PT_AARCH64 },
	{ "sv39", PT_RISCV_SV39 },     { "sv48", PT_RISCV_SV48 },
	{ "sv57", PT_RISCV_SV57 },     { "loongarch", PT_LOONGARCH64 },
	{ "armv7-a", PT_ARMV7 },       { "arm", PT_ARMV7 },
	{ "ept", PT_X86_64_EPT },      { "ept5", PT_X86_64_EPT5 },
	{ "sv39x4", PT_RISCV_SV39X4 }, { "sv48x4", PT_RISCV_SV48X4 },
	{ "sv57x4", PT_RISCV_SV57X4 },
};

int ptd_parse_arch(const char *s, enum pt_arch *a)
{
	for (unsigned i = 0; i < PT_ARCH_COUNT; i++) {
		const struct pt_arch_info *in = pt_arch_info((enum pt_arch)i);
		if (in && strcmp(in->name, s) == 0) {
			*a = (enum pt_arch)i;
			return 0;
		}
	}
	for (size_t i = 0; i < sizeof(arch_alias) / sizeof(arch_alias[0]); i++)
		if (strcmp(arch_alias[i].name, s) == 0) {
			*a = arch_alias[i].arch;
			return 0;
		}
	return -1;
}

int ptd_parse_features(const char *s, unsigned *features)
{
	static const struct {
		const char *name;
		unsigned bit;
	} names[] = { { "el2", PT_FEAT_AARCH64_EL2 },
		      { "high", PT_FEAT_AARCH64_HIGH },
		      { "svpbmt", PT_FEAT_RISCV_SVPBMT },
		      { "xuantie", PT_FEAT_RISCV_XUANTIE },
		      { "ad", PT_FEAT_EPT_AD },
		      { "pa52", PT_FEAT_AARCH64_PA52 },
		      { "va52", PT_FEAT_AARCH64_VA52 },
		      { "svnapot", PT_FEAT_RISCV_SVNAPOT } };
	unsigned f = 0;
	while (*s) {
		size_t n = strcspn(s, ","), i;
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (strlen(names[i].name) == n && strncmp(names[i].name, s, n) == 0)
				break;
		if (n && i == sizeof(names) / sizeof(names[0]))
			return -1;
		if (n)
			f |= names[i].bit;
		s += n;
		if (*s == ',')
			s++;
	}
	*features = f;
	return 0;
}

/* ---- Image access -------------------------------------------------------- */

/*
 * [pa, pa + bytes) is readable when every 4 KiB frame it touches lies wholly
 * inside the image: the rule pt_access's phys_to_virt applies, so the
 * walker and --translate never disagree on what is reachable.
 */
static bool in_image(const struct ptd_image *img, uint64_t pa, uint64_t bytes)
{
	uint64_t first = pa & ~(FRAME - 1), end;
	if (bytes == 0 || pa + bytes < pa || pa + bytes + FRAME < pa + bytes)
		return false;
	end = (pa + bytes + FRAME - 1) & ~(FRAME - 1);
	return first >= img->base && end - img->base <= img->len;
}

/*
 * One entry, read once: a single aligned load (tables are aligned, so is
 * every entry), never re-read, so an image that changes meanwhile gives
 * one value, old or new, and no decision is made on two different reads.
 * The caller checked the table's bounds. Entries are little-endian.
 */
static uint64_t read_pte(const struct ptd_image *img, uint64_t pa, unsigned bytes)
{
	const unsigned char *p = img->data + (size_t)(pa - img->base);
	uint64_t v = bytes == 8 ? __atomic_load_n((const uint64_t *)(const void *)p, __ATOMIC_RELAXED)
				: __atomic_load_n((const uint32_t *)(const void *)p, __ATOMIC_RELAXED);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = bytes == 8 ? __builtin_bswap64(v) : __builtin_bswap32((uint32_t)v);
#endif
	return v;
}

static void *image_phys_to_virt(void *ctx, uint64_t pa)
{
	const struct ptd_image *img = ctx;
	if ((pa & (FRAME - 1)) || !in_image(img, pa, FRAME))
		return NULL;
	/* pt_access only reads through this pointer. */
	return (void *)(uintptr_t)(img->data + (size_t)(pa - img->base));
}

void ptd_mm(const struct ptd_image *img, struct pt_mm *mm)
{
	memset(mm, 0, sizeof(*mm));
	mm->phys_to_virt = image_phys_to_virt;
	mm->ctx = (void *)(uintptr_t)img;
}

int ptd_load_image(const char *path, uint64_t base, struct ptd_image *img, FILE *err)
{
	struct stat sb;
	size_t page = (size_t)sysconf(_SC_PAGESIZE), len, span;
	unsigned char *area;
	void *p;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(err, "ptdump: %s: %s\n", path, strerror(errno));
		return PTD_EXIT_USAGE;
	}
	if (fstat(fd, &sb) || !S_ISREG(sb.st_mode) || sb.st_size <= 0) {
		fprintf(err, "ptdump: %s: not a non-empty regular file\n", path);
		close(fd);
		return PTD_EXIT_USAGE;
	}
	if ((uint64_t)sb.st_size > SIZE_MAX / 2 || base + (uint64_t)sb.st_size < base) {
		fprintf(err, "ptdump: %s: image too large for --base 0x%" PRIx64 "\n", path, base);
		close(fd);
		return PTD_EXIT_USAGE;
	}
	len = (size_t)sb.st_size;
	span = (len + page - 1) / page * page;
	/* Reserve the image and a guard page on each side, then map the file
	 * over the middle: shared, so a guest's RAM is seen as it changes. */
	area = mmap(NULL, span + 2 * page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (area == MAP_FAILED) {
		fprintf(err, "ptdump: %s: mmap: %s\n", path, strerror(errno));
		close(fd);
		return PTD_EXIT_USAGE;
	}
	p = mmap(area + page, len, PROT_READ, MAP_SHARED | MAP_FIXED, fd, 0);
	close(fd);
	if (p == MAP_FAILED) {
		fprintf(err, "ptdump: %s: mmap: %s\n", path, strerror(errno));
		munmap(area, span + 2 * page);
		return PTD_EXIT_USAGE;
	}
	img->data = p;
	img->len = len;
	img->base = base;
	return 0;
}

void ptd_unload_image(struct ptd_image *img)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t span = (img->len + page - 1) / page * page;
	if (img->data)
		munmap((void *)(uintptr_t)(img->data - page), span + 2 * page);
	img->data = NULL;
}

/* ---- Regime -------------------------------------------------------------- */

uint64_t ptd_default_controls(enum pt_arch a)
{
	switch (a) {
	case PT_X86_64:
	case PT_X86_64_LA57:
		return PT_CTL_NXE | PT_CTL_WP;
	case PT_AARCH64:
	case PT_RISCV_SV39:
	case PT_RISCV_SV48:
	case PT_RISCV_SV57:
	case PT_AARCH64_S2:
	case PT_RISCV_SV39X4:
	case PT_RISCV_SV48X4:
	case PT_RISCV_SV57X4:
		return PT_CTL_HA | PT_CTL_HD;
	default:
		return 0;
	}
}

void ptd_regime(const struct ptd_config *cfg, struct pt_regime *r)
{
	memset(r, 0, sizeof(*r));
	r->arch = cfg->arch;
	r->features = cfg->features;
	r->va_bits = cfg->va_bits;
	r->root = cfg->root;
	r->attrs = cfg->attrs;
	r->controls = cfg->controls_set ? cfg->controls : ptd_default_controls(cfg->arch);
	r->dir_mask = cfg->dir_mask;
}

int ptd_translate(const struct ptd_image *img, const struct ptd_config *cfg, uint64_t va,
		  struct pt_mapping *out)
{
	struct pt_mm mm;
	struct pt_regime r;
	struct pt_fault f;
	int e;
	ptd_mm(img, &mm);
	ptd_regime(cfg, &r);
	e = pt_access(&r, &mm, va, 0, out, &f);
	if (e != PT_ERR_FAULT)
		return e;
	if (f.kind == PT_FAULT_ADDRESS)
		return PT_ERR_INVALID;
	return f.kind == PT_FAULT_NOT_PRESENT ? PT_ERR_NOT_MAPPED : PT_ERR_CORRUPT;
}

int ptd_check(const struct ptd_image *img, const struct ptd_config *cfg, char *err,
	      size_t errlen)
{
	struct ptd_geom g;
	struct pt_entry e;
	if (ptd_geom(cfg->arch, &g)) {
		snprintf(err, errlen, "unknown architecture");
		return PTD_EXIT_USAGE;
	}
	if (ptd_geom_bits(cfg->arch, cfg->va_bits, &g)) {
		snprintf(err, errlen, "--va-bits %u not valid for %s", cfg->va_bits,
			 pt_arch_info(cfg->arch)->name);
		return PTD_EXIT_USAGE;
	}
	/* Decoding an empty entry is the pure API's way to ask whether these
	 * features belong to this format. */
	if (pt_pte_decode(cfg->arch, cfg->features, 0, 0, &e) == PT_ERR_INVALID) {
		snprintf(err, errlen, "features not valid for %s", pt_arch_info(cfg->arch)->name);
		return PTD_EXIT_USAGE;
	}
	if (ptd_check_regime(cfg, err, errlen))
		return PTD_EXIT_USAGE;
	if (!img->data || img->len == 0 || img->base + img->len < img->base) {
		snprintf(err, errlen, "empty image, or image wraps the address space");
		return PTD_EXIT_USAGE;
	}
	if ((cfg->root & (g.table_bytes[0] - 1)) || !pt_pa_valid(cfg->arch, cfg->root)) {
		snprintf(err, errlen, "root 0x%" PRIx64 " not aligned to %" PRIu64 " bytes or too wide",
			 cfg->root, g.table_bytes[0]);
		return PTD_EXIT_USAGE;
	}
	if (!in_image(img, cfg->root, g.table_bytes[0])) {
		snprintf(err, errlen,
			 "root table [0x%" PRIx64 ", +0x%" PRIx64 ") not inside the image "
			 "[0x%" PRIx64 ", 0x%" PRIx64 ")",
			 cfg->root, g.table_bytes[0], img->base, img->base + img->len);
		return PTD_EXIT_USAGE;
	}
	if (cfg->va_lo > cfg->va_hi) {
		snprintf(err, errlen, "empty VA range");
		return PTD_EXIT_USAGE;
	}
	return PTD_EXIT_CLEAN;
}

/* ---- Walker -------------------------------------------------------------- */

struct walker {
	const struct ptd_image *img;
	const struct ptd_config *cfg;
	const struct ptd_sink *sink;
	struct ptd_stats *st;
	struct ptd_geom g;
	struct pt_regime r;
	struct pt_mm mm;
	unsigned long visits, max;
	bool capped;     /* the visit cap was reported */
	bool nomem;
	/* Table PAs seen so far (stored +1 so 0 means empty): open addressing. */
	uint64_t *seen;
	size_t seen_cap, seen_n;
	bool have;       /* cur holds a range not sent yet */
	struct ptd_range cur;
};

static size_t hash_pa(uint64_t pa, size_t cap)
{
	return (size_t)((pa * UINT64_C(0x9e3779b97f4a7c15)) >> 20) & (cap - 1);
}

/* Record tpa; true if it was seen before. */
static bool seen_before(struct walker *w, uint64_t tpa)
{
	size_t i;
	if (2 * (w->seen_n + 1) > w->seen_cap) {
		size_t ncap = w->seen_cap ? 2 * w->seen_cap : 1024;
		uint64_t *n = calloc(ncap, sizeof(*n));
		if (!n) {
			w->nomem = true;
			return false;
		}
		for (size_t j = 0; j < w->seen_cap; j++) {
			uint64_t k = w->seen[j];
			if (!k)
				continue;
			for (i = hash_pa(k, ncap); n[i]; i = (i + 1) & (ncap - 1))
				;
			n[i] = k;
		}
		free(w->seen);
		w->seen = n;
		w->seen_cap = ncap;
	}
	for (i = hash_pa(tpa + 1, w->seen_cap); w->seen[i]; i = (i + 1) & (w->seen_cap - 1))
		if (w->seen[i] == tpa + 1)
			return true;
	w->seen[i] = tpa + 1;
	w->seen_n++;
	return false;
}

static uint64_t canon(const struct walker *w, uint64_t va)
{
	unsigned bits = w->cfg->va_bits ? w->cfg->va_bits : pt_arch_info(w->cfg->arch)->va_bits;
	uint64_t high = ~((UINT64_C(1) << bits) - 1);
	if (w->g.sign_extend)
		return ((va >> (bits - 1)) & 1) ? va | high : va;
	if (w->cfg->features & PT_FEAT_AARCH64_HIGH)
		return va | high;
	return va;
}

static void flush_range(struct walker *w)
{
	if (w->have && w->sink && w->sink->range)
		w->sink->range(w->sink->arg, &w->cur);
	w->have = false;
}

static void report(struct walker *w, unsigned l, size_t i, uint64_t tpa, uint64_t cva,
		   uint64_t pte, const char *why)
{
	struct ptd_corrupt c = { l, i, tpa, cva, pte, why };
	flush_range(w);
	if (w->sink && w->sink->corrupt)
		w->sink->corrupt(w->sink->arg, &c);
}

/* One leaf entry's part of the address space: [cva, cva + size) at pa, of
 * a leaf of leaf_size bytes. */
static void add_leaf(struct walker *w, uint64_t cva, uint64_t pa, uint64_t size,
		     uint64_t leaf, uint32_t flags, unsigned level, uint64_t attr)
{
	uint64_t last = cva + (size - 1);
	/* Clip to the window: the caller asked about those VAs only. */
	if (cva < w->cfg->va_lo) {
		pa += w->cfg->va_lo - cva;
		cva = w->cfg->va_lo;
	}
	if (last > w->cfg->va_hi)
		last = w->cfg->va_hi;
	size = last - cva + 1;
	if (w->have && w->cur.leaf_size == leaf && w->cur.flags == flags &&
	    w->cur.level == level && w->cur.attr == attr && w->cur.va + w->cur.size == cva &&
	    w->cur.pa + w->cur.size == pa) {
		w->cur.size += size;
		return;
	}
	flush_range(w);
	w->cur = (struct ptd_range){ cva, pa, size, leaf, flags, level, attr };
	w->have = true;
}

/*
 * A leaf entry at level l covering [cva, cva + span). Its flags are the
 * effective ones: pt_access at cva, which reads every level again (once
 * each). If the image changed between the two reads, pt_access's answer
 * is not about this entry: the leaf's own flags are kept and the entry is
 * reported as changed.
 */
static void leaf_entry(struct walker *w, unsigned l, size_t i, uint64_t tpa, uint64_t cva,
		       uint64_t span, uint64_t pte, const struct pt_entry *e)
{
	uint64_t leaf = e->size, off, pa, n = span;
	struct pt_mapping m;
	uint32_t flags = e->flags;
	unsigned lg = 0;
	if (leaf < span)
		n = leaf; /* no format maps less than its span; keep it honest */
	/* A 64K or 16M leaf is written as 16 copies: this copy's part. */
	off = cva & (leaf - 1) & ~(n - 1);
	pa = e->pa + off;
	if (off < span) {
		while (lg < 63 && (UINT64_C(1) << lg) < leaf)
			lg++;
		w->st->leaves[lg]++;
	}
	if (pt_access(&w->r, &w->mm, cva, 0, &m, NULL) == PT_OK && m.pa == pa && m.size == leaf) {
		flags = m.flags;
	} else {
		w->st->changed++;
		report(w, l, i, tpa, cva, pte,
		       "entry changed while being read (leaf's own permissions shown)");
	}
	add_leaf(w, cva, pa, n, leaf, flags, l, ptd_attr_bits(w->cfg, l, pte));
}

/*
 * Walk the table at tpa (level l, raw VA base va0). Recursion depth is at
 * most levels - 1: a table entry is only followed from a level above the
 * last, and decoding refuses table entries at the last level. Each entry
 * is read once.
 */
static void walk_table(struct walker *w, unsigned l, uint64_t tpa, uint64_t va0)
{
	const struct ptd_geom *g = &w->g;
	uint64_t span = UINT64_C(1) << g->shift[l];
	w->st->tables[l]++;
	if (seen_before(w, tpa))
		w->st->revisits++;
	for (size_t i = 0; i < g->entries[l] && !w->nomem; i++) {
		uint64_t va = va0 + ((uint64_t)i << g->shift[l]);
		uint64_t cva = canon(w, va);
		uint64_t pte, nb;
		struct pt_entry e;
		int r;
		if (cva + (span - 1) < w->cfg->va_lo || cva > w->cfg->va_hi)
			continue;
		pte = read_pte(w->img, tpa + i * g->pte_bytes, g->pte_bytes);
		r = pt_regime_decode(&w->r, l, pte, &e);
		if (r == PT_ERR_NOT_MAPPED)
			continue;
		if (r != PT_OK) {
			w->st->corrupt++;
			report(w, l, i, tpa, cva, pte, "reserved encoding");
			continue;
		}
		if (e.leaf) {
			leaf_entry(w, l, i, tpa, cva, span, pte, &e);
			continue;
		}
		if (l + 1 >= g->levels) {
			w->st->corrupt++;
			report(w, l, i, tpa, cva, pte, "table entry at the last level");
			continue;
		}
		nb = g->table_bytes[l + 1];
		if (e.pa & (nb - 1)) {
			w->st->corrupt++;
			report(w, l, i, tpa, cva, pte, "next table misaligned");
			continue;
		}
		if (!in_image(w->img, e.pa, nb)) {
			w->st->corrupt++;
			report(w, l, i, tpa, cva, pte, "next table outside the image");
			continue;
		}
		if (w->visits >= w->max) {
			w->st->skipped++;
			if (!w->capped) {
				w->capped = true;
				report(w, l, i, tpa, cva, pte,
				       "table visit limit reached; this and later tables not walked");
			}
			continue;
		}
		w->visits++;
		walk_table(w, l + 1, e.pa, va);
	}
}

int ptd_walk(const struct ptd_image *img, const struct ptd_config *cfg,
	     const struct ptd_sink *sink, struct ptd_stats *stats)
{
	struct walker w;
	struct ptd_stats local;
	char err[200];
	if (ptd_check(img, cfg, err, sizeof(err)))
		return PTD_EXIT_USAGE;
	memset(&w, 0, sizeof(w));
	if (!stats)
		stats = &local;
	memset(stats, 0, sizeof(*stats));
	w.img = img;
	w.cfg = cfg;
	w.sink = sink;
	w.st = stats;
	w.max = cfg->max_tables ? cfg->max_tables : PTD_DEFAULT_MAX_TABLES;
	ptd_geom_bits(cfg->arch, cfg->va_bits, &w.g);
	ptd_regime(cfg, &w.r);
	ptd_mm(img, &w.mm);
	w.visits = 1;
	walk_table(&w, 0, cfg->root, 0);
	flush_range(&w);
	free(w.seen);
	if (w.nomem)
		return PTD_EXIT_USAGE;
	return stats->corrupt || stats->skipped ? PTD_EXIT_CORRUPT : PTD_EXIT_CLEAN;
}
