/* cli/cli.h -- the dlvta command-line tool: one function per subcommand, listed in main.c. Each
 * returns the process exit code (0 ok, 1 failure, 2 usage) and prints its own errors as
 * "dlvta CMD: message" on stderr. */
#ifndef DLVTA_CLI_H
#define DLVTA_CLI_H

#include <stdint.h>

#include "isa.h"

int cmd_asm(int argc, char **argv);
int cmd_disasm(int argc, char **argv);
int cmd_sim(int argc, char **argv);
int cmd_configs(int argc, char **argv);
int cmd_progen(int argc, char **argv);
int cmd_compile(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_selftest(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_profile(int argc, char **argv);
int cmd_reference(int argc, char **argv);
int cmd_dse(int argc, char **argv);

/* Load a program from assembly text or a binary program file (chosen by its first bytes).
 * cfg_name may be NULL. Prints the error and returns -1 on failure. */
int cli_load_prog(const char *cmd, const char *path, const char *cfg_name, isa_prog *out);

/* Binds the values of option opt given nargs times (args: each "NAME=FILE" for the model input
 * called NAME, or a plain FILE) to the model's n inputs (names[], in the model's order): either
 * every arg names its input, in any order, or none does and they follow the model's order.
 * paths[i] gets input i's FILE (pointing into args). 0, or -1 after printing the problem
 * (count mismatch, a mix of both forms, an input given twice). */
int cli_bind_inputs(const char *cmd, const char *opt, const char *const *args, int nargs, const char *const *names, int n,
                    const char **paths);

/* Estimated Fmax of config cfg in MHz from cli/fmax.def (the one table of them), and where the
 * figure comes from in *source; 0 if the config has none. */
double cli_fmax_mhz(const char *cfg, const char **source);

/* How many inputs of the model's shape (rank, dims) the array a holds: 1 for that shape, N for
 * a leading N over it or over it without its leading 1 (*stacked = 1), 0 for any other shape
 * (cmd_compare.c; compare and profile). */
struct npy_array;
int64_t cli_input_count(int rank, const int64_t *dims, const struct npy_array *a, int *stacked);

/* Parse the value of option opt as an unsigned integer (decimal, or 0x hex) in [lo, hi]. On a
 * malformed or out-of-range value prints "dlvta CMD: OPT 'TEXT': ..." and returns -1. */
int cli_parse_u64(const char *cmd, const char *opt, const char *text, uint64_t lo, uint64_t hi, uint64_t *out);

/* --outputs NAME[,NAME]... (dlvta compile, reference): appends the names of list (cut in place at
 * its commas) to names[*n], at most max in all; -1 after saying what is wrong (an empty name, too
 * many). */
int cli_add_outputs(const char *cmd, char *list, const char **names, int *n, int max);

/* Print a diagnostic "dlvta CMD: ..." to stderr. */
void cli_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
