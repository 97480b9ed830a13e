/* ref/ref.c -- the reference executor's graph walk and node dispatch, plus the
 * elementwise, normalization, softmax, data-movement, padding and (de)quantization kernels.
 * Convolution, matrix products and pooling are in ref_nn.c. See ref.h. */
#include <math.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "ref_internal.h"
#include "util.h"

#define CERR(...) ir_node_err(c->g, c->n, c->err, c->errlen, __VA_ARGS__)

static int64_t numel(const ir_value *v) { return ir_type_numel(&v->type); }

void ref_strides(const ir_type *t, int64_t *st) {
  int64_t s = 1;
  for (int i = t->rank - 1; i >= 0; i--) {
    st[i] = s;
    s *= t->dims[i];
  }
}

void ref_bcast_strides(const ir_type *in, const ir_type *out, int64_t *st) {
  int64_t s[IR_MAX_DIMS];
  ref_strides(in, s);
  int off = out->rank - in->rank;
  for (int i = 0; i < out->rank; i++) {
    int k = i - off;
    st[i] = (k < 0 || in->dims[k] == 1) ? 0 : s[k];
  }
}

/* Integer Mod: fmod 1 keeps the dividend's sign (C's %), fmod 0 the divisor's (Python's). */
static int64_t int_mod(int64_t x0, int64_t x1, int fmod1) {
  if (x1 == -1) return 0; /* (INT64_MIN % -1 overflows in C) */
  int64_t z = x0 % x1;
  return !fmod1 && z != 0 && (z < 0) != (x1 < 0) ? z + x1 : z;
}

/* One output row of a float Add, Sub, Mul, Mod or Div: py[j] = pa[j * ia] op pb[j * ib], j < n; the
 * strides of the common cases (1 and 1, 1 and 0, 0 and 1) as constants, so the loops vectorize
 * (the same operation on each element). */
#define BIN_ROW(IA, IB)                                                                 \
  switch (op) {                                                                         \
  case IR_OP_Add: for (int64_t j = 0; j < n; j++) py[j] = pa[j * (IA)] + pb[j * (IB)]; break; \
  case IR_OP_Sub: for (int64_t j = 0; j < n; j++) py[j] = pa[j * (IA)] - pb[j * (IB)]; break; \
  case IR_OP_Mul: for (int64_t j = 0; j < n; j++) py[j] = pa[j * (IA)] * pb[j * (IB)]; break; \
  case IR_OP_Mod: for (int64_t j = 0; j < n; j++) py[j] = fmodf(pa[j * (IA)], pb[j * (IB)]); break; \
  default: for (int64_t j = 0; j < n; j++) py[j] = pa[j * (IA)] / pb[j * (IB)]; break;        \
  }
static void bin_row_f32(ir_op op, float *restrict py, const float *pa, int64_t ia, const float *pb, int64_t ib,
                        int64_t n) {
  if (ia == 1 && ib == 1) BIN_ROW(1, 1)
  else if (ia == 1 && ib == 0) BIN_ROW(1, 0)
  else if (ia == 0 && ib == 1) BIN_ROW(0, 1)
  else BIN_ROW(ia, ib)
}
#undef BIN_ROW

/* Add, Sub, Mul, Div, Mod with numpy broadcasting; float32, or wrapping integer arithmetic. */
static int k_binary(ref_call *c) {
  const ir_value *a = c->in[0], *b = c->in[1];
  ir_value *y = &c->out[0];
  const ir_type *ot = &y->type;
  int64_t sa[IR_MAX_DIMS], sb[IR_MAX_DIMS];
  ref_bcast_strides(&a->type, ot, sa);
  ref_bcast_strides(&b->type, ot, sb);
  int r = ot->rank;
  int64_t total = numel(y);
  if (total == 0) return IR_OK;
  int64_t inner = r ? ot->dims[r - 1] : 1, ia = r ? sa[r - 1] : 0, ib = r ? sb[r - 1] : 0;
  int64_t idx[IR_MAX_DIMS] = {0};
  ir_op op = c->n->op;
  int isf = y->type.dtype == IR_F32, fmod1 = op == IR_OP_Mod && ir_attr_int(c->n, "fmod", 0) != 0;
  if (!isf && !ir_dtype_size(y->type.dtype)) return CERR("type %s not supported", ir_dtype_name(y->type.dtype)), IR_UNSUPPORTED;
  if (op == IR_OP_Mod && isf && !fmod1) return CERR("Mod of floats needs fmod = 1 (ONNX)");
  for (int64_t o = 0; o < total; o += inner) {
    int64_t oa = 0, ob = 0;
    for (int d = 0; d < r - 1; d++) {
      oa += idx[d] * sa[d];
      ob += idx[d] * sb[d];
    }
    if (isf) {
      bin_row_f32(op, (float *)y->data + o, (const float *)a->data + oa, ia, (const float *)b->data + ob, ib, inner);
    } else {
      ir_dtype dt = y->type.dtype;
      for (int64_t j = 0; j < inner; j++) {
        int64_t x0 = ref_load_int(dt, a->data, oa + j * ia), x1 = ref_load_int(dt, b->data, ob + j * ib), z;
        switch (op) {
        case IR_OP_Add: z = (int64_t)((uint64_t)x0 + (uint64_t)x1); break;
        case IR_OP_Sub: z = (int64_t)((uint64_t)x0 - (uint64_t)x1); break;
        case IR_OP_Mul: z = (int64_t)((uint64_t)x0 * (uint64_t)x1); break;
        case IR_OP_Mod:
          if (x1 == 0) return CERR("integer Mod by zero");
          z = int_mod(x0, x1, fmod1);
          break;
        default:
          if (x1 == 0) return CERR("integer division by zero");
          if (x1 == -1 && x0 == INT64_MIN) return CERR("integer division overflow");
          z = x0 / x1;
          break;
        }
        ref_store_int(dt, y->data, o + j, z);
      }
    }
    for (int d = r - 2; d >= 0; d--) {
      if (++idx[d] < ot->dims[d]) break;
      idx[d] = 0;
    }
  }
  return IR_OK;
}

/* Relu, Sigmoid, Clip: float32, or any numeric type through double for Relu/Clip. */
static int k_unary(ref_call *c) {
  const ir_value *x = c->in[0];
  ir_value *y = &c->out[0];
  int64_t n = numel(x);
  ir_dtype dt = x->type.dtype;
  double lo = -INFINITY, hi = INFINITY;
  if (c->n->op == IR_OP_Clip) {
    for (int k = 1; k < 3; k++) {
      if (c->n->n_in <= k || !c->in[k]) continue;
      if (numel(c->in[k]) != 1 || c->in[k]->type.dtype != dt) return CERR("min/max must be scalars of the input type");
      double v = ir_get_elem(dt, c->in[k]->data, 0);
      if (k == 1)
        lo = v;
      else
        hi = v;
    }
  }
  if (dt == IR_F32) {
    const float *px = x->data;
    float *py = y->data;
    switch (c->n->op) {
    case IR_OP_Relu: for (int64_t i = 0; i < n; i++) py[i] = px[i] > 0 ? px[i] : 0; break;
    case IR_OP_Sigmoid:
      for (int64_t i = 0; i < n; i++)
        py[i] = px[i] >= 0 ? 1.0f / (1.0f + expf(-px[i])) : expf(px[i]) / (1.0f + expf(px[i]));
      break;
    default: {
      float flo = (float)lo, fhi = (float)hi;
      for (int64_t i = 0; i < n; i++) {
        float v = px[i] < flo ? flo : px[i];
        py[i] = v > fhi ? fhi : v;
      }
    }
    }
    return IR_OK;
  }
  if (c->n->op == IR_OP_Sigmoid || dt == IR_BOOL || !ir_dtype_size(dt))
    return CERR("type %s not supported", ir_dtype_name(dt)), IR_UNSUPPORTED;
  if (c->n->op == IR_OP_Relu) lo = 0;
  for (int64_t i = 0; i < n; i++) {
    double v = ir_get_elem(dt, x->data, i);
    v = v < lo ? lo : v;
    ir_set_elem(dt, y->data, i, v > hi ? hi : v);
  }
  return IR_OK;
}

/* Flatten, Reshape, Squeeze, Unsqueeze, Identity: the data unchanged (the output type is inferred). */
static int k_copy(ref_call *c) {
  size_t bytes = (size_t)numel(c->in[0]) * ir_dtype_size(c->in[0]->type.dtype);
  if (bytes) memcpy(c->out[0].data, c->in[0]->data, bytes);
  return IR_OK;
}

/* Dropout: identity, mask all true; training mode with a non-zero ratio (random) is unsupported. */
static int k_dropout(ref_call *c) {
  int training = 0;
  if (c->g->opset >= 12 && c->n->n_in > 2 && c->in[2]) {
    if (numel(c->in[2]) != 1) return CERR("training_mode must be a scalar");
    training = ir_get_elem(c->in[2]->type.dtype, c->in[2]->data, 0) != 0;
  }
  double ratio = c->g->opset >= 12 ? 0.5 : ir_attr_float(c->n, "ratio", 0.5f);
  if (c->g->opset >= 12 && c->n->n_in > 1 && c->in[1]) {
    if (numel(c->in[1]) != 1) return CERR("ratio must be a scalar");
    ratio = ir_get_elem(c->in[1]->type.dtype, c->in[1]->data, 0);
  }
  if (training && ratio != 0) return CERR("training-mode dropout (random) is not supported"), IR_UNSUPPORTED;
  k_copy(c);
  if (c->n->n_out > 1) memset(c->out[1].data, 1, (size_t)numel(&c->out[1]));
  return IR_OK;
}

/* BatchNormalization over axis 1: inference with the given statistics, or training mode (batch
 * statistics; running mean/var outputs updated with momentum). */
static int k_batchnorm(ref_call *c) {
  const ir_value *x = c->in[0];
  if (x->type.dtype != IR_F32) return CERR("type %s not supported", ir_dtype_name(x->type.dtype)), IR_UNSUPPORTED;
  int64_t N = x->type.dims[0], C = x->type.dims[1], inner = N * C > 0 ? numel(x) / (N * C) : 0;
  for (int i = 1; i < 5; i++)
    if (c->in[i]->type.dtype != IR_F32 || numel(c->in[i]) != C) return CERR("input %d must be f32[%lld]", i, (long long)C);
  const float *sc = c->in[1]->data, *bi = c->in[2]->data, *mean = c->in[3]->data, *var = c->in[4]->data;
  float eps = ir_attr_float(c->n, "epsilon", 1e-5f), mom = ir_attr_float(c->n, "momentum", 0.9f);
  int training = (int)ir_attr_int(c->n, "training_mode", 0);
  const float *px = x->data;
  float *py = c->out[0].data;
  for (int64_t ch = 0; ch < C; ch++) {
    double m = mean[ch], v = var[ch];
    if (training) {
      double s = 0, s2 = 0;
      for (int64_t b = 0; b < N; b++)
        for (int64_t i = 0; i < inner; i++) s += px[(b * C + ch) * inner + i];
      double cnt = (double)(N * inner);
      m = s / cnt;
      for (int64_t b = 0; b < N; b++)
        for (int64_t i = 0; i < inner; i++) {
          double d = px[(b * C + ch) * inner + i] - m;
          s2 += d * d;
        }
      v = s2 / cnt;
      if (c->n->n_out > 1 && c->n->out[1] >= 0) ((float *)c->out[1].data)[ch] = (float)(mean[ch] * mom + m * (1 - mom));
      if (c->n->n_out > 2 && c->n->out[2] >= 0) ((float *)c->out[2].data)[ch] = (float)(var[ch] * mom + v * (1 - mom));
    } else if (c->n->n_out > 1) {
      return CERR("extra outputs need training_mode"), IR_UNSUPPORTED;
    }
    float a = (float)(sc[ch] / sqrt(v + eps)), b0 = (float)(bi[ch] - m * a);
    for (int64_t b = 0; b < N; b++) {
      const float *xi = px + (b * C + ch) * inner;
      float *yi = py + (b * C + ch) * inner;
      for (int64_t i = 0; i < inner; i++) yi[i] = xi[i] * a + b0;
    }
  }
  return IR_OK;
}

/* Softmax of nr (<= REF_ROWS) contiguous rows of len: per row the max, y = expf(x - max), the
 * sum of y in double in element order, y / sum. The rows go together: their exponentials first
 * (calls that do not wait on a sum), then their sums side by side (ref_row_sums: the bits of a
 * row alone), then the divisions (vectorized). */
static void softmax_rows(const float *px, float *restrict py, int nr, int64_t len) {
  double sum[REF_ROWS];
  for (int r = 0; r < nr; r++) {
    const float *xs = px + r * len;
    float *restrict ys = py + r * len;
    /* the max in 8 lanes (vectorized): it may differ from a sequential scan's only in the
     * sign of a zero maximum, which no xs[k] - mx below sees */
    float mx = -INFINITY, m8[8] = {-INFINITY, -INFINITY, -INFINITY, -INFINITY, -INFINITY, -INFINITY, -INFINITY, -INFINITY};
    int64_t k8 = len / 8 * 8;
    for (int64_t k = 0; k < k8; k += 8)
      for (int q = 0; q < 8; q++) m8[q] = xs[k + q] > m8[q] ? xs[k + q] : m8[q];
    for (int q = 0; q < 8; q++) mx = m8[q] > mx ? m8[q] : mx;
    for (int64_t k = k8; k < len; k++) mx = xs[k] > mx ? xs[k] : mx;
    for (int64_t k = 0; k < len; k++) ys[k] = expf(xs[k] - mx);
  }
  ref_row_sums(py, nr, len, NULL, sum);
  for (int r = 0; r < nr; r++) {
    float *restrict ys = py + r * len;
    double sr = sum[r];
    for (int64_t k = 0; k < len; k++) ys[k] = (float)(ys[k] / sr);
  }
}

/* Softmax and LogSoftmax: opset < 13 over the input coerced to 2-D at axis (default 1); from 13
 * along axis (default -1). Max-subtracted, sums in double; LogSoftmax's x - max - log(sum exp(x -
 * max)) with the exponentials in double. */
static int k_softmax(ref_call *c) {
  const ir_value *x = c->in[0];
  if (x->type.dtype != IR_F32) return CERR("type %s not supported", ir_dtype_name(x->type.dtype)), IR_UNSUPPORTED;
  int r = x->type.rank;
  int64_t ax = ir_attr_int(c->n, "axis", c->g->opset < 13 ? 1 : -1);
  if (ax < 0) ax += r;
  int64_t outer = 1, len = 1, inner = 1;
  for (int i = 0; i < r; i++) {
    if (i < ax)
      outer *= x->type.dims[i];
    else if (i == ax || c->g->opset < 13)
      len *= x->type.dims[i];
    else
      inner *= x->type.dims[i];
  }
  const float *px = x->data;
  float *py = c->out[0].data;
  int lg = c->n->op == IR_OP_LogSoftmax;
  if (inner == 1 && !lg) /* the last axis (attention scores): contiguous rows */
    for (int64_t o = 0; o < outer; o += REF_ROWS)
      softmax_rows(px + o * len, py + o * len, outer - o < REF_ROWS ? (int)(outer - o) : REF_ROWS, len);
  for (int64_t o = 0; o < outer && (inner != 1 || lg); o++)
    for (int64_t i = 0; i < inner; i++) {
      const float *xs = px + o * len * inner + i;
      float *ys = py + o * len * inner + i;
      float mx = -INFINITY;
      for (int64_t k = 0; k < len; k++) mx = xs[k * inner] > mx ? xs[k * inner] : mx;
      double sum = 0;
      if (lg) {
        for (int64_t k = 0; k < len; k++) sum += exp((double)xs[k * inner] - mx);
        double lse = sum > 0 ? mx + log(sum) : mx; /* sum > 0 unless the row is empty or all -inf */
        for (int64_t k = 0; k < len; k++) ys[k * inner] = (float)(xs[k * inner] - lse);
        continue;
      }
      for (int64_t k = 0; k < len; k++) {
        ys[k * inner] = expf(xs[k * inner] - mx);
        sum += ys[k * inner];
      }
      for (int64_t k = 0; k < len; k++) ys[k * inner] = (float)(ys[k * inner] / sum);
    }
  return IR_OK;
}

#if (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__)
#include <immintrin.h>
#define TR_UNROLL _Pragma("GCC unroll 8") /* the blocks' loops unrolled: the vectors stay in registers */
/* transpose_block4's rows in groups of 8 with 8 x 8 blocks through AVX registers where the CPU
 * has AVX (eight loads, 24 shuffles and eight stores per 64 elements: twice the SSE blocks'
 * rate), the columns past the last block element by element. Returns the rows done (a multiple
 * of 8; 0 without AVX). */
__attribute__((target("avx"))) static int64_t transpose_avx8(const uint32_t *x, uint32_t *y, int64_t rows, int64_t in,
                                                            int64_t si) {
  int64_t r0 = 0;
  for (; r0 + 8 <= rows; r0 += 8) {
    const float *xs = (const float *)(x + r0);
    float *yr = (float *)(y + r0 * in);
    int64_t j = 0;
    for (; j + 8 <= in; j += 8) {
      __m256 a[8], t[8];
      TR_UNROLL for (int k = 0; k < 8; k++) a[k] = _mm256_loadu_ps(xs + (j + k) * si);
      TR_UNROLL for (int k = 0; k < 8; k += 2) {
        t[k] = _mm256_unpacklo_ps(a[k], a[k + 1]);
        t[k + 1] = _mm256_unpackhi_ps(a[k], a[k + 1]);
      }
      TR_UNROLL for (int k = 0; k < 8; k += 4) {
        a[k] = _mm256_shuffle_ps(t[k], t[k + 2], 0x44);
        a[k + 1] = _mm256_shuffle_ps(t[k], t[k + 2], 0xEE);
        a[k + 2] = _mm256_shuffle_ps(t[k + 1], t[k + 3], 0x44);
        a[k + 3] = _mm256_shuffle_ps(t[k + 1], t[k + 3], 0xEE);
      }
      TR_UNROLL for (int k = 0; k < 4; k++) {
        _mm256_storeu_ps(yr + k * in + j, _mm256_permute2f128_ps(a[k], a[k + 4], 0x20));
        _mm256_storeu_ps(yr + (k + 4) * in + j, _mm256_permute2f128_ps(a[k], a[k + 4], 0x31));
      }
    }
    for (; j < in; j++)
      for (int q = 0; q < 8; q++) y[(r0 + q) * in + j] = x[r0 + q + j * si];
  }
  return r0;
}

static int64_t transpose_block8(const uint32_t *x, uint32_t *y, int64_t rows, int64_t in, int64_t si) {
  static int avx = -1; /* every thread computes the same value */
  if (avx < 0) {
    __builtin_cpu_init();
    avx = __builtin_cpu_supports("avx") != 0;
  }
  return avx ? transpose_avx8(x, y, rows, in, si) : 0;
}
#else
static int64_t transpose_block8(const uint32_t *x, uint32_t *y, int64_t rows, int64_t in, int64_t si) {
  (void)x, (void)y, (void)rows, (void)in, (void)si;
  return 0;
}
#endif

/* y[q][j] = x[q + j * si] for q < rows, j < in (y rows of in elements): 8 x 8 blocks with AVX
 * (transpose_block8), 4 x 4 blocks through
 * SSE registers where there is SSE2 (a load and a store of four elements each, 3 to 4 times
 * faster than element moves), then the rest (and everything elsewhere) in groups of 16 rows, so
 * that each source line (16 elements along q) is read once for the group instead of once per
 * row (a strided gather per row misses the cache on every element). */
static void transpose_block4(const uint32_t *x, uint32_t *y, int64_t rows, int64_t in, int64_t si) {
  int64_t r0 = transpose_block8(x, y, rows, in, si);
#ifdef __SSE2__
  for (; r0 + 4 <= rows; r0 += 4) {
    const float *xs = (const float *)(x + r0);
    float *yr = (float *)(y + r0 * in);
    int64_t j = 0;
    for (; j + 4 <= in; j += 4) {
      __m128 a = _mm_loadu_ps(xs + j * si), b = _mm_loadu_ps(xs + (j + 1) * si);
      __m128 c = _mm_loadu_ps(xs + (j + 2) * si), d = _mm_loadu_ps(xs + (j + 3) * si);
      _MM_TRANSPOSE4_PS(a, b, c, d);
      _mm_storeu_ps(yr + j, a), _mm_storeu_ps(yr + in + j, b);
      _mm_storeu_ps(yr + 2 * in + j, c), _mm_storeu_ps(yr + 3 * in + j, d);
    }
    for (; j < in; j++)
      for (int q = 0; q < 4; q++) y[(r0 + q) * in + j] = x[r0 + q + j * si];
  }
#endif
  for (; r0 < rows; r0 += 16) {
    int64_t nr = rows - r0 < 16 ? rows - r0 : 16;
    const uint32_t *xs = x + r0;
    uint32_t *yr = y + r0 * in;
    for (int64_t j = 0; j < in; j++)
      for (int64_t q = 0; q < nr; q++) yr[q * in + j] = xs[j * si + q];
  }
}

/* A transpose of 4-byte elements whose output's last two axes come from input strides st[r-1]
 * and 1 (a 2-D transpose in the last two axes, e.g. [.., H, W] -> [.., W, H]), block by block
 * (transpose_block4). */
static void transpose_tiled4(const uint32_t *px, uint32_t *py, const int64_t *dims, const int64_t *st, int r) {
  int64_t rows = dims[r - 2], in = dims[r - 1], si = st[r - 1], outer = 1;
  int64_t idx[IR_MAX_DIMS] = {0}, off = 0;
  for (int d = 0; d < r - 2; d++) outer *= dims[d];
  for (int64_t o = 0; o < outer; o++) {
    transpose_block4(px + off, py + o * rows * in, rows, in, si);
    for (int d = r - 3; d >= 0; d--) {
      off += st[d];
      if (++idx[d] < dims[d]) break;
      off -= st[d] * idx[d];
      idx[d] = 0;
    }
  }
}

/* Transpose by perm (default: reversed axes), any dtype. */
static int k_transpose(ref_call *c) {
  const ir_value *x = c->in[0];
  ir_value *y = &c->out[0];
  int r = x->type.rank, cnt;
  size_t es = ir_dtype_size(x->type.dtype);
  const int64_t *perm = ir_attr_ints(c->n, "perm", &cnt);
  int64_t sx[IR_MAX_DIMS], st[IR_MAX_DIMS] = {0}, idx[IR_MAX_DIMS] = {0};
  ref_strides(&x->type, sx);
  for (int i = 0; i < r; i++) st[i] = sx[perm ? perm[i] : r - 1 - i];
  int64_t total = numel(y);
  if (r == 0 || total == 0) {
    if (total) memcpy(y->data, x->data, es);
    return IR_OK;
  }
  const char *px = x->data;
  char *py = y->data;
  int64_t off = 0, in = y->type.dims[r - 1], si = st[r - 1];
  /* the output's axes of extent 1 move nothing: without them, [1, 768, 197, 1] from
   * [1, 197, 1, 768] is the 2-D transpose it is */
  int64_t d2[IR_MAX_DIMS], s2[IR_MAX_DIMS];
  int r2 = 0;
  for (int i = 0; i < r; i++)
    if (y->type.dims[i] != 1) d2[r2] = y->type.dims[i], s2[r2++] = st[i];
  if (es == 4 && r2 >= 2 && s2[r2 - 1] != 1 && s2[r2 - 2] == 1) {
    transpose_tiled4(x->data, y->data, d2, s2, r2);
    return IR_OK;
  }
  if (r2 >= 1 && s2[r2 - 1] == 1) { /* rows contiguous in x too ([197, 12, 64] -> [12, 197, 64]): one memcpy each */
    int64_t run = d2[r2 - 1];
    for (int64_t o = 0; o < total; o += run) {
      memcpy(py + o * (int64_t)es, px + off * (int64_t)es, (size_t)run * es);
      for (int d = r2 - 2; d >= 0; d--) {
        off += s2[d];
        if (++idx[d] < d2[d]) break;
        off -= s2[d] * idx[d];
        idx[d] = 0;
      }
    }
    return IR_OK;
  }
  /* one row of the output's last axis at a time, element copies by size (no call each) */
  for (int64_t o = 0; o < total; o += in) {
    if (es == 4) {
      const uint32_t *s4 = (const uint32_t *)px + off;
      uint32_t *d4 = (uint32_t *)py + o;
      for (int64_t j = 0; j < in; j++) d4[j] = s4[j * si];
    } else if (es == 1) {
      for (int64_t j = 0; j < in; j++) py[o + j] = px[off + j * si];
    } else {
      for (int64_t j = 0; j < in; j++) memcpy(py + (o + j) * es, px + (off + j * si) * es, es);
    }
    for (int d = r - 2; d >= 0; d--) {
      off += st[d];
      if (++idx[d] < y->type.dims[d]) break;
      off -= st[d] * idx[d];
      idx[d] = 0;
    }
  }
  return IR_OK;
}

/* Concat along axis, any dtype (types checked by inference). */
static int k_concat(ref_call *c) {
  ir_value *y = &c->out[0];
  int r = y->type.rank;
  int64_t ax = ir_attr_int(c->n, "axis", 0);
  if (ax < 0) ax += r;
  size_t es = ir_dtype_size(y->type.dtype);
  int64_t outer = 1, inner = 1;
  for (int i = 0; i < ax; i++) outer *= y->type.dims[i];
  for (int i = (int)ax + 1; i < r; i++) inner *= y->type.dims[i];
  char *py = y->data;
  int64_t row = y->type.dims[ax] * inner * (int64_t)es, pos = 0;
  for (int k = 0; k < c->n->n_in; k++) {
    const ir_value *x = c->in[k];
    int64_t chunk = x->type.dims[ax] * inner * (int64_t)es;
    for (int64_t o = 0; o < outer; o++)
      if (chunk) memcpy(py + o * row + pos, (const char *)x->data + o * chunk, (size_t)chunk);
    pos += chunk;
  }
  return IR_OK;
}

/* The input index that padded index i (already less the leading pad) of an axis of n reads in
 * pad mode m (0 constant, 1 edge, 2 reflect, 3 wrap), or -1 for the constant. */
static int64_t pad_source(int64_t i, int64_t n, int m) {
  if (i >= 0 && i < n) return i;
  if (m == 0) return -1;
  if (m == 1) return i < 0 ? 0 : n - 1;
  if (m == 3) { /* wrap (opset 19): the axis as a ring */
    i %= n;
    return i < 0 ? i + n : i;
  }
  int64_t per = 2 * (n - 1); /* reflect */
  if (per == 0) return 0;
  i %= per;
  if (i < 0) i += per;
  return i >= n ? per - i : i;
}

/* Pad: constant, edge, reflect and wrap modes, any dtype; negative pads crop. Row by row of the
 * last axis: the row's source found once, its interior one copy. */
static int k_pad(ref_call *c) {
  const ir_value *x = c->in[0];
  ir_value *y = &c->out[0];
  int r = x->type.rank;
  int64_t pads[2 * IR_MAX_DIMS];
  const ir_type *ti[4] = {0};
  const void *di[4] = {0};
  ir_value_operands(c->n, c->in, 4, ti, di);
  int rc = ir_pad_amounts(c->g, c->n, ti, di, r, pads, c->err, c->errlen);
  if (rc) return rc;
  const char *mode = ir_attr_string(c->n, "mode", "constant");
  int m = !strcmp(mode, "constant") ? 0 : !strcmp(mode, "edge") ? 1 : !strcmp(mode, "reflect") ? 2 : !strcmp(mode, "wrap") ? 3 : -1;
  if (m < 0) return CERR("pad mode '%s' not supported", mode), IR_UNSUPPORTED;
  size_t es = ir_dtype_size(x->type.dtype);
  char cval[8] = {0};
  double cv = 0;
  if (c->n->n_in > 2 && c->in[2]) {
    if (numel(c->in[2]) != 1) return CERR("constant_value must be a scalar");
    cv = ir_get_elem(c->in[2]->type.dtype, c->in[2]->data, 0);
  }
  ir_set_elem(x->type.dtype, cval, 0, cv);
  for (int i = 0; i < r; i++)
    if (m && x->type.dims[i] == 0 && y->type.dims[i] > 0) return CERR("cannot %s-pad an empty axis", mode);
  int64_t total = numel(y);
  if (r == 0 || total == 0) {
    if (total) memcpy(y->data, x->data, es);
    return IR_OK;
  }
  int64_t sx[IR_MAX_DIMS], idx[IR_MAX_DIMS] = {0}, len = y->type.dims[r - 1], n = x->type.dims[r - 1];
  int64_t p0 = pads[r - 1], lo = p0 < 0 ? 0 : p0, hi = p0 + n < len ? p0 + n : len; /* the interior [lo, hi) */
  ref_strides(&x->type, sx);
  for (int64_t o = 0; o < total; o += len) {
    char *dst = (char *)y->data + o * es;
    int64_t off = 0, outside = 0;
    for (int d = 0; d < r - 1 && !outside; d++) {
      int64_t i = pad_source(idx[d] - pads[d], x->type.dims[d], m);
      outside = i < 0;
      off += outside ? 0 : i * sx[d];
    }
    const char *src = (const char *)x->data + off * es;
    for (int64_t j = 0; j < len; j++) {
      if (!outside && j == lo && hi > lo) { /* the interior */
        memcpy(dst + j * es, src + (j - p0) * es, (size_t)(hi - lo) * es);
        j = hi - 1;
        continue;
      }
      int64_t i = outside ? -1 : pad_source(j - p0, n, m);
      memcpy(dst + j * es, i < 0 ? cval : src + i * es, es);
    }
    for (int d = r - 2; d >= 0; d--) {
      if (++idx[d] < y->type.dims[d]) break;
      idx[d] = 0;
    }
  }
  return IR_OK;
}

/* Constant: the value, value_float(s) or value_int(s) attribute. */
static int k_constant(ref_call *c) {
  const ir_attr *a = NULL;
  for (int i = 0; i < c->n->n_attr; i++)
    if (!strncmp(c->n->attr[i].name, "value", 5)) a = &c->n->attr[i];
  ir_value *y = &c->out[0];
  int64_t n = numel(y);
  for (int64_t i = 0; i < n; i++) {
    switch (a->kind) {
    case IR_ATTR_TENSOR: memcpy(y->data, a->t->data, (size_t)n * ir_dtype_size(y->type.dtype)); return IR_OK;
    case IR_ATTR_FLOAT: ((float *)y->data)[i] = a->f; break;
    case IR_ATTR_INT: ((int64_t *)y->data)[i] = a->i; break;
    case IR_ATTR_FLOATS: ((float *)y->data)[i] = a->floats[i]; break;
    case IR_ATTR_INTS: ((int64_t *)y->data)[i] = a->ints[i]; break;
    default: return CERR("bad value attribute");
    }
  }
  return IR_OK;
}

/* Per-tensor or per-axis parameters of a (de)quantize node: element i of x uses parameter
 * (i / inner) % cnt (cnt 1 and inner numel(x) for per-tensor). */
typedef struct qparams {
  int64_t cnt, inner; /* parameters count, elements per parameter step */
  const ir_value *scale, *zp;
} qparams;

/* Scale/zero point of a (de)quantize node for input x: per tensor (scalar or 1-element scale)
 * or per axis (1-D scale of x's extent on the axis attribute, default 1). */
static int get_qparams(ref_call *c, const ir_value *x, qparams *q) {
  q->scale = c->in[1];
  q->zp = c->n->n_in > 2 ? c->in[2] : NULL;
  q->cnt = numel(q->scale);
  q->inner = 1;
  if (q->scale->type.dtype != IR_F32) return CERR("scale must be f32");
  if (q->zp && numel(q->zp) != q->cnt) return CERR("scale and zero point sizes differ");
  if (q->scale->type.rank == 0 || (q->cnt == 1 && q->scale->type.rank <= 1)) {
    q->cnt = 1;
    q->inner = numel(x) ? numel(x) : 1;
    return IR_OK;
  }
  if (q->scale->type.rank != 1) return CERR("scale must be a scalar or 1-D");
  int r = x->type.rank;
  int64_t ax = ir_attr_int(c->n, "axis", 1);
  if (ax < 0) ax += r;
  if (ax < 0 || ax >= r || x->type.dims[ax] != q->cnt) return CERR("per-axis scale of %lld does not match axis %lld",
                                                                   (long long)q->cnt, (long long)ax);
  for (int i = (int)ax + 1; i < r; i++) q->inner *= x->type.dims[i];
  return IR_OK;
}

/* QuantizeLinear: saturate(round_half_even(x / scale) + zero_point) to u8 or i8. */
static int k_quantize(ref_call *c) {
  const ir_value *x = c->in[0];
  ir_value *y = &c->out[0];
  if (x->type.dtype != IR_F32 && x->type.dtype != IR_I32) return CERR("input type %s not supported", ir_dtype_name(x->type.dtype)), IR_UNSUPPORTED;
  qparams q;
  if (get_qparams(c, x, &q)) return IR_ERR;
  ir_dtype dt = y->type.dtype;
  double lo = dt == IR_U8 ? 0 : -128, hi = dt == IR_U8 ? 255 : 127;
  int64_t n = numel(x);
  for (int64_t i = 0; i < n; i++) {
    int64_t k = (i / q.inner) % q.cnt;
    float s = ((const float *)q.scale->data)[k];
    double zp = q.zp ? ir_get_elem(q.zp->type.dtype, q.zp->data, k) : 0;
    float v = (float)ir_get_elem(x->type.dtype, x->data, i) / s;
    double r = nearbyintf(v) + zp;
    ir_set_elem(dt, y->data, i, r < lo ? lo : r > hi ? hi : r);
  }
  return IR_OK;
}

/* DequantizeLinear: (x - zero_point) * scale for u8, i8 and i32 inputs. */
static int k_dequantize(ref_call *c) {
  const ir_value *x = c->in[0];
  ir_dtype dt = x->type.dtype;
  if (dt != IR_U8 && dt != IR_I8 && dt != IR_I32) return CERR("input type %s not supported", ir_dtype_name(dt)), IR_UNSUPPORTED;
  qparams q;
  if (get_qparams(c, x, &q)) return IR_ERR;
  if (q.zp && q.zp->type.dtype != dt) return CERR("zero point type differs from the input's");
  int64_t n = numel(x);
  float *py = c->out[0].data;
  for (int64_t i = 0; i < n; i++) {
    int64_t k = (i / q.inner) % q.cnt;
    float s = ((const float *)q.scale->data)[k];
    int64_t zp = q.zp ? ref_load_int(dt, q.zp->data, k) : 0;
    py[i] = (float)(ref_load_int(dt, x->data, i) - zp) * s;
  }
  return IR_OK;
}

/* Cast: float -> integer truncates toward zero (NaN -> 0, clamped to the int64 range), integer
 * -> integer wraps as numpy's astype does, anything -> bool is "non-zero". */
static int k_cast(ref_call *c) {
  const ir_value *x = c->in[0];
  ir_value *y = &c->out[0];
  ir_dtype from = x->type.dtype, to = y->type.dtype;
  int64_t n = numel(x);
  for (int64_t i = 0; i < n; i++) {
    if (to == IR_F32) {
      ((float *)y->data)[i] = (float)ir_get_elem(from, x->data, i);
    } else if (to == IR_BOOL) {
      ((uint8_t *)y->data)[i] = ir_get_elem(from, x->data, i) != 0;
    } else if (from == IR_F32) {
      double v = trunc(((const float *)x->data)[i]);
      v = isnan(v) ? 0 : v < -9.2e18 ? -9.2e18 : v > 9.2e18 ? 9.2e18 : v;
      ref_store_int(to, y->data, i, (int64_t)v);
    } else {
      ref_store_int(to, y->data, i, ref_load_int(from, x->data, i));
    }
  }
  return IR_OK;
}

/* ConstantOfShape: the output filled with value's single element (default f32 0). */
static int k_constant_of_shape(ref_call *c) {
  const ir_attr *a = ir_get_attr(c->n, "value");
  ir_value *y = &c->out[0];
  size_t es = ir_dtype_size(y->type.dtype);
  int64_t n = numel(y);
  if (!a) return IR_OK; /* zeros */
  for (int64_t i = 0; i < n; i++) memcpy((char *)y->data + i * (int64_t)es, a->t->data, es);
  return IR_OK;
}

/* Dispatch one node on concrete values whose outputs are allocated. */
/* The ops of ref_unary_math, each writing every element of its output (dispatch; ref_alloc's
 * callers need not zero their outputs). */
static int unary_math(ir_op op) {
  switch (op) {
  case IR_OP_Tanh:
  case IR_OP_Erf:
  case IR_OP_Exp:
  case IR_OP_Log:
  case IR_OP_Sqrt:
  case IR_OP_Reciprocal:
  case IR_OP_Neg:
  case IR_OP_Abs:
  case IR_OP_Floor:
  case IR_OP_Ceil:
  case IR_OP_HardSigmoid:
  case IR_OP_HardSwish:
  case IR_OP_LeakyRelu:
  case IR_OP_Elu:
  case IR_OP_Softplus:
  case IR_OP_Gelu:
  case IR_OP_Round:
  case IR_OP_Sign:
  case IR_OP_Selu:
  case IR_OP_Celu:
  case IR_OP_ThresholdedRelu:
  case IR_OP_Softsign:
  case IR_OP_Mish:
  case IR_OP_Swish:
  case IR_OP_Sin:
  case IR_OP_Cos:
  case IR_OP_Tan:
  case IR_OP_Asin:
  case IR_OP_Acos:
  case IR_OP_Atan:
  case IR_OP_Sinh:
  case IR_OP_Cosh:
  case IR_OP_Asinh:
  case IR_OP_Acosh:
  case IR_OP_Atanh:
  case IR_OP_Shrink:
  case IR_OP_Silu: return 1;
  default: return 0;
  }
}

static int dispatch(ref_call *c) {
  if (unary_math(c->n->op)) return ref_unary_math(c);
  switch (c->n->op) {
  case IR_OP_Conv:
  case IR_OP_FusedConv: return ref_conv(c);
  case IR_OP_QLinearConv:
  case IR_OP_ConvInteger: return ref_qlinear_conv(c);
  case IR_OP_ConvTranspose: return ref_conv_transpose(c);
  case IR_OP_DepthToSpace:
  case IR_OP_SpaceToDepth: return ref_depth_space(c);
  case IR_OP_Interleave: return ref_interleave(c);
  case IR_OP_Gemm: return ref_gemm(c);
  case IR_OP_MatMul: return ref_matmul(c);
  case IR_OP_QLinearMatMul:
  case IR_OP_MatMulInteger: return ref_qlinear_matmul(c);
  case IR_OP_DynamicQuantizeLinear: return ref_dynamic_quantize(c);
  case IR_OP_MaxPool:
  case IR_OP_AveragePool: return ref_pool(c);
  case IR_OP_GlobalAveragePool:
  case IR_OP_GlobalMaxPool: return ref_global_pool(c);
  case IR_OP_Relu:
  case IR_OP_Sigmoid:
  case IR_OP_Clip: return k_unary(c);
  case IR_OP_Add:
  case IR_OP_Sub:
  case IR_OP_Mul:
  case IR_OP_Div:
  case IR_OP_Mod: return k_binary(c);
  case IR_OP_BatchNormalization: return k_batchnorm(c);
  case IR_OP_Softmax:
  case IR_OP_LogSoftmax: return k_softmax(c);
  case IR_OP_Flatten:
  case IR_OP_Reshape:
  case IR_OP_Squeeze:
  case IR_OP_Unsqueeze:
  case IR_OP_Identity: return k_copy(c);
  case IR_OP_Dropout: return k_dropout(c);
  case IR_OP_Transpose: return k_transpose(c);
  case IR_OP_Concat: return k_concat(c);
  case IR_OP_Pad: return k_pad(c);
  case IR_OP_Constant: return k_constant(c);
  case IR_OP_Cast:
  case IR_OP_CastLike: return k_cast(c);
  case IR_OP_ConstantOfShape: return k_constant_of_shape(c);
  case IR_OP_QuantizeLinear: return k_quantize(c);
  case IR_OP_DequantizeLinear: return k_dequantize(c);
  case IR_OP_PRelu:
  case IR_OP_Sum:
  case IR_OP_Mean:
  case IR_OP_Pow:
  case IR_OP_Min:
  case IR_OP_Max: return ref_pow_minmax(c);
  case IR_OP_Equal:
  case IR_OP_Less:
  case IR_OP_Greater:
  case IR_OP_GreaterOrEqual:
  case IR_OP_LessOrEqual:
  case IR_OP_And:
  case IR_OP_Or:
  case IR_OP_Xor:
  case IR_OP_Not: return ref_compare(c);
  case IR_OP_Where:
  case IR_OP_Expand: return ref_where_expand(c);
  case IR_OP_Shape:
  case IR_OP_Size: return ref_shape_size(c);
  case IR_OP_Gather: return ref_gather(c);
  case IR_OP_ScatterND: return ref_scatter_nd(c);
  case IR_OP_Slice: return ref_slice(c);
  case IR_OP_Split: return ref_split(c);
  case IR_OP_Tile: return ref_tile(c);
  case IR_OP_Resize: return ref_resize(c);
  case IR_OP_Range: return ref_range(c);
  case IR_OP_ReduceMean:
  case IR_OP_ReduceSum:
  case IR_OP_ReduceMax:
  case IR_OP_ReduceMin: return ref_reduce(c);
  case IR_OP_LayerNormalization: return ref_layernorm(c);
  case IR_OP_ArgMax:
  case IR_OP_ArgMin: return ref_argminmax(c);
  case IR_OP_InstanceNormalization: return ref_instance_norm(c);
  case IR_OP_GroupNormalization: return ref_group_norm(c);
  case IR_OP_RMSNormalization: return ref_rms_norm(c);
  case IR_OP_LpNormalization: return ref_lp_norm(c);
  case IR_OP_LRN: return ref_lrn(c);
  case IR_OP_ReduceL1:
  case IR_OP_ReduceL2:
  case IR_OP_ReduceSumSquare:
  case IR_OP_ReduceLogSumExp:
  case IR_OP_ReduceProd:
  case IR_OP_ReduceLogSum: return ref_reduce(c);
  case IR_OP_IsNaN:
  case IR_OP_IsInf: return ref_isnan_inf(c);
  case IR_OP_MeanVarianceNormalization: return ref_mvn(c);
  case IR_OP_Hardmax: return ref_hardmax(c);
  case IR_OP_Trilu: return ref_trilu(c);
  case IR_OP_CumSum: return ref_cumsum(c);
  case IR_OP_GatherElements:
  case IR_OP_ScatterElements:
  case IR_OP_Scatter: return ref_elements(c);
  case IR_OP_GatherND: return ref_gather_nd(c);
  case IR_OP_TopK: return ref_topk(c);
  case IR_OP_EyeLike: return ref_eyelike(c);
  case IR_OP_OneHot: return ref_onehot(c);
  case IR_OP_Einsum: return ref_einsum(c);
  case IR_OP_GridSample: return ref_grid_sample(c);
  case IR_OP_MaxUnpool: return ref_max_unpool(c);
  case IR_OP_RNN:
  case IR_OP_GRU:
  case IR_OP_LSTM: return ref_rnn(c);
  default: return CERR("operator not supported by the reference executor"), IR_UNSUPPORTED;
  }
}

int ref_alloc_uninit(ir_value *v, const ir_type *t) {
  int64_t n = ir_type_numel(t);
  size_t es = ir_dtype_size(t->dtype);
  uint64_t lim = IR_MAX_TENSOR_BYTES < (uint64_t)SIZE_MAX / 2 ? IR_MAX_TENSOR_BYTES : (uint64_t)SIZE_MAX / 2;
  v->type = *t;
  v->data = NULL;
  if (n < 0 || !es || (uint64_t)n > lim / es) return IR_ERR;
  v->data = malloc(n ? (size_t)n * es : 1);
  return v->data ? IR_OK : IR_ERR;
}


int ref_run_node(const ir_graph *g, const ir_node *n, const ir_value *const *in, ir_value *out, char *err,
                 size_t errlen) {
  ir_type to[IR_VARIADIC + 1];
  if (n->n_out > IR_VARIADIC) return ir_node_err(g, n, err, errlen, "too many inputs/outputs");
  for (int i = 0; i < n->n_out; i++) out[i].data = NULL;
  int rc = ir_infer_values(g, n, in, to, err, errlen);
  if (rc) return rc;
  /* a float Conv, Gemm or MatMul writes every element of its output (its GEMM or depthwise
   * loop zeroes first), a Transpose copies every element: no zeroing of what they write; */
  int conv_out = n->op == IR_OP_Conv || n->op == IR_OP_FusedConv || n->op == IR_OP_Gemm || n->op == IR_OP_MatMul ||
                 n->op == IR_OP_Transpose;
  /* so does a float elementwise op, Softmax and a copy (Reshape, Flatten, ...); a unary function
   * (ref_unary_math: Gelu, Silu, ...), LayerNormalization, pooling (every output element of each
   * channel) and Concat (its inputs' extents add up to the output's) */
  ir_op op = n->op;
  if (n->n_out == 1 && to[0].dtype == IR_F32 &&
      (op == IR_OP_Add || op == IR_OP_Sub || op == IR_OP_Mul || op == IR_OP_Div || op == IR_OP_Relu ||
       op == IR_OP_Sigmoid || op == IR_OP_Clip || op == IR_OP_Softmax || op == IR_OP_Reshape || op == IR_OP_Flatten ||
       op == IR_OP_Squeeze || op == IR_OP_Unsqueeze || op == IR_OP_Identity || unary_math(op) ||
       op == IR_OP_LayerNormalization || op == IR_OP_MaxPool || op == IR_OP_AveragePool ||
       op == IR_OP_GlobalAveragePool || op == IR_OP_GlobalMaxPool || op == IR_OP_Concat))
    conv_out = 1;
  for (int i = 0; i < n->n_out; i++) {
    if (!ir_type_known(&to[i]) || (conv_out ? ref_alloc_uninit(&out[i], &to[i]) : ir_value_alloc(&out[i], &to[i]))) {
      for (int k = 0; k < i; k++) ir_value_free(&out[k]);
      return ir_node_err(g, n, err, errlen, "cannot allocate output %d (type unknown or too large)", i);
    }
  }
  ref_call c = {g, n, in, out, err, errlen};
  rc = dispatch(&c);
  if (rc)
    for (int i = 0; i < n->n_out; i++) ir_value_free(&out[i]);
  return rc;
}

/* Runs node n over the batch's nb samples: in[s * n->n_in + j] is input j of sample s, out[s *
 * n->n_out + k] receives output k. A product whose weights the samples share runs as one
 * (ref_batch_node); anything else sample by sample. On failure no output is left allocated. */
static int run_node_batch(const ir_graph *g, const ir_node *n, int nb, const ir_value *const *in, ir_value *out,
                          char *err, size_t errlen) {
  int rc = nb > 1 ? ref_batch_node(g, n, nb, in, out, err, errlen) : -1;
  if (rc >= 0) return rc;
  for (int s = 0; s < nb; s++) {
    rc = ref_run_node(g, n, in + (size_t)s * n->n_in, out + (size_t)s * n->n_out, err, errlen);
    if (rc == IR_OK) continue;
    for (int k = 0; k < s * n->n_out; k++) ir_value_free(&out[k]);
    return rc;
  }
  return IR_OK;
}

/* Checks sample s's inputs against the graph's declared types; val receives them. */
static int bind_inputs(const ir_graph *g, const ir_value *inputs, int n_inputs, ir_value *val, char *err, size_t errlen) {
  for (int i = 0; i < n_inputs; i++) {
    const ir_tensor *t = g->tensors[g->inputs[i]];
    const ir_type *gt = &inputs[i].type;
    int ok = gt->dtype == t->type.dtype || t->type.dtype == IR_UNDEF;
    if (ok && t->type.rank >= 0) {
      ok = gt->rank == t->type.rank;
      for (int d = 0; ok && d < gt->rank; d++) ok = t->type.dims[d] < 0 || t->type.dims[d] == gt->dims[d];
    }
    if (!ok || !ir_type_known(gt)) {
      char want[256];
      ir_type_str(t, want, sizeof want);
      return util_err(err, errlen, "%s: input '%s' does not match its declared type %s",
                      g->source ? g->source : "<graph>", t->name, want);
    }
    val[g->inputs[i]] = inputs[i];
  }
  return IR_OK;
}

/* The values of one batch run: per sample s, val[s * nt + t] and owned[s * nt + t]; scratch
 * for one node's inputs and outputs over the batch. */
typedef struct run_state {
  int nt, nb;
  ir_value *val;
  char *owned;
  int *last; /* [nt] the last node reading tensor t (n_nodes: a graph output; -1: none) */
  const ir_value **in;
  ir_value *out;
  const ir_value **outp;
} run_state;

static int run_state_init(run_state *r, const ir_graph *g, int nb) {
  int nt = g->n_tensors, mi = 1, mo = 1;
  for (int i = 0; i < g->n_nodes; i++) {
    if (g->nodes[i]->n_in > mi) mi = g->nodes[i]->n_in;
    if (g->nodes[i]->n_out > mo) mo = g->nodes[i]->n_out;
  }
  *r = (run_state){.nt = nt, .nb = nb};
  r->val = calloc((size_t)nt * nb + 1, sizeof *r->val);
  r->owned = calloc((size_t)nt * nb + 1, 1);
  r->last = malloc(((size_t)nt + 1) * sizeof(int));
  r->in = calloc((size_t)mi * nb + 1, sizeof *r->in);
  r->out = calloc((size_t)mo * nb + 1, sizeof *r->out);
  r->outp = calloc((size_t)mo * nb + 1, sizeof *r->outp);
  if (!r->val || !r->owned || !r->last || !r->in || !r->out || !r->outp) return IR_ERR;
  for (int t = 0; t < nt; t++) {
    r->last[t] = -1;
    for (int s = 0; s < nb && g->tensors[t]->data; s++) {
      r->val[(size_t)s * nt + t].type = g->tensors[t]->type;
      r->val[(size_t)s * nt + t].data = g->tensors[t]->data;
    }
  }
  for (int i = 0; i < g->n_nodes; i++)
    for (int j = 0; j < g->nodes[i]->n_in; j++)
      if (g->nodes[i]->in[j] >= 0) r->last[g->nodes[i]->in[j]] = i;
  for (int i = 0; i < g->n_outputs; i++) r->last[g->outputs[i]] = g->n_nodes;
  return IR_OK;
}

static void run_state_free(run_state *r) {
  for (size_t i = 0; r->val && r->owned && i < (size_t)r->nt * r->nb; i++)
    if (r->owned[i]) ir_value_free(&r->val[i]);
  free(r->val), free(r->owned), free(r->last), free(r->in), free(r->out), free(r->outp);
}

/* A copy node (Reshape, Flatten, Squeeze, Unsqueeze, Identity: k_copy) that is the last reader
 * of its input, which the run owns (no constant, no graph output): each sample's output takes
 * the input's buffer, with the output's type, instead of a copy of it. 1 when it did (the inputs
 * given up), 0 when the node must run as usual. */
static int move_copy(const ir_graph *g, int i, run_state *r) {
  const ir_node *n = g->nodes[i];
  int x = n->n_in > 0 ? n->in[0] : -1;
  if ((n->op != IR_OP_Reshape && n->op != IR_OP_Flatten && n->op != IR_OP_Squeeze && n->op != IR_OP_Unsqueeze &&
       n->op != IR_OP_Identity) || n->n_out != 1 || x < 0 || r->last[x] != i)
    return 0;
  for (int j = 1; j < n->n_in; j++)
    if (n->in[j] == x) return 0;
  for (int s = 0; s < r->nb; s++) {
    const ir_value *v = &r->val[(size_t)s * r->nt + x];
    ir_type to[IR_VARIADIC + 1];
    char e[8];
    if (!r->owned[(size_t)s * r->nt + x] || ir_infer_values(g, n, r->in + (size_t)s * n->n_in, to, e, sizeof e) ||
        !ir_type_known(&to[0]) || to[0].dtype != v->type.dtype || ir_type_numel(&to[0]) != ir_type_numel(&v->type))
      return 0;
    r->out[s].type = to[0];
  }
  for (int s = 0; s < r->nb; s++) { /* the buffers move */
    ir_value *v = &r->val[(size_t)s * r->nt + x];
    r->out[s].data = v->data;
    v->data = NULL;
    r->owned[(size_t)s * r->nt + x] = 0;
  }
  return 1;
}

/* Node i of g over the batch: runs it (a copy node moves its input, move_copy), keeps its
 * outputs, calls on_batch, frees what no later node reads. */
static int run_step(const ir_graph *g, int i, run_state *r, ref_batch_fn on_batch, void *ctx, char *err,
                    size_t errlen) {
  const ir_node *n = g->nodes[i];
  int nt = r->nt, nb = r->nb;
  for (int s = 0; s < nb; s++)
    for (int j = 0; j < n->n_in; j++) {
      int t = n->in[j];
      ir_value *v = t >= 0 ? &r->val[(size_t)s * nt + t] : NULL;
      r->in[(size_t)s * n->n_in + j] = v;
      if (v && !v->data) return ir_node_err(g, n, err, errlen, "input '%s' has no value", g->tensors[t]->name);
    }
  int rc = move_copy(g, i, r) ? IR_OK : run_node_batch(g, n, nb, r->in, r->out, err, errlen);
  if (rc) return rc;
  for (int s = 0; s < nb; s++)
    for (int j = 0; j < n->n_out; j++) {
      int t = n->out[j];
      size_t k = (size_t)s * n->n_out + j, v = (size_t)s * nt + t;
      if (t < 0) {
        ir_value_free(&r->out[k]);
        r->outp[k] = NULL;
        continue;
      }
      r->val[v] = r->out[k];
      r->owned[v] = 1;
      r->outp[k] = &r->val[v];
    }
  if (on_batch && on_batch(ctx, g, i, nb, r->outp)) return ir_node_err(g, n, err, errlen, "stopped by the per-node callback");
  for (int s = 0; s < nb; s++) {
    for (int j = 0; j < n->n_in; j++) {
      int t = n->in[j];
      size_t v = (size_t)s * nt + t;
      if (t >= 0 && r->owned[v] && r->last[t] == i) ir_value_free(&r->val[v]), r->owned[v] = 0;
    }
    for (int j = 0; j < n->n_out; j++) {
      int t = n->out[j];
      size_t v = (size_t)s * nt + t;
      if (t >= 0 && r->owned[v] && r->last[t] < 0) ir_value_free(&r->val[v]), r->owned[v] = 0;
    }
  }
  return IR_OK;
}

int ref_run_batch(const ir_graph *g, const ir_value *inputs, int n_inputs, int nb, ir_value *outputs,
                  const ref_opts *o, ref_batch_fn on_batch, void *ctx, char *err, size_t errlen) {
  const char *src = g->source ? g->source : "<graph>";
  if (n_inputs != g->n_inputs) return util_err(err, errlen, "%s: %d inputs given, graph has %d", src, n_inputs, g->n_inputs);
  if (nb < 1) return util_err(err, errlen, "%s: %d samples in a batch", src, nb);
  int gemm_threads = ref_gemm_threads, rc = IR_OK;
  ref_sgemm_fn gemm_fn = ref_gemm_fn;
  ref_gemm_threads = o ? o->threads : 0;
  ref_gemm_fn = o ? o->sgemm : NULL;
  run_state r;
  if (run_state_init(&r, g, nb)) rc = util_err(err, errlen, "%s: out of memory", src);
  for (int s = 0; s < nb && rc == IR_OK; s++)
    rc = bind_inputs(g, inputs + (size_t)s * n_inputs, n_inputs, r.val + (size_t)s * r.nt, err, errlen);
  for (int i = 0; i < g->n_nodes && rc == IR_OK; i++)
    if (!g->nodes[i]->dead) rc = run_step(g, i, &r, on_batch, ctx, err, errlen);
  for (int s = 0; s < nb && rc == IR_OK && outputs; s++)
    for (int i = 0; i < g->n_outputs; i++) {
      int t = g->outputs[i];
      ir_value *v = &r.val[(size_t)s * r.nt + t], *y = &outputs[(size_t)s * g->n_outputs + i];
      y->type = v->type;
      y->data = NULL;
      if (!v->data || ir_value_alloc(y, &v->type)) {
        for (int k = 0; k < s * g->n_outputs + i; k++) ir_value_free(&outputs[k]);
        rc = util_err(err, errlen, "%s: output '%s' has no value", src, g->tensors[t]->name);
        break;
      }
      memcpy(y->data, v->data, (size_t)numel(v) * ir_dtype_size(v->type.dtype));
    }
  run_state_free(&r);
  ref_gemm_threads = gemm_threads;
  ref_gemm_fn = gemm_fn;
  return rc;
}

/* ref_run's on_node through ref_run_batch's callback (a batch of one). */
static int one_node(void *ctx, const ir_graph *g, int node_index, int nb, const ir_value *const *outs) {
  const ref_opts *o = ctx;
  (void)nb;
  return o->on_node(o->ctx, g, node_index, outs);
}

int ref_run(const ir_graph *g, const ir_value *inputs, int n_inputs, ir_value *outputs, const ref_opts *o,
            char *err, size_t errlen) {
  return ref_run_batch(g, inputs, n_inputs, 1, outputs, o, o && o->on_node ? one_node : NULL, (void *)o, err, errlen);
}
