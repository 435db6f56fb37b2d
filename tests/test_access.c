/* SPDX-License-Identifier: MIT */
/*
 * pt_access against the architecture manuals: tables written entry by
 * entry, as another OS would, and for each one the answer the manual
 * gives (allowed or the fault, its level, the effective flags). The
 * entries are spelled out in bits here, never made by libpt, so the test
 * does not share libpt's reading of the encodings.
 */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "pt.h"

#define BASE UINT64_C(0x100000) /* PA of frame 0 */
#define NFRAMES 48 /* three 64K tables */
#define TARGET UINT64_C(0x40000000) /* where the leaves point */

static unsigned char mem[NFRAMES * 4096] __attribute__((aligned(4096)));

static void *img_virt(void *ctx, uint64_t pa)
{
	(void)ctx;
	if (pa < BASE || pa - BASE >= sizeof(mem))
		return NULL;
	return mem + (pa - BASE);
}

static const struct pt_mm img_mm = { .phys_to_virt = img_virt };

/* Per format: index shift of each level (root first), entry size, the
 * frame each level's table sits in, and how a table entry holds a PA. */
struct geo {
	unsigned levels, shift[5], bytes, frame[5];
	int pa_kind; /* 0 in place, 1 RISC-V PPN at bit 10 */
};

static struct geo geo_of(enum pt_arch a)
{
	switch (a) {
	/* G-stage: a 16 KiB root (frames 0-3), 2048 entries. */
	case PT_RISCV_SV39X4:
		return (struct geo){ 3, { 30, 21, 12 }, 8, { 0, 4, 5 }, 1 };
	case PT_RISCV_SV48X4:
		return (struct geo){ 4, { 39, 30, 21, 12 }, 8, { 0, 4, 5, 6 }, 1 };
	case PT_RISCV_SV57X4:
		return (struct geo){ 5, { 48, 39, 30, 21, 12 }, 8, { 0, 4, 5, 6, 7 }, 1 };
	case PT_X86_64_EPT5:
	case PT_X86_64_LA57:
	case PT_RISCV_SV57:
		return (struct geo){ 5, { 48, 39, 30, 21, 12 }, 8, { 0, 1, 2, 3, 4 }, a == PT_RISCV_SV57 };
	case PT_RISCV_SV39:
		return (struct geo){ 3, { 30, 21, 12 }, 8, { 0, 1, 2 }, 1 };
	case PT_ARMV7:
		return (struct geo){ 2, { 20, 12 }, 4, { 0, 4 }, 0 };
	/* The granules: tables of one granule (16K: frames 0, 4, 8, 12; 64K:
	 * 0, 16, 32), a 2- and a 64-entry root. */
	case PT_AARCH64_16K:
		return (struct geo){ 4, { 47, 36, 25, 14 }, 8, { 0, 4, 8, 12 }, 0 };
	case PT_AARCH64_64K:
		return (struct geo){ 3, { 42, 29, 16 }, 8, { 0, 16, 32 }, 0 };
	case PT_AARCH64_S2: /* 40-bit IPA: Arm levels 1..3, a root of two frames */
		return (struct geo){ 3, { 30, 21, 12 }, 8, { 0, 2, 3 }, 0 };
	default:
		return (struct geo){ 4, { 39, 30, 21, 12 }, 8, { 0, 1, 2, 3 }, a == PT_RISCV_SV48 };
	}
}

/* Write the chain of entries e[0..n-1] (root first) along va's path: each
 * entry but the last gets the next level's table PA ORed in. */
static void chain(enum pt_arch a, uint64_t va, const uint64_t *e, unsigned n)
{
	const struct geo g = geo_of(a);
	memset(mem, 0, sizeof(mem));
	for (unsigned l = 0; l < n; l++) {
		/* A 16 KiB root (ARMv7, G-stage) has 16 KiB of entries. */
		const uint64_t mask = l == 0 && g.frame[1] == 4 ? 16384 / g.bytes - 1
				      : a == PT_AARCH64_16K ? 2047
				      : a == PT_AARCH64_64K ? 8191
							    : 0x1ff;
		uint64_t v = e[l];
		size_t at = (size_t)g.frame[l] * 4096 + ((va >> g.shift[l]) & mask) * g.bytes;
		if (l + 1 < n) {
			uint64_t next = BASE + (uint64_t)g.frame[l + 1] * 4096;
			v |= g.pa_kind ? (next >> 12) << 10 : next;
		}
		if (g.bytes == 4) {
			uint32_t w = (uint32_t)v;
			memcpy(mem + at, &w, 4);
		} else {
			memcpy(mem + at, &v, 8);
		}
	}
}

struct want {
	int rc;
	enum pt_fault_kind kind; /* with PT_ERR_FAULT */
	unsigned level;
	uint32_t flags;          /* with PT_OK: flags | state */
	uint64_t size;
};

#define OK(fl, sz) { PT_OK, PT_FAULT_NONE, 0, (fl), (sz) }
#define FAULT(k, l) { PT_ERR_FAULT, (k), (l), 0, 0 }

struct acase {
	const char *name;
	enum pt_arch arch;
	unsigned features;
	uint64_t controls, attrs, dir_mask;
	uint64_t va;
	uint64_t e[5];
	unsigned n;
	unsigned access;
	struct want want;
};

#define R PT_ACCESS_READ
#define W PT_ACCESS_WRITE
#define X PT_ACCESS_EXEC
#define U PT_ACCESS_USER
#define K4 PT_SIZE_4K
#define M2 PT_SIZE_2M
#define AC PT_ACCESSED
#define DI PT_DIRTY
#define RWXU (PT_READ | PT_WRITE | PT_EXECUTE | PT_USER)

/* x86: P 1, RW 2, US 4, PWT 8, PCD 0x10, A 0x20, D 0x40, PS 0x80, G 0x100,
 * XD bit 63. Tables P|RW|US = 7 unless a case says otherwise. */
#define XT 7u
#define XLEAF (TARGET | 0x67u) /* P RW US A D */
#define XD (UINT64_C(1) << 63)
#define NXE PT_CTL_NXE
#define WP PT_CTL_WP

/* AArch64: table 3 (APTable 62:61, UXNTable 60, PXNTable 59); page 3 |
 * AttrIndx << 2 | AP[1] 0x40 | AP[2] 0x80 | SH 0x300 | AF 0x400 | nG
 * 0x800 | DBM bit 51 | PXN 53 | UXN 54. */
#define AT 3u
#define AB(n) (UINT64_C(1) << (n))
#define A_USER_RW (TARGET | 3u | 1u << 2 | 0x40 | 0x300 | 0x400 | 0x800 | AB(53)) /* PXN, UXN clear */
#define A_KERN_RW (TARGET | 3u | 1u << 2 | 0x300 | 0x400 | AB(54))
#define A_DBM_CLEAN (TARGET | 3u | 1u << 2 | 0x40 | 0x80 | 0x300 | 0x400 | 0x800 | AB(51) | AB(53))

/* RISC-V: V 1, R 2, W 4, X 8, U 0x10, G 0x20, A 0x40, D 0x80, PPN at 10;
 * N bit 63. */
#define RPPN(pa) (((pa) >> 12) << 10)
#define RLEAF(bits) (RPPN(TARGET) | 1u | (bits))

/* LoongArch: V 1, D 2, PLV 3:2, MAT 5:4 (1 = CC), G/H 0x40, P 0x80, W
 * 0x100, NR 61, NX 62, RPLV 63. */
#define LLEAF(bits) (TARGET | 0x10u | 0x80u | (bits))
#define LDMW UINT64_C(0x9000000000000000)

/* ARMv7: L1 table 1 (PXN bit 2); section 2 (PXN bit 0, B 2, C 3, XN 4,
 * AP 11:10, TEX 14:12, AP[2] 15, S 16, nG 17, supersection 18); small
 * page 2 (XN bit 0, B 2, C 3, AP 5:4, TEX 8:6, AP[2] 9); large page 1
 * (AP 5:4, AP[2] 9, TEX 14:12, XN 15). */
#define V7_SMALL_RW_USER (TARGET | 2u | 0xcu | 3u << 4 | 1u << 6) /* TEX 001 CB 11: WB */
#define V7_LINUX_PRRR UINT64_C(0xff0a81a8)
#define V7_LINUX_NMRR UINT64_C(0x40e040e0)

/* AArch64 stage 2 (Arm ARM D8, FWB off): table 3 (bits 63:59 mean nothing);
 * page 3 | MemAttr << 2 (0b1111 WB 0x3c, 0b0001 Device-nGnRE 0x4, 0b0101
 * NC 0x14) | S2AP read 0x40, write 0x80 | SH 0x300 | AF 0x400 | DBM 51 |
 * XN[1:0] 54:53. */
#define S2T 3u
#define S2_RW (TARGET | 3u | 0x3cu | 0x40u | 0x80u | 0x300u | 0x400u)
#define S2F(fl) { PT_OK, PT_FAULT_NONE, 0, (fl), K4 }
#define S2RWX (PT_READ | PT_WRITE | PT_EXECUTE)
#define S2C(name, ctl, e, acc, w) \
	{ name, PT_AARCH64_S2, 0, (ctl), 0, 0, 0x1000, { S2T, S2T, (e) }, 3, (acc), w }

/* EPT (SDM vol. 3C, EPT translation): R 1, W 2, X 4, memory type 5:3
 * (UC 0, WC 1, WB 6), IPAT 0x40, page 0x80 in a PDE/PDPTE, A 0x100 and
 * D 0x200 with A/D flags. An access needs its right in every entry on the
 * way; execute without mode-based execute control: bit 2 for every fetch;
 * no user/supervisor difference. */
#define ET 7u
#define ELEAF(bits) (TARGET | 6u << 3 | (bits))
#define ERWX (PT_READ | PT_WRITE | PT_EXECUTE)

/* G-stage (privileged spec, hypervisor extension): RISC-V entries, every
 * access checked as a U-mode one. */
#define GT 1u
#define G_URWAD (0x10u | 2u | 4u | 0x40u | 0x80u)

static const struct acase cases[] = {
	/* ---- AArch64 stage 2: S2AP and XN for EL1 and EL0 alike (XNX) ---- */
	S2C("s2 RW page from EL0", 0, S2_RW, U | W, S2F(S2RWX | AC | DI)),
	S2C("s2 S2AP 00: no read", 0, S2_RW & ~UINT64_C(0xc0), R, FAULT(PT_FAULT_PERMISSION, 2)),
	S2C("s2 S2AP 10 write-only: read faults", 0, S2_RW & ~UINT64_C(0x40), U | R,
	    FAULT(PT_FAULT_PERMISSION, 2)),
	S2C("s2 S2AP 10 write-only: write", 0, S2_RW & ~UINT64_C(0x40), W,
	    S2F(PT_WRITE | PT_EXECUTE | AC | DI)),
	S2C("s2 S2AP 01 read-only: write faults", 0, S2_RW & ~UINT64_C(0x80), U | W,
	    FAULT(PT_FAULT_PERMISSION, 2)),
	S2C("s2 XN 10: no fetch at EL1", 0, S2_RW | AB(54), X, FAULT(PT_FAULT_PERMISSION, 2)),
	S2C("s2 XN 10: no fetch at EL0", 0, S2_RW | AB(54), U | X, FAULT(PT_FAULT_PERMISSION, 2)),
	S2C("s2 XN 01: EL0 fetches", 0, S2_RW | AB(53), U | X, S2F(PT_READ | PT_WRITE | AC | DI)),
	S2C("s2 XN 01: EL1 does not", 0, S2_RW | AB(53), X, FAULT(PT_FAULT_PERMISSION, 2)),
	S2C("s2 XN 11: EL1 fetches", 0, S2_RW | AB(53) | AB(54), X, S2F(S2RWX | AC | DI)),
	S2C("s2 XN 11: EL0 does not", 0, S2_RW | AB(53) | AB(54), U | X,
	    FAULT(PT_FAULT_PERMISSION, 2)),
	S2C("s2 AF clear: access-flag fault", 0, S2_RW & ~UINT64_C(0x400), R,
	    FAULT(PT_FAULT_ACCESS_FLAG, 2)),
	S2C("s2 AF clear under HA: the MMU sets it", PT_CTL_HA, S2_RW & ~UINT64_C(0x400), R,
	    S2F(S2RWX | DI)),
	S2C("s2 access flag before permission", 0, S2_RW & ~UINT64_C(0x4c0), W,
	    FAULT(PT_FAULT_ACCESS_FLAG, 2)),
	S2C("s2 DBM clean, no HD: a write is the dirty fault", PT_CTL_HA,
	    (S2_RW & ~UINT64_C(0x80)) | AB(51), W, FAULT(PT_FAULT_DIRTY, 2)),
	S2C("s2 DBM clean, HD: the MMU sets S2AP[1]", PT_CTL_HA | PT_CTL_HD,
	    (S2_RW & ~UINT64_C(0x80)) | AB(51), U | W, S2F(S2RWX | AC)),
	S2C("s2 DBM clean: reads are fine", 0, (S2_RW & ~UINT64_C(0x80)) | AB(51), R,
	    S2F(S2RWX | AC)),
	S2C("s2 HD without HA sets nothing", PT_CTL_HD, (S2_RW & ~UINT64_C(0x80)) | AB(51), W,
	    FAULT(PT_FAULT_DIRTY, 2)),
	S2C("s2 MemAttr 0001: Device", 0, (S2_RW & ~UINT64_C(0x33c)) | 0x4, R,
	    S2F(S2RWX | PT_DEVICE | AC | DI)),
	S2C("s2 MemAttr 0101: Normal NC", 0, (S2_RW & ~UINT64_C(0x3c)) | 0x14, R,
	    S2F(S2RWX | PT_UNCACHED | AC | DI)),
	S2C("s2 MemAttr 1010: write-through is cacheable", 0, (S2_RW & ~UINT64_C(0x3c)) | 0x28, R,
	    S2F(S2RWX | AC | DI)),
	S2C("s2 MemAttr 0100 (Normal, inner 00) is reserved", 0, (S2_RW & ~UINT64_C(0x3c)) | 0x10, R,
	    FAULT(PT_FAULT_RESERVED, 2)),
	S2C("s2 SH 01 is reserved", 0, S2_RW & ~UINT64_C(0x200), R, FAULT(PT_FAULT_RESERVED, 2)),
	{ "s2 stage-1 table bits (APTable, XNTable) mean nothing", PT_AARCH64_S2, 0, 0, 0, 0, 0x1000,
	  { S2T | AB(59) | AB(60) | AB(61) | AB(62), S2T, S2_RW }, 3, U | W | X,
	  S2F(S2RWX | AC | DI) },
	{ "s2 1G block at Arm level 1 (the root)", PT_AARCH64_S2, 0, 0, 0, 0, 0x1000,
	  { (S2_RW & ~UINT64_C(2)) | AB(54) }, 1, R,
	  { PT_OK, PT_FAULT_NONE, 0, PT_READ | PT_WRITE | AC | DI, PT_SIZE_1G } },
	{ "s2 IPA past 40 bits", PT_AARCH64_S2, 0, 0, 0, 0, UINT64_C(1) << 40, { S2T }, 1, R,
	  FAULT(PT_FAULT_ADDRESS, 0) },
	{ "s2 PAN is no stage-2 control", PT_AARCH64_S2, 0, PT_CTL_PAN, 0, 0, 0x1000,
	  { S2T, S2T, S2_RW }, 3, R, { PT_ERR_INVALID, PT_FAULT_NONE, 0, 0, 0 } },
	{ "s2 reads no MAIR", PT_AARCH64_S2, 0, 0, PT_AARCH64_MAIR, 0, 0x1000, { S2T, S2T, S2_RW }, 3,
	  R, { PT_ERR_INVALID, PT_FAULT_NONE, 0, 0, 0 } },
	/* ---- EPT ---- */
	{ "ept RWX page: every access, any mode", PT_X86_64_EPT, 0, 0, 0, 0, 0x1000,
	  { ET, ET, ET, ELEAF(7) }, 4, U | W, OK(ERWX | AC | DI, K4) },
	{ "ept RWX page: supervisor fetch", PT_X86_64_EPT, 0, 0, 0, 0, 0x1000,
	  { ET, ET, ET, ELEAF(7) }, 4, X, OK(ERWX | AC | DI, K4) },
	{ "ept read-only page: write violates", PT_X86_64_EPT, 0, 0, 0, 0, 0x1000,
	  { ET, ET, ET, ELEAF(1) }, 4, W, FAULT(PT_FAULT_PERMISSION, 3) },
	{ "ept PML4E without W: no write below", PT_X86_64_EPT, 0, 0, 0, 0, 0x1000,
	  { 5, ET, ET, ELEAF(7) }, 4, W, FAULT(PT_FAULT_PERMISSION, 3) },
	{ "ept ... and flags lose WRITE", PT_X86_64_EPT, 0, 0, 0, 0, 0x1000,
	  { 5, ET, ET, ELEAF(7) }, 4, R, OK(PT_READ | PT_EXECUTE | AC | DI, K4) },
	{ "ept PDPTE without X: no fetch", PT_X86_64_EPT, 0, 0, 0, 0, 0x1000,
	  { ET, 3, ET, ELEAF(7) }, 4, X, FAULT(PT_FAULT_PERMISSION, 3) },
	{ "ept execute-only page: fetch", PT_X86_64_EPT, 0, 0, 0, 0, 0x1000,
	  { ET, ET, ET, ELEAF(4) }, 4, X, OK(PT_EXECUTE | AC, K4) },
	{ "ept execute-only page: read violates", PT_X86_64_EPT, 0, 0, 0, 0, 0x1000,
	  { ET, ET, ET, ELEAF(4) }, 4, R, FAULT(PT_FAULT_PERMISSION, 3) },
	{ "ept execute-only PDE is followed", PT_X86_64_EPT, 0, 0, 0, 0, 0x1000,
	  { ET, ET, 4, ELEAF(7) }, 4, R, FAULT(PT_FAULT_PERMISSION, 3) },
	{ "ept write-only page is a misconfiguration", PT_X86_64_EPT, 0, 0, 0, 0, 0x1000,
	  { ET, ET, ET, ELEAF(2) }, 4, R, FAULT(PT_FAULT_RESERVED, 3) },
	{ "ept write/execute PDPTE is a misconfiguration", PT_X86_64_EPT, 0, 0, 0, 0, 0x1000,
	  { ET, 6, ET, ELEAF(7) }, 4, X, FAULT(PT_FAULT_RESERVED, 1) },
	{ "ept memory type 7 is a misconfiguration", PT_X86_64_EPT, 0, 0, 0, 0, 0x1000,
	  { ET, ET, ET, TARGET | 7u << 3 | 7u }, 4, R, FAULT(PT_FAULT_RESERVED, 3) },
	{ "ept bit 7 in the PML4E is reserved", PT_X86_64_EPT, 0, 0, 0, 0, 0x1000,
	  { ET | 0x80, ET, ET, ELEAF(7) }, 4, R, FAULT(PT_FAULT_RESERVED, 0) },
	{ "ept bits 2:0 clear: not present, whatever else", PT_X86_64_EPT, 0, 0, 0, 0, 0x1000,
	  { ET, ET, ET, ELEAF(0x300) }, 4, R, FAULT(PT_FAULT_NOT_PRESENT, 3) },
	{ "ept 2M UC page", PT_X86_64_EPT, 0, 0, 0, 0, 0x1000,
	  { ET, ET, TARGET | 0x80 | 0u << 3 | 3u }, 3, W,
	  OK(PT_READ | PT_WRITE | PT_DEVICE | AC | DI, M2) },
	{ "ept 1G WC page, IPAT", PT_X86_64_EPT, 0, 0, 0, 0, 0x1000,
	  { ET, TARGET | 0x80 | 1u << 3 | 0x40 | 5u }, 2, X,
	  OK(PT_READ | PT_EXECUTE | PT_WC | AC, PT_SIZE_1G) },
	{ "ept A/D: the state is A and D", PT_X86_64_EPT, PT_FEAT_EPT_AD, 0, 0, 0, 0x1000,
	  { ET, ET, ET, ELEAF(3) | 0x100 }, 4, W, OK(PT_READ | PT_WRITE | AC, K4) },
	{ "ept A/D: the CPU sets A, no access-flag fault", PT_X86_64_EPT, PT_FEAT_EPT_AD, 0, 0, 0,
	  0x1000, { ET, ET, ET, ELEAF(1) }, 4, R, OK(PT_READ, K4) },
	{ "ept without A/D: bits 8, 9 ignored", PT_X86_64_EPT, 0, 0, 0, 0, 0x1000,
	  { ET, ET, ET, ELEAF(1) | 0x200 }, 4, R, OK(PT_READ | AC, K4) },
	{ "ept GPA beyond 48 bits", PT_X86_64_EPT, 0, 0, 0, 0, UINT64_C(1) << 48,
	  { ET }, 1, R, FAULT(PT_FAULT_ADDRESS, 0) },
	{ "ept5: a GPA with bit 56 set", PT_X86_64_EPT5, 0, 0, 0, 0, UINT64_C(1) << 56 | 0x1000,
	  { ET, ET, ET, ET, ELEAF(7) }, 5, W, OK(ERWX | AC | DI, K4) },
	/* ---- RISC-V G-stage ---- */
	{ "rvg U page: a VS-mode write is a user access", PT_RISCV_SV39X4, 0, 0, 0, 0, 0x1000,
	  { GT, GT, RLEAF(G_URWAD) }, 3, W, OK(PT_READ | PT_WRITE | AC | DI, K4) },
	{ "rvg U page: a VU-mode write", PT_RISCV_SV39X4, 0, 0, 0, 0, 0x1000,
	  { GT, GT, RLEAF(G_URWAD) }, 3, U | W, OK(PT_READ | PT_WRITE | AC | DI, K4) },
	{ "rvg page without U: a VS-mode read faults", PT_RISCV_SV39X4, 0, 0, 0, 0, 0x1000,
	  { GT, GT, RLEAF(G_URWAD & ~0x10u) }, 3, R, FAULT(PT_FAULT_PERMISSION, 2) },
	{ "rvg page without U: translation only, no rights", PT_RISCV_SV39X4, 0, 0, 0, 0, 0x1000,
	  { GT, GT, RLEAF(G_URWAD & ~0x10u) }, 3, 0, OK(AC | DI, K4) },
	{ "rvg fetch needs X", PT_RISCV_SV39X4, 0, 0, 0, 0, 0x1000,
	  { GT, GT, RLEAF(G_URWAD) }, 3, X, FAULT(PT_FAULT_PERMISSION, 2) },
	{ "rvg HS-level MXR reads an execute-only page", PT_RISCV_SV39X4, 0, PT_CTL_MXR, 0, 0,
	  0x1000, { GT, GT, RLEAF(0x10u | 8u | 0x40u) }, 3, R, OK(PT_EXECUTE | AC, K4) },
	{ "rvg A clear without Svadu", PT_RISCV_SV39X4, 0, 0, 0, 0, 0x1000,
	  { GT, GT, RLEAF(0x10u | 2u) }, 3, R, FAULT(PT_FAULT_ACCESS_FLAG, 2) },
	{ "rvg D clear on a write without Svadu", PT_RISCV_SV39X4, 0, 0, 0, 0, 0x1000,
	  { GT, GT, RLEAF(0x10u | 2u | 4u | 0x40u) }, 3, W, FAULT(PT_FAULT_DIRTY, 2) },
	{ "rvg Svadu sets D", PT_RISCV_SV39X4, 0, PT_CTL_HA | PT_CTL_HD, 0, 0, 0x1000,
	  { GT, GT, RLEAF(0x10u | 2u | 4u) }, 3, W, OK(PT_READ | PT_WRITE, K4) },
	{ "rvg G in a table entry is not used", PT_RISCV_SV39X4, 0, 0, 0, 0, 0x1000,
	  { GT | 0x20u, GT, RLEAF(G_URWAD | 0x20u) }, 3, R, OK(PT_READ | PT_WRITE | AC | DI, K4) },
	{ "rvg U in a table entry is reserved", PT_RISCV_SV39X4, 0, 0, 0, 0, 0x1000,
	  { GT | 0x10u, GT, RLEAF(G_URWAD) }, 3, R, FAULT(PT_FAULT_RESERVED, 0) },
	{ "rvg sv39x4: GPA bit 40 indexes the 2048-entry root", PT_RISCV_SV39X4, 0, 0, 0, 0,
	  UINT64_C(1) << 40 | 0x1000, { GT, GT, RLEAF(G_URWAD) }, 3, R,
	  OK(PT_READ | PT_WRITE | AC | DI, K4) },
	{ "rvg sv39x4: GPA bit 41 is beyond the regime", PT_RISCV_SV39X4, 0, 0, 0, 0,
	  UINT64_C(1) << 41, { GT }, 1, R, FAULT(PT_FAULT_ADDRESS, 0) },
	{ "rvg sv48x4: GPA bit 49, a 1G page", PT_RISCV_SV48X4, 0, 0, 0, 0,
	  UINT64_C(1) << 49 | 0x1000, { GT, RLEAF(G_URWAD) }, 2, R,
	  OK(PT_READ | PT_WRITE | AC | DI, PT_SIZE_1G) },
	{ "rvg sv57x4: GPA bit 58, a 2M page", PT_RISCV_SV57X4, 0, 0, 0, 0,
	  UINT64_C(1) << 58 | 0x1000, { GT, GT, GT, RLEAF(G_URWAD) }, 4, R,
	  OK(PT_READ | PT_WRITE | AC | DI, M2) },
	{ "rvg sv57x4: GPA bit 59 is beyond the regime", PT_RISCV_SV57X4, 0, 0, 0, 0,
	  UINT64_C(1) << 59, { GT }, 1, R, FAULT(PT_FAULT_ADDRESS, 0) },

	/* ---- x86-64: Intel SDM vol. 3A §4.6 ---- */
	{ "x86 user RW page", PT_X86_64, 0, NXE | WP, 0, 0, 0x1000, { XT, XT, XT, XLEAF }, 4, U | W,
	  OK(RWXU | AC | DI, K4) },
	{ "x86 PML4E without RW: no write anywhere below", PT_X86_64, 0, NXE | WP, 0, 0, 0x1000,
	  { 5, XT, XT, XLEAF }, 4, U | W, FAULT(PT_FAULT_PERMISSION, 3) },
	{ "x86 ... and flags lose WRITE", PT_X86_64, 0, NXE | WP, 0, 0, 0x1000, { 5, XT, XT, XLEAF },
	  4, R, OK(PT_READ | PT_EXECUTE | PT_USER | AC | DI, K4) },
	{ "x86 supervisor write without WP ignores RW", PT_X86_64, 0, NXE, 0, 0, 0x1000,
	  { 5, XT, XT, XLEAF }, 4, W, OK(PT_READ | PT_EXECUTE | PT_USER | AC | DI, K4) },
	{ "x86 XD in the PML4E (PTI): no fetch", PT_X86_64, 0, NXE | WP, 0, 0, 0x1000,
	  { XT | XD, XT, XT, XLEAF }, 4, U | X, FAULT(PT_FAULT_PERMISSION, 3) },
	{ "x86 XD without NXE is reserved", PT_X86_64, 0, WP, 0, 0, 0x1000,
	  { XT | XD, XT, XT, XLEAF }, 4, R, FAULT(PT_FAULT_RESERVED, 0) },
	{ "x86 without NXE everything executes", PT_X86_64, 0, WP, 0, 0, 0x1000, { XT, XT, XT, XLEAF },
	  4, U | X, OK(RWXU | AC | DI, K4) },
	{ "x86 PDE without US: a supervisor page", PT_X86_64, 0, NXE | WP, 0, 0, 0x1000,
	  { XT, XT, 3, XLEAF }, 4, U | R, FAULT(PT_FAULT_PERMISSION, 3) },
	{ "x86 SMAP: supervisor read of a user page", PT_X86_64, 0, NXE | WP | PT_CTL_SMAP, 0, 0,
	  0x1000, { XT, XT, XT, XLEAF }, 4, R, FAULT(PT_FAULT_PERMISSION, 3) },
	{ "x86 SMAP with AC", PT_X86_64, 0, NXE | WP | PT_CTL_SMAP | PT_CTL_AC, 0, 0, 0x1000,
	  { XT, XT, XT, XLEAF }, 4, R | W, OK(RWXU | AC | DI, K4) },
	{ "x86 SMEP: supervisor fetch from a user page", PT_X86_64, 0, NXE | WP | PT_CTL_SMEP, 0, 0,
	  0x1000, { XT, XT, XT, XLEAF }, 4, X, FAULT(PT_FAULT_PERMISSION, 3) },
	{ "x86 PAT entry 1 (PWT) is WC", PT_X86_64, 0, NXE | WP, 0, 0, 0x1000,
	  { XT, XT, XT, XLEAF | 8 }, 4, R, OK(RWXU | PT_WC | AC | DI, K4) },
	{ "x86 PAT entry 1 as the OS set it (WB)", PT_X86_64, 0, NXE | WP, UINT64_C(0x0407050600070606),
	  0, 0x1000, { XT, XT, XT, XLEAF | 8 }, 4, R, OK(RWXU | AC | DI, K4) },
	{ "x86 2M leaf under a read-only PDPTE", PT_X86_64, 0, NXE | WP, 0, 0, 0x200000,
	  { XT, 5, XLEAF | 0x80 }, 3, R, OK(PT_READ | PT_EXECUTE | PT_USER | AC | DI, M2) },
	{ "x86 not present at level 1", PT_X86_64, 0, NXE | WP, 0, 0, 0x1000, { XT, 6 }, 2, R,
	  FAULT(PT_FAULT_NOT_PRESENT, 1) },
	{ "x86 PS in a PML4E is reserved", PT_X86_64, 0, NXE | WP, 0, 0, 0x1000, { 0x87 }, 1, R,
	  FAULT(PT_FAULT_RESERVED, 0) },
	{ "x86 translation only: no check", PT_X86_64, 0, NXE | WP | PT_CTL_SMAP, 0, 0, 0x1000,
	  { 5, XT, XT, XLEAF }, 4, 0, OK(PT_READ | PT_EXECUTE | PT_USER | AC | DI, K4) },
	{ "la57 XD in the PML5E", PT_X86_64_LA57, 0, NXE | WP, 0, 0, 0x1000,
	  { XT | XD, XT, XT, XT, XLEAF }, 5, U | X, FAULT(PT_FAULT_PERMISSION, 4) },

	/* ---- AArch64 EL1&0: Arm ARM D8.4 ---- */
	{ "a64 user RW page", PT_AARCH64, 0, 0, 0, 0, 0x1000, { AT, AT, AT, A_USER_RW }, 4, U | W | X,
	  OK(RWXU | AC | DI, K4) },
	{ "a64 APTable[1]: read-only below", PT_AARCH64, 0, 0, 0, 0, 0x1000,
	  { AT | AB(62), AT, AT, A_USER_RW }, 4, U | W, FAULT(PT_FAULT_PERMISSION, 3) },
	{ "a64 APTable[0]: no EL0 access below", PT_AARCH64, 0, 0, 0, 0, 0x1000,
	  { AT, AT | AB(61), AT, A_USER_RW }, 4, U | R, FAULT(PT_FAULT_PERMISSION, 3) },
	{ "a64 APTable[0] page is EL1's: PAN does not apply", PT_AARCH64, 0, PT_CTL_PAN, 0, 0, 0x1000,
	  { AT, AT | AB(61), AT, A_USER_RW }, 4, R | W, OK(PT_READ | PT_WRITE | AC | DI, K4) },
	{ "a64 PAN: EL1 read of an EL0 page", PT_AARCH64, 0, PT_CTL_PAN, 0, 0, 0x1000,
	  { AT, AT, AT, A_USER_RW }, 4, R, FAULT(PT_FAULT_PERMISSION, 3) },
	{ "a64 EL1 never executes EL0-writable memory", PT_AARCH64, 0, 0, 0, 0, 0x1000,
	  { AT, AT, AT, A_USER_RW & ~AB(53) }, 4, X, FAULT(PT_FAULT_PERMISSION, 3) },
	{ "a64 UXNTable", PT_AARCH64, 0, 0, 0, 0, 0x1000, { AT, AT, AT | AB(60), A_USER_RW }, 4, U | X,
	  FAULT(PT_FAULT_PERMISSION, 3) },
	{ "a64 HPD ignores the table bits", PT_AARCH64, 0, PT_CTL_HPD, 0, 0, 0x1000,
	  { AT | AB(62) | AB(61) | AB(60), AT, AT, A_USER_RW }, 4, U | W | X, OK(RWXU | AC | DI, K4) },
	{ "a64 PXNTable", PT_AARCH64, 0, 0, 0, 0, 0x1000, { AT | AB(59), AT, AT, A_KERN_RW & ~AB(53) },
	  4, X, FAULT(PT_FAULT_PERMISSION, 3) },
	{ "a64 WXN: writable is not executable", PT_AARCH64, 0, PT_CTL_WXN, 0, 0, 0x1000,
	  { AT, AT, AT, A_KERN_RW }, 4, X, FAULT(PT_FAULT_PERMISSION, 3) },
	{ "a64 kernel page executes without WXN", PT_AARCH64, 0, 0, 0, 0, 0x1000,
	  { AT, AT, AT, A_KERN_RW }, 4, X | W,
	  OK(PT_READ | PT_WRITE | PT_EXECUTE | PT_GLOBAL | AC | DI, K4) },
	{ "a64 AF clear without HA", PT_AARCH64, 0, 0, 0, 0, 0x1000,
	  { AT, AT, AT, A_USER_RW & ~0x400u }, 4, U | R, FAULT(PT_FAULT_ACCESS_FLAG, 3) },
	{ "a64 AF clear before a permission fault", PT_AARCH64, 0, 0, 0, 0, 0x1000,
	  { AT, AT, AT, (A_USER_RW & ~0x400u) | 0x80 }, 4, U | W, FAULT(PT_FAULT_ACCESS_FLAG, 3) },
	{ "a64 AF clear with HA", PT_AARCH64, 0, PT_CTL_HA, 0, 0, 0x1000,
	  { AT, AT, AT, A_USER_RW & ~0x400u }, 4, U | R, OK(RWXU | DI, K4) },
	{ "a64 DBM clean page: write without HD", PT_AARCH64, 0, PT_CTL_HA, 0, 0, 0x1000,
	  { AT, AT, AT, A_DBM_CLEAN }, 4, U | W, FAULT(PT_FAULT_DIRTY, 3) },
	{ "a64 DBM clean page: write with HD", PT_AARCH64, 0, PT_CTL_HA | PT_CTL_HD, 0, 0, 0x1000,
	  { AT, AT, AT, A_DBM_CLEAN }, 4, U | W, OK(RWXU | AC, K4) },
	{ "a64 DBM under APTable[1] is read-only", PT_AARCH64, 0, PT_CTL_HA | PT_CTL_HD, 0, 0, 0x1000,
	  { AT | AB(62), AT, AT, A_DBM_CLEAN }, 4, U | W, FAULT(PT_FAULT_PERMISSION, 3) },
	{ "a64 MAIR from the OS: index 1 Device-nGnRE", PT_AARCH64, 0, 0, UINT64_C(0x000000ff440c0400), 0,
	  0x1000, { AT, AT, AT, A_USER_RW }, 4, U | R, OK(RWXU | PT_DEVICE | AC | DI, K4) },
	{ "a64 MAIR: index 1 Normal NC", PT_AARCH64, 0, 0, UINT64_C(0x4400), 0, 0x1000,
	  { AT, AT, AT, A_USER_RW }, 4, U | R, OK(RWXU | PT_UNCACHED | AC | DI, K4) },
	{ "a64 EL0 execute-only (AP[1] clear, UXN clear)", PT_AARCH64, 0, 0, 0, 0, 0x1000,
	  { AT, AT, AT, A_KERN_RW & ~AB(54) }, 4, U | X, OK(PT_READ | PT_WRITE | PT_EXECUTE | PT_GLOBAL | AC | DI, K4) },
	{ "a64 TTBR1 half", PT_AARCH64, PT_FEAT_AARCH64_HIGH, 0, 0, 0, UINT64_C(0xffff000000001000),
	  { AT, AT, AT, A_KERN_RW }, 4, R, OK(PT_READ | PT_WRITE | PT_EXECUTE | PT_GLOBAL | AC | DI, K4) },
	{ "a64 EL2: XNTable", PT_AARCH64, PT_FEAT_AARCH64_EL2, 0, 0, 0, 0x1000,
	  { AT | AB(60), AT, AT, (A_KERN_RW & ~AB(54) & ~0x800u) | 0x40 }, 4, X,
	  FAULT(PT_FAULT_PERMISSION, 3) },
	{ "a64 table with OA bits 48+", PT_AARCH64, 0, 0, 0, 0, 0x1000, { AT | AB(48) }, 1, R,
	  FAULT(PT_FAULT_RESERVED, 0) },

	/* ---- RISC-V: Privileged ISA §4.3 ---- */
	{ "rv user RWX page", PT_RISCV_SV39, 0, 0, 0, 0, 0x1000, { 1, 1, RLEAF(0xde) }, 3, U | W | X,
	  OK(RWXU | AC | DI, K4) },
	{ "rv S-mode read of a U page without SUM", PT_RISCV_SV39, 0, 0, 0, 0, 0x1000,
	  { 1, 1, RLEAF(0xde) }, 3, R, FAULT(PT_FAULT_PERMISSION, 2) },
	{ "rv S-mode read of a U page with SUM", PT_RISCV_SV39, 0, PT_CTL_SUM, 0, 0, 0x1000,
	  { 1, 1, RLEAF(0xde) }, 3, R | W, OK(RWXU | AC | DI, K4) },
	{ "rv S-mode never executes a U page", PT_RISCV_SV39, 0, PT_CTL_SUM, 0, 0, 0x1000,
	  { 1, 1, RLEAF(0xde) }, 3, X, FAULT(PT_FAULT_PERMISSION, 2) },
	{ "rv execute-only page: no read", PT_RISCV_SV48, 0, 0, 0, 0, 0x1000, { 1, 1, 1, RLEAF(0xc8) },
	  4, R, FAULT(PT_FAULT_PERMISSION, 3) },
	{ "rv MXR reads an execute-only page", PT_RISCV_SV48, 0, PT_CTL_MXR, 0, 0, 0x1000,
	  { 1, 1, 1, RLEAF(0xc8) }, 4, R, OK(PT_EXECUTE | AC | DI, K4) },
	{ "rv A clear faults without Svadu", PT_RISCV_SV39, 0, 0, 0, 0, 0x1000, { 1, 1, RLEAF(0x9e) },
	  3, U | R, FAULT(PT_FAULT_ACCESS_FLAG, 2) },
	{ "rv permission before A", PT_RISCV_SV39, 0, 0, 0, 0, 0x1000, { 1, 1, RLEAF(0x1a) }, 3, U | W,
	  FAULT(PT_FAULT_PERMISSION, 2) },
	{ "rv D clear on a store", PT_RISCV_SV39, 0, 0, 0, 0, 0x1000, { 1, 1, RLEAF(0x5e) }, 3, U | W,
	  FAULT(PT_FAULT_DIRTY, 2) },
	{ "rv D clear with Svadu", PT_RISCV_SV39, 0, PT_CTL_HA | PT_CTL_HD, 0, 0, 0x1000,
	  { 1, 1, RLEAF(0x5e) }, 3, U | W, OK(RWXU | AC, K4) },
	{ "rv G in a table entry: global below", PT_RISCV_SV39, 0, 0, 0, 0, 0x1000,
	  { 1 | 0x20, 1, RLEAF(0xce) }, 3, R, OK(PT_READ | PT_WRITE | PT_EXECUTE | PT_GLOBAL | AC | DI, K4) },
	{ "rv Svnapot 64K", PT_RISCV_SV39, 0, 0, 0, 0, 0x18000, { 1, 1, RLEAF(0xce) | RPPN(0x8000) | AB(63) },
	  3, R, OK(PT_READ | PT_WRITE | PT_EXECUTE | AC | DI, UINT64_C(0x10000)) },
	{ "rv N with another PPN[3:0] is reserved", PT_RISCV_SV39, 0, 0, 0, 0, 0x1000,
	  { 1, 1, RLEAF(0xce) | RPPN(0x4000) | AB(63) }, 3, R, FAULT(PT_FAULT_RESERVED, 2) },
	{ "rv W without R is reserved", PT_RISCV_SV39, 0, 0, 0, 0, 0x1000, { 1, 1, RLEAF(0xc4) }, 3, 0,
	  FAULT(PT_FAULT_RESERVED, 2) },
	{ "rv PBMT without Svpbmt is reserved", PT_RISCV_SV39, 0, 0, 0, 0, 0x1000,
	  { 1, 1, RLEAF(0xce) | AB(62) }, 3, R, FAULT(PT_FAULT_RESERVED, 2) },
	{ "rv PBMT IO with Svpbmt", PT_RISCV_SV39, PT_FEAT_RISCV_SVPBMT, 0, 0, 0, 0x1000,
	  { 1, 1, RLEAF(0xce) | AB(62) }, 3, R,
	  OK(PT_READ | PT_WRITE | PT_EXECUTE | PT_DEVICE | AC | DI, K4) },

	/* ---- LoongArch: manual vol. 1 §5.4, §7.5 ---- */
	{ "la user page", PT_LOONGARCH64, 0, 0, 0, 0, 0x1000, { 0, 0, 0, LLEAF(0x10f) }, 4, U | W | X,
	  OK(RWXU | AC | DI, K4) },
	{ "la V clear with P: accessed clear", PT_LOONGARCH64, 0, 0, 0, 0, 0x1000,
	  { 0, 0, 0, LLEAF(0x10e) }, 4, U | R, FAULT(PT_FAULT_ACCESS_FLAG, 3) },
	{ "la neither V nor P", PT_LOONGARCH64, 0, 0, 0, 0, 0x1000, { 0, 0, 0, TARGET | 0x10e }, 4, R,
	  FAULT(PT_FAULT_NOT_PRESENT, 3) },
	{ "la PLV0 page from user mode", PT_LOONGARCH64, 0, 0, 0, 0, 0x1000, { 0, 0, 0, LLEAF(0x103) },
	  4, U | R, FAULT(PT_FAULT_PERMISSION, 3) },
	{ "la RPLV: a PLV3 page only for PLV3", PT_LOONGARCH64, 0, 0, 0, 0, 0x1000,
	  { 0, 0, 0, LLEAF(0x10f) | AB(63) }, 4, R, FAULT(PT_FAULT_PERMISSION, 3) },
	{ "la NR", PT_LOONGARCH64, 0, 0, 0, 0, 0x1000, { 0, 0, 0, LLEAF(0x10f) | AB(61) }, 4, U | R,
	  FAULT(PT_FAULT_PERMISSION, 3) },
	{ "la NX", PT_LOONGARCH64, 0, 0, 0, 0, 0x1000, { 0, 0, 0, LLEAF(0x10f) | AB(62) }, 4, U | X,
	  FAULT(PT_FAULT_PERMISSION, 3) },
	{ "la W without D: dirty fault", PT_LOONGARCH64, 0, 0, 0, 0, 0x1000, { 0, 0, 0, LLEAF(0x10d) },
	  4, U | W, FAULT(PT_FAULT_DIRTY, 3) },
	{ "la directories in a DMW (Linux)", PT_LOONGARCH64, 0, 0, 0, UINT64_C(0x0000ffffffffffff), 0x1000,
	  { LDMW, LDMW, LDMW, LLEAF(0x10f) }, 4, U | R, OK(RWXU | AC | DI, K4) },
	{ "la a DMW directory without dir_mask", PT_LOONGARCH64, 0, 0, 0, 0, 0x1000,
	  { LDMW, LDMW, LDMW, LLEAF(0x10f) }, 4, R, FAULT(PT_FAULT_RESERVED, 0) },

	/* ---- ARMv7 short descriptors: Arm ARM v7-A B3.5-B3.8 ---- */
	{ "v7 small page, user RW", PT_ARMV7, 0, 0, 0, 0, 0x1000, { 1, V7_SMALL_RW_USER }, 2, U | W | X,
	  OK(RWXU | PT_GLOBAL | AC | DI, K4) },
	{ "v7 large page 64K", PT_ARMV7, 0, 0, 0, 0, 0x11000,
	  { 1, (TARGET | 1u | 0xcu | 3u << 4 | 1u << 12) }, 2, U | W,
	  OK(RWXU | PT_GLOBAL | AC | DI, UINT64_C(0x10000)) },
	{ "v7 large page XN (bit 15)", PT_ARMV7, 0, 0, 0, 0, 0x1000,
	  { 1, (TARGET | 1u | 0xcu | 3u << 4 | 1u << 12 | 1u << 15) }, 2, U | X,
	  FAULT(PT_FAULT_PERMISSION, 1) },
	{ "v7 supersection 16M", PT_ARMV7, 0, 0, 0, 0, 0x1234000,
	  { TARGET | 2u | 0xcu | 1u << 10 | 1u << 12 | 1u << 18 }, 1, R,
	  OK(PT_READ | PT_WRITE | PT_EXECUTE | PT_GLOBAL | AC | DI, UINT64_C(0x1000000)) },
	{ "v7 PXN section: no PL1 fetch", PT_ARMV7, 0, 0, 0, 0, 0x1000,
	  { TARGET | 3u | 0xcu | 1u << 10 | 1u << 12 }, 1, X, FAULT(PT_FAULT_PERMISSION, 0) },
	{ "v7 PXN in the L1 table pointer", PT_ARMV7, 0, 0, 0, 0, 0x1000,
	  { 1 | 4, V7_SMALL_RW_USER & ~(2u << 4) }, 2, X, FAULT(PT_FAULT_PERMISSION, 1) },
	{ "v7 AP 000: no access", PT_ARMV7, 0, 0, 0, 0, 0x1000, { 1, V7_SMALL_RW_USER & ~(3u << 4) }, 2,
	  R, FAULT(PT_FAULT_PERMISSION, 1) },
	{ "v7 AP 010: PL1 RW, user RO", PT_ARMV7, 0, 0, 0, 0, 0x1000,
	  { 1, V7_SMALL_RW_USER & ~(1u << 4) }, 2, U | W, FAULT(PT_FAULT_PERMISSION, 1) },
	{ "v7 AP 100 is reserved", PT_ARMV7, 0, 0, 0, 0, 0x1000,
	  { 1, (V7_SMALL_RW_USER & ~(3u << 4)) | 1u << 9 }, 2, R, FAULT(PT_FAULT_RESERVED, 1) },
	{ "v7 AFE: AP[0] clear is an access-flag fault", PT_ARMV7, 0, PT_CTL_AFE, 0, 0, 0x1000,
	  { 1, V7_SMALL_RW_USER & ~(1u << 4) }, 2, U | R, FAULT(PT_FAULT_ACCESS_FLAG, 1) },
	{ "v7 AFE: AP[2:1] 01 is user RW", PT_ARMV7, 0, PT_CTL_AFE, 0, 0, 0x1000,
	  { 1, V7_SMALL_RW_USER }, 2, U | W, OK(RWXU | PT_GLOBAL | AC | DI, K4) },
	{ "v7 TEX remap, Linux's PRRR/NMRR: index 0 strongly ordered", PT_ARMV7, 0, PT_CTL_TRE,
	  V7_LINUX_PRRR | V7_LINUX_NMRR << 32, 0, 0x1000, { 1, (TARGET | 2u | 3u << 4) }, 2, R,
	  OK(RWXU | PT_DEVICE | PT_GLOBAL | AC | DI, K4) },
	{ "v7 TEX remap: index 1 (B) normal non-cacheable", PT_ARMV7, 0, PT_CTL_TRE,
	  V7_LINUX_PRRR | V7_LINUX_NMRR << 32, 0, 0x1000, { 1, (TARGET | 2u | 4u | 3u << 4) }, 2, R,
	  OK(RWXU | PT_UNCACHED | PT_GLOBAL | AC | DI, K4) },
	{ "v7 TEX remap: index 3 (C B) cacheable, TEX[2:1] the OS's", PT_ARMV7, 0, PT_CTL_TRE,
	  V7_LINUX_PRRR | V7_LINUX_NMRR << 32, 0, 0x1000, { 1, (TARGET | 2u | 0xcu | 3u << 4 | 6u << 6) },
	  2, R, OK(RWXU | PT_GLOBAL | AC | DI, K4) },
	{ "v7 TEX 001 C 1 B 0 is IMPLEMENTATION DEFINED, not reserved", PT_ARMV7, 0, 0, 0, 0, 0x1000,
	  { 1, (TARGET | 2u | 8u | 3u << 4 | 1u << 6) }, 2, R, OK(RWXU | PT_GLOBAL | AC | DI, K4) },
	{ "v7 TEX 011 is reserved without remap", PT_ARMV7, 0, 0, 0, 0, 0x1000,
	  { 1, (TARGET | 2u | 3u << 4 | 3u << 6) }, 2, R, FAULT(PT_FAULT_RESERVED, 1) },
};

static void run_case(const struct acase *c)
{
	const struct pt_regime r = { c->arch, c->features, 0, BASE, c->attrs, c->controls, c->dir_mask, 0 };
	struct pt_mapping m;
	struct pt_fault f;
	int rc;
	snprintf(check_ctx, sizeof(check_ctx), "%s", c->name);
	chain(c->arch, c->va, c->e, c->n);
	memset(&f, 0x5a, sizeof(f));
	rc = pt_access(&r, &img_mm, c->va, c->access, &m, &f);
	CHECK_EQ(rc, c->want.rc);
	if (rc == PT_ERR_FAULT && c->want.rc == PT_ERR_FAULT) {
		CHECK_EQ(f.kind, c->want.kind);
		CHECK_EQ(f.level, c->want.level);
		CHECK_EQ(f.stage, 1);
	}
	if (rc == PT_OK && c->want.rc == PT_OK) {
		CHECK_EQ(f.kind, PT_FAULT_NONE);
		CHECK_EQ(m.flags | m.state, c->want.flags);
		CHECK_EQ(m.size, c->want.size);
		CHECK_EQ(m.pa, (TARGET & ~(m.size - 1)) | (c->va & (m.size - 1)));
	}
}

/* Arguments pt_access refuses before reading anything. */
static void bad_arguments(void)
{
	struct pt_regime r = { PT_X86_64, 0, 0, BASE, 0, PT_CTL_NXE, 0, 0 };
	struct pt_mapping m;
	struct pt_fault f;
	snprintf(check_ctx, sizeof(check_ctx), "bad arguments");
	chain(PT_X86_64, 0x1000, (const uint64_t[]){ XT, XT, XT, XLEAF }, 4);
	CHECK_EQ(pt_access(&r, &img_mm, 0x1000, R, &m, &f), PT_OK);
	CHECK_EQ(pt_access(NULL, &img_mm, 0x1000, R, &m, &f), PT_ERR_INVALID);
	CHECK_EQ(pt_access(&r, NULL, 0x1000, R, &m, &f), PT_ERR_INVALID);
	CHECK_EQ(pt_access(&r, &img_mm, 0x1000, R, NULL, &f), PT_ERR_INVALID);
	CHECK_EQ(pt_access(&r, &img_mm, 0x1000, 16, &m, &f), PT_ERR_INVALID);
	CHECK_EQ(pt_access(&r, &img_mm, 0x1000, R, &m, NULL), PT_OK);
	r.controls = PT_CTL_PAN; /* not an x86 control */
	CHECK_EQ(pt_access(&r, &img_mm, 0x1000, R, &m, &f), PT_ERR_INVALID);
	r.controls = UINT64_C(1) << 40;
	CHECK_EQ(pt_access(&r, &img_mm, 0x1000, R, &m, &f), PT_ERR_INVALID);
	r.controls = PT_CTL_NXE;
	r.attrs = UINT64_C(0x0407050600070206); /* PAT type 2 is reserved */
	CHECK_EQ(pt_access(&r, &img_mm, 0x1000, R, &m, &f), PT_ERR_INVALID);
	r.attrs = 0;
	r.dir_mask = 0xfff;
	CHECK_EQ(pt_access(&r, &img_mm, 0x1000, R, &m, &f), PT_ERR_INVALID);
	r.dir_mask = 0;
	r.va_bits = 39;
	CHECK_EQ(pt_access(&r, &img_mm, 0x1000, R, &m, &f), PT_ERR_INVALID);
	r.va_bits = 48;
	CHECK_EQ(pt_access(&r, &img_mm, 0x1000, R, &m, &f), PT_OK);
	r.root = BASE + 8;
	CHECK_EQ(pt_access(&r, &img_mm, 0x1000, R, &m, &f), PT_ERR_INVALID);
	r.root = BASE;
	r.arch = PT_ARCH_COUNT;
	CHECK_EQ(pt_access(&r, &img_mm, 0x1000, R, &m, &f), PT_ERR_INVALID);
	r.arch = PT_RISCV_SV39;
	r.va_bits = 0;
	r.controls = PT_CTL_HA | PT_CTL_HD;
	CHECK_EQ(pt_access(&r, &img_mm, 0x1000, R, &m, &f), PT_ERR_FAULT);
	r.controls = PT_CTL_HA; /* Svadu sets both or neither */
	CHECK_EQ(pt_access(&r, &img_mm, 0x1000, R, &m, &f), PT_ERR_INVALID);
	r.controls = PT_CTL_HD;
	CHECK_EQ(pt_access(&r, &img_mm, 0x1000, R, &m, &f), PT_ERR_INVALID);
	r.arch = PT_ARMV7;
	r.controls = PT_CTL_TRE;
	r.attrs = 3; /* PRRR TR0 = 0b11 is reserved */
	CHECK_EQ(pt_access(&r, &img_mm, 0x1000, R, &m, &f), PT_ERR_INVALID);
	/* The CPU's PA width: an address at or above it is reserved where
	 * the entry holds it (x86 MAXPHYADDR; AArch64 address size). */
	r = (struct pt_regime){ PT_X86_64, 0, 0, BASE, 0, PT_CTL_NXE, 0, 40 };
	chain(PT_X86_64, 0x1000, (const uint64_t[]){ XT, XT, XT, XLEAF }, 4);
	CHECK_EQ(pt_access(&r, &img_mm, 0x1000, R, &m, &f), PT_OK);
	chain(PT_X86_64, 0x1000, (const uint64_t[]){ XT, XT | UINT64_C(1) << 40, XT, XLEAF }, 4);
	CHECK_EQ(pt_access(&r, &img_mm, 0x1000, R, &m, &f), PT_ERR_FAULT);
	CHECK(f.kind == PT_FAULT_RESERVED && f.level == 1);
	chain(PT_X86_64, 0x1000, (const uint64_t[]){ XT, XT, XT, XLEAF | UINT64_C(1) << 45 }, 4);
	CHECK_EQ(pt_access(&r, &img_mm, 0x1000, R, &m, &f), PT_ERR_FAULT);
	CHECK(f.kind == PT_FAULT_RESERVED && f.level == 3);
	r.pa_bits = 0; /* the format's 52 bits */
	CHECK_EQ(pt_access(&r, &img_mm, 0x1000, R, &m, &f), PT_OK);
	r.pa_bits = 53;
	CHECK_EQ(pt_access(&r, &img_mm, 0x1000, R, &m, &f), PT_ERR_INVALID);
	/* Stage 2: EPT takes no control or attribute register; G-stage no
	 * SUM (every access is a user one), and a 16 KiB aligned root. */
	r = (struct pt_regime){ PT_X86_64_EPT, 0, 0, BASE, 0, 0, 0, 0 };
	chain(PT_X86_64_EPT, 0x1000, (const uint64_t[]){ ET, ET, ET, ELEAF(7) }, 4);
	CHECK_EQ(pt_access(&r, &img_mm, 0x1000, R, &m, &f), PT_OK);
	r.controls = PT_CTL_NXE;
	CHECK_EQ(pt_access(&r, &img_mm, 0x1000, R, &m, &f), PT_ERR_INVALID);
	r.controls = 0;
	r.attrs = PT_X86_PAT;
	CHECK_EQ(pt_access(&r, &img_mm, 0x1000, R, &m, &f), PT_ERR_INVALID);
	r.attrs = 0;
	r.features = PT_FEAT_RISCV_SVPBMT;
	CHECK_EQ(pt_access(&r, &img_mm, 0x1000, R, &m, &f), PT_ERR_INVALID);
	r = (struct pt_regime){ PT_RISCV_SV39X4, 0, 0, BASE, 0, 0, 0, 0 };
	chain(PT_RISCV_SV39X4, 0x1000, (const uint64_t[]){ GT, GT, RLEAF(G_URWAD) }, 3);
	CHECK_EQ(pt_access(&r, &img_mm, 0x1000, R, &m, &f), PT_OK);
	r.controls = PT_CTL_SUM;
	CHECK_EQ(pt_access(&r, &img_mm, 0x1000, R, &m, &f), PT_ERR_INVALID);
	r.controls = PT_CTL_HD;
	CHECK_EQ(pt_access(&r, &img_mm, 0x1000, R, &m, &f), PT_ERR_INVALID);
	r.controls = 0;
	r.root = BASE + 0x1000;
	CHECK_EQ(pt_access(&r, &img_mm, 0x1000, R, &m, &f), PT_ERR_INVALID);
	/* A VA outside the regime is a fault at the root, not an error. */
	r = (struct pt_regime){ PT_X86_64, 0, 0, BASE, 0, PT_CTL_NXE, 0, 0 };
	CHECK_EQ(pt_access(&r, &img_mm, UINT64_C(1) << 50, R, &m, &f), PT_ERR_FAULT);
	CHECK_EQ(f.kind, PT_FAULT_ADDRESS);
	/* A table outside what phys_to_virt serves. */
	chain(PT_X86_64, 0x1000, (const uint64_t[]){ XT }, 1);
	memcpy(mem + 8, &(uint64_t){ UINT64_C(0x7000000) | XT }, 8);
	CHECK_EQ(pt_access(&r, &img_mm, UINT64_C(1) << 39, R, &m, &f), PT_ERR_FAULT);
	CHECK_EQ(f.kind, PT_FAULT_BUS);
	CHECK_EQ(f.level, 1);
	CHECK_EQ(f.table_pa, UINT64_C(0x7000000));
}

/* Stage 2 at other IPA sizes through the regime's va_bits: 48 bits walks
 * four levels from Arm level 0; 32 bits two from Arm level 2, the root
 * four concatenated tables indexed as one (IPA bits 31:21). */
static void stage2_widths(void)
{
	struct pt_regime r = { PT_AARCH64_S2, 0, 48, BASE, 0, 0, 0, 0 };
	struct pt_mapping m;
	struct pt_fault f;
	const uint64_t va = UINT64_C(0x812345000); /* 32G + ... */
	snprintf(check_ctx, sizeof(check_ctx), "stage 2 widths");
	chain(PT_AARCH64, va, (const uint64_t[]){ S2T, S2T, S2T, S2_RW }, 4);
	CHECK_EQ(pt_access(&r, &img_mm, va, R | W, &m, &f), PT_OK);
	CHECK_EQ(m.pa, TARGET);
	CHECK_EQ(pt_access(&r, &img_mm, UINT64_C(1) << 48, R, &m, &f), PT_ERR_FAULT);
	CHECK_EQ(f.kind, PT_FAULT_ADDRESS);
	/* Three levels would read the level-0 table as level 1: no longer
	 * this answer. */
	r.va_bits = 0;
	CHECK(pt_access(&r, &img_mm, va, R, &m, &f) != PT_OK || m.pa != TARGET);
	r.va_bits = 31;
	CHECK_EQ(pt_access(&r, &img_mm, va, R, &m, &f), PT_ERR_INVALID);
	r.va_bits = 49;
	CHECK_EQ(pt_access(&r, &img_mm, va, R, &m, &f), PT_ERR_INVALID);
	/* 32 bits: the entry for IPA 0xc0200000 is number 0x601 of the
	 * root, in its fourth frame; its table in frame 4. */
	{
		const uint64_t ipa = UINT64_C(0xc0201000), tbl = BASE + 4 * 4096;
		const uint64_t e0 = tbl | S2T, e1 = S2_RW;
		memset(mem, 0, sizeof(mem));
		memcpy(mem + 0x601 * 8, &e0, 8);
		memcpy(mem + 4 * 4096 + 1 * 8, &e1, 8);
		r.va_bits = 32;
		CHECK_EQ(pt_access(&r, &img_mm, ipa, U | W | X, &m, &f), PT_OK);
		CHECK_EQ(m.pa, TARGET);
		CHECK_EQ(m.size, K4);
		CHECK_EQ(pt_access(&r, &img_mm, UINT64_C(1) << 32, R, &m, &f), PT_ERR_FAULT);
		CHECK_EQ(f.kind, PT_FAULT_ADDRESS);
		/* A root of four frames must be aligned to 16 KiB. */
		r.root = BASE + 4096;
		CHECK_EQ(pt_access(&r, &img_mm, ipa, R, &m, &f), PT_ERR_INVALID);
		r.root = BASE;
		/* A 2M block in the root. */
		memcpy(mem + 0x601 * 8, &(uint64_t){ (S2_RW & ~UINT64_C(2)) | UINT64_C(0x200000) }, 8);
		CHECK_EQ(pt_access(&r, &img_mm, ipa, R, &m, &f), PT_OK);
		CHECK_EQ(m.size, M2);
		CHECK_EQ(m.pa, TARGET | UINT64_C(0x201000));
	}
}

/* pt_translate is pt_access with libpt's own regime and no check. */
static void translate_is_access(void)
{
	struct pt_mapping m;
	snprintf(check_ctx, sizeof(check_ctx), "pt_translate");
	chain(PT_X86_64, 0x1000, (const uint64_t[]){ XT | XD, 5, XT, XLEAF }, 4);
	CHECK_EQ(pt_translate(PT_X86_64, 0, BASE, &img_mm, 0x1000, &m), PT_OK);
	CHECK_EQ(m.flags, PT_READ | PT_USER); /* effective: no write, no execute */
	chain(PT_X86_64, 0x1000, (const uint64_t[]){ XT, XT, 6 }, 3);
	CHECK_EQ(pt_translate(PT_X86_64, 0, BASE, &img_mm, 0x1000, &m), PT_ERR_NOT_MAPPED);
	chain(PT_X86_64, 0x1000, (const uint64_t[]){ 0x87 }, 1);
	CHECK_EQ(pt_translate(PT_X86_64, 0, BASE, &img_mm, 0x1000, &m), PT_ERR_CORRUPT);
	CHECK_EQ(pt_translate(PT_X86_64, 0, BASE, &img_mm, UINT64_C(1) << 50, &m), PT_ERR_INVALID);
	/* Stage 2: effective rights; G-stage with hardware A/D. */
	chain(PT_X86_64_EPT, 0x1000, (const uint64_t[]){ ET, 5, ET, ELEAF(7) }, 4);
	CHECK_EQ(pt_translate(PT_X86_64_EPT, 0, BASE, &img_mm, 0x1000, &m), PT_OK);
	CHECK_EQ(m.flags, PT_READ | PT_EXECUTE);
	chain(PT_X86_64_EPT, 0x1000, (const uint64_t[]){ ET, ET, ET, ELEAF(2) }, 4);
	CHECK_EQ(pt_translate(PT_X86_64_EPT, 0, BASE, &img_mm, 0x1000, &m), PT_ERR_CORRUPT);
	chain(PT_RISCV_SV48X4, 0x1000, (const uint64_t[]){ GT, GT, GT, RLEAF(0x10u | 2u) }, 4);
	CHECK_EQ(pt_translate(PT_RISCV_SV48X4, 0, BASE, &img_mm, 0x1000, &m), PT_OK);
	CHECK_EQ(m.flags, PT_READ);
	CHECK_EQ(m.state, 0);
}

/* pt_regime_decode: one entry as pt_access reads it, no level above. */
static void regime_decode(void)
{
	const struct pt_regime v7 = { PT_ARMV7, 0, 0, 0, 0, 0, 0, 0 };
	const struct pt_regime x86 = { PT_X86_64, 0, 0, 0, 0, PT_CTL_NXE, 0, 0 };
	const uint64_t large = TARGET | 1u | 0xcu | 3u << 4 | 1u << 12;
	struct pt_entry e;
	snprintf(check_ctx, sizeof(check_ctx), "pt_regime_decode");
	CHECK_EQ(pt_pte_decode(PT_ARMV7, 0, 1, large, &e), PT_ERR_CORRUPT); /* libpt never writes it */
	CHECK_EQ(pt_regime_decode(&v7, 1, large, &e), PT_OK);
	CHECK(e.leaf && e.size == UINT64_C(0x10000) && e.pa == TARGET);
	CHECK_EQ(e.flags, RWXU | PT_GLOBAL);
	CHECK_EQ(pt_regime_decode(&v7, 0, 0x1001, &e), PT_OK);
	CHECK(!e.leaf && e.pa == 0x1000);
	CHECK_EQ(pt_regime_decode(&v7, 0, 0, &e), PT_ERR_NOT_MAPPED);
	CHECK_EQ(pt_regime_decode(&v7, 2, 0x1001, &e), PT_ERR_INVALID);
	CHECK_EQ(pt_regime_decode(&x86, 0, XT | XD, &e), PT_OK);
	CHECK(!e.leaf);
	CHECK_EQ(pt_regime_decode(&x86, 3, XLEAF | 8, &e), PT_OK);
	CHECK_EQ(e.flags, RWXU | PT_WC);
	CHECK_EQ(e.state, AC | DI);
}

/* The AArch64 4K cases of one page at 0x1000 again on the 16K granule
 * (the same four entries) and the 64K one (three: a root without table
 * bits in its entry drops out, the levels move up by one): the granules
 * read the same descriptor bits, only the page and the levels differ. */
static void granule_cases(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct acase *c = &cases[i];
		if (c->arch != PT_AARCH64 || c->n != 4 || c->va != 0x1000 ||
		    (c->want.rc == PT_OK && c->want.size != K4))
			continue;
		for (int k = 0; k < 2; k++) {
			struct acase g = *c;
			char name[160];
			g.arch = k ? PT_AARCH64_64K : PT_AARCH64_16K;
			if (k) {
				if (c->e[0] != AT || (c->want.rc == PT_ERR_FAULT && c->want.level == 0))
					continue;
				memmove(g.e, g.e + 1, 3 * sizeof(g.e[0]));
				g.n = 3;
				if (g.want.rc == PT_ERR_FAULT)
					g.want.level--;
			}
			if (g.want.rc == PT_OK)
				g.want.size = k ? PT_SIZE_64K : PT_SIZE_16K;
			snprintf(name, sizeof(name), "%s (%s)", c->name, k ? "64K" : "16K");
			g.name = name;
			run_case(&g);
		}
	}
}

int main(void)
{
	group_begin("access (manual cases)");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case(&cases[i]);
	group_end();
	group_begin("access (AArch64 cases on the 16K and 64K granules)");
	granule_cases();
	group_end();
	group_begin("access (arguments, pt_translate)");
	bad_arguments();
	stage2_widths();
	translate_is_access();
	regime_decode();
	group_end();
	return check_status();
}
