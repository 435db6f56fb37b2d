#!/usr/bin/env bash
# make fake-plants: show that the fake format (tests/fake_arch.h) catches
# raw-entry assumptions leaking into the engine. Each plant is one edit to
# src/ that every real format survives (0 is their empty entry, their
# address fields are linear); the engine suites must fail on the fake
# format with it, and the real formats' suites are run too, for the record.
# Scratch copies only: the real tree is never touched.
set -u
cd "$(dirname "$0")/.."
top=$PWD
scratch=${PLANT_DIR:-/tmp/libpt-fake-plants}
rm -rf "$scratch"; mkdir -p "$scratch"
ok=0 bad=0
rows=()
suites="test_engine test_walk test_atomic test_random test_ranges"

# name | file | text | replacement (literal; \n and \t as in C)
plants=(
"unmap writes 0 as the empty entry|src/edit.h|\t\t\tst(&p[i], EMPTY);\n|\t\t\tst(&p[i], 0);\n"
"new tables filled with 0|src/entry.h|z[k] = (PTE)EMPTY;|z[k] = 0;"
"a table is empty when all its entries are 0|src/tables.h|if (kind_at(op, l, ld(&tbl[i])) != PTK_EMPTY)|if (ld(&tbl[i]) != 0)"
"the next leaf is the entry plus its size|src/entry.h|\tif (A(OUT_LINEAR))\n\t\treturn e + A(out)(size);|\tif (1)\n\t\treturn e + A(out)(size);"
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
		rows+=("$(printf '%-46s %s' "$name" "PLANT DID NOT APPLY")"); bad=$((bad + 1)); continue
	fi
	bins=""
	for s in $suites; do bins="$bins build/tests/$s build/tests/${s}_fake"; done
	if ! (cd "$d" && make --no-print-directory -j2 $bins) >"$d/build.log" 2>&1; then
		rows+=("$(printf '%-46s %s' "$name" "DOES NOT BUILD")"); bad=$((bad + 1)); continue
	fi
	fake=0 real=0
	for s in $suites; do
		(cd "$d" && "build/tests/${s}_fake") >>"$d/fake.log" 2>&1 || fake=$((fake + 1))
		(cd "$d" && "build/tests/$s") >>"$d/real.log" 2>&1 || real=$((real + 1))
	done
	if [ $fake -gt 0 ]; then
		verdict="caught by $fake fake suite(s); real formats: $real suite(s) fail"; ok=$((ok + 1))
	else
		verdict="MISSED (real formats: $real suite(s) fail)"; bad=$((bad + 1))
	fi
	rows+=("$(printf '%-46s %s' "$name" "$verdict")")
done
printf '%-46s %s\n' plant result
printf '%s\n' "${rows[@]}"
echo "$ok caught, $bad missed"
[ $bad -eq 0 ]
