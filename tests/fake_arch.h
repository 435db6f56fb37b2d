/* SPDX-License-Identifier: MIT */
/*
 * A format no hardware has, for the engine suites only (never shipped). It
 * keeps the hook contract (arch/arch.h) and breaks everything else the
 * real formats happen to share, so that an engine which tests a bit, takes
 * 0 for empty or adds to an address field fails here:
 *  - an empty entry is FAKE_EMPTY, not 0 (0 is empty too: kind() decides);
 *  - every bit position depends on the level: the valid and table bits
 *    move up three places per height, the flag and state bits rotate
 *    through twelve positions;
 *  - the address field is in two pieces, in swapped order: PA bits 12-20
 *    at entry bits 48-56, PA bits 21-47 at entry bits 20-46, so adding to
 *    an entry does not add to its PA once a run of 4K leaves crosses a
 *    2 MiB boundary (out() is not linear);
 *  - any permission change is in place, anything else needs
 *    break-before-make, as on Arm.
 * Two shapes: 4 levels / 48-bit VA with leaves at levels 1-3, and 3 levels
 * / 39-bit VA with leaves at every level.
 */
#ifndef PT_TEST_FAKE_ARCH_H
#define PT_TEST_FAKE_ARCH_H

#include "../arch/arch.h"

typedef uint64_t arch_fake_pte;

#define FAKE_EMPTY ((UINT64_C(1) << 63) | (UINT64_C(1) << 59) | (UINT64_C(1) << 3))
#define FAKE_LO_FIELD (UINT64_C(0x1ff) << 48)     /* PA bits 12..20 */
#define FAKE_HI_FIELD (UINT64_C(0x7ffffff) << 20) /* PA bits 21..47 */
#define FAKE_FIELD (FAKE_LO_FIELD | FAKE_HI_FIELD)
#define FAKE_NFLAGS 12

PT_HOOK uint64_t arch_fake_valid(unsigned h)
{
	return UINT64_C(1) << (1 + 3 * h);
}

PT_HOOK uint64_t arch_fake_table_bit(unsigned h)
{
	return UINT64_C(1) << (2 + 3 * h);
}

/* The twelve places flags go, and where flag k (arch_fake_flag[k]) is at
 * height h. */
static const uint32_t arch_fake_flag[FAKE_NFLAGS] = {
	PT_READ,   PT_WRITE, PT_EXECUTE, PT_USER, PT_DEVICE,   PT_UNCACHED,
	PT_GLOBAL, PT_WC,    PT_SW0,     PT_SW1,  PT_ACCESSED, PT_DIRTY,
};

PT_HOOK uint64_t arch_fake_flag_bit(unsigned h, unsigned k)
{
	static const unsigned char place[12] = { 12, 13, 14, 15, 16, 17, 18, 19, 57, 58, 60, 61 };
	return UINT64_C(1) << place[(k + 5 * h) % 12];
}

PT_HOOK uint64_t arch_fake_flags_mask(unsigned h)
{
	uint64_t m = 0;
	for (unsigned k = 0; k < FAKE_NFLAGS; k++)
		m |= arch_fake_flag_bit(h, k);
	return m;
}

PT_HOOK uint64_t arch_fake_out(uint64_t pa)
{
	return ((pa >> 12) & 0x1ff) << 48 | ((pa >> 21) & 0x7ffffff) << 20;
}

PT_HOOK uint64_t arch_fake_field_pa(uint64_t e)
{
	return ((e >> 48) & 0x1ff) << 12 | ((e >> 20) & 0x7ffffff) << 21;
}

PT_HOOK int arch_fake_kind(unsigned feat, unsigned h, uint64_t e)
{
	const uint64_t pa = arch_fake_field_pa(e);
	(void)feat;
	if (!(e & arch_fake_valid(h)))
		return PTK_EMPTY; /* nothing else is looked at */
	if (h > 0 && (e & arch_fake_table_bit(h)))
		return (e & ~(arch_fake_valid(h) | arch_fake_table_bit(h) | FAKE_FIELD)) ? PTK_CORRUPT
											: PTK_TABLE;
	/* A leaf: known bits only, READ set, not DEVICE and UNCACHED both,
	 * the PA aligned to the leaf's size, no leaf above height 2. */
	if (h > 2 || (e & ~(arch_fake_valid(h) | arch_fake_flags_mask(h) | FAKE_FIELD)) ||
	    !(e & arch_fake_flag_bit(h, 0)) ||
	    ((e & arch_fake_flag_bit(h, 4)) && (e & arch_fake_flag_bit(h, 5))) ||
	    (pa & ((UINT64_C(1) << (12 + 9 * h)) - 1)))
		return PTK_CORRUPT;
	return PTK_LEAF;
}

PT_HOOK bool arch_fake_is_table(unsigned feat, unsigned h, uint64_t e)
{
	return arch_fake_kind(feat, h, e) == PTK_TABLE;
}

PT_HOOK bool arch_fake_leaf_empty(unsigned feat, uint64_t e)
{
	(void)feat;
	return !(e & arch_fake_valid(0));
}

PT_HOOK bool arch_fake_leaf_bad(unsigned feat, uint64_t e)
{
	return arch_fake_kind(feat, 0, e) == PTK_CORRUPT;
}

PT_HOOK uint64_t arch_fake_table_pa(unsigned h, uint64_t e)
{
	(void)h;
	return arch_fake_field_pa(e);
}

PT_HOOK uint64_t arch_fake_leaf_pa(unsigned h, uint64_t e)
{
	return arch_fake_field_pa(e) & ~((UINT64_C(1) << (12 + 9 * h)) - 1);
}

PT_HOOK uint32_t arch_fake_leaf_flags(unsigned feat, unsigned h, uint64_t e)
{
	uint32_t f = 0;
	(void)feat;
	for (unsigned k = 0; k < FAKE_NFLAGS; k++)
		if (e & arch_fake_flag_bit(h, k))
			f |= arch_fake_flag[k];
	return f;
}

PT_HOOK uint64_t arch_fake_table(unsigned h, uint64_t pa)
{
	return arch_fake_valid(h) | arch_fake_table_bit(h) | arch_fake_out(pa);
}

PT_HOOK uint64_t arch_fake_leaf_attrs(unsigned feat, unsigned h, uint32_t flags)
{
	uint64_t e = arch_fake_valid(h);
	(void)feat;
	for (unsigned k = 0; k < FAKE_NFLAGS; k++)
		if (flags & arch_fake_flag[k])
			e |= arch_fake_flag_bit(h, k);
	return e;
}

/* Whatever the MMU could still set: accessed clear, or writable and clean. */
PT_HOOK bool arch_fake_may_set(unsigned feat, unsigned h, uint64_t e)
{
	(void)feat;
	return !(e & arch_fake_flag_bit(h, 10)) ||
	       (e & arch_fake_flag_bit(h, 1) && !(e & arch_fake_flag_bit(h, 11)));
}

PT_HOOK bool arch_fake_needs_bbm(unsigned h, uint64_t old, uint64_t new_e)
{
	uint64_t perms = arch_fake_flag_bit(h, 1) | arch_fake_flag_bit(h, 2) |
			 arch_fake_flag_bit(h, 3);
	for (unsigned k = 8; k < FAKE_NFLAGS; k++)
		perms |= arch_fake_flag_bit(h, k);
	return (old & arch_fake_valid(h)) && (new_e & arch_fake_valid(h)) &&
	       ((old ^ new_e) & ~perms);
}

static const struct pt_shape arch_fake_shape_48 = {
	.info = { "fake48", 4, 48, 48, PT_SIZE_4K | PT_SIZE_2M | PT_SIZE_1G },
	.shift = { 39, 30, 21, 12 },
	PT_SHAPE_512,
	.leaf_levels = 0xe,
	.sign_extend = true,
	.features = 0,
};
static const struct pt_shape arch_fake_shape_39 = {
	.info = { "fake39", 3, 39, 48, PT_SIZE_4K | PT_SIZE_2M | PT_SIZE_1G },
	.shift = { 30, 21, 12 },
	PT_SHAPE_512,
	.leaf_levels = 0x7,
	.sign_extend = true,
	.features = 0,
};

#define arch_fake_EMPTY FAKE_EMPTY
PT_NO_RUNS(fake)
#define arch_fake_OUT_LINEAR 0
#define arch_fake_LEAF_BITS 9
#define arch_fake_DIR_BITS 9
#define arch_fake_STATE_BITS (PT_ACCESSED | PT_DIRTY | PT_SW0 | PT_SW1)
#define arch_fake_LEAF0_SOUND 0
#define arch_fake_STATE_MASK (UINT64_C(0x1b) << 57) /* SW0, SW1, ACCESSED, DIRTY at height 0 */
/* No inline fast path takes this format (out() is not linear); these are
 * the height-1 table test, as the contract asks. */
#define arch_fake_TABLE_MASK (UINT64_C(1) << 4 | UINT64_C(1) << 5)
#define arch_fake_TABLE_MATCH (UINT64_C(1) << 4 | UINT64_C(1) << 5)

/* Foreign tables mean nothing more here than the engine's own. */
PT_REGIME_OWN(fake)
#define arch_fake_AF_FIRST 0
#define arch_fake_REGIME_COPY 0
#define arch_fake_OWN_CONTROLS 0

#define arch_fake_SHAPES(X) X(arch_fake_shape_48) X(arch_fake_shape_39)
#define arch_fake_FAST_SHAPES arch_fake_SHAPES

#endif /* PT_TEST_FAKE_ARCH_H */
