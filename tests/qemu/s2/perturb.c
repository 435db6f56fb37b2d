/* SPDX-License-Identifier: MIT */
/* The stage-2 guest's perturbations: raw edits of both stages' entries, found by pt_walk. */
#include "s2.h"

/* ---- Perturbing both stages -------------------------------------------- */

struct collect {
	struct spot *v;
	unsigned n;
	uint64_t cur[6];   /* table of each level, as the tables hold it */
	uint64_t to_host;  /* add to reach the entry */
};
struct spot spots2[SPOTS];

static int collect_pre(void *arg, const struct pt_entry *e)
{
	struct collect *c = arg;
	uint64_t hpa = c->cur[e->level] + e->index * 8 + c->to_host;
	if (*(volatile uint64_t *)(uintptr_t)hpa != e->pte)
		panic("pt_walk's entry is not where the walk says", hpa);
	if (!e->leaf && e->level + 1 < 6)
		c->cur[e->level + 1] = e->pa;
	if (c->n < SPOTS) {
		struct spot *p = &c->v[c->n++];
		p->hpa = hpa;
		p->lo = e->va;
		p->hi = e->va + e->size;
		p->next = e->leaf ? 0 : e->pa;
		p->leaf = e->leaf;
		p->level = e->level;
	}
	return 0;
}

unsigned collect(const struct pt_table *t, struct spot *v, uint64_t to_host)
{
	struct collect c;
	memset(&c, 0, sizeof c);
	c.v = v;
	c.cur[0] = pt_root(t);
	c.to_host = to_host;
	const struct pt_walk_ops ops = { 0, collect_pre, NULL };
	must(pt_walk(t, &ops, &c), "pt_walk");
	return c.n;
}

unsigned long n_perturbed;

static void poke(uint64_t hpa, uint64_t v)
{
	*(volatile uint64_t *)(uintptr_t)hpa = v;
	n_perturbed++;
}

/* Stage 1, inside the test range: leaves and table entries as other
 * kernels may leave them. */
void perturb_s1(unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		const struct spot *p = &spots1[i];
		if (p->lo < TEST_VA)
			continue;
		uint64_t e = *(volatile uint64_t *)(uintptr_t)p->hpa;
		if (below(100) < 10) { /* bits the MMU ignores, DBM with HD off */
			e ^= (uint64_t)(1 + below(15)) << 55 | (p->leaf ? (uint64_t)below(2) << 51 : 0);
			poke(p->hpa, e);
		}
		if (p->leaf) {
			if (below(100) >= 30)
				continue;
			switch (below(6)) {
			case 0: e = (e & ~(3ull << 6)) | (uint64_t)below(4) << 6; break; /* AP */
			case 1: e ^= 1ull << 54; break;                                   /* UXN */
			case 2: e ^= 1ull << 53; break;                                   /* PXN */
			case 3: e &= ~(1ull << 10); break;                                /* AF */
			case 4: e &= ~1ull; break;                                        /* invalid */
			default:
				if (p->hi - p->lo == 4096)
					e &= ~2ull; /* level 3 with bit 1 clear: reserved */
				else
					e ^= 1ull << 54 | 1ull << 53;
				break;
			}
		} else {
			if (below(100) >= 8)
				continue;
			switch (below(4)) {
			case 0: e = (e & ~(3ull << 61)) | (uint64_t)below(4) << 61; break; /* APTable */
			case 1: e ^= 1ull << 60; break;                                     /* UXNTable */
			case 2: e ^= 1ull << 59; break;                                     /* PXNTable */
			default: e &= ~1ull; break;
			}
		}
		poke(p->hpa, e);
	}
}

/* Stage 2: the data region's leaves and tables, and the leaves that map
 * stage-1 table frames (not EL1's own). XN[0] only with FEAT_XNX. */
void perturb_s2(const struct set *s, unsigned n, bool xnx)
{
	/* An output address bit at or above the stage-2 output size: an
	 * address size fault. Only where that is below 48 bits, so that no
	 * access ever reaches an address with no memory. */
	const uint64_t oa_bad = s2_pa_bits < 48 ? 1ull << (s2_pa_bits + below(48 - s2_pa_bits)) : 0;
	const uint64_t prot_hi = S1_POOL_IPA + s->s1_protect;
	for (unsigned i = 0; i < n; i++) {
		const struct spot *p = &spots2[i];
		bool data = p->lo >= DATA_IPA && p->hi <= DATA_IPA + DATA_BYTES;
		bool s1tab = p->leaf && p->lo >= prot_hi && p->hi <= S1_POOL_IPA + s1pool.used;
		if (!data && !s1tab)
			continue;
		uint64_t e = *(volatile uint64_t *)(uintptr_t)p->hpa;
		if (!p->leaf) {
			const unsigned r = below(100);
			if (r < 4)
				poke(p->hpa, e & ~1ull);
			else if (r < 14) /* no table attributes at stage 2 */
				poke(p->hpa, e | (uint64_t)(1 + below(31)) << 59);
			continue;
		}
		if (below(100) < 10) { /* the software bits: the MMU ignores them */
			e ^= (uint64_t)(1 + below(15)) << 55;
			poke(p->hpa, e);
		}
		if (below(100) >= (s1tab ? 6u : 30u))
			continue;
		if (oa_bad && below(12) == 0) {
			poke(p->hpa, e | oa_bad);
			continue;
		}
		/* A quarter of them twice: an access flag and a permission
		 * fault on one leaf show which the MMU reports first. */
		for (unsigned n_edits = below(4) ? 1 : 2; n_edits; n_edits--) {
			switch (below(s1tab ? 3 : 6)) {
			case 0: e = (e & ~(3ull << 6)) | (uint64_t)below(4) << 6; break; /* S2AP */
			case 1: e &= ~(1ull << 10); break;                                /* AF */
			case 2: e &= ~1ull; break;                                        /* invalid */
			case 3: e ^= 1ull << 54; break;                                   /* XN[1] */
			case 4:
				if (xnx)
					e ^= 1ull << 53; /* XN[0] */
				else
					e &= ~(1ull << 7);
				break;
			default:
				if (p->hi - p->lo == 4096)
					e &= ~2ull;
				else
					e &= ~(1ull << 7);
				break;
			}
		}
		poke(p->hpa, e);
	}
}

/* With TCR_EL1.HA/HD: stage-1 leaves the MMU must update (AF clear;
 * writable and clean: DBM with AP[2] set) in stage-1 table frames that
 * stage 2 maps read-only, so that the update itself faults at stage 2. */
void perturb_hahd(const struct set *s, unsigned n2)
{
	for (unsigned i = 0; i < nspots1; i++) {
		const struct spot *p = &spots1[i];
		if (p->lo < TEST_VA || !p->leaf || below(100) >= 40)
			continue;
		uint64_t e = *(volatile uint64_t *)(uintptr_t)p->hpa;
		if (below(2))
			e &= ~(1ull << 10);
		else if (e & 1ull << 51)
			e |= 1ull << 7;
		poke(p->hpa, e);
	}
	const uint64_t prot_hi = S1_POOL_IPA + s->s1_protect;
	for (unsigned i = 0; i < n2; i++) {
		const struct spot *p = &spots2[i];
		if (!p->leaf || p->lo < prot_hi || p->hi > S1_POOL_IPA + s1pool.used || below(100) >= 30)
			continue;
		uint64_t e = *(volatile uint64_t *)(uintptr_t)p->hpa;
		poke(p->hpa, (e & ~(3ull << 6)) | 1ull << 6); /* S2AP read-only */
	}
}
