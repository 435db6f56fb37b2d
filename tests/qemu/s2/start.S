/* SPDX-License-Identifier: MIT */
/*
 * Stage-2 oracle guest startup. QEMU (-M virt,virtualization=on) enters at
 * EL2 with the MMU off; the hypervisor part (guest.c) stays there with its
 * own MMU off and runs short EL1 snippets under both stages.
 *
 * run_el1(pc, a0, a1, out) enters EL1 at pc (EL1h, interrupts masked) with
 * x0 = a0, x1 = a1, and returns when EL1 traps to EL2: by HVC (a snippet
 * finished, or EL1's own vector reporting a stage-1 fault) or by a
 * stage-2 abort. *out gets x0, x1, x2 as EL1 left them and ESR_EL2,
 * FAR_EL2, HPFAR_EL2, ELR_EL2 (struct el2_exit in guest.c).
 */
	.section .text.start, "ax"
	.globl _start
_start:
	mrs	x0, mpidr_el1
	and	x0, x0, #0xff
	cbnz	x0, park
	ldr	x0, =__stack_top
	mov	sp, x0
	ldr	x0, =el2_vectors
	msr	vbar_el2, x0
	isb
	bl	s2_main
park:
	wfe
	b	park

	.text
	.globl run_el1
run_el1:
	sub	sp, sp, #112
	stp	x19, x20, [sp, #0]
	stp	x21, x22, [sp, #16]
	stp	x23, x24, [sp, #32]
	stp	x25, x26, [sp, #48]
	stp	x27, x28, [sp, #64]
	stp	x29, x30, [sp, #80]
	str	x3, [sp, #96]
	msr	elr_el2, x0
	mov	x0, #0x3c5		/* EL1h, D, A, I, F masked */
	msr	spsr_el2, x0
	mov	x0, x1
	mov	x1, x2
	isb
	eret

/* A trap from EL1: back to run_el1's caller, SP_EL2 as run_el1 left it. */
lower_sync:
	ldr	x9, [sp, #96]
	stp	x0, x1, [x9, #0]
	str	x2, [x9, #16]
	mrs	x10, esr_el2
	mrs	x11, far_el2
	stp	x10, x11, [x9, #24]
	mrs	x10, hpfar_el2
	mrs	x11, elr_el2
	stp	x10, x11, [x9, #40]
	ldp	x19, x20, [sp, #0]
	ldp	x21, x22, [sp, #16]
	ldp	x23, x24, [sp, #32]
	ldp	x25, x26, [sp, #48]
	ldp	x27, x28, [sp, #64]
	ldp	x29, x30, [sp, #80]
	add	sp, sp, #112
	ret

/* EL2's own exceptions are bugs: report them and stop. */
el2_bad:
	mrs	x0, esr_el2
	mrs	x1, elr_el2
	mrs	x2, far_el2
	bl	s2_el2_trap
	b	park

	.balign 2048
el2_vectors:
	.rept	8		/* current EL, SP0 and SPx */
	.balign	128
	b	el2_bad
	.endr
	.balign	128		/* lower EL, AArch64: synchronous */
	b	lower_sync
	.rept	7
	.balign	128
	b	el2_bad
	.endr

/*
 * EL1's code: one 4K page that stage 1 and stage 2 map executable. Each
 * snippet makes one access and reports with HVC #0 (x0: the value read, or
 * the stub's answer). EL1's vectors report any exception taken to EL1 (a
 * stage-1 fault) with HVC #1, x0 = ESR_EL1, x1 = FAR_EL1, x2 = ELR_EL1.
 * LDTR/STTR make the access with EL0 permissions.
 */
	.section .text.el1, "ax"
	.balign	4096
	.globl el1_page, el1_ld, el1_st, el1_x, el1_ldtr, el1_sttr, el1_vectors
el1_page:
el1_ld:
	ldr	x0, [x0]
	hvc	#0
el1_st:
	str	x1, [x0]
	hvc	#0
el1_x:
	blr	x0
	hvc	#0
el1_ldtr:
	ldtr	x0, [x0]
	hvc	#0
el1_sttr:
	sttr	x1, [x0]
	hvc	#0

	.balign	2048
el1_vectors:
	.rept	16
	.balign	128
	mrs	x0, esr_el1
	mrs	x1, far_el1
	mrs	x2, elr_el1
	hvc	#1
	.endr
	.balign	4096
	.globl el1_page_end
el1_page_end:
