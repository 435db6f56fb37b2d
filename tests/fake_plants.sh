#!/usr/bin/env bash
# make fake-plants: show that the fake format (tests/fake_arch.h) catches
# raw-entry assumptions leaking into the engine. Each plant is one edit to
# src/ that every real format survives (0 is their empty entry, their
# address fields are linear); the engine suites must fail on the fake
# format with it, and the real formats' suites are run too, for the record.
# Scratch copies only: the real tree is never touched.
suites="test_engine test_edit test_walk test_translate test_atomic test_random test_ranges"

# name | file | text | replacement (literal; \n and \t as in C)
# shellcheck disable=SC2034
plants=(
"unmap writes 0 as the empty entry|src/edit.h|\t\t\tst(&p[i], EMPTY);\n|\t\t\tst(&p[i], 0);\n"
"new tables filled with 0|src/entry.h|z[k] = (PTE)EMPTY;|z[k] = 0;"
"a table is empty when all its entries are 0|src/tables.h|for (size_t k = skip_empty(tbl, 0, n); k < n; k = skip_empty(tbl, k + 1, n))\n\t\tif (kind_at(op, l, ld(&tbl[k])) != PTK_EMPTY)|for (size_t k = 0; k < n; k++)\n\t\tif (ld(&tbl[k]) != 0)"
"the next leaf is the entry plus its size|src/entry.h|\tif (A(OUT_LINEAR))\n\t\treturn e + A(out)(size);|\tif (1)\n\t\treturn e + A(out)(size);"
)

# Caught when a suite fails on the fake format; the real formats' suites
# run too, for the record.
judge() {
	local fake=0 real=0 s
	for s in $suites; do
		"build/tests/${s}_fake" >>fake.log 2>&1 || fake=$((fake + 1))
		"build/tests/$s" >>real.log 2>&1 || real=$((real + 1))
	done
	if [ $fake -gt 0 ]; then
		verdict="caught by $fake fake suite(s); real formats: $real suite(s) fail"
		return 0
	fi
	verdict="MISSED (real formats: $real suite(s) fail)"
	return 1
}

. "$(dirname "$0")/plant_runner.sh"
