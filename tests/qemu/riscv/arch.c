/* SPDX-License-Identifier: MIT */
/*
 * RISC-V guest (qemu-system-riscv64 -M virt -bios none): the test runs in
 * S-mode; M-mode only delegates. Modes probed: S with SUM=0 (user pages are
 * off limits), S with SUM=1 (user data readable/writable, never
 * executable), and U-mode through a trampoline page (Privileged ISA §4.3.1,
 * §4.4.1).
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
