/* tests/test_e2e_qat.c -- a CNN quantized by PyTorch's QAT flow (tools/models/qdq_cnn.py:
 * FakeQuantize per-channel int8 weights and per-tensor uint8 activations, exported as QDQ at
 * opset 13; committed as tests/models/qdq_cnn.onnx) compiled without calibration samples and
 * run on fsim for the pynq and tiny configs, against onnxruntime's execution of the same QDQ
 * model:
 *  - the weights' QuantizeLinear -> DequantizeLinear chains become int8 weights with their
 *    per-channel scales, the QAT modules' Div, bias Add and BatchNormalization fold into them:
 *    every Conv/Gemm runs on the accelerator, nothing on the CPU;
 *  - the model's own activation scales are used: calibration has nothing to do;
 *  - every output element within one output quantization step of onnxruntime's. */
#include "e2e_util.h"
#include "onnx_import.h"

#define QAT_ONNX "tests/models/qdq_cnn.onnx"
#define QAT_INPUT "tests/models/qdq_cnn_input.npy"
#define QAT_REF E2E_MODELS "/committed/qdq_cnn_ref.npy"

/* The scale of the DequantizeLinear that makes graph output 0 (the output's quantization step). */
static float output_step(void) {
  ir_graph *g = NULL;
  char err[1024];
  if (onnx_import(QAT_ONNX, &g, err, sizeof err) != IR_OK) {
    CHECK(0, "import %s: %s", QAT_ONNX, err);
    return 0;
  }
  const ir_node *dq = ir_producer(g, g->outputs[0], NULL);
  float s = 0;
  if (dq && dq->op == IR_OP_DequantizeLinear && g->tensors[dq->in[1]]->data) s = *(const float *)g->tensors[dq->in[1]]->data;
  ir_graph_free(g);
  return s;
}

static void one(const char *cfg, float step, const float *x, const float *ref, int64_t n, int64_t rn) {
  char err[2048], pkg[256], logbuf[4096] = "";
  FILE *log = fmemopen(logbuf, sizeof logbuf - 1, "w");
  cc_options o = {.config = cfg, .log = log};
  cc_model *m = NULL;
  int rc = cc_compile(QAT_ONNX, &o, &m, err, sizeof err);
  if (log) fclose(log);
  CHECK(rc == IR_OK, "compile %s for %s: %s", QAT_ONNX, cfg, err);
  if (rc != IR_OK) return;
  int cpu = 0;
  for (int i = 0; i < m->ns; i++) cpu += m->s[i].kind == CC_STEP_CPU;
  /* 5 convs (one residual Add of its own: the conv's output has the model's quantization),
   * max pooling, global average pooling, the Gemm */
  CHECK(m->nl == 8 && cpu == 0, "%s: %d accelerator layers and %d CPU steps, expected 8 and 0", cfg, m->nl, cpu);
  CHECK(strstr(logbuf, "calibration: not needed") != NULL, "%s: calibration ran on a model that brings its own scales:\n%s",
        cfg, logbuf);
  CHECK(strstr(m->calib, "own quantization") != NULL, "%s: the package's calibration note says '%s'", cfg, m->calib);
  snprintf(pkg, sizeof pkg, E2E_OUT "/qdq_cnn_%s.dlvta", cfg);
  mkdir("build/tests", 0777);
  mkdir(E2E_OUT, 0777);
  CHECK(cc_package_write(m, pkg, err, sizeof err) == 0, "%s", err);
  cc_model_free(m);
  int64_t on = 0;
  float *y = e2e_run(pkg, "fsim", x, n, &on, NULL, NULL);
  if (!y) return;
  CHECK(n * on == rn, "%s: %lld outputs, onnxruntime gave %lld", cfg, (long long)(n * on), (long long)rn);
  double worst = 0;
  int64_t exact = 0;
  for (int64_t i = 0; i < n * on && i < rn; i++) {
    double d = fabs((double)y[i] - ref[i]) / step;
    worst = d > worst ? d : worst;
    exact += d < 0.01;
  }
  printf("qdq_cnn %s: %lld of %lld outputs equal to onnxruntime's, worst %.2f output steps (step %g)\n", cfg,
         (long long)exact, (long long)(n * on), worst, step);
  CHECK(worst <= 1.001, "%s: an output is %.2f quantization steps from onnxruntime's (at most 1 allowed)", cfg, worst);
  free(y);
}

int main(void) {
  e2e_ensure(QAT_REF, QAT_REF);
  npy_array xa, ra;
  float *x, *r;
  float step = output_step();
  CHECK(step > 0, "the model's output comes from a DequantizeLinear with a constant scale");
  if (step > 0 && !e2e_load_f32(QAT_INPUT, &xa, &x)) {
    if (!e2e_load_f32(QAT_REF, &ra, &r)) {
      one("pynq", step, x, r, (int64_t)xa.shape[0], (int64_t)ra.count);
      one("tiny", step, x, r, (int64_t)xa.shape[0], (int64_t)ra.count);
      npy_free(&ra), free(r);
    }
    npy_free(&xa), free(x);
  }
  return TEST_END();
}
