/* tests/test_e2e_patterns.c -- the front end's rewrites on a model as torch exports it
 * (build/models/patterns: tools/models/export.py patterns): an explicit zero Pad before a conv,
 * Hardswish as HardSigmoid + Mul, a pre-activation BatchNorm, SiLU as Sigmoid + Mul, ceil-mode
 * MaxPool, a channel shuffle through a Shape/Gather/Unsqueeze/Concat sub-graph, Mish as Softplus +
 * Tanh + Mul and x.mean([2,3]). The front-end pipeline must fold or rewrite each (no Shape,
 * Gather, Pad, HardSigmoid, Sigmoid, Softplus, ReduceMean left; HardSwish, dlvta.Silu and Mish
 * present; no ceil_mode).
 * The rewritten graph must give onnxruntime's float outputs on the reference executor (atol 1e-5
 * + rtol 1e-4: the rewrites are exact), and the model compiled for pynq and tiny must match them
 * on fsim within int8 tolerance (cosine >= 0.99, max error <= 16 output quantization steps, a
 * step being the reference outputs' range / 255). */
#include "cc.h"
#include "e2e_util.h"
#include "onnx_import.h"
#include "ref.h"

static int count_op(const ir_graph *g, ir_op op) {
  int c = 0;
  for (int i = 0; i < g->n_nodes; i++) c += !g->nodes[i]->dead && g->nodes[i]->op == op;
  return c;
}

static void front_end(void) {
  char p[512], err[2048];
  ir_graph *g = NULL;
  e2e_ensure_model("patterns");
  int rc = onnx_import(e2e_path(p, sizeof p, "patterns", "model.onnx"), &g, err, sizeof err);
  CHECK(rc == IR_OK, "import: %s", err);
  if (rc) return;
  static const ir_op before[] = {IR_OP_Shape,   IR_OP_Gather,   IR_OP_Pad,       IR_OP_HardSigmoid,
                                 IR_OP_Sigmoid, IR_OP_Softplus, IR_OP_ReduceMean};
  for (size_t k = 0; k < sizeof before / sizeof before[0]; k++)
    CHECK(count_op(g, before[k]) > 0, "the export has no %s (the model does not test its rewrite)", ir_op_name(before[k]));
  rc = cc_run_pipeline(g, NULL, err, sizeof err);
  CHECK(rc == IR_OK, "front end: %s", err);
  if (!rc) {
    for (size_t k = 0; k < sizeof before / sizeof before[0]; k++)
      CHECK(count_op(g, before[k]) == 0, "%d %s left after the front end", count_op(g, before[k]), ir_op_name(before[k]));
    CHECK(count_op(g, IR_OP_HardSwish) == 1 && count_op(g, IR_OP_Silu) == 1 && count_op(g, IR_OP_Mish) == 1 &&
              count_op(g, IR_OP_GlobalAveragePool) == 1,
          "HardSwish %d, dlvta.Silu %d, Mish %d, GlobalAveragePool %d (want 1 each)", count_op(g, IR_OP_HardSwish),
          count_op(g, IR_OP_Silu), count_op(g, IR_OP_Mish), count_op(g, IR_OP_GlobalAveragePool));
    for (int i = 0; i < g->n_nodes; i++)
      CHECK(!ir_attr_int(g->nodes[i], "ceil_mode", 0), "node '%s' still has ceil_mode", g->nodes[i]->name);
    /* the rewritten graph in float on the reference executor: onnxruntime's outputs */
    npy_array xa, ra;
    float *x, *ref;
    if (e2e_load_f32(e2e_path(p, sizeof p, "patterns", "input.npy"), &xa, &x)) return;
    if (e2e_load_f32(e2e_path(p, sizeof p, "patterns", "ort_ref.npy"), &ra, &ref)) return;
    ir_value in = {.type = g->tensors[g->inputs[0]]->type}, out;
    int64_t per = ir_type_numel(&in.type), on = (int64_t)ra.count / xa.shape[0];
    for (int64_t k = 0; k < xa.shape[0] && per > 0 && (int64_t)xa.count == per * xa.shape[0]; k++) {
      in.data = x + k * per;
      rc = ref_run(g, &in, 1, &out, NULL, err, sizeof err);
      CHECK(rc == IR_OK, "reference run: %s", err);
      if (rc) break;
      CHECK(ir_type_numel(&out.type) == on, "output has %lld values, onnxruntime %lld", (long long)ir_type_numel(&out.type),
            (long long)on);
      for (int64_t i = 0; i < on && ir_type_numel(&out.type) == on; i++) {
        float a = ((float *)out.data)[i], b = ref[k * on + i];
        CHECK(fabsf(a - b) <= 1e-5f + 1e-4f * fabsf(b), "input %lld output %lld: %.7g, onnxruntime %.7g", (long long)k,
              (long long)i, a, b);
      }
      ir_value_free(&out);
    }
    npy_free(&xa);
    npy_free(&ra);
    free(x);
    free(ref);
  }
  ir_graph_free(g);
}

static void on_fsim(const char *cfg) {
  char pkg[256], p[512];
  snprintf(pkg, sizeof pkg, E2E_OUT "/patterns_%s.dlvta", cfg);
  if (e2e_compile("patterns", cfg, pkg, NULL)) return;
  npy_array xa, ra;
  float *x, *ref;
  if (e2e_load_f32(e2e_path(p, sizeof p, "patterns", "input.npy"), &xa, &x)) return;
  if (e2e_load_f32(e2e_path(p, sizeof p, "patterns", "ort_ref.npy"), &ra, &ref)) return;
  int64_t n = xa.shape[0], on = 0;
  double cyc, secs;
  float *y = e2e_run(pkg, "fsim", x, n, &on, &cyc, &secs);
  if (y) {
    printf("patterns %s fsim: %.0f cycles per inference\n", cfg, cyc);
    e2e_vs_ort("patterns", cfg, y, n, on, 0.99, 0);
    CHECK((int64_t)ra.count == n * on, "ort_ref has %zu values, want %lld", ra.count, (long long)(n * on));
    double lo = INFINITY, hi = -INFINITY, worst = 0;
    for (int64_t i = 0; i < n * on && (int64_t)ra.count == n * on; i++) {
      lo = fmin(lo, ref[i]), hi = fmax(hi, ref[i]);
      worst = fmax(worst, fabs(ref[i] - y[i]));
    }
    double step = (hi - lo) / 255;
    printf("  patterns %s: max error %.4f = %.1f output steps of %.5f\n", cfg, worst, worst / step, step);
    CHECK(worst <= 16 * step, "patterns %s: max error %.4f is %.1f output quantization steps (max 16: six requantized layers)", cfg, worst,
          worst / step);
    free(y);
  }
  npy_free(&xa);
  npy_free(&ra);
  free(x);
  free(ref);
}

int main(void) {
  front_end();
  on_fsim("pynq");
  on_fsim("tiny");
  return TEST_END();
}
