/* SPDX-License-Identifier: MIT */
/*
 * The public API: argument checking (all the engines assume about their
 * input is established here), then one dispatch per call into the family's
 * engine (src/engine.h). include/pt/inline.h inlines the fast paths of
 * pt_map and pt_query, defined out of line here.
 */
#define PT_NO_INLINE_API
#include "op.h"

const char *pt_strerror(int err)
{
	switch (err) {
	case PT_OK: return "success";
	case PT_ERR_NO_MEMORY: return "out of memory for page-table frames";
	case PT_ERR_NOT_ALIGNED: return "address or size not aligned";
	case PT_ERR_NOT_MAPPED: return "not mapped";
	case PT_ERR_ALREADY_MAPPED: return "already mapped";
	case PT_ERR_MAPPED_TO_HUGE_PAGE: return "mapped by a huge page";
	case PT_ERR_INVALID: return "invalid argument";
	case PT_ERR_CORRUPT: return "corrupt page-table entry";
	case PT_ERR_FAULT: return "the access faults";
	default: return "unknown error";
	}
}

/* ---- Metadata ----------------------------------------------------------- */

const struct pt_arch_info *pt_arch_info(enum pt_arch a)
{
	const struct pt_shape *s = pt__shape(pt__slot(a, 0));
	return s ? &s->info : (const struct pt_arch_info *)0;
}

/* Under some width of the format: its widest serves every VA a narrower
 * one does. */
bool pt_va_valid(enum pt_arch a, uint64_t va)
{
	const struct pt_shape *w = pt__shape_widest(pt__slot(a, 0));
	/* Widths that need a feature (PT_FEAT_AARCH64_VA52) do not count. */
	const struct pt_shape *s = w && !pt__width_ok(w, 0) ? pt__shape_bits(pt__slot(a, 0), 48) : w;
	return s && (pt__va_ok(s, 0, va) ||
		     ((s->features & PT_FEAT_AARCH64_HIGH) && pt__va_ok(s, PT_FEAT_AARCH64_HIGH, va)));
}

bool pt_pa_valid(enum pt_arch a, uint64_t pa)
{
	const struct pt_shape *s = pt__shape(pt__slot(a, 0));
	return s && (pa >> s->info.pa_bits) == 0;
}

/* a's shape for va_bits (0: the default), or NULL if a is unknown, has no
 * such width, or f is not a feature set of it. */
static const struct pt_shape *shape_with(enum pt_arch a, unsigned f, unsigned va_bits)
{
	const unsigned x = pt__slot(a, f);
	const struct pt_shape *s = va_bits ? pt__shape_bits(x, va_bits) : pt__shape(x);
	return s && pt__features_ok(s, f) && pt__width_ok(s, f) ? s : (const struct pt_shape *)0;
}

/* The shape the entry helpers number levels in: the format's widest, so
 * that every entry of every width has a level (AArch64: the Arm lookup
 * level; a table of fewer levels starts further down). */
static const struct pt_shape *entry_shape(enum pt_arch a, unsigned f)
{
	const struct pt_shape *s = pt__shape_widest(pt__slot(a, f));
	return s && pt__features_ok(s, f) ? s : (const struct pt_shape *)0;
}

/* Mapping flags a call may pass: READ, no unknown bit, and PT_SW0/1 only
 * where the format has bits to keep them in. */
PT_INLINE bool flags_ok(enum pt_arch a, uint32_t flags)
{
	return (flags & PT_READ) && !(flags & ~PT_FLAGS_ALL) &&
	       !(a == PT_ARMV7 && (flags & (PT_SW0 | PT_SW1)));
}

uint32_t pt_flags_normalize(enum pt_arch a, unsigned features, uint32_t flags)
{
	return pt__norm(flags, pt__flags_kept(a, features), pt__memtypes(a));
}

/* Height of a leaf of `size` in shape s (pages of `page` bytes), or -1 if
 * s has no such leaf. */
static int leaf_height(const struct pt_shape *s, uint64_t page, uint64_t size)
{
	if (size == page)
		return 0;
	for (unsigned l = 0; l < s->info.levels; l++)
		if (pt__span(s, l) == size && ((s->leaf_levels >> l) & 1))
			return (int)(s->info.levels - 1 - l);
	return -1;
}

/* ---- Entry encoding ----------------------------------------------------- */

uint64_t pt_pte_page(enum pt_arch a, unsigned features, unsigned level, uint64_t pa, uint32_t flags)
{
	const struct pt_shape *s = entry_shape(a, features);
	const struct pt_engine *e = pt__engine(pt__slot(a, features));
	if (!s || !e || level >= s->info.levels || !((s->leaf_levels >> level) & 1) ||
	    !flags_ok(a, flags) || (pa & (pt__span(s, level) - 1)) || (pa >> s->info.pa_bits))
		return 0;
	return e->pte_leaf(features, s->info.levels - 1 - level, pa,
				       pt__fresh(pt_flags_normalize(a, features, flags)));
}

uint64_t pt_pte_table(enum pt_arch a, unsigned level, uint64_t pa)
{
	const struct pt_shape *s = entry_shape(a, 0);
	const struct pt_engine *e = pt__engine(pt__slot(a, 0));
	if (!s || !e || level + 1 >= s->info.levels || (pa & (pt__table_bytes(s, level + 1) - 1)) ||
	    (pa >> s->info.pa_bits))
		return 0;
	return e->pte_table(s->info.levels - 1 - level, pa);
}

/* *out for the entry pte at level, of kind k (PTK_*), next table or leaf
 * pa, leaf flags and state, size. */
static int entry_out(struct pt_entry *out, unsigned level, uint64_t pte, int k, uint64_t pa,
		     uint32_t flags, uint64_t size)
{
	if (k == PTK_EMPTY)
		return PT_ERR_NOT_MAPPED;
	if (k == PTK_CORRUPT)
		return PT_ERR_CORRUPT;
	*out = (struct pt_entry){ .level = level, .pte = pte, .leaf = k == PTK_LEAF, .pa = pa,
				  .flags = flags & PT_FLAGS_ALL, .state = flags & PT_STATE_ALL,
				  .size = size };
	return PT_OK;
}

int pt_pte_decode(enum pt_arch a, unsigned features, unsigned level, uint64_t pte,
		  struct pt_entry *out)
{
	const struct pt_shape *s = entry_shape(a, features);
	const struct pt_engine *e = pt__engine(pt__slot(a, features));
	uint64_t pa = 0, size;
	uint32_t flags = 0;
	if (!s || !e || !out || level >= s->info.levels)
		return PT_ERR_INVALID;
	size = pt__span(s, level);
	const int k = e->decode(features, s->info.levels - 1 - level, pte, &pa, &flags, &size);
	return entry_out(out, level, pte, k, pa, flags, size);
}

int pt_regime_decode(const struct pt_regime *r, unsigned level, uint64_t pte, struct pt_entry *out)
{
	const struct pt_shape *s =
		r ? shape_with(r->arch, r->features, r->va_bits) : (const struct pt_shape *)0;
	const struct pt_engine *e =
		r ? pt__engine(pt__slot(r->arch, r->features)) : (const struct pt_engine *)0;
	uint64_t pa = 0, size;
	uint32_t flags = 0;
	int k;
	if (!s || !e || !out || level >= s->info.levels || !e->regime_ok(r))
		return PT_ERR_INVALID;
	size = pt__span(s, level);
	k = e->regime_decode(r, s->info.levels - 1 - level, pte, &pa, &flags, &size);
	return entry_out(out, level, pte, k, pa, flags, size);
}

/* ---- Life cycle --------------------------------------------------------- */

PT_INLINE uint64_t max_u64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

/* Dead: every call but pt_init fails or does nothing, and the inline fast
 * paths, which test only the hints, take none. */
static void make_dead(struct pt_table *t)
{
	pt__forget_hints(t);
	t->engine = (const struct pt_engine *)0;
	t->lookup = (pt__lookup_fn)0;
	t->root = 0;
	t->nflush = 0;
	t->nfree = 0;
}

int pt_init_config(struct pt_table *t, const struct pt_config *cfg, const struct pt_mm *mm)
{
	const struct pt_shape *s =
		cfg ? shape_with(cfg->arch, cfg->features, cfg->va_bits) : (const struct pt_shape *)0;
	const enum pt_arch arch = cfg ? cfg->arch : PT_ARCH_COUNT;
	const unsigned features = cfg ? cfg->features : 0;
	if (!t)
		return PT_ERR_INVALID;
	t->tables_gen = 0;
	make_dead(t);
	if (!s || !mm || !mm->alloc_frames || !mm->free_frames || !mm->phys_to_virt)
		return PT_ERR_INVALID;
	t->mm = *mm;
	t->arch = arch;
	t->features = features;
	t->flags_kept = pt__flags_kept(arch, features);
	t->memtypes = pt__memtypes(arch);
	t->page_mask = pt__page(s) - 1;
	t->direct = false;
	t->direct_offset = 0;
	t->free_batch = (pt_free_batch_fn *)0;
	for (size_t i = 0; i < PT_MAX_ROOT_ENTRIES / 64; i++)
		t->shared[i] = 0;
	/* A root smaller than a frame (a stage 2 of 35..39 or 44..47 bits)
	 * still takes a whole one. */
	if (pt__alloc(t, s, s->frames[0], (size_t)max_u64(pt__table_bytes(s, 0), PT_FRAME_SIZE),
		      &t->root) != PT_OK)
		return PT_ERR_NO_MEMORY;
	t->shape = s;
	t->engine = pt__engine(pt__slot(arch, features));
	t->engine->init(t);
	return PT_OK;
}

int pt_init(struct pt_table *t, enum pt_arch arch, unsigned features, const struct pt_mm *mm)
{
	const struct pt_config cfg = { arch, features, 0 };
	return pt_init_config(t, &cfg, mm);
}

PT_INLINE bool alive(const struct pt_table *t)
{
	return t && t->engine && t->root;
}

void pt_destroy(struct pt_table *t)
{
	if (!alive(t))
		return;
	t->engine->destroy(t);
	make_dead(t);
}

uint64_t pt_root(const struct pt_table *t)
{
	return alive(t) ? t->root : 0;
}

int pt_set_direct_map(struct pt_table *t, uint64_t offset)
{
	if (!alive(t))
		return PT_ERR_INVALID;
	t->direct_offset = offset;
	t->direct = true;
	t->engine->set_direct(t);
	return PT_OK;
}

int pt_set_free_batch(struct pt_table *t, pt_free_batch_fn *fn)
{
	if (!alive(t))
		return PT_ERR_INVALID;
	t->free_batch = fn;
	return PT_OK;
}

uint64_t pt_satp(const struct pt_table *t, uint16_t asid)
{
	/* MODE 8, 9, 10: Sv39, Sv48, Sv57, consecutive in enum pt_arch too. */
	if (!alive(t) || t->arch < PT_RISCV_SV39 || t->arch > PT_RISCV_SV57)
		return 0;
	return (uint64_t)(8 + t->arch - PT_RISCV_SV39) << 60 | (uint64_t)asid << 44 | t->root >> 12;
}

/* VTCR_EL2 for a stage-2 table: T0SZ from the IPA size, SL0 from the start
 * level (4K granule: 2 - the Arm start level), inner-shareable write-back
 * walks, 4K granule, PS from the 48-bit PA size (0b101), VS for 16-bit
 * VMIDs, RES1 bit 31. */
uint64_t pt_vtcr(const struct pt_table *t)
{
	const struct pt_shape *s = alive(t) && t->arch == PT_AARCH64_S2 ? t->shape : 0;
	if (!s)
		return 0;
	return (uint64_t)(64 - s->info.va_bits) | (uint64_t)(s->info.levels - 2) << 6 |
	       UINT64_C(1) << 8 | UINT64_C(1) << 10 | UINT64_C(3) << 12 | UINT64_C(5) << 16 |
	       UINT64_C(1) << 19 | UINT64_C(1) << 31;
}

/* TCR_ELx for an AArch64 stage-1 table. The lower half's fields are
 * T0SZ (5:0), IRGN0 (9:8), ORGN0 (11:10), SH0 (13:12) and TG0 (15:14: 4K
 * 0, 64K 1, 16K 2); the upper half's the same 16 bits higher, with TG1
 * (31:30) encoded 16K 1, 4K 2, 64K 3. EL1's IPS is 34:32; EL2 (without
 * VHE) has PS at 18:16 and bits 31 and 23 RES1. 0b101: a 48-bit PA,
 * 0b110: 52 bits. FEAT_LPA2's DS is TCR_EL1 bit 59, TCR_EL2 bit 32 (SH0
 * then gives the shareability the descriptors no longer hold). */
uint64_t pt_tcr(const struct pt_table *t)
{
	const struct pt_shape *s = alive(t) && pt__is_a64_s1(t->arch) ? t->shape : 0;
	const unsigned page = s ? s->shift[s->info.levels - 1] : 0;
	/* Write-back write-allocate inner and outer, inner shareable. */
	const uint64_t walk = UINT64_C(1) << 8 | UINT64_C(1) << 10 | UINT64_C(3) << 12;
	const bool pa52 = s && (t->features & PT_FEAT_AARCH64_PA52);
	const bool ds = pa52 && page != 16;
	const uint64_t ps = pa52 ? 6 : 5;
	uint64_t half;
	if (!s)
		return 0;
	if (t->features & PT_FEAT_AARCH64_HIGH) {
		half = (uint64_t)(page == 12 ? 2 : page == 14 ? 1 : 3) << 14;
		return ((uint64_t)(64 - s->info.va_bits) | walk | half) << 16 | ps << 32 |
		       (uint64_t)ds << 59;
	}
	half = (uint64_t)(page == 12 ? 0 : page == 14 ? 2 : 1) << 14;
	if (t->features & PT_FEAT_AARCH64_EL2)
		return (uint64_t)(64 - s->info.va_bits) | walk | half | ps << 16 |
		       UINT64_C(1) << 23 | UINT64_C(1) << 31 | (uint64_t)ds << 32;
	return (uint64_t)(64 - s->info.va_bits) | walk | half | ps << 32 | (uint64_t)ds << 59;
}

uint64_t pt_vttbr(const struct pt_table *t, uint16_t vmid)
{
	if (!alive(t) || t->arch != PT_AARCH64_S2)
		return 0;
	return t->root | (uint64_t)vmid << 48;
}

uint64_t pt_eptp(const struct pt_table *t)
{
	/* Memory type WB (6) for the walk, page-walk length - 1 in 5:3, A/D
	 * enable in bit 6. */
	if (!alive(t) || !pt__is_ept(t->arch))
		return 0;
	return t->root | (uint64_t)(t->shape->info.levels - 1) << 3 | 6 |
	       (t->features & PT_FEAT_EPT_AD ? UINT64_C(1) << 6 : 0);
}

uint64_t pt_hgatp(const struct pt_table *t, uint16_t vmid)
{
	/* MODE 8, 9, 10: Sv39x4, Sv48x4, Sv57x4, consecutive in enum pt_arch
	 * too; VMID is 14 bits (57:44). */
	if (!alive(t) || !pt__is_gstage(t->arch) || vmid > 0x3fff)
		return 0;
	return (uint64_t)(8 + t->arch - PT_RISCV_SV39X4) << 60 | (uint64_t)vmid << 44 |
	       t->root >> 12;
}

/* ---- Address checks shared by the editing calls ------------------------- */

/* The root entry holding va. */
PT_INLINE size_t root_idx(const struct pt_shape *s, uint64_t va)
{
	return (size_t)(va >> s->shift[0]) & (s->entries[0] - 1u);
}

/* Any root entry in [va, last] shared from another table? */
PT_INLINE bool touches_shared(const struct pt_table *t, uint64_t va, uint64_t last)
{
	for (size_t i = root_idx(t->shape, va), j = root_idx(t->shape, last); i <= j; i++)
		if (pt__root_shared(t, i))
			return true;
	return false;
}

/* A range [va, va + size) of a region call: page-aligned, non-empty, no
 * wrap-around, both ends canonical and in the same half. */
PT_INLINE int range_ok(const struct pt_table *t, uint64_t va, uint64_t size, uint64_t *last)
{
	const struct pt_shape *s = t->shape;
	const uint64_t m = t->page_mask;
	if ((va & m) || (size & m))
		return PT_ERR_NOT_ALIGNED;
	if (size == 0 || va + (size - 1) < va)
		return PT_ERR_INVALID;
	*last = va + (size - 1);
	if (!pt__va_ok(s, t->features, va) || !pt__va_ok(s, t->features, *last))
		return PT_ERR_INVALID;
	/* Else the range spans the non-canonical hole (AArch64 and ARMv7
	 * tables serve one contiguous range: both ends valid is enough). */
	if (s->sign_extend && (va >> 63) != (*last >> 63))
		return PT_ERR_INVALID;
	return PT_OK;
}

/* The checks of every editing call at one address, in order: a live table,
 * the call's own arguments (args_ok), a canonical va outside any shared
 * root entry. */
PT_INLINE int edit_at(const struct pt_table *t, bool args_ok, uint64_t va)
{
	if (!alive(t) || !args_ok || !pt__va_ok(t->shape, t->features, va) ||
	    touches_shared(t, va, va))
		return PT_ERR_INVALID;
	return PT_OK;
}

/* The same for a region call over [va, va + size), *last set; the PA range
 * [pa, pa + size) too when pa is given: page-aligned, no wrap-around, within
 * the format's PA bits. */
PT_INLINE int edit_range(const struct pt_table *t, bool args_ok, uint64_t va, uint64_t size,
		      const uint64_t *pa, uint64_t *last)
{
	int r;
	if (!alive(t) || !args_ok)
		return PT_ERR_INVALID;
	if ((r = range_ok(t, va, size, last)))
		return r;
	if (pa && (*pa & t->page_mask))
		return PT_ERR_NOT_ALIGNED;
	if (pa && (*pa + (size - 1) < *pa || (*pa + (size - 1)) >> t->shape->info.pa_bits))
		return PT_ERR_INVALID;
	return touches_shared(t, va, *last) ? PT_ERR_INVALID : PT_OK;
}

/* What a new leaf of flags is written with: normalised, fresh state. */
PT_INLINE uint32_t new_leaf(const struct pt_table *t, uint32_t flags)
{
	return pt__fresh(pt__normalize_for(t, flags));
}

/* What a protect gives leaves: normalised; their state and software bits
 * stay theirs. */
PT_INLINE uint32_t protected(const struct pt_table *t, uint32_t flags)
{
	return pt__normalize_for(t, flags) & ~(PT_SW0 | PT_SW1);
}

/* ---- Editing ------------------------------------------------------------ */

/* What pt_map's hinted path does not take: every check in the documented
 * order, then a page by the engine's single-page path, or a huge leaf. */
int pt__map_slow(struct pt_table *t, uint64_t va, uint64_t pa, uint64_t size, uint32_t flags)
{
	if (!alive(t) || !flags_ok(t->arch, flags))
		return PT_ERR_INVALID;
	const struct pt_shape *s = t->shape;
	const int h = leaf_height(s, t->page_mask + 1, size);
	if (h < 0 || !pt__va_ok(s, t->features, va) || (pa >> s->info.pa_bits))
		return PT_ERR_INVALID;
	if ((va | pa) & (size - 1))
		return PT_ERR_NOT_ALIGNED;
	if (touches_shared(t, va, va))
		return PT_ERR_INVALID;
	if (h == 0)
		return t->engine->map_page(t, va, pa, flags);
	return t->engine->map(t, va, pa, va + (size - 1), new_leaf(t, flags), (unsigned)h);
}

/* The inline pt_map, out of line. */
int pt_map(struct pt_table *t, uint64_t va, uint64_t pa, uint64_t size, uint32_t flags)
{
	if (pt__map_hinted(t, va, pa, size, flags))
		return PT_OK;
	return pt__map_slow(t, va, pa, size, flags);
}

int pt_map_region(struct pt_table *t, uint64_t va, uint64_t pa, uint64_t size, uint32_t flags,
		  unsigned opts)
{
	uint64_t last;
	int r = edit_range(t, t && flags_ok(t->arch, flags) && !(opts & ~PT_ALLOW_HUGE), va, size,
			   &pa, &last);
	return r ? r : t->engine->map(t, va, pa, last, new_leaf(t, flags),
				      (opts & PT_ALLOW_HUGE) ? t->shape->info.levels - 1 : 0);
}

/* What pt_unmap's hinted path does not take. */
int pt__unmap_slow(struct pt_table *t, uint64_t va, struct pt_mapping *old)
{
	int r = edit_at(t, true, va);
	return r ? r : t->engine->unmap(t, va, old);
}

/* The inline pt_unmap, out of line. */
int pt_unmap(struct pt_table *t, uint64_t va, struct pt_mapping *old)
{
	if (pt__unmap_hinted(t, va, old))
		return PT_OK;
	return pt__unmap_slow(t, va, old);
}

int pt_remap(struct pt_table *t, uint64_t va, uint64_t pa, uint32_t flags, uint64_t *size)
{
	int r = edit_at(t, t && flags_ok(t->arch, flags), va);
	if (r || (pa >> t->shape->info.pa_bits))
		return r ? r : PT_ERR_INVALID;
	if (pa & t->page_mask)
		return PT_ERR_NOT_ALIGNED;
	return t->engine->change(t, va, true, pa, new_leaf(t, flags), size);
}

/* What pt_protect's hinted path does not take. A 4K leaf's rewrite leaves
 * its memo: the inline path may repeat it for these flags. */
int pt__protect_slow(struct pt_table *t, uint64_t va, uint32_t flags, uint64_t *size)
{
	int r = edit_at(t, t && flags_ok(t->arch, flags), va);
	uint32_t bits;
	if (r)
		return r;
	bits = protected(t, flags);
	r = t->engine->change(t, va, false, 0, bits, size);
	t->memo_pflags = t->memo_mode == PT__MEMO_PROTECT && t->memo_bits == bits ? flags : 0;
	return r;
}

/* The inline pt_protect, out of line. */
int pt_protect(struct pt_table *t, uint64_t va, uint32_t flags, uint64_t *size)
{
	if (pt__protect_hinted(t, va, flags, size))
		return PT_OK;
	return pt__protect_slow(t, va, flags, size);
}

/* Also what pt_query's inline fast path does not take. */
int pt__query_slow(const struct pt_table *t, uint64_t va, struct pt_mapping *out)
{
	int r = PT_ERR_INVALID;
	/* lookup is set exactly while t is alive; it writes out only when
	 * it finds a leaf. */
	if (PT_LIKELY(t && t->lookup && out) && (r = t->lookup(t, va, out)) == PT_OK)
		return PT_OK;
	if (out)
		*out = (struct pt_mapping){ 0, 0, 0, 0 };
	return r;
}

int pt_query(const struct pt_table *t, uint64_t va, struct pt_mapping *out)
{
	return pt__query_slow(t, va, out);
}

int pt_unmap_region(struct pt_table *t, uint64_t va, uint64_t size)
{
	uint64_t last;
	int r = edit_range(t, true, va, size, (const uint64_t *)0, &last);
	return r ? r : t->engine->clear_range(t, va, last, false, 0);
}

int pt_protect_region(struct pt_table *t, uint64_t va, uint64_t size, uint32_t flags)
{
	uint64_t last;
	int r = edit_range(t, t && flags_ok(t->arch, flags), va, size, (const uint64_t *)0, &last);
	return r ? r : t->engine->clear_range(t, va, last, true, protected(t, flags));
}

/* The state and software bits t's leaves store: its family's, but for an
 * EPT without A/D flags, whose CPU keeps no access state. */
PT_INLINE uint32_t state_bits(const struct pt_table *t)
{
	if (pt__is_ept(t->arch) && !(t->features & PT_FEAT_EPT_AD))
		return t->engine->state_bits & ~PT_STATE_ALL;
	return t->engine->state_bits;
}

int pt_clear_state(struct pt_table *t, uint64_t va, uint64_t size, uint32_t state, uint64_t *bitmap)
{
	uint64_t last;
	/* Only bits the format stores (state_bits: state and software bits
	 * only) can be cleared. */
	int r = edit_range(t, alive(t) && state && !(state & ~state_bits(t)), va, size,
			   (const uint64_t *)0, &last);
	return r ? r : t->engine->clear_state(t, va, last, state, bitmap);
}

int pt_set_state(struct pt_table *t, uint64_t va, uint32_t state)
{
	/* Setting the state a format reports for every leaf (ARMv7) is
	 * nothing to do; its missing software bits are an error. */
	int r = edit_at(t, alive(t) && state && !(state & ~(t->engine->state_bits | PT_STATE_ALL)),
			va);
	return r ? r : t->engine->set_state(t, va, state);
}

/* Every root entry the range touches is shared whole, as
 * page_table_multiarch does (ArceOS passes the kernel half less a page). */
int pt_copy_from(struct pt_table *dst, const struct pt_table *src, uint64_t va, uint64_t size)
{
	uint64_t last;
	int r;
	if (!alive(dst) || !alive(src) || dst == src || dst->arch != src->arch ||
	    dst->features != src->features || dst->shape != src->shape)
		return PT_ERR_INVALID;
	if ((r = range_ok(dst, va, size, &last)))
		return r;
	return dst->engine->copy_root(dst, src, root_idx(dst->shape, va),
				      root_idx(dst->shape, last));
}

int pt_walk(const struct pt_table *t, const struct pt_walk_ops *ops, void *arg)
{
	if (!alive(t) || !ops)
		return PT_ERR_INVALID;
	return t->engine->walk(t, ops, arg);
}

/* The leaf walks' checks: a callback, a live table, a window as for region
 * calls (a misaligned one is invalid); 0, last set. */
static int walk_window(const struct pt_table *t, bool have_fn, uint64_t va, uint64_t size,
		       uint64_t *last)
{
	if (!alive(t) || !have_fn)
		return PT_ERR_INVALID;
	const int r = range_ok(t, va, size, last);
	return r == PT_ERR_NOT_ALIGNED ? PT_ERR_INVALID : r;
}

int pt_walk_ranges(const struct pt_table *t, uint64_t va, uint64_t size,
		   int (*fn)(void *arg, const struct pt_range *r), void *arg)
{
	uint64_t last;
	int r = walk_window(t, fn != 0, va, size, &last);
	return r ? r : t->engine->walk_ranges(t, va, last, fn, arg);
}

int pt_walk_batches(const struct pt_table *t, uint64_t va, uint64_t size,
		    int (*fn)(void *arg, const struct pt_batch *b), void *arg)
{
	uint64_t last;
	int r = walk_window(t, fn != 0, va, size, &last);
	return r ? r : t->engine->walk_batches(t, va, last, fn, arg);
}

int pt_cursor_init(struct pt_cursor *c, const struct pt_table *t, uint64_t va, uint64_t size)
{
	uint64_t last;
	int r;
	if (!c)
		return PT_ERR_INVALID;
	/* A cursor whose init failed fails every pt_cursor_next as well. */
	c->state = PT_ERR_INVALID;
	if ((r = walk_window(t, true, va, size, &last)))
		return r;
	pt__cursor_start(c, t, va, last);
	return PT_OK;
}

int pt_cursor_next(struct pt_cursor *c, struct pt_batch *b)
{
	if (!c || !b)
		return PT_ERR_INVALID;
	if (c->state)
		return c->state < 0 ? c->state : 0;
	if (!alive(c->t))
		return c->state = PT_ERR_INVALID;
	return c->t->engine->cursor_next(c, b);
}

void pt_flush(struct pt_table *t)
{
	if (!alive(t))
		return;
	if (t->mm.flush_tlb) {
		/* Pending frames wait for a full flush: a walk cache may hold
		 * any entry of theirs. */
		if (t->nflush > PT_FLUSH_MAX || t->nfree)
			t->mm.flush_tlb(t->mm.ctx, 0, true);
		else
			for (unsigned i = 0; i < t->nflush; i++)
				t->mm.flush_tlb(t->mm.ctx, t->flush_va[i], false);
	}
	pt__free_pending(t);
	t->nflush = 0;
}

int pt_access(const struct pt_regime *r, const struct pt_mm *mm, uint64_t va, unsigned access,
	      struct pt_mapping *out, struct pt_fault *fault)
{
	const struct pt_engine *e =
		r ? pt__engine(pt__slot(r->arch, r->features)) : (const struct pt_engine *)0;
	if (!e || !mm || !mm->phys_to_virt || !out || (access & ~0xfu))
		return PT_ERR_INVALID;
	return e->access(r, mm, va, access, out, fault);
}

int pt_translate(enum pt_arch a, unsigned features, uint64_t root_pa, const struct pt_mm *mm,
		 uint64_t va, struct pt_mapping *out)
{
	const struct pt_engine *e = pt__engine(pt__slot(a, features));
	struct pt_fault f;
	int err;
	if (!e || !mm || !mm->phys_to_virt || !out)
		return PT_ERR_INVALID;
	err = e->translate(a, features, root_pa, mm, va, out, &f);
	if (err != PT_ERR_FAULT)
		return err;
	if (f.kind == PT_FAULT_ADDRESS)
		return PT_ERR_INVALID;
	return f.kind == PT_FAULT_NOT_PRESENT ? PT_ERR_NOT_MAPPED : PT_ERR_CORRUPT;
}
