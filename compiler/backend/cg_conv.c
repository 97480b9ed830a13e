/* compiler/backend/cg_conv.c -- conv2d / fully connected / depthwise conv: tiling, scheduling
 * with latency hiding, micro-op loop nests, weight packing, and the choice of the tiling by the
 * cost model.
 *
 * Work decomposition. An output tile is (a chunk of tco output channel blocks) x (th output rows)
 * x (tw output columns). Its reduction is split into nr "reduction steps" = (chunks of tci input
 * channel blocks) x (chunks of nky kernel rows); depthwise convs tie the input chunk to the
 * output chunk. One step = load the input window of (tile, step) into an INP slot and the
 * weight block of (co chunk, step) into a WGT slot (each skipped when already resident: weight
 * reuse across output tiles, input reuse across channel chunks), then one GEMM:
 *     loop_out = rows of the tile, loop_in = columns, micro-ops = (co block, ci block, ky, kx),
 * so the GEMM core retires th*tw*tco*tci*nky*kw iterations from one instruction. A tile starts
 * with a GEMM with bias (its first step's first kernel position of each co block: acc := bias +
 * x * w, see plan_gemm) and ends with ALU REQ (bounds fused). Depthwise convs (one channel per
 * group) use DWGEMM where it applies (dw_phases) and the cost model finds it faster (the tiling
 * candidates come in both kinds): a block-diagonal GEMM makes BLOCK_IN useful MACs of an
 * iteration's BLOCK_IN x BLOCK_OUT, DWGEMM a kernel row's T taps of every channel, in an
 * instruction per block and kernel row (tiny's small tiles pay more in instructions than that).
 * A kernel row's column offsets kx*dw fall in the phases (residues mod sw) of the horizontal
 * stride; phase q's window of pht[q] <= dw_taps taps slides over every sw-th input column. Per
 * step, co block, kernel row, phase and block_in slice one DWGEMM of one micro-op: loop_out =
 * tile rows, loop_in = tile columns + T - 1 (the first T - 1 fill the window), inp_in = sw; the
 * tile's first one of a block with bias; weight elements [co block][ky][phase] in ISA.md's
 * layout (pack_dw_block). So a 3x3 stride-1 row costs 3 (tw + 2) iterations instead of 9 tw; a
 * stride-2 one 2 tw + 1 (two phases). A phase per kernel column (1x1, stride >= the span) or a
 * window past dw_taps (tiny's 2 taps with 3 columns, dilated 5x5) keeps the block-diagonal GEMM.
 * With a GEMM residual (cg_conv res_d / res_w): after the last input step, REQ to the output
 * scale with f more fraction bits; then "residual steps", each a chunk of tci2 residual channel
 * blocks of the tile (rows and pixels strided by res_s) and the non-zero weight blocks that read
 * them, loaded by the load unit into slots of their own after the input and weight slots (two
 * each, so the input slots keep alternating between input steps), and one GEMM; then [ADD of
 * the per-channel constants] and REQ round(u / 2^f) with the bounds; with a requantized residual: REQ, LOAD ACC8 of the residual,
 * [ADD -res_zp], REQ, ADD, CLIP; then one STORE per output channel block. A conv with one
 * kernel row and a vertical stride > 1 (e.g. a strided 1x1 projection) loads only the input
 * rows it uses (x_stride = sh * W). Zero points: the input's is the LOAD pad value and is folded
 * into the bias (bias - x_zp * sum(w)); the output's folds into REQ's bounds when exact (every
 * shift >= CG_REQ_NOSAT_SHIFT and the shifted bounds fit int8; then one ADD y_zp), else REQ,
 * ADD, CLIP.
 *
 * Buffers. INP and WGT have two slots each, the accumulator two tile blocks after a small
 * parameter area (bias, requant, residual requant elements: of every co chunk when they fit,
 * loaded once at the layer's start (conv_dims pall), else of the current chunk). Loads of
 * step t+1 go to the slot that step t does not use, so they overlap step t's GEMM; stores of
 * tile j overlap the compute of tile j+1. Tokens: a load group pushes L2C, the step's first
 * GEMM / ALU pops it (after the step's own LOADs of parameters and micro-ops); a load group that
 * overwrites a slot pops C2L, pushed by the last compute instruction of the step that last read
 * the slot (only when it is newer than what the load unit already waited for); a tile's last ALU
 * pushes C2S, its first STORE pops it, its last STORE pushes S2C for tile j+2, whose first GEMM
 * pops it. Program order puts the loads of step t+1 before the compute of step t, so every pop
 * is preceded by its push in program order (no fetch deadlock). no_latency_hiding uses one slot
 * of everything (the same tiles), which serializes load, compute and store.
 *
 * A layer's start and end (each layer is its own program): its micro-op sets come in one LOAD
 * UOP while it waits for its first data (cg_merge_uops); its first step loads its weights one
 * output block at a time, the input's top rows first when the input outweighs a block's weights,
 * and runs its GEMMs in those parts as they arrive (split_head); its last step runs GEMM and REQ
 * per output block, the last block in two halves of its rows, each part stored as soon as it is
 * requantized (split_tail); when the load unit is still behind after the head, the next step's
 * weights come one output block at a time too (split_blocks). DWGEMM steps stay whole (the
 * three look for GEMMs): a depthwise layer's weights are a few elements, its first step waits
 * for one tile's input, and its tiles are mostly one step (split_tail and split_blocks need two).
 *
 * Weights in the image: for each (co chunk, reduction step) one contiguous block of WGT elements
 * in the order [co block][ci block][ky][kx] (depthwise: [co block][ky][kx], diagonal elements;
 * on DWGEMM [co block][ky][phase]),
 * element [j][i] = w[co*B + j][ci*B + i][ky][kx], zero outside the real channels. A B x B block is
 * R = block_out / block_in WGT elements (cg_wpos), and a block of B input channels R INP
 * elements: the schedulers count in blocks, the instruction builders scale (cg_int.h, cg_gen.R).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cg_int.h"

#define CG_DW_PH 8 /* most DWGEMM phases of a kernel row (more: the block-diagonal GEMM) */

typedef struct conv_geo {
  int cin, cout, H, W, OH, OW;   /* channels and pixels */
  int KH, KW, sh, sw, dh, dw, pt, pl; /* kernel, stride, dilation, leading pads */
  int ncib, ncob;                /* channel blocks */
  int dwc;                       /* grouped (depthwise included): each output chunk reads the
                                  * input chunk of the same blocks ("tied") */
  int gw, gk;                    /* grouped: channels per group; input blocks each output block
                                  * reads (gw <= B: 1, its own block, block-diagonal weights;
                                  * gw = k*B: the k blocks of its group) */
  int dwok;                      /* depthwise (one channel per group) and DWGEMM applies: a kernel
                                  * row's columns in nph phases (the horizontal stride's residues),
                                  * each a sliding window of pht taps over every sw-th input column */
  int nph, phx[CG_DW_PH], pht[CG_DW_PH]; /* dwok: phases; each one's first column (offset in the
                                  * window, < sw) and taps T (<= dw_taps) */
  int dwg;                       /* the tiling at hand runs it on DWGEMM (conv_tile dwg) */
  int res;                       /* has a residual */
  int resb;                      /* the residual goes through the GEMM core (cg_conv res_w) */
  int frac;                      /* the fraction epilogue (cg.h): resb, or a conv's bias_f */
  int res_k;                     /* frac: some channel's bias_f - sum(rw)*res_zp + y_zp*2^f is
                                  * not 0: an ALU ADD pass of the per-channel constants */
  int cres, ncrb, rstride, RH, RW; /* resb: residual channels, blocks, pixel stride, extents */
  const uint8_t *nzb;            /* resb: [ncob][ncrb] 1 where the rw block is not all zero */
  const int *nrb_max;            /* resb: [ncob + 1] by tco: the most residual blocks a co chunk of
                                  * tco blocks reads (res_blocks), for conv_dims_of */
  int x_zp;                      /* input zero point: the LOAD pad value */
  int rowskip;                   /* one kernel row and a vertical stride > 1: loads read only
                                  * the input rows the outputs use (x_stride = sh * W) */
  int fold;                      /* y_zp folds into REQ's bounds exactly (every shift >=
                                  * CG_REQ_NOSAT_SHIFT and lo - y_zp, hi - y_zp fit int8) */
  const cg_tensor *ti, *to, *tr; /* input, output, residual (NULL: none); a block's place is
                                  * cg_tblk (views have theirs anywhere) */
} conv_geo;

typedef struct conv_tile {
  int th, tw;    /* output rows, columns per tile */
  int tco, tci;  /* output / input channel blocks per chunk (tci unused for depthwise) */
  int nky;       /* kernel rows per reduction step */
  int order;     /* 0: co chunk outer, spatial tiles inner; 1: spatial outer */
  int dwg;       /* 1: on DWGEMM (conv_geo dwok; the candidates have both, the model picks) */
} conv_tile;

typedef struct conv_dims {
  int n_ty, n_tx, n_s, n_co, n_ci, n_kc, nr, ntiles, nsteps;
  int nrm;       /* reduction steps over the input (nr = nrm + residual steps) */
  int tci2;      /* resb: residual blocks per residual step */
  int IH, IW;    /* input window of a full tile and step, pixels */
  int tcin;      /* input channel blocks per step */
  int INPS, WGTS; /* input / weight slot sizes, elements */
  int RIW, RSP;  /* resb: residual row span of a full tile, pitch of one residual block */
  int RINP, RWGT; /* resb: residual slot sizes (INP, WGT), after the input / weight slots */
  int ACCP;      /* accumulator pitch of one co block in a tile block (th*tw) */
  int ACCS;      /* accumulator elements of a tile block (outputs + residual) */
  int PAR;       /* accumulator parameter area */
  int PB;        /* its pitch: elements of one kind of parameter (bias, requant, ...) */
  int pall;      /* 1: the area holds every co chunk's parameters (PB = ncob), loaded once at
                  * the layer's start; 0: the current chunk's (PB = tco), loaded per chunk */
  int U;         /* GEMM micro-ops of a full step */
} conv_dims;

/* Weight blocks of an input step of tco_t output blocks, tcin_t input blocks and nky_t kernel
 * rows: one per (co block, ci block, ky, kx), grouped convs over the blocks of the group; on
 * DWGEMM one per (co block, ky, phase). */
static int wblocks(const conv_geo *c, int tco_t, int tcin_t, int nky_t) {
  if (c->dwg) return tco_t * nky_t * c->nph;
  return tco_t * (c->dwc ? c->gk : tcin_t) * nky_t * c->KW;
}

/* The residual blocks co chunk co of tiling t reads (a non-zero weight block in some of its
 * output blocks), ascending, into list; returns their count. */
static int res_blocks(const conv_geo *c, const conv_tile *t, int co, int *list) {
  int n = 0;
  for (int b = 0; b < c->ncrb; b++)
    for (int a = co * t->tco; a < (co + 1) * t->tco && a < c->ncob; a++)
      if (c->nzb[a * c->ncrb + b]) {
        list[n++] = b;
        break;
      }
  return n;
}

/* Derive counts and buffer layout of tiling t; 1 if it fits the buffers (nslot slots each), the
 * uop buffer (half of it for one GEMM set) and the loop fields, else 0. */
static int conv_dims_of(const cg_gen *g, const conv_geo *c, const conv_tile *t, int nslot,
                        conv_dims *x) {
  const isa_derived *d = g->d;
  const int64_t R = g->R, inp_depth = d->inp_depth / R, wgt_depth = d->wgt_depth / R; /* in blocks */
  if (t->th < 1 || t->tw < 1 || t->tco < 1 || t->nky < 1 || (!c->dwc && t->tci < 1)) return 0;
  if (c->dwc && t->tco % c->gk) return 0; /* chunks of whole groups */
  x->n_ty = cg_cdiv(c->OH, t->th);
  x->n_tx = cg_cdiv(c->OW, t->tw);
  x->n_s = x->n_ty * x->n_tx;
  x->n_co = cg_cdiv(c->ncob, t->tco);
  x->n_ci = c->dwc ? 1 : cg_cdiv(c->ncib, t->tci);
  x->n_kc = cg_cdiv(c->KH, t->nky);
  x->nrm = x->n_ci * x->n_kc;
  x->nr = x->nrm;
  x->ntiles = x->n_s * x->n_co;
  x->IH = c->rowskip ? t->th : (t->th - 1) * c->sh + (t->nky - 1) * c->dh + 1;
  x->IW = (t->tw - 1) * c->sw + (c->KW - 1) * c->dw + 1;
  x->tcin = c->dwc ? t->tco : t->tci;
  x->INPS = x->tcin * x->IH * x->IW;
  x->U = wblocks(c, t->tco, t->tci, t->nky);
  x->WGTS = x->U;
  x->ACCP = t->th * t->tw;
  x->RIW = (t->tw - 1) * c->rstride + 1;
  x->RSP = t->th * x->RIW;
  x->tci2 = x->RINP = x->RWGT = 0;
  if (c->resb) {
    /* residual steps after the input's, with slots of their own (so that the input slots
     * keep alternating between the input steps): as many residual blocks per step as the
     * buffers leave room for */
    int nrb = c->nrb_max[cg_min(t->tco, c->ncob)];
    int64_t fi = ((int64_t)inp_depth / nslot - x->INPS) / x->RSP;
    int64_t fw = ((int64_t)wgt_depth / nslot - x->WGTS) / t->tco;
    int64_t fu = ((int64_t)d->uop_depth / 2 - x->U * R - 2 * t->tco) / (t->tco * R);
    int64_t f = fi < fw ? fi : fw;
    f = f < fu ? f : fu;
    if (f < 1 || nrb < 1) return 0;
    x->tci2 = (int)(f < nrb ? f : nrb);
    x->tci2 = cg_cdiv(nrb, cg_cdiv(nrb, x->tci2)); /* balanced */
    x->nr += cg_cdiv(nrb, x->tci2);
    x->RINP = x->tci2 * x->RSP;
    x->RWGT = t->tco * x->tci2;
  }
  x->nsteps = x->ntiles * x->nr;
  x->ACCS = t->tco * x->ACCP * (c->res && !c->resb ? 2 : 1);
  /* every chunk's parameters when they fit (the bias GEMM's wgt_in addresses the chunk's) */
  x->pall = x->n_co > 1 && (uint64_t)c->ncob <= d->wgt_depth;
  for (;; x->pall = 0) {
    x->PB = x->pall ? c->ncob : t->tco;
    x->PAR = c->frac ? 4 * x->PB : 2 * x->PB + (c->res ? 2 : 0);
    if (!x->pall || (uint64_t)x->PAR + (uint64_t)nslot * x->ACCS <= d->acc_depth) break;
  }
  if ((uint64_t)nslot * ((uint64_t)x->INPS + (uint64_t)x->RINP) > (uint64_t)inp_depth) return 0;
  if ((uint64_t)nslot * ((uint64_t)x->WGTS + (uint64_t)x->RWGT) > (uint64_t)wgt_depth) return 0;
  if ((uint64_t)x->PAR + (uint64_t)nslot * x->ACCS > d->acc_depth) return 0;
  if (((uint64_t)x->U + (uint64_t)x->RWGT) * R + 2u * t->tco > d->uop_depth / 2) return 0;
  if (t->th > 16383 || t->tw > 16383 || x->ACCP > 16383) return 0;
  if (c->dwg && x->IW > 16383) return 0; /* a DWGEMM's loop_in: columns + taps - 1 <= IW */
  return 1;
}

/* ACC place of parameter kind q (0 bias, 1 requant, 2 final requant or residual requant, 3
 * residual constants) of the first block of co chunk co. */
static uint32_t par_at(const conv_dims *x, int q, int co, int tco) {
  return (uint32_t)(q * x->PB + (x->pall ? co * tco : 0));
}

/* ---- constants ---------------------------------------------------------------------------- */
typedef struct conv_consts {
  uint64_t *wofs;     /* [n_co * nr] WGT element index of each weight block */
  uint64_t bias_e;    /* ACC element of bias[0] (ncob elements) */
  uint64_t req_e;     /* ACC element of the requant of block 0 (ncob elements) */
  uint64_t rreq_e;    /* ACC element of the residual requant */
  uint64_t fin_e;     /* resb: ACC element of the final REQ of block 0 (ncob elements) */
  uint64_t k_e;       /* resb: ACC element of the constants of block 0 (ncob elements) */
} conv_consts;

/* The fraction epilogue's constant of channel o (cg.h): bias_f - sum(rw)*res_zp + y_zp*2^f. */
static int64_t frac_const(const cg_layer *L, const conv_geo *c, int o) {
  const cg_conv *p = &L->conv;
  int64_t kk = (int64_t)p->y_zp * ((int64_t)1 << L->rf[o]) + (p->bias_f ? p->bias_f[o] : 0);
  for (int ci = 0; c->resb && ci < c->cres; ci++) kk -= (int64_t)L->rw[(size_t)o * c->cres + ci] * p->res_zp;
  return kk;
}

/* The accumulator constants of a conv: bias (less x_zp * sum(w)), requant lanes, and for a
 * GEMM residual its final requant and constant term, for a requantized one its requant. */
static int conv_acc_consts(cg_gen *g, const cg_layer *L, const conv_geo *c, conv_consts *k) {
  const unsigned B = g->B;
  const cg_conv *p = &L->conv;
  int cin_g = c->dwc ? c->gw : c->cin;
  size_t ab = (size_t)B * 4;
  size_t nacc = (size_t)c->ncob, nk = c->frac ? 4 : 2; /* kinds of per-channel parameters */
  uint32_t *acc = calloc(nk * nacc * B, 4);
  uint8_t *bytes = malloc(nk * nacc * ab);
  if (!acc || !bytes) {
    free(acc);
    free(bytes);
    return cg_fail(g, CG_E_NOMEM, "out of memory (bias)");
  }
  /* little-endian int32 lanes; the kinds side by side (bias, requant[, final requant,
   * constants]: one LOAD brings them all, conv_dims pall) */
#define PUT_ACC(dst_e, n_el)                                                    \
  do {                                                                          \
    for (size_t q = 0; q < (size_t)(n_el) * B; q++)                             \
      for (int bb = 0; bb < 4; bb++) bytes[4 * q + bb] = (uint8_t)(acc[q] >> (8 * bb)); \
    dst_e = cg_elem(g, cg_const(g, bytes, (size_t)(n_el) * ab), ISA_MEM_ACC);   \
  } while (0)
  uint32_t *kind[4] = {acc, acc + nacc * B, acc + 2 * nacc * B, acc + 3 * nacc * B};
  /* bias - x_zp * sum(w[o]) (mod 2^32, as the GEMM accumulates): padding holds x_zp */
  size_t per_o = (size_t)cin_g * c->KH * c->KW;
  for (int o = 0; o < c->ncob * (int)B; o++) {
    uint32_t b = 0;
    if (o < c->cout) {
      int64_t sw = 0;
      for (size_t q = 0; q < per_o; q++) sw += p->weight[(size_t)o * per_o + q];
      b = (uint32_t)p->bias[o] - (uint32_t)((int64_t)c->x_zp * sw);
    }
    kind[0][o] = b;
  }
  for (int o = 0; o < c->ncob * (int)B; o++)
    kind[1][o] = o < c->cout ? cg_req_lane(p->mult[o], p->shift[o] - (c->frac ? L->rf[o] : 0))
                             : cg_req_lane(1 << 14, 15);
  if (c->frac) {
    /* per channel: the final REQ round(u / 2^f), and bias_f - sum(rw)*res_zp + y_zp*2^f */
    for (int o = 0; o < c->ncob * (int)B; o++)
      kind[2][o] = cg_req_lane(1 << 14, 14 + (o < c->cout ? L->rf[o] : 0));
    for (int o = 0; o < c->ncob * (int)B; o++) kind[3][o] = o < c->cout ? (uint32_t)frac_const(L, c, o) : 0;
  }
  PUT_ACC(k->bias_e, nk * nacc);
  k->req_e = k->bias_e + nacc, k->fin_e = k->bias_e + 2 * nacc, k->k_e = k->bias_e + 3 * nacc;
  /* requantized residual: its requant */
  for (unsigned o = 0; o < B; o++) acc[o] = cg_req_lane(p->res_mult, p->res_shift);
  PUT_ACC(k->rreq_e, 1);
#undef PUT_ACC
  free(acc);
  free(bytes);
  return g->status;
}

/* The weight blocks of a conv, packed in parallel: every (co chunk, reduction step) block has
 * its place reserved in order first (the offsets of a sequential packing), then the blocks are
 * written in place by up to PACK_THREADS threads (each block's bytes depend only on the layer:
 * the same image on any thread count). */
#define PACK_THREADS 4
typedef struct pack_job {
  cg_gen *g;
  const cg_layer *L;
  const conv_geo *c;
  const conv_tile *t;
  const conv_dims *x;
  const size_t *wpos; /* [j * B + i]: cg_wpos(g, j, i) */
  const uint64_t *off; /* [n_co * nr] byte offset of each block in g->img */
  int n, next;         /* blocks; the next to take (under mu) */
  pthread_mutex_t mu;
} pack_job;

/* Bytes of block (co, r): a residual step's non-zero weight blocks (at least one), else
 * tco_t x tci_t x nky_t x KW blocks. */
static size_t pack_bytes(const pack_job *j, int co, int r) {
  const conv_geo *c = j->c;
  const conv_tile *t = j->t;
  size_t eb = (size_t)cg_wblock_bytes(j->g);
  int tco_t = cg_min(t->tco, c->ncob - co * t->tco);
  if (r >= j->x->nrm) {
    int list[CG_MAX_RB], nb = res_blocks(c, t, co, list), q0 = (r - j->x->nrm) * j->x->tci2;
    int q1 = cg_min(nb, q0 + j->x->tci2);
    size_t q = 0;
    for (int a = 0; a < tco_t; a++)
      for (int qq = q0; qq < q1; qq++) q += c->nzb[(co * t->tco + a) * c->ncrb + list[qq]] != 0;
    return (q ? q : 1) * eb;
  }
  int ci = r / j->x->n_kc, kc = r % j->x->n_kc;
  int tci_t = cg_min(t->tci, c->ncib - ci * t->tci);
  int nky_t = cg_min(t->nky, c->KH - kc * t->nky);
  return (size_t)wblocks(c, tco_t, tci_t, nky_t) * eb;
}

/* Writes block (co, r) of a residual step into its zeroed place blk: the non-zero weight blocks
 * of its residual blocks, in the order (co block, residual block) of its micro-ops. */
static void pack_res_block(const pack_job *j, int co, int r, int8_t *blk) {
  const conv_geo *c = j->c;
  const conv_tile *t = j->t;
  const unsigned B = j->g->B;
  size_t eb = (size_t)cg_wblock_bytes(j->g), q = 0;
  int tco_t = cg_min(t->tco, c->ncob - co * t->tco);
  int list[CG_MAX_RB], nb = res_blocks(c, t, co, list), q0 = (r - j->x->nrm) * j->x->tci2;
  int q1 = cg_min(nb, q0 + j->x->tci2);
  for (int a = 0; a < tco_t; a++)
    for (int qq = q0; qq < q1; qq++) {
      int b = list[qq];
      if (!c->nzb[(co * t->tco + a) * c->ncrb + b]) continue;
      for (unsigned jj = 0; jj < B; jj++) {
        int o = (co * t->tco + a) * (int)B + (int)jj;
        for (unsigned ii = 0; o < c->cout && ii < B; ii++) {
          int rc = b * (int)B + (int)ii;
          if (rc < c->cres) blk[q * eb + j->wpos[jj * B + ii]] = j->L->rw[(size_t)o * c->cres + rc];
        }
      }
      q++;
    }
}

/* Writes block (co, r) of an input step into its zeroed place blk: weight[o][in_c][ky][kx] of
 * its (co block, ci block, ky, kx) micro-ops. */
static void pack_block(const pack_job *j, int co, int r, int8_t *blk) {
  const conv_geo *c = j->c;
  const conv_tile *t = j->t;
  const unsigned B = j->g->B;
  const int8_t *weight = j->L->conv.weight;
  size_t eb = (size_t)cg_wblock_bytes(j->g), khw = (size_t)c->KH * c->KW, e = 0;
  int cin_g = c->dwc ? c->gw : c->cin;
  int tco_t = cg_min(t->tco, c->ncob - co * t->tco);
  int ci = r / j->x->n_kc, kc = r % j->x->n_kc;
  int tci_t = c->dwc ? c->gk : cg_min(t->tci, c->ncib - ci * t->tci);
  int ky0 = kc * t->nky, nky_t = cg_min(t->nky, c->KH - ky0);
  for (int a = 0; a < tco_t; a++)
    for (int b = 0; b < tci_t; b++)
      for (int ky = 0; ky < nky_t; ky++)
        for (int kx = 0; kx < c->KW; kx++, e++)
          for (unsigned jo = 0; jo < B; jo++) {
            int o = (co * t->tco + a) * (int)B + (int)jo;
            if (o >= c->cout) continue;
            /* weight[o][in_c][ky0 + ky][kx]: in_c steps of KH * KW */
            const int8_t *wo = weight + (size_t)o * cin_g * khw + (size_t)(ky0 + ky) * c->KW + kx;
            int8_t *dst = blk + e * eb;
            const size_t *wp = j->wpos + jo * B;
            if (!c->dwc) {
              int in0 = (ci * t->tci + b) * (int)B, ni = cg_min((int)B, c->cin - in0);
              for (int i = 0; i < ni; i++) dst[wp[i]] = wo[(size_t)(in0 + i) * khw];
              continue;
            }
            for (unsigned i = 0; i < B; i++) { /* grouped: input channel of o's group, relative to it */
              int ab = co * t->tco + a, ib = ab - ab % c->gk + b, ic = ib * (int)B + (int)i;
              if (ic >= c->cin || ic / c->gw != o / c->gw) continue;
              dst[wp[i]] = wo[(size_t)(ic - o / c->gw * c->gw) * khw];
            }
          }
}

/* Writes block (co, r) of a depthwise input step on DWGEMM into its zeroed place blk: per (co
 * block, ky, phase) the R WGT elements of ISA.md "DWGEMM", element h for the block's input slice
 * h (lanes h*BLOCK_IN.. of the block, the others zero). Lane j of channel o holds its kernel
 * row's taps of the phase at columns p = T - 1 - m (tap kx, at input column offset kx*dw =
 * phx + m*sw, is the window's vector read T - 1 - m iterations back), shifted by BLOCK_IN / 2
 * for odd lanes (their DSP half, ISA.md); dilation holes and the other phases' taps stay zero. */
static void pack_dw_block(const pack_job *j, int co, int r, int8_t *blk) {
  const conv_geo *c = j->c;
  const conv_tile *t = j->t;
  const unsigned B = j->g->B, bi = B / j->g->R, H = j->g->d->dw_taps;
  size_t eb = (size_t)cg_wblock_bytes(j->g), e = 0;
  int tco_t = cg_min(t->tco, c->ncob - co * t->tco), kc = r % j->x->n_kc;
  int ky0 = kc * t->nky, nky_t = cg_min(t->nky, c->KH - ky0);
  for (int a = 0; a < tco_t; a++)
    for (int ky = 0; ky < nky_t; ky++)
      for (int q = 0; q < c->nph; q++, e++)
        for (unsigned jo = 0; jo < B; jo++) {
          int o = (co * t->tco + a) * (int)B + (int)jo;
          if (o >= c->cout) continue;
          const int8_t *wr = j->L->conv.weight + ((size_t)o * c->KH + (size_t)(ky0 + ky)) * c->KW;
          unsigned h = jo / bi, col = jo % bi % 2 ? H : 0; /* the slice, the lane's DSP half */
          for (int kx = 0; kx < c->KW; kx++) {
            int off = kx * c->dw - c->phx[q];
            if (off < 0 || off % c->sw) continue;
            unsigned p = (unsigned)(c->pht[q] - 1 - off / c->sw);
            blk[e * eb + j->wpos[jo * B + h * bi + col + p]] = wr[kx];
          }
        }
}

static void *pack_worker(void *arg) {
  pack_job *j = arg;
  for (;;) {
    pthread_mutex_lock(&j->mu);
    int i = j->next < j->n ? j->next++ : -1;
    pthread_mutex_unlock(&j->mu);
    if (i < 0) return NULL;
    int co = i / j->x->nr, r = i % j->x->nr;
    if (r >= j->x->nrm) pack_res_block(j, co, r, (int8_t *)j->g->img + j->off[i]);
    else if (j->c->dwg) pack_dw_block(j, co, r, (int8_t *)j->g->img + j->off[i]);
    else pack_block(j, co, r, (int8_t *)j->g->img + j->off[i]);
  }
}

/* Place the layer's constants in the image (nothing when dry): a weight block per (co chunk,
 * reduction step) in the order the GEMM micro-ops read it, bias and requant ACC elements per
 * output block, the residual requant element. k->wofs is allocated (caller frees). */
static int conv_consts_make(cg_gen *g, const cg_layer *L, const conv_geo *c, const conv_tile *t,
                            const conv_dims *x, conv_consts *k) {
  const unsigned B = g->B;
  int n = x->n_co * x->nr;
  k->wofs = calloc((size_t)n, sizeof *k->wofs);
  if (!k->wofs) return cg_fail(g, CG_E_NOMEM, "out of memory (weight table)");
  if (g->dry) return CG_OK;
  size_t eb = (size_t)cg_wblock_bytes(g);
  size_t *wpos = malloc(eb * sizeof *wpos);
  uint64_t *off = malloc(((size_t)n + 1) * sizeof *off);
  if (!wpos || !off) {
    free(wpos), free(off);
    return cg_fail(g, CG_E_NOMEM, "out of memory (weights)");
  }
  for (unsigned jj = 0; jj < B; jj++)
    for (unsigned i = 0; i < B; i++) wpos[jj * B + i] = cg_wpos(g, jj, i);
  pack_job j = {.g = g, .L = L, .c = c, .t = t, .x = x, .wpos = wpos, .off = off, .n = n};
  for (int i = 0; i < n && g->status == CG_OK; i++) {
    off[i] = cg_reserve_at(g, pack_bytes(&j, i / x->nr, i % x->nr), eb);
    k->wofs[i] = cg_elem(g, off[i], ISA_MEM_WGT);
  }
  if (g->status == CG_OK) {
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    int nt = cpus < 2 || n < 2 ? 1 : cpus > PACK_THREADS ? PACK_THREADS : (int)cpus, started = 0;
    pthread_t th[PACK_THREADS];
    pthread_mutex_init(&j.mu, NULL);
    for (int q = 1; q < nt; q++)
      if (pthread_create(&th[started], NULL, pack_worker, &j) == 0) started++;
    pack_worker(&j);
    for (int q = 0; q < started; q++) pthread_join(th[q], NULL);
    pthread_mutex_destroy(&j.mu);
  }
  free(wpos), free(off);
  return g->status == CG_OK ? conv_acc_consts(g, L, c, k) : g->status;
}

/* ---- the scheduler ---------------------------------------------------------------------- */
typedef struct slot {
  long key;  /* content id, -1 empty */
  int last;  /* last step that read it, -1 never */
} slot;

typedef struct conv_step {
  cg_list L, C, S; /* instructions for the load, compute and store units */
  int p;           /* the loads wait for the end of compute step p (C2L pop), -1 none */
} conv_step;

typedef struct conv_sched {
  cg_gen *g;
  const cg_layer *L;
  const conv_geo *c;
  const conv_tile *t;
  const conv_dims *x;
  const conv_consts *k;
  int nslot;
  slot is[2], ws[2];
  int iprev, wprev;
  slot ris[2], rws[2]; /* resb: the residual steps' slots */
  int riprev, rwprev;
  int popped;        /* newest compute step the load unit has waited for */
  int cur_co;        /* co chunk whose parameters are in the accumulator, -1 none */
  int rreq_loaded;
  int *clast;        /* [nsteps] program index of the last compute instruction of each step */
  double chan, comp; /* the first tile's steps so far: cycles of the read port's LOAD data (both
                      * units) and of the compute unit's work (cg_insn_cycles), for split_blocks */
  uint32_t *uw;      /* scratch micro-ops */
} conv_sched;

/* The slot for content `key`: the one holding it (hit), else the slot the previous step did
 * not use, so that the load overlaps that step. */
static int pick_slot(slot *sl, int nslot, long key, int prev, int *hit) {
  for (int i = 0; i < nslot; i++)
    if (sl[i].key == key) {
      *hit = 1;
      return i;
    }
  *hit = 0;
  return nslot == 1 || prev < 0 ? 0 : 1 - prev;
}

/* Output tile j of the loop order -> (co chunk, spatial tile index). */
static void tile_of(const conv_sched *s, int j, int *co, int *sidx) {
  const conv_dims *x = s->x;
  if (s->t->order == 0) {
    *co = j / x->n_s;
    *sidx = j % x->n_s;
  } else {
    *sidx = j / x->n_co;
    *co = j % x->n_co;
  }
}

/* What one step of the schedule works on: its output tile, input chunk, extents and the
 * buffer places of its loads (plan_step computes it; the parts below read it). */
typedef struct step_geo {
  int t, j, r;            /* step, output tile, reduction step of the tile */
  int co, si, rstep;      /* co chunk, spatial tile, 1: a residual step */
  int ci, kc;             /* input-channel chunk and kernel-row chunk of an input step */
  int oy0, ox0;           /* first output pixel of the tile */
  int th_t, tw_t, tco_t, tcin_t; /* tile extents: rows, columns, co blocks, ci blocks */
  int ky0, nky_t;         /* kernel rows of this step */
  int ih_t, iw_t, P;      /* input rows and columns loaded, output pixels */
  int rlist[CG_MAX_RB], nrl, q0, q1; /* residual step: blocks rlist[q0..q1) */
  int riw_t;              /* residual step: input columns per row */
  uint32_t ibase, wbase;  /* INP and WGT buffer places of this step's data */
  uint32_t A, R;          /* accumulator places of the tile's outputs and residual */
} step_geo;

/* The geometry of step t. */
static void step_geometry(const conv_sched *s, int t, step_geo *e) {
  const conv_geo *c = s->c;
  const conv_tile *T = s->t;
  const conv_dims *x = s->x;
  e->t = t;
  e->nrl = e->q0 = e->q1 = 0; /* rlist is filled for residual steps only (4096 entries) */
  e->ibase = e->wbase = 0;
  e->j = t / x->nr, e->r = t % x->nr;
  tile_of(s, e->j, &e->co, &e->si);
  e->rstep = e->r >= x->nrm; /* a residual step (after the input's) */
  e->ci = e->rstep ? 0 : e->r / x->n_kc, e->kc = e->rstep ? 0 : e->r % x->n_kc;
  int sy = e->si / x->n_tx, sx = e->si % x->n_tx;
  e->oy0 = sy * T->th, e->ox0 = sx * T->tw;
  e->th_t = cg_min(T->th, c->OH - e->oy0), e->tw_t = cg_min(T->tw, c->OW - e->ox0);
  e->tco_t = cg_min(T->tco, c->ncob - e->co * T->tco);
  e->tcin_t = c->dwc ? e->tco_t : cg_min(T->tci, c->ncib - e->ci * T->tci);
  e->ky0 = e->kc * T->nky, e->nky_t = cg_min(T->nky, c->KH - e->ky0);
  e->ih_t = c->rowskip ? e->th_t : (e->th_t - 1) * c->sh + (e->nky_t - 1) * c->dh + 1;
  e->iw_t = (e->tw_t - 1) * c->sw + (c->KW - 1) * c->dw + 1;
  e->P = e->th_t * e->tw_t;
  if (e->rstep) {
    e->nrl = res_blocks(c, T, e->co, e->rlist);
    e->q0 = cg_min(e->nrl, (e->r - x->nrm) * x->tci2);
    e->q1 = cg_min(e->nrl, e->q0 + x->tci2);
  }
  e->riw_t = (e->tw_t - 1) * c->rstride + 1;
  int acc_slot = s->nslot == 1 ? 0 : e->j % 2;
  e->A = (uint32_t)(x->PAR + acc_slot * x->ACCS);
  e->R = e->A + (uint32_t)(T->tco * x->ACCP);
}

/* The loads of an input step's input chunk (pad fills where the window lies in the padding). */
static int load_input(conv_sched *s, const step_geo *e, conv_step *st) {
  cg_gen *g = s->g;
  const conv_geo *c = s->c;
  const conv_tile *T = s->t;
  const conv_dims *x = s->x;
  int co = e->co, ci = e->ci, ih_t = e->ih_t, iw_t = e->iw_t, tcin_t = e->tcin_t;
  uint32_t ibase = e->ibase;
  int iy = e->oy0 * c->sh - c->pt + e->ky0 * c->dh, ix = e->ox0 * c->sw - c->pl;
  int yp0 = cg_max(0, -iy), yp1 = cg_max(0, iy + ih_t - c->H), ystride = c->W, y0 = cg_max(iy, 0);
  if (c->rowskip) { /* rows iy + r*sh, r < ih_t: the ones outside the image are pad rows */
    yp0 = iy < 0 ? cg_min(ih_t, (-iy + c->sh - 1) / c->sh) : 0;
    int last = iy > c->H - 1 ? -1 : cg_min(ih_t - 1, (c->H - 1 - iy) / c->sh);
    yp1 = ih_t - yp0 - cg_max(0, last - yp0 + 1);
    y0 = iy + yp0 * c->sh;
    ystride = c->sh * c->W;
  }
  int xp0 = cg_max(0, -ix), xp1 = cg_max(0, ix + iw_t - c->W);
  int ys = ih_t - yp0 - yp1, xs = iw_t - xp0 - xp1;
  int allpad = ys <= 0 || xs <= 0; /* the window lies in the padding */
  if (!allpad && (yp0 > 15 || yp1 > 15 || xp0 * (int)g->R > 15 || xp1 * (int)g->R > 15))
    return cg_fail(g, CG_E_FIT, "conv: padding of a load exceeds 15");
  /* whole rows without pads, blocks that follow each other in DRAM and in the slot: the
   * chunk's blocks in one LOAD (a row per block; e.g. an fc's 1 x 1 pixels) */
  int64_t run = (int64_t)ih_t * c->W * g->R, pitch = (int64_t)c->H * c->W * g->R;
  if (!allpad && tcin_t > 1 && !c->rowskip && !c->ti->blk && !yp0 && !yp1 && !xp0 && !xp1 && iw_t == c->W &&
      ih_t * iw_t == x->IH * x->IW && run <= 65535 && pitch <= 65535) {
    int cib = c->dwc ? co * T->tco : ci * T->tci;
    uint64_t dram = cg_elem(g, cg_tblk(c->ti, g->B, cib), ISA_MEM_INP) + (uint64_t)y0 * c->W;
    isa_insn in = cg_i_load(g, ISA_MEM_INP, ibase, dram, (uint32_t)tcin_t, (uint32_t)(ih_t * c->W),
                            (uint32_t)(c->H * c->W), 0, 0, 0, 0, c->x_zp);
    return cg_push(g, &st->L, &in) ? g->status : CG_OK;
  }
  for (int cl = 0; cl < tcin_t; cl++) {
    int cib = c->dwc ? co * T->tco + cl : ci * T->tci + cl;
    uint32_t sram = ibase + (uint32_t)(cl * x->IH * x->IW);
    if (allpad) {
      if (cg_pad_fill(g, &st->L, ISA_MEM_INP, sram, (uint32_t)(ih_t * iw_t), c->x_zp)) return g->status;
      continue;
    }
    uint64_t dram = cg_elem(g, cg_tblk(c->ti, g->B, cib), ISA_MEM_INP) +
                    (uint64_t)y0 * c->W + (uint64_t)cg_max(ix, 0);
    isa_insn in = cg_i_load(g, ISA_MEM_INP, sram, dram, (uint32_t)ys, (uint32_t)xs,
                            (uint32_t)ystride, (uint32_t)yp0, (uint32_t)yp1, (uint32_t)xp0,
                            (uint32_t)xp1, c->x_zp);
    if (cg_push(g, &st->L, &in)) return g->status;
  }
  return g->status;
}

/* Step st's loads: the input (or residual) chunk and the weights unless a slot holds them, with
 * the token waits they need. */
static int plan_loads(conv_sched *s, step_geo *e, conv_step *st) {
  cg_gen *g = s->g;
  const conv_geo *c = s->c;
  const conv_tile *T = s->t;
  const conv_dims *x = s->x;
  int t = e->t, r = e->r, co = e->co, si = e->si, rstep = e->rstep, tco_t = e->tco_t, th_t = e->th_t;
  int q0 = e->q0, q1 = e->q1, oy0 = e->oy0, ox0 = e->ox0, riw_t = e->riw_t, tcin_t = e->tcin_t, nky_t = e->nky_t;
  const int *rlist = e->rlist;
  long ikey = c->dwc ? ((long)si * x->n_co + co) * x->n_kc + e->kc : (long)si * x->nr + r;
  if (rstep) {
    /* its content: the tile's pixels of those blocks (the same for every co chunk that reads
     * them); keys above every input key */
    ikey = (long)x->n_s * x->n_co * (x->nr + x->n_kc + 1) +
           (((long)si * (c->ncrb + 1) + (q0 < q1 ? rlist[q0] : c->ncrb)) * (x->tci2 + 1) + (q1 - q0));
  }
  long wkey = (long)co * x->nr + r;
  int ihit, whit;
  slot *isl = rstep ? s->ris : s->is, *wsl = rstep ? s->rws : s->ws;
  int *ipv = rstep ? &s->riprev : &s->iprev, *wpv = rstep ? &s->rwprev : &s->wprev;
  int ik = pick_slot(isl, s->nslot, ikey, *ipv, &ihit);
  int wk = pick_slot(wsl, s->nslot, wkey, *wpv, &whit);
  int p = -1;
  if (!ihit) p = cg_max(p, isl[ik].last);
  if (!whit) p = cg_max(p, wsl[wk].last);
  uint32_t ibase = rstep ? (uint32_t)(s->nslot * x->INPS + ik * x->RINP) : (uint32_t)(ik * x->INPS);
  uint32_t wbase = rstep ? (uint32_t)(s->nslot * x->WGTS + wk * x->RWGT) : (uint32_t)(wk * x->WGTS);
  e->ibase = ibase, e->wbase = wbase;
  if (!ihit && !rstep && load_input(s, e, st)) return g->status;
  /* a residual step loads its residual blocks: rows strided by rstride (riw_t elements each,
   * the pixels at every rstride-th one), block q at ibase + (q - q0) * RSP */
  int nwres = 0;
  for (int q = q0; q < q1; q++)
    for (int a = 0; a < tco_t; a++) nwres += c->nzb[(co * T->tco + a) * c->ncrb + rlist[q]];
  for (int q = q0; !ihit && q < q1; q++) {
    isa_insn in = cg_i_load(g, ISA_MEM_INP, ibase + (uint32_t)((q - q0) * x->RSP),
                            cg_elem(g, cg_tblk(c->tr, g->B, rlist[q]), ISA_MEM_INP) + (uint64_t)oy0 * c->rstride * c->RW +
                                (uint64_t)ox0 * c->rstride,
                            (uint32_t)th_t, (uint32_t)riw_t, (uint32_t)(c->rstride * c->RW), 0, 0, 0, 0, 0);
    if (cg_push(g, &st->L, &in)) return g->status;
  }
  if (!whit && (!rstep || nwres)) {
    uint32_t n = rstep ? (uint32_t)nwres : (uint32_t)wblocks(c, tco_t, tcin_t, nky_t);
    isa_insn in = cg_i_load(g, ISA_MEM_WGT, wbase, s->k->wofs[co * x->nr + r], 1, n, n, 0, 0, 0,
                            0, 0);
    if (cg_push(g, &st->L, &in)) return g->status;
  }
  if (st->L.n) {
    if (p > s->popped) {
      st->p = p;
      s->popped = p;
      cg_tok(&st->L.v[0], 0, 1, 0, 0);
    }
    if (g->barrier_c2l) {
      cg_tok(&st->L.v[0], 0, 1, 0, 0);
      g->barrier_c2l = 0;
      if (st->p >= 0) return cg_fail(g, CG_E_INTERNAL, "conv: two C2L pops on one load");
    }
    cg_tok(&st->L.v[st->L.n - 1], 0, 0, 0, 1);
  }
  isl[ik].key = ikey;
  isl[ik].last = t;
  wsl[wk].key = wkey;
  wsl[wk].last = t;
  *ipv = ik;
  *wpv = wk;
  return g->status;
}

/* One ALU op per output channel block of a tile: acc[A + a*ACCP] op= acc[src + a] (the
 * block's row of per-channel parameters) for a < tco_t, over the P pixels of each. */
static int channel_pass(conv_sched *s, conv_step *st, int op, int use_imm, int imm, uint32_t A, int q, int co, int tco_t,
                        int P) {
  cg_gen *g = s->g;
  const conv_dims *x = s->x;
  int tco = s->t->tco;
  uint32_t ub, src = par_at(x, q, co, tco);
  if (x->pall) {
    /* one micro-op set for every chunk (block k: A + (k % tco) * ACCP <- kind q of block k),
     * resident once; the chunk's instruction takes its range */
    for (int k = 0; k < s->c->ncob; k++)
      s->uw[k] = cg_uop(g, A + (uint32_t)(k % tco * x->ACCP), (uint32_t)(q * x->PB + k), 0);
    if (cg_uops(g, &st->C, s->uw, (uint32_t)s->c->ncob, &ub)) return g->status;
    ub += (uint32_t)(co * tco);
  } else {
    for (int a = 0; a < tco_t; a++) s->uw[a] = cg_uop(g, A + (uint32_t)(a * x->ACCP), src + (uint32_t)a, 0);
    if (cg_uops(g, &st->C, s->uw, (uint32_t)tco_t, &ub)) return g->status;
  }
  isa_insn in = cg_i_alu(g, op, use_imm, imm, ub, ub + (uint32_t)tco_t, 1, (uint32_t)P, 0, 1, 0, 0);
  return cg_push(g, &st->C, &in) ? g->status : CG_OK;
}

/* An input step's GEMMs: micro-ops (co block, ci block, ky, kx) over the tile's rows and
 * columns. The first step of a tile puts the first kernel position of every co block first:
 * those tco_t micro-ops (the first of its R when a block is R elements) run as a GEMM with bias
 * (acc := bias[a] + x * w, the bias elements at 0..), so the tile needs no pass that sets the
 * accumulator first. */
static int plan_gemm_in(conv_sched *s, const step_geo *e, conv_step *st) {
  cg_gen *g = s->g;
  const conv_geo *c = s->c;
  const conv_dims *x = s->x;
  int r = e->r, co = e->co, tco_t = e->tco_t, tcin_t = e->tcin_t, th_t = e->th_t, tw_t = e->tw_t;
  int nky_t = e->nky_t, iw_t = e->iw_t;
  uint32_t A = e->A, ibase = e->ibase, wbase = e->wbase, ub, nu = 0;
  isa_insn in;
  int first = r == 0;
  for (int pass = first ? 0 : 1; pass < 2; pass++)
    for (int a = 0; a < tco_t; a++)
      for (int b = 0; b < (c->dwc ? c->gk : tcin_t); b++)
        for (int ky = 0; ky < nky_t; ky++)
          for (int kx = 0; kx < c->KW; kx++) {
            int lead = b == 0 && ky == 0 && kx == 0;
            if (first && pass == 0 && !lead) continue;
            int cb = c->dwc ? a - a % c->gk + b : b; /* grouped: the blocks of a's group */
            uint32_t src = ibase + (uint32_t)(cb * x->IH * x->IW + ky * c->dh * iw_t + kx * c->dw);
            uint32_t wi = wbase + (uint32_t)(((a * (c->dwc ? c->gk : tcin_t) + b) * nky_t + ky) * c->KW + kx);
            unsigned h0 = 0, h1 = g->R;
            if (first && lead) h0 = pass ? 1 : 0, h1 = pass ? g->R : 1;
            cg_gemm_uops(g, s->uw, &nu, A + (uint32_t)(a * x->ACCP), src, wi, h0, h1);
          }
  if (cg_uops(g, &st->C, s->uw, nu, &ub)) return g->status;
  for (uint32_t u0 = 0; u0 < nu;) {
    uint32_t u1 = first && !u0 ? (uint32_t)tco_t : nu;
    in = cg_i_gemm(g, ub + u0, ub + u1, (uint32_t)th_t, (uint32_t)tw_t, th_t > 1 ? (uint32_t)tw_t : 0, 1,
                   th_t > 1 ? (uint32_t)((c->rowskip ? 1 : c->sh) * iw_t) : 0, tw_t > 1 ? (uint32_t)c->sw : 0, 0, 0);
    in.f[ISA_F_bias] = first && !u0; /* b = wgt_in + u - uop_begin = the co block */
    if (first && !u0) in.f[ISA_F_wgt_in] = par_at(x, 0, co, s->t->tco);
    if (cg_push(g, &st->C, &in)) return g->status;
    u0 = u1;
  }
  return g->status;
}

/* A depthwise input step on DWGEMM (c->dwg): per co block a, kernel row ky, phase q and block
 * slice h one DWGEMM of one micro-op (its window must not mix micro-ops) over the tile's rows
 * (loop_out) and the phase's tw_t + T - 1 columns of the input, sw apart (loop_in: the first
 * T - 1 fill the window); a block's instructions follow each other. A tile's first step gives
 * each block's first one (ky 0, phase 0, slice 0) the bias (b = wgt_in: no init pass). */
static int plan_dwgemm(conv_sched *s, const step_geo *e, conv_step *st) {
  cg_gen *g = s->g;
  const conv_geo *c = s->c;
  const conv_dims *x = s->x;
  uint32_t nu = 0, ub, u = 0;
  for (int a = 0; a < e->tco_t; a++)
    for (int ky = 0; ky < e->nky_t; ky++)
      for (int q = 0; q < c->nph; q++) {
        uint32_t src = e->ibase + (uint32_t)(a * x->IH * x->IW + ky * c->dh * e->iw_t + c->phx[q]);
        uint32_t wi = e->wbase + (uint32_t)((a * e->nky_t + ky) * c->nph + q);
        cg_gemm_uop(g, s->uw, &nu, e->A + (uint32_t)(a * x->ACCP), src, wi);
      }
  if (cg_uops(g, &st->C, s->uw, nu, &ub)) return g->status;
  uint32_t rows = (uint32_t)((c->rowskip ? 1 : c->sh) * e->iw_t); /* input rows of output rows */
  for (int a = 0; a < e->tco_t; a++)
    for (int ky = 0; ky < e->nky_t; ky++)
      for (int q = 0; q < c->nph; q++)
        for (unsigned h = 0; h < g->R; h++, u++) {
          uint32_t T = (uint32_t)c->pht[q];
          isa_insn in = cg_i_dwgemm(g, ub + u, (uint32_t)e->th_t, (uint32_t)e->tw_t + T - 1,
                                    e->th_t > 1 ? (uint32_t)e->tw_t : 0, e->th_t > 1 ? rows : 0, (uint32_t)c->sw, T);
          if (e->r == 0 && !ky && !q && !h) { /* b = wgt_in + u - uop_begin: block a's bias */
            in.f[ISA_F_bias] = 1;
            in.f[ISA_F_wgt_in] = par_at(x, 0, e->co, s->t->tco) + (uint32_t)a;
          }
          if (cg_push(g, &st->C, &in)) return g->status;
        }
  return g->status;
}

/* Step st's GEMMs: at a tile's first step the accumulator set to the bias (and the parameters
 * of a new co chunk loaded), then the step's input (or residual) chunk times its weights. */
static int plan_gemm(conv_sched *s, const step_geo *e, conv_step *st) {
  cg_gen *g = s->g;
  const conv_geo *c = s->c;
  const conv_tile *T = s->t;
  const conv_dims *x = s->x;
  int r = e->r, co = e->co, rstep = e->rstep, tco_t = e->tco_t, th_t = e->th_t, tw_t = e->tw_t;
  int P = e->P, q0 = e->q0, q1 = e->q1, riw_t = e->riw_t;
  const int *rlist = e->rlist;
  uint32_t A = e->A, ibase = e->ibase, wbase = e->wbase;
  uint32_t ub;
  isa_insn in;
  if (r == 0) {
    if (x->pall ? s->cur_co == -1 : co != s->cur_co) {
      /* the chunk's parameters (pall: every chunk's, once) */
      uint64_t c0 = x->pall ? 0 : (uint64_t)co * T->tco;
      uint32_t n = x->pall ? (uint32_t)c->ncob : (uint32_t)tco_t;
      int nq = c->frac ? 3 + c->res_k : 2;
      if (x->pall) n *= (uint32_t)nq, nq = 1; /* the kinds follow each other as in the area */
      for (int q = 0; q < nq; q++) {
        uint64_t src = q == 0 ? s->k->bias_e : q == 1 ? s->k->req_e : q == 2 ? s->k->fin_e : s->k->k_e;
        in = cg_i_load(g, ISA_MEM_ACC, (uint32_t)(q * x->PB), src + c0, 1, n, n, 0, 0, 0, 0, 0);
        if (cg_push(g, &st->C, &in)) return g->status;
      }
      s->cur_co = x->pall ? -2 : co;
    }
    if (c->res && !c->resb && !s->rreq_loaded) {
      in = cg_i_load(g, ISA_MEM_ACC, (uint32_t)(2 * x->PB), s->k->rreq_e, 1, 1, 1, 0, 0, 0, 0, 0);
      if (cg_push(g, &st->C, &in)) return g->status;
      s->rreq_loaded = 1;
    }
  }
  uint32_t nu = 0;
  if (rstep) {
    /* u += rw * res: one GEMM iteration per output element and non-zero weight block */
    uint32_t wq = 0;
    for (int a = 0; a < tco_t; a++)
      for (int q = q0; q < q1; q++)
        if (c->nzb[(co * T->tco + a) * c->ncrb + rlist[q]])
          cg_gemm_uop(g, s->uw, &nu, A + (uint32_t)(a * x->ACCP), ibase + (uint32_t)((q - q0) * x->RSP), wbase + wq++);
    if (nu) {
      if (cg_uops(g, &st->C, s->uw, nu, &ub)) return g->status;
      in = cg_i_gemm(g, ub, ub + nu, (uint32_t)th_t, (uint32_t)tw_t, th_t > 1 ? (uint32_t)tw_t : 0, 1,
                     th_t > 1 ? (uint32_t)riw_t : 0, tw_t > 1 ? (uint32_t)c->rstride : 0, 0, 0);
    } else {
      in = cg_i_gemm(g, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0); /* no block of this chunk: an empty GEMM */
    }
    if (cg_push(g, &st->C, &in)) return g->status;
  }
  if (!rstep && (c->dwg ? plan_dwgemm(s, e, st) : plan_gemm_in(s, e, st))) return g->status;
  if (c->frac && r == x->nrm - 1) {
    /* t = REQ(acc) at the output scale with f more fraction bits, before the residual steps */
    if (channel_pass(s, st, ISA_ALU_REQ, 0, 0, A, 1, co, tco_t, P)) return g->status;
  }
  return g->status;
}

/* The end of a tile (its last step): requantization, residual, zero point and clamp passes. */
static int plan_epilogue(conv_sched *s, const step_geo *e, conv_step *st) {
  cg_gen *g = s->g;
  const conv_geo *c = s->c;
  const conv_tile *T = s->t;
  const conv_dims *x = s->x;
  int co = e->co, tco_t = e->tco_t, th_t = e->th_t, tw_t = e->tw_t, P = e->P, oy0 = e->oy0, ox0 = e->ox0;
  uint32_t A = e->A, R = e->R;
  uint32_t ub;
  isa_insn in;
  const cg_conv *cp = &s->L->conv;
  /* REQ: bounds fused when no residual and no output zero point, or when the zero point
   * folds into the bounds exactly (c->fold); else saturating, then ADD y_zp and CLIP */
  int fused = !c->res && (!cp->y_zp || c->fold);
  if (c->frac) fused = 0;
  int req_imm = cg_clip_imm(cp->lo - (fused ? cp->y_zp : 0), cp->hi - (fused ? cp->y_zp : 0));
  if (!c->frac && channel_pass(s, st, ISA_ALU_REQ, fused, req_imm, A, 1, co, tco_t, P))
    return g->status;
  /* whole-block passes over the tile's outputs (A) or residual (R): one micro-op, loop_out
   * over the co blocks (pitch ACCP), loop_in over the P pixels */
#define BLOCK_PASS(op, use_imm, immv, dst, src, src_step)                                      \
do {                                                                                       \
  s->uw[0] = cg_uop(g, (dst), (src), 0);                                                   \
  if (cg_uops(g, &st->C, s->uw, 1, &ub)) return g->status;                                 \
  in = cg_i_alu(g, (op), (use_imm), (immv), ub, ub + 1, (uint32_t)tco_t, (uint32_t)P,      \
                (uint32_t)x->ACCP, 1, (src_step) ? (uint32_t)x->ACCP : 0, (src_step) ? 1 : 0); \
  if (cg_push(g, &st->C, &in)) return g->status;                                           \
} while (0)
  if (c->frac) {
    /* per-channel passes: [ADD the constants], REQ round(u / 2^f) with the bounds */
    for (int pass = c->res_k ? 0 : 1; pass < 2; pass++)
      if (channel_pass(s, st, pass ? ISA_ALU_REQ : ISA_ALU_ADD, pass, pass ? cg_clip_imm(cp->lo, cp->hi) : 0, A,
                       pass ? 2 : 3, co, tco_t, P))
        return g->status;
  } else if (c->res) {
    for (int a = 0; a < tco_t; a++) {
      int cob = co * T->tco + a;
      in = cg_i_load(g, ISA_MEM_ACC8, R + (uint32_t)(a * x->ACCP),
                     cg_elem(g, cg_tblk(c->tr, g->B, cob), ISA_MEM_ACC8) + (uint64_t)oy0 * c->OW + (uint64_t)ox0,
                     (uint32_t)th_t, (uint32_t)tw_t, (uint32_t)c->OW, 0, 0, 0, 0, 0);
      if (cg_push(g, &st->C, &in)) return g->status;
    }
    if (cp->res_zp) BLOCK_PASS(ISA_ALU_ADD, 1, -cp->res_zp, R, 0, 0);
    BLOCK_PASS(ISA_ALU_REQ, 0, 0, R, (uint32_t)(2 * x->PB), 0);
    BLOCK_PASS(ISA_ALU_ADD, 0, 0, A, R, 1);
  }
  if (cp->y_zp && !c->frac) BLOCK_PASS(ISA_ALU_ADD, 1, cp->y_zp, A, 0, 0);
  if (!fused && !c->frac) BLOCK_PASS(ISA_ALU_CLIP, 1, cg_clip_imm(cp->lo, cp->hi), A, 0, 0);
  if (cp->lut) BLOCK_PASS(ISA_ALU_LUT, 1, 0, A, 0, 0); /* the fused activation (cg_lut.c) */
#undef BLOCK_PASS
  return g->status;
}

/* The last step of a layer's last tile as one GEMM and one ALU pass per output block (GEMM of
 * block 0, its REQ, GEMM of block 1, ...), and the last block's in two halves of its rows, each
 * REQ handing its part to the store unit: the stores of the first parts overlap the GEMMs of the
 * later ones, and the layer ends half a block's REQ and STORE after its last GEMM instead of the
 * whole tile's. Only when the step's compute after its LOADs is one GEMM whose micro-ops go
 * block by block in equal runs, then UOP loads that leave its micro-ops alone, then one ALU
 * pass with a micro-op per block (a conv without a requantized residual, zero point or
 * activation pass). Returns the first row of the last block's second half (0: not halved), or
 * -1 if not split. */
static int split_tail(conv_sched *s, const step_geo *e, conv_step *st, int from) {
  cg_list *C = &st->C;
  int n = C->n, gi = -1, tco_t = e->tco_t, h1 = e->th_t / 2;
  for (int k = from; k < n; k++)
    if (C->v[k].f[ISA_F_opcode] == ISA_OP_GEMM) {
      if (gi >= 0) return -1;
      gi = k;
    } else if (C->v[k].f[ISA_F_opcode] != ISA_OP_LOAD && k != n - 1) return -1;
  const uint32_t *gf = gi >= 0 ? C->v[gi].f : NULL, *af = C->v[n - 1].f;
  if ((tco_t < 2 && !h1) || !gf || gf[ISA_F_bias] || af[ISA_F_opcode] != ISA_OP_ALU || af[ISA_F_loop_out] != 1 ||
      af[ISA_F_uop_end] - af[ISA_F_uop_begin] != (uint32_t)tco_t || (gf[ISA_F_uop_end] - gf[ISA_F_uop_begin]) % tco_t ||
      af[ISA_F_loop_in] != (uint32_t)e->P || gf[ISA_F_loop_out] != (uint32_t)e->th_t)
    return -1;
  uint32_t per = (gf[ISA_F_uop_end] - gf[ISA_F_uop_begin]) / (uint32_t)tco_t;
  if (e->rstep) /* a residual step: as many non-zero weight blocks in every output block */
    for (int a = 0; a < tco_t; a++) {
      uint32_t cnt = 0;
      for (int q = e->q0; q < e->q1; q++) cnt += s->c->nzb[(e->co * s->t->tco + a) * s->c->ncrb + e->rlist[q]];
      if (cnt != per) return -1;
    }
  for (int k = gi + 1; k < n - 1; k++) { /* UOP loads of the pass: not over the GEMM's micro-ops */
    const uint32_t *f = C->v[k].f;
    if (f[ISA_F_mem] != ISA_MEM_UOP || (f[ISA_F_sram] < gf[ISA_F_uop_end] && gf[ISA_F_uop_begin] < f[ISA_F_sram] + f[ISA_F_x_size]))
      return -1;
  }
  cg_gen *g = s->g;
  isa_insn G = C->v[gi], A = C->v[n - 1];
  for (int k = gi + 1; k < n - 1; k++) C->v[k - 1] = C->v[k]; /* the UOP loads first */
  C->n = n - 2;
  for (int a = 0; a < tco_t; a++) {
    isa_insn g1 = G, a1 = A;
    g1.f[ISA_F_uop_begin] = G.f[ISA_F_uop_begin] + (uint32_t)a * per;
    g1.f[ISA_F_uop_end] = g1.f[ISA_F_uop_begin] + per;
    a1.f[ISA_F_uop_begin] = A.f[ISA_F_uop_begin] + (uint32_t)a;
    a1.f[ISA_F_uop_end] = a1.f[ISA_F_uop_begin] + 1;
    cg_tok(&a1, 0, 0, 0, 1);
    if (a < tco_t - 1 || !h1) {
      if (cg_push(g, C, &g1) || cg_push(g, C, &a1)) return -1;
      continue;
    }
    /* the last block: rows [0, h1), then [h1, th_t) through micro-ops moved by h1 rows */
    isa_insn g2 = g1, a2 = a1;
    uint32_t *w = s->uw, ua, us, uwt, ub;
    g1.f[ISA_F_loop_out] = (uint32_t)h1, a1.f[ISA_F_loop_in] = (uint32_t)(h1 * e->tw_t);
    if (cg_push(g, C, &g1) || cg_push(g, C, &a1)) return -1;
    if (cg_uop_words(g, g2.f[ISA_F_uop_begin], per, w)) return cg_fail(g, CG_E_INTERNAL, "conv: tail micro-ops"), -1;
    for (uint32_t u = 0; u < per; u++) {
      isa_uop_fields(g->cfg, w[u], &ua, &us, &uwt);
      w[u] = cg_uop(g, ua + (uint32_t)h1 * G.f[ISA_F_acc_out], us + (uint32_t)h1 * G.f[ISA_F_inp_out], uwt);
    }
    if (cg_uops(g, C, w, per, &ub)) return -1;
    g2.f[ISA_F_uop_begin] = ub, g2.f[ISA_F_uop_end] = ub + per, g2.f[ISA_F_loop_out] = (uint32_t)(e->th_t - h1);
    if (cg_uop_words(g, a2.f[ISA_F_uop_begin], 1, w)) return cg_fail(g, CG_E_INTERNAL, "conv: tail micro-ops"), -1;
    isa_uop_fields(g->cfg, w[0], &ua, &us, &uwt);
    w[0] = cg_uop(g, ua + (uint32_t)(h1 * e->tw_t), us, uwt);
    if (cg_uops(g, C, w, 1, &ub)) return -1;
    a2.f[ISA_F_uop_begin] = ub, a2.f[ISA_F_uop_end] = ub + 1, a2.f[ISA_F_loop_in] = (uint32_t)(e->P - h1 * e->tw_t);
    if (cg_push(g, C, &g2) || cg_push(g, C, &a2)) return -1;
  }
  return h1;
}

#define CG_MAX_HEAD 64 /* output blocks split_head splits (more: it leaves the step alone) */

/* Split the INP LOADs l[0..n) of a window of ih rows of iw elements, rows stride elements apart
 * in DRAM, at window row k into the top rows (to top[]) and the rest (to bot[]); 0 if one of
 * them is not such a window LOAD (e.g. one of whole planes, a row per block) with k inside its
 * DRAM rows. */
static int split_rows(const isa_insn *l, int n, uint32_t ih, uint32_t iw, uint32_t stride, uint32_t k, isa_insn *top,
                      isa_insn *bot) {
  for (int i = 0; i < n; i++) {
    const uint32_t *f = l[i].f;
    uint32_t yp0 = f[ISA_F_y_pad0], ys = f[ISA_F_y_size];
    if (f[ISA_F_opcode] != ISA_OP_LOAD || f[ISA_F_mem] != ISA_MEM_INP || yp0 + ys + f[ISA_F_y_pad1] != ih ||
        k <= yp0 || k >= yp0 + ys || f[ISA_F_pop_prev] || f[ISA_F_push_next] || f[ISA_F_push_prev] ||
        f[ISA_F_x_stride] != stride)
      return 0;
    uint32_t row = f[ISA_F_x_pad0] + f[ISA_F_x_size] + f[ISA_F_x_pad1];
    if (row != iw) return 0;
    top[i] = bot[i] = l[i];
    top[i].f[ISA_F_y_size] = k - yp0, top[i].f[ISA_F_y_pad1] = 0;
    bot[i].f[ISA_F_y_pad0] = 0, bot[i].f[ISA_F_y_size] = ys - (k - yp0), bot[i].f[ISA_F_pop_next] = 0;
    bot[i].f[ISA_F_sram] += k * row, bot[i].f[ISA_F_dram] += (k - yp0) * f[ISA_F_x_stride];
  }
  return 1;
}

/* GEMM in over its rows [h, h + rows) of loop_out: micro-ops moved by h rows (a set of their
 * own, its LOAD UOP into l). 0, or -1 on error. */
static int gemm_rows(cg_gen *g, uint32_t *w, cg_list *l, isa_insn *in, uint32_t h, uint32_t rows) {
  uint32_t n = in->f[ISA_F_uop_end] - in->f[ISA_F_uop_begin], ua, us, uwt, ub;
  if (h) {
    if (cg_uop_words(g, in->f[ISA_F_uop_begin], n, w)) return cg_fail(g, CG_E_INTERNAL, "conv: head micro-ops"), -1;
    for (uint32_t u = 0; u < n; u++) {
      isa_uop_fields(g->cfg, w[u], &ua, &us, &uwt);
      w[u] = cg_uop(g, ua + h * in->f[ISA_F_acc_out], us + h * in->f[ISA_F_inp_out], uwt);
    }
    if (cg_uops(g, l, w, n, &ub)) return -1;
    in->f[ISA_F_uop_begin] = ub, in->f[ISA_F_uop_end] = ub + n;
  }
  in->f[ISA_F_loop_out] = rows;
  return 0;
}

/* The first step of a layer's first tile in parts, each handing its data to the compute unit
 * (L2C): the first output block's rows [0, h1) (the input's top rows and the block's weights),
 * its rows [h1, th) (the input's other rows), then the other blocks (one weight LOAD each), each
 * part's GEMMs (the bias GEMM of its lead micro-op, then the rest) popping its token. The
 * layer's first GEMM then waits for part of the input and one block's weights, not the step's.
 * Only when the step's loads are its input's window LOADs then one WGT LOAD of the chunk, and
 * its compute after its LOADs starts with the bias GEMM (a micro-op per block) and one GEMM in
 * equal per-block runs; the rows split only for plain window LOADs. */
static int split_head(conv_sched *s, const step_geo *e, conv_step *st, int from) {
  cg_gen *g = s->g;
  cg_list *C = &st->C, *L = &st->L, U = {0};
  int tco_t = e->tco_t, n = C->n, ni = L->n - 1;
  while (from < n && C->v[from].f[ISA_F_opcode] == ISA_OP_LOAD) from++;
  if (from + 1 >= n || ni < 0) return CG_OK;
  isa_insn W = L->v[ni], G0 = C->v[from], G1 = C->v[from + 1];
  const uint32_t *w = W.f, *g0 = G0.f, *g1 = G1.f;
  if (w[ISA_F_opcode] != ISA_OP_LOAD || w[ISA_F_mem] != ISA_MEM_WGT || w[ISA_F_y_size] != 1 || w[ISA_F_pop_next] ||
      w[ISA_F_x_size] % tco_t || g0[ISA_F_opcode] != ISA_OP_GEMM || !g0[ISA_F_bias] ||
      g0[ISA_F_uop_end] - g0[ISA_F_uop_begin] != (uint32_t)tco_t || g1[ISA_F_opcode] != ISA_OP_GEMM || g1[ISA_F_bias] ||
      g1[ISA_F_uop_begin] != g0[ISA_F_uop_end] || (g1[ISA_F_uop_end] - g1[ISA_F_uop_begin]) % tco_t ||
      g0[ISA_F_loop_out] != (uint32_t)e->th_t)
    return CG_OK;
  uint32_t h1 = (uint32_t)e->th_t / 2, k = 0;
  isa_insn *top = malloc((size_t)(ni + 1) * sizeof *top), *bot = malloc((size_t)(ni + 1) * sizeof *bot);
  isa_insn *nl = malloc((size_t)(2 * ni + tco_t) * sizeof *nl), *nc = malloc((size_t)(n + 4 * tco_t + 8) * sizeof *nc);
  if (!top || !bot || !nl || !nc) {
    cg_fail(g, CG_E_NOMEM, "out of memory (conv head)");
    goto out;
  }
  uint64_t ib = 0; /* the input's bytes: the rows split when they outweigh a block's weights */
  for (int i = 0; i < ni; i++)
    ib += (uint64_t)L->v[i].f[ISA_F_y_size] * L->v[i].f[ISA_F_x_size] * g->cfg->elem_bytes[ISA_MEM_INP];
  if (ib <= (uint64_t)(w[ISA_F_x_size] / (uint32_t)tco_t) * g->cfg->elem_bytes[ISA_MEM_WGT]) h1 = 0;
  if (h1 && !s->c->rowskip) k = (h1 - 1) * (uint32_t)s->c->sh + (uint32_t)((e->nky_t - 1) * s->c->dh) + 1;
  uint32_t iw = (uint32_t)e->iw_t * g->R, stride = (uint32_t)s->c->W * g->R;
  if (!k || !split_rows(L->v, ni, (uint32_t)e->ih_t, iw, stride, k, top, bot)) h1 = 0;
  if ((tco_t < 2 && !h1) || tco_t > CG_MAX_HEAD) goto out;
  uint32_t pw = w[ISA_F_x_size] / (uint32_t)tco_t, pg = (g1[ISA_F_uop_end] - g1[ISA_F_uop_begin]) / (uint32_t)tco_t;
  int m = 0, np = 0;
  for (int i = 0; i < ni; i++) nl[m++] = h1 ? top[i] : L->v[i];
  for (int a = 0; a < tco_t; a++) {
    isa_insn wa = W;
    wa.f[ISA_F_sram] += (uint32_t)a * pw, wa.f[ISA_F_dram] += (uint32_t)a * pw;
    wa.f[ISA_F_x_size] = wa.f[ISA_F_x_stride] = pw;
    nl[m++] = wa;
  }
  for (int i = 0; h1 && i < ni; i++) nl[m++] = bot[i];
  cg_tok(&nl[m - 1], 0, 0, 0, 1); /* h1: the bottom rows' part */
  isa_insn parts[2 * CG_MAX_HEAD + 2];
  for (int a = 0; a < tco_t; a++) { /* block a over rows [0, h1) (h1 = 0: all) */
    isa_insn b = G0, r = G1;
    b.f[ISA_F_uop_begin] = g0[ISA_F_uop_begin] + (uint32_t)a, b.f[ISA_F_uop_end] = b.f[ISA_F_uop_begin] + 1;
    b.f[ISA_F_wgt_in] = g0[ISA_F_wgt_in] + (uint32_t)a; /* the bias of block a */
    cg_tok(&b, 1, 0, 0, 0);
    r.f[ISA_F_uop_begin] = g1[ISA_F_uop_begin] + (uint32_t)a * pg, r.f[ISA_F_uop_end] = r.f[ISA_F_uop_begin] + pg;
    r.f[ISA_F_pop_prev] = r.f[ISA_F_pop_next] = 0;
    if (h1) b.f[ISA_F_loop_out] = r.f[ISA_F_loop_out] = h1;
    parts[np++] = b, parts[np++] = r;
  }
  if (h1) { /* every block over rows [h1, th) */
    isa_insn b = G0, r = G1;
    cg_tok(&b, 1, 0, 0, 0);
    r.f[ISA_F_pop_prev] = r.f[ISA_F_pop_next] = 0;
    if (gemm_rows(g, s->uw, &U, &b, h1, (uint32_t)e->th_t - h1) || gemm_rows(g, s->uw, &U, &r, h1, (uint32_t)e->th_t - h1))
      goto out;
    parts[np++] = b, parts[np++] = r;
  }
  int q = 0;
  for (int i = 0; i < from; i++) nc[q++] = C->v[i];
  for (int i = 0; i < U.n; i++) nc[q++] = U.v[i]; /* the moved micro-ops' loads */
  for (int i = 0; i < np; i++) nc[q++] = parts[i];
  for (int i = from + 2; i < n; i++) nc[q++] = C->v[i];
  free(C->v), C->v = nc, C->n = q, C->cap = n + 4 * tco_t + 8, nc = NULL;
  free(L->v), L->v = nl, L->n = m, L->cap = 2 * ni + tco_t, nl = NULL;
out:
  free(top), free(bot), free(nl), free(nc);
  cg_list_free(&U);
  return g->status;
}

/* The step after the head (r = 1 of a layer's first tile, CG_SPLIT_STEPS) in parts, one per
 * output block: its WGT LOAD one block at a time, each handing its block to the compute unit
 * (L2C), and its GEMM in the per-block runs of its micro-ops, each popping its block's token.
 * At a layer's start the load unit is behind (the head's loads, split_head, feed GEMMs that take
 * little longer than they do), so the step's whole weight chunk in one LOAD can leave the
 * compute unit waiting for all of it; in parts it waits for one block's (plan_step decides from
 * its estimate of that wait). Later steps stay whole: their parts' LOADs would only contend with
 * the compute unit's own parameter and micro-op LOADs at the start (the Verilated RTL, ResNet-18's
 * 512-channel layers, was slower with two steps split). Only when the step's loads end with one
 * WGT LOAD of the chunk and its compute after its LOADs starts with one GEMM (no bias) in equal
 * per-block runs. 1 if it split the step, 0 if not, -1 on error (g's status). */
#define CG_SPLIT_STEPS 2
static int split_blocks(conv_sched *s, const step_geo *e, conv_step *st, int from) {
  cg_gen *g = s->g;
  cg_list *C = &st->C, *L = &st->L;
  int tco_t = e->tco_t, n = C->n, ni = L->n - 1;
  while (from < n && C->v[from].f[ISA_F_opcode] == ISA_OP_LOAD) from++;
  if (from >= n || ni < 0 || tco_t < 2 || tco_t > CG_MAX_HEAD) return 0;
  isa_insn W = L->v[ni], G = C->v[from];
  const uint32_t *w = W.f, *gf = G.f;
  if (w[ISA_F_opcode] != ISA_OP_LOAD || w[ISA_F_mem] != ISA_MEM_WGT || w[ISA_F_y_size] != 1 || w[ISA_F_pop_next] ||
      !w[ISA_F_push_next] || w[ISA_F_x_size] % tco_t || gf[ISA_F_opcode] != ISA_OP_GEMM || gf[ISA_F_bias] ||
      gf[ISA_F_reset] || (gf[ISA_F_uop_end] - gf[ISA_F_uop_begin]) % tco_t || gf[ISA_F_push_prev] || gf[ISA_F_push_next])
    return 0;
  uint32_t pw = w[ISA_F_x_size] / (uint32_t)tco_t, pg = (gf[ISA_F_uop_end] - gf[ISA_F_uop_begin]) / (uint32_t)tco_t;
  isa_insn *nl = malloc((size_t)(ni + tco_t) * sizeof *nl), *nc = malloc((size_t)(n + tco_t) * sizeof *nc);
  if (!nl || !nc) {
    free(nl), free(nc);
    cg_fail(g, CG_E_NOMEM, "out of memory (conv parts)");
    return -1;
  }
  int m = 0, q = 0;
  for (int i = 0; i < ni; i++) nl[m++] = L->v[i];
  for (int a = 0; a < tco_t; a++) {
    isa_insn wa = W;
    wa.f[ISA_F_sram] += (uint32_t)a * pw, wa.f[ISA_F_dram] += (uint32_t)a * pw;
    wa.f[ISA_F_x_size] = wa.f[ISA_F_x_stride] = pw;
    nl[m++] = wa;
  }
  for (int i = 0; i < from; i++) nc[q++] = C->v[i];
  for (int a = 0; a < tco_t; a++) {
    isa_insn r = G;
    r.f[ISA_F_uop_begin] = gf[ISA_F_uop_begin] + (uint32_t)a * pg, r.f[ISA_F_uop_end] = r.f[ISA_F_uop_begin] + pg;
    cg_tok(&r, 1, 0, 0, 0);
    nc[q++] = r;
  }
  for (int i = from + 1; i < n; i++) nc[q++] = C->v[i];
  free(C->v), C->v = nc, C->n = q, C->cap = n + tco_t;
  free(L->v), L->v = nl, L->n = m, L->cap = ni + tco_t;
  return 1;
}

/* Plan step st: fill its three instruction lists (compute first-pop/last-push flags included
 * except the C2L push, set when a later load needs it). */
static int plan_step(conv_sched *s, int t, conv_step *st) {
  cg_gen *g = s->g;
  const conv_geo *c = s->c;
  const conv_tile *T = s->t;
  const conv_dims *x = s->x;
  step_geo e;
  step_geometry(s, t, &e);
  int j = e.j, r = e.r, co = e.co, tco_t = e.tco_t, th_t = e.th_t, tw_t = e.tw_t, oy0 = e.oy0, ox0 = e.ox0;
  uint32_t A = e.A;
  st->L.n = st->C.n = st->S.n = 0;
  st->p = -1;
  if (plan_loads(s, &e, st)) return g->status;
  int first = st->C.n;
  if (plan_gemm(s, &e, st)) return g->status;
  if (r == x->nr - 1 && plan_epilogue(s, &e, st)) return g->status;
  if (j == 0 && r == 0 && !e.rstep && split_head(s, &e, st, first)) return g->status;
  if (j == 0 && !e.rstep) {
    /* the first tile: when its data comes (the read port's LOAD data of both units, in order)
     * against when the compute unit gets to it (split_blocks); cg_insn_cycles estimates */
    cg_cost k;
    cg_cost_init(g->cfg, &k);
    double ld = 0, l1 = -1, cl = 0, cc = 0; /* LOADs of the load unit (l1: to its first token),
                                             * of the compute unit; the compute */
    for (int i = 0; i < st->L.n; i++) {
      ld += cg_insn_cycles(g->cfg, &k, &st->L.v[i]);
      if (l1 < 0 && st->L.v[i].f[ISA_F_push_next]) l1 = ld;
    }
    for (int i = 0; i < st->C.n; i++)
      *(st->C.v[i].f[ISA_F_opcode] == ISA_OP_LOAD ? &cl : &cc) += cg_insn_cycles(g->cfg, &k, &st->C.v[i]);
    if (r == 0) { /* the head: its GEMMs start with its first part and keep up with the rest */
      s->chan = ld + cl;
      s->comp = (l1 > 0 ? l1 : 0) + cl + cc;
    } else {
      s->chan += ld + cl;
      double ready = s->comp + cl; /* the compute unit's LOADs of the step, then its GEMM */
      /* split when the wait it saves (the compute unit's for the step's data, at most all but
       * one block's weights) outweighs what the parts cost: a GEMM's fill and dispatch each on
       * the compute unit, a LOAD's latency and dispatch each on the load unit (behind already) */
      int split = 0, nl = st->L.n;
      double wall = nl ? cg_insn_cycles(g->cfg, &k, &st->L.v[nl - 1]) : 0;
      double save = (e.tco_t - 1) * (wall - k.rd_lat - k.insn_ovh) / e.tco_t;
      if (s->chan - ready < save) save = s->chan - ready;
      double cost = e.tco_t * (k.gemm_fill + k.insn_ovh) + (e.tco_t - 1) * (k.rd_lat + k.insn_ovh + g->cfg->d.ld_check);
      if (r < CG_SPLIT_STEPS && nl && save > 2 * cost) { /* a margin: the estimates are rough */
        split = split_blocks(s, &e, st, first);
        if (split < 0) return g->status;
      }
      /* the data the step's first GEMM waits for: all of it, or up to its first part */
      double data = s->chan;
      if (split) data -= (e.tco_t - 1) * cg_insn_cycles(g->cfg, &k, &st->L.v[st->L.n - 1]);
      s->comp = (data > ready ? data : ready) + cc;
    }
  }
  int split = j == x->ntiles - 1 && r == x->nr - 1 && r > 0 ? split_tail(s, &e, st, first) : -1;
  if (g->status) return g->status;
  isa_insn in;
  /* compute tokens: data of this step, accumulator block free (store of tile j-2), tile done;
   * the waits go on the first GEMM / ALU, so that the step's own LOADs of parameters (ACC)
   * and micro-ops (UOP), which touch neither the step's data nor the tile's block, run while
   * the load unit and the store unit finish (a layer's first step: with its first loads) */
  while (first < st->C.n - 1 && st->C.v[first].f[ISA_F_opcode] == ISA_OP_LOAD) first++;
  if (st->L.n) cg_tok(&st->C.v[first], 1, 0, 0, 0);
  if (r == 0 && j >= s->nslot) cg_tok(&st->C.v[first], 0, 1, 0, 0);
  if (r == x->nr - 1) cg_tok(&st->C.v[st->C.n - 1], 0, 0, 0, 1);

  if (r == x->nr - 1) {
    for (int a = 0; a < tco_t; a++) {
      int cob = co * T->tco + a;
      /* split_tail: a store per part, each after its part's REQ */
      for (int h = 0, y0 = 0, y1 = split > 0 && a == tco_t - 1 ? split : th_t; h < 2 && y0 < th_t;
           h++, y0 = y1, y1 = th_t) {
        in = cg_i_store(g, A + (uint32_t)(a * x->ACCP + y0 * tw_t),
                        cg_elem(g, cg_tblk(c->to, g->B, cob), ISA_MEM_OUT) + (uint64_t)(oy0 + y0) * c->OW + (uint64_t)ox0,
                        (uint32_t)(y1 - y0), (uint32_t)tw_t, (uint32_t)c->OW);
        if (cg_push(g, &st->S, &in)) return g->status;
        if (split >= 0) cg_tok(&st->S.v[st->S.n - 1], 1, 0, 0, 0);
      }
    }
    cg_tok(&st->S.v[0], 1, 0, 0, 0);
    if (j + s->nslot < x->ntiles) cg_tok(&st->S.v[st->S.n - 1], 0, 0, 1, 0);
  }
  return g->status;
}

/* Append a unit's planned instructions to the program. */
static int emit_list(cg_gen *g, const cg_list *l) {
  for (int i = 0; i < l->n; i++)
    if (cg_push(g, &g->prog, &l->v[i])) return g->status;
  return CG_OK;
}

/* Emit loads of a planned step, and set the C2L push on the compute step it waits for. */
static int emit_loads(conv_sched *s, conv_step *st) {
  if (st->p >= 0) {
    int idx = s->clast[st->p];
    CG_CHECK(s->g, idx >= 0 && idx < s->g->prog.n);
    cg_tok(&s->g->prog.v[idx], 0, 0, 1, 0);
  }
  return emit_list(s->g, &st->L);
}

/* Generate the whole layer for tiling t into g->prog: plan steps two at a time and emit, per
 * step, its loads (early when they wait for an older step), its compute and its stores.
 * lookahead 0 keeps every load right before its own compute (serialized schedule). */
static int conv_gen(cg_gen *g, const cg_layer *L, const conv_geo *c, const conv_tile *t,
                    int nslot, int lookahead) {
  conv_dims x;
  if (!conv_dims_of(g, c, t, nslot, &x)) return cg_fail(g, CG_E_INTERNAL, "conv: tiling does not fit");
  conv_consts k;
  memset(&k, 0, sizeof k);
  conv_sched s;
  memset(&s, 0, sizeof s);
  s.g = g;
  s.L = L;
  s.c = c;
  s.t = t;
  s.x = &x;
  s.k = &k;
  s.nslot = nslot;
  for (int i = 0; i < 2; i++) {
    s.is[i].key = s.ws[i].key = s.ris[i].key = s.rws[i].key = -1;
    s.is[i].last = s.ws[i].last = s.ris[i].last = s.rws[i].last = -1;
  }
  s.iprev = s.wprev = s.riprev = s.rwprev = -1;
  s.popped = -1;
  s.cur_co = -1;
  conv_step st[2];
  memset(st, 0, sizeof st);
  s.clast = malloc((size_t)x.nsteps * sizeof *s.clast);
  s.uw = malloc((((size_t)x.WGTS + (size_t)x.RWGT) * g->R + 4u * t->tco + (size_t)c->ncob + 4) * sizeof *s.uw);
  if (!s.clast || !s.uw) {
    cg_fail(g, CG_E_NOMEM, "out of memory (conv schedule)");
    goto out;
  }
  if (conv_consts_make(g, L, c, t, &x, &k)) goto out;
  if (L->conv.lut && cg_lut_load(g, &g->prog, L->conv.lut)) goto out; /* fused activation's table */
  int start = g->prog.n;
  /* two planned steps at a time: cur = step i, nxt = step i+1 */
  if (plan_step(&s, 0, &st[0])) goto out;
  int loaded = 0; /* steps whose loads are in the program */
  for (int i = 0; i < x.nsteps; i++) {
    conv_step *cur = &st[i & 1], *nxt = &st[(i + 1) & 1];
    if (i + 1 < x.nsteps && plan_step(&s, i + 1, nxt)) goto out;
    if (loaded <= i) {
      if (emit_loads(&s, cur)) goto out;
      loaded = i + 1;
    }
    if (lookahead && i + 1 < x.nsteps && nxt->p < i) {
      if (emit_loads(&s, nxt)) goto out;
      loaded = i + 2;
    }
    if (emit_list(g, &cur->C)) goto out;
    s.clast[i] = g->prog.n - 1;
    if (emit_list(g, &cur->S)) goto out;
    /* a next step whose loads wait for this step's compute is emitted at the top of the loop */
  }
  if (lookahead) cg_merge_uops(g, start);
out:
  for (int i = 0; i < 2; i++) {
    cg_list_free(&st[i].L);
    cg_list_free(&st[i].C);
    cg_list_free(&st[i].S);
  }
  free(s.clast);
  free(s.uw);
  free(k.wofs);
  return g->status;
}

/* ---- the analytic model, for ranking candidates ------------------------------------------ */
/* Closed-form cycle estimate of tiling t (compute, load and store streams, overlapped when
 * latency hiding), to rank candidates before the exact dry runs. */
static double conv_estimate(const cg_gen *g, const conv_geo *c, const conv_tile *t,
                            const conv_dims *x, int nslot) {
  cg_cost k;
  cg_cost_init(g->cfg, &k);
  double B = g->B, bb = k.beat_bytes;
  double ncie = c->dwc ? c->gk : c->ncib;
  double gemm = (double)c->OH * c->OW * c->ncob * ncie * c->KH * c->KW * g->R;
  gemm += (double)(x->nsteps + x->ntiles) * (k.gemm_fill + k.insn_ovh); /* + a GEMM with bias per tile */
  if (c->dwg) { /* per block, row and phase a DWGEMM of a tile's rows of tw + T - 1 iterations */
    double cols = 0;
    for (int q = 0; q < c->nph; q++) cols += c->OW + (double)x->n_tx * (c->pht[q] - 1);
    gemm = (double)c->OH * cols * c->ncob * c->KH * g->R;
    gemm += (double)x->ntiles * t->tco * c->KH * c->nph * g->R * (k.gemm_fill + k.insn_ovh);
  }
  int passes = 1; /* REQ (the bias comes with the first kernel position: a GEMM with bias) */
  if (c->frac) passes += 1 + (c->res_k != 0);        /* REQ to 2^-f, [ADD k]; resb: + a GEMM pass */
  else if (c->res) passes += 4;
  double alu = (double)c->OH * c->OW * c->ncob * passes;
  alu += (double)x->ntiles * passes * (k.alu_fill + k.insn_ovh);
  if (c->resb) {
    int nz = 0;
    for (int q = 0; q < c->ncob * c->ncrb; q++) nz += c->nzb[q];
    gemm += (double)c->OH * c->OW * nz * g->R + x->ntiles * (k.gemm_fill + k.insn_ovh);
  }
  double uop = 0;
  if ((double)(x->U * g->R + 2 * t->tco) * 8 > g->d->uop_depth)
    uop = (double)x->nsteps * (k.rd_lat + x->U * g->R * 4.0 / bb);
  double par = (double)x->n_co * 2 * (k.rd_lat + t->tco * B * 4 / bb);
  if (t->order == 1) par *= x->n_s;
  if (x->pall) par = 2 * (k.rd_lat + c->ncob * B * 4 / bb); /* once, with the first loads */
  double resl = c->res && !c->resb ? (double)x->ntiles * t->tco * (k.rd_lat + t->th * ((t->tw * B + bb - 1) / bb)) : 0;
  double C = gemm + alu + uop + par + resl;
  /* input / weight loads per step, and how many steps miss */
  double iload = x->tcin * (k.rd_lat + k.insn_ovh + x->IH * ((x->IW * B + bb - 1) / bb));
  double wload = k.rd_lat + k.insn_ovh + x->WGTS * B * B / k.wgt_beat_bytes;
  double imiss, wmiss;
  if (t->order == 0) {
    imiss = x->nsteps;
    wmiss = x->nr == 1 ? x->n_co : x->nsteps;
  } else {
    imiss = (x->nr == 1 && !c->dwc) ? x->n_s : x->nsteps;
    wmiss = (x->nr == 1 && x->n_co == 1) ? 1 : x->nsteps;
  }
  double Ld = imiss * iload + wmiss * wload;
  if (c->resb) {
    int list[CG_MAX_RB], nb = res_blocks(c, t, 0, list);
    Ld += (double)x->ntiles * nb * (k.rd_lat + k.insn_ovh + t->th * ((x->RIW * B + bb - 1) / bb));
  }
  double sone = t->tco * (k.wr_lat + k.insn_ovh + t->th * ((t->tw * B + bb - 1) / bb));
  double S = x->ntiles * sone;
  if (nslot == 1) return C + Ld + S;
  double m = C > Ld ? C : Ld;
  if (S > m) m = S;
  /* the start: the first step's input and one output block's weights (split_head) */
  return m + iload + (k.rd_lat + k.insn_ovh + x->WGTS / t->tco * B * B / k.wgt_beat_bytes) + sone;
}

/* Append val to v[0..*n) if it is in 1..max and new. */
static void add_val(int *v, int *n, int max, int val) {
  if (val < 1 || val > max) return;
  for (int i = 0; i < *n; i++)
    if (v[i] == val) return;
  v[(*n)++] = val;
}

/* Candidate channel-chunk sizes over nb blocks. */
/* Candidate channel-chunk sizes over nb blocks: powers of two and ceil(nb/k), k = 1..6. */
static int chunk_vals(int nb, int *v) {
  int n = 0;
  for (int p = 1; p <= nb; p *= 2) add_val(v, &n, nb, p);
  for (int k = 1; k <= 6; k++) add_val(v, &n, nb, cg_cdiv(nb, k));
  return n;
}

typedef struct cand {
  conv_tile t;
  double est;
} cand;

static int cand_cmp(const void *a, const void *b) {
  double x = ((const cand *)a)->est, y = ((const cand *)b)->est;
  return x < y ? -1 : x > y;
}

/* c->nrb_max[tco] for every tco in 1..ncob (res_blocks over each chunk). */
static void nrb_table(const conv_geo *c, int *nrb_max) {
  int list[CG_MAX_RB];
  nrb_max[0] = 0;
  for (int tco = 1; tco <= c->ncob; tco++) {
    conv_tile t = {.tco = tco};
    int nrb = 0;
    for (int co = 0; co * tco < c->ncob; co++) nrb = cg_max(nrb, res_blocks(c, &t, co, list));
    nrb_max[tco] = nrb;
  }
}

/* Whether depthwise conv c can run on DWGEMM (c->dwok, c->nph, c->phx, c->pht): a kernel row's taps
 * at column offsets kx*dw fall in the phases (residues) of the horizontal stride; phase q's
 * window of T taps covers its offsets phx + m*sw (m < T) over every sw-th column. It does when
 * every phase has at most dw_taps taps and there are fewer phases than kernel columns (a
 * phase per tap, e.g. a 1x1 kernel, does on DWGEMM only what the block-diagonal GEMM does, in
 * more instructions). */
static void dw_phases(const cg_gen *g, conv_geo *c) {
  int n = 0;
  c->dwok = 0;
  for (int ph = 0; ph < c->sw && ph < c->KW * c->dw; ph++) {
    int top = -1; /* the phase's largest offset */
    for (int kx = 0; kx < c->KW; kx++)
      if (kx * c->dw % c->sw == ph) top = kx * c->dw;
    if (top < 0) continue;
    if (n == CG_DW_PH || (top - ph) / c->sw + 1 > (int)g->d->dw_taps) return;
    c->phx[n] = ph, c->pht[n] = (top - ph) / c->sw + 1, n++;
  }
  c->nph = n;
  c->dwok = n < c->KW;
}

/* The geometry of conv layer L (c->nzb is allocated for a GEMM residual, c->nrb_max in the same
 * block: the caller frees c->nzb). */
static int conv_geo_of(cg_gen *g, const cg_net *net, const cg_layer *L, conv_geo *c) {
  const cg_conv *p = &L->conv;
  const cg_tensor *ti = cg_tens(net, p->in), *to = cg_tens(net, p->out);
  memset(c, 0, sizeof *c);
  c->cin = ti->c;
  c->cout = to->c;
  c->H = ti->h;
  c->W = ti->w;
  c->OH = to->h;
  c->OW = to->w;
  if (ti->im2col) { /* a 1x1 conv over the packed (channel, ky, kx) reduction */
    c->KH = c->KW = c->sh = c->sw = c->dh = c->dw = 1;
    c->pt = c->pl = 0;
  } else {
    c->KH = p->kh;
    c->KW = p->kw;
    c->sh = p->sh;
    c->sw = p->sw;
    c->dh = p->dh;
    c->dw = p->dw;
    c->pt = p->pad_t;
    c->pl = p->pad_l;
  }
  c->ncib = ti->cb;
  c->ncob = to->cb;
  c->dwc = p->groups > 1;
  c->gw = c->dwc ? c->cin / p->groups : c->cin;
  c->gk = c->dwc && c->gw > (int)g->B ? c->gw / (int)g->B : 1;
  if (c->dwc && c->gw == 1 && c->cin == c->cout) dw_phases(g, c);
  c->res = p->res >= 0;
  c->rowskip = c->KH == 1 && c->sh > 1;
  c->resb = c->res && L->rw != NULL;
  uint8_t *nzb = NULL;
  if (c->resb) {
    const cg_tensor *tr = cg_tens(net, p->res);
    if (tr->cb > CG_MAX_RB) return cg_fail(g, CG_E_UNSUPPORTED, "conv: residual of more than %d blocks", CG_MAX_RB);
    c->cres = L->cres, c->ncrb = tr->cb, c->RH = tr->h, c->RW = tr->w;
    c->rstride = p->res_s > 1 ? p->res_s : 1;
    size_t tab = ((size_t)c->ncob * c->ncrb + sizeof(int)) / sizeof(int) * sizeof(int); /* nrb_max's offset */
    nzb = calloc(tab + ((size_t)c->ncob + 1) * sizeof(int), 1);
    if (!nzb) return cg_fail(g, CG_E_NOMEM, "out of memory");
    for (int o = 0; o < c->cout; o++)
      for (int ci = 0; ci < c->cres; ci++)
        if (L->rw[(size_t)o * c->cres + ci]) nzb[(o / (int)g->B) * c->ncrb + ci / (int)g->B] = 1;
    c->nzb = nzb;
    nrb_table(c, (int *)(void *)(nzb + tab));
    c->nrb_max = (const int *)(void *)(nzb + tab);
  }
  c->frac = c->resb || (p->bias_f && !c->res);
  for (int o = 0; c->frac && o < c->cout && !c->res_k; o++) c->res_k = frac_const(L, c, o) != 0;
  c->x_zp = p->x_zp;
  int min_shift = 63;
  for (int o = 0; o < c->cout; o++) min_shift = cg_min(min_shift, p->shift[o]);
  c->fold = min_shift >= CG_REQ_NOSAT_SHIFT && p->lo - p->y_zp >= -128 && p->hi - p->y_zp <= 127;
  c->ti = ti, c->to = to, c->tr = c->res ? cg_tens(net, p->res) : NULL;
  return CG_OK;
}

/* Every tiling that fits the buffers, with the analytic model's estimate: *cs (malloc'd) and
 * its count *ncs. */
static int conv_candidates(cg_gen *g, const conv_geo *cg, int nslot, cand **cso, int *ncs) {
  conv_geo c = *cg;
  int cov[64], nco = chunk_vals(c.ncob, cov);
  int civ[64], nci = c.dwc ? 1 : chunk_vals(c.ncib, civ);
  if (c.dwc) civ[0] = 1;
  int kyv[3], nky = 0;
  add_val(kyv, &nky, c.KH, c.KH);
  add_val(kyv, &nky, c.KH, cg_cdiv(c.KH, 2));
  add_val(kyv, &nky, c.KH, 1);
  int twv[16], ntw = 0;
  for (int k = 1; k <= 10; k++) add_val(twv, &ntw, c.OW, cg_cdiv(c.OW, k));
  int cap = nco * nci * nky * ntw * 2 * 3 * 2, nc = 0;
  cand *cs = malloc((size_t)cap * sizeof *cs);
  if (!cs) return cg_fail(g, CG_E_NOMEM, "out of memory (candidates)");
  for (int a = 0; a < nco * (c.dwok ? 2 : 1); a++)
    for (int b = 0; b < nci; b++)
      for (int e = 0; e < nky; e++)
        for (int f = 0; f < ntw; f++)
          for (int o = 0; o < 2; o++) {
            conv_tile t = {1, twv[f], cov[a % nco], civ[b], kyv[e], o, a >= nco}; /* DWGEMM or not */
            c.dwg = t.dwg;
            conv_dims x;
            if (!conv_dims_of(g, &c, &t, nslot, &x)) continue;
            int lo = 1, hi = c.OH; /* largest th that fits */
            while (lo < hi) {
              int mid = (lo + hi + 1) / 2;
              t.th = mid;
              if (conv_dims_of(g, &c, &t, nslot, &x)) lo = mid;
              else hi = mid - 1;
            }
            int thv[3], nth = 0;
            int bal = cg_cdiv(c.OH, cg_cdiv(c.OH, lo));
            add_val(thv, &nth, lo, bal);
            add_val(thv, &nth, lo, cg_cdiv(bal, 2));
            add_val(thv, &nth, lo, lo);
            for (int h = 0; h < nth; h++) {
              t.th = thv[h];
              if (!conv_dims_of(g, &c, &t, nslot, &x)) continue;
              cs[nc].t = t;
              cs[nc].est = conv_estimate(g, &c, &t, &x, nslot);
              nc++;
            }
          }
  *cso = cs, *ncs = nc;
  return CG_OK;
}

/* Candidate tilings timed in parallel: each a dry generation and the cost model's run of it,
 * independent of the others (cy[i] depends only on candidate i), so the pick below is the same
 * on any number of threads. */
#define PICK_THREADS 4
typedef struct pick_job {
  const cg_gen *g;
  const cg_layer *L;
  const conv_geo *c;
  const cand *cs;
  int nslot, no_lh;
  double *cy;         /* [n]: cycles of candidate i, -1 when it does not generate or encode */
  int n;              /* candidates to time */
  int next;           /* the next candidate to take (under mu) */
  pthread_mutex_t mu;
} pick_job;

/* The cycles of candidate i's dry run, or -1. */
static double pick_time(const pick_job *j, int i) {
  cg_gen dg;
  cg_gen_init(&dg, j->g->cfg, 1);
  dg.barrier_c2l = 0;
  conv_geo c = *j->c;
  c.dwg = j->cs[i].t.dwg;
  int rc = conv_gen(&dg, j->L, &c, &j->cs[i].t, j->nslot, !j->no_lh);
  double cy = rc == CG_OK && cg_encodable(&dg, &dg.prog) ? cg_time_prog(j->g->cfg, dg.prog.v, (uint32_t)dg.prog.n, NULL)
                                                        : -1;
  cg_gen_free(&dg);
  return cy;
}

static void *pick_worker(void *arg) {
  pick_job *j = arg;
  for (;;) {
    pthread_mutex_lock(&j->mu);
    int i = j->next < j->n ? j->next++ : -1;
    pthread_mutex_unlock(&j->mu);
    if (i < 0) return NULL;
    j->cy[i] = pick_time(j, i);
  }
}

/* Times candidates [0, n) into cy on up to PICK_THREADS threads (the online CPUs). */
static void pick_times(pick_job *j) {
  long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  int nt = cpus < 2 ? 1 : cpus > PICK_THREADS ? PICK_THREADS : (int)cpus, k = 0;
  if (nt > j->n) nt = j->n;
  pthread_t th[PICK_THREADS];
  pthread_mutex_init(&j->mu, NULL);
  for (int t = 1; t < nt; t++)
    if (pthread_create(&th[k], NULL, pick_worker, j) == 0) k++;
  pick_worker(j);
  for (int t = 0; t < k; t++) pthread_join(th[t], NULL);
  pthread_mutex_destroy(&j->mu);
}

/* The best of the candidates (sorted by the model): the top few generated and timed (in
 * parallel), further ones only if none of those works; its index, or -1 if none encodes. The
 * first of equal times wins, as in a sequential scan. */
static int conv_pick(cg_gen *g, const cg_layer *L, const conv_geo *cg, const cand *cs, int nc, int nslot, int no_lh,
                     int exhaustive) {
  int top = cg_min(nc, exhaustive ? 24 : 16);
  double cy_top[24] = {0}; /* each filled by pick_times */
  pick_job j = {.g = g, .L = L, .c = cg, .cs = cs, .nslot = nslot, .no_lh = no_lh, .cy = cy_top, .n = top};
  pick_times(&j);
  int best = 0;
  double best_cy = -1;
  for (int i = 0; i < nc && (i < top || best_cy < 0); i++) {
    double cy = i < top ? cy_top[i] : pick_time(&j, i);
    if (cy >= 0 && (best_cy < 0 || cy < best_cy)) {
      best_cy = cy;
      best = i;
    }
  }
  return best_cy < 0 ? -1 : best;
}

int cg_conv_layer(cg_gen *g, const cg_net *net, const cg_layer *L, int no_lh, int exhaustive,
                  cg_layer_info *info) {
  conv_geo c;
  if (conv_geo_of(g, net, L, &c)) return g->status;
  uint8_t *nzb = (uint8_t *)c.nzb;
  int nslot = no_lh ? 1 : 2;
  cand *cs = NULL;
  int nc = 0;
  if (conv_candidates(g, &c, nslot, &cs, &nc)) return free(nzb), g->status;
  if (!nc) {
    free(cs);
    free(nzb);
    return cg_fail(g, CG_E_FIT, "conv %dx%dx%d k%dx%d: no tiling fits the %s buffers", c.cin,
                   c.H, c.W, c.KH, c.KW, g->d->name);
  }
  qsort(cs, (size_t)nc, sizeof *cs, cand_cmp);
  int best = conv_pick(g, L, &c, cs, nc, nslot, no_lh, exhaustive);
  if (best < 0) {
    free(cs);
    free(nzb);
    return cg_fail(g, CG_E_FIT, "conv %dx%dx%d k%dx%d: no tiling encodes for %s", c.cin, c.H,
                   c.W, c.KH, c.KW, g->d->name);
  }
  conv_tile t = cs[best].t;
  c.dwg = t.dwg;
  free(cs);
  conv_dims x;
  conv_dims_of(g, &c, &t, nslot, &x);
  info->candidates = nc;
  snprintf(info->tiling, sizeof info->tiling,
           "tile %dx%d, co %d blk, ci %d blk, ky %d, %s, %d tiles x %d steps%s", t.th, t.tw, t.tco,
           c.dwc ? t.tco : t.tci, t.nky, t.order ? "spatial-outer" : "co-outer", x.ntiles, x.nr,
           c.dwg ? ", DWGEMM" : "");
  int rc = conv_gen(g, L, &c, &t, nslot, !no_lh);
  free(nzb);
  return rc;
}
