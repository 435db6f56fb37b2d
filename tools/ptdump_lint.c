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
 * Writable aliases: the executable ranges sorted by PA, with the largest
 * PA end of each prefix, so that for each writable range a binary search
 * finds the last executable range starting below its end and a backward
 * scan stops as soon as no earlier range can reach its start. Each
 * executable alias at another VA is a finding, clipped to the frames they
 * share; the scan (64 candidates), the findings per writable range (8)
 * and in all (65536) are bounded, so that an image mapping one frame at
 * every VA costs O(n log n), not O(n^2).
 */
#define ALIAS_SCAN 64
#define ALIAS_PER_RANGE 8
#define ALIAS_MAX 65536

static void aliases(const struct ptd_range *r, size_t n, struct findings *out)
{
	struct by_pa *x = malloc((n ? n : 1) * sizeof(*x));
	uint64_t *maxend = malloc((n ? n : 1) * sizeof(*maxend));
	size_t nx = 0;
	if (!x || !maxend) {
		out->nomem = true;
		free(x);
		free(maxend);
		return;
	}
	for (size_t i = 0; i < n; i++)
		if (r[i].flags & PT_EXECUTE)
			x[nx++] = (struct by_pa){ r[i].pa, r[i].pa + (r[i].size - 1), i };
	if (nx)
		qsort(x, nx, sizeof(*x), cmp_pa);
	for (size_t k = 0; k < nx; k++)
		maxend[k] = k && maxend[k - 1] > x[k].last ? maxend[k - 1] : x[k].last;
	for (size_t i = 0, total = 0; i < n && nx && total < ALIAS_MAX; i++) {
		const struct ptd_range *w = &r[i];
		uint64_t lo = w->pa, hi = w->pa + (w->size - 1);
		size_t a = 0, b = nx, steps = 0, found = 0;
		if (!(w->flags & PT_WRITE))
			continue;
		/* b: the number of executable ranges starting at or below hi. */
		while (a < b) {
			size_t m = a + (b - a) / 2;
			if (x[m].pa <= hi)
				a = m + 1;
			else
				b = m;
		}
		while (b-- > 0 && maxend[b] >= lo && steps++ < ALIAS_SCAN) {
			const struct ptd_range *e = &r[x[b].i];
			uint64_t l2 = lo > x[b].pa ? lo : x[b].pa, h2 = hi < x[b].last ? hi : x[b].last;
			struct ptd_finding f;
			if (x[b].i == i || x[b].last < lo)
				continue;
			f.kind = PTD_LINT_W_ALIAS;
			f.r = clip_pa(w, l2, h2);
			f.other = clip_pa(e, l2, h2);
			add(out, &f);
			total++;
			if (++found == ALIAS_PER_RANGE)
				break;
		}
	}
	free(x);
	free(maxend);
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
