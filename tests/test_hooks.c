/* SPDX-License-Identifier: MIT */
/*
 * White-box: the branch-free arch hooks the engine's hot paths use instead
 * of kind() must agree with kind() on every value, or a walk would follow a
 * corrupt entry as a table (or refuse a good one). is_table(feat, h, pte)
 * must be exactly kind(feat, h, pte) == PTK_TABLE, leaf_bad(feat, pte)
 * exactly kind(feat, 0, pte) == PTK_CORRUPT and leaf_empty(feat, pte)
 * exactly kind(feat, 0, pte) == PTK_EMPTY, and above the last level
 * "pte != 0 and (pte & TABLE_MASK) == TABLE_MATCH" (the test the inline
 * pt_query makes, include/pt.h) exactly PTK_TABLE, for every family, feature set
 * and height; flipping STATE_MASK bits of a 4K leaf must leave a leaf, and
 * LEAF0_SOUND must mean no corrupt 4K entry. Values: the encodings the library writes (tables and leaves
 * of every flag set), each with every single bit flipped, and random dense
 * and sparse words.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "fmt.h"

#include "../arch/aarch64.h"
#include "../arch/aarch64_16k.h"
#include "../arch/aarch64_64k.h"
#include "../arch/aarch64_s2.h"
#include "../arch/armv7.h"
#include "../arch/ept.h"
#include "../arch/loongarch.h"
#include "../arch/riscv.h"
#include "../arch/rvg.h"
#include "../arch/x86.h"

/* What one (family, features, height) run saw. */
struct tally {
	unsigned long table_wrong, bad_wrong, empty_wrong, attrs_wrong, state_wrong;
	bool zero_empty; /* kind(feat, h, 0) == PTK_EMPTY (the walks skip zeros) */
	unsigned long seen[4]; /* values of each kind */
};

#define PT_HOOKS_CHECK(fam, feat, h, v, tl)                                                  \
	do {                                                                                 \
		int k_ = arch_##fam##_kind((feat), (h), (v));                                \
		(tl)->seen[k_]++;                                                            \
		if (arch_##fam##_is_table((feat), (h), (v)) != (k_ == PTK_TABLE))            \
			(tl)->table_wrong++;                                                 \
		/* the test pt_query's inline path makes (struct pt_fast) */             \
		if ((h) > 0 && ((v) != 0 && ((v) & arch_##fam##_TABLE_MASK) ==               \
					    arch_##fam##_TABLE_MATCH) != (k_ == PTK_TABLE))   \
			(tl)->table_wrong++;                                                 \
		if ((h) == 0 && arch_##fam##_leaf_bad((feat), (v)) != (k_ == PTK_CORRUPT))   \
			(tl)->bad_wrong++;                                                   \
		if ((h) == 0 && arch_##fam##_leaf_empty((feat), (v)) != (k_ == PTK_EMPTY))   \
			(tl)->empty_wrong++;                                                 \
		/* linear formats: the attribute bits are the entry less a mask */      \
		if ((h) == 0 && arch_##fam##_OUT_LINEAR &&                                   \
		    ((v) ^ arch_##fam##_out(arch_##fam##_leaf_pa(0, (v)))) !=                \
			    ((v) & ~arch_##fam##_out(arch_##fam##_leaf_pa(0, ~UINT64_C(0)))))  \
			(tl)->attrs_wrong++;                                                 \
		/* a 4K leaf stays one whatever its state bits (STATE_MASK), and    \
		 * no 4K entry is corrupt where LEAF0_SOUND says so */               \
		if ((h) == 0 && k_ == PTK_LEAF) {                                            \
			const uint64_t sm_ = arch_##fam##_STATE_MASK;                        \
			if (arch_##fam##_kind((feat), 0, (v) ^ sm_) != PTK_LEAF)             \
				(tl)->state_wrong++;                                         \
			for (uint64_t r_ = sm_; r_; r_ &= r_ - 1)                            \
				if (arch_##fam##_kind((feat), 0, (v) ^ (r_ & -r_)) != PTK_LEAF) \
					(tl)->state_wrong++;                                 \
		}                                                                            \
		if ((h) == 0 && arch_##fam##_LEAF0_SOUND && k_ == PTK_CORRUPT)               \
			(tl)->state_wrong++;                                                 \
	} while (0)

/* Every value for one family at one height; `wide` is the entry width in
 * bits. The encodings come from the family's own table() and leaf_attrs(). */
#define PT_HOOKS_RUN(fam, feat, h, wide, tl)                                                 \
	do {                                                                                 \
		const uint64_t m_ = (wide) == 64 ? ~UINT64_C(0) : (UINT64_C(1) << (wide)) - 1; \
		uint64_t s_ = 0x9e3779b97f4a7c15u ^ ((uint64_t)(feat) << 8) ^ (h);            \
		uint64_t base_[2 + PT_FLAGS_ALL + 1];                                        \
		size_t nb_ = 0;                                                              \
		base_[nb_++] = (h) > 0 ? arch_##fam##_table((h), UINT64_C(0x12345000)) : 0;  \
		base_[nb_++] = 0;                                                            \
		for (uint32_t f_ = 0; f_ <= PT_FLAGS_ALL; f_++)                              \
			base_[nb_++] = arch_##fam##_leaf_attrs((feat), (h), f_) |            \
				       arch_##fam##_out(UINT64_C(0x40000000));               \
		for (size_t b_ = 0; b_ < nb_; b_++) {                                        \
			uint64_t v_ = base_[b_] & m_;                                        \
			PT_HOOKS_CHECK(fam, feat, h, v_, tl);                                \
			for (unsigned bit_ = 0; bit_ < (wide); bit_++)                       \
				PT_HOOKS_CHECK(fam, feat, h, v_ ^ (UINT64_C(1) << bit_), tl); \
		}                                                                            \
		(tl)->zero_empty = arch_##fam##_kind((feat), (h), 0) == PTK_EMPTY;           \
		for (int i_ = 0; i_ < 4000; i_++) {                                          \
			uint64_t v_ = rng_next(&s_);                                         \
			if (i_ & 1)                                                          \
				v_ &= rng_next(&s_) & rng_next(&s_);                         \
			PT_HOOKS_CHECK(fam, feat, h, v_ & m_, tl);                           \
		}                                                                            \
	} while (0)

static void report(const char *fam, unsigned feat, unsigned h, const struct tally *tl)
{
	snprintf(check_ctx, sizeof(check_ctx), "%s feat %#x height %u", fam, feat, h);
	CHECK_EQ(tl->table_wrong, 0);
	CHECK_EQ(tl->bad_wrong, 0);
	CHECK_EQ(tl->empty_wrong, 0);
	CHECK_EQ(tl->attrs_wrong, 0);
	CHECK_EQ(tl->state_wrong, 0);
	CHECK(tl->zero_empty);
	/* Not vacuous: empty and corrupt values reach every height (but
	 * x86's last, where every present entry is a leaf), leaves every
	 * height that every family can map (4K, 2M, 1G; the 16K and 64K
	 * granules have blocks at one height only), tables every height
	 * above the last. */
	CHECK(tl->seen[PTK_EMPTY] > 0);
	if (h <= (strcmp(fam, "aarch64_16k") == 0 || strcmp(fam, "aarch64_64k") == 0 ? 1u : 2u))
		CHECK(tl->seen[PTK_LEAF] > 0);
	if (strcmp(fam, "x86") != 0 || h > 0)
		CHECK(tl->seen[PTK_CORRUPT] > 0);
	if (h > 0)
		CHECK(tl->seen[PTK_TABLE] > 0);
}

#define PT_HOOKS_FAMILY(fam, feat, heights, wide)                                            \
	do {                                                                                 \
		for (unsigned h_ = 0; h_ < (heights); h_++) {                                \
			struct tally tl_ = { 0 };                                            \
			PT_HOOKS_RUN(fam, feat, h_, wide, &tl_);                             \
			report(#fam, (feat), h_, &tl_);                                      \
		}                                                                            \
	} while (0)

int main(void)
{
	group_begin("hooks is_table, leaf_bad and leaf_empty agree with kind");
	PT_HOOKS_FAMILY(x86, 0u, 5, 64);
	PT_HOOKS_FAMILY(aarch64, 0u, 4, 64);
	PT_HOOKS_FAMILY(aarch64, PT_FEAT_AARCH64_EL2, 4, 64);
	PT_HOOKS_FAMILY(aarch64, PT_FEAT_AARCH64_HIGH, 4, 64);
	PT_HOOKS_FAMILY(aarch64_16k, 0u, 4, 64);
	PT_HOOKS_FAMILY(aarch64_16k, PT_FEAT_AARCH64_EL2, 4, 64);
	PT_HOOKS_FAMILY(aarch64_16k, PT_FEAT_AARCH64_HIGH, 4, 64);
	PT_HOOKS_FAMILY(aarch64_64k, 0u, 3, 64);
	PT_HOOKS_FAMILY(aarch64_64k, PT_FEAT_AARCH64_EL2, 3, 64);
	PT_HOOKS_FAMILY(aarch64_64k, PT_FEAT_AARCH64_HIGH, 3, 64);
	PT_HOOKS_FAMILY(aarch64_s2, 0u, 4, 64);
	PT_HOOKS_FAMILY(riscv, 0u, 5, 64);
	PT_HOOKS_FAMILY(riscv, PT_FEAT_RISCV_SVPBMT, 5, 64);
	PT_HOOKS_FAMILY(riscv, PT_FEAT_RISCV_XUANTIE, 5, 64);
	PT_HOOKS_FAMILY(loongarch, 0u, 4, 64);
	PT_HOOKS_FAMILY(armv7, 0u, 2, 32);
	PT_HOOKS_FAMILY(ept, 0u, 5, 64);
	PT_HOOKS_FAMILY(ept, PT_FEAT_EPT_AD, 5, 64);
	PT_HOOKS_FAMILY(rvg, 0u, 5, 64);
	group_end();
	return check_status();
}
