#!/usr/bin/env bash
# make release-gate: every gate a release must pass, with a summary table
# (gate, result, seconds). Exits non-zero if any gate fails. Gates whose make
# target does not exist yet are listed as "absent", not passed.
# Budget: 25 minutes on 2 cores. GATE_FUZZ_SECONDS sets each harness's run.
# Each gate is stopped after GATE_TIMEOUT seconds and counts as failed, so a
# hang names its gate instead of eating the whole budget. GATE_SKIP names
# gates a caller runs itself (CI runs `make check` after the gate, as the
# README's test command): listed as "skipped", not passed.
set -u
cd "$(dirname "$0")/.."
export GATE_FUZZ_SECONDS=${GATE_FUZZ_SECONDS:-12}
GATE_TIMEOUT=${GATE_TIMEOUT:-900}
jobs=$(nproc 2>/dev/null || echo 1)
log=build/gate
mkdir -p "$log"
results=()
failed=0

has_target() { make -n "$1" >/dev/null 2>&1; }

gate() {
	local name=$1; shift
	local t0=$SECONDS st
	case " ${GATE_SKIP:-} " in *" $name "*)
		results+=("$(printf '%-18s %-7s %6s' "$name" skipped -)")
		return ;;
	esac
	if ! has_target "$1"; then
		results+=("$(printf '%-18s %-7s %6s' "$name" absent -)")
		return
	fi
	echo "== gate $name: make $*"
	timeout -k 30 "$GATE_TIMEOUT" make -j"$jobs" --no-print-directory "$@" >"$log/$name.log" 2>&1
	st=$?
	[ $st -eq 124 ] && echo "-- $name: stopped after $GATE_TIMEOUT s" >>"$log/$name.log"
	local dt=$((SECONDS - t0))
	if [ $st -eq 0 ]; then
		results+=("$(printf '%-18s %-7s %6d' "$name" pass "$dt")")
	else
		results+=("$(printf '%-18s %-7s %6d' "$name" FAIL "$dt")")
		failed=1
		echo "-- $name failed; last lines of $log/$name.log:"
		tail -n 30 "$log/$name.log"
	fi
	grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log/$name.log" | tail -1 | sed "s/^/   $name: /"
}

gate hardened       hardened
gate freestanding   freestanding
gate analyze        analyze
gate check          check
gate check-asan-ubsan check-asan-ubsan
gate check-msan     check-msan
gate check-valgrind check-valgrind
gate fuzz           fuzz-gate
gate bench-icount   bench-icount
gate qemu           qemu-check at-oracle
gate linux          linux-check

echo
printf '%-18s %-7s %6s\n' gate result seconds
printf '%s\n' "${results[@]}"
printf '%-18s %-7s %6d\n' total "$([ $failed -eq 0 ] && echo pass || echo FAIL)" "$SECONDS"
exit $failed
