/* SPDX-License-Identifier: MIT */
/*
 * ARMv7-A guest (qemu-system-arm -M virt -cpu cortex-a15): short
 * descriptors with TTBCR = 0 (TTBR0 only), DACR domain 0 = client,
 * SCTLR.AFE = 0 (AP[0] is an access permission bit, not an access flag) and
 * SCTLR.TRE = 0 (TEX/C/B are memory types, not a remap index). Modes probed:
 * PL1, and PL0 rights through LDRT/STRT (no PL0 fetch). Without PXN a PL1
 * fetch from a user page is allowed (ARM ARM B3.7.1).
 */
#include "../guest.h"

#define UART 0x09000000ull

static const struct fmt fmts[] = {
	{ "armv7", PT_ARMV7, 0, PT_WRITE | PT_EXECUTE | PT_USER | PT_DEVICE | PT_UNCACHED,
	  1ull << 32, 1, 0, false },
};

const struct fmt *arch_formats(unsigned *n)
{
	*n = sizeof fmts / sizeof fmts[0];
	return fmts;
}

const uint64_t arch_ram_base = 0x40000000ull, arch_ram_size = 128ull << 20;
const uint64_t arch_dev_ranges[][2] = { { UART, 4096 }, { 0, 0 } };

/* Shift-and-subtract: the core's uint64_t divisions end up here. */
uint64_t udivmod64(uint64_t n, uint64_t d, uint64_t *rem);
uint64_t udivmod64(uint64_t n, uint64_t d, uint64_t *rem)
{
	uint64_t q = 0, r = 0;
	if (d == 0) {
		*rem = n;
		return ~0ull;
	}
	for (int i = 63; i >= 0; i--) {
		r = r << 1 | (n >> i & 1);
		if (r >= d) {
			r -= d;
			q |= 1ull << i;
		}
	}
	*rem = r;
	return q;
}

void arch_putc(char c)
{
	volatile uint32_t *u = (volatile uint32_t *)(uintptr_t)UART;
	while (u[0x18 / 4] & (1u << 5)) /* FR.TXFF */
		;
	u[0] = (uint8_t)c;
}

void semihost_exit(uint32_t reason) __attribute__((noreturn));

void arch_exit(bool ok)
{
	/* ADP_Stopped_ApplicationExit -> status 0; RunTimeErrorUnknown -> 1. */
	semihost_exit(ok ? 0x20026 : 0x20024);
}

uint64_t probe_ld(uint32_t va);
void probe_st(uint32_t va, uint64_t v);
uint64_t probe_x(uint32_t va);
uint64_t probe_ldrt(uint32_t va);
void probe_strt(uint32_t va, uint64_t v);

void arch_sync_icache(void)
{
	__asm__ volatile("dsb\n\tmcr p15, 0, %0, c7, c5, 0\n\tdsb\n\tisb" : : "r"(0) : "memory");
}

void arch_table_setup(const struct fmt *f, struct pt_table *t)
{
	(void)f;
	(void)t;
}

void arch_mmu_on(const struct fmt *f, struct pt_table *t)
{
	(void)f;
	uint32_t sctlr;
	__asm__ volatile("mcr p15, 0, %0, c2, c0, 2\n\t"  /* TTBCR = 0 */
			 "mcr p15, 0, %1, c2, c0, 0\n\t"  /* TTBR0 */
			 "mcr p15, 0, %2, c3, c0, 0\n\t"  /* DACR: domain 0 client */
			 "mcr p15, 0, %0, c8, c7, 0\n\t"  /* TLBIALL */
			 "dsb\n\tisb"
			 : : "r"(0), "r"((uint32_t)pt_root(t)), "r"(1) : "memory");
	__asm__ volatile("mrc p15, 0, %0, c1, c0, 0" : "=r"(sctlr));
	sctlr |= 1u << 0 | 1u << 2 | 1u << 12;           /* M, C, I */
	sctlr &= ~(1u << 29 | 1u << 28 | 1u << 1);        /* AFE, TRE, A off */
	__asm__ volatile("mcr p15, 0, %0, c1, c0, 0\n\tisb" : : "r"(sctlr) : "memory");
}

void arch_mmu_off(const struct fmt *f)
{
	(void)f;
	uint32_t sctlr;
	__asm__ volatile("mrc p15, 0, %0, c1, c0, 0" : "=r"(sctlr));
	sctlr &= ~1u;
	__asm__ volatile("mcr p15, 0, %0, c1, c0, 0\n\tisb\n\t"
			 "mcr p15, 0, %1, c8, c7, 0\n\tdsb\n\tisb"
			 : : "r"(sctlr), "r"(0) : "memory");
}

unsigned arch_nmodes(const struct fmt *f)
{
	(void)f;
	return 2;
}

const char *arch_mode_name(unsigned m)
{
	return m ? "PL0(ldrt/strt)" : "PL1";
}

bool arch_mode_can(unsigned m, enum acc k)
{
	return m == 0 || k != ACC_EXEC;
}

bool arch_allowed(const struct fmt *f, unsigned m, uint32_t fl, enum acc k)
{
	(void)f;
	if (k == ACC_WRITE && !(fl & PT_WRITE))
		return false;
	if (k == ACC_EXEC && !(fl & PT_EXECUTE))
		return false;
	return m == 0 || (fl & PT_USER);
}

uint64_t arch_probe(unsigned m, enum acc k, uint64_t va, uint64_t val)
{
	uint32_t a = (uint32_t)va;
	if (k == ACC_READ)
		return m ? probe_ldrt(a) : probe_ld(a);
	if (k == ACC_WRITE) {
		if (m)
			probe_strt(a, val);
		else
			probe_st(a, val);
		return 0;
	}
	return probe_x(a);
}

bool arch_fault_ok(enum acc k, uint64_t va)
{
	uint32_t kind = (uint32_t)(g_fault_cause >> 32), fsr = (uint32_t)g_fault_cause;
	if (g_fault_addr != va)
		return false;
	if (k == ACC_EXEC)
		return kind == 2;
	return kind == 1 && ((fsr >> 11 & 1) == (k == ACC_WRITE)); /* DFSR.WnR */
}

/* ASIDs: CONTEXTIDR.ASID (bits 7:0) tags TLB entries of nG pages. The
 * ASID changes first, then TTBR0, as Linux's cpu_v7_switch_mm does; only
 * global pages are touched in between. No access-state check: with
 * SCTLR.AFE = 0 there is no access flag, and short descriptors have no
 * dirty bit (libpt reports every leaf accessed, every writable one dirty). */
bool arch_asids(const struct fmt *f)
{
	(void)f;
	return true;
}

void arch_switch_asid(uint64_t root, unsigned asid)
{
	__asm__ volatile("mcr p15, 0, %0, c13, c0, 1\n\tisb\n\t"
			 "mcr p15, 0, %1, c2, c0, 0\n\tisb"
			 : : "r"(asid), "r"((uint32_t)root) : "memory");
}

struct frame {
	uint32_t r[13], lr;
};

void abt_c(struct frame *fr, uint32_t kind);
void abt_c(struct frame *fr, uint32_t kind)
{
	uint32_t fsr = 0, far = 0;
	if (kind == 1)
		__asm__ volatile("mrc p15, 0, %0, c5, c0, 0\n\tmrc p15, 0, %1, c6, c0, 0"
				 : "=r"(fsr), "=r"(far));
	else if (kind == 2)
		__asm__ volatile("mrc p15, 0, %0, c5, c0, 1\n\tmrc p15, 0, %1, c6, c0, 2"
				 : "=r"(fsr), "=r"(far));
	if (!g_probing || kind > 2)
		guest_panic("unexpected exception", (uint64_t)kind << 32 | fsr, fr->lr, far);
	g_faulted = 1;
	g_fault_cause = (uint64_t)kind << 32 | fsr;
	g_fault_addr = far;
	g_fault_pc = fr->lr;
	fr->lr = fr->r[12]; /* the probe's return address */
}

/* ---- The access group -------------------------------------------------- */

/* Modes: PL1 and PL0 rights (LDRT/STRT), with SCTLR.AFE clear and set
 * (with AFE, AP[0] is the access flag; the TLB is flushed around the
 * change). SCTLR.TRE is read (the guest keeps it clear). */
#define SCTLR_AFE (1u << 29)
#define SCTLR_TRE (1u << 28)

static uint32_t rd_sctlr(void)
{
	uint32_t v;
	__asm__ volatile("mrc p15, 0, %0, c1, c0, 0" : "=r"(v));
	return v;
}

static void wr_sctlr(uint32_t v)
{
	__asm__ volatile("mcr p15, 0, %0, c1, c0, 0\n\tisb\n\t"
			 "mcr p15, 0, %1, c8, c7, 0\n\tdsb\n\tisb"
			 : : "r"(v), "r"(0) : "memory");
}

unsigned arch_acc_nmodes(const struct fmt *f)
{
	(void)f;
	return 4;
}

const char *arch_acc_mode_name(const struct fmt *f, unsigned am)
{
	static const char *const n[] = { "PL1", "PL0", "PL1 AFE", "PL0 AFE" };
	(void)f;
	return n[am];
}

unsigned arch_acc_enter(const struct fmt *f, unsigned am, bool *user)
{
	(void)f;
	*user = am & 1;
	if (am & 2)
		wr_sctlr(rd_sctlr() | SCTLR_AFE);
	return am & 1;
}

void arch_acc_leave(const struct fmt *f, unsigned am)
{
	(void)f;
	if (am & 2)
		wr_sctlr(rd_sctlr() & ~SCTLR_AFE);
}

uint64_t arch_acc_controls(const struct fmt *f)
{
	uint32_t s = rd_sctlr();
	(void)f;
	return (s & SCTLR_AFE ? PT_CTL_AFE : 0) | (s & SCTLR_TRE ? PT_CTL_TRE : 0);
}

uint64_t arch_acc_attrs(const struct fmt *f)
{
	uint32_t prrr, nmrr;
	(void)f;
	__asm__ volatile("mrc p15, 0, %0, c10, c2, 0\n\tmrc p15, 0, %1, c10, c2, 1"
			 : "=r"(prrr), "=r"(nmrr));
	return rd_sctlr() & SCTLR_TRE ? (uint64_t)prrr | (uint64_t)nmrr << 32 : 0;
}

/* L1 page-table pointers: PXN (bit 2) set, or the entry cleared. Sections
 * (AP[1:0] at 11:10, AP[2] at 15, XN 4, PXN 0) and small pages (AP[1:0]
 * at 5:4, AP[2] at 9, XN 0): AP set to one of 000, 001, 010, 011, 101,
 * 110, 111 (100 is reserved), XN or a section's PXN toggled, the entry
 * cleared. */
int arch_acc_perturb(const struct fmt *f, unsigned l, bool leaf, uint64_t e, uint64_t *set,
		     uint64_t *clr)
{
	(void)f;
	if (!leaf) {
		if (rnd_below(4))
			*set = 4;
		else
			*clr = 3;
		return true;
	}
	bool page = l == 1;
	unsigned a01 = page ? 4 : 10, a2 = page ? 9 : 15;
	uint64_t xn = page ? 1 : 16;
	static const unsigned aps[] = { 0, 1, 2, 3, 5, 6, 7 };
	unsigned c = (unsigned)rnd_below(page ? 4 : 5);
	if (c < 2) {
		unsigned ap = aps[rnd_below(7)];
		*clr = 3ull << a01 | 1ull << a2;
		*set = (uint64_t)(ap & 3) << a01 | (uint64_t)(ap >> 2) << a2;
	} else if (c == 2) {
		if (e & xn)
			*clr = xn;
		else
			*set = xn;
	} else if (c == 3) {
		*clr = 3;
	} else {
		if (e & 1)
			*clr = 1;
		else
			*set = 1;
	}
	return true;
}

/* DFSR (data, WnR) or IFSR (prefetch) with FAR/IFAR == va; FS[4:0]:
 * translation 0b00101 (section) / 0b00111 (page), access flag 0b00011 /
 * 0b00110, permission 0b01101 / 0b01111. */
bool arch_acc_fault_ok(const struct fmt *f, enum acc k, uint64_t va, const struct pt_fault *pf)
{
	(void)f;
	uint32_t fsr = (uint32_t)g_fault_cause;
	unsigned fs = (fsr & 0xf) | (fsr >> 10 & 1) << 4;
	bool page = pf->level == 1;
	unsigned want;
	if (!arch_fault_ok(k, va))
		return false;
	switch (pf->kind) {
	case PT_FAULT_NOT_PRESENT:
	case PT_FAULT_RESERVED: want = page ? 0x07 : 0x05; break;
	case PT_FAULT_ACCESS_FLAG: want = page ? 0x06 : 0x03; break;
	case PT_FAULT_PERMISSION: want = page ? 0x0f : 0x0d; break;
	default: return false;
	}
	/* A fetch from an XN (or, at PL1, PXN) page with AP[0] clear under
	 * AFE: the Arm ARM's fault-checking sequence (B3.12) takes the access
	 * flag fault first; QEMU 7.2 (get_phys_addr_v6) checks XN first and
	 * raises a permission fault. */
	if (k == ACC_EXEC && pf->kind == PT_FAULT_ACCESS_FLAG && fs == (page ? 0x0fu : 0x0du)) {
		g_acc_emu++;
		return true;
	}
	return fs == want;
}

/* The run-time ABI's clears, which clang emits for zeroed structs. */
void __aeabi_memclr(void *d, size_t n);
void __aeabi_memclr4(void *d, size_t n);
void __aeabi_memclr8(void *d, size_t n);
void __aeabi_memclr(void *d, size_t n)
{
	memset(d, 0, n);
}
void __aeabi_memclr4(void *d, size_t n)
{
	memset(d, 0, n);
}
void __aeabi_memclr8(void *d, size_t n)
{
	memset(d, 0, n);
}
