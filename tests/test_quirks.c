/* SPDX-License-Identifier: MIT */
/*
 * Behaviour libpt chose where its contract is silent, pinned down one test
 * each (every format; the fake format too), so that a change to any of
 * them is a decision, not an accident. Each test says what was chosen and
 * why.
 */
#include "engine_env.h"

/* The library's own pt_query: a pointer never takes the inline path. */
static int (*volatile const pt_query_out)(const struct pt_table *, uint64_t,
					  struct pt_mapping *) = pt_query;

/* pt_query zeroes *out on every error, so a caller that ignores the result
 * reads a zero mapping, never stale or uninitialised fields (and the
 * inline path keeps a caller's result in registers: nothing is left
 * unwritten on any path). */
static void query_zeroes_out_quirk(const struct fmt *f)
{
	struct env e;
	struct pt_mapping m;
	const uint64_t bad = f->arch == PT_ARMV7 ? UINT64_C(1) << 40 : UINT64_C(1) << 62;
	if (!env_init(&e, f))
		return;
	for (int k = 0; k < 2; k++) {
		int (*q)(const struct pt_table *, uint64_t, struct pt_mapping *) =
			k ? pt_query_out : pt_query;
		memset(&m, 0x5a, sizeof(m));
		CHECK_EQ(k ? q(&e.t, V(f, 0x40000000), &m) : pt_query(&e.t, V(f, 0x40000000), &m),
			 PT_ERR_NOT_MAPPED);
		CHECK(m.pa == 0 && m.flags == 0 && m.size == 0);
		memset(&m, 0x5a, sizeof(m));
		CHECK_EQ(k ? q(&e.t, bad, &m) : pt_query(&e.t, bad, &m), PT_ERR_INVALID);
		CHECK(m.pa == 0 && m.flags == 0 && m.size == 0);
	}
	env_fini(&e);
}

/* An entry that decodes as empty but holds stray bits (an OS's software
 * bits, a half-written value) is empty to every lookup and walk, and an
 * unmap over it writes the format's own empty entry: after pt_unmap_region
 * the range holds nothing but what libpt writes for "empty", at every
 * level. */
static void unmap_region_empties_stray_bits_quirk(const struct fmt *f)
{
	struct env e;
	const uint64_t va = V(f, 0x40000000), K4 = fmt_page(f);
	/* Empty by kind in every format (bit 2 is EPT's X: bit 3 there). */
	const uint64_t stray = fmt_empty(f) ^ (fmt_is_ept(f->arch) ? 0x8 : 0x4);
	uint64_t lt;
	struct pt_mapping m;
	if (!env_init(&e, f))
		return;
	CHECK_EQ(pt_map(&e.t, va, K4, K4, RW), PT_OK);
	CHECK_EQ(pt_map(&e.t, va + 16 * K4, K4, K4, RW), PT_OK); /* keeps the table */
	lt = table_at(&e, va, f->levels - 1);
	if (CHECK(lt != 0)) {
		pte_write(f, &e.a, lt, fmt_index(f, f->levels - 1, va + K4), stray);
		CHECK_EQ(pt_query(&e.t, va + K4, &m), PT_ERR_NOT_MAPPED);
		CHECK_EQ(count_leaves(&e), 2);
		CHECK_EQ(pt_unmap_region(&e.t, va, 2 * K4), PT_OK);
		CHECK_EQ(pte_read(f, &e.a, lt, fmt_index(f, f->levels - 1, va + K4)), fmt_empty(f));
		CHECK_EQ(pte_read(f, &e.a, lt, fmt_index(f, f->levels - 1, va)), fmt_empty(f));
	}
	/* The same a level up: a directory slot wholly inside the range (a
	 * page two slots on keeps the directory). LoongArch directory entries
	 * have no bit to spare: anything but 0 is a table address. */
	if (f->arch != PT_LOONGARCH64) {
		const unsigned dl = f->levels - 2;
		const uint64_t ds = fmt_span(f, dl), dva = va & ~(ds - 1);
		const uint64_t dt = table_at(&e, dva, dl);
		CHECK_EQ(pt_map(&e.t, dva + 2 * ds, K4, K4, RW), PT_OK);
		if (CHECK(dt != 0)) {
			pte_write(f, &e.a, dt, fmt_index(f, dl, dva + ds), stray);
			CHECK_EQ(pt_query(&e.t, dva + ds, &m), PT_ERR_NOT_MAPPED);
			CHECK_EQ(pt_unmap_region(&e.t, dva, 2 * ds), PT_OK);
			CHECK_EQ(pte_read(f, &e.a, dt, fmt_index(f, dl, dva + ds)), fmt_empty(f));
		}
	}
	check_tables(&e, true);
	env_fini(&e);
}

/* pt_protect_region over part of a huge leaf that already has the new
 * flags changes nothing: the leaf is not split, nothing is allocated.
 * (A split would cost a frame and TLB reach for no change.) */
static void protect_same_flags_keeps_huge_quirk(const struct fmt *f)
{
	const uint64_t K4 = fmt_page(f);
	struct env e;
	const unsigned hl = fmt_huge_level(f);
	const uint64_t hs = fmt_span(f, hl), va = V(f, UINT64_C(0x80000000));
	uint64_t size = 0;
	size_t used;
	if (!env_init(&e, f))
		return;
	CHECK_EQ(pt_map(&e.t, va, 0, hs, RW), PT_OK);
	used = e.a.in_use;
	CHECK_EQ(pt_protect_region(&e.t, va + K4, K4, RW), PT_OK);
	CHECK_EQ(e.a.in_use, used);
	qpa(&e, va + K4, &size, NULL);
	CHECK_EQ(size, hs);
	/* Other flags split it. */
	CHECK_EQ(pt_protect_region(&e.t, va + K4, K4, R_), PT_OK);
	qpa(&e, va + K4, &size, NULL);
	CHECK_EQ(size, K4);
	check_tables(&e, true);
	env_fini(&e);
}

/* A huge leaf may be mapped where a table holds no leaf (pt_unmap leaves
 * its tables behind): the empty subtree is replaced and freed instead of
 * refused, as if it were not there. A table with a leaf below refuses. */
static void map_replaces_empty_subtree_quirk(const struct fmt *f)
{
	const uint64_t K4 = fmt_page(f);
	struct env e;
	const unsigned hl = fmt_huge_level(f);
	const uint64_t hs = fmt_span(f, hl), va = V(f, UINT64_C(0x80000000));
	size_t used;
	if (!env_init(&e, f))
		return;
	CHECK_EQ(pt_map(&e.t, va + K4, K4, K4, RW), PT_OK);
	CHECK_EQ(pt_map(&e.t, va, 0, hs, RW), PT_ERR_ALREADY_MAPPED);
	CHECK_EQ(pt_unmap(&e.t, va + K4, NULL), PT_OK);
	used = e.a.in_use;
	CHECK_EQ(pt_map(&e.t, va, 0, hs, RW), PT_OK);
	CHECK_EQ(flushed_use(&e), used - fmt_table_frames(f)); /* the last-level table went */
	check_tables(&e, true);
	env_fini(&e);
}

/* pt_unmap is O(levels) and leaves an emptied table in place (reclaiming
 * would mean scanning it); pt_unmap_region reclaims every table it
 * empties. */
static void unmap_keeps_tables_quirk(const struct fmt *f)
{
	const uint64_t K4 = fmt_page(f);
	struct env e;
	const uint64_t va = V(f, 0x40000000);
	size_t used;
	if (!env_init(&e, f))
		return;
	CHECK_EQ(pt_map(&e.t, va, K4, K4, RW), PT_OK);
	used = e.a.in_use;
	CHECK_EQ(pt_unmap(&e.t, va, NULL), PT_OK);
	CHECK_EQ(e.a.in_use, used);
	CHECK_EQ(pt_unmap_region(&e.t, va, K4), PT_OK);
	CHECK_EQ(flushed_use(&e), e.base);
	env_fini(&e);
}

/* An undecodable entry wholly inside an unmapped range is cleared, never
 * followed: unmapping is how a caller gets rid of garbage. Protecting over
 * it, which must decode what it rewrites, fails and changes nothing. */
static void unmap_clears_corrupt_quirk(const struct fmt *f)
{
	struct env e;
	const uint64_t va = V(f, 0x40000000), K4 = fmt_page(f);
	uint64_t lt;
	if (!corrupt_leaf(f) || !env_init(&e, f))
		return;
	CHECK_EQ(pt_map(&e.t, va, K4, K4, RW), PT_OK);
	CHECK_EQ(pt_map(&e.t, va + 16 * K4, K4, K4, RW), PT_OK);
	lt = table_at(&e, va, f->levels - 1);
	if (CHECK(lt != 0)) {
		pte_write(f, &e.a, lt, fmt_index(f, f->levels - 1, va + K4), corrupt_leaf(f));
		CHECK_EQ(pt_protect_region(&e.t, va, 2 * K4, R_), PT_ERR_CORRUPT);
		CHECK_EQ(qpa(&e, va, NULL, NULL), K4);
		CHECK_EQ(pt_unmap_region(&e.t, va, 2 * K4), PT_OK);
		CHECK_EQ(pte_read(f, &e.a, lt, fmt_index(f, f->levels - 1, va + K4)), fmt_empty(f));
	}
	check_tables(&e, true);
	env_fini(&e);
}

int main(void)
{
	for (size_t i = 0; i < NALL_FMTS; i++) {
		const struct fmt *f = fmt_nth(i);
		char name[64];
		snprintf(name, sizeof(name), "quirks %s", f->name);
		group_begin(name);
		CTX("%s", f->name);
		query_zeroes_out_quirk(f);
		unmap_region_empties_stray_bits_quirk(f);
		protect_same_flags_keeps_huge_quirk(f);
		map_replaces_empty_subtree_quirk(f);
		unmap_keeps_tables_quirk(f);
		unmap_clears_corrupt_quirk(f);
		group_end();
	}
	return check_status();
}
