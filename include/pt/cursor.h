/* SPDX-License-Identifier: MIT */
/*
 * libpt's private layout of struct pt_cursor, included by pt.h after
 * struct pt_batch: callers allocate the struct (on the stack, say) and may
 * not touch any field. Not an API: it changes with every release.
 */
#ifndef PT_CURSOR_H
#define PT_CURSOR_H

struct pt_cursor {
	const struct pt_table *t;
	uint64_t va;        /* the next VA to read */
	uint64_t last;      /* the window's last VA */
	/* The table the walk last went through at each level (NULL: none),
	 * holding path_va[level]: the walk goes on from the deepest one that
	 * holds va, while t->tables_gen is still gen (no table left the tree
	 * since); from the root without one. */
	const void *path[PT_MAX_LEVELS];
	uint64_t path_va[PT_MAX_LEVELS];
	uint64_t gen;
	/* The batch being filled (b.n 0: none yet): read in place (view,
	 * b.entry in the table) or its PAs copied to pa. raw: its last leaf
	 * is a last-level one whose attribute bits, attrs, a next last-level
	 * entry must have to join it on a compare. */
	struct pt_batch b;
	uint64_t attrs;
	bool raw;
	bool view;
	/* 0: walking; 1: the window is done; < 0: the error every call
	 * returns from now on. */
	int state;
	uint64_t pa[PT_BATCH_MAX];
};

#endif /* PT_CURSOR_H */
