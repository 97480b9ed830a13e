# hw/hw.mk -- synthesis and resource reports (make synth), the board flows (make bitstream
# BOARD=pynq|ultra96), the resource-report parser's test, and (driver/xrt.mk) the detection of
# XRT for the xrt driver backend.
#
#   make synth                yosys synth_xilinx of rtl/ for every board config; writes
#                             build/<config>/{synth.log,stat.txt,resources.txt,resources.json}
#                             and fails if a config does not fit its device (> SYNTH_LIMIT %)
#   make synth-pynq           one config only
#   make synth-hier-pynq      diagnostic: hierarchical synthesis, per-module resource table in
#                             build/pynq/hier/resources.txt (no verdict check)
#   make netlist-sim          the post-synthesis netlists of tiny and pynq (build/<config>/netlist.v,
#                             the same yosys run as make synth) against fsim: NETLIST_* below
#   make bitstream BOARD=pynq Vivado batch flow of boards/<board>/ (needs vivado on PATH)
#   make timing               timing estimates (hw/timing.mk, hw/TIMING.md)

SYNTH_CONFIGS  := pynq ultra96 ultra96x2
SYNTH_LIMIT    ?= 90
SYNTH_FAMILY_pynq    := xc7
SYNTH_PART_pynq      := xc7z020
SYNTH_FAMILY_ultra96 := xcup
SYNTH_PART_ultra96   := xczu3eg
SYNTH_FAMILY_ultra96x2 := xcup
SYNTH_PART_ultra96x2   := xczu3eg
# tiny is no board: it is synthesized (for the xc7 family) only for its netlist simulation
SYNTH_FAMILY_tiny    := xc7
SYNTH_PART_tiny      := xc7z020
# a config from a file (Makefile: CONFIG_FILE) for CONFIG_BOARD's device: make synth-<name>
ifneq ($(FILE_CONFIG),)
SYNTH_FAMILY_$(FILE_CONFIG) := $(SYNTH_FAMILY_$(CONFIG_BOARD))
SYNTH_PART_$(FILE_CONFIG)   := $(SYNTH_PART_$(CONFIG_BOARD))
RESREPORT_CFG_$(FILE_CONFIG) := $(CONFIG_FILE)
endif
SYNTH_ONE      := $(SYNTH_CONFIGS) $(FILE_CONFIG)
RTL_DIR        ?= rtl
RTL_SRCS        = $(sort $(wildcard $(RTL_DIR)/*.v))
BOARD          ?= pynq

RESREPORT := $(BUILD)/hw/resreport

.PRECIOUS: $(BUILD)/%/stat.txt $(BUILD)/%/netlist.v
.PHONY: synth $(addprefix synth-,$(SYNTH_ONE)) $(addprefix synth-hier-,$(SYNTH_CONFIGS)) \
        bitstream
synth: $(foreach c,$(SYNTH_CONFIGS),$(BUILD)/$(c)/resources.txt)
	@hw/check_fit.sh $^

$(addprefix synth-,$(SYNTH_ONE)): synth-%: $(BUILD)/%/resources.txt
	@hw/check_fit.sh $<

# One yosys run writes the stat and the mapped netlist (build/<config>/netlist.v, simulated by
# the tsim variant `netlist`, sim/tsim/tsim.mk; `make timing` reads it too).
$(BUILD)/%/stat.txt $(BUILD)/%/netlist.v: $(RTL_SRCS) $(BUILD)/%/dlvta_isa.vh $(BUILD)/%/dlvta_regs.vh hw/synth.sh
	@SYNTH_NETLIST=1 hw/synth.sh $* $(SYNTH_FAMILY_$*) $(BUILD)/$* $(BUILD)/$* $(RTL_SRCS)

$(addprefix synth-hier-,$(SYNTH_CONFIGS)): synth-hier-%: $(RTL_SRCS) $(BUILD)/%/dlvta_isa.vh \
                                                       $(BUILD)/%/dlvta_regs.vh $(RESREPORT)
	@SYNTH_FLATTEN=0 hw/synth.sh $* $(SYNTH_FAMILY_$*) $(BUILD)/$* $(BUILD)/$*/hier $(RTL_SRCS)
	$(RESREPORT) --config $* --part $(SYNTH_PART_$*) --limit $(SYNTH_LIMIT) \
	  --source "$$(cat $(BUILD)/$*/hier/synth_rtl.txt 2>/dev/null)" \
	  --log $(BUILD)/$*/hier/synth.log --txt $(BUILD)/$*/hier/resources.txt \
	  --json $(BUILD)/$*/hier/resources.json $(BUILD)/$*/hier/stat.txt
	@cat $(BUILD)/$*/hier/resources.txt

$(BUILD)/%/resources.txt $(BUILD)/%/resources.json: $(BUILD)/%/stat.txt $(RESREPORT)
	$(RESREPORT) --config $(or $(RESREPORT_CFG_$*),$*) --part $(SYNTH_PART_$*) --limit $(SYNTH_LIMIT) \
	  --source "$$(cat $(BUILD)/$*/synth_rtl.txt 2>/dev/null)" \
	  --log $(BUILD)/$*/synth.log --txt $(BUILD)/$*/resources.txt \
	  --json $(BUILD)/$*/resources.json $<
	@cat $(BUILD)/$*/resources.txt

# The parser needs only libisa (config shapes for its mapping checks).
$(RESREPORT): hw/resreport.c $(patsubst %.c,$(BUILD)/obj/%.o,$(ISA_SRCS)) isa/isa.h isa/util.h
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(LAYER_INC_hw) $(CFLAGS) $(WARN) hw/resreport.c \
	  $(patsubst %.c,$(BUILD)/obj/%.o,$(ISA_SRCS)) $(LDLIBS) -o $@

bitstream:
	@hw/bitstream.sh $(BOARD) $(BUILD)

# Post-synthesis netlist simulation (sim/tsim/README.md): the tsim variant `netlist` of a config
# (build/<config>/libtsim_netlist.so, sim/tsim/tsim.mk) runs progen's random programs against
# fsim, bit for bit, as the RTL does; `make netlist-sim` runs all of it. tiny's 200 programs and
# the cell-model test run in `make test` (about 7 CPU minutes with the synthesis and the build);
# pynq's 50 and examples/matvec_pynq.s in `make test-long`.
NETLIST_TEST := "DLVTA_TSIM_VARIANT=netlist $(BUILD)/tests/test_tsim_random -n 200 -s 700000 tiny"
NETLIST_LONG := "DLVTA_TSIM_VARIANT=netlist $(BUILD)/tests/test_tsim_random -n 50 -s 800000 pynq" \
                "DLVTA_TSIM_VARIANT=netlist tests/example_matvec.sh verilator"
NETLIST_DEPS := $(BUILD)/tiny/libtsim_netlist.so $(BUILD)/pynq/libtsim_netlist.so
.PHONY: netlist-sim
netlist-sim: deps all $(BUILD)/tests/test_tsim_random $(NETLIST_DEPS)
	@tools/run_tests.sh sim/tsim/cells/test_cells.sh $(NETLIST_TEST) $(NETLIST_LONG)

TEST_SCRIPTS += hw/test_resreport.sh hw/test_boards.sh sim/tsim/cells/test_cells.sh $(NETLIST_TEST)
# UltraScale+'s DSP48E2 instantiation (rtl/dlvta_dsp.v) against its behavioural form
TEST_SCRIPTS += sim/tsim/cells/test_dsp48e2.sh
TEST_DEPS    += $(RESREPORT) $(BUILD)/tiny/libtsim_netlist.so
TEST_LONG    += $(NETLIST_LONG)
TEST_LONG_DEPS += $(NETLIST_DEPS)

include driver/xrt.mk
include hw/timing.mk
