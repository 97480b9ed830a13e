/* cli/main.c -- `dlvta`: dispatches to the subcommands (all but `compile` in the runtime-only
 * build, runtime/runtime.mk, compiled with -DDLVTA_NO_COMPILER). */
#include <errno.h>
#if defined(__GLIBC__) || defined(__linux__)
#include <malloc.h>
#endif
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "package.h"
#include "progress.h"

#ifndef DLVTA_VERSION
#define DLVTA_VERSION "(unknown version)" /* the Makefile passes VERSION's */
#endif

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
     "compile MODEL.onnx [-o MODEL.dlvta] [--config NAME] [--calib [NAME=]SAMPLES.npy]... [--outputs NAME,...]\n"
     "        [--dump-after PASS] [--no-latency-hiding]   compile an ONNX model into a package"},
    {"compare", cmd_compare,
     "compare MODEL.onnx MODEL.dlvta --input X.npy [--backend fsim|verilator|zynq] [--json] [--calib S.npy]\n"
     "                                            every layer: float reference, int8 reference, fsim\n"
     "                                            and the backend side by side; the first mismatch"},
    {"profile", cmd_profile,
     "profile MODEL.dlvta --input X.npy [--backend fsim|verilator] -o TRACE.json|REPORT.svg\n"
     "                                            a timeline (Chrome/Perfetto trace events) or a\n"
     "                                            per-layer roofline / utilization chart"},
    {"reference", cmd_reference,
     "reference MODEL.onnx --input X.npy [--output Y.npy] [--outputs NAME,...]\n"
     "                                            run an ONNX model in float (reference executor)"},
    {"dse", cmd_dse,
     "dse MODEL.onnx --board pynq|ultra96 [--budget lut=N,ff=N,dsp=N,bram=N] [-o BEST.cfg] [--name NAME]\n"
     "        [--model-error] [--quiet]           sweep accelerator configs: Pareto front, best config"},
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

int cli_parse_u64(const char *cmd, const char *opt, const char *text, uint64_t lo, uint64_t hi, uint64_t *out) {
  const char *p = text;
  while (*p == ' ' || *p == '\t') p++;
  if (*p == '-' || *p == '+' || !*p) {
    cli_error(cmd, "%s '%s': expected a number from %llu to %llu", opt, text, (unsigned long long)lo,
              (unsigned long long)hi);
    return -1;
  }
  char *end;
  errno = 0;
  unsigned long long v = strtoull(p, &end, 0);
  if (*end || errno == ERANGE || v < lo || v > hi) {
    cli_error(cmd, "%s '%s': %s; expected a number from %llu to %llu", opt, text,
              *end ? "not a number" : "out of range", (unsigned long long)lo, (unsigned long long)hi);
    return -1;
  }
  *out = v;
  return 0;
}

static void usage(FILE *f) {
  fprintf(f, "usage: dlvta COMMAND [ARGS] [--quiet]   (dlvta COMMAND --help for details; --quiet: no progress line)\n"
             "       dlvta --version\n\ncommands:\n");
  for (int i = 0; i < N_COMMANDS; i++) fprintf(f, "  %s\n", commands[i].usage);
}

/* Config files on the command line, for every command: `--config FILE.cfg` loads and registers
 * the file and passes its name on; `--config-file FILE.cfg` (any number, e.g. for `run`, whose
 * package names its config by fingerprint) loads it and is removed. 0, or 2 after a message. */
static int load_config_args(int *argc, char **argv) {
  char err[512];
  int out = 0;
  for (int a = 0; a < *argc; a++) {
    int is_file_opt = !strcmp(argv[a], "--config-file");
    if ((is_file_opt || !strcmp(argv[a], "--config")) && a + 1 < *argc &&
        (is_file_opt || isa_config_is_file(argv[a + 1]))) {
      const isa_config *c = isa_config_load(argv[a + 1], err, sizeof err);
      if (!c) {
        fprintf(stderr, "dlvta: %s\n", err);
        return 2;
      }
      if (is_file_opt) {
        a++;
        continue;
      }
      argv[out++] = argv[a++];
      argv[out++] = (char *)c->d.name;
      continue;
    }
    argv[out++] = argv[a];
  }
  *argc = out;
  argv[out] = NULL;
  return 0;
}

int main(int argc, char **argv) {
#if defined(__GLIBC__) && defined(M_MMAP_THRESHOLD)
  /* the reference executor's tensors (calibration, CPU fallback) are large and short-lived:
   * kept in the heap once freed, not handed back to the kernel and faulted in again */
  mallopt(M_MMAP_MAX, 0);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
#endif
  if (load_config_args(&argc, argv)) return 2;
  if (argc == 2 && (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version"))) {
    printf("dlvta %s (packages of format %u; `dlvta configs` lists the hardware configs)\n", DLVTA_VERSION,
           CC_PKG_FORMAT);
    return 0;
  }
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
    /* --quiet (any command): no progress line (util/progress.h; it is off anyway when stderr
     * is not a terminal) */
    int quiet = 0, n = 2;
    for (int a = 2; a < argc; a++) {
      if (!strcmp(argv[a], "--quiet")) quiet = 1;
      else argv[n++] = argv[a];
    }
    argv[n] = NULL;
    util_progress_enable(!quiet);
    return commands[i].fn(n - 1, argv + 1);
  }
  fprintf(stderr, "dlvta: unknown command '%s'\n", argv[1]);
  usage(stderr);
  return 2;
}
