# dlvta -- top-level Makefile. Component fragments (*/*.mk) add their sources and tests to the
# variables below; outputs go under build/ (build/<config>/ for per-config files).
#
#   make            build everything that needs no Verilator model: build/dlvta
#   make test       unit, golden-model and RTL-vs-fsim tests (ends with "N passed, N failed")
#   make test-long  the longer random suites
#   make lint       verilator --lint-only -Wall over every config, plus the C lint (tools/lint_c.sh)
#   make bench      performance figures (JSON under build/bench/)
#   make demo       compile a model and run it on the simulator
#   make install    PREFIX=/usr/local [DESTDIR=...]: dlvta, libdlvta.{a,so}, headers, dlvta.pc, Python module
#   make fuzz       libFuzzer harnesses, FUZZ_SECONDS each (tests/fuzz/fuzz.mk; needs clang)
#   make test-san   the C tests under ASan+UBSan+LSan in build-san/ (tests/san.mk)
#   make clean

# Entry goals that need the Debian packages (a fresh Debian 12 machine has none of them). make
# reads every makefile and caches directories before any recipe runs, so a package installed by
# a recipe (e.g. /usr/include/onnx/onnx.proto) is invisible to rules of the same run. These goals
# therefore install what is missing first (tools/deps.sh) and then run the real build in a new
# make, which reads the rules with the packages present; it builds on every core unless -j was
# given. DLVTA_DEPS_OK=1 (set for the inner make and its children) skips the step.
DEPS_GOALS := all test test-long test-san fuzz bench lint demo timing netlist-sim synth
DEPS_SH    ?= tools/deps.sh
ENTRY_GOALS := $(or $(MAKECMDGOALS),all)

ifneq ($(and $(filter $(DEPS_GOALS),$(ENTRY_GOALS)),$(if $(DLVTA_DEPS_OK),,y)),)
.PHONY: $(ENTRY_GOALS) deps-then-build
$(filter-out deps-then-build,$(ENTRY_GOALS)): deps-then-build ; @:
deps-then-build:
	@+$(DEPS_SH)
	@+case " $$MAKEFLAGS " in *" -j"*) j= ;; *) j=-j$$(nproc 2>/dev/null || echo 1) ;; esac; \
	  echo "$(MAKE) DLVTA_DEPS_OK=1 $$j $(ENTRY_GOALS)"; \
	  $(MAKE) --no-print-directory DLVTA_DEPS_OK=1 $$j $(ENTRY_GOALS)
else

CONFIGS   := pynq ultra96 ultra96x2 tiny
# One more config from a file (the key = value form of isa/isa.h; `dlvta dse` writes one):
#   make CONFIG_FILE=my.cfg [CONFIG_BOARD=pynq|ultra96] gen|tsim|synth-<name>|timing-<name>
# builds build/<name>/ (headers, config.def, libtsim.so, synthesis for CONFIG_BOARD's part) as
# for a built-in config; dlvta itself reads the file at run time (--config my.cfg).
CONFIG_BOARD ?= pynq
ifneq ($(CONFIG_FILE),)
FILE_CONFIG := $(shell sed -n 's/^[[:space:]]*name[[:space:]]*=[[:space:]]*\([a-z0-9_]*\).*/\1/p' $(CONFIG_FILE) 2>/dev/null | head -n 1)
ifeq ($(FILE_CONFIG),)
$(error CONFIG_FILE=$(CONFIG_FILE): no file, or no 'name = ...' line in it)
endif
CONFIGS   += $(FILE_CONFIG)
endif
BUILD     := build
CC        ?= cc
CFLAGS    ?= -O2 -g -ffp-contract=off
WARN      := -Wall -Wextra -Wshadow -Wmissing-prototypes -Wstrict-prototypes -Wpointer-arith \
             -Wformat=2 -Wno-format-nonliteral
ifeq ($(CI),true)
WARN      += -Werror
endif
# no -I here: each component's objects get the -I of the layers it may use (tools/layers.mk,
# from layers.txt; ARCHITECTURE.md)
CPPFLAGS  := -std=c11 -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L -D_FILE_OFFSET_BITS=64
DLVTA_VERSION := $(shell cat VERSION 2>/dev/null)
CPPFLAGS  += '-DDLVTA_VERSION="$(DLVTA_VERSION)"'  # dlvta --version (cli/main.c)
LDLIBS    := -lm -ldl -lpthread

# A recipe that runs a make of its own (Verilator's) shares the job slots: it is marked
# $(RECURSE) and calls $(SUBMAKE), except under `make -n`, where it must be printed, not run.
DRY_RUN   := $(findstring n,$(firstword -$(MAKEFLAGS)))
RECURSE   := $(if $(DRY_RUN),,+)
SUBMAKE    = $(MAKE)

LIB_SRCS  :=            # C sources of build/libdlvta.a (isa, fsim, driver, compiler, ...)
CLI_SRCS  :=            # sources of the dlvta binary only
TEST_PROGS :=           # plain-C test programs, each tests/<name>.c -> build/tests/<name>
TEST_SCRIPTS :=         # shell tests, run by the same runner
TEST_LONG :=            # commands of make test-long
BENCH_CMDS :=           # commands of make bench
LINT_CMDS := tools/lint_c.sh  # commands of make lint: the C lint (cppcheck) here, verilator in rtl/rtl.mk
GEN_HDRS  := $(foreach c,$(CONFIGS),$(BUILD)/$(c)/dlvta_isa.h $(BUILD)/$(c)/dlvta_isa.vh)

.PHONY: all test test-long lint bench demo clean deps gen
.SECONDARY:   # keep generated intermediates (headers, models): never delete them behind our back
.DELETE_ON_ERROR:
all: $(BUILD)/dlvta

include tools/layers.mk
include isa/isa.mk
include util/util.mk
include sim/fsim/fsim.mk
include driver/driver.mk
include ir/ir.mk
include ref/ref.mk
include model/model.mk
include runtime/runtime.mk
include cli/cli.mk
include tests/tests.mk
-include sim/tsim/tsim.mk
-include rtl/rtl.mk
-include compiler/compiler.mk
-include compiler/backend/backend.mk
-include compiler/e2e.mk
-include hw/hw.mk
-include tests/fuzz/fuzz.mk
-include tests/san.mk

LIB_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(LIB_SRCS))
CLI_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(CLI_SRCS))
# the shared library, the Python binding, make install (uses LIB_OBJS)
-include python/python.mk

$(BUILD)/obj/%.o: %.c | $(GEN_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(INC) $(CFLAGS) $(WARN) $(EXTRA_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/libdlvta.a: $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/dlvta: $(CLI_OBJS) $(BUILD)/libdlvta.a
	$(CC) $(CFLAGS) -rdynamic $(CLI_OBJS) $(BUILD)/libdlvta.a $(EXTRA_LDLIBS) $(LDLIBS) -o $@

# every test program links the tests' shared helpers (tests/testutil.c), compiled once
TEST_UTIL := $(BUILD)/obj/tests/testutil.o
$(BUILD)/tests/%: tests/%.c $(BUILD)/libdlvta.a $(TEST_UTIL) | $(GEN_HDRS) $(EXTRA_GEN)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(LAYER_INC_tests) $(CFLAGS) $(WARN) -MMD -MP -MF $@.d $< $(TEST_UTIL) $(BUILD)/libdlvta.a $(EXTRA_LDLIBS) $(LDLIBS) -o $@

gen: $(GEN_HDRS)

deps:
	@+$(DEPS_SH)

test: all $(addprefix $(BUILD)/tests/,$(TEST_PROGS)) $(TEST_DEPS)
	@tools/run_tests.sh $(addprefix $(BUILD)/tests/,$(TEST_PROGS)) $(TEST_SCRIPTS)

test-long: all $(addprefix $(BUILD)/tests/,$(TEST_PROGS)) $(TEST_DEPS) $(TEST_LONG_DEPS)
	@tools/run_tests.sh $(TEST_LONG)

bench: all $(BENCH_DEPS)
	@mkdir -p $(BUILD)/bench
	@tools/run_tests.sh $(BENCH_CMDS)

lint: all $(LINT_DEPS)
	@tools/run_tests.sh $(LINT_CMDS)

demo: all $(BUILD)/pynq/libtsim.so
	@tools/demo.sh

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD)/obj $(BUILD)/tests -name '*.d' 2>/dev/null)

endif  # the build proper
