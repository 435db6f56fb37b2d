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
"a break writes every member with the run's PA|src/runs.h|A(leaf_pa)(h, e) + k * span,|A(leaf_pa)(h, e) + 0 * span,"
"query and walks give every member the run's PA|src/entry.h|(va & g & ~(span - 1));|(va & 0);"
"a map writes N with PPN[3:0] = 0000|arch/riscv.h|RV_NAPOT_64K;|0;"
"a break leaves N in the plain leaves|arch/riscv.h|return e & ~(RV_N |return e & ~(0 "
"a break flushes the run's first page only|src/runs.h|pt__flush_now(op->t, va0 + k * span, false);|pt__flush_now(op->t, va0, false);"
"a map makes runs over PAs aligned unlike the VA|src/runs.h|((va ^ A(leaf_pa)(h, e)) & ((span << k) - 1))|((va ^ A(leaf_pa)(h, e)) & ((span << k) - 1) & 0)"
"a whole-run protect drops the mark|src/edit.h|return run_member(op->feat, h, e) ? A(run_mark)(h, nv) : nv;|return nv;"
"any N leaf decodes as 64K, PPN[3:0] unchecked|arch/riscv.h|uint64_t pte)\\n{\\n\\treturn (pte & (RV_N|uint64_t pte)\\n{\\n\\tif (pte & RV_N)\\n\\t\\treturn h == 0 && !(feat & PT_FEAT_RISCV_XUANTIE);\\n\\treturn (pte & (RV_N"
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
