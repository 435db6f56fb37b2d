/* SPDX-License-Identifier: MIT */
/*
 * Nested translation (pt_access_nested): stage 1 is pt_access's walk with
 * a phys_to_virt that first takes each table's guest-physical address
 * through stage 2 (as a read, or a write where the MMU's walk counts as
 * one), as the MMU's stage-1 walk does; a leaf whose access state the MMU
 * sets is then written, a write at stage 2; the output then goes through
 * stage 2 with the access itself. Both stages are bounded walks, so no
 * pair of images can loop.
 */
#include "internal.h"

/* What stage 1's phys_to_virt needs, and what stage 2 said. */
struct nested {
	const struct pt_engine *e2;
	const struct pt_regime *s2;
	const struct pt_mm *mm; /* the host's */
	unsigned walk;          /* the access stage 1's table reads make at stage 2 */
	uint64_t gpa;           /* the table frame stage 1 read last */
	struct pt_fault fault;  /* stage 2's, when it refused a table read */
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
	n->err = n->e2->access(n->s2, n->mm, gpa, n->walk, &m, &n->fault);
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

/* The access a stage-1 table read makes at stage 2: a read, but with
 * EPT's accessed and dirty flags enabled the CPU treats every access to a
 * guest paging structure as a write (and sets the EPT dirty flag), so a
 * table in a frame stage 2 gives read-only is an EPT violation. */
static unsigned nested_walk_access(const struct pt_regime *s2)
{
	const bool ept = s2->arch == PT_X86_64_EPT || s2->arch == PT_X86_64_EPT5;
	return ept && (s2->features & PT_FEAT_EPT_AD) ? PT_ACCESS_READ | PT_ACCESS_WRITE
						      : PT_ACCESS_READ;
}

/* The stronger of two memory types (DEVICE over UNCACHED over WC over
 * normal), as both stages' types combine. */
static uint32_t nested_type(uint32_t a, uint32_t b)
{
	const uint32_t t = (a | b) & (PT_DEVICE | PT_UNCACHED | PT_WC);
	return t & PT_DEVICE ? PT_DEVICE : t & PT_UNCACHED ? PT_UNCACHED : t;
}

/*
 * Whether an access stage 1 allowed makes its MMU write the leaf: the MMU
 * sets the state of a leaf not yet accessed (or, for a write, not yet
 * dirty) itself (x86 always, AArch64 with TCR.HA/HD, RISC-V with Svadu),
 * by writing the leaf's descriptor. For a write where the regime has
 * those controls, stage 1 without them says it best: the state may hold a
 * dirty flag kept in software bits of a leaf the MMU still sees clean.
 * The accessed flags x86 also sets in the table entries above are not
 * seen here.
 */
static bool nested_s1_writes(const struct pt_engine *e1, const struct pt_regime *s1,
			     const struct pt_mm *guest, uint64_t va, unsigned access,
			     const struct pt_mapping *m1)
{
	struct pt_regime plain;
	struct pt_mapping m;
	struct pt_fault f;
	if (!(access & (PT_ACCESS_READ | PT_ACCESS_WRITE | PT_ACCESS_EXEC)))
		return false;
	if (!(m1->state & PT_ACCESSED) || ((access & PT_ACCESS_WRITE) && !(m1->state & PT_DIRTY)))
		return true;
	/* Only a dirty state can be the OS's own (a software bit): the
	 * accessed state is the MMU's. */
	if (!(access & PT_ACCESS_WRITE) || !(s1->controls & (PT_CTL_HA | PT_CTL_HD)))
		return false;
	plain = *s1;
	plain.controls &= ~(uint64_t)(PT_CTL_HA | PT_CTL_HD);
	return e1->access(&plain, guest, va, access, &m, &f) == PT_ERR_FAULT &&
	       (f.kind == PT_FAULT_ACCESS_FLAG || f.kind == PT_FAULT_DIRTY);
}

/* The guest-physical address of va's entry at level l of stage 1's tables
 * (shape s), in the table at tpa (what htval and the VMCS report,
 * HPFAR_EL2 its page). */
static uint64_t nested_entry(const struct pt_shape *s, uint64_t tpa, unsigned l, uint64_t va)
{
	return s && l < s->info.levels
		       ? tpa + ((va >> s->shift[l]) & (s->entries[l] - 1u)) * s->pte_bytes
		       : tpa;
}

/* The level of a leaf of `size` (a contiguous or NAPOT run counts at the
 * level of its entries). */
static unsigned nested_leaf_level(const struct pt_shape *s, uint64_t size)
{
	unsigned l = 0;
	while (s && l + 1 < s->info.levels && pt__span(s, l) > size)
		l++;
	return l;
}

int pt_access_nested(const struct pt_regime *s1, const struct pt_regime *s2,
		     const struct pt_mm *mm, uint64_t va, unsigned access, struct pt_mapping *out,
		     struct pt_fault *fault)
{
	const struct pt_engine *e1 =
		s1 ? pt__engine(pt__slot(s1->arch, s1->features)) : (const struct pt_engine *)0;
	const struct pt_engine *e2 =
		s2 ? pt__engine(pt__slot(s2->arch, s2->features)) : (const struct pt_engine *)0;
	struct nested n;
	struct pt_mm guest = { 0 };
	struct pt_mapping m1, m2;
	struct pt_fault f1;
	int err;
	if (!e1 || !e2 || !mm || !mm->phys_to_virt || !out || (access & ~0xfu) ||
	    !nested_pair(s1->arch, s2->arch) || !e2->regime_valid(s2))
		return PT_ERR_INVALID;
	n.e2 = e2;
	n.s2 = s2;
	n.mm = mm;
	n.walk = nested_walk_access(s2);
	n.err = PT_OK;
	guest.phys_to_virt = nested_virt;
	guest.ctx = &n;
	err = e1->access(s1, &guest, va, access, &m1, &f1);
	if (err == PT_ERR_FAULT && n.err == PT_ERR_FAULT) {
		/* Stage 2 refused a stage-1 table read: the faulting address is
		 * the entry's (htval and the VMCS report that, HPFAR_EL2 its
		 * page), in the table stage 1 was reading at f1.level. */
		if (fault) {
			*fault = n.fault;
			fault->stage = 2;
			fault->ipa = nested_entry(regime_shape(s1), f1.table_pa, f1.level, va);
		}
		return PT_ERR_FAULT;
	}
	if (err == PT_ERR_FAULT && fault)
		*fault = f1;
	if (err != PT_OK)
		return err;
	if (nested_s1_writes(e1, s1, &guest, va, access, &m1)) {
		/* The MMU writes the leaf it just read, in the table frame
		 * stage 1 read last: a write at stage 2, before the output
		 * is translated. */
		const struct pt_shape *s = regime_shape(s1);
		const uint64_t leaf = nested_entry(s, n.gpa, nested_leaf_level(s, m1.size), va);
		err = e2->access(s2, mm, n.gpa, PT_ACCESS_WRITE, &m2, fault);
		if (err == PT_ERR_FAULT && fault) {
			fault->stage = 2;
			fault->ipa = leaf;
		}
		if (err != PT_OK)
			return err;
	}
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
