/* SPDX-License-Identifier: MIT */
/* The stage-2 guest's layout and build flags, and what rt.c and perturb.c give guest.c. */
#ifndef S2_H
#define S2_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pt.h"

#ifndef S2_SHOW
#define S2_SHOW 12
#endif
#ifndef S2_ARCH_PTW_LEVEL
#define S2_ARCH_PTW_LEVEL 0
#endif
#ifndef S2_PLANT
#define S2_PLANT 0
#endif

void s2_main(void);
void s2_el2_trap(uint64_t esr, uint64_t elr, uint64_t far);
void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);

/* ---- Memory layout (-m 256M: RAM at 0x40000000..0x50000000) ------------ */

#define RAM_BASE 0x40000000ull
#define RAM_END 0x50000000ull
#define IMAGE_BYTES 0x400000ull /* the guest image: IPA == PA at stage 2 */
#define S2_POOL 0x44000000ull   /* stage-2 table frames (host-physical) */
#define S2_POOL_BYTES 0x1000000ull
#define S1_POOL 0x46000000ull   /* stage-1 table frames (host-physical) */
#define S1_POOL_IPA 0x16000000ull
#define S1_POOL_BYTES 0x200000ull
#define DATA 0x48000000ull      /* data frames (host-physical) */
#define DATA_IPA 0x20000000ull  /* first half: 2M stage-2 blocks; second: 4K */
#define DATA_BYTES 0x2000000ull
#define HOLE_IPA 0x30000000ull  /* in range, never mapped at stage 2 */
#define FAR_IPA 0xf000000000ull /* 40 bits: beyond 32 and 36-bit IPA spaces */
#define BIG_IPA 0x10000000000ull /* at TCR_EL1.IPS (40 bits) */
#define TEST_VA 0x8000000000ull /* stage-1 level 0 index 1 and up */
#define TAG 0x5a00000000000000ull
#define STORE_SLOT 0xff8u

#define UART 0x09000000ull

/* ---- rt.c: console, exit, random numbers, frame pools -------------------- */

void puts_(const char *s);
void putu(uint64_t v);
void putx(uint64_t v);
/* Semihosting exit with `code` (0: success). */
__attribute__((noreturn)) void leave(unsigned code);
__attribute__((noreturn)) void panic(const char *why, uint64_t v);
/* panic(what) unless r is PT_OK. */
void must(int r, const char *what);
/* xorshift64; s2_main mixes the CPU into the state. */
extern uint64_t rng_state;
uint64_t rnd(void);
unsigned below(unsigned n);

struct pool {
	uint64_t base, bytes, used; /* base: the address the tables hold */
	uint64_t to_host;           /* host-physical minus that address */
};
extern struct pool s2pool, s1pool;
extern const struct pt_mm s2mm, s1mm, hostmm;

/* ---- Table sets and their entries ------------------------------------------ */

/* A table entry found by pt_walk. */
struct spot {
	uint64_t hpa; /* where the entry lives */
	uint64_t lo, hi; /* the input range it covers */
	uint64_t next; /* a table entry's next table, as the entry holds it */
	bool leaf;
	unsigned level;
};
#define SPOTS 8192u

/* One table set: the IPA size, both tables, the regimes. */
struct set {
	unsigned bits;
	struct pt_table s2, s1;
	struct pt_regime r1, r2;
	uint64_t s1_protect; /* stage-1 pool bytes holding EL1's own tables */
	uint64_t vtcr;
};

/* The entries of the last build's tables (collect()). */
extern struct spot spots1[SPOTS], spots2[SPOTS];
extern unsigned nspots1;
/* The CPU's stage-2 output size (guest.c). */
extern unsigned s2_pa_bits;

/* ---- perturb.c ------------------------------------------------------------- */

/* Every entry of t into v (at most SPOTS), at its host address (the
 * tables' address plus to_host); how many. */
unsigned collect(const struct pt_table *t, struct spot *v, uint64_t to_host);
extern unsigned long n_perturbed;
void perturb_s1(unsigned n);
void perturb_s2(const struct set *s, unsigned n, bool xnx);
void perturb_hahd(const struct set *s, unsigned n2);

#endif
