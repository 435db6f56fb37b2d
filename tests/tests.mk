# tests/tests.mk: the unit, conformance, engine, atomicity and differential
# tests, plus the README example (compiled and run so it never rots).
# Included by the top Makefile; every program joins `make check` via CHECK_BINS.

TEST_NAMES := test_pte test_hooks test_fast test_engine test_edit test_walk test_translate test_atomic \
              test_random test_ranges test_cursor test_quirks test_state test_defer test_access \
              test_pte_literals test_pte_stage2 test_nested test_granule test_runs test_pa52
TEST_BINS  := $(patsubst %,$(BUILD)/tests/%,$(TEST_NAMES))
TEST_HDR   := tests/check.h tests/fmt.h tests/engine_env.h tests/arena.h tests/pte_literals.h \
              include/pt.h $(wildcard include/pt/*.h)

$(TEST_BINS): $(BUILD)/tests/%: tests/%.c tests/arena.c $(TEST_HDR) $(BUILD)/libpt.a
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) $< tests/arena.c $(BUILD)/libpt.a -o $@

# The engine suites again over the fake formats (tests/fake_arch.h): the
# core rebuilt with the test formats in its registry, plus the engine
# compiled over the fake family. Test builds only: nothing of it ships.
FAKE_DIR   := $(BUILD)/fake
FAKE_OBJ   := $(patsubst src/%.c,$(FAKE_DIR)/%.o,$(CORE_SRC)) $(FAKE_DIR)/engine_fake.o
FAKE_TESTS := test_engine test_edit test_walk test_translate test_atomic test_random test_ranges \
              test_cursor test_quirks test_state test_defer
FAKE_BINS  := $(patsubst %,$(BUILD)/tests/%_fake,$(FAKE_TESTS))

$(FAKE_DIR)/%.o: src/%.c $(CORE_HDR)
	@mkdir -p $(@D)
	$(CC) $(CORE_CFLAGS) -DPT_TEST_FORMATS -c $< -o $@

$(FAKE_DIR)/engine_fake.o: tests/engine_fake.c tests/fake_arch.h $(CORE_HDR)
	@mkdir -p $(@D)
	$(CC) $(CORE_CFLAGS) -DPT_TEST_FORMATS -c $< -o $@

$(FAKE_DIR)/libpt.a: $(FAKE_OBJ)
	rm -f $@
	ar rcs $@ $^

$(FAKE_BINS): $(BUILD)/tests/%_fake: tests/%.c tests/arena.c $(TEST_HDR) $(FAKE_DIR)/libpt.a
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -DPT_TEST_FORMATS $< tests/arena.c $(FAKE_DIR)/libpt.a -o $@

CHECK_BINS += $(FAKE_BINS)

# Raw-entry assumptions planted in src/, each caught by the fake format.
.PHONY: fake-plants
fake-plants:
	@tests/fake_plants.sh

# Bugs of deferred table-frame freeing planted in src/, each caught by
# test_defer or test_atomic.
.PHONY: defer-plants
defer-plants:
	@tests/defer_plants.sh

# Every plant of the plant scripts and every fuzz/mutants.py edit still
# finds its text exactly once (no build: the scripts above do that).
CHECK_BINS += tests/plants_apply.sh

# The README's C block, between `<!-- example:begin -->` and
# `<!-- example:end -->`, fenced as ```c ... ```. The example is a complete
# program whose main returns 0 on success; it is compiled with main renamed
# and tests/readme_driver.c turns its result into a [group] line.
$(BUILD)/tests/readme_example.c: README.md
	@mkdir -p $(@D)
	awk '/<!-- example:begin -->/ { inb = 1; next } \
	     /<!-- example:end -->/ { inb = 0; inc = 0 } \
	     inb && /^```c[[:space:]]*$$/ { inc = 1; next } \
	     inb && inc && /^```/ { inc = 0; next } \
	     inc' README.md > $@.tmp
	@test -s $@.tmp || { echo "README.md: no C example between the example markers"; rm -f $@.tmp; exit 1; }
	mv $@.tmp $@

$(BUILD)/tests/readme_example: $(BUILD)/tests/readme_example.c tests/readme_driver.c $(BUILD)/libpt.a
	$(CC) $(HOST_CFLAGS) -Dmain=readme_example_main -c $< -o $@.o
	$(CC) $(HOST_CFLAGS) tests/readme_driver.c $@.o $(BUILD)/libpt.a -o $@

CHECK_BINS += $(TEST_BINS) $(BUILD)/tests/readme_example
