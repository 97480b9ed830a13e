# util/util.mk -- small helpers below every layer that reports to a person (progress.h).
LIB_SRCS += $(wildcard util/*.c)
