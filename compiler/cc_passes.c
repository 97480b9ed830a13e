/* compiler/cc_passes.c -- the front-end passes of the pipeline: Identity/Dropout removal,
 * constant folding (through the reference executor), shape inference, BatchNormalization
 * folding, Flatten/Squeeze/Unsqueeze/Reshape normalization, Conv fusion marking and dead-code
 * removal. Each pass leaves the graph topologically ordered; the runner compacts and verifies.
 * See cc.h. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cc.h"
#include "cc_internal.h"
#include "package.h"
#include "ref.h"
#include "util.h"

static void *xmalloc(size_t n) {
  void *p = malloc(n ? n : 1);
  ALWAYS_ASSERT(p != NULL);
  return p;
}

int cc_is_const(const ir_graph *g, int t) { return t >= 0 && g->tensors[t]->data != NULL; }

const char *cc_node_label(const ir_graph *g, const ir_node *n) {
  return n->name && *n->name ? n->name : g->tensors[n->out[0]]->name;
}

/* The single live consumer of tensor t (node index in *idx), or NULL if t has any other use
 * (several consumers, or it is a graph output). */
ir_node *cc_sole_consumer(ir_graph *g, int t, int *idx) {
  if (ir_is_graph_output(g, t) || ir_use_count(g, t) != 1) return NULL;
  for (int i = 0; i < g->n_nodes; i++) {
    ir_node *n = g->nodes[i];
    if (n->dead) continue;
    for (int j = 0; j < n->n_in; j++)
      if (n->in[j] == t) {
        *idx = i;
        return n;
      }
  }
  return NULL;
}

/* Make node n's output y disappear in favour of its input x (n becomes dead). When y is a graph
 * output, x takes y's name so that the graph's interface keeps its names; returns 0 (and leaves
 * n alone) when that is impossible (x is itself a graph input/output or a constant). */
int cc_bypass(ir_graph *g, ir_node *n, int x, int y) {
  if (ir_is_graph_output(g, y)) {
    if (ir_is_graph_input(g, x) || ir_is_graph_output(g, x) || cc_is_const(g, x)) return 0;
    char *tmp = g->tensors[x]->name;
    g->tensors[x]->name = g->tensors[y]->name;
    g->tensors[y]->name = tmp;
    if (g->tensors[x]->type.rank < 0) g->tensors[x]->type = g->tensors[y]->type;
  }
  ir_replace_uses(g, y, x);
  n->dead = 1;
  return 1;
}

/* ---- float-outputs ---- */

/* The runtime's outputs are float32 (runtime.h rt_run): a graph output of another type (ArgMax's
 * int64 indices, a Cast to an integer, a comparison's bool) becomes a Cast of it to float32 that
 * takes over the output's name (its values exact up to 2^24). */
int cc_float_outputs(ir_graph *g, cc_ctx *cx, char *err, size_t errlen) {
  (void)cx;
  for (int i = 0; i < g->n_outputs; i++) {
    int t = g->outputs[i];
    ir_tensor *T = g->tensors[t];
    if (T->type.dtype == IR_F32) continue;
    if (T->type.dtype == IR_UNDEF || !ir_dtype_size(T->type.dtype))
      return snprintf(err, errlen, "graph output '%s' has type %s, which the runtime cannot return", T->name,
                      ir_dtype_name(T->type.dtype)),
             IR_UNSUPPORTED;
    ir_type ft = T->type;
    ft.dtype = IR_F32;
    int y = ir_add_tensor(g, T->name, &ft); /* "<name>_1", then the names swap */
    char *nm = g->tensors[y]->name;
    g->tensors[y]->name = T->name, T->name = nm;
    ir_node *n = ir_add_node(g, IR_OP_Cast, g->tensors[y]->name, &t, 1, &y, 1);
    ir_set_attr_int(n, "to", 1); /* TensorProto FLOAT */
    g->outputs[i] = y;
  }
  return IR_OK;
}

/* ---- float-inputs ---- */

/* The runtime's inputs are float32 too: a graph input of an integer type that every reader
 * Casts to float32 (a deployment export's uint8 image: x.float() / 255) becomes a float32 input
 * and the Casts go (their values are the integers' as long as the inputs hold integers, which
 * the runtime reads from any .npy type). Other integer inputs (indices) stay, and calibration
 * refuses them by name. */
int cc_float_inputs(ir_graph *g, cc_ctx *cx, char *err, size_t errlen) {
  (void)err, (void)errlen;
  for (int i = 0; i < g->n_inputs; i++) {
    int t = g->inputs[i], readers = 0, casts = 0;
    ir_tensor *T = g->tensors[t];
    if (!cc_integer_input_dtype(T->type.dtype)) continue;
    if (ir_is_graph_output(g, t)) continue;
    for (int k = 0; k < g->n_nodes; k++) {
      const ir_node *n = g->nodes[k];
      int reads = 0;
      for (int j = 0; !n->dead && j < n->n_in; j++) reads |= n->in[j] == t;
      if (!reads) continue;
      readers++;
      casts += n->op == IR_OP_Cast && n->n_in == 1 && ir_attr_int(n, "to", -1) == IR_F32 && n->out[0] >= 0 &&
               !ir_is_graph_output(g, n->out[0]);
    }
    if (!readers || casts != readers) continue;
    if (i < CC_MAX_SRC_INPUTS) cx->input_dtype[i] = (unsigned char)T->type.dtype;
    T->type.dtype = IR_F32;
    for (int k = 0; k < g->n_nodes; k++) {
      ir_node *n = g->nodes[k];
      if (!n->dead && n->op == IR_OP_Cast && n->in[0] == t) cc_bypass(g, n, t, n->out[0]);
    }
  }
  return IR_OK;
}

/* ---- remove-identity ---- */

/* Identity, Cast to the type its input already has, a Pad of zero amounts, and Dropout in
 * inference mode (no training_mode input/attribute set) or of a constant ratio 0 (the identity
 * even in training mode: torch exports F.dropout(x, 0.0, training=True) so), its mask unused,
 * become their input;
 * a removed node's output name survives if it is a graph output. */
/* Sum node n (index i) of k >= 2 float inputs -> a chain of k - 1 Adds, the last n itself (the
 * accelerator's residual adds take two operands; Caffe2's ResNets write the shortcut as Sum).
 * The number of nodes added before n. */
static int sum_to_adds(ir_graph *g, int i) {
  ir_node *n = g->nodes[i];
  ir_type t[IR_VARIADIC + 1];
  if (n->n_in < 2 || n->n_in > IR_VARIADIC || n->out[0] < 0) return 0;
  t[0] = g->tensors[n->in[0]]->type;
  for (int k = 1; k < n->n_in; k++) /* every partial sum's shape, or leave the Sum alone */
    if (n->in[k] < 0 || t[0].dtype != IR_F32 || ir_broadcast(&t[k - 1], &g->tensors[n->in[k]]->type, &t[k])) return 0;
  int acc = n->in[0], added = 0;
  for (int k = 1; k + 1 < n->n_in; k++, added++) {
    char name[300];
    snprintf(name, sizeof name, "%s_sum%d", cc_node_label(g, n), k);
    int y = ir_add_tensor(g, name, &t[k]);
    ir_add_node(g, IR_OP_Add, name, (int[]){acc, n->in[k]}, 2, &y, 1);
    ir_move_last_node(g, i + added);
    acc = y;
  }
  ir_set_inputs(n, (int[]){acc, n->in[n->n_in - 1]}, 2);
  ir_set_op(n, IR_OP_Add);
  return added;
}

/* The operand that float arithmetic node n passes through unchanged (Add or Sub of all zeros,
 * Mul or Div by all ones, the constant not widening it: an ImageScaler's zero bias), or -1. */
static int neutral_operand(const ir_graph *g, const ir_node *n) {
  int add = n->op == IR_OP_Add || n->op == IR_OP_Sub;
  if ((!add && n->op != IR_OP_Mul && n->op != IR_OP_Div) || n->n_in != 2 || n->out[0] < 0) return -1;
  for (int k = 0; k < 2; k++) {
    int c = n->in[k], x = n->in[1 - k];
    if ((k == 0 && (n->op == IR_OP_Sub || n->op == IR_OP_Div)) || !cc_is_const(g, c) || cc_is_const(g, x) ||
        g->tensors[c]->type.dtype != IR_F32 || !cc_same_type(&g->tensors[x]->type, &g->tensors[n->out[0]]->type))
      continue;
    const float *v = g->tensors[c]->data;
    int64_t cnt = ir_type_numel(&g->tensors[c]->type), j = 0;
    while (j < cnt && v[j] == (add ? 0.0f : 1.0f)) j++;
    if (cnt >= 0 && j == cnt) return x;
  }
  return -1;
}

/* Is node n a Pad by constant amounts that are all zero (any mode: nothing added)? A UNet's
 * F.pad of its upsampled map to the skip's size exports one where the sizes already match. */
static int zero_pad(const ir_graph *g, const ir_node *n) {
  if (n->op != IR_OP_Pad || n->n_in < 2 || n->in[0] < 0 || n->in[1] < 0 || n->out[0] < 0 || !cc_is_const(g, n->in[1]))
    return 0;
  const ir_tensor *p = g->tensors[n->in[1]];
  int64_t cnt = ir_type_numel(&p->type);
  for (int64_t j = 0; j < cnt; j++)
    if (ir_get_elem(p->type.dtype, p->data, j) != 0) return 0;
  return cnt >= 0;
}

int cc_remove_identity(ir_graph *g, cc_ctx *cx, char *err, size_t errlen) {
  (void)cx, (void)err, (void)errlen;
  for (int i = 0; i < g->n_nodes; i++) {
    ir_node *n = g->nodes[i];
    int x = n->dead ? -1 : neutral_operand(g, n);
    if (x < 0 && !n->dead && zero_pad(g, n)) x = n->in[0];
    if (x >= 0) cc_bypass(g, n, x, n->out[0]);
    if (n->dead || n->op != IR_OP_Sum) continue;
    if (n->n_in == 1 && n->in[0] >= 0 && n->out[0] >= 0)
      cc_bypass(g, n, n->in[0], n->out[0]);
    else
      i += sum_to_adds(g, i);
  }
  for (int i = 0; i < g->n_nodes; i++) {
    ir_node *n = g->nodes[i];
    int same_cast = n->op == IR_OP_Cast && n->in[0] >= 0 && g->tensors[n->in[0]]->type.dtype != IR_UNDEF &&
                    (int64_t)g->tensors[n->in[0]]->type.dtype == ir_attr_int(n, "to", -1);
    if (n->dead || (n->op != IR_OP_Identity && n->op != IR_OP_Dropout && !same_cast)) continue;
    if (n->op == IR_OP_Dropout) {
      if (n->n_out > 1 && n->out[1] >= 0 && ir_use_count(g, n->out[1])) continue; /* mask is used */
      int r = n->n_in > 1 ? n->in[1] : -1;                                         /* ratio */
      int zero = r >= 0 && cc_is_const(g, r) && ir_type_numel(&g->tensors[r]->type) == 1 &&
                 ir_get_elem(g->tensors[r]->type.dtype, g->tensors[r]->data, 0) == 0;
      if (!zero && n->n_in > 2 && n->in[2] >= 0) {                                 /* training_mode */
        int t = n->in[2];
        if (!cc_is_const(g, t) || ir_get_elem(g->tensors[t]->type.dtype, g->tensors[t]->data, 0) != 0) continue;
      }
      if (!zero && ir_attr_int(n, "training_mode", 0)) continue;
    }
    if (n->out[0] >= 0) cc_bypass(g, n, n->in[0], n->out[0]);
  }
  return IR_OK;
}

/* ---- fold-constants ---- */

#define FOLD_MAX_ELEMS ((int64_t)1 << 26)

/* Is node n the transposition of a 2-D f32 constant W [M,K] (perm [1,0] or none) that only
 * MatMuls read, as their weights (input 1) of an activation (input 0 not constant)? PyTorch
 * exports a Linear on a 3-D or 4-D activation so. The folds leave it (cc_foldable): channels-last
 * turns such a MatMul into a 1x1 Conv whose weights are W itself ([M,K,1,1]), and folding the
 * Transpose would only have it transposed back (a copy of the model's largest weights, twice);
 * it folds what is left (cc_fold_weight_transposes). */
int cc_weight_transpose(const ir_graph *g, const ir_node *n) {
  if (n->dead || n->op != IR_OP_Transpose || n->n_in != 1 || n->n_out != 1 || n->out[0] < 0 || !cc_is_const(g, n->in[0]))
    return 0;
  const ir_type *wt = &g->tensors[n->in[0]]->type;
  int cnt, y = n->out[0], uses = 0;
  const int64_t *perm = ir_attr_ints(n, "perm", &cnt);
  if (wt->dtype != IR_F32 || wt->rank != 2 || !ir_type_known(wt) || (perm && (cnt != 2 || perm[0] != 1 || perm[1] != 0)) ||
      ir_is_graph_output(g, y) || ir_is_graph_input(g, y))
    return 0;
  for (int i = 0; i < g->n_nodes; i++) {
    const ir_node *c = g->nodes[i];
    for (int j = 0; !c->dead && j < c->n_in; j++) {
      if (c->in[j] != y) continue;
      if (c->op != IR_OP_MatMul || j != 1 || c->n_in != 2 || c->in[0] == y || cc_is_const(g, c->in[0])) return 0;
      uses++;
    }
  }
  return uses > 0;
}

int cc_foldable(const ir_graph *g, const ir_node *n) {
  /* Quantize/Dequantize stay: a QDQ model's int8 weights and scales are the quantizer's input */
  if (n->dead || n->op == IR_OP_UNKNOWN || n->op == IR_OP_QuantizeLinear || n->op == IR_OP_DequantizeLinear) return 0;
  if (cc_weight_transpose(g, n)) return 0;
  for (int j = 0; j < n->n_in; j++)
    if (n->in[j] >= 0 && !cc_is_const(g, n->in[j])) return 0;
  if (n->n_in == 0 && n->op != IR_OP_Constant) return 0;
  for (int j = 0; j < n->n_out; j++)
    if (n->out[j] >= 0 && ir_is_graph_input(g, n->out[j])) return 0;
  return 1;
}

/* Evaluate node n (inputs all constant) with the reference executor and make its outputs
 * constants (n dead): 1 done, 0 left alone (unsupported, or an output above FOLD_MAX_ELEMS), or
 * IR_ERR with the message. */
int cc_fold_node(ir_graph *g, ir_node *n, char *err, size_t errlen) {
  const ir_value *in[IR_VARIADIC + 1];
  ir_value inv[IR_VARIADIC + 1], out[IR_VARIADIC + 1];
  for (int j = 0; j < n->n_in; j++) {
    in[j] = NULL;
    if (n->in[j] < 0) continue;
    inv[j].type = g->tensors[n->in[j]]->type;
    inv[j].data = g->tensors[n->in[j]]->data;
    in[j] = &inv[j];
  }
  /* look at the result's size first: a huge constant (ConstantOfShape, Pad, ...) stays a node */
  ir_type to[IR_VARIADIC + 1];
  int rc = ir_infer_values(g, n, in, to, err, errlen);
  int big = 0;
  for (int j = 0; !rc && j < n->n_out; j++) big |= ir_type_numel(&to[j]) < 0 || ir_type_numel(&to[j]) > FOLD_MAX_ELEMS;
  if (rc == IR_UNSUPPORTED || (!rc && big)) return 0; /* left for the back end / CPU fallback */
  if (rc) return rc;
  rc = ref_run_node(g, n, in, out, err, errlen);
  if (rc == IR_UNSUPPORTED) return 0;
  if (rc) return rc;
  for (int j = 0; j < n->n_out; j++) {
    int t = n->out[j];
    if (t < 0) {
      ir_value_free(&out[j]);
      continue;
    }
    ir_tensor *tt = g->tensors[t];
    tt->type = out[j].type;
    tt->data = out[j].data;
    for (int d = 0; d < IR_MAX_DIMS; d++) {
      free(tt->dim_param[d]);
      tt->dim_param[d] = NULL;
    }
  }
  n->dead = 1;
  return 1;
}

/* Every Constant node, and every other known node whose inputs are all constant, is evaluated
 * by the reference executor and replaced by constant outputs (nodes the executor calls
 * unsupported, Quantize/DequantizeLinear, and outputs above FOLD_MAX_ELEMS elements stay). */
int cc_fold_constants(ir_graph *g, cc_ctx *cx, char *err, size_t errlen) {
  (void)cx;
  for (int i = 0; i < g->n_nodes; i++) {
    ir_node *n = g->nodes[i];
    if (!cc_foldable(g, n)) continue;
    int rc = cc_fold_node(g, n, err, errlen);
    if (rc < 0) return rc;
  }
  return IR_OK;
}

/* ---- shape-infer ---- */

/* Merge an inferred type into tensor t, checking it against what the model declared: a dtype or
 * rank that contradicts it is an error naming the node; an extent that does not is the
 * inferred one (as onnxruntime takes it: exporters declare wrong extents, e.g. torch's for a
 * ceil_mode pool whose last window starts in padding), counted in cx (when not NULL) with the
 * first such tensor named for the log's note. */
int cc_merge_type(ir_graph *g, cc_ctx *cx, const ir_node *n, ir_tensor *t, const ir_type *inf, const ir_tensor *first_in,
                  char *err, size_t errlen) {
  ir_type *d = &t->type;
  if (d->dtype != IR_UNDEF && inf->dtype != IR_UNDEF && d->dtype != inf->dtype)
    return ir_node_err(g, n, err, errlen, "output '%s' is %s, the model declares %s", t->name,
                       ir_dtype_name(inf->dtype), ir_dtype_name(d->dtype));
  if (d->rank >= 0 && inf->rank >= 0 && d->rank != inf->rank)
    return ir_node_err(g, n, err, errlen, "output '%s' has rank %d, the model declares %d", t->name, inf->rank, d->rank);
  ir_type r = *inf;
  if (r.dtype == IR_UNDEF) r.dtype = d->dtype;
  if (r.rank < 0) {
    r.rank = d->rank;
    for (int i = 0; i < d->rank; i++) r.dims[i] = d->dims[i];
  } else if (d->rank >= 0) {
    for (int i = 0; i < r.rank; i++) {
      if (r.dims[i] >= 0 && d->dims[i] >= 0 && r.dims[i] != d->dims[i] && cx && !cx->declared_wrong++)
        snprintf(cx->declared_note, sizeof cx->declared_note,
                 "'%s' of node '%s' (%s): extent %lld on axis %d, the model declares %lld", t->name, n->name,
                 n->op_name, (long long)r.dims[i], i, (long long)d->dims[i]);
      if (r.dims[i] < 0) r.dims[i] = d->dims[i];
    }
  }
  for (int i = 0; i < IR_MAX_DIMS; i++)
    if (i >= r.rank || r.dims[i] >= 0) {
      free(t->dim_param[i]);
      t->dim_param[i] = NULL;
    }
  /* a symbolic batch extent follows the first input's */
  if (first_in && r.rank > 0 && r.dims[0] < 0 && !t->dim_param[0] && first_in->type.rank > 0 && first_in->dim_param[0]) {
    size_t len = strlen(first_in->dim_param[0]) + 1;
    t->dim_param[0] = xmalloc(len);
    memcpy(t->dim_param[0], first_in->dim_param[0], len);
  }
  *d = r;
  return IR_OK;
}

/* Types every node output in order with ir_infer_node, merged with the model's declared types
 * (a contradiction is an error naming the node); an output whose dtype or rank cannot be known
 * statically is IR_UNSUPPORTED. A symbolic batch extent is carried from the first input. */
int cc_shape_infer(ir_graph *g, cc_ctx *cx, char *err, size_t errlen) {
  for (int i = 0; i < g->n_nodes; i++) {
    ir_node *n = g->nodes[i];
    if (n->dead) continue;
    const ir_type *ti[IR_VARIADIC + 1] = {0};
    const void *di[IR_VARIADIC + 1] = {0};
    ir_type to[IR_VARIADIC + 1];
    ir_node_operands(g, n, IR_VARIADIC + 1, ti, di);
    int rc = ir_infer_node(g, n, ti, di, to, err, errlen);
    if (rc) return rc;
    for (int j = 0; j < n->n_out; j++) {
      if (n->out[j] < 0) continue;
      const ir_tensor *first = n->n_in > 0 && n->in[0] >= 0 ? g->tensors[n->in[0]] : NULL;
      if (cc_merge_type(g, cx, n, g->tensors[n->out[j]], &to[j], first, err, errlen)) return IR_ERR;
      if (g->tensors[n->out[j]]->type.dtype == IR_UNDEF || g->tensors[n->out[j]]->type.rank < 0)
        return ir_node_err(g, n, err, errlen, "cannot infer the type of output '%s' (shape depends on runtime data)",
                           g->tensors[n->out[j]]->name),
               IR_UNSUPPORTED;
    }
  }
  return IR_OK;
}

/* ---- annotate-quant ---- */

/* Record constant scale/zero point (inputs si, zi of node n) on integer tensor t; axis is the
 * node's per-axis axis. Returns 1 if recorded. */
static int record_quant(ir_graph *g, const ir_node *n, int t, int si, int zi, int64_t axis) {
  if (t < 0 || si < 0 || !cc_is_const(g, si) || (zi >= 0 && !cc_is_const(g, zi))) return 0;
  const ir_tensor *s = g->tensors[si], *tt = g->tensors[t];
  int64_t cnt = ir_type_numel(&s->type);
  if (s->type.dtype != IR_F32 || cnt < 1 || cnt > (1 << 20)) return 0;
  if (zi >= 0 && ir_type_numel(&g->tensors[zi]->type) != cnt) return 0;
  if (cnt > 1) {
    if (tt->type.rank < 0) return 0;
    if (axis < 0) axis += tt->type.rank;
    if (axis < 0 || axis >= tt->type.rank || tt->type.dims[axis] != cnt) return 0;
  }
  int32_t *zp = xmalloc((size_t)cnt * sizeof(int32_t));
  for (int64_t i = 0; i < cnt; i++) zp[i] = zi >= 0 ? (int32_t)ir_get_elem(g->tensors[zi]->type.dtype, g->tensors[zi]->data, i) : 0;
  ir_dtype qt = zi >= 0 ? g->tensors[zi]->type.dtype : tt->type.dtype;
  ir_set_quant(g, t, cnt > 1 ? (int)axis : -1, (int)cnt, s->data, zp, qt);
  free(zp);
  (void)n;
  return 1;
}

/* Records constant scales/zero points of QuantizeLinear (on its output), DequantizeLinear (on
 * its input) and QLinearConv/QLinearMatMul (inputs and output) in the tensors' quant slot,
 * per tensor or per axis. Changes no node. */
int cc_annotate_quant(ir_graph *g, cc_ctx *cx, char *err, size_t errlen) {
  (void)cx, (void)err, (void)errlen;
  for (int i = 0; i < g->n_nodes; i++) {
    const ir_node *n = g->nodes[i];
    if (n->dead) continue;
    int64_t axis = ir_attr_int(n, "axis", 1);
    switch (n->op) {
    case IR_OP_QuantizeLinear:
      record_quant(g, n, n->out[0], n->in[1], n->n_in > 2 ? n->in[2] : -1, axis);
      break;
    case IR_OP_DequantizeLinear:
      record_quant(g, n, n->in[0], n->in[1], n->n_in > 2 ? n->in[2] : -1, axis);
      break;
    case IR_OP_QLinearConv:
      record_quant(g, n, n->in[0], n->in[1], n->in[2], 1);
      record_quant(g, n, n->in[3], n->in[4], n->in[5], 0);
      record_quant(g, n, n->out[0], n->in[6], n->in[7], 1);
      break;
    case IR_OP_QLinearMatMul:
      record_quant(g, n, n->in[0], n->in[1], n->in[2], -2);
      record_quant(g, n, n->in[3], n->in[4], n->in[5], -1);
      record_quant(g, n, n->out[0], n->in[6], n->in[7], -1);
      break;
    default: break;
    }
  }
  return IR_OK;
}

/* ---- fold-batchnorm ---- */

void cc_fit_ints(int **v, int *n, int need) {
  if (need <= *n) return;
  int n2 = 2 * need;
  int *w = realloc(*v, (size_t)n2 * sizeof *w);
  ALWAYS_ASSERT(w != NULL);
  for (int k = *n; k < n2; k++) w[k] = -1;
  *v = w, *n = n2;
}

/* New f32 constant of the given shape holding data (taken over). */
int cc_new_const_f32(ir_graph *g, const char *name, const int64_t *dims, int rank, float *data) {
  ir_type t = {.dtype = IR_F32, .rank = rank};
  for (int i = 0; i < rank; i++) t.dims[i] = dims[i];
  return ir_add_const(g, name, &t, data);
}

void cc_copy_quant(ir_graph *g, int from, int to, int axis) {
  const ir_quant *q = from >= 0 ? g->tensors[from]->quant : NULL;
  if (q && to >= 0 && to != from) ir_set_quant(g, to, q->n > 1 ? axis : -1, q->n, q->scale, q->zero_point, q->qtype);
}

int cc_fold_into_conv(ir_graph *g, ir_node *p, const float *s, const float *t, int64_t C, const char *what) {
  const ir_tensor *w = g->tensors[p->in[1]];
  if (w->type.dtype != IR_F32 || w->type.dims[0] != C) return 0;
  const ir_tensor *b = p->n_in > 2 && p->in[2] >= 0 ? g->tensors[p->in[2]] : NULL;
  if (b && (!b->data || b->type.dtype != IR_F32 || ir_type_numel(&b->type) != C)) return 0;
  int64_t wn = ir_type_numel(&w->type), per = wn / C;
  float *nw = xmalloc((size_t)wn * sizeof(float)), *nb = xmalloc((size_t)C * sizeof(float));
  const float *ow = w->data;
  for (int64_t m = 0; m < C; m++) {
    for (int64_t k = 0; k < per; k++) nw[m * per + k] = ow[m * per + k] * s[m];
    nb[m] = (b ? ((const float *)b->data)[m] : 0.0f) * s[m] + (t ? t[m] : 0.0f);
  }
  char name[300];
  snprintf(name, sizeof name, "%s_%s", w->name, what);
  int wi = cc_new_const_f32(g, name, w->type.dims, w->type.rank, nw);
  snprintf(name, sizeof name, "%s_bias_%s", p->name && *p->name ? p->name : g->tensors[p->out[0]]->name, what);
  int bi = cc_new_const_f32(g, name, &C, 1, nb);
  int in[3] = {p->in[0], wi, bi};
  ir_set_inputs(p, in, 3);
  return 1;
}

/* Fold BN into ConvTranspose p: W [Cin, M/group, k...], output channel m = (ci / (Cin/group)) *
 * (M/group) + j of W[ci][j] scaled by s[m]; bias B*s + t. */
static int fold_into_convt(ir_graph *g, ir_node *p, const float *s, const float *t, int64_t C) {
  const ir_tensor *w = g->tensors[p->in[1]];
  int64_t group = ir_attr_int(p, "group", 1);
  if (w->type.dtype != IR_F32 || w->type.rank < 3 || group < 1 || w->type.dims[1] * group != C || w->type.dims[0] % group)
    return 0;
  const ir_tensor *b = p->n_in > 2 && p->in[2] >= 0 ? g->tensors[p->in[2]] : NULL;
  if (b && (!b->data || b->type.dtype != IR_F32 || ir_type_numel(&b->type) != C)) return 0;
  int64_t Cin = w->type.dims[0], Mg = w->type.dims[1], Cg = Cin / group, wn = ir_type_numel(&w->type), per = wn / (Cin * Mg);
  float *nw = xmalloc((size_t)wn * sizeof(float)), *nb = xmalloc((size_t)C * sizeof(float));
  const float *ow = w->data;
  for (int64_t ci = 0; ci < Cin; ci++)
    for (int64_t j = 0; j < Mg; j++)
      for (int64_t k = 0; k < per; k++) nw[(ci * Mg + j) * per + k] = ow[(ci * Mg + j) * per + k] * s[ci / Cg * Mg + j];
  for (int64_t m = 0; m < C; m++) nb[m] = (b ? ((const float *)b->data)[m] : 0.0f) * s[m] + t[m];
  char name[300];
  snprintf(name, sizeof name, "%s_bnfold", w->name);
  int wi = cc_new_const_f32(g, name, w->type.dims, w->type.rank, nw);
  snprintf(name, sizeof name, "%s_bias_bnfold", p->name && *p->name ? p->name : g->tensors[p->out[0]]->name);
  int bi = cc_new_const_f32(g, name, &C, 1, nb);
  ir_set_inputs(p, (int[]){p->in[0], wi, bi}, 3);
  return 1;
}

/* Fold BN into Gemm p (output channel = column): op(B)[:,n] *= s[n]; C' = beta*C*s + t, beta 1. */
static int fold_into_gemm(ir_graph *g, ir_node *p, const float *s, const float *t, int64_t C) {
  const ir_tensor *b = g->tensors[p->in[1]];
  const ir_tensor *c = p->n_in > 2 && p->in[2] >= 0 ? g->tensors[p->in[2]] : NULL;
  if (b->type.dtype != IR_F32 || b->type.rank != 2) return 0;
  int tb = (int)ir_attr_int(p, "transB", 0);
  if (b->type.dims[tb ? 0 : 1] != C) return 0;
  int64_t cn = c ? ir_type_numel(&c->type) : 0;
  if (c && (!c->data || c->type.dtype != IR_F32 || (cn != 1 && cn != C) || (c->type.rank == 2 && c->type.dims[0] != 1)))
    return 0;
  float beta = ir_attr_float(p, "beta", 1.0f);
  int64_t bn = ir_type_numel(&b->type), rows = b->type.dims[0], cols = b->type.dims[1];
  float *nb = xmalloc((size_t)bn * sizeof(float)), *nc = xmalloc((size_t)C * sizeof(float));
  const float *ob = b->data;
  for (int64_t i = 0; i < rows; i++)
    for (int64_t j = 0; j < cols; j++) nb[i * cols + j] = ob[i * cols + j] * s[tb ? i : j];
  for (int64_t m = 0; m < C; m++) {
    float cv = c ? ((const float *)c->data)[cn == 1 ? 0 : m] * beta : 0.0f;
    nc[m] = cv * s[m] + t[m];
  }
  char name[300];
  snprintf(name, sizeof name, "%s_bnfold", b->name);
  int bi = cc_new_const_f32(g, name, b->type.dims, 2, nb);
  snprintf(name, sizeof name, "%s_bias_bnfold", p->name && *p->name ? p->name : g->tensors[p->out[0]]->name);
  int ci = cc_new_const_f32(g, name, &C, 1, nc);
  int in[3] = {p->in[0], bi, ci};
  ir_set_inputs(p, in, 3);
  ir_set_attr_float(p, "beta", 1.0f);
  return 1;
}

/* Inference BatchNormalization with constant parameters: s = scale/sqrt(var+eps),
 * t = B - mean*s. If its input comes only from a Conv (or a 2-D Gemm) with constant weights,
 * W and the bias absorb s and t and the BN goes; otherwise it becomes Mul(X, s) + Add(t) with
 * s, t shaped [C,1,...] to broadcast over the trailing axes. */
int cc_fold_batchnorm(ir_graph *g, cc_ctx *cx, char *err, size_t errlen) {
  (void)cx, (void)err, (void)errlen;
  for (int i = 0; i < g->n_nodes; i++) {
    ir_node *n = g->nodes[i];
    if (n->dead || n->op != IR_OP_BatchNormalization || n->n_out != 1 || ir_attr_int(n, "training_mode", 0)) continue;
    int ok = 1;
    for (int j = 1; j < 5; j++) ok &= cc_is_const(g, n->in[j]) && g->tensors[n->in[j]]->type.dtype == IR_F32;
    const ir_tensor *x = g->tensors[n->in[0]];
    if (!ok || x->type.dtype != IR_F32 || x->type.rank < 2 || x->type.dims[1] < 0) continue;
    int64_t C = x->type.dims[1];
    for (int j = 1; j < 5; j++) ok &= ir_type_numel(&g->tensors[n->in[j]]->type) == C;
    if (!ok) continue;
    const float *sc = g->tensors[n->in[1]]->data, *bb = g->tensors[n->in[2]]->data;
    const float *mean = g->tensors[n->in[3]]->data, *var = g->tensors[n->in[4]]->data;
    float eps = ir_attr_float(n, "epsilon", 1e-5f);
    float *s = xmalloc((size_t)C * sizeof(float)), *t = xmalloc((size_t)C * sizeof(float));
    for (int64_t c = 0; c < C; c++) {
      s[c] = (float)(sc[c] / sqrt((double)var[c] + eps));
      t[c] = (float)(bb[c] - (double)mean[c] * s[c]);
    }
    int pi, dummy;
    ir_node *p = (ir_node *)ir_producer(g, n->in[0], &pi);
    int folded = 0;
    if (p && (p->op == IR_OP_Conv || p->op == IR_OP_ConvTranspose || (p->op == IR_OP_Gemm && x->type.rank == 2)) &&
        cc_is_const(g, p->in[1]) && cc_sole_consumer(g, n->in[0], &dummy) == n)
      folded = p->op == IR_OP_Conv            ? cc_fold_into_conv(g, p, s, t, C, "bnfold")
               : p->op == IR_OP_ConvTranspose ? fold_into_convt(g, p, s, t, C)
                                              : fold_into_gemm(g, p, s, t, C);
    if (folded) {
      p->out[0] = n->out[0];
      n->dead = 1;
      free(s);
      free(t);
      continue;
    }
    /* standalone: Y = X * s + t with s, t shaped [C, 1, ...] to broadcast over trailing axes */
    int64_t dims[IR_MAX_DIMS];
    int r = x->type.rank - 1;
    dims[0] = C;
    for (int k = 1; k < r; k++) dims[k] = 1;
    char name[300];
    const char *base = n->name && *n->name ? n->name : g->tensors[n->out[0]]->name;
    snprintf(name, sizeof name, "%s_scale", base);
    int si = cc_new_const_f32(g, name, dims, r, s);
    snprintf(name, sizeof name, "%s_shift", base);
    int ti = cc_new_const_f32(g, name, dims, r, t);
    snprintf(name, sizeof name, "%s_scaled", base);
    int mid = ir_add_tensor(g, name, &x->type);
    int y = n->out[0];
    char *bn_name = n->name;
    n->name = NULL;
    /* node i becomes Mul; Add goes right after it */
    ir_node *add = ir_add_node(g, IR_OP_Add, bn_name, (int[]){mid, ti}, 2, &y, 1);
    ir_move_last_node(g, i + 1);
    n = g->nodes[i];
    size_t len = strlen(bn_name) + 5;
    n->name = xmalloc(len);
    snprintf(n->name, len, "%s_mul", bn_name);
    free(n->op_name);
    n->op_name = xmalloc(4);
    strcpy(n->op_name, "Mul");
    n->op = IR_OP_Mul;
    ir_set_inputs(n, (int[]){n->in[0], si}, 2);
    n->out[0] = mid;
    ir_clear_attrs(n);
    (void)add;
    free(bn_name);
    i++;
  }
  return IR_OK;
}

/* ---- normalize-reshape ---- */

/* Rewrite node n as Reshape(x, shape) with the explicit shape of its (typed) output, -1 for at
 * most one unknown extent. Returns 1 if rewritten. */
static int to_reshape(ir_graph *g, ir_node *n) {
  const ir_type *ot = &g->tensors[n->out[0]]->type;
  int unknown = 0;
  for (int i = 0; i < ot->rank; i++) unknown += ot->dims[i] < 0;
  if (ot->rank < 0 || unknown > 1) return 0;
  int64_t *shape = xmalloc((size_t)(ot->rank ? ot->rank : 1) * sizeof(int64_t));
  for (int i = 0; i < ot->rank; i++) shape[i] = ot->dims[i] < 0 ? -1 : ot->dims[i];
  /* reuse the current shape constant if it already says exactly this */
  if (n->op == IR_OP_Reshape && cc_is_const(g, n->in[1])) {
    const ir_tensor *st = g->tensors[n->in[1]];
    if (st->type.dtype == IR_I64 && ir_type_numel(&st->type) == ot->rank &&
        !memcmp(st->data, shape, (size_t)ot->rank * sizeof(int64_t)) && !ir_get_attr(n, "allowzero")) {
      free(shape);
      return 0;
    }
  }
  int64_t len = ot->rank;
  char name[300];
  snprintf(name, sizeof name, "%s_shape", g->tensors[n->out[0]]->name);
  ir_type st = {.dtype = IR_I64, .rank = 1, .dims = {len}};
  int si = ir_add_const(g, name, &st, shape);
  ir_set_inputs(n, (int[]){n->in[0], si}, 2);
  n->op = IR_OP_Reshape;
  free(n->op_name);
  n->op_name = xmalloc(8);
  strcpy(n->op_name, "Reshape");
  ir_clear_attrs(n);
  return 1;
}

/* Same dtype and shape: equal known extents, and at most one unknown extent at the same axis
 * (then equal element counts force it equal too). */
int cc_same_type(const ir_type *a, const ir_type *b) {
  if (a->dtype != b->dtype || a->rank != b->rank || a->rank < 0) return 0;
  int unknown = 0;
  for (int i = 0; i < a->rank; i++) {
    if (a->dims[i] != b->dims[i]) return 0;
    unknown += a->dims[i] < 0;
  }
  return unknown <= 1;
}

/* Flatten, Squeeze, Unsqueeze and Reshape with a constant shape become Reshape with the
 * explicit output shape (-1 for at most one unknown extent, no 0 entries, no allowzero);
 * Reshape of a Reshape used only there reshapes the original; a Reshape to its input's own
 * shape is removed. */
/* Reshape r2 of Transpose(Reshape(X)) that is exactly DepthToSpace of X [N, C, H, W] with block
 * b: X as [N, C/b², b, b, H, W] (CRD: PyTorch's PixelShuffle before opset 11) or [N, b, b, C/b²,
 * H, W] (DCR: TensorFlow's depth_to_space), permuted to [N, C/b², H, b, W, b], as [N, C/b², H*b,
 * W*b]. Becomes that DepthToSpace (which the accelerator runs through convt-to-conv). */
static void pixel_shuffle_to_d2s(ir_graph *g, ir_node *r2) {
  int ti, ri;
  ir_node *t = (ir_node *)ir_producer(g, r2->in[0], &ti), *r1;
  if (!t || t->dead || t->op != IR_OP_Transpose || cc_sole_consumer(g, t->out[0], &ri) != r2) return;
  r1 = (ir_node *)ir_producer(g, t->in[0], &ri);
  if (!r1 || r1->dead || r1->op != IR_OP_Reshape || cc_sole_consumer(g, r1->out[0], &ti) != t) return;
  const ir_type *x = &g->tensors[r1->in[0]]->type, *s6 = &g->tensors[r1->out[0]]->type, *y = &g->tensors[r2->out[0]]->type;
  int cnt;
  const int64_t *p = ir_attr_ints(t, "perm", &cnt);
  if (x->rank != 4 || s6->rank != 6 || y->rank != 4 || !p || cnt != 6 || !ir_type_known(x) || !ir_type_known(y)) return;
  static const int64_t crd[6] = {0, 1, 4, 2, 5, 3}, dcr[6] = {0, 3, 4, 1, 5, 2};
  int is_crd = !memcmp(p, crd, sizeof crd), is_dcr = !memcmp(p, dcr, sizeof dcr);
  int64_t b = is_crd ? s6->dims[2] : s6->dims[1], C = x->dims[1], H = x->dims[2], W = x->dims[3];
  if ((!is_crd && !is_dcr) || b < 2 || C % (b * b) || s6->dims[0] != x->dims[0] || s6->dims[4] != H || s6->dims[5] != W)
    return;
  int64_t want[6] = {x->dims[0], is_crd ? C / (b * b) : b, b, is_crd ? b : C / (b * b), H, W};
  if (memcmp(s6->dims, want, sizeof want) || y->dims[0] != x->dims[0] || y->dims[1] != C / (b * b) || y->dims[2] != H * b ||
      y->dims[3] != W * b)
    return;
  ir_set_inputs(r2, (int[]){r1->in[0]}, 1);
  ir_set_op(r2, IR_OP_DepthToSpace);
  ir_clear_attrs(r2);
  ir_set_attr_int(r2, "blocksize", b);
  ir_set_attr_string(r2, "mode", is_crd ? "CRD" : "DCR");
  t->dead = r1->dead = 1;
}

int cc_normalize_reshape(ir_graph *g, cc_ctx *cx, char *err, size_t errlen) {
  (void)cx, (void)err, (void)errlen;
  cc_unit_transposes_to_reshapes(g);
  cc_channel_conv(g);
  for (int i = 0; i < g->n_nodes; i++)
    if (!g->nodes[i]->dead && g->nodes[i]->op == IR_OP_Reshape) pixel_shuffle_to_d2s(g, g->nodes[i]);
  for (int i = 0; i < g->n_nodes; i++) {
    ir_node *n = g->nodes[i];
    if (n->dead) continue;
    if (n->op != IR_OP_Flatten && n->op != IR_OP_Squeeze && n->op != IR_OP_Unsqueeze && n->op != IR_OP_Reshape) continue;
    if (n->op != IR_OP_Reshape || cc_is_const(g, n->in[1])) to_reshape(g, n);
    if (n->op != IR_OP_Reshape) continue;
    /* Reshape of a Reshape whose result nothing else uses: reshape the original */
    int pi, ci;
    const ir_node *p = ir_producer(g, n->in[0], &pi);
    if (p && p->op == IR_OP_Reshape && cc_sole_consumer(g, n->in[0], &ci) == n && cc_is_const(g, n->in[1])) {
      n->in[0] = p->in[0];
      ((ir_node *)p)->dead = 1;
    }
    /* a Reshape to the shape it already has does nothing */
    if (cc_same_type(&g->tensors[n->in[0]]->type, &g->tensors[n->out[0]]->type)) cc_bypass(g, n, n->in[0], n->out[0]);
  }
  return IR_OK;
}

/* ---- fuse ---- */

/* Tensors a and b surely have the same shape: same_type, and an unknown extent must carry the
 * same symbol in both (an unnamed unknown could be 1 in one of them, i.e. a broadcast). */
static int same_shape_sym(const ir_graph *g, int a, int b) {
  const ir_tensor *ta = g->tensors[a], *tb = g->tensors[b];
  if (!cc_same_type(&ta->type, &tb->type)) return 0;
  for (int i = 0; i < ta->type.rank; i++)
    if (ta->type.dims[i] < 0 && (!ta->dim_param[i] || !tb->dim_param[i] || strcmp(ta->dim_param[i], tb->dim_param[i])))
      return 0;
  return 1;
}

/* Is constant tensor c a per-channel vector for M channels of a rank-r conv output (shape [M],
 * [M,1,..] of rank r-1, [1,M,1,..] of rank r, or a scalar)? */
int cc_per_channel(const ir_tensor *c, int64_t M, int r) {
  if (c->type.dtype != IR_F32) return 0;
  int64_t n = ir_type_numel(&c->type);
  if (n == 1) return 1;
  if (n != M) return 0;
  if (c->type.rank == r) return c->type.dims[0] == 1 && c->type.dims[1] == M;
  if (c->type.rank == r - 1) return c->type.dims[0] == M;
  return 0;
}

/* For each f32 Conv, in order, the chain of sole consumers: constant per-channel Adds go into
 * the bias; then an Add of a same-shaped (same symbols) non-constant tensor becomes the
 * residual input R; then Relu or Clip (constant bounds) becomes the activation. A Conv with a
 * residual or an activation becomes dlvta.FusedConv(X, W, B, R) {activation, act_min, act_max},
 * moved to where the chain ended so that R is computed before it. */
int cc_fuse(ir_graph *g, cc_ctx *cx, char *err, size_t errlen) {
  (void)cx, (void)err, (void)errlen;
  for (int i = 0; i < g->n_nodes; i++) {
    ir_node *n = g->nodes[i];
    if (n->dead || n->op != IR_OP_Conv) continue;
    const ir_tensor *y = g->tensors[n->out[0]];
    if (y->type.dtype != IR_F32 || y->type.rank < 3 || y->type.dims[1] < 0) continue;
    int64_t M = y->type.dims[1];
    int tail = n->out[0], tail_idx = i, res = -1, ci;
    const char *act = NULL;
    float lo = -INFINITY, hi = INFINITY;
    ir_node *c;
    /* constant per-channel Add: into the bias */
    while ((c = cc_sole_consumer(g, tail, &ci)) && c->op == IR_OP_Add && res < 0 && !act) {
      int other = c->in[0] == tail ? c->in[1] : c->in[0];
      if (!cc_is_const(g, other) || !cc_per_channel(g->tensors[other], M, y->type.rank) ||
          !cc_same_type(&g->tensors[c->out[0]]->type, &y->type))
        break;
      const ir_tensor *ct = g->tensors[other];
      int64_t cn = ir_type_numel(&ct->type);
      float *nb = xmalloc((size_t)M * sizeof(float));
      const float *ob = n->n_in > 2 && n->in[2] >= 0 ? g->tensors[n->in[2]]->data : NULL;
      for (int64_t m = 0; m < M; m++) nb[m] = (ob ? ob[m] : 0.0f) + ((const float *)ct->data)[cn == 1 ? 0 : m];
      char name[300];
      snprintf(name, sizeof name, "%s_bias", n->name && *n->name ? n->name : g->tensors[n->out[0]]->name);
      int bi = cc_new_const_f32(g, name, &M, 1, nb);
      ir_set_inputs(n, (int[]){n->in[0], n->in[1], bi}, 3);
      /* the Add disappears: the conv now produces its output directly */
      n->out[0] = c->out[0];
      c->dead = 1;
      tail = n->out[0];
      y = g->tensors[tail];
    }
    /* residual Add of a same-shaped tensor */
    if ((c = cc_sole_consumer(g, tail, &ci)) && c->op == IR_OP_Add) {
      int other = c->in[0] == tail ? c->in[1] : c->in[0];
      if (other != tail && !cc_is_const(g, other) && !g->tensors[tail]->quant && same_shape_sym(g, other, tail) &&
          same_shape_sym(g, c->out[0], tail)) {
        res = other;
        c->dead = 1;
        tail = c->out[0];
        tail_idx = ci;
      }
    }
    /* activation (not across a QDQ model's own quantization of the conv's output, unless the
     * activation's output has the same: its rounding there would be lost) */
    if ((c = cc_sole_consumer(g, tail, &ci)) && (c->op == IR_OP_Relu || c->op == IR_OP_Clip) &&
        (!g->tensors[tail]->quant || ir_same_tensor_quant(g->tensors[tail]->quant, g->tensors[c->out[0]]->quant))) {
      int ok = 1;
      if (c->op == IR_OP_Relu) {
        act = "relu";
      } else {
        act = "clip";
        for (int k = 1; k < c->n_in && k < 3; k++) {
          if (c->in[k] < 0) continue;
          const ir_tensor *b = g->tensors[c->in[k]];
          if (!b->data || b->type.dtype != IR_F32 || ir_type_numel(&b->type) != 1) {
            ok = 0;
            break;
          }
          *(k == 1 ? &lo : &hi) = ((const float *)b->data)[0];
        }
      }
      if (ok) {
        c->dead = 1;
        tail = c->out[0];
        tail_idx = ci;
      } else {
        act = NULL;
      }
    }
    if (res < 0 && !act) continue;
    /* the conv becomes the fused node, moved to where the chain ended */
    int in[4] = {n->in[0], n->in[1], n->n_in > 2 ? n->in[2] : -1, res};
    ir_set_inputs(n, in, res >= 0 ? 4 : 3);
    ir_set_op(n, IR_OP_FusedConv);
    ir_set_attr_string(n, "activation", act ? act : "none");
    if (act && !strcmp(act, "clip")) {
      ir_set_attr_float(n, "act_min", lo);
      ir_set_attr_float(n, "act_max", hi);
    }
    n->out[0] = tail;
    memmove(&g->nodes[i], &g->nodes[i + 1], (size_t)(tail_idx - i) * sizeof *g->nodes);
    g->nodes[tail_idx] = n;
    i--; /* the node now at i has not been looked at */
  }
  return IR_OK;
}

/* ---- dce ---- */

/* Nodes none of whose outputs is used (by a live node or as a graph output) are marked dead,
 * last to first, so whole dead chains go in one sweep. */
int cc_dce(ir_graph *g, cc_ctx *cx, char *err, size_t errlen) {
  (void)cx, (void)err, (void)errlen;
  for (int i = g->n_nodes - 1; i >= 0; i--) {
    ir_node *n = g->nodes[i];
    if (n->dead) continue;
    int used = 0;
    for (int j = 0; j < n->n_out && !used; j++) used = n->out[j] >= 0 && ir_use_count(g, n->out[j]) > 0;
    if (!used) n->dead = 1;
  }
  return IR_OK;
}
