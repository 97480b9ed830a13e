/* ref/ref_norm.c -- reference kernels of the ops that normalize or pick along an axis, as
 * classifier and style-transfer heads end: ArgMax / ArgMin, InstanceNormalization and
 * LpNormalization (LogSoftmax shares Softmax's kernel in ref.c). Float32 in, accumulation in
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
  double eps = ir_attr_float(c->n, "epsilon", 1e-5f);
  const float *px = x->data, *ps = sc->data, *pb = b->data;
  float *py = c->out[0].data;
  for (int64_t nc = 0; nc < N * C; nc++) {
    const float *xs = px + nc * S;
    double sum = 0, sq = 0;
    for (int64_t k = 0; k < S; k++) sum += xs[k];
    double mean = S ? sum / (double)S : 0;
    for (int64_t k = 0; k < S; k++) sq += (xs[k] - mean) * (xs[k] - mean);
    double inv = 1.0 / sqrt((S ? sq / (double)S : 0) + eps), g = ps[nc % C] * inv, o = pb[nc % C];
    for (int64_t k = 0; k < S; k++) py[nc * S + k] = (float)((xs[k] - mean) * g + o);
  }
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
