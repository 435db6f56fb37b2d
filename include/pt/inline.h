/* SPDX-License-Identifier: MIT */
/*
 * Private machinery of pt.h: the inline fast paths of pt_map and pt_query,
 * and the flush record they share with the library. Nothing here is API.
 */
#ifndef PT_INLINE_H
#define PT_INLINE_H

/*
 * pt_map and pt_query run once per page, so their common case is inlined
 * into the caller: a 4K page next to the last one mapped, with the same
 * flags, into an empty slot (one load, one store); a query under the
 * directory the last edit went through, with a direct map, finding a 4K
 * leaf encoded as the last mapped flags (two loads). Anything else, and
 * every error, goes to the out-of-line call, which checks everything: the
 * results are the same. The exported pt_map and pt_query exist too (for
 * function pointers and other languages).
 */
PT_API int pt__map_slow(struct pt_table *t, uint64_t va, uint64_t pa, uint64_t size, uint32_t flags);
PT_API int pt__query_slow(const struct pt_table *t, uint64_t va, struct pt_mapping *out);
PT_API int pt__unmap_slow(struct pt_table *t, uint64_t va, struct pt_mapping *old);
PT_API int pt__protect_slow(struct pt_table *t, uint64_t va, uint32_t flags, uint64_t *size);

/* Record va for pt_flush, as every edit does (the core's pt__record too):
 * past PT_FLUSH_MAX records pt_flush flushes everything, and from there on
 * this is one compare. A macro, for the inline pt_map below. */
#define PT__RECORD(t, va)                                     \
	do {                                                  \
		const unsigned pt__n = (t)->nflush;           \
		if (pt__n <= PT_FLUSH_MAX) {                  \
			if (pt__n < PT_FLUSH_MAX)             \
				(t)->flush_va[pt__n] = (va);  \
			(t)->nflush = pt__n + 1;              \
		}                                             \
	} while (0)

#if defined(__GNUC__) || defined(__clang__)
/* Helpers of the fast paths, shared with the library's out-of-line pt_map
 * so that the hinted check exists once. Inline-only (GNU extern inline, in
 * C and C++): no copy is ever emitted. */
#define PT__HELPER extern __inline__ __attribute__((__gnu_inline__, __always_inline__))
#define PT__LIKELY(x) __builtin_expect(!!(x), 1)

/* pt_map's fast path in geometry g (a constant): done, or nothing changed. */
PT__HELPER bool pt__map_fast(struct pt_table *t, uint64_t va, uint64_t pa, const int g)
{
	const uint64_t i = (va >> 12) & (g == PT_FAST_32 ? 255 : 511);
	const uint64_t e = t->hint_attrs | (g == PT_FAST_64_X4 ? pa >> 2 : pa);
	if (g == PT_FAST_32) {
		uint32_t *p = (uint32_t *)t->hint_tbl + i;
		if (__atomic_load_n(p, __ATOMIC_RELAXED) != 0)
			return false;
		__atomic_store_n(p, (uint32_t)e, __ATOMIC_RELEASE);
	} else {
		uint64_t *p = (uint64_t *)t->hint_tbl + i;
		if (__atomic_load_n(p, __ATOMIC_RELAXED) != 0)
			return false;
		__atomic_store_n(p, e, __ATOMIC_RELEASE);
	}
	PT__RECORD(t, va);
	return true;
}

/* pt_map under the edit hint: its last-level table covers va, which is
 * 4K-aligned; pa fits a 4K leaf; the hinted flags (their encoding is
 * hint_attrs); an empty slot. Done, or nothing changed. */
PT__HELPER bool pt__map_hinted(struct pt_table *t, uint64_t va, uint64_t pa, uint64_t size,
			       uint32_t flags)
{
	if (PT__LIKELY(t && t->hint_tbl &&
		       !(((va ^ t->hint_va) & t->fast.va_fixed) | (pa & t->fast.pa_bad) |
			 (size ^ PT_SIZE_4K) | (uint64_t)(flags ^ t->hint_flags)))) {
		const unsigned g = t->fast.map;
		return PT__LIKELY(g == PT_FAST_64) ? pt__map_fast(t, va, pa, PT_FAST_64)
		       : g == PT_FAST_64_X4	   ? pt__map_fast(t, va, pa, PT_FAST_64_X4)
		       : g == PT_FAST_32	   ? pt__map_fast(t, va, pa, PT_FAST_32)
						   : false;
	}
	return false;
}

/* pt_unmap's fast path in geometry g (a constant; PT_FAST_64 stands for
 * PT_FAST_64_X4 too, whose entries differ only in the PA's place): va's
 * entry in the hinted last-level table is a 4K leaf with attributes
 * hint_attrs (so it decodes to hint_nflags and hint_state), taken out as
 * the engine would. Done, or nothing changed. */
PT__HELPER bool pt__unmap_fast(struct pt_table *t, uint64_t va, struct pt_mapping *old,
			       const int g)
{
	const uint64_t i = (va >> 12) & (g == PT_FAST_32 ? 255 : 511);
	uint64_t e;
	if (g == PT_FAST_32) {
		uint32_t *p = (uint32_t *)t->hint_tbl + i, x;
		x = __atomic_load_n(p, __ATOMIC_RELAXED);
		if ((x ^ t->hint_attrs) & t->fast.attrs_mask)
			return false;
		if (t->hint_cas ? !__atomic_compare_exchange_n(p, &x, 0, false, __ATOMIC_ACQ_REL,
							      __ATOMIC_RELAXED)
				: (__atomic_store_n(p, 0, __ATOMIC_RELEASE), false))
			return false;
		e = x;
	} else {
		uint64_t *p = (uint64_t *)t->hint_tbl + i;
		e = __atomic_load_n(p, __ATOMIC_RELAXED);
		if ((e ^ t->hint_attrs) & t->fast.attrs_mask)
			return false;
		if (t->hint_cas ? !__atomic_compare_exchange_n(p, &e, 0, false, __ATOMIC_ACQ_REL,
							      __ATOMIC_RELAXED)
				: (__atomic_store_n(p, 0, __ATOMIC_RELEASE), false))
			return false;
	}
	if (old) {
		old->pa = (e & t->fast.leaf_field) << (t->fast.map == PT_FAST_64_X4 ? 2 : 0);
		old->flags = t->hint_nflags;
		old->state = t->hint_state;
		old->size = PT_SIZE_4K;
	}
	PT__RECORD(t, va);
	return true;
}

/* pt_protect's fast path in geometry g (a constant; PT_FAST_64 for
 * PT_FAST_64_X4 too, as in pt__unmap_fast): va's entry in the
 * hinted last-level table is a 4K leaf with the attributes the last
 * protect to the same flags rewrote (memo_old), and that rewrite is a plain
 * store: done again, or nothing changed. */
PT__HELPER bool pt__protect_fast(struct pt_table *t, uint64_t va, uint64_t *size, const int g)
{
	const uint64_t i = (va >> 12) & (g == PT_FAST_32 ? 255 : 511);
	if (g == PT_FAST_32) {
		uint32_t *p = (uint32_t *)t->hint_tbl + i;
		const uint32_t e = __atomic_load_n(p, __ATOMIC_RELAXED);
		if ((e ^ t->memo_old) & t->fast.attrs_mask)
			return false;
		if (t->memo_new != t->memo_old)
			__atomic_store_n(p, (uint32_t)(e ^ t->memo_old ^ t->memo_new), __ATOMIC_RELEASE);
	} else {
		uint64_t *p = (uint64_t *)t->hint_tbl + i;
		const uint64_t e = __atomic_load_n(p, __ATOMIC_RELAXED);
		if ((e ^ t->memo_old) & t->fast.attrs_mask)
			return false;
		if (t->memo_new != t->memo_old)
			__atomic_store_n(p, e ^ t->memo_old ^ t->memo_new, __ATOMIC_RELEASE);
	}
	if (t->memo_new != t->memo_old)
		PT__RECORD(t, va);
	if (size)
		*size = PT_SIZE_4K;
	return true;
}

/* pt_protect under the edit hint and the memo of the last protect to
 * these flags. Done, or nothing changed. */
PT__HELPER bool pt__protect_hinted(struct pt_table *t, uint64_t va, uint32_t flags, uint64_t *size)
{
	if (PT__LIKELY(t && t->hint_tbl && flags == t->memo_pflags && t->memo_plain &&
		       !((va ^ t->hint_va) & t->fast.va_fixed))) {
		const unsigned g = t->fast.map;
		return PT__LIKELY(g >= PT_FAST_64) ? pt__protect_fast(t, va, size, PT_FAST_64)
		       : g == PT_FAST_32	   ? pt__protect_fast(t, va, size, PT_FAST_32)
						   : false;
	}
	return false;
}

/* pt_unmap under the edit hint: its last-level table covers va, which is
 * 4K-aligned. Done, or nothing changed. */
PT__HELPER bool pt__unmap_hinted(struct pt_table *t, uint64_t va, struct pt_mapping *old)
{
	if (PT__LIKELY(t && t->hint_tbl && !((va ^ t->hint_va) & t->fast.va_fixed))) {
		const unsigned g = t->fast.map;
		return PT__LIKELY(g >= PT_FAST_64) ? pt__unmap_fast(t, va, old, PT_FAST_64)
		       : g == PT_FAST_32	   ? pt__unmap_fast(t, va, old, PT_FAST_32)
						   : false;
	}
	return false;
}
#endif

#if (defined(__GNUC__) || defined(__clang__)) && !defined(PT_NO_INLINE_API)
/* pt_map and pt_query inline-only, as the helpers: the library's own
 * definitions are the only symbols. */
PT__HELPER int pt_map(struct pt_table *t, uint64_t va, uint64_t pa, uint64_t size, uint32_t flags)
{
	if (PT__LIKELY(pt__map_hinted(t, va, pa, size, flags)))
		return PT_OK;
	return pt__map_slow(t, va, pa, size, flags);
}

PT__HELPER int pt_unmap(struct pt_table *t, uint64_t va, struct pt_mapping *old)
{
	if (PT__LIKELY(pt__unmap_hinted(t, va, old)))
		return PT_OK;
	return pt__unmap_slow(t, va, old);
}

PT__HELPER int pt_protect(struct pt_table *t, uint64_t va, uint32_t flags, uint64_t *size)
{
	if (PT__LIKELY(pt__protect_hinted(t, va, flags, size)))
		return PT_OK;
	return pt__protect_slow(t, va, flags, size);
}

/*
 * pt_query's fast path in geometry g (a constant), va under the directory
 * hint: its entry for va is a table, and va's entry there a 4K leaf with
 * attributes hint_attrs (decoding to hint_nflags and hint_state). Done, or
 * nothing written. Each geometry's copy has its own constant scale: a
 * variable shift would lengthen every lookup's chain of dependent steps.
 */
PT__HELPER bool pt__query_fast(const struct pt_table *t, uint64_t va, struct pt_mapping *out,
				   const int g)
{
	const unsigned sh = g == PT_FAST_64_X4 ? 2 : 0;
	/* va's entry in the last-level table at PA p is at c + p: the sum
	 * that does not wait for the directory entry is made first, so the
	 * one that does folds into the load's address (scaled by 4 on
	 * PT_FAST_64_X4): entry, mask, load. */
	const uintptr_t c = (uintptr_t)t->direct_offset +
			    (g == PT_FAST_32 ? ((va >> 12) & 255) * 4 : ((va >> 12) & 511) * 8);
	uint64_t d, e, attrs;
	uint32_t nf, ns;
	if (g == PT_FAST_32)
		d = __atomic_load_n((const uint32_t *)(t->hint_qdir + (va >> 20) * 4),
				    __ATOMIC_RELAXED);
	else
		d = __atomic_load_n((const uint64_t *)(t->hint_qdir + (va >> 21) * 8),
				    __ATOMIC_RELAXED);
	/* tbl_match is not 0 on PT_FAST_64_X4 and PT_FAST_32 (fast_facts
	 * sees to it), so the mask test alone refuses an empty entry. */
	if (!PT__LIKELY((d & t->fast.tbl_mask) == t->fast.tbl_match && (g != PT_FAST_64 || d)))
		return false;
	if (g == PT_FAST_32)
		e = __atomic_load_n((const uint32_t *)(c + (uintptr_t)(d & t->fast.tbl_field)),
				    __ATOMIC_RELAXED);
	else
		e = __atomic_load_n((const uint64_t *)(c + ((uintptr_t)(d & t->fast.tbl_field) << sh)),
				    __ATOMIC_RELAXED);
	attrs = t->hint_attrs;
	nf = t->hint_nflags;
	ns = t->hint_state;
	/* e ^ attrs: e's address field alone, exactly when e's attribute
	 * bits are attrs */
	e ^= attrs;
	if (!PT__LIKELY(!(e & t->fast.attrs_mask)))
		return false;
	out->pa = (e << sh) | (va & (PT_SIZE_4K - 1));
	out->flags = nf;
	out->state = ns;
	out->size = PT_SIZE_4K;
	return true;
}

PT__HELPER int pt_query(const struct pt_table *t, uint64_t va, struct pt_mapping *out)
{
	int r = PT_ERR_INVALID; /* what pt__query_slow answers for NULL t or out */
	if (PT__LIKELY(t && out)) {
		const uint64_t qs = ~t->hint_qspan, s = va >> 30;
		/* Only the copy tested first runs straight through; the others
		 * take two or three more taken branches. RISC-V's copy, one
		 * shift longer, goes first and x86's (the other 8-byte formats)
		 * second (bench/README.md). */
		if (PT__LIKELY((s | PT_FAST_X4_TAG) == qs)) {
			if (PT__LIKELY(pt__query_fast(t, va, out, PT_FAST_64_X4)))
				return PT_OK;
		} else if (PT__LIKELY(s == qs)) {
			if (PT__LIKELY(pt__query_fast(t, va, out, PT_FAST_64)))
				return PT_OK;
		} else if (PT__LIKELY(((va >> 32) | PT_FAST_32_TAG) == qs)) {
			if (PT__LIKELY(pt__query_fast(t, va, out, PT_FAST_32)))
				return PT_OK;
		}
		/* The table's own lookup (set exactly while it is alive),
		 * as pt__query_slow would call it, into a copy: out's
		 * address never leaves the caller, so a result kept in a
		 * local can live in registers. */
		struct pt_mapping m;
		if (PT__LIKELY(t->lookup != 0) && (r = t->lookup(t, va, &m)) == PT_OK) {
			*out = m;
			return PT_OK;
		}
	}
	if (out) {
		out->pa = 0;
		out->flags = 0;
		out->state = 0;
		out->size = 0;
	}
	return r;
}
#endif

#endif /* PT_INLINE_H */
