#!/usr/bin/env bash
# fuzz/oss-fuzz/check.sh: run build.sh the way OSS-Fuzz does (ASan +
# libFuzzer flags, $SRC/libpt = this checkout, fresh $OUT) and check that
# every harness, seed corpus zip, dictionary and options file is there and
# that each binary runs its own seed corpus cleanly.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
base=$root/build/oss-fuzz
rm -rf "$base"; mkdir -p "$base/src" "$base/out" "$base/work"
ln -s "$root" "$base/src/libpt"
export SRC=$base/src OUT=$base/out WORK=$base/work
export CC=${OSS_CC:-clang-19} CXX=${OSS_CXX:-clang++-19}
export CFLAGS="-O1 -fno-omit-frame-pointer -gline-tables-only -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION -fsanitize=address -fsanitize-address-use-after-scope -fsanitize=fuzzer-no-link"
export CXXFLAGS="$CFLAGS"
export LIB_FUZZING_ENGINE="-fsanitize=fuzzer"
bash -eu "$root/fuzz/oss-fuzz/build.sh"

want=$(awk '!/^#/ && NF == 3 { print "fuzz_ops_" $1 }' "$root/fuzz/variants.txt"; echo fuzz_pte; echo fuzz_translate)
bad=0 n=0
for h in $want; do
	n=$((n + 1))
	msg=
	[ -x "$OUT/$h" ] || msg="$msg no binary;"
	[ -f "$OUT/$h.dict" ] || msg="$msg no dict;"
	grep -q '^\[libfuzzer\]' "$OUT/$h.options" 2>/dev/null || msg="$msg no options;"
	if ! unzip -l "$OUT/${h}_seed_corpus.zip" >/dev/null 2>&1; then
		msg="$msg no seed corpus;"
	elif [ -x "$OUT/$h" ]; then
		d=$WORK/seeds_$h
		mkdir -p "$d" && unzip -q -o "$OUT/${h}_seed_corpus.zip" -d "$d"
		"$OUT/$h" -runs=0 "$d" >"$WORK/$h.log" 2>&1 || msg="$msg seed corpus fails (see $WORK/$h.log);"
	fi
	if [ -n "$msg" ]; then echo "oss-fuzz-check: $h:$msg"; bad=$((bad + 1)); fi
done
echo "oss-fuzz-check: $((n - bad))/$n harnesses complete in $OUT"
[ $bad -eq 0 ]
