/* SPDX-License-Identifier: MIT */
#include "arena.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define FRAME 4096u
#define TAIL UINT32_MAX

int arena_init(struct arena *a, uint64_t base, size_t nframes)
{
	memset(a, 0, sizeof(*a));
	if (base == 0 || (base & (FRAME - 1)) || nframes == 0)
		return -1;
	/* mmap: untouched frames cost nothing, so arenas can be large. */
	a->mem = mmap(NULL, nframes * FRAME, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (a->mem == MAP_FAILED) {
		a->mem = NULL;
		return -1;
	}
	a->run = calloc(nframes, sizeof(*a->run));
	if (!a->run) {
		munmap(a->mem, nframes * FRAME);
		return -1;
	}
	a->base = base;
	a->nframes = nframes;
	a->dirty = true;
	a->strict_virt = true;
	return 0;
}

void arena_fini(struct arena *a)
{
	if (a->mem)
		munmap(a->mem, a->nframes * FRAME);
	free(a->run);
	memset(a, 0, sizeof(*a));
}

void arena_mm(struct arena *a, struct pt_mm *mm)
{
	mm->alloc_frames = arena_alloc_frames;
	mm->free_frames = arena_free_frames;
	mm->phys_to_virt = arena_phys_to_virt;
	mm->flush_tlb = arena_flush_tlb;
	mm->ctx = a;
}

void arena_fail_nth(struct arena *a, unsigned long n)
{
	a->fail_at = n;
}

static void note(struct arena *a, const char *what, uint64_t pa, size_t count)
{
	if (a->errors++ == 0)
		snprintf(a->error, sizeof(a->error), "%s: pa %#llx count %zu", what,
			 (unsigned long long)pa, count);
}

/* Can `count` frames start at index i? */
static bool fits(const struct arena *a, size_t i, size_t count)
{
	if (i + count > a->nframes)
		return false;
	for (size_t j = 0; j < count; j++)
		if (a->run[i + j])
			return false;
	return true;
}

int arena_alloc_frames(void *ctx, size_t count, size_t align, uint64_t *pa)
{
	struct arena *a = ctx;
	size_t step, i, tries;
	if (a->fail_at) {
		if (--a->fail_at == 0) {
			a->fail_at = a->fail_every;
			a->failed++;
			return -1;
		}
	}
	if (count == 0 || align < FRAME || (align & (align - 1)))
		return -1;
	step = align / FRAME;
	/* Next-fit from the hint, aligned in PA terms. */
	for (tries = 0, i = a->hint; tries < 2; tries++, i = 0) {
		for (;;) {
			uint64_t p = a->base + (uint64_t)i * FRAME;
			uint64_t off = p & (align - 1);
			if (off)
				i += (align - off) / FRAME;
			if (i + count > a->nframes)
				break;
			if (fits(a, i, count))
				goto found;
			i += step > 1 ? step : 1;
		}
	}
	return -1;
found:
	a->run[i] = (uint32_t)count;
	for (size_t j = 1; j < count; j++)
		a->run[i + j] = TAIL;
	a->hint = i + count;
	a->in_use += count;
	a->allocs++;
	if (a->dirty)
		memset(a->mem + i * FRAME, 0xa5 ^ (int)(i & 0x5a), count * FRAME);
	*pa = a->base + (uint64_t)i * FRAME;
	return 0;
}

void arena_free_frames(void *ctx, uint64_t pa, size_t count)
{
	struct arena *a = ctx;
	size_t i;
	if (pa < a->base || (pa & (FRAME - 1)) || (pa - a->base) / FRAME >= a->nframes) {
		note(a, "foreign free", pa, count);
		return;
	}
	i = (size_t)((pa - a->base) / FRAME);
	if (a->run[i] == 0) {
		note(a, "double free", pa, count);
		return;
	}
	if (a->run[i] != count) {
		note(a, "free of a different size or inside a block", pa, count);
		return;
	}
	/* A one-frame table's entry by itself: GCC makes the loop a memset
	 * call, which would cost a table's unmap more than libpt does. */
	a->run[i] = 0;
	for (size_t j = 1; j < count; j++)
		a->run[i + j] = 0;
	if (a->dirty) /* poison: a read of a freed table shows up as garbage */
		memset(a->mem + i * FRAME, 0xdb, count * FRAME);
	a->in_use -= count;
	a->frees++;
}

void *arena_ptr(struct arena *a, uint64_t pa)
{
	if (pa < a->base || (pa - a->base) / FRAME >= a->nframes)
		return NULL;
	return a->mem + (pa - a->base);
}

bool arena_allocated(const struct arena *a, uint64_t pa)
{
	if (pa < a->base || (pa - a->base) / FRAME >= a->nframes)
		return false;
	return a->run[(pa - a->base) / FRAME] != 0;
}

void *arena_phys_to_virt(void *ctx, uint64_t pa)
{
	struct arena *a = ctx;
	if (a->strict_virt && !arena_allocated(a, pa))
		return NULL;
	return arena_ptr(a, pa);
}

void arena_flush_tlb(void *ctx, uint64_t va, bool all)
{
	struct arena *a = ctx;
	a->flush_calls++;
	if (all)
		a->flush_all_calls++;
	a->flush_last_va = va;
}
