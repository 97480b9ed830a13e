/* compiler/lower.c -- partitioning and lowering: which node the accelerator runs and which the
 * CPU fallback does (the partition pass), and the translation of the quantized graph into
 * accelerator layers, per-layer programs, one image, the runtime graph of the CPU nodes and
 * the execution plan (the lower pass); cc_compile runs the whole compiler. See compile.h.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compile.h"
#include "onnx_import.h"

static cc_compile_ctx *active;

cc_compile_ctx *cc_compile_active(void) { return active; }

/* ---- shapes and helpers ------------------------------------------------------------------ */

/* Does non-constant float tensor t map onto an accelerator tensor (batch 1: [1,C,H,W] or
 * [1,C] as C x 1 x 1)? Fills c, h, w. */
static int acc_shape(const ir_graph *g, int t, int *c, int *h, int *w) {
  if (t < 0) return 0;
  const ir_tensor *T = g->tensors[t];
  if (T->data || T->type.dtype != IR_F32 || !ir_type_known(&T->type)) return 0;
  const int64_t *d = T->type.dims;
  int64_t C, H = 1, W = 1;
  if (T->type.rank == 4 && d[0] == 1) C = d[1], H = d[2], W = d[3];
  else if (T->type.rank == 2 && d[0] == 1) C = d[1];
  else return 0;
  if (C < 1 || H < 1 || W < 1 || C > (1 << 20) || H > 65535 || W > 65535) return 0;
  *c = (int)C, *h = (int)H, *w = (int)W;
  return 1;
}

static int same_acc_shape(const ir_graph *g, int a, int b) {
  int c1, h1, w1, c2, h2, w2;
  return acc_shape(g, a, &c1, &h1, &w1) && acc_shape(g, b, &c2, &h2, &w2) && c1 == c2 && h1 == h2 && w1 == w2;
}

static int is_const_f32(const ir_graph *g, int t) {
  return t >= 0 && g->tensors[t]->data && g->tensors[t]->type.dtype == IR_F32 && ir_type_known(&g->tensors[t]->type);
}

/* The only node reading t (t no graph output), or NULL. */
static ir_node *only_consumer(const ir_graph *g, int t) {
  if (ir_use_count(g, t) != 1 || ir_is_graph_output(g, t)) return NULL;
  for (int i = 0; i < g->n_nodes; i++) {
    ir_node *n = g->nodes[i];
    if (n->dead) continue;
    for (int k = 0; k < n->n_in; k++)
      if (n->in[k] == t) return n;
  }
  return NULL;
}

/* Constant scalar bounds of a Clip node into lo/hi (defaults +-inf). 0 if not constant. */
static int clip_bounds(const ir_graph *g, const ir_node *n, float *lo, float *hi) {
  *lo = -INFINITY, *hi = INFINITY;
  if (n->op == IR_OP_Relu) {
    *lo = 0;
    return 1;
  }
  if (n->op != IR_OP_Clip) return 0;
  for (int k = 1; k < n->n_in && k < 3; k++) {
    if (n->in[k] < 0) continue;
    const ir_tensor *b = g->tensors[n->in[k]];
    if (!b->data || b->type.dtype != IR_F32 || ir_type_numel(&b->type) != 1) return 0;
    *(k == 1 ? lo : hi) = ((const float *)b->data)[0];
  }
  return 1;
}

/* 2-D window geometry of a Conv/pool node on input x: kernel from W (Conv) or attributes. */
static int window(const ir_graph *g, const ir_node *n, int x, const int64_t *kernel, ir_window *win, char *why,
                  size_t whylen) {
  const ir_type *t = &g->tensors[x]->type;
  if (t->rank != 4) return snprintf(why, whylen, "not 2-D"), -1;
  int64_t sp[2] = {t->dims[2], t->dims[3]};
  if (ir_window_geometry(g, n, sp, 2, kernel, win, why, whylen) != IR_OK) return -1;
  for (int k = 0; k < 2; k++) {
    if (win->pad_b[k] < 0 || win->pad_b[k] > 15 || win->pad_e[k] < 0 || win->pad_e[k] > 15)
      return snprintf(why, whylen, "padding beyond 15"), -1;
    if (win->kernel[k] < 1 || win->stride[k] < 1 || win->dil[k] < 1 || win->kernel[k] > 65535 || win->stride[k] > 255 ||
        win->dil[k] > 255)
      return snprintf(why, whylen, "window out of range"), -1;
  }
  return 0;
}

/* Output extents that the back end's formula gives for win (floor). */
static int cg_dims_match(const ir_graph *g, const ir_window *win, int y) {
  const ir_type *t = &g->tensors[y]->type;
  for (int k = 0; k < 2; k++) {
    int o = cc_out_dim((int)win->in[k], (int)win->kernel[k], (int)win->stride[k], (int)win->dil[k], (int)win->pad_b[k],
                       (int)win->pad_e[k]);
    if (t->rank != 4 || o != t->dims[2 + k]) return 0;
  }
  return 1;
}

/* ---- partition ------------------------------------------------------------------------- */

/* NULL if the accelerator can run node n, else why not. */
static const char *accel_why_not(const ir_graph *g, const ir_node *n, char *why, size_t whylen) {
  int c, h, w;
  switch (n->op) {
  case IR_OP_Conv:
  case IR_OP_FusedConv: {
    int x = n->in[0], W = n->in[1], B = n->n_in > 2 ? n->in[2] : -1, R = n->n_in > 3 ? n->in[3] : -1, y = n->out[0];
    if (!acc_shape(g, x, &c, &h, &w) || g->tensors[x]->type.rank != 4) return "input is not a batch-1 NCHW activation";
    if (!acc_shape(g, y, &c, &h, &w) || g->tensors[y]->type.rank != 4) return "output is not a batch-1 NCHW tensor";
    if (!is_const_f32(g, W) || g->tensors[W]->type.rank != 4) return "weights are not a constant 4-D float tensor";
    if (B >= 0 && (!is_const_f32(g, B) || ir_type_numel(&g->tensors[B]->type) != g->tensors[W]->type.dims[0]))
      return "bias is not constant";
    if (R >= 0 && !same_acc_shape(g, R, y)) return "residual is not an activation of the output's shape";
    int64_t group = ir_attr_int(n, "group", 1), cin = g->tensors[x]->type.dims[1], M = g->tensors[W]->type.dims[0];
    if (group != 1 && !(group == cin && M == cin && g->tensors[W]->type.dims[1] == 1))
      return "grouped convolution other than depthwise";
    const char *act = ir_attr_string(n, "activation", "none");
    if (strcmp(act, "none") && strcmp(act, "relu") && strcmp(act, "clip")) return "unknown fused activation";
    ir_window win;
    if (window(g, n, x, g->tensors[W]->type.dims + 2, &win, why, whylen)) return why;
    if (!cg_dims_match(g, &win, y)) return "output extents differ from the back end's formula";
    return NULL;
  }
  case IR_OP_Gemm:
  case IR_OP_MatMul: {
    int a = n->in[0], b = n->in[1], y = n->out[0];
    if (!acc_shape(g, a, &c, &h, &w) || g->tensors[a]->type.rank != 2) return "input is not [1, K]";
    if (!acc_shape(g, y, &c, &h, &w) || g->tensors[y]->type.rank != 2) return "output is not [1, N]";
    if (!is_const_f32(g, b) || g->tensors[b]->type.rank != 2) return "weights are not a constant 2-D float tensor";
    if (n->op == IR_OP_Gemm) {
      if (ir_attr_int(n, "transA", 0)) return "transA";
      int C = n->n_in > 2 ? n->in[2] : -1;
      if (C >= 0 && (!is_const_f32(g, C) ||
                     (ir_type_numel(&g->tensors[C]->type) != 1 && ir_type_numel(&g->tensors[C]->type) != g->tensors[y]->type.dims[1])))
        return "C is not a constant per-output vector";
    }
    return NULL;
  }
  case IR_OP_MaxPool:
  case IR_OP_AveragePool: {
    int x = n->in[0], y = n->out[0];
    if (n->n_out > 1 && n->out[1] >= 0 && ir_use_count(g, n->out[1]) > 0) return "Indices output is used";
    if (!acc_shape(g, x, &c, &h, &w) || g->tensors[x]->type.rank != 4) return "input is not a batch-1 NCHW activation";
    if (!acc_shape(g, y, &c, &h, &w)) return "output is not a batch-1 NCHW tensor";
    ir_window win;
    if (window(g, n, x, NULL, &win, why, whylen)) return why;
    if (win.dil[0] != 1 || win.dil[1] != 1) return "dilated pooling";
    if (!cg_dims_match(g, &win, y)) return "ceil_mode output extents";
    if (n->op == IR_OP_AveragePool && !ir_attr_int(n, "count_include_pad", 0) &&
        (win.pad_b[0] || win.pad_b[1] || win.pad_e[0] || win.pad_e[1]))
      return "padding excluded from the average (count_include_pad=0)";
    return NULL;
  }
  case IR_OP_GlobalAveragePool:
    if (!acc_shape(g, n->in[0], &c, &h, &w) || g->tensors[n->in[0]]->type.rank != 4) return "input is not batch-1 NCHW";
    if (!acc_shape(g, n->out[0], &c, &h, &w)) return "output shape";
    return NULL;
  case IR_OP_Add:
    if (!same_acc_shape(g, n->in[0], n->in[1]) || !same_acc_shape(g, n->in[0], n->out[0]))
      return "not two activations of one shape";
    if (g->tensors[n->in[0]]->type.rank != g->tensors[n->in[1]]->type.rank) return "ranks differ";
    return NULL;
  default: return "no accelerator lowering for this op";
  }
}

/* Marks every node with dlvta.target (see compile.h). An op that neither the accelerator nor
 * the reference executor knows is an error naming the node. */
int cc_partition(ir_graph *g, const cc_options *o, char *err, size_t errlen) {
  (void)o;
  for (int i = 0; i < g->n_nodes; i++) {
    ir_node *n = g->nodes[i];
    if (n->dead) continue;
    if (n->op == IR_OP_UNKNOWN)
      return ir_node_err(g, n, err, errlen, "unsupported operator '%s': neither the accelerator nor the CPU fallback runs it",
                         n->op_name),
             IR_UNSUPPORTED;
    for (int k = 0; k < n->n_attr; k++)
      if (n->attr[k].kind == IR_ATTR_OTHER)
        return ir_node_err(g, n, err, errlen, "attribute '%s' of an unsupported kind (graph or sparse tensor)",
                           n->attr[k].name),
               IR_UNSUPPORTED;
  }
  cc_compile_ctx *cx = cc_compile_active();
  if (!cx) return IR_OK;
  for (int i = 0; i < g->n_nodes; i++) {
    ir_node *n = g->nodes[i];
    if (n->dead) continue;
    const char *forced = ir_attr_string(n, "dlvta.target", NULL);
    if (forced && !strcmp(forced, "cpu")) continue; /* the back end refused it on a previous try */
    char why[256] = "";
    const char *no = accel_why_not(g, n, why, sizeof why);
    if (n->op == IR_OP_Reshape && same_acc_shape(g, n->in[0], n->out[0])) {
      ir_set_attr_string(n, "dlvta.target", "alias");
    } else if (!no) {
      ir_set_attr_string(n, "dlvta.target", "accel");
    } else if (!ir_get_attr(n, "dlvta.target") || strcmp(ir_attr_string(n, "dlvta.target", ""), "fused")) {
      ir_set_attr_string(n, "dlvta.target", "cpu");
      ir_set_attr_string(n, "dlvta.why", no);
    }
    /* a Relu/Clip right after an accelerated Add/Gemm/MatMul/AveragePool becomes its clamp */
    if (!no && (n->op == IR_OP_Add || n->op == IR_OP_Gemm || n->op == IR_OP_MatMul || n->op == IR_OP_AveragePool ||
                n->op == IR_OP_GlobalAveragePool)) {
      ir_node *c = only_consumer(g, n->out[0]);
      float lo, hi;
      if (c && clip_bounds(g, c, &lo, &hi) && same_acc_shape(g, c->out[0], n->out[0]) &&
          strcmp(ir_attr_string(c, "dlvta.target", ""), "cpu"))
        ir_set_attr_string(c, "dlvta.target", "fused");
    }
  }
  return IR_OK;
}

/* ---- lowering ---------------------------------------------------------------------------- */
typedef struct blob {
  uint8_t *p;
  uint64_t n;        /* bytes of the layer's image from c on */
  uint64_t b, c;     /* arena end when built, and c = b rounded down to ISA_IMAGE_ALIGN */
} blob;

typedef struct lw {
  ir_graph *g;
  cc_compile_ctx *cx;
  cc_model *m;
  int *acc;          /* [g->n_tensors] accelerator tensor of each IR tensor, -1 */
  int *rgi;          /* [g->n_tensors] runtime-graph tensor, -1 */
  blob *bl;          /* [m->nl] */
  int refused;       /* node the back end refused (retry with it on the CPU), -1 */
  signed char *dsfuse; /* [g->n_nodes] ds_consumer's cost decision: -1 not made, 0 no, 1 fuse */
  char *err;
  size_t errlen;
} lw;

static int lw_fail(lw *L, const ir_node *n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int lw_fail(lw *L, const ir_node *n, const char *fmt, ...) {
  char msg[768];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  if (n) ir_node_err(L->g, n, L->err, L->errlen, "%s", msg);
  else snprintf(L->err, L->errlen, "%s: %s", L->g->source ? L->g->source : "model", msg);
  return IR_ERR;
}

/* Room for element n of an array grown by doubling (n elements in use); out of memory is
 * fatal here as in the IR's construction helpers. */
static void *grow(void *p, int n, size_t elem) {
  if (n & (n - 1)) return p; /* capacity doubles at powers of two */
  void *q = realloc(p, (size_t)(n ? 2 * n : 1) * elem);
  if (!q) {
    fprintf(stderr, "dlvta: out of memory\n");
    abort();
  }
  return q;
}

/* Appends a plan step. */
static void add_step(lw *L, int kind, int a, int b) {
  cc_model *m = L->m;
  m->s = grow(m->s, m->ns, sizeof *m->s);
  m->s[m->ns++] = (cc_mstep){kind, a, b};
}

/* The per-tensor int8 quantization calibrate gave IR tensor t. */
static int quant_of(lw *L, int t, float *scale, int32_t *zp) {
  const ir_quant *q = L->g->tensors[t]->quant;
  if (!q || q->n != 1 || !(q->scale[0] > 0) || q->zero_point[0] < -128 || q->zero_point[0] > 127)
    return lw_fail(L, NULL, "tensor '%s' has no usable int8 quantization (was it reached by calibration?)",
                   L->g->tensors[t]->name);
  *scale = q->scale[0];
  *zp = q->zero_point[0];
  return IR_OK;
}

/* Record accelerator tensor id (just created in m->net) for IR tensor t. */
static void add_mtensor(lw *L, int id, int t, float scale, int32_t zp) {
  cc_model *m = L->m;
  m->t = grow(m->t, m->nt, sizeof *m->t);
  cc_mtensor *T = &m->t[m->nt++];
  memset(T, 0, sizeof *T);
  snprintf(T->name, sizeof T->name, "%s", L->g->tensors[t]->name);
  cc_tensor_shape(m->net, id, &T->c, &T->h, &T->w);
  T->offset = cc_tensor_offset(m->net, id);
  T->bytes = cc_tensor_bytes(m->net, id);
  T->scale = scale;
  T->zp = zp;
}

/* A new accelerator tensor for IR tensor t; id or < 0 (message set). */
static int new_acc(lw *L, int t) {
  int c, h, w;
  float s;
  int32_t z;
  if (!acc_shape(L->g, t, &c, &h, &w)) return lw_fail(L, NULL, "tensor '%s' does not fit the accelerator", L->g->tensors[t]->name), -1;
  if (quant_of(L, t, &s, &z)) return -1;
  int id = cc_net_tensor(L->m->net, c, h, w);
  if (id < 0) return lw_fail(L, NULL, "tensor '%s': %s", L->g->tensors[t]->name, cc_net_error(L->m->net)), -1;
  add_mtensor(L, id, t, s, z);
  return id;
}

/* The runtime-graph tensor holding IR tensor t as float (constants copied, accelerator
 * values dequantized here); -1 with a message if t has no value yet. */
static int float_of(lw *L, int t) {
  if (L->rgi[t] >= 0) return L->rgi[t];
  const ir_tensor *T = L->g->tensors[t];
  ir_graph *rg = L->m->g;
  if (T->data) {
    size_t bytes = (size_t)ir_type_numel(&T->type) * ir_dtype_size(T->type.dtype);
    void *d = malloc(bytes ? bytes : 1);
    if (!d) return lw_fail(L, NULL, "out of memory"), -1;
    memcpy(d, T->data, bytes);
    return L->rgi[t] = ir_add_const(rg, T->name, &T->type, d);
  }
  if (L->acc[t] < 0) return lw_fail(L, NULL, "internal: tensor '%s' has no value when needed", T->name), -1;
  L->rgi[t] = ir_add_tensor(rg, T->name, &T->type);
  /* to the runtime graph, a value from the accelerator is an input */
  int *ni = realloc(rg->inputs, ((size_t)rg->n_inputs + 1) * sizeof(int));
  if (!ni) return lw_fail(L, NULL, "out of memory"), -1;
  rg->inputs = ni;
  rg->inputs[rg->n_inputs++] = L->rgi[t];
  add_step(L, CC_STEP_DEQUANT, L->acc[t], L->rgi[t]);
  return L->rgi[t];
}

/* The accelerator tensor holding IR tensor t (quantized from its float value here if needed). */
static int acc_of(lw *L, int t) {
  if (L->acc[t] >= 0) return L->acc[t];
  int f = float_of(L, t);
  if (f < 0) return -1;
  int id = new_acc(L, t);
  if (id < 0) return -1;
  add_step(L, CC_STEP_QUANT, f, id);
  return L->acc[t] = id;
}

/* Clamp bounds in the output's int8 codes for real bounds [lo, hi]. */
static void clamp_codes(float lo, float hi, float s, int32_t zp, int *qlo, int *qhi) {
  double a = isfinite(lo) ? nearbyint(lo / s) + zp : -128, b = isfinite(hi) ? nearbyint(hi / s) + zp : 127;
  if (lo == -INFINITY) a = -128;
  if (hi == INFINITY) b = 127;
  a = fmax(-128, fmin(127, a));
  b = fmax(-128, fmin(127, b));
  if (a > b) a = b;
  *qlo = (int)a, *qhi = (int)b;
}

/* The fused Relu/Clip after node n (target "fused"), or NULL. */
static ir_node *fused_act(lw *L, const ir_node *n) {
  ir_node *c = only_consumer(L->g, n->out[0]);
  if (c && !strcmp(ir_attr_string(c, "dlvta.target", ""), "fused")) return c;
  return NULL;
}

/* Per-output-channel symmetric int8 weights of w[M][K] (float), int32 bias b[M] (or NULL) at
 * in_scale * w_scale, requant multipliers into out_scale. A weight tensor that carries its own
 * symmetric quantization (QDQ import) keeps it. Arrays malloc'ed by the caller. */
static int quant_weights(lw *L, const ir_node *n, int wt, const float *w, int M, int K, const float *b, float xs, float ys,
                         int8_t *qw, int32_t *qb, int16_t *mult, uint8_t *shift) {
  float *ws = malloc((size_t)M * sizeof(float));
  if (!ws) return lw_fail(L, n, "out of memory");
  const ir_quant *fq = wt >= 0 ? L->g->tensors[wt]->quant : NULL;
  int fixed = fq && (fq->n == 1 || (fq->n == M && fq->axis == 0));
  for (int k = 0; fixed && k < fq->n; k++) fixed = fq->zero_point[k] == 0;
  for (int o = 0; o < M; o++) {
    double mx = 0;
    for (int k = 0; k < K; k++) mx = fmax(mx, fabs(w[(size_t)o * K + k]));
    ws[o] = fixed ? fq->scale[fq->n == 1 ? 0 : o] : (float)(mx > 0 ? mx / 127.0 : 1.0);
    for (int k = 0; k < K; k++) {
      double q = nearbyint(w[(size_t)o * K + k] / ws[o]);
      qw[(size_t)o * K + k] = (int8_t)fmax(-127, fmin(127, q));
    }
    double bq = b ? nearbyint((double)b[o] / ((double)xs * ws[o])) : 0;
    qb[o] = (int32_t)fmax(-2147483647.0, fmin(2147483647.0, bq));
  }
  int rc = cc_quant_conv(xs, ws, 1, ys, M, mult, shift);
  free(ws);
  if (rc != CC_OK) {
    L->refused = -2; /* the caller marks the node */
    return lw_fail(L, n, "requantization scale out of range (input %g, output %g)", xs, ys);
  }
  return IR_OK;
}

/* Folds the output zero point y_zp into the int32 bias: bias[o] += round(y_zp / rs[o]) with
 * rs[o] = mult[o] * 2^-shift[o] (the exact REQ scale), so that REQ(acc + bias) lands on the
 * output codes directly and the back end needs no ADD y_zp / CLIP passes (one REQ with the
 * clamp bounds). The result differs from REQ(acc) + y_zp by a shift of the rounding point of
 * at most rs/2 output LSB (rs is well below 1 for real layers). Returns 1 and sets *y_zp = 0
 * if every channel's folded bias fits int32, else 0 and changes nothing. */
static int fold_out_zp(int32_t *qb, const int16_t *mult, const uint8_t *shift, int M, int32_t *y_zp) {
  if (!*y_zp) return 1;
  for (int o = 0; o < M; o++) {
    double rs = ldexp((double)mult[o], -(int)shift[o]);
    double v = (double)qb[o] + nearbyint((double)*y_zp / rs);
    if (!(rs > 0) || !(fabs(v) < 2147483647.0)) return 0;
  }
  for (int o = 0; o < M; o++)
    qb[o] = (int32_t)((double)qb[o] + nearbyint((double)*y_zp / ldexp((double)mult[o], -(int)shift[o])));
  *y_zp = 0;
  return 1;
}

/* After a layer was added to m->net: builds its program, records it, adds the ACCEL step. */
static int finish_layer(lw *L, int ni, int layer, int in, int out) {
  cc_model *m = L->m;
  const ir_node *n = L->g->nodes[ni];
  cc_opts o;
  cc_opts_default(&o);
  o.only_layer = layer;
  o.no_latency_hiding = L->cx->o->no_latency_hiding;
  isa_prog p;
  int rc = cc_net_build(m->net, &o, &p);
  if (rc != CC_OK) {
    lw_fail(L, n, "the back end cannot build this layer: %s", cc_net_error(m->net));
    if (rc == CC_E_FIT || rc == CC_E_UNSUPPORTED || rc == CC_E_ARG) L->refused = ni;
    return IR_ERR;
  }
  cc_layer_info info;
  cc_net_layer_info(m->net, layer, &info);
  m->l = grow(m->l, m->nl, sizeof *m->l);
  L->bl = grow(L->bl, m->nl, sizeof *L->bl);
  cc_mlayer *l = &m->l[m->nl];
  blob *bl = &L->bl[m->nl];
  memset(l, 0, sizeof *l);
  snprintf(l->op, sizeof l->op, "%s", n->op == IR_OP_FusedConv ? "Conv" : n->op_name);
  snprintf(l->node, sizeof l->node, "%s", n->name);
  snprintf(l->desc, sizeof l->desc, "%s", info.desc);
  l->in = in, l->out = out;
  l->macs = info.macs;
  l->ideal_cycles = info.ideal_cycles;
  l->predicted_cycles = info.predicted_cycles;
  l->n_insns = p.n_insns;
  l->insns = p.insns;
  p.insns = NULL;
  /* constants: everything past the arena as it was at build time */
  uint64_t arena = 0;
  for (int t = 0; t < m->nt; t++) arena = m->t[t].offset + m->t[t].bytes;
  bl->b = arena;
  bl->c = arena / ISA_IMAGE_ALIGN * ISA_IMAGE_ALIGN;
  bl->n = p.image_bytes > bl->c ? p.image_bytes - bl->c : 0;
  bl->p = malloc(bl->n ? bl->n : 1);
  if (!bl->p) return lw_fail(L, n, "out of memory");
  memcpy(bl->p, p.image + bl->c, bl->n);
  isa_prog_free(&p);
  m->nl++;
  add_step(L, CC_STEP_ACCEL, m->nl - 1, 0);
  return IR_OK;
}

/* A conv with a residual adds it through the GEMM core with the integer weight res_d =
 * rs / ys * 2^f (cg.h). Unless another layer must share the output's quantization (a max
 * pooling or an aliasing Reshape reads it), the output scale ys is nudged, by at most 0.4 %
 * (half a step of a weight in 64..127), to ys' = rs * 2^f / res_d so that the residual's scale
 * is exact; the tensor's recorded quantization is updated, consumers see ys'. Only scales that
 * calibration chose are nudged (a quantized model's own are kept). */
static int nudge_res_scale(lw *L, int y, float rs, float *ys) {
  const ir_graph *g = L->g;
  if (y >= L->cx->n_calibrated || !L->cx->calibrated[y]) return IR_OK; /* the model's own */
  for (int i = 0; i < g->n_nodes; i++) {
    const ir_node *c = g->nodes[i];
    if (c->dead) continue;
    for (int k = 0; k < c->n_in; k++)
      if (c->in[k] == y && (c->op == IR_OP_MaxPool || !strcmp(ir_attr_string(c, "dlvta.target", ""), "alias")))
        return IR_OK;
  }
  double ratio = (double)rs / *ys;
  if (!(ratio > 0) || !isfinite(ratio)) return IR_OK;
  int f = (int)floor(log2(127.0 / ratio));
  if (f < 0 || f > 49) return IR_OK;
  double d = nearbyint(ldexp(ratio, f));
  if (d < 1 || d > 127) return IR_OK;
  float ns = (float)(ldexp((double)rs, f) / d);
  const ir_quant *q = g->tensors[y]->quant;
  int32_t zp = q->zero_point[0];
  ir_set_quant(L->g, y, -1, 1, &ns, &zp, IR_I8);
  *ys = ns;
  return IR_OK;
}

/* Predicted cycles of the back end for a conv of geometry p over an input of cin x h x w
 * (weights all 1, so no block is skipped) whose output is cout channels; with a residual: res_c
 * x res_h x res_w, dense (res_dense: a 1x1 projection of stride res_s, all weights 1) or the
 * identity (diagonal). Built in a scratch net; 0 if the back end cannot build it. */
static uint64_t trial_cycles(lw *L, const cc_conv *geo, int cin, int h, int w, int cout, int res_c, int res_h,
                             int res_w, int res_dense) {
  cc_net *net = cc_net_new(L->cx->cfg);
  if (!net) return 0;
  int oh = cc_out_dim(h, geo->kh, geo->sh, geo->dh, geo->pad_t, geo->pad_b);
  int ow = cc_out_dim(w, geo->kw, geo->sw, geo->dw, geo->pad_l, geo->pad_r);
  cc_conv p = *geo;
  size_t nw = (size_t)cout * cin * p.kh * p.kw;
  int8_t *wt = malloc(nw + 1), *rw = malloc((size_t)cout * (res_c > 0 ? res_c : 1) + 1);
  int16_t *mult = malloc((size_t)cout * sizeof *mult);
  uint8_t *shift = malloc((size_t)cout), *rf = calloc((size_t)cout, 1);
  uint64_t cy = 0;
  if (wt && rw && mult && shift && rf) {
    memset(wt, 1, nw);
    memset(rw, 1, (size_t)cout * (res_c > 0 ? res_c : 1));
    for (int o = 0; o < cout; o++) mult[o] = 1 << 14, shift[o] = 20;
    p.in = cc_net_tensor(net, cin, h, w);
    p.out = cc_net_tensor(net, cout, oh, ow);
    p.res = res_c > 0 ? cc_net_tensor(net, res_c, res_h, res_w) : -1;
    p.weight = wt, p.bias = NULL, p.mult = mult, p.shift = shift;
    p.groups = 1, p.lo = -128, p.hi = 127, p.x_zp = p.y_zp = p.res_zp = 0;
    p.res_d = res_c > 0 && !res_dense ? 1 : 0, p.res_f = 0;
    p.res_w = res_dense ? rw : NULL, p.res_fc = res_dense ? rf : NULL;
    p.res_s = res_dense ? geo->res_s : 1;
    int layer = cc_net_add_conv(net, &p);
    cc_opts o;
    cc_opts_default(&o);
    o.only_layer = layer;
    o.no_latency_hiding = L->cx->o->no_latency_hiding;
    o.plan_only = 1;
    isa_prog prog;
    cc_layer_info info;
    if (layer >= 0 && cc_net_build(net, &o, &prog) == CC_OK) {
      cc_net_layer_info(net, layer, &info);
      cy = info.predicted_cycles;
    }
  }
  free(wt), free(rw), free(mult), free(shift), free(rf);
  cc_net_free(net);
  return cy;
}

/* If Conv node ni is a 1x1 projection (no padding or dilation, one group, equal strides) whose
 * output is only the residual of an accelerated dlvta.FusedConv -- ResNet's downsample path --
 * and its weights fit int8 in that conv's output scale (|w| * x_scale / y_scale <= 127), the
 * consumer takes it in as a GEMM residual over the projection's input (cg.h: res_w, res_s) and
 * ni is not lowered on its own: returns the consumer, else NULL. */
static const ir_node *ds_consumer(lw *L, int ni) {
  const ir_graph *g = L->g;
  const ir_node *n = g->nodes[ni];
  if (n->dead || n->op != IR_OP_Conv || strcmp(ir_attr_string(n, "dlvta.target", ""), "accel")) return NULL;
  int x = n->in[0], wt = n->in[1], bt = n->n_in > 2 ? n->in[2] : -1, y = n->out[0];
  const ir_type *wty = &g->tensors[wt]->type;
  if (ir_attr_int(n, "group", 1) != 1 || wty->rank != 4 || wty->dims[2] != 1 || wty->dims[3] != 1) return NULL;
  if (bt >= 0 && !g->tensors[bt]->data) return NULL;
  ir_window win;
  char why[256];
  if (window(g, n, x, wty->dims + 2, &win, why, sizeof why)) return NULL;
  if (win.stride[0] != win.stride[1] || win.dil[0] != 1 || win.dil[1] != 1 || win.pad_b[0] || win.pad_b[1] ||
      win.pad_e[0] || win.pad_e[1] || win.stride[0] > 255)
    return NULL;
  if (ir_use_count(g, y) != 1 || ir_is_graph_output(g, y)) return NULL;
  const ir_node *c = only_consumer(g, y);
  if (!c || c->op != IR_OP_FusedConv || c->n_in < 4 || c->in[3] != y || c->in[0] == y ||
      strcmp(ir_attr_string(c, "dlvta.target", ""), "accel"))
    return NULL;
  const ir_quant *qx = g->tensors[x]->quant, *qy = g->tensors[c->out[0]]->quant;
  if (!qx || !qy || qx->n != 1 || qy->n != 1 || !(qy->scale[0] > 0)) return NULL;
  const float *w = g->tensors[wt]->data;
  int64_t nw = ir_type_numel(wty);
  for (int64_t k = 0; k < nw; k++)
    if (!(fabs((double)w[k]) * qx->scale[0] / qy->scale[0] <= 127.0)) return NULL;
  /* fuse only where the cost model says the fused layer is faster than the projection as a
   * layer of its own plus the identity residual (the fused one needs the projection's inputs
   * and weights in the buffers next to the conv's own, which can force smaller tiles) */
  if (L->dsfuse[ni] < 0) {
    const ir_node *cn = c;
    int cx = cn->in[0], cw = cn->in[1];
    const ir_type *ct = &g->tensors[cx]->type, *cwt = &g->tensors[cw]->type, *xt = &g->tensors[x]->type;
    ir_window cwin;
    L->dsfuse[ni] = 0;
    if (ct->rank == 4 && cwt->rank == 4 && !window(g, cn, cx, cwt->dims + 2, &cwin, why, sizeof why)) {
      cc_conv geo;
      memset(&geo, 0, sizeof geo);
      geo.kh = (int)cwt->dims[2], geo.kw = (int)cwt->dims[3], geo.sh = (int)cwin.stride[0], geo.sw = (int)cwin.stride[1];
      geo.dh = (int)cwin.dil[0], geo.dw = (int)cwin.dil[1];
      geo.pad_t = (int)cwin.pad_b[0], geo.pad_l = (int)cwin.pad_b[1], geo.pad_b = (int)cwin.pad_e[0], geo.pad_r = (int)cwin.pad_e[1];
      geo.res_s = (int)win.stride[0];
      int cin = (int)ct->dims[1], h = (int)ct->dims[2], wd = (int)ct->dims[3], cout = (int)cwt->dims[0];
      int oh = cc_out_dim(h, geo.kh, geo.sh, geo.dh, geo.pad_t, geo.pad_b);
      int ow = cc_out_dim(wd, geo.kw, geo.sw, geo.dw, geo.pad_l, geo.pad_r);
      int c2 = (int)xt->dims[1], h2 = (int)xt->dims[2], w2 = (int)xt->dims[3];
      uint64_t fused = trial_cycles(L, &geo, cin, h, wd, cout, c2, h2, w2, 1);
      cc_conv pg;
      memset(&pg, 0, sizeof pg);
      pg.kh = pg.kw = pg.dh = pg.dw = 1, pg.sh = pg.sw = (int)win.stride[0];
      uint64_t apart = trial_cycles(L, &pg, c2, h2, w2, cout, 0, 0, 0, 0) +
                       trial_cycles(L, &geo, cin, h, wd, cout, cout, oh, ow, 0);
      L->dsfuse[ni] = fused > 0 && fused < apart;
      if (L->cx->o->log)
        fprintf(L->cx->o->log, "note: projection '%s' %s into '%s' (predicted %llu cycles fused, %llu apart)\n",
                n->name, L->dsfuse[ni] ? "fused" : "not fused", cn->name, (unsigned long long)fused,
                (unsigned long long)apart);
    }
  }
  return L->dsfuse[ni] ? c : NULL;
}

/* Conv / dlvta.FusedConv node ni -> a conv layer (im2col input for a first layer with few
 * channels, residual, clamp of the fused activation). IR_OK or IR_ERR (L->refused set when the
 * back end refused it). lower_fc, lower_pool and lower_add do the same for their kinds. */
static int lower_conv(lw *L, int ni) {
  const ir_graph *g = L->g;
  cc_model *m = L->m;
  const ir_node *n = g->nodes[ni];
  int x = n->in[0], wt = n->in[1], bt = n->n_in > 2 ? n->in[2] : -1, R = n->n_in > 3 ? n->in[3] : -1, y = n->out[0];
  const ir_type *xt = &g->tensors[x]->type, *wty = &g->tensors[wt]->type;
  ir_window win;
  char why[256];
  if (window(g, n, x, wty->dims + 2, &win, why, sizeof why)) return lw_fail(L, n, "%s", why);
  int M = (int)wty->dims[0], Kc = (int)wty->dims[1], kh = (int)wty->dims[2], kw = (int)wty->dims[3];
  int cin = (int)xt->dims[1], group = (int)ir_attr_int(n, "group", 1);
  float xs, ys, rs = 1;
  int32_t xz, yz, rz = 0;
  if (quant_of(L, x, &xs, &xz) || quant_of(L, y, &ys, &yz) || (R >= 0 && quant_of(L, R, &rs, &rz))) return IR_ERR;
  int dsi = -1; /* the fused 1x1 projection producing R (ds_consumer) */
  if (R >= 0 && ir_producer(g, R, &dsi) && ds_consumer(L, dsi) != n) dsi = -1;
  if (R >= 0 && dsi < 0 && nudge_res_scale(L, y, rs, &ys)) return IR_ERR;
  cc_conv p;
  memset(&p, 0, sizeof p);
  p.kh = kh, p.kw = kw, p.sh = (int)win.stride[0], p.sw = (int)win.stride[1];
  p.dh = (int)win.dil[0], p.dw = (int)win.dil[1];
  p.pad_t = (int)win.pad_b[0], p.pad_l = (int)win.pad_b[1], p.pad_b = (int)win.pad_e[0], p.pad_r = (int)win.pad_e[1];
  p.groups = group;
  p.x_zp = xz, p.y_zp = yz, p.res_zp = rz;
  const char *act = n->op == IR_OP_FusedConv ? ir_attr_string(n, "activation", "none") : "none";
  float lo = -INFINITY, hi = INFINITY;
  if (!strcmp(act, "relu")) lo = 0;
  if (!strcmp(act, "clip")) lo = ir_attr_float(n, "act_min", -INFINITY), hi = ir_attr_float(n, "act_max", INFINITY);
  clamp_codes(lo, hi, ys, yz, &p.lo, &p.hi);
  size_t K = (size_t)Kc * kh * kw;
  int8_t *qw = malloc((size_t)M * K);
  int32_t *qb = malloc((size_t)M * sizeof *qb);
  int16_t *mult = malloc((size_t)M * sizeof *mult);
  uint8_t *shift = malloc((size_t)M);
  int8_t *rw = NULL;
  uint8_t *rf = NULL;
  int rc = IR_ERR;
  if (!qw || !qb || !mult || !shift) {
    lw_fail(L, n, "out of memory");
    goto out;
  }
  if (quant_weights(L, n, wt, g->tensors[wt]->data, M, (int)K, bt >= 0 ? g->tensors[bt]->data : NULL, xs, ys, qw, qb,
                    mult, shift)) {
    if (L->refused == -2) L->refused = ni;
    goto out;
  }
  p.weight = qw, p.bias = qb, p.mult = mult, p.shift = shift;
  if (dsi >= 0) {
    /* the projection through the GEMM core (cg.h, res_w): per output channel the most fraction
     * bits f with |w| * x2_scale / ys * 2^f <= 127, weights rw = round(w * x2_scale / ys * 2^f);
     * its bias and the constants y_zp * 2^f - sum(rw) * x2_zp go into the conv's bias, in acc
     * units (the REQ scale mult * 2^-shift times ys) */
    const ir_node *dn = g->nodes[dsi];
    int x2 = dn->in[0], C2 = (int)g->tensors[dn->in[1]]->type.dims[1];
    const float *wd = g->tensors[dn->in[1]]->data;
    const float *bd = dn->n_in > 2 && dn->in[2] >= 0 ? g->tensors[dn->in[2]]->data : NULL;
    float s2;
    int32_t z2;
    ir_window dwin;
    if (quant_of(L, x2, &s2, &z2) || window(g, dn, x2, g->tensors[dn->in[1]]->type.dims + 2, &dwin, why, sizeof why)) {
      lw_fail(L, n, "internal: the fused projection lost its quantization");
      goto out;
    }
    rw = malloc((size_t)M * C2);
    rf = malloc((size_t)M);
    if (!rw || !rf) {
      lw_fail(L, n, "out of memory");
      goto out;
    }
    int fold = 1;
    double *add = malloc((size_t)M * sizeof *add);
    if (!add) {
      lw_fail(L, n, "out of memory");
      goto out;
    }
    for (int o = 0; o < M; o++) {
      double mx = 0;
      for (int k = 0; k < C2; k++) mx = fmax(mx, fabs((double)wd[(size_t)o * C2 + k]));
      int fmax_o = shift[o] < 49 ? shift[o] : 49, f = fmax_o;
      if (mx > 0) f = (int)floor(log2(127.0 * ys / (s2 * mx)));
      f = f < 0 ? 0 : f > fmax_o ? fmax_o : f;
      rf[o] = (uint8_t)f;
      double k = ldexp((double)yz, f);
      for (int c2 = 0; c2 < C2; c2++) {
        double q = nearbyint(ldexp((double)wd[(size_t)o * C2 + c2] * s2 / ys, f));
        rw[(size_t)o * C2 + c2] = (int8_t)fmax(-127, fmin(127, q));
        k -= (double)rw[(size_t)o * C2 + c2] * z2;
      }
      double unit = ldexp((double)mult[o], -(int)shift[o]) * ys; /* acc units, real */
      add[o] = (bd ? (double)bd[o] / unit : 0) + k / ldexp((double)mult[o], f - (int)shift[o]);
      if (!(fabs((double)qb[o] + nearbyint(add[o])) < 2147483647.0)) fold = 0;
    }
    for (int o = 0; o < M; o++) {
      double unit = ldexp((double)mult[o], -(int)shift[o]) * ys;
      double a = fold ? add[o] : (bd ? (double)bd[o] / unit : 0);
      qb[o] = (int32_t)fmax(-2147483647.0, fmin(2147483647.0, (double)qb[o] + nearbyint(a)));
    }
    free(add);
    p.res_w = rw, p.res_fc = rf, p.res_s = (int)dwin.stride[0];
    p.res_zp = fold ? 0 : z2;
    if (fold) p.y_zp = 0;
    R = x2; /* the residual tensor is the projection's input */
  } else if (R >= 0) {
    /* the residual through the GEMM core (cg.h): res_d = round(rs / ys * 2^f) with the most
     * fraction bits f that keep res_d <= 127 (so res_d >= 64 and the residual's scale is off
     * by at most 2^-(f+1), a relative 0.8 %); the constants -res_d*res_zp + y_zp*2^f go into
     * the bias (in acc units: divided by the REQ scale mult*2^-(shift-f)) */
    int minsh = 63;
    for (int o = 0; o < M; o++) minsh = shift[o] < minsh ? shift[o] : minsh;
    double ratio = (double)rs / ys;
    for (int f = minsh < 49 ? minsh : 49; f >= 0; f--) {
      double d = nearbyint(ldexp(ratio, f));
      if (d > 127) continue;
      if (d >= 1) p.res_d = (int)d, p.res_f = f;
      break;
    }
    if (p.res_d) {
      double k = -(double)p.res_d * rz + ldexp((double)yz, p.res_f);
      int ok = 1;
      for (int o = 0; o < M && ok; o++)
        ok = fabs((double)qb[o] + nearbyint(k / ldexp((double)mult[o], p.res_f - (int)shift[o]))) < 2147483647.0;
      for (int o = 0; o < M && ok; o++)
        qb[o] = (int32_t)((double)qb[o] + nearbyint(k / ldexp((double)mult[o], p.res_f - (int)shift[o])));
      if (ok) p.res_zp = 0, p.y_zp = 0;
    }
  }
  if (!p.res_d && !p.res_w) fold_out_zp(qb, mult, shift, M, &p.y_zp);
  if (R >= 0 && !p.res_d && !p.res_w) {
    int sh;
    if (cc_quant_multiplier((double)rs / ys, &p.res_mult, &sh) != CC_OK) {
      L->refused = ni;
      lw_fail(L, n, "residual requantization out of range");
      goto out;
    }
    p.res_shift = sh;
  }
  /* the input: a first layer with few channels reads a host-packed im2col tensor */
  if (L->acc[x] < 0 && group == 1 && ir_use_count(g, x) == 1 && !ir_is_graph_output(g, x) &&
      cc_im2col_pays(m->cfg, cin, kh, kw)) {
    int f = float_of(L, x);
    if (f < 0) goto out;
    p.in = cc_net_tensor_im2col(m->net, cin, (int)xt->dims[2], (int)xt->dims[3], &p);
    if (p.in < 0) {
      lw_fail(L, n, "%s", cc_net_error(m->net));
      goto out;
    }
    add_mtensor(L, p.in, x, xs, xz);
    cc_mtensor *T = &m->t[p.in];
    T->c = cin, T->h = (int)xt->dims[2], T->w = (int)xt->dims[3];
    T->im2col = 1;
    int geo[11] = {p.kh, p.kw, p.sh, p.sw, p.dh, p.dw, p.pad_t, p.pad_l, p.pad_b, p.pad_r, p.x_zp};
    memcpy(T->geo, geo, sizeof geo);
    add_step(L, CC_STEP_QUANT, f, p.in);
  } else if ((p.in = acc_of(L, x)) < 0) {
    goto out;
  }
  p.res = -1;
  if (R >= 0 && (p.res = acc_of(L, R)) < 0) goto out;
  if ((p.out = new_acc(L, y)) < 0) goto out;
  int layer = cc_net_add_conv(m->net, &p);
  if (layer < 0) {
    L->refused = ni;
    lw_fail(L, n, "the back end refused the conv: %s", cc_net_error(m->net));
    goto out;
  }
  if (finish_layer(L, ni, layer, p.in, p.out)) goto out;
  L->acc[y] = p.out;
  rc = IR_OK;
out:
  free(qw), free(qb), free(mult), free(shift), free(rw), free(rf);
  return rc;
}

/* Gemm / MatMul with constant weights -> a 1x1 conv over C x 1 x 1 tensors. */
static int lower_fc(lw *L, int ni) {
  const ir_graph *g = L->g;
  cc_model *m = L->m;
  const ir_node *n = g->nodes[ni];
  ir_node *fa = fused_act(L, n);
  int x = n->in[0], bw = n->in[1], ct = n->op == IR_OP_Gemm && n->n_in > 2 ? n->in[2] : -1;
  int y = fa ? fa->out[0] : n->out[0];
  const ir_type *wty = &g->tensors[bw]->type;
  int trans = n->op == IR_OP_Gemm && ir_attr_int(n, "transB", 0);
  int K = (int)(trans ? wty->dims[1] : wty->dims[0]), N = (int)(trans ? wty->dims[0] : wty->dims[1]);
  double alpha = n->op == IR_OP_Gemm ? ir_attr_float(n, "alpha", 1.0f) : 1.0;
  double beta = n->op == IR_OP_Gemm ? ir_attr_float(n, "beta", 1.0f) : 1.0;
  float xs, ys;
  int32_t xz, yz;
  if (quant_of(L, x, &xs, &xz) || quant_of(L, y, &ys, &yz)) return IR_ERR;
  float *w = malloc((size_t)N * K * sizeof(float)), *b = malloc((size_t)N * sizeof(float));
  int8_t *qw = malloc((size_t)N * K);
  int32_t *qb = malloc((size_t)N * sizeof *qb);
  int16_t *mult = malloc((size_t)N * sizeof *mult);
  uint8_t *shift = malloc((size_t)N);
  int rc = IR_ERR;
  if (!w || !b || !qw || !qb || !mult || !shift) {
    lw_fail(L, n, "out of memory");
    goto out;
  }
  const float *B = g->tensors[bw]->data;
  for (int o = 0; o < N; o++) {
    for (int k = 0; k < K; k++) w[(size_t)o * K + k] = (float)(alpha * (trans ? B[(size_t)o * K + k] : B[(size_t)k * N + o]));
    b[o] = ct >= 0 ? (float)(beta * ((const float *)g->tensors[ct]->data)[ir_type_numel(&g->tensors[ct]->type) == 1 ? 0 : o]) : 0;
  }
  /* weights given with their own quantization keep it only when used as they are */
  if (quant_weights(L, n, trans && alpha == 1.0 ? bw : -1, w, N, K, b, xs, ys, qw, qb, mult, shift)) {
    if (L->refused == -2) L->refused = ni;
    goto out;
  }
  cc_conv p;
  memset(&p, 0, sizeof p);
  p.kh = p.kw = p.sh = p.sw = p.dh = p.dw = 1;
  p.groups = 1;
  p.weight = qw, p.bias = qb, p.mult = mult, p.shift = shift;
  p.x_zp = xz, p.y_zp = yz;
  float lo = -INFINITY, hi = INFINITY;
  if (fa) clip_bounds(g, fa, &lo, &hi);
  clamp_codes(lo, hi, ys, yz, &p.lo, &p.hi);
  fold_out_zp(qb, mult, shift, N, &p.y_zp);
  p.res = -1;
  if ((p.in = acc_of(L, x)) < 0 || (p.out = new_acc(L, y)) < 0) goto out;
  int layer = cc_net_add_conv(m->net, &p);
  if (layer < 0) {
    L->refused = ni;
    lw_fail(L, n, "the back end refused the fc layer: %s", cc_net_error(m->net));
    goto out;
  }
  if (finish_layer(L, ni, layer, p.in, p.out)) goto out;
  L->acc[y] = p.out;
  rc = IR_OK;
out:
  free(w), free(b), free(qw), free(qb), free(mult), free(shift);
  return rc;
}

/* MaxPool / AveragePool / GlobalAveragePool -> a pool layer. */
static int lower_pool(lw *L, int ni) {
  const ir_graph *g = L->g;
  cc_model *m = L->m;
  const ir_node *n = g->nodes[ni];
  ir_node *fa = n->op == IR_OP_MaxPool ? NULL : fused_act(L, n);
  int x = n->in[0], y = fa ? fa->out[0] : n->out[0];
  const ir_type *xt = &g->tensors[x]->type;
  float xs, ys;
  int32_t xz, yz;
  if (quant_of(L, x, &xs, &xz) || quant_of(L, y, &ys, &yz)) return IR_ERR;
  cc_pool p;
  memset(&p, 0, sizeof p);
  if (n->op == IR_OP_GlobalAveragePool) {
    p.kh = (int)xt->dims[2], p.kw = (int)xt->dims[3], p.sh = p.sw = 1;
  } else {
    ir_window win;
    char why[256];
    if (window(g, n, x, NULL, &win, why, sizeof why)) return lw_fail(L, n, "%s", why);
    p.kh = (int)win.kernel[0], p.kw = (int)win.kernel[1], p.sh = (int)win.stride[0], p.sw = (int)win.stride[1];
    p.pad_t = (int)win.pad_b[0], p.pad_l = (int)win.pad_b[1], p.pad_b = (int)win.pad_e[0], p.pad_r = (int)win.pad_e[1];
  }
  p.kind = n->op == IR_OP_MaxPool ? CC_POOL_MAX : CC_POOL_AVG;
  p.x_zp = xz, p.y_zp = yz;
  p.lo = -128, p.hi = 127;
  if (p.kind == CC_POOL_AVG) {
    int sh;
    if (cc_quant_multiplier((double)xs / ((double)p.kh * p.kw * ys), &p.mult, &sh) != CC_OK) {
      L->refused = ni;
      return lw_fail(L, n, "average requantization out of range");
    }
    p.shift = sh;
    float lo = -INFINITY, hi = INFINITY;
    if (fa) clip_bounds(g, fa, &lo, &hi);
    clamp_codes(lo, hi, ys, yz, &p.lo, &p.hi);
  } else if (xs != ys || xz != yz) {
    return lw_fail(L, n, "internal: max pooling output quantized differently from its input");
  }
  if ((p.in = acc_of(L, x)) < 0 || (p.out = new_acc(L, y)) < 0) return IR_ERR;
  int layer = cc_net_add_pool(m->net, &p);
  if (layer < 0) {
    L->refused = ni;
    return lw_fail(L, n, "the back end refused the pooling: %s", cc_net_error(m->net));
  }
  if (finish_layer(L, ni, layer, p.in, p.out)) return IR_ERR;
  L->acc[y] = p.out;
  return IR_OK;
}

/* Add of two activations (with a fused Relu/Clip) -> an add layer. */
static int lower_add(lw *L, int ni) {
  const ir_graph *g = L->g;
  cc_model *m = L->m;
  const ir_node *n = g->nodes[ni];
  ir_node *fa = fused_act(L, n);
  int a = n->in[0], b = n->in[1], y = fa ? fa->out[0] : n->out[0];
  float as, bs, ys;
  int32_t az, bz, yz;
  if (quant_of(L, a, &as, &az) || quant_of(L, b, &bs, &bz) || quant_of(L, y, &ys, &yz)) return IR_ERR;
  cc_add p;
  memset(&p, 0, sizeof p);
  int sa, sb;
  if (cc_quant_multiplier((double)as / ys, &p.a_mult, &sa) != CC_OK || cc_quant_multiplier((double)bs / ys, &p.b_mult, &sb) != CC_OK) {
    L->refused = ni;
    return lw_fail(L, n, "add requantization out of range");
  }
  p.a_shift = sa, p.b_shift = sb;
  p.a_zp = az, p.b_zp = bz, p.y_zp = yz;
  float lo = -INFINITY, hi = INFINITY;
  if (fa) clip_bounds(g, fa, &lo, &hi);
  clamp_codes(lo, hi, ys, yz, &p.lo, &p.hi);
  if ((p.a = acc_of(L, a)) < 0 || (p.b = acc_of(L, b)) < 0 || (p.out = new_acc(L, y)) < 0) return IR_ERR;
  int layer = cc_net_add_add(m->net, &p);
  if (layer < 0) {
    L->refused = ni;
    return lw_fail(L, n, "the back end refused the add: %s", cc_net_error(m->net));
  }
  if (finish_layer(L, ni, layer, p.a, p.out)) return IR_ERR;
  L->acc[y] = p.out;
  return IR_OK;
}

/* Node ni on the CPU: its inputs as float, a copy of the node in the runtime graph. */
static int lower_cpu(lw *L, int ni) {
  const ir_node *n = L->g->nodes[ni];
  ir_graph *rg = L->m->g;
  int in[64], out[64];
  if (n->n_in > 64 || n->n_out > 64) return lw_fail(L, n, "too many operands");
  for (int k = 0; k < n->n_in; k++)
    if ((in[k] = n->in[k] >= 0 ? float_of(L, n->in[k]) : -1) < -1 || (n->in[k] >= 0 && in[k] < 0)) return IR_ERR;
  for (int k = 0; k < n->n_out; k++) {
    int t = n->out[k];
    out[k] = t >= 0 ? (L->rgi[t] = ir_add_tensor(rg, L->g->tensors[t]->name, &L->g->tensors[t]->type)) : -1;
  }
  ir_node *c = ir_add_node(rg, n->op, n->name, in, n->n_in, out, n->n_out);
  for (int k = 0; k < n->n_attr; k++) {
    const ir_attr *a = &n->attr[k];
    if (!strncmp(a->name, "dlvta.", 6)) continue;
    switch (a->kind) {
    case IR_ATTR_INT: ir_set_attr_int(c, a->name, a->i); break;
    case IR_ATTR_FLOAT: ir_set_attr_float(c, a->name, a->f); break;
    case IR_ATTR_STRING: ir_set_attr_string(c, a->name, a->s); break;
    case IR_ATTR_INTS: ir_set_attr_ints(c, a->name, a->ints, a->n); break;
    case IR_ATTR_FLOATS: ir_set_attr_floats(c, a->name, a->floats, a->n); break;
    case IR_ATTR_TENSOR: {
      ir_value *v = calloc(1, sizeof *v);
      if (!v || ir_value_alloc(v, &a->t->type) != IR_OK) return free(v), lw_fail(L, n, "out of memory");
      memcpy(v->data, a->t->data, (size_t)ir_type_numel(&a->t->type) * ir_dtype_size(a->t->type.dtype));
      ir_new_attr(c, a->name, IR_ATTR_TENSOR)->t = v;
      break;
    }
    default: return lw_fail(L, n, "attribute '%s' cannot be packaged", a->name);
    }
  }
  add_step(L, CC_STEP_CPU, rg->n_nodes - 1, 0);
  return IR_OK;
}

/* Assemble the image: arena, then each layer's constants at 4 KiB boundaries; move every
 * DRAM address past the arena-at-build-time of each layer's program to its new place. */
static int assemble(lw *L) {
  cc_model *m = L->m;
  const isa_config *cfg = m->cfg;
  uint64_t arena = 0;
  for (int t = 0; t < m->nt; t++) arena = m->t[t].offset + m->t[t].bytes;
  arena = (arena + ISA_IMAGE_ALIGN - 1) / ISA_IMAGE_ALIGN * ISA_IMAGE_ALIGN;
  uint64_t at = arena;
  uint64_t *place = malloc(((size_t)m->nl + 1) * sizeof *place);
  if (!place) return lw_fail(L, NULL, "out of memory");
  for (int i = 0; i < m->nl; i++) {
    place[i] = at;
    at = (at + L->bl[i].n + ISA_IMAGE_ALIGN - 1) / ISA_IMAGE_ALIGN * ISA_IMAGE_ALIGN;
  }
  m->arena_bytes = arena;
  m->image_bytes = at;
  m->image = calloc(at + 1, 1);
  if (!m->image) return free(place), lw_fail(L, NULL, "out of memory");
  for (int i = 0; i < m->nl; i++) {
    const blob *b = &L->bl[i];
    memcpy(m->image + place[i], b->p, b->n);
    uint64_t delta = place[i] - b->c;
    for (uint32_t k = 0; k < m->l[i].n_insns; k++) {
      isa_insn in;
      if (isa_decode(cfg, &m->l[i].insns[k], &in) != ISA_OK) continue;
      unsigned op = in.f[ISA_F_opcode];
      if (op != ISA_OP_LOAD && op != ISA_OP_STORE) continue;
      unsigned eb = cfg->elem_bytes[in.f[ISA_F_mem]];
      uint64_t a = (uint64_t)in.f[ISA_F_dram] * eb;
      if (a < b->b) continue;
      if (delta % eb || (a + delta) / eb > 0xffffffffull) {
        free(place);
        return lw_fail(L, NULL, "layer %d: instruction %u: constant address cannot be moved", i, k);
      }
      isa_set(cfg, &m->l[i].insns[k], ISA_F_dram, (uint32_t)((a + delta) / eb));
    }
  }
  free(place);
  return IR_OK;
}

/* Frees the lowering's scratch (not the model). */
static void lw_free(lw *L) {
  if (L->bl)
    for (int i = 0; i < (L->m ? L->m->nl : 0); i++) free(L->bl[i].p);
  free(L->bl);
  free(L->acc);
  free(L->rgi);
  free(L->dsfuse);
  L->dsfuse = NULL;
  L->bl = NULL, L->acc = L->rgi = NULL;
}

/* One attempt at lowering all of g. IR_OK, or IR_ERR with L->refused >= 0 when the back end
 * refused node L->refused (the caller retries with it on the CPU). */
static int lower_once(lw *L) {
  ir_graph *g = L->g;
  cc_model *m = calloc(1, sizeof *m);
  if (!m) return lw_fail(L, NULL, "out of memory");
  L->m = m;
  L->refused = -1;
  m->cfg = L->cx->cfg;
  snprintf(m->name, sizeof m->name, "%s", g->name ? g->name : "model");
  m->net = cc_net_new(m->cfg);
  m->net_free = cc_net_free;
  if (!m->net) return lw_fail(L, NULL, "config '%s': %s", m->cfg->d.name, cc_net_new_error());
  m->g = ir_graph_new(m->name);
  L->acc = malloc(((size_t)g->n_tensors + 1) * sizeof(int));
  L->dsfuse = malloc((size_t)g->n_nodes + 1);
  if (L->dsfuse) memset(L->dsfuse, -1, (size_t)g->n_nodes + 1);
  L->rgi = malloc(((size_t)g->n_tensors + 1) * sizeof(int));
  if (!L->acc || !L->rgi || !L->dsfuse) return lw_fail(L, NULL, "out of memory");
  for (int t = 0; t < g->n_tensors; t++) L->acc[t] = L->rgi[t] = -1;
  m->g->inputs = malloc(((size_t)g->n_inputs + 1) * sizeof(int));
  m->g->outputs = malloc(((size_t)g->n_outputs + 1) * sizeof(int));
  if (!m->g->inputs || !m->g->outputs) return lw_fail(L, NULL, "out of memory");
  for (int i = 0; i < g->n_inputs; i++) {
    int t = g->inputs[i];
    L->rgi[t] = ir_add_tensor(m->g, g->tensors[t]->name, &g->tensors[t]->type);
    m->g->inputs[m->g->n_inputs++] = L->rgi[t];
  }
  for (int i = 0; i < g->n_nodes; i++) {
    const ir_node *n = g->nodes[i];
    if (n->dead) continue;
    const char *tg = ir_attr_string(n, "dlvta.target", "cpu");
    int rc = IR_OK;
    if (!strcmp(tg, "fused")) continue;
    if (!strcmp(tg, "alias")) {
      if (L->acc[n->in[0]] >= 0 && !L->g->tensors[n->in[0]]->data) {
        L->acc[n->out[0]] = L->acc[n->in[0]];
        continue;
      }
      tg = "cpu";
    }
    if (!strcmp(tg, "accel") && ds_consumer(L, i)) continue; /* lowered inside its consumer */
    if (!strcmp(tg, "accel")) {
      switch (n->op) {
      case IR_OP_Conv:
      case IR_OP_FusedConv: rc = lower_conv(L, i); break;
      case IR_OP_Gemm:
      case IR_OP_MatMul: rc = lower_fc(L, i); break;
      case IR_OP_MaxPool:
      case IR_OP_AveragePool:
      case IR_OP_GlobalAveragePool: rc = lower_pool(L, i); break;
      case IR_OP_Add: rc = lower_add(L, i); break;
      default: rc = lw_fail(L, n, "internal: no lowering for an accelerator node");
      }
    } else {
      rc = lower_cpu(L, i);
    }
    if (rc) return rc;
  }
  for (int i = 0; i < g->n_outputs; i++) {
    int f = float_of(L, g->outputs[i]);
    if (f < 0) return IR_ERR;
    m->g->outputs[m->g->n_outputs++] = f;
  }
  m->n_in = g->n_inputs, m->n_out = m->g->n_outputs;
  m->in = calloc((size_t)m->n_in + 1, sizeof *m->in);
  m->out = calloc((size_t)m->n_out + 1, sizeof *m->out);
  if (!m->in || !m->out) return lw_fail(L, NULL, "out of memory");
  for (int i = 0; i < m->n_in; i++) {
    m->in[i] = (cc_mio){m->g->inputs[i], -1};
    for (int s = 0; s < m->ns; s++)
      if (m->s[s].kind == CC_STEP_QUANT && m->s[s].a == m->g->inputs[i]) m->in[i].acc = m->s[s].b;
  }
  for (int i = 0; i < m->n_out; i++) {
    m->out[i] = (cc_mio){m->g->outputs[i], -1};
    for (int s = 0; s < m->ns; s++)
      if (m->s[s].kind == CC_STEP_DEQUANT && m->s[s].b == m->g->outputs[i]) m->out[i].acc = m->s[s].a;
  }
  return assemble(L);
}

/* Lowers the partitioned, calibrated graph into the compile's cc_model (see compile.h). A
 * layer the back end refuses (no tiling fits, unsupported geometry, unrepresentable scale)
 * moves that node to the CPU and lowering starts again. With --dump-after lower, the plan is
 * printed after the IR. */
int cc_lower(ir_graph *g, const cc_options *o, char *err, size_t errlen) {
  cc_compile_ctx *cx = cc_compile_active();
  if (!cx) return IR_OK;
  for (int attempt = 0;; attempt++) {
    lw L = {.g = g, .cx = cx, .err = err, .errlen = errlen};
    int rc = lower_once(&L);
    lw_free(&L);
    if (rc == IR_OK) {
      cx->model = L.m;
      break;
    }
    cc_model_free(L.m);
    if (L.refused < 0 || attempt > g->n_nodes) return rc;
    ir_node *n = g->nodes[L.refused];
    if (cx->o->log) fprintf(cx->o->log, "note: %s -> CPU fallback\n", err);
    ir_set_attr_string(n, "dlvta.target", "cpu");
    ir_set_attr_string(n, "dlvta.why", "the back end refused it");
    ir_node *c = only_consumer(g, n->out[0]);
    if (c && !strcmp(ir_attr_string(c, "dlvta.target", ""), "fused")) ir_set_attr_string(c, "dlvta.target", "cpu");
  }
  cc_model *m = cx->model;
  FILE *df = o && o->dump_to ? o->dump_to : stderr;
  if (o && o->dump_after && (!strcmp(o->dump_after, "lower") || !strcmp(o->dump_after, "all"))) {
    fprintf(df, "## plan (%d steps, %d accelerator layers, %d accelerator tensors, image %llu bytes)\n", m->ns, m->nl,
            m->nt, (unsigned long long)m->image_bytes);
    for (int i = 0; i < m->ns; i++) {
      const cc_mstep *s = &m->s[i];
      switch (s->kind) {
      case CC_STEP_QUANT:
        fprintf(df, "  %4d QUANT   %s -> t%d%s (scale %g zp %d)\n", i, m->g->tensors[s->a]->name, s->b,
                m->t[s->b].im2col ? " im2col" : "", m->t[s->b].scale, m->t[s->b].zp);
        break;
      case CC_STEP_DEQUANT: fprintf(df, "  %4d DEQUANT t%d -> %s\n", i, s->a, m->g->tensors[s->b]->name); break;
      case CC_STEP_ACCEL: {
        const cc_mlayer *l = &m->l[s->a];
        fprintf(df, "  %4d ACCEL   L%d %s '%s' t%d -> t%d: %s, %u insns, predicted %llu cycles\n", i, s->a, l->op,
                l->node, l->in, l->out, l->desc, l->n_insns, (unsigned long long)l->predicted_cycles);
        break;
      }
      default: {
        const ir_node *n = m->g->nodes[s->a];
        fprintf(df, "  %4d CPU     %s '%s'\n", i, n->op_name, n->name);
      }
      }
    }
  }
  return IR_OK;
}

/* ---- the compiler ------------------------------------------------------------------------ */
int cc_register_backend_passes(void) {
  static int done;
  if (done) return 0;
  static const cc_pass passes[] = {
      {"qdq-import", cc_qdq_import, 1, "quantized ONNX (Q/DQ pairs, QLinearConv/MatMul) -> float ops with fixed scales"},
      {"partition", cc_partition, 1, "each node to the accelerator, an alias, a fused clamp or the CPU (dlvta.target)"},
      {"calibrate", cc_calibrate, 1, "activation ranges over the calibration samples -> int8 scale/zero point per tensor"},
      {"lower", cc_lower, 1, "accelerator layers, per-layer programs, image, runtime graph, plan"},
  };
  for (size_t i = 0; i < sizeof passes / sizeof passes[0]; i++)
    if (!cc_find_pass(passes[i].name) && cc_register_pass(&passes[i]) != 0) return -1;
  done = 1;
  return 0;
}

int cc_compile(const char *path, const cc_compile_opts *o, cc_model **out, char *err, size_t errlen) {
  *out = NULL;
  if (cc_register_backend_passes() != 0) return snprintf(err, errlen, "cannot register the back-end passes"), IR_ERR;
  cc_compile_ctx cx = {.o = o, .cfg = isa_config_find(o->config ? o->config : "pynq")};
  if (!cx.cfg)
    return snprintf(err, errlen, "unknown config '%s' (known: %s)", o->config, isa_config_names()), IR_ERR;
  ir_graph *g = NULL;
  int rc = onnx_import(path, &g, err, errlen);
  if (rc != IR_OK) return rc;
  /* one inference at a time: a symbolic batch extent becomes 1 */
  for (int i = 0; i < g->n_inputs; i++) {
    ir_tensor *t = g->tensors[g->inputs[i]];
    if (t->type.rank > 0 && t->type.dims[0] < 0) t->type.dims[0] = 1;
    if (!ir_type_known(&t->type)) {
      snprintf(err, errlen, "%s: input '%s' has an unknown extent other than the batch", path, t->name);
      ir_graph_free(g);
      return IR_UNSUPPORTED;
    }
  }
  cc_options co = {.dump_after = o->dump_after, .dump_to = o->dump_to};
  active = &cx;
  rc = cc_run_pipeline(g, &co, err, errlen);
  active = NULL;
  free(cx.calibrated);
  cx.calibrated = NULL;
  if (rc == IR_OK && !cx.model) rc = IR_ERR, snprintf(err, errlen, "%s: internal: the pipeline made no model", path);
  if (rc == IR_OK) {
    char why[768];
    if (cc_model_check(cx.model, why, sizeof why) != 0) {
      snprintf(err, errlen, "%s: internal: the compiled model is inconsistent: %s", path, why);
      rc = IR_ERR;
    }
  }
  if (rc == IR_OK && o->log) {
    cc_model *m = cx.model;
    int cpu = 0;
    for (int i = 0; i < m->ns; i++) cpu += m->s[i].kind == CC_STEP_CPU;
    uint64_t pred = 0, macs = 0;
    for (int i = 0; i < m->nl; i++) pred += m->l[i].predicted_cycles, macs += m->l[i].macs;
    fprintf(o->log, "partition: %d accelerator layers, %d CPU nodes", m->nl, cpu);
    for (int i = 0, first = 1; i < g->n_nodes; i++)
      if (!strcmp(ir_attr_string(g->nodes[i], "dlvta.target", "cpu"), "cpu")) {
        fprintf(o->log, "%s%s '%s' (%s)", first ? " [" : ", ", g->nodes[i]->op_name, g->nodes[i]->name,
                ir_attr_string(g->nodes[i], "dlvta.why", "not accelerated"));
        first = 0;
      }
    fprintf(o->log, "%s\n", cpu ? "]" : "");
    fprintf(o->log, "accelerator: %llu MACs, predicted %llu cycles, image %llu bytes (arena %llu)\n",
            (unsigned long long)macs, (unsigned long long)pred, (unsigned long long)m->image_bytes,
            (unsigned long long)m->arena_bytes);
  }
  ir_graph_free(g);
  if (rc != IR_OK) {
    cc_model_free(cx.model);
    return rc;
  }
  *out = cx.model;
  return IR_OK;
}
