/* SPDX-License-Identifier: MIT */
/*
 * Engine template, part 4: whole-table operations: teardown and sharing
 * root entries between tables.
 */

static void E(destroy)(struct pt_table *t)
{
	struct pt_op op;
	pt__op_init_rw(&op, t);
	E(free_below)(&op, 0, t->root);
	t->mm.free_frames(t->mm.ctx, t->root, op.s->frames[0]);
	pt__forget_hints(t);
}

/* Share src's root entries [first, last] with dst. */
static int E(copy_root)(struct pt_table *dst, const struct pt_table *src, size_t first, size_t last)
{
	struct pt_op op;
	PTE *d = E(tbl)(dst, dst->root);
	const PTE *s = E(tbl)(src, src->root);
	pt__op_init_rw(&op, dst);
	if (!d || !s)
		return PT_ERR_CORRUPT;
	for (size_t i = first; i <= last; i++)
		if (E(kind)(&op, 0, E(ld)(&d[i])) != PTK_EMPTY)
			return PT_ERR_ALREADY_MAPPED;
	for (size_t i = first; i <= last; i++)
		if (E(kind)(&op, 0, E(ld)(&s[i])) == PTK_CORRUPT)
			return PT_ERR_CORRUPT;
	for (size_t i = first; i <= last; i++) {
		uint64_t e = E(ld)(&s[i]);
		int k = E(kind)(&op, 0, e);
		if (k == PTK_EMPTY)
			continue;
		E(st)(&d[i], e);
		if (k == PTK_TABLE)
			dst->shared[i / 64] |= UINT64_C(1) << (i % 64);
	}
	pt__record_all(dst);
	return PT_OK;
}

const struct pt_engine E(engine) = {
	.map = E(map),
	.map_page = E(map_page),
	.map_walk = E(map_walk),
	.unmap = E(unmap),
	.change = E(change),
	.set_lookup = E(set_lookup),
	.fast_facts = E(fast_facts),
	.clear_range = E(clear_range),
	.walk = E(walk),
	.walk_ranges = E(walk_ranges),
	.walk_batches = E(walk_batches),
	.destroy = E(destroy),
	.copy_root = E(copy_root),
	.translate = E(translate),
	.pte_leaf = E(pte_leaf),
	.pte_table = E(pte_table),
	.decode = E(decode),
};
