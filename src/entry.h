/* SPDX-License-Identifier: MIT */
/*
 * Raw entries: the one load and the one store, and all arithmetic on entry
 * values, each resting on a rule of the hook contract (arch/arch.h).
 * Elsewhere the engine sees entries only through kinds and hooks. Part of
 * src/engine.h.
 */

/* Stores are single aligned release stores: what was written before (a new
 * table's contents) is visible before the entry, to other CPUs and the MMU. */
PT_INLINE uint64_t ld(const PTE *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

PT_INLINE void st(PTE *p, uint64_t v)
{
	__atomic_store_n(p, (PTE)v, __ATOMIC_RELEASE);
}

/* Replace *p by v only if it still holds *old (else *old is what it
 * holds): for leaves the MMU may be setting a state bit in. */
PT_INLINE bool cas(PTE *p, uint64_t *old, uint64_t v)
{
	PTE o = (PTE)*old;
	bool ok = __atomic_compare_exchange_n(p, &o, (PTE)v, false, __ATOMIC_RELEASE,
					      __ATOMIC_RELAXED);
	*old = o;
	return ok;
}

/* Store v, returning the entry it replaced, bits the MMU set included. */
PT_INLINE uint64_t xchg(PTE *p, uint64_t v)
{
	return __atomic_exchange_n(p, (PTE)v, __ATOMIC_RELEASE);
}

/* The entry an empty slot gets. */
#define EMPTY ((uint64_t)A(EMPTY))

/* Height of level l in op's shape. */
#define HT(op, l) ((op)->levels - 1u - (l))

/* 16 bytes of entries, at any entry-aligned address, for run scans. */
typedef PTE vec __attribute__((vector_size(16), aligned(sizeof(PTE)), may_alias));
/* PAs of a vector of entries: one 8-byte lane per entry. */
typedef uint64_t pa_vec __attribute__((vector_size(8 * PT_LANES(PTE)), aligned(8), may_alias));

/* Entries per step of step_differs: 128 bytes. */
#define STEP_ENTRIES (8 * PT_LANES(PTE))

/* Whether one of the STEP_ENTRIES entries at p differs from e under the
 * mask m: one test for 128 bytes, each lane an aligned entry read whole.
 * The scans of empty stretches and of runs of leaves share it. Vectors
 * stay inside (the 32-bit Arm ABI passes none); the compiler hoists the
 * two splats out of its callers' loops. */
PT_INLINE bool step_differs(const PTE *p, uint64_t e, uint64_t m)
{
	const vec *v = (const vec *)(const void *)p;
	vec ev = { 0 }, mv = { 0 }, d;
	PTE any = 0;
	for (unsigned j = 0; j < PT_LANES(PTE); j++) {
		ev[j] = (PTE)e;
		mv[j] = (PTE)m;
	}
	d = ((v[0] ^ ev) | (v[1] ^ ev) | (v[2] ^ ev) | (v[3] ^ ev) | (v[4] ^ ev) | (v[5] ^ ev) |
	     (v[6] ^ ev) | (v[7] ^ ev)) &
	    mv;
	for (unsigned j = 0; j < PT_LANES(PTE); j++)
		any |= d[j];
	return any != 0;
}

PT_INLINE int kind_at(const struct pt_op *op, unsigned l, uint64_t e)
{
	return A(kind)(op->feat, HT(op, l), e);
}

PT_INLINE size_t idx(const struct pt_shape *s, unsigned l, uint64_t va)
{
	return (size_t)((va >> s->shift[l]) & (s->entries[l] - 1u));
}

PT_INLINE size_t min_sz(size_t a, size_t b)
{
	return a < b ? a : b;
}

/* The leaf at height h mapping pa. */
PT_INLINE uint64_t leaf_at(unsigned feat, unsigned h, uint64_t pa, uint32_t flags)
{
	return A(leaf_attrs)(feat, h, flags) | A(out)(pa);
}

/* The leaf like e (height h) whose PA is `size` further on. */
PT_INLINE uint64_t succ(unsigned h, uint64_t e, uint64_t size)
{
	const uint64_t pa = A(leaf_pa)(h, e);
	if (A(OUT_LINEAR))
		return e + A(out)(size);
	return e ^ A(out)(pa) ^ A(out)(pa + size);
}

/* Is the leaf e (height h) a member of a contiguous run (arch/arch.h)? A
 * constant false in a family without runs. */
PT_INLINE bool run_member(unsigned feat, unsigned h, uint64_t e)
{
	return A(RUN_MAX) > 0 && A(in_run)(h, e) && A(run_order)(feat, h);
}

/* One whose members share one entry? */
PT_INLINE bool shared_member(unsigned feat, unsigned h, uint64_t e)
{
	return A(RUN_SHARED) && run_member(feat, h, e);
}

/* The PA of the leaf e (height h, span bytes) at va: for a shared-run
 * member, the run's PA plus va's offset in it; elsewhere leaf_pa. */
PT_INLINE uint64_t member_pa(unsigned feat, unsigned h, uint64_t e, uint64_t va, uint64_t span)
{
	const uint64_t pa = A(leaf_pa)(h, e);
	uint64_t g;
	if (!shared_member(feat, h, e))
		return pa;
	g = (span << A(run_order)(feat, h)) - 1;
	return (pa & ~g) | (va & g & ~(span - 1));
}

/* The state of a shared-run member at slot i of tbl (height h): its run's.
 * The MMU may set A or D in any member for an access to any page of the
 * run (one walk may serve them all), so a page's state is the union of
 * the members'. */
static __attribute__((cold, noinline)) uint32_t run_state(unsigned feat, unsigned h,
							  const PTE *tbl, size_t i)
{
	const size_t g = (size_t)1 << A(run_order)(feat, h);
	const PTE *q = tbl + (i & ~(g - 1));
	uint32_t st = 0;
	for (size_t k = 0; k < g; k++) {
		const uint64_t e = ld(&q[k]);
		if (A(kind)(feat, h, e) == PTK_LEAF && shared_member(feat, h, e))
			st |= A(leaf_flags)(feat, h, e);
	}
	return st & PT_STATE_ALL;
}

/* A last-level leaf's address field: leaf_pa of an all-ones entry, put back. */
PT_INLINE uint64_t leaf_field(void)
{
	return A(out)(A(leaf_pa)(0, ~UINT64_C(0)));
}

/* A last-level leaf without its PA: the bits that decide its kind and flags (where
 * out() is linear, a mask: tests/test_hooks.c checks it). */
PT_INLINE uint64_t leaf_attrs_of(uint64_t e)
{
	if (A(OUT_LINEAR))
		return e & ~leaf_field();
	return e ^ A(out)(A(leaf_pa)(0, e));
}

/* How far a linear address field sits right of the PA it holds (2 where it
 * holds PA / 4, RISC-V; else 0, and 0 where the field is not linear). */
PT_INLINE unsigned field_shift(void)
{
	return A(OUT_LINEAR) ? PG_SHIFT - (unsigned)__builtin_ctzll(A(out)(PG_SIZE)) : 0;
}

/* last-level entries that may follow the last-level leaf e in a run before the PA would
 * leave the format's range (and carry into other bits). */
PT_INLINE size_t run_room(const struct pt_shape *s, uint64_t e)
{
	uint64_t top = (UINT64_C(1) << s->info.pa_bits) - PG_SIZE;
	uint64_t pa = A(leaf_pa)(0, e);
	return pa < top ? (size_t)((top - pa) >> PG_SHIFT) : 0;
}

/*
 * The hot loop of every scan: how many of p[0..n) equal expect,
 * succ(expect), ... Linear formats compare 64 bytes per test in 16-byte
 * vectors (SSE2, NEON; scalar code elsewhere), then four entries per test;
 * a mismatch or a torn read ends that, and the one-entry loop decides from
 * a fresh load.
 */
static inline size_t run_len(const PTE *p, size_t n, uint64_t expect)
{
	size_t i = 0;
	if (A(OUT_LINEAR)) {
		enum { L = PT_LANES(PTE) };
		const uint64_t step = A(out)(PG_SIZE);
		if (n >= 4 * L) {
			vec x0 = { 0 }, x1 = { 0 }, x2 = { 0 }, x3 = { 0 }, inc = { 0 }, d;
			for (unsigned k = 0; k < L; k++) {
				x0[k] = (PTE)(expect + k * step);
				x1[k] = (PTE)(expect + (k + L) * step);
				x2[k] = (PTE)(expect + (k + 2 * L) * step);
				x3[k] = (PTE)(expect + (k + 3 * L) * step);
				inc[k] = (PTE)(4 * L * step);
			}
			for (; i + 4 * L <= n; i += 4 * L) {
				const vec *v = (const vec *)(const void *)(p + i);
				PTE any = 0;
				d = (v[0] ^ x0) | (v[1] ^ x1) | (v[2] ^ x2) | (v[3] ^ x3);
				for (unsigned k = 0; k < L; k++)
					any |= d[k];
				if (any)
					break;
				x0 += inc;
				x1 += inc;
				x2 += inc;
				x3 += inc;
			}
			expect += i * step;
		}
		for (; i + 4 <= n; i += 4, expect += 4 * step) {
			uint64_t d = (ld(&p[i]) ^ expect) | (ld(&p[i + 1]) ^ (expect + step)) |
				     (ld(&p[i + 2]) ^ (expect + 2 * step)) |
				     (ld(&p[i + 3]) ^ (expect + 3 * step));
			if (d)
				break;
		}
	}
	for (; i < n && ld(&p[i]) == expect; i++)
		expect = succ(0, expect, PG_SIZE);
	return i;
}

/* Write n leaves of height h from e on, each `size` further: the hot loop
 * of every map. */
static inline void fill(PTE *p, size_t n, unsigned h, uint64_t e, uint64_t size)
{
	size_t i = 0;
	if (A(OUT_LINEAR)) {
		const uint64_t step = A(out)(size);
		for (; i + 4 <= n; i += 4, e += 4 * step) {
			st(&p[i], e);
			st(&p[i + 1], e + step);
			st(&p[i + 2], e + 2 * step);
			st(&p[i + 3], e + 3 * step);
		}
	}
	for (; i < n; i++, e = succ(h, e, size))
		st(&p[i], e);
}

/* Rewrite the entries of p[0..n) that continue the run of last-level leaves old,
 * succ(old), ... as nv, succ(nv), ...: a chunk is compared first (run_len),
 * then stored, so the compare costs no store-side work. */
static inline size_t rewrite_run(PTE *p, size_t n, uint64_t old, uint64_t nv)
{
	enum { CHUNK = 64 };
	size_t i = 0;
	while (i < n) {
		size_t c = min_sz(n - i, CHUNK);
		size_t r = run_len(&p[i], c, old);
		fill(&p[i], r, 0, nv, PG_SIZE);
		i += r;
		if (r < c)
			break;
		old = succ(0, old, r * PG_SIZE);
		nv = succ(0, nv, r * PG_SIZE);
	}
	return i;
}

/*
 * The first entry of tbl at or after i (n if none) that is not EMPTY, the
 * only empty entry the engine writes: walks cross a sparse table's empty
 * stretches four entries per test, and past the first four, 128 bytes per
 * vector test (each lane an aligned entry read whole). Out of line: it
 * runs only once an empty entry is found, and would crowd the registers of
 * its callers' loops.
 */
static __attribute__((noinline)) size_t skip_empty(const PTE *tbl, size_t i, size_t n)
{
	bool wide = false; /* the vector steps ran */
	while (i + 4 <= n && !((ld(&tbl[i]) ^ EMPTY) | (ld(&tbl[i + 1]) ^ EMPTY) |
			       (ld(&tbl[i + 2]) ^ EMPTY) | (ld(&tbl[i + 3]) ^ EMPTY))) {
		i += 4;
		if (!wide && i + STEP_ENTRIES <= n) {
			wide = true;
			while (i + STEP_ENTRIES <= n && !step_differs(&tbl[i], EMPTY, ~(uint64_t)0))
				i += STEP_ENTRIES;
		}
	}
	while (i < n && ld(&tbl[i]) == EMPTY)
		i++;
	return i;
}

/* MemorySanitizer does not see stores made by inline assembly. */
#if defined(__has_feature)
#if __has_feature(memory_sanitizer)
#define PT_NO_STRING_STORES 1
#endif
#endif

/*
 * Empty entries [from, to) of a new table nothing points to yet: the
 * release store that links it orders these before it, so they need not go
 * through st(). 64 bytes per step, volatile so that the loop cannot become
 * a memset call. On an x86-64 host a stretch of 512 bytes or more is one
 * string store, which fills whole cache lines at a time (the fast-string
 * path): the new table of a region of huge leaves is mostly emptied, not
 * written. Its stores are not single-copy atomic, which a table nothing
 * points to does not need.
 */
static inline void clear_entries(PTE *tbl, size_t from, size_t to)
{
	enum { L = PT_LANES(PTE) };
	vec z = { 0 };
	size_t i = from;
#if defined(__x86_64__) && !defined(PT_NO_STRING_STORES)
	if ((to - from) * sizeof(PTE) >= 512) {
		/* 8 bytes a step: a 4-byte entry twice */
		const uint64_t e = sizeof(PTE) == 8 ? (uint64_t)EMPTY : (uint64_t)EMPTY * 0x100000001u;
		for (; i < to && (i * sizeof(PTE)) % 8; i++)
			st(&tbl[i], EMPTY);
		void *d = &tbl[i];
		size_t c = (to - i) * sizeof(PTE) / 8;
		i += c * (8 / sizeof(PTE));
		__asm__ volatile("rep stosq" : "+D"(d), "+c"(c) : "a"(e) : "memory");
		for (; i < to; i++)
			st(&tbl[i], EMPTY);
		return;
	}
#endif
	for (unsigned k = 0; k < L; k++)
		z[k] = (PTE)EMPTY;
	for (; i < to && (i % L); i++)
		st(&tbl[i], EMPTY);
	for (; i + 4 * L <= to; i += 4 * L) {
		volatile vec *v = (volatile vec *)(void *)(tbl + i);
		v[0] = z;
		v[1] = z;
		v[2] = z;
		v[3] = z;
	}
	for (; i < to; i++)
		st(&tbl[i], EMPTY);
}

/* Replace a present entry, through EMPTY and a TLB invalidation where the
 * format needs break-before-make (`all`: the old entry was a table). */
static inline void replace(struct pt_op *op, unsigned l, PTE *p, uint64_t old, uint64_t nv,
			   uint64_t va, bool all)
{
	if (A(needs_bbm)(HT(op, l), old, nv)) {
		st(p, EMPTY);
		pt__flush_now(op->t, va, all);
	}
	st(p, nv);
}

/* ---- pt_pte_decode (pt_pte_page and pt_pte_table: leaf_at, table) ---- */

/* size: the level's span, and a shared-run member's run (it holds no PA of
 * its own). */
static int decode(unsigned feat, unsigned h, uint64_t e, uint64_t *pa, uint32_t *flags,
		  uint64_t *size)
{
	int k;
	if (e != (uint64_t)(PTE)e)
		return PTK_CORRUPT; /* wider than this format's entries */
	k = A(kind)(feat, h, e);
	if (k == PTK_TABLE)
		*pa = A(table_pa)(h, e);
	if (k == PTK_LEAF) {
		*pa = member_pa(feat, h, e, 0, *size);
		if (shared_member(feat, h, e))
			*size <<= A(run_order)(feat, h);
		*flags = A(leaf_flags)(feat, h, e);
	}
	return k;
}
