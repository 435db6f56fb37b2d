#!/usr/bin/env bash
# tests/linux/run.sh DIR CONFIG...: fetch (cached), build the initramfs,
# capture every configuration, run linux_check on the captures, and print
# the total in tests/run.sh's form ("N passed, N failed"). DIR is
# build/linux; captures go to DIR/cap/CONFIG. LINUX_REUSE=1 skips the boots;
# LINUX_KASLR=1 boots without nokaslr; LINUX_JOBS captures run at once
# (default 2); LINUX_CHECKER replaces DIR/linux_check for the check (the
# captures still pick samples with DIR/linux_check).
set -u
dir=$1; shift
here=$(cd "$(dirname "$0")" && pwd)
t0=$(date +%s.%N)
secs() { echo "$(date +%s.%N) $1" | awk '{printf "%.1f", $1 - $2}'; }
rc=0 capfail=0
if [ -z "${LINUX_REUSE:-}" ]; then
	"$here/fetch.sh" "$dir/dl" || exit 2
	echo "time fetch $(secs "$t0") s"
	for a in amd64 arm64; do
		"$here/mkinitramfs.sh" "$dir/dl/$a/busybox" "$dir/$a.cpio.gz" || exit 2
	done
	# LINUX_JOBS captures at once (default 2: one QEMU per core of the
	# 2-core machine), reported in the order given.
	jobs=${LINUX_JOBS:-2}
	for cfg in "$@"; do
		while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n; done
		case $cfg in x86_64*) a=amd64 ;; *) a=arm64 ;; esac
		(
			t=$(date +%s.%N)
			if python3 "$here/capture.py" --config "$cfg" --out "$dir/cap/$cfg" \
				--kernel "$dir/dl/$a/vmlinuz" --initrd "$dir/$a.cpio.gz" \
				--checker "$dir/linux_check" ${LINUX_KASLR:+--kaslr} >"$dir/cap-$cfg.log" 2>&1; then
				echo "$(secs "$t")" >"$dir/cap-$cfg.secs"
			else
				echo fail >"$dir/cap-$cfg.secs"
			fi
		) &
	done
	wait
	for cfg in "$@"; do
		if [ "$(cat "$dir/cap-$cfg.secs")" = fail ]; then
			echo "capture $cfg failed:"; tail -n 20 "$dir/cap-$cfg.log"
			echo "linux $cfg capture: 0 passed, 1 failed"
			rc=1 capfail=$((capfail + 1))
			rm -f "$dir/cap/$cfg/views.txt"
			continue
		fi
		echo "time capture $cfg $(cat "$dir/cap-$cfg.secs") s ($(grep '^time ' "$dir/cap-$cfg.log" | cut -d' ' -f2- | tr '\n' ',' | sed 's/,$//'))"
	done
fi
caps=()
for cfg in "$@"; do [ -f "$dir/cap/$cfg/views.txt" ] && caps+=("$dir/cap/$cfg"); done
t=$(date +%s.%N)
out=$("${LINUX_CHECKER:-$dir/linux_check}" "${caps[@]}" 2>&1); st=$?
echo "time check $(secs "$t") s"
pass=0 fail=$capfail
while IFS= read -r line; do
	if [[ $line =~ ^\[group\]\ (.*):\ ([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
		printf '%-60s %6s passed, %s failed\n' "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}" "${BASH_REMATCH[3]}"
		pass=$((pass + BASH_REMATCH[2])); fail=$((fail + BASH_REMATCH[3]))
	else
		printf '%s\n' "$line"
	fi
done < <(printf '%s\n' "$out")
[ $st -eq 0 ] || rc=1
echo "time total $(secs "$t0") s"
echo "$pass passed, $fail failed"
[ $rc -eq 0 ] && [ $fail -eq 0 ]
