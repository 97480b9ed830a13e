/* compiler/compile_package.c -- `dlvta compile` as one library call (compile.h,
 * cc_compile_package): the calibration samples checked against the model's input, the compile,
 * the calibration note and the package file. For applications and bindings (python/dlvta calls
 * it through ctypes) that have samples in memory rather than in a .npy file. */
#include <stdio.h>
#include <string.h>

#include "compile.h"
#include "onnx_import.h"

/* The number of values of each of the n inputs of the model at path, imported as g (a leading
 * dynamic batch dimension counts as 1) into numel[]; 0, or -1 with the problem (a model with
 * another number of inputs) in err. */
static int model_input_numels(const ir_graph *g, const char *path, int n, int64_t *numel, char *err, size_t errlen) {
  if (g->n_inputs != n) {
    snprintf(err, errlen, "%s: calibration samples for %d input(s), the model has %d", path, n, g->n_inputs);
    return -1;
  }
  for (int i = 0; i < n; i++) {
    ir_type t = g->tensors[g->inputs[i]]->type;
    if (t.rank > 0 && t.dims[0] < 0) t.dims[0] = 1;
    numel[i] = ir_type_numel(&t);
  }
  return 0;
}

int cc_compile_package_cut(const char *onnx_path, const char *pkg_path, const char *config, const float *const *calib,
                           int n_inputs, int n_calib, const int64_t *sample_numel, const char *calib_source,
                           int no_latency_hiding, const char *const *outputs, int n_outputs, FILE *log, char *err,
                           size_t errlen) {
  if (!onnx_path || !pkg_path) {
    snprintf(err, errlen, "compile: no %s path", onnx_path ? "package" : "model");
    return IR_ERR;
  }
  if (!config) config = "pynq";
  if (!isa_config_find(config)) {
    snprintf(err, errlen, "unknown config '%s' (known: %s)", config, isa_config_names());
    return IR_ERR;
  }
  int bad = n_calib < 0 || (n_calib > 0 && (!calib || !sample_numel || n_inputs < 1 || n_inputs > 64));
  for (int i = 0; !bad && n_calib > 0 && i < n_inputs; i++) bad = !calib[i];
  if (bad) {
    snprintf(err, errlen, "compile: bad calibration samples (%d samples for %d input(s))", n_calib, n_inputs);
    return IR_ERR;
  }
  const char *src = calib_source && *calib_source ? calib_source : "memory";
  ir_graph *g = NULL; /* imported once: its inputs checked against the samples, then compiled */
  int rc = onnx_import(onnx_path, &g, err, errlen);
  if (rc != IR_OK) return rc;
  if (n_calib > 0) {
    int64_t numel[64];
    if (model_input_numels(g, onnx_path, n_inputs, numel, err, errlen)) {
      ir_graph_free(g);
      return IR_ERR;
    }
    /* an input with a fixed batch B > 1 also takes one-sample samples, B of them to one of its
     * shape (the same memory), as dlvta compile does (cc_calib_samples); every input's count agrees */
    int64_t count = -1;
    for (int i = 0; i < n_inputs; i++) {
      const ir_type *t = &g->tensors[g->inputs[i]]->type;
      int64_t B = t->rank > 1 ? t->dims[0] : 1, c = cc_calib_samples(n_calib, sample_numel[i], numel[i], B);
      if (c == CC_CALIB_NOT_MULTIPLE)
        snprintf(err, errlen, "%s: %d one-sample calibration samples for an input with a fixed batch of %lld: give a "
                 "multiple of %lld", src, n_calib, (long long)B, (long long)B);
      else if (c == CC_CALIB_WRONG_SIZE && n_inputs > 1)
        snprintf(err, errlen, "%s: each calibration sample for input %d has %lld values, that input has %lld", src, i,
                 (long long)sample_numel[i], (long long)numel[i]);
      else if (c == CC_CALIB_WRONG_SIZE)
        snprintf(err, errlen, "%s: each calibration sample has %lld values, the model's input has %lld", src,
                 (long long)sample_numel[i], (long long)numel[i]);
      else if (count >= 0 && c != count)
        snprintf(err, errlen, "%s: the inputs' calibration samples make %lld and %lld samples of the model (one-sample "
                 "samples of one input, whole ones of another)", src, (long long)count, (long long)c);
      if (c < 0 || (count >= 0 && c != count)) {
        ir_graph_free(g);
        return IR_ERR;
      }
      count = c;
    }
    n_calib = (int)count;
  }
  cc_options o = {.config = config, .calib_inputs = n_calib > 0 ? calib : NULL, .n_calib_inputs = n_calib > 0 ? n_inputs : 0,
                  .n_calib = n_calib, .no_latency_hiding = no_latency_hiding, .log = log,
                  .outputs = n_outputs > 0 ? outputs : NULL, .n_outputs = n_outputs > 0 ? n_outputs : 0};
  cc_model *m = NULL;
  rc = cc_compile_graph(g, onnx_path, &o, &m, err, errlen);
  if (rc != IR_OK) return rc;
  /* the compile's own note stays (a model that needed no calibration) */
  if (!m->calib[0] && n_calib > 0)
    snprintf(m->calib, sizeof m->calib, "%d samples from %s, per-tensor MSE-clipped ranges", n_calib, src);
  else if (!m->calib[0])
    snprintf(m->calib, sizeof m->calib, "8 synthetic N(0,1) inputs (no --calib), per-tensor MSE-clipped ranges");
  if (cc_package_write(m, pkg_path, err, errlen) != 0) {
    cc_model_free(m);
    return IR_ERR;
  }
  if (log) fprintf(log, "wrote %s (config %s, %d layers, %d steps)\n", pkg_path, m->cfg->d.name, m->nl, m->ns);
  cc_model_free(m);
  return IR_OK;
}

int cc_compile_package_multi(const char *onnx_path, const char *pkg_path, const char *config, const float *const *calib,
                             int n_inputs, int n_calib, const int64_t *sample_numel, const char *calib_source,
                             int no_latency_hiding, FILE *log, char *err, size_t errlen) {
  return cc_compile_package_cut(onnx_path, pkg_path, config, calib, n_inputs, n_calib, sample_numel, calib_source,
                                no_latency_hiding, NULL, 0, log, err, errlen);
}

int cc_compile_package(const char *onnx_path, const char *pkg_path, const char *config, const float *calib,
                       int n_calib, int64_t sample_numel, const char *calib_source, int no_latency_hiding,
                       FILE *log, char *err, size_t errlen) {
  const float *one[1] = {calib};
  if (n_calib < 0 || (n_calib > 0 && !calib)) {
    snprintf(err, errlen, "compile: bad calibration sample count %d", n_calib);
    return IR_ERR;
  }
  return cc_compile_package_multi(onnx_path, pkg_path, config, one, 1, n_calib, &sample_numel, calib_source,
                                  no_latency_hiding, log, err, errlen);
}
