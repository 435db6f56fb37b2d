/* SPDX-License-Identifier: MIT */
/* RISC-V hypervisor guest startup: M-mode opens PMP, delegates every
 * exception the test raises to HS-mode and drops to HS (S with V=0). */
	.section .text.start, "ax"
	.globl _start
_start:
	csrr	t0, mhartid
	bnez	t0, park
	la	sp, __stack_top
	la	t0, m_trap
	csrw	mtvec, t0
	/* HS-mode may touch all of physical memory (PMP entry 0: NAPOT, RWX). */
	li	t0, -1
	csrw	pmpaddr0, t0
	li	t0, 0x1f
	csrw	pmpcfg0, t0
	/* To HS: causes 0-8 (access faults, U-mode ecall), 10 (VS-mode
	 * ecall), 12, 13, 15 (page faults), 20-23 (guest-page faults and
	 * virtual instruction). */
	li	t0, 0xf0b5ff
	csrw	medeleg, t0
	csrw	mideleg, zero
	csrw	satp, zero
	li	t0, 3 << 11
	csrc	mstatus, t0
	li	t0, 1 << 11	/* MPP = S, MPV = 0: HS-mode */
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

/* HS-mode trap: save every register, let C decide, restore, sret. A trap
 * from VS or VU mode arrives on the stack the test left in sp (the guest
 * code there never touches sp). */
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

/* Hypervisor virtual-machine loads and stores from HS-mode: leaf
 * functions that keep ra, so a faulting one returns through the handler. */
	.globl hlv_d, hsv_d, hlvx_wu
hlv_d:
	hlv.d	a0, (a0)
	ret
hsv_d:
	hsv.d	a1, (a0)
	ret
hlvx_wu:
	hlvx.wu	a0, (a0)
	ret

/* The exec stub at the start of every data page: return 0x5a5a. */
	.option push
	.option norvc
	.globl stub_start, stub_end
stub_start:
	li	a0, 0x5a5a
	ret
stub_end:
	.option pop

/* Enter VS-mode (a3 = 1) or VU-mode (a3 = 0) at a0, a trampoline in
 * vs_page, with a1/a2 as its arguments; its ecall or fault comes back
 * through s_trap_c, which resumes at vs_ret in HS-mode with a0. */
	.globl enter_vs
enter_vs:
	la	t1, vs_ret
	sd	ra, 0(t1)
	csrw	sepc, a0
	li	t0, 1 << 8	/* sstatus.SPP */
	csrc	sstatus, t0
	beqz	a3, 1f
	csrs	sstatus, t0
1:	li	t0, 1 << 7	/* hstatus.SPV */
	csrs	hstatus, t0
	mv	a0, a1
	mv	a1, a2
	sret

/* The VS/VU trampolines: one page, mapped at two guest VAs (U clear for
 * VS-mode, U set for VU-mode). */
	.section .vspage, "ax"
	.balign 4096
	.option norvc
	.globl vs_page
vs_page:
	ld	a0, 0(a0)	/* +0: read */
	ecall
	sd	a1, 0(a0)	/* +8: write */
	ecall
	jalr	a0		/* +16: exec; the stub returns to +20 */
	ecall
/* +24: vstvec, while VS-stage page faults are delegated to VS (hedeleg):
 * hand the fault's vscause and vstval to HS with a VS-mode ecall, a2 =
 * 0x7d saying so. */
	.globl vs_handler
vs_handler:
	csrr	a0, scause
	csrr	a1, stval
	li	a2, 0x7d
	ecall
