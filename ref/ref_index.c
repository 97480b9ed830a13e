/* ref/ref_index.c -- the reference executor's kernels for the less common operators that ONNX's
 * node tests cover and detection / transformer models use: IsNaN, IsInf,
 * MeanVarianceNormalization, Hardmax, Trilu, CumSum, GatherElements, ScatterElements (Scatter),
 * GatherND, TopK, EyeLike, OneHot, Einsum. Shapes come from the IR's shape functions (ir.h), so
 * the kernels read extents off their outputs; every index read from data is checked before it
 * addresses anything. See ref_internal.h. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ref_internal.h"

#define CERR(...) ir_node_err(c->g, c->n, c->err, c->errlen, __VA_ARGS__)

static int64_t numel(const ir_value *v) { return ir_type_numel(&v->type); }

/* Extents before axis ax, at it and after it of type t. */
static void split_axis(const ir_type *t, int ax, int64_t *outer, int64_t *len, int64_t *inner) {
  *outer = *inner = 1;
  *len = t->dims[ax];
  for (int d = 0; d < t->rank; d++) {
    if (d < ax) *outer *= t->dims[d];
    if (d > ax) *inner *= t->dims[d];
  }
}

/* Axis a (negative counts from the end) of a rank-r tensor. */
static int axis_of(int64_t a, int r) { return (int)(a < 0 ? a + r : a); }

/* IsNaN, IsInf (detect_negative, detect_positive): bool per element of an f32 input. */
int ref_isnan_inf(ref_call *c) {
  const float *x = c->in[0]->data;
  uint8_t *y = c->out[0].data;
  int64_t n = numel(c->in[0]);
  int neg = (int)ir_attr_int(c->n, "detect_negative", 1), pos = (int)ir_attr_int(c->n, "detect_positive", 1);
  if (c->n->op == IR_OP_IsNaN)
    for (int64_t i = 0; i < n; i++) y[i] = isnan(x[i]);
  else
    for (int64_t i = 0; i < n; i++) y[i] = isinf(x[i]) && (x[i] > 0 ? pos : neg);
  return IR_OK;
}

/* MeanVarianceNormalization: (x - mean) / (sqrt(mean(x^2) - mean^2) + 1e-9) over its axes (the
 * ONNX function's formula), in double. */
int ref_mvn(ref_call *c) {
  const ir_value *x = c->in[0];
  const float *px = x->data;
  float *py = c->out[0].data;
  int r = x->type.rank;
  char mark[IR_MAX_DIMS];
  int rc = ir_mvn_axes(c->g, c->n, r, mark, c->err, c->errlen);
  if (rc) return rc;
  int64_t so[IR_MAX_DIMS], s = 1, idx[IR_MAX_DIMS] = {0}, off = 0, nx = numel(x), cnt = 1;
  for (int d = r - 1; d >= 0; d--) {
    so[d] = mark[d] ? 0 : s;
    if (mark[d]) cnt *= x->type.dims[d];
    else s *= x->type.dims[d];
  }
  double *sum = calloc((size_t)(2 * s + 1), sizeof *sum); /* + 1: an empty input's */
  if (!sum) return CERR("out of memory");
  double *sq = sum + s;
  for (int pass = 0; pass < 2; pass++) {
    for (int64_t i = 0; i < nx; i++) {
      if (!pass) {
        sum[off] += px[i], sq[off] += (double)px[i] * px[i];
      } else {
        double m = sum[off] / (double)cnt, v = sq[off] / (double)cnt - m * m;
        py[i] = (float)((px[i] - m) / (sqrt(v > 0 ? v : 0) + 1e-9));
      }
      for (int d = r - 1; d >= 0; d--) {
        off += so[d];
        if (++idx[d] < x->type.dims[d]) break;
        off -= so[d] * idx[d];
        idx[d] = 0;
      }
    }
  }
  free(sum);
  return IR_OK;
}

/* Hardmax: 1 at the first largest element along axis (opset < 13: of the axes from axis on,
 * flattened), 0 elsewhere. */
int ref_hardmax(ref_call *c) {
  const ir_value *x = c->in[0];
  const float *px = x->data;
  float *py = c->out[0].data;
  int r = x->type.rank, ax = axis_of(ir_attr_int(c->n, "axis", c->g->opset < 13 ? 1 : -1), r);
  int64_t outer, len, inner;
  split_axis(&x->type, ax, &outer, &len, &inner);
  if (c->g->opset < 13) len *= inner, inner = 1;
  memset(py, 0, (size_t)numel(x) * sizeof *py);
  for (int64_t o = 0; o < outer; o++)
    for (int64_t i = 0; i < inner; i++) {
      const float *row = px + o * len * inner + i;
      int64_t best = 0;
      for (int64_t j = 1; j < len; j++)
        if (row[j * inner] > row[best * inner]) best = j;
      if (len) py[o * len * inner + i + best * inner] = 1.0f;
    }
  return IR_OK;
}

/* Trilu: X with the elements of each matrix (the last two axes) below diagonal k (upper 1:
 * j - i < k) or above it (upper 0: j - i > k) zeroed. */
int ref_trilu(ref_call *c) {
  const ir_value *x = c->in[0];
  int r = x->type.rank;
  int64_t k = c->n->n_in > 1 && c->in[1] ? ref_load_int(c->in[1]->type.dtype, c->in[1]->data, 0) : 0;
  int upper = ir_attr_int(c->n, "upper", 1) != 0;
  int64_t rows = x->type.dims[r - 2], cols = x->type.dims[r - 1], n = numel(x);
  size_t es = ir_dtype_size(x->type.dtype);
  char *py = c->out[0].data;
  if (n) memcpy(py, x->data, (size_t)n * es);
  for (int64_t m = 0; m < n; m += rows * cols)
    for (int64_t i = 0; i < rows; i++)
      for (int64_t j = 0; j < cols; j++) {
        int zero = upper ? j - i < k : j - i > k; /* k beyond +-extents: all or none */
        if (zero) memset(py + (m + i * cols + j) * (int64_t)es, 0, es);
      }
  return IR_OK;
}

/* CumSum: running sums along axis (exclusive: without the element itself; reverse: from the end). */
int ref_cumsum(ref_call *c) {
  const ir_value *x = c->in[0];
  ir_dtype dt = x->type.dtype;
  int r = x->type.rank;
  int64_t a = ref_load_int(c->in[1]->type.dtype, c->in[1]->data, 0);
  if (a < -r || a >= r) return CERR("axis %lld out of range", (long long)a);
  int excl = ir_attr_int(c->n, "exclusive", 0) != 0, rev = ir_attr_int(c->n, "reverse", 0) != 0;
  int64_t outer, len, inner;
  split_axis(&x->type, axis_of(a, r), &outer, &len, &inner);
  for (int64_t o = 0; o < outer; o++)
    for (int64_t i = 0; i < inner; i++)
      if (dt == IR_F32) {
        const float *px = (const float *)x->data + o * len * inner + i;
        float *py = (float *)c->out[0].data + o * len * inner + i, acc = 0;
        for (int64_t s = 0; s < len; s++) {
          int64_t j = (rev ? len - 1 - s : s) * inner;
          if (excl) py[j] = acc, acc += px[j];
          else acc += px[j], py[j] = acc;
        }
      } else {
        int64_t base = o * len * inner + i;
        uint64_t acc = 0; /* wraps as the integer type does */
        for (int64_t s = 0; s < len; s++) {
          int64_t j = base + (rev ? len - 1 - s : s) * inner;
          uint64_t v = (uint64_t)ref_load_int(dt, x->data, j);
          if (excl) ref_store_int(dt, c->out[0].data, j, (int64_t)acc), acc += v;
          else acc += v, ref_store_int(dt, c->out[0].data, j, (int64_t)acc);
        }
      }
  return IR_OK;
}

/* Reduction kind of ScatterElements (0 none, 1 add, 2 mul, 3 max, 4 min). */
static int reduction_kind(const ir_node *n) {
  const char *red = ir_attr_string(n, "reduction", "none");
  return !strcmp(red, "add") ? 1 : !strcmp(red, "mul") ? 2 : !strcmp(red, "max") ? 3 : !strcmp(red, "min") ? 4 : 0;
}

/* Element j of the output (data's type dt) combined with update u by reduction kind rk. */
static void reduce_into(ir_dtype dt, void *y, int64_t j, const void *u, int64_t i, int rk) {
  if (dt == IR_F32) {
    float a = ((float *)y)[j], b = ((const float *)u)[i];
    ((float *)y)[j] = rk == 1 ? a + b : rk == 2 ? a * b : rk == 3 ? fmaxf(a, b) : fminf(a, b);
    return;
  }
  int64_t a = ref_load_int(dt, y, j), b = ref_load_int(dt, u, i);
  int64_t v = rk == 1 ? (int64_t)((uint64_t)a + (uint64_t)b) : rk == 2 ? (int64_t)((uint64_t)a * (uint64_t)b)
              : rk == 3 ? (a > b ? a : b) : (a < b ? a : b);
  ref_store_int(dt, y, j, v);
}

/* GatherElements: Y[i] = X[i with axis's coordinate Indices[i]]; ScatterElements and Scatter: X
 * copied, then Y[i with axis's coordinate Indices[i]] = Updates[i] (or reduced into it), in the
 * indices' order. Indices (negative ones count from the end) are no longer than X on the other
 * axes (shape_elements). */
int ref_elements(ref_call *c) {
  const ir_value *x = c->in[0], *ix = c->in[1];
  int gather = c->n->op == IR_OP_GatherElements, rk = gather ? 0 : reduction_kind(c->n);
  ir_dtype dt = x->type.dtype;
  if (rk && dt == IR_BOOL) return CERR("reduction on bool not supported"), IR_UNSUPPORTED;
  int r = x->type.rank, ax = axis_of(ir_attr_int(c->n, "axis", 0), r);
  size_t es = ir_dtype_size(dt);
  int64_t sx[IR_MAX_DIMS], idx[IR_MAX_DIMS] = {0}, n = numel(ix), base = 0, D = x->type.dims[ax];
  ref_strides(&x->type, sx);
  char *py = c->out[0].data;
  const char *px = x->data, *pu = gather ? NULL : c->in[2]->data;
  if (!gather && numel(x)) memcpy(py, px, (size_t)numel(x) * es);
  for (int64_t i = 0; i < n; i++) {
    int64_t v = ref_load_int(ix->type.dtype, ix->data, i), k = v < 0 ? v + D : v;
    if (k < 0 || k >= D)
      return CERR("index %lld out of range [%lld, %lld) on axis %d", (long long)v, (long long)-D, (long long)D, ax);
    int64_t off = base + k * sx[ax];
    if (gather) memcpy(py + i * (int64_t)es, px + off * (int64_t)es, es);
    else if (!rk) memcpy(py + off * (int64_t)es, pu + i * (int64_t)es, es);
    else reduce_into(dt, py, off, pu, i, rk);
    for (int d = r - 1; d >= 0; d--) {
      if (d != ax) base += sx[d];
      if (++idx[d] < ix->type.dims[d]) break;
      if (d != ax) base -= sx[d] * idx[d];
      idx[d] = 0;
    }
  }
  return IR_OK;
}

/* GatherND: per batch (the batch_dims leading axes, shared), each index tuple (the indices'
 * last axis; negative entries count from the end) selects a slice of the data, copied in order. */
int ref_gather_nd(ref_call *c) {
  const ir_value *x = c->in[0], *ix = c->in[1];
  int r = x->type.rank, q = ix->type.rank, b = (int)ir_attr_int(c->n, "batch_dims", 0);
  int k = (int)ix->type.dims[q - 1];
  size_t es = ir_dtype_size(x->type.dtype);
  int64_t sx[IR_MAX_DIMS], nb = 1, ntup = 1, xb = 1, inner = 1;
  ref_strides(&x->type, sx);
  for (int d = 0; d < b; d++) nb *= x->type.dims[d];
  for (int d = b; d < q - 1; d++) ntup *= ix->type.dims[d];
  for (int d = b; d < r; d++) xb *= x->type.dims[d];
  for (int d = b + k; d < r; d++) inner *= x->type.dims[d];
  const int64_t *pi = ix->data;
  char *py = c->out[0].data;
  for (int64_t bi = 0; bi < nb; bi++)
    for (int64_t t = 0; t < ntup; t++) {
      int64_t off = bi * xb, tup = (bi * ntup + t) * k;
      for (int d = 0; d < k; d++) {
        int64_t v = pi[tup + d], D = x->type.dims[b + d];
        if (v < -D || v >= D) return CERR("index %lld out of range on axis %d (extent %lld)", (long long)v, b + d, (long long)D);
        off += (v < 0 ? v + D : v) * sx[b + d];
      }
      if (inner) memcpy(py + (bi * ntup + t) * inner * (int64_t)es, (const char *)x->data + off * (int64_t)es, (size_t)inner * es);
    }
  return IR_OK;
}

typedef struct topk_key {
  int nan;   /* NaN sorts as the largest */
  double v;  /* the value, negated for the largest first */
  int64_t i; /* its index along the axis (ties: the lower first) */
} topk_key;

static int topk_cmp(const void *pa, const void *pb) {
  const topk_key *a = pa, *b = pb;
  if (a->nan != b->nan) return a->nan > b->nan ? -1 : 1;
  if (a->v != b->v) return a->v < b->v ? -1 : 1;
  return (a->i > b->i) - (a->i < b->i);
}

/* TopK: the K (the outputs' extent on axis) largest (largest 1) or smallest elements along axis,
 * in that order (also for sorted 0), equal values by index; Values and their int64 Indices. */
int ref_topk(ref_call *c) {
  const ir_value *x = c->in[0];
  ir_dtype dt = x->type.dtype;
  int r = x->type.rank, ax = axis_of(ir_attr_int(c->n, "axis", -1), r), largest = ir_attr_int(c->n, "largest", 1) != 0;
  int64_t outer, len, inner, K = c->out[0].type.dims[ax];
  split_axis(&x->type, ax, &outer, &len, &inner);
  size_t es = ir_dtype_size(dt);
  topk_key *key = malloc((size_t)(len ? len : 1) * sizeof *key);
  if (!key) return CERR("out of memory");
  for (int64_t o = 0; o < outer; o++)
    for (int64_t i = 0; i < inner; i++) {
      for (int64_t j = 0; j < len; j++) {
        double v = ir_get_elem(dt, x->data, (o * len + j) * inner + i);
        key[j] = (topk_key){isnan(v) ? (largest ? 1 : -1) : 0, isnan(v) ? 0 : largest ? -v : v, j};
      }
      qsort(key, (size_t)len, sizeof *key, topk_cmp);
      for (int64_t j = 0; j < K; j++) {
        int64_t yo = (o * K + j) * inner + i;
        memcpy((char *)c->out[0].data + yo * (int64_t)es, (const char *)x->data + ((o * len + key[j].i) * inner + i) * (int64_t)es, es);
        ((int64_t *)c->out[1].data)[yo] = key[j].i;
      }
    }
  free(key);
  return IR_OK;
}

/* EyeLike: ones on diagonal k (column = row + k) of the 2-D output, zeros elsewhere. */
int ref_eyelike(ref_call *c) {
  ir_value *y = &c->out[0];
  int64_t rows = y->type.dims[0], cols = y->type.dims[1], k = ir_attr_int(c->n, "k", 0);
  memset(y->data, 0, (size_t)numel(y) * ir_dtype_size(y->type.dtype));
  for (int64_t i = 0; i < rows; i++)
    if (k > -rows - 1 && k < cols && i + k >= 0 && i + k < cols) ir_set_elem(y->type.dtype, y->data, i * cols + i + k, 1);
  return IR_OK;
}

/* OneHot: values[1] where the new axis's coordinate is the index (negative ones count from
 * depth's end), values[0] elsewhere; an index outside [-depth, depth) leaves its row off. */
int ref_onehot(ref_call *c) {
  const ir_value *ix = c->in[0], *vals = c->in[2];
  ir_value *y = &c->out[0];
  int ax = axis_of(ir_attr_int(c->n, "axis", -1), y->type.rank);
  int64_t outer, depth, inner, ny = numel(y);
  split_axis(&y->type, ax, &outer, &depth, &inner);
  size_t es = ir_dtype_size(y->type.dtype);
  const char *off = vals->data, *on = off + es;
  char *py = y->data;
  for (int64_t i = 0; i < ny; i++) memcpy(py + i * (int64_t)es, off, es);
  for (int64_t o = 0; o < outer; o++)
    for (int64_t i = 0; i < inner; i++) {
      double d = trunc(ir_get_elem(ix->type.dtype, ix->data, o * inner + i));
      if (!(d >= -(double)depth && d < (double)depth)) continue;
      int64_t v = (int64_t)d;
      if (v < 0) v += depth;
      memcpy(py + ((o * depth + v) * inner + i) * (int64_t)es, on, es);
    }
  return IR_OK;
}

/* Element i of an Einsum operand: f32 directly, integers exactly. */
static double einsum_load(const ir_value *v, int64_t i) {
  if (v->type.dtype == IR_F32) return ((const float *)v->data)[i];
  return (double)ref_load_int(v->type.dtype, v->data, i);
}

/* Einsum: every combination of the subscripts' values (an odometer over them, the output's
 * first), the operands' product added into the output element, in double. */
int ref_einsum(ref_call *c) {
  ir_einsum e;
  const ir_type *ti[IR_EINSUM_MAX_IN] = {0};
  for (int k = 0; k < c->n->n_in && k < IR_EINSUM_MAX_IN; k++) ti[k] = c->in[k] ? &c->in[k]->type : NULL;
  int rc = ir_einsum_parse(c->g, c->n, ti, &e, c->err, c->errlen);
  if (rc) return rc;
  ir_value *y = &c->out[0];
  int L = e.n_labels, ord[IR_EINSUM_LABELS], no = 0;
  int64_t st[IR_EINSUM_MAX_IN][IR_EINSUM_LABELS] = {{0}}, so[IR_EINSUM_LABELS] = {0}, s[IR_MAX_DIMS], total = 1;
  char in_out[IR_EINSUM_LABELS] = {0};
  for (int k = 0; k < e.n_in; k++) {
    ref_strides(ti[k], s);
    for (int a = 0; a < e.rank[k]; a++) /* a "..." axis of extent 1 broadcasts */
      if (ti[k]->dims[a] != 1 || e.extent[e.term[k][a]] == 1) st[k][e.term[k][a]] += s[a];
  }
  ref_strides(&y->type, s);
  for (int a = 0; a < e.out_rank; a++) so[e.out[a]] = s[a], in_out[e.out[a]] = 1, ord[no++] = e.out[a];
  for (int l = 0; l < L; l++)
    if (!in_out[l]) ord[no++] = l;
  for (int l = 0; l < L; l++) {
    if (e.extent[l] && total > ((int64_t)1 << 36) / e.extent[l])
      return CERR("more than 2^36 products: too many for the reference executor"), IR_UNSUPPORTED;
    total *= e.extent[l];
  }
  int64_t ny = numel(y), idx[IR_EINSUM_LABELS] = {0}, off[IR_EINSUM_MAX_IN] = {0}, yo = 0;
  double *acc = calloc((size_t)(ny ? ny : 1), sizeof *acc);
  if (!acc) return CERR("out of memory");
  for (int64_t t = 0; t < total; t++) {
    double p = 1;
    for (int k = 0; k < e.n_in; k++) p *= einsum_load(c->in[k], off[k]);
    acc[yo] += p;
    for (int j = L - 1; j >= 0; j--) {
      int l = ord[j];
      for (int k = 0; k < e.n_in; k++) off[k] += st[k][l];
      yo += so[l];
      if (++idx[l] < e.extent[l]) break;
      for (int k = 0; k < e.n_in; k++) off[k] -= st[k][l] * idx[l];
      yo -= so[l] * idx[l];
      idx[l] = 0;
    }
  }
  for (int64_t i = 0; i < ny; i++) ir_set_elem(y->type.dtype, y->data, i, acc[i]);
  free(acc);
  return IR_OK;
}
