# driver/driver.mk -- libdlvta's runtime: the device contract and its backends.
LIB_SRCS += $(wildcard driver/*.c)
