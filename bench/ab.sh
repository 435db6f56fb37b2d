#!/usr/bin/env bash
# make bench-ab BASE=<rev>: the suite of revision BASE (A) against the
# working tree (B) in one session, AB_ROUNDS rounds, the two sides
# interleaved (A B, then B A, ...) so that the machine's drift falls on
# both; bench/ab.py prints B / A per workload from the fastest run of each.
set -eu
cd "$(dirname "$0")/.."
base=${BASE:?usage: make bench-ab BASE=<rev> [AB_ROUNDS=3] [BENCH_FILTER=re]}
rounds=${AB_ROUNDS:-3}
filter=${BENCH_FILTER:-.}
args=${BENCH_ARGS:---benchmark_min_time=0.05}
out=build/bench/ab
wt=build/ab-base
rm -rf "$out"; mkdir -p "$out"
if [ ! -d "$wt" ] || [ "$(git -C "$wt" rev-parse HEAD 2>/dev/null)" != "$(git rev-parse "$base")" ]; then
	git worktree remove --force "$wt" 2>/dev/null || rm -rf "$wt"
	git worktree add --detach "$wt" "$base" >/dev/null
fi
make --no-print-directory -C "$wt" bench-build >/dev/null
make --no-print-directory bench-build >/dev/null
run() { "$1" $args --benchmark_filter="$filter" --benchmark_out_format=json --benchmark_out="$2" >/dev/null 2>&1; }
for r in $(seq 1 "$rounds"); do
	if [ $((r % 2)) -eq 1 ]; then
		run "$wt/build/bench/bench" "$out/a-$r.json"; run build/bench/bench "$out/b-$r.json"
	else
		run build/bench/bench "$out/b-$r.json"; run "$wt/build/bench/bench" "$out/a-$r.json"
	fi
	echo "bench-ab: round $r of $rounds done"
done
/usr/bin/python3 bench/ab.py "$out" ${AB_TABLE:-}
