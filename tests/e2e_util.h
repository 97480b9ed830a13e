/* tests/e2e_util.h -- helpers of the end-to-end tests (tests/test_e2e_*.c): compile a test model
 * of build/models/<name>/ (exported by compiler/e2e.mk) through the library, write and load its
 * package, run it on a backend, compare with onnxruntime's float outputs (ort_ref.npy). */
#ifndef DLVTA_E2E_UTIL_H
#define DLVTA_E2E_UTIL_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "compile.h"
#include "npy.h"
#include "package.h"
#include "runtime.h"
#include "testutil.h"

#define E2E_MODELS "build/models"
#define E2E_OUT "build/tests/e2e"

__attribute__((unused)) static double e2e_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* build/models/<model>/<file> into buf. */
__attribute__((unused)) static const char *e2e_path(char *buf, size_t n, const char *model, const char *file) {
  snprintf(buf, n, "%s/%s/%s", E2E_MODELS, model, file);
  return buf;
}

/* Make sure file exists: if not, make target through compiler/e2e.mk's rules (the same
 * commands `make test` runs first when the top-level Makefile includes that fragment). */
__attribute__((unused)) static void e2e_ensure(const char *file, const char *target) {
  struct stat st;
  if (stat(file, &st) == 0) return;
  char cmd[1024];
  snprintf(cmd, sizeof cmd, "env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -f Makefile -f compiler/e2e.mk %s", target);
  printf("(making %s)\n", target);
  fflush(stdout);
  if (system(cmd) != 0) printf("  could not make %s\n", target);
}

/* The exported test model build/models/<model>/ with its onnxruntime reference. */
__attribute__((unused)) static void e2e_ensure_model(const char *model) {
  char ref[256], x[256];
  snprintf(ref, sizeof ref, "%s/%s/ort_ref.npy", E2E_MODELS, model);
  snprintf(x, sizeof x, "%s/%s/model.onnx", E2E_MODELS, model);
  e2e_ensure(x, ref);
  e2e_ensure(ref, ref);
}

/* Reads a .npy as float32 (data malloc'ed into *out); 0 or -1 with a printed failure. */
__attribute__((unused)) static int e2e_load_f32(const char *path, npy_array *a, float **out) {
  char err[512];
  if (npy_read(path, a, err, sizeof err) != 0) {
    CHECK(0, "%s", err);
    return -1;
  }
  *out = npy_to_f32(a);
  return *out ? 0 : -1;
}

/* Compile build/models/<model>/model.onnx for cfg with its calib.npy (and latency hiding unless
 * no_latency_hiding) into pkg (a path under E2E_OUT); *secs (may be NULL) gets the compile's wall
 * time; on_model (may be NULL) sees the compiled model after that time was taken. Returns 0 or
 * -1 (failure printed). */
__attribute__((unused)) static int e2e_compile_ex(const char *model, const char *cfg, int no_latency_hiding,
                                                  void (*on_model)(cc_model *), const char *pkg, double *secs) {
  char p[512], err[2048];
  npy_array ca;
  float *cf;
  e2e_ensure_model(model);
  if (e2e_load_f32(e2e_path(p, sizeof p, model, "calib.npy"), &ca, &cf)) return -1;
  cc_options o = {.config = cfg, .calib = cf, .n_calib = (int)ca.shape[0],
                       .no_latency_hiding = no_latency_hiding};
  cc_model *m = NULL;
  double t0 = e2e_now();
  int rc = cc_compile(e2e_path(p, sizeof p, model, "model.onnx"), &o, &m, err, sizeof err);
  if (secs) *secs = e2e_now() - t0;
  CHECK(rc == IR_OK, "compile %s for %s: %s", model, cfg, err);
  if (rc == IR_OK && on_model) on_model(m);
  if (rc == IR_OK) {
    mkdir("build/tests", 0777);
    mkdir(E2E_OUT, 0777);
    rc = cc_package_write(m, pkg, err, sizeof err);
    CHECK(rc == 0, "write %s: %s", pkg, err);
  }
  npy_free(&ca);
  free(cf);
  cc_model_free(m);
  return rc == 0 ? 0 : -1;
}

/* e2e_compile_ex with latency hiding and no hook. */
__attribute__((unused)) static int e2e_compile(const char *model, const char *cfg, const char *pkg, double *secs) {
  return e2e_compile_ex(model, cfg, 0, NULL, pkg, secs);
}

/* Run package pkg on backend over n inputs of x (each the model's input numel); returns the
 * outputs (n x output numel floats, malloc'ed) and the output numel, cycles per inference and
 * wall seconds; NULL on failure (printed). */
__attribute__((unused)) static float *e2e_run(const char *pkg, const char *backend, const float *x, int64_t n, int64_t *out_numel,
                      double *cycles, double *secs) {
  char err[4096];
  rt_model *r = NULL;
  if (rt_load(pkg, &r, err, sizeof err) != RT_OK) {
    CHECK(0, "load %s: %s", pkg, err);
    return NULL;
  }
  int64_t in_n = rt_input_numel(r, 0), on = rt_output_numel(r, 0);
  float *y = malloc((size_t)(on * n) * sizeof(float));
  int rc = rt_open(r, backend, NULL, err, sizeof err);
  CHECK(rc == RT_OK, "open %s on %s: %s", pkg, backend, err);
  double t0 = e2e_now();
  for (int64_t k = 0; k < n && rc == RT_OK; k++) {
    const float *ins[1] = {x + k * in_n};
    float *outs[1] = {y + k * on};
    rc = rt_run(r, ins, outs, err, sizeof err);
    CHECK(rc == RT_OK, "run %s on %s, input %lld: %s", pkg, backend, (long long)k, err);
  }
  if (secs) *secs = e2e_now() - t0;
  if (cycles) *cycles = n ? (double)rt_total_cycles(r) / (double)n : 0;
  if (out_numel) *out_numel = on;
  rt_free(r);
  if (rc != RT_OK) {
    free(y);
    return NULL;
  }
  return y;
}

__attribute__((unused)) static double e2e_cosine(const float *a, const float *b, int64_t n) {
  double ab = 0, aa = 0, bb = 0;
  for (int64_t i = 0; i < n; i++) ab += (double)a[i] * b[i], aa += (double)a[i] * a[i], bb += (double)b[i] * b[i];
  return aa > 0 && bb > 0 ? ab / sqrt(aa * bb) : (aa == bb ? 1.0 : 0.0);
}

__attribute__((unused)) static int64_t e2e_argmax(const float *a, int64_t n) {
  int64_t b = 0;
  for (int64_t i = 1; i < n; i++)
    if (a[i] > a[b]) b = i;
  return b;
}

/* Are two files byte-identical? */
__attribute__((unused)) static int e2e_same_file(const char *a, const char *b) {
  FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
  int same = fa && fb;
  while (same) {
    int ca = fgetc(fa), cb = fgetc(fb);
    if (ca != cb) same = 0;
    if (ca == EOF || cb == EOF) break;
  }
  if (fa) fclose(fa);
  if (fb) fclose(fb);
  return same;
}

/* Compare outputs y (n x on) with onnxruntime's ort_ref.npy of the model: every input's cosine
 * >= min_cos and, if top1, the same argmax. Prints one line per input; counts one model run
 * (tu_models) per call. */
__attribute__((unused)) static void e2e_vs_ort(const char *model, const char *what, const float *y, int64_t n, int64_t on, double min_cos,
                       int top1) {
  char p[512];
  npy_array ra;
  float *ref;
  tu_models++;
  if (e2e_load_f32(e2e_path(p, sizeof p, model, "ort_ref.npy"), &ra, &ref)) return;
  CHECK((int64_t)ra.count == n * on, "%s: ort_ref has %zu values, expected %lld", model, ra.count, (long long)(n * on));
  if ((int64_t)ra.count == n * on) {
    for (int64_t k = 0; k < n; k++) {
      double c = e2e_cosine(y + k * on, ref + k * on, on);
      int64_t a = e2e_argmax(y + k * on, on), b = e2e_argmax(ref + k * on, on);
      printf("  %s %s input %lld: cosine %.5f vs onnxruntime, top-1 %lld (onnxruntime %lld)\n", model, what, (long long)k,
             c, (long long)a, (long long)b);
      CHECK(c >= min_cos, "%s %s input %lld: cosine %.5f < %.3f", model, what, (long long)k, c, min_cos);
      if (top1) CHECK(a == b, "%s %s input %lld: top-1 %lld, onnxruntime says %lld", model, what, (long long)k, (long long)a, (long long)b);
    }
  }
  npy_free(&ra);
  free(ref);
}

#endif
