# isa/isa.mk -- libisa, the generators, and the generated headers: per config dlvta_isa.h and
# dlvta_isa.vh (isagen, from isa.def and configs.def) and dlvta_regs.vh; build/gen/dlvta_regs.h
# (regsgen, from regs.def: the register map is the same for every config, its Verilog include
# sits beside each config's dlvta_isa.vh so that every -I build/<config> finds it).
ISA_SRCS := isa/isa.c isa/config_file.c isa/asm.c isa/util.c
LIB_SRCS += $(ISA_SRCS)
GEN_HDRS += $(BUILD)/gen/dlvta_regs.h $(foreach c,$(CONFIGS),$(BUILD)/$(c)/dlvta_regs.vh)

$(BUILD)/isagen: $(ISA_SRCS) isa/isagen.c isa/isa.h isa/isa.def isa/configs.def isa/util.h
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) $(ISA_SRCS) isa/isagen.c -o $@

$(BUILD)/%/dlvta_isa.h $(BUILD)/%/dlvta_isa.vh: $(BUILD)/isagen
	@mkdir -p $(BUILD)/$*
	$(BUILD)/isagen $* $(BUILD)/$*

# a config from a file (Makefile: CONFIG_FILE): isagen reads the file and also writes config.def
ifneq ($(FILE_CONFIG),)
$(BUILD)/$(FILE_CONFIG)/dlvta_isa.h $(BUILD)/$(FILE_CONFIG)/dlvta_isa.vh $(BUILD)/$(FILE_CONFIG)/config.def &: \
    $(BUILD)/isagen $(CONFIG_FILE)
	@mkdir -p $(BUILD)/$(FILE_CONFIG)
	$(BUILD)/isagen $(CONFIG_FILE) $(BUILD)/$(FILE_CONFIG)
endif

$(BUILD)/regsgen: isa/regsgen.c isa/regs.def isa/isa.def
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) isa/regsgen.c -o $@

$(BUILD)/gen/dlvta_regs.h: $(BUILD)/regsgen
	@mkdir -p $(dir $@)
	$(BUILD)/regsgen h $@

$(BUILD)/%/dlvta_regs.vh: $(BUILD)/regsgen
	@mkdir -p $(dir $@)
	$(BUILD)/regsgen vh $@
