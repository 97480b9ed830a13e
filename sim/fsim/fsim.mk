# sim/fsim/fsim.mk -- the functional simulator (fsim), the random program generator (progen),
# and fsim's benchmark. Tests tests/test_fsim*.c and tests/test_progen.c are picked up by
# tests/tests.mk. fsim_exec.c's ALU loops and fsim_gemm.c's plain-C GEMM vectorize at the default
# -O2 (-O3 measured slower); the SSE2 / AVX2 / AVX-512 VNNI GEMM kernels and fsim.c's AVX2 /
# AVX-512 read-burst scans are chosen at run time (FSIM_SIMD=scalar|sse2|avx2 caps them, fsim.h).
LIB_SRCS += $(wildcard sim/fsim/*.c)

# the tests share the reference model in tests/test_fsim_ref.h
$(BUILD)/tests/test_fsim $(BUILD)/tests/test_fsim_proto $(BUILD)/tests/test_progen: tests/test_fsim_ref.h

# make bench: a double-buffered pynq GEMM workload of about 300 MMAC; JSON in build/bench/.
BENCH_DEPS += $(BUILD)/tests/bench_fsim
BENCH_CMDS += '$(BUILD)/tests/bench_fsim $(BUILD)/bench/fsim.json pynq 72'

# make test-long: fifty times the random programs of make test.
TEST_LONG += '$(BUILD)/tests/test_progen 50'
