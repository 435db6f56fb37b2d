#!/usr/bin/env bash
# make qemu-napot-plants: show that the RISC-V guest's <format>/napot group
# (tests/qemu/riscv/napot.c, napot_foreign.c) catches bugs in libpt's
# Svnapot code. Each plant is one edit, made in a scratch copy by
# tests/plant_runner.sh (the real tree is never touched); the RISC-V guest
# is rebuilt there and must report failures.
suites=""
# name | file | text | replacement (literal; \n and \t as in C)
# shellcheck disable=SC2034
plants=(
)
# NAPOT_PLANTS=regex keeps only the plants whose names match.
if [ -n "${NAPOT_PLANTS:-}" ]; then
	kept=()
	for p in "${plants[@]}"; do
		[[ "${p%%|*}" =~ $NAPOT_PLANTS ]] && kept+=("$p")
	done
	plants=("${kept[@]}")
fi
judge() {
	nice make --no-print-directory -j2 build/qemu/riscv.sh >guest-build.log 2>&1 || {
		verdict="GUEST DOES NOT BUILD"; return 1; }
	if build/qemu/riscv.sh >guest.log 2>&1; then
		verdict="MISSED"
		return 1
	fi
	# The failed groups, and the first failure the guest printed.
	verdict="caught: $({ grep '^\[group\] qemu riscv' guest.log | grep -v ' 0 failed' |
		sed 's/^\[group\] qemu riscv-//; s/ passed, / ok, /; s/ failed$//'; } | paste -sd';' -)"
	verdict="$verdict; first: $(grep -m1 'FAIL \[' guest.log | sed 's/^ *FAIL //' | cut -c1-90)"
	return 0
}
# The runner finds the tree from $0 as if the script lived in tests/.
top=$(cd "$(dirname "$0")/../../.." && pwd)
BASH_ARGV0="$top/tests/napot_plants.sh"
# shellcheck source=../../plant_runner.sh
. "$top/tests/plant_runner.sh"
