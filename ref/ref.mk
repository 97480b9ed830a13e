# ref/ref.mk -- the float reference executor (ref.h): runs an IR graph or one node in plain C.
# The compiler uses it for constant folding and calibration, the runtime for CPU fallback nodes.
LIB_SRCS += $(wildcard ref/*.c)

# the reference kernels (GEMM micro-kernel, elementwise loops) vectorize much better with GCC's dynamic cost model (-O2
# alone uses the "very cheap" one); only where the compiler knows the flag
ifeq ($(shell $(CC) -fvect-cost-model=dynamic -x c -c /dev/null -o /dev/null 2>/dev/null && echo y),y)
$(BUILD)/obj/ref/ref_nn.o $(BUILD)/obj/ref/ref.o $(BUILD)/obj/ref/ref_ops.o: EXTRA_CFLAGS += -ftree-vectorize -fvect-cost-model=dynamic
endif
