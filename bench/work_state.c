/* SPDX-License-Identifier: MIT */
/*
 * Workloads on access state (see work.h and work_internal.h): a VM's dirty
 * log (pt_clear_state of DIRTY with a bitmap, one page in eight written
 * since the last round) and protect_region on harvested (clean) pages,
 * where every leaf is one the MMU could still mark.
 */
#include <stdlib.h>
#include <string.h>

#include "work_internal.h"

/* What the guest wrote since the last round: one page in eight. */
static int dirty_every_8th(struct fix *f)
{
	for (uint64_t p = 3; p < f->size / PAGE; p += 8)
		CHECK(pt_set_state(&f->t, f->va + p * PAGE, PT_DIRTY));
	pt_flush(&f->t);
	return PT_OK;
}

/* `arg` bytes of writable 4K pages, harvested once, then written. */
int setup_dirty_log(struct fix *f)
{
	CHECK(setup_pages_mapped(f));
	CHECK(pt_clear_state(&f->t, f->va, f->size, PT_DIRTY, NULL));
	f->buf = calloc((size_t)(f->size / PAGE / 64 + 1), sizeof(uint64_t));
	if (!f->buf)
		return PT_ERR_NO_MEMORY;
	return dirty_every_8th(f);
}

int run_clear_dirty(struct fix *f)
{
	return pt_clear_state(&f->t, f->va, f->size, PT_DIRTY, f->buf);
}

int reset_dirty_log(struct fix *f)
{
	memset(f->buf, 0, (size_t)(f->size / PAGE / 64 + 1) * sizeof(uint64_t));
	return dirty_every_8th(f);
}

/* Writable 4K regions, harvested: accessed, clean. */
int setup_region_4k_clean(struct fix *f)
{
	CHECK(setup_region_4k_mapped(f));
	return pt_clear_state(&f->t, f->va, f->reps * f->size, PT_DIRTY, NULL);
}

int run_protect_clean(struct fix *f)
{
	for (uint64_t k = 0; k < f->reps; k++)
		CHECK(pt_protect_region(&f->t, f->va + k * f->size, f->size, PT_READ));
	return PT_OK;
}

/* Writable and clean again (gaining WRITE makes a page dirty). */
int reset_protect_clean(struct fix *f)
{
	for (uint64_t k = 0; k < f->reps; k++)
		CHECK(pt_protect_region(&f->t, f->va + k * f->size, f->size, RW));
	CHECK(pt_clear_state(&f->t, f->va, f->reps * f->size, PT_DIRTY, NULL));
	pt_flush(&f->t);
	return PT_OK;
}
