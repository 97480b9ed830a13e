/* cli/dse_model.c -- the resource and clock models of `dlvta dse` (dse.h; hw/DSE.md).
 *
 * DSPs: the GEMM core makes two int8 products per DSP slice a slice cycle, so BATCH x BLOCK_IN x
 * BLOCK_OUT / 2 slices at the core clock, half that with gemm_pump 2 (the slices on clk2x, twice
 * the core clock: four products a core cycle each), each ALU lane (BATCH x BLOCK_OUT of them) one
 * 32x16 multiplier of two slices, plus three range checks (rtl/REGS.md). Block RAM: each buffer
 * as yosys's memory_libmap packs it (the cheapest RAMB18/RAMB36 aspect ratio; buffers under 128
 * deep go to LUT RAM), the accumulator once per copy. LUTs and FFs: a least-squares fit
 * a + c x MACs / gemm_pump + b x lanes to the synthesis results below (the GEMM's adder trees
 * and pipeline registers scale with its slices, not its MACs: an approximation for pumped
 * configs, none of which is among the points). Clock: the board config's `make timing` estimate
 * (cli/fmax.def, which `dlvta run` reads too; the worst paths are control paths that do not
 * depend on the GEMM shape) less the routing delay of a wider broadcast (hw/TIMING.md's delay
 * model: 0.08 ns per doubling of fanout) for configs with more MACs than the base; the GEMM
 * pump is not a term (the clk2x domain is the registered DSP slices alone).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "dse.h"

static const dse_board boards[] = {
    /* xc7z020: 53,200 LUT, 106,400 FF, 220 DSP48E1, 140 BRAM36; HP ports 64 bits */
    {"pynq", "xc7", "xc7z020", "pynq", 53200, 106400, 220, 140, 64},
    /* xczu3eg: 70,560 LUT, 141,120 FF, 360 DSP48E2, 216 BRAM36; HP ports 128 bits */
    {"ultra96", "xcup", "xczu3eg", "ultra96", 70560, 141120, 360, 216, 128},
};
#define N_BOARDS ((int)(sizeof boards / sizeof boards[0]))

const dse_board *dse_board_find(const char *name) {
  for (int i = 0; name && i < N_BOARDS; i++)
    if (!strcmp(boards[i].name, name)) return &boards[i];
  return NULL;
}

const char *dse_board_names(void) { return "pynq, ultra96"; }

/* ---- calibration points: `make synth` (yosys 0.23 synth_xilinx -flatten), resreport's counts.
 * Each: the config (a built-in name, or the text of its config file), then LUT, FF, DSP, BRAM36
 * as measured, and the run. Add a row after a synthesis of a new config; the fit follows. */
typedef struct point_src {
  const char *name, *cfg_text; /* cfg_text NULL: the built-in config `name` */
  double lut, ff, dsp, bram;
  const char *source;
} point_src;

static const point_src point_srcs[] = {
#include "dse_points.def"
};
#define N_POINTS ((int)(sizeof point_srcs / sizeof point_srcs[0]))

static dse_point points[N_POINTS];
static int points_ready;

static void init_points(void) {
  if (points_ready) return;
  for (int i = 0; i < N_POINTS; i++) {
    const point_src *s = &point_srcs[i];
    dse_point *p = &points[i];
    static char names[N_POINTS][ISA_CONFIG_NAME_MAX + 1];
    p->name = s->name, p->source = s->source;
    p->meas = (dse_res){s->lut, s->ff, s->dsp, s->bram};
    if (s->cfg_text) {
      char err[256];
      isa_config c;
      memset(&c, 0, sizeof c);
      int rc = isa_config_parse(s->cfg_text, s->name, &p->keys, names[i], sizeof names[i], err, sizeof err);
      if (!rc) rc = isa_config_derive(&p->keys, &c, err, sizeof err); /* the derived depths too */
      if (rc) fprintf(stderr, "dse: calibration point %s: %s\n", s->name, err);
      else p->keys = c.d;
    } else {
      const isa_config *c = isa_config_find(s->name);
      if (c) p->keys = c->d;
    }
  }
  points_ready = 1;
}

int dse_points(const dse_point **out) {
  init_points();
  *out = points;
  return N_POINTS;
}

/* ---- block RAM ------------------------------------------------------------------------------ */
double dse_buffer_bram(unsigned depth, unsigned w) {
  if (depth < 128) return 0; /* LUT RAM */
  /* simple dual port aspect ratios: RAMB18 (cost 1 half) and RAMB36 (cost 2 halves) */
  static const unsigned r18[][2] = {{16384, 1}, {8192, 2}, {4096, 4}, {2048, 9}, {1024, 18}, {512, 36}};
  static const unsigned r36[][2] = {{32768, 1}, {16384, 2}, {8192, 4}, {4096, 9}, {2048, 18}, {1024, 36}, {512, 72}};
  double best = 1e30;
  for (size_t i = 0; i < sizeof r18 / sizeof r18[0]; i++) {
    double n = ceil((double)depth / r18[i][0]) * ceil((double)w / r18[i][1]);
    if (n < best) best = n;
  }
  for (size_t i = 0; i < sizeof r36 / sizeof r36[0]; i++) {
    double n = 2 * ceil((double)depth / r36[i][0]) * ceil((double)w / r36[i][1]);
    if (n < best) best = n;
  }
  return best / 2;
}

static double bram_of(const isa_derived *d) {
  return dse_buffer_bram(d->uop_depth, 32) + dse_buffer_bram(d->inp_depth, d->batch * d->block_in * d->inp_bits) +
         dse_buffer_bram(d->wgt_depth, d->block_out * d->block_in * d->wgt_bits) +
         d->acc_copies * dse_buffer_bram(d->acc_depth, d->batch * d->block_out * d->acc_bits) +
         dse_buffer_bram(d->out_depth, d->batch * d->block_out * d->out_bits);
}

static double dsp_of(const isa_derived *d) {
  return ceil(d->batch * d->block_in * d->block_out / (2.0 * d->gemm_pump)) + 2.0 * d->batch * d->block_out + 3;
}

/* ---- LUT and FF fit ----------------------------------------------------------------------- */
/* 1, the GEMM's MACs per slice cycle (S = MACs / gemm_pump: what its slices, adder trees and
 * pipeline registers scale with), the lanes, and (gemm_pump - 1) * S: what a pumped GEMM adds per
 * slice (the clk2x operand selects and registers, the longer window, rtl/dlvta_gemm.v) */
#define NF 4
static void features(const isa_derived *d, double x[NF]) {
  double s = (double)d->batch * d->block_in * d->block_out / d->gemm_pump;
  x[0] = 1, x[1] = s, x[2] = (double)d->batch * d->block_out, x[3] = (d->gemm_pump - 1) * s;
}

/* Least squares of y = x . coef over the points (skip: a point left out, or -1) with the terms
 * of mask (bit t: feature t; the others 0): 0, or -1 if the points do not determine them. */
static int fit_mask(int which, int skip, unsigned mask, double coef[NF]) {
  double a[NF][NF + 1] = {{0}};
  for (int t = 0; t < NF; t++) coef[t] = 0;
  for (int i = 0; i < N_POINTS; i++) {
    if (i == skip) continue;
    double x[NF], y = which ? points[i].meas.ff : points[i].meas.lut;
    features(&points[i].keys, x);
    for (int r = 0; r < NF; r++) {
      if (!(mask >> r & 1)) continue;
      for (int c = 0; c < NF; c++)
        if (mask >> c & 1) a[r][c] += x[r] * x[c];
      a[r][NF] += x[r] * y;
    }
  }
  for (int r = 0; r < NF; r++)
    if (!(mask >> r & 1)) a[r][r] = 1; /* a term left out: coef 0 */
  double scale = 0;
  for (int r = 0; r < NF; r++) scale = fmax(scale, fabs(a[r][r]));
  for (int c = 0; c < NF; c++) { /* Gauss-Jordan with partial pivoting */
    int p = c;
    for (int r = c + 1; r < NF; r++)
      if (fabs(a[r][c]) > fabs(a[p][c])) p = r;
    for (int j = 0; j <= NF; j++) {
      double t = a[c][j];
      a[c][j] = a[p][j], a[p][j] = t;
    }
    if (fabs(a[c][c]) < 1e-9 * (1 + scale)) return -1;
    for (int r = 0; r < NF; r++) {
      if (r == c) continue;
      double f = a[r][c] / a[c][c];
      for (int j = c; j <= NF; j++) a[r][j] -= f * a[c][j];
    }
  }
  for (int r = 0; r < NF; r++) coef[r] = a[r][NF] / a[r][r];
  return 0;
}

/* Every term the points determine, dropping first the pump's (no pumped point), then the lanes',
 * then the constant: a + c*S + b*lanes + p*(pump-1)*S, a + c*S + b*lanes, a + c*S, c*S. */
static void fit(int which, int skip, double coef[NF]) {
  static const unsigned masks[] = {0xf, 0x7, 0x3, 0x2};
  for (size_t k = 0; k < sizeof masks / sizeof masks[0]; k++)
    if (!fit_mask(which, skip, masks[k], coef)) return;
}

static double lut_coef[NF], ff_coef[NF];
static int fit_ready;

static double apply(const double coef[NF], const isa_derived *d) {
  double x[NF], y = 0;
  features(d, x);
  for (int t = 0; t < NF; t++) y += coef[t] * x[t];
  return y;
}

void dse_resources(const isa_derived *d, dse_res *out) {
  init_points();
  if (!fit_ready) fit(0, -1, lut_coef), fit(1, -1, ff_coef), fit_ready = 1;
  out->lut = apply(lut_coef, d);
  out->ff = apply(ff_coef, d);
  out->dsp = dsp_of(d);
  out->bram = bram_of(d);
}

double dse_fmax(const isa_derived *d, const dse_board *b) {
  const isa_config *base = isa_config_find(b->base_config);
  double f = cli_fmax_mhz(b->base_config, NULL); /* cli/fmax.def: the base config's estimate */
  if (!(f > 0)) f = base ? base->d.clock_mhz : 100;
  double period = 1000.0 / f;
  double macs = (double)d->batch * d->block_out * d->block_in, base_macs = 256;
  if (base) base_macs = (double)base->d.batch * base->d.block_out * base->d.block_in;
  if (macs > base_macs) period += 0.08 * log2(macs / base_macs);
  return 1000.0 / period;
}

void dse_print_model_error(FILE *f) {
  init_points();
  dse_res all;
  fprintf(f, "%-8s %-8s %18s %18s %14s %16s  source\n", "point", "gemm", "LUT meas/pred", "FF meas/pred",
          "DSP meas/pred", "BRAM36 meas/pred");
  double worst[4] = {0};
  for (int i = 0; i < N_POINTS; i++) {
    const dse_point *p = &points[i];
    double lc[NF], fc[NF];
    fit(0, i, lc), fit(1, i, fc); /* leave-one-out: the fit without this point */
    dse_resources(&p->keys, &all);
    double pl = apply(lc, &p->keys), pf = apply(fc, &p->keys);
    double e[4] = {100 * (pl - p->meas.lut) / p->meas.lut, 100 * (pf - p->meas.ff) / p->meas.ff,
                   100 * (all.dsp - p->meas.dsp) / p->meas.dsp, 100 * (all.bram - p->meas.bram) / p->meas.bram};
    for (int k = 0; k < 4; k++)
      if (fabs(e[k]) > worst[k]) worst[k] = fabs(e[k]);
    char g[32];
    snprintf(g, sizeof g, "%ux%ux%u", p->keys.batch, p->keys.block_in, p->keys.block_out);
    fprintf(f, "%-8s %-8s %7.0f/%-7.0f%+4.0f%% %7.0f/%-7.0f%+4.0f%% %4.0f/%-4.0f%+4.0f%% %6.1f/%-6.1f%+4.0f%%  %s\n",
            p->name, g, p->meas.lut, pl, e[0], p->meas.ff, pf, e[1], p->meas.dsp, all.dsp, e[2], p->meas.bram,
            all.bram, e[3], p->source);
  }
  fprintf(f, "worst error: LUT %.1f %%, FF %.1f %% (leave-one-out fits of a + c*S + b*lanes + p*(pump-1)*S, "
             "S = MACs/pump; a pumped point alone determines p, so without it p is 0), DSP %.1f %%, "
             "BRAM36 %.1f %% (structural)\n",
          worst[0], worst[1], worst[2], worst[3]);
  fprintf(f, "fit on all points: LUT = %.0f + %.1f*S + %.1f*lanes + %.1f*(pump-1)*S, "
             "FF = %.0f + %.1f*S + %.1f*lanes + %.1f*(pump-1)*S\n",
          lut_coef[0], lut_coef[1], lut_coef[2], lut_coef[3], ff_coef[0], ff_coef[1], ff_coef[2], ff_coef[3]);
}
