/* SPDX-License-Identifier: MIT */
/*
 * The AT oracle guest: answers, with the CPU's own address-translation
 * instructions, how the EL1&0 stage-1 regime translates the queries of the
 * blob the host loaded (at.h). It runs at EL2 with its own MMU off, so the
 * tables under test never translate its own accesses, programs the EL1
 * registers of each phase (HCR_EL2.RW = 1, VM = 0: EL1 is AArch64 and has
 * no stage 2; E2H = TGE = 0, so AT S1E1* and S1E0* use the EL1&0 regime),
 * and records PAR_EL1 after AT S1E1R, S1E1W, S1E0R, S1E0W and, with
 * FEAT_PAN2, S1E1RP and S1E1WP (with PSTATE.PAN set). With hdr.probe, after
 * every AT of a phase it also loads and stores at EL1 and at EL0 through
 * the same regime (probe_run in start.S: code at AT_PROBE_PA, which the
 * host maps there) and records ESR_EL1 and FAR_EL1, and what a load read
 * or (read back at the PA libpt gave) a store wrote in guest RAM. A phase
 * marked after loads the table image libpt left after editing its
 * contiguous runs, keeps the registers (and so QEMU's TLB) of the phase
 * before, and makes only the TLB invalidations libpt asked for. The
 * results go to a host file through semihosting, in one write.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "at.h"

#define SYS_OPEN 0x01
#define SYS_CLOSE 0x02
#define SYS_WRITE0 0x04
#define SYS_WRITE 0x05
#define SYS_EXIT 0x18

void at_main(void);
void at_trap(uint64_t esr, uint64_t elr, uint64_t far);
uint64_t probe_run(uint64_t spsr, uint64_t va, uint64_t store, uint64_t elr, uint64_t *far, uint64_t val);
extern const char probe_el1_code[], probe_el1_end[], probe_el0_code[], probe_el0_end[];

static uint64_t semihost(uint64_t op, const volatile void *arg)
{
	register uint64_t x0 __asm__("x0") = op;
	register const volatile void *x1 __asm__("x1") = arg;
	__asm__ volatile("hlt #0xf000" : "+r"(x0) : "r"(x1) : "memory");
	return x0;
}

static void puts_host(const char *s)
{
	semihost(SYS_WRITE0, s);
}

static void put_hex(uint64_t v)
{
	char b[19];
	b[0] = '0';
	b[1] = 'x';
	for (int i = 0; i < 16; i++)
		b[2 + i] = "0123456789abcdef"[v >> (60 - 4 * i) & 15];
	b[18] = 0;
	puts_host(b);
}

__attribute__((noreturn)) static void leave(unsigned code)
{
	static volatile uint64_t block[2];
	block[0] = 0x20026; /* ADP_Stopped_ApplicationExit */
	block[1] = code;
	semihost(SYS_EXIT, block);
	for (;;)
		__asm__ volatile("wfe");
}

__attribute__((noreturn)) static void fail(const char *why)
{
	puts_host("at-guest: ");
	puts_host(why);
	puts_host("\n");
	leave(2);
}

void at_trap(uint64_t esr, uint64_t elr, uint64_t far)
{
	puts_host("at-guest: unexpected exception esr ");
	put_hex(esr);
	puts_host(" elr ");
	put_hex(elr);
	puts_host(" far ");
	put_hex(far);
	puts_host("\n");
	leave(3);
}

/* The guest's MMU is off, so every access is Device-nGnRnE: aligned
 * 8-byte words only. */
static void copy_words(uint64_t dst, uint64_t src, uint64_t bytes)
{
	volatile uint64_t *d = (volatile uint64_t *)(uintptr_t)dst;
	const volatile uint64_t *s = (const volatile uint64_t *)(uintptr_t)src;
	for (uint64_t i = 0; i < bytes / 8; i++)
		d[i] = s[i];
}

#define SYSREG_READ(name)                                              \
	({                                                             \
		uint64_t v_;                                           \
		__asm__ volatile("mrs %0, " #name : "=r"(v_));         \
		v_;                                                    \
	})
#define SYSREG_WRITE(name, v) __asm__ volatile("msr " #name ", %0" : : "r"((uint64_t)(v)) : "memory")

/* One AT of kind k; PAR_EL1 after it. The PAN2 forms are spelled as SYS
 * encodings (op1 0, CRn 7, CRm 9, op2 0/1) so no -march is needed. */
static uint64_t at(unsigned k, uint64_t va)
{
	switch (k) {
	case AT_S1E1R: __asm__ volatile("at s1e1r, %0" : : "r"(va) : "memory"); break;
	case AT_S1E1W: __asm__ volatile("at s1e1w, %0" : : "r"(va) : "memory"); break;
	case AT_S1E0R: __asm__ volatile("at s1e0r, %0" : : "r"(va) : "memory"); break;
	case AT_S1E0W: __asm__ volatile("at s1e0w, %0" : : "r"(va) : "memory"); break;
	case AT_S1E1RP: __asm__ volatile("sys #0, c7, c9, #0, %0" : : "r"(va) : "memory"); break;
	default: __asm__ volatile("sys #0, c7, c9, #1, %0" : : "r"(va) : "memory"); break;
	}
	__asm__ volatile("isb" ::: "memory");
	return SYSREG_READ(par_el1);
}

/* One phase of the EL2 regime: its registers, the MMU on for the ATs
 * (the tables map this code, its stack, the blob and the results at
 * VA = PA), off again. */
static void el2_phase(const volatile struct at_phase *ph, const volatile struct at_query *q,
		      volatile struct at_result *res, uint64_t n)
{
	uint64_t sctlr = SYSREG_READ(sctlr_el2);
	__asm__ volatile("dsb sy");
	SYSREG_WRITE(mair_el2, ph->mair);
	SYSREG_WRITE(tcr_el2, ph->tcr);
	SYSREG_WRITE(ttbr0_el2, ph->ttbr0);
	__asm__ volatile("isb\n\ttlbi alle2\n\tdsb sy\n\tisb" ::: "memory");
	SYSREG_WRITE(sctlr_el2, sctlr | 1 | 1ull << 2 | 1ull << 12);
	__asm__ volatile("isb" ::: "memory");
	for (uint64_t i = 0; i < n; i++) {
		volatile struct at_result *r = &res[i];
		uint64_t va = q[i].va, w = q[i].watch_pa;
		for (unsigned k = 0; k < AT_KINDS; k++) {
			r->par[k] = AT_NOT_RUN;
			r->watch[k] = 0;
		}
		__asm__ volatile("at s1e2r, %0\n\tisb" : : "r"(va) : "memory");
		r->par[AT_S1E1R] = SYSREG_READ(par_el1);
		r->watch[AT_S1E1R] = w ? *(const volatile uint64_t *)(uintptr_t)w : 0;
		__asm__ volatile("at s1e2w, %0\n\tisb" : : "r"(va) : "memory");
		r->par[AT_S1E1W] = SYSREG_READ(par_el1);
		r->watch[AT_S1E1W] = w ? *(const volatile uint64_t *)(uintptr_t)w : 0;
		for (unsigned k = 0; k < AT_PROBES; k++)
			r->esr[k] = r->far[k] = AT_NOT_RUN;
	}
	SYSREG_WRITE(sctlr_el2, sctlr);
	__asm__ volatile("isb\n\ttlbi alle2\n\tdsb sy\n\tisb" ::: "memory");
}

void at_main(void)
{
	const volatile struct at_hdr *h = (const volatile struct at_hdr *)(uintptr_t)AT_HDR_PA;
	const volatile struct at_query *q = (const volatile struct at_query *)(uintptr_t)AT_QUERY_PA;
	volatile struct at_out_hdr *oh = (volatile struct at_out_hdr *)(uintptr_t)AT_OUT_PA;
	volatile struct at_result *res = (volatile struct at_result *)(uintptr_t)(AT_OUT_PA + sizeof *oh);

	if (h->magic != AT_MAGIC)
		fail("no blob at AT_HDR_PA (-device loader,...,force-raw=on)");
	if (h->nphases > AT_MAX_PHASES || h->nqueries > AT_MAX_QUERIES ||
	    h->table_bytes > AT_MAX_TABLE_BYTES || h->table_bytes % 8)
		fail("bad header");
	for (unsigned i = 0; i < AT_STAGES; i++)
		if (h->nflush[i] > AT_MAX_FLUSH ||
		    (h->after_pa[i] && (h->after_pa[i] < AT_TABLE_PA + h->table_bytes ||
					h->after_pa[i] + h->table_bytes > AT_SAVE_PA)))
			fail("bad header (after images)");
	for (uint64_t p = 0; p < h->nphases; p++)
		if (h->phase[p].after && (!p || h->phase[p].after > AT_STAGES || !h->after_pa[h->phase[p].after - 1]))
			fail("an after phase without an after image or a phase before it");
	if ((SYSREG_READ(CurrentEL) >> 2 & 3) != 2)
		fail("not at EL2 (-M virt,virtualization=on)");
	uint64_t mmfr1 = SYSREG_READ(id_aa64mmfr1_el1);
	bool pan2 = (mmfr1 >> 20 & 0xf) >= 2;
	/* AT S1E1RP/S1E1WP check PAN as PSTATE.PAN is now (Arm ARM: "taking
	 * account of PSTATE.PAN"; S1E1R/S1E1W ignore it), so set it. The
	 * guest's own accesses at EL2 (E2H = 0) are not subject to PAN.
	 * PSTATE.PAN as a register: S3_0_C4_C2_3, bit 22. */
	if (pan2)
		__asm__ volatile("msr s3_0_c4_c2_3, %0\n\tisb" : : "r"(1ull << 22) : "memory");

	/* EL1 is AArch64 (RW); no stage 2 (VM = 0), no E2H/TGE. */
	SYSREG_WRITE(hcr_el2, 1ull << 31);
	__asm__ volatile("isb");
	copy_words(AT_SAVE_PA, AT_TABLE_PA, h->table_bytes);
	if (h->data)
		for (uint64_t pa = AT_DATA_PA; pa < AT_DATA_PA + AT_DATA_BYTES; pa += 8)
			*(volatile uint64_t *)(uintptr_t)pa = at_data_word(pa);
	if (h->probe) {
		copy_words(AT_PROBE_PA, (uint64_t)(uintptr_t)probe_el1_code,
			   (uint64_t)(probe_el1_end - probe_el1_code + 7));
		copy_words(AT_PROBE_EL0_PA, (uint64_t)(uintptr_t)probe_el0_code,
			   (uint64_t)(probe_el0_end - probe_el0_code + 7));
		__asm__ volatile("dsb sy\n\tic iallu\n\tdsb sy\n\tisb" ::: "memory");
		SYSREG_WRITE(vbar_el1, AT_PROBE_PA);
	}

	/* SCTLR_EL1 keeps its reset value (RES1 bits, little-endian) plus M,
	 * C and I (with C = 0 stage 1 would make Normal memory non-cacheable);
	 * EPAN (57) clear: PAN covers what EL0 may read or write, not
	 * execute-only pages. */
	uint64_t sctlr = (SYSREG_READ(sctlr_el1) | 1 | 1ull << 2 | 1ull << 12) &
			 ~(1ull << 19 | 1ull << 57);
	uint64_t n = h->nqueries;
	for (uint64_t p = 0; p < h->nphases; p++) {
		const volatile struct at_phase *ph = &h->phase[p];
		uint64_t t0 = ph->ttbr0, t1 = ph->ttbr1;
		if (h->plant == 2) { /* planted: the TTBRs swapped */
			t0 = ph->ttbr1;
			t1 = ph->ttbr0;
		}
		if (ph->after) {
			/* The edited tables, and the TLB as libpt's own flushes
			 * leave it: no register write (QEMU flushes its TLB on
			 * a TCR or SCTLR write). */
			const uint64_t st = ph->after - 1;
			copy_words(AT_TABLE_PA, h->after_pa[st], h->table_bytes);
			__asm__ volatile("dsb sy" ::: "memory");
			if (h->flush_all[st])
				__asm__ volatile("tlbi vmalle1" ::: "memory");
			for (uint64_t f = 0; !h->flush_all[st] && f < h->nflush[st]; f++)
				__asm__ volatile("tlbi vaae1, %0" : : "r"(h->flush[st][f] >> 12 & 0xfffffffffffull)
						 : "memory");
			__asm__ volatile("dsb sy\n\tisb" ::: "memory");
		} else if (p && h->plant != 4) { /* planted: no restore */
			copy_words(AT_TABLE_PA, AT_SAVE_PA, h->table_bytes);
		}
		if (h->el2) {
			el2_phase(ph, q, &res[p * h->nqueries], h->nqueries);
			continue;
		}
		if (!ph->after) {
			__asm__ volatile("dsb sy");
			SYSREG_WRITE(mair_el1, ph->mair);
			SYSREG_WRITE(tcr_el1, ph->tcr);
			SYSREG_WRITE(ttbr0_el1, t0);
			SYSREG_WRITE(ttbr1_el1, t1);
			SYSREG_WRITE(sctlr_el1, sctlr | (ph->sctlr_wxn ? 1ull << 19 : 0));
			__asm__ volatile("isb\n\ttlbi vmalle1\n\tdsb sy\n\tisb" ::: "memory");
		}
		if (pan2)
			__asm__ volatile("msr s3_0_c4_c2_3, %0\n\tisb" : : "r"(1ull << 22) : "memory");
		for (uint64_t i = 0; i < n; i++) {
			volatile struct at_result *r = &res[p * n + i];
			uint64_t va = q[i].va, w = q[i].watch_pa;
			for (unsigned k = 0; k < AT_KINDS; k++) {
				if (k >= AT_S1E1RP && !pan2) {
					r->par[k] = AT_NOT_RUN;
					r->watch[k] = 0;
					continue;
				}
				r->par[k] = at(k, va);
				r->watch[k] = w ? *(const volatile uint64_t *)(uintptr_t)w : 0;
			}
		}
		/* The real accesses, after every AT: EL1h or EL0t with
		 * interrupts masked and PSTATE.PAN clear. */
		uint64_t mask = 0xfffffffff001ull;
		bool code_ok = (at(AT_S1E1R, AT_PROBE_PA) & mask) == AT_PROBE_PA &&
			       (at(AT_S1E0R, AT_PROBE_EL0_PA) & mask) == AT_PROBE_EL0_PA;
		/* An after phase runs the probes last first: the host puts
		 * the queries of the edited runs last, so the TLB entries
		 * the phase before left are still there to be used. */
		for (uint64_t j = 0; j < n; j++) {
			uint64_t i = ph->after ? n - 1 - j : j;
			volatile struct at_result *r = &res[p * n + i];
			for (unsigned k = 0; k < AT_PROBES; k++) {
				uint64_t far = 0, va = q[i].va & ~7ull, ram = q[i].ram_pa;
				bool el0 = k >= AT_P_EL0_LOAD, store = k & 1;
				r->data[k] = 0;
				if (!h->probe || !q[i].probe) {
					r->esr[k] = r->far[k] = AT_NOT_RUN;
					continue;
				}
				if (!code_ok) {
					r->esr[k] = AT_PROBE_UNMAPPED;
					continue;
				}
				r->esr[k] = probe_run(el0 ? 0x3c0 : 0x3c5, va, store,
						      el0 ? AT_PROBE_EL0_PA : AT_PROBE_PA + AT_PROBE_EL1_STUB, &far,
						      at_store_word(va));
				r->far[k] = far;
				if (r->esr[k])
					continue;
				/* No fault: a load's word came back in far; a
				 * store's is read where libpt says it went, and
				 * that word restored. */
				if (!store) {
					r->data[k] = far;
				} else if (ram) {
					volatile uint64_t *w = (volatile uint64_t *)(uintptr_t)ram;
					r->data[k] = *w;
					*w = at_data_word(ram);
				}
			}
		}
	}

	oh->magic = AT_MAGIC;
	oh->mmfr0 = SYSREG_READ(id_aa64mmfr0_el1);
	oh->mmfr1 = mmfr1;
	oh->mmfr2 = SYSREG_READ(id_aa64mmfr2_el1);
	oh->currentel = SYSREG_READ(CurrentEL);
	oh->nresults = h->nphases * n;

	static volatile char path[sizeof h->path];
	uint64_t len = 0;
	while (len + 1 < sizeof path && h->path[len]) {
		path[len] = h->path[len];
		len++;
	}
	path[len] = 0;
	static volatile uint64_t blk[3];
	blk[0] = (uint64_t)(uintptr_t)path;
	blk[1] = 5; /* "wb" */
	blk[2] = len;
	uint64_t fd = semihost(SYS_OPEN, blk);
	if (fd == (uint64_t)-1)
		fail("SYS_OPEN of the result file failed");
	blk[0] = fd;
	blk[1] = AT_OUT_PA;
	blk[2] = sizeof *oh + oh->nresults * sizeof(struct at_result);
	if (semihost(SYS_WRITE, blk) != 0)
		fail("SYS_WRITE of the results was short");
	blk[0] = fd;
	semihost(SYS_CLOSE, blk);
	leave(0);
}
