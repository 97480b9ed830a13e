# hw/timing.mk -- timing estimates (make timing, hw/TIMING.md): yosys synth_xilinx and `sta` for
# each board config (plain and -nocarry -nowidelut) and hw/sta's analysis of every
# register-to-register path; build/<config>/timing.txt and timing.json.
#
#   make timing                   pynq and ultra96; fails (and says which) when a config misses
#                                 its clock (isa/configs.def) by the method of hw/TIMING.md
#   make timing-pynq              one config (timing-ultra96, timing-tiny likewise)
#   make timing-pynq TIMING_TOP=dlvta_alu_lane
#                                 one module of a config, with its default parameters (seconds
#                                 for a small one): build/pynq/timing-dlvta_alu_lane/timing.txt
#   TIMING_VARIANTS=plain         skip the -nocarry -nowidelut synthesis
#   TIMING_REUSE=1                re-analyse the netlists of the last run (no yosys)

TIMING_CONFIGS := pynq ultra96 ultra96x2
TIMING_TOP     ?= dlvta_top
STA            := $(BUILD)/hw/sta

# timing_sh CONFIG FAMILY: hw/timing.sh for one config (shell words; CONFIG may be a shell
# variable); exit status 0 meets, 1 misses, 2 error
timing_sh = nice hw/timing.sh $(1) $(2) \
  "$$(sed -n 's/^`define DLVTA_CLOCK_MHZ //p' $(BUILD)/$(1)/dlvta_isa.vh)" $(BUILD)/$(1) \
  $(BUILD)/$(1)$(if $(filter-out dlvta_top,$(TIMING_TOP)),/timing-$(TIMING_TOP)) $(RTL_SRCS)

.PHONY: timing $(addprefix timing-,$(TIMING_CONFIGS) tiny $(FILE_CONFIG))
timing: $(STA) $(foreach c,$(TIMING_CONFIGS),$(BUILD)/$(c)/dlvta_isa.vh $(BUILD)/$(c)/dlvta_regs.vh)
	@miss=; err=; \
	for cf in $(foreach c,$(TIMING_CONFIGS),$(c):$(or $(SYNTH_FAMILY_$(c)),xc7)); do \
	  c=$${cf%%:*} f=$${cf#*:}; \
	  $(call timing_sh,$$c,$$f); \
	  case $$? in 0) ;; 1) miss="$$miss $$c" ;; *) err="$$err $$c" ;; esac; \
	done; \
	[ -z "$$err" ] || echo "timing: FAILED to analyse:$$err"; \
	[ -z "$$miss" ] || echo "timing: MISSES its clock by the estimate:$$miss (build/<config>/timing.txt)"; \
	[ -n "$$miss$$err" ] || echo "timing: every config meets its clock"; \
	[ -z "$$miss$$err" ]

$(addprefix timing-,$(TIMING_CONFIGS) tiny $(FILE_CONFIG)): timing-%: $(STA) $(BUILD)/%/dlvta_isa.vh $(BUILD)/%/dlvta_regs.vh
	@$(call timing_sh,$*,$(or $(SYNTH_FAMILY_$*),xc7))

$(STA): hw/sta.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) hw/sta.c -lm -o $@

TEST_SCRIPTS += hw/test_sta.sh
TEST_DEPS    += $(STA)
