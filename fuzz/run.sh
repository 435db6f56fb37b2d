#!/usr/bin/env bash
# fuzz/run.sh <engine-dir> <seconds> <jobs> <harness>...
# Run each libFuzzer harness for <seconds>, up to <jobs> at a time, on a
# working corpus seeded from corpus/<harness>, corpus/merged/<harness> and
# corpus/regressions/<harness>; crashes land in
# build/fuzz/crashes/<harness>/. Prints one line per harness with its
# measured exec/s, then exits non-zero if anything crashed.
set -u
bindir=$1 secs=$2 jobs=$3; shift 3
out=build/fuzz/run
mkdir -p "$out"
run_one() {
	h=$1 bindir=$2 secs=$3 out=$4
	work=build/fuzz/work/$h crash=build/fuzz/crashes/$h
	mkdir -p "$work" "$crash"
	# Read, never written: the seeds, the merged corpus and the stored
	# regressions, all replayed before the run fuzzes.
	seeds=()
	for d in corpus/$h corpus/merged/$h corpus/regressions/$h; do
		[ -d "$d" ] && seeds+=("$d")
	done
	case $h in fuzz_ops_*) base=fuzz_ops;; *) base=$h;; esac
	dict=
	[ -f fuzz/$base.dict ] && dict=-dict=fuzz/$base.dict
	nice -n 10 "$bindir/$h" -max_total_time="$secs" -print_final_stats=1 -max_len=4096 \
		-timeout=25 -rss_limit_mb=2048 -artifact_prefix="$crash/" $dict "$work" "${seeds[@]}" \
		>"$out/$h.log" 2>&1
	st=$?
	eps=$(grep -m1 average_exec_per_sec "$out/$h.log" | awk '{print $2}')
	ncr=$(find "$crash" -type f | wc -l)
	printf '%-32s %8s exec/s  status %d  crashes %d\n' "$h" "${eps:-?}" "$st" "$ncr"
}
export -f run_one
printf '%s\n' "$@" | xargs -P "$jobs" -I{} bash -c 'run_one "$@"' _ {} "$bindir" "$secs" "$out" | tee "$out/summary.txt"
! grep -q 'crashes [1-9]' "$out/summary.txt"
