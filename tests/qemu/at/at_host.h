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

struct at_opt {
	const char *guest, *dir, *qemu;
	unsigned sets_max, sets_a57, queries, jobs, plant, show;
	uint64_t seed;
	bool verbose, table_bits;
};
extern struct at_opt opt;

extern const char *const kind_name[AT_KINDS];
extern const unsigned shift_of[4]; /* per level, 0 = the root */

/* ---- one table set (at_tables.c) ---- */

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

uint64_t *entry_at(struct set *s, uint64_t pa);
void seed_rng(uint64_t seed);
/* Build, perturb and write out table set id (its blob, s->blob). */
void build_set(struct set *s, unsigned id, bool max);

/* Where the MMU's walk for va ends, read from the raw tables. */
struct rawwalk {
	bool outside;      /* va in neither TTBR range, or a table outside the arena */
	unsigned level;    /* of the last descriptor read */
	uint64_t epa, e;   /* that descriptor and where it lives */
	uint64_t tblbits;  /* bits 62:59 of the table descriptors above, ORed */
};

struct rawwalk raw_walk(struct set *s, uint64_t va);
/* A valid leaf (the MMU's view: block at levels 1-2, page at level 3). */
bool raw_leaf(const struct rawwalk *w);
/* 0, or why va's answers are set aside, not compared (aside_name). */
unsigned set_aside(struct set *s, uint64_t va);
extern const char *const aside_name[3];

/* ---- comparing (at_compare.c) ---- */

struct tally {
	const char *name;
	bool aside;      /* set-aside examples, not failures */
	unsigned long pass, fail, skipped, mixed;
	unsigned shown;
	unsigned long by_kind[AT_KINDS][2];
};

/* Compare set s's results (phase-major) into tl[0] (pt_translate) and
 * tl[1] (pt_access). */
void compare_set(struct set *s, const struct at_result *res, struct tally tl[2]);
void print_observations(void);

#endif /* AT_HOST_H */
