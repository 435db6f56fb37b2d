/* SPDX-License-Identifier: MIT */
/*
 * ptdump --diff: what changed between two images of the same address
 * space. Both range lists are cut at the union of their boundaries; each
 * piece is added (mapped in the new image only), removed (old only),
 * changed (both, with another PA, leaf size, permissions, memory type or
 * raw attributes) or the same; runs of pieces of one kind that continue
 * each other are reported as one change.
 */
#include "ptdump_core.h"

#include <string.h>

/* The piece [va, last] of range r (which covers it). */
static struct ptd_range piece(const struct ptd_range *r, uint64_t va, uint64_t last)
{
	struct ptd_range p = *r;
	p.pa = r->pa + (va - r->va);
	p.va = va;
	p.size = last - va + 1;
	return p;
}

static bool same_kind(const struct ptd_range *a, const struct ptd_range *b)
{
	return a->leaf_size == b->leaf_size && a->flags == b->flags && a->level == b->level &&
	       a->attr == b->attr;
}

/* b continues a in VA and PA with the same attributes. */
static bool continues(const struct ptd_range *a, const struct ptd_range *b)
{
	return same_kind(a, b) && a->va + a->size == b->va && a->pa + a->size == b->pa;
}

struct pending {
	bool have;
	struct ptd_change c;
	unsigned long count;
	void (*fn)(void *arg, const struct ptd_change *c);
	void *arg;
};

static void flush(struct pending *p)
{
	if (p->have) {
		p->count++;
		if (p->fn)
			p->fn(p->arg, &p->c);
	}
	p->have = false;
}

static void emit(struct pending *p, enum ptd_diff_kind k, const struct ptd_range *o,
		 const struct ptd_range *n)
{
	if (p->have && p->c.kind == k && (!o || continues(&p->c.old_r, o)) &&
	    (!n || continues(&p->c.new_r, n))) {
		if (o)
			p->c.old_r.size += o->size;
		if (n)
			p->c.new_r.size += n->size;
		return;
	}
	flush(p);
	memset(&p->c, 0, sizeof(p->c));
	p->c.kind = k;
	if (o)
		p->c.old_r = *o;
	if (n)
		p->c.new_r = *n;
	p->have = true;
}

unsigned long ptd_diff(const struct ptd_range *a, size_t na, const struct ptd_range *b, size_t nb,
		       void (*fn)(void *arg, const struct ptd_change *c), void *arg)
{
	struct pending p = { false, { 0 }, 0, fn, arg };
	size_t i = 0, j = 0;
	uint64_t va = 0; /* every VA below this has been looked at */
	for (;;) {
		const struct ptd_range *x, *y;
		uint64_t xl = 0, yl = 0, sx = 0, sy = 0, start, last = UINT64_MAX;
		bool in_x, in_y;
		/* Both lists are VA-ordered: skip what ends before va. */
		while (i < na && a[i].va + (a[i].size - 1) < va)
			i++;
		while (j < nb && b[j].va + (b[j].size - 1) < va)
			j++;
		x = i < na ? &a[i] : NULL;
		y = j < nb ? &b[j] : NULL;
		if (!x && !y)
			break;
		if (x) {
			xl = x->va + (x->size - 1);
			sx = x->va > va ? x->va : va;
		}
		if (y) {
			yl = y->va + (y->size - 1);
			sy = y->va > va ? y->va : va;
		}
		start = !x ? sy : !y ? sx : sx < sy ? sx : sy;
		in_x = x && sx == start;
		in_y = y && sy == start;
		/* The piece ends where a range ends or the other one starts. */
		if (in_x)
			last = xl;
		if (in_y && yl < last)
			last = yl;
		if (x && !in_x && x->va - 1 < last)
			last = x->va - 1;
		if (y && !in_y && y->va - 1 < last)
			last = y->va - 1;
		if (in_x && in_y) {
			struct ptd_range o = piece(x, start, last), n = piece(y, start, last);
			if (o.pa != n.pa || !same_kind(&o, &n))
				emit(&p, PTD_DIFF_CHANGED, &o, &n);
			else
				flush(&p);
		} else if (in_x) {
			struct ptd_range o = piece(x, start, last);
			emit(&p, PTD_DIFF_REMOVED, &o, NULL);
		} else {
			struct ptd_range n = piece(y, start, last);
			emit(&p, PTD_DIFF_ADDED, NULL, &n);
		}
		if (last == UINT64_MAX)
			break;
		va = last + 1;
	}
	flush(&p);
	return p.count;
}
