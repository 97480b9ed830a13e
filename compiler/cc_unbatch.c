/* compiler/cc_unbatch.c -- the unbatch pass: a model exported with a fixed batch N > 1
 * (torch.onnx.export of a [N, C, H, W] example without dynamic_axes) becomes the same model for
 * one sample, when the graph keeps its samples apart. The accelerator runs one inference at a
 * time; `dlvta run` and the Python API run an (N, ...) array as N inferences and stack the
 * outputs, which is then exactly the exported model's result.
 *
 * Keeping the samples apart is proved, not assumed: every tensor gets the axis its batch is on
 * (or none: constants and what only they make), node by node, by rules that hold only for ops
 * whose output for sample n depends on sample n alone (convolutions, pools, per-sample
 * normalizations, element-wise ops, reductions and softmaxes over other axes, reshapes that keep
 * the batch an axis of its own, transposes, concats, slices, gathers ...). Anything else (a
 * reduction over the batch, a reshape that merges it with another axis, an op not in the rules)
 * leaves the graph as it is, and the compile's note says which node stopped it.
 *
 * The rewrite, on a copy that replaces the graph only when its outputs come out right: the
 * inputs' batch becomes 1; reshape-like nodes get explicit one-sample targets; Expand and Resize
 * targets of the batch axis 1; constants that carry one identical slice per sample (a folded
 * expand of a class token) are cut to one slice; then every type is inferred again. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cc.h"
#include "cc_internal.h"
#include "util.h"

static void *xmalloc(size_t n) {
  void *p = malloc(n ? n : 1);
  ALWAYS_ASSERT(p != NULL);
  return p;
}

/* What the rewrite does to one node input (or, slot -1, to the node). */
enum { ACT_CUT, ACT_RESHAPE, ACT_EXPAND, ACT_SIZES };
typedef struct ub_act {
  int node, slot, axis, kind;
} ub_act;

typedef struct ub {
  ir_graph *g;
  int64_t N;
  signed char *ax; /* [n_tensors] the batch's axis, -1: none */
  ub_act *act;
  int n_act, cap_act;
  char why[320];
} ub;

static int fail(ub *u, const ir_node *n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(ub *u, const ir_node *n, const char *fmt, ...) {
  char what[160];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(what, sizeof what, fmt, ap);
  va_end(ap);
  snprintf(u->why, sizeof u->why, "node '%s' (%s) %s", cc_node_label(u->g, n), n->op_name, what);
  return -1;
}

static void add_act(ub *u, int node, int slot, int axis, int kind) {
  if (u->n_act == u->cap_act) {
    u->cap_act = u->cap_act ? 2 * u->cap_act : 16;
    u->act = realloc(u->act, (size_t)u->cap_act * sizeof *u->act);
    ALWAYS_ASSERT(u->act != NULL);
  }
  u->act[u->n_act++] = (ub_act){node, slot, axis, kind};
}

static int bax(const ub *u, int t) { return t >= 0 ? u->ax[t] : -1; }

/* 1 if constant tensor t holds the same slice at every index of axis a (extent N). */
static int same_slices(const ir_tensor *t, int a) {
  if (!t->data) return 0;
  size_t es = ir_dtype_size(t->type.dtype), inner = es;
  int64_t outer = 1, N = t->type.dims[a];
  for (int i = 0; i < a; i++) outer *= t->type.dims[i];
  for (int i = a + 1; i < t->type.rank; i++) inner *= (size_t)t->type.dims[i];
  const char *p = t->data;
  for (int64_t o = 0; o < outer; o++)
    for (int64_t k = 1; k < N; k++)
      if (memcmp(p + ((size_t)o * (size_t)N + (size_t)k) * inner, p + (size_t)o * (size_t)N * inner, inner)) return 0;
  return 1;
}

/* An operand without a batch aligned (numpy broadcast) with output axis ob of a rank-r result:
 * fine when its extent there is 1 or absent; a constant with N identical slices there is cut to
 * one (recorded); anything else differs per sample. 0 or -1. */
static int unbatched_operand(ub *u, const ir_node *n, int i, int slot, int ob, int r) {
  const ir_tensor *t = u->g->tensors[n->in[slot]];
  int a = ob - (r - t->type.rank);
  if (a < 0 || t->type.dims[a] == 1) return 0;
  if (!cc_is_const(u->g, n->in[slot]) || !same_slices(t, a))
    return fail(u, n, "gives the samples different values of '%s' (an operand that is not batched has the batch's extent)",
                t->name);
  add_act(u, i, slot, a, ACT_CUT);
  return 0;
}

/* Element-wise with numpy broadcasting over inputs [0, n_in): the output axis of the batch. */
static int broadcast(ub *u, const ir_node *n, int i) {
  int r = u->g->tensors[n->out[0]]->type.rank, ob = -1;
  for (int k = 0; k < n->n_in; k++) {
    int b = bax(u, n->in[k]);
    if (b < 0) continue;
    int o = b + r - u->g->tensors[n->in[k]]->type.rank;
    if (ob >= 0 && o != ob) return fail(u, n, "lines up the batches of its operands on different axes");
    ob = o;
  }
  for (int k = 0; k < n->n_in; k++)
    if (n->in[k] >= 0 && bax(u, n->in[k]) < 0 && unbatched_operand(u, n, i, k, ob, r)) return -1;
  return ob;
}

/* Ops that take the batch on axis 0 of input 0 and keep it there; their other inputs (weights,
 * scales, a grid sampled per sample) are not batched or batched on axis 0 too (grid). */
static int per_sample(ub *u, const ir_node *n, int i, int also_batched) {
  if (bax(u, n->in[0]) != 0) return fail(u, n, "has its batch off axis 0");
  for (int k = 1; k < n->n_in; k++) {
    if (n->in[k] < 0) continue;
    int b = bax(u, n->in[k]);
    if (b >= 0 && !(k == also_batched && b == 0)) return fail(u, n, "takes a batched operand '%s' as weights", u->g->tensors[n->in[k]]->name);
    if (b < 0 && k == also_batched && unbatched_operand(u, n, i, k, 0, u->g->tensors[n->in[k]]->type.rank)) return -1;
  }
  return 0;
}

/* A reshape-like node (Reshape, Flatten, Squeeze, Unsqueeze): the output axis that holds input
 * axis b with the same extent and the same elements before it, or -1 (the batch merged). */
static int reshape_axis(const ir_type *in, int b, const ir_type *out) {
  int64_t pre = 1, acc = 1;
  for (int k = 0; k < b; k++) pre *= in->dims[k];
  for (int j = 0; j < out->rank && acc <= pre; j++) {
    if (acc == pre && out->dims[j] == in->dims[b]) return j;
    acc *= out->dims[j];
  }
  return -1;
}

static int norm_axis(int64_t a, int r) { return (int)(a < 0 ? a + r : a); }

/* MatMul-like (A at slot a, B at slot b): the batch on a broadcast axis of both, or on A's rows. */
static int matmul_axis(ub *u, const ir_node *n, int i, int sa, int sb) {
  const ir_type *ta = &u->g->tensors[n->in[sa]]->type, *tb = &u->g->tensors[n->in[sb]]->type;
  int r = u->g->tensors[n->out[0]]->type.rank, ba = bax(u, n->in[sa]), bb = bax(u, n->in[sb]);
  if (ta->rank < 2 || tb->rank < 2) return fail(u, n, "multiplies a batched vector");
  if ((ba >= 0 && ba == ta->rank - 1) || (bb >= 0 && bb >= tb->rank - 2))
    return fail(u, n, "contracts or spreads the batch over its matrix axes");
  int oa = ba >= 0 ? ba + r - ta->rank : -1, ob = bb >= 0 ? bb + r - tb->rank : -1;
  if (oa >= 0 && ob >= 0 && oa != ob) return fail(u, n, "lines up the batches of its operands on different axes");
  int o = oa >= 0 ? oa : ob;
  if (o == r - 2 && ob >= 0) return fail(u, n, "contracts or spreads the batch over its matrix axes");
  if (o < r - 2) { /* a broadcast axis: the operand without the batch must not have N there */
    int s = ba < 0 ? sa : bb < 0 ? sb : -1;
    if (s >= 0 && unbatched_operand(u, n, i, s, o, r)) return -1;
  }
  return o;
}

/* Reductions, arg-reductions and ops along one axis: the batch must not be among the axes (mark);
 * with keepdims 0 the reduced axes before it drop out. */
static int reduce_axis(ub *u, const ir_node *n, int b, const char *mark, int keep) {
  if (mark[b]) return fail(u, n, "reduces or runs along the batch axis");
  int o = b;
  for (int k = 0; k < b && !keep; k++) o -= mark[k] != 0;
  return o;
}

/* Reshape-like nodes, Transpose, Concat, Split, Slice, Pad, Gather, Expand, Tile, Resize: the
 * output axis of the batch, or -1 (u->why says why). */
static int layout_axis(ub *u, int i, int b, const ir_type *const *ti, const void *const *di) {
  const ir_node *n = u->g->nodes[i];
  const ir_type *x = ti[0], *y = &u->g->tensors[n->out[0]]->type;
  int r = x->rank;
  int64_t v[2 * IR_MAX_DIMS], st[IR_MAX_DIMS], len[IR_MAX_DIMS];
  double sc[IR_MAX_DIMS];
  char e[256];
  switch (n->op) {
  case IR_OP_Reshape:
  case IR_OP_Flatten:
  case IR_OP_Squeeze:
  case IR_OP_Unsqueeze: {
    int o = reshape_axis(x, b, y);
    if (o < 0) return fail(u, n, "merges the batch with other axes (%s)", "its output has no axis of the batch alone");
    add_act(u, i, -1, o, ACT_RESHAPE);
    return o;
  }
  case IR_OP_Transpose: {
    int cnt = 0;
    const int64_t *perm = ir_attr_ints(n, "perm", &cnt);
    for (int k = 0; k < r; k++)
      if ((perm && cnt == r ? perm[k] : r - 1 - k) == b) return k;
    return fail(u, n, "has a perm without the batch axis");
  }
  case IR_OP_Concat: {
    if (norm_axis(ir_attr_int(n, "axis", 0), r) == b) return fail(u, n, "joins along the batch axis");
    for (int k = 0; k < n->n_in; k++) {
      int bk = bax(u, n->in[k]);
      if (bk >= 0 && bk != b) return fail(u, n, "joins inputs with their batches on different axes");
      if (bk < 0 && unbatched_operand(u, n, i, k, b, r)) return -1;
    }
    return b;
  }
  case IR_OP_Split:
  case IR_OP_CumSum:
  case IR_OP_LpNormalization:
  case IR_OP_TopK: {
    int64_t a = n->op == IR_OP_Split ? ir_attr_int(n, "axis", 0) : ir_attr_int(n, "axis", -1);
    if (n->op == IR_OP_CumSum) a = n->n_in > 1 && di[1] ? (int64_t)ir_get_elem(ti[1]->dtype, di[1], 0) : b;
    if (norm_axis(a, r) == b) return fail(u, n, "splits or runs along the batch axis");
    for (int k = 1; k < n->n_in; k++)
      if (bax(u, n->in[k]) >= 0) return fail(u, n, "takes a batched parameter");
    return b;
  }
  case IR_OP_Slice:
    if (ir_slice_geometry(u->g, n, ti, di, st, v, len, e, sizeof e) != IR_OK) return fail(u, n, "has a slice that is not constant");
    if (st[b] != 0 || v[b] != 1 || len[b] != u->N) return fail(u, n, "takes a part of the batch");
    return b;
  case IR_OP_Pad:
    if (ir_pad_amounts(u->g, n, ti, di, r, v, e, sizeof e) != IR_OK) return fail(u, n, "has pads that are not constant");
    if (v[b] || v[b + r]) return fail(u, n, "pads the batch axis");
    return b;
  case IR_OP_Tile:
    if (n->n_in < 2 || !di[1] || ir_get_elem(ti[1]->dtype, di[1], b) != 1) return fail(u, n, "repeats the batch");
    return b;
  case IR_OP_Resize:
    if (ir_resize_geometry(u->g, n, ti, di, len, sc, e, sizeof e) != IR_OK || len[b] != u->N)
      return fail(u, n, "resizes the batch axis");
    if (n->n_in > 3 && n->in[3] >= 0) add_act(u, i, 3, b, ACT_SIZES);
    return b;
  default: break;
  }
  return fail(u, n, "is not known to keep the samples apart");
}

/* Gather and Expand, where the operand without a batch may make one. */
static int gather_expand_axis(ub *u, int i, const ir_type *const *ti) {
  const ir_node *n = u->g->nodes[i];
  int b0 = bax(u, n->in[0]), b1 = bax(u, n->in[1]), r = ti[0]->rank, ro = u->g->tensors[n->out[0]]->type.rank;
  if (n->op == IR_OP_Gather) {
    int a = norm_axis(ir_attr_int(n, "axis", 0), r), q = ti[1]->rank;
    if (b0 >= 0 && b1 >= 0) return fail(u, n, "gathers batched data by batched indices");
    if (b1 >= 0) return a + b1; /* an embedding lookup per sample */
    if (b0 == a) return fail(u, n, "gathers along the batch axis");
    return b0 < a ? b0 : b0 + q - 1;
  }
  /* Expand: the target's entry of the batch axis (N or 1) becomes 1 */
  if (b1 >= 0) return fail(u, n, "takes a batched shape");
  const ir_type *y = &u->g->tensors[n->out[0]]->type;
  int o = b0 >= 0 ? b0 + ro - r : -1;
  if (o < 0) { /* an operand replicated over the batch (a class token): uniform, so batched */
    if (y->dims[0] != u->N || (r == ro && ti[0]->dims[0] != 1)) return -2;
    o = 0;
  }
  add_act(u, i, 1, o - (ro - ti[1]->dims[0]), ACT_EXPAND);
  return o;
}

static int softmax_like(const ir_op op) {
  return op == IR_OP_Softmax || op == IR_OP_LogSoftmax || op == IR_OP_Hardmax || op == IR_OP_LayerNormalization ||
         op == IR_OP_RMSNormalization;
}

/* Ops computing each output element from the elements at the same index (with broadcasting). */
static int elementwise(ir_op op) {
  static const ir_op ops[] = {
      IR_OP_Relu,     IR_OP_Clip,       IR_OP_Sigmoid,  IR_OP_Add,       IR_OP_Sub,      IR_OP_Mul,     IR_OP_Div,
      IR_OP_Tanh,     IR_OP_Erf,        IR_OP_Exp,      IR_OP_Log,       IR_OP_Sqrt,     IR_OP_Reciprocal,
      IR_OP_Neg,      IR_OP_Abs,        IR_OP_Floor,    IR_OP_Ceil,      IR_OP_Round,    IR_OP_Sign,    IR_OP_HardSigmoid,
      IR_OP_HardSwish, IR_OP_LeakyRelu, IR_OP_Elu,      IR_OP_Softplus,  IR_OP_Gelu,     IR_OP_PRelu,   IR_OP_Pow,
      IR_OP_Mod,      IR_OP_Sum,        IR_OP_Mean,     IR_OP_Min,       IR_OP_Max,      IR_OP_Equal,   IR_OP_Less,
      IR_OP_Greater,  IR_OP_GreaterOrEqual, IR_OP_LessOrEqual, IR_OP_And,  IR_OP_Or,       IR_OP_Xor,     IR_OP_Not,
      IR_OP_Where,    IR_OP_Selu,       IR_OP_Celu,     IR_OP_ThresholdedRelu, IR_OP_Softsign, IR_OP_Mish, IR_OP_Swish,
      IR_OP_Sin,      IR_OP_Cos,        IR_OP_Tan,      IR_OP_Asin,      IR_OP_Acos,     IR_OP_Atan,    IR_OP_Sinh,
      IR_OP_Cosh,     IR_OP_Asinh,      IR_OP_Acosh,    IR_OP_Atanh,     IR_OP_Shrink,   IR_OP_IsNaN,   IR_OP_IsInf,
      IR_OP_Cast,     IR_OP_CastLike,   IR_OP_Identity, IR_OP_Dropout,
  };
  for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++)
    if (ops[k] == op) return 1;
  return 0;
}

/* The output axis of node i's batch (its inputs have theirs), -1 with u->why set, or -2: none. */
static int node_axis(ub *u, int i) {
  const ir_node *n = u->g->nodes[i];
  const ir_type *ti[IR_VARIADIC + 1] = {0};
  const void *di[IR_VARIADIC + 1] = {0};
  ir_node_operands(u->g, n, IR_VARIADIC + 1, ti, di);
  int b = bax(u, n->in[0]), r = ti[0] ? ti[0]->rank : 0;
  char mark[IR_MAX_DIMS] = {0}, e[256];
  if (elementwise(n->op)) return broadcast(u, n, i);
  switch (n->op) {
  case IR_OP_QuantizeLinear:
  case IR_OP_DequantizeLinear:
    if (b < 0 || bax(u, n->in[1]) >= 0 || (n->n_in > 2 && bax(u, n->in[2]) >= 0) ||
        (ti[1] && ir_type_numel(ti[1]) > 1 && norm_axis(ir_attr_int(n, "axis", 1), r) == b))
      return fail(u, n, "quantizes per sample");
    return b;
  case IR_OP_Conv: case IR_OP_ConvTranspose: case IR_OP_AveragePool: case IR_OP_GlobalAveragePool:
  case IR_OP_GlobalMaxPool: case IR_OP_InstanceNormalization: case IR_OP_LRN: case IR_OP_DepthToSpace:
  case IR_OP_SpaceToDepth: case IR_OP_QLinearConv: case IR_OP_ConvInteger: case IR_OP_GroupNormalization:
  case IR_OP_GridSample:
    return per_sample(u, n, i, n->op == IR_OP_GridSample ? 1 : -1) ? -1 : 0;
  case IR_OP_MaxPool:
  case IR_OP_BatchNormalization:
    if (n->n_out > 1 && n->out[1] >= 0) return fail(u, n, "has outputs over the whole batch (indices, statistics)");
    return per_sample(u, n, i, -1) ? -1 : 0;
  case IR_OP_Gemm: {
    int want = ir_attr_int(n, "transA", 0) ? 1 : 0;
    if (b != want || bax(u, n->in[1]) >= 0) return fail(u, n, "contracts over the batch");
    if (n->n_in > 2 && n->in[2] >= 0 && unbatched_operand(u, n, i, 2, 0, 2)) return -1;
    return 0;
  }
  case IR_OP_MatMul:
  case IR_OP_MatMulInteger:
    return matmul_axis(u, n, i, 0, 1);
  case IR_OP_QLinearMatMul:
    return matmul_axis(u, n, i, 0, 3);
  case IR_OP_Gather:
  case IR_OP_Expand:
    return gather_expand_axis(u, i, ti);
  case IR_OP_ReduceMean: case IR_OP_ReduceSum: case IR_OP_ReduceMax: case IR_OP_ReduceMin: case IR_OP_ReduceL1:
  case IR_OP_ReduceL2: case IR_OP_ReduceSumSquare: case IR_OP_ReduceLogSumExp: case IR_OP_ReduceProd:
  case IR_OP_ReduceLogSum:
    if (ir_reduce_axes(u->g, n, ti, di, r, mark, e, sizeof e) != IR_OK) return fail(u, n, "has axes that are not constant");
    return reduce_axis(u, n, b, mark, (int)ir_attr_int(n, "keepdims", 1));
  case IR_OP_MeanVarianceNormalization:
    if (ir_mvn_axes(u->g, n, r, mark, e, sizeof e) != IR_OK) return fail(u, n, "has bad axes");
    return reduce_axis(u, n, b, mark, 1);
  case IR_OP_ArgMax:
  case IR_OP_ArgMin: {
    int a = norm_axis(ir_attr_int(n, "axis", 0), r);
    if (a < 0 || a >= r) return fail(u, n, "has an axis out of range");
    mark[a] = 1;
    return reduce_axis(u, n, b, mark, (int)ir_attr_int(n, "keepdims", 1));
  }
  case IR_OP_Trilu:
    return b < r - 2 ? b : fail(u, n, "takes the batch as a matrix axis");
  default: break;
  }
  if (softmax_like(n->op)) {
    int old = u->g->opset < 13 && (n->op == IR_OP_Softmax || n->op == IR_OP_LogSoftmax || n->op == IR_OP_Hardmax);
    int a = norm_axis(ir_attr_int(n, "axis", old ? 1 : -1), r);
    for (int k = 1; k < n->n_in; k++)
      if (bax(u, n->in[k]) >= 0) return fail(u, n, "takes a batched parameter");
    if ((n->op == IR_OP_LayerNormalization || n->op == IR_OP_RMSNormalization || old) ? a <= b : a == b)
      return fail(u, n, "normalizes over the batch axis");
    return b;
  }
  for (int k = 1; k < n->n_in && n->op == IR_OP_Concat && b < 0; k++) b = bax(u, n->in[k]);
  if (b < 0) return fail(u, n, "takes its batch in an operand other than the first");
  return layout_axis(u, i, b, ti, di);
}

/* A new constant like tensor t with entry k of its (1-D) data set to 1. */
static int one_at(ir_graph *g, int t, int64_t k) {
  const ir_tensor *s = g->tensors[t];
  size_t bytes = (size_t)ir_type_numel(&s->type) * ir_dtype_size(s->type.dtype);
  void *d = xmalloc(bytes + 1);
  memcpy(d, s->data, bytes);
  ir_set_elem(s->type.dtype, d, k, 1);
  return ir_add_const(g, s->name, &s->type, d);
}

/* A new constant: tensor t's first slice along axis a. */
static int first_slice(ir_graph *g, int t, int a) {
  const ir_tensor *s = g->tensors[t];
  ir_type ty = s->type;
  size_t inner = ir_dtype_size(ty.dtype);
  int64_t outer = 1, N = ty.dims[a];
  for (int k = 0; k < a; k++) outer *= ty.dims[k];
  for (int k = a + 1; k < ty.rank; k++) inner *= (size_t)ty.dims[k];
  ty.dims[a] = 1;
  char *d = xmalloc((size_t)outer * inner + 1);
  for (int64_t o = 0; o < outer; o++) memcpy(d + (size_t)o * inner, (const char *)s->data + (size_t)o * (size_t)N * inner, inner);
  return ir_add_const(g, s->name, &ty, d);
}

/* The recorded rewrites on c (a copy of u->g, same indices). */
static void apply(ub *u, ir_graph *c) {
  for (int k = 0; k < u->n_act; k++) {
    ub_act a = u->act[k];
    ir_node *n = c->nodes[a.node];
    if (a.kind == ACT_CUT) n->in[a.slot] = first_slice(c, n->in[a.slot], a.axis);
    else if ((a.kind == ACT_EXPAND || a.kind == ACT_SIZES) && a.axis >= 0 && cc_is_const(c, n->in[a.slot]))
      n->in[a.slot] = one_at(c, n->in[a.slot], a.axis);
    else if (a.kind == ACT_RESHAPE) {
      const ir_type *y = &c->tensors[n->out[0]]->type;
      ir_type st = {.dtype = IR_I64, .rank = 1, .dims = {y->rank}};
      int64_t *d = xmalloc(sizeof(int64_t) * (size_t)(y->rank + 1)), zero = 0;
      for (int j = 0; j < y->rank; j++) d[j] = j == a.axis ? 1 : y->dims[j], zero |= d[j] == 0;
      int in[2] = {n->in[0], ir_add_const(c, c->tensors[n->out[0]]->name, &st, d)};
      ir_set_op(n, IR_OP_Reshape);
      ir_clear_attrs(n);
      if (zero) ir_set_attr_int(n, "allowzero", 1);
      ir_set_inputs(n, in, 2);
    }
  }
  for (int i = 0; i < c->n_inputs; i++) c->tensors[c->inputs[i]]->type.dims[0] = 1;
  for (int t = 0; t < c->n_tensors; t++) {
    ir_tensor *x = c->tensors[t];
    if (x->data || ir_is_graph_input(c, t)) continue;
    x->type.dtype = IR_UNDEF, x->type.rank = -1;
    for (int j = 0; j < IR_MAX_DIMS; j++) {
      x->type.dims[j] = -1;
      free(x->dim_param[j]);
      x->dim_param[j] = NULL;
    }
  }
}

/* The batch every runtime input has on axis 0 (> 1), or 0. Inputs of rank 2 ([N, features]: an
 * MLP) keep theirs: channels-last runs their rows as the pixels of one pass, each weight loaded
 * once, where N one-row inferences would load every weight N times. */
static int64_t common_batch(const ir_graph *g) {
  int64_t N = 0;
  for (int i = 0; i < g->n_inputs; i++) {
    const ir_type *t = &g->tensors[g->inputs[i]]->type;
    if (t->rank < 3 || t->dims[0] < 2 || (N && t->dims[0] != N)) return 0;
    N = t->dims[0];
  }
  return N;
}

/* Every batched tensor of c (rewritten) has g's shape with 1 on its batch axis. */
static int shapes_follow(const ub *u, const ir_graph *c) {
  for (int t = 0; t < u->g->n_tensors; t++) {
    if (u->ax[t] < 0) continue;
    const ir_type *a = &u->g->tensors[t]->type, *b = &c->tensors[t]->type;
    if (a->rank != b->rank) return 0;
    for (int j = 0; j < a->rank; j++)
      if (b->dims[j] != (j == u->ax[t] ? 1 : a->dims[j])) return 0;
  }
  return 1;
}

/* Proves node by node that the graph keeps its samples apart (u->why: the node that does not). */
static int analyse(ub *u) {
  ir_graph *g = u->g;
  for (int i = 0; i < g->n_inputs; i++) u->ax[g->inputs[i]] = 0;
  for (int i = 0; i < g->n_nodes; i++) {
    const ir_node *n = g->nodes[i];
    if (n->dead) continue;
    int any = 0;
    for (int k = 0; k < n->n_in; k++) any |= bax(u, n->in[k]) >= 0;
    if (!any && n->op != IR_OP_Expand) continue;
    int o = node_axis(u, i);
    if (o == -1) return -1;
    for (int k = 0; k < n->n_out && o >= 0; k++)
      if (n->out[k] >= 0 && (!ir_type_known(&g->tensors[n->out[k]]->type) || o >= g->tensors[n->out[k]]->type.rank ||
                             g->tensors[n->out[k]]->type.dims[o] != u->N)) {
        fail(u, n, "has an output whose batch axis is not of the batch's extent");
        return -1;
      }
    for (int k = 0; k < n->n_out && o >= 0; k++)
      if (n->out[k] >= 0) u->ax[n->out[k]] = (signed char)o;
  }
  for (int i = 0; i < g->n_outputs; i++)
    if (u->ax[g->outputs[i]] != 0) {
      snprintf(u->why, sizeof u->why, "output '%s' %s", g->tensors[g->outputs[i]]->name,
               u->ax[g->outputs[i]] < 0 ? "does not depend on the inputs" : "has its batch off axis 0");
      return -1;
    }
  return 0;
}

int cc_unbatch(ir_graph *g, cc_ctx *cx, char *err, size_t errlen) {
  (void)err, (void)errlen;
  int64_t N = cx->cfg ? common_batch(g) : 0; /* the front end alone (dlvta reference) keeps the model's batch */
  if (!N) return IR_OK;
  ub u = {.g = g, .N = N, .ax = xmalloc((size_t)g->n_tensors + 1)};
  memset(u.ax, -1, (size_t)g->n_tensors + 1);
  int rc = analyse(&u);
  ir_graph *c = NULL;
  if (rc == 0) {
    c = ir_graph_clone(g);
    apply(&u, c);
    char why[512] = "a batched tensor's extents";
    cc_ctx front = {.o = cx->o};
    if (cc_shape_infer(c, &front, why, sizeof why) != IR_OK || !shapes_follow(&u, c)) {
      snprintf(u.why, sizeof u.why, "internal: the one-sample graph's shapes do not follow (%s)", why);
      rc = -1;
    }
  }
  if (rc == 0) {
    ir_graph t = *g;
    *g = *c, *c = t;
    cx->unbatched = N;
  } else {
    snprintf(cx->unbatch_why, sizeof cx->unbatch_why, "%s", u.why);
  }
  ir_graph_free(c);
  free(u.ax), free(u.act);
  return IR_OK;
}
