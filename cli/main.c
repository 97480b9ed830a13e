/* cli/main.c -- `dlvta`: dispatches to the subcommands (all but `compile` in the runtime-only
 * build, runtime/runtime.mk, compiled with -DDLVTA_NO_COMPILER). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

typedef struct command {
  const char *name;
  int (*fn)(int argc, char **argv);
  const char *usage;
} command;

static const command commands[] = {
    {"asm", cmd_asm, "asm FILE.s -o FILE.bin [--config NAME]     assemble a program"},
    {"disasm", cmd_disasm, "disasm FILE.bin [-o FILE.s]                disassemble a program"},
    {"sim", cmd_sim,
     "sim PROGRAM --config NAME [--backend B] [--dump FILE] [--json]\n"
     "                                            run a program (.s or .bin) and print counters"},
    {"progen", cmd_progen,
     "progen --config NAME [--seed N] [--insns N] [-o FILE.s|FILE.bin]\n"
     "                                            write a random valid program (for cross-checks)"},
#ifndef DLVTA_NO_COMPILER /* the runtime-only build (make runtime) has no compiler */
    {"compile", cmd_compile,
     "compile MODEL.onnx -o MODEL.dlvta [--config NAME] [--calib [NAME=]SAMPLES.npy]... [--dump-after PASS]\n"
     "        [--no-latency-hiding]               compile an ONNX model into a package"},
#endif
    {"run", cmd_run,
     "run MODEL.dlvta --input [NAME=]X.npy... [--output Y.npy] [--backend fsim|verilator|zynq|xrt] [--stats S.json]\n"
     "                                            run a package on one input or a stack of N"},
    {"selftest", cmd_selftest,
     "selftest --backend zynq|xrt|verilator|fsim [--config NAME] [--options OPTS] [-v]\n"
     "                                            check a device: fingerprint, every instruction\n"
     "                                            and ALU op, tokens, padding, errors, recovery"},
    {"configs", cmd_configs, "configs                                    list hardware configs"},
};

#define N_COMMANDS ((int)(sizeof commands / sizeof commands[0]))

void cli_error(const char *cmd, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "dlvta %s: ", cmd);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
}

static void usage(FILE *f) {
  fprintf(f, "usage: dlvta COMMAND [ARGS]   (dlvta COMMAND --help for details)\n\ncommands:\n");
  for (int i = 0; i < N_COMMANDS; i++) fprintf(f, "  %s\n", commands[i].usage);
}

int main(int argc, char **argv) {
  if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
    usage(argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  for (int i = 0; i < N_COMMANDS; i++) {
    if (strcmp(argv[1], commands[i].name)) continue;
    for (int a = 2; a < argc; a++) {
      if (!strcmp(argv[a], "--help") || !strcmp(argv[a], "-h")) {
        printf("usage: dlvta %s\n", commands[i].usage);
        return 0;
      }
    }
    return commands[i].fn(argc - 1, argv + 1);
  }
  fprintf(stderr, "dlvta: unknown command '%s'\n", argv[1]);
  usage(stderr);
  return 2;
}
