/* tests/test_fsim.c -- fsim's instruction semantics against the independent reference of
 * tests/test_fsim_ref.h, on the tiny and pynq configs: LOAD of every memory with random shapes,
 * strides and padding, STORE, GEMM (reset, loops, factors, micro-op ranges, sequential
 * accumulation, bias), every ALU op in both operand modes and with the source in the input
 * buffer (src_inp), with extreme values, edge sizes, and the output buffer mirroring the
 * accumulator.
 */
#include "test_fsim_ref.h"

static const isa_config *cfg;

static unsigned depth_of(int m) {
  const isa_derived *d = &cfg->d;
  switch (m) {
  case ISA_MEM_UOP: return d->uop_depth;
  case ISA_MEM_WGT: return d->wgt_depth;
  case ISA_MEM_INP: return d->inp_depth;
  default: return d->acc_depth;
  }
}

/* A random LOAD of memory m into [lo, hi) of its buffer (whole block inside). */
static void rand_load(tprog *p, int m, unsigned lo, unsigned hi, int tok) {
  for (;;) {
    int big = rnd() % 8 == 0;
    int yp0 = (int)rr(0, big ? 15 : 2), yp1 = (int)rr(0, big ? 15 : 2);
    int xp0 = (int)rr(0, big ? 15 : 3), xp1 = (int)rr(0, big ? 15 : 3);
    if (rnd() % 3 == 0) yp0 = yp1 = xp0 = xp1 = 0;
    int ys = (int)rr(0, 5), xs = (int)rr(0, 8);
    if (rnd() % 10 == 0) ys = 0;
    uint64_t rows = (uint64_t)yp0 + ys + yp1, cols = (uint64_t)xp0 + xs + xp1;
    if (rows * cols == 0 || rows * cols > hi - lo) continue;
    unsigned sram = (unsigned)rr(lo, hi - rows * cols);
    if (rnd() % 4 == 0) sram = hi - (unsigned)(rows * cols); /* block ends exactly at hi */
    int stride = (int)rr(0, (uint64_t)xs + 3);
    uint32_t dram = 0;
    if (ys && xs) dram = tp_random(p, m, (uint64_t)(ys - 1) * stride + xs);
    if (m == ISA_MEM_UOP && ys && xs) {
      /* keep micro-op words' index fields meaningful: random words are fine (any bits decode) */
    }
    tp_load(p, m, sram, dram, ys, xs, stride, yp0, yp1, xp0, xp1, m == ISA_MEM_WGT ? 0 : (int)rr(0, 255) - 128, tok);
    return;
  }
}

/* A random STORE of OUT[lo, hi) into a fresh zeroed DRAM area. */
static void rand_store(tprog *p, unsigned lo, unsigned hi, int tok) {
  for (;;) {
    int ys = (int)rr(0, 4), xs = (int)rr(0, 6);
    uint64_t n = (uint64_t)ys * xs;
    if (n > hi - lo) continue;
    unsigned sram = (unsigned)rr(lo, hi - n);
    int stride = (int)rr(0, (uint64_t)xs + 2);
    uint32_t dram = 0;
    if (ys && xs) dram = tp_alloc(p, ISA_MEM_OUT, (uint64_t)(ys - 1) * stride + xs);
    tp_store(p, sram, dram, ys, xs, stride, tok);
    return;
  }
}

static void test_load_store(int trials) {
  static const int mems[] = {ISA_MEM_UOP, ISA_MEM_WGT, ISA_MEM_INP, ISA_MEM_ACC, ISA_MEM_ACC8};
  for (int t = 0; t < trials; t++) {
    tprog p;
    tp_init(&p, cfg, 1 << 20);
    int n = (int)rr(1, 8);
    for (int k = 0; k < n; k++) {
      int m = mems[rnd() % 5];
      unsigned d = depth_of(m), w = d < 96 ? d : 96;
      unsigned lo = rnd() % 4 == 0 ? d - w : 0; /* sometimes the top of the buffer */
      rand_load(&p, m, lo, lo + w, 0);
    }
    for (int k = (int)rr(0, 3); k > 0; k--) rand_store(&p, 0, depth_of(ISA_MEM_ACC) < 96 ? depth_of(ISA_MEM_ACC) : 96, 0);
    tp_finish(&p, 0);
    char tag[64];
    snprintf(tag, sizeof tag, "%s load/store trial %d", cfg->d.name, t);
    drv_counters c;
    tp_check(&p, tag, &c, NULL, NULL);
    free(p.img);
  }
}

/* Window of each buffer that the GEMM/ALU tests fill with data and address. */
static unsigned win(int m) {
  unsigned d = depth_of(m);
  return d < 64 ? d : 64;
}

/* Fill the windows of INP, WGT, ACC (ACC from int32 or int8 data) with random data. */
static void fill_windows(tprog *p, int acc_extreme) {
  tp_load(p, ISA_MEM_INP, 0, tp_random(p, ISA_MEM_INP, win(ISA_MEM_INP)), 1, (int)win(ISA_MEM_INP), 0, 0, 0, 0, 0, 0, 0);
  tp_load(p, ISA_MEM_WGT, 0, tp_random(p, ISA_MEM_WGT, win(ISA_MEM_WGT)), 1, (int)win(ISA_MEM_WGT), 0, 0, 0, 0, 0, 0, 0);
  int m = rnd() % 3 == 0 ? ISA_MEM_ACC8 : ISA_MEM_ACC;
  uint32_t a = tp_random(p, m, win(ISA_MEM_ACC));
  if (m == ISA_MEM_ACC && acc_extreme) {
    static const uint32_t ext[] = {0x80000000u, 0x7fffffffu, 0, 0xffffffffu, 1, 0x8000u, 0xffff8000u, 0x7fff};
    uint64_t lanes = (uint64_t)win(ISA_MEM_ACC) * cfg->d.batch * cfg->d.block_out;
    for (uint64_t l = 0; l < lanes; l++)
      if (rnd() % 3 == 0) {
        uint32_t v = ext[rnd() % 8];
        memcpy(p->img + (uint64_t)a * cfg->elem_bytes[ISA_MEM_ACC] + 4 * l, &v, 4);
      }
  }
  tp_load(p, m, 0, a, 1, (int)win(ISA_MEM_ACC), 0, 0, 0, 0, 0, 0, 0);
}

/* Random loop nest for windows wa (acc), wb (second operand), wc (third, or 0): extents,
 * factors, and micro-ops all in range. Writes the uops into the image and loads them at a
 * random position; returns the nest through the out parameters. */
typedef struct rnest {
  int ub, ue, lo, li, fo[3], fi[3];
} rnest;

static void rand_nest(tprog *p, const unsigned *w, int nk, rnest *n) {
  n->lo = (int)rr(0, 4);
  n->li = (int)rr(0, 4);
  if (rnd() % 6 == 0) n->lo = (int)rr(5, 12);
  int nu = (int)rr(0, 5);
  uint32_t base[3][8];
  for (int k = 0; k < 3; k++) n->fo[k] = n->fi[k] = 0;
  int alias = nk == 2 && w[0] == w[1] && rnd() % 3 == 0; /* ALU with s == d in every iteration */
  for (int k = 0; k < nk; k++) {
    if (k == 1 && alias) {
      n->fo[1] = n->fo[0], n->fi[1] = n->fi[0];
      for (int u = 0; u < nu; u++) base[1][u] = base[0][u];
      continue;
    }
    unsigned budget = w[k] - 1;
    int lo1 = n->lo > 1 ? n->lo - 1 : 0, li1 = n->li > 1 ? n->li - 1 : 0;
    if (rnd() % 2) {
      n->fi[k] = li1 ? (int)rr(0, budget / li1 / 2) : (int)rr(0, 3);
      budget -= (unsigned)(li1 * n->fi[k]);
      n->fo[k] = lo1 ? (int)rr(0, budget / lo1) : (int)rr(0, 3);
      budget -= (unsigned)(lo1 * n->fo[k]);
    } else {
      n->fo[k] = lo1 ? (int)rr(0, budget / lo1 / 2) : (int)rr(0, 3);
      budget -= (unsigned)(lo1 * n->fo[k]);
      n->fi[k] = li1 ? (int)rr(0, budget / li1) : (int)rr(0, 3);
      budget -= (unsigned)(li1 * n->fi[k]);
    }
    for (int u = 0; u < nu; u++) base[k][u] = (uint32_t)rr(0, budget);
  }
  uint32_t uops[8];
  for (int u = 0; u < nu; u++) {
    uint32_t src = nk > 1 ? base[1][u] : (uint32_t)rnd() % (1u << cfg->fwidth[ISA_F_u_src]);
    uint32_t wg = nk > 2 ? base[2][u] : (uint32_t)rnd() % (1u << cfg->fwidth[ISA_F_u_wgt]);
    uops[u] = isa_uop(cfg, base[0][u], src, wg);
  }
  unsigned ud = cfg->d.uop_depth;
  n->ub = (int)rr(0, ud - 8);
  if (nu && rnd() % 5 == 0) n->ub = (int)(ud - (unsigned)nu); /* range ends exactly at the depth */
  n->ue = n->ub + nu;
  if (rnd() % 10 == 0) n->ue = n->ub - (n->ub > 0); /* empty range (end <= begin) */
  if (nu) tp_load(p, ISA_MEM_UOP, (uint32_t)n->ub, tp_uops(p, uops, (unsigned)nu), 1, nu, nu, 0, 0, 0, 0, 0, 0);
}

static void test_gemm(int trials) {
  for (int t = 0; t < trials; t++) {
    tprog p;
    tp_init(&p, cfg, 1 << 20);
    fill_windows(&p, 0);
    for (int k = (int)rr(1, 4); k > 0; k--) {
      unsigned w[3] = {win(ISA_MEM_ACC), win(ISA_MEM_INP), win(ISA_MEM_WGT)};
      rnest n;
      rand_nest(&p, w, 3, &n);
      tp_gemm(&p, rnd() % 5 == 0, n.ub, n.ue, n.lo, n.li, n.fo[0], n.fi[0], n.fo[1], n.fi[1], n.fo[2], n.fi[2], 0);
    }
    rand_store(&p, 0, win(ISA_MEM_ACC), 0);
    tp_finish(&p, 0);
    char tag[64];
    snprintf(tag, sizeof tag, "%s gemm trial %d", cfg->d.name, t);
    drv_counters c;
    fsim *s = NULL;
    tp_check(&p, tag, &c, NULL, &s);
    fsim_destroy(s);
    free(p.img);
  }
}

/* Immediate for an op: random, extreme, or shaped for the op. */
static int rand_imm(int op) {
  int k = (int)(rnd() % 4);
  if (k == 0) return (int)rr(0, 65535) - 32768;
  if (k == 1) return rnd() % 2 ? -32768 : 32767;
  switch (op) {
  case ISA_ALU_SHR: return (int)rr(0, 80) - 40;
  case ISA_ALU_CLIP:
  case ISA_ALU_REQ: {
    int lo = (int)rr(0, 255) - 128, hi = (int)rr(0, 255) - 128;
    if (rnd() % 2) lo = -128, hi = 127;
    return (int16_t)(uint16_t)((hi & 0xff) << 8 | (lo & 0xff));
  }
  default: return (int)rr(0, 200) - 100;
  }
}

static void test_alu(int per_op) {
  for (int op = 0; op < ISA_ALU_COUNT; op++)
    for (int ui = 0; ui < 2; ui++)
      for (int t = 0; t < per_op; t++) {
        tprog p;
        tp_init(&p, cfg, 1 << 20);
        fill_windows(&p, 1);
        unsigned W = win(ISA_MEM_ACC);
        if (op == ISA_ALU_REQ && rnd() % 2) {
          /* realistic parameters in the top quarter: multiplier in [2^22, 2^23), shift 16..32 */
          uint64_t lanes = (uint64_t)(W / 4) * cfg->d.batch * cfg->d.block_out;
          uint32_t a = tp_alloc(&p, ISA_MEM_ACC, W / 4);
          for (uint64_t l = 0; l < lanes; l++) {
            uint32_t c = isa_req_word((int32_t)rr(1u << 22, (1u << 23) - 1), rr(16, 32));
            if (rnd() % 4 == 0) c = isa_req_word((int32_t)rnd(), rr(0, 63)) | (uint32_t)rnd() << ISA_REQ_USED_BITS;
            memcpy(p.img + (uint64_t)a * cfg->elem_bytes[ISA_MEM_ACC] + 4 * l, &c, 4);
          }
          tp_load(&p, ISA_MEM_ACC, W - W / 4, a, 1, (int)(W / 4), 0, 0, 0, 0, 0, 0, 0);
        }
        for (int k = (int)rr(1, 3); k > 0; k--) {
          unsigned w[2] = {W, W};
          rnest n;
          rand_nest(&p, w, 2, &n);
          tp_alu(&p, op, ui, rand_imm(op), n.ub, n.ue, n.lo, n.li, n.fo[0], n.fi[0], n.fo[1], n.fi[1], 0);
        }
        rand_store(&p, 0, W, 0);
        tp_finish(&p, 0);
        char tag[64];
        snprintf(tag, sizeof tag, "%s alu %s use_imm=%d trial %d", cfg->d.name, isa_alu_name(op), ui, t);
        fsim *s = NULL;
        tp_check(&p, tag, NULL, NULL, &s);
        /* the output buffer mirrors the accumulator everywhere */
        long bad = 0;
        for (uint32_t e = 0; e < cfg->d.acc_depth; e++)
          for (unsigned l = 0; l < cfg->d.batch * cfg->d.block_out; l++) {
            int32_t a;
            memcpy(&a, fsim_sram(s, ISA_MEM_ACC, e) + 4 * l, 4);
            bad += (int8_t)fsim_sram(s, ISA_MEM_OUT, e)[l] != (int8_t)(a & 0xff);
          }
        CHECK(bad == 0, "%s: out differs from low bytes of acc in %ld lanes", tag, bad);
        fsim_destroy(s);
        free(p.img);
      }
}

/* GEMMs with bias: each micro-op u starts from acc[wgt_in + u - uop_begin] (a random run inside
 * the accumulator window, overlapping the written elements or not) instead of acc[a]. */
static void test_gemm_bias(int trials) {
  for (int t = 0; t < trials; t++) {
    tprog p;
    tp_init(&p, cfg, 1 << 20);
    fill_windows(&p, 0);
    for (int k = (int)rr(1, 4); k > 0; k--) {
      unsigned w[3] = {win(ISA_MEM_ACC), win(ISA_MEM_INP), win(ISA_MEM_WGT)};
      rnest n;
      rand_nest(&p, w, 3, &n);
      unsigned nu = n.ue > n.ub ? (unsigned)(n.ue - n.ub) : 0, bmax = (1u << cfg->fwidth[ISA_F_wgt_in]) - 1;
      unsigned top = win(ISA_MEM_ACC) - (nu ? nu : 1);
      int b0 = (int)rr(0, top < bmax ? top : bmax);
      int fv[] = {ISA_F_bias, 1, ISA_F_uop_begin, n.ub, ISA_F_uop_end, n.ue, ISA_F_loop_out, n.lo,
                  ISA_F_loop_in, n.li, ISA_F_acc_out, n.fo[0], ISA_F_acc_in, n.fi[0], ISA_F_inp_out, n.fo[1],
                  ISA_F_inp_in, n.fi[1], ISA_F_wgt_out, n.fo[2], ISA_F_wgt_in, b0, -1};
      tp_emit(&p, tp_word(cfg, ISA_OP_GEMM, 0, fv));
    }
    rand_store(&p, 0, win(ISA_MEM_ACC), 0);
    tp_finish(&p, 0);
    char tag[64];
    snprintf(tag, sizeof tag, "%s gemm bias trial %d", cfg->d.name, t);
    fsim *s = NULL;
    tp_check(&p, tag, NULL, NULL, &s);
    fsim_destroy(s);
    free(p.img);
  }
}

/* ALU ops whose source is the input buffer (src_inp): every op, sources over the input window. */
static void test_alu_src_inp(int per_op) {
  for (int op = 0; op < ISA_ALU_COUNT; op++)
    for (int t = 0; t < per_op; t++) {
      tprog p;
      tp_init(&p, cfg, 1 << 20);
      fill_windows(&p, 1);
      for (int k = (int)rr(1, 3); k > 0; k--) {
        unsigned w[2] = {win(ISA_MEM_ACC), win(ISA_MEM_INP)};
        rnest n;
        rand_nest(&p, w, 2, &n);
        int fv[] = {ISA_F_alu_op, op, ISA_F_src_inp, 1, ISA_F_imm, rand_imm(op) & 0xffff,
                    ISA_F_uop_begin, n.ub, ISA_F_uop_end, n.ue, ISA_F_loop_out, n.lo, ISA_F_loop_in, n.li,
                    ISA_F_dst_out, n.fo[0], ISA_F_dst_in, n.fi[0], ISA_F_src_out, n.fo[1], ISA_F_src_in, n.fi[1], -1};
        tp_emit(&p, tp_word(cfg, ISA_OP_ALU, 0, fv));
      }
      rand_store(&p, 0, win(ISA_MEM_ACC), 0);
      tp_finish(&p, 0);
      char tag[64];
      snprintf(tag, sizeof tag, "%s alu %s src_inp trial %d", cfg->d.name, isa_alu_name(op), t);
      fsim *s = NULL;
      tp_check(&p, tag, NULL, NULL, &s);
      fsim_destroy(s);
      free(p.img);
    }
}

/* Directed ALU lanes: known inputs and outputs from ISA.md's table. */
/* REQ's parameter word c of multiplier m and shift sh (isa.def DLVTA_REQ_FIELD), as a constant */
#define REQC(m, sh) \
  ((int32_t)(((uint32_t)(m) & ((1u << ISA_REQ_M_WIDTH) - 1u)) << ISA_REQ_M_POS | (uint32_t)(sh) << ISA_REQ_SHIFT_POS))

static void test_alu_directed(void) {
  static const struct {
    int op, use_imm;
    int32_t a, b, want; /* b: acc[s] lane (REQ: c) or imm */
    int imm;
  } cases[] = {
      {ISA_ALU_SHR, 1, 5, 0, 3, 1},            /* (5 + 1) >> 1 */
      {ISA_ALU_SHR, 1, -5, 0, -2, 1},          /* (-5 + 1) >> 1 = -2: half up */
      {ISA_ALU_SHR, 1, -6, 0, -1, 2},          /* (-6 + 2) >> 2 = -1 */
      {ISA_ALU_SHR, 1, 3, 0, 24, -3},          /* 3 << 3 */
      {ISA_ALU_SHR, 1, 3, 0, 3, 64},           /* b[5:0] = 0 */
      {ISA_ALU_SHR, 1, 0x40000000, 0, (int32_t)0x80000000, -1},
      {ISA_ALU_SHR, 0, 7, 0x7fffffe0, 0, 0},   /* b[5:0] = -32: 7 << 32, low 32 bits 0 */
      {ISA_ALU_SHR, 0, INT32_MAX, 31, 1, 0},   /* (2^31-1 + 2^30) >> 31 in 64 bits = 1 */
      {ISA_ALU_MUL, 1, 100000, 0, 100000 * -3, -3},
      {ISA_ALU_MUL, 0, 3, 0x12348000, -98304, 0}, /* b[15:0] = -32768 */
      {ISA_ALU_CLIP, 1, 300, 0, 127, 0x7f80},
      {ISA_ALU_CLIP, 1, -300, 0, -128, 0x7f80},
      {ISA_ALU_CLIP, 1, 5, 0, -1, (int16_t)0xff10}, /* lo 16 > hi -1: hi wins */
      {ISA_ALU_ADD, 1, INT32_MAX, 0, INT32_MIN, 1},
      {ISA_ALU_MIN, 1, 3, 0, -7, -7},
      {ISA_ALU_MAX, 1, 3, 0, 3, -7},
      {ISA_ALU_MOV, 1, 3, 0, -32768, -32768},
      {ISA_ALU_REQ, 1, 1000, REQC(16384, 8), 127, 0x7f80},     /* 1000*16384/256 = 64000 -> 127 */
      {ISA_ALU_REQ, 1, 10, REQC(16384, 8), 127, 0x7f80},       /* 640 clipped */
      {ISA_ALU_REQ, 0, 10, REQC(16384, 8), 640, 0},
      {ISA_ALU_REQ, 0, -3, REQC(1, 1), -1, 0},                 /* (-3 + 1) >> 1 = -1 */
      {ISA_ALU_REQ, 0, INT32_MAX, REQC(32767, 0), INT32_MAX, 0},  /* saturates */
      {ISA_ALU_REQ, 0, INT32_MIN, REQC(32767, 0), INT32_MIN, 0},
      {ISA_ALU_REQ, 1, -100, REQC(-1, 2), 25, (int16_t)0x7f00}, /* -100*-1=100 >>2 = 25, lo 0 */
      /* the 24-bit multiplier: its low bits count, its sign is bit 23, bits above the shift ignored */
      {ISA_ALU_REQ, 0, 1 << 21, REQC((1 << 22) + 1, 22), (1 << 21) + 1, 0}, /* (2^43 + 2^22) >> 22 */
      {ISA_ALU_REQ, 0, 1 << 21, (int32_t)(0xc0000000u | (uint32_t)REQC((1 << 22) + 1, 22)), (1 << 21) + 1, 0},
      {ISA_ALU_REQ, 0, 1000, REQC((1 << 23) - 1, 23), 1000, 0}, /* 1000 * (1 - 2^-23), rounded */
      {ISA_ALU_REQ, 0, 1000, REQC(-(1 << 23), 23), -1000, 0},   /* m = -2^23 */
      {ISA_ALU_REQ, 0, -1000, REQC(-(1 << 23), 20), 8000, 0},
      {ISA_ALU_REQ, 0, INT32_MIN, REQC(-(1 << 23), 23), INT32_MAX, 0}, /* 2^54 >> 23 = 2^31 saturates */
      {ISA_ALU_REQ, 0, INT32_MIN, REQC(-(1 << 23), 24), 1 << 30, 0},
      {ISA_ALU_REQ, 0, INT32_MIN, REQC(-(1 << 23), 55), 1, 0},   /* (2^54 + 2^54) >> 55 */
      {ISA_ALU_REQ, 0, INT32_MIN, REQC(-(1 << 23), 63), 0, 0},
      {ISA_ALU_REQ, 0, INT32_MAX, REQC(-(1 << 23), 54), -1, 0},  /* (-2^54 + 2^23 + 2^53) >> 54 */
      {ISA_ALU_REQ, 0, INT32_MAX, REQC(-(1 << 23), 55), 0, 0},   /* (-2^54 + 2^23 + 2^54) >> 55 */
      {ISA_ALU_REQ, 1, 3000, REQC((1 << 23) - 1, 40), 0, 0x7f80}, /* tiny scale: 0 */
  };
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    tprog p;
    tp_init(&p, cfg, 1 << 16);
    unsigned L = cfg->d.batch * cfg->d.block_out;
    uint32_t a = tp_alloc(&p, ISA_MEM_ACC, 2);
    for (unsigned l = 0; l < L; l++) {
      int32_t av = cases[k].a, bv = cases[k].b;
      memcpy(p.img + (uint64_t)a * cfg->elem_bytes[ISA_MEM_ACC] + 4 * l, &av, 4);
      memcpy(p.img + ((uint64_t)a + 1) * cfg->elem_bytes[ISA_MEM_ACC] + 4 * l, &bv, 4);
    }
    tp_load(&p, ISA_MEM_ACC, 0, a, 1, 2, 2, 0, 0, 0, 0, 0, 0);
    uint32_t u = isa_uop(cfg, 0, 1, 0);
    tp_load(&p, ISA_MEM_UOP, 0, tp_uops(&p, &u, 1), 1, 1, 1, 0, 0, 0, 0, 0, 0);
    int imm = cases[k].imm;
    tp_alu(&p, cases[k].op, cases[k].use_imm, imm, 0, 1, 1, 1, 0, 0, 0, 0, 0);
    tp_finish(&p, 0);
    isa_prog prog = {cfg, p.w, p.n, p.img, p.size};
    fsim *s = fsim_create(cfg);
    drv_error err;
    int rc = fsim_run_prog(s, &prog, p.img, NULL, &err);
    int32_t want = cases[k].want;
    int32_t got;
    memcpy(&got, fsim_sram(s, ISA_MEM_ACC, 0), 4);
    CHECK(rc == DRV_OK && got == want, "%s: directed ALU case %zu (%s a=%d b=%d imm=%d): expected %d got %d (rc %d)",
          cfg->d.name, k, isa_alu_name(cases[k].op), cases[k].a, cases[k].b, imm, want, got, rc);
    /* the reference agrees on the same case */
    int32_t rv = ref_alu(cases[k].op, cases[k].use_imm, cases[k].a,
                         cases[k].use_imm ? (int32_t)ref_sext((uint32_t)imm, 16) : cases[k].b, cases[k].b,
                         (int32_t)ref_sext((uint32_t)imm, 16));
    CHECK(rv == want, "%s: reference directed ALU case %zu: expected %d got %d", cfg->d.name, k, want, rv);
    fsim_destroy(s);
    free(p.img);
  }
}

/* Directed LUT lookups: the table entry k = 3k - 100 (wrapping to int8) in lane l plus l, read
 * at clamp(a, -128, 127) + 128 for codes inside the range, at its ends and far outside it. */
static void test_lut_directed(void) {
  static const int32_t as[] = {-128, -127, -1, 0, 1, 126, 127, 128, -129, 1000, -1000,
                               INT32_MAX, INT32_MIN, 0x100, -0x100, 0x7f00};
  const unsigned L = cfg->d.batch * cfg->d.block_out, n = sizeof as / sizeof as[0];
  tprog p;
  tp_init(&p, cfg, 1 << 16);
  uint32_t t = tp_alloc(&p, ISA_MEM_LUT, ISA_LUT_DEPTH), a = tp_alloc(&p, ISA_MEM_ACC, n);
  for (unsigned k = 0; k < ISA_LUT_DEPTH; k++)
    for (unsigned l = 0; l < L; l++) p.img[((uint64_t)t + k) * L + l] = (uint8_t)(3 * k - 100 + l);
  for (unsigned e = 0; e < n; e++)
    for (unsigned l = 0; l < L; l++) memcpy(p.img + ((uint64_t)a + e) * cfg->elem_bytes[ISA_MEM_ACC] + 4 * l, &as[e], 4);
  tp_load(&p, ISA_MEM_LUT, 0, t, 1, ISA_LUT_DEPTH, ISA_LUT_DEPTH, 0, 0, 0, 0, 0, 0);
  tp_load(&p, ISA_MEM_ACC, 0, a, 1, n, n, 0, 0, 0, 0, 0, 0);
  uint32_t u = isa_uop(cfg, 0, 0, 0);
  tp_load(&p, ISA_MEM_UOP, 0, tp_uops(&p, &u, 1), 1, 1, 1, 0, 0, 0, 0, 0, 0);
  tp_alu(&p, ISA_ALU_LUT, 1, 0, 0, 1, 1, (int)n, 0, 1, 0, 0, 0);
  tp_finish(&p, 0);
  isa_prog prog = {cfg, p.w, p.n, p.img, p.size};
  fsim *s = fsim_create(cfg);
  drv_error err;
  int rc = fsim_run_prog(s, &prog, p.img, NULL, &err);
  CHECK(rc == DRV_OK, "%s: LUT program: %s", cfg->d.name, err.message);
  for (unsigned e = 0; rc == DRV_OK && e < n; e++)
    for (unsigned l = 0; l < L; l++) {
      int32_t c = as[e] < -128 ? -128 : as[e] > 127 ? 127 : as[e], got, want = (int8_t)(uint8_t)(3 * (c + 128) - 100 + (int)l);
      memcpy(&got, fsim_sram(s, ISA_MEM_ACC, e) + 4 * l, 4);
      int8_t o = (int8_t)fsim_sram(s, ISA_MEM_OUT, e)[l];
      CHECK(got == want && o == want, "%s: LUT of %d lane %u: expected %d got %d (out %d)", cfg->d.name, as[e], l, want,
            got, o);
    }
  fsim_destroy(s);
  free(p.img);
}

/* Edge cases: pad-only loads, stride 0, reset GEMM whose x/w would be out of range, ALU with
 * imm whose s would be out of range, loops of extent 0, uop range ending at the depth. */
static void test_edges(void) {
  const isa_derived *d = &cfg->d;
  tprog p;
  tp_init(&p, cfg, 1 << 20);
  tp_load(&p, ISA_MEM_INP, 0, 0, 0, 0, 0, 2, 1, 1, 2, -7, 0);            /* y_size 0: 3 x 3 pads */
  tp_load(&p, ISA_MEM_ACC8, 10, tp_random(&p, ISA_MEM_ACC8, 3), 4, 3, 0, 0, 0, 1, 0, 5, 0); /* stride 0 */
  tp_load(&p, ISA_MEM_WGT, d->wgt_depth - 12, 0, 2, 0, 3, 1, 1, 2, 1, 0, 0);   /* x_size 0: pads only (zeros) */
  tp_load(&p, ISA_MEM_ACC, d->acc_depth - 2, tp_random(&p, ISA_MEM_ACC, 2), 1, 2, 2, 0, 0, 0, 0, 0, 0);
  uint32_t uops[2] = {isa_uop(cfg, 1, 0, 0), isa_uop(cfg, d->acc_depth - 1, d->acc_depth - 1, 0)};
  tp_load(&p, ISA_MEM_UOP, d->uop_depth - 2, tp_uops(&p, uops, 2), 1, 2, 2, 0, 0, 0, 0, 0, 0);
  /* reset with huge inp/wgt factors: x and w unused and unchecked */
  tp_gemm(&p, 1, (int)d->uop_depth - 2, (int)d->uop_depth - 1, 1, 2, 0, 3, (int)d->inp_depth - 1,
          (int)d->inp_depth - 1, (int)d->wgt_depth - 1, (int)d->wgt_depth - 1, 0);
  /* imm ALU with s out of range: unused */
  tp_alu(&p, ISA_ALU_ADD, 1, 9, (int)d->uop_depth - 1, (int)d->uop_depth, 1, 2, 0, 0, 0, (int)d->acc_depth - 1, 0);
  /* extent 0 loops and empty ranges do nothing, whatever the factors */
  int f = (int)d->wgt_depth - 1; /* fits every factor field, large enough to leave any buffer */
  tp_gemm(&p, 0, 0, 5, 0, 7, f, f, f, f, f, f, 0);
  tp_alu(&p, ISA_ALU_MOV, 0, 0, 0, 0, 3, 3, f, f, f, f, 0);
  tp_alu(&p, ISA_ALU_MOV, 0, 0, 5, 3, 3, 3, f, f, f, f, 0);
  tp_store(&p, d->acc_depth - 6, tp_alloc(&p, ISA_MEM_OUT, 6), 2, 3, 3, 0);
  tp_store(&p, 0, 0, 0, 5, 5, 0); /* y_size 0 moves nothing */
  tp_finish(&p, 0);
  char tag[64];
  snprintf(tag, sizeof tag, "%s edges", d->name);
  tp_check(&p, tag, NULL, NULL, NULL);
  free(p.img);
}

/* Buffers persist across runs and fsim_sram writes are seen by the next run (the weights too,
 * which fsim also keeps widened for speed). */
static void test_sram_poke(void) {
  const isa_derived *d = &cfg->d;
  fsim *s = fsim_create(cfg);
  unsigned bi = d->block_in, bo = d->block_out, nb = d->batch;
  uint32_t w = d->wgt_depth - 1, x = d->inp_depth - 1;
  for (int round = 0; round < 2; round++) {
    int8_t *wp = (int8_t *)fsim_sram(s, ISA_MEM_WGT, w), *xp = (int8_t *)fsim_sram(s, ISA_MEM_INP, x);
    for (unsigned l = 0; l < bo * bi; l++) wp[l] = (int8_t)rnd();
    for (unsigned l = 0; l < nb * bi; l++) xp[l] = (int8_t)rnd();
    int32_t *ap = (int32_t *)fsim_sram(s, ISA_MEM_ACC, 3);
    int32_t before[1024];
    memcpy(before, ap, 4 * nb * bo);
    tprog p;
    tp_init(&p, cfg, 1 << 16);
    uint32_t u = isa_uop(cfg, 3, x, w);
    tp_load(&p, ISA_MEM_UOP, 5, tp_uops(&p, &u, 1), 1, 1, 1, 0, 0, 0, 0, 0, 0);
    tp_gemm(&p, 0, 5, 6, 1, 1, 0, 0, 0, 0, 0, 0, 0);
    tp_finish(&p, 0);
    isa_prog prog = {cfg, p.w, p.n, p.img, p.size};
    drv_error e;
    int rc = fsim_run_prog(s, &prog, p.img, NULL, &e);
    CHECK(rc == DRV_OK, "%s poke: %s", d->name, e.message);
    long bad = 0;
    for (unsigned b = 0; b < nb; b++)
      for (unsigned j = 0; j < bo; j++) {
        int64_t v = before[b * bo + j];
        for (unsigned k = 0; k < bi; k++) v += (int64_t)xp[b * bi + k] * wp[j * bi + k];
        bad += ap[b * bo + j] != ref_wrap32(v);
      }
    CHECK(bad == 0, "%s round %d: GEMM on weights written through fsim_sram: %ld lanes wrong", d->name, round, bad);
    free(p.img);
  }
  fsim_destroy(s);
}

int main(void) {
  const char *names[] = {"tiny", "pynq"};
  for (int c = 0; c < 2; c++) {
    cfg = isa_config_find(names[c]);
    r_state = 12345 + (uint64_t)c;
    int big = c == 1;
    test_load_store(big ? 100 : 400);
    test_gemm(big ? 100 : 400);
    test_alu(big ? 15 : 50);
    test_gemm_bias(big ? 50 : 200);
    test_alu_src_inp(big ? 10 : 30);
    test_alu_directed();
    test_lut_directed();
    test_edges();
    test_sram_poke();
  }
  return TEST_END();
}
