#!/usr/bin/env bash
# fuzz/regress.sh [bindir]: replay corpus/regressions/<harness>/*,
# corpus/<harness>/* and corpus/merged/<harness>/* through the plain (gcc) replayer, one test group per
# harness. Run from the repository root (make check, make fuzz-regress).
# FUZZ_VALGRIND=1 runs every replay under Valgrind instead (in-process).
set -u
cd "$(dirname "$0")/.."
bindir=${1:-build/fuzz/replay}
rc=0
for bin in "$bindir"/fuzz_*; do
	[ -x "$bin" ] || continue
	h=$(basename "$bin")
	paths=()
	[ -d corpus/$h ] && paths+=(corpus/$h)
	[ -d corpus/merged/$h ] && paths+=(corpus/merged/$h)
	[ -d corpus/regressions/$h ] && paths+=(corpus/regressions/$h)
	[ ${#paths[@]} -eq 0 ] && continue
	if [ "${FUZZ_VALGRIND:-0}" = 1 ]; then
		valgrind -q --error-exitcode=1 --leak-check=full "$bin" -n -g "fuzz-regress valgrind $h" \
			-k corpus/regressions/KNOWN "${paths[@]}" || rc=1
	else
		"$bin" -g "fuzz-regress $h" -k corpus/regressions/KNOWN "${paths[@]}" || rc=1
	fi
done
exit $rc
