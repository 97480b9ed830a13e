/* ref/ref_rnn.c -- the reference executor's recurrent layers: RNN, GRU and LSTM, as ONNX
 * defines them (both layouts, forward / reverse / bidirectional, sequence_lens, initial states,
 * LSTM's peepholes and input_forget, GRU's linear_before_reset, clip, every activation function
 * of the spec). Attributes and shapes come from ir_rnn_parse (ir.h); see ref_internal.h.
 *
 * A batch entry b with sequence_lens[b] = L runs L steps (t = 0 .. L-1, or L-1 .. 0 in the
 * reverse direction); Y is 0 past them, as onnxruntime gives, and Y_h / Y_c hold the state after
 * the last step run. X's rows times W^T are one product (ref_sgemm) per direction, h R^T one per
 * step. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ref_internal.h"

#define CERR(...) ir_node_err(c->g, c->n, c->err, c->errlen, __VA_ARGS__)

static float rnn_act(ir_rnn_act a, float alpha, float beta, float x) {
  switch (a) {
  case IR_RNN_RELU: return x > 0 ? x : 0;
  case IR_RNN_TANH: return tanhf(x);
  case IR_RNN_SIGMOID: return 1.0f / (1.0f + expf(-x));
  case IR_RNN_AFFINE: return alpha * x + beta;
  case IR_RNN_LEAKYRELU: return x >= 0 ? x : alpha * x;
  case IR_RNN_THRESHOLDEDRELU: return x > alpha ? x : 0;
  case IR_RNN_SCALEDTANH: return alpha * tanhf(beta * x);
  case IR_RNN_HARDSIGMOID: return fminf(fmaxf(alpha * x + beta, 0.0f), 1.0f);
  case IR_RNN_ELU: return x >= 0 ? x : alpha * (expf(x) - 1.0f);
  case IR_RNN_SOFTSIGN: return x / (1.0f + fabsf(x));
  case IR_RNN_SOFTPLUS: return x > 20 ? x : log1pf(expf(x));
  }
  return x;
}

/* One direction's operands and state, and where its results go. */
typedef struct rnn_dir {
  const ir_rnn *r;
  int d;                 /* direction index */
  int rev;               /* runs from the end */
  const float *rt;       /* R^T [H][G*H] of this direction */
  const float *wb, *rb;  /* the biases [G*H] each, or NULL */
  const float *p;        /* LSTM's peepholes [3H] (i o f), or NULL */
  float *hr;             /* [G*H] a step's h R^T (+ GRU: [H] (r (.) h) R_h^T after it) */
  float *h, *cell, *tmp; /* [H] the hidden state, the cell (LSTM; GRU: r (.) h), z (GRU) */
} rnn_dir;

static float rnn_clip(const ir_rnn *r, float x) { return r->clip > 0 ? fminf(fmaxf(x, -r->clip), r->clip) : x; }

/* Gate k's input of unit j: x W^T (xw, the step's row of the projections) + Wb + the recurrent
 * product + Rb. */
static float rnn_pre(const rnn_dir *D, const float *xw, const float *hr, int64_t k) {
  return xw[k] + (D->wb ? D->wb[k] : 0) + hr[k] + (D->rb ? D->rb[k] : 0);
}

/* One GRU step (gates z r h) on the step's input projections xw [3H]. */
static void gru_step(rnn_dir *D, const float *xw) {
  const ir_rnn *r = D->r;
  int64_t H = r->hidden;
  const ir_rnn_act *f = r->act[D->d];
  const float *al = r->alpha[D->d], *be = r->beta[D->d];
  float *z = D->tmp, *rh = D->cell, *hr = D->hr, *q = D->hr + 3 * H; /* a GRU has no cell */
  ref_sgemm(1, (int)(3 * H), (int)H, D->h, (int)H, D->rt, (int)(3 * H), hr, (int)(3 * H), 0);
  for (int64_t j = 0; j < H; j++) z[j] = rnn_act(f[0], al[0], be[0], rnn_clip(r, rnn_pre(D, xw, hr, j)));
  for (int64_t j = 0; j < H; j++) rh[j] = rnn_act(f[0], al[0], be[0], rnn_clip(r, rnn_pre(D, xw, hr, H + j)));
  if (r->linear_before_reset) /* r (.) (h R_h^T + Rb_h) */
    for (int64_t j = 0; j < H; j++) q[j] = rh[j] * (hr[2 * H + j] + (D->rb ? D->rb[2 * H + j] : 0));
  else { /* (r (.) h) R_h^T + Rb_h */
    for (int64_t j = 0; j < H; j++) rh[j] *= D->h[j];
    ref_sgemm(1, (int)H, (int)H, rh, (int)H, D->rt + 2 * H, (int)(3 * H), q, (int)H, 0);
    for (int64_t j = 0; j < H; j++) q[j] += D->rb ? D->rb[2 * H + j] : 0;
  }
  for (int64_t j = 0; j < H; j++) {
    float hh = rnn_act(f[1], al[1], be[1], rnn_clip(r, xw[2 * H + j] + (D->wb ? D->wb[2 * H + j] : 0) + q[j]));
    D->h[j] = (1.0f - z[j]) * hh + z[j] * D->h[j];
  }
}

/* One step of direction D on the step's input projections xw [G*H]: D->h (and D->cell) updated. */
static void rnn_step(rnn_dir *D, const float *xw) {
  const ir_rnn *r = D->r;
  int64_t H = r->hidden, GH = r->gates * H;
  const ir_rnn_act *f = r->act[D->d];
  const float *al = r->alpha[D->d], *be = r->beta[D->d];
  if (r->gates == 3) {
    gru_step(D, xw);
    return;
  }
  float *hr = D->hr;
  ref_sgemm(1, (int)GH, (int)H, D->h, (int)H, D->rt, (int)GH, hr, (int)GH, 0);
  if (r->gates == 1) {
    for (int64_t j = 0; j < H; j++) D->h[j] = rnn_act(f[0], al[0], be[0], rnn_clip(r, rnn_pre(D, xw, hr, j)));
    return;
  }
  for (int64_t j = 0; j < H; j++) { /* LSTM: gates i o f c */
    float pi = rnn_pre(D, xw, hr, j) + (D->p ? D->p[j] * D->cell[j] : 0);
    float pf = rnn_pre(D, xw, hr, 2 * H + j) + (D->p ? D->p[2 * H + j] * D->cell[j] : 0);
    float i = rnn_act(f[0], al[0], be[0], rnn_clip(r, pi));
    float fg = r->input_forget ? 1.0f - i : rnn_act(f[0], al[0], be[0], rnn_clip(r, pf));
    float cc = rnn_act(f[1], al[1], be[1], rnn_clip(r, rnn_pre(D, xw, hr, 3 * H + j)));
    D->cell[j] = fg * D->cell[j] + i * cc;
    float po = rnn_pre(D, xw, hr, H + j) + (D->p ? D->p[H + j] * D->cell[j] : 0);
    float o = rnn_act(f[0], al[0], be[0], rnn_clip(r, po));
    D->h[j] = o * rnn_act(f[2], al[2], be[2], D->cell[j]);
  }
}

/* Element offset of state (d, b) in Y_h / Y_c / initial_h / initial_c, of (t, d, b) in Y. */
static int64_t rnn_state_at(const ir_rnn *r, int d, int64_t b) {
  return (r->layout ? b * r->dirs + d : d * r->batch + b) * r->hidden;
}
static int64_t rnn_y_at(const ir_rnn *r, int64_t t, int d, int64_t b) {
  return (r->layout ? (b * r->seq + t) * r->dirs + d : (t * r->dirs + d) * r->batch + b) * r->hidden;
}

/* Direction D over every batch entry; xw [S*B][G*H]: the rows of X (in X's order) times W^T. */
static int rnn_direction(ref_call *c, rnn_dir *D, const float *xw, const int32_t *lens) {
  const ir_rnn *r = D->r;
  const ir_value *const *in = c->in;
  int n_in = c->n->n_in, lstm = r->gates == 4;
  const ir_value *h0 = n_in > 5 ? in[5] : NULL, *c0 = lstm && n_in > 6 ? in[6] : NULL;
  float *y = c->n->out[0] >= 0 ? c->out[0].data : NULL;
  float *yh = c->n->n_out > 1 && c->n->out[1] >= 0 ? c->out[1].data : NULL;
  float *yc = c->n->n_out > 2 && c->n->out[2] >= 0 ? c->out[2].data : NULL;
  int64_t H = r->hidden, GH = r->gates * H;
  for (int64_t b = 0; b < r->batch; b++) {
    int64_t L = lens ? lens[b] : r->seq, s0 = rnn_state_at(r, D->d, b);
    if (L < 0 || L > r->seq)
      return CERR("sequence_lens[%lld] = %lld, outside [0, %lld]", (long long)b, (long long)L, (long long)r->seq);
    for (int64_t j = 0; j < H; j++) {
      D->h[j] = h0 ? ((const float *)h0->data)[s0 + j] : 0;
      D->cell[j] = c0 ? ((const float *)c0->data)[s0 + j] : 0;
    }
    for (int64_t s = 0; s < L; s++) {
      int64_t t = D->rev ? L - 1 - s : s;
      rnn_step(D, xw + (r->layout ? b * r->seq + t : t * r->batch + b) * GH);
      if (y) memcpy(y + rnn_y_at(r, t, D->d, b), D->h, (size_t)H * sizeof *y);
    }
    if (yh) memcpy(yh + s0, D->h, (size_t)H * sizeof *yh);
    if (yc && lstm) memcpy(yc + s0, D->cell, (size_t)H * sizeof *yc);
  }
  return IR_OK;
}

int ref_rnn(ref_call *c) {
  const ir_type *ti[8] = {0};
  const void *di[8] = {0};
  ir_value_operands(c->n, c->in, 8, ti, di);
  ir_rnn r;
  int rc = ir_rnn_parse(c->g, c->n, ti, &r, c->err, c->errlen);
  if (rc) return rc;
  int64_t H = r.hidden, GH = r.gates * H, rows = r.seq * r.batch, n_in = c->n->n_in;
  if (GH > INT32_MAX / 4 || rows > INT32_MAX / 4 || r.input > INT32_MAX / 4) return CERR("extents too large");
  const ir_value *B = n_in > 3 ? c->in[3] : NULL, *SL = n_in > 4 ? c->in[4] : NULL, *P = n_in > 7 ? c->in[7] : NULL;
  rnn_dir D = {.r = &r};
  float *wt = malloc((size_t)(r.input * GH + H * GH + rows * GH + GH + H + 3 * H + 1) * sizeof *wt);
  if (!wt) return CERR("out of memory");
  float *rt = wt + r.input * GH, *xw = rt + H * GH;
  D.hr = xw + rows * GH, D.h = D.hr + GH + H, D.cell = D.h + H, D.tmp = D.h + 2 * H, D.rt = rt;
  for (int d = 0; d < r.dirs && rc == IR_OK; d++) {
    D.d = d, D.rev = r.reverse || d == 1;
    ref_transpose(wt, (const float *)c->in[1]->data + (size_t)(d * GH * r.input), GH, r.input);
    ref_transpose(rt, (const float *)c->in[2]->data + (size_t)(d * GH * H), GH, H);
    ref_sgemm((int)rows, (int)GH, (int)r.input, c->in[0]->data, (int)r.input, wt, (int)GH, xw, (int)GH, 0);
    D.wb = B ? (const float *)B->data + (size_t)(d * 2 * GH) : NULL;
    D.rb = B ? D.wb + GH : NULL;
    D.p = P ? (const float *)P->data + (size_t)(d * 3 * H) : NULL;
    rc = rnn_direction(c, &D, xw, SL ? SL->data : NULL);
  }
  free(wt);
  return rc;
}
