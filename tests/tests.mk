# tests/tests.mk -- plain-C test programs (tests/test_*.c) and shell tests (tests/*.sh).
TEST_PROGS += $(patsubst tests/%.c,%,$(wildcard tests/test_*.c))
TEST_SCRIPTS += $(wildcard tests/cli_*.sh)
TEST_SCRIPTS += tests/build_fresh.sh tests/test_run_tests.sh tests/onnx_node_f32.sh
# no function over 120 lines in the product's C (tools/fnlen.sh), and the checker itself
TEST_SCRIPTS += tools/fnlen.sh "tools/fnlen.sh --self-test"
TEST_DEPS += $(BUILD)/tests/pkg_corrupt
TEST_SCRIPTS += tests/demo_trained.sh
