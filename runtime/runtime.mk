# runtime/runtime.mk -- the runtime (runtime.h: a package's plan on a device; npy.h: NumPy files)
# and the runtime-only build.
#
#   make runtime   build/runtime/libdlvta.a and build/runtime/dlvta: the runtime with all it may
#                  use (layers.txt: the driver and its backends, fsim, the model layer, the IR, the
#                  reference executor, the ISA) and the dlvta commands that need no compiler (run,
#                  sim, asm, disasm, progen, configs); no compiler, protobuf-c or ONNX, as a board
#                  needs it. tests/test_runtime_build.sh runs a package on it bit for bit as on the
#                  full build.
RUNTIME_SRCS := $(wildcard runtime/*.c)
LIB_SRCS += $(RUNTIME_SRCS)

# The runtime's whole source list, from the layer table (the closure of what the runtime and the
# driver's backends may use): the one list a cross build reuses. RT_CLI_SRCS: its commands.
RT_LAYERS   := runtime drv-fsim drv-tsim
RT_SRCS     := $(sort $(foreach c,$(sort $(foreach l,$(RT_LAYERS),$(call layer_closure,$(l)))),$(LAYER_SRCS_$(c))))
RT_CLI_SRCS := cli/main.c cli/cmd_run.c cli/inputs.c cli/cmd_sim.c cli/cmd_isa.c cli/cmd_progen.c cli/cmd_selftest.c
# the commands see the runtime's layers and fsim (progen), not the compiler's; main.c leaves
# `compile` out of its table
RT_CLI_INC  := -Icli $(sort $(LAYER_INC_runtime) $(LAYER_INC_fsim))
RT_CLI_OBJS := $(patsubst %.c,$(BUILD)/runtime/obj/%.o,$(RT_CLI_SRCS))

.PHONY: runtime
runtime: $(BUILD)/runtime/dlvta

$(BUILD)/runtime/libdlvta.a: $(patsubst %.c,$(BUILD)/obj/%.o,$(RT_SRCS))
	@mkdir -p $(dir $@)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/runtime/obj/cli/%.o: cli/%.c | $(GEN_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -DDLVTA_NO_COMPILER $(RT_CLI_INC) $(CFLAGS) $(WARN) -MMD -MP -c $< -o $@

$(BUILD)/runtime/dlvta: $(RT_CLI_OBJS) $(BUILD)/runtime/libdlvta.a
	$(CC) $(CFLAGS) -rdynamic $(RT_CLI_OBJS) $(BUILD)/runtime/libdlvta.a $(XRT_LDLIBS) $(LDLIBS) -o $@

TEST_SCRIPTS += tests/test_runtime_build.sh
TEST_DEPS    += $(BUILD)/runtime/dlvta
-include $(RT_CLI_OBJS:.o=.d)
include runtime/cross.mk
