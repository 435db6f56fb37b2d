#!/usr/bin/env bash
# Sourced by the plant scripts (tests/fake_plants.sh, tests/defer_plants.sh)
# after they set:
#   plants   array of "name|file|text|replacement" (literal; \n and \t as
#            in C): one edit to the tree each, applied to a scratch copy
#   suites   the test programs (each also built as <suite>_fake) to build
#   judge    a function run in the scratch copy after the build; it sets
#            `verdict` and returns 0 when the plant was caught
# Each plant gets its own copy under $PLANT_DIR (the real tree is never
# touched); prints one row per plant and "N caught, N missed", and exits
# non-zero if any plant was missed, did not apply or did not build.
# PLANT_APPLY_ONLY=1: only check that each edit finds its text exactly
# once in the real tree (no copy, no build), as a test group of tests/run.sh.
set -u
cd "$(dirname "$0")/.."
top=$PWD
if [ -n "${PLANT_APPLY_ONLY:-}" ]; then
	pass=0 fail=0
	for p in "${plants[@]}"; do
		IFS='|' read -r name file from to <<<"$p"
		n=$(python3 - "$file" "$from" <<'PY'
import sys
path, old = sys.argv[1], sys.argv[2].encode().decode("unicode_escape")
print(open(path).read().count(old))
PY
)
		if [ "$n" = 1 ]; then
			pass=$((pass + 1))
		else
			fail=$((fail + 1))
			echo "plant \"$name\": its text is in $file $n times, not once"
		fi
	done
	echo "[group] $(basename "$0" .sh) apply: $pass passed, $fail failed"
	[ $fail -eq 0 ]
	exit
fi
scratch=${PLANT_DIR:-/tmp/libpt-$(basename "$0" .sh)}
rm -rf "$scratch"; mkdir -p "$scratch"
ok=0 bad=0
rows=()
row() { rows+=("$(printf '%-46s %s' "$1" "$2")"); }

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
		row "$name" "PLANT DID NOT APPLY"; bad=$((bad + 1)); continue
	fi
	bins=""
	for s in $suites; do bins="$bins build/tests/$s build/tests/${s}_fake"; done
	# shellcheck disable=SC2086
	if ! (cd "$d" && make --no-print-directory -j2 $bins) >"$d/build.log" 2>&1; then
		row "$name" "DOES NOT BUILD"; bad=$((bad + 1)); continue
	fi
	verdict=""
	cd "$d" || exit 1
	if judge; then ok=$((ok + 1)); else bad=$((bad + 1)); fi
	cd "$top" || exit 1
	row "$name" "$verdict"
done
printf '%-46s %s\n' plant result
printf '%s\n' "${rows[@]}"
echo "$ok caught, $bad missed"
[ $bad -eq 0 ]
