/* cli/cmd_compile.c -- `dlvta compile MODEL.onnx [-o MODEL.dlvta] [--config NAME]
 * [--calib [NAME=]SAMPLES.npy]... [--outputs NAME[,NAME]...] [--dump-after PASS] [--no-latency-hiding]
 * [-v]`: the whole compiler
 * (compiler/compile.h) into a package (model/package.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cc.h"
#include "cli.h"
#include "compile.h"
#include "npy.h"
#include "onnx_import.h"

#define USAGE                                                                                          \
  "usage: dlvta compile MODEL.onnx [-o MODEL.dlvta] [--config NAME] [--calib [NAME=]SAMPLES.npy]...\n" \
  "                     [--outputs NAME[,NAME]...] [--dump-after PASS] [--no-latency-hiding] [-v]\n"   \
  "  -o: the package (default: MODEL's file name with .dlvta for .onnx, in the current directory)\n" \
  "  --outputs: end the model at these tensors, in place of its outputs (a detector's decoding and\n"  \
  "  non-maximum suppression left to the host); repeatable\n"                                          \
  "  -v: one line per stage (import, each pass, the package) with its wall and CPU seconds\n"         \
  "  --calib: [N, <input shape>] float samples (an input with a fixed batch B > 1 also takes [N, <one\n" \
  "  sample's shape>], N a multiple of B); a model with several inputs takes one --calib per\n" \
  "  input, each NAME=FILE for the input called NAME, or plain FILEs in the model's input order\n"

/* Checks that calibration samples are [N, <input shape>] (or [N, <input shape without its
 * leading 1>]) for a model input of numel values; returns N or -1 after printing the problem.
 * An input with a fixed batch B > 1 also takes [K, <input shape without its batch>] (K one-sample
 * samples, a multiple of B): the same memory as K / B samples of its shape. */
static int calib_count(const npy_array *a, const char *path, int *numel_out, int64_t numel, int64_t batch) {
  if (a->ndim < 2) {
    cli_error("compile", "%s: calibration samples need a leading batch dimension, got %d dimension(s)", path, a->ndim);
    return -1;
  }
  int64_t per = 1;
  for (int i = 1; i < a->ndim; i++) per *= a->shape[i];
  int64_t n = cc_calib_samples(a->shape[0], per, numel, batch);
  if (n == CC_CALIB_NOT_MULTIPLE) {
    cli_error("compile", "%s: %lld one-sample calibration samples for an input with a fixed batch of %lld: give a multiple "
              "of %lld", path, (long long)a->shape[0], (long long)batch, (long long)batch);
    return -1;
  }
  if (n == CC_CALIB_WRONG_SIZE) {
    char buf[128];
    cli_error("compile", "%s: shape %s: each sample has %lld values, the model's input has %lld", path,
              npy_shape_str(a->ndim, a->shape, buf, sizeof buf), (long long)per, (long long)numel);
    return -1;
  }
  *numel_out = (int)numel;
  return (int)n;
}

#define MAX_INPUTS 16

/* A model exported with dynamic spatial axes (dynamic_axes={'input': {2: 'h', 3: 'w'}}) is
 * compiled for the size of its calibration samples: input t's unknown extents other than the
 * batch take the samples' ([N, <input shape>] or [N, <input shape without its batch>]). A sample
 * shape of another rank, or one that contradicts a known extent, is left for calib_count. */
static void fix_extents(ir_tensor *t, const npy_array *a, const char *path) {
  int r = t->type.rank, off = a->ndim - 1 == r ? 0 : a->ndim == r ? 1 : -1, changed = 0;
  if (r < 2 || off < 0) return;
  for (int i = off; i < r; i++)
    if (t->type.dims[i] >= 0 && t->type.dims[i] != a->shape[1 + i - off]) return;
  for (int i = 1; i < r; i++)
    if (t->type.dims[i] < 0) {
      t->type.dims[i] = a->shape[1 + i - off];
      free(t->dim_param[i]);
      t->dim_param[i] = NULL;
      changed = 1;
    }
  if (changed) {
    char buf[128];
    printf("note: input '%s' has dynamic extents: compiled for %s, the size of the samples of %s\n", t->name,
           npy_shape_str(r - 1, t->type.dims + 1, buf, sizeof buf), path);
  }
}

/* Reads the calibration files of the model at path (imported as g), one per input (args as
 * cli_bind_inputs takes them), into o->calib_inputs / o->n_calib_inputs / o->n_calib (arrays
 * malloc'ed into bufs[], freed by the caller). 0, or 1 after printing the problem. */
static int read_calib(const char *path, ir_graph *g, const char *const *args, int nargs, cc_options *o,
                      float **bufs, const char **src) {
  char err[2048];
  int n = g->n_inputs, rc = 0;
  const char *names[MAX_INPUTS], *paths[MAX_INPUTS];
  if (n > MAX_INPUTS) {
    cli_error("compile", "%s: %d inputs; --calib takes at most %d", path, n, MAX_INPUTS);
    return 1;
  }
  for (int i = 0; i < n; i++) names[i] = g->tensors[g->inputs[i]]->name;
  if (cli_bind_inputs("compile", "--calib", args, nargs, names, n, paths)) rc = 1;
  for (int i = 0; i < n && !rc; i++) {
    npy_array ca = {0};
    if (npy_read(paths[i], &ca, err, sizeof err) != 0) {
      cli_error("compile", "%s", err);
      rc = 1;
      break;
    }
    fix_extents(g->tensors[g->inputs[i]], &ca, paths[i]);
    ir_type t = g->tensors[g->inputs[i]]->type;
    if (t.rank > 0 && t.dims[0] < 0) t.dims[0] = 1;
    int per, cnt = calib_count(&ca, paths[i], &per, ir_type_numel(&t), t.rank > 1 ? t.dims[0] : 1);
    if (cnt == 0) cli_error("compile", "%s: no samples", paths[i]);
    if (cnt > 0 && i > 0 && cnt != o->n_calib) {
      cli_error("compile", "%s: %d samples for input '%s', but %d for input '%s'", paths[i], cnt, names[i], o->n_calib,
                names[0]);
      cnt = -1;
    }
    if (cnt > 0 && !(bufs[i] = npy_to_f32(&ca))) cli_error("compile", "out of memory"), cnt = -1;
    npy_free(&ca);
    if (cnt < 1) {
      rc = 1;
      break;
    }
    o->n_calib = cnt;
  }
  if (!rc) {
    o->calib_inputs = (const float *const *)bufs;
    o->n_calib_inputs = n;
    *src = n == 1 ? paths[0] : "one file per input";
  }
  return rc;
}

/* Seconds on the clock c (CLOCK_MONOTONIC: wall, CLOCK_PROCESS_CPUTIME_ID: CPU of every thread). */
static double seconds(clockid_t c) {
  struct timespec t;
  clock_gettime(c, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

#define MAX_CUT 64 /* --outputs */

/* The default package path: MODEL's file name, its .onnx replaced by (else followed by) .dlvta. */
static void default_out(const char *in, char *out, size_t n) {
  const char *base = strrchr(in, '/') ? strrchr(in, '/') + 1 : in;
  size_t len = strlen(base);
  if (len > 5 && !strcmp(base + len - 5, ".onnx")) len -= 5;
  snprintf(out, n, "%.*s.dlvta", (int)len, base);
}

int cmd_compile(int argc, char **argv) {
  const char *in = NULL, *out = NULL, *cfg = "pynq", *dump = NULL;
  const char *calib[MAX_INPUTS], *cut[MAX_CUT];
  char out_buf[1024];
  int nlh = 0, ncalib = 0, verbose = 0, ncut = 0;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "-o") && i + 1 < argc) out = argv[++i];
    else if (!strcmp(argv[i], "--outputs") && i + 1 < argc) {
      if (cli_add_outputs("compile", argv[++i], cut, &ncut, MAX_CUT)) return 2;
    }
    else if (!strcmp(argv[i], "--config") && i + 1 < argc) cfg = argv[++i];
    else if (!strcmp(argv[i], "--calib") && i + 1 < argc) {
      if (ncalib == MAX_INPUTS) {
        cli_error("compile", "--calib given more than %d times", MAX_INPUTS);
        return 2;
      }
      calib[ncalib++] = argv[++i];
    } else if (!strcmp(argv[i], "--dump-after") && i + 1 < argc) dump = argv[++i];
    else if (!strcmp(argv[i], "--no-latency-hiding")) nlh = 1;
    else if (!strcmp(argv[i], "-v")) verbose = 1;
    else if (argv[i][0] == '-' || in) {
      cli_error("compile", "unexpected argument '%s'\n%s", argv[i], USAGE);
      return 2;
    } else in = argv[i];
  }
  if (!in) {
    fprintf(stderr, USAGE);
    return 2;
  }
  if (!out) default_out(in, out_buf, sizeof out_buf), out = out_buf;
  if (!isa_config_find(cfg)) {
    cli_error("compile", "unknown config '%s' (known: %s)", cfg, isa_config_names());
    return 2;
  }
  if (dump && strcmp(dump, "all") && strcmp(dump, "import") && !cc_find_pass(dump)) {
    cli_error("compile", "--dump-after: no pass named '%s'; the passes are:", dump);
    cc_print_passes(stderr);
    return 2;
  }
  cc_options o = {.config = cfg, .no_latency_hiding = nlh, .dump_after = dump, .dump_to = stdout, .log = stdout,
                  .verbose = verbose, .outputs = ncut ? cut : NULL, .n_outputs = ncut};
  double w0 = seconds(CLOCK_MONOTONIC), c0 = seconds(CLOCK_PROCESS_CPUTIME_ID);
  float *bufs[MAX_INPUTS] = {0};
  const char *src = NULL;
  char err[2048];
  /* the samples are checked against the model's inputs once their shapes are known: compiling
   * first without samples would calibrate twice, so the model is imported here (once), its
   * inputs looked at, and the graph compiled */
  ir_graph *g = NULL;
  if (onnx_import(in, &g, err, sizeof err) != IR_OK) {
    cli_error("compile", "%s", err);
    return 1;
  }
  if (verbose)
    printf("cc: %-18s %5d nodes %6d tensors %8.3f s %8.3f s CPU\n", "import", g->n_nodes, g->n_tensors,
           seconds(CLOCK_MONOTONIC) - w0, seconds(CLOCK_PROCESS_CPUTIME_ID) - c0);
  if (ncalib && read_calib(in, g, calib, ncalib, &o, bufs, &src)) {
    for (int i = 0; i < MAX_INPUTS; i++) free(bufs[i]);
    ir_graph_free(g);
    return 1;
  }
  cc_model *m = NULL;
  int rc = cc_compile_graph(g, in, &o, &m, err, sizeof err);
  for (int i = 0; i < MAX_INPUTS; i++) free(bufs[i]);
  if (rc != IR_OK) {
    cli_error("compile", "%s", err);
    if (rc == IR_UNSUPPORTED && !ncut && strstr(err, "operator not supported"))
      fprintf(stderr, "  (--outputs NAME,... compiles the model up to the tensors named, leaving what follows them, "
                      "such as a detector's decoding, to the host)\n");
    return 1;
  }
  /* the compile's own note stays (a model that needed no calibration) */
  if (!m->calib[0] && ncalib)
    snprintf(m->calib, sizeof m->calib, "%d samples from %s, per-tensor MSE-clipped ranges", o.n_calib, src);
  else if (!m->calib[0])
    snprintf(m->calib, sizeof m->calib, "8 synthetic N(0,1) inputs (no --calib), per-tensor MSE-clipped ranges");
  w0 = seconds(CLOCK_MONOTONIC), c0 = seconds(CLOCK_PROCESS_CPUTIME_ID);
  if (cc_package_write(m, out, err, sizeof err) != 0) {
    cli_error("compile", "%s", err);
    cc_model_free(m);
    return 1;
  }
  if (verbose)
    printf("cc: %-18s %34.3f s %8.3f s CPU\n", "write package", seconds(CLOCK_MONOTONIC) - w0,
           seconds(CLOCK_PROCESS_CPUTIME_ID) - c0);
  printf("wrote %s (config %s, %d layers, %d steps)\n", out, m->cfg->d.name, m->nl, m->ns);
  cc_model_free(m);
  return 0;
}
