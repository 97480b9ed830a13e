/* tests/test_onnx_torch.c -- PyTorch models exported to ONNX at test time
 * (tests/test_onnx_torch_gen.py: a residual CNN with and without BatchNormalization nodes and a
 * symbolic batch, a MobileNet-like net at opsets 11 and 17, an attention block, 1-D convs,
 * torchvision resnet18 and mobilenet_v2 with random weights) checked against PyTorch's outputs
 * through the importer, the reference executor and the pipeline (test_onnx_util.h); then what
 * the pipeline did to them: no BatchNormalization left, convolutions fused, the symbolic batch
 * extent kept on the output. Needs /usr/bin/python3 with torch, torchvision and onnx. */
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

int main(void) {
  mkdir("build/tests", 0777);
  mkdir("build/tests/tmp", 0777);
  int rc = system("/usr/bin/python3 tests/test_onnx_torch_gen.py " OUT " --big >build/tests/tmp/torch_gen.log 2>&1");
  CHECK(rc == 0, "model generator failed (exit %d); see build/tests/tmp/torch_gen.log", rc);
  if (rc) return TEST_END();
  int passed = walk_tests(OUT);
  CHECK(passed == 8, "8 torch models pass, %d did", passed);

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
  return TEST_END();
}
