/* SPDX-License-Identifier: MIT */
/*
 * LoongArch64 guest (qemu-system-loongarch64 -M virt): paging through a TLB
 * refill handler that walks libpt's directories with lddir/ldpte (start.S).
 * The guest itself runs identity-mapped through libpt's table (no direct
 * map window), so general exceptions are taken in paged mode too. Only PLV0
 * is probed: a PLV0 access may use PLV3 pages (RPLV = 0), so USER is not
 * checkable without running at PLV3; NR needs a mapping without READ,
 * which libpt does not accept. QEMU's LoongArch softmmu works on 16K pages
 * (TARGET_PAGE_BITS 14, in 7.2 and since): four 4K pages in one 16K block
 * are translated as one, so the guest's 4K test mappings come in 16K-aligned
 * groups of four 4K leaves with one PA block and one set of flags.
 */
#include "../guest.h"

#define UART 0x1fe001e0ull
#define GED 0x100e0000ull
#define GUEST_ASID 0x2a5

static const struct fmt fmts[] = {
	{ "loongarch64", PT_LOONGARCH64, 0,
	  PT_WRITE | PT_EXECUTE | PT_USER | PT_DEVICE | PT_UNCACHED, 0, 3, 16384, false },
};

const struct fmt *arch_formats(unsigned *n)
{
	*n = sizeof fmts / sizeof fmts[0];
	return fmts;
}

/* Low RAM only (0..256M); frame 0 is mapped but kept zero (start.S). */
const uint64_t arch_ram_base = 0, arch_ram_size = 256ull << 20;
const uint64_t arch_dev_ranges[][2] = { { UART & ~0xfffull, 4096 }, { GED, 4096 }, { 0, 0 } };

#define CSR_WR(csr, v)                                                         \
	do {                                                                   \
		uint64_t v_ = (v);                                             \
		__asm__ volatile("csrwr %0, %1" : "+r"(v_) : "i"(csr) : "memory"); \
	} while (0)
#define CSR_RD(csr)                                                            \
	({                                                                     \
		uint64_t v_;                                                   \
		__asm__ volatile("csrrd %0, %1" : "=r"(v_) : "i"(csr));        \
		v_;                                                            \
	})

void arch_putc(char c)
{
	volatile uint8_t *u = (volatile uint8_t *)(uintptr_t)UART;
	while (!(u[5] & 0x20))
		;
	u[0] = (uint8_t)c;
}

void arch_exit(bool ok)
{
	/* The virt power-off register has no status: run.sh needs the
	 * "guest done: ok" line as well. */
	(void)ok;
	*(volatile uint8_t *)(uintptr_t)(GED + 0x1c) = 0x34;
	for (;;)
		__asm__ volatile("idle 0");
}

uint64_t probe_ld(uint64_t va);
void probe_st(uint64_t va, uint64_t v);
uint64_t probe_x(uint64_t va);

void arch_sync_icache(void)
{
	__asm__ volatile("ibar 0" ::: "memory");
}

void arch_table_setup(const struct fmt *f, struct pt_table *t)
{
	(void)f;
	(void)t;
}

void arch_mmu_on(const struct fmt *f, struct pt_table *t)
{
	(void)f;
	CSR_WR(0x1c, PT_LOONGARCH_PWCL);
	CSR_WR(0x1d, PT_LOONGARCH_PWCH);
	CSR_WR(0x19, pt_root(t)); /* PGDL */
	CSR_WR(0x1a, pt_root(t)); /* PGDH: one table serves both halves */
	CSR_WR(0x1e, 12);         /* STLBPS: 4K */
	CSR_WR(0x8e, 12);         /* TLBREHI.PS */
	/* A non-zero ASID: libpt's leaves are not global, so every TLB entry
	 * the refill handler fills is tagged with it, and a VA flush by
	 * pt_flush_tlb_native must name it to drop them. */
	CSR_WR(0x18, GUEST_ASID);
	__asm__ volatile("invtlb 0, $zero, $zero\n\tdbar 0" ::: "memory");
	/* CRMD: PG=1, DA=0, PLV0, interrupts off. */
	uint64_t crmd = CSR_RD(0x0);
	crmd = (crmd & ~(uint64_t)0x1f) | 1u << 4;
	CSR_WR(0x0, crmd);
}

void arch_mmu_off(const struct fmt *f)
{
	(void)f;
	uint64_t crmd = CSR_RD(0x0);
	crmd = (crmd & ~(uint64_t)0x1f) | 1u << 3;
	CSR_WR(0x0, crmd);
	__asm__ volatile("invtlb 0, $zero, $zero\n\tdbar 0" ::: "memory");
}

unsigned arch_nmodes(const struct fmt *f)
{
	(void)f;
	return 1;
}

const char *arch_mode_name(unsigned m)
{
	(void)m;
	return "PLV0";
}

bool arch_allowed(const struct fmt *f, unsigned m, uint32_t fl, enum acc k)
{
	(void)f;
	(void)m;
	if (k == ACC_WRITE)
		return fl & PT_WRITE;
	if (k == ACC_EXEC)
		return fl & PT_EXECUTE;
	return fl & PT_READ;
}

/* QEMU 7.2 hangs on a fetch from a mapped non-executable page: raising PNX
 * it reads the faulting instruction into BADI through the same
 * non-executable translation, which raises PNX again, forever. So NX is
 * not checkable here (upstream later stopped reading BADI for PNX). */
bool arch_skip(const struct fmt *f, unsigned m, uint32_t fl, enum acc k, bool mapped)
{
	(void)f;
	(void)m;
	return k == ACC_EXEC && mapped && !(fl & PT_EXECUTE);
}

uint64_t arch_probe(unsigned m, enum acc k, uint64_t va, uint64_t val)
{
	(void)m;
	if (k == ACC_READ)
		return probe_ld(va);
	if (k == ACC_WRITE) {
		probe_st(va, val);
		return 0;
	}
	return probe_x(va);
}

bool arch_fault_ok(enum acc k, uint64_t va)
{
	uint64_t ecode = g_fault_cause >> 16 & 0x3f;
	if (g_fault_addr != va)
		return false;
	if (k == ACC_READ)
		return ecode == 1;                /* PIL */
	if (k == ACC_WRITE)
		return ecode == 2 || ecode == 4;  /* PIS, PME */
	return ecode == 3 || ecode == 6;          /* PIF, PNX */
}

/* No hardware page walker sets V or D here: the refill handler copies the
 * leaf into the TLB as it is, an access to a V = 0 page raises PIL/PIS/PIF
 * and a write to a D = 0 page PME, and the trap handler calls pt_set_state
 * (Linux's handle_tlb_load/store/modify do the same). */
bool arch_state_check(const struct fmt *f, uint32_t *hw)
{
	(void)f;
	*hw = 0;
	return true;
}

struct frame {
	uint64_t r[32];
};

void exc_c(struct frame *fr);
void exc_c(struct frame *fr)
{
	uint64_t estat = CSR_RD(0x5), era = CSR_RD(0x6), badv = CSR_RD(0x7);
	uint64_t ecode = estat >> 16 & 0x3f;
	if (!g_probing || ecode < 1 || ecode > 7)
		guest_panic("unexpected exception", estat, era, badv);
	/* Faults the OS fixes: PIL/PIF (V = 0) need ACCESSED, PIS (a store to
	 * V = 0) ACCESSED and DIRTY, PME (a store to D = 0) DIRTY. ERA stays at
	 * the access, which runs again. */
	uint32_t st = ecode == 4 ? PT_DIRTY : ecode == 2 ? PT_ACCESSED | PT_DIRTY
				 : ecode == 1 || ecode == 3 ? PT_ACCESSED : 0;
	if (st && guest_state_fault(badv, st))
		return;
	g_faulted = 1;
	g_fault_cause = estat;
	g_fault_addr = badv;
	g_fault_pc = era;
	CSR_WR(0x6, fr->r[1]); /* resume at the probe's return address */
}

/* ---- The access group -------------------------------------------------- */

/* PLV0 only, and no control changes how an entry reads (CSR.CRMD has no
 * such bit): one mode, no controls. */
unsigned arch_acc_nmodes(const struct fmt *f)
{
	(void)f;
	return 1;
}

const char *arch_acc_mode_name(const struct fmt *f, unsigned am)
{
	(void)f;
	(void)am;
	return "PLV0";
}

unsigned arch_acc_enter(const struct fmt *f, unsigned am, bool *user)
{
	(void)f;
	(void)am;
	*user = false;
	return 0;
}

void arch_acc_leave(const struct fmt *f, unsigned am)
{
	(void)f;
	(void)am;
}

uint64_t arch_acc_controls(const struct fmt *f)
{
	(void)f;
	return 0;
}

uint64_t arch_acc_attrs(const struct fmt *f)
{
	(void)f;
	return 0;
}

#define LA_V 1ull
#define LA_D 2ull
#define LA_PLV (3ull << 2)
#define LA_W (1ull << 8)
#define LA_NR (1ull << 61)
#define LA_NX (1ull << 62)
#define LA_RPLV (1ull << 63)

/* Directory entries hold only an address: cleared (the refill handler
 * then reads frame 0, all invalid). Leaves: V clear (P stays set), D
 * clear (a writable leaf turns clean), PLV 1-3, RPLV, NR, NX set or
 * clear, W and D clear. */
int arch_acc_perturb(const struct fmt *f, unsigned l, bool leaf, uint64_t e, uint64_t *set,
		     uint64_t *clr)
{
	(void)f;
	(void)l;
	if (!leaf) {
		*clr = ~0ull;
		return true;
	}
	switch (rnd_below(9)) {
	case 0: *clr = LA_V; break;
	case 1: *clr = LA_D; break;
	case 2: *clr = LA_PLV; *set = (1 + rnd_below(3)) << 2; break;
	case 3: *set = LA_RPLV; break;
	case 4: *set = LA_NR; break;
	case 5: if (e & LA_NX) *clr = LA_NX; else *set = LA_NX; break;
	case 6: *clr = LA_W | LA_D; break;
	case 7: *set = LA_RPLV; *clr = LA_PLV; break;
	default: *set = LA_RPLV | LA_PLV; break;
	}
	return true;
}

/* BADV == va; ESTAT.Ecode: V clear or no entry: PIL/PIS/PIF by the
 * access; a store to a D = 0 leaf (clean, or not writable): PME; the
 * privilege level (RPLV, or PLV below the current one): PPI; NR on a load:
 * PNR; NX on a fetch: PNX (never probed: QEMU 7.2 hangs). */
bool arch_acc_fault_ok(const struct fmt *f, enum acc k, uint64_t va, const struct pt_fault *pf)
{
	(void)f;
	uint64_t ecode = g_fault_cause >> 16 & 0x3f, e = pf->pte;
	unsigned want;
	if (g_fault_addr != va)
		return false;
	if (pf->kind == PT_FAULT_NOT_PRESENT || pf->kind == PT_FAULT_ACCESS_FLAG)
		want = k == ACC_READ ? 1 : k == ACC_WRITE ? 2 : 3;
	else if (pf->kind == PT_FAULT_DIRTY)
		want = 4;
	else if (pf->kind != PT_FAULT_PERMISSION)
		return false;
	else if ((e & LA_RPLV) && (e & LA_PLV))
		want = 7;
	else if (k == ACC_READ)
		want = 5;
	else if (k == ACC_EXEC)
		want = 6;
	else
		want = 4;
	if (ecode != want && pf->level == 3 && (e & (LA_NR | LA_RPLV)) && ecode == 4 &&
	    k == ACC_WRITE) {
		g_acc_emu++; /* RPLV lost on the way to the TLB: see arch_acc_emu_allows */
		return true;
	}
	return ecode == want;
}

/* LoongArch manual §5.4.2: NR = 1 forbids loads (PNR), RPLV = 1 ties the
 * page to exactly its PLV (PPI). QEMU 7.2 loses bits 61-63 of a 4K PTE
 * on the way from ldpte to the TLB (the PTE is masked to the physical
 * address width), so 4K leaves behave as NR = 0, RPLV = 0. */
bool arch_acc_emu_allows(const struct fmt *f, enum acc k, const struct pt_fault *pf)
{
	(void)f;
	uint64_t e = pf->pte;
	unsigned plv = (unsigned)(e >> 2) & 3;
	if (pf->kind != PT_FAULT_PERMISSION || pf->level != 3 || k == ACC_EXEC)
		return false;
	return (k == ACC_READ && (e & LA_NR)) || ((e & LA_RPLV) && plv != 0 &&
						  (k == ACC_READ || (e & LA_D)));
}

/* QEMU 7.2 hangs on a fetch that raises PNX or PPI (see arch_skip): such
 * probes are skipped. */
bool arch_acc_skip(const struct fmt *f, enum acc k, int rc, const struct pt_fault *pf,
		   const struct pt_mapping *out)
{
	(void)f;
	if (k != ACC_EXEC)
		return false;
	if (rc == PT_OK)
		return !(out->flags & PT_EXECUTE);
	return pf->kind == PT_FAULT_PERMISSION;
}
