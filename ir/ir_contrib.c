/* ir/ir_contrib.c -- onnxruntime's quantized operators of the com.microsoft domain (what its
 * quantizer writes in the QOperator format, and the ONNX model zoo's -int8 models hold) read as
 * standard ONNX (ir_expand_contrib, ir.h): each becomes DequantizeLinear of its integer inputs,
 * the float operator, and QuantizeLinear into its output's scale and zero point, so that shape
 * inference, the reference executor and the compiler's quantized-model import (qdq-import) know
 * them as the Q/DQ form they mean:
 *
 *   QLinearAdd, QLinearMul        (A, As, Az, B, Bs, Bz, Cs, Cz)      -> Add, Mul
 *   QLinearLeakyRelu (alpha)      (X, Xs, Xz, Ys, Yz)                 -> LeakyRelu
 *   QLinearSigmoid                (X, Xs, Xz, Ys, Yz)                 -> Sigmoid
 *   QLinearGlobalAveragePool      (X, Xs, Xz, Ys, Yz)                 -> GlobalAveragePool
 *   QLinearAveragePool            (X, Xs, Xz, Ys, Yz), pool attrs     -> AveragePool
 *   QLinearConcat (axis)          (Ys, Yz, X1, X1s, X1z, X2, ...)     -> Concat
 *   QGemm (alpha, transA, transB) (A, As, Az, B, Bs, Bz, C, Ys, Yz)   -> Gemm (C, int32 at As x Bs,
 *                                                                       per column of B; no Ys: a
 *                                                                       float output)
 *
 * and the float ops its graph optimizer fuses (what a model saved after optimization holds):
 *
 *   FusedConv (conv attrs, activation, activation_params)  (X, W, B, Z) -> Conv, [Add Z], activation
 *   FusedGemm (gemm attrs, activation, activation_alpha / _beta) (A, B, C) -> Gemm, activation
 *
 * (activations Relu, Sigmoid, Tanh, LeakyRelu, HardSigmoid, Clip; others are refused).
 *
 * channels_last 1 (NHWC pooling) is refused; so is a contrib op not listed (its name in the
 * error, like any operator dlvta does not read). A missing output zero point takes the type of
 * the input's (onnxruntime's T), uint8 when no zero point is given at all.
 *
 * The format also runs value-moving operators (MaxPool, Flatten, Reshape, Transpose, ...) on the
 * quantized integer tensors between those nodes; each becomes DequantizeLinear, the operator in
 * float, QuantizeLinear with the scale and zero point the tensor was made with (exact). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ir.h"
#include "util.h"

#define CONTRIB "com.microsoft."

/* Node n's name for new tensors and nodes. */
static const char *base_name(const ir_node *n) { return n->name && *n->name ? n->name : n->op_name; }

/* The input k of n, or -1 when absent. */
static int in_at(const ir_node *n, int k) { return k < n->n_in ? n->in[k] : -1; }

/* DequantizeLinear(x, s, z) inserted at node position *i (which then moves past it): its float
 * output. axis >= 0: per-channel scales along it. */
static int dq_at(ir_graph *g, int *i, const ir_node *n, int x, int s, int z, int axis, const char *what) {
  char name[300];
  snprintf(name, sizeof name, "%s_%s_f", base_name(n), what);
  int f = ir_add_tensor(g, name, NULL);
  int in[3] = {x, s, z};
  ir_node *d = ir_add_node(g, IR_OP_DequantizeLinear, name, in, z >= 0 ? 3 : 2, &f, 1);
  if (axis >= 0) ir_set_attr_int(d, "axis", axis);
  ir_move_last_node(g, *i);
  ++*i;
  return f;
}

/* A zero point for an output without one: 0 of zref's type (a constant's), else -1 (uint8). */
static int zero_like(ir_graph *g, const ir_node *n, int zref) {
  if (zref < 0 || !g->tensors[zref]->data) return -1;
  ir_type t = {.dtype = g->tensors[zref]->type.dtype, .rank = 0};
  void *d = calloc(1, 8);
  ALWAYS_ASSERT(d != NULL);
  char name[300];
  snprintf(name, sizeof name, "%s_y_zero_point", base_name(n));
  return ir_add_const(g, name, &t, d);
}

/* The float op at position *i on inputs in[0..nin), its output a new tensor; then n (at *i)
 * becomes QuantizeLinear of it into (ys, yz). Attributes of n named in keep (space-separated,
 * each followed by a space) go to the float op. */
static ir_node *float_then_quant(ir_graph *g, int *i, ir_node *n, ir_op op, const int *in, int nin, int ys, int yz,
                                 const char *keep) {
  char name[300];
  snprintf(name, sizeof name, "%s_float", base_name(n));
  int f = ir_add_tensor(g, name, NULL);
  ir_node *o = ir_add_node(g, op, base_name(n), in, nin, &f, 1);
  for (int k = 0; k < n->n_attr; k++) {
    const ir_attr *a = &n->attr[k];
    char key[128];
    snprintf(key, sizeof key, "%s ", a->name);
    if (!strstr(keep, key)) continue;
    if (a->kind == IR_ATTR_INT) ir_set_attr_int(o, a->name, a->i);
    else if (a->kind == IR_ATTR_FLOAT) ir_set_attr_float(o, a->name, a->f);
    else if (a->kind == IR_ATTR_INTS) ir_set_attr_ints(o, a->name, a->ints, a->n);
    else if (a->kind == IR_ATTR_STRING) ir_set_attr_string(o, a->name, a->s);
  }
  ir_move_last_node(g, *i);
  ++*i;
  ir_set_inputs(n, (int[]){f, ys, yz}, yz >= 0 ? 3 : 2);
  ir_clear_attrs(n);
  ir_set_op(n, IR_OP_QuantizeLinear);
  return o;
}

/* The unary ones and the pools: (X, Xs, Xz, Ys, Yz). */
static int unary(ir_graph *g, int *i, ir_node *n, ir_op op, const char *keep, char *err, size_t errlen) {
  if (n->n_in < 4 || n->n_in > 5 || n->n_out != 1 || n->in[0] < 0 || n->in[1] < 0 || n->in[3] < 0)
    return ir_node_err(g, n, err, errlen, "expected inputs X, X_scale, [X_zero_point], Y_scale, [Y_zero_point]");
  if (ir_attr_int(n, "channels_last", 0))
    return ir_node_err(g, n, err, errlen, "channels_last 1 (NHWC) not supported"), IR_UNSUPPORTED;
  int yz = in_at(n, 4) >= 0 ? n->in[4] : zero_like(g, n, in_at(n, 2));
  int x = dq_at(g, i, n, n->in[0], n->in[1], in_at(n, 2), -1, "x");
  float_then_quant(g, i, n, op, &x, 1, n->in[3], yz, keep);
  return IR_OK;
}

/* QLinearAdd / QLinearMul: (A, As, Az, B, Bs, Bz, Cs, Cz). */
static int binary(ir_graph *g, int *i, ir_node *n, ir_op op, char *err, size_t errlen) {
  if (n->n_in < 7 || n->n_in > 8 || n->n_out != 1 || n->in[0] < 0 || n->in[1] < 0 || n->in[3] < 0 || n->in[4] < 0 ||
      n->in[6] < 0)
    return ir_node_err(g, n, err, errlen, "expected inputs A, A_scale, [A_zero_point], B, B_scale, [B_zero_point], "
                                          "C_scale, [C_zero_point]");
  int cz = in_at(n, 7) >= 0 ? n->in[7] : zero_like(g, n, in_at(n, 2));
  int ab[2] = {dq_at(g, i, n, n->in[0], n->in[1], in_at(n, 2), -1, "a"),
               dq_at(g, i, n, n->in[3], n->in[4], in_at(n, 5), -1, "b")};
  float_then_quant(g, i, n, op, ab, 2, n->in[6], cz, "");
  return IR_OK;
}

/* QLinearConcat: (Ys, Yz, then X, Xs, Xz per input). */
static int concat(ir_graph *g, int *i, ir_node *n, char *err, size_t errlen) {
  int k = (n->n_in - 2) / 3;
  if (n->n_in < 5 || (n->n_in - 2) % 3 || n->n_out != 1 || n->in[0] < 0)
    return ir_node_err(g, n, err, errlen, "expected inputs Y_scale, Y_zero_point, then X, X_scale, X_zero_point "
                                          "per input (%d inputs)", n->n_in);
  int *xs = malloc((size_t)k * sizeof *xs);
  ALWAYS_ASSERT(xs != NULL);
  int ys = n->in[0], yz = n->in[1] >= 0 ? n->in[1] : zero_like(g, n, n->in[4]);
  for (int j = 0; j < k; j++) {
    char what[32];
    snprintf(what, sizeof what, "x%d", j);
    if (n->in[2 + 3 * j] < 0 || n->in[3 + 3 * j] < 0) {
      free(xs);
      return ir_node_err(g, n, err, errlen, "input %d or its scale is empty", j);
    }
    xs[j] = dq_at(g, i, n, n->in[2 + 3 * j], n->in[3 + 3 * j], n->in[4 + 3 * j], -1, what);
  }
  float_then_quant(g, i, n, IR_OP_Concat, xs, k, ys, yz, "axis ");
  free(xs);
  return IR_OK;
}

/* QGemm: (A, As, Az, B, Bs, Bz, [C], [Ys], [Yz]); B's scales per column (axis 1, or 0 with
 * transB), C int32 at As x Bs. */
static int qgemm(ir_graph *g, int *i, ir_node *n, char *err, size_t errlen) {
  if (n->n_in < 6 || n->n_in > 9 || n->n_out != 1 || n->in[0] < 0 || n->in[1] < 0 || n->in[3] < 0 || n->in[4] < 0)
    return ir_node_err(g, n, err, errlen, "expected inputs A, a_scale, a_zero_point, B, b_scale, b_zero_point, [C], "
                                          "[y_scale], [y_zero_point]");
  const ir_tensor *as = g->tensors[n->in[1]], *bs = g->tensors[n->in[4]];
  int64_t nb = ir_type_numel(&bs->type);
  if (!as->data || !bs->data || as->type.dtype != IR_F32 || bs->type.dtype != IR_F32 || ir_type_numel(&as->type) != 1 ||
      nb < 1)
    return ir_node_err(g, n, err, errlen, "a_scale (one value) and b_scale must be float32 constants"), IR_UNSUPPORTED;
  int tb = (int)ir_attr_int(n, "transB", 0), axis = nb > 1 ? (tb ? 0 : 1) : -1;
  int in[3] = {dq_at(g, i, n, n->in[0], n->in[1], in_at(n, 2), -1, "a"),
               dq_at(g, i, n, n->in[3], n->in[4], in_at(n, 5), axis, "b"), -1};
  if (in_at(n, 6) >= 0) { /* C's scale: a_scale x b_scale, per column */
    float *cs = malloc((size_t)nb * sizeof *cs);
    ALWAYS_ASSERT(cs != NULL);
    for (int64_t k = 0; k < nb; k++) cs[k] = ((const float *)as->data)[0] * ((const float *)bs->data)[k];
    char name[300];
    snprintf(name, sizeof name, "%s_c_scale", base_name(n));
    ir_type t = {.dtype = IR_F32, .rank = nb > 1 ? 1 : 0, .dims = {nb}};
    int c_s = ir_add_const(g, name, &t, cs);
    in[2] = dq_at(g, i, n, n->in[6], c_s, -1, nb > 1 ? 0 : -1, "c");
  }
  if (in_at(n, 7) >= 0) {
    int yz = in_at(n, 8) >= 0 ? n->in[8] : zero_like(g, n, in_at(n, 2));
    float_then_quant(g, i, n, IR_OP_Gemm, in, in[2] >= 0 ? 3 : 2, n->in[7], yz, "alpha transA transB ");
    return IR_OK;
  }
  /* a float output: n itself becomes the Gemm */
  ir_set_inputs(n, in, in[2] >= 0 ? 3 : 2);
  for (int k = n->n_attr - 1; k >= 0; k--)
    if (strcmp(n->attr[k].name, "alpha") && strcmp(n->attr[k].name, "transA") && strcmp(n->attr[k].name, "transB"))
      ir_del_attr(n, n->attr[k].name);
  ir_set_op(n, IR_OP_Gemm);
  return IR_OK;
}

/* Operators that only move values (each output element is one input element, or the padding
 * a max pool never picks), so that they commute with quantization. */
static int moves_values(const ir_node *n) {
  switch (n->op) {
  case IR_OP_MaxPool: return n->n_out == 1 || (n->n_out == 2 && n->out[1] < 0);
  case IR_OP_Reshape:
  case IR_OP_Flatten:
  case IR_OP_Transpose:
  case IR_OP_Squeeze:
  case IR_OP_Unsqueeze:
  case IR_OP_Identity:
  case IR_OP_DepthToSpace:
  case IR_OP_SpaceToDepth:
  case IR_OP_Slice: return n->n_out == 1;
  default: return 0;
  }
}

/* The scale and zero point (-1: none) with which integer tensor t was made: those of the
 * QuantizeLinear, QLinearConv or QLinearMatMul that made it, through value-moving operators.
 * 0 if t is not such a tensor. */
static int int_qparams(const ir_graph *g, int t, int *s, int *z) {
  for (int depth = 0; depth < 256 && t >= 0; depth++) {
    const ir_node *p = ir_producer(g, t, NULL);
    if (!p) return 0;
    if (p->op == IR_OP_QuantizeLinear && p->n_in >= 2 && p->in[1] >= 0) {
      *s = p->in[1], *z = in_at(p, 2);
      return 1;
    }
    if ((p->op == IR_OP_QLinearConv || p->op == IR_OP_QLinearMatMul) && p->n_in >= 7 && p->in[6] >= 0) {
      *s = p->in[6], *z = in_at(p, 7);
      return 1;
    }
    if (!moves_values(p) || p->out[0] != t) return 0;
    t = p->in[0];
  }
  return 0;
}

/* A value-moving operator on a quantized integer tensor (the QOperator format's MaxPool,
 * Flatten, Reshape on uint8 between QLinear nodes) -> DequantizeLinear, the operator in float,
 * QuantizeLinear with the same scale and zero point: exact, as it moves values only, and it
 * leaves Q -> DQ pairs that the compiler's quantized-model import cancels. Node *i, which moves
 * to the float operator's place (the new Q follows it). */
static void int_move_to_float(ir_graph *g, int *i, int s, int z) {
  ir_node *n = g->nodes[*i];
  int x = dq_at(g, i, n, n->in[0], s, z, -1, "x");
  char name[300];
  snprintf(name, sizeof name, "%s_float", base_name(n));
  int f = ir_add_tensor(g, name, NULL), yq = n->out[0];
  n->in[0] = x, n->out[0] = f;
  snprintf(name, sizeof name, "%s_quant", base_name(n));
  ir_add_node(g, IR_OP_QuantizeLinear, name, (int[]){f, s, z}, z >= 0 ? 3 : 2, &yq, 1);
  ir_move_last_node(g, *i + 1);
}

/* The activation node of onnxruntime's fused ops (attribute activation, its parameters in
 * activation_params or activation_alpha / _beta), from f to y, inserted at *i. */
static int fused_activation(ir_graph *g, int *i, ir_node *n, int f, int y, char *err, size_t errlen) {
  const char *act = ir_attr_string(n, "activation", "");
  int cnt = 0;
  const float *pv = ir_attr_floats(n, "activation_params", &cnt);
  float p0 = cnt > 0 ? pv[0] : ir_attr_float(n, "activation_alpha", 0), p1 = cnt > 1 ? pv[1] : ir_attr_float(n, "activation_beta", 0);
  ir_op op = !strcmp(act, "Relu") ? IR_OP_Relu : !strcmp(act, "Sigmoid") ? IR_OP_Sigmoid : !strcmp(act, "Tanh") ? IR_OP_Tanh
           : !strcmp(act, "LeakyRelu") ? IR_OP_LeakyRelu : !strcmp(act, "HardSigmoid") ? IR_OP_HardSigmoid
           : !strcmp(act, "Clip") ? IR_OP_Clip : IR_OP_UNKNOWN;
  if (op == IR_OP_UNKNOWN)
    return ir_node_err(g, n, err, errlen, "activation '%s' not supported (Relu, Sigmoid, Tanh, LeakyRelu, HardSigmoid, "
                                          "Clip)", act),
           IR_UNSUPPORTED;
  int in[3] = {f, -1, -1}, nin = 1;
  char name[300];
  if (op == IR_OP_Clip) { /* min, max as inputs (opset 11's form) */
    if (cnt < 2 && !ir_get_attr(n, "activation_params"))
      return ir_node_err(g, n, err, errlen, "Clip activation without activation_params (min, max)");
    for (int k = 0; k < 2; k++) {
      snprintf(name, sizeof name, "%s_clip_%s", base_name(n), k ? "max" : "min");
      float *v = malloc(sizeof *v);
      ALWAYS_ASSERT(v != NULL);
      *v = k ? p1 : p0;
      in[1 + k] = ir_add_const(g, name, &(ir_type){.dtype = IR_F32, .rank = 0}, v);
    }
    nin = 3;
  }
  snprintf(name, sizeof name, "%s_%s", base_name(n), act);
  ir_node *a = ir_add_node(g, op, name, in, nin, &y, 1);
  if (op == IR_OP_LeakyRelu) ir_set_attr_float(a, "alpha", cnt > 0 || ir_get_attr(n, "activation_alpha") ? p0 : 0.01f);
  if (op == IR_OP_HardSigmoid) {
    ir_set_attr_float(a, "alpha", cnt > 0 || ir_get_attr(n, "activation_alpha") ? p0 : 0.2f);
    ir_set_attr_float(a, "beta", cnt > 1 || ir_get_attr(n, "activation_beta") ? p1 : 0.5f);
  }
  ir_move_last_node(g, *i + 1);
  return IR_OK;
}

/* FusedConv (X, W, [B], [Z]): activation(Conv(X, W, B) + Z); FusedGemm (A, B, [C]):
 * activation(Gemm). n (at *i) becomes the Conv / Gemm, then [Add Z], then the activation. */
static int fused(ir_graph *g, int *i, ir_node *n, int conv, char *err, size_t errlen) {
  if (n->n_out != 1 || n->n_in < 2 || n->n_in > (conv ? 4 : 3) || n->in[0] < 0 || n->in[1] < 0)
    return ir_node_err(g, n, err, errlen, conv ? "expected inputs X, W, [B], [Z]" : "expected inputs A, B, [C]");
  char name[300];
  snprintf(name, sizeof name, "%s_linear", base_name(n));
  int y = n->out[0], f = ir_add_tensor(g, name, NULL), z = conv ? in_at(n, 3) : -1;
  if (z >= 0) { /* the sum input: Conv -> f, Add(f, Z) -> s */
    snprintf(name, sizeof name, "%s_sum", base_name(n));
    int s = ir_add_tensor(g, name, NULL);
    ir_add_node(g, IR_OP_Add, name, (int[]){f, z}, 2, &s, 1);
    ir_move_last_node(g, *i + 1);
    int rc = fused_activation(g, &(int){*i + 1}, n, s, y, err, errlen);
    if (rc) return rc;
  } else {
    int rc = fused_activation(g, i, n, f, y, err, errlen);
    if (rc) return rc;
  }
  n->out[0] = f;
  if (z >= 0) n->n_in = 3;
  static const char *drop[] = {"activation", "activation_params", "activation_alpha", "activation_beta",
                               "activation_gamma"};
  for (size_t k = 0; k < sizeof drop / sizeof drop[0]; k++) ir_del_attr(n, drop[k]);
  ir_set_op(n, conv ? IR_OP_Conv : IR_OP_Gemm);
  return IR_OK;
}

int ir_expand_contrib(ir_graph *g, char *err, size_t errlen) {
  int quantized = 0;
  for (int i = 0; i < g->n_nodes; i++) {
    ir_node *n = g->nodes[i];
    if (n->op != IR_OP_UNKNOWN || strncmp(n->op_name, CONTRIB, strlen(CONTRIB))) continue;
    const char *op = n->op_name + strlen(CONTRIB);
    quantized = 1;
    int rc = IR_OK;
    if (!strcmp(op, "QLinearAdd")) rc = binary(g, &i, n, IR_OP_Add, err, errlen);
    else if (!strcmp(op, "QLinearMul")) rc = binary(g, &i, n, IR_OP_Mul, err, errlen);
    else if (!strcmp(op, "QLinearLeakyRelu")) rc = unary(g, &i, n, IR_OP_LeakyRelu, "alpha ", err, errlen);
    else if (!strcmp(op, "QLinearSigmoid")) rc = unary(g, &i, n, IR_OP_Sigmoid, "", err, errlen);
    else if (!strcmp(op, "QLinearGlobalAveragePool")) rc = unary(g, &i, n, IR_OP_GlobalAveragePool, "", err, errlen);
    else if (!strcmp(op, "QLinearAveragePool"))
      rc = unary(g, &i, n, IR_OP_AveragePool, "auto_pad ceil_mode count_include_pad kernel_shape pads strides ", err,
                 errlen);
    else if (!strcmp(op, "QLinearConcat")) rc = concat(g, &i, n, err, errlen);
    else if (!strcmp(op, "QGemm")) rc = qgemm(g, &i, n, err, errlen);
    else if (!strcmp(op, "FusedConv")) rc = fused(g, &i, n, 1, err, errlen);
    else if (!strcmp(op, "FusedGemm")) rc = fused(g, &i, n, 0, err, errlen);
    if (rc) return rc;
  }
  for (int i = 0; i < g->n_nodes; i++)
    quantized |= g->nodes[i]->op == IR_OP_QuantizeLinear || g->nodes[i]->op == IR_OP_QLinearConv ||
                 g->nodes[i]->op == IR_OP_QLinearMatMul;
  for (int i = 0; quantized && i < g->n_nodes; i++) {
    int s, z;
    if (moves_values(g->nodes[i]) && g->nodes[i]->in[0] >= 0 && int_qparams(g, g->nodes[i]->in[0], &s, &z))
      int_move_to_float(g, &i, s, z), i++; /* past the new QuantizeLinear */
  }
  return IR_OK;
}
