#!/usr/bin/env bash
# A test program of make check (tests/run.sh protocol): every planted bug
# of the plant scripts and of fuzz/mutants.py still finds its text in the
# tree exactly once. A plant whose text moved away proves nothing, and the
# scripts that build and judge the plants take too long for make check.
cd "$(dirname "$0")/.." || exit 1
rc=0
for s in tests/fake_plants.sh tests/defer_plants.sh tests/qemu/at/gran_plants.sh \
	 tests/qemu/at/lib_plants.sh tests/qemu/s2/lib_plants.sh tests/qemu/riscv/napot_plants.sh; do
	PLANT_APPLY_ONLY=1 bash "$s" || rc=1
done
out=$(python3 fuzz/mutants.py --check 2>&1)
tot=$(printf '%s\n' "$out" | sed -n 's|^\([0-9]*\)/\([0-9]*\) edits apply$|\1 \2|p')
if [ -z "$tot" ]; then
	printf '%s\n' "$out" | tail -n 20
	echo "[group] mutants apply: 0 passed, 1 failed"
	exit 1
fi
set -- $tot
printf '%s\n' "$out" | grep -v ' applies$' | grep -v 'edits apply$' | grep -v '^$' | grep -iv '^name' || true
echo "[group] mutants apply: $1 passed, $(($2 - $1)) failed"
[ "$1" = "$2" ] && exit $rc
exit 1
