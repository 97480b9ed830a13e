/* sim/fsim/progen.c -- the random program generator (see progen.h for what it guarantees).
 *
 * How a program is built: the buffers are split into regions (one or two halves of INP, WGT and
 * ACC, plus an ACC region of REQ parameters); tiles are generated one after the other, each as
 * three instruction lists (load, compute, store) that touch only the tile's half, while per-element
 * "written" maps decide which elements a tile may read; tokens are then put on the first and last
 * instruction of every tile's lists (RAW forward, WAR back when the half is reused nbuf tiles
 * later); finally the three lists are merged in a random order in which every pop comes after
 * its push, and FINISH ends the program.
 */
#include "progen.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsim.h"
#include "util.h"

#define MAX_UOPS 64

void progen_opts_default(progen_opts *o) {
  o->max_insns = 200;
  o->max_loop = 4;
  o->max_uops = 4;
  o->max_rows = 4;
  o->max_cols = 6;
  o->region = 48;
  o->alu_ops = 0;
  o->flags = 0;
}

/* [lo, hi) of a buffer's elements */
typedef struct region {
  unsigned lo, hi;
} region;

/* A growing list of decoded instructions of one unit. */
typedef struct stream {
  isa_insn *v;
  uint32_t n, cap;
} stream;

typedef struct gen {
  const isa_config *c;
  progen_opts o;
  uint64_t rs;                  /* random state */
  uint8_t *img;                 /* data image */
  uint64_t size, cap;           /* bytes used / allocated */
  uint8_t *wr_inp, *wr_wgt, *wr_acc; /* [depth] 1 = written earlier in program order */
  uint8_t wr_lut[ISA_LUT_DEPTH];     /* the same for the lookup table (always whole once LUT runs) */
  unsigned nbuf;                /* 1 or 2 halves */
  region inp[2], wgt[2], acc[2], par;
  stream s[ISA_UNIT_COUNT];
  int oom;
} gen;

/* ---- small helpers -------------------------------------------------------------------------- */

static uint64_t rnd(gen *g) {
  uint64_t z = (g->rs += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}
/* uniform in [lo, hi]; lo if hi < lo */
static unsigned rr(gen *g, unsigned lo, unsigned hi) {
  return hi <= lo ? lo : lo + (unsigned)(rnd(g) % ((uint64_t)hi - lo + 1));
}
static int chance(gen *g, unsigned num, unsigned den) { return rnd(g) % den < num; }
static unsigned umin(unsigned a, unsigned b) { return a < b ? a : b; }

static isa_insn *emit(gen *g, int unit, int op) {
  stream *s = &g->s[unit];
  if (s->n == s->cap) {
    uint32_t cap = s->cap ? 2 * s->cap : 64;
    isa_insn *v = realloc(s->v, cap * sizeof *v);
    if (!v) {
      g->oom = 1;
      static isa_insn sink;
      return &sink;
    }
    s->v = v, s->cap = cap;
  }
  isa_insn *in = &s->v[s->n++];
  memset(in, 0, sizeof *in);
  in->f[ISA_F_opcode] = (uint32_t)op;
  return in;
}

/* Allocates `elems` zeroed elements of memory m in the image; returns the element address. */
static uint32_t img_alloc(gen *g, int m, uint64_t elems) {
  uint64_t eb = g->c->elem_bytes[m];
  uint64_t off = (g->size + eb - 1) / eb * eb, end = off + elems * eb;
  if (end > g->cap) {
    uint64_t cap = g->cap ? g->cap : 4096;
    while (cap < end) cap *= 2;
    uint8_t *p = realloc(g->img, cap);
    if (!p) {
      g->oom = 1;
      return 0;
    }
    memset(p + g->cap, 0, cap - g->cap);
    g->img = p, g->cap = cap;
  }
  g->size = end;
  return (uint32_t)(off / eb);
}

static uint8_t *img_at(gen *g, int m, uint64_t e) { return g->img + e * g->c->elem_bytes[m]; }

static uint8_t *written(gen *g, int m) {
  return m == ISA_MEM_INP ? g->wr_inp : m == ISA_MEM_WGT ? g->wr_wgt : m == ISA_MEM_LUT ? g->wr_lut :
         g->wr_acc;
}

static int unit_of_load(int m) {
  return m == ISA_MEM_INP || m == ISA_MEM_WGT ? ISA_UNIT_LOAD : ISA_UNIT_COMPUTE;
}

/* ---- LOAD / STORE ----------------------------------------------------------------------------- */

/* Random data for a LOAD of memory m: ACC data mixes small, random and extreme int32 lanes. */
static void fill_data(gen *g, int m, uint32_t e, uint64_t elems) {
  if (g->oom) return;
  uint64_t eb = g->c->elem_bytes[m];
  uint8_t *p = img_at(g, m, e);
  if (m == ISA_MEM_ACC) {
    static const uint32_t ext[] = {0x80000000u, 0x7fffffffu, 0, 0xffffffffu, 0x8000u, 0x7fffu};
    for (uint64_t l = 0; l < elems * eb / 4; l++) {
      int k = (int)(rnd(g) % 8);
      uint32_t v = k < 3 ? (uint32_t)(rr(g, 0, 2000) - 1000) : k < 6 ? (uint32_t)rnd(g) : ext[rnd(g) % 6];
      util_put32(p + 4 * l, v);
    }
  } else {
    for (uint64_t i = 0; i < elems * eb; i++) p[i] = (uint8_t)rnd(g);
  }
}

/* A LOAD of memory m (INP, WGT, ACC, ACC8, LUT) with random shape, stride and padding whose whole
 * block lies in R; marks the block written. */
static void gen_load(gen *g, int m, region R) {
  unsigned n = R.hi - R.lo;
  unsigned yp0 = 0, yp1 = 0, xp0 = 0, xp1 = 0, ys = 1, xs = 1;
  for (int tries = 0; tries < 64; tries++) {
    unsigned mp = chance(g, 1, 6) ? 15 : 2;
    unsigned a = rr(g, 0, mp), b = rr(g, 0, mp), c = rr(g, 0, mp), d = rr(g, 0, mp);
    if (chance(g, 1, 3) || (g->o.flags & PROGEN_F_NO_PAD)) a = b = c = d = 0;
    unsigned y = rr(g, 0, g->o.max_rows), x = rr(g, 0, g->o.max_cols);
    if (chance(g, 3, 4) && !y) y = 1;
    uint64_t total = (uint64_t)(a + y + b) * (c + x + d);
    if (total < 1 || total > n) continue;
    yp0 = a, yp1 = b, xp0 = c, xp1 = d, ys = y, xs = x;
    break;
  }
  unsigned total = (yp0 + ys + yp1) * (xp0 + xs + xp1);
  unsigned sram = chance(g, 1, 5) ? R.hi - total : rr(g, R.lo, R.hi - total);
  unsigned stride = rr(g, 0, xs + 3);
  uint32_t dram = 0;
  if (ys && xs) {
    uint64_t elems = (uint64_t)(ys - 1) * stride + xs;
    dram = img_alloc(g, m, elems);
    fill_data(g, m, dram, elems);
  }
  isa_insn *in = emit(g, unit_of_load(m), ISA_OP_LOAD);
  uint32_t *f = in->f;
  f[ISA_F_mem] = (uint32_t)m, f[ISA_F_sram] = sram, f[ISA_F_dram] = dram;
  f[ISA_F_y_size] = ys, f[ISA_F_x_size] = xs, f[ISA_F_x_stride] = stride;
  f[ISA_F_y_pad0] = yp0, f[ISA_F_y_pad1] = yp1, f[ISA_F_x_pad0] = xp0, f[ISA_F_x_pad1] = xp1;
  f[ISA_F_pad_value] = m == ISA_MEM_WGT ? 0 : (uint32_t)rnd(g) & 0xff; /* WGT pads are zeros */
  memset(written(g, m) + sram, 1, total);
}

/* A LOAD of the whole lookup table (memory LUT): random bytes as a block of rows x cols
 * elements (rows * cols = ISA_LUT_DEPTH) with random padding and stride, so that every entry an
 * ALU LUT can read is written. */
static void gen_lut_whole(gen *g) {
  unsigned cols = ISA_LUT_DEPTH >> rr(g, 0, 4), rows = ISA_LUT_DEPTH / cols;
  int pad = !(g->o.flags & PROGEN_F_NO_PAD);
  unsigned yp0 = pad && chance(g, 1, 3) ? rr(g, 0, umin(15, rows)) : 0;
  unsigned yp1 = pad && chance(g, 1, 3) ? rr(g, 0, umin(15, rows - yp0)) : 0;
  unsigned xp0 = pad && chance(g, 1, 3) ? rr(g, 0, umin(15, cols)) : 0;
  unsigned xp1 = pad && chance(g, 1, 3) ? rr(g, 0, umin(15, cols - xp0)) : 0;
  unsigned ys = rows - yp0 - yp1, xs = cols - xp0 - xp1;
  unsigned stride = rr(g, xs, xs + 3);
  uint32_t dram = 0;
  if (ys && xs) {
    uint64_t elems = (uint64_t)(ys - 1) * stride + xs;
    dram = img_alloc(g, ISA_MEM_LUT, elems);
    fill_data(g, ISA_MEM_LUT, dram, elems);
  }
  isa_insn *in = emit(g, ISA_UNIT_COMPUTE, ISA_OP_LOAD);
  uint32_t *f = in->f;
  f[ISA_F_mem] = ISA_MEM_LUT, f[ISA_F_sram] = 0, f[ISA_F_dram] = dram;
  f[ISA_F_y_size] = ys, f[ISA_F_x_size] = xs, f[ISA_F_x_stride] = stride;
  f[ISA_F_y_pad0] = yp0, f[ISA_F_y_pad1] = yp1, f[ISA_F_x_pad0] = xp0, f[ISA_F_x_pad1] = xp1;
  f[ISA_F_pad_value] = (uint32_t)rnd(g) & 0xff;
  memset(g->wr_lut, 1, sizeof g->wr_lut);
}

/* STOREs of written OUT elements of R into fresh zeroed areas. */
static void gen_store(gen *g, region R) {
  const uint8_t *w = g->wr_acc;
  unsigned sram = 0, ys = 0, xs = 0;
  for (int tries = 0; tries < 64 && !ys; tries++) {
    unsigned y = rr(g, 1, g->o.max_rows), x = rr(g, 1, g->o.max_cols);
    if (y * x > R.hi - R.lo) continue;
    unsigned s = rr(g, R.lo, R.hi - y * x);
    unsigned k = 0;
    while (k < y * x && w[s + k]) k++;
    if (k == y * x) sram = s, ys = y, xs = x;
  }
  if (!ys) { /* any single written element (a tile always leaves one) */
    unsigned cnt = 0;
    for (unsigned e = R.lo; e < R.hi; e++) cnt += w[e];
    unsigned pick = rr(g, 1, cnt ? cnt : 1);
    for (unsigned e = R.lo; e < R.hi && pick; e++)
      if (w[e] && !--pick) sram = e;
    ys = xs = 1;
  }
  unsigned stride = rr(g, xs, xs + 3);
  uint32_t dram = img_alloc(g, ISA_MEM_OUT, (uint64_t)(ys - 1) * stride + xs);
  isa_insn *in = emit(g, ISA_UNIT_STORE, ISA_OP_STORE);
  in->f[ISA_F_mem] = ISA_MEM_OUT, in->f[ISA_F_sram] = sram, in->f[ISA_F_dram] = dram;
  in->f[ISA_F_y_size] = ys, in->f[ISA_F_x_size] = xs, in->f[ISA_F_x_stride] = stride;
}

/* ---- GEMM / ALU ------------------------------------------------------------------------------- */

/* One index kind of a loop nest: where it may point and whether its elements must be written. */
typedef struct kspec {
  region R;
  const uint8_t *wr; /* NULL: no need to be written (a reset's target, an unused index) */
  int used;          /* 0: unchecked by the ISA (reset's x/w, imm ALU's s): any in-field value */
  unsigned width;    /* field width of the micro-op field, for unused ones */
  unsigned fwidth;   /* field width of the factors */
  unsigned fo, fi;
  uint32_t base[MAX_UOPS];
} kspec;

/* Every index base + o*fo + i*fi (o < lo, i < li) lies in R and is written if required. */
static int nest_ok(const kspec *k, uint32_t base, unsigned lo, unsigned li) {
  for (unsigned o = 0; o < lo; o++)
    for (unsigned i = 0; i < li; i++) {
      uint64_t v = base + (uint64_t)o * k->fo + (uint64_t)i * k->fi;
      if (v < k->R.lo || v >= k->R.hi || (k->wr && !k->wr[v])) return 0;
    }
  return 1;
}

/* Chooses loop extents, factors and micro-op bases for kinds k[0..nk); k[alias] (if >= 0) may
 * reuse k[0]'s bases (ALU d == s). Returns the number of micro-ops. */
static unsigned gen_nest(gen *g, kspec *k, int nk, int alias, unsigned *lo, unsigned *li) {
  unsigned LO = rr(g, 1, g->o.max_loop), LI = rr(g, 1, g->o.max_loop);
  unsigned NU = rr(g, 1, umin(g->o.max_uops, MAX_UOPS));
  int same = alias >= 0 && chance(g, 1, 4) && k[alias].R.lo == k[0].R.lo && k[alias].R.hi == k[0].R.hi;
  for (int j = 0; j < nk; j++) {
    kspec *q = &k[j];
    unsigned fmax = (1u << q->fwidth) - 1;
    if (!q->used) {
      q->fo = (unsigned)rnd(g) & fmax, q->fi = (unsigned)rnd(g) & fmax;
      continue;
    }
    if (same && j == alias) {
      q->fo = k[0].fo, q->fi = k[0].fi;
      continue;
    }
    unsigned budget = q->R.hi - q->R.lo - 1;
    unsigned big = chance(g, 1, 4);
    q->fi = LI > 1 ? rr(g, 0, big ? budget / (LI - 1) : umin(3, budget / (LI - 1))) : rr(g, 0, 3);
    unsigned used_in = (LI - 1) * q->fi;
    q->fo = LO > 1 ? rr(g, 0, big ? (budget - used_in) / (LO - 1) : umin(4, (budget - used_in) / (LO - 1)))
                   : rr(g, 0, 3);
    if (q->fo > fmax) q->fo = fmax;
    if (q->fi > fmax) q->fi = fmax;
  }
  unsigned nu = 0;
  for (unsigned u = 0; u < NU; u++) {
    for (int tries = 0; tries < 24; tries++) {
      int ok = 1;
      for (int j = 0; j < nk && ok; j++) {
        kspec *q = &k[j];
        if (!q->used) {
          q->base[nu] = (uint32_t)rnd(g) & ((1u << q->width) - 1);
          continue;
        }
        if (same && j == alias) {
          q->base[nu] = k[0].base[nu];
        } else {
          uint64_t span = (uint64_t)(LO - 1) * q->fo + (uint64_t)(LI - 1) * q->fi;
          if (span >= q->R.hi - q->R.lo) {
            ok = 0;
            break;
          }
          q->base[nu] = rr(g, q->R.lo, q->R.hi - 1 - (unsigned)span);
        }
        ok = nest_ok(q, q->base[nu], LO, LI);
      }
      if (ok) {
        nu++;
        break;
      }
    }
  }
  if (!nu) { /* fall back to one iteration on written elements */
    LO = LI = 1;
    nu = 1;
    for (int j = 0; j < nk; j++) {
      kspec *q = &k[j];
      q->fo = q->fi = 0;
      if (!q->used) continue;
      if (same && j == alias) {
        q->base[0] = k[0].base[0];
        continue;
      }
      unsigned cnt = 0, pick;
      for (unsigned e = q->R.lo; e < q->R.hi; e++) cnt += !q->wr || q->wr[e];
      pick = rr(g, 1, cnt ? cnt : 1);
      q->base[0] = q->R.lo;
      for (unsigned e = q->R.lo; e < q->R.hi && pick; e++)
        if ((!q->wr || q->wr[e]) && !--pick) q->base[0] = e;
    }
  }
  *lo = LO, *li = LI;
  return nu;
}

/* Writes micro-ops uops[0..n) to the image and LOADs them at a random place, sometimes with pad
 * elements around (never inside the range). Sets *ub, *ue. */
static void gen_uops(gen *g, const uint32_t *uops, unsigned n, unsigned *ub, unsigned *ue) {
  unsigned depth = g->c->d.uop_depth;
  unsigned b = chance(g, 1, 6) ? depth - n : rr(g, 0, depth - n);
  unsigned ys = 1, xs = n, stride = n, yp0 = 0, yp1 = 0, xp0 = 0, xp1 = 0;
  int pad = !(g->o.flags & PROGEN_F_NO_PAD);
  if (n > 1 && chance(g, 1, 3)) { /* several rows: xs divides n */
    unsigned d = rr(g, 1, n);
    while (n % d) d--;
    xs = d, ys = n / d, stride = rr(g, xs, xs + 3);
    yp0 = pad ? rr(g, 0, umin(2, b / xs)) : 0;
    yp1 = pad ? rr(g, 0, umin(2, (depth - b - n) / xs)) : 0;
  } else if (pad && chance(g, 1, 2)) {
    xp0 = rr(g, 0, umin(3, b));
    xp1 = rr(g, 0, umin(3, depth - b - n));
  }
  uint32_t dram = img_alloc(g, ISA_MEM_UOP, (uint64_t)(ys - 1) * stride + xs);
  if (!g->oom)
    for (unsigned i = 0; i < n; i++)
      util_put32(img_at(g, ISA_MEM_UOP, dram + (uint64_t)(i / xs) * stride + i % xs), uops[i]);
  isa_insn *in = emit(g, ISA_UNIT_COMPUTE, ISA_OP_LOAD);
  uint32_t *f = in->f;
  f[ISA_F_mem] = ISA_MEM_UOP, f[ISA_F_sram] = b - yp0 * (xp0 + xs + xp1) - xp0, f[ISA_F_dram] = dram;
  f[ISA_F_y_size] = ys, f[ISA_F_x_size] = xs, f[ISA_F_x_stride] = stride;
  f[ISA_F_y_pad0] = yp0, f[ISA_F_y_pad1] = yp1, f[ISA_F_x_pad0] = xp0, f[ISA_F_x_pad1] = xp1;
  f[ISA_F_pad_value] = (uint32_t)rnd(g) & 0xff;
  *ub = b, *ue = b + n;
}

static void set_loop(isa_insn *in, unsigned ub, unsigned ue, unsigned lo, unsigned li) {
  in->f[ISA_F_uop_begin] = ub, in->f[ISA_F_uop_end] = ue;
  in->f[ISA_F_loop_out] = lo, in->f[ISA_F_loop_in] = li;
}

/* Marks every a/d index of a nest written. */
static void mark_nest(gen *g, const kspec *k, unsigned nu, unsigned lo, unsigned li) {
  for (unsigned u = 0; u < nu; u++)
    for (unsigned o = 0; o < lo; o++)
      for (unsigned i = 0; i < li; i++) g->wr_acc[k->base[u] + o * k->fo + i * k->fi] = 1;
}

/* Turns GEMM `in` (nu micro-ops, accumulating on half h) into a GEMM with bias when a run of nu
 * written accumulator elements (in the parameter area or the half) fits its wgt_in field: the
 * bias elements b = wgt_in + u - uop_begin; the weight inner factor becomes 0. */
static void gen_bias(gen *g, isa_insn *in, int h, unsigned nu) {
  region r = chance(g, 1, 2) ? g->par : g->acc[h];
  if (nu > r.hi - r.lo) return;
  unsigned b0 = rr(g, r.lo, r.hi - nu);
  if (b0 >> g->c->fwidth[ISA_F_wgt_in]) return;
  for (unsigned b = b0; b < b0 + nu; b++)
    if (!g->wr_acc[b]) return;
  in->f[ISA_F_bias] = 1, in->f[ISA_F_wgt_in] = b0;
}

/* A GEMM on half h: reset (acc target need not be written) or accumulate. */
static void gen_gemm(gen *g, int h, int reset) {
  const isa_config *c = g->c;
  kspec k[3];
  memset(k, 0, sizeof k);
  k[0] = (kspec){.R = g->acc[h], .wr = reset ? NULL : g->wr_acc, .used = 1, .width = c->fwidth[ISA_F_u_acc], .fwidth = c->fwidth[ISA_F_acc_out]};
  k[1] = (kspec){.R = g->inp[h], .wr = g->wr_inp, .used = !reset, .width = c->fwidth[ISA_F_u_src], .fwidth = c->fwidth[ISA_F_inp_out]};
  k[2] = (kspec){.R = g->wgt[h], .wr = g->wr_wgt, .used = !reset, .width = c->fwidth[ISA_F_u_wgt], .fwidth = c->fwidth[ISA_F_wgt_out]};
  unsigned lo, li, ub, ue;
  unsigned nu = gen_nest(g, k, 3, -1, &lo, &li);
  uint32_t uops[MAX_UOPS];
  for (unsigned u = 0; u < nu; u++) uops[u] = isa_uop(c, k[0].base[u], k[1].base[u], k[2].base[u]);
  gen_uops(g, uops, nu, &ub, &ue);
  /* a DWGEMM of taps T <= li: a and w over i' < li - (T - 1) and no weight outer factor (a subset
   * of the nest's o = 0 indices), x over i < li as generated */
  int dw = !(g->o.flags & PROGEN_F_NO_DWGEMM) && chance(g, 1, 4);
  unsigned T = dw ? rr(g, 1, umin(c->d.dw_taps, li)) : 1;
  isa_insn *in = emit(g, ISA_UNIT_COMPUTE, dw ? ISA_OP_DWGEMM : ISA_OP_GEMM);
  set_loop(in, ub, ue, lo, li);
  in->f[ISA_F_reset] = (uint32_t)reset;
  in->f[ISA_F_acc_out] = k[0].fo, in->f[ISA_F_acc_in] = k[0].fi;
  in->f[ISA_F_inp_out] = k[1].fo, in->f[ISA_F_inp_in] = k[1].fi;
  in->f[ISA_F_wgt_out] = dw ? T : k[2].fo, in->f[ISA_F_wgt_in] = k[2].fi;
  if (reset) mark_nest(g, &k[0], nu, lo, li - (T - 1));
  if (!reset && chance(g, 1, 4)) gen_bias(g, in, h, nu);
}

/* An immediate for ALU op `op`: random, extreme, or shaped for the op. */
static uint32_t gen_imm(gen *g, int op) {
  int k = (int)(rnd(g) % 5);
  if (k == 0) return (uint32_t)rnd(g) & 0xffff;
  if (k == 1) return chance(g, 1, 2) ? 0x8000 : 0x7fff;
  int lo, hi;
  switch (op) {
  case ISA_ALU_SHR: return (uint32_t)(rr(g, 0, 80) - 40) & 0xffff;
  case ISA_ALU_CLIP:
  case ISA_ALU_REQ:
    k = (int)(rnd(g) % 3);
    lo = k == 0 ? -128 : k == 1 ? 0 : (int)rr(g, 0, 255) - 128;
    hi = k < 2 ? 127 : (int)rr(g, 0, 255) - 128;
    return (uint32_t)((hi & 0xff) << 8 | (lo & 0xff));
  case ISA_ALU_MUL: return (uint32_t)(rr(g, 0, 64) - 32) & 0xffff;
  default: return (uint32_t)(rr(g, 0, 400) - 200) & 0xffff;
  }
}

/* An ALU op on half h; s reads the half or (REQ mostly) the parameter region. */
static void gen_alu(gen *g, int h) {
  const isa_config *c = g->c;
  uint32_t allowed = g->o.alu_ops & ((1u << ISA_ALU_COUNT) - 1);
  int op;
  do op = (int)(rnd(g) % ISA_ALU_COUNT);
  while (allowed && !(allowed >> op & 1));
  int use_imm = chance(g, 1, 2);
  int use_src = !use_imm || op == ISA_ALU_REQ;
  region sr = (op == ISA_ALU_REQ ? chance(g, 3, 4) : chance(g, 1, 6)) ? g->par : g->acc[h];
  int src_inp = use_src && op != ISA_ALU_REQ && chance(g, 1, 4); /* the source in the input buffer */
  kspec k[2];
  memset(k, 0, sizeof k);
  k[0] = (kspec){.R = g->acc[h], .wr = g->wr_acc, .used = 1, .width = c->fwidth[ISA_F_u_acc], .fwidth = c->fwidth[ISA_F_dst_out]};
  k[1] = (kspec){.R = src_inp ? g->inp[h] : sr, .wr = src_inp ? g->wr_inp : g->wr_acc, .used = use_src,
                 .width = c->fwidth[ISA_F_u_src], .fwidth = c->fwidth[ISA_F_src_out]};
  /* an unused s field still has to fit the micro-op's source field */
  unsigned lo, li, ub, ue;
  unsigned nu = gen_nest(g, k, 2, use_src ? 1 : -1, &lo, &li);
  uint32_t uops[MAX_UOPS];
  for (unsigned u = 0; u < nu; u++) uops[u] = isa_uop(c, k[0].base[u], k[1].base[u], (uint32_t)rnd(g));
  gen_uops(g, uops, nu, &ub, &ue);
  isa_insn *in = emit(g, ISA_UNIT_COMPUTE, ISA_OP_ALU);
  set_loop(in, ub, ue, lo, li);
  in->f[ISA_F_alu_op] = (uint32_t)op, in->f[ISA_F_use_imm] = (uint32_t)use_imm;
  in->f[ISA_F_imm] = gen_imm(g, op);
  in->f[ISA_F_dst_out] = k[0].fo, in->f[ISA_F_dst_in] = k[0].fi;
  in->f[ISA_F_src_out] = k[1].fo, in->f[ISA_F_src_in] = k[1].fi;
  in->f[ISA_F_src_inp] = (uint32_t)src_inp;
}

/* A GEMM or ALU whose loop nest or micro-op range is empty: no effect. */
static void gen_empty(gen *g) {
  int op = chance(g, 1, 2) ? ISA_OP_GEMM : ISA_OP_ALU;
  if (g->o.flags & PROGEN_F_NO_GEMM) op = ISA_OP_ALU;
  if (g->o.flags & PROGEN_F_NO_ALU) op = ISA_OP_GEMM;
  isa_insn *in = emit(g, ISA_UNIT_COMPUTE, op);
  unsigned ub = rr(g, 1, g->c->d.uop_depth - 1);
  if (chance(g, 1, 2)) set_loop(in, ub, rr(g, 0, ub), rr(g, 0, 3), rr(g, 0, 3));
  else set_loop(in, ub - 1, ub, 0, rr(g, 0, 3));
  if (op == ISA_OP_ALU) {
    uint32_t allowed = g->o.alu_ops & ((1u << ISA_ALU_COUNT) - 1), a;
    do a = (uint32_t)(rnd(g) % ISA_ALU_COUNT);
    while (allowed && !(allowed >> a & 1));
    in->f[ISA_F_alu_op] = a;
  }
}

/* REQ parameters: c = isa_req_word(multiplier, shift) per lane, realistic or extreme; the bits
 * above the fields random (ignored). */
static void gen_params(gen *g) {
  unsigned n = g->par.hi - g->par.lo;
  uint32_t dram = img_alloc(g, ISA_MEM_ACC, n);
  if (!g->oom) {
    uint64_t lanes = (uint64_t)n * g->c->elem_bytes[ISA_MEM_ACC] / 4;
    uint8_t *p = img_at(g, ISA_MEM_ACC, dram);
    for (uint64_t l = 0; l < lanes; l++) {
      const uint32_t top = 1u << (ISA_REQ_M_WIDTH - 1); /* m in [-top, top) */
      uint32_t sh = rr(g, 15, 33), m = rr(g, top / 2, top - 1);
      int k = (int)(rnd(g) % 6);
      if (k == 0) m = (uint32_t)-(int32_t)m;
      if (k == 1) sh = chance(g, 1, 2) ? 0 : 63, m = chance(g, 1, 2) ? top : top - 1;
      if (k == 2) sh = rr(g, 0, 63), m = (uint32_t)rnd(g);
      uint32_t w = isa_req_word((int32_t)m, sh);
      if (ISA_REQ_USED_BITS < 32) w |= (uint32_t)rnd(g) << ISA_REQ_USED_BITS; /* ignored */
      util_put32(p + 4 * l, w);
    }
  }
  isa_insn *in = emit(g, ISA_UNIT_COMPUTE, ISA_OP_LOAD);
  in->f[ISA_F_mem] = ISA_MEM_ACC, in->f[ISA_F_sram] = g->par.lo, in->f[ISA_F_dram] = dram;
  in->f[ISA_F_y_size] = 1, in->f[ISA_F_x_size] = n, in->f[ISA_F_x_stride] = n;
  memset(g->wr_acc + g->par.lo, 1, n);
}

/* ---- layout, tiles, tokens, merge ------------------------------------------------------------ */

/* nbuf halves of `size` elements at a random place in a buffer of `depth`, after `before`
 * elements reserved at the start of the block. */
static void place(gen *g, region *h, unsigned depth, unsigned size, unsigned before, region *pre) {
  unsigned total = before + g->nbuf * size;
  unsigned base = rr(g, 0, depth - total);
  if (pre) pre->lo = base, pre->hi = base + before;
  for (unsigned k = 0; k < g->nbuf; k++) h[k].lo = base + before + k * size, h[k].hi = h[k].lo + size;
  if (g->nbuf == 2 && chance(g, 1, 2)) { /* the halves in either order */
    region t = h[0];
    h[0] = h[1], h[1] = t;
  }
}

static int any_written(const uint8_t *w, region R) {
  for (unsigned e = R.lo; e < R.hi; e++)
    if (w[e]) return 1;
  return 0;
}

/* The instructions of tile t (half t % nbuf) appended to the three streams. */
static void gen_tile(gen *g, int t) {
  int h = t % (int)g->nbuf;
  unsigned ni = rr(g, 1, 3), nw = rr(g, 1, 3);
  while (ni + nw) {
    if (rr(g, 1, ni + nw) <= ni) ni--, gen_load(g, ISA_MEM_INP, g->inp[h]);
    else nw--, gen_load(g, ISA_MEM_WGT, g->wgt[h]);
  }
  if (!any_written(g->wr_acc, g->acc[h]) || chance(g, 1, 3)) {
    if (chance(g, 1, 2)) gen_load(g, chance(g, 1, 3) ? ISA_MEM_ACC8 : ISA_MEM_ACC, g->acc[h]);
    else if (!(g->o.flags & PROGEN_F_NO_GEMM)) gen_gemm(g, h, 1);
    else gen_load(g, ISA_MEM_ACC, g->acc[h]);
  }
  int no_gemm = (g->o.flags & PROGEN_F_NO_GEMM) != 0, no_alu = (g->o.flags & PROGEN_F_NO_ALU) != 0;
  if (g->wr_lut[0] && chance(g, 1, 4)) { /* rewrite part (or all) of the lookup table */
    if (chance(g, 1, 4)) gen_lut_whole(g);
    else gen_load(g, ISA_MEM_LUT, (region){0, ISA_LUT_DEPTH});
  }
  for (unsigned k = rr(g, 1, 4); k > 0; k--) {
    unsigned w = (unsigned)(rnd(g) % 100);
    if (w < 90 && no_gemm && no_alu) w = 90;
    else if (w < 48 && no_gemm) w = 48 + w % 42;
    else if (w >= 48 && w < 90 && no_alu) w %= 48;
    if (w < 40) gen_gemm(g, h, 0);
    else if (w < 48) gen_gemm(g, h, 1);
    else if (w < 90) gen_alu(g, h);
    else if (w < 95) gen_load(g, chance(g, 1, 2) ? ISA_MEM_ACC8 : ISA_MEM_ACC, g->acc[h]);
    else if (!(no_gemm && no_alu)) gen_empty(g);
    else gen_load(g, ISA_MEM_ACC8, g->acc[h]);
  }
  for (unsigned k = rr(g, 1, 2); k > 0; k--) gen_store(g, g->acc[h]);
}

/* Where each tile's instructions sit in each stream: [start, end). */
typedef struct tile_span {
  uint32_t start[ISA_UNIT_COUNT], end[ISA_UNIT_COUNT];
} tile_span;

/* Tokens of the pipeline: RAW load->compute and compute->store on every tile; WAR
 * compute->load and store->compute when tile t + nbuf reuses the half. */
static void set_tokens(gen *g, const tile_span *ts, int T) {
  int nb = (int)g->nbuf;
  for (int t = 0; t < T; t++) {
    isa_insn *L0 = &g->s[0].v[ts[t].start[0]], *L1 = &g->s[0].v[ts[t].end[0] - 1];
    isa_insn *C0 = &g->s[1].v[ts[t].start[1]], *C1 = &g->s[1].v[ts[t].end[1] - 1];
    isa_insn *S0 = &g->s[2].v[ts[t].start[2]], *S1 = &g->s[2].v[ts[t].end[2] - 1];
    if (t >= nb) L0->f[ISA_F_pop_next] = 1, C0->f[ISA_F_pop_next] = 1;
    L1->f[ISA_F_push_next] = 1;
    C0->f[ISA_F_pop_prev] = 1;
    C1->f[ISA_F_push_next] = 1;
    if (t + nb < T) C1->f[ISA_F_push_prev] = 1, S1->f[ISA_F_push_prev] = 1;
    S0->f[ISA_F_pop_prev] = 1;
  }
}

/* Queue popped / pushed by unit u for direction dir (0 prev, 1 next): L2C 0, C2L 1, C2S 2,
 * S2C 3; -1 none. */
static const int pop_q[ISA_UNIT_COUNT][2] = {{-1, 1}, {0, 3}, {2, -1}};
static const int push_q[ISA_UNIT_COUNT][2] = {{-1, 0}, {1, 2}, {3, -1}};

/* Merges the three streams into out in a random order in which the k-th pop of every queue
 * comes after its k-th push (so every instruction depends only on earlier ones). */
static int merge(gen *g, isa_insn *out, uint32_t *n_out) {
  uint32_t pos[ISA_UNIT_COUNT] = {0, 0, 0}, n = 0;
  uint64_t pushes[4] = {0, 0, 0, 0}, pops[4] = {0, 0, 0, 0};
  for (;;) {
    int ready[ISA_UNIT_COUNT], nr = 0, left = 0;
    for (int u = 0; u < ISA_UNIT_COUNT; u++) {
      if (pos[u] >= g->s[u].n) continue;
      left = 1;
      const isa_insn *in = &g->s[u].v[pos[u]];
      int ok = 1;
      for (int dir = 0; dir < 2; dir++) {
        int q = pop_q[u][dir];
        if (in->f[dir ? ISA_F_pop_next : ISA_F_pop_prev] && pushes[q] <= pops[q]) ok = 0;
      }
      if (ok) ready[nr++] = u;
    }
    if (!left) break;
    if (!nr) return -1; /* cannot happen: the token graph is acyclic */
    int u = ready[rnd(g) % (unsigned)nr];
    /* runs of one unit are more VTA-like: keep going with some probability */
    do {
      const isa_insn *in = &g->s[u].v[pos[u]];
      int ok = 1;
      for (int dir = 0; dir < 2; dir++) {
        int q = pop_q[u][dir];
        if (in->f[dir ? ISA_F_pop_next : ISA_F_pop_prev] && pushes[q] <= pops[q]) ok = 0;
      }
      if (!ok) break;
      for (int dir = 0; dir < 2; dir++) {
        if (in->f[dir ? ISA_F_pop_next : ISA_F_pop_prev]) pops[pop_q[u][dir]]++;
        if (in->f[dir ? ISA_F_push_next : ISA_F_push_prev]) pushes[push_q[u][dir]]++;
      }
      out[n++] = *in;
      pos[u]++;
    } while (pos[u] < g->s[u].n && chance(g, 3, 4));
  }
  *n_out = n;
  return 0;
}

int progen_make(const isa_config *cfg, uint64_t seed, const progen_opts *opts, isa_prog *out) {
  memset(out, 0, sizeof *out);
  gen G, *g = &G;
  memset(g, 0, sizeof *g);
  g->c = cfg;
  if (opts) g->o = *opts;
  else progen_opts_default(&g->o);
  const progen_opts *o = &g->o;
  if (o->max_insns < 8 || o->max_insns > PROGEN_MAX_INSNS || !o->max_loop || o->max_loop > 16383 || !o->max_uops || !o->max_rows ||
      !o->max_cols || o->max_rows > 65535 || o->max_cols > 65535 || o->region < 8)
    return -1;
  g->rs = seed * 0x2545f4914f6cdd1dull + 0x1234567ull;
  const isa_derived *d = &cfg->d;
  g->wr_inp = calloc(d->inp_depth, 1);
  g->wr_wgt = calloc(d->wgt_depth, 1);
  g->wr_acc = calloc(d->acc_depth, 1);
  tile_span *ts = NULL;
  isa_insn *all = NULL;
  int rc = -1;
  if (!g->wr_inp || !g->wr_wgt || !g->wr_acc) goto done;

  /* layout */
  g->nbuf = chance(g, 2, 3) && !(o->flags & PROGEN_F_ONE_BUFFER) ? 2 : 1;
  unsigned npar = umin(8, d->acc_depth / 8);
  place(g, g->inp, d->inp_depth, umin(o->region, d->inp_depth / 2), 0, NULL);
  place(g, g->wgt, d->wgt_depth, umin(o->region, d->wgt_depth / 2), 0, NULL);
  place(g, g->acc, d->acc_depth, umin(o->region, (d->acc_depth - npar) / 2), npar, &g->par);

  /* tiles until the instruction budget is used: one for FINISH, one for the parameters */
  gen_params(g);
  /* the lookup table, whole, if ALU LUT may run */
  if (!(o->flags & PROGEN_F_NO_ALU) && (!o->alu_ops || (o->alu_ops >> ISA_ALU_LUT & 1)))
    gen_lut_whole(g);
  uint32_t budget = o->max_insns - 1;
  int cap_t = 0, T = 0;
  for (;;) {
    if (T == cap_t) {
      cap_t = cap_t ? 2 * cap_t : 16;
      tile_span *p = realloc(ts, (size_t)cap_t * sizeof *ts);
      if (!p) goto done;
      ts = p;
    }
    for (int u = 0; u < ISA_UNIT_COUNT; u++) ts[T].start[u] = g->s[u].n;
    gen_tile(g, T);
    for (int u = 0; u < ISA_UNIT_COUNT; u++) ts[T].end[u] = g->s[u].n;
    if (g->oom) goto done;
    if (g->s[0].n + g->s[1].n + g->s[2].n > budget) { /* drop the tile that does not fit */
      for (int u = 0; u < ISA_UNIT_COUNT; u++) g->s[u].n = ts[T].start[u];
      break;
    }
    T++;
  }
  set_tokens(g, ts, T);
  /* FINISH: sometimes it waits for the last store with an extra store -> compute token */
  int fin_pop = T > 0 && chance(g, 1, 2);
  if (fin_pop) g->s[2].v[ts[T - 1].end[2] - 1].f[ISA_F_push_prev] = 1;

  uint32_t n_all = g->s[0].n + g->s[1].n + g->s[2].n + 1, n = 0;
  all = malloc(n_all * sizeof *all);
  out->insns = malloc(n_all * sizeof *out->insns);
  if (!all || !out->insns) goto done;
  if (merge(g, all, &n)) goto done;
  memset(&all[n], 0, sizeof all[n]);
  all[n].f[ISA_F_opcode] = ISA_OP_FINISH;
  all[n].f[ISA_F_pop_next] = (uint32_t)fin_pop;
  n++;
  for (uint32_t i = 0; i < n; i++) {
    int bad = -1;
    int e = isa_encode(cfg, &all[i], &out->insns[i], &bad);
    ALWAYS_ASSERT(e == ISA_OK); /* a generator bug if a field does not fit */
    isa_insn back;
    ALWAYS_ASSERT(isa_decode(cfg, &out->insns[i], &back) == ISA_OK);
  }
  out->cfg = cfg;
  out->n_insns = n;
  out->image = g->img;
  out->image_bytes = g->size;
  g->img = NULL;
  rc = 0;
done:
  if (rc) {
    free(out->insns);
    memset(out, 0, sizeof *out);
  }
  for (int u = 0; u < ISA_UNIT_COUNT; u++) free(g->s[u].v);
  free(g->img);
  free(g->wr_inp), free(g->wr_wgt), free(g->wr_acc);
  free(ts);
  free(all);
  return rc;
}

int progen_expect(const isa_prog *p, uint8_t *image_out, drv_counters *ctr, drv_error *err) {
  fsim *s = fsim_create(p->cfg);
  if (!s) return DRV_E_NOMEM;
  if (p->image_bytes) memcpy(image_out, p->image, p->image_bytes);
  int rc = fsim_run_prog(s, p, image_out, ctr, err);
  fsim_destroy(s);
  return rc;
}

int progen_diff(const isa_prog *p, const uint8_t *expect, const uint8_t *got, char *msg, size_t n) {
  uint64_t b = 0;
  while (b < p->image_bytes && expect[b] == got[b]) b++;
  if (b == p->image_bytes) {
    if (n) msg[0] = 0;
    return 0;
  }
  const isa_config *c = p->cfg;
  uint64_t eb = c->elem_bytes[ISA_MEM_OUT], e = b / eb;
  int64_t who = -1;
  uint64_t sram = 0;
  for (uint32_t i = 0; i < p->n_insns; i++) { /* the last STORE writing element e */
    isa_insn in;
    if (isa_decode(c, &p->insns[i], &in) != ISA_OK) continue;
    if (in.f[ISA_F_opcode] == ISA_OP_FINISH) break;
    if (in.f[ISA_F_opcode] != ISA_OP_STORE) continue;
    for (uint64_t r = 0; r < in.f[ISA_F_y_size]; r++) {
      uint64_t row = in.f[ISA_F_dram] + r * in.f[ISA_F_x_stride];
      if (e >= row && e < row + in.f[ISA_F_x_size])
        who = i, sram = in.f[ISA_F_sram] + r * in.f[ISA_F_x_size] + (e - row);
    }
  }
  if (who < 0) {
    snprintf(msg, n, "image byte %" PRIu64 " (no STORE writes it): expected %d got %d", b, expect[b], got[b]);
    return 1;
  }
  char dis[512];
  isa_disasm(c, &p->insns[who], dis, sizeof dis);
  snprintf(msg, n,
           "image byte %" PRIu64 ": insn %" PRId64 " (%s) out[%" PRIu64 "] lane %" PRIu64
           ": expected %d got %d",
           b, who, dis, sram, b % eb, (int8_t)expect[b], (int8_t)got[b]);
  return 1;
}
