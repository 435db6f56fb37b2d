# tests/linux/: libpt's decoding of the tables real Linux kernels built,
# checked against QEMU's answers (tests/linux/README.md).
#   make linux-check   fetch Debian 12's amd64 and arm64 kernels (cached in
#                      build/linux/dl), boot each configuration under QEMU,
#                      capture, check; ends with "N passed, N failed"
#   LINUX_CONFIGS="x86_64-4level ..."  a subset
#   LINUX_REUSE=1      check the captures already in build/linux/cap
#   LINUX_KASLR=1      boot without nokaslr
#   LINUX_JOBS=N       captures at once (default 2)
#   make linux-check-translate  the same with pt_translate answering (effective
#                      permissions too; no controls, so no access checks by
#                      mode beyond what its flags say)
#   make linux-plants  planted faults in the saved captures must fail
# Not part of `make check`; the release gate runs it (gate linux).

LINUX_DIR ?= $(BUILD)/linux
LINUX_CONFIGS ?= x86_64-4level x86_64-5level aarch64-a57 aarch64-max
LINUX_CHECK_SRC := tests/linux/linux_check.c tests/linux/capture.c tests/linux/check_x86.c
LINUX_CHECK_HDR := tests/linux/linux_check.h

.PHONY: linux-check linux-check-translate linux-fetch
$(LINUX_DIR)/linux_check: $(LINUX_CHECK_SRC) $(LINUX_CHECK_HDR) $(PTDUMP_SRC) $(PTDUMP_HDR) \
		$(BUILD)/libpt.a
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -Itools $(LINUX_CHECK_SRC) $(PTDUMP_SRC) $(BUILD)/libpt.a -o $@

# Every permission answer from pt_access and a struct pt_regime built from
# the saved registers.
$(LINUX_DIR)/linux_check_access: $(LINUX_CHECK_SRC) $(LINUX_CHECK_HDR) $(PTDUMP_SRC) $(PTDUMP_HDR) \
		$(BUILD)/libpt.a
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -Itools -DLINUX_CHECK_PT_ACCESS $(LINUX_CHECK_SRC) \
		$(PTDUMP_SRC) $(BUILD)/libpt.a -o $@

linux-fetch:
	tests/linux/fetch.sh $(LINUX_DIR)/dl

linux-check: $(LINUX_DIR)/linux_check $(LINUX_DIR)/linux_check_access
	LINUX_REUSE=$(LINUX_REUSE) LINUX_KASLR=$(LINUX_KASLR) LINUX_JOBS=$(LINUX_JOBS) \
		LINUX_CHECKER=$(LINUX_DIR)/linux_check_access tests/linux/run.sh $(LINUX_DIR) $(LINUX_CONFIGS)

linux-check-translate: $(LINUX_DIR)/linux_check
	LINUX_REUSE=$(LINUX_REUSE) LINUX_KASLR=$(LINUX_KASLR) LINUX_JOBS=$(LINUX_JOBS) \
		tests/linux/run.sh $(LINUX_DIR) $(LINUX_CONFIGS)

# Each capture with each fault planted in its image copy must fail.
.PHONY: linux-plants
linux-plants: $(LINUX_DIR)/linux_check
	tests/linux/plants.sh $(LINUX_DIR)/linux_check $(addprefix $(LINUX_DIR)/cap/,$(LINUX_CONFIGS))
