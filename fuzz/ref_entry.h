/* SPDX-License-Identifier: MIT */
/*
 * ref_entry.h: the reference MMU (ref_walk.h and the family files) asked
 * about one entry instead of one address. ref_entry() runs the family's own
 * walk over a path the caller already holds (the entries from the root down
 * to the one in question, one per lookup) followed by an empty entry, and
 * reads the class off where and how the walk ended:
 * - it translates with the path's last entry: a leaf (PA, size, flags,
 *   state as the walk reports them);
 * - it faults "not present" at that entry: empty;
 * - it faults "reserved" there: corrupt (a reserved encoding);
 * - it goes on and faults "not present" at the empty entry after it: a
 *   table, at the PA that fault names;
 * - it stops at an earlier entry: the ancestors are at fault (REF_ABOVE).
 * Nothing is read from memory and nothing allocated: fuzz_ops judges the
 * entries its own walk reported, under their real ancestors; fuzz_pte
 * judges a lone entry under ancestors ref_table_entry() builds, table
 * descriptors that restrict nothing (no hierarchical permission bits).
 */
#ifndef PT_FUZZ_REF_ENTRY_H
#define PT_FUZZ_REF_ENTRY_H

#include "ref_arm.h"
#include "ref_ept.h"
#include "ref_rv_la.h"
#include "ref_walk.h"
#include "ref_x86.h"

/* The controls each format's regime has (each is a named
 * register bit of that architecture; any other is an unknown control). */
static uint64_t ctl_of(enum pt_arch a)
{
	switch (a) {
	case PT_X86_64:
	case PT_X86_64_LA57:
		return PT_CTL_NXE | PT_CTL_WP | PT_CTL_SMEP | PT_CTL_SMAP | PT_CTL_AC;
	case PT_AARCH64:
	case PT_AARCH64_16K:
	case PT_AARCH64_64K:
		return PT_CTL_PAN | PT_CTL_WXN | PT_CTL_HA | PT_CTL_HD | PT_CTL_HPD;
	case PT_RISCV_SV39:
	case PT_RISCV_SV48:
	case PT_RISCV_SV57:
		return PT_CTL_HA | PT_CTL_HD | PT_CTL_SUM | PT_CTL_MXR;
	case PT_ARMV7:
		return PT_CTL_TRE | PT_CTL_AFE;
	case PT_AARCH64_S2:
		return PT_CTL_HA | PT_CTL_HD;
	case PT_RISCV_SV39X4:
	case PT_RISCV_SV48X4:
	case PT_RISCV_SV57X4: /* henvcfg.ADUE; HS-level sstatus.MXR */
		return PT_CTL_HA | PT_CTL_HD | PT_CTL_MXR;
	default: /* EPT has none libpt models */
		return 0;
	}
}

/* pt_translate is pt_access with libpt's own regime (x86 NXE and
 * WP, hardware A/D, no TEX remap, no AFE), access 0. */
static struct pt_regime own_regime(enum pt_arch a, unsigned feat, uint64_t root)
{
	struct pt_regime r;
	memset(&r, 0, sizeof(r));
	r.arch = a;
	r.features = feat;
	r.root = root;
	r.controls = (PT_CTL_NXE | PT_CTL_WP | PT_CTL_HA | PT_CTL_HD) & ctl_of(a);
	return r;
}

/* The family walk of c's regime; s2_bits: a stage 2's IPA size. */
static void ref_run(struct ref_ctx *c, unsigned s2_bits)
{
	switch (c->r->arch) {
	case PT_X86_64: ref_x86(c, 4); break;
	case PT_X86_64_LA57: ref_x86(c, 5); break;
	case PT_AARCH64:
	case PT_AARCH64_16K:
	case PT_AARCH64_64K: ref_aarch64(c); break;
	case PT_RISCV_SV39: ref_riscv(c, 3); break;
	case PT_RISCV_SV48: ref_riscv(c, 4); break;
	case PT_RISCV_SV57: ref_riscv(c, 5); break;
	case PT_LOONGARCH64: ref_loongarch(c); break;
	case PT_ARMV7: ref_armv7(c); break;
	case PT_AARCH64_S2: ref_aarch64_s2(c, s2_bits); break;
	case PT_X86_64_EPT: ref_ept(c, 4); break;
	case PT_X86_64_EPT5: ref_ept(c, 5); break;
	case PT_RISCV_SV39X4: ref_rvg(c, 3); break;
	case PT_RISCV_SV48X4: ref_rvg(c, 4); break;
	case PT_RISCV_SV57X4: ref_rvg(c, 5); break;
	default: break;
	}
}

/* A table descriptor at pa (aligned to 64 KiB, below 2^32) that restricts
 * nothing below it: x86 P, R/W, U/S; EPT read, write, execute; AArch64
 * stage 1 and 2 0b11 with APTable, XNTable, PXNTable clear; RISC-V V
 * alone (R, W and X clear: a pointer to the next level); LoongArch the
 * bare PA; ARMv7 a page-table descriptor 0b01 with PXN clear. */
static inline uint64_t ref_table_entry(enum pt_arch a, uint64_t pa)
{
	switch (a) {
	case PT_X86_64:
	case PT_X86_64_LA57: return pa | 7;
	case PT_X86_64_EPT:
	case PT_X86_64_EPT5: return pa | 7;
	case PT_AARCH64:
	case PT_AARCH64_16K:
	case PT_AARCH64_64K:
	case PT_AARCH64_S2: return pa | 3;
	case PT_LOONGARCH64: return pa;
	case PT_ARMV7: return pa | 1;
	default: return (pa >> 12) << 10 | RV_V; /* RISC-V, G-stage */
	}
}

enum ref_kind { REF_EMPTY, REF_TABLE, REF_LEAF, REF_CORRUPT, REF_ABOVE };

/* The path ref_entry serves, entry by entry, whatever address the walk
 * reads (read_fn carries no context). */
static struct {
	const uint64_t *e;
	unsigned n, next;
} ref_path;

static inline bool ref_path_read(uint64_t pa, unsigned bytes, uint64_t *v)
{
	(void)pa;
	(void)bytes;
	*v = ref_path.next < ref_path.n ? ref_path.e[ref_path.next] : 0;
	ref_path.next++;
	return true;
}

/*
 * The class of path[n - 1], found at lookup n - 1 (0: the root) of regime r
 * under the ancestors path[0 .. n-2], walking to va (inside the span the
 * path covers; r and va as pt_access takes them, access 0: no permission,
 * access-flag or dirty fault). o: the walk's answer; for REF_LEAF o->m is
 * the mapping at va, for REF_TABLE o->f.table_pa the next table's PA.
 */
static inline enum ref_kind ref_entry(const struct pt_regime *r, uint64_t va, const uint64_t *path,
			       unsigned n, struct ref_out *o)
{
	const struct pt_arch_info *in = pt_arch_info(r->arch);
	struct ref_ctx c = { r, va, 0, ref_path_read, o };
	memset(o, 0, sizeof(*o));
	o->memtype_known = true;
	o->rc = PT_ERR_INVALID;
	ref_path.e = path;
	ref_path.n = n;
	ref_path.next = 0;
	ref_run(&c, r->va_bits ? r->va_bits : in ? in->va_bits : 0);
	if (o->rc == PT_OK)
		return o->reads == n ? REF_LEAF : REF_ABOVE;
	if (o->rc != PT_ERR_FAULT || o->f.kind == PT_FAULT_ADDRESS || o->f.level + 1 < n)
		return REF_ABOVE;
	if (o->f.level == n)
		return o->f.kind == PT_FAULT_NOT_PRESENT ? REF_TABLE : REF_ABOVE;
	return o->f.kind == PT_FAULT_NOT_PRESENT ? REF_EMPTY
	       : o->f.kind == PT_FAULT_RESERVED  ? REF_CORRUPT
						 : REF_ABOVE;
}

#endif /* PT_FUZZ_REF_ENTRY_H */
