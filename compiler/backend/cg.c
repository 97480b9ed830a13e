/* compiler/backend/cg.c -- the back end's public API: networks of tensors and layers, checks of
 * layer parameters, the build pipeline (arena, layers with barriers, FINISH, cost model per
 * layer, encoding), requantization helpers, and packing of tensors into the blocked layout
 * (placement and packing are the model layer's, model/layout.c). */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cg_int.h"

static _Thread_local char new_err[256];

static int net_fail(cg_net *net, int code, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(net->err, sizeof net->err, fmt, ap);
  va_end(ap);
  return code;
}

/* ---- quantization ---------------------------------------------------------------------- */
int cg_quant_multiplier(double real_scale, int32_t *mult, int *shift) {
  if (!(real_scale > 0) || !isfinite(real_scale) || real_scale >= 32768.0) return CG_E_ARG;
  const int mb = ISA_REQ_M_WIDTH - 1;      /* the mantissa's bits: m in [2^(mb-1), 2^mb) */
  int e;
  double m = frexp(real_scale, &e);        /* real = m * 2^e, m in [0.5, 1) */
  long q = lround(ldexp(m, mb));           /* [2^(mb-1), 2^mb] */
  if (q == 1L << mb) {
    q = 1L << (mb - 1);
    e++;
  }
  int sh = mb - e;
  if (sh < 0) return CG_E_ARG;
  if (sh > 63) {
    int d = sh - 63;
    q = d >= 31 ? 0 : (q + (1L << (d - 1))) >> d;
    sh = 63;
  }
  *mult = (int32_t)q;
  *shift = sh;
  return CG_OK;
}

int cg_quant_conv(double in_scale, const float *w_scale, int w_per_channel, double out_scale,
                  int cout, int32_t *mult, uint8_t *shift) {
  if (!w_scale || !mult || !shift || !(out_scale > 0)) return CG_E_ARG;
  for (int o = 0; o < cout; o++) {
    int sh;
    int rc = cg_quant_multiplier(in_scale * w_scale[w_per_channel ? o : 0] / out_scale, &mult[o], &sh);
    if (rc) return rc;
    shift[o] = (uint8_t)sh;
  }
  return CG_OK;
}

int64_t cg_req(int32_t a, int32_t mult, int shift) {
  int64_t p = (int64_t)a * mult;
  return shift > 0 ? (p + ((int64_t)1 << (shift - 1))) >> shift : p;
}

/* ---- networks ---------------------------------------------------------------------------- */
cg_net *cg_net_new(const isa_config *cfg) {
  new_err[0] = 0;
  if (!cfg) {
    snprintf(new_err, sizeof new_err, "no config");
    return NULL;
  }
  const isa_derived *d = &cfg->d;
  if (!cc_layout_ok(d) || d->inp_bits != 8 || d->wgt_bits != 8 || d->acc_bits != 32 || d->out_bits != 8 ||
      d->block_out > 64) {
    snprintf(new_err, sizeof new_err,
             "config %s: the back end needs batch 1, block_out <= 64 a multiple of block_in, 8-bit data, "
             "32-bit accumulators", d->name);
    return NULL;
  }
  cg_net *n = calloc(1, sizeof *n);
  if (!n) {
    snprintf(new_err, sizeof new_err, "out of memory");
    return NULL;
  }
  n->cfg = cfg;
  n->B = cc_layout_block(d);
  return n;
}

const char *cg_net_new_error(void) { return new_err; }

void cg_net_free(cg_net *net) {
  if (!net) return;
  for (int i = 0; i < net->nl; i++) {
    free(net->l[i].w);
    free(net->l[i].bias);
    free(net->l[i].mult);
    free(net->l[i].shift);
    free(net->l[i].rw);
    free(net->l[i].rf);
    free(net->l[i].bf);
    free(net->l[i].lut_tab);
  }
  free(net->l);
  free(net->t);
  for (int i = 0; i < net->nv; i++) free(net->v[i].blk), free(net->v[i].vsrc);
  free(net->v);
  free(net);
}

const char *cg_net_error(const cg_net *net) { return net ? net->err : "no net"; }
const isa_config *cg_net_config(const cg_net *net) { return net->cfg; }
int cg_net_layers(const cg_net *net) { return net->nl; }

int cg_net_layer(const cg_net *net, int layer, cg_layer_params *out) {
  if (!net || layer < 0 || layer >= net->nl) return CG_E_ARG;
  const cg_layer *l = &net->l[layer];
  memset(out, 0, sizeof *out);
  out->kind = l->kind;
  if (l->kind == CG_LAYER_CONV) out->conv = l->conv;
  if (l->kind == CG_LAYER_POOL) out->pool = l->pool;
  if (l->kind == CG_LAYER_ADD) out->add = l->add;
  if (l->kind == CG_LAYER_LUT) out->lut = l->lut;
  if (l->kind == CG_LAYER_MUL) out->mul = l->mul;
  return CG_OK;
}

void cg_opts_default(cg_opts *o) {
  memset(o, 0, sizeof *o);
  o->only_layer = -1;
}

int cg_net_tensor(cg_net *net, int c, int h, int w) {
  if (c < 1 || h < 1 || w < 1 || h > 65535 || w > 65535)
    return net_fail(net, CG_E_ARG, "tensor %dx%dx%d: extents must be in 1..65535", c, h, w);
  if (net->nt == net->capt) {
    int nc = net->capt ? 2 * net->capt : 16;
    cg_tensor *nt = realloc(net->t, (size_t)nc * sizeof *nt);
    if (!nt) return net_fail(net, CG_E_NOMEM, "out of memory");
    net->t = nt;
    net->capt = nc;
  }
  cg_tensor *t = &net->t[net->nt];
  memset(t, 0, sizeof *t);
  t->lc = c;
  t->lh = h;
  t->lw = w;
  t->c = c;
  t->h = h;
  t->w = w;
  t->cb = cg_cdiv(c, (int)net->B);
  cc_mtensor lt = {.c = c, .h = h, .w = w}; /* the model layer's layout places it */
  if (cc_layout_place(&lt, net->B, &net->arena) != 0) return net_fail(net, CG_E_ARG, "tensor %dx%dx%d: no layout", c, h, w);
  t->off = lt.offset;
  t->bytes = lt.bytes;
  return net->nt++;
}

static int bad_t(const cg_net *net, int t) { return !((t >= 0 && t < net->nt) || (t >= CG_VIEW0 && t - CG_VIEW0 < net->nv)); }

int cg_net_tensor_view(cg_net *net, int c, int n, const int *src, const int *blk) {
  if (c < 1 || n != cg_cdiv(c, (int)net->B) || !src || !blk)
    return net_fail(net, CG_E_ARG, "view: %d channels need %d blocks, %d given", c, cg_cdiv(c, (int)net->B), n);
  int h = 0, w = 0;
  for (int q = 0; q < n; q++) {
    if (bad_t(net, src[q])) return net_fail(net, CG_E_ARG, "view: bad tensor id");
    const cg_tensor *s = cg_tens(net, src[q]);
    if (s->im2col || blk[q] < 0 || blk[q] >= s->cb) return net_fail(net, CG_E_ARG, "view: block %d of a tensor of %d", blk[q], s->cb);
    if (q && (s->h != h || s->w != w)) return net_fail(net, CG_E_ARG, "view: the blocks' pixels differ");
    h = s->h, w = s->w;
  }
  if (net->nv == net->capv) {
    int nc = net->capv ? 2 * net->capv : 16;
    cg_tensor *nv = realloc(net->v, (size_t)nc * sizeof *nv);
    if (!nv) return net_fail(net, CG_E_NOMEM, "out of memory");
    net->v = nv;
    net->capv = nc;
  }
  uint64_t *b = malloc((size_t)n * sizeof *b);
  int *vs = malloc(2 * (size_t)n * sizeof *vs);
  if (!b || !vs) return free(b), free(vs), net_fail(net, CG_E_NOMEM, "out of memory");
  for (int q = 0; q < n; q++) {
    const cg_tensor *s = cg_tens(net, src[q]);
    b[q] = cg_tblk(s, net->B, blk[q]);
    vs[q] = s->vsrc ? s->vsrc[blk[q]] : src[q];
    vs[n + q] = s->vsrc ? s->vsrc[s->cb + blk[q]] : blk[q];
  }
  cg_tensor *t = &net->v[net->nv];
  memset(t, 0, sizeof *t);
  t->vsrc = vs;
  t->c = t->lc = c, t->h = t->lh = h, t->w = t->lw = w;
  t->cb = n;
  t->blk = b;
  t->off = b[0];
  t->bytes = 0;
  t->base = cg_tensor_base(net, src[0]);
  return CG_VIEW0 + net->nv++;
}

int cg_tensor_base(const cg_net *net, int t) {
  if (bad_t(net, t)) return CG_E_ARG;
  return t >= CG_VIEW0 ? net->v[t - CG_VIEW0].base : t;
}

int cg_tensor_is_view(const cg_net *net, int t) { return !bad_t(net, t) && t >= CG_VIEW0; }

int cg_tensor_channel_src(const cg_net *net, int t, int ch, int *src, int *src_ch) {
  if (bad_t(net, t)) return CG_E_ARG;
  const cg_tensor *s = cg_tens(net, t);
  if (ch < 0 || ch >= s->c) return CG_E_ARG;
  int B = (int)net->B, q = ch / B;
  *src = s->vsrc ? s->vsrc[q] : t;
  *src_ch = s->vsrc ? s->vsrc[s->cb + q] * B + ch % B : ch;
  return 0;
}

int cg_net_tensor_im2col(cg_net *net, int c, int h, int w, const cg_conv *g) {
  if (!g || g->kh < 1 || g->kw < 1 || g->sh < 1 || g->sw < 1 || g->dh < 1 || g->dw < 1)
    return net_fail(net, CG_E_ARG, "im2col tensor: bad geometry");
  int oh = cg_out_dim(h, g->kh, g->sh, g->dh, g->pad_t, g->pad_b);
  int ow = cg_out_dim(w, g->kw, g->sw, g->dw, g->pad_l, g->pad_r);
  if (oh < 1 || ow < 1) return net_fail(net, CG_E_ARG, "im2col tensor: empty output");
  int id = cg_net_tensor(net, c * g->kh * g->kw, oh, ow);
  if (id < 0) return id;
  cg_tensor *t = &net->t[id];
  t->im2col = 1;
  t->lc = c;
  t->lh = h;
  t->lw = w;
  t->geo = *g;
  return id;
}

int cg_groups_ok(const isa_config *cfg, int cin, int cout, int groups) {
  int B = (int)cc_layout_block(&cfg->d);
  if (groups < 1 || cin != cout || cin % groups) return 0;
  int gw = cin / groups;
  return groups == 1 || (gw <= B && B % gw == 0) || gw % B == 0;
}

int cg_im2col_pays(const isa_config *cfg, int c, int kh, int kw) {
  int B = (int)cc_layout_block(&cfg->d);
  return cg_cdiv(c * kh * kw, B) < cg_cdiv(c, B) * kh * kw;
}

uint64_t cg_tensor_offset(const cg_net *net, int t) { return bad_t(net, t) ? 0 : cg_tens(net, t)->off; }
uint64_t cg_tensor_bytes(const cg_net *net, int t) { return bad_t(net, t) ? 0 : cg_tens(net, t)->bytes; }

int cg_tensor_shape(const cg_net *net, int t, int *c, int *h, int *w) {
  if (bad_t(net, t)) return CG_E_ARG;
  *c = cg_tens(net, t)->lc;
  *h = cg_tens(net, t)->lh;
  *w = cg_tens(net, t)->lw;
  return CG_OK;
}

static cg_layer *new_layer(cg_net *net) {
  if (net->nl == net->capl) {
    int nc = net->capl ? 2 * net->capl : 16;
    cg_layer *nl = realloc(net->l, (size_t)nc * sizeof *nl);
    if (!nl) return NULL;
    net->l = nl;
    net->capl = nc;
  }
  cg_layer *L = &net->l[net->nl];
  memset(L, 0, sizeof *L);
  return L;
}

static int bounds_ok(int lo, int hi) { return lo >= -128 && hi <= 127 && lo <= hi; }
static int zp_ok(int z) { return z >= -128 && z <= 127; }

/* The fraction epilogue's ranges of conv p with cout outputs (cg.h: a GEMM residual when gres,
 * a fraction bias bias_f, or both): f of each channel within 0..min(49, shift), the residual
 * weight within int8, and each channel's constant bias_f - sum(rw)*res_zp + y_zp*2^f within
 * int32 (within half of it when bias_f is given: the bias must leave u = t + constant room).
 * 0, or -1 with the message set. */
static int frac_check(cg_net *net, const cg_conv *p, int cout, int gres) {
  if (p->bias_f && (!p->res_fc || (p->res >= 0 && !gres)))
    return net_fail(net, CG_E_ARG, "conv: bias_f needs res_fc and no requantized residual"), -1;
  if (gres && (p->res_d < -128 || p->res_d > 127))
    return net_fail(net, CG_E_ARG, "conv: GEMM residual weight %d out of range", p->res_d), -1;
  int cr = gres ? cg_tens(net, p->res)->c : 0;
  int64_t lim = p->bias_f ? INT32_MAX / 2 : INT32_MAX;
  for (int o = 0; o < cout; o++) {
    int f = p->res_fc ? p->res_fc[o] : p->res_f;
    if (f < 0 || f > 49 || p->shift[o] < f)
      return net_fail(net, CG_E_ARG, "conv: fraction bits %d of channel %d out of 0..min(49, shift %d)", f, o, p->shift[o]),
             -1;
    int64_t k = (int64_t)p->y_zp * ((int64_t)1 << f) + (p->bias_f ? p->bias_f[o] : 0);
    for (int ci = 0; ci < cr; ci++)
      k -= (int64_t)(p->res_w ? p->res_w[(size_t)o * cr + ci] : ci == o ? p->res_d : 0) * p->res_zp;
    if (k < -lim - 1 || k > lim)
      return net_fail(net, CG_E_ARG, "conv: the fraction epilogue's constant of channel %d out of range", o), -1;
  }
  return 0;
}

/* Layer L's own copies of conv p's fraction epilogue (bias_f, res_fc): 0, or -1 when out of
 * memory. */
static int copy_frac(cg_layer *L, const cg_conv *p, int cout) {
  if (!L->rf) L->rf = malloc((size_t)cout);
  L->bf = malloc((size_t)cout * sizeof *L->bf);
  if (!L->rf || !L->bf) return -1;
  memcpy(L->rf, p->res_fc, (size_t)cout);
  memcpy(L->bf, p->bias_f, (size_t)cout * sizeof *L->bf);
  L->conv.res_fc = L->rf;
  L->conv.bias_f = L->bf;
  return 0;
}

int cg_net_add_conv(cg_net *net, const cg_conv *p) {
  if (!p || bad_t(net, p->in) || bad_t(net, p->out) || (p->res >= 0 && bad_t(net, p->res)))
    return net_fail(net, CG_E_ARG, "conv: bad tensor id");
  const cg_tensor *ti = cg_tens(net, p->in), *to = cg_tens(net, p->out);
  if (p->kh < 1 || p->kw < 1 || p->sh < 1 || p->sw < 1 || p->dh < 1 || p->dw < 1)
    return net_fail(net, CG_E_ARG, "conv: kernel, stride and dilation must be >= 1");
  if (to->im2col || (p->res >= 0 && cg_tens(net, p->res)->im2col))
    return net_fail(net, CG_E_ARG, "conv: an im2col tensor can only be a conv input");
  if (ti->im2col) {
    const cg_conv *g = &ti->geo;
    if (g->kh != p->kh || g->kw != p->kw || g->sh != p->sh || g->sw != p->sw || g->dh != p->dh ||
        g->dw != p->dw || g->pad_t != p->pad_t || g->pad_l != p->pad_l || g->pad_b != p->pad_b ||
        g->pad_r != p->pad_r || p->groups != 1)
      return net_fail(net, CG_E_ARG, "conv: the im2col input was packed for another geometry");
  }
  if (p->pad_t < 0 || p->pad_t > 15 || p->pad_b < 0 || p->pad_b > 15 || p->pad_l < 0 ||
      p->pad_l > 15 || p->pad_r < 0 || p->pad_r > 15)
    return net_fail(net, CG_E_ARG, "conv: pads must be in 0..15");
  int dwc = 0, gw = ti->lc;
  if (p->groups == 1) {
  } else if (cg_groups_ok(net->cfg, ti->lc, to->c, p->groups) && !ti->im2col) {
    dwc = 1, gw = ti->lc / p->groups;
  } else {
    return net_fail(net, CG_E_UNSUPPORTED,
                    "conv: groups=%d over %d -> %d channels (grouped convs need equal channels and a group width "
                    "that divides the block %u or is a multiple of it)", p->groups, ti->lc, to->c, net->B);
  }
  int oh = cg_out_dim(ti->lh, p->kh, p->sh, p->dh, p->pad_t, p->pad_b);
  int ow = cg_out_dim(ti->lw, p->kw, p->sw, p->dw, p->pad_l, p->pad_r);
  if (oh != to->h || ow != to->w)
    return net_fail(net, CG_E_ARG, "conv: output is %dx%d, the tensor is %dx%d", oh, ow, to->h, to->w);
  int gres = p->res >= 0 && (p->res_d || p->res_w); /* the residual through the GEMM core */
  int rstride = p->res_s > 1 ? p->res_s : 1;
  if (p->res >= 0 && !p->res_w && (cg_tens(net, p->res)->c != to->c || cg_tens(net, p->res)->h != oh || cg_tens(net, p->res)->w != ow))
    return net_fail(net, CG_E_ARG, "conv: residual shape differs from the output");
  if (gres && (cg_tens(net, p->res)->im2col || (oh - 1) * rstride >= cg_tens(net, p->res)->h ||
               (ow - 1) * rstride >= cg_tens(net, p->res)->w || rstride > 255))
    return net_fail(net, CG_E_ARG, "conv: the residual's pixels do not cover the output with stride %d", rstride);
  if (!p->weight || !p->mult || !p->shift)
    return net_fail(net, CG_E_ARG, "conv: weight, mult and shift are required");
  if (!bounds_ok(p->lo, p->hi)) return net_fail(net, CG_E_ARG, "conv: bad clamp bounds");
  if (!zp_ok(p->x_zp) || !zp_ok(p->y_zp) || !zp_ok(p->res_zp))
    return net_fail(net, CG_E_ARG, "conv: zero points must be in -128..127");
  if (ti->im2col && ti->geo.x_zp != p->x_zp)
    return net_fail(net, CG_E_ARG, "conv: the im2col input was packed with another x_zp");
  if (p->res >= 0 && (p->res_shift < 0 || p->res_shift > 63))
    return net_fail(net, CG_E_ARG, "conv: residual shift out of 0..63");
  if ((gres || p->bias_f) && frac_check(net, p, to->c, gres)) return CG_E_ARG;
  for (int o = 0; o < to->c; o++)
    if (p->shift[o] > 63) return net_fail(net, CG_E_ARG, "conv: shift[%d] out of 0..63", o);
  cg_layer *L = new_layer(net);
  if (!L) return net_fail(net, CG_E_NOMEM, "out of memory");
  size_t nw = (size_t)to->c * gw * p->kh * p->kw;
  L->kind = CG_LAYER_CONV;
  L->conv = *p;
  L->w = malloc(nw);
  L->bias = calloc((size_t)to->c, sizeof *L->bias);
  L->mult = malloc((size_t)to->c * sizeof *L->mult);
  L->shift = malloc((size_t)to->c);
  if (!L->w || !L->bias || !L->mult || !L->shift) {
    free(L->w);
    free(L->bias);
    free(L->mult);
    free(L->shift);
    return net_fail(net, CG_E_NOMEM, "out of memory");
  }
  if (gres) {
    int cr = cg_tens(net, p->res)->c;
    L->cres = cr;
    L->rw = calloc((size_t)to->c * cr, 1);
    L->rf = malloc((size_t)to->c);
    if (!L->rw || !L->rf) {
      free(L->w), free(L->bias), free(L->mult), free(L->shift), free(L->rw), free(L->rf);
      return net_fail(net, CG_E_NOMEM, "out of memory");
    }
    for (int o = 0; o < to->c; o++) {
      L->rf[o] = (uint8_t)(p->res_fc ? p->res_fc[o] : p->res_f);
      if (p->res_w) memcpy(L->rw + (size_t)o * cr, p->res_w + (size_t)o * cr, (size_t)cr);
      else L->rw[(size_t)o * cr + o] = (int8_t)p->res_d;
    }
    L->conv.res_w = L->rw;
    L->conv.res_fc = L->rf;
    L->conv.res_s = rstride;
  }
  if (p->bias_f && copy_frac(L, p, to->c)) {
    free(L->w), free(L->bias), free(L->mult), free(L->shift), free(L->rw), free(L->rf), free(L->bf);
    return net_fail(net, CG_E_NOMEM, "out of memory");
  }
  memcpy(L->w, p->weight, nw);
  if (p->bias) memcpy(L->bias, p->bias, (size_t)to->c * sizeof *L->bias);
  memcpy(L->mult, p->mult, (size_t)to->c * sizeof *L->mult);
  memcpy(L->shift, p->shift, (size_t)to->c);
  if (p->lut) {
    if (!(L->lut_tab = malloc(ISA_LUT_DEPTH))) {
      free(L->w), free(L->bias), free(L->mult), free(L->shift), free(L->rw), free(L->rf), free(L->bf);
      return net_fail(net, CG_E_NOMEM, "out of memory");
    }
    memcpy(L->lut_tab, p->lut, ISA_LUT_DEPTH);
    L->conv.lut = L->lut_tab;
  }
  L->conv.weight = L->w;
  L->conv.bias = L->bias;
  L->conv.mult = L->mult;
  L->conv.shift = L->shift;
  L->conv.groups = dwc ? p->groups : 1;
  cg_layer_info *in = &L->info;
  in->kind = CG_LAYER_CONV;
  in->macs = (uint64_t)oh * ow * to->c * gw * p->kh * p->kw;
  if (p->res >= 0 && p->res_w) in->macs += (uint64_t)oh * ow * to->c * cg_tens(net, p->res)->c; /* a 1x1 conv */
  uint64_t bb = (uint64_t)net->B * net->B;
  in->ideal_cycles = (in->macs + bb - 1) / bb;
  char rdesc[48];
  if (p->res >= 0 && p->res_w) snprintf(rdesc, sizeof rdesc, " +conv1x1 s%d", rstride);
  else snprintf(rdesc, sizeof rdesc, "%s", p->res >= 0 ? " +res" : "");
  snprintf(in->desc, sizeof in->desc, "%s %dx%dx%d -> %dx%dx%d k%dx%d s%d%s%s%s%s",
           dwc ? (gw == 1 ? "dwconv" : "gconv") : (ti->lh == 1 && ti->lw == 1 && p->kh == 1 && p->kw == 1) ? "fc" : "conv",
           ti->lc, ti->lh, ti->lw, to->c, oh, ow, p->kh, p->kw, p->sh, p->dh > 1 ? " dil" : "",
           rdesc, ti->im2col ? " im2col" : "", p->lut ? " +lut" : "");
  return net->nl++;
}

/* A depth-to-space layer (cg_net_add_pool, kind CG_POOL_D2S). */
static int add_d2s(cg_net *net, const cg_pool *p, const cg_tensor *ti, const cg_tensor *to) {
  int B = (int)net->B;
  if (ti->im2col || to->im2col || p->kh != 1 || p->kw != 1 || p->pad_t || p->pad_l || p->pad_b || p->pad_r ||
      p->sh < 1 || p->sh > 16 || p->sw < 1 || p->sw > 16)
    return net_fail(net, CG_E_ARG, "depth to space: factors must be in 1..16, kernel 1x1, no pads");
  if (p->gc < 1 || p->gc % B || ti->c != p->sh * p->sw * p->gc)
    return net_fail(net, CG_E_ARG, "depth to space: input has %d channels, expected %d x %d phase groups of %d (a multiple of %d)",
                    ti->c, p->sh, p->sw, p->gc, B);
  if (to->c != p->oc || to->h != p->oh || to->w != p->ow || p->oc < 1 || p->oc > p->gc || p->oh < 1 ||
      p->oh > ti->h * p->sh || p->ow < 1 || p->ow > ti->w * p->sw)
    return net_fail(net, CG_E_ARG, "depth to space: output %dx%dx%d, expected %dx%dx%d within %dx%dx%d", to->c, to->h, to->w,
                    p->oc, p->oh, p->ow, p->gc, ti->h * p->sh, ti->w * p->sw);
  cg_layer *L = new_layer(net);
  if (!L) return net_fail(net, CG_E_NOMEM, "out of memory");
  L->kind = CG_LAYER_POOL;
  L->pool = *p;
  L->info.kind = CG_LAYER_POOL;
  snprintf(L->info.desc, sizeof L->info.desc, "d2s %dx%dx%d -> %dx%dx%d x%dx%d", ti->c, ti->h, ti->w, to->c, to->h, to->w,
           p->sh, p->sw);
  return net->nl++;
}

/* An upsampling's geometry (CG_POOL_UP, CG_POOL_BIL: what names it in the message): factors
 * sh, sw in 1..16, kernel 1x1, no pads, out = in times the factors. 0, or net_fail's status. */
static int upsample_geom(cg_net *net, const cg_pool *p, const cg_tensor *ti, const cg_tensor *to, const char *what) {
  if (ti->im2col || to->im2col || p->kh != 1 || p->kw != 1 || p->pad_t || p->pad_l || p->pad_b || p->pad_r ||
      p->sh < 1 || p->sh > 16 || p->sw < 1 || p->sw > 16)
    return net_fail(net, CG_E_ARG, "%s: factors must be in 1..16, kernel 1x1, no pads", what);
  if (ti->c != to->c || (int64_t)ti->h * p->sh != to->h || (int64_t)ti->w * p->sw != to->w)
    return net_fail(net, CG_E_ARG, "%s: output is %dx%dx%d, expected %dx%dx%d", what, to->c, to->h, to->w, ti->c,
                    ti->h * p->sh, ti->w * p->sw);
  return 0;
}

/* A bilinear layer (cg_net_add_pool, kind CG_POOL_BIL). */
static int add_bil(cg_net *net, const cg_pool *p, const cg_tensor *ti, const cg_tensor *to) {
  int ly, lx;
  int rc = upsample_geom(net, p, ti, to, "bilinear");
  if (rc) return rc;
  if (cg_bil_axis(p->ct, p->sh, ti->h, &ly, NULL, NULL) || cg_bil_axis(p->ct, p->sw, ti->w, &lx, NULL, NULL))
    return net_fail(net, CG_E_UNSUPPORTED, "bilinear: weights of %dx%d -> %dx%d (mode %d) are not multiples of 1/%d",
                    ti->h, ti->w, to->h, to->w, p->ct, 1 << CG_BIL_MAXLOG);
  cg_layer *L = new_layer(net);
  if (!L) return net_fail(net, CG_E_NOMEM, "out of memory");
  L->kind = CG_LAYER_POOL;
  L->pool = *p;
  L->info.kind = CG_LAYER_POOL;
  static const char *const ct[] = {"half_pixel", "asymmetric", "align_corners"};
  snprintf(L->info.desc, sizeof L->info.desc, "bilinear %dx%dx%d -> %dx%dx%d x%dx%d %s", ti->c, ti->h, ti->w, to->c,
           to->h, to->w, p->sh, p->sw, ct[p->ct]);
  return net->nl++;
}

int cg_net_add_pool(cg_net *net, const cg_pool *p) {
  if (!p || bad_t(net, p->in) || bad_t(net, p->out)) return net_fail(net, CG_E_ARG, "pool: bad tensor id");
  const cg_tensor *ti = cg_tens(net, p->in), *to = cg_tens(net, p->out);
  if (p->kind != CG_POOL_MAX && p->kind != CG_POOL_AVG && p->kind != CG_POOL_UP && p->kind != CG_POOL_D2S &&
      p->kind != CG_POOL_BIL)
    return net_fail(net, CG_E_ARG, "pool: bad kind");
  if (p->kind == CG_POOL_D2S) return add_d2s(net, p, ti, to);
  if (p->kind == CG_POOL_BIL) return add_bil(net, p, ti, to);
  if (p->kind == CG_POOL_UP) {
    int rc = upsample_geom(net, p, ti, to, "upsample");
    if (rc) return rc;
    cg_layer *L = new_layer(net);
    if (!L) return net_fail(net, CG_E_NOMEM, "out of memory");
    L->kind = CG_LAYER_POOL;
    L->pool = *p;
    L->info.kind = CG_LAYER_POOL;
    snprintf(L->info.desc, sizeof L->info.desc, "upsample %dx%dx%d -> %dx%dx%d x%dx%d", ti->c, ti->h, ti->w, to->c,
             to->h, to->w, p->sh, p->sw);
    return net->nl++;
  }
  if (ti->im2col || to->im2col) return net_fail(net, CG_E_ARG, "pool: im2col tensors are conv inputs only");
  if (p->kh < 1 || p->kw < 1 || p->sh < 1 || p->sw < 1)
    return net_fail(net, CG_E_ARG, "pool: kernel and stride must be >= 1");
  if (p->pad_t < 0 || p->pad_t > 15 || p->pad_b < 0 || p->pad_b > 15 || p->pad_l < 0 ||
      p->pad_l > 15 || p->pad_r < 0 || p->pad_r > 15)
    return net_fail(net, CG_E_ARG, "pool: pads must be in 0..15");
  int oh = cg_out_dim(ti->h, p->kh, p->sh, 1, p->pad_t, p->pad_b);
  int ow = cg_out_dim(ti->w, p->kw, p->sw, 1, p->pad_l, p->pad_r);
  if (ti->c != to->c || oh != to->h || ow != to->w)
    return net_fail(net, CG_E_ARG, "pool: output is %dx%dx%d, the tensor is %dx%dx%d", ti->c, oh,
                    ow, to->c, to->h, to->w);
  if (p->kind == CG_POOL_AVG && (!bounds_ok(p->lo, p->hi) || p->shift < 0 || p->shift > 63 ||
                                 !zp_ok(p->x_zp) || !zp_ok(p->y_zp)))
    return net_fail(net, CG_E_ARG, "pool: bad bounds, shift or zero point");
  int ly, lx;
  if (p->excl_pad && (p->kind != CG_POOL_AVG || cg_pool_excl(p->kh, p->sh, p->pad_t, ti->h, oh, &ly, NULL) ||
                      cg_pool_excl(p->kw, p->sw, p->pad_l, ti->w, ow, &lx, NULL) ||
                      (int64_t)p->kh * p->kw * 255 * ly * lx > INT32_MAX))
    return net_fail(net, CG_E_ARG, "pool: padding left out of an average whose window counts have no small common multiple");
  cg_layer *L = new_layer(net);
  if (!L) return net_fail(net, CG_E_NOMEM, "out of memory");
  L->kind = CG_LAYER_POOL;
  L->pool = *p;
  L->info.kind = CG_LAYER_POOL;
  snprintf(L->info.desc, sizeof L->info.desc, "%spool %dx%dx%d -> %dx%dx%d k%dx%d s%d",
           p->kind == CG_POOL_MAX ? "max" : "avg", ti->c, ti->h, ti->w, to->c, oh, ow, p->kh, p->kw, p->sh);
  return net->nl++;
}

int cg_net_add_add(cg_net *net, const cg_add *p) {
  if (!p || bad_t(net, p->a) || bad_t(net, p->b) || bad_t(net, p->out))
    return net_fail(net, CG_E_ARG, "add: bad tensor id");
  const cg_tensor *a = cg_tens(net, p->a), *b = cg_tens(net, p->b), *o = cg_tens(net, p->out);
  if (a->im2col || b->im2col || o->im2col) return net_fail(net, CG_E_ARG, "add: im2col tensors are conv inputs only");
  if (a->c != b->c || a->c != o->c || a->h != b->h || a->h != o->h || a->w != b->w || a->w != o->w)
    return net_fail(net, CG_E_ARG, "add: shapes differ");
  if (!bounds_ok(p->lo, p->hi) || p->a_shift < 0 || p->a_shift > 63 || p->b_shift < 0 ||
      p->b_shift > 63 || !zp_ok(p->a_zp) || !zp_ok(p->b_zp) || !zp_ok(p->y_zp) || p->op < CG_ADD_SUM || p->op > CG_ADD_MIN)
    return net_fail(net, CG_E_ARG, "add: bad bounds, shift or zero point");
  cg_layer *L = new_layer(net);
  if (!L) return net_fail(net, CG_E_NOMEM, "out of memory");
  L->kind = CG_LAYER_ADD;
  L->add = *p;
  L->info.kind = CG_LAYER_ADD;
  snprintf(L->info.desc, sizeof L->info.desc, "add %dx%dx%d", a->c, a->h, a->w);
  return net->nl++;
}

int cg_net_add_lut(cg_net *net, const cg_lut *p) {
  if (!p || bad_t(net, p->in) || bad_t(net, p->out)) return net_fail(net, CG_E_ARG, "lut: bad tensor id");
  const cg_tensor *a = &net->t[p->in], *o = &net->t[p->out];
  if (a->im2col || o->im2col) return net_fail(net, CG_E_ARG, "lut: im2col tensors are conv inputs only");
  if (a->c != o->c || a->h != o->h || a->w != o->w) return net_fail(net, CG_E_ARG, "lut: shapes differ");
  if (!p->table) return net_fail(net, CG_E_ARG, "lut: no table");
  cg_layer *L = new_layer(net);
  if (!L) return net_fail(net, CG_E_NOMEM, "out of memory");
  if (!(L->lut_tab = malloc(ISA_LUT_DEPTH))) return net_fail(net, CG_E_NOMEM, "out of memory");
  memcpy(L->lut_tab, p->table, ISA_LUT_DEPTH);
  L->kind = CG_LAYER_LUT;
  L->lut = *p;
  L->lut.table = L->lut_tab;
  L->info.kind = CG_LAYER_LUT;
  snprintf(L->info.desc, sizeof L->info.desc, "lut %dx%dx%d", a->c, a->h, a->w);
  return net->nl++;
}

int cg_net_add_mul(cg_net *net, const cg_mul *p) {
  if (!p || bad_t(net, p->a) || bad_t(net, p->b) || bad_t(net, p->out))
    return net_fail(net, CG_E_ARG, "mul: bad tensor id");
  const cg_tensor *a = &net->t[p->a], *b = &net->t[p->b], *o = &net->t[p->out];
  if (a->im2col || b->im2col || o->im2col) return net_fail(net, CG_E_ARG, "mul: im2col tensors are conv inputs only");
  if (a->c != o->c || a->h != o->h || a->w != o->w) return net_fail(net, CG_E_ARG, "mul: a and out differ in shape");
  int per_channel = b->h == 1 && b->w == 1 && (a->h != 1 || a->w != 1);
  if (b->c != a->c || (!per_channel && (b->h != a->h || b->w != a->w)))
    return net_fail(net, CG_E_ARG, "mul: b is neither a per-channel vector nor of a's shape");
  if (!bounds_ok(p->lo, p->hi) || p->shift < 0 || p->shift > 63 || !zp_ok(p->a_zp) || !zp_ok(p->b_zp) ||
      !zp_ok(p->y_zp) || p->bias < -(1 << 24) || p->bias > 1 << 24 || p->frac < 0 || p->frac > 7)
    return net_fail(net, CG_E_ARG, "mul: bad bounds, shift, zero point, bias or fraction bits");
  cg_layer *L = new_layer(net);
  if (!L) return net_fail(net, CG_E_NOMEM, "out of memory");
  L->kind = CG_LAYER_MUL;
  L->mul = *p;
  L->info.kind = CG_LAYER_MUL;
  snprintf(L->info.desc, sizeof L->info.desc, "mul %dx%dx%d by %s", a->c, a->h, a->w,
           per_channel ? "channel" : "element");
  return net->nl++;
}

int cg_net_layer_info(const cg_net *net, int layer, cg_layer_info *out) {
  if (!net || layer < 0 || layer >= net->nl) return CG_E_ARG;
  *out = net->l[layer].info;
  return CG_OK;
}

/* ---- build ------------------------------------------------------------------------------- */
/* The --dump view of a built program: per layer its choice and prediction, then its
 * instructions disassembled. */
static void dump_prog(const cg_net *net, int first, int last, const isa_prog *prog, FILE *f) {
  char buf[512];
  for (int i = first; i <= last; i++) {
    const cg_layer_info *in = &net->l[i].info;
    fprintf(f, "; layer %d: %s\n;   %s\n;   %llu MACs, ideal %llu, predicted %llu cycles, insns %u..%u\n",
            i, in->desc, in->tiling, (unsigned long long)in->macs,
            (unsigned long long)in->ideal_cycles, (unsigned long long)in->predicted_cycles,
            in->first_insn, in->first_insn + in->n_insns);
    for (uint32_t k = in->first_insn; k < in->first_insn + in->n_insns && k < prog->n_insns; k++) {
      isa_disasm(net->cfg, &prog->insns[k], buf, sizeof buf);
      fprintf(f, "%s\n", buf);
    }
  }
  if (prog->n_insns) {
    isa_disasm(net->cfg, &prog->insns[prog->n_insns - 1], buf, sizeof buf);
    fprintf(f, "%s\n", buf);
  }
}

/* The back end's pipeline: reserve the arena; for each layer a barrier then its scheduler
 * (tiling by the cost model, constants into the image); FINISH; verify the token protocol;
 * predict per-layer cycles; encode; optionally dump. */
int cg_net_build(cg_net *net, const cg_opts *opts, isa_prog *prog) {
  cg_opts o;
  if (opts) o = *opts;
  else cg_opts_default(&o);
  memset(prog, 0, sizeof *prog);
  if (o.only_layer >= net->nl) return net_fail(net, CG_E_ARG, "only_layer %d: no such layer", o.only_layer);
  int first = o.only_layer >= 0 ? o.only_layer : 0;
  int last = o.only_layer >= 0 ? o.only_layer : net->nl - 1;
  cg_gen g;
  cg_gen_init(&g, net->cfg, o.plan_only);
  if (cg_reserve(&g, net->arena ? net->arena : 1) != 0 || g.status) goto fail;
  int last_store = -1;
  for (int i = first; i <= last && g.status == CG_OK; i++) {
    cg_layer *L = &net->l[i];
    uint32_t start = (uint32_t)g.prog.n;
    int relay_at = -1;
    if (i > first && last_store >= 0) {
      /* barrier: the previous layer's last STORE hands a token to compute, which relays it to
       * the load unit when this layer loads on it (convs always; pools and muls may: the
       * relay's push is withdrawn below when the layer did not take it) */
      cg_tok(&g.prog.v[last_store], 0, 0, 1, 0);
      isa_insn relay = cg_i_gemm(&g, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0);
      int uses_load = L->kind == CG_LAYER_CONV || L->kind == CG_LAYER_POOL || L->kind == CG_LAYER_MUL;
      cg_tok(&relay, 0, 1, uses_load, 0);
      relay_at = g.prog.n;
      if (cg_push(&g, &g.prog, &relay)) break;
      g.barrier_c2l = uses_load;
    }
    switch (L->kind) {
    case CG_LAYER_CONV: cg_conv_layer(&g, net, L, o.no_latency_hiding, o.exhaustive, &L->info); break;
    case CG_LAYER_POOL: cg_pool_layer(&g, net, L, o.no_latency_hiding, &L->info); break;
    case CG_LAYER_LUT: cg_lut_layer(&g, net, L, o.no_latency_hiding, &L->info); break;
    case CG_LAYER_MUL: cg_mul_layer(&g, net, L, o.no_latency_hiding, &L->info); break;
    default: cg_add_layer(&g, net, L, o.no_latency_hiding, &L->info); break;
    }
    if (g.status) {
      char m[sizeof g.msg];
      memcpy(m, g.msg, sizeof m);
      snprintf(g.msg, sizeof g.msg, "layer %d (%.150s): %.300s", i, L->info.desc, m);
      break;
    }
    if (g.barrier_c2l && (L->kind == CG_LAYER_POOL || L->kind == CG_LAYER_MUL) && relay_at >= 0) { /* no LOAD on the load unit */
      g.prog.v[relay_at].f[ISA_F_push_prev] = 0;
      g.barrier_c2l = 0;
    }
    if (g.barrier_c2l) {
      cg_fail(&g, CG_E_INTERNAL, "layer %d: the barrier token was not consumed", i);
      break;
    }
    L->info.first_insn = start;
    L->info.n_insns = (uint32_t)g.prog.n - start;
    last_store = -1;
    for (int k = g.prog.n - 1; k >= (int)start; k--)
      if (g.prog.v[k].f[ISA_F_opcode] == ISA_OP_STORE) {
        last_store = k;
        break;
      }
  }
  if (g.status) goto fail;
  isa_insn fin = cg_i_finish();
  if (cg_push(&g, &g.prog, &fin)) goto fail;
  if (cg_verify_tokens(&g, g.prog.v, (uint32_t)g.prog.n)) goto fail; /* verifier */
  double *ends = malloc((size_t)g.prog.n * sizeof *ends);
  if (!ends) {
    cg_fail(&g, CG_E_NOMEM, "out of memory");
    goto fail;
  }
  double total = cg_time_prog(net->cfg, g.prog.v, (uint32_t)g.prog.n, ends);
  if (total < 0) {
    free(ends);
    cg_fail(&g, CG_E_INTERNAL, "token order: a pop precedes its push (the program would deadlock)");
    goto fail;
  }
  double prev = 0;
  for (int i = first; i <= last; i++) {
    cg_layer_info *in = &net->l[i].info;
    uint32_t e = in->first_insn + in->n_insns;
    double t = i == last ? total : (e ? ends[e - 1] : 0);
    in->predicted_cycles = (uint64_t)(t - prev + 0.5);
    prev = t;
  }
  free(ends);
  if (o.plan_only) { /* the plan and its prediction only: no image, no program */
    cg_gen_free(&g);
    return CG_OK;
  }
  if (cg_finish(&g, prog)) goto fail;
  if (o.dump) dump_prog(net, first, last, prog, o.dump);
  cg_gen_free(&g);
  return CG_OK;
fail:;
  int rc = g.status ? g.status : CG_E_INTERNAL;
  net_fail(net, rc, "%s", g.msg);
  cg_gen_free(&g);
  return rc;
}

/* ---- packing: the model layer's layout (model/layout.c) on a tensor of the net ------------- */
static cc_mtensor layout_of(const cg_net *net, int t) {
  const cg_tensor *T = cg_tens(net, t);
  const cg_conv *g = &T->geo;
  cc_mtensor m = {.c = T->lc, .h = T->lh, .w = T->lw, .im2col = T->im2col, .offset = T->off, .bytes = T->bytes,
                  .geo = {g->kh, g->kw, g->sh, g->sw, g->dh, g->dw, g->pad_t, g->pad_l, g->pad_b, g->pad_r, g->x_zp}};
  return m;
}

int cg_pack(const cg_net *net, int t, const int8_t *chw, uint8_t *image) {
  if (bad_t(net, t) || t >= CG_VIEW0) return CG_E_ARG;
  cc_mtensor m = layout_of(net, t);
  return cc_layout_pack(&m, net->B, chw, image) == 0 ? CG_OK : CG_E_ARG;
}

int cg_unpack(const cg_net *net, int t, const uint8_t *image, int8_t *chw) {
  if (bad_t(net, t) || t >= CG_VIEW0) return CG_E_ARG;
  cc_mtensor m = layout_of(net, t);
  return cc_layout_unpack(&m, net->B, image, chw) == 0 ? CG_OK : CG_E_ARG;
}
