/* SPDX-License-Identifier: MIT */
/* AT oracle guest startup: QEMU (-M virt,virtualization=on) enters at EL2
 * with the MMU off; the guest stays there and never enables its own MMU.
 * Real accesses run at EL1 and EL0 through the tables under test
 * (probe_run), in code the guest copies to AT_PROBE_PA (probe_el1_code,
 * probe_el0_code: position independent) and the host maps there. */
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

/* uint64_t probe_run(uint64_t spsr, uint64_t va, uint64_t store,
 *                    uint64_t elr, uint64_t *far, uint64_t val):
 * enter the stub at elr in the mode of spsr, with x1 = va, x2 = store and
 * x5 = val (what a store writes); the stub's HVC comes back to
 * probe_back, which returns its x0 (ESR_EL1 of the fault, 0 for none) and
 * stores its x1 (FAR_EL1; without a fault, the word a load read) in
 * *far. */
	.text
	.globl probe_run
probe_run:
	stp	x29, x30, [sp, #-112]!
	stp	x19, x20, [sp, #16]
	stp	x21, x22, [sp, #32]
	stp	x23, x24, [sp, #48]
	stp	x25, x26, [sp, #64]
	stp	x27, x28, [sp, #80]
	str	x4, [sp, #96]
	mov	x9, sp
	adrp	x10, probe_sp
	str	x9, [x10, :lo12:probe_sp]
	msr	spsr_el2, x0
	msr	elr_el2, x3
	eret

/* An HVC from EL1 (the stubs' way back); anything else is unexpected. */
probe_back:
	mrs	x9, esr_el2
	lsr	x9, x9, #26
	cmp	x9, #0x16
	b.ne	exc
	adrp	x10, probe_sp
	ldr	x9, [x10, :lo12:probe_sp]
	mov	sp, x9
	ldr	x4, [sp, #96]
	str	x1, [x4]
	ldp	x19, x20, [sp, #16]
	ldp	x21, x22, [sp, #32]
	ldp	x23, x24, [sp, #48]
	ldp	x25, x26, [sp, #64]
	ldp	x27, x28, [sp, #80]
	ldp	x29, x30, [sp], #112
	ret

/* Nothing but the stubs' HVC (lower EL, AArch64, synchronous) should
 * trap: every other vector reports and exits. */
	.balign 2048
vectors:
	.rept	8
	.balign	128
	b	exc
	.endr
	.balign	128
	b	probe_back
	.rept	7
	.balign	128
	b	exc
	.endr
exc:
	mrs	x0, esr_el2
	mrs	x1, elr_el2
	mrs	x2, far_el2
	bl	at_trap
	b	park

/* Copied to AT_PROBE_PA: VBAR_EL1's vectors, every one reporting ESR_EL1
 * and FAR_EL1 by HVC (an SVC, the EL0 stubs' way back, as no fault); the
 * EL1 stub at AT_PROBE_EL1_STUB. */
	.section .rodata.probe, "a"
	.balign 2048
	.globl probe_el1_code, probe_el1_end, probe_el0_code, probe_el0_end
probe_el1_code:
	.rept	16
	.balign	128
	b	el1_exc
	.endr
el1_exc:
	mrs	x0, esr_el1
	mrs	x1, far_el1
	lsr	x2, x0, #26
	cmp	x2, #0x15
	b.ne	1f
	mov	x0, #0
	mov	x1, x3
1:	hvc	#0
	.balign	2048
el1_stub:
	cbnz	x2, 2f
	ldr	x3, [x1]
	mov	x1, x3
	b	3f
2:	str	x5, [x1]
3:	mov	x0, #0
	hvc	#0
probe_el1_end:
/* Copied to AT_PROBE_EL0_PA. */
	.balign	8
probe_el0_code:
	cbnz	x2, 4f
	ldr	x3, [x1]
	svc	#0
4:	str	x5, [x1]
	svc	#0
probe_el0_end:

	.bss
	.balign	8
probe_sp:
	.skip	8
