/* tests/bench_cg.c -- ResNet-18's layer shapes (224x224 input) through the back end with random
 * int8 weights on the pynq config (or another: bench_cg [config] [--lh-only]), run on fsim:
 * per distinct layer its shape, how often ResNet-18 has it, MACs, ideal cycles (MACs / (BLOCK_IN
 * x BLOCK_OUT)), the cost model's prediction, fsim's cycles and GEMM utilization, with latency
 * hiding and serialized; then the totals over the whole network. Every output is also checked
 * against the plain-C reference (a mismatch fails the bench).
 * Then the whole network (conv1 on an im2col input, maxpool, the basic blocks with fused
 * residuals and downsample convs, global average pooling, fc) as one program, every tensor
 * checked against the reference chain.
 * Options: [config] (default pynq), --lh-only (skip the serialized runs), --layers-only (skip
 * the whole network), --exhaustive (the
 * tiler evaluates more candidates), --json FILE (the table as JSON). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cg.h"
#include "dlvta_drv.h"
#include "testutil.h"

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint32_t rnd(void) {
  return (uint32_t)(tu_xorshift64(&rng) >> 11);
}

typedef struct shape {
  const char *name;
  int count;                  /* occurrences in ResNet-18 */
  int kind;                   /* 0 conv, 1 maxpool, 2 global avgpool */
  int cin, cout, h, w, k, s, pad, res;
  int im2col;                 /* input packed host-side as im2col (cg.h) */
} shape;

static const shape net[] = {
    {"conv1", 1, 0, 3, 64, 224, 224, 7, 2, 3, 0, 1},
    {"conv1 unpack", 0, 0, 3, 64, 224, 224, 7, 2, 3, 0, 0},
    {"maxpool", 1, 1, 64, 64, 112, 112, 3, 2, 1, 0, 0},
    {"l1 3x3", 2, 0, 64, 64, 56, 56, 3, 1, 1, 0, 0},
    {"l1 3x3+res", 2, 0, 64, 64, 56, 56, 3, 1, 1, 1, 0},
    {"l2 3x3/2", 1, 0, 64, 128, 56, 56, 3, 2, 1, 0, 0},
    {"l2 ds 1x1/2", 1, 0, 64, 128, 56, 56, 1, 2, 0, 0, 0},
    {"l2 3x3", 1, 0, 128, 128, 28, 28, 3, 1, 1, 0, 0},
    {"l2 3x3+res", 2, 0, 128, 128, 28, 28, 3, 1, 1, 1, 0},
    {"l3 3x3/2", 1, 0, 128, 256, 28, 28, 3, 2, 1, 0, 0},
    {"l3 ds 1x1/2", 1, 0, 128, 256, 28, 28, 1, 2, 0, 0, 0},
    {"l3 3x3", 1, 0, 256, 256, 14, 14, 3, 1, 1, 0, 0},
    {"l3 3x3+res", 2, 0, 256, 256, 14, 14, 3, 1, 1, 1, 0},
    {"l4 3x3/2", 1, 0, 256, 512, 14, 14, 3, 2, 1, 0, 0},
    {"l4 ds 1x1/2", 1, 0, 256, 512, 14, 14, 1, 2, 0, 0, 0},
    {"l4 3x3", 1, 0, 512, 512, 7, 7, 3, 1, 1, 0, 0},
    {"l4 3x3+res", 2, 0, 512, 512, 7, 7, 3, 1, 1, 1, 0},
    {"avgpool", 1, 2, 512, 512, 7, 7, 7, 1, 0, 0, 0},
    {"fc", 1, 0, 512, 1000, 1, 1, 1, 1, 0, 0, 0},
};

typedef struct result {
  uint64_t macs, ideal, pred, cycles, gmacs;
  int ok;
} result;

/* Build one layer as a one-layer net, run it on fsim and check it against the reference. */
static int exhaustive;

static result run_layer(drv_dev *dev, const isa_config *cfg, const shape *s, int no_lh,
                        char *tiling, size_t tn) {
  result r;
  memset(&r, 0, sizeof r);
  cg_net *nt = cg_net_new(cfg);
  int oh = cg_out_dim(s->h, s->k, s->s, 1, s->pad, s->pad);
  int ow = cg_out_dim(s->w, s->k, s->s, 1, s->pad, s->pad);
  size_t nin = (size_t)s->cin * s->h * s->w, nout = (size_t)s->cout * oh * ow;
  int8_t *in = malloc(nin), *res = NULL, *got = malloc(nout), *want = malloc(nout);
  for (size_t i = 0; i < nin; i++) in[i] = (int8_t)(rnd() & 0xff);
  int tr = -1, ti;
  if (s->im2col) {
    cg_conv g;
    memset(&g, 0, sizeof g);
    g.kh = g.kw = s->k;
    g.sh = g.sw = s->s;
    g.dh = g.dw = 1;
    g.pad_t = g.pad_l = g.pad_b = g.pad_r = s->pad;
    ti = cg_net_tensor_im2col(nt, s->cin, s->h, s->w, &g);
  } else {
    ti = cg_net_tensor(nt, s->cin, s->h, s->w);
  }
  if (s->res) {
    tr = cg_net_tensor(nt, s->cout, oh, ow);
    res = malloc(nout);
    for (size_t i = 0; i < nout; i++) res[i] = (int8_t)(rnd() & 0xff);
  }
  int to = cg_net_tensor(nt, s->cout, oh, ow);
  cg_conv cp;
  cg_pool pp;
  int8_t *w = NULL;
  int32_t *bias = NULL;
  int32_t *mult = NULL;
  uint8_t *shift = NULL;
  int li;
  if (s->kind == 0) {
    size_t nw = (size_t)s->cout * s->cin * s->k * s->k;
    w = malloc(nw);
    bias = malloc((size_t)s->cout * 4);
    mult = malloc((size_t)s->cout * sizeof *mult);
    shift = malloc((size_t)s->cout);
    for (size_t i = 0; i < nw; i++) w[i] = (int8_t)(rnd() & 0xff);
    for (int o = 0; o < s->cout; o++) {
      int sh;
      cg_quant_multiplier(1.0 / (sqrt((double)s->cin * s->k * s->k) * 110.0), &mult[o], &sh);
      shift[o] = (uint8_t)sh;
      bias[o] = (int32_t)(rnd() % 20001) - 10000;
    }
    memset(&cp, 0, sizeof cp);
    cp.in = ti;
    cp.out = to;
    cp.res = tr;
    cp.kh = cp.kw = s->k;
    cp.sh = cp.sw = s->s;
    cp.dh = cp.dw = 1;
    cp.pad_t = cp.pad_l = cp.pad_b = cp.pad_r = s->pad;
    cp.groups = 1;
    cp.weight = w;
    cp.bias = bias;
    cp.mult = mult;
    cp.shift = shift;
    cg_quant_multiplier(0.8, &cp.res_mult, &cp.res_shift);
    cp.lo = 0;
    cp.hi = 127;
    li = cg_net_add_conv(nt, &cp);
  } else {
    memset(&pp, 0, sizeof pp);
    pp.in = ti;
    pp.out = to;
    pp.kind = s->kind == 1 ? CG_POOL_MAX : CG_POOL_AVG;
    pp.kh = pp.kw = s->k;
    pp.sh = pp.sw = s->s;
    pp.pad_t = pp.pad_l = pp.pad_b = pp.pad_r = s->pad;
    cg_quant_multiplier(1.0 / (s->k * s->k), &pp.mult, &pp.shift);
    pp.lo = -128;
    pp.hi = 127;
    li = cg_net_add_pool(nt, &pp);
  }
  cg_opts o;
  cg_opts_default(&o);
  o.no_latency_hiding = no_lh;
  o.exhaustive = exhaustive;
  isa_prog prog;
  memset(&prog, 0, sizeof prog);
  if (li < 0 || cg_net_build(nt, &o, &prog) != CG_OK) {
    printf("FAIL %s: %s\n", s->name, cg_net_error(nt));
    goto out;
  }
  cg_pack(nt, ti, in, prog.image);
  if (tr >= 0) cg_pack(nt, tr, res, prog.image);
  uint8_t *img = malloc(prog.image_bytes);
  int rc = drv_run_prog(dev, &prog, img, 0);
  if (rc != DRV_OK) {
    printf("FAIL %s: run: %s: %s\n", s->name, drv_strerror(rc), drv_last_error(dev)->message);
    free(img);
    goto out;
  }
  drv_counters c;
  drv_counters_read(dev, &c);
  cg_unpack(nt, to, img, got);
  free(img);
  if (s->kind == 0) cg_ref_conv(&cp, s->cin, s->h, s->w, s->cout, in, res, want);
  else cg_ref_pool(&pp, s->cin, s->h, s->w, in, want);
  size_t bad = 0;
  for (size_t i = 0; i < nout; i++) bad += got[i] != want[i];
  if (bad) printf("FAIL %s: %zu of %zu output bytes differ from the reference\n", s->name, bad, nout);
  cg_layer_info inf;
  cg_net_layer_info(nt, 0, &inf);
  r.macs = inf.macs;
  r.ideal = inf.ideal_cycles;
  r.pred = inf.predicted_cycles;
  r.cycles = c.cycles;
  r.gmacs = c.macs;
  r.ok = bad == 0;
  snprintf(tiling, tn, "%s", inf.tiling);
out:
  isa_prog_free(&prog);
  free(in);
  free(res);
  free(got);
  free(want);
  free(w);
  free(bias);
  free(mult);
  free(shift);
  cg_net_free(nt);
  return r;
}

/* ---- the whole network as one program -------------------------------------------------- */
#define MAXL 32

typedef struct rnet {
  cg_net *net;
  int n;                        /* layers */
  int kind[MAXL];               /* 0 conv, 1 pool */
  cg_conv cv[MAXL];
  cg_pool pl[MAXL];
  int cin[MAXL], h[MAXL], w[MAXL];
  void *mem[4 * MAXL];
  int nmem;
} rnet;

static void *keep(rnet *r, size_t n) {
  void *p = malloc(n);
  r->mem[r->nmem++] = p;
  return p;
}

/* Add a conv with random weights from tensor in to a new tensor; returns the new tensor id. */
static int rconv(rnet *r, int in, int cout, int k, int st, int res, int relu, int im2col_c) {
  int cin, h, w;
  cg_tensor_shape(r->net, in, &cin, &h, &w);
  int pad = k / 2, oh = cg_out_dim(h, k, st, 1, pad, pad), ow = cg_out_dim(w, k, st, 1, pad, pad);
  (void)im2col_c;
  int out = cg_net_tensor(r->net, cout, oh, ow);
  cg_conv *p = &r->cv[r->n];
  memset(p, 0, sizeof *p);
  size_t nw = (size_t)cout * cin * k * k;
  int8_t *wt = keep(r, nw);
  int32_t *bias = keep(r, (size_t)cout * 4);
  int32_t *mult = keep(r, (size_t)cout * sizeof *mult);
  uint8_t *shift = keep(r, (size_t)cout);
  for (size_t i = 0; i < nw; i++) wt[i] = (int8_t)((int)(rnd() % 61) - 30);
  for (int o = 0; o < cout; o++) {
    int sh;
    cg_quant_multiplier(1.0 / (sqrt((double)cin * k * k) * 16.0), &mult[o], &sh);
    shift[o] = (uint8_t)sh;
    bias[o] = (int32_t)(rnd() % 2001) - 1000;
  }
  p->in = in;
  p->out = out;
  p->res = res;
  p->kh = p->kw = k;
  p->sh = p->sw = st;
  p->dh = p->dw = 1;
  p->pad_t = p->pad_l = p->pad_b = p->pad_r = pad;
  p->groups = 1;
  p->weight = wt;
  p->bias = bias;
  p->mult = mult;
  p->shift = shift;
  cg_quant_multiplier(0.75, &p->res_mult, &p->res_shift);
  p->lo = relu ? 0 : -128;
  p->hi = 127;
  r->kind[r->n] = 0;
  r->cin[r->n] = cin;
  r->h[r->n] = h;
  r->w[r->n] = w;
  if (cg_net_add_conv(r->net, p) < 0) printf("FAIL resnet conv: %s\n", cg_net_error(r->net));
  r->n++;
  return out;
}

static int rpool(rnet *r, int in, int kind, int k, int st, int pad) {
  int c, h, w;
  cg_tensor_shape(r->net, in, &c, &h, &w);
  int oh = cg_out_dim(h, k, st, 1, pad, pad), ow = cg_out_dim(w, k, st, 1, pad, pad);
  int out = cg_net_tensor(r->net, c, oh, ow);
  cg_pool *p = &r->pl[r->n];
  memset(p, 0, sizeof *p);
  p->in = in;
  p->out = out;
  p->kind = kind;
  p->kh = p->kw = k;
  p->sh = p->sw = st;
  p->pad_t = p->pad_l = p->pad_b = p->pad_r = pad;
  cg_quant_multiplier(1.0 / (k * k), &p->mult, &p->shift);
  p->lo = -128;
  p->hi = 127;
  r->kind[r->n] = 1;
  r->cin[r->n] = c;
  r->h[r->n] = h;
  r->w[r->n] = w;
  if (cg_net_add_pool(r->net, p) < 0) printf("FAIL resnet pool: %s\n", cg_net_error(r->net));
  r->n++;
  return out;
}

/* ResNet-18 (224x224, random weights) as one program on fsim, checked against the reference
 * chain; returns 1 if every tensor matches. */
static int run_resnet18(drv_dev *dev, const isa_config *cfg, int no_lh) {
  rnet r;
  memset(&r, 0, sizeof r);
  r.net = cg_net_new(cfg);
  cg_conv g;
  memset(&g, 0, sizeof g);
  g.kh = g.kw = 7;
  g.sh = g.sw = 2;
  g.dh = g.dw = 1;
  g.pad_t = g.pad_l = g.pad_b = g.pad_r = 3;
  int x = cg_net_tensor_im2col(r.net, 3, 224, 224, &g);
  int t = rconv(&r, x, 64, 7, 2, -1, 1, 3);
  t = rpool(&r, t, CG_POOL_MAX, 3, 2, 1);
  static const int chans[4] = {64, 128, 256, 512};
  for (int st = 0; st < 4; st++)
    for (int b = 0; b < 2; b++) {
      int stride = st > 0 && b == 0 ? 2 : 1;
      int sc = t;
      int a = rconv(&r, t, chans[st], 3, stride, -1, 1, 0);
      if (stride == 2) sc = rconv(&r, t, chans[st], 1, 2, -1, 0, 0);
      t = rconv(&r, a, chans[st], 3, 1, sc, 1, 0);
    }
  t = rpool(&r, t, CG_POOL_AVG, 7, 1, 0);
  int y = rconv(&r, t, 1000, 1, 1, -1, 0, 0);
  cg_opts o;
  cg_opts_default(&o);
  o.no_latency_hiding = no_lh;
  isa_prog prog;
  int ok = 0;
  if (cg_net_build(r.net, &o, &prog) != CG_OK) {
    printf("FAIL resnet build: %s\n", cg_net_error(r.net));
    goto out;
  }
  int8_t *in = malloc(3 * 224 * 224);
  for (int i = 0; i < 3 * 224 * 224; i++) in[i] = (int8_t)(rnd() & 0xff);
  cg_pack(r.net, x, in, prog.image);
  uint8_t *img = malloc(prog.image_bytes);
  int rc = drv_run_prog(dev, &prog, img, 0);
  drv_counters c;
  drv_counters_read(dev, &c);
  if (rc != DRV_OK) {
    printf("FAIL resnet run: %s: %s\n", drv_strerror(rc), drv_last_error(dev)->message);
  } else {
    /* reference chain over every layer, tensors compared one by one */
    int nt = 0, bad_t = 0;
    int8_t *val[2 * MAXL] = {0};
    int ids[2 * MAXL];
    val[0] = in;
    ids[0] = x;
    nt = 1;
    uint64_t pred = 0;
    for (int i = 0; i < r.n; i++) {
      cg_layer_info li;
      cg_net_layer_info(r.net, i, &li);
      pred += li.predicted_cycles;
      int inid = r.kind[i] ? r.pl[i].in : r.cv[i].in, outid = r.kind[i] ? r.pl[i].out : r.cv[i].out;
      int8_t *src = NULL, *res = NULL;
      for (int k = 0; k < nt; k++) {
        if (ids[k] == inid) src = val[k];
        if (!r.kind[i] && ids[k] == r.cv[i].res) res = val[k];
      }
      int oc, oh, ow;
      cg_tensor_shape(r.net, outid, &oc, &oh, &ow);
      int8_t *dst = malloc((size_t)oc * oh * ow), *got = malloc((size_t)oc * oh * ow);
      if (r.kind[i]) cg_ref_pool(&r.pl[i], r.cin[i], r.h[i], r.w[i], src, dst);
      else cg_ref_conv(&r.cv[i], r.cin[i], r.h[i], r.w[i], oc, src, res, dst);
      cg_unpack(r.net, outid, img, got);
      size_t bad = 0, nz = 0;
      for (size_t k = 0; k < (size_t)oc * oh * ow; k++) {
        bad += got[k] != dst[k];
        nz += dst[k] != 0 && dst[k] != 127 && dst[k] != -128;
      }
      if (getenv("BENCH_CG_VERBOSE"))
        printf("  layer %2d %-40s %5.1f%% of outputs unsaturated non-zero\n", i, li.desc,
               100.0 * nz / ((double)oc * oh * ow));
      if (bad) {
        bad_t++;
        printf("FAIL resnet layer %d (%s): %zu bytes differ\n", i, li.desc, bad);
      }
      free(got);
      val[nt] = dst;
      ids[nt++] = outid;
    }
    ok = bad_t == 0;
    printf("ResNet-18 whole network, one program (%u instructions, image %.1f MB)%s: fsim %.3f M "
           "cycles, predicted %.3f M, GEMM utilization %.1f%%, %s\n",
           prog.n_insns, prog.image_bytes / 1048576.0, no_lh ? " serialized" : "", c.cycles / 1e6,
           pred / 1e6, 100.0 * c.macs / ((double)c.cycles * cfg->d.block_in * cfg->d.block_out),
           ok ? "every tensor matches the reference" : "MISMATCH");
    for (int k = 1; k < nt; k++) free(val[k]);
    (void)y;
  }
  free(img);
  free(in);
  isa_prog_free(&prog);
out:
  for (int i = 0; i < r.nmem; i++) free(r.mem[i]);
  cg_net_free(r.net);
  return ok;
}

int main(int argc, char **argv) {
  const char *cname = "pynq";
  int lh_only = 0, layers_only = 0;
  const char *json = NULL;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--lh-only")) lh_only = 1;
    else if (!strcmp(argv[i], "--exhaustive")) exhaustive = 1;
    else if (!strcmp(argv[i], "--layers-only")) layers_only = 1;
    else if (!strcmp(argv[i], "--json") && i + 1 < argc) json = argv[++i];
    else cname = argv[i];
  }
  const isa_config *cfg = isa_config_find(cname);
  drv_dev *dev;
  if (!cfg || drv_open("fsim", cname, NULL, &dev) != DRV_OK) {
    printf("FAIL cannot open fsim with config %s: %s\n", cname, drv_open_error());
    return 1;
  }
  double bb = (double)cfg->d.block_in * cfg->d.block_out;
  printf("ResNet-18 layer shapes on %s (fsim), random int8 weights; util = GEMM MACs / (cycles x %g)\n",
         cname, bb);
  printf("n: occurrences in ResNet-18 (totals weight by it); conv1 reads a host-packed im2col input\n");
  printf("%-12s %3s %-18s %11s %9s | %9s %9s %6s | %9s %6s | %s\n", "layer", "n", "shape", "MACs",
         "ideal", "pred", "fsim", "util", "serial", "util", "tiling (latency hiding)");
  FILE *jf = json ? fopen(json, "w") : NULL;
  if (json && !jf) printf("note: cannot write %s\n", json);
  if (jf) fprintf(jf, "{\"config\": \"%s\", \"layers\": [\n", cname);
  uint64_t tot_macs = 0, tot_ideal = 0, tot_pred = 0, tot_cy = 0, tot_ser = 0, conv_cy = 0,
           conv_gm = 0;
  int fails = 0;
  for (size_t i = 0; i < sizeof net / sizeof net[0]; i++) {
    const shape *s = &net[i];
    char tiling[160] = "", t2[160];
    result a = run_layer(dev, cfg, s, 0, tiling, sizeof tiling);
    result b = {0, 0, 0, 0, 0, 1};
    if (!lh_only) b = run_layer(dev, cfg, s, 1, t2, sizeof t2);
    fails += !a.ok + !b.ok;
    char shp[40];
    int oh = cg_out_dim(s->h, s->k, s->s, 1, s->pad, s->pad);
    snprintf(shp, sizeof shp, "%dx%d %d>%d k%d/%d", oh, oh, s->cin, s->cout, s->k, s->s);
    double ua = a.cycles ? a.gmacs / (a.cycles * bb) : 0, ub = b.cycles ? b.gmacs / (b.cycles * bb) : 0;
    printf("%-12s %3d %-18s %11llu %9llu | %9llu %9llu %5.1f%% | %9llu %5.1f%% | %s\n", s->name,
           s->count, shp, (unsigned long long)a.macs, (unsigned long long)a.ideal,
           (unsigned long long)a.pred, (unsigned long long)a.cycles, 100 * ua,
           (unsigned long long)b.cycles, 100 * ub, tiling);
    fflush(stdout);
    if (jf)
      fprintf(jf,
              "%s  {\"layer\": \"%s\", \"count\": %d, \"shape\": \"%s\", \"macs\": %llu, "
              "\"ideal\": %llu, \"predicted\": %llu, \"fsim\": %llu, \"util\": %.4f, "
              "\"serial\": %llu, \"tiling\": \"%s\"}",
              i ? ",\n" : "", s->name, s->count, shp, (unsigned long long)a.macs,
              (unsigned long long)a.ideal, (unsigned long long)a.pred, (unsigned long long)a.cycles,
              ua, (unsigned long long)b.cycles, tiling);
    tot_macs += a.macs * s->count;
    tot_ideal += a.ideal * s->count;
    tot_pred += a.pred * s->count;
    tot_cy += a.cycles * s->count;
    tot_ser += b.cycles * s->count;
    if (s->kind == 0 && s->k > 1 && strncmp(s->name, "conv1", 5)) {
      conv_cy += a.cycles * s->count;
      conv_gm += a.gmacs * s->count;
    }
  }
  printf("%-12s %3s %-18s %11llu %9llu | %9llu %9llu %6s | %9llu\n", "total", "", "",
         (unsigned long long)tot_macs, (unsigned long long)tot_ideal, (unsigned long long)tot_pred,
         (unsigned long long)tot_cy, "", (unsigned long long)tot_ser);
  printf("3x3 convs (l1..l4): GEMM utilization %.1f%% over %llu cycles\n",
         conv_cy ? 100.0 * conv_gm / (conv_cy * bb) : 0.0, (unsigned long long)conv_cy);
  printf("ResNet-18 total: %.3f M cycles with latency hiding (prediction %.3f M), %.3f M serialized; ideal %.3f M\n",
         tot_cy / 1e6, tot_pred / 1e6, tot_ser / 1e6, tot_ideal / 1e6);
  if (!layers_only) {
    fails += !run_resnet18(dev, cfg, 0);
    if (!lh_only) fails += !run_resnet18(dev, cfg, 1);
  }
  if (jf) {
    fprintf(jf, "\n], \"total\": {\"macs\": %llu, \"ideal\": %llu, \"predicted\": %llu, "
                "\"fsim\": %llu, \"serial\": %llu}}\n",
            (unsigned long long)tot_macs, (unsigned long long)tot_ideal,
            (unsigned long long)tot_pred, (unsigned long long)tot_cy, (unsigned long long)tot_ser);
    fclose(jf);
  }
  drv_close(dev);
  printf("%d passed, %d failed\n", fails ? 0 : 1, fails ? 1 : 0);
  return fails ? 1 : 0;
}
