# Sanitizer variants, Valgrind, static analysis and the release gate.
# Each variant rebuilds the library and every test program in build/<variant>/
# with its own flags (recursive make with BUILD/CC/EXTRA_* set), then runs
# the whole suite. Option files live beside this file.

SAN_CC ?= clang-19
SAN_DIR := sanitizers

# ASan + LeakSanitizer.
ASAN_FLAGS := -O1 -fsanitize=address -fno-omit-frame-pointer -fno-sanitize-recover=all
# UBSan: all of -fsanitize=undefined, plus integer checks that make sense for
# this code. Not unsigned-integer-overflow: wrap-around checks on addresses
# (va + size - 1 < va) are deliberate unsigned arithmetic.
UBSAN_FLAGS := -O1 -fsanitize=undefined,float-divide-by-zero,local-bounds,nullability \
               -fno-sanitize-recover=all -fno-omit-frame-pointer
# Only the core is held to implicit-conversion checks: it has no implicit
# narrowing by design (-Wconversion), tests may.
UBSAN_CORE_FLAGS := -fsanitize=implicit-conversion
# MSan: everything instrumented (core, tests, fuzz replayer); no libbenchmark
# or other uninstrumented C++ in these binaries.
MSAN_FLAGS := -O1 -fsanitize=memory -fsanitize-memory-track-origins=2 -fno-omit-frame-pointer \
              -fno-sanitize-recover=all

SAN_ENV := ASAN_OPTIONS=$$(cat $(SAN_DIR)/asan.options) \
           UBSAN_OPTIONS=$$(cat $(SAN_DIR)/ubsan.options) \
           MSAN_OPTIONS=$$(cat $(SAN_DIR)/msan.options) \
           LSAN_OPTIONS=$$(cat $(SAN_DIR)/lsan.options)

# The variants replay no fuzz corpus in their make check: the fuzz gate
# replays every harness's seeds, merged corpus and stored regressions
# under ASan+UBSan before it fuzzes, and the three widest harnesses' under
# MSan (fuzz/run.sh), and Valgrind runs the test programs, not what a
# script starts (make fuzz-regress FUZZ_VALGRIND=1 replays under it).

VALGRIND := valgrind -q --error-exitcode=1 --leak-check=full --show-leak-kinds=definite,indirect \
            --errors-for-leak-kinds=definite,indirect --track-origins=yes \
            --suppressions=$(SAN_DIR)/valgrind.supp

.PHONY: check-asan check-ubsan check-asan-ubsan check-msan check-valgrind analyze release-gate hardened
check-asan:
	@scripts/need.sh clang clang-19
	$(SAN_ENV) $(MAKE) --no-print-directory BUILD=build/asan CC=$(SAN_CC) FORTIFY= \
		FUZZ_REGRESS= \
		EXTRA_CFLAGS="$(ASAN_FLAGS)" EXTRA_LDFLAGS="$(ASAN_FLAGS)" check

check-ubsan:
	@scripts/need.sh clang clang-19
	$(SAN_ENV) $(MAKE) --no-print-directory BUILD=build/ubsan CC=$(SAN_CC) FUZZ_REGRESS= \
		EXTRA_CFLAGS="$(UBSAN_FLAGS)" EXTRA_CORE_CFLAGS="$(UBSAN_CORE_FLAGS)" \
		EXTRA_LDFLAGS="$(UBSAN_FLAGS)" check

# Both in one build: the release gate's run (each alone above, for a
# report that names one checker).
check-asan-ubsan:
	@scripts/need.sh clang clang-19
	$(SAN_ENV) $(MAKE) --no-print-directory BUILD=build/asan-ubsan CC=$(SAN_CC) FORTIFY= \
		FUZZ_REGRESS= \
		EXTRA_CFLAGS="$(ASAN_FLAGS) $(UBSAN_FLAGS)" EXTRA_CORE_CFLAGS="$(UBSAN_CORE_FLAGS)" \
		EXTRA_LDFLAGS="$(ASAN_FLAGS) $(UBSAN_FLAGS)" check

check-msan:
	@scripts/need.sh clang clang-19
	$(SAN_ENV) $(MAKE) --no-print-directory BUILD=build/msan CC=$(SAN_CC) FORTIFY= \
		FUZZ_REGRESS= \
		EXTRA_CFLAGS="$(MSAN_FLAGS)" EXTRA_LDFLAGS="$(MSAN_FLAGS)" check

check-valgrind:
	@scripts/need.sh test valgrind
	TEST_WRAPPER="$(VALGRIND)" $(MAKE) --no-print-directory BUILD=build/valgrind OPT=-O1 FUZZ_REGRESS= check

# The default hardened build must be warning-free under every compiler we name.
hardened:
	@scripts/need.sh clang clang-19 clang-14
	@set -e; for c in gcc clang-14 clang-19; do \
		$(MAKE) --no-print-directory -s BUILD=build/hardened-$$c CC=$$c lib; \
		echo "hardened build with $$c: ok"; \
	done

# ---- Static analysis: zero findings, or each justified inline ------------
ANALYZE_SRC := $(CORE_SRC)
# gcc's analyzer follows each function into its callers' contexts but
# not into a second activation of a recursive descent: with the default
# depth it spent 50-120 s per engine re-entering the table descents and
# gave up on hundreds of program points there anyway (-Wanalyzer-too-complex);
# at depth 0 all seventeen sources take about 35 s on 2 cores.
FANALYZER := -fanalyzer --param=analyzer-max-recursion-depth=0
analyze:
	@scripts/need.sh analyze cppcheck clang-tidy-19
	@echo "== gcc -fanalyzer"
	@printf '%s\n' $(ANALYZE_SRC) | xargs -P2 -I{} gcc -std=c11 -O1 $(WARN) -ffreestanding \
		-fno-builtin -Iinclude $(FANALYZER) -Werror -c {} -o /dev/null
	@echo "== clang-tidy (clang-analyzer-*, bugprone-*)"
	@printf '%s\n' $(ANALYZE_SRC) | xargs -P2 -I{} sh -c 'out=$$(clang-tidy-19 --quiet \
		--warnings-as-errors="*" \
		--checks="-*,clang-analyzer-*,bugprone-*,-bugprone-easily-swappable-parameters,-bugprone-assignment-in-if-condition" \
		{} -- -std=c11 -ffreestanding -Iinclude 2>&1); st=$$?; \
		printf "%s\n" "$$out" | grep -v -e "warnings generated" || true; exit $$st'
	@echo "== cppcheck"
	@cppcheck -j2 --quiet --error-exitcode=1 --enable=warning,portability,performance \
		--std=c11 --inline-suppr -Iinclude -Isrc src/ arch/
	@echo "analyze: no findings"

release-gate:
	@$(SAN_DIR)/release-gate.sh

# Each variant shown to catch a planted bug of its kind (scratch copies).
.PHONY: sanitizer-plants
sanitizer-plants:
	@$(SAN_DIR)/plants.sh
