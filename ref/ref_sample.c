/* ref/ref_sample.c -- the reference executor's sampling kernels: GridSample (a spatial
 * transformer's or a flow warp's resampling, 1-D to 3-D, linear / nearest / cubic, the three
 * padding modes) and MaxUnpool (SegNet's decoder). Shapes come from ir_shape.c; see
 * ref_internal.h.
 *
 * GridSample follows onnxruntime: a grid value g in [-1, 1] denormalizes to the axis coordinate
 * (g + 1) / 2 * (L - 1) (align_corners) or ((g + 1) * L - 1) / 2; nearest rounds it half to even;
 * one outside [lo, hi] (0 .. L-1, or -0.5 .. L-0.5 without align_corners) is clamped to 0 .. L-1
 * (border, but for cubic) or reflected into [lo, hi] (reflection); then the taps (nearest 1, linear 2, cubic 4
 * per axis, cubic convolution with a = -0.75) read the input, a tap outside the axis reading 0
 * (zeros), the edge (border) or its reflection (reflection). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ref_internal.h"

#define CERR(...) ir_node_err(c->g, c->n, c->err, c->errlen, __VA_ARGS__)

static int64_t numel(const ir_value *v) { return ir_type_numel(&v->type); }

/* x reflected into [lo, hi] (onnxruntime's GsReflect). */
static double gs_reflect(double x, double lo, double hi) {
  double range = hi - lo;
  if (!(range > 0)) return lo;
  if (x < lo) {
    double dx = lo - x, n = floor(dx / range), r = dx - n * range;
    return fmod(n, 2) == 0 ? lo + r : hi - r;
  }
  if (x > hi) {
    double dx = x - hi, n = floor(dx / range), r = dx - n * range;
    return fmod(n, 2) == 0 ? hi - r : lo + r;
  }
  return x;
}

/* One spatial axis of a GridSample: its extent, the bounds of the coordinate, the modes. */
typedef struct gs_axis {
  int64_t len, stride; /* extent and element stride in X */
  double lo, hi;       /* the coordinate's range: 0 .. len-1, or -0.5 .. len-0.5 */
} gs_axis;

/* The input index tap c reads on axis a, or -1 for a zero (padding zeros, or a coordinate that
 * is not a finite number). */
static int64_t gs_index(const gs_axis *a, int pad, double cpos) {
  if (!isfinite(cpos)) return -1;
  int64_t i = (int64_t)cpos;
  if (pad == IR_GS_ZEROS) return i >= 0 && i < a->len ? i : -1;
  if (pad == IR_GS_REFLECTION) i = (int64_t)gs_reflect(cpos, a->lo, a->hi);
  return i < 0 ? 0 : i >= a->len ? a->len - 1 : i; /* border; a reflection's truncation kept inside */
}

/* Axis a's taps for coordinate cpos (denormalized): *nt offsets (element offsets in X, -1: a
 * zero) and weights. */
static void gs_taps(const gs_axis *a, int mode, int pad, double cpos, int64_t *off, double *w, int *nt) {
  if (mode == IR_GS_NEAREST) cpos = nearbyint(cpos);
  if (cpos < a->lo || cpos > a->hi) { /* cubic's border is its taps' alone */
    if (pad == IR_GS_BORDER && mode != IR_GS_CUBIC) cpos = cpos < 0 ? 0 : cpos > (double)(a->len - 1) ? (double)(a->len - 1) : cpos;
    else if (pad == IR_GS_REFLECTION) cpos = gs_reflect(cpos, a->lo, a->hi);
  }
  if (!isfinite(cpos) || fabs(cpos) > 1e15) cpos = NAN; /* no tap reads anything */
  double f = floor(cpos);
  if (mode == IR_GS_NEAREST) *nt = 1, off[0] = gs_index(a, pad, cpos), w[0] = 1;
  else if (mode == IR_GS_LINEAR) *nt = 2, off[0] = gs_index(a, pad, f), off[1] = gs_index(a, pad, f + 1), w[0] = f + 1 - cpos, w[1] = cpos - f;
  else {
    *nt = 4;
    ref_cubic_weights(cpos - f, -0.75, w);
    for (int k = 0; k < 4; k++) off[k] = gs_index(a, pad, f - 1 + k);
  }
  for (int k = 0; k < *nt; k++) off[k] = off[k] < 0 ? -1 : off[k] * a->stride;
}

/* GridSample over X [N, C, D1..Dk] at Grid [N, O1..Ok, k] ((x, y, z): x on the last axis). */
int ref_grid_sample(ref_call *c) {
  const ir_value *x = c->in[0], *gr = c->in[1];
  ir_value *y = &c->out[0];
  int mode, pad, k = x->type.rank - 2, align = ir_attr_int(c->n, "align_corners", 0) != 0;
  if (ir_grid_sample_parse(c->g, c->n, &mode, &pad, c->err, c->errlen)) return IR_ERR;
  int64_t N = x->type.dims[0], C = x->type.dims[1], sx[IR_MAX_DIMS], P = 1, plane = 1;
  ref_strides(&x->type, sx);
  gs_axis ax[3];
  for (int s = 0; s < k; s++) {
    ax[s] = (gs_axis){x->type.dims[2 + s], sx[2 + s], align ? 0 : -0.5, align ? (double)x->type.dims[2 + s] - 1 : (double)x->type.dims[2 + s] - 0.5};
    P *= y->type.dims[2 + s], plane *= x->type.dims[2 + s];
  }
  const float *gp = gr->data, *xs = x->data;
  float *ys = y->data;
  for (int64_t n = 0; n < N; n++)
    for (int64_t p = 0; p < P; p++) {
      int64_t off[3][4];
      double w[3][4];
      int nt[3], tap[3] = {0, 0, 0};
      for (int s = 0; s < k; s++) {
        double g = gp[(n * P + p) * k + (k - 1 - s)], L = (double)ax[s].len;
        double cpos = align ? (g + 1) / 2 * (L - 1) : ((g + 1) * L - 1) / 2;
        gs_taps(&ax[s], mode, pad, cpos, off[s], w[s], &nt[s]);
      }
      for (int64_t ch = 0; ch < C; ch++) {
        const float *xp = xs + (n * C + ch) * plane;
        double acc = 0;
        int s;
        do {
          double wt = 1;
          int64_t o = 0;
          for (s = 0; s < k && o >= 0; s++) o = off[s][tap[s]] < 0 ? -1 : o + off[s][tap[s]], wt *= w[s][tap[s]];
          if (o >= 0) acc += wt * xp[o];
          for (s = 0; s < k && ++tap[s] >= nt[s]; s++) tap[s] = 0;
        } while (s < k);
        ys[(n * C + ch) * P + p] = (float)acc;
      }
    }
  return IR_OK;
}

/* MaxUnpool: Y zero but for X's elements, each at its index I[i], a flattened index into the
 * whole output (of output_shape when given: MaxPool's Indices index its input, which torch's
 * max_unpool passes as output_shape), as onnxruntime does; an index outside the output is an
 * error naming the node. */
int ref_max_unpool(ref_call *c) {
  const ir_value *x = c->in[0], *ix = c->in[1];
  ir_value *y = &c->out[0];
  int64_t n = numel(x), ny = numel(y);
  if (numel(ix) != n) return CERR("I has %lld elements, X %lld", (long long)numel(ix), (long long)n);
  const float *xs = x->data;
  const int64_t *is = ix->data;
  float *ys = y->data;
  for (int64_t i = 0; i < n; i++) {
    if (is[i] < 0 || is[i] >= ny)
      return CERR("index I[%lld] = %lld outside the output's %lld elements", (long long)i, (long long)is[i], (long long)ny);
    ys[is[i]] = xs[i];
  }
  return IR_OK;
}
