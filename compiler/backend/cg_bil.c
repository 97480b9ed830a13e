/* compiler/backend/cg_bil.c -- the bilinear layer (CG_POOL_BIL: a 2-D linear Resize by integer
 * factors) on the tensor ALU, in exact integer arithmetic on the int8 codes (cg.h states the
 * formula).
 *
 * Tiles of (tco channel blocks) x th x tw output pixels. Per tile, in the accumulator (regions
 * of tco blocks each, every block dense with the tile's own row pitch):
 *   Q   the input rows and columns the tile reads (LOAD ACC8, on the compute unit);
 *   CV  a copy of Q times w for every row weight w > 1 (MOV, MUL imm): the rows' operands;
 *   T   the rows' pass, th output rows x the input columns, in units of 1/Dy: for each output
 *       row one micro-op of a MOV from the copy of its first weight (row iy) and one of an ADD
 *       from the copy of its second (row iy + 1; none when it is 0), one MOV / ADD instruction
 *       per weight, the columns in the loop;
 *   CH  T times w for every column weight w > 1;
 *   O   the columns' pass, th x tw outputs in units of 1/(Dy Dx), the same per output column,
 *       the rows in the loop; then the rounding to even (cg.h) with the temporary N2 (its
 *       -2^(s-1) is an ADD over T when Dy is even: the column weights sum to Dx); O is one of
 *       two output slots (double buffering: the store of a tile overlaps the next's compute).
 * Each pass costs one ALU iteration per element (plus pynq's second cycle on an ADD's source
 * miss), so a tile costs about 2 + 5 iterations per output (columns' pass, rounding: MOV, ADD,
 * SHR, SHR, ADD), 3 per element of T and 2 per element of each copy: 14-15 cycles per output
 * element on pynq.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cg_int.h"

int cg_bil_axis(int ct, int f, int L, int *logd, int *i0, int *w1) {
  if (f < 1 || f > 16 || L < 1 || L > (1 << 20) || ct < CG_CT_HALF_PIXEL || ct > CG_CT_ALIGN_CORNERS) return -1;
  int64_t A = 2, B = 1 - f, C = 2 * (int64_t)f; /* x = (o*A + B) / C */
  if (ct == CG_CT_ASYMMETRIC) A = 1, B = 0, C = f;
  if (ct == CG_CT_ALIGN_CORNERS) {
    A = L - 1, B = 0, C = (int64_t)f * L - 1;
    if (C < 1) A = 0, C = 1;
  }
  for (int k = 0; k <= CG_BIL_MAXLOG; k++) {
    int ok = 1;
    for (int64_t o = 0; o < (int64_t)L * f && ok; o++) {
      int64_t X = o * A + B, i;
      if (X < 0) X = 0;
      if (X > (int64_t)(L - 1) * C) X = (int64_t)(L - 1) * C;
      i = X / C;
      int64_t F = i >= L - 1 ? 0 : X % C;
      if ((F << k) % C) ok = 0;
      else if (i0) i0[o] = (int)(i >= L - 1 ? L - 1 : i), w1[o] = (int)((F << k) / C);
    }
    if (ok) return *logd = k, 0;
  }
  return -1;
}

typedef struct bil_geo {
  const cg_tensor *ti, *to;
  int C, H, W, OH, OW, cb, ly, lx;
  int *iy, *wy, *ix, *wx;         /* [OH], [OH], [OW], [OW]: cg_bil_axis */
  int nv, nh, vw[64], hw[64];     /* the row and column weights above 1 (their copies) */
} bil_geo;

typedef struct bil_tile {
  int th, tw, tco;
} bil_tile;

/* Weights w > 1 an axis uses (first weights D - w1, second weights w1), into ws; their count.
 * An output of weight D on one input (w1 = 0: on an input pixel, or clamped at a border) reads
 * it twice instead, with weights 1 and D - 1, when D - 1 is 1 or has its copy anyway (no copy of
 * weight D: axis_terms). */
static int axis_weights(int D, const int *w1, int n, int *ws) {
  int k = 0, seen[65] = {0}, whole = 0;
  for (int o = 0; o < n; o++) {
    whole |= w1[o] == 0;
    for (int t = 0; t < 2 && w1[o] > 0; t++) {
      int w = t ? w1[o] : D - w1[o];
      if (w > 1 && !seen[w]) seen[w] = 1, ws[k++] = w;
    }
  }
  if (whole && D > 2 && !seen[D - 1]) ws[k++] = D;
  return k;
}

/* The two terms of output o of an axis: weight and input index of each (*wb = 0: none). */
static void axis_terms(int D, const int *i0, const int *w1, int o, const int *ws, int nw, int *wa, int *ia, int *wb,
                       int *ib) {
  int split = w1[o] == 0 && D > 1;
  for (int k = 0; k < nw; k++) split &= ws[k] != D;
  *wa = split ? 1 : D - w1[o], *ia = i0[o];
  *wb = split ? D - 1 : w1[o], *ib = split ? i0[o] : i0[o] + 1;
}

/* The input span [*lo, *hi] that outputs o0 .. o0+n-1 of an axis read (i0 nondecreasing, and
 * so is i0 + (w1 > 0), the coordinate's ceiling). */
static void span(const int *i0, const int *w1, int o0, int n, int *lo, int *hi) {
  *lo = i0[o0];
  *hi = i0[o0 + n - 1] + (w1[o0 + n - 1] > 0);
}

/* The largest input span of any tile of t outputs of an axis of n outputs. */
static int max_span(const int *i0, const int *w1, int n, int t) {
  int m = 0, lo, hi;
  for (int o = 0; o < n; o += t) {
    span(i0, w1, o, cg_min(t, n - o), &lo, &hi);
    m = cg_max(m, hi - lo + 1);
  }
  return m;
}

/* Accumulator places of a tiling: Q, CV (nv regions), T, CH (nh), the output slots, N2. */
typedef struct bil_lay {
  uint32_t IHW, TIW, OP;          /* elements per block of Q, T, O */
  uint32_t Q, CV, T, CH, O, N2, total;
} bil_lay;

static void bil_layout(const bil_geo *c, const bil_tile *t, int nslot, bil_lay *y) {
  uint32_t ih = (uint32_t)max_span(c->iy, c->wy, c->OH, t->th), iw = (uint32_t)max_span(c->ix, c->wx, c->OW, t->tw);
  uint32_t k = (uint32_t)t->tco;
  y->IHW = ih * iw, y->TIW = (uint32_t)t->th * iw, y->OP = (uint32_t)t->th * (uint32_t)t->tw;
  y->Q = 0, y->CV = k * y->IHW, y->T = y->CV + (uint32_t)c->nv * k * y->IHW;
  y->CH = y->T + k * y->TIW, y->O = y->CH + (uint32_t)c->nh * k * y->TIW;
  /* N2 (the rounding's) over Q .. CH when they hold it: they are dead once the columns' pass is
   * done, and the next tile's loads come after this tile's rounding (one unit, in order) */
  y->total = y->O + (uint32_t)nslot * k * y->OP;
  y->N2 = y->O >= k * y->OP ? 0 : y->total;
  if (y->N2) y->total += k * y->OP;
}

static int bil_fits(const cg_gen *g, const bil_geo *c, const bil_tile *t, int nslot) {
  if (t->th < 1 || t->tw < 1 || t->tco < 1) return 0;
  bil_lay y;
  bil_layout(c, t, nslot, &y);
  if ((uint64_t)y.total > g->d->acc_depth || (uint64_t)t->tco * cg_max(t->th, t->tw) > g->d->uop_depth / 2) return 0;
  return y.OP <= 16383 && y.IHW <= 16383 && y.TIW <= 16383;
}

/* Push one ALU instruction of micro-ops uw[0..n) (none when n is 0). */
static int alu_n(cg_gen *g, cg_list *C, const uint32_t *uw, uint32_t n, int op, int use_imm, int imm, uint32_t lo,
                 uint32_t li, uint32_t dso, uint32_t dsi, uint32_t sro, uint32_t sri) {
  uint32_t ub;
  if (n == 0) return 0;
  if (cg_uops(g, C, uw, n, &ub)) return -1;
  isa_insn in = cg_i_alu(g, op, use_imm, imm, ub, ub + n, lo, li, lo > 1 ? dso : 0, li > 1 ? dsi : 0, lo > 1 ? sro : 0,
                         li > 1 ? sri : 0);
  return cg_push(g, C, &in) ? -1 : 0;
}

/* A dense pass over n elements of each of tco blocks: dst region D (pitch P per block), source
 * region S (same pitch), op with or without an immediate. */
static int dense(cg_gen *g, cg_list *C, uint32_t *uw, int tco, uint32_t D, uint32_t S, uint32_t P, uint32_t n, int op,
                 int use_imm, int imm) {
  for (int a = 0; a < tco; a++) uw[a] = cg_uop(g, D + (uint32_t)a * P, S + (uint32_t)a * P, 0);
  return alu_n(g, C, uw, (uint32_t)tco, op, use_imm, imm, 1, n, 0, 1, 0, 1);
}

/* The region of weight w's operand: the source itself (w = 1) or its copy (kper apart). */
static uint32_t operand(uint32_t src, uint32_t copies, uint32_t kper, const int *ws, int nw, int w) {
  for (int k = 0; k < nw; k++)
    if (ws[k] == w) return copies + (uint32_t)k * kper;
  return src;
}

/* One axis pass of a tile: for each output line l < n (a row of T or a column of O), the MOV
 * of its first term and the ADD of its second from the operand regions (src, copies of the
 * weights ws, per elements each; a line's operand at its input index minus lo, times step),
 * into dst + l * dstep; ln elements a line (dst pitch dpitch, source pitch spitch). One
 * instruction per (op, weight). */
static int axis_pass(cg_gen *g, cg_list *C, uint32_t *uw, int tco, int D, const int *i0, const int *w1, int o0, int n,
                     int lo, uint32_t src, uint32_t copies, uint32_t per, const int *ws, int nw, uint32_t dst, uint32_t dper,
                     uint32_t dstep, uint32_t step, uint32_t ln, uint32_t dpitch, uint32_t spitch) {
  for (int t = 0; t < 2; t++)
    for (int w = 1; w <= D; w++) {
      uint32_t m = 0, R = operand(src, copies, (uint32_t)tco * per, ws, nw, w);
      for (int a = 0; a < tco; a++)
        for (int l = 0; l < n; l++) {
          int wa, ia, wb, ib;
          axis_terms(D, i0, w1, o0 + l, ws, nw, &wa, &ia, &wb, &ib);
          if ((t ? wb : wa) != w) continue;
          uint32_t s = R + (uint32_t)a * per + (uint32_t)((t ? ib : ia) - lo) * step;
          uw[m++] = cg_uop(g, dst + (uint32_t)a * dper + (uint32_t)l * dstep, s, 0);
        }
      if (alu_n(g, C, uw, m, t ? ISA_ALU_ADD : ISA_ALU_MOV, 0, 0, 1, ln, 0, dpitch, 0, spitch)) return -1;
    }
  return 0;
}

/* The copies of a region: for each weight ws[k], MOV of n elements a block then MUL. */
static int copies(cg_gen *g, cg_list *C, uint32_t *uw, int tco, uint32_t src, uint32_t dst, uint32_t per, const int *ws,
                  int nw, uint32_t n) {
  for (int k = 0; k < nw; k++) {
    uint32_t d = dst + (uint32_t)k * (uint32_t)tco * per;
    if (dense(g, C, uw, tco, d, src, per, n, ISA_ALU_MOV, 0, 0) || dense(g, C, uw, tco, d, d, per, n, ISA_ALU_MUL, 1, ws[k]))
      return -1;
  }
  return 0;
}

/* The rounding of a tile's outputs O (n elements a block) to even: he(N) = SHR(N - 2^(s-1),
 * s+1) + SHR(N + 2^(s-1) - 1, s+1) with the copy in N2; biased: O holds N - 2^(s-1) already. */
static int round_even(cg_gen *g, cg_list *C, uint32_t *uw, int tco, const bil_lay *y, uint32_t O, int biased, int s,
                      uint32_t n) {
  if (s == 0) return 0;
  int h = 1 << (s - 1);
  return (!biased && dense(g, C, uw, tco, O, O, y->OP, n, ISA_ALU_ADD, 1, -h)) ||
         dense(g, C, uw, tco, y->N2, O, y->OP, n, ISA_ALU_MOV, 0, 0) ||
         dense(g, C, uw, tco, y->N2, y->N2, y->OP, n, ISA_ALU_ADD, 1, 2 * h - 1) ||
         dense(g, C, uw, tco, O, O, y->OP, n, ISA_ALU_SHR, 1, s + 1) ||
         dense(g, C, uw, tco, y->N2, y->N2, y->OP, n, ISA_ALU_SHR, 1, s + 1) ||
         dense(g, C, uw, tco, O, y->N2, y->OP, n, ISA_ALU_ADD, 0, 0)
             ? -1
             : 0;
}

/* The compute of tile (co, oy0, ox0) into list C: loads, copies, the two passes, the rounding. */
static int bil_tile_compute(cg_gen *g, const bil_geo *c, const bil_tile *t, const bil_lay *y, cg_list *C, uint32_t *uw,
                            int co, int oy0, int ox0, int th_t, int tw_t, int tco_t, uint32_t O) {
  int ylo, yhi, xlo, xhi, Dy = 1 << c->ly, Dx = 1 << c->lx;
  span(c->iy, c->wy, oy0, th_t, &ylo, &yhi);
  span(c->ix, c->wx, ox0, tw_t, &xlo, &xhi);
  uint32_t ih = (uint32_t)(yhi - ylo + 1), iw = (uint32_t)(xhi - xlo + 1);
  for (int a = 0; a < tco_t; a++) {
    uint64_t dram = cg_elem(g, cg_tblk(c->ti, g->B, co * t->tco + a), ISA_MEM_ACC8) + (uint64_t)ylo * c->W + (uint64_t)xlo;
    isa_insn in = cg_i_load(g, ISA_MEM_ACC8, y->Q + (uint32_t)a * y->IHW, dram, ih, iw, (uint32_t)c->W, 0, 0, 0, 0, 0);
    if (cg_push(g, C, &in)) return -1;
  }
  /* rows: T[l][x] = sum of the row operands, one micro-op per (block, output row) */
  if (copies(g, C, uw, tco_t, y->Q, y->CV, y->IHW, c->vw, c->nv, ih * iw) ||
      axis_pass(g, C, uw, tco_t, Dy, c->iy, c->wy, oy0, th_t, ylo, y->Q, y->CV, y->IHW, c->vw, c->nv, y->T, y->TIW, iw,
                iw, iw, 1, 1))
    return -1;
  /* columns: O[r][l] = sum of the column operands of T, one micro-op per (block, output column);
   * with Dy even, T - Dy/2 makes O the rounding's N - 2^(s-1) (the weights sum to Dx) */
  uint32_t tn = (uint32_t)th_t * iw;
  if (c->ly > 0 && dense(g, C, uw, tco_t, y->T, y->T, y->TIW, tn, ISA_ALU_ADD, 1, -(Dy / 2))) return -1;
  if (copies(g, C, uw, tco_t, y->T, y->CH, y->TIW, c->hw, c->nh, tn) ||
      axis_pass(g, C, uw, tco_t, Dx, c->ix, c->wx, ox0, tw_t, xlo, y->T, y->CH, y->TIW, c->hw, c->nh, O, y->OP, 1, 1,
                (uint32_t)th_t, (uint32_t)tw_t, iw))
    return -1;
  return round_even(g, C, uw, tco_t, y, O, c->ly, c->ly + c->lx, (uint32_t)(th_t * tw_t));
}

static int bil_gen(cg_gen *g, const bil_geo *c, const bil_tile *t, int nslot) {
  int n_ty = cg_cdiv(c->OH, t->th), n_tx = cg_cdiv(c->OW, t->tw), n_co = cg_cdiv(c->cb, t->tco);
  int ntiles = n_ty * n_tx * n_co;
  bil_lay y;
  bil_layout(c, t, nslot, &y);
  uint32_t *uw = malloc(((size_t)t->tco * (size_t)cg_max(t->th, t->tw) + 1) * sizeof *uw);
  cg_list C = {0}, S = {0};
  if (!uw) return cg_fail(g, CG_E_NOMEM, "out of memory (bilinear)");
  for (int j = 0; j < ntiles; j++) {
    int si = j % (n_ty * n_tx), co = j / (n_ty * n_tx);
    int oy0 = si / n_tx * t->th, ox0 = si % n_tx * t->tw;
    int th_t = cg_min(t->th, c->OH - oy0), tw_t = cg_min(t->tw, c->OW - ox0), tco_t = cg_min(t->tco, c->cb - co * t->tco);
    uint32_t O = y.O + (uint32_t)(nslot == 1 ? 0 : j % 2) * (uint32_t)t->tco * y.OP;
    C.n = S.n = 0;
    if (bil_tile_compute(g, c, t, &y, &C, uw, co, oy0, ox0, th_t, tw_t, tco_t, O) ||
        cg_tile_store(g, c->to, c->OH, c->OW, &C, &S, O, y.OP, co * t->tco, tco_t, (uint64_t)oy0 * c->OW + (uint64_t)ox0,
                      (uint32_t)th_t, (uint32_t)tw_t, j >= nslot, j + nslot < ntiles))
      break;
  }
  cg_list_free(&C);
  cg_list_free(&S);
  free(uw);
  return g->status;
}

/* Candidate tilings (channel chunks x column splits, most rows that fit), each generated dry and
 * timed by the cycle model; the fastest is generated. */
static int bil_pick(cg_gen *g, const bil_geo *c, int nslot, cg_layer_info *info) {
  bil_tile best = {0, 0, 0};
  double best_cy = -1;
  int ncand = 0, tcos[4] = {c->cb, cg_cdiv(c->cb, 2), cg_cdiv(c->cb, 4), 1};
  for (int a = 0; a < 4; a++)
    for (int k = 1; k <= 9; k++) {
      if (a > 0 && tcos[a] == tcos[a - 1]) continue;
      bil_tile t = {1, k <= 4 ? cg_cdiv(c->OW, k) : 1 << (10 - k), tcos[a]}; /* OW/1..OW/4, then 32 .. 2 */
      if (t.tw > c->OW || (k > 4 && t.tw >= cg_cdiv(c->OW, 4)) || !bil_fits(g, c, &t, nslot)) continue;
      int lo = 1, hi = c->OH;
      while (lo < hi) {
        int mid = (lo + hi + 1) / 2;
        t.th = mid;
        if (bil_fits(g, c, &t, nslot)) lo = mid;
        else hi = mid - 1;
      }
      t.th = cg_cdiv(c->OH, cg_cdiv(c->OH, lo));
      if (!bil_fits(g, c, &t, nslot)) t.th = lo;
      cg_gen dg;
      cg_gen_init(&dg, g->cfg, 1);
      int rc = bil_gen(&dg, c, &t, nslot);
      double cy = rc == CG_OK && cg_encodable(&dg, &dg.prog) ? cg_time_prog(g->cfg, dg.prog.v, (uint32_t)dg.prog.n, NULL) : -1;
      cg_gen_free(&dg);
      ncand++;
      if (cy >= 0 && (best_cy < 0 || cy < best_cy)) best_cy = cy, best = t;
    }
  if (best_cy < 0)
    return cg_fail(g, CG_E_FIT, "bilinear %dx%dx%d x%dx%d: no tiling fits the %s buffers", c->C, c->H, c->W,
                   c->OH / c->H, c->OW / c->W, g->d->name);
  info->candidates = ncand;
  snprintf(info->tiling, sizeof info->tiling, "tile %dx%d outputs, c %d blk", best.th, best.tw, best.tco);
  return bil_gen(g, c, &best, nslot);
}

int cg_bil_layer(cg_gen *g, const cg_net *net, const cg_layer *L, int no_lh, cg_layer_info *info) {
  const cg_pool *p = &L->pool;
  const cg_tensor *ti = cg_tens(net, p->in), *to = cg_tens(net, p->out);
  bil_geo c = {.ti = ti, .to = to, .C = ti->c, .H = ti->h, .W = ti->w, .OH = to->h, .OW = to->w, .cb = ti->cb};
  c.iy = malloc(((size_t)c.OH * 2 + (size_t)c.OW * 2) * sizeof(int));
  if (!c.iy) return cg_fail(g, CG_E_NOMEM, "out of memory (bilinear)");
  c.wy = c.iy + c.OH, c.ix = c.wy + c.OH, c.wx = c.ix + c.OW;
  int rc;
  if (cg_bil_axis(p->ct, p->sh, c.H, &c.ly, c.iy, c.wy) || cg_bil_axis(p->ct, p->sw, c.W, &c.lx, c.ix, c.wx)) {
    rc = cg_fail(g, CG_E_INTERNAL, "bilinear: weights not dyadic (cg_net_add_pool checks)");
  } else {
    c.nv = axis_weights(1 << c.ly, c.wy, c.OH, c.vw);
    c.nh = axis_weights(1 << c.lx, c.wx, c.OW, c.hw);
    rc = bil_pick(g, &c, no_lh ? 1 : 2, info);
  }
  free(c.iy);
  return rc;
}
