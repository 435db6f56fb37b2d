/* SPDX-License-Identifier: MIT */
/*
 * libpt's leaves in batches, included by pt.h: pt_walk_batches hands each
 * batch to a callback; a struct pt_cursor hands them to the caller's own
 * loop, one call per batch and none per leaf.
 */
#ifndef PT_BATCH_H
#define PT_BATCH_H

/*
 * A batch: leaves following one another in VA with the same level, size
 * and flags, each with its PA (any PA: no PA run needed). Leaf i's PA is
 * PT_BATCH_PA(b, i), a shift and a mask of one word:
 *
 *  - Where the format's last-level entries are 8 bytes that hold the PA
 *    shifted (x86-64, AArch64 up to 48-bit PAs, RISC-V, LoongArch), a
 *    batch of last-level leaves of one table is read in place: entry
 *    points at the leaves' entries in the table, and a batch holds up to
 *    the rest of the table (512 leaves of a 4K-granule table). Nothing is
 *    copied, so the caller's loop is the only pass over them.
 *  - Otherwise (larger leaves, ARMv7, 52-bit PAs, runs whose members share
 *    one PA) entry points at PAs copied out, shift 0 and mask all ones: up
 *    to PT_BATCH_MAX leaves.
 *
 * Either way the batch reads what the table held when it was made: it is
 * valid until the callback returns (pt_walk_batches), or until the next
 * call on the cursor and the next edit of the table, whichever is first.
 * A caller that edits the table while it reads a batch (unmaps a batch's
 * leaves one by one, say) reads every PA it needs before the edit.
 */
#define PT_BATCH_MAX 64
struct pt_batch {
	uint64_t va;           /* canonical VA of leaf 0; leaf i's is va + i * size */
	uint64_t size;         /* every leaf's size */
	uint32_t flags;        /* every leaf's normalised flags */
	unsigned level;        /* every leaf's level */
	size_t n;              /* 1 or more leaves */
	const uint64_t *entry; /* one word per leaf, read through PT_BATCH_PA */
	uint64_t mask;
	unsigned shift;
};

/* Leaf i's PA, i < b->n. */
#define PT_BATCH_PA(b, i) (((b)->entry[(i)] << (b)->shift) & (b)->mask)

/*
 * Every leaf overlapping [va, va + size), in VA order, in batches. A leaf
 * is reported whole even where the window cuts it. A 4K leaf with the
 * attribute bits of the one before joins on one compare; fn runs once per
 * batch. A non-zero fn result stops the walk and is returned. Errors:
 * PT_ERR_INVALID (as pt_walk_ranges), PT_ERR_CORRUPT (every leaf before the
 * corrupt entry has been handed over; the walk stops there).
 */
PT_API int pt_walk_batches(const struct pt_table *t, uint64_t va, uint64_t size,
			   int (*fn)(void *arg, const struct pt_batch *b), void *arg);

/*
 * pt_walk_batches' batches as an iterator the caller drives, so the
 * per-leaf work is the caller's own loop, with no call per leaf:
 *
 *	struct pt_cursor c;
 *	struct pt_batch b;
 *	int r;
 *	PT_FOR_EACH_BATCH(&c, t, va, size, &b, r)
 *		for (size_t i = 0; i < b.n; i++)
 *			sum += PT_BATCH_PA(&b, i);
 *	if (r < 0)
 *		... PT_ERR_INVALID or PT_ERR_CORRUPT
 *
 * pt_cursor_init checks the window as pt_walk_batches does and reads no
 * table. pt_cursor_next stores the next batch in *b and returns its leaf
 * count (> 0), 0 once the window is done, or an error: PT_ERR_INVALID
 * (NULL c or b, a cursor whose init failed, a table
 * destroyed meanwhile), PT_ERR_CORRUPT (every leaf before the corrupt
 * entry has been handed over); after the end or an error every call
 * returns the same again. The batches are exactly pt_walk_batches' over
 * the same table. The cursor is a plain struct the caller owns (nothing
 * allocated, nothing to release; its layout is private, in a header of
 * its own): the walk may stop after any batch and go on later, from c or
 * a copy of it. The caller may edit the table between calls (calls on it
 * are still serialised): the walk goes on where the last call stopped
 * (after the last leaf handed over, or at the leaf that ended the batch, a
 * hole before it not read again), reading the table as it is then.
 */
#include "pt/cursor.h"
PT_API int pt_cursor_init(struct pt_cursor *c, const struct pt_table *t, uint64_t va,
			  uint64_t size);
PT_API int pt_cursor_next(struct pt_cursor *c, struct pt_batch *b);

/* Every batch of [va, va + size) in turn, c a struct pt_cursor * and b a
 * struct pt_batch * for the loop's body; r (an int) is 0 afterwards when
 * the window is done, negative on an error (PT_ERR_INVALID from init, or
 * as pt_cursor_next), positive if the body broke out. */
#define PT_FOR_EACH_BATCH(c, t, va, size, b, r)                               \
	for ((r) = pt_cursor_init((c), (t), (va), (size));                    \
	     (r) >= 0 && ((r) = pt_cursor_next((c), (b))) > 0;)

#endif /* PT_BATCH_H */
