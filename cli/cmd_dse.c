/* cli/cmd_dse.c -- `dlvta dse MODEL.onnx --board pynq|ultra96 [--budget lut=N,ff=N,dsp=N,bram=N]
 * [-o BEST.cfg] [--name NAME] [--model-error] [--quiet]`: design-space exploration. Sweeps
 * accelerator configs (GEMM shape, buffer depths, AXI width, accumulator copies, and on a board
 * with DSP48E2 slices the GEMM pump) around the board's config, keeps those whose predicted resources (dse_model.c) fit the budget, compiles
 * the model for each (the compiler's cost model, one synthetic calibration sample: the cost
 * model needs shapes, not scales), prints the Pareto front of latency against utilization and
 * writes the fastest config as a config file that the build and the compiler take
 * (make CONFIG_FILE=BEST.cfg, dlvta compile --config BEST.cfg). hw/DSE.md has the method. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cc.h"
#include "cli.h"
#include "compile.h"
#include "dse.h"

#define USAGE                                                                                           \
  "usage: dlvta dse MODEL.onnx --board pynq|ultra96 [--budget lut=N,ff=N,dsp=N,bram=N] [-o BEST.cfg]\n" \
  "                 [--name NAME] [--model-error] [--quiet]\n"                                            \
  "       dlvta dse --predict CONFIG|FILE.cfg [--board B]   the models' figures for one config\n"

typedef struct cand {
  isa_derived k;
  char name[ISA_CONFIG_NAME_MAX + 1];
  dse_res r;
  double util;      /* largest fraction of the board's LUT, FF, DSP, BRAM */
  double fmax;      /* MHz */
  uint64_t cycles;  /* the compiler's prediction; 0: not compiled */
  double ms;        /* cycles at the estimated fmax */
  int front;
  char why[160];    /* why it was dropped */
} cand;

/* "lut=30000,dsp=150": any of lut, ff, dsp, bram; 0 or -1 with a message. */
static int parse_budget(const char *s, dse_res *b) {
  char buf[256];
  if (strlen(s) >= sizeof buf) {
    cli_error("dse", "--budget: too long");
    return -1;
  }
  strcpy(buf, s);
  char *save = NULL;
  for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
    char *eq = strchr(t, '=');
    if (!eq) {
      cli_error("dse", "--budget: '%s' is not KEY=N (keys: lut, ff, dsp, bram)", t);
      return -1;
    }
    *eq = 0;
    char *end;
    double v = strtod(eq + 1, &end);
    if (eq[1] == 0 || *end || !(v > 0) || !isfinite(v)) {
      cli_error("dse", "--budget: %s=%s is not a positive number", t, eq + 1);
      return -1;
    }
    if (!strcmp(t, "lut")) b->lut = v;
    else if (!strcmp(t, "ff")) b->ff = v;
    else if (!strcmp(t, "dsp")) b->dsp = v;
    else if (!strcmp(t, "bram")) b->bram = v;
    else {
      cli_error("dse", "--budget: unknown resource '%s' (lut, ff, dsp, bram)", t);
      return -1;
    }
  }
  return 0;
}

static double cpu_s(void) { return (double)clock() / CLOCKS_PER_SEC; }
static double wall_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void progress(int on, const char *stage, int i, int n) {
  if (!on) return;
  fprintf(stderr, "\r\033[Kdse: %s %d/%d", stage, i, n);
  if (i == n) fputc('\n', stderr);
  fflush(stderr);
}

static int cmp_ms(const void *a, const void *b) {
  const cand *x = a, *y = b;
  if (!x->cycles != !y->cycles) return x->cycles ? -1 : 1;
  if (x->ms != y->ms) return x->ms < y->ms ? -1 : 1;
  return x->util < y->util ? -1 : x->util > y->util;
}

/* GEMM shapes BLOCK_IN x BLOCK_OUT: square, and block_out twice block_in (as ultra96's 1x16x32
 * before its GEMM was pumped: the back end needs block_out a multiple of block_in, cg.h) */
static const unsigned dse_shapes[][2] = {{8, 8}, {16, 16}, {32, 32}, {8, 16}, {16, 32}};
#define N_SHAPES (int)(sizeof dse_shapes / sizeof dse_shapes[0])
#define N_CAND_MAX (5 * 3 * 3 * 2 * 2 * 2)

/* The largest gemm_pump board b takes: 2 (the GEMM's slices on clk2x, twice the core clock) where
 * its DSP slices are DSP48E2 (xcup: rtl/dlvta_gemm.v, isa/configs.def), else 1. */
static unsigned pump_max(const dse_board *b) { return strcmp(b->family, "xcup") ? 1 : 2; }

/* The candidates around the board's config base that derive and fit the budget, into c
 * (N_CAND_MAX); returns how many. */
static int gen_candidates(const isa_derived *base, const dse_board *b, const dse_res *budget, cand *c) {
  /* ---- candidates: the base config's queues, latencies and clock; the shape, depths, AXI
   * width, accumulator copies and (DSP48E2 boards) the GEMM pump swept */
  static const double scales[] = {0.5, 1, 2};
  int n = 0;
  for (int bs = 0; bs < N_SHAPES; bs++)
    for (int sa = 0; sa < 3; sa++)  /* input, accumulator (and output) and micro-op depths */
      for (int sw = 0; sw < 3; sw++) /* weight depth */
        for (unsigned axi = 64; axi <= b->axi_max; axi *= 2)
          for (unsigned ac = 1; ac <= 2; ac++)
            for (unsigned pump = 1; pump <= pump_max(b); pump++) {
              cand *x = &c[n];
              x->k = *base;
              x->k.block_in = dse_shapes[bs][0], x->k.block_out = dse_shapes[bs][1];
              x->k.axi_bits = axi, x->k.acc_copies = ac, x->k.gemm_pump = pump;
              unsigned sc_uop = (unsigned)(base->uop_depth * scales[sa]), sc_inp = (unsigned)(base->inp_depth * scales[sa]);
              unsigned sc_wgt = (unsigned)(base->wgt_depth * scales[sw]), sc_acc = (unsigned)(base->acc_depth * scales[sa]);
              x->k.uop_bytes = sc_uop * 4;
              x->k.inp_bytes = sc_inp * x->k.batch * x->k.block_in * x->k.inp_bits / 8;
              x->k.wgt_bytes = sc_wgt * x->k.block_out * x->k.block_in * x->k.wgt_bits / 8;
              x->k.acc_bytes = sc_acc * x->k.batch * x->k.block_out * x->k.acc_bits / 8;
              snprintf(x->name, sizeof x->name, "dse%d", n);
              x->k.name = x->name;
              isa_config tmp;
              char err[256];
              if (isa_config_derive(&x->k, &tmp, err, sizeof err)) continue; /* fields do not fit */
              x->k = tmp.d;
              x->k.name = x->name;
              dse_resources(&x->k, &x->r);
              x->util = fmax(fmax(x->r.lut / b->lut, x->r.ff / b->ff), fmax(x->r.dsp / b->dsp, x->r.bram / b->bram));
              if (x->r.lut > budget->lut || x->r.ff > budget->ff || x->r.dsp > budget->dsp || x->r.bram > budget->bram) continue;
              x->fmax = dse_fmax(&x->k, b);
              n++;
            }
  return n;
}

/* Compile the model for each candidate: its predicted cycles and latency, or why not. Returns
 * how many compiled. */
static int compile_candidates(const char *model, cand *c, int n, int show) {
  /* ---- cycles: compile the model for each candidate */
  int ok = 0;
  for (int i = 0; i < n; i++) {
    progress(show, "compiling candidates", i, n);
    cand *x = &c[i];
    const isa_config *cfg;
    char err[512];
    if (isa_config_register(&x->k, &cfg, err, sizeof err)) {
      snprintf(x->why, sizeof x->why, "%.150s", err);
      continue;
    }
    cc_options o = {.config = cfg->d.name, .n_synth = 1};
    cc_model *m = NULL;
    if (cc_compile(model, &o, &m, err, sizeof err) != IR_OK) {
      snprintf(x->why, sizeof x->why, "%.150s", err);
      continue;
    }
    for (int l = 0; l < m->nl; l++) x->cycles += m->l[l].predicted_cycles;
    cc_model_free(m);
    if (!x->cycles) continue;
    x->ms = (double)x->cycles / (x->fmax * 1e3);
    ok++;
  }
  return ok;
}

/* The Pareto front as a table, and the candidates that did not compile. */
static void print_front(const cand *c, int n) {
  printf("Pareto front (latency at the estimated clock vs. the largest share of a resource):\n");
  printf("  %-7s %-8s %4s %6s %6s %6s %4s %4s %12s %7s %9s %7s %7s %5s %7s %6s\n", "name", "gemm", "pump", "uop", "inp",
         "wgt", "acc", "axi", "cycles", "MHz", "ms", "LUT", "FF", "DSP", "BRAM36", "util");
  for (int i = 0; i < n; i++) {
    const cand *x = &c[i];
    if (!x->front) continue;
    printf("  %-7s %ux%ux%-4u %4u %6u %6u %6u %2ux%u %4u %12llu %7.1f %9.3f %7.0f %7.0f %5.0f %7.1f %5.1f%%\n", x->name,
           x->k.batch, x->k.block_in, x->k.block_out, x->k.gemm_pump, x->k.uop_depth, x->k.inp_depth, x->k.wgt_depth, x->k.acc_copies,
           x->k.acc_depth, x->k.axi_bits, (unsigned long long)x->cycles, x->fmax, x->ms, x->r.lut, x->r.ff, x->r.dsp,
           x->r.bram, 100 * x->util);
  }
  int dropped = 0;
  for (int i = 0; i < n; i++) dropped += !c[i].cycles;
  if (dropped) printf("(%d candidates did not compile, e.g. %s: %s)\n", dropped, c[n - 1].name, c[n - 1].why);

}

/* --predict CONFIG [--board B]: the models' figures for one config (a name or a file). */
static int predict_one(const char *arg, const char *board_name) {
  char err[512];
  const isa_config *cfg = isa_config_resolve(arg, err, sizeof err);
  const dse_board *b = dse_board_find(board_name ? board_name : "pynq");
  if (!cfg || !b) {
    cli_error("dse", "%s", cfg ? "unknown board (boards: pynq, ultra96)" : err);
    return 2;
  }
  dse_res r;
  dse_resources(&cfg->d, &r);
  printf("%s (%ux%ux%u, GEMM pump %u, %u acc copies, AXI %u) on %s: LUT %.0f, FF %.0f, DSP %.0f, BRAM36 %.1f, "
         "fmax %.1f MHz\n",
         cfg->d.name, cfg->d.batch, cfg->d.block_in, cfg->d.block_out, cfg->d.gemm_pump, cfg->d.acc_copies,
         cfg->d.axi_bits, b->name, r.lut, r.ff, r.dsp, r.bram, dse_fmax(&cfg->d, b));
  return 0;
}

int cmd_dse(int argc, char **argv) {
  const char *model = NULL, *board_name = NULL, *budget = NULL, *out = NULL, *name = NULL;
  const char *predict = NULL;
  int quiet = 0, model_error = 0;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--board") && i + 1 < argc) board_name = argv[++i];
    else if (!strcmp(argv[i], "--budget") && i + 1 < argc) budget = argv[++i];
    else if (!strcmp(argv[i], "-o") && i + 1 < argc) out = argv[++i];
    else if (!strcmp(argv[i], "--name") && i + 1 < argc) name = argv[++i];
    else if (!strcmp(argv[i], "--quiet")) quiet = 1;
    else if (!strcmp(argv[i], "--model-error")) model_error = 1;
    else if (!strcmp(argv[i], "--predict") && i + 1 < argc) predict = argv[++i];
    else if (argv[i][0] == '-' || model) {
      cli_error("dse", "unexpected argument '%s'\n%s", argv[i], USAGE);
      return 2;
    } else model = argv[i];
  }
  if (predict) return predict_one(predict, board_name);
  if (model_error && !model && !board_name) {
    dse_print_model_error(stdout);
    return 0;
  }
  if (!model || !board_name) {
    fprintf(stderr, USAGE);
    return 2;
  }
  const dse_board *b = dse_board_find(board_name);
  if (!b) {
    cli_error("dse", "unknown board '%s' (boards: %s)", board_name, dse_board_names());
    return 2;
  }
  /* default budget: 90 % of the device (make synth's SYNTH_LIMIT) */
  dse_res lim = {0.9 * b->lut, 0.9 * b->ff, 0.9 * b->dsp, 0.9 * b->bram};
  if (budget && parse_budget(budget, &lim)) return 2;
  char defname[64];
  snprintf(defname, sizeof defname, "dse_%s", b->name);
  if (!name) name = defname;
  char defout[128];
  snprintf(defout, sizeof defout, "%s.cfg", name);
  if (!out) out = defout;
  if (access(model, R_OK)) {
    cli_error("dse", "%s: cannot read the model", model);
    return 2;
  }
  {
    isa_derived probe;
    isa_config tmp;
    char err[256];
    const isa_config *base = isa_config_find(b->base_config);
    probe = base->d;
    probe.name = name;
    if (isa_config_derive(&probe, &tmp, err, sizeof err)) {
      cli_error("dse", "--name: %s", err);
      return 2;
    }
    if (isa_config_find(name)) {
      cli_error("dse", "--name: '%s' is a built-in config; choose another name", name);
      return 2;
    }
  }
  if (model_error) dse_print_model_error(stdout);
  int show = !quiet && isatty(2);

  const isa_derived *base = &isa_config_find(b->base_config)->d;
  cand *c = calloc(N_CAND_MAX, sizeof *c);
  if (!c) return 1;
  int n = gen_candidates(base, b, &lim, c);
  if (n == 0) {
    cli_error("dse", "no config fits the budget (LUT %.0f, FF %.0f, DSP %.0f, BRAM36 %.1f) on %s", lim.lut, lim.ff,
              lim.dsp, lim.bram, b->name);
    free(c);
    return 1;
  }

  double w0 = wall_s(), c0 = cpu_s();
  int ok = compile_candidates(model, c, n, show);
  progress(show, "compiling candidates", n, n);
  double wall = wall_s() - w0, cpu = cpu_s() - c0;
  if (!ok) {
    cli_error("dse", "the model compiled for none of the %d candidates; the first: %s", n, c[0].why);
    free(c);
    return 1;
  }
  qsort(c, (size_t)n, sizeof *c, cmp_ms);
  /* Pareto front: sorted by latency, a candidate is on it if it uses less than every faster one */
  double best_util = 1e30;
  for (int i = 0; i < n && c[i].cycles; i++)
    if (c[i].util < best_util) c[i].front = 1, best_util = c[i].util;

  printf("dse: %s on %s (%s): %d candidates fit the budget (LUT %.0f, FF %.0f, DSP %.0f, BRAM36 %.1f), %d compiled "
         "in %.1f s (%.1f s CPU)\n",
         model, b->name, b->part, n, lim.lut, lim.ff, lim.dsp, lim.bram, ok, wall, cpu);
  print_front(c, n);
  /* ---- the fastest, as a config file */
  const cand *best = &c[0];
  FILE *f = fopen(out, "w");
  if (!f) {
    cli_error("dse", "%s: cannot write", out);
    free(c);
    return 1;
  }
  isa_derived k = best->k;
  k.name = name;
  fprintf(f, "# written by dlvta dse for %s on %s: predicted %llu cycles, %.3f ms at %.1f MHz (estimate);\n", model,
          b->name, (unsigned long long)best->cycles, best->ms, best->fmax);
  fprintf(f, "# LUT %.0f, FF %.0f, DSP %.0f, BRAM36 %.1f (model; hw/DSE.md). Build: make CONFIG_FILE=%s "
             "CONFIG_BOARD=%s ...; compile: dlvta compile --config %s\n",
          best->r.lut, best->r.ff, best->r.dsp, best->r.bram, out, b->name, out);
  isa_config_write(&k, f);
  if (fclose(f)) {
    cli_error("dse", "%s: write failed", out);
    free(c);
    return 1;
  }
  printf("best: %s (%ux%ux%u, %llu cycles, %.3f ms) written to %s as config '%s'\n", best->name, k.batch, k.block_in,
         k.block_out, (unsigned long long)best->cycles, best->ms, out, name);
  free(c);
  return 0;
}
