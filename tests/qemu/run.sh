#!/usr/bin/env bash
# tests/qemu/run.sh TIMEOUT PASS_STATUS "FORMAT..." -- QEMU COMMAND...
# Run one conformance guest under a time limit and speak the tests/run.sh
# protocol for it: the guest prints "[group] qemu <format>: p passed, f failed"
# per format; a format whose line never came (crash, hang, early exit) is
# reported here as one failure. Passes only when every format passed, the
# guest printed "guest done: ok" and QEMU exited with PASS_STATUS (each
# machine's exit device has its own convention).
set -u
limit=$1 pass_status=$2 fmts=$3
shift 3
[ "${1:-}" = -- ] && shift
out_file=$(mktemp); trap 'rm -f "$out_file"' EXIT
timeout -k 5 "$limit" "$@" </dev/null >"$out_file" 2>&1; st=$?
out=$(tr -d '\r' <"$out_file")
printf '%s\n' "$out"
rc=0
for f in $fmts; do
	if ! printf '%s\n' "$out" | grep -q "^\[group\] qemu $f: [0-9]* passed, [0-9]* failed$"; then
		echo "[group] qemu $f: 0 passed, 1 failed"
		echo "qemu $f: no result from the guest (status $st)"
		rc=1
	fi
done
if printf '%s\n' "$out" | grep -q '^\[group\] qemu .*: [0-9]* passed, [1-9][0-9]* failed$'; then
	rc=1
fi
if [ $st -eq 124 ]; then
	echo "qemu: timed out after ${limit}s"; rc=1
elif [ "$st" != "$pass_status" ]; then
	echo "qemu: exit status $st, expected $pass_status"; rc=1
fi
printf '%s\n' "$out" | grep -q '^guest done: ok$' || rc=1
exit $rc
