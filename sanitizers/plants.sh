#!/usr/bin/env bash
# make sanitizer-plants: prove each sanitizer variant catches a bug of its
# kind. For each plant: copy the tree to a scratch directory, apply one edit,
# run the variant's make target there, and require that it fails with the
# sanitizer's own report. The real tree is never touched.
set -u
cd "$(dirname "$0")/.."
top=$PWD
scratch=${PLANT_DIR:-/tmp/libpt-plants}
rm -rf "$scratch"; mkdir -p "$scratch"
ok=0 bad=0
rows=()

# name | make target | file | sed expression | text the report must contain
plants=(
"asan: struct overflow in pt_init|check-asan|src/api.c|s|i < PT_MAX_ROOT_ENTRIES / 64; i++)|i <= PT_MAX_ROOT_ENTRIES / 64; i++)|AddressSanitizer"
"lsan: leaked arena bookkeeping|check-asan|tests/arena.c|s|	free(a->run);|	(void)0;|LeakSanitizer"
"ubsan: int shift past 31 in pt__span|check-ubsan|src/internal.h|s|return UINT64_C(1) << s->shift\[level\];|return (uint64_t)(1 << s->shift[level]);|runtime error"
"msan: pt_init leaves a field of the caller's table unset|check-msan|src/api.c|s|	t->direct = false;|	(void)0;|MemorySanitizer"
"valgrind: pt_init leaves a field unset|check-valgrind|src/api.c|s|	t->direct = false;|	(void)0;|uninitialised"
)

for p in "${plants[@]}"; do
	IFS='|' read -r name target file _s from to must <<<"$p"
	d="$scratch/$(echo "$name" | tr -c 'a-z0-9' _)"
	mkdir -p "$d"
	# The tree as it is (committed or not), without build output.
	(cd "$top" && tar --exclude=./build -cf - .) | (cd "$d" && tar xf -)
	before=$(md5sum "$d/$file")
	sed -i "s|$from|$to|" "$d/$file"
	if [ "$before" = "$(md5sum "$d/$file")" ]; then
		rows+=("$(printf '%-45s %-15s %s' "$name" "$target" "PLANT DID NOT APPLY")"); bad=$((bad + 1)); continue
	fi
	t0=$SECONDS
	(cd "$d" && make --no-print-directory "$target") >"$d/plant.log" 2>&1
	st=$?
	if [ $st -ne 0 ] && grep -q "$must" "$d/plant.log"; then
		verdict="caught ($((SECONDS - t0)) s)"; ok=$((ok + 1))
	else
		verdict="MISSED (exit $st)"; bad=$((bad + 1))
	fi
	rows+=("$(printf '%-45s %-15s %s' "$name" "$target" "$verdict")")
done
printf '%-45s %-15s %s\n' plant target result
printf '%s\n' "${rows[@]}"
echo "$ok caught, $bad missed"
[ $bad -eq 0 ]
