# Fuzzing: libFuzzer (ASan+UBSan), MSan, AFL++ (+CmpLog), a plain replayer
# and a coverage build, all from the same harness sources. Included by the
# top-level Makefile. `make fuzz-help` lists the targets.

FUZZ_CC      ?= clang-19
FUZZ_SECONDS ?= 60
FUZZ_JOBS    ?= 2
FZ           := $(BUILD)/fuzz

# Format variants of fuzz_ops (name:arch:features:va_bits), from fuzz/variants.txt.
FUZZ_OPS_VARIANTS := $(shell awk '!/^\#/ && (NF == 3 || NF == 4) { print $$1 ":" $$2 ":" $$3 ":" (NF == 4 ? $$4 : 0) }' fuzz/variants.txt)

# The reference MMU (fuzz_translate's, and the per-entry oracle of fuzz_ops
# and fuzz_pte).
FZ_REF_SRC := fuzz/ref_walk.h fuzz/ref_x86.h fuzz/ref_arm.h fuzz/ref_ept.h fuzz/ref_rv_la.h \
	fuzz/ref_entry.h

# fuzz_ops is one translation unit: fuzz_ops.c includes each ops_*.h once.
FZ_OPS_SRC := fuzz/fuzz_ops.c fuzz/ops_model.h fuzz/ops_gen.h fuzz/ops_check.h \
	fuzz/ops_verify.h fuzz/ops_map.h fuzz/ops_region.h fuzz/ops_walk.h fuzz/ops_state.h \
	fuzz/ops_ref.h $(FZ_REF_SRC) \
	fuzz/fuzz_common.h fuzz/sancov-ignore.txt include/pt.h $(wildcard include/pt/*.h) tests/arena.h

fz_name = $(word 1,$(subst :, ,$(1)))
fz_arch = $(word 2,$(subst :, ,$(1)))
fz_feat = $(word 3,$(subst :, ,$(1)))
fz_bits = $(word 4,$(subst :, ,$(1)))

FUZZ_OPS     := $(foreach v,$(FUZZ_OPS_VARIANTS),fuzz_ops_$(call fz_name,$(v)))
FUZZ_HARNESS := $(FUZZ_OPS) fuzz_pte fuzz_translate

# Per engine: compiler, flags for the library and harness, link flags, and
# the object providing main (libFuzzer's own, or fuzz/replay.c).
FZ_COMMON := -std=c11 -g -Iinclude -Itests -Ifuzz -D_DEFAULT_SOURCE \
	-Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wvla -Wformat=2
FZ_CORE_EXTRA := -ffreestanding -fno-builtin -fno-strict-aliasing

FZ_lf_CC      = $(FUZZ_CC)
FZ_lf_CFLAGS  = -O1 -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined \
	-fno-sanitize-recover=undefined -fsanitize-coverage-ignorelist=fuzz/sancov-ignore.txt
FZ_lf_LDFLAGS = -fsanitize=fuzzer,address,undefined
FZ_lf_MAIN    =
# The harnesses' own comparisons are not traced for libFuzzer (their edges
# still count): the model and the reference MMU compare every entry they
# check, which cost more than half of each execution in the comparison
# hooks, and what they compare with is libpt's answer, whose comparisons
# are traced.
FZ_lf_HARNESS = -fno-sanitize-coverage=trace-cmp

FZ_msan_CC      = $(FUZZ_CC)
FZ_msan_CFLAGS  = -O1 -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,memory \
	-fsanitize-memory-track-origins
FZ_msan_LDFLAGS = -fsanitize=fuzzer,memory
FZ_msan_MAIN    =
FZ_msan_HARNESS = -fno-sanitize-coverage=trace-cmp

# AFL++: afl-cc is LLVM 14 whatever else is installed.
FZ_afl_CC      = AFL_USE_ASAN=1 AFL_USE_UBSAN=1 AFL_QUIET=1 afl-clang-fast
FZ_afl_CFLAGS  = -O1 -fsanitize=fuzzer-no-link
FZ_afl_LDFLAGS = -fsanitize=fuzzer
FZ_afl_MAIN    =

FZ_cmplog_CC      = AFL_LLVM_CMPLOG=1 AFL_QUIET=1 afl-clang-fast
FZ_cmplog_CFLAGS  = -O1 -fsanitize=fuzzer-no-link
FZ_cmplog_LDFLAGS = -fsanitize=fuzzer
FZ_cmplog_MAIN    =

# The replayer: the build's own compiler and its variant flags (none in the
# plain build: gcc, fit for valgrind; built in a sanitizer variant's BUILD,
# it runs under that sanitizer).
FZ_replay_CC      = $(CC)
FZ_replay_CFLAGS  = -O1 $(EXTRA_CFLAGS)
FZ_replay_LDFLAGS = $(EXTRA_LDFLAGS)
FZ_replay_MAIN    = $(FZ)/replay/obj/replay.o

FZ_cov_CC      = $(FUZZ_CC)
FZ_cov_CFLAGS  = -O1 -fprofile-instr-generate -fcoverage-mapping
FZ_cov_LDFLAGS = -fprofile-instr-generate
FZ_cov_MAIN    = $(FZ)/cov/obj/replay.o

FZ_ENGINES := lf msan afl cmplog replay cov

define FZ_ENGINE_RULES
$(FZ)/$(1)/core/%.o: src/%.c $(CORE_HDR) fuzz/sancov-ignore.txt
	@mkdir -p $$(@D)
	$$(FZ_$(1)_CC) $(FZ_COMMON) $(FZ_CORE_EXTRA) $$(FZ_$(1)_CFLAGS) -c $$< -o $$@
$(FZ)/$(1)/obj/arena.o: tests/arena.c tests/arena.h fuzz/sancov-ignore.txt include/pt.h $(wildcard include/pt/*.h)
	@mkdir -p $$(@D)
	$$(FZ_$(1)_CC) $(FZ_COMMON) $$(FZ_$(1)_CFLAGS) -c $$< -o $$@
$(FZ)/$(1)/obj/replay.o: fuzz/replay.c fuzz/fuzz_common.h
	@mkdir -p $$(@D)
	$$(FZ_$(1)_CC) $(FZ_COMMON) $$(FZ_$(1)_CFLAGS) -c $$< -o $$@
$(FZ)/$(1)/obj/fuzz_pte.o: fuzz/fuzz_pte.c fuzz/fuzz_common.h $(FZ_REF_SRC) include/pt.h $(wildcard include/pt/*.h)
	@mkdir -p $$(@D)
	$$(FZ_$(1)_CC) $(FZ_COMMON) $$(FZ_$(1)_CFLAGS) $$(FZ_$(1)_HARNESS) -c $$< -o $$@
$(FZ)/$(1)/obj/fuzz_translate.o: fuzz/fuzz_translate.c fuzz/fuzz_common.h $(FZ_REF_SRC) fuzz/ftr_fmt.h fuzz/ftr_nested.h include/pt.h $(wildcard include/pt/*.h) tests/arena.h
	@mkdir -p $$(@D)
	$$(FZ_$(1)_CC) $(FZ_COMMON) $$(FZ_$(1)_CFLAGS) $$(FZ_$(1)_HARNESS) -c $$< -o $$@
FZ_$(1)_LIB := $(patsubst src/%.c,$(FZ)/$(1)/core/%.o,$(CORE_SRC)) $(FZ)/$(1)/obj/arena.o
$(foreach h,$(FUZZ_HARNESS),$(FZ)/$(1)/$(h)): $(FZ)/$(1)/%: $(FZ)/$(1)/obj/%.o $$(FZ_$(1)_LIB) $$(FZ_$(1)_MAIN)
	$$(FZ_$(1)_CC) $$(FZ_$(1)_LDFLAGS) $$^ -o $$@
endef
$(foreach e,$(FZ_ENGINES),$(eval $(call FZ_ENGINE_RULES,$(e))))

define FZ_OPS_RULES
$(FZ)/$(1)/obj/fuzz_ops_$(call fz_name,$(2)).o: $(FZ_OPS_SRC)
	@mkdir -p $$(@D)
	$$(FZ_$(1)_CC) $(FZ_COMMON) $$(FZ_$(1)_CFLAGS) $$(FZ_$(1)_HARNESS) -DFUZZ_ARCH=$(call fz_arch,$(2)) \
		-DFUZZ_FEAT=$(call fz_feat,$(2)) -DFUZZ_VA_BITS=$(call fz_bits,$(2)) -c $$< -o $$@
endef
$(foreach e,$(FZ_ENGINES),$(foreach v,$(FUZZ_OPS_VARIANTS),$(eval $(call FZ_OPS_RULES,$(e),$(v)))))

fz_bins = $(foreach h,$(FUZZ_HARNESS),$(FZ)/$(1)/$(h))

.PHONY: fuzz fuzz-lf fuzz-msan fuzz-afl fuzz-replay fuzz-cov fuzz-need fuzz-afl-need
fuzz-need:
	@scripts/need.sh fuzz $(FUZZ_CC) llvm-profdata-19 llvm-cov-19 zip
fuzz-afl-need:
	@scripts/need.sh afl afl-clang-fast afl-fuzz
fuzz-lf: fuzz-need
	@$(MAKE) --no-print-directory $(call fz_bins,lf)
fuzz-msan: fuzz-need
	@$(MAKE) --no-print-directory $(call fz_bins,msan)
fuzz-afl: fuzz-afl-need
	@$(MAKE) --no-print-directory $(call fz_bins,afl) $(call fz_bins,cmplog)
fuzz-replay:
	@$(MAKE) --no-print-directory $(call fz_bins,replay)
fuzz-cov: fuzz-need
	@$(MAKE) --no-print-directory $(call fz_bins,cov)
# Everything: libFuzzer, MSan, AFL++, CmpLog, replayer, coverage.
fuzz: fuzz-lf fuzz-msan fuzz-afl fuzz-replay fuzz-cov

# ---- Running ----------------------------------------------------------------
AFL_SECONDS  ?= 60
AFL_HARNESS  ?= fuzz_ops_any fuzz_pte fuzz_translate
FUZZ_RUN     ?= $(FUZZ_HARNESS)

.PHONY: fuzz-run fuzz-run-msan afl-run fuzz-coverage fuzz-regress fuzz-help
# Every harness for FUZZ_SECONDS, FUZZ_JOBS at a time (ASan+UBSan).
fuzz-run: fuzz-lf
	fuzz/run.sh $(FZ)/lf $(FUZZ_SECONDS) $(FUZZ_JOBS) $(FUZZ_RUN)
# The same under MSan.
fuzz-run-msan: fuzz-msan
	fuzz/run.sh $(FZ)/msan $(FUZZ_SECONDS) $(FUZZ_JOBS) $(FUZZ_RUN)
afl-run: fuzz-afl
	fuzz/afl.sh $(AFL_SECONDS) $(AFL_HARNESS)
fuzz-coverage: fuzz-cov
	fuzz/coverage.sh
# Replay the regression and seed corpora through the gcc replayer
# (FUZZ_VALGRIND=1: under Valgrind).
fuzz-regress: fuzz-replay
	@if [ "$(FUZZ_VALGRIND)" = 1 ]; then scripts/need.sh test valgrind; fi
	fuzz/regress.sh

# make check replays the corpora of FUZZ_REGRESS (tests/run.sh protocol):
# every harness in the plain build, none in the sanitizer and Valgrind
# variants (sanitizers/sanitizers.mk says why).
FUZZ_REGRESS ?= $(FUZZ_HARNESS)
ifneq ($(strip $(FUZZ_REGRESS)),)
$(FZ)/fuzz-regress: fuzz/regress.sh $(foreach h,$(FUZZ_REGRESS),$(FZ)/replay/$(h))
	@mkdir -p $(@D)
	printf '#!/bin/sh\nexec "%s/fuzz/regress.sh" "%s/$(FZ)/replay" $(FUZZ_REGRESS)\n' "$(CURDIR)" "$(CURDIR)" >$@
	chmod +x $@
CHECK_BINS += $(FZ)/fuzz-regress
endif

fuzz-help:
	@echo "make fuzz                     build every harness: libFuzzer ASan+UBSan, MSan, AFL++ (+CmpLog), replayer, coverage"
	@echo "make fuzz-run FUZZ_SECONDS=60 run every harness (FUZZ_JOBS at a time; FUZZ_RUN=... to pick)"
	@echo "make fuzz-run-msan            the same under MSan"
	@echo "make afl-run AFL_SECONDS=60   AFL++ -M (CmpLog) + -S on AFL_HARNESS"
	@echo "make fuzz-coverage            llvm-cov line+branch coverage of src/ arch/ from the corpora"
	@echo "make fuzz-regress             replay corpus/ through the gcc replayer (FUZZ_VALGRIND=1)"
	@echo "make fuzz-mutants             planted bugs: does the fuzzing catch each within 60 s"
	@echo "make oss-fuzz-check           run fuzz/oss-fuzz/build.sh as OSS-Fuzz would, check outputs"

# Refresh corpus/merged/<h>: a set-cover merge of the seeds and the working
# corpora of the last fuzz-run (what make check and fuzz-coverage replay).
FUZZ_MERGE ?= fuzz_ops_any fuzz_pte fuzz_translate
.PHONY: fuzz-merge
fuzz-merge: fuzz-lf
	@set -e; for h in $(FUZZ_MERGE); do \
		rm -rf $(FZ)/merge-tmp; mkdir -p $(FZ)/merge-tmp corpus/merged/$$h; \
		$(FZ)/lf/$$h -set_cover_merge=1 $(FZ)/merge-tmp corpus/merged/$$h corpus/$$h \
			$$(ls -d $(FZ)/work/$$h 2>/dev/null) >/dev/null 2>&1; \
		rm -rf corpus/merged/$$h; mv $(FZ)/merge-tmp corpus/merged/$$h; \
		echo "corpus/merged/$$h: $$(ls corpus/merged/$$h | wc -l) inputs"; \
	done

# ---- OSS-Fuzz / ClusterFuzzLite ------------------------------------------
.PHONY: oss-fuzz-check
oss-fuzz-check: fuzz-need
	fuzz/oss-fuzz/check.sh

# ---- Proving the oracles --------------------------------------------------
MUTANT_SECONDS ?= 60
.PHONY: fuzz-mutants
fuzz-mutants: fuzz-lf
	fuzz/mutants.py --budget $(MUTANT_SECONDS)

# ---- Release gate -------------------------------------------------------------
# Every harness over its corpus and then fuzzing for GATE_FUZZ_SECONDS under
# ASan+UBSan, the three widest under MSan; crashes from earlier runs on this
# machine are cleared first so the verdict is this run's.
GATE_FUZZ_SECONDS ?= 10
GATE_MSAN_HARNESS ?= fuzz_ops_any fuzz_pte fuzz_translate
.PHONY: fuzz-gate
fuzz-gate: fuzz-lf fuzz-regress fuzz-need
	@$(MAKE) --no-print-directory $(foreach h,$(GATE_MSAN_HARNESS),$(FZ)/msan/$(h))
	rm -rf build/fuzz/crashes
	fuzz/run.sh $(FZ)/lf $(GATE_FUZZ_SECONDS) $(FUZZ_JOBS) $(FUZZ_HARNESS)
	fuzz/run.sh $(FZ)/msan $(GATE_FUZZ_SECONDS) $(FUZZ_JOBS) $(GATE_MSAN_HARNESS)
