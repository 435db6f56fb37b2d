/* SPDX-License-Identifier: MIT */
/*
 * LoongArch64 guest startup and the TLB refill handler. QEMU enters at
 * _start in direct-address mode (CRMD.DA=1), PLV0.
 */
#define CSR_CRMD	0x0
#define CSR_ESTAT	0x5
#define CSR_ERA		0x6
#define CSR_BADV	0x7
#define CSR_EENTRY	0xc
#define CSR_PGD		0x1b
#define CSR_SAVE0	0x30
#define CSR_SAVE1	0x31
#define CSR_SAVE2	0x32
#define CSR_TLBRENTRY	0x88
#define CSR_TLBRBADV	0x89
#define CSR_TLBRSAVE	0x8b
#define CSR_TLBRELO0	0x8c
#define CSR_TLBRELO1	0x8d
#define CSR_TLBREHI	0x8e

	.section .text.start, "ax"
	.globl _start
_start:
	la.pcrel	$sp, __stack_top
	/* EUEN.FPE: the default (lp64d) ABI may use FP registers (LSX is off:
	 * QEMU 7.2 has none). */
	ori		$t0, $zero, 1
	csrwr		$t0, 0x2
	la.pcrel	$t0, exc_entry
	csrwr		$t0, CSR_EENTRY
	la.pcrel	$t0, tlbr_entry
	csrwr		$t0, CSR_TLBRENTRY
	/* Frame 0 must read as zeros: see tlbr_entry. */
	move		$t0, $zero
	lu12i.w		$t1, 1
2:	st.d		$zero, $t0, 0
	addi.d		$t0, $t0, 8
	bne		$t0, $t1, 2b
	bl		guest_main
1:	idle		0
	b		1b

/*
 * TLB refill (entered in direct-address mode, only t0 saved by hardware in
 * TLBRSAVE). The walk is the hardware's: PGD (PGDL or PGDH by the VA's top
 * bit), lddir for the three directory levels, ldpte for the even/odd PTE
 * pair, tlbfill (LoongArch Reference Manual vol. 1 §4.2.5.1-2, §5.4.3), with
 * PWCL/PWCH = PT_LOONGARCH_PWCL/PWCH: libpt's directories are what the
 * hardware walks. An empty directory entry (0) sends lddir to frame 0,
 * which the guest keeps zeroed, so an unmapped VA refills an invalid entry.
 *
 * QEMU 7.2 fix-up (fixed upstream in 2024, "target/loongarch: Fix tlb huge
 * page loading issue"): its ldpte gives every huge page the 2M pair size
 * (PS = 20), so a 1G leaf (found by lddir level 2) would translate VA
 * offsets modulo 2M. For that case only, set the 1G pair ourselves: PS =
 * 29, odd half = even half + 512M.
 */
	.balign 4096
tlbr_entry:
	csrwr		$t0, CSR_TLBRSAVE
	csrwr		$t1, CSR_SAVE0
	csrwr		$t2, CSR_SAVE1
	csrwr		$t3, CSR_SAVE2
	csrrd		$t0, CSR_PGD
	lddir		$t0, $t0, 3		/* root -> level-1 table */
	lddir		$t1, $t0, 2		/* -> level-2 table or 1G leaf */
	lddir		$t2, $t1, 1		/* -> page table or 2M leaf */
	ldpte		$t2, 0
	ldpte		$t2, 1
	/* --- QEMU 7.2 fix-up: 1G leaves --- */
	andi		$t3, $t1, 0x40		/* H: the walk ended at a 1G leaf */
	beqz		$t3, .Lfill
	csrrd		$t1, CSR_TLBRELO0
	lu12i.w		$t3, 0x20000		/* 512M */
	add.d		$t1, $t1, $t3
	csrwr		$t1, CSR_TLBRELO1
	ori		$t1, $zero, 29
	ori		$t3, $zero, 0x3f
	csrxchg		$t1, $t3, CSR_TLBREHI
.Lfill:
	tlbfill
	csrrd		$t0, CSR_TLBRSAVE
	csrrd		$t1, CSR_SAVE0
	csrrd		$t2, CSR_SAVE1
	csrrd		$t3, CSR_SAVE2
	ertn

/* General exceptions: save every register, C decides, ertn. */
	.balign 4096
exc_entry:
	addi.d		$sp, $sp, -256
	.irp	r, 1,2,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	st.d		$r\r, $sp, \r*8
	.endr
	move		$a0, $sp
	bl		exc_c
	.irp	r, 1,2,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	ld.d		$r\r, $sp, \r*8
	.endr
	addi.d		$sp, $sp, 256
	ertn

/* Probes keep ra: on a fault the handler resumes there. */
	.globl probe_ld, probe_st, probe_x
probe_ld:
	ld.d		$a0, $a0, 0
	jr		$ra
probe_st:
	st.d		$a1, $a0, 0
	jr		$ra
probe_x:
	jr		$a0

	.globl stub_start, stub_end
stub_start:
	lu12i.w		$a0, 5
	ori		$a0, $a0, 0xa5a
	jr		$ra
stub_end:
