/* SPDX-License-Identifier: MIT */
/*
 * Family-independent pieces of one operation: the frame stash that makes
 * region operations atomic, and TLB flush recording. Nothing here reads or
 * writes an entry.
 */
#ifndef PT_OP_H
#define PT_OP_H

#include "internal.h"

/*
 * What a protect plan learned about its range's last-level tables: up to
 * PT_RUN_LOG runs of last-level leaves, each the entry `e` at `va` followed by its
 * successors through `last` (across tables too). The commit rewrites these
 * without reading them again, and reads and compares what the log misses.
 */
#define PT_RUN_LOG 8
struct pt_run {
	uint64_t va, last, e;
};
struct pt_runs {
	struct pt_run rec[PT_RUN_LOG];
	unsigned n;   /* records written by the plan */
	unsigned cur; /* the commit's position (VAs only grow) */
};

/*
 * Table frames on their way back to the allocator, handed over
 * PT_FREE_BATCH allocations a call when the caller takes them in batches
 * (pt_set_free_batch), one free_frames call each otherwise (or with
 * no batch at hand: a NULL one). Whoever fills one empties it
 * (pt__give_all) before returning. Set up without an initialiser: zeroing
 * the array would be a memset call.
 */
struct pt_give {
	uint64_t pa[PT_FREE_BATCH];
	size_t n;
	size_t count; /* frames per allocation, the same for all n */
};

/* One API call in progress. */
struct pt_op {
	const struct pt_table *t;
	struct pt_table *w; /* the same table, writable; NULL for lookups */
	const struct pt_shape *s;
	unsigned feat;
	unsigned levels;
	/* Frames reserved before the first write, chained through their own
	 * first 8 bytes; the commit phase takes from here and cannot fail. */
	uint64_t stash;
	/* Packed-table planning: the last group of packed tables planned. */
	uint64_t plan_group;
	/* The leaf each level's table being split was made of (the
	 * descent's TBL_PIECES tables). */
	uint64_t split[PT_MAX_LEVELS];
	/* Where table frames the call frees go, together (a region call's
	 * commit, which empties it at its end); NULL: each on its own. */
	struct pt_give *give;
};

PT_INLINE void pt__op_init(struct pt_op *op, const struct pt_table *t)
{
	op->t = t;
	op->w = (struct pt_table *)0;
	op->s = t->shape;
	op->feat = t->features;
	op->levels = op->s->info.levels;
	op->stash = 0;
	op->plan_group = UINT64_MAX;
	op->give = (struct pt_give *)0;
}

PT_INLINE void pt__op_init_rw(struct pt_op *op, struct pt_table *t)
{
	pt__op_init(op, t);
	op->w = t;
}

PT_INLINE void *pt__virt(const struct pt_mm *mm, uint64_t pa)
{
	/* The frame, then the offset in it (a 1 KiB ARMv7 L2 table). */
	unsigned char *f = mm->phys_to_virt(mm->ctx, pa & ~(uint64_t)(PT_FRAME_SIZE - 1));
	return f ? f + (pa & (PT_FRAME_SIZE - 1)) : (void *)0;
}

/* A frame of t's own tables, through the direct map when t has one. */
PT_INLINE void *pt__frame(const struct pt_table *t, uint64_t pa)
{
	if (t->direct)
		return (void *)(uintptr_t)(pa + t->direct_offset);
	return pt__virt(&t->mm, pa);
}

/* Allocate `count` frames aligned to `align`. PA 0, an unaligned or too
 * wide PA, or an unreachable frame is a failure (and goes straight back). */
static inline int pt__alloc(const struct pt_table *t, const struct pt_shape *s,
			    size_t count, size_t align, uint64_t *pa)
{
	const struct pt_mm *mm = &t->mm;
	uint64_t p = 0;
	uint64_t bytes = (uint64_t)count * PT_FRAME_SIZE;
	if (mm->alloc_frames(mm->ctx, count, align, &p) != 0 || p == 0)
		return PT_ERR_NO_MEMORY;
	if ((p & (align - 1)) || (p + bytes - 1) >> s->info.pa_bits || !pt__frame(t, p)) {
		mm->free_frames(mm->ctx, p, count);
		return PT_ERR_NO_MEMORY;
	}
	*pa = p;
	return PT_OK;
}

/* The next reserved frame; the stash links them through their first
 * bytes. pt__alloc checked that each is reachable; a hook that no longer
 * reaches one ends the stash there instead of faulting (the frames after
 * it cannot be found). */
static inline uint64_t pt__take(struct pt_op *op)
{
	const uint64_t pa = op->stash;
	const uint64_t *link = (const uint64_t *)pt__frame(op->t, pa);
	op->stash = link ? *link : 0;
	return pa;
}

/* Give back whatever the commit did not use (and everything on failure). */
static inline void pt__unreserve(struct pt_op *op)
{
	const size_t frames = pt__sub_frames(op->s);
	while (op->stash)
		op->t->mm.free_frames(op->t->mm.ctx, pt__take(op), frames);
}

/* Reserve n allocations for tables below the root into the stash (each
 * the frames of one such table, aligned to its size); all or nothing. */
static inline int pt__reserve(struct pt_op *op, size_t n)
{
	const size_t frames = pt__sub_frames(op->s);
	while (n--) {
		uint64_t pa;
		if (pt__alloc(op->t, op->s, frames, frames * PT_FRAME_SIZE, &pa) != PT_OK) {
			pt__unreserve(op);
			return PT_ERR_NO_MEMORY;
		}
		*(uint64_t *)pt__frame(op->t, pa) = op->stash;
		op->stash = pa;
	}
	return PT_OK;
}

/* ---- Cursors ------------------------------------------------------------ */

/* A cursor at the start of [va, last] of t, nothing read yet (field by
 * field: an initialiser may zero the struct by a memset call). */
PT_INLINE void pt__cursor_start(struct pt_cursor *c, const struct pt_table *t, uint64_t va,
				uint64_t last)
{
	c->t = t;
	c->va = va;
	c->last = last;
	for (unsigned l = 0; l < PT_MAX_LEVELS; l++) {
		c->path[l] = (const void *)0;
		c->path_va[l] = 0;
	}
	c->gen = t->tables_gen;
	c->b.va = 0;
	c->b.size = 0;
	c->b.flags = 0;
	c->b.level = 0;
	c->b.n = 0;
	c->b.entry = c->pa;
	c->b.mask = ~UINT64_C(0);
	c->b.shift = 0;
	c->attrs = 0;
	c->raw = false;
	c->view = false;
	c->state = 0;
}

/* ---- Hints (the rest is in src/hints.h) --------------------------------- */

/* A table frame is about to go (or the way to reach frames changed): no
 * hint may point at it. The flags and their encoding stay. */
static inline void pt__forget_hints(struct pt_table *t)
{
	t->hint_tbl = (void *)0;
	t->hint_va = 1; /* odd: no table's first VA */
	t->hint_dir = (const void *)0;
	t->hint_dir_span = UINT64_MAX; /* no VA's span number */
	t->hint_qspan = 0;
	t->hint_qdir = 0;
	t->tables_gen++;
}

/* ---- TLB flush records ------------------------------------------------ */

/* va's leaf changed (PT__RECORD, include/pt/inline.h). */
PT_INLINE void pt__record(struct pt_table *t, uint64_t va)
{
	PT__RECORD(t, va);
}

/* n leaves of `step` bytes from va changed. */
static inline void pt__record_run(struct pt_table *t, uint64_t va, uint64_t n, uint64_t step)
{
	if (t->nflush + n > PT_FLUSH_MAX) {
		t->nflush = PT_FLUSH_MAX + 1;
		return;
	}
	while (n--) {
		t->flush_va[t->nflush++] = va;
		va += step;
	}
}

/* A table entry was removed or replaced: walk caches may hold it for its
 * whole span (RISC-V sfence.vma with an address covers leaves only). */
PT_INLINE void pt__record_all(struct pt_table *t)
{
	t->nflush = PT_FLUSH_MAX + 1;
}

static inline void pt__flush_now(const struct pt_table *t, uint64_t va, bool all)
{
	if (t->mm.flush_tlb)
		t->mm.flush_tlb(t->mm.ctx, va, all);
}

/* ---- Table frames leaving the tree ------------------------------------ */

PT_INLINE void pt__give_all(const struct pt_table *t, struct pt_give *g)
{
	if (g->n)
		t->free_batch(t->mm.ctx, g->pa, g->n, g->count);
	g->n = 0;
}

PT_INLINE void pt__give(const struct pt_table *t, struct pt_give *g, uint64_t pa, size_t count)
{
	if (!t->free_batch || !g) {
		t->mm.free_frames(t->mm.ctx, pa, count);
		return;
	}
	if (g->n == PT_FREE_BATCH || (g->n && g->count != count))
		pt__give_all(t, g);
	g->count = count;
	g->pa[g->n++] = pa;
}

/* Hand every pending table frame to the allocator. Only after a full flush
 * made after they left the tree, or once nothing can walk the table. */
static __attribute__((noinline, unused)) void pt__free_pending(struct pt_table *t)
{
	struct pt_give g;
	const unsigned n = t->nfree;
	g.n = 0;
	t->nfree = 0;
	if (!t->free_batch) {
		for (unsigned i = 0; i < n; i++)
			t->mm.free_frames(t->mm.ctx, t->free_pending[i] & ~(uint64_t)(PT_FRAME_SIZE - 1),
					  (size_t)(t->free_pending[i] & (PT_FRAME_SIZE - 1)));
		return;
	}
	for (unsigned i = 0; i < n; i++)
		pt__give(t, &g, t->free_pending[i] & ~(uint64_t)(PT_FRAME_SIZE - 1),
			 (size_t)(t->free_pending[i] & (PT_FRAME_SIZE - 1)));
	pt__give_all(t, &g);
}

/* The pending list is full: flush everything, then free what it holds. */
static __attribute__((noinline, unused)) void pt__free_all_pending(struct pt_table *t)
{
	t->mm.flush_tlb(t->mm.ctx, 0, true);
	t->nflush = 0;
	pt__free_pending(t);
}

/*
 * `count` frames at pa held a table whose entry is already stored empty
 * (or replaced): the MMU or a walk cache may read the frame until the TLB
 * forgot that entry, so with a flush hook it waits for pt_flush's full
 * flush. A full list is flushed (which covers every recorded VA too) and
 * freed here, this frame with it. Without a hook it goes at once, through
 * g.
 */
PT_INLINE void pt__free_table(struct pt_table *t, struct pt_give *g, uint64_t pa, size_t count)
{
	if (t->mm.flush_tlb) {
		if (t->nfree < PT_FREE_MAX) {
			t->free_pending[t->nfree++] = pa | count;
			return;
		}
		pt__free_all_pending(t);
	}
	pt__give(t, g, pa, count);
}

#endif /* PT_OP_H */
