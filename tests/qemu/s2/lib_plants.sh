#!/usr/bin/env bash
# make qemu-s2-lib-plants: show that the stage-2 oracle catches bugs in
# libpt's stage-2 decoding (arch/aarch64_s2.h), nested fault reporting
# (src/nested.c) and VTCR_EL2 (src/api.c). Each plant is one edit, made in
# a scratch copy by tests/plant_runner.sh (the real tree is never
# touched); the guest is rebuilt there and must fail on Cortex-A57 or
# -cpu max.
suites=""
# name | file | text | replacement (literal; \n and \t as in C)
# shellcheck disable=SC2034
plants=(
"S2AP[1] ignored: writable (DBM) leaves written|arch/aarch64_s2.h|const bool w_hw = e & S2AP_W; |const bool w_hw = w; "
"stage-2 XN ignored at EL1|arch/aarch64_s2.h|const bool x1 = |const bool x1 = !0 ? 1 : "
"stage-2 access flag ignored|arch/aarch64_s2.h|lf->af = !(e & A64_AF) && !(c & PT_CTL_HA);|lf->af = false;"
"stage-2 permission before the access flag|arch/aarch64_s2.h|#define arch_aarch64_s2_AF_FIRST 1|#define arch_aarch64_s2_AF_FIRST 0"
"table-read faults reported as stage 1|src/nested.c|\t\t\tfault->stage = 2;\n\t\t\tfault->ipa = nested_entry(|\t\t\tfault->stage = 1;\n\t\t\tfault->ipa = nested_entry("
"table-read faults without their IPA|src/nested.c|fault->ipa = nested_entry(regime_shape(s1), f1.table_pa, f1.level, va);|fault->ipa = 0;"
"output faults name the last table's IPA|src/nested.c|fault->ipa = m1.pa;|fault->ipa = n.gpa;"
"stage 1's hardware state update not written through stage 2|src/nested.c|if (nested_s1_writes(e1, s1, &guest, va, access, &m1)) {|if (nested_s1_writes(e1, s1, &guest, va, access, &m1) && 0) {"
"software-dirty leaves taken as dirty to the MMU|src/nested.c|return e1->access(&plain|return 0 && e1->access(&plain"
"pt_vtcr: SL0 one level too high|src/api.c|(uint64_t)(s->info.levels - 2) << 6|(uint64_t)(s->info.levels - 1) << 6"
)
judge() {
	make --no-print-directory build/s2/a57.sh build/s2/max.sh >oracle-build.log 2>&1 || {
		verdict="ORACLE DOES NOT BUILD"; return 1; }
	local caught=""
	for cpu in a57 max; do
		build/s2/$cpu.sh >oracle-$cpu.log 2>&1 || caught="$caught $(grep '^\[group\] qemu' oracle-$cpu.log |
			sed 's/^\[group\] qemu aarch64-s2-//; s/ passed, / ok, /' | paste -sd';' -)"
	done
	if [ -z "$caught" ]; then
		verdict="MISSED"
		return 1
	fi
	verdict="caught:$caught"
	return 0
}
# The runner finds the tree from $0 as if the script lived in tests/.
top=$(cd "$(dirname "$0")/../../.." && pwd)
BASH_ARGV0="$top/tests/s2_lib_plants.sh"
# shellcheck source=../../plant_runner.sh
. "$top/tests/plant_runner.sh"
