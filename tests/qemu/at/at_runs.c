/* SPDX-License-Identifier: MIT */
/*
 * The granule sets' leaves over guest RAM and contiguous runs (make
 * qemu-gran): pages over the data region (at.h AT_DATA_PA), whose words
 * tell a real load which PA it reached; and in one half of each set two
 * runs pt_map_region maps with PT_ALLOW_HUGE, so it sets the contiguous
 * bit (52) on each aligned group over an equally aligned PA run:
 *
 *   pages   one group of pages over the data region (4K: 16 pages,
 *           16K: 128, 64K: 32); then pt_protect_region makes its second
 *           quarter read-only (a partial edit: libpt breaks the group
 *           first)
 *   blocks  two groups of Arm level 2 blocks (4K: 16 of 2M, 16K: 32 of
 *           32M, 64K: 32 of 512M) above RAM; then pt_protect_region
 *           makes group 1 read-only (whole: marks kept; 32 members or
 *           fewer, which pt_flush invalidates VA by VA: more would make
 *           it flush everything, and leave nothing stale to see), and
 *           pt_unmap_region takes the third quarter of group 0 (partial)
 *
 * The edits come in two stages: 1, the whole-group protect; 2, the
 * partial edits. One phase reads and writes the runs as mapped; each
 * next one loads the tables as a stage left them, with the same
 * registers, and makes only the TLB invalidations libpt asked for in
 * that stage (its flush_tlb calls, recorded here), so a changed
 * translation libpt did not flush is still in QEMU's TLB and shows in the
 * real accesses. (QEMU 7.2 empties its whole TLB for a TLBI by VA that
 * falls where it holds any entry larger than 4K, so a stage's flushes
 * only show a stale entry when the stage makes none; the stages keep the
 * whole-group edit, which makes no break, apart from the breaks.)
 * Checked here, on the raw
 * entries (Arm ARM rules, not libpt's decode): before the edits every
 * member is marked; after them every marked group is whole (all members
 * valid leaves, marked, alike but for the address, over one aligned PA
 * run), the group edited whole keeps its marks; every member that
 * changed was flushed, and every one whose contiguous bit changed was
 * flushed while invalid (break-before-make). QEMU 7.2 caches each page on
 * its own, whatever the contiguous bit says, so only these raw-entry
 * checks see a group left partly changed.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "at_host.h"

#define CONT (1ull << 52)
#define RUN_FLAGS (PT_READ | PT_WRITE | PT_USER)

/* Group sizes, by granule (4K, 16K, 64K): in the last level, and in the
 * level above it. */
static unsigned group_pages(const struct geo *g)
{
	return g->page == 12 ? 16 : g->page == 14 ? 128 : 32;
}
static unsigned group_blocks(const struct geo *g)
{
	return g->page == 12 ? 16 : 32;
}

uint64_t geo_addr_field(const struct geo *g)
{
	uint64_t f = 0xffffffffffffull & ~((1ull << g->page) - 1);
	if (g->pa52 && g->page == 16)
		f |= 0xf000; /* LPA: OA[51:48] */
	else if (g->pa52)
		f |= 3ull << 48 | 3ull << 8; /* LPA2: OA[49:48], OA[51:50] */
	return f;
}

static void check(struct set *s, bool ok, const char *what, uint64_t va)
{
	if (ok) {
		s->runs_pass++;
		return;
	}
	if (s->runs_fail++ < opt.show)
		printf("  FAIL runs: set %u (%s): %s at va %#" PRIx64 "\n", s->id,
		       geo_name(&s->g[s->runs[0].h]), what, va);
}

static uint64_t member_va(const struct run *r, unsigned i)
{
	return r->va + i * r->leaf;
}

/* A free, size-aligned VA range in half h mapped to pa with huge leaves. */
static bool map_run(struct set *s, struct run *r)
{
	const struct geo *g = &s->g[r->h];
	const uint64_t size = (uint64_t)r->groups * r->members * r->leaf;
	for (unsigned tries = 0; tries < 64; tries++) {
		uint64_t va = (r->h ? ~0ull << g->va_bits : 0) | below((1ull << g->va_bits) / size) * size;
		bool clash = false;
		for (unsigned i = 0; i < s->nident && !r->h; i++)
			clash |= va < s->ident[i][1] && va + size > s->ident[i][0];
		if (clash)
			continue;
		int rc = pt_map_region(&s->t[r->h], va, r->pa, size, RUN_FLAGS, PT_ALLOW_HUGE);
		if (rc == PT_ERR_ALREADY_MAPPED || rc == PT_ERR_MAPPED_TO_HUGE_PAGE)
			continue;
		if (rc) {
			fprintf(stderr, "at-oracle: set %u: pt_map_region of a run: %s\n", s->id, pt_strerror(rc));
			exit(2);
		}
		r->va = va;
		s->keep[s->nkeep][0] = va;
		s->keep[s->nkeep][1] = va + size;
		s->keep[s->nkeep++][2] = r->h;
		return true;
	}
	return false;
}

void build_ram_and_runs(struct set *s)
{
	for (unsigned h = 0; h < 2; h++) {
		const struct geo *g = &s->g[h];
		for (unsigned tries = 0; tries < 64 && s->nram < 8 * (h + 1); tries++) {
			uint64_t va = (h ? ~0ull << g->va_bits : 0) | (rnd() & ((1ull << g->va_bits) - 1) & ~((1ull << g->page) - 1));
			uint64_t pa = AT_DATA_PA + (below(AT_DATA_BYTES >> g->page) << g->page);
			if (!h && va < AT_PROBE_EL0_PA + 0x10000 && va + (1ull << g->page) > AT_PROBE_PA)
				continue;
			if (pt_map(&s->t[h], va, pa, 1ull << g->page, rand_flags()) == PT_OK)
				s->ram_va[s->nram++] = va;
		}
	}
	const unsigned h = s->id & 1;
	const struct geo *g = &s->g[h];
	struct run *p = &s->runs[0], *b = &s->runs[1];
	*p = (struct run){ h, 1, group_pages(g), 0, AT_DATA_PA, 1ull << g->page, NULL, NULL, NULL, NULL };
	*b = (struct run){ h, 2, group_blocks(g), 0, 0, 1ull << g->shift[g->levels - 2], NULL, NULL, NULL, NULL };
	/* The blocks above RAM, aligned to the run (the runs are aligned to
	 * their whole size). */
	const uint64_t bsize = 2ull * b->members * b->leaf;
	do
		b->pa = below(s->pa_limit / bsize) * bsize;
	while (b->pa < 1ull << 31);
	for (unsigned i = 0; i < 2; i++) {
		struct run *r = &s->runs[i];
		if (!map_run(s, r)) {
			fprintf(stderr, "at-oracle: set %u: no room for a run in %s\n", s->id, geo_name(g));
			exit(2);
		}
		unsigned n = r->groups * r->members;
		r->desc = calloc(n, sizeof *r->desc);
		r->before = calloc(n, sizeof *r->before);
		r->flushed = calloc(n, sizeof *r->flushed);
		r->bbm = calloc(n, sizeof *r->bbm);
		if (!r->desc || !r->before || !r->flushed || !r->bbm)
			exit(2);
		for (unsigned k = 0; k < n; k++) {
			struct rawwalk w = raw_walk(s, member_va(r, k));
			r->desc[k] = raw_leaf(&w) ? w.epa : 0;
			check(s, r->desc[k] && (w.e & CONT) && w.g->shift[w.level] == (unsigned)__builtin_ctzll(r->leaf),
			      "pt_map_region left a member of an aligned run unmarked", member_va(r, k));
		}
	}
	s->nruns = 2;
}

/* Queries: 8 in each part the edits treat alike, the runs' queries last
 * (the guest's after phase probes them first). */
void run_queries(struct set *s)
{
	if (!s->nruns)
		return;
	static const unsigned part[7][3] = {
		/* run, first and end member in quarters of one group */
		{ 0, 0, 1 }, { 0, 1, 2 }, { 0, 2, 4 }, { 1, 0, 2 }, { 1, 2, 3 }, { 1, 3, 4 }, { 1, 4, 8 },
	};
	s->q = realloc(s->q, (s->nq + 7 * 8) * sizeof *s->q);
	if (!s->q)
		exit(2);
	for (unsigned i = 0; i < 7; i++) {
		const struct run *r = &s->runs[part[i][0]];
		const uint64_t q = (uint64_t)r->members / 4 * r->leaf;
		for (unsigned k = 0; k < 8; k++) {
			uint64_t va = r->va + part[i][1] * q + below((part[i][2] - part[i][1]) * q);
			s->q[s->nq++] = (struct at_query){ va, 0, 1, 0 };
		}
	}
	s->nq_runs = 7 * 8;
}

uint64_t ram_pa(struct set *s, uint64_t va)
{
	const struct geo *g = &s->g[half_of(va)];
	unsigned feat = (half_of(va) ? PT_FEAT_AARCH64_HIGH : 0) | s->feat[half_of(va)];
	struct pt_regime r = { g->arch, feat, g->va_bits, pt_root(&s->t[half_of(va)]), 0, 0, 0, 0 };
	struct pt_mapping m;
	struct pt_fault f;
	if (!in_range(g, va) || pt_access(&r, &s->mm, va, 0, &m, &f))
		return 0;
	return m.pa >= AT_DATA_PA && m.pa < AT_DATA_PA + AT_DATA_BYTES ? m.pa : 0;
}

/* ---- the edits --------------------------------------------------------- */

static struct set *recording;

/* libpt's flush_tlb during the edits: kept for the guest, and every
 * member it covers marked flushed (bbm: while its entry was invalid). */
void run_flush_hook(void *ctx, uint64_t va, bool all)
{
	struct set *s = recording;
	(void)ctx;
	if (!s)
		return;
	if (all || s->nflush[s->stage] == AT_MAX_FLUSH)
		s->flush_all[s->stage] = true;
	else
		s->flush[s->stage][s->nflush[s->stage]++] = va;
	for (unsigned i = 0; i < s->nruns; i++) {
		struct run *r = &s->runs[i];
		for (unsigned k = 0; k < r->groups * r->members; k++) {
			/* A TLBI by VA (bits 55:12) takes every entry holding
			 * that VA, whatever its size. */
			const uint64_t bits = 0x00fffffffffff000ull;
			uint64_t m = member_va(r, k) & bits, v = va & bits;
			uint64_t *e = r->desc[k] ? entry_at(s, r->desc[k]) : NULL;
			if (!all && (v < m || v - m >= r->leaf))
				continue;
			r->flushed[k] = true;
			r->bbm[k] |= e && !(*e & 1);
		}
	}
}

void use_image(struct set *s, unsigned i)
{
	if (s->img[i])
		memcpy(s->a.mem, s->img[i], s->table_bytes);
}

/* Image i: the table frames as they are now (table_bytes of them, the
 * frames allocated so far). */
static void snapshot(struct set *s, unsigned i, uint64_t *bytes)
{
	for (size_t f = 0; f < ARENA_FRAMES; f++)
		if (arena_allocated(&s->a, AT_TABLE_PA + f * 4096) && (f + 1) * 4096 > s->table_bytes)
			s->table_bytes = (f + 1) * 4096;
	s->img[i] = malloc(s->table_bytes);
	if (!s->img[i])
		exit(2);
	memcpy(s->img[i], s->a.mem, s->table_bytes);
	bytes[i] = s->table_bytes;
}

/* Is the aligned group holding member k whole: every member a valid,
 * marked leaf, alike but for the address, over one aligned PA run? Or
 * unmarked throughout? *marked: any member marked. */
static bool group_sound(struct set *s, const struct run *r, unsigned k0, bool *marked)
{
	const struct geo *g = &s->g[r->h];
	const uint64_t f = geo_addr_field(g);
	uint64_t e0 = 0;
	bool any = false, all = true;
	for (unsigned k = k0; k < k0 + r->members; k++) {
		uint64_t e = r->desc[k] ? *entry_at(s, r->desc[k]) : 0;
		any |= (e & 1) && (e & CONT);
		all &= (e & 1) && (e & CONT);
		if (k == k0)
			e0 = e;
		all &= (e & ~f) == (e0 & ~f) &&
		       (geo_table_pa(g, e) & ~(r->leaf - 1)) == (geo_table_pa(g, e0) & ~(r->leaf - 1)) + (k - k0) * r->leaf;
	}
	all &= !((geo_table_pa(g, e0) & ~(r->leaf - 1)) & (r->members * r->leaf - 1));
	*marked = any;
	return !any || all;
}

void edit_runs(struct set *s)
{
	if (!s->nruns)
		return;
	struct run *p = &s->runs[0], *b = &s->runs[1];
	for (unsigned i = 0; i < 2; i++)
		for (unsigned k = 0; k < s->runs[i].groups * s->runs[i].members; k++)
			s->runs[i].before[k] = s->runs[i].desc[k] ? *entry_at(s, s->runs[i].desc[k]) : 0;
	uint64_t bytes[1 + AT_STAGES];
	snapshot(s, 0, bytes);

	struct pt_table *t = &s->t[p->h];
	const uint64_t pq = p->members / 4 * p->leaf, bq = b->members / 4 * b->leaf;
	/* What building the tables left to flush is not the edits' (the
	 * guest's earlier phases flush it all anyway). */
	pt_flush(&s->t[0]);
	pt_flush(&s->t[1]);
	recording = s;
	s->stage = 0;
	int rc = pt_protect_region(t, b->va + 4 * bq, 4 * bq, PT_READ | PT_USER);
	pt_flush(t);
	check(s, rc == PT_OK, "pt_protect_region of a whole group failed", b->va + 4 * bq);
	snapshot(s, 1, bytes);
	s->stage = 1;
	rc = pt_protect_region(t, p->va + pq, pq, PT_READ | PT_USER);
	pt_flush(t);
	check(s, rc == PT_OK, "pt_protect_region of part of a group failed", p->va + pq);
	rc = pt_unmap_region(t, b->va + 2 * bq, bq);
	pt_flush(t);
	check(s, rc == PT_OK, "pt_unmap_region of part of a group failed", b->va + 2 * bq);
	snapshot(s, 2, bytes);
	recording = NULL;
	/* Frames allocated later are nothing in an earlier image. */
	for (unsigned i = 0; i < 1 + AT_STAGES; i++) {
		s->img[i] = realloc(s->img[i], s->table_bytes);
		if (!s->img[i])
			exit(2);
		memset(s->img[i] + bytes[i], 0, s->table_bytes - bytes[i]);
	}

	for (unsigned i = 0; i < 2; i++) {
		struct run *r = &s->runs[i];
		for (unsigned k0 = 0; k0 < r->groups * r->members; k0 += r->members) {
			bool marked;
			check(s, group_sound(s, r, k0, &marked),
			      "a marked group not whole after the edits (members unmarked, changed or emptied alone)",
			      member_va(r, k0));
			if (i == 1 && k0)
				check(s, marked, "a group edited whole lost its marks", member_va(r, k0));
		}
		for (unsigned k = 0; k < r->groups * r->members; k++) {
			uint64_t now = r->desc[k] ? *entry_at(s, r->desc[k]) : 0;
			if (now == r->before[k])
				continue;
			check(s, r->flushed[k], "a changed member never flushed", member_va(r, k));
			if ((now & 1) && ((now ^ r->before[k]) & CONT))
				check(s, r->bbm[k],
				      "a member's contiguous bit changed without a flush while it was invalid",
				      member_va(r, k));
		}
	}
	use_image(s, 0);
}
