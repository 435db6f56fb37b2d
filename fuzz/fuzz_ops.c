/* SPDX-License-Identifier: MIT */
/*
 * fuzz_ops_<format>: differential fuzzing of every editing call against a
 * flat reference model.
 *
 * Built once per format/feature set: -DFUZZ_ARCH=PT_... -DFUZZ_FEAT=...
 * (FUZZ_ARCH=-1: the first input byte picks the format and features).
 *
 * The input is a program: a sequence of operations on two tables (the main
 * table, and a second one that main can share root entries from through
 * pt_copy_from). The model knows, for each table, every leaf (VA, PA, size,
 * normalised flags with the SW bits, access state) and every intermediate
 * table (level, VA base). From
 * that it predicts each call's result, the exact frame count, which entries
 * a walk must report in which order, and which VAs the TLB records must
 * hold. After every call the real table is walked and compared whole.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "arena.h"
#include "fuzz_common.h"
#include "pt.h"

#ifndef FUZZ_ARCH
#define FUZZ_ARCH PT_X86_64
#endif
#ifndef FUZZ_VA_BITS
#define FUZZ_VA_BITS 0 /* pt_init_config's va_bits: the default */
#endif
#ifndef FUZZ_FEAT
#define FUZZ_FEAT 0
#endif

/* Bounds that keep one input fast; a call whose effect would pass them is
 * skipped (not executed), so the model never has to guess. */
#define MAX_LEAVES 16384u
#define MAX_PLAN 4096u
#define MAX_OPS 256u
#define ARENA_FRAMES 65536u
#define ARENA_BASE UINT64_C(0x10000000)

#include "ops_model.h"
#include "ops_gen.h"
#include "ops_ref.h"
#include "ops_check.h"

/* ---- The calls ------------------------------------------------------------ */

#include "ops_verify.h"
#include "ops_map.h"
#include "ops_region.h"
#include "ops_walk.h"
#include "ops_state.h"

/* Overwrite a leaf's entry, behind libpt's back, with one that decodes as
 * corrupt at that level (a stray write, a bit flip in RAM), or a member of
 * a contiguous run with the same leaf unmarked (another writer changed
 * part of the run). */
static void do_plant(struct ctx *c, struct rd *r)
{
	struct model *m = &c->m;
	struct leaf *x;
	uint64_t v = rd_u64(r), cand[5], tpa, parent[PT_MAX_LEVELS];
	uint16_t pick = rd_u16(r);
	unsigned L;
	size_t k;
	bool unmark;
	struct pt_entry d;
	cur_op = "plant corrupt";
	if (!c->alive || c->frozen || !m->n)
		return;
	x = &m->lv[pick % m->n];
	if (x->shared || x->corrupt)
		return;
	L = level_of(x->size);
	unmark = x->run && (pick & 0x8000) && x->state == fresh(x->flags);
	if (unmark) {
		/* The same leaf, unmarked: pt_pte_page writes no run mark. */
		cand[0] = pt_pte_page(S.arch, S.feat, S.plev + L, x->pa, x->flags);
		k = 0;
	} else {
		cand[0] = v, cand[1] = v | 1, cand[2] = v | 3, cand[3] = v | 0x83, cand[4] = v | 0x2083;
		for (k = 0; k < 5; k++) {
			if (S.armv7)
				cand[k] &= UINT32_MAX;
			if (pt_pte_decode(S.arch, S.feat, S.plev + L, cand[k], &d) == PT_ERR_CORRUPT)
				break;
		}
		if (k == 5)
			return; /* this level has no corrupt encoding near v (x86 PTEs) */
	}
	/* Where is x's entry? Its table is the one the last table entry of
	 * the level above points to. */
	(void)walk_all(c, 0, 0);
	tpa = 0;
	for (size_t i = 0; i < W.n; i++) {
		const struct pt_entry *e = &W.v[i].e;
		if (!e->leaf) {
			parent[e->level] = e->pa;
		} else if (e->va == x->va && e->level == L) {
			tpa = L ? parent[L - 1] : pt_root(&c->t);
			break;
		}
	}
	if (!tpa)
		return; /* not reached: an earlier corrupt entry stops the walk */
	if (S.armv7) {
		uint32_t w = (uint32_t)cand[k];
		memcpy((unsigned char *)arena_ptr(&A, tpa) + idx(L, x->va) * 4, &w, 4);
	} else {
		memcpy((unsigned char *)arena_ptr(&A, tpa) + idx(L, x->va) * 8, &cand[k], 8);
	}
	if (unmark)
		x->run = false;
	else
		x->corrupt = true;
	need_check = true;
}

static void do_flush(struct ctx *c)
{
	unsigned long calls = A.flush_calls, alls = A.flush_all_calls;
	unsigned n = c->t.nflush, nfree = c->t.nfree;
	cur_op = "flush";
	pt_flush(&c->t);
	if (!c->alive)
		return;
	FZ_CHECK(c->t.nflush == 0 && c->t.nfree == 0);
	/* Frames waiting for a flush wait for a full one; no hook, no call. */
	if (!c->t.mm.flush_tlb)
		FZ_CHECK(A.flush_calls == calls && nfree == 0);
	else if (n > PT_FLUSH_MAX || nfree)
		FZ_CHECK(A.flush_calls == calls + 1 && A.flush_all_calls == alls + 1);
	else
		FZ_CHECK(A.flush_calls == calls + n && A.flush_all_calls == alls);
}

/* inject: fail pt_init's first allocation; direct: tables through a direct
 * map; batch: table frames back through a pt_set_free_batch hook; nohook: no
 * flush_tlb hook (frames out of the tree go at once). */
static int ctx_init(struct ctx *c, bool inject, bool direct, bool batch, bool nohook)
{
	const struct pt_config cfg = { S.arch, S.feat, S.cfg_bits };
	struct pt_mm mm = MM;
	int r;
	size_t before = A.in_use;
	{
		/* Arguments pt_init must refuse, allocating nothing. */
		struct pt_mm bad = MM;
		bad.phys_to_virt = NULL;
		FZ_CHECK(pt_init(NULL, S.arch, S.feat, &MM) == PT_ERR_INVALID);
		FZ_CHECK(pt_init(&c->t, S.arch, S.feat, NULL) == PT_ERR_INVALID);
		FZ_CHECK(pt_init(&c->t, S.arch, S.feat, &bad) == PT_ERR_INVALID);
		FZ_CHECK(pt_init(&c->t, PT_ARCH_COUNT, 0, &MM) == PT_ERR_INVALID);
		FZ_CHECK(pt_init(&c->t, S.arch, PT_FEAT_ALL, &MM) == PT_ERR_INVALID);
		FZ_CHECK(A.in_use == before);
	}
	if (inject)
		arena_fail_nth(&A, 1);
	if (nohook)
		mm.flush_tlb = NULL;
	r = pt_init_config(&c->t, &cfg, &mm);
	arena_fail_nth(&A, 0);
	if (inject) {
		FZ_CHECK(r == PT_ERR_NO_MEMORY && A.in_use == before && pt_root(&c->t) == 0);
		r = pt_init_config(&c->t, &cfg, &mm);
	}
	FZ_CHECK(r == PT_OK);
	FZ_CHECK(c->t.nflush == 0 && pt_root(&c->t) != 0);
	if (batch)
		FZ_CHECK(pt_set_free_batch(&c->t, fz_free_frames_batch) == PT_OK);
	/* Tables through the arena's mapping instead of phys_to_virt. */
	if (direct)
		FZ_CHECK(pt_set_direct_map(&c->t, (uint64_t)(uintptr_t)A.mem - A.base) == PT_OK);
	c->alive = true;
	c->frozen = false;
	m_clear(&c->m);
	full_check(c);
	frames_sync_all();
	return r;
}

static void ctx_destroy(struct ctx *c)
{
	size_t others = 0;
	cur_op = "destroy";
	for (int k = 0; k < 2; k++)
		if (&C[k] != c && C[k].alive)
			others += m_frames(&C[k].m) + pending_frames(&C[k]);
	pt_destroy(&c->t);
	FZ_CHECK(pt_root(&c->t) == 0);
	c->alive = false;
	m_clear(&c->m);
	FZ_CHECK(A.in_use == others && A.errors == 0);
	/* Dead tables refuse everything. */
	{
		struct pt_mapping o;
		FZ_CHECK(pt_map(&c->t, 0, 0, PT_SIZE_4K, PT_READ) == PT_ERR_INVALID);
		FZ_CHECK(pt_query(&c->t, 0, &o) == PT_ERR_INVALID);
		FZ_CHECK(pt_unmap_region(&c->t, 0, PT_SIZE_4K) == PT_ERR_INVALID);
		FZ_CHECK(pt_set_direct_map(&c->t, 0) == PT_ERR_INVALID);
		FZ_CHECK(pt_set_free_batch(&c->t, fz_free_frames_batch) == PT_ERR_INVALID);
	}
	pt_destroy(&c->t); /* twice: a no-op */
	FZ_CHECK(A.in_use == others && A.errors == 0);
	if (c == &C[0])
		C[1].frozen = false;
}

static void setup(const uint8_t **data, size_t *size)
{
	enum pt_arch a = FUZZ_ARCH;
	unsigned f = FUZZ_FEAT, bits = FUZZ_VA_BITS;
	if ((int)FUZZ_ARCH < 0) {
		/* Any format: the first byte picks format, features and
		 * width (stored inputs made before stage 2 now pick other
		 * formats: still programs that must replay green). */
		static const struct { enum pt_arch a; unsigned f, bits; } v[] = {
			{ PT_X86_64, 0, 0 }, { PT_X86_64_LA57, 0, 0 }, { PT_AARCH64, 0, 0 },
			{ PT_AARCH64, PT_FEAT_AARCH64_EL2, 0 }, { PT_AARCH64, PT_FEAT_AARCH64_HIGH, 0 },
			{ PT_RISCV_SV39, 0, 0 }, { PT_RISCV_SV39, PT_FEAT_RISCV_SVPBMT, 0 },
			{ PT_RISCV_SV39, PT_FEAT_RISCV_XUANTIE, 0 }, { PT_RISCV_SV48, 0, 0 },
			{ PT_RISCV_SV48, PT_FEAT_RISCV_SVPBMT, 0 }, { PT_RISCV_SV57, 0, 0 },
			{ PT_RISCV_SV57, PT_FEAT_RISCV_XUANTIE, 0 }, { PT_LOONGARCH64, 0, 0 },
			{ PT_ARMV7, 0, 0 }, { PT_AARCH64_S2, 0, 0 }, { PT_AARCH64_S2, 0, 32 },
			{ PT_AARCH64_S2, 0, 48 }, { PT_X86_64_EPT, 0, 0 }, { PT_X86_64_EPT, PT_FEAT_EPT_AD, 0 },
			{ PT_X86_64_EPT5, 0, 0 }, { PT_RISCV_SV39X4, 0, 0 }, { PT_RISCV_SV48X4, 0, 0 },
			{ PT_RISCV_SV57X4, 0, 0 },
		};
		uint8_t b = *size ? **data : 0;
		if (*size) {
			(*data)++;
			(*size)--;
		}
		a = v[b % (sizeof(v) / sizeof(v[0]))].a;
		f = v[b % (sizeof(v) / sizeof(v[0]))].f;
		bits = v[b % (sizeof(v) / sizeof(v[0]))].bits;
	}
	shape_init(a, f, bits);
	if (trace < 0)
		trace = getenv("FUZZ_TRACE") ? atoi(getenv("FUZZ_TRACE")) : 0;
	if (!arena_ready) {
		FZ_CHECK(arena_init(&A, ARENA_BASE, ARENA_FRAMES) == 0);
		frames_init();
		arena_ready = true;
	}
	/* A fresh-looking arena for every input, without re-mapping it. */
	FZ_CHECK(A.in_use == 0);
	A.hint = 0;
	A.allocs = A.frees = A.failed = 0;
	A.fail_at = A.fail_every = 0;
	A.errors = 0;
	A.flush_calls = A.flush_all_calls = 0;
	arena_mm(&A, &MM);
	MM.alloc_frames = fz_alloc_frames;
	MM.free_frames = fz_free_frames;
	F.nblk = 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rd r;
	setup(&data, &size);
	r = (struct rd){ data, size, 0 };
	last_va = last_pa = 0;
	cur_opno = 0;
	cur_op = "init";
	/* Byte 0: bit 7 fails the first pt_init's allocation. */
	{
		uint8_t b0 = rd_u8(&r); /* bits 6-4: direct map, batches, no flush hook */
		ctx_init(&C[0], b0 & 0x80, b0 & 0x40, b0 & 0x20, b0 & 0x10);
	}
	C[1].alive = false;
	C[1].frozen = false;
	m_clear(&C[1].m);
	check_all();
	while (rd_more(&r) && cur_opno < MAX_OPS) {
		uint8_t op = rd_u8(&r);
		/* Bit 7: act on the second table (created on first use). Bits
		 * 0-3 pick the call, bits 4-6 are ignored, except in the codes
		 * the state calls took (16, 17), 0x6a and 0x6d, which no
		 * stored input used when they came, and 0x77 and 0x78, the
		 * shaped unmap_region and protect_region (18, 19:
		 * gen_shaped_range, an allocation failure always injected). */
		const uint8_t low = op & 0x7f;
		unsigned code = low == 0x6a ? 16u : low == 0x6d ? 17u : low == 0x77 ? 18u
			      : low == 0x78 ? 19u : op & 0x0fu;
		struct ctx *c = (op & 0x80) ? &C[1] : &C[0];
		cur_opno++;
		scope.c = NULL;
		if (c == &C[1] && !c->alive && code != 13)
			ctx_init(c, false, false, false, false);
		switch (code) {
		case 0:
		case 1: do_map(c, &r, false); break;
		case 2: do_map(c, &r, true); break;
		case 3: do_single(c, &r, 0); break;
		case 4: do_single(c, &r, 1); break;
		case 5: do_single(c, &r, 2); break;
		case 6: do_single(c, &r, 3); break;
		case 7: do_clear(c, &r, false, false); break;
		case 8: do_clear(c, &r, true, false); break;
		case 18: do_clear(c, &r, false, true); break;
		case 19: do_clear(c, &r, true, true); break;
		case 9: do_copy(&r); break;
		case 10: do_walk(c, &r); break;
		case 11: do_flush(c); break;
		case 12:
			if (c == &C[1] && c->frozen)
				break; /* main still uses its subtrees */
			if (c->alive)
				ctx_destroy(c);
			{
				uint8_t b = rd_u8(&r);
				ctx_init(c, b & 1, b & 2, b & 4, b & 8);
			}
			break;
		case 13:
			if (c == &C[1] && c->frozen)
				break;
			if (c->alive)
				ctx_destroy(c);
			break;
		case 14: do_plant(c, &r); break;
		case 15: do_ranges(c, &r); break;
		case 16: do_clear_state(c, &r); break;
		case 17: do_set_state(c, &r); break;
		}
		/* Lookups and flushes change no entry, and a failed call was
		 * proven to change none: check again only after a success,
		 * where the call could have written (the whole table after a
		 * call that names no range). */
		if (need_check && scope.c && code != 12 && code != 13) {
			scope_check(scope.c, scope.lo, scope.hi);
			check_frames();
		} else if (need_check || code == 12 || code == 13) {
			check_all();
		}
		need_check = false;
	}
	cur_op = "final destroy";
	check_all();
	if (C[0].alive)
		ctx_destroy(&C[0]);
	if (C[1].alive)
		ctx_destroy(&C[1]);
	FZ_CHECK(A.in_use == 0 && A.errors == 0);
	return 0;
}
