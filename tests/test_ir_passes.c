/* tests/test_ir_passes.c -- the graph IR and the pass pipeline on graphs built here through the
 * IR API: the whole pipeline preserves outputs (reference executor before/after, rtol 1e-4) on
 * a small residual CNN with BatchNormalization after Conv, depthwise Conv, MaxPool and Gemm,
 * Identity/Dropout, Constant nodes, Flatten/Squeeze/Unsqueeze; the expected rewrites happen
 * (BN folded or split into Mul+Add, fusion into dlvta.FusedConv, constants folded with the right
 * values); shape inference gets every shape, symbolic batch included, and reports
 * inconsistencies by node; the verifier catches broken graphs; --dump-after and pass
 * registration work. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cc.h"
#include "compile.h"
#include "ref.h"
#include "testutil.h"

static uint32_t rng = 12345;
static float frand(void) {
  return (float)((tu_lcg32(&rng) >> 8) & 0xffff) / 65536.0f * 2.0f - 1.0f;
}

static ir_type ty(ir_dtype dt, int rank, const int64_t *dims) {
  ir_type t = {.dtype = dt, .rank = rank};
  for (int i = 0; i < rank; i++) t.dims[i] = dims[i];
  return t;
}

/* Random f32 constant: values offset + scale * U(-1, 1). */
static int crand(ir_graph *g, const char *name, int rank, const int64_t *dims, float scale, float offset) {
  ir_type t = ty(IR_F32, rank, dims);
  int64_t n = ir_type_numel(&t);
  float *d = malloc((size_t)n * sizeof(float) + 1);
  for (int64_t i = 0; i < n; i++) d[i] = offset + scale * frand();
  return ir_add_const(g, name, &t, d);
}

static int ci64(ir_graph *g, const char *name, int n, const int64_t *v) {
  int64_t dims[1] = {n};
  ir_type t = ty(IR_I64, 1, dims);
  int64_t *d = malloc((size_t)n * sizeof(int64_t) + 1);
  memcpy(d, v, (size_t)n * sizeof(int64_t));
  return ir_add_const(g, name, &t, d);
}

/* Node with fresh untyped outputs named after the node; returns its first output. */
static int node(ir_graph *g, ir_op op, const char *name, const int *in, int nin, int nout, ir_node **np) {
  int out[4];
  for (int i = 0; i < nout; i++) out[i] = ir_add_tensor(g, nout == 1 ? name : "o", NULL);
  ir_node *n = ir_add_node(g, op, name, in, nin, out, nout);
  if (np) *np = n;
  return out[0];
}

static int bn(ir_graph *g, const char *name, int x, int64_t C) {
  int in[5] = {x, crand(g, "s", 1, &C, 0.5f, 1.0f), crand(g, "b", 1, &C, 0.3f, 0),
               crand(g, "m", 1, &C, 0.2f, 0), crand(g, "v", 1, &C, 0.3f, 1.0f)};
  ir_node *n;
  int y = node(g, IR_OP_BatchNormalization, name, in, 5, 1, &n);
  ir_set_attr_float(n, "epsilon", 1e-3f);
  return y;
}

static int count_op(const ir_graph *g, ir_op op) {
  int c = 0;
  for (int i = 0; i < g->n_nodes; i++) c += !g->nodes[i]->dead && g->nodes[i]->op == op;
  return c;
}

/* Run g and c on the same input and compare every output. */
static void same_outputs(const ir_graph *g, const ir_graph *c, const ir_value *in, int nin, const char *what) {
  ir_value a[8], b[8];
  char err[1024];
  int ra = ref_run(g, in, nin, a, NULL, err, sizeof err);
  CHECK(ra == IR_OK, "%s: reference run: %s", what, err);
  int rb = ref_run(c, in, nin, b, NULL, err, sizeof err);
  CHECK(rb == IR_OK, "%s: run after the pipeline: %s", what, err);
  if (ra || rb) return;
  for (int k = 0; k < g->n_outputs; k++) {
    int64_t n = ir_type_numel(&a[k].type);
    CHECK(n == ir_type_numel(&b[k].type), "%s: output %d size %lld vs %lld", what, k, (long long)n,
          (long long)ir_type_numel(&b[k].type));
    double worst = 0;
    int64_t at = 0;
    for (int64_t i = 0; i < n && n == ir_type_numel(&b[k].type); i++) {
      double x = ((float *)a[k].data)[i], y = ((float *)b[k].data)[i];
      double e = fabs(x - y) / (1e-5 + 1e-4 * fabs(x));
      if (e > worst) worst = e, at = i;
    }
    CHECK(worst <= 1.0, "%s: output %d element %lld: %.8g before, %.8g after", what, k, (long long)at,
          ((float *)a[k].data)[at], ((float *)b[k].data)[at]);
    ir_value_free(&a[k]);
    ir_value_free(&b[k]);
  }
}

/* x[N,3,8,8] -> conv-bn-relu -> conv-bn (+ residual) -> relu -> dropout -> depthwise conv s2 -bn
 * -> Add const per-channel -> Clip(0,6) -> MaxPool -> BN (standalone) -> GlobalAveragePool ->
 * Flatten -> Identity -> Gemm -> BN (into Gemm) -> Mul (Constant+Constant folded) ->
 * Unsqueeze -> Squeeze -> Softmax -> y[N,6] */
static ir_graph *build_cnn(void) {
  ir_graph *g = ir_graph_new("cnn");
  g->opset = 13;
  int64_t xd[4] = {-1, 3, 8, 8}, w1d[4] = {8, 3, 3, 3}, w2d[4] = {8, 8, 3, 3}, w3d[4] = {8, 1, 3, 3}, c8 = 8,
          k1d[4] = {1, 8, 1, 1}, wgd[2] = {6, 8}, c6 = 6, pads[4] = {1, 1, 1, 1}, s2[2] = {2, 2}, k2[2] = {2, 2};
  ir_type xt = ty(IR_F32, 4, xd);
  int x = ir_add_tensor(g, "x", &xt);
  g->tensors[x]->dim_param[0] = strdup("N");
  g->inputs = malloc(sizeof(int));
  g->inputs[g->n_inputs++] = x;
  ir_node *n;
  int c1 = node(g, IR_OP_Conv, "conv1", (int[]){x, crand(g, "w1", 4, w1d, 0.4f, 0), crand(g, "b1", 1, &c8, 0.1f, 0)}, 3, 1, &n);
  ir_set_attr_ints(n, "pads", pads, 4);
  int r1 = node(g, IR_OP_Relu, "relu1", (int[]){bn(g, "bn1", c1, 8)}, 1, 1, NULL);
  int c2 = node(g, IR_OP_Conv, "conv2", (int[]){r1, crand(g, "w2", 4, w2d, 0.2f, 0)}, 2, 1, &n);
  ir_set_attr_ints(n, "pads", pads, 4);
  int a = node(g, IR_OP_Add, "res", (int[]){bn(g, "bn2", c2, 8), r1}, 2, 1, NULL);
  int r2 = node(g, IR_OP_Relu, "relu2", (int[]){a}, 1, 1, NULL);
  int d = node(g, IR_OP_Dropout, "drop", (int[]){r2}, 1, 1, NULL);
  int c3 = node(g, IR_OP_Conv, "dw", (int[]){d, crand(g, "w3", 4, w3d, 0.5f, 0)}, 2, 1, &n);
  ir_set_attr_ints(n, "pads", pads, 4);
  ir_set_attr_ints(n, "strides", s2, 2);
  ir_set_attr_int(n, "group", 8);
  int b3 = bn(g, "bn3", c3, 8);
  int k1 = node(g, IR_OP_Constant, "k1", NULL, 0, 1, &n);
  ir_attr *at = ir_new_attr(n, "value", IR_ATTR_TENSOR);
  at->t = calloc(1, sizeof *at->t);
  ir_type k1t = ty(IR_F32, 4, k1d);
  ir_value_alloc(at->t, &k1t);
  for (int i = 0; i < 8; i++) ((float *)at->t->data)[i] = 0.1f * (float)i - 0.3f;
  int a2 = node(g, IR_OP_Add, "addk", (int[]){b3, k1}, 2, 1, NULL);
  int lo = node(g, IR_OP_Constant, "lo", NULL, 0, 1, &n);
  ir_set_attr_float(n, "value_float", 0.0f);
  int hi = node(g, IR_OP_Constant, "hi", NULL, 0, 1, &n);
  ir_set_attr_float(n, "value_float", 6.0f);
  int cl = node(g, IR_OP_Clip, "clip", (int[]){a2, lo, hi}, 3, 1, NULL);
  int mp = node(g, IR_OP_MaxPool, "pool", (int[]){cl}, 1, 1, &n);
  ir_set_attr_ints(n, "kernel_shape", k2, 2);
  ir_set_attr_ints(n, "strides", s2, 2);
  int b4 = bn(g, "bn4", mp, 8);
  int gp = node(g, IR_OP_GlobalAveragePool, "gap", (int[]){b4}, 1, 1, NULL);
  int f = node(g, IR_OP_Flatten, "flat", (int[]){gp}, 1, 1, NULL);
  int id = node(g, IR_OP_Identity, "id", (int[]){f}, 1, 1, NULL);
  int gm = node(g, IR_OP_Gemm, "fc", (int[]){id, crand(g, "wg", 2, wgd, 0.5f, 0), crand(g, "cg", 1, &c6, 0.2f, 0)}, 3, 1, &n);
  ir_set_attr_int(n, "transB", 1);
  ir_set_attr_float(n, "alpha", 0.7f);
  ir_set_attr_float(n, "beta", 0.5f);
  int b5 = bn(g, "bn5", gm, 6);
  int ka = node(g, IR_OP_Add, "kadd", (int[]){crand(g, "kx", 1, &c6, 0.3f, 1), crand(g, "ky", 1, &c6, 0.1f, 0)}, 2, 1, NULL);
  int mu = node(g, IR_OP_Mul, "kmul", (int[]){b5, ka}, 2, 1, NULL);
  int un = node(g, IR_OP_Unsqueeze, "unsq", (int[]){mu, ci64(g, "ax", 1, (int64_t[]){1})}, 2, 1, NULL);
  int sq = node(g, IR_OP_Squeeze, "sq", (int[]){un, ci64(g, "ax2", 1, (int64_t[]){-2})}, 2, 1, NULL);
  int y = node(g, IR_OP_Softmax, "softmax", (int[]){sq}, 1, 1, NULL);
  g->outputs = malloc(sizeof(int));
  g->outputs[g->n_outputs++] = y;
  return g;
}

static void test_cnn(void) {
  ir_graph *g = build_cnn();
  char err[1024];
  CHECK(ir_verify(g, 0, err, sizeof err) == IR_OK, "built graph verifies: %s", err);
  ir_graph *c = ir_graph_clone(g);
  FILE *dump = tmpfile();
  cc_options o = {.dump_after = "all", .dump_to = dump};
  cc_ctx cx = {.o = &o};
  int rc = cc_run_pipeline(c, &cx, err, sizeof err);
  CHECK(rc == IR_OK, "pipeline: %s", err);
  if (rc) goto out;
  CHECK(count_op(c, IR_OP_BatchNormalization) == 0, "BN left: %d", count_op(c, IR_OP_BatchNormalization));
  CHECK(count_op(c, IR_OP_Identity) + count_op(c, IR_OP_Dropout) == 0, "Identity/Dropout left");
  CHECK(count_op(c, IR_OP_Constant) == 0, "Constant nodes left: %d", count_op(c, IR_OP_Constant));
  CHECK(count_op(c, IR_OP_Flatten) + count_op(c, IR_OP_Squeeze) + count_op(c, IR_OP_Unsqueeze) == 0,
        "Flatten/Squeeze/Unsqueeze left");
  CHECK(count_op(c, IR_OP_Reshape) == 1, "one Reshape (Flatten; Unsqueeze+Squeeze cancel), got %d", count_op(c, IR_OP_Reshape));
  /* the standalone BN after MaxPool became Mul + Add, then a depthwise 1x1 Conv (affine-to-conv) */
  CHECK(count_op(c, IR_OP_FusedConv) == 3 && count_op(c, IR_OP_Conv) == 1, "3 FusedConv, 1 Conv: %d %d",
        count_op(c, IR_OP_FusedConv), count_op(c, IR_OP_Conv));
  CHECK(count_op(c, IR_OP_Relu) == 0 && count_op(c, IR_OP_Clip) == 0, "activations fused");
  /* the folded Constant+Constant Add is gone and only kmul (rank 2) remains as a Mul with a
   * constant */
  CHECK(count_op(c, IR_OP_Mul) == 1 && count_op(c, IR_OP_Add) == 0, "Mul %d (want 1), Add %d (want 0)",
        count_op(c, IR_OP_Mul), count_op(c, IR_OP_Add));
  int resid = 0, clip = 0;
  for (int i = 0; i < c->n_nodes; i++) {
    const ir_node *n = c->nodes[i];
    if (n->op != IR_OP_FusedConv) continue;
    resid += n->n_in > 3 && n->in[3] >= 0;
    if (!strcmp(ir_attr_string(n, "activation", ""), "clip"))
      clip += ir_attr_float(n, "act_min", -1) == 0.0f && ir_attr_float(n, "act_max", -1) == 6.0f;
    CHECK(n->in[2] >= 0, "fused conv %s has a bias (BN folded in)", n->name);
  }
  CHECK(resid == 1 && clip == 1, "one residual (%d) and one clip(0,6) (%d) fusion", resid, clip);
  CHECK(ir_verify(c, 1, err, sizeof err) == IR_OK, "typed verify: %s", err);
  const ir_tensor *yt = c->tensors[c->outputs[0]];
  CHECK(yt->type.rank == 2 && yt->type.dims[0] == -1 && yt->type.dims[1] == 6 && yt->dim_param[0] &&
            !strcmp(yt->dim_param[0], "N"),
        "output f32[N,6], got rank %d", yt->type.rank);
  for (int b = 1; b <= 3; b += 2) {
    ir_value in = {.type = {.dtype = IR_F32, .rank = 4, .dims = {b, 3, 8, 8}}};
    ir_value_alloc(&in, &in.type);
    for (int i = 0; i < b * 192; i++) ((float *)in.data)[i] = frand() * 2;
    char what[64];
    snprintf(what, sizeof what, "cnn batch %d", b);
    same_outputs(g, c, &in, 1, what);
    ir_value_free(&in);
  }
  /* the pipeline is idempotent: a second run changes nothing */
  {
    ir_graph *again = ir_graph_clone(c);
    int rc2 = cc_run_pipeline(again, NULL, err, sizeof err);
    CHECK(rc2 == IR_OK && again->n_nodes == c->n_nodes && again->n_tensors == c->n_tensors,
          "second pipeline run: rc %d, %d nodes (was %d), %d tensors (was %d)", rc2, again->n_nodes, c->n_nodes,
          again->n_tensors, c->n_tensors);
    ir_graph_free(again);
  }
  /* the dump after each pass */
  char *text = tu_read_stream(dump);
  CHECK(text != NULL, "read dump");
  if (!text) goto out;
  for (int i = 0; cc_pass_at(i) && !cc_pass_at(i)->target; i++) {
    char hdr[64];
    snprintf(hdr, sizeof hdr, "## after %s\n", cc_pass_at(i)->name);
    CHECK(strstr(text, hdr) != NULL, "dump lacks \"%s\"", hdr);
  }
  CHECK(!strstr(text, "## after qdq-import"), "a run without a target config ends with the front end");
  CHECK(strstr(text, "= dlvta.FusedConv(") && strstr(text, "activation=\"relu\""), "dump shows the fused conv");
  CHECK(strstr(text, "f32[N,8,8,8]") != NULL, "dump shows symbolic shapes");
  free(text);
out:
  fclose(dump);
  ir_graph_free(c);

  /* stop_after: BN still there after shape-infer */
  c = ir_graph_clone(g);
  cc_options s = {.stop_after = "shape-infer"};
  cc_ctx sx = {.o = &s};
  CHECK(cc_run_pipeline(c, &sx, err, sizeof err) == IR_OK && count_op(c, IR_OP_BatchNormalization) == 5,
        "stop after shape-infer keeps the 5 BNs: %d", count_op(c, IR_OP_BatchNormalization));
  ir_graph_free(c);
  cc_options bad = {.dump_after = "no-such-pass"};
  cc_ctx bx = {.o = &bad};
  c = ir_graph_clone(g);
  CHECK(cc_run_pipeline(c, &bx, err, sizeof err) == IR_ERR && strstr(err, "no-such-pass"), "unknown dump pass: %s", err);
  ir_graph_free(c);
  ir_graph_free(g);
}

/* BN folding alone: the model's value before and after fold-batchnorm (Gemm with transB 0 and
 * a scalar C, Conv with groups and no bias). */
static void test_bn_fold_variants(void) {
  ir_graph *g = ir_graph_new("bnv");
  g->opset = 17;
  int64_t xd[4] = {2, 4, 5, 5}, wd[4] = {6, 2, 3, 3}, one = 1, wgd[2] = {6, 3}, ad[2] = {2, 6};
  ir_type xt = ty(IR_F32, 4, xd), at = ty(IR_F32, 2, ad);
  int x = ir_add_tensor(g, "x", &xt), a = ir_add_tensor(g, "a", &at);
  g->inputs = malloc(2 * sizeof(int));
  g->inputs[g->n_inputs++] = x;
  g->inputs[g->n_inputs++] = a;
  ir_node *n;
  int c = node(g, IR_OP_Conv, "gconv", (int[]){x, crand(g, "w", 4, wd, 0.5f, 0)}, 2, 1, &n);
  ir_set_attr_int(n, "group", 2);
  int y1 = bn(g, "bnc", c, 6);
  int gm = node(g, IR_OP_Gemm, "fc", (int[]){a, crand(g, "wg", 2, wgd, 0.5f, 0), crand(g, "c", 1, &one, 0.5f, 0)}, 3, 1, &n);
  ir_set_attr_float(n, "beta", 2.0f);
  int y2 = bn(g, "bng", gm, 3);
  g->outputs = malloc(2 * sizeof(int));
  g->outputs[g->n_outputs++] = y1;
  g->outputs[g->n_outputs++] = y2;
  ir_graph *f = ir_graph_clone(g);
  char err[1024];
  int rc = cc_run_pass(f, "shape-infer", NULL, err, sizeof err);
  if (!rc) rc = cc_run_pass(f, "fold-batchnorm", NULL, err, sizeof err);
  CHECK(rc == IR_OK, "shape-infer + fold-batchnorm: %s", err);
  CHECK(count_op(f, IR_OP_BatchNormalization) == 0 && count_op(f, IR_OP_Mul) == 0, "both BNs folded into producers");
  CHECK(!strcmp(f->tensors[f->outputs[0]]->name, g->tensors[g->outputs[0]]->name), "output names kept");
  ir_value in[2] = {{.type = xt}, {.type = at}};
  ir_value_alloc(&in[0], &xt);
  ir_value_alloc(&in[1], &at);
  for (int i = 0; i < 200; i++) ((float *)in[0].data)[i] = frand();
  for (int i = 0; i < 12; i++) ((float *)in[1].data)[i] = frand();
  same_outputs(g, f, in, 2, "bn fold variants");
  ir_value_free(&in[0]);
  ir_value_free(&in[1]);
  ir_graph_free(f);
  ir_graph_free(g);
}

/* Constant folding: values of folded constants, Reshape shape via Constant value_ints. */
static void test_const_fold(void) {
  ir_graph *g = ir_graph_new("cf");
  g->opset = 13;
  int64_t xd[2] = {2, 3};
  ir_type xt = ty(IR_F32, 2, xd);
  int x = ir_add_tensor(g, "x", &xt);
  g->inputs = malloc(sizeof(int));
  g->inputs[g->n_inputs++] = x;
  ir_node *n;
  int k = node(g, IR_OP_Constant, "k", NULL, 0, 1, &n);
  ir_set_attr_floats(n, "value_floats", (float[]){1, 2, 3}, 3);
  int k2 = node(g, IR_OP_Constant, "k2", NULL, 0, 1, &n);
  ir_set_attr_float(n, "value_float", 2.0f);
  int s = node(g, IR_OP_Mul, "s", (int[]){k, k2}, 2, 1, NULL);
  int sh = node(g, IR_OP_Constant, "sh", NULL, 0, 1, &n);
  ir_set_attr_ints(n, "value_ints", (int64_t[]){3, 2}, 2);
  int r = node(g, IR_OP_Reshape, "r", (int[]){x, sh}, 2, 1, NULL);
  int t = node(g, IR_OP_Transpose, "t", (int[]){r}, 1, 1, NULL);
  int y = node(g, IR_OP_Add, "y", (int[]){t, s}, 2, 1, NULL);
  g->outputs = malloc(sizeof(int));
  g->outputs[g->n_outputs++] = y;
  char err[1024];
  ir_graph *c = ir_graph_clone(g);
  int rc = cc_run_pass(c, "fold-constants", NULL, err, sizeof err);
  CHECK(rc == IR_OK, "fold-constants: %s", err);
  CHECK(c->n_nodes == 3 && count_op(c, IR_OP_Constant) == 0 && count_op(c, IR_OP_Mul) == 0,
        "3 nodes left (Reshape, Transpose, Add), got %d", c->n_nodes);
  int si = ir_find_tensor(c, "s");
  CHECK(si >= 0 && c->tensors[si]->data && c->tensors[si]->type.rank == 1, "s is a constant");
  if (si >= 0 && c->tensors[si]->data) {
    const float *v = c->tensors[si]->data;
    CHECK(v[0] == 2 && v[1] == 4 && v[2] == 6, "s = {2,4,6}, got {%g,%g,%g}", v[0], v[1], v[2]);
  }
  ir_value in = {.type = xt};
  ir_value_alloc(&in, &xt);
  for (int i = 0; i < 6; i++) ((float *)in.data)[i] = (float)i;
  same_outputs(g, c, &in, 1, "constant folding");
  ir_graph_free(c);
  /* a graph that is all constants folds to a constant output */
  ir_graph *k_only = ir_graph_new("konly");
  int kk = node(k_only, IR_OP_Constant, "kk", NULL, 0, 1, &n);
  ir_set_attr_floats(n, "value_floats", (float[]){-1, 5}, 2);
  int rr = node(k_only, IR_OP_Relu, "rr", &kk, 1, 1, NULL);
  k_only->outputs = malloc(sizeof(int));
  k_only->outputs[k_only->n_outputs++] = rr;
  rc = cc_run_pipeline(k_only, NULL, err, sizeof err);
  CHECK(rc == IR_OK && k_only->n_nodes == 0 && k_only->tensors[k_only->outputs[0]]->data &&
            ((float *)k_only->tensors[k_only->outputs[0]]->data)[0] == 0.0f,
        "all-constant graph folds to Relu({-1,5}) = {0,5}: %s", rc ? err : "");
  ir_graph_free(k_only);
  ir_value_free(&in);
  ir_graph_free(g);
}

static void expect_dims(const ir_graph *g, const char *name, int rank, const int64_t *dims) {
  int t = ir_find_tensor(g, name);
  CHECK(t >= 0, "tensor %s exists", name);
  if (t < 0) return;
  char got[128];
  ir_type_str(g->tensors[t], got, sizeof got);
  int ok = g->tensors[t]->type.rank == rank;
  for (int i = 0; ok && i < rank; i++) ok = g->tensors[t]->type.dims[i] == dims[i];
  CHECK(ok, "%s: inferred %s", name, got);
}

static void test_shapes(void) {
  ir_graph *g = ir_graph_new("shapes");
  g->opset = 13;
  int64_t xd[4] = {-1, 3, 32, 32}, wd[4] = {16, 3, 5, 5}, k3[2] = {3, 3}, s2[2] = {2, 2}, md[2] = {1024, 10};
  ir_type xt = ty(IR_F32, 4, xd);
  int x = ir_add_tensor(g, "x", &xt);
  g->inputs = malloc(sizeof(int));
  g->inputs[g->n_inputs++] = x;
  ir_node *n;
  int c = node(g, IR_OP_Conv, "conv", (int[]){x, crand(g, "w", 4, wd, 1, 0)}, 2, 1, &n);
  ir_set_attr_string(n, "auto_pad", "SAME_UPPER");
  ir_set_attr_ints(n, "strides", s2, 2);
  int p = node(g, IR_OP_MaxPool, "pool", &c, 1, 1, &n);
  ir_set_attr_ints(n, "kernel_shape", k3, 2);
  ir_set_attr_ints(n, "strides", s2, 2);
  ir_set_attr_int(n, "ceil_mode", 1);
  int t = node(g, IR_OP_Transpose, "tr", &p, 1, 1, &n);
  ir_set_attr_ints(n, "perm", (int64_t[]){0, 2, 3, 1}, 4);
  int r = node(g, IR_OP_Reshape, "rs", (int[]){t, ci64(g, "shp", 2, (int64_t[]){0, -1})}, 2, 1, NULL);
  int m = node(g, IR_OP_MatMul, "mm", (int[]){r, crand(g, "wm", 2, md, 1, 0)}, 2, 1, NULL);
  int cc = node(g, IR_OP_Concat, "cat", (int[]){m, m}, 2, 1, &n);
  ir_set_attr_int(n, "axis", -1);
  int pd = node(g, IR_OP_Pad, "pad", (int[]){cc, ci64(g, "pads", 4, (int64_t[]){0, 1, 0, 1})}, 2, 1, NULL);
  int u = node(g, IR_OP_Unsqueeze, "unsq", (int[]){pd, ci64(g, "axes", 1, (int64_t[]){-1})}, 2, 1, NULL);
  int sm = node(g, IR_OP_Softmax, "sm", &u, 1, 1, NULL);
  g->outputs = malloc(sizeof(int));
  g->outputs[g->n_outputs++] = sm;
  char err[1024];
  int rc = cc_run_pass(g, "shape-infer", NULL, err, sizeof err);
  CHECK(rc == IR_OK, "shape-infer: %s", err);
  expect_dims(g, "conv", 4, (int64_t[]){-1, 16, 16, 16});
  expect_dims(g, "pool", 4, (int64_t[]){-1, 16, 8, 8});
  expect_dims(g, "tr", 4, (int64_t[]){-1, 8, 8, 16});
  expect_dims(g, "rs", 2, (int64_t[]){-1, 1024});
  expect_dims(g, "mm", 2, (int64_t[]){-1, 10});
  expect_dims(g, "cat", 2, (int64_t[]){-1, 20});
  expect_dims(g, "pad", 2, (int64_t[]){-1, 22});
  expect_dims(g, "unsq", 3, (int64_t[]){-1, 22, 1});
  /* with the batch known, normalize-reshape writes the explicit shape */
  ir_graph_free(g);

  /* broadcast error names the node */
  g = ir_graph_new("bad");
  int64_t ad[2] = {-1, 3}, bd[1] = {4};
  ir_type at = ty(IR_F32, 2, ad), bt = ty(IR_F32, 1, bd);
  int a = ir_add_tensor(g, "a", &at), b = ir_add_tensor(g, "b", &bt);
  g->inputs = malloc(2 * sizeof(int));
  g->inputs[g->n_inputs++] = a;
  g->inputs[g->n_inputs++] = b;
  int s = node(g, IR_OP_Add, "badd", (int[]){a, b}, 2, 1, NULL);
  g->outputs = malloc(sizeof(int));
  g->outputs[g->n_outputs++] = s;
  rc = cc_run_pipeline(g, NULL, err, sizeof err);
  CHECK(rc == IR_ERR && strstr(err, "badd") && strstr(err, "(Add)") && strstr(err, "broadcast"), "broadcast error: %s", err);
  ir_graph_free(g);
}

static void test_verifier(void) {
  char err[1024];
  ir_graph *g = ir_graph_new("v");
  int64_t d[1] = {4};
  ir_type t = ty(IR_F32, 1, d);
  int x = ir_add_tensor(g, "x", &t);
  g->inputs = malloc(sizeof(int));
  g->inputs[g->n_inputs++] = x;
  int mid = ir_add_tensor(g, "mid", NULL), y = ir_add_tensor(g, "y", NULL);
  ir_add_node(g, IR_OP_Relu, "second", &mid, 1, &y, 1); /* uses mid before it is produced */
  ir_add_node(g, IR_OP_Relu, "first", &x, 1, &mid, 1);
  g->outputs = malloc(sizeof(int));
  g->outputs[g->n_outputs++] = y;
  CHECK(ir_verify(g, 0, err, sizeof err) == IR_ERR && strstr(err, "second") && strstr(err, "topological"),
        "order violation: %s", err);
  g->nodes[0]->out[0] = mid; /* now two producers of mid */
  CHECK(ir_verify(g, 0, err, sizeof err) == IR_ERR && strstr(err, "two producers"), "two producers: %s", err);
  g->nodes[0]->out[0] = y;
  g->nodes[0]->in[0] = 99;
  CHECK(ir_verify(g, 0, err, sizeof err) == IR_ERR && strstr(err, "out of range"), "bad index: %s", err);
  g->nodes[0]->in[0] = x;
  CHECK(ir_verify(g, 0, err, sizeof err) == IR_OK, "repaired graph verifies: %s", err);
  ir_set_attr_float(g->nodes[1], "axis", 1.0f);
  CHECK(ir_verify(g, 0, err, sizeof err) == IR_ERR && strstr(err, "'axis'"), "attribute kind: %s", err);
  ir_graph_free(g);
}

/* A QDQ graph: Q/DQ survive the pipeline, their parameters land on the integer tensors. */
static void test_qdq(void) {
  ir_graph *g = ir_graph_new("qdq");
  g->opset = 13;
  int64_t xd[4] = {1, 2, 5, 5}, wd[4] = {3, 2, 3, 3}, c3 = 3, sc[1] = {0};
  ir_type xt = ty(IR_F32, 4, xd);
  int x = ir_add_tensor(g, "x", &xt);
  g->inputs = malloc(sizeof(int));
  g->inputs[g->n_inputs++] = x;
  ir_type st = ty(IR_F32, 0, sc), zt = ty(IR_U8, 0, sc), wt = ty(IR_I8, 4, wd), wst = ty(IR_F32, 1, &c3);
  float *xs = malloc(sizeof(float));
  *xs = 0.02f;
  uint8_t *xz = malloc(1);
  *xz = 128;
  int s = ir_add_const(g, "xs", &st, xs), z = ir_add_const(g, "xz", &zt, xz);
  int8_t *w = malloc(54);
  for (int i = 0; i < 54; i++) w[i] = (int8_t)(frand() * 127);
  float *ws = malloc(3 * sizeof(float));
  for (int i = 0; i < 3; i++) ws[i] = 0.01f * (float)(i + 1);
  int wi = ir_add_const(g, "w_q", &wt, w), wsi = ir_add_const(g, "w_scale", &wst, ws);
  int q = node(g, IR_OP_QuantizeLinear, "q", (int[]){x, s, z}, 3, 1, NULL);
  int dq = node(g, IR_OP_DequantizeLinear, "dq", (int[]){q, s, z}, 3, 1, NULL);
  ir_node *n;
  int wdq = node(g, IR_OP_DequantizeLinear, "wdq", (int[]){wi, wsi}, 2, 1, &n);
  ir_set_attr_int(n, "axis", 0);
  int y = node(g, IR_OP_Conv, "conv", (int[]){dq, wdq}, 2, 1, NULL);
  g->outputs = malloc(sizeof(int));
  g->outputs[g->n_outputs++] = y;
  ir_graph *c = ir_graph_clone(g);
  char err[1024];
  int rc = cc_run_pipeline(c, NULL, err, sizeof err);
  CHECK(rc == IR_OK, "qdq pipeline: %s", err);
  if (!rc) {
    CHECK(count_op(c, IR_OP_QuantizeLinear) == 1 && count_op(c, IR_OP_DequantizeLinear) == 2, "Q/DQ kept: %d %d",
          count_op(c, IR_OP_QuantizeLinear), count_op(c, IR_OP_DequantizeLinear));
    const ir_tensor *wq = c->tensors[ir_find_tensor(c, "w_q")], *qq = c->tensors[ir_find_tensor(c, "q")];
    CHECK(wq->quant && wq->quant->axis == 0 && wq->quant->n == 3 && wq->quant->scale[2] == 0.03f &&
              wq->quant->qtype == IR_I8,
          "per-channel weight quantization recorded");
    CHECK(qq->quant && qq->quant->axis == -1 && qq->quant->zero_point[0] == 128 && qq->quant->qtype == IR_U8,
          "per-tensor activation quantization recorded");
    ir_value in = {.type = xt};
    ir_value_alloc(&in, &xt);
    for (int i = 0; i < 50; i++) ((float *)in.data)[i] = frand();
    same_outputs(g, c, &in, 1, "qdq");
    ir_value_free(&in);
  }
  ir_graph_free(c);
  ir_graph_free(g);
}


/* ---- the rewrite passes (cc_rewrite.c) ---- */

static int cf32(ir_graph *g, const char *name, float v) {
  ir_type t = ty(IR_F32, 0, NULL);
  float *d = malloc(sizeof(float));
  *d = v;
  return ir_add_const(g, name, &t, d);
}

/* A graph with input x of dims xd (dim 0 symbolic "N" when -1). */
static ir_graph *graph_with_input(const char *name, int rank, const int64_t *xd, int *x) {
  ir_graph *g = ir_graph_new(name);
  g->opset = 13;
  ir_type xt = ty(IR_F32, rank, xd);
  *x = ir_add_tensor(g, "x", &xt);
  if (xd[0] < 0) g->tensors[*x]->dim_param[0] = strdup("N");
  g->inputs = malloc(sizeof(int));
  g->inputs[g->n_inputs++] = *x;
  return g;
}

static void set_output(ir_graph *g, int y) {
  g->outputs = malloc(sizeof(int));
  g->outputs[g->n_outputs++] = y;
}

/* A Transpose of x by perm (rank 4); its output. */
static int transpose4(ir_graph *g, const char *name, int x, const int64_t *perm) {
  ir_node *n;
  int y = node(g, IR_OP_Transpose, name, &x, 1, 1, &n);
  ir_set_attr_ints(n, "perm", perm, 4);
  return y;
}

/* Random input of the graph's input type with batch n (for a symbolic batch). */
static ir_value rand_input(const ir_graph *g, int64_t n) {
  ir_value v = {.type = g->tensors[g->inputs[0]]->type};
  if (v.type.dims[0] < 0) v.type.dims[0] = n;
  ir_value_alloc(&v, &v.type);
  for (int64_t i = 0; i < ir_type_numel(&v.type); i++) ((float *)v.data)[i] = 2.0f * frand();
  return v;
}

/* Clone g, run the front-end pipeline on the clone, compare outputs on a random input; the
 * caller checks the clone's rewrites and frees it. */
static ir_graph *pipeline_same(const ir_graph *g, const char *what) {
  ir_graph *c = ir_graph_clone(g);
  char err[1024];
  int rc = cc_run_pipeline(c, NULL, err, sizeof err);
  CHECK(rc == IR_OK, "%s: pipeline: %s", what, err);
  ir_value in = rand_input(g, 2);
  if (!rc) same_outputs(g, c, &in, 1, what);
  ir_value_free(&in);
  return c;
}

/* x.view(x.size(0), -1) as torch exports it (Shape -> Gather -> Unsqueeze -> Concat -> Reshape)
 * and a channel split from Shape -> Slice -> Div -> Range -> Gather: everything but the data
 * path folds, the batch extent staying symbolic (Gather of a Shape whose other extents are
 * known); Equal/Where/Expand/ConstantOfShape on the folded shapes fold too. */
static void test_fold_shapes(void) {
  int x;
  ir_graph *g = graph_with_input("shapes_fold", 4, (int64_t[]){-1, 8, 4, 4}, &x);
  int sh = node(g, IR_OP_Shape, "shape", &x, 1, 1, NULL);
  int c1 = node(g, IR_OP_Gather, "g1", (int[]){sh, ci64(g, "i1", 1, (int64_t[]){1})}, 2, 1, NULL);
  int c2 = node(g, IR_OP_Slice, "sl", (int[]){sh, ci64(g, "s0", 1, (int64_t[]){2}), ci64(g, "s1", 1, (int64_t[]){4})}, 3, 1, NULL);
  ir_node *n;
  int hw = node(g, IR_OP_ReduceSum, "hw", (int[]){c2}, 1, 1, &n); /* 4 + 4 = 8 */
  ir_set_attr_int(n, "keepdims", 1);
  int prod = node(g, IR_OP_Mul, "prod", (int[]){c1, hw}, 2, 1, NULL); /* 8 * 8 = 64 */
  int eq = node(g, IR_OP_Equal, "eq", (int[]){prod, ci64(g, "k64", 1, (int64_t[]){64})}, 2, 1, NULL);
  int w = node(g, IR_OP_Where, "where", (int[]){eq, prod, ci64(g, "bad", 1, (int64_t[]){7})}, 3, 1, NULL);
  int shp = node(g, IR_OP_Concat, "cat", (int[]){ci64(g, "m1", 1, (int64_t[]){-1}), w}, 2, 1, &n);
  ir_set_attr_int(n, "axis", 0);
  int r = node(g, IR_OP_Reshape, "flat", (int[]){x, shp}, 2, 1, NULL);
  /* bias: ConstantOfShape(Shape(flat)[1:]) + Range(0, 64, 1) cast to float, expanded */
  int sh2 = node(g, IR_OP_Shape, "shape2", &r, 1, 1, &n);
  ir_set_attr_int(n, "start", 1);
  int zeros = node(g, IR_OP_ConstantOfShape, "zeros", &sh2, 1, 1, NULL);
  int64_t one[1] = {1};
  int rg = node(g, IR_OP_Range, "range", (int[]){cf32(g, "r0", 0), cf32(g, "r1", 64), cf32(g, "r2", 1)}, 3, 1, NULL);
  int bias = node(g, IR_OP_Add, "bias", (int[]){zeros, rg}, 2, 1, NULL);
  int ex = node(g, IR_OP_Expand, "expand", (int[]){bias, ci64(g, "es", 2, (int64_t[]){1, 64})}, 2, 1, NULL);
  (void)one;
  int y = node(g, IR_OP_Add, "y", (int[]){r, ex}, 2, 1, NULL);
  set_output(g, y);
  ir_graph *c = pipeline_same(g, "fold-shapes");
  CHECK(c->n_nodes == 2 && count_op(c, IR_OP_Reshape) == 1 && count_op(c, IR_OP_Add) == 1,
        "fold-shapes leaves Reshape + Add, got %d nodes", c->n_nodes);
  int fi = ir_find_tensor(c, "flat");
  if (fi >= 0) {
    char s[64];
    ir_type_str(c->tensors[fi], s, sizeof s);
    CHECK(c->tensors[fi]->type.rank == 2 && c->tensors[fi]->type.dims[1] == 64, "flat is [?,64], got %s", s);
  }
  ir_graph_free(c);
  ir_graph_free(g);
}

/* x * sigmoid(x) -> dlvta.Silu, x * hardsigmoid(x) -> HardSwish, the three association orders of
 * x * 0.5 * (1 + erf(x / sqrt 2)) -> Gelu; a Sigmoid times another tensor (squeeze-and-excite)
 * and a HardSigmoid of other parameters stay. */
static void test_fuse_activations(void) {
  int x;
  ir_graph *g = graph_with_input("acts", 4, (int64_t[]){-1, 4, 3, 3}, &x);
  ir_node *n;
  int sg = node(g, IR_OP_Sigmoid, "sig", &x, 1, 1, NULL);
  int silu = node(g, IR_OP_Mul, "silu", (int[]){sg, x}, 2, 1, NULL);
  int hs = node(g, IR_OP_HardSigmoid, "hsig", &silu, 1, 1, &n);
  ir_set_attr_float(n, "alpha", 1.0f / 6);
  int hsw = node(g, IR_OP_Mul, "hswish", (int[]){silu, hs}, 2, 1, NULL);
  int hs2 = node(g, IR_OP_HardSigmoid, "hsig2", &hsw, 1, 1, NULL); /* alpha 0.2: not Hardswish */
  int keep = node(g, IR_OP_Mul, "keep", (int[]){hsw, hs2}, 2, 1, NULL);
  int v = keep;
  for (int order = 0; order < 3; order++) {
    int d = order == 1 ? node(g, IR_OP_Mul, "gm", (int[]){v, cf32(g, "isq2", 0.70710678f)}, 2, 1, NULL)
                       : node(g, IR_OP_Div, "gd", (int[]){v, cf32(g, "sq2", 1.4142135f)}, 2, 1, NULL);
    int e = node(g, IR_OP_Erf, "erf", &d, 1, 1, NULL);
    int t = node(g, IR_OP_Add, "onep", (int[]){e, cf32(g, "one", 1)}, 2, 1, NULL);
    if (order == 0) {
      int p = node(g, IR_OP_Mul, "xt", (int[]){v, t}, 2, 1, NULL);
      v = node(g, IR_OP_Mul, "gelu0", (int[]){p, cf32(g, "half", 0.5f)}, 2, 1, NULL);
    } else if (order == 1) {
      int p = node(g, IR_OP_Mul, "th", (int[]){t, cf32(g, "half", 0.5f)}, 2, 1, NULL);
      v = node(g, IR_OP_Mul, "gelu1", (int[]){v, p}, 2, 1, NULL);
    } else {
      int p = node(g, IR_OP_Mul, "xh", (int[]){cf32(g, "half", 0.5f), v}, 2, 1, NULL);
      v = node(g, IR_OP_Mul, "gelu2", (int[]){t, p}, 2, 1, NULL);
    }
  }
  /* squeeze-and-excite: x * sigmoid(mean(x)) stays Sigmoid + Mul */
  int gp = node(g, IR_OP_GlobalAveragePool, "se_pool", &v, 1, 1, NULL);
  int ss = node(g, IR_OP_Sigmoid, "se_sig", &gp, 1, 1, NULL);
  int y = node(g, IR_OP_Mul, "se_mul", (int[]){v, ss}, 2, 1, NULL);
  set_output(g, y);
  ir_graph *c = pipeline_same(g, "fuse-activations");
  CHECK(count_op(c, IR_OP_Silu) == 1 && count_op(c, IR_OP_HardSwish) == 1 && count_op(c, IR_OP_Gelu) == 3,
        "1 Silu, 1 HardSwish, 3 Gelu: got %d, %d, %d", count_op(c, IR_OP_Silu), count_op(c, IR_OP_HardSwish),
        count_op(c, IR_OP_Gelu));
  CHECK(count_op(c, IR_OP_Erf) == 0 && count_op(c, IR_OP_HardSigmoid) == 1 && count_op(c, IR_OP_Sigmoid) == 1 &&
            count_op(c, IR_OP_Mul) == 2,
        "left: HardSigmoid*x (alpha 0.2) and the SE Sigmoid*y: %d HardSigmoid, %d Sigmoid, %d Mul",
        count_op(c, IR_OP_HardSigmoid), count_op(c, IR_OP_Sigmoid), count_op(c, IR_OP_Mul));
  for (int i = 0; i < c->n_nodes; i++)
    if (c->nodes[i]->op == IR_OP_Silu)
      CHECK(!strcmp(c->nodes[i]->op_name, "dlvta.Silu"), "op_name %s", c->nodes[i]->op_name);
  ir_graph_free(c);
  ir_graph_free(g);
}

/* Relu / Clip after a MaxPool that only it reads (torch's MNIST example: relu(max_pool2d(conv)))
 * trade places, so that fuse joins the activation with the conv; a MaxPool that another node
 * also reads keeps its Relu after it. */
static void test_act_before_maxpool(void) {
  int x;
  ir_graph *g = graph_with_input("actpool", 4, (int64_t[]){1, 3, 8, 8}, &x);
  ir_node *n;
  int64_t wd[4] = {4, 3, 3, 3}, wd2[4] = {4, 4, 1, 1};
  int c1 = node(g, IR_OP_Conv, "c1", (int[]){x, crand(g, "w1", 4, wd, 0.3f, 0)}, 2, 1, NULL);
  int p1 = node(g, IR_OP_MaxPool, "p1", &c1, 1, 1, &n);
  ir_set_attr_ints(n, "kernel_shape", (int64_t[]){2, 2}, 2);
  ir_set_attr_ints(n, "strides", (int64_t[]){2, 2}, 2);
  int r1 = node(g, IR_OP_Relu, "r1", &p1, 1, 1, NULL);
  int c2 = node(g, IR_OP_Conv, "c2", (int[]){r1, crand(g, "w2", 4, wd2, 0.3f, 0)}, 2, 1, NULL);
  int p2 = node(g, IR_OP_MaxPool, "p2", &c2, 1, 1, &n);
  ir_set_attr_ints(n, "kernel_shape", (int64_t[]){3, 3}, 2);
  ir_set_attr_ints(n, "pads", (int64_t[]){1, 1, 1, 1}, 4);
  int k2 = node(g, IR_OP_Clip, "k2", (int[]){p2, cf32(g, "lo", 0), cf32(g, "hi", 6)}, 3, 1, NULL);
  int p3 = node(g, IR_OP_MaxPool, "p3", &k2, 1, 1, &n); /* read twice: its Relu stays */
  ir_set_attr_ints(n, "kernel_shape", (int64_t[]){2, 2}, 2);
  int r3 = node(g, IR_OP_Relu, "r3", &p3, 1, 1, NULL);
  int y = node(g, IR_OP_Add, "y", (int[]){r3, p3}, 2, 1, NULL);
  set_output(g, y);
  ir_graph *k = pipeline_same(g, "act-before-maxpool");
  int fused = 0;
  for (int i = 0; i < k->n_nodes; i++)
    if (!k->nodes[i]->dead && k->nodes[i]->op == IR_OP_FusedConv)
      fused += strcmp(ir_attr_string(k->nodes[i], "activation", "none"), "none") != 0;
  CHECK(fused == 2 && count_op(k, IR_OP_Relu) == 1 && count_op(k, IR_OP_Clip) == 0 && count_op(k, IR_OP_MaxPool) == 3,
        "both convs with their activation, r3 left: %d fused activations, %d Relu, %d Clip, %d MaxPool", fused,
        count_op(k, IR_OP_Relu), count_op(k, IR_OP_Clip), count_op(k, IR_OP_MaxPool));
  ir_graph_free(k);
  ir_graph_free(g);
}

/* Hardswish and hardsigmoid spelled out as MobileNetV3 code writes them: x * relu6(x + 3) / 6
 * (relu6 as torch exports it, Relu then Clip with no lower bound) -> HardSwish; relu6(3 + y) *
 * (1/6) -> HardSigmoid, which with y * it becomes HardSwish; Clip(x + 3, 0, 5) / 6 stays. */
static void test_hard_patterns(void) {
  int x;
  ir_graph *g = graph_with_input("hard", 4, (int64_t[]){-1, 4, 3, 3}, &x);
  int a = node(g, IR_OP_Add, "a", (int[]){x, cf32(g, "three", 3)}, 2, 1, NULL);
  int r = node(g, IR_OP_Relu, "r", &a, 1, 1, NULL);
  int c = node(g, IR_OP_Clip, "c", (int[]){r, -1, cf32(g, "six", 6)}, 3, 1, NULL);
  int m = node(g, IR_OP_Mul, "m", (int[]){x, c}, 2, 1, NULL);
  int hsw = node(g, IR_OP_Div, "hswish", (int[]){m, cf32(g, "six", 6)}, 2, 1, NULL);
  int a2 = node(g, IR_OP_Add, "a2", (int[]){cf32(g, "three", 3), hsw}, 2, 1, NULL);
  int c2 = node(g, IR_OP_Clip, "c2", (int[]){a2, cf32(g, "zero", 0), cf32(g, "six", 6)}, 3, 1, NULL);
  int hsg = node(g, IR_OP_Mul, "hsig", (int[]){c2, cf32(g, "sixth", 1.0f / 6)}, 2, 1, NULL);
  int hsw2 = node(g, IR_OP_Mul, "hswish2", (int[]){hsw, hsg}, 2, 1, NULL);
  int a3 = node(g, IR_OP_Add, "a3", (int[]){hsw2, cf32(g, "three", 3)}, 2, 1, NULL);
  int c3 = node(g, IR_OP_Clip, "c3", (int[]){a3, cf32(g, "zero", 0), cf32(g, "five", 5)}, 3, 1, NULL);
  int y = node(g, IR_OP_Div, "keep", (int[]){c3, cf32(g, "six", 6)}, 2, 1, NULL);
  set_output(g, y);
  ir_graph *k = pipeline_same(g, "fuse-activations");
  /* the Clip(x + 3, 0, 5) / 6 goes on as a conv of the affine and its clip (affine-to-conv, fuse) */
  CHECK(count_op(k, IR_OP_HardSwish) == 2 && count_op(k, IR_OP_HardSigmoid) == 0 && count_op(k, IR_OP_Relu) == 0,
        "2 HardSwish, the Clip(x + 3, 0, 5) / 6 not one: got %d HardSwish, %d HardSigmoid, %d Relu",
        count_op(k, IR_OP_HardSwish), count_op(k, IR_OP_HardSigmoid), count_op(k, IR_OP_Relu));
  ir_graph_free(k);
  ir_graph_free(g);
}

/* PRelu with one slope everywhere (a [C,1,1] constant of equal values: nn.PReLU's start, or
 * nn.PReLU() itself) is a LeakyRelu; with slopes per channel it stays PRelu. */
static void test_prelu_uniform(void) {
  int x;
  ir_graph *g = graph_with_input("prelu", 4, (int64_t[]){-1, 3, 4, 4}, &x);
  int64_t sd[3] = {3, 1, 1};
  float *same = malloc(3 * sizeof *same), *per = malloc(3 * sizeof *per);
  for (int i = 0; i < 3; i++) same[i] = 0.25f, per[i] = 0.1f * (float)(i + 1);
  ir_type st = ty(IR_F32, 3, sd);
  int a = node(g, IR_OP_PRelu, "p_same", (int[]){x, ir_add_const(g, "s_same", &st, same)}, 2, 1, NULL);
  int y = node(g, IR_OP_PRelu, "p_per", (int[]){a, ir_add_const(g, "s_per", &st, per)}, 2, 1, NULL);
  set_output(g, y);
  ir_graph *c = pipeline_same(g, "prelu uniform");
  /* the per-channel one: Neg, Relu, a depthwise conv with the residual (prelu-to-conv) */
  CHECK(count_op(c, IR_OP_LeakyRelu) == 1 && count_op(c, IR_OP_PRelu) == 0 && count_op(c, IR_OP_Neg) == 1,
        "1 LeakyRelu, no PRelu, 1 Neg: got %d, %d, %d", count_op(c, IR_OP_LeakyRelu), count_op(c, IR_OP_PRelu),
        count_op(c, IR_OP_Neg));
  ir_graph_free(c);
  ir_graph_free(g);
}

/* Front end with pynq's partition: the number of nodes of g's clone on the CPU; the clone's
 * outputs match g's (front end only) before that. The clone in *out (freed by the caller). */
static int cpu_nodes_after_partition(const ir_graph *g, const char *what, ir_graph **out) {
  ir_graph *c = pipeline_same(g, what);
  ir_graph_free(c);
  cc_options o = {.stop_after = "partition"};
  cc_ctx cx = {.o = &o, .cfg = isa_config_find("pynq")};
  c = ir_graph_clone(g);
  char err[1024];
  int rc = cc_run_pipeline(c, &cx, err, sizeof err), cpu = 0;
  CHECK(rc == IR_OK, "%s: front end + partition: %s", what, err);
  for (int i = 0; i < c->n_nodes; i++)
    cpu += !c->nodes[i]->dead && !strcmp(ir_attr_string(c->nodes[i], "dlvta.target", ""), "cpu");
  *out = c;
  return cpu;
}

/* prelu-to-conv: PRelus with a slope per channel ([C,1,1] after a Conv + BN, [1,C,1,1], the
 * legacy [C]) become Neg + Relu (a table layer) and a depthwise 1x1 conv with the residual: the
 * float outputs as before, nothing on the CPU (pynq); a PRelu of a [1,C] activation and one
 * whose slope varies along W stay on the CPU with their reasons. */
static void test_prelu_to_conv(void) {
  int x;
  ir_graph *g = graph_with_input("face", 4, (int64_t[]){1, 3, 6, 5}, &x);
  int64_t wd[4] = {8, 3, 3, 3}, c8 = 8, s3[3] = {8, 1, 1}, s4[4] = {1, 8, 1, 1}, dw[4] = {8, 1, 3, 3};
  ir_node *n;
  int c1 = node(g, IR_OP_Conv, "conv1", (int[]){x, crand(g, "w1", 4, wd, 0.4f, 0), crand(g, "b1", 1, &c8, 0.1f, 0)}, 3, 1, &n);
  ir_set_attr_ints(n, "pads", (int64_t[]){1, 1, 1, 1}, 4);
  int p1 = node(g, IR_OP_PRelu, "prelu1", (int[]){bn(g, "bn1", c1, 8), crand(g, "a1", 3, s3, 0.4f, 0.2f)}, 2, 1, NULL);
  int c2 = node(g, IR_OP_Conv, "dw", (int[]){p1, crand(g, "w2", 4, dw, 0.4f, 0)}, 2, 1, &n);
  ir_set_attr_ints(n, "pads", (int64_t[]){1, 1, 1, 1}, 4);
  ir_set_attr_int(n, "group", 8);
  int p2 = node(g, IR_OP_PRelu, "prelu2", (int[]){c2, crand(g, "a2", 4, s4, 0.4f, 0.2f)}, 2, 1, NULL);
  int p3 = node(g, IR_OP_PRelu, "prelu3", (int[]){p2, crand(g, "a3", 1, &c8, 0.4f, 0.2f)}, 2, 1, NULL);
  set_output(g, p3);
  ir_graph *c;
  int cpu = cpu_nodes_after_partition(g, "prelu-to-conv", &c);
  CHECK(count_op(c, IR_OP_PRelu) == 0 && count_op(c, IR_OP_Neg) == 3 && count_op(c, IR_OP_FusedConv) == 3 && cpu == 0,
        "prelu-to-conv: %d PRelu (want 0), %d Neg (3), %d FusedConv (3: each PRelu's depthwise conv with its residual), "
        "%d CPU nodes (0)",
        count_op(c, IR_OP_PRelu), count_op(c, IR_OP_Neg), count_op(c, IR_OP_FusedConv), cpu);
  CHECK(c->n_outputs == 1 && !strcmp(c->tensors[c->outputs[0]]->name, "prelu3"), "prelu-to-conv: the output keeps its name");
  ir_graph_free(c);
  ir_graph_free(g);
  /* not rewritten: a [1,C] activation (after a Gemm), a slope along W */
  g = graph_with_input("prelu_no", 4, (int64_t[]){1, 8, 1, 5}, &x);
  int64_t sw[4] = {1, 1, 1, 5}, fd[2] = {1, 8};
  int pw = node(g, IR_OP_PRelu, "prelu_w", (int[]){x, crand(g, "aw", 4, sw, 0.4f, 0.2f)}, 2, 1, NULL);
  int r = node(g, IR_OP_Reshape, "flat", (int[]){pw, ci64(g, "shape", 2, (int64_t[]){1, 40})}, 2, 1, NULL);
  int64_t gw[2] = {8, 40};
  int fc = node(g, IR_OP_Gemm, "fc", (int[]){r, crand(g, "fw", 2, gw, 0.3f, 0)}, 2, 1, &n);
  ir_set_attr_int(n, "transB", 1);
  int pf = node(g, IR_OP_PRelu, "prelu_fc", (int[]){fc, crand(g, "af", 2, fd, 0.4f, 0.2f)}, 2, 1, NULL);
  set_output(g, pf);
  cpu = cpu_nodes_after_partition(g, "prelu not rewritten", &c);
  const char *w1 = "", *w2 = "";
  for (int i = 0; i < c->n_nodes; i++) {
    const ir_node *m = c->nodes[i];
    if (m->dead || m->op != IR_OP_PRelu) continue;
    if (!strcmp(m->name, "prelu_w")) w1 = ir_attr_string(m, "dlvta.why", "");
    if (!strcmp(m->name, "prelu_fc")) w2 = ir_attr_string(m, "dlvta.why", "");
  }
  CHECK(count_op(c, IR_OP_PRelu) == 2 && cpu == 2 && strstr(w1, "slope of shape [1,1,1,5] varies") &&
            strstr(w2, "rank-2 activation"),
        "prelu not rewritten: %d PRelu, %d CPU nodes, reasons '%s', '%s'", count_op(c, IR_OP_PRelu), cpu, w1, w2);
  ir_graph_free(c);
  ir_graph_free(g);
}

/* The decomposed layer norm of torch's opset-13 export over the last axis (with and without Pow,
 * with Scale and B) -> LayerNormalization; a normalization over a leading axis is left alone. */
static void test_layernorm_pattern(void) {
  int x;
  ir_graph *g = graph_with_input("ln", 3, (int64_t[]){-1, 5, 8}, &x);
  int v = x;
  for (int k = 0; k < 2; k++) {
    ir_node *n;
    int m = node(g, IR_OP_ReduceMean, "mean", &v, 1, 1, &n);
    ir_set_attr_ints(n, "axes", (int64_t[]){-1}, 1);
    int d = node(g, IR_OP_Sub, "d", (int[]){v, m}, 2, 1, NULL);
    int sq = k == 0 ? node(g, IR_OP_Pow, "sq", (int[]){d, cf32(g, "two", 2)}, 2, 1, NULL)
                    : node(g, IR_OP_Mul, "sq", (int[]){d, d}, 2, 1, NULL);
    int var = node(g, IR_OP_ReduceMean, "var", &sq, 1, 1, &n);
    ir_set_attr_ints(n, "axes", (int64_t[]){2}, 1);
    int ve = node(g, IR_OP_Add, "ve", (int[]){var, cf32(g, "eps", 1e-5f)}, 2, 1, NULL);
    int sd = node(g, IR_OP_Sqrt, "sd", &ve, 1, 1, NULL);
    int nn = node(g, IR_OP_Div, "norm", (int[]){d, sd}, 2, 1, NULL);
    int64_t c8 = 8;
    int sc = node(g, IR_OP_Mul, "gamma", (int[]){nn, crand(g, "g", 1, &c8, 0.5f, 1)}, 2, 1, NULL);
    v = node(g, IR_OP_Add, "beta", (int[]){sc, crand(g, "b", 1, &c8, 0.5f, 0)}, 2, 1, NULL);
  }
  /* normalization over axis 1 (not trailing): stays */
  ir_node *n;
  int m = node(g, IR_OP_ReduceMean, "mean1", &v, 1, 1, &n);
  ir_set_attr_ints(n, "axes", (int64_t[]){1}, 1);
  int d = node(g, IR_OP_Sub, "d1", (int[]){v, m}, 2, 1, NULL);
  int sq = node(g, IR_OP_Mul, "sq1", (int[]){d, d}, 2, 1, NULL);
  int var = node(g, IR_OP_ReduceMean, "var1", &sq, 1, 1, &n);
  ir_set_attr_ints(n, "axes", (int64_t[]){1}, 1);
  int sd = node(g, IR_OP_Sqrt, "sd1", (int[]){node(g, IR_OP_Add, "ve1", (int[]){var, cf32(g, "eps", 1e-5f)}, 2, 1, NULL)}, 1, 1, NULL);
  int y = node(g, IR_OP_Div, "norm1", (int[]){d, sd}, 2, 1, NULL);
  set_output(g, y);
  ir_graph *c = pipeline_same(g, "layernorm pattern");
  CHECK(count_op(c, IR_OP_LayerNormalization) == 2 && count_op(c, IR_OP_ReduceMean) == 2 && count_op(c, IR_OP_Div) == 1,
        "2 LayerNormalization, the axis-1 normalization kept: %d LN, %d ReduceMean, %d Div",
        count_op(c, IR_OP_LayerNormalization), count_op(c, IR_OP_ReduceMean), count_op(c, IR_OP_Div));
  for (int i = 0; i < c->n_nodes; i++)
    if (c->nodes[i]->op == IR_OP_LayerNormalization)
      CHECK(c->nodes[i]->n_in == 3 && ir_attr_int(c->nodes[i], "axis", 0) == 2, "LayerNormalization takes Scale and B, axis 2");
  ir_graph_free(c);
  ir_graph_free(g);
}

/* ReduceMean and ReduceSum over C read by Concats and Convs (CBAM's spatial attention) -> 1x1
 * convs (keepdims 0: + Reshape); one over C read by anything else stays. */
static void test_channel_reduce(void) {
  int x;
  ir_graph *g = graph_with_input("chreduce", 4, (int64_t[]){1, 6, 5, 7}, &x);
  ir_node *n;
  int m = node(g, IR_OP_ReduceMean, "ch_mean", &x, 1, 1, &n);
  ir_set_attr_ints(n, "axes", (int64_t[]){1}, 1);
  int s = node(g, IR_OP_ReduceSum, "ch_sum", (int[]){x, ci64(g, "ax1", 1, (int64_t[]){-3})}, 2, 1, NULL);
  int f = node(g, IR_OP_ReduceMean, "ch_flat", &x, 1, 1, &n);
  ir_set_attr_ints(n, "axes", (int64_t[]){1}, 1);
  ir_set_attr_int(n, "keepdims", 0);
  int cat = node(g, IR_OP_Concat, "cat", (int[]){m, s, x}, 3, 1, &n);
  ir_set_attr_int(n, "axis", 1);
  int k = node(g, IR_OP_ReduceMean, "ch_stat", &x, 1, 1, &n); /* read by a Sub: stays */
  ir_set_attr_ints(n, "axes", (int64_t[]){1}, 1);
  int d = node(g, IR_OP_Sub, "centre", (int[]){x, k}, 2, 1, NULL);
  int fr = node(g, IR_OP_Reshape, "fr", (int[]){f, ci64(g, "s1157", 4, (int64_t[]){1, 1, 5, 7})}, 2, 1, NULL);
  int y = node(g, IR_OP_Add, "y", (int[]){node(g, IR_OP_Concat, "cat2", (int[]){cat, d}, 2, 1, &n), fr}, 2, 1, NULL);
  ir_set_attr_int(n, "axis", 1);
  set_output(g, y);
  ir_graph *c = pipeline_same(g, "channel reduce");
  CHECK(count_op(c, IR_OP_ReduceMean) == 2 && count_op(c, IR_OP_ReduceSum) == 0 && count_op(c, IR_OP_Conv) == 2,
        "ReduceMean over C by a Concat and ReduceSum as 1x1 convs, the statistic kept, the keepdims-0 one kept "
        "(its Reshape reads it): %d ReduceMean, %d ReduceSum, %d Conv",
        count_op(c, IR_OP_ReduceMean), count_op(c, IR_OP_ReduceSum), count_op(c, IR_OP_Conv));
  ir_graph_free(c);
  ir_graph_free(g);
}

/* ReduceMean over H,W (keepdims 0: + Reshape; keepdims 1) and ReduceMax -> global pooling; a
 * ReduceMean over C and a ReduceMean over W only stay. */
static void test_reduce_to_pool(void) {
  int x;
  ir_graph *g = graph_with_input("reduce", 4, (int64_t[]){1, 6, 5, 7}, &x);
  ir_node *n;
  int a = node(g, IR_OP_ReduceMean, "rm_keep", &x, 1, 1, &n);
  ir_set_attr_ints(n, "axes", (int64_t[]){-2, -1}, 2);
  int b = node(g, IR_OP_ReduceMax, "rmax", &x, 1, 1, &n);
  ir_set_attr_ints(n, "axes", (int64_t[]){2, 3}, 2);
  int c0 = node(g, IR_OP_ReduceMean, "rm_flat", &x, 1, 1, &n);
  ir_set_attr_ints(n, "axes", (int64_t[]){2, 3}, 2);
  ir_set_attr_int(n, "keepdims", 0);
  int ch = node(g, IR_OP_ReduceMean, "rm_c", &x, 1, 1, &n);
  ir_set_attr_ints(n, "axes", (int64_t[]){1}, 1);
  int wo = node(g, IR_OP_ReduceMean, "rm_w", &ch, 1, 1, &n);
  ir_set_attr_ints(n, "axes", (int64_t[]){3}, 1);
  ir_set_attr_int(n, "keepdims", 0);
  /* one output: sum of everything, broadcast into [1,6] */
  int ab = node(g, IR_OP_Add, "ab", (int[]){a, b}, 2, 1, NULL);
  int abf = node(g, IR_OP_Reshape, "abf", (int[]){ab, ci64(g, "s16", 2, (int64_t[]){1, 6})}, 2, 1, NULL);
  int s = node(g, IR_OP_Add, "s", (int[]){abf, c0}, 2, 1, NULL);
  int wsum = node(g, IR_OP_ReduceSum, "wsum", (int[]){wo}, 1, 1, NULL);
  int y = node(g, IR_OP_Add, "y", (int[]){s, node(g, IR_OP_Reshape, "wr", (int[]){wsum, ci64(g, "s11", 2, (int64_t[]){1, 1})}, 2, 1, NULL)}, 2, 1, NULL);
  set_output(g, y);
  ir_graph *c = pipeline_same(g, "reduce-to-pool");
  /* the ReduceMax: a GlobalMaxPool, then a MaxPool whose window is the 5 x 7 map (a pool layer) */
  CHECK(count_op(c, IR_OP_GlobalAveragePool) == 2 && count_op(c, IR_OP_MaxPool) == 1 &&
            count_op(c, IR_OP_GlobalMaxPool) == 0 && count_op(c, IR_OP_ReduceMean) == 2,
        "2 GlobalAveragePool, 1 MaxPool, 0 GlobalMaxPool, 2 ReduceMean left: %d, %d, %d, %d",
        count_op(c, IR_OP_GlobalAveragePool), count_op(c, IR_OP_MaxPool), count_op(c, IR_OP_GlobalMaxPool),
        count_op(c, IR_OP_ReduceMean));
  for (int i = 0; i < c->n_nodes; i++) {
    int nk = 0;
    const int64_t *k = c->nodes[i]->op == IR_OP_MaxPool ? ir_attr_ints(c->nodes[i], "kernel_shape", &nk) : NULL;
    if (k) CHECK(nk == 2 && k[0] == 5 && k[1] == 7, "the global max pool's window: %d axes, %lld x %lld", nk,
                 (long long)(nk > 0 ? k[0] : 0), (long long)(nk > 1 ? k[1] : 0));
  }
  ir_graph_free(c);
  ir_graph_free(g);
}

/* Dilated convs whose outer taps read only padding (ASPP branches on a small map): rate 6 with
 * pads 6 on a 5 x 5 map is its centre tap, a 1x1 conv without pads; a 5 x 5 kernel of dilation
 * 3 with pads 6 on a 4 x 4 map loses its outer rows and columns (3 x 3, pads 3); dilation 2 with
 * pads 2 on a 3 x 3 map keeps every tap (each reads the map at some output); same outputs. */
static void test_trim_taps(void) {
  int x;
  ir_graph *g = graph_with_input("taps", 4, (int64_t[]){1, 4, 5, 5}, &x);
  ir_node *n;
  int64_t w3[4] = {4, 4, 3, 3}, w5[4] = {4, 4, 5, 5};
  int a = node(g, IR_OP_Conv, "rate6", (int[]){x, crand(g, "wa", 4, w3, 0.3f, 0)}, 2, 1, &n);
  ir_set_attr_ints(n, "dilations", (int64_t[]){6, 6}, 2);
  ir_set_attr_ints(n, "pads", (int64_t[]){6, 6, 6, 6}, 4);
  int b = node(g, IR_OP_Conv, "k5d3", (int[]){a, crand(g, "wb", 4, w5, 0.3f, 0)}, 2, 1, &n);
  ir_set_attr_ints(n, "dilations", (int64_t[]){3, 3}, 2);
  ir_set_attr_ints(n, "pads", (int64_t[]){6, 6, 6, 6}, 4);
  ir_set_attr_ints(n, "strides", (int64_t[]){2, 2}, 2); /* 5 x 5 -> 3 x 3: taps at -6, -3 dead */
  int c = node(g, IR_OP_Conv, "d2", (int[]){b, crand(g, "wc", 4, w3, 0.3f, 0)}, 2, 1, &n);
  ir_set_attr_ints(n, "dilations", (int64_t[]){2, 2}, 2);
  ir_set_attr_ints(n, "pads", (int64_t[]){2, 2, 2, 2}, 4);
  set_output(g, c);
  ir_graph *k = pipeline_same(g, "trim-taps");
  static const char *names[] = {"rate6", "k5d3", "d2"};
  static const int64_t want[3][6] = {{1, 1, 0, 0, 0, 0}, {3, 3, 3, 3, 3, 3}, {3, 3, 2, 2, 2, 2}};
  for (int q = 0; q < 3; q++) {
    const ir_node *m = NULL;
    for (int i = 0; i < k->n_nodes; i++)
      if (!k->nodes[i]->dead && k->nodes[i]->name && !strcmp(k->nodes[i]->name, names[q])) m = k->nodes[i];
    int cnt;
    const int64_t *pd = m ? ir_attr_ints(m, "pads", &cnt) : NULL;
    const ir_type *wt = m ? &k->tensors[m->in[1]]->type : NULL;
    CHECK(m && wt->dims[2] == want[q][0] && wt->dims[3] == want[q][1] && pd && cnt == 4 && pd[0] == want[q][2] &&
              pd[1] == want[q][3] && pd[2] == want[q][4] && pd[3] == want[q][5],
          "%s: kernel %lld x %lld pads %lld %lld, want %lld x %lld pads %lld %lld", names[q], m ? (long long)wt->dims[2] : -1,
          m ? (long long)wt->dims[3] : -1, pd ? (long long)pd[0] : -1, pd ? (long long)pd[2] : -1, (long long)want[q][0],
          (long long)want[q][1], (long long)want[q][2], (long long)want[q][4]);
  }
  ir_graph_free(k);
  ir_graph_free(g);
}

/* A zero Pad into a Conv's and a counting AveragePool's pads, and into a MaxPool's after a Relu;
 * a Pad before a MaxPool of a signed input and a Pad of the channel axis stay; ceil-mode MaxPool and non-counting
 * AveragePool become explicit end padding with the same output. */
static void test_fold_pad(void) {
  int x;
  ir_graph *g = graph_with_input("pad", 4, (int64_t[]){1, 3, 9, 9}, &x);
  ir_node *n;
  int64_t w1d[4] = {4, 3, 3, 3}, c4 = 4, k3[2] = {3, 3}, s2[2] = {2, 2};
  int p = node(g, IR_OP_Pad, "pad", (int[]){x, ci64(g, "pads", 8, (int64_t[]){0, 0, 1, 2, 0, 0, 2, 1})}, 2, 1, NULL);
  int cv = node(g, IR_OP_Conv, "conv", (int[]){p, crand(g, "w", 4, w1d, 0.4f, 0), crand(g, "b", 1, &c4, 0.1f, 0)}, 3, 1, &n);
  ir_set_attr_ints(n, "pads", (int64_t[]){1, 1, 1, 1}, 4);
  int cvp = node(g, IR_OP_Pad, "pad2", (int[]){cv, ci64(g, "pads2", 8, (int64_t[]){0, 0, 1, 1, 0, 0, 1, 1})}, 2, 1, NULL);
  int ap = node(g, IR_OP_AveragePool, "avg", &cvp, 1, 1, &n);
  ir_set_attr_ints(n, "kernel_shape", k3, 2);
  int mpp = node(g, IR_OP_Pad, "pad3", (int[]){ap, ci64(g, "pads3", 8, (int64_t[]){0, 0, 1, 1, 0, 0, 1, 1})}, 2, 1, NULL);
  int mp = node(g, IR_OP_MaxPool, "maxc", &mpp, 1, 1, &n); /* 13x14: ceil gives 7x7 */
  ir_set_attr_ints(n, "kernel_shape", k3, 2);
  ir_set_attr_ints(n, "strides", s2, 2);
  ir_set_attr_int(n, "ceil_mode", 1);
  int ap2 = node(g, IR_OP_AveragePool, "avgc", &mp, 1, 1, &n);
  ir_set_attr_ints(n, "kernel_shape", (int64_t[]){2, 2}, 2);
  ir_set_attr_ints(n, "strides", s2, 2);
  ir_set_attr_int(n, "ceil_mode", 1);
  int padc = node(g, IR_OP_Pad, "padc", (int[]){ap2, ci64(g, "pads4", 8, (int64_t[]){0, 1, 0, 0, 0, 1, 0, 0})}, 2, 1, NULL);
  int rl = node(g, IR_OP_Relu, "relu", &padc, 1, 1, NULL);
  int rp = node(g, IR_OP_Pad, "pad5", (int[]){rl, ci64(g, "pads5", 8, (int64_t[]){0, 0, 1, 1, 0, 0, 0, 0})}, 2, 1, NULL);
  int y = node(g, IR_OP_MaxPool, "maxr", &rp, 1, 1, &n);
  ir_set_attr_ints(n, "kernel_shape", (int64_t[]){2, 2}, 2);
  set_output(g, y);
  ir_graph *c = pipeline_same(g, "fold-pad");
  CHECK(count_op(c, IR_OP_Pad) == 2, "2 Pads stay (before the MaxPool, on the channel axis): %d", count_op(c, IR_OP_Pad));
  for (int i = 0; i < c->n_nodes; i++) {
    const ir_node *m = c->nodes[i];
    int cnt;
    const int64_t *pd = ir_attr_ints(m, "pads", &cnt);
    if (m->op == IR_OP_Conv || m->op == IR_OP_FusedConv)
      CHECK(pd && cnt == 4 && pd[0] == 2 && pd[1] == 3 && pd[2] == 3 && pd[3] == 2, "conv pads = [2,3,3,2]");
    if (m->op == IR_OP_AveragePool && !strcmp(m->name, "avg"))
      CHECK(pd && cnt == 4 && pd[0] == 1 && ir_attr_int(m, "count_include_pad", 0) == 1, "avg pads 1, count_include_pad");
    if (m->op == IR_OP_MaxPool && !strcmp(m->name, "maxr"))
      CHECK(pd && cnt == 4 && pd[0] == 1 && pd[1] == 1 && pd[2] == 0, "maxr pads = [1,1,0,0]");
    if ((m->op == IR_OP_MaxPool && strcmp(m->name, "maxr")) || (m->op == IR_OP_AveragePool && !strcmp(m->name, "avgc")))
      CHECK(!ir_attr_int(m, "ceil_mode", 0) && pd, "%s: ceil_mode gone, explicit pads", m->name);
  }
  ir_graph_free(c);
  ir_graph_free(g);
}

/* PyTorch's QAT export: float weights through QuantizeLinear -> DequantizeLinear (per channel,
 * int8, a code of -128 among them), the QAT module's Div by its BN scale and a BatchNormalization
 * with a negative gamma: after the front end and qdq-import one Conv is left whose weights carry
 * the per-channel scale ws[m] * |a[m]| (a: the folded Div and BN), whose float weights are those
 * scales times integers of the model's codes (negated where a < 0, -128 kept where a > 0), and
 * the outputs are unchanged. */
static void test_qat_fold(void) {
  ir_graph *g = ir_graph_new("qat");
  g->opset = 13;
  int64_t xd[4] = {1, 2, 5, 5}, wd[4] = {3, 2, 3, 3}, c3 = 3, dd[4] = {1, 3, 1, 1};
  ir_type xt = ty(IR_F32, 4, xd);
  int x = ir_add_tensor(g, "x", &xt);
  g->inputs = malloc(sizeof(int));
  g->inputs[g->n_inputs++] = x;
  int wf = crand(g, "w", 4, wd, 1.0f, 0);
  float *wv = g->tensors[wf]->data, ws[3] = {0.01f, 0.008f, 0.006f};
  wv[0] = -1.28f, wv[18] = 0.9f; /* channel 0: code -128; channel 1: near a rounding tie (112.5) */
  ir_type wst = ty(IR_F32, 1, &c3), zt = ty(IR_I8, 1, &c3);
  float *wsd = malloc(sizeof ws);
  memcpy(wsd, ws, sizeof ws);
  int wsi = ir_add_const(g, "w_scale", &wst, wsd), wzi = ir_add_const(g, "w_zp", &zt, calloc(3, 1));
  ir_node *n;
  int q = node(g, IR_OP_QuantizeLinear, "wq", (int[]){wf, wsi, wzi}, 3, 1, &n);
  ir_set_attr_int(n, "axis", 0);
  int dq = node(g, IR_OP_DequantizeLinear, "wdq", (int[]){q, wsi, wzi}, 3, 1, &n);
  ir_set_attr_int(n, "axis", 0);
  int y = node(g, IR_OP_Conv, "conv", (int[]){x, dq}, 2, 1, NULL);
  ir_type dt = ty(IR_F32, 4, dd);
  float *dv = malloc(3 * sizeof(float));
  dv[0] = 1.25f, dv[1] = 0.8f, dv[2] = 2.0f;
  y = node(g, IR_OP_Div, "div", (int[]){y, ir_add_const(g, "d", &dt, dv)}, 2, 1, NULL);
  int in[5] = {y, crand(g, "s", 1, &c3, 0.2f, 1.0f), crand(g, "b", 1, &c3, 0.3f, 0), crand(g, "m", 1, &c3, 0.2f, 0),
               crand(g, "v", 1, &c3, 0.3f, 1.0f)};
  ((float *)g->tensors[in[1]]->data)[1] = -0.7f; /* channel 1: negative gamma */
  y = node(g, IR_OP_BatchNormalization, "bn", in, 5, 1, NULL);
  g->outputs = malloc(sizeof(int));
  g->outputs[g->n_outputs++] = y;
  ir_graph *c = ir_graph_clone(g);
  char err[1024];
  int rc = cc_run_pipeline(c, NULL, err, sizeof err);
  if (rc == IR_OK) rc = cc_run_pass(c, "qdq-import", NULL, err, sizeof err);
  CHECK(rc == IR_OK, "qat pipeline: %s", err);
  if (!rc) {
    CHECK(c->n_nodes == 1 && c->nodes[0]->op == IR_OP_Conv, "one Conv left, got %d nodes, the first %s", c->n_nodes,
          c->n_nodes ? ir_op_name(c->nodes[0]->op) : "-");
    const ir_tensor *W = c->n_nodes ? c->tensors[c->nodes[0]->in[1]] : NULL;
    const ir_quant *wq = W ? W->quant : NULL;
    CHECK(wq && wq->axis == 0 && wq->n == 3, "the folded weights carry a per-channel quantization");
    const float *bs = g->tensors[in[1]]->data, *bv = g->tensors[in[4]]->data;
    for (int m = 0; wq && wq->n == 3 && m < 3; m++) {
      double a = 1.0 / dv[m] * bs[m] / sqrt((double)bv[m] + 1e-5);
      CHECK(fabs(wq->scale[m] - ws[m] * fabs(a)) <= 1e-6 * ws[m] * fabs(a), "channel %d: scale %g, want %g", m,
            wq->scale[m], ws[m] * fabs(a));
      for (int k = 0; k < 18; k++) {
        double code = ((const float *)W->data)[m * 18 + k] / wq->scale[m];
        double orig = fmax(-128, fmin(127, nearbyint(wv[m * 18 + k] / ws[m])));
        CHECK(fabs(code - (a < 0 ? -orig : orig)) < 1e-3, "channel %d weight %d: code %g, want %g", m, k, code,
              a < 0 ? -orig : orig);
      }
    }
    CHECK(W && fabs(((const float *)W->data)[0] / wq->scale[0] + 128) < 1e-3, "the code -128 is kept");
    ir_value xin = {.type = xt};
    ir_value_alloc(&xin, &xt);
    for (int i = 0; i < 50; i++) ((float *)xin.data)[i] = frand();
    same_outputs(g, c, &xin, 1, "qat fold");
    ir_value_free(&xin);
  }
  ir_graph_free(c);
  ir_graph_free(g);
}

/* A standalone BatchNorm (Mul + Add) into the next unpadded Conv; a scale alone into a padded
 * grouped Conv; a shift before a padded Conv becomes a depthwise 1x1 Conv (affine-to-conv). */
static void test_fold_affine(void) {
  int x;
  ir_graph *g = graph_with_input("affine", 4, (int64_t[]){-1, 4, 6, 6}, &x);
  ir_node *n;
  int64_t w1d[4] = {8, 4, 1, 1}, w2d[4] = {8, 2, 3, 3}, w3d[4] = {8, 8, 3, 3}, c8 = 8, s1d[4] = {1, 8, 1, 1};
  int r = node(g, IR_OP_Relu, "relu", &x, 1, 1, NULL);
  int c1 = node(g, IR_OP_Conv, "c1", (int[]){bn(g, "bn", r, 4), crand(g, "w1", 4, w1d, 0.4f, 0)}, 2, 1, NULL);
  int m = node(g, IR_OP_Mul, "scale", (int[]){c1, crand(g, "s", 4, s1d, 0.5f, 1)}, 2, 1, NULL);
  int c2 = node(g, IR_OP_Conv, "c2", (int[]){m, crand(g, "w2", 4, w2d, 0.4f, 0), crand(g, "b2", 1, &c8, 0.1f, 0)}, 3, 1, &n);
  ir_set_attr_ints(n, "pads", (int64_t[]){1, 1, 1, 1}, 4);
  ir_set_attr_int(n, "group", 4);
  int a = node(g, IR_OP_Add, "shift", (int[]){c2, crand(g, "t", 4, s1d, 0.5f, 0)}, 2, 1, NULL);
  int rr = node(g, IR_OP_Relu, "relu2", &a, 1, 1, NULL);
  int a2 = node(g, IR_OP_Add, "shift2", (int[]){rr, crand(g, "t2", 4, s1d, 0.5f, 0)}, 2, 1, NULL);
  int y = node(g, IR_OP_Conv, "c3", (int[]){a2, crand(g, "w3", 4, w3d, 0.4f, 0)}, 2, 1, &n);
  ir_set_attr_ints(n, "pads", (int64_t[]){1, 1, 1, 1}, 4);
  set_output(g, y);
  ir_graph *c = pipeline_same(g, "fold-affine");
  /* shift folds into c2's bias; shift2 (before a padded conv) becomes a depthwise 1x1 conv */
  CHECK(count_op(c, IR_OP_Mul) == 0 && count_op(c, IR_OP_Add) == 0 && count_op(c, IR_OP_BatchNormalization) == 0,
        "BN, scale and shift folded, shift2 a conv: %d Mul, %d Add", count_op(c, IR_OP_Mul), count_op(c, IR_OP_Add));
  int dw = 0;
  for (int i = 0; i < c->n_nodes; i++)
    dw += (c->nodes[i]->op == IR_OP_Conv || c->nodes[i]->op == IR_OP_FusedConv) && ir_attr_int(c->nodes[i], "group", 1) == 8 &&
          c->tensors[c->nodes[i]->in[1]]->type.dims[2] == 1;
  CHECK(dw == 1, "shift2 is a depthwise 1x1 conv (%d found)", dw);
  ir_graph_free(c);
  ir_graph_free(g);
}

/* A per-channel (x - mean) / std before a padded conv: its scale folds into the conv; the shift,
 * on an activation, is one depthwise 1x1 conv, on the model's input left to the host (marked with
 * the reason partition gives). An ImageScaler's Mul by 1/255 and Add of a zero bias before a
 * padded conv: the Add goes (remove-identity), the scale folds into the conv. */
static void test_affine_chains(void) {
  int x;
  ir_node *n;
  int64_t c3[4] = {1, 3, 1, 1}, wd[4] = {8, 3, 3, 3};
  for (int on_input = 0; on_input < 2; on_input++) {
    ir_graph *g = graph_with_input("normalize", 4, (int64_t[]){1, 3, 8, 8}, &x);
    int a = on_input ? x : node(g, IR_OP_Relu, "relu", &x, 1, 1, NULL);
    int sub = node(g, IR_OP_Sub, "sub_mean", (int[]){a, crand(g, "mean", 4, c3, 0.5f, 0.4f)}, 2, 1, NULL);
    int dv = node(g, IR_OP_Div, "div_std", (int[]){sub, crand(g, "std", 4, c3, 0.05f, 0.25f)}, 2, 1, NULL);
    int y = node(g, IR_OP_Conv, "conv", (int[]){dv, crand(g, "w", 4, wd, 0.3f, 0)}, 2, 1, &n);
    ir_set_attr_ints(n, "pads", (int64_t[]){1, 1, 1, 1}, 4);
    set_output(g, y);
    ir_graph *c = pipeline_same(g, on_input ? "input normalization" : "normalization of an activation");
    /* (x - m) / s = (x + -m) * (1 / s): the scale folds into the padded conv (fold-affine), the
     * shift is a depthwise conv, or on the model's input stays for the host */
    int convs = count_op(c, IR_OP_Conv) + count_op(c, IR_OP_FusedConv), host = 0;
    int arith = count_op(c, IR_OP_Sub) + count_op(c, IR_OP_Div) + count_op(c, IR_OP_Add) + count_op(c, IR_OP_Mul);
    for (int i = 0; i < c->n_nodes; i++)
      host += !c->nodes[i]->dead && strstr(ir_attr_string(c->nodes[i], "dlvta.why", ""), "on the host") != NULL;
    CHECK(on_input ? convs == 1 && host == 1 && arith == 1 : convs == 2 && arith == 0,
          "%s: %d convs, %d arithmetic nodes, %d left to the host", on_input ? "on the input" : "on an activation", convs,
          arith, host);
    ir_graph_free(c);
    ir_graph_free(g);
  }
  ir_graph *g, *c;
  int y, convs;
  g = graph_with_input("scaler", 4, (int64_t[]){1, 3, 8, 8}, &x);
  int m = node(g, IR_OP_Mul, "scale", (int[]){x, cf32(g, "k", 1.0f / 255)}, 2, 1, NULL);
  int zeros = crand(g, "bias", 4, (int64_t[]){1, 3, 1, 1}, 0, 0);
  int a = node(g, IR_OP_Add, "bias", (int[]){m, zeros}, 2, 1, NULL);
  y = node(g, IR_OP_Conv, "conv", (int[]){a, crand(g, "w", 4, wd, 0.3f, 0)}, 2, 1, &n);
  ir_set_attr_ints(n, "pads", (int64_t[]){1, 1, 1, 1}, 4);
  set_output(g, y);
  c = pipeline_same(g, "image scaler");
  convs = count_op(c, IR_OP_Conv) + count_op(c, IR_OP_FusedConv);
  CHECK(convs == 1 && count_op(c, IR_OP_Mul) + count_op(c, IR_OP_Add) == 0,
        "scaler: the scale in the conv, the zero bias gone (%d convs, %d Mul/Add)", convs,
        count_op(c, IR_OP_Mul) + count_op(c, IR_OP_Add));
  ir_graph_free(c);
  ir_graph_free(g);
}

/* A pixel shuffle spelled as Reshape -> Transpose -> Reshape (PyTorch's PixelShuffle before
 * opset 11: CRD; TensorFlow's depth_to_space: DCR) becomes a DepthToSpace of that mode, with the
 * outputs unchanged; a Transpose of another order stays. */
static void test_pixel_shuffle(void) {
  static const int64_t perms[3][6] = {{0, 1, 4, 2, 5, 3}, {0, 3, 4, 1, 5, 2}, {0, 1, 4, 3, 5, 2}};
  static const int64_t shapes[3][6] = {{1, 2, 3, 3, 4, 5}, {1, 3, 3, 2, 4, 5}, {1, 2, 3, 3, 4, 5}};
  for (int k = 0; k < 3; k++) {
    int x;
    ir_graph *g = graph_with_input("pixel_shuffle", 4, (int64_t[]){1, 18, 4, 5}, &x);
    ir_node *n;
    int r1 = node(g, IR_OP_Reshape, "split", (int[]){x, ci64(g, "s6", 6, shapes[k])}, 2, 1, NULL);
    int t = node(g, IR_OP_Transpose, "shuffle", &r1, 1, 1, &n);
    ir_set_attr_ints(n, "perm", perms[k], 6);
    int y = node(g, IR_OP_Reshape, "merge", (int[]){t, ci64(g, "s4", 4, (int64_t[]){1, 2, 12, 15})}, 2, 1, NULL);
    set_output(g, y);
    ir_graph *c = pipeline_same(g, k == 0 ? "pixel shuffle CRD" : k == 1 ? "pixel shuffle DCR" : "other transpose");
    const char *mode = "";
    for (int i = 0; i < c->n_nodes; i++)
      if (!c->nodes[i]->dead && c->nodes[i]->op == IR_OP_DepthToSpace) mode = ir_attr_string(c->nodes[i], "mode", "DCR");
    CHECK(k < 2 ? !strcmp(mode, k ? "DCR" : "CRD") && count_op(c, IR_OP_Transpose) == 0 : !*mode && count_op(c, IR_OP_Transpose) == 1,
          "pixel shuffle %d: DepthToSpace mode '%s', %d Transposes", k, mode, count_op(c, IR_OP_Transpose));
    ir_graph_free(c);
    ir_graph_free(g);
  }
}

/* A ConvNeXt block as torch exports it: Transpose to channels-last -> LayerNorm -> MatMul -> Add
 * bias -> Gelu -> MatMul -> Add bias -> Transpose back -> layer scale -> residual. The MatMuls
 * become 1x1 convolutions, only the Transposes around the LayerNorm remain and the layer scale
 * folds into the second convolution (fold-affine). */
/* channels-last on rank-2 activations [R, K] with R > 1 (torch's MultiheadAttention out_proj on
 * [T*N, E], a Linear on 2-D tokens): a Gemm with transB, alpha, beta and a bias per output, a
 * Relu, a Gemm with B [K, M] and a scalar C, a MatMul: three 1x1 convs over the R rows between
 * one Reshape + Transpose each side, all three on the accelerator (pynq). A Gemm with transA,
 * one with a C per element and an fc on [1, K] stay Gemms, the first two with their reasons. */
static void test_channels_last_2d(void) {
  int x;
  ir_graph *g = graph_with_input("tokens2d", 2, (int64_t[]){6, 8}, &x);
  ir_node *n;
  int64_t b1d[2] = {16, 8}, c16 = 16, b2d[2] = {16, 8}, w3d[2] = {8, 4}, one = 1;
  int g1 = node(g, IR_OP_Gemm, "g1", (int[]){x, crand(g, "b1", 2, b1d, 0.5f, 0), crand(g, "c1", 1, &c16, 0.2f, 0)}, 3, 1, &n);
  ir_set_attr_int(n, "transB", 1);
  ir_set_attr_float(n, "alpha", 0.5f);
  ir_set_attr_float(n, "beta", 2.0f);
  int r1 = node(g, IR_OP_Relu, "r1", &g1, 1, 1, NULL);
  int g2 = node(g, IR_OP_Gemm, "g2", (int[]){r1, crand(g, "b2", 2, b2d, 0.5f, 0), crand(g, "c2", 1, &one, 0.2f, 0)}, 3, 1, NULL);
  int m3 = node(g, IR_OP_MatMul, "m3", (int[]){g2, crand(g, "w3", 2, w3d, 0.5f, 0)}, 2, 1, NULL);
  set_output(g, m3);
  ir_graph *c = pipeline_same(g, "channels-last 2-D");
  CHECK(count_op(c, IR_OP_Gemm) + count_op(c, IR_OP_MatMul) == 0 && count_op(c, IR_OP_Conv) + count_op(c, IR_OP_FusedConv) == 3 &&
            count_op(c, IR_OP_Transpose) == 2 && count_op(c, IR_OP_Reshape) == 2,
        "2-D: 3 convs between one Reshape+Transpose pair each side: %d Gemm/MatMul, %d convs, %d Transposes, %d Reshapes",
        count_op(c, IR_OP_Gemm) + count_op(c, IR_OP_MatMul), count_op(c, IR_OP_Conv) + count_op(c, IR_OP_FusedConv),
        count_op(c, IR_OP_Transpose), count_op(c, IR_OP_Reshape));
  ir_graph_free(c);
  cc_options o = {.stop_after = "partition"};
  cc_ctx cx = {.o = &o, .cfg = isa_config_find("pynq")};
  c = ir_graph_clone(g);
  char err[1024];
  CHECK(cc_run_pipeline(c, &cx, err, sizeof err) == IR_OK, "2-D partition: %s", err);
  int acc = 0;
  for (int i = 0; i < c->n_nodes; i++)
    acc += !c->nodes[i]->dead && (c->nodes[i]->op == IR_OP_Conv || c->nodes[i]->op == IR_OP_FusedConv) &&
           !strcmp(ir_attr_string(c->nodes[i], "dlvta.target", ""), "accel");
  CHECK(acc == 3, "2-D: %d convs on the accelerator, want 3", acc);
  ir_graph_free(c);
  ir_graph_free(g);
  /* refused: transA, a C per element; [1, K] stays an fc */
  g = graph_with_input("gemm_no", 2, (int64_t[]){8, 6}, &x);
  int64_t cd[2] = {6, 4};
  int ga = node(g, IR_OP_Gemm, "ta", (int[]){x, crand(g, "ba", 2, b1d, 0.5f, 0)}, 2, 1, &n);
  ir_set_attr_int(n, "transA", 1);
  ir_set_attr_int(n, "transB", 1);
  int gc = node(g, IR_OP_Gemm, "cfull", (int[]){ga, crand(g, "bc", 2, (int64_t[]){16, 4}, 0.5f, 0), crand(g, "cc", 2, cd, 0.2f, 0)},
                3, 1, NULL);
  int fl = node(g, IR_OP_Reshape, "flat", (int[]){gc, ci64(g, "fs", 2, (int64_t[]){1, 24})}, 2, 1, NULL);
  int fc = node(g, IR_OP_Gemm, "fc", (int[]){fl, crand(g, "bf", 2, (int64_t[]){24, 3}, 0.5f, 0)}, 2, 1, NULL);
  set_output(g, fc);
  c = pipeline_same(g, "channels-last refusals");
  const char *wa = "", *wc = "";
  for (int i = 0; i < c->n_nodes; i++) {
    const ir_node *m = c->nodes[i];
    if (m->dead || m->op != IR_OP_Gemm) continue;
    if (!strcmp(m->name, "ta")) wa = ir_attr_string(m, "dlvta.why", "");
    if (!strcmp(m->name, "cfull")) wc = ir_attr_string(m, "dlvta.why", "");
  }
  CHECK(count_op(c, IR_OP_Gemm) == 3 && strstr(wa, "transA") && strstr(wc, "C is not"),
        "refusals: %d Gemm (want 3), reasons '%s', '%s'", count_op(c, IR_OP_Gemm), wa, wc);
  ir_graph_free(c);
  ir_graph_free(g);
}

/* Keras's Flatten of an NHWC map before a Dense layer, as the TensorFlow converters write it:
 * Transpose(0, 2, 3, 1) -> Reshape [1, K] -> Gemm (transB) and -> MatMul + Add of a [1, M] row
 * (MNIST-8's dense layer). Both Transposes go into the weight rows' order (flatten_transposes)
 * and the row into the Gemm bias the MatMul becomes (fold_row_bias); the outputs stay the same. */
static void test_flatten_transposes(void) {
  int x;
  ir_graph *g = graph_with_input("nhwc_flatten", 4, (int64_t[]){1, 4, 3, 5}, &x);
  ir_node *n;
  int r = node(g, IR_OP_Relu, "relu", &x, 1, 1, NULL);
  int t = node(g, IR_OP_Transpose, "to_nhwc", &r, 1, 1, &n);
  ir_set_attr_ints(n, "perm", (int64_t[]){0, 2, 3, 1}, 4);
  int f = node(g, IR_OP_Reshape, "flatten", (int[]){t, ci64(g, "fs", 2, (int64_t[]){1, 60})}, 2, 1, NULL);
  int d1 = node(g, IR_OP_Gemm, "dense1", (int[]){f, crand(g, "w1", 2, (int64_t[]){7, 60}, 0.3f, 0)}, 2, 1, &n);
  ir_set_attr_int(n, "transB", 1);
  int t2 = node(g, IR_OP_Transpose, "to_nhwc2", &r, 1, 1, &n);
  ir_set_attr_ints(n, "perm", (int64_t[]){0, 3, 2, 1}, 4);
  int f2 = node(g, IR_OP_Reshape, "flatten2", (int[]){t2, ci64(g, "fs2", 2, (int64_t[]){1, 60})}, 2, 1, NULL);
  int m2 = node(g, IR_OP_MatMul, "dense2", (int[]){f2, crand(g, "w2", 2, (int64_t[]){60, 7}, 0.3f, 0)}, 2, 1, NULL);
  int a2 = node(g, IR_OP_Add, "bias2", (int[]){m2, crand(g, "b2", 2, (int64_t[]){1, 7}, 0.3f, 0)}, 2, 1, NULL);
  int y = node(g, IR_OP_Add, "sum", (int[]){d1, a2}, 2, 1, NULL);
  set_output(g, y);
  ir_graph *c = pipeline_same(g, "NHWC flatten");
  CHECK(count_op(c, IR_OP_Transpose) == 0 && count_op(c, IR_OP_MatMul) == 0 && count_op(c, IR_OP_Gemm) == 2 &&
            count_op(c, IR_OP_Add) == 1,
        "Transposes into the weights, the row into a Gemm bias: %d Transpose, %d MatMul, %d Gemm, %d Add",
        count_op(c, IR_OP_Transpose), count_op(c, IR_OP_MatMul), count_op(c, IR_OP_Gemm), count_op(c, IR_OP_Add));
  ir_graph_free(c);
  ir_graph_free(g);
}

/* TensorFlow converters' layout round trips without a dense layer to convert: Conv ->
 * Transpose to NHWC -> per-channel Mul / Add on the last axis -> Relu -> Transpose back -> Conv ->
 * Transpose to NHWC -> ReduceMean over [1, 2] (GlobalAveragePooling2D); and at opset 18 a
 * ReduceMax with its axes as an input, keepdims 1. The first pair cancels, the reductions take
 * the axes the Transposes map (then global pools), nothing else moves. */
static void test_nhwc_round_trips(void) {
  for (int v = 0; v < 2; v++) {
    int x;
    ir_graph *g = graph_with_input(v ? "nhwc_max18" : "nhwc_affine", 4, (int64_t[]){1, 4, 6, 5}, &x);
    if (v) g->opset = 18;
    ir_node *n;
    int64_t c8 = 8, w1d[4] = {8, 4, 3, 3}, w2d[4] = {8, 8, 1, 1};
    int c1 = node(g, IR_OP_Conv, "c1", (int[]){x, crand(g, "w1", 4, w1d, 0.4f, 0)}, 2, 1, &n);
    ir_set_attr_ints(n, "pads", (int64_t[]){1, 1, 1, 1}, 4);
    int t1 = transpose4(g, "to_nhwc", c1, (int64_t[]){0, 2, 3, 1});
    int m = node(g, IR_OP_Mul, "scale", (int[]){t1, crand(g, "s", 1, &c8, 0.5f, 1)}, 2, 1, NULL);
    int a = node(g, IR_OP_Add, "shift", (int[]){m, crand(g, "b", 1, &c8, 0.3f, 0)}, 2, 1, NULL);
    int r = node(g, IR_OP_Relu, "relu", &a, 1, 1, NULL);
    int t2 = transpose4(g, "to_nchw", r, (int64_t[]){0, 3, 1, 2});
    int c2 = node(g, IR_OP_Conv, "c2", (int[]){t2, crand(g, "w2", 4, w2d, 0.4f, 0)}, 2, 1, NULL);
    int t3 = transpose4(g, "to_nhwc2", c2, (int64_t[]){0, 2, 3, 1});
    int y = v ? node(g, IR_OP_ReduceMax, "gmax", (int[]){t3, ci64(g, "axes", 2, (int64_t[]){1, 2})}, 2, 1, &n)
              : node(g, IR_OP_ReduceMean, "gap", &t3, 1, 1, &n);
    if (!v) ir_set_attr_ints(n, "axes", (int64_t[]){1, 2}, 2), ir_set_attr_int(n, "keepdims", 0);
    set_output(g, y);
    ir_graph *c = pipeline_same(g, g->name);
    int reduces = count_op(c, IR_OP_ReduceMean) + count_op(c, IR_OP_ReduceMax);
    CHECK(count_op(c, IR_OP_Transpose) == 0 && reduces == 0,
          "%s: no Transpose, the reduction a pool: %d Transpose, %d Reduce", g->name, count_op(c, IR_OP_Transpose), reduces);
    ir_graph_free(c);
    ir_graph_free(g);
  }
}

/* Pad and Resize between NHWC Transposes (ZeroPadding2D / UpSampling2D as a converter writes
 * them): opset 18, a reflect Pad then a Resize by scales [2, 3] with axes [1, 2]; opset 13, a
 * constant Pad then a Resize to sizes [1, 14, 18, 8]. Their per-axis operands are permuted, the
 * Transposes cancel, the outputs stay the same. */
static void test_nhwc_pad_resize(void) {
  for (int v = 0; v < 2; v++) {
    int x;
    ir_graph *g = graph_with_input(v ? "nhwc_pad_resize13" : "nhwc_pad_resize18", 4, (int64_t[]){1, 4, 6, 5}, &x);
    g->opset = v ? 13 : 18;
    ir_node *n;
    int c1 = node(g, IR_OP_Conv, "c1", (int[]){x, crand(g, "w1", 4, (int64_t[]){8, 4, 1, 1}, 0.4f, 0)}, 2, 1, NULL);
    int t1 = transpose4(g, "to_nhwc", c1, (int64_t[]){0, 2, 3, 1});
    int p = node(g, IR_OP_Pad, "pad", (int[]){t1, ci64(g, "pads", 8, (int64_t[]){0, 1, 2, 0, 0, 2, 1, 0})}, 2, 1, &n);
    if (!v) ir_set_attr_string(n, "mode", "reflect");
    float *sc = malloc(2 * sizeof(float));
    sc[0] = 2, sc[1] = 3;
    ir_type st = {.dtype = IR_F32, .rank = 1, .dims = {2}};
    int r = v ? node(g, IR_OP_Resize, "up", (int[]){p, -1, -1, ci64(g, "sizes", 4, (int64_t[]){1, 14, 18, 8})}, 4, 1, &n)
              : node(g, IR_OP_Resize, "up", (int[]){p, -1, ir_add_const(g, "scales", &st, sc)}, 3, 1, &n);
    if (!v) ir_set_attr_ints(n, "axes", (int64_t[]){1, 2}, 2);
    int t2 = transpose4(g, "to_nchw", r, (int64_t[]){0, 3, 1, 2});
    set_output(g, t2);
    ir_graph *c = pipeline_same(g, g->name);
    CHECK(count_op(c, IR_OP_Transpose) == 0, "%s: the Transposes cancel: %d left", g->name, count_op(c, IR_OP_Transpose));
    ir_graph_free(c);
    ir_graph_free(g);
  }
}

/* A Split and a Slice between NHWC Transposes: opset 11 (split sizes as an attribute), 13 (as an
 * input) and 18 (num_outputs); the Slice without axes (its starts and ends over N and H). The
 * Split runs along the mapped axis with a Transpose per part, the Slice on the mapped axes; every
 * Transpose cancels, the outputs stay the same. */
static void test_nhwc_split_slice(void) {
  static const int opsets[3] = {11, 13, 18};
  for (int v = 0; v < 3; v++) {
    int x;
    char gname[64];
    snprintf(gname, sizeof gname, "nhwc_split_slice%d", opsets[v]);
    ir_graph *g = graph_with_input(gname, 4, (int64_t[]){1, 4, 6, 5}, &x);
    g->opset = opsets[v];
    ir_node *n;
    int c1 = node(g, IR_OP_Conv, "c1", (int[]){x, crand(g, "w1", 4, (int64_t[]){8, 4, 1, 1}, 0.4f, 0)}, 2, 1, NULL);
    int t1 = transpose4(g, "to_nhwc", c1, (int64_t[]){0, 2, 3, 1});
    int parts[2] = {ir_add_tensor(g, "part0", NULL), ir_add_tensor(g, "part1", NULL)};
    int sin[2] = {t1, v == 1 ? ci64(g, "sizes", 2, (int64_t[]){3, 5}) : -1};
    n = ir_add_node(g, IR_OP_Split, "split", sin, v == 1 ? 2 : 1, parts, 2);
    ir_set_attr_int(n, "axis", -1);
    if (v == 0) ir_set_attr_ints(n, "split", (int64_t[]){3, 5}, 2);
    if (v == 2) ir_set_attr_int(n, "num_outputs", 2);
    int back[2];
    for (int k = 0; k < 2; k++) {
      back[k] = transpose4(g, k ? "back1" : "back0", parts[k], (int64_t[]){0, 3, 1, 2});
    }
    int cat = node(g, IR_OP_Concat, "cat", back, 2, 1, &n);
    ir_set_attr_int(n, "axis", 1);
    int t2 = transpose4(g, "to_nhwc2", c1, (int64_t[]){0, 2, 3, 1});
    int sl = node(g, IR_OP_Slice, "slice", (int[]){t2, ci64(g, "st", 2, (int64_t[]){0, 1}), ci64(g, "en", 2, (int64_t[]){1, 5})},
                  3, 1, NULL);
    int t3 = transpose4(g, "back2", sl, (int64_t[]){0, 3, 1, 2});
    g->outputs = malloc(2 * sizeof(int));
    g->outputs[g->n_outputs++] = cat;
    g->outputs[g->n_outputs++] = t3;
    ir_graph *c = pipeline_same(g, g->name);
    CHECK(count_op(c, IR_OP_Transpose) == 0, "%s: the Transposes cancel: %d left", g->name, count_op(c, IR_OP_Transpose));
    ir_graph_free(c);
    ir_graph_free(g);
  }
}

static void test_channels_last(void) {
  int x;
  ir_graph *g = graph_with_input("cnblock", 4, (int64_t[]){1, 4, 3, 5}, &x);
  ir_node *n;
  int64_t c4 = 4, c8 = 8, w1d[2] = {4, 8}, w2d[2] = {8, 4}, gd[3] = {4, 1, 1};
  int t = node(g, IR_OP_Transpose, "perm_in", &x, 1, 1, &n);
  ir_set_attr_ints(n, "perm", (int64_t[]){0, 2, 3, 1}, 4);
  int ln = node(g, IR_OP_LayerNormalization, "ln", (int[]){t, crand(g, "lg", 1, &c4, 0.3f, 1), crand(g, "lb", 1, &c4, 0.3f, 0)}, 3, 1, &n);
  ir_set_attr_float(n, "epsilon", 1e-6f);
  int m1 = node(g, IR_OP_MatMul, "fc1", (int[]){ln, crand(g, "w1", 2, w1d, 0.5f, 0)}, 2, 1, NULL);
  int a1 = node(g, IR_OP_Add, "fc1b", (int[]){m1, crand(g, "b1", 1, &c8, 0.2f, 0)}, 2, 1, NULL);
  int ge = node(g, IR_OP_Gelu, "gelu", &a1, 1, 1, NULL);
  int m2 = node(g, IR_OP_MatMul, "fc2", (int[]){ge, crand(g, "w2", 2, w2d, 0.5f, 0)}, 2, 1, NULL);
  int a2 = node(g, IR_OP_Add, "fc2b", (int[]){crand(g, "b2", 1, &c4, 0.2f, 0), m2}, 2, 1, NULL);
  int tb = node(g, IR_OP_Transpose, "perm_out", &a2, 1, 1, &n);
  ir_set_attr_ints(n, "perm", (int64_t[]){0, 3, 1, 2}, 4);
  int sc = node(g, IR_OP_Mul, "scale", (int[]){tb, crand(g, "gamma", 3, gd, 0.5f, 0)}, 2, 1, NULL);
  int y = node(g, IR_OP_Add, "res", (int[]){sc, x}, 2, 1, NULL);
  set_output(g, y);
  ir_graph *c = pipeline_same(g, "channels-last");
  CHECK(count_op(c, IR_OP_Mul) == 0, "the layer scale folds into the second conv: %d Mul left", count_op(c, IR_OP_Mul));
  CHECK(count_op(c, IR_OP_MatMul) == 0 && count_op(c, IR_OP_Conv) + count_op(c, IR_OP_FusedConv) == 2 &&
            count_op(c, IR_OP_Transpose) == 2,
        "2 convs, 2 Transposes (around the LayerNorm), no MatMul: %d convs, %d Transposes, %d MatMul",
        count_op(c, IR_OP_Conv) + count_op(c, IR_OP_FusedConv), count_op(c, IR_OP_Transpose), count_op(c, IR_OP_MatMul));
  ir_graph_free(c);
  ir_graph_free(g);
  /* a transformer's token MLP on [1,T,K]: MatMul -> Add -> Gelu -> MatMul -> Add -> residual */
  g = graph_with_input("mlp", 3, (int64_t[]){1, 5, 8}, &x);
  int64_t c16 = 16, u1d[2] = {8, 16}, u2d[2] = {16, 8};
  int h1 = node(g, IR_OP_MatMul, "m1", (int[]){x, crand(g, "u1", 2, u1d, 0.5f, 0)}, 2, 1, NULL);
  int h2 = node(g, IR_OP_Add, "m1b", (int[]){h1, crand(g, "v1", 1, &c16, 0.2f, 0)}, 2, 1, NULL);
  int h3 = node(g, IR_OP_Gelu, "act", &h2, 1, 1, NULL);
  int h4 = node(g, IR_OP_MatMul, "m2", (int[]){h3, crand(g, "u2", 2, u2d, 0.5f, 0)}, 2, 1, NULL);
  int h5 = node(g, IR_OP_Add, "m2b", (int[]){h4, crand(g, "v2", 1, &c8, 0.2f, 0)}, 2, 1, NULL);
  y = node(g, IR_OP_Add, "res", (int[]){h5, x}, 2, 1, NULL);
  set_output(g, y);
  c = pipeline_same(g, "channels-last tokens");
  CHECK(count_op(c, IR_OP_MatMul) == 0 && count_op(c, IR_OP_Conv) + count_op(c, IR_OP_FusedConv) == 2 &&
            count_op(c, IR_OP_Transpose) == 2 && count_op(c, IR_OP_Reshape) == 2,
        "tokens: 2 convs between one Reshape+Transpose pair each side: %d convs, %d Transposes, %d Reshapes",
        count_op(c, IR_OP_Conv) + count_op(c, IR_OP_FusedConv), count_op(c, IR_OP_Transpose), count_op(c, IR_OP_Reshape));
  ir_graph_free(c);
  ir_graph_free(g);
  test_channels_last_2d();
  test_flatten_transposes();
  test_affine_chains();
  test_pixel_shuffle();
}

/* The pipeline is one table: the front-end passes, then the back-end passes (run only with a
 * target config), each found by its name, all listed by cc_print_passes. */
static void test_pass_table(void) {
  static const char *const order[] = {"fold-constants", "fold-shapes", "shape-infer", "unbatch", "remove-identity",
                                      "annotate-quant", "fold-batchnorm", "normalize-reshape", "fuse-activations",
                                      "channels-last", "reduce-to-pool", "fold-pad", "lift-1d", "lift-3d", "fold-affine", "affine-to-conv",
                                      "prelu-to-conv", "convt-to-conv", "fuse", "dce", "float-inputs", "float-outputs", "qdq-import", "partition", "calibrate",
                                      "lower"};
  const int first_backend = 20;
  int n = 0;
  while (cc_pass_at(n)) n++;
  CHECK(n == (int)(sizeof order / sizeof order[0]), "%d passes in the table, want %d", n,
        (int)(sizeof order / sizeof order[0]));
  for (int i = 0; i < n && i < (int)(sizeof order / sizeof order[0]); i++) {
    const cc_pass *p = cc_pass_at(i);
    CHECK(!strcmp(p->name, order[i]), "pass %d is %s, want %s", i, p->name, order[i]);
    CHECK(cc_find_pass(order[i]) == p, "cc_find_pass(%s)", order[i]);
    CHECK(p->target == (i >= first_backend), "pass %s: back-end flag %d", p->name, p->target);
  }
  CHECK(cc_find_pass("no-such-pass") == NULL, "unknown pass name found");
  FILE *f = tmpfile();
  cc_print_passes(f);
  char *text = tu_read_stream(f);
  CHECK(text != NULL, "read pass list");
  for (int i = 0; i < n && text; i++) CHECK(strstr(text, cc_pass_at(i)->name) != NULL, "pass list lacks %s", cc_pass_at(i)->name);
  free(text);
  fclose(f);
  /* a back-end pass run by name without a target config does nothing */
  ir_graph *g = build_cnn();
  char err[1024];
  int nodes = g->n_nodes;
  CHECK(cc_run_pass(g, "shape-infer", NULL, err, sizeof err) == IR_OK, "shape-infer: %s", err);
  CHECK(cc_run_pass(g, "partition", NULL, err, sizeof err) == IR_OK && g->n_nodes == nodes, "partition without a target: %s",
        err);
  int marked = 0;
  for (int i = 0; i < g->n_nodes; i++) marked += ir_get_attr(g->nodes[i], "dlvta.target") != NULL;
  CHECK(marked == 0, "partition without a target marked %d nodes", marked);
  ir_graph_free(g);
}

/* remove-identity: a Dropout of ratio 0 is the identity even with training_mode true (torch
 * exports F.dropout(x, 0.0, training=True) so, e.g. torchvision's Swin attention); one of ratio
 * 0.5 in training mode stays. */
static void test_dropout_ratio0(void) {
  for (int keep = 0; keep < 2; keep++) {
    ir_graph *g = ir_graph_new("drop");
    g->opset = 13;
    int64_t xd[2] = {2, 5};
    ir_type xt = ty(IR_F32, 2, xd), st = ty(IR_F32, 0, NULL), bt = ty(IR_BOOL, 0, NULL);
    int x = ir_add_tensor(g, "x", &xt);
    g->inputs = malloc(sizeof(int));
    g->inputs[g->n_inputs++] = x;
    float *ratio = malloc(sizeof *ratio);
    uint8_t *train = malloc(1);
    *ratio = keep ? 0.5f : 0.0f, *train = 1;
    int r = ir_add_const(g, "ratio", &st, ratio), t = ir_add_const(g, "train", &bt, train);
    int d = node(g, IR_OP_Dropout, "drop", (int[]){x, r, t}, 3, 1, NULL);
    int y = node(g, IR_OP_Relu, "relu", (int[]){d}, 1, 1, NULL);
    g->outputs = malloc(sizeof(int));
    g->outputs[g->n_outputs++] = y;
    char err[1024];
    cc_options o = {0};
    cc_ctx cx = {.o = &o};
    int rc = cc_run_pipeline(g, &cx, err, sizeof err);
    CHECK(rc == IR_OK, "dropout ratio %s: pipeline: %s", keep ? "0.5" : "0", err);
    CHECK(count_op(g, IR_OP_Dropout) == keep, "dropout ratio %s, training mode: %d Dropout left, expected %d",
          keep ? "0.5" : "0", count_op(g, IR_OP_Dropout), keep);
    ir_graph_free(g);
  }
}

/* lift-1d: a 1-D network over [N, 4, 20] (symbolic batch) becomes 2-D over [N, C, 1, L] with the
 * same outputs: a strided Conv1d with its BatchNorm folded, Relu, MaxPool1d, an Add of a [C, 1]
 * constant and a PRelu of a [C, 1] slope (broadcast from the right: 4-D copies), a residual Add
 * of two lifted tensors, a Concat along the length (axis -1 -> 3), global average pooling; a
 * Softmax over the input stays 1-D (no seed before it), and so does the graph output's name. */
static void test_lift_1d(void) {
  int x;
  ir_graph *g = graph_with_input("lift", 3, (int64_t[]){-1, 4, 20}, &x);
  ir_node *n;
  int64_t wd[3] = {6, 4, 3}, c6 = 6, kd[2] = {6, 1};
  int sm = node(g, IR_OP_Softmax, "sm", &x, 1, 1, &n);
  int c1 = node(g, IR_OP_Conv, "conv1", (int[]){sm, crand(g, "w1", 3, wd, 0.4f, 0), crand(g, "b1", 1, &c6, 0.1f, 0)}, 3, 1, &n);
  ir_set_attr_ints(n, "pads", (int64_t[]){1, 1}, 2);
  ir_set_attr_ints(n, "strides", (int64_t[]){2}, 1);
  int r1 = node(g, IR_OP_Relu, "relu1", (int[]){bn(g, "bn1", c1, 6)}, 1, 1, NULL);
  int mp = node(g, IR_OP_MaxPool, "pool", &r1, 1, 1, &n);
  ir_set_attr_ints(n, "kernel_shape", (int64_t[]){2}, 1);
  ir_set_attr_ints(n, "strides", (int64_t[]){1}, 1);
  int ak = node(g, IR_OP_Add, "addk", (int[]){mp, crand(g, "k", 2, kd, 0.5f, 0)}, 2, 1, NULL);
  int pr = node(g, IR_OP_PRelu, "prelu", (int[]){ak, crand(g, "slope", 2, kd, 0.3f, 0.2f)}, 2, 1, NULL);
  int ad = node(g, IR_OP_Add, "res", (int[]){pr, mp}, 2, 1, NULL);
  int ct = node(g, IR_OP_Concat, "cat", (int[]){ad, mp}, 2, 1, &n);
  ir_set_attr_int(n, "axis", -1);
  int gp = node(g, IR_OP_GlobalAveragePool, "gap", &ct, 1, 1, NULL);
  set_output(g, gp);
  ir_graph *c = pipeline_same(g, "lift-1d");
  int conv4 = 0, rank3 = 0;
  for (int i = 0; i < c->n_nodes; i++) {
    const ir_node *m = c->nodes[i];
    if (m->dead || m->op == IR_OP_Reshape || m->op == IR_OP_Softmax) continue;
    conv4 += (m->op == IR_OP_Conv || m->op == IR_OP_FusedConv) && c->tensors[m->in[1]]->type.rank == 4;
    rank3 += c->tensors[m->out[0]]->type.rank == 3;
  }
  /* conv1, the Add of a per-channel constant as a depthwise 1x1 conv (affine-to-conv), the
   * PRelu's depthwise conv of relu(-x) (prelu-to-conv) */
  CHECK(conv4 == 3 && count_op(c, IR_OP_PRelu) == 0 && rank3 == 0,
        "lift-1d: %d 4-D convs (want 3), %d nodes other than Reshape/Softmax with a rank-3 output (want 0)",
        conv4, rank3);
  CHECK(c->n_outputs == 1 && !strcmp(c->tensors[c->outputs[0]]->name, "gap") && c->tensors[c->outputs[0]]->type.rank == 3,
        "lift-1d: the graph output keeps its name and rank");
  ir_graph_free(c);
  ir_graph_free(g);
  /* an explicit zero Pad before the Conv1d and x.mean(2) after it (torch's F.pad and mean over
   * the length): the conv's pads and a global pool by the time lift-1d runs, lifted with it */
  g = graph_with_input("lift_pad_mean", 3, (int64_t[]){-1, 4, 20}, &x);
  int pd = node(g, IR_OP_Pad, "pad", (int[]){x, ci64(g, "pads", 6, (int64_t[]){0, 0, 1, 0, 0, 1})}, 2, 1, NULL);
  int c2 = node(g, IR_OP_Conv, "conv", (int[]){pd, crand(g, "w2", 3, wd, 0.4f, 0), crand(g, "b2", 1, &c6, 0.1f, 0)}, 3, 1, &n);
  int r2 = node(g, IR_OP_Relu, "relu", &c2, 1, 1, NULL);
  int rm = node(g, IR_OP_ReduceMean, "mean", &r2, 1, 1, &n);
  ir_set_attr_ints(n, "axes", (int64_t[]){2}, 1);
  ir_set_attr_int(n, "keepdims", 0);
  set_output(g, rm);
  c = pipeline_same(g, "lift-1d pad and mean");
  rank3 = 0;
  for (int i = 0; i < c->n_nodes; i++)
    rank3 += !c->nodes[i]->dead && c->nodes[i]->op != IR_OP_Reshape && c->tensors[c->nodes[i]->out[0]]->type.rank == 3;
  CHECK(count_op(c, IR_OP_Pad) == 0 && count_op(c, IR_OP_ReduceMean) == 0 && count_op(c, IR_OP_GlobalAveragePool) == 1 &&
            count_op(c, IR_OP_FusedConv) == 1 && rank3 == 0,
        "lift-1d pad and mean: %d Pad, %d ReduceMean, %d GlobalAveragePool, %d FusedConv, %d rank-3 nodes",
        count_op(c, IR_OP_Pad), count_op(c, IR_OP_ReduceMean), count_op(c, IR_OP_GlobalAveragePool),
        count_op(c, IR_OP_FusedConv), rank3);
  ir_graph_free(c);
  ir_graph_free(g);
}

/* A graph x [1, C, H, W] -> op (ConvTranspose with weights [C, M/group, k, k] and a bias, or
 * DepthToSpace / SpaceToDepth) -> y; the op node in *np. */
static ir_graph *one_op(ir_op op, int64_t C, int64_t H, int64_t W, int64_t Mg, int64_t k, int64_t group, ir_node **np) {
  int x;
  ir_graph *g = graph_with_input("one", 4, (int64_t[]){1, C, H, W}, &x);
  int y;
  if (op == IR_OP_ConvTranspose) {
    int64_t wd[4] = {C, Mg, k, k}, M = Mg * group;
    y = node(g, op, "ct", (int[]){x, crand(g, "w", 4, wd, 0.5f, 0), crand(g, "b", 1, &M, 0.2f, 0)}, 3, 1, np);
  } else {
    y = node(g, op, op == IR_OP_DepthToSpace ? "d2s" : "s2d", &x, 1, 1, np);
  }
  set_output(g, y);
  return g;
}

/* ConvTranspose, DepthToSpace and SpaceToDepth shapes: output_padding, output_shape with each
 * auto_pad, SAME_*, dilation, groups; and every malformed attribute refused by shape-infer with
 * the node, the op and the reason (never a crash). */
static void test_convt_attrs(void) {
  static const struct {
    ir_op op;
    int64_t C, H, W, Mg, k, group;
    const char *attr;  /* name of an ints / int / string attribute, or NULL */
    int64_t v[4];
    int nv;            /* entries of v; 0 with sv: a string; -1: an int */
    const char *sv;
    int64_t oh, ow;    /* expected output extents, or 0: an error containing want */
    const char *want;
  } cases[] = {
      {IR_OP_ConvTranspose, 4, 5, 4, 3, 3, 1, "output_padding", {1, 0}, 2, NULL, 12, 9, NULL},
      {IR_OP_ConvTranspose, 4, 5, 4, 3, 3, 1, "output_shape", {10, 9}, 2, NULL, 10, 9, NULL},
      {IR_OP_ConvTranspose, 4, 5, 4, 3, 3, 1, "auto_pad", {0}, 0, "SAME_LOWER", 10, 8, NULL},
      {IR_OP_ConvTranspose, 4, 5, 4, 2, 4, 2, "pads", {1, 1, 1, 1}, 4, NULL, 10, 8, NULL},
      {IR_OP_ConvTranspose, 4, 5, 4, 3, 3, 1, "pads", {-1, 0, 0, 0}, 4, NULL, 0, 0, "negative pads"},
      {IR_OP_ConvTranspose, 4, 5, 4, 3, 3, 1, "output_padding", {2, 0}, 2, NULL, 0, 0, "output_padding 2"},
      {IR_OP_ConvTranspose, 4, 5, 4, 3, 3, 1, "output_padding", {1}, 1, NULL, 0, 0, "output_padding has 1 entries"},
      {IR_OP_ConvTranspose, 4, 5, 4, 3, 3, 1, "output_shape", {12, 9}, 2, NULL, 12, 9, NULL}, /* 1 past: zeros */
      {IR_OP_ConvTranspose, 4, 5, 4, 3, 3, 1, "output_shape", {13, 9}, 2, NULL, 0, 0, "output_shape 13 on axis 0"},
      {IR_OP_ConvTranspose, 4, 5, 4, 3, 3, 1, "kernel_shape", {2, 2}, 2, NULL, 0, 0, "differs from the weight"},
      {IR_OP_ConvTranspose, 4, 5, 4, 3, 3, 1, "pads", {6, 0, 6, 0}, 4, NULL, 0, 0, "leave no output"},
      {IR_OP_ConvTranspose, 4, 5, 4, 3, 3, 3, "group", {0}, -1, NULL, 0, 0, "not divisible by group"},
      {IR_OP_ConvTranspose, 4, 5, 4, 3, 3, 1, "auto_pad", {0}, 0, "SAME", 0, 0, "unknown auto_pad"},
      {IR_OP_DepthToSpace, 8, 3, 5, 0, 0, 1, "blocksize", {2}, -1, NULL, 6, 10, NULL},
      {IR_OP_DepthToSpace, 10, 3, 5, 0, 0, 1, "blocksize", {2}, -1, NULL, 0, 0, "10 channels not divisible by blocksize^2"},
      {IR_OP_DepthToSpace, 8, 3, 5, 0, 0, 1, "blocksize", {0}, -1, NULL, 0, 0, "blocksize 0"},
      {IR_OP_DepthToSpace, 8, 3, 5, 0, 0, 1, NULL, {0}, 0, NULL, 0, 0, "missing blocksize"},
      {IR_OP_DepthToSpace, 8, 3, 5, 0, 0, 1, "mode", {0}, 0, "DRC", 0, 0, "mode 'DRC'"},
      {IR_OP_SpaceToDepth, 2, 6, 4, 0, 0, 1, "blocksize", {2}, -1, NULL, 3, 2, NULL},
      {IR_OP_SpaceToDepth, 2, 6, 5, 0, 0, 1, "blocksize", {2}, -1, NULL, 0, 0, "extent 5 of axis 3 not divisible"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    ir_node *n;
    ir_graph *g = one_op(cases[i].op, cases[i].C, cases[i].H, cases[i].W, cases[i].Mg, cases[i].k, cases[i].group, &n);
    if (cases[i].group != 1) ir_set_attr_int(n, "group", cases[i].group);
    if (cases[i].op == IR_OP_ConvTranspose) ir_set_attr_ints(n, "strides", (int64_t[]){2, 2}, 2);
    if (cases[i].op == IR_OP_DepthToSpace && (!cases[i].attr || strcmp(cases[i].attr, "blocksize")))
      ir_set_attr_int(n, cases[i].attr ? "blocksize" : "mode_unused", 2);
    if (!cases[i].attr) ir_del_attr(n, "mode_unused");
    else if (cases[i].nv > 0) ir_set_attr_ints(n, cases[i].attr, cases[i].v, cases[i].nv);
    else if (cases[i].nv < 0) ir_set_attr_int(n, cases[i].attr, cases[i].v[0]);
    else ir_set_attr_string(n, cases[i].attr, cases[i].sv);
    if (cases[i].op == IR_OP_ConvTranspose && cases[i].group == 3) ir_set_attr_int(n, "group", 3);
    char err[1024] = "";
    int rc = cc_run_pass(g, "shape-infer", NULL, err, sizeof err);
    const char *opn = ir_op_name(cases[i].op);
    if (cases[i].oh) {
      const ir_type *t = &g->tensors[g->outputs[0]]->type;
      CHECK(rc == IR_OK && t->rank == 4 && t->dims[2] == cases[i].oh && t->dims[3] == cases[i].ow,
            "%s case %zu: %s, output %lldx%lld, want %lldx%lld", opn, i, err, (long long)t->dims[2], (long long)t->dims[3],
            (long long)cases[i].oh, (long long)cases[i].ow);
    } else {
      char nodeq[64];
      snprintf(nodeq, sizeof nodeq, "node '%s' (%s)", n->name, opn);
      CHECK(rc == IR_ERR && strstr(err, nodeq) && strstr(err, cases[i].want), "%s case %zu: rc %d, error '%s', want '%s' and '%s'",
            opn, i, rc, err, nodeq, cases[i].want);
    }
    ir_graph_free(g);
  }
}

/* A linear Resize of a [1, 4, H, W] activation through shape-infer and partition (pynq): the
 * accelerator takes integer factors whose weights are dyadic (half_pixel / pytorch_half_pixel /
 * asymmetric by 2, 4, align_corners 3 -> 9); the others stay on the CPU with the reason naming
 * the mode, factor or fraction. */
static void test_bilinear_why(void) {
  static const struct {
    const char *ct;
    int64_t H, W, OH, OW;
    const char *want; /* NULL: on the accelerator */
  } cases[] = {
      {"half_pixel", 8, 8, 16, 16, NULL},
      {"pytorch_half_pixel", 5, 7, 20, 14, NULL},
      {"asymmetric", 4, 4, 16, 32, NULL},
      {"align_corners", 3, 3, 9, 9, NULL},
      {"align_corners", 8, 8, 16, 16, "multiples of 1/15"},
      {"half_pixel", 4, 4, 12, 12, "multiples of 1/3"},
      {"asymmetric", 4, 4, 8, 12, "column weights"},
      {"half_pixel", 8, 8, 12, 12, "not an upsampling by integer factors"},
      {"half_pixel", 2, 2, 64, 64, "factors are up to 16"},
  };
  cc_options o = {0};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    cc_ctx cx = {.o = &o, .cfg = isa_config_find("pynq")};
    int x;
    ir_graph *g = graph_with_input("bil", 4, (int64_t[]){1, 4, cases[i].H, cases[i].W}, &x);
    ir_node *n;
    int sz = ci64(g, "sizes", 4, (int64_t[]){1, 4, cases[i].OH, cases[i].OW});
    int y = node(g, IR_OP_Resize, "up", (int[]){x, -1, -1, sz}, 4, 1, &n);
    ir_set_attr_string(n, "mode", "linear");
    ir_set_attr_string(n, "coordinate_transformation_mode", cases[i].ct);
    set_output(g, y);
    char err[1024];
    int rc = cc_run_pass(g, "shape-infer", &cx, err, sizeof err);
    if (rc == IR_OK) rc = cc_run_pass(g, "partition", &cx, err, sizeof err);
    CHECK(rc == IR_OK, "bilinear case %zu: %s", i, err);
    const char *tg = ir_attr_string(n, "dlvta.target", ""), *why = ir_attr_string(n, "dlvta.why", "");
    if (!cases[i].want)
      CHECK(!strcmp(tg, "accel"), "bilinear %s %lldx%lld -> %lldx%lld: target '%s', why '%s'", cases[i].ct,
            (long long)cases[i].H, (long long)cases[i].W, (long long)cases[i].OH, (long long)cases[i].OW, tg, why);
    else
      CHECK(!strcmp(tg, "cpu") && strstr(why, cases[i].want), "bilinear %s %lldx%lld -> %lldx%lld: target '%s', why '%s' (want '%s')",
            cases[i].ct, (long long)cases[i].H, (long long)cases[i].W, (long long)cases[i].OH, (long long)cases[i].OW, tg, why,
            cases[i].want);
    if (i == 4) printf("bilinear fallback reason: %s\n", why);
    ir_graph_free(g);
  }
}

/* convt-to-conv (with a target: pynq, block 16; tiny, block 4) keeps the outputs of random
 * ConvTransposes (kernels 1..5, strides 1..4, pads, output_padding, groups, a Relu after
 * some) while turning every one into a phase Conv + dlvta.Interleave; a dilated one stays with
 * its reason. */
static void test_convt_to_conv(void) {
  cc_options o = {0};
  int done = 0, total = 0;
  for (int i = 0; i < 60; i++) {
    const char *cfgname = i % 3 ? "pynq" : "tiny";
    cc_ctx cx = {.o = &o, .cfg = isa_config_find(cfgname)};
    int64_t k = 1 + (int64_t)(frand() * 2.5f + 2.5f) % 5, s = 1 + i % 4, group = i % 5 == 0 ? 2 : 1;
    int64_t C = 2 * (1 + i % 3), Mg = 1 + i % 7, H = 3 + i % 4, W = 2 + i % 5;
    ir_node *n;
    ir_graph *g = one_op(IR_OP_ConvTranspose, C, H, W, Mg, k, group, &n);
    int64_t pb = i % (int)k, pe = (i / 3) % (int)(k - pb), op = s > 1 ? i % s : 0;
    ir_set_attr_ints(n, "strides", (int64_t[]){s, s == 1 ? 2 : s - 1}, 2);
    ir_set_attr_ints(n, "pads", (int64_t[]){pb, pe, pe, pb}, 4);
    ir_set_attr_ints(n, "output_padding", (int64_t[]){op, 0}, 2);
    if (group > 1) ir_set_attr_int(n, "group", group);
    if (i == 7) ir_set_attr_ints(n, "dilations", (int64_t[]){2, 1}, 2);
    if (i == 11) { /* stride 1: the conv alone */
      ir_set_attr_ints(n, "strides", (int64_t[]){1, 1}, 2);
      ir_set_attr_ints(n, "output_padding", (int64_t[]){0, 0}, 2);
    }
    if (i % 2) { /* a Relu after it */
      int r = node(g, IR_OP_Relu, "relu", &g->outputs[0], 1, 1, NULL);
      g->outputs[0] = r;
    }
    char err[1024];
    ir_graph *c = ir_graph_clone(g);
    int rc = cc_run_pass(c, "shape-infer", &cx, err, sizeof err);
    if (rc == IR_OK) rc = cc_run_pass(c, "convt-to-conv", &cx, err, sizeof err);
    CHECK(rc == IR_OK, "case %d: %s", i, err);
    int convs = count_op(c, IR_OP_Conv), ils = count_op(c, IR_OP_Interleave), left = count_op(c, IR_OP_ConvTranspose);
    total++;
    if (i == 7) {
      CHECK(left == 1 && strstr(ir_attr_string(c->nodes[0], "dlvta.why", ""), "dilated"), "case 7: the dilated one stays, why '%s'",
            ir_attr_string(c->nodes[0], "dlvta.why", ""));
    } else {
      int want_il = i != 11;
      CHECK(convs == 1 && ils == want_il && left == 0, "case %d: %d Conv, %d Interleave (want %d), %d ConvTranspose", i, convs,
            ils, want_il, left);
      done += convs == 1 && ils == want_il;
    }
    ir_value in = rand_input(g, 1);
    char what[64];
    snprintf(what, sizeof what, "convt case %d (k %lld s %lld %s)", i, (long long)k, (long long)s, cfgname);
    if (rc == IR_OK) same_outputs(g, c, &in, 1, what);
    ir_value_free(&in);
    ir_graph_free(c);
    ir_graph_free(g);
  }
  printf("convt-to-conv: %d of %d random ConvTransposes as phase convs, outputs unchanged\n", done, total);
}

/* A GAN generator's block, ConvTranspose (2 groups, no bias) -> BatchNormalization -> Tanh,
 * through the front end with a target (pynq): the BN folds into the ConvTranspose, which becomes
 * a phase Conv, the Tanh moves before the Interleave (onto the phases, where the conv takes it as
 * its table); outputs unchanged. */
static void test_convt_bn_tanh(void) {
  int x;
  ir_graph *g = graph_with_input("gan", 4, (int64_t[]){1, 8, 5, 5}, &x);
  int64_t wd[4] = {8, 3, 4, 4}, C = 6;
  ir_node *n;
  int ct = node(g, IR_OP_ConvTranspose, "ct", (int[]){x, crand(g, "w", 4, wd, 0.5f, 0)}, 2, 1, &n);
  ir_set_attr_ints(n, "strides", (int64_t[]){2, 2}, 2);
  ir_set_attr_ints(n, "pads", (int64_t[]){1, 1, 1, 1}, 4);
  ir_set_attr_int(n, "group", 2);
  int in[5] = {ct, crand(g, "s", 1, &C, 0.5f, 1.0f), crand(g, "b", 1, &C, 0.3f, 0), crand(g, "m", 1, &C, 0.2f, 0),
               crand(g, "v", 1, &C, 0.3f, 1.0f)};
  int bnv = node(g, IR_OP_BatchNormalization, "bn", in, 5, 1, NULL);
  int y = node(g, IR_OP_Tanh, "tanh", &bnv, 1, 1, NULL);
  set_output(g, y);
  cc_options o = {.stop_after = "dce"};
  cc_ctx cx = {.o = &o, .cfg = isa_config_find("pynq")};
  ir_graph *c = ir_graph_clone(g);
  char err[1024];
  int rc = cc_run_pipeline(c, &cx, err, sizeof err);
  CHECK(rc == IR_OK, "gan block: %s", err);
  int pi = -1, il = -1;
  for (int i = 0; i < c->n_nodes; i++)
    if (c->nodes[i]->op == IR_OP_Interleave) il = i;
  const ir_node *before = il >= 0 ? ir_producer(c, c->nodes[il]->in[0], &pi) : NULL;
  CHECK(count_op(c, IR_OP_ConvTranspose) == 0 && count_op(c, IR_OP_BatchNormalization) == 0 && count_op(c, IR_OP_Mul) == 0 &&
            il >= 0 && before && before->op == IR_OP_Tanh,
        "gan block: BN folded, Tanh before the Interleave (%d ConvTranspose, %d BN, %d Mul, Interleave at %d after %s)",
        count_op(c, IR_OP_ConvTranspose), count_op(c, IR_OP_BatchNormalization), count_op(c, IR_OP_Mul), il,
        before ? ir_op_name(before->op) : "-");
  ir_value v = rand_input(g, 1);
  if (rc == IR_OK) same_outputs(g, c, &v, 1, "gan block");
  ir_value_free(&v);
  ir_graph_free(c);
  ir_graph_free(g);
}

/* A model exported with a fixed batch above 1: compiled for one sample when the graph keeps its
 * samples apart (a Relu), else as exported (on the CPU: the accelerator's layers take batch 1)
 * with a note naming the node that mixes them (a mean over the batch) and what to do. */
static void test_fixed_batch_note(void) {
  for (int mix = 0; mix < 2; mix++) {
    int x;
    ir_graph *g = graph_with_input("batch2", 4, (int64_t[]){2, 3, 4, 4}, &x);
    int y = node(g, IR_OP_Relu, "relu", &x, 1, 1, NULL);
    if (mix) {
      y = node(g, IR_OP_ReduceMean, "batch_mean", &y, 1, 1, NULL);
      ir_set_attr_ints(g->nodes[g->n_nodes - 1], "axes", (int64_t[]){0}, 1);
    }
    set_output(g, y);
    char err[1024], logbuf[2048] = "";
    FILE *log = fmemopen(logbuf, sizeof logbuf - 1, "w");
    cc_options o = {.config = "pynq", .log = log};
    cc_model *m = NULL;
    int rc = cc_compile_graph(g, "batch2.onnx", &o, &m, err, sizeof err);
    if (log) fclose(log);
    CHECK(rc == IR_OK, "fixed batch: compile: %s", err);
    if (!mix)
      CHECK(strstr(logbuf, "fixed batch of 2 and keeps its samples apart: compiled for one sample") && m &&
                m->g->tensors[m->g->inputs[0]]->type.dims[0] == 1,
            "fixed batch, samples apart: no unbatched note or input:\n%s", logbuf);
    else
      CHECK(strstr(logbuf, "note: input 'x' has a fixed batch of 2") &&
                strstr(logbuf, "mixes its samples (node 'batch_mean' (ReduceMean) reduces or runs along the batch axis)"),
            "fixed batch, mixed: no note naming the node in the log:\n%s", logbuf);
    cc_model_free(m);
  }
}

/* Malformed attributes of the normalizing / picking ops: one clean error naming the node and op. */
static void test_bad_head_attrs(void) {
  static const struct {
    ir_op op;
    const char *attr;
    int64_t v;
    const char *want;
  } bad[] = {
      {IR_OP_ArgMax, "axis", 4, "axis 4 out of range"},
      {IR_OP_ArgMin, "axis", -5, "axis -5 out of range"},
      {IR_OP_LogSoftmax, "axis", 7, "axis 7 out of range"},
      {IR_OP_LpNormalization, "p", 3, "p 3 (expected 1 or 2)"},
      {IR_OP_LpNormalization, "axis", 9, "axis 9 out of range"},
  };
  for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
    int x;
    ir_graph *g = graph_with_input("bad", 4, (int64_t[]){1, 3, 4, 4}, &x);
    ir_node *n;
    int y = node(g, bad[k].op, "head", &x, 1, 1, &n);
    ir_set_attr_int(n, bad[k].attr, bad[k].v);
    set_output(g, y);
    char err[1024] = "";
    int rc = cc_run_pipeline(g, NULL, err, sizeof err);
    CHECK(rc != IR_OK && strstr(err, "'head'") && strstr(err, ir_op_name(bad[k].op)) && strstr(err, bad[k].want),
          "%s %s=%lld: rc %d, error '%s' (want the node, the op and '%s')", ir_op_name(bad[k].op), bad[k].attr,
          (long long)bad[k].v, rc, err, bad[k].want);
    ir_graph_free(g);
  }
  /* InstanceNormalization: scale of the wrong length */
  int x;
  ir_graph *g = graph_with_input("bad_in", 4, (int64_t[]){1, 3, 4, 4}, &x);
  int64_t c2 = 2, c3 = 3;
  int y = node(g, IR_OP_InstanceNormalization, "head", (int[]){x, crand(g, "s", 1, &c2, 1, 0), crand(g, "b", 1, &c3, 1, 0)},
               3, 1, NULL);
  set_output(g, y);
  char err[1024] = "";
  int rc = cc_run_pipeline(g, NULL, err, sizeof err);
  CHECK(rc != IR_OK && strstr(err, "'head'") && strstr(err, "scale must be 1-D of the 3 channels"),
        "InstanceNormalization with a 2-channel scale: rc %d, '%s'", rc, err);
  ir_graph_free(g);
}

int main(void) {
  test_cnn();
  test_bilinear_why();
  test_dropout_ratio0();
  test_bn_fold_variants();
  test_const_fold();
  test_shapes();
  test_verifier();
  test_qdq();
  test_fold_shapes();
  test_fuse_activations();
  test_hard_patterns();
  test_act_before_maxpool();
  test_prelu_uniform();
  test_prelu_to_conv();
  test_layernorm_pattern();
  test_reduce_to_pool();
  test_channel_reduce();
  test_lift_1d();
  test_fixed_batch_note();
  test_bad_head_attrs();
  test_fold_pad();
  test_trim_taps();
  test_fold_affine();
  test_channels_last();
  test_nhwc_round_trips();
  test_nhwc_pad_resize();
  test_nhwc_split_slice();
  test_qat_fold();
  test_pass_table();
  test_convt_attrs();
  test_convt_to_conv();
  test_convt_bn_tanh();
  return TEST_END();
}
