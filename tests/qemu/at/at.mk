# The AT oracle (tests/qemu/at/): a bare-metal AArch64 guest that answers
# with the CPU's own AT instructions how the EL1&0 stage-1 regime
# translates random (VA, access) queries over random, perturbed tables
# built by libpt, and a host driver comparing every answer with libpt
# (pt_translate; pt_access once build/libpt.a defines it).
#   make at-oracle         run it (tests/run.sh protocol: one [group] per
#                          comparison and CPU, then "N passed, N failed")
#   make at-oracle-plants  each planted bug must make it fail
#   make at-oracle-lib-plants  bugs planted in libpt's AArch64 access
#                          checks (scratch copies), each caught
#   make qemu-gran         the granule sets (at_host --gran): TTBR0 and
#                          TTBR1 tables of 4K at 39/42/36 bits, 16K at
#                          48/47/36, 64K at 48/42, and EL2 tables, on
#                          -cpu max, switched on with pt_tcr; sets with
#                          52-bit output addresses (PT_FEAT_AARCH64_PA52:
#                          LPA2 on 4K/16K, LPA on 64K; 64K and 16K also at
#                          52-bit VAs); AT and real EL1/EL0 accesses, the
#                          words real accesses read and write in guest RAM;
#                          contiguous runs edited by libpt between two
#                          phases with only libpt's own TLB flushes in
#                          between (tests/qemu/at/at_runs.c); make
#                          qemu-check runs it too
#   make qemu-gran-plants  bugs planted in libpt's granule, 52-bit,
#                          contiguous-run and flush code and pt_tcr
#                          (scratch copies: tests/qemu/at/gran_plants.sh;
#                          GRAN_PLANTS=regex picks some), each caught
# AT_ARGS adds driver options (--sets-max N --sets-a57 N --queries N
# --seed S --show N; at_host.c says what they do).

AT_DIR := $(BUILD)/at
AT_ARGS ?=
AT_CC := --target=aarch64-unknown-none-elf -mgeneral-regs-only -mstrict-align

$(AT_DIR)/guest.elf: tests/qemu/at/guest.c tests/qemu/at/start.S tests/qemu/at/at.h \
		tests/qemu/aarch64/link.ld tests/qemu/at/at.mk
	@mkdir -p $(AT_DIR)
	clang-19 $(AT_CC) $(QEMU_CFLAGS) $(HOST_WARN) -c tests/qemu/at/guest.c -o $(AT_DIR)/guest.o
	clang-19 $(AT_CC) $(QEMU_CFLAGS) -c tests/qemu/at/start.S -o $(AT_DIR)/start.o
	ld.lld-19 -nostdlib -static -T tests/qemu/aarch64/link.ld -o $@ $(AT_DIR)/start.o $(AT_DIR)/guest.o

AT_HOST_SRC := tests/qemu/at/at_host.c tests/qemu/at/at_tables.c tests/qemu/at/at_compare.c \
	tests/qemu/at/at_runs.c
$(AT_DIR)/at_host: $(AT_HOST_SRC) tests/qemu/at/at_host.h tests/qemu/at/at.h tests/arena.c tests/arena.h \
		$(BUILD)/libpt.a tests/qemu/at/at.mk
	@mkdir -p $(AT_DIR)
	$(CC) $(HOST_CFLAGS) -Itests/qemu/at $(AT_HOST_SRC) tests/arena.c $(BUILD)/libpt.a -o $@

# One wrapper, so tests/run.sh can run it.
$(AT_DIR)/at-oracle.sh: $(AT_DIR)/at_host $(AT_DIR)/guest.elf
	@printf '#!/bin/sh\nexec %s --guest %s --dir %s "$$@" %s\n' "$(CURDIR)/$(AT_DIR)/at_host" \
		"$(CURDIR)/$(AT_DIR)/guest.elf" "$(CURDIR)/$(AT_DIR)" "$(AT_ARGS)" > $@
	@chmod +x $@

$(AT_DIR)/gran.sh: $(AT_DIR)/at_host $(AT_DIR)/guest.elf
	@printf '#!/bin/sh\nexec %s --guest %s --dir %s --gran "$$@"\n' "$(CURDIR)/$(AT_DIR)/at_host" \
		"$(CURDIR)/$(AT_DIR)/guest.elf" "$(CURDIR)/$(AT_DIR)/gran" > $@
	@chmod +x $@

# make qemu-check runs the granule sets too (about 10-20 s on two cores).
QEMU_WRAPPERS += $(AT_DIR)/gran.sh
qemu-guests: $(AT_DIR)/gran.sh

.PHONY: at-oracle at-oracle-plants at-oracle-lib-plants qemu-gran qemu-gran-plants
qemu-gran:
	@scripts/need.sh qemu qemu-system-aarch64 clang-19 ld.lld-19
	@$(MAKE) --no-print-directory $(AT_DIR)/gran.sh
	@tests/run.sh $(AT_DIR)/gran.sh

qemu-gran-plants:
	@scripts/need.sh qemu qemu-system-aarch64 clang-19 ld.lld-19
	@tests/qemu/at/gran_plants.sh

at-oracle:
	@scripts/need.sh qemu qemu-system-aarch64 clang-19 ld.lld-19
	@$(MAKE) --no-print-directory $(AT_DIR)/at-oracle.sh
	@tests/run.sh $(AT_DIR)/at-oracle.sh

# 1: the comparison makes the EL0 kinds as EL1; 2: the guest loads TTBR0
# and TTBR1 swapped; 3: the regime leaves out TCR.HA/HD; 4: the guest does
# not restore the tables between phases; 5: the comparison drops PAN from
# S1E1RP/S1E1WP; 6: the regime drops TCR.HPD. The unplanted run must pass
# first, so that each plant is what fails.
AT_PLANT_ARGS := --sets-max 2 --sets-a57 1 --queries 1000 --show 2
at-oracle-plants:
	@scripts/need.sh qemu qemu-system-aarch64 clang-19 ld.lld-19
	@$(MAKE) --no-print-directory $(AT_DIR)/at-oracle.sh
	@set -e; if ! $(AT_DIR)/at-oracle.sh $(AT_PLANT_ARGS) > $(AT_DIR)/plant0.log 2>&1; then \
		echo "at-oracle-plants: the unplanted run fails (see $(AT_DIR)/plant0.log)"; exit 1; fi; \
	echo "at-oracle-plants: unplanted: $$(grep '^\[group\]' $(AT_DIR)/plant0.log | \
		sed 's/^\[group\] at-oracle //' | paste -sd';' -)"; \
	for p in 1 2 3 4 5 6; do \
		if $(AT_DIR)/at-oracle.sh $(AT_PLANT_ARGS) --plant $$p > $(AT_DIR)/plant$$p.log 2>&1; then \
			echo "at-oracle-plants: plant $$p NOT detected"; exit 1; fi; \
		echo "at-oracle-plants: plant $$p caught: $$(grep '^\[group\]' $(AT_DIR)/plant$$p.log | \
			sed 's/^\[group\] at-oracle //' | paste -sd';' -)"; done

# Bugs planted in libpt's AArch64 access checks (arch/aarch64.h, in
# scratch copies: tests/qemu/at/lib_plants.sh), each caught by the oracle.
at-oracle-lib-plants:
	@scripts/need.sh qemu qemu-system-aarch64 clang-19 ld.lld-19
	@tests/qemu/at/lib_plants.sh
