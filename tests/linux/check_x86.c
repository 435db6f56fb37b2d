/* SPDX-License-Identifier: MIT */
/* linux_check's x86 checks: info tlb's leaves and info mem's permissions against libpt. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "linux_check.h"

static int cmp_u64(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
	return a < b ? -1 : a > b;
}

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

void check_x86_tables(const struct capture *c, const struct view *v, struct walk_acc *a)
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
