/* SPDX-License-Identifier: MIT */
/*
 * The AT oracle's host driver (make at-oracle), in three files:
 * at_host.c (options, running the guests, the verdict), at_tables.c
 * (random tables, their perturbations, the queries, the blob) and
 * at_compare.c (every PAR_EL1 against libpt, and what the MMU did).
 */
#ifndef AT_HOST_H
#define AT_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "arena.h"
#include "at.h"
#include "pt.h"

#define TCR_HA (1ull << 39)
#define TCR_HD (1ull << 40)
#define TCR_HPD0 (1ull << 41)
#define TCR_HPD1 (1ull << 42)
#define ARENA_FRAMES 4096u
#define PA_LIMIT (1ull << 40) /* below Cortex-A57's 44-bit PARange */
#define PA52_LIMIT (1ull << 52)

struct at_opt {
	const char *guest, *dir, *qemu;
	unsigned sets_max, sets_a57, queries, jobs, plant, show;
	uint64_t seed;
	bool verbose, table_bits, gran;
};
extern struct at_opt opt;

extern const char *const kind_name[AT_KINDS];
extern const char *const probe_name[AT_PROBES];

/*
 * One half's table shape, worked out here from the Arm ARM's rules (not
 * read from libpt, so a libpt shape the MMU reads otherwise shows): a
 * 2^page-byte granule, levels of page - 3 index bits, the root holding
 * what is left of va_bits. Levels count from the root (0), as libpt's
 * pt_fault.level does; the Arm level is start + level.
 */
struct geo {
	enum pt_arch arch;
	unsigned va_bits, page, levels, start;
	bool pa52;         /* PT_FEAT_AARCH64_PA52: FEAT_LPA2 (4K, 16K), FEAT_LPA (64K) */
	unsigned shift[4]; /* VA bit each level's index starts at */
	unsigned bits[4];  /* index bits of each level */
};
void geo_init(struct geo *g, enum pt_arch a, unsigned va_bits, unsigned features);
/* Level l may hold a block (4K: Arm levels 1 and 2; 16K, 64K: level 2;
 * with a 52-bit OA also 4K level 0, 16K and 64K level 1). */
bool geo_block(const struct geo *g, unsigned l);
/* The next-level table a table descriptor points to: bits 47..page, with
 * a 52-bit OA OA[51:50] from bits 9:8 and OA[49:48] from 49:48 (LPA2), or
 * OA[51:48] from bits 15:12 (LPA, 64K). */
uint64_t geo_table_pa(const struct geo *g, uint64_t e);
/* RES0 address bits of a table descriptor, and of a leaf at level l. */
uint64_t geo_table_res0(const struct geo *g);
uint64_t geo_leaf_res0(const struct geo *g, unsigned l);
/* The half va selects (bit 55; 1: TTBR1) and whether va is in its range. */
unsigned half_of(uint64_t va);
bool in_range(const struct geo *g, uint64_t va);
const char *geo_name(const struct geo *g);

/* ---- one table set (at_tables.c) ---- */

struct desc {
	uint64_t pa;     /* where the descriptor lives */
	uint64_t va;     /* first VA it covers */
	unsigned level;
};

struct phase {
	bool ha, hd, hpd, wxn;
	bool ips36;  /* TCR_EL1.IPS 36 bits, not pt_tcr's 48 (pt_regime.pa_bits) */
	unsigned after; /* n > 0: the tables after stage n of libpt's edits of its
			 * runs (at.h at_phase.after) */
};

/* One run of contiguous groups libpt maps (at_runs.c): n groups of
 * `members` leaves of `leaf` bytes from va (in half h) to pa. */
struct run {
	unsigned h, groups, members;
	uint64_t va, pa, leaf;
	uint64_t *desc;        /* each member's descriptor address */
	uint64_t *before;      /* ... and its raw value before the edits */
	bool *flushed, *bbm;   /* flushed after the edits began; while invalid */
};

struct set {
	unsigned id;
	bool max;             /* -cpu max (else cortex-a57) */
	bool probe;           /* real accesses too (at.h) */
	bool el2;             /* t[0] is an EL2 table (at.h hdr.el2); no t[1] */
	uint64_t ident[4][2]; /* [lo, hi) mapped at VA = PA in t[0]: not perturbed */
	unsigned nident;
	unsigned wild;        /* table descriptors pointing outside the arena */
	struct arena a;
	struct pt_mm mm;
	struct pt_table t[2]; /* [0] TTBR0, [1] TTBR1 (HIGH) */
	struct geo g[2];
	unsigned feat[2];     /* PT_FEAT_AARCH64_PA52 / VA52 of each table */
	uint64_t pa_limit;    /* random leaves' PAs lie below it */
	uint64_t mair;
	unsigned nphases;
	struct phase ph[AT_MAX_PHASES];
	struct desc *tables, *leaves;
	size_t ntables, nleaves, cap_t, cap_l;
	uint64_t keep[4][3];  /* [lo, hi) of half [2]: contiguous runs, not perturbed */
	unsigned nkeep;
	uint64_t ram_va[16];  /* pages mapping the data region (at.h AT_DATA_PA) */
	unsigned nram;
	struct run runs[2];   /* [0] pages, [1] blocks (at_runs.c) */
	unsigned nruns, nq_runs; /* the last nq_runs queries are the runs' */
	unsigned char *img[1 + AT_STAGES]; /* the table frames before the edits, after each stage */
	uint64_t flush[AT_STAGES][AT_MAX_FLUSH]; /* libpt's flushes during each stage */
	unsigned nflush[AT_STAGES], stage;
	bool flush_all[AT_STAGES];
	unsigned long runs_pass, runs_fail; /* the raw-entry and flush checks */
	uint64_t rsv_block_va[2];   /* a block where the granule has none ... */
	uint64_t rsv_block_size[2]; /* ... its span (0: none) in each half */
	struct at_query *q;
	unsigned nq;
	uint64_t table_bytes;
	unsigned long outcome[6]; /* compared AT answers per PAR class (at_compare.c) */
	unsigned long probe_outcome[6]; /* the same for the real accesses */
	unsigned long ram_loads, ram_stores; /* real accesses whose word was checked */
	unsigned long run_probes[2]; /* real accesses to the runs: ok, fault (after phase) */
	unsigned long ok_pa52;  /* compared ok AT answers with a PA at or above 2^48 */
	unsigned long ok_big;   /* ... through a block only a 52-bit OA allows */
	unsigned long ok_va52;  /* ... at a VA beyond 48 bits */
	char blob[400], out[400], log[400];
	pid_t pid;
	int status;
};

uint64_t *entry_at(struct set *s, uint64_t pa);
void seed_rng(uint64_t seed);
/* Build, perturb and write out table set id (its blob, s->blob). */
void build_set(struct set *s, unsigned id, bool max);
/* The same for a granule set: TTBR0 and TTBR1 tables of formats a0, a1
 * at VA widths b0, b1 with features f0, f1 (PA52, VA52; pt_init_config),
 * switched on with pt_tcr; with el2 one PT_FEAT_AARCH64_EL2 table (a0, b0,
 * f0) for TTBR0_EL2 instead. */
void build_gran_set(struct set *s, unsigned id, enum pt_arch a0, unsigned b0, unsigned f0,
		    enum pt_arch a1, unsigned b1, unsigned f1, bool el2);

/* Where the MMU's walk for va ends, read from the raw tables. */
struct rawwalk {
	bool outside;      /* va in neither TTBR range, or a table outside the arena */
	unsigned level;    /* of the last descriptor read (0 = the root) */
	uint64_t epa, e;   /* that descriptor and where it lives */
	uint64_t tblbits;  /* bits 62:59 of the table descriptors above, ORed */
	uint64_t tblres0;  /* RES0 address bits of those descriptors, ORed */
	const struct geo *g; /* the half's shape (NULL: outside) */
};

struct rawwalk raw_walk(struct set *s, uint64_t va);
/* A valid leaf (the MMU's view: block at levels 1-2, page at level 3). */
bool raw_leaf(const struct rawwalk *w);
/* 0, or why va's answers are set aside, not compared (aside_name; 3, in
 * a phase with a 36-bit IPS, at_compare.c). */
unsigned set_aside(struct set *s, uint64_t va);
extern const char *const aside_name[4];

/* RES0-free address field of a descriptor (geo_table_pa reads only it). */
uint64_t geo_addr_field(const struct geo *g);
uint64_t rnd(void);
uint64_t below(uint64_t n);
uint32_t rand_flags(void);

/* ---- contiguous runs and guest RAM (at_runs.c) ---- */

/* Pages over the data region in each half (s->ram_va), and the runs:
 * map them, check their marks. Before the random mappings. */
void build_ram_and_runs(struct set *s);
/* The runs' queries, appended (s->nq_runs of them). */
void run_queries(struct set *s);
/* libpt's PA for va (no access checked), or 0: not in the data region. */
uint64_t ram_pa(struct set *s, uint64_t va);
/* After the perturbation: the before image, libpt's edits of the runs
 * (their flushes recorded), the after image and the checks on them. */
void edit_runs(struct set *s);
/* Put image i (0 before the edits, n after stage n) in the arena. */
void use_image(struct set *s, unsigned i);
/* pt_mm.flush_tlb of the granule sets' tables: records the edits'. */
void run_flush_hook(void *ctx, uint64_t va, bool all);

/* ---- comparing (at_compare.c) ---- */

struct tally {
	const char *name;
	bool aside;      /* set-aside examples, not failures */
	unsigned long pass, fail, skipped, mixed;
	unsigned shown;
	unsigned long by_kind[AT_KINDS][2];
};

/* Compare set s's results (phase-major) into tl[0] (pt_translate),
 * tl[1] (pt_access), tl[2] (the real accesses against pt_access) and
 * tl[3] (the words real accesses read or wrote in guest RAM against
 * libpt's PA). */
void compare_set(struct set *s, const struct at_result *res, struct tally tl[4]);
void print_observations(void);
/* PAR classes: ok, translation, access-flag, permission, address-size, other. */
extern const char *const cls_name[];

#endif /* AT_HOST_H */
