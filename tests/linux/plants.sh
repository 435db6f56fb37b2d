#!/usr/bin/env bash
# tests/linux/plants.sh CHECKER CAPTURE...: run linux_check on each capture
# with each planted fault (LINUX_CHECK_PLANT, see linux_check.c) and require
# a failure every time: the check can see what it claims to check.
set -u
chk=$1; shift
caught=0 missed=0
for cap in "$@"; do
	for p in pa user reserved; do
		out=$(LINUX_CHECK_PLANT=$p "$chk" "$cap" 2>&1); st=$?
		failed=$(printf '%s\n' "$out" | grep '^\[group\]' | grep -v ' 0 failed$' |
			sed 's/^\[group\] linux //; s/: .* passed, / /' | tr '\n' ';')
		if [ $st -eq 1 ] && [ -n "$failed" ]; then
			caught=$((caught + 1)); echo "plant $p on $(basename "$cap"): caught ($failed)"
		else
			missed=$((missed + 1)); echo "plant $p on $(basename "$cap"): MISSED (status $st)"
		fi
	done
done
echo "[group] linux plants: $caught passed, $missed failed"
[ $missed -eq 0 ]
