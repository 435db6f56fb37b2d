/* SPDX-License-Identifier: MIT */
/* Tables nobody vouches for, read as their MMU would under a regime: the
 * walk behind pt_access and pt_translate. Part of src/engine.h. */

/* Record where and why the walk stopped; PT_ERR_FAULT. */
static int access_fault(struct pt_fault *f, enum pt_fault_kind kind, unsigned l, uint64_t e,
			uint64_t tpa)
{
	if (f) {
		f->kind = kind;
		f->stage = 1;
		f->level = l;
		f->pte = e;
		f->table_pa = tpa;
		f->ipa = 0;
	}
	return PT_ERR_FAULT;
}

/* The fault an access of kinds `acc` (PT_ACCESS_*) raises on lf, in the
 * order the family's MMU checks: the access flag (first where AF_FIRST),
 * permissions, then the dirty state of a write. */
PT_INLINE enum pt_fault_kind access_check(const struct pt_rleaf *lf, unsigned acc)
{
	const unsigned user = acc & PT_ACCESS_USER ? 3 : 0;
	const uint32_t need = ((acc & PT_ACCESS_READ ? PT_PERM_R : 0) |
			       (acc & PT_ACCESS_WRITE ? PT_PERM_W : 0) |
			       (acc & PT_ACCESS_EXEC ? PT_PERM_X : 0)) << user;
	if (!(acc & (PT_ACCESS_READ | PT_ACCESS_WRITE | PT_ACCESS_EXEC)))
		return PT_FAULT_NONE;
	if (A(AF_FIRST) && lf->af)
		return PT_FAULT_ACCESS_FLAG;
	if ((lf->perm & need) != need)
		return PT_FAULT_PERMISSION;
	if (lf->af)
		return PT_FAULT_ACCESS_FLAG;
	if ((acc & PT_ACCESS_WRITE) && lf->clean)
		return PT_FAULT_DIRTY;
	return PT_FAULT_NONE;
}

/* The entry for va in the level-l table at tpa, through mm->phys_to_virt;
 * NULL where the hook gives none. A table no bigger than a frame lies in
 * one frame, at tpa rounded down to its size (as the MMU forms the
 * address): the hook gets that frame's PA and the entry stays inside it
 * whatever tpa holds, and where the compiler sees tpa aligned (a table
 * address field) the rounding costs nothing. */
PT_INLINE const void *table_entry(const struct pt_shape *s, unsigned l, const struct pt_mm *mm,
				  uint64_t tpa, uint64_t va)
{
	const uint64_t tb = pt__table_bytes(s, l), in = PT_FRAME_SIZE - 1;
	const unsigned char *fr;
	if (tb > PT_FRAME_SIZE)
		return pt__virt(mm, tpa + idx(s, l, va) * s->pte_bytes);
	fr = mm->phys_to_virt(mm->ctx, tpa & ~in);
	return fr ? fr + (tpa & in & ~(tb - 1)) + idx(s, l, va) * s->pte_bytes : (const void *)0;
}

/*
 * One access to va (canonical for r, checked by the caller) through r's
 * tables: each entry read once through mm->phys_to_virt, every address an
 * entry holds checked against the CPU's PA width when it is narrower than
 * the format's (`narrow`, a constant: r_entry keeps table addresses inside
 * the format's own), at most one read per level, so no image can make it loop or read outside what
 * phys_to_virt gave. Always inlined: with a constant shape the level loop
 * unrolls, every index a constant shift.
 */
PT_INLINE int access_in(const struct pt_shape *s, bool narrow, const struct pt_regime *rp,
			const struct pt_mm *mm, uint64_t va, unsigned acc, struct pt_mapping *out,
			struct pt_fault *f)
{
	/* The regime through the caller's pointer, or a copy (REGIME_COPY). */
	const struct pt_regime reg = *rp, *const r = A(REGIME_COPY) ? &reg : rp;
	const unsigned levels = s->info.levels;
	const unsigned pa_bits = narrow ? r->pa_bits : 64;
	uint64_t tpa = r->root, up = 0;
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC unroll 5
#endif
	for (unsigned l = 0; l < levels; l++) {
		const unsigned h = levels - 1 - l;
		const PTE *p = (const PTE *)table_entry(s, l, mm, tpa, va);
		struct pt_rleaf lf;
		enum pt_fault_kind why;
		uint64_t e, next = 0;
		int k;
		if (PT_UNLIKELY(!p))
			return access_fault(f, PT_FAULT_BUS, l, 0, tpa);
		e = ld(p);
		k = A(r_entry)(r, h, e, &next, &up);
		if (k == PTK_TABLE) {
			if (narrow && PT_UNLIKELY(next >> pa_bits))
				return access_fault(f, PT_FAULT_RESERVED, l, e, tpa);
			tpa = next;
			continue;
		}
		if (PT_UNLIKELY(k != PTK_LEAF))
			return access_fault(f, k == PTK_EMPTY ? PT_FAULT_NOT_PRESENT : PT_FAULT_RESERVED,
					    l, e, tpa);
		lf.size = pt__span(s, l);
		if (PT_UNLIKELY(!A(r_leaf)(r, h, e, up, &lf)) ||
		    (narrow && PT_UNLIKELY((lf.pa + lf.size - 1) >> pa_bits)))
			return access_fault(f, PT_FAULT_RESERVED, l, e, tpa);
		out->pa = lf.pa | (va & (lf.size - 1));
		out->flags = lf.flags & PT_FLAGS_ALL;
		out->state = lf.flags & PT_STATE_ALL;
		out->size = lf.size;
		why = access_check(&lf, acc);
		if (PT_UNLIKELY(why != PT_FAULT_NONE))
			return access_fault(f, why, l, e, tpa);
		return PT_OK;
	}
	return access_fault(f, PT_FAULT_RESERVED, levels - 1, 0, tpa); /* no table at height 0 */
}

/* The shape of r's format at r's VA width (regime_shape with this family's
 * slot and shapes known, so pt_translate's default width is a load); NULL
 * for a width the format does not have. A width that needs a feature is
 * refused by regime_pa_bits, where the shape may be a constant. */
PT_INLINE const struct pt_shape *family_shape(const struct pt_regime *r)
{
	const struct pt_format *fm = &pt__formats[PT_FAMILY_SLOT(r->arch)];
	unsigned lo;
	if (!r->va_bits)
		return family_shapes[fm->def];
	lo = family_shapes[fm->first]->info.va_bits;
	if (r->va_bits < lo || r->va_bits - lo >= fm->count)
		return (const struct pt_shape *)0;
	return family_shapes[fm->first + (r->va_bits - lo)];
}

/* r's root (aligned to the root table, below pa_bits) and the fields only
 * its family reads. */
PT_INLINE bool regime_root_ok(const struct pt_shape *s, const struct pt_regime *r, unsigned pa_bits)
{
	return !(r->root & (pt__table_bytes(s, 0) - 1)) && !(r->root >> pa_bits) && A(regime_ok)(r);
}

/* The CPU's PA width under r (format shape s), or 0 if pt_access refuses
 * r. */
PT_INLINE unsigned regime_pa_bits(const struct pt_shape *s, const struct pt_regime *r)
{
	const unsigned pa_bits = r->pa_bits ? r->pa_bits : s->info.pa_bits;
	/* No features and the format's own PA width (what pt_translate asks,
	 * and most regimes): their checks fold away. */
	if (PT_LIKELY(!(r->features | r->pa_bits)))
		return pt__width_ok(s, 0) && regime_root_ok(s, r, s->info.pa_bits) ? s->info.pa_bits : 0;
	if (!pt__features_ok(s, r->features) || !pt__width_ok(s, r->features) ||
	    pa_bits > s->info.pa_bits || pa_bits < 32 || !regime_root_ok(s, r, pa_bits))
		return 0;
	return pa_bits;
}

static bool regime_valid(const struct pt_regime *r)
{
	const struct pt_shape *s = family_shape(r);
	return s && regime_pa_bits(s, r) != 0;
}

/* pt_access with the format's shape s: the checks of r and va (each
 * folds to a few instructions when s is a constant), then the walk. */
PT_INLINE int access_checked(const struct pt_shape *s, const struct pt_regime *r,
			     const struct pt_mm *mm, uint64_t va, unsigned acc,
			     struct pt_mapping *out, struct pt_fault *f)
{
	const unsigned pa_bits = regime_pa_bits(s, r);
	if (PT_UNLIKELY(!pa_bits))
		return PT_ERR_INVALID;
	if (f)
		f->kind = PT_FAULT_NONE;
	if (PT_UNLIKELY(!pt__va_ok(s, r->features, va)))
		return access_fault(f, PT_FAULT_ADDRESS, 0, 0, r->root);
	return pa_bits < s->info.pa_bits ? access_in(s, true, r, mm, va, acc, out, f)
					 : access_in(s, false, r, mm, va, acc, out, f);
}

/* The walk once per fast shape of the family, with and without a PA
 * width narrower than the format's; once for every other shape. */
PT_INLINE int access_any(const struct pt_regime *r, const struct pt_mm *mm, uint64_t va,
			 unsigned acc, struct pt_mapping *out, struct pt_fault *f)
{
	const struct pt_shape *s = family_shape(r);
	if (PT_UNLIKELY(!s))
		return PT_ERR_INVALID;
#define PT_ACCESS_IN(shape)                                                                  \
	if (s == &(shape))                                                                   \
		return access_checked(&(shape), r, mm, va, acc, out, f);
	A(FAST_SHAPES)(PT_ACCESS_IN)
#undef PT_ACCESS_IN
	return access_checked(s, r, mm, va, acc, out, f);
}

static int access(const struct pt_regime *r, const struct pt_mm *mm, uint64_t va, unsigned acc,
		  struct pt_mapping *out, struct pt_fault *f)
{
	return access_any(r, mm, va, acc, out, f);
}

/* pt_translate: the walk under the regime libpt writes tables for, its
 * controls constants the hooks fold (and what they decide for an access
 * check, unused here, drops out). */
static int translate(enum pt_arch a, unsigned feat, uint64_t root, const struct pt_mm *mm,
		     uint64_t va, struct pt_mapping *out, struct pt_fault *f)
{
	const struct pt_regime r = { a, feat, 0, root, 0, A(OWN_CONTROLS), 0, 0 };
	return access_any(&r, mm, va, 0, out, f);
}

/* pt_regime_decode: one entry under r, as the walk reads it, with no level
 * above it (*size comes in as the level's span). */
static int regime_decode(const struct pt_regime *r, unsigned h, uint64_t e, uint64_t *pa,
			 uint32_t *flags, uint64_t *size)
{
	struct pt_rleaf lf;
	uint64_t up = 0;
	int k;
	if (e != (uint64_t)(PTE)e)
		return PTK_CORRUPT; /* wider than this format's entries */
	k = A(r_entry)(r, h, e, pa, &up);
	if (k == PTK_LEAF) {
		lf.size = *size;
		if (!A(r_leaf)(r, h, e, 0, &lf))
			return PTK_CORRUPT;
		*pa = lf.pa;
		*flags = lf.flags;
		*size = lf.size;
	}
	return k;
}
