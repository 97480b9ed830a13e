/* tests/test_e2e_imagenet.c -- end to end on the ImageNet-sized test models for pynq:
 * ResNet-18 (logits vs onnxruntime: cosine >= 0.99 and the same top-1 on every realistic input
 * of input.npy, on fsim; the first input on verilator gives outputs identical to fsim's) and
 * MobileNetV2 (depthwise, Clip, Constant nodes: cosine >= 0.95 vs onnxruntime). Prints the
 * figures: cosine, top-1, cycles, compile and run wall times. With --long (make test-long):
 * every input of both models on verilator, identical to fsim. */
#include "e2e_util.h"

/* verilator: how many inputs to run on verilator too (0: none) */
static void model(const char *name, double min_cos, int top1, int verilator) {
  char pkg[256], p[512];
  snprintf(pkg, sizeof pkg, E2E_OUT "/%s_pynq.dlvta", name);
  double csecs;
  if (e2e_compile(name, "pynq", pkg, &csecs)) return;
  printf("%s: compiled for pynq in %.1f s\n", name, csecs);
  npy_array xa;
  float *x;
  if (e2e_load_f32(e2e_path(p, sizeof p, name, "input.npy"), &xa, &x)) return;
  int64_t n = xa.shape[0], on = 0;
  double cyc, secs;
  float *y = e2e_run(pkg, "fsim", x, n, &on, &cyc, &secs);
  if (y) {
    printf("%s pynq fsim: %.0f cycles per inference (%.2f ms at 100 MHz), %.2f s wall for %lld inferences\n", name, cyc,
           cyc / 1e5, secs, (long long)n);
    e2e_vs_ort(name, "pynq fsim", y, n, on, min_cos, top1);
    if (verilator) {
      double vcyc;
      int64_t nv = verilator < n ? verilator : n;
      float *v = e2e_run(pkg, "verilator", x, nv, NULL, &vcyc, &secs);
      if (v) {
        int same = !memcmp(v, y, (size_t)(on * nv) * sizeof(float));
        printf("%s pynq verilator: %.0f cycles per inference, %.1f s wall for %lld inference(s), outputs %s fsim's\n",
               name, vcyc, secs, (long long)nv, same ? "identical to" : "DIFFER from");
        CHECK(same, "%s: verilator and fsim outputs differ", name);
        free(v);
      }
    }
    free(y);
  }
  npy_free(&xa);
  free(x);
}

int main(int argc, char **argv) {
  int longer = argc > 1 && !strcmp(argv[1], "--long");
  model("resnet18", 0.99, 1, longer ? 1000 : 1);
  model("mobilenet_v2", 0.95, 0, longer ? 1000 : 0);
  return TEST_END();
}
