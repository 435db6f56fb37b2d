/* SPDX-License-Identifier: MIT */
/*
 * linux_check: libpt's decoding of page tables a real Linux kernel built,
 * checked against QEMU's own answers (tests/linux/README.md).
 *
 *   linux_check CAPTURE...        check each capture directory
 *   linux_check --walk-vas DIR    print sample VAs from libpt's walk (one
 *                                 per line) for capture.py to ask QEMU
 *
 * A capture is a stopped guest: its RAM, the MMU's registers, and per view
 * (a register setting QEMU was asked under) QEMU's gva2gpa answers and, on
 * x86, `info tlb` and `info mem`. Checks, per capture and view:
 *   gva2gpa   every sample VA: libpt's PA (or "not mapped") equals QEMU's;
 *             on arm64 QEMU translates as a read at the view's EL (and PAN),
 *             so the EL0 and PAN views check permissions too
 *   walk      every table reachable from the roots: leaves, and entries
 *             libpt calls corrupt (each one is a failure: QEMU and Linux
 *             use them); x86: the set of leaves equals `info tlb`'s
 *   tlb       x86: each `info tlb` leaf translates to its PA with its bits
 *             (W, U, NX, G, A, D, PCD/PWT as a memory type)
 *   mem       x86: each leaf's user/write permission equals the EFFECTIVE
 *             one `info mem` shows (every level ANDed)
 *   access    x86: every access kind (read, write, execute, user or
 *             supervisor) allowed or refused as the MMU would, from
 *             `info mem`'s effective U/W, `info tlb`'s NX and the saved
 *             CR0.WP, CR4.SMEP/SMAP, EFLAGS.AC
 * Every permission answer comes from one function, lookup(): today it is
 * pt_translate plus the architecture's rules applied to the flags it
 * reports; built with -DLINUX_CHECK_PT_ACCESS it is pt_access with a
 * struct pt_regime filled from the saved registers.
 *
 * Output follows tests/run.sh: one "[group] ...: N passed, N failed" line
 * per check, details before it; exit 1 on any failure.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pt.h"
#include "ptdump_core.h"

#define MAX_EXAMPLES 6

__attribute__((format(printf, 1, 2), noreturn)) static void die(const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "linux_check: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

/* Copy a string, cut to fit. */
static void copy_str(char *d, size_t n, const char *s)
{
	size_t l = strlen(s);
	if (l >= n)
		l = n - 1;
	memcpy(d, s, l);
	d[l] = 0;
}

/* ---- key=value files ------------------------------------------------------ */

struct kv {
	char key[32];
	char val[512];
};

struct kvs {
	struct kv v[64];
	int n;
};

static int kv_load(const char *path, struct kvs *k)
{
	FILE *f = fopen(path, "r");
	char line[600];
	k->n = 0;
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f) && k->n < 64) {
		char *eq = strchr(line, '=');
		size_t l = strcspn(line, "\n");
		line[l] = 0;
		if (!eq || line[0] == '#')
			continue;
		*eq = 0;
		copy_str(k->v[k->n].key, sizeof(k->v[0].key), line);
		copy_str(k->v[k->n].val, sizeof(k->v[0].val), eq + 1);
		k->n++;
	}
	fclose(f);
	return 0;
}

static const char *kv_str(const struct kvs *k, const char *key)
{
	for (int i = 0; i < k->n; i++)
		if (!strcmp(k->v[i].key, key))
			return k->v[i].val;
	return NULL;
}

static bool kv_u64(const struct kvs *k, const char *key, uint64_t *v)
{
	const char *s = kv_str(k, key);
	char *end;
	if (!s)
		return false;
	errno = 0;
	*v = strtoull(s, &end, 0);
	return !errno && end != s && !*end;
}

/* ---- The capture ---------------------------------------------------------- */

struct capture {
	const char *dir;
	char config[64];
	bool x86;
	struct kvs meta, regs;
	unsigned char *ram;
	size_t ram_len;
	struct ptd_image img;
	struct pt_mm mm;
};

/* One view: the registers QEMU's answers were given under. Half 0 is
 * TTBR0 / CR3, half 1 TTBR1 (arm64 only). */
struct view {
	char name[32];
	enum pt_arch arch;
	int halves;
	struct pt_regime half[2];
	unsigned va_bits[2];
	unsigned gva_access;  /* the access QEMU's gva2gpa made in this view */
	bool user_mode;       /* the view's privilege: EL0 / CPL 3 */
	bool walk_only;       /* no QEMU answers (registers QEMU could not be set to) */
};

static void path_of(char *buf, size_t len, const struct capture *c, const char *file)
{
	snprintf(buf, len, "%s/%s", c->dir, file);
}

static void load_capture(struct capture *c, const char *dir)
{
	char p[4096];
	uint64_t base = 0, size = 0;
	struct stat st;
	int fd;
	memset(c, 0, sizeof(*c));
	c->dir = dir;
	path_of(p, sizeof(p), c, "meta.txt");
	if (kv_load(p, &c->meta))
		die("%s: cannot read", p);
	path_of(p, sizeof(p), c, "regs.txt");
	if (kv_load(p, &c->regs))
		die("%s: cannot read", p);
	snprintf(c->config, sizeof(c->config), "%s",
		 kv_str(&c->meta, "config") ? kv_str(&c->meta, "config") : dir);
	c->x86 = kv_str(&c->meta, "arch") && !strcmp(kv_str(&c->meta, "arch"), "x86_64");
	if (!kv_u64(&c->meta, "ram_base", &base) || !kv_u64(&c->meta, "ram_size", &size))
		die("%s: meta.txt lacks ram_base or ram_size", dir);
	path_of(p, sizeof(p), c, "ram.bin");
	fd = open(p, O_RDONLY);
	if (fd < 0 || fstat(fd, &st) || (uint64_t)st.st_size != size)
		die("%s: missing, or not ram_size bytes", p);
	/* Private and writable: a plant (LINUX_CHECK_PLANT) edits this copy only. */
	c->ram = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	close(fd);
	if (c->ram == MAP_FAILED)
		die("%s: mmap failed", p);
	c->ram_len = (size_t)size;
	c->img.data = c->ram;
	c->img.len = c->ram_len;
	c->img.base = base;
	/* phys_to_virt: a pointer only for whole 4 KiB frames inside the image. */
	ptd_mm(&c->img, &c->mm);
}

static uint64_t reg(const struct kvs *k, const char *name)
{
	uint64_t v;
	if (!kv_u64(k, name, &v))
		die("regs.txt lacks %s", name);
	return v;
}

/*
 * Fill a view from the saved registers with the view's overrides (a line
 * of views.txt: "NAME key=value...").
 */
static int make_view(const struct capture *c, const char *line, struct view *v)
{
	struct kvs r = c->regs;
	char buf[512], *save = NULL, *tok;
	memset(v, 0, sizeof(*v));
	copy_str(buf, sizeof(buf), line);
	buf[strcspn(buf, "\n")] = 0;
	tok = strtok_r(buf, " ", &save);
	if (!tok)
		return -1;
	copy_str(v->name, sizeof(v->name), tok);
	while ((tok = strtok_r(NULL, " ", &save))) {
		char *eq = strchr(tok, '=');
		int i;
		if (!eq)
			continue;
		*eq = 0;
		for (i = 0; i < r.n && strcmp(r.v[i].key, tok); i++)
			;
		if (i == r.n && r.n < 64)
			r.n++;
		copy_str(r.v[i].key, sizeof(r.v[i].key), tok);
		copy_str(r.v[i].val, sizeof(r.v[i].val), eq + 1);
	}
	{
		uint64_t wo = 0;
		v->walk_only = kv_u64(&r, "walkonly", &wo) && wo;
	}
	if (c->x86) {
		uint64_t cr0 = reg(&r, "cr0"), cr3 = reg(&r, "cr3"), cr4 = reg(&r, "cr4");
		uint64_t efer = reg(&r, "efer"), efl = 0, ctl = 0;
		kv_u64(&r, "eflags", &efl);
		v->arch = (cr4 >> 12 & 1) ? PT_X86_64_LA57 : PT_X86_64;
		v->halves = 1;
		v->va_bits[0] = v->arch == PT_X86_64_LA57 ? 57 : 48;
		if (efer >> 11 & 1)
			ctl |= PT_CTL_NXE;
		if (cr0 >> 16 & 1)
			ctl |= PT_CTL_WP;
		if (cr4 >> 20 & 1)
			ctl |= PT_CTL_SMEP;
		if (cr4 >> 21 & 1)
			ctl |= PT_CTL_SMAP;
		if (efl >> 18 & 1)
			ctl |= PT_CTL_AC;
		v->half[0].arch = v->arch;
		/* CR3: PCID in bits 11:0, bit 63 is "no flush" on a write. */
		v->half[0].root = cr3 & UINT64_C(0x000ffffffffff000);
		/* IA32_PAT is not readable through QEMU's monitor or gdbstub;
		 * Linux programs this value (SPEC §4, PT_X86_PAT). */
		v->half[0].attrs = UINT64_C(0x0407050600070106);
		v->half[0].controls = ctl;
		v->gva_access = 0; /* x86 gva2gpa checks no permission */
		v->user_mode = reg(&r, "cpl") == 3;
	} else {
		uint64_t tcr = reg(&r, "tcr_el1"), cpsr = reg(&r, "cpsr");
		uint64_t sctlr = reg(&r, "sctlr_el1"), mair = reg(&r, "mair_el1");
		uint64_t ttbr[2] = { reg(&r, "ttbr0_el1"), reg(&r, "ttbr1_el1") };
		uint64_t ctl = 0;
		v->arch = PT_AARCH64;
		v->halves = 2;
		if (cpsr >> 22 & 1)
			ctl |= PT_CTL_PAN;
		if (sctlr >> 19 & 1)
			ctl |= PT_CTL_WXN;
		if (tcr >> 39 & 1)
			ctl |= PT_CTL_HA;
		if (tcr >> 40 & 1)
			ctl |= PT_CTL_HD;
		for (int h = 0; h < 2; h++) {
			struct pt_regime *g = &v->half[h];
			unsigned tsz = (unsigned)(tcr >> (h ? 16 : 0) & 0x3f);
			g->arch = PT_AARCH64;
			g->features = h ? PT_FEAT_AARCH64_HIGH : 0;
			g->va_bits = 64 - tsz;
			v->va_bits[h] = 64 - tsz;
			/* BADDR[47:12] with the 4K granule; ASID in 63:48, CnP bit 0. */
			g->root = ttbr[h] & UINT64_C(0x0000fffffffff000);
			g->attrs = mair;
			g->controls = ctl | ((tcr >> (h ? 42 : 41) & 1) ? PT_CTL_HPD : 0);
		}
		v->user_mode = (cpsr >> 2 & 3) == 0;
		/* QEMU's arm64 gva2gpa translates as a read at the current EL. */
		v->gva_access = PT_ACCESS_READ | (v->user_mode ? PT_ACCESS_USER : 0);
	}
	return 0;
}

static int half_of(const struct view *v, uint64_t va)
{
	return v->halves == 2 && (va >> 55 & 1) ? 1 : 0;
}

/* ---- The one permission function ----------------------------------------- */

enum { LK_OK, LK_NOT_MAPPED, LK_CORRUPT, LK_DENIED };

#ifndef LINUX_CHECK_PT_ACCESS
/*
 * Today: pt_translate, and the architecture's permission rules applied to
 * the flags it reports (the leaf's, per the current core: upper-level
 * restrictions such as x86 RW/US/NX or AArch64 APTable/XNTable are not in
 * them).
 */
static bool allowed_by_flags(const struct pt_regime *r, uint32_t f, unsigned access)
{
	bool user = access & PT_ACCESS_USER, rd = access & PT_ACCESS_READ;
	bool wr = access & PT_ACCESS_WRITE, ex = access & PT_ACCESS_EXEC;
	uint64_t ctl = r->controls;
	if (r->arch == PT_AARCH64) {
		if (user)
			return !((rd || wr) && !(f & PT_USER)) && !(wr && !(f & PT_WRITE)) &&
			       !(ex && !(f & PT_EXECUTE)) &&
			       !(ex && (f & PT_WRITE) && (ctl & PT_CTL_WXN));
		/* EL1: PAN refuses data accesses to EL0-accessible pages; EL1
		 * never executes EL0 pages (Linux sets PXN on them, and EL0
		 * writable pages are implicitly PXN). */
		return !((rd || wr) && (f & PT_USER) && (ctl & PT_CTL_PAN)) &&
		       !(wr && !(f & PT_WRITE)) && !(ex && (f & PT_USER)) &&
		       !(ex && !(f & PT_EXECUTE)) && !(ex && (f & PT_WRITE) && (ctl & PT_CTL_WXN));
	}
	if (user)
		return (f & PT_USER) && !(wr && !(f & PT_WRITE)) && !(ex && !(f & PT_EXECUTE));
	return !(wr && !(f & PT_WRITE) && (ctl & PT_CTL_WP)) && !(ex && !(f & PT_EXECUTE)) &&
	       !(ex && (f & PT_USER) && (ctl & PT_CTL_SMEP)) &&
	       !((rd || wr) && (f & PT_USER) && (ctl & PT_CTL_SMAP) && !(ctl & PT_CTL_AC));
}
#endif

/*
 * Translate va in view v and decide `access` (PT_ACCESS_*, 0 = translation
 * only). LK_OK with *out filled, LK_NOT_MAPPED, LK_CORRUPT (*fault_pte is
 * the entry when known), or LK_DENIED (translated into *out, access refused).
 * `ignore_af`: QEMU's debug walks skip the access flag, so a comparison
 * with them must too.
 */
static int lookup(const struct capture *c, const struct view *v, uint64_t va, unsigned access,
		  bool ignore_af, struct pt_mapping *out)
{
	const struct pt_regime *r = &v->half[half_of(v, va)];
#ifdef LINUX_CHECK_PT_ACCESS
	struct pt_fault f;
	int e = pt_access(r, &c->mm, va, access, out, &f);
	if (e == PT_OK)
		return LK_OK;
	if (e != PT_ERR_FAULT)
		return LK_CORRUPT;
	switch (f.kind) {
	case PT_FAULT_ADDRESS:
	case PT_FAULT_NOT_PRESENT:
		return LK_NOT_MAPPED;
	case PT_FAULT_RESERVED:
	case PT_FAULT_BUS:
		return LK_CORRUPT;
	case PT_FAULT_ACCESS_FLAG:
		if (ignore_af && pt_access(r, &c->mm, va, 0, out, NULL) == PT_OK)
			return LK_OK;
		return LK_DENIED;
	default:
		pt_access(r, &c->mm, va, 0, out, NULL);
		return LK_DENIED;
	}
#else
	int e;
	(void)ignore_af;
	/* The regime's VA size must be the format's: pt_translate has no other. */
	if (r->va_bits && r->va_bits != pt_arch_info(r->arch)->va_bits)
		return LK_NOT_MAPPED;
	e = pt_translate(r->arch, r->features, r->root, &c->mm, va, out);
	if (e == PT_ERR_NOT_MAPPED || e == PT_ERR_INVALID)
		return LK_NOT_MAPPED;
	if (e != PT_OK)
		return LK_CORRUPT;
	if (access && !allowed_by_flags(r, out->flags, access))
		return LK_DENIED;
	return LK_OK;
#endif
}

/* ---- Raw entries: plants and the upper-level NX note only ---------------- */

static uint64_t ram_u64(const struct capture *c, size_t off)
{
	uint64_t v;
	memcpy(&v, c->ram + off, sizeof(v));
	return v;
}

/*
 * The image offsets of the entries on the walk to va's leaf (root first,
 * leaf last), read as the architecture defines them; the count, or 0 if
 * the walk finds no leaf inside the image. Used only to plant faults and
 * for the note on x86 upper-level NX, never to judge libpt.
 */
static int raw_path(const struct capture *c, const struct view *v, uint64_t va, size_t off[])
{
	int h = half_of(v, va);
	unsigned levels = v->arch == PT_X86_64_LA57 ? 5 : 4;
	uint64_t amask = c->x86 ? UINT64_C(0x000ffffffffff000) : UINT64_C(0x0000fffffffff000);
	uint64_t t = v->half[h].root;
	for (unsigned l = 0; l < levels; l++) {
		unsigned shift = 12 + 9 * (levels - 1 - l);
		uint64_t pa = t + (va >> shift & 511) * 8, e;
		bool leaf;
		if (pa < c->img.base || pa + 8 > c->img.base + c->img.len)
			return 0;
		off[l] = (size_t)(pa - c->img.base);
		e = ram_u64(c, off[l]);
		if (!(e & 1))
			return 0;
		leaf = l == levels - 1 ||
		       (c->x86 ? (l + 3 >= levels && (e & 0x80)) : (l >= 1 && !(e & 2)));
		if (leaf)
			return (int)l + 1;
		t = e & amask;
	}
	return 0;
}

/*
 * LINUX_CHECK_PLANT=pa|user|reserved: change one entry of the image copy
 * on the walk to the first leaf of the first view's low half, so that a
 * run must fail (make linux-plants): pa flips PA bit 22 of the leaf; user
 * clears x86 US or flips AArch64 AP[1] (EL0 access); reserved sets x86 PS
 * in the root entry, or makes an AArch64 level-3 page a level-3 "block".
 */
static void plant(struct capture *c, const struct view *v, uint64_t va)
{
	const char *kind = getenv("LINUX_CHECK_PLANT");
	size_t off[PT_MAX_LEVELS];
	int n;
	uint64_t e, bit;
	if (!kind || !*kind)
		return;
	n = raw_path(c, v, va, off);
	if (!n)
		die("plant: no leaf at %#" PRIx64, va);
	if (!strcmp(kind, "pa")) {
		n--;
		bit = UINT64_C(1) << 22;
	} else if (!strcmp(kind, "user")) {
		n--;
		bit = c->x86 ? 4 : 0x40;
	} else if (!strcmp(kind, "reserved")) {
		n = c->x86 ? 0 : n - 1;
		bit = c->x86 ? 0x80 : 2;
	} else {
		die("LINUX_CHECK_PLANT=%s: not pa, user or reserved", kind);
	}
	e = ram_u64(c, off[n]) ^ bit;
	memcpy(c->ram + off[n], &e, sizeof(e));
	printf("  PLANT %s: level %d entry for va %#" PRIx64 " at PA %#" PRIx64 " now %#018" PRIx64
	       "\n", kind, n, va, c->img.base + off[n], e);
}

/* ---- Results -------------------------------------------------------------- */

static int failed_total;

static void group(const struct capture *c, const struct view *v, const char *check,
		  unsigned long pass, unsigned long fail)
{
	printf("[group] linux %s/%s %s: %lu passed, %lu failed\n", c->config, v ? v->name : "-",
	       check, pass, fail);
	if (fail)
		failed_total = 1;
}

static FILE *open_in(const struct capture *c, const char *view, const char *ext)
{
	char name[128], p[4096];
	snprintf(name, sizeof(name), "%s.%s", view, ext);
	path_of(p, sizeof(p), c, name);
	return fopen(p, "r");
}

/* ---- (a) gva2gpa ---------------------------------------------------------- */

static void check_gva(const struct capture *c, const struct view *v)
{
	FILE *f = open_in(c, v->name, "gva2gpa");
	char line[256], what[64];
	unsigned long samples = 0, match = 0, pa_bad = 0, perm_bad = 0, corrupt = 0, shown = 0;
	unsigned long q_mapped = 0;
	if (!f) {
		printf("  %s/%s: no gva2gpa file\n", c->config, v->name);
		group(c, v, "gva2gpa", 0, 1);
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		uint64_t va, qpa = 0;
		struct pt_mapping m, t;
		int e, te;
		bool qmap, bad = false;
		const char *kind = "";
		if (sscanf(line, "%" SCNx64 " %63s", &va, what) != 2)
			continue;
		samples++;
		qmap = strcmp(what, "unmapped") != 0;
		if (qmap) {
			q_mapped++;
			qpa = strtoull(what, NULL, 16);
		}
		e = lookup(c, v, va, v->gva_access, true, &m);
		te = v->gva_access ? lookup(c, v, va, 0, true, &t) : e;
		if (e == LK_CORRUPT) {
			corrupt++;
			bad = true;
			kind = "libpt corrupt";
		} else if (qmap && e == LK_OK) {
			if (m.pa != qpa) {
				pa_bad++;
				bad = true;
				kind = "PA differs";
			}
		} else if (qmap != (e == LK_OK)) {
			bad = true;
			if (te == LK_OK && v->gva_access) {
				perm_bad++;
				kind = qmap ? "libpt refuses, QEMU allows" : "libpt allows, QEMU refuses";
			} else {
				pa_bad++;
				kind = qmap ? "libpt not mapped, QEMU maps" : "libpt maps, QEMU not mapped";
			}
		}
		if (!bad) {
			match++;
			continue;
		}
		if (shown++ < MAX_EXAMPLES)
			printf("  %s/%s gva2gpa %#018" PRIx64 ": %s (QEMU %s, libpt %s pa %#" PRIx64
			       " flags %#x)\n",
			       c->config, v->name, va, kind, what,
			       e == LK_OK ? "ok" : e == LK_DENIED ? "denied" :
			       e == LK_CORRUPT ? "corrupt" : "not-mapped",
			       (e == LK_OK || e == LK_DENIED) ? m.pa : 0,
			       (e == LK_OK || e == LK_DENIED) ? m.flags : 0);
	}
	fclose(f);
	printf("  %s/%s gva2gpa: %lu samples (%lu mapped by QEMU), %lu agree, %lu PA/mapping "
	       "mismatches, %lu permission mismatches, %lu libpt-corrupt\n",
	       c->config, v->name, samples, q_mapped, match, pa_bad, perm_bad, corrupt);
	group(c, v, "gva2gpa", match, samples - match + (samples == 0));
}

/* ---- (b) the walk --------------------------------------------------------- */

struct sig {
	uint64_t key;    /* entry with the address bits masked off, and the level */
	unsigned long n;
	struct ptd_corrupt ex;
	char reason[64];
};

struct walk_acc {
	const struct capture *c;
	uint64_t addr_mask;
	struct sig sig[64];
	int nsig;
	unsigned long corrupt;
	uint64_t *leaves; /* leaf VAs (x86: compared with info tlb) */
	size_t nleaves, cap;
	uint64_t mapped_bytes;
	/* --walk-vas: the first and last byte of every every-th range, the
	 * middle of every every_leaf-th leaf */
	FILE *vas;
	unsigned long nranges, every, nleaf_seen, every_leaf;
	/* the first leaf of the walk (plants) */
	bool have_first;
	uint64_t first_va;
};

static void acc_leaf(struct walk_acc *a, uint64_t va)
{
	if (a->nleaves == a->cap) {
		size_t n = a->cap ? 2 * a->cap : 4096;
		uint64_t *p = realloc(a->leaves, n * sizeof(*p));
		if (!p)
			die("out of memory");
		a->leaves = p;
		a->cap = n;
	}
	a->leaves[a->nleaves++] = va;
}

static void on_range(void *arg, const struct ptd_range *r)
{
	struct walk_acc *a = arg;
	a->mapped_bytes += r->size;
	if (!a->have_first) {
		a->have_first = true;
		a->first_va = r->va;
	}
	for (uint64_t off = 0; off < r->size; off += r->leaf_size) {
		acc_leaf(a, r->va + off);
		if (a->vas && a->nleaf_seen++ % a->every_leaf == 0)
			fprintf(a->vas, "%#" PRIx64 "\n", r->va + off + (r->leaf_size / 2) + 0x238);
	}
	if (a->nranges++ % a->every == 0 && a->vas)
		fprintf(a->vas, "%#" PRIx64 "\n%#" PRIx64 "\n", r->va, r->va + r->size - 8);
}

static void on_corrupt(void *arg, const struct ptd_corrupt *c)
{
	struct walk_acc *a = arg;
	uint64_t key = (c->pte & ~a->addr_mask) ^ ((uint64_t)c->level << 56);
	int i;
	a->corrupt++;
	for (i = 0; i < a->nsig && a->sig[i].key != key; i++)
		;
	if (i == a->nsig) {
		if (a->nsig == 64)
			return;
		a->nsig++;
		a->sig[i].key = key;
		a->sig[i].n = 0;
		a->sig[i].ex = *c;
		copy_str(a->sig[i].reason, sizeof(a->sig[i].reason), c->reason);
	}
	a->sig[i].n++;
}

static int walk_half(const struct capture *c, const struct view *v, int h, struct walk_acc *a,
		     struct ptd_stats *st)
{
	struct ptd_config cfg = { 0 };
	struct ptd_sink sink = { on_range, on_corrupt, a };
	cfg.arch = v->arch;
	cfg.features = v->half[h].features;
	cfg.root = v->half[h].root;
	cfg.va_lo = 0;
	cfg.va_hi = UINT64_MAX;
	cfg.max_tables = 1u << 20;
	return ptd_walk(&c->img, &cfg, &sink, st);
}

static int cmp_u64(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
	return a < b ? -1 : a > b;
}

/* Describe the bits of a corrupt entry a reader will want to see. */
static void explain_pte(bool x86, uint64_t pte, char *buf, size_t len)
{
	if (x86) {
		snprintf(buf, len, "P=%u RW=%u US=%u PWT=%u PCD=%u A=%u D=%u PS=%u G=%u avl9-11=%#x "
			 "bits52-58=%#x pkey=%#x NX=%u",
			 (unsigned)(pte & 1), (unsigned)(pte >> 1 & 1), (unsigned)(pte >> 2 & 1),
			 (unsigned)(pte >> 3 & 1), (unsigned)(pte >> 4 & 1), (unsigned)(pte >> 5 & 1),
			 (unsigned)(pte >> 6 & 1), (unsigned)(pte >> 7 & 1), (unsigned)(pte >> 8 & 1),
			 (unsigned)(pte >> 9 & 7), (unsigned)(pte >> 52 & 0x7f),
			 (unsigned)(pte >> 59 & 0xf), (unsigned)(pte >> 63));
	} else {
		snprintf(buf, len, "valid=%u type=%u AttrIndx=%u NS=%u AP=%u SH=%u AF=%u nG=%u "
			 "bits12-47=%#" PRIx64 " bits48-50=%#x DBM=%u Cont=%u PXN=%u UXN=%u "
			 "sw55-58=%#x pbha59-62=%#x bit63=%u",
			 (unsigned)(pte & 1), (unsigned)(pte >> 1 & 1), (unsigned)(pte >> 2 & 7),
			 (unsigned)(pte >> 5 & 1), (unsigned)(pte >> 6 & 3), (unsigned)(pte >> 8 & 3),
			 (unsigned)(pte >> 10 & 1), (unsigned)(pte >> 11 & 1),
			 pte & UINT64_C(0x0000fffffffff000), (unsigned)(pte >> 48 & 7),
			 (unsigned)(pte >> 51 & 1), (unsigned)(pte >> 52 & 1),
			 (unsigned)(pte >> 53 & 1), (unsigned)(pte >> 54 & 1),
			 (unsigned)(pte >> 55 & 0xf), (unsigned)(pte >> 59 & 0xf),
			 (unsigned)(pte >> 63));
	}
}

static void report_walk(const struct capture *c, const struct view *v, const char *what,
			struct walk_acc *a, const struct ptd_stats *st)
{
	unsigned long leaves = 0, tables = 0;
	char bits[400];
	for (int i = 0; i < 64; i++)
		leaves += st->leaves[i];
	for (int i = 0; i < PT_MAX_LEVELS; i++)
		tables += st->tables[i];
	printf("  %s/%s walk %s: %lu tables, %lu leaves (4K %lu, 2M %lu, 1G %lu), %" PRIu64
	       " MiB mapped, %lu corrupt, %lu tables reached twice, %lu not followed\n",
	       c->config, v->name, what, tables, leaves, st->leaves[12], st->leaves[21],
	       st->leaves[30], a->mapped_bytes >> 20, st->corrupt, st->revisits, st->skipped);
	for (int i = 0; i < a->nsig; i++) {
		const struct ptd_corrupt *e = &a->sig[i].ex;
		explain_pte(c->x86, e->pte, bits, sizeof(bits));
		printf("    corrupt x%lu: level %u, e.g. va %#018" PRIx64 " table %#" PRIx64
		       " index %zu pte %#018" PRIx64 " (%s): %s\n",
		       a->sig[i].n, e->level, e->va, e->table_pa, e->index, e->pte, a->sig[i].reason,
		       bits);
	}
}

/* ---- (c) x86 info tlb / info mem ------------------------------------------ */

struct tlb_leaf {
	uint64_t va, pa;
	char fl[10]; /* X G P D A C T U W */
};

struct mem_range {
	uint64_t lo, hi;
	bool u, w;
};

static struct tlb_leaf *load_tlb(const struct capture *c, const char *view, size_t *n)
{
	FILE *f = open_in(c, view, "tlb");
	char line[256];
	struct tlb_leaf *t = NULL;
	size_t cap = 0;
	*n = 0;
	if (!f)
		return NULL;
	while (fgets(line, sizeof(line), f)) {
		struct tlb_leaf l;
		if (sscanf(line, "%" SCNx64 ": %" SCNx64 " %9s", &l.va, &l.pa, l.fl) != 3 ||
		    strlen(l.fl) != 9)
			continue;
		if (*n == cap) {
			cap = cap ? 2 * cap : 4096;
			t = realloc(t, cap * sizeof(*t));
			if (!t)
				die("out of memory");
		}
		t[(*n)++] = l;
	}
	fclose(f);
	return t;
}

static struct mem_range *load_mem(const struct capture *c, const char *view, size_t *n)
{
	FILE *f = open_in(c, view, "mem");
	char line[256], perm[8];
	struct mem_range *t = NULL;
	size_t cap = 0;
	*n = 0;
	if (!f)
		return NULL;
	while (fgets(line, sizeof(line), f)) {
		struct mem_range r;
		uint64_t size;
		if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %" SCNx64 " %7s", &r.lo, &r.hi, &size,
			   perm) != 4 || strlen(perm) != 3)
			continue;
		r.u = perm[0] == 'u';
		r.w = perm[2] == 'w';
		if (*n == cap) {
			cap = cap ? 2 * cap : 1024;
			t = realloc(t, cap * sizeof(*t));
			if (!t)
				die("out of memory");
		}
		t[(*n)++] = r;
	}
	fclose(f);
	return t;
}

static const struct mem_range *find_mem(const struct mem_range *m, size_t n, uint64_t va)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (va < m[mid].lo)
			hi = mid;
		else if (va >= m[mid].hi)
			lo = mid + 1;
		else
			return &m[mid];
	}
	return NULL;
}

/* Counters of one kind of disagreement, with the first examples. */
struct tally {
	const char *name;
	unsigned long n;
};

static void bump(const struct capture *c, const struct view *v, struct tally *t,
		 const struct tlb_leaf *l, const struct pt_mapping *m, int e, const char *extra)
{
	if (t->n++ < 3)
		printf("    %s/%s %s: va %#018" PRIx64 " info tlb pa %#" PRIx64 " %s; libpt %s pa %#"
		       PRIx64 " flags %#x state %#x size %#" PRIx64 "%s\n",
		       c->config, v->name, t->name, l->va, l->pa, l->fl,
		       e == LK_OK ? "ok" : e == LK_CORRUPT ? "corrupt" : "not-mapped", m->pa,
		       m->flags, m->state, m->size, extra);
}

static const unsigned combos[] = {
	PT_ACCESS_READ, PT_ACCESS_WRITE, PT_ACCESS_EXEC,
	PT_ACCESS_READ | PT_ACCESS_USER, PT_ACCESS_WRITE | PT_ACCESS_USER,
	PT_ACCESS_EXEC | PT_ACCESS_USER,
};
static const char *const combo_names[] = { "r", "w", "x", "ur", "uw", "ux" };

static void check_x86_tables(const struct capture *c, const struct view *v, struct walk_acc *a)
{
	size_t nt, nm;
	struct tlb_leaf *t = load_tlb(c, v->name, &nt);
	struct mem_range *mr = load_mem(c, v->name, &nm);
	struct tally pa = { "tlb PA", 0 }, mapped = { "tlb leaf not translated", 0 };
	struct tally w = { "leaf W", 0 }, u = { "leaf U", 0 }, x = { "leaf NX", 0 };
	struct tally g = { "leaf G", 0 }, ad = { "leaf A/D", 0 }, mt = { "leaf PCD/PWT", 0 };
	struct tally sz = { "leaf PS", 0 };
	struct tally eu = { "effective U (info mem)", 0 }, ew = { "effective W (info mem)", 0 };
	struct tally nomem = { "leaf outside info mem", 0 };
	struct tally upnx = { "NX from an upper level", 0 };
	struct tally acc[6] = { { "access r", 0 }, { "access w", 0 }, { "access x", 0 },
				{ "access ur", 0 }, { "access uw", 0 }, { "access ux", 0 } };
	unsigned long checks = 0, acc_checks = 0, mem_checks = 0;
	unsigned long only_libpt = 0, only_qemu = 0;
	uint64_t ctl = v->half[0].controls;
	if (!t) {
		printf("  %s/%s: no info tlb output\n", c->config, v->name);
		group(c, v, "tlb", 0, 1);
		return;
	}
	for (size_t i = 0; i < nt; i++) {
		const struct tlb_leaf *l = &t[i];
		struct pt_mapping m = { 0 };
		bool upper_nx;
		int e = lookup(c, v, l->va, 0, false, &m);
		uint32_t want_mt;
		checks++;
		if (e != LK_OK) {
			bump(c, v, &mapped, l, &m, e, "");
			continue;
		}
		if (m.pa != l->pa)
			bump(c, v, &pa, l, &m, e, "");
		if ((l->fl[2] == 'P') != (m.size > PT_SIZE_4K))
			bump(c, v, &sz, l, &m, e, "");
		if ((l->fl[8] == 'W') != !!(m.flags & PT_WRITE))
			bump(c, v, &w, l, &m, e, "");
		if ((l->fl[7] == 'U') != !!(m.flags & PT_USER))
			bump(c, v, &u, l, &m, e, "");
		upper_nx = false;
		if (ctl & PT_CTL_NXE) {
			/* info tlb shows the leaf's NX only; the SDM denies a
			 * fetch when any level sets it (Linux's PTI sets it on the
			 * kernel PGD's user entries): the upper entries are read
			 * from the image, the rule is the manual's. */
			size_t off[PT_MAX_LEVELS];
			int n = raw_path(c, v, l->va, off);
			for (int k = 0; k + 1 < n && !upper_nx; k++)
				if (ram_u64(c, off[k]) >> 63) {
					char lv[48];
					upper_nx = true;
					snprintf(lv, sizeof(lv), " (level %d entry %#" PRIx64 ")", k,
						 ram_u64(c, off[k]));
					if (l->fl[0] != 'X')
						bump(c, v, &upnx, l, &m, e, lv);
				}
		}
		if ((l->fl[0] == 'X' || upper_nx) != !(m.flags & PT_EXECUTE))
			bump(c, v, &x, l, &m, e, "");
		if ((l->fl[1] == 'G') != !!(m.flags & PT_GLOBAL))
			bump(c, v, &g, l, &m, e, "");
		if ((l->fl[4] == 'A') != !!(m.state & PT_ACCESSED) ||
		    (l->fl[3] == 'D') != !!(m.state & PT_DIRTY))
			bump(c, v, &ad, l, &m, e, "");
		/* PAT index PCD:PWT with the PAT bit clear (info tlb hides it):
		 * Linux's PAT gives WB, WC, UC-, UC. */
		want_mt = l->fl[5] == 'C' ? (l->fl[6] == 'T' ? PT_DEVICE : PT_UNCACHED) :
					    (l->fl[6] == 'T' ? PT_WC : 0);
		if ((m.flags & (PT_DEVICE | PT_UNCACHED | PT_WC)) != want_mt)
			bump(c, v, &mt, l, &m, e, " (PAT bit assumed clear)");
		if (mr && nm) {
			const struct mem_range *r = find_mem(mr, nm, l->va);
			mem_checks++;
			if (!r) {
				bump(c, v, &nomem, l, &m, e, "");
				continue;
			}
			if (r->u != !!(m.flags & PT_USER))
				bump(c, v, &eu, l, &m, e, r->u ? " (info mem: u)" : " (info mem: -)");
			if (r->w != !!(m.flags & PT_WRITE))
				bump(c, v, &ew, l, &m, e, r->w ? " (info mem: w)" : " (info mem: -)");
			/* Every access kind: allowed per QEMU's effective U/W and
			 * leaf NX with the saved controls, against lookup(). */
			for (int k = 0; k < 6; k++) {
				unsigned ac = combos[k];
				bool usr = ac & PT_ACCESS_USER, wr = ac & PT_ACCESS_WRITE;
				bool ex = ac & PT_ACCESS_EXEC, nx = l->fl[0] == 'X' || upper_nx;
				bool want;
				struct pt_mapping m2;
				int e2;
				if (usr)
					want = r->u && !(wr && !r->w) && !(ex && nx);
				else
					want = !(wr && !r->w && (ctl & PT_CTL_WP)) && !(ex && nx) &&
					       !(ex && r->u && (ctl & PT_CTL_SMEP)) &&
					       !(!ex && r->u && (ctl & PT_CTL_SMAP) && !(ctl & PT_CTL_AC));
				e2 = lookup(c, v, l->va, ac, false, &m2);
				acc_checks++;
				if (want != (e2 == LK_OK)) {
					char why[64];
					snprintf(why, sizeof(why), " (%s: QEMU-derived %s, lookup %s)",
						 combo_names[k], want ? "allow" : "refuse",
						 e2 == LK_OK ? "allow" : "refuse");
					bump(c, v, &acc[k], l, &m, e, why);
				}
			}
		}
	}
	/* The set of leaves: libpt's walk against info tlb's. */
	qsort(a->leaves, a->nleaves, sizeof(*a->leaves), cmp_u64);
	{
		uint64_t *q = malloc((nt ? nt : 1) * sizeof(*q));
		size_t i = 0, j = 0;
		if (!q)
			die("out of memory");
		for (size_t k = 0; k < nt; k++)
			q[k] = t[k].va;
		qsort(q, nt, sizeof(*q), cmp_u64);
		while (i < a->nleaves || j < nt) {
			if (j == nt || (i < a->nleaves && a->leaves[i] < q[j])) {
				if (only_libpt++ < 3)
					printf("    %s/%s leaf only in libpt's walk: %#018" PRIx64 "\n",
					       c->config, v->name, a->leaves[i]);
				i++;
			} else if (i == a->nleaves || q[j] < a->leaves[i]) {
				if (only_qemu++ < 3)
					printf("    %s/%s leaf only in info tlb: %#018" PRIx64 "\n",
					       c->config, v->name, q[j]);
				j++;
			} else {
				i++;
				j++;
			}
		}
		free(q);
	}
	{
		unsigned long leaf_bad = pa.n + mapped.n + w.n + u.n + x.n + g.n + ad.n + mt.n + sz.n;
		unsigned long eff_bad = eu.n + ew.n + nomem.n, acc_bad = 0;
		for (int k = 0; k < 6; k++)
			acc_bad += acc[k].n;
		printf("  %s/%s info tlb: %zu leaves; not translated %lu, PA %lu, PS %lu, W %lu, U %lu, "
		       "NX %lu, G %lu, A/D %lu, PCD/PWT %lu; leaves only in libpt's walk %lu, only "
		       "in info tlb %lu\n",
		       c->config, v->name, nt, mapped.n, pa.n, sz.n, w.n, u.n, x.n, g.n, ad.n, mt.n,
		       only_libpt, only_qemu);
		printf("  %s/%s %lu leaves executable by their own bits lie under an upper-level entry "
		       "with NX set (judged as not executable)\n", c->config, v->name, upnx.n);
		group(c, v, "tlb", checks - (leaf_bad > checks ? checks : leaf_bad) + (only_libpt || only_qemu ? 0 : 1),
		      leaf_bad + (only_libpt || only_qemu ? 1 : 0));
		if (mr && nm) {
			printf("  %s/%s info mem: %zu ranges; effective U %lu, W %lu mismatches, leaves "
			       "outside %lu; access checks %lu:",
			       c->config, v->name, nm, eu.n, ew.n, nomem.n, acc_checks);
			for (int k = 0; k < 6; k++)
				printf(" %s %lu", combo_names[k], acc[k].n);
			printf("\n");
			group(c, v, "mem", mem_checks - (eff_bad > mem_checks ? mem_checks : eff_bad),
			      eff_bad);
			group(c, v, "access", acc_checks - acc_bad, acc_bad);
		} else {
			printf("  %s/%s info mem: empty (QEMU 7.2 prints nothing under 5-level paging): "
			       "effective permissions not checked\n", c->config, v->name);
		}
	}
	free(t);
	free(mr);
}

/* ---- Driver --------------------------------------------------------------- */

static void check_view(const struct capture *c, const struct view *v)
{
	struct walk_acc a;
	struct ptd_stats st;
	unsigned long corrupt = 0, leaves = 0;
	printf("  %s/%s: %s, root %#" PRIx64, c->config, v->name, pt_arch_info(v->arch)->name,
	       v->half[0].root);
	if (v->halves == 2)
		printf(" / TTBR1 %#" PRIx64 ", VA bits %u/%u", v->half[1].root, v->va_bits[0],
		       v->va_bits[1]);
	printf(", controls %#" PRIx64 "%s, %s mode\n", v->half[0].controls,
	       (v->halves == 2 && v->half[1].controls != v->half[0].controls) ? " (TTBR1 differs)" : "",
	       v->user_mode ? "user" : "kernel");
	if (v->walk_only)
		printf("  %s/%s: walked by libpt only (QEMU was not asked under these registers)\n",
		       c->config, v->name);
	else
		check_gva(c, v);
	memset(&a, 0, sizeof(a));
	a.c = c;
	a.every = 1;
	a.addr_mask = UINT64_C(0x000ffffffffff000);
	if (!c->x86)
		a.addr_mask = UINT64_C(0x0000fffffffff000);
	for (int h = 0; h < v->halves; h++) {
		struct walk_acc one = a;
		walk_half(c, v, h, &one, &st);
		report_walk(c, v, v->halves == 2 ? (h ? "TTBR1" : "TTBR0") : "CR3", &one, &st);
		corrupt += st.corrupt + st.skipped;
		for (int i = 0; i < 64; i++)
			leaves += st.leaves[i];
		if (c->x86 && h == 0 && !v->walk_only)
			check_x86_tables(c, v, &one);
		free(one.leaves);
	}
	group(c, v, "walk", leaves, corrupt);
}

static int check_capture(const char *dir)
{
	struct capture c;
	char p[4096], line[512];
	FILE *f;
	int views = 0;
	load_capture(&c, dir);
	printf("== %s (%s): regs", c.config, dir);
	for (int i = 0; i < c.regs.n; i++)
		printf(" %s=%s", c.regs.v[i].key, c.regs.v[i].val);
	for (int i = 0; i < c.meta.n; i++)
		if (strstr(c.meta.v[i].key, "_half"))
			printf("; stopped with %s=%s", c.meta.v[i].key, c.meta.v[i].val);
	printf("\n");
	path_of(p, sizeof(p), &c, "views.txt");
	f = fopen(p, "r");
	if (!f)
		die("%s: cannot read", p);
	while (fgets(line, sizeof(line), f)) {
		struct view v;
		if (make_view(&c, line, &v))
			continue;
		if (!views) {
			struct walk_acc a;
			struct ptd_stats st;
			memset(&a, 0, sizeof(a));
			a.every = 1;
			walk_half(&c, &v, 0, &a, &st);
			free(a.leaves);
			if (a.have_first)
				plant(&c, &v, a.first_va);
		}
		check_view(&c, &v);
		views++;
	}
	fclose(f);
	if (!views)
		group(&c, NULL, "views", 0, 1);
	munmap(c.ram, c.ram_len);
	return 0;
}

/* Sample VAs from libpt's walk in every view (views.txt, else the saved
 * registers): first and last byte of ranges (at most ~2000 per root, 1000
 * on x86) and the middle of leaves (at most ~3000 per root, 1500 on x86). */
static int walk_vas(const char *dir)
{
	struct capture c;
	char p[4096], line[512];
	FILE *f;
	load_capture(&c, dir);
	path_of(p, sizeof(p), &c, "views.txt");
	f = fopen(p, "r");
	while (f ? fgets(line, sizeof(line), f) != NULL : (strcpy(line, "cur"), 1)) {
		struct view v;
		if (make_view(&c, line, &v))
			continue;
		for (int h = 0; h < v.halves; h++) {
			struct walk_acc a;
			struct ptd_stats st;
			memset(&a, 0, sizeof(a));
			a.every = 1;
			walk_half(&c, &v, h, &a, &st); /* count ranges and leaves first */
			/* x86 has info tlb for every leaf: fewer samples there. */
			a.every = a.nranges / (c.x86 ? 1000 : 2000) + 1;
			a.every_leaf = a.nleaves / (c.x86 ? 1500 : 3000) + 1;
			a.nranges = 0;
			a.vas = stdout;
			free(a.leaves);
			a.leaves = NULL;
			a.nleaves = a.cap = 0;
			a.mapped_bytes = 0;
			walk_half(&c, &v, h, &a, &st);
			free(a.leaves);
		}
		if (!f)
			break;
	}
	if (f)
		fclose(f);
	munmap(c.ram, c.ram_len);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "--walk-vas"))
		return walk_vas(argv[2]);
	if (argc < 2 || argv[1][0] == '-') {
		fprintf(stderr, "usage: linux_check CAPTURE... | --walk-vas CAPTURE\n");
		return 2;
	}
	for (int i = 1; i < argc; i++)
		check_capture(argv[i]);
	return failed_total;
}
