/* SPDX-License-Identifier: MIT */
/* The RISC-V hypervisor guest's layout and what its HS-mode runtime (rt.c) gives guest.c. */
#ifndef RVH_H
#define RVH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pt.h"

#ifndef QEMU_MUTATE
#define QEMU_MUTATE 0
#endif

#define UART 0x10000000ull
#define FINISHER 0x100000ull
#define RAM_BASE 0x80000000ull
#define RAM_END 0x90000000ull /* -m 256M */

/* Host-physical layout. The image's first 2M is guest-physical at the
 * same address (the trampolines run there); the VS table pool and the data
 * pages are guest-physical at HPA + SHIFT, so htval can only match the
 * guest-physical address. */
#define IMG_SIZE (2ull << 20)
#define GPOOL_HPA 0x81000000ull
#define GPOOL_FRAMES 1024u
#define HPOOL_HPA 0x81400000ull /* HS-mode's own identity table */
#define HPOOL_FRAMES 64u
#define VPOOL_HPA 0x82000000ull
#define VPOOL_FRAMES 256u
#define DATA_HPA 0x84000000ull
#define DATA_SIZE (8ull << 20)
#define SHIFT 0x100000000ull
#define VPOOL_GPA (VPOOL_HPA + SHIFT)
#define DATA_GPA (DATA_HPA + SHIFT)
/* The VU trampoline's guest VA; the VS one is vs_page's own address. */
#define TRAMP_U_VA 0x40000000ull

#define RV_V 1ull
#define RV_R 2ull
#define RV_W 4ull
#define RV_X 8ull
#define RV_U 16ull
#define RV_G 32ull
#define RV_A 64ull
#define RV_D 128ull

#define SSTATUS_SPP (1ull << 8)
#define SSTATUS_SUM (1ull << 18)
#define SSTATUS_MXR (1ull << 19)
#define HSTATUS_GVA (1ull << 6)
#define HSTATUS_SPV (1ull << 7)
#define HSTATUS_SPVP (1ull << 8)

enum acc { ACC_READ, ACC_WRITE, ACC_EXEC };

/* ---- rt.c ---------------------------------------------------------------- */

/* Console: %s a string, %u a uint64_t in decimal, %x a uint64_t in hex. */
void pr(const char *fmt, ...);
/* Report and stop QEMU through the SiFive test finisher. */
__attribute__((noreturn)) void finish(bool ok);
__attribute__((noreturn)) void panic(const char *what, uint64_t a, uint64_t b, uint64_t c);
void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);

/* Fixed seed: every run is the same run. */
uint64_t rnd(void);
uint64_t rnd_below(uint64_t n);

/* Frame pools, bump allocators reset each round: `base` is the address
 * libpt sees (HPA for G-stage, GPA for VS-stage), `hpa` where the frames
 * really are. */
struct pool {
	uint64_t base, hpa;
	unsigned frames, next;
};
extern struct pool gpool, vpool;
extern uint16_t vmid;
void *g_virt(void *ctx, uint64_t pa);
void *v_virt(void *ctx, uint64_t pa);
extern const struct pt_mm g_mm, v_mm, host_mm, h_mm;

/* start.S: the trampolines, the hypervisor loads and stores, VS entry. */
extern char vs_page[], vs_handler[], stub_start[], stub_end[];
uint64_t hlv_d(uint64_t va);
void hsv_d(uint64_t va, uint64_t v);
uint64_t hlvx_wu(uint64_t va);
uint64_t enter_vs(uint64_t entry, uint64_t a0, uint64_t a1, uint64_t vs);

/* What the HS trap handler saw of the last probe's fault. */
extern volatile int probing, faulted, delegated;
extern volatile uint64_t f_cause, f_tval, f_htval, f_htinst, f_hstatus;

/* Checks: counted per G-stage format; while dry, check() only notes a
 * mismatch in dry_bad (a verdict is being compared with a second model). */
extern unsigned n_pass, n_fail, n_shown;
extern bool dry, dry_bad;
bool check(bool ok, const char *what, uint64_t va, uint64_t a, uint64_t b);

#endif
