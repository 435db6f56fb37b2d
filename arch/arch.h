/* SPDX-License-Identifier: MIT */
/*
 * The hook contract: what a format family supplies, and all the engine may
 * assume about entries.
 *
 * A family (x86, aarch64, aarch64_s2, riscv, loongarch, armv7) is one
 * arch/<family>.h providing the hooks and constants below, each named
 * arch_<family>_<name>, plus one or more shapes (struct pt_shape: pure
 * data; one per VA width a format has). The engine
 * (src/engine.h) is compiled once per family (src/engine_<family>.c), so
 * every hook is a static inline call folded into the engine's loops.
 *
 * Heights: `h` is an entry's height, 0 for an entry that maps 4 KiB, 1 for
 * the level above, and so on (level = levels - 1 - h), so encodings do not
 * depend on how many levels a shape has. `feat` is the table's feature set.
 * Every hook is pure: same arguments, same answer; no memory is touched.
 *
 * Types and constants:
 *
 *   arch_<f>_pte            storage type of one entry (uint64_t, uint32_t)
 *   arch_<f>_EMPTY          the entry the engine writes to empty a slot and
 *                           to fill new tables with; kind(EMPTY) is
 *                           PTK_EMPTY at every height. Other values may be
 *                           empty too (an x86 entry without P): the engine
 *                           decides by kind(), and compares with EMPTY only
 *                           to skip stretches it wrote itself.
 *   arch_<f>_OUT_LINEAR     1 when out() is additive: out(a + b) ==
 *                           out(a) + out(b) for PAs below 2^pa_bits, so the
 *                           leaf after e is e + out(its size) and runs of
 *                           leaves are compared and written by addition
 *                           (and in vectors). 0: the engine rebuilds each
 *                           entry from its PA.
 *   arch_<f>_LEAF_BITS,     index bits of a last-level table and of the
 *   arch_<f>_DIR_BITS       directory above it, the same in every shape of
 *                           the family (the per-page hints use them).
 *   arch_<f>_TABLE_MASK,    is_table() as a mask test (e & MASK) == MATCH,
 *   arch_<f>_TABLE_MATCH    for the inline query path; where MATCH is 0,
 *                           an entry of 0 must be refused besides.
 *   arch_<f>_STATE_BITS     which of PT_ACCESSED, PT_DIRTY, PT_SW0, PT_SW1
 *                           a leaf stores (pt_clear_state can clear).
 *   arch_<f>_LEAF0_SOUND    1 when no 4K entry is corrupt: leaf_bad() is
 *                           false for every value.
 *   arch_<f>_STATE_MASK     the bits of a 4K leaf that hold its access
 *                           state and software marks: flipping any of them
 *                           in a PTK_LEAF gives a PTK_LEAF, so scans that
 *                           only look for corrupt entries may ignore them.
 *   arch_<f>_SHAPES(X)      X(shape) for every shape of the family, in
 *                           the order src/formats.c indexes (the widths of
 *                           one format consecutive, narrowest first).
 *   arch_<f>_FAST_SHAPES(X) the shapes the engine compiles a copy of its
 *                           per-call paths for, every index and span a
 *                           constant; every other shape shares one copy
 *                           that reads the shape at run time.
 *
 * Hooks:
 *
 *   int kind(feat, h, e)    PTK_EMPTY, PTK_TABLE, PTK_LEAF or PTK_CORRUPT:
 *                           exactly one, for every value of e. CORRUPT is
 *                           what the architecture reserves or faults on;
 *                           there is no table at height 0.
 *   bool is_table(feat, h, e)   kind(feat, h, e) == PTK_TABLE, branch-free.
 *   bool leaf_empty(feat, e)    kind(feat, 0, e) == PTK_EMPTY.
 *   bool leaf_bad(feat, e)      kind(feat, 0, e) == PTK_CORRUPT.
 *   uint64_t table_pa(h, e)     the next table of a PTK_TABLE entry.
 *   uint64_t leaf_pa(h, e)      the base PA of a PTK_LEAF entry, aligned to
 *                           the leaf's size.
 * A leaf's "flags" below are its normalised PT_* mapping flags ORed with
 * its access state (PT_ACCESSED, PT_DIRTY): leaf_attrs encodes both and
 * leaf_flags gives both back.
 *
 *   uint32_t leaf_flags(feat, h, e)  flags and state of a PTK_LEAF.
 *   uint64_t table(h, pa)       a table entry pointing at the table at pa.
 *   uint64_t leaf_attrs(feat, h, flags)  every bit of a leaf of normalised
 *                           flags but its address: leaf_attrs | out(pa) is
 *                           the leaf, and the two share no bit.
 *   uint64_t out(pa)            the address bits of a leaf mapping pa (pa
 *                           aligned to the leaf size); leaf_pa() gives pa
 *                           back from any leaf holding them. So
 *                           e ^ out(leaf_pa(h, e)) is e's attributes, and
 *                           of two leaves at the same height with equal
 *                           attributes, equal flags.
 *   bool may_set(feat, h, e)    the MMU may set a state bit in the present
 *                           leaf e (accessed clear, or writable and clean):
 *                           a rewrite of e must be a compare-and-swap. An
 *                           entry where it cannot cannot change under a
 *                           plain store.
 *   bool needs_bbm(h, old, new) replacing present `old` by present `new`
 *                           in place is not allowed: the slot must go
 *                           through EMPTY and a TLB invalidation first.
 *
 * Contiguous runs (the AArch64 contiguous bit, RISC-V Svnapot): aligned
 * groups of 2^k leaves at one height, mapping one equally aligned PA run
 * with equal attributes, each marked so that the TLB may hold the group
 * as one entry. The engine marks only what a map writes whole, and takes
 * the marks off a whole group, through EMPTY and a TLB invalidation,
 * before any other edit changes one of its leaves (src/runs.h). Marks come
 * in two forms:
 *   linear (AArch64): each member keeps its own PA and carries a mark bit;
 *           kind, leaf_pa and leaf_flags ignore the mark.
 *   shared (Svnapot): every member holds the same entry, the group's PA
 *           with mark bits in its low address bits; kind and leaf_flags
 *           ignore the mark, leaf_pa gives the group's PA with the mark
 *           bits in it, and a member's own PA is the group's PA plus its
 *           VA's offset in the group (member_pa, src/runs.h).
 *
 *   arch_<f>_RUN_MAX        the largest k at any height (0: no runs; the
 *                           hooks below are then never called).
 *   arch_<f>_RUN_SHARED     1 where marks are shared, 0 where linear.
 *   arch_<f>_RUN_FEAT       the feature bit without which a map writes no
 *                           marks (0: none needed); marks are read
 *                           whatever the features.
 *   unsigned run_order(feat, h)  k at height h (0: no runs there).
 *   bool in_run(h, e)       the PTK_LEAF e is marked.
 *   uint64_t run_mark(h, e)     linear: the leaf e marked, and
 *                           run_mark(h, succ(e)) == succ(run_mark(h, e)) where
 *                           out() is linear; shared: the entry every member
 *                           holds, from e the group's first leaf (or any
 *                           member).
 *   uint64_t run_unmark(h, e)   linear: the leaf e without the mark;
 *                           shared: the group's first leaf, with e's
 *                           attributes.
 *
 * Foreign tables (pt_access, src/access.h) are read under a struct
 * pt_regime, which can make entries mean more than the hooks above know
 * (table-level permission bits, memory types through an attribute
 * register, encodings libpt never writes). Three more hooks:
 *
 *   bool regime_ok(r)       r's controls, attrs and dir_mask make sense
 *                           for the family (unknown controls, reserved
 *                           attribute encodings: false).
 *   int r_entry(r, h, e, &next, &up)  kind of e under r (CORRUPT only where
 *                           the architecture reserves an encoding; a leaf's
 *                           reserved encodings may be left to r_leaf); for a
 *                           PTK_TABLE the next table's PA in next (below
 *                           the shape's PA width, aligned to a table), and the
 *                           restrictions it sets for everything below ORed
 *                           into up (the family's own bits, in whatever
 *                           form r_leaf reads them most cheaply).
 *   bool r_leaf(r, h, e, up, &lf)  the PTK_LEAF e under r and the
 *                           restrictions up: struct pt_rleaf below
 *                           (lf->size comes in as the level's span; a
 *                           leaf that maps more or less says so); false
 *                           if r reserves the leaf's encoding (corrupt:
 *                           one decode finds both, where r_entry would
 *                           take the fields apart a second time).
 *   arch_<f>_AF_FIRST       1 when the MMU raises an access-flag fault
 *                           before a permission fault.
 *   arch_<f>_REGIME_COPY    1 when the walk should read the regime from a
 *                           local copy, which the hook calls cannot change,
 *                           so its fields stay in registers across
 *                           phys_to_virt (LoongArch, whose r_entry tests
 *                           dir_mask at every level); 0 where that costs
 *                           registers the walk needs more.
 *   arch_<f>_OWN_CONTROLS   PT_CTL_* of the regime libpt writes tables for
 *                           (pt_translate's): a constant, so that walk
 *                           folds what they decide.
 *
 * tests/test_hooks.c checks the branch-free hooks against kind() for every
 * family, feature set and height, and tests/fake_arch.h is a format that
 * breaks what the real ones happen to share (an empty entry that is not 0,
 * bit positions that change per level, an address field in pieces): the
 * engine suites run on it too.
 */
#ifndef PT_ARCH_H
#define PT_ARCH_H

#include "pt.h"

enum pt_kind { PTK_EMPTY, PTK_TABLE, PTK_LEAF, PTK_CORRUPT };

/* Hooks run once per entry in the engine's loops: they must fold into
 * them, whatever the compiler's size heuristics say. */
#define PT_HOOK static inline __attribute__((always_inline))

/* The shape of one format: pure data, no code. */
struct pt_shape {
	struct pt_arch_info info;
	unsigned char shift[PT_MAX_LEVELS];  /* VA bit where the level's index starts */
	unsigned short entries[PT_MAX_LEVELS];
	unsigned char pte_bytes;             /* 8, or 4 for ARMv7 */
	unsigned char frames[PT_MAX_LEVELS]; /* frames per table allocation */
	unsigned char per_frame[PT_MAX_LEVELS]; /* tables packed in one frame */
	unsigned char leaf_levels;           /* bit l: level l may hold leaves */
	bool sign_extend;                    /* VAs are sign-extended from va_bits */
	unsigned features;                   /* feature bits this format accepts */
};

/* What each privilege may do with a leaf under its regime: the access
 * check needs nothing else. */
#define PT_PERM_R 1u /* privileged read, write, execute */
#define PT_PERM_W 2u
#define PT_PERM_X 4u
#define PT_PERM_UR 8u /* the same from user mode */
#define PT_PERM_UW 16u
#define PT_PERM_UX 32u

/* A leaf as r_leaf decodes it under a regime. */
struct pt_rleaf {
	uint64_t pa;    /* base, aligned to size */
	uint64_t size;
	uint32_t flags; /* effective mapping flags | access state */
	uint32_t perm;  /* PT_PERM_*, every level and control applied */
	bool af;        /* any access faults on the access flag */
	bool clean;     /* a write faults to record the dirty state */
};

/* ---- Hooks several families share (each use names its family f) ---- */

/* Offset bits of a leaf at height h with 4 KiB pages and 512-entry tables. */
PT_HOOK uint64_t arch_span_mask_512(unsigned h)
{
	return (UINT64_C(1) << (12 + 9 * h)) - 1;
}

/* leaf_empty: no bit of `present` set (the MMU ignores every other bit). */
#define PT_LEAF_EMPTY_UNLESS(f, present)                                                     \
	PT_HOOK bool arch_##f##_leaf_empty(unsigned feat, uint64_t pte)                      \
	{                                                                                    \
		(void)feat;                                                                  \
		return !(pte & (present));                                                   \
	}

/* is_table as the contract's mask test, refusing 0 where MATCH is 0. */
#define PT_IS_TABLE_BY_MASK(f)                                                               \
	PT_HOOK bool arch_##f##_is_table(unsigned feat, unsigned h, uint64_t pte)            \
	{                                                                                    \
		(void)feat;                                                                  \
		return h > 0 && (arch_##f##_TABLE_MATCH != 0 || pte != 0) &&                 \
		       (pte & arch_##f##_TABLE_MASK) == arch_##f##_TABLE_MATCH;              \
	}

/* table, table_pa and leaf_pa where entries hold the PA in the bits of
 * `addr` as it is (a leaf's, aligned to its size, with 512-entry tables),
 * and a table entry is `bits` besides. */
#define PT_PA_IN_PLACE(f, addr, bits)                                                        \
	PT_HOOK uint64_t arch_##f##_table(unsigned h, uint64_t pa)                           \
	{                                                                                    \
		(void)h;                                                                     \
		return (bits) | (pa & (addr));                                               \
	}                                                                                    \
	PT_HOOK uint64_t arch_##f##_table_pa(unsigned h, uint64_t pte)                       \
	{                                                                                    \
		(void)h;                                                                     \
		return pte & (addr);                                                         \
	}                                                                                    \
	PT_HOOK uint64_t arch_##f##_leaf_pa(unsigned h, uint64_t pte)                        \
	{                                                                                    \
		return pte & (addr) & ~arch_span_mask_512(h);                                \
	}

/* out() where the address field holds the PA as it is. */
#define PT_OUT_IS_PA(f) \
	PT_HOOK uint64_t arch_##f##_out(uint64_t pa) { return pa; }

/* may_set where the MMU sets accessed bit a, and dirty bit d in a leaf with
 * write bit w. */
#define PT_MAY_SET_AWD(f, a, w, d)                                                           \
	PT_HOOK bool arch_##f##_may_set(unsigned feat, unsigned h, uint64_t pte)             \
	{                                                                                    \
		(void)feat, (void)h;                                                         \
		return !(pte & (a)) || (pte & ((w) | (d))) == (w);                           \
	}

/* needs_bbm where any in-place change is allowed (stale TLB entries go at
 * the flush). */
#define PT_NEVER_BBM(f)                                                                      \
	PT_HOOK bool arch_##f##_needs_bbm(unsigned h, uint64_t old, uint64_t new_pte)        \
	{                                                                                    \
		(void)h, (void)old, (void)new_pte;                                           \
		return false;                                                                \
	}

/* The run hooks of a family without contiguous runs. */
#define PT_NO_RUNS(f)                                                                        \
	enum { arch_##f##_RUN_MAX = 0, arch_##f##_RUN_SHARED = 0, arch_##f##_RUN_FEAT = 0 }; \
	PT_HOOK unsigned arch_##f##_run_order(unsigned feat, unsigned h)                     \
	{                                                                                    \
		(void)feat, (void)h;                                                         \
		return 0;                                                                    \
	}                                                                                    \
	PT_HOOK bool arch_##f##_in_run(unsigned h, uint64_t e)                               \
	{                                                                                    \
		(void)h, (void)e;                                                            \
		return false;                                                                \
	}                                                                                    \
	PT_HOOK uint64_t arch_##f##_run_mark(unsigned h, uint64_t e)                         \
	{                                                                                    \
		(void)h;                                                                     \
		return e;                                                                    \
	}                                                                                    \
	PT_HOOK uint64_t arch_##f##_run_unmark(unsigned h, uint64_t e)                       \
	{                                                                                    \
		(void)h;                                                                     \
		return e;                                                                    \
	}

/* PT_PERM_* from a leaf's own mapping flags (no table bits, no controls):
 * a privileged mode may do what the flags allow, user mode only on USER
 * leaves. */
PT_HOOK uint32_t arch_perm_of(uint32_t f)
{
	uint32_t p = (f & PT_READ ? PT_PERM_R : 0) | (f & PT_WRITE ? PT_PERM_W : 0) |
		     (f & PT_EXECUTE ? PT_PERM_X : 0);
	return f & PT_USER ? p | p << 3 : p;
}

/* The regime hooks of a family whose entries mean the same under every
 * regime: no table-level bits, no controls, libpt's own memory types. */
#define PT_REGIME_OWN(f)                                                                     \
	PT_HOOK bool arch_##f##_regime_ok(const struct pt_regime *r)                         \
	{                                                                                    \
		return !r->controls && !r->attrs && !r->dir_mask;                            \
	}                                                                                    \
	PT_HOOK int arch_##f##_r_entry(const struct pt_regime *r, unsigned h, uint64_t e,    \
				       uint64_t *next, uint64_t *up)                         \
	{                                                                                    \
		int k = arch_##f##_kind(r->features, h, e);                                  \
		(void)up;                                                                    \
		if (k == PTK_TABLE)                                                          \
			*next = arch_##f##_table_pa(h, e);                                   \
		return k;                                                                    \
	}                                                                                    \
	PT_HOOK bool arch_##f##_r_leaf(const struct pt_regime *r, unsigned h, uint64_t e,    \
				       uint64_t up, struct pt_rleaf *lf)                     \
	{                                                                                    \
		(void)up;                                                                    \
		lf->pa = arch_##f##_leaf_pa(h, e);                                           \
		lf->flags = arch_##f##_leaf_flags(r->features, h, e);                        \
		lf->perm = arch_perm_of(lf->flags);                                          \
		lf->af = lf->clean = false;                                                  \
		return true;                                                                 \
	}

/* The fields every shape of 512 8-byte entries per one-frame table shares
 * (entries past the shape's levels are never read). */
#define PT_SHAPE_512 \
	.entries = { 512, 512, 512, 512, 512 }, .pte_bytes = 8, \
	.frames = { 1, 1, 1, 1, 1 }, .per_frame = { 1, 1, 1, 1, 1 }

#endif /* PT_ARCH_H */
