/* SPDX-License-Identifier: MIT */
/* AArch64 guest startup: QEMU enters at EL1 (EL2 with virtualization=on,
 * the GUEST_EL2 build) with the MMU off. */
#ifdef GUEST_EL2
#define VBAR vbar_el2
#else
#define VBAR vbar_el1
#endif
	.section .text.start, "ax"
	.globl _start
_start:
	mrs	x0, mpidr_el1
	and	x0, x0, #0xff
	cbnz	x0, park
	ldr	x0, =__stack_top
	mov	sp, x0
	ldr	x0, =vectors
	msr	VBAR, x0
	isb
	bl	guest_main
park:
	wfe
	b	park

/* Every vector goes to one handler: C looks at ESR_EL1. */
	.balign 2048
vectors:
	.rept	16
	.balign	128
	b	exc
	.endr

exc:
	sub	sp, sp, #256
	stp	x0, x1, [sp, #0]
	stp	x2, x3, [sp, #16]
	stp	x4, x5, [sp, #32]
	stp	x6, x7, [sp, #48]
	stp	x8, x9, [sp, #64]
	stp	x10, x11, [sp, #80]
	stp	x12, x13, [sp, #96]
	stp	x14, x15, [sp, #112]
	stp	x16, x17, [sp, #128]
	stp	x18, x19, [sp, #144]
	stp	x20, x21, [sp, #160]
	stp	x22, x23, [sp, #176]
	stp	x24, x25, [sp, #192]
	stp	x26, x27, [sp, #208]
	stp	x28, x29, [sp, #224]
	str	x30, [sp, #240]
	mov	x0, sp
	bl	exc_c
	ldp	x0, x1, [sp, #0]
	ldp	x2, x3, [sp, #16]
	ldp	x4, x5, [sp, #32]
	ldp	x6, x7, [sp, #48]
	ldp	x8, x9, [sp, #64]
	ldp	x10, x11, [sp, #80]
	ldp	x12, x13, [sp, #96]
	ldp	x14, x15, [sp, #112]
	ldp	x16, x17, [sp, #128]
	ldp	x18, x19, [sp, #144]
	ldp	x20, x21, [sp, #160]
	ldp	x22, x23, [sp, #176]
	ldp	x24, x25, [sp, #192]
	ldp	x26, x27, [sp, #208]
	ldp	x28, x29, [sp, #224]
	ldr	x30, [sp, #240]
	add	sp, sp, #256
	eret

/* Probes keep x30: on a fault the handler resumes at x30. LDTR/STTR make
 * the access with EL0 permissions (Arm ARM C6.2, "unprivileged"). */
	.globl probe_ld, probe_st, probe_x, probe_ldtr, probe_sttr
probe_ld:
	ldr	x0, [x0]
	ret
probe_st:
	str	x1, [x0]
	ret
probe_x:
	br	x0
probe_ldtr:
	ldtr	x0, [x0]
	ret
probe_sttr:
	sttr	x1, [x0]
	ret

	.globl stub_start, stub_end
stub_start:
	mov	x0, #0x5a5a
	ret
stub_end:
