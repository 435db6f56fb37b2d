# Hardware conformance on QEMU's MMU: one bare-metal guest per architecture
# links the freestanding core and checks libpt's tables with real accesses
# (tests/qemu/common.c says what, and which file holds each group;
# tests/qemu/<arch>/arch.c says which privilege modes each architecture
# probes and what it cannot check).
#   make qemu-check    build and run every guest (tests/run.sh protocol,
#                      one "[group] qemu <format>" line per format, and one
#                      per extra check: <format>/state, <format>/asid,
#                      <format>/defer, <format>/access)
#   make qemu-mutants  rebuild with a sabotaged test and require failures
# Formats: riscv-sv39/sv48/sv57/sv48-svpbmt/sv39-svnapot/sv48-svnapot
# (the last with Svpbmt too), aarch64, aarch64-high, aarch64-el2,
# aarch64-max, x86_64, x86_64-la57, armv7, loongarch64.
# <format>/state: access state (accessed, dirty) set by the MMU or by the
# trap handler's pt_set_state, read back with pt_query; every format with
# accessed and dirty bits (not ARMv7). <format>/asid: two address spaces
# switched by ASID with no TLB flush (AArch64 EL1, ARMv7). <format>/defer:
# table frames detached by pt_unmap_region reach free_frames only after a
# full TLB flush on the CPU (at pt_flush, or inside a call that detached
# more than PT_FREE_MAX), are never written once detached or freed, and the
# MMU translates the rest and tables rebuilt in the reused frames; every
# format. <format>/access: pt_access's verdict (allowed, or the fault and
# its level) against real accesses on tables perturbed with raw writes, in
# every privilege mode and run-time control setting the guest can switch;
# every format. <format>/napot: RISC-V Svnapot, NAPOT runs written by
# pt_map_region, edited live and written by hand, against real accesses
# (tests/qemu/riscv/napot.c says what QEMU 7.2 cannot check); the formats
# with PT_FEAT_RISCV_SVNAPOT.
#   make qemu-napot         the RISC-V guest alone
#   make qemu-napot-plants  bugs planted in scratch copies of the library,
#                           each caught by the napot group

QEMU_DIR ?= $(BUILD)/qemu
QEMU_EXTRA ?=
# Guests are freestanding: no stack protector (no __stack_chk_guard), no
# PIC (fixed load address), no builtins turned into libc calls.
QEMU_CFLAGS := -std=c11 -O2 -g -ffreestanding -nostdlib -fno-builtin -fno-stack-protector \
	-fno-pic -Iinclude -Itests/qemu $(QEMU_EXTRA)
QEMU_TIMEOUT := 30
# The architecture-independent test, tests/qemu/<name>.c, linked into every
# guest.
QEMU_COMMON := common map state asid defer access

# Per architecture: clang target flags, QEMU command (image appended), the
# exit status QEMU gives when the guest reports success, formats it tests;
# QEMU_<guest>_MORE: sources of its own beside arch.c in its directory.
QEMU_riscv_CC := --target=riscv64-unknown-none-elf -march=rv64imac -mabi=lp64 \
	-mcmodel=medany -mno-relax
QEMU_riscv_RUN := qemu-system-riscv64 -M virt -cpu rv64,svpbmt=on,svnapot=true -m 128M \
	-bios none -nographic -monitor none -kernel
QEMU_riscv_PASS := 0
QEMU_riscv_FMTS := $(foreach f,riscv-sv39 riscv-sv48 riscv-sv57 riscv-sv48-svpbmt \
	riscv-sv39-svnapot riscv-sv48-svnapot,$(f) $(f)/state $(f)/defer $(f)/access) \
	riscv-sv39-svnapot/napot riscv-sv48-svnapot/napot
QEMU_riscv_MORE := napot napot_live napot_foreign

QEMU_aarch64_CC := --target=aarch64-unknown-none-elf -mgeneral-regs-only -mstrict-align
QEMU_aarch64_RUN := qemu-system-aarch64 -M virt -cpu cortex-a57 -m 128M -nographic \
	-monitor none -semihosting -kernel
QEMU_aarch64_PASS := 0
QEMU_aarch64_FMTS := aarch64 aarch64/state aarch64/asid aarch64/defer aarch64/access \
	aarch64-high aarch64-high/state aarch64-high/defer aarch64-high/access

QEMU_x86_CC := --target=x86_64-unknown-none-elf -mgeneral-regs-only -mno-red-zone
QEMU_x86_CPU := qemu64,+la57,+pdpe1gb,+smep,+smap
QEMU_x86_RUN := qemu-system-x86_64 -cpu $(QEMU_x86_CPU) -m 128M -nographic -monitor none -nic none \
	-no-reboot -device isa-debug-exit,iobase=0xf4,iosize=0x04 -kernel
QEMU_x86_PASS := 1
QEMU_x86_FMTS := x86_64 x86_64/state x86_64/defer x86_64/access
QEMU_x86_IMG := guest.bin
# The same image, booted with 5-level paging.
QEMU_x86la57_GUEST := x86
QEMU_x86la57_RUN := $(QEMU_x86_RUN)
QEMU_x86la57_ARGS := -append la57
QEMU_x86la57_PASS := 1
QEMU_x86la57_FMTS := x86_64-la57 x86_64-la57/state x86_64-la57/defer \
	x86_64-la57/access

# The AArch64 sources again, run at EL2 on a PT_FEAT_AARCH64_EL2 table.
QEMU_aarch64el2_SRC := aarch64
QEMU_aarch64el2_CC := $(QEMU_aarch64_CC) -DGUEST_EL2 -DPT_NATIVE_EL2
QEMU_aarch64el2_RUN := qemu-system-aarch64 -M virt,virtualization=on -cpu cortex-a57 -m 128M \
	-nographic -monitor none -semihosting -kernel
QEMU_aarch64el2_PASS := 0
QEMU_aarch64el2_FMTS := aarch64-el2 aarch64-el2/state aarch64-el2/defer aarch64-el2/access

# The AArch64 sources again on -cpu max, which has FEAT_HAFDBS, with
# TCR_EL1.HA and HD set (GUEST_HAFDBS): the MMU sets the access flag and
# dirties clean writable (DBM) pages itself. Same core objects as aarch64
# (the core's flags are the same).
QEMU_aarch64max_SRC := aarch64
QEMU_aarch64max_CORE := aarch64
QEMU_aarch64max_CC := $(QEMU_aarch64_CC) -DGUEST_HAFDBS
QEMU_aarch64max_RUN := qemu-system-aarch64 -M virt -cpu max -m 128M -nographic -monitor none \
	-semihosting -kernel
QEMU_aarch64max_PASS := 0
QEMU_aarch64max_FMTS := aarch64-max aarch64-max/state aarch64-max/asid aarch64-max/defer \
	aarch64-max/access

QEMU_armv7_CC := --target=armv7a-none-eabi -mcpu=cortex-a15 -marm -mfloat-abi=soft
QEMU_armv7_RUN := qemu-system-arm -M virt -cpu cortex-a15 -m 128M -nographic -monitor none \
	-semihosting -kernel
QEMU_armv7_PASS := 0
QEMU_armv7_FMTS := armv7 armv7/asid armv7/defer armv7/access

QEMU_loongarch_CC := --target=loongarch64-unknown-none-elf -mno-lsx -mno-lasx
QEMU_loongarch_RUN := qemu-system-loongarch64 -M virt -m 1G -nographic -monitor none -kernel
QEMU_loongarch_PASS := 0
QEMU_loongarch_FMTS := loongarch64 loongarch64/state loongarch64/defer \
	loongarch64/access

QEMU_GUESTS := riscv aarch64 aarch64el2 aarch64max x86 armv7 loongarch
QEMU_ARCHES := riscv aarch64 aarch64el2 aarch64max x86 x86la57 armv7 loongarch
QEMU_WRAPPERS := $(foreach a,$(QEMU_ARCHES),$(QEMU_DIR)/$(a).sh)

# Guest $(1) is built from tests/qemu/$(QEMU_<guest>_SRC) (default: its name)
# and the QEMU_COMMON files, compiled with its flags, and links the core
# objects of guest $(QEMU_<guest>_CORE) (default: its own, compiled with its
# flags).
define QEMU_GUEST_RULES
QEMU_$(1)_S := tests/qemu/$(or $(QEMU_$(1)_SRC),$(1))
QEMU_$(1)_K := $(QEMU_DIR)/$(or $(QEMU_$(1)_CORE),$(1))
QEMU_$(1)_O := $(foreach c,$(QEMU_COMMON),$(QEMU_DIR)/$(1)/$(c).o)
$$(QEMU_$(1)_O): $(QEMU_DIR)/$(1)/%.o: tests/qemu/%.c tests/qemu/common.h tests/qemu/guest.h \
		$(CORE_HDR) tests/qemu/qemu.mk
	@mkdir -p $(QEMU_DIR)/$(1)
	clang-19 $(QEMU_$(1)_CC) $(QEMU_CFLAGS) $(HOST_WARN) -c $$< -o $$@
ifeq ($(QEMU_$(1)_CORE),)
$(QEMU_DIR)/$(1)/core.stamp: $(CORE_SRC) $(CORE_HDR) tests/qemu/qemu.mk
	@mkdir -p $(QEMU_DIR)/$(1)
	@set -e; for f in $(CORE_SRC); do \
		clang-19 $(QEMU_$(1)_CC) $(QEMU_CFLAGS) $(WARN) -c $$$$f \
			-o $(QEMU_DIR)/$(1)/core-$$$$(basename $$$$f .c).o; done
	@touch $$@
endif
$(QEMU_DIR)/$(1)/guest.elf: $$(QEMU_$(1)_O) tests/qemu/guest.h $(wildcard tests/qemu/$(or $(QEMU_$(1)_SRC),$(1))/*) \
		$(QEMU_DIR)/$(or $(QEMU_$(1)_CORE),$(1))/core.stamp tests/qemu/qemu.mk
	@mkdir -p $(QEMU_DIR)/$(1)
	$(foreach m,arch $(QEMU_$(1)_MORE),clang-19 $(QEMU_$(1)_CC) $(QEMU_CFLAGS) $(HOST_WARN) \
		-c $$(QEMU_$(1)_S)/$(m).c -o $(QEMU_DIR)/$(1)/$(m).o &&) true
	clang-19 $(QEMU_$(1)_CC) $(QEMU_CFLAGS) -c $$(QEMU_$(1)_S)/start.S -o $(QEMU_DIR)/$(1)/start.o
	ld.lld-19 -nostdlib -static -T $$(QEMU_$(1)_S)/link.ld -o $$@ $(QEMU_DIR)/$(1)/start.o \
		$(foreach m,arch $(QEMU_$(1)_MORE),$(QEMU_DIR)/$(1)/$(m).o) $$(QEMU_$(1)_O) \
		$$(QEMU_$(1)_K)/core-*.o


$(QEMU_DIR)/$(1)/guest.bin: $(QEMU_DIR)/$(1)/guest.elf
	llvm-objcopy-19 -O binary $$< $$@
endef

# One wrapper per QEMU run: guest $(QEMU_<run>_GUEST) (default: the run's
# name), image $(QEMU_<guest>_IMG) (default guest.elf).
define QEMU_RUN_RULES
QEMU_$(1)_G := $(or $(QEMU_$(1)_GUEST),$(1))
$(QEMU_DIR)/$(1).sh: $(QEMU_DIR)/$$(QEMU_$(1)_G)/$$(or $$(QEMU_$$(QEMU_$(1)_G)_IMG),guest.elf)
	@printf '#!/bin/sh\nexec %s %s %s "%s" -- %s %s %s\n' "$(CURDIR)/tests/qemu/run.sh" \
		"$(QEMU_TIMEOUT)" "$(QEMU_$(1)_PASS)" "$(QEMU_$(1)_FMTS)" "$(QEMU_$(1)_RUN)" \
		"$(CURDIR)/$$<" "$(QEMU_$(1)_ARGS)" > $$@
	@chmod +x $$@
endef
$(foreach a,$(QEMU_GUESTS),$(eval $(call QEMU_GUEST_RULES,$(a))))
$(foreach a,$(QEMU_ARCHES),$(eval $(call QEMU_RUN_RULES,$(a))))

.PHONY: qemu-check qemu-guests
qemu-guests: $(QEMU_WRAPPERS)

# Tools first (a fresh CI machine has none), then the guests, then the
# tests/run.sh protocol over one wrapper script per architecture.
qemu-check:
	@scripts/need.sh qemu qemu-system-riscv64 qemu-system-aarch64 qemu-system-x86_64 \
		qemu-system-arm qemu-system-loongarch64 clang-19 ld.lld-19 llvm-objcopy-19
	@$(MAKE) --no-print-directory qemu-guests
	@tests/run.sh $(QEMU_WRAPPERS)

# The checks must be able to fail: rebuild the guests with a sabotaged test
# (QEMU_MUTATE in tests/qemu/*.c and tests/qemu/aarch64/arch.c) and
# require every run the sabotage reaches to report failures:
#   1 no TLB flush after edits, 2 the shadow forgets WRITE, 3 the shadow's
#     PAs are off by 4K: every run;
#   4 the trap handler's access-state fix skips pt_set_state: runs where the
#     OS keeps the state (Cortex-A57 at EL1 and EL2, LoongArch);
#   5 no TLB flush after pt_clear_state: every run with a state check;
#   6 the ASID switch keeps ASID 1: runs with an ASID check;
#   7 -cpu max without TCR_EL1.HA/HD: the MMU leaves the state to the OS;
#   8 the defer table's flush hook counts a full flush it does not make,
#   9 the defer table has no flush_tlb hook (libpt frees frames as it
#     detaches them): every run;
#  10 the access group asks pt_access with the perturbed table (non-leaf)
#     entries put back, i.e. its expectation ignores upper-level bits,
#  12 ... and asks for a write as a read: every run;
#  11 ... and reads the controls once, in the first mode: runs that toggle
#     controls at run time (x86 WP/AC/SMEP/SMAP, RISC-V SUM/MXR, PAN and
#     HPD on -cpu max, ARMv7 AFE);
#  13 the napot group drops libpt's recorded flushes after its edits of
#     runs (tests/qemu/riscv/napot.c): RISC-V.
QEMU_MUTANTS := 1 2 3 4 5 6 7 8 9 10 11 12 13
QEMU_MUTANT_1 := $(QEMU_ARCHES)
QEMU_MUTANT_2 := $(QEMU_ARCHES)
QEMU_MUTANT_3 := $(QEMU_ARCHES)
QEMU_MUTANT_4 := aarch64 aarch64el2 loongarch
QEMU_MUTANT_5 := riscv aarch64 aarch64el2 aarch64max x86 x86la57 loongarch
QEMU_MUTANT_6 := aarch64 aarch64max armv7
QEMU_MUTANT_7 := aarch64max
QEMU_MUTANT_8 := $(QEMU_ARCHES)
QEMU_MUTANT_9 := $(QEMU_ARCHES)
QEMU_MUTANT_10 := $(QEMU_ARCHES)
QEMU_MUTANT_11 := riscv aarch64max x86 x86la57 armv7
QEMU_MUTANT_12 := $(QEMU_ARCHES)
QEMU_MUTANT_13 := riscv
.PHONY: qemu-mutants
qemu-mutants:
	@scripts/need.sh qemu qemu-system-riscv64 qemu-system-aarch64 qemu-system-x86_64 \
		qemu-system-arm qemu-system-loongarch64 clang-19 ld.lld-19 llvm-objcopy-19
	@set -e; $(foreach m,$(QEMU_MUTANTS), \
		d=$(BUILD)/qemu-mutant$(m); \
		$(MAKE) --no-print-directory -s QEMU_DIR=$$d QEMU_EXTRA=-DQEMU_MUTATE=$(m) \
			$(foreach a,$(QEMU_MUTANT_$(m)),$$d/$(a).sh) >/dev/null; \
		for a in $(QEMU_MUTANT_$(m)); do \
			if $$d/$$a.sh > $$d/$$a.log 2>&1; then \
				echo "qemu-mutants: mutant $(m) NOT detected on $$a"; exit 1; fi; \
			echo "qemu-mutants: mutant $(m) on $$a: $$(grep -c FAIL $$d/$$a.log) failures shown"; \
		done;)

# The RISC-V guest alone (its formats, Svnapot's among them), and bugs
# planted in libpt's Svnapot code (tests/qemu/riscv/napot_plants.sh; scratch
# copies of the tree, NAPOT_PLANTS=regex picks plants by name), each of
# which the <format>/napot group must catch.
.PHONY: qemu-napot qemu-napot-plants
qemu-napot:
	@scripts/need.sh qemu qemu-system-riscv64 clang-19 ld.lld-19
	@$(MAKE) --no-print-directory $(QEMU_DIR)/riscv.sh
	@tests/run.sh $(QEMU_DIR)/riscv.sh
qemu-napot-plants:
	@scripts/need.sh qemu qemu-system-riscv64 clang-19 ld.lld-19
	@PLANT_DIR=$(abspath $(BUILD))/qemu-napot-plants tests/qemu/riscv/napot_plants.sh
