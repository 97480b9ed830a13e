# sim/tsim/tsim.mk -- tsim: the Verilated RTL of each config as build/<config>/libtsim.so (and
# libtsim_trace.so with FST support, on demand). Needs verilator; the main build does not.
#
#   make tsim              libtsim.so for every config
#   make tsim-trace        libtsim_trace.so for every config
#   build/<config>/libtsim_acc2.so   the RTL with two accumulator copies whatever the config's
#                                    acc_copies (DLVTA_TSIM_VARIANT=acc2)
#   build/<config>/libtsim_netlist.so  the post-synthesis netlist (DLVTA_TSIM_VARIANT=netlist)
TSIM_CONFIGS := tiny pynq ultra96 ultra96x2 $(FILE_CONFIG)
# a config from a file (Makefile: CONFIG_FILE) is compiled into the library's libisa
ifneq ($(FILE_CONFIG),)
TSIM_ISA_DEFS_$(FILE_CONFIG) := -DDLVTA_EXTRA_CONFIGS='"$(abspath $(BUILD)/$(FILE_CONFIG)/config.def)"'
TSIM_ISA_DEPS_$(FILE_CONFIG) := $(BUILD)/$(FILE_CONFIG)/config.def
endif
RTL_SRCS     := $(wildcard rtl/dlvta_*.v)
VERILATOR    ?= verilator
CXX          ?= g++
TSIM_CXXFLAGS := -O1 -fPIC -fvisibility=hidden -std=c++14 -w
TSIM_SHIM    := sim/tsim/tsim.cpp sim/tsim/tsim.h isa/isa.c isa/util.c isa/isa.h isa/isa.def \
                isa/configs.def dev/dlvta_dev.h \
                $(BUILD)/gen/dlvta_regs.h

# Profile-guided optimization of the Verilated model (libtsim.so only; TSIM_PGO=0 turns it off):
# the model's objects are built with -fprofile-generate into a private library, the trainer
# runs on it (bench_tsim: a double-buffered GEMM with requantization and stores, ResNet's mix,
# about a second), and the objects are rebuilt with -fprofile-use. The model is a few functions
# of straight-line code evaluated every cycle; the profile lays out their branches: pynq's
# ResNet-18 on the RTL 27.5 -> 22.5 s of CPU. A config the trainer does not run (tiny) leaves
# no profile and gets the plain build. -fprofile-partial-training: code the training did not
# reach is optimized as without a profile (not for size).
TSIM_PGO         ?= 1
TSIM_PGO_TRAINER := $(BUILD)/tsim/bench_tsim
# The model is compiled for this machine's CPU (the library is built where it runs; TSIM_MARCH=
# for a portable one): BMI and AVX2 take bench_tsim pynq 1.96 -> 1.81 G instructions. AVX-512 is
# left out: no faster here, and valgrind (callgrind, the load-independent measure of the model's
# cost on this shared machine) cannot run it.
TSIM_MARCH       ?= -march=native -mno-avx512f
TSIM_OPT         := -O2 $(TSIM_MARCH)
# extra Verilator options of every model (experiments; e.g. --inline-mult -1)
TSIM_VFLAGS      ?=
TSIM_OPT_GEN     := $(TSIM_OPT) -fprofile-generate -fprofile-update=single
TSIM_OPT_USE     := $(TSIM_OPT) -fprofile-use -fprofile-partial-training -Wno-missing-profile

# $(call tsim_rules,<config>,<lib name>,<obj dir>,<verilator flags>,<-D>,<libs>,<runtime objects>
#                   [,<Verilog sources, default the RTL>[,pgo]])
# Builds in a private directory and renames the library into place, so that two makes running
# at once in this tree (several engineers share it) never see or write a half-built library.
# tsim_link: the shell command linking the objects of directory $$d into $(2) (extra flags $(3))
tsim_link = $(CXX) $(TSIM_CXXFLAGS) $(3) -shared -o $(2) -DTSIM_TOP=Vdlvta_$(1) -DTSIM_TOP_H='"Vdlvta_$(1).h"' -DTSIM_ROOT_H='"Vdlvta_$(1)___024root.h"' \
	  -DTSIM_CONFIG='"$(1)"' $(5) -I$$$$d -I/usr/share/verilator/include \
	  -I/usr/share/verilator/include/vltstd $(LAYER_INC_tsim) \
	  sim/tsim/tsim.cpp $$$$d/isa.o $$$$d/util.o \
	  $$$$d/Vdlvta_$(1)__ALL.a $$(addprefix $$$$d/,$(7)) $(6) -lpthread
define tsim_rules
$(BUILD)/$(1)/$(2): $(or $(8),$(RTL_SRCS)) $(TSIM_SHIM) $(BUILD)/$(1)/dlvta_isa.vh $(BUILD)/$(1)/dlvta_regs.vh $(TSIM_ISA_DEPS_$(1)) \
  $(if $(9),$(if $(filter 1,$(TSIM_PGO)),| $(TSIM_PGO_TRAINER)))
	$(RECURSE)@set -e; d=$(BUILD)/$(1)/$(3).$$$$$$$$; rm -rf $$$$d; \
	echo "verilator $(4) [$(1)] -> $$@"; \
	$(VERILATOR) --cc -Wno-fatal -Wno-lint -Wno-style --prefix Vdlvta_$(1) --top-module dlvta_top \
	  -Irtl -I$(BUILD)/$(1) -Mdir $$$$d --x-assign fast --x-initial fast $(TSIM_VFLAGS) $(4) \
	  -CFLAGS "-fPIC -fvisibility=hidden" $(or $(8),$(RTL_SRCS)) >/dev/null; \
	$(CC) -std=c11 -D_DEFAULT_SOURCE -O1 -fPIC -fvisibility=hidden -Iisa $(TSIM_ISA_DEFS_$(1)) -c isa/isa.c -o $$$$d/isa.o; \
	$(CC) -std=c11 -D_DEFAULT_SOURCE -O1 -fPIC -fvisibility=hidden -Iisa -c isa/util.c -o $$$$d/util.o; \
	opt="$(TSIM_OPT)"; \
	if [ -n "$(9)" ] && [ "$(TSIM_PGO)" = 1 ]; then \
	  $(SUBMAKE) -s -C $$$$d -f Vdlvta_$(1).mk OPT_FAST="$(TSIM_OPT_GEN)" OPT_SLOW="-O1" OPT_GLOBAL="-O1" \
	    Vdlvta_$(1)__ALL.a $(7) >/dev/null; \
	  mkdir -p $$$$d/pgo/$(1); \
	  $(call tsim_link,$(1),$$$$d/pgo/$(1)/libtsim.so,-fprofile-generate,,$(5),$(6),$(7)); \
	  DLVTA_TSIM_DIR=$$$$d/pgo DLVTA_TSIM_VARIANT= $(TSIM_PGO_TRAINER) $(1) >$$$$d/pgo/train.log 2>&1 || :; \
	  if ls $$$$d/*.gcda >/dev/null 2>&1; then opt="$(TSIM_OPT_USE)"; \
	    echo "  $$@: profile-guided (trained on $(TSIM_PGO_TRAINER) $(1))"; fi; \
	  rm -f $$$$d/Vdlvta_*.o $$$$d/Vdlvta_$(1)__ALL.a $(addprefix $$$$d/,$(7)); \
	fi; \
	$(SUBMAKE) -s -C $$$$d -f Vdlvta_$(1).mk OPT_FAST="$$$$opt" OPT_SLOW="-O1" OPT_GLOBAL="-O1" \
	  Vdlvta_$(1)__ALL.a $(7) >/dev/null; \
	$(call tsim_link,$(1),$$$$d/$(2),,,$(5),$(6),$(7)); \
	mv -f $$$$d/$(2) $$@; rm -rf $$$$d
endef

$(foreach c,$(TSIM_CONFIGS),$(eval $(call tsim_rules,$(c),libtsim.so,vtsim,,,,verilated.o verilated_threads.o,,pgo)))
$(foreach c,$(TSIM_CONFIGS),$(eval $(call tsim_rules,$(c),libtsim_trace.so,vtsim_trace,--trace-fst,-DTSIM_TRACE,-lz,verilated.o verilated_threads.o verilated_fst_c.o)))

# libtsim_itrace.so: every signal public (slower), for TSIM_ITRACE's per-instruction trace of
# each unit's busy spans (DLVTA_TSIM_VARIANT=itrace), to set beside fsim's FSIM_TRACE.
$(foreach c,$(TSIM_CONFIGS),$(eval $(call tsim_rules,$(c),libtsim_itrace.so,vtsim_itrace,--public-flat-rw,-DTSIM_ITRACE,,verilated.o verilated_threads.o)))

# libtsim.so has the config's accumulator copies (DLVTA_ACC_COPIES: pynq and tiny 1, ultra96 2).
# The two-copy build of a one-copy config (dlvta_top #(.AccCopies(2))), loaded with
# DLVTA_TSIM_VARIANT=acc2, lets `make test` cover the two-copy RTL on tiny (ultra96, the only
# two-copy config, runs in `make test-long` only). Its cycle counts differ from fsim's estimate
# for the config (fsim models the config's copies); results are the same.
$(foreach c,$(TSIM_CONFIGS),$(eval $(call tsim_rules,$(c),libtsim_acc2.so,vtsim_acc2,-GAccCopies=2,,,verilated.o verilated_threads.o)))

TSIM_LIBS := $(foreach c,$(TSIM_CONFIGS),$(BUILD)/$(c)/libtsim.so)
.PHONY: tsim tsim-trace
tsim: $(TSIM_LIBS)
tsim-trace: $(foreach c,$(TSIM_CONFIGS),$(BUILD)/$(c)/libtsim_trace.so)

# The post-synthesis netlist: build/<config>/netlist.v, written by the same yosys run as `make
# synth` (hw/synth.sh, hw/hw.mk), flattened Xilinx primitives, simulated with yosys's models
# (/usr/share/yosys/xilinx/cells_sim.v) less the ones that sim/tsim/cells/ replaces: RAMB18E1 and
# RAMB36E1, which cells_sim.v declares without behaviour, and LUT1-6 and CARRY4, whose models
# there are several times slower under Verilator (see the files); its `always @* x <= y` (DSP48E1)
# become `x = y`, the same value without Verilator's scheduling of NBAs in combinational logic.
# DLVTA_TSIM_VARIANT=netlist loads the library; `make netlist-sim` (hw/hw.mk) runs it against
# fsim. Unknown bits (INIT = x of flip-flops that have no reset value, unused inputs tied to x)
# are 0, as the FPGA configures them (--x-assign/--x-initial 0). Verilator configuration of the
# generated netlist and why SPLITVAR / UNOPTFLAT are waived: sim/tsim/cells/netlist.vlt;
# COMBDLY / INITIALDLY are the style of cells_sim.v (the FFs' `initial Q <= INIT`).
YOSYS_SHARE    ?= /usr/share/yosys
NETLIST_MODELS := $(sort $(wildcard sim/tsim/cells/*.v))
NETLIST_CELLS  := sim/tsim/cells/netlist.vlt $(NETLIST_MODELS) $(BUILD)/cells/cells_sim.v
NETLIST_VFLAGS := --x-assign 0 --x-initial 0 -Wno-COMBDLY -Wno-INITIALDLY -Wno-SPLITVAR -Wno-UNOPTFLAT
$(BUILD)/cells/cells_sim.v: $(YOSYS_SHARE)/xilinx/cells_sim.v $(NETLIST_MODELS)
	@mkdir -p $(dir $@)
	@set -e; mods=$$(sed -n 's/^module \([A-Za-z0-9_]*\).*/\1/p' $(NETLIST_MODELS) | tr '\n' ' '); \
	awk -v mods=" $$mods" 'BEGIN { n = split(mods, m, " "); for (i = 1; i <= n; i++) own[m[i]] = 1 } \
	  /^module / { name = $$2; sub(/[ (].*/, "", name); skip = (name in own) } \
	  !skip { print } /^endmodule/ { skip = 0 }' $< | \
	  sed -E 's/^([[:space:]]*(else[[:space:]]+)?always @\* [A-Za-z0-9_]+ )<= /\1= /' >$@.tmp; \
	for m in FDRE DSP48E1 RAM32M; do grep -q "^module $$m " $@.tmp || \
	  { echo "$<: no $$m model (yosys too old?)" >&2; exit 1; }; done; \
	mv -f $@.tmp $@
$(foreach c,$(TSIM_CONFIGS),$(eval $(call tsim_rules,$(c),libtsim_netlist.so,vtsim_netlist,$(NETLIST_VFLAGS),,,verilated.o verilated_threads.o,$(BUILD)/$(c)/netlist.v $(NETLIST_CELLS))))
