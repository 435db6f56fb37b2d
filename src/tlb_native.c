/* SPDX-License-Identifier: MIT */
/*
 * pt_flush_tlb_native: TLB maintenance for the CPU libpt is compiled for.
 * Privileged instructions: call it from a kernel, never from user space.
 */
#include "pt.h"

#if defined(__x86_64__) || defined(__aarch64__) || defined(__riscv) || defined(__loongarch__) || \
	defined(__arm__)
void pt_flush_tlb_native(void *ctx, uint64_t va, bool all)
{
	(void)ctx;
#if defined(__x86_64__)
	if (all) {
		/* A write to CR4 that changes PGE drops every translation,
		 * global ones too (Intel SDM vol. 3A 4.10.4.1); without PGE
		 * there are none, and reloading CR3 drops the rest. */
		uint64_t cr4, cr3;
		__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
		if (cr4 & (UINT64_C(1) << 7)) {
			__asm__ volatile("mov %0, %%cr4" : : "r"(cr4 & ~(UINT64_C(1) << 7)) : "memory");
			__asm__ volatile("mov %0, %%cr4" : : "r"(cr4) : "memory");
		} else {
			__asm__ volatile("mov %%cr3, %0" : "=r"(cr3));
			__asm__ volatile("mov %0, %%cr3" : : "r"(cr3) : "memory");
		}
	} else {
		__asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
	}
#elif defined(__aarch64__)
	const uint64_t arg = (va >> 12) & ((UINT64_C(1) << 44) - 1);
	/* Make the table stores visible to the walker first. */
	__asm__ volatile("dsb ishst" ::: "memory");
#ifdef PT_NATIVE_EL2
	if (all)
		__asm__ volatile("tlbi alle2is" ::: "memory");
	else
		__asm__ volatile("tlbi vae2is, %0" : : "r"(arg) : "memory");
#else
	if (all)
		__asm__ volatile("tlbi vmalle1is" ::: "memory");
	else
		__asm__ volatile("tlbi vaae1is, %0" : : "r"(arg) : "memory");
#endif
	__asm__ volatile("dsb ish\n\tisb" ::: "memory");
#elif defined(__riscv)
	if (all)
		__asm__ volatile("sfence.vma" ::: "memory");
	else
		__asm__ volatile("sfence.vma %0" : : "r"(va) : "memory");
#elif defined(__loongarch__)
	__asm__ volatile("dbar 0" ::: "memory");
	if (all) {
		__asm__ volatile("invtlb 0, $zero, $zero" ::: "memory");
	} else {
		/* Op 6 drops va's entries that are global or tagged with the
		 * ASID in rj[9:0]: the current one, CSR.ASID (0x18) bits 9:0,
		 * so a process's own pages go too, not only those of ASID 0. */
		uint64_t asid;
		__asm__ volatile("csrrd %0, 0x18" : "=r"(asid));
		__asm__ volatile("invtlb 6, %0, %1" : : "r"(asid & 0x3ff), "r"(va) : "memory");
	}
#else /* __arm__ */
	__asm__ volatile("dsb ishst" ::: "memory");
	if (all) /* TLBIALLIS */
		__asm__ volatile("mcr p15, 0, %0, c8, c3, 0" : : "r"(0) : "memory");
	else /* TLBIMVAAIS */
		__asm__ volatile("mcr p15, 0, %0, c8, c3, 3" : : "r"((uint32_t)va & ~0xfffu)
				 : "memory");
	__asm__ volatile("dsb ish\n\tisb" ::: "memory");
#endif
}
#endif

/*
 * Stage 2: the same for a hypervisor's stage-2 tables (call it at EL2 /
 * VMX root / HS mode). x86 has no per-address INVEPT: single-context
 * (type 1) with ctx pointing to the EPTP drops the whole EPT's
 * translations either way (all-context, type 2, without a ctx). AArch64
 * works on the VMID in VTTBR_EL2: the IPA's stage-2 entries, then every
 * stage-1 entry of the VMID (they may be combined with the old one),
 * broadcast; all: vmalls12e1is. RISC-V hfence.gvma, local to the hart,
 * with ctx pointing to the 16-bit VMID (NULL: every VMID); all: every
 * guest-physical address of that VMID.
 */
#if defined(__x86_64__) || defined(__aarch64__) || defined(__riscv)
void pt_flush_tlb_native_s2(void *ctx, uint64_t ipa, bool all)
{
#if defined(__x86_64__)
	/* INVEPT descriptor: the EPTP, then 64 reserved bits (0). */
	const struct {
		uint64_t eptp, zero;
	} desc = { ctx ? *(const uint64_t *)ctx : 0, 0 };
	const uint64_t type = ctx ? 1 : 2;
	(void)ipa, (void)all;
	__asm__ volatile("invept %0, %1" : : "m"(desc), "r"(type) : "memory", "cc");
#elif defined(__aarch64__)
	(void)ctx;
	__asm__ volatile("dsb ishst" ::: "memory");
	if (all) {
		__asm__ volatile("tlbi vmalls12e1is" ::: "memory");
	} else {
		const uint64_t arg = (ipa >> 12) & ((UINT64_C(1) << 36) - 1);
		__asm__ volatile("tlbi ipas2e1is, %0" : : "r"(arg) : "memory");
		__asm__ volatile("dsb ish" ::: "memory");
		__asm__ volatile("tlbi vmalle1is" ::: "memory");
	}
	__asm__ volatile("dsb ish\n\tisb" ::: "memory");
#else /* __riscv */
	/* hfence.gvma rs1, rs2 (funct7 0x31, SYSTEM opcode), written with
	 * .insn so that no H-extension -march is needed: rs1 is the
	 * guest-physical address shifted right by 2, x0 for all; rs2 the
	 * VMID, x0 for every VMID. */
	const uint64_t gpa = ipa >> 2;
	if (ctx) {
		const uint64_t vmid = *(const uint16_t *)ctx;
		if (all)
			__asm__ volatile(".insn r 0x73, 0, 0x31, x0, x0, %0" : : "r"(vmid) : "memory");
		else
			__asm__ volatile(".insn r 0x73, 0, 0x31, x0, %0, %1" : : "r"(gpa), "r"(vmid)
					 : "memory");
	} else if (all) {
		__asm__ volatile(".insn r 0x73, 0, 0x31, x0, x0, x0" ::: "memory");
	} else {
		__asm__ volatile(".insn r 0x73, 0, 0x31, x0, %0, x0" : : "r"(gpa) : "memory");
	}
#endif
}
#endif
