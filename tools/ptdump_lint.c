/* SPDX-License-Identifier: MIT */
/*
 * ptdump --lint: mappings a hardened kernel should not have, read from the
 * effective permissions (what every level allows together):
 *   wx            writable and executable
 *   user-global   a user page not tagged by ASID (visible to every process)
 *   exec-device   executable device memory (speculative fetches from MMIO)
 *   w-alias       a writable mapping of a frame some other VA executes
 * One finding per offending VA range, in VA order.
 */
#include "ptdump_core.h"

#include <stdlib.h>
#include <string.h>

const char *ptd_lint_name(enum ptd_lint_kind k)
{
	static const char *const n[] = { "wx", "user-global", "exec-device", "w-alias" };
	return (unsigned)k < sizeof(n) / sizeof(n[0]) ? n[k] : "?";
}

/* Ranges by PA, for the alias sweep. */
struct by_pa {
	uint64_t pa, last; /* inclusive */
	size_t i;
};

static int cmp_pa(const void *a, const void *b)
{
	const struct by_pa *x = a, *y = b;
	if (x->pa != y->pa)
		return x->pa < y->pa ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

static int cmp_finding(const void *a, const void *b)
{
	const struct ptd_finding *x = a, *y = b;
	if (x->r.va != y->r.va)
		return x->r.va < y->r.va ? -1 : 1;
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	return x->other.va < y->other.va ? -1 : x->other.va > y->other.va;
}

/* The part of range r whose PA lies in [lo, hi]. */
static struct ptd_range clip_pa(const struct ptd_range *r, uint64_t lo, uint64_t hi)
{
	struct ptd_range c = *r;
	uint64_t last = r->pa + (r->size - 1);
	if (lo > c.pa) {
		c.va += lo - c.pa;
		c.pa = lo;
	}
	if (hi < last)
		last = hi;
	c.size = last - c.pa + 1;
	return c;
}

struct findings {
	struct ptd_finding *v;
	size_t n, cap;
	bool nomem;
};

static void add(struct findings *f, const struct ptd_finding *x)
{
	if (f->n == f->cap) {
		size_t ncap = f->cap ? 2 * f->cap : 64;
		struct ptd_finding *n = realloc(f->v, ncap * sizeof(*n));
		if (!n) {
			f->nomem = true;
			return;
		}
		f->v = n;
		f->cap = ncap;
	}
	f->v[f->n++] = *x;
}

/*
 * Writable aliases: sort by PA and sweep, keeping the ranges whose PA span
 * is still open; each writable range overlapping an executable one at
 * another VA is a finding (clipped to the shared frames). A range that is
 * both (wx) is reported as wx, not as its own alias.
 */
static void aliases(const struct ptd_range *r, size_t n, struct findings *out)
{
	struct by_pa *v = malloc((n ? n : 1) * sizeof(*v));
	size_t *open = malloc((n ? n : 1) * sizeof(*open)), nopen = 0;
	if (!v || !open) {
		out->nomem = true;
		free(v);
		free(open);
		return;
	}
	for (size_t i = 0; i < n; i++)
		v[i] = (struct by_pa){ r[i].pa, r[i].pa + (r[i].size - 1), i };
	if (n)
		qsort(v, n, sizeof(*v), cmp_pa);
	for (size_t k = 0; k < n; k++) {
		const struct ptd_range *a = &r[v[k].i];
		size_t keep = 0;
		for (size_t j = 0; j < nopen; j++) {
			const struct ptd_range *b = &r[v[open[j]].i];
			const struct ptd_range *w, *x;
			if (v[open[j]].last < v[k].pa)
				continue; /* closed: drop it */
			open[keep++] = open[j];
			if ((a->flags & PT_WRITE) && (b->flags & PT_EXECUTE) && a->va != b->va)
				w = a, x = b;
			else if ((b->flags & PT_WRITE) && (a->flags & PT_EXECUTE) && a->va != b->va)
				w = b, x = a;
			else
				continue;
			{
				uint64_t lo = v[k].pa, hi = v[open[j]].last < v[k].last ? v[open[j]].last
											: v[k].last;
				struct ptd_finding f = { PTD_LINT_W_ALIAS, clip_pa(w, lo, hi), clip_pa(x, lo, hi) };
				add(out, &f);
			}
			/* The same pair the other way round (both W and X):
			 * x writable and w executable. */
			if ((x->flags & PT_WRITE) && (w->flags & PT_EXECUTE)) {
				uint64_t lo = v[k].pa, hi = v[open[j]].last < v[k].last ? v[open[j]].last
											: v[k].last;
				struct ptd_finding f = { PTD_LINT_W_ALIAS, clip_pa(x, lo, hi), clip_pa(w, lo, hi) };
				add(out, &f);
			}
		}
		nopen = keep;
		open[nopen++] = k;
	}
	free(v);
	free(open);
}

unsigned long ptd_lint(const struct ptd_range *r, size_t n,
		       void (*fn)(void *arg, const struct ptd_finding *f), void *arg)
{
	struct findings out = { 0 };
	unsigned long count;
	for (size_t i = 0; i < n; i++) {
		uint32_t f = r[i].flags;
		struct ptd_finding x;
		memset(&x, 0, sizeof(x));
		x.r = r[i];
		if ((f & PT_WRITE) && (f & PT_EXECUTE)) {
			x.kind = PTD_LINT_WX;
			add(&out, &x);
		}
		if ((f & PT_USER) && (f & PT_GLOBAL)) {
			x.kind = PTD_LINT_USER_GLOBAL;
			add(&out, &x);
		}
		if ((f & PT_EXECUTE) && (f & PT_DEVICE)) {
			x.kind = PTD_LINT_EXEC_DEVICE;
			add(&out, &x);
		}
	}
	aliases(r, n, &out);
	if (out.n)
		qsort(out.v, out.n, sizeof(*out.v), cmp_finding);
	for (size_t i = 0; i < out.n; i++)
		if (fn)
			fn(arg, &out.v[i]);
	count = out.nomem ? out.n + 1 : out.n;
	free(out.v);
	return count;
}
