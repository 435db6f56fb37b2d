/* SPDX-License-Identifier: MIT */
/*
 * AArch64 guest (qemu-system-aarch64 -M virt -cpu cortex-a57): EL1&0 stage 1
 * with TTBR0, 4K granule, 48-bit VA; MAIR = PT_AARCH64_MAIR. Modes probed:
 * EL1, and EL0 permissions through LDTR/STTR (no EL0 fetch). Cortex-A57 is
 * ARMv8.0: no PAN, so EL1 may read and write EL0 pages; PXN stops EL1 from
 * executing them (libpt sets PXN on every USER page). On -cpu max (the
 * GUEST_HAFDBS build) PAN exists but stays off: QEMU starts the guest
 * with PSTATE.PAN = 0, and SCTLR.SPAN = 1 keeps exceptions from setting it.
 */
#include "../guest.h"

/* The GUEST_HAFDBS build runs on -cpu max (FEAT_HAFDBS) with TCR_EL1.HA
 * and HD set: the MMU sets the access flag, and a write to a clean writable
 * page (DBM set, AP[2] = 1) makes it dirty (AP[2] = 0) instead of faulting.
 * Without them (Cortex-A57, ARMv8.0, and at EL2) those accesses take an
 * access-flag or permission fault and the trap handler calls
 * pt_set_state. QEMU_MUTATE 7 leaves HA and HD clear on -cpu max. */
#ifdef GUEST_HAFDBS
#define TCR_HA_HD (QEMU_MUTATE == 7 ? 0 : 1ull << 39 | 1ull << 40)
#else
#define TCR_HA_HD 0
#endif

/* The GUEST_EL2 build runs the same guest at EL2 (HCR_EL2.E2H = 0) on a
 * PT_FEAT_AARCH64_EL2 table: one privilege level, XN from EXECUTE alone,
 * AP[6] RES1. The core is built with PT_NATIVE_EL2 (tlbi vae2is/alle2is). */
#ifdef GUEST_EL2
#define EL "el2"
#define TLBI_ALL "tlbi alle2"
#else
#define EL "el1"
#define TLBI_ALL "tlbi vmalle1"
#endif

#define UART 0x09000000ull

#define ALL (PT_WRITE | PT_EXECUTE | PT_USER | PT_DEVICE | PT_UNCACHED)
static const struct fmt fmts[] = {
#if defined(GUEST_EL2)
	{ "aarch64-el2", PT_AARCH64, PT_FEAT_AARCH64_EL2, ALL, 0, 1, 0, false },
#elif defined(GUEST_HAFDBS)
	{ "aarch64-max", PT_AARCH64, 0, ALL, 0, 1, 0, false },
#else
	{ "aarch64", PT_AARCH64, 0, ALL, 0, 1, 0, false },
	/* TTBR1: test VAs in the upper half; the guest's identity map lives in
	 * a separate lower-half table in TTBR0. */
	{ "aarch64-high", PT_AARCH64, PT_FEAT_AARCH64_HIGH, ALL, 0, 2, 0, true },
#endif
};
const struct fmt *arch_formats(unsigned *n)
{
	*n = sizeof fmts / sizeof fmts[0];
	return fmts;
}

const uint64_t arch_ram_base = 0x40000000ull, arch_ram_size = 128ull << 20;
const uint64_t arch_dev_ranges[][2] = { { UART, 4096 }, { 0, 0 } };

void arch_putc(char c)
{
	volatile uint32_t *u = (volatile uint32_t *)(uintptr_t)UART;
	while (u[0x18 / 4] & (1u << 5)) /* FR.TXFF */
		;
	u[0] = (uint8_t)c;
}

void arch_exit(bool ok)
{
	/* Semihosting SYS_EXIT (0x18), AArch64 form: x1 -> { reason, code }. */
	static volatile uint64_t block[2];
	block[0] = 0x20026; /* ADP_Stopped_ApplicationExit */
	block[1] = ok ? 0 : 1;
	register uint64_t x0 __asm__("x0") = 0x18;
	register volatile uint64_t *x1 __asm__("x1") = block;
	__asm__ volatile("hlt #0xf000" : : "r"(x0), "r"(x1) : "memory");
	for (;;)
		__asm__ volatile("wfe");
}

uint64_t probe_ld(uint64_t va);
void probe_st(uint64_t va, uint64_t v);
uint64_t probe_x(uint64_t va);
uint64_t probe_ldtr(uint64_t va);
void probe_sttr(uint64_t va, uint64_t v);

void arch_sync_icache(void)
{
	__asm__ volatile("dsb ish\n\tic iallu\n\tdsb ish\n\tisb" ::: "memory");
}

static struct pt_table lower; /* TTBR0 table for a HIGH format */

void arch_table_setup(const struct fmt *f, struct pt_table *t)
{
	(void)t;
	if (!f->identity_elsewhere)
		return;
	int r = pt_init(&lower, PT_AARCH64, 0, guest_mm());
	if (r == PT_OK)
		r = guest_map_identity(&lower);
	if (r)
		guest_panic("TTBR0 identity table", (uint64_t)(int64_t)r, 0, 0);
}

void arch_mmu_on(const struct fmt *f, struct pt_table *t)
{
	/* T0SZ=16 (48-bit), IRGN0/ORGN0 WB-WA, SH0 inner, TG0 4K, EPD1 (no
	 * TTBR1 walks), IPS=48-bit. A HIGH table goes to TTBR1 instead:
	 * T1SZ=16, IRGN1/ORGN1 WB-WA, SH1 inner, TG1=0b10 (4K), EPD1=0. */
	uint64_t tcr = 16 | 1u << 8 | 1u << 10 | 3u << 12 | 0u << 14 | 1u << 23 |
		       5ull << 32 | TCR_HA_HD;
	uint64_t ttbr0 = pt_root(t), ttbr1 = 0;
	if (f->identity_elsewhere) {
		tcr &= ~(1ull << 23);
		tcr |= 16ull << 16 | 1ull << 24 | 1ull << 26 | 3ull << 28 | 2ull << 30;
		ttbr1 = pt_root(t);
		ttbr0 = pt_root(&lower);
	}
	uint64_t sctlr;
#ifdef GUEST_EL2
	/* TCR_EL2 (E2H = 0): T0SZ, IRGN0, ORGN0, SH0, TG0 as at EL1, PS at
	 * 18:16, bits 31 and 23 RES1; TTBR0_EL2 only. */
	(void)ttbr1;
	tcr = 16 | 1u << 8 | 1u << 10 | 3u << 12 | 5u << 16 | 1u << 23 | 1u << 31;
	__asm__ volatile("msr mair_el2, %0\n\tmsr tcr_el2, %1\n\tmsr ttbr0_el2, %2\n\t"
			 "isb\n\ttlbi alle2\n\tdsb ish\n\tisb"
			 : : "r"((uint64_t)PT_AARCH64_MAIR), "r"(tcr), "r"(ttbr0) : "memory");
#else
	__asm__ volatile("msr mair_el1, %0\n\tmsr tcr_el1, %1\n\tmsr ttbr0_el1, %2\n\t"
			 "msr ttbr1_el1, %3\n\tisb\n\ttlbi vmalle1\n\tdsb ish\n\tisb"
			 : : "r"((uint64_t)PT_AARCH64_MAIR), "r"(tcr), "r"(ttbr0), "r"(ttbr1)
			 : "memory");
#endif
	__asm__ volatile("mrs %0, sctlr_" EL : "=r"(sctlr));
	sctlr |= 1u << 0 | 1u << 2 | 1u << 12;     /* M, C, I */
	sctlr |= 1u << 23;                          /* SPAN (RES1 before FEAT_PAN) */
	sctlr &= ~(1ull << 19 | 1ull << 1);         /* no WXN, no alignment checks */
	__asm__ volatile("msr sctlr_" EL ", %0\n\tisb" : : "r"(sctlr) : "memory");
}

void arch_mmu_off(const struct fmt *f)
{
	uint64_t sctlr;
	__asm__ volatile("mrs %0, sctlr_" EL : "=r"(sctlr));
	sctlr &= ~(uint64_t)1;
	__asm__ volatile("msr sctlr_" EL ", %0\n\tisb\n\t" TLBI_ALL "\n\tdsb ish\n\tisb"
			 : : "r"(sctlr) : "memory");
	if (f->identity_elsewhere)
		pt_destroy(&lower);
}

unsigned arch_nmodes(const struct fmt *f)
{
	/* EL2 (E2H = 0) has no unprivileged accesses: LDTR acts as LDR. */
	return f->features & PT_FEAT_AARCH64_EL2 ? 1 : 2;
}

const char *arch_mode_name(unsigned m)
{
#ifdef GUEST_EL2
	(void)m;
	return "EL2";
#else
	return m ? "EL0(ldtr/sttr)" : "EL1";
#endif
}

bool arch_mode_can(unsigned m, enum acc k)
{
	return m == 0 || k != ACC_EXEC;
}

bool arch_allowed(const struct fmt *f, unsigned m, uint32_t fl, enum acc k)
{
	bool user = fl & PT_USER;
	if (k == ACC_WRITE && !(fl & PT_WRITE))
		return false;
	if (f->features & PT_FEAT_AARCH64_EL2) /* one regime: USER means nothing */
		return k != ACC_EXEC || (fl & PT_EXECUTE);
	if (m == 1)
		return user;
	if (k == ACC_EXEC)
		return (fl & PT_EXECUTE) && !user; /* PXN on user pages */
	return true;
}

uint64_t arch_probe(unsigned m, enum acc k, uint64_t va, uint64_t val)
{
	if (k == ACC_READ)
		return m ? probe_ldtr(va) : probe_ld(va);
	if (k == ACC_WRITE) {
		if (m)
			probe_sttr(va, val);
		else
			probe_st(va, val);
		return 0;
	}
	return probe_x(va);
}

bool arch_fault_ok(enum acc k, uint64_t va)
{
	uint64_t esr = g_fault_cause, ec = esr >> 26 & 0x3f;
	if (k == ACC_EXEC)
		return ec == 0x21 && g_fault_addr == va; /* instruction abort, same EL */
	/* data abort, same EL; WnR says which */
	return ec == 0x25 && ((esr >> 6 & 1) == (k == ACC_WRITE)) && g_fault_addr == va;
}

bool arch_state_check(const struct fmt *f, uint32_t *hw)
{
	(void)f;
	*hw = 0;
#ifdef GUEST_HAFDBS
	*hw = PT_ACCESSED | PT_DIRTY;
	uint64_t mmfr1;
	__asm__ volatile("mrs %0, id_aa64mmfr1_el1" : "=r"(mmfr1));
	gprintf("  ID_AA64MMFR1_EL1.HAFDBS = %u (2: access flag and dirty state)\n",
		(unsigned)(mmfr1 & 0xf));
#endif
	return true;
}

/* ASIDs at EL1 on the TTBR0 format: TCR_EL1.A1 = 0 (the ASID is
 * TTBR0_EL1[63:48]) and AS = 0 (8-bit ASIDs). */
bool arch_asids(const struct fmt *f)
{
	return f->features == 0;
}

void arch_switch_asid(uint64_t root, unsigned asid)
{
	__asm__ volatile("msr ttbr0_el1, %0\n\tisb" : : "r"(root | (uint64_t)asid << 48) : "memory");
}

struct frame {
	uint64_t x[31];
};

void exc_c(struct frame *fr);
void exc_c(struct frame *fr)
{
	uint64_t esr, elr, far;
	__asm__ volatile("mrs %0, esr_" EL "\n\tmrs %1, elr_" EL "\n\tmrs %2, far_" EL
			 : "=r"(esr), "=r"(elr), "=r"(far));
	uint64_t ec = esr >> 26 & 0x3f;
	if (!g_probing || (ec != 0x21 && ec != 0x25))
		guest_panic("unexpected exception", esr, elr, far);
	/* A data abort the OS fixes: DFSC 0b0010LL access flag fault,
	 * 0b0011LL permission fault on a write (WnR). Returning leaves ELR at
	 * the access, which runs again. */
	uint64_t dfsc = esr & 0x3f, wnr = esr >> 6 & 1;
	uint32_t st = (dfsc & 0x3c) == 0x08 ? PT_ACCESSED | (wnr ? PT_DIRTY : 0)
		      : (dfsc & 0x3c) == 0x0c && wnr ? PT_DIRTY : 0;
	if (ec == 0x25 && st && guest_state_fault(far, st))
		return;
	g_faulted = 1;
	g_fault_cause = esr;
	g_fault_addr = far;
	g_fault_pc = elr;
	__asm__ volatile("msr elr_" EL ", %0" : : "r"(fr->x[30]));
}

/* ---- The access group -------------------------------------------------- */

/* Modes: EL1 (EL2 in the GUEST_EL2 build) and EL0 rights through
 * LDTR/STTR; where the CPU has FEAT_PAN (-cpu max), PSTATE.PAN set; where
 * it has FEAT_HPDS, TCR_EL1.HPD0/1 set. SCTLR.WXN stays clear: the
 * guest's own identity map is writable and executable, so WXN would stop
 * the guest itself; it is read all the same. */
#define MSR_PAN_1 ".inst 0xd500419f"
#define MSR_PAN_0 ".inst 0xd500409f"

static unsigned acc_feats(void)
{
	uint64_t mmfr1;
	__asm__ volatile("mrs %0, id_aa64mmfr1_el1" : "=r"(mmfr1));
	return (mmfr1 >> 20 & 0xf ? 1u : 0u) | (mmfr1 >> 12 & 0xf ? 2u : 0u);
}

#ifdef GUEST_EL2
static const char *const acc_names[] = { "EL2" };
#else
static const char *const acc_names[] = { "EL1", "EL0", "EL1 PAN", "EL0 PAN", "EL1 HPD", "EL0 HPD" };
#endif

static unsigned acc_map(unsigned am)
{
	/* Modes 2-3 need FEAT_PAN, 4-5 FEAT_HPDS: skip what is absent. */
	unsigned f = acc_feats();
	if (am >= 2 && !(f & 1))
		am += 2;
	return am;
}

unsigned arch_acc_nmodes(const struct fmt *f)
{
	(void)f;
#ifdef GUEST_EL2
	return 1;
#else
	unsigned ft = acc_feats();
	return 2 + (ft & 1 ? 2 : 0) + (ft & 2 ? 2 : 0);
#endif
}

const char *arch_acc_mode_name(const struct fmt *f, unsigned am)
{
	(void)f;
	return acc_names[acc_map(am)];
}

static void tcr_hpd(const struct fmt *f, bool on)
{
	uint64_t tcr, bit = f->features & PT_FEAT_AARCH64_HIGH ? 1ull << 42 : 1ull << 41;
	__asm__ volatile("mrs %0, tcr_" EL : "=r"(tcr));
	tcr = on ? tcr | bit : tcr & ~bit;
	__asm__ volatile("msr tcr_" EL ", %0\n\tisb\n\t" TLBI_ALL "\n\tdsb ish\n\tisb"
			 : : "r"(tcr) : "memory");
}

unsigned arch_acc_enter(const struct fmt *f, unsigned am, bool *user)
{
	am = acc_map(am);
	*user = am & 1;
	if (am == 2 || am == 3)
		__asm__ volatile(MSR_PAN_1 ::: "memory");
	if (am == 4 || am == 5)
		tcr_hpd(f, true);
	return am & 1;
}

void arch_acc_leave(const struct fmt *f, unsigned am)
{
	am = acc_map(am);
	if (am == 2 || am == 3)
		__asm__ volatile(MSR_PAN_0 ::: "memory");
	if (am == 4 || am == 5)
		tcr_hpd(f, false);
}

uint64_t arch_acc_controls(const struct fmt *f)
{
	uint64_t sctlr, tcr, c = 0;
	__asm__ volatile("mrs %0, sctlr_" EL "\n\tmrs %1, tcr_" EL : "=r"(sctlr), "=r"(tcr));
	if (sctlr & (1u << 19))
		c |= PT_CTL_WXN;
#ifdef GUEST_EL2
	(void)f;
	/* TCR_EL2 (E2H = 0): HA bit 21, HD bit 22. */
	c |= (tcr >> 21 & 1 ? PT_CTL_HA : 0) | (tcr >> 22 & 1 ? PT_CTL_HD : 0);
#else
	c |= (tcr >> 39 & 1 ? PT_CTL_HA : 0) | (tcr >> 40 & 1 ? PT_CTL_HD : 0);
	if (tcr >> (f->features & PT_FEAT_AARCH64_HIGH ? 42 : 41) & 1)
		c |= PT_CTL_HPD;
	if (acc_feats() & 1) {
		uint64_t pan;
		__asm__ volatile("mrs %0, s3_0_c4_c2_3" : "=r"(pan));
		if (pan >> 22 & 1)
			c |= PT_CTL_PAN;
	}
#endif
	return c;
}

uint64_t arch_acc_attrs(const struct fmt *f)
{
	uint64_t mair;
	(void)f;
	__asm__ volatile("mrs %0, mair_" EL : "=r"(mair));
	return mair;
}

#define A64_V 1ull
#define A64_TBL 2ull
#define A64_AP1 (1ull << 6)
#define A64_AP2 (1ull << 7)
#define A64_AF (1ull << 10)
#define A64_DBM (1ull << 51)
#define A64_PXN (1ull << 53)
#define A64_UXN (1ull << 54)

/* Tables: APTable[0] (61, EL0 no access), APTable[1] (62, read-only),
 * UXNTable (60; XNTable at EL2), PXNTable (59), V clear. At EL2 APTable[0]
 * and PXNTable are RES0: not used. Leaves: AF clear, DBM with AP[2]
 * (writable, clean), AP[2] toggled, AP[1] toggled (not at EL2: RES1),
 * PXN or UXN toggled, V clear, a level-3 entry with bit 1 clear
 * (reserved: a translation fault). */
int arch_acc_perturb(const struct fmt *f, unsigned l, bool leaf, uint64_t e, uint64_t *set,
		     uint64_t *clr)
{
	bool el2 = f->features & PT_FEAT_AARCH64_EL2;
	/* An output address at or above the CPU's PA size (ID_AA64MMFR0_EL1.
	 * PARange: 44 bits on Cortex-A57, below TCR.IPS's 48) is an address
	 * size fault at that level (Arm ARM D8.3); struct pt_regime has no
	 * PA size. */
	uint64_t mmfr0;
	static const unsigned char pa_bits[] = { 32, 36, 40, 42, 44, 48, 52 };
	__asm__ volatile("mrs %0, id_aa64mmfr0_el1" : "=r"(mmfr0));
	unsigned pab = (mmfr0 & 0xf) < 7 ? pa_bits[mmfr0 & 0xf] : 48;
	if (pab < 48 && rnd_below(20) == 0) {
		*set = 1ull << pab;
		return ACC_UNMODELLED;
	}
	if (!leaf) {
		static const uint64_t el1[] = { 1ull << 61, 1ull << 62, 1ull << 60, 1ull << 59, 0 };
		static const uint64_t el2b[] = { 1ull << 62, 1ull << 60, 1ull << 62, 1ull << 60, 0 };
		unsigned c = (unsigned)rnd_below(5);
		*set = el2 ? el2b[c] : el1[c];
		if (c == 4)
			*clr = A64_V;
		return true;
	}
	unsigned c = (unsigned)rnd_below(9);
	uint64_t t = 0;
	switch (c) {
	case 0: *clr = A64_AF; break;
	case 1: *set = A64_DBM | A64_AP2; break;
	case 2: t = A64_AP2; break;
	case 3: t = el2 ? A64_AP2 : A64_AP1; break;
	case 4: t = el2 ? A64_UXN : A64_PXN; break;
	case 5: t = A64_UXN; break;
	case 6: *clr = A64_V; break;
	case 7: if (l == 3) *clr = A64_TBL; else *clr = A64_AF; break;
	default: *set = A64_DBM; *clr = A64_AF; break;
	}
	if (t) {
		if (e & t)
			*clr = t;
		else
			*set = t;
	}
	return true;
}

/* Data abort (0x25) or instruction abort (0x21) at the same EL, FAR ==
 * va, WnR for data; DFSC/IFSC: translation (0b0001LL: not present or a
 * reserved encoding), access flag (0b0010LL), permission (0b0011LL: a
 * write to a clean page the MMU does not dirty is one too), LL the level. */
bool arch_acc_fault_ok(const struct fmt *f, enum acc k, uint64_t va, const struct pt_fault *pf)
{
	(void)f;
	uint64_t esr = g_fault_cause, fsc = esr & 0x3f;
	if (!arch_fault_ok(k, va))
		return false;
	unsigned want;
	switch (pf->kind) {
	case PT_FAULT_NOT_PRESENT:
	case PT_FAULT_RESERVED: want = 0x04; break;
	case PT_FAULT_ACCESS_FLAG: want = 0x08; break;
	case PT_FAULT_PERMISSION:
	case PT_FAULT_DIRTY: want = 0x0c; break;
	default: return false;
	}
	return fsc == (want | (pf->level & 3));
}
