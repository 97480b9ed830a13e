/* tests/test_e2e_qat.c -- a CNN quantized by PyTorch's QAT flow (tools/models/qdq_cnn.py:
 * FakeQuantize per-channel int8 weights and per-tensor uint8 activations, exported as QDQ at
 * opset 13; committed as tests/models/qdq_cnn.onnx) compiled without calibration samples and
 * run on fsim for the pynq and tiny configs, against onnxruntime's execution of the same QDQ
 * model:
 *  - the weights' QuantizeLinear -> DequantizeLinear chains become int8 weights with their
 *    per-channel scales, the QAT modules' Div, bias Add and BatchNormalization fold into them:
 *    every Conv/Gemm runs on the accelerator, nothing on the CPU;
 *  - the model's own activation scales are used: calibration has nothing to do;
 *  - every output element within one output quantization step of onnxruntime's, on the 8
 *    committed inputs and on 256 random ones (tools/models/rand_input.py: N(0,1) times 0.3, 1, 2
 *    or 4 per input, so that some saturate the model's ranges). */
#include "e2e_util.h"
#include "onnx_import.h"

#define QAT_ONNX "tests/models/qdq_cnn.onnx"
#define QAT_INPUT "tests/models/qdq_cnn_input.npy"
#define QAT_REF E2E_MODELS "/committed/qdq_cnn_ref.npy"
#define QAT_RAND_INPUT E2E_MODELS "/committed/qdq_cnn_rand_input.npy"
#define QAT_RAND_REF E2E_MODELS "/committed/qdq_cnn_rand_ref.npy"

/* A set of inputs and onnxruntime's outputs for them. */
typedef struct {
  const char *name;
  float *x, *ref;
  int64_t n, rn;
} qat_set;

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

/* Runs pkg on fsim over one input set and checks every output within one step of onnxruntime's. */
static void check_set(const char *cfg, const char *pkg, float step, const qat_set *q) {
  int64_t on = 0;
  float *y = e2e_run(pkg, "fsim", q->x, q->n, &on, NULL, NULL);
  if (!y) return;
  CHECK(q->n * on == q->rn, "%s, %s: %lld outputs, onnxruntime gave %lld", cfg, q->name, (long long)(q->n * on),
        (long long)q->rn);
  double worst = 0;
  int64_t exact = 0, off1 = 0;
  for (int64_t i = 0; i < q->n * on && i < q->rn; i++) {
    double d = fabs((double)y[i] - q->ref[i]) / step;
    worst = d > worst ? d : worst;
    exact += d < 0.01;
    off1 += d >= 0.01 && d <= 1.001;
  }
  printf("qdq_cnn %s, %s: %lld of %lld outputs equal to onnxruntime's, %lld one step off, worst %.2f output steps "
         "(step %g)\n",
         cfg, q->name, (long long)exact, (long long)(q->n * on), (long long)off1, worst, step);
  CHECK(worst <= 1.001, "%s, %s: an output is %.2f quantization steps from onnxruntime's (at most 1 allowed)", cfg,
        q->name, worst);
  free(y);
}

/* Compiles the model for cfg (no calibration), checks its partition, runs every input set. */
static void one(const char *cfg, float step, const qat_set *sets, int nsets) {
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
  for (int i = 0; i < nsets; i++) check_set(cfg, pkg, step, &sets[i]);
}

/* Loads an input set and its reference (made by compiler/e2e.mk if missing); 0 or -1. */
static int load_set(qat_set *q, const char *name, const char *xpath, const char *refpath, npy_array *xa,
                    npy_array *ra) {
  e2e_ensure(refpath, refpath);
  q->name = name;
  if (e2e_load_f32(xpath, xa, &q->x)) return -1;
  if (e2e_load_f32(refpath, ra, &q->ref)) {
    npy_free(xa), free(q->x);
    return -1;
  }
  q->n = (int64_t)xa->shape[0], q->rn = (int64_t)ra->count;
  return 0;
}

int main(void) {
  float step = output_step();
  CHECK(step > 0, "the model's output comes from a DequantizeLinear with a constant scale");
  qat_set sets[2];
  npy_array xa[2], ra[2];
  int n = 0;
  if (step > 0 && !load_set(&sets[n], "8 committed inputs", QAT_INPUT, QAT_REF, &xa[n], &ra[n])) n++;
  if (step > 0 && !load_set(&sets[n], "256 random inputs", QAT_RAND_INPUT, QAT_RAND_REF, &xa[n], &ra[n])) n++;
  CHECK(n == 2, "loaded %d of the 2 input sets", n);
  if (n) {
    one("pynq", step, sets, n);
    one("tiny", step, sets, n);
  }
  for (int i = 0; i < n; i++) npy_free(&xa[i]), npy_free(&ra[i]), free(sets[i].x), free(sets[i].ref);
  return TEST_END();
}
