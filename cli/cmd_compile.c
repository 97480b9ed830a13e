/* cli/cmd_compile.c -- `dlvta compile MODEL.onnx -o MODEL.dlvta [--config NAME]
 * [--calib SAMPLES.npy] [--dump-after PASS] [--no-latency-hiding]`: the whole compiler
 * (compiler/compile.h) into a package (model/package.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cc.h"
#include "cli.h"
#include "compile.h"
#include "npy.h"
#include "onnx_import.h"

#define USAGE                                                                                        \
  "usage: dlvta compile MODEL.onnx -o MODEL.dlvta [--config NAME] [--calib SAMPLES.npy]\n"          \
  "                     [--dump-after PASS] [--no-latency-hiding]\n"

/* Checks that calibration samples are [N, <input shape>] (or [N, <input shape without its
 * leading 1>]) for the model's single input; returns N or -1 after printing the problem. */
static int calib_count(const npy_array *a, const char *path, int *numel_out, int64_t numel) {
  if (a->ndim < 2) {
    cli_error("compile", "%s: calibration samples need a leading batch dimension, got %d dimension(s)", path, a->ndim);
    return -1;
  }
  int64_t per = 1;
  for (int i = 1; i < a->ndim; i++) per *= a->shape[i];
  if (per != numel) {
    char buf[128];
    cli_error("compile", "%s: shape %s: each sample has %lld values, the model's input has %lld", path,
              npy_shape_str(a->ndim, a->shape, buf, sizeof buf), (long long)per, (long long)numel);
    return -1;
  }
  *numel_out = (int)per;
  return (int)a->shape[0];
}

int cmd_compile(int argc, char **argv) {
  const char *in = NULL, *out = NULL, *cfg = "pynq", *calib = NULL, *dump = NULL;
  int nlh = 0;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "-o") && i + 1 < argc) out = argv[++i];
    else if (!strcmp(argv[i], "--config") && i + 1 < argc) cfg = argv[++i];
    else if (!strcmp(argv[i], "--calib") && i + 1 < argc) calib = argv[++i];
    else if (!strcmp(argv[i], "--dump-after") && i + 1 < argc) dump = argv[++i];
    else if (!strcmp(argv[i], "--no-latency-hiding")) nlh = 1;
    else if (argv[i][0] == '-' || in) {
      cli_error("compile", "unexpected argument '%s'\n%s", argv[i], USAGE);
      return 2;
    } else in = argv[i];
  }
  if (!in || !out) {
    fprintf(stderr, USAGE);
    return 2;
  }
  if (!isa_config_find(cfg)) {
    cli_error("compile", "unknown config '%s' (known: %s)", cfg, isa_config_names());
    return 2;
  }
  if (dump && strcmp(dump, "all") && strcmp(dump, "import") && !cc_find_pass(dump)) {
    cli_error("compile", "--dump-after: no pass named '%s'; the passes are:", dump);
    cc_print_passes(stderr);
    return 2;
  }
  cc_options o = {.config = cfg, .no_latency_hiding = nlh, .dump_after = dump, .dump_to = stdout, .log = stdout};
  npy_array ca = {0};
  float *cf = NULL;
  char err[2048];
  if (calib) {
    if (npy_read(calib, &ca, err, sizeof err) != 0) {
      cli_error("compile", "%s", err);
      return 1;
    }
    cf = npy_to_f32(&ca);
    if (!cf) {
      cli_error("compile", "out of memory");
      npy_free(&ca);
      return 1;
    }
  }
  /* the sample size is checked against the model once its input shape is known: compile
   * first without samples would calibrate twice, so peek at the model's input here */
  if (calib) {
    ir_graph *g = NULL;
    if (onnx_import(in, &g, err, sizeof err) != IR_OK) {
      cli_error("compile", "%s", err);
      npy_free(&ca), free(cf);
      return 1;
    }
    if (g->n_inputs != 1) {
      cli_error("compile", "%s: --calib needs a model with one input, this one has %d", in, g->n_inputs);
      ir_graph_free(g);
      npy_free(&ca), free(cf);
      return 1;
    }
    ir_type t = g->tensors[g->inputs[0]]->type;
    if (t.rank > 0 && t.dims[0] < 0) t.dims[0] = 1;
    int64_t numel = ir_type_numel(&t);
    ir_graph_free(g);
    int per;
    int n = calib_count(&ca, calib, &per, numel);
    if (n < 1) {
      if (n == 0) cli_error("compile", "%s: no samples", calib);
      npy_free(&ca), free(cf);
      return 1;
    }
    o.calib = cf;
    o.n_calib = n;
  }
  cc_model *m = NULL;
  int rc = cc_compile(in, &o, &m, err, sizeof err);
  npy_free(&ca);
  free(cf);
  if (rc != IR_OK) {
    cli_error("compile", "%s", err);
    return 1;
  }
  if (o.calib) snprintf(m->calib, sizeof m->calib, "%d samples from %s, per-tensor MSE-clipped ranges", o.n_calib, calib);
  else snprintf(m->calib, sizeof m->calib, "8 synthetic N(0,1) inputs (no --calib), per-tensor MSE-clipped ranges");
  if (cc_package_write(m, out, err, sizeof err) != 0) {
    cli_error("compile", "%s", err);
    cc_model_free(m);
    return 1;
  }
  printf("wrote %s (config %s, %d layers, %d steps)\n", out, m->cfg->d.name, m->nl, m->ns);
  cc_model_free(m);
  return 0;
}
