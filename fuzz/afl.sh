#!/usr/bin/env bash
# fuzz/afl.sh <seconds> <harness>...: AFL++ per harness, one -M instance
# (with the CmpLog binary) and one -S instance side by side, for <seconds>.
# Findings in build/fuzz/afl-out/<harness>/{main,s1}/crashes.
set -u
cd "$(dirname "$0")/.."
secs=$1; shift
export AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1 \
	AFL_NO_AFFINITY=1 AFL_QUIET=1
rc=0
for h in "$@"; do
	in=build/fuzz/afl-in/$h out=build/fuzz/afl-out/$h
	rm -rf "$in"; mkdir -p "$in" "$out"
	# AFL wants small seeds and at least one.
	find corpus/$h -type f -size -4k -exec cp {} "$in"/ \; 2>/dev/null
	[ -n "$(ls -A "$in")" ] || printf '\0\0\0\0' >"$in/zero"
	case $h in fuzz_ops_*) dict=fuzz/fuzz_ops.dict;; *) dict=fuzz/$h.dict;; esac
	d=(); [ -f "$dict" ] && d=(-x "$dict")
	nice -n 10 afl-fuzz -M main -c build/fuzz/cmplog/$h -i "$in" -o "$out" -V "$secs" "${d[@]}" \
		-- build/fuzz/afl/$h >"$out/main.log" 2>&1 &
	m=$!
	nice -n 10 afl-fuzz -S s1 -i "$in" -o "$out" -V "$secs" "${d[@]}" \
		-- build/fuzz/afl/$h >"$out/s1.log" 2>&1
	wait $m
	for i in main s1; do
		st=$out/$i/fuzzer_stats
		eps=$(awk -F': *' '/^execs_per_sec/ {print $2}' "$st" 2>/dev/null)
		cr=$(awk -F': *' '/^saved_crashes|^unique_crashes/ {print $2}' "$st" 2>/dev/null | head -1)
		printf '%-32s %-4s %10s exec/s  crashes %s\n' "$h" "$i" "${eps:-?}" "${cr:-?}"
		[ "${cr:-0}" = 0 ] || rc=1
	done
done
exit $rc
