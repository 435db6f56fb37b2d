#!/usr/bin/env bash
# make defer-plants: show that the tests of deferred table-frame freeing
# (tests/test_defer.c, and tests/test_atomic.c with frames waiting) catch
# the bugs they are there for. Each plant is one edit to src/; the two
# suites (real and fake formats) must fail with it. Scratch copies only:
# the real tree is never touched. The first failing line is shown.
suites="test_defer test_atomic"

# name | file | text | replacement (literal; \n and \t as in C)
# shellcheck disable=SC2034
plants=(
"frames freed at once even with a flush hook|src/op.h|\tif (t->mm.flush_tlb) {\n\t\tif (t->nfree < PT_FREE_MAX) {|\tif (0) {\n\t\tif (t->nfree < PT_FREE_MAX) {"
"a detached table's entries stored empty|src/tables.h|\tuint64_t pa = s->child_pa;\n\tsize_t k = s->i;\n|\tuint64_t pa = s->child_pa;\n\tsize_t k = s->i;\n\tst(&s->tbl[s->i], EMPTY);\n"
"a destroy that waits for a flush|src/tables.h|\tif (now)\n\t\tpt__give(op->t, g, child_pa, s->frames[l + 1]);|\tif (now && !op->t->mm.flush_tlb)\n\t\tpt__give(op->t, g, child_pa, s->frames[l + 1]);"
"pt_flush frees before it flushes|src/api.c|\tif (t->mm.flush_tlb) {\n\t\t/* Pending|\tpt__free_pending(t);\n\tif (t->mm.flush_tlb) {\n\t\t/* Pending"
"a full list is freed without a flush|src/op.h|\tt->mm.flush_tlb(t->mm.ctx, 0, true);\n\tt->nflush = 0;\n|\tt->nflush = 0;\n"
"the frame that fills the list is dropped|src/op.h|\t\tpt__free_all_pending(t);\n\t}\n\tpt__give(t, g, pa, count);|\t\tpt__free_all_pending(t);\n\t\treturn;\n\t}\n\tpt__give(t, g, pa, count);"
"pt_destroy leaves the waiting frames|src/share.h|\tpt__free_pending(t);\n|\n"
"pt_destroy's last, partial batch never given|src/share.h|\tpt__give_all(t, &give);\n\tt->mm.free_frames(t->mm.ctx, t->root|\tt->mm.free_frames(t->mm.ctx, t->root"
"unmap_region makes room before its plan|src/edit.h|\tpt__op_init_rw(&op, t);\n\tif ((r = descend_root(&op, &clear_plan|\tpt__op_init_rw(&op, t);\n\tif (t->nfree == PT_FREE_MAX) {\n\t\tt->mm.flush_tlb(t->mm.ctx, 0, true);\n\t\tpt__free_pending(t);\n\t}\n\tif ((r = descend_root(&op, &clear_plan"
)

# Caught when either suite fails, real or fake formats: the first failed
# check of each, and what the frame watch saw, go in the verdict.
judge() {
	local caught="" lines="" b s w
	for s in $suites; do
		for b in "$s" "${s}_fake"; do
			if ! "build/tests/$b" >"$b.log" 2>&1; then
				caught="$caught $b"
				lines="$lines"$'\n'"    $b: $(grep -m1 '^FAIL' "$b.log" | cut -c1-140)"
				w=$(grep -m1 '^  .*: .*: frame ' "$b.log")
				[ -n "$w" ] && lines="$lines"$'\n'"    $b:$w"
			fi
		done
	done
	if [ -n "$caught" ]; then
		verdict="caught by:$caught$lines"
		return 0
	fi
	verdict="MISSED"
	return 1
}

. "$(dirname "$0")/plant_runner.sh"
