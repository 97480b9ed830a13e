/* compiler/lower.c -- lowering of one node of the partitioned, calibrated graph: an accelerator
 * layer (weights per output channel, int32 bias, requant multipliers, clamp bounds) with its
 * program, or a node of the runtime graph for the CPU. plan.c walks the graph and makes the
 * plan and the image. See compile.h, lower.h.
 */
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lower.h"
#include "ref.h"

/* ---- lowering ---------------------------------------------------------------------------- */

int cc_lower_fail(lw *L, const ir_node *n, const char *fmt, ...) {
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
void *cc_grow(void *p, int n, size_t elem) {
  if (n & (n - 1)) return p; /* capacity doubles at powers of two */
  void *q = realloc(p, (size_t)(n ? 2 * n : 1) * elem);
  if (!q) {
    fprintf(stderr, "dlvta: out of memory\n");
    abort();
  }
  return q;
}

/* Appends a plan step. */
void cc_plan_add(lw *L, int kind, int a, int b) {
  cc_model *m = L->m;
  m->s = cc_grow(m->s, m->ns, sizeof *m->s);
  m->s[m->ns++] = (cc_mstep){kind, a, b};
}

/* The per-tensor int8 quantization calibrate gave IR tensor t. */
static int quant_of(lw *L, int t, float *scale, int32_t *zp) {
  const ir_quant *q = L->g->tensors[t]->quant;
  if (!q || q->n != 1 || !(q->scale[0] > 0) || q->zero_point[0] < -128 || q->zero_point[0] > 127)
    return cc_lower_fail(L, NULL, "tensor '%s' has no usable int8 quantization (was it reached by calibration?)",
                   L->g->tensors[t]->name);
  *scale = q->scale[0];
  *zp = q->zero_point[0];
  return IR_OK;
}

/* Record accelerator tensor id (just created in m->net) for IR tensor t. */
static void add_mtensor(lw *L, int id, int t, float scale, int32_t zp) {
  cc_model *m = L->m;
  m->t = cc_grow(m->t, m->nt, sizeof *m->t);
  cc_mtensor *T = &m->t[m->nt++];
  memset(T, 0, sizeof *T);
  snprintf(T->name, sizeof T->name, "%s", L->g->tensors[t]->name);
  cg_tensor_shape(m->net, id, &T->c, &T->h, &T->w);
  T->offset = cg_tensor_offset(m->net, id);
  T->bytes = cg_tensor_bytes(m->net, id);
  T->scale = scale;
  T->zp = zp;
}

/* A new accelerator tensor for IR tensor t (with cp > 0 channels instead of its own: a lane-
 * mapped one); id or < 0 (message set). */
static int new_acc_c(lw *L, int t, int cp) {
  int c, h, w;
  float s;
  int32_t z;
  if (!cc_acc_shape(L->g, t, &c, &h, &w)) return cc_lower_fail(L, NULL, "tensor '%s' does not fit the accelerator", L->g->tensors[t]->name), -1;
  if (cp > 0) c = cp;
  if (quant_of(L, t, &s, &z)) return -1;
  int id = cg_net_tensor(L->m->net, c, h, w);
  if (id < 0) return cc_lower_fail(L, NULL, "tensor '%s': %s", L->g->tensors[t]->name, cg_net_error(L->m->net)), -1;
  add_mtensor(L, id, t, s, z);
  return id;
}

static int new_acc(lw *L, int t) { return new_acc_c(L, t, 0); }

static int finish_layer(lw *L, int ni, int layer, int in, int out);
static int fold_out_zp(int32_t *qb, const float *bres, const int32_t *mult, const uint8_t *shift, int M, int32_t *y_zp);

/* An identity depthwise 1x1 conv (node ni's layer) from accelerator tensor v (c channels; with
 * lane map map, cp lanes: a 1x1 conv gathering them) into a new tensor for IR tensor t, padded by
 * pads (top, left, bottom, right; pad pixels hold x_zp, real 0): REQ with 2^14 * 2^-14 is exact,
 * the zero point z goes through the bias. The new accelerator tensor, or -1. */
static int identity_conv(lw *L, int ni, int v, const int *map, int c, int cp, int32_t z, const int *pads, int t) {
  cc_model *m = L->m;
  int8_t *wt = calloc(map ? (size_t)c * cp : (size_t)c, 1);
  int32_t *qb = calloc((size_t)c, sizeof *qb);
  int32_t *mult = malloc((size_t)c * sizeof *mult);
  uint8_t *shift = malloc((size_t)c);
  int out = -1;
  if (!wt || !qb || !mult || !shift) {
    cc_lower_fail(L, NULL, "out of memory");
    goto out;
  }
  for (int o = 0; o < c; o++) wt[map ? (size_t)o * cp + map[o] : (size_t)o] = 1, mult[o] = 1 << 14, shift[o] = 14;
  cg_conv p;
  memset(&p, 0, sizeof p);
  p.kh = p.kw = p.sh = p.sw = p.dh = p.dw = 1;
  p.pad_t = pads[0], p.pad_l = pads[1], p.pad_b = pads[2], p.pad_r = pads[3];
  p.groups = map ? 1 : c, p.res = -1; /* depthwise (one GEMM block per output block and pixel),
                                        * or with a lane map a 1x1 conv gathering the lanes */
  p.weight = wt, p.bias = qb, p.mult = mult, p.shift = shift;
  p.lo = -128, p.hi = 127, p.x_zp = z, p.y_zp = z;
  fold_out_zp(qb, NULL, mult, shift, c, &p.y_zp);
  p.in = v;
  if ((p.out = new_acc(L, t)) < 0) goto out;
  int layer = cg_net_add_conv(m->net, &p);
  if (layer < 0) {
    cc_lower_fail(L, L->g->nodes[ni], "the back end refused the copy: %s", cg_net_error(m->net));
    L->refused = ni;
    goto out;
  }
  if (finish_layer(L, ni, layer, p.in, p.out)) goto out;
  out = p.out;
out:
  free(wt), free(qb), free(mult), free(shift);
  return out;
}

/* IR tensor t is a view (a Concat of channel blocks) that the runtime must read: an identity
 * depthwise 1x1 conv on the accelerator copies it into a tensor of its own, which replaces the
 * view. */
static int materialize(lw *L, int t) {
  cc_model *m = L->m;
  int ni = -1, v = L->acc[t], c, h, w, cp = 0, hh, ww;
  const int *map = L->map[t];
  float s;
  int32_t z;
  if (!ir_producer(L->g, t, &ni) || !cc_acc_shape(L->g, t, &c, &h, &w) || quant_of(L, t, &s, &z) ||
      cg_tensor_shape(m->net, v, &cp, &hh, &ww) != CG_OK)
    return cc_lower_fail(L, NULL, "internal: view '%s' without a producer", L->g->tensors[t]->name);
  int out = identity_conv(L, ni, v, map, c, cp, z, (const int[]){0, 0, 0, 0}, t);
  if (out < 0) return IR_ERR;
  L->acc[t] = out;
  free(L->map[t]);
  L->map[t] = NULL;
  return IR_OK;
}

/* The runtime-graph tensor holding IR tensor t as float (constants copied, accelerator
 * values dequantized here); -1 with a message if t has no value yet. */
int cc_float_of(lw *L, int t) {
  if (L->rgi[t] >= 0) return L->rgi[t];
  const ir_tensor *T = L->g->tensors[t];
  ir_graph *rg = L->m->g;
  if (T->data) {
    size_t bytes = (size_t)ir_type_numel(&T->type) * ir_dtype_size(T->type.dtype);
    void *d = malloc(bytes ? bytes : 1);
    if (!d) return cc_lower_fail(L, NULL, "out of memory"), -1;
    memcpy(d, T->data, bytes);
    return L->rgi[t] = ir_add_const(rg, T->name, &T->type, d);
  }
  if (L->acc[t] < 0) return cc_lower_fail(L, NULL, "internal: tensor '%s' has no value when needed", T->name), -1;
  if ((cg_tensor_is_view(L->m->net, L->acc[t]) || L->map[t]) && materialize(L, t)) return -1;
  L->rgi[t] = ir_add_tensor(rg, T->name, &T->type);
  /* to the runtime graph, a value from the accelerator is an input */
  int *ni = realloc(rg->inputs, ((size_t)rg->n_inputs + 1) * sizeof(int));
  if (!ni) return cc_lower_fail(L, NULL, "out of memory"), -1;
  rg->inputs = ni;
  rg->inputs[rg->n_inputs++] = L->rgi[t];
  cc_plan_add(L, CC_STEP_DEQUANT, L->acc[t], L->rgi[t]);
  return L->rgi[t];
}

/* The accelerator tensor holding IR tensor t with its lane map (*map, NULL: identity); for
 * consumers that fold the map (convs, fcs, pools, Concats). */
static int acc_of_mapped(lw *L, int t, const int **map);

/* The accelerator tensor holding IR tensor t (quantized from its float value here if needed;
 * copied first if its channels have gaps). */
static int acc_of(lw *L, int t) {
  if (L->acc[t] >= 0 && L->map[t] && materialize(L, t)) return -1;
  if (L->acc[t] >= 0) return L->acc[t];
  int f = cc_float_of(L, t);
  if (f < 0) return -1;
  int id = new_acc(L, t);
  if (id < 0) return -1;
  cc_plan_add(L, CC_STEP_QUANT, f, id);
  return L->acc[t] = id;
}

/* acc_of for a layer that addresses its input as one contiguous tensor (the lut and mul layers):
 * a view is copied into a tensor of its own first. */
static int acc_contig(lw *L, int t) {
  int id = acc_of(L, t);
  if (id >= 0 && cg_tensor_is_view(L->m->net, id)) {
    if (materialize(L, t)) return -1;
    id = L->acc[t];
  }
  return id;
}

static int acc_of_mapped(lw *L, int t, const int **map) {
  *map = L->acc[t] >= 0 ? L->map[t] : NULL;
  return L->acc[t] >= 0 ? L->acc[t] : acc_of(L, t);
}

/* Weights w[M][K] over K = C * S (C logical input channels, S values each) re-laid over the
 * accelerator tensor's cp channels by lane map map: *out[M][cp * S] (malloc'ed), zero on the
 * gaps. IR_OK or IR_ERR. */
static int map_weights(lw *L, const ir_node *n, const int8_t *w, int M, int C, int S, const int *map, int cp,
                       int8_t **out) {
  int8_t *o = *out = calloc((size_t)M * cp * S + 1, 1);
  if (!o) return cc_lower_fail(L, n, "out of memory");
  for (int m = 0; m < M; m++)
    for (int c = 0; c < C; c++)
      memcpy(o + ((size_t)m * cp + map[c]) * S, w + ((size_t)m * C + c) * S, (size_t)S);
  return IR_OK;
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
static ir_node *fused_act(lw *L, const ir_node *n) { return cc_fused_after(L->g, n->out[0]); }

/* The table of unary node n between int8 codes: tab[k] = the output code (scale ys, zero point
 * yz) of n's float reference applied to input code k - 128 (scale xs, zero point xz), clamped
 * to [lo, hi] (a Relu/Clip fused after a table layer; else -inf, inf), rounded to nearest,
 * saturated (+-inf to the ends, NaN to the zero point). IR_OK, or IR_ERR with L->refused =
 * refuse (the node to move to the CPU) if the reference cannot run n. */
static int lut_table(lw *L, const ir_node *n, int refuse, float xs, int32_t xz, float ys, int32_t yz, float lo, float hi,
                     int8_t *tab) {
  ir_value in, out;
  ir_type t;
  memset(&t, 0, sizeof t);
  t.dtype = IR_F32, t.rank = 1, t.dims[0] = ISA_LUT_DEPTH;
  if (ir_value_alloc(&in, &t)) return cc_lower_fail(L, n, "out of memory");
  float *x = in.data;
  for (int k = 0; k < (int)ISA_LUT_DEPTH; k++) x[k] = (float)(k - 128 - xz) * xs;
  /* the other inputs (a Clip's bounds) as the constants they are */
  ir_value cv[3];
  const ir_value *ins[3] = {&in, NULL, NULL};
  for (int k = 1; k < n->n_in && k < 3; k++) {
    int ct = n->in[k];
    ins[k] = ct >= 0 && L->g->tensors[ct]->data ? &cv[k] : NULL;
    if (ins[k]) cv[k].type = L->g->tensors[ct]->type, cv[k].data = L->g->tensors[ct]->data;
  }
  char why[512];
  int rc = ref_run_node(L->g, n, ins, &out, why, sizeof why);
  ir_value_free(&in);
  if (rc != IR_OK || out.type.dtype != IR_F32 || ir_type_numel(&out.type) != ISA_LUT_DEPTH) {
    if (rc == IR_OK) ir_value_free(&out);
    L->refused = refuse;
    return cc_lower_fail(L, n, "no table for this activation: %s", rc != IR_OK ? why : "output is not 256 floats");
  }
  const float *y = out.data;
  for (int k = 0; k < (int)ISA_LUT_DEPTH; k++) {
    double v = isnan(y[k]) ? y[k] : fmin(hi, fmax(lo, y[k]));
    double q = isnan(v) ? yz : nearbyint(v / ys) + yz;
    tab[k] = (int8_t)fmax(-128, fmin(127, q));
  }
  ir_value_free(&out);
  return IR_OK;
}

/* q[k] = fmax(lo, fmin(127, nearbyint(w[k] / s))) (NaN -> 127) for k < K, with the rounding
 * inlined where the CPU has SSE4.1 (a clone per target; the same values), vectorized (the loop
 * gets the dynamic cost model: -O2's very cheap one leaves it scalar). */
#if (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__) && !defined(__clang__)
__attribute__((target_clones("avx2", "sse4.1", "default"), optimize("vect-cost-model=dynamic")))
#endif
static void quant_row(const float *w, float s, double lo, int8_t *q, int K) {
  /* in float: w / s is a float, and its nearest integer is exact in float (the value
   * nearbyint gives in double) */
  float flo = (float)lo;
  for (int k = 0; k < K; k++) {
    float v = nearbyintf(w[k] / s);
    q[k] = (int8_t)(int)(v != v ? 127.0f : v < flo ? flo : v > 127.0f ? 127.0f : v);
  }
}

/* Rows [o0, o1) of a layer's weights w[M][K]: ws[o] (the tensor's own symmetric scale when
 * fq is given, else max|w[o]| / 127) and the int8 codes qw[o][K]. */
typedef struct qw_rows {
  const float *w;
  const ir_quant *fq; /* the weights' own quantization, or NULL */
  int o0, o1, K;
  float *ws;
  int8_t *qw;
} qw_rows;

static void *quant_rows(void *arg) {
  const qw_rows *r = arg;
  const ir_quant *fq = r->fq;
  int K = r->K;
  for (int o = r->o0; o < r->o1; o++) {
    /* max |w| (a NaN weight changes nothing) in 16 lanes, a loop the compiler vectorizes; a max
     * is exact in float, the same value as in double */
    float lane[16] = {0};
    const float *wr = r->w + (size_t)o * K;
    int k16 = K / 16 * 16;
    for (int k = 0; k < k16; k += 16)
      for (int q = 0; q < 16; q++) {
        float a = fabsf(wr[k + q]);
        lane[q] = a > lane[q] ? a : lane[q];
      }
    for (int k = k16; k < K; k++) {
      float a = fabsf(wr[k]);
      lane[0] = a > lane[0] ? a : lane[0];
    }
    double mx = 0;
    for (int q = 0; q < 16; q++) mx = lane[q] > mx ? lane[q] : mx;
    r->ws[o] = fq ? fq->scale[fq->n == 1 ? 0 : o] : (float)(mx > 0 ? mx / 127.0 : 1.0);
    quant_row(r->w + (size_t)o * K, r->ws[o], fq ? -128 : -127, r->qw + (size_t)o * K, K); /* a model's own may use -128 */
  }
  return NULL;
}

/* quant_rows over all M rows, split over up to QW_THREADS threads when the layer has at least
 * QW_PAR_WEIGHTS weights (each row's codes are its own: the same bytes on any split). */
#define QW_THREADS 4
#define QW_PAR_WEIGHTS ((int64_t)1 << 20)
static void quant_all_rows(const float *w, const ir_quant *fq, int M, int K, float *ws, int8_t *qw) {
  long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  int nt = (int64_t)M * K < QW_PAR_WEIGHTS || cpus < 2 ? 1 : cpus > QW_THREADS ? QW_THREADS : (int)cpus;
  if (nt > M) nt = M > 0 ? M : 1;
  qw_rows r[QW_THREADS] = {{0}};
  pthread_t th[QW_THREADS];
  int started[QW_THREADS] = {0};
  for (int t = 0; t < nt; t++) r[t] = (qw_rows){w, fq, (int)((int64_t)M * t / nt), (int)((int64_t)M * (t + 1) / nt), K, ws, qw};
  for (int t = 1; t < nt; t++) started[t] = pthread_create(&th[t], NULL, quant_rows, &r[t]) == 0;
  quant_rows(&r[0]);
  for (int t = 1; t < nt; t++) {
    if (started[t]) pthread_join(th[t], NULL);
    else quant_rows(&r[t]); /* no thread: its rows here */
  }
}

/* Per-output-channel symmetric int8 weights of w[M][K] (float), int32 bias b[M] (or NULL) at
 * in_scale * w_scale, requant multipliers into out_scale; bres[o] (M floats, or NULL) gets what
 * the rounding of bias o left, in acc units (fold_out_zp rounds once with it). A weight tensor
 * that carries its own symmetric quantization (QDQ import) keeps it. Arrays malloc'ed by the
 * caller. */
static int quant_weights(lw *L, const ir_node *n, int wt, const float *w, int M, int K, const float *b, float xs, float ys,
                         int8_t *qw, int32_t *qb, float *bres, int32_t *mult, uint8_t *shift) {
  float *ws = malloc((size_t)M * sizeof(float) + 1);
  if (!ws) return cc_lower_fail(L, n, "out of memory");
  const ir_quant *fq = wt >= 0 ? L->g->tensors[wt]->quant : NULL;
  int fixed = fq && (fq->n == 1 || (fq->n == M && fq->axis == 0));
  for (int k = 0; fixed && k < fq->n; k++) fixed = fq->zero_point[k] == 0;
  quant_all_rows(w, fixed ? fq : NULL, M, K, ws, qw);
  for (int o = 0; o < M; o++) {
    double be = b ? (double)b[o] / ((double)xs * ws[o]) : 0, bq = nearbyint(be);
    qb[o] = (int32_t)fmax(-2147483647.0, fmin(2147483647.0, bq));
    if (bres) bres[o] = (float)(be - qb[o]);
  }
  int rc = cg_quant_conv(xs, ws, 1, ys, M, mult, shift);
  free(ws);
  if (rc != CG_OK) {
    L->refused = -2; /* the caller marks the node */
    return cc_lower_fail(L, n, "requantization scale out of range (input %g, output %g)", xs, ys);
  }
  return IR_OK;
}

/* Folds the output zero point y_zp into the int32 bias: bias[o] := round(bias[o] + bres[o] +
 * y_zp / rs[o]) with rs[o] = mult[o] * 2^-shift[o] (the exact REQ scale) and bres[o] what the
 * bias's own rounding left (quant_weights; NULL: none), one rounding for both, so that
 * REQ(acc + bias) lands on the output codes directly and the back end needs no ADD y_zp / CLIP
 * passes (one REQ with the clamp bounds). The result differs from REQ(acc) + y_zp by a shift of
 * the rounding point of at most rs/2 output LSB (rs is well below 1 for real layers). Returns 1
 * and sets *y_zp = 0 if every channel's folded bias fits int32, else 0 and changes nothing. */
static int fold_out_zp(int32_t *qb, const float *bres, const int32_t *mult, const uint8_t *shift, int M, int32_t *y_zp) {
  if (!*y_zp) return 1;
  for (int o = 0; o < M; o++) {
    double rs = ldexp((double)mult[o], -(int)shift[o]);
    double v = nearbyint((double)qb[o] + (bres ? bres[o] : 0) + (double)*y_zp / rs);
    if (!(rs > 0) || !(fabs(v) < 2147483647.0)) return 0;
  }
  for (int o = 0; o < M; o++)
    qb[o] = (int32_t)nearbyint((double)qb[o] + (bres ? bres[o] : 0) + (double)*y_zp / ldexp((double)mult[o], -(int)shift[o]));
  *y_zp = 0;
  return 1;
}

/* Whether IR tensor t's quantization is the model's own (a QDQ model's), not calibration's. */
static int own_scale(const lw *L, int t) {
  return L->g->tensors[t]->quant && cc_own_quant(L->cx, t);
}

/* The fraction epilogue (cg.h bias_f) of a conv or fc with int8 weights qw[M][K], float bias b
 * (NULL: none) and requant mult/shift, when its output y has the model's own scale ys (a QDQ
 * model, whose every rounding onnxruntime reproduces; or a bias saturated in acc units): the bias and the output zero point join
 * the value at 2^-f of the output scale, bias_f = round(b / ys * 2^f), instead of rounded to acc
 * units (up to rs/2 output LSB off, which flips roundings and cascades through the layers).
 * f per channel: at most 16 and shift[o], and small enough that acc * rs * 2^f stays under
 * 2^30 for any input (|acc| <= 255 * sum |w|). Sets p->res_fc, p->bias_f and zeroes qb; *rfp
 * and *bfp are allocated (the caller frees). Leaves everything as it is for any other layer. */
static int frac_bias(lw *L, const ir_node *n, int y, const int8_t *qw, int M, size_t K, const float *b, float ys,
                     const int32_t *mult, const uint8_t *shift, int32_t *qb, cg_conv *p, uint8_t **rfp, int32_t **bfp) {
  /* also a bias that int32 at in_scale * w_scale cannot hold (quant_weights clamped it: an input
   * scale of vanishing activations), which in output units it can */
  int saturated = 0;
  for (int o = 0; o < M && b; o++) saturated |= qb[o] >= 2147483647 || qb[o] <= -2147483647;
  if (!own_scale(L, y) && !saturated) return IR_OK;
  uint8_t *rf = *rfp = malloc((size_t)M);
  int32_t *bf = *bfp = malloc((size_t)M * sizeof *bf);
  if (!rf || !bf) return cc_lower_fail(L, n, "out of memory");
  for (int o = 0; o < M; o++) {
    int64_t sw = 0;
    for (size_t k = 0; k < K; k++) sw += abs(qw[(size_t)o * K + k]);
    double amax = 255.0 * (double)sw + 1, rs = ldexp((double)mult[o], -(int)shift[o]);
    double bo = b ? (double)b[o] / ys : 0;
    double fd = rs > 0 ? floor(log2(ldexp(1.0, 30) / (amax * rs))) : 16; /* rs 0: a multiplier that underflowed */
    int f = !(fd > 0) ? 0 : fd > 16 ? 16 : (int)fd;
    f = f > shift[o] ? shift[o] : f;
    while (f > 0 && fabs(ldexp(bo + p->y_zp, f)) >= ldexp(1.0, 29)) f--;
    if (!(fabs(ldexp(bo + p->y_zp, f)) < ldexp(1.0, 29))) return IR_OK; /* too large, or NaN: as before */
    rf[o] = (uint8_t)f;
    bf[o] = (int32_t)nearbyint(ldexp(bo, f));
  }
  for (int o = 0; o < M; o++) qb[o] = 0;
  p->res_fc = rf, p->bias_f = bf;
  return IR_OK;
}

/* After a layer was added to m->net: builds its program, records it, adds the ACCEL step. */
static int finish_layer(lw *L, int ni, int layer, int in, int out) {
  cc_model *m = L->m;
  const ir_node *n = L->g->nodes[ni];
  cg_opts o;
  cg_opts_default(&o);
  o.only_layer = layer;
  o.no_latency_hiding = L->cx->o->no_latency_hiding;
  isa_prog p;
  int rc = cg_net_build(m->net, &o, &p);
  if (rc != CG_OK) {
    cc_lower_fail(L, n, "the back end cannot build this layer: %s", cg_net_error(m->net));
    if (rc == CG_E_FIT || rc == CG_E_UNSUPPORTED || rc == CG_E_ARG) L->refused = ni;
    return IR_ERR;
  }
  cg_layer_info info;
  cg_net_layer_info(m->net, layer, &info);
  m->l = cc_grow(m->l, m->nl, sizeof *m->l);
  L->bl = cc_grow(L->bl, m->nl, sizeof *L->bl);
  cc_mlayer *l = &m->l[m->nl];
  blob *bl = &L->bl[m->nl];
  memset(l, 0, sizeof *l);
  snprintf(l->op, sizeof l->op, "%s", n->op == IR_OP_FusedConv ? "Conv" : n->op_name);
  snprintf(l->node, sizeof l->node, "%s", n->name);
  snprintf(l->desc, sizeof l->desc, "%s", info.desc);
  l->in = cg_tensor_base(m->net, in), l->out = out;
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
  if (!bl->p) return cc_lower_fail(L, n, "out of memory");
  memcpy(bl->p, p.image + bl->c, bl->n);
  isa_prog_free(&p);
  m->nl++;
  cc_plan_add(L, CC_STEP_ACCEL, m->nl - 1, 0);
  return IR_OK;
}

/* A conv with a residual adds it through the GEMM core with the integer weight res_d =
 * rs / ys * 2^f (cg.h). Unless another layer must share the output's quantization (a Concat
 * or a node that keeps its input's, cc_keeps_input_quant: a channel shuffle's too, reads it), the output scale ys is nudged, by at most 0.4 %
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
      if (c->in[k] == y && (c->op == IR_OP_Concat || cc_keeps_input_quant(c))) return IR_OK;
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
static uint64_t trial_cycles(lw *L, const cg_conv *geo, int cin, int h, int w, int cout, int res_c, int res_h,
                             int res_w, int res_dense) {
  cg_net *net = cg_net_new(L->cx->cfg);
  if (!net) return 0;
  int oh = cg_out_dim(h, geo->kh, geo->sh, geo->dh, geo->pad_t, geo->pad_b);
  int ow = cg_out_dim(w, geo->kw, geo->sw, geo->dw, geo->pad_l, geo->pad_r);
  cg_conv p = *geo;
  size_t nw = (size_t)cout * cin * p.kh * p.kw;
  int8_t *wt = malloc(nw + 1), *rw = malloc((size_t)cout * (res_c > 0 ? res_c : 1) + 1);
  int32_t *mult = malloc((size_t)cout * sizeof *mult);
  uint8_t *shift = malloc((size_t)cout), *rf = calloc((size_t)cout, 1);
  uint64_t cy = 0;
  if (wt && rw && mult && shift && rf) {
    memset(wt, 1, nw);
    memset(rw, 1, (size_t)cout * (res_c > 0 ? res_c : 1));
    for (int o = 0; o < cout; o++) mult[o] = 1 << 14, shift[o] = 20;
    p.in = cg_net_tensor(net, cin, h, w);
    p.out = cg_net_tensor(net, cout, oh, ow);
    p.res = res_c > 0 ? cg_net_tensor(net, res_c, res_h, res_w) : -1;
    p.weight = wt, p.bias = NULL, p.mult = mult, p.shift = shift;
    p.groups = 1, p.lo = -128, p.hi = 127, p.x_zp = p.y_zp = p.res_zp = 0;
    p.res_d = res_c > 0 && !res_dense ? 1 : 0, p.res_f = 0;
    p.res_w = res_dense ? rw : NULL, p.res_fc = res_dense ? rf : NULL;
    p.res_s = res_dense ? geo->res_s : 1;
    int layer = cg_net_add_conv(net, &p);
    cg_opts o;
    cg_opts_default(&o);
    o.only_layer = layer;
    o.no_latency_hiding = L->cx->o->no_latency_hiding;
    o.plan_only = 1;
    isa_prog prog;
    cg_layer_info info;
    if (layer >= 0 && cg_net_build(net, &o, &prog) == CG_OK) {
      cg_net_layer_info(net, layer, &info);
      cy = info.predicted_cycles;
    }
  }
  free(wt), free(rw), free(mult), free(shift), free(rf);
  cg_net_free(net);
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
  if (cc_window(g, n, x, wty->dims + 2, &win, why, sizeof why)) return NULL;
  if (win.stride[0] != win.stride[1] || win.dil[0] != 1 || win.dil[1] != 1 || win.pad_b[0] || win.pad_b[1] ||
      win.pad_e[0] || win.pad_e[1] || win.stride[0] > 255)
    return NULL;
  if (ir_use_count(g, y) != 1 || ir_is_graph_output(g, y) || L->map[x]) return NULL;
  const ir_node *c = cc_only_consumer(g, y);
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
    if (ct->rank == 4 && cwt->rank == 4 && !cc_window(g, cn, cx, cwt->dims + 2, &cwin, why, sizeof why)) {
      cg_conv geo;
      memset(&geo, 0, sizeof geo);
      geo.kh = (int)cwt->dims[2], geo.kw = (int)cwt->dims[3], geo.sh = (int)cwin.stride[0], geo.sw = (int)cwin.stride[1];
      geo.dh = (int)cwin.dil[0], geo.dw = (int)cwin.dil[1];
      geo.pad_t = (int)cwin.pad_b[0], geo.pad_l = (int)cwin.pad_b[1], geo.pad_b = (int)cwin.pad_e[0], geo.pad_r = (int)cwin.pad_e[1];
      geo.res_s = (int)win.stride[0];
      int cin = (int)ct->dims[1], h = (int)ct->dims[2], wd = (int)ct->dims[3], cout = (int)cwt->dims[0];
      int oh = cg_out_dim(h, geo.kh, geo.sh, geo.dh, geo.pad_t, geo.pad_b);
      int ow = cg_out_dim(wd, geo.kw, geo.sw, geo.dw, geo.pad_l, geo.pad_r);
      int c2 = (int)xt->dims[1], h2 = (int)xt->dims[2], w2 = (int)xt->dims[3];
      uint64_t fused = trial_cycles(L, &geo, cin, h, wd, cout, c2, h2, w2, 1);
      cg_conv pg;
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

/* The 1x1 projection dsi (ds_consumer) fused into conv n as its GEMM residual (cg.h, res_w):
 * per output channel the most fraction bits f with |w| * x2_scale / ys * 2^f <= 127, weights
 * rw = round(w * x2_scale / ys * 2^f); its bias and the constants y_zp * 2^f - sum(rw) * x2_zp
 * go into the conv's bias qb, in acc units (the REQ scale mult * 2^-shift times ys). Sets p's
 * res_w, res_fc (*rwp, *rfp: allocated, the caller frees), res_s, zero points; *R becomes the
 * projection's input. */
static int fuse_projection(lw *L, const ir_node *n, int dsi, int M, float ys, int32_t yz, const int32_t *mult,
                           const uint8_t *shift, int32_t *qb, cg_conv *p, int8_t **rwp, uint8_t **rfp, int *R) {
  const ir_graph *g = L->g;
  char why[256];
  const ir_node *dn = g->nodes[dsi];
  int x2 = dn->in[0], C2 = (int)g->tensors[dn->in[1]]->type.dims[1];
  const float *wd = g->tensors[dn->in[1]]->data;
  const float *bd = dn->n_in > 2 && dn->in[2] >= 0 ? g->tensors[dn->in[2]]->data : NULL;
  float s2;
  int32_t z2;
  ir_window dwin;
  if (quant_of(L, x2, &s2, &z2) || cc_window(g, dn, x2, g->tensors[dn->in[1]]->type.dims + 2, &dwin, why, sizeof why)) {
    cc_lower_fail(L, n, "internal: the fused projection lost its quantization");
    return IR_ERR;
  }
  int8_t *rw = *rwp = malloc((size_t)M * C2);
  uint8_t *rf = *rfp = malloc((size_t)M);
  if (!rw || !rf) return cc_lower_fail(L, n, "out of memory");
  int fold = 1;
  double *add = malloc((size_t)M * sizeof *add);
  if (!add) return cc_lower_fail(L, n, "out of memory");
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
  p->res_w = rw, p->res_fc = rf, p->res_s = (int)dwin.stride[0];
  p->res_zp = fold ? 0 : z2;
  if (fold) p->y_zp = 0;
  *R = x2; /* the residual tensor is the projection's input */
  return IR_OK;
}

/* The residual of conv p through the GEMM core (cg.h): res_d = round(rs / ys * 2^f) with the
 * most fraction bits f that keep res_d <= 127 (so res_d >= 64 and the residual's scale is off
 * by at most 2^-(f+1), a relative 0.8 %); the constants -res_d*res_zp + y_zp*2^f go into the
 * bias qb (in acc units: divided by the REQ scale mult*2^-(shift-f)). */
static void gemm_residual(cg_conv *p, int M, float rs, float ys, int32_t rz, int32_t yz, const int32_t *mult,
                          const uint8_t *shift, int32_t *qb) {
  int minsh = 63;
  for (int o = 0; o < M; o++) minsh = shift[o] < minsh ? shift[o] : minsh;
  double ratio = (double)rs / ys;
  for (int f = minsh < 49 ? minsh : 49; f >= 0; f--) {
    double d = nearbyint(ldexp(ratio, f));
    if (d > 127) continue;
    if (d >= 1) p->res_d = (int)d, p->res_f = f;
    break;
  }
  if (p->res_d) {
    double k = -(double)p->res_d * rz + ldexp((double)yz, p->res_f);
    int ok = 1;
    for (int o = 0; o < M && ok; o++)
      ok = fabs((double)qb[o] + nearbyint(k / ldexp((double)mult[o], p->res_f - (int)shift[o]))) < 2147483647.0;
    for (int o = 0; o < M && ok; o++)
      qb[o] = (int32_t)((double)qb[o] + nearbyint(k / ldexp((double)mult[o], p->res_f - (int)shift[o])));
    if (ok) p->res_zp = 0, p->y_zp = 0;
  }
}

/* The input of conv n on IR tensor x into p->in: a first layer with few channels reads a
 * host-packed im2col tensor, any other its accelerator tensor. */
static int conv_input(lw *L, const ir_node *n, int x, cg_conv *p, float xs, int32_t xz, const int **map) {
  const ir_graph *g = L->g;
  cc_model *m = L->m;
  const ir_type *xt = &g->tensors[x]->type;
  int cin = (int)xt->dims[1];
  if (L->acc[x] < 0 && p->groups == 1 && ir_use_count(g, x) == 1 && !ir_is_graph_output(g, x) &&
      cg_im2col_pays(m->cfg, cin, p->kh, p->kw)) {
    int f = cc_float_of(L, x);
    if (f < 0) return IR_ERR;
    p->in = cg_net_tensor_im2col(m->net, cin, (int)xt->dims[2], (int)xt->dims[3], p);
    if (p->in < 0) {
      cc_lower_fail(L, n, "%s", cg_net_error(m->net));
      return IR_ERR;
    }
    add_mtensor(L, p->in, x, xs, xz);
    cc_mtensor *T = &m->t[p->in];
    T->c = cin, T->h = (int)xt->dims[2], T->w = (int)xt->dims[3];
    T->im2col = 1;
    int geo[11] = {p->kh, p->kw, p->sh, p->sw, p->dh, p->dw, p->pad_t, p->pad_l, p->pad_b, p->pad_r, p->x_zp};
    memcpy(T->geo, geo, sizeof geo);
    cc_plan_add(L, CC_STEP_QUANT, f, p->in);
  } else if ((p->in = p->groups == 1 ? acc_of_mapped(L, x, map) : acc_of(L, x)) < 0) {
    return IR_ERR;
  }
  return IR_OK;
}

/* Conv / dlvta.FusedConv node ni -> a conv layer (im2col input for a first layer with few
 * channels, residual, clamp of the fused activation). IR_OK or IR_ERR (L->refused set when the
 * back end refused it). lower_fc, lower_pool and lower_add do the same for their kinds. */
static int lower_conv(lw *L, int ni) {
  const ir_graph *g = L->g;
  cc_model *m = L->m;
  const ir_node *n = g->nodes[ni];
  int x = n->in[0], wt = n->in[1], bt = n->n_in > 2 ? n->in[2] : -1, R = n->n_in > 3 ? n->in[3] : -1, y = n->out[0];
  const ir_type *wty = &g->tensors[wt]->type;
  ir_window win;
  char why[256];
  if (cc_window(g, n, x, wty->dims + 2, &win, why, sizeof why)) return cc_lower_fail(L, n, "%s", why);
  /* a fused table op (Sigmoid, ...): the conv's own output y is its input codes, yo the result */
  ir_node *fl = fused_act(L, n);
  if (fl && !cc_is_lut_op(g, fl)) fl = NULL;
  int yo = fl ? fl->out[0] : y;
  int M = (int)wty->dims[0], Kc = (int)wty->dims[1], kh = (int)wty->dims[2], kw = (int)wty->dims[3];
  int group = (int)ir_attr_int(n, "group", 1);
  float xs, ys, rs = 1;
  int32_t xz, yz, rz = 0;
  if (quant_of(L, x, &xs, &xz) || quant_of(L, y, &ys, &yz) || (R >= 0 && quant_of(L, R, &rs, &rz))) return IR_ERR;
  int dsi = -1; /* the fused 1x1 projection producing R (ds_consumer) */
  if (R >= 0 && ir_producer(g, R, &dsi) && ds_consumer(L, dsi) != n) dsi = -1;
  if (R >= 0 && dsi < 0 && nudge_res_scale(L, y, rs, &ys)) return IR_ERR;
  cg_conv p;
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
  float *bres = malloc((size_t)M * sizeof *bres);
  int32_t *mult = malloc((size_t)M * sizeof *mult);
  uint8_t *shift = malloc((size_t)M);
  int8_t *rw = NULL, *mw = NULL;
  uint8_t *rf = NULL;
  int32_t *bf = NULL;
  int8_t tab[ISA_LUT_DEPTH];
  int rc = IR_ERR;
  if (!qw || !qb || !bres || !mult || !shift) {
    cc_lower_fail(L, n, "out of memory");
    goto out;
  }
  if (quant_weights(L, n, wt, g->tensors[wt]->data, M, (int)K, bt >= 0 ? g->tensors[bt]->data : NULL, xs, ys, qw, qb,
                    bres, mult, shift)) {
    if (L->refused == -2) L->refused = ni;
    goto out;
  }
  p.weight = qw, p.bias = qb, p.mult = mult, p.shift = shift;
  if (dsi >= 0) {
    if (fuse_projection(L, n, dsi, M, ys, yz, mult, shift, qb, &p, &rw, &rf, &R)) goto out;
  } else if (R >= 0) {
    gemm_residual(&p, M, rs, ys, rz, yz, mult, shift, qb);
  } else if (frac_bias(L, n, y, qw, M, K, bt >= 0 ? g->tensors[bt]->data : NULL, ys, mult, shift, qb, &p, &rf, &bf)) {
    goto out;
  }
  if (!p.res_d && !p.res_w && !p.bias_f) fold_out_zp(qb, bres, mult, shift, M, &p.y_zp);
  if (R >= 0 && !p.res_d && !p.res_w) {
    int sh;
    if (cg_quant_multiplier((double)rs / ys, &p.res_mult, &sh) != CG_OK) {
      L->refused = ni;
      cc_lower_fail(L, n, "residual requantization out of range");
      goto out;
    }
    p.res_shift = sh;
  }
  if (fl) {
    float os;
    int32_t oz;
    if (quant_of(L, yo, &os, &oz) || lut_table(L, fl, ni, ys, yz, os, oz, -INFINITY, INFINITY, tab)) goto out;
    p.lut = tab;
  }
  /* the input: a first layer with few channels reads a host-packed im2col tensor; a lane-
   * mapped one is read as it lies, the map folded into the weights */
  const int *xmap = NULL;
  if (conv_input(L, n, x, &p, xs, xz, &xmap)) goto out;
  if (xmap) {
    int cp, hh, ww;
    cg_tensor_shape(m->net, p.in, &cp, &hh, &ww);
    if (map_weights(L, n, qw, M, Kc, kh * kw, xmap, cp, &mw)) goto out;
    p.weight = mw;
  }
  p.res = -1;
  if (R >= 0 && (p.res = acc_of(L, R)) < 0) goto out;
  if ((p.out = new_acc(L, yo)) < 0) goto out;
  int layer = cg_net_add_conv(m->net, &p);
  if (layer < 0) {
    L->refused = ni;
    cc_lower_fail(L, n, "the back end refused the conv: %s", cg_net_error(m->net));
    goto out;
  }
  if (finish_layer(L, ni, layer, p.in, p.out)) goto out;
  L->acc[yo] = p.out;
  rc = IR_OK;
out:
  free(qw), free(qb), free(bres), free(mult), free(shift), free(rw), free(rf), free(bf), free(mw);
  return rc;
}

/* Gemm / MatMul with constant weights -> a 1x1 conv over C x 1 x 1 tensors. */
static int lower_fc(lw *L, int ni) {
  const ir_graph *g = L->g;
  cc_model *m = L->m;
  const ir_node *n = g->nodes[ni];
  ir_node *fa = fused_act(L, n), *fl = NULL; /* a fused Relu/Clip, or a fused table op */
  if (fa && cc_is_lut_op(g, fa)) fl = fa, fa = NULL;
  int x = n->in[0], bw = n->in[1], ct = n->op == IR_OP_Gemm && n->n_in > 2 ? n->in[2] : -1;
  int y = fa ? fa->out[0] : n->out[0], yo = fl ? fl->out[0] : y;
  int8_t tab[ISA_LUT_DEPTH];
  const ir_type *wty = &g->tensors[bw]->type;
  int trans = n->op == IR_OP_Gemm && ir_attr_int(n, "transB", 0);
  int K = (int)(trans ? wty->dims[1] : wty->dims[0]), N = (int)(trans ? wty->dims[0] : wty->dims[1]);
  /* the input flattened from a C x H x W map (a "fold" Reshape): the fc is a conv with an
   * H x W kernel over the map, whose weights w[o][(c*H + y)*W + x] are the flatten order */
  int fkh = 1, fkw = 1, fi;
  const ir_node *fr = ir_producer(g, x, &fi);
  if (fr && !strcmp(ir_attr_string(fr, "dlvta.target", ""), "fold")) {
    x = fr->in[0];
    fkh = (int)g->tensors[x]->type.dims[2], fkw = (int)g->tensors[x]->type.dims[3];
  }
  double alpha = n->op == IR_OP_Gemm ? ir_attr_float(n, "alpha", 1.0f) : 1.0;
  double beta = n->op == IR_OP_Gemm ? ir_attr_float(n, "beta", 1.0f) : 1.0;
  float xs, ys;
  int32_t xz, yz;
  if (quant_of(L, x, &xs, &xz) || quant_of(L, y, &ys, &yz)) return IR_ERR;
  /* Gemm's transB weights at alpha 1 are w[N][K] as they lie: used in place, no copy */
  int in_place = trans && alpha == 1.0;
  float *w = in_place ? NULL : malloc((size_t)N * K * sizeof(float)), *b = malloc((size_t)N * sizeof(float));
  int8_t *qw = malloc((size_t)N * K), *mw = NULL;
  uint8_t *rf = NULL;
  int32_t *bf = NULL;
  int32_t *qb = malloc((size_t)N * sizeof *qb);
  float *bres = malloc((size_t)N * sizeof *bres);
  int32_t *mult = malloc((size_t)N * sizeof *mult);
  uint8_t *shift = malloc((size_t)N);
  int rc = IR_ERR;
  if ((!w && !in_place) || !b || !qw || !qb || !bres || !mult || !shift) {
    cc_lower_fail(L, n, "out of memory");
    goto out;
  }
  const float *B = g->tensors[bw]->data;
  for (int o = 0; o < N; o++) {
    for (int k = 0; k < K && !in_place; k++)
      w[(size_t)o * K + k] = (float)(alpha * (trans ? B[(size_t)o * K + k] : B[(size_t)k * N + o]));
    b[o] = ct >= 0 ? (float)(beta * ((const float *)g->tensors[ct]->data)[ir_type_numel(&g->tensors[ct]->type) == 1 ? 0 : o]) : 0;
  }
  /* weights given with their own quantization keep it only when used as they are */
  if (quant_weights(L, n, in_place ? bw : -1, in_place ? B : w, N, K, b, xs, ys, qw, qb, bres, mult, shift)) {
    if (L->refused == -2) L->refused = ni;
    goto out;
  }
  cg_conv p;
  memset(&p, 0, sizeof p);
  p.kh = fkh, p.kw = fkw, p.sh = p.sw = p.dh = p.dw = 1;
  p.groups = 1;
  p.weight = qw, p.bias = qb, p.mult = mult, p.shift = shift;
  p.x_zp = xz, p.y_zp = yz;
  float lo = -INFINITY, hi = INFINITY;
  if (fa) cc_clip_bounds(g, fa, &lo, &hi);
  clamp_codes(lo, hi, ys, yz, &p.lo, &p.hi);
  if (frac_bias(L, n, y, qw, N, (size_t)K, b, ys, mult, shift, qb, &p, &rf, &bf)) goto out;
  if (!p.bias_f) fold_out_zp(qb, bres, mult, shift, N, &p.y_zp);
  if (fl) {
    float os;
    int32_t oz;
    if (quant_of(L, yo, &os, &oz) || lut_table(L, fl, ni, ys, yz, os, oz, -INFINITY, INFINITY, tab)) goto out;
    p.lut = tab;
  }
  p.res = -1;
  const int *xmap = NULL;
  if ((p.in = acc_of_mapped(L, x, &xmap)) < 0) goto out;
  if (xmap) {
    int cp, hh, ww;
    cg_tensor_shape(m->net, p.in, &cp, &hh, &ww);
    if (map_weights(L, n, qw, N, K / (fkh * fkw), fkh * fkw, xmap, cp, &mw)) goto out;
    p.weight = mw;
  }
  if ((p.out = new_acc(L, yo)) < 0) goto out;
  int layer = cg_net_add_conv(m->net, &p);
  if (layer < 0) {
    L->refused = ni;
    cc_lower_fail(L, n, "the back end refused the fc layer: %s", cg_net_error(m->net));
    goto out;
  }
  if (finish_layer(L, ni, layer, p.in, p.out)) goto out;
  L->acc[yo] = p.out;
  rc = IR_OK;
out:
  free(w), free(b), free(qw), free(qb), free(bres), free(mult), free(shift), free(rf), free(bf), free(mw);
  return rc;
}

/* MaxPool / AveragePool / GlobalAveragePool -> a pool layer. */
static int lower_pool(lw *L, int ni) {
  const ir_graph *g = L->g;
  cc_model *m = L->m;
  const ir_node *n = g->nodes[ni];
  int d2s = n->op == IR_OP_DepthToSpace || n->op == IR_OP_Interleave;
  int bil = n->op == IR_OP_Resize && !strcmp(ir_attr_string(n, "mode", "nearest"), "linear");
  ir_node *fa = n->op == IR_OP_MaxPool || n->op == IR_OP_Resize || d2s ? NULL : fused_act(L, n);
  int x = n->in[0], y = fa ? fa->out[0] : n->out[0];
  const ir_type *xt = &g->tensors[x]->type;
  float xs, ys;
  int32_t xz, yz;
  if (quant_of(L, x, &xs, &xz) || quant_of(L, y, &ys, &yz)) return IR_ERR;
  cg_pool p;
  memset(&p, 0, sizeof p);
  if (n->op == IR_OP_GlobalAveragePool) {
    p.kh = (int)xt->dims[2], p.kw = (int)xt->dims[3], p.sh = p.sw = 1;
  } else if (n->op == IR_OP_Resize && bil) {
    char why[256];
    if (cc_bilinear_why_not(g, n, &p.sh, &p.sw, &p.ct, why, sizeof why)) return cc_lower_fail(L, n, "internal: not a bilinear upsampling");
    p.kh = p.kw = 1;
  } else if (n->op == IR_OP_Resize) {
    if (!cc_upsample_factors(g, n, &p.sh, &p.sw)) return cc_lower_fail(L, n, "internal: not an upsampling");
    p.kh = p.kw = 1;
  } else if (d2s) {
    if (!cc_interleave_geometry(g, n, &p.sh, &p.sw, &p.gc)) return cc_lower_fail(L, n, "internal: not a depth-to-space");
    const int64_t *yd = g->tensors[y]->type.dims;
    p.kh = p.kw = 1, p.oc = (int)yd[1], p.oh = (int)yd[2], p.ow = (int)yd[3];
  } else {
    ir_window win;
    char why[256];
    if (cc_window(g, n, x, NULL, &win, why, sizeof why) || cc_ceil_pads(g, n, &win, n->out[0]))
      return cc_lower_fail(L, n, "%s", why);
    p.kh = (int)win.kernel[0], p.kw = (int)win.kernel[1], p.sh = (int)win.stride[0], p.sw = (int)win.stride[1];
    p.pad_t = (int)win.pad_b[0], p.pad_l = (int)win.pad_b[1], p.pad_b = (int)win.pad_e[0], p.pad_r = (int)win.pad_e[1];
  }
  p.kind = n->op == IR_OP_MaxPool ? CG_POOL_MAX : bil ? CG_POOL_BIL : n->op == IR_OP_Resize ? CG_POOL_UP : d2s ? CG_POOL_D2S : CG_POOL_AVG;
  p.x_zp = xz, p.y_zp = yz;
  p.lo = -128, p.hi = 127;
  if (p.kind == CG_POOL_AVG) {
    int sh;
    double n_avg = (double)p.kh * p.kw; /* the divisor the multiplier takes */
    if (n->op == IR_OP_AveragePool && !ir_attr_int(n, "count_include_pad", 0) &&
        (p.pad_t || p.pad_l || p.pad_b || p.pad_r)) { /* padding left out: the sums times fy * fx first */
      int ly, lx;
      const int64_t *yd = g->tensors[y]->type.dims;
      if (cg_pool_excl(p.kh, p.sh, p.pad_t, (int)xt->dims[2], (int)yd[2], &ly, NULL) ||
          cg_pool_excl(p.kw, p.sw, p.pad_l, (int)xt->dims[3], (int)yd[3], &lx, NULL)) {
        L->refused = ni;
        return cc_lower_fail(L, n, "padding left out of the average: the window counts have no small common multiple");
      }
      p.excl_pad = 1, n_avg = (double)ly * lx;
    }
    if (cg_quant_multiplier((double)xs / (n_avg * ys), &p.mult, &sh) != CG_OK) {
      L->refused = ni;
      return cc_lower_fail(L, n, "average requantization out of range");
    }
    p.shift = sh;
    p.half_even = own_scale(L, y); /* a QDQ model's: its QuantizeLinear rounds ties to even */
    float lo = -INFINITY, hi = INFINITY;
    if (fa) cc_clip_bounds(g, fa, &lo, &hi);
    clamp_codes(lo, hi, ys, yz, &p.lo, &p.hi);
  } else if (xs != ys || xz != yz) {
    return cc_lower_fail(L, n, "internal: max pooling / upsampling output quantized differently from its input");
  }
  /* a lane-mapped input: the output has the same lanes (pools work lane by lane) */
  const int *xmap = NULL;
  int cp = 0, hh, ww;
  if ((p.in = acc_of_mapped(L, x, &xmap)) < 0) return IR_ERR;
  if (xmap && d2s) {
    L->refused = ni;
    return cc_lower_fail(L, n, "depth-to-space of a lane-mapped input");
  }
  if (xmap) cg_tensor_shape(m->net, p.in, &cp, &hh, &ww);
  if ((p.out = new_acc_c(L, y, xmap ? cp : 0)) < 0) return IR_ERR;
  if (xmap) {
    size_t nb = (size_t)xt->dims[1] * sizeof(int);
    if (!(L->map[y] = malloc(nb))) return cc_lower_fail(L, n, "out of memory");
    memcpy(L->map[y], xmap, nb);
  }
  int layer = cg_net_add_pool(m->net, &p);
  if (layer < 0) {
    L->refused = ni;
    return cc_lower_fail(L, n, "the back end refused the pooling: %s", cg_net_error(m->net));
  }
  if (finish_layer(L, ni, layer, p.in, p.out)) return IR_ERR;
  L->acc[y] = p.out;
  return IR_OK;
}

/* Add, Max or Min of two activations (with a fused Relu/Clip) -> an add layer (cg_add.op). */
static int lower_add(lw *L, int ni) {
  const ir_graph *g = L->g;
  cc_model *m = L->m;
  const ir_node *n = g->nodes[ni];
  ir_node *fa = fused_act(L, n);
  int a = n->in[0], b = n->in[1], y = fa ? fa->out[0] : n->out[0];
  float as, bs, ys;
  int32_t az, bz, yz;
  if (quant_of(L, a, &as, &az) || quant_of(L, b, &bs, &bz) || quant_of(L, y, &ys, &yz)) return IR_ERR;
  cg_add p;
  memset(&p, 0, sizeof p);
  int sa, sb;
  if (cg_quant_multiplier((double)as / ys, &p.a_mult, &sa) != CG_OK || cg_quant_multiplier((double)bs / ys, &p.b_mult, &sb) != CG_OK) {
    L->refused = ni;
    return cc_lower_fail(L, n, "add requantization out of range");
  }
  p.a_shift = sa, p.b_shift = sb;
  p.a_zp = az, p.b_zp = bz, p.y_zp = yz;
  p.op = n->op == IR_OP_Max ? CG_ADD_MAX : n->op == IR_OP_Min ? CG_ADD_MIN : CG_ADD_SUM;
  float lo = -INFINITY, hi = INFINITY;
  if (fa) cc_clip_bounds(g, fa, &lo, &hi);
  clamp_codes(lo, hi, ys, yz, &p.lo, &p.hi);
  if ((p.a = acc_of(L, a)) < 0 || (p.b = acc_of(L, b)) < 0 || (p.out = new_acc(L, y)) < 0) return IR_ERR;
  int layer = cg_net_add_add(m->net, &p);
  if (layer < 0) {
    L->refused = ni;
    return cc_lower_fail(L, n, "the back end refused the add: %s", cg_net_error(m->net));
  }
  if (finish_layer(L, ni, layer, p.a, p.out)) return IR_ERR;
  L->acc[y] = p.out;
  return IR_OK;
}

/* Mul of an activation by a per-channel vector or an activation of its shape (with a fused
 * Relu/Clip) -> a mul layer. */
static int lower_mul(lw *L, int ni) {
  const ir_graph *g = L->g;
  const ir_node *n = g->nodes[ni];
  ir_node *fa = fused_act(L, n);
  int a, b, y = fa ? fa->out[0] : n->out[0];
  if (!cc_mul_operands(g, n, &a, &b)) return cc_lower_fail(L, n, "internal: Mul operands changed");
  float as, bs, ys;
  int32_t az, bz, yz;
  if (quant_of(L, a, &as, &az) || quant_of(L, b, &bs, &bz) || quant_of(L, y, &ys, &yz)) return IR_ERR;
  cg_mul p;
  memset(&p, 0, sizeof p);
  if (cg_quant_multiplier((double)as * bs / ys, &p.mult, &p.shift) != CG_OK) {
    L->refused = ni;
    return cc_lower_fail(L, n, "mul requantization out of range");
  }
  p.a_zp = az, p.b_zp = bz, p.y_zp = yz;
  float lo = -INFINITY, hi = INFINITY;
  if (fa) cc_clip_bounds(g, fa, &lo, &hi);
  clamp_codes(lo, hi, ys, yz, &p.lo, &p.hi);
  /* the output zero point into the bias, round(y_zp * 2^frac / rs) (rs = mult * 2^-shift, the
   * exact REQ scale), as fold_out_zp does a conv's: REQ with the bounds lands on the output codes,
   * no ADD y_zp / CLIP passes over every element. The product takes frac fraction bits (the
   * largest up to 7 that keeps the bias within 2^24 and the shift within 63; per channel only,
   * where scaling b is one element's pass), so the rounding point moves by at most rs/2^(frac+1)
   * output LSB (SE's rs ~ 1/255: 2^-16) */
  int per_channel = ir_type_numel(&g->tensors[b]->type) != ir_type_numel(&g->tensors[a]->type);
  for (int f = per_channel ? 7 : 0; yz && f >= 0; f--) {
    double bf = nearbyint(ldexp((double)yz / (double)p.mult, p.shift + f));
    if (p.shift + f <= 63 && fabs(bf) <= (double)(1 << 24)) {
      p.bias = (int32_t)bf, p.frac = f, p.shift += f, p.y_zp = 0;
      break;
    }
  }
  if ((p.a = acc_contig(L, a)) < 0 || (p.b = acc_contig(L, b)) < 0 || (p.out = new_acc(L, y)) < 0) return IR_ERR;
  int layer = cg_net_add_mul(L->m->net, &p);
  if (layer < 0) {
    L->refused = ni;
    return cc_lower_fail(L, n, "the back end refused the mul: %s", cg_net_error(L->m->net));
  }
  if (finish_layer(L, ni, layer, p.a, p.out)) return IR_ERR;
  L->acc[y] = p.out;
  return IR_OK;
}

/* A unary table op (cc_is_lut_op) on its own -> a LUT layer; a Relu/Clip fused after it
 * (partition) clamps the table's values (Neg + Relu: relu(-x), prelu-to-conv). */
static int lower_lut(lw *L, int ni) {
  const ir_graph *g = L->g;
  const ir_node *n = g->nodes[ni];
  ir_node *fa = fused_act(L, n);
  int x = n->in[0], y = fa ? fa->out[0] : n->out[0];
  float xs, ys, lo = -INFINITY, hi = INFINITY;
  int32_t xz, yz;
  int8_t tab[ISA_LUT_DEPTH];
  if (fa) cc_clip_bounds(g, fa, &lo, &hi);
  if (quant_of(L, x, &xs, &xz) || quant_of(L, y, &ys, &yz) || lut_table(L, n, ni, xs, xz, ys, yz, lo, hi, tab))
    return IR_ERR;
  cg_lut p = {.table = tab};
  if ((p.in = acc_contig(L, x)) < 0 || (p.out = new_acc(L, y)) < 0) return IR_ERR;
  int layer = cg_net_add_lut(L->m->net, &p);
  if (layer < 0) {
    L->refused = ni;
    return cc_lower_fail(L, n, "the back end refused the table: %s", cg_net_error(L->m->net));
  }
  if (finish_layer(L, ni, layer, p.in, p.out)) return IR_ERR;
  L->acc[y] = p.out;
  return IR_OK;
}

/* A zero Pad of the spatial axes (cc_spatial_pad; a conv's pads beyond the load's, moved into Pads
 * by fold-pad) -> an identity depthwise 1x1 conv with those pads; the output keeps the input's
 * quantization (cc_keeps_input_quant). */
static int lower_pad(lw *L, int ni) {
  const ir_graph *g = L->g;
  const ir_node *n = g->nodes[ni];
  int x = n->in[0], y = n->out[0], pads[4], c, h, w, cp = 0, hh, ww;
  float xs;
  int32_t xz;
  const int *xmap = NULL;
  if (quant_of(L, x, &xs, &xz) || !cc_acc_shape(g, x, &c, &h, &w)) return IR_ERR;
  if (!cc_spatial_pad(g, n, pads)) return cc_lower_fail(L, n, "internal: not a zero pad of the spatial axes");
  int v = acc_of_mapped(L, x, &xmap);
  if (v < 0) return IR_ERR;
  if (xmap) cg_tensor_shape(L->m->net, v, &cp, &hh, &ww);
  int out = identity_conv(L, ni, v, xmap, c, cp, xz, pads, y);
  if (out < 0) return IR_ERR;
  L->acc[y] = out;
  return IR_OK;
}

/* Concat along channels -> a view of its inputs' channel blocks (cg.h, cg_net_tensor_view); no
 * layer. Its inputs share the output's quantization (cc_share_concat_quant). */
static int lower_concat(lw *L, int ni) {
  const ir_graph *g = L->g;
  cc_model *m = L->m;
  const ir_node *n = g->nodes[ni];
  int B = (int)cc_layout_block(&m->cfg->d), y = n->out[0], nb = 0, c, h, w;
  float ys, xs;
  int32_t yz, xz;
  if (quant_of(L, y, &ys, &yz) || !cc_acc_shape(g, y, &c, &h, &w)) return IR_ERR;
  int *src = malloc(((size_t)c / B + 2 * (size_t)n->n_in + 1 + (size_t)c) * sizeof *src);
  int *blk = malloc(((size_t)c / B + 2 * (size_t)n->n_in + 1 + (size_t)c) * sizeof *blk);
  if (!src || !blk) return free(src), free(blk), cc_lower_fail(L, n, "out of memory");
  /* an input that is not whole blocks (or lane-mapped) leaves gaps: the view gets a lane map */
  int *map = malloc((size_t)c * sizeof *map), gaps = 0, lc = 0;
  if (!map) return free(src), free(blk), cc_lower_fail(L, n, "out of memory");
  for (int k = 0; k < n->n_in; k++) {
    int x = n->in[k], t, ck, hk, wk, xc = (int)g->tensors[x]->type.dims[1];
    const int *xmap = NULL;
    if (quant_of(L, x, &xs, &xz) || (t = acc_of_mapped(L, x, &xmap)) < 0)
      return free(src), free(blk), free(map), IR_ERR;
    if (xs != ys || xz != yz) {
      L->refused = ni;
      free(src), free(blk), free(map);
      return cc_lower_fail(L, n, "input '%s' is quantized apart from the output (the model's own scales)", g->tensors[x]->name);
    }
    cg_tensor_shape(m->net, t, &ck, &hk, &wk);
    for (int i = 0; i < xc; i++) map[lc + i] = nb * B + (xmap ? xmap[i] : i);
    lc += xc;
    gaps |= xmap != NULL || (k < n->n_in - 1 && ck % B);
    for (int b = 0; b < (ck + B - 1) / B; b++) src[nb] = t, blk[nb++] = b;
  }
  int v = cg_net_tensor_view(m->net, gaps ? nb * B : c, nb, src, blk);
  free(src), free(blk);
  if (v < 0) {
    free(map);
    L->refused = ni;
    return cc_lower_fail(L, n, "the back end refused the concatenation: %s", cg_net_error(m->net));
  }
  L->acc[y] = v;
  if (gaps) L->map[y] = map;
  else free(map);
  return IR_OK;
}

/* The end of a channel shuffle (target "shuffle", cc_shuffle_perm): the output is the input's
 * accelerator tensor with its lanes permuted (a lane map); no layer. */
static int lower_shuffle(lw *L, int ni) {
  const ir_graph *g = L->g;
  const ir_node *n = g->nodes[ni];
  int y = n->out[0], x = -1, c = (int)g->tensors[y]->type.dims[1], t;
  float xs, ys;
  int32_t xz, yz;
  int *perm = malloc((size_t)c * sizeof *perm);
  const int *xmap = NULL;
  if (!perm) return cc_lower_fail(L, n, "out of memory");
  if (!cc_shuffle_perm(g, n, &x, perm)) return free(perm), cc_lower_fail(L, n, "internal: not a channel shuffle");
  if (quant_of(L, x, &xs, &xz) || quant_of(L, y, &ys, &yz) || (t = acc_of_mapped(L, x, &xmap)) < 0)
    return free(perm), IR_ERR;
  if (xs != ys || xz != yz) {
    free(perm);
    L->refused = ni;
    return cc_lower_fail(L, n, "the shuffled tensor is quantized apart from its input (the model's own scales)");
  }
  for (int j = 0; j < c; j++) perm[j] = xmap ? xmap[perm[j]] : perm[j];
  L->acc[y] = t;
  L->map[y] = perm;
  return IR_OK;
}

/* A channel Slice or Split (target "accel", cc_channel_slices): each output is a view of the
 * blocks of the input's accelerator tensor that hold its channels, with a lane map unless they
 * start on a block boundary in order; its consumers fold the map into their weights (or copy
 * it into a tensor of its own when they cannot). No layer, no data moves. */
static int lower_slice(lw *L, int ni) {
  const ir_graph *g = L->g;
  const ir_node *n = g->nodes[ni];
  int B = (int)cc_layout_block(&L->m->cfg->d), x = -1, t, first[IR_VARIADIC + 1];
  float xs, ys;
  int32_t xz, yz;
  const int *xmap = NULL;
  if (!cc_channel_slices(g, n, &x, first)) return cc_lower_fail(L, n, "internal: not a channel slice");
  if (quant_of(L, x, &xs, &xz) || (t = acc_of_mapped(L, x, &xmap)) < 0) return IR_ERR;
  int tc, th, tw;
  cg_tensor_shape(L->m->net, t, &tc, &th, &tw);
  int nblk = (tc + B - 1) / B;
  int *pos = malloc(((size_t)nblk + 1) * sizeof *pos), *src = malloc(((size_t)nblk + 1) * sizeof *src),
      *blk = malloc(((size_t)nblk + 1) * sizeof *blk);
  if (!pos || !src || !blk) return free(pos), free(src), free(blk), cc_lower_fail(L, n, "out of memory");
  int rc = IR_OK;
  for (int k = 0; k < n->n_out && rc == IR_OK; k++) {
    int y = n->out[k], c = y >= 0 ? (int)g->tensors[y]->type.dims[1] : 0, nb = 0, ident = 1;
    if (y < 0 || (rc = quant_of(L, y, &ys, &yz)) != IR_OK) continue;
    if (ys != xs || yz != xz) {
      L->refused = ni;
      rc = cc_lower_fail(L, n, "output '%s' is quantized apart from the input (the model's own scales)", g->tensors[y]->name);
      break;
    }
    int *map = malloc((size_t)c * sizeof *map);
    if (!map) {
      rc = cc_lower_fail(L, n, "out of memory");
      break;
    }
    for (int b = 0; b < nblk; b++) pos[b] = -1;
    for (int j = 0; j < c; j++) { /* the blocks holding the channels, in lane order */
      int lane = xmap ? xmap[first[k] + j] : first[k] + j;
      map[j] = lane;
      pos[lane / B] = 0;
      ident &= lane == first[k] + j;
    }
    for (int b = 0; b < nblk; b++)
      if (!pos[b]) pos[b] = nb, src[nb] = t, blk[nb++] = b;
    ident &= first[k] % B == 0;
    for (int j = 0; j < c; j++) map[j] = pos[map[j] / B] * B + map[j] % B;
    int v = ident && first[k] == 0 && c == tc ? t : cg_net_tensor_view(L->m->net, ident ? c : nb * B, nb, src, blk);
    if (v < 0) {
      free(map);
      L->refused = ni;
      rc = cc_lower_fail(L, n, "the back end refused the channel slice: %s", cg_net_error(L->m->net));
      break;
    }
    L->acc[y] = v;
    if (ident) free(map);
    else L->map[y] = map;
  }
  free(pos), free(src), free(blk);
  return rc;
}

/* Node ni on the CPU: its inputs as float, a copy of the node in the runtime graph. */
static int lower_cpu(lw *L, int ni) {
  const ir_node *n = L->g->nodes[ni];
  ir_graph *rg = L->m->g;
  int in[64], out[64];
  if (n->n_in > 64 || n->n_out > 64) return cc_lower_fail(L, n, "too many operands");
  for (int k = 0; k < n->n_in; k++)
    if ((in[k] = n->in[k] >= 0 ? cc_float_of(L, n->in[k]) : -1) < -1 || (n->in[k] >= 0 && in[k] < 0)) return IR_ERR;
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
    case IR_ATTR_STRINGS: ir_set_attr_strings(c, a->name, (const char *const *)a->strs, a->n); break;
    case IR_ATTR_TENSOR: {
      ir_value *v = calloc(1, sizeof *v);
      if (!v || ir_value_alloc(v, &a->t->type) != IR_OK) return free(v), cc_lower_fail(L, n, "out of memory");
      memcpy(v->data, a->t->data, (size_t)ir_type_numel(&a->t->type) * ir_dtype_size(a->t->type.dtype));
      ir_new_attr(c, a->name, IR_ATTR_TENSOR)->t = v;
      break;
    }
    default: return cc_lower_fail(L, n, "attribute '%s' cannot be packaged", a->name);
    }
  }
  cc_plan_add(L, CC_STEP_CPU, rg->n_nodes - 1, 0);
  return IR_OK;
}

/* Union-find root of tensor t. */
static int uf_root(int *up, int t) {
  while (up[t] != t) t = up[t] = up[up[t]];
  return t;
}

void cc_share_concat_quant(lw *L) {
  ir_graph *g = L->g;
  int nt = g->n_tensors, any = 0;
  int *up = malloc(((size_t)nt + 1) * sizeof *up);
  double *lo = malloc(((size_t)nt + 1) * sizeof *lo), *hi = malloc(((size_t)nt + 1) * sizeof *hi);
  unsigned char *cat = calloc((size_t)nt + 1, 1), *fixed = calloc((size_t)nt + 1, 1);
  if (!up || !lo || !hi || !cat || !fixed) goto out;
  for (int t = 0; t < nt; t++) up[t] = t;
  /* tensors that must share one quantization: a Concat's inputs and output, and (as calibrate
   * already gives them) the input and outputs of every node that keeps its input's
   * (cc_keeps_input_quant: a max pooling, an upsampling, a padding copy, a slice, an alias) */
  for (int i = 0; i < g->n_nodes; i++) {
    const ir_node *n = g->nodes[i];
    const char *tg = ir_attr_string(n, "dlvta.target", "cpu");
    if (n->dead || n->n_out < 1 || n->out[0] < 0) continue;
    int isc = n->op == IR_OP_Concat && !strcmp(tg, "accel"), shx = -1;
    if (!strcmp(tg, "shuffle")) {
      int *perm = malloc(((size_t)g->tensors[n->out[0]]->type.dims[1] + 1) * sizeof *perm);
      if (perm && cc_shuffle_perm(g, n, &shx, perm)) isc = 1;
      free(perm);
    }
    int slice = (n->op == IR_OP_Slice || n->op == IR_OP_Split) && !strcmp(tg, "accel");
    if (!isc && !cc_keeps_input_quant(n)) continue;
    any |= isc;
    for (int k = 0; k < (isc && shx < 0 ? n->n_in : 1); k++)
      for (int o = 0; o < (slice ? n->n_out : 1); o++) { /* a slice's outputs: all of them */
        if (n->out[o] < 0) continue;
        int a = uf_root(up, shx >= 0 ? shx : n->in[k]), b = uf_root(up, n->out[o]);
        if (a != b) up[a] = b;
      }
    if (isc) cat[n->out[0]] = 1;
  }
  if (!any) goto out;
  for (int t = 0; t < nt; t++) lo[t] = INFINITY, hi[t] = -INFINITY;
  for (int t = 0; t < nt; t++) {
    const ir_quant *q = g->tensors[t]->quant;
    int r = uf_root(up, t);
    if (!q || q->n != 1) continue;
    if (t >= L->cx->n_calibrated || !L->cx->calibrated[t]) fixed[r] = 1; /* the model's own: kept */
    int32_t z = q->zero_point[0]; /* -128: non-negative; 0: symmetric, -127..127; else affine */
    lo[r] = fmin(lo[r], z == -128 ? 0.0 : ((z ? -128.0 : -127.0) - z) * q->scale[0]);
    hi[r] = fmax(hi[r], ((double)127 - q->zero_point[0]) * q->scale[0]);
  }
  for (int t = 0; t < nt; t++) cat[uf_root(up, t)] |= cat[t];
  for (int t = 0; t < nt; t++) {
    int r = uf_root(up, t);
    const ir_quant *q = g->tensors[t]->quant;
    if (!cat[r] || fixed[r] || !q || q->n != 1 || !(hi[r] > lo[r])) continue;
    float sc;
    int32_t zp;
    cc_choose_quant(lo[r], hi[r], &sc, &zp);
    ir_set_quant(g, t, -1, 1, &sc, &zp, IR_I8);
  }
out:
  free(up), free(lo), free(hi), free(cat), free(fixed);
}

int cc_lower_node(lw *L, int i) {
  const ir_node *n = L->g->nodes[i];
  const char *tg = ir_attr_string(n, "dlvta.target", "cpu");
  if (!strcmp(tg, "fused")) return IR_OK;
  if (!strcmp(tg, "alias")) {
    /* a graph input read through a reshape (lift-1d's [1,C,L] -> [1,C,1,L]): quantized once */
    if (L->acc[n->in[0]] < 0 && ir_is_graph_input(L->g, n->in[0]) && acc_of(L, n->in[0]) < 0) return IR_ERR;
    if (L->acc[n->in[0]] >= 0 && !L->g->tensors[n->in[0]]->data) {
      if (L->map[n->in[0]] && materialize(L, n->in[0])) return IR_ERR; /* one map per tensor */
      L->acc[n->out[0]] = L->acc[n->in[0]];
      return IR_OK;
    }
    tg = "cpu";
  }
  if (!strcmp(tg, "shuffle")) return lower_shuffle(L, i);
  if (!strcmp(tg, "fold")) {
    /* a flatten read by its Gemm consumers as a map (lower_fc); on the CPU if one of them
     * went there (the back end refused it) */
    int uses = 0, acc = 0;
    for (int k = 0; k < L->g->n_nodes; k++) {
      const ir_node *u = L->g->nodes[k];
      for (int q = 0; !u->dead && q < u->n_in; q++)
        if (u->in[q] == n->out[0]) uses++, acc += !strcmp(ir_attr_string(u, "dlvta.target", ""), "accel");
    }
    if (uses == acc) return IR_OK;
    return lower_cpu(L, i);
  }
  if (strcmp(tg, "accel")) return lower_cpu(L, i);
  if (ds_consumer(L, i)) return IR_OK; /* lowered inside its consumer */
  switch (n->op) {
  case IR_OP_Conv:
  case IR_OP_FusedConv: return lower_conv(L, i);
  case IR_OP_Gemm:
  case IR_OP_MatMul: return lower_fc(L, i);
  case IR_OP_MaxPool:
  case IR_OP_AveragePool:
  case IR_OP_GlobalAveragePool:
  case IR_OP_Resize:
  case IR_OP_DepthToSpace:
  case IR_OP_Interleave: return lower_pool(L, i);
  case IR_OP_Add:
  case IR_OP_Max:
  case IR_OP_Min: return lower_add(L, i);
  case IR_OP_Concat: return lower_concat(L, i);
  case IR_OP_Pad: return lower_pad(L, i);
  case IR_OP_Relu:
  case IR_OP_Clip: return lower_lut(L, i); /* on its own: a table (its bounds constant) */
  case IR_OP_Mul: return lower_mul(L, i);
  case IR_OP_Slice:
  case IR_OP_Split: return lower_slice(L, i);
  default:
    if (cc_is_lut_op(L->g, n)) return lower_lut(L, i);
    return cc_lower_fail(L, n, "internal: no lowering for an accelerator node");
  }
}
