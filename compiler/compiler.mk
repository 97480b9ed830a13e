# compiler/compiler.mk -- the compiler front end: ONNX import (protobuf-c code generated from
# ONNX's own onnx.proto into build/gen/), the graph IR, the float reference executor and the
# pass pipeline. Generated files are never committed.
ONNX_PROTO  ?= /usr/include/onnx/onnx.proto
ONNX_GEN_C  := $(BUILD)/gen/onnx.pb-c.c
ONNX_GEN_H  := $(BUILD)/gen/onnx.pb-c.h

COMPILER_SRCS := $(wildcard compiler/*.c)
LIB_SRCS    += $(COMPILER_SRCS) $(ONNX_GEN_C)
EXTRA_GEN   += $(ONNX_GEN_H)
EXTRA_LDLIBS += -lprotobuf-c

# a pattern rule with two targets: one protoc-c run makes both files
$(BUILD)/gen/%.pb-c.c $(BUILD)/gen/%.pb-c.h: $(dir $(ONNX_PROTO))%.proto
	@mkdir -p $(BUILD)/gen
	protoc-c --c_out=$(BUILD)/gen -I$(dir $<) $<

# protoc-c's output is not ours to keep warning-free
$(BUILD)/obj/$(ONNX_GEN_C:.c=.o): WARN := -w

# the reference kernels (GEMM micro-kernel, elementwise loops) vectorize much better with GCC's dynamic cost model (-O2
# alone uses the "very cheap" one); only where the compiler knows the flag
ifeq ($(shell $(CC) -fvect-cost-model=dynamic -x c -c /dev/null -o /dev/null 2>/dev/null && echo y),y)
$(BUILD)/obj/compiler/ref_nn.o $(BUILD)/obj/compiler/ref.o: EXTRA_CFLAGS += -ftree-vectorize -fvect-cost-model=dynamic
endif

# compiler headers are contracts: objects that include them rebuild via -MMD; the ops table too
$(patsubst %.c,$(BUILD)/obj/%.o,$(COMPILER_SRCS)): compiler/ir_ops.def

# ONNX's PyTorch-derived backend tests, through the same walker as the node tests
ONNX_TESTDATA ?= /usr/share/libonnx-testdata/data
TEST_SCRIPTS += "$(BUILD)/tests/test_onnx_node $(ONNX_TESTDATA)/pytorch-converted 55" \
                "$(BUILD)/tests/test_onnx_node $(ONNX_TESTDATA)/pytorch-operator 10"

# reference GEMM / Conv throughput (also written to build/bench/ref_kernels.json)
BENCH_DEPS += $(BUILD)/tests/test_ref_ops
BENCH_CMDS += $(BUILD)/tests/test_ref_ops

# the ONNX test walkers share a header the generic test rule does not list
$(BUILD)/tests/test_onnx_node $(BUILD)/tests/test_onnx_torch: tests/test_onnx_util.h
# the torch test regenerates its models with this script
$(BUILD)/tests/test_onnx_torch: tests/test_onnx_torch_gen.py
