# tests/tests.mk -- plain-C test programs (tests/test_*.c) and shell tests (tests/*.sh).
TEST_PROGS += $(patsubst tests/%.c,%,$(wildcard tests/test_*.c))
TEST_SCRIPTS += $(wildcard tests/cli_*.sh)
TEST_SCRIPTS += tests/build_fresh.sh
