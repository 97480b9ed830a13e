/* compiler/partition.c -- the partition pass: which node the accelerator runs, which is an
 * alias or a clamp fused into the layer before it, and which the CPU fallback runs (see
 * compile.h); and the graph shape helpers that the lowering shares (lower.h).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lower.h"
#include "util.h"

/* ---- shapes and helpers (contracts in lower.h) -------------------------------------------- */

/* Does non-constant float tensor t map onto an accelerator tensor (batch 1: [1,C,H,W], [1,C] as
 * C x 1 x 1, or a graph input or output [1,C,L] as C x 1 x L: a 1-D network's input, which
 * lift-1d's Reshape to [1,C,1,L] reads, or its feature-map output, which the Reshape back from
 * [1,C,1,L] writes)? Fills c, h, w. Other rank-3 tensors (a transformer's tokens) are not: their
 * elementwise ops stay in float. */
int cc_acc_shape(const ir_graph *g, int t, int *c, int *h, int *w) {
  if (t < 0) return 0;
  const ir_tensor *T = g->tensors[t];
  if (T->data || T->type.dtype != IR_F32 || !ir_type_known(&T->type)) return 0;
  const int64_t *d = T->type.dims;
  int64_t C, H = 1, W = 1;
  if (T->type.rank == 4 && d[0] == 1) C = d[1], H = d[2], W = d[3];
  else if (T->type.rank == 3 && d[0] == 1 && (ir_is_graph_input(g, t) || ir_is_graph_output(g, t))) C = d[1], W = d[2];
  else if (T->type.rank == 2 && d[0] == 1) C = d[1];
  else return 0;
  if (C < 1 || H < 1 || W < 1 || C > (1 << 20) || H > 65535 || W > 65535) return 0;
  *c = (int)C, *h = (int)H, *w = (int)W;
  return 1;
}

int cc_same_acc_shape(const ir_graph *g, int a, int b) {
  int c1, h1, w1, c2, h2, w2;
  return cc_acc_shape(g, a, &c1, &h1, &w1) && cc_acc_shape(g, b, &c2, &h2, &w2) && c1 == c2 && h1 == h2 && w1 == w2;
}

int cc_is_const_f32(const ir_graph *g, int t) {
  return t >= 0 && g->tensors[t]->data && g->tensors[t]->type.dtype == IR_F32 && ir_type_known(&g->tensors[t]->type);
}

/* The only node reading t (t no graph output), or NULL. */
ir_node *cc_only_consumer(const ir_graph *g, int t) {
  if (ir_use_count(g, t) != 1 || ir_is_graph_output(g, t)) return NULL;
  for (int i = 0; i < g->n_nodes; i++) {
    ir_node *n = g->nodes[i];
    if (n->dead) continue;
    for (int k = 0; k < n->n_in; k++)
      if (n->in[k] == t) return n;
  }
  return NULL;
}

/* The node fused after t's producer (target "fused": a table op or clamp that is its last pass),
 * or NULL; not the first Reshape and the Transpose of a channel shuffle, which are "fused" into
 * the shuffle's last Reshape (target "shuffle"), not into t's producer. */
ir_node *cc_fused_after(const ir_graph *g, int t) {
  ir_node *c = cc_only_consumer(g, t);
  if (!c || strcmp(ir_attr_string(c, "dlvta.target", ""), "fused") || c->op == IR_OP_Reshape || c->op == IR_OP_Transpose)
    return NULL;
  return c;
}

/* Constant scalar bounds of a Clip node into lo/hi (defaults +-inf). 0 if not constant. */
int cc_clip_bounds(const ir_graph *g, const ir_node *n, float *lo, float *hi) {
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
int cc_window(const ir_graph *g, const ir_node *n, int x, const int64_t *kernel, ir_window *win, char *why,
                  size_t whylen) {
  const ir_type *t = &g->tensors[x]->type;
  if (t->rank != 4) return snprintf(why, whylen, "not 2-D"), -1;
  int64_t sp[2] = {t->dims[2], t->dims[3]};
  if (ir_window_geometry(g, n, sp, 2, kernel, win, why, whylen) != IR_OK) return -1;
  for (int k = 0; k < 2; k++) {
    if (win->pad_b[k] < 0 || win->pad_b[k] > cc_max_pad() || win->pad_e[k] < 0 || win->pad_e[k] > cc_max_pad())
      return snprintf(why, whylen, "padding beyond %d", cc_max_pad()), -1;
    if (win->kernel[k] < 1 || win->stride[k] < 1 || win->dil[k] < 1 || win->kernel[k] > 65535 || win->stride[k] > 255 ||
        win->dil[k] > 255)
      return snprintf(why, whylen, "window out of range"), -1;
  }
  return 0;
}

int cc_max_pad(void) {
  int w = isa_field_fixed_width(ISA_F_y_pad0); /* the LOAD's pad fields, the same width in every config */
  ALWAYS_ASSERT(w > 0 && w < 16);
  return (1 << w) - 1;
}

int cc_zero_spatial_pad(const ir_graph *g, const ir_node *p, int64_t *pads, int *rank) {
  const ir_type *xt = p->op == IR_OP_Pad && p->n_in > 0 && p->in[0] >= 0 ? &g->tensors[p->in[0]]->type : NULL;
  if (!xt || xt->rank < 3 || xt->dtype != IR_F32 || strcmp(ir_attr_string(p, "mode", "constant"), "constant")) return 0;
  int r = xt->rank, v = p->n_in > 2 ? p->in[2] : -1;
  const ir_type *ti[4] = {0};
  const void *di[4] = {0};
  ir_node_operands(g, p, 4, ti, di);
  char err[256];
  if (ir_pad_amounts(g, p, ti, di, r, pads, err, sizeof err) != IR_OK) return 0;
  if (v >= 0 && (!g->tensors[v]->data || ir_type_numel(&g->tensors[v]->type) != 1 ||
                 ir_get_elem(g->tensors[v]->type.dtype, g->tensors[v]->data, 0) != 0))
    return 0;
  for (int i = 0; i < 2 * r; i++)
    if (pads[i] < 0 || ((i % r) < 2 && pads[i])) return 0;
  *rank = r;
  return 1;
}

int cc_spatial_pad(const ir_graph *g, const ir_node *n, int *pads) {
  int c, h, w, r;
  int64_t p[2 * IR_MAX_DIMS];
  if (!cc_zero_spatial_pad(g, n, p, &r) || r != 4 || !cc_acc_shape(g, n->in[0], &c, &h, &w) ||
      !cc_acc_shape(g, n->out[0], &c, &h, &w))
    return 0;
  static const int at[4] = {2, 3, 6, 7}; /* top, left, bottom, right */
  for (int k = 0; k < 4; k++) {
    if (p[at[k]] > cc_max_pad()) return 0;
    pads[k] = (int)p[at[k]];
  }
  return 1;
}

int cc_ceil_pads(const ir_graph *g, const ir_node *n, ir_window *win, int y) {
  const ir_type *t = &g->tensors[y]->type;
  if (n->op != IR_OP_MaxPool || !ir_attr_int(n, "ceil_mode", 0) || t->rank != 4) return 0;
  for (int k = 0; k < 2; k++) {
    int need = 0;
    while (need < (int)win->stride[k] &&
           cg_out_dim((int)win->in[k], (int)win->kernel[k], (int)win->stride[k], (int)win->dil[k], (int)win->pad_b[k],
                      (int)win->pad_e[k] + need) < t->dims[2 + k])
      need++;
    if (win->pad_e[k] + need > cc_max_pad()) return -1;
    win->pad_e[k] += need;
  }
  return 0;
}

/* Output extents that the back end's formula gives for win (floor). */
int cc_dims_match(const ir_graph *g, const ir_window *win, int y) {
  const ir_type *t = &g->tensors[y]->type;
  for (int k = 0; k < 2; k++) {
    int o = cg_out_dim((int)win->in[k], (int)win->kernel[k], (int)win->stride[k], (int)win->dil[k], (int)win->pad_b[k],
                       (int)win->pad_e[k]);
    if (t->rank != 4 || o != t->dims[2 + k]) return 0;
  }
  return 1;
}

/* ---- partition ------------------------------------------------------------------------- */

/* Unary activations that run as a table of int8 codes (ONNX op types and dlvta kinds): every
 * function of one int8 input code is exactly such a table. */
static const char *const lut_ops[] = {
    "Sigmoid", "Tanh", "Erf", "HardSigmoid", "HardSwish", "Gelu", "Silu", "dlvta.Silu",
    "LeakyRelu", "Elu", "Softplus", "Neg", "Abs", "Selu", "Celu", "ThresholdedRelu", "Softsign", "Mish", "Swish",
    /* any other unary function of a float is as exactly a table of the 256 codes (where it is not
     * finite: +-inf to the ends, NaN to the zero point, lower.c lut_table) */
    "Exp", "Log", "Sqrt", "Reciprocal", "Floor", "Ceil", "Round", "Sign", "Sin", "Cos", "Tan", "Asin", "Acos", "Atan",
    "Sinh", "Cosh", "Asinh", "Acosh", "Atanh", "Shrink",
};

int cc_is_lut_op(const ir_graph *g, const ir_node *n) {
  (void)g;
  if (n->op == IR_OP_UNKNOWN || n->n_in != 1 || n->n_out != 1 || !n->op_name) return 0;
  for (size_t k = 0; k < sizeof lut_ops / sizeof lut_ops[0]; k++)
    if (!strcmp(n->op_name, lut_ops[k])) return 1;
  return 0;
}

int cc_mul_operands(const ir_graph *g, const ir_node *n, int *a, int *b) {
  if (n->op != IR_OP_Mul || n->n_in != 2) return 0;
  for (int k = 0; k < 2; k++) {
    int x = n->in[k], v = n->in[1 - k], c, h, w;
    const ir_type *xt = &g->tensors[x]->type, *vt = &g->tensors[v]->type;
    if (!cc_same_acc_shape(g, x, n->out[0]) || !cc_acc_shape(g, v, &c, &h, &w)) continue;
    /* of one shape (and rank), or v is [1, C, 1, 1] against a rank-4 x (broadcast per channel) */
    int same = vt->rank == xt->rank && cc_same_acc_shape(g, x, v);
    int vec = xt->rank == 4 && vt->rank == 4 && h == 1 && w == 1 && c == xt->dims[1];
    if (same || vec) {
      *a = x, *b = v;
      return 1;
    }
  }
  return 0;
}

int cc_channel_slices(const ir_graph *g, const ir_node *n, int *xo, int *first) {
  int x = n->n_in > 0 ? n->in[0] : -1, c, h, w, oc, oh, ow;
  if ((n->op != IR_OP_Slice && n->op != IR_OP_Split) || n->n_out < 1 || n->n_in > IR_VARIADIC ||
      !cc_acc_shape(g, x, &c, &h, &w) || g->tensors[x]->type.rank != 4)
    return 0;
  const ir_type *ti[IR_VARIADIC + 1] = {0};
  const void *di[IR_VARIADIC + 1] = {0};
  ir_node_operands(g, n, IR_VARIADIC + 1, ti, di);
  for (int k = 1; k < n->n_in; k++)
    if (n->in[k] >= 0 && !di[k]) return 0; /* starts, ends, ... or split sizes not constant */
  char err[256];
  int64_t start[IR_MAX_DIMS], step[IR_MAX_DIMS], len[IR_MAX_DIMS], sizes[IR_VARIADIC + 1];
  int axis = 1;
  if (n->op == IR_OP_Slice) {
    if (ir_slice_geometry(g, n, ti, di, start, step, len, err, sizeof err) != IR_OK) return 0;
    for (int a = 0; a < 4; a++)
      if (a != 1 && (start[a] != 0 || step[a] != 1 || len[a] != g->tensors[x]->type.dims[a])) return 0;
    if (step[1] != 1 || len[1] < 1) return 0;
    first[0] = (int)start[1];
  } else {
    if (n->n_out > IR_VARIADIC || ir_split_sizes(g, n, ti, di, &axis, sizes, err, sizeof err) != IR_OK || axis != 1)
      return 0;
    for (int k = 0, f = 0; k < n->n_out; f += (int)sizes[k], k++) first[k] = f;
  }
  for (int k = 0; k < n->n_out; k++)
    if (n->out[k] >= 0 && (!cc_acc_shape(g, n->out[k], &oc, &oh, &ow) || g->tensors[n->out[k]]->type.rank != 4 ||
                           oh != h || ow != w || first[k] < 0 || first[k] + oc > c))
      return 0;
  *xo = x;
  return 1;
}

int cc_upsample_factors(const ir_graph *g, const ir_node *n, int *fh, int *fw) {
  int x = n->n_in > 0 ? n->in[0] : -1, c, h, w, oc, oh, ow;
  if (n->op != IR_OP_Resize || !cc_acc_shape(g, x, &c, &h, &w) || g->tensors[x]->type.rank != 4 ||
      !cc_acc_shape(g, n->out[0], &oc, &oh, &ow) || g->tensors[n->out[0]]->type.rank != 4 || oc != c ||
      strcmp(ir_attr_string(n, "mode", "nearest"), "nearest") || !ir_resize_modes_ok(n) || oh % h || ow % w ||
      oh / h > 16 || ow / w > 16)
    return 0;
  const ir_type *ti[4] = {0};
  const void *di[4] = {0};
  ir_node_operands(g, n, 4, ti, di);
  int64_t len[IR_MAX_DIMS];
  double scale[IR_MAX_DIMS];
  char err[256];
  if (ir_resize_geometry(g, n, ti, di, len, scale, err, sizeof err) != IR_OK) return 0;
  int f[2] = {oh / h, ow / w}, in[2] = {h, w}, out[2] = {oh, ow};
  for (int a = 0; a < 2; a++) /* every output pixel reads the input pixel o / f (whatever the modes) */
    for (int o = 0; o < out[a]; o++)
      if (ir_resize_nearest_src(n, o, in[a], out[a], scale[2 + a]) != o / f[a]) return 0;
  *fh = f[0], *fw = f[1];
  return 1;
}

static int64_t gcd64(int64_t a, int64_t b) { return b ? gcd64(b, a % b) : a; }

/* Why the dyadic check failed on an axis (extent L, factor f, mode ct): the weights' denominator. */
static const char *bil_frac_why(int ct, int f, int L, const char *axis, char *why, size_t whylen) {
  /* the weights' common denominator: o (L-1) / (fL - 1) reduced; (2o + 1 - f) / 2f with odd
   * numerators (f even) or even ones (f odd); o / f */
  int64_t den = ct == CG_CT_ALIGN_CORNERS ? ((int64_t)f * L - 1) / gcd64(L - 1, f - 1)
                : ct == CG_CT_ASYMMETRIC || f % 2 ? f : 2 * f;
  snprintf(why, whylen, "linear Resize: the %s weights (%s, factor %d over %d pixels) are multiples of 1/%lld, not exact "
           "in fixed point (the accelerator takes multiples of 1/%d)", axis, ct == CG_CT_ALIGN_CORNERS ? "align_corners"
           : ct == CG_CT_ASYMMETRIC ? "asymmetric" : "half_pixel", f, L, (long long)den, 1 << CG_BIL_MAXLOG);
  return why;
}

const char *cc_bilinear_why_not(const ir_graph *g, const ir_node *n, int *fh, int *fw, int *ct, char *why, size_t whylen) {
  int x = n->n_in > 0 ? n->in[0] : -1, c, h, w, oc, oh, ow;
  if (!cc_acc_shape(g, x, &c, &h, &w) || g->tensors[x]->type.rank != 4) return "linear Resize of a tensor that is not a batch-1 NCHW activation";
  if (!cc_acc_shape(g, n->out[0], &oc, &oh, &ow) || g->tensors[n->out[0]]->type.rank != 4 || oc != c)
    return "linear Resize over the batch or channel axis (the accelerator interpolates rows and columns)";
  const char *m = ir_attr_string(n, "coordinate_transformation_mode", "half_pixel");
  *ct = !strcmp(m, "half_pixel") || !strcmp(m, "pytorch_half_pixel") ? CG_CT_HALF_PIXEL
        : !strcmp(m, "asymmetric")                                    ? CG_CT_ASYMMETRIC
        : !strcmp(m, "align_corners")                                 ? CG_CT_ALIGN_CORNERS
                                                                      : -1;
  if (*ct < 0) return snprintf(why, whylen, "linear Resize with coordinate_transformation_mode '%s'", m), why;
  if (oh % h || ow % w || oh < h || ow < w)
    return snprintf(why, whylen, "linear Resize %dx%d -> %dx%d is not an upsampling by integer factors", h, w, oh, ow), why;
  if (oh / h > 16 || ow / w > 16)
    return snprintf(why, whylen, "linear Resize by %dx%d (the accelerator's factors are up to 16)", oh / h, ow / w), why;
  const ir_type *ti[4] = {0};
  const void *di[4] = {0};
  ir_node_operands(g, n, 4, ti, di);
  int64_t len[IR_MAX_DIMS];
  double scale[IR_MAX_DIMS];
  if (ir_resize_geometry(g, n, ti, di, len, scale, why, whylen) != IR_OK) return "linear Resize: scales or sizes not constant";
  int f[2] = {oh / h, ow / w}, in[2] = {h, w}, ld;
  for (int a = 0; a < 2; a++) {
    if (scale[2 + a] != f[a]) return "linear Resize: the scale is not the integer factor of the extents";
    if (cg_bil_axis(*ct, f[a], in[a], &ld, NULL, NULL)) return bil_frac_why(*ct, f[a], in[a], a ? "column" : "row", why, whylen);
    int *i0 = malloc((size_t)in[a] * f[a] * 2 * sizeof *i0);
    if (!i0) return "out of memory";
    cg_bil_axis(*ct, f[a], in[a], &ld, i0, i0 + in[a] * f[a]);
    int same = 1; /* the back end's integer coordinates are the reference executor's */
    for (int o = 0; o < in[a] * f[a] && same; o++) {
      int64_t r0;
      double w1;
      same = !ir_resize_linear_src(n, o, in[a], in[a] * f[a], scale[2 + a], &r0, &w1) && r0 == i0[o] &&
             w1 == ldexp(i0[in[a] * f[a] + o], -ld);
    }
    free(i0);
    if (!same) return "linear Resize: the fixed-point coordinates differ from the reference's (internal)";
  }
  *fh = f[0], *fw = f[1];
  return NULL;
}

int cc_interleave_geometry(const ir_graph *g, const ir_node *n, int *sh, int *sw, int *gc) {
  int x = n->n_in > 0 ? n->in[0] : -1, c, h, w, oc, oh, ow, cnt = 0;
  if ((n->op != IR_OP_DepthToSpace && n->op != IR_OP_Interleave) || !cc_acc_shape(g, x, &c, &h, &w) ||
      g->tensors[x]->type.rank != 4 || !cc_acc_shape(g, n->out[0], &oc, &oh, &ow) || g->tensors[n->out[0]]->type.rank != 4)
    return 0;
  int64_t f[2], G;
  if (n->op == IR_OP_DepthToSpace) {
    if (strcmp(ir_attr_string(n, "mode", "DCR"), "DCR")) return 0;
    f[0] = f[1] = ir_attr_int(n, "blocksize", 0), G = oc;
  } else {
    const int64_t *st = ir_attr_ints(n, "strides", &cnt);
    if (!st || cnt != 2) return 0;
    f[0] = st[0], f[1] = st[1], G = ir_attr_int(n, "group", 0);
  }
  if (f[0] < 1 || f[0] > 16 || f[1] < 1 || f[1] > 16 || G < oc || c != f[0] * f[1] * G || oh > h * f[0] || ow > w * f[1])
    return 0;
  *sh = (int)f[0], *sw = (int)f[1], *gc = (int)G;
  return 1;
}

/* accel_why_not of ConvTranspose, DepthToSpace, dlvta.Interleave and SpaceToDepth. */
static const char *phases_why_not(const ir_graph *g, const ir_node *n, int block, char *why, size_t whylen) {
  switch (n->op) {
  case IR_OP_ConvTranspose: /* what convt-to-conv found (cc_convt.c) */
    return snprintf(why, whylen, "%s", ir_attr_string(n, "dlvta.why", "ConvTranspose not rewritten")), why;
  case IR_OP_DepthToSpace:
  case IR_OP_Interleave: {
    int sh, sw, gc;
    if (n->op == IR_OP_DepthToSpace && strcmp(ir_attr_string(n, "mode", "DCR"), "DCR"))
      return "DepthToSpace in CRD mode (phases interleaved by channel) of a tensor that no conv of group 1 alone produces "
             "(convt-to-conv reorders such a conv's channels)";
    if (!cc_interleave_geometry(g, n, &sh, &sw, &gc))
      return "not a depth-to-space of a batch-1 NCHW activation by factors up to 16";
    if (gc % block)
      return snprintf(why, whylen, "depth-to-space phase groups of %d channels are not whole blocks of %d (and no conv "
                      "of group 1 alone produces them)", gc, block),
             why;
    return NULL;
  }
  default: return "SpaceToDepth: a gather of pixels into channels, no accelerator lowering";
  }
}

/* A Relu / Clip that no layer before it takes as its clamp (a table layer like any activation),
 * a zero Pad (an identity copy with padding): NULL if the accelerator runs it, else why not. */
static const char *clamp_pad_why_not(const ir_graph *g, const ir_node *n) {
  int pads[4];
  float lo, hi;
  if (n->op == IR_OP_Pad)
    return cc_spatial_pad(g, n, pads) ? NULL
                                      : "not a constant zero pad of at most the LOAD's pad field's pixels a side on the "
                                        "spatial axes of a batch-1 NCHW activation";
  if (!cc_clip_bounds(g, n, &lo, &hi)) return "bounds not constant";
  if (!cc_same_acc_shape(g, n->in[0], n->out[0])) return "not an activation of one shape in and out";
  return NULL;
}

/* Why node n, which prepares the model's input, runs on the host: the normalization that
 * affine-to-conv left there (its reason in dlvta.why), a layout change of the input (NHWC to
 * NCHW); else NULL. */
static const char *host_step_why(const ir_graph *g, const ir_node *n, char *why, size_t whylen) {
  if ((n->op == IR_OP_Add || n->op == IR_OP_Sub || n->op == IR_OP_Mul || n->op == IR_OP_Div) && ir_get_attr(n, "dlvta.why"))
    return snprintf(why, whylen, "%s", ir_attr_string(n, "dlvta.why", "")), why;
  if (n->op == IR_OP_Transpose && ir_is_graph_input(g, n->in[0]))
    return "a layout change of the model's input (e.g. NHWC to NCHW): on the host, before its quantization";
  const ir_node *p = n->op == IR_OP_Reshape ? ir_producer(g, n->in[0], NULL) : NULL;
  if (p && p->op == IR_OP_Transpose && ir_is_graph_input(g, p->in[0]) && ir_use_count(g, n->in[0]) == 1)
    return "the reshape of the model's transposed input (a video's frames stacked in the channels): on the host, "
           "before its quantization";
  return NULL;
}

/* An Add, Max or Min of two activations of one shape (an add layer): NULL, else why not. */
static const char *add_why_not(const ir_graph *g, const ir_node *n) {
  if (n->n_in != 2) return "not of two inputs";
  if (!cc_same_acc_shape(g, n->in[0], n->in[1]) || !cc_same_acc_shape(g, n->in[0], n->out[0]))
    return "not two activations of one shape";
  if (g->tensors[n->in[0]]->type.rank != g->tensors[n->in[1]]->type.rank) return "ranks differ";
  return NULL;
}

/* NULL if the accelerator can run node n, else why not. */
static const char *accel_why_not(const ir_graph *g, const ir_node *n, const isa_config *cfg, char *why,
                                 size_t whylen) {
  int block = (int)cc_layout_block(&cfg->d);
  int c, h, w;
  if (cc_is_lut_op(g, n)) {
    if (!cc_same_acc_shape(g, n->in[0], n->out[0])) return "not an activation of one shape in and out";
    if (g->tensors[n->in[0]]->type.dtype != IR_F32) return "input is not float";
    return NULL;
  }
  const char *host = host_step_why(g, n, why, whylen);
  if (host) return host;
  if (n->op == IR_OP_PRelu) /* what prelu-to-conv found (cc_rewrite.c) */
    return snprintf(why, whylen, "%s", ir_attr_string(n, "dlvta.why", "PRelu not rewritten")), why;
  if (n->op == IR_OP_ConvTranspose || n->op == IR_OP_DepthToSpace || n->op == IR_OP_Interleave ||
      n->op == IR_OP_SpaceToDepth)
    return phases_why_not(g, n, block, why, whylen);
  switch (n->op) {
  case IR_OP_Conv:
  case IR_OP_FusedConv: {
    int x = n->in[0], W = n->in[1], B = n->n_in > 2 ? n->in[2] : -1, R = n->n_in > 3 ? n->in[3] : -1, y = n->out[0];
    if (!cc_acc_shape(g, x, &c, &h, &w) || g->tensors[x]->type.rank != 4) return "input is not a batch-1 NCHW activation";
    if (!cc_acc_shape(g, y, &c, &h, &w) || g->tensors[y]->type.rank != 4) return "output is not a batch-1 NCHW tensor";
    if (!cc_is_const_f32(g, W) || g->tensors[W]->type.rank != 4) return "weights are not a constant 4-D float tensor";
    if (B >= 0 && (!cc_is_const_f32(g, B) || ir_type_numel(&g->tensors[B]->type) != g->tensors[W]->type.dims[0]))
      return "bias is not constant";
    if (R >= 0 && !cc_same_acc_shape(g, R, y)) return "residual is not an activation of the output's shape";
    int64_t group = ir_attr_int(n, "group", 1), cin = g->tensors[x]->type.dims[1], M = g->tensors[W]->type.dims[0];
    if (group != 1 && !(group >= 1 && cin % group == 0 && g->tensors[W]->type.dims[1] == cin / group &&
                        cg_groups_ok(cfg, (int)cin, (int)M, (int)group)))
      return snprintf(why, whylen,
                      "grouped convolution of %lld -> %lld channels in %lld groups (the back end needs equal channels "
                      "and a group width that divides the block of %d or is a multiple of it)",
                      (long long)cin, (long long)M, (long long)group, block),
             why;
    const char *act = ir_attr_string(n, "activation", "none");
    if (strcmp(act, "none") && strcmp(act, "relu") && strcmp(act, "clip")) return "unknown fused activation";
    ir_window win;
    if (cc_window(g, n, x, g->tensors[W]->type.dims + 2, &win, why, whylen)) return why;
    if (!cc_dims_match(g, &win, y)) return "output extents differ from the back end's formula";
    return NULL;
  }
  case IR_OP_Gemm:
  case IR_OP_MatMul: {
    int a = n->in[0], b = n->in[1], y = n->out[0];
    /* what channels-last refused (rows of tokens it runs as a 1x1 conv) */
    if (ir_get_attr(n, "dlvta.why")) return snprintf(why, whylen, "%s", ir_attr_string(n, "dlvta.why", "")), why;
    if (!cc_acc_shape(g, a, &c, &h, &w) || g->tensors[a]->type.rank != 2) return "input is not [1, K]";
    if (!cc_acc_shape(g, y, &c, &h, &w) || g->tensors[y]->type.rank != 2) return "output is not [1, N]";
    if (!cc_is_const_f32(g, b) || g->tensors[b]->type.rank != 2) return "weights are not a constant 2-D float tensor";
    if (n->op == IR_OP_Gemm) {
      if (ir_attr_int(n, "transA", 0)) return "transA";
      int C = n->n_in > 2 ? n->in[2] : -1;
      if (C >= 0 && (!cc_is_const_f32(g, C) ||
                     (ir_type_numel(&g->tensors[C]->type) != 1 && ir_type_numel(&g->tensors[C]->type) != g->tensors[y]->type.dims[1])))
        return "C is not a constant per-output vector";
    }
    return NULL;
  }
  case IR_OP_MaxPool:
  case IR_OP_AveragePool: {
    int x = n->in[0], y = n->out[0];
    if (n->n_out > 1 && n->out[1] >= 0 && ir_use_count(g, n->out[1]) > 0) return "Indices output is used";
    if (!cc_acc_shape(g, x, &c, &h, &w) || g->tensors[x]->type.rank != 4) return "input is not a batch-1 NCHW activation";
    if (!cc_acc_shape(g, y, &c, &h, &w)) return "output is not a batch-1 NCHW tensor";
    ir_window win;
    if (cc_window(g, n, x, NULL, &win, why, whylen)) return why;
    if (win.dil[0] != 1 || win.dil[1] != 1) return "dilated pooling";
    if (cc_ceil_pads(g, n, &win, y)) return "ceil_mode end padding beyond the LOAD's pad field";
    if (!cc_dims_match(g, &win, y)) return "ceil_mode output extents";
    return NULL;
  }
  case IR_OP_GlobalAveragePool:
    if (!cc_acc_shape(g, n->in[0], &c, &h, &w) || g->tensors[n->in[0]]->type.rank != 4) return "input is not batch-1 NCHW";
    if (!cc_acc_shape(g, n->out[0], &c, &h, &w)) return "output shape";
    return NULL;
  case IR_OP_Mul: {
    int a, b;
    if (!cc_mul_operands(g, n, &a, &b)) return "not an activation times a per-channel vector or an activation of its shape";
    return NULL;
  }
  case IR_OP_Max: /* an add layer with MAX / MIN for the sum */
  case IR_OP_Min:
  case IR_OP_Add: return add_why_not(g, n);
  case IR_OP_Concat: {
    /* a view of its inputs' channel blocks (cg_net_tensor_view): no data moves */
    int y = n->out[0], c2, h2, w2;
    int64_t ax = ir_attr_int(n, "axis", 0);
    if (!cc_acc_shape(g, y, &c, &h, &w) || g->tensors[y]->type.rank != 4) return "output is not a batch-1 NCHW tensor";
    if (ax != 1 && ax != -3) return "not along channels";
    for (int k = 0; k < n->n_in; k++) {
      if (!cc_acc_shape(g, n->in[k], &c2, &h2, &w2) || g->tensors[n->in[k]]->type.rank != 4 || h2 != h || w2 != w)
        return "an input is not an activation of the output's pixels";
    }
    return NULL;
  }
  case IR_OP_Resize: {
    int fh, fw, ct;
    if (!strcmp(ir_attr_string(n, "mode", "nearest"), "linear")) return cc_bilinear_why_not(g, n, &fh, &fw, &ct, why, whylen);
    if (!cc_upsample_factors(g, n, &fh, &fw))
      return "not a nearest-neighbour upsampling of a batch-1 NCHW activation by integer factors up to 16";
    return NULL;
  }
  case IR_OP_Relu:
  case IR_OP_Clip:
  case IR_OP_Pad: return clamp_pad_why_not(g, n);
  case IR_OP_Slice:
  case IR_OP_Split: {
    /* a view of its input's channel blocks with a lane map (lower_slice): no data moves */
    int x, first[IR_VARIADIC + 1];
    if (!cc_channel_slices(g, n, &x, first)) return "not a constant channel range of a batch-1 NCHW activation";
    return NULL;
  }
  default: return "no accelerator lowering for this op";
  }
}

/* Reshape n flattens a [1, C, H, W] activation larger than 1x1 into [1, C*H*W] and only
 * Gemm / MatMul nodes the accelerator runs read the result: each of them reads the map itself
 * as a conv with an H x W kernel (its weights are the flatten order), so n moves no data. */
static int flatten_folds(const ir_graph *g, const ir_node *n) {
  int c, h, w, x = n->in[0], y = n->out[0];
  if (!cc_acc_shape(g, x, &c, &h, &w) || g->tensors[x]->type.rank != 4 || (h == 1 && w == 1)) return 0;
  if (c == 1 && (h == 1 || w == 1)) return 0; /* a vector laid along a row ([1,1,1,K]: a channels-last
                                                 * LayerNorm's output): an fc reads it as K channels */
  const ir_type *yt = &g->tensors[y]->type;
  if (yt->rank != 2 || yt->dims[0] != 1 || yt->dims[1] != (int64_t)c * h * w || ir_is_graph_output(g, y) ||
      ir_use_count(g, y) < 1)
    return 0;
  for (int i = 0; i < g->n_nodes; i++) {
    const ir_node *u = g->nodes[i];
    if (u->dead) continue;
    for (int k = 0; k < u->n_in; k++)
      if (u->in[k] == y && (k != 0 || (u->op != IR_OP_Gemm && u->op != IR_OP_MatMul) ||
                            strcmp(ir_attr_string(u, "dlvta.target", ""), "accel")))
        return 0;
  }
  return 1;
}

/* Reshape r2 ends a channel shuffle: Reshape r1 of a [1, C, H, W] activation x into
 * [1, d1..dk, H, W] (d1 * .. * dk = C), a Transpose that permutes only d1..dk, and r2 back to
 * [1, C, H, W], each the only reader of the one before (ShuffleNet's channel_shuffle). Fills
 * perm[j] = the channel of x that channel j of r2's output holds (perm has C entries) and *x.
 * 1 if so. */
static int channel_shuffle(const ir_graph *g, const ir_node *r2, int *xo, int *perm) {
  int ti, ri, c, h, w;
  const ir_node *tr = r2->op == IR_OP_Reshape ? ir_producer(g, r2->in[0], &ti) : NULL;
  const ir_node *r1 = tr && tr->op == IR_OP_Transpose ? ir_producer(g, tr->in[0], &ri) : NULL;
  if (!r1 || r1->op != IR_OP_Reshape || cc_only_consumer(g, r1->out[0]) != tr || cc_only_consumer(g, tr->out[0]) != r2)
    return 0;
  int x = r1->in[0];
  if (!cc_acc_shape(g, x, &c, &h, &w) || g->tensors[x]->type.rank != 4 || !cc_same_acc_shape(g, x, r2->out[0]) ||
      g->tensors[r2->out[0]]->type.rank != 4)
    return 0;
  const ir_type *mt = &g->tensors[r1->out[0]]->type;
  int r = mt->rank, k = r - 3, np = 0;
  if (r < 4 || r > 8 || mt->dims[0] != 1 || mt->dims[r - 2] != h || mt->dims[r - 1] != w) return 0;
  const int64_t *pm = ir_attr_ints(tr, "perm", &np);
  if (!pm || np != r || pm[0] != 0 || pm[r - 2] != r - 2 || pm[r - 1] != r - 1) return 0;
  int64_t d[8], prod = 1;
  for (int q = 0; q < k; q++) d[q] = mt->dims[1 + q], prod *= d[q];
  if (prod != c) return 0;
  /* channel j of the output: its index tuple over the transposed dims (d[pm[1+q]-1]), mapped
   * back to the input's tuple */
  for (int j = 0; j < c; j++) {
    int64_t rem = j, idx[8] = {0};
    for (int q = k - 1; q >= 0; q--) {
      int64_t e = d[pm[1 + q] - 1];
      idx[pm[1 + q] - 1] = rem % e;
      rem /= e;
    }
    int64_t src = 0;
    for (int q = 0; q < k; q++) src = src * d[q] + idx[q];
    perm[j] = (int)src;
  }
  *xo = x;
  return 1;
}

int cc_shuffle_perm(const ir_graph *g, const ir_node *r2, int *x, int *perm) { return channel_shuffle(g, r2, x, perm); }

/* Most groups whose grouped conv runs as a dense one (dense_groups): the MACs it costs, times. */
#define DENSE_GROUPS_MAX 8

/* Grouped Conv n whose group widths the back end cannot take (cg_groups_ok: 72 channels in 3
 * groups of 24, 40 -> 100 in 5) and of at most DENSE_GROUPS_MAX groups -> the dense conv of the
 * same map, its weights zero between the groups (group times the MACs, on the accelerator
 * instead of the CPU). 1 if rewritten. */
static int dense_groups(ir_graph *g, ir_node *n, const isa_config *cfg) {
  if ((n->op != IR_OP_Conv && n->op != IR_OP_FusedConv) || n->n_in < 2 || n->in[0] < 0 || !cc_is_const_f32(g, n->in[1]))
    return 0;
  const ir_type *xt = &g->tensors[n->in[0]]->type, *wt = &g->tensors[n->in[1]]->type;
  int64_t G = ir_attr_int(n, "group", 1), cin = xt->rank == 4 ? xt->dims[1] : -1, M = wt->dims[0];
  if (G < 2 || G > DENSE_GROUPS_MAX || cin < 1 || wt->rank != 4 || cin % G || M % G || wt->dims[1] != cin / G ||
      cg_groups_ok(cfg, (int)cin, (int)M, (int)G))
    return 0;
  int64_t ci = cin / G, mo = M / G, taps = wt->dims[2] * wt->dims[3];
  const float *w = g->tensors[n->in[1]]->data;
  float *d = calloc((size_t)(M * cin * taps), sizeof *d);
  if (!d) return 0;
  for (int64_t o = 0; o < M; o++)
    memcpy(d + (o * cin + o / mo * ci) * taps, w + o * ci * taps, (size_t)(ci * taps) * sizeof *d);
  char name[600];
  snprintf(name, sizeof name, "%s_dense", g->tensors[n->in[1]]->name);
  ir_type dt = {.dtype = IR_F32, .rank = 4, .dims = {M, cin, wt->dims[2], wt->dims[3]}};
  n->in[1] = ir_add_const(g, name, &dt, d);
  ir_set_attr_int(n, "group", 1);
  return 1;
}

/* Depthwise Conv n (at index i) with a channel multiplier (C -> m*C channels in C groups: a
 * TensorFlow depth_multiplier, torch's Conv2d(C, 2C, groups=C)), which the back end's grouped
 * convs do not take -> a 1x1 Conv C -> m*C repeating each channel m times (weights one: exact)
 * and the depthwise conv of m*C channels with n's own weights. 1 if rewritten (the repeat at i). */
static int repeat_depthwise(ir_graph *g, int i, ir_node *n) {
  if ((n->op != IR_OP_Conv && n->op != IR_OP_FusedConv) || n->n_in < 2 || n->in[0] < 0 || !cc_is_const_f32(g, n->in[1]))
    return 0;
  const ir_type *xt = &g->tensors[n->in[0]]->type, *wt = &g->tensors[n->in[1]]->type;
  int64_t G = ir_attr_int(n, "group", 1), M = wt->dims[0];
  if (G < 2 || xt->rank != 4 || !ir_type_known(xt) || xt->dims[0] != 1 || xt->dims[1] != G || wt->rank != 4 ||
      wt->dims[1] != 1 || M % G || M == G || xt->dtype != IR_F32)
    return 0;
  float *r = calloc((size_t)(M * G), sizeof *r);
  if (!r) return 0;
  for (int64_t o = 0; o < M; o++) r[o * G + o / (M / G)] = 1.0f;
  char name[600];
  snprintf(name, sizeof name, "%s_repeat_weight", g->tensors[n->in[1]]->name);
  ir_type rt = {.dtype = IR_F32, .rank = 4, .dims = {M, G, 1, 1}}, yt = *xt;
  int ri = ir_add_const(g, name, &rt, r);
  yt.dims[1] = M;
  snprintf(name, sizeof name, "%s_repeat", g->tensors[n->in[0]]->name);
  int y = ir_add_tensor(g, name, &yt);
  ir_node *c = ir_add_node(g, IR_OP_Conv, name, (int[]){n->in[0], ri}, 2, &y, 1);
  ir_set_attr_ints(c, "kernel_shape", (int64_t[]){1, 1}, 2);
  ir_move_last_node(g, i);
  n->in[0] = y;
  ir_set_attr_int(n, "group", M);
  return 1;
}

#define AFTER_CPU_WHY "a clamp between CPU steps: on the host (cheaper than an accelerator pass and its conversions)"

/* Is t made or read by a CPU step only (made: its producer; read: every consumer, at least one)? */
static int cpu_side(const ir_graph *g, int t, int made) {
  if (made) {
    const ir_node *p = ir_producer(g, t, NULL);
    return p && !p->dead && !strcmp(ir_attr_string(p, "dlvta.target", ""), "cpu");
  }
  int readers = 0;
  for (int i = 0; i < g->n_nodes; i++) {
    const ir_node *c = g->nodes[i];
    for (int k = 0; !c->dead && k < c->n_in; k++)
      if (c->in[k] == t) {
        if (strcmp(ir_attr_string(c, "dlvta.target", ""), "cpu")) return 0;
        readers++;
      }
  }
  return readers > 0 && !ir_is_graph_output(g, t);
}

/* A Relu or Clip on the accelerator between CPU steps (an InstanceNorm's output read by a
 * reflection Pad) is a pass of its own between a quantization and a dequantization there, one
 * float pass on the host: it goes to the host, later ones first (a chain of them follows). */
static void clamps_between_cpu_steps(ir_graph *g) {
  for (int i = g->n_nodes - 1; i >= 0; i--) {
    ir_node *n = g->nodes[i];
    if (n->dead || (n->op != IR_OP_Relu && n->op != IR_OP_Clip) || n->n_in < 1 || n->in[0] < 0 || n->out[0] < 0 ||
        strcmp(ir_attr_string(n, "dlvta.target", ""), "accel") || !cpu_side(g, n->out[0], 0))
      continue;
    int t = n->in[0];
    while (!cpu_side(g, t, 1)) { /* through clamps before it that only it reads */
      ir_node *p = (ir_node *)ir_producer(g, t, NULL);
      if (!p || (p->op != IR_OP_Relu && p->op != IR_OP_Clip) || ir_use_count(g, t) != 1 ||
          strcmp(ir_attr_string(p, "dlvta.target", ""), "accel"))
        break;
      t = p->in[0];
    }
    if (!cpu_side(g, t, 1)) continue;
    for (ir_node *c = n;; c = (ir_node *)ir_producer(g, c->in[0], NULL)) {
      ir_set_attr_string(c, "dlvta.target", "cpu");
      ir_set_attr_string(c, "dlvta.why", AFTER_CPU_WHY);
      if (c->in[0] == t) break;
    }
  }
}

/* Node n only moves its input's values: a Reshape, Transpose or Identity. */
static int moves_only(const ir_node *n) {
  return n->op == IR_OP_Reshape || n->op == IR_OP_Transpose || n->op == IR_OP_Identity;
}

/* Float tensor t (per-tensor quantization q) already holds values on q's grid: an accelerator
 * layer makes it, or a step that only moves values (Reshape, Transpose, Identity: on the CPU, an
 * alias, a flatten a dense layer folds) makes it of such a tensor in the same quantization. */
static int on_grid(ir_graph *g, int t, const ir_quant *q) {
  for (int hops = 0; hops < 64; hops++) {
    if (!ir_same_tensor_quant(g->tensors[t]->quant, q)) return 0;
    const ir_node *p = ir_producer(g, t, NULL);
    if (!p) return 0; /* the model's input */
    if (p->op == IR_OP_DequantizeLinear) return 1; /* (a pair put back: its quantization is q) */
    if (!moves_only(p)) return !cpu_side(g, t, 1);
    t = p->in[0];
  }
  return 0;
}

/* QuantizeLinear -> DequantizeLinear of float tensor x in quantization q into float tensor y,
 * CPU steps named for the model's tensor base, appended (the caller moves them). */
static void add_grid_pair(ir_graph *g, int x, int y, const ir_quant *q, const char *base) {
  char name[300];
  ir_type st = {.dtype = IR_F32, .rank = 0}, zt = {.dtype = q->qtype, .rank = 0}, qt = g->tensors[x]->type;
  float *sv = malloc(sizeof *sv);
  void *zv = malloc(1);
  ALWAYS_ASSERT(sv && zv);
  *sv = q->scale[0];
  if (zt.dtype == IR_U8) *(uint8_t *)zv = (uint8_t)q->zero_point[0];
  else *(int8_t *)zv = (int8_t)q->zero_point[0];
  snprintf(name, sizeof name, "%s_grid_scale", base);
  int si = ir_add_const(g, name, &st, sv);
  snprintf(name, sizeof name, "%s_grid_zero_point", base);
  int zi = ir_add_const(g, name, &zt, zv);
  qt.dtype = zt.dtype;
  snprintf(name, sizeof name, "%s_grid_q", base);
  int qi = ir_add_tensor(g, name, &qt);
  snprintf(name, sizeof name, "%s_grid", base);
  ir_node *qn = ir_add_node(g, IR_OP_QuantizeLinear, name, (int[]){x, si, zi}, 3, &qi, 1);
  ir_node *dn = ir_add_node(g, IR_OP_DequantizeLinear, name, (int[]){qi, si, zi}, 3, &y, 1);
  ir_set_attr_string(qn, "dlvta.target", "cpu"), ir_set_attr_string(dn, "dlvta.target", "cpu");
  const char *why = "the model's own quantization of a CPU step's input or output (QDQ)";
  ir_set_attr_string(qn, "dlvta.why", why), ir_set_attr_string(dn, "dlvta.why", why);
  /* both ends in q (x's values are what the model quantizes with it): no tensor left to calibrate */
  float sc = q->scale[0];
  int32_t zp = q->zero_point[0];
  ir_dtype qt8 = q->qtype; /* (q may be x's or y's own, which ir_set_quant replaces) */
  ir_set_quant(g, x, -1, 1, &sc, &zp, qt8);
  ir_set_quant(g, y, -1, 1, &sc, &zp, qt8);
}

/* A float tensor with the model's own per-tensor int8 quantization that the CPU reads or writes. */
static const ir_quant *grid_quant(const ir_graph *g, const cc_ctx *cx, int t) {
  const ir_tensor *T = t >= 0 ? g->tensors[t] : NULL;
  if (!T || T->data || !T->quant || T->quant->n != 1 || T->type.dtype != IR_F32 ||
      (T->quant->qtype != IR_I8 && T->quant->qtype != IR_U8) || !cc_own_quant(cx, t))
    return NULL;
  return T->quant;
}

int cc_cpu_grid(ir_graph *g, int i, const cc_ctx *cx) {
  ir_node *n = g->nodes[i];
  int added = 0;
  if (n->dead || strcmp(ir_attr_string(n, "dlvta.target", ""), "cpu") || n->op == IR_OP_QuantizeLinear ||
      n->op == IR_OP_DequantizeLinear)
    return 0;
  for (int k = 0; k < n->n_in; k++) {
    int t = n->in[k];
    const ir_quant *q = grid_quant(g, cx, t);
    if (!q || on_grid(g, t, q)) continue; /* an accelerator's (moved): on the grid */
    if (moves_only(n) && ir_same_tensor_quant(grid_quant(g, cx, n->out[0]), q))
      continue; /* moved in the same quantization: whoever computes on them puts them on the grid */
    char name[300];
    snprintf(name, sizeof name, "%s_grid", g->tensors[t]->name);
    int d = ir_add_tensor(g, name, &g->tensors[t]->type);
    add_grid_pair(g, t, d, q, g->tensors[t]->name);
    ir_move_last_node(g, i + added);
    ir_move_last_node(g, i + added);
    added += 2;
    for (int j = i + added; j < g->n_nodes; j++) /* this reader, and the CPU readers after it */
      for (int m = 0; !g->nodes[j]->dead && m < g->nodes[j]->n_in; m++)
        if (g->nodes[j]->in[m] == t && !strcmp(ir_attr_string(g->nodes[j], "dlvta.target", ""), "cpu"))
          g->nodes[j]->in[m] = d;
  }
  /* a graph output the CPU makes: the model dequantizes it from its quantization (clipped, rounded) */
  for (int k = 0; k < n->n_out; k++) {
    int y = n->out[k];
    const ir_quant *q = y >= 0 && ir_is_graph_output(g, y) ? grid_quant(g, cx, y) : NULL;
    if (!q) continue;
    char name[300];
    snprintf(name, sizeof name, "%s_float", g->tensors[y]->name);
    int f = ir_add_tensor(g, name, &g->tensors[y]->type);
    n->out[k] = f;
    add_grid_pair(g, f, y, q, g->tensors[y]->name);
    ir_move_last_node(g, i + added + 1);
    ir_move_last_node(g, i + added + 1);
  }
  return added;
}

/* Marks every node with dlvta.target (see compile.h). An op that neither the accelerator nor
 * the reference executor knows is an error naming the node. */
int cc_partition(ir_graph *g, cc_ctx *cx, char *err, size_t errlen) {
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
  if (!cx->cfg) return IR_OK;
  for (int i = 0; i < g->n_nodes; i++)
    if (!g->nodes[i]->dead && !dense_groups(g, g->nodes[i], cx->cfg)) i += repeat_depthwise(g, i, g->nodes[i]);
  for (int i = 0; i < g->n_nodes; i++) {
    ir_node *n = g->nodes[i];
    if (n->dead) continue;
    const char *forced = ir_attr_string(n, "dlvta.target", NULL);
    if (forced && !strcmp(forced, "cpu")) continue; /* the back end refused it on a previous try */
    char why[256] = "";
    const char *no = accel_why_not(g, n, cx->cfg, why, sizeof why);
    if ((n->op == IR_OP_Reshape || n->op == IR_OP_Identity) && cc_same_acc_shape(g, n->in[0], n->out[0])) {
      /* (an Identity that fold-shapes kept: a graph output twice, under two names) */
      ir_set_attr_string(n, "dlvta.target", "alias");
    } else if (!no) {
      /* a table op fused into the conv before it stays fused */
      if (strcmp(ir_attr_string(n, "dlvta.target", ""), "fused")) ir_set_attr_string(n, "dlvta.target", "accel");
    } else if (!ir_get_attr(n, "dlvta.target") || strcmp(ir_attr_string(n, "dlvta.target", ""), "fused")) {
      ir_set_attr_string(n, "dlvta.target", "cpu");
      ir_set_attr_string(n, "dlvta.why", no);
    }
    /* a table op (Sigmoid, ...) right after an accelerated conv or fc becomes its last ALU pass */
    if (!no && (n->op == IR_OP_Conv || n->op == IR_OP_FusedConv || n->op == IR_OP_Gemm || n->op == IR_OP_MatMul)) {
      ir_node *c = cc_only_consumer(g, n->out[0]);
      if (c && cc_is_lut_op(g, c) && !accel_why_not(g, c, cx->cfg, why, sizeof why) &&
          strcmp(ir_attr_string(c, "dlvta.target", ""), "cpu"))
        ir_set_attr_string(c, "dlvta.target", "fused");
    }
    /* a Relu/Clip right after an accelerated Add/Max/Min/Mul/Gemm/MatMul/AveragePool, or a table layer
     * of its own (not a conv's fused pass), becomes its clamp */
    if (!no && (n->op == IR_OP_Add || n->op == IR_OP_Max || n->op == IR_OP_Min || n->op == IR_OP_Mul || n->op == IR_OP_Gemm || n->op == IR_OP_MatMul || n->op == IR_OP_AveragePool ||
                n->op == IR_OP_GlobalAveragePool ||
                (cc_is_lut_op(g, n) && !strcmp(ir_attr_string(n, "dlvta.target", ""), "accel")))) {
      ir_node *c = cc_only_consumer(g, n->out[0]);
      float lo, hi;
      if (c && cc_clip_bounds(g, c, &lo, &hi) && cc_same_acc_shape(g, c->out[0], n->out[0]) &&
          strcmp(ir_attr_string(c, "dlvta.target", ""), "cpu"))
        ir_set_attr_string(c, "dlvta.target", "fused");
    }
  }
  /* a channel shuffle of an accelerator tensor moves no data: its Reshape - Transpose - Reshape
   * become a lane permutation (target "shuffle" on the last, "fused" on the others) */
  for (int i = 0; i < g->n_nodes; i++) {
    ir_node *n = g->nodes[i];
    int x, c, h, w, ti, ri;
    if (n->dead || n->op != IR_OP_Reshape || !cc_acc_shape(g, n->out[0], &c, &h, &w)) continue;
    int *perm = malloc((size_t)c * sizeof *perm);
    if (perm && channel_shuffle(g, n, &x, perm)) {
      ir_node *tr = (ir_node *)ir_producer(g, n->in[0], &ti), *r1 = (ir_node *)ir_producer(g, tr->in[0], &ri);
      ir_set_attr_string(n, "dlvta.target", "shuffle");
      ir_set_attr_string(tr, "dlvta.target", "fused");
      ir_set_attr_string(r1, "dlvta.target", "fused");
    }
    free(perm);
  }
  for (int i = 0; i < g->n_nodes; i++) /* after every consumer's target is known */
    if (!g->nodes[i]->dead && g->nodes[i]->op == IR_OP_Reshape && flatten_folds(g, g->nodes[i]))
      ir_set_attr_string(g->nodes[i], "dlvta.target", "fold");
  clamps_between_cpu_steps(g);
  for (int i = 0; i < g->n_nodes; i++) i += cc_cpu_grid(g, i, cx);
  return IR_OK;
}
