/* SPDX-License-Identifier: MIT */
/*
 * fuzz_pte: the pure entry functions, every format, level and feature set.
 *
 * Per input record: an arbitrary entry is decoded (never misbehaves, every
 * field consistent); a decoded leaf is re-encoded from its decoded flags and
 * decoded again (stable, and a fixpoint); an arbitrary (pa, flags) is
 * encoded as a leaf and a table and decoded back (identity on normalised
 * flags); invalid arguments give 0 / PT_ERR_INVALID.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "fuzz_common.h"
#include "pt.h"

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
