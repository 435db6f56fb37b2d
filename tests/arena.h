/* SPDX-License-Identifier: MIT */
/*
 * A host frame allocator over simulated physical memory, for tests, fuzzers,
 * benchmarks and tools. It tracks every frame, catches double and foreign
 * frees, hands out dirty frames (libpt must zero what it uses), can fail the
 * n-th allocation, and records TLB flush calls.
 */
#ifndef PT_TEST_ARENA_H
#define PT_TEST_ARENA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pt.h"

struct arena {
	unsigned char *mem;   /* frame i lives at mem + i * 4096 */
	uint64_t base;        /* PA of frame 0; never 0 */
	size_t nframes;
	uint32_t *run;        /* per frame: 0 free, n: head of an n-frame block, UINT32_MAX: tail */
	size_t hint;          /* next-fit search start */
	size_t in_use;        /* frames allocated now */
	unsigned long allocs, frees;
	unsigned long fail_at;   /* fail the fail_at-th allocation from now (1 = next); 0 never */
	unsigned long fail_every; /* with fail_at: fail every call from then on when non-zero */
	unsigned long failed;    /* allocations refused so far */
	bool dirty;              /* fill allocated frames with garbage (default true) */
	bool strict_virt;        /* phys_to_virt answers NULL for free frames (default true) */
	unsigned errors;         /* double, foreign or misaligned frees seen */
	char error[160];         /* the first such error */
	/* TLB flush hook records */
	unsigned long flush_calls, flush_all_calls;
	uint64_t flush_last_va;
};

/* Simulated memory of nframes 4 KiB frames at PAs [base, base + nframes*4K).
 * base must be a non-zero multiple of 4 KiB. Returns 0, or -1 if out of memory. */
int arena_init(struct arena *a, uint64_t base, size_t nframes);
void arena_fini(struct arena *a);
/* Hooks for pt_init, with a as ctx (flush_tlb records into a). */
void arena_mm(struct arena *a, struct pt_mm *mm);
/* Fail the n-th allocation from now on (n >= 1), or never (n = 0). */
void arena_fail_nth(struct arena *a, unsigned long n);
/* Pointer to PA pa if it lies in the arena (allocated or not), else NULL. */
void *arena_ptr(struct arena *a, uint64_t pa);
/* Is the frame holding pa allocated? */
bool arena_allocated(const struct arena *a, uint64_t pa);

/* The hooks themselves, usable directly. */
int arena_alloc_frames(void *ctx, size_t count, size_t align, uint64_t *pa);
void arena_free_frames(void *ctx, uint64_t pa, size_t count);
void *arena_phys_to_virt(void *ctx, uint64_t pa);
void arena_flush_tlb(void *ctx, uint64_t va, bool all);

#endif
