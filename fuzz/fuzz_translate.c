/* SPDX-License-Identifier: MIT */
/*
 * fuzz_translate: pt_translate over tables nobody vouches for.
 *
 * Mode 0: the input is a memory image. Each 4 KiB frame of it is a separate
 * heap block of exactly 4096 bytes, and phys_to_virt serves only those
 * (NULL elsewhere): ASan reports any read outside a frame the hook
 * returned. Every call must end after at most `levels` hook calls, and its
 * answer must equal a reference walk that reads the same image one entry
 * per level and classifies entries with pt_pte_decode (checked on its own
 * by fuzz_pte).
 *
 * Mode 1: libpt builds tables in the test arena from input-chosen
 * map_region calls; pt_translate must agree with pt_query at sampled VAs,
 * and after input-chosen bytes of the tables are flipped it must still
 * agree with the reference walk.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "fuzz_common.h"
#include "pt.h"

#define MAX_FRAMES 64u

static enum pt_arch g_arch;
static unsigned g_feat, g_mode;
static uint64_t g_va;

static void fz_context(void)
{
	fprintf(stderr, "  mode %u arch %d features %#x va %#llx\n", g_mode, (int)g_arch, g_feat,
		(unsigned long long)g_va);
}

/* ---- The image ------------------------------------------------------------ */

static struct {
	unsigned char *frame[MAX_FRAMES];
	size_t n;
	uint64_t base;
	unsigned calls;
} I;

static void *img_virt(void *ctx, uint64_t pa)
{
	(void)ctx;
	I.calls++;
	/* The contract: libpt asks for whole frames only. */
	FZ_CHECK((pa & 0xfff) == 0);
	if (pa < I.base || (pa - I.base) / 4096 >= I.n)
		return NULL;
	return I.frame[(pa - I.base) / 4096];
}

static int no_alloc(void *ctx, size_t count, size_t align, uint64_t *pa)
{
	(void)ctx, (void)count, (void)align, (void)pa;
	FZ_CHECK(0); /* pt_translate never allocates */
	return -1;
}

static void no_free(void *ctx, uint64_t pa, size_t count)
{
	(void)ctx, (void)pa, (void)count;
	FZ_CHECK(0);
}

/* ---- Reference walk ------------------------------------------------------ */

struct fmt {
	unsigned levels, va_bits, pa_bits, pte_bytes;
	unsigned shift[PT_MAX_LEVELS], entries[PT_MAX_LEVELS];
	uint64_t root_bytes;
};

static void fmt_of(enum pt_arch a, struct fmt *f)
{
	const struct pt_arch_info *in = pt_arch_info(a);
	f->levels = in->levels;
	f->va_bits = in->va_bits;
	f->pa_bits = in->pa_bits;
	f->pte_bytes = a == PT_ARMV7 ? 4 : 8;
	for (unsigned l = 0; l < f->levels; l++) {
		f->shift[l] = a == PT_ARMV7 ? (l ? 12u : 20u) : 12u + 9u * (f->levels - 1 - l);
		f->entries[l] = a == PT_ARMV7 ? (l ? 256u : 4096u) : 512u;
	}
	f->root_bytes = a == PT_ARMV7 ? 16384 : 4096;
}

static bool va_ok(enum pt_arch a, unsigned feat, uint64_t va)
{
	const struct pt_arch_info *in = pt_arch_info(a);
	if (a == PT_ARMV7)
		return va >> 32 == 0;
	if (a == PT_AARCH64)
		return (feat & PT_FEAT_AARCH64_HIGH) ? va >> 48 == 0xffff : va >> 48 == 0;
	uint64_t hi = va >> (in->va_bits - 1);
	return hi == 0 || hi == UINT64_MAX >> (in->va_bits - 1);
}

typedef bool (*read_fn)(uint64_t pa, unsigned bytes, uint64_t *v);

/* An entry of `bytes` (4 on ARMv7, else 8) at p, unaligned-safe. */
static uint64_t load_entry(const unsigned char *p, unsigned bytes)
{
	uint64_t v = 0;
	if (bytes == 4) {
		uint32_t w;
		memcpy(&w, p, 4);
		v = w;
	} else {
		memcpy(&v, p, 8);
	}
	return v;
}

static bool img_read(uint64_t pa, unsigned bytes, uint64_t *v)
{
	uint64_t f = pa & ~(uint64_t)0xfff;
	unsigned char *p;
	if (f < I.base || (f - I.base) / 4096 >= I.n)
		return false;
	p = I.frame[(f - I.base) / 4096] + (pa & 0xfff);
	*v = load_entry(p, bytes);
	return true;
}

static struct arena *g_arena;

static bool arena_read(uint64_t pa, unsigned bytes, uint64_t *v)
{
	unsigned char *p;
	if (!arena_allocated(g_arena, pa))
		return false;
	p = arena_ptr(g_arena, pa);
	*v = load_entry(p, bytes);
	return true;
}

static int ref_translate(enum pt_arch a, unsigned feat, uint64_t root, uint64_t va, read_fn rd,
			 struct pt_mapping *out)
{
	struct fmt f;
	uint64_t tpa = root;
	fmt_of(a, &f);
	if (!fz_feat_ok(a, feat) || !va_ok(a, feat, va) || (root & (f.root_bytes - 1)) ||
	    root >> f.pa_bits)
		return PT_ERR_INVALID;
	for (unsigned l = 0; l < f.levels; l++) {
		uint64_t e, idx = (va >> f.shift[l]) & (f.entries[l] - 1);
		struct pt_entry d;
		int rc;
		if (!rd(tpa + idx * f.pte_bytes, f.pte_bytes, &e))
			return PT_ERR_CORRUPT;
		rc = pt_pte_decode(a, feat, l, e, &d);
		if (rc != PT_OK)
			return rc;
		if (d.leaf) {
			out->pa = d.pa | (va & (d.size - 1));
			out->flags = d.flags;
			out->size = d.size;
			return PT_OK;
		}
		tpa = d.pa;
	}
	return PT_ERR_CORRUPT;
}

static void compare(enum pt_arch a, unsigned feat, uint64_t root, const struct pt_mm *mm,
		    uint64_t va, read_fn rd)
{
	struct pt_mapping got, want;
	int rg, rw;
	struct fmt f;
	fmt_of(a, &f);
	g_va = va;
	I.calls = 0;
	memset(&got, 0, sizeof(got));
	rg = pt_translate(a, feat, root, mm, va, &got);
	rw = ref_translate(a, feat, root, va, rd, &want);
	if (rg != rw)
		fprintf(stderr, "translate %d, reference %d\n", rg, rw);
	FZ_CHECK(rg == rw);
	/* At most one entry per level, so at most `levels` frames asked for. */
	FZ_CHECK(I.calls <= f.levels);
	if (rg == PT_OK)
		FZ_CHECK(got.pa == want.pa && got.flags == want.flags && got.size == want.size);
	FZ_CHECK(pt_translate(a, feat, root, mm, va, NULL) == PT_ERR_INVALID);
}

/* ---- Mode 0: a raw image --------------------------------------------------- */

static void mode_image(struct rd *r, enum pt_arch a, unsigned feat)
{
	struct pt_mm mm = { no_alloc, no_free, img_virt, NULL, NULL };
	struct fmt f;
	uint64_t root, vas[4];
	size_t nva = 1 + rd_u8(r) % 4, left;
	fmt_of(a, &f);
	/* Frames at a PA the input picks (maybe above pa_bits). */
	I.base = (uint64_t)rd_u16(r) << 12;
	if (rd_u8(r) & 1)
		I.base = (UINT64_C(1) << f.pa_bits) - 0x10000;
	root = I.base + (uint64_t)(rd_u8(r) % 8) * 4096;
	if (rd_u8(r) == 0xff)
		root += rd_u8(r); /* misaligned */
	for (size_t i = 0; i < nva; i++)
		vas[i] = rd_u64(r);
	left = r->n - r->i;
	I.n = (left + 4095) / 4096;
	if (I.n > MAX_FRAMES)
		I.n = MAX_FRAMES;
	for (size_t i = 0; i < I.n; i++) {
		size_t take = left > 4096 ? 4096 : left;
		I.frame[i] = malloc(4096);
		FZ_CHECK(I.frame[i] != NULL);
		memset(I.frame[i], 0, 4096);
		memcpy(I.frame[i], r->p + r->i, take);
		r->i += take;
		left -= take;
	}
	for (size_t i = 0; i < nva; i++) {
		/* Point the VA at the image's first entries now and then. */
		compare(a, feat, root, &mm, vas[i], img_read);
	}
	for (size_t i = 0; i < I.n; i++)
		free(I.frame[i]);
	I.n = 0;
}

/* ---- Mode 1: tables libpt built -------------------------------------- */

static struct arena A;
static bool arena_ready;

static void mode_built(struct rd *r, enum pt_arch a, unsigned feat)
{
	struct pt_mm mm;
	struct pt_table t;
	struct fmt f;
	uint64_t vas[16];
	size_t nva = 0;
	unsigned nmap = 1 + rd_u8(r) % 6;
	fmt_of(a, &f);
	if (!arena_ready) {
		FZ_CHECK(arena_init(&A, 0x10000000, 4096) == 0);
		arena_ready = true;
	}
	A.hint = 0;
	g_arena = &A;
	arena_mm(&A, &mm);
	FZ_CHECK(pt_init(&t, a, feat, &mm) == PT_OK);
	for (unsigned k = 0; k < nmap; k++) {
		/* VAs near the canonical edges and a few table boundaries. */
		uint64_t va, pa, size;
		uint8_t s = rd_u8(r);
		unsigned l = (unsigned)(s >> 4) % f.levels;
		uint64_t top = a == PT_ARMV7 ? UINT64_C(1) << 32
			       : a == PT_AARCH64 ? UINT64_C(1) << 48
						 : UINT64_C(1) << (f.va_bits - 1);
		va = (uint64_t)rd_u16(r) << f.shift[l];
		if (s & 1)
			va = top - ((uint64_t)(rd_u8(r) + 1) << f.shift[f.levels - 1 - (s >> 1) % 2]);
		if (a == PT_AARCH64 && (feat & PT_FEAT_AARCH64_HIGH))
			va |= UINT64_C(0xffff) << 48;
		else if (a != PT_ARMV7 && a != PT_AARCH64 && (s & 2))
			va = (uint64_t)-(int64_t)top + (va & (top - 1)); /* upper half */
		va &= ~(uint64_t)0xfff;
		pa = ((uint64_t)rd_u16(r) << 21) & ((UINT64_C(1) << f.pa_bits) - 1);
		size = (uint64_t)(rd_u8(r) % 8 + 1) << (s & 8 ? 21 : 12);
		(void)pt_map_region(&t, va, pa, size, (rd_u8(r) & 0x3f) | PT_READ,
				    (s & 4) ? PT_ALLOW_HUGE : 0);
		if (nva < 16)
			vas[nva++] = va + (size >> 1);
		if (nva < 16)
			vas[nva++] = va + size - 1;
	}
	for (size_t i = 0; i < nva; i++) {
		struct pt_mapping q, tr;
		int rq = pt_query(&t, vas[i], &q);
		g_va = vas[i];
		I.calls = 0;
		int rt = pt_translate(a, feat, pt_root(&t), &mm, vas[i], &tr);
		FZ_CHECK(rq == rt);
		if (rq == PT_OK)
			FZ_CHECK(q.pa == tr.pa && q.flags == tr.flags && q.size == tr.size);
		compare(a, feat, pt_root(&t), &mm, vas[i], arena_read);
	}
	/* Damage: flip input-chosen bytes of the root and of table frames,
	 * then translate must still match the reference walk. */
	while (rd_more(r)) {
		uint64_t pa = A.base + (uint64_t)(rd_u16(r) % 64) * 4096 + (rd_u16(r) & 0xfff);
		uint8_t x = rd_u8(r);
		if (arena_allocated(&A, pa))
			*(unsigned char *)arena_ptr(&A, pa) ^= x;
		for (size_t i = 0; i < nva; i++)
			compare(a, feat, pt_root(&t), &mm, vas[i], arena_read);
	}
	/* Damaged tables are not destroyed through libpt (it would follow the
	 * garbage): free every frame directly. */
	for (size_t i = 0; i < A.nframes; i++)
		if (A.run[i] && A.run[i] != UINT32_MAX)
			arena_free_frames(&A, A.base + i * 4096, A.run[i]);
	FZ_CHECK(A.in_use == 0);
	A.errors = 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rd r = { data, size, 0 };
	uint8_t b = rd_u8(&r);
	enum pt_arch a = (enum pt_arch)((b >> 1) % PT_ARCH_COUNT);
	unsigned feat = rd_u8(&r) & 15;
	g_mode = b & 1;
	g_arch = a;
	if (!fz_feat_ok(a, feat))
		feat = 0;
	g_feat = feat;
	if (g_mode == 0)
		mode_image(&r, a, feat);
	else
		mode_built(&r, a, feat);
	return 0;
}
