/* SPDX-License-Identifier: MIT */
/*
 * The AT oracle's host driver: builds random AArch64 EL1&0 tables with
 * libpt (a TTBR0 table and a PT_FEAT_AARCH64_HIGH TTBR1 table in an arena
 * placed at the guest PAs of at.h), perturbs them the way other OSes write
 * theirs (APTable / UXNTable / PXNTable on table descriptors, the access
 * flag, AP and DBM combinations, AttrIndx, invalid and reserved entries, a
 * random MAIR), picks VAs, runs the guest (guest.c) once per table set
 * under qemu-system-aarch64 and compares every PAR_EL1 with libpt:
 *
 *   translate  pt_translate (libpt's own regime, no access check) plus the
 *              few lines of AArch64 rules below (access flag without HA,
 *              a write to a clean page without HD, EL0, PAN): PA, leaf
 *              level, memory type, effective permissions. Phases with
 *              TCR.HPD are not compared (pt_translate cannot be told).
 *   access     pt_access with the phase's regime (built with
 *              -DAT_HAVE_PT_ACCESS, which at.mk sets when build/libpt.a
 *              defines it).
 *
 * Fault kinds: PAR.FST translation fault <-> PT_FAULT_NOT_PRESENT, or
 * PT_FAULT_RESERVED for a valid-bit entry the architecture reserves (the
 * MMU reports those as translation faults), or PT_FAULT_ADDRESS at level 0
 * (a VA outside both TTBR ranges: a level 0 translation fault); access
 * flag <-> PT_FAULT_ACCESS_FLAG; permission <-> PT_FAULT_PERMISSION or
 * PT_FAULT_DIRTY (a write to a clean DBM page without HD is a permission
 * fault on AArch64); address size <-> PT_FAULT_RESERVED (an output address
 * libpt's 48-bit format cannot hold). Levels: PAR's level and
 * pt_fault.level agree at 48-bit VAs (the root is level 0 for both).
 *
 * Prints one [group] line per comparator and CPU (tests/run.sh protocol);
 * each AT answer is one check. --plant N plants a bug that must be
 * caught: 1 the comparison makes EL0 queries as EL1, 2 the guest swaps
 * TTBR0 and TTBR1, 3 the regime leaves out TCR.HA/HD, 4 the guest does not
 * restore the tables between phases (the AT's own AF and dirty updates
 * leak into the next phase), 5 the comparison drops PAN from the *P kinds,
 * 6 the regime drops TCR.HPD (only the access comparison sees HPD).
 * --no-table-bits leaves the table descriptors' APTable/XNTable bits alone.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "arena.h"
#include "at.h"
#include "pt.h"

#define TCR_BASE (16ull | 1ull << 8 | 1ull << 10 | 3ull << 12 | 0ull << 14 | /* TTBR0 */ \
		  16ull << 16 | 1ull << 24 | 1ull << 26 | 3ull << 28 | 2ull << 30 | /* TTBR1 */ \
		  5ull << 32 /* IPS 48 bits */)
#define TCR_HA (1ull << 39)
#define TCR_HD (1ull << 40)
#define TCR_HPD0 (1ull << 41)
#define TCR_HPD1 (1ull << 42)
#define HIGH_BASE 0xffff000000000000ull
#define ARENA_FRAMES 4096u
#define PA_LIMIT (1ull << 40) /* below Cortex-A57's 44-bit PARange */

static const char *kind_name[AT_KINDS] = { "S1E1R", "S1E1W", "S1E0R", "S1E0W", "S1E1RP", "S1E1WP" };

/* ---- options and random numbers ----------------------------------------- */

static struct {
	const char *guest, *dir, *qemu;
	unsigned sets_max, sets_a57, queries, jobs, plant, show;
	uint64_t seed;
	bool verbose, table_bits;
} opt = { NULL, "build/at", "qemu-system-aarch64", 4, 2, 3000, 2, 0, 8, 1, false, true };

static uint64_t rng;
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

struct desc {
	uint64_t pa;     /* where the descriptor lives */
	uint64_t va;     /* first VA it covers */
	unsigned level;
};

struct phase {
	bool ha, hd, hpd, wxn;
};

struct set {
	unsigned id;
	bool max;             /* -cpu max (else cortex-a57) */
	struct arena a;
	struct pt_mm mm;
	struct pt_table t[2]; /* [0] TTBR0, [1] TTBR1 (HIGH) */
	uint64_t mair;
	unsigned nphases;
	struct phase ph[AT_MAX_PHASES];
	struct desc *tables, *leaves;
	size_t ntables, nleaves, cap_t, cap_l;
	uint64_t l0_block_va[2]; /* a reserved level 0 block in each half */
	struct at_query *q;
	unsigned nq;
	uint64_t table_bytes;
	char blob[400], out[400], log[400];
	pid_t pid;
	int status;
};

static uint64_t *entry_at(struct set *s, uint64_t pa)
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

static const unsigned shift_of[4] = { 39, 30, 21, 12 };

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

/* Where the MMU's walk for va ends, read from the raw tables. */
struct rawwalk {
	bool outside;      /* va in neither TTBR range, or a table outside the arena */
	unsigned level;    /* of the last descriptor read */
	uint64_t epa, e;   /* that descriptor and where it lives */
	uint64_t tblbits;  /* bits 62:59 of the table descriptors above, ORed */
};

static struct rawwalk raw_walk(struct set *s, uint64_t va)
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

/* A valid leaf (the MMU's view: block at levels 1-2, page at level 3). */
static bool raw_leaf(const struct rawwalk *w)
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
static unsigned set_aside(struct set *s, uint64_t va)
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
static const char *aside_name[] = { "", "level 0 block (QEMU 7.2 translates it)",
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

static void build_set(struct set *s, unsigned id, bool max)
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

/* ---- running the guests --------------------------------------------------- */

static void launch(struct set *s)
{
	char cmd[2048];
	unlink(s->out);
	snprintf(cmd, sizeof cmd,
		 "exec timeout 120 %s -M virt,virtualization=on -cpu %s -m 1G -nographic -monitor none "
		 "-semihosting -kernel '%s' -device loader,file='%s',addr=%#llx,force-raw=on >'%s' 2>&1",
		 opt.qemu, s->max ? "max" : "cortex-a57", opt.guest, s->blob,
		 (unsigned long long)AT_HDR_PA, s->log);
	s->pid = fork();
	if (s->pid == 0) {
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	if (s->pid < 0) {
		perror("fork");
		exit(2);
	}
}

static void run_all(struct set *sets, unsigned n)
{
	unsigned next = 0, running = 0;
	while (next < n || running) {
		if (next < n && running < opt.jobs) {
			launch(&sets[next++]);
			running++;
			continue;
		}
		int st;
		pid_t p = wait(&st);
		if (p < 0)
			break;
		for (unsigned i = 0; i < n; i++)
			if (sets[i].pid == p)
				sets[i].status = st;
		running--;
	}
}

/* ---- decoding and comparing ----------------------------------------------- */

enum cls { C_OK, C_TRANS, C_AF, C_PERM, C_ASIZE, C_OTHER, C_ANY_FAULT };
static const char *cls_name[] = { "ok", "translation", "access-flag", "permission", "address-size",
				  "other", "fault" };

struct hw {
	enum cls c;
	unsigned level;
	uint64_t pa;
	uint8_t attr;
	unsigned fst;
};

static struct hw decode_par(uint64_t par, uint64_t va)
{
	struct hw h = { C_OK, 0, 0, 0, 0 };
	if (par & 1) {
		h.fst = (unsigned)(par >> 1 & 0x3f);
		h.level = h.fst & 3;
		switch (h.fst >> 2) {
		case 0: h.c = C_ASIZE; break;
		case 1: h.c = C_TRANS; break;
		case 2: h.c = C_AF; break;
		case 3: h.c = C_PERM; break;
		default: h.c = C_OTHER; break;
		}
		return h;
	}
	h.pa = (par & 0xfffffffff000ull) | (va & 0xfff);
	h.attr = (uint8_t)(par >> 56);
	return h;
}

enum mem { M_DEVICE, M_UNCACHED, M_NORMAL };
static const char *mem_name[] = { "device", "uncached", "normal" };

/* PAR.ATTR (a MAIR byte) as libpt's memory types; *mixed: Normal with one
 * of inner and outer non-cacheable and the other cacheable, which libpt
 * must round one way or the other. */
static enum mem attr_mem(uint8_t a, bool *mixed)
{
	unsigned o = a >> 4, in = a & 15;
	*mixed = false;
	if (o == 0)
		return M_DEVICE;
	if (o == 4 && in == 4)
		return M_UNCACHED;
	*mixed = (o == 4) != (in == 4);
	return M_NORMAL;
}

static enum mem flags_mem(uint32_t f)
{
	return f & PT_DEVICE ? M_DEVICE : f & PT_UNCACHED ? M_UNCACHED : M_NORMAL;
}

static unsigned size_level(uint64_t size)
{
	return size == PT_SIZE_1G ? 1 : size == PT_SIZE_2M ? 2 : 3;
}

struct expect {
	enum cls c;
	bool level_known;
	unsigned level;
	bool pa_known;
	uint64_t pa;
	bool mem_known;
	enum mem mem;
	char why[160];
};

struct tally {
	const char *name;
	bool aside;      /* set-aside examples, not failures */
	unsigned long pass, fail, skipped, mixed;
	unsigned shown;
	unsigned long by_kind[AT_KINDS][2];
};

static struct set *cur_set;

static void show_walk(struct set *s, uint64_t va)
{
	uint64_t top = va >> 48;
	if (top != 0 && top != 0xffff) {
		printf("      walk: va outside both TTBR ranges\n");
		return;
	}
	uint64_t table = pt_root(&s->t[top ? 1 : 0]);
	for (unsigned l = 0; l < 4; l++) {
		uint64_t epa = table + 8 * (va >> shift_of[l] & 511);
		uint64_t *e = entry_at(s, epa);
		if (!e) {
			printf("      L%u table %#" PRIx64 " outside the arena\n", l, table);
			return;
		}
		printf("      L%u [%#" PRIx64 "] = %#018" PRIx64 "\n", l, epa, *e);
		if (l == 3 || (*e & 3) != 3)
			return;
		table = *e & 0xfffffffff000ull;
	}
}

static bool agree(const struct hw *h, const struct expect *x, bool *mixed_out)
{
	*mixed_out = false;
	if (x->c == C_ANY_FAULT) {
		if (h->c == C_OK)
			return false;
	} else if (x->c == C_TRANS && h->c == C_ASIZE && strstr(x->why, "RESERVED")) {
		/* a reserved entry: translation or address size fault */
	} else if (h->c != x->c) {
		return false;
	}
	if (h->c != C_OK && x->level_known && h->level != x->level)
		return false;
	if (h->c == C_OK) {
		if (x->pa_known && h->pa != x->pa)
			return false;
		if (x->mem_known) {
			bool mixed;
			enum mem m = attr_mem(h->attr, &mixed);
			if (m != x->mem) {
				if (!mixed)
					return false;
				*mixed_out = true;
			}
		}
	}
	return true;
}

static void record(struct tally *t, const struct phase *ph, unsigned k, uint64_t va, uint64_t par,
		   const struct hw *h, const struct expect *x)
{
	bool mixed;
	if (agree(h, x, &mixed)) {
		t->pass++;
		t->by_kind[k][0]++;
		t->mixed += mixed;
		return;
	}
	t->fail++;
	t->by_kind[k][1]++;
	if (t->shown++ >= opt.show)
		return;
	printf("  %s %s: set %u cpu %s phase HA=%d HD=%d HPD=%d WXN=%d MAIR %#018" PRIx64 " %s va %#018" PRIx64
	       "\n    AT: PAR %#018" PRIx64 " = %s",
	       t->aside ? "ASIDE" : "FAIL", t->name, cur_set->id, cur_set->max ? "max" : "cortex-a57", ph->ha, ph->hd, ph->hpd, ph->wxn,
	       cur_set->mair, kind_name[k], va, par, cls_name[h->c]);
	if (h->c == C_OK)
		printf(" pa %#" PRIx64 " attr 0x%02x", h->pa, h->attr);
	else
		printf(" level %u (FST %#x)", h->level, h->fst);
	printf("\n    libpt: %s", cls_name[x->c]);
	if (x->level_known)
		printf(" level %u", x->level);
	if (x->pa_known)
		printf(" pa %#" PRIx64, x->pa);
	if (x->mem_known)
		printf(" %s", mem_name[x->mem]);
	printf(" (%s)\n", x->why);
	show_walk(cur_set, va);
}

static bool is_user(unsigned k) { return k == AT_S1E0R || k == AT_S1E0W; }
static bool is_write(unsigned k) { return k == AT_S1E1W || k == AT_S1E0W || k == AT_S1E1WP; }
static bool is_pan(unsigned k) { return k == AT_S1E1RP || k == AT_S1E1WP; }

/* Which TTBR the MMU uses for va: bit 55 (TBI off, so the top bits must
 * also all equal it, or the walk faults at level 0). */
static unsigned half_of(uint64_t va) { return (unsigned)(va >> 55 & 1); }

/* The interim comparator: pt_translate plus the AArch64 rules it leaves
 * out (no access check: accessed and dirty state, EL0, PAN). */
static void expect_translate(struct set *s, const struct phase *ph, unsigned k, uint64_t va,
			     struct expect *x)
{
	struct pt_mapping m;
	unsigned h = half_of(va);
	bool ha = ph->ha, hd = ph->hd && ph->ha; /* HD means nothing without HA */
	if (opt.plant == 3)
		ha = hd = false;
	memset(x, 0, sizeof *x);
	int rc = pt_translate(PT_AARCH64, h ? PT_FEAT_AARCH64_HIGH : 0, pt_root(&s->t[h]), &s->mm, va, &m);
	if (rc == PT_ERR_INVALID || rc == PT_ERR_NOT_MAPPED) {
		x->c = C_TRANS;
		x->level_known = rc == PT_ERR_INVALID;
		snprintf(x->why, sizeof x->why, "pt_translate: %s", pt_strerror(rc));
		return;
	}
	if (rc == PT_ERR_CORRUPT) {
		x->c = C_TRANS;
		snprintf(x->why, sizeof x->why, "pt_translate: %s (RESERVED)", pt_strerror(rc));
		return;
	}
	if (rc != PT_OK) {
		x->c = C_OTHER;
		snprintf(x->why, sizeof x->why, "pt_translate: %s", pt_strerror(rc));
		return;
	}
	unsigned lvl = size_level(m.size);
	bool user = is_user(k) && opt.plant != 1;
	/* PT_DIRTY also reports bit 55, Linux's software dirty bit (PTE_DIRTY),
	 * on a writable leaf; what lets the MMU write without HD is AP[2] = 0
	 * alone, so where bit 55 is set the model reads AP[2] itself. */
	struct rawwalk w = raw_walk(s, va);
	bool mmu_dirty = m.state & PT_DIRTY;
	if (raw_leaf(&w) && (w.e >> 55 & 1))
		mmu_dirty = !(w.e >> 7 & 1);
	snprintf(x->why, sizeof x->why, "pt_translate: pa %#" PRIx64 " size %#" PRIx64 " flags %#x state %#x",
		 m.pa, m.size, m.flags, m.state);
	x->level_known = true;
	x->level = lvl;
	if (!ha && !(m.state & PT_ACCESSED))
		x->c = C_AF;
	else if (user && !(m.flags & PT_USER))
		x->c = C_PERM;
	else if (is_pan(k) && opt.plant != 5 && (m.flags & PT_USER))
		x->c = C_PERM;
	else if (is_write(k) && !(m.flags & PT_WRITE))
		x->c = C_PERM;
	else if (is_write(k) && !hd && !mmu_dirty)
		x->c = C_PERM;
	else
		x->c = C_OK;
	x->pa_known = true;
	x->pa = m.pa;
	/* pt_translate decodes AttrIndx through libpt's own MAIR. */
	x->mem_known = s->mair == PT_AARCH64_MAIR;
	x->mem = flags_mem(m.flags);
}

#ifdef AT_HAVE_PT_ACCESS
static void expect_access(struct set *s, const struct phase *ph, unsigned k, uint64_t va, struct expect *x)
{
	unsigned h = half_of(va);
	struct pt_regime r = { PT_AARCH64, h ? PT_FEAT_AARCH64_HIGH : 0, 0, pt_root(&s->t[h]), s->mair, 0, 0 };
	r.controls = (ph->wxn ? PT_CTL_WXN : 0) | (ph->hpd && opt.plant != 6 ? PT_CTL_HPD : 0) |
		     (is_pan(k) && opt.plant != 5 ? PT_CTL_PAN : 0);
	if (opt.plant != 3)
		r.controls |= (ph->ha ? PT_CTL_HA : 0) | (ph->hd ? PT_CTL_HD : 0);
	unsigned acc = is_write(k) ? PT_ACCESS_WRITE : PT_ACCESS_READ;
	if (is_user(k) && opt.plant != 1)
		acc |= PT_ACCESS_USER;
	struct pt_mapping m;
	struct pt_fault f;
	memset(x, 0, sizeof *x);
	memset(&f, 0, sizeof f);
	int rc = pt_access(&r, &s->mm, va, acc, &m, &f);
	if (rc == PT_OK) {
		x->c = C_OK;
		x->pa_known = x->mem_known = true;
		x->pa = m.pa;
		x->mem = flags_mem(m.flags);
		snprintf(x->why, sizeof x->why, "pt_access: pa %#" PRIx64 " size %#" PRIx64 " flags %#x state %#x",
			 m.pa, m.size, m.flags, m.state);
		return;
	}
	if (rc != PT_ERR_FAULT) {
		x->c = C_OTHER;
		snprintf(x->why, sizeof x->why, "pt_access: %s", pt_strerror(rc));
		return;
	}
	static const char *fk[] = { "NONE", "ADDRESS", "NOT_PRESENT", "PERMISSION", "ACCESS_FLAG", "DIRTY",
				    "RESERVED", "BUS" };
	snprintf(x->why, sizeof x->why, "pt_access: fault %s level %u pte %#" PRIx64 " table %#" PRIx64,
		 (unsigned)f.kind < 8 ? fk[f.kind] : "?", f.level, f.pte, f.table_pa);
	x->level_known = true;
	x->level = f.level;
	switch (f.kind) {
	case PT_FAULT_ADDRESS: x->c = C_TRANS; x->level = 0; break;
	case PT_FAULT_NOT_PRESENT: x->c = C_TRANS; break;
	case PT_FAULT_RESERVED: x->c = C_TRANS; break; /* or address size: agree() */
	case PT_FAULT_ACCESS_FLAG: x->c = C_AF; break;
	case PT_FAULT_PERMISSION: case PT_FAULT_DIRTY: x->c = C_PERM; break;
	default: x->c = C_OTHER; break;
	}
}
#endif

/* ---- what the hardware did (observations for the report) ---------------- */

struct obs {
	unsigned long af0_reads, af0_read_fault, af0_read_ok, af0_set_by_at;
	unsigned long clean_writes, clean_w_fault, clean_w_ok, clean_dirtied_by_at;
	unsigned long ro_table_writes, ro_table_w_ok;  /* DBM clean leaf under APTable[1] */
	unsigned long pan_user, pan_user_fault;
};
static struct obs obs[2][2]; /* [HA][HD] */
static unsigned long hpd_changed, aside[3][2];

static void observe(struct set *s, const struct phase *ph, const struct at_query *q, const struct at_result *r)
{
	struct obs *o = &obs[ph->ha][ph->hd];
	struct rawwalk w = raw_walk(s, q->va);
	if (!q->watch_pa || set_aside(s, q->va))
		return;
	uint64_t e = w.e;
	if (!(e & (1ull << 10))) {
		o->af0_reads++;
		struct hw h = decode_par(r->par[AT_S1E1R], q->va);
		o->af0_read_fault += h.c == C_AF;
		o->af0_read_ok += h.c == C_OK;
		o->af0_set_by_at += r->watch[AT_S1E1R] >> 10 & 1;
	}
	if ((e & 1ull << 51) && (e & 1ull << 7)) { /* DBM = 1, AP[2] = 1: writable, clean */
		struct hw h = decode_par(r->par[AT_S1E1W], q->va);
		bool ro_table = w.tblbits >> 62 & 1 && !ph->hpd;
		if (ro_table) {
			o->ro_table_writes++;
			o->ro_table_w_ok += h.c == C_OK;
		} else if (ph->ha || (e & 1ull << 10)) {
			o->clean_writes++;
			o->clean_w_fault += h.c == C_PERM;
			o->clean_w_ok += h.c == C_OK;
			o->clean_dirtied_by_at += !(r->watch[AT_S1E1W] >> 7 & 1);
		}
	}
	if (r->par[AT_S1E1RP] != AT_NOT_RUN && decode_par(r->par[AT_S1E0R], q->va).c == C_OK) {
		o->pan_user++;
		o->pan_user_fault += decode_par(r->par[AT_S1E1RP], q->va).c == C_PERM;
	}
}

static void print_observations(void)
{
	for (unsigned ha = 0; ha < 2; ha++)
		for (unsigned hd = 0; hd < 2; hd++) {
			const struct obs *o = &obs[ha][hd];
			if (!o->af0_reads && !o->clean_writes)
				continue;
			printf("  TCR.HA=%u HD=%u: AF=0 leaf, AT S1E1R: %lu access-flag fault, %lu ok of %lu; AF set in "
			       "memory by the AT: %lu\n", ha, hd, o->af0_read_fault, o->af0_read_ok, o->af0_reads,
			       o->af0_set_by_at);
			printf("  TCR.HA=%u HD=%u: DBM=1 AP[2]=1 leaf, AT S1E1W: %lu permission fault, %lu ok of %lu; "
			       "AP[2] cleared in memory by the AT: %lu\n", ha, hd, o->clean_w_fault, o->clean_w_ok,
			       o->clean_writes, o->clean_dirtied_by_at);
			if (o->ro_table_writes)
				printf("  TCR.HA=%u HD=%u: the same under APTable[1]=1: %lu of %lu AT S1E1W ok\n", ha, hd,
				       o->ro_table_w_ok, o->ro_table_writes);
			if (o->pan_user)
				printf("  TCR.HA=%u HD=%u: EL0-readable (S1E0R ok), AT S1E1RP with PSTATE.PAN=1: %lu "
				       "permission fault of %lu\n", ha, hd, o->pan_user_fault, o->pan_user);
		}
	printf("  TCR.HPD0/1=1 changed %lu -cpu max PAR values (phase 3 vs phase 4)\n", hpd_changed);
	for (unsigned i = 1; i < 3; i++)
		printf("  set aside, %s: %lu AT answers (%lu of them differ from libpt's)\n", aside_name[i],
		       aside[i][0] + aside[i][1], aside[i][1]);
}

/* ---- main ------------------------------------------------------------------ */

static void usage(void)
{
	fprintf(stderr, "usage: at_host --guest guest.elf [--dir DIR] [--sets-max N] [--sets-a57 N]\n"
			"       [--queries N] [--seed S] [--jobs N] [--plant 1-6] [--show N] [--qemu CMD]\n"
			"       [--no-table-bits] [--verbose]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
#define ARG(name) (!strcmp(a, name) && v && (i++, 1))
		if (ARG("--guest"))
			opt.guest = v;
		else if (ARG("--dir"))
			opt.dir = v;
		else if (ARG("--qemu"))
			opt.qemu = v;
		else if (ARG("--sets-max"))
			opt.sets_max = (unsigned)strtoul(v, NULL, 0);
		else if (ARG("--sets-a57"))
			opt.sets_a57 = (unsigned)strtoul(v, NULL, 0);
		else if (ARG("--queries"))
			opt.queries = (unsigned)strtoul(v, NULL, 0);
		else if (ARG("--seed"))
			opt.seed = strtoull(v, NULL, 0);
		else if (ARG("--jobs"))
			opt.jobs = (unsigned)strtoul(v, NULL, 0);
		else if (ARG("--plant"))
			opt.plant = (unsigned)strtoul(v, NULL, 0);
		else if (ARG("--show"))
			opt.show = (unsigned)strtoul(v, NULL, 0);
		else if (!strcmp(a, "--no-table-bits"))
			opt.table_bits = false;
		else if (!strcmp(a, "--verbose"))
			opt.verbose = true;
		else
			usage();
#undef ARG
	}
	if (!opt.guest || !opt.jobs || opt.queries == 0 || opt.queries > AT_MAX_QUERIES)
		usage();
	mkdir(opt.dir, 0777);
	rng = opt.seed;

	unsigned n = opt.sets_max + opt.sets_a57;
	struct set *sets = calloc(n, sizeof *sets);
	if (!sets)
		return 2;
	for (unsigned i = 0; i < n; i++)
		build_set(&sets[i], i, i < opt.sets_max);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	run_all(sets, n);
	clock_gettime(CLOCK_MONOTONIC, &t1);

	struct tally tt[2][2];
	memset(tt, 0, sizeof tt);
	for (unsigned c = 0; c < 2; c++) {
		tt[c][0].name = "translate";
		tt[c][1].name = "access";
	}
	bool broken = false;
	for (unsigned i = 0; i < n; i++) {
		struct set *s = &sets[i];
		cur_set = s;
		if (!WIFEXITED(s->status) || WEXITSTATUS(s->status)) {
			printf("  at-oracle: set %u: QEMU exited with status %d (log %s)\n", i,
			       WIFEXITED(s->status) ? WEXITSTATUS(s->status) : -1, s->log);
			broken = true;
			continue;
		}
		FILE *f = fopen(s->out, "rb");
		struct at_out_hdr oh;
		size_t nres = (size_t)s->nphases * s->nq;
		struct at_result *res = calloc(nres, sizeof *res);
		if (!f || !res || fread(&oh, sizeof oh, 1, f) != 1 || oh.magic != AT_MAGIC ||
		    oh.nresults != nres || fread(res, sizeof *res, nres, f) != nres) {
			printf("  at-oracle: set %u: no complete result file %s\n", i, s->out);
			broken = true;
			if (f)
				fclose(f);
			free(res);
			continue;
		}
		fclose(f);
		if (opt.verbose || i == 0 || i == opt.sets_max)
			printf("  set %u (-cpu %s): ID_AA64MMFR0_EL1 %#" PRIx64 " MMFR1 %#" PRIx64
			       " (HAFDBS %u, PAN %u, HPDS %u), %zu table frames, %zu leaves, %u queries x %u phases\n",
			       i, s->max ? "max" : "cortex-a57", oh.mmfr0, oh.mmfr1, (unsigned)(oh.mmfr1 & 15),
			       (unsigned)(oh.mmfr1 >> 20 & 15), (unsigned)(oh.mmfr1 >> 12 & 15),
			       (size_t)(s->table_bytes / 4096), s->nleaves, s->nq, s->nphases);
		struct tally *tl = tt[s->max ? 0 : 1];
		for (unsigned p = 0; p < s->nphases; p++) {
			const struct phase *ph = &s->ph[p];
			for (unsigned qi = 0; qi < s->nq; qi++) {
				const struct at_query *q = &s->q[qi];
				const struct at_result *r = &res[(size_t)p * s->nq + qi];
				observe(s, ph, q, r);
				unsigned why = set_aside(s, q->va);
				for (unsigned k = 0; k < AT_KINDS; k++) {
					if (r->par[k] == AT_NOT_RUN)
						continue;
					struct hw h = decode_par(r->par[k], q->va);
					struct expect x;
					if (why) {
						bool mixed;
						expect_translate(s, ph, k, q->va, &x);
						bool same = agree(&h, &x, &mixed);
						aside[why][!same]++;
						if (!same && aside[why][1] <= 1) {
							struct tally t = { aside_name[why], true, 0, 0, 0, 0, 0, { { 0 } } };
							record(&t, ph, k, q->va, r->par[k], &h, &x);
						}
						continue;
					}
					if (ph->hpd) {
						tl[0].skipped++;
					} else {
						expect_translate(s, ph, k, q->va, &x);
						record(&tl[0], ph, k, q->va, r->par[k], &h, &x);
					}
#ifdef AT_HAVE_PT_ACCESS
					expect_access(s, ph, k, q->va, &x);
					record(&tl[1], ph, k, q->va, r->par[k], &h, &x);
#endif
				}
			}
		}
		/* HPD: answers that changed between phase 0 and the HPD phase. */
		if (s->max)
			for (size_t qi = 0; qi < s->nq; qi++)
				for (unsigned k = 0; k < AT_KINDS; k++)
					hpd_changed += res[3 * (size_t)s->nq + qi].par[k] !=
						       res[4 * (size_t)s->nq + qi].par[k];
		free(res);
	}

	printf("  QEMU: %u runs in %.1f s wall (%u at once)\n", n,
	       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9, opt.jobs);
	print_observations();

	unsigned long total_fail = 0;
	for (unsigned c = 0; c < 2; c++)
		for (unsigned m = 0; m < 2; m++) {
			struct tally *t = &tt[c][m];
#ifndef AT_HAVE_PT_ACCESS
			if (m == 1)
				continue;
#endif
			printf("  %s -cpu %s: per kind (agree/disagree):", t->name, c ? "cortex-a57" : "max");
			for (unsigned k = 0; k < AT_KINDS; k++)
				printf(" %s %lu/%lu", kind_name[k], t->by_kind[k][0], t->by_kind[k][1]);
			printf("; HPD phases not compared %lu; memory type disagreements tolerated on Normal "
			       "bytes with one of inner/outer non-cacheable: %lu\n", t->skipped, t->mixed);
			printf("[group] at-oracle %s %s: %lu passed, %lu failed\n", t->name,
			       c ? "cortex-a57" : "max", t->pass, t->fail);
			total_fail += t->fail;
		}
#ifndef AT_HAVE_PT_ACCESS
	printf("  at-oracle: pt_access is not in build/libpt.a yet: only the translate comparison ran\n");
#endif
	if (broken)
		printf("[group] at-oracle runs: 0 passed, 1 failed\n");
	for (unsigned i = 0; i < n; i++) {
		arena_fini(&sets[i].a);
		free(sets[i].q);
		free(sets[i].tables);
		free(sets[i].leaves);
	}
	free(sets);
	return total_fail || broken ? 1 : 0;
}
