/* SPDX-License-Identifier: MIT */
/*
 * The engine, written once and compiled once per format family: each
 * src/engine_<family>.c defines PT_FAMILY, includes its arch/<family>.h and
 * then this file, so every hook folds into the loops (no indirect call per
 * entry) and every function below is a static of that file, under the name
 * it has here.
 *
 *   entry.h    raw entries: load, store, runs, every arithmetic on values
 *   descent.h  the one descent over a range; operations are its visitors
 *   tables.h   table frames; freeing a subtree; is there a leaf below
 *   hints.h    the per-page hints and the inline paths' view of the format
 *   lookup.h   single addresses: the point descent, query
 *   access.h   foreign tables under a regime: pt_access, pt_translate
 *   runs.h     contiguous runs: marked by map, broken before a partial edit
 *   edit.h     map, unmap, protect, over ranges and single pages
 *   state.h    access state: pt_clear_state, pt_set_state
 *   walk.h     pt_walk, pt_walk_ranges, pt_walk_batches, the cursor
 *   share.h    init, teardown, shared root entries
 */
#include "op.h"

#define PT_CAT_(a, b) a##b
#define PT_CAT(a, b) PT_CAT_(a, b)
/* A(x): this family's hook or constant x (arch_<family>_x). */
#define A(x) PT_CAT(PT_CAT(arch_, PT_FAMILY), PT_CAT(_, x))
#define PTE A(pte)

/* The page: what a last-level entry maps and the unit of every region
 * call, the family's granule (an engine file that does not say is 4 KiB).
 * Every shape of the family has its last level's shift equal to it. */
#ifndef PT_PAGE_SHIFT
#define PT_PAGE_SHIFT 12u
#endif
#define PG_SHIFT PT_PAGE_SHIFT
#define PG_SIZE (UINT64_C(1) << PG_SHIFT)

/* The registry slot (src/internal.h: pt__slot) a call that reached this
 * engine names: its format itself, but in the 52-bit output-address
 * families, whose engine file gives the one slot they serve. */
#ifndef PT_FAMILY_SLOT
#define PT_FAMILY_SLOT(arch) ((unsigned)(arch))
#endif

#define PT_SHAPE_ADDR(shape) &(shape),
static const struct pt_shape *const family_shapes[] = { A(SHAPES)(PT_SHAPE_ADDR) };

#include "entry.h"
#include "descent.h"
#include "tables.h"
#include "hints.h"
#include "lookup.h"
#include "access.h"
#include "runs.h"
#include "edit.h"
#include "state.h"
#include "walk.h"
#include "share.h"

const struct pt_engine PT_CAT(pt__engine_, PT_FAMILY) = {
	.shapes = family_shapes,
	.state_bits = A(STATE_BITS),
	.init = init,
	.set_direct = set_direct,
	.map = map,
	.map_page = map_page,
	.unmap = unmap,
	.change = change,
	.clear_range = clear_range,
	.walk = walk,
	.walk_ranges = walk_ranges,
	.walk_batches = walk_batches,
	.cursor_next = cursor_next,
	.clear_state = clear_state,
	.set_state = set_state,
	.destroy = destroy,
	.copy_root = copy_root,
	.regime_ok = A(regime_ok),
	.regime_decode = regime_decode,
	.regime_valid = regime_valid,
	.access = access,
	.translate = translate,
	.pte_leaf = leaf_at,
	.pte_table = A(table),
	.decode = decode,
};
