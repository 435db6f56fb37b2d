#!/usr/bin/env bash
# make qemu-gran-plants: show that the granule sets of the AT oracle
# (at_host --gran) catch bugs in libpt's 16K and 64K tables, its 52-bit
# output addresses (arch/aarch64_pa52.h), its contiguous runs
# (src/runs.h), its deferred TLB flushes and pt_tcr.
# Each plant is one edit, made in a scratch copy by tests/plant_runner.sh
# (the real tree is never touched); the oracle must fail on it.
suites=""
# name | file | text | replacement (literal; \n and \t as in C)
# shellcheck disable=SC2034
plants=(
"16K table addresses masked at 64K|arch/aarch64_gran.h|(pa & A64_ADDR & ~a64g_low(p))|(pa & A64_ADDR & ~a64g_low(16u))"
"64K at 48 bits: a 128-entry root|arch/aarch64_desc.h|#define A64_ROOT_ENTRIES(bits, p) (1u << ((bits) - A64_SHIFT(bits, p, 0u)))|#define A64_ROOT_ENTRIES(bits, p) (1u << ((bits) - A64_SHIFT(bits, p, 0u) + ((p) == 16u && (bits) == 48u)))"
"pt_tcr: TG0 of 16K and 64K swapped|src/api.c|half = (uint64_t)(page == 12 ? 0 : page == 14 ? 2 : 1) << 14;|half = (uint64_t)(page == 12 ? 0 : page == 14 ? 1 : 2) << 14;"
"pt_tcr: TG1 of 16K and 64K swapped|src/api.c|half = (uint64_t)(page == 12 ? 2 : page == 14 ? 1 : 3) << 14;|half = (uint64_t)(page == 12 ? 2 : page == 14 ? 3 : 1) << 14;"
"pt_tcr: T1SZ one bit short|src/api.c|return ((uint64_t)(64 - s->info.va_bits)|return ((uint64_t)(65 - s->info.va_bits)"
"LPA2: OA[49:48] read from bits 47:46|arch/aarch64_pa52.h|return (e & A64_ADDR_LPA2 & ~a64g_low(p))|return ((e & A64_ADDR & ~a64g_low(p)) + ((e >> 46 & 3) << 48))"
"LPA2: OA[51:50] not read from bits 9:8|arch/aarch64_pa52.h|((e >> 8) & 3) << 50;|0;"
"LPA (64K): OA[51:48] not read from bits 15:12|arch/aarch64_pa52.h|((e >> 12) & 0xf) << 48;|0;"
"pt_tcr: DS left clear with LPA2|src/api.c|const bool ds = pa52 && page != 16;|const bool ds = false;"
"runs: a partial edit leaves its group unbroken|src/runs.h|(!run_may_cross(op, va) && !run_may_cross(op, last + 1))|1"
"runs: a break flushes nothing|src/runs.h|pt__flush_now(op->t, va0 + k * span, false);|(void)(va0 + k * span);"
"pt_flush drops the recorded VAs|src/api.c|t->mm.flush_tlb(t->mm.ctx, t->flush_va[i], false);|(void)t->flush_va[i];"
)
# GRAN_PLANTS=regex keeps only the plants whose names match.
if [ -n "${GRAN_PLANTS:-}" ]; then
	kept=()
	for p in "${plants[@]}"; do
		[[ "${p%%|*}" =~ $GRAN_PLANTS ]] && kept+=("$p")
	done
	plants=("${kept[@]}")
fi
judge() {
	make --no-print-directory build/at/gran.sh >oracle-build.log 2>&1 || {
		verdict="ORACLE DOES NOT BUILD"; return 1; }
	if build/at/gran.sh --show 1 >oracle.log 2>&1; then
		verdict="MISSED"
		return 1
	fi
	# The failed groups, or why the driver stopped (a table it cannot
	# walk: outside the arena the blob holds).
	verdict="caught: $({ grep '^\[group\] at-oracle' oracle.log | grep -v ' 0 failed' |
		sed 's/^\[group\] at-oracle gran //; s/ passed, / ok, /'; grep -m1 '^at-oracle:' oracle.log; } |
		paste -sd';' -)"
	return 0
}
# The runner finds the tree from $0 as if the script lived in tests/.
top=$(cd "$(dirname "$0")/../../.." && pwd)
BASH_ARGV0="$top/tests/gran_plants.sh"
# shellcheck source=../../plant_runner.sh
. "$top/tests/plant_runner.sh"
