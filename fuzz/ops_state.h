/* SPDX-License-Identifier: MIT */
/*
 * fuzz_ops: the access-state calls: pt_clear_state over a
 * range, with and without its bitmap, and pt_set_state at one address.
 * Included once, by fuzz/fuzz_ops.c, which defines the bounds and globals
 * these sections share; split out only to keep each file to one job.
 */
#ifndef PT_FUZZ_OPS_STATE_H
#define PT_FUZZ_OPS_STATE_H

/* ---- Access state ------------------------------------------------------- */

/* Bitmaps up to this many pages (8 KiB); larger ranges go without. */
#define MAX_BITMAP_PAGES (UINT64_C(1) << 16)

/* Where a state call starts: a byte below 0xc0 (when there are leaves)
 * picks a page inside a leaf (most calls are meant for mapped pages),
 * anything else the general generator's VA. */
static uint64_t state_va(struct rd *r, struct model *m)
{
	uint8_t b = rd_u8(r);
	if (b < 0xc0 && m->n) {
		const struct leaf *x = &m->lv[rd_u16(r) % m->n];
		last_va = x->va + (((uint64_t)rd_u8(r) << S.pg) & (x->size - 1));
		return last_va;
	}
	return gen_va(r, m);
}

/* Bits of leaf x among `bits` (state bits and PT_SW0/1). */
static uint32_t leaf_bits(const struct leaf *x, uint32_t bits)
{
	return (x->state | (x->flags & SW_BITS)) & bits;
}

/* A call on the state must allocate nothing, whatever it finds. */
static void check_no_alloc(unsigned long allocs0, size_t inuse0)
{
	FZ_CHECK(A.allocs == allocs0 && A.in_use == inuse0);
}

/*
 * pt_clear_state: every leaf overlapping the range that has one of the
 * bits loses them (a huge leaf whole, wherever the range cuts it), its base
 * VA recorded; the bitmap gets bit i for each page va + i * 4K of the range
 * under such a leaf, ORed into what it held. ARMv7 stores no state: every
 * call is PT_ERR_INVALID. A corrupt entry in the range: PT_ERR_CORRUPT and
 * nothing changed (table, records, bitmap).
 */
static void do_clear_state(struct ctx *c, struct rd *r)
{
	struct model *m = &c->m;
	uint64_t va = state_va(r, m), size = gen_region_size(r), last = 0, npages = 0;
	uint32_t bits = gen_state(r);
	uint8_t o = rd_u8(r);
	uint64_t *bm = NULL, *bm_want = NULL;
	size_t nw = 0;
	struct effect ef = { 0 };
	struct snap sn;
	unsigned long allocs0 = A.allocs;
	struct broken brk = { { 0 }, { 0 }, 0 };
	int want = PT_OK, got;
	cur_op = "clear_state";
	/* ARMv7 can clear nothing, an EPT without A/D flags no state. */
	if (!c->alive || !bits || (bits & ~(uint32_t)(STATE_BITS | SW_BITS)) || S.armv7 ||
	    (S.stateless && (bits & STATE_BITS)))
		want = PT_ERR_INVALID;
	else if ((want = model_range(va, size, &last)) != PT_OK)
		;
	else if (touches_shared(m, va, last))
		want = PT_ERR_INVALID;
	if (want == PT_OK) {
		for (size_t i = m_first_ge(m, va); i < m->n && m->lv[i].va <= last; i++)
			if (m->lv[i].corrupt) {
				want = PT_ERR_CORRUPT;
				break;
			}
	}
	if (want == PT_OK && c->frozen)
		return;
	if (want == PT_OK) {
		scope_set(c, va, last);
		want = m_break_ends(m, va, last, &brk, &ef.bbm);
	}
	/* Bit 0: a bitmap (when the range is small enough to have one, or
	 * the call fails before looking at it); bit 1: it starts with a
	 * pattern, which the call must only OR into. */
	if (o & 1) {
		npages = want == PT_OK || want == PT_ERR_CORRUPT ? size >> S.pg : 64;
		if (npages && npages <= MAX_BITMAP_PAGES) {
			nw = (size_t)((npages + 63) / 64);
			/* Exactly nw words: ASan catches a write past them. */
			bm = malloc(nw * sizeof(*bm));
			bm_want = malloc(nw * sizeof(*bm));
			FZ_CHECK(bm && bm_want);
			for (size_t k = 0; k < nw; k++)
				bm[k] = (o & 2) ? UINT64_C(0x8421084210842108) << (k % 5) : 0;
			mv(bm_want, bm, nw * sizeof(*bm));
		}
	}
	if (want == PT_OK) {
		for (size_t i = m_first_ge(m, va); i < m->n && m->lv[i].va <= last; i++) {
			const struct leaf *x = &m->lv[i];
			uint64_t a = x->va > va ? x->va : va, b = llast(x) < last ? llast(x) : last;
			if (!leaf_bits(x, bits))
				continue;
			ef.changed = true;
			eff_rec(&ef, x->va);
			for (uint64_t p = (a - va) >> S.pg; bm && p <= (b - va) >> S.pg; p++)
				bm_want[p / 64] |= UINT64_C(1) << (p % 64);
		}
	}
	snap_take(c, &sn);
	if (trace > 0)
		fprintf(stderr, "   clear_state va %#llx size %#llx bits %#x bitmap %d\n",
			(unsigned long long)va, (unsigned long long)size, bits, bm != NULL);
	got = pt_clear_state(&c->t, va, size, bits, bm);
	check_no_alloc(allocs0, sn.inuse0);
	verify_call(c, got, want, 0, &sn, &ef);
	for (size_t k = 0; k < nw; k++) {
		if (bm[k] != bm_want[k])
			fprintf(stderr, "bitmap word %zu: got %#llx model %#llx\n", k,
				(unsigned long long)bm[k], (unsigned long long)bm_want[k]);
		FZ_CHECK(bm[k] == bm_want[k]);
	}
	free(bm);
	free(bm_want);
	if (got != PT_OK) {
		m_unbreak(m, &brk);
		return;
	}
	for (size_t i = m_first_ge(m, va); i < m->n && m->lv[i].va <= last; i++) {
		struct leaf *x = &m->lv[i];
		x->flags &= ~(bits & SW_BITS);
		x->state = st_of(x->flags, x->state & ~bits);
	}
}

/*
 * pt_set_state: the leaf holding va gets the bits; DIRTY only on a
 * writable leaf (else PT_ERR_INVALID). Its base VA is recorded when the
 * entry changed. ARMv7 takes ACCESSED and DIRTY (it reports them already:
 * nothing to do) but not PT_SW0/1.
 */
static void do_set_state(struct ctx *c, struct rd *r)
{
	struct model *m = &c->m;
	uint64_t va = state_va(r, m);
	uint32_t bits = gen_state(r), nf = 0, ns = 0;
	struct leaf *x = NULL;
	struct effect ef = { 0 };
	struct snap sn;
	unsigned long allocs0 = A.allocs;
	struct broken brk = { { 0 }, { 0 }, 0 };
	int want = PT_OK, got;
	cur_op = "set_state";
	if (!c->alive || !bits || (bits & ~(uint32_t)(STATE_BITS | SW_BITS)) ||
	    (S.armv7 && (bits & SW_BITS)) || !va_ok(va) || touches_shared(m, va, va))
		want = PT_ERR_INVALID;
	else if (!(x = m_find(m, va)))
		want = PT_ERR_NOT_MAPPED;
	else if (x->corrupt)
		want = PT_ERR_CORRUPT;
	else if ((bits & PT_DIRTY) && !(x->flags & PT_WRITE))
		want = PT_ERR_INVALID;
	if (want == PT_OK && c->frozen)
		return;
	if (want == PT_OK) {
		scope_set(c, x->va, llast(x));
		want = m_break_ends(m, x->va, llast(x), &brk, &ef.bbm);
	}
	if (want == PT_OK) {
		nf = x->flags | (bits & SW_BITS);
		ns = st_of(nf, x->state | (bits & STATE_BITS));
		ef.changed = nf != x->flags || ns != x->state;
		eff_rec(&ef, x->va);
	}
	snap_take(c, &sn);
	if (trace > 0)
		fprintf(stderr, "   set_state va %#llx bits %#x\n", (unsigned long long)va, bits);
	got = pt_set_state(&c->t, va, bits);
	check_no_alloc(allocs0, sn.inuse0);
	verify_call(c, got, want, 0, &sn, &ef);
	if (got != PT_OK) {
		m_unbreak(m, &brk);
		return;
	}
	x->flags = nf;
	x->state = ns;
}

#endif
