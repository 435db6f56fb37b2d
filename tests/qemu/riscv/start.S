/* SPDX-License-Identifier: MIT */
/* RISC-V guest startup: M-mode sets up PMP and delegation, drops to S-mode. */
	.section .text.start, "ax"
	.globl _start
_start:
	csrr	t0, mhartid
	bnez	t0, park
	la	sp, __stack_top
	la	t0, m_trap
	csrw	mtvec, t0
	/* S-mode may touch all of physical memory (PMP entry 0: NAPOT, RWX). */
	li	t0, -1
	csrw	pmpaddr0, t0
	li	t0, 0x1f
	csrw	pmpcfg0, t0
	/* Faults and U-mode ecalls go to S-mode: bits 0-8, 12, 13, 15. */
	li	t0, 0xb1ff
	csrw	medeleg, t0
	csrw	mideleg, zero
	csrw	satp, zero
	li	t0, 3 << 11
	csrc	mstatus, t0
	li	t0, 1 << 11	/* MPP = S */
	csrs	mstatus, t0
	la	t0, s_entry
	csrw	mepc, t0
	mret
park:
	wfi
	j	park

s_entry:
	la	t0, s_trap
	csrw	stvec, t0
	call	guest_main
1:	j	1b

m_trap:
	csrr	a0, mcause
	csrr	a1, mepc
	csrr	a2, mtval
	call	m_trap_c
1:	j	1b

/* S-mode trap: save every register, let C decide, restore, sret. */
	.balign 4
s_trap:
	addi	sp, sp, -256
	.irp	r, 1,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	sd	x\r, \r*8(sp)
	.endr
	mv	a0, sp
	call	s_trap_c
	.irp	r, 1,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	ld	x\r, \r*8(sp)
	.endr
	addi	sp, sp, 256
	sret

/* Probes are leaf functions that keep ra: on a fault the handler resumes
 * at ra, so a faulting probe simply returns. */
	.globl probe_ld, probe_sd, probe_x
probe_ld:
	ld	a0, 0(a0)
	ret
probe_sd:
	sd	a1, 0(a0)
	ret
probe_x:
	jr	a0

/* The exec stub copied to the start of T: return PROBE_MAGIC. */
	.globl stub_start, stub_end
stub_start:
	li	a0, 0x5a5a
	ret
stub_end:

/* Enter U-mode at a0 (a trampoline in the user page) with a1/a2 as its
 * arguments; the U-mode ecall or fault comes back through s_trap_c, which
 * resumes at u_ret in S-mode with the result in a0. */
	.globl enter_user
enter_user:
	la	t1, u_ret
	sd	ra, 0(t1)
	csrw	sepc, a0
	li	t0, 1 << 8	/* SPP = U */
	csrc	sstatus, t0
	mv	a0, a1
	mv	a1, a2
	sret

/* The user trampolines: one page, mapped with USER at USER_VA. */
	.section .usertramp, "ax"
	.balign 4096
	.option norvc
	.globl user_page
user_page:
	ld	a0, 0(a0)	/* +0: read */
	ecall
	sd	a1, 0(a0)	/* +8: write */
	ecall
	jalr	a0		/* +16: exec; the stub returns to +20 */
	ecall
