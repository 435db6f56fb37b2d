/* SPDX-License-Identifier: MIT */
/* AT oracle guest startup: QEMU (-M virt,virtualization=on) enters at EL2
 * with the MMU off; the guest stays there and never enables its own MMU. */
	.section .text.start, "ax"
	.globl _start
_start:
	mrs	x0, mpidr_el1
	and	x0, x0, #0xff
	cbnz	x0, park
	ldr	x0, =__stack_top
	mov	sp, x0
	ldr	x0, =vectors
	msr	vbar_el2, x0
	isb
	bl	at_main
park:
	wfe
	b	park

/* Nothing here should trap: every vector reports and exits. */
	.balign 2048
vectors:
	.rept	16
	.balign	128
	b	exc
	.endr
exc:
	mrs	x0, esr_el2
	mrs	x1, elr_el2
	mrs	x2, far_el2
	bl	at_trap
	b	park
