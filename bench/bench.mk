# Benchmarks (issue 5): Google Benchmark through a C shim, instruction counts
# under callgrind, comparisons and charts. Included by the top Makefile.
#
#   make bench                      the suite (~2 min): table + build/bench/latest.json
#   make bench BENCH_FILTER=x86_64  a subset (Google Benchmark regex on names)
#   make bench-compare BASE=f.json  Google Benchmark's compare.py against f.json
#   make bench-ab BASE=rev          rev's suite against the working tree, interleaved
#   make bench-icount               instructions per operation vs bench/baseline/icount.json
#   make bench-icount-update        rewrite that baseline
#   make bench-report               SVG charts in build/bench/report/
#   make bench-profile OP=map_region_4k FMT=x86_64 [ARG=1073741824]
#                                   callgrind_annotate of one workload (at one
#                                   of its benchmark sizes)
#   make bench-history [REV=a..b] [FORCE=1]  instructions per commit, charted

BENCH_DIR   := $(BUILD)/bench
BENCH_PY    := /usr/bin/python3
CXX         ?= g++
BENCH_CXXFLAGS := -std=c++17 -O2 -g -Wall -Wextra -Werror
# Sensible defaults for about two minutes on two shared cores; override
# BENCH_ARGS for longer, steadier runs (e.g. --benchmark_min_time=0.5
# --benchmark_repetitions=3: the table takes the median).
BENCH_ARGS   ?= --benchmark_min_time=0.05
BENCH_FILTER ?= .
# bench/table.py options: --min takes the fastest repetition instead of the
# median (with --benchmark_repetitions; see bench/README.md).
BENCH_TABLE  ?=
BASE         ?=
OP  ?= map_region_4k
FMT ?= x86_64

BENCH_C_OBJ := $(BENCH_DIR)/work.o $(BENCH_DIR)/work_page.o $(BENCH_DIR)/work_region.o \
	$(BENCH_DIR)/work_state.o \
	$(BENCH_DIR)/work_walk.o $(BENCH_DIR)/arena.o
BENCH_HDR   := bench/work.h bench/work_internal.h bench/shim.h tests/arena.h include/pt.h $(wildcard include/pt/*.h)

.PHONY: bench bench-build bench-deps bench-ab bench-compare bench-icount bench-icount-update \
	bench-report bench-profile bench-history

bench-deps:
	@scripts/need.sh bench g++ valgrind gnuplot $(BENCH_PY)
	@test -f /usr/include/benchmark/benchmark.h && test -f /usr/share/benchmark/compare.py \
		&& test -f /usr/include/valgrind/callgrind.h \
		&& $(BENCH_PY) -c 'import scipy' 2>/dev/null || scripts/deps.sh bench

$(BENCH_DIR)/%.o: bench/%.c $(BENCH_HDR)
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -c $< -o $@

$(BENCH_DIR)/arena.o: tests/arena.c tests/arena.h include/pt.h $(wildcard include/pt/*.h)
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -c $< -o $@

$(BENCH_DIR)/shim.o: bench/shim.cc bench/shim.h
	@mkdir -p $(@D)
	$(CXX) $(BENCH_CXXFLAGS) -c $< -o $@

$(BENCH_DIR)/bench: $(BENCH_DIR)/bench.o $(BENCH_DIR)/shim.o $(BENCH_C_OBJ) $(BUILD)/libpt.a
	$(CXX) -o $@ $^ -lbenchmark -lpthread

# Plain C: no Google Benchmark under valgrind.
$(BENCH_DIR)/icount: $(BENCH_DIR)/icount.o $(BENCH_C_OBJ) $(BUILD)/libpt.a
	$(CC) -o $@ $^

bench-build: bench-deps
	@$(MAKE) --no-print-directory $(BENCH_DIR)/bench $(BENCH_DIR)/icount

# The console log goes to latest.txt; the table is what you read.
bench: bench-build
	@echo "bench: running $$($(BENCH_DIR)/bench --benchmark_list_tests \
		--benchmark_filter='$(BENCH_FILTER)' | wc -l) benchmarks ($(BENCH_ARGS));" \
		"log in $(BENCH_DIR)/latest.txt"
	@$(BENCH_DIR)/bench $(BENCH_ARGS) --benchmark_filter='$(BENCH_FILTER)' \
		--benchmark_format=console --benchmark_out_format=json \
		--benchmark_out=$(BENCH_DIR)/latest.json > $(BENCH_DIR)/latest.txt 2>&1 \
		|| { tail -20 $(BENCH_DIR)/latest.txt; exit 1; }
	@$(BENCH_PY) bench/table.py $(BENCH_DIR)/latest.json $(BENCH_TABLE)
	@echo "bench: wrote $(BENCH_DIR)/latest.json"

bench-ab: bench-deps
	@bench/ab.sh

bench-compare: bench-deps
	@test -n "$(BASE)" || { echo "usage: make bench-compare BASE=old.json [NEW=new.json]"; exit 2; }
	@test -f "$(or $(NEW),$(BENCH_DIR)/latest.json)" || $(MAKE) --no-print-directory bench
	$(BENCH_PY) /usr/share/benchmark/compare.py benchmarks $(BASE) \
		$(or $(NEW),$(BENCH_DIR)/latest.json)

# One callgrind run; every workload dumps its own counts (bench/icount.c).
ICOUNT_RUN = rm -rf $(BENCH_DIR)/callgrind && mkdir -p $(BENCH_DIR)/callgrind && \
	valgrind --tool=callgrind --collect-atstart=no \
		--callgrind-out-file=$(BENCH_DIR)/callgrind/cg.out $(BENCH_DIR)/icount \
		> $(BENCH_DIR)/icount.txt 2> $(BENCH_DIR)/callgrind/valgrind.log \
		|| { cat $(BENCH_DIR)/callgrind/valgrind.log | grep -v '^==' ; exit 1; }

bench-icount: bench-build
	@$(ICOUNT_RUN)
	@$(BENCH_PY) bench/icount.py $(BENCH_DIR)/callgrind $(BENCH_DIR)/icount.txt \
		bench/baseline/icount.json $(BENCH_DIR)/icount.json

bench-icount-update: bench-build
	@mkdir -p bench/baseline
	@$(ICOUNT_RUN)
	@$(BENCH_PY) bench/icount.py $(BENCH_DIR)/callgrind $(BENCH_DIR)/icount.txt \
		bench/baseline/icount.json $(BENCH_DIR)/icount.json --update

bench-report: bench-deps
	@test -f $(BENCH_DIR)/latest.json || $(MAKE) --no-print-directory bench
	@$(BENCH_PY) bench/report.py $(BENCH_DIR)/latest.json $(BENCH_DIR)/report

# Where one workload spends its instructions, by function (inclusive).
bench-profile: bench-build
	@rm -rf $(BENCH_DIR)/profile && mkdir -p $(BENCH_DIR)/profile
	@valgrind --tool=callgrind --collect-atstart=no \
		--callgrind-out-file=$(BENCH_DIR)/profile/cg.out \
		$(BENCH_DIR)/icount '$(OP)/$(FMT)/' $(ARG) > /dev/null 2> $(BENCH_DIR)/profile/valgrind.log
	@f=$$(grep -l 'Client Request: $(OP)/$(FMT)/' $(BENCH_DIR)/profile/cg.out.*) && \
		{ callgrind_annotate $$f | grep -m1 'PROGRAM TOTALS'; \
		  callgrind_annotate $$f | sed -n '/file:function/,+18p'; }

# Instruction counts per commit: each commit of REV (a..b, or the last 30
# first-parent commits of one revision) builds and runs its own icount in
# build/history/wt; one JSON line per commit in HISTORY (commits already
# there are not run again unless FORCE=1); charts in build/history/.
REV     ?= HEAD
HISTORY ?= bench/history/icount.jsonl
FORCE   ?=
bench-history: bench-deps
	@HISTORY_WT=$(BUILD)/history/wt $(BENCH_PY) bench/history.py run $(HISTORY) '$(REV)' $(if $(filter 1,$(FORCE)),--force)
	@$(BENCH_PY) bench/history.py report $(HISTORY) '$(REV)' $(BUILD)/history

# make check runs bench/history.py's test on a synthetic history (python3 and
# gnuplot, no valgrind, well under 2 seconds); tests/run.sh protocol.
$(BENCH_DIR)/test-history: bench/test_history.py bench/history.py
	@scripts/need.sh bench gnuplot $(BENCH_PY)
	@mkdir -p $(@D)
	printf '#!/bin/sh\nexec %s "%s/bench/test_history.py"\n' "$(BENCH_PY)" "$(CURDIR)" >$@
	chmod +x $@
CHECK_BINS += $(BENCH_DIR)/test-history
