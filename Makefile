# libpt: every build, test, fuzz, bench and gate target.
# `make help` lists them. Builds go to build/ (build/<variant>/ for variants).

PREFIX  ?= /usr/local
CC      ?= gcc
BUILD   ?= build
VERSION := 0.1.0

# The core (src/, arch/) is freestanding: no libc, no builtins turned into
# library calls, no global mutable state.
WARN        := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wvla -Wformat=2 \
               -Wmissing-prototypes -Wpointer-arith -Wcast-qual -Wconversion
# Variant builds (sanitizers/sanitizers.mk) add EXTRA_CFLAGS to everything,
# EXTRA_CORE_CFLAGS to the core only, and EXTRA_LDFLAGS to every link.
OPT         ?= -O2
CORE_CFLAGS := -std=c11 $(OPT) -g $(WARN) -ffreestanding -fno-builtin -fPIC -fvisibility=hidden \
               -fno-strict-aliasing -fstack-protector-strong -Iinclude \
               $(EXTRA_CFLAGS) $(EXTRA_CORE_CFLAGS)
# Host code (tests, fuzzers, benchmarks, tools) keeps the core's warnings but
# -Wconversion and -Wcast-qual, which only add casts to test scaffolding.
HOST_WARN   := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wvla -Wformat=2
FORTIFY     ?= -D_FORTIFY_SOURCE=2
HOST_CFLAGS := -std=c11 $(OPT) -g $(HOST_WARN) -D_DEFAULT_SOURCE $(FORTIFY) \
               -fstack-protector-strong -Iinclude -Itests $(EXTRA_CFLAGS)
LDFLAGS     += $(EXTRA_LDFLAGS)

CORE_SRC := $(wildcard src/*.c)
CORE_HDR := include/pt.h $(wildcard include/pt/*.h) $(wildcard src/*.h) $(wildcard arch/*.h)
CORE_OBJ := $(patsubst src/%.c,$(BUILD)/obj/%.o,$(CORE_SRC))

.PHONY: all lib clean install check help freestanding deps
all: lib
lib: $(BUILD)/libpt.a $(BUILD)/libpt.so

$(BUILD)/obj/%.o: src/%.c $(CORE_HDR)
	@mkdir -p $(@D)
	$(CC) $(CORE_CFLAGS) -c $< -o $@

$(BUILD)/libpt.a: $(CORE_OBJ)
	rm -f $@
	ar rcs $@ $^

$(BUILD)/libpt.so: $(CORE_OBJ)
	$(CC) -shared -Wl,-soname,libpt.so.0 $(EXTRA_CFLAGS) $(LDFLAGS) -o $@ $^

# ---- Freestanding cross builds of the core (clang-19) ---------------------
# Every core source for every target, compiled in parallel (one rule per
# object), then one relocatable link per target that must leave no symbol
# undefined: the core calls nothing outside itself.
FS_TARGETS := x86_64 aarch64 riscv64 loongarch64
FS_OBJ := $(foreach t,$(FS_TARGETS),$(patsubst src/%.c,$(BUILD)/freestanding/$(t)/%.o,$(CORE_SRC)))
define FS_RULES
$(BUILD)/freestanding/$(1)/%.o: src/%.c $(CORE_HDR)
	@mkdir -p $$(@D)
	clang-19 --target=$(1)-unknown-none-elf -std=c11 -O2 $(WARN) -ffreestanding \
		-nostdlib -fno-builtin -Iinclude -c $$< -o $$@
endef
$(foreach t,$(FS_TARGETS),$(eval $(call FS_RULES,$(t))))
freestanding:
	@scripts/need.sh clang-19 clang || true
	@$(MAKE) --no-print-directory $(FS_OBJ)
	@set -e; for t in $(FS_TARGETS); do \
		d=$(BUILD)/freestanding/$$t; \
		ld.lld-19 -r -o $$d/libpt.o $(patsubst src/%.c,$$d/%.o,$(CORE_SRC)); \
		undef=$$(llvm-nm-19 -u $$d/libpt.o | tr '\n' ' '); \
		arch=$$(file -b $$d/libpt.o | cut -d, -f2); \
		size=$$(llvm-size-19 $$d/libpt.o | awk 'NR==2{print $$1+$$2+$$3}'); \
		if [ -n "$$undef" ]; then echo "freestanding $$t: FAIL undefined: $$undef"; exit 1; fi; \
		echo "freestanding $$t: ok ($$arch, $$size bytes, no undefined symbols)"; \
	done

# ---- Install ------------------------------------------------------------
install: lib
	install -d $(DESTDIR)$(PREFIX)/include/pt $(DESTDIR)$(PREFIX)/lib/pkgconfig
	install -m 644 include/pt.h $(DESTDIR)$(PREFIX)/include/pt.h
	install -m 644 include/pt/*.h $(DESTDIR)$(PREFIX)/include/pt/
	install -m 644 $(BUILD)/libpt.a $(DESTDIR)$(PREFIX)/lib/libpt.a
	install -m 755 $(BUILD)/libpt.so $(DESTDIR)$(PREFIX)/lib/libpt.so.$(VERSION)
	ln -sf libpt.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/libpt.so.0
	ln -sf libpt.so.0 $(DESTDIR)$(PREFIX)/lib/libpt.so
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(VERSION)|' libpt.pc.in \
		> $(DESTDIR)$(PREFIX)/lib/pkgconfig/libpt.pc
	$(MAKE) --no-print-directory install-extra

.PHONY: install-extra
install-extra::

deps:
	scripts/deps.sh build test

clean:
	rm -rf $(BUILD)

help:
	@echo "make [lib]             build/libpt.a and build/libpt.so"
	@echo "make check             build and run the tests (ends with 'N passed, N failed')"
	@echo "make bench             the benchmark suite (main job); bench-compare, bench-icount, bench-report"
	@echo "make freestanding      prove the core builds bare-metal for $(FS_TARGETS)"
	@echo "make check-asan|check-ubsan|check-msan|check-valgrind   the suite under each checker"
	@echo "make analyze           gcc -fanalyzer, clang-tidy, cppcheck"
	@echo "make sanitizer-plants  show each sanitizer catching a planted bug"
	@echo "make fake-plants       show the fake format catching raw-entry assumptions in src/"
	@echo "make defer-plants      show test_defer and test_atomic catching deferred-free bugs in src/"
	@echo "make fuzz-help         the fuzzing targets (libFuzzer, MSan, AFL++, OSS-Fuzz, coverage, mutants)"
	@echo "make qemu-check        libpt's tables on QEMU's MMU for every format"
	@echo "make at-oracle         random foreign AArch64 tables: the CPU's AT answers vs libpt; at-oracle-plants"
	@echo "make qemu-rvh          pt_access_nested vs the RISC-V H extension (HLV and VS/VU accesses); qemu-rvh-plants"
	@echo "make qemu-napot        RISC-V Svnapot runs on QEMU's MMU (the RISC-V guest alone); qemu-napot-plants"
	@echo "make qemu-gran         AArch64 4K/16K/64K granules at chosen VA sizes: AT and real accesses vs libpt; qemu-gran-plants"
	@echo "make qemu-s2           AArch64 stage 2 at EL2: real EL1 accesses and AT S12E* vs pt_access_nested; qemu-s2-plants"
	@echo "make ptdump            tools/ptdump; ptdump-asan, ptdump-fuzz"
	@echo "make linux-check       Debian's own kernels' tables under QEMU, decoded by libpt, against QEMU's answers"
	@echo "make release-gate      everything a release must pass, with a summary table"
	@echo "make install PREFIX=/usr/local"
	@echo "make clean"

# Subsystems add their own targets. Test programs join `make check` by
# adding themselves to CHECK_BINS; each speaks the protocol in tests/run.sh.
CHECK_BINS :=

-include tests/tests.mk
-include sanitizers/sanitizers.mk
-include fuzz/fuzz.mk
-include bench/bench.mk
-include tests/qemu/qemu.mk
-include tests/qemu/at/at.mk
-include tests/qemu/rvh/rvh.mk
-include tests/qemu/s2/s2.mk
-include tools/tools.mk
-include tests/linux/linux.mk

check: lib $(CHECK_BINS)
	@scripts/need.sh test valgrind
	@tests/run.sh $(CHECK_BINS)
