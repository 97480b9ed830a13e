# rtl/rtl.mk -- the accelerator RTL (rtl/dlvta_*.v, top dlvta_top, parameterized by the generated
# build/<config>/dlvta_isa.vh): lint over every config, and the RTL tests of `make test`,
# `make test-long` and `make bench` (the Verilated model is built by sim/tsim/tsim.mk).
RTL_SRCS     := $(wildcard rtl/dlvta_*.v)
RTL_CONFIGS  := pynq ultra96 ultra96x2 tiny

# each command prints the runner's summary line when it exits 0 (tools/run_tests.sh counts a
# command without one as failed)
LINT_CMDS += $(foreach c,$(RTL_CONFIGS),"verilator --lint-only -Wall -I$(BUILD)/$(c) -Irtl \
               --top-module dlvta_top rtl/lint.vlt $(RTL_SRCS) && echo '1 passed, 0 failed'")
# the two-copy RTL on a one-copy config (the configs lint AccCopies = 1 and 2 already; this keeps
# the combination that `make test` runs as DLVTA_TSIM_VARIANT=acc2 lint-clean)
LINT_CMDS += "verilator --lint-only -Wall -GAccCopies=2 -I$(BUILD)/tiny -Irtl --top-module dlvta_top \
               rtl/lint.vlt $(RTL_SRCS) && echo '1 passed, 0 failed'"
# yosys must elaborate the same RTL: no multiple drivers, no combinational loops (`check -assert`)
LINT_CMDS += $(foreach c,$(RTL_CONFIGS),"yosys -q -p 'verilog_defaults -add -I$(BUILD)/$(c); \
               read_verilog $(RTL_SRCS); hierarchy -check -top dlvta_top; proc; check -assert' && echo '1 passed, 0 failed'")
LINT_DEPS += $(GEN_HDRS)

# tests/test_tsim.c (directed) and tests/test_tsim_random.c (500 progen programs a config, each
# under its own random DRAM profile, every counter compared and fsim's cycle estimate held to
# the RTL's) run in `make test` on tiny and pynq (64-bit AXI) and ultra96 (128-bit AXI); the long
# suites add more seeds and bigger programs. tests/test_tsim_window.c (150 hostile programs a
# config, tiny and pynq) checks the DRAM window on both.
TEST_DEPS += $(BUILD)/tiny/libtsim.so $(BUILD)/pynq/libtsim.so $(BUILD)/ultra96/libtsim.so \
             $(BUILD)/tiny/libtsim_trace.so
# pynq and tiny have one accumulator copy (isa/configs.def acc_copies); the two-copy RTL against
# fsim too, on tiny (the build variant acc2, sim/tsim/tsim.mk)
TEST_DEPS += $(BUILD)/tiny/libtsim_acc2.so
# ultra96x2 (gemm_pump 2: the pumped GEMM's pipeline, two read ports, the DDR budget): its
# directed programs and 200 random ones
TEST_DEPS += $(BUILD)/ultra96x2/libtsim.so
TEST_SCRIPTS += "$(BUILD)/tests/test_tsim ultra96x2" \
                "$(BUILD)/tests/test_tsim_random -n 200 -s 90000 ultra96x2"
TEST_SCRIPTS += "DLVTA_TSIM_VARIANT=acc2 $(BUILD)/tests/test_tsim tiny" \
                "DLVTA_TSIM_VARIANT=acc2 $(BUILD)/tests/test_tsim_random -n 300 -s 70000 tiny"
TEST_LONG_DEPS += $(BUILD)/pynq/libtsim_acc2.so
TEST_LONG += "$(BUILD)/tests/test_tsim_random -n 5000 -s 100000 tiny pynq ultra96" \
             "$(BUILD)/tests/test_tsim_random -big -n 1000 -s 900000 tiny pynq ultra96" \
             "DLVTA_TSIM_VARIANT=acc2 $(BUILD)/tests/test_tsim_random -n 3000 -s 300000 tiny pynq" \
             "$(BUILD)/tests/test_tsim_window -n 2000 -s 10000 tiny pynq ultra96"

# Simulation speed and GEMM utilization of a double-buffered GEMM on pynq.
$(BUILD)/tsim/bench_tsim: sim/tsim/bench_tsim.c sim/tsim/tsim.h $(BUILD)/libdlvta.a | $(GEN_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(LAYER_INC_tests) $(CFLAGS) $(WARN) $< $(BUILD)/libdlvta.a $(EXTRA_LDLIBS) $(LDLIBS) -o $@
BENCH_DEPS += $(BUILD)/tsim/bench_tsim $(BUILD)/pynq/libtsim.so
BENCH_CMDS += "$(BUILD)/tsim/bench_tsim pynq $(BUILD)/bench/tsim_pynq.json"

# the RTL tests' headers (the generic test rule sees only its own source through -MMD after a first build)
$(BUILD)/tests/test_tsim $(BUILD)/tests/test_tsim_random $(BUILD)/tests/test_tsim_drv $(BUILD)/tests/test_tsim_window: \
  sim/tsim/tsim.h tests/tsim_xcheck.h sim/fsim/fsim.h sim/fsim/progen.h dev/dlvta_dev.h
