/* tests/test_onnx_torch.c -- PyTorch models exported to ONNX at test time
 * (tests/test_onnx_torch_gen.py: a residual CNN with and without BatchNormalization nodes and a
 * symbolic batch, and with its modules as model-local functions, a MobileNet-like net at opsets 11 and 17, an attention block, 1-D convs,
 * torchvision resnet18 and mobilenet_v2 with random weights) checked against PyTorch's outputs
 * through the importer, the reference executor and the pipeline (test_onnx_util.h); then what
 * the pipeline did to them: no BatchNormalization left, convolutions fused, the symbolic batch
 * extent kept on the output; and a PyTorch-quantized QDQ CNN (check_qdq). Needs /usr/bin/python3
 * with torch, torchvision and onnx. */
#include <math.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "test_onnx_util.h"

#define OUT "build/tests/tmp/torch"

static int count(const ir_graph *g, ir_op op) {
  int c = 0;
  for (int i = 0; i < g->n_nodes; i++) c += g->nodes[i]->op == op;
  return c;
}

/* Import OUT/test_<name>/model.onnx and run the pipeline; NULL on failure (reported). */
static ir_graph *compiled(const char *name) {
  char path[512], err[1024];
  snprintf(path, sizeof path, OUT "/test_%s/model.onnx", name);
  ir_graph *g = NULL;
  int rc = onnx_import(path, &g, err, sizeof err);
  CHECK(rc == IR_OK, "import %s: %s", name, err);
  if (rc) return NULL;
  rc = cc_run_pipeline(g, NULL, err, sizeof err);
  CHECK(rc == IR_OK, "pipeline %s: %s", name, err);
  if (rc) {
    ir_graph_free(g);
    return NULL;
  }
  return g;
}

/* The QDQ model: float QDQ semantics against PyTorch's integer kernels, in output quantization
 * steps (the final DequantizeLinear's scale): at most one step anywhere, and most elements
 * equal; before and after the pipeline. Then the pipeline's work on it. */
static void check_qdq(void) {
  const char *dir = OUT "_qdq/test_qdq_cnn_opset13";
  char path[512], err[1024];
  snprintf(path, sizeof path, "%s/model.onnx", dir);
  ir_graph *g = NULL;
  int rc = onnx_import(path, &g, err, sizeof err);
  CHECK(rc == IR_OK, "import qdq: %s", err);
  if (rc) return;
  ir_value x, want;
  snprintf(path, sizeof path, "%s/test_data_set_0/input_0.pb", dir);
  int r1 = onnx_read_tensor(path, &x, NULL, 0, err, sizeof err);
  snprintf(path, sizeof path, "%s/test_data_set_0/output_0.pb", dir);
  int r2 = onnx_read_tensor(path, &want, NULL, 0, err, sizeof err);
  CHECK(!r1 && !r2, "qdq data: %s", err);
  ir_graph *c = ir_graph_clone(g);
  rc = cc_run_pipeline(c, NULL, err, sizeof err);
  CHECK(rc == IR_OK, "qdq pipeline: %s", err);
  const ir_node *dq = rc ? NULL : ir_producer(c, c->outputs[0], NULL);
  float step = dq && dq->op == IR_OP_DequantizeLinear && c->tensors[dq->in[1]]->data ? *(float *)c->tensors[dq->in[1]]->data : 0;
  CHECK(step > 0, "qdq output comes from a DequantizeLinear with a constant scale");
  for (int pass = 0; pass < 2 && !r1 && !r2 && step > 0 && !rc; pass++) {
    ir_value got;
    int rr = ref_run(pass ? c : g, &x, 1, &got, NULL, err, sizeof err);
    CHECK(rr == IR_OK, "qdq run (%s): %s", pass ? "after pipeline" : "imported", err);
    if (rr) continue;
    int64_t n = ir_type_numel(&want.type), exact = 0;
    double worst = 0;
    for (int64_t i = 0; i < n && n == ir_type_numel(&got.type); i++) {
      double d = fabs(((float *)got.data)[i] - ((float *)want.data)[i]) / step;
      exact += d < 1e-3;
      worst = d > worst ? d : worst;
    }
    printf("qdq (%s): %lld of %lld outputs equal to PyTorch's, worst %.3f steps\n", pass ? "piped" : "imported",
           (long long)exact, (long long)n, worst);
    CHECK(n == ir_type_numel(&got.type) && worst <= 1.001 && exact >= n * 9 / 10,
          "qdq: %lld of %lld equal, worst %.3f quantization steps", (long long)exact, (long long)n, worst);
    ir_value_free(&got);
  }
  if (!rc) {
    CHECK(count(c, IR_OP_Cast) == 0 && count(c, IR_OP_ConstantOfShape) == 0 && count(c, IR_OP_Constant) == 0,
          "qdq: Cast/ConstantOfShape/Constant folded or removed: %d %d %d", count(c, IR_OP_Cast),
          count(c, IR_OP_ConstantOfShape), count(c, IR_OP_Constant));
    CHECK(count(c, IR_OP_QuantizeLinear) == 4 && count(c, IR_OP_DequantizeLinear) == 10, "qdq: Q/DQ kept: %d %d",
          count(c, IR_OP_QuantizeLinear), count(c, IR_OP_DequantizeLinear));
    int per_channel = 0;
    for (int i = 0; i < c->n_tensors; i++) {
      const ir_tensor *t = c->tensors[i];
      per_channel += t->data && t->type.dtype == IR_I8 && t->quant && t->quant->axis == 0 && t->quant->n == t->type.dims[0];
    }
    CHECK(per_channel == 3, "qdq: 3 int8 weights carry per-channel quantization, got %d", per_channel);
  }
  if (!r1) ir_value_free(&x);
  if (!r2) ir_value_free(&want);
  ir_graph_free(c);
  ir_graph_free(g);
}

int main(void) {
  mkdir("build/tests", 0777);
  mkdir("build/tests/tmp", 0777);
  int rc = system("/usr/bin/python3 tests/test_onnx_torch_gen.py " OUT " --big >build/tests/tmp/torch_gen.log 2>&1");
  CHECK(rc == 0, "model generator failed (exit %d); see build/tests/tmp/torch_gen.log", rc);
  if (rc) return TEST_END();
  int passed = walk_tests(OUT);
  CHECK(passed == 9, "9 torch models pass, %d did", passed);

  ir_graph *g = compiled("resblock_bn_opset15");
  if (g) {
    CHECK(count(g, IR_OP_BatchNormalization) == 0, "resblock_bn: %d BatchNormalization left", count(g, IR_OP_BatchNormalization));
    CHECK(count(g, IR_OP_FusedConv) == 4 && count(g, IR_OP_Conv) == 1,
          "resblock_bn: 4 fused convs (stem, block x2, c3+down) and the plain downsample conv: %d, %d",
          count(g, IR_OP_FusedConv), count(g, IR_OP_Conv));
    int resid = 0;
    for (int i = 0; i < g->n_nodes; i++) resid += g->nodes[i]->op == IR_OP_FusedConv && g->nodes[i]->n_in > 3;
    CHECK(resid == 2, "resblock_bn: 2 residual fusions, got %d", resid);
    ir_graph_free(g);
  }
  /* the same network with its Conv2d, BatchNorm2d and ReLU modules as model-local functions:
   * inlined, the same fusions */
  g = compiled("resblock_functions_opset15");
  if (g) {
    CHECK(count(g, IR_OP_BatchNormalization) == 0 && count(g, IR_OP_FusedConv) == 4 && count(g, IR_OP_UNKNOWN) == 0,
          "resblock_functions: %d BatchNormalization left, %d fused convs (4), %d unknown ops",
          count(g, IR_OP_BatchNormalization), count(g, IR_OP_FusedConv), count(g, IR_OP_UNKNOWN));
    ir_graph_free(g);
  }
  g = compiled("resblock_opset13");
  if (g) {
    const ir_tensor *y = g->tensors[g->outputs[0]];
    CHECK(y->type.rank == 2 && y->type.dims[0] == -1 && y->type.dims[1] == 10 && y->dim_param[0] &&
              !strcmp(y->dim_param[0], "N"),
          "resblock: output f32[N,10]");
    CHECK(count(g, IR_OP_Flatten) == 0 && count(g, IR_OP_Reshape) == 1, "resblock: Flatten became one Reshape");
    ir_graph_free(g);
  }
  g = compiled("mobilenetish_opset11");
  if (g) {
    int clip = 0;
    for (int i = 0; i < g->n_nodes; i++)
      clip += g->nodes[i]->op == IR_OP_FusedConv && !strcmp(ir_attr_string(g->nodes[i], "activation", ""), "clip") &&
              ir_attr_float(g->nodes[i], "act_max", 0) == 6.0f;
    CHECK(clip == 7 && count(g, IR_OP_Clip) == 0 && count(g, IR_OP_Constant) == 0,
          "mobilenetish: 7 conv+ReLU6 fusions (%d), no Clip/Constant left", clip);
    ir_graph_free(g);
  }
  g = compiled("resnet18_opset13");
  if (g) {
    CHECK(count(g, IR_OP_FusedConv) == 17 && count(g, IR_OP_Conv) == 3,
          "resnet18: 17 fused convs and 3 downsample convs, got %d and %d", count(g, IR_OP_FusedConv), count(g, IR_OP_Conv));
    ir_graph_free(g);
  }
  check_qdq();
  return TEST_END();
}
