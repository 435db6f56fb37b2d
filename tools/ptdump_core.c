/* SPDX-License-Identifier: MIT */
/*
 * ptdump core: the image walker, the coalescer, the printers and the
 * command line. See ptdump_core.h for the contract and tools/ptdump.1 for
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
	const struct pt_arch_info *in = pt_arch_info(a);
	/* ARMv7 short descriptors are the one format with 4-byte entries and
	 * 1 KiB second-level tables; every other format has 4 KiB
	 * tables of 8-byte entries below the root. */
	bool v7 = a == PT_ARMV7;
	unsigned shift = 12, bits;
	if (!in || in->levels == 0 || in->levels > PT_MAX_LEVELS)
		return -1;
	memset(g, 0, sizeof(*g));
	g->levels = in->levels;
	g->pte_bytes = v7 ? 4 : 8;
	for (unsigned l = in->levels - 1; l > 0; l--) {
		g->table_bytes[l] = v7 ? 1024 : 4096;
		g->entries[l] = (size_t)(g->table_bytes[l] / g->pte_bytes);
		g->shift[l] = shift;
		for (bits = 0; (UINT64_C(1) << bits) < g->entries[l]; bits++)
			;
		shift += bits;
	}
	if (shift >= in->va_bits)
		return -1;
	/* The root indexes whatever VA bits the lower levels leave over. */
	g->shift[0] = shift;
	g->entries[0] = (size_t)1 << (in->va_bits - shift);
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
		      { "xuantie", PT_FEAT_RISCV_XUANTIE } };
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

/* A whole unsigned 64-bit number: decimal, 0x hex or 0 octal. */
static int parse_u64(const char *s, uint64_t *v)
{
	char *end;
	unsigned long long x;
	if (!*s || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	x = strtoull(s, &end, 0);
	if (errno || *end)
		return -1;
	*v = (uint64_t)x;
	return 0;
}

/* ---- Image access -------------------------------------------------------- */

/*
 * [pa, pa + bytes) is readable when every 4 KiB frame it touches lies wholly
 * inside the image: the rule pt_translate's phys_to_virt applies, so the
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

/* Little-endian read of one entry; the caller checked the table's bounds. */
static uint64_t read_pte(const struct ptd_image *img, uint64_t pa, unsigned bytes)
{
	const unsigned char *p = img->data + (size_t)(pa - img->base);
	uint64_t v = 0;
	for (unsigned i = bytes; i-- > 0;)
		v = v << 8 | p[i];
	return v;
}

static void *image_phys_to_virt(void *ctx, uint64_t pa)
{
	const struct ptd_image *img = ctx;
	if ((pa & (FRAME - 1)) || !in_image(img, pa, FRAME))
		return NULL;
	/* pt_translate only reads through this pointer. */
	return (void *)(uintptr_t)(img->data + (size_t)(pa - img->base));
}

void ptd_mm(const struct ptd_image *img, struct pt_mm *mm)
{
	memset(mm, 0, sizeof(*mm));
	mm->phys_to_virt = image_phys_to_virt;
	mm->ctx = (void *)(uintptr_t)img;
}

int ptd_translate(const struct ptd_image *img, const struct ptd_config *cfg, uint64_t va,
		  struct pt_mapping *out)
{
	struct pt_mm mm;
	ptd_mm(img, &mm);
	return pt_translate(cfg->arch, cfg->features, cfg->root, &mm, va, out);
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
	/* Decoding an empty entry is the pure API's way to ask whether these
	 * features belong to this format. */
	if (pt_pte_decode(cfg->arch, cfg->features, 0, 0, &e) == PT_ERR_INVALID) {
		snprintf(err, errlen, "features not valid for %s", pt_arch_info(cfg->arch)->name);
		return PTD_EXIT_USAGE;
	}
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
	unsigned bits = pt_arch_info(w->cfg->arch)->va_bits;
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

static void add_leaf(struct walker *w, uint64_t cva, uint64_t pa, uint64_t size, uint32_t flags)
{
	uint64_t last = cva + (size - 1), leaf = size;
	unsigned lg = 0;
	while (lg < 63 && (UINT64_C(1) << lg) < leaf)
		lg++;
	w->st->leaves[lg]++;
	/* Clip to the window: the caller asked about those VAs only. */
	if (cva < w->cfg->va_lo) {
		pa += w->cfg->va_lo - cva;
		cva = w->cfg->va_lo;
	}
	if (last > w->cfg->va_hi)
		last = w->cfg->va_hi;
	size = last - cva + 1;
	if (w->have && w->cur.leaf_size == leaf && w->cur.flags == flags &&
	    w->cur.va + w->cur.size == cva && w->cur.pa + w->cur.size == pa) {
		w->cur.size += size;
		return;
	}
	flush_range(w);
	w->cur.va = cva;
	w->cur.pa = pa;
	w->cur.size = size;
	w->cur.leaf_size = leaf;
	w->cur.flags = flags;
	w->have = true;
}

/*
 * Walk the table at tpa (level l, raw VA base va0). Recursion depth is at
 * most levels - 1: a table entry is only followed from a level above the
 * last, and decoding refuses table entries at the last level.
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
		r = pt_pte_decode(w->cfg->arch, w->cfg->features, l, pte, &e);
		if (r == PT_ERR_NOT_MAPPED)
			continue;
		if (r != PT_OK) {
			w->st->corrupt++;
			report(w, l, i, tpa, cva, pte, "reserved encoding");
			continue;
		}
		if (e.leaf) {
			add_leaf(w, cva, e.pa, e.size, e.flags);
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
	ptd_geom(cfg->arch, &w.g);
	w.visits = 1;
	walk_table(&w, 0, cfg->root, 0);
	flush_range(&w);
	free(w.seen);
	if (w.nomem)
		return PTD_EXIT_USAGE;
	return stats->corrupt || stats->skipped ? PTD_EXIT_CORRUPT : PTD_EXIT_CLEAN;
}

/* ---- Printing ------------------------------------------------------------ */

const char *ptd_perm_str(uint32_t flags, char *buf)
{
	buf[0] = (flags & PT_READ) ? 'r' : '-';
	buf[1] = (flags & PT_WRITE) ? 'w' : '-';
	buf[2] = (flags & PT_EXECUTE) ? 'x' : '-';
	buf[3] = (flags & PT_USER) ? 'u' : '-';
	buf[4] = 0;
	return buf;
}

const char *ptd_memtype_str(uint32_t flags)
{
	if (flags & PT_DEVICE)
		return "device";
	if (flags & PT_WC)
		return "wc";
	return (flags & PT_UNCACHED) ? "uncached" : "normal";
}

const char *ptd_size_str(uint64_t size, char *buf, size_t len)
{
	static const char unit[] = "KMGTPE";
	unsigned u = 0;
	if (size == 0 || (size & 1023)) {
		snprintf(buf, len, "%" PRIu64 "B", size);
		return buf;
	}
	size >>= 10;
	while (u + 1 < sizeof(unit) - 1 && size >= 1024 && !(size & 1023)) {
		size >>= 10;
		u++;
	}
	snprintf(buf, len, "%" PRIu64 "%c", size, unit[u]);
	return buf;
}

/* The exclusive end of [a, a + size): 2^64 when the range reaches the top. */
static const char *end_str(uint64_t a, uint64_t size, char *buf, size_t len)
{
	if (a + size == 0 && size)
		snprintf(buf, len, "0x10000000000000000");
	else
		snprintf(buf, len, "0x%016" PRIx64, a + size);
	return buf;
}

void ptd_print_range(void *printer, const struct ptd_range *r)
{
	const struct ptd_printer *p = printer;
	char perm[5], sz[32], leaf[32], ve[24], pe[24];
	ptd_perm_str(r->flags, perm);
	ptd_size_str(r->size, sz, sizeof(sz));
	ptd_size_str(r->leaf_size, leaf, sizeof(leaf));
	end_str(r->va, r->size, ve, sizeof(ve));
	end_str(r->pa, r->size, pe, sizeof(pe));
	if (p->json)
		fprintf(p->f,
			"{\"type\":\"range\",\"va\":\"0x%016" PRIx64 "\",\"va_end\":\"%s\","
			"\"pa\":\"0x%016" PRIx64 "\",\"pa_end\":\"%s\",\"size\":\"0x%" PRIx64 "\","
			"\"leaf\":\"%s\",\"perm\":\"%s\",\"memtype\":\"%s\",\"flags\":%" PRIu32 "}\n",
			r->va, ve, r->pa, pe, r->size, leaf, perm, ptd_memtype_str(r->flags),
			r->flags);
	else
		fprintf(p->f, "0x%016" PRIx64 "-%-18s -> 0x%016" PRIx64 "-%-18s %6s %4s %s %s\n",
			r->va, ve, r->pa, pe, sz, leaf, perm, ptd_memtype_str(r->flags));
}

void ptd_print_corrupt(void *printer, const struct ptd_corrupt *c)
{
	const struct ptd_printer *p = printer;
	if (p->json)
		fprintf(p->f,
			"{\"type\":\"corrupt\",\"level\":%u,\"index\":%zu,\"table\":\"0x%" PRIx64
			"\",\"va\":\"0x%016" PRIx64 "\",\"pte\":\"0x%" PRIx64 "\",\"reason\":\"%s\"}\n",
			c->level, c->index, c->table_pa, c->va, c->pte, c->reason);
	else
		fprintf(p->f,
			"!! level %u index %zu of table 0x%" PRIx64 " (va 0x%016" PRIx64
			", pte 0x%" PRIx64 "): %s\n",
			c->level, c->index, c->table_pa, c->va, c->pte, c->reason);
}

static void print_stats(FILE *f, bool json, const struct ptd_geom *g, const struct ptd_stats *st)
{
	char sz[32];
	bool first = true;
	if (json) {
		fprintf(f, "{\"type\":\"stats\",\"tables\":[");
		for (unsigned l = 0; l < g->levels; l++)
			fprintf(f, "%s%lu", l ? "," : "", st->tables[l]);
		fprintf(f, "],\"leaves\":{");
		for (unsigned b = 0; b < 64; b++)
			if (st->leaves[b]) {
				fprintf(f, "%s\"%s\":%lu", first ? "" : ",",
					ptd_size_str(UINT64_C(1) << b, sz, sizeof(sz)), st->leaves[b]);
				first = false;
			}
		fprintf(f, "},\"corrupt\":%lu,\"revisits\":%lu,\"skipped\":%lu}\n", st->corrupt,
			st->revisits, st->skipped);
		return;
	}
	fprintf(f, "# tables:");
	for (unsigned l = 0; l < g->levels; l++)
		fprintf(f, " L%u=%lu", l, st->tables[l]);
	fprintf(f, "\n# leaves:");
	for (unsigned b = 0; b < 64; b++)
		if (st->leaves[b]) {
			fprintf(f, " %s=%lu", ptd_size_str(UINT64_C(1) << b, sz, sizeof(sz)),
				st->leaves[b]);
			first = false;
		}
	fprintf(f, "%s\n# corrupt entries: %lu\n# tables reached more than once: %lu\n"
		   "# table entries not followed (visit limit): %lu\n",
		first ? " none" : "", st->corrupt, st->revisits, st->skipped);
}

/* ---- Command line -------------------------------------------------------- */

static const char usage_text[] =
	"usage: ptdump --arch <format> [--features el2,high,svpbmt,xuantie]\n"
	"              --root <PA> [--base <PA>] [--va-range <start>-[<end>]]\n"
	"              [--json] [--stats] [--max-tables <n>] [--translate <VA>]... image.bin\n"
	"\n"
	"Print every mapping of the page tables rooted at <PA> inside a raw physical\n"
	"memory image, coalesced into ranges in VA order: VA range, PA range, size,\n"
	"leaf size, permissions (rwxu) and memory type. The image is not trusted:\n"
	"tables must be aligned and lie inside the image, corrupt entries are reported\n"
	"with their location and never followed.\n"
	"\n"
	"  --arch <format>     x86_64 x86_64_la57 aarch64 riscv_sv39 riscv_sv48\n"
	"                      riscv_sv57 loongarch64 armv7\n"
	"  --features <list>   el2, high (aarch64); svpbmt or xuantie (riscv)\n"
	"  --root <PA>         physical address of the root table\n"
	"  --base <PA>         physical address of the image's first byte (default 0)\n"
	"  --va-range <s>-<e>  only VAs in [s, e); an empty <e> means to the top\n"
	"  --json              one JSON object per line (ranges, corrupt entries, stats)\n"
	"  --stats             tables per level, leaves per size, corrupt entries\n"
	"  --max-tables <n>    stop descending after <n> tables (default 65536)\n"
	"  --translate <VA>    translate VA with pt_translate instead of dumping\n"
	"                      (repeatable)\n"
	"  -h, --help          this text\n"
	"\n"
	"Exit status: 0 clean, 1 corrupt entries found (or the table limit hit),\n"
	"2 usage or I/O error.\n";

#define MAX_TRANSLATE 64

struct cli {
	struct ptd_config cfg;
	bool have_arch, have_root, json, stats;
	const char *path;
	uint64_t base;
	uint64_t tva[MAX_TRANSLATE];
	unsigned ntva;
};

static int usage_error(FILE *err, const char *what, const char *arg)
{
	fprintf(err, "ptdump: %s%s%s\nTry 'ptdump --help'.\n", what, arg ? ": " : "", arg ? arg : "");
	return PTD_EXIT_USAGE;
}

/* "--opt value" or "--opt=value"; advances *i past what it consumed. */
static const char *opt_value(int argc, char **argv, int *i, const char *name)
{
	size_t n = strlen(name);
	const char *a = argv[*i];
	if (strncmp(a, name, n) != 0)
		return NULL;
	if (a[n] == '=')
		return a + n + 1;
	if (a[n] == 0 && *i + 1 < argc)
		return argv[++*i];
	return NULL;
}

static int parse_range(const char *s, uint64_t *lo, uint64_t *hi)
{
	const char *dash = strchr(s, '-');
	char first[40];
	uint64_t end;
	if (!dash || (size_t)(dash - s) >= sizeof(first))
		return -1;
	memcpy(first, s, (size_t)(dash - s));
	first[dash - s] = 0;
	if (parse_u64(first, lo))
		return -1;
	if (!dash[1]) {
		*hi = UINT64_MAX;
		return 0;
	}
	if (parse_u64(dash + 1, &end) || end <= *lo)
		return -1;
	*hi = end - 1;
	return 0;
}

static int parse_cli(int argc, char **argv, struct cli *c, FILE *out, FILE *err)
{
	memset(c, 0, sizeof(*c));
	c->cfg.va_hi = UINT64_MAX;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v;
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fputs(usage_text, out);
			return -1;
		} else if (!strcmp(a, "--json")) {
			c->json = true;
		} else if (!strcmp(a, "--stats")) {
			c->stats = true;
		} else if ((v = opt_value(argc, argv, &i, "--arch"))) {
			if (ptd_parse_arch(v, &c->cfg.arch))
				return usage_error(err, "unknown --arch", v);
			c->have_arch = true;
		} else if ((v = opt_value(argc, argv, &i, "--features"))) {
			if (ptd_parse_features(v, &c->cfg.features))
				return usage_error(err, "unknown feature in --features", v);
		} else if ((v = opt_value(argc, argv, &i, "--root"))) {
			if (parse_u64(v, &c->cfg.root))
				return usage_error(err, "bad --root", v);
			c->have_root = true;
		} else if ((v = opt_value(argc, argv, &i, "--base"))) {
			if (parse_u64(v, &c->base))
				return usage_error(err, "bad --base", v);
		} else if ((v = opt_value(argc, argv, &i, "--va-range"))) {
			if (parse_range(v, &c->cfg.va_lo, &c->cfg.va_hi))
				return usage_error(err, "bad --va-range (want <start>-<end> or <start>-)", v);
		} else if ((v = opt_value(argc, argv, &i, "--max-tables"))) {
			uint64_t n;
			if (parse_u64(v, &n) || n == 0 || n > (UINT64_C(1) << 26))
				return usage_error(err, "bad --max-tables (1..67108864)", v);
			c->cfg.max_tables = (unsigned long)n;
		} else if ((v = opt_value(argc, argv, &i, "--translate"))) {
			if (c->ntva == MAX_TRANSLATE)
				return usage_error(err, "too many --translate", v);
			if (parse_u64(v, &c->tva[c->ntva++]))
				return usage_error(err, "bad --translate", v);
		} else if (a[0] == '-' && a[1]) {
			return usage_error(err, "unknown option or missing value", a);
		} else if (c->path) {
			return usage_error(err, "more than one image", a);
		} else {
			c->path = a;
		}
	}
	if (!c->have_arch || !c->have_root || !c->path)
		return usage_error(err, "--arch, --root and an image are required", NULL);
	return 0;
}

/* Map the image read-only: dumps can be as large as the guest's RAM. */
static int load_image(const char *path, uint64_t base, struct ptd_image *img, FILE *err)
{
	struct stat sb;
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
	if ((uint64_t)sb.st_size > SIZE_MAX || base + (uint64_t)sb.st_size < base) {
		fprintf(err, "ptdump: %s: image too large for --base 0x%" PRIx64 "\n", path, base);
		close(fd);
		return PTD_EXIT_USAGE;
	}
	p = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (p == MAP_FAILED) {
		fprintf(err, "ptdump: %s: mmap: %s\n", path, strerror(errno));
		return PTD_EXIT_USAGE;
	}
	img->data = p;
	img->len = (size_t)sb.st_size;
	img->base = base;
	return 0;
}

/* "el2,high" etc. for the header line. */
static const char *feature_names(unsigned f, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s%s", (f & PT_FEAT_AARCH64_EL2) ? "el2," : "",
		 (f & PT_FEAT_AARCH64_HIGH) ? "high," : "", (f & PT_FEAT_RISCV_SVPBMT) ? "svpbmt," : "",
		 (f & PT_FEAT_RISCV_XUANTIE) ? "xuantie," : "");
	if (*buf)
		buf[strlen(buf) - 1] = 0;
	return buf;
}

static int do_translate(const struct cli *c, const struct ptd_image *img, FILE *out, FILE *err)
{
	int rc = PTD_EXIT_CLEAN;
	for (unsigned i = 0; i < c->ntva; i++) {
		struct pt_mapping m;
		char perm[5], leaf[32];
		int r = ptd_translate(img, &c->cfg, c->tva[i], &m);
		if (r == PT_OK) {
			ptd_perm_str(m.flags, perm);
			ptd_size_str(m.size, leaf, sizeof(leaf));
			if (c->json)
				fprintf(out,
					"{\"type\":\"translate\",\"va\":\"0x%016" PRIx64 "\",\"pa\":\"0x%016" PRIx64
					"\",\"leaf\":\"%s\",\"perm\":\"%s\",\"memtype\":\"%s\",\"flags\":%" PRIu32
					"}\n",
					c->tva[i], m.pa, leaf, perm, ptd_memtype_str(m.flags), m.flags);
			else
				fprintf(out, "0x%016" PRIx64 " -> 0x%016" PRIx64 " %4s %s %s\n", c->tva[i],
					m.pa, leaf, perm, ptd_memtype_str(m.flags));
			continue;
		}
		if (c->json)
			fprintf(out, "{\"type\":\"translate\",\"va\":\"0x%016" PRIx64 "\",\"error\":\"%s\"}\n",
				c->tva[i], pt_strerror(r));
		else
			fprintf(out, "0x%016" PRIx64 " -> %s\n", c->tva[i], pt_strerror(r));
		if (r == PT_ERR_INVALID) {
			fprintf(err, "ptdump: VA 0x%" PRIx64 " is not canonical for %s%s\n", c->tva[i],
				pt_arch_info(c->cfg.arch)->name,
				(c->cfg.features & PT_FEAT_AARCH64_HIGH) ? " (high half)" : "");
			rc = PTD_EXIT_USAGE;
		} else if (r == PT_ERR_CORRUPT && rc == PTD_EXIT_CLEAN) {
			rc = PTD_EXIT_CORRUPT;
		}
	}
	return rc;
}

int ptd_main(int argc, char **argv, FILE *out, FILE *err)
{
	struct cli c;
	struct ptd_image img;
	struct ptd_printer pr;
	struct ptd_sink sink = { ptd_print_range, ptd_print_corrupt, &pr };
	struct ptd_stats st;
	struct ptd_geom g;
	char msg[240];
	int rc = parse_cli(argc, argv, &c, out, err);
	if (rc)
		return rc < 0 ? PTD_EXIT_CLEAN : rc;
	if ((rc = load_image(c.path, c.base, &img, err)))
		return rc;
	if ((rc = ptd_check(&img, &c.cfg, msg, sizeof(msg)))) {
		fprintf(err, "ptdump: %s\n", msg);
		goto out;
	}
	if (c.ntva) {
		rc = do_translate(&c, &img, out, err);
		goto out;
	}
	ptd_geom(c.cfg.arch, &g);
	pr.f = out;
	pr.json = c.json;
	if (!c.json)
		fprintf(out,
			"# %s%s%s root 0x%" PRIx64 ", image [0x%" PRIx64 ", 0x%" PRIx64 ")\n"
			"# %-35s    %-37s %6s %4s %s %s\n",
			pt_arch_info(c.cfg.arch)->name, c.cfg.features ? " +" : "",
			feature_names(c.cfg.features, msg, sizeof(msg)), c.cfg.root, img.base,
			img.base + img.len, "virtual", "physical", "size", "leaf", "perm", "type");
	rc = ptd_walk(&img, &c.cfg, &sink, &st);
	if (rc == PTD_EXIT_USAGE) {
		fprintf(err, "ptdump: out of memory\n");
		goto out;
	}
	if (c.stats)
		print_stats(out, c.json, &g, &st);
	if (rc == PTD_EXIT_CORRUPT)
		fprintf(err, "ptdump: corrupt entries: %lu, table entries not followed: %lu\n",
			st.corrupt, st.skipped);
out:
	munmap((void *)(uintptr_t)img.data, img.len);
	if (fflush(out) || ferror(out)) {
		fprintf(err, "ptdump: write error\n");
		rc = PTD_EXIT_USAGE;
	}
	return rc;
}
