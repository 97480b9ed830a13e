/* ref/ref_norm.c -- reference kernels of the ops that normalize or pick along an axis, as
 * classifier and style-transfer heads end: ArgMax / ArgMin, InstanceNormalization,
 * LpNormalization and LRN (AlexNet's and GoogLeNet's local response normalization) (LogSoftmax shares Softmax's kernel in ref.c). Float32 in, accumulation in
 * double (as ref_reduce and LayerNormalization). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ref_internal.h"

#define CERR(...) ir_node_err(c->g, c->n, c->err, c->errlen, __VA_ARGS__)

/* The extents before, along and after axis ax (normalized) of a rank-r shape. */
static void split_axis(const ir_type *t, int ax, int64_t *outer, int64_t *len, int64_t *inner) {
  *outer = *len = *inner = 1;
  for (int i = 0; i < t->rank; i++) {
    if (i < ax) *outer *= t->dims[i];
    else if (i == ax) *len = t->dims[i];
    else *inner *= t->dims[i];
  }
}

static int axis_of(const ref_call *c, int64_t def, int rank) {
  int64_t ax = ir_attr_int(c->n, "axis", def);
  return (int)(ax < 0 ? ax + rank : ax);
}

/* ArgMax / ArgMin along axis (default 0): the first index of the extreme value, or the last with
 * select_last_index; a NaN counts as the extreme (numpy's argmax). int64 out. */
int ref_argminmax(ref_call *c) {
  const ir_value *x = c->in[0];
  ir_dtype dt = x->type.dtype;
  if (dt == IR_BOOL || !ir_dtype_size(dt)) return CERR("type %s not supported", ir_dtype_name(dt)), IR_UNSUPPORTED;
  int ax = axis_of(c, 0, x->type.rank), last = (int)ir_attr_int(c->n, "select_last_index", 0);
  int is_max = c->n->op == IR_OP_ArgMax;
  int64_t outer, len, inner;
  split_axis(&x->type, ax, &outer, &len, &inner);
  int64_t *py = c->out[0].data;
  for (int64_t o = 0; o < outer; o++)
    for (int64_t i = 0; i < inner; i++) {
      int64_t base = o * len * inner + i, best = 0;
      double bv = ir_get_elem(dt, x->data, base);
      for (int64_t k = 1; k < len && !isnan(bv); k++) {
        double v = ir_get_elem(dt, x->data, base + k * inner);
        int better = isnan(v) || (is_max ? v > bv : v < bv) || (last && v == bv);
        if (better) best = k, bv = v;
      }
      py[o * inner + i] = best;
    }
  return IR_OK;
}

/* x [N, C, S] normalized over each sample's group of C / G channels (mean and biased variance
 * over the group's channels and S positions, in double), then scaled and shifted per channel
 * (per_channel) or per group: InstanceNormalization is G = C, GroupNormalization any G. */
static void norm_groups(const float *px, float *py, int64_t N, int64_t C, int64_t G, int64_t S, const float *ps,
                        const float *pb, int per_channel, double eps, const float *eps_scale) {
  int64_t cg = C / G, len = cg * S;
  for (int64_t ng = 0; ng < N * G; ng++) {
    const float *xs = px + ng * len;
    double sum = 0, sq = 0;
    for (int64_t k = 0; k < len; k++) sum += xs[k];
    double mean = len ? sum / (double)len : 0;
    for (int64_t k = 0; k < len; k++) sq += (xs[k] - mean) * (xs[k] - mean);
    double inv = 1.0 / sqrt((len ? sq / (double)len : 0) + eps * (eps_scale ? eps_scale[ng % G] : 1.0f));
    for (int64_t ch = 0; ch < cg; ch++) {
      int64_t p = per_channel ? ng % G * cg + ch : ng % G;
      double gm = ps[p] * inv, o = pb[p];
      for (int64_t k = 0; k < S; k++) py[ng * len + ch * S + k] = (float)((xs[ch * S + k] - mean) * gm + o);
    }
  }
}

/* InstanceNormalization: per sample and channel, (x - mean) / sqrt(var + epsilon) * scale[c] +
 * B[c] over the spatial axes (biased variance). */
int ref_instance_norm(ref_call *c) {
  const ir_value *x = c->in[0], *sc = c->in[1], *b = c->in[2];
  if (x->type.dtype != IR_F32 || sc->type.dtype != IR_F32 || b->type.dtype != IR_F32)
    return CERR("InstanceNormalization: float32 input, scale and B expected"), IR_UNSUPPORTED;
  int64_t N = x->type.dims[0], C = x->type.dims[1], S = 1;
  for (int i = 2; i < x->type.rank; i++) S *= x->type.dims[i];
  if (ir_type_numel(&sc->type) != C || ir_type_numel(&b->type) != C)
    return CERR("InstanceNormalization: scale and B must hold the %lld channels", (long long)C);
  /* dlvta.eps_scale [C]: epsilon per channel times these (the compiler's, when it scaled the
   * channels of the input by a_c: a_c^2) */
  int ne;
  const float *es = ir_attr_floats(c->n, "dlvta.eps_scale", &ne);
  if (es && ne != C) return CERR("InstanceNormalization: dlvta.eps_scale has %d entries for %lld channels", ne, (long long)C);
  if (C > 0) norm_groups(x->data, c->out[0].data, N, C, C, S, sc->data, b->data, 1, ir_attr_float(c->n, "epsilon", 1e-5f), es);
  return IR_OK;
}

/* GroupNormalization: per sample and group of C / num_groups channels, (x - mean) /
 * sqrt(var + epsilon) over the group's channels and spatial axes (biased variance), then
 * scale and bias per channel (opset 21) or per group (opsets 18-20). */
int ref_group_norm(ref_call *c) {
  const ir_value *x = c->in[0], *sc = c->in[1], *b = c->in[2];
  if (x->type.dtype != IR_F32 || sc->type.dtype != IR_F32 || b->type.dtype != IR_F32)
    return CERR("GroupNormalization: float32 input, scale and bias expected"), IR_UNSUPPORTED;
  int64_t N = x->type.dims[0], C = x->type.dims[1], G = ir_attr_int(c->n, "num_groups", 1), S = 1;
  for (int i = 2; i < x->type.rank; i++) S *= x->type.dims[i];
  int per_channel = c->g->opset >= 21;
  if (G < 1 || C % G || ir_type_numel(&sc->type) != (per_channel ? C : G) || ir_type_numel(&b->type) != (per_channel ? C : G))
    return CERR("GroupNormalization: %lld channels, %lld groups and scale/bias of %lld entries do not fit", (long long)C,
                (long long)G, (long long)ir_type_numel(&sc->type));
  norm_groups(x->data, c->out[0].data, N, C, G, S, sc->data, b->data, per_channel, ir_attr_float(c->n, "epsilon", 1e-5f), NULL);
  return IR_OK;
}

/* RMSNormalization: x / sqrt(mean(x^2) + epsilon) over the axes from axis (default -1) on, times
 * scale broadcast to them. */
int ref_rms_norm(ref_call *c) {
  const ir_value *x = c->in[0], *sc = c->in[1];
  if (x->type.dtype != IR_F32 || sc->type.dtype != IR_F32)
    return CERR("RMSNormalization: float32 input and scale expected"), IR_UNSUPPORTED;
  int r = x->type.rank, ax = axis_of(c, -1, r);
  int64_t outer = 1, len = 1;
  for (int d = 0; d < r; d++) *(d < ax ? &outer : &len) *= x->type.dims[d];
  /* the scale's element for each of the len positions: its shape right-aligned to the axes */
  int64_t *sidx = malloc((size_t)(len ? len : 1) * sizeof *sidx), idx[IR_MAX_DIMS] = {0};
  if (!sidx) return CERR("out of memory");
  int sr = sc->type.rank;
  for (int64_t k = 0; k < len; k++) {
    int64_t off = 0;
    for (int d = 0; d < sr; d++) {
      int64_t e = sc->type.dims[d], i = idx[r - ax - sr + d];
      off = off * e + (e == 1 ? 0 : i);
    }
    sidx[k] = off;
    for (int d = r - ax - 1; d >= 0; d--) {
      if (++idx[d] < x->type.dims[ax + d]) break;
      idx[d] = 0;
    }
  }
  double eps = ir_attr_float(c->n, "epsilon", 1e-5f);
  const float *px = x->data, *ps = sc->data;
  float *py = c->out[0].data;
  for (int64_t o = 0; o < outer; o++) {
    const float *xs = px + o * len;
    double sq = 0;
    for (int64_t k = 0; k < len; k++) sq += (double)xs[k] * xs[k];
    double inv = 1.0 / sqrt((len ? sq / (double)len : 0) + eps);
    for (int64_t k = 0; k < len; k++) py[o * len + k] = (float)(xs[k] * inv * ps[sidx[k]]);
  }
  free(sidx);
  return IR_OK;
}

/* LpNormalization along axis (default -1), p 1 or 2: x / ||x||_p; a zero norm gives zeros (as
 * onnxruntime). */
int ref_lp_norm(ref_call *c) {
  const ir_value *x = c->in[0];
  if (x->type.dtype != IR_F32) return CERR("type %s not supported", ir_dtype_name(x->type.dtype)), IR_UNSUPPORTED;
  int ax = axis_of(c, -1, x->type.rank), p = (int)ir_attr_int(c->n, "p", 2);
  int64_t outer, len, inner;
  split_axis(&x->type, ax, &outer, &len, &inner);
  const float *px = x->data;
  float *py = c->out[0].data;
  for (int64_t o = 0; o < outer; o++)
    for (int64_t i = 0; i < inner; i++) {
      const float *xs = px + o * len * inner + i;
      float *ys = py + o * len * inner + i;
      double norm = 0;
      for (int64_t k = 0; k < len; k++) norm += p == 1 ? fabs((double)xs[k * inner]) : (double)xs[k * inner] * xs[k * inner];
      if (p == 2) norm = sqrt(norm);
      for (int64_t k = 0; k < len; k++) ys[k * inner] = norm > 0 ? (float)(xs[k * inner] / norm) : 0.0f;
    }
  return IR_OK;
}

/* LRN: y = x / (bias + alpha / size * sum of x^2 over channels c - floor((size - 1) / 2) to
 * c + ceil((size - 1) / 2), clipped to the channels there are)^beta. */
int ref_lrn(ref_call *c) {
  const ir_value *x = c->in[0];
  if (x->type.dtype != IR_F32) return CERR("LRN: float32 input expected"), IR_UNSUPPORTED;
  int64_t N = x->type.dims[0], C = x->type.dims[1], S = 1, size = ir_attr_int(c->n, "size", 1);
  for (int i = 2; i < x->type.rank; i++) S *= x->type.dims[i];
  double alpha = ir_attr_float(c->n, "alpha", 1e-4f), beta = ir_attr_float(c->n, "beta", 0.75f);
  double bias = ir_attr_float(c->n, "bias", 1.0f);
  int64_t lo = (size - 1) / 2, hi = size - 1 - lo;
  const float *px = x->data;
  float *py = c->out[0].data;
  for (int64_t n = 0; n < N; n++)
    for (int64_t ch = 0; ch < C; ch++)
      for (int64_t k = 0; k < S; k++) {
        double sq = 0;
        for (int64_t j = ch - lo < 0 ? 0 : ch - lo; j <= ch + hi && j < C; j++) {
          double v = px[(n * C + j) * S + k];
          sq += v * v;
        }
        int64_t o = (n * C + ch) * S + k;
        py[o] = (float)(px[o] / pow(bias + alpha / (double)size * sq, beta));
      }
  return IR_OK;
}
