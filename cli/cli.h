/* cli/cli.h -- the dlvta command-line tool: one function per subcommand, listed in main.c. Each
 * returns the process exit code (0 ok, 1 failure, 2 usage) and prints its own errors as
 * "dlvta CMD: message" on stderr. */
#ifndef DLVTA_CLI_H
#define DLVTA_CLI_H

#include "isa.h"

int cmd_asm(int argc, char **argv);
int cmd_disasm(int argc, char **argv);
int cmd_sim(int argc, char **argv);
int cmd_configs(int argc, char **argv);
int cmd_progen(int argc, char **argv);
int cmd_compile(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_selftest(int argc, char **argv);
int cmd_dse(int argc, char **argv);

/* Load a program from assembly text or a binary program file (chosen by its first bytes).
 * cfg_name may be NULL. Prints the error and returns -1 on failure. */
int cli_load_prog(const char *cmd, const char *path, const char *cfg_name, isa_prog *out);

/* Print a diagnostic "dlvta CMD: ..." to stderr. */
void cli_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
