#!/usr/bin/env bash
# tests/run.sh BIN...: run every test program and add up their groups.
# Protocol: a test program prints one line per group,
#   [group] <name>: <p> passed, <f> failed
# (other output is passed through) and exits non-zero if anything failed.
# The last line printed here is the total: "N passed, N failed".
# TEST_WRAPPER (e.g. "valgrind --error-exitcode=1 ...") prefixes every run.
# TEST_JOBS programs run at once (default: one per CPU); their output is
# reported in the order given, with each program's seconds (list the
# slowest first: the last to start sets the run's end).
set -u
jobs=${TEST_JOBS:-$(nproc 2>/dev/null || echo 1)}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
for bin in "$@"; do
	while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n; done
	# shellcheck disable=SC2086
	( t0=$SECONDS; ${TEST_WRAPPER:-} "$bin" >"$tmp/$n.out" 2>&1
	  echo $? >"$tmp/$n.st"; echo $((SECONDS - t0)) >"$tmp/$n.t" ) &
	n=$((n + 1))
done
wait
pass=0 fail=0 rc=0 k=0 times=
for bin in "$@"; do
	out=$(cat "$tmp/$k.out"); st=$(cat "$tmp/$k.st")
	times="$times $(basename "$bin") $(cat "$tmp/$k.t")s"
	k=$((k + 1))
	printf '%s\n' "$out" | grep -v '^\[group\] ' | sed 's/^/  /' | tail -n 40
	while IFS= read -r line; do
		if [[ $line =~ ^\[group\]\ (.*):\ ([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
			printf '%-60s %6s passed, %s failed\n' "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}" "${BASH_REMATCH[3]}"
			pass=$((pass + BASH_REMATCH[2])); fail=$((fail + BASH_REMATCH[3]))
		fi
	done < <(printf '%s\n' "$out")
	if [ "$st" -ne 0 ]; then
		rc=1
		# A crash or a failure outside any group still counts.
		if ! printf '%s\n' "$out" | grep -q '^\[group\] .* [1-9][0-9]* failed$'; then
			echo "$(basename "$bin"): exited with status $st"; fail=$((fail + 1))
		fi
	fi
done
echo "seconds:$times"
echo "$pass passed, $fail failed"
[ $fail -eq 0 ] && [ $rc -eq 0 ]
