# RISC-V hypervisor extension on QEMU: pt_access_nested against the CPU's
# two-stage translation (tests/qemu/rvh/guest.c says how).
#   make qemu-rvh         build and run the guest (tests/run.sh protocol:
#                         one "[group] qemu rvh-<G-stage format>" line per
#                         G-stage format, each over Sv39, Sv48 and Sv57
#                         VS-stage tables, then "N passed, N failed")
#   make qemu-rvh-plants  rebuild with planted bugs and require each caught
#   make qemu-check       runs the same guest among the others
# Checked, on qemu-system-riscv64 -cpu rv64,h=true (Debian 12: QEMU 7.2):
# hgatp from pt_hgatp accepted (read back) for Sv39x4, Sv48x4 and Sv57x4;
# vsatp from pt_satp with guest-physical table frames; every probe (HLV.D,
# HSV.D, HLVX.WU from HS-mode at hstatus.SPVP 1 and 0, and the same access
# made for real in VS-mode and VU-mode) allowed exactly when
# pt_access_nested allows it, the load's value and the store's landing
# place at its host-physical address; otherwise the cause of the stage it
# names (page fault 12/13/15, guest-page fault 20/21/23; HLVX faults as a
# load), stval = the guest VA, hstatus.GVA = 1, htval = 0 at stage 1 and
# fault.ipa >> 2 at stage 2 (for a VS-stage table read the G-stage refuses:
# the entry's address), htinst 0 or 0x3000 (implicit 64-bit read); random
# sstatus.MXR, vsstatus.SUM and vsstatus.MXR; VS-stage page faults
# delegated to VS-mode by hedeleg for half the VS/VU probes (vscause and
# vstval checked); A and D set by the CPU in both stages; every kind of
# verdict seen (coverage check).
# Not checkable on QEMU 7.2: Svade (A/D faults: QEMU 7.2 always sets them,
# so both regimes run with PT_CTL_HA | PT_CTL_HD), the henvcfg.ADUE switch,
# the G-stage write permission an A/D update of a VS-stage entry needs.
# QEMU 7.2's departures from the architecture, counted and printed, never
# passed (the probe must match pt_access_nested under a model of them): in
# VS/VU-mode MXR for both stages from vsstatus alone; for HLV/HSV/HLVX the
# VS-stage's MXR from HS-level sstatus, the G-stage's from vsstatus, SUM
# taken as set at SPVP 1, HLVX checked for read instead of execute; a
# G-stage fault on a VS-stage table read raised as a load guest-page
# fault whatever the access; a VS-stage page fault raised as an access
# fault when HS-mode's own satp is Bare (so the guest runs HS-mode on an
# Sv39 identity map).

QEMU_RVH_DIR ?= $(BUILD)/qemu-rvh
QEMU_RVH_MUTATE ?= 0
QEMU_RVH_CC := --target=riscv64-unknown-none-elf -march=rv64imac_h -mabi=lp64 \
	-mcmodel=medany -mno-relax
QEMU_RVH_CFLAGS := -std=c11 -O2 -g -ffreestanding -nostdlib -fno-builtin \
	-fno-stack-protector -fno-pic -Iinclude -DQEMU_MUTATE=$(QEMU_RVH_MUTATE)
# The library under test: the core's sources (QEMU_RVH_LIB, a scratch copy for
# the library plants), built for the guest's ISA.
QEMU_RVH_LIB ?= .
QEMU_RVH_RUN := qemu-system-riscv64 -M virt -cpu rv64,h=true -m 256M -bios none \
	-nographic -monitor none -kernel
QEMU_RVH_FMTS := rvh-sv39x4 rvh-sv48x4 rvh-sv57x4

# The core's objects, one rule each (make -j builds them side by side);
# QEMU_RVH_CORE shares one build between guests of the same core.
QEMU_RVH_CORE ?= $(QEMU_RVH_DIR)
QEMU_RVH_COBJ := $(patsubst src/%.c,$(QEMU_RVH_CORE)/core-%.o,$(CORE_SRC))
$(QEMU_RVH_CORE)/core-%.o: $(QEMU_RVH_LIB)/src/%.c $(CORE_HDR) tests/qemu/rvh/rvh.mk
	@mkdir -p $(QEMU_RVH_CORE)
	clang-19 $(QEMU_RVH_CC) -I$(QEMU_RVH_LIB)/include $(QEMU_RVH_CFLAGS) $(WARN) -c $< -o $@

# The guest's sources: the probes and their tables (guest.c), its HS-mode
# runtime (rt.c).
QEMU_RVH_SRC := guest rt

# The guest in directory $(1), linked with core objects $(2) (made by
# prerequisite $(3)), and its wrapper script $(1)/rvh.sh.
define QEMU_RVH_GUEST
$(1)/guest.elf: $(3) $(wildcard tests/qemu/rvh/*)
	@mkdir -p $(1)
	$(foreach m,$(QEMU_RVH_SRC),clang-19 $(QEMU_RVH_CC) $(QEMU_RVH_CFLAGS) $(HOST_WARN) \
		-c tests/qemu/rvh/$(m).c -o $(1)/$(m).o &&) true
	clang-19 $(QEMU_RVH_CC) $(QEMU_RVH_CFLAGS) -c tests/qemu/rvh/start.S -o $(1)/start.o
	ld.lld-19 -nostdlib -static -T tests/qemu/rvh/link.ld -o $$@ $(1)/start.o \
		$(foreach m,$(QEMU_RVH_SRC),$(1)/$(m).o) $(2)
$(1)/rvh.sh: $(1)/guest.elf
	@printf '#!/bin/sh\nexec %s %s %s "%s" -- %s %s\n' "$(CURDIR)/tests/qemu/run.sh" 60 0 \
		"$(QEMU_RVH_FMTS)" "$(QEMU_RVH_RUN)" "$$(abspath $$<)" > $$@
	@chmod +x $$@
endef
$(eval $(call QEMU_RVH_GUEST,$(QEMU_RVH_DIR),$(QEMU_RVH_COBJ),$(QEMU_RVH_COBJ)))

# make qemu-check runs it too, linked with the RISC-V guest's core objects
# (the core needs no H-extension instruction), so it costs the gate one
# guest compile and about two seconds of QEMU.
$(eval $(call QEMU_RVH_GUEST,$(QEMU_DIR)/rvh,$(QEMU_DIR)/riscv/core-*.o,$(QEMU_DIR)/riscv/core.stamp))
QEMU_WRAPPERS += $(QEMU_DIR)/rvh/rvh.sh
qemu-guests: $(QEMU_DIR)/rvh/rvh.sh

.PHONY: qemu-rvh qemu-rvh-plants
qemu-rvh:
	@scripts/need.sh qemu qemu-system-riscv64 clang-19 ld.lld-19
	@$(MAKE) --no-print-directory $(QEMU_RVH_DIR)/rvh.sh
	@tests/run.sh $(QEMU_RVH_DIR)/rvh.sh

# Planted bugs (tests/qemu/rvh/plants.sh): five in the guest's comparison
# (QEMU_MUTATE: hgatp MODE one off, htval compared as GPA >> 1, the VS-stage
# regime without vsstatus.SUM, VS/VU probes at the other privilege, the
# vstval a VS-delegated fault hands on 8 bytes off), four in scratch copies
# of the library (the G-stage U check dropped, pt_hgatp's MODE one off, a
# stage-1 table fault reported at the table instead of the entry, HS-level
# MXR ignored at the G-stage); each must be caught.
qemu-rvh-plants:
	@scripts/need.sh qemu qemu-system-riscv64 clang-19 ld.lld-19
	@BUILD=$(BUILD) tests/qemu/rvh/plants.sh
