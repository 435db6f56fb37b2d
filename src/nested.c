/* SPDX-License-Identifier: MIT */
/*
 * Nested translation (pt_access_nested): stage 1 is pt_access's walk with
 * a phys_to_virt that first takes each table's guest-physical address
 * through stage 2, as the MMU's stage-1 walk does; the output then goes
 * through stage 2 with the access itself. Both stages are bounded walks,
 * so no pair of images can loop.
 */
#include "internal.h"

/* What stage 1's phys_to_virt needs, and what stage 2 said. */
struct nested {
	const struct pt_engine *e2;
	const struct pt_regime *s2;
	const struct pt_mm *mm; /* the host's */
	struct pt_fault fault;  /* stage 2's, when it refused a table read */
	uint64_t gpa;           /* the table frame it refused */
	int err;
};

/* A stage-1 table frame: its guest-physical address read through stage 2,
 * then the host's phys_to_virt. NULL stops stage 1 (a bus fault there),
 * n->err saying whether stage 2 faulted. */
static void *nested_virt(void *ctx, uint64_t gpa)
{
	struct nested *n = ctx;
	struct pt_mapping m;
	n->gpa = gpa;
	n->err = n->e2->access(n->s2, n->mm, gpa, PT_ACCESS_READ, &m, &n->fault);
	return n->err == PT_OK ? n->mm->phys_to_virt(n->mm->ctx, m.pa) : (void *)0;
}

/* Each stage's second stage (the MMU's pairs). */
static bool nested_pair(enum pt_arch s1, enum pt_arch s2)
{
	switch (s1) {
	case PT_X86_64:
	case PT_X86_64_LA57: /* EPT's levels do not follow the guest's */
		return s2 == PT_X86_64_EPT || s2 == PT_X86_64_EPT5;
	case PT_AARCH64:
	case PT_AARCH64_16K:
	case PT_AARCH64_64K: /* each stage has its own granule */
		return s2 == PT_AARCH64_S2;
	case PT_RISCV_SV39:
	case PT_RISCV_SV48:
	case PT_RISCV_SV57: /* vsatp's mode and hgatp's are independent */
		return s2 == PT_RISCV_SV39X4 || s2 == PT_RISCV_SV48X4 || s2 == PT_RISCV_SV57X4;
	default:
		return false;
	}
}

/* The stronger of two memory types (DEVICE over UNCACHED over WC over
 * normal), as both stages' types combine. */
static uint32_t nested_type(uint32_t a, uint32_t b)
{
	const uint32_t t = (a | b) & (PT_DEVICE | PT_UNCACHED | PT_WC);
	return t & PT_DEVICE ? PT_DEVICE : t & PT_UNCACHED ? PT_UNCACHED : t;
}

int pt_access_nested(const struct pt_regime *s1, const struct pt_regime *s2,
		     const struct pt_mm *mm, uint64_t va, unsigned access, struct pt_mapping *out,
		     struct pt_fault *fault)
{
	const struct pt_engine *e1 = s1 ? pt__engine(s1->arch) : (const struct pt_engine *)0;
	const struct pt_engine *e2 = s2 ? pt__engine(s2->arch) : (const struct pt_engine *)0;
	struct nested n;
	struct pt_mm guest = { 0 };
	struct pt_mapping m1, m2;
	int err;
	if (!e1 || !e2 || !mm || !mm->phys_to_virt || !out || (access & ~0xfu) ||
	    !nested_pair(s1->arch, s2->arch) || !e2->regime_valid(s2))
		return PT_ERR_INVALID;
	n.e2 = e2;
	n.s2 = s2;
	n.mm = mm;
	n.err = PT_OK;
	guest.phys_to_virt = nested_virt;
	guest.ctx = &n;
	err = e1->access(s1, &guest, va, access, &m1, fault);
	if (err == PT_ERR_FAULT && n.err == PT_ERR_FAULT) {
		/* Stage 2 refused a stage-1 table read. */
		if (fault) {
			*fault = n.fault;
			fault->stage = 2;
			fault->ipa = n.gpa;
		}
		return PT_ERR_FAULT;
	}
	if (err != PT_OK)
		return err;
	err = e2->access(s2, mm, m1.pa, access, &m2, fault);
	if (err == PT_ERR_FAULT && fault) {
		fault->stage = 2;
		fault->ipa = m1.pa;
	}
	if (err != PT_OK)
		return err;
	out->pa = m2.pa;
	out->size = m1.size < m2.size ? m1.size : m2.size;
	out->flags = (m1.flags & m2.flags & (PT_READ | PT_WRITE | PT_EXECUTE)) |
		     (m1.flags & ~(PT_READ | PT_WRITE | PT_EXECUTE | PT_DEVICE | PT_UNCACHED | PT_WC)) |
		     nested_type(m1.flags, m2.flags);
	out->state = m1.state;
	return PT_OK;
}
