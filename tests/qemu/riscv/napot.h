/* SPDX-License-Identifier: MIT */
/*
 * What the parts of the <format>/napot group share: napot.c (the group,
 * runs pt_map_region writes), napot_live.c (their edits) and
 * napot_foreign.c (NAPOT leaves the guest writes). The test window, raw
 * entries, the record of libpt's flush_tlb calls, the model of the pages.
 */
#ifndef QEMU_RISCV_NAPOT_H
#define QEMU_RISCV_NAPOT_H

#include "../common.h"

#define RV_V 1ull
#define RV_R 2ull
#define RV_W 4ull
#define RV_X 8ull
#define RV_U 16ull
#define RV_A 64ull
#define RV_D 128ull
#define RV_N (1ull << 63)
#define RV_PPN_SHIFT 10
#define RV_PPN_MASK (((1ull << 44) - 1) << RV_PPN_SHIFT)
#define RV_AD (RV_A | RV_D)
#define NAPOT_BITS (8ull << RV_PPN_SHIFT) /* PPN[3:0] = 1000: 64 KiB */

#define RUN 16u
#define RUN_SIZE (UINT64_C(1) << 16)
#define PG 4096u

/* 2M slots of the test window, one job each (a table of its own). */
enum {
	S_HEAD, S_HUGE, S_HUGE2, S_SKEW, S_MISC, S_STUB,
	S_PART1_END,
	S_PROT = 8, S_UNMAP, S_WHOLE, S_UNWHOLE, S_SINGLE, S_STATE, S_SPLIT,
	S_FOREIGN = 16, S_F2M,
	S_COUNT
};

uint64_t slot(unsigned s);
unsigned levels(void);
uint32_t norm(uint32_t flags);

/* The entry the MMU reads last for va: a leaf, an invalid entry, or the
 * last level's; *level (if not NULL) its level (0 = root). */
volatile uint64_t *raw_slot(uint64_t va, unsigned *level);
uint64_t raw(uint64_t va);
/* The plain leaf libpt writes for pa with flags at level l; the NAPOT
 * member of a run over run_pa. */
uint64_t plain_pte(uint64_t pa, uint32_t flags, unsigned l);
uint64_t napot_pte(uint64_t run_pa, uint32_t flags);
void sfence_all(void);

/* An edit of runs: edit_begin empties the record of flush_tlb calls and
 * watches the run at va0 (0: none); calls between it and edit_end count
 * as made inside the edit. check_break: the run at va0 was broken by it. */
void edit_begin(uint64_t va0);
void edit_end(void);
void check_break(uint64_t va0);

/* The word a probe of the page at va uses (never T's exec stub). */
uint64_t word_off(uint64_t va);
/* The regime the guest's S-mode runs under, SUM as asked. */
struct pt_regime regime(unsigned features, bool sum);

/* pt_flush after an edit of runs (QEMU_MUTATE 13 drops libpt's records);
 * every page of [va, va + n pages) flushed since edit_begin; the members
 * of the run at va0 that are valid, and valid with N. */
void flush_edits(void);
void check_flushed(uint64_t va, unsigned n);
void run_masks(uint64_t va0, uint16_t *valid, uint16_t *napot);

/* The model: what each page of the window must be, in VA order. */
enum kind { K_EMPTY, K_PLAIN, K_NAPOT, K_ANY, K_HUGE };

struct pg {
	uint64_t va, pa, size;
	uint32_t flags;
	uint8_t kind; /* K_ANY: plain or a sound NAPOT run (libpt's choice) */
	uint8_t visits;
};

struct pg *add_pg(uint64_t va, uint64_t pa, uint64_t size, uint32_t flags, enum kind k);
void model_drop_last(void);
struct pg *find_pg(uint64_t va);
/* pt_map_region with PT_ALLOW_HUGE, and the leaves it must write added. */
int map_run_region(uint64_t va, uint64_t pa, unsigned n, uint32_t flags);
/* Pages [va, va + n pages) become kind k with flags (and pa, unless 0). */
void set_pgs(uint64_t va, unsigned n, enum kind k, uint32_t flags, uint64_t pa);
/* Every model page in [va, end): raw entry, pt_query, pt_access, a real
 * load and store (and the stub's fetch where it is mapped). */
void check_pgs(uint64_t va, uint64_t end);
/* Loads and stores filling QEMU's TLB with [va, va + n pages). */
void warm(uint64_t va, unsigned n);
extern unsigned g_napot_seen; /* NAPOT members check_pgs saw */

/* napot_live.c, napot_foreign.c */
void napot_live(void);
void napot_foreign(void);

#endif /* QEMU_RISCV_NAPOT_H */
