/* SPDX-License-Identifier: MIT */
/*
 * ptdump tests: the oracles. A flat model of every leaf made and the
 * coalescing rule give what ptdump must report; the collecting sink captures
 * what it did report; pt_walk and pt_translate cross-check both.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_ptdump.h"

/* ---- The flat model: every leaf made, in any order -------------------- */

void model_add(struct model *m, uint64_t va, uint64_t pa, uint64_t size, uint32_t flags)
{
	if (m->n == m->cap) {
		m->cap = m->cap ? 2 * m->cap : 256;
		m->v = realloc(m->v, m->cap * sizeof(*m->v));
		if (!m->v)
			abort();
	}
	m->v[m->n++] = (struct leaf){ va, pa, size, flags, 0, 0 };
}

bool model_overlaps(const struct model *m, uint64_t va, uint64_t size)
{
	for (size_t i = 0; i < m->n; i++)
		if (va <= m->v[i].va + (m->v[i].size - 1) && m->v[i].va <= va + (size - 1))
			return true;
	return false;
}

/* The next smaller span below a leaf of `size`. */
static uint64_t child_size(const struct ptd_geom *g, uint64_t size)
{
	for (unsigned l = 0; l + 1 < g->levels; l++)
		if ((UINT64_C(1) << g->shift[l]) == size)
			return UINT64_C(1) << g->shift[l + 1];
	abort();
}

/* Split the leaf strictly straddling `edge` one level at a time, as the
 * library does; if keep_flags is given, a leaf already carrying those flags
 * stays whole (lead's semantics for protect_region). */
static void model_split(struct model *m, uint64_t edge, bool check_flags, uint32_t flags)
{
	for (;;) {
		size_t i;
		for (i = 0; i < m->n; i++)
			if (m->v[i].va < edge && edge - m->v[i].va < m->v[i].size)
				break;
		if (i == m->n)
			return;
		struct leaf l = m->v[i];
		if (check_flags && l.flags == flags)
			return;
		uint64_t c = child_size(m->g, l.size);
		m->v[i] = m->v[--m->n];
		for (uint64_t off = 0; off < l.size; off += c)
			model_add(m, l.va + off, l.pa + off, c, l.flags);
	}
}

void model_protect(struct model *m, uint64_t va, uint64_t size, uint32_t flags)
{
	model_split(m, va, true, flags);
	model_split(m, va + size, true, flags);
	for (size_t i = 0; i < m->n; i++)
		if (m->v[i].va >= va && m->v[i].va + m->v[i].size - 1 <= va + size - 1)
			m->v[i].flags = flags;
}

void model_unmap(struct model *m, uint64_t va, uint64_t size)
{
	model_split(m, va, false, 0);
	model_split(m, va + size, false, 0);
	for (size_t i = 0; i < m->n;)
		if (m->v[i].va >= va && m->v[i].va + m->v[i].size - 1 <= va + size - 1)
			m->v[i] = m->v[--m->n];
		else
			i++;
}

static int cmp_leaf(const void *a, const void *b)
{
	const struct leaf *x = a, *y = b;
	return x->va < y->va ? -1 : x->va > y->va;
}

/* What ptdump must print for these leaves: the coalescing rule itself. */
size_t coalesce(struct leaf *v, size_t n, struct ptd_range *out)
{
	size_t k = 0;
	qsort(v, n, sizeof(*v), cmp_leaf);
	for (size_t i = 0; i < n; i++) {
		struct ptd_range *r = k ? &out[k - 1] : NULL;
		if (r && r->leaf_size == v[i].size && r->flags == v[i].flags &&
		    r->level == v[i].level && r->attr == v[i].attr &&
		    r->va + r->size == v[i].va && r->pa + r->size == v[i].pa) {
			r->size += v[i].size;
			continue;
		}
		out[k++] = (struct ptd_range){ v[i].va, v[i].pa, v[i].size, v[i].size, v[i].flags,
					       v[i].level, v[i].attr };
	}
	return k;
}

/* ---- Collecting sink ---------------------------------------------------- */

void col_range(void *arg, const struct ptd_range *r)
{
	struct collect *c = arg;
	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 256;
		c->r = realloc(c->r, c->cap * sizeof(*c->r));
		if (!c->r)
			abort();
	}
	c->r[c->n++] = *r;
}

void col_corrupt(void *arg, const struct ptd_corrupt *x)
{
	struct collect *c = arg;
	if (c->nc < 64)
		c->c[c->nc] = *x;
	c->nc++;
}

/* Every range ptdump reports must be what pt_translate says at both ends. */
unsigned translate_mismatches(const struct ptd_image *img, const struct ptd_config *cfg,
			      const struct collect *c)
{
	unsigned bad = 0;
	for (size_t i = 0; i < c->n; i++) {
		const struct ptd_range *r = &c->r[i];
		uint64_t off[2] = { 0, r->size - 1 };
		for (int j = 0; j < 2; j++) {
			struct pt_mapping m;
			int e = ptd_translate(img, cfg, r->va + off[j], &m);
			if (e != PT_OK || m.pa != r->pa + off[j] || m.flags != r->flags ||
			    m.size != r->leaf_size) {
				if (bad++ < 3)
					printf("  translate 0x%" PRIx64 ": %s pa 0x%" PRIx64
					       " (want 0x%" PRIx64 ") flags %x/%x size %" PRIx64 "\n",
					       r->va + off[j], pt_strerror(e), m.pa, r->pa + off[j],
					       m.flags, r->flags, m.size);
			}
		}
	}
	return bad;
}

/* ---- pt_walk as a second oracle ---------------------------------------- */

int walk_pre(void *arg, const struct pt_entry *e)
{
	struct walkacc *w = arg;
	if (e->leaf) {
		model_add(&w->leaves, e->va, e->pa, e->size, e->flags);
		w->leaves.v[w->leaves.n - 1].level = e->level;
		w->leaves.v[w->leaves.n - 1].attr = ptd_attr_bits(w->cfg, e->level, e->pte);
	} else
		w->tables[e->level + 1]++;
	return 0;
}

static int cmp_va(const void *k, const void *e)
{
	uint64_t va = *(const uint64_t *)k, v = ((const struct leaf *)e)->va;
	return va < v ? -1 : va > v;
}

bool model_fill_attrs(struct model *m, const struct model *walked)
{
	struct leaf *w = malloc((walked->n + 1) * sizeof(*w));
	bool ok = true;
	memcpy(w, walked->v, walked->n * sizeof(*w));
	qsort(w, walked->n, sizeof(*w), cmp_leaf);
	for (size_t i = 0; i < m->n; i++) {
		const struct leaf *f = bsearch(&m->v[i].va, w, walked->n, sizeof(*w), cmp_va);
		if (!f) {
			ok = false;
			continue;
		}
		m->v[i].level = f->level;
		m->v[i].attr = f->attr;
	}
	free(w);
	return ok;
}
