/* SPDX-License-Identifier: MIT */
/*
 * The AT oracle's tables: a TTBR0 table and a PT_FEAT_AARCH64_HIGH TTBR1
 * table built with libpt in an arena at the guest PAs of at.h, then
 * perturbed the way other OSes write theirs (APTable / UXNTable / PXNTable
 * on table descriptors, the access flag, AP and DBM combinations,
 * AttrIndx, nG, software bits, invalid and reserved entries, a random
 * MAIR); the query VAs; the blob the guest is loaded with.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "at_host.h"

/* ---- random numbers ------------------------------------------------------ */

static uint64_t rng;
void seed_rng(uint64_t seed) { rng = seed; }

uint64_t rnd(void)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}
uint64_t below(uint64_t n) { return n ? rnd() % n : 0; }
static bool chance(unsigned pct) { return below(100) < pct; }

/* ---- one table set -------------------------------------------------------- */

uint64_t *entry_at(struct set *s, uint64_t pa)
{
	return (uint64_t *)arena_ptr(&s->a, pa);
}

static void push(struct desc **v, size_t *n, size_t *cap, struct desc d)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 256;
		*v = realloc(*v, *cap * sizeof **v);
		if (!*v) {
			perror("realloc");
			exit(2);
		}
	}
	(*v)[(*n)++] = d;
}

/* ---- table shapes ---------------------------------------------------------- */

void geo_init(struct geo *g, enum pt_arch a, unsigned va_bits, unsigned features)
{
	memset(g, 0, sizeof *g);
	g->arch = a;
	g->va_bits = va_bits;
	g->pa52 = features & PT_FEAT_AARCH64_PA52;
	g->page = a == PT_AARCH64_16K ? 14 : a == PT_AARCH64_64K ? 16 : 12;
	unsigned per = g->page - 3;
	g->levels = (va_bits - g->page + per - 1) / per;
	g->start = 4 - g->levels;
	for (unsigned l = 0; l < g->levels; l++) {
		g->shift[l] = g->page + per * (g->levels - 1 - l);
		g->bits[l] = l ? per : va_bits - g->shift[0];
	}
}

bool geo_block(const struct geo *g, unsigned l)
{
	unsigned arm = g->start + l, top = g->page == 12 ? 1 : 2;
	if (g->pa52)
		top--;
	return arm >= top && arm <= 2;
}

uint64_t geo_table_pa(const struct geo *g, uint64_t e)
{
	uint64_t low = (1ull << g->page) - 1;
	if (!g->pa52)
		return e & 0xffffffffffffull & ~low;
	if (g->page == 16)
		return (e & 0xffffffffffffull & ~low) | (e >> 12 & 15) << 48;
	return (e & 0x3ffffffffffffull & ~low) | (e >> 8 & 3) << 50;
}

/* Table descriptors: bits 49:48 hold no address without a 52-bit OA
 * (LPA2: bits 51:50 none; LPA: all address), nor do the bits below the
 * granule (but LPA's 15:12, OA[51:48]). */
uint64_t geo_table_res0(const struct geo *g)
{
	uint64_t below = ((1ull << g->page) - 1) & ~0xfffull;
	if (!g->pa52)
		return 3ull << 48 | below;
	return g->page == 16 ? 0 : 3ull << 50 | below;
}

/* Leaves: the address bits below the leaf's size, and OA[49:48] without
 * LPA2 (bits 51:50 are DBM and GP in a leaf). */
uint64_t geo_leaf_res0(const struct geo *g, unsigned l)
{
	uint64_t below = ((1ull << g->shift[l]) - 1) & ~0xfffull;
	if (g->pa52 && g->page != 16)
		return below;
	if (g->pa52)
		below &= ~0xffffull; /* LPA's OA[51:48] */
	return 3ull << 48 | below;
}

unsigned half_of(uint64_t va) { return (unsigned)(va >> 55 & 1); }

/* TBI is off: every bit from va_bits up must equal the half's. */
bool in_range(const struct geo *g, uint64_t va)
{
	if (!g->levels)
		return false; /* no table for this half */
	uint64_t top = va >> g->va_bits, ones = ~0ull >> g->va_bits;
	return top == (half_of(va) ? ones : 0);
}

const char *geo_name(const struct geo *g)
{
	static char b[4][32];
	static unsigned n;
	char *o = b[n++ % 4];
	snprintf(o, sizeof b[0], "%uK/%u%s", (1u << g->page) >> 10, g->va_bits, g->pa52 ? "/PA52" : "");
	return o;
}

/* Collect libpt's descriptors by reading the raw tables, as the MMU does. */
static void collect(struct set *s, const struct geo *g, uint64_t table, unsigned level, uint64_t va)
{
	/* libpt pointed a table descriptor outside the table memory: the
	 * run fails (at_host.c), but the MMU's answers are still compared. */
	if (!entry_at(s, table) || !entry_at(s, table + 8 * ((1ull << g->bits[level]) - 1))) {
		if (!s->wild++)
			printf("  at-oracle: set %u: a table at %#" PRIx64 " outside the table memory\n", s->id,
			       table);
		return;
	}
	for (uint64_t i = 0; i < 1ull << g->bits[level]; i++) {
		uint64_t epa = table + 8 * i, e = *entry_at(s, epa);
		uint64_t eva = va | i << g->shift[level];
		if (!(e & 1))
			continue;
		if (level + 1 < g->levels && (e & 3) == 3) {
			push(&s->tables, &s->ntables, &s->cap_t, (struct desc){ epa, eva, level });
			collect(s, g, geo_table_pa(g, e), level + 1, eva);
		} else {
			push(&s->leaves, &s->nleaves, &s->cap_l, (struct desc){ epa, eva, level });
		}
	}
}

struct rawwalk raw_walk(struct set *s, uint64_t va)
{
	struct rawwalk w = { true, 0, 0, 0, 0, 0, NULL };
	const struct geo *g = &s->g[half_of(va)];
	if (!in_range(g, va))
		return w;
	w.g = g;
	uint64_t table = pt_root(&s->t[half_of(va)]);
	for (unsigned l = 0; l < g->levels; l++) {
		uint64_t epa = table + 8 * (va >> g->shift[l] & ((1ull << g->bits[l]) - 1));
		uint64_t *e = entry_at(s, epa);
		if (!e)
			return w;
		w.level = l;
		w.epa = epa;
		w.e = *e;
		if (l + 1 == g->levels || (*e & 3) != 3)
			break;
		w.tblbits |= *e & 0x7800000000000000ull;
		w.tblres0 |= *e & geo_table_res0(g);
		table = geo_table_pa(g, *e);
	}
	w.outside = false;
	return w;
}

bool raw_leaf(const struct rawwalk *w)
{
	if (w->outside || !(w->e & 1))
		return false;
	if (w->level + 1 == w->g->levels)
		return (w->e & 3) == 3;
	return (w->e & 3) == 1 && geo_block(w->g, w->level);
}

/*
 * Queries set aside, not compared (counted and shown apart):
 *  1  the walk ends on a block at a level where the granule has none (4K:
 *     Arm level 0; 16K and 64K: level 1; Arm ARM D8.3: a translation
 *     fault), but QEMU 7.2 translates it as a block: a QEMU defect;
 *  2  an output-address field (of the leaf or a table descriptor above it)
 *     with RES0 bits set that QEMU ignores, where libpt calls the entry
 *     corrupt: bits 49:48, bits below the block size in a block, bits
 *     below the granule (16K: 13:12) in a table descriptor; which one
 *     hardware does is not settled here. With the 64K granule that
 *     includes bits 15:12: OA[51:48] on a CPU with FEAT_LPA (-cpu max has
 *     it), so an output address above TCR.IPS's 48 bits, an address size
 *     fault, but QEMU 7.2 reads them only when IPS is 52 bits. With a
 *     52-bit OA (geo_table_res0, geo_leaf_res0) the RES0 bits are LPA2's
 *     51:50 in a table descriptor and 16K's 13:12, LPA's 49:48 in a
 *     leaf, and the bits below a block's size.
 */
unsigned set_aside(struct set *s, uint64_t va)
{
	struct rawwalk w = raw_walk(s, va);
	if (w.outside)
		return 0;
	if (w.tblres0)
		return 2;
	if (!(w.e & 1))
		return 0;
	if (w.level + 1 < w.g->levels && (w.e & 3) == 1 && !geo_block(w.g, w.level))
		return 1;
	if (raw_leaf(&w) && (w.e & geo_leaf_res0(w.g, w.level)))
		return 2;
	return 0;
}
const char *const aside_name[4] = { "", "block where the granule has none (QEMU 7.2 translates it)",
				    "RES0 output-address bits set (QEMU ignores them)",
				    "64K OA[51:48] set, OA[47:0] below 2^36, IPS 36 bits (QEMU 7.2 ignores OA[51:48])" };

uint32_t rand_flags(void)
{
	uint32_t f = PT_READ;
	if (chance(50))
		f |= PT_WRITE;
	if (chance(40))
		f |= PT_EXECUTE;
	if (chance(50))
		f |= PT_USER;
	if (chance(30))
		f |= PT_GLOBAL;
	unsigned m = (unsigned)below(10);
	if (m < 2)
		f |= PT_DEVICE;
	else if (m < 4)
		f |= PT_UNCACHED;
	return f;
}

/* Leaves point at or above 2^31, past the virt board's flash, devices and
 * RAM (the guest's real stores land there; where a block can only start at
 * 0 it does, and queries that reach it are not probed: set_aside). */
static uint64_t rand_pa(const struct set *s, uint64_t size)
{
	uint64_t pa, lim = s->pa_limit;
	/* With a 52-bit OA, half the leaves below 2^48 and half from it up. */
	if (lim > 1ull << 48 && chance(50))
		lim = 1ull << 48;
	if (lim < size)
		lim = size;
	do
		pa = below(lim / size) * size;
	while (pa < 1ull << 31 && lim / size > 1);
	return pa;
}

/* What the guest needs mapped at VA = PA in TTBR0 (the probe code's
 * pages, or for an EL2 set the guest itself), and the contiguous runs
 * libpt edits later (it refuses a group changed behind its back): never
 * perturbed. */
static bool probe_path(const struct set *s, const struct desc *d)
{
	const struct geo *g = &s->g[half_of(d->va)];
	uint64_t end = d->va + (1ull << g->shift[d->level]);
	for (unsigned i = 0; i < s->nident && !half_of(d->va); i++)
		if (d->va < s->ident[i][1] && end > s->ident[i][0])
			return true;
	for (unsigned i = 0; i < s->nkeep; i++)
		if (half_of(d->va) == s->keep[i][2] && d->va < s->keep[i][1] && end > s->keep[i][0])
			return true;
	return false;
}

static void map_ident(struct set *s, uint64_t lo, uint64_t hi, uint32_t flags)
{
	if (pt_map_region(&s->t[0], lo, lo, hi - lo, flags | PT_GLOBAL, 0)) {
		fprintf(stderr, "at-oracle: mapping [%#" PRIx64 ", %#" PRIx64 ") at VA = PA failed\n", lo, hi);
		exit(2);
	}
	s->ident[s->nident][0] = lo;
	s->ident[s->nident++][1] = hi;
}

static void map_or_die(const struct set *s, struct pt_table *t, uint64_t va, uint64_t size)
{
	int r = pt_map(t, va, rand_pa(s, size), size, rand_flags());
	if (r != PT_OK && r != PT_ERR_ALREADY_MAPPED && r != PT_ERR_MAPPED_TO_HUGE_PAGE) {
		fprintf(stderr, "at-oracle: pt_map(%#" PRIx64 ", %#" PRIx64 "): %s\n", va, size,
			pt_strerror(r));
		exit(2);
	}
}

/* Distinct random indices below range (n of them, at most range). */
static unsigned pick(uint64_t *v, unsigned n, uint64_t range)
{
	if (n > range)
		n = (unsigned)range;
	for (unsigned i = 0; i < n; i++) {
	again:
		v[i] = below(range);
		for (unsigned j = 0; j < i; j++)
			if (v[j] == v[i])
				goto again;
	}
	return n;
}

/* Fan-out per level, from the last up: 16 pages per last-level table, 4
 * entries above it, 3 above those. */
static const unsigned fan_up[4] = { 16, 4, 3, 3 };

/* A subtree of random mappings below the level-l entry covering va: some
 * entries blocks (4K: 10% at Arm level 1, 25% at level 2; 16K, 64K: 25% at
 * level 2), the rest tables down to pages. */
static void build_node(struct set *s, unsigned h, unsigned l, uint64_t va)
{
	const struct geo *g = &s->g[h];
	uint64_t idx[16];
	unsigned n = pick(idx, fan_up[g->levels - 1 - l], 1ull << g->bits[l]);
	for (unsigned i = 0; i < n; i++) {
		uint64_t v = va | idx[i] << g->shift[l];
		if (l + 1 == g->levels)
			map_or_die(s, &s->t[h], v, 1ull << g->shift[l]);
		else if (geo_block(g, l) && chance(g->start + l == 2 ? 25 : g->start + l == 1 && g->page == 12 ? 10 : 20))
			map_or_die(s, &s->t[h], v, 1ull << g->shift[l]);
		else
			build_node(s, h, l + 1, v);
	}
}

/* A block at the first level that has none (reserved: 4K Arm level 0,
 * 16K and 64K level 1), in a free slot of a table at that level. */
static void reserved_block(struct set *s, unsigned h, uint64_t va)
{
	const struct geo *g = &s->g[h];
	uint64_t table = pt_root(&s->t[h]);
	for (unsigned l = 0; l + 1 < g->levels; l++) {
		uint64_t n = 1ull << g->bits[l], *t = entry_at(s, table), i;
		if (!t)
			return;
		if (!geo_block(g, l))
			for (unsigned tries = 0; tries < 64; tries++) {
				i = below(n);
				if (t[i] & 1)
					continue;
				t[i] = rand_pa(s, 1ull << g->shift[l]) | 1u << 10 | 1;
				s->rsv_block_va[h] = va | i << g->shift[l];
				s->rsv_block_size[h] = 1ull << g->shift[l];
				return;
			}
		for (i = 0; i < n && (t[i] & 3) != 3; i++)
			;
		if (i == n)
			return;
		va |= i << g->shift[l];
		table = geo_table_pa(g, t[i]);
	}
}

/* The lowest VA of half h. */
static uint64_t half_base(const struct set *s, unsigned h)
{
	return h ? ~0ull << s->g[h].va_bits : 0;
}

/* With a 52-bit OA, at least one block at the level only that allows
 * (512G at 4K level 0, 64G at 16K level 1, 4T at 64K level 1). */
static void big_block(struct set *s, unsigned h)
{
	const struct geo *g = &s->g[h];
	unsigned l = 0;
	while (l + 1 < g->levels && !geo_block(g, l))
		l++;
	if (!g->pa52 || g->start + l != (g->page == 12 ? 0u : 1u))
		return;
	for (unsigned tries = 0; tries < 16; tries++) {
		uint64_t va = half_base(s, h) | below(1ull << g->bits[l]) << g->shift[l];
		for (unsigned k = 0; k < l; k++)
			va |= below(1ull << g->bits[k]) << g->shift[k];
		if (pt_map(&s->t[h], va, rand_pa(s, 1ull << g->shift[l]), 1ull << g->shift[l], rand_flags()) == PT_OK)
			return;
	}
}

static void build_half(struct set *s, unsigned h)
{
	build_node(s, h, 0, half_base(s, h));
	big_block(s, h);
	reserved_block(s, h, half_base(s, h));
}

/* The RES0 bits a table descriptor's perturbation sets: those of
 * geo_table_res0 but OA[49:48] (left to the leaves). */
static uint64_t table_res0_low(const struct geo *g)
{
	return geo_table_res0(g) & ~(3ull << 48);
}

/* One of the bits of m (not 0), at random. */
static uint64_t rand_bit(uint64_t m)
{
	unsigned n = (unsigned)below((uint64_t)__builtin_popcountll(m));
	while (n--)
		m &= m - 1;
	return m & -m;
}

/* What other OSes leave in their tables (and what corrupts them). */
static void perturb(struct set *s)
{
	for (size_t i = 0; i < s->ntables; i++) {
		uint64_t *e = entry_at(s, s->tables[i].pa);
		if (probe_path(s, &s->tables[i]))
			continue;
		if (opt.table_bits && chance(40))
			*e |= below(16) << 59; /* PXNTable, UXNTable, APTable[1:0] */
		if (chance(2))
			*e &= ~1ull;           /* invalid */
		else if (s->tables[i].level && chance(1))
			*e &= ~2ull;           /* the table pointer read as a block */
		else if (chance(2) && table_res0_low(&s->g[half_of(s->tables[i].va)]))
			*e |= rand_bit(table_res0_low(&s->g[half_of(s->tables[i].va)]));
			/* a RES0 address bit below the granule (without a 52-bit
			 * OA, 64K: OA[51:48]), or LPA2's bits 51:50; never LPA's
			 * OA[51:48], a table above memory: the walk's external
			 * abort is taken as an exception, even from an AT */
	}
	for (size_t i = 0; i < s->nleaves; i++) {
		uint64_t *e = entry_at(s, s->leaves[i].pa);
		const struct geo *g = &s->g[half_of(s->leaves[i].va)];
		if (probe_path(s, &s->leaves[i]))
			continue;
		if (chance(15))
			*e &= ~(1ull << 10); /* AF */
		if (chance(10))
			*e ^= 1ull << 6;     /* AP[1]: EL0 access */
		if (chance(25))
			*e = (*e & ~(1ull << 7 | 1ull << 51)) | below(2) << 7 | below(2) << 51; /* AP[2], DBM */
		if (chance(15))
			*e = (*e & ~(7ull << 2)) | below(8) << 2; /* AttrIndx */
		if (chance(10))
			*e ^= 1ull << 11;    /* nG */
		if (chance(10))
			*e |= below(16) << 55; /* software bits 58:55 */
		if (chance(2))
			*e &= ~1ull;         /* invalid */
		else if (s->leaves[i].level + 1 == g->levels && chance(2))
			*e &= ~2ull;         /* bits[1:0] = 01 at Arm level 3: reserved */
		else if (chance(1))
			*e |= 1ull << 48;    /* OA bit 48 (RES0 with a 48-bit OA) */
		else if (g->page > 12 && chance(2))
			*e |= 1ull << (12 + below(g->page - 12));
			/* below the granule: RES0 (64K: OA[51:48], above TCR.IPS) */
	}
}

static uint64_t rand_mair(void)
{
	static const uint8_t attr[] = { 0x00, 0x04, 0x08, 0x0c, 0x44, 0xff, 0xbb, 0xaa, 0xee,
					0x4f, 0xf4, 0x77, 0x99 };
	uint64_t m = 0;
	for (unsigned i = 0; i < 8; i++)
		m |= (uint64_t)attr[below(sizeof attr)] << 8 * i;
	return m;
}

static void make_queries(struct set *s)
{
	s->q = calloc(opt.queries, sizeof *s->q);
	if (!s->q)
		exit(2);
	s->nq = opt.queries;
	for (unsigned i = 0; i < s->nq; i++) {
		unsigned h = (unsigned)below(2), r = (unsigned)below(100);
		uint64_t va;
		/* Mostly a leaf of the random mappings, not of the guest's own. */
		const struct desc *l = &s->leaves[below(s->nleaves)];
		for (unsigned tries = 0; tries < 16 && probe_path(s, l); tries++)
			l = &s->leaves[below(s->nleaves)];
		if (s->nram && chance(6)) {
			/* A page over guest RAM: real accesses' words checked. */
			uint64_t p = s->ram_va[below(s->nram)];
			va = p + below(1ull << s->g[half_of(p)].page);
			r = 100;
		}
		const struct geo *g = &s->g[half_of(l->va)], *gh = &s->g[h];
		uint64_t lsize = 1ull << g->shift[l->level];
		uint64_t up = 1ull << g->shift[l->level ? l->level - 1 : 0], root = 1ull << g->shift[0];
		if (r == 100)
			;
		else if (r < 70)
			va = l->va + below(lsize);
		else if (r < 80)
			va = (l->va & ~(up - 1)) + below(up);
		else if (r < 85)
			va = (l->va & ~(root - 1)) + below(root);
		else if (r < 90)
			va = half_base(s, h) | (rnd() & ((1ull << gh->va_bits) - 1));
		else if (r < 99 || !s->rsv_block_size[h])
			do
				va = rnd();
			while (in_range(&s->g[half_of(va)], va));
		else
			va = s->rsv_block_va[h] + below(s->rsv_block_size[h]);
		struct rawwalk w = raw_walk(s, va);
		s->q[i].va = va;
		s->q[i].watch_pa = raw_leaf(&w) ? w.epa : 0;
		s->q[i].probe = s->probe && !set_aside(s, va);
	}
	run_queries(s);
	for (unsigned i = 0; s->probe && i < s->nq; i++)
		s->q[i].ram_pa = ram_pa(s, s->q[i].va & ~7ull);
}

static void set_phases(struct set *s)
{
	/* HA = 0 again after HA = HD = 1: the guest's restore of the tables
	 * between phases is what keeps the AT's own AF and dirty updates out
	 * of phase 3 (plant 4 skips it). Phases 3 and 4 differ in HPD only.
	 * Phase 6: HD without HA (the MMU manages no dirty state then). */
	static const struct phase max[] = {
		{ false, false, false, false, false, 0 }, { true, false, false, false, false, 0 },
		{ true, true, false, true, false, 0 },     { false, false, false, true, false, 0 },
		{ false, false, true, true, false, 0 },    { true, true, true, false, false, 0 },
		{ false, true, false, false, false, 0 },
	};
	static const struct phase a57[] = { { false, false, false, false, false, 0 },
					    { false, false, false, true, false, 0 } };
	const struct phase *p = s->max ? max : a57;
	s->nphases = s->max ? 7 : 2;
	for (unsigned i = 0; i < s->nphases; i++)
		s->ph[i] = p[i];
	/* The granule sets add a phase with a 36-bit IPS: output addresses at
	 * or above 2^36 (most leaves) are address size faults. */
	if (opt.gran)
		s->ph[s->nphases++] = (struct phase){ true, true, false, false, true, 0 };
	/* The runs: one phase reads and writes them as libpt mapped them,
	 * each next one (the same registers) after a stage of libpt's edits
	 * (at_runs.c). */
	if (s->nruns) {
		s->ph[s->nphases++] = (struct phase){ true, true, false, false, false, 0 };
		for (unsigned i = 1; i <= AT_STAGES; i++)
			s->ph[s->nphases++] = (struct phase){ true, true, false, false, false, i };
	}
	/* SCTLR_EL2.WXN would take execution from the guest's own pages. */
	for (unsigned i = 0; s->el2 && i < s->nphases; i++)
		s->ph[i].wxn = false;
}

/* TCR_EL1: pt_tcr's fields of both halves, the phase's bits. TCR_EL2
 * (without VHE) for an EL2 set: pt_tcr's, PS (18:16) for IPS, HA 21, HD
 * 22, HPD 24. */
static uint64_t phase_tcr(const struct set *s, const struct phase *p)
{
	if (s->el2) {
		uint64_t tcr = pt_tcr(&s->t[0]);
		if (p->ips36)
			tcr = (tcr & ~(7ull << 16)) | 1ull << 16;
		return tcr | (p->ha ? 1ull << 21 : 0) | (p->hd ? 1ull << 22 : 0) | (p->hpd ? 1ull << 24 : 0);
	}
	uint64_t tcr = pt_tcr(&s->t[0]) | pt_tcr(&s->t[1]);
	if (p->ips36)
		tcr = (tcr & ~(7ull << 32)) | 1ull << 32;
	return tcr | (p->ha ? TCR_HA : 0) | (p->hd ? TCR_HD : 0) |
	       (p->hpd ? TCR_HPD0 | TCR_HPD1 : 0);
}

static void write_file(const char *path, const void *buf, size_t len, long off, FILE *f)
{
	if (fseek(f, off, SEEK_SET) || fwrite(buf, 1, len, f) != len) {
		fprintf(stderr, "at-oracle: writing %s: %s\n", path, strerror(errno));
		exit(2);
	}
}

static void build_any(struct set *s, unsigned id, bool max, enum pt_arch a0, unsigned b0, unsigned f0,
		      enum pt_arch a1, unsigned b1, unsigned f1, bool el2)
{
	memset(s, 0, sizeof *s);
	s->id = id;
	s->max = max;
	if (arena_init(&s->a, AT_TABLE_PA, ARENA_FRAMES))
		exit(2);
	s->a.dirty = false;
	arena_mm(&s->a, &s->mm);
	s->mm.flush_tlb = opt.gran ? run_flush_hook : NULL;
	const struct pt_config c0 = { a0, (el2 ? PT_FEAT_AARCH64_EL2 : 0) | f0, b0 },
			       c1 = { a1, PT_FEAT_AARCH64_HIGH | f1, b1 };
	s->el2 = el2;
	s->feat[0] = f0;
	s->feat[1] = f1;
	s->pa_limit = (f0 | f1) & PT_FEAT_AARCH64_PA52 ? PA52_LIMIT : PA_LIMIT;
	geo_init(&s->g[0], a0, b0, f0);
	geo_init(&s->g[1], a1, b1, f1);
	if (el2)
		s->g[1].levels = 0;
	if (pt_init_config(&s->t[0], &c0, &s->mm) || (!el2 && pt_init_config(&s->t[1], &c1, &s->mm))) {
		fprintf(stderr, "at-oracle: pt_init_config %s / %s failed\n", geo_name(&s->g[0]),
			geo_name(&s->g[1]));
		exit(2);
	}
	s->probe = opt.gran && !el2;
	if (s->probe) {
		map_ident(s, AT_PROBE_PA, AT_PROBE_PA + 0x10000, PT_READ | PT_EXECUTE);
		map_ident(s, AT_PROBE_EL0_PA, AT_PROBE_EL0_PA + 0x10000, PT_READ | PT_EXECUTE | PT_USER);
	}
	if (el2) {
		/* The image and its stack; the header and queries; the table
		 * frames (the guest reads watched descriptors); the results. */
		map_ident(s, 0x40000000, 0x40200000, PT_READ | PT_WRITE | PT_EXECUTE);
		map_ident(s, AT_HDR_PA, AT_TABLE_PA, PT_READ | PT_WRITE);
		map_ident(s, AT_TABLE_PA, AT_TABLE_PA + ARENA_FRAMES * 4096ull, PT_READ);
		map_ident(s, AT_OUT_PA, AT_OUT_PA + 0x1000000, PT_READ | PT_WRITE);
	}
	if (s->probe)
		build_ram_and_runs(s);
	build_half(s, 0);
	if (!el2)
		build_half(s, 1);
	collect(s, &s->g[0], pt_root(&s->t[0]), 0, 0);
	if (!el2)
		collect(s, &s->g[1], pt_root(&s->t[1]), 0, half_base(s, 1));
	perturb(s);
	/* An EL2 set's MAIR also types the guest's own accesses. */
	s->mair = id == 0 || el2 ? PT_AARCH64_MAIR : rand_mair();
	set_phases(s);
	make_queries(s);
	for (size_t i = 0; i < ARENA_FRAMES; i++)
		if (arena_allocated(&s->a, AT_TABLE_PA + i * 4096))
			s->table_bytes = (i + 1) * 4096;
	edit_runs(s);
	const uint64_t after_pa = s->nruns ? (AT_TABLE_PA + s->table_bytes + 0xffff) & ~0xffffull : 0;
	const uint64_t after_step = (s->table_bytes + 0xffff) & ~0xffffull;

	snprintf(s->blob, sizeof s->blob, "%s/set%u.bin", opt.dir, id);
	snprintf(s->log, sizeof s->log, "%s/set%u.log", opt.dir, id);
	char cwd[300];
	if (!getcwd(cwd, sizeof cwd))
		exit(2);
	if (opt.dir[0] == '/')
		snprintf(s->out, sizeof s->out, "%s/set%u.out", opt.dir, id);
	else
		snprintf(s->out, sizeof s->out, "%s/%s/set%u.out", cwd, opt.dir, id);

	struct at_hdr *h = calloc(1, sizeof *h);
	if (!h)
		exit(2);
	h->magic = AT_MAGIC;
	h->nphases = s->nphases;
	h->nqueries = s->nq;
	h->table_bytes = s->table_bytes;
	h->plant = opt.plant == 2 || opt.plant == 4 ? opt.plant : 0;
	h->probe = s->probe;
	h->el2 = s->el2;
	h->data = s->probe;
	for (unsigned st = 0; after_pa && st < AT_STAGES; st++) {
		h->after_pa[st] = after_pa + st * after_step;
		h->flush_all[st] = s->flush_all[st];
		h->nflush[st] = s->nflush[st];
		for (unsigned i = 0; i < s->nflush[st]; i++)
			h->flush[st][i] = s->flush[st][i];
	}
	for (unsigned p = 0; p < s->nphases; p++) {
		h->phase[p].tcr = phase_tcr(s, &s->ph[p]);
		h->phase[p].mair = s->mair;
		h->phase[p].ttbr0 = pt_root(&s->t[0]);
		h->phase[p].ttbr1 = pt_root(&s->t[1]);
		h->phase[p].sctlr_wxn = s->ph[p].wxn;
		h->phase[p].after = s->ph[p].after;
	}
	snprintf(h->path, sizeof h->path, "%s", s->out);
	FILE *f = fopen(s->blob, "wb");
	if (!f) {
		fprintf(stderr, "at-oracle: %s: %s\n", s->blob, strerror(errno));
		exit(2);
	}
	write_file(s->blob, h, sizeof *h, 0, f);
	write_file(s->blob, s->q, s->nq * sizeof *s->q, (long)(AT_QUERY_PA - AT_HDR_PA), f);
	write_file(s->blob, s->img[0] ? s->img[0] : s->a.mem, s->table_bytes, (long)(AT_TABLE_PA - AT_HDR_PA), f);
	for (unsigned st = 0; after_pa && st < AT_STAGES; st++)
		write_file(s->blob, s->img[1 + st], s->table_bytes, (long)(after_pa + st * after_step - AT_HDR_PA), f);
	fclose(f);
	free(h);
}


void build_set(struct set *s, unsigned id, bool max)
{
	build_any(s, id, max, PT_AARCH64, 48, 0, PT_AARCH64, 48, 0, false);
}

void build_gran_set(struct set *s, unsigned id, enum pt_arch a0, unsigned b0, unsigned f0,
		    enum pt_arch a1, unsigned b1, unsigned f1, bool el2)
{
	build_any(s, id, true, a0, b0, f0, a1, b1, f1, el2);
}
