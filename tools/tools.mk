# tools/: ptdump, a page-table dumper for raw memory images (issues 8, 19):
# ptdump_core.c (image, regime, walker), ptdump_attrs.c (raw attribute names,
# regime options), ptdump_print.c, ptdump_lint.c, ptdump_diff.c, ptdump_cli.c.
#   make ptdump          build/ptdump
#   make ptdump-asan     the ptdump tests under ASan+UBSan, and run them
#   make ptdump-fuzz     libFuzzer harness over the image walker; run it with
#                        PTDUMP_FUZZ_TIME seconds (default 60)
# `make check` runs build/tools/test_ptdump and test_ptdump_live_asan (the
# live-image group under ASan+UBSan); `build/tools/test_ptdump --samples DIR`
# writes the images the README and the man page show; `make install`
# installs bin/ptdump and share/man/man1/ptdump.1.

PTDUMP_SRC := tools/ptdump_core.c tools/ptdump_attrs.c tools/ptdump_print.c tools/ptdump_lint.c \
	tools/ptdump_diff.c tools/ptdump_cli.c
PTDUMP_HDR := tools/ptdump_core.h include/pt.h $(wildcard include/pt/*.h)
# The test program: one file per group of tests, sharing tools/test_ptdump.h.
PTDUMP_TEST_SRC := tools/test_ptdump.c tools/test_ptdump_oracle.c tools/test_ptdump_roundtrip.c \
	tools/test_ptdump_hostile.c tools/test_ptdump_cli.c tools/test_ptdump_regime.c \
	tools/test_ptdump_live.c
PTDUMP_TEST_DEPS := $(PTDUMP_TEST_SRC) tools/test_ptdump.h tests/arena.c tests/arena.h \
	$(PTDUMP_SRC) $(PTDUMP_HDR)

.PHONY: ptdump ptdump-asan ptdump-fuzz
ptdump: $(BUILD)/ptdump

PTDUMP_OBJ := $(patsubst tools/%.c,$(BUILD)/tools/%.o,$(PTDUMP_SRC))
$(BUILD)/tools/ptdump_%.o: tools/ptdump_%.c $(PTDUMP_HDR)
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -Itools -c $< -o $@

$(BUILD)/ptdump: tools/ptdump.c $(PTDUMP_OBJ) $(BUILD)/libpt.a
	$(CC) $(HOST_CFLAGS) -Itools tools/ptdump.c $(PTDUMP_OBJ) $(BUILD)/libpt.a -o $@

# The test links the core in-process (ptd_main with memory streams) and also
# runs the built binary once per exit code, so both paths are covered.
$(BUILD)/tools/test_ptdump: $(PTDUMP_TEST_DEPS) $(BUILD)/libpt.a $(BUILD)/ptdump
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -Itools -DPTDUMP_BIN='"$(BUILD)/ptdump"' $(PTDUMP_TEST_SRC) \
		$(PTDUMP_SRC) tests/arena.c $(BUILD)/libpt.a -pthread -o $@

CHECK_BINS += $(BUILD)/tools/test_ptdump

# The live-image group again with ASan+UBSan on the tools' code (libpt.a as
# built: its reads of the image go through the guarded mapping). Cheap, so
# `make check` runs it; not in the sanitizer or Valgrind variants, which
# instrument everything already (and cannot mix with ASan).
PTDUMP_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
$(BUILD)/tools/test_ptdump_live_asan: $(PTDUMP_TEST_DEPS) $(BUILD)/libpt.a
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) $(PTDUMP_SAN) -Itools -DPTDUMP_LIVE_ONLY $(PTDUMP_TEST_SRC) \
		$(PTDUMP_SRC) tests/arena.c $(BUILD)/libpt.a -pthread -o $@
ifeq ($(TEST_WRAPPER)$(findstring sanitize,$(EXTRA_CFLAGS)),)
CHECK_BINS += $(BUILD)/tools/test_ptdump_live_asan
endif

# ASan+UBSan: the library sources are compiled into the test with the
# sanitizers so an out-of-bounds read anywhere on the image path is caught.
$(BUILD)/asan/ptdump: tools/ptdump.c $(PTDUMP_SRC) $(PTDUMP_HDR) $(CORE_SRC) $(CORE_HDR)
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) $(PTDUMP_SAN) -Itools tools/ptdump.c $(PTDUMP_SRC) $(CORE_SRC) -o $@

$(BUILD)/asan/test_ptdump: $(PTDUMP_TEST_DEPS) $(CORE_SRC) $(CORE_HDR) $(BUILD)/asan/ptdump
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) $(PTDUMP_SAN) -Itools -DPTDUMP_BIN='"$(BUILD)/asan/ptdump"' \
		$(PTDUMP_TEST_SRC) $(PTDUMP_SRC) tests/arena.c $(CORE_SRC) -pthread -o $@

ptdump-asan: $(BUILD)/asan/test_ptdump
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
		tests/run.sh $(BUILD)/asan/test_ptdump

PTDUMP_FUZZ_TIME ?= 60
$(BUILD)/fuzz/fuzz_ptdump: tools/fuzz_ptdump.c $(PTDUMP_SRC) $(PTDUMP_HDR) $(CORE_SRC) $(CORE_HDR)
	@scripts/need.sh fuzz clang-19
	@mkdir -p $(@D)
	clang-19 -std=c11 -g -O1 $(HOST_WARN) -D_DEFAULT_SOURCE -Iinclude -Itools \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		tools/fuzz_ptdump.c $(PTDUMP_SRC) $(CORE_SRC) -o $@

# Seeds are images libpt built itself, written by the test program.
ptdump-fuzz: $(BUILD)/fuzz/fuzz_ptdump $(BUILD)/tools/test_ptdump
	@mkdir -p $(BUILD)/fuzz/corpus_ptdump
	$(BUILD)/tools/test_ptdump --seeds $(BUILD)/fuzz/corpus_ptdump
	$(BUILD)/fuzz/fuzz_ptdump -max_total_time=$(PTDUMP_FUZZ_TIME) -max_len=65536 \
		-print_final_stats=1 $(BUILD)/fuzz/corpus_ptdump

install-extra:: $(BUILD)/ptdump
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 $(BUILD)/ptdump $(DESTDIR)$(PREFIX)/bin/ptdump
	install -m 644 tools/ptdump.1 $(DESTDIR)$(PREFIX)/share/man/man1/ptdump.1
