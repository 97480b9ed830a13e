/* compiler/backend/cg_pool.c -- max / average pooling and elementwise add: layers that run on
 * the tensor ALU only. Their inputs come into the accumulator through LOAD ACC8 (int8 sign-
 * extended, with LOAD padding: -128 for max pooling, 0 for average pooling), on the compute
 * unit; the results leave through the output buffer and STORE. Output tiles alternate between
 * two accumulator blocks so that the store of tile j overlaps the compute of tile j+1 (tokens
 * C2S / S2C as in cg_conv.c); with no_latency_hiding one block serializes them.
 *
 * Or (pool_tile inp, a candidate like the others) the window goes into the input buffer by LOAD
 * INP on the load unit, double-buffered (tokens L2C / C2L, the loads of the next tile before the
 * compute of this one), and the ALU passes read it there (src_inp: one cycle per iteration, no
 * source-cache misses), so loads, compute and stores overlap.
 *
 * Pooling: tile = (tco channel blocks) x th x tw output pixels, kernel rows in chunks of nky.
 * Per chunk: one LOAD ACC8 of the input window per channel block, then ALU MOV (first kernel
 * position of the first chunk) and MAX / ADD over the other positions with
 *     loop_out = rows (dst_out = tw, src_out = sh * window width), loop_in = columns (src_in = sw),
 * micro-ops = (channel block, ky, kx); average pooling ends with REQ (bounds fused). A tile in
 * one chunk with enough outputs takes three instructions instead (pool_whole: the window
 * positions in the loops, the outputs in the micro-ops).
 * A global average pooling (R = 1, no pads) sums on the GEMM core instead (gap_gen): an
 * identity weight block accumulates each input pixel of a block into its output element.
 * Elementwise add: the tensors are contiguous runs of elements of one shape; chunks of T
 * elements: LOAD ACC8 a and b, REQ each into the output scale, ADD, CLIP, STORE.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cg_int.h"

/* Append a unit's planned instructions to the program. */
static int emit_list(cg_gen *g, const cg_list *l) {
  for (int i = 0; i < l->n; i++)
    if (cg_push(g, &g->prog, &l->v[i])) return g->status;
  return CG_OK;
}

typedef struct pool_geo {
  int C, H, W, OH, OW, KH, KW, sh, sw, pt, pl, cb;
  int kind;
  const cg_tensor *ti, *to;     /* a block's place is cg_tblk (views have theirs anywhere) */
  int he;                       /* avg with half_even: a temporary block per output block */
  int nf;                       /* avg with excl_pad: OH + OW factor blocks at ACC 2.. (fy, then fx) */
  int mul_y, mul_x;             /* excl_pad: the rows' (columns') factors are not all 1 (a MUL pass) */
} pool_geo;

/* The first instruction of a tile's compute list that is not a LOAD UOP: its token waits go
 * there, so that the compute unit loads micro-ops (cg_merge_uops: all of them) while it waits. */
static int first_wait(const cg_list *C) {
  int k = 0;
  while (k < C->n - 1 && C->v[k].f[ISA_F_opcode] == ISA_OP_LOAD && C->v[k].f[ISA_F_mem] == ISA_MEM_UOP) k++;
  return k;
}

int cg_tile_store(cg_gen *g, const cg_tensor *to, int OH, int OW, cg_list *C, cg_list *S, uint32_t O, uint32_t OP,
                  int blk0, int nblk, uint64_t pix, uint32_t rows, uint32_t cols, int wait_prev, int signal_next) {
  if (wait_prev) cg_tok(&C->v[first_wait(C)], 0, 1, 0, 0);
  cg_tok(&C->v[C->n - 1], 0, 0, 0, 1);
  /* whole planes of blocks that follow each other in DRAM and in the output buffer: one STORE
   * (a row per block, e.g. a global pool's 1 x 1 outputs) */
  uint64_t plane = (uint64_t)OH * OW;
  int one = nblk > 1 && !to->blk && rows * cols == plane && OP == plane && plane <= 65535;
  for (int a = 0; a < (one ? 1 : nblk); a++) {
    isa_insn in = one ? cg_i_store(g, O, cg_elem(g, cg_tblk(to, g->B, blk0), ISA_MEM_OUT), (uint32_t)nblk,
                                   (uint32_t)plane, (uint32_t)plane)
                      : cg_i_store(g, O + (uint32_t)a * OP, cg_elem(g, cg_tblk(to, g->B, blk0 + a), ISA_MEM_OUT) + pix,
                                   rows, cols, (uint32_t)OW);
    if (cg_push(g, S, &in)) return -1;
  }
  cg_tok(&S->v[0], 1, 0, 0, 0);
  if (signal_next) cg_tok(&S->v[S->n - 1], 0, 0, 1, 0);
  return emit_list(g, C) || emit_list(g, S) ? -1 : 0;
}

typedef struct pool_tile {
  int th, tw, tco, nky;
  int sep;      /* max pooling, separable in place: rows first, then columns (pool_sep_ok) */
  int inp;      /* the window in the input buffer (LOAD INP on the load unit, overlapping the
                 * compute), read by the ALU ops' src_inp; one kernel-row chunk (nky = KH) */
} pool_tile;

/* Widest window of the separable max pool (its row pass orders the KW - 1 column offsets in a
 * fixed array); a wider one (a global max pool of a long row) takes the plain passes. */
#define POOL_SEP_MAX_KW 64

/* Separable max pooling in place is exact when at most one column offset kx in 1..KW-1 is a
 * multiple of the column stride: the row pass does that offset first (it reads each target
 * before the iteration that writes it), then the others (never targets). */
static int pool_sep_ok(const pool_geo *c) {
  return c->kind == CG_POOL_MAX && c->KW >= 2 && c->KW <= POOL_SEP_MAX_KW && (c->KW - 1) / c->sw <= 1;
}

/* Accumulator layout: [0] requant, [1] -n*x_zp (avg), [2 ..) input window, then nslot output
 * blocks, then (half_even) one temporary block. */
static int pool_fits(const cg_gen *g, const pool_geo *c, const pool_tile *t, int nslot,
                     int *IHW, int *OP) {
  int IH = (t->th - 1) * c->sh + t->nky, IW = (t->tw - 1) * c->sw + c->KW;
  *IHW = IH * IW;
  *OP = t->th * t->tw;
  uint64_t win = (uint64_t)t->tco * IH * IW;
  uint64_t need = 2 + (uint64_t)c->nf + (t->inp ? 0 : win) + (uint64_t)(nslot + c->he) * t->tco * t->th * t->tw;
  if (need > g->d->acc_depth) return 0;
  if (t->inp && (t->sep || t->nky != c->KH || nslot * win > g->d->inp_depth || g->B != g->d->block_in)) return 0;
  if ((uint64_t)t->tco * t->nky * c->KW + 1 > g->d->uop_depth / 2) return 0;
  if (t->th > 16383 || t->tw > 16383 || *OP > 16383) return 0;
  if ((uint64_t)c->sh * IW >= (1u << g->d->log_acc)) return 0;
  return 1;
}

/* Generate a pooling layer for tiling t into g->prog (constants in the image unless dry). */
/* One output tile of a pool: its place and extents, its buffer places. */
typedef struct pool_tgeo {
  int co, oy0, ox0;            /* channel chunk, first output pixel */
  int th_t, tw_t, tco_t, iw_t; /* output rows, columns, channel blocks; input columns */
  uint32_t IN, O, T;           /* ACC places of the loaded input, the outputs, the temporary */
  uint32_t FY, FX;             /* excl_pad: ACC places of the factors of output row 0, column 0 (else 0) */
  int IHW, OP;                 /* ACC elements per channel block of input and of output */
  int padv;                    /* pad value of the loads */
  int inp;                     /* pool_tile inp: IN is an INP place, loads go to list L */
} pool_tgeo;

/* An ALU op of a pooling window pass; with the window in the input buffer, its source is there. */
static isa_insn pool_alu(const cg_gen *g, const pool_tgeo *e, int op, uint32_t ub, uint32_t ue, uint32_t dso,
                         uint32_t sro, uint32_t sri) {
  isa_insn in = cg_i_alu(g, op, 0, 0, ub, ue, (uint32_t)e->th_t, (uint32_t)e->tw_t, dso, 1, sro, sri);
  in.f[ISA_F_src_inp] = (uint32_t)e->inp;
  return in;
}

/* The separable max pool of one input chunk: rows in place, then columns into the outputs. */
static int pool_sep_chunk(cg_gen *g, const pool_geo *c, const pool_tgeo *e, int ih_t, uint32_t *uw, cg_list *C) {
  int tco_t = e->tco_t, th_t = e->th_t, tw_t = e->tw_t, iw_t = e->iw_t, IHW = e->IHW, OP = e->OP;
  uint32_t IN = e->IN, O = e->O, n, ub;
  /* rows: in[r][x*sw] = max over kx of in[r][x*sw + kx], in place (pool_sep_ok's order) */
  int order[POOL_SEP_MAX_KW] = {0}, no = 0;
  for (int kx = 1; kx < c->KW; kx++)
    if (kx % c->sw == 0) order[no++] = kx;
  for (int kx = c->KW - 1; kx >= 1; kx--)
    if (kx % c->sw) order[no++] = kx;
  for (int q = 0; q < no; q++) {
    n = 0;
    for (int a = 0; a < tco_t; a++)
      uw[n++] = cg_uop(g, IN + (uint32_t)(a * IHW), IN + (uint32_t)(a * IHW + order[q]), 0);
    if (cg_uops(g, C, uw, n, &ub)) return g->status;
    isa_insn in = cg_i_alu(g, ISA_ALU_MAX, 0, 0, ub, ub + n, (uint32_t)ih_t, (uint32_t)tw_t,
                           ih_t > 1 ? (uint32_t)iw_t : 0, tw_t > 1 ? (uint32_t)c->sw : 0,
                           ih_t > 1 ? (uint32_t)iw_t : 0, tw_t > 1 ? (uint32_t)c->sw : 0);
    if (cg_push(g, C, &in)) return g->status;
  }
  /* columns: out[y][x] = max over ky of in[y*sh + ky][x*sw] */
  uint32_t dso = th_t > 1 ? (uint32_t)tw_t : 0, sro = th_t > 1 ? (uint32_t)(c->sh * iw_t) : 0;
  uint32_t sri = tw_t > 1 ? (uint32_t)c->sw : 0;
  for (int ky = 0; ky < c->KH; ky++) {
    n = 0;
    for (int a = 0; a < tco_t; a++)
      uw[n++] = cg_uop(g, O + (uint32_t)(a * OP), IN + (uint32_t)(a * IHW + ky * iw_t), 0);
    if (cg_uops(g, C, uw, n, &ub)) return g->status;
    isa_insn in = cg_i_alu(g, ky ? ISA_ALU_MAX : ISA_ALU_MOV, 0, 0, ub, ub + n, (uint32_t)th_t,
                           (uint32_t)tw_t, dso, 1, sro, sri);
    if (cg_push(g, C, &in)) return g->status;
  }
  return g->status;
}

/* Kernel-row chunk kc of one output tile: its input loads, then the window's MOV / MAX / ADD
 * passes into the outputs. */
/* Kernel-row chunk kc of one output tile: the input window's loads, one per channel block, into
 * list l (ACC8 at IN on the compute unit, or INP at IN on the load unit). */
static int pool_loads(cg_gen *g, const pool_geo *c, const pool_tile *t, const pool_tgeo *e, int kc, cg_list *l) {
  int co = e->co, oy0 = e->oy0, ox0 = e->ox0, tco_t = e->tco_t, th_t = e->th_t, iw_t = e->iw_t;
  int IHW = e->IHW, padv = e->padv, mem = e->inp ? ISA_MEM_INP : ISA_MEM_ACC8;
  uint32_t IN = e->IN;
  int ky0 = kc * t->nky, nky_t = cg_min(t->nky, c->KH - ky0);
  int ih_t = (th_t - 1) * c->sh + nky_t;
  int iy = oy0 * c->sh - c->pt + ky0, ix = ox0 * c->sw - c->pl;
  int yp0 = cg_max(0, -iy), yp1 = cg_max(0, iy + ih_t - c->H);
  int xp0 = cg_max(0, -ix), xp1 = cg_max(0, ix + iw_t - c->W);
  int ys = ih_t - yp0 - yp1, xs = iw_t - xp0 - xp1;
  /* whole rows without pads, blocks that follow each other in DRAM and in the window: one LOAD
   * (a row per block, e.g. a global pool's planes) */
  if (tco_t > 1 && !c->ti->blk && ys == ih_t && xs == c->W && iw_t == c->W && ih_t * iw_t == IHW &&
      (int64_t)ih_t * c->W <= 65535 && (int64_t)c->H * c->W <= 65535) {
    uint64_t dram = cg_elem(g, cg_tblk(c->ti, g->B, co * t->tco), mem) + (uint64_t)iy * c->W;
    isa_insn in = cg_i_load(g, mem, IN, dram, (uint32_t)tco_t, (uint32_t)(ih_t * c->W), (uint32_t)(c->H * c->W), 0, 0, 0,
                            0, padv);
    return cg_push(g, l, &in) ? g->status : CG_OK;
  }
  for (int a = 0; a < tco_t; a++) {
    uint32_t sram = IN + (uint32_t)(a * IHW);
    if (ys <= 0 || xs <= 0) {
      if (cg_pad_fill(g, l, mem, sram, (uint32_t)(ih_t * iw_t), padv)) return g->status;
      continue;
    }
    if (yp0 > 15 || yp1 > 15 || xp0 > 15 || xp1 > 15) {
      cg_fail(g, CG_E_FIT, "pool: padding of a load exceeds 15");
      return g->status;
    }
    uint64_t dram = cg_elem(g, cg_tblk(c->ti, g->B, co * t->tco + a), mem) +
                    (uint64_t)cg_max(iy, 0) * c->W + (uint64_t)cg_max(ix, 0);
    isa_insn in = cg_i_load(g, mem, sram, dram, (uint32_t)ys, (uint32_t)xs,
                            (uint32_t)c->W, (uint32_t)yp0, (uint32_t)yp1, (uint32_t)xp0,
                            (uint32_t)xp1, padv);
    if (cg_push(g, l, &in)) return g->status;
  }
  return g->status;
}

/* The window of a whole tile (one kernel-row chunk) in three instructions: MOV of position
 * (0, 0), then MAX / ADD of the rest of column 0 (kernel rows 1..), then of columns 1.. . Their
 * micro-ops are the tile's output rows, for each kernel row (block a, ky, row y: output row y,
 * input row y*sh + ky), and their loops step the column offset kx (loop_out) and the output
 * column (loop_in). An output recurs once per tco*th micro-ops, so with at least alu_wstage + 2
 * of them no iteration waits for another's write, and the ALU pays its fill and dispatch three
 * times per tile instead of once per window position; the micro-ops are few (a row, not a
 * pixel, each). 1 if it did, 0 if the tile does not qualify (the caller takes the per-position
 * form), -1 on error. */
static int pool_whole(cg_gen *g, const pool_geo *c, const pool_tgeo *e, int nky_t, uint32_t *uw, cg_list *C) {
  int tco_t = e->tco_t, th_t = e->th_t, tw_t = e->tw_t, iw_t = e->iw_t;
  uint32_t rows = (uint32_t)(tco_t * th_t), pix = rows * (uint32_t)tw_t, wmin = g->cfg->d.alu_wstage + 2, ub;
  /* micro-ops per output row (rows * 2 * nky of them) or per output pixel (3 * pix): fewer */
  int by_row = rows >= wmin && (uint64_t)rows * 2 * nky_t < 3 * (uint64_t)pix;
  if (!by_row && (pix < wmin || 3 * (uint64_t)pix > g->d->uop_depth / 4)) return 0;
  if (by_row && (uint64_t)rows * 2 * nky_t > g->d->uop_depth / 4) return 0;
  int op = c->kind == CG_POOL_MAX ? ISA_ALU_MAX : ISA_ALU_ADD;
  /* by row: MOV (0, 0), then rows 1.. of column 0, then columns 1.. (loop_out kx, loop_in the
   * output column); by pixel: MOV (0, 0), then columns 1.. of row 0 (loop_in kx), then rows
   * 1.. (loop_out ky, loop_in kx) */
  typedef struct { int op, ky0, ky1, kx0; uint32_t lo, li, sro, sri; int on; } wpass;
  wpass pass[2][3] = {
      {{ISA_ALU_MOV, 0, 1, 0, 1, 1, 0, 0, 1},
       {op, 0, 1, 1, 1, (uint32_t)c->KW - 1, 0, 1, c->KW > 1},
       {op, 1, 2, 0, (uint32_t)nky_t - 1, (uint32_t)c->KW, (uint32_t)iw_t, 1, nky_t > 1}},
      {{ISA_ALU_MOV, 0, 1, 0, 1, (uint32_t)tw_t, 1, (uint32_t)c->sw, 1},
       {op, 1, nky_t, 0, 1, (uint32_t)tw_t, 1, (uint32_t)c->sw, nky_t > 1},
       {op, 0, nky_t, 1, (uint32_t)c->KW - 1, (uint32_t)tw_t, 1, (uint32_t)c->sw, c->KW > 1}},
  };
  for (int q = 0; q < 3; q++) {
    const wpass *P = &pass[by_row][q];
    if (!P->on) continue;
    uint32_t n = 0;
    for (int ky = P->ky0; ky < P->ky1; ky++)
      for (int a = 0; a < tco_t; a++)
        for (int y = 0; y < th_t; y++)
          for (int x = 0; x < (by_row ? 1 : tw_t); x++)
            uw[n++] = cg_uop(g, e->O + (uint32_t)(a * e->OP + y * tw_t + x),
                             e->IN + (uint32_t)(a * e->IHW + (y * c->sh + ky) * iw_t + x * c->sw + P->kx0), 0);
    if (cg_uops(g, C, uw, n, &ub)) return -1;
    isa_insn in = cg_i_alu(g, P->op, 0, 0, ub, ub + n, P->lo, P->li, 0, by_row, P->sro, P->sri);
    in.f[ISA_F_src_inp] = (uint32_t)e->inp;
    if (cg_push(g, C, &in)) return -1;
  }
  return 1;
}

/* Kernel-row chunk kc of one output tile: the window's MOV / MAX / ADD passes into the outputs. */
static int pool_passes(cg_gen *g, const pool_geo *c, const pool_tile *t, const pool_tgeo *e, int kc, uint32_t *uw,
                       cg_list *C) {
  int tco_t = e->tco_t, th_t = e->th_t, tw_t = e->tw_t, iw_t = e->iw_t;
  int IHW = e->IHW, OP = e->OP;
  uint32_t IN = e->IN, O = e->O;
  int ky0 = kc * t->nky, nky_t = cg_min(t->nky, c->KH - ky0);
  int ih_t = (th_t - 1) * c->sh + nky_t;
  uint32_t n = 0, ub;
  if (t->sep) return pool_sep_chunk(g, c, e, ih_t, uw, C);
  if (kc == 0 && nky_t == c->KH) {
    int w = pool_whole(g, c, e, nky_t, uw, C);
    if (w) return w < 0 ? g->status : CG_OK;
  }
  /* first position: MOV (first chunk only); the rest: MAX / ADD */
  int op = c->kind == CG_POOL_MAX ? ISA_ALU_MAX : ISA_ALU_ADD;
  uint32_t dso = th_t > 1 ? (uint32_t)tw_t : 0, sro = th_t > 1 ? (uint32_t)(c->sh * iw_t) : 0;
  uint32_t sri = tw_t > 1 ? (uint32_t)c->sw : 0;
  if (kc == 0) {
    for (int a = 0; a < tco_t; a++)
      uw[n++] = cg_uop(g, O + (uint32_t)(a * OP), IN + (uint32_t)(a * IHW), 0);
    if (cg_uops(g, C, uw, n, &ub)) return g->status;
    isa_insn in = pool_alu(g, e, ISA_ALU_MOV, ub, ub + n, dso, sro, sri);
    if (cg_push(g, C, &in)) return g->status;
  }
  /* Every window position reads and writes the same output element: the ALU makes an
   * iteration that reads what an iteration fewer than alu_wstage + 2 cycles before it
   * writes wait (ISA.md "Timing"). With at least that many channel blocks, one instruction
   * steps the channel blocks innermost (an element recurs every tco_t iterations); with
   * fewer, one instruction per window position, whose iterations write distinct elements. */
  int one = tco_t >= (int)g->cfg->d.alu_wstage + 2;
  n = 0;
  for (int ky = 0; ky < nky_t; ky++)
    for (int kx = 0; kx < c->KW; kx++) {
      if (kc == 0 && ky == 0 && kx == 0) continue;
      uint32_t n0 = n;
      for (int a = 0; a < tco_t; a++)
        uw[n++] = cg_uop(g, O + (uint32_t)(a * OP), IN + (uint32_t)(a * IHW + ky * iw_t + kx), 0);
      if (!one) {
        if (cg_uops(g, C, uw + n0, n - n0, &ub)) return g->status;
        isa_insn in = pool_alu(g, e, op, ub, ub + (n - n0), dso, sro, sri);
        if (cg_push(g, C, &in)) return g->status;
      }
    }
  if (n && one) {
    if (cg_uops(g, C, uw, n, &ub)) return g->status;
    isa_insn in = pool_alu(g, e, op, ub, ub + n, dso, sro, sri);
    if (cg_push(g, C, &in)) return g->status;
  }
  return g->status;
}

static int pool_chunk(cg_gen *g, const pool_geo *c, const pool_tile *t, const pool_tgeo *e, int kc, uint32_t *uw,
                      cg_list *C) {
  if (!e->inp && pool_loads(g, c, t, e, kc, C)) return g->status;
  return pool_passes(g, c, t, e, kc, uw, C);
}

/* An average pool that leaves its padding out (excl_pad): the tile's sums times their row's
 * factor, then their column's (ALU MUL by the factor blocks at e->FY + y, e->FX + x: the outer
 * loop steps the output rows, the inner one the columns). */
static int excl_muls(cg_gen *g, const pool_tgeo *e, uint32_t *uw, cg_list *C) {
  for (int axis = 0; axis < 2; axis++) {
    if (!(axis ? e->FX : e->FY)) continue; /* every window has as many rows (columns) inside */
    uint32_t n = 0, ub, f = axis ? e->FX + (uint32_t)e->ox0 : e->FY + (uint32_t)e->oy0;
    for (int a = 0; a < e->tco_t; a++) uw[n++] = cg_uop(g, e->O + (uint32_t)(a * e->OP), f, 0);
    if (cg_uops(g, C, uw, n, &ub)) return g->status;
    isa_insn in = cg_i_alu(g, ISA_ALU_MUL, 0, 0, ub, ub + n, (uint32_t)e->th_t, (uint32_t)e->tw_t, (uint32_t)e->tw_t, 1,
                           axis ? 0 : 1, axis ? 1 : 0);
    if (cg_push(g, C, &in)) return g->status;
  }
  return g->status;
}

/* An average pool's passes over one output tile: [ADD -n*x_zp], REQ (bounds fused unless y_zp
 * does not fold), [ADD y_zp], [CLIP]; with half_even the REQ is cg.h's ten passes (the
 * temporary block T holds the negated sum's side). */
static int pool_avg_passes(cg_gen *g, const cg_pool *p, const pool_tgeo *e, uint32_t *uw, cg_list *C) {
  int tco_t = e->tco_t, th_t = e->th_t, tw_t = e->tw_t, OP = e->OP, he = p->half_even;
  uint32_t O = e->O, T = e->T;
  int fused = !he && (!p->y_zp || (p->shift >= CG_REQ_NOSAT_SHIFT && p->lo - p->y_zp >= -128 && p->hi - p->y_zp <= 127));
  int req_imm = cg_clip_imm(p->lo - (fused ? p->y_zp : 0), p->hi - (fused ? p->y_zp : 0));
  /* dst, src: ACC places of block 0 (a parameter: src < 2, the same for every pixel) */
  struct { int op, use_imm, imm; uint32_t dst, src; int on; } pass[] = {
      {ISA_ALU_ADD, 0, 0, O, 1, p->x_zp != 0},
      {ISA_ALU_MOV, 0, 0, T, O, he},
      {ISA_ALU_MUL, 1, -1, T, 0, he},
      {ISA_ALU_REQ, fused, req_imm, O, 0, 1},
      {ISA_ALU_REQ, 0, 0, T, 0, he},
      {ISA_ALU_ADD, 1, -1, O, 0, he},
      {ISA_ALU_ADD, 1, -1, T, 0, he},
      {ISA_ALU_SHR, 1, 1, O, 0, he},
      {ISA_ALU_SHR, 1, 1, T, 0, he},
      {ISA_ALU_MUL, 1, -1, T, 0, he},
      {ISA_ALU_ADD, 0, 0, O, T, he},
      {ISA_ALU_ADD, 1, p->y_zp, O, 0, p->y_zp != 0},
      {ISA_ALU_CLIP, 1, cg_clip_imm(p->lo, p->hi), O, 0, !fused},
  };
  for (size_t q = 0; q < sizeof pass / sizeof pass[0]; q++) {
    if (q == 1 && (e->FY || e->FX) && excl_muls(g, e, uw, C)) return g->status; /* after the zero point's pass */
    if (!pass[q].on) continue;
    int per_pixel = pass[q].src >= 2; /* a block of the tile, not a parameter */
    uint32_t n = 0, ub;
    for (int a = 0; a < tco_t; a++)
      uw[n++] = cg_uop(g, pass[q].dst + (uint32_t)(a * OP), pass[q].src + (per_pixel ? (uint32_t)(a * OP) : 0), 0);
    if (cg_uops(g, C, uw, n, &ub)) return g->status;
    isa_insn in = cg_i_alu(g, pass[q].op, pass[q].use_imm, pass[q].imm, ub, ub + n, 1, (uint32_t)(th_t * tw_t), 0, 1,
                           0, (uint32_t)per_pixel);
    if (cg_push(g, C, &in)) return g->status;
  }
  return g->status;
}

/* Output tile j's place and extents; its window at IN (ACC, or an INP slot for pool_tile inp). */
static void pool_tile_geo(const pool_geo *c, const pool_tile *t, int j, int nslot, int IHW, int OP, int padv,
                          pool_tgeo *e) {
  int n_ty = cg_cdiv(c->OH, t->th), n_tx = cg_cdiv(c->OW, t->tw);
  int si = j % (n_ty * n_tx);
  e->co = j / (n_ty * n_tx);
  e->oy0 = (si / n_tx) * t->th, e->ox0 = (si % n_tx) * t->tw;
  e->th_t = cg_min(t->th, c->OH - e->oy0), e->tw_t = cg_min(t->tw, c->OW - e->ox0);
  e->tco_t = cg_min(t->tco, c->cb - e->co * t->tco);
  e->iw_t = (e->tw_t - 1) * c->sw + c->KW;
  e->inp = t->inp;
  uint32_t base = 2 + (uint32_t)c->nf; /* after the constants (and the factors) */
  e->IN = t->inp ? (uint32_t)((j % nslot) * t->tco * IHW) : base;
  e->O = (uint32_t)(base + (t->inp ? 0 : t->tco * IHW) + (nslot == 1 ? 0 : j % 2) * t->tco * OP);
  e->T = (uint32_t)(base + (t->inp ? 0 : t->tco * IHW) + nslot * t->tco * OP);
  e->FY = c->mul_y ? 2 : 0, e->FX = c->mul_x ? 2 + (uint32_t)c->OH : 0;
  e->IHW = IHW, e->OP = OP, e->padv = padv;
}

/* pool_tile inp: tile j's LOADs of INP on the load unit, emitted now; the first waits for the
 * compute that last read the slot (C2L, tiles from nslot on), the last signals the compute. */
static int pool_tile_loads(cg_gen *g, const pool_geo *c, const pool_tile *t, int j, int nslot, int IHW, int OP,
                           int padv, cg_list *L) {
  pool_tgeo e;
  pool_tile_geo(c, t, j, nslot, IHW, OP, padv, &e);
  L->n = 0;
  if (pool_loads(g, c, t, &e, 0, L)) return -1;
  if (j >= nslot) cg_tok(&L->v[0], 0, 1, 0, 0);
  if (!j && g->barrier_c2l) { /* the previous layer is done (cg.c's barrier) */
    cg_tok(&L->v[0], 0, 1, 0, 0);
    g->barrier_c2l = 0;
  }
  cg_tok(&L->v[L->n - 1], 0, 0, 0, 1);
  return emit_list(g, L) ? -1 : 0;
}

/* An average pool's constants, loaded to ACC 0..: [0] requant, [1] -kh*kw*x_zp in every lane
 * (the pads and inputs each carry x_zp); with excl_pad the factors of every output row, then of
 * every column (cg_pool_excl), a block each. */
static int pool_avg_consts(cg_gen *g, const cg_pool *p, const pool_geo *c) {
  int n = 2 + c->nf, L;
  uint32_t *lane = malloc((size_t)n * sizeof *lane);
  uint8_t *b = malloc((size_t)n * 4 * g->B);
  int *f = malloc(((size_t)c->nf + 1) * sizeof *f);
  if (!lane || !b || !f) {
    free(lane), free(b), free(f);
    return cg_fail(g, CG_E_NOMEM, "out of memory (pool)");
  }
  lane[0] = cg_req_lane(p->mult, p->shift), lane[1] = (uint32_t)(-(int64_t)c->KH * c->KW * p->x_zp);
  if (c->nf && (cg_pool_excl(c->KH, c->sh, c->pt, c->H, c->OH, &L, f) ||
                cg_pool_excl(c->KW, c->sw, c->pl, c->W, c->OW, &L, f + c->OH))) {
    free(lane), free(b), free(f);
    return cg_fail(g, CG_E_INTERNAL, "pool: no factors for the padding left out");
  }
  for (int k = 0; k < c->nf; k++) lane[2 + k] = (uint32_t)f[k];
  for (int e = 0; e < n; e++)
    for (unsigned i = 0; i < g->B; i++)
      for (int k = 0; k < 4; k++) b[4 * ((size_t)e * g->B + i) + k] = (uint8_t)(lane[e] >> (8 * k));
  uint32_t req_e = (uint32_t)cg_elem(g, cg_const(g, b, (uint32_t)n * 4u * g->B), ISA_MEM_ACC);
  isa_insn in = cg_i_load(g, ISA_MEM_ACC, 0, req_e, 1, (uint32_t)n, (uint32_t)n, 0, 0, 0, 0, 0);
  free(lane), free(b), free(f);
  cg_push(g, &g->prog, &in);
  return g->status;
}

static int pool_gen(cg_gen *g, const cg_layer *L, const pool_geo *c, const pool_tile *t,
                    int nslot) {
  const cg_pool *p = &L->pool;
  int IHW, OP;
  if (!pool_fits(g, c, t, nslot, &IHW, &OP)) return cg_fail(g, CG_E_INTERNAL, "pool: no fit");
  int n_ty = cg_cdiv(c->OH, t->th), n_tx = cg_cdiv(c->OW, t->tw), n_co = cg_cdiv(c->cb, t->tco);
  int n_kc = cg_cdiv(c->KH, t->nky), ntiles = n_ty * n_tx * n_co;
  int padv = c->kind == CG_POOL_MAX ? -128 : p->x_zp;
  /* the largest micro-op set: a window's (tco x nky x KW), a pass of every output pixel (tco x th
   * x tw), or pool_whole's by-row pass of every kernel row and output row (tco x nky x th) */
  uint32_t *uw = malloc(((size_t)t->tco * t->nky * c->KW + (size_t)t->tco * t->th * t->tw +
                         (size_t)t->tco * t->nky * t->th + 4) * sizeof *uw);
  int start = g->prog.n;
  cg_list C = {0}, S = {0}, LD = {0};
  if (!uw) return cg_fail(g, CG_E_NOMEM, "out of memory (pool)");
  if (c->kind == CG_POOL_AVG && pool_avg_consts(g, p, c)) goto out;
  /* window in the input buffer: the loads of tile j + nslot - 1 go before the compute of tile j
   * (every pop after its push in program order); tile j's first compute instruction waits for
   * its loads (L2C), its last frees its input slot for the loads of tile j + nslot (C2L) */
  for (int j = 0; t->inp && nslot > 1 && j < nslot - 1 && j < ntiles; j++)
    if (pool_tile_loads(g, c, t, j, nslot, IHW, OP, padv, &LD)) goto out;
  for (int j = 0; j < ntiles; j++) {
    pool_tgeo e;
    pool_tile_geo(c, t, j, nslot, IHW, OP, padv, &e);
    int co = e.co, oy0 = e.oy0, ox0 = e.ox0, th_t = e.th_t, tw_t = e.tw_t, tco_t = e.tco_t;
    uint32_t O = e.O;
    C.n = S.n = 0;
    if (t->inp && j + nslot - 1 < ntiles && pool_tile_loads(g, c, t, j + nslot - 1, nslot, IHW, OP, padv, &LD)) goto out;
    for (int kc = 0; kc < n_kc; kc++)
      if (pool_chunk(g, c, t, &e, kc, uw, &C)) goto out;
    if (c->kind == CG_POOL_AVG && pool_avg_passes(g, p, &e, uw, &C)) goto out;
    if (t->inp) cg_tok(&C.v[first_wait(&C)], 1, 0, 0, 0), cg_tok(&C.v[C.n - 1], 0, 0, j + nslot < ntiles, 0);
    if (cg_tile_store(g, c->to, c->OH, c->OW, &C, &S, O, (uint32_t)OP, co * t->tco, tco_t, (uint64_t)oy0 * c->OW + (uint64_t)ox0,
                   (uint32_t)th_t, (uint32_t)tw_t, j >= nslot, j + nslot < ntiles))
      goto out;
  }
  if (nslot > 1) cg_merge_uops(g, start);
out:
  cg_list_free(&C);
  cg_list_free(&S);
  cg_list_free(&LD);
  free(uw);
  return g->status;
}

/* Nearest upsampling and depth to space, tiles of (tco output channel blocks) x tih x tiw input
 * pixels: LOAD ACC8 of the input tile per input block it reads (upsampling: the output block's
 * own; depth to space: one per phase (dy, dx), block (dy*sw + dx)*gb + b of output block b),
 * then one ALU MOV per output offset (dy, dx) < (sh, sw) that writes out[y*sh + dy][x*sw + dx] =
 * in[y][x] over the tile's outputs inside the output (loop_out rows, loop_in columns, one
 * micro-op per block), then a STORE of the oh x ow outputs per block (the output's end crops
 * the last tiles). Tokens as in pool_gen. */
typedef struct up_tile {
  int tih, tiw, tco;
} up_tile;

/* Input blocks loaded per output block, and output blocks. */
static int up_phases(const pool_geo *c) { return c->kind == CG_POOL_D2S ? c->sh * c->sw : 1; }
static int up_out_blocks(const pool_geo *c) { return c->kind == CG_POOL_D2S ? c->to->cb : c->cb; }

static int up_fits(const cg_gen *g, const pool_geo *c, const up_tile *t, int nslot) {
  uint64_t px = (uint64_t)t->tco * t->tih * t->tiw, in = px * (uint64_t)up_phases(c), out = px * c->sh * c->sw;
  if (t->tih < 1 || t->tiw < 1 || t->tco < 1 || in + (uint64_t)nslot * out > g->d->acc_depth) return 0;
  if ((uint64_t)t->tco + 1 > g->d->uop_depth / 2 || (uint64_t)t->tih * c->sh > 16383 ||
      (uint64_t)t->tiw * c->sw > 16383)
    return 0;
  return 1;
}

/* The ALU MOVs of one tile: offset (dy, dx) of output block a reads input slot a*nph + phase. */
static int up_moves(cg_gen *g, const pool_geo *c, cg_list *C, uint32_t *uw, uint32_t O, uint32_t OP, uint32_t IHW,
                    int tco_t, int ih, int iw, int oh, int ow) {
  int sh = c->sh, sw = c->sw, nph = up_phases(c);
  for (int dy = 0; dy < sh; dy++)
    for (int dx = 0; dx < sw; dx++) {
      int rows = cg_min(ih, (oh - dy + sh - 1) / sh), cols = cg_min(iw, (ow - dx + sw - 1) / sw);
      if (oh <= dy || ow <= dx || rows < 1 || cols < 1) continue;
      int ph = nph > 1 ? dy * sw + dx : 0;
      uint32_t ub;
      for (int a = 0; a < tco_t; a++)
        uw[a] = cg_uop(g, O + (uint32_t)a * OP + (uint32_t)(dy * ow + dx), (uint32_t)((a * nph + ph) * (int)IHW), 0);
      if (cg_uops(g, C, uw, (uint32_t)tco_t, &ub)) return -1;
      isa_insn in = cg_i_alu(g, ISA_ALU_MOV, 0, 0, ub, ub + (uint32_t)tco_t, (uint32_t)rows, (uint32_t)cols,
                             rows > 1 ? (uint32_t)(sh * ow) : 0, cols > 1 ? (uint32_t)sw : 0, rows > 1 ? (uint32_t)iw : 0,
                             cols > 1 ? 1 : 0);
      if (cg_push(g, C, &in)) return -1;
    }
  return 0;
}

static int up_gen(cg_gen *g, const pool_geo *c, const up_tile *t, int nslot) {
  /* input pixels that reach the output (depth to space crops the end) */
  int H = cg_cdiv(c->OH, c->sh), W = cg_cdiv(c->OW, c->sw), nph = up_phases(c), ocb = up_out_blocks(c);
  int n_ty = cg_cdiv(H, t->tih), n_tx = cg_cdiv(W, t->tiw), n_co = cg_cdiv(ocb, t->tco);
  int ntiles = n_ty * n_tx * n_co, sh = c->sh, sw = c->sw, gb = nph > 1 ? c->cb / nph : 0;
  uint32_t IHW = (uint32_t)(t->tih * t->tiw), OP = IHW * (uint32_t)(sh * sw);
  uint32_t *uw = malloc(((size_t)t->tco + 1) * sizeof *uw);
  cg_list C = {0}, S = {0};
  if (!uw) return cg_fail(g, CG_E_NOMEM, "out of memory (upsample)");
  for (int j = 0; j < ntiles; j++) {
    int si = j % (n_ty * n_tx), co = j / (n_ty * n_tx);
    int iy0 = si / n_tx * t->tih, ix0 = si % n_tx * t->tiw;
    int ih = cg_min(t->tih, H - iy0), iw = cg_min(t->tiw, W - ix0), tco_t = cg_min(t->tco, ocb - co * t->tco);
    int oh = cg_min(ih * sh, c->OH - iy0 * sh), ow = cg_min(iw * sw, c->OW - ix0 * sw);
    uint32_t O = (uint32_t)(t->tco * nph) * IHW + (uint32_t)(nslot == 1 ? 0 : j % 2) * (uint32_t)t->tco * OP;
    C.n = S.n = 0;
    for (int a = 0; a < tco_t; a++)
      for (int ph = 0; ph < nph; ph++) {
        int blk = nph > 1 ? ph * gb + co * t->tco + a : co * t->tco + a;
        isa_insn in = cg_i_load(g, ISA_MEM_ACC8, (uint32_t)(a * nph + ph) * IHW,
                                cg_elem(g, cg_tblk(c->ti, g->B, blk), ISA_MEM_ACC8) + (uint64_t)iy0 * c->W + (uint64_t)ix0,
                                (uint32_t)ih, (uint32_t)iw, (uint32_t)c->W, 0, 0, 0, 0, 0);
        if (cg_push(g, &C, &in)) goto out;
      }
    if (up_moves(g, c, &C, uw, O, OP, IHW, tco_t, ih, iw, oh, ow)) goto out;
    if (cg_tile_store(g, c->to, c->OH, c->OW, &C, &S, O, OP, co * t->tco, tco_t, (uint64_t)iy0 * sh * c->OW + (uint64_t)ix0 * sw,
                   (uint32_t)oh, (uint32_t)ow, j >= nslot, j + nslot < ntiles))
      goto out;
  }
out:
  cg_list_free(&C);
  cg_list_free(&S);
  free(uw);
  return g->status;
}

/* The upsample layer: a few tilings (channel chunks x column splits, most rows that fit), each
 * generated dry and timed by the cycle model. */
static int up_layer(cg_gen *g, const pool_geo *c, int nslot, cg_layer_info *info) {
  up_tile best = {0, 0, 0};
  double best_cy = -1;
  int ncand = 0, ocb = up_out_blocks(c), H = cg_cdiv(c->OH, c->sh), W = cg_cdiv(c->OW, c->sw);
  int tcos[4] = {ocb, cg_cdiv(ocb, 2), cg_cdiv(ocb, 4), 1};
  for (int a = 0; a < 4; a++)
    for (int k = 1; k <= 8; k++) {
      up_tile t = {1, k <= 4 ? cg_cdiv(W, k) : 1 << (8 - k), tcos[a]}; /* W/1..W/4, then 8, 4, 2, 1 */
      if (t.tiw > W || (k > 4 && t.tiw >= cg_cdiv(W, 4))) continue;
      if (!up_fits(g, c, &t, nslot)) continue;
      int lo = 1, hi = H;
      while (lo < hi) {
        int mid = (lo + hi + 1) / 2;
        t.tih = mid;
        if (up_fits(g, c, &t, nslot)) lo = mid;
        else hi = mid - 1;
      }
      t.tih = cg_cdiv(H, cg_cdiv(H, lo));
      cg_gen dg;
      cg_gen_init(&dg, g->cfg, 1);
      int rc = up_gen(&dg, c, &t, nslot);
      double cy = rc == CG_OK && cg_encodable(&dg, &dg.prog) ? cg_time_prog(g->cfg, dg.prog.v, (uint32_t)dg.prog.n, NULL) : -1;
      cg_gen_free(&dg);
      ncand++;
      if (cy >= 0 && (best_cy < 0 || cy < best_cy)) best_cy = cy, best = t;
    }
  if (best_cy < 0) return cg_fail(g, CG_E_FIT, "%s %dx%dx%d: no tiling fits the %s buffers", c->kind == CG_POOL_D2S ? "depth to space" : "upsample", c->C, c->H, c->W, g->d->name);
  info->candidates = ncand;
  snprintf(info->tiling, sizeof info->tiling, "tile %dx%d inputs, c %d blk", best.tih, best.tiw, best.tco);
  return up_gen(g, c, &best, nslot);
}

/* Candidate pool tilings timed in parallel (each a dry generation and the cycle model's run of
 * it: cy[i] depends only on tile i; the pick scans them in order, as a sequential loop would). */
#define POOL_THREADS 4
#define POOL_MAX_CAND 96
typedef struct pool_job {
  const cg_gen *g;
  const cg_layer *L;
  const pool_geo *c;
  const pool_tile *t;
  double *cy;
  int n, next, nslot;
  pthread_mutex_t mu;
} pool_job;

static void *pool_worker(void *arg) {
  pool_job *j = arg;
  for (;;) {
    pthread_mutex_lock(&j->mu);
    int i = j->next < j->n ? j->next++ : -1;
    pthread_mutex_unlock(&j->mu);
    if (i < 0) return NULL;
    cg_gen dg;
    cg_gen_init(&dg, j->g->cfg, 1);
    int rc = pool_gen(&dg, j->L, j->c, &j->t[i], j->nslot);
    j->cy[i] = rc == CG_OK && cg_encodable(&dg, &dg.prog) ? cg_time_prog(j->g->cfg, dg.prog.v, (uint32_t)dg.prog.n, NULL)
                                                          : -1;
    cg_gen_free(&dg);
  }
}

static void pool_times(pool_job *j) {
  long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  int nt = cpus < 2 ? 1 : cpus > POOL_THREADS ? POOL_THREADS : (int)cpus, k = 0;
  if (nt > j->n) nt = j->n;
  pthread_t th[POOL_THREADS];
  pthread_mutex_init(&j->mu, NULL);
  for (int q = 1; q < nt; q++)
    if (pthread_create(&th[k], NULL, pool_worker, j) == 0) k++;
  pool_worker(j);
  for (int q = 0; q < k; q++) pthread_join(th[q], NULL);
  pthread_mutex_destroy(&j->mu);
}

/* A global average pooling's sums on the GEMM core (no pads, one output pixel): chunks of at
 * most GAP_CHUNK input pixels of a block, whole channel blocks when a block's pixels fit (else
 * parts of one), come by LOAD INP on the load unit into two slots (tokens L2C / C2L); per chunk
 * one GEMM of an identity weight block accumulates each pixel into its block's output element
 * (acc_in 0: back-to-back iterations on one element, which the GEMM forwards at one a cycle; a
 * block of R INP elements, block_in < block_out, takes R micro-ops, one per slice h of the
 * pixel and of the identity block),
 * where the window passes add one kernel position an instruction (about 17 cycles each). The
 * outputs start at 0 (a GEMM with reset); then pool_avg_passes and one STORE per tile. The
 * outputs of every block are one tile (2 + 2 * cb accumulator elements). */
#define GAP_CHUNK 1024
static int gap_ok(const cg_gen *g, const pool_geo *c, const cg_pool *p) {
  return c->kind == CG_POOL_AVG && c->OH == 1 && c->OW == 1 && c->KH == c->H && c->KW == c->W &&
         !p->pad_t && !p->pad_l && !p->pad_b && !p->pad_r && 2 + 2 * (uint64_t)c->cb <= g->d->acc_depth &&
         (uint64_t)c->cb + 8 <= g->d->uop_depth / 2;
}

/* Chunk j of gap_gen: its first input element (of the block's place), length, block, blocks. */
static void gap_chunk(const pool_geo *c, int kb, int per, int T, int j, uint64_t *e0, int *n, int *b0, int *nb) {
  int HW = c->H * c->W;
  if (kb) {
    *b0 = j * kb, *nb = cg_min(kb, c->cb - *b0), *n = *nb * HW, *e0 = 0;
    return;
  }
  *b0 = j / per, *nb = 1, *e0 = (uint64_t)(j % per) * T, *n = cg_min(T, HW - (int)*e0);
}

static int gap_gen(cg_gen *g, const cg_pool *p, const pool_geo *c, int nslot, cg_layer_info *info) {
  /* T in blocks of R INP elements: a slot's, and a LOAD's x field */
  int HW = c->H * c->W, T = cg_min(GAP_CHUNK, cg_min((int)(g->d->inp_depth / g->R) / nslot, 16383 / (int)g->R));
  int kb = 0, per = 1, nch;
  if (HW <= T && !c->ti->blk) { /* whole blocks: contiguous in DRAM */
    nch = cg_cdiv(c->cb, T / HW), kb = cg_cdiv(c->cb, nch), nch = cg_cdiv(c->cb, kb), T = kb * HW;
  } else {
    per = cg_cdiv(HW, T), T = cg_cdiv(HW, per), nch = per * c->cb;
  }
  uint8_t b[2 * 4 * 64], w[64 * 64];
  uint32_t lane[2] = {cg_req_lane(p->mult, p->shift), (uint32_t)(-(int64_t)HW * p->x_zp)}, ub;
  CG_CHECK(g, g->B <= 64);
  for (unsigned e = 0; e < 2; e++)
    for (unsigned i = 0; i < g->B; i++)
      for (int k = 0; k < 4; k++) b[4 * (e * g->B + i) + k] = (uint8_t)(lane[e] >> (8 * k));
  isa_insn in = cg_i_load(g, ISA_MEM_ACC, 0, cg_elem(g, cg_const(g, b, 2u * 4u * g->B), ISA_MEM_ACC), 1, 2, 2, 0, 0, 0, 0, 0);
  if (cg_push(g, &g->prog, &in)) return g->status;
  uint64_t wb = cg_wblock_bytes(g);
  memset(w, 0, sizeof w);
  for (unsigned j = 0; j < g->B; j++) w[cg_wpos(g, j, j)] = 1;
  in = cg_i_load(g, ISA_MEM_WGT, 0, cg_elem(g, cg_const_at(g, w, wb, wb > CG_ALIGN ? wb : CG_ALIGN), ISA_MEM_WGT), 1, 1,
                 1, 0, 0, 0, 0, 0);
  if (g->barrier_c2l) cg_tok(&in, 0, 1, 0, 0), g->barrier_c2l = 0; /* the previous layer is done */
  if (cg_push(g, &g->prog, &in)) return g->status;
  /* the outputs (ACC 2 ..) to 0: GEMM reset over the blocks */
  uint32_t u = cg_uop(g, 2, 0, 0);
  if (cg_uops(g, &g->prog, &u, 1, &ub)) return g->status;
  in = cg_i_gemm(g, ub, ub + 1, 1, (uint32_t)c->cb, 0, 1, 0, 0, 0, 0);
  in.f[ISA_F_reset] = 1;
  if (cg_push(g, &g->prog, &in)) return g->status;
  /* the loads of chunk j + nslot - 1 before the GEMM of chunk j (every pop after its push) */
  for (int j = 0; j < nch + nslot - 1; j++) {
    int q = j;
    if (q < nch) { /* chunk q's load */
      uint64_t e0;
      int n, b0, nb;
      gap_chunk(c, kb, per, T, q, &e0, &n, &b0, &nb);
      in = cg_i_load(g, ISA_MEM_INP, (uint32_t)((q % nslot) * T), cg_elem(g, cg_tblk(c->ti, g->B, b0), ISA_MEM_INP) + e0,
                     1, (uint32_t)n, (uint32_t)n, 0, 0, 0, 0, 0);
      cg_tok(&in, 0, q >= nslot, 0, 1);
      if (cg_push(g, &g->prog, &in)) return g->status;
    }
    q = j - (nslot - 1);
    if (q < 0) continue;
    uint64_t e0;
    int n, b0, nb;
    gap_chunk(c, kb, per, T, q, &e0, &n, &b0, &nb);
    uint32_t us[8], nu = 0;
    CG_CHECK(g, g->R <= 8);
    cg_gemm_uop(g, us, &nu, 2 + (uint32_t)b0, (uint32_t)((q % nslot) * T), 0);
    if (cg_uops(g, &g->prog, us, nu, &ub)) return g->status;
    /* loop_out over the chunk's blocks (acc_out 1, inp_out HW), loop_in over its pixels into
     * one element (acc_in 0) */
    in = cg_i_gemm(g, ub, ub + nu, (uint32_t)nb, (uint32_t)(n / nb), nb > 1, 0, nb > 1 ? (uint32_t)HW : 0, 1, 0, 0);
    cg_tok(&in, 1, 0, q + nslot < nch, 0);
    if (cg_push(g, &g->prog, &in)) return g->status;
  }
  cg_list C = {0}, S = {0};
  uint32_t uw[2 * 64 + 8];
  uint32_t *uwp = c->cb + 8 <= 2 * 64 + 8 ? uw : malloc(((size_t)c->cb + 8) * sizeof *uwp);
  pool_tgeo e = {.th_t = 1, .tw_t = 1, .tco_t = c->cb, .iw_t = 1, .O = 2, .T = 2 + (uint32_t)c->cb, .IHW = HW, .OP = 1,
                 .padv = p->x_zp}; /* one tile: every block's output pixel */
  if (!uwp) return cg_fail(g, CG_E_NOMEM, "out of memory (pool)");
  if (!pool_avg_passes(g, p, &e, uwp, &C))
    cg_tile_store(g, c->to, 1, 1, &C, &S, 2, 1, 0, c->cb, 0, 1, 1, 0, 0);
  if (uwp != uw) free(uwp);
  cg_list_free(&C);
  cg_list_free(&S);
  info->candidates = 1;
  snprintf(info->tiling, sizeof info->tiling, "%d chunks of %d inputs, sums on the GEMM core", nch, T);
  return g->status;
}

/* c->mul_y / mul_x of an average pool that leaves its padding out: an axis whose windows all hold
 * as many inputs (no padding along it, a kernel of 1) has factors of 1, no MUL pass. 0 or -1. */
static int excl_axes(pool_geo *c) {
  int L, *f = malloc(((size_t)c->OH + c->OW + 1) * sizeof *f);
  if (!f || cg_pool_excl(c->KH, c->sh, c->pt, c->H, c->OH, &L, f) ||
      cg_pool_excl(c->KW, c->sw, c->pl, c->W, c->OW, &L, f + c->OH))
    return free(f), -1;
  for (int k = 0; k < c->OH + c->OW; k++) *(k < c->OH ? &c->mul_y : &c->mul_x) |= f[k] != 1;
  free(f);
  return 0;
}

int cg_pool_layer(cg_gen *g, const cg_net *net, const cg_layer *L, int no_lh, cg_layer_info *info) {
  const cg_pool *p = &L->pool;
  if (p->kind == CG_POOL_BIL) return cg_bil_layer(g, net, L, no_lh, info);
  const cg_tensor *ti = cg_tens(net, p->in), *to = cg_tens(net, p->out);
  pool_geo c = {ti->c, ti->h, ti->w, to->h, to->w, p->kh, p->kw, p->sh, p->sw, p->pad_t,
                p->pad_l, ti->cb, p->kind, ti, to, p->kind == CG_POOL_AVG && p->half_even,
                p->kind == CG_POOL_AVG && p->excl_pad ? to->h + to->w : 0, 0, 0};
  if (c.nf && excl_axes(&c)) return cg_fail(g, CG_E_INTERNAL, "pool: no factors for the padding left out");
  int nslot = no_lh ? 1 : 2;
  if (p->kind == CG_POOL_UP || p->kind == CG_POOL_D2S) return up_layer(g, &c, nslot, info);
  /* one output row or column: its stride moves nothing (a global pool written as a window with
   * the map's size as stride, as torch exports adaptive_max_pool2d(x, 1)), and a stride of 1
   * keeps the window's row step (sh * IW) within the ALU's address fields */
  if (c.OH == 1) c.sh = 1;
  if (c.OW == 1) c.sw = 1;
  if (gap_ok(g, &c, p)) return gap_gen(g, p, &c, nslot, info);
  pool_tile best = {0, 0, 0, 0, 0, 0}, cand[POOL_MAX_CAND];
  double best_cy = -1, cy[POOL_MAX_CAND];
  int ncand = 0;
  /* few candidates: channel chunks x kernel-row chunks x column splits, largest th that fits;
   * each generated dry and timed by the cycle model */
  int tcos[4] = {c.cb, cg_cdiv(c.cb, 2), cg_cdiv(c.cb, 4), 1};
  int nkys[2] = {c.KH, 1};
  for (int a = 0; a < 4; a++)
    for (int b = 0; b < 2; b++)
      for (int k = 1; k <= 4; k++)
        for (int sp = 0; sp < 3; sp++) { /* 0: window in ACC, 1: separable in ACC, 2: window in INP */
        if (sp == 1 && (nkys[b] != c.KH || !pool_sep_ok(&c))) continue;
        if (sp == 2 && g->R != 1) continue; /* an INP element is block_in lanes, the ALU's block_out */
        pool_tile t = {1, cg_cdiv(c.OW, k), tcos[a], nkys[b], sp == 1, sp == 2};
        int IHW, OP;
        if (!pool_fits(g, &c, &t, nslot, &IHW, &OP)) continue;
        int lo = 1, hi = c.OH;
        while (lo < hi) {
          int mid = (lo + hi + 1) / 2;
          t.th = mid;
          if (pool_fits(g, &c, &t, nslot, &IHW, &OP)) lo = mid;
          else hi = mid - 1;
        }
        t.th = cg_cdiv(c.OH, cg_cdiv(c.OH, lo));
        cand[ncand++] = t;
      }
  pool_job j = {.g = g, .L = L, .c = &c, .t = cand, .cy = cy, .n = ncand, .nslot = nslot};
  pool_times(&j);
  for (int i = 0; i < ncand; i++)
    if (cy[i] >= 0 && (best_cy < 0 || cy[i] < best_cy)) {
      best_cy = cy[i];
      best = cand[i];
    }
  if (best_cy < 0)
    return cg_fail(g, CG_E_FIT, "pool %dx%dx%d k%dx%d: no tiling fits the %s buffers", c.C, c.H,
                   c.W, c.KH, c.KW, g->d->name);
  info->candidates = ncand;
  snprintf(info->tiling, sizeof info->tiling, "tile %dx%d, c %d blk, ky %d%s", best.th, best.tw,
           best.tco, best.nky, best.sep ? ", separable" : best.inp ? ", window in INP" : "");
  return pool_gen(g, L, &c, &best, nslot);
}

int cg_add_layer(cg_gen *g, const cg_net *net, const cg_layer *L, int no_lh, cg_layer_info *info) {
  const cg_add *p = &L->add;
  const cg_tensor *ta = cg_tens(net, p->a), *tb = cg_tens(net, p->b), *to = cg_tens(net, p->out);
  int nslot = no_lh ? 1 : 2;
  /* contiguous runs of elements: the whole tensor, or with a view one channel block each */
  int N = ta->cb * ta->h * ta->w;
  int seg = ta->blk || tb->blk || to->blk ? ta->h * ta->w : N;
  int T = cg_min((int)(g->d->acc_depth - 2) / (nslot + 1), 16383);
  T = cg_min(T, seg);
  if (T < 1) return cg_fail(g, CG_E_FIT, "add: accumulator too small");
  int per = cg_cdiv(seg, T);
  T = cg_cdiv(seg, per); /* balanced chunks */
  int ntiles = N / seg * per;
  uint8_t b[2 * 4 * 64];
  int f = cg_add_frac(p);
  uint32_t la = cg_req_lane(p->a_mult, p->a_shift - f), lb = cg_req_lane(p->b_mult, p->b_shift - f);
  for (unsigned i = 0; i < g->B; i++)
    for (int k = 0; k < 4; k++) {
      b[4 * i + k] = (uint8_t)(la >> (8 * k));
      b[4 * (g->B + i) + k] = (uint8_t)(lb >> (8 * k));
    }
  uint64_t pe = cg_elem(g, cg_const(g, b, 2u * 4u * g->B), ISA_MEM_ACC);
  isa_insn in = cg_i_load(g, ISA_MEM_ACC, 0, pe, 1, 2, 2, 0, 0, 0, 0, 0);
  if (cg_push(g, &g->prog, &in)) return g->status;
  uint32_t BR = 2 + (uint32_t)(nslot * T);
  int imm = cg_clip_imm(p->lo, p->hi);
  for (int j = 0; j < ntiles; j++) {
    int sg = j / per, e0 = j % per * T, n = cg_min(T, seg - e0);
    uint64_t ae = cg_elem(g, cg_tblk(ta, g->B, sg), ISA_MEM_ACC8), be = cg_elem(g, cg_tblk(tb, g->B, sg), ISA_MEM_ACC8);
    uint64_t oe = cg_elem(g, cg_tblk(to, g->B, sg), ISA_MEM_OUT);
    uint32_t A = 2 + (uint32_t)((nslot == 1 ? 0 : j % 2) * T);
    /* micro-ops: 0 REQ a (param 0), 1 REQ b (param 1), 2 a += b, 3 on a (imm), 4 on b (imm) */
    uint32_t u[5], ub[5];
    u[0] = cg_uop(g, A, 0, 0);
    u[1] = cg_uop(g, BR, 1, 0);
    u[2] = cg_uop(g, A, BR, 0);
    u[3] = cg_uop(g, A, 0, 0);
    u[4] = cg_uop(g, BR, 0, 0);
    int first = g->prog.n;
    in = cg_i_load(g, ISA_MEM_ACC8, A, ae + (uint64_t)e0, 1, (uint32_t)n, (uint32_t)n, 0, 0, 0, 0, 0);
    if (cg_push(g, &g->prog, &in)) return g->status;
    if (j >= nslot) cg_tok(&g->prog.v[first], 0, 1, 0, 0);
    in = cg_i_load(g, ISA_MEM_ACC8, BR, be + (uint64_t)e0, 1, (uint32_t)n, (uint32_t)n, 0, 0, 0, 0, 0);
    if (cg_push(g, &g->prog, &in)) return g->status;
    for (int k = 0; k < 5; k++)
      if (cg_uops(g, &g->prog, &u[k], 1, &ub[k])) return g->status;
    /* [ADD -a_zp], [ADD -b_zp], REQ a, REQ b, ADD (MAX, MIN), [SHR f], [ADD y_zp], CLIP */
    struct { int op, use_imm, imm, k; int on; } pass[8] = {
        {ISA_ALU_ADD, 1, -p->a_zp, 0, p->a_zp != 0}, {ISA_ALU_ADD, 1, -p->b_zp, 4, p->b_zp != 0},
        {ISA_ALU_REQ, 0, 0, 0, 1},                   {ISA_ALU_REQ, 0, 0, 1, 1},
        {p->op == CG_ADD_MAX ? ISA_ALU_MAX : p->op == CG_ADD_MIN ? ISA_ALU_MIN : ISA_ALU_ADD, 0, 0, 2, 1},
        {ISA_ALU_SHR, 1, f, 3, f > 0},
        {ISA_ALU_ADD, 1, p->y_zp, 3, p->y_zp != 0},  {ISA_ALU_CLIP, 1, imm, 3, 1},
    };
    int last = 7;
    for (int q = 0; q < 8; q++) {
      if (!pass[q].on) continue;
      int kk = pass[q].k;
      isa_insn op = cg_i_alu(g, pass[q].op, pass[q].use_imm, pass[q].imm, ub[kk], ub[kk] + 1, 1,
                             (uint32_t)n, 0, 1, 0, kk == 2);
      if (q == last) cg_tok(&op, 0, 0, 0, 1);
      if (cg_push(g, &g->prog, &op)) return g->status;
    }
    in = cg_i_store(g, A, oe + (uint64_t)e0, 1, (uint32_t)n, (uint32_t)n);
    cg_tok(&in, 1, 0, j + nslot < ntiles, 0);
    if (cg_push(g, &g->prog, &in)) return g->status;
  }
  info->candidates = 1;
  snprintf(info->tiling, sizeof info->tiling, "%d chunks of %d elements", ntiles, T);
  return g->status;
}
