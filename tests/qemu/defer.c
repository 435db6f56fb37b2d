/* SPDX-License-Identifier: MIT */
/*
 * <format>/defer: table frames leaving the tree.
 *
 * A table frame an edit takes out of the tree may still be read (and, on
 * x86 and RISC-V, have accessed bits written) by the MMU or a walk cache
 * until the TLB forgot it, so it may reach free_frames only after a
 * flush_tlb(all = true) made after it left the tree, and libpt never
 * writes it once it left. The group runs its own table with hooks that
 * watch that (W): at every allocation, every free, every full flush and
 * after every libpt call the guest makes, the frames reachable from the
 * root are found by reading the table as the walker does (pt_pte_decode),
 * and each frame the table allocated is followed: new (not yet seen in the
 * tree), in the tree, out of it (its bytes summed when first seen out),
 * freed.
 *  - free_frames accepts a frame only if it was out of the tree before a
 *    full flush that ran the CPU's TLB maintenance, or never was in the
 *    tree (a reserve given back), and never one it did not allocate;
 *  - a frame out of the tree keeps its bytes (the scenarios make no
 *    access through a detached table, so the MMU writes none either) and
 *    never comes back;
 *  - every frame the pool got back holds the allocator's poison until it
 *    is allocated again (all tables of the format, checked at the end).
 * The scenarios use the real MMU: pages are read through the tables before
 * they are detached, and after the flush the CPU must fault on them, still
 * translate the rest, and translate a new mapping built in the reused
 * frames. QEMU_MUTATE 8: the flush hook counts a full flush but skips the
 * CPU's TLB maintenance (stale translations survive pt_flush); 9: the table
 * gets no flush_tlb hook, so libpt frees frames as it detaches them (the
 * guest flushes the TLB itself after pt_flush).
 */
#include "common.h"

enum life { FR_NONE, FR_NEW, FR_IN, FR_OUT, FR_FREED };

static struct {
	bool live;                     /* T is the watched table and not being destroyed */
	bool busy;                     /* inside an audit */
	unsigned epoch;
	uint8_t life[POOL_FRAMES];     /* enum life */
	bool flushed[POOL_FRAMES];     /* FR_OUT: a full flush came since it was seen out */
	unsigned seen[POOL_FRAMES];    /* the last audit that reached the frame */
	uint64_t sum[POOL_FRAMES];     /* FR_OUT: its bytes' digest when first seen out */
	unsigned outs, frees, full_flushes;
} W;

static bool in_pool(uint64_t pa)
{
	return pa >= pool_base && pa < pool_base + POOL_FRAMES * UINT64_C(4096);
}

static size_t frame_ix(uint64_t pa)
{
	return (size_t)((pa - pool_base) / 4096);
}

static uint64_t frame_sum(uint64_t pa)
{
	uint64_t h = 0;
	for (unsigned k = 0; k < 512; k++)
		h = (h ^ *word(pa + k * 8)) * UINT64_C(0x100000001b3) + k;
	return h;
}

/* Mark every table frame below the level-l table at pa. Last-level
 * tables hold no table entries: they are marked, not read. */
static void w_reach(uint64_t pa, unsigned l)
{
	bool v7 = F->arch == PT_ARMV7;
	unsigned n = v7 ? (l ? 256 : 4096) : 512, levels = pt_arch_info(F->arch)->levels;
	for (unsigned i = 0; i < n; i++) {
		uint64_t e = v7 ? *(volatile uint32_t *)(uintptr_t)(pa + 4 * i) : *word(pa + 8 * i);
		struct pt_entry d;
		if (!e || pt_pte_decode(F->arch, F->features, l, e, &d) != PT_OK || d.leaf)
			continue;
		if (in_pool(d.pa)) /* an ARMv7 L2 table is a quarter of its frame */
			W.seen[frame_ix(d.pa)] = W.epoch;
		if (l + 2 < levels)
			w_reach(d.pa, l + 1);
	}
}

/* What the MMU can reach now, against what it could before. */
static void w_audit(void)
{
	if (!W.live || W.busy)
		return;
	W.busy = true;
	W.epoch++;
	uint64_t root = pt_root(&T);
	for (unsigned k = 0; k < (F->arch == PT_ARMV7 ? 4u : 1u); k++)
		if (in_pool(root + k * 4096))
			W.seen[frame_ix(root + k * 4096)] = W.epoch;
	w_reach(root, 0);
	for (size_t i = 0; i < POOL_FRAMES; i++) {
		uint64_t pa = pool_base + i * 4096;
		bool now = W.seen[i] == W.epoch;
		if (W.life[i] == FR_NEW && now) {
			W.life[i] = FR_IN;
		} else if (W.life[i] == FR_IN && !now) {
			W.life[i] = FR_OUT;
			W.flushed[i] = false;
			W.sum[i] = frame_sum(pa);
			W.outs++;
		} else if (W.life[i] == FR_OUT) {
			if (now)
				check(false, "a table frame out of the tree came back before it was freed",
				      pa, W.epoch, 0);
			else if (frame_sum(pa) != W.sum[i])
				check(false, "a table frame out of the tree was written", pa, W.sum[i],
				      frame_sum(pa));
		}
	}
	W.busy = false;
}

static int w_alloc(void *ctx, size_t count, size_t align, uint64_t *pa)
{
	w_audit();
	int r = fa_alloc(ctx, count, align, pa);
	if (r == 0)
		for (size_t k = 0; k < count; k++)
			W.life[frame_ix(*pa) + k] = FR_NEW;
	return r;
}

static void w_free(void *ctx, uint64_t pa, size_t count)
{
	w_audit();
	for (size_t k = 0; k < count && in_pool(pa + k * 4096); k++) {
		uint64_t f = pa + k * 4096;
		size_t i = frame_ix(f);
		if (W.live) {
			unsigned lf = W.life[i];
			check(lf == FR_NEW || lf == FR_IN || lf == FR_OUT,
			      "free_frames got a frame the table does not hold", f, lf, 0);
			check(lf != FR_IN, "free_frames got a frame still in the tree", f, lf, 0);
			check(lf != FR_OUT || W.flushed[i],
			      "free_frames got a frame before a full TLB flush after it left the tree",
			      f, W.full_flushes, W.outs);
		}
		W.life[i] = FR_FREED;
		W.frees++;
	}
	fa_free(ctx, pa, count);
}

static void w_flush(void *ctx, uint64_t va, bool all)
{
	if (all)
		w_audit(); /* frames that left the tree before this flush are seen out */
	if (!(QEMU_MUTATE == 8 && all))
		pt_flush_tlb_native(ctx, va, all);
	if (!all)
		return;
	W.full_flushes++;
	for (size_t i = 0; i < POOL_FRAMES; i++)
		if (W.life[i] == FR_OUT)
			W.flushed[i] = true;
}

static struct pt_mm g_wmm = {
	.alloc_frames = w_alloc,
	.free_frames = w_free,
	.phys_to_virt = fa_virt,
	.flush_tlb = QEMU_MUTATE == 9 ? NULL : w_flush,
	.ctx = 0,
};

static void w_pt_flush(void)
{
	pt_flush(&T);
	if (QEMU_MUTATE == 9)
		w_flush(0, 0, true);
}

/* After each libpt call: the audit, and the frames the table gave back
 * still hold their poison. */
static void w_settle(void)
{
	w_audit();
	for (size_t i = 0; i < POOL_FRAMES; i++)
		if (W.life[i] == FR_FREED && pool_poisoned[i]) {
			uint64_t at = poison_broken(i);
			check(!at, "a freed table frame was written", at, at ? *word(at) : 0, POISON);
		}
}

/* Every frame the pool holds poisoned: intact. */
static void pool_poison_check(const char *phase)
{
	g_phase = phase;
	unsigned n = 0;
	for (size_t i = 0; i < POOL_FRAMES; i++) {
		if (!pool_poisoned[i])
			continue;
		n++;
		uint64_t at = poison_broken(i);
		check(!at, "a frame given back to the pool was written", at, at ? *word(at) : 0,
		      POISON);
	}
	check(n > 0, "no frame was given back to the pool", 0, 0, 0);
}

/* VA one last-level table frame serves (ARMv7: four 1 KiB L2 tables). */
static uint64_t frame_span(void)
{
	return F->arch == PT_ARMV7 ? 4 * PT_SIZE_1M : PT_SIZE_2M;
}

static int any_range(void *arg, const struct pt_range *r)
{
	(void)arg;
	(void)r;
	return 1;
}

/* A VA for len bytes in the test area, nothing mapped there; 0 if none. */
static uint64_t free_va(uint64_t len)
{
	uint64_t align = F->arch == PT_ARMV7 ? UINT64_C(256) << 20 : PT_SIZE_1G;
	for (int tries = 0; tries < 64; tries++) {
		uint64_t va = rand_va(align);
		if (va && pt_va_valid(F->arch, va) && pt_va_valid(F->arch, va + len - 1) &&
		    (va + len - 1) >> (va_bits() - 1) == va >> (va_bits() - 1) &&
		    pt_walk_ranges(&T, va, len, any_range, 0) == PT_OK)
			return va;
	}
	return 0;
}

/* Read the tagged word at va: it must hold pa (0: the read must fault). */
static bool w_read(const char *what, uint64_t va, uint64_t pa)
{
	uint64_t v = probe(0, ACC_READ, va, 0);
	if (!pa)
		return check(g_faulted && arch_fault_ok(ACC_READ, va), what, va,
			     g_faulted ? g_fault_cause : v, g_fault_addr);
	return check(!g_faulted && v == pa, what, va, g_faulted ? g_fault_cause : v, pa);
}

/* Map [va, va + len) in 4K pages onto T from pa_off on (wrapping in T),
 * granule by granule. */
static bool w_map(uint64_t va, uint64_t len, uint64_t pa_off)
{
	for (uint64_t o = 0; o < len; o += gran()) {
		int r = map_small(va + o, t_base + (pa_off + o) % T_SIZE, PT_READ | PT_WRITE);
		if (!check(r == PT_OK, "pt_map", va + o, (uint64_t)(int64_t)r, 0))
			return false;
	}
	w_settle();
	return true;
}

/* Read every page (every `step` bytes) of a region mapped by w_map. */
static void w_touch(const char *what, uint64_t va, uint64_t len, uint64_t pa_off, uint64_t step,
		    bool mapped)
{
	uint64_t in = 0x100 + 8 * rnd_below(32);
	for (uint64_t o = 0; o < len; o += step) {
		uint64_t pa = t_base + (pa_off + o) % T_SIZE + in;
		if (!w_read(what, va + o + in, mapped ? pa : 0))
			break;
	}
}

/* Reclaim under a live MMU: 4K pages across several last-level tables
 * (one granule into the first, one into the last), read through the MMU,
 * unmapped; an anchor page under the same upper tables stays. */
static void defer_reclaim(void)
{
	uint64_t fs = frame_span(), g = gran();
	g_phase = "defer: reclaim: map";
	uint64_t base = free_va(8 * fs);
	if (!check(base != 0, "no free VA found", 8 * fs, 0, 0))
		return;
	uint64_t va = base + fs - g, len = 3 * fs + 2 * g, anchor = base + 6 * fs + 5 * g;
	uint64_t apa = t_base + T_SIZE / 2 + 3 * g;
	if (!check(map_small(anchor, apa, PT_READ | PT_WRITE) == PT_OK, "pt_map anchor", anchor,
		   0, 0) ||
	    !w_map(va, len, 0))
		return;
	w_pt_flush();
	w_settle();
	g_phase = "defer: reclaim: touch";
	w_touch("page reads its frame", va, len, 0, 4096, true);
	w_read("anchor page", anchor + 0x88, apa + 0x88);

	g_phase = "defer: reclaim: unmap";
	size_t inuse = pool_inuse;
	unsigned frees = W.frees, outs = W.outs;
	int r = pt_unmap_region(&T, va, len);
	check(r == PT_OK, "pt_unmap_region", va, (uint64_t)(int64_t)r, len);
	w_settle();
	unsigned out = W.outs - outs;
	check(out >= 3, "pt_unmap_region took fewer table frames out of the tree than it covers",
	      va, out, 3);
	check(W.frees == frees && pool_inuse == inuse,
	      "table frames freed before pt_flush (at most PT_FREE_MAX were detached)", va,
	      W.frees - frees, out);
	/* The MMU goes on: an unrelated page, through the same upper tables. */
	w_read("anchor page after the unmap", anchor + 0x88, apa + 0x88);
	w_settle();
	check(W.frees == frees, "table frames freed before pt_flush", va, W.frees - frees, out);

	g_phase = "defer: reclaim: pt_flush";
	unsigned alls = W.full_flushes;
	w_pt_flush();
	w_settle();
	check(W.full_flushes == alls + 1, "pt_flush made one full flush", va,
	      W.full_flushes - alls, 1);
	check(W.frees - frees == out && pool_inuse == inuse - out,
	      "pt_flush gave back every frame that left the tree", va, W.frees - frees, out);
	w_touch("unmapped page still translated", va, len, 0, 4096, false);
	w_read("anchor page after pt_flush", anchor + 0x88, apa + 0x88);

	/* The same VAs again onto other frames: the tables come from the
	 * frames just freed (the pool hands out its lowest free frames), so
	 * a walk cache still holding the old ones would show. */
	g_phase = "defer: reclaim: remap in the reused frames";
	uint64_t off = T_SIZE / 2 + 7 * g;
	if (!w_map(va, len, off))
		return;
	w_pt_flush();
	w_settle();
	w_touch("page in a reused table reads its new frame", va, len, off, 4096, true);
	frees = W.frees;
	inuse = pool_inuse;
	r = pt_unmap_region(&T, va, len);
	check(r == PT_OK, "pt_unmap_region", va, (uint64_t)(int64_t)r, len);
	r = pt_unmap_region(&T, anchor, g);
	check(r == PT_OK, "pt_unmap_region anchor", anchor, (uint64_t)(int64_t)r, g);
	w_settle();
	check(W.frees == frees, "table frames freed before pt_flush", va, W.frees - frees, 0);
	w_pt_flush();
	w_settle();
	check(W.frees > frees && pool_inuse < inuse, "pt_flush gave back no frame", va,
	      W.frees - frees, inuse - pool_inuse);
	w_touch("unmapped page still translated", va, len, off, 4096, false);
	w_read("unmapped anchor page still translated", anchor + 0x88, 0);
}

/* More than PT_FREE_MAX frames out of the tree in one pt_unmap_region:
 * the call makes the full flush and frees them itself. */
static void defer_overflow(void)
{
	const unsigned nframes = PT_FREE_MAX + 8;
	uint64_t fs = frame_span(), len = nframes * fs;
	g_phase = "defer: overflow: map";
	uint64_t va = free_va(len);
	if (!check(va != 0, "no free VA found", len, 0, 0))
		return;
	size_t before = pool_inuse;
	if (!w_map(va, len, 0))
		return;
	w_pt_flush();
	w_settle();
	size_t tables = pool_inuse - before;
	check(tables > PT_FREE_MAX, "fewer tables than PT_FREE_MAX + 1 to detach", va, tables,
	      PT_FREE_MAX);
	g_phase = "defer: overflow: touch";
	w_touch("page reads its frame", va, len, 0, fs / 2 + 4096, true);

	g_phase = "defer: overflow: unmap";
	unsigned frees = W.frees, alls = W.full_flushes;
	int r = pt_unmap_region(&T, va, len);
	check(r == PT_OK, "pt_unmap_region", va, (uint64_t)(int64_t)r, len);
	w_settle();
	unsigned in_call = W.frees - frees;
	check(W.full_flushes > alls, "pt_unmap_region with more than PT_FREE_MAX frames out "
	      "made no full flush", va, W.full_flushes - alls, tables);
	check(in_call > 0 && tables - in_call <= PT_FREE_MAX,
	      "pt_unmap_region left more than PT_FREE_MAX frames waiting", va, in_call, tables);
	g_phase = "defer: overflow: pt_flush";
	w_pt_flush();
	w_settle();
	check(pool_inuse == before, "pt_flush gave back the rest", va, pool_inuse, before);
	w_touch("unmapped page still translated", va, len, 0, fs / 2 + 4096, false);
	gprintf("  %s: defer: %u of %u table frames freed inside pt_unmap_region, the rest at "
		"pt_flush\n", F->name, in_call, (unsigned)tables);
}

void check_defer(void)
{
	shadow_clear();
	memset(&W, 0, sizeof W);
	g_phase = "defer: build";
	int r = pt_init(&T, F->arch, F->features, &g_wmm);
	if (!check(r == PT_OK, "pt_init", 0, (uint64_t)(int64_t)r, 0))
		return;
	W.live = true;
	if (!F->identity_elsewhere) {
		r = guest_map_identity(&T);
		check(r == PT_OK, "identity map", arch_ram_base, (uint64_t)(int64_t)r, 0);
	}
	arch_table_setup(F, &T);
	w_pt_flush();
	w_settle();
	arch_mmu_on(F, &T);
	defer_reclaim();
	defer_overflow();
	g_phase = "defer: end";
	w_settle();
	pool_poison_check("defer: pool poison, MMU on");
	arch_mmu_off(F);
	/* pt_destroy frees every frame at once: nothing walks the table. */
	W.live = false;
	pt_destroy(&T);
	check(pool_inuse == 0 && !pool_error, "pt_destroy leaks or bad free", 0, pool_inuse,
	      pool_error);
	pool_poison_check("defer: pool poison after pt_destroy");
	gprintf("  %s: defer: %u table frames left the tree, %u full flushes, %u frames freed\n",
		F->name, W.outs, W.full_flushes, W.frees);
}

