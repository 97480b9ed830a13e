# cli/cli.mk -- the dlvta command-line tool.
CLI_SRCS += $(wildcard cli/*.c)
