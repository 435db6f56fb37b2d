#!/bin/bash -eu
# SPDX-License-Identifier: MIT
# OSS-Fuzz / ClusterFuzzLite build: every harness of fuzz/ into $OUT, with
# <name>_seed_corpus.zip, <name>.dict and <name>.options beside it.
# Honours $CC $CXX $CFLAGS $CXXFLAGS $LIB_FUZZING_ENGINE $OUT $SRC (and
# $WORK for objects); the repository is $SRC/libpt.
SRC_DIR=${LIBPT_SRC:-$SRC/libpt}
cd "$SRC_DIR"
W=${WORK:-/tmp}/libpt-oss-fuzz
rm -rf "$W"; mkdir -p "$W" "$OUT"

cflags="$CFLAGS -std=c11 -Iinclude -Itests -Ifuzz -D_DEFAULT_SOURCE"
lib=()
for f in src/*.c; do
	o=$W/core_$(basename "$f" .c).o
	$CC $cflags -ffreestanding -fno-builtin -fno-strict-aliasing -c "$f" -o "$o"
	lib+=("$o")
done
$CC $cflags -c tests/arena.c -o "$W/arena.o"
lib+=("$W/arena.o")

# The engine's main is C++ (libFuzzer): link with $CXX.
link() { # name object
	$CXX $CXXFLAGS "$2" "${lib[@]}" $LIB_FUZZING_ENGINE -o "$OUT/$1"
}
extras() { # name base
	for d in "corpus/$1" "corpus/merged/$1"; do
		[ -d "$d" ] && (cd "$d" && zip -q -r "$OUT/$1_seed_corpus.zip" .)
	done
	[ -f "fuzz/$2.dict" ] && cp "fuzz/$2.dict" "$OUT/$1.dict"
	sed "s/^dict = .*/dict = $1.dict/" "fuzz/$2.options" >"$OUT/$1.options"
}

while read -r name arch feat bits; do
	case $name in ''|\#*) continue;; esac
	$CC $cflags -DFUZZ_ARCH="$arch" -DFUZZ_FEAT="$feat" -DFUZZ_VA_BITS="${bits:-0}" \
		-c fuzz/fuzz_ops.c -o "$W/ops_$name.o"
	link "fuzz_ops_$name" "$W/ops_$name.o"
	extras "fuzz_ops_$name" fuzz_ops
done <fuzz/variants.txt

for h in fuzz_pte fuzz_translate; do
	$CC $cflags -c "fuzz/$h.c" -o "$W/$h.o"
	link "$h" "$W/$h.o"
	extras "$h" "$h"
done
