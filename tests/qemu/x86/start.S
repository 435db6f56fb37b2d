/* SPDX-License-Identifier: MIT */
/*
 * x86 guest startup. QEMU's multiboot loader enters _start32 in 32-bit
 * protected mode, paging off. Build a bootstrap identity map of the first
 * 1 GiB (2M pages; 5 levels when the command line says "la57": CR4.LA57
 * can only change while paging is off, so one boot serves one format),
 * enable PAE, LME, NXE, paging with CR0.WP, and jump to 64-bit code.
 */
#define BOOT_PML5 (__boot_tables)
#define BOOT_PML4 (__boot_tables + 4096)
#define BOOT_PDPT (__boot_tables + 8192)
#define BOOT_PD   (__boot_tables + 12288)

	.section .text.start, "ax"
	.code32
	.balign 4
mb_header:
	.long	0x1badb002
	.long	0x00010000			/* addresses below are valid */
	.long	-(0x1badb002 + 0x00010000)
	.long	mb_header			/* header_addr */
	.long	__load_start			/* load_addr */
	.long	__load_end			/* load_end_addr */
	.long	__stack_top			/* bss_end_addr */
	.long	_start32			/* entry_addr */

	.globl _start
_start:
_start32:
	cli
	mov	$__stack_top, %esp
	mov	%ebx, %esi			/* multiboot info */
	/* Clear the bootstrap tables (4 frames). */
	mov	$__boot_tables, %edi
	xor	%eax, %eax
	mov	$4096, %ecx
	rep stosl
	/* PD: 512 x 2M identity, P|RW|PS. */
	mov	$BOOT_PD, %edi
	mov	$0x83, %eax
	mov	$512, %ecx
1:	mov	%eax, (%edi)
	add	$0x200000, %eax
	add	$8, %edi
	loop	1b
	movl	$(BOOT_PD + 3), BOOT_PDPT
	movl	$(BOOT_PDPT + 3), BOOT_PML4
	movl	$(BOOT_PML4 + 3), BOOT_PML5
	/* la57 on the multiboot command line (mbi.flags bit 2, cmdline at +16)? */
	xor	%ebp, %ebp
	testl	$4, (%esi)
	jz	3f
	mov	16(%esi), %edi
2:	movb	(%edi), %al
	test	%al, %al
	jz	3f
	cmpl	$0x3735616c, (%edi)		/* "la57" */
	je	4f
	inc	%edi
	jmp	2b
4:	mov	$1, %ebp
3:	mov	%ebp, boot_la57
	/* CR4: PAE and PGE (global pages, which pt_flush_tlb_native's
	 * full flush must drop too), plus LA57 when asked. */
	mov	%cr4, %eax
	or	$0xa0, %eax
	test	%ebp, %ebp
	jz	5f
	or	$0x1000, %eax
	mov	%eax, %cr4
	mov	$BOOT_PML5, %eax
	jmp	6f
5:	mov	%eax, %cr4
	mov	$BOOT_PML4, %eax
6:	mov	%eax, %cr3
	/* EFER: LME (8), NXE (11). */
	mov	$0xc0000080, %ecx
	rdmsr
	or	$0x900, %eax
	wrmsr
	/* CR0: PG, WP (supervisor writes obey R/W), PE. */
	mov	%cr0, %eax
	or	$0x80010001, %eax
	mov	%eax, %cr0
	lgdt	gdt_ptr
	ljmp	$0x08, $start64

	.code64
start64:
	mov	$0x10, %ax
	mov	%ax, %ds
	mov	%ax, %es
	mov	%ax, %ss
	mov	%ax, %fs
	mov	%ax, %gs
	mov	$__stack_top, %rsp
	call	x86_init
	call	guest_main
7:	hlt
	jmp	7b

	.balign 8
gdt:
	.quad	0
	.quad	0x00af9a000000ffff		/* 0x08: 64-bit code, DPL0 */
	.quad	0x00cf92000000ffff		/* 0x10: data, DPL0 */
gdt_end:
gdt_ptr:
	.word	gdt_end - gdt - 1
	.long	gdt

	.globl boot_la57
boot_la57:
	.long	0

/* Exception stubs: vector number (and a 0 error code where the CPU pushes
 * none), then one common path that saves every register for C. */
	.globl isr_table
	.balign 8
isr_table:
	.irp	v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.quad	isr\v
	.endr

	.irp	v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
isr\v:
	.if (\v == 8) || (\v >= 10 && \v <= 14) || (\v == 17) || (\v == 21) || (\v == 29) || (\v == 30)
	.else
	push	$0
	.endif
	push	$\v
	jmp	isr_common
	.endr

isr_common:
	push	%rax
	push	%rbx
	push	%rcx
	push	%rdx
	push	%rsi
	push	%rdi
	push	%rbp
	push	%r8
	push	%r9
	push	%r10
	push	%r11
	push	%r12
	push	%r13
	push	%r14
	push	%r15
	mov	%rsp, %rdi
	call	isr_c
	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%r11
	pop	%r10
	pop	%r9
	pop	%r8
	pop	%rbp
	pop	%rdi
	pop	%rsi
	pop	%rdx
	pop	%rcx
	pop	%rbx
	pop	%rax
	add	$16, %rsp
	iretq

/* Probes: leaf functions whose return address stays at (%rsp); on a fault
 * the handler pops it into RIP. */
	.globl probe_ld, probe_st, probe_x
probe_ld:
	mov	(%rdi), %rax
	ret
probe_st:
	mov	%rsi, (%rdi)
	ret
probe_x:
	jmp	*%rdi

	.globl stub_start, stub_end
stub_start:
	mov	$0x5a5a, %eax
	ret
stub_end:
