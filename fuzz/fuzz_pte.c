/* SPDX-License-Identifier: MIT */
/*
 * fuzz_pte: the pure entry functions, every format, level and feature set.
 *
 * Per input record: an arbitrary entry is decoded (never misbehaves, every
 * field consistent); a decoded leaf is re-encoded from its decoded flags and
 * decoded again (stable, and a fixpoint); an arbitrary (pa, flags) is
 * encoded as a leaf and a table and decoded back (identity on normalised
 * flags); invalid arguments give 0 / PT_ERR_INVALID. Every decoded entry is
 * also judged by the reference MMU (fuzz/ref_entry.h): the class, and a
 * leaf's PA, size, flags and state, must be what the architecture manual
 * says that entry means at that level.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "fuzz_common.h"
#include "pt.h"
#include "ref_entry.h"

static unsigned cur_arch, cur_feat, cur_level;
static uint64_t cur_pte;

static void fz_context(void)
{
	fprintf(stderr, "  arch %u features %#x level %u pte %#llx\n", cur_arch, cur_feat, cur_level,
		(unsigned long long)cur_pte);
}

/* log2 of the page: the AArch64 granule, 4 KiB elsewhere. */
static unsigned page_shift(enum pt_arch a)
{
	return a == PT_AARCH64_16K ? 14 : a == PT_AARCH64_64K ? 16 : 12;
}

static unsigned shift(enum pt_arch a, unsigned levels, unsigned l)
{
	const unsigned p = page_shift(a);
	if (a == PT_ARMV7)
		return l ? 12 : 20;
	return p + (p - 3) * (levels - 1 - l);
}

/* Bytes of a table at level l (what a table entry's PA is aligned to). */
static uint64_t table_bytes(enum pt_arch a, unsigned l)
{
	if (a == PT_ARMV7)
		return l ? 1024 : 16384;
	return UINT64_C(1) << page_shift(a); /* one granule below the root */
}

/* The state of a new leaf: accessed, and dirty when writable. */
static uint32_t fresh(uint32_t nflags)
{
	return PT_ACCESSED | ((nflags & PT_WRITE) ? PT_DIRTY : 0);
}

/* Levels the entry helpers number: the format's widest table's (a stage 2
 * counts Arm lookup levels 0..3 whatever its default IPA size). */
static unsigned entry_levels(enum pt_arch a, const struct pt_arch_info *in)
{
	return a == PT_AARCH64_S2 ? 4 : in->levels;
}

static void check_decoded(enum pt_arch a, unsigned f, unsigned level, uint64_t pte,
			  const struct pt_arch_info *in, const struct pt_entry *e)
{
	uint64_t size = UINT64_C(1) << shift(a, entry_levels(a, in), level);
	FZ_CHECK(e->level == level && e->index == 0 && e->va == 0 && e->pte == pte);
	FZ_CHECK(e->size == size);
	FZ_CHECK(e->pa >> in->pa_bits == 0);
	if (!e->leaf) {
		FZ_CHECK(level + 1 < entry_levels(a, in));
		FZ_CHECK((e->pa & (table_bytes(a, level + 1) - 1)) == 0);
		return;
	}
	FZ_CHECK(in->leaf_sizes & size);
	FZ_CHECK((e->pa & (size - 1)) == 0);
	FZ_CHECK(!(e->flags & ~(uint32_t)PT_FLAGS_ALL));
	FZ_CHECK(pt_flags_normalize(a, f, e->flags) == e->flags);
	/* Access state apart from the flags; ARMv7 and EPT without A/D flags
	 * store none: every leaf accessed, every writable one dirty. */
	FZ_CHECK(!(e->state & ~(uint32_t)PT_STATE_ALL));
	if (a == PT_ARMV7 || (fz_is_ept(a) && !(f & PT_FEAT_EPT_AD)))
		FZ_CHECK(e->state == fresh(e->flags));
	/* Stage 2 has no USER and no GLOBAL. */
	if (fz_is_ept(a) || fz_is_gstage(a))
		FZ_CHECK(!(e->flags & (PT_USER | PT_GLOBAL)));
}

/* ARMv7 AP[2:0] of a section (level 0) or small page (ARMv7 ARM B3.5.1). */
static unsigned v7_ap(unsigned level, uint64_t pte)
{
	return level ? (unsigned)((pte >> 4) & 3) | (unsigned)((pte >> 9) & 1) << 2
		     : (unsigned)((pte >> 10) & 3) | (unsigned)((pte >> 15) & 1) << 2;
}

/*
 * pt_pte_decode's answer (rc, e) for pte at level against the reference:
 * the entry under ancestors that restrict nothing (ref_table_entry), in
 * libpt's own regime (pt_translate's), walked to the lowest VA of
 * the table (the highest half's for AArch64 HIGH). The same class (empty,
 * table, leaf, corrupt); a leaf with the reference's PA (the base of the
 * page or Svnapot run), size, flags (memory types the manuals leave
 * undefined apart) and state; a table pointing where the walk goes next.
 */
static void ref_compare(enum pt_arch a, unsigned f, unsigned level, uint64_t pte, int rc,
			const struct pt_entry *e)
{
	uint64_t path[PT_MAX_LEVELS], va = 0;
	struct pt_regime r = own_regime(a, f, 0);
	struct ref_out o;
	enum ref_kind k, want;
	bool same;
	/* A stage 2's entry levels are Arm's 0..3: the 48-bit IPA walk. */
	if (a == PT_AARCH64_S2)
		r.va_bits = 48;
	if ((a == PT_AARCH64 || a == PT_AARCH64_16K || a == PT_AARCH64_64K) &&
	    (f & PT_FEAT_AARCH64_HIGH))
		va = UINT64_MAX;
	for (unsigned i = 0; i < level; i++)
		path[i] = ref_table_entry(a, UINT64_C(0x10000));
	path[level] = pte;
	/* An ARMv7 entry is 32 bits: a wider value is corrupt (checked
	 * above), nothing the MMU could read. */
	if (a == PT_ARMV7 && pte >> 32)
		return;
	k = ref_entry(&r, va, path, level + 1, &o);
	want = rc == PT_ERR_NOT_MAPPED ? REF_EMPTY
	       : rc == PT_ERR_CORRUPT  ? REF_CORRUPT
	       : e->leaf	       ? REF_LEAF
				       : REF_TABLE;
	same = k == want;
	/* Leaves libpt's vocabulary has no mapping for, which it may call
	 * corrupt: one no access may read (PT_READ is on every mapping: an
	 * ARMv7 AP 000 page, a G-stage leaf without U), an ARMv7 leaf of a
	 * size the format does not list (pt.h: 4K and 1M; a 64K large page,
	 * a 16M supersection) or an ARMv7 section with PXN in the type
	 * field (0b11), or an ARMv7 AP 010 leaf (the kernel writes, user mode
	 * only reads: no flag set says so), or one whose memory type the
	 * manual leaves IMPLEMENTATION DEFINED (ARMv7 TEX 001 C 1 B 0: no
	 * PT_* type names it). A no-access leaf libpt does decode keeps its PA,
	 * size and state; its permissions are not compared. */
	if (k == REF_LEAF && want == REF_CORRUPT &&
	    (!(o.m.flags & PT_READ) || !o.memtype_known ||
	     (a == PT_ARMV7 && ((o.m.size != 0x1000 && o.m.size != 0x100000) ||
				(level == 0 && (pte & 3) == 3) || v7_ap(level, pte) == 2))))
		same = true;
	/* An EPT table entry without read (execute-only) is a table to the
	 * MMU; libpt never writes one and refuses it in its tables. */
	else if (k == REF_TABLE && want == REF_CORRUPT && fz_is_ept(a) && !(pte & 1))
		same = true;
	else if (same && k == REF_LEAF) {
		uint32_t mask = o.memtype_known ? ~0u : ~(uint32_t)REF_MEMTYPES;
		if (!(o.m.flags & PT_READ))
			mask &= ~(uint32_t)(PT_READ | PT_WRITE | PT_EXECUTE | PT_USER);
		same = (o.m.pa & ~(o.m.size - 1)) == e->pa && o.m.size == e->size &&
		       (o.m.flags & mask) == (e->flags & mask) && o.m.state == e->state;
	} else if (same && k == REF_TABLE) {
		same = o.f.table_pa == e->pa;
	}
	if (!same) {
		fprintf(stderr, "pt_pte_decode: rc %d leaf %d pa %#llx size %#llx flags %#x state %#x\n",
			rc, rc == PT_OK && e->leaf, (unsigned long long)e->pa,
			(unsigned long long)e->size, e->flags, e->state);
		fprintf(stderr, "reference: kind %d (empty 0, table 1, leaf 2, corrupt 3) pa %#llx size "
			"%#llx flags %#x state %#x next %#llx fault %d level %u\n",
			(int)k, (unsigned long long)o.m.pa, (unsigned long long)o.m.size, o.m.flags,
			o.m.state, (unsigned long long)o.f.table_pa, (int)o.f.kind, o.f.level);
	}
	FZ_CHECK(same);
}

static void one(struct rd *r)
{
	uint8_t b = rd_u8(r);
	/* One value past the modelled formats is an unknown one. */
	enum pt_arch a = b % (FZ_NARCH + 1) == FZ_NARCH ? PT_ARCH_COUNT
							 : (enum pt_arch)(b % (FZ_NARCH + 1));
	const uint8_t fb = rd_u8(r);
	unsigned f = fb & 31;
	const struct pt_arch_info *in;
	unsigned levels;
	/* The 16K and 64K granules: AArch64 records whose feature byte has
	 * bit 7 set (bit 6: 64K), a bit older inputs rarely set. */
	if (a == PT_AARCH64 && (fb & 0x80))
		a = (fb & 0x40) ? PT_AARCH64_64K : PT_AARCH64_16K;
	in = pt_arch_info(a);
	levels = in ? entry_levels(a, in) : 1;
	unsigned level = rd_u8(r) % (levels + 1);
	uint64_t pte = rd_u64(r), pa = rd_u64(r), p2;
	/* PT_SW0/1 from the PA's top bits, which a valid PA never has. */
	uint32_t flags = rd_u8(r) | (uint32_t)(pa >> 62) << 8;
	struct pt_entry e, e2;
	bool valid;
	int rc;

	/* Mostly plausible entries: a real encoding with a few bits flipped. */
	if (b & 0x80 && in && fz_feat_ok(a, f)) {
		uint64_t sz = UINT64_C(1) << shift(a, levels, level);
		uint64_t base = pt_pte_page(a, f, level, (pa & ((UINT64_C(1) << in->pa_bits) - 1)) & ~(sz - 1),
					    (flags & (a == PT_ARMV7 ? 0xffu : PT_FLAGS_ALL)) | PT_READ);
		if (!base && level + 1 < levels)
			base = pt_pte_table(a, level, pa & ((UINT64_C(1) << in->pa_bits) - 1) &
							  ~(table_bytes(a, level + 1) - 1));
		pte = base ^ (pte & (pte >> 17) & (pte >> 33)); /* few flips */
	}
	cur_arch = a;
	cur_feat = f;
	cur_level = level;
	cur_pte = pte;
	valid = in && fz_feat_ok(a, f) && level < levels;

	/* Metadata and address predicates, restated. */
	FZ_CHECK((in == NULL) == ((unsigned)a >= PT_ARCH_COUNT));
	FZ_CHECK(pt_pa_valid(a, pa) == (in && (pa >> in->pa_bits) == 0));
	if (in) {
		bool v;
		if (a == PT_ARMV7)
			v = pte >> 32 == 0;
		else if (a == PT_AARCH64 || a == PT_AARCH64_16K || a == PT_AARCH64_64K)
			v = pte >> 48 == 0 || pte >> 48 == 0xffff;
		else if (a == PT_AARCH64_S2) /* any IPA size up to 48 bits */
			v = pte >> 48 == 0;
		else if (fz_is_ept(a) || fz_is_gstage(a))
			v = pte >> in->va_bits == 0; /* guest-physical: no upper half */
		else
			v = pte >> (in->va_bits - 1) == 0 ||
			    pte >> (in->va_bits - 1) == UINT64_MAX >> (in->va_bits - 1);
		FZ_CHECK(pt_va_valid(a, pte) == v);
	} else {
		FZ_CHECK(!pt_va_valid(a, pte));
	}
	{
		/* Every error has its own message; others are "unknown". */
		const char *m = pt_strerror(-(int)(flags % 10));
		FZ_CHECK(m != NULL && m[0]);
		FZ_CHECK((strcmp(m, pt_strerror(99)) == 0) == (flags % 10 > 8));
	}
	memset(&e, 0x5a, sizeof(e));
	rc = pt_pte_decode(a, f, level, pte, &e);
	if (!valid) {
		FZ_CHECK(rc == PT_ERR_INVALID);
		FZ_CHECK(pt_pte_page(a, f, level, pa, flags) == 0);
		return;
	}
	FZ_CHECK(pt_pte_decode(a, f, level, pte, NULL) == PT_ERR_INVALID);
	FZ_CHECK(rc == PT_OK || rc == PT_ERR_NOT_MAPPED || rc == PT_ERR_CORRUPT);
	ref_compare(a, f, level, pte, rc, &e);
	if (a == PT_ARMV7 && pte >> 32)
		FZ_CHECK(rc == PT_ERR_CORRUPT);
	/* Write permission without read is reserved at every level: EPT bits
	 * 2:0 = 010b or 110b (a misconfiguration, SDM vol. 3C), a valid
	 * G-stage entry with W and not R (the privileged spec). */
	if (fz_is_ept(a) && (pte & 3) == 2)
		FZ_CHECK(rc == PT_ERR_CORRUPT);
	if (fz_is_gstage(a) && (pte & 7) == 5)
		FZ_CHECK(rc == PT_ERR_CORRUPT);
	if (rc == PT_OK) {
		check_decoded(a, f, level, pte, in, &e);
		if (e.leaf && (e.flags & PT_READ)) {
			/* Re-encode what was decoded: the library's own entry for
			 * that mapping, stable under decode and a fixpoint. */
			p2 = pt_pte_page(a, f, level, e.pa, e.flags);
			FZ_CHECK(p2 != 0);
			FZ_CHECK(pt_pte_decode(a, f, level, p2, &e2) == PT_OK);
			FZ_CHECK(e2.leaf && e2.pa == e.pa && e2.flags == e.flags);
			FZ_CHECK(e2.state == fresh(e.flags));
			FZ_CHECK(pt_pte_page(a, f, level, e2.pa, e2.flags) == p2);
		} else if (!e.leaf) {
			p2 = pt_pte_table(a, level, e.pa);
			FZ_CHECK(p2 != 0);
			FZ_CHECK(pt_pte_decode(a, f, level, p2, &e2) == PT_OK);
			FZ_CHECK(!e2.leaf && e2.pa == e.pa);
		}
	}

	/* Encode -> decode: the identity on normalised flags. */
	{
		uint64_t size = UINT64_C(1) << shift(a, levels, level);
		bool leaf_lvl = (in->leaf_sizes & size) != 0;
		uint64_t apa = (b & 0x40) ? pa : pa & ~(size - 1) & ((UINT64_C(1) << in->pa_bits) - 1);
		bool ok = leaf_lvl && (flags & PT_READ) && !(flags & ~(uint32_t)PT_FLAGS_ALL) &&
			  !(a == PT_ARMV7 && (flags & (PT_SW0 | PT_SW1))) && !(apa & (size - 1)) &&
			  !(apa >> in->pa_bits);
		uint64_t le = pt_pte_page(a, f, level, apa, flags);
		FZ_CHECK(ok == (le != 0));
		if (ok) {
			FZ_CHECK(pt_pte_decode(a, f, level, le, &e2) == PT_OK);
			check_decoded(a, f, level, le, in, &e2);
			FZ_CHECK(e2.leaf && e2.pa == apa);
			FZ_CHECK(e2.flags == pt_flags_normalize(a, f, flags));
			FZ_CHECK(e2.state == fresh(e2.flags));
			/* Every normalised flag set keeps READ. */
			FZ_CHECK(e2.flags & PT_READ);
		}
		if (level + 1 < levels) {
			uint64_t tb = table_bytes(a, level + 1);
			uint64_t tpa = (b & 0x20) ? pa : pa & ~(tb - 1) & ((UINT64_C(1) << in->pa_bits) - 1);
			uint64_t te = pt_pte_table(a, level, tpa);
			bool tok = !(tpa & (tb - 1)) && !(tpa >> in->pa_bits);
			/* LoongArch directory entries are the bare PA: PA 0 cannot be one. */
			FZ_CHECK(tok == (te != 0) || (a == PT_LOONGARCH64 && tpa == 0));
			if (te) {
				FZ_CHECK(pt_pte_decode(a, f, level, te, &e2) == PT_OK);
				FZ_CHECK(!e2.leaf && e2.pa == tpa);
				check_decoded(a, f, level, te, in, &e2);
				/* Leaf and table are different kinds. */
				FZ_CHECK(!ok || te != le);
			}
		} else {
			FZ_CHECK(pt_pte_table(a, level, pa) == 0);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rd r = { data, size, 0 };
	/* Records of 21 bytes; a short tail is padded with zeros. */
	do
		one(&r);
	while (rd_more(&r));
	return 0;
}
