/* compiler/cc_lift.c -- the lift-1d pass: 1-D convolutional networks (Conv1d, MaxPool1d /
 * AvgPool1d, global pooling over [N, C, L], and what follows them: BatchNorm1d, pointwise
 * activations, elementwise arithmetic, Concat) run as their 2-D counterparts over [N, C, 1, L],
 * so that everything after this pass (BatchNorm folding, fusion, the partition, the back end)
 * sees the 2-D network it already maps onto the accelerator.
 *
 * A region starts at a seed (Conv with a rank-3 weight, MaxPool / AveragePool / global pooling of
 * a rank-3 activation) and grows forward, in topological order, through the nodes that read a
 * lifted tensor and act elementwise or per channel (table below). A lifted node reads the 4-D
 * twin of each rank-3 input (a Reshape [0, C, 1, L] made once per tensor when the producer was
 * not lifted; a constant operand gets a 4-D copy) and writes a 4-D twin of its output, from
 * which a Reshape [0, C, L] rebuilds the original tensor for any reader outside the region (dead
 * code otherwise, removed at the end). Reshape chains then fold (normalize-reshape, run again
 * here), so a lifted network is left with at most one Reshape at each end of a region. The pass
 * runs after fold-pad and reduce-to-pool (a 1-D model's explicit Pad and x.mean(2) are a Conv's
 * pads and a global pool by then) and before fold-affine and affine-to-conv, which then see 4-D
 * per-channel affines. Nothing else changes: the ONNX semantics of every
 * node are kept (the extra axis has extent 1).
 *
 * Also here, as they concern 1-D data: a Concat of pooled vectors becomes a Concat of the pooled
 * maps (concat_flat_vectors, at the end of this pass), and a Conv1d across a vector of channels
 * (ECA) a dense 1x1 conv (cc_channel_conv, which normalize-reshape runs). */
#include <stdlib.h>
#include <string.h>

#include "cc_internal.h"
#include "lower.h"
#include "util.h"

static void *xmalloc(size_t n) {
  void *p = malloc(n ? n : 1);
  ALWAYS_ASSERT(p != NULL);
  return p;
}

/* The 4-D twin of each tensor (-1: none), grown with the graph (cc_fit_ints). */
typedef struct twins {
  int *v, n;
} twins;

/* How a node of op may be lifted: a seed (a 1-D window or global pool), or pointwise (every
 * activation input broadcast elementwise or per channel, axis 1). */
enum { LIFT_NO, LIFT_SEED, LIFT_POINT, LIFT_CONCAT, LIFT_RESIZE };

static int lift_kind(ir_op op) {
  switch (op) {
  case IR_OP_Conv:
  case IR_OP_FusedConv: /* (qdq-import lifts a QDQ model's convs, which fuse met with weights not yet constant) */
  case IR_OP_MaxPool:
  case IR_OP_AveragePool:
  case IR_OP_GlobalAveragePool:
  case IR_OP_GlobalMaxPool:
    return LIFT_SEED;
  case IR_OP_Relu: case IR_OP_Clip: case IR_OP_LeakyRelu: case IR_OP_Sigmoid: case IR_OP_HardSigmoid:
  case IR_OP_HardSwish: case IR_OP_Tanh: case IR_OP_Elu: case IR_OP_Gelu: case IR_OP_Softplus: case IR_OP_Erf:
  case IR_OP_Exp: case IR_OP_Neg: case IR_OP_Abs: case IR_OP_Identity: case IR_OP_Dropout: case IR_OP_Selu:
  case IR_OP_Celu: case IR_OP_ThresholdedRelu: case IR_OP_Softsign: case IR_OP_Mish: case IR_OP_Swish:
  case IR_OP_Silu: case IR_OP_Log: case IR_OP_Sqrt: case IR_OP_Reciprocal: case IR_OP_Floor: case IR_OP_Ceil:
  case IR_OP_Round: case IR_OP_Sign: case IR_OP_Sin: case IR_OP_Cos: case IR_OP_Tan: case IR_OP_Asin: case IR_OP_Acos:
  case IR_OP_Atan: case IR_OP_Sinh: case IR_OP_Cosh: case IR_OP_Asinh: case IR_OP_Acosh: case IR_OP_Atanh: case IR_OP_Shrink:
  case IR_OP_BatchNormalization: case IR_OP_PRelu:
  case IR_OP_Add: case IR_OP_Sub: case IR_OP_Mul: case IR_OP_Div: case IR_OP_Max: case IR_OP_Min:
    return LIFT_POINT;
  case IR_OP_Concat:
    return LIFT_CONCAT;
  case IR_OP_Resize:
    return LIFT_RESIZE;
  default:
    return LIFT_NO;
  }
}

/* t is a rank-3 f32 activation with known channel and length extents. */
static int is_act3(const ir_graph *g, int t) {
  if (t < 0 || g->tensors[t]->data) return 0;
  const ir_type *ty = &g->tensors[t]->type;
  return ty->dtype == IR_F32 && ty->rank == 3 && ty->dims[1] > 0 && ty->dims[2] > 0;
}

/* The rank-4 type of rank-3 type t: [N, C, 1, L]. */
static ir_type lifted_type(const ir_type *t) {
  ir_type u = *t;
  u.rank = 4;
  u.dims[3] = t->dims[2], u.dims[2] = 1;
  return u;
}

/* Which inputs of node n are data operands (BatchNormalization's statistics, Clip's bounds and
 * Conv's bias are not: they stay as they are). */
static int is_operand(const ir_node *n, int k) {
  if (n->op == IR_OP_BatchNormalization || n->op == IR_OP_Clip) return k == 0;
  if (n->op == IR_OP_Conv || n->op == IR_OP_Resize) return k == 0;
  if (n->op == IR_OP_FusedConv) return k == 0 || k == 3; /* X and the residual */
  return 1;
}

/* Resize node n's roi, scales and sizes are absent or constants of one entry per axis (roi: two),
 * and it resizes over the axes it is given (no opset-18 axes, no crop by roi). */
static int resize_liftable(const ir_graph *g, const ir_node *n) {
  int na = 0;
  if (ir_attr_ints(n, "axes", &na) || !strcmp(ir_attr_string(n, "coordinate_transformation_mode", ""), "tf_crop_and_resize"))
    return 0;
  for (int k = 1; k < n->n_in; k++) {
    int t = n->in[k];
    if (t < 0) continue;
    const ir_tensor *T = g->tensors[t];
    int64_t cnt = ir_type_numel(&T->type);
    if (!T->data || T->type.rank != 1 || (cnt && cnt != (k == 1 ? 6 : 3))) return 0;
  }
  return 1;
}

/* A Resize's roi, scales or sizes constant t (one entry per axis of [N, C, L], roi's starts then
 * ends) for [N, C, 1, L]: the new axis resized by 1 (roi 0 to 1); an empty one as it is. */
static int lift_resize_vec(ir_graph *g, int t, const char *label) {
  const ir_tensor *T = g->tensors[t];
  int64_t cnt = ir_type_numel(&T->type), parts = cnt / 3;
  if (!cnt) return t;
  ir_type u = {.dtype = T->type.dtype, .rank = 1, .dims = {parts * 4}};
  size_t es = ir_dtype_size(T->type.dtype);
  char *d = xmalloc((size_t)(parts * 4) * es);
  for (int64_t p = 0; p < parts; p++) {
    const char *src = (const char *)T->data + (size_t)(p * 3) * es;
    char *dst = d + (size_t)(p * 4) * es;
    memcpy(dst, src, 2 * es), memcpy(dst + 3 * es, src + 2 * es, es);
    ir_set_elem(T->type.dtype, dst, 2, parts == 2 ? (double)p : 1.0); /* roi: start 0, end 1 */
  }
  char name[600];
  snprintf(name, sizeof name, "%s_%s_lift", T->name, label);
  return ir_add_const(g, name, &u, d);
}

/* Node n may be lifted: the seed's conditions, or a pointwise node reading at least one lifted
 * tensor (tw[t] >= 0) whose other operands are rank-3 activations or constants of rank <= 3. */
static int liftable(const ir_graph *g, const ir_node *n, const int *tw) {
  int kind = lift_kind(n->op);
  if (kind == LIFT_NO || n->n_in < 1 || !is_act3(g, n->in[0])) return 0;
  for (int k = 1; k < n->n_out; k++)
    if (n->out[k] >= 0 && ir_use_count(g, n->out[k]) > 0) return 0; /* Indices, Mask, running stats */
  if (g->tensors[n->out[0]]->type.rank != 3) return 0;
  if (kind == LIFT_RESIZE) return resize_liftable(g, n); /* a seed too: upsampling the model's input */
  int conv = n->op == IR_OP_Conv || n->op == IR_OP_FusedConv;
  if (n->op == IR_OP_FusedConv && n->n_in > 3 && n->in[3] >= 0 && tw[n->in[3]] < 0 && !is_act3(g, n->in[3])) return 0;
  if (kind == LIFT_SEED) return !conv || (n->in[1] >= 0 && g->tensors[n->in[1]]->data && g->tensors[n->in[1]]->type.rank == 3);
  /* a 1-D slope may be PRelu's legacy per-channel form (ir_prelu_channel_slope): left as it is */
  if (n->op == IR_OP_PRelu && g->tensors[n->in[1]]->type.rank == 1) return 0;
  int any = 0;
  for (int k = 0; k < n->n_in; k++) {
    int t = n->in[k];
    if (t < 0 || !is_operand(n, k)) continue;
    if (tw[t] >= 0) any = 1;
    else if (g->tensors[t]->data ? g->tensors[t]->type.rank > 3 : !is_act3(g, t)) return 0;
  }
  return any;
}

/* A 4-D copy of constant t of rank <= 3 (a leading 1 to rank 3, then a 1 at axis 2: a Conv1d
 * weight [M, C/g, K] becomes [M, C/g, 1, K]) for node label's use; not memoized, as other nodes
 * may read t as it is. */
static int lift_const(ir_graph *g, int t, const char *label) {
  const ir_tensor *T = g->tensors[t];
  int r = T->type.rank;
  int64_t d3[3];
  for (int j = 0; j < 3; j++) d3[j] = j < 3 - r ? 1 : T->type.dims[j - (3 - r)];
  ir_type u = {.dtype = T->type.dtype, .rank = 4, .dims = {d3[0], d3[1], 1, d3[2]}};
  size_t nb = (size_t)ir_type_numel(&T->type) * ir_dtype_size(T->type.dtype);
  void *data = xmalloc(nb);
  memcpy(data, T->data, nb);
  char name[600];
  snprintf(name, sizeof name, "%s_%s_lift", T->name, label);
  int c = ir_add_const(g, name, &u, data);
  /* a QDQ model's weights keep their scales (qdq-import lifts what it made constant): the axis
   * moves with the leading 1s and the new axis 2 */
  int ax = g->tensors[t]->quant ? g->tensors[t]->quant->axis + 3 - r : -1;
  cc_copy_quant(g, t, c, ax < 2 ? ax : ax + 1);
  return c;
}

/* The 4-D twin of tensor t (a rank-3 activation, made once; a constant operand: lift_const). */
static int twin_of(ir_graph *g, int t, int *tw, const char *label) {
  if (tw[t] >= 0) return tw[t];
  ir_tensor *T = g->tensors[t];
  if (T->data) return lift_const(g, t, label);
  char name[600];
  snprintf(name, sizeof name, "%s_lift", T->name);
  ir_type u = lifted_type(&T->type);
  int y = ir_add_tensor(g, name, &u);
  cc_copy_quant(g, t, y, -1);
  int64_t *shape = xmalloc(4 * sizeof *shape);
  shape[0] = 0, shape[1] = T->type.dims[1], shape[2] = 1, shape[3] = T->type.dims[2];
  ir_type st = {.dtype = IR_I64, .rank = 1, .dims = {4}};
  snprintf(name, sizeof name, "%s_lift_shape", T->name);
  int si = ir_add_const(g, name, &st, shape);
  snprintf(name, sizeof name, "%s_lift", label);
  ir_add_node(g, IR_OP_Reshape, name, (int[]){t, si}, 2, &y, 1);
  tw[t] = y;
  return y;
}

/* A window attribute of one spatial axis -> two (the new axis first): kernel 1, stride 1,
 * dilation 1, pads 0 for it. */
static void lift_attr(ir_node *n, const char *name, int64_t fill) {
  int cnt = 0;
  const int64_t *v = ir_attr_ints(n, name, &cnt);
  if (!v) return;
  int64_t w[4];
  if (cnt == 1) w[0] = fill, w[1] = v[0];
  else if (cnt == 2) w[0] = fill, w[1] = v[0], w[2] = fill, w[3] = v[1]; /* pads: begins, then ends */
  else return;
  ir_set_attr_ints(n, name, w, 2 * cnt);
}

/* Rewrite node n (at index *i) over the twins; its output's twin recorded in tw, the original
 * output rebuilt by a Reshape after it. */
static void lift_node(ir_graph *g, int *i, int *tw) {
  ir_node *n = g->nodes[*i];
  char label[256];
  snprintf(label, sizeof label, "%s", n->name && *n->name ? n->name : g->tensors[n->out[0]]->name);
  int first_new = g->n_nodes;
  for (int k = 0; k < n->n_in; k++) {
    int t = n->in[k];
    if (t < 0 || !is_operand(n, k)) continue;
    n->in[k] = twin_of(g, t, tw, label);
  }
  if (n->op == IR_OP_Conv || n->op == IR_OP_FusedConv) n->in[1] = lift_const(g, n->in[1], label);
  for (int k = 1; n->op == IR_OP_Resize && k < n->n_in; k++)
    if (n->in[k] >= 0) n->in[k] = lift_resize_vec(g, n->in[k], label);
  if (lift_kind(n->op) == LIFT_SEED) {
    lift_attr(n, "kernel_shape", 1), lift_attr(n, "strides", 1), lift_attr(n, "dilations", 1), lift_attr(n, "pads", 0);
  } else if (n->op == IR_OP_Concat) {
    int64_t a = ir_attr_int(n, "axis", 1);
    a = a < 0 ? a + 3 : a;
    ir_set_attr_int(n, "axis", a < 2 ? a : a + 1);
  }
  for (int k = first_new; k < g->n_nodes; k++) ir_move_last_node(g, (*i)++); /* the input Reshapes before n */
  int y = n->out[0];
  ir_type u = lifted_type(&g->tensors[y]->type);
  char name[600];
  snprintf(name, sizeof name, "%s_lift", g->tensors[y]->name);
  int y4 = ir_add_tensor(g, name, &u);
  cc_copy_quant(g, y, y4, -1);
  n->out[0] = y4;
  tw[y] = y4;
  if (!ir_is_graph_output(g, y)) { /* the activation keeps the model's name (compare, profile) */
    char *t = g->tensors[y]->name;
    g->tensors[y]->name = g->tensors[y4]->name, g->tensors[y4]->name = t;
  }
  int64_t *shape = xmalloc(3 * sizeof *shape);
  shape[0] = 0, shape[1] = u.dims[1], shape[2] = u.dims[3];
  ir_type st = {.dtype = IR_I64, .rank = 1, .dims = {3}};
  snprintf(name, sizeof name, "%s_unlift_shape", g->tensors[y]->name);
  int si = ir_add_const(g, name, &st, shape);
  snprintf(name, sizeof name, "%s_unlift", label);
  ir_add_node(g, IR_OP_Reshape, name, (int[]){y4, si}, 2, &y, 1);
  ir_move_last_node(g, ++(*i));
}

/* The type of the [N, C, 1, ...] tensor (a global pool's) of which Reshape node P makes the
 * [N, C] vector t, read by one node alone, or NULL. */
static const ir_type *flat_vector_of(const ir_graph *g, const ir_node *P, int t) {
  const ir_type *a = P && !P->dead && P->op == IR_OP_Reshape ? &g->tensors[P->in[0]]->type : NULL;
  const ir_type *b = &g->tensors[t]->type;
  if (!a || !ir_type_known(a) || a->rank < 3 || ir_use_count(g, t) != 1 || ir_is_graph_output(g, t) ||
      ir_is_graph_input(g, P->in[0]) || b->rank != 2 || a->dims[0] != b->dims[0] || a->dims[1] != b->dims[1])
    return NULL;
  for (int d = 2; d < a->rank; d++)
    if (a->dims[d] != 1) return NULL;
  return a;
}

/* Concat along axis 1 of [N, C_i] vectors, each a Reshape of a [N, C_i, 1, ...] tensor that only
 * the Concat reads (torch.cat([x.mean((2, 3)), x.amax((2, 3))], 1), fastai's concat pooling, a
 * 1-D network's mean and max over time after lift-1d): the Concat joins the pooled tensors along
 * their channels (on the accelerator a view of their blocks) and one Reshape flattens the result,
 * which the Gemm after it reads. Was a CPU step ("output is not a batch-1 NCHW tensor"). The
 * number rewritten. */
static int concat_flat_vectors(ir_graph *g) {
  int done = 0;
  for (int i = 0; i < g->n_nodes; i++) {
    ir_node *n = g->nodes[i];
    const ir_type *yt = n->dead || n->op != IR_OP_Concat || n->n_out != 1 ? NULL : &g->tensors[n->out[0]]->type;
    if (!yt || yt->rank != 2 || !ir_type_known(yt) || (ir_attr_int(n, "axis", 0) + 2) % 2 != 1 || n->n_in < 1) continue;
    const ir_type *a0 = NULL;
    int ok = 1;
    for (int k = 0; k < n->n_in && ok; k++) {
      const ir_type *a = n->in[k] >= 0 ? flat_vector_of(g, ir_producer(g, n->in[k], NULL), n->in[k]) : NULL;
      ok = a && (!a0 || a->rank == a0->rank);
      if (!a0) a0 = a;
    }
    if (!ok || !a0) continue;
    for (int k = 0; k < n->n_in; k++) {
      ir_node *P = (ir_node *)ir_producer(g, n->in[k], NULL);
      n->in[k] = P->in[0];
      P->dead = 1;
    }
    ir_type ct = *a0;
    ct.dims[1] = yt->dims[1];
    char name[600];
    snprintf(name, sizeof name, "%s_pooled", g->tensors[n->out[0]]->name);
    int c = ir_add_tensor(g, name, &ct), y = n->out[0];
    n->out[0] = c;
    ir_set_attr_int(n, "axis", 1);
    int64_t *shape = xmalloc(2 * sizeof *shape);
    shape[0] = yt->dims[0], shape[1] = yt->dims[1];
    ir_type st = {.dtype = IR_I64, .rank = 1, .dims = {2}};
    snprintf(name, sizeof name, "%s_flat_shape", g->tensors[y]->name);
    int si = ir_add_const(g, name, &st, shape);
    snprintf(name, sizeof name, "%s_flat", n->name && *n->name ? n->name : g->tensors[y]->name);
    ir_add_node(g, IR_OP_Reshape, name, (int[]){c, si}, 2, &y, 1);
    ir_move_last_node(g, i + 1);
    done++;
  }
  return done;
}

/* The length L of the channel vector that tensor x [N,1,L] holds: x made by a Reshape of a
 * [N,L,1,...] tensor (or [N,L]), at most CHANNEL_CONV_MAX channels (the dense conv has L x L'
 * weights); else 0. */
#define CHANNEL_CONV_MAX 1024
static int64_t channel_vector(const ir_graph *g, int x) {
  const ir_type *xt = &g->tensors[x]->type;
  const ir_node *p = ir_producer(g, x, NULL);
  const ir_type *vt = p && p->op == IR_OP_Reshape && p->n_in > 0 ? &g->tensors[p->in[0]]->type : NULL;
  if (!vt || xt->rank != 3 || !ir_type_known(xt) || !ir_type_known(vt) || vt->rank < 2 || xt->dims[1] != 1 ||
      vt->dims[0] != xt->dims[0] || vt->dims[1] != xt->dims[2] || xt->dims[2] > CHANNEL_CONV_MAX)
    return 0;
  for (int d = 2; d < vt->rank; d++)
    if (vt->dims[d] != 1) return 0;
  return xt->dims[2];
}

/* Conv node n (index i), a Conv1d of one input and one output channel over x [N,1,L] that holds
 * a vector of L channels (channel_vector: ECA's GlobalAveragePool -> Squeeze -> Transpose ->
 * Conv1d(k) -> Transpose -> Unsqueeze -> Sigmoid -> Mul), becomes Reshape(x, [N,L,1,1]) -> 1x1
 * Conv L -> L' whose weights are the band the kernel sweeps (W[o][i] = w[j] where i = o * stride
 * - pad + j * dilation), the bias on every output -> Reshape back to [N,1,L']: the Reshapes then
 * merge with the squeeze / unsqueeze around it and the accelerator runs the conv (the layout
 * steps were CPU steps). 1 if rewritten. */
static int channel_conv_node(ir_graph *g, int i, ir_node *n) {
  int cnt = 0, y = n->out[0], x = n->in[0];
  const ir_type *wt = n->n_in >= 2 && n->in[1] >= 0 ? &g->tensors[n->in[1]]->type : NULL;
  if (!wt || wt->rank != 3 || wt->dims[0] != 1 || wt->dims[1] != 1 || !cc_is_const(g, n->in[1]) ||
      wt->dtype != IR_F32 || ir_attr_int(n, "group", 1) != 1 || strcmp(ir_attr_string(n, "auto_pad", "NOTSET"), "NOTSET") ||
      (n->n_in > 2 && n->in[2] >= 0 && !cc_is_const(g, n->in[2])))
    return 0;
  int64_t L = channel_vector(g, x), K = wt->dims[2], s = 1, d = 1, pb = 0;
  const ir_type *yt = &g->tensors[y]->type;
  if (!L || yt->rank != 3 || !ir_type_known(yt)) return 0;
  const int64_t *v = ir_attr_ints(n, "strides", &cnt);
  if (v && cnt == 1) s = v[0];
  if ((v = ir_attr_ints(n, "dilations", &cnt)) && cnt == 1) d = v[0];
  if ((v = ir_attr_ints(n, "pads", &cnt)) && cnt == 2) pb = v[0];
  int64_t Lo = yt->dims[2];
  const float *w = g->tensors[n->in[1]]->data, *b = n->n_in > 2 && n->in[2] >= 0 ? g->tensors[n->in[2]]->data : NULL;
  float *dw = xmalloc((size_t)(Lo * L) * sizeof *dw), *db = xmalloc((size_t)Lo * sizeof *db);
  memset(dw, 0, (size_t)(Lo * L) * sizeof *dw);
  for (int64_t o = 0; o < Lo; o++) {
    db[o] = b ? b[0] : 0.0f;
    for (int64_t j = 0; j < K; j++) {
      int64_t in = o * s - pb + j * d;
      if (in >= 0 && in < L) dw[o * L + in] += w[j];
    }
  }
  char name[600];
  const char *label = cc_node_label(g, n);
  snprintf(name, sizeof name, "%s_dense_weight", label);
  int wi = cc_new_const_f32(g, name, (int64_t[]){Lo, L, 1, 1}, 4, dw);
  snprintf(name, sizeof name, "%s_dense_bias", label);
  int bi = cc_new_const_f32(g, name, (int64_t[]){Lo}, 1, db);
  int64_t N = yt->dims[0], *s4 = xmalloc(4 * sizeof *s4), *s3 = xmalloc(3 * sizeof *s3);
  s4[0] = N, s4[1] = L, s4[2] = s4[3] = 1, s3[0] = N, s3[1] = 1, s3[2] = Lo;
  ir_type st4 = {.dtype = IR_I64, .rank = 1, .dims = {4}}, st3 = {.dtype = IR_I64, .rank = 1, .dims = {3}};
  ir_type vt = {.dtype = IR_F32, .rank = 4, .dims = {N, L, 1, 1}}, ot = {.dtype = IR_F32, .rank = 4, .dims = {N, Lo, 1, 1}};
  snprintf(name, sizeof name, "%s_channels_shape", label);
  int si4 = ir_add_const(g, name, &st4, s4);
  snprintf(name, sizeof name, "%s_channels", label);
  int xv = ir_add_tensor(g, name, &vt);
  ir_add_node(g, IR_OP_Reshape, name, (int[]){x, si4}, 2, &xv, 1);
  ir_move_last_node(g, i);
  snprintf(name, sizeof name, "%s_dense_shape", label);
  int si3 = ir_add_const(g, name, &st3, s3);
  snprintf(name, sizeof name, "%s_dense", label);
  int yv = ir_add_tensor(g, name, &ot);
  ir_add_node(g, IR_OP_Reshape, name, (int[]){yv, si3}, 2, &y, 1);
  ir_move_last_node(g, i + 2);
  ir_clear_attrs(n);
  ir_set_inputs(n, (int[]){xv, wi, bi}, 3);
  ir_set_attr_ints(n, "kernel_shape", (int64_t[]){1, 1}, 2);
  n->out[0] = yv;
  return 1;
}

int cc_channel_conv(ir_graph *g) {
  int done = 0;
  for (int i = 0; i < g->n_nodes; i++) {
    ir_node *n = g->nodes[i];
    if (!n->dead && n->op == IR_OP_Conv && channel_conv_node(g, i, n)) done++, i += 2;
  }
  return done;
}

int cc_lift_1d(ir_graph *g, cc_ctx *cx, char *err, size_t errlen) {
  twins w = {0};
  int lifted = 0;
  for (int i = 0; i < g->n_nodes; i++) {
    cc_fit_ints(&w.v, &w.n, g->n_tensors);
    ir_node *n = g->nodes[i];
    if (n->dead || !liftable(g, n, w.v)) continue;
    lifted = 1;
    cc_fit_ints(&w.v, &w.n, g->n_tensors + 2 * n->n_in + 8);
    lift_node(g, &i, w.v);
  }
  free(w.v);
  if (lifted) {
    /* the Reshapes at the regions' edges merge with their neighbours (a Flatten after a global
     * pool), and the ones nothing reads go now, so that fuse sees a conv's single consumer */
    int rc = cc_normalize_reshape(g, cx, err, errlen);
    if (rc) return rc;
    /* with a target, pads beyond a load's pad fields (a causal dilated Conv1d's F.pad of 16 or
     * more, folded into its pads) go into Pad layers, as fold-pad does for 2-D convs */
    for (int i = 0; cx && cx->cfg && i < g->n_nodes; i++)
      if (!g->nodes[i]->dead) i += cc_split_big_pads(g, i, g->nodes[i], cc_max_pad());
  }
  return concat_flat_vectors(g) || lifted ? cc_dce(g, cx, err, errlen) : IR_OK;
}

