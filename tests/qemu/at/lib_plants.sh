#!/usr/bin/env bash
# make at-oracle-lib-plants: show that the AT oracle catches bugs in
# libpt's AArch64 access checks (arch/aarch64.h). Each plant is one edit,
# made in a scratch copy by tests/plant_runner.sh (the real tree is never
# touched); the oracle must fail on it.
suites=""
# name | file | text | replacement (literal; \n and \t as in C)
# shellcheck disable=SC2034
plants=(
"TCR.HPD ignored: APTable/XNTable always apply|arch/aarch64.h|(up &= c & PT_CTL_HPD ? 0 : A64_TABLE_BITS)|(up &= A64_TABLE_BITS)"
"APTable[0] does not take EL0 access away|arch/aarch64.h|~((t & A64_AP_USER)|~((t & 0)"
"PAN ignored|arch/aarch64.h|lf->perm = (user && (c & PT_CTL_PAN) ? 0 :|lf->perm = (0 ? 0 :"
"TCR.HD without HA dirties clean pages|arch/aarch64.h|lf->clean = w && !w_hw && !((c & PT_CTL_HA) && (c & PT_CTL_HD));|lf->clean = w && !w_hw && !(c & PT_CTL_HD);"
"a permission fault before the access flag one|arch/aarch64.h|#define arch_aarch64_AF_FIRST 1|#define arch_aarch64_AF_FIRST 0"
"MAIR bytes below 0x80 read as Device|arch/aarch64.h|\treturn m < 0x10 ? PT_DEVICE|\treturn m < 0x80 ? PT_DEVICE"
)
judge() {
	make --no-print-directory build/at/at-oracle.sh >oracle-build.log 2>&1 || {
		verdict="ORACLE DOES NOT BUILD"; return 1; }
	if build/at/at-oracle.sh --sets-max 2 --sets-a57 1 --queries 1000 --show 1 >oracle.log 2>&1; then
		verdict="MISSED"
		return 1
	fi
	verdict="caught: $(grep '^\[group\] at-oracle access' oracle.log | sed 's/^\[group\] at-oracle access //; s/ passed, / ok, /' | paste -sd';' -)"
	return 0
}
# The runner finds the tree from $0 as if the script lived in tests/.
top=$(cd "$(dirname "$0")/../../.." && pwd)
BASH_ARGV0="$top/tests/at_lib_plants.sh"
# shellcheck source=../../plant_runner.sh
. "$top/tests/plant_runner.sh"
