/* compiler/quant.c -- post-training int8 quantization: the calibrate pass (activation ranges
 * from the float reference executor over calibration samples -> per-tensor scale and zero
 * point on every float activation tensor) and the qdq-import pass (already-quantized ONNX ->
 * float ops whose tensors keep the model's scales and zero points). Rules in compile.h.
 */
#include <float.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cblas.h>
#include <dlfcn.h>

#include "cc_internal.h"
#include "compile.h"
#include "lower.h"
#include "progress.h"
#include "ref.h"

void cc_choose_quant(double lo, double hi, float *scale, int32_t *zp) {
  if (!isfinite(lo) || !isfinite(hi) || lo > hi) lo = hi = 0;
  if (lo >= 0) {
    /* non-negative: every code in use, zero exactly representable as -128 */
    double s = hi / 255.0;
    *scale = (float)(s > 1e-8 ? s : 1e-8);
    *zp = -128;
  } else if (fmin(-lo, hi) < CC_SYM_RATIO * fmax(-lo, hi)) {
    /* one side much the larger (a hardswish's [-0.375, 6]): affine over [lo, max(hi, 0)], every
     * code in use, zero on the code zp */
    double s = (fmax(hi, 0) - lo) / 255.0;
    s = s > 1e-8 ? s : 1e-8;
    *scale = (float)s;
    *zp = (int32_t)fmax(-128, fmin(127, nearbyint(-128 - lo / s)));
  } else {
    double m = fmax(-lo, hi);
    double s = m / 127.0;
    *scale = (float)(s > 1e-8 ? s : 1e-8);
    *zp = 0;
  }
}

/* ---- calibrate ------------------------------------------------------------------------- */
/* One pass over the samples collects everything: per tensor the running [min, max] and a
 * signed histogram: |x| of the negative values and of the positive ones, each over [0, R] in
 * CAL_HALF bins, R a power-of-two multiple of the first sample's max|x|; when a value passes R, R
 * doubles and neighbouring bins merge, so the histogram always covers what was seen (bin width
 * <= 2 * max|x| / CAL_HALF); zeros count as positive. */
#define CAL_HALF 4096
#define CAL_BINS (2 * CAL_HALF) /* [0, CAL_HALF): x < 0 by |x|; [CAL_HALF, CAL_BINS): x >= 0 */
#define CAL_CHUNK 512

typedef struct cal_state {
  double *lo, *hi;  /* [n_tensors] running range, +inf/-inf when unseen */
  double *range;    /* [n_tensors] R of the histogram, 0 before the first non-zero value */
  int *slot;        /* [n_tensors] the tensor's histogram in hist, or -1 (constants, not float) */
  uint32_t *hist;   /* [n_slots][CAL_BINS] counts of |x| over [0, R], negative then positive x */
  int *same;        /* [n_tensors] the tensor whose values this one holds in another order
                     * (cal_same), -1: counted itself, CAL_UNUSED: not counted (cal_unused) */
  int64_t *choff;   /* [n_tensors] a normalization's input (norm_input_conv): its channels' first
                     * entry in chlo / chhi; -1: not tracked per channel */
  double *chlo, *chhi; /* per channel running range of those tensors */
} cal_state;

/* Histogram slots for the float tensors that are not constants: c->slot; their count. */
static int cal_slots(const ir_graph *g, cal_state *c) {
  int n = 0;
  for (int t = 0; t < g->n_tensors; t++) {
    const ir_tensor *x = g->tensors[t];
    c->slot[t] = !x->data && x->type.dtype == IR_F32 ? n++ : -1;
  }
  return n;
}

static uint32_t *cal_hist(const cal_state *c, int t) {
  return c->slot[t] < 0 ? NULL : c->hist + (size_t)c->slot[t] * CAL_BINS;
}

/* The range and histogram of a tensor depend only on the multiset of each sample's values (min,
 * max, and counts per bin, the histogram's range set by the first sample's max|x|). The output
 * of a node that only reorders its input's float values (Reshape, Flatten, Squeeze, Unsqueeze,
 * Transpose, Identity) therefore ends with its input's state: c->same[out] = in for it (in
 * topological order, so that chains resolve to the first tensor), -1 for everything else;
 * cal_copy_same copies the states after the samples. */
static void cal_same(const ir_graph *g, cal_state *c) {
  for (int t = 0; t < g->n_tensors; t++) c->same[t] = -1;
  for (int i = 0; i < g->n_nodes; i++) {
    const ir_node *n = g->nodes[i];
    int op = n->op;
    if (n->dead || n->n_in < 1 || n->n_out != 1 || n->in[0] < 0 || n->out[0] < 0) continue;
    if (op != IR_OP_Reshape && op != IR_OP_Flatten && op != IR_OP_Squeeze && op != IR_OP_Unsqueeze &&
        op != IR_OP_Transpose && op != IR_OP_Identity)
      continue;
    const ir_tensor *x = g->tensors[n->in[0]], *y = g->tensors[n->out[0]];
    if (x->data || x->type.dtype != IR_F32 || y->type.dtype != IR_F32 ||
        ir_type_numel(&x->type) != ir_type_numel(&y->type))
      continue;
    c->same[n->out[0]] = c->same[n->in[0]] >= 0 ? c->same[n->in[0]] : n->in[0];
  }
}

/* A tensor that only CPU steps touch (made by one or by none, read only by them, not a graph
 * input or output) is never quantized, since the CPU steps run in float: its range is not
 * recorded (c->same[t] = CAL_UNUSED) and cal_choose gives it no quantization. A tensor whose
 * state another one copies (c->same) is recorded if that one is. A node that the back end
 * later sends to the CPU (plan.c) only ever removes a use. ViT's attention and LayerNorm
 * steps: about 40 % of the tensors' values. */
#define CAL_UNUSED (-2)
static void cal_unused(const ir_graph *g, cal_state *c) {
  char *need = calloc((size_t)g->n_tensors + 1, 1);
  if (!need) return; /* every tensor recorded, as before */
  for (int i = 0; i < g->n_inputs; i++) need[g->inputs[i]] = 1;
  for (int i = 0; i < g->n_outputs; i++) need[g->outputs[i]] = 1;
  for (int i = 0; i < g->n_nodes; i++) {
    const ir_node *n = g->nodes[i];
    if (n->dead || !strcmp(ir_attr_string(n, "dlvta.target", "cpu"), "cpu")) continue;
    for (int k = 0; k < n->n_in; k++)
      if (n->in[k] >= 0) need[n->in[k]] = 1;
    for (int k = 0; k < n->n_out; k++)
      if (n->out[k] >= 0) need[n->out[k]] = 1;
  }
  for (int t = 0; t < g->n_tensors; t++)
    if (need[t] && c->same[t] >= 0) need[c->same[t]] = 1;
  for (int t = 0; t < g->n_tensors; t++)
    if (!need[t]) c->same[t] = CAL_UNUSED;
  free(need);
}

static void cal_copy_same(const ir_graph *g, cal_state *c) {
  for (int t = 0; t < g->n_tensors; t++) {
    int s = c->same[t];
    if (s < 0) continue;
    c->lo[t] = c->lo[s], c->hi[t] = c->hi[s], c->range[t] = c->range[s];
    if (cal_hist(c, t) && cal_hist(c, s)) memcpy(cal_hist(c, t), cal_hist(c, s), CAL_BINS * sizeof *c->hist);
  }
}

/* One sample's value v of tensor t into its range and histogram: the range widened to the
 * value's min and max (NaNs ignored), the histogram's range doubled (bins merged) until it covers
 * max|x|, then |x| counted into the bins of x's sign (NaNs into a spare bin). Cloned per target (AVX2 where the CPU has it: the same
 * operations on wider vectors, the same counts). */
#if (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__) && !defined(__clang__)
__attribute__((target_clones("avx512f", "avx2", "default"), optimize("vect-cost-model=dynamic")))
#endif
static void cal_value(cal_state *c, int t, const ir_value *v) {
  if (!v || v->type.dtype != IR_F32) return;
  int64_t n = ir_type_numel(&v->type);
  const float *d = v->data;
  double lo = c->lo[t], hi = c->hi[t];
  float mlo = INFINITY, mhi = -INFINITY, vlo[8], vhi[8]; /* 8 lanes: vector min / max */
  for (int q = 0; q < 8; q++) vlo[q] = INFINITY, vhi[q] = -INFINITY;
  int64_t i8 = n / 8 * 8;
  for (int64_t i = 0; i < i8; i += 8)
    for (int q = 0; q < 8; q++) {
      float x = d[i + q];
      vlo[q] = x < vlo[q] ? x : vlo[q];
      vhi[q] = x > vhi[q] ? x : vhi[q];
    }
  for (int64_t i = i8; i < n; i++) {
    float x = d[i];
    mlo = x < mlo ? x : mlo;
    mhi = x > mhi ? x : mhi;
  }
  for (int q = 0; q < 8; q++) {
    mlo = vlo[q] < mlo ? vlo[q] : mlo;
    mhi = vhi[q] > mhi ? vhi[q] : mhi;
  }
  if (n > 0 && mlo == mlo && mhi == mhi) {
    if (mlo < lo) lo = mlo;
    if (mhi > hi) hi = mhi;
  }
  c->lo[t] = lo;
  c->hi[t] = hi;
  double m = fmax(fabs((double)mlo), fabs((double)mhi));
  if (!(m > 0) || !isfinite(m)) return;
  uint32_t *h = cal_hist(c, t);
  if (!h) return;
  if (c->range[t] == 0) c->range[t] = m;
  while (m > c->range[t]) { /* widen: merge bin pairs, in each half */
    for (int hb = 0; hb < CAL_BINS; hb += CAL_HALF) {
      for (int b = 0; b < CAL_HALF / 2; b++) h[hb + b] = h[hb + 2 * b] + h[hb + 2 * b + 1];
      memset(h + hb + CAL_HALF / 2, 0, CAL_HALF / 2 * sizeof *h);
    }
    c->range[t] *= 2;
  }
  float k = (float)(CAL_HALF / c->range[t]);
  /* bins computed CAL_CHUNK values at a time (a loop the compiler vectorizes; NaN to a spare
   * bin), then counted in four interleaved partial histograms: runs of one bin do not
   * wait on the previous count's store (a value less than the histogram: counted directly) */
  static _Thread_local uint32_t part_tl[4][CAL_BINS + 1];
  uint32_t(*restrict part)[CAL_BINS + 1] = part_tl;
  int direct = n < CAL_BINS;
  if (!direct) memset(part, 0, sizeof part_tl);
  int32_t bin[CAL_CHUNK];
  for (int64_t i0 = 0; i0 < n; i0 += CAL_CHUNK) {
    int cnt = n - i0 < CAL_CHUNK ? (int)(n - i0) : CAL_CHUNK;
    const float *di = d + i0;
    if (cnt == CAL_CHUNK)
      for (int i = 0; i < CAL_CHUNK; i++) {
        float x = di[i], a = fabsf(x) * k;
        int32_t b = a < (float)CAL_HALF ? (int32_t)a : CAL_HALF - 1;
        bin[i] = x >= 0 ? CAL_HALF + b : x < 0 ? b : CAL_BINS;
      }
    else
      for (int i = 0; i < cnt; i++) {
        float x = di[i], a = fabsf(x) * k;
        int32_t b = a < (float)CAL_HALF ? (int32_t)a : CAL_HALF - 1;
        bin[i] = x >= 0 ? CAL_HALF + b : x < 0 ? b : CAL_BINS;
      }
    int i = 0;
    for (; direct && i < cnt; i++)
      if (bin[i] < CAL_BINS) h[bin[i]]++;
    for (; i + 4 <= cnt; i += 4)
      part[0][bin[i]]++, part[1][bin[i + 1]]++, part[2][bin[i + 2]]++, part[3][bin[i + 3]]++;
    for (; i < cnt; i++) part[0][bin[i]]++;
  }
  for (int b = 0; !direct && b < CAL_BINS; b++) h[b] += part[0][b] + part[1][b] + part[2][b] + part[3][b];
}

/* ---- the range of each tensor: least expected squared error ----
 * A quantization of [-a, b] with step st costs each value inside st^2 / 12 (rounding) and each
 * value outside its squared distance to the bound (clipping). One sign's half of a histogram
 * (|x| over [0, R], bin width bw, x a bin's centre) as suffix sums, so that cutting it at bin edge
 * e (bound c) costs s2[e] - 2 c s1[e] + c^2 s0[e] outside and leaves s0[0] - s0[e] values inside. */
typedef struct cal_side {
  double s0[CAL_HALF + 1], s1[CAL_HALF + 1], s2[CAL_HALF + 1]; /* sums of h, h*x, h*x^2 over bins >= e */
  double m;                                                   /* the largest |x| that counts */
  int top;                                                    /* the bin edge at or above m */
} cal_side;

/* Side S of the half histogram h of values up to m, bins of width bw; the values at or beyond
 * `free` cost nothing however they are clipped (a flat part of what reads them) and do not count. */
static void side_sums(cal_side *S, const uint32_t *h, double bw, double m, double free) {
  S->m = fmax(0, fmin(m, free));
  S->top = (int)fmin(CAL_HALF, ceil(S->m / bw));
  S->s0[CAL_HALF] = S->s1[CAL_HALF] = S->s2[CAL_HALF] = 0;
  for (int b = CAL_HALF - 1; b >= 0; b--) {
    double x = (b + 0.5) * bw, k = b * bw < free ? h[b] : 0;
    S->s0[b] = S->s0[b + 1] + k, S->s1[b] = S->s1[b + 1] + k * x, S->s2[b] = S->s2[b + 1] + k * x * x;
  }
}

/* The bound of side S at bin edge e: its largest value from the top edge on. */
static double side_cut(const cal_side *S, int e, double bw) { return e >= S->top ? S->m : e * bw; }

/* Values of S inside the bound at edge e, and the clipping error outside it. */
static double side_in(const cal_side *S, int e) { return e >= S->top ? S->s0[0] : S->s0[0] - S->s0[e]; }
static double side_clip(const cal_side *S, int e, double bw) {
  double c = side_cut(S, e, bw);
  return e >= S->top ? 0 : fmax(0, S->s2[e] - 2 * c * S->s1[e] + c * c * S->s0[e]);
}

/* The range [*lo, *hi] (observed, within the flat ends of the reader) narrowed to the bound c
 * of least expected squared error, from the sides N (x < 0) and P (x > 0): a non-negative tensor
 * over [0, c] in 255 steps, any other over [-c, c] in 254; c from the largest |x| down to 1/16 of
 * it. cc_choose_quant then makes a range whose sides differ affine (255 steps over [max(lo, -c),
 * min(hi, c)]): finer than the steps c was chosen for, so that it clips less than the affine
 * optimum of the same error model would (a search of both bounds for the affine steps clipped
 * the tails too hard: the Fashion-MNIST MobileNetV3 of tests/fmnist_accuracy.py lost 2 dB of
 * logit SNR with it). */
static void mse_range(const cal_side *N, const cal_side *P, double bw, double *lo, double *hi) {
  double m = fmax(N->m, P->m), best = INFINITY, c = m;
  if (!(m > 0)) return;
  int top = (int)fmin(CAL_HALF, ceil(m / bw)), levels = N->m > 0 ? 127 : 255;
  for (int e = top; e >= top / 16 && e >= 1; e--) {
    double ce = e >= top ? m : e * bw, st = ce / levels;
    double v = (side_in(N, e) + side_in(P, e)) * st * st / 12 + side_clip(N, e, bw) + side_clip(P, e, bw);
    if (v < best) best = v, c = ce;
  }
  *lo = N->m > 0 ? -fmin(c, N->m) : *lo, *hi = P->m > 0 ? fmin(c, P->m) : *hi;
}

/* A deterministic N(0, 1) generator (xorshift64* and Box-Muller): synthetic calibration. */
static double synth_normal(uint64_t *s) {
  double u[2];
  for (int k = 0; k < 2; k++) {
    *s ^= *s >> 12, *s ^= *s << 25, *s ^= *s >> 27;
    u[k] = ((double)((*s * 2685821657736338717ull) >> 11) + 0.5) / 9007199254740992.0;
  }
  return sqrt(-2.0 * log(u[0])) * cos(6.283185307179586 * u[1]);
}

#define SYNTH_SAMPLES 8
#define OUTPUT_HEADROOM 1.25
#define CAL_MAX_WORKERS 4

/* ---- the samples' float products: OpenBLAS ----
 * Calibration's Conv, Gemm and MatMul products through OpenBLAS's sgemm (ref_opts.sgemm), one
 * BLAS thread per call: the calibration workers are the parallelism, and the bits of a product
 * depend only on its shape and operands (never on how many threads ran it). The library is
 * loaded on the first calibration (dlopen: a process that never calibrates, the runtime's and
 * every other, neither maps it nor starts its threads); without it, ref's own kernels. */
typedef __typeof__(cblas_sgemm) blas_sgemm_fn;
static blas_sgemm_fn *blas_sgemm;
static pthread_once_t blas_once = PTHREAD_ONCE_INIT;

static void blas_load(void) {
  void *h = dlopen("libopenblas.so.0", RTLD_NOW | RTLD_LOCAL);
  if (!h) return;
  void (*set_threads)(int);
  *(void **)&set_threads = dlsym(h, "openblas_set_num_threads");
  *(void **)&blas_sgemm = dlsym(h, "cblas_sgemm");
  if (set_threads && blas_sgemm) set_threads(1);
  else blas_sgemm = NULL; /* the library is left loaded: it may have started its threads */
}

static void cal_sgemm(int tb, int M, int N, int K, const float *A, int lda, const float *B, int ldb, float *C, int ldc) {
  blas_sgemm(CblasRowMajor, CblasNoTrans, tb ? CblasTrans : CblasNoTrans, M, N, K, 1.0f, A, lda, B, ldb, 0.0f, C, ldc);
}

/* ---- the samples' float runs, in batches, in parallel ----
 * The samples go through the reference executor in batches of bs consecutive samples
 * (ref_run_batch: node by node over the batch, a layer whose weights the samples share as one
 * product, each sample's values the bits of its own run); each worker thread runs every nw-th
 * batch (its GEMMs on that thread alone). The histograms depend on the order in which samples
 * reach them (a histogram's range starts at its first sample's max|x|), so a turnstile per node
 * keeps that order: batch b counts node i's outputs, sample by sample, only after batch b-1 did;
 * the result is the sequential one. */
typedef struct cal_job {
  const ir_graph *g;
  cal_state *c;
  const ir_value *tmpl; /* [nin] the inputs' types */
  float **data;         /* [nin] the ns samples of each input */
  int nin, ns, nw, bs;  /* bs: samples per batch */
  pthread_mutex_t mu;
  pthread_cond_t cv;
  int *done; /* [n_nodes + 1]: batches counted at node i (n_nodes: the graph inputs) */
  int go, abort, rc; /* go: the workers are counted (nw), start */
  char *err;
  size_t errlen;
} cal_job;

typedef struct cal_worker {
  cal_job *j;
  int w, b; /* worker index, its current batch */
} cal_worker;

/* Waits until batch b may count at turnstile idx; 0, or -1 when the run was aborted. */
static int cal_enter(cal_job *j, int idx, int b) {
  pthread_mutex_lock(&j->mu);
  while (j->done[idx] != b && !j->abort) pthread_cond_wait(&j->cv, &j->mu);
  int ab = j->abort;
  pthread_mutex_unlock(&j->mu);
  return ab ? -1 : 0;
}

static void cal_leave(cal_job *j, int idx) {
  pthread_mutex_lock(&j->mu);
  j->done[idx]++;
  pthread_cond_broadcast(&j->cv);
  pthread_mutex_unlock(&j->mu);
}

/* One sample's value v of tensor t (a [1,C,H,W] map tracked per channel) into its channels'
 * ranges. */
static void cal_channels(cal_state *c, int t, const ir_value *v) {
  if (!v || v->type.dtype != IR_F32 || v->type.rank != 4) return;
  int64_t C = v->type.dims[1], S = v->type.dims[2] * v->type.dims[3];
  const float *d = v->data;
  for (int64_t n = 0; n < v->type.dims[0]; n++)
    for (int64_t ch = 0; ch < C; ch++) {
      const float *x = d + (n * C + ch) * S;
      float lo = INFINITY, hi = -INFINITY;
      for (int64_t k = 0; k < S; k++) lo = x[k] < lo ? x[k] : lo, hi = x[k] > hi ? x[k] : hi;
      double *clo = &c->chlo[c->choff[t] + ch], *chi = &c->chhi[c->choff[t] + ch];
      if (lo < *clo) *clo = lo;
      if (hi > *chi) *chi = hi;
    }
}

static int cal_node(void *ctx, const ir_graph *g, int ni, int nb, const ir_value *const *outs) {
  cal_worker *wk = ctx;
  const ir_node *n = g->nodes[ni];
  cal_state *c = wk->j->c;
  int rec = 0;
  for (int k = 0; k < n->n_out; k++) rec |= n->out[k] >= 0 && c->same[n->out[k]] == -1;
  if (!rec) return 0; /* nothing of n's counted: no turnstile (each node has its own) */
  if (cal_enter(wk->j, ni, wk->b)) return -1;
  for (int s = 0; s < nb; s++)
    for (int k = 0; k < n->n_out; k++) {
      int t = n->out[k];
      if (t < 0 || c->same[t] != -1) continue;
      cal_value(c, t, outs[(size_t)s * n->n_out + k]);
      if (c->choff && c->choff[t] >= 0) cal_channels(c, t, outs[(size_t)s * n->n_out + k]);
    }
  cal_leave(wk->j, ni);
  return 0;
}

/* Batch b of the worker's: its samples into in[s * nin + i], counted at the inputs' turnstile,
 * then run. */
static int cal_batch(cal_worker *wk, ir_value *in, char *err, size_t errlen) {
  cal_job *j = wk->j;
  const ir_graph *g = j->g;
  int s0 = wk->b * j->bs, nb = j->ns - s0 < j->bs ? j->ns - s0 : j->bs;
  if (wk->w == 0) {
    char what[48];
    snprintf(what, sizeof what, "sample %d of %d", s0 + 1, j->ns);
    util_progress((double)s0 / j->ns, what);
  }
  for (int s = 0; s < nb; s++)
    for (int i = 0; i < j->nin; i++) {
      int64_t n = ir_type_numel(&in[i].type);
      memcpy(in[s * j->nin + i].data, j->data[i] + (size_t)(s0 + s) * (size_t)n, (size_t)n * sizeof(float));
    }
  if (cal_enter(j, g->n_nodes, wk->b)) return IR_ERR;
  for (int s = 0; s < nb; s++)
    for (int i = 0; i < j->nin; i++) cal_value(j->c, g->inputs[i], &in[s * j->nin + i]);
  cal_leave(j, g->n_nodes);
  pthread_once(&blas_once, blas_load);
  ref_opts ro = {.threads = 1, .sgemm = blas_sgemm ? cal_sgemm : NULL};
  return ref_run_batch(g, in, j->nin, nb, NULL, &ro, cal_node, wk, err, errlen);
}

static void *cal_worker_run(void *arg) {
  cal_worker *wk = arg;
  cal_job *j = wk->j;
  char err[1024] = "";
  int rc = IR_OK, nv = j->nin * j->bs;
  pthread_mutex_lock(&j->mu);
  while (!j->go) pthread_cond_wait(&j->cv, &j->mu);
  pthread_mutex_unlock(&j->mu);
  ir_value *in = calloc((size_t)nv + 1, sizeof *in);
  if (!in) rc = IR_ERR, snprintf(err, sizeof err, "out of memory");
  for (int v = 0; v < nv && rc == IR_OK; v++)
    if (ir_value_alloc(&in[v], &j->tmpl[v % j->nin].type)) rc = IR_ERR, snprintf(err, sizeof err, "out of memory");
  for (wk->b = wk->w; wk->b * j->bs < j->ns && rc == IR_OK; wk->b += j->nw) rc = cal_batch(wk, in, err, sizeof err);
  pthread_mutex_lock(&j->mu);
  if (rc != IR_OK && !j->abort) { /* the first failure; the others stopped because of it */
    j->abort = 1, j->rc = rc;
    snprintf(j->err, j->errlen, "%s", err);
  }
  pthread_cond_broadcast(&j->cv);
  pthread_mutex_unlock(&j->mu);
  for (int v = 0; in && v < nv; v++) ir_value_free(&in[v]);
  free(in);
  return NULL;
}

/* Samples per batch: as many as keep a batch's largest float activation under CAL_BATCH_BYTES
 * (at most CAL_MAX_BATCH), then evened out so that the batches split evenly over nw workers.
 * The caller passes CAL_MAX_WORKERS for nw whatever the thread count: the batch's products'
 * shapes, and so their bits (OpenBLAS's), must not depend on it. */
#define CAL_BATCH_BYTES ((int64_t)64 << 20)
#define CAL_MAX_BATCH 8
static int cal_batch_size(const ir_graph *g, int ns, int nw) {
  int64_t big = 1;
  for (int t = 0; t < g->n_tensors; t++) {
    const ir_tensor *x = g->tensors[t];
    if (!x->data && x->type.dtype == IR_F32 && ir_type_known(&x->type) && ir_type_numel(&x->type) * 4 > big)
      big = ir_type_numel(&x->type) * 4;
  }
  int64_t bs = CAL_BATCH_BYTES / big;
  bs = bs < 1 ? 1 : bs > CAL_MAX_BATCH ? CAL_MAX_BATCH : bs;
  int nbatch = (int)((ns + bs - 1) / bs);
  nbatch = (nbatch + nw - 1) / nw * nw;
  return ns < 1 ? 1 : (ns + nbatch - 1) / nbatch;
}

/* Runs the ns samples (inputs like in[0..nin): from --calib or synthetic) with cal_value on
 * every float value, in batches, on up to CAL_MAX_WORKERS threads (co->calib_threads, else the
 * online CPUs). */
static int cal_samples(const ir_graph *g, const cc_options *co, const ir_value *in, int ns, int use_calib, int multi,
                       cal_state *c, char *err, size_t errlen) {
  int nin = g->n_inputs;
  long cpus = co->calib_threads > 0 ? co->calib_threads : sysconf(_SC_NPROCESSORS_ONLN);
  int nw = cpus < 1 ? 1 : cpus > CAL_MAX_WORKERS ? CAL_MAX_WORKERS : (int)cpus;
  if (nw > ns) nw = ns > 0 ? ns : 1;
  int bs = cal_batch_size(g, ns, CAL_MAX_WORKERS);
  if (nw > (ns + bs - 1) / bs) nw = ns > 0 ? (ns + bs - 1) / bs : 1;
  cal_job j = {.g = g, .c = c, .tmpl = in, .nin = nin, .ns = ns, .nw = nw, .bs = bs, .rc = IR_OK, .err = err, .errlen = errlen};
  j.data = calloc((size_t)nin + 1, sizeof *j.data);
  j.done = calloc((size_t)g->n_nodes + 1, sizeof *j.done);
  cal_worker wk[CAL_MAX_WORKERS];
  pthread_t th[CAL_MAX_WORKERS];
  int rc = IR_OK;
  if (!j.data || !j.done) rc = IR_ERR, snprintf(err, errlen, "out of memory");
  uint64_t seed = 0x9E3779B97F4A7C15ull; /* synthetic samples drawn in order: sample by sample, input by input */
  for (int i = 0; i < nin && rc == IR_OK && !use_calib; i++)
    if (!(j.data[i] = malloc((size_t)ns * (size_t)ir_type_numel(&in[i].type) * sizeof(float) + 1)))
      rc = IR_ERR, snprintf(err, errlen, "out of memory");
  for (int s = 0; s < ns && rc == IR_OK; s++)
    for (int i = 0; i < nin; i++) {
      int64_t n = ir_type_numel(&in[i].type);
      if (use_calib) j.data[i] = (float *)(multi ? co->calib_inputs[i] : co->calib);
      else
        for (int64_t k = 0; k < n; k++) j.data[i][(size_t)s * (size_t)n + (size_t)k] = (float)synth_normal(&seed);
    }
  pthread_mutex_init(&j.mu, NULL);
  pthread_cond_init(&j.cv, NULL);
  util_progress_begin("calibrate");
  int k = 1; /* workers started: a thread that cannot be created leaves its samples to the others */
  for (int w = 1; w < nw && rc == IR_OK; w++) {
    wk[k] = (cal_worker){&j, k, 0};
    if (pthread_create(&th[k], NULL, cal_worker_run, &wk[k]) == 0) k++;
  }
  pthread_mutex_lock(&j.mu);
  j.nw = k, j.go = 1;
  pthread_cond_broadcast(&j.cv);
  pthread_mutex_unlock(&j.mu);
  wk[0] = (cal_worker){&j, 0, 0};
  if (rc == IR_OK) cal_worker_run(&wk[0]);
  for (int w = 1; w < k; w++) pthread_join(th[w], NULL);
  util_progress_end();
  pthread_mutex_destroy(&j.mu);
  pthread_cond_destroy(&j.cv);
  for (int i = 0; i < nin && j.data && !use_calib; i++) free(j.data[i]);
  free(j.data), free(j.done);
  return rc != IR_OK ? rc : j.rc;
}

int cc_keeps_input_quant(const ir_node *n) {
  const char *tg = ir_attr_string(n, "dlvta.target", "cpu");
  int moves = n->op == IR_OP_MaxPool || n->op == IR_OP_Resize || n->op == IR_OP_DepthToSpace ||
              n->op == IR_OP_Interleave || n->op == IR_OP_Slice || n->op == IR_OP_Split || n->op == IR_OP_Pad;
  /* a channel shuffle's first Reshape and Transpose (its last Reshape, target "shuffle", is a lane
   * map of its input, lower_shuffle) */
  int shuffle_part = (n->op == IR_OP_Reshape || n->op == IR_OP_Transpose) && !strcmp(tg, "fused");
  return (moves && !strcmp(tg, "accel")) || shuffle_part || !strcmp(tg, "alias");
}

/* A new tensor of tensor x's type named x's + suffix, with tensor q's quantization. */
static int requant_tensor(ir_graph *g, int x, int q, const char *suffix) {
  char name[600];
  snprintf(name, sizeof name, "%s_%s", g->tensors[x]->name, suffix);
  ir_type t = g->tensors[x]->type;
  int m = ir_add_tensor(g, name, &t);
  cc_copy_quant(g, q, m, -1);
  return m;
}

/* A 1 x 1 average pool on the accelerator, x requantized into y (each in its quantization),
 * inserted at position pos, named for node label. */
static void add_requant(ir_graph *g, int pos, int x, int y, const char *label) {
  char name[600];
  snprintf(name, sizeof name, "%s_requant", label);
  ir_node *r = ir_add_node(g, IR_OP_AveragePool, name, &x, 1, &y, 1);
  ir_set_attr_ints(r, "kernel_shape", (int64_t[]){1, 1}, 2);
  ir_set_attr_string(r, "dlvta.target", "accel");
  ir_move_last_node(g, pos);
}

int cc_own_quant(const cc_ctx *cx, int t) {
  return !(cx && cx->calibrated && t < cx->n_calibrated && cx->calibrated[t]);
}

/* Tensor y carries the model's own per-tensor quantization (not calibrate's) and a tensor with
 * quantization qx another per-tensor one. */
static int own_apart(const ir_graph *g, const cc_ctx *cx, int y, const ir_quant *qx) {
  const ir_quant *qy = y >= 0 ? g->tensors[y]->quant : NULL;
  return qy && qx && qy->n == 1 && qx->n == 1 && cc_own_quant(cx, y) && !ir_same_tensor_quant(qy, qx);
}

/* Node i that the accelerator runs in its input's quantization (cc_keeps_input_quant: max
 * pooling, upsampling, a channel slice moving int8 codes, an aliasing Reshape) whose output
 * carries the model's own quantization, another than its input's (a QDQ model whose
 * QuantizeLinear after an upsampling or a flatten clips to a narrower range): a 1 x 1 average pool
 * on the accelerator requantizes a map to the model's (add_requant), after the node when its
 * output is a map, else before it. 1 if done. */
static int requant_apart(ir_graph *g, const cc_ctx *cx, int i) {
  ir_node *n = g->nodes[i];
  int x = n->in[0], y = n->out[0];
  if ((n->n_out > 1 && n->op != IR_OP_MaxPool) || !own_apart(g, cx, y, g->tensors[x]->quant)) return 0;
  if (g->tensors[y]->type.rank == 4) { /* n writes a tensor in x's quantization, requantized to y */
    n->out[0] = requant_tensor(g, y, x, "moved");
    add_requant(g, i + 1, n->out[0], y, cc_node_label(g, n));
    return 1;
  }
  if (g->tensors[x]->type.rank != 4) return 0;
  n->in[0] = requant_tensor(g, x, y, "requant");
  add_requant(g, i, x, n->in[0], cc_node_label(g, n));
  return 1;
}

/* A Concat on the accelerator (a view of its inputs' blocks: one quantization) whose output has
 * the model's own quantization and an input another (quantize_static quantizes every tensor on
 * its own range): that input requantized to the output's by add_requant. The nodes inserted
 * before i. */
static int requant_concat_inputs(ir_graph *g, const cc_ctx *cx, int i) {
  ir_node *n = g->nodes[i];
  int added = 0;
  if (n->op != IR_OP_Concat || strcmp(ir_attr_string(n, "dlvta.target", ""), "accel")) return 0;
  for (int k = 0; k < n->n_in; k++) {
    int x = n->in[k];
    if (x < 0 || g->tensors[x]->type.rank != 4 || !own_apart(g, cx, n->out[0], g->tensors[x]->quant)) continue;
    n->in[k] = requant_tensor(g, x, n->out[0], "requant");
    add_requant(g, i + added, x, n->in[k], cc_node_label(g, n));
    added++;
  }
  return added;
}

/* Tensors the accelerator must keep in one quantization share it (cc_keeps_input_quant), in
 * topological order so that chains propagate: an accelerated MaxPool's output takes its input's,
 * an aliasing Reshape's output its input's, each part of a channel slice its input's. */
static void share_quant(ir_graph *g, const cc_ctx *cx) {
  for (int i = 0; i < g->n_nodes; i++) {
    ir_node *n = g->nodes[i];
    const ir_quant *q = n->n_in > 0 && n->in[0] >= 0 ? g->tensors[n->in[0]]->quant : NULL;
    int parts = n->op == IR_OP_Slice || n->op == IR_OP_Split ? n->n_out : 1; /* not MaxPool's Indices */
    if (cc_keeps_input_quant(n) && q && requant_apart(g, cx, i)) continue;
    i += requant_concat_inputs(g, cx, i); /* (n is at i again) */
    for (int k = 0; cc_keeps_input_quant(n) && q && k < parts; k++)
      if (n->out[k] >= 0) ir_set_quant(g, n->out[k], -1, 1, q->scale, q->zero_point, IR_I8);
  }
}

/* Does some float activation (a graph input or a node's output, not a constant) lack a
 * quantization? A QDQ model whose every activation has the model's own needs no samples. */
static int needs_calibration(const ir_graph *g) {
  for (int i = 0; i < g->n_inputs; i++) {
    const ir_tensor *t = g->tensors[g->inputs[i]];
    if (t->type.dtype == IR_F32 && !t->quant) return 1;
  }
  for (int i = 0; i < g->n_nodes; i++) {
    const ir_node *n = g->nodes[i];
    for (int k = 0; !n->dead && k < n->n_out; k++) {
      const ir_tensor *t = n->out[k] >= 0 ? g->tensors[n->out[k]] : NULL;
      if (!t || t->type.dtype != IR_F32 || t->data || t->quant) continue;
      /* what a fused Relu/Clip consumes is never stored: its output's quantization counts (a
       * fused table op's input codes need their own) */
      const ir_node *f = cc_fused_after(g, n->out[k]);
      if (!f || (f->op != IR_OP_Relu && f->op != IR_OP_Clip)) return 1;
    }
  }
  return 0;
}

/* The flat ends of what reads tensor t (observed over [lo, hi]): *flo, *fhi such that the
 * reader's result is the same for every x <= *flo, and for every x >= *fhi (-inf, inf when there
 * are none), so that values beyond them cost nothing when clipped to them. Found when t's only
 * reader is an elementwise function of it alone (Relu, Clip with constant bounds, a table op:
 * cc_is_lut_op) by the function's float reference over CAL_GRID points of [lo, hi]: the points
 * from either end where it still gives the end's value (hardswish below -3, hardsigmoid outside
 * [-3, 3]); the codes of a table layer's input then cover only what changes its output. */
#define CAL_GRID 1025
static void flat_bounds(const ir_graph *g, int t, double lo, double hi, double *flo, double *fhi) {
  *flo = -INFINITY, *fhi = INFINITY;
  const ir_node *n = lo < hi ? cc_only_consumer(g, t) : NULL;
  if (!n || n->in[0] != t || n->n_out != 1 || n->n_in > 3) return;
  if (n->op != IR_OP_Relu && n->op != IR_OP_Clip && !cc_is_lut_op(g, n)) return;
  ir_value in, out, cv[3];
  const ir_value *ins[3] = {&in, NULL, NULL};
  for (int k = 1; k < n->n_in; k++) { /* a Clip's bounds: constants, or no flat ends */
    int ct = n->in[k];
    if (ct >= 0 && !g->tensors[ct]->data) return;
    ins[k] = ct >= 0 ? &cv[k] : NULL;
    if (ct >= 0) cv[k].type = g->tensors[ct]->type, cv[k].data = g->tensors[ct]->data;
  }
  ir_type ty = {.dtype = IR_F32, .rank = 1, .dims = {CAL_GRID}};
  if (ir_value_alloc(&in, &ty)) return;
  float *x = in.data;
  for (int i = 0; i < CAL_GRID; i++) x[i] = (float)(lo + (hi - lo) * i / (CAL_GRID - 1));
  char why[256];
  int rc = ref_run_node(g, n, ins, &out, why, sizeof why);
  if (rc == IR_OK && out.type.dtype == IR_F32 && ir_type_numel(&out.type) == CAL_GRID) {
    const float *y = out.data;
    int i = 0, j = CAL_GRID - 1;
    while (i + 1 < CAL_GRID && y[i + 1] == y[0]) i++;
    while (j - 1 > i && y[j - 1] == y[CAL_GRID - 1]) j--;
    if (i > 0 && i < CAL_GRID - 1) *flo = x[i];
    if (j < CAL_GRID - 1 && j > 0) *fhi = x[j];
  }
  if (rc == IR_OK) ir_value_free(&out);
  ir_value_free(&in);
}

/* Every float activation of g without a quantization gets one (cc_choose_quant) from its
 * calibration c and is marked in cx->calibrated: a tensor the user sees (visible) over its whole
 * range plus OUTPUT_HEADROOM, any other over the range mse_range chooses within the flat ends of
 * its reader (flat_bounds). IR_OK or IR_ERR (out of memory). */
static int cal_choose(ir_graph *g, cc_ctx *cx, const cal_state *c, const char *visible) {
  cal_side *S = malloc(2 * sizeof *S);
  free(cx->calibrated);
  cx->calibrated = calloc((size_t)g->n_tensors + 1, 1);
  cx->n_calibrated = cx->calibrated ? g->n_tensors : 0;
  if (!S || !cx->calibrated) {
    free(S);
    return IR_ERR;
  }
  for (int t = 0; t < g->n_tensors; t++) {
    ir_tensor *T = g->tensors[t];
    if (T->data || T->quant || T->type.dtype != IR_F32 || c->lo[t] > c->hi[t]) continue;
    double lo = c->lo[t], hi = c->hi[t], m = fmax(-lo, hi);
    const uint32_t *h = cal_hist(c, t);
    if (visible[t]) {
      lo = lo < 0 ? lo * OUTPUT_HEADROOM : lo;
      hi *= OUTPUT_HEADROOM;
    } else if (m > 0 && isfinite(m) && h) {
      double flo, fhi, bw = (c->range[t] > 0 ? c->range[t] : m) / CAL_HALF;
      flat_bounds(g, t, lo, hi, &flo, &fhi);
      lo = fmax(lo, flo), hi = fmin(hi, fhi);
      side_sums(&S[0], h, bw, -lo, -flo);
      side_sums(&S[1], h + CAL_HALF, bw, hi, fhi);
      mse_range(&S[0], &S[1], bw, &lo, &hi);
      /* a tensor of one sign whose values all sit above the bound (a constant: the softmax of one
       * channel) is clipped to the bound, not to an empty range */
      if (lo > hi && hi >= 0) lo = hi;
      else if (lo > hi) hi = lo;
    }
    float sc;
    int32_t zp;
    cc_choose_quant(lo, hi, &sc, &zp);
    ir_set_quant(g, t, -1, 1, &sc, &zp, IR_I8);
    cx->calibrated[t] = 1;
  }
  free(S);
  return IR_OK;
}

/* ---- a normalization's input, its channels evened ----
 * InstanceNormalization divides each channel by its own spread, so a channel that varies little
 * next to the tensor's range (one int8 scale for all channels) comes out with its quantization
 * error amplified. It is invariant to a positive scale per channel (its epsilon aside): the conv
 * that makes its input scales each output channel c by a_c (weights and bias) so that every
 * channel spans the widest one's range, and the normalization takes epsilon * a_c^2 for c
 * (dlvta.eps_scale, which ref's InstanceNormalization reads): the same output, each channel
 * quantized over its own range. */

#define EQ_MAX_GAIN 256.0 /* the most a channel is scaled up */
#define EQ_MIN_GAIN 1.25 /* below this for every channel, nothing is done */

/* The conv that makes tensor t, when t is a [1,C,H,W] map that an InstanceNormalization alone
 * reads, directly (*groups = C) or through a Reshape to [1,G,C/G*H*W] (torch's GroupNorm export,
 * *groups = G), and the conv runs on the accelerator with constant weights and bias, no
 * residual, and no activation or a Relu (which a positive scale passes): NULL otherwise. *norm:
 * the InstanceNormalization. */
static ir_node *norm_input_conv(const ir_graph *g, int t, ir_node **norm, int64_t *groups) {
  const ir_type *tt = &g->tensors[t]->type;
  if (tt->rank != 4 || !ir_type_known(tt) || tt->dims[0] != 1 || tt->dtype != IR_F32 || ir_is_graph_output(g, t)) return NULL;
  ir_node *c = cc_only_consumer(g, t);
  int x = t; /* what the norm reads */
  *groups = tt->dims[1];
  if (c && c->op == IR_OP_Reshape && c->in[0] == t && c->out[0] >= 0) { /* GroupNorm: [1, G, C / G * H * W] */
    const ir_type *rt = &g->tensors[c->out[0]]->type;
    if (rt->rank != 3 || rt->dims[0] != 1 || rt->dims[1] < 1 || tt->dims[1] % rt->dims[1] ||
        rt->dims[2] != tt->dims[1] / rt->dims[1] * tt->dims[2] * tt->dims[3])
      return NULL;
    *groups = rt->dims[1], x = c->out[0];
    c = cc_only_consumer(g, x);
  }
  if (!c || c->op != IR_OP_InstanceNormalization || c->in[0] != x) return NULL;
  *norm = c;
  ir_node *p = (ir_node *)ir_producer(g, t, NULL);
  if (!p || (p->op != IR_OP_Conv && p->op != IR_OP_FusedConv) || strcmp(ir_attr_string(p, "dlvta.target", ""), "accel") ||
      p->n_in < 2 || p->n_in > 3 || !cc_is_const_f32(g, p->in[1]) || g->tensors[p->in[1]]->type.dims[0] != tt->dims[1] ||
      (p->n_in > 2 && p->in[2] >= 0 && !cc_is_const_f32(g, p->in[2])))
    return NULL;
  const char *act = ir_attr_string(p, "activation", "none");
  return strcmp(act, "none") && strcmp(act, "relu") ? NULL : p;
}

/* c->choff / chlo / chhi for the tensors norm_input_conv takes; 0, or -1 out of memory. */
static int cal_track_channels(const ir_graph *g, cal_state *c) {
  int64_t total = 0;
  c->choff = malloc(((size_t)g->n_tensors + 1) * sizeof *c->choff);
  if (!c->choff) return -1;
  for (int t = 0; t < g->n_tensors; t++) {
    ir_node *norm;
    int64_t G;
    c->choff[t] = !g->tensors[t]->data && norm_input_conv(g, t, &norm, &G) ? total : -1;
    if (c->choff[t] >= 0) total += g->tensors[t]->type.dims[1];
  }
  c->chlo = malloc(((size_t)total + 1) * sizeof *c->chlo);
  c->chhi = malloc(((size_t)total + 1) * sizeof *c->chhi);
  if (!c->chlo || !c->chhi) return -1;
  for (int64_t k = 0; k < total; k++) c->chlo[k] = INFINITY, c->chhi[k] = -INFINITY;
  return 0;
}

/* After cal_choose: every tracked tensor's channels evened (above; a GroupNorm's channels by one
 * gain per group, its widest channel's), its quantization over the evened range. */
static void even_norm_inputs(ir_graph *g, const cal_state *c, int n_tracked) {
  for (int t = 0; t < n_tracked; t++) { /* (the folds add tensors, which choff does not cover) */
    ir_node *norm = NULL;
    int64_t G = 0;
    ir_node *p = c->choff[t] >= 0 ? norm_input_conv(g, t, &norm, &G) : NULL;
    if (!p || !g->tensors[t]->quant) continue;
    int64_t C = g->tensors[t]->type.dims[1], cg = C / G;
    const double *lo = c->chlo + c->choff[t], *hi = c->chhi + c->choff[t];
    double M = 0, gain = 0, nlo = INFINITY, nhi = -INFINITY;
    for (int64_t ch = 0; ch < C; ch++)
      if (lo[ch] <= hi[ch]) M = fmax(M, fmax(-lo[ch], hi[ch]));
    if (!(M > 0) || !isfinite(M)) continue;
    float *a = malloc((size_t)C * sizeof *a), *e = malloc((size_t)G * sizeof *e);
    for (int64_t gi = 0; a && e && gi < G; gi++) {
      double m = 0; /* the group's widest channel */
      for (int64_t ch = gi * cg; ch < (gi + 1) * cg; ch++)
        if (lo[ch] <= hi[ch]) m = fmax(m, fmax(-lo[ch], hi[ch]));
      double ag = m > 0 ? fmin(M / m, EQ_MAX_GAIN) : 1.0;
      e[gi] = (float)(ag * ag);
      gain = fmax(gain, ag);
      for (int64_t ch = gi * cg; ch < (gi + 1) * cg; ch++) {
        a[ch] = (float)ag;
        if (lo[ch] <= hi[ch]) nlo = fmin(nlo, ag * lo[ch]), nhi = fmax(nhi, ag * hi[ch]);
      }
    }
    if (a && e && gain >= EQ_MIN_GAIN && cc_fold_into_conv(g, p, a, NULL, C, "evened")) {
      ir_set_attr_floats(norm, "dlvta.eps_scale", e, (int)G);
      /* the values are the model's times a_c now: a name of their own (dlvta compare then finds no
       * float tensor of the model to hold them against) */
      ir_tensor *T = g->tensors[t];
      size_t len = strlen(T->name) + 8;
      char *nm = malloc(len);
      if (nm) snprintf(nm, len, "%s_evened", T->name), free(T->name), T->name = nm;
      float sc;
      int32_t zp;
      cc_choose_quant(nlo, nhi, &sc, &zp);
      ir_set_quant(g, t, -1, 1, &sc, &zp, IR_I8);
    }
    free(a), free(e);
  }
}

/* Unless no activation needs it (needs_calibration: a QDQ model with its own scales everywhere),
 * runs the float reference over the calibration samples (the compile's samples: o->calib for a
 * single-input model, o->calib_inputs per input for any, else SYNTH_SAMPLES synthetic inputs
 * drawn from N(0, 1) with a fixed seed), records each float tensor's [min, max] and gives every float activation tensor that
 * has no quantization yet (QDQ models bring their own) a per-tensor int8 scale and zero point
 * (cc_choose_quant) over its range: clipped to the least expected squared error for inner
 * tensors, the whole range plus 25 % headroom for graph outputs. Then tensors that the accelerator must keep in one quantization share it:
 * a MaxPool's output takes its input's, an aliasing Reshape's output its input's. */
int cc_calibrate(ir_graph *g, cc_ctx *cx, char *err, size_t errlen) {
  if (!cx->cfg) return IR_OK;
  const cc_options *co = cx->o;
  free(cx->calibrated);
  cx->calibrated = NULL, cx->n_calibrated = 0;
  share_quant(g, cx); /* (a QDQ model's upsampling or pool of a quantized tensor: its output needs no samples) */
  if (!needs_calibration(g)) {
    if (co->log) fprintf(co->log, "calibration: not needed: every activation carries the model's own quantization\n");
    cx->own_quant = 1;
    return IR_OK;
  }
  int nin = g->n_inputs;
  ir_value *in = calloc((size_t)nin + 1, sizeof *in);
  cal_state c;
  c.lo = malloc(((size_t)g->n_tensors + 1) * sizeof(double));
  c.hi = malloc(((size_t)g->n_tensors + 1) * sizeof(double));
  if (!in || !c.lo || !c.hi) {
    free(in), free(c.lo), free(c.hi);
    snprintf(err, errlen, "out of memory");
    return IR_ERR;
  }
  for (int i = 0; i < g->n_tensors; i++) c.lo[i] = INFINITY, c.hi[i] = -INFINITY;
  int rc = IR_OK;
  for (int i = 0; i < nin && rc == IR_OK; i++) {
    in[i].type = g->tensors[g->inputs[i]]->type;
    if (in[i].type.dtype != IR_F32 || ir_value_alloc(&in[i], &in[i].type) != IR_OK) {
      snprintf(err, errlen, "%s: input '%s' must be a float32 tensor of known shape (it is %s%s)",
               g->source ? g->source : "model", g->tensors[g->inputs[i]]->name, ir_dtype_name(in[i].type.dtype),
               in[i].type.dtype != IR_F32 ? "; an integer input is taken only where every reader casts it to float32" : "");
      rc = IR_UNSUPPORTED;
    }
  }
  int multi = co->calib_inputs && co->n_calib_inputs == nin && nin > 0;
  int use_calib = co->n_calib > 0 && ((co->calib && nin == 1) || multi);
  if (co->calib_inputs && !multi && rc == IR_OK) {
    snprintf(err, errlen, "%s: calibration samples for %d input(s), the model has %d", g->source ? g->source : "model",
             co->n_calib_inputs, nin);
    rc = IR_ERR;
  }
  /* a graph unbatched from a fixed batch N: each sample of the model's shape is N of one sample */
  int ns = use_calib ? co->n_calib * (int)(cx->unbatched > 1 ? cx->unbatched : 1) : co->n_synth > 0 ? co->n_synth : SYNTH_SAMPLES;
  c.range = calloc((size_t)g->n_tensors + 1, sizeof(double));
  c.slot = malloc(((size_t)g->n_tensors + 1) * sizeof(int));
  c.hist = c.slot ? calloc((size_t)cal_slots(g, &c) * CAL_BINS + 1, sizeof(uint32_t)) : NULL;
  c.same = malloc(((size_t)g->n_tensors + 1) * sizeof(int));
  int n_tracked = g->n_tensors; /* (c's per-tensor tables) */
  if (rc == IR_OK && (!c.range || !c.hist || !c.same || cal_track_channels(g, &c))) rc = IR_ERR, snprintf(err, errlen, "out of memory");
  if (rc == IR_OK) cal_same(g, &c), cal_unused(g, &c);
  if (rc == IR_OK) rc = cal_samples(g, co, in, ns, use_calib, multi, &c, err, errlen);
  if (rc == IR_OK) cal_copy_same(g, &c);
  if (cx->o->log && rc == IR_OK) {
    if (use_calib)
      fprintf(cx->o->log, "calibration: %d samples from --calib%s, per-tensor ranges clipped for least squared error\n", ns,
              multi && nin > 1 ? " (one file per input)" : "");
    else
      fprintf(cx->o->log,
              "calibration: no --calib: %d synthetic inputs of the model's input shape drawn from N(0, 1) "
              "(fixed seed), per-tensor ranges clipped for least squared error; pass --calib SAMPLES.npy with real data for better ranges\n",
              ns);
  }
  /* tensors the user sees (graph outputs, and what an aliasing Reshape or an accelerated
   * depth-to-space, which take their input's quantization, turn into one) keep their whole
   * observed range plus OUTPUT_HEADROOM: clipping logits would reorder them */
  char *visible = rc == IR_OK ? calloc((size_t)g->n_tensors + 1, 1) : NULL;
  if (rc == IR_OK && !visible) rc = IR_ERR, snprintf(err, errlen, "out of memory");
  for (int i = 0; visible && i < g->n_outputs; i++) visible[g->outputs[i]] = 1;
  for (int i = g->n_nodes - 1; visible && i >= 0; i--) {
    const ir_node *n = g->nodes[i];
    const char *tg = ir_attr_string(n, "dlvta.target", "cpu");
    int d2s = (n->op == IR_OP_Interleave || n->op == IR_OP_DepthToSpace) && !strcmp(tg, "accel");
    if ((!strcmp(tg, "alias") || d2s) && visible[n->out[0]]) visible[n->in[0]] = 1;
  }
  if (rc == IR_OK && cal_choose(g, cx, &c, visible) != IR_OK) rc = IR_ERR, snprintf(err, errlen, "out of memory");
  if (rc == IR_OK) even_norm_inputs(g, &c, n_tracked);
  if (rc == IR_OK) share_quant(g, cx);
  for (int i = 0; i < nin; i++) ir_value_free(&in[i]);
  free(in);
  free(c.lo);
  free(c.hi);
  free(c.hist);
  free(c.slot);
  free(c.same);
  free(c.range);
  free(c.choff), free(c.chlo), free(c.chhi);
  free(visible);
  return rc;
}

/* ---- qdq-import ------------------------------------------------------------------------ */

/* Constant element count of tensor t, or -1 if it is not a constant. */
static int64_t const_numel(const ir_graph *g, int t) {
  if (t < 0 || !g->tensors[t]->data) return -1;
  return ir_type_numel(&g->tensors[t]->type);
}

/* Scale/zero point of a Q/DQ-like operand pair (s, z: tensor ids, z may be -1) as float and
 * int8-domain zero points; n = count (1 or per channel). Returns 0 if constant and sane. */
static int qparams(const ir_graph *g, int s, int z, float **scale, int32_t **zp, int *n) {
  *scale = NULL, *zp = NULL, *n = 0;
  int64_t ns = const_numel(g, s);
  if (ns < 1 || g->tensors[s]->type.dtype != IR_F32) return -1;
  if (z >= 0 && const_numel(g, z) != ns) return -1;
  *scale = malloc((size_t)ns * sizeof(float));
  *zp = malloc((size_t)ns * sizeof(int32_t));
  if (!*scale || !*zp) {
    free(*scale), free(*zp);
    *scale = NULL, *zp = NULL;
    return -1;
  }
  ir_dtype zt = z >= 0 ? g->tensors[z]->type.dtype : IR_U8;
  for (int64_t i = 0; i < ns; i++) {
    (*scale)[i] = ((const float *)g->tensors[s]->data)[i];
    double zv = z >= 0 ? ir_get_elem(zt, g->tensors[z]->data, i) : 0;
    /* uint8 with zero point z is int8 with zero point z - 128 */
    (*zp)[i] = (int32_t)zv - (zt == IR_U8 ? 128 : 0);
    if (!((*scale)[i] > 0) || !isfinite((*scale)[i])) {
      free(*scale), free(*zp);
      *scale = NULL, *zp = NULL;
      return -1;
    }
  }
  *n = (int)ns;
  return 0;
}

/* New float constant = dequantized integer constant q (per axis `axis` when n > 1) with the
 * quantization recorded on it; returns its id or -1. */
static int dequant_const(ir_graph *g, int q, const float *scale, const int32_t *zp8, int n, int axis, const char *name) {
  const ir_tensor *Q = g->tensors[q];
  ir_type t = Q->type;
  t.dtype = IR_F32;
  int64_t numel = ir_type_numel(&t);
  if (numel < 0) return -1;
  if (n > 1 && (axis < 0 || axis >= t.rank || t.dims[axis] != n)) return -1;
  int64_t inner = 1;
  for (int d = axis + 1; n > 1 && d < t.rank; d++) inner *= t.dims[d];
  float *v = malloc((size_t)(numel ? numel : 1) * sizeof(float));
  if (!v) return -1;
  int shift = Q->type.dtype == IR_U8 ? 128 : 0;
  for (int64_t i = 0; i < numel; i++) {
    int ch = n > 1 ? (int)(i / inner % n) : 0;
    double qv = ir_get_elem(Q->type.dtype, Q->data, i) - shift;
    v[i] = (float)((qv - zp8[ch]) * scale[ch]);
  }
  int id = ir_add_const(g, name, &t, v);
  ir_set_quant(g, id, n > 1 ? axis : -1, n, scale, zp8, IR_I8);
  return id;
}

/* Rewrites quantized ONNX into float ops with fixed quantization (see compile.h):
 * 1. QLinearConv / QLinearMatMul -> DequantizeLinear + Conv / MatMul on float constants +
 *    QuantizeLinear;
 * 2. QuantizeLinear of a float constant (fake-quantized weights) -> the integer constant;
 * 3. DequantizeLinear of a constant (weights, bias) -> a float constant carrying its scales;
 * 4. QuantizeLinear(x) -> DequantizeLinear pairs with equal parameters: the DQ output is
 *    replaced by x, which keeps the parameters as its quantization;
 * 5. per-channel affine chains after Conv/Gemm with quantized weights -> into the weights'
 *    scales and the bias (fold_affine_chain);
 * then re-runs fuse and dce so that the new Conv nodes fuse with their activations. Integer
 * tensors that remain (e.g. a quantized graph input) run through the reference executor. */
/* QLinearConv / QLinearMatMul node i with constant scales and zero points -> DequantizeLinear
 * of x, a float Conv / MatMul over dequantized weights (and bias) whose output carries y's
 * quantization, QuantizeLinear to y: three nodes at i..i+2 (the old one, dead, after them).
 * 1 if done, 0 if the node stays as it is. */
static int qlinear_import(ir_graph *g, int i) {
  ir_node *n = g->nodes[i];
  float *xs, *ws, *ys;
  int32_t *xz, *wz, *yz;
  int nx, nw, ny;
  int bad = qparams(g, n->in[1], n->in[2], &xs, &xz, &nx) != 0;
  bad |= qparams(g, n->in[4], n->in[5], &ws, &wz, &nw) != 0;
  bad |= qparams(g, n->in[6], n->in[7], &ys, &yz, &ny) != 0;
  if (bad || nx != 1 || ny != 1 || const_numel(g, n->in[3]) < 0) {
    free(xs), free(xz), free(ws), free(wz), free(ys), free(yz);
    return 0;
  }
  int conv = n->op == IR_OP_QLinearConv;
  char name[300];
  snprintf(name, sizeof name, "%s_wf", g->tensors[n->in[3]]->name);
  int wf = dequant_const(g, n->in[3], ws, wz, nw, conv ? 0 : 1, name);
  int bf = -1;
  if (wf >= 0 && conv && n->n_in > 8 && n->in[8] >= 0) {
    const ir_tensor *B = g->tensors[n->in[8]];
    int64_t M = g->tensors[wf]->type.dims[0];
    if (B->data && ir_type_numel(&B->type) == M) {
      float *b = malloc((size_t)M * sizeof(float));
      for (int64_t m = 0; m < M; m++) b[m] = (float)(ir_get_elem(B->type.dtype, B->data, m) * xs[0] * ws[nw > 1 ? m : 0]);
      ir_type bt = {.dtype = IR_F32, .rank = 1, .dims = {M}};
      snprintf(name, sizeof name, "%s_bf", B->name);
      bf = ir_add_const(g, name, &bt, b);
    } else {
      wf = -1;
    }
  }
  if (wf < 0) {
    free(xs), free(xz), free(ws), free(wz), free(ys), free(yz);
    return 0;
  }
  /* x_f = DequantizeLinear(x_q, xs, xz) */
  int xq = n->in[0], yq = n->out[0];
  ir_type xt = g->tensors[xq]->type, yt = g->tensors[yq]->type;
  xt.dtype = IR_F32, yt.dtype = IR_F32;
  snprintf(name, sizeof name, "%s_f", g->tensors[xq]->name);
  int xf = ir_add_tensor(g, name, &xt);
  int dq_in[3] = {xq, n->in[1], n->in[2]};
  snprintf(name, sizeof name, "%s/dequant_x", n->name);
  ir_add_node(g, IR_OP_DequantizeLinear, name, dq_in, n->in[2] >= 0 ? 3 : 2, &xf, 1);
  ir_move_last_node(g, i);
  i++;
  snprintf(name, sizeof name, "%s_f", g->tensors[yq]->name);
  int yf = ir_add_tensor(g, name, &yt);
  ir_set_quant(g, yf, -1, 1, ys, yz, IR_I8);
  int cin[3] = {xf, wf, bf};
  ir_node *c = ir_add_node(g, conv ? IR_OP_Conv : IR_OP_MatMul, n->name, cin, conv ? (bf >= 0 ? 3 : 2) : 2, &yf, 1);
  for (int k = 0; conv && k < n->n_attr; k++) {
    const ir_attr *a = &n->attr[k];
    if (a->kind == IR_ATTR_INT) ir_set_attr_int(c, a->name, a->i);
    else if (a->kind == IR_ATTR_INTS) ir_set_attr_ints(c, a->name, a->ints, a->n);
    else if (a->kind == IR_ATTR_STRING) ir_set_attr_string(c, a->name, a->s);
  }
  ir_move_last_node(g, i + 1);
  int q_in[3] = {yf, n->in[6], n->in[7]};
  snprintf(name, sizeof name, "%s/quant_y", n->name);
  ir_add_node(g, IR_OP_QuantizeLinear, name, q_in, n->in[7] >= 0 ? 3 : 2, &yq, 1);
  ir_move_last_node(g, i + 2);
  n->dead = 1;
  free(xs), free(xz), free(ws), free(wz), free(ys), free(yz);
  return 1;
}

/* DequantizeLinear n of a constant x (weights, or an int32 bias with scale in_scale * w_scale
 * and no quantization of its own to keep) -> a float constant. 1 if done. */
static int dequant_constant(ir_graph *g, ir_node *n, const float *s, const int32_t *z, int cnt, int64_t axis) {
  int x = n->in[0], y = n->out[0];
  char name[300];
  snprintf(name, sizeof name, "%s_f", g->tensors[x]->name);
  if (g->tensors[x]->type.dtype == IR_I32) {
    /* bias: int32 with scale in_scale * w_scale, no quantization of its own to keep */
    int64_t numel = ir_type_numel(&g->tensors[x]->type);
    float *v = malloc((size_t)(numel ? numel : 1) * sizeof(float));
    int64_t inner = 1;
    for (int d = (int)axis + 1; cnt > 1 && d < g->tensors[x]->type.rank; d++) inner *= g->tensors[x]->type.dims[d];
    for (int64_t k = 0; k < numel; k++) {
      int ch = cnt > 1 ? (int)(k / inner % cnt) : 0;
      v[k] = (float)((ir_get_elem(IR_I32, g->tensors[x]->data, k) - z[ch]) * s[ch]);
    }
    ir_type t = g->tensors[x]->type;
    t.dtype = IR_F32;
    int c = ir_add_const(g, name, &t, v);
    ir_replace_uses(g, y, c);
    n->dead = 1;
    return 1;
  }
  int c = dequant_const(g, x, s, z, cnt, (int)axis, name);
  if (c < 0) return 0;
  ir_replace_uses(g, y, c);
  n->dead = 1;
  return 1;
}

/* DequantizeLinear n of QuantizeLinear's output with the same scale and zero point (possibly
 * through a Reshape of the integers) -> the float value itself (or that Reshape of it), which
 * keeps the quantization. 1 if done. */
static int drop_qdq_pair(ir_graph *g, ir_node *n, float *s, int32_t *z, int cnt) {
  int x = n->in[0], y = n->out[0], changed = 0;
  int pi;
  const ir_node *p = ir_producer(g, x, &pi);
  const ir_node *rs = NULL;
  if (p && p->op == IR_OP_Reshape && p->in[1] >= 0 && g->tensors[p->in[1]]->data) {
    rs = p;
    p = ir_producer(g, rs->in[0], &pi);
  }
  if (p && p->op == IR_OP_QuantizeLinear && cnt == 1) {
    float *s2;
    int32_t *z2;
    int c2;
    if (qparams(g, p->in[1], p->n_in > 2 ? p->in[2] : -1, &s2, &z2, &c2) == 0) {
      if (c2 == 1 && s2[0] == s[0] && z2[0] == z[0] && g->tensors[p->in[0]]->type.dtype == IR_F32) {
        int xf = p->in[0];
        if (!g->tensors[xf]->quant) ir_set_quant(g, xf, -1, 1, s, z, IR_I8);
        if (rs) {
          /* the DQ becomes the Reshape, of the float values */
          n->op = IR_OP_Reshape;
          free(n->op_name);
          n->op_name = malloc(8);
          if (n->op_name) strcpy(n->op_name, "Reshape");
          n->in[0] = xf;
          n->in[1] = rs->in[1];
          n->n_in = 2;
          ir_clear_attrs(n);
          if (!g->tensors[y]->quant) ir_set_quant(g, y, -1, 1, s, z, IR_I8);
        } else {
          ir_replace_uses(g, y, xf);
          n->dead = 1;
        }
        changed = 1;
      }
      free(s2), free(z2);
    }
  }
  return changed;
}

/* QuantizeLinear n of a constant float tensor (PyTorch's fake-quantized weights: a float
 * initializer through QuantizeLinear -> DequantizeLinear) -> the integer constant itself, as
 * ONNX defines it: saturate(round_half_even(x / scale) + zero_point), per axis when the scale
 * is a vector. 1 if done. */
static int quantize_constant(ir_graph *g, ir_node *n) {
  int x = n->in[0], y = n->out[0], z = n->n_in > 2 ? n->in[2] : -1;
  const ir_tensor *X = g->tensors[x];
  int64_t ns = const_numel(g, n->in[1]), numel = ir_type_numel(&X->type);
  if (X->type.dtype != IR_F32 || ns < 1 || numel < 0 || g->tensors[n->in[1]]->type.dtype != IR_F32) return 0;
  if (z >= 0 && const_numel(g, z) != ns) return 0;
  ir_dtype qt = z >= 0 ? g->tensors[z]->type.dtype : IR_U8;
  if (qt != IR_U8 && qt != IR_I8) return 0;
  int64_t axis = ir_attr_int(n, "axis", 1), inner = 1;
  if (axis < 0) axis += X->type.rank;
  if (ns > 1 && (axis < 0 || axis >= X->type.rank || X->type.dims[axis] != ns)) return 0;
  for (int d = (int)axis + 1; ns > 1 && d < X->type.rank; d++) inner *= X->type.dims[d];
  void *q = malloc((size_t)(numel ? numel : 1));
  if (!q) return 0;
  const float *s = g->tensors[n->in[1]]->data, *xv = X->data;
  double lo = qt == IR_U8 ? 0 : -128, hi = qt == IR_U8 ? 255 : 127;
  for (int64_t i = 0; i < numel; i++) {
    int64_t ch = ns > 1 ? i / inner % ns : 0;
    double zp = z >= 0 ? ir_get_elem(qt, g->tensors[z]->data, ch) : 0;
    double v = nearbyint((double)(xv[i] / s[ch])) + zp; /* float division as ONNX runtimes do; ties to even */
    ir_set_elem(qt, q, i, fmax(lo, fmin(hi, v)));
  }
  ir_type t = X->type;
  t.dtype = qt;
  char name[300];
  snprintf(name, sizeof name, "%s_q", X->name);
  int c = ir_add_const(g, name, &t, q);
  ir_replace_uses(g, y, c);
  n->dead = 1;
  return 1;
}

/* The per-channel affine map y = a[m] * x + c[m] of node n on the output x of a layer with M
 * channels along axis 1 of a rank-r tensor (Mul/Div/Add/Sub by a constant scalar or per-channel
 * vector, with x as the first operand of Div and Sub, or an inference BatchNormalization), as
 * a, c (M each). 1 if n is such a map of x, else 0. */
static int channel_affine(const ir_graph *g, const ir_node *n, int x, int64_t M, int r, double *a, double *c) {
  for (int64_t m = 0; m < M; m++) a[m] = 1, c[m] = 0;
  if (n->op == IR_OP_BatchNormalization) {
    if (n->in[0] != x || n->n_out > 1) return 0;
    const float *p[4];
    for (int k = 0; k < 4; k++) {
      const ir_tensor *t = g->tensors[n->in[k + 1]];
      if (!t->data || t->type.dtype != IR_F32 || ir_type_numel(&t->type) != M) return 0;
      p[k] = t->data;
    }
    double eps = ir_attr_float(n, "epsilon", 1e-5f);
    for (int64_t m = 0; m < M; m++) {
      a[m] = p[0][m] / sqrt((double)p[3][m] + eps);
      c[m] = p[1][m] - p[2][m] * a[m];
    }
    return 1;
  }
  if (n->op != IR_OP_Mul && n->op != IR_OP_Div && n->op != IR_OP_Add && n->op != IR_OP_Sub) return 0;
  if (n->n_in != 2 || (n->in[0] != x && n->in[1] != x) || n->in[0] == n->in[1]) return 0;
  if ((n->op == IR_OP_Div || n->op == IR_OP_Sub) && n->in[0] != x) return 0;
  const ir_tensor *k = g->tensors[n->in[0] == x ? n->in[1] : n->in[0]];
  int64_t kn = const_numel(g, n->in[0] == x ? n->in[1] : n->in[0]);
  if (kn < 1 || k->type.dtype != IR_F32 || (kn != 1 && kn != M) || k->type.rank > r) return 0;
  /* a vector must lie along the channel axis: [M, 1, ..] of rank r-1 or [1, M, 1, ..] of rank r */
  if (kn == M && M > 1) {
    int ax = k->type.rank == r ? 1 : k->type.rank == r - 1 ? 0 : -1;
    if (ax < 0 || k->type.dims[ax] != M) return 0;
  }
  const float *v = k->data;
  for (int64_t m = 0; m < M; m++) {
    double e = v[kn == 1 ? 0 : m];
    if (n->op == IR_OP_Mul) a[m] = e;
    else if (n->op == IR_OP_Div) a[m] = 1.0 / e;
    else c[m] = n->op == IR_OP_Add ? e : -e;
    if (!isfinite(a[m]) || !isfinite(c[m])) return 0;
  }
  return 1;
}

/* Conv (or Gemm with transB = 1, alpha = beta = 1) node n whose weights carry their own
 * quantization (a folded QDQ chain) and whose output feeds only a chain of per-channel affine
 * maps (channel_affine: the QAT module's Div by its BN scale, its bias Add, the BatchNormalization,
 * or the Mul + Add that fold-batchnorm made of it): the maps go into the weights and bias and
 * n produces the chain's output. The weights' quantization follows them: channel m's scale is
 * multiplied by |a[m]| (the integers keep their magnitude; a negative a[m] negates them), so the
 * integer weights are those of the model. 1 if anything was folded. */
static int fold_affine_chain(ir_graph *g, ir_node *n) {
  int conv = n->op == IR_OP_Conv;
  if (!conv && (n->op != IR_OP_Gemm || ir_attr_int(n, "transB", 0) != 1 || ir_attr_int(n, "transA", 0) != 0 ||
                ir_attr_float(n, "alpha", 1.0f) != 1.0f || ir_attr_float(n, "beta", 1.0f) != 1.0f))
    return 0;
  const ir_tensor *W = g->tensors[n->in[1]];
  const ir_quant *wq = W->quant;
  if (!W->data || W->type.dtype != IR_F32 || !wq || (wq->n > 1 && wq->axis != 0)) return 0;
  const ir_tensor *Y = g->tensors[n->out[0]];
  int r = Y->type.rank;
  int64_t M = W->type.dims[0];
  if (r < 2 || Y->type.dims[1] != M || (wq->n != 1 && wq->n != M)) return 0;
  int bt = n->n_in > 2 ? n->in[2] : -1;
  if (bt >= 0 && (const_numel(g, bt) != M || g->tensors[bt]->type.dtype != IR_F32)) return 0;
  for (int k = 0; k < wq->n; k++)
    if (wq->zero_point[k] != 0) return 0; /* asymmetric weights stay as they are */
  double *a = malloc((size_t)M * sizeof(double) * 4);
  if (!a) return 0;
  double *c = a + M, *ta = a + 2 * M, *tc = a + 3 * M;
  for (int64_t m = 0; m < M; m++) a[m] = 1, c[m] = 0;
  ir_node *chain[16];
  int tail = n->out[0], nc = 0;
  while (nc < 16) {
    if (g->tensors[tail]->quant || ir_use_count(g, tail) != 1 || ir_is_graph_output(g, tail)) break;
    ir_node *u = cc_only_consumer(g, tail);
    if (!u || u->n_out != 1 || !channel_affine(g, u, tail, M, r, ta, tc)) break;
    const ir_type *ot = &g->tensors[u->out[0]]->type;
    if (ot->dtype != IR_F32 || ot->rank != r || memcmp(ot->dims, Y->type.dims, (size_t)r * sizeof *ot->dims)) break;
    for (int64_t m = 0; m < M; m++) a[m] *= ta[m], c[m] = c[m] * ta[m] + tc[m];
    chain[nc++] = u;
    tail = u->out[0];
  }
  int64_t wn = ir_type_numel(&W->type), per = wn / M;
  float *nw = nc ? malloc((size_t)wn * sizeof(float)) : NULL, *nb = malloc((size_t)M * sizeof(float));
  float *ns = malloc((size_t)M * sizeof(float));
  int ok = nw && nb && ns;
  for (int64_t m = 0; ok && m < M; m++) {
    for (int64_t k = 0; k < per; k++) nw[m * per + k] = (float)(((const float *)W->data)[m * per + k] * a[m]);
    nb[m] = (float)((bt >= 0 ? ((const float *)g->tensors[bt]->data)[m] : 0.0) * a[m] + c[m]);
    ns[m] = (float)(wq->scale[wq->n > 1 ? m : 0] * fabs(a[m]));
    ok = ns[m] > 0 && isfinite(ns[m]) && isfinite(nb[m]);
  }
  if (!ok) { /* nothing to fold, or a channel scaled to zero: the chain stays */
    free(nw), free(nb), free(ns), free(a);
    return 0;
  }
  for (int k = 0; k < nc; k++) chain[k]->dead = 1;
  char name[300];
  snprintf(name, sizeof name, "%s_folded", W->name);
  int wi = ir_add_const(g, name, &W->type, nw);
  ir_set_quant(g, wi, 0, (int)M, ns, NULL, IR_I8);
  ir_type btype = {.dtype = IR_F32, .rank = 1, .dims = {M}};
  snprintf(name, sizeof name, "%s_bias_folded", n->name && *n->name ? n->name : g->tensors[n->out[0]]->name);
  int bi = ir_add_const(g, name, &btype, nb);
  int in[3] = {n->in[0], wi, bi};
  int *nin = malloc(3 * sizeof(int));
  if (!nin) {
    free(ns), free(a);
    return 0;
  }
  memcpy(nin, in, sizeof in);
  free(n->in);
  n->in = nin;
  n->n_in = 3;
  n->out[0] = tail;
  free(ns), free(a);
  return 1;
}

/* Node n only moves or selects its input's values (a layout change, max pooling, a nearest
 * upsampling, a crop): quantizing before it or after it gives the same codes. */
static int moves_values(const ir_node *n) {
  switch (n->op) {
  case IR_OP_Reshape: case IR_OP_Transpose: case IR_OP_Identity: case IR_OP_MaxPool: case IR_OP_DepthToSpace:
  case IR_OP_SpaceToDepth: case IR_OP_Slice:
    return 1;
  case IR_OP_Resize:
    return !strcmp(ir_attr_string(n, "mode", "nearest"), "nearest");
  default:
    return 0;
  }
}

/* Concat (or elementwise Max / Min: quantization is monotone) n between inputs and an output of
 * which some carry the model's quantization (a lift-3d's frames, concatenated; the max of its
 * frames across a temporal pool window): back, an input only n reads gets the output's; forward,
 * the output gets its inputs' when they share one. 1 if anything changed. */
static int quant_through_join(ir_graph *g, const ir_node *n, int back) {
  int y = n->out[0], changed = 0;
  const ir_quant *qy = g->tensors[y]->quant, *q0 = NULL;
  if ((qy && qy->n != 1) || g->tensors[y]->type.dtype != IR_F32) return 0;
  int same = 1;
  for (int k = 0; k < n->n_in; k++) {
    int x = n->in[k];
    const ir_quant *qx = x >= 0 ? g->tensors[x]->quant : NULL;
    if (x < 0 || g->tensors[x]->data) return 0;
    if (back && qy && !qx && ir_use_count(g, x) == 1 && !ir_is_graph_output(g, x)) cc_copy_quant(g, y, x, -1), changed = 1;
    same &= qx && qx->n == 1 && (!q0 || ir_same_tensor_quant(qx, q0));
    if (!q0) q0 = qx;
  }
  if (!back && !qy && same && q0) cc_copy_quant(g, n->in[0], y, -1), changed = 1;
  return changed;
}

/* One direction of quant_through_layout, to a fixed point: back, the input of a node that moves
 * values gets the output's quantization when the node is its only reader (the model quantized
 * them there: a QDQ model's upsampling of its float input) or a bijection (Reshape, Transpose: a
 * lift's twin); forward, the output the input's (the values are on its grid). */
static void quant_layout_pass(ir_graph *g, int back) {
  for (int changed = 1, rounds = 0; changed && rounds < 64; rounds++) {
    changed = 0;
    for (int i = 0; i < g->n_nodes; i++) {
      const ir_node *n = g->nodes[i];
      if (!n->dead && (n->op == IR_OP_Concat || n->op == IR_OP_Max || n->op == IR_OP_Min)) {
        changed |= quant_through_join(g, n, back);
        continue;
      }
      if (n->dead || n->n_in < 1 || n->in[0] < 0 || !moves_values(n) ||
          (n->n_out > 1 && (n->op != IR_OP_MaxPool || (n->out[1] >= 0 && ir_use_count(g, n->out[1]) > 0))))
        continue;
      int x = n->in[0], y = n->out[0];
      const ir_quant *qx = g->tensors[x]->quant, *qy = g->tensors[y]->quant;
      if (g->tensors[x]->type.dtype != IR_F32 || g->tensors[x]->data || (qx && qx->n != 1) || (qy && qy->n != 1)) continue;
      if (qx && !qy && !back) cc_copy_quant(g, x, y, -1), changed = 1;
      /* (a Reshape or Transpose is a bijection: x holds y's values whoever else reads it) */
      else if (qy && !qx && back && (ir_use_count(g, x) == 1 || n->op == IR_OP_Reshape || n->op == IR_OP_Transpose) &&
               !ir_is_graph_output(g, x))
        cc_copy_quant(g, y, x, -1), changed = 1;
    }
  }
}

/* Nodes that only move values (moves_values) between a tensor with the model's quantization and
 * one without: the other gets it, backward first (quant_layout_pass): a tensor between a node
 * that moves values and the model's quantization point takes the model's own, not its producer's
 * input's, which would drop the model's requantization there once the lifts' Reshape pairs
 * merge. What the relayout below inserts (a lifted map's twin, the transposes sunk around a 1x1
 * conv) thus keeps the model's scales. */
static void quant_through_layout(ir_graph *g) {
  for (int back = 1; back >= 0; back--) quant_layout_pass(g, back);
}

/* After the folds above made a QDQ model's weights constant: the front end's passes that need
 * constant weights run again (channels-last: MatMuls on tokens / channels-last maps -> 1x1
 * convs; lift-1d: Conv1d networks -> 2-D; lift-3d: Conv3d networks -> 2-D convs per frame; then
 * the Transposes sunk, a dense layer's row bias folded, reduce-to-pool), the model's
 * quantization carried onto what they insert. */
static int relayout_constant_weights(ir_graph *g, cc_ctx *cx, char *err, size_t errlen) {
  int rc = cc_dce(g, cx, err, errlen);
  ir_graph_compact(g);
  quant_through_layout(g); /* (first onto the front end's own lifts, before their Reshapes merge) */
  if (rc == IR_OK) rc = cc_channels_last(g, cx, err, errlen);
  ir_graph_compact(g);
  if (rc == IR_OK) rc = cc_lift_1d(g, cx, err, errlen);
  ir_graph_compact(g);
  if (rc == IR_OK) rc = cc_lift_3d(g, cx, err, errlen);
  ir_graph_compact(g);
  if (rc == IR_OK) quant_through_layout(g);
  /* a lift's untwin and the next lift's twin (the front end's, across a Q/DQ pair then) cancel */
  if (rc == IR_OK) cc_sink_transposes(g), rc = cc_dce(g, cx, err, errlen);
  ir_graph_compact(g);
  /* what the Q/DQ pairs hid from the front end: a Reduce* that a sunk Transpose made a global
   * pool's (an NHWC ReduceMean over [1, 2]), a dense layer's MatMul + Add of a constant row */
  if (rc == IR_OK) cc_fold_row_bias(g), rc = cc_reduce_to_pool(g, cx, err, errlen);
  ir_graph_compact(g);
  if (rc == IR_OK) quant_through_layout(g);
  return rc;
}

int cc_qdq_import(ir_graph *g, cc_ctx *cx, char *err, size_t errlen) {
  int changed = 0;
  int n0 = g->n_nodes;
  for (int i = 0; i < n0; i++) {
    ir_node *n = g->nodes[i];
    if (n->dead || (n->op != IR_OP_QLinearConv && n->op != IR_OP_QLinearMatMul)) continue;
    if (qlinear_import(g, i)) i += 3, n0 += 3, changed = 1;
  }
  /* fake-quantized weights: QuantizeLinear of a float constant -> the integers */
  for (int i = 0; i < g->n_nodes; i++) {
    ir_node *n = g->nodes[i];
    if (!n->dead && n->op == IR_OP_QuantizeLinear && g->tensors[n->in[0]]->data) changed |= quantize_constant(g, n);
  }
  for (int i = 0; i < g->n_nodes; i++) {
    ir_node *n = g->nodes[i];
    if (n->dead || n->op != IR_OP_DequantizeLinear) continue;
    float *s;
    int32_t *z;
    int cnt;
    if (qparams(g, n->in[1], n->n_in > 2 ? n->in[2] : -1, &s, &z, &cnt) != 0) continue;
    int x = n->in[0];
    int64_t axis = ir_attr_int(n, "axis", 1);
    if (axis < 0) axis += g->tensors[x]->type.rank;
    if (g->tensors[x]->data) changed |= dequant_constant(g, n, s, z, cnt, axis);
    else changed |= drop_qdq_pair(g, n, s, z, cnt);
    free(s), free(z);
  }
  /* the front end's rewrites that needed constant weights, now that they are: Linear layers on
   * tokens or channels-last maps as 1x1 convs, 1-D networks lifted to 2-D */
  int rc = IR_OK;
  if (changed && (rc = relayout_constant_weights(g, cx, err, errlen)) != IR_OK) return rc;
  /* per-channel affine maps (QAT's BN-scale Div, bias Add, BatchNormalization) after layers
   * with quantized weights: into those weights' scales and the bias */
  for (int i = 0; i < g->n_nodes; i++) {
    ir_node *n = g->nodes[i];
    if (!n->dead && (n->op == IR_OP_Conv || n->op == IR_OP_Gemm)) changed |= fold_affine_chain(g, n);
  }
  if (!changed) return IR_OK;
  rc = cc_dce(g, cx, err, errlen);
  ir_graph_compact(g);
  if (rc == IR_OK) rc = cc_fuse(g, cx, err, errlen);
  if (rc == IR_OK) rc = cc_dce(g, cx, err, errlen);
  return rc;
}
