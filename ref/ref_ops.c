/* ref/ref_ops.c -- the reference executor's kernels beyond the CNN core: unary float functions
 * (Tanh ... Gelu, dlvta.Silu), Pow, Min/Max, comparisons, Not, Where, the shape arithmetic that
 * exporters emit (Shape, Size, Gather, Slice, Split, Expand, Tile, Range), the reductions and
 * LayerNormalization. Geometry comes from the IR's helpers (ir.h), so that shape inference and
 * execution cannot disagree. See ref_internal.h. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ref_internal.h"

#define CERR(...) ir_node_err(c->g, c->n, c->err, c->errlen, __VA_ARGS__)

static int64_t numel(const ir_value *v) { return ir_type_numel(&v->type); }

/* ---- a broadcast walk: the output's elements in order, with each input's element offset ---- */

enum { BC_MAX = 3 }; /* most inputs of one walk (Where) */

typedef struct bc_iter {
  int r, k;                        /* output rank, number of inputs */
  int64_t dims[IR_MAX_DIMS];       /* output extents */
  int64_t idx[IR_MAX_DIMS];        /* current output index */
  int64_t st[BC_MAX][IR_MAX_DIMS]; /* input strides broadcast to the output (0 on broadcast axes) */
  int64_t off[BC_MAX];             /* current input offsets, elements */
} bc_iter;

static void bc_init(bc_iter *it, const ir_type *out, const ir_type *const *in, int k) {
  memset(it, 0, sizeof *it);
  it->r = out->rank;
  it->k = k;
  for (int d = 0; d < out->rank; d++) it->dims[d] = out->dims[d];
  for (int j = 0; j < k; j++) ref_bcast_strides(in[j], out, it->st[j]);
}

/* Step to the next output element (odometer, last axis fastest). */
static void bc_next(bc_iter *it) {
  for (int d = it->r - 1; d >= 0; d--) {
    for (int j = 0; j < it->k; j++) it->off[j] += it->st[j][d];
    if (++it->idx[d] < it->dims[d]) return;
    for (int j = 0; j < it->k; j++) it->off[j] -= it->st[j][d] * it->idx[d];
    it->idx[d] = 0;
  }
}

static int is_int(ir_dtype dt) { return dt == IR_U8 || dt == IR_I8 || dt == IR_I32 || dt == IR_I64 || dt == IR_BOOL; }

/* An integer element, exactly (int64 too). */
int64_t ref_load_int(ir_dtype dt, const void *d, int64_t i) {
  switch (dt) {
  case IR_U8: return ((const uint8_t *)d)[i];
  case IR_I8: return ((const int8_t *)d)[i];
  case IR_I32: return ((const int32_t *)d)[i];
  case IR_I64: return ((const int64_t *)d)[i];
  case IR_BOOL: return ((const uint8_t *)d)[i] != 0;
  default: return 0;
  }
}

/* Store an int64 into an integer dtype, wrapping as numpy casts. */
void ref_store_int(ir_dtype dt, void *d, int64_t i, int64_t x) {
  switch (dt) {
  case IR_U8: ((uint8_t *)d)[i] = (uint8_t)x; break;
  case IR_I8: ((int8_t *)d)[i] = (int8_t)x; break;
  case IR_I32: ((int32_t *)d)[i] = (int32_t)x; break;
  case IR_I64: ((int64_t *)d)[i] = x; break;
  case IR_BOOL: ((uint8_t *)d)[i] = x != 0; break;
  default: break;
  }
}

/* ---- unary functions ---- */

static float gelu(float x, int tanh_form) {
  if (tanh_form) return 0.5f * x * (1.0f + tanhf(0.7978845608f * (x + 0.044715f * x * x * x)));
  return 0.5f * x * (1.0f + erff(x * 0.70710678118654752f));
}

int ref_unary_math(ref_call *c) {
  const ir_value *x = c->in[0];
  ir_value *y = &c->out[0];
  int64_t n = numel(x);
  ir_op op = c->n->op;
  if (x->type.dtype != IR_F32) {
    if ((op != IR_OP_Neg && op != IR_OP_Abs && op != IR_OP_Sign) || !is_int(x->type.dtype) || x->type.dtype == IR_BOOL)
      return CERR("type %s not supported", ir_dtype_name(x->type.dtype)), IR_UNSUPPORTED;
    for (int64_t i = 0; i < n; i++) {
      int64_t v = ref_load_int(x->type.dtype, x->data, i), neg = (int64_t)(0 - (uint64_t)v);
      ref_store_int(x->type.dtype, y->data, i, op == IR_OP_Neg ? neg : op == IR_OP_Abs ? (v < 0 ? neg : v) : (v > 0) - (v < 0));
    }
    return IR_OK;
  }
  const float *px = x->data;
  float *py = y->data;
  float alpha = ir_attr_float(c->n, "alpha", op == IR_OP_HardSigmoid ? 0.2f : op == IR_OP_LeakyRelu ? 0.01f
                                             : op == IR_OP_Selu ? 1.67326319217681884765625f : 1.0f);
  float gamma = ir_attr_float(c->n, "gamma", 1.05070102214813232421875f); /* Selu */
  float beta = ir_attr_float(c->n, "beta", 0.5f);
  float lambd = ir_attr_float(c->n, "lambd", 0.5f), bias = ir_attr_float(c->n, "bias", 0.0f); /* Shrink */
  int tanh_form = op == IR_OP_Gelu && !strcmp(ir_attr_string(c->n, "approximate", "none"), "tanh");
  /* one loop per function (the switch outside, so that each loop vectorizes) */
#define EACH(expr)                                 \
  for (int64_t i = 0; i < n; i++) {                \
    float v = px[i];                               \
    py[i] = (expr);                                \
  }                                                \
  break
  switch (op) {
  case IR_OP_Tanh: EACH(tanhf(v));
  case IR_OP_Erf: EACH(erff(v));
  case IR_OP_Exp: EACH(expf(v));
  case IR_OP_Log: EACH(logf(v));
  case IR_OP_Sqrt: EACH(sqrtf(v));
  case IR_OP_Reciprocal: EACH(1.0f / v);
  case IR_OP_Neg: EACH(-v);
  case IR_OP_Abs: EACH(fabsf(v));
  case IR_OP_Floor: EACH(floorf(v));
  case IR_OP_Ceil: EACH(ceilf(v));
  case IR_OP_Round: EACH(nearbyintf(v));
  case IR_OP_Sign: EACH(v > 0 ? 1.0f : v < 0 ? -1.0f : v);
  case IR_OP_HardSigmoid: EACH(fmaxf(0.0f, fminf(1.0f, alpha * v + beta)));
  case IR_OP_HardSwish: EACH(v * fmaxf(0.0f, fminf(1.0f, v * (1.0f / 6.0f) + 0.5f)));
  case IR_OP_LeakyRelu: EACH(v < 0 ? alpha * v : v);
  case IR_OP_Elu: EACH(v < 0 ? alpha * (expf(v) - 1.0f) : v);
  case IR_OP_Softplus: EACH(v > 0 ? v + log1pf(expf(-v)) : log1pf(expf(v)));
  case IR_OP_Gelu: EACH(gelu(v, tanh_form));
  case IR_OP_Silu: EACH(v / (1.0f + expf(-v)));
  case IR_OP_Selu: EACH(v > 0 ? gamma * v : gamma * (alpha * expf(v) - alpha));
  case IR_OP_Celu: EACH(fmaxf(0.0f, v) + fminf(0.0f, alpha * (expf(v / alpha) - 1.0f)));
  case IR_OP_ThresholdedRelu: EACH(v > alpha ? v : 0.0f);
  case IR_OP_Softsign: EACH(v / (1.0f + fabsf(v)));
  case IR_OP_Mish: EACH(v * tanhf(v > 0 ? v + log1pf(expf(-v)) : log1pf(expf(v))));
  case IR_OP_Swish: EACH(v / (1.0f + expf(-alpha * v)));
  case IR_OP_Sin: EACH(sinf(v));
  case IR_OP_Cos: EACH(cosf(v));
  case IR_OP_Tan: EACH(tanf(v));
  case IR_OP_Asin: EACH(asinf(v));
  case IR_OP_Acos: EACH(acosf(v));
  case IR_OP_Atan: EACH(atanf(v));
  case IR_OP_Sinh: EACH(sinhf(v));
  case IR_OP_Cosh: EACH(coshf(v));
  case IR_OP_Asinh: EACH(asinhf(v));
  case IR_OP_Acosh: EACH(acoshf(v));
  case IR_OP_Atanh: EACH(atanhf(v));
  case IR_OP_Shrink: EACH(v < -lambd ? v + bias : v > lambd ? v - bias : 0.0f);
  default: return CERR("not a unary function"), IR_UNSUPPORTED;
  }
#undef EACH
  return IR_OK;
}

/* ---- elementwise with broadcasting ---- */

/* Pow (f32 or integer base, any numeric exponent), PRelu (f32); Min/Max/Sum/Mean (n-ary, one
 * numeric dtype; Min/Max: NaN wins): the output starts as input 0 broadcast and takes each
 * further input in turn. */
int ref_pow_minmax(ref_call *c) {
  ir_value *y = &c->out[0];
  ir_dtype dt = y->type.dtype;
  if (dt == IR_BOOL || !ir_dtype_size(dt)) return CERR("type %s not supported", ir_dtype_name(dt)), IR_UNSUPPORTED;
  int64_t total = numel(y);
  bc_iter it;
  if (c->n->op == IR_OP_PRelu) {
    if (dt != IR_F32) return CERR("type %s not supported", ir_dtype_name(dt)), IR_UNSUPPORTED;
    ir_type st = c->in[1]->type; /* a legacy per-channel slope as [C, 1, ...] */
    if (ir_prelu_channel_slope(&c->in[0]->type, &st))
      for (st.rank = 1; st.rank < c->in[0]->type.rank - 1; st.rank++) st.dims[st.rank] = 1;
    const ir_type *ti[2] = {&c->in[0]->type, &st};
    bc_init(&it, &y->type, ti, 2);
    const float *px = c->in[0]->data, *ps = c->in[1]->data;
    for (int64_t o = 0; o < total; o++, bc_next(&it)) {
      float v = px[it.off[0]];
      ((float *)y->data)[o] = v < 0 ? v * ps[it.off[1]] : v;
    }
    return IR_OK;
  }
  if (c->n->op == IR_OP_Pow) {
    const ir_type *ti[2] = {&c->in[0]->type, &c->in[1]->type};
    bc_init(&it, &y->type, ti, 2);
    for (int64_t o = 0; o < total; o++, bc_next(&it)) {
      double b = ir_get_elem(dt, c->in[0]->data, it.off[0]);
      double e = ir_get_elem(c->in[1]->type.dtype, c->in[1]->data, it.off[1]);
      if (dt == IR_F32) ((float *)y->data)[o] = powf((float)b, (float)e);
      else ref_store_int(dt, y->data, o, (int64_t)pow(b, e));
    }
    return IR_OK;
  }
  int mx = c->n->op == IR_OP_Max, sum = c->n->op == IR_OP_Sum || c->n->op == IR_OP_Mean;
  size_t es = ir_dtype_size(dt);
  const ir_type *t0[1] = {&c->in[0]->type};
  bc_init(&it, &y->type, t0, 1);
  for (int64_t o = 0; o < total; o++, bc_next(&it))
    memcpy((char *)y->data + o * (int64_t)es, (const char *)c->in[0]->data + it.off[0] * (int64_t)es, es);
  for (int j = 1; j < c->n->n_in; j++) {
    const ir_type *tj[1] = {&c->in[j]->type};
    bc_init(&it, &y->type, tj, 1);
    for (int64_t o = 0; o < total; o++, bc_next(&it)) {
      if (dt == IR_F32) {
        float r = ((float *)y->data)[o], v = ((const float *)c->in[j]->data)[it.off[0]];
        if (sum) ((float *)y->data)[o] = r + v;
        else if (isnan(v) || (mx ? v > r : v < r)) ((float *)y->data)[o] = v;
      } else {
        int64_t r = ref_load_int(dt, y->data, o), v = ref_load_int(dt, c->in[j]->data, it.off[0]);
        if (sum) ref_store_int(dt, y->data, o, (int64_t)((uint64_t)r + (uint64_t)v));
        else if (mx ? v > r : v < r) ref_store_int(dt, y->data, o, v);
      }
    }
  }
  if (c->n->op == IR_OP_Mean) {
    for (int64_t o = 0; o < total; o++) {
      if (dt == IR_F32) ((float *)y->data)[o] /= (float)c->n->n_in;
      else ref_store_int(dt, y->data, o, ref_load_int(dt, y->data, o) / c->n->n_in);
    }
  }
  return IR_OK;
}

/* Equal, Less, Greater, GreaterOrEqual, LessOrEqual -> bool (integers compared exactly);
 * And, Or, Xor, Not on bools. */
static int cmp(ir_op op, int lt, int eq, int gt) {
  switch (op) {
  case IR_OP_Equal: return eq;
  case IR_OP_Less: return lt;
  case IR_OP_Greater: return gt;
  case IR_OP_GreaterOrEqual: return gt || eq;
  case IR_OP_LessOrEqual: return lt || eq;
  default: return 0;
  }
}

int ref_compare(ref_call *c) {
  ir_value *y = &c->out[0];
  ir_op op = c->n->op;
  uint8_t *py = y->data;
  if (op == IR_OP_Not) {
    for (int64_t i = 0; i < numel(y); i++) py[i] = !((const uint8_t *)c->in[0]->data)[i];
    return IR_OK;
  }
  ir_dtype dt = c->in[0]->type.dtype;
  if (!ir_dtype_size(dt)) return CERR("type %s not supported", ir_dtype_name(dt)), IR_UNSUPPORTED;
  const ir_type *ti[2] = {&c->in[0]->type, &c->in[1]->type};
  bc_iter it;
  bc_init(&it, &y->type, ti, 2);
  int64_t total = numel(y);
  for (int64_t o = 0; o < total; o++, bc_next(&it)) {
    int r;
    if (op == IR_OP_And || op == IR_OP_Or || op == IR_OP_Xor) {
      int a = ((const uint8_t *)c->in[0]->data)[it.off[0]] != 0, b = ((const uint8_t *)c->in[1]->data)[it.off[1]] != 0;
      r = op == IR_OP_And ? a && b : op == IR_OP_Or ? a || b : a != b;
    } else if (is_int(dt)) {
      int64_t a = ref_load_int(dt, c->in[0]->data, it.off[0]), b = ref_load_int(dt, c->in[1]->data, it.off[1]);
      r = cmp(op, a < b, a == b, a > b);
    } else {
      float a = ((const float *)c->in[0]->data)[it.off[0]], b = ((const float *)c->in[1]->data)[it.off[1]];
      r = cmp(op, a < b, a == b, a > b);
    }
    py[o] = (uint8_t)r;
  }
  return IR_OK;
}

/* Where(C, X, Y), any value dtype; Expand(X, shape): X broadcast. */
int ref_where_expand(ref_call *c) {
  ir_value *y = &c->out[0];
  size_t es = ir_dtype_size(y->type.dtype);
  int where = c->n->op == IR_OP_Where;
  const ir_type *ti[3];
  if (where)
    for (int j = 0; j < 3; j++) ti[j] = &c->in[j]->type;
  else
    ti[0] = &c->in[0]->type;
  bc_iter it;
  bc_init(&it, &y->type, ti, where ? 3 : 1);
  int64_t total = numel(y);
  char *py = y->data;
  for (int64_t o = 0; o < total; o++, bc_next(&it)) {
    if (!where) {
      memcpy(py + o * (int64_t)es, (const char *)c->in[0]->data + it.off[0] * (int64_t)es, es);
      continue;
    }
    int pick = ((const uint8_t *)c->in[0]->data)[it.off[0]] ? 1 : 2;
    memcpy(py + o * (int64_t)es, (const char *)c->in[pick]->data + it.off[pick] * (int64_t)es, es);
  }
  return IR_OK;
}

/* ---- shape arithmetic ---- */

/* Shape (extents start..end), Size (element count). */
int ref_shape_size(ref_call *c) {
  const ir_type *t = &c->in[0]->type;
  int64_t *py = c->out[0].data;
  if (c->n->op == IR_OP_Size) {
    py[0] = ir_type_numel(t);
    return IR_OK;
  }
  int64_t b, e;
  ir_shape_range(c->n, t->rank, &b, &e);
  for (int64_t i = b; i < e; i++) py[i - b] = t->dims[i];
  return IR_OK;
}

/* Gather along axis with int32/int64 indices (negative counts from the end). */
int ref_gather(ref_call *c) {
  const ir_value *x = c->in[0], *ix = c->in[1];
  ir_value *y = &c->out[0];
  int r = x->type.rank;
  int64_t ax = ir_attr_int(c->n, "axis", 0);
  if (ax < 0) ax += r;
  size_t es = ir_dtype_size(x->type.dtype);
  int64_t outer = 1, inner = 1, D = x->type.dims[ax], ni = numel(ix);
  for (int i = 0; i < ax; i++) outer *= x->type.dims[i];
  for (int i = (int)ax + 1; i < r; i++) inner *= x->type.dims[i];
  size_t chunk = (size_t)inner * es;
  char *py = y->data;
  for (int64_t o = 0; o < outer; o++)
    for (int64_t j = 0; j < ni; j++) {
      int64_t k = ref_load_int(ix->type.dtype, ix->data, j);
      if (k < 0) k += D;
      if (k < 0 || k >= D) return CERR("index %lld out of range", (long long)ref_load_int(ix->type.dtype, ix->data, j));
      if (chunk) memcpy(py + (o * ni + j) * (int64_t)chunk, (const char *)x->data + (o * D + k) * (int64_t)chunk, chunk);
    }
  return IR_OK;
}

/* ScatterND: Data copied, then each index tuple of Indices (negative ones count from the end)
 * selects a slice of Data that its Updates slice replaces (reduction "none") or is combined into
 * (add, mul, max, min), in Indices' order. */
int ref_scatter_nd(ref_call *c) {
  const ir_value *x = c->in[0], *ix = c->in[1], *u = c->in[2];
  ir_value *y = &c->out[0];
  const char *red = ir_attr_string(c->n, "reduction", "none");
  int rk = !strcmp(red, "none") ? 0 : !strcmp(red, "add") ? 1 : !strcmp(red, "mul") ? 2 : !strcmp(red, "max") ? 3 : !strcmp(red, "min") ? 4 : -1;
  if (rk < 0) return CERR("reduction '%s' not supported", red), IR_UNSUPPORTED;
  ir_dtype dt = x->type.dtype;
  if (rk && dt != IR_F32) return CERR("reduction '%s' on %s not supported (float only)", red, ir_dtype_name(dt)), IR_UNSUPPORTED;
  size_t es = ir_dtype_size(dt);
  int r = x->type.rank, k = (int)ix->type.dims[ix->type.rank - 1];
  int64_t sx[IR_MAX_DIMS], inner = 1, nt = k ? numel(ix) / k : 0;
  ref_strides(&x->type, sx);
  for (int d = k; d < r; d++) inner *= x->type.dims[d];
  if (numel(y)) memcpy(y->data, x->data, (size_t)numel(y) * es);
  for (int64_t t = 0; t < nt; t++) {
    int64_t off = 0;
    for (int d = 0; d < k; d++) {
      int64_t v = ref_load_int(IR_I64, ix->data, t * k + d), D = x->type.dims[d];
      if (v < 0) v += D;
      if (v < 0 || v >= D) return CERR("index %lld out of range on axis %d (extent %lld)", (long long)ref_load_int(IR_I64, ix->data, t * k + d), d, (long long)D);
      off += v * sx[d];
    }
    if (!rk) {
      memcpy((char *)y->data + off * (int64_t)es, (const char *)u->data + t * inner * (int64_t)es, (size_t)inner * es);
      continue;
    }
    float *py = (float *)y->data + off;
    const float *pu = (const float *)u->data + t * inner;
    for (int64_t j = 0; j < inner; j++)
      py[j] = rk == 1 ? py[j] + pu[j] : rk == 2 ? py[j] * pu[j] : rk == 3 ? fmaxf(py[j], pu[j]) : fminf(py[j], pu[j]);
  }
  return IR_OK;
}

/* Slice: a strided copy with the geometry of ir_slice_geometry. */
int ref_slice(ref_call *c) {
  const ir_value *x = c->in[0];
  ir_value *y = &c->out[0];
  const ir_type *ti[5] = {0};
  const void *di[5] = {0};
  ir_value_operands(c->n, c->in, 5, ti, di);
  int64_t start[IR_MAX_DIMS], step[IR_MAX_DIMS], len[IR_MAX_DIMS], sx[IR_MAX_DIMS], idx[IR_MAX_DIMS] = {0};
  int rc = ir_slice_geometry(c->g, c->n, ti, di, start, step, len, c->err, c->errlen);
  if (rc) return rc;
  int r = x->type.rank;
  ref_strides(&x->type, sx);
  size_t es = ir_dtype_size(x->type.dtype);
  int64_t total = numel(y);
  int64_t off = 0;
  for (int d = 0; d < r; d++) off += start[d] * sx[d];
  char *py = y->data;
  /* a last axis of step 1 (a ViT's Q/K/V split of the features): its runs of len[r-1] elements
   * are contiguous in x and in y, one memcpy each; the walk then moves on by rows */
  int64_t run = r > 0 && step[r - 1] == 1 ? len[r - 1] : 1;
  int lead = run > 1 ? r - 1 : r; /* the axes the walk steps through */
  for (int64_t o = 0; o < total; o += run) {
    memcpy(py + o * (int64_t)es, (const char *)x->data + off * (int64_t)es, (size_t)run * es);
    for (int d = lead - 1; d >= 0; d--) {
      off += step[d] * sx[d];
      if (++idx[d] < len[d]) break;
      off -= step[d] * sx[d] * idx[d];
      idx[d] = 0;
    }
  }
  return IR_OK;
}

/* Split along axis into the outputs' extents. */
int ref_split(ref_call *c) {
  const ir_value *x = c->in[0];
  int r = x->type.rank;
  int64_t ax = ir_attr_int(c->n, "axis", 0);
  if (ax < 0) ax += r;
  size_t es = ir_dtype_size(x->type.dtype);
  int64_t outer = 1, inner = 1;
  for (int i = 0; i < ax; i++) outer *= x->type.dims[i];
  for (int i = (int)ax + 1; i < r; i++) inner *= x->type.dims[i];
  int64_t row = x->type.dims[ax] * inner * (int64_t)es, pos = 0;
  for (int k = 0; k < c->n->n_out; k++) {
    ir_value *y = &c->out[k];
    int64_t chunk = y->type.dims[ax] * inner * (int64_t)es;
    for (int64_t o = 0; o < outer; o++)
      if (chunk) memcpy((char *)y->data + o * chunk, (const char *)x->data + o * row + pos, (size_t)chunk);
    pos += chunk;
  }
  return IR_OK;
}

/* Tile: output index i reads input index i mod extent on every axis. */
int ref_tile(ref_call *c) {
  const ir_value *x = c->in[0];
  ir_value *y = &c->out[0];
  int r = x->type.rank;
  size_t es = ir_dtype_size(x->type.dtype);
  int64_t sx[IR_MAX_DIMS], idx[IR_MAX_DIMS] = {0}, total = numel(y);
  ref_strides(&x->type, sx);
  for (int64_t o = 0; o < total; o++) {
    int64_t off = 0;
    for (int d = 0; d < r; d++) off += (idx[d] % x->type.dims[d]) * sx[d];
    memcpy((char *)y->data + o * (int64_t)es, (const char *)x->data + off * (int64_t)es, es);
    for (int d = r - 1; d >= 0; d--) {
      if (++idx[d] < y->type.dims[d]) break;
      idx[d] = 0;
    }
  }
  return IR_OK;
}

void ref_cubic_weights(double t, double a, double *w) {
  double d[4] = {t + 1, t, 1 - t, 2 - t}; /* distances to the taps */
  for (int k = 0; k < 4; k++)
    w[k] = d[k] <= 1 ? ((a + 2) * d[k] - (a + 3)) * d[k] * d[k] + 1 : ((a * d[k] - 5 * a) * d[k] + 8 * a) * d[k] - 4 * a;
}

/* The taps of a cubic Resize's output index o on an axis of in_len (ONNX's cubic convolution,
 * coefficient a = cubic_coeff_a): the four inputs around the coordinate, clamped to the axis (the
 * edge repeated), their weights; with exclude_outside those beyond the axis weigh 0 and the rest
 * are scaled to sum to 1. -1 for a coordinate mode the IR does not know. */
static int resize_cubic_taps(const ir_node *n, int64_t o, int64_t in_len, int64_t out_len, double scale,
                             int64_t *src, double *w) {
  double x = ir_resize_coord(n, o, in_len, out_len, scale), a = ir_attr_float(n, "cubic_coeff_a", -0.75f);
  if (isnan(x) || in_len < 1) return -1;
  double f = floor(x), sum = 0;
  ref_cubic_weights(x - f, a, w);
  for (int k = 0; k < 4; k++) {
    int64_t i = (int64_t)f - 1 + k;
    if (ir_attr_int(n, "exclude_outside", 0) && (i < 0 || i >= in_len)) w[k] = 0;
    src[k] = i < 0 ? 0 : i >= in_len ? in_len - 1 : i;
    sum += w[k];
  }
  if (ir_attr_int(n, "exclude_outside", 0) && sum != 0)
    for (int k = 0; k < 4; k++) w[k] /= sum;
  return 0;
}

/* Resize, modes "linear" and "cubic" on float32: per axis and output index its taps (source
 * offset and weight: linear the two of ir_resize_linear_src, cubic the four of
 * resize_cubic_taps), those of weight 0 dropped; each output element sums, in double, the
 * products of one tap per axis (weights multiplied in axis order, axis 0's taps the innermost
 * loop). */
#define RESIZE_TAPS 4
static int resize_filter(ref_call *c, const double *scale, int cubic) {
  const ir_value *x = c->in[0];
  ir_value *y = &c->out[0];
  if (x->type.dtype != IR_F32)
    return CERR("mode '%s' on %s input not supported (float only)", cubic ? "cubic" : "linear",
                ir_dtype_name(x->type.dtype)), IR_UNSUPPORTED;
  int r = x->type.rank;
  int64_t sx[IR_MAX_DIMS], idx[IR_MAX_DIMS] = {0}, total = numel(y), cnt = 0;
  for (int d = 0; d < r; d++) cnt += y->type.dims[d];
  int64_t *off = malloc(((size_t)cnt + 1) * RESIZE_TAPS * sizeof *off), *to[IR_MAX_DIMS];
  double *wt = malloc(((size_t)cnt + 1) * RESIZE_TAPS * sizeof *wt), *tw[IR_MAX_DIMS];
  uint8_t *nt = malloc((size_t)cnt + 1), *tn[IR_MAX_DIMS];
  if (!off || !wt || !nt) return free(off), free(wt), free(nt), CERR("out of memory");
  ref_strides(&x->type, sx);
  for (int d = 0, o = 0; d < r; o += (int)y->type.dims[d], d++) {
    to[d] = off + (size_t)o * RESIZE_TAPS, tw[d] = wt + (size_t)o * RESIZE_TAPS, tn[d] = nt + o;
    for (int64_t i = 0; i < y->type.dims[d]; i++) {
      int64_t src[RESIZE_TAPS];
      double w[RESIZE_TAPS];
      int k = 0, bad = cubic ? resize_cubic_taps(c->n, i, x->type.dims[d], y->type.dims[d], scale[d], src, w)
                             : ir_resize_linear_src(c->n, i, x->type.dims[d], y->type.dims[d], scale[d], src, &w[1]);
      if (bad)
        return free(off), free(wt), free(nt), CERR("coordinate_transformation_mode '%s' not supported",
                                                   ir_attr_string(c->n, "coordinate_transformation_mode", "half_pixel")),
               IR_UNSUPPORTED;
      if (!cubic) src[1] = src[0] + 1, w[0] = 1 - w[1];
      for (int q = 0; q < (cubic ? 4 : 2); q++)
        if (w[q] != 0) to[d][i * RESIZE_TAPS + k] = src[q] * sx[d], tw[d][i * RESIZE_TAPS + k++] = w[q];
      tn[d][i] = (uint8_t)k;
    }
  }
  const float *xs = x->data;
  float *ys = y->data;
  for (int64_t o = 0; o < total; o++) {
    double acc = 0;
    int tap[IR_MAX_DIMS] = {0}, d;
    do {
      double w = 1;
      int64_t p = 0;
      for (d = 0; d < r; d++) {
        int64_t q = idx[d] * RESIZE_TAPS + tap[d];
        p += to[d][q], w *= tw[d][q];
      }
      acc += w * xs[p];
      for (d = 0; d < r && ++tap[d] >= tn[d][idx[d]]; d++) tap[d] = 0;
    } while (d < r);
    ys[o] = (float)acc;
    for (d = r - 1; d >= 0; d--) {
      if (++idx[d] < y->type.dims[d]) break;
      idx[d] = 0;
    }
  }
  free(off), free(wt), free(nt);
  return IR_OK;
}

/* Resize: mode "nearest" (any dtype): each output element copies the input element at the
 * source indices of ir_resize_nearest_src, per axis from a table; "linear" and "cubic":
 * resize_filter. */
int ref_resize(ref_call *c) {
  const ir_value *x = c->in[0];
  ir_value *y = &c->out[0];
  const char *mode = ir_attr_string(c->n, "mode", "nearest");
  if (strcmp(mode, "nearest") && strcmp(mode, "linear") && strcmp(mode, "cubic"))
    return CERR("mode '%s' not supported (nearest, linear and cubic)", mode), IR_UNSUPPORTED;
  if (!ir_resize_modes_ok(c->n))
    return CERR("coordinate_transformation_mode '%s' / nearest_mode '%s' not supported",
                ir_attr_string(c->n, "coordinate_transformation_mode", "half_pixel"),
                ir_attr_string(c->n, "nearest_mode", "round_prefer_floor")),
           IR_UNSUPPORTED;
  const ir_type *ti[4] = {0};
  const void *di[4] = {0};
  ir_value_operands(c->n, c->in, 4, ti, di);
  int64_t len[IR_MAX_DIMS], sx[IR_MAX_DIMS], idx[IR_MAX_DIMS] = {0}, total = numel(y), cnt = 0;
  double scale[IR_MAX_DIMS];
  int r = x->type.rank, rc = ir_resize_geometry(c->g, c->n, ti, di, len, scale, c->err, c->errlen);
  if (rc) return rc;
  if (strcmp(mode, "nearest")) return resize_filter(c, scale, !strcmp(mode, "cubic"));
  for (int d = 0; d < r; d++) cnt += y->type.dims[d];
  int64_t *src = malloc(((size_t)cnt + 1) * sizeof *src), *tab[IR_MAX_DIMS];
  if (!src) return CERR("out of memory");
  ref_strides(&x->type, sx);
  for (int d = 0, o = 0; d < r; o += (int)y->type.dims[d], d++) {
    tab[d] = src + o;
    for (int64_t i = 0; i < y->type.dims[d]; i++)
      tab[d][i] = ir_resize_nearest_src(c->n, i, x->type.dims[d], y->type.dims[d], scale[d]) * sx[d];
  }
  size_t es = ir_dtype_size(x->type.dtype);
  for (int64_t o = 0; o < total; o++) {
    int64_t off = 0;
    for (int d = 0; d < r; d++) off += tab[d][idx[d]];
    memcpy((char *)y->data + o * (int64_t)es, (const char *)x->data + off * (int64_t)es, es);
    for (int d = r - 1; d >= 0; d--) {
      if (++idx[d] < y->type.dims[d]) break;
      idx[d] = 0;
    }
  }
  free(src);
  return IR_OK;
}

/* Range: start + i * delta. */
int ref_range(ref_call *c) {
  ir_value *y = &c->out[0];
  ir_dtype dt = y->type.dtype;
  if (dt == IR_BOOL) return CERR("bool range"), IR_UNSUPPORTED;
  int64_t n = numel(y);
  if (is_int(dt)) {
    int64_t s = ref_load_int(dt, c->in[0]->data, 0), d = ref_load_int(dt, c->in[2]->data, 0);
    for (int64_t i = 0; i < n; i++) ref_store_int(dt, y->data, i, s + i * d);
  } else {
    float s = ((const float *)c->in[0]->data)[0], d = ((const float *)c->in[2]->data)[0];
    for (int64_t i = 0; i < n; i++) ((float *)y->data)[i] = s + (float)i * d;
  }
  return IR_OK;
}

/* ---- reductions and normalization ---- */

/* Per output element of ref_reduce (x's strides into the output so, 0 on the reduced axes): the
 * largest input, LogSumExp's shift (0 where it is not finite). malloc'ed, or NULL. */
static double *reduce_max(const ir_value *x, const int64_t *so, int64_t ny) {
  double *m = malloc((size_t)(ny ? ny : 1) * sizeof *m);
  if (!m) return NULL;
  for (int64_t i = 0; i < ny; i++) m[i] = -INFINITY;
  int r = x->type.rank;
  int64_t idx[IR_MAX_DIMS] = {0}, off = 0, nx = numel(x);
  for (int64_t i = 0; i < nx; i++) {
    m[off] = fmax(m[off], ir_get_elem(x->type.dtype, x->data, i));
    for (int d = r - 1; d >= 0; d--) {
      off += so[d];
      if (++idx[d] < x->type.dims[d]) break;
      off -= so[d] * idx[d];
      idx[d] = 0;
    }
  }
  for (int64_t i = 0; i < ny; i++) m[i] = isfinite(m[i]) ? m[i] : 0;
  return m;
}

/* ReduceMean/Sum/Max/Min/L1/L2/SumSquare/LogSumExp/Prod over the axes of ir_reduce_axes,
 * accumulated in double (LogSumExp: log of the sum of exp(x - the largest x), plus it). */
int ref_reduce(ref_call *c) {
  const ir_value *x = c->in[0];
  ir_value *y = &c->out[0];
  ir_dtype dt = x->type.dtype;
  if (dt == IR_BOOL || !ir_dtype_size(dt)) return CERR("type %s not supported", ir_dtype_name(dt)), IR_UNSUPPORTED;
  const ir_type *ti[2] = {&x->type, c->n->n_in > 1 && c->in[1] ? &c->in[1]->type : NULL};
  const void *di[2] = {x->data, c->n->n_in > 1 && c->in[1] ? c->in[1]->data : NULL};
  char mark[IR_MAX_DIMS];
  int r = x->type.rank;
  int rc = ir_reduce_axes(c->g, c->n, ti, di, r, mark, c->err, c->errlen);
  if (rc) return rc;
  /* strides of the output (keepdims layout) with 0 on reduced axes */
  int64_t so[IR_MAX_DIMS], s = 1, cnt = 1;
  for (int d = r - 1; d >= 0; d--) {
    so[d] = mark[d] ? 0 : s;
    if (!mark[d]) s *= x->type.dims[d];
    else cnt *= x->type.dims[d];
  }
  int64_t ny = numel(y), nx = numel(x);
  double *acc = malloc((size_t)(ny ? ny : 1) * sizeof *acc);
  if (!acc) return CERR("out of memory");
  ir_op op = c->n->op;
  double init = op == IR_OP_ReduceMax ? -INFINITY : op == IR_OP_ReduceMin ? INFINITY : op == IR_OP_ReduceProd ? 1 : 0;
  for (int64_t i = 0; i < ny; i++) acc[i] = init;
  double *mx = op == IR_OP_ReduceLogSumExp ? reduce_max(x, so, ny) : NULL;
  if (op == IR_OP_ReduceLogSumExp && !mx) return free(acc), CERR("out of memory");
  int64_t idx[IR_MAX_DIMS] = {0}, off = 0;
  for (int64_t i = 0; i < nx; i++) {
    double v = ir_get_elem(dt, x->data, i);
    switch (op) {
    case IR_OP_ReduceMax: acc[off] = v > acc[off] || isnan(v) ? v : acc[off]; break;
    case IR_OP_ReduceMin: acc[off] = v < acc[off] || isnan(v) ? v : acc[off]; break;
    case IR_OP_ReduceL1: acc[off] += fabs(v); break;
    case IR_OP_ReduceL2:
    case IR_OP_ReduceSumSquare: acc[off] += v * v; break;
    case IR_OP_ReduceLogSumExp: acc[off] += exp(v - mx[off]); break;
    case IR_OP_ReduceProd: acc[off] *= v; break;
    default: acc[off] += v; break;
    }
    for (int d = r - 1; d >= 0; d--) {
      off += so[d];
      if (++idx[d] < x->type.dims[d]) break;
      off -= so[d] * idx[d];
      idx[d] = 0;
    }
  }
  for (int64_t i = 0; i < ny; i++) {
    double v = op == IR_OP_ReduceMean ? acc[i] / (double)cnt : op == IR_OP_ReduceL2 ? sqrt(acc[i])
               : op == IR_OP_ReduceLogSumExp ? mx[i] + log(acc[i]) : op == IR_OP_ReduceLogSum ? log(acc[i]) : acc[i];
    if (is_int(dt) && op == IR_OP_ReduceMean) v = trunc(v);
    ir_set_elem(dt, y->data, i, v);
  }
  free(acc), free(mx);
  return IR_OK;
}

/* Scale or B of LayerNormalization expanded to the inner (normalized) shape, or NULL if absent. */
static float *ln_param(ref_call *c, int k, const ir_type *inner_t, int64_t inner) {
  if (c->n->n_in <= k || !c->in[k]) return NULL;
  float *p = malloc((size_t)inner * sizeof *p);
  if (!p) return NULL;
  const ir_type *ti[1] = {&c->in[k]->type};
  bc_iter it;
  bc_init(&it, inner_t, ti, 1);
  for (int64_t i = 0; i < inner; i++, bc_next(&it)) p[i] = ((const float *)c->in[k]->data)[it.off[0]];
  return p;
}

/* The mean m[r] and 1 / sqrt(variance + eps) inv[r] of nr (<= REF_ROWS) contiguous rows of
 * inner floats: the sum, then the sum of squared deviations (ref_row_sums: in double, in element
 * order, the rows side by side). */
static void ln_stats(const float *px, int nr, int64_t inner, float eps, double *m, float *inv) {
  double s[REF_ROWS], s2[REF_ROWS];
  ref_row_sums(px, nr, inner, NULL, s);
  for (int r = 0; r < nr; r++) m[r] = s[r] / (double)inner;
  ref_row_sums(px, nr, inner, m, s2);
  for (int r = 0; r < nr; r++) inv[r] = (float)(1.0 / sqrt(s2[r] / (double)inner + eps));
}

/* LayerNormalization over the axes >= axis: (x - mean) / sqrt(var + eps) * Scale + B; Mean and
 * InvStdDev outputs when asked. */
int ref_layernorm(ref_call *c) {
  const ir_value *x = c->in[0];
  int r = x->type.rank;
  int64_t ax = ir_attr_int(c->n, "axis", -1);
  if (ax < 0) ax += r;
  float eps = ir_attr_float(c->n, "epsilon", 1e-5f);
  for (int k = 1; k < 3 && k < c->n->n_in; k++)
    if (c->in[k] && c->in[k]->type.dtype != IR_F32) return CERR("input %d is not f32", k), IR_UNSUPPORTED;
  int64_t outer = 1, inner = 1;
  ir_type inner_t = {.dtype = IR_F32, .rank = r - (int)ax};
  for (int i = 0; i < r; i++) {
    if (i < ax) outer *= x->type.dims[i];
    else inner *= x->type.dims[i], inner_t.dims[i - ax] = x->type.dims[i];
  }
  if (inner == 0) return IR_OK;
  float *sc = ln_param(c, 1, &inner_t, inner), *bb = ln_param(c, 2, &inner_t, inner);
  if ((c->n->n_in > 1 && c->in[1] && !sc) || (c->n->n_in > 2 && c->in[2] && !bb)) {
    free(sc), free(bb);
    return CERR("out of memory");
  }
  const float *px = x->data;
  float *py = c->out[0].data;
  for (int64_t o = 0; o < outer; o += REF_ROWS) {
    int nr = outer - o < REF_ROWS ? (int)(outer - o) : REF_ROWS;
    double m[REF_ROWS];
    float inv[REF_ROWS];
    ln_stats(px + o * inner, nr, inner, eps, m, inv);
    for (int k = 0; k < nr; k++) {
      const float *xi = px + (o + k) * inner;
      float *yi = py + (o + k) * inner;
      for (int64_t i = 0; i < inner; i++) {
        float v = ((float)(xi[i] - m[k])) * inv[k];
        if (sc) v *= sc[i];
        if (bb) v += bb[i];
        yi[i] = v;
      }
      if (c->n->n_out > 1 && c->n->out[1] >= 0) ((float *)c->out[1].data)[o + k] = (float)m[k];
      if (c->n->n_out > 2 && c->n->out[2] >= 0) ((float *)c->out[2].data)[o + k] = inv[k];
    }
  }
  free(sc);
  free(bb);
  return IR_OK;
}

/* DepthToSpace (DCR, CRD) and SpaceToDepth on [N,C,H,W]: a pure gather, one output element
 * from one input element (shapes checked by ir_infer_node). */
int ref_depth_space(ref_call *c) {
  const ir_value *x = c->in[0];
  ir_value *y = &c->out[0];
  size_t es = ir_dtype_size(x->type.dtype);
  int d2s = c->n->op == IR_OP_DepthToSpace, crd = d2s && !strcmp(ir_attr_string(c->n, "mode", "DCR"), "CRD");
  int64_t b = ir_attr_int(c->n, "blocksize", 1);
  const int64_t *yd = y->type.dims, *xd = x->type.dims;
  /* iterate the spatial-side tensor (d2s: y [N,C,H*b,W*b]; s2d: x [N,C,H*b,W*b]) */
  const int64_t *sd = d2s ? yd : xd;
  int64_t N = sd[0], C = sd[1], H = sd[2], W = sd[3], h = H / b, w = W / b;
  const char *px = x->data;
  char *py = y->data;
  for (int64_t n = 0; n < N; n++)
    for (int64_t ch = 0; ch < C; ch++)
      for (int64_t yy = 0; yy < H; yy++)
        for (int64_t xx = 0; xx < W; xx++) {
          int64_t dy = yy % b, dx = xx % b;
          int64_t dc = crd ? (ch * b + dy) * b + dx : (dy * b + dx) * C + ch; /* channel on the depth side */
          int64_t sp = ((n * C + ch) * H + yy) * W + xx, dp = ((n * C * b * b + dc) * h + yy / b) * w + xx / b;
          if (d2s) memcpy(py + sp * es, px + dp * es, es);
          else memcpy(py + dp * es, px + sp * es, es);
        }
  return IR_OK;
}

/* dlvta.Interleave: y[n][c][y][x] = x[n][((y % sh) * sw + x % sw) * group + c][y / sh][x / sw]. */
int ref_interleave(ref_call *c) {
  const ir_value *x = c->in[0];
  ir_value *y = &c->out[0];
  size_t es = ir_dtype_size(x->type.dtype);
  int cnt;
  const int64_t *st = ir_attr_ints(c->n, "strides", &cnt);
  int64_t G = ir_attr_int(c->n, "group", 1), sh = st[0], sw = st[1];
  const int64_t *xd = x->type.dims, *yd = y->type.dims;
  const char *px = x->data;
  char *py = y->data;
  for (int64_t n = 0; n < yd[0]; n++)
    for (int64_t ch = 0; ch < yd[1]; ch++)
      for (int64_t yy = 0; yy < yd[2]; yy++)
        for (int64_t xx = 0; xx < yd[3]; xx++) {
          int64_t dc = ((yy % sh) * sw + xx % sw) * G + ch;
          int64_t sp = ((n * xd[1] + dc) * xd[2] + yy / sh) * xd[3] + xx / sw;
          memcpy(py + (((n * yd[1] + ch) * yd[2] + yy) * yd[3] + xx) * es, px + sp * es, es);
        }
  return IR_OK;
}
