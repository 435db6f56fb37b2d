/* SPDX-License-Identifier: MIT */
/*
 * RISC-V guest (qemu-system-riscv64 -M virt -bios none -cpu
 * rv64,svpbmt=on,svnapot=true): the test runs in S-mode; M-mode only
 * delegates. Modes probed: S with SUM=0 (user pages are off limits), S
 * with SUM=1 (user data readable/writable, never executable), and U-mode
 * through a trampoline page (Privileged ISA §4.3.1, §4.4.1). The formats
 * with PT_FEAT_RISCV_SVNAPOT add the group <format>/napot (napot.c).
 */
#include "../guest.h"

#define UART 0x10000000ull
#define FINISHER 0x100000ull
#define USER_VA 0x40000000ull /* the trampoline page, below RAM */

#define RWXU (PT_WRITE | PT_EXECUTE | PT_USER)
static const struct fmt fmts[] = {
	{ "riscv-sv39", PT_RISCV_SV39, 0, RWXU, 0, 3, 0, false },
	{ "riscv-sv48", PT_RISCV_SV48, 0, RWXU, 0, 3, 0, false },
	{ "riscv-sv57", PT_RISCV_SV57, 0, RWXU, 0, 3, 0, false },
	{ "riscv-sv48-svpbmt", PT_RISCV_SV48, PT_FEAT_RISCV_SVPBMT,
	  RWXU | PT_DEVICE | PT_UNCACHED, 0, 3, 0, false },
	{ "riscv-sv39-svnapot", PT_RISCV_SV39, PT_FEAT_RISCV_SVNAPOT, RWXU, 0, 3, 0, false },
	{ "riscv-sv48-svnapot", PT_RISCV_SV48, PT_FEAT_RISCV_SVPBMT | PT_FEAT_RISCV_SVNAPOT,
	  RWXU | PT_DEVICE | PT_UNCACHED, 0, 3, 0, false },
};
const struct fmt *arch_formats(unsigned *n)
{
	*n = sizeof fmts / sizeof fmts[0];
	return fmts;
}

const uint64_t arch_ram_base = 0x80000000ull, arch_ram_size = 128ull << 20;
const uint64_t arch_dev_ranges[][2] = { { UART, 4096 }, { FINISHER, 4096 }, { 0, 0 } };

void arch_putc(char c)
{
	volatile uint8_t *u = (volatile uint8_t *)(uintptr_t)UART;
	while (!(u[5] & 0x20)) /* LSR.THRE */
		;
	u[0] = (uint8_t)c;
}

void arch_exit(bool ok)
{
	/* SiFive test finisher: 0x5555 pass, (code << 16) | 0x3333 fail. */
	*(volatile uint32_t *)(uintptr_t)FINISHER = ok ? 0x5555 : (1u << 16) | 0x3333;
	for (;;)
		__asm__ volatile("wfi");
}

extern char stub_start[], stub_end[], user_page[];
uint64_t probe_ld(uint64_t va);
void probe_sd(uint64_t va, uint64_t v);
uint64_t probe_x(uint64_t va);
uint64_t enter_user(uint64_t entry, uint64_t a0, uint64_t a1);
uint64_t u_ret; /* S-mode resume address while in U-mode */

void arch_sync_icache(void)
{
	__asm__ volatile("fence.i" ::: "memory");
}

void arch_table_setup(const struct fmt *f, struct pt_table *t)
{
	(void)f;
	int r = pt_map(t, USER_VA, (uint64_t)(uintptr_t)user_page, PT_SIZE_4K,
		       PT_READ | PT_EXECUTE | PT_USER);
	if (r)
		guest_panic("map user page", (uint64_t)(int64_t)r, 0, USER_VA);
}

void arch_mmu_on(const struct fmt *f, struct pt_table *t)
{
	(void)f;
	uint64_t satp = pt_satp(t, 0);
	__asm__ volatile("csrw satp, %0\n\tsfence.vma" : : "r"(satp) : "memory");
}

void arch_mmu_off(const struct fmt *f)
{
	(void)f;
	__asm__ volatile("csrw satp, zero\n\tsfence.vma" ::: "memory");
}

unsigned arch_nmodes(const struct fmt *f)
{
	(void)f;
	return 3;
}

const char *arch_mode_name(unsigned m)
{
	static const char *const n[] = { "S", "S+SUM", "U" };
	return n[m];
}

bool arch_allowed(const struct fmt *f, unsigned m, uint32_t fl, enum acc k)
{
	(void)f;
	bool perm = k == ACC_READ ? (fl & PT_READ) : k == ACC_WRITE ? (fl & PT_WRITE)
								    : (fl & PT_EXECUTE);
	bool user = fl & PT_USER;
	if (!perm)
		return false;
	if (m == 2)
		return user;
	if (k == ACC_EXEC) /* S-mode never executes U pages */
		return !user;
	return !user || m == 1;
}

#define SSTATUS_SUM (1ull << 18)

uint64_t arch_probe(unsigned m, enum acc k, uint64_t va, uint64_t val)
{
	uint64_t v = 0;
	if (m == 2)
		return enter_user(USER_VA + 8 * (unsigned)k, va, val);
	if (m == 1)
		__asm__ volatile("csrs sstatus, %0" : : "r"(SSTATUS_SUM) : "memory");
	if (k == ACC_READ)
		v = probe_ld(va);
	else if (k == ACC_WRITE)
		probe_sd(va, val);
	else
		v = probe_x(va);
	if (m == 1)
		__asm__ volatile("csrc sstatus, %0" : : "r"(SSTATUS_SUM) : "memory");
	return v;
}

bool arch_fault_ok(enum acc k, uint64_t va)
{
	static const uint64_t cause[] = { 13, 15, 12 }; /* load/store/fetch page fault */
	return g_fault_cause == cause[k] && g_fault_addr == va;
}

/* QEMU 7.2 updates A and D in the page table itself (the Privileged ISA
 * allows either that or a page fault; Svade/Svadu name the choice). A
 * page fault on the state check's page would go to guest_state_fault and
 * be counted against the hardware. */
bool arch_state_check(const struct fmt *f, uint32_t *hw)
{
	(void)f;
	*hw = PT_ACCESSED | PT_DIRTY;
	return true;
}

struct frame {
	uint64_t x[32];
};

void s_trap_c(struct frame *fr);
void s_trap_c(struct frame *fr)
{
	uint64_t cause, epc, tval, status;
	__asm__ volatile("csrr %0, scause\n\tcsrr %1, sepc\n\tcsrr %2, stval\n\tcsrr %3, sstatus"
			 : "=r"(cause), "=r"(epc), "=r"(tval), "=r"(status));
	bool from_user = !(status & (1u << 8));
	bool fault = cause == 1 || cause == 5 || cause == 7 || cause == 12 || cause == 13 ||
		     cause == 15;
	if (!g_probing || (!fault && !(from_user && cause == 8)))
		guest_panic("unexpected S-mode trap", cause, epc, tval);
	/* A page fault the OS fixes (A clear; on a store, D too): sepc stays
	 * at the access, which runs again. */
	uint32_t st = cause == 15 ? PT_ACCESSED | PT_DIRTY : PT_ACCESSED;
	if (!from_user && (cause == 12 || cause == 13 || cause == 15) && guest_state_fault(tval, st))
		return;
	if (fault) {
		g_faulted = 1;
		g_fault_cause = cause;
		g_fault_addr = tval;
		g_fault_pc = epc;
	}
	uint64_t resume = fr->x[1]; /* the probe's return address */
	if (from_user) {
		resume = u_ret;
		__asm__ volatile("csrs sstatus, %0" : : "r"(1ull << 8)); /* back to S */
	}
	__asm__ volatile("csrw sepc, %0" : : "r"(resume));
}

void m_trap_c(uint64_t cause, uint64_t epc, uint64_t tval);
void m_trap_c(uint64_t cause, uint64_t epc, uint64_t tval)
{
	guest_panic("M-mode trap", cause, epc, tval);
}

/* ---- The access group -------------------------------------------------- */

/* Modes: S and U-mode, with sstatus.SUM and MXR set and clear. The
 * controls are read from sstatus; QEMU 7.2 sets A and D in the tables
 * itself (no Svade fault, no menvcfg.ADUE to read: it behaves as Svadu
 * enabled), so the regime has HA and HD. */
#define SSTATUS_MXR (1ull << 19)

static const struct {
	const char *name;
	unsigned pm;
	uint64_t sstatus;
} acc_modes[] = {
	{ "S", 0, 0 },
	{ "S SUM", 0, SSTATUS_SUM },
	{ "S MXR", 0, SSTATUS_MXR },
	{ "S SUM MXR", 0, SSTATUS_SUM | SSTATUS_MXR },
	{ "U", 2, 0 },
	{ "U MXR", 2, SSTATUS_MXR },
};

unsigned arch_acc_nmodes(const struct fmt *f)
{
	(void)f;
	return sizeof acc_modes / sizeof acc_modes[0];
}

const char *arch_acc_mode_name(const struct fmt *f, unsigned am)
{
	(void)f;
	return acc_modes[am].name;
}

unsigned arch_acc_enter(const struct fmt *f, unsigned am, bool *user)
{
	(void)f;
	*user = acc_modes[am].pm == 2;
	__asm__ volatile("csrs sstatus, %0" : : "r"(acc_modes[am].sstatus) : "memory");
	return acc_modes[am].pm;
}

void arch_acc_leave(const struct fmt *f, unsigned am)
{
	(void)f;
	__asm__ volatile("csrc sstatus, %0" : : "r"(acc_modes[am].sstatus) : "memory");
}

uint64_t arch_acc_controls(const struct fmt *f)
{
	uint64_t s;
	(void)f;
	__asm__ volatile("csrr %0, sstatus" : "=r"(s));
	return PT_CTL_HA | PT_CTL_HD | (s & SSTATUS_SUM ? PT_CTL_SUM : 0) |
	       (s & SSTATUS_MXR ? PT_CTL_MXR : 0);
}

uint64_t arch_acc_attrs(const struct fmt *f)
{
	(void)f;
	return 0;
}

#define RV_V 1ull
#define RV_R 2ull
#define RV_W 4ull
#define RV_X 8ull
#define RV_U 16ull
#define RV_G 32ull
#define RV_A 64ull
#define RV_D 128ull
#define RV_PBMT (3ull << 61)

/* Tables: G (harmless), A, D or U (reserved on non-leaf entries), PBMT
 * (reserved there with Svpbmt), V clear. Leaves: A or D clear,
 * execute-only, write without read (reserved), U toggled, X or W
 * cleared (never all of R, W and X: that is a table pointer), V clear,
 * PBMT 3 (reserved). */
int arch_acc_perturb(const struct fmt *f, unsigned l, bool leaf, uint64_t e, uint64_t *set,
		     uint64_t *clr)
{
	(void)l;
	unsigned c = (unsigned)rnd_below(leaf ? 10 : 6);
	bool pbmt = f->features & PT_FEAT_RISCV_SVPBMT;
	if (!leaf) {
		static const uint64_t bits[] = { RV_G, RV_G, RV_A, RV_D, RV_U, RV_PBMT };
		if (c == 5 && !pbmt)
			c = 0;
		*set = bits[c];
		if (c == 1)
			*set = 0, *clr = RV_V;
		return true;
	}
	switch (c) {
	case 0: *clr = RV_A; break;
	case 1: *clr = RV_D; break;
	case 2: *clr = RV_R | RV_W; *set = RV_X; break;
	case 3: *clr = RV_R; *set = RV_W; break;
	case 4: if (e & RV_U) *clr = RV_U; else *set = RV_U; break;
	case 5: if (e & (RV_R | RV_W)) *clr = RV_X; else *set = RV_R; break;
	case 6: if (e & (RV_R | RV_X)) *clr = RV_W; else *set = RV_R; break;
	case 7: *clr = RV_V; break;
	case 8: *clr = RV_A | RV_D; break;
	default:
		if (pbmt)
			*set = 3ull << 61;
		else
			*clr = RV_A;
	}
	return true;
}

/* A load, store or instruction page fault at va: every pt_access fault
 * kind (not present, permission, A, D, reserved) raises the one cause of
 * the access's kind. */
bool arch_acc_fault_ok(const struct fmt *f, enum acc k, uint64_t va, const struct pt_fault *pf)
{
	(void)f;
	(void)pf;
	return arch_fault_ok(k, va);
}

/* Privileged ISA §4.3.2 step 3 (Svpbmt): PBMT = 3 is reserved, and a
 * reserved encoding in a PTE raises a page fault; QEMU 7.2 only checks
 * PBMT against menvcfg.PBMTE and lets encoding 3 through. */
bool arch_acc_emu_allows(const struct fmt *f, enum acc k, const struct pt_fault *pf)
{
	(void)k;
	return (f->features & PT_FEAT_RISCV_SVPBMT) && pf->kind == PT_FAULT_RESERVED &&
	       (pf->pte & RV_PBMT) == RV_PBMT && (pf->pte & (RV_R | RV_W | RV_X));
}
