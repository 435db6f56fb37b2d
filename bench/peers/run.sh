#!/usr/bin/env bash
# libpt against its peer libraries, on this machine, interleaved (see "libpt
# and its peers on this machine" in bench/README.md). Run by hand: nothing
# in make or CI calls it, and it needs the peers' sources, which the
# repository does not hold.
#
#   PEERS_SRC=/path bench/peers/run.sh            build, then ROUNDS rounds
#   PEERS_SRC=/path bench/peers/run.sh icount     build, then instructions
#   PEERS_SRC=/path PEERS_GIT=/dir bench/peers/run.sh unpack
#
# PEERS_SRC holds the crates of bench/peers/sources.txt, each in its
# directory; `unpack` makes it from git copies of their repositories in
# PEERS_GIT (<owner>+<name>/repo, <owner>+<name> or <name>, bare or not).
# Cargo builds offline: a Cargo config written into the build directory
# patches every crate of sources.txt to its directory, so nothing outside
# PEERS_SRC is read.
#
# Each round runs every library's process once (libpt once per format), in
# an order rotated each round; a process runs every row REPS times and
# prints its fastest; the table keeps the fastest of the rounds. Every
# process checks, after its first run of each row, that the table holds
# what the row says (bench/peers/libpt_rows.c verify(), main.rs expected()).
# `icount` runs each row of each library once under callgrind instead,
# counting only the measured part (libpt_rows.c's run_row, main.rs's
# timed): instructions per unit, which the machine's load does not move.
#
# Environment: ROUNDS (20), REPS (3), OUT (build/peers), CC (clang, else gcc).
set -euo pipefail
cd "$(dirname "$0")/../.."
here=bench/peers
OUT=${OUT:-build/peers}
ROUNDS=${ROUNDS:-20}
REPS=${REPS:-3}
CC=${CC:-$(command -v clang >/dev/null && echo clang || echo gcc)}
: "${PEERS_SRC:?set PEERS_SRC to the directory of the peers sources (see $here/sources.txt)}"
PEERS_SRC=$(cd "$PEERS_SRC" 2>/dev/null && pwd || echo "$PEERS_SRC")

sources() { grep -v '^#' "$here/sources.txt" | grep -v '^[[:space:]]*$'; }

if [ "${1:-}" = unpack ]; then
	: "${PEERS_GIT:?set PEERS_GIT to the directory of the git copies}"
	mkdir -p "$PEERS_SRC"
	while read -r crate dir repo tag; do
		top=${dir%%/*}
		[ -e "$PEERS_SRC/$top/.unpacked-$tag" ] && continue
		g=
		for c in "$PEERS_GIT/${repo/\//+}/repo" "$PEERS_GIT/${repo/\//+}" "$PEERS_GIT/${repo#*/}"; do
			if git --git-dir="$c" rev-parse -q --verify "$tag^{commit}" >/dev/null 2>&1; then g=$c; break; fi
			if git -C "$c" rev-parse -q --verify "$tag^{commit}" >/dev/null 2>&1; then g=$c/.git; break; fi
		done
		[ -n "$g" ] || { echo "unpack: no git copy of $repo with tag $tag in $PEERS_GIT" >&2; exit 1; }
		mkdir -p "$PEERS_SRC/$top"
		git --git-dir="$g" archive "$tag" | tar -x -C "$PEERS_SRC/$top"
		git --git-dir="$g" rev-parse "$tag^{commit}" >"$PEERS_SRC/$top/.unpacked-$tag"
		echo "unpack: $repo $tag -> $PEERS_SRC/$top ($crate)"
	done < <(sources)
	exit 0
fi

command -v cargo >/dev/null || PATH=$HOME/.cargo/bin:$PATH
command -v cargo >/dev/null || { echo "run.sh: cargo not found" >&2; exit 1; }
mkdir -p "$OUT"

# ---- build ---------------------------------------------------------------
nice -n 10 make -s -j2 lib
HOST_WARN=(-Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wvla -Wformat=2)
# The caller's code (each row's loop, the walk's per-leaf sum) is compiled
# as the peers' is, at opt-level 3 and by LLVM where clang is here; libpt
# itself is make lib's build, as a C user links it.
nice -n 10 "$CC" -std=c11 -O3 -g "${HOST_WARN[@]}" -D_DEFAULT_SOURCE -Iinclude \
	"$here/libpt_rows.c" build/libpt.a -o "$OUT/libpt_rows"

# page_table_multiarch names aarch64-cpu and riscv for its AArch64 and
# RISC-V targets only: Cargo resolves them, this x86-64 build never compiles
# them, so empty crates of those versions stand in.
cfg=$OUT/cargo-config.toml
while read -r crate dir _ _; do
	[ -f "$PEERS_SRC/$dir/Cargo.toml" ] || { echo "run.sh: no $PEERS_SRC/$dir/Cargo.toml ($crate)" >&2; exit 1; }
done < <(sources)
{
	echo "# Written by bench/peers/run.sh from sources.txt and PEERS_SRC."
	echo "[patch.crates-io]"
	while read -r crate dir _ _; do
		echo "\"${crate/@/-}\" = { path = \"$PEERS_SRC/$dir\", package = \"${crate%@*}\" }"
	done < <(sources)
	for stub in aarch64-cpu:11.2.0 riscv:0.16.0; do
		name=${stub%:*}
		mkdir -p "$OUT/stubs/$name/src"
		printf '[package]\nname = "%s"\nversion = "%s"\nedition = "2021"\n' "$name" "${stub#*:}" \
			>"$OUT/stubs/$name/Cargo.toml"
		echo '#![no_std]' >"$OUT/stubs/$name/src/lib.rs"
		echo "\"$name\" = { path = \"$(pwd)/$OUT/stubs/$name\" }"
	done
} >"$cfg"
# The peers' own warnings go to the log; a failed build shows it.
CARGO_TARGET_DIR=$OUT/target nice -n 10 cargo build --offline --release -j2 \
	--manifest-path "$here/Cargo.toml" --config "$cfg" >"$OUT/cargo.log" 2>&1 ||
	{ cat "$OUT/cargo.log" >&2; exit 1; }
peers=$OUT/target/release/peers

libs=(libpt:x86_64 libpt:la57 libpt:aarch64 libpt:sv39 libpt:sv48 libpt:sv57 libpt:la64
	page_table_multiarch x86_64 aarch64-paging)
pre=(nice -n 10)
# run_lib LIB ARGS...: the library's process (under "${pre[@]}"); its lines
# with LIB put first.
run_lib() {
	local lib=$1 out line
	shift
	case $lib in
	libpt:*) out=$("${pre[@]}" "$OUT/libpt_rows" "${lib#libpt:}" "$@") ;;
	*) out=$("${pre[@]}" "$peers" "$lib" "$@") ;;
	esac
	while read -r line; do echo "$lib $line"; done <<<"$out"
}

# table FILE: its "<lib> <row> <value> ..." lines as a markdown table of
# the smallest value per library and row.
table() {
	python3 - "$1" <<'EOF'
import sys
best, order, libs, loads = {}, [], [], []
for line in open(sys.argv[1]):
    if line.startswith('#'):
        if ' load ' in line:
            loads.append(float(line.split(' load ')[1].split()[0]))
        continue
    lib, row, v = line.split()[:3]
    if row not in order: order.append(row)
    if lib not in libs: libs.append(lib)
    best[lib, row] = min(best.get((lib, row), float('inf')), float(v))
print('| row | ' + ' | '.join(libs) + ' |')
print('|---|' + '---:|' * len(libs))
for row in order:
    cells = ['%.3g' % best[l, row] if (l, row) in best else '' for l in libs]
    print('| %s | %s |' % (row, ' | '.join(cells)))
if loads:
    print('\nload average (1 min) over the rounds: %.2f-%.2f' % (min(loads), max(loads)))
EOF
}

# ---- icount: instructions per unit of the measured part -------------------
if [ "${1:-}" = icount ]; then
	command -v valgrind >/dev/null || { echo "run.sh: valgrind not found" >&2; exit 1; }
	mkdir -p "$OUT/callgrind"
	raw=$OUT/icount.txt
	: >"$raw"
	for lib in "${libs[@]}"; do
		case $lib in libpt:*) fn='run_row*' ;; *) fn='peers::timed*' ;; esac
		pre=(nice -n 10)
		rows=$(run_lib "$lib" 1 | cut -d' ' -f2)
		for row in $rows; do
			cg=$OUT/callgrind/${lib/:/-}.$row
			pre=(nice -n 10 valgrind -q --tool=callgrind --callgrind-out-file="$cg"
			     --toggle-collect="$fn")
			units=$(run_lib "$lib" 1 "$row" | cut -d' ' -f4)
			ir=$(sed -n 's/^totals: //p' "$cg")
			echo "$lib $row $(python3 -c "print('%.2f' % ($ir / $units))")" >>"$raw"
		done
	done
	echo "# instructions per unit, the measured part only (callgrind), libpt $(git rev-parse --short HEAD)"
	table "$raw"
	exit 0
fi

# ---- run -----------------------------------------------------------------
raw=$OUT/raw.txt
: >"$raw"
echo "# $(date -u '+%F %T') UTC, ROUNDS=$ROUNDS REPS=$REPS, libpt $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src arch include || echo +dirty)" | tee -a "$raw"
for ((r = 0; r < ROUNDS; r++)); do
	echo "# round $r load $(cut -d' ' -f1 /proc/loadavg)" >>"$raw"
	for ((i = 0; i < ${#libs[@]}; i++)); do
		run_lib "${libs[$(((i + r) % ${#libs[@]}))]}" "$REPS" >>"$raw"
	done
done
echo "# end $(date -u '+%F %T') UTC load $(cut -d' ' -f1 /proc/loadavg)" >>"$raw"

# ---- table: the fastest of the rounds, ns per unit -----------------------
table "$raw"
