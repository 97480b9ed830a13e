# compiler/compiler.mk -- the compiler front end: ONNX import (protobuf-c code generated from
# ONNX's own onnx.proto into build/gen/onnx/) and the pass pipeline (the graph IR: ir/; the float
# reference executor: ref/; the package: model/). Generated files are never committed.
ONNX_PROTO  ?= /usr/include/onnx/onnx.proto
ONNX_GEN_C  := $(BUILD)/gen/onnx/onnx.pb-c.c
ONNX_GEN_H  := $(BUILD)/gen/onnx/onnx.pb-c.h

COMPILER_SRCS := $(wildcard compiler/*.c)
LIB_SRCS    += $(COMPILER_SRCS) $(ONNX_GEN_C)
EXTRA_GEN   += $(ONNX_GEN_H)
EXTRA_LDLIBS += -lprotobuf-c

# a pattern rule with two targets: one protoc-c run makes both files
$(BUILD)/gen/onnx/%.pb-c.c $(BUILD)/gen/onnx/%.pb-c.h: $(dir $(ONNX_PROTO))%.proto
	@mkdir -p $(BUILD)/gen/onnx
	protoc-c --c_out=$(BUILD)/gen/onnx -I$(dir $<) $<

# protoc-c's output is not ours to keep warning-free
$(BUILD)/obj/$(ONNX_GEN_C:.c=.o): WARN := -w

# the compiler's objects need the generated ONNX header before they compile (only they do)
$(patsubst %.c,$(BUILD)/obj/%.o,$(COMPILER_SRCS)): | $(ONNX_GEN_H)

# ONNX's PyTorch-derived backend tests, through the same walker as the node tests
ONNX_TESTDATA ?= /usr/share/libonnx-testdata/data
TEST_SCRIPTS += "$(BUILD)/tests/test_onnx_node $(ONNX_TESTDATA)/pytorch-converted 75" \
                "$(BUILD)/tests/test_onnx_node $(ONNX_TESTDATA)/pytorch-operator 27"

# reference GEMM / Conv throughput (also written to build/bench/ref_kernels.json)
BENCH_DEPS += $(BUILD)/tests/test_ref_ops
BENCH_CMDS += $(BUILD)/tests/test_ref_ops

# the ONNX test walkers share a header the generic test rule does not list
$(BUILD)/tests/test_onnx_node $(BUILD)/tests/test_onnx_torch: tests/test_onnx_util.h
# the torch test regenerates its models with this script
$(BUILD)/tests/test_onnx_torch: tests/test_onnx_torch_gen.py
