#!/usr/bin/env bash
# fuzz/regress.sh [bindir [harness...]]: replay corpus/regressions/<harness>/*,
# corpus/<harness>/* and corpus/merged/<harness>/* through the replayers in
# bindir (every one there, or the harnesses named), one test group per
# harness. Run from the repository root (make check, make fuzz-regress).
# FUZZ_VALGRIND=1 runs every replay under Valgrind instead (in-process).
set -u
cd "$(dirname "$0")/.."
bindir=${1:-build/fuzz/replay}
[ $# -gt 0 ] && shift
named=$# # harnesses named: a missing replayer is an error
bins=("$bindir"/fuzz_*)
[ "$named" -gt 0 ] && bins=("${@/#/$bindir/}")
rc=0
for bin in "${bins[@]}"; do
	if [ ! -x "$bin" ]; then
		[ "$named" -eq 0 ] && continue
		echo "fuzz-regress: no replayer $bin"; rc=1; continue
	fi
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
