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
 *
 * capture.c reads a capture and builds its views; check_x86.c holds the
 * tlb, mem and access checks; this file the rest and the driver.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "linux_check.h"

#define MAX_EXAMPLES 6

/* ---- The one permission function ----------------------------------------- */

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
int lookup(const struct capture *c, const struct view *v, uint64_t va, unsigned access,
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

/* ---- Plants --------------------------------------------------------------- */

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

void group(const struct capture *c, const struct view *v, const char *check,
	   unsigned long pass, unsigned long fail)
{
	printf("[group] linux %s/%s %s: %lu passed, %lu failed\n", c->config, v ? v->name : "-",
	       check, pass, fail);
	if (fail)
		failed_total = 1;
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
