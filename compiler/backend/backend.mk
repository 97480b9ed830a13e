# compiler/backend/backend.mk -- the compiler back end (int8 layers -> accelerator programs) and
# its benchmark. Tests tests/test_cg*.c are picked up by tests/tests.mk.
LIB_SRCS += $(wildcard compiler/backend/*.c)
BENCH_CMDS += "$(BUILD)/tests/bench_cg pynq --json $(BUILD)/bench/cg_resnet18_pynq.json"
BENCH_DEPS += $(BUILD)/tests/bench_cg
TEST_LONG += "$(BUILD)/tests/test_cg 12345 1500"
