# isa/isa.mk -- libisa, the generator, and the generated per-config headers.
ISA_SRCS := isa/isa.c isa/asm.c isa/util.c
LIB_SRCS += $(ISA_SRCS)

$(BUILD)/isagen: $(ISA_SRCS) isa/isagen.c isa/isa.h isa/isa.def isa/configs.def isa/util.h
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) $(ISA_SRCS) isa/isagen.c -o $@

$(BUILD)/%/dlvta_isa.h $(BUILD)/%/dlvta_isa.vh: $(BUILD)/isagen
	@mkdir -p $(BUILD)/$*
	$(BUILD)/isagen $* $(BUILD)/$*
