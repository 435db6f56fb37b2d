/* SPDX-License-Identifier: MIT */
/*
 * ptdump: the command line. See ptdump_core.h for the contract and
 * tools/ptdump.1 for the user's view.
 */
#include "ptdump_core.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

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

/* ---- Command line -------------------------------------------------------- */

static const char usage_text[] =
	"usage: ptdump --arch <format> [--features el2,high,pa52,va52,svpbmt,xuantie,svnapot,ad]\n"
	"              --root <PA> [--base <PA>] [--va-range <start>-[<end>]]\n"
	"              [regime options] [--json] [--stats] [--max-tables <n>]\n"
	"              [--translate <VA>]... [--lint] image.bin\n"
	"       ptdump ... --diff old.bin new.bin\n"
	"\n"
	"Print every mapping of the page tables rooted at <PA> inside a raw physical\n"
	"memory image, coalesced into ranges in VA order: VA range, PA range, size,\n"
	"leaf size, effective permissions (rwxu, over every level), memory type and\n"
	"the leaf's raw attributes. The image is mapped, not read, so a running\n"
	"guest's RAM can be watched; it is not trusted: tables must be aligned and\n"
	"lie inside the image, corrupt entries are reported with their location and\n"
	"never followed, each entry is read once.\n"
	"\n"
	"  --arch <format>     x86_64 x86_64_la57 aarch64 riscv_sv39 riscv_sv48\n"
	"                      riscv_sv57 loongarch64 armv7; stage 2: aarch64_s2\n"
	"                      x86_64_ept x86_64_ept5 riscv_sv39x4 riscv_sv48x4\n"
	"                      riscv_sv57x4 (also ept ept5 sv39x4 sv48x4 sv57x4)\n"
	"  --features <list>   el2, high, pa52, va52 (aarch64); svpbmt or xuantie,\n"
	"                      svnapot (riscv); ad\n"
	"                      (EPT accessed and dirty flags)\n"
	"  --va-bits <n>       the table's VA (IPA) width where the format has several:\n"
	"                      aarch64_s2 32..48 (default 40), aarch64 25..48,\n"
	"                      aarch64_16k 26..48, aarch64_64k 30..48 (default 48)\n"
	"  --root <PA>         physical address of the root table\n"
	"  --base <PA>         physical address of the image's first byte (default 0)\n"
	"  --va-range <s>-<e>  only VAs in [s, e); an empty <e> means to the top\n"
	"  --json              one JSON object per line (ranges, corrupt entries, stats)\n"
	"  --stats             tables per level, leaves per size, corrupt entries\n"
	"  --max-tables <n>    stop descending after <n> tables (default 65536)\n"
	"  --translate <VA>    translate VA (pt_access under the regime) instead of\n"
	"                      dumping (repeatable)\n"
	"  --lint              report W+X, global user pages, executable device memory\n"
	"                      and writable aliases of executable frames, not mappings\n"
	"  --diff <old> <new>  mappings added, removed or changed between two images\n"
	"  -h, --help          this text\n"
	"\n"
	"Regime (the registers the tables run under; default: libpt's own):\n"
	"  --attrs <hex>       MAIR_ELx (aarch64), IA32_PAT (x86), PRRR | NMRR << 32\n"
	"                      (armv7 with tre); aliases --mair, --pat\n"
	"  --ctl <list>        the controls set, all others clear: nxe wp smep smap ac\n"
	"                      (x86), pan wxn ha hd hpd (aarch64), sum mxr ha hd\n"
	"                      (riscv), tre afe (armv7), ha hd (aarch64_s2), mxr ha hd\n"
	"                      (G-stage), or none. Default: nxe,wp on x86, ha,hd on\n"
	"                      aarch64, aarch64_s2, riscv and G-stage, none elsewhere\n"
	"  --cr0 --cr4 --efer --rflags <v>   x86 registers: WP, SMEP/SMAP, NXE, AC\n"
	"  --sctlr --tcr <v>   aarch64 SCTLR_ELx.WXN, TCR_ELx.HA/HD/HPD (EL2 layout\n"
	"                      with el2); armv7 SCTLR.TRE/AFE\n"
	"  --sstatus --menvcfg <v>  riscv SUM/MXR, ADUE (Svadu: ha,hd)\n"
	"  --vtcr <v>          aarch64_s2 VTCR_EL2.HA/HD\n"
	"  --henvcfg --sstatus <v>  G-stage ADUE (ha,hd), the HS-level MXR\n"
	"  --eptp <v>          EPT: bit 6 enables the accessed and dirty flags (ad)\n"
	"  --dir-mask <hex>    loongarch64: directory entries hold direct-map VAs;\n"
	"                      table PA = entry & mask (Linux: 0x0000fffffffff000)\n"
	"  Register options set only the controls they hold, after --ctl.\n"
	"\n"
	"Exit status: 0 clean, 1 corrupt entries found (or the table limit hit),\n"
	"2 usage or I/O error, 3 --lint findings; --diff: 0 same, 1 different.\n";

#define MAX_TRANSLATE 64
#define MAX_REGS 8

struct cli {
	struct ptd_config cfg;
	bool have_arch, have_root, json, stats, lint, diff, have_ctl;
	bool have_eptp, eptp_ad; /* --eptp given; its A/D enable */
	const char *path, *path2;
	uint64_t base;
	uint64_t tva[MAX_TRANSLATE];
	unsigned ntva;
	const char *reg[MAX_REGS];
	uint64_t regv[MAX_REGS];
	unsigned nreg;
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

static const char *const reg_opts[] = { "--cr0",   "--cr4",	 "--efer",    "--rflags",
					"--sctlr", "--tcr",	 "--sstatus", "--menvcfg",
					"--vtcr",  "--henvcfg" };

#define NREG (sizeof(reg_opts) / sizeof(reg_opts[0]))

/* The register option at argv[*i] (its index, value in *v), or NREG. */
static size_t reg_opt(int argc, char **argv, int *i, const char **v)
{
	size_t r;
	for (r = 0; r < NREG; r++)
		if ((*v = opt_value(argc, argv, i, reg_opts[r])))
			break;
	return r;
}

/* Register options after --ctl (or the default), each on the bits it holds. */
static int apply_registers(struct cli *c, FILE *err)
{
	if (!c->have_ctl && !c->nreg)
		return 0;
	if (!c->have_ctl)
		c->cfg.controls = ptd_default_controls(c->cfg.arch);
	c->cfg.controls_set = true;
	for (unsigned i = 0; i < c->nreg; i++) {
		uint64_t owned, set;
		char msg[80];
		if (ptd_register_controls(c->cfg.arch, c->cfg.features, c->reg[i] + 2, c->regv[i],
					  &owned, &set)) {
			snprintf(msg, sizeof(msg), "%s does not apply to %s", c->reg[i],
				 pt_arch_info(c->cfg.arch)->name);
			return usage_error(err, msg, NULL);
		}
		c->cfg.controls = (c->cfg.controls & ~owned) | set;
	}
	return 0;
}

static int parse_cli(int argc, char **argv, struct cli *c, FILE *out, FILE *err)
{
	memset(c, 0, sizeof(*c));
	c->cfg.va_hi = UINT64_MAX;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v, *bad;
		size_t r;
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fputs(usage_text, out);
			return -1;
		} else if (!strcmp(a, "--json")) {
			c->json = true;
		} else if (!strcmp(a, "--stats")) {
			c->stats = true;
		} else if (!strcmp(a, "--lint")) {
			c->lint = true;
		} else if (!strcmp(a, "--diff")) {
			c->diff = true;
		} else if ((v = opt_value(argc, argv, &i, "--arch"))) {
			if (ptd_parse_arch(v, &c->cfg.arch))
				return usage_error(err, "unknown --arch", v);
			c->have_arch = true;
		} else if ((v = opt_value(argc, argv, &i, "--features"))) {
			if (ptd_parse_features(v, &c->cfg.features))
				return usage_error(err, "unknown feature in --features", v);
		} else if ((v = opt_value(argc, argv, &i, "--eptp"))) {
			/* EPTP: bit 6 enables EPT's accessed and dirty flags
			 * (the other fields are the root and the walk length,
			 * which --root and --arch give). */
			uint64_t n;
			if (parse_u64(v, &n))
				return usage_error(err, "bad --eptp", v);
			c->eptp_ad = (n >> 6) & 1;
			c->have_eptp = true;
		} else if ((v = opt_value(argc, argv, &i, "--va-bits"))) {
			uint64_t n;
			if (parse_u64(v, &n) || n > 64)
				return usage_error(err, "bad --va-bits", v);
			c->cfg.va_bits = (unsigned)n;
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
		} else if ((v = opt_value(argc, argv, &i, "--attrs")) ||
			   (v = opt_value(argc, argv, &i, "--mair")) ||
			   (v = opt_value(argc, argv, &i, "--pat"))) {
			if (parse_u64(v, &c->cfg.attrs))
				return usage_error(err, "bad --attrs (a number)", v);
		} else if ((v = opt_value(argc, argv, &i, "--dir-mask"))) {
			if (parse_u64(v, &c->cfg.dir_mask))
				return usage_error(err, "bad --dir-mask (a number)", v);
		} else if ((v = opt_value(argc, argv, &i, "--ctl"))) {
			if (ptd_parse_controls(v, &c->cfg.controls, &bad))
				return usage_error(err,
						   "unknown control in --ctl (nxe wp smep smap ac pan wxn "
						   "ha hd sum mxr tre afe hpd, or none)",
						   bad);
			c->have_ctl = true;
		} else if ((r = reg_opt(argc, argv, &i, &v)) < NREG && v) {
			if (c->nreg == MAX_REGS)
				return usage_error(err, "too many register options", v);
			c->reg[c->nreg] = reg_opts[r];
			if (parse_u64(v, &c->regv[c->nreg++]))
				return usage_error(err, "bad register value", v);
		} else if (a[0] == '-' && a[1]) {
			return usage_error(err, "unknown option or missing value", a);
		} else if (c->diff && c->path && !c->path2) {
			c->path2 = a;
		} else if (c->path && !(c->diff && !c->path2)) {
			return usage_error(err, "more than one image", a);
		} else {
			c->path = a;
		}
	}
	if (!c->have_arch || !c->have_root || !c->path)
		return usage_error(err, "--arch, --root and an image are required", NULL);
	if (c->have_eptp) {
		if (c->cfg.arch != PT_X86_64_EPT && c->cfg.arch != PT_X86_64_EPT5)
			return usage_error(err, "--eptp applies to x86_64_ept and x86_64_ept5 only", NULL);
		c->cfg.features = (c->cfg.features & ~PT_FEAT_EPT_AD) | (c->eptp_ad ? PT_FEAT_EPT_AD : 0);
	}
	if (c->diff && !c->path2)
		return usage_error(err, "--diff needs two images, old and new", NULL);
	if (!c->diff && c->path2)
		return usage_error(err, "more than one image", c->path2);
	if ((c->diff + c->lint + (c->ntva > 0)) > 1)
		return usage_error(err, "--diff, --lint and --translate are separate modes", NULL);
	return apply_registers(c, err);
}

/* "el2,high" etc. for the header line. */
static const char *feature_names(unsigned f, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s%s%s%s%s%s", (f & PT_FEAT_AARCH64_EL2) ? "el2," : "",
		 (f & PT_FEAT_AARCH64_HIGH) ? "high," : "", (f & PT_FEAT_RISCV_SVPBMT) ? "svpbmt," : "",
		 (f & PT_FEAT_RISCV_XUANTIE) ? "xuantie," : "", (f & PT_FEAT_EPT_AD) ? "ad," : "",
		 (f & PT_FEAT_AARCH64_PA52) ? "pa52," : "", (f & PT_FEAT_AARCH64_VA52) ? "va52," : "",
		 (f & PT_FEAT_RISCV_SVNAPOT) ? "svnapot," : "");
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

static void header(const struct cli *c, const struct ptd_image *img, FILE *out, const char *what)
{
	char fs[64], cs[128];
	fprintf(out, "# %s%s%s root 0x%" PRIx64 ", image [0x%" PRIx64 ", 0x%" PRIx64 ")%s\n",
		pt_arch_info(c->cfg.arch)->name, c->cfg.features ? " +" : "",
		feature_names(c->cfg.features, fs, sizeof(fs)), c->cfg.root, img->base,
		img->base + img->len, what);
	if (c->cfg.controls_set || c->cfg.attrs || c->cfg.dir_mask) {
		fprintf(out, "# regime: controls %s",
			ptd_controls_str(c->cfg.controls_set ? c->cfg.controls
							     : ptd_default_controls(c->cfg.arch),
					 cs, sizeof(cs)));
		if (c->cfg.attrs)
			fprintf(out, ", attrs 0x%" PRIx64, c->cfg.attrs);
		if (c->cfg.dir_mask)
			fprintf(out, ", dir-mask 0x%" PRIx64, c->cfg.dir_mask);
		fputc('\n', out);
	}
}

static void column_header(FILE *out)
{
	fprintf(out, "# %-35s    %-37s %6s %4s %s %-8s %s\n", "virtual", "physical", "size", "leaf",
		"perm", "type", "attributes");
}

/* Ranges into a list, corrupt entries to the printer. */
struct collector {
	struct ptd_list *list;
	struct ptd_printer *pr;
	const char *label; /* which image, for a diff */
};

static void collect_range(void *arg, const struct ptd_range *r)
{
	ptd_list_range(((struct collector *)arg)->list, r);
}

static void collect_corrupt(void *arg, const struct ptd_corrupt *x)
{
	struct collector *k = arg;
	if (k->label && !k->pr->json)
		fprintf(k->pr->f, "# in %s:\n", k->label);
	ptd_print_corrupt(k->pr, x);
}

static int collect(const struct cli *c, const struct ptd_image *img, struct ptd_list *list,
		   struct ptd_printer *pr, struct ptd_stats *st, const char *label)
{
	struct collector k = { list, pr, label };
	struct ptd_sink sink = { collect_range, collect_corrupt, &k };
	int rc = ptd_walk(img, &c->cfg, &sink, st);
	return list->nomem ? PTD_EXIT_USAGE : rc;
}

static void print_finding(void *arg, const struct ptd_finding *f)
{
	ptd_print_finding(arg, f);
}

static void print_change(void *arg, const struct ptd_change *ch)
{
	ptd_print_change(arg, ch);
}

static int do_lint(const struct cli *c, const struct ptd_image *img, struct ptd_printer *pr,
		   FILE *err)
{
	struct ptd_list list = { 0 };
	struct ptd_stats st;
	unsigned long n;
	int rc = collect(c, img, &list, pr, &st, NULL);
	if (rc == PTD_EXIT_USAGE) {
		fprintf(err, "ptdump: out of memory\n");
		ptd_list_free(&list);
		return rc;
	}
	n = ptd_lint(list.r, list.n, print_finding, pr);
	if (!pr->json)
		fprintf(pr->f, "# lint: %lu finding%s in %zu ranges\n", n, n == 1 ? "" : "s", list.n);
	if (rc == PTD_EXIT_CORRUPT)
		fprintf(err, "ptdump: corrupt entries: %lu, table entries not followed: %lu\n",
			st.corrupt, st.skipped);
	ptd_list_free(&list);
	return n ? PTD_EXIT_LINT : rc;
}

static int do_diff(const struct cli *c, const struct ptd_image *old, FILE *out, FILE *err,
		   struct ptd_printer *pr)
{
	struct ptd_image nimg;
	struct ptd_list a = { 0 }, b = { 0 };
	struct ptd_stats sa, sb;
	unsigned long n;
	char msg[240];
	int ra, rb = PTD_EXIT_USAGE, rc;
	if ((rc = ptd_load_image(c->path2, c->base, &nimg, err)))
		return rc;
	if (ptd_check(&nimg, &c->cfg, msg, sizeof(msg))) {
		fprintf(err, "ptdump: %s: %s\n", c->path2, msg);
		ptd_unload_image(&nimg);
		return PTD_EXIT_USAGE;
	}
	ra = collect(c, old, &a, pr, &sa, c->path);
	if (ra != PTD_EXIT_USAGE)
		rb = collect(c, &nimg, &b, pr, &sb, c->path2);
	if (ra == PTD_EXIT_USAGE || rb == PTD_EXIT_USAGE) {
		fprintf(err, "ptdump: out of memory\n");
		rc = PTD_EXIT_USAGE;
		goto out;
	}
	if (!c->json)
		fprintf(out, "# --- %s\n# +++ %s\n", c->path, c->path2);
	n = ptd_diff(a.r, a.n, b.r, b.n, print_change, pr);
	if (!c->json)
		fprintf(out, "# diff: %lu change%s (%zu ranges before, %zu after)\n", n,
			n == 1 ? "" : "s", a.n, b.n);
	if (sa.corrupt + sb.corrupt + sa.skipped + sb.skipped)
		fprintf(err, "ptdump: corrupt entries: %lu in %s, %lu in %s (not compared)\n",
			sa.corrupt + sa.skipped, c->path, sb.corrupt + sb.skipped, c->path2);
	rc = n ? 1 : 0;
out:
	ptd_list_free(&a);
	ptd_list_free(&b);
	ptd_unload_image(&nimg);
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
	if ((rc = ptd_load_image(c.path, c.base, &img, err)))
		return rc;
	if ((rc = ptd_check(&img, &c.cfg, msg, sizeof(msg)))) {
		fprintf(err, "ptdump: %s\n", msg);
		goto out;
	}
	if (c.ntva) {
		rc = do_translate(&c, &img, out, err);
		goto out;
	}
	ptd_geom_bits(c.cfg.arch, c.cfg.va_bits, &g);
	memset(&pr, 0, sizeof(pr));
	pr.f = out;
	pr.json = c.json;
	pr.cfg = &c.cfg;
	if (c.lint || c.diff) {
		if (!c.json)
			header(&c, &img, out, c.lint ? ", lint" : ", diff");
		rc = c.lint ? do_lint(&c, &img, &pr, err) : do_diff(&c, &img, out, err, &pr);
		goto out;
	}
	if (!c.json) {
		header(&c, &img, out, "");
		column_header(out);
	}
	rc = ptd_walk(&img, &c.cfg, &sink, &st);
	if (rc == PTD_EXIT_USAGE) {
		fprintf(err, "ptdump: out of memory\n");
		goto out;
	}
	if (c.stats)
		ptd_print_stats(out, c.json, &g, &st);
	if (rc == PTD_EXIT_CORRUPT)
		fprintf(err, "ptdump: corrupt entries: %lu, table entries not followed: %lu\n",
			st.corrupt, st.skipped);
out:
	ptd_unload_image(&img);
	if (fflush(out) || ferror(out)) {
		fprintf(err, "ptdump: write error\n");
		rc = PTD_EXIT_USAGE;
	}
	return rc;
}
