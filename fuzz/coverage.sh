#!/usr/bin/env bash
# fuzz/coverage.sh: line and branch coverage of src/ and arch/ reached by
# the corpora (corpus/<h>, corpus/regressions/<h>, and the working corpora
# of the last fuzz-run in build/fuzz/work/<h>; COV_SEEDS_ONLY=1: only what
# is committed), through the coverage build of
# the replayers. Report in build/fuzz/coverage/{report.txt,html/}.
set -eu
cd "$(dirname "$0")/.."
bindir=build/fuzz/cov out=build/fuzz/coverage
rm -rf "$out"; mkdir -p "$out/prof"
objs=()
for bin in "$bindir"/fuzz_*; do
	h=$(basename "$bin")
	paths=()
	work=build/fuzz/work/$h
	[ "${COV_SEEDS_ONLY:-0}" = 1 ] && work=
	for d in corpus/$h corpus/merged/$h corpus/regressions/$h $work; do
		[ -d "$d" ] && paths+=("$d")
	done
	# The first binary is positional, the others -object.
	if [ ${#objs[@]} -eq 0 ]; then objs+=("$bin"); else objs+=(-object "$bin"); fi
	[ ${#paths[@]} -eq 0 ] && continue
	LLVM_PROFILE_FILE="$out/prof/$h-%p.profraw" "$bin" -g "coverage $h" \
		-k corpus/regressions/KNOWN "${paths[@]}" >"$out/$h.log" 2>&1 || true
done
llvm-profdata-19 merge -sparse "$out"/prof/*.profraw -o "$out/all.profdata"
llvm-cov-19 report -instr-profile="$out/all.profdata" -show-branch-summary "${objs[@]}" \
	src arch | tee "$out/report.txt"
llvm-cov-19 show -format=html -output-dir="$out/html" -show-branches=count \
	-instr-profile="$out/all.profdata" "${objs[@]}" src arch >/dev/null
echo "html: $out/html/index.html"
