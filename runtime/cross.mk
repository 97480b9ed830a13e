# runtime/cross.mk -- the runtime-only dlvta for the boards' ARM CPUs, with Debian's cross
# compilers (packages gcc-arm-linux-gnueabihf, gcc-aarch64-linux-gnu; tools/deps.sh):
#
#   make cross ARCH=armhf   build/armhf/dlvta   PYNQ-Z1/Z2 (Zynq-7020, Cortex-A9, 32-bit)
#   make cross ARCH=arm64   build/arm64/dlvta   Ultra96-V2 (Zynq UltraScale+, Cortex-A53)
#   make cross              both
#
# The sources are the runtime build's (RT_SRCS, RT_CLI_SRCS), each compiled with its layer's
# include paths (layers.txt). Float code is built with -ffp-contract=off, as on x86, so that CPU
# steps round as they do there (tests/cross_qemu.sh runs both under qemu-user and compares). No
# XRT on the boards' build (the xrt backend reports "built without XRT"); the binary is linked
# dynamically against the board's glibc (it needs no symbol newer than GLIBC_2.34: checked by
# the test). QEMU_armhf / QEMU_arm64 run a cross-built program here.
CROSS_ARCHES       := armhf arm64
CROSS_TRIPLE_armhf := arm-linux-gnueabihf
CROSS_TRIPLE_arm64 := aarch64-linux-gnu
CROSS_CFLAGS_armhf := -mcpu=cortex-a9 -mfpu=neon -mfloat-abi=hard
CROSS_CFLAGS_arm64 := -mcpu=cortex-a53
QEMU_armhf         := qemu-arm -L /usr/$(CROSS_TRIPLE_armhf)
QEMU_arm64         := qemu-aarch64 -L /usr/$(CROSS_TRIPLE_arm64)
CROSS_OPT          := -O2 -g -ffp-contract=off
# ARCH from the command line only (an ARCH in the environment, as kernel builds set, is not ours)
CROSS_SEL := $(if $(filter command line,$(origin ARCH)),$(ARCH),$(CROSS_ARCHES))

.PHONY: cross
cross: $(foreach a,$(CROSS_SEL),$(BUILD)/$(a)/dlvta)
ifneq ($(filter-out $(CROSS_ARCHES),$(CROSS_SEL)),)
	@echo "make cross: ARCH=$(ARCH): expected one of $(CROSS_ARCHES)" >&2; exit 2
endif

define cross_rules
$(call layer_objs_inc,$(BUILD)/$(1)/obj)
$(BUILD)/$(1)/obj/%.o: %.c | $(GEN_HDRS)
	@mkdir -p $$(dir $$@)
	$(CROSS_TRIPLE_$(1))-gcc $$(CPPFLAGS) $$(INC) $(CROSS_OPT) $(CROSS_CFLAGS_$(1)) $$(WARN) -MMD -MP -c $$< -o $$@

$(BUILD)/$(1)/cli/%.o: cli/%.c | $(GEN_HDRS)
	@mkdir -p $$(dir $$@)
	$(CROSS_TRIPLE_$(1))-gcc $$(CPPFLAGS) -DDLVTA_NO_COMPILER $$(RT_CLI_INC) $(CROSS_OPT) $(CROSS_CFLAGS_$(1)) $$(WARN) -MMD -MP -c $$< -o $$@

$(BUILD)/$(1)/libdlvta.a: $(patsubst %.c,$(BUILD)/$(1)/obj/%.o,$(RT_SRCS))
	@rm -f $$@
	$(CROSS_TRIPLE_$(1))-ar rcs $$@ $$^

$(BUILD)/$(1)/dlvta: $(patsubst cli/%.c,$(BUILD)/$(1)/cli/%.o,$(RT_CLI_SRCS)) $(BUILD)/$(1)/libdlvta.a
	$(CROSS_TRIPLE_$(1))-gcc $(CROSS_OPT) $(CROSS_CFLAGS_$(1)) -rdynamic $$^ $(LDLIBS) -o $$@

-include $(patsubst %.c,$(BUILD)/$(1)/obj/%.d,$(RT_SRCS)) $(patsubst cli/%.c,$(BUILD)/$(1)/cli/%.d,$(RT_CLI_SRCS))
endef
$(foreach a,$(CROSS_ARCHES),$(eval $(call cross_rules,$(a))))

TEST_SCRIPTS += tests/cross_qemu.sh
TEST_LONG    += "tests/cross_qemu.sh --resnet18"
TEST_DEPS    += $(foreach a,$(CROSS_ARCHES),$(BUILD)/$(a)/dlvta) $(BUILD)/runtime/dlvta
