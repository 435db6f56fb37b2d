#!/usr/bin/env bash
# Install the Debian packages a libpt job needs, only those missing.
#   scripts/deps.sh [group ...]   groups: build test clang fuzz afl bench qemu analyze coverage linux all
# As root it installs with apt-get; otherwise it only reports what is missing.
set -euo pipefail

declare -A PKGS=(
	[build]="gcc make binutils pkg-config"
	[test]="gcc make valgrind"
	[clang]="clang-19 lld-19 llvm-19 libclang-rt-19-dev clang-14 libclang-rt-14-dev"
	[fuzz]="clang-19 llvm-19 libclang-rt-19-dev zip unzip"
	[afl]="afl++"
	[bench]="g++ libbenchmark-dev libbenchmark-tools python3-scipy valgrind gnuplot-nox"
	[qemu]="clang-19 lld-19 llvm-19 qemu-system-x86 qemu-system-arm qemu-system-misc"
	[analyze]="cppcheck clang-tidy clang-tidy-19 gcc"
	[coverage]="llvm-19 gcovr"
	[linux]="qemu-system-x86 qemu-system-arm gdb-multiarch cpio"
)

groups=("$@")
[ ${#groups[@]} -eq 0 ] && groups=(build test)
if [ "${groups[0]}" = all ]; then groups=("${!PKGS[@]}"); fi

want=()
for g in "${groups[@]}"; do
	[ -n "${PKGS[$g]:-}" ] || { echo "deps.sh: unknown group '$g'" >&2; exit 2; }
	for p in ${PKGS[$g]}; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || want+=("$p")
	done
done
[ ${#want[@]} -eq 0 ] && exit 0
# Deduplicate.
mapfile -t want < <(printf '%s\n' "${want[@]}" | sort -u)
if [ "$(id -u)" != 0 ]; then
	echo "deps.sh: missing packages (run as root to install): ${want[*]}" >&2
	exit 1
fi
echo "deps.sh: installing ${want[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# Another apt (a parallel make job) may hold the lock: wait for it.
for i in $(seq 1 60); do
	if apt-get -o DPkg::Lock::Timeout=600 update -qq >/dev/null 2>&1; then break; fi
	sleep 5
done
apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${want[@]}" >/dev/null
