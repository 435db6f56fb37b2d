#!/usr/bin/env bash
# make defer-plants: show that the tests of deferred table-frame freeing
# (tests/test_defer.c, and tests/test_atomic.c with frames waiting) catch
# the bugs they are there for. Each plant is one edit to src/; the two
# suites (real and fake formats) must fail with it. Scratch copies only:
# the real tree is never touched. The first failing line is shown.
set -u
cd "$(dirname "$0")/.."
top=$PWD
scratch=${PLANT_DIR:-/tmp/libpt-defer-plants}
rm -rf "$scratch"; mkdir -p "$scratch"
ok=0 bad=0
rows=()
suites="test_defer test_atomic"

# name | file | text | replacement (literal; \n and \t as in C)
plants=(
"frames freed at once even with a flush hook|src/op.h|\tif (t->mm.flush_tlb) {\n\t\tif (t->nfree < PT_FREE_MAX) {|\tif (0) {\n\t\tif (t->nfree < PT_FREE_MAX) {"
"a detached table's entries stored empty|src/tables.h|\tdrop_frame(op, s->l, s->tbl, s->i, s->child_pa, true, c->now);\n|\tst(&s->tbl[s->i], EMPTY);\n\tdrop_frame(op, s->l, s->tbl, s->i, s->child_pa, true, c->now);\n"
"pt_flush frees before it flushes|src/api.c|\tif (t->mm.flush_tlb) {\n\t\t/* Pending|\tpt__free_pending(t);\n\tif (t->mm.flush_tlb) {\n\t\t/* Pending"
"a full list is freed without a flush|src/op.h|\t\tt->mm.flush_tlb(t->mm.ctx, 0, true);\n\t\tt->nflush = 0;\n|\t\tt->nflush = 0;\n"
"the frame that fills the list is dropped|src/op.h|\t\tpt__free_pending(t);\n\t}\n\tt->mm.free_frames(t->mm.ctx, pa, count);|\t\tpt__free_pending(t);\n\t\treturn;\n\t}\n\tt->mm.free_frames(t->mm.ctx, pa, count);"
"pt_destroy leaves the waiting frames|src/share.h|\tpt__free_pending(t);\n|\n"
"unmap_region makes room before its plan|src/edit.h|\tpt__op_init_rw(&op, t);\n\treq_init(&op, &rq, flags, 0, PT_MAX_LEVELS);|\tpt__op_init_rw(&op, t);\n\tif (t->nfree == PT_FREE_MAX) {\n\t\tt->mm.flush_tlb(t->mm.ctx, 0, true);\n\t\tpt__free_pending(t);\n\t}\n\treq_init(&op, &rq, flags, 0, PT_MAX_LEVELS);"
)

for p in "${plants[@]}"; do
	IFS='|' read -r name file from to <<<"$p"
	d="$scratch/$(echo "$name" | tr -c 'a-z0-9' _)"
	mkdir -p "$d"
	(cd "$top" && tar --exclude=./build -cf - .) | (cd "$d" && tar xf -)
	before=$(md5sum "$d/$file")
	python3 - "$d/$file" "$from" "$to" <<'PY'
import sys
path, old, new = sys.argv[1], *(a.encode().decode("unicode_escape") for a in sys.argv[2:])
s = open(path).read()
if s.count(old) == 1:
    open(path, "w").write(s.replace(old, new))
PY
	if [ "$before" = "$(md5sum "$d/$file")" ]; then
		rows+=("$(printf '%-44s %s' "$name" "PLANT DID NOT APPLY")"); bad=$((bad + 1)); continue
	fi
	bins=""
	for s in $suites; do bins="$bins build/tests/$s build/tests/${s}_fake"; done
	if ! (cd "$d" && make --no-print-directory -j2 $bins) >"$d/build.log" 2>&1; then
		rows+=("$(printf '%-44s %s' "$name" "DOES NOT BUILD")"); bad=$((bad + 1)); continue
	fi
	caught="" lines=""
	for s in $suites; do
		for b in "$s" "${s}_fake"; do
			if ! (cd "$d" && "build/tests/$b") >"$d/$b.log" 2>&1; then
				caught="$caught $b"
				# The first failed check, and what the watch saw.
				lines="$lines"$'\n'"    $b: $(grep -m1 '^FAIL' "$d/$b.log" | cut -c1-140)"
				w=$(grep -m1 '^  .*: .*: frame ' "$d/$b.log")
				[ -n "$w" ] && lines="$lines"$'\n'"    $b:$w"
			fi
		done
	done
	if [ -n "$caught" ]; then
		verdict="caught by:$caught$lines"; ok=$((ok + 1))
	else
		verdict="MISSED"; bad=$((bad + 1))
	fi
	rows+=("$(printf '%-44s %s' "$name" "$verdict")")
done
printf '%-44s %s\n' plant result
printf '%s\n' "${rows[@]}"
echo "$ok caught, $bad missed"
[ $bad -eq 0 ]
