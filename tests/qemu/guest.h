/* SPDX-License-Identifier: MIT */
/*
 * Bare-metal conformance guest: what the architecture-independent test
 * (tests/qemu/common.c and the files beside it) needs from each
 * architecture's startup (start.S + arch.c under tests/qemu/<arch>/).
 *
 * The guest runs identity-mapped: every table libpt builds maps the guest's
 * RAM (and its UART / exit device) VA == PA, so phys_to_virt is the identity
 * before and after the MMU is switched on. Test mappings live elsewhere.
 */
#ifndef QEMU_GUEST_H
#define QEMU_GUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pt.h"

/* Kinds of access a probe performs. */
enum acc { ACC_READ, ACC_WRITE, ACC_EXEC, ACC_COUNT };

/* One format the guest tests, and what the architecture does to run it. */
struct fmt {
	const char *name;     /* printed in "[group] qemu <name>: ..." */
	enum pt_arch arch;
	unsigned features;
	uint32_t flag_mask;   /* flags worth varying (beyond READ) */
	/* Highest (most negative) and lowest address a test VA may use;
	 * lo_max bounds the lower half (0 = whole lower half). */
	uint64_t lo_max;
	unsigned halves;      /* test VAs in: bit 0 the lower half, bit 1 the upper */
	/* Smallest block the emulator translates as a unit (0: 4K). 4K test
	 * mappings come in aligned groups of this size with one PA block and
	 * one set of flags (QEMU's LoongArch TLB works on 16K pages). */
	uint64_t granule;
	/* The architecture maps the guest itself in another table (e.g. an
	 * AArch64 TTBR1 table cannot hold the low identity map). */
	bool identity_elsewhere;
};

/* ---- Provided by the architecture (tests/qemu/<arch>/arch.c, start.S) -- */

/* The formats this guest tests (may depend on how the machine booted). */
const struct fmt *arch_formats(unsigned *n);
extern const uint64_t arch_ram_base, arch_ram_size;
/* Device windows to identity-map (UART, exit device), 0-terminated. */
extern const uint64_t arch_dev_ranges[][2];

void arch_putc(char c);
__attribute__((noreturn)) void arch_exit(bool ok);
/* Copy the exec stub ("return PROBE_MAGIC") to dst; returns its length. */
size_t arch_put_stub(void *dst);
/* Add what the architecture itself needs to a fresh table (e.g. a user
 * trampoline page) before any test mapping. */
void arch_table_setup(const struct fmt *f, struct pt_table *t);
/* Before and after switching the MMU with table t. */
void arch_mmu_on(const struct fmt *f, struct pt_table *t);
void arch_mmu_off(const struct fmt *f);

/* Probe modes: privilege levels / controls under which accesses are
 * checked (e.g. RISC-V S-mode with SUM=0 and SUM=1; AArch64 EL1 and EL0 via
 * LDTR/STTR). Mode 0 is the kernel's normal mode. */
unsigned arch_nmodes(const struct fmt *f);
const char *arch_mode_name(unsigned m);
/* Whether mode m can perform access kind k at all. */
bool arch_mode_can(unsigned m, enum acc k);
/* Whether an access of kind k in mode m to a page with `flags` must work. */
bool arch_allowed(const struct fmt *f, unsigned m, uint32_t flags, enum acc k);
/* Whether the emulator cannot perform this probe at all (a known QEMU
 * defect); such probes are skipped and counted, never passed. */
bool arch_skip(const struct fmt *f, unsigned m, uint32_t flags, enum acc k, bool mapped);
/* Perform the access; returns the value read (ACC_READ), or PROBE_MAGIC
 * from the stub (ACC_EXEC). On a fault the trap handler records it in
 * g_fault_cause / g_fault_addr, sets g_faulted, and the probe returns. */
uint64_t arch_probe(unsigned m, enum acc k, uint64_t va, uint64_t val);
/* Whether the recorded fault is the kind an access k to va should raise. */
bool arch_fault_ok(enum acc k, uint64_t va);
/* Make stores to code visible to instruction fetch. */
void arch_sync_icache(void);

/* Access state (SPEC §7) on this format: false where the guest cannot
 * check it (no accessed or dirty bit in the MMU's sense: ARMv7 with
 * SCTLR.AFE = 0). Otherwise *hw gets the state bits the MMU sets itself
 * (PT_ACCESSED, PT_DIRTY); an access that needs one of the others faults,
 * and the trap handler hands the fault to guest_state_fault. Default
 * (common.c): false. */
bool arch_state_check(const struct fmt *f, uint32_t *hw);
/* Groups of the architecture's own, run after the common ones on each
 * format (with run_group, common.h), e.g. RISC-V Svnapot; default none. */
void arch_more_groups(const struct fmt *f);
/* ASIDs: whether format f runs with ASID-tagged TLB entries the guest can
 * switch (AArch64 EL1, ARMv7); default false. arch_switch_asid points the
 * MMU, already on, at the table rooted at root under ASID asid, with no
 * TLB maintenance at all. */
bool arch_asids(const struct fmt *f);
void arch_switch_asid(uint64_t root, unsigned asid);

/* The access group (access.c): pt_access against the MMU. Access modes are
 * privilege levels and run-time controls (x86 CR0.WP, EFLAGS.AC; RISC-V
 * SUM, MXR, U-mode; AArch64 EL0, PAN, HPD; ARMv7 PL0, AFE). */
unsigned arch_acc_nmodes(const struct fmt *f);
const char *arch_acc_mode_name(const struct fmt *f, unsigned am);
/* Enter access mode am (set its controls, with the TLB maintenance they
 * need); returns the probe mode for arch_probe, *user whether the access is
 * made with user (unprivileged) rights. arch_acc_leave undoes it. */
unsigned arch_acc_enter(const struct fmt *f, unsigned am, bool *user);
void arch_acc_leave(const struct fmt *f, unsigned am);
/* The regime's PT_CTL_* controls and attribute register, read from the
 * CPU now. */
uint64_t arch_acc_controls(const struct fmt *f);
uint64_t arch_acc_attrs(const struct fmt *f);
/* A raw change a foreign OS might make to entry e at level l (0 = root),
 * a leaf or a table entry: bits to set and to clear. Returns 0 if none,
 * 1, or ACC_UNMODELLED for a change struct pt_regime cannot describe (the
 * CPU's physical address width): disagreements on walks through such an
 * entry are counted and shown as libpt's known limits, not failed. */
#define ACC_UNMODELLED 2
int arch_acc_perturb(const struct fmt *f, unsigned l, bool leaf, uint64_t e, uint64_t *set,
		     uint64_t *clr);
/* Whether the recorded fault is what pt_access said (*pf) for access k at
 * va, as far as the trap handler can tell. Where the emulator is known to
 * report a fault otherwise than the architecture manual (and pt_access)
 * say, the hook accepts it and counts it in g_acc_emu. */
extern unsigned g_acc_emu;
bool arch_acc_fault_ok(const struct fmt *f, enum acc k, uint64_t va, const struct pt_fault *pf);
/* Whether the emulator is known to let this access through although the
 * manual (and pt_access, *pf) say it faults; default false. */
bool arch_acc_emu_allows(const struct fmt *f, enum acc k, const struct pt_fault *pf);
/* common.c's random numbers, for arch_acc_perturb. */
uint64_t rnd_below(uint64_t n);
/* Whether the emulator cannot perform this probe (a known defect); default
 * false. */
bool arch_acc_skip(const struct fmt *f, enum acc k, int rc, const struct pt_fault *pf,
		   const struct pt_mapping *out);

#define PROBE_MAGIC 0x5a5aull

/* Build-time sabotage proving the checks can fail (qemu.mk, qemu-mutants;
 * common.h and the arch files say what each value breaks). */
#ifndef QEMU_MUTATE
#define QEMU_MUTATE 0
#endif

/* Set by the trap handler while g_probing. */
extern volatile int g_probing, g_faulted;
extern volatile uint64_t g_fault_cause, g_fault_addr, g_fault_pc;

/* ---- Provided by common.c (guest_state_fault: state.c) ----------------- */

void gprintf(const char *fmt, ...);
/* The frame allocator hooks, for tables the architecture builds itself. */
const struct pt_mm *guest_mm(void);
/* Identity-map the guest's RAM (kernel RWX) and devices into t. */
int guest_map_identity(struct pt_table *t);
/* The OS half of access-state tracking, for the trap handler: a fault at
 * va on the page the state check armed, which the architecture reports as
 * needing `state` (PT_ACCESSED for an access-flag or page-invalid fault,
 * plus PT_DIRTY for a write; PT_DIRTY for a write to a clean writable
 * page), is fixed with pt_set_state and pt_flush. True: return to the
 * faulting access and let it run again; false: record the fault as usual. */
bool guest_state_fault(uint64_t va, uint32_t state);
/* Called by the arch once the C environment is up (stack, traps). */
__attribute__((noreturn)) void guest_main(void);
/* Unexpected trap: print and fail. */
__attribute__((noreturn)) void guest_panic(const char *what, uint64_t cause,
					   uint64_t pc, uint64_t addr);

void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);

#endif /* QEMU_GUEST_H */
