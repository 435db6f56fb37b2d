/* SPDX-License-Identifier: MIT */
/*
 * ref_walk.h: fuzz_translate's reference MMU, written from the architecture
 * manuals and SPEC.md §4/§7/§8, never from arch/ or src/ (a second, independent
 * reading). ref_access(r, va, access, rd, out, fault) answers what
 * pt_access(r, mm, va, access, out, fault) must answer, reading the tables
 * through rd (one entry per level).
 *
 * The families live in ref_x86.h, ref_arm.h (AArch64, ARMv7) and ref_rv_la.h
 * (RISC-V, LoongArch); this file holds what they share: argument checks,
 * faults, memory-type decoders, and the effective-permission vocabulary.
 *
 * Choices the manuals leave to libpt (each argued in fuzz/README.md):
 * - access 0 checks nothing (no permission, access-flag or dirty fault); the
 *   walk still faults on invalid, reserved and unreadable entries.
 * - a permission fault is reported at the leaf's level with the leaf entry,
 *   also when a table level's permission (x86 RW/US/XD, APTable, XNTable)
 *   caused it: hardware reports the final lookup level.
 * - flags are the mapping's effective permissions: USER = user mode may
 *   read it (x86 US at every level, Arm AP[1] and no APTable[0], RISC-V
 *   U, LoongArch PLV 3); READ and WRITE = some privilege may (a page the
 *   kernel may write is writable, what a W+X or writable-alias lint
 *   needs: only ARMv7 AP 010 tells them apart); EXECUTE = user mode may
 *   execute a USER mapping, the kernel any other (the meaning of
 *   EXECUTE in libpt's own Arm encodings: UXN for user pages, PXN for
 *   kernel pages; an AArch64 EL0 execute-only page is not USER, so its
 *   EXECUTE is the kernel's). Mode
 *   controls (x86 WP, SMEP, SMAP; Arm PAN; RISC-V SUM, MXR) shape the
 *   access check, not the flags; controls that change what the page
 *   permits to everyone (WXN, the implicit PXN of EL0-writable pages)
 *   shape both.
 * - memory types the manuals call UNPREDICTABLE or IMPLEMENTATION DEFINED
 *   are not compared (ref_out.memtype_known); Normal memory is UNCACHED
 *   only when inner and outer are both non-cacheable.
 */
#ifndef PT_FUZZ_REF_WALK_H
#define PT_FUZZ_REF_WALK_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "pt.h"

#define REF_MEMTYPES (PT_DEVICE | PT_UNCACHED | PT_WC)

/* Reads an entry of `bytes` at pa; false when the frame is not served. */
typedef bool (*read_fn)(uint64_t pa, unsigned bytes, uint64_t *v);

struct ref_out {
	int rc;
	struct pt_mapping m;
	struct pt_fault f;
	bool memtype_known; /* false: the type is UNPREDICTABLE; compare the rest */
	unsigned reads;     /* entries read */
	uint64_t path[PT_MAX_LEVELS][2]; /* table PA and entry of each read */
};

/* The walk's context: the regime, the access, and the reader. */
struct ref_ctx {
	const struct pt_regime *r;
	uint64_t va;
	unsigned acc;  /* PT_ACCESS_* */
	read_fn rd;
	struct ref_out *o;
};

static inline bool ref_ctl(const struct ref_ctx *c, uint64_t bit)
{
	return (c->r->controls & bit) != 0;
}

static inline bool ref_checks(const struct ref_ctx *c)
{
	return (c->acc & (PT_ACCESS_READ | PT_ACCESS_WRITE | PT_ACCESS_EXEC)) != 0;
}

static inline bool ref_user(const struct ref_ctx *c)
{
	return (c->acc & PT_ACCESS_USER) != 0;
}

static inline int ref_fault(struct ref_ctx *c, enum pt_fault_kind k, unsigned level, uint64_t pte,
			    uint64_t table_pa)
{
	c->o->f.kind = k;
	c->o->f.stage = 1;
	c->o->f.level = level;
	c->o->f.pte = pte;
	c->o->f.table_pa = table_pa;
	c->o->rc = PT_ERR_FAULT;
	return PT_ERR_FAULT;
}

/* One entry; false (and a BUS fault) when its frame is not served. */
static inline bool ref_read(struct ref_ctx *c, unsigned level, uint64_t table_pa, uint64_t idx,
			    unsigned bytes, uint64_t *e)
{
	bool ok = c->rd(table_pa + idx * bytes, bytes, e);
	if (c->o->reads < PT_MAX_LEVELS) {
		c->o->path[c->o->reads][0] = table_pa + idx * bytes;
		c->o->path[c->o->reads][1] = ok ? *e : 0;
	}
	c->o->reads++;
	if (!ok) {
		ref_fault(c, PT_FAULT_BUS, level, 0, table_pa);
		return false;
	}
	return true;
}

static inline int ref_ok(struct ref_ctx *c, uint64_t pa, uint64_t size, uint32_t flags,
			 uint32_t state)
{
	c->o->m.pa = pa;
	c->o->m.size = size;
	c->o->m.flags = flags;
	c->o->m.state = state;
	c->o->rc = PT_OK;
	return PT_OK;
}

/* What each privilege may do with a leaf, after every level and control. */
struct ref_perm {
	bool ur, uw, ux; /* user mode */
	bool pr, pw, px; /* the kernel (privileged mode) */
};

/* The permission check of an access against p. */
static inline bool ref_denied(const struct ref_ctx *c, const struct ref_perm *p)
{
	bool u = ref_user(c);
	if ((c->acc & PT_ACCESS_READ) && !(u ? p->ur : p->pr))
		return true;
	if ((c->acc & PT_ACCESS_WRITE) && !(u ? p->uw : p->pw))
		return true;
	return (c->acc & PT_ACCESS_EXEC) && !(u ? p->ux : p->px);
}

/* Flags of p: what some privilege may do (see the header comment). */
static inline uint32_t ref_perm_flags(const struct ref_perm *p)
{
	uint32_t f = 0;
	f |= p->ur ? PT_USER : 0;
	f |= (p->pr || p->ur) ? PT_READ : 0;
	f |= (p->pw || p->uw) ? PT_WRITE : 0;
	f |= (p->ur ? p->ux : p->px) ? PT_EXECUTE : 0;
	return f;
}

/* ---- Memory-attribute registers ------------------------------------------ */

/* x86 IA32_PAT entry (SDM Vol. 3A §13.12.2, Table 13-10): 0 UC, 1 WC, 4 WT,
 * 5 WP, 6 WB, 7 UC-; 2 and 3 are reserved (WRMSR faults). WB/WT/WP are
 * normal (SPEC §4). */
static inline uint32_t ref_x86_pat_type(uint64_t pat, unsigned idx, bool *known)
{
	unsigned t = (unsigned)(pat >> (8 * idx)) & 0xff;
	switch (t) {
	case 0: return PT_DEVICE;
	case 1: return PT_WC;
	case 7: return PT_UNCACHED;
	case 4: case 5: case 6: return 0;
	default: *known = false; return 0;
	}
}

/* AArch64 MAIR_ELx Attr<n> (Arm ARM D19 MAIR_EL1): 0b0000dd00 Device (any
 * of nGnRnE, nGnRE, nGRE, GRE); 0booooiiii Normal, outer oooo and inner
 * iiii, 0b0100 Non-cacheable. UNCACHED only when both are non-cacheable:
 * any cacheable half makes it normal (Normal memory with mixed
 * cacheability is a defined type; libpt's vocabulary has one
 * non-cacheable type). Inner 0000 is defined only as 0x40 (NC, FEAT_XS),
 * 0xa0 (WT, FEAT_XS), 0xf0 (WB, tagged: FEAT_MTE); the other inner-0000
 * values and Device encodings with low bits set are not compared. */
static inline uint32_t ref_mair_type(uint64_t mair, unsigned idx, bool *known)
{
	unsigned a = (unsigned)(mair >> (8 * idx)) & 0xff, hi = a >> 4, lo = a & 15;
	if (hi == 0) {
		if (lo & 3)
			*known = false;
		return PT_DEVICE;
	}
	if (lo == 0) {
		if (a == 0x40)
			return PT_UNCACHED;
		if (a != 0xa0 && a != 0xf0)
			*known = false;
		return 0;
	}
	return hi == 4 && lo == 4 ? PT_UNCACHED : 0;
}

/* ARMv7 Normal memory with outer and inner cacheability (0 = NC): as
 * AArch64, UNCACHED only when both are non-cacheable. */
static inline uint32_t ref_v7_normal(unsigned outer, unsigned inner, bool *known)
{
	(void)known;
	return outer == 0 && inner == 0 ? PT_UNCACHED : 0;
}

/* ARMv7 short descriptor TEX[2:0], C, B without TEX remap (ARMv7 ARM
 * B3.8.2, Table B3-10). */
static inline uint32_t ref_v7_texcb(unsigned tex, unsigned c, unsigned b, bool *known)
{
	unsigned cb = c << 1 | b;
	if (tex & 4)
		return ref_v7_normal(tex & 3, cb, known);
	switch (tex << 2 | cb) {
	case 0: /* Strongly-ordered */
	case 1: /* Shareable Device */
	case 8: /* 010 00: Non-shareable Device */
		return PT_DEVICE;
	case 2: /* Outer and Inner WT, no WA */
	case 3: /* Outer and Inner WB, no WA */
	case 7: /* 001 11: Outer and Inner WB, WA */
		return 0;
	case 4: /* 001 00: Outer and Inner Non-cacheable */
		return PT_UNCACHED;
	case 6: /* 001 10: IMPLEMENTATION DEFINED: a valid entry, type unknown */
		*known = false;
		return 0;
	default: /* reserved: corrupt (SPEC §4) */
		return UINT32_MAX;
	}
}

/* ARMv7 with SCTLR.TRE (B3.8.3): n = TEX[0]:C:B indexes PRRR.TRn (00
 * Strongly-ordered, 01 Device, 10 Normal, 11 reserved) and NMRR.IRn/ORn
 * (00 NC, 01 WBWA, 10 WT, 11 WB). */
static inline uint32_t ref_v7_remap(uint64_t attrs, unsigned tex, unsigned c, unsigned b,
				    bool *known)
{
	unsigned n = (tex & 1) << 2 | c << 1 | b;
	uint32_t prrr = (uint32_t)attrs, nmrr = (uint32_t)(attrs >> 32);
	unsigned tr = (prrr >> (2 * n)) & 3;
	if (tr == 0 || tr == 1)
		return PT_DEVICE;
	if (tr == 3) {
		*known = false;
		return 0;
	}
	return ref_v7_normal((nmrr >> (16 + 2 * n)) & 3, (nmrr >> (2 * n)) & 3, known);
}

#endif /* PT_FUZZ_REF_WALK_H */
