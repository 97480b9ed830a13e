/* ir/ir_shape.c -- per-node type and shape inference for every IR operator, shared by the
 * shape-inference pass (unknown extents stay -1) and the reference executor (all known).
 * See ir_infer_node and ir_window_geometry in ir.h. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ir.h"

#define ERR(...) ir_node_err(g, n, err, errlen, __VA_ARGS__)

/* Read an int64/int32 constant vector of at most max elements into v; returns the count, or -1
 * when the type is not integer, not 0-/1-D or too long. */
static int const_ints(const ir_type *t, const void *data, int64_t *v, int max) {
  if (!t || !data || (t->dtype != IR_I64 && t->dtype != IR_I32) || t->rank > 1) return -1;
  int64_t cnt = ir_type_numel(t);
  if (cnt < 0 || cnt > max) return -1;
  for (int64_t i = 0; i < cnt; i++)
    v[i] = t->dtype == IR_I64 ? ((const int64_t *)data)[i] : ((const int32_t *)data)[i];
  return (int)cnt;
}

/* a * b for extents (-1 unknown); -1 also when the product would overflow (the caller's numel
 * check then refuses it). */
static int64_t dim_mul(int64_t a, int64_t b) {
  if (a < 0 || b < 0) return -1;
  if (b && a > INT64_MAX / b) return -1;
  return a * b;
}

/* IR_OK if element type dt is f32 (or not known yet), else IR_UNSUPPORTED with the message. */
static int want_f32(const ir_graph *g, const ir_node *n, ir_dtype dt, char *err, size_t errlen) {
  if (dt == IR_F32 || dt == IR_UNDEF) return IR_OK;
  return ERR("input type %s, expected f32", ir_dtype_name(dt)), IR_UNSUPPORTED;
}

/* Normalize axis a against rank r (accepting [-r, r)); -1 if out of range. */
static int norm_axis(int64_t a, int r) {
  if (a < 0) a += r;
  return a >= 0 && a < r ? (int)a : -1;
}

int ir_broadcast(const ir_type *a, const ir_type *b, ir_type *out) {
  out->dtype = a->dtype;
  if (a->rank < 0 || b->rank < 0) {
    out->rank = -1;
    return IR_OK;
  }
  int r = a->rank > b->rank ? a->rank : b->rank;
  out->rank = r;
  for (int i = 0; i < r; i++) {
    int ia = i - (r - a->rank), ib = i - (r - b->rank);
    int64_t da = ia >= 0 ? a->dims[ia] : 1, db = ib >= 0 ? b->dims[ib] : 1;
    if (da == 1)
      out->dims[i] = db;
    else if (db == 1)
      out->dims[i] = da;
    else if (da < 0 || db < 0)
      out->dims[i] = da < 0 ? db : da;
    else if (da == db)
      out->dims[i] = da;
    else
      return IR_ERR;
  }
  return IR_OK;
}

int ir_window_geometry(const ir_graph *g, const ir_node *n, const int64_t *in_sp, int nsp,
                       const int64_t *kernel_from_w, ir_window *w, char *err, size_t errlen) {
  memset(w, 0, sizeof *w);
  w->nsp = nsp;
  if (nsp < 1 || nsp > 3) return ERR("%d spatial axes not supported (1 to 3)", nsp);
  int cnt;
  const int64_t *ks = ir_attr_ints(n, "kernel_shape", &cnt);
  if (ks) {
    if (cnt != nsp) return ERR("kernel_shape has %d entries, input has %d spatial axes", cnt, nsp);
    for (int i = 0; i < nsp; i++) w->kernel[i] = ks[i];
  } else if (kernel_from_w) {
    for (int i = 0; i < nsp; i++) w->kernel[i] = kernel_from_w[i];
  } else {
    return ERR("missing kernel_shape");
  }
  const int64_t *st = ir_attr_ints(n, "strides", &cnt);
  if (st && cnt != nsp) return ERR("strides has %d entries, expected %d", cnt, nsp);
  const int64_t *di = ir_attr_ints(n, "dilations", &cnt);
  if (di && cnt != nsp) return ERR("dilations has %d entries, expected %d", cnt, nsp);
  const int64_t *pd = ir_attr_ints(n, "pads", &cnt);
  if (pd && cnt != 2 * nsp) return ERR("pads has %d entries, expected %d", cnt, 2 * nsp);
  const char *ap = ir_attr_string(n, "auto_pad", "NOTSET");
  int ceil_mode = (int)ir_attr_int(n, "ceil_mode", 0);
  for (int i = 0; i < nsp; i++) {
    w->stride[i] = st ? st[i] : 1;
    w->dil[i] = di ? di[i] : 1;
    w->pad_b[i] = pd ? pd[i] : 0;
    w->pad_e[i] = pd ? pd[i + nsp] : 0;
    w->in[i] = in_sp[i];
    const int64_t lim = (int64_t)1 << 30;
    if (w->kernel[i] < 1 || w->stride[i] < 1 || w->dil[i] < 1 || w->pad_b[i] < 0 || w->pad_e[i] < 0 ||
        w->kernel[i] > lim || w->stride[i] > lim || w->dil[i] > lim || w->pad_b[i] > lim || w->pad_e[i] > lim ||
        in_sp[i] > ((int64_t)1 << 40))
      return ERR("bad kernel/stride/dilation/pads on axis %d", i);
    int64_t ext = (w->kernel[i] - 1) * w->dil[i] + 1;
    int64_t in = in_sp[i];
    if (!strcmp(ap, "SAME_UPPER") || !strcmp(ap, "SAME_LOWER")) {
      if (in < 0) {
        w->out[i] = -1;
        continue;
      }
      w->out[i] = (in + w->stride[i] - 1) / w->stride[i];
      int64_t total = (w->out[i] - 1) * w->stride[i] + ext - in;
      if (total < 0) total = 0;
      int64_t small = total / 2;
      w->pad_b[i] = !strcmp(ap, "SAME_UPPER") ? small : total - small;
      w->pad_e[i] = total - w->pad_b[i];
      continue;
    }
    if (!strcmp(ap, "VALID")) {
      w->pad_b[i] = w->pad_e[i] = 0;
    } else if (strcmp(ap, "NOTSET")) {
      return ERR("unknown auto_pad '%s'", ap);
    }
    if (in < 0) {
      w->out[i] = -1;
      continue;
    }
    w->out[i] = ir_window_out(in, w->pad_b[i], w->pad_e[i], ext, w->stride[i], ceil_mode);
    if (w->out[i] < 0)
      return ERR("kernel extent %lld larger than padded input %lld on axis %d", (long long)ext,
                 (long long)(in + w->pad_b[i] + w->pad_e[i]), i);
  }
  return IR_OK;
}

int64_t ir_window_out(int64_t in, int64_t pad_b, int64_t pad_e, int64_t ext, int64_t stride, int ceil_mode) {
  int64_t span = in + pad_b + pad_e - ext;
  /* ceil_mode: a window may pass the end by less than a stride (torch: a 3 / 2 max pool of 2
   * columns gives one) */
  if (span < 0 && !(ceil_mode && span > -stride)) return -1;
  if (!ceil_mode) return span / stride + 1;
  int64_t out = (span + stride - 1) / stride + 1;
  return (out - 1) * stride >= in + pad_b ? out - 1 : out; /* the last window starts in padding: dropped */
}

/* One axis of ir_convt_geometry: pads from output_shape (os >= 0) or auto_pad, then the output
 * extent; ext = (kernel - 1) * dil + 1. An output_shape up to max(stride, dilation) - 1 past the
 * full output (ONNX's test_convtranspose_output_shape) gives pad_e < 0: zeros at the end. */
static int convt_axis(const ir_graph *g, const ir_node *n, ir_window *w, int i, const char *ap, int64_t os, char *err,
                      size_t errlen) {
  int64_t ext = (w->kernel[i] - 1) * w->dil[i] + 1, in = w->in[i];
  if (in < 0) {
    w->out[i] = os >= 0 ? os : -1;
    return IR_OK;
  }
  int same = !strcmp(ap, "SAME_UPPER") || !strcmp(ap, "SAME_LOWER");
  if (os >= 0 || same) { /* the spec's total_padding, split by auto_pad */
    int64_t target = os >= 0 ? os : in * w->stride[i];
    int64_t total = w->stride[i] * (in - 1) + w->out_pad[i] + ext - target;
    int64_t grow = (w->stride[i] > w->dil[i] ? w->stride[i] : w->dil[i]) - 1;
    if (total < -grow)
      return ERR("output_shape %lld on axis %d is beyond the largest output %lld (stride*(in-1) + output_padding + "
                 "kernel extent, up to max(stride, dilation) - 1 more)", (long long)target, i,
                 (long long)(target + total + grow));
    /* as onnxruntime: a negative total pads nothing before and extends the end (zeros + bias) */
    w->pad_b[i] = total < 0 ? 0 : !strcmp(ap, "SAME_UPPER") ? total / 2 : total - total / 2;
    w->pad_e[i] = total - w->pad_b[i];
  }
  w->out[i] = w->stride[i] * (in - 1) + w->out_pad[i] + ext - w->pad_b[i] - w->pad_e[i];
  if (w->out[i] < 1)
    return ERR("pads %lld + %lld leave no output on axis %d (full extent %lld)", (long long)w->pad_b[i],
               (long long)w->pad_e[i], i, (long long)(w->out[i] + w->pad_b[i] + w->pad_e[i]));
  return IR_OK;
}

int ir_convt_geometry(const ir_graph *g, const ir_node *n, const int64_t *in_sp, int nsp,
                      const int64_t *kernel_from_w, ir_window *w, char *err, size_t errlen) {
  memset(w, 0, sizeof *w);
  w->nsp = nsp;
  if (nsp < 1 || nsp > 3) return ERR("%d spatial axes not supported (1 to 3)", nsp);
  int cnt, nos = 0, nop = 0;
  const int64_t *ks = ir_attr_ints(n, "kernel_shape", &cnt);
  if (ks && cnt != nsp) return ERR("kernel_shape has %d entries, input has %d spatial axes", cnt, nsp);
  if (!ks && !kernel_from_w) return ERR("missing kernel_shape");
  const int64_t *st = ir_attr_ints(n, "strides", &cnt);
  if (st && cnt != nsp) return ERR("strides has %d entries, expected %d", cnt, nsp);
  const int64_t *di = ir_attr_ints(n, "dilations", &cnt);
  if (di && cnt != nsp) return ERR("dilations has %d entries, expected %d", cnt, nsp);
  const int64_t *pd = ir_attr_ints(n, "pads", &cnt);
  if (pd && cnt != 2 * nsp) return ERR("pads has %d entries, expected %d", cnt, 2 * nsp);
  const int64_t *op = ir_attr_ints(n, "output_padding", &nop);
  if (op && nop != nsp) return ERR("output_padding has %d entries, expected %d", nop, nsp);
  const int64_t *os = ir_attr_ints(n, "output_shape", &nos);
  if (os && nos != nsp && nos != nsp + 2)
    return ERR("output_shape has %d entries, expected %d (or %d with batch and channels)", nos, nsp, nsp + 2);
  const char *ap = ir_attr_string(n, "auto_pad", "NOTSET");
  if (strcmp(ap, "NOTSET") && strcmp(ap, "VALID") && strcmp(ap, "SAME_UPPER") && strcmp(ap, "SAME_LOWER"))
    return ERR("unknown auto_pad '%s'", ap);
  const int64_t lim = (int64_t)1 << 30;
  for (int i = 0; i < nsp; i++) {
    w->kernel[i] = ks ? ks[i] : kernel_from_w[i];
    w->stride[i] = st ? st[i] : 1;
    w->dil[i] = di ? di[i] : 1;
    w->pad_b[i] = pd && !strcmp(ap, "NOTSET") ? pd[i] : 0;
    w->pad_e[i] = pd && !strcmp(ap, "NOTSET") ? pd[i + nsp] : 0;
    w->out_pad[i] = op ? op[i] : 0;
    w->in[i] = in_sp[i];
    if (pd && (pd[i] < 0 || pd[i + nsp] < 0)) return ERR("negative pads on axis %d", i);
    if (w->kernel[i] < 1 || w->stride[i] < 1 || w->dil[i] < 1 || w->kernel[i] > lim || w->stride[i] > lim ||
        w->dil[i] > lim || w->pad_b[i] > lim || w->pad_e[i] > lim || in_sp[i] > ((int64_t)1 << 40))
      return ERR("bad kernel/stride/dilation/pads on axis %d", i);
    if (w->out_pad[i] < 0 || (w->out_pad[i] >= w->stride[i] && w->out_pad[i] >= w->dil[i]))
      return ERR("output_padding %lld on axis %d, expected 0 up to the stride %lld or the dilation %lld (exclusive)",
                 (long long)w->out_pad[i], i, (long long)w->stride[i], (long long)w->dil[i]);
    int64_t o = os ? os[i + nos - nsp] : -1;
    if (os && o < 1) return ERR("output_shape %lld on axis %d", (long long)o, i);
    if (convt_axis(g, n, w, i, ap, o, err, errlen)) return IR_ERR;
  }
  return IR_OK;
}

static void set_unknown(ir_type *t, ir_dtype dt) {
  memset(t, 0, sizeof *t);
  t->dtype = dt;
  t->rank = -1;
}

/* Conv-like output: X [N,C,sp...], W [M,C/group,k...] -> [N,M,out...]. */
static int infer_conv(const ir_graph *g, const ir_node *n, const ir_type *x, const ir_type *wt,
                      ir_dtype odt, ir_type *out, char *err, size_t errlen) {
  set_unknown(out, odt);
  if (x->rank < 0) return IR_OK;
  if (x->rank < 3) return ERR("input rank %d, expected >= 3", x->rank);
  int nsp = x->rank - 2;
  int64_t group = ir_attr_int(n, "group", 1);
  if (group < 1) return ERR("group %lld", (long long)group);
  int64_t kw[IR_MAX_DIMS];
  int have_w = wt && wt->rank >= 0;
  if (have_w) {
    if (wt->rank != x->rank) return ERR("weight rank %d, input rank %d", wt->rank, x->rank);
    for (int i = 0; i < nsp; i++) kw[i] = wt->dims[i + 2];
    if (x->dims[1] >= 0 && wt->dims[1] >= 0 && x->dims[1] != wt->dims[1] * group)
      return ERR("input has %lld channels, weight expects %lld x group %lld", (long long)x->dims[1],
                 (long long)wt->dims[1], (long long)group);
    if (wt->dims[0] >= 0 && wt->dims[0] % group) return ERR("%lld output channels not divisible by group %lld",
                                                             (long long)wt->dims[0], (long long)group);
  }
  int cnt;
  const int64_t *ks = ir_attr_ints(n, "kernel_shape", &cnt);
  if (have_w && ks) {
    if (cnt != nsp) return ERR("kernel_shape has %d entries, input has %d spatial axes", cnt, nsp);
    for (int i = 0; i < nsp; i++)
      if (kw[i] >= 0 && ks[i] != kw[i]) return ERR("kernel_shape %lld differs from the weight's %lld on axis %d",
                                                   (long long)ks[i], (long long)kw[i], i);
  }
  if (!have_w && !ks) return IR_OK;
  for (int i = 0; i < nsp; i++)
    if (have_w && kw[i] < 0) return IR_OK;
  ir_window w;
  if (ir_window_geometry(g, n, x->dims + 2, nsp, have_w ? kw : NULL, &w, err, errlen)) return IR_ERR;
  out->rank = x->rank;
  out->dims[0] = x->dims[0];
  out->dims[1] = have_w ? wt->dims[0] : -1;
  for (int i = 0; i < nsp; i++) out->dims[i + 2] = w.out[i];
  return IR_OK;
}

static int infer_pool(const ir_graph *g, const ir_node *n, const ir_type *x, ir_type *out, char *err,
                      size_t errlen) {
  set_unknown(out, x->dtype);
  if (x->rank < 0) return IR_OK;
  if (x->rank < 3) return ERR("input rank %d, expected >= 3", x->rank);
  ir_window w;
  if (ir_window_geometry(g, n, x->dims + 2, x->rank - 2, NULL, &w, err, errlen)) return IR_ERR;
  *out = *x;
  for (int i = 0; i < w.nsp; i++) out->dims[i + 2] = w.out[i];
  return IR_OK;
}

/* numpy matmul shape of a and b. */
static int infer_matmul(const ir_graph *g, const ir_node *n, const ir_type *a, const ir_type *b,
                        ir_dtype odt, ir_type *out, char *err, size_t errlen) {
  set_unknown(out, odt);
  if (a->rank < 0 || b->rank < 0) return IR_OK;
  if (a->rank < 1 || b->rank < 1) return ERR("matmul of a scalar");
  ir_type a2 = *a, b2 = *b;
  if (a->rank == 1) {
    a2.rank = 2;
    a2.dims[0] = 1;
    a2.dims[1] = a->dims[0];
  }
  if (b->rank == 1) {
    b2.rank = 2;
    b2.dims[0] = b->dims[0];
    b2.dims[1] = 1;
  }
  int64_t k1 = a2.dims[a2.rank - 1], k2 = b2.dims[b2.rank - 2];
  if (k1 >= 0 && k2 >= 0 && k1 != k2) return ERR("inner dimensions %lld and %lld differ", (long long)k1, (long long)k2);
  ir_type ba = a2, bb = b2;
  ba.rank -= 2;
  bb.rank -= 2;
  ir_type bo;
  if (ir_broadcast(&ba, &bb, &bo)) return ERR("batch dimensions do not broadcast");
  if (bo.rank + 2 > IR_MAX_DIMS) return IR_UNSUPPORTED;
  *out = bo;
  out->dtype = odt;
  if (a->rank > 1) out->dims[out->rank++] = a2.dims[a2.rank - 2];
  if (b->rank > 1) out->dims[out->rank++] = b2.dims[b2.rank - 1];
  return IR_OK;
}

/* One shape function per operator of ir_ops.def, shape_<Op> (operators that share one are
 * aliased below); each types the node's outputs from its inputs' types (and constant values). */
typedef int (*shape_fn)(const ir_graph *g, const ir_node *n, const ir_type *const *in, const void *const *in_data,
                        ir_type *out, char *err, size_t errlen);

/* Conv, FusedConv */
static int shape_Conv(const ir_graph *g, const ir_node *n, const ir_type *const *in, const void *const *in_data,
                 ir_type *out, char *err, size_t errlen) {
  (void)in_data;
  const ir_type *x = n->n_in > 0 ? in[0] : NULL;
  if (want_f32(g, n, x->dtype, err, errlen)) return IR_UNSUPPORTED;
  if (infer_conv(g, n, x, in[1], IR_F32, &out[0], err, errlen)) return IR_ERR;
  if (n->op == IR_OP_FusedConv && n->n_in > 3 && in[3]) {
    const ir_type *r = in[3];
    int ok = r->rank < 0 || out[0].rank < 0 || r->rank == out[0].rank;
    for (int i = 0; ok && r->rank >= 0 && i < r->rank && i < out[0].rank; i++)
      ok = r->dims[i] < 0 || out[0].dims[i] < 0 || r->dims[i] == out[0].dims[i];
    if (!ok) return ERR("residual does not have the conv output's shape");
  }
  return IR_OK;
}

/* QLinearConv */
static int shape_QLinearConv(const ir_graph *g, const ir_node *n, const ir_type *const *in, const void *const *in_data,
                 ir_type *out, char *err, size_t errlen) {
  (void)in_data;
  const ir_type *x = n->n_in > 0 ? in[0] : NULL;
  return infer_conv(g, n, x, in[3], in[7]->dtype, &out[0], err, errlen);
}

/* Gemm */
static int shape_Gemm(const ir_graph *g, const ir_node *n, const ir_type *const *in, const void *const *in_data,
                 ir_type *out, char *err, size_t errlen) {
  (void)in_data;
  const ir_type *x = n->n_in > 0 ? in[0] : NULL;
    set_unknown(&out[0], x->dtype);
    const ir_type *b = in[1];
    if (x->rank >= 0 && x->rank != 2) return ERR("A has rank %d, expected 2", x->rank);
    if (b->rank >= 0 && b->rank != 2) return ERR("B has rank %d, expected 2", b->rank);
    int ta = (int)ir_attr_int(n, "transA", 0), tb = (int)ir_attr_int(n, "transB", 0);
    int64_t m = x->rank == 2 ? x->dims[ta ? 1 : 0] : -1, ka = x->rank == 2 ? x->dims[ta ? 0 : 1] : -1;
    int64_t kb = b->rank == 2 ? b->dims[tb ? 1 : 0] : -1, nn = b->rank == 2 ? b->dims[tb ? 0 : 1] : -1;
    if (ka >= 0 && kb >= 0 && ka != kb) return ERR("inner dimensions %lld and %lld differ", (long long)ka, (long long)kb);
    out[0].rank = 2;
    out[0].dims[0] = m;
    out[0].dims[1] = nn;
    if (n->n_in > 2 && in[2]) {
      ir_type t;
      if (in[2]->rank > 2 || ir_broadcast(in[2], &out[0], &t) ||
          (t.rank == 2 && ((m >= 0 && t.dims[0] != m) || (nn >= 0 && t.dims[1] != nn))))
        return ERR("C does not broadcast to [%lld,%lld]", (long long)m, (long long)nn);
    }
    return IR_OK;
}

/* MatMul */
static int shape_MatMul(const ir_graph *g, const ir_node *n, const ir_type *const *in, const void *const *in_data,
                 ir_type *out, char *err, size_t errlen) {
  (void)in_data;
  const ir_type *x = n->n_in > 0 ? in[0] : NULL;
  return infer_matmul(g, n, x, in[1], x->dtype, &out[0], err, errlen);
}

/* QLinearMatMul */
static int shape_QLinearMatMul(const ir_graph *g, const ir_node *n, const ir_type *const *in, const void *const *in_data,
                 ir_type *out, char *err, size_t errlen) {
  (void)in_data;
  const ir_type *x = n->n_in > 0 ? in[0] : NULL;
  return infer_matmul(g, n, x, in[3], in[7]->dtype, &out[0], err, errlen);
}

/* Relu, Sigmoid, Clip, Identity, Softmax, LogSoftmax */
static int shape_unary(const ir_graph *g, const ir_node *n, const ir_type *const *in, const void *const *in_data,
                 ir_type *out, char *err, size_t errlen) {
  (void)in_data;
  int opset = g->opset;
  const ir_type *x = n->n_in > 0 ? in[0] : NULL;
  out[0] = *x;
  if ((n->op == IR_OP_Softmax || n->op == IR_OP_LogSoftmax) && x->rank >= 0) {
    int64_t ax = ir_attr_int(n, "axis", opset < 13 ? 1 : -1);
    if (x->rank == 0 || norm_axis(ax, x->rank) < 0) return ERR("axis %lld out of range", (long long)ax);
  }
  return IR_OK;
}

/* Dropout */
static int shape_Dropout(const ir_graph *g, const ir_node *n, const ir_type *const *in, const void *const *in_data,
                 ir_type *out, char *err, size_t errlen) {
  (void)g, (void)in_data, (void)err, (void)errlen;
  const ir_type *x = n->n_in > 0 ? in[0] : NULL;
  out[0] = *x;
  if (n->n_out > 1) {
    out[1] = *x;
    out[1].dtype = IR_BOOL;
  }
  return IR_OK;
}

/* Add, Sub, Mul, Div */
static int shape_binary(const ir_graph *g, const ir_node *n, const ir_type *const *in, const void *const *in_data,
                 ir_type *out, char *err, size_t errlen) {
  (void)in_data;
  const ir_type *x = n->n_in > 0 ? in[0] : NULL;
  if (x->dtype != in[1]->dtype && x->dtype && in[1]->dtype)
    return ERR("operand types %s and %s differ", ir_dtype_name(x->dtype), ir_dtype_name(in[1]->dtype));
  if (ir_broadcast(x, in[1], &out[0])) return ERR("shapes do not broadcast");
  return IR_OK;
}

/* BatchNormalization */
static int shape_BatchNormalization(const ir_graph *g, const ir_node *n, const ir_type *const *in, const void *const *in_data,
                 ir_type *out, char *err, size_t errlen) {
  (void)in_data;
  const ir_type *x = n->n_in > 0 ? in[0] : NULL;
  out[0] = *x;
  if (x->rank >= 0 && x->rank < 2) return ERR("input rank %d, expected >= 2", x->rank);
  if (!ir_attr_int(n, "spatial", 1)) return ERR("spatial 0 (per-element statistics) not supported"), IR_UNSUPPORTED;
  for (int i = 1; i < 5; i++)
    if (in[i]->rank >= 0 && in[i]->rank != 1) return ERR("input %d has rank %d, expected 1", i, in[i]->rank);
  for (int i = 1; i < n->n_out; i++) {
    set_unknown(&out[i], x->dtype);
    out[i].rank = 1;
    out[i].dims[0] = x->rank >= 2 ? x->dims[1] : -1;
  }
  return IR_OK;
}

/* MaxPool, AveragePool */
static int shape_pool_op(const ir_graph *g, const ir_node *n, const ir_type *const *in, const void *const *in_data,
                 ir_type *out, char *err, size_t errlen) {
  (void)in_data;
  const ir_type *x = n->n_in > 0 ? in[0] : NULL;
  if (infer_pool(g, n, x, &out[0], err, errlen)) return IR_ERR;
  if (n->n_out > 1) {
    out[1] = out[0];
    out[1].dtype = IR_I64;
  }
  return IR_OK;
}

/* GlobalAveragePool, GlobalMaxPool */
static int shape_global_pool(const ir_graph *g, const ir_node *n, const ir_type *const *in, const void *const *in_data,
                 ir_type *out, char *err, size_t errlen) {
  (void)in_data;
  const ir_type *x = n->n_in > 0 ? in[0] : NULL;
  out[0] = *x;
  if (x->rank >= 0 && x->rank < 3) return ERR("input rank %d, expected >= 3", x->rank);
  for (int i = 2; i < x->rank; i++) out[0].dims[i] = 1;
  return IR_OK;
}

/* Flatten */
static int shape_Flatten(const ir_graph *g, const ir_node *n, const ir_type *const *in, const void *const *in_data,
                 ir_type *out, char *err, size_t errlen) {
  (void)in_data;
  const ir_type *x = n->n_in > 0 ? in[0] : NULL;
    set_unknown(&out[0], x->dtype);
    if (x->rank < 0) return IR_OK;
    int64_t ax = ir_attr_int(n, "axis", 1);
    if (ax < 0) ax += x->rank;
    if (ax < 0 || ax > x->rank) return ERR("axis %lld out of range", (long long)ir_attr_int(n, "axis", 1));
    int64_t a = 1, b = 1;
    for (int i = 0; i < x->rank; i++) {
      int64_t *p = i < ax ? &a : &b;
      *p = dim_mul(*p, x->dims[i]);
    }
    out[0].rank = 2;
    out[0].dims[0] = a;
    out[0].dims[1] = b;
    return IR_OK;
}

/* Reshape */
static int shape_Reshape(const ir_graph *g, const ir_node *n, const ir_type *const *in, const void *const *in_data,
                 ir_type *out, char *err, size_t errlen) {
  const ir_type *x = n->n_in > 0 ? in[0] : NULL;
  int64_t v[IR_MAX_DIMS * 2 + 2];
  int cnt;
    set_unknown(&out[0], x->dtype);
    cnt = const_ints(in[1], in_data[1], v, IR_MAX_DIMS);
    if (cnt < 0) {
      if (in[1]->rank == 1 && in[1]->dims[0] >= 0 && in[1]->dims[0] <= IR_MAX_DIMS) {
        out[0].rank = (int)in[1]->dims[0];
        for (int i = 0; i < out[0].rank; i++) out[0].dims[i] = -1;
      }
      if (in_data[1] || in[1]->rank > 1) return ERR("shape must be a 1-D int64 tensor of at most %d entries", IR_MAX_DIMS);
      return IR_OK;
    }
    int allowzero = (int)ir_attr_int(n, "allowzero", 0);
    int neg = -1;
    int64_t known = 1;        /* product of the known output extents */
    char copied[IR_MAX_DIMS] = {0}; /* input axes whose unknown extent a 0 entry copies */
    out[0].rank = cnt;
    for (int i = 0; i < cnt; i++) {
      int64_t d = v[i];
      if (d == 0 && !allowzero) {
        if (x->rank >= 0 && i >= x->rank) return ERR("shape entry %d is 0 but input has rank %d", i, x->rank);
        d = x->rank >= 0 ? x->dims[i] : -1;
        if (d < 0 && x->rank >= 0) copied[i] = 1;
      } else if (d == -1) {
        if (neg >= 0) return ERR("shape has two -1 entries");
        neg = i;
      } else if (d < -1) {
        return ERR("shape entry %lld", (long long)d);
      }
      out[0].dims[i] = d;
      if (i != neg && !copied[i]) known = dim_mul(known, d);
    }
    /* elements of the input outside the copied unknown axes (-1 if some other extent is unknown) */
    int64_t total = x->rank >= 0 ? 1 : -1;
    for (int i = 0; i < x->rank && total >= 0; i++) {
      if (copied[i]) continue;
      total = dim_mul(total, x->dims[i]);
    }
    if (neg >= 0) {
      if (total >= 0 && known > 0) {
        if (total % known) return ERR("cannot reshape %lld elements with -1", (long long)total);
        out[0].dims[neg] = total / known;
      } else if (total >= 0 && known == 0) {
        if (total) return ERR("cannot infer -1 with a zero-size shape");
        out[0].dims[neg] = 0;
      } else {
        out[0].dims[neg] = -1;
      }
    } else if (total >= 0 && known >= 0 && total != known) {
      return ERR("cannot reshape %lld elements into %lld", (long long)total, (long long)known);
    }
    return IR_OK;
}

/* Transpose */
static int shape_Transpose(const ir_graph *g, const ir_node *n, const ir_type *const *in, const void *const *in_data,
                 ir_type *out, char *err, size_t errlen) {
  (void)in_data;
  const ir_type *x = n->n_in > 0 ? in[0] : NULL;
  int cnt;
    set_unknown(&out[0], x->dtype);
    if (x->rank < 0) return IR_OK;
    const int64_t *perm = ir_attr_ints(n, "perm", &cnt);
    if (perm && cnt != x->rank) return ERR("perm has %d entries, input rank %d", cnt, x->rank);
    int seen[IR_MAX_DIMS] = {0};
    out[0].rank = x->rank;
    for (int i = 0; i < x->rank; i++) {
      int64_t p = perm ? perm[i] : x->rank - 1 - i;
      if (p < 0 || p >= x->rank || seen[p]) return ERR("perm is not a permutation");
      seen[p] = 1;
      out[0].dims[i] = x->dims[p];
    }
    return IR_OK;
}

/* Concat */
static int shape_Concat(const ir_graph *g, const ir_node *n, const ir_type *const *in, const void *const *in_data,
                 ir_type *out, char *err, size_t errlen) {
  (void)in_data;
  const ir_type *x = n->n_in > 0 ? in[0] : NULL;
    set_unknown(&out[0], x->dtype);
    int r = -1;
    for (int i = 0; i < n->n_in; i++) {
      if (!in[i]) return ERR("input %d is missing", i);
      if (in[i]->dtype != x->dtype) return ERR("input types differ");
      if (in[i]->rank >= 0) {
        if (r >= 0 && in[i]->rank != r) return ERR("input ranks differ");
        r = in[i]->rank;
      }
    }
    if (r < 0) return IR_OK;
    int ax = norm_axis(ir_attr_int(n, "axis", 0), r);
    if (ax < 0) return ERR("axis %lld out of range", (long long)ir_attr_int(n, "axis", 0));
    out[0].rank = r;
    for (int d = 0; d < r; d++) out[0].dims[d] = d == ax ? 0 : -1;
    for (int i = 0; i < n->n_in; i++) {
      if (in[i]->rank < 0) {
        out[0].dims[ax] = -1;
        continue;
      }
      for (int d = 0; d < r; d++) {
        int64_t e = in[i]->dims[d];
        if (d == ax) {
          out[0].dims[ax] = (out[0].dims[ax] < 0 || e < 0) ? -1 : out[0].dims[ax] + e;
        } else if (e >= 0) {
          if (out[0].dims[d] >= 0 && out[0].dims[d] != e) return ERR("extents differ on axis %d", d);
          out[0].dims[d] = e;
        }
      }
    }
    return IR_OK;
}

/* Squeeze, Unsqueeze */
static int shape_squeeze(const ir_graph *g, const ir_node *n, const ir_type *const *in, const void *const *in_data,
                 ir_type *out, char *err, size_t errlen) {
  int opset = g->opset;
  const ir_type *x = n->n_in > 0 ? in[0] : NULL;
  int64_t v[IR_MAX_DIMS * 2 + 2];
    set_unknown(&out[0], x->dtype);
    const int64_t *ax = NULL;
    int nax = 0;
    if (opset < 13) {
      ax = ir_attr_ints(n, "axes", &nax);
    } else if (n->n_in > 1 && in[1]) {
      nax = const_ints(in[1], in_data[1], v, IR_MAX_DIMS);
      if (nax < 0) {
        if (in_data[1]) return ERR("axes must be a 1-D int64 tensor");
        return IR_OK;
      }
      ax = v;
    }
    if (x->rank < 0) return IR_OK;
    char mark[IR_MAX_DIMS] = {0};
    if (n->op == IR_OP_Unsqueeze) {
      int r = x->rank + nax;
      if (!ax) return ERR("missing axes");
      if (r > IR_MAX_DIMS) return IR_UNSUPPORTED;
      for (int i = 0; i < nax; i++) {
        int a = norm_axis(ax[i], r);
        if (a < 0 || mark[a]) return ERR("axis %lld out of range or repeated", (long long)ax[i]);
        mark[a] = 1;
      }
      out[0].rank = r;
      for (int i = 0, k = 0; i < r; i++) out[0].dims[i] = mark[i] ? 1 : x->dims[k++];
      return IR_OK;
    }
    if (ax) {
      for (int i = 0; i < nax; i++) {
        int a = norm_axis(ax[i], x->rank);
        if (a < 0 || mark[a]) return ERR("axis %lld out of range or repeated", (long long)ax[i]);
        if (x->dims[a] >= 0 && x->dims[a] != 1) return ERR("cannot squeeze axis %d of extent %lld", a, (long long)x->dims[a]);
        mark[a] = 1;
      }
    } else {
      for (int i = 0; i < x->rank; i++) {
        if (x->dims[i] < 0) return IR_OK; /* unknown which axes go */
        mark[i] = x->dims[i] == 1;
      }
    }
    out[0].rank = 0;
    for (int i = 0; i < x->rank; i++)
      if (!mark[i]) out[0].dims[out[0].rank++] = x->dims[i];
    return IR_OK;
}

/* Constant */
static int shape_Constant(const ir_graph *g, const ir_node *n, const ir_type *const *in, const void *const *in_data,
                 ir_type *out, char *err, size_t errlen) {
  (void)in, (void)in_data;
    const ir_attr *a = NULL;
    for (int i = 0; i < n->n_attr; i++)
      if (!strncmp(n->attr[i].name, "value", 5)) a = &n->attr[i];
    if (!a) return ERR("no value attribute");
    set_unknown(&out[0], IR_F32);
    if (a->kind == IR_ATTR_TENSOR) {
      out[0] = a->t->type;
    } else if (!strcmp(a->name, "value_float") || !strcmp(a->name, "value_int")) {
      out[0].dtype = a->kind == IR_ATTR_INT ? IR_I64 : IR_F32;
      out[0].rank = 0;
    } else if (!strcmp(a->name, "value_floats") || !strcmp(a->name, "value_ints")) {
      out[0].dtype = a->kind == IR_ATTR_INTS ? IR_I64 : IR_F32;
      out[0].rank = 1;
      out[0].dims[0] = a->n;
    } else {
      return ERR("attribute '%s' not supported", a->name), IR_UNSUPPORTED;
    }
    return IR_OK;
}

/* Pad */
int ir_pad_amounts(const ir_graph *g, const ir_node *n, const ir_type *const *in, const void *const *in_data, int rank,
                   int64_t *pads, char *err, size_t errlen) {
  int64_t v[2 * IR_MAX_DIMS + 2], ax[IR_MAX_DIMS + 1];
  int cnt, nax = rank;
  if (n->n_in < 2 || !in[1]) return ERR("missing the pads input");
  if (!in_data[1]) return IR_UNSUPPORTED;
  cnt = const_ints(in[1], in_data[1], v, 2 * IR_MAX_DIMS + 2);
  if (cnt < 0) return ERR("pads must be a 1-D int64 tensor of at most %d entries", 2 * IR_MAX_DIMS);
  for (int i = 0; i < rank; i++) ax[i] = i;
  if (n->n_in > 3 && in[3]) { /* opset 18: the pads are of these axes only */
    if (!in_data[3]) return IR_UNSUPPORTED;
    nax = const_ints(in[3], in_data[3], ax, IR_MAX_DIMS + 1);
    if (nax < 0 || nax > rank) return ERR("axes must be a 1-D int tensor of at most %d entries", rank);
  }
  if (cnt != 2 * nax) return ERR("pads has %d entries, expected %d", cnt, 2 * nax);
  char seen[IR_MAX_DIMS] = {0};
  memset(pads, 0, (size_t)(2 * rank) * sizeof *pads);
  for (int i = 0; i < nax; i++) {
    int a = norm_axis(ax[i], rank);
    if (a < 0 || seen[a]) return ERR("axes entry %lld out of range or repeated", (long long)ax[i]);
    seen[a] = 1;
    pads[a] = v[i];
    pads[a + rank] = v[i + nax];
  }
  return IR_OK;
}

static int shape_Pad(const ir_graph *g, const ir_node *n, const ir_type *const *in, const void *const *in_data,
                 ir_type *out, char *err, size_t errlen) {
  const ir_type *x = n->n_in > 0 ? in[0] : NULL;
  int64_t pads[2 * IR_MAX_DIMS];
    set_unknown(&out[0], x->dtype);
    const char *mode = ir_attr_string(n, "mode", "constant");
    if (strcmp(mode, "constant") && strcmp(mode, "edge") && strcmp(mode, "reflect") && strcmp(mode, "wrap"))
      return ERR("pad mode '%s' not supported (constant, edge, reflect, wrap)", mode), IR_UNSUPPORTED;
    if (x->rank < 0) return IR_OK;
    int rc = ir_pad_amounts(g, n, in, in_data, x->rank, pads, err, errlen);
    if (rc == IR_UNSUPPORTED) {
      out[0].rank = x->rank;
      for (int i = 0; i < x->rank; i++) out[0].dims[i] = -1;
      return IR_OK;
    }
    if (rc) return rc;
    out[0] = *x;
    for (int i = 0; i < x->rank; i++) {
      const int64_t lim = (int64_t)1 << 40;
      if (pads[i] < -lim || pads[i] > lim || pads[i + x->rank] < -lim || pads[i + x->rank] > lim)
        return ERR("pads entry out of range");
      if (x->dims[i] < 0 || x->dims[i] > lim) continue;
      out[0].dims[i] = x->dims[i] + pads[i] + pads[i + x->rank];
      if (out[0].dims[i] < 0) return ERR("negative output extent on axis %d", i);
    }
    return IR_OK;
}

/* Cast */
static int shape_Cast(const ir_graph *g, const ir_node *n, const ir_type *const *in, const void *const *in_data,
                 ir_type *out, char *err, size_t errlen) {
  (void)in_data;
  const ir_type *x = n->n_in > 0 ? in[0] : NULL;
    out[0] = *x;
    int64_t to = ir_attr_int(n, "to", 0);
    if (to < 0 || to > 255 || !ir_dtype_size((ir_dtype)to) || !ir_get_attr(n, "to"))
      return ERR("cast to ONNX type %lld not supported", (long long)to), IR_UNSUPPORTED;
    out[0].dtype = (ir_dtype)to;
    return IR_OK;
}

/* ConvInteger, MatMulInteger: Conv's / MatMul's shape, int32, of 8-bit integer operands. */
static int shape_integer_product(const ir_graph *g, const ir_node *n, const ir_type *const *in,
                                 const void *const *in_data, ir_type *out, char *err, size_t errlen) {
  (void)in_data;
  for (int k = 0; k < 2; k++)
    if (in[k]->dtype != IR_U8 && in[k]->dtype != IR_I8 && in[k]->dtype != IR_UNDEF)
      return ERR("input %d is %s, expected uint8 or int8", k, ir_dtype_name(in[k]->dtype)), IR_UNSUPPORTED;
  for (int k = 2; k < n->n_in; k++)
    if (in[k] && in[k]->dtype != in[k - 2]->dtype && in[k]->dtype != IR_UNDEF && in[k - 2]->dtype != IR_UNDEF)
      return ERR("zero point %d is %s, its operand %s", k, ir_dtype_name(in[k]->dtype), ir_dtype_name(in[k - 2]->dtype));
  if (n->op == IR_OP_ConvInteger) return infer_conv(g, n, in[0], in[1], IR_I32, &out[0], err, errlen);
  return infer_matmul(g, n, in[0], in[1], IR_I32, &out[0], err, errlen);
}
#define shape_ConvInteger shape_integer_product
#define shape_MatMulInteger shape_integer_product

/* DynamicQuantizeLinear: Y uint8 of X's shape, a float32 scale and a uint8 zero point (scalars). */
static int shape_DynamicQuantizeLinear(const ir_graph *g, const ir_node *n, const ir_type *const *in,
                                       const void *const *in_data, ir_type *out, char *err, size_t errlen) {
  (void)in_data;
  if (want_f32(g, n, in[0]->dtype, err, errlen)) return IR_UNSUPPORTED;
  out[0] = *in[0];
  out[0].dtype = IR_U8;
  out[1] = (ir_type){.dtype = IR_F32, .rank = 0};
  out[2] = (ir_type){.dtype = IR_U8, .rank = 0};
  return IR_OK;
}

/* CastLike: X's shape, Like's element type. */
static int shape_CastLike(const ir_graph *g, const ir_node *n, const ir_type *const *in, const void *const *in_data,
                          ir_type *out, char *err, size_t errlen) {
  (void)in_data;
  out[0] = *in[0];
  out[0].dtype = in[1]->dtype;
  if (in[1]->dtype != IR_UNDEF && !ir_dtype_size(in[1]->dtype))
    return ERR("cast to %s not supported", ir_dtype_name(in[1]->dtype)), IR_UNSUPPORTED;
  return IR_OK;
}

/* ConstantOfShape */
static int shape_ConstantOfShape(const ir_graph *g, const ir_node *n, const ir_type *const *in, const void *const *in_data,
                 ir_type *out, char *err, size_t errlen) {
  const ir_type *x = n->n_in > 0 ? in[0] : NULL;
  int64_t v[IR_MAX_DIMS * 2 + 2];
  int cnt;
    const ir_attr *a = ir_get_attr(n, "value");
    set_unknown(&out[0], a && a->kind == IR_ATTR_TENSOR ? a->t->type.dtype : IR_F32);
    if (a && a->kind == IR_ATTR_TENSOR && ir_type_numel(&a->t->type) != 1) return ERR("value must have one element");
    cnt = const_ints(x, in_data[0], v, IR_MAX_DIMS);
    if (cnt < 0) {
      if (in_data[0]) return ERR("shape must be a 1-D int64 tensor of at most %d entries", IR_MAX_DIMS);
      if (x->rank == 1 && x->dims[0] >= 0 && x->dims[0] <= IR_MAX_DIMS) {
        out[0].rank = (int)x->dims[0];
        for (int i = 0; i < out[0].rank; i++) out[0].dims[i] = -1;
      }
      return IR_OK;
    }
    out[0].rank = cnt;
    for (int i = 0; i < cnt; i++) {
      if (v[i] < 0) return ERR("negative extent %lld", (long long)v[i]);
      out[0].dims[i] = v[i];
    }
    return IR_OK;
}

/* QuantizeLinear / DequantizeLinear: block_size (opset 21, blocked scales) refused; output_dtype
 * and precision (opsets 21, 23) only where they say what the default would */
static int qdq_attrs_ok(const ir_graph *g, const ir_node *n, ir_dtype zp, char *err, size_t errlen) {
  if (ir_attr_int(n, "block_size", 0))
    return ERR("blocked quantization (block_size %lld) not supported", (long long)ir_attr_int(n, "block_size", 0)),
           IR_UNSUPPORTED;
  int64_t od = ir_attr_int(n, "output_dtype", 0), pr = ir_attr_int(n, "precision", 0);
  if (pr && pr != IR_F32) return ERR("precision %lld not supported (float32 only)", (long long)pr), IR_UNSUPPORTED;
  if (n->op == IR_OP_DequantizeLinear) {
    if (od && od != IR_F32) return ERR("output_dtype %lld not supported (float32 only)", (long long)od), IR_UNSUPPORTED;
  } else if (od && od != (int64_t)zp) {
    return ERR("output_dtype %lld differs from the zero point's type %s", (long long)od, ir_dtype_name(zp));
  }
  return IR_OK;
}

/* QuantizeLinear */
static int shape_QuantizeLinear(const ir_graph *g, const ir_node *n, const ir_type *const *in, const void *const *in_data,
                 ir_type *out, char *err, size_t errlen) {
  (void)in_data;
  const ir_type *x = n->n_in > 0 ? in[0] : NULL;
  int64_t od = ir_attr_int(n, "output_dtype", 0);
  out[0] = *x;
  out[0].dtype = n->n_in > 2 && in[2] ? in[2]->dtype : od > 0 && od < 64 ? (ir_dtype)od : IR_U8;
  if (out[0].dtype != IR_U8 && out[0].dtype != IR_I8)
    return ERR("quantized type %s not supported (int8, uint8)", ir_dtype_name(out[0].dtype)), IR_UNSUPPORTED;
  return qdq_attrs_ok(g, n, out[0].dtype, err, errlen);
}

/* DequantizeLinear */
static int shape_DequantizeLinear(const ir_graph *g, const ir_node *n, const ir_type *const *in, const void *const *in_data,
                 ir_type *out, char *err, size_t errlen) {
  (void)in_data;
  const ir_type *x = n->n_in > 0 ? in[0] : NULL;
  out[0] = *x;
  out[0].dtype = IR_F32;
  return qdq_attrs_ok(g, n, x->dtype, err, errlen);
}

/* ---- elementwise ops beyond the arithmetic four ---- */

/* PRelu: X's type; the slope broadcasts to X (numpy), or (opset < 7) is one value per channel. */
static int shape_PRelu(const ir_graph *g, const ir_node *n, const ir_type *const *in, const void *const *in_data,
                       ir_type *out, char *err, size_t errlen) {
  (void)in_data;
  if (ir_prelu_channel_slope(in[0], in[1])) {
    out[0] = *in[0];
    return IR_OK;
  }
  if (ir_broadcast(in[0], in[1], &out[0])) return ERR("shapes do not broadcast");
  return IR_OK;
}

int ir_prelu_channel_slope(const ir_type *x, const ir_type *slope) {
  return x->rank > 2 && slope->rank == 1 && slope->dims[0] > 1 && slope->dims[0] == x->dims[1] &&
         slope->dims[0] != x->dims[x->rank - 1];
}

/* Pow: X's type, broadcast with Y's (Y's dtype may differ: an integer exponent). */
static int shape_Pow(const ir_graph *g, const ir_node *n, const ir_type *const *in, const void *const *in_data,
                     ir_type *out, char *err, size_t errlen) {
  (void)in_data;
  if (ir_broadcast(in[0], in[1], &out[0])) return ERR("shapes do not broadcast");
  out[0].dtype = in[0]->dtype;
  return IR_OK;
}

/* Min, Max (variadic), Where (3 inputs: condition, X, Y): every input broadcast; the value
 * operands must share one dtype, which the output has. */
static int shape_nary(const ir_graph *g, const ir_node *n, const ir_type *const *in, const void *const *in_data,
                      ir_type *out, char *err, size_t errlen) {
  (void)in_data;
  int first = n->op == IR_OP_Where ? 1 : 0;
  if (n->op == IR_OP_Where && in[0]->dtype != IR_BOOL && in[0]->dtype != IR_UNDEF) return ERR("condition is not bool");
  out[0] = *in[0];
  for (int i = 0; i < n->n_in; i++) {
    if (!in[i]) return ERR("input %d is missing", i);
    if (i > first && in[i]->dtype != in[first]->dtype && in[i]->dtype && in[first]->dtype)
      return ERR("operand types %s and %s differ", ir_dtype_name(in[first]->dtype), ir_dtype_name(in[i]->dtype));
    ir_type t = out[0];
    if (i && ir_broadcast(&t, in[i], &out[0])) return ERR("shapes do not broadcast");
  }
  out[0].dtype = in[first]->dtype;
  return IR_OK;
}

/* Equal, Less, Greater, GreaterOrEqual, LessOrEqual, And, Or, Xor: broadcast, bool result
 * (And/Or/Xor: bool operands). */
static int shape_compare(const ir_graph *g, const ir_node *n, const ir_type *const *in, const void *const *in_data,
                         ir_type *out, char *err, size_t errlen) {
  (void)in_data;
  if (in[0]->dtype != in[1]->dtype && in[0]->dtype && in[1]->dtype)
    return ERR("operand types %s and %s differ", ir_dtype_name(in[0]->dtype), ir_dtype_name(in[1]->dtype));
  int logic = n->op == IR_OP_And || n->op == IR_OP_Or || n->op == IR_OP_Xor;
  if (logic && in[0]->dtype != IR_BOOL && in[0]->dtype != IR_UNDEF) return ERR("operands are not bool");
  if (ir_broadcast(in[0], in[1], &out[0])) return ERR("shapes do not broadcast");
  out[0].dtype = IR_BOOL;
  return IR_OK;
}

/* Not: bool in, bool out. */
static int shape_Not(const ir_graph *g, const ir_node *n, const ir_type *const *in, const void *const *in_data,
                     ir_type *out, char *err, size_t errlen) {
  (void)in_data;
  if (in[0]->dtype != IR_BOOL && in[0]->dtype != IR_UNDEF) return ERR("input is not bool");
  out[0] = *in[0];
  return IR_OK;
}

/* Unary float functions (Tanh ... Gelu, dlvta.Silu): the input's type; f32 only, except Neg
 * and Abs (any numeric type). */
static int shape_float_unary(const ir_graph *g, const ir_node *n, const ir_type *const *in, const void *const *in_data,
                             ir_type *out, char *err, size_t errlen) {
  (void)in_data;
  ir_dtype dt = in[0]->dtype;
  int any = n->op == IR_OP_Neg || n->op == IR_OP_Abs || n->op == IR_OP_Sign;
  if (dt != IR_UNDEF && dt != IR_F32 && !(any && dt != IR_BOOL))
    return ERR("input type %s, expected f32", ir_dtype_name(dt)), IR_UNSUPPORTED;
  if (n->op == IR_OP_Gelu) {
    const char *a = ir_attr_string(n, "approximate", "none");
    if (strcmp(a, "none") && strcmp(a, "tanh")) return ERR("approximate '%s' (expected none or tanh)", a);
  }
  out[0] = *in[0];
  return IR_OK;
}

/* ---- shape arithmetic ---- */

/* Shape: int64[end - start] (opset 15 start/end, clamped to [0, rank]). */
static int shape_Shape(const ir_graph *g, const ir_node *n, const ir_type *const *in, const void *const *in_data,
                       ir_type *out, char *err, size_t errlen) {
  (void)in_data;
  set_unknown(&out[0], IR_I64);
  out[0].rank = 1;
  out[0].dims[0] = -1;
  int64_t b, e;
  if (in[0]->rank >= 0 && ir_shape_range(n, in[0]->rank, &b, &e) == IR_OK) out[0].dims[0] = e - b;
  (void)g, (void)err, (void)errlen;
  return IR_OK;
}

int ir_shape_range(const ir_node *n, int rank, int64_t *b, int64_t *e) {
  *b = ir_attr_int(n, "start", 0);
  *e = ir_attr_int(n, "end", rank);
  if (*b < 0) *b += rank;
  if (*e < 0) *e += rank;
  *b = *b < 0 ? 0 : *b > rank ? rank : *b;
  *e = *e < 0 ? 0 : *e > rank ? rank : *e;
  if (*e < *b) *e = *b;
  return IR_OK;
}

/* Size: int64 scalar. */
static int shape_Size(const ir_graph *g, const ir_node *n, const ir_type *const *in, const void *const *in_data,
                      ir_type *out, char *err, size_t errlen) {
  (void)g, (void)n, (void)in, (void)in_data, (void)err, (void)errlen;
  set_unknown(&out[0], IR_I64);
  out[0].rank = 0;
  return IR_OK;
}

/* Gather: data[:axis] + indices' shape + data[axis+1:]; constant indices are range-checked. */
static int shape_Gather(const ir_graph *g, const ir_node *n, const ir_type *const *in, const void *const *in_data,
                        ir_type *out, char *err, size_t errlen) {
  const ir_type *x = in[0], *ix = in[1];
  set_unknown(&out[0], x->dtype);
  if (ix->dtype != IR_UNDEF && ix->dtype != IR_I64 && ix->dtype != IR_I32)
    return ERR("indices type %s, expected int64 or int32", ir_dtype_name(ix->dtype));
  if (x->rank < 0 || ix->rank < 0) return IR_OK;
  if (x->rank < 1) return ERR("data is a scalar");
  int ax = norm_axis(ir_attr_int(n, "axis", 0), x->rank);
  if (ax < 0) return ERR("axis %lld out of range", (long long)ir_attr_int(n, "axis", 0));
  if (x->rank + ix->rank - 1 > IR_MAX_DIMS) return ERR("result rank above %d", IR_MAX_DIMS), IR_UNSUPPORTED;
  if (in_data[1] && x->dims[ax] >= 0) {
    int64_t cnt = ir_type_numel(ix);
    for (int64_t i = 0; i < cnt; i++) {
      int64_t v = (int64_t)ir_get_elem(ix->dtype, in_data[1], i);
      if (v < -x->dims[ax] || v >= x->dims[ax]) return ERR("index %lld out of range [%lld, %lld)", (long long)v,
                                                           (long long)-x->dims[ax], (long long)x->dims[ax]);
    }
  }
  out[0].rank = 0;
  for (int i = 0; i < ax; i++) out[0].dims[out[0].rank++] = x->dims[i];
  for (int i = 0; i < ix->rank; i++) out[0].dims[out[0].rank++] = ix->dims[i];
  for (int i = ax + 1; i < x->rank; i++) out[0].dims[out[0].rank++] = x->dims[i];
  return IR_OK;
}

int ir_slice_geometry(const ir_graph *g, const ir_node *n, const ir_type *const *in, const void *const *in_data,
                      int64_t *start, int64_t *step, int64_t *len, char *err, size_t errlen) {
  const ir_type *x = in[0];
  int64_t st[IR_MAX_DIMS], en[IR_MAX_DIMS], ax[IR_MAX_DIMS], sp[IR_MAX_DIMS];
  int ns, ne, na = -1, nst = -1, r = x->rank;
  if (n->n_in < 3 || !in[1] || !in[2]) return ERR("starts and ends inputs missing");
  for (int k = 1; k < 5 && k < n->n_in; k++)
    if (in[k] && !in_data[k]) return IR_UNSUPPORTED; /* not constant (yet) */
  ns = const_ints(in[1], in_data[1], st, IR_MAX_DIMS);
  ne = const_ints(in[2], in_data[2], en, IR_MAX_DIMS);
  if (ns < 0 || ne < 0) return ERR("starts/ends must be 1-D int64 tensors of at most %d entries", IR_MAX_DIMS);
  if (n->n_in > 3 && in[3] && (na = const_ints(in[3], in_data[3], ax, IR_MAX_DIMS)) < 0) return ERR("bad axes");
  if (n->n_in > 4 && in[4] && (nst = const_ints(in[4], in_data[4], sp, IR_MAX_DIMS)) < 0) return ERR("bad steps");
  if (ns != ne || (na >= 0 && na != ns) || (nst >= 0 && nst != ns)) return ERR("starts, ends, axes and steps lengths differ");
  for (int i = 0; i < r; i++) start[i] = 0, step[i] = 1, len[i] = x->dims[i];
  char seen[IR_MAX_DIMS] = {0};
  for (int i = 0; i < ns; i++) {
    int a = norm_axis(na >= 0 ? ax[i] : i, r);
    if (a < 0 || seen[a]) return ERR("axis %lld out of range or repeated", (long long)(na >= 0 ? ax[i] : i));
    seen[a] = 1;
    int64_t d = x->dims[a], s = st[i], e = en[i], k = nst >= 0 ? sp[i] : 1;
    if (k == 0) return ERR("step 0");
    if (d < 0) {
      len[a] = -1;
      continue;
    }
    if (s < 0) s += d;
    if (e < 0) e += d;
    if (k > 0) {
      s = s < 0 ? 0 : s > d ? d : s;
      e = e < 0 ? 0 : e > d ? d : e;
      len[a] = e > s ? (e - s + k - 1) / k : 0;
    } else {
      s = s < 0 ? 0 : s > d - 1 ? d - 1 : s;
      e = e < -1 ? -1 : e > d - 1 ? d - 1 : e;
      len[a] = s > e ? (s - e - k - 1) / -k : 0;
    }
    start[a] = s, step[a] = k;
  }
  return IR_OK;
}

/* Slice: extents from constant starts/ends/axes/steps; otherwise the rank only. */
static int shape_Slice(const ir_graph *g, const ir_node *n, const ir_type *const *in, const void *const *in_data,
                       ir_type *out, char *err, size_t errlen) {
  set_unknown(&out[0], in[0]->dtype);
  if (in[0]->rank < 0) return IR_OK;
  int64_t start[IR_MAX_DIMS], step[IR_MAX_DIMS], len[IR_MAX_DIMS];
  int rc = ir_slice_geometry(g, n, in, in_data, start, step, len, err, errlen);
  out[0].rank = in[0]->rank;
  if (rc == IR_UNSUPPORTED) {
    for (int i = 0; i < out[0].rank; i++) out[0].dims[i] = -1;
    return IR_OK;
  }
  if (rc) return rc;
  for (int i = 0; i < out[0].rank; i++) out[0].dims[i] = len[i];
  return IR_OK;
}

int ir_split_sizes(const ir_graph *g, const ir_node *n, const ir_type *const *in, const void *const *in_data,
                   int *axis, int64_t *sizes, char *err, size_t errlen) {
  const ir_type *x = in[0];
  int ax = norm_axis(ir_attr_int(n, "axis", 0), x->rank);
  if (ax < 0) return ERR("axis %lld out of range", (long long)ir_attr_int(n, "axis", 0));
  *axis = ax;
  int64_t d = x->dims[ax];
  int cnt = -1;
  if (g->opset < 13) {
    const int64_t *sp = ir_attr_ints(n, "split", &cnt);
    if (sp && cnt != n->n_out) return ERR("split has %d entries for %d outputs", cnt, n->n_out);
    if (sp) memcpy(sizes, sp, (size_t)cnt * sizeof *sizes);
    else cnt = -1;
  } else if (n->n_in > 1 && in[1]) {
    if (!in_data[1]) return IR_UNSUPPORTED;
    int64_t v[IR_VARIADIC + 1];
    cnt = const_ints(in[1], in_data[1], v, IR_VARIADIC);
    if (cnt != n->n_out) return ERR("split has %d entries for %d outputs", cnt, n->n_out);
    memcpy(sizes, v, (size_t)cnt * sizeof *sizes);
  }
  if (cnt >= 0) {
    int64_t sum = 0;
    for (int i = 0; i < cnt; i++) {
      if (sizes[i] < 0) return ERR("negative split size");
      sum += sizes[i];
    }
    if (d >= 0 && sum != d) return ERR("split sizes add up to %lld, axis %d has %lld", (long long)sum, ax, (long long)d);
    return IR_OK;
  }
  if (d < 0) return IR_UNSUPPORTED;
  /* equal parts (opset 18's num_outputs: the last part may be smaller) */
  int64_t part = (d + n->n_out - 1) / n->n_out;
  if (!ir_get_attr(n, "num_outputs") && d % n->n_out) return ERR("axis extent %lld not divisible into %d outputs", (long long)d, n->n_out);
  for (int i = 0; i < n->n_out; i++) {
    int64_t left = d - part * i;
    sizes[i] = left < 0 ? 0 : left < part ? left : part;
  }
  return IR_OK;
}

/* Split: one output per part along axis. */
static int shape_Split(const ir_graph *g, const ir_node *n, const ir_type *const *in, const void *const *in_data,
                       ir_type *out, char *err, size_t errlen) {
  for (int i = 0; i < n->n_out; i++) set_unknown(&out[i], in[0]->dtype);
  if (in[0]->rank < 0) return IR_OK;
  if (in[0]->rank < 1) return ERR("input is a scalar");
  int ax;
  int64_t sizes[IR_VARIADIC + 1];
  int rc = ir_split_sizes(g, n, in, in_data, &ax, sizes, err, errlen);
  if (rc && rc != IR_UNSUPPORTED) return rc;
  for (int i = 0; i < n->n_out; i++) {
    out[i] = *in[0];
    out[i].dims[ax] = rc ? -1 : sizes[i];
  }
  return IR_OK;
}

/* Expand: X broadcast with the constant shape. */
static int shape_Expand(const ir_graph *g, const ir_node *n, const ir_type *const *in, const void *const *in_data,
                        ir_type *out, char *err, size_t errlen) {
  set_unknown(&out[0], in[0]->dtype);
  int64_t v[IR_MAX_DIMS];
  int cnt = const_ints(in[1], in_data[1], v, IR_MAX_DIMS);
  if (cnt < 0) {
    if (in_data[1]) return ERR("shape must be a 1-D int64 tensor of at most %d entries", IR_MAX_DIMS);
    if (in[0]->rank >= 0 && in[1]->rank == 1 && in[1]->dims[0] >= 0 && in[1]->dims[0] <= IR_MAX_DIMS) {
      out[0].rank = in[0]->rank > in[1]->dims[0] ? in[0]->rank : (int)in[1]->dims[0];
      for (int i = 0; i < out[0].rank; i++) out[0].dims[i] = -1;
    }
    return IR_OK;
  }
  ir_type st = {.dtype = in[0]->dtype, .rank = cnt};
  for (int i = 0; i < cnt; i++) {
    if (v[i] < 0) return ERR("negative extent %lld", (long long)v[i]);
    st.dims[i] = v[i];
  }
  if (ir_broadcast(in[0], &st, &out[0])) return ERR("input does not broadcast to the shape");
  out[0].dtype = in[0]->dtype;
  return IR_OK;
}

/* Resize */
/* The axes that Resize n's scales / sizes cover (opset 18's axes attribute, else all): their
 * count, or -1 (message in err). */
static int resize_axes(const ir_graph *g, const ir_node *n, int r, int *ax, char *err, size_t errlen) {
  int cnt;
  const int64_t *a = ir_attr_ints(n, "axes", &cnt);
  if (!a) {
    for (int i = 0; i < r; i++) ax[i] = i;
    return r;
  }
  char seen[IR_MAX_DIMS] = {0};
  if (cnt < 1 || cnt > r) return ERR("axes has %d entries for a rank-%d input", cnt, r), -1;
  for (int i = 0; i < cnt; i++) {
    ax[i] = norm_axis(a[i], r);
    if (ax[i] < 0 || seen[ax[i]]) return ERR("axes entry %lld out of range or repeated", (long long)a[i]), -1;
    seen[ax[i]] = 1;
  }
  return cnt;
}

/* sizes v[0..na) of axes ax: the extents and scales, by keep_aspect_ratio_policy (opset 18) */
static int resize_sizes(const ir_graph *g, const ir_node *n, const ir_type *x, const int *ax, int na, const int64_t *v, int64_t *len,
                        double *scale, char *err, size_t errlen) {
  const char *pol = ir_attr_string(n, "keep_aspect_ratio_policy", "stretch");
  int stretch = !strcmp(pol, "stretch"), larger = !strcmp(pol, "not_smaller");
  if (!stretch && !larger && strcmp(pol, "not_larger"))
    return ERR("keep_aspect_ratio_policy '%s' not supported (stretch, not_larger, not_smaller)", pol), IR_ERR;
  double common = 0;
  for (int i = 0; i < na; i++) {
    if (v[i] < 0) return ERR("negative size");
    int d = ax[i];
    len[d] = v[i];
    scale[d] = x->dims[d] > 0 ? (double)v[i] / (double)x->dims[d] : 1.0;
    if (i == 0 || (larger ? scale[d] > common : scale[d] < common)) common = scale[d];
  }
  for (int i = 0; !stretch && i < na; i++) { /* one scale for every axis, the extents rounded half up */
    int d = ax[i];
    scale[d] = common;
    len[d] = x->dims[d] < 0 ? -1 : (int64_t)floor(common * (double)x->dims[d] + 0.5);
  }
  return IR_OK;
}

int ir_resize_geometry(const ir_graph *g, const ir_node *n, const ir_type *const *in, const void *const *in_data,
                       int64_t *len, double *scale, char *err, size_t errlen) {
  const ir_type *x = in[0];
  if (g->opset < 11) return ERR("Resize of opset %d not supported (opset 11 or later)", g->opset), IR_UNSUPPORTED;
  if (x->rank < 0) return IR_UNSUPPORTED;
  int ax[IR_MAX_DIMS], na = resize_axes(g, n, x->rank, ax, err, errlen), rc;
  if (na < 0) return IR_ERR;
  for (int i = 0; i < x->rank; i++) len[i] = x->dims[i], scale[i] = 1.0; /* the axes not resized */
  const ir_type *st = n->n_in > 2 ? in[2] : NULL, *zt = n->n_in > 3 ? in[3] : NULL;
  int64_t zn = zt ? ir_type_numel(zt) : 0, sn = st ? ir_type_numel(st) : 0;
  if (zt && zn > 0) {
    int64_t v[IR_MAX_DIMS];
    if (!in_data[3]) return IR_UNSUPPORTED;
    if (const_ints(zt, in_data[3], v, IR_MAX_DIMS) != na) return ERR("sizes must have %d int64 entries", na);
    rc = resize_sizes(g, n, x, ax, na, v, len, scale, err, errlen);
  } else {
    if (!st || sn <= 0) return ERR("neither scales nor sizes given");
    if (!in_data[2]) return IR_UNSUPPORTED;
    if (st->dtype != IR_F32 || sn != na) return ERR("scales must have %d float entries", na);
    for (int i = 0; i < na; i++) {
      int d = ax[i];
      double sc = ((const float *)in_data[2])[i];
      if (!(sc > 0) || sc > 1e6) return ERR("scale %g on axis %d out of range", sc, d);
      scale[d] = sc;
      len[d] = x->dims[d] < 0 ? -1 : (int64_t)floor((double)x->dims[d] * sc);
    }
    rc = IR_OK;
  }
  if (rc || !ir_attr_int(n, "antialias", 0)) return rc;
  /* antialias (opset 18) stretches a linear or cubic filter by 1 / scale where it downscales */
  if (!strcmp(ir_attr_string(n, "mode", "nearest"), "nearest")) return ERR("antialias with mode nearest"), IR_UNSUPPORTED;
  for (int i = 0; i < x->rank; i++)
    if (scale[i] < 1) return ERR("antialias when downscaling (axis %d, scale %g) not supported", i, scale[i]), IR_UNSUPPORTED;
  return IR_OK;
}

int ir_resize_modes_ok(const ir_node *n) {
  static const char *const ct[] = {"half_pixel", "pytorch_half_pixel", "align_corners", "asymmetric",
                                   "half_pixel_symmetric", "tf_half_pixel_for_nn"};
  static const char *const nm[] = {"round_prefer_floor", "round_prefer_ceil", "floor", "ceil"};
  const char *c = ir_attr_string(n, "coordinate_transformation_mode", "half_pixel");
  const char *m = ir_attr_string(n, "nearest_mode", "round_prefer_floor");
  int okc = 0, okm = 0;
  for (int i = 0; i < 6; i++) okc |= !strcmp(c, ct[i]), okm |= i < 4 && !strcmp(m, nm[i]);
  return okc && okm;
}

/* The input coordinate of output index o by n's coordinate_transformation_mode; NAN for a mode
 * the IR does not know. */
double ir_resize_coord(const ir_node *n, int64_t o, int64_t in_len, int64_t out_len, double scale) {
  const char *c = ir_attr_string(n, "coordinate_transformation_mode", "half_pixel");
  if (!strcmp(c, "half_pixel")) return ((double)o + 0.5) / scale - 0.5;
  if (!strcmp(c, "pytorch_half_pixel")) return out_len > 1 ? ((double)o + 0.5) / scale - 0.5 : 0;
  if (!strcmp(c, "align_corners")) /* the output's extent: onnxruntime's and torch's, not in_len * scale */
    return out_len > 1 ? (double)o * (double)(in_len - 1) / (double)(out_len - 1) : 0;
  if (!strcmp(c, "asymmetric")) return (double)o / scale;
  if (!strcmp(c, "tf_half_pixel_for_nn")) return ((double)o + 0.5) / scale; /* TensorFlow's half_pixel_centers */
  if (!strcmp(c, "half_pixel_symmetric")) { /* opset 19: centred when the extent was floored */
    double adj = (double)out_len / ((double)in_len * scale);
    return (double)in_len / 2 * (1 - adj) + ((double)o + 0.5) / scale - 0.5;
  }
  return NAN;
}

int64_t ir_resize_nearest_src(const ir_node *n, int64_t o, int64_t in_len, int64_t out_len, double scale) {
  const char *m = ir_attr_string(n, "nearest_mode", "round_prefer_floor");
  double x = ir_resize_coord(n, o, in_len, out_len, scale);
  if (isnan(x)) return -1;
  double r;
  if (!strcmp(m, "round_prefer_floor")) r = x == floor(x) + 0.5 ? floor(x) : floor(x + 0.5); /* ties down */
  else if (!strcmp(m, "round_prefer_ceil")) r = floor(x + 0.5);                                /* ties up */
  else if (!strcmp(m, "floor")) r = floor(x);
  else if (!strcmp(m, "ceil")) r = ceil(x);
  else return -1;
  int64_t i = (int64_t)r;
  return i < 0 ? 0 : i >= in_len ? in_len - 1 : i;
}

int ir_resize_linear_src(const ir_node *n, int64_t o, int64_t in_len, int64_t out_len, double scale, int64_t *i0,
                         double *w1) {
  double x = ir_resize_coord(n, o, in_len, out_len, scale);
  if (isnan(x) || in_len < 1) return -1;
  if (x < 0) x = 0; /* the coordinate clamped into the input, as onnxruntime does */
  if (x > (double)(in_len - 1)) x = (double)(in_len - 1);
  int64_t f = (int64_t)floor(x);
  if (f >= in_len - 1) f = in_len - 1, x = (double)f;
  *i0 = f;
  *w1 = x - (double)f;
  return 0;
}

static int shape_Resize(const ir_graph *g, const ir_node *n, const ir_type *const *in, const void *const *in_data,
                        ir_type *out, char *err, size_t errlen) {
  set_unknown(&out[0], in[0]->dtype);
  int64_t len[IR_MAX_DIMS];
  double scale[IR_MAX_DIMS];
  if (err && errlen) err[0] = 0;
  int rc = ir_resize_geometry(g, n, in, in_data, len, scale, err, errlen);
  if (rc == IR_ERR || (rc == IR_UNSUPPORTED && err && errlen && err[0])) return rc; /* not only "not constant" */
  if (in[0]->rank < 0) return IR_OK;
  out[0] = *in[0];
  for (int i = 0; i < in[0]->rank; i++) out[0].dims[i] = rc == IR_OK ? len[i] : -1;
  return IR_OK;
}

/* ScatterND: Data's type; Indices int64 [..., k] with k <= rank(Data), Updates of shape
 * Indices.shape[:-1] + Data.shape[k:]. */
static int shape_ScatterND(const ir_graph *g, const ir_node *n, const ir_type *const *in, const void *const *in_data,
                           ir_type *out, char *err, size_t errlen) {
  (void)g, (void)n, (void)in_data;
  const ir_type *x = in[0], *ix = in[1], *u = in[2];
  out[0] = *x;
  if (ix->dtype != IR_I64) return ERR("indices must be int64, not %s", ir_dtype_name(ix->dtype));
  if (u->dtype != x->dtype) return ERR("updates are %s, data %s", ir_dtype_name(u->dtype), ir_dtype_name(x->dtype));
  if (x->rank < 0 || ix->rank < 0 || u->rank < 0) return IR_OK;
  int64_t k = ix->rank > 0 ? ix->dims[ix->rank - 1] : -1;
  if (ix->rank < 1 || x->rank < 1 || (k >= 0 && (k < 1 || k > x->rank))) return ERR("indices' last extent must be 1..rank of data");
  if (k >= 0 && u->rank != ix->rank - 1 + x->rank - (int)k) return ERR("updates have rank %d, expected %d", u->rank, ix->rank - 1 + x->rank - (int)k);
  for (int i = 0; k >= 0 && i < u->rank; i++) {
    int64_t want = i < ix->rank - 1 ? ix->dims[i] : x->dims[k + i - (ix->rank - 1)];
    if (want >= 0 && u->dims[i] >= 0 && want != u->dims[i]) return ERR("updates' extent %d is %lld, expected %lld", i, (long long)u->dims[i], (long long)want);
  }
  return IR_OK;
}

/* Tile: extent i times repeats[i]. */
static int shape_Tile(const ir_graph *g, const ir_node *n, const ir_type *const *in, const void *const *in_data,
                      ir_type *out, char *err, size_t errlen) {
  set_unknown(&out[0], in[0]->dtype);
  if (in[0]->rank < 0) return IR_OK;
  out[0] = *in[0];
  int64_t v[IR_MAX_DIMS];
  int cnt = const_ints(in[1], in_data[1], v, IR_MAX_DIMS);
  if (cnt < 0) {
    if (in_data[1]) return ERR("repeats must be a 1-D int64 tensor");
    for (int i = 0; i < out[0].rank; i++) out[0].dims[i] = -1;
    return IR_OK;
  }
  if (cnt != in[0]->rank) return ERR("repeats has %d entries, input rank %d", cnt, in[0]->rank);
  for (int i = 0; i < cnt; i++) {
    if (v[i] < 0) return ERR("negative repeat");
    out[0].dims[i] = dim_mul(in[0]->dims[i], v[i]);
  }
  return IR_OK;
}

int ir_range_count(ir_dtype dt, const void *start, const void *limit, const void *delta, int64_t *count) {
  double s = ir_get_elem(dt, start, 0), l = ir_get_elem(dt, limit, 0), d = ir_get_elem(dt, delta, 0);
  if (d == 0 || isnan(s) || isnan(l) || isnan(d)) return IR_ERR;
  double c = ceil((l - s) / d);
  if (!(c < 1e12)) return IR_ERR;
  *count = c > 0 ? (int64_t)c : 0;
  return IR_OK;
}

/* Range: 1-D of max(ceil((limit - start) / delta), 0) elements. */
static int shape_Range(const ir_graph *g, const ir_node *n, const ir_type *const *in, const void *const *in_data,
                       ir_type *out, char *err, size_t errlen) {
  set_unknown(&out[0], in[0]->dtype);
  out[0].rank = 1;
  out[0].dims[0] = -1;
  for (int i = 0; i < 3; i++) {
    if (in[i]->rank > 1 || ir_type_numel(in[i]) > 1) return ERR("input %d is not a scalar", i);
    if (in[i]->dtype != in[0]->dtype) return ERR("input types differ");
  }
  if (!in_data[0] || !in_data[1] || !in_data[2]) return IR_OK;
  if (ir_range_count(in[0]->dtype, in_data[0], in_data[1], in_data[2], &out[0].dims[0])) return ERR("delta 0 or range too long");
  return IR_OK;
}

int ir_reduce_axes_from_input(const ir_graph *g, const ir_node *n) {
  return n->op == IR_OP_ReduceSum ? g->opset >= 13 : g->opset >= 18;
}

int ir_reduce_axes(const ir_graph *g, const ir_node *n, const ir_type *const *in, const void *const *in_data, int rank,
                   char *mark, char *err, size_t errlen) {
  int64_t v[IR_MAX_DIMS];
  const int64_t *ax = NULL;
  int cnt = 0;
  /* axes: an attribute before opset 18 (ReduceSum: before 13), then an optional input */
  if (!ir_reduce_axes_from_input(g, n)) {
    ax = ir_attr_ints(n, "axes", &cnt);
  } else if (n->n_in > 1 && in[1]) {
    if (!in_data[1]) return IR_UNSUPPORTED;
    cnt = const_ints(in[1], in_data[1], v, IR_MAX_DIMS);
    if (cnt < 0) return ERR("axes must be a 1-D int64 tensor");
    ax = v;
  }
  memset(mark, 0, IR_MAX_DIMS);
  if (!ax || !cnt) {
    int noop = (int)ir_attr_int(n, "noop_with_empty_axes", 0);
    for (int i = 0; i < rank; i++) mark[i] = !noop;
    return IR_OK;
  }
  for (int i = 0; i < cnt; i++) {
    int a = norm_axis(ax[i], rank);
    if (a < 0 || mark[a]) return ERR("axis %lld out of range or repeated", (long long)ax[i]);
    mark[a] = 1;
  }
  return IR_OK;
}

/* ReduceMean, ReduceSum, ReduceMax, ReduceMin, ReduceL1/L2/SumSquare/LogSumExp/Prod: reduced axes kept as 1 (keepdims 1) or dropped. */
static int shape_reduce(const ir_graph *g, const ir_node *n, const ir_type *const *in, const void *const *in_data,
                        ir_type *out, char *err, size_t errlen) {
  const ir_type *x = in[0];
  set_unknown(&out[0], x->dtype);
  if (x->rank < 0) return IR_OK;
  char mark[IR_MAX_DIMS];
  int rc = ir_reduce_axes(g, n, in, in_data, x->rank, mark, err, errlen);
  int keep = (int)ir_attr_int(n, "keepdims", 1);
  if (rc == IR_UNSUPPORTED) {
    if (keep) {
      out[0].rank = x->rank;
      for (int i = 0; i < x->rank; i++) out[0].dims[i] = -1;
    }
    return IR_OK;
  }
  if (rc) return rc;
  out[0].rank = 0;
  for (int i = 0; i < x->rank; i++) {
    if (!mark[i]) out[0].dims[out[0].rank++] = x->dims[i];
    else if (keep) out[0].dims[out[0].rank++] = 1;
  }
  return IR_OK;
}

/* ArgMax / ArgMin: int64 indices, the axis kept as 1 (keepdims 1) or dropped. */
static int shape_argminmax(const ir_graph *g, const ir_node *n, const ir_type *const *in, const void *const *in_data,
                           ir_type *out, char *err, size_t errlen) {
  (void)in_data;
  const ir_type *x = in[0];
  set_unknown(&out[0], IR_I64);
  if (x->dtype == IR_BOOL) return ERR("input type %s, expected a number", ir_dtype_name(x->dtype)), IR_UNSUPPORTED;
  if (x->rank < 0) return IR_OK;
  int64_t ax = ir_attr_int(n, "axis", 0);
  int a = norm_axis(ax, x->rank);
  if (x->rank == 0 || a < 0) return ERR("axis %lld out of range", (long long)ax);
  int keep = (int)ir_attr_int(n, "keepdims", 1);
  out[0].rank = 0;
  for (int i = 0; i < x->rank; i++) {
    if (i != a) out[0].dims[out[0].rank++] = x->dims[i];
    else if (keep) out[0].dims[out[0].rank++] = 1;
  }
  return IR_OK;
}

/* ConvTranspose: X [N,C,sp...], W [C, M/group, k...] -> [N,M,out...] (ir_convt_geometry). */
static int shape_ConvTranspose(const ir_graph *g, const ir_node *n, const ir_type *const *in,
                               const void *const *in_data, ir_type *out, char *err, size_t errlen) {
  (void)in_data;
  const ir_type *x = in[0], *wt = in[1], *b = n->n_in > 2 ? in[2] : NULL;
  if (want_f32(g, n, x->dtype, err, errlen)) return IR_UNSUPPORTED;
  set_unknown(&out[0], IR_F32);
  if (x->rank < 0 || wt->rank < 0) return IR_OK;
  if (x->rank < 3) return ERR("input rank %d, expected >= 3", x->rank);
  if (wt->rank != x->rank) return ERR("weight rank %d, input rank %d", wt->rank, x->rank);
  int nsp = x->rank - 2;
  int64_t group = ir_attr_int(n, "group", 1), C = x->dims[1], M = wt->dims[1] >= 0 ? wt->dims[1] * group : -1;
  if (group < 1) return ERR("group %lld", (long long)group);
  if (C >= 0 && wt->dims[0] >= 0 && C != wt->dims[0])
    return ERR("input has %lld channels, weight has %lld", (long long)C, (long long)wt->dims[0]);
  if (C >= 0 && C % group) return ERR("%lld input channels not divisible by group %lld", (long long)C, (long long)group);
  if (b && b->rank >= 0 && (b->rank != 1 || (M >= 0 && b->dims[0] >= 0 && b->dims[0] != M)))
    return ERR("bias is not a vector of the %lld output channels", (long long)M);
  int64_t kw[IR_MAX_DIMS];
  for (int i = 0; i < nsp; i++) kw[i] = wt->dims[i + 2];
  int cnt;
  const int64_t *ks = ir_attr_ints(n, "kernel_shape", &cnt);
  for (int i = 0; ks && cnt == nsp && i < nsp; i++)
    if (kw[i] >= 0 && ks[i] != kw[i])
      return ERR("kernel_shape %lld differs from the weight's %lld on axis %d", (long long)ks[i], (long long)kw[i], i);
  for (int i = 0; i < nsp; i++)
    if (!ks && kw[i] < 0) return IR_OK;
  ir_window w;
  if (ir_convt_geometry(g, n, x->dims + 2, nsp, kw, &w, err, errlen)) return IR_ERR;
  out[0].rank = x->rank;
  out[0].dims[0] = x->dims[0];
  out[0].dims[1] = M;
  for (int i = 0; i < nsp; i++) out[0].dims[i + 2] = w.out[i];
  return IR_OK;
}

/* DepthToSpace (mode DCR or CRD) and SpaceToDepth: [N,C,H,W] <-> [N,C/b^2,H*b,W*b]. */
static int shape_DepthToSpace(const ir_graph *g, const ir_node *n, const ir_type *const *in,
                              const void *const *in_data, ir_type *out, char *err, size_t errlen) {
  (void)in_data;
  const ir_type *x = in[0];
  int64_t b = ir_attr_int(n, "blocksize", -1);
  out[0] = *x;
  if (!ir_get_attr(n, "blocksize")) return ERR("missing blocksize");
  if (b < 1 || b > 4096) return ERR("blocksize %lld", (long long)b);
  const char *mode = ir_attr_string(n, "mode", "DCR");
  if (n->op == IR_OP_DepthToSpace && strcmp(mode, "DCR") && strcmp(mode, "CRD"))
    return ERR("mode '%s', expected DCR or CRD", mode);
  if (x->rank < 0) return IR_OK;
  if (x->rank != 4) return ERR("input rank %d, expected 4", x->rank);
  int64_t *d = out[0].dims, bb = b * b;
  if (n->op == IR_OP_DepthToSpace) {
    if (d[1] >= 0 && d[1] % bb)
      return ERR("%lld channels not divisible by blocksize^2 = %lld", (long long)d[1], (long long)bb);
    d[1] = d[1] >= 0 ? d[1] / bb : -1;
    d[2] = dim_mul(d[2], b), d[3] = dim_mul(d[3], b);
  } else {
    for (int a = 2; a < 4; a++)
      if (d[a] >= 0 && d[a] % b)
        return ERR("extent %lld of axis %d not divisible by blocksize %lld", (long long)d[a], a, (long long)b);
    d[1] = dim_mul(d[1], bb);
    d[2] = d[2] >= 0 ? d[2] / b : -1, d[3] = d[3] >= 0 ? d[3] / b : -1;
  }
  return IR_OK;
}

/* InstanceNormalization: Y as X (rank >= 3), scale and B of X's channel count. */
static int shape_InstanceNormalization(const ir_graph *g, const ir_node *n, const ir_type *const *in,
                                       const void *const *in_data, ir_type *out, char *err, size_t errlen) {
  (void)in_data;
  const ir_type *x = in[0];
  if (want_f32(g, n, x->dtype, err, errlen)) return IR_UNSUPPORTED;
  if (x->rank >= 0 && x->rank < 3) return ERR("input of rank %d, expected N x C x D1 x ...", x->rank);
  for (int k = 1; k < 3 && x->rank >= 0 && x->dims[1] >= 0; k++)
    if (in[k]->rank >= 0 && (in[k]->rank != 1 || (in[k]->dims[0] >= 0 && in[k]->dims[0] != x->dims[1])))
      return ERR("%s must be 1-D of the %lld channels", k == 1 ? "scale" : "B", (long long)x->dims[1]);
  out[0] = *x;
  return IR_OK;
}

/* GroupNormalization: Y as X (rank >= 3, C divisible by num_groups); scale and bias 1-D of
 * num_groups entries (opsets 18-20) or of C (opset 21 on). */
static int shape_GroupNormalization(const ir_graph *g, const ir_node *n, const ir_type *const *in,
                                    const void *const *in_data, ir_type *out, char *err, size_t errlen) {
  (void)in_data;
  const ir_type *x = in[0];
  int64_t G = ir_attr_int(n, "num_groups", 0);
  if (want_f32(g, n, x->dtype, err, errlen)) return IR_UNSUPPORTED;
  if (!ir_get_attr(n, "num_groups") || G < 1) return ERR("num_groups missing or below 1");
  if (x->rank >= 0 && x->rank < 3) return ERR("input of rank %d, expected N x C x D1 x ...", x->rank);
  int64_t C = x->rank >= 0 ? x->dims[1] : -1, want = g->opset >= 21 ? C : G;
  if (C >= 0 && C % G) return ERR("%lld channels do not split into %lld groups", (long long)C, (long long)G);
  for (int k = 1; k < 3; k++)
    if (in[k]->rank >= 0 && (in[k]->rank != 1 || (want >= 0 && in[k]->dims[0] >= 0 && in[k]->dims[0] != want)))
      return ERR("%s must be 1-D of %lld entries (%s, opset %d)", k == 1 ? "scale" : "bias", (long long)want,
                 g->opset >= 21 ? "one per channel" : "one per group", g->opset);
  out[0] = *x;
  return IR_OK;
}

/* LpNormalization: Y as X; p 1 or 2, axis in range. */
static int shape_LpNormalization(const ir_graph *g, const ir_node *n, const ir_type *const *in,
                                 const void *const *in_data, ir_type *out, char *err, size_t errlen) {
  (void)in_data;
  const ir_type *x = in[0];
  if (want_f32(g, n, x->dtype, err, errlen)) return IR_UNSUPPORTED;
  int64_t p = ir_attr_int(n, "p", 2), ax = ir_attr_int(n, "axis", -1);
  if (p != 1 && p != 2) return ERR("p %lld (expected 1 or 2)", (long long)p);
  if (x->rank >= 0 && (x->rank == 0 || norm_axis(ax, x->rank) < 0)) return ERR("axis %lld out of range", (long long)ax);
  out[0] = *x;
  return IR_OK;
}

/* LRN: Y as X (rank >= 3, channels on axis 1); size a positive odd or even count. */
static int shape_LRN(const ir_graph *g, const ir_node *n, const ir_type *const *in, const void *const *in_data,
                     ir_type *out, char *err, size_t errlen) {
  (void)in_data;
  const ir_type *x = in[0];
  if (want_f32(g, n, x->dtype, err, errlen)) return IR_UNSUPPORTED;
  if (x->rank >= 0 && x->rank < 3) return ERR("input of rank %d, expected N x C x D1 x ...", x->rank);
  int64_t size = ir_attr_int(n, "size", 0);
  if (size < 1 || size > 1 << 16) return ERR("size %lld (the required window of channels, 1 or more)", (long long)size);
  out[0] = *x;
  return IR_OK;
}

/* dlvta.Interleave: X [N, sh*sw*group, H, W] -> [N, shape[0], shape[1], shape[2]] with
 * shape[0] <= group, shape[1] <= H*sh, shape[2] <= W*sw (a DepthToSpace, DCR, whose phase groups
 * are group channels apart, cropped at the end: the phases of a ConvTranspose). */
static int shape_Interleave(const ir_graph *g, const ir_node *n, const ir_type *const *in, const void *const *in_data,
                            ir_type *out, char *err, size_t errlen) {
  (void)in_data;
  const ir_type *x = in[0];
  int ns = 0, nh = 0;
  const int64_t *st = ir_attr_ints(n, "strides", &ns), *sh = ir_attr_ints(n, "shape", &nh);
  int64_t G = ir_attr_int(n, "group", 0);
  set_unknown(&out[0], x->dtype);
  if (!st || ns != 2 || !sh || nh != 3 || st[0] < 1 || st[1] < 1 || st[0] > 4096 || st[1] > 4096 || G < 1 ||
      sh[0] < 1 || sh[0] > G || sh[1] < 1 || sh[2] < 1)
    return ERR("strides (2), group and shape (3) attributes missing or out of range");
  if (x->rank < 0) return IR_OK;
  if (x->rank != 4) return ERR("input rank %d, expected 4", x->rank);
  if (x->dims[1] >= 0 && x->dims[1] != st[0] * st[1] * G)
    return ERR("input has %lld channels, expected %lld", (long long)x->dims[1], (long long)(st[0] * st[1] * G));
  for (int a = 0; a < 2; a++)
    if (x->dims[2 + a] >= 0 && sh[1 + a] > x->dims[2 + a] * st[a])
      return ERR("output extent %lld beyond %lld x %lld on axis %d", (long long)sh[1 + a], (long long)x->dims[2 + a],
                 (long long)st[a], 2 + a);
  out[0].rank = 4;
  out[0].dims[0] = x->dims[0];
  for (int a = 0; a < 3; a++) out[0].dims[1 + a] = sh[a];
  return IR_OK;
}

/* LayerNormalization: Y as X; Mean and InvStdDev with the normalized axes (>= axis) set to 1. */
static int shape_LayerNormalization(const ir_graph *g, const ir_node *n, const ir_type *const *in,
                                    const void *const *in_data, ir_type *out, char *err, size_t errlen) {
  (void)in_data;
  const ir_type *x = in[0];
  if (want_f32(g, n, x->dtype, err, errlen)) return IR_UNSUPPORTED;
  out[0] = *x;
  for (int i = 1; i < n->n_out; i++) {
    out[i] = *x;
    out[i].dtype = IR_F32;
  }
  if (x->rank < 0) return IR_OK;
  int ax = norm_axis(ir_attr_int(n, "axis", -1), x->rank);
  if (ax < 0) return ERR("axis %lld out of range", (long long)ir_attr_int(n, "axis", -1));
  for (int i = 1; i < n->n_out; i++)
    for (int d = ax; d < x->rank; d++) out[i].dims[d] = 1;
  for (int k = 1; k < 3 && k < n->n_in; k++) {
    if (!in[k] || in[k]->rank < 0) continue;
    ir_type t = {.dtype = x->dtype, .rank = x->rank - ax};
    for (int d = ax; d < x->rank; d++) t.dims[d - ax] = x->dims[d];
    ir_type b;
    if (in[k]->rank > t.rank || ir_broadcast(&t, in[k], &b) || b.rank != t.rank)
      return ERR("%s does not broadcast to the normalized axes", k == 1 ? "Scale" : "B");
  }
  return IR_OK;
}

/* ---- the less common math, indexing and sorting (ONNX's node tests' operators) ---- */

/* IsNaN, IsInf: f32 in, bool of the same shape out. */
static int shape_isnan_inf(const ir_graph *g, const ir_node *n, const ir_type *const *in, const void *const *in_data,
                           ir_type *out, char *err, size_t errlen) {
  (void)in_data;
  if (want_f32(g, n, in[0]->dtype, err, errlen)) return IR_UNSUPPORTED;
  out[0] = *in[0];
  out[0].dtype = IR_BOOL;
  return IR_OK;
}

int ir_mvn_axes(const ir_graph *g, const ir_node *n, int rank, char *mark, char *err, size_t errlen) {
  static const int64_t def[3] = {0, 2, 3};
  int cnt;
  const int64_t *ax = ir_attr_ints(n, "axes", &cnt);
  if (!ax) ax = def, cnt = 3;
  memset(mark, 0, IR_MAX_DIMS);
  for (int i = 0; i < cnt; i++) {
    int a = norm_axis(ax[i], rank);
    if (a < 0 || mark[a]) return ERR("axis %lld out of range or repeated (input rank %d)", (long long)ax[i], rank);
    mark[a] = 1;
  }
  return IR_OK;
}

/* MeanVarianceNormalization: X's type (f32), its axes valid for X's rank. */
static int shape_MeanVarianceNormalization(const ir_graph *g, const ir_node *n, const ir_type *const *in,
                                           const void *const *in_data, ir_type *out, char *err, size_t errlen) {
  (void)in_data;
  char mark[IR_MAX_DIMS];
  if (want_f32(g, n, in[0]->dtype, err, errlen)) return IR_UNSUPPORTED;
  out[0] = *in[0];
  return in[0]->rank < 0 ? IR_OK : ir_mvn_axes(g, n, in[0]->rank, mark, err, errlen);
}

/* Hardmax: X's type (f32); axis valid (opset < 13: default 1, the axes from it on as one). */
static int shape_Hardmax(const ir_graph *g, const ir_node *n, const ir_type *const *in, const void *const *in_data,
                         ir_type *out, char *err, size_t errlen) {
  (void)in_data;
  const ir_type *x = in[0];
  if (want_f32(g, n, x->dtype, err, errlen)) return IR_UNSUPPORTED;
  out[0] = *x;
  int64_t ax = ir_attr_int(n, "axis", g->opset < 13 ? 1 : -1);
  if (x->rank >= 0 && (x->rank == 0 || norm_axis(ax, x->rank) < 0)) return ERR("axis %lld out of range", (long long)ax);
  return IR_OK;
}

/* A scalar (or one-element 1-D) integer operand k of node n: IR_OK, or IR_ERR naming it. */
static int want_int_scalar(const ir_graph *g, const ir_node *n, const ir_type *t, const char *what, char *err,
                           size_t errlen) {
  if (t->dtype != IR_UNDEF && t->dtype != IR_I64 && t->dtype != IR_I32)
    return ERR("%s is %s, expected int64 or int32", what, ir_dtype_name(t->dtype));
  if (t->rank > 1 || (t->rank == 1 && t->dims[0] >= 0 && t->dims[0] != 1)) return ERR("%s must be a single value", what);
  return IR_OK;
}

/* Trilu: X's type, rank >= 2; k (optional) an int64 scalar. */
static int shape_Trilu(const ir_graph *g, const ir_node *n, const ir_type *const *in, const void *const *in_data,
                       ir_type *out, char *err, size_t errlen) {
  (void)in_data;
  out[0] = *in[0];
  if (in[0]->rank >= 0 && in[0]->rank < 2) return ERR("input has rank %d, expected at least 2", in[0]->rank);
  if (n->n_in > 1 && in[1] && want_int_scalar(g, n, in[1], "k", err, errlen)) return IR_ERR;
  return IR_OK;
}

/* CumSum: X's type (f32, int32, int64); axis an integer scalar in [-rank, rank) when constant. */
static int shape_CumSum(const ir_graph *g, const ir_node *n, const ir_type *const *in, const void *const *in_data,
                        ir_type *out, char *err, size_t errlen) {
  const ir_type *x = in[0];
  ir_dtype dt = x->dtype;
  out[0] = *x;
  if (dt != IR_UNDEF && dt != IR_F32 && dt != IR_I32 && dt != IR_I64)
    return ERR("input type %s, expected f32, int32 or int64", ir_dtype_name(dt)), IR_UNSUPPORTED;
  if (want_int_scalar(g, n, in[1], "axis", err, errlen)) return IR_ERR;
  if (x->rank == 0) return ERR("input is a scalar");
  if (in_data[1] && x->rank > 0) {
    int64_t a = (int64_t)ir_get_elem(in[1]->dtype, in_data[1], 0);
    if (norm_axis(a, x->rank) < 0) return ERR("axis %lld out of range", (long long)a);
  }
  return IR_OK;
}

/* GatherElements / ScatterElements / Scatter: indices (int32/int64) of data's rank, no longer
 * than data on the axes other than axis; ScatterElements' updates of the indices' shape.
 * Output: the indices' shape (Gather) or the data's type (Scatter). */
static int shape_elements(const ir_graph *g, const ir_node *n, const ir_type *const *in, const void *const *in_data,
                          ir_type *out, char *err, size_t errlen) {
  (void)in_data;
  const ir_type *x = in[0], *ix = in[1];
  int gather = n->op == IR_OP_GatherElements;
  out[0] = gather ? *ix : *x;
  out[0].dtype = x->dtype;
  if (ix->dtype != IR_UNDEF && ix->dtype != IR_I64 && ix->dtype != IR_I32)
    return ERR("indices type %s, expected int64 or int32", ir_dtype_name(ix->dtype));
  if (!gather) {
    const char *red = ir_attr_string(n, "reduction", "none");
    if (strcmp(red, "none") && strcmp(red, "add") && strcmp(red, "mul") && strcmp(red, "max") && strcmp(red, "min"))
      return ERR("reduction '%s' (expected none, add, mul, max or min)", red);
    if (in[2]->dtype != IR_UNDEF && x->dtype != IR_UNDEF && in[2]->dtype != x->dtype)
      return ERR("updates are %s, data %s", ir_dtype_name(in[2]->dtype), ir_dtype_name(x->dtype));
    if (in[2]->rank >= 0 && ix->rank >= 0) {
      if (in[2]->rank != ix->rank) return ERR("updates have rank %d, indices %d", in[2]->rank, ix->rank);
      for (int d = 0; d < ix->rank; d++)
        if (in[2]->dims[d] >= 0 && ix->dims[d] >= 0 && in[2]->dims[d] != ix->dims[d])
          return ERR("updates' extent %d is %lld, indices' %lld", d, (long long)in[2]->dims[d], (long long)ix->dims[d]);
    }
  }
  if (x->rank < 0 || ix->rank < 0) return IR_OK;
  int64_t ax = ir_attr_int(n, "axis", 0);
  int a = norm_axis(ax, x->rank);
  if (x->rank < 1 || a < 0) return ERR("axis %lld out of range", (long long)ax);
  if (ix->rank != x->rank) return ERR("indices have rank %d, data %d", ix->rank, x->rank);
  for (int d = 0; d < x->rank; d++)
    if (d != a && ix->dims[d] >= 0 && x->dims[d] >= 0 && ix->dims[d] > x->dims[d])
      return ERR("indices' extent %d is %lld, above data's %lld", d, (long long)ix->dims[d], (long long)x->dims[d]);
  return IR_OK;
}

/* GatherND: indices (int64) [b..., q..., k] -> [indices' extents but the last, data's from
 * batch_dims + k on]. */
static int shape_GatherND(const ir_graph *g, const ir_node *n, const ir_type *const *in, const void *const *in_data,
                          ir_type *out, char *err, size_t errlen) {
  (void)in_data;
  const ir_type *x = in[0], *ix = in[1];
  set_unknown(&out[0], x->dtype);
  if (ix->dtype != IR_UNDEF && ix->dtype != IR_I64) return ERR("indices type %s, expected int64", ir_dtype_name(ix->dtype));
  if (x->rank < 0 || ix->rank < 0) return IR_OK;
  int64_t b = ir_attr_int(n, "batch_dims", 0);
  int q = ix->rank, r = x->rank;
  if (q < 1 || r < 1) return ERR("data and indices must have rank 1 or more");
  if (b < 0 || b >= q || b >= r) return ERR("batch_dims %lld out of range", (long long)b);
  int64_t k = ix->dims[q - 1];
  if (k < 0) return IR_OK;
  if (k < 1 || k > r - b) return ERR("indices' last extent %lld, expected 1..%lld", (long long)k, (long long)(r - b));
  for (int d = 0; d < b; d++)
    if (x->dims[d] >= 0 && ix->dims[d] >= 0 && x->dims[d] != ix->dims[d])
      return ERR("batch axis %d: data's extent %lld, indices' %lld", d, (long long)x->dims[d], (long long)ix->dims[d]);
  if (q - 1 + r - b - k > IR_MAX_DIMS) return ERR("result rank above %d", IR_MAX_DIMS), IR_UNSUPPORTED;
  out[0].rank = 0;
  for (int d = 0; d < q - 1; d++) out[0].dims[out[0].rank++] = ix->dims[d];
  for (int d = (int)(b + k); d < r; d++) out[0].dims[out[0].rank++] = x->dims[d];
  return IR_OK;
}

/* TopK: Values (X's type) and Indices (int64) of X's shape with K on axis; K the input (opset
 * >= 10, -1 unless constant) or the attribute k. */
static int shape_TopK(const ir_graph *g, const ir_node *n, const ir_type *const *in, const void *const *in_data,
                      ir_type *out, char *err, size_t errlen) {
  const ir_type *x = in[0];
  out[0] = out[1] = *x;
  out[1].dtype = IR_I64;
  if (x->dtype == IR_BOOL) return ERR("input type %s, expected a number", ir_dtype_name(x->dtype)), IR_UNSUPPORTED;
  int64_t k = -1;
  int k_in = n->n_in > 1 && in[1];
  if (k_in) {
    if (in[1]->dtype != IR_UNDEF && in[1]->dtype != IR_I64) return ERR("K is %s, expected int64", ir_dtype_name(in[1]->dtype));
    if (in[1]->rank >= 0 && (in[1]->rank != 1 || (in[1]->dims[0] >= 0 && in[1]->dims[0] != 1)))
      return ERR("K must be a 1-D tensor of one element");
    if (in_data[1]) k = ((const int64_t *)in_data[1])[0];
  } else {
    if (!ir_get_attr(n, "k")) return ERR("no K input and no k attribute");
    k = ir_attr_int(n, "k", 0);
    if (k < 0) return ERR("k %lld is negative", (long long)k);
  }
  if (x->rank < 0) return IR_OK;
  int64_t ax = ir_attr_int(n, "axis", -1);
  int a = norm_axis(ax, x->rank);
  if (x->rank == 0 || a < 0) return ERR("axis %lld out of range", (long long)ax);
  if (k < -1 || (k_in && in_data[1] && k < 0)) return ERR("K %lld is negative", (long long)k);
  if (k >= 0 && x->dims[a] >= 0 && k > x->dims[a])
    return ERR("K %lld is above the axis's extent %lld", (long long)k, (long long)x->dims[a]);
  out[0].dims[a] = out[1].dims[a] = k;
  return IR_OK;
}

/* EyeLike: a 2-D input's shape, of dtype (when given) or the input's type. */
static int shape_EyeLike(const ir_graph *g, const ir_node *n, const ir_type *const *in, const void *const *in_data,
                         ir_type *out, char *err, size_t errlen) {
  (void)in_data;
  out[0] = *in[0];
  if (ir_get_attr(n, "dtype")) {
    int64_t dt = ir_attr_int(n, "dtype", 0);
    if (dt < 0 || dt > 100 || !ir_dtype_size((ir_dtype)dt))
      return ERR("dtype %lld not supported", (long long)dt), IR_UNSUPPORTED;
    out[0].dtype = (ir_dtype)dt;
  }
  if (in[0]->rank >= 0 && in[0]->rank != 2) return ERR("input has rank %d, expected 2", in[0]->rank);
  return IR_OK;
}

/* OneHot: indices' shape with an axis of extent depth (a constant scalar) inserted at axis;
 * values' (two: off, on) type. */
static int shape_OneHot(const ir_graph *g, const ir_node *n, const ir_type *const *in, const void *const *in_data,
                        ir_type *out, char *err, size_t errlen) {
  const ir_type *ix = in[0], *dp = in[1], *v = in[2];
  set_unknown(&out[0], v->dtype);
  if (ix->dtype == IR_BOOL || dp->dtype == IR_BOOL) return ERR("indices and depth must be numbers");
  if (dp->rank > 1 || (dp->rank == 1 && dp->dims[0] >= 0 && dp->dims[0] != 1)) return ERR("depth must be a single value");
  if (v->rank >= 0 && (v->rank != 1 || (v->dims[0] >= 0 && v->dims[0] != 2)))
    return ERR("values must be a 1-D tensor of two elements (off, on)");
  int64_t depth = -1;
  if (in_data[1]) {
    double d = ir_get_elem(dp->dtype, in_data[1], 0);
    if (!(d >= 1 && d <= (double)INT32_MAX)) return ERR("depth %g out of range", d);
    depth = (int64_t)d;
  }
  if (ix->rank < 0) return IR_OK;
  if (ix->rank + 1 > IR_MAX_DIMS) return ERR("result rank above %d", IR_MAX_DIMS), IR_UNSUPPORTED;
  int64_t ax = ir_attr_int(n, "axis", -1);
  int a = norm_axis(ax, ix->rank + 1);
  if (a < 0) return ERR("axis %lld out of range", (long long)ax);
  out[0].rank = ix->rank + 1;
  for (int d = 0, s = 0; d < out[0].rank; d++) out[0].dims[d] = d == a ? depth : ix->dims[s++];
  return IR_OK;
}

/* The label of subscript letter ch in e (a new one if unseen), or -1 for a character that is not
 * a letter. */
static int einsum_label(ir_einsum *e, int *lab, char ch) {
  if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z'))) return -1;
  if (lab[(unsigned char)ch] < 0) {
    lab[(unsigned char)ch] = e->n_labels;
    e->label[e->n_labels] = ch;
    e->extent[e->n_labels++] = -1;
  }
  return lab[(unsigned char)ch];
}

/* Einsum's output subscripts: after "->" (explicit, eq at them; "..." the ell broadcast axes'
 * labels from ell0), or the broadcast axes then the letters seen once in the inputs in ASCII
 * order (implicit, eq NULL). */
static int einsum_output(const ir_graph *g, const ir_node *n, ir_einsum *e, const int *lab, const int *cnt,
                         const char *eq, int ell0, int ell, char *err, size_t errlen) {
  char used[IR_EINSUM_LABELS] = {0};
  int seen_ell = 0;
  for (int i = 0; !eq && i < ell; i++) e->out[e->out_rank++] = ell0 + i;
  for (int ch = 'A'; !eq && ch <= 'z'; ch++) {
    if (cnt[ch] != 1) continue;
    if (e->out_rank == IR_MAX_DIMS) return ERR("result rank above %d", IR_MAX_DIMS), IR_UNSUPPORTED;
    e->out[e->out_rank++] = lab[ch];
  }
  for (; eq && *eq; eq++) {
    if (*eq == ' ') continue;
    if (*eq == '.') {
      if (eq[1] != '.' || eq[2] != '.' || seen_ell++) return ERR("equation: a '.' not part of one '...'");
      if (e->out_rank + ell > IR_MAX_DIMS) return ERR("result rank above %d", IR_MAX_DIMS), IR_UNSUPPORTED;
      for (int i = 0; i < ell; i++) e->out[e->out_rank++] = ell0 + i;
      eq += 2;
      continue;
    }
    int l = (*eq >= 'a' && *eq <= 'z') || (*eq >= 'A' && *eq <= 'Z') ? lab[(unsigned char)*eq] : -2;
    if (l == -2) return ERR("equation: character '%c' is not a subscript", *eq);
    if (l < 0) return ERR("equation: output subscript '%c' is in no input", *eq);
    if (used[l]++) return ERR("equation: output subscript '%c' repeated", *eq);
    if (e->out_rank == IR_MAX_DIMS) return ERR("result rank above %d", IR_MAX_DIMS), IR_UNSUPPORTED;
    e->out[e->out_rank++] = l;
  }
  return IR_OK;
}

/* Einsum's input terms: tok[k][..] the label of each subscript of term k, -1 for its "..."; the
 * count of each letter into cnt; the end of the inputs' part into *end. */
static int einsum_terms(const ir_graph *g, const ir_node *n, ir_einsum *e, const char *eq, int *lab, int *cnt,
                        int tok[][IR_MAX_DIMS + 1], int *ntok, const char **end, char *err, size_t errlen) {
  int k = 0, ell = 0;
  const char *p = eq;
  for (;; p++) {
    if (*p == ' ') continue;
    if (*p == ',' || *p == '-' || !*p) {
      if (++k > n->n_in) return ERR("equation '%s' has more terms than the %d inputs", eq, n->n_in);
      if (*p != ',') break;
      ell = 0;
      continue;
    }
    if (k == n->n_in) return ERR("equation '%s' has more terms than the %d inputs", eq, n->n_in);
    int l = *p == '.' ? -1 : einsum_label(e, lab, *p);
    if (*p == '.' && (p[1] != '.' || p[2] != '.' || ell++)) return ERR("equation '%s': a '.' not part of one '...'", eq);
    if (*p != '.' && l < 0) return ERR("equation '%s': character '%c' is not a subscript", eq, *p);
    if (ntok[k] == IR_MAX_DIMS + 1 || (l >= 0 && ntok[k] - ell == IR_MAX_DIMS))
      return ERR("equation '%s': a term of more than %d subscripts", eq, IR_MAX_DIMS);
    tok[k][ntok[k]++] = l;
    if (l >= 0) cnt[(unsigned char)*p]++;
    else p += 2;
  }
  if (k != n->n_in) return ERR("equation '%s' has %d terms for %d inputs", eq, k, n->n_in);
  if (*p == '-' && p[1] != '>') return ERR("equation '%s': '-' not followed by '>'", eq);
  *end = p;
  return IR_OK;
}

/* Each operand's axes' labels from its tokens (its "..." the last of the ell broadcast labels
 * from ell0), the labels' extents (a broadcast axis of extent 1 stretches). */
static int einsum_axes(const ir_graph *g, const ir_node *n, ir_einsum *e, const ir_type *const *in,
                       int tok[][IR_MAX_DIMS + 1], const int *ntok, int ell0, int ell, char *err, size_t errlen) {
  for (int k = 0; k < n->n_in; k++) {
    int has = 0;
    if (in[k]->rank < 0) continue; /* no "...": its terms are its tokens */
    for (int j = 0; j < ntok[k]; j++) has |= tok[k][j] < 0;
    int nell = in[k]->rank - (ntok[k] - has);
    for (int j = 0; j < ntok[k]; j++)
      if (tok[k][j] >= 0) e->term[k][e->rank[k]++] = tok[k][j];
      else
        for (int i = 0; i < nell; i++) e->term[k][e->rank[k]++] = ell0 + ell - nell + i;
    if (e->rank[k] != in[k]->rank) return ERR("input %d has rank %d, its subscripts %d", k, in[k]->rank, e->rank[k]);
    for (int i = 0; i < e->rank[k]; i++) {
      int l = e->term[k][i];
      int64_t d = in[k]->dims[i], *x = &e->extent[l];
      if (l >= ell0 && d >= 0 && (*x < 0 || *x == 1)) *x = d;
      else if (l >= ell0 && d >= 0 && d != 1 && d != *x) return ERR("'...' axes of extents %lld and %lld do not broadcast", (long long)*x, (long long)d);
      else if (l < ell0 && d >= 0 && *x >= 0 && d != *x) return ERR("subscript '%c' has extents %lld and %lld", e->label[l], (long long)*x, (long long)d);
      else if (l < ell0 && d >= 0) *x = d;
    }
  }
  return IR_OK;
}

int ir_einsum_parse(const ir_graph *g, const ir_node *n, const ir_type *const *in, ir_einsum *e, char *err,
                    size_t errlen) {
  memset(e, 0, sizeof *e);
  const char *eq = ir_attr_string(n, "equation", NULL), *end = NULL;
  if (!eq) return ERR("no equation");
  if (n->n_in > IR_EINSUM_MAX_IN) return ERR("%d operands, at most %d supported", n->n_in, IR_EINSUM_MAX_IN), IR_UNSUPPORTED;
  int lab[128], cnt[128] = {0}, tok[IR_EINSUM_MAX_IN][IR_MAX_DIMS + 1], ntok[IR_EINSUM_MAX_IN] = {0}, ell = 0;
  for (int i = 0; i < 128; i++) lab[i] = -1;
  e->n_in = n->n_in;
  int rc = einsum_terms(g, n, e, eq, lab, cnt, tok, ntok, &end, err, errlen);
  if (rc) return rc;
  for (int k = 0; k < n->n_in; k++) {
    if (!in[k]) return ERR("input %d is missing", k);
    int has = 0;
    for (int j = 0; j < ntok[k]; j++) has |= tok[k][j] < 0;
    if (in[k]->rank < 0) {
      if (has) return e->out_rank = -1, IR_OK; /* the "..." axes unknown yet */
      continue;
    }
    int nell = in[k]->rank - (ntok[k] - has);
    if (nell < 0 || (!has && nell)) return ERR("input %d has rank %d, its subscripts %d", k, in[k]->rank, ntok[k] - has);
    ell = nell > ell ? nell : ell;
  }
  int ell0 = e->n_labels;
  for (int i = 0; i < ell; i++) e->label[e->n_labels] = '.', e->extent[e->n_labels++] = -1;
  for (int k = 0; k < n->n_in; k++)
    if (in[k]->rank < 0) /* no "...": the subscripts are its axes */
      for (int j = 0; j < ntok[k]; j++) e->term[k][e->rank[k]++] = tok[k][j];
  rc = einsum_output(g, n, e, lab, cnt, *end ? end + 2 : NULL, ell0, ell, err, errlen);
  if (rc) return rc;
  return einsum_axes(g, n, e, in, tok, ntok, ell0, ell, err, errlen);
}

/* Einsum: the output subscripts' extents; every input of one type (f32, int32, int64). */
static int shape_Einsum(const ir_graph *g, const ir_node *n, const ir_type *const *in, const void *const *in_data,
                        ir_type *out, char *err, size_t errlen) {
  (void)in_data;
  ir_einsum e;
  ir_dtype dt = in[0]->dtype;
  set_unknown(&out[0], dt);
  if (dt != IR_UNDEF && dt != IR_F32 && dt != IR_I32 && dt != IR_I64)
    return ERR("input type %s, expected f32, int32 or int64", ir_dtype_name(dt)), IR_UNSUPPORTED;
  for (int k = 1; k < n->n_in; k++)
    if (in[k] && in[k]->dtype != IR_UNDEF && dt != IR_UNDEF && in[k]->dtype != dt)
      return ERR("input %d is %s, input 0 %s", k, ir_dtype_name(in[k]->dtype), ir_dtype_name(dt));
  int rc = ir_einsum_parse(g, n, in, &e, err, errlen);
  if (rc || e.out_rank < 0) return rc;
  out[0].rank = e.out_rank;
  for (int i = 0; i < e.out_rank; i++) out[0].dims[i] = e.extent[e.out[i]];
  return IR_OK;
}

#define shape_FusedConv shape_Conv
#define shape_RMSNormalization shape_LayerNormalization /* Y as X, scale over the axes from axis on */
#define shape_SpaceToDepth shape_DepthToSpace
#define shape_Relu shape_unary
#define shape_Sigmoid shape_unary
#define shape_Clip shape_unary
#define shape_Identity shape_unary
#define shape_Softmax shape_unary
#define shape_Add shape_binary
#define shape_Sub shape_binary
#define shape_Mul shape_binary
#define shape_Div shape_binary
#define shape_Mod shape_binary
#define shape_MaxPool shape_pool_op
#define shape_AveragePool shape_pool_op
#define shape_GlobalAveragePool shape_global_pool
#define shape_GlobalMaxPool shape_global_pool
#define shape_Tanh shape_float_unary
#define shape_Erf shape_float_unary
#define shape_Exp shape_float_unary
#define shape_Log shape_float_unary
#define shape_Sqrt shape_float_unary
#define shape_Reciprocal shape_float_unary
#define shape_Neg shape_float_unary
#define shape_Abs shape_float_unary
#define shape_Floor shape_float_unary
#define shape_Ceil shape_float_unary
#define shape_Round shape_float_unary
#define shape_Sign shape_float_unary

#define shape_Sum shape_nary
#define shape_Mean shape_nary
#define shape_GreaterOrEqual shape_compare
#define shape_LessOrEqual shape_compare
#define shape_And shape_compare
#define shape_Or shape_compare
#define shape_Xor shape_compare
#define shape_HardSigmoid shape_float_unary
#define shape_HardSwish shape_float_unary
#define shape_LeakyRelu shape_float_unary
#define shape_Elu shape_float_unary
#define shape_Softplus shape_float_unary
#define shape_Gelu shape_float_unary
#define shape_Silu shape_float_unary
#define shape_Min shape_nary
#define shape_Max shape_nary
#define shape_Where shape_nary
#define shape_Equal shape_compare
#define shape_Less shape_compare
#define shape_Greater shape_compare
#define shape_ReduceMean shape_reduce
#define shape_ReduceSum shape_reduce
#define shape_ReduceMax shape_reduce
#define shape_ReduceMin shape_reduce
#define shape_ReduceL1 shape_reduce
#define shape_ReduceL2 shape_reduce
#define shape_ReduceSumSquare shape_reduce
#define shape_ReduceLogSumExp shape_reduce
#define shape_ReduceProd shape_reduce
#define shape_LogSoftmax shape_unary
#define shape_ArgMax shape_argminmax
#define shape_ArgMin shape_argminmax
#define shape_Selu shape_float_unary
#define shape_Mish shape_float_unary
#define shape_Swish shape_float_unary
#define shape_Celu shape_float_unary
#define shape_ThresholdedRelu shape_float_unary
#define shape_Softsign shape_float_unary
#define shape_Sin shape_float_unary
#define shape_Cos shape_float_unary
#define shape_Tan shape_float_unary
#define shape_Asin shape_float_unary
#define shape_Acos shape_float_unary
#define shape_Atan shape_float_unary
#define shape_Sinh shape_float_unary
#define shape_Cosh shape_float_unary
#define shape_Asinh shape_float_unary
#define shape_Acosh shape_float_unary
#define shape_Atanh shape_float_unary
#define shape_Shrink shape_float_unary
#define shape_IsNaN shape_isnan_inf
#define shape_IsInf shape_isnan_inf
#define shape_ReduceLogSum shape_reduce
#define shape_GatherElements shape_elements
#define shape_ScatterElements shape_elements
#define shape_Scatter shape_elements
#define shape_Squeeze shape_squeeze
#define shape_Unsqueeze shape_squeeze

/* ---- GridSample, MaxUnpool ---- */

int ir_grid_sample_parse(const ir_graph *g, const ir_node *n, int *mode, int *pad, char *err, size_t errlen) {
  const char *m = ir_attr_string(n, "mode", g->opset >= 20 ? "linear" : "bilinear");
  const char *p = ir_attr_string(n, "padding_mode", "zeros");
  *mode = !strcmp(m, "bilinear") || !strcmp(m, "linear") ? IR_GS_LINEAR
          : !strcmp(m, "nearest")                         ? IR_GS_NEAREST
          : !strcmp(m, "bicubic") || !strcmp(m, "cubic")  ? IR_GS_CUBIC
                                                          : -1;
  *pad = !strcmp(p, "zeros") ? IR_GS_ZEROS : !strcmp(p, "border") ? IR_GS_BORDER : !strcmp(p, "reflection") ? IR_GS_REFLECTION : -1;
  if (*mode < 0) return ERR("mode '%s' (linear / bilinear, nearest, cubic / bicubic)", m);
  if (*pad < 0) return ERR("padding_mode '%s' (zeros, border, reflection)", p);
  return IR_OK;
}

/* GridSample: X [N, C, D1..Dk], Grid [N, O1..Ok, k] -> [N, C, O1..Ok]; cubic on 2-D only. */
static int shape_GridSample(const ir_graph *g, const ir_node *n, const ir_type *const *in, const void *const *in_data,
                            ir_type *out, char *err, size_t errlen) {
  (void)in_data;
  const ir_type *x = in[0], *gr = in[1];
  int mode, pad;
  set_unknown(&out[0], x->dtype);
  if (ir_grid_sample_parse(g, n, &mode, &pad, err, errlen)) return IR_ERR;
  if (want_f32(g, n, x->dtype, err, errlen) || want_f32(g, n, gr->dtype, err, errlen)) return IR_UNSUPPORTED;
  if (x->rank >= 0 && (x->rank < 3 || x->rank > 5)) return ERR("X has rank %d, expected 3 to 5", x->rank), IR_UNSUPPORTED;
  if (mode == IR_GS_CUBIC && x->rank >= 0 && x->rank != 4) return ERR("cubic mode on a %d-D input (2-D only)", x->rank - 2);
  if (x->rank < 0 || gr->rank < 0) return IR_OK;
  int k = x->rank - 2;
  if (gr->rank != x->rank) return ERR("Grid has rank %d, expected %d", gr->rank, x->rank);
  if (gr->dims[k + 1] >= 0 && gr->dims[k + 1] != k) return ERR("Grid's last extent is %lld, expected %d", (long long)gr->dims[k + 1], k);
  if (x->dims[0] >= 0 && gr->dims[0] >= 0 && x->dims[0] != gr->dims[0])
    return ERR("Grid's batch %lld, X's %lld", (long long)gr->dims[0], (long long)x->dims[0]);
  out[0] = *x;
  for (int d = 0; d < k; d++) out[0].dims[2 + d] = gr->dims[1 + d];
  return IR_OK;
}

/* MaxUnpool: X [N, C, D...] and I (int64, X's shape) -> output_shape (a constant) or per axis
 * (in - 1) * stride + kernel - pads. */
static int shape_MaxUnpool(const ir_graph *g, const ir_node *n, const ir_type *const *in, const void *const *in_data,
                           ir_type *out, char *err, size_t errlen) {
  const ir_type *x = in[0], *ix = in[1], *os = n->n_in > 2 ? in[2] : NULL;
  set_unknown(&out[0], x->dtype);
  if (want_f32(g, n, x->dtype, err, errlen)) return IR_UNSUPPORTED;
  if (ix->dtype != IR_I64 && ix->dtype != IR_UNDEF) return ERR("I is %s, expected int64", ir_dtype_name(ix->dtype));
  int nk = 0, np = 0, ns = 0;
  const int64_t *ks = ir_attr_ints(n, "kernel_shape", &nk), *pads = ir_attr_ints(n, "pads", &np),
                *st = ir_attr_ints(n, "strides", &ns);
  if (!ks || nk < 1 || nk > 3) return ERR("kernel_shape missing or not of 1 to 3 axes");
  if ((pads && np != 2 * nk) || (st && ns != nk)) return ERR("pads / strides do not match kernel_shape's %d axes", nk);
  if (x->rank < 0) return IR_OK;
  if (x->rank != nk + 2) return ERR("X has rank %d, kernel_shape %d axes", x->rank, nk);
  if (ix->rank >= 0 && ix->rank != x->rank) return ERR("I has rank %d, X %d", ix->rank, x->rank);
  for (int d = 0; ix->rank >= 0 && d < x->rank; d++)
    if (ix->dims[d] >= 0 && x->dims[d] >= 0 && ix->dims[d] != x->dims[d]) return ERR("I's shape differs from X's on axis %d", d);
  out[0] = *x;
  int64_t v[IR_MAX_DIMS];
  int given = os && ir_type_numel(os) > 0;
  if (given) {
    for (int d = 2; !in_data[2] && d < x->rank; d++) out[0].dims[d] = -1; /* known when it is */
    if (!in_data[2]) return IR_OK;
    if (const_ints(os, in_data[2], v, IR_MAX_DIMS) != x->rank) return ERR("output_shape must have %d int64 entries", x->rank);
    for (int d = 0; d < 2; d++)
      if (v[d] < 1 || (x->dims[d] >= 0 && v[d] != x->dims[d]))
        return ERR("output_shape[%d] = %lld, X's extent %lld", d, (long long)v[d], (long long)x->dims[d]);
  }
  for (int d = 0; d < nk; d++) {
    int64_t s = st ? st[d] : 1, p = pads ? pads[d] + pads[nk + d] : 0, i = x->dims[2 + d];
    if (ks[d] < 1 || s < 1 || (pads && (pads[d] < 0 || pads[nk + d] < 0)) || ks[d] > (1 << 16) || s > (1 << 16))
      return ERR("kernel_shape, strides or pads out of range on axis %d", d);
    int64_t o = i < 0 ? -1 : (i - 1) * s + ks[d] - p;
    if (i >= 0 && (o < 1 || o > (1 << 24))) return ERR("unpooled extent %lld on axis %d", (long long)o, d);
    /* an output_shape differs from the unpooled extent by less than the stride (the pooled input's
     * own extent, as torch's max_unpool requires) */
    if (given && o >= 0 && (v[2 + d] <= o - s || v[2 + d] >= o + s))
      return ERR("output_shape[%d] = %lld, not within the stride %lld of the unpooled extent %lld", 2 + d,
                 (long long)v[2 + d], (long long)s, (long long)o);
    out[0].dims[2 + d] = given ? (o >= 0 ? v[2 + d] : -1) : o;
  }
  return IR_OK;
}

/* ---- RNN, GRU, LSTM ---- */

/* ONNX's recurrent activation functions (names case-insensitive, as onnxruntime reads them),
 * whether each takes alpha / beta, and their defaults (those of the ONNX operators of the same
 * name; Affine and ScaledTanh as identity-like 1, 0 / 1, 1). */
static const struct {
  const char *name;
  ir_rnn_act act;
  int takes_alpha, takes_beta;
  float alpha, beta;
} rnn_acts[] = {
    {"Relu", IR_RNN_RELU, 0, 0, 0, 0},
    {"Tanh", IR_RNN_TANH, 0, 0, 0, 0},
    {"Sigmoid", IR_RNN_SIGMOID, 0, 0, 0, 0},
    {"Affine", IR_RNN_AFFINE, 1, 1, 1.0f, 0.0f},
    {"LeakyRelu", IR_RNN_LEAKYRELU, 1, 0, 0.01f, 0},
    {"ThresholdedRelu", IR_RNN_THRESHOLDEDRELU, 1, 0, 1.0f, 0},
    {"ScaledTanh", IR_RNN_SCALEDTANH, 1, 1, 1.0f, 1.0f},
    {"HardSigmoid", IR_RNN_HARDSIGMOID, 1, 1, 0.2f, 0.5f},
    {"Elu", IR_RNN_ELU, 1, 0, 1.0f, 0},
    {"Softsign", IR_RNN_SOFTSIGN, 0, 0, 0, 0},
    {"Softplus", IR_RNN_SOFTPLUS, 0, 0, 0, 0},
};

/* The activation functions of r: the activations attribute (r->n_fn per direction, or one set
 * for both) or the op's defaults (f Tanh for RNN; f Sigmoid, g h Tanh for GRU and LSTM). */
static int rnn_activations(const ir_graph *g, const ir_node *n, ir_rnn *r, char *err, size_t errlen) {
  const ir_attr *a = ir_get_attr(n, "activations");
  int na = 0, nal = 0, nbe = 0, ia = 0, ib = 0;
  const float *al = ir_attr_floats(n, "activation_alpha", &nal), *be = ir_attr_floats(n, "activation_beta", &nbe);
  if (a && a->kind == IR_ATTR_STRINGS) na = a->n;
  if (a && na != r->n_fn * r->dirs)
    return ERR("activations has %d functions, expected %d (%d per direction)", na, r->n_fn * r->dirs, r->n_fn);
  for (int d = 0; d < r->dirs; d++)
    for (int f = 0; f < r->n_fn; f++) {
      const char *name = a ? a->strs[d * r->n_fn + f] : r->gates == 1 || f > 0 ? "Tanh" : "Sigmoid";
      size_t k = 0;
      while (k < sizeof rnn_acts / sizeof rnn_acts[0] && strcasecmp(rnn_acts[k].name, name)) k++;
      if (k == sizeof rnn_acts / sizeof rnn_acts[0]) return ERR("activation function '%s' not supported", name), IR_UNSUPPORTED;
      r->act[d][f] = rnn_acts[k].act;
      r->alpha[d][f] = rnn_acts[k].takes_alpha && al && ia < nal ? al[ia++] : rnn_acts[k].alpha;
      r->beta[d][f] = rnn_acts[k].takes_beta && be && ib < nbe ? be[ib++] : rnn_acts[k].beta;
    }
  return IR_OK;
}

/* Does operand t (NULL: omitted, fine) have rank rank and extents want (-1: any)? */
static int rnn_operand(const ir_graph *g, const ir_node *n, const ir_type *t, const char *what, int rank,
                       const int64_t *want, char *err, size_t errlen) {
  if (!t || t->rank < 0) return IR_OK;
  if (t->rank != rank) return ERR("%s has rank %d, expected %d", what, t->rank, rank);
  for (int d = 0; d < rank; d++)
    if (want[d] >= 0 && t->dims[d] >= 0 && t->dims[d] != want[d])
      return ERR("%s has extent %lld on axis %d, expected %lld", what, (long long)t->dims[d], d, (long long)want[d]);
  return IR_OK;
}

int ir_rnn_parse(const ir_graph *g, const ir_node *n, const ir_type *const *in, ir_rnn *r, char *err, size_t errlen) {
  memset(r, 0, sizeof *r);
  r->gates = n->op == IR_OP_LSTM ? 4 : n->op == IR_OP_GRU ? 3 : 1;
  r->n_fn = n->op == IR_OP_LSTM ? 3 : n->op == IR_OP_GRU ? 2 : 1;
  const char *dir = ir_attr_string(n, "direction", "forward");
  if (strcmp(dir, "forward") && strcmp(dir, "reverse") && strcmp(dir, "bidirectional"))
    return ERR("direction '%s' (forward, reverse or bidirectional)", dir);
  r->dirs = strcmp(dir, "bidirectional") ? 1 : 2;
  r->reverse = !strcmp(dir, "reverse");
  r->layout = (int)ir_attr_int(n, "layout", 0);
  if (r->layout != 0 && r->layout != 1) return ERR("layout %d (0 or 1)", r->layout);
  r->clip = ir_get_attr(n, "clip") ? ir_attr_float(n, "clip", 0) : 0;
  if (ir_get_attr(n, "clip") && !(r->clip > 0)) return ERR("clip %g, expected a positive threshold", r->clip);
  r->linear_before_reset = ir_attr_int(n, "linear_before_reset", 0) != 0;
  r->input_forget = ir_attr_int(n, "input_forget", 0) != 0;
  const ir_type *x = in[0], *w = in[1], *rr = in[2];
  for (int k = 0; k < 3 && k < n->n_in; k++)
    if (in[k] && in[k]->dtype != IR_F32 && in[k]->dtype != IR_UNDEF)
      return ERR("input %d is %s, expected f32", k, ir_dtype_name(in[k]->dtype)), IR_UNSUPPORTED;
  r->seq = r->batch = r->input = r->hidden = -1;
  if (x->rank >= 0) {
    if (x->rank != 3) return ERR("X has rank %d, expected 3", x->rank);
    r->seq = x->dims[r->layout], r->batch = x->dims[1 - r->layout], r->input = x->dims[2];
  }
  if (rr->rank == 3) r->hidden = rr->dims[2];
  if (ir_get_attr(n, "hidden_size")) {
    int64_t h = ir_attr_int(n, "hidden_size", 0);
    if (h < 1 || h > (1 << 20)) return ERR("hidden_size %lld out of range", (long long)h);
    if (r->hidden >= 0 && r->hidden != h) return ERR("hidden_size %lld, but R's last extent is %lld", (long long)h, (long long)r->hidden);
    r->hidden = h;
  }
  int64_t G = dim_mul(r->gates, r->hidden), wd[3] = {r->dirs, G, r->input}, rd[3] = {r->dirs, G, r->hidden};
  int64_t bd[2] = {r->dirs, dim_mul(2, G)}, sd[1] = {r->batch}, pd[2] = {r->dirs, dim_mul(3, r->hidden)};
  int64_t hd[3] = {r->layout ? r->batch : r->dirs, r->layout ? r->dirs : r->batch, r->hidden};
  const ir_type *opt[6] = {NULL};
  for (int k = 3; k < n->n_in && k < 8; k++) opt[k - 3] = in[k];
  if (rnn_operand(g, n, w, "W", 3, wd, err, errlen) || rnn_operand(g, n, rr, "R", 3, rd, err, errlen) ||
      rnn_operand(g, n, opt[0], "B", 2, bd, err, errlen) || rnn_operand(g, n, opt[1], "sequence_lens", 1, sd, err, errlen) ||
      rnn_operand(g, n, opt[2], "initial_h", 3, hd, err, errlen) || rnn_operand(g, n, opt[3], "initial_c", 3, hd, err, errlen) ||
      rnn_operand(g, n, opt[4], "P", 2, pd, err, errlen))
    return IR_ERR;
  for (int k = 0; k < 5; k++)
    if (k != 1 && opt[k] && opt[k]->dtype != IR_F32 && opt[k]->dtype != IR_UNDEF)
      return ERR("input %d is %s, expected f32", k + 3, ir_dtype_name(opt[k]->dtype)), IR_UNSUPPORTED;
  if (opt[1] && opt[1]->dtype != IR_I32 && opt[1]->dtype != IR_UNDEF)
    return ERR("sequence_lens is %s, expected int32", ir_dtype_name(opt[1]->dtype));
  if (r->hidden < 0 && w->rank == 3 && w->dims[1] >= 0) r->hidden = w->dims[1] / r->gates;
  return rnn_activations(g, n, r, err, errlen);
}

/* RNN, GRU, LSTM: Y [S, dirs, B, H] (layout 1: [B, S, dirs, H]), Y_h and LSTM's Y_c [dirs, B, H]
 * (layout 1: [B, dirs, H]). */
static int shape_rnn(const ir_graph *g, const ir_node *n, const ir_type *const *in, const void *const *in_data,
                     ir_type *out, char *err, size_t errlen) {
  (void)in_data;
  ir_rnn r;
  int rc = ir_rnn_parse(g, n, in, &r, err, errlen);
  if (rc) return rc;
  for (int k = 0; k < n->n_out; k++) {
    out[k] = (ir_type){.dtype = IR_F32, .rank = k ? 3 : 4};
    int64_t y[4] = {r.layout ? r.batch : r.seq, r.layout ? r.seq : r.dirs, r.layout ? r.dirs : r.batch, r.hidden};
    int64_t h[3] = {r.layout ? r.batch : r.dirs, r.layout ? r.dirs : r.batch, r.hidden};
    memcpy(out[k].dims, k ? h : y, (size_t)out[k].rank * sizeof(int64_t));
  }
  return IR_OK;
}
#define shape_RNN shape_rnn
#define shape_GRU shape_rnn
#define shape_LSTM shape_rnn

static const shape_fn shape_of[IR_OP_COUNT] = {
#define X(name, mi, ma, mo, mx, meaning) [IR_OP_##name] = shape_##name,
#include "ir_ops.def"
#undef X
};

int ir_infer_node(const ir_graph *g, const ir_node *n, const ir_type *const *in,
                  const void *const *in_data, ir_type *out, char *err, size_t errlen) {
  for (int i = 0; i < n->n_out; i++) set_unknown(&out[i], IR_UNDEF);
  for (int i = 0; i < ir_op_min_inputs(n->op) && i < n->n_in; i++)
    if (!in[i]) return ERR("required input %d is missing", i);
  if (n->op == IR_OP_UNKNOWN) return ir_node_err(g, n, err, errlen, "operator not supported"), IR_UNSUPPORTED;
  if (n->op <= IR_OP_UNKNOWN || n->op >= IR_OP_COUNT || !shape_of[n->op])
    return ERR("operator not supported"), IR_UNSUPPORTED;
  return shape_of[n->op](g, n, in, in_data, out, err, errlen);
}

void ir_node_operands(const ir_graph *g, const ir_node *n, int max, const ir_type **ti, const void **di) {
  for (int k = 0; k < n->n_in && k < max; k++) {
    int t = n->in[k];
    ti[k] = t >= 0 ? &g->tensors[t]->type : NULL;
    di[k] = t >= 0 ? g->tensors[t]->data : NULL;
  }
}

void ir_value_operands(const ir_node *n, const ir_value *const *in, int max, const ir_type **ti, const void **di) {
  for (int k = 0; k < n->n_in && k < max; k++) {
    ti[k] = in[k] ? &in[k]->type : NULL;
    di[k] = in[k] ? in[k]->data : NULL;
  }
}

int ir_infer_values(const ir_graph *g, const ir_node *n, const ir_value *const *in, ir_type *out, char *err,
                    size_t errlen) {
  const ir_type *ti[IR_VARIADIC + 1] = {0}; /* unused slots stay NULL */
  const void *di[IR_VARIADIC + 1] = {0};
  if (n->n_in > IR_VARIADIC || n->n_out > IR_VARIADIC) return ir_node_err(g, n, err, errlen, "too many inputs/outputs");
  ir_value_operands(n, in, IR_VARIADIC + 1, ti, di);
  return ir_infer_node(g, n, ti, di, out, err, errlen);
}
