/* SPDX-License-Identifier: MIT */
/*
 * fuzz_ops: the format description and the reference model of an address space.
 * Included once, by fuzz/fuzz_ops.c, which defines the bounds and globals
 * these sections share; split out only to keep each file to one job.
 */
#ifndef PT_FUZZ_OPS_MODEL_H
#define PT_FUZZ_OPS_MODEL_H

/* ---- Format description (derived from the public metadata) ------------ */

static struct {
	enum pt_arch arch;
	unsigned feat, levels, va_bits, pa_bits;
	unsigned cfg_bits; /* pt_init_config's va_bits: 0, the default */
	unsigned plev;     /* add to a level for pt_pte_*: the widest table's */
	unsigned shift[PT_MAX_LEVELS], entries[PT_MAX_LEVELS];
	uint64_t leaf_sizes;
	unsigned pg;       /* log2 of the page: the AArch64 granule, else 12 */
	bool sext, armv7;
	bool a64;         /* AArch64 stage 1, any granule */
	bool s2;          /* AArch64 stage 2 */
	bool ept, gstage; /* stage 2: no USER, no GLOBAL, no upper half */
	bool stateless;   /* no access state kept: ARMv7, EPT without A/D */
	/* Contiguous runs: log2 of the leaves in a group at heights 0 and 1
	 * (0: none), and the bit that marks a member (the Arm ARM's
	 * contiguous bit, restated here). */
	unsigned run_k[2];
	uint64_t run_bit;
	bool napot; /* members share one entry (Svnapot), not their own */
} S;

/* The page: every region call's unit of alignment and size. */
#define PG (UINT64_C(1) << S.pg)

static uint64_t span(unsigned l)
{
	return UINT64_C(1) << S.shift[l];
}

static bool leaf_level(unsigned l)
{
	return (S.leaf_sizes & span(l)) != 0;
}

static unsigned level_of(uint64_t size)
{
	for (unsigned l = 0; l < S.levels; l++)
		if (span(l) == size)
			return l;
	return ~0u;
}

static size_t idx(unsigned l, uint64_t va)
{
	return (size_t)((va >> S.shift[l]) & (S.entries[l] - 1u));
}

/* A stage 2 of `bits` IPA bits (0: the default 40) has (bits - 8) / 9
 * levels from Arm level 4 - levels, the root indexing every IPA bit above
 * the level below it (up to 16 concatenated tables). An AArch64 stage 1
 * of granule 2^g and `bits` VA bits resolves g - 3 bits a level below a
 * root that takes what is left (its Arm levels end at 3). */
static void shape_init(enum pt_arch a, unsigned feat, unsigned bits)
{
	const struct pt_arch_info *in = pt_arch_info(a);
	FZ_CHECK(in != NULL);
	S.arch = a;
	S.feat = feat;
	S.cfg_bits = bits;
	S.levels = in->levels;
	S.va_bits = in->va_bits;
	S.pa_bits = in->pa_bits;
	S.leaf_sizes = in->leaf_sizes;
	/* FEAT_LPA2: 52-bit OAs and 512G blocks at the root. */
	if (a == PT_AARCH64 && (feat & PT_FEAT_AARCH64_PA52)) {
		S.pa_bits = 52;
		S.leaf_sizes |= PT_SIZE_512G;
	}
	S.armv7 = a == PT_ARMV7;
	S.s2 = a == PT_AARCH64_S2;
	S.ept = fz_is_ept(a);
	S.gstage = fz_is_gstage(a);
	S.stateless = S.armv7 || (S.ept && !(feat & PT_FEAT_EPT_AD));
	S.a64 = a == PT_AARCH64 || a == PT_AARCH64_16K || a == PT_AARCH64_64K;
	S.pg = a == PT_AARCH64_16K ? 14u : a == PT_AARCH64_64K ? 16u : 12u;
	S.sext = !S.a64 && a != PT_ARMV7 && !S.s2 && !S.ept && !S.gstage;
	if (S.s2 && bits) {
		S.va_bits = bits;
		S.levels = (bits - 8) / 9;
		S.leaf_sizes = PT_SIZE_4K | PT_SIZE_2M | (S.levels > 2 ? PT_SIZE_1G : 0);
	}
	if (S.a64 && bits) {
		S.va_bits = bits;
		S.levels = (bits - 4) / (S.pg - 3); /* ceil((bits - g) / (g - 3)) */
	}
	S.plev = S.s2 ? 4 - S.levels : S.a64 ? (a == PT_AARCH64_64K ? 3 : 4) - S.levels : 0;
	for (unsigned l = 0; l < S.levels; l++) {
		S.shift[l] = S.armv7 ? (l ? 12u : 20u) : S.pg + (S.pg - 3) * (S.levels - 1 - l);
		S.entries[l] = S.armv7 ? (l ? 256u : 4096u) : 1u << (S.pg - 3);
	}
	if (S.s2 || S.a64)
		S.entries[0] = 1u << (S.va_bits - S.shift[0]);
	/* The G-stage root: 2048 entries, 16 KiB. */
	if (S.gstage)
		S.entries[0] = 2048;
	S.run_k[0] = S.run_k[1] = 0;
	S.run_bit = 0;
	S.napot = false;
	if (a == PT_AARCH64 || a == PT_AARCH64_16K || a == PT_AARCH64_64K) {
		S.run_k[0] = a == PT_AARCH64 ? 4 : a == PT_AARCH64_16K ? 7 : 5;
		S.run_k[1] = a == PT_AARCH64 ? 4 : 5;
		S.run_bit = UINT64_C(1) << 52;
	}
	/* Svnapot: 16 pages, every member the run's one entry (N, bit 63,
	 * and PPN[3:0] = 0b1000 in place of the run's low PPN bits). */
	if ((a == PT_RISCV_SV39 || a == PT_RISCV_SV48 || a == PT_RISCV_SV57) &&
	    (S.feat & PT_FEAT_RISCV_SVNAPOT)) {
		S.run_k[0] = 4;
		S.run_bit = UINT64_C(1) << 63;
		S.napot = true;
	}
}

/* log2 of the leaves in a contiguous group at level l (0: none). */
static unsigned run_order(unsigned l)
{
	const unsigned h = S.levels - 1 - l;
	return h < 2 ? S.run_k[h] : 0;
}

/* The VA rules, restated independently of src/api.c. */
static bool va_ok(uint64_t va)
{
	if (S.armv7)
		return va >> 32 == 0;
	if (S.s2)
		return va >> S.va_bits == 0;
	if (!S.sext) /* AArch64's halves; stage 2's one range */
		return (S.feat & PT_FEAT_AARCH64_HIGH) ? va >> S.va_bits == UINT64_MAX >> S.va_bits
						       : va >> S.va_bits == 0;
	uint64_t hi = va >> (S.va_bits - 1);
	return hi == 0 || hi == UINT64_MAX >> (S.va_bits - 1);
}

/* Software bits (the OS's own) and access state bits (reported apart). */
#define SW_BITS (PT_SW0 | PT_SW1)
#define STATE_BITS (PT_ACCESSED | PT_DIRTY)

/* Mapping flags a call takes: READ, no unknown bit; ARMv7 has no bits to
 * keep PT_SW0/1 in. */
static bool flags_ok(uint32_t f)
{
	return (f & PT_READ) && !(f & ~(uint32_t)PT_FLAGS_ALL) && !(S.armv7 && (f & SW_BITS));
}

/* Normalisation: the strongest memory type wins, the weaker ones go; WC
 * is x86's alone (UNCACHED elsewhere); RISC-V without Svpbmt or XuanTie has
 * no memory types; AArch64 EL2 has no EL0 bit and no ASIDs. */
static uint32_t norm(uint32_t f)
{
	f &= PT_FLAGS_ALL;
	/* Stage 2: no privilege split, no ASIDs; EPT's one uncached type is
	 * UC (DEVICE) and it keeps WC; G-stage has no memory types. */
	if (S.ept || S.gstage)
		f &= ~(uint32_t)(PT_USER | PT_GLOBAL);
	if (S.gstage)
		f &= ~(uint32_t)(PT_DEVICE | PT_UNCACHED | PT_WC);
	if (S.ept && (f & PT_UNCACHED))
		f = (f & ~(uint32_t)PT_UNCACHED) | PT_DEVICE;
	if (f & PT_DEVICE)
		f &= ~(uint32_t)(PT_UNCACHED | PT_WC);
	else if (f & PT_UNCACHED)
		f &= ~(uint32_t)PT_WC;
	if ((f & PT_WC) && S.arch != PT_X86_64 && S.arch != PT_X86_64_LA57 && !S.ept)
		f = (f & ~(uint32_t)PT_WC) | PT_UNCACHED;
	if ((S.arch == PT_RISCV_SV39 || S.arch == PT_RISCV_SV48 || S.arch == PT_RISCV_SV57) &&
	    !(S.feat & (PT_FEAT_RISCV_SVPBMT | PT_FEAT_RISCV_XUANTIE)))
		f &= ~(uint32_t)(PT_DEVICE | PT_UNCACHED | PT_WC);
	if ((S.a64 && (S.feat & PT_FEAT_AARCH64_EL2)) || S.s2)
		f &= ~(uint32_t)(PT_USER | PT_GLOBAL);
	if (S.armv7)
		f &= ~(uint32_t)SW_BITS;
	return f;
}

/* The state of a new leaf (map, map_region, remap): accessed, and dirty
 * when writable. */
static uint32_t fresh(uint32_t nflags)
{
	return PT_ACCESSED | ((nflags & PT_WRITE) ? PT_DIRTY : 0);
}

/* What a leaf with these flags reports: ARMv7 and EPT without A/D flags
 * store no state (every leaf accessed, every writable one dirty);
 * elsewhere the state is its own. */
static uint32_t st_of(uint32_t nflags, uint32_t state)
{
	return S.stateless ? fresh(nflags) : state;
}

/* ---- The model ----------------------------------------------------------- */

struct leaf {
	uint64_t va, pa, size;
	uint32_t flags; /* normalised, with PT_SW0/1 */
	uint32_t state; /* PT_ACCESSED, PT_DIRTY */
	bool shared; /* seen through a root entry shared from the other table */
	bool corrupt; /* the slot holds an entry that decodes as corrupt */
	bool run;     /* a member of a contiguous group (marked) */
};

struct tbl {
	uint64_t va;    /* base of the span the table covers */
	unsigned level; /* >= 1: the root is implicit */
	bool shared;
};

struct model {
	struct leaf *lv;
	size_t n, cap;
	struct tbl *tv;
	size_t nt, capt;
	uint64_t shared[PT_MAX_ROOT_ENTRIES / 64];
};

struct ctx {
	struct pt_table t;
	struct model m;
	bool alive;
	bool frozen;     /* its tables are shared into main: no more edits */
};

static struct arena A;
static bool arena_ready;
static struct ctx C[2];
static struct pt_mm MM;

/* pt_translate of a table of this format and width: a width other than
 * the default, which pt_translate cannot be told, through pt_access under
 * libpt's own regime for it (hardware access state), with pt_translate's
 * results. */
static int translate(uint64_t root, uint64_t va, struct pt_mapping *out)
{
	struct pt_regime r;
	struct pt_fault ft;
	int e;
	if (!S.cfg_bits)
		return pt_translate(S.arch, S.feat, root, &MM, va, out);
	memset(&r, 0, sizeof(r));
	r.arch = S.arch;
	r.features = S.feat;
	r.va_bits = S.cfg_bits;
	r.root = root;
	r.controls = PT_CTL_HA | PT_CTL_HD;
	e = pt_access(&r, &MM, va, 0, out, &ft);
	if (e != PT_ERR_FAULT)
		return e;
	return ft.kind == PT_FAULT_NOT_PRESENT ? PT_ERR_NOT_MAPPED
	       : ft.kind == PT_FAULT_ADDRESS   ? PT_ERR_INVALID
					       : PT_ERR_CORRUPT;
}

static const char *cur_op = "init";
static bool need_check; /* something may have changed since the last full check */
static int trace = -1; /* FUZZ_TRACE=1: print every call and its result */
static unsigned cur_opno;

static void fz_context(void)
{
	fprintf(stderr, "  format %s features %#x, op #%u %s\n",
		pt_arch_info(S.arch) ? pt_arch_info(S.arch)->name : "?", S.feat, cur_opno, cur_op);
}

/* memcpy/memmove that accept (NULL, 0): empty arrays start out NULL. */
static void mv(void *d, const void *src, size_t n)
{
	if (n)
		memmove(d, src, n);
}

static void m_clear(struct model *m)
{
	m->n = 0;
	m->nt = 0;
	memset(m->shared, 0, sizeof(m->shared));
}

static void *grow(void *p, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return p;
	size_t nc = *cap ? *cap : 64;
	while (nc < need)
		nc *= 2;
	p = realloc(p, nc * elem);
	FZ_CHECK(p != NULL);
	*cap = nc;
	return p;
}

static uint64_t llast(const struct leaf *x)
{
	return x->va + (x->size - 1);
}

/* First leaf whose last byte is >= va. */
static size_t m_first_ge(const struct model *m, uint64_t va)
{
	size_t lo = 0, hi = m->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (llast(&m->lv[mid]) < va)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static size_t m_ncorrupt(const struct model *m)
{
	size_t n = 0;
	for (size_t i = 0; i < m->n; i++)
		n += m->lv[i].corrupt;
	return n;
}

static struct leaf *m_find(struct model *m, uint64_t va)
{
	size_t i = m_first_ge(m, va);
	return i < m->n && m->lv[i].va <= va ? &m->lv[i] : NULL;
}

/* Replace leaves [i, j) with the k leaves at nw. */
static void m_splice(struct model *m, size_t i, size_t j, const struct leaf *nw, size_t k)
{
	m->lv = grow(m->lv, &m->cap, m->n - (j - i) + k + 1, sizeof(*m->lv));
	mv(&m->lv[i + k], &m->lv[j], (m->n - j) * sizeof(*m->lv));
	mv(&m->lv[i], nw, k * sizeof(*nw));
	m->n = m->n - (j - i) + k;
}

static int tcmp(uint64_t va1, unsigned l1, uint64_t va2, unsigned l2)
{
	if (va1 != va2)
		return va1 < va2 ? -1 : 1;
	return l1 < l2 ? -1 : l1 > l2;
}

static size_t t_lower(const struct model *m, uint64_t va, unsigned level)
{
	size_t lo = 0, hi = m->nt;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (tcmp(m->tv[mid].va, m->tv[mid].level, va, level) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static struct tbl *t_find(struct model *m, uint64_t va, unsigned level)
{
	size_t i = t_lower(m, va, level);
	return i < m->nt && m->tv[i].va == va && m->tv[i].level == level ? &m->tv[i] : NULL;
}

static void t_add(struct model *m, uint64_t va, unsigned level, bool shared)
{
	size_t i = t_lower(m, va, level);
	if (i < m->nt && m->tv[i].va == va && m->tv[i].level == level)
		return;
	m->tv = grow(m->tv, &m->capt, m->nt + 1, sizeof(*m->tv));
	mv(&m->tv[i + 1], &m->tv[i], (m->nt - i) * sizeof(*m->tv));
	m->tv[i] = (struct tbl){ va, level, shared };
	m->nt++;
}

static void t_del(struct model *m, size_t i)
{
	mv(&m->tv[i], &m->tv[i + 1], (m->nt - i - 1) * sizeof(*m->tv));
	m->nt--;
}

/* Base of the span of a level-l table holding va (l >= 1). */
static uint64_t tbase(unsigned l, uint64_t va)
{
	return va & ~(span(l - 1) - 1);
}

static bool root_shared(const struct model *m, size_t i)
{
	return (m->shared[i / 64] >> (i % 64)) & 1;
}

static bool touches_shared(const struct model *m, uint64_t va, uint64_t last)
{
	for (size_t i = idx(0, va), j = idx(0, last); i <= j; i++)
		if (root_shared(m, i))
			return true;
	return false;
}

/* Frames a table owns: root plus one granule per table; ARMv7 packs the
 * L2 tables of four consecutive L1 entries into one frame. */
static size_t m_frames(const struct model *m)
{
	/* The root: ARMv7's and the G-stage's 16 KiB, a stage 2's
	 * concatenated tables. */
	size_t n = S.armv7 || S.gstage ? 4 : S.entries[0] > 512 ? S.entries[0] / 512 : 1;
	const size_t tf = (size_t)1 << (S.pg - 12);
	uint64_t last_group = UINT64_MAX;
	for (size_t i = 0; i < m->nt; i++) {
		if (m->tv[i].shared)
			continue;
		if (!S.armv7) {
			n += tf;
		} else if (m->tv[i].va >> 22 != last_group) {
			last_group = m->tv[i].va >> 22;
			n++;
		}
	}
	return n;
}

/* Frames c's table holds for its next full flush (pt_flush): table frames
 * out of the tree that the TLB may still cache. They count as the table's
 * own. The harness reads this private field as it reads the flush
 * records. */
static size_t pending_frames(const struct ctx *c)
{
	size_t n = 0;
	for (unsigned i = 0; i < c->t.nfree; i++)
		n += (size_t)(c->t.free_pending[i] & 0xfff);
	return n;
}

/* Anything (leaf, table) present in [va, last]? */
static bool m_any_leaf(struct model *m, uint64_t va, uint64_t last)
{
	size_t i = m_first_ge(m, va);
	return i < m->n && m->lv[i].va <= last;
}

static bool m_any_table(struct model *m, uint64_t va, uint64_t last, unsigned minlevel)
{
	for (size_t i = t_lower(m, va, 0); i < m->nt && m->tv[i].va <= last; i++)
		if (m->tv[i].level >= minlevel)
			return true;
	return false;
}

static bool root_present(struct model *m, uint64_t base)
{
	uint64_t last = base + (span(0) - 1);
	return root_shared(m, idx(0, base)) || m_any_leaf(m, base, last) ||
	       m_any_table(m, base, last, 1);
}

/* ---- Frame accounting for one call (ARMv7 counts packed groups) ------- */

struct need {
	size_t n;
	uint64_t group;
};

static void need_table(struct need *nd, unsigned level, uint64_t va)
{
	if (!S.armv7 || level != 1) {
		nd->n++;
		return;
	}
	if (va >> 22 != nd->group) {
		nd->group = va >> 22;
		nd->n++;
	}
}

/* ---- Contiguous runs in the model ----------------------------------------- */

/* The groups an edit broke, to mark again if the call fails. */
struct broken {
	uint64_t base[2], size[2];
	unsigned n;
};

/* Mark (or unmark) the leaves of `size` in the group from base. */
static void m_mark(struct model *m, uint64_t base, uint64_t size, bool run)
{
	const uint64_t end = base + (size << run_order(level_of(size))) - 1;
	for (size_t i = m_first_ge(m, base); i < m->n && m->lv[i].va <= end; i++)
		m->lv[i].run = run;
}

/*
 * Before an edit of [va, last]: the groups holding va and last that reach
 * outside it are broken (every member made plain; a flush on Arm). One
 * with a member that is not a marked leaf of its size cannot be:
 * PT_ERR_CORRUPT, and nothing is broken.
 */
static int m_break_ends(struct model *m, uint64_t va, uint64_t last, struct broken *b, bool *bbm)
{
	const uint64_t ends[2] = { va, last };
	b->n = 0;
	for (unsigned k = 0; k < 2; k++) {
		const struct leaf *x = m_find(m, ends[k]);
		uint64_t gs, base;
		size_t i, n = 0;
		if (!x || x->corrupt || !x->run)
			continue;
		gs = x->size << run_order(level_of(x->size));
		base = x->va & ~(gs - 1);
		if ((base >= va && base + (gs - 1) <= last) || (b->n && b->base[0] == base))
			continue;
		for (i = m_first_ge(m, base); i < m->n && m->lv[i].va < base + gs; i++, n++)
			if (m->lv[i].corrupt || !m->lv[i].run || m->lv[i].size != x->size)
				return PT_ERR_CORRUPT;
		if (n != gs / x->size)
			return PT_ERR_CORRUPT;
		b->base[b->n] = base;
		b->size[b->n++] = x->size;
	}
	for (unsigned k = 0; k < b->n; k++)
		m_mark(m, b->base[k], b->size[k], false);
	if (b->n)
		*bbm = true;
	return PT_OK;
}

/* The call failed: the groups are as they were. */
static void m_unbreak(struct model *m, const struct broken *b)
{
	for (unsigned k = 0; k < b->n; k++)
		m_mark(m, b->base[k], b->size[k], true);
}

/* A map with huge leaves marks every aligned group of its leaves of one
 * size over an equally aligned PA run (leaves[0..n), in VA order). */
static void m_mark_new(struct leaf *lv, size_t n)
{
	for (size_t k = 0; k < n;) {
		const unsigned o = run_order(level_of(lv[k].size));
		const size_t g = (size_t)1 << o;
		const uint64_t gs = lv[k].size << o;
		bool whole = o && k + g <= n && !(lv[k].va & (gs - 1)) && !((lv[k].va ^ lv[k].pa) & (gs - 1));
		for (size_t q = 1; whole && q < g; q++)
			whole = lv[k + q].size == lv[k].size;
		if (!whole) {
			k++;
			continue;
		}
		for (size_t q = 0; q < g; q++)
			lv[k + q].run = true;
		k += g;
	}
}

#endif
