# The stage-2 oracle (tests/qemu/s2/): a bare-metal hypervisor guest on
# qemu-system-aarch64 -M virt,virtualization=on (Cortex-A57 and -cpu max)
# that builds a PT_AARCH64_S2 table (IPA 40, 32, 36 bits; also 44 and 48 on
# max) and its EL1 guest's PT_AARCH64 tables with libpt (the freestanding
# core, as the tests/qemu guests link it), perturbs both stages at random,
# and compares pt_access_nested with the CPU: real EL1 loads, stores and
# fetches and EL0-permission loads and stores (the value, or the fault:
# ESR_EL1/FAR_EL1 for stage 1; ESR_EL2 class, DFSC/IFSC and level, WnR,
# S1PTW, FAR_EL2, HPFAR_EL2 for stage 2), and AT S12E1R/W and S12E0R/W
# (PAR_EL1.F, FST, S, PTW, PA). guest.c says what is compared and how.
#   make qemu-s2          run it (tests/run.sh protocol: [group] qemu
#                         aarch64-s2-<cpu>/probe and /at, "N passed, N failed");
#                         make qemu-check runs it as well
#   make qemu-s2-plants   bugs planted in the guest, each must fail it
#   make qemu-s2-lib-plants  bugs planted in libpt's stage-2 and nested
#                         code (scratch copies), each caught
# On -cpu max half the rounds set TCR_EL1.HA/HD: the MMU's own writes of
# stage-1 leaves go through stage 2 (stage-2 read-only table frames fault).
# QEMU 7.2 reports a stage-2 fault on a stage-1 table walk with the
# stage-1 lookup level of the table being read instead of the stage-2
# level: those faults are compared at QEMU's level (the guest finds it from
# the stage-1 tables; S2_FLAGS=-DS2_ARCH_PTW_LEVEL=1 compares the
# architecture's).
# Not checked, as QEMU 7.2 cannot show it: memory types and shareability
# (PAR's ATTR/SH: QEMU keeps no caches), VTCR_EL2.HA/HD (hardware access
# state at stage 2), HCR_EL2.PTW (Device stage-2 memory under stage-1
# walks), HCR_EL2.FWB, reserved stage-2 MemAttr/SH encodings and level-0
# blocks (not perturbed: libpt calls them corrupt, where the architecture
# is CONSTRAINED UNPREDICTABLE or QEMU 7.2 translates), ESR_EL2.WnR on
# table-walk faults (QEMU gives the access's direction), and FEAT_XNX's
# XN[0] on Cortex-A57 (it has no FEAT_XNX: the guest perturbs XN[0] only
# where ID_AA64MMFR1.XNX says so).

S2_DIR ?= $(BUILD)/s2
S2_FLAGS ?=
S2_CC := --target=aarch64-unknown-none-elf -mgeneral-regs-only -mstrict-align
S2_CORE := $(QEMU_DIR)/aarch64

# The guest's sources: the comparison and the run (guest.c), its EL2
# runtime (rt.c), the perturbations of both stages (perturb.c).
S2_SRC := guest rt perturb

$(S2_DIR)/guest.elf: $(patsubst %,tests/qemu/s2/%.c,$(S2_SRC)) tests/qemu/s2/s2.h \
		tests/qemu/s2/start.S tests/qemu/aarch64/link.ld $(S2_CORE)/core.stamp tests/qemu/s2/s2.mk
	@mkdir -p $(S2_DIR)
	$(foreach m,$(S2_SRC),clang-19 $(S2_CC) $(QEMU_CFLAGS) $(S2_FLAGS) $(HOST_WARN) \
		-c tests/qemu/s2/$(m).c -o $(S2_DIR)/$(m).o &&) true
	clang-19 $(S2_CC) $(QEMU_CFLAGS) -c tests/qemu/s2/start.S -o $(S2_DIR)/start.o
	ld.lld-19 -nostdlib -static -T tests/qemu/aarch64/link.ld -o $@ $(S2_DIR)/start.o \
		$(patsubst %,$(S2_DIR)/%.o,$(S2_SRC)) $(S2_CORE)/core-*.o

S2_RUN := qemu-system-aarch64 -M virt,virtualization=on -m 256M -nographic -monitor none -semihosting
S2_WRAPPERS := $(S2_DIR)/a57.sh $(S2_DIR)/max.sh
$(S2_DIR)/a57.sh $(S2_DIR)/max.sh: $(S2_DIR)/%.sh: $(S2_DIR)/guest.elf tests/qemu/s2/s2.mk
	@printf '#!/bin/sh\nexec %s 60 0 "aarch64-s2-%s/probe aarch64-s2-%s/at" -- %s -cpu %s -kernel %s\n' \
		"$(CURDIR)/tests/qemu/run.sh" "$*" "$*" "$(S2_RUN)" \
		"$(if $(filter a57,$*),cortex-a57,max)" "$(CURDIR)/$<" > $@
	@chmod +x $@

# make qemu-check runs both wrappers too (about 3 s): its recipe reads
# QEMU_WRAPPERS when it runs, and qemu-guests builds them.
QEMU_WRAPPERS += $(S2_WRAPPERS)
qemu-guests: $(S2_WRAPPERS)

.PHONY: qemu-s2 qemu-s2-plants qemu-s2-lib-plants
qemu-s2:
	@scripts/need.sh qemu qemu-system-aarch64 clang-19 ld.lld-19
	@$(MAKE) --no-print-directory $(S2_WRAPPERS)
	@tests/run.sh $(S2_WRAPPERS)

# 1: the guest drops VTCR_EL2.SL0; 2: the comparison reads stage-2 fault
# levels as Arm lookup levels; 3: VTTBR_EL2 holds the stage-1 root. Each
# build runs on Cortex-A57 and must fail; the unplanted run passes first.
qemu-s2-plants:
	@scripts/need.sh qemu qemu-system-aarch64 clang-19 ld.lld-19
	@$(MAKE) --no-print-directory $(S2_DIR)/a57.sh
	@set -e; if ! $(S2_DIR)/a57.sh > $(S2_DIR)/plant0.log 2>&1; then \
		echo "qemu-s2-plants: the unplanted run fails (see $(S2_DIR)/plant0.log)"; exit 1; fi; \
	for p in 1 2 3; do d=$(BUILD)/s2-plant$$p; \
		$(MAKE) --no-print-directory -s S2_DIR=$$d S2_FLAGS=-DS2_PLANT=$$p $$d/a57.sh >/dev/null; \
		if $$d/a57.sh > $$d/run.log 2>&1; then \
			echo "qemu-s2-plants: plant $$p NOT detected"; exit 1; fi; \
		echo "qemu-s2-plants: plant $$p caught: $$(grep '^\[group\]' $$d/run.log | \
			sed 's/^\[group\] qemu //' | paste -sd';' -)"; done

qemu-s2-lib-plants:
	@scripts/need.sh qemu qemu-system-aarch64 clang-19 ld.lld-19
	@tests/qemu/s2/lib_plants.sh
