# sim/fsim/fsim.mk -- the functional simulator.
LIB_SRCS += $(wildcard sim/fsim/*.c)
