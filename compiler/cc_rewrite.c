/* compiler/cc_rewrite.c -- the front end's pattern rewrites, each a pass of the pipeline
 * (cc_pipeline.c): shape arithmetic folded once shapes are static (fold-shapes), activation
 * patterns recognized as one node (fuse-activations: SiLU, HardSwish, GELU, LayerNorm), reductions
 * over H,W as global pooling (reduce-to-pool), explicit Pad and ceil-mode pooling as the
 * consumer's own padding (fold-pad), and a per-channel affine folded into the next convolution
 * (fold-affine). Every rewrite is exact in float arithmetic (up to rounding). See cc.h. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cc.h"
#include "cc_internal.h"
#include "lower.h"
#include "ref.h"
#include "util.h"

static void *xmalloc(size_t n) {
  void *p = malloc(n ? n : 1);
  ALWAYS_ASSERT(p != NULL);
  return p;
}

/* Constant f32 tensor t whose elements are all one value (any shape): that value in *v. */
static int uniform_const(const ir_graph *g, int t, double *v) {
  if (!cc_is_const(g, t) || g->tensors[t]->type.dtype != IR_F32) return 0;
  int64_t n = ir_type_numel(&g->tensors[t]->type);
  const float *d = g->tensors[t]->data;
  for (int64_t i = 1; i < n; i++)
    if (d[i] != d[0]) return 0;
  *v = n > 0 ? d[0] : 0;
  return n > 0;
}

/* Constant f32 (or integer) scalar tensor t (one element): its value in *v. */
static int const_scalar(const ir_graph *g, int t, double *v) {
  if (!cc_is_const(g, t) || ir_type_numel(&g->tensors[t]->type) != 1) return 0;
  *v = ir_get_elem(g->tensors[t]->type.dtype, g->tensors[t]->data, 0);
  return 1;
}

/* The live producer of t if it has op op, else NULL. */
static ir_node *producer_op(const ir_graph *g, int t, ir_op op) {
  int pi;
  if (t < 0) return NULL;
  const ir_node *p = ir_producer(g, t, &pi);
  return p && !p->dead && p->op == op ? (ir_node *)p : NULL;
}

/* ---- fold-shapes ---- */

/* Shape/Gather/Slice over a Shape whose input has unknown extents (a symbolic batch): evaluate n
 * with that Shape's result as a vector holding -1 for the unknown extents; folded (1) when the
 * result contains none of them. */
static int fold_partial_shape(ir_graph *g, ir_node *n, char *err, size_t errlen) {
  ir_node *sh = producer_op(g, n->in[0], IR_OP_Shape);
  if (!sh) return 0;
  const ir_type *xt = &g->tensors[sh->in[0]]->type;
  if (xt->rank < 0) return 0;
  for (int j = 1; j < n->n_in; j++)
    if (n->in[j] >= 0 && !cc_is_const(g, n->in[j])) return 0;
  int64_t b, e, vec[IR_MAX_DIMS];
  ir_shape_range(sh, xt->rank, &b, &e);
  for (int64_t i = b; i < e; i++) vec[i - b] = xt->dims[i];
  ir_value v0 = {.type = {.dtype = IR_I64, .rank = 1, .dims = {e - b}}, .data = vec};
  const ir_value *in[IR_VARIADIC + 1];
  ir_value inv[IR_VARIADIC + 1], out[2];
  in[0] = &v0;
  for (int j = 1; j < n->n_in; j++) {
    in[j] = NULL;
    if (n->in[j] < 0) continue;
    inv[j].type = g->tensors[n->in[j]]->type;
    inv[j].data = g->tensors[n->in[j]]->data;
    in[j] = &inv[j];
  }
  char why[256];
  if (ref_run_node(g, n, in, out, why, sizeof why)) return 0; /* shape-infer reports real errors */
  int64_t cnt = ir_type_numel(&out[0].type);
  for (int64_t i = 0; i < cnt; i++)
    if (((int64_t *)out[0].data)[i] < 0) {
      ir_value_free(&out[0]);
      return 0;
    }
  (void)err, (void)errlen;
  ir_tensor *t = g->tensors[n->out[0]];
  t->type = out[0].type;
  t->data = out[0].data;
  n->dead = 1;
  return 1;
}

/* Nodes in order: each node's output types are inferred (as shape-infer does, leniently: an
 * inconsistency is left for shape-infer to report), then Shape and Size of an input whose
 * extents are known become constants, Gather/Slice of a Shape whose selected extents are known
 * too, and any node whose inputs are now all constant is evaluated. One sweep in topological
 * order folds whole Shape -> Gather -> Unsqueeze -> Concat -> Reshape chains. */
int cc_fold_shapes(ir_graph *g, cc_ctx *cx, char *err, size_t errlen) {
  char why[512];
  for (int i = 0; i < g->n_nodes; i++) {
    ir_node *n = g->nodes[i];
    if (n->dead || n->op == IR_OP_UNKNOWN) continue;
    const ir_type *ti[IR_VARIADIC + 1] = {0};
    const void *di[IR_VARIADIC + 1] = {0};
    ir_type to[IR_VARIADIC + 1];
    ir_node_operands(g, n, IR_VARIADIC + 1, ti, di);
    if (ir_infer_node(g, n, ti, di, to, why, sizeof why) == IR_OK)
      for (int j = 0; j < n->n_out; j++) {
        if (n->out[j] < 0 || cc_is_const(g, n->out[j])) continue;
        const ir_tensor *first = n->n_in > 0 && n->in[0] >= 0 ? g->tensors[n->in[0]] : NULL;
        cc_merge_type(g, cx, n, g->tensors[n->out[j]], &to[j], first, why, sizeof why);
      }
    if ((n->op == IR_OP_Shape || n->op == IR_OP_Size) && !ir_is_graph_input(g, n->out[0])) {
      const ir_type *xt = ti[0];
      int64_t b = 0, e = 0, known = xt->rank >= 0;
      if (known && n->op == IR_OP_Shape) ir_shape_range(n, xt->rank, &b, &e);
      if (known && n->op == IR_OP_Size) e = xt->rank;
      for (int64_t d = b; known && d < e; d++) known = xt->dims[d] >= 0;
      if (!known) continue;
      ir_type st = {.dtype = IR_I64, .rank = n->op == IR_OP_Shape, .dims = {e - b}};
      int64_t *v = xmalloc((size_t)(e - b + 1) * sizeof *v);
      if (n->op == IR_OP_Size) v[0] = ir_type_numel(xt);
      for (int64_t d = b; n->op == IR_OP_Shape && d < e; d++) v[d - b] = xt->dims[d];
      ir_tensor *t = g->tensors[n->out[0]];
      t->type = st;
      t->data = v;
      n->dead = 1;
      continue;
    }
    if ((n->op == IR_OP_Gather || n->op == IR_OP_Slice) && fold_partial_shape(g, n, err, errlen)) continue;
    if (cc_foldable(g, n)) {
      int rc = cc_fold_node(g, n, err, errlen);
      if (rc < 0) return rc;
    }
  }
  return IR_OK;
}

/* ---- fuse-activations ---- */

/* t = 1 + erf(x / sqrt 2) (or erf(x * 1/sqrt 2)); x in *x. */
static int erf_half(const ir_graph *g, int t, int *x) {
  ir_node *add = producer_op(g, t, IR_OP_Add);
  if (!add) return 0;
  double one;
  int k = const_scalar(g, add->in[1], &one) ? 0 : 1;
  if (!const_scalar(g, add->in[1 - k], &one) || one != 1.0) return 0;
  ir_node *erf = producer_op(g, add->in[k], IR_OP_Erf);
  if (!erf) return 0;
  ir_node *d = producer_op(g, erf->in[0], IR_OP_Div);
  double c;
  if (d && const_scalar(g, d->in[1], &c) && fabs(c - 1.4142135623730951) < 1e-5) {
    *x = d->in[0];
    return 1;
  }
  d = producer_op(g, erf->in[0], IR_OP_Mul);
  if (d) {
    int j = const_scalar(g, d->in[1], &c) ? 1 : 0;
    if (const_scalar(g, d->in[j], &c) && fabs(c - 0.7071067811865476) < 1e-6) {
      *x = d->in[1 - j];
      return 1;
    }
  }
  return 0;
}

/* Mul node m computes x * 0.5 * (1 + erf(x / sqrt 2)) in one of its association orders: x in *x. */
static int gelu_pattern(const ir_graph *g, const ir_node *m, int *x) {
  for (int k = 0; k < 2; k++) {
    int a = m->in[k], b = m->in[1 - k];
    double h;
    ir_node *p;
    /* (x * t) * 0.5 */
    if (const_scalar(g, b, &h) && h == 0.5 && (p = producer_op(g, a, IR_OP_Mul)))
      for (int j = 0; j < 2; j++)
        if (erf_half(g, p->in[j], x) && *x == p->in[1 - j]) return 1;
    if ((p = producer_op(g, b, IR_OP_Mul))) {
      for (int j = 0; j < 2; j++) {
        /* x * (t * 0.5) */
        if (const_scalar(g, p->in[1 - j], &h) && h == 0.5 && erf_half(g, p->in[j], x) && *x == a) return 1;
        /* t * (x * 0.5) */
        if (const_scalar(g, p->in[1 - j], &h) && h == 0.5 && erf_half(g, a, x) && *x == p->in[j]) return 1;
      }
    }
  }
  return 0;
}

/* The axes of a rank-r input that Reduce* node n reduces, marked in mark[0..r) (its axes attribute
 * or input, constant); 0 if they cannot be known. */
static int reduce_marks(const ir_graph *g, const ir_node *n, int r, char *mark) {
  const ir_type *ti[2] = {&g->tensors[n->in[0]]->type, n->n_in > 1 && n->in[1] >= 0 ? &g->tensors[n->in[1]]->type : NULL};
  const void *di[2] = {NULL, n->n_in > 1 && n->in[1] >= 0 ? g->tensors[n->in[1]]->data : NULL};
  char why[256];
  return ir_reduce_axes(g, n, ti, di, r, mark, why, sizeof why) == IR_OK;
}

/* Is t = Sub(x, ReduceMean(x, axes)) with axes the trailing ones? Sets *x, *axis (first
 * normalized axis). */
static int centered(const ir_graph *g, int t, int *x, int *axis) {
  ir_node *sub = producer_op(g, t, IR_OP_Sub);
  if (!sub) return 0;
  ir_node *mean = producer_op(g, sub->in[1], IR_OP_ReduceMean);
  if (!mean || mean->in[0] != sub->in[0] || !ir_attr_int(mean, "keepdims", 1)) return 0;
  const ir_type *xt = &g->tensors[sub->in[0]]->type;
  if (xt->rank < 1) return 0;
  char mark[IR_MAX_DIMS];
  if (!reduce_marks(g, mean, xt->rank, mark)) return 0;
  int first = xt->rank;
  while (first > 0 && mark[first - 1]) first--;
  for (int d = 0; d < first; d++)
    if (mark[d]) return 0;
  if (first == xt->rank) return 0;
  *x = sub->in[0];
  *axis = first;
  return 1;
}

/* Div node dv computes (x - mean) / sqrt(mean((x - mean)^2) + eps) over trailing axes. */
static int layernorm_pattern(const ir_graph *g, const ir_node *dv, int *x, int *axis, float *eps) {
  if (!centered(g, dv->in[0], x, axis)) return 0;
  ir_node *sq = producer_op(g, dv->in[1], IR_OP_Sqrt);
  ir_node *add = sq ? producer_op(g, sq->in[0], IR_OP_Add) : NULL;
  if (!add) return 0;
  double e;
  int k = const_scalar(g, add->in[1], &e) ? 0 : 1;
  if (!const_scalar(g, add->in[1 - k], &e) || e < 0) return 0;
  ir_node *var = producer_op(g, add->in[k], IR_OP_ReduceMean);
  if (!var || !ir_attr_int(var, "keepdims", 1)) return 0;
  ir_node *pw = producer_op(g, var->in[0], IR_OP_Pow), *ml = producer_op(g, var->in[0], IR_OP_Mul);
  double two;
  if (pw) {
    if (pw->in[0] != dv->in[0] || !const_scalar(g, pw->in[1], &two) || two != 2.0) return 0;
  } else if (!ml || ml->in[0] != dv->in[0] || ml->in[1] != dv->in[0]) {
    return 0;
  }
  /* the variance reduces over the same axes: check through a synthetic "centered" view */
  const ir_type *xt = &g->tensors[var->in[0]]->type;
  char mark[IR_MAX_DIMS];
  if (xt->rank < 0 || !reduce_marks(g, var, xt->rank, mark)) return 0;
  for (int d = 0; d < xt->rank; d++)
    if (mark[d] != (d >= *axis)) return 0;
  *eps = (float)e;
  return 1;
}

/* Constant c broadcasts onto the normalized (trailing from axis) shape of x without widening it. */
static int fits_trailing(const ir_graph *g, int c, int x, int axis) {
  const ir_type *ct = &g->tensors[c]->type, *xt = &g->tensors[x]->type;
  if (!cc_is_const(g, c) || ct->dtype != IR_F32 || ct->rank > xt->rank - axis) return 0;
  for (int i = 0; i < ct->rank; i++) {
    int64_t d = ct->dims[ct->rank - 1 - i], e = xt->dims[xt->rank - 1 - i];
    if (d != 1 && d != e) return 0;
  }
  return 1;
}

/* Binary node n with a uniform constant operand: its value in *v, the other operand in *x. */
static int scalar_operand(const ir_graph *g, const ir_node *n, int *x, double *v) {
  for (int k = 0; k < 2 && n->n_in == 2; k++)
    if (uniform_const(g, n->in[k], v)) {
      *x = n->in[1 - k];
      return 1;
    }
  return 0;
}

/* t = Clip(x + 3, 0, 6) (relu6(x + 3), hardtanh(x + 3, 0, 6); torch spells relu6 as Relu then
 * Clip(-inf or 0, 6)): x in *x. */
static int relu6_plus3(const ir_graph *g, int t, int *x) {
  ir_node *c = producer_op(g, t, IR_OP_Clip);
  double lo = -INFINITY, hi = INFINITY, three;
  if (!c) return 0;
  if ((c->n_in > 1 && c->in[1] >= 0 && !const_scalar(g, c->in[1], &lo)) ||
             (c->n_in > 2 && c->in[2] >= 0 && !const_scalar(g, c->in[2], &hi))) {
    return 0;
  }
  int u = c->in[0];
  ir_node *r = producer_op(g, u, IR_OP_Relu);
  if (r) u = r->in[0], lo = lo > 0 ? lo : 0;
  ir_node *a = producer_op(g, u, IR_OP_Add);
  return lo == 0 && hi == 6 && a && scalar_operand(g, a, x, &three) && three == 3;
}

/* n divides by 6 or multiplies by 1/6: the other operand in *t. */
static int sixth(const ir_graph *g, const ir_node *n, int *t) {
  double v;
  if (n->op == IR_OP_Div && n->n_in == 2 && uniform_const(g, n->in[1], &v) && v == 6) return *t = n->in[0], 1;
  return n->op == IR_OP_Mul && scalar_operand(g, n, t, &v) && fabs(v - 1.0 / 6) < 1e-7;
}

/* relu6(x + 3) / 6 -> HardSigmoid(x) {1/6, 1/2}; x * relu6(x + 3) / 6 -> HardSwish(x) (MobileNetV3
 * code that spells them out; either is rewritten in place of its Div or Mul by 1/6). */
static int hard_pattern(ir_graph *g, ir_node *n) {
  int t, x = -1;
  if (n->n_out < 1 || n->out[0] < 0 || g->tensors[n->out[0]]->type.dtype != IR_F32 || !sixth(g, n, &t)) return 0;
  ir_op to = IR_OP_UNKNOWN;
  ir_node *m = producer_op(g, t, IR_OP_Mul);
  if (relu6_plus3(g, t, &x)) to = IR_OP_HardSigmoid;
  for (int k = 0; m && m->n_in == 2 && k < 2 && to == IR_OP_UNKNOWN; k++)
    if (relu6_plus3(g, m->in[k], &x) && x == m->in[1 - k]) to = IR_OP_HardSwish;
  if (to == IR_OP_UNKNOWN || !cc_same_type(&g->tensors[x]->type, &g->tensors[n->out[0]]->type)) return 0;
  ir_set_op(n, to);
  ir_set_inputs(n, &x, 1);
  if (to == IR_OP_HardSigmoid) ir_set_attr_float(n, "alpha", 1.0f / 6), ir_set_attr_float(n, "beta", 0.5f);
  return 1;
}

/* Sigmoid(x) * x -> dlvta.Silu(x); HardSigmoid(x) {alpha 1/6, beta 1/2} * x -> HardSwish(x);
 * Tanh(Softplus(x)) * x -> Mish(x); relu6(x + 3) / 6 and x * relu6(x + 3) / 6 -> HardSigmoid,
 * HardSwish (hard_pattern);
 * x * 0.5 * (1 + erf(x / sqrt 2)) (any association) -> Gelu(x); the decomposed layer norm
 * (x - mean) / sqrt(var + eps) over trailing axes [* Scale] [+ B] -> LayerNormalization. The
 * last node of a pattern is rewritten in place; the rest goes in dce when nothing else uses it. */
static void swap_nodes(ir_graph *g, int mi, ir_node *M, int ci, ir_node *c, const ir_type *ut, const char *suffix);
static int pointwise_on(const ir_graph *g, const ir_node *c, int t);

/* Relu or Clip node n (at i) after a MaxPool that only it reads: the two trade places (a
 * nondecreasing function commutes with a maximum; pads take part in neither), so that the
 * activation meets the conv before the pool and fuse joins them (torch's MNIST example:
 * F.relu(F.max_pool2d(conv(x), 2))). 1 if swapped. */
static int act_before_maxpool(ir_graph *g, int i, ir_node *n) {
  if ((n->op != IR_OP_Relu && n->op != IR_OP_Clip) || n->n_out != 1 || n->out[0] < 0 || n->in[0] < 0) return 0;
  int pi;
  ir_node *p = (ir_node *)ir_producer(g, n->in[0], &pi);
  if (!p || p->dead || p->op != IR_OP_MaxPool || !pointwise_on(g, n, p->out[0]) || ir_use_count(g, p->out[0]) != 1 ||
      ir_is_graph_output(g, p->out[0]) || (p->n_out > 1 && p->out[1] >= 0 && ir_use_count(g, p->out[1]) > 0) ||
      !cc_same_type(&g->tensors[p->out[0]]->type, &g->tensors[n->out[0]]->type))
    return 0;
  swap_nodes(g, pi, p, i, n, &g->tensors[p->in[0]]->type, "_act");
  return 1;
}

static int is_pointwise(ir_op op);

/* Pointwise node n (at i: a unary op, e.g. a detection head's Sigmoid) after a node that only
 * moves elements (Reshape, Transpose, Flatten, Squeeze, Unsqueeze) and that only it reads: the
 * two trade places, as often as such nodes precede it, so that the activation meets the conv
 * before them (YOLO's conv -> view -> permute -> sigmoid), where fuse joins it, instead of a
 * CPU step after the layout change. 1 if moved. */
static int act_before_move(ir_graph *g, int i, ir_node *n) {
  int moved = 0;
  while (is_pointwise(n->op) && n->n_out == 1 && n->out[0] >= 0 && n->in[0] >= 0) {
    int pi;
    ir_node *p = (ir_node *)ir_producer(g, n->in[0], &pi);
    if (!p || p->dead || p->n_out != 1 || p->n_in < 1 || p->in[0] < 0 ||
        (p->op != IR_OP_Reshape && p->op != IR_OP_Transpose && p->op != IR_OP_Flatten && p->op != IR_OP_Squeeze &&
         p->op != IR_OP_Unsqueeze) ||
        !pointwise_on(g, n, p->out[0]) || ir_use_count(g, p->out[0]) != 1 || ir_is_graph_output(g, p->out[0]) ||
        g->tensors[p->in[0]]->type.dtype != IR_F32 || !ir_type_known(&g->tensors[p->in[0]]->type) ||
        g->tensors[n->out[0]]->type.dtype != IR_F32)
      break;
    swap_nodes(g, pi, p, i, n, &g->tensors[p->in[0]]->type, "_act");
    i = pi, moved = 1;
  }
  return moved;
}

int cc_fuse_activations(ir_graph *g, cc_ctx *cx, char *err, size_t errlen) {
  int moved = 0;
  for (int i = 0; i < g->n_nodes; i++) {
    ir_node *n = g->nodes[i];
    if (n->dead || hard_pattern(g, n) || act_before_maxpool(g, i, n)) continue;
    if (act_before_move(g, i, n)) {
      moved = 1;
      continue;
    }
    if (n->op == IR_OP_Mul && g->tensors[n->out[0]]->type.dtype == IR_F32) {
      int x = -1;
      ir_op to = IR_OP_UNKNOWN;
      for (int k = 0; k < 2 && to == IR_OP_UNKNOWN; k++) {
        ir_node *p = producer_op(g, n->in[k], IR_OP_Sigmoid);
        if (p && p->in[0] == n->in[1 - k]) to = IR_OP_Silu, x = p->in[0];
        p = producer_op(g, n->in[k], IR_OP_HardSigmoid);
        if (p && p->in[0] == n->in[1 - k] && fabsf(ir_attr_float(p, "alpha", 0.2f) - 1.0f / 6) < 1e-6f &&
            fabsf(ir_attr_float(p, "beta", 0.5f) - 0.5f) < 1e-6f)
          to = IR_OP_HardSwish, x = p->in[0];
        p = producer_op(g, n->in[k], IR_OP_Tanh); /* torch's Mish before opset 18 */
        ir_node *q = p ? producer_op(g, p->in[0], IR_OP_Softplus) : NULL;
        if (q && q->in[0] == n->in[1 - k]) to = IR_OP_Mish, x = q->in[0];
      }
      if (to == IR_OP_UNKNOWN && gelu_pattern(g, n, &x)) to = IR_OP_Gelu;
      if (to == IR_OP_UNKNOWN || !cc_same_type(&g->tensors[x]->type, &g->tensors[n->out[0]]->type)) continue;
      ir_set_op(n, to);
      ir_set_inputs(n, &x, 1);
      continue;
    }
    double slope;
    if (n->op == IR_OP_PRelu && g->tensors[n->out[0]]->type.dtype == IR_F32 && uniform_const(g, n->in[1], &slope)) {
      /* one slope for every element (torch's nn.PReLU() default): a LeakyRelu, a table op */
      int px = n->in[0];
      ir_set_op(n, IR_OP_LeakyRelu);
      ir_set_inputs(n, &px, 1);
      ir_set_attr_float(n, "alpha", (float)slope);
      continue;
    }
    int x, axis;
    float eps;
    if (n->op == IR_OP_Div && layernorm_pattern(g, n, &x, &axis, &eps) &&
        cc_same_type(&g->tensors[x]->type, &g->tensors[n->out[0]]->type)) {
      int in[3] = {x, -1, -1}, tail = n->out[0], ci;
      ir_node *c = cc_sole_consumer(g, tail, &ci), *last = n;
      int k;
      if (c && c->op == IR_OP_Mul && (k = c->in[0] == tail ? 1 : 0, fits_trailing(g, c->in[k], x, axis))) {
        in[1] = c->in[k];
        c->dead = 1, last = c, tail = c->out[0];
        c = cc_sole_consumer(g, tail, &ci);
      }
      if (c && c->op == IR_OP_Add && (k = c->in[0] == tail ? 1 : 0, fits_trailing(g, c->in[k], x, axis))) {
        in[2] = c->in[k];
        c->dead = 1, last = c, tail = c->out[0];
      }
      /* the layer norm takes the place of the last node of the pattern */
      ir_node *ln = ir_add_node(g, IR_OP_LayerNormalization, cc_node_label(g, last), in, in[2] >= 0 ? 3 : in[1] >= 0 ? 2 : 1,
                                &tail, 1);
      ir_set_attr_int(ln, "axis", axis);
      ir_set_attr_float(ln, "epsilon", eps);
      int pos = 0;
      for (int j = 0; j < g->n_nodes; j++)
        if (g->nodes[j] == last) pos = j;
      if (last != n) last->dead = 1;
      else n->dead = 1;
      ir_move_last_node(g, pos + 1);
    }
  }
  /* the replaced patterns' inner nodes go now, so that later passes see single consumers; an
   * activation moved before a layout op leaves that op beside the next one: they merge (ECA's
   * Sigmoid between the Reshapes of its channel conv's output) */
  int rc = moved ? cc_normalize_reshape(g, cx, err, errlen) : IR_OK;
  return rc ? rc : cc_dce(g, cx, err, errlen);
}

/* ---- reduce-to-pool ---- */

/* GlobalMaxPool n of an f32 [N,C,H,W] or [N,C,L] tensor of known extents -> a MaxPool whose
 * window is the whole map (stride 1, no padding): the same maximum, and a pool layer the
 * accelerator runs (as it runs GlobalAveragePool), where GlobalMaxPool has no lowering. */
static void global_max_to_window(ir_graph *g, ir_node *n) {
  const ir_type *xt = &g->tensors[n->in[0]]->type;
  if (n->op != IR_OP_GlobalMaxPool || xt->dtype != IR_F32 || xt->rank < 3 || xt->rank > 4) return;
  int64_t k[2];
  for (int d = 2; d < xt->rank; d++)
    if ((k[d - 2] = xt->dims[d]) <= 0) return;
  ir_set_op(n, IR_OP_MaxPool);
  ir_clear_attrs(n);
  ir_set_attr_ints(n, "kernel_shape", k, xt->rank - 2);
}

/* ReduceMean / ReduceMax over exactly the spatial axes (2..) of an f32 [N,C,...] tensor ->
 * GlobalAveragePool / GlobalMaxPool, followed by a Reshape to [N,C] when keepdims is 0; a
 * GlobalMaxPool (written so or from a ReduceMax) of known extents -> a MaxPool of the whole map. */
/* ReduceMean / ReduceSum node n over exactly the channel axis of a [N,C,H,W] f32 activation
 * whose readers are all Concats or Convs (CBAM's spatial attention: x.mean(1, keepdim=True) joined
 * with the max) -> a 1x1 Conv C -> 1 of weights 1/C (1 for a sum), which the accelerator runs;
 * keepdims 0 gets a Reshape to [N,H,W] after it (index i + 1). A normalization's statistics over
 * the channels (ConvNeXt's channels-first LayerNorm written out) stay with the arithmetic around
 * them, on the CPU. 0 if left, 1 if rewritten, 2 with the Reshape. */
static int channel_reduce_to_conv(ir_graph *g, int i, ir_node *n) {
  const ir_type *xt = n->n_in > 0 && n->in[0] >= 0 ? &g->tensors[n->in[0]]->type : NULL;
  if (!xt || (n->op != IR_OP_ReduceMean && n->op != IR_OP_ReduceSum) || n->n_out != 1 || xt->dtype != IR_F32 ||
      xt->rank != 4 || !ir_type_known(xt) || cc_is_const(g, n->in[0]) || ir_is_graph_output(g, n->out[0]))
    return 0;
  for (int j = i + 1; j < g->n_nodes; j++) {
    const ir_node *c = g->nodes[j];
    for (int k = 0; !c->dead && k < c->n_in; k++)
      if (c->in[k] == n->out[0] && c->op != IR_OP_Concat && !(c->op == IR_OP_Conv && k == 0)) return 0;
  }
  char mark[IR_MAX_DIMS];
  if (!reduce_marks(g, n, 4, mark) || mark[0] || !mark[1] || mark[2] || mark[3]) return 0;
  int64_t C = xt->dims[1];
  float *w = xmalloc((size_t)C * sizeof *w);
  for (int64_t c = 0; c < C; c++) w[c] = n->op == IR_OP_ReduceMean ? 1.0f / (float)C : 1.0f;
  char name[300];
  snprintf(name, sizeof name, "%s_weight", cc_node_label(g, n));
  int wi = cc_new_const_f32(g, name, (int64_t[]){1, C, 1, 1}, 4, w), x = n->in[0], y = n->out[0];
  int keep = (int)ir_attr_int(n, "keepdims", 1);
  ir_clear_attrs(n);
  ir_set_op(n, IR_OP_Conv);
  ir_set_inputs(n, (int[]){x, wi}, 2);
  ir_set_attr_ints(n, "kernel_shape", (int64_t[]){1, 1}, 2);
  if (keep) return 1;
  ir_type ct = *xt;
  ct.dims[1] = 1;
  snprintf(name, sizeof name, "%s_channel", g->tensors[y]->name);
  int mid = ir_add_tensor(g, name, &ct);
  n->out[0] = mid;
  int64_t *shape = xmalloc(3 * sizeof *shape);
  shape[0] = xt->dims[0], shape[1] = xt->dims[2], shape[2] = xt->dims[3];
  ir_type st = {.dtype = IR_I64, .rank = 1, .dims = {3}};
  snprintf(name, sizeof name, "%s_shape", g->tensors[y]->name);
  int si = ir_add_const(g, name, &st, shape);
  snprintf(name, sizeof name, "%s_reshape", cc_node_label(g, n));
  ir_add_node(g, IR_OP_Reshape, name, (int[]){mid, si}, 2, &y, 1);
  ir_move_last_node(g, i + 1);
  return 2;
}

/* A Slice of channels [b, e) of the [1,C,H,W] tensor x, inserted at index *at (then one past it):
 * its output tensor. */
static int channel_slice(ir_graph *g, int x, int64_t b, int64_t e, const char *label, int *at) {
  ir_type yt = g->tensors[x]->type;
  yt.dims[1] = e - b;
  char name[300];
  const int64_t v[3] = {b, e, 1};
  ir_type ct = {.dtype = IR_I64, .rank = 1, .dims = {1}};
  int c[3];
  for (int k = 0; k < 3; k++) {
    int64_t *one = xmalloc(sizeof *one);
    *one = v[k];
    snprintf(name, sizeof name, "%s_%lld_%lld_%c", label, (long long)b, (long long)e, "bea"[k]);
    c[k] = ir_add_const(g, name, &ct, one);
  }
  snprintf(name, sizeof name, "%s_ch%lld_%lld", label, (long long)b, (long long)e);
  int y = ir_add_tensor(g, name, &yt);
  ir_add_node(g, IR_OP_Slice, name, (int[]){x, c[0], c[1], c[2]}, 4, &y, 1);
  ir_move_last_node(g, (*at)++);
  return y;
}

/* ReduceMax node n (at i) over exactly the channel axis of an f32 [1,C,H,W] activation of known
 * extents, keepdims (CBAM's x.amax(1, keepdim=True), beside its channel mean) -> a tree of
 * elementwise Max layers of channel halves (channel slices are views, copied where a half starts
 * inside a block; an odd channel left over joins the next level by a Concat, a view), which the
 * accelerator runs, n the last Max, instead of a CPU step with its conversions. It costs
 * accelerator cycles (a 64-channel 56 x 56 map: +0.33 M, the halves inside a block the most) for
 * the host's pass over the map. The nodes inserted. */
static int channel_max_tree(ir_graph *g, int i, ir_node *n) {
  const ir_type *xt = n->n_in > 0 && n->in[0] >= 0 ? &g->tensors[n->in[0]]->type : NULL;
  if (!xt || n->op != IR_OP_ReduceMax || n->n_out != 1 || xt->dtype != IR_F32 || xt->rank != 4 || !ir_type_known(xt) ||
      xt->dims[0] != 1 || xt->dims[1] < 2 || cc_is_const(g, n->in[0]) || !ir_attr_int(n, "keepdims", 1))
    return 0;
  char mark[IR_MAX_DIMS], name[300];
  if (!reduce_marks(g, n, 4, mark) || mark[0] || !mark[1] || mark[2] || mark[3]) return 0;
  const char *label = cc_node_label(g, n);
  int at = i, cur = n->in[0];
  for (int64_t C = xt->dims[1];;) {
    int64_t h = C / 2;
    int a = channel_slice(g, cur, 0, h, label, &at), b = channel_slice(g, cur, h, 2 * h, label, &at);
    if (C == 2) { /* the last level: n itself */
      ir_set_op(n, IR_OP_Max);
      ir_clear_attrs(n);
      ir_set_inputs(n, (int[]){a, b}, 2);
      return at - i;
    }
    ir_type mt = *xt;
    mt.dims[1] = h;
    snprintf(name, sizeof name, "%s_max%lld", label, (long long)C);
    int m = ir_add_tensor(g, name, &mt);
    ir_add_node(g, IR_OP_Max, name, (int[]){a, b}, 2, &m, 1);
    ir_move_last_node(g, at++);
    if (C % 2) { /* the channel left over joins the next level */
      int l = channel_slice(g, cur, 2 * h, C, label, &at);
      mt.dims[1] = h + 1;
      snprintf(name, sizeof name, "%s_join%lld", label, (long long)C);
      int j = ir_add_tensor(g, name, &mt);
      ir_node *cn = ir_add_node(g, IR_OP_Concat, name, (int[]){m, l}, 2, &j, 1);
      ir_set_attr_int(cn, "axis", 1);
      ir_move_last_node(g, at++);
      m = j, h++;
    }
    cur = m, C = h;
  }
}

/* ReduceMean / ReduceMax node n over one spatial axis of an f32 [N,C,H,W] activation of known
 * extents, keepdims (coordinate attention's x.mean(3, keepdim=True)) -> an AveragePool / MaxPool
 * whose window is that whole axis (H x 1 or 1 x W): the same values, a pool layer on the
 * accelerator instead of a CPU step. 1 if rewritten. */
static int axis_reduce_to_pool(ir_graph *g, ir_node *n) {
  const ir_type *xt = n->n_in > 0 && n->in[0] >= 0 ? &g->tensors[n->in[0]]->type : NULL;
  if (!xt || (n->op != IR_OP_ReduceMean && n->op != IR_OP_ReduceMax) || n->n_out != 1 || xt->dtype != IR_F32 ||
      xt->rank != 4 || !ir_type_known(xt) || cc_is_const(g, n->in[0]) || !ir_attr_int(n, "keepdims", 1))
    return 0;
  char mark[IR_MAX_DIMS];
  if (!reduce_marks(g, n, 4, mark) || mark[0] || mark[1] || mark[2] == mark[3]) return 0;
  int64_t k[2] = {mark[2] ? xt->dims[2] : 1, mark[3] ? xt->dims[3] : 1};
  int x = n->in[0];
  ir_set_op(n, n->op == IR_OP_ReduceMean ? IR_OP_AveragePool : IR_OP_MaxPool);
  ir_set_inputs(n, &x, 1);
  ir_clear_attrs(n);
  ir_set_attr_ints(n, "kernel_shape", k, 2);
  return 1;
}

int cc_reduce_to_pool(ir_graph *g, cc_ctx *cx, char *err, size_t errlen) {
  (void)cx, (void)err, (void)errlen;
  for (int i = 0; i < g->n_nodes; i++) global_max_to_window(g, g->nodes[i]);
  for (int i = 0; i < g->n_nodes; i++)
    if (!g->nodes[i]->dead) axis_reduce_to_pool(g, g->nodes[i]);
  for (int i = 0; cx && cx->cfg && i < g->n_nodes; i++)
    if (!g->nodes[i]->dead) i += channel_max_tree(g, i, g->nodes[i]);
  for (int i = 0; i < g->n_nodes; i++)
    if (!g->nodes[i]->dead && channel_reduce_to_conv(g, i, g->nodes[i]) == 2) i++;
  for (int i = 0; i < g->n_nodes; i++) {
    ir_node *n = g->nodes[i];
    if (n->dead || (n->op != IR_OP_ReduceMean && n->op != IR_OP_ReduceMax)) continue;
    const ir_type *xt = &g->tensors[n->in[0]]->type;
    if (xt->dtype != IR_F32 || xt->rank < 3) continue;
    char mark[IR_MAX_DIMS];
    if (!reduce_marks(g, n, xt->rank, mark)) continue;
    int ok = !mark[0] && !mark[1];
    for (int d = 2; d < xt->rank; d++) ok &= mark[d];
    if (!ok) continue;
    int keep = (int)ir_attr_int(n, "keepdims", 1), y = n->out[0];
    const ir_type *yt = &g->tensors[y]->type;
    int unknown = (yt->dims[0] < 0) + (yt->dims[1] < 0);
    if (!keep && unknown > 1) continue;
    ir_op pool = n->op == IR_OP_ReduceMean ? IR_OP_GlobalAveragePool : IR_OP_GlobalMaxPool;
    ir_set_op(n, pool);
    int x = n->in[0];
    ir_set_inputs(n, &x, 1);
    ir_clear_attrs(n);
    global_max_to_window(g, n);
    if (keep) continue;
    /* pooled [N,C,1,..] then Reshape to the ReduceMean's [N,C] */
    ir_type pt = *xt;
    for (int d = 2; d < pt.rank; d++) pt.dims[d] = 1;
    char name[300];
    snprintf(name, sizeof name, "%s_pooled", g->tensors[y]->name);
    int mid = ir_add_tensor(g, name, &pt);
    n->out[0] = mid;
    int64_t *shape = xmalloc(2 * sizeof *shape);
    shape[0] = yt->dims[0] < 0 ? -1 : yt->dims[0];
    shape[1] = yt->dims[1] < 0 ? -1 : yt->dims[1];
    snprintf(name, sizeof name, "%s_shape", g->tensors[y]->name);
    ir_type st = {.dtype = IR_I64, .rank = 1, .dims = {2}};
    int si = ir_add_const(g, name, &st, shape);
    snprintf(name, sizeof name, "%s_reshape", cc_node_label(g, n));
    ir_add_node(g, IR_OP_Reshape, name, (int[]){mid, si}, 2, &y, 1);
    ir_move_last_node(g, i + 1);
    i++;
  }
  return IR_OK;
}

/* ---- fold-pad ---- */

/* Is t surely >= 0 (the output of a Relu, or of a Clip with a lower bound >= 0)? */
static int nonnegative(const ir_graph *g, int t) {
  if (producer_op(g, t, IR_OP_Relu)) return 1;
  ir_node *c = producer_op(g, t, IR_OP_Clip);
  double lo;
  if (!c) return 0;
  return c->n_in > 1 && c->in[1] >= 0 && const_scalar(g, c->in[1], &lo) && lo >= 0;
}

/* Does a ceil_mode pool c (rank r) give the same output extents when the explicit padding pads
 * that made its input t moves into its own pads? Not when the move makes the last window start in
 * padding, which ceil_mode then drops (a Pad of 1 before a 2x2 / 2 pool of 25 columns: 14
 * windows over the 27 padded ones, 13 with the pads its own). */
static int ceil_pool_keeps_extents(const ir_graph *g, const ir_node *c, int t, const int64_t *pads, int r) {
  if (c->op != IR_OP_MaxPool && c->op != IR_OP_AveragePool) return 1;
  if (!ir_attr_int(c, "ceil_mode", 0)) return 1;
  const ir_type *tt = &g->tensors[t]->type;
  int cnt, kc, sc, dc;
  const int64_t *pd = ir_attr_ints(c, "pads", &cnt), *ks = ir_attr_ints(c, "kernel_shape", &kc),
                *st = ir_attr_ints(c, "strides", &sc), *dl = ir_attr_ints(c, "dilations", &dc);
  if (tt->rank != r || !ks || kc != r - 2 || (pd && cnt != 2 * (r - 2)) || (st && sc != r - 2) || (dl && dc != r - 2))
    return 0;
  for (int k = 0; k < r - 2; k++) {
    int64_t in = tt->dims[2 + k], pb = pd ? pd[k] : 0, pe = pd ? pd[r - 2 + k] : 0;
    int64_t ext = (ks[k] - 1) * (dl ? dl[k] : 1) + 1, s = st ? st[k] : 1;
    if (in < 0 || s < 1) return 0;
    if (ir_window_out(in, pb, pe, ext, s, 1) !=
        ir_window_out(in - pads[2 + k] - pads[r + 2 + k], pb + pads[2 + k], pe + pads[r + 2 + k], ext, s, 1))
      return 0;
  }
  return 1;
}

/* Can consumer c take an extra zero padding (pads over r axes) of its input t? Conv (zero padding
 * by definition), AveragePool with count_include_pad (set when it had no padding of its own),
 * and MaxPool when t is >= 0 and every window keeps a real element (a zero then never beats the
 * window's maximum, as -inf padding would not); a ceil_mode pool only when its output extents
 * stay. */
static int takes_zero_pad(const ir_graph *g, const ir_node *c, int t, int src, const int64_t *pads, int r) {
  if (c->in[0] != t || strcmp(ir_attr_string(c, "auto_pad", "NOTSET"), "NOTSET")) return 0;
  for (int k = 1; k < c->n_in; k++)
    if (c->in[k] == t) return 0;
  if (c->op == IR_OP_Conv) return 1;
  if (!ceil_pool_keeps_extents(g, c, t, pads, r)) return 0;
  if (c->op == IR_OP_MaxPool) {
    int cnt, kc, dc;
    const int64_t *pd = ir_attr_ints(c, "pads", &cnt), *ks = ir_attr_ints(c, "kernel_shape", &kc),
                  *dl = ir_attr_ints(c, "dilations", &dc);
    if (!nonnegative(g, src) || !ks || kc != r - 2 || (pd && cnt != 2 * (r - 2)) || (dl && dc != r - 2)) return 0;
    for (int k = 0; k < r - 2; k++) {
      int64_t ext = (ks[k] - 1) * (dl ? dl[k] : 1) + 1;
      if ((pd ? pd[k] : 0) + pads[2 + k] >= ext || (pd ? pd[r - 2 + k] : 0) + pads[r + 2 + k] >= ext) return 0;
    }
    return 1;
  }
  if (c->op != IR_OP_AveragePool) return 0;
  int cnt;
  const int64_t *pd = ir_attr_ints(c, "pads", &cnt);
  int padded = 0;
  for (int k = 0; pd && k < cnt; k++) padded |= pd[k] != 0;
  return ir_attr_int(c, "count_include_pad", 0) || !padded;
}

/* Add the spatial pads of a Pad (pads over all r axes) to consumer c's pads. */
static void add_pads(ir_node *c, const int64_t *pads, int r) {
  int nsp = r - 2, cnt;
  int64_t np[2 * IR_MAX_DIMS];
  const int64_t *old = ir_attr_ints(c, "pads", &cnt);
  for (int k = 0; k < nsp; k++) {
    np[k] = (old && cnt == 2 * nsp ? old[k] : 0) + pads[2 + k];
    np[nsp + k] = (old && cnt == 2 * nsp ? old[nsp + k] : 0) + pads[r + 2 + k];
  }
  ir_set_attr_ints(c, "pads", np, 2 * nsp);
  if (c->op == IR_OP_AveragePool) ir_set_attr_int(c, "count_include_pad", 1);
}

/* Conv n (constant weights, 2-D, input extents known, explicit pads): the kernel taps that read
 * only padding for every output position (a dilated conv whose dilation passes the map: an ASPP
 * branch of rate 24 on a 14 x 14 map reads its centre tap alone) are dropped from the kernel's
 * leading and trailing rows and columns, with the pads that fed them; the output is the same.
 * 1 if the conv changed. */
static int trim_dead_taps(ir_graph *g, ir_node *n) {
  if (n->op != IR_OP_Conv || n->n_in < 2 || n->in[0] < 0) return 0;
  const ir_type *xt = &g->tensors[n->in[0]]->type;
  int W = n->in[1];
  if (xt->rank != 4 || W < 0 || !cc_is_const(g, W) ||
      strcmp(ir_attr_string(n, "auto_pad", "NOTSET"), "NOTSET") || xt->dims[2] < 1 || xt->dims[3] < 1)
    return 0;
  const ir_type *wt = &g->tensors[W]->type;
  if (wt->dtype != IR_F32 || wt->rank != 4 || !ir_type_known(wt)) return 0;
  ir_window w;
  char why[256];
  if (ir_window_geometry(g, n, xt->dims + 2, 2, wt->dims + 2, &w, why, sizeof why) || w.kernel[0] != wt->dims[2] ||
      w.kernel[1] != wt->dims[3] || w.out[0] < 1 || w.out[1] < 1)
    return 0; /* a kernel_shape that is not the weights' is shape inference's error to report */
  int64_t lo[2], hi[2], pads[4];
  int any = 0;
  for (int d = 0; d < 2; d++) { /* tap k reads o * s - pad_b + k * dil for o in [0, out) */
    int64_t first = -w.pad_b[d], last = (w.out[d] - 1) * w.stride[d] - w.pad_b[d];
    lo[d] = 0, hi[d] = w.kernel[d] - 1;
    while (lo[d] < hi[d] && last + lo[d] * w.dil[d] < 0) lo[d]++;
    while (hi[d] > lo[d] && first + hi[d] * w.dil[d] >= w.in[d]) hi[d]--;
    pads[d] = w.pad_b[d] - lo[d] * w.dil[d];
    pads[2 + d] = w.pad_e[d] - (w.kernel[d] - 1 - hi[d]) * w.dil[d];
    if (pads[d] < 0 || pads[2 + d] < 0) return 0;
    any |= lo[d] > 0 || hi[d] < w.kernel[d] - 1;
  }
  if (!any) return 0;
  int64_t M = wt->dims[0], C = wt->dims[1], KH = wt->dims[2], KW = wt->dims[3];
  int64_t kh = hi[0] - lo[0] + 1, kw = hi[1] - lo[1] + 1;
  float *nw = xmalloc((size_t)(M * C * kh * kw) * sizeof(float));
  const float *ow = g->tensors[W]->data;
  for (int64_t mc = 0; mc < M * C; mc++)
    for (int64_t y = 0; y < kh; y++)
      for (int64_t x = 0; x < kw; x++) nw[(mc * kh + y) * kw + x] = ow[(mc * KH + lo[0] + y) * KW + lo[1] + x];
  char name[300];
  snprintf(name, sizeof name, "%s_taps", g->tensors[W]->name);
  n->in[1] = cc_new_const_f32(g, name, (int64_t[]){M, C, kh, kw}, 4, nw);
  ir_set_attr_ints(n, "pads", pads, 4);
  ir_set_attr_ints(n, "kernel_shape", (int64_t[]){kh, kw}, 2);
  if (kh == 1 && kw == 1) ir_del_attr(n, "dilations");
  return 1;
}

/* 2-D Conv n (at index i) with pads beyond maxp (what a load's pad fields hold): the excess goes
 * into zero Pad nodes before it, each of at most maxp a side (each an identity copy with padding
 * on the accelerator). The number of nodes inserted. */
int cc_split_big_pads(ir_graph *g, int i, ir_node *n, int64_t maxp) {
  if (n->op != IR_OP_Conv || n->n_in < 2 || n->in[0] < 0) return 0;
  ir_type t = g->tensors[n->in[0]]->type;
  int cnt, big = 0, added = 0, x = n->in[0];
  const int64_t *pd = ir_attr_ints(n, "pads", &cnt);
  if (n->op != IR_OP_Conv || t.rank != 4 || !ir_type_known(&t) || !pd || cnt != 4 ||
      strcmp(ir_attr_string(n, "auto_pad", "NOTSET"), "NOTSET"))
    return 0;
  int64_t rest[4];
  for (int k = 0; k < 4; k++) rest[k] = pd[k], big |= pd[k] > maxp;
  while (big) {
    int64_t *p = xmalloc(8 * sizeof *p); /* the Pad's pads: N, C, H, W begins, then ends */
    big = 0;
    for (int k = 0; k < 4; k++) {
      int64_t e = rest[k] > maxp ? rest[k] - maxp : 0;
      e = e < maxp ? e : maxp;
      rest[k] -= e, big |= rest[k] > maxp;
      p[k < 2 ? 2 + k : 4 + k] = e;
    }
    p[0] = p[1] = p[4] = p[5] = 0;
    t.dims[2] += p[2] + p[6], t.dims[3] += p[3] + p[7];
    char name[300], cname[320];
    snprintf(name, sizeof name, "%s_pad%d", cc_node_label(g, n), added);
    int y = ir_add_tensor(g, name, &t);
    snprintf(cname, sizeof cname, "%s_pads", name);
    ir_type pt = {.dtype = IR_I64, .rank = 1, .dims = {8}};
    int pc = ir_add_const(g, cname, &pt, p);
    ir_add_node(g, IR_OP_Pad, name, (int[]){x, pc}, 2, &y, 1);
    ir_move_last_node(g, i + added);
    x = y, added++;
  }
  if (added) n->in[0] = x, ir_set_attr_ints(n, "pads", rest, 4);
  return added;
}

/* The first factor a (2..16) of extent e such that e / a is a whole number of at most 16, or 0. */
static int64_t two_factors(int64_t e) {
  for (int64_t a = 2; a <= 16; a++)
    if (e % a == 0 && e / a <= 16) return a;
  return 0;
}

/* Resize node n (at i) of a [N,C,1,1] map (DeepLab's pooled ASPP branch): whatever its mode, a
 * broadcast. Beyond the upsampling layer's 16 on an axis it becomes two nearest upsamplings
 * (to a x b, then to H x W by whole factors: asymmetric + floor). The number of nodes inserted. */
static int split_broadcast(ir_graph *g, int i, ir_node *n) {
  if (n->op != IR_OP_Resize || n->n_in < 1 || n->in[0] < 0 || n->n_out != 1 || n->out[0] < 0 ||
      !ir_resize_modes_ok(n))
    return 0;
  const char *mode = ir_attr_string(n, "mode", "nearest");
  const ir_type *xt = &g->tensors[n->in[0]]->type, *yt = &g->tensors[n->out[0]]->type;
  if ((strcmp(mode, "nearest") && strcmp(mode, "linear")) || xt->rank != 4 || yt->rank != 4 || !ir_type_known(xt) ||
      !ir_type_known(yt) || xt->dtype != IR_F32 || xt->dims[2] != 1 || xt->dims[3] != 1 || yt->dims[0] != xt->dims[0] ||
      yt->dims[1] != xt->dims[1] || (yt->dims[2] <= 16 && yt->dims[3] <= 16))
    return 0;
  int64_t a = yt->dims[2] <= 16 ? 1 : two_factors(yt->dims[2]), b = yt->dims[3] <= 16 ? 1 : two_factors(yt->dims[3]);
  if (!a || !b) return 0;
  int64_t *sz = xmalloc(4 * sizeof *sz), *sz2 = xmalloc(4 * sizeof *sz2);
  sz[0] = sz2[0] = xt->dims[0], sz[1] = sz2[1] = xt->dims[1], sz[2] = a, sz[3] = b;
  sz2[2] = yt->dims[2], sz2[3] = yt->dims[3];
  ir_type st = {.dtype = IR_I64, .rank = 1, .dims = {4}}, ut = *xt;
  ut.dims[2] = a, ut.dims[3] = b;
  char name[300], cname[320];
  snprintf(name, sizeof name, "%s_bcast", cc_node_label(g, n));
  int u = ir_add_tensor(g, name, &ut);
  snprintf(cname, sizeof cname, "%s_sizes", name);
  int c1 = ir_add_const(g, cname, &st, sz);
  snprintf(cname, sizeof cname, "%s_sizes2", name);
  int c2 = ir_add_const(g, cname, &st, sz2);
  ir_node *r = ir_add_node(g, IR_OP_Resize, name, (int[]){n->in[0], -1, -1, c1}, 4, &u, 1);
  ir_node *m[2] = {r, n};
  for (int k = 0; k < 2; k++) { /* both nearest, o -> o / factor */
    static const char *const drop[] = {"cubic_coeff_a", "exclude_outside", "extrapolation_value", "antialias", "axes",
                                       "keep_aspect_ratio_policy"};
    for (size_t d = 0; d < sizeof drop / sizeof drop[0]; d++) ir_del_attr(m[k], drop[d]);
    ir_set_attr_string(m[k], "mode", "nearest");
    ir_set_attr_string(m[k], "coordinate_transformation_mode", "asymmetric");
    ir_set_attr_string(m[k], "nearest_mode", "floor");
  }
  ir_move_last_node(g, i);
  ir_set_inputs(n, (int[]){u, -1, -1, c2}, 4);
  return 1;
}

/* A constant zero Pad of the spatial axes whose every consumer is a Conv (or an AveragePool that
 * counts padding, or a MaxPool of a non-negative input) disappears into their pads. MaxPool and AveragePool with ceil_mode 1 get the
 * end padding that gives the same windows with ceil_mode 0 (max pooling pads with -inf, so the
 * extra windows see only real elements; an average that excludes padding divides by the same
 * count). A Conv loses the kernel taps that read only padding (trim_dead_taps); with a target,
 * what padding it still has beyond the load's pad fields moves into Pad nodes (split_big_pads), and
 * a Resize of a 1 x 1 map beyond the upsampling's 16 becomes two (split_broadcast). */
/* Is node n a crop of the spatial axes of a [1,C,H,W] float activation (a Pad with negative
 * amounts: a UNet's F.pad of an upsampled map one pixel larger than its skip; a Slice of H and W
 * by step 1: x[:, :, :h, :w]), with zero padding on other sides? Then b[k], e[k] (k = 0 for H,
 * 1 for W) are the amounts before and after: negative cropped, positive zero padded; each
 * axis crops at most maxc pixels. */
static int spatial_crop(const ir_graph *g, const ir_node *n, int64_t maxc, int64_t *b, int64_t *e) {
  const ir_type *xt = n->n_in > 0 && n->in[0] >= 0 ? &g->tensors[n->in[0]]->type : NULL;
  if (!xt || (n->op != IR_OP_Pad && n->op != IR_OP_Slice) || n->n_out != 1 || xt->rank != 4 || !ir_type_known(xt) ||
      xt->dtype != IR_F32 || xt->dims[0] != 1 || cc_is_const(g, n->in[0]))
    return 0;
  const ir_type *ti[5] = {0};
  const void *di[5] = {0};
  ir_node_operands(g, n, 5, ti, di);
  char err[256];
  int64_t a[8], st[4], sp[4], len[4], neg = 0, pos = 0;
  if (n->op == IR_OP_Pad) {
    if (ir_pad_amounts(g, n, ti, di, 4, a, err, sizeof err) != IR_OK || a[0] || a[1] || a[4] || a[5]) return 0;
  } else {
    if (ir_slice_geometry(g, n, ti, di, st, sp, len, err, sizeof err) != IR_OK) return 0;
    for (int d = 0; d < 4; d++) {
      if (sp[d] != 1 || (d < 2 && (st[d] != 0 || len[d] != xt->dims[d]))) return 0;
      a[d] = -st[d], a[4 + d] = st[d] + len[d] - xt->dims[d];
    }
  }
  for (int k = 0; k < 2; k++) {
    b[k] = a[2 + k], e[k] = a[6 + k];
    neg |= b[k] < 0 || e[k] < 0, pos |= b[k] > 0 || e[k] > 0;
    if ((b[k] < 0 ? -b[k] : 0) + (e[k] < 0 ? -e[k] : 0) > maxc || b[k] > maxc || e[k] > maxc) return 0;
  }
  if (!neg) return 0;
  if (pos && n->op == IR_OP_Pad) { /* padding too: zeros only */
    int v = n->n_in > 2 ? n->in[2] : -1;
    if (strcmp(ir_attr_string(n, "mode", "constant"), "constant") ||
        (v >= 0 && (!cc_is_const(g, v) || ir_get_elem(g->tensors[v]->type.dtype, g->tensors[v]->data, 0) != 0)))
      return 0;
  }
  return 1;
}

/* Node n (its input a [1,C,H,W] map) becomes a depthwise Conv of C channels whose k[0] x k[1]
 * kernel is one at tap (ty, tx) and zero elsewhere (weights "<label>_<what>_weight"); the caller
 * adds pads or strides. */
static void tap_conv(ir_graph *g, ir_node *n, int64_t C, const int64_t *k, int64_t ty, int64_t tx, const char *what) {
  float *w = xmalloc((size_t)(C * k[0] * k[1]) * sizeof *w);
  memset(w, 0, (size_t)(C * k[0] * k[1]) * sizeof *w);
  for (int64_t c = 0; c < C; c++) w[(c * k[0] + ty) * k[1] + tx] = 1.0f;
  char name[300];
  snprintf(name, sizeof name, "%s_%s_weight", cc_node_label(g, n), what);
  int wi = cc_new_const_f32(g, name, (int64_t[]){C, 1, k[0], k[1]}, 4, w);
  int x = n->in[0];
  ir_clear_attrs(n);
  ir_set_op(n, IR_OP_Conv);
  ir_set_inputs(n, (int[]){x, wi}, 2);
  ir_set_attr_ints(n, "kernel_shape", k, 2);
  ir_set_attr_int(n, "group", C);
}

/* A spatial crop (spatial_crop) -> a depthwise Conv whose kernel spans the cropped pixels of each
 * axis and is one at the first kept one (so output pixel y reads input pixel y + cropped before),
 * its pads the zero padding: the accelerator runs it (was a CPU step); float outputs unchanged,
 * the weights exact in int8 (one per channel). 1 if n was rewritten. */
static int crop_to_conv(ir_graph *g, ir_node *n) {
  int64_t b[2], e[2];
  if (!spatial_crop(g, n, cc_max_pad(), b, e)) return 0;
  int64_t C = g->tensors[n->in[0]]->type.dims[1], k[2], pads[4];
  for (int d = 0; d < 2; d++) {
    k[d] = 1 + (b[d] < 0 ? -b[d] : 0) + (e[d] < 0 ? -e[d] : 0);
    pads[d] = b[d] > 0 ? b[d] : 0, pads[2 + d] = e[d] > 0 ? e[d] : 0;
  }
  tap_conv(g, n, C, k, b[0] < 0 ? -b[0] : 0, b[1] < 0 ? -b[1] : 0, "crop");
  ir_set_attr_ints(n, "pads", pads, 4);
  return 1;
}

#define STRIDED_SLICE_MAX_K 16 /* the largest kernel strided_slice_to_conv makes */

/* A Slice of the spatial axes of a [1,C,H,W] f32 activation with a step above 1 on one of them
 * (YOLOv5's Focus: x[..., ::2, ::2], x[..., 1::2, ::2], ...): a depthwise Conv with the steps as
 * its strides, no padding, and per axis a kernel of in - (len - 1) * step taps (so that exactly
 * len windows fit) that is one at the slice's start: output pixel y reads input pixel
 * start + y * step, exactly. The accelerator runs it (was a CPU step). 1 if n was rewritten. */
static int strided_slice_to_conv(ir_graph *g, ir_node *n) {
  const ir_type *xt = n->n_in > 0 && n->in[0] >= 0 ? &g->tensors[n->in[0]]->type : NULL;
  if (!xt || n->op != IR_OP_Slice || n->n_out != 1 || xt->rank != 4 || !ir_type_known(xt) || xt->dtype != IR_F32 ||
      xt->dims[0] != 1 || cc_is_const(g, n->in[0]))
    return 0;
  const ir_type *ti[5] = {0};
  const void *di[5] = {0};
  ir_node_operands(g, n, 5, ti, di);
  char err[256];
  int64_t st[4], sp[4], len[4], k[2];
  if (ir_slice_geometry(g, n, ti, di, st, sp, len, err, sizeof err) != IR_OK || (sp[2] < 2 && sp[3] < 2)) return 0;
  for (int d = 0; d < 4; d++)
    if (sp[d] < 1 || len[d] < 1 || (d < 2 && (st[d] != 0 || len[d] != xt->dims[d] || sp[d] != 1))) return 0;
  for (int d = 0; d < 2; d++) {
    k[d] = xt->dims[2 + d] - (len[2 + d] - 1) * sp[2 + d];
    if (k[d] < 1 || k[d] > STRIDED_SLICE_MAX_K || st[2 + d] >= k[d]) return 0;
  }
  tap_conv(g, n, xt->dims[1], k, st[2], st[3], "stride");
  ir_set_attr_ints(n, "strides", (int64_t[]){sp[2], sp[3]}, 2);
  return 1;
}

int cc_fold_pad(ir_graph *g, cc_ctx *cx, char *err, size_t errlen) {
  for (int i = 0; i < g->n_nodes; i++) {
    ir_node *n = g->nodes[i];
    if (n->dead) continue;
    if (cx && cx->cfg && !strided_slice_to_conv(g, n)) crop_to_conv(g, n); /* then its pads, as any Conv's */
    if (n->op == IR_OP_Pad) {
      int64_t pads[2 * IR_MAX_DIMS];
      int r, y = n->out[0], ok = 1, uses = 0;
      if (!cc_zero_spatial_pad(g, n, pads, &r) || ir_is_graph_output(g, y)) continue;
      for (int j = i + 1; j < g->n_nodes && ok; j++) {
        ir_node *c = g->nodes[j];
        if (c->dead) continue;
        for (int k = 0; k < c->n_in; k++)
          if (c->in[k] == y) ok = takes_zero_pad(g, c, y, n->in[0], pads, r), uses++;
      }
      if (!ok || !uses) continue;
      for (int j = i + 1; j < g->n_nodes; j++) {
        ir_node *c = g->nodes[j];
        if (c->dead || c->in[0] != y) continue;
        add_pads(c, pads, r);
        c->in[0] = n->in[0];
      }
      n->dead = 1;
      continue;
    }
    int moved = cx && cx->cfg ? cc_split_big_pads(g, i, n, cc_max_pad()) + split_broadcast(g, i, n) : 0;
    if (moved) { /* n is at i + moved now */
      i += moved;
      continue;
    }
    if (trim_dead_taps(g, n)) continue;
    if ((n->op != IR_OP_MaxPool && n->op != IR_OP_AveragePool) || !ir_attr_int(n, "ceil_mode", 0)) continue;
    if (n->op == IR_OP_AveragePool && ir_attr_int(n, "count_include_pad", 0)) continue;
    if (strcmp(ir_attr_string(n, "auto_pad", "NOTSET"), "NOTSET")) continue;
    const ir_type *xt = &g->tensors[n->in[0]]->type;
    if (xt->rank < 3) continue;
    int nsp = xt->rank - 2, known = 1;
    for (int d = 0; d < nsp; d++) known &= xt->dims[2 + d] >= 0;
    if (!known) continue;
    ir_window w;
    if (ir_window_geometry(g, n, xt->dims + 2, nsp, NULL, &w, err, errlen)) return IR_ERR;
    int64_t np[2 * IR_MAX_DIMS];
    for (int d = 0; d < nsp; d++) {
      int64_t ext = (w.kernel[d] - 1) * w.dil[d] + 1, need = (w.out[d] - 1) * w.stride[d] + ext - w.in[d] - w.pad_b[d];
      np[d] = w.pad_b[d];
      np[nsp + d] = need > w.pad_e[d] ? need : w.pad_e[d];
    }
    ir_set_attr_ints(n, "pads", np, 2 * nsp);
    ir_del_attr(n, "ceil_mode");
  }
  return IR_OK;
}

/* ---- fold-affine ---- */

/* The buffer for Conv c's rewritten weights (n floats, written element by element after that
 * element is read): the weights' own when nothing else reads them (taken from their tensor,
 * which c then no longer uses), else a new one. A transformer's or a ResNet's weights are not
 * copied for a bias or scale folded into them. */
static float *affine_weights_buf(ir_graph *g, const ir_node *c, int64_t n) {
  int wt = c->in[1];
  ir_tensor *w = g->tensors[wt];
  if (ir_use_count(g, wt) != 1 || ir_is_graph_output(g, wt) || ir_is_graph_input(g, wt))
    return xmalloc((size_t)n * sizeof(float));
  float *own = w->data;
  w->data = NULL;
  return own;
}

/* Fold y = x * s (+ t) per input channel into Conv c (weights W [M, C/group, k...], bias B):
 * W'[m,c,k] = W[m,c,k] * s[c], B'[m] = B[m] + sum_{c,k} W[m,c,k] * t[c]. s or t may be NULL. */
static void fold_affine_into_conv(ir_graph *g, ir_node *c, int x, const float *s, const float *t) {
  const ir_tensor *w = g->tensors[c->in[1]];
  int64_t M = w->type.dims[0], Cg = w->type.dims[1], per = ir_type_numel(&w->type) / (M * Cg);
  int64_t group = ir_attr_int(c, "group", 1), Mg = M / group;
  const float *ow = w->data;
  const float *ob = c->n_in > 2 && c->in[2] >= 0 ? g->tensors[c->in[2]]->data : NULL;
  float *nw = affine_weights_buf(g, c, M * Cg * per), *nb = xmalloc((size_t)M * sizeof(float));
  for (int64_t m = 0; m < M; m++) {
    double acc = ob ? ob[m] : 0.0;
    for (int64_t cl = 0; cl < Cg; cl++) {
      int64_t ch = (m / Mg) * Cg + cl;
      for (int64_t k = 0; k < per; k++) {
        float v = ow[(m * Cg + cl) * per + k];
        if (t) acc += (double)v * t[ch];
        nw[(m * Cg + cl) * per + k] = s ? v * s[ch] : v;
      }
    }
    nb[m] = (float)acc;
  }
  char name[300];
  snprintf(name, sizeof name, "%s_affold", w->name);
  int wi = cc_new_const_f32(g, name, w->type.dims, w->type.rank, nw);
  snprintf(name, sizeof name, "%s_bias_affold", cc_node_label(g, c));
  int bi = cc_new_const_f32(g, name, &M, 1, nb);
  ir_set_inputs(c, (int[]){x, wi, bi}, 3);
}

/* Per-channel constant of node n (Mul or Add with one constant operand per channel of C): the
 * expanded [C] values in v (owned by the caller), the other operand in *x. */
static int channel_const(const ir_graph *g, const ir_node *n, int64_t C, int r, float **v, int *x) {
  for (int k = 0; k < 2; k++) {
    int ci = n->in[k];
    if (!cc_is_const(g, ci) || cc_is_const(g, n->in[1 - k]) || !cc_per_channel(g->tensors[ci], C, r)) continue;
    const ir_tensor *ct = g->tensors[ci];
    int64_t cn = ir_type_numel(&ct->type);
    *v = xmalloc((size_t)C * sizeof(float));
    for (int64_t c = 0; c < C; c++) (*v)[c] = ((const float *)ct->data)[cn == 1 ? 0 : c];
    *x = n->in[1 - k];
    return 1;
  }
  return 0;
}

/* Conv c's output channels scaled by s and shifted by t (either may be NULL): W'[m] = W[m] * s[m],
 * B'[m] = B[m] * s[m] + t[m]. */
static void fold_after_conv(ir_graph *g, ir_node *c, const float *s, const float *t) {
  const ir_tensor *w = g->tensors[c->in[1]];
  int64_t M = w->type.dims[0], per = ir_type_numel(&w->type) / M;
  const float *ow = w->data, *ob = c->n_in > 2 && c->in[2] >= 0 ? g->tensors[c->in[2]]->data : NULL;
  float *nw = affine_weights_buf(g, c, M * per), *nb = xmalloc((size_t)M * sizeof(float));
  for (int64_t m = 0; m < M; m++) {
    for (int64_t k = 0; k < per; k++) nw[m * per + k] = s ? ow[m * per + k] * s[m] : ow[m * per + k];
    nb[m] = (ob ? ob[m] : 0.0f) * (s ? s[m] : 1.0f) + (t ? t[m] : 0.0f);
  }
  char name[300];
  snprintf(name, sizeof name, "%s_affold", w->name);
  int wi = cc_new_const_f32(g, name, w->type.dims, w->type.rank, nw);
  snprintf(name, sizeof name, "%s_bias_affold", cc_node_label(g, c));
  int bi = cc_new_const_f32(g, name, &M, 1, nb);
  ir_set_inputs(c, (int[]){c->in[0], wi, bi}, 3);
}

/* Has t numel n laid out as one row ([n], [1, n], or a scalar when n is 1)? */
static int row_of(const ir_type *t, int64_t n) {
  return ir_type_numel(t) == n && (t->rank == 1 || (t->rank == 2 && t->dims[0] == 1) || (t->rank == 0 && n == 1));
}

/* A constant row added to the product of a matrix by constant weights, MatMul(A [R,K], B [K,N])
 * or Gemm(A, B[, C]) (beta 1) + t ([N] or [1,N]), becomes that Gemm's bias C + t, so that it
 * runs with the product: MNIST-8 of the ONNX model zoo and the TensorFlow converters write a
 * dense layer as MatMul + Add. Not when the product has a quantization of its own (a QDQ
 * model's, after qdq-import). */
void cc_fold_row_bias(ir_graph *g) {
  for (int i = 0; i < g->n_nodes; i++) {
    ir_node *n = g->nodes[i], *add;
    int ai, old = n->n_in > 2 ? n->in[2] : -1;
    if (n->dead || (n->op != IR_OP_MatMul && n->op != IR_OP_Gemm) || !cc_is_const_f32(g, n->in[1])) continue;
    if (g->tensors[n->out[0]]->quant) continue; /* (a QDQ model rounds the product before the Add) */
    const ir_type *at = &g->tensors[n->in[0]]->type, *yt = &g->tensors[n->out[0]]->type;
    int64_t N = yt->dims[1];
    if (at->rank != 2 || yt->rank != 2 || N < 1 || ir_attr_float(n, "beta", 1.0f) != 1.0f) continue;
    if (old >= 0 && (!cc_is_const_f32(g, old) || !(row_of(&g->tensors[old]->type, N) || row_of(&g->tensors[old]->type, 1))))
      continue;
    if (!(add = cc_sole_consumer(g, n->out[0], &ai)) || add->op != IR_OP_Add) continue;
    int t = add->in[0] == n->out[0] ? add->in[1] : add->in[0];
    if (!cc_is_const_f32(g, t) || !row_of(&g->tensors[t]->type, N) || !cc_same_type(&g->tensors[add->out[0]]->type, yt))
      continue;
    const float *tv = g->tensors[t]->data, *ov = old >= 0 ? g->tensors[old]->data : NULL;
    int64_t on = old >= 0 ? ir_type_numel(&g->tensors[old]->type) : 0;
    float *c = xmalloc((size_t)N * sizeof(float));
    for (int64_t k = 0; k < N; k++) c[k] = tv[k] + (ov ? ov[on == 1 ? 0 : k] : 0.0f);
    char name[300];
    snprintf(name, sizeof name, "%s_bias", cc_node_label(g, n));
    int ci = cc_new_const_f32(g, name, &N, 1, c);
    if (n->op == IR_OP_MatMul) ir_set_op(n, IR_OP_Gemm);
    ir_set_inputs(n, (int[]){n->in[0], n->in[1], ci}, 3);
    n->out[0] = add->out[0];
    add->dead = 1;
  }
}

/* A per-channel affine right before a Conv, x * s + t (the Mul + Add a standalone BatchNorm
 * became, or either alone), whose only consumer is that Conv with constant f32 weights, folds into
 * the Conv's weights and bias. With t present the Conv must not pad (a padded zero would have
 * been t); a scale alone commutes with zero padding. Then per-channel constant Adds and Muls
 * right after a Conv (ConvNeXt's layer scale) fold into it too, and a constant row added to a
 * MatMul / Gemm by constant weights into its bias (cc_fold_row_bias). */
/* Div of an activation by a float constant -> Mul by its reciprocal, Sub of one -> Add of its
 * negation (x / 255 is a scale that folds into the conv after it, as x * (1 / 255) would). */
static void div_sub_to_mul_add(ir_graph *g) {
  for (int i = 0; i < g->n_nodes; i++) {
    ir_node *n = g->nodes[i];
    if (n->dead || (n->op != IR_OP_Div && n->op != IR_OP_Sub) || n->n_in != 2 || cc_is_const(g, n->in[0]) ||
        !cc_is_const_f32(g, n->in[1]))
      continue;
    const ir_tensor *k = g->tensors[n->in[1]];
    int64_t cnt = ir_type_numel(&k->type);
    float *v = xmalloc((size_t)(cnt > 0 ? cnt : 1) * sizeof(float));
    for (int64_t j = 0; j < cnt; j++) v[j] = n->op == IR_OP_Div ? 1.0f / ((const float *)k->data)[j] : -((const float *)k->data)[j];
    char name[300];
    snprintf(name, sizeof name, "%s_%s", k->name, n->op == IR_OP_Div ? "reciprocal" : "negated");
    n->in[1] = cc_new_const_f32(g, name, k->type.dims, k->type.rank, v);
    ir_set_op(n, n->op == IR_OP_Div ? IR_OP_Mul : IR_OP_Add);
  }
}

int cc_fold_affine(ir_graph *g, cc_ctx *cx, char *err, size_t errlen) {
  (void)cx, (void)err, (void)errlen;
  div_sub_to_mul_add(g);
  for (int i = 0; i < g->n_nodes; i++) {
    ir_node *c = g->nodes[i];
    if (c->dead || c->op != IR_OP_Conv || !cc_is_const(g, c->in[1])) continue;
    const ir_tensor *w = g->tensors[c->in[1]];
    const ir_type *xt = &g->tensors[c->in[0]]->type;
    if (w->type.dtype != IR_F32 || xt->rank < 3 || xt->dims[1] < 0) continue;
    if (c->n_in > 2 && c->in[2] >= 0 && (!cc_is_const(g, c->in[2]) || g->tensors[c->in[2]]->type.dtype != IR_F32)) continue;
    int64_t C = xt->dims[1];
    int r = xt->rank, ci, x = -1;
    float *s = NULL, *t = NULL;
    ir_node *add = producer_op(g, c->in[0], IR_OP_Add), *mul = NULL;
    if (add && cc_sole_consumer(g, c->in[0], &ci) == c && channel_const(g, add, C, r, &t, &x)) {
      mul = producer_op(g, x, IR_OP_Mul);
      if (mul && !(cc_sole_consumer(g, x, &ci) == add && channel_const(g, mul, C, r, &s, &x))) mul = NULL;
    } else {
      add = NULL;
      mul = producer_op(g, c->in[0], IR_OP_Mul);
      if (mul && !(cc_sole_consumer(g, c->in[0], &ci) == c && channel_const(g, mul, C, r, &s, &x))) mul = NULL;
    }
    if (!add && !mul) continue;
    int cnt, padded = strcmp(ir_attr_string(c, "auto_pad", "NOTSET"), "NOTSET") &&
                      strcmp(ir_attr_string(c, "auto_pad", "NOTSET"), "VALID");
    const int64_t *pd = ir_attr_ints(c, "pads", &cnt);
    for (int k = 0; pd && k < cnt; k++) padded |= pd[k] != 0;
    if (t && padded) {
      free(s), free(t);
      continue;
    }
    if (!cc_same_type(&g->tensors[x]->type, xt)) {
      free(s), free(t);
      continue;
    }
    fold_affine_into_conv(g, c, x, s, t);
    if (add) add->dead = 1;
    if (mul) mul->dead = 1;
    free(s), free(t);
  }
  /* after: per-channel constant Adds and Muls that a Conv's output alone feeds (a bias, a layer
   * scale) go into its weights and bias */
  for (int i = 0; i < g->n_nodes; i++) {
    ir_node *c = g->nodes[i];
    if (c->dead || c->op != IR_OP_Conv || !cc_is_const(g, c->in[1])) continue;
    const ir_tensor *w = g->tensors[c->in[1]];
    const ir_type *yt = &g->tensors[c->out[0]]->type;
    if (w->type.dtype != IR_F32 || w->type.rank < 3 || yt->rank != w->type.rank || yt->dims[1] != w->type.dims[0]) continue;
    if (c->n_in > 2 && c->in[2] >= 0 && (!cc_is_const(g, c->in[2]) || g->tensors[c->in[2]]->type.dtype != IR_F32)) continue;
    int ci, x;
    ir_node *n;
    float *v;
    while ((n = cc_sole_consumer(g, c->out[0], &ci)) && (n->op == IR_OP_Add || n->op == IR_OP_Mul) &&
           channel_const(g, n, yt->dims[1], yt->rank, &v, &x)) {
      if (!cc_same_type(&g->tensors[n->out[0]]->type, yt)) {
        free(v);
        break;
      }
      fold_after_conv(g, c, n->op == IR_OP_Mul ? v : NULL, n->op == IR_OP_Add ? v : NULL);
      free(v);
      c->out[0] = n->out[0];
      n->dead = 1;
      yt = &g->tensors[c->out[0]]->type;
    }
  }
  cc_fold_row_bias(g);
  return IR_OK;
}

/* ---- channels-last ---- */

/* Unary elementwise ops a Transpose commutes with. */
static int is_pointwise(ir_op op) {
  switch (op) {
  case IR_OP_Relu: case IR_OP_Sigmoid: case IR_OP_Tanh: case IR_OP_Erf: case IR_OP_Exp: case IR_OP_Sqrt:
  case IR_OP_Neg: case IR_OP_Abs: case IR_OP_HardSigmoid: case IR_OP_HardSwish: case IR_OP_LeakyRelu:
  case IR_OP_Elu: case IR_OP_Softplus: case IR_OP_Gelu: case IR_OP_Silu: case IR_OP_Clip: case IR_OP_Selu:
  case IR_OP_Celu: case IR_OP_ThresholdedRelu: case IR_OP_Softsign: case IR_OP_Mish: case IR_OP_Swish:
    return 1;
  default: return 0;
  }
}

/* perm of Transpose node n into p (default: reversed axes); its rank, or -1. */
static int get_perm(const ir_graph *g, const ir_node *n, int64_t *p) {
  int r = g->tensors[n->in[0]]->type.rank, cnt;
  const int64_t *q = ir_attr_ints(n, "perm", &cnt);
  if (r < 0 || (q && cnt != r)) return -1;
  for (int i = 0; i < r; i++) p[i] = q ? q[i] : r - 1 - i;
  return r;
}

/* Constant k (broadcast against the Transpose's output, rank r) rearranged to broadcast against
 * its input: k padded to rank r, then k'[dims P[d]] = k[d]. New constant index, or -1 when k
 * would widen the output. */
static int permute_const(ir_graph *g, int k, const int64_t *P, int r, const ir_type *out) {
  const ir_tensor *kt = g->tensors[k];
  if (kt->type.rank > r || !ir_type_known(&kt->type)) return -1;
  int64_t kd[IR_MAX_DIMS], nd[IR_MAX_DIMS], ks[IR_MAX_DIMS], idx[IR_MAX_DIMS] = {0};
  for (int d = 0; d < r; d++) {
    int q = d - (r - kt->type.rank);
    kd[d] = q < 0 ? 1 : kt->type.dims[q];
    if (kd[d] != 1 && kd[d] != out->dims[d]) return -1;
  }
  for (int d = 0; d < r; d++) nd[P[d]] = kd[d];
  int64_t s = 1;
  for (int d = r - 1; d >= 0; d--) ks[d] = s, s *= kd[d];
  size_t es = ir_dtype_size(kt->type.dtype);
  int64_t total = ir_type_numel(&kt->type);
  char *data = xmalloc((size_t)total * es);
  /* walk k' in order: k' index e has k index d = Pinv... element k'[e] = k[idx with idx[d] = e[P[d]]] */
  for (int64_t o = 0; o < total; o++) {
    int64_t off = 0;
    for (int d = 0; d < r; d++) off += idx[P[d]] * ks[d];
    memcpy(data + o * (int64_t)es, (const char *)kt->data + off * (int64_t)es, es);
    for (int e = r - 1; e >= 0; e--) {
      if (++idx[e] < nd[e]) break;
      idx[e] = 0;
    }
  }
  ir_type nt = {.dtype = kt->type.dtype, .rank = r};
  for (int d = 0; d < r; d++) nt.dims[d] = nd[d];
  char name[300];
  snprintf(name, sizeof name, "%s_perm", kt->name);
  return ir_add_const(g, name, &nt, data);
}

/* The type of a Transpose(perm P)'s input for output type t. */
static ir_type unpermute_type(const ir_type *t, const int64_t *P) {
  ir_type u = *t;
  for (int d = 0; d < t->rank; d++) u.dims[P[d]] = t->dims[d];
  return u;
}

/* c (one output) is a pointwise op on t alone: its other inputs are absent or scalar constants. */
static int pointwise_on(const ir_graph *g, const ir_node *c, int t) {
  if (c->in[0] != t) return 0;
  for (int k = 1; k < c->n_in; k++)
    if (c->in[k] >= 0 && (!cc_is_const(g, c->in[k]) || ir_type_numel(&g->tensors[c->in[k]]->type) != 1)) return 0;
  return 1;
}

/* The data-movement node M (at mi: a Transpose or Reshape) and its sole consumer c (at ci) trade
 * places: c reads M's input and writes a new tensor of type ut (named after c's output with
 * suffix), which M then moves into c's old output. */
static void swap_nodes(ir_graph *g, int mi, ir_node *M, int ci, ir_node *c, const ir_type *ut, const char *suffix) {
  int t = M->out[0], y = c->out[0];
  char name[300];
  snprintf(name, sizeof name, "%s%s", g->tensors[y]->name, suffix);
  ir_type u_type = *ut; /* ut may point into g's tensors, which ir_add_tensor can move */
  int u = ir_add_tensor(g, name, &u_type);
  /* u holds y's values moved (a QDQ model's quantization of y, after qdq-import, fits it) */
  if (g->tensors[y]->quant && g->tensors[y]->quant->n == 1) cc_copy_quant(g, y, u, -1);
  for (int k = 0; k < c->n_in; k++)
    if (c->in[k] == t) c->in[k] = M->in[0];
  c->out[0] = u;
  M->in[0] = u;
  M->out[0] = y;
  g->nodes[mi] = c;
  g->nodes[ci] = M;
}

/* A Transpose by P (rank r) of tensor x into tensor y, labelled label, placed at pos. */
static void add_transpose(ir_graph *g, const char *label, int x, int y, const int64_t *P, int r, int pos) {
  ir_node *n = ir_add_node(g, IR_OP_Transpose, label, &x, 1, &y, 1);
  ir_set_attr_ints(n, "perm", P, r);
  ir_move_last_node(g, pos);
}

/* A new tensor "<y>_cf" of y's type before a Transpose by P (y's values in that order), with y's
 * per-tensor quantization (a QDQ model's, which moving values keeps). */
static int untransposed_twin(ir_graph *g, int y, const int64_t *P) {
  char name[300];
  snprintf(name, sizeof name, "%s_cf", g->tensors[y]->name);
  ir_type ut = unpermute_type(&g->tensors[y]->type, P);
  int u = ir_add_tensor(g, name, &ut);
  if (g->tensors[y]->quant && g->tensors[y]->quant->n == 1) cc_copy_quant(g, y, u, -1);
  return u;
}

static int is_reduce(ir_op op) {
  switch (op) {
  case IR_OP_ReduceMean: case IR_OP_ReduceSum: case IR_OP_ReduceMax: case IR_OP_ReduceMin: case IR_OP_ReduceL1:
  case IR_OP_ReduceL2: case IR_OP_ReduceSumSquare: case IR_OP_ReduceLogSumExp: case IR_OP_ReduceProd:
  case IR_OP_ReduceLogSum:
    return 1;
  default: return 0;
  }
}

/* Transpose node T (perm P, rank r, at ti) and its sole consumer c (at ci), a Reduce* of known
 * axes: c reduces T's input over the axes P maps them to, and a Transpose of what is left follows
 * (perm P with keepdims; without, the order of the kept axes, none when it is theirs: an NHWC
 * ReduceMean over [1, 2] of a Transposed NCHW map is the ReduceMean over [2, 3], which
 * reduce-to-pool makes a global pool). 1 if done. */
static int sink_reduce(ir_graph *g, int ti, ir_node *T, int ci, ir_node *c, const int64_t *P, int r) {
  int t = T->out[0];
  char mark[IR_MAX_DIMS], om[IR_MAX_DIMS] = {0};
  if (c->in[0] != t || c->n_out != 1 || !reduce_marks(g, c, r, mark)) return 0;
  int64_t ax[IR_MAX_DIMS], Q[IR_MAX_DIMS], pos[IR_MAX_DIMS];
  int na = 0, nk = 0, nq = 0, keep = (int)ir_attr_int(c, "keepdims", 1), ident = 1;
  for (int d = 0; d < r; d++) om[P[d]] |= mark[d];
  for (int d = 0; d < r; d++) {
    if (om[d]) ax[na++] = d;
    else pos[d] = nk++;
  }
  if (!na) return 0; /* noop_with_empty_axes */
  ir_type ut = g->tensors[t]->type; /* becomes the reduction of T's input */
  const ir_type *xt = &g->tensors[T->in[0]]->type;
  ut.rank = 0;
  for (int d = 0; d < r; d++)
    if (!om[d] || keep) ut.dims[ut.rank++] = om[d] ? 1 : xt->dims[d];
  for (int d = 0; d < r; d++)
    if (!mark[d]) Q[nq] = pos[P[d]], ident &= Q[nq] == nq, nq++;
  if (!ir_reduce_axes_from_input(g, c)) {
    ir_set_attr_ints(c, "axes", ax, na);
  } else if (c->n_in > 1 && c->in[1] >= 0) { /* (no axes input: every axis, the same after T) */
    int64_t *v = xmalloc((size_t)na * sizeof *v);
    memcpy(v, ax, (size_t)na * sizeof *v);
    char name[300];
    snprintf(name, sizeof name, "%s_axes", cc_node_label(g, c));
    ir_type at = {.dtype = IR_I64, .rank = 1, .dims = {na}};
    c->in[1] = ir_add_const(g, name, &at, v);
  }
  swap_nodes(g, ti, T, ci, c, &ut, "_cf");
  if (keep) return 1;
  if (!ident) ir_set_attr_ints(T, "perm", Q, nq);
  else if (!cc_bypass(g, T, T->in[0], T->out[0])) ir_set_op(T, IR_OP_Identity), ir_del_attr(T, "perm");
  return 1;
}

/* Constant vector k (n elements, f32 or i64) with element d moved to P[d] (and, with twice, element
 * n/2 + d to n/2 + P[d]: a Pad's begins and ends). New constant's index, or -1. */
static int permute_vec(ir_graph *g, int k, const int64_t *P, int r, int twice) {
  const ir_tensor *kt = g->tensors[k];
  int64_t n = ir_type_numel(&kt->type);
  size_t es = kt->type.dtype == IR_F32 ? 4 : kt->type.dtype == IR_I64 ? 8 : 0;
  if (!es || !kt->data || kt->type.rank != 1 || n != (twice ? 2 : 1) * r) return -1;
  char *v = xmalloc((size_t)n * es), name[300];
  for (int h = 0; h <= twice; h++)
    for (int d = 0; d < r; d++) memcpy(v + (size_t)(h * r + P[d]) * es, (const char *)kt->data + (size_t)(h * r + d) * es, es);
  snprintf(name, sizeof name, "%s_perm", kt->name);
  ir_type vt = kt->type;
  return ir_add_const(g, name, &vt, v);
}

/* A Pad (pads and a constant value as inputs, opset 11 on, no axes input), a Resize (no roi;
 * scales or sizes one per axis, or an axes attribute) or a Slice (constant axes, or none) c
 * reading Transpose output t (perm P, rank r) first: its per-axis operands rewritten for T's
 * input, so that T can follow it (an NHWC ZeroPadding2D, UpSampling2D or channel slice between
 * Transposes). 1 if done. */
static int permute_axiswise(ir_graph *g, ir_node *c, int t, const int64_t *P, int r) {
  if (c->in[0] != t) return 0;
  for (int k = 1; k < c->n_in; k++)
    if (c->in[k] >= 0 && !cc_is_const(g, c->in[k])) return 0;
  if (c->op == IR_OP_Slice) { /* (opset 10 on: starts, ends, axes, steps inputs) the axes mapped */
    int64_t ns = c->n_in > 1 && c->in[1] >= 0 ? ir_type_numel(&g->tensors[c->in[1]]->type) : -1;
    const ir_tensor *at = c->n_in > 3 && c->in[3] >= 0 ? g->tensors[c->in[3]] : NULL;
    if (ns < 1 || ns > r || (at && (at->type.dtype != IR_I64 || ir_type_numel(&at->type) != ns || !at->data)))
      return 0;
    int64_t *na = xmalloc((size_t)ns * sizeof *na);
    for (int64_t i = 0; i < ns; i++) {
      int64_t a = at ? ((const int64_t *)at->data)[i] : i;
      a = a < 0 ? a + r : a;
      if (a < 0 || a >= r) return free(na), 0;
      na[i] = P[a];
    }
    char name[300];
    snprintf(name, sizeof name, "%s_axes_perm", cc_node_label(g, c));
    ir_type nt = {.dtype = IR_I64, .rank = 1, .dims = {ns}};
    int ak = ir_add_const(g, name, &nt, na);
    if (c->n_in < 4) ir_set_inputs(c, (int[]){c->in[0], c->in[1], c->in[2], ak}, 4);
    else c->in[3] = ak;
    return 1;
  }
  if (c->op == IR_OP_Pad) {
    int pk = c->n_in > 1 && g->opset >= 11 && !(c->n_in > 3 && c->in[3] >= 0) ? c->in[1] : -1;
    int np = pk >= 0 ? permute_vec(g, pk, P, r, 1) : -1;
    if (np < 0) return 0;
    c->in[1] = np;
    return 1;
  }
  if ((c->n_in > 1 && c->in[1] >= 0 && ir_type_numel(&g->tensors[c->in[1]]->type) > 0) ||
      !strcmp(ir_attr_string(c, "coordinate_transformation_mode", ""), "tf_crop_and_resize"))
    return 0;
  int cnt = 0;
  const int64_t *ax = ir_attr_ints(c, "axes", &cnt);
  if (ax) { /* (opset 18) scales / sizes follow the axes */
    int64_t na[IR_MAX_DIMS];
    if (cnt > r) return 0;
    for (int i = 0; i < cnt; i++) {
      int64_t a = ax[i] < 0 ? ax[i] + r : ax[i];
      if (a < 0 || a >= r) return 0;
      na[i] = P[a];
    }
    ir_set_attr_ints(c, "axes", na, cnt);
    return 1;
  }
  int nk[2] = {-1, -1};
  for (int k = 2; k < 4 && k < c->n_in; k++)
    if (c->in[k] >= 0 && ir_type_numel(&g->tensors[c->in[k]]->type) > 0 && (nk[k - 2] = permute_vec(g, c->in[k], P, r, 0)) < 0)
      return 0;
  for (int k = 2; k < 4; k++)
    if (nk[k - 2] >= 0) c->in[k] = nk[k - 2];
  return 1;
}

/* Transpose node T (perm P, rank r) and its sole consumer c (at ci), a Split of it along axis a:
 * c splits T's input along P[a] (the sizes unchanged) and each part is Transposed by P after it
 * (an NHWC channel split between wrapped convs; the Transposes then sink apart). 1 if done. */
static int sink_split(ir_graph *g, ir_node *T, int ci, ir_node *c, const int64_t *P, int r) {
  int64_t a = ir_attr_int(c, "axis", 0);
  a = a < 0 ? a + r : a;
  if (c->in[0] != T->out[0] || a < 0 || a >= r || c->n_out > 64) return 0;
  for (int k = 0; k < c->n_out; k++)
    if (c->out[k] < 0 || g->tensors[c->out[k]]->type.rank != r) return 0;
  ir_set_attr_int(c, "axis", P[a]);
  c->in[0] = T->in[0];
  T->dead = 1;
  for (int k = 0; k < c->n_out; k++) {
    int y = c->out[k], u = untransposed_twin(g, y, P);
    char label[300];
    snprintf(label, sizeof label, "%s_to_out%d", cc_node_label(g, c), k);
    c->out[k] = u;
    add_transpose(g, label, u, y, P, r, ci + 1 + k);
  }
  return 1;
}

/* A Transpose by a perm of rank r making t can move past c, its reader: c has one output and is
 * pointwise on t alone, an Add/Mul/Sub/Div of t and a constant of at most rank r, or a Pad, a
 * Resize or a Slice of t (their per-axis operands are checked when it moves: permute_axiswise). */
static int passes_transpose(const ir_graph *g, const ir_node *c, int t, int r) {
  if (c->n_out != 1) return 0;
  if (is_pointwise(c->op)) return pointwise_on(g, c, t);
  if (c->op == IR_OP_Add || c->op == IR_OP_Mul || c->op == IR_OP_Sub || c->op == IR_OP_Div) {
    int k = c->in[0] == t ? 1 : 0;
    return c->in[1 - k] == t && cc_is_const(g, c->in[k]) && g->tensors[c->in[k]]->type.rank <= r;
  }
  return (c->op == IR_OP_Pad || c->op == IR_OP_Resize || c->op == IR_OP_Slice) && c->in[0] == t;
}

/* Transpose node T (at index ti) and its sole consumer c (at ci > ti) trade places when c is
 * pointwise or elementwise with a constant: c runs on T's input, T on c's output; a Pad, a
 * Resize or a Slice with its per-axis operands permuted (permute_axiswise); a Reduce*
 * (sink_reduce) takes the axes T maps; a Split (sink_split) gets a Transpose per part. */
static int sink_once(ir_graph *g, int ti, ir_node *T, int ci, ir_node *c) {
  int64_t P[IR_MAX_DIMS];
  int r = get_perm(g, T, P), t = T->out[0], y = c->out[0], axiswise = 0;
  const ir_type *yt = &g->tensors[y]->type;
  if (r >= 0 && is_reduce(c->op)) return sink_reduce(g, ti, T, ci, c, P, r);
  if (r >= 0 && c->op == IR_OP_Split) return sink_split(g, T, ci, c, P, r);
  if (r < 0 || yt->rank != r || !passes_transpose(g, c, t, r)) return 0;
  if (c->op == IR_OP_Add || c->op == IR_OP_Mul || c->op == IR_OP_Sub || c->op == IR_OP_Div) {
    int k = c->in[0] == t ? 1 : 0, kp = permute_const(g, c->in[k], P, r, yt);
    if (kp < 0) return 0;
    c->in[k] = kp;
  } else if (c->op == IR_OP_Pad || c->op == IR_OP_Resize || c->op == IR_OP_Slice) {
    if (!permute_axiswise(g, c, t, P, r)) return 0;
    axiswise = 1;
  }
  if (!axiswise && !cc_same_type(yt, &g->tensors[t]->type)) return 0;
  ir_type ut = unpermute_type(yt, P);
  swap_nodes(g, ti, T, ci, c, &ut, "_cf");
  return 1;
}

/* Reshape node from tensor a to a new tensor of type t (the shape a constant), appended and moved
 * to position pos; its output. */
static int add_reshape(ir_graph *g, int a, const ir_type *t, const char *label, int pos) {
  char name[300];
  int64_t *shape = xmalloc((size_t)t->rank * sizeof *shape);
  memcpy(shape, t->dims, (size_t)t->rank * sizeof *shape);
  snprintf(name, sizeof name, "%s_shape", label);
  ir_type st = {.dtype = IR_I64, .rank = 1, .dims = {t->rank}};
  int si = ir_add_const(g, name, &st, shape);
  snprintf(name, sizeof name, "%s_out", label);
  int y = ir_add_tensor(g, name, t);
  ir_add_node(g, IR_OP_Reshape, label, (int[]){a, si}, 2, &y, 1);
  ir_move_last_node(g, pos);
  return y;
}

/* The 1x1 conv weights W [M,K] of Gemm / MatMul node n reading K features (malloc'ed, or the
 * data of a constant nothing else reads, taken over), alpha applied; its outputs M in *mo, its
 * bias beta * C per output in *bias ([M] malloc'ed; NULL without C), and the weight Transpose it
 * reads (a MatMul's, cc_weight_transpose) in *wtro. NULL with the reason in why when the
 * weights are not a constant 2-D f32 tensor (or that Transpose of one) or C is not a constant
 * scalar or a vector per output. */
static float *linear_weights(ir_graph *g, const ir_node *n, int64_t K, int64_t *mo, float **bias, ir_node **wtro, char *why,
                             size_t whylen) {
  int w = n->in[1], pi = -1, gemm = n->op == IR_OP_Gemm, tb = gemm && ir_attr_int(n, "transB", 0);
  ir_node *wtr = NULL;
  *bias = NULL, *wtro = NULL;
  /* MatMul: W [K,M], or the Transpose of a constant [M,K] that the folds left; Gemm: B [K,M],
   * or [M,K] with transB */
  if (!gemm && !cc_is_const(g, w) && ir_producer(g, w, &pi) && cc_weight_transpose(g, g->nodes[pi])) wtr = g->nodes[pi];
  if (!cc_is_const(g, w) && !wtr)
    return snprintf(why, whylen, "%s", producer_op(g, w, IR_OP_DequantizeLinear)
                                           ? "weights from a DequantizeLinear (a quantized model's, not folded before qdq-import)"
                                           : "weights are not constant: a product of two activations"),
           NULL;
  const ir_tensor *wt = g->tensors[w];
  if (wt->type.rank != 2 || wt->type.dtype != IR_F32 || wt->type.dims[tb ? 1 : 0] != K)
    return snprintf(why, whylen, "weights are not a 2-D float tensor of the input's %lld features", (long long)K), NULL;
  int64_t M = wt->type.dims[tb ? 0 : 1];
  int c = gemm && n->n_in > 2 ? n->in[2] : -1;
  if (c >= 0) {
    const ir_tensor *ct = g->tensors[c];
    int64_t cn = ir_type_numel(&ct->type);
    if (!cc_is_const(g, c) || ct->type.dtype != IR_F32 ||
        (cn != 1 && (cn != M || ct->type.dims[ct->type.rank - 1] != M)))
      return snprintf(why, whylen, "C is not a constant scalar or bias per output (a per-row or per-element C)"), NULL;
    float beta = ir_attr_float(n, "beta", 1.0f);
    *bias = xmalloc((size_t)M * sizeof(float));
    for (int64_t m = 0; m < M; m++) (*bias)[m] = beta * ((const float *)ct->data)[cn == 1 ? 0 : m];
  }
  /* already [M,K] (a MatMul's weight Transpose's input, a Gemm's transB weights): taken over when
   * nothing else reads it, else copied; [K,M]: transposed */
  int src = wtr ? wtr->in[0] : w;
  ir_tensor *w0 = wtr || tb ? g->tensors[src] : NULL;
  int take = w0 && ir_use_count(g, src) == 1 && (!wtr || ir_use_count(g, w) == 1) && !ir_is_graph_output(g, src) &&
             !ir_is_graph_input(g, src);
  float *nw = take ? w0->data : xmalloc((size_t)(K * M) * sizeof(float));
  const float *ow = wt->data;
  if (take) w0->data = NULL; /* its only reader stops reading it (n, or the Transpose, which dies) */
  else if (w0) memcpy(nw, w0->data, (size_t)(K * M) * sizeof(float));
  for (int64_t k0 = 0; !w0 && k0 < K; k0 += 32) /* in 32 x 32 tiles: each cache line read and written once */
    for (int64_t m0 = 0; m0 < M; m0 += 32)
      for (int64_t k = k0; k < K && k < k0 + 32; k++)
        for (int64_t m = m0; m < M && m < m0 + 32; m++) nw[m * K + k] = ow[k * M + m];
  float alpha = gemm ? ir_attr_float(n, "alpha", 1.0f) : 1.0f;
  for (int64_t e = 0; alpha != 1.0f && e < K * M; e++) nw[e] *= alpha;
  *mo = M, *wtro = wtr;
  return nw;
}

/* Gemm / MatMul node n (index i) of a channels-last activation by constant weights W (K inputs,
 * M outputs): a rank-4 A [N,H,W,K] (MatMul) becomes Transpose(A) [N,K,H,W] -> 1x1 Conv (weights
 * W as [M,K,1,1], a Gemm's alpha in them, its beta * C the bias) -> Transpose back [N,H,W,M];
 * rank-3 tokens A [N,T,K] (MatMul) and rank-2 A [R,K] with R > 1 (Gemm or MatMul: torch's
 * MultiheadAttention's out_proj on [T*N,E], any Linear on 2-D tokens) go through [1,rows,1,K] the
 * same way. A [1,K] stays an fc layer. The number of nodes inserted before and after n, or 0;
 * what it refuses gets dlvta.why (transA, weights not constant, a C per row or element). */
static int matmul_to_conv(ir_graph *g, int i, ir_node *n) {
  const ir_type *at = &g->tensors[n->in[0]]->type;
  int y = n->out[0], added = 0;
  char why[256];
  if (at->rank < 2 || at->rank > 4 || at->dtype != IR_F32 || !ir_type_known(at) || cc_is_const(g, n->in[0]) ||
      (at->rank == 2 && at->dims[0] == 1) || (n->op == IR_OP_Gemm && at->rank != 2))
    return 0;
  if (n->op == IR_OP_Gemm && ir_attr_int(n, "transA", 0)) {
    ir_set_attr_string(n, "dlvta.why", "transA: the activation is transposed ([K, rows]), no accelerator lowering");
    return 0;
  }
  int64_t K = at->dims[at->rank - 1], M;
  float *bias;
  ir_node *wtr;
  float *nw = linear_weights(g, n, K, &M, &bias, &wtr, why, sizeof why);
  if (!nw) {
    ir_set_attr_string(n, "dlvta.why", why);
    return 0;
  }
  int w = n->in[1];
  char name[300];
  snprintf(name, sizeof name, "%s_conv", g->tensors[w]->name);
  int wi = cc_new_const_f32(g, name, (int64_t[]){M, K, 1, 1}, 4, nw), bi = -1;
  /* a QDQ model's weights keep their scales, per output channel (qdq-import converts what it made
   * constant): [M,K] (a Transpose's input, transB) along axis 0, [K,M] along axis 1 */
  int wsrc = wtr ? wtr->in[0] : w, wrows = wtr || (n->op == IR_OP_Gemm && ir_attr_int(n, "transB", 0));
  const ir_quant *wq = g->tensors[wsrc]->quant;
  if (wq && (wq->n == 1 || wq->axis == (wrows ? 0 : 1)) && (n->op != IR_OP_Gemm || ir_attr_float(n, "alpha", 1.0f) == 1.0f))
    cc_copy_quant(g, wsrc, wi, 0);
  if (bias) {
    snprintf(name, sizeof name, "%s_bias", cc_node_label(g, n));
    bi = cc_new_const_f32(g, name, &M, 1, bias);
  }
  if (at->rank != 4) {
    /* the rows (tokens) of the leading axes ([R,K], [N,T,K] or torch attention's [T,N,K]) as one axis */
    int64_t rows = at->rank == 3 ? at->dims[0] * at->dims[1] : at->dims[0];
    ir_type a4 = {.dtype = IR_F32, .rank = 4, .dims = {1, rows, 1, K}};
    ir_type y4 = {.dtype = IR_F32, .rank = 4, .dims = {1, rows, 1, M}};
    snprintf(name, sizeof name, "%s_to4d", cc_node_label(g, n));
    int a = n->in[0];
    n->in[0] = add_reshape(g, a, &a4, name, i);
    cc_copy_quant(g, a, n->in[0], -1);
    snprintf(name, sizeof name, "%s_y4d", cc_node_label(g, n));
    int y4t = ir_add_tensor(g, name, &y4);
    cc_copy_quant(g, y, y4t, -1);
    snprintf(name, sizeof name, "%s_to%dd", cc_node_label(g, n), g->tensors[y]->type.rank);
    add_reshape(g, y4t, &g->tensors[y]->type, name, i + 2);
    g->nodes[i + 2]->out[0] = y; /* the node's output keeps its tensor: the last Reshape writes it */
    n->out[0] = y4t;
    i++, y = y4t, at = &g->tensors[n->in[0]]->type, added = 2;
  }
  ir_type xt = {.dtype = IR_F32, .rank = 4, .dims = {at->dims[0], K, at->dims[1], at->dims[2]}};
  ir_type ct = {.dtype = IR_F32, .rank = 4, .dims = {at->dims[0], M, at->dims[1], at->dims[2]}};
  snprintf(name, sizeof name, "%s_nchw", g->tensors[n->in[0]]->name);
  int x = ir_add_tensor(g, name, &xt);
  snprintf(name, sizeof name, "%s_nchw", g->tensors[y]->name);
  int cy = ir_add_tensor(g, name, &ct);
  cc_copy_quant(g, n->in[0], x, -1), cc_copy_quant(g, y, cy, -1);
  snprintf(name, sizeof name, "%s_to_nchw", cc_node_label(g, n));
  add_transpose(g, name, n->in[0], x, (int64_t[]){0, 3, 1, 2}, 4, i);
  snprintf(name, sizeof name, "%s_to_nhwc", cc_node_label(g, n));
  add_transpose(g, name, cy, y, (int64_t[]){0, 2, 3, 1}, 4, i + 2);
  ir_set_op(n, IR_OP_Conv);
  ir_clear_attrs(n); /* a Gemm's alpha, beta, transB: in the weights */
  ir_set_inputs(n, (int[]){x, wi, bi}, bi >= 0 ? 3 : 2);
  n->out[0] = cy;
  if (wtr && !ir_use_count(g, w)) wtr->dead = 1; /* its last MatMul */
  return added + 2;
}

/* The weight transposes the folds left (cc_weight_transpose) that are still there (of MatMuls
 * that stay MatMuls): folded, as the folds would have; then, if there were any, whatever became
 * foldable through them. */
static int fold_weight_transposes(ir_graph *g, char *err, size_t errlen) {
  int folded = 0;
  for (int i = 0; i < g->n_nodes; i++) {
    const ir_node *n = g->nodes[i];
    if (n->dead || n->op != IR_OP_Transpose || n->n_in != 1 || !cc_is_const(g, n->in[0]) || n->n_out != 1 ||
        n->out[0] < 0 || ir_is_graph_input(g, n->out[0]))
      continue;
    int rc = cc_fold_node(g, g->nodes[i], err, errlen);
    if (rc < 0) return rc;
    folded += rc;
  }
  for (int i = 0; folded && i < g->n_nodes; i++) {
    if (!cc_foldable(g, g->nodes[i])) continue;
    int rc = cc_fold_node(g, g->nodes[i], err, errlen);
    if (rc < 0) return rc;
  }
  return IR_OK;
}

/* Does Reshape node R only drop or insert unit axes before an unchanged last axis? */
static int unit_reshape(const ir_graph *g, const ir_node *R) {
  const ir_type *a = &g->tensors[R->in[0]]->type, *b = &g->tensors[R->out[0]]->type;
  if (!ir_type_known(a) || !ir_type_known(b) || a->rank < 1 || b->rank < 1 || a->dims[a->rank - 1] != b->dims[b->rank - 1])
    return 0;
  int64_t pa[IR_MAX_DIMS] = {0}, pb[IR_MAX_DIMS] = {0};
  int na = 0, nb = 0;
  for (int d = 0; d < a->rank; d++)
    if (a->dims[d] != 1) pa[na++] = a->dims[d];
  for (int d = 0; d < b->rank; d++)
    if (b->dims[d] != 1) pb[nb++] = b->dims[d];
  return na == nb && !memcmp(pa, pb, (size_t)na * sizeof *pa);
}

/* Reshape node R (index ri, unit axes only) and its sole consumer c (at ci) trade places when c is
 * pointwise or elementwise with a constant of at most the last axis. */
static int sink_reshape(ir_graph *g, int ri, ir_node *R, int ci, ir_node *c) {
  int t = R->out[0], y = c->out[0];
  if (!unit_reshape(g, R) || c->n_out != 1 || !cc_same_type(&g->tensors[y]->type, &g->tensors[t]->type)) return 0;
  if (is_pointwise(c->op)) {
    if (!pointwise_on(g, c, t)) return 0;
  } else if (c->op == IR_OP_Add || c->op == IR_OP_Mul || c->op == IR_OP_Sub || c->op == IR_OP_Div) {
    int k = c->in[0] == t ? 1 : 0;
    if (c->in[1 - k] != t || !cc_is_const(g, c->in[k]) || g->tensors[c->in[k]]->type.rank > 1) return 0;
  } else {
    return 0;
  }
  swap_nodes(g, ri, R, ci, c, &g->tensors[R->in[0]]->type, "_rs");
  return 1;
}

/* Transposes that move only axes of extent 1 (torch attention's [1,T,E] <-> [T,1,E] around a
 * MultiheadAttention of batch 1; ECA's [N,C,1] <-> [N,1,C] around its Conv1d over the channels)
 * keep the elements' order: Reshapes, which then merge with the Reshapes around them. */
void cc_unit_transposes_to_reshapes(ir_graph *g) {
  for (int i = 0; i < g->n_nodes; i++) {
    ir_node *n = g->nodes[i];
    int64_t P[IR_MAX_DIMS];
    int r = n->dead || n->op != IR_OP_Transpose || n->n_in != 1 || n->n_out != 1 ? -1 : get_perm(g, n, P);
    const ir_type *xt = r > 0 ? &g->tensors[n->in[0]]->type : NULL, *yt = r > 0 ? &g->tensors[n->out[0]]->type : NULL;
    if (!xt || !ir_type_known(xt) || !ir_type_known(yt) || cc_is_const(g, n->in[0])) continue;
    int64_t last = -1;
    int ordered = 1;
    for (int d = 0; d < r && ordered; d++) {
      if (xt->dims[P[d]] == 1) continue;
      ordered = P[d] > last;
      last = P[d];
    }
    if (!ordered) continue;
    int64_t *shape = xmalloc((size_t)r * sizeof *shape);
    memcpy(shape, yt->dims, (size_t)r * sizeof *shape);
    char name[300];
    snprintf(name, sizeof name, "%s_shape", cc_node_label(g, n));
    ir_type st = {.dtype = IR_I64, .rank = 1, .dims = {r}};
    int si = ir_add_const(g, name, &st, shape);
    ir_set_op(n, IR_OP_Reshape);
    ir_del_attr(n, "perm");
    ir_set_inputs(n, (int[]){n->in[0], si}, 2);
  }
}

/* Linear layers on channels-last activations (ConvNeXt's blocks: Permute -> LayerNorm ->
 * Linear -> GELU -> Linear -> Permute; a transformer's token MLP) run as 1x1 convolutions: each
 * MatMul of a rank-4 [N,H,W,K] (or rank-3 [N,T,K], through [N,T,1,K]) activation by constant
 * weights becomes Transpose -> 1x1 Conv -> Transpose; then every Transpose (and unit-axis
 * Reshape) sinks through the pointwise ops and constant Add/Mul after it (the constant
 * permuted), and two Transposes (Reshapes) in a row compose, cancelling when they are inverses,
 * so that only the transposes around what must stay channels-last (a LayerNorm over channels,
 * attention) remain. */
/* The weight rows of a dense layer that reads Reshape(Transpose(X, perm), [N, K]) permuted so
 * that it reads Reshape(X, [N, K]): row j of the transposed layout becomes row i of X's. W [K, M]
 * (rows) or, transposed (a Gemm's transB), [M, K]. New constant's index. */
static int permute_flat_rows(ir_graph *g, int w, int trans, const ir_type *xt, const int64_t *perm) {
  const ir_tensor *wt = g->tensors[w];
  int64_t K = wt->type.dims[trans], M = wt->type.dims[1 - trans], td[IR_MAX_DIMS] = {0}, xs[IR_MAX_DIMS] = {0};
  int r = xt->rank;
  for (int k = r - 1, st = 1; k >= 1; st *= (int)xt->dims[k], k--) xs[k] = st; /* X's strides, batch excluded */
  for (int k = 1; k < r; k++) td[k] = xt->dims[perm[k]];
  const float *src = wt->data;
  float *dst = xmalloc((size_t)(K * M) * sizeof(float));
  for (int64_t j = 0; j < K; j++) {
    int64_t rest = j, i = 0;
    for (int k = r - 1; k >= 1; k--) i += rest % td[k] * xs[perm[k]], rest /= td[k];
    for (int64_t m = 0; m < M; m++)
      if (trans)
        dst[m * K + i] = src[m * K + j];
      else
        dst[i * M + m] = src[j * M + m];
  }
  char name[300];
  snprintf(name, sizeof name, "%s_unpermuted", wt->name);
  return cc_new_const_f32(g, name, wt->type.dims, 2, dst);
}

/* Transpose(X) -> Reshape to [N, K] -> MatMul / Gemm by constant weights (Keras's Flatten of an
 * NHWC map before a Dense layer, as the TensorFlow converters write it): the Transpose goes into
 * the order of the weight rows, the Reshape reads X. */
static void flatten_transposes(ir_graph *g) {
  for (int i = 0; i < g->n_nodes; i++) {
    ir_node *T = g->nodes[i], *R, *d;
    int ri, di;
    int64_t P[IR_MAX_DIMS];
    if (T->dead || T->op != IR_OP_Transpose || !(R = cc_sole_consumer(g, T->out[0], &ri)) || R->op != IR_OP_Reshape ||
        !(d = cc_sole_consumer(g, R->out[0], &di)) || (d->op != IR_OP_MatMul && d->op != IR_OP_Gemm) || d->in[0] != R->out[0])
      continue;
    const ir_type *xt = &g->tensors[T->in[0]]->type, *ft = &g->tensors[R->out[0]]->type;
    int r = get_perm(g, T, P), trans = d->op == IR_OP_Gemm && ir_attr_int(d, "transB", 0);
    if (r < 3 || P[0] != 0 || !ir_type_known(xt) || ft->rank != 2 || ft->dims[0] != xt->dims[0] ||
        (d->op == IR_OP_Gemm && ir_attr_int(d, "transA", 0)) || !cc_is_const_f32(g, d->in[1]))
      continue;
    const ir_type *wt = &g->tensors[d->in[1]]->type;
    if (wt->rank != 2 || wt->dims[trans] != ft->dims[1] || ft->dims[1] * xt->dims[0] != ir_type_numel(xt)) continue;
    d->in[1] = permute_flat_rows(g, d->in[1], trans, xt, P);
    R->in[0] = T->in[0];
    T->dead = 1;
  }
}

static void sink_transposes(ir_graph *g, int all);

int cc_channels_last(ir_graph *g, cc_ctx *cx, char *err, size_t errlen) {
  (void)cx;
  int converted = 0;
  flatten_transposes(g);
  for (int i = 0; i < g->n_nodes; i++) {
    ir_node *n = g->nodes[i];
    int added = !n->dead && (n->op == IR_OP_MatMul || n->op == IR_OP_Gemm) ? matmul_to_conv(g, i, n) : 0;
    if (added) converted++, i += added;
  }
  int rc = fold_weight_transposes(g, err, errlen);
  if (rc) return rc;
  sink_transposes(g, converted > 0);
  if (!converted) flatten_transposes(g); /* (a Transpose that sank onto a flatten) */
  return IR_OK;
}

/* Tensor t (a Transpose's output) read by node c reaches another Transpose through c and the
 * sole consumers after it, each one that a Transpose can move past (passes_transpose): sunk
 * there, the Transpose composes
 * with that one (both go when they are inverses: an unoptimized TensorFlow export's NCHW -> NHWC
 * -> per-channel affine -> NCHW) and moves nothing else; or a Reduce*, which takes the axes the
 * Transpose maps (sink_reduce); or a Split, whose parts' Transposes sink apart (sink_split). */
static int chain_sinks(ir_graph *g, int t, ir_node *c) {
  int r = g->tensors[t]->type.rank;
  for (int steps = 0; c && steps < g->n_nodes; steps++) {
    if (c->op == IR_OP_Transpose || is_reduce(c->op) || c->op == IR_OP_Split) return 1;
    if (!passes_transpose(g, c, t, r)) return 0;
    int ci;
    t = c->out[0];
    c = cc_sole_consumer(g, t, &ci);
  }
  return 0;
}

/* A Transpose (at i) read by several nodes: each reader (but the last) whose chain sinks
 * (chain_sinks) reads a copy of its own, placed before it, so that the copies sink apart (an NHWC
 * map that is both an output and GlobalAveragePooling2D's input). */
static void split_transpose_readers(ir_graph *g, int i) {
  ir_node *T = g->nodes[i];
  int64_t P[IR_MAX_DIMS];
  int t = T->out[0], r = T->n_in == 1 && T->n_out == 1 ? get_perm(g, T, P) : -1;
  for (int j = i + 1; r > 0 && j < g->n_nodes && ir_use_count(g, t) > 1; j++) {
    ir_node *c = g->nodes[j];
    int uses = 0;
    for (int k = 0; k < c->n_in; k++) uses += c->in[k] == t;
    if (c->dead || uses != 1 || !chain_sinks(g, t, c)) continue;
    char name[300], label[300];
    snprintf(name, sizeof name, "%s_for_%s", g->tensors[t]->name, cc_node_label(g, c));
    snprintf(label, sizeof label, "%s_for_%s", cc_node_label(g, g->nodes[i]), cc_node_label(g, c));
    ir_type tt = g->tensors[t]->type;
    int u = ir_add_tensor(g, name, &tt);
    if (g->tensors[t]->quant && g->tensors[t]->quant->n == 1) cc_copy_quant(g, t, u, -1);
    add_transpose(g, label, g->nodes[i]->in[0], u, P, r, j);
    for (int k = 0; k < c->n_in; k++)
      if (c->in[k] == t) c->in[k] = u;
    j++;
  }
}

/* Tensor t is a graph input or made from one alone by nodes of one activation input each (a
 * Cast, a pointwise op, Add/Sub/Mul/Div by a constant, a layout change): the input's
 * preprocessing, whose Transpose the host runs before the input's quantization. */
static int input_side(const ir_graph *g, int t) {
  for (int steps = 0; steps <= g->n_nodes; steps++) {
    if (ir_is_graph_input(g, t)) return 1;
    int pi, act = -1, nact = 0;
    const ir_node *p = ir_producer(g, t, &pi);
    if (!p || !(p->op == IR_OP_Cast || p->op == IR_OP_Transpose || p->op == IR_OP_Reshape || is_pointwise(p->op) ||
                p->op == IR_OP_Add || p->op == IR_OP_Sub || p->op == IR_OP_Mul || p->op == IR_OP_Div))
      return 0;
    for (int k = 0; k < p->n_in; k++)
      if (p->in[k] >= 0 && !cc_is_const(g, p->in[k])) act = p->in[k], nact++;
    if (nact != 1) return 0;
    t = act;
  }
  return 0;
}

/* Tensors a and b have the same quantization, or none (a QDQ model may requantize at a Transpose). */
static int same_quant(const ir_graph *g, int a, int b) {
  const ir_quant *p = g->tensors[a]->quant, *q = g->tensors[b]->quant;
  if (!p || !q) return !p && !q;
  return p->n == q->n && p->axis == q->axis && p->qtype == q->qtype &&
         !memcmp(p->scale, q->scale, (size_t)p->n * sizeof *p->scale) &&
         !memcmp(p->zero_point, q->zero_point, (size_t)p->n * sizeof *p->zero_point);
}

/* Node c (at ci): a Concat, or an Add/Sub/Mul/Div/Max/Min of two tensors of its output's shape,
 * whose every input is made by a Transpose of one perm P that only c reads: c reads the
 * Transposes' inputs (a Concat along P[axis]) and one Transpose P follows it (an Inception block
 * or a residual Add in NHWC between NCHW convs: the Transpose after it can then sink); without
 * all, not the Transposes of the input's preprocessing (input_side); not a Transpose that
 * requantizes (a QDQ model's other scale after it). 1 if done. */
static int hoist_transposes(ir_graph *g, int ci, int all) {
  ir_node *c = g->nodes[ci];
  int concat = c->op == IR_OP_Concat, y = c->out[0], r = -1;
  int binary = c->op == IR_OP_Add || c->op == IR_OP_Sub || c->op == IR_OP_Mul || c->op == IR_OP_Div ||
               c->op == IR_OP_Max || c->op == IR_OP_Min;
  if (c->dead || c->n_out != 1 || !(concat ? c->n_in >= 2 : binary && c->n_in == 2)) return 0;
  int64_t P[IR_MAX_DIMS] = {0}, Q[IR_MAX_DIMS] = {0};
  for (int k = 0; k < c->n_in; k++) {
    int pi, t = c->in[k];
    const ir_node *T = t >= 0 ? ir_producer(g, t, &pi) : NULL;
    if (!T || T->dead || T->op != IR_OP_Transpose || ir_use_count(g, t) != 1 || (!all && input_side(g, T->in[0])) ||
        !same_quant(g, T->in[0], t))
      return 0;
    int rk = get_perm(g, T, k ? Q : P);
    if (rk < 0 || (k && (rk != r || memcmp(P, Q, (size_t)r * sizeof *P)))) return 0;
    if (!concat && !cc_same_type(&g->tensors[t]->type, &g->tensors[y]->type)) return 0;
    r = rk;
  }
  if (g->tensors[y]->type.rank != r) return 0;
  if (concat) {
    int64_t axis = ir_attr_int(c, "axis", 0);
    if (axis < -r || axis >= r) return 0;
    ir_set_attr_int(c, "axis", P[axis < 0 ? axis + r : axis]);
  }
  for (int k = 0; k < c->n_in; k++) {
    int pi;
    ir_node *T = (ir_node *)ir_producer(g, c->in[k], &pi);
    c->in[k] = T->in[0];
    T->dead = 1;
  }
  char label[300];
  snprintf(label, sizeof label, "%s_to_out", cc_node_label(g, c));
  c->out[0] = untransposed_twin(g, y, P);
  add_transpose(g, label, c->out[0], y, P, r, ci + 1);
  return 1;
}

/* cc_sink_transposes; without all, a Transpose of the input's preprocessing (input_side: the
 * host's layout change before the input's quantization) stays, and Reshapes only merge. */
static void sink_transposes(ir_graph *g, int all) {
  for (int changed = 1, rounds = 0; changed && rounds < 64; rounds++) {
    changed = 0;
    cc_unit_transposes_to_reshapes(g); /* (a Reduce* with keepdims leaves one) */
    for (int i = 0; i < g->n_nodes; i++)
      if (!g->nodes[i]->dead && g->nodes[i]->op == IR_OP_Transpose && (all || !input_side(g, g->nodes[i]->in[0])))
        split_transpose_readers(g, i);
    for (int i = 0; i < g->n_nodes; i++)
      if (hoist_transposes(g, i, all)) changed = 1, i++;
    for (int i = 0; i < g->n_nodes; i++) {
      ir_node *T = g->nodes[i];
      if (T->dead || T->op != IR_OP_Transpose || (!all && input_side(g, T->in[0]))) continue;
      int ci;
      ir_node *c = cc_sole_consumer(g, T->out[0], &ci);
      if (!c) continue;
      if (c->op == IR_OP_Transpose) {
        int64_t P[IR_MAX_DIMS], Q[IR_MAX_DIMS], R[IR_MAX_DIMS];
        int r = get_perm(g, T, P);
        if (r < 0 || get_perm(g, c, Q) != r) continue;
        int ident = 1;
        for (int d = 0; d < r; d++) R[d] = P[Q[d]], ident &= R[d] == d;
        c->in[0] = T->in[0];
        T->dead = 1;
        if (ident) {
          if (!cc_bypass(g, c, c->in[0], c->out[0])) ir_set_op(c, IR_OP_Identity), ir_del_attr(c, "perm");
        } else {
          ir_set_attr_ints(c, "perm", R, r);
        }
        changed = 1;
        continue;
      }
      if (sink_once(g, i, T, ci, c)) changed = 1;
    }
    for (int i = 0; i < g->n_nodes; i++) {
      ir_node *R = g->nodes[i];
      if (R->dead || R->op != IR_OP_Reshape) continue;
      int ci;
      ir_node *c = cc_sole_consumer(g, R->out[0], &ci);
      if (!c) continue;
      if (c->op == IR_OP_Reshape && cc_is_const(g, c->in[1]) && !ir_attr_int(c, "allowzero", 0)) {
        /* Reshape of a Reshape: one; none when it restores the first one's input shape */
        c->in[0] = R->in[0];
        R->dead = 1;
        if (cc_same_type(&g->tensors[c->in[0]]->type, &g->tensors[c->out[0]]->type) &&
            ir_type_known(&g->tensors[c->in[0]]->type))
          cc_bypass(g, c, c->in[0], c->out[0]);
        changed = 1;
        continue;
      }
      if (all && sink_reshape(g, i, R, ci, c)) changed = 1;
    }
  }
}

void cc_sink_transposes(ir_graph *g) { sink_transposes(g, 1); }

/* ---- affine-to-conv ---- */

/* Per-channel constant operand of an Add/Mul node n on a rank-4 [N,C,H,W] f32 activation: the
 * values as a scale s or shift t ([C], malloc'ed); the activation in *x. (Sub and Div by
 * constants are Add and Mul by then: fold-affine's div_sub_to_mul_add.) */
static int channel_op(const ir_graph *g, const ir_node *n, int64_t C, float **s, float **t, int *x) {
  float *v;
  *s = *t = NULL;
  if ((n->op != IR_OP_Add && n->op != IR_OP_Mul) || !channel_const(g, n, C, 4, &v, x)) return 0;
  *(n->op == IR_OP_Mul ? s : t) = v;
  return 1;
}

/* x is the output of a Conv/Gemm whose weights are not a constant (PyTorch's fake-quantized
 * weights through QuantizeLinear -> DequantizeLinear): qdq-import folds the affine maps after it
 * (a QAT module's Div by its BN scale, the bias Add) into the weights' per-channel scales. */
static int after_fake_quant_conv(const ir_graph *g, int x) {
  for (int hops = 0; hops < 16; hops++) { /* back through a chain of Mul/Add/Sub/Div by constants */
    int pi;
    if (!ir_producer(g, x, &pi)) return 0;
    const ir_node *p = g->nodes[pi];
    if (p->op == IR_OP_Conv || p->op == IR_OP_Gemm)
      return p->n_in > 1 && p->in[1] >= 0 && !g->tensors[p->in[1]]->data;
    if ((p->op != IR_OP_Mul && p->op != IR_OP_Add && p->op != IR_OP_Sub && p->op != IR_OP_Div) || p->n_in != 2)
      return 0;
    if (cc_is_const(g, p->in[1])) x = p->in[0];
    else if (cc_is_const(g, p->in[0])) x = p->in[1];
    else return 0;
  }
  return 0;
}

/* Why a per-channel affine on the model's input stays where it is (partition reads it). */
#define HOST_AFFINE_WHY \
  "normalization of the model's input: on the host before its quantization (cheaper than an accelerator pass)"

/* Is t the model's input, or its Cast to float (a uint8 image, which float-inputs turns into a
 * float input)? */
static int model_input(const ir_graph *g, int t) {
  int pi;
  const ir_node *p = ir_producer(g, t, &pi);
  return ir_is_graph_input(g, t) || (p && !p->dead && p->op == IR_OP_Cast && ir_is_graph_input(g, p->in[0]));
}

/* Node n becomes op(a, c) on the host (no attributes, the reason for partition). */
static void host_op(ir_node *n, ir_op op, int a, int c) {
  ir_set_op(n, op);
  ir_set_inputs(n, (int[]){a, c}, 2);
  ir_clear_attrs(n);
  ir_set_attr_string(n, "dlvta.why", HOST_AFFINE_WHY);
}

/* The composed affine x * w + b of the chain n .. last on the model's input, for the host: n
 * becomes Mul(x, w), last (or a new node after n, index i) Add(., b), both [1, C, 1, 1] (a scale
 * of ones or a shift of zeros: n alone); the nodes between are dead already. */
static void host_affine(ir_graph *g, int i, ir_node *n, ir_node *last, int x, float *w, float *b, int64_t C) {
  int y = last->out[0], ones = 1, zeros = 1;
  for (int64_t k = 0; k < C; k++) ones &= w[k] == 1.0f, zeros &= b[k] == 0.0f;
  char name[300], mname[320];
  if (ones || zeros) {
    if (last != n) n->out[0] = y, last->dead = 1;
    snprintf(name, sizeof name, "%s_%s", cc_node_label(g, n), ones ? "shift" : "scale");
    free(ones ? w : b);
    host_op(n, ones ? IR_OP_Add : IR_OP_Mul, x, cc_new_const_f32(g, name, (int64_t[]){1, C, 1, 1}, 4, ones ? b : w));
    return;
  }
  snprintf(name, sizeof name, "%s_scale", cc_node_label(g, n));
  int wi = cc_new_const_f32(g, name, (int64_t[]){1, C, 1, 1}, 4, w);
  snprintf(name, sizeof name, "%s_shift", cc_node_label(g, last));
  int bi = cc_new_const_f32(g, name, (int64_t[]){1, C, 1, 1}, 4, b);
  snprintf(mname, sizeof mname, "%s_scaled", name);
  int mid = ir_add_tensor(g, mname, &g->tensors[y]->type);
  if (last == n) {
    last = ir_add_node(g, IR_OP_Add, name, (int[]){mid, bi}, 2, &y, 1);
    ir_move_last_node(g, i + 1);
  }
  host_op(last, IR_OP_Add, mid, bi);
  host_op(n, IR_OP_Mul, x, wi);
  n->out[0] = mid;
}

/* A chain of per-channel constant Muls and Adds on an activation that no Conv absorbed (a
 * pre-activation BatchNorm between a Concat and a Relu), each the sole reader of the one before,
 * becomes one depthwise 1x1 Conv of the composed map (weights s, bias t), which the accelerator
 * runs and fuse joins with a following Relu/Clip; on the model's input (its normalization), one
 * host Mul + Add (host_affine). */
/* Mul node n (at i) of a [1,C,H,W] f32 activation by a one-channel [1,1,H,W] activation (CBAM's
 * and other spatial attention gates: x * sigmoid(conv(...))): the gate is broadcast over the
 * channels by a 1x1 Conv 1 -> C of ones (exact), so that the Mul is of two maps of one shape,
 * which the accelerator runs (a broadcast Mul was a CPU step). The number of nodes inserted. */
static int spatial_gate(ir_graph *g, int i, ir_node *n) {
  if (n->op != IR_OP_Mul || n->n_in != 2 || n->n_out != 1 || n->in[0] < 0 || n->in[1] < 0) return 0;
  const ir_type *yt = &g->tensors[n->out[0]]->type;
  int k = g->tensors[n->in[0]]->type.rank == 4 && g->tensors[n->in[0]]->type.dims[1] == 1 ? 0 : 1, s = n->in[k];
  const ir_type *st = &g->tensors[s]->type, *xt = &g->tensors[n->in[1 - k]]->type;
  if (yt->dtype != IR_F32 || yt->rank != 4 || !ir_type_known(yt) || yt->dims[0] != 1 || yt->dims[1] < 2 ||
      !cc_same_type(xt, yt) || st->rank != 4 || st->dims[1] != 1 || st->dims[0] != 1 || st->dims[2] != yt->dims[2] ||
      st->dims[3] != yt->dims[3] || cc_is_const(g, s) || cc_is_const(g, n->in[1 - k]))
    return 0;
  int64_t C = yt->dims[1];
  float *w = xmalloc((size_t)C * sizeof *w);
  for (int64_t c = 0; c < C; c++) w[c] = 1.0f;
  char name[300];
  snprintf(name, sizeof name, "%s_broadcast_weight", cc_node_label(g, n));
  int wi = cc_new_const_f32(g, name, (int64_t[]){C, 1, 1, 1}, 4, w);
  snprintf(name, sizeof name, "%s_broadcast", cc_node_label(g, n));
  int b = ir_add_tensor(g, name, yt);
  ir_node *c = ir_add_node(g, IR_OP_Conv, name, (int[]){s, wi}, 2, &b, 1);
  ir_set_attr_ints(c, "kernel_shape", (int64_t[]){1, 1}, 2);
  ir_move_last_node(g, i);
  n->in[k] = b;
  return 1;
}

/* Mul node n (at i) of a [1,C,H,W] f32 activation by a [1,C,H,1] or [1,C,1,W] activation
 * (coordinate attention's gates: x * sigmoid(conv(x.mean(3, keepdim=True)))): the gate is
 * repeated along the axis it lacks by a nearest Resize of integer factor W (or H) up to 16, which
 * the accelerator runs, so that the Mul is of two maps of one shape (a broadcast Mul was a CPU
 * step). The number of nodes inserted. */
static int axis_gate(ir_graph *g, int i, ir_node *n) {
  if (n->op != IR_OP_Mul || n->n_in != 2 || n->n_out != 1 || n->in[0] < 0 || n->in[1] < 0 || n->out[0] < 0) return 0;
  const ir_type *yt = &g->tensors[n->out[0]]->type;
  if (yt->dtype != IR_F32 || yt->rank != 4 || !ir_type_known(yt) || yt->dims[0] != 1) return 0;
  for (int k = 0; k < 2; k++) {
    int s = n->in[k], x = n->in[1 - k];
    const ir_type *st = &g->tensors[s]->type;
    if (!cc_same_type(&g->tensors[x]->type, yt) || st->rank != 4 || st->dims[0] != 1 || st->dims[1] != yt->dims[1] ||
        cc_is_const(g, s) || cc_is_const(g, x))
      continue;
    int ax = st->dims[2] == 1 && st->dims[3] == yt->dims[3] ? 2 : st->dims[3] == 1 && st->dims[2] == yt->dims[2] ? 3 : 0;
    if (!ax || yt->dims[ax] < 2 || yt->dims[ax] > 16) continue;
    float *sc = xmalloc(4 * sizeof *sc);
    sc[0] = sc[1] = 1.0f, sc[2] = ax == 2 ? (float)yt->dims[2] : 1.0f, sc[3] = ax == 3 ? (float)yt->dims[3] : 1.0f;
    char name[300];
    snprintf(name, sizeof name, "%s_repeat_scales", cc_node_label(g, n));
    int si = cc_new_const_f32(g, name, (int64_t[]){4}, 1, sc);
    snprintf(name, sizeof name, "%s_repeat", cc_node_label(g, n));
    int r = ir_add_tensor(g, name, yt);
    ir_node *rs = ir_add_node(g, IR_OP_Resize, name, (int[]){s, -1, si}, 3, &r, 1);
    ir_set_attr_string(rs, "mode", "nearest");
    ir_move_last_node(g, i);
    n->in[k] = r;
    return 1;
  }
  return 0;
}

/* Sub node n (at i) of two float activations of one [1,C,H,W] (or [1,C]) shape (PoolFormer's
 * token mixer avgpool(x) - x, a difference of features) -> Add(a, Neg(b)): the Neg a table layer
 * and the Add an add layer on the accelerator (a Sub was a CPU step). The nodes inserted. */
static int sub_of_activations(ir_graph *g, int i, ir_node *n) {
  if (n->op != IR_OP_Sub || n->n_in != 2 || n->n_out != 1 || n->in[0] < 0 || n->in[1] < 0 || n->out[0] < 0 ||
      cc_is_const(g, n->in[0]) || cc_is_const(g, n->in[1]))
    return 0;
  const ir_type *yt = &g->tensors[n->out[0]]->type;
  if (yt->dtype != IR_F32 || (yt->rank != 4 && yt->rank != 2) || !ir_type_known(yt) || yt->dims[0] != 1 ||
      !cc_same_type(&g->tensors[n->in[0]]->type, yt) || !cc_same_type(&g->tensors[n->in[1]]->type, yt))
    return 0;
  char name[300];
  snprintf(name, sizeof name, "%s_neg", cc_node_label(g, n));
  int t = ir_add_tensor(g, name, yt);
  ir_add_node(g, IR_OP_Neg, name, &n->in[1], 1, &t, 1);
  ir_move_last_node(g, i);
  n->in[1] = t;
  ir_set_op(n, IR_OP_Add);
  return 1;
}

int cc_affine_to_conv(ir_graph *g, cc_ctx *cx, char *err, size_t errlen) {
  (void)cx, (void)err, (void)errlen;
  for (int i = 0; cx && cx->cfg && i < g->n_nodes; i++) {
    if (g->nodes[i]->dead) continue;
    int added = spatial_gate(g, i, g->nodes[i]);
    if (!added) added = axis_gate(g, i, g->nodes[i]);
    i += added ? added : sub_of_activations(g, i, g->nodes[i]);
  }
  for (int i = 0; i < g->n_nodes; i++) {
    ir_node *n = g->nodes[i];
    if (n->dead || n->n_out != 1 || ir_get_attr(n, "dlvta.why")) continue;
    const ir_type *yt = &g->tensors[n->out[0]]->type;
    if (yt->dtype != IR_F32 || yt->rank != 4 || yt->dims[1] < 1) continue;
    int64_t C = yt->dims[1];
    float *s, *t, *s2, *t2;
    int x, x2, ci;
    if (!channel_op(g, n, C, &s, &t, &x)) continue;
    if (!cc_same_type(&g->tensors[x]->type, yt) || after_fake_quant_conv(g, x)) {
      free(s), free(t);
      continue;
    }
    float *w = xmalloc((size_t)C * sizeof(float)), *b = xmalloc((size_t)C * sizeof(float));
    for (int64_t k = 0; k < C; k++) w[k] = s ? s[k] : 1.0f, b[k] = t ? t[k] : 0.0f;
    free(s), free(t);
    /* the per-channel ops that follow, each the sole reader of the last (a scale then a shift, a
     * normalization's Sub then Div): one conv, y * s2 + t2 = x * (w * s2) + (b * s2 + t2) */
    ir_node *last = n, *c;
    while ((c = cc_sole_consumer(g, last->out[0], &ci)) && channel_op(g, c, C, &s2, &t2, &x2)) {
      int ok = x2 == last->out[0] && cc_same_type(&g->tensors[c->out[0]]->type, yt);
      for (int64_t k = 0; ok && k < C; k++) w[k] *= s2 ? s2[k] : 1.0f, b[k] = b[k] * (s2 ? s2[k] : 1.0f) + (t2 ? t2[k] : 0.0f);
      free(s2), free(t2);
      if (!ok) break;
      if (last != n) last->dead = 1;
      last = c;
    }
    if (model_input(g, x)) { /* the model's input's normalization: for the host */
      host_affine(g, i, n, last, x, w, b, C);
      continue;
    }
    char name[300];
    snprintf(name, sizeof name, "%s_dw_weight", cc_node_label(g, last));
    int wi = cc_new_const_f32(g, name, (int64_t[]){C, 1, 1, 1}, 4, w);
    snprintf(name, sizeof name, "%s_dw_bias", cc_node_label(g, last));
    int bi = cc_new_const_f32(g, name, &C, 1, b);
    if (last != n) {
      n->out[0] = last->out[0];
      last->dead = 1;
    }
    ir_set_op(n, IR_OP_Conv);
    ir_set_inputs(n, (int[]){x, wi, bi}, 3);
    ir_clear_attrs(n);
    ir_set_attr_int(n, "group", C);
    ir_set_attr_ints(n, "kernel_shape", (int64_t[]){1, 1}, 2);
  }
  return IR_OK;
}

/* ---- prelu-to-conv ---- */

/* The per-channel slopes of PRelu node n ([C] malloc'ed) on an f32 [N,C,H,W] activation: a
 * constant of shape [C,1,1] or [1,C,1,1] (torch's nn.PReLU(C)), the legacy [C]
 * (ir_prelu_channel_slope) or one value; else NULL and why not in why. */
static float *prelu_slopes(const ir_graph *g, const ir_node *n, char *why, size_t whylen) {
  const ir_type *xt = &g->tensors[n->in[0]]->type;
  int s = n->in[1];
  if (xt->dtype != IR_F32 || !cc_is_const(g, s) || g->tensors[s]->type.dtype != IR_F32) {
    snprintf(why, whylen, "PRelu whose slope is not a constant float tensor");
    return NULL;
  }
  const ir_type *st = &g->tensors[s]->type;
  if (xt->rank != 4 || xt->dims[1] < 1) {
    snprintf(why, whylen, "PRelu of a rank-%d activation (per-channel slopes run on the accelerator on [N,C,H,W] ones, and on "
             "[N,C,L] ones that lift-1d lifts)", xt->rank);
    return NULL;
  }
  int64_t C = xt->dims[1], cn = ir_type_numel(st);
  if (!cc_per_channel(g->tensors[s], C, 4) && !ir_prelu_channel_slope(xt, st)) {
    char dims[128] = "";
    for (int d = 0; d < st->rank; d++)
      snprintf(dims + strlen(dims), sizeof dims - strlen(dims), "%s%lld", d ? "," : "", (long long)st->dims[d]);
    snprintf(why, whylen, "PRelu slope of shape [%s] varies along other axes than the %lld channels", dims, (long long)C);
    return NULL;
  }
  float *v = xmalloc((size_t)C * sizeof(float));
  for (int64_t c = 0; c < C; c++) v[c] = ((const float *)g->tensors[s]->data)[cn == 1 ? 0 : c];
  return v;
}

/* A new tensor named name with x's type and x's symbols for its unknown extents (a symbolic batch). */
static int like_tensor(ir_graph *g, const char *name, int x) {
  ir_type t = g->tensors[x]->type;
  int y = ir_add_tensor(g, name, &t);
  for (int d = 0; d < t.rank; d++)
    if (g->tensors[x]->dim_param[d]) g->tensors[y]->dim_param[d] = strdup(g->tensors[x]->dim_param[d]);
  return y;
}

/* PRelu with a slope per channel (nn.PReLU(C): MobileFaceNet, ArcFace's ResNets) on an
 * [N,C,H,W] activation x: y = x + (1 - s_c) * relu(-x), i.e. Neg then Relu (one table layer:
 * partition fuses the Relu as its clamp), a depthwise 1x1 Conv of that with weights 1 - s_c,
 * and x added as the conv's residual (fuse). y keeps its tensor; the conv takes the PRelu's
 * name. A PRelu it cannot rewrite gets dlvta.why (partition reports it). */
int cc_prelu_to_conv(ir_graph *g, cc_ctx *cx, char *err, size_t errlen) {
  (void)cx, (void)err, (void)errlen;
  for (int i = 0; i < g->n_nodes; i++) {
    ir_node *n = g->nodes[i];
    if (n->dead || n->op != IR_OP_PRelu || n->n_out != 1) continue;
    char why[256], label[256], yname[256], name[300];
    float *s = prelu_slopes(g, n, why, sizeof why);
    if (!s) {
      ir_set_attr_string(n, "dlvta.why", why);
      continue;
    }
    int x = n->in[0], y = n->out[0];
    int64_t C = g->tensors[x]->type.dims[1];
    snprintf(label, sizeof label, "%s", cc_node_label(g, n));
    snprintf(yname, sizeof yname, "%s", g->tensors[y]->name);
    snprintf(name, sizeof name, "%s_neg", yname);
    int t1 = like_tensor(g, name, x);
    snprintf(name, sizeof name, "%s_neg", label);
    ir_add_node(g, IR_OP_Neg, name, &x, 1, &t1, 1);
    ir_move_last_node(g, i);
    snprintf(name, sizeof name, "%s_negrelu", yname);
    int t2 = like_tensor(g, name, x);
    snprintf(name, sizeof name, "%s_negrelu", label);
    ir_add_node(g, IR_OP_Relu, name, &t1, 1, &t2, 1);
    ir_move_last_node(g, i + 1);
    for (int64_t c = 0; c < C; c++) s[c] = 1.0f - s[c];
    snprintf(name, sizeof name, "%s_negslope", label);
    int wi = cc_new_const_f32(g, name, (int64_t[]){C, 1, 1, 1}, 4, s);
    snprintf(name, sizeof name, "%s_negpart", yname);
    int t3 = like_tensor(g, name, x);
    ir_node *conv = ir_add_node(g, IR_OP_Conv, label, (int[]){t2, wi}, 2, &t3, 1);
    ir_set_attr_int(conv, "group", C);
    ir_set_attr_ints(conv, "kernel_shape", (int64_t[]){1, 1}, 2);
    ir_move_last_node(g, i + 2);
    n = g->nodes[i + 3];
    ir_set_op(n, IR_OP_Add);
    ir_set_inputs(n, (int[]){t3, x}, 2);
    ir_clear_attrs(n);
    i += 3;
  }
  return IR_OK;
}
