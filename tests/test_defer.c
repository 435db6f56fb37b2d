/* SPDX-License-Identifier: MIT */
/*
 * Table frames that leave the tree: a frame an edit detaches (a table
 * pt_unmap_region reclaims, an empty subtree a map replaces, a subtree
 * under a new huge leaf, an ARMv7 L2 frame whose last table goes) reaches
 * mm->free_frames only after a flush_tlb(all = true) made after the
 * detach, and nothing writes it once detached: until the TLB forgot it the
 * MMU, or a walk cache, may still read it.
 *
 * The hooks here play the MMU. At every call libpt makes into them (and
 * after every API call) they walk the table raw from the root, with the
 * public decoder, and follow each frame's life: allocated, in the tree,
 * out of it (its bytes copied the first time it is seen out), freed
 * (poisoned by the arena). A frame out of the tree must keep its bytes, a
 * freed one its poison; the flush hook checks that every frame seen out
 * of the tree is still allocated when a full flush comes, and the free
 * hook that a frame it is given had been seen out of the tree before a
 * full flush (or was never in the tree: a reserve given back). The
 * counting tests pin the rest: frames come back at pt_flush, a call with
 * more than PT_FREE_MAX frames out flushes and frees them itself, no
 * flush hook frees at once, pt_destroy frees what waits.
 *
 * Every scenario runs twice: frames back through free_frames only, and
 * through a pt_set_free_batch hook where the library hands them in batches
 * (the hook checks each batch and gives each frame to the same checks).
 */
#include <stdlib.h>

#include "check.h"
#include "fmt.h"

/* The page (the granule on AArch64) of the format f in scope. */
#define K4 fmt_page(f)
#define RW (PT_READ | PT_WRITE)
#define WFRAMES 4096 /* more than PT_FREE_MAX 64K tables */
#define FRAME 4096u
#define POISON 0xdb /* what the arena writes into a freed frame */

enum life {
	L_NEVER,    /* never allocated */
	L_NEW,      /* allocated, not seen in the tree yet (a reserve, a new table) */
	L_IN,       /* seen in the tree */
	L_OUT,      /* seen in the tree, then out of it: not to be written */
	L_FREED,    /* given back: poisoned */
};

struct watch {
	const struct fmt *f;
	struct arena a;
	struct pt_mm mm;
	struct pt_table t;
	bool hook;       /* t has a flush_tlb hook: frames wait for a full flush */
	bool batch;      /* t has a pt_set_free_batch hook */
	bool in_batch;   /* inside it */
	unsigned long batches, batched; /* its calls and the frames they gave */
	bool live;       /* t is initialised and not being destroyed */
	bool busy;       /* inside an audit (its own reads call no hook) */
	unsigned char life[WFRAMES];
	bool flushed[WFRAMES];        /* L_OUT: a full flush came since it was seen out */
	unsigned long seen[WFRAMES];  /* the last audit that reached the frame */
	unsigned long epoch;
	unsigned char *copy;          /* L_OUT frames' bytes when first seen out */
	unsigned long errors;
	char error[200];
	unsigned long outs;           /* frames seen leaving the tree */
};

static void w_error(struct watch *w, const char *what, uint64_t pa)
{
	if (w->errors++ == 0)
		snprintf(w->error, sizeof(w->error), "%s: frame %#llx", what,
			 (unsigned long long)pa);
}

static size_t frame_no(const struct watch *w, uint64_t pa)
{
	return (size_t)((pa - w->a.base) / FRAME);
}

static bool in_arena(const struct watch *w, uint64_t pa)
{
	return pa >= w->a.base && (pa - w->a.base) / FRAME < WFRAMES;
}

/* Mark every frame reachable below the level-l table at pa. */
static void reach(struct watch *w, uint64_t pa, unsigned l)
{
	const struct fmt *f = w->f;
	for (size_t i = 0; i < fmt_entries(f, l); i++) {
		uint64_t e = pte_read(f, &w->a, pa, i);
		struct pt_entry d;
		if (e == fmt_empty(f) ||
		    pt_pte_decode(f->arch, f->feat, fmt_plevel(f, l), e, &d) != PT_OK || d.leaf ||
		    l + 1 >= f->levels || !in_arena(w, d.pa))
			continue;
		for (size_t k = 0; k < fmt_table_frames(f); k++)
			w->seen[frame_no(w, d.pa) + k] = w->epoch;
		reach(w, d.pa, l + 1);
	}
}

static bool poisoned(const unsigned char *p)
{
	for (size_t i = 0; i < FRAME; i++)
		if (p[i] != POISON)
			return false;
	return true;
}

/* What the MMU would see now, against what it saw before. */
static void audit(struct watch *w)
{
	uint64_t root;
	if (!w->live || w->busy)
		return;
	w->busy = true;
	w->epoch++;
	root = pt_root(&w->t);
	for (size_t k = 0; k < fmt_root_frames(w->f); k++)
		w->seen[frame_no(w, root) + k] = w->epoch;
	reach(w, root, 0);
	for (size_t i = 0; i < WFRAMES; i++) {
		const uint64_t pa = w->a.base + (uint64_t)i * FRAME;
		unsigned char *p = w->a.mem + i * FRAME, *c = w->copy + i * FRAME;
		const bool now = w->seen[i] == w->epoch;
		switch (w->life[i]) {
		case L_NEW:
			if (now)
				w->life[i] = L_IN;
			break;
		case L_IN:
			if (!now) {
				w->life[i] = L_OUT;
				w->flushed[i] = false;
				memcpy(c, p, FRAME);
				w->outs++;
			}
			break;
		case L_OUT:
			if (now)
				w_error(w, "a frame out of the tree came back before it was freed", pa);
			else if (memcmp(c, p, FRAME) != 0)
				w_error(w, "a frame out of the tree was written", pa);
			break;
		case L_FREED:
			if (!poisoned(p))
				w_error(w, "a freed frame was written", pa);
			break;
		default:
			break;
		}
	}
	w->busy = false;
}

static int w_alloc(void *ctx, size_t count, size_t align, uint64_t *pa)
{
	struct watch *w = ctx;
	int r;
	audit(w);
	r = arena_alloc_frames(&w->a, count, align, pa);
	if (r == 0)
		for (size_t k = 0; k < count; k++)
			w->life[frame_no(w, *pa) + k] = L_NEW;
	return r;
}

static void w_free(void *ctx, uint64_t pa, size_t count)
{
	struct watch *w = ctx;
	audit(w);
	for (size_t k = 0; in_arena(w, pa) && k < count; k++) {
		const size_t i = frame_no(w, pa) + k;
		if (w->live && w->life[i] == L_IN)
			w_error(w, "freed while still in the tree", pa);
		else if (w->live && w->hook && w->life[i] == L_OUT && !w->flushed[i])
			w_error(w, "freed before a full flush after it left the tree", pa);
		else if (w->live && w->batch && !w->in_batch && w->life[i] == L_OUT)
			w_error(w, "a table frame freed outside a batch", pa);
		w->life[i] = L_FREED;
	}
	arena_free_frames(&w->a, pa, count);
}

/* A batch: 1 to PT_FREE_BATCH tables of one granule each, none twice, each
 * then freed as free_frames would. */
static void w_free_batch(void *ctx, const uint64_t *pa, size_t n, size_t count)
{
	struct watch *w = ctx;
	w->batches++;
	if (n < 1 || n > PT_FREE_BATCH)
		w_error(w, "a batch of a wrong size", n);
	if (count != fmt_table_frames(w->f))
		w_error(w, "a batch of other than tables below the root", count);
	for (size_t k = 0; k < n && k < PT_FREE_BATCH; k++) {
		for (size_t m = 0; m < k; m++)
			if (pa[m] == pa[k])
				w_error(w, "a frame twice in one batch", pa[k]);
		w->in_batch = true;
		w_free(ctx, pa[k], count);
		w->in_batch = false;
		w->batched++;
	}
}

static void *w_virt(void *ctx, uint64_t pa)
{
	struct watch *w = ctx;
	audit(w);
	return arena_phys_to_virt(&w->a, pa);
}

static void w_flush(void *ctx, uint64_t va, bool all)
{
	struct watch *w = ctx;
	audit(w);
	/* Every frame seen out of the tree is still the table's (and its
	 * bytes are as they were: the audit compared them); a full flush is
	 * what lets it go. */
	for (size_t i = 0; i < WFRAMES; i++) {
		if (w->life[i] != L_OUT)
			continue;
		if (!arena_allocated(&w->a, w->a.base + (uint64_t)i * FRAME))
			w_error(w, "out of the tree and freed before a full flush",
				w->a.base + (uint64_t)i * FRAME);
		if (all)
			w->flushed[i] = true;
	}
	arena_flush_tlb(&w->a, va, all);
}

/* hook: with a flush_tlb hook (the deferred case) or without; batch: with
 * a pt_set_free_batch hook. */
static int w_init(struct watch *w, const struct fmt *f, bool hook, bool batch)
{
	memset(w, 0, sizeof(*w));
	w->f = f;
	w->hook = hook;
	w->batch = batch;
	w->copy = malloc((size_t)WFRAMES * FRAME);
	if (!CHECK(w->copy != NULL))
		return 0;
	if (!CHECK_EQ(arena_init(&w->a, UINT64_C(0x10000000), WFRAMES), 0)) {
		free(w->copy);
		return 0;
	}
	w->mm = (struct pt_mm){ w_alloc, w_free, w_virt, hook ? w_flush : NULL, w };
	if (!CHECK_EQ(fmt_init(&w->t, f, &w->mm), PT_OK)) {
		arena_fini(&w->a);
		free(w->copy);
		return 0;
	}
	if (batch)
		CHECK_EQ(pt_set_free_batch(&w->t, w_free_batch), PT_OK);
	w->live = true;
	audit(w);
	return 1;
}

/* After every API call: what the call left, as the MMU sees it. */
static void settle(struct watch *w)
{
	audit(w);
}

/* pt_destroy frees every frame at once (the caller switched away): no
 * flush to wait for, and nothing left. */
static void w_destroy(struct watch *w)
{
	settle(w);
	w->live = false;
	pt_destroy(&w->t);
	CHECK_EQ(w->a.in_use, 0);
	if (!CHECK_EQ(w->a.errors, 0))
		printf("  arena: %s\n", w->a.error);
	if (!CHECK_EQ(w->errors, 0))
		printf("  %s: %s\n", check_ctx, w->error);
}

static void w_fini(struct watch *w)
{
	w_destroy(w);
	arena_fini(&w->a);
	free(w->copy);
}

static uint64_t V(const struct fmt *f, uint64_t off)
{
	return f->lo + off;
}

/* VA one last-level table frame serves (ARMv7: four 1 KiB L2 tables). */
static uint64_t frame_span(const struct fmt *f)
{
	return f->arch == PT_ARMV7 ? 4 * PT_SIZE_1M : fmt_span(f, f->levels - 2);
}

/* Tables in use but out of the tree and not freed (every table below the
 * root is one granule). */
static size_t waiting(const struct watch *w)
{
	return pending_frames(&w->t) / fmt_table_frames(w->f);
}

/* ---- Scenarios under the watch ------------------------------------------ */

/* Reclaim: 4K pages across table boundaries, unmapped in pieces, then
 * whole; the frames come back at pt_flush, not before. */
static void s_reclaim(struct watch *w)
{
	const struct fmt *f = w->f;
	const uint64_t fs = frame_span(f), va = V(f, 0x40000000 - 4 * K4);
	const uint64_t size = 3 * fs + 8 * K4;
	size_t before = w->a.in_use, mid;
	unsigned long frees, alls;
	CHECK_EQ(pt_map_region(&w->t, va, 0x100000, size, RW, 0), PT_OK);
	settle(w);
	pt_flush(&w->t);
	mid = w->a.in_use;
	frees = w->a.frees;
	alls = w->a.flush_all_calls;
	/* The middle table's worth goes: its frame waits. */
	CHECK_EQ(pt_unmap_region(&w->t, va + 4 * K4 + fs, fs), PT_OK);
	settle(w);
	CHECK_EQ(w->a.in_use, mid);
	CHECK_EQ(w->a.frees, frees);
	CHECK_EQ(w->a.flush_all_calls, alls);
	CHECK_EQ(waiting(w), 1);
	pt_flush(&w->t);
	settle(w);
	CHECK_EQ(w->a.flush_all_calls, alls + 1);
	CHECK_EQ(w->a.in_use, mid - fmt_table_frames(f));
	CHECK_EQ(waiting(w), 0);
	/* The rest, tables above included. */
	CHECK_EQ(pt_unmap_region(&w->t, va, size), PT_OK);
	settle(w);
	CHECK_EQ(w->a.in_use, mid - fmt_table_frames(f));
	CHECK_EQ(w->a.in_use - waiting(w) * fmt_table_frames(f), before);
	pt_flush(&w->t);
	settle(w);
	CHECK_EQ(w->a.in_use, before);
}

/* Subtrees two tables deep leave the tree as one: unmapped whole (the
 * unmap does not go in), replaced by a huge leaf by pt_map and by
 * pt_map_region. Nothing in them may be written after the entry above is
 * gone: the walk cache may still go through them. */
static void s_subtree(struct watch *w)
{
	const struct fmt *f = w->f;
	const unsigned l = f->levels - 3; /* two table levels below its slots */
	uint64_t s, base;
	size_t before = w->a.in_use;
	if (f->levels < 3 || !((f->leaf_mask >> l) & 1))
		return;
	s = fmt_span(f, l);
	base = V(f, 4 * s);
	/* An anchor under the same tables above the slot: they stay. */
	CHECK_EQ(pt_map(&w->t, V(f, K4), K4, K4, RW), PT_OK);
	before = w->a.in_use;
	for (int round = 0; round < 3; round++) {
		for (uint64_t k = 0; k < 4; k++)
			CHECK_EQ(pt_map(&w->t, base + k * fmt_span(f, l + 1) + k * K4, K4, K4, RW),
				 PT_OK);
		settle(w);
		if (round == 0) {
			CHECK_EQ(pt_unmap_region(&w->t, base, s), PT_OK);
		} else {
			for (uint64_t k = 0; k < 4; k++)
				CHECK_EQ(pt_unmap(&w->t, base + k * fmt_span(f, l + 1) + k * K4, NULL),
					 PT_OK);
			settle(w);
			if (round == 1)
				CHECK_EQ(pt_map(&w->t, base, 4 * s, s, RW), PT_OK);
			else
				CHECK_EQ(pt_map_region(&w->t, base, 4 * s, s, RW, PT_ALLOW_HUGE), PT_OK);
			settle(w);
			CHECK_EQ(pt_unmap_region(&w->t, base, s), PT_OK);
		}
		settle(w);
		CHECK_EQ(waiting(w), 5); /* one directory, four last-level tables */
		pt_flush(&w->t);
		settle(w);
		CHECK_EQ(w->a.in_use, before);
	}
}

/* An emptied last-level table under a new huge leaf; on ARMv7 the packed
 * frame goes only with its group's last table. */
static void s_replace(struct watch *w)
{
	const struct fmt *f = w->f;
	const unsigned hl = fmt_huge_level(f);
	const uint64_t hs = fmt_span(f, hl), va = V(f, 0x40000000);
	size_t before = w->a.in_use;
	CHECK_EQ(pt_map(&w->t, va + K4, K4, K4, RW), PT_OK);
	CHECK_EQ(pt_map(&w->t, va + hs + K4, K4, K4, RW), PT_OK);
	CHECK_EQ(pt_unmap(&w->t, va + K4, NULL), PT_OK);
	CHECK_EQ(pt_unmap(&w->t, va + hs + K4, NULL), PT_OK);
	settle(w);
	pt_flush(&w->t);
	CHECK_EQ(pt_map(&w->t, va, 0, hs, RW), PT_OK);
	settle(w);
	/* ARMv7: the neighbour's table still lives in the frame. */
	CHECK_EQ(waiting(w), f->arch == PT_ARMV7 ? 0 : 1);
	CHECK_EQ(pt_map(&w->t, va + hs, hs, hs, RW), PT_OK);
	settle(w);
	CHECK_EQ(waiting(w), f->arch == PT_ARMV7 ? 1 : 2);
	pt_flush(&w->t);
	settle(w);
	CHECK_EQ(pt_unmap_region(&w->t, va, 2 * hs), PT_OK);
	settle(w);
	pt_flush(&w->t);
	settle(w);
	CHECK_EQ(w->a.in_use, before);
}

/* Huge pages split at both edges of an unmap that also reclaims a full
 * table, then a protect that splits again. */
static void s_split(struct watch *w)
{
	const struct fmt *f = w->f;
	const uint64_t hs = fmt_span(f, fmt_huge_level(f)), va = V(f, 0x40000000);
	size_t before = w->a.in_use;
	CHECK_EQ(pt_map_region(&w->t, va - hs, 0x100000, hs, RW, 0), PT_OK);
	CHECK_EQ(pt_map(&w->t, va, 0, hs, RW), PT_OK);
	CHECK_EQ(pt_map(&w->t, va + hs, hs, hs, RW), PT_OK);
	settle(w);
	CHECK_EQ(pt_unmap_region(&w->t, va - hs, 2 * hs + K4), PT_OK);
	settle(w);
	CHECK_EQ(pt_protect_region(&w->t, va + hs + 2 * K4, K4, PT_READ), PT_OK);
	settle(w);
	CHECK_EQ(pt_unmap_region(&w->t, va - hs, 4 * hs), PT_OK);
	settle(w);
	pt_flush(&w->t);
	settle(w);
	CHECK_EQ(w->a.in_use, before);
}

/* n pages, each in a last-level table frame of its own, under one
 * directory (the first at va). */
static void spread(struct watch *w, uint64_t va, unsigned n)
{
	const struct fmt *f = w->f;
	for (unsigned k = 0; k < n; k++)
		CHECK_EQ(pt_map(&w->t, va + k * frame_span(w->f), K4, K4, RW), PT_OK);
}

/* More than PT_FREE_MAX frames out of the tree in one call: the call
 * flushes everything and frees them itself; what is left waits. */
static void s_many_in_one_call(struct watch *w)
{
	const struct fmt *f = w->f;
	const unsigned n = PT_FREE_MAX + 6;
	const uint64_t va = V(f, 0x80000000);
	size_t before = w->a.in_use;
	unsigned long alls, frees;
	spread(w, va, n);
	settle(w);
	pt_flush(&w->t);
	alls = w->a.flush_all_calls;
	frees = w->a.frees;
	CHECK_EQ(pt_unmap_region(&w->t, va, n * frame_span(f)), PT_OK);
	settle(w);
	CHECK_EQ(w->a.flush_all_calls, alls + 1);
	CHECK(w->a.frees > frees);
	CHECK(waiting(w) <= PT_FREE_MAX);
	CHECK_EQ(w->a.in_use, before + waiting(w) * fmt_table_frames(f));
	pt_flush(&w->t);
	settle(w);
	CHECK_EQ(w->a.in_use, before);
}

/* Frames waiting across calls: the call that would hold the
 * (PT_FREE_MAX + 1)-th flushes and frees them all, that one too. */
static void s_many_calls(struct watch *w)
{
	const struct fmt *f = w->f;
	const unsigned n = PT_FREE_MAX + 2;
	const uint64_t va = V(f, 0x80000000);
	size_t before = w->a.in_use;
	unsigned long alls;
	spread(w, va, n + 1); /* the last one keeps the directories */
	settle(w);
	pt_flush(&w->t);
	alls = w->a.flush_all_calls;
	for (unsigned k = 0; k < n; k++) {
		CHECK_EQ(pt_unmap_region(&w->t, va + k * frame_span(f), K4), PT_OK);
		settle(w);
		if (k < PT_FREE_MAX) {
			CHECK_EQ(waiting(w), k + 1);
			CHECK_EQ(w->a.flush_all_calls, alls);
		} else {
			CHECK_EQ(waiting(w), k - PT_FREE_MAX);
			CHECK_EQ(w->a.flush_all_calls, alls + 1);
		}
	}
	CHECK_EQ(pt_unmap_region(&w->t, va, (n + 1) * frame_span(f)), PT_OK);
	settle(w);
	pt_flush(&w->t);
	settle(w);
	CHECK_EQ(w->a.in_use, before);
}

static void watched(const struct fmt *f, const char *name, void (*s)(struct watch *w), bool batch)
{
	struct watch w;
	CTX("%s %s%s", f->name, name, batch ? " (batches)" : "");
	if (!w_init(&w, f, true, batch))
		return;
	s(&w);
	/* The watch saw frames go (s_subtree needs a leaf three levels up:
	 * none on a 2-level table, nor on 16K or 64K without 52-bit PAs). */
	CHECK(w.outs > 0 ||
	      (s == s_subtree && (f->levels < 3 || !((f->leaf_mask >> (f->levels - 3)) & 1))));
	/* With the batch hook, frames that go together went in batches. */
	CHECK(!batch || w.batches > 0 || w.outs == 0);
	w_fini(&w);
}

/* ---- Without a flush hook, and pt_destroy ---------------------------- */

/* No flush_tlb hook: the caller flushes as it sees fit, and frames go at
 * once. */
static void t_no_hook(const struct fmt *f, bool batch)
{
	struct watch w;
	const uint64_t va = V(f, 0x40000000);
	CTX("%s no flush hook%s", f->name, batch ? " (batches)" : "");
	if (!w_init(&w, f, false, batch))
		return;
	CHECK_EQ(pt_map_region(&w.t, va, 0x100000, 2 * frame_span(f), RW, 0), PT_OK);
	CHECK_EQ(pt_unmap_region(&w.t, va, 2 * frame_span(f)), PT_OK);
	CHECK_EQ(waiting(&w), 0);
	settle(&w);
	CHECK_EQ(w.a.in_use, fmt_root_frames(f));
	w_fini(&w);
}

/* pt_destroy frees what waits for a flush, with everything else, and
 * flushes nothing. */
static void t_destroy_waiting(const struct fmt *f, bool batch)
{
	struct watch w;
	const uint64_t va = V(f, 0x40000000);
	unsigned long calls;
	CTX("%s destroy with frames waiting%s", f->name, batch ? " (batches)" : "");
	if (!w_init(&w, f, true, batch))
		return;
	CHECK_EQ(pt_map_region(&w.t, va, 0x100000, 2 * frame_span(f), RW, 0), PT_OK);
	CHECK_EQ(pt_map(&w.t, va + 4 * frame_span(f), K4, K4, RW), PT_OK);
	CHECK_EQ(pt_unmap_region(&w.t, va, 2 * frame_span(f)), PT_OK);
	settle(&w);
	CHECK(waiting(&w) > 0);
	/* More tables in the tree than the list holds: none waits. */
	spread(&w, va + 8 * frame_span(f), PT_FREE_MAX + 8);
	settle(&w);
	calls = w.a.flush_calls;
	w_destroy(&w);
	CHECK_EQ(w.a.flush_calls, calls);
	arena_fini(&w.a);
	free(w.copy);
}

/* The batch hook takes up to PT_FREE_BATCH frames a call: the tables one
 * pt_unmap_region takes down (at once without a flush hook), those
 * pt_flush releases, and pt_destroy's come in full batches, with at most
 * one partial one per source. The tables fill the last slots of a
 * directory, where a loop over its slots ends. */
static void t_batch_counts(const struct fmt *f, bool hook)
{
	struct watch w;
	const unsigned n = 2 * PT_FREE_BATCH + 8;
	const uint64_t va = f->levels >= 3 ? V(f, 2 * fmt_span(f, f->levels - 3)) - n * frame_span(f)
					   : V(f, 0x80000000);
	unsigned long b, bf;
	CTX("%s batch counts%s", f->name, hook ? " (flush hook)" : "");
	if (!w_init(&w, f, hook, true))
		return;
	spread(&w, va, n);
	CHECK_EQ(pt_map(&w.t, V(f, 0x40000000), K4, K4, RW), PT_OK); /* keeps the root's tables */
	settle(&w);
	pt_flush(&w.t);
	b = w.batches;
	bf = w.batched;
	CHECK_EQ(pt_unmap_region(&w.t, va, n * frame_span(f)), PT_OK);
	settle(&w);
	if (hook) {
		CHECK_EQ(w.batches, b);
		CHECK(waiting(&w) >= n / (f->arch == PT_ARMV7 ? 4 : 1));
		pt_flush(&w.t);
		settle(&w);
	}
	CHECK(w.batched - bf >= n / (f->arch == PT_ARMV7 ? 4 : 1));
	CHECK(w.batches - b <= (w.batched - bf + PT_FREE_BATCH - 1) / PT_FREE_BATCH + !hook);
	spread(&w, va, n);
	settle(&w);
	b = w.batches;
	bf = w.batched;
	w_destroy(&w);
	CHECK(w.batched - bf >= n / (f->arch == PT_ARMV7 ? 4 : 1));
	CHECK_EQ(pt_set_free_batch(&w.t, w_free_batch), PT_ERR_INVALID); /* dead */
	CHECK_EQ(pt_set_free_batch(NULL, w_free_batch), PT_ERR_INVALID);
	CHECK(w.batches - b <= (w.batched - bf + PT_FREE_BATCH - 1) / PT_FREE_BATCH + 1);
	arena_fini(&w.a);
	free(w.copy);
}

int main(void)
{
	static const struct {
		const char *name;
		void (*s)(struct watch *w);
	} scen[] = {
		{ "reclaim", s_reclaim },
		{ "subtree", s_subtree },
		{ "replace", s_replace },
		{ "split", s_split },
		{ "many in one call", s_many_in_one_call },
		{ "many calls", s_many_calls },
	};
	for (size_t i = 0; i < NALL_FMTS; i++) {
		const struct fmt *f = fmt_nth(i);
		char name[64];
		if (!fmt_in_slow_suites(f))
			continue;
		snprintf(name, sizeof(name), "defer %s", f->name);
		group_begin(name);
		for (int batch = 0; batch < 2; batch++) {
			for (size_t k = 0; k < sizeof(scen) / sizeof(scen[0]); k++)
				watched(f, scen[k].name, scen[k].s, batch);
			t_no_hook(f, batch);
			t_destroy_waiting(f, batch);
		}
		t_batch_counts(f, false);
		t_batch_counts(f, true);
		group_end();
	}
	return check_status();
}
