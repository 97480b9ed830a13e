/* tests/test_cg.c -- the compiler back end against its plain-C int8 reference on fsim: random
 * conv (kernels 1/3/5/7, strides 1/2, padding, dilation, depthwise, residual, channels not a
 * multiple of BLOCK, odd sizes), fully connected, max/avg/global-avg pooling and elementwise
 * add layers, mostly on the tiny config (small buffers: many tiles and edge tiles) and a few on
 * pynq (a couple on ultra96), zero points, host-packed im2col inputs; multi-layer networks
 * (barriers between layers); the serialized schedule; latency hiding beating it; error paths.
 * Every output byte is compared with the reference, and every program is rerun on fsim under
 * skewed timing constants: a race-free program gives the same bytes (a race check). One line per
 * directed layer reports fsim cycles, the cost model's prediction and GEMM utilization.
 * Usage: test_cg [seed] [n_random]. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cg.h"
#include "dlvta_drv.h"
#include "fsim.h"
#include "testutil.h"

static uint64_t rng = 88172645463325252ull;
static uint32_t rnd(void) {
  return (uint32_t)(tu_xorshift64(&rng) >> 11);
}
static int cg_imax(int a, int b) { return a > b ? a : b; }
static int cg_imin(int a, int b) { return a < b ? a : b; }
static int rr(int lo, int hi) { return lo + (int)(rnd() % (uint32_t)(hi - lo + 1)); }
static void fill8(int8_t *p, size_t n, int lo, int hi) {
  for (size_t i = 0; i < n; i++) p[i] = (int8_t)rr(lo, hi);
}

/* A requant that maps the typical spread of a sum of n products into int8. */
static void pick_req(int n, int32_t *m, int *sh) {
  double scale = 1.0 / (sqrt((double)n) * 110.0) * (0.5 + (rnd() % 1000) / 1000.0);
  int rc = cg_quant_multiplier(scale, m, sh);
  if (rc) {
    *m = 16384;
    *sh = 20;
  }
}

static int race_checks = 1; /* rerun every program under skewed timings */
static int n_dwgemm;        /* convs run so far that used DWGEMM */
static int dw_require;      /* run_conv: DWGEMM must run wherever it applies (else: only there,
                             * the tiling's cost model may prefer the block-diagonal GEMM) */

typedef struct devs {
  drv_dev *tiny, *pynq, *ultra96, *bo8;
} devs;

static drv_dev *dev_for(devs *d, const isa_config *cfg) {
  if (cfg == isa_config_find("tiny")) return d->tiny;
  if (d->bo8 && cfg == isa_config_find("tiny_bo8")) return d->bo8;
  return cfg == isa_config_find("ultra96") ? d->ultra96 : d->pynq;
}

/* Race check: a race-free program gives the same image under any timing. Rerun prog (with its
 * inputs packed in in_img) on fsim under skewed timing constants and compare with want_img. */
static void race_check(const isa_prog *prog, const uint8_t *in_img, const uint8_t *want_img,
                       const char *what) {
  static const unsigned v[][6] = {
      /* rd_latency wr_latency bytes_per_beat gemm_fill alu_fill insn_overhead */
      {1, 1, 64, 0, 0, 0}, {400, 5, 1, 0, 90, 1}, {2, 300, 2, 150, 0, 7}, {90, 90, 8, 3, 200, 40},
  };
  uint8_t *img = malloc(prog->image_bytes);
  for (size_t k = 0; k < sizeof v / sizeof v[0]; k++) {
    fsim *s = fsim_create(prog->cfg);
    fsim_timing t;
    fsim_timing_default(prog->cfg, &t);
    t.rd_latency = v[k][0];
    t.wr_latency = v[k][1];
    t.bytes_per_beat = v[k][2];
    t.gemm_fill = v[k][3];
    t.alu_fill = v[k][4];
    t.insn_overhead = v[k][5];
    fsim_set_timing(s, &t);
    memcpy(img, in_img, prog->image_bytes);
    drv_counters c;
    drv_error e;
    int rc = fsim_run_prog(s, prog, img, &c, &e);
    CHECK(rc == DRV_OK, "%s: timing variant %zu: %s", what, k, e.message);
    size_t diff = 0;
    for (uint64_t i = 0; rc == DRV_OK && i < prog->image_bytes; i++) diff += img[i] != want_img[i];
    CHECK(rc != DRV_OK || diff == 0, "%s: timing variant %zu changes %zu bytes (a race)", what, k, diff);
    fsim_destroy(s);
  }
  free(img);
}

/* Build and run; fills out_img with the final image. Returns 0 on success. */
static int build_run(drv_dev *dev, cg_net *net, const cg_opts *o, isa_prog *prog,
                     void (*fill)(cg_net *, uint8_t *, void *), void *arg, uint8_t **out_img,
                     drv_counters *ctr) {
  int rc = cg_net_build(net, o, prog);
  CHECK(rc == CG_OK, "build: %d %s", rc, cg_net_error(net));
  if (rc) return -1;
  fill(net, prog->image, arg);
  *out_img = malloc(prog->image_bytes);
  rc = drv_run_prog(dev, prog, *out_img, 0);
  const drv_error *e = drv_last_error(dev);
  CHECK(rc == DRV_OK, "run: %s: %s", drv_strerror(rc), e ? e->message : "");
  if (rc) return -1;
  drv_counters_read(dev, ctr);
  if (race_checks) race_check(prog, prog->image, *out_img, "program");
  return 0;
}

static void report(const char *cfgname, const char *what, const cg_net *net, int layer,
                   const drv_counters *c) {
  cg_layer_info li;
  cg_net_layer_info(net, layer, &li);
  const isa_config *cfg = cg_net_config(net);
  double util = c->cycles ? (double)c->macs / ((double)c->cycles * cfg->d.block_in * cfg->d.block_out) : 0;
  printf("%-5s %-44s fsim %8llu pred %8llu util %5.1f%%  %s\n", cfgname, what,
         (unsigned long long)c->cycles, (unsigned long long)li.predicted_cycles, 100 * util,
         li.tiling);
}

/* ---- conv ------------------------------------------------------------------------------- */
typedef struct conv_case {
  int cin, cout, h, w;
  cg_conv p;
  int8_t *in, *res, *wt;
  int32_t *bias;
  int32_t *mult;
  uint8_t *shift;
  int t_in, t_res, t_out;
  int im2col; /* pack the input host-side as im2col */
  int cres, rh, rw; /* GEMM residual with dense p.res_w: the residual tensor's shape (0: out's) */
  uint8_t *rfc;     /* the fraction epilogue (p.bias_f): f per channel */
  int32_t *bf;
} conv_case;

/* A depthwise conv (one channel per group, not im2col) on DWGEMM (cg_conv.c dw_phases, ISA.md):
 * its kernel columns' offsets kx*dw in the phases of the horizontal stride, each phase's window
 * at most dw_taps, fewer phases than columns. 1 if it applies, with *cols the iterations of a
 * kernel row's DWGEMMs over an output row of ow columns in n_tx tiles (each phase: ow plus its
 * taps - 1 per tile); 0 if not. */
static int dw_applies(const isa_config *cfg, const conv_case *k, int ow, int n_tx, uint64_t *cols) {
  const cg_conv *p = &k->p;
  if (p->groups < 2 || p->groups != k->cin || k->cin != k->cout || k->im2col) return 0;
  int nph = 0;
  *cols = 0;
  for (int ph = 0; ph < p->sw; ph++) {
    int top = -1;
    for (int kx = 0; kx < p->kw; kx++)
      if (kx * p->dw % p->sw == ph) top = kx * p->dw;
    if (top < 0) continue;
    int T = (top - ph) / p->sw + 1;
    if (T > (int)cfg->d.block_in / 2) return 0;
    nph++;
    *cols += (uint64_t)ow + (uint64_t)n_tx * (T - 1);
  }
  return nph < p->kw;
}

static void conv_fill(cg_net *net, uint8_t *img, void *arg) {
  conv_case *k = arg;
  cg_pack(net, k->t_in, k->in, img);
  if (k->t_res >= 0) cg_pack(net, k->t_res, k->res, img);
}

static uint64_t run_conv(devs *D, const char *cfgname, conv_case *k, int no_lh, int quiet) {
  const isa_config *cfg = isa_config_find(cfgname);
  cg_net *net = cg_net_new(cfg);
  int oh = cg_out_dim(k->h, k->p.kh, k->p.sh, k->p.dh, k->p.pad_t, k->p.pad_b);
  int ow = cg_out_dim(k->w, k->p.kw, k->p.sw, k->p.dw, k->p.pad_l, k->p.pad_r);
  k->t_in = k->im2col ? cg_net_tensor_im2col(net, k->cin, k->h, k->w, &k->p)
                      : cg_net_tensor(net, k->cin, k->h, k->w);
  k->t_res = k->p.res >= 0 ? k->cres ? cg_net_tensor(net, k->cres, k->rh, k->rw) : cg_net_tensor(net, k->cout, oh, ow) : -1;
  k->t_out = cg_net_tensor(net, k->cout, oh, ow);
  cg_conv p = k->p;
  p.in = k->t_in;
  p.out = k->t_out;
  p.res = k->t_res;
  int li = cg_net_add_conv(net, &p);
  char what[200];
  snprintf(what, sizeof what, "%s%s%s", "", "", "");
  cg_layer_info inf;
  uint64_t cycles = 0;
  CHECK(li == 0, "add_conv: %s", cg_net_error(net));
  if (li == 0) {
    cg_opts o;
    cg_opts_default(&o);
    o.no_latency_hiding = no_lh;
    isa_prog prog;
    uint8_t *img = NULL;
    drv_counters ctr;
    if (!build_run(dev_for(D, cfg), net, &o, &prog, conv_fill, k, &img, &ctr)) {
      size_t n = (size_t)k->cout * oh * ow;
      int8_t *got = malloc(n), *want = malloc(n);
      cg_unpack(net, k->t_out, img, got);
      if (k->cres) cg_ref_conv_res(&p, k->cin, k->h, k->w, k->cout, k->in, k->res, k->cres, k->rh, k->rw, want);
      else cg_ref_conv(&p, k->cin, k->h, k->w, k->cout, k->in, k->res, want);
      size_t bad = 0, first = 0;
      for (size_t i = 0; i < n; i++)
        if (got[i] != want[i] && !bad++) first = i;
      cg_net_layer_info(net, 0, &inf);
      CHECK(bad == 0, "%s %s: %zu of %zu bytes differ; first [c%zu y%zu x%zu] expected %d got %d",
            cfgname, inf.desc, bad, n, first / ((size_t)oh * ow), first / ow % oh, first % ow,
            want[first], got[first]);
      /* the input channels in blocks of block_out (the tensor layout), each block_out / block_in
       * GEMM slices of block_in */
      uint32_t lb = cfg->d.block_out;
      int tw = ow, th = 0; /* the tiling's tile width: DWGEMM fills its window once per tile row */
      sscanf(inf.tiling, "tile %dx%d", &th, &tw);
      uint64_t dcols = 0;
      int dwok = dw_applies(cfg, k, ow, (ow + tw - 1) / tw, &dcols), dwg = ctr.insns[ISA_OP_DWGEMM] > 0;
      n_dwgemm += dwg;
      CHECK(dwok ? dwg || !dw_require : !dwg, "%s %s: %llu DWGEMMs, expected %s", cfgname, inf.desc,
            (unsigned long long)ctr.insns[ISA_OP_DWGEMM], dwok ? "some" : "none");
      CHECK(dwg == (strstr(inf.tiling, "DWGEMM") != NULL), "%s %s: tiling '%s' with %llu DWGEMMs", cfgname, inf.desc,
            inf.tiling, (unsigned long long)ctr.insns[ISA_OP_DWGEMM]);
      uint64_t expect_macs = (uint64_t)oh * ow * ((k->cout + lb - 1) / lb) *
                             (p.groups > 1 ? (uint32_t)(k->cin / p.groups > (int)lb ? k->cin / p.groups / (int)lb : 1)
                              : k->im2col ? (k->cin * p.kh * p.kw + lb - 1) / lb
                                          : (k->cin + lb - 1) / lb) *
                             (k->im2col ? 1 : p.kh * p.kw) * lb * cfg->d.block_out;
      if (dwg) /* per block, kernel row and block_in slice: the phases' columns, warm-up included */
        expect_macs = (uint64_t)oh * dcols * ((k->cout + lb - 1) / lb) * p.kh * (lb / cfg->d.block_in) *
                      cfg->d.block_in * cfg->d.block_out;
      if (p.res >= 0 && (p.res_d || p.res_w)) { /* the GEMM residual: its non-zero blocks */
        int bo = (int)cfg->d.block_out, cr = k->cres ? k->cres : k->cout, nz = 0;
        for (int a = 0; a < (k->cout + bo - 1) / bo; a++)
          for (int b = 0; b < (cr + bo - 1) / bo; b++) {
            int any = 0;
            for (int oc = a * bo; oc < (a + 1) * bo && oc < k->cout; oc++)
              for (int ci = b * bo; ci < (b + 1) * bo && ci < cr; ci++)
                any |= p.res_w ? p.res_w[oc * cr + ci] != 0 : ci == oc;
            nz += any;
          }
        expect_macs += (uint64_t)oh * ow * nz * lb * cfg->d.block_out;
      }
      CHECK(ctr.macs == expect_macs, "%s: fsim counted %llu MACs, the schedule should do %llu",
            inf.desc, (unsigned long long)ctr.macs, (unsigned long long)expect_macs);
      if (!quiet) {
        snprintf(what, sizeof what, "%s%s", inf.desc, no_lh ? " (serial)" : "");
        report(cfgname, what, net, 0, &ctr);
      }
      cycles = ctr.cycles;
      free(got);
      free(want);
    }
    free(img);
    isa_prog_free(&prog);
  }
  cg_net_free(net);
  return cycles;
}

static int zp_mode; /* conv_random draws zero points too */

static void conv_frac(conv_case *k);

static void conv_random(conv_case *k, int cin, int cout, int h, int w, int kk, int s, int pad,
                        int dil, int dw, int res) {
  memset(k, 0, sizeof *k);
  if (dw) cout = cin;
  k->cin = cin;
  k->cout = cout;
  k->h = h;
  k->w = w;
  cg_conv *p = &k->p;
  p->kh = p->kw = kk;
  p->sh = p->sw = s;
  p->dh = p->dw = dil;
  p->pad_t = p->pad_l = pad;
  p->pad_b = p->pad_r = pad;
  p->groups = dw ? cin : 1;
  p->res = res ? 0 : -1;
  int cin_g = dw ? 1 : cin;
  size_t nw = (size_t)cout * cin_g * kk * kk;
  k->in = malloc((size_t)cin * h * w);
  k->wt = malloc(nw);
  k->bias = malloc((size_t)cout * 4);
  k->mult = malloc((size_t)cout * sizeof *k->mult);
  k->shift = malloc((size_t)cout);
  fill8(k->in, (size_t)cin * h * w, -128, 127);
  fill8(k->wt, nw, -128, 127);
  for (int o = 0; o < cout; o++) {
    int m, shv;
    int32_t mm;
    pick_req(cin_g * kk * kk, &mm, &shv);
    m = mm;
    k->mult[o] = m;
    k->shift[o] = (uint8_t)shv;
    k->bias[o] = (int32_t)rr(-20000, 20000);
  }
  p->weight = k->wt;
  p->bias = k->bias;
  p->mult = k->mult;
  p->shift = k->shift;
  p->lo = rr(0, 1) ? -128 : 0;
  p->hi = rr(0, 3) ? 127 : 96;
  if (zp_mode && rr(0, 2) == 0) { /* asymmetric tensors */
    p->x_zp = rr(-128, 127);
    p->y_zp = rr(-40, 40);
    p->res_zp = rr(-128, 127);
    p->lo = rr(0, 1) ? -128 : p->y_zp;
    if (rr(0, 3) == 0) /* small shifts: the zero point cannot fold into REQ's bounds */
      for (int o = 0; o < cout; o++) k->shift[o] = (uint8_t)rr(6, 15);
  }
  if (res) {
    int oh = cg_out_dim(h, kk, s, dil, pad, pad), ow = cg_out_dim(w, kk, s, dil, pad, pad);
    k->res = malloc((size_t)cout * oh * ow);
    fill8(k->res, (size_t)cout * oh * ow, -128, 127);
    int shv;
    cg_quant_multiplier(0.3 + (rnd() % 100) / 100.0, &p->res_mult, &shv);
    p->res_shift = shv;
    if (rr(0, 1)) { /* the residual through the GEMM core (cg.h), half of the time */
      int minsh = 63;
      for (int o = 0; o < cout; o++) minsh = k->shift[o] < minsh ? k->shift[o] : minsh;
      p->res_f = rr(0, minsh < 12 ? minsh : 12);
      p->res_d = rr(1, 127) * (rr(0, 3) ? 1 : -1);
    }
  }
  if ((!res && rr(0, 2) == 0) || (p->res_d && rr(0, 3) == 0)) conv_frac(k);
}

/* The fraction epilogue (cg.h bias_f): f per channel (the GEMM residual's res_f with one), a
 * bias at 2^-f of the output scale. */
static void conv_frac(conv_case *k) {
  cg_conv *p = &k->p;
  k->rfc = malloc((size_t)k->cout);
  k->bf = malloc((size_t)k->cout * 4);
  for (int o = 0; o < k->cout; o++) {
    k->rfc[o] = (uint8_t)(p->res_d ? p->res_f : rr(0, k->shift[o] < 16 ? k->shift[o] : 16));
    k->bf[o] = rr(-(1 << 20), 1 << 20);
  }
  p->res_fc = k->rfc, p->bias_f = k->bf;
}

static void conv_free(conv_case *k) {
  free(k->in);
  free(k->res);
  free(k->wt);
  free(k->bias);
  free(k->mult);
  free(k->shift);
  free(k->rfc);
  free(k->bf);
}

/* ---- pool and add --------------------------------------------------------------------- */
typedef struct pa_case {
  int t_in, t_b;
  const int8_t *in, *b;
} pa_case;

static void pa_fill(cg_net *net, uint8_t *img, void *arg) {
  pa_case *k = arg;
  cg_pack(net, k->t_in, k->in, img);
  if (k->t_b >= 0) cg_pack(net, k->t_b, k->b, img);
}

static int quiet_pa;

/* The tiling a directed pool or mul must report (a part of its info->tiling), or NULL. */
static const char *want_tiling;

static void run_pool(devs *D, const char *cfgname, int c, int h, int w, cg_pool p) {
  const isa_config *cfg = isa_config_find(cfgname);
  cg_net *net = cg_net_new(cfg);
  int oh = cg_out_dim(h, p.kh, p.sh, 1, p.pad_t, p.pad_b), ow = cg_out_dim(w, p.kw, p.sw, 1, p.pad_l, p.pad_r);
  int oc = c;
  if (p.kind == CG_POOL_UP || p.kind == CG_POOL_BIL) oh = h * p.sh, ow = w * p.sw;
  if (p.kind == CG_POOL_D2S) oc = p.oc, oh = p.oh, ow = p.ow;
  int8_t *in = malloc((size_t)c * h * w), *got = malloc((size_t)oc * oh * ow),
         *want = malloc((size_t)oc * oh * ow);
  fill8(in, (size_t)c * h * w, -128, 127);
  p.in = cg_net_tensor(net, c, h, w);
  p.out = cg_net_tensor(net, oc, oh, ow);
  int li = cg_net_add_pool(net, &p);
  CHECK(li == 0, "add_pool: %s", cg_net_error(net));
  pa_case k = {p.in, -1, in, NULL};
  isa_prog prog;
  uint8_t *img = NULL;
  drv_counters ctr;
  cg_opts o;
  cg_opts_default(&o);
  if (li == 0 && !build_run(dev_for(D, cfg), net, &o, &prog, pa_fill, &k, &img, &ctr)) {
    cg_unpack(net, p.out, img, got);
    cg_ref_pool(&p, c, h, w, in, want);
    size_t n = (size_t)oc * oh * ow, bad = 0, first = 0;
    for (size_t i = 0; i < n; i++)
      if (got[i] != want[i] && !bad++) first = i;
    cg_layer_info inf;
    cg_net_layer_info(net, 0, &inf);
    CHECK(bad == 0, "%s %s pad %d: %zu of %zu differ; first %zu expected %d got %d", cfgname,
          inf.desc, p.pad_t, bad, n, first, want[first], got[first]);
    if (want_tiling)
      CHECK(strstr(inf.tiling, want_tiling) != NULL, "%s %s: tiling '%s', expected '%s'", cfgname, inf.desc, inf.tiling,
            want_tiling);
    if (!quiet_pa) report(cfgname, inf.desc, net, 0, &ctr);
    isa_prog_free(&prog);
  }
  free(img);
  free(in);
  free(got);
  free(want);
  cg_net_free(net);
}

static void run_add(devs *D, const char *cfgname, int c, int h, int w) {
  const isa_config *cfg = isa_config_find(cfgname);
  cg_net *net = cg_net_new(cfg);
  size_t n = (size_t)c * h * w;
  int8_t *a = malloc(n), *b = malloc(n), *got = malloc(n), *want = malloc(n);
  fill8(a, n, -128, 127);
  fill8(b, n, -128, 127);
  cg_add p;
  memset(&p, 0, sizeof p);
  p.a = cg_net_tensor(net, c, h, w);
  p.b = cg_net_tensor(net, c, h, w);
  p.out = cg_net_tensor(net, c, h, w);
  cg_quant_multiplier(0.4 + (rnd() % 100) / 100.0, &p.a_mult, &p.a_shift);
  cg_quant_multiplier(0.2 + (rnd() % 100) / 100.0, &p.b_mult, &p.b_shift);
  p.lo = rr(0, 1) ? -128 : 0;
  p.hi = 127;
  if (rr(0, 1)) {
    p.a_zp = rr(-128, 127);
    p.b_zp = rr(-128, 127);
    p.y_zp = rr(-128, 127);
  }
  int li = cg_net_add_add(net, &p);
  CHECK(li == 0, "add_add: %s", cg_net_error(net));
  pa_case k = {p.a, p.b, a, b};
  isa_prog prog;
  uint8_t *img = NULL;
  drv_counters ctr;
  cg_opts o;
  cg_opts_default(&o);
  if (li == 0 && !build_run(dev_for(D, cfg), net, &o, &prog, pa_fill, &k, &img, &ctr)) {
    cg_unpack(net, p.out, img, got);
    cg_ref_add(&p, (int)n, a, b, want);
    size_t bad = 0, first = 0;
    for (size_t i = 0; i < n; i++)
      if (got[i] != want[i] && !bad++) first = i;
    CHECK(bad == 0, "%s add %dx%dx%d: %zu of %zu differ; first %zu expected %d got %d", cfgname,
          c, h, w, bad, n, first, want[first], got[first]);
    cg_layer_info inf;
    cg_net_layer_info(net, 0, &inf);
    if (want_tiling)
      CHECK(strstr(inf.tiling, want_tiling) != NULL, "%s mul %dx%dx%d: tiling '%s', expected '%s'", cfgname, c, h, w,
            inf.tiling, want_tiling);
    if (!quiet_pa) report(cfgname, inf.desc, net, 0, &ctr);
    isa_prog_free(&prog);
  }
  free(img);
  free(a);
  free(b);
  free(got);
  free(want);
  cg_net_free(net);
}

/* A LUT layer (a quantized activation as a table of int8 codes) against cg_ref_lut. */
static void run_lut(devs *D, const char *cfgname, int c, int h, int w, int no_lh) {
  const isa_config *cfg = isa_config_find(cfgname);
  cg_net *net = cg_net_new(cfg);
  size_t n = (size_t)c * h * w;
  int8_t *a = malloc(n), *got = malloc(n), *want = malloc(n), tab[ISA_LUT_DEPTH];
  fill8(a, n, -128, 127);
  fill8(tab, sizeof tab, -128, 127);
  cg_lut p = {cg_net_tensor(net, c, h, w), cg_net_tensor(net, c, h, w), tab};
  int li = cg_net_add_lut(net, &p);
  CHECK(li == 0, "add_lut: %s", cg_net_error(net));
  pa_case k = {p.in, -1, a, NULL};
  isa_prog prog;
  uint8_t *img = NULL;
  drv_counters ctr;
  cg_opts o;
  cg_opts_default(&o);
  o.no_latency_hiding = no_lh;
  if (li == 0 && !build_run(dev_for(D, cfg), net, &o, &prog, pa_fill, &k, &img, &ctr)) {
    cg_unpack(net, p.out, img, got);
    cg_ref_lut(&p, (int)n, a, want);
    size_t bad = 0, first = 0;
    for (size_t i = 0; i < n; i++)
      if (got[i] != want[i] && !bad++) first = i;
    CHECK(bad == 0, "%s lut %dx%dx%d: %zu of %zu differ; first %zu expected %d got %d", cfgname, c, h, w, bad, n,
          first, want[first], got[first]);
    CHECK(ctr.loads[ISA_MEM_LUT] == 1, "%s lut: %llu LOADs of the table, expected 1", cfgname,
          (unsigned long long)ctr.loads[ISA_MEM_LUT]);
    cg_layer_info inf;
    cg_net_layer_info(net, 0, &inf);
    if (want_tiling)
      CHECK(strstr(inf.tiling, want_tiling) != NULL, "%s mul %dx%dx%d: tiling '%s', expected '%s'", cfgname, c, h, w,
            inf.tiling, want_tiling);
    if (!quiet_pa) report(cfgname, inf.desc, net, 0, &ctr);
    isa_prog_free(&prog);
  }
  free(img);
  free(a);
  free(got);
  free(want);
  cg_net_free(net);
}

/* A mul layer (by a per-channel vector, or by a tensor of a's shape) against cg_ref_mul. */
static void run_mul(devs *D, const char *cfgname, int c, int h, int w, int per_channel, int no_lh) {
  const isa_config *cfg = isa_config_find(cfgname);
  cg_net *net = cg_net_new(cfg);
  size_t n = (size_t)c * h * w, nb = per_channel ? (size_t)c : n;
  int8_t *a = malloc(n), *b = malloc(nb), *got = malloc(n), *want = malloc(n);
  fill8(a, n, -128, 127);
  fill8(b, nb, -128, 127);
  cg_mul p;
  memset(&p, 0, sizeof p);
  p.a = cg_net_tensor(net, c, h, w);
  p.b = per_channel ? cg_net_tensor(net, c, 1, 1) : cg_net_tensor(net, c, h, w);
  p.out = cg_net_tensor(net, c, h, w);
  cg_quant_multiplier((0.5 + (rnd() % 100) / 100.0) / 256, &p.mult, &p.shift);
  p.lo = rr(0, 1) ? -128 : 0;
  p.hi = 127;
  if (rr(0, 1)) p.a_zp = rr(-128, 127), p.b_zp = rr(-128, 127), p.y_zp = rr(-128, 127);
  if (rr(0, 3) == 0) cg_quant_multiplier(0.5 + rr(0, 100), &p.mult, &p.shift); /* y_zp not in REQ's bounds */
  /* the front end's output zero point in the bias, with fraction bits (cg_mul.c: one more
   * pass on b's element, one ADD over the chunk) */
  if (rr(0, 1)) p.frac = rr(0, 7), p.shift += p.frac, p.bias = rr(-(1 << 24), 1 << 24);
  int li = cg_net_add_mul(net, &p);
  CHECK(li == 0, "add_mul: %s", cg_net_error(net));
  pa_case k = {p.a, p.b, a, b};
  isa_prog prog;
  uint8_t *img = NULL;
  drv_counters ctr;
  cg_opts o;
  cg_opts_default(&o);
  o.no_latency_hiding = no_lh;
  if (li == 0 && !build_run(dev_for(D, cfg), net, &o, &prog, pa_fill, &k, &img, &ctr)) {
    cg_unpack(net, p.out, img, got);
    cg_ref_mul(&p, c, h, w, per_channel, a, b, want);
    size_t bad = 0, first = 0;
    for (size_t i = 0; i < n; i++)
      if (got[i] != want[i] && !bad++) first = i;
    CHECK(bad == 0, "%s mul %dx%dx%d%s zp %d/%d/%d bias %d frac %d: %zu of %zu differ; first %zu expected %d got %d",
          cfgname, c, h, w, per_channel ? " per channel" : "", p.a_zp, p.b_zp, p.y_zp, p.bias, p.frac, bad, n, first,
          want[first], got[first]);
    cg_layer_info inf;
    cg_net_layer_info(net, 0, &inf);
    if (want_tiling)
      CHECK(strstr(inf.tiling, want_tiling) != NULL, "%s mul %dx%dx%d: tiling '%s', expected '%s'", cfgname, c, h, w,
            inf.tiling, want_tiling);
    if (!quiet_pa) report(cfgname, inf.desc, net, 0, &ctr);
    isa_prog_free(&prog);
  }
  free(img);
  free(a);
  free(b);
  free(got);
  free(want);
  cg_net_free(net);
}

/* ---- a small network: conv -> maxpool -> conv(+res) -> add -> global avgpool -> fc ------ */
typedef struct net_case {
  int t0;
  const int8_t *x;
} net_case;

static void net_fill(cg_net *net, uint8_t *img, void *arg) {
  net_case *k = arg;
  cg_pack(net, k->t0, k->x, img);
}

static void run_net(devs *D, const char *cfgname, int no_lh) {
  const isa_config *cfg = isa_config_find(cfgname);
  cg_net *net = cg_net_new(cfg);
  int C0 = 3, H = 13, W = 11, C1 = 10, C2 = 10, NF = 7;
  conv_case a, b, f;
  conv_random(&a, C0, C1, H, W, 3, 1, 1, 1, 0, 0);
  int t0 = cg_net_tensor(net, C0, H, W);
  int t1 = cg_net_tensor(net, C1, H, W);
  int ph = cg_out_dim(H, 3, 2, 1, 1, 1), pw = cg_out_dim(W, 3, 2, 1, 1, 1);
  int t2 = cg_net_tensor(net, C1, ph, pw);
  conv_random(&b, C1, C2, ph, pw, 3, 1, 1, 1, 0, 1);
  int t3 = cg_net_tensor(net, C2, ph, pw);
  int t4 = cg_net_tensor(net, C2, ph, pw);
  int t5 = cg_net_tensor(net, C2, 1, 1);
  conv_random(&f, C2, NF, 1, 1, 1, 1, 0, 1, 0, 0);
  int t6 = cg_net_tensor(net, NF, 1, 1);
  a.p.in = t0;
  a.p.out = t1;
  b.p.in = t2;
  b.p.out = t3;
  b.p.res = t2; /* residual: the pool output itself */
  f.p.in = t5;
  f.p.out = t6;
  cg_pool mp = {t1, t2, CG_POOL_MAX, 3, 3, 2, 2, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  cg_add ad;
  memset(&ad, 0, sizeof ad);
  ad.a = t3;
  ad.b = t2;
  ad.out = t4;
  cg_quant_multiplier(0.7, &ad.a_mult, &ad.a_shift);
  cg_quant_multiplier(0.5, &ad.b_mult, &ad.b_shift);
  ad.lo = 0;
  ad.hi = 127;
  cg_pool gp = {t4, t5, CG_POOL_AVG, ph, pw, 1, 1, 0, 0, 0, 0, 0, 0, -128, 127, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  cg_quant_multiplier(1.0 / (ph * pw), &gp.mult, &gp.shift);
  int ok = cg_net_add_conv(net, &a.p) >= 0 && cg_net_add_pool(net, &mp) >= 0 &&
           cg_net_add_conv(net, &b.p) >= 0 && cg_net_add_add(net, &ad) >= 0 &&
           cg_net_add_pool(net, &gp) >= 0 && cg_net_add_conv(net, &f.p) >= 0;
  CHECK(ok, "net: %s", cg_net_error(net));
  net_case k = {t0, a.in};
  isa_prog prog;
  uint8_t *img = NULL;
  drv_counters ctr;
  cg_opts o;
  cg_opts_default(&o);
  o.no_latency_hiding = no_lh;
  FILE *dump = tmpfile();
  o.dump = dump;
  if (ok && !build_run(dev_for(D, cfg), net, &o, &prog, net_fill, &k, &img, &ctr)) {
    /* the dump names every layer and disassembles every instruction */
    long lines = 0, layers = 0;
    char line[600];
    rewind(dump);
    while (fgets(line, sizeof line, dump)) {
      if (!strncmp(line, "; layer ", 8)) layers++;
      else if (line[0] != ';') lines++;
    }
    CHECK(layers == cg_net_layers(net) && lines == (long)prog.n_insns,
          "dump: %ld layers, %ld instruction lines; expected %d, %u", layers, lines,
          cg_net_layers(net), prog.n_insns);
    int8_t *y1 = malloc((size_t)C1 * H * W), *y2 = malloc((size_t)C1 * ph * pw),
           *y3 = malloc((size_t)C2 * ph * pw), *y4 = malloc((size_t)C2 * ph * pw), y5[64], y6[64],
           got[64];
    cg_ref_conv(&a.p, C0, H, W, C1, a.in, NULL, y1);
    cg_ref_pool(&mp, C1, H, W, y1, y2);
    cg_ref_conv(&b.p, C1, ph, pw, C2, y2, y2, y3);
    cg_ref_add(&ad, C2 * ph * pw, y3, y2, y4);
    cg_ref_pool(&gp, C2, ph, pw, y4, y5);
    cg_ref_conv(&f.p, C2, 1, 1, NF, y5, NULL, y6);
    cg_unpack(net, t6, img, got);
    int bad = 0;
    for (int i = 0; i < NF; i++) bad += got[i] != y6[i];
    CHECK(bad == 0, "%s net: %d of %d final outputs differ (first expected %d got %d)", cfgname,
          bad, NF, y6[0], got[0]);
    int8_t *mid = malloc((size_t)C2 * ph * pw);
    cg_unpack(net, t4, img, mid);
    bad = 0;
    for (int i = 0; i < C2 * ph * pw; i++) bad += mid[i] != y4[i];
    CHECK(bad == 0, "%s net: %d bytes of the add output differ", cfgname, bad);
    printf("%-5s %-44s fsim %8llu pred", cfgname,
           no_lh ? "net conv-maxpool-conv+res-add-gap-fc serial" : "net conv-maxpool-conv+res-add-gap-fc",
           (unsigned long long)ctr.cycles);
    uint64_t pred = 0;
    for (int i = 0; i < cg_net_layers(net); i++) {
      cg_layer_info li;
      cg_net_layer_info(net, i, &li);
      pred += li.predicted_cycles;
    }
    printf(" %8llu\n", (unsigned long long)pred);
    free(mid);
    free(y1);
    free(y2);
    free(y3);
    free(y4);
    isa_prog_free(&prog);
  }
  free(img);
  if (dump) fclose(dump);
  conv_free(&a);
  conv_free(&b);
  conv_free(&f);
  cg_net_free(net);
}

/* conv -> conv -> conv(+res) -> dwconv chain: barriers between load-unit layers. */
/* ---- views: a Concat of two conv outputs read in place by a conv, a max pool and an add ---- */
typedef struct view_case {
  int t0;
  const int8_t *x;
} view_case;

static void view_fill(cg_net *net, uint8_t *img, void *arg) {
  view_case *k = arg;
  cg_pack(net, k->t0, k->x, img);
}

static void run_view(devs *D, const char *cfgname) {
  const isa_config *cfg = isa_config_find(cfgname);
  int B = (int)cc_layout_block(&cfg->d), C0 = 5, H = 9, W = 7, C1 = 2 * B, C2 = B + 2, CV = C1 + C2, C3 = 7;
  cg_net *net = cg_net_new(cfg);
  conv_case a, b, c;
  conv_random(&a, C0, C1, H, W, 3, 1, 1, 1, 0, 0);
  conv_random(&b, C0, C2, H, W, 1, 1, 0, 1, 0, 0);
  conv_random(&c, CV, C3, H, W, 3, 1, 1, 1, 0, 0);
  int t0 = cg_net_tensor(net, C0, H, W), t1 = cg_net_tensor(net, C1, H, W), t2 = cg_net_tensor(net, C2, H, W);
  int t3 = cg_net_tensor(net, C3, H, W), t4 = cg_net_tensor(net, CV, H, W), t5 = cg_net_tensor(net, CV, H, W);
  int src[8], blk[8], nb = 0;
  for (int q = 0; q < C1 / B; q++) src[nb] = t1, blk[nb++] = q;
  for (int q = 0; q < (C2 + B - 1) / B; q++) src[nb] = t2, blk[nb++] = q;
  int v = cg_net_tensor_view(net, CV, nb, src, blk);
  CHECK(v >= 0 && cg_tensor_is_view(net, v) && cg_tensor_base(net, v) == t1, "view: %s", cg_net_error(net));
  CHECK(cg_net_tensor_view(net, CV, nb - 1, src, blk) < 0, "a view with too few blocks was accepted");
  a.p.in = b.p.in = t0, a.p.out = t1, b.p.out = t2;
  b.p.x_zp = a.p.x_zp; /* one input */
  c.p.in = v, c.p.out = t3;
  cg_pool mp = {v, t4, CG_POOL_MAX, 3, 3, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  cg_add ad;
  memset(&ad, 0, sizeof ad);
  ad.a = v, ad.b = t4, ad.out = t5;
  cg_quant_multiplier(0.6, &ad.a_mult, &ad.a_shift);
  cg_quant_multiplier(0.4, &ad.b_mult, &ad.b_shift);
  ad.lo = -128, ad.hi = 127;
  int ok = v >= 0 && cg_net_add_conv(net, &a.p) >= 0 && cg_net_add_conv(net, &b.p) >= 0 && cg_net_add_conv(net, &c.p) >= 0 &&
           cg_net_add_pool(net, &mp) >= 0 && cg_net_add_add(net, &ad) >= 0;
  CHECK(ok, "view net: %s", cg_net_error(net));
  view_case k = {t0, a.in};
  isa_prog prog;
  uint8_t *img = NULL;
  drv_counters ctr;
  cg_opts o;
  cg_opts_default(&o);
  if (ok && !build_run(dev_for(D, cfg), net, &o, &prog, view_fill, &k, &img, &ctr)) {
    size_t n = (size_t)H * W;
    int8_t *cat = malloc(CV * n), *y3 = malloc(C3 * n), *y4 = malloc(CV * n), *y5 = malloc(CV * n), *got = malloc(CV * n);
    cg_ref_conv(&a.p, C0, H, W, C1, a.in, NULL, cat);
    cg_ref_conv(&b.p, C0, H, W, C2, a.in, NULL, cat + C1 * n);
    cg_ref_conv(&c.p, CV, H, W, C3, cat, NULL, y3);
    cg_ref_pool(&mp, CV, H, W, cat, y4);
    cg_ref_add(&ad, CV * (int)n, cat, y4, y5);
    struct { int t, c; const int8_t *want; const char *what; } outs[] = {
        {t3, C3, y3, "conv over the view"}, {t4, CV, y4, "max pool of the view"}, {t5, CV, y5, "add of the view"}};
    for (int q = 0; q < 3; q++) {
      cg_unpack(net, outs[q].t, img, got);
      int bad = 0, first = -1;
      for (size_t i = 0; i < (size_t)outs[q].c * n; i++)
        if (got[i] != outs[q].want[i]) bad++, first = first < 0 ? (int)i : first;
      CHECK(bad == 0, "%s %s: %d elements differ from the int8 reference (first at %d: %d, expected %d)", cfgname,
            outs[q].what, bad, first, first >= 0 ? got[first] : 0, first >= 0 ? outs[q].want[first] : 0);
    }
    printf("views %s: a concat of %d + %d channels read in place by conv, max pool and add: bit-exact\n", cfgname, C1, C2);
    free(cat), free(y3), free(y4), free(y5), free(got);
    free(img);
    isa_prog_free(&prog);
  }
  conv_free(&a), conv_free(&b), conv_free(&c);
  cg_net_free(net);
}

static void run_chain(devs *D, const char *cfgname) {
  const isa_config *cfg = isa_config_find(cfgname);
  cg_net *net = cg_net_new(cfg);
  conv_case a, b, c, d;
  conv_random(&a, 5, 9, 12, 10, 3, 1, 1, 1, 0, 0);
  conv_random(&b, 9, 6, 12, 10, 1, 2, 0, 1, 0, 0);
  conv_random(&c, 6, 6, 6, 5, 3, 1, 1, 1, 0, 1);
  conv_random(&d, 6, 6, 6, 5, 3, 1, 1, 1, 1, 0);
  int t0 = cg_net_tensor(net, 5, 12, 10), t1 = cg_net_tensor(net, 9, 12, 10);
  int t2 = cg_net_tensor(net, 6, 6, 5), t3 = cg_net_tensor(net, 6, 6, 5), t4 = cg_net_tensor(net, 6, 6, 5);
  a.p.in = t0, a.p.out = t1;
  b.p.in = t1, b.p.out = t2;
  c.p.in = t2, c.p.out = t3, c.p.res = t2;
  d.p.in = t3, d.p.out = t4;
  int ok = cg_net_add_conv(net, &a.p) >= 0 && cg_net_add_conv(net, &b.p) >= 0 &&
           cg_net_add_conv(net, &c.p) >= 0 && cg_net_add_conv(net, &d.p) >= 0;
  CHECK(ok, "chain: %s", cg_net_error(net));
  net_case k = {t0, a.in};
  isa_prog prog;
  uint8_t *img = NULL;
  drv_counters ctr;
  cg_opts o;
  cg_opts_default(&o);
  if (ok && !build_run(dev_for(D, cfg), net, &o, &prog, net_fill, &k, &img, &ctr)) {
    int8_t y1[9 * 12 * 10], y2[6 * 6 * 5], y3[6 * 6 * 5], y4[6 * 6 * 5], got[6 * 6 * 5];
    cg_ref_conv(&a.p, 5, 12, 10, 9, a.in, NULL, y1);
    cg_ref_conv(&b.p, 9, 12, 10, 6, y1, NULL, y2);
    cg_ref_conv(&c.p, 6, 6, 5, 6, y2, y2, y3);
    cg_ref_conv(&d.p, 6, 6, 5, 6, y3, NULL, y4);
    cg_unpack(net, t4, img, got);
    int bad = 0;
    for (int i = 0; i < 6 * 6 * 5; i++) bad += got[i] != y4[i];
    CHECK(bad == 0, "%s chain: %d of %d outputs differ", cfgname, bad, 6 * 6 * 5);
    isa_prog_free(&prog);
  }
  free(img);
  conv_free(&a);
  conv_free(&b);
  conv_free(&c);
  conv_free(&d);
  cg_net_free(net);
}

/* Error paths: messages and codes, never a crash. */
static void test_errors(void) {
  const isa_config *tiny = isa_config_find("tiny");
  cg_net *net = cg_net_new(tiny);
  int a = cg_net_tensor(net, 8, 9, 40), b = cg_net_tensor(net, 8, 9, 8), c = cg_net_tensor(net, 6, 9, 40);
  static int8_t w[8 * 8 * 33];
  static int32_t m[8] = {16384, 16384, 16384, 16384, 16384, 16384, 16384, 16384};
  static uint8_t sh[8] = {20, 20, 20, 20, 20, 20, 20, 20};
  cg_conv p;
  memset(&p, 0, sizeof p);
  p.in = a;
  p.out = b;
  p.res = -1;
  p.kh = 1;
  p.kw = 33; /* a 33-wide window row cannot fit half of tiny's 64-element input buffer */
  p.sh = p.sw = p.dh = p.dw = 1;
  p.groups = 1;
  p.weight = w;
  p.mult = m;
  p.shift = sh;
  p.lo = -128;
  p.hi = 127;
  int li = cg_net_add_conv(net, &p);
  CHECK(li == 0, "33-wide conv rejected at add: %s", cg_net_error(net));
  isa_prog prog;
  int rc = cg_net_build(net, NULL, &prog);
  CHECK(rc == CG_E_FIT && strstr(cg_net_error(net), "no tiling"), "build: %d '%s'", rc, cg_net_error(net));
  p.kw = 3;
  p.groups = 2; /* grouped 8 -> 6 channels: unsupported (grouped convs keep their channels) */
  p.out = cg_net_tensor(net, 6, 9, 38);
  CHECK(cg_net_add_conv(net, &p) == CG_E_UNSUPPORTED, "groups=2 over 8 -> 6 channels accepted");
  p.groups = 1;
  p.out = c;
  CHECK(cg_net_add_conv(net, &p) == CG_E_ARG, "wrong output shape accepted");
  p.pad_t = 16;
  CHECK(cg_net_add_conv(net, &p) == CG_E_ARG, "pad 16 accepted");
  cg_net_free(net);
}

static void test_quant(void) {
  for (int i = 0; i < 2000; i++) {
    double s = exp((rnd() % 20000) / 20000.0 * 30.0 - 25.0);
    int32_t m;
    int sh;
    int rc = cg_quant_multiplier(s, &m, &sh);
    double back = m * ldexp(1.0, -sh);
    CHECK(rc == CG_OK && m >= 1 << 22 && m < 1 << 23 && sh >= 0 && sh <= 63 && fabs(back - s) <= s * ldexp(1.0, -23),
          "quant(%g) = %d >> %d = %g", s, m, sh, back);
  }
  int32_t m, ms[3];
  uint8_t shs[3];
  float ws[3] = {0.01f, 0.02f, 0.005f};
  int sh;
  CHECK(cg_quant_conv(0.05, ws, 1, 0.1, 3, ms, shs) == CG_OK, "cg_quant_conv failed");
  for (int o = 0; o < 3; o++) {
    double want = 0.05 * ws[o] / 0.1, got = ms[o] * ldexp(1.0, -shs[o]);
    CHECK(fabs(got - want) <= want * ldexp(1.0, -23), "cg_quant_conv[%d] = %g, want %g", o, got, want);
  }
  CHECK(cg_quant_multiplier(0, &m, &sh) == CG_E_ARG, "zero scale accepted");
  const isa_config *pynq = isa_config_find("pynq");
  CHECK(cg_im2col_pays(pynq, 3, 7, 7) && !cg_im2col_pays(pynq, 64, 3, 3) && !cg_im2col_pays(pynq, 3, 1, 1),
        "cg_im2col_pays");
  CHECK(cg_quant_multiplier(40000, &m, &sh) == CG_E_ARG, "huge scale accepted");
  /* a scale below 2^-41: the shift stops at 63, the multiplier is scaled down (rounded) */
  CHECK(cg_quant_multiplier(ldexp(0.75, -45), &m, &sh) == CG_OK && sh == 63 && m == 3 << 16,
        "tiny scale: %d >> %d", m, sh);
  CHECK(cg_req(1 << 21, (1 << 22) + 1, 22) == (1 << 21) + 1, "cg_req with a 24-bit multiplier");
  CHECK(cg_req(-3, 16384, 15) == -1 && cg_req(3, 16384, 15) == 2 && cg_req(5, 16384, 0) == 81920,
        "cg_req rounding: %lld %lld", (long long)cg_req(-3, 16384, 15), (long long)cg_req(3, 16384, 15));
  /* half_even average pooling is round-half-to-even of the real average (rint's default mode):
   * every pair of codes over a 1x2 window, every sum of four over 2x2 at a non-power-of-two
   * scale too (no ties there: it is plain rounding) */
  int8_t in[2], out[1];
  long bad = 0, n = 0;
  for (int k = 0; k < 2; k++) {
    cg_pool pp = {0, 0, CG_POOL_AVG, 1, 2, 1, 2, 0, 0, 0, 0, 0, 0, -128, 127, 0, 0, 1, 0, 0, 0, 0, 0, 0};
    double sc = k ? 0.5 * 0.37 : 0.5;
    cg_quant_multiplier(sc, &pp.mult, &pp.shift);
    for (int a = -128; a < 128; a++)
      for (int b = -128; b < 128; b++, n++) {
        in[0] = (int8_t)a, in[1] = (int8_t)b;
        cg_ref_pool(&pp, 1, 1, 2, in, out);
        double want = rint((a + b) * (pp.mult * ldexp(1.0, -pp.shift)));
        bad += out[0] != (int8_t)fmax(-128, fmin(127, want));
      }
  }
  CHECK(bad == 0, "half_even average pooling: %ld of %ld sums not rounded half to even", bad, n);
}

/* Depthwise convs on DWGEMM (run_conv checks that DWGEMM runs only where it applies, here on
 * pynq and ultra96 wherever it applies, and its MAC count) and where it does not: pynq and
 * ultra96 (block_out 2 x block_in: a DWGEMM per input slice), kernels 3x3 to 7x7, dilation,
 * padding, vertical stride 2 (and a 1-row kernel over every other row), horizontal strides 2
 * and 3 (phases), channels not a multiple of the block, residuals, zero points, the serialized
 * schedule; fallbacks: 5x5 dilated past the window, stride 3 of a 3x3 (a phase per column),
 * 1x1, and tiny's 2-tap window; tiny's strided ones, where the cost model chooses. */
static void test_dwgemm(devs *D, int nrand) {
  static const char *cfgs[] = {"pynq", "ultra96", "tiny"};
  static const int dir[][12] = {
      /* cfg c h w k sh sw pad dil res zp serial */
      {0, 40, 14, 13, 3, 1, 1, 1, 1, 0, 0, 0}, {0, 33, 12, 15, 5, 1, 1, 2, 1, 0, 1, 0},
      {0, 20, 15, 16, 7, 1, 1, 3, 1, 0, 0, 0}, {0, 24, 13, 14, 3, 1, 1, 2, 2, 0, 1, 0},
      {0, 18, 17, 11, 3, 2, 1, 1, 1, 0, 0, 0}, {0, 40, 16, 16, 3, 2, 2, 1, 1, 0, 0, 0},
      {0, 21, 15, 15, 5, 2, 2, 2, 1, 0, 1, 0}, {0, 17, 19, 18, 7, 2, 2, 3, 1, 0, 0, 0},
      {0, 16, 11, 11, 5, 1, 1, 4, 2, 0, 0, 0}, {0, 16, 9, 9, 3, 3, 3, 1, 1, 0, 0, 0},
      {0, 35, 9, 10, 1, 1, 1, 0, 1, 0, 0, 0},  {0, 64, 56, 56, 3, 1, 1, 1, 1, 0, 0, 0},
      {0, 96, 28, 28, 7, 1, 1, 3, 1, 0, 0, 0}, {0, 300, 7, 7, 3, 1, 1, 1, 1, 0, 0, 0},
      {0, 48, 12, 12, 3, 1, 1, 1, 1, 1, 1, 0}, {0, 40, 14, 13, 3, 1, 1, 1, 1, 0, 0, 1},
      {0, 30, 13, 12, 5, 2, 2, 2, 1, 1, 0, 1}, {0, 50, 10, 9, 3, 1, 1, 0, 1, 0, 1, 0},
      {1, 40, 14, 13, 3, 1, 1, 1, 1, 0, 0, 0}, {1, 48, 12, 12, 5, 2, 2, 2, 1, 0, 1, 0},
      {1, 20, 15, 16, 7, 1, 1, 3, 1, 1, 0, 0}, {1, 24, 13, 14, 3, 1, 1, 2, 2, 0, 0, 1},
      {1, 70, 17, 11, 3, 2, 1, 1, 1, 0, 1, 0}, {1, 96, 28, 28, 3, 1, 1, 1, 1, 0, 0, 0},
      {2, 9, 11, 12, 3, 2, 2, 1, 1, 0, 0, 0},  {2, 6, 9, 8, 3, 1, 1, 1, 1, 0, 0, 0},
      {2, 7, 10, 9, 5, 3, 3, 2, 1, 1, 1, 0},
  };
  conv_case k;
  for (size_t i = 0; i < sizeof dir / sizeof dir[0]; i++) {
    const int *q = dir[i];
    zp_mode = 0;
    conv_random(&k, q[1], q[1], q[2], q[3], q[4], q[6], q[7], q[8], 1, q[9]);
    k.p.sh = q[5];
    if (q[10]) { /* asymmetric tensors: the pads hold x_zp, folded into the bias */
      k.p.x_zp = rr(-128, 127);
      k.p.y_zp = rr(-40, 40);
      k.p.res_zp = rr(-128, 127);
    }
    if (q[9]) { /* the residual's shape follows the vertical stride */
      int oh = cg_out_dim(q[2], q[4], q[5], q[8], q[7], q[7]), ow = cg_out_dim(q[3], q[4], q[6], q[8], q[7], q[7]);
      free(k.res);
      k.res = malloc((size_t)q[1] * oh * ow);
      fill8(k.res, (size_t)q[1] * oh * ow, -128, 127);
    }
    dw_require = q[0] < 2; /* pynq, ultra96: these tiles are wide enough for DWGEMM to pay */
    run_conv(D, cfgs[q[0]], &k, q[11], 0);
    dw_require = 0;
    conv_free(&k);
  }
  /* random depthwise convs: kernels of 1..7 rows and 2..7 columns, strides and dilations 1..3
   * each way, pads up to the span, on pynq and ultra96 (DWGEMM where it applies) */
  int n0 = n_dwgemm;
  for (int i = 0; i < nrand; i++) {
    int kh = rr(1, 7), kw = rr(2, 7), kk = kh > kw ? kh : kw, pad = rr(0, 3);
    int dh = rr(0, 3) ? 1 : rr(2, 3), dw = rr(0, 3) ? 1 : rr(2, 3);
    int sh = rr(1, 3), sw = rr(0, 2) ? 1 : rr(2, 3);
    int spanh = (kh - 1) * dh + 1, spanw = (kw - 1) * dw + 1;
    int h = rr(cg_imax(1, spanh - 2 * pad), spanh + 20), w = rr(cg_imax(1, spanw - 2 * pad), spanw + 30);
    zp_mode = rr(0, 1);
    conv_random(&k, rr(1, 80), 0, h, w, kk, 1, kk, 1, 1, rr(0, 4) == 0); /* pads kk: a residual fits */
    k.p.kh = kh, k.p.kw = kw, k.p.sh = sh, k.p.sw = sw, k.p.dh = dh, k.p.dw = dw;
    k.p.pad_t = k.p.pad_b = cg_imin(pad, spanh - 1), k.p.pad_l = k.p.pad_r = cg_imin(pad, spanw - 1);
    if (k.p.res >= 0) { /* the residual's shape: the output's */
      int oh = cg_out_dim(h, kh, sh, dh, k.p.pad_t, k.p.pad_b), ow = cg_out_dim(w, kw, sw, dw, k.p.pad_l, k.p.pad_r);
      free(k.res);
      k.res = malloc((size_t)k.cin * oh * ow);
      fill8(k.res, (size_t)k.cin * oh * ow, -128, 127);
    }
    run_conv(D, i % 3 == 2 ? "ultra96" : "pynq", &k, rr(0, 7) == 0, 1);
    conv_free(&k);
  }
  zp_mode = 0;
  printf("random depthwise convs: %d of %d on DWGEMM\n", n_dwgemm - n0, nrand);
  CHECK(nrand < 10 || (n_dwgemm - n0) * 2 > nrand, "only %d of %d random depthwise convs on DWGEMM", n_dwgemm - n0, nrand);
  /* a 1x3 kernel over every other row (the loads read only the rows it uses) */
  conv_random(&k, 36, 36, 13, 12, 3, 1, 1, 1, 1, 0);
  k.p.kh = 1, k.p.sh = 2, k.p.pad_t = k.p.pad_b = 0;
  run_conv(D, "pynq", &k, 0, 0);
  run_conv(D, "ultra96", &k, 0, 0);
  conv_free(&k);
}

/* A GEMM wider than deep (block_out = 2 x block_in, as ultra96's 1x16x32): tiny's shape with
 * block_out 8, so that the tensor layout in blocks of block_out, the INP and WGT elements two per
 * block and the split weight blocks meet tiny's tiling edge cases: directed and random convs
 * (depthwise, residual, im2col, dilation, serialized), a network, views, pools, adds. */
static void test_block_out2(devs *D, int nrand) {
  static const char text[] = "name = tiny_bo8\nbase = tiny\nblock_out = 8\nwgt_bytes = 1024\nacc_bytes = 2048\n"
                             "inp_bytes = 512\n";
  isa_derived keys;
  char name[ISA_CONFIG_NAME_MAX + 1], err[256];
  const isa_config *cfg = NULL;
  int ok = isa_config_parse(text, "tiny_bo8", &keys, name, sizeof name, err, sizeof err) == 0 &&
           isa_config_register(&keys, &cfg, err, sizeof err) == 0;
  CHECK(ok, "config tiny_bo8: %s", err);
  if (!ok || drv_open("fsim", "tiny_bo8", NULL, &D->bo8) != DRV_OK) {
    CHECK(0, "cannot open fsim on tiny_bo8: %s", drv_open_error());
    D->bo8 = NULL;
    return;
  }
  conv_case k;
  static const int dir[][10] = {
      /* cin cout h w k s pad dil dw res */
      {3, 5, 9, 7, 1, 1, 0, 1, 0, 0},  {6, 9, 11, 10, 3, 1, 1, 1, 0, 0}, {5, 7, 12, 13, 3, 2, 1, 1, 0, 0},
      {4, 4, 13, 11, 5, 1, 2, 1, 0, 0}, {3, 8, 17, 15, 7, 2, 3, 1, 0, 0}, {9, 9, 10, 9, 3, 1, 1, 1, 1, 0},
      {6, 10, 9, 9, 3, 1, 1, 1, 0, 1}, {20, 9, 8, 8, 1, 2, 0, 1, 0, 1},  {5, 5, 9, 8, 5, 1, 2, 1, 1, 1},
      {17, 12, 9, 9, 3, 1, 1, 1, 0, 0}, {16, 16, 7, 7, 3, 1, 1, 1, 1, 0},
  };
  for (size_t i = 0; i < sizeof dir / sizeof dir[0]; i++) {
    const int *q = dir[i];
    conv_random(&k, q[0], q[1], q[2], q[3], q[4], q[5], q[6], q[7], q[8], q[9]);
    run_conv(D, "tiny_bo8", &k, 0, 0);
    run_conv(D, "tiny_bo8", &k, 1, 0);
    conv_free(&k);
  }
  static const int ks[] = {1, 3, 5};
  for (int i = 0; i < nrand; i++) {
    int kk = ks[rr(0, 2)], s = rr(1, 2), dw = rr(0, 4) == 0, res = rr(0, 3) == 0, pad = rr(0, (kk - 1) / 2);
    conv_random(&k, rr(1, 24), rr(1, 24), rr(kk, kk + 10), rr(kk, kk + 10), kk, s, pad, 1, dw, res);
    k.im2col = !dw && rr(0, 7) == 0;
    run_conv(D, "tiny_bo8", &k, rr(0, 5) == 0, 1);
    conv_free(&k);
  }
  conv_random(&k, 3, 7, 15, 14, 7, 2, 3, 1, 0, 0);
  k.im2col = 1;
  run_conv(D, "tiny_bo8", &k, 0, 0);
  conv_free(&k);
  cg_pool mp = {0, 0, CG_POOL_MAX, 3, 3, 2, 2, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  run_pool(D, "tiny_bo8", 12, 13, 12, mp);
  /* a global average pool's sums and a per-channel product's a on the GEMM core, a micro-op
   * per slice of a block (a part of a block a chunk: tiny's input buffer) */
  want_tiling = "sums on the GEMM core";
  cg_pool gz = {0, 0, CG_POOL_AVG, 3, 3, 1, 1, 0, 0, 0, 0, 0, 0, -128, 127, -9, 12, 0, 0, 0, 0, 0, 0, 0};
  cg_quant_multiplier(0.7 / 9, &gz.mult, &gz.shift);
  run_pool(D, "tiny_bo8", 21, 3, 3, gz);
  gz.kh = 9, gz.kw = 7;
  cg_quant_multiplier(0.9 / 63, &gz.mult, &gz.shift);
  run_pool(D, "tiny_bo8", 12, 9, 7, gz);
  want_tiling = "a in INP";
  run_mul(D, "tiny_bo8", 30, 3, 3, 1, 0);
  run_mul(D, "tiny_bo8", 9, 11, 13, 1, 1);
  want_tiling = NULL;
  run_add(D, "tiny_bo8", 11, 9, 10);
  run_net(D, "tiny_bo8", 0);
  run_view(D, "tiny_bo8");
  run_chain(D, "tiny_bo8");
}

/* Depth to space (DepthToSpace DCR, a ConvTranspose's phases): directed (2x2 whole, 3x3 and 2x1
 * cropped at the end, more than one output block) and nrand / 4 random cases on tiny and pynq:
 * factors 1..4, 1..3 blocks per phase group, output channels up to the group, outputs cropped
 * anywhere past the last input row's first output. A bad phase group is refused. */
static void test_d2s(devs *D, int nrand) {
  /* cfg (0 tiny, 1 pynq), gc, oc, h, w, sh, sw, oh, ow */
  static const int dir[][9] = {{0, 4, 3, 5, 6, 2, 2, 10, 12}, {0, 8, 8, 7, 5, 3, 3, 19, 13}, {1, 32, 20, 9, 11, 2, 1, 17, 11},
                               {1, 16, 8, 16, 16, 2, 2, 32, 32}};
  for (size_t i = 0; i < sizeof dir / sizeof dir[0]; i++) {
    const int *q = dir[i];
    cg_pool p = {0, 0, CG_POOL_D2S, 1, 1, q[5], q[6], 0, 0, 0, 0, 0, 0, -128, 127, 0, 0, 0, q[1], q[2], q[7], q[8], 0, 0};
    run_pool(D, q[0] ? "pynq" : "tiny", q[5] * q[6] * q[1], q[3], q[4], p);
  }
  int was = quiet_pa;
  quiet_pa = 1;
  for (int i = 0; i < nrand / 4; i++) {
    int py = rr(0, 3) == 0, B = py ? 16 : 4, sh = rr(1, 4), sw = rr(1, 4), gc = B * rr(1, 3), h = rr(1, 12), w = rr(1, 12);
    int oh = rr((h - 1) * sh + 1, h * sh), ow = rr((w - 1) * sw + 1, w * sw);
    cg_pool p = {0, 0, CG_POOL_D2S, 1, 1, sh, sw, 0, 0, 0, 0, 0, 0, -128, 127, 0, 0, 0, gc, rr(1, gc), oh, ow, 0, 0};
    run_pool(D, py ? "pynq" : "tiny", sh * sw * gc, h, w, p);
  }
  quiet_pa = was;
  printf("random depth to space: %d cases\n", nrand / 4);
  cg_net *net = cg_net_new(isa_config_find("tiny"));
  cg_pool p = {0, 0, CG_POOL_D2S, 1, 1, 2, 2, 0, 0, 0, 0, 0, 0, -128, 127, 0, 0, 0, 6, 6, 8, 8, 0, 0};
  p.in = cg_net_tensor(net, 24, 4, 4);
  p.out = cg_net_tensor(net, 6, 8, 8);
  CHECK(cg_net_add_pool(net, &p) == CG_E_ARG, "depth to space with phase groups of 6 channels (block 4) accepted");
  cg_net_free(net);
}

/* ONNX's linear Resize of one axis in double (the coordinate formulas of the spec, clamped as
 * onnxruntime does), independent of cg_bil_axis: source index and weight of output o. */
static void onnx_lin(int ct, int f, int L, int o, int *i0, double *w1) {
  double x = ct == CG_CT_HALF_PIXEL ? (o + 0.5) / f - 0.5
             : ct == CG_CT_ASYMMETRIC ? (double)o / f
             : (L * f > 1 ? (double)o * (L - 1) / ((double)L * f - 1) : 0);
  if (x < 0) x = 0;
  if (x > L - 1) x = L - 1;
  *i0 = (int)floor(x);
  if (*i0 >= L - 1) *i0 = L - 1, x = *i0;
  *w1 = x - *i0;
}

/* Bilinear (linear Resize): the int8 reference against the float Resize of the codes rounded as
 * QuantizeLinear (rint), then directed and nrand / 3 random layers on tiny, pynq and ultra96
 * against it: factors 1..16 (mostly 2, 4, 8), half_pixel, asymmetric, and align_corners where
 * its weights are dyadic (ac below); half_pixel by 3 (thirds) is refused. */
static void test_bil(devs *D, int nrand) {
  int bad = 0, cases = 0;
  /* align_corners extents and factors whose weights are dyadic: (fL - 1) / gcd(L - 1, f - 1) a
   * power of two (3 by 3: quarters; 11 by 3, 3 by 11: sixteenths), or L = 1 */
  static const int ac[][2] = {{3, 3}, {11, 3}, {1, 4}, {3, 11}, {1, 2}};
  int8_t *in = malloc(2 * 121), *got = malloc((size_t)2 * 121 * 121);
  for (int i = 0; i < 200; i++) { /* the reference against the float Resize */
    int ct = rr(0, 2), fy = 1 << rr(0, 3), fx = 1 << rr(0, 3), h = rr(1, 7), w = rr(1, 7), c = 2;
    if (ct == CG_CT_ALIGN_CORNERS) {
      const int *a = ac[rr(0, 4)], *b = ac[rr(0, 4)];
      h = a[0], fy = a[1], w = b[0], fx = b[1];
    }
    cg_pool p = {0};
    p.kind = CG_POOL_BIL, p.kh = p.kw = 1, p.sh = fy, p.sw = fx, p.ct = ct;
    int oh = h * fy, ow = w * fx, ly;
    if (cg_bil_axis(ct, fy, h, &ly, NULL, NULL) || cg_bil_axis(ct, fx, w, &ly, NULL, NULL)) {
      CHECK(0, "bilinear mode %d %dx%d x%dx%d: weights not dyadic", ct, h, w, fy, fx);
      continue;
    }
    fill8(in, (size_t)c * h * w, -128, 127);
    cg_ref_pool(&p, c, h, w, in, got);
    for (int ch = 0; ch < c; ch++)
      for (int y = 0; y < oh; y++)
        for (int x = 0; x < ow; x++) {
          int iy, ix;
          double wy, wx;
          onnx_lin(ct, fy, h, y, &iy, &wy);
          onnx_lin(ct, fx, w, x, &ix, &wx);
          const int8_t *q = in + ch * h * w;
          double v = (1 - wy) * (1 - wx) * q[iy * w + ix];
          if (wx > 0) v += (1 - wy) * wx * q[iy * w + ix + 1];
          if (wy > 0) v += wy * (1 - wx) * q[(iy + 1) * w + ix];
          if (wy > 0 && wx > 0) v += wy * wx * q[(iy + 1) * w + ix + 1];
          bad += rint(v) != got[(ch * oh + y) * ow + x];
        }
    cases++;
  }
  free(in), free(got);
  CHECK(bad == 0, "bilinear reference: %d outputs differ from the float Resize over %d cases", bad, cases);
  int ly;
  CHECK(cg_bil_axis(CG_CT_HALF_PIXEL, 3, 5, &ly, NULL, NULL) == -1 && cg_bil_axis(CG_CT_ALIGN_CORNERS, 2, 4, &ly, NULL, NULL) == -1,
        "bilinear: thirds / sevenths taken as dyadic");
  /* cfg (0 tiny, 1 pynq, 2 ultra96), c, h, w, sh, sw, ct */
  static const int dir[][7] = {{0, 5, 6, 7, 2, 2, 0}, {1, 21, 7, 7, 8, 8, 0}, {1, 40, 9, 5, 2, 4, 1},
                               {1, 3, 3, 11, 3, 3, 2}, {2, 40, 6, 10, 2, 2, 0}, {1, 16, 4, 4, 16, 16, 0},
                               {0, 4, 5, 4, 1, 2, 0}};
  const char *cfgs[3] = {"tiny", "pynq", "ultra96"};
  for (size_t i = 0; i < sizeof dir / sizeof dir[0]; i++) {
    const int *q = dir[i];
    cg_pool p = {0};
    p.kind = CG_POOL_BIL, p.kh = p.kw = 1, p.sh = q[4], p.sw = q[5], p.ct = q[6];
    run_pool(D, cfgs[q[0]], q[1], q[2], q[3], p);
  }
  int was = quiet_pa;
  quiet_pa = 1;
  for (int i = 0; i < nrand / 3; i++) {
    static const int fs[] = {1, 2, 2, 2, 4, 4, 8, 16};
    int ci = rr(0, 3) == 0 ? rr(1, 2) : 0, B = ci == 0 ? 4 : ci == 1 ? 16 : 32, ct = rr(0, 2), nf = ci ? 7 : 5;
    int fy = fs[rr(0, nf)], fx = rr(0, 3) ? fy : fs[rr(0, nf)], h = rr(1, 9), w = rr(1, 9);
    if (ct == CG_CT_ALIGN_CORNERS) { /* tiny's accumulator holds 64 elements: factors up to 4 */
      const int *a = ac[ci ? rr(0, 4) : 2 * rr(0, 2)], *b = ac[ci ? rr(0, 4) : 2 * rr(0, 2)];
      h = a[0], fy = a[1], w = b[0], fx = b[1];
    }
    if (fy * h > 64) h = 64 / fy;
    if (fx * w > 64) w = 64 / fx;
    cg_pool p = {0};
    p.kind = CG_POOL_BIL, p.kh = p.kw = 1, p.sh = fy, p.sw = fx, p.ct = ct;
    run_pool(D, cfgs[ci], rr(1, 3 * B), h, w, p);
  }
  quiet_pa = was;
  printf("random bilinear: %d cases\n", nrand / 3);
  cg_net *net = cg_net_new(isa_config_find("tiny"));
  cg_pool p = {0};
  p.kind = CG_POOL_BIL, p.kh = p.kw = 1, p.sh = p.sw = 3, p.ct = CG_CT_HALF_PIXEL;
  p.in = cg_net_tensor(net, 4, 4, 4);
  p.out = cg_net_tensor(net, 4, 12, 12);
  CHECK(cg_net_add_pool(net, &p) == CG_E_UNSUPPORTED, "bilinear by 3 (half_pixel: thirds) accepted");
  cg_net_free(net);
}

int main(int argc, char **argv) {
  if (argc > 1) rng = strtoull(argv[1], NULL, 0) * 2654435761u + 1;
  int nrand = argc > 2 ? atoi(argv[2]) : 60;
  devs D = {0};
  if (drv_open("fsim", "tiny", NULL, &D.tiny) != DRV_OK || drv_open("fsim", "pynq", NULL, &D.pynq) != DRV_OK ||
      drv_open("fsim", "ultra96", NULL, &D.ultra96) != DRV_OK) {
    printf("FAIL cannot open fsim: %s\n", drv_open_error());
    return 1;
  }
  test_quant();
  test_errors();
  conv_case k;
  /* directed: every kernel size, strides, depthwise, residual, dilation on tiny */
  static const int dir[][10] = {
      /* cin cout h w k s pad dil dw res */
      {3, 5, 9, 7, 1, 1, 0, 1, 0, 0},  {6, 9, 11, 10, 3, 1, 1, 1, 0, 0},
      {5, 7, 12, 13, 3, 2, 1, 1, 0, 0}, {4, 4, 13, 11, 5, 1, 2, 1, 0, 0},
      {3, 8, 17, 15, 7, 2, 3, 1, 0, 0}, {9, 9, 10, 9, 3, 1, 1, 1, 1, 0},
      {7, 7, 11, 12, 3, 2, 1, 1, 1, 0}, {6, 10, 9, 9, 3, 1, 1, 1, 0, 1},
      {8, 6, 12, 10, 3, 1, 2, 2, 0, 0}, {13, 11, 1, 1, 1, 1, 0, 1, 0, 0},
      {20, 9, 8, 8, 1, 2, 0, 1, 0, 1},  {5, 5, 9, 8, 5, 1, 2, 1, 1, 1},
  };
  for (size_t i = 0; i < sizeof dir / sizeof dir[0]; i++) {
    const int *q = dir[i];
    conv_random(&k, q[0], q[1], q[2], q[3], q[4], q[5], q[6], q[7], q[8], q[9]);
    run_conv(&D, "tiny", &k, 0, 0);
    conv_free(&k);
  }
  /* activations as tables: a LUT layer of several chunks, and convs with a fused table (with a
   * residual, depthwise, on pynq) */
  run_lut(&D, "tiny", 9, 17, 13, 0);
  run_lut(&D, "pynq", 70, 21, 19, 0);
  run_lut(&D, "tiny", 5, 6, 7, 1);
  /* squeeze-and-excite's per-channel scale, and x * y of one shape */
  run_mul(&D, "tiny", 9, 11, 13, 1, 0);
  run_mul(&D, "pynq", 40, 14, 14, 1, 0);
  run_mul(&D, "tiny", 7, 9, 5, 0, 0);
  run_mul(&D, "pynq", 24, 7, 7, 0, 1);
  run_mul(&D, "tiny", 13, 1, 1, 0, 0);
  run_mul(&D, "pynq", 20, 48, 48, 1, 0); /* a's INP slots: several chunks per channel block */
  run_mul(&D, "pynq", 20, 48, 48, 1, 1);
  run_mul(&D, "pynq", 200, 5, 5, 1, 0);   /* several whole channel blocks a chunk (MUL's loop_out) */
  /* block_in < block_out: a by LOAD INP too, its block's slices by two GEMMs (the bias one first) */
  want_tiling = "a in INP";
  run_mul(&D, "ultra96", 40, 9, 9, 1, 0);
  run_mul(&D, "ultra96", 20, 48, 48, 1, 0); /* several chunks per channel block */
  run_mul(&D, "ultra96", 20, 48, 48, 1, 1);
  run_mul(&D, "ultra96", 300, 5, 5, 1, 0);  /* several whole channel blocks a chunk */
  want_tiling = NULL;
  run_mul(&D, "tiny", 30, 3, 3, 1, 0);
  run_mul(&D, "tiny", 30, 3, 3, 1, 1);
  run_mul(&D, "tiny", 150, 3, 3, 1, 0);   /* b's 38 blocks too many to keep: b's element per chunk */
  {
    int8_t act[ISA_LUT_DEPTH];
    for (int c = 0; c < (int)ISA_LUT_DEPTH; c++) /* a sigmoid of the codes at scale 1/16 */
      act[c] = (int8_t)lrint(fmin(127, 255.0 / (1.0 + exp(-(c - 128) / 16.0)) - 128));
    static const int lutc[][10] = {{6, 10, 9, 9, 3, 1, 1, 1, 0, 1}, {9, 9, 10, 9, 3, 1, 1, 1, 1, 0},
                                   {20, 9, 8, 8, 1, 2, 0, 1, 0, 1}};
    for (int i = 0; i < 3; i++) {
      const int *q = lutc[i];
      conv_random(&k, q[0], q[1], q[2], q[3], q[4], q[5], q[6], q[7], q[8], q[9]);
      k.p.lut = act;
      run_conv(&D, "tiny", &k, 0, 0);
      conv_free(&k);
    }
    conv_random(&k, 40, 36, 14, 14, 3, 1, 1, 1, 0, 0);
    k.p.lut = act;
    run_conv(&D, "pynq", &k, 0, 0);
    conv_free(&k);
  }
  /* grouped convs (not depthwise): group widths below the block (block-diagonal weights), equal
   * to it, and multiples of it (per-group GEMM over the group's blocks) */
  static const int grp[][6] = {
      /* tiny (block 4): channels, groups, k, stride; pynq (block 16) */
      {16, 8, 3, 1, 0, 0}, {16, 4, 3, 2, 0, 0}, {24, 3, 3, 1, 0, 0}, {12, 3, 1, 1, 0, 0},
      {64, 32, 3, 1, 1, 0}, {64, 4, 3, 2, 1, 0}, {96, 3, 3, 1, 1, 0}, {64, 2, 1, 1, 1, 1},
  };
  for (size_t i = 0; i < sizeof grp / sizeof grp[0]; i++) {
    const int *q = grp[i];
    zp_mode = q[5];
    conv_random(&k, q[0], q[0], 9, 8, q[2], q[3], q[2] / 2, 1, 0, 0);
    k.p.groups = q[1];
    run_conv(&D, q[4] ? "pynq" : "tiny", &k, 0, 0);
    conv_free(&k);
  }
  zp_mode = 1;
  /* random layers on tiny (and every fourth on pynq), including windows that lie wholly in
   * the padding, channel counts of many blocks, and the serialized schedule */
  static const int ks[] = {1, 3, 5, 7};
  for (int i = 0; i < nrand; i++) {
    int kk = ks[rr(0, 3)], s = rr(1, 3), dw = rr(0, 4) == 0, res = rr(0, 3) == 0;
    int dil = kk <= 3 && rr(0, 5) == 0 ? 2 : 1;
    int span = (kk - 1) * dil + 1;
    int pad = rr(0, 3) == 0 ? rr(0, span < 15 ? span : 15) : rr(0, (kk - 1) / 2 * dil);
    int h = rr(cg_imax(1, span - 2 * pad), span + 12), w = rr(cg_imax(1, span - 2 * pad), span + 12);
    int big = rr(0, 5) == 0;
    conv_random(&k, rr(1, big ? 40 : 13), rr(1, big ? 40 : 13), h, w, kk, s, pad, dil, dw, res);
    k.im2col = !dw && rr(0, 7) == 0;
    static int8_t act[ISA_LUT_DEPTH]; /* a fused activation table on every third conv */
    fill8(act, sizeof act, -128, 127);
    if (i % 3 == 1) k.p.lut = act;
    run_conv(&D, i % 4 == 3 ? "pynq" : "tiny", &k, rr(0, 5) == 0, 1);
    conv_free(&k);
    cg_pool rp = {0, 0, rr(0, 1) ? CG_POOL_MAX : CG_POOL_AVG, rr(1, 5), rr(1, 5), rr(1, 3), rr(1, 3),
                  0, 0, 0, 0, 0, 0, rr(-128, 0), rr(0, 127), 0, 0, 0, 0, 0, 0, 0, 0, 0};
    if (rr(0, 1)) {
      rp.x_zp = rr(-128, 127);
      rp.y_zp = rr(-60, 60);
    }
    rp.pad_t = rr(0, rp.kh - 1);
    rp.pad_b = rr(0, rp.kh - 1);
    rp.pad_l = rr(0, rp.kw - 1);
    rp.pad_r = rr(0, rp.kw - 1);
    cg_quant_multiplier(1.0 / (rp.kh * rp.kw) * (0.5 + rr(0, 100) / 100.0), &rp.mult, &rp.shift);
    if (rp.x_zp && rr(0, 1)) rp.shift = rr(3, 15);
    if (rp.kind == CG_POOL_AVG && rr(0, 2) == 0) { /* ties to even, at scales that make ties */
      rp.half_even = 1;
      cg_quant_multiplier(1.0 / (1 << rr(0, 4)), &rp.mult, &rp.shift);
    }
    int pc = rr(1, 20), ph = rr(rp.kh, rp.kh + 15), pw = rr(rp.kw, rp.kw + 15), ly, lx;
    if (rp.kind == CG_POOL_AVG && !rp.half_even && rr(0, 2) == 0 &&
        !cg_pool_excl(rp.kh, rp.sh, rp.pad_t, ph, cg_out_dim(ph, rp.kh, rp.sh, 1, rp.pad_t, rp.pad_b), &ly, NULL) &&
        !cg_pool_excl(rp.kw, rp.sw, rp.pad_l, pw, cg_out_dim(pw, rp.kw, rp.sw, 1, rp.pad_l, rp.pad_r), &lx, NULL)) {
      rp.excl_pad = 1; /* the padding left out of the average (count_include_pad = 0) */
      cg_quant_multiplier(1.0 / (ly * lx) * (0.5 + rr(0, 100) / 100.0), &rp.mult, &rp.shift);
    }
    quiet_pa = 1;
    run_pool(&D, i % 4 == 3 ? "pynq" : "tiny", pc, ph, pw, rp);
    run_add(&D, i % 4 == 3 ? "pynq" : "tiny", rr(1, 20), rr(1, 20), rr(1, 20));
    if (i % 4 == 0) run_lut(&D, i % 8 == 4 ? "pynq" : "tiny", rr(1, 40), rr(1, 30), rr(1, 30), rr(0, 3) == 0);
    if (i % 4 == 2)
      run_mul(&D, i % 8 == 6 ? "pynq" : "tiny", rr(1, 40), rr(1, 20), rr(1, 20), rr(0, 2) != 0, rr(0, 3) == 0);
    quiet_pa = 0;
  }
  zp_mode = 0;
  /* host-packed im2col inputs (first layers with few channels) */
  conv_random(&k, 3, 7, 15, 14, 7, 2, 3, 1, 0, 0);
  k.im2col = 1;
  run_conv(&D, "tiny", &k, 0, 0);
  conv_free(&k);
  conv_random(&k, 2, 5, 9, 11, 3, 1, 1, 2, 0, 1);
  k.im2col = 1;
  run_conv(&D, "tiny", &k, 0, 0);
  conv_free(&k);
  conv_random(&k, 3, 5, 11, 9, 5, 2, 2, 1, 0, 1);
  k.im2col = 1;
  k.p.x_zp = -37;
  k.p.y_zp = 11;
  k.p.res_zp = 100;
  run_conv(&D, "tiny", &k, 0, 0);
  conv_free(&k);
  conv_random(&k, 3, 24, 32, 30, 7, 2, 3, 1, 0, 0);
  k.im2col = 1;
  run_conv(&D, "pynq", &k, 0, 0);
  conv_free(&k);
  /* dense GEMM residual: a strided 1x1 conv over another tensor (ResNet's downsample fused),
   * per-channel fraction bits, zero points, some all-zero weight blocks */
  for (int v = 0; v < 6; v++) {
    const char *cn = v < 3 ? "tiny" : "pynq";
    int cin = 5 + 7 * v, cout = 6 + 9 * v, hh = 9 + v, ww = 8 + 2 * v, st = v % 2 ? 2 : 1;
    conv_random(&k, cin, cout, hh, ww, 3, st, 1, 1, 0, 0);
    int oh = cg_out_dim(hh, 3, st, 1, 1, 1), ow = cg_out_dim(ww, 3, st, 1, 1, 1);
    k.cres = 3 + 11 * v;
    k.rh = (oh - 1) * (v % 3 + 1) + 1 + v % 2;
    k.rw = (ow - 1) * (v % 3 + 1) + 1;
    k.p.res_s = v % 3 + 1;
    k.p.res = 0;
    k.res = malloc((size_t)k.cres * k.rh * k.rw);
    fill8(k.res, (size_t)k.cres * k.rh * k.rw, -128, 127);
    int8_t *rwt = malloc((size_t)cout * k.cres);
    uint8_t *rf = malloc((size_t)cout);
    fill8(rwt, (size_t)cout * k.cres, -128, 127);
    for (int o = 0; o < cout; o++) {
      if (o % 5 == 2) memset(rwt + (size_t)o * k.cres, 0, (size_t)k.cres);
      rf[o] = (uint8_t)rr(0, k.shift[o] < 9 ? k.shift[o] : 9);
    }
    k.p.res_w = rwt;
    k.p.res_fc = rf;
    k.p.res_zp = v % 2 ? rr(-128, 127) : 0;
    k.p.y_zp = v % 2 ? rr(-40, 40) : 0;
    run_conv(&D, cn, &k, v == 4, 0);
    free(rwt);
    free(rf);
    conv_free(&k);
  }
  /* pynq: a few bigger ones */
  conv_random(&k, 40, 70, 14, 13, 3, 1, 1, 1, 0, 1);
  run_conv(&D, "pynq", &k, 0, 0);
  conv_free(&k);
  for (int v = 0; v < 4; v++) { /* GEMM residual, with and without the constant pass */
    conv_random(&k, v < 2 ? 40 : 70, v < 2 ? 70 : 64, 14 + v, 13, v == 3 ? 1 : 3, 1, v == 3 ? 0 : 1, 1, 0, 1);
    k.p.res_f = 5;
    k.p.res_d = 100 - 37 * v;
    for (int o = 0; o < (v < 2 ? 70 : 64); o++) k.shift[o] = (uint8_t)(k.shift[o] < 5 ? 5 : k.shift[o]);
    k.p.res_zp = v & 1 ? -128 : 0;
    k.p.y_zp = v & 1 ? -128 : 0;
    k.p.lo = v & 1 ? -128 : 0;
    run_conv(&D, "pynq", &k, v == 2, 0);
    conv_free(&k);
  }
  conv_random(&k, 3, 20, 23, 22, 7, 2, 3, 1, 0, 0);
  run_conv(&D, "pynq", &k, 0, 0);
  conv_free(&k);
  conv_random(&k, 33, 33, 15, 15, 3, 2, 1, 1, 1, 0);
  run_conv(&D, "pynq", &k, 0, 0);
  conv_free(&k);
  conv_random(&k, 200, 100, 1, 1, 1, 1, 0, 1, 0, 0);
  run_conv(&D, "pynq", &k, 0, 0);
  conv_free(&k);

  /* pools and add */
  cg_pool mp = {0, 0, CG_POOL_MAX, 3, 3, 2, 2, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  run_pool(&D, "tiny", 6, 13, 12, mp);
  run_pool(&D, "pynq", 20, 17, 17, mp);
  cg_pool mp2 = {0, 0, CG_POOL_MAX, 2, 2, 2, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  run_pool(&D, "tiny", 9, 11, 9, mp2);
  cg_pool ap = {0, 0, CG_POOL_AVG, 3, 3, 1, 1, 1, 1, 1, 1, 0, 0, -128, 127, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  cg_quant_multiplier(1.0 / 9, &ap.mult, &ap.shift);
  run_pool(&D, "tiny", 5, 9, 10, ap);
  /* the padding left out of the average (TensorFlow's SAME average pools): 3x3 s1 p1 (window
   * counts 4, 6, 9: L = 6 a side), 5x5 s2 p2 with zero points, half to even (L = 60 a side) */
  ap.excl_pad = 1, ap.x_zp = -20, ap.y_zp = 7;
  cg_quant_multiplier(1.0 / 36, &ap.mult, &ap.shift);
  run_pool(&D, "tiny", 5, 9, 10, ap);
  run_pool(&D, "pynq", 40, 14, 13, ap);
  cg_pool ep = {0, 0, CG_POOL_AVG, 5, 5, 2, 2, 2, 2, 2, 2, 0, 0, -128, 127, 3, -5, 1, 0, 0, 0, 0, 0, 1};
  cg_quant_multiplier(1.0 / 3600, &ep.mult, &ep.shift);
  run_pool(&D, "pynq", 24, 15, 16, ep);
  run_pool(&D, "ultra96", 33, 11, 11, ep);
  cg_pool gp = {0, 0, CG_POOL_AVG, 7, 6, 1, 1, 0, 0, 0, 0, 0, 0, -100, 100, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  cg_quant_multiplier(1.0 / 42, &gp.mult, &gp.shift);
  run_pool(&D, "tiny", 11, 7, 6, gp);
  /* global average pools with zero points: sums on the GEMM core in chunks of whole blocks
   * (pynq 200 x 12 x 12: 7 blocks a chunk), of parts of a block (40 x 40, ties to even), on
   * tiny; with block_in < block_out (ultra96; tiny_bo8 in test_block_out2) a micro-op per slice
   * of a block */
  want_tiling = "sums on the GEMM core";
  cg_pool gz = {0, 0, CG_POOL_AVG, 12, 12, 1, 1, 0, 0, 0, 0, 0, 0, -128, 127, -90, -100, 0, 0, 0, 0, 0, 0, 0};
  cg_quant_multiplier(1.3 / 144, &gz.mult, &gz.shift);
  run_pool(&D, "pynq", 200, 12, 12, gz);
  run_pool(&D, "ultra96", 200, 12, 12, gz);
  gz.kh = gz.kw = 40, gz.half_even = 1, gz.x_zp = 17, gz.y_zp = 5;
  cg_quant_multiplier(1.0 / 2048, &gz.mult, &gz.shift);
  run_pool(&D, "pynq", 20, 40, 40, gz);
  run_pool(&D, "ultra96", 50, 40, 40, gz);
  gz.kh = gz.kw = 3, gz.half_even = 0;
  cg_quant_multiplier(0.7 / 9, &gz.mult, &gz.shift);
  run_pool(&D, "tiny", 30, 3, 3, gz);
  run_pool(&D, "ultra96", 40, 3, 3, gz);
  want_tiling = NULL;
  run_add(&D, "tiny", 7, 9, 10);
  run_add(&D, "pynq", 40, 12, 11);

  /* nearest upsampling (Resize) by 2x2, and by other factors, over views too on pynq */
  static const int ups[][6] = {{5, 7, 9, 2, 2, 0}, {9, 13, 6, 3, 1, 0}, {20, 4, 40, 2, 2, 0}, {40, 10, 12, 2, 2, 1},
                               {17, 28, 28, 2, 2, 1}, {3, 1, 1, 4, 4, 1}};
  for (size_t i = 0; i < sizeof ups / sizeof ups[0]; i++) {
    cg_pool up = {0, 0, CG_POOL_UP, 1, 1, ups[i][3], ups[i][4], 0, 0, 0, 0, 0, 0, -128, 127, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    run_pool(&D, ups[i][5] ? "pynq" : "tiny", ups[i][0], ups[i][1], ups[i][2], up);
  }
  test_d2s(&D, nrand);
  test_bil(&D, nrand);
  run_net(&D, "tiny", 0);
  run_net(&D, "tiny", 1);
  run_net(&D, "pynq", 0);
  run_net(&D, "ultra96", 0);
  run_chain(&D, "tiny");
  run_view(&D, "tiny");
  run_view(&D, "pynq");
  run_chain(&D, "pynq");
  conv_random(&k, 30, 50, 16, 17, 3, 2, 1, 1, 0, 1);
  run_conv(&D, "ultra96", &k, 0, 0);
  conv_free(&k);

  /* latency hiding beats the serialized schedule (same tiles) */
  conv_random(&k, 8, 8, 12, 12, 3, 1, 1, 1, 0, 0);
  uint64_t lh = run_conv(&D, "tiny", &k, 0, 0), ser = run_conv(&D, "tiny", &k, 1, 0);
  CHECK(lh > 0 && ser > 0 && lh < ser, "tiny latency hiding %llu cycles, serialized %llu",
        (unsigned long long)lh, (unsigned long long)ser);
  conv_free(&k);
  conv_random(&k, 64, 64, 28, 28, 3, 1, 1, 1, 0, 0);
  lh = run_conv(&D, "pynq", &k, 0, 0);
  ser = run_conv(&D, "pynq", &k, 1, 0);
  CHECK(lh > 0 && ser > 0 && lh * 20 < ser * 19, "pynq latency hiding %llu cycles, serialized %llu",
        (unsigned long long)lh, (unsigned long long)ser);
  conv_free(&k);

  test_dwgemm(&D, nrand);
  drv_close(D.tiny);
  drv_close(D.pynq);
  test_block_out2(&D, nrand / 2);
  drv_close(D.ultra96);
  if (D.bo8) drv_close(D.bo8);
  return TEST_END();
}
