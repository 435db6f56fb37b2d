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
