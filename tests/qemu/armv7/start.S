/* SPDX-License-Identifier: MIT */
/* ARMv7-A guest startup: QEMU enters in SVC mode with the MMU off. */
	.syntax unified
	.arm
	.section .text.start, "ax"
	.globl _start
_start:
	cpsid	if
	mrc	p15, 0, r0, c0, c0, 5		/* MPIDR */
	ands	r0, r0, #3
	bne	park
	/* Abort and undefined modes have their own SP. */
	cps	#0x17
	ldr	sp, =__abt_stack_top
	cps	#0x1b
	ldr	sp, =__abt_stack_top
	cps	#0x13
	ldr	sp, =__stack_top
	ldr	r0, =vectors
	mcr	p15, 0, r0, c12, c0, 0		/* VBAR */
	mrc	p15, 0, r0, c1, c0, 0
	bic	r0, r0, #(1 << 13)		/* SCTLR.V = 0: vectors at VBAR */
	mcr	p15, 0, r0, c1, c0, 0
	isb
	bl	guest_main
park:
	wfi
	b	park

	.balign 32
vectors:
	b	.
	b	und_h
	b	svc_h
	b	pabt_h
	b	dabt_h
	b	.
	b	irq_h
	b	irq_h

/* Each handler: LR back to the faulting instruction, save r0-r12 and LR,
 * abt_c(frame, kind) may change the saved LR, return with SPSR. */
	.macro	handler name, adj, kind
\name:
	sub	lr, lr, #\adj
	push	{r0-r12, lr}
	mov	r0, sp
	mov	r1, #\kind
	bl	abt_c
	pop	{r0-r12, lr}
	movs	pc, lr
	.endm
	handler	dabt_h, 8, 1
	handler	pabt_h, 4, 2
	handler	und_h, 4, 3
	handler	svc_h, 0, 4
	handler	irq_h, 4, 5

/* Probes put their return address in r12 first: LR is banked, so the abort
 * handler resumes at the saved r12. LDRT/STRT access with PL0 rights. */
	.globl probe_ld, probe_st, probe_x, probe_ldrt, probe_strt
probe_ld:
	mov	r12, lr
	ldrd	r0, r1, [r0]
	bx	lr
probe_st:
	mov	r12, lr
	strd	r2, r3, [r0]
	bx	lr
probe_x:
	mov	r12, lr
	bx	r0
probe_ldrt:
	mov	r12, lr
	ldrt	r2, [r0], #4
	ldrt	r1, [r0]
	mov	r0, r2
	bx	lr
probe_strt:
	mov	r12, lr
	strt	r2, [r0], #4
	strt	r3, [r0]
	bx	lr

	.globl stub_start, stub_end
stub_start:
	movw	r0, #0x5a5a
	mov	r1, #0
	bx	lr
stub_end:

/* Semihosting SYS_EXIT: r0 = 0x18, r1 = reason. */
	.globl semihost_exit
semihost_exit:
	mov	r1, r0
	mov	r0, #0x18
	svc	#0x123456
	b	.

/* 64-bit unsigned division (the core divides uint64_t): quotient in r0:r1,
 * remainder in r2:r3 (RTABI §4.2). */
	.globl __aeabi_uldivmod
__aeabi_uldivmod:
	push	{r4, lr}
	sub	sp, sp, #16
	add	r4, sp, #8
	str	r4, [sp]
	bl	udivmod64
	ldr	r2, [sp, #8]
	ldr	r3, [sp, #12]
	add	sp, sp, #16
	pop	{r4, pc}
