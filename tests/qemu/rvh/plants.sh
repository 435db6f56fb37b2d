#!/usr/bin/env bash
# make qemu-rvh-plants: show that the RISC-V hypervisor guest catches bugs
# in libpt's two-stage translation and in its own comparison. Two kinds:
#   guest  the guest rebuilt with QEMU_MUTATE=N (tests/qemu/rvh/guest.c lists them)
#   lib    one edit to a scratch copy of src/, arch/ and include/ (the
#          real tree is never touched), the guest linked with that core
# Every plant must make the guest report failures. Prints one row per plant
# and "N caught, N missed"; exits non-zero if any was missed or did not
# apply.
set -u
cd "$(dirname "$0")/../../.."
top=$PWD
build=${BUILD:-build}
scratch=${PLANT_DIR:-$top/$build/qemu-rvh-plants}
rm -rf "$scratch"; mkdir -p "$scratch"

# name@kind@guest: N; lib: file@text@replacement (literal, \n \t as in C)
plants=(
"hgatp MODE one off in the guest@guest@1"
"htval compared as GPA >> 1@guest@2"
"VS-stage regime without vsstatus.SUM@guest@3"
"VS/VU probes made at the other privilege@guest@4"
"vstval of a VS-delegated fault taken 8 bytes off@guest@5"
"G-stage U check dropped (arch/rvg.h)@lib@arch/rvg.h@\tlf->perm = u ? p | p << 3 : 0;@\tlf->perm = p | p << 3;"
"pt_hgatp MODE Sv48x4 for Sv39x4 (src/api.c)@lib@src/api.c@(uint64_t)(8 + t->arch - PT_RISCV_SV39X4) << 60@(uint64_t)(9 + t->arch - PT_RISCV_SV39X4) << 60"
"nested table fault at the table, not the entry@lib@src/nested.c@\t\t\tif (s)\n@\t\t\tif (!s)\n"
"G-stage ignores HS-level MXR (arch/rvg.h)@lib@arch/rvg.h@const bool rd = (e & RV_R) || ((c & PT_CTL_MXR) && x);@const bool rd = (e & RV_R) != 0;"
)

make --no-print-directory -j2 "$build/qemu-rvh/rvh.sh" >/dev/null || exit 1
ok=0 bad=0
rows=()
row() { rows+=("$(printf '%-50s %s' "$1" "$2")"); }
for p in "${plants[@]}"; do
	IFS='@' read -r name kind a b c <<<"$p"
	d="$scratch/$(echo "$name" | tr -c 'a-zA-Z0-9' _)"
	mkdir -p "$d"
	args=(QEMU_RVH_DIR="$d")
	if [ "$kind" = guest ]; then
		# The real core, built once.
		args+=(QEMU_RVH_MUTATE="$a" QEMU_RVH_CORE="$top/$build/qemu-rvh")
	else
		mkdir -p "$d/lib"
		cp -r src arch include "$d/lib/"
		before=$(md5sum "$d/lib/$a")
		python3 - "$d/lib/$a" "$b" "$c" <<'PY'
import sys
path, old, new = sys.argv[1], *(x.encode().decode("unicode_escape") for x in sys.argv[2:])
s = open(path).read()
if s.count(old) == 1:
    open(path, "w").write(s.replace(old, new))
PY
		if [ "$before" = "$(md5sum "$d/lib/$a")" ]; then
			row "$name" "PLANT DID NOT APPLY"; bad=$((bad + 1)); continue
		fi
		args+=(QEMU_RVH_LIB="$d/lib")
	fi
	if ! make --no-print-directory -j2 "${args[@]}" "$d/rvh.sh" >"$d/build.log" 2>&1; then
		row "$name" "DOES NOT BUILD"; bad=$((bad + 1)); continue
	fi
	# Caught: the guest ran and its checks failed (not a crash or a
	# missing image).
	if "$d/rvh.sh" >"$d/run.log" 2>&1 || ! grep -q '^FAIL' "$d/run.log"; then
		row "$name" "MISSED"; bad=$((bad + 1)); continue
	fi
	ok=$((ok + 1))
	row "$name" "caught: $(grep -m1 '^FAIL' "$d/run.log" | cut -c1-70)"
done
printf '%-50s %s\n' plant result
printf '%s\n' "${rows[@]}"
echo "$ok caught, $bad missed"
[ $bad -eq 0 ]
