# sim/tsim/tsim.mk -- tsim: the Verilated RTL of each config as build/<config>/libtsim.so (and
# libtsim_trace.so with FST support, on demand). Needs verilator; the main build does not.
#
#   make tsim              libtsim.so for every config
#   make tsim-trace        libtsim_trace.so for every config
#   build/<config>/libtsim_acc2.so   the RTL with two accumulator copies whatever the config's
#                                    acc_copies (DLVTA_TSIM_VARIANT=acc2)
TSIM_CONFIGS := tiny pynq ultra96
RTL_SRCS     := $(wildcard rtl/dlvta_*.v)
VERILATOR    ?= verilator
CXX          ?= g++
TSIM_CXXFLAGS := -O1 -fPIC -fvisibility=hidden -std=c++14 -w
TSIM_SHIM    := sim/tsim/tsim.cpp sim/tsim/tsim.h isa/isa.c isa/util.c isa/isa.h isa/isa.def \
                isa/configs.def driver/dlvta_drv.h driver/drv_impl.h driver/drv_regs_priv.h \
                $(BUILD)/gen/dlvta_regs.h

# $(call tsim_rules,<config>,<lib name>,<obj dir>,<verilator flags>,<-D>,<libs>,<runtime objects>)
# Builds in a private directory and renames the library into place, so that two makes running
# at once in this tree (several engineers share it) never see or write a half-built library.
define tsim_rules
$(BUILD)/$(1)/$(2): $(RTL_SRCS) $(TSIM_SHIM) $(BUILD)/$(1)/dlvta_isa.vh $(BUILD)/$(1)/dlvta_regs.vh
	+@set -e; d=$(BUILD)/$(1)/$(3).$$$$$$$$; rm -rf $$$$d; \
	echo "verilator $(4) [$(1)] -> $$@"; \
	$(VERILATOR) --cc -Wno-fatal -Wno-lint -Wno-style $(4) --prefix Vdlvta_$(1) --top-module dlvta_top \
	  -Irtl -I$(BUILD)/$(1) -Mdir $$$$d --x-assign fast --x-initial fast \
	  -CFLAGS "-fPIC -fvisibility=hidden" $(RTL_SRCS) >/dev/null; \
	$(MAKE) -s -C $$$$d -f Vdlvta_$(1).mk OPT_FAST="-O2" OPT_SLOW="-O1" OPT_GLOBAL="-O1" \
	  Vdlvta_$(1)__ALL.a $(7) >/dev/null; \
	$(CC) -std=c11 -D_DEFAULT_SOURCE -O1 -fPIC -fvisibility=hidden -Iisa -c isa/isa.c -o $$$$d/isa.o; \
	$(CC) -std=c11 -D_DEFAULT_SOURCE -O1 -fPIC -fvisibility=hidden -Iisa -c isa/util.c -o $$$$d/util.o; \
	$(CXX) $(TSIM_CXXFLAGS) -shared -o $$$$d/$(2) -DTSIM_TOP=Vdlvta_$(1) -DTSIM_TOP_H='"Vdlvta_$(1).h"' \
	  -DTSIM_CONFIG='"$(1)"' $(5) -I$$$$d -I/usr/share/verilator/include \
	  -I/usr/share/verilator/include/vltstd -Isim/tsim -Iisa -Idriver -I$(BUILD)/gen \
	  sim/tsim/tsim.cpp $$$$d/isa.o $$$$d/util.o \
	  $$$$d/Vdlvta_$(1)__ALL.a $$(addprefix $$$$d/,$(7)) $(6) -lpthread; \
	mv -f $$$$d/$(2) $$@; rm -rf $$$$d
endef

$(foreach c,$(TSIM_CONFIGS),$(eval $(call tsim_rules,$(c),libtsim.so,vtsim,,,,verilated.o verilated_threads.o)))
$(foreach c,$(TSIM_CONFIGS),$(eval $(call tsim_rules,$(c),libtsim_trace.so,vtsim_trace,--trace-fst,-DTSIM_TRACE,-lz,verilated.o verilated_threads.o verilated_fst_c.o)))

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
