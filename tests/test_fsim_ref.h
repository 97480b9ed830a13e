/* tests/test_fsim_ref.h -- for fsim's tests: an independent plain-C reference of the instruction
 * semantics, written straight from the pseudo-code of isa/ISA.md (one element and one lane at a
 * time, program order, no tokens), plus helpers to build instructions and program images.
 * Shares no code with sim/fsim/ (only libisa's decode). Header-only: everything is static.
 */
#ifndef DLVTA_TEST_FSIM_REF_H
#define DLVTA_TEST_FSIM_REF_H

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsim.h"
#include "isa.h"
#include "testutil.h"

/* not every test uses every helper */
#define GEMM_REF_WIN 64 /* DWGEMM's window history: more than any config's BLOCK_IN / 2 */
#define TREF static __attribute__((unused))

/* ---- random numbers (splitmix64) ---------------------------------------------------------- */
static uint64_t r_state = 1;
TREF uint64_t rnd(void) {
  return tu_splitmix64(&r_state);
}
/* uniform in [lo, hi] (hi >= lo) */
TREF uint64_t rr(uint64_t lo, uint64_t hi) { return lo + rnd() % (hi - lo + 1); }

/* ---- the reference machine ---------------------------------------------------------------- */
typedef struct ref {
  const isa_config *c;
  unsigned nb, bi, bo;
  uint32_t *uop; /* [uop_depth] */
  int8_t *inp;   /* [inp_depth][nb][bi] */
  int8_t *wgt;   /* [wgt_depth][bo][bi] */
  int32_t *acc;  /* [acc_depth][nb][bo] */
  int8_t *out;   /* [acc_depth][nb][bo] */
  int8_t *lut;   /* [ISA_LUT_DEPTH][nb][bo]: the ALU's lookup tables */
  uint64_t macs; /* non-reset GEMM iterations x nb x bi x bo */
  uint64_t alu_iters, gemm_iters, rd_bytes, wr_bytes;
} ref;

TREF ref *ref_new(const isa_config *c) {
  ref *r = calloc(1, sizeof *r);
  r->c = c;
  r->nb = c->d.batch, r->bi = c->d.block_in, r->bo = c->d.block_out;
  r->uop = calloc(c->d.uop_depth, 4);
  r->inp = calloc((size_t)c->d.inp_depth * r->nb * r->bi, 1);
  r->wgt = calloc((size_t)c->d.wgt_depth * r->bo * r->bi, 1);
  r->acc = calloc((size_t)c->d.acc_depth * r->nb * r->bo, 4);
  r->out = calloc((size_t)c->d.acc_depth * r->nb * r->bo, 1);
  r->lut = calloc((size_t)ISA_LUT_DEPTH * r->nb * r->bo, 1);
  return r;
}

TREF void ref_free(ref *r) {
  free(r->uop), free(r->inp), free(r->wgt), free(r->acc), free(r->out), free(r->lut), free(r);
}

/* two's complement value of the low `bits` bits of v */
TREF int64_t ref_sext(uint64_t v, unsigned bits) {
  v &= (1ull << bits) - 1;
  return v >= (1ull << (bits - 1)) ? (int64_t)v - (int64_t)(1ull << bits) : (int64_t)v;
}
/* an integer taken modulo 2^32 into int32 */
TREF int32_t ref_wrap32(int64_t v) { return (int32_t)ref_sext((uint64_t)v, 32); }
/* floor(x / 2^s) by division, s in 1..63 */
TREF int64_t ref_floor_shift(int64_t x, unsigned s) {
  if (s >= 63) return x < 0 ? -1 : 0; /* |x| < 2^63 */
  int64_t d = (int64_t)1 << s, q = x / d;
  if (x % d != 0 && x < 0) q--;
  return q;
}
TREF int64_t ref_min(int64_t a, int64_t b) { return a < b ? a : b; }
TREF int64_t ref_max(int64_t a, int64_t b) { return a > b ? a : b; }

/* One ALU lane per the table of ISA.md. c is acc[s] (REQ); imm the sign-extended immediate. */
TREF int32_t ref_alu(int op, int use_imm, int32_t a, int32_t b, int32_t c, int32_t imm) {
  switch (op) {
  case ISA_ALU_MIN: return (int32_t)ref_min(a, b);
  case ISA_ALU_MAX: return (int32_t)ref_max(a, b);
  case ISA_ALU_ADD: return ref_wrap32((int64_t)a + b);
  case ISA_ALU_MUL: return ref_wrap32((int64_t)a * ref_sext((uint32_t)b, 16));
  case ISA_ALU_SHR: {
    int64_t s = ref_sext((uint32_t)b, 6);
    if (s > 0) return (int32_t)ref_floor_shift((int64_t)a + ((int64_t)1 << (s - 1)), (unsigned)s);
    if (s == 0) return a;
    return ref_wrap32((int64_t)((uint64_t)(int64_t)a * (1ull << -s)));
  }
  case ISA_ALU_CLIP:
    return (int32_t)ref_min(ref_max(a, ref_sext((uint32_t)b, 8)), ref_sext((uint32_t)b >> 8, 8));
  case ISA_ALU_MOV: return b;
  case ISA_ALU_REQ: {
    int64_t m = ref_sext((uint32_t)c >> ISA_REQ_M_POS, ISA_REQ_M_WIDTH); /* isa.def DLVTA_REQ_FIELD */
    unsigned sh = ((uint32_t)c >> ISA_REQ_SHIFT_POS) & ((1u << ISA_REQ_SHIFT_WIDTH) - 1);
    int64_t p = (int64_t)a * m;
    int64_t r = sh > 0 ? ref_floor_shift(p + ((int64_t)1 << (sh - 1)), sh) : p;
    if (use_imm)
      return (int32_t)ref_min(ref_max(r, ref_sext((uint32_t)imm, 8)), ref_sext((uint32_t)imm >> 8, 8));
    return (int32_t)ref_min(ref_max(r, INT32_MIN), INT32_MAX);
  }
  }
  return 0;
}

/* Little-endian int32 from bytes. */
TREF int32_t ref_le32(const uint8_t *p) {
  return (int32_t)ref_sext((uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 | (uint64_t)p[3] << 24, 32);
}

/* Sets element e of memory m from DRAM bytes p (NULL: pad with v). */
TREF void ref_set(ref *r, int m, uint64_t e, const uint8_t *p, int32_t v) {
  unsigned al = r->nb * r->bo;
  switch (m) {
  case ISA_MEM_UOP: r->uop[e] = p ? (uint32_t)ref_le32(p) : (uint32_t)v; break;
  case ISA_MEM_INP:
    for (unsigned l = 0; l < r->nb * r->bi; l++) r->inp[e * r->nb * r->bi + l] = p ? (int8_t)p[l] : (int8_t)v;
    break;
  case ISA_MEM_WGT:
    for (unsigned l = 0; l < r->bo * r->bi; l++) r->wgt[e * r->bo * r->bi + l] = p ? (int8_t)p[l] : (int8_t)v;
    break;
  case ISA_MEM_LUT:
    for (unsigned l = 0; l < al; l++) r->lut[e * al + l] = p ? (int8_t)p[l] : (int8_t)v;
    break;
  case ISA_MEM_ACC:
  case ISA_MEM_ACC8:
    for (unsigned l = 0; l < al; l++) {
      int32_t x = !p ? v : m == ISA_MEM_ACC ? ref_le32(p + 4 * l) : (int32_t)ref_sext(p[l], 8);
      r->acc[e * al + l] = x;
      r->out[e * al + l] = (int8_t)ref_sext((uint32_t)x, 8);
    }
    break;
  }
}

/* Runs insns[0..n) in program order against image (DRAM element addresses relative to it).
 * Stops at FINISH. Returns 0, or -1 on any out-of-range access (the tests give valid programs
 * to the reference). */
TREF int ref_run(ref *r, const isa_word *w, uint32_t n, uint8_t *image, uint64_t image_bytes) {
  const isa_config *c = r->c;
  const isa_derived *d = &c->d;
  unsigned al = r->nb * r->bo;
  for (uint32_t k = 0; k < n; k++) {
    isa_insn in;
    if (isa_decode(c, &w[k], &in) != ISA_OK) return -1;
    const uint32_t *f = in.f;
    unsigned op = f[ISA_F_opcode];
    if (op == ISA_OP_FINISH) return 0;
    if (op == ISA_OP_LOAD || op == ISA_OP_STORE) {
      int m = (int)f[ISA_F_mem];
      uint64_t eb = c->elem_bytes[m];
      uint64_t rows = (uint64_t)f[ISA_F_y_pad0] + f[ISA_F_y_size] + f[ISA_F_y_pad1];
      uint64_t cols = (uint64_t)f[ISA_F_x_pad0] + f[ISA_F_x_size] + f[ISA_F_x_pad1];
      uint64_t depth = m == ISA_MEM_UOP ? d->uop_depth : m == ISA_MEM_INP ? d->inp_depth
                       : m == ISA_MEM_WGT ? d->wgt_depth : m == ISA_MEM_LUT ? ISA_LUT_DEPTH : d->acc_depth;
      if (rows * cols != 0 && f[ISA_F_sram] + rows * cols > depth) return -1;
      for (uint64_t y = 0; y < rows; y++)
        for (uint64_t x = 0; x < cols; x++) {
          uint64_t s = f[ISA_F_sram] + y * cols + x;
          int data = y >= f[ISA_F_y_pad0] && y < f[ISA_F_y_pad0] + f[ISA_F_y_size] &&
                     x >= f[ISA_F_x_pad0] && x < f[ISA_F_x_pad0] + f[ISA_F_x_size];
          uint64_t de = f[ISA_F_dram] + (y - f[ISA_F_y_pad0]) * f[ISA_F_x_stride] + (x - f[ISA_F_x_pad0]);
          if (data && (de + 1) * eb > image_bytes) return -1;
          if (op == ISA_OP_STORE) {
            for (unsigned l = 0; l < al; l++) image[de * eb + l] = (uint8_t)r->out[s * al + l];
            r->wr_bytes += eb;
          } else if (data) {
            ref_set(r, m, s, image + de * eb, 0);
            r->rd_bytes += eb;
          } else {
            ref_set(r, m, s, NULL, (int32_t)ref_sext(f[ISA_F_pad_value], 8));
          }
        }
      continue;
    }
    /* GEMM / DWGEMM / ALU */
    uint64_t nv = 0;          /* DWGEMM: input vectors read so far by this instruction */
    uint64_t vx[GEMM_REF_WIN]; /* DWGEMM: vx[n % GEMM_REF_WIN]: the index read by iteration n */
    for (uint64_t o = 0; o < f[ISA_F_loop_out]; o++)
      for (uint64_t i = 0; i < f[ISA_F_loop_in]; i++)
        for (uint64_t u = f[ISA_F_uop_begin]; u < f[ISA_F_uop_end]; u++) {
          if (u >= d->uop_depth) return -1;
          uint32_t ua, us, uw;
          isa_uop_fields(c, r->uop[u], &ua, &us, &uw);
          if (op == ISA_OP_DWGEMM) { /* ISA.md "DWGEMM" */
            uint64_t T = f[ISA_F_taps], H = r->bi / 2;
            uint64_t x = us + o * f[ISA_F_inp_out] + i * f[ISA_F_inp_in];
            if (!f[ISA_F_reset] && x >= d->inp_depth) return -1; /* reset: x unused, unchecked */
            vx[nv++ % GEMM_REF_WIN] = x;
            uint64_t ip = i >= T - 1 ? i - (T - 1) : 0;
            int bias = !f[ISA_F_reset] && f[ISA_F_bias];
            uint64_t a = ua + o * f[ISA_F_acc_out] + ip * f[ISA_F_acc_in];
            uint64_t wi = uw + (bias ? 0 : ip * f[ISA_F_wgt_in]);
            uint64_t bi = bias ? f[ISA_F_wgt_in] + u - f[ISA_F_uop_begin] : a;
            if (a >= d->acc_depth || bi >= d->acc_depth || (!f[ISA_F_reset] && wi >= d->wgt_depth)) return -1;
            r->gemm_iters++;
            if (!f[ISA_F_reset]) r->macs += (uint64_t)r->nb * r->bi * r->bo;
            if (i < T - 1) continue; /* warm-up: no write */
            for (unsigned b = 0; b < r->nb; b++)
              for (unsigned j = 0; j < r->bo; j++) {
                int32_t *p = &r->acc[a * al + b * r->bo + j];
                if (f[ISA_F_reset]) {
                  *p = 0;
                } else {
                  int64_t sum = r->acc[bi * al + b * r->bo + j];
                  for (unsigned q = 0; q < r->bi; q++) {
                    uint64_t t = q % H; /* tap t: the vector read t iterations before this one */
                    if (t >= T) continue;
                    unsigned lane = (unsigned)((2 * (j / 2) + (q >= H ? 1 : 0)) % r->bi);
                    uint64_t xt = vx[(nv - 1 - t) % GEMM_REF_WIN];
                    sum += (int64_t)r->inp[(xt * r->nb + b) * r->bi + lane] * r->wgt[(wi * r->bo + j) * r->bi + q];
                  }
                  *p = ref_wrap32(sum);
                }
                r->out[a * al + b * r->bo + j] = (int8_t)ref_sext((uint32_t)*p, 8);
              }
          } else if (op == ISA_OP_GEMM) {
            uint64_t a = ua + o * f[ISA_F_acc_out] + i * f[ISA_F_acc_in];
            uint64_t x = us + o * f[ISA_F_inp_out] + i * f[ISA_F_inp_in];
            int bias = !f[ISA_F_reset] && f[ISA_F_bias]; /* start from acc[wgt_in + u - uop_begin] */
            uint64_t wi = uw + o * f[ISA_F_wgt_out] + (bias ? 0 : i * f[ISA_F_wgt_in]);
            uint64_t bi = bias ? f[ISA_F_wgt_in] + u - f[ISA_F_uop_begin] : a;
            if (a >= d->acc_depth || bi >= d->acc_depth) return -1;
            r->gemm_iters++;
            for (unsigned b = 0; b < r->nb; b++)
              for (unsigned j = 0; j < r->bo; j++) {
                int32_t *p = &r->acc[a * al + b * r->bo + j];
                if (f[ISA_F_reset]) {
                  *p = 0;
                } else {
                  if (x >= d->inp_depth || wi >= d->wgt_depth) return -1;
                  int64_t sum = r->acc[bi * al + b * r->bo + j];
                  for (unsigned q = 0; q < r->bi; q++)
                    sum += (int64_t)r->inp[(x * r->nb + b) * r->bi + q] * r->wgt[(wi * r->bo + j) * r->bi + q];
                  *p = ref_wrap32(sum);
                }
                r->out[a * al + b * r->bo + j] = (int8_t)ref_sext((uint32_t)*p, 8);
              }
            if (!f[ISA_F_reset]) r->macs += (uint64_t)r->nb * r->bi * r->bo;
          } else {
            uint64_t dd = ua + o * f[ISA_F_dst_out] + i * f[ISA_F_dst_in];
            uint64_t ss = us + o * f[ISA_F_src_out] + i * f[ISA_F_src_in];
            int aop = (int)f[ISA_F_alu_op], ui = (int)f[ISA_F_use_imm];
            int32_t imm = (int32_t)ref_sext(f[ISA_F_imm], 16);
            if (dd >= d->acc_depth) return -1;
            int rd = !ui || aop == ISA_ALU_REQ, si = rd && f[ISA_F_src_inp]; /* si: the source is inp[ss] */
            if (rd && ss >= (si ? d->inp_depth : d->acc_depth)) return -1;
            r->alu_iters++;
            int32_t src[1024];
            unsigned il = r->nb * r->bi;
            for (unsigned l = 0; l < al; l++)
              src[l] = si ? (l < il ? r->inp[ss * il + l] : 0) : rd ? r->acc[ss * al + l] : 0;
            for (unsigned l = 0; l < al; l++) {
              int32_t a = r->acc[dd * al + l];
              int32_t b = ui ? imm : src[l];
              int32_t v = ref_alu(aop, ui, a, b, src[l], imm);
              if (aop == ISA_ALU_LUT) /* the lane's table at clamp(a, -128, 127) + 128 */
                v = r->lut[(uint64_t)(ref_min(ref_max(a, -128), 127) + 128) * al + l];
              r->acc[dd * al + l] = v;
              r->out[dd * al + l] = (int8_t)ref_sext((uint32_t)v, 8);
            }
          }
        }
  }
  return 0;
}

/* Compares every on-chip element of fsim s with r; prints the first few differences with what
 * (tag) was run. Returns the number of differing lanes. */
TREF long ref_compare(ref *r, fsim *s, const char *tag) {
  const isa_derived *d = &r->c->d;
  long bad = 0;
  unsigned al = r->nb * r->bo;
  for (uint32_t e = 0; e < d->uop_depth; e++) {
    uint32_t v;
    memcpy(&v, fsim_sram(s, ISA_MEM_UOP, e), 4);
    if (v != r->uop[e] && bad++ < 3) printf("FAIL %s: uop[%u] expected 0x%08x got 0x%08x\n", tag, e, r->uop[e], v);
  }
  for (uint32_t e = 0; e < d->inp_depth; e++)
    for (unsigned l = 0; l < r->nb * r->bi; l++) {
      int8_t v = (int8_t)fsim_sram(s, ISA_MEM_INP, e)[l];
      if (v != r->inp[e * r->nb * r->bi + l] && bad++ < 3)
        printf("FAIL %s: inp[%u] lane %u expected %d got %d\n", tag, e, l, r->inp[e * r->nb * r->bi + l], v);
    }
  for (uint32_t e = 0; e < d->wgt_depth; e++)
    for (unsigned l = 0; l < r->bo * r->bi; l++) {
      int8_t v = (int8_t)fsim_sram(s, ISA_MEM_WGT, e)[l];
      if (v != r->wgt[e * r->bo * r->bi + l] && bad++ < 3)
        printf("FAIL %s: wgt[%u] lane %u expected %d got %d\n", tag, e, l, r->wgt[e * r->bo * r->bi + l], v);
    }
  for (uint32_t e = 0; e < d->acc_depth; e++)
    for (unsigned l = 0; l < al; l++) {
      int32_t v = ref_le32(fsim_sram(s, ISA_MEM_ACC, e) + 4 * l);
      int8_t o = (int8_t)fsim_sram(s, ISA_MEM_OUT, e)[l];
      if (v != r->acc[e * al + l] && bad++ < 3)
        printf("FAIL %s: acc[%u] lane %u expected %" PRId32 " got %" PRId32 "\n", tag, e, l, r->acc[e * al + l], v);
      if (o != r->out[e * al + l] && bad++ < 3)
        printf("FAIL %s: out[%u] lane %u expected %d got %d\n", tag, e, l, r->out[e * al + l], o);
    }
  for (uint32_t e = 0; e < ISA_LUT_DEPTH; e++)
    for (unsigned l = 0; l < al; l++) {
      int8_t v = (int8_t)fsim_sram(s, ISA_MEM_LUT, e)[l];
      if (v != r->lut[e * al + l] && bad++ < 3)
        printf("FAIL %s: lut[%u] lane %u expected %d got %d\n", tag, e, l, r->lut[e * al + l], v);
    }
  return bad;
}

/* ---- building programs ------------------------------------------------------------------- */
enum { T_POPP = 1, T_POPN = 2, T_PUSHP = 4, T_PUSHN = 8 };

typedef struct tprog {
  const isa_config *c;
  isa_word w[4096];
  uint32_t n;
  uint8_t *img;      /* data image */
  uint64_t size;     /* bytes used */
  uint64_t cap;      /* bytes allocated */
} tprog;

TREF void tp_init(tprog *p, const isa_config *c, uint64_t cap) {
  p->c = c;
  p->n = 0;
  p->img = calloc(cap, 1);
  p->size = 0;
  p->cap = cap;
}

/* Allocates `elems` elements of memory m in the image (zeroed); returns the element address. */
TREF uint32_t tp_alloc(tprog *p, int m, uint64_t elems) {
  uint64_t eb = p->c->elem_bytes[m];
  uint64_t off = (p->size + eb - 1) / eb * eb;
  if (off + elems * eb > p->cap) {
    printf("FAIL test image too small\n");
    exit(1);
  }
  p->size = off + elems * eb;
  return (uint32_t)(off / eb);
}

/* Encodes fields (pairs of ISA_F_x, value, terminated by -1) with the given tokens. */
TREF isa_word tp_word(const isa_config *c, int op, int tokens, const int *fv) { return tu_word(c, op, tokens, fv); }

TREF void tp_emit(tprog *p, isa_word w) {
  if (p->n >= sizeof p->w / sizeof p->w[0]) {
    printf("FAIL test program too long\n");
    exit(1);
  }
  p->w[p->n++] = w;
}

TREF void tp_load(tprog *p, int m, uint32_t sram, uint32_t dram, int ys, int xs, int stride,
                    int yp0, int yp1, int xp0, int xp1, int padv, int tok) {
  int fv[] = {ISA_F_mem, m, ISA_F_sram, (int)sram, ISA_F_dram, (int)dram, ISA_F_y_size, ys,
              ISA_F_x_size, xs, ISA_F_x_stride, stride, ISA_F_y_pad0, yp0, ISA_F_y_pad1, yp1,
              ISA_F_x_pad0, xp0, ISA_F_x_pad1, xp1, ISA_F_pad_value, padv & 0xff, -1};
  tp_emit(p, tp_word(p->c, ISA_OP_LOAD, tok, fv));
}

TREF void tp_store(tprog *p, uint32_t sram, uint32_t dram, int ys, int xs, int stride, int tok) {
  int fv[] = {ISA_F_mem, ISA_MEM_OUT, ISA_F_sram, (int)sram, ISA_F_dram, (int)dram, ISA_F_y_size, ys,
              ISA_F_x_size, xs, ISA_F_x_stride, stride, -1};
  tp_emit(p, tp_word(p->c, ISA_OP_STORE, tok, fv));
}

TREF void tp_gemm(tprog *p, int reset, int ub, int ue, int lo, int li, int ao, int ai, int xo,
                    int xi, int wo, int wi, int tok) {
  int fv[] = {ISA_F_reset, reset, ISA_F_uop_begin, ub, ISA_F_uop_end, ue, ISA_F_loop_out, lo,
              ISA_F_loop_in, li, ISA_F_acc_out, ao, ISA_F_acc_in, ai, ISA_F_inp_out, xo,
              ISA_F_inp_in, xi, ISA_F_wgt_out, wo, ISA_F_wgt_in, wi, -1};
  tp_emit(p, tp_word(p->c, ISA_OP_GEMM, tok, fv));
}

TREF void tp_alu(tprog *p, int op, int use_imm, int imm, int ub, int ue, int lo, int li, int dout,
                   int din, int sout, int sin, int tok) {
  int fv[] = {ISA_F_alu_op, op, ISA_F_use_imm, use_imm, ISA_F_imm, imm & 0xffff,
              ISA_F_uop_begin, ub, ISA_F_uop_end, ue, ISA_F_loop_out, lo, ISA_F_loop_in, li,
              ISA_F_dst_out, dout, ISA_F_dst_in, din, ISA_F_src_out, sout, ISA_F_src_in, sin, -1};
  tp_emit(p, tp_word(p->c, ISA_OP_ALU, tok, fv));
}

TREF void tp_finish(tprog *p, int tok) {
  int fv[] = {-1};
  tp_emit(p, tp_word(p->c, ISA_OP_FINISH, tok, fv));
}

/* Writes uops into the image and returns their element address. */
TREF uint32_t tp_uops(tprog *p, const uint32_t *u, unsigned n) {
  uint32_t a = tp_alloc(p, ISA_MEM_UOP, n);
  for (unsigned i = 0; i < n; i++) {
    uint8_t *q = p->img + ((uint64_t)a + i) * 4;
    q[0] = (uint8_t)u[i], q[1] = (uint8_t)(u[i] >> 8), q[2] = (uint8_t)(u[i] >> 16), q[3] = (uint8_t)(u[i] >> 24);
  }
  return a;
}

/* Random bytes for `elems` elements of memory m; returns the element address. */
TREF uint32_t tp_random(tprog *p, int m, uint64_t elems) {
  uint32_t a = tp_alloc(p, m, elems);
  uint64_t eb = p->c->elem_bytes[m];
  for (uint64_t i = 0; i < elems * eb; i++) p->img[(uint64_t)a * eb + i] = (uint8_t)rnd();
  return a;
}

/* If no instruction of p carries a token flag, adds tokens (and no-op GEMMs where load hands
 * over to store) so that the units execute strictly in program order: then the reference's
 * program-order semantics are the only correct result. */
TREF void tp_serialize(tprog *p) {
  static const int tf[4] = {ISA_F_pop_prev, ISA_F_pop_next, ISA_F_push_prev, ISA_F_push_next};
  isa_insn in[4096];
  uint32_t n = 0;
  for (uint32_t k = 0; k < p->n; k++) {
    if (isa_decode(p->c, &p->w[k], &in[n]) != ISA_OK) return; /* leave bad programs alone */
    for (int t = 0; t < 4; t++)
      if (in[n].f[tf[t]]) return;
    n++;
  }
  isa_insn out[8192];
  uint32_t m = 0;
  for (uint32_t k = 0; k < n; k++) {
    int u = isa_insn_unit(&in[k]);
    if (m) {
      int pu = isa_insn_unit(&out[m - 1]);
      if ((pu == ISA_UNIT_LOAD && u == ISA_UNIT_STORE) || (pu == ISA_UNIT_STORE && u == ISA_UNIT_LOAD)) {
        isa_insn nop;
        memset(&nop, 0, sizeof nop);
        nop.f[ISA_F_opcode] = ISA_OP_GEMM; /* loop extents 0: no effect */
        if (pu == ISA_UNIT_LOAD) out[m - 1].f[ISA_F_push_next] = 1, nop.f[ISA_F_pop_prev] = 1;
        else out[m - 1].f[ISA_F_push_prev] = 1, nop.f[ISA_F_pop_next] = 1;
        out[m++] = nop;
        pu = ISA_UNIT_COMPUTE;
      }
      out[m] = in[k];
      if (pu < u) out[m - 1].f[ISA_F_push_next] = 1, out[m].f[ISA_F_pop_prev] = 1;
      if (pu > u) out[m - 1].f[ISA_F_push_prev] = 1, out[m].f[ISA_F_pop_next] = 1;
      m++;
    } else {
      out[m++] = in[k];
    }
  }
  if (m > sizeof p->w / sizeof p->w[0]) {
    printf("FAIL test program too long\n");
    exit(1);
  }
  for (uint32_t k = 0; k < m; k++) {
    int bad;
    if (isa_encode(p->c, &out[k], &p->w[k], &bad) != ISA_OK) {
      printf("FAIL tp_serialize: encode\n");
      exit(1);
    }
  }
  p->n = m;
}

/* Runs p on a fresh fsim (kept in *sp if sp) and on the reference; compares SRAM and image.
 * Returns fsim's status. */
TREF int tp_check(tprog *p, const char *tag, drv_counters *ctr, drv_error *err, fsim **sp) {
  tp_serialize(p);
  isa_prog prog = {p->c, p->w, p->n, p->img, p->size};
  uint8_t *img_f = malloc(p->size + 1), *img_r = malloc(p->size + 1);
  memcpy(img_f, p->img, p->size);
  memcpy(img_r, p->img, p->size);
  fsim *s = fsim_create(p->c);
  drv_counters c0;
  drv_error e0;
  if (!ctr) ctr = &c0;
  if (!err) err = &e0;
  int rc = fsim_run_prog(s, &prog, img_f, ctr, err);
  CHECK(rc == DRV_OK, "%s: fsim returns %d (%s)", tag, rc, err->message);
  ref *r = ref_new(p->c);
  int rr_ = ref_run(r, p->w, p->n, img_r, p->size);
  CHECK(rr_ == 0, "%s: reference rejects the program (test bug)", tag);
  if (rc == DRV_OK) {
    long bad = ref_compare(r, s, tag);
    CHECK(bad == 0, "%s: %ld SRAM lanes differ", tag, bad);
    uint64_t first = p->size;
    for (uint64_t i = 0; i < p->size; i++)
      if (img_f[i] != img_r[i]) {
        first = i;
        break;
      }
    CHECK(first == p->size, "%s: DRAM byte %" PRIu64 " expected %d got %d", tag, first,
          first < p->size ? img_r[first] : 0, first < p->size ? img_f[first] : 0);
    if (first != p->size && getenv("FSIM_TEST_DUMP")) isa_prog_write_asm(&prog, stdout);
    CHECK(ctr->macs == r->macs, "%s: macs expected %" PRIu64 " got %" PRIu64, tag, r->macs, ctr->macs);
    CHECK(ctr->alu_ops == r->alu_iters, "%s: alu_ops expected %" PRIu64 " got %" PRIu64, tag, r->alu_iters, ctr->alu_ops);
    CHECK(ctr->bytes_written == r->wr_bytes, "%s: bytes_written expected %" PRIu64 " got %" PRIu64, tag, r->wr_bytes, ctr->bytes_written);
  }
  ref_free(r);
  free(img_f);
  free(img_r);
  if (sp) *sp = s;
  else fsim_destroy(s);
  return rc;
}

#endif
