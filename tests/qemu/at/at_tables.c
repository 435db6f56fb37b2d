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

static uint64_t rnd(void)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}
static uint64_t below(uint64_t n) { return n ? rnd() % n : 0; }
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

const unsigned shift_of[4] = { 39, 30, 21, 12 };

/* Collect libpt's descriptors by reading the raw tables, as the MMU does. */
static void collect(struct set *s, uint64_t table, unsigned level, uint64_t va)
{
	for (unsigned i = 0; i < 512; i++) {
		uint64_t epa = table + 8 * i, e = *entry_at(s, epa);
		uint64_t eva = va | (uint64_t)i << shift_of[level];
		if (!(e & 1))
			continue;
		if (level < 3 && (e & 3) == 3) {
			push(&s->tables, &s->ntables, &s->cap_t, (struct desc){ epa, eva, level });
			collect(s, e & 0xfffffffff000ull, level + 1, eva);
		} else {
			push(&s->leaves, &s->nleaves, &s->cap_l, (struct desc){ epa, eva, level });
		}
	}
}

struct rawwalk raw_walk(struct set *s, uint64_t va)
{
	struct rawwalk w = { true, 0, 0, 0, 0 };
	uint64_t top = va >> 48;
	if (top != 0 && top != 0xffff)
		return w;
	uint64_t table = pt_root(&s->t[top ? 1 : 0]);
	for (unsigned l = 0; l < 4; l++) {
		uint64_t epa = table + 8 * (va >> shift_of[l] & 511);
		uint64_t *e = entry_at(s, epa);
		if (!e)
			return w;
		w.level = l;
		w.epa = epa;
		w.e = *e;
		if (l == 3 || (*e & 3) != 3)
			break;
		w.tblbits |= *e & 0x7800000000000000ull;
		table = *e & 0xfffffffff000ull;
	}
	w.outside = false;
	return w;
}

bool raw_leaf(const struct rawwalk *w)
{
	return !w->outside && (w->e & 1) && (w->level == 3 ? (w->e & 3) == 3 : (w->e & 3) == 1);
}

/*
 * Queries set aside, not compared (counted and shown apart):
 *  1  the walk ends on a level 0 block: the 4KB granule has none (Arm ARM
 *     D4.3.1; a translation fault), but QEMU 7.2 translates it as a 512 GiB
 *     block: a QEMU defect;
 *  2  a leaf whose output-address field has RES0 bits set (bits 49:48, or
 *     bits below the block size in a block): QEMU ignores them, libpt calls
 *     the entry corrupt; which one hardware does is not settled here.
 */
unsigned set_aside(struct set *s, uint64_t va)
{
	struct rawwalk w = raw_walk(s, va);
	if (w.outside || !(w.e & 1))
		return 0;
	if (w.level == 0 && (w.e & 3) == 1)
		return 1;
	if (raw_leaf(&w)) {
		uint64_t low = ((1ull << shift_of[w.level]) - 1) & ~0xfffull;
		if (w.e & (3ull << 48 | low))
			return 2;
	}
	return 0;
}
const char *const aside_name[3] = { "", "level 0 block (QEMU 7.2 translates it)",
				    "RES0 output-address bits set (QEMU ignores them)" };

static uint32_t rand_flags(void)
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

static uint64_t rand_pa(uint64_t size)
{
	return below(PA_LIMIT / size) * size;
}

static void map_or_die(struct pt_table *t, uint64_t va, uint64_t size)
{
	int r = pt_map(t, va, rand_pa(size), size, rand_flags());
	if (r != PT_OK && r != PT_ERR_ALREADY_MAPPED && r != PT_ERR_MAPPED_TO_HUGE_PAGE) {
		fprintf(stderr, "at-oracle: pt_map(%#" PRIx64 ", %#" PRIx64 "): %s\n", va, size,
			pt_strerror(r));
		exit(2);
	}
}

/* Distinct random indices below 512. */
static void pick(unsigned *v, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
	again:
		v[i] = (unsigned)below(512);
		for (unsigned j = 0; j < i; j++)
			if (v[j] == v[i])
				goto again;
	}
}

static void build_half(struct set *s, unsigned h)
{
	uint64_t base = h ? HIGH_BASE : 0;
	unsigned i0[3], i1[3], i2[4], i3[16];
	pick(i0, 3);
	for (unsigned a = 0; a < 3; a++) {
		pick(i1, 3);
		for (unsigned b = 0; b < 3; b++) {
			uint64_t va1 = base | (uint64_t)i0[a] << 39 | (uint64_t)i1[b] << 30;
			if (chance(10)) {
				map_or_die(&s->t[h], va1, PT_SIZE_1G);
				continue;
			}
			pick(i2, 4);
			for (unsigned c = 0; c < 4; c++) {
				uint64_t va2 = va1 | (uint64_t)i2[c] << 21;
				if (chance(25)) {
					map_or_die(&s->t[h], va2, PT_SIZE_2M);
					continue;
				}
				pick(i3, 16);
				for (unsigned d = 0; d < 16; d++)
					map_or_die(&s->t[h], va2 | (uint64_t)i3[d] << 12, PT_SIZE_4K);
			}
		}
	}
	/* A level 0 block (reserved with the 4K granule) in a free root slot. */
	uint64_t *root = entry_at(s, pt_root(&s->t[h]));
	unsigned free_slot;
	do
		free_slot = (unsigned)below(512);
	while (root[free_slot] & 1);
	root[free_slot] = rand_pa(PT_SIZE_512G) | 1u << 10 | 1;
	s->l0_block_va[h] = base | (uint64_t)free_slot << 39;
}

/* What other OSes leave in their tables (and what corrupts them). */
static void perturb(struct set *s)
{
	for (size_t i = 0; i < s->ntables; i++) {
		uint64_t *e = entry_at(s, s->tables[i].pa);
		if (opt.table_bits && chance(40))
			*e |= below(16) << 59; /* PXNTable, UXNTable, APTable[1:0] */
		if (chance(2))
			*e &= ~1ull;           /* invalid */
		else if (s->tables[i].level && chance(1))
			*e &= ~2ull;           /* the table pointer read as a block */
	}
	for (size_t i = 0; i < s->nleaves; i++) {
		uint64_t *e = entry_at(s, s->leaves[i].pa);
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
		else if (s->leaves[i].level == 3 && chance(2))
			*e &= ~2ull;         /* bits[1:0] = 01 at level 3: reserved */
		else if (chance(1))
			*e |= 1ull << 48;    /* OA bit 48 (RES0 with the 4K granule) */
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

static uint64_t rand_va48(void)
{
	return rnd() & 0xffffffffffffull;
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
		const struct desc *l = &s->leaves[below(s->nleaves)];
		uint64_t lsize = 1ull << shift_of[l->level];
		if (r < 70)
			va = l->va + below(lsize);
		else if (r < 80)
			va = (l->va & ~(PT_SIZE_1G - 1)) + below(PT_SIZE_1G);
		else if (r < 85)
			va = (l->va & ~(PT_SIZE_512G - 1)) + below(PT_SIZE_512G);
		else if (r < 90)
			va = (h ? HIGH_BASE : 0) | rand_va48();
		else if (r < 99)
			do
				va = rnd();
			while ((va >> 48) == 0 || (va >> 48) == 0xffff);
		else
			va = s->l0_block_va[h] + below(PT_SIZE_512G);
		struct rawwalk w = raw_walk(s, va);
		s->q[i].va = va;
		s->q[i].watch_pa = raw_leaf(&w) ? w.epa : 0;
	}
}

static void set_phases(struct set *s)
{
	/* HA = 0 again after HA = HD = 1: the guest's restore of the tables
	 * between phases is what keeps the AT's own AF and dirty updates out
	 * of phase 3 (plant 4 skips it). Phases 3 and 4 differ in HPD only.
	 * Phase 6: HD without HA (the MMU manages no dirty state then). */
	static const struct phase max[] = {
		{ false, false, false, false }, { true, false, false, false },
		{ true, true, false, true },     { false, false, false, true },
		{ false, false, true, true },    { true, true, true, false },
		{ false, true, false, false },
	};
	static const struct phase a57[] = { { false, false, false, false }, { false, false, false, true } };
	const struct phase *p = s->max ? max : a57;
	s->nphases = s->max ? 7 : 2;
	for (unsigned i = 0; i < s->nphases; i++)
		s->ph[i] = p[i];
}

static uint64_t phase_tcr(const struct phase *p)
{
	return TCR_BASE | (p->ha ? TCR_HA : 0) | (p->hd ? TCR_HD : 0) |
	       (p->hpd ? TCR_HPD0 | TCR_HPD1 : 0);
}

static void write_file(const char *path, const void *buf, size_t len, long off, FILE *f)
{
	if (fseek(f, off, SEEK_SET) || fwrite(buf, 1, len, f) != len) {
		fprintf(stderr, "at-oracle: writing %s: %s\n", path, strerror(errno));
		exit(2);
	}
}

void build_set(struct set *s, unsigned id, bool max)
{
	memset(s, 0, sizeof *s);
	s->id = id;
	s->max = max;
	if (arena_init(&s->a, AT_TABLE_PA, ARENA_FRAMES))
		exit(2);
	s->a.dirty = false;
	arena_mm(&s->a, &s->mm);
	s->mm.flush_tlb = NULL;
	if (pt_init(&s->t[0], PT_AARCH64, 0, &s->mm) || pt_init(&s->t[1], PT_AARCH64, PT_FEAT_AARCH64_HIGH, &s->mm))
		exit(2);
	build_half(s, 0);
	build_half(s, 1);
	collect(s, pt_root(&s->t[0]), 0, 0);
	collect(s, pt_root(&s->t[1]), 0, HIGH_BASE);
	perturb(s);
	s->mair = id == 0 ? PT_AARCH64_MAIR : rand_mair();
	set_phases(s);
	make_queries(s);
	for (size_t i = 0; i < ARENA_FRAMES; i++)
		if (arena_allocated(&s->a, AT_TABLE_PA + i * 4096))
			s->table_bytes = (i + 1) * 4096;

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
	for (unsigned p = 0; p < s->nphases; p++) {
		h->phase[p].tcr = phase_tcr(&s->ph[p]);
		h->phase[p].mair = s->mair;
		h->phase[p].ttbr0 = pt_root(&s->t[0]);
		h->phase[p].ttbr1 = pt_root(&s->t[1]);
		h->phase[p].sctlr_wxn = s->ph[p].wxn;
	}
	snprintf(h->path, sizeof h->path, "%s", s->out);
	FILE *f = fopen(s->blob, "wb");
	if (!f) {
		fprintf(stderr, "at-oracle: %s: %s\n", s->blob, strerror(errno));
		exit(2);
	}
	write_file(s->blob, h, sizeof *h, 0, f);
	write_file(s->blob, s->q, s->nq * sizeof *s->q, (long)(AT_QUERY_PA - AT_HDR_PA), f);
	write_file(s->blob, s->a.mem, s->table_bytes, (long)(AT_TABLE_PA - AT_HDR_PA), f);
	fclose(f);
	free(h);
}

