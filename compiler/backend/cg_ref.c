/* compiler/backend/cg_ref.c -- plain-C int8 reference of every layer kind of cg.h, written as
 * straight loops from the definitions in cg.h on plain CHW tensors, sharing no code with the
 * code generator (only cg_req, the ISA's REQ formula, which is restated here on purpose). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "cg.h"

/* The REQ of ISA.md: 64-bit product, round half up by adding 2^(shift-1), arithmetic shift. */
static int64_t ref_req(int32_t a, int32_t mult, int shift) {
  int64_t p = (int64_t)a * (int64_t)mult;
  if (shift > 0) p = (p + ((int64_t)1 << (shift - 1))) >> shift;
  return p;
}

static int32_t sat32(int64_t v) {
  return v > INT32_MAX ? INT32_MAX : v < INT32_MIN ? INT32_MIN : (int32_t)v;
}

/* REQ with ties to even (cg.h avgpool half_even), step by step as the ALU passes compute it
 * (int32 lanes that wrap; SHR by 1 rounds: (a + 1) >> 1): floor(r_up / 2) + ceil(r_dn / 2). */
static int32_t req_half_even(int32_t s, int32_t mult, int shift) {
  int32_t a = sat32(ref_req(s, mult, shift));                      /* r_up */
  int32_t t = sat32(ref_req((int32_t)(0u - (uint32_t)s), mult, shift)); /* -r_dn */
  a = (int32_t)(((int64_t)(int32_t)((uint32_t)a - 1u) + 1) >> 1);     /* floor(r_up / 2) */
  t = (int32_t)(((int64_t)(int32_t)((uint32_t)t - 1u) + 1) >> 1);     /* floor(-r_dn / 2) */
  return (int32_t)((uint32_t)a - (uint32_t)t);
}

static int32_t clampi(int64_t v, int lo, int hi) {
  return (int32_t)(v < lo ? lo : v > hi ? hi : v);
}

int cg_out_dim(int in, int k, int s, int d, int pad0, int pad1) { return cc_out_dim(in, k, s, d, pad0, pad1); }

/* The input elements inside output o's window along one axis (cg_pool_excl's r(o)). */
static int excl_inside(int k, int s, int pad_b, int in, int o) {
  int a = o * s - pad_b, b = a + k;
  return (b < in ? b : in) - (a > 0 ? a : 0);
}

int cg_pool_excl(int k, int s, int pad_b, int in, int out, int *L, int *f) {
  int64_t l = 1;
  for (int o = 0; o < out; o++) {
    int r = excl_inside(k, s, pad_b, in, o);
    if (r < 1) return -1;
    int64_t x = l, y = r; /* l = lcm(l, r) */
    while (y) {
      int64_t t = x % y;
      x = y, y = t;
    }
    l = l / x * r;
    if (l > CG_EXCL_MAX_L) return -1;
  }
  for (int o = 0; f && o < out; o++) f[o] = (int)(l / excl_inside(k, s, pad_b, in, o));
  *L = (int)l;
  return 0;
}

void cg_ref_conv(const cg_conv *p, int cin, int h, int w, int cout, const int8_t *in,
                 const int8_t *res, int8_t *out) {
  int oh = cg_out_dim(h, p->kh, p->sh, p->dh, p->pad_t, p->pad_b);
  int ow = cg_out_dim(w, p->kw, p->sw, p->dw, p->pad_l, p->pad_r);
  cg_ref_conv_res(p, cin, h, w, cout, in, res, cout, oh, ow, out);
}

void cg_ref_conv_res(const cg_conv *p, int cin, int h, int w, int cout, const int8_t *in,
                     const int8_t *res, int cres, int rh, int rw, int8_t *out) {
  int oh = cg_out_dim(h, p->kh, p->sh, p->dh, p->pad_t, p->pad_b);
  int ow = cg_out_dim(w, p->kw, p->sw, p->dw, p->pad_l, p->pad_r);
  int g = p->groups;
  int cin_g = cin / g, cout_g = cout / g;
  for (int co = 0; co < cout; co++) {
    int grp = co / cout_g;
    for (int y = 0; y < oh; y++)
      for (int x = 0; x < ow; x++) {
        int32_t acc = p->bias ? p->bias[co] : 0;
        for (int cl = 0; cl < cin_g; cl++) {
          int ci = grp * cin_g + cl;
          for (int ky = 0; ky < p->kh; ky++) {
            int iy = y * p->sh - p->pad_t + ky * p->dh;
            if (iy < 0 || iy >= h) continue;
            for (int kx = 0; kx < p->kw; kx++) {
              int ix = x * p->sw - p->pad_l + kx * p->dw;
              if (ix < 0 || ix >= w) continue;
              int8_t wv = p->weight[((co * cin_g + cl) * p->kh + ky) * p->kw + kx];
              acc = (int32_t)((uint32_t)acc +
                              (uint32_t)((int32_t)wv * (in[(ci * h + iy) * w + ix] - p->x_zp)));
            }
          }
        }
        int gres = p->res >= 0 && res && (p->res_d || p->res_w);
        if (gres || (p->bias_f && p->res < 0)) {
          /* the fraction epilogue: f extra fraction bits, the residual through the GEMM core
           * and bias_f added, then round(u / 2^f); the residual tensor is cres x rh x rw, read
           * at (y*s, x*s) */
          int f = p->res_fc ? p->res_fc[co] : p->res_f, s = p->res_s > 1 ? p->res_s : 1;
          int32_t t = sat32(ref_req(acc, p->mult[co], p->shift[co] - f));
          uint32_t r = p->bias_f ? (uint32_t)p->bias_f[co] : 0;
          for (int ci = 0; gres && ci < cres; ci++) {
            int wv = p->res_w ? p->res_w[co * cres + ci] : ci == co ? p->res_d : 0;
            r += (uint32_t)(wv * (res[((size_t)ci * rh + (size_t)y * s) * rw + (size_t)x * s] - p->res_zp));
          }
          uint32_t u = (uint32_t)t + r + ((uint32_t)p->y_zp << f);
          int32_t q = clampi(sat32(ref_req((int32_t)u, 1 << 14, 14 + f)), p->lo, p->hi);
          out[(co * oh + y) * ow + x] = p->lut ? p->lut[q + 128] : (int8_t)q;
          continue;
        }
        int32_t v = sat32(ref_req(acc, p->mult[co], p->shift[co]));
        if (p->res >= 0 && res) {
          int32_t r = sat32(ref_req(res[(co * oh + y) * ow + x] - p->res_zp, p->res_mult, p->res_shift));
          v = (int32_t)((uint32_t)v + (uint32_t)r);
        }
        v = (int32_t)((uint32_t)v + (uint32_t)p->y_zp);
        int32_t q = clampi(v, p->lo, p->hi);
        out[(co * oh + y) * ow + x] = p->lut ? p->lut[q + 128] : (int8_t)q;
      }
  }
}

/* The bilinear layer (cg.h): N exact in int64, then N / 2^s rounded to even by rint. */
static void ref_bil(const cg_pool *p, int c, int h, int w, const int8_t *in, int8_t *out) {
  int oh = h * p->sh, ow = w * p->sw, ly, lx;
  int *iy = malloc(((size_t)oh + ow) * 2 * sizeof *iy);
  if (!iy) return;
  int *wy = iy + oh, *ix = wy + oh, *wx = ix + ow;
  if (cg_bil_axis(p->ct, p->sh, h, &ly, iy, wy) || cg_bil_axis(p->ct, p->sw, w, &lx, ix, wx)) {
    free(iy);
    return;
  }
  for (int ch = 0; ch < c; ch++)
    for (int y = 0; y < oh; y++)
      for (int x = 0; x < ow; x++) {
        int64_t n = 0;
        for (int j = 0; j < 2; j++)
          for (int k = 0; k < 2; k++) {
            int64_t a = j ? wy[y] : (1 << ly) - wy[y], b = k ? wx[x] : (1 << lx) - wx[x];
            if (a && b) n += a * b * in[((size_t)ch * h + iy[y] + j) * w + ix[x] + k];
          }
        out[((size_t)ch * oh + y) * ow + x] = (int8_t)rint(ldexp((double)n, -(ly + lx)));
      }
  free(iy);
}

void cg_ref_pool(const cg_pool *p, int c, int h, int w, const int8_t *in, int8_t *out) {
  if (p->kind == CG_POOL_BIL) {
    ref_bil(p, c, h, w, in, out);
    return;
  }
  if (p->kind == CG_POOL_D2S) {
    for (int ch = 0; ch < p->oc; ch++)
      for (int y = 0; y < p->oh; y++)
        for (int x = 0; x < p->ow; x++) {
          int src = ((y % p->sh) * p->sw + x % p->sw) * p->gc + ch;
          out[(ch * p->oh + y) * p->ow + x] = src < c ? in[(src * h + y / p->sh) * w + x / p->sw] : 0;
        }
    return;
  }
  if (p->kind == CG_POOL_UP) {
    int oh = h * p->sh, ow = w * p->sw;
    for (int ch = 0; ch < c; ch++)
      for (int y = 0; y < oh; y++)
        for (int x = 0; x < ow; x++) out[(ch * oh + y) * ow + x] = in[(ch * h + y / p->sh) * w + x / p->sw];
    return;
  }
  int oh = cg_out_dim(h, p->kh, p->sh, 1, p->pad_t, p->pad_b);
  int ow = cg_out_dim(w, p->kw, p->sw, 1, p->pad_l, p->pad_r);
  /* padding left out of the average: each sum times Ly / rows and Lx / columns inside
   * (cg_pool_excl; cg_net_add_pool refuses a layer without them) */
  int excl = p->kind == CG_POOL_AVG && p->excl_pad, ly = 1, lx = 1;
  if (excl && (cg_pool_excl(p->kh, p->sh, p->pad_t, h, oh, &ly, NULL) || cg_pool_excl(p->kw, p->sw, p->pad_l, w, ow, &lx, NULL)))
    excl = 0;
  for (int ch = 0; ch < c; ch++)
    for (int y = 0; y < oh; y++)
      for (int x = 0; x < ow; x++) {
        int32_t mx = INT32_MIN, sum = 0;
        for (int ky = 0; ky < p->kh; ky++)
          for (int kx = 0; kx < p->kw; kx++) {
            int iy = y * p->sh - p->pad_t + ky, ix = x * p->sw - p->pad_l + kx;
            int inside = iy >= 0 && iy < h && ix >= 0 && ix < w;
            int32_t v = inside ? in[(ch * h + iy) * w + ix] : -128;
            if (v > mx) mx = v;
            if (inside) sum += v - p->x_zp; /* a pad element is x_zp: it adds 0 */
          }
        int32_t r = mx;
        if (excl)
          sum *= ly / excl_inside(p->kh, p->sh, p->pad_t, h, y) * (lx / excl_inside(p->kw, p->sw, p->pad_l, w, x));
        if (p->kind == CG_POOL_AVG) {
          int32_t v = p->half_even ? req_half_even(sum, p->mult, p->shift) : sat32(ref_req(sum, p->mult, p->shift));
          r = clampi((int32_t)((uint32_t)v + (uint32_t)p->y_zp), p->lo, p->hi);
        }
        out[(ch * oh + y) * ow + x] = (int8_t)r;
      }
}

int cg_add_frac(const cg_add *p) {
  int f = 16; /* each term's 2^-17 rounding leaves the sum's onnxruntime-exact (8 bits: 0.09 % off) */
  if (p->a_shift < f) f = p->a_shift;
  if (p->b_shift < f) f = p->b_shift;
  return f;
}

void cg_ref_add(const cg_add *p, int n, const int8_t *a, const int8_t *b, int8_t *out) {
  for (int i = 0; i < n; i++) {
    int f = cg_add_frac(p);
    int32_t va = sat32(ref_req(a[i] - p->a_zp, p->a_mult, p->a_shift - f));
    int32_t vb = sat32(ref_req(b[i] - p->b_zp, p->b_mult, p->b_shift - f));
    int64_t s = p->op == CG_ADD_MAX ? (va > vb ? va : vb) : p->op == CG_ADD_MIN ? (va < vb ? va : vb)
                                                                               : (int64_t)(int32_t)((uint32_t)va + (uint32_t)vb);
    if (f > 0) s = (s + ((int64_t)1 << (f - 1))) >> f;
    uint32_t v = (uint32_t)(int32_t)s + (uint32_t)p->y_zp;
    out[i] = (int8_t)clampi((int32_t)v, p->lo, p->hi);
  }
}

void cg_ref_lut(const cg_lut *p, int n, const int8_t *in, int8_t *out) {
  for (int i = 0; i < n; i++) out[i] = p->table[in[i] + 128];
}

void cg_ref_mul(const cg_mul *p, int c, int h, int w, int per_channel, const int8_t *a, const int8_t *b, int8_t *out) {
  for (int ch = 0; ch < c; ch++)
    for (int i = 0; i < h * w; i++) {
      int k = ch * h * w + i;
      int32_t prod = (a[k] - p->a_zp) * ((per_channel ? b[ch] : b[k]) - p->b_zp) * (1 << p->frac) + p->bias;
      int32_t v = sat32(ref_req(prod, p->mult, p->shift));
      out[k] = (int8_t)clampi((int32_t)((uint32_t)v + (uint32_t)p->y_zp), p->lo, p->hi);
    }
}
