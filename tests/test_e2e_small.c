/* tests/test_e2e_small.c -- end to end on the small test models, for the tiny and pynq configs:
 * tiny_cnn (cosine and top-1 vs onnxruntime on fsim; fsim and verilator give identical
 * outputs; compiling twice gives identical packages) and digits (int8 accuracy on the whole
 * test split within 1 point of the float accuracy in info.txt). */
#include "e2e_util.h"

static void tiny_cnn(const char *cfg) {
  char pkg[256], pkg2[256], p[512];
  snprintf(pkg, sizeof pkg, E2E_OUT "/tiny_cnn_%s.dlvta", cfg);
  snprintf(pkg2, sizeof pkg2, E2E_OUT "/tiny_cnn_%s_again.dlvta", cfg);
  if (e2e_compile("tiny_cnn", cfg, pkg, NULL) || e2e_compile("tiny_cnn", cfg, pkg2, NULL)) return;
  CHECK(e2e_same_file(pkg, pkg2), "compiling tiny_cnn twice for %s gave different packages", cfg);
  npy_array xa;
  float *x;
  if (e2e_load_f32(e2e_path(p, sizeof p, "tiny_cnn", "input.npy"), &xa, &x)) return;
  int64_t n = xa.shape[0], on = 0;
  double cyc, secs;
  float *y = e2e_run(pkg, "fsim", x, n, &on, &cyc, &secs);
  if (y) {
    printf("tiny_cnn %s fsim: %.0f cycles per inference\n", cfg, cyc);
    char what[64];
    snprintf(what, sizeof what, "%s fsim", cfg);
    e2e_vs_ort("tiny_cnn", what, y, n, on, 0.99, 1);
    double vcyc;
    float *v = e2e_run(pkg, "verilator", x, n, NULL, &vcyc, &secs);
    if (v) {
      int same = !memcmp(v, y, (size_t)(n * on) * sizeof(float));
      printf("tiny_cnn %s verilator: %.0f cycles per inference, outputs %s fsim's\n", cfg, vcyc,
             same ? "identical to" : "DIFFER from");
      CHECK(same, "tiny_cnn %s: verilator and fsim outputs differ", cfg);
      free(v);
    }
    free(y);
  }
  npy_free(&xa);
  free(x);
}

static void digits(const char *cfg) {
  char pkg[256], p[512];
  snprintf(pkg, sizeof pkg, E2E_OUT "/digits_%s.dlvta", cfg);
  if (e2e_compile("digits", cfg, pkg, NULL)) return;
  double facc = -1;
  FILE *f = fopen(e2e_path(p, sizeof p, "digits", "info.txt"), "r");
  char line[256];
  if (f) {
    while (fgets(line, sizeof line, f)) {
      const char *s = strstr(line, "float test accuracy ");
      if (s) facc = atof(s + strlen("float test accuracy "));
    }
    fclose(f);
  }
  CHECK(facc > 0.5, "digits/info.txt: no float accuracy");
  npy_array xa, ya;
  float *x, *yl;
  if (e2e_load_f32(e2e_path(p, sizeof p, "digits", "x_test.npy"), &xa, &x)) return;
  if (e2e_load_f32(e2e_path(p, sizeof p, "digits", "y_test.npy"), &ya, &yl)) return;
  int64_t n = xa.shape[0], on = 0;
  double cyc, secs;
  float *y = e2e_run(pkg, "fsim", x, n, &on, &cyc, &secs);
  if (y) {
    int64_t ok = 0;
    for (int64_t k = 0; k < n; k++) ok += e2e_argmax(y + k * on, on) == (int64_t)yl[k];
    double acc = (double)ok / (double)n;
    printf("digits %s fsim: int8 accuracy %.4f (%lld/%lld), float %.4f, %.0f cycles per inference, %.2f s for all\n",
           cfg, acc, (long long)ok, (long long)n, facc, cyc, secs);
    CHECK(n == (int64_t)ya.count && n > 100, "digits: %lld test inputs, %zu labels", (long long)n, ya.count);
    CHECK(acc >= facc - 0.01, "digits %s: int8 accuracy %.4f is more than 1 point below float %.4f", cfg, acc, facc);
    free(y);
  }
  npy_free(&xa), npy_free(&ya);
  free(x), free(yl);
}

int main(void) {
  tiny_cnn("tiny");
  tiny_cnn("pynq");
  digits("tiny");
  digits("pynq");
  return TEST_END();
}
