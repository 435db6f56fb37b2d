/* SPDX-License-Identifier: MIT */
/*
 * x86-64 guest (qemu-system-x86_64, multiboot): ring 0 with CR0.WP (writes
 * obey R/W), EFER.NXE (NX is meaningful), CR4.SMEP and CR4.SMAP so the U/S
 * bit is checked from ring 0 (SDM Vol. 3A §4.6): mode "CPL0" (AC=0: user
 * pages are neither readable, writable nor executable) and "CPL0+AC" (STAC:
 * user data accessible, user code still not executable).
 * One boot runs 4-level paging, or 5-level with "-append la57".
 */
#include "../guest.h"

#define COM1 0x3f8
#define RWX_ALL (PT_WRITE | PT_EXECUTE | PT_USER | PT_DEVICE | PT_UNCACHED)

static const struct fmt fmt4[] = {
	{ "x86_64", PT_X86_64, 0, RWX_ALL, 0, 3, 0, false },
};
static const struct fmt fmt5[] = {
	{ "x86_64-la57", PT_X86_64_LA57, 0, RWX_ALL, 0, 3, 0, false },
};
extern uint32_t boot_la57;

const struct fmt *arch_formats(unsigned *n)
{
	*n = 1;
	return boot_la57 ? fmt5 : fmt4;
}

/* RAM from 0; the VGA hole and BIOS area are mapped too, never probed. */
const uint64_t arch_ram_base = 0, arch_ram_size = 128ull << 20;
const uint64_t arch_dev_ranges[][2] = { { 0, 0 } };

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

void arch_putc(char c)
{
	while (!(inb(COM1 + 5) & 0x20))
		;
	outb(COM1, (uint8_t)c);
}

void arch_exit(bool ok)
{
	/* isa-debug-exit: QEMU exits with (value << 1) | 1. */
	__asm__ volatile("outl %0, %1" : : "a"((uint32_t)(ok ? 0 : 1)), "Nd"((uint16_t)0xf4));
	for (;;)
		__asm__ volatile("cli; hlt");
}

extern char stub_start[], stub_end[], __boot_tables[];
extern const uint64_t isr_table[32];
uint64_t probe_ld(uint64_t va);
void probe_st(uint64_t va, uint64_t v);
uint64_t probe_x(uint64_t va);

static struct {
	uint16_t off_lo, sel;
	uint8_t ist, type;
	uint16_t off_mid;
	uint32_t off_hi, zero;
} idt[32] __attribute__((aligned(16)));

void x86_init(void);
void x86_init(void)
{
	for (int i = 0; i < 32; i++) {
		uint64_t a = isr_table[i];
		idt[i].off_lo = (uint16_t)a;
		idt[i].sel = 0x08;
		idt[i].ist = 0;
		idt[i].type = 0x8e; /* present, DPL0, 64-bit interrupt gate */
		idt[i].off_mid = (uint16_t)(a >> 16);
		idt[i].off_hi = (uint32_t)(a >> 32);
		idt[i].zero = 0;
	}
	struct __attribute__((packed)) {
		uint16_t limit;
		uint64_t base;
	} p = { sizeof idt - 1, (uint64_t)(uintptr_t)idt };
	__asm__ volatile("lidt %0" : : "m"(p));
	/* SMEP (20) and SMAP (21): the U/S bit becomes checkable from ring 0. */
	uint64_t cr4;
	__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
	cr4 |= 1u << 20 | 1u << 21;
	__asm__ volatile("mov %0, %%cr4" : : "r"(cr4));
}

void arch_sync_icache(void)
{
}

void arch_table_setup(const struct fmt *f, struct pt_table *t)
{
	(void)f;
	(void)t;
}

void arch_mmu_on(const struct fmt *f, struct pt_table *t)
{
	(void)f;
	__asm__ volatile("mov %0, %%cr3" : : "r"(pt_root(t)) : "memory");
}

void arch_mmu_off(const struct fmt *f)
{
	/* Back to the bootstrap identity map (the right depth for this boot). */
	uint64_t root = (uint64_t)(uintptr_t)__boot_tables + (f->arch == PT_X86_64 ? 4096 : 0);
	__asm__ volatile("mov %0, %%cr3" : : "r"(root) : "memory");
}

unsigned arch_nmodes(const struct fmt *f)
{
	(void)f;
	return 2;
}

const char *arch_mode_name(unsigned m)
{
	return m ? "CPL0+AC" : "CPL0";
}

bool arch_allowed(const struct fmt *f, unsigned m, uint32_t fl, enum acc k)
{
	(void)f;
	bool user = fl & PT_USER;
	if (k == ACC_WRITE && !(fl & PT_WRITE))
		return false;
	if (k == ACC_EXEC)
		return (fl & PT_EXECUTE) && !user; /* SMEP */
	return !user || m == 1;                     /* SMAP unless EFLAGS.AC */
}

uint64_t arch_probe(unsigned m, enum acc k, uint64_t va, uint64_t val)
{
	uint64_t v = 0;
	if (m == 1)
		__asm__ volatile("stac" ::: "memory");
	if (k == ACC_READ)
		v = probe_ld(va);
	else if (k == ACC_WRITE)
		probe_st(va, val);
	else
		v = probe_x(va);
	if (m == 1)
		__asm__ volatile("clac" ::: "memory");
	return v;
}

bool arch_fault_ok(enum acc k, uint64_t va)
{
	uint64_t err = g_fault_cause;
	if (g_fault_addr != va || (err >> 32) != 14) /* #PF, CR2 == va */
		return false;
	err &= 0xffffffff;
	if (err & 8) /* RSVD: a reserved bit set in some entry */
		return false;
	if (k == ACC_EXEC)
		return err & 16;
	return !(err & 16) && ((err & 2) != 0) == (k == ACC_WRITE);
}

/* The MMU sets A and D itself (SDM Vol. 3A §4.8): no access needs the OS. */
bool arch_state_check(const struct fmt *f, uint32_t *hw)
{
	(void)f;
	*hw = PT_ACCESSED | PT_DIRTY;
	return true;
}

struct frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8, rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vec, err, rip, cs, rflags, rsp, ss;
};

void isr_c(struct frame *fr);
void isr_c(struct frame *fr)
{
	uint64_t cr2;
	__asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
	if (!g_probing || (fr->vec != 14 && fr->vec != 13))
		guest_panic("unexpected exception", fr->vec << 32 | fr->err, fr->rip, cr2);
	g_faulted = 1;
	g_fault_cause = fr->vec << 32 | (fr->err & 0xffffffff);
	g_fault_addr = fr->vec == 14 ? cr2 : ~0ull;
	g_fault_pc = fr->rip;
	/* Return from the probe: pop its return address. */
	fr->rip = *(uint64_t *)(uintptr_t)fr->rsp;
	fr->rsp += 8;
}

/* ---- The access group -------------------------------------------------- */

/* Only CPL0 runs here: modes vary CR0.WP, EFLAGS.AC and CR4.SMEP/SMAP. */
#define CR0_WP (1ull << 16)
#define CR4_SMEP (1ull << 20)
#define CR4_SMAP (1ull << 21)
#define RFLAGS_AC (1ull << 18)

static uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return (uint64_t)hi << 32 | lo;
}

static uint64_t rd_cr0(void)
{
	uint64_t v;
	__asm__ volatile("mov %%cr0, %0" : "=r"(v));
	return v;
}

static uint64_t rd_cr4(void)
{
	uint64_t v;
	__asm__ volatile("mov %%cr4, %0" : "=r"(v));
	return v;
}

static void wr_cr0(uint64_t v)
{
	__asm__ volatile("mov %0, %%cr0" : : "r"(v) : "memory");
}

static void wr_cr4(uint64_t v)
{
	__asm__ volatile("mov %0, %%cr4" : : "r"(v) : "memory");
}

unsigned arch_acc_nmodes(const struct fmt *f)
{
	(void)f;
	return 5;
}

const char *arch_acc_mode_name(const struct fmt *f, unsigned am)
{
	static const char *const n[] = { "CPL0 WP", "CPL0 WP AC", "CPL0 !WP", "CPL0 !WP AC",
					 "CPL0 WP !SMEP !SMAP" };
	(void)f;
	return n[am];
}

unsigned arch_acc_enter(const struct fmt *f, unsigned am, bool *user)
{
	(void)f;
	*user = false;
	if (am == 2 || am == 3)
		wr_cr0(rd_cr0() & ~CR0_WP);
	if (am == 4)
		wr_cr4(rd_cr4() & ~(CR4_SMEP | CR4_SMAP));
	if (am & 1)
		__asm__ volatile("stac" ::: "memory");
	return 0;
}

void arch_acc_leave(const struct fmt *f, unsigned am)
{
	(void)f;
	if (am & 1)
		__asm__ volatile("clac" ::: "memory");
	if (am == 2 || am == 3)
		wr_cr0(rd_cr0() | CR0_WP);
	if (am == 4)
		wr_cr4(rd_cr4() | CR4_SMEP | CR4_SMAP);
}

uint64_t arch_acc_controls(const struct fmt *f)
{
	uint64_t cr0 = rd_cr0(), cr4 = rd_cr4(), efer = rdmsr(0xc0000080), fl;
	(void)f;
	__asm__ volatile("pushfq\n\tpopq %0" : "=r"(fl));
	return (efer & (1u << 11) ? PT_CTL_NXE : 0) | (cr0 & CR0_WP ? PT_CTL_WP : 0) |
	       (cr4 & CR4_SMEP ? PT_CTL_SMEP : 0) | (cr4 & CR4_SMAP ? PT_CTL_SMAP : 0) |
	       (fl & RFLAGS_AC ? PT_CTL_AC : 0);
}

uint64_t arch_acc_attrs(const struct fmt *f)
{
	(void)f;
	return rdmsr(0x277); /* IA32_PAT */
}

/* Table entries: RW or US clear, XD set (each restricts everything
 * below), P clear, PS in an entry that cannot map a page (reserved).
 * Leaves: RW, US, XD, A, D, P; a reserved bit of a 2M or 1G leaf (bit 13). */
int arch_acc_perturb(const struct fmt *f, unsigned l, bool leaf, uint64_t e, uint64_t *set,
		     uint64_t *clr)
{
	unsigned levels = f->arch == PT_X86_64_LA57 ? 5 : 4, h = levels - 1 - l;
	unsigned c = (unsigned)rnd_below(leaf ? 8 : 6);
	/* An address bit at or above MAXPHYADDR (CPUID 0x80000008 EAX[7:0]:
	 * 40 on qemu64) is reserved in every entry (SDM Vol. 3A §4.5);
	 * struct pt_regime has no MAXPHYADDR. */
	uint32_t a, b, cx, d;
	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(cx), "=d"(d) : "a"(0x80000008u), "c"(0));
	if ((a & 0xff) < 52 && rnd_below(20) == 0) {
		*set = 1ull << (a & 0xff);
		return ACC_UNMODELLED;
	}
	if (!leaf) {
		if (c == 0 || c == 1)
			*clr = 2;
		else if (c == 2)
			*clr = 4;
		else if (c == 3)
			*set = 1ull << 63;
		else if (c == 4)
			*clr = 1;
		else if (h >= 3)
			*set = 0x80;
		else
			*clr = 2;
		return true;
	}
	if (c == 0 || c == 1)
		*clr = 2;
	else if (c == 2)
		*set = (e & 4) ? 0 : 4, *clr = (e & 4) ? 4 : 0;
	else if (c == 3)
		*set = (e >> 63) ? 0 : 1ull << 63, *clr = (e >> 63) ? 1ull << 63 : 0;
	else if (c == 4)
		*clr = 0x20;
	else if (c == 5)
		*clr = 0x40;
	else if (c == 6)
		*clr = 1;
	else if (h)
		*set = 1ull << 13;
	else
		*clr = 2;
	(void)e;
	return true;
}

/* #PF with CR2 == va; error code P (0: not present), W, U (never: CPL0),
 * RSVD, I (a fetch, with NXE or SMEP). */
bool arch_acc_fault_ok(const struct fmt *f, enum acc k, uint64_t va, const struct pt_fault *pf)
{
	uint64_t err = g_fault_cause;
	(void)f;
	if ((err >> 32) != 14 || g_fault_addr != va)
		return false;
	bool p = err & 1, w = err & 2, u = err & 4, rsvd = err & 8, i = err & 16;
	/* SDM Vol. 3A §4.7: RSVD "can be set only if bit 0 is also set";
	 * QEMU 7.2 reports reserved-bit faults with P = 0. */
	if (rsvd && !p && pf->kind == PT_FAULT_RESERVED) {
		g_acc_emu++;
		p = true;
	}
	return p == (pf->kind != PT_FAULT_NOT_PRESENT) && w == (k == ACC_WRITE) && !u &&
	       rsvd == (pf->kind == PT_FAULT_RESERVED) && i == (k == ACC_EXEC);
}
