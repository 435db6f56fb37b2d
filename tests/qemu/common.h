/* SPDX-License-Identifier: MIT */
/*
 * What the conformance guest's test files share (common.c, map.c,
 * state.c, asid.c, defer.c, access.c); guest.h is the interface to the
 * architecture's startup instead.
 *
 * Physical layout: the tagged region T (every 64-bit word holds its own PA,
 * frame 0 starts with the exec stub) and, right above it, the pool the
 * frame allocator hands table frames out of.
 *
 * QEMU_MUTATE (qemu.mk, qemu-mutants) breaks one thing at build time to
 * prove the checks can fail: 1 to 3 in map.c, 4 and 5 in state.c, 6 in
 * asid.c, 7 in aarch64/arch.c, 8 and 9 in defer.c, 10 to 12 in access.c,
 * 13 in riscv/napot.c.
 */
#ifndef QEMU_COMMON_H
#define QEMU_COMMON_H

#include "guest.h"

#define T_SIZE (UINT64_C(4) << 20)   /* tagged region: two 2M-aligned halves */
#define STUB_BYTES 64                /* exec stub at the start of T */
#define POOL_FRAMES 4096             /* 16 MiB of table frames */
#define POISON UINT64_C(0xdbdbdbdbdbdbdbdb)

/* ---- common.c ----------------------------------------------------------- */

/* Random numbers: a fixed seed per format, so every run is the same run. */
extern uint64_t rng_state;
uint64_t rnd(void);
uint64_t rnd_below(uint64_t n);

extern uint64_t t_base;              /* PA of T, 2M-aligned */
extern uint64_t pool_base;
/* Given back and filled with POISON since: nothing may write it until it
 * is allocated again (checked by the defer group, pool_poison_check). */
extern uint8_t pool_poisoned[POOL_FRAMES];
extern size_t pool_inuse;
extern bool pool_error;

/* The pool's frame allocator hooks (g_mm): allocated frames hold garbage,
 * freed ones POISON. */
int fa_alloc(void *ctx, size_t count, size_t align, uint64_t *pa);
void fa_free(void *ctx, uint64_t pa, size_t count);
void *fa_virt(void *ctx, uint64_t pa);
extern struct pt_mm g_mm;
/* The first word of a poisoned frame that no longer holds POISON (frame
 * index i); 0 if the frame is intact. */
uint64_t poison_broken(size_t i);

static inline volatile uint64_t *word(uint64_t pa)
{
	return (volatile uint64_t *)(uintptr_t)pa;
}

/* The format under test and its live table. */
extern const struct fmt *F;
extern struct pt_table T;

/* Counts for the group being run; g_phase names the step in FAIL lines. */
extern unsigned g_pass, g_fail, g_shown;
extern const char *g_phase;
/* Count one check; print the first failures with va and two values. */
bool check(bool ok, const char *what, uint64_t va, uint64_t a, uint64_t b);

/* One access of kind k in mode m; a fault sets g_faulted. */
uint64_t probe(unsigned m, enum acc k, uint64_t va, uint64_t val);

unsigned va_bits(void);
/* A random size-aligned canonical VA in the test area. */
uint64_t rand_va(uint64_t size);
/* The granule: 4K, or what the emulator cannot split (fmt.granule). */
uint64_t gran(void);
/* Map the 4K pages of one granule in T; on a clash undo and report it. */
int map_small(uint64_t va, uint64_t pa, uint32_t flags);
/* Identity-map the guest's RAM and devices into t, `extra` on every entry. */
int map_identity(struct pt_table *t, uint32_t extra);
/* Run a check beyond the format's main group as a group of its own. */
void run_group(const char *what, void (*fn)(void));

/* ---- map.c: the format's main group ------------------------------------- */

/* Nothing mapped in va's whole granule, by the shadow and by libpt. */
bool block_unmapped(uint64_t va);
/* Forget every test mapping: the next table starts empty. */
void shadow_clear(void);
void run_fmt(const struct fmt *f);

/* ---- The other groups --------------------------------------------------- */

extern uint32_t g_hw;                /* state bits the MMU sets on this format */
void check_state(void);              /* state.c */
void check_asids(void);              /* asid.c */
void check_defer(void);              /* defer.c */
void check_access(void);             /* access.c */

#endif /* QEMU_COMMON_H */
