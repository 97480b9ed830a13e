/* driver/selftest.c -- the device self-test behind `dlvta selftest` (contract: selftest.h). On
 * an open device (the zynq and xrt backends checked the bitstream's config fingerprint and
 * register map when it was opened) it runs a directed set of small programs whose results this file computes itself in
 * plain C from isa/ISA.md's definitions (not through fsim, so that fsim is checked as well):
 * every instruction kind, every ALU operation with a register and an immediate operand, every
 * on-chip memory, padding on the load unit and on the compute unit, the four token queues, two
 * errors that must come back with their kind and instruction index, and a deadlock that must be
 * reported (a board times out and the driver aborts the run) after which the same open device
 * must run correctly again. One line per check, PASS or FAIL, with the run's counters.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "selftest.h"

#define ST_ROWS 3 /* elements an ALU or GEMM check computes */

typedef struct st {
  const isa_config *cfg;
  drv_dev *dev;
  FILE *out;
  uint32_t timeout_ms;
  int verbose;
  int passed, failed;
  uint64_t off[ISA_MEM_COUNT]; /* byte offset of each memory's data in the image */
  uint64_t image_bytes;
  uint64_t rng;
} st;

/* ---- helpers ------------------------------------------------------------------------------ */

static uint64_t st_rand(st *s) {
  uint64_t z = (s->rng += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

/* a random int in [lo, hi] */
static int32_t st_range(st *s, int32_t lo, int32_t hi) {
  return (int32_t)(lo + (int64_t)(st_rand(s) % (uint64_t)((int64_t)hi - lo + 1)));
}

static uint64_t gcd64(uint64_t a, uint64_t b) {
  while (b) {
    uint64_t t = a % b;
    a = b;
    b = t;
  }
  return a;
}

/* The image layout: each memory's data in its own region, aligned to its element size and to
 * 4 KiB, large enough for 64 elements (the LUT: its whole table, ISA_LUT_DEPTH elements). */
static void st_layout(st *s) {
  uint64_t off = 0;
  for (int m = 0; m < ISA_MEM_COUNT; m++) {
    uint64_t e = s->cfg->elem_bytes[m], align = 4096 / gcd64(4096, e) * e;
    off = (off + align - 1) / align * align;
    s->off[m] = off;
    uint64_t n = (m == ISA_MEM_LUT ? ISA_LUT_DEPTH : 64) * e;
    off += n > 4096 ? n : 4096;
  }
  s->image_bytes = off;
}

/* DRAM element index of element e of memory m's region (what LOAD/STORE's dram field takes). */
static uint64_t st_dram(const st *s, int m, uint64_t e) { return s->off[m] / s->cfg->elem_bytes[m] + e; }

static void put32(uint8_t *p, int32_t v) {
  for (int i = 0; i < 4; i++) p[i] = (uint8_t)((uint32_t)v >> (8 * i));
}

/* Assemble ".config; .image; body" into p. 0, or -1 with the message in err. */
static int st_asm(st *s, const char *body, isa_prog *p, char *err, size_t errlen) {
  size_t n = strlen(body) + 128;
  char *text = malloc(n);
  if (!text) {
    snprintf(err, errlen, "out of memory");
    return -1;
  }
  snprintf(text, n, ".config %s\n.image %" PRIu64 "\n%s", s->cfg->d.name, s->image_bytes, body);
  int rc = isa_assemble(text, "selftest.s", s->cfg->d.name, p, err, errlen);
  free(text);
  return rc ? -1 : 0;
}

/* Append formatted text to a growing buffer (cap bytes). */
static void cat(char *buf, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void cat(char *buf, size_t cap, const char *fmt, ...) {
  size_t len = strlen(buf);
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf + len, cap - len, fmt, ap);
  va_end(ap);
}

/* One result line with the counters of the last run. */
static void st_report(st *s, const char *name, int ok, const char *detail) {
  drv_counters c;
  drv_counters_read(s->dev, &c);
  ok ? s->passed++ : s->failed++;
  fprintf(s->out, "%s  %-22s cycles=%-7" PRIu64 " insns L%" PRIu64 " S%" PRIu64 " G%" PRIu64 " D%" PRIu64
         " A%" PRIu64 " F%" PRIu64 " bytes rd %" PRIu64 " wr %" PRIu64 "%s%s\n", ok ? "PASS" : "FAIL", name,
         c.cycles, c.insns[ISA_OP_LOAD], c.insns[ISA_OP_STORE], c.insns[ISA_OP_GEMM], c.insns[ISA_OP_DWGEMM],
         c.insns[ISA_OP_ALU], c.insns[ISA_OP_FINISH], c.bytes_read, c.bytes_written,
         detail && *detail ? "\n      " : "", detail ? detail : "");
  fflush(s->out);
}

/* Run p; on success compare n_out OUT elements (from element 0 of OUT's region) with want
 * (int8 per lane). Fills detail on a mismatch or error; returns 1 if everything matched. */
static int st_run_check(st *s, isa_prog *p, const int8_t *want, uint64_t n_out, char *detail,
                        size_t cap) {
  uint8_t *img = calloc(1, p->image_bytes);
  if (!img) {
    snprintf(detail, cap, "out of memory");
    return 0;
  }
  int rc = drv_run_prog(s->dev, p, img, s->timeout_ms);
  int ok = rc == DRV_OK;
  if (!ok) {
    snprintf(detail, cap, "run: %s: %.1900s", drv_strerror(rc), drv_last_error(s->dev)->message);
  } else {
    uint64_t lanes = s->cfg->elem_bytes[ISA_MEM_OUT];
    for (uint64_t i = 0; i < n_out * lanes && ok; i++) {
      int8_t got = (int8_t)img[s->off[ISA_MEM_OUT] + i];
      if (got != want[i]) {
        snprintf(detail, cap, "OUT element %" PRIu64 " lane %" PRIu64 ": got %d, expected %d",
                 i / lanes, i % lanes, got, want[i]);
        ok = 0;
      }
    }
  }
  free(img);
  return ok;
}

/* ---- the reference (isa/ISA.md) ------------------------------------------------------------ */

static int32_t sat32(int64_t v) { return v > INT32_MAX ? INT32_MAX : v < INT32_MIN ? INT32_MIN : (int32_t)v; }

/* (v + 2^(s-1)) >> s in 64 bits for s > 0 (arithmetic: rounds half up) */
static int64_t rshift_round(int64_t v, int s) { return s > 0 ? (v + ((int64_t)1 << (s - 1))) >> s : v; }

/* One ALU lane: a = acc[dst], b = use_imm ? sext(imm) : acc[src], c = acc[src] (REQ). */
static int32_t alu_ref(int op, int32_t a, int32_t b, int32_t c, int use_imm) {
  switch (op) {
  case ISA_ALU_MIN: return a < b ? a : b;
  case ISA_ALU_MAX: return a > b ? a : b;
  case ISA_ALU_ADD: return (int32_t)((uint32_t)a + (uint32_t)b);
  case ISA_ALU_MUL: return (int32_t)((uint32_t)a * (uint32_t)(int32_t)(int16_t)(uint16_t)b);
  case ISA_ALU_SHR: {
    int sh = (int)((uint32_t)b & 63u);
    sh = sh >= 32 ? sh - 64 : sh; /* sext(b[5:0]) */
    if (sh > 0) return (int32_t)rshift_round(a, sh);
    return sh == 0 ? a : (int32_t)((uint32_t)a << -sh);
  }
  case ISA_ALU_CLIP: {
    int32_t lo = (int8_t)(uint8_t)b, hi = (int8_t)(uint8_t)(b >> 8);
    int32_t v = a > lo ? a : lo;
    return v < hi ? v : hi;
  }
  case ISA_ALU_MOV: return b;
  case ISA_ALU_REQ: {
    int64_t r = rshift_round((int64_t)a * isa_req_mult((uint32_t)c), (int)isa_req_shift((uint32_t)c));
    if (!use_imm) return sat32(r);
    int64_t lo = (int8_t)(uint8_t)b, hi = (int8_t)(uint8_t)(b >> 8);
    return (int32_t)(r < lo ? lo : r > hi ? hi : r);
  }
  }
  return 0; /* LUT: lut_ref */
}

/* The lookup table the LUT check loads: entry k of lane l. */
static int8_t lut_entry(unsigned k, unsigned l) { return (int8_t)(uint8_t)((k * 7u + l * 3u) ^ 0x5au); }

/* ALU LUT on one lane l: the table entry at clamp(a, -128, 127) + 128. */
static int32_t lut_ref(int32_t a, unsigned l) { return lut_entry((unsigned)((a < -128 ? -128 : a > 127 ? 127 : a) + 128), l); }

/* The tail every computing check shares: the results acc[0..n) go out four times, shifted right
 * by 0, 8, 16 and 24 (SHR imm=8 in between, rounding), so that all 32 bits are checked; the
 * compute->store (C2S) and store->compute (S2C) tokens order each STORE after the ALU that
 * wrote its elements and each SHR after the STORE that read them. acc: the n x lanes results;
 * want: filled with 4 n x lanes int8. */
static void st_tail(st *s, char *body, size_t cap, int n, const int32_t *acc, int8_t *want,
                    const char *first_push) {
  unsigned lanes = s->cfg->elem_bytes[ISA_MEM_OUT];
  int32_t *v = malloc((size_t)n * lanes * sizeof *v);
  if (!v) return;
  memcpy(v, acc, (size_t)n * lanes * sizeof *v);
  (void)first_push;
  for (int k = 0; k < 4; k++) {
    if (k) {
      cat(body, cap, "alu uop_begin=0 uop_end=1 loop_out=%d loop_in=1 shr use_imm dst_out=1 "
          "dst_in=0 src_out=1 src_in=0 imm=8 pop_next push_next\n", n);
      for (unsigned i = 0; i < (unsigned)n * lanes; i++) v[i] = (int32_t)rshift_round(v[i], 8);
    }
    cat(body, cap, "store out sram=0 dram=%" PRIu64 " y_size=1 x_size=%d x_stride=%d pop_prev%s\n",
        st_dram(s, ISA_MEM_OUT, (uint64_t)k * n), n, n, k < 3 ? " push_prev" : "");
    for (unsigned i = 0; i < (unsigned)n * lanes; i++) want[k * n * lanes + i] = (int8_t)v[i];
  }
  cat(body, cap, "finish\n");
  free(v);
}

/* ---- the checks --------------------------------------------------------------------------- */

/* ALU op with a register (acc[src]) or immediate operand, over ST_ROWS elements. */
static void check_alu(st *s, int op, int use_imm) {
  const isa_config *c = s->cfg;
  unsigned lanes = c->elem_bytes[ISA_MEM_OUT];
  int n = ST_ROWS;
  char name[48], body[8192] = "", err[2048] = "";
  snprintf(name, sizeof name, "alu_%s_%s", isa_alu_name(op), use_imm ? "imm" : "reg");
  for (char *p = name; *p; p++) *p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
  int32_t imm = 0;
  switch (op) {
  case ISA_ALU_MUL: imm = -300; break;
  case ISA_ALU_SHR: imm = 5; break;
  case ISA_ALU_CLIP: imm = (100 << 8) | (uint8_t)-50; break;
  case ISA_ALU_REQ: imm = (90 << 8) | (uint8_t)-100; break;
  default: imm = -1234; break;
  }
  isa_prog p;
  if (op == ISA_ALU_LUT)
    cat(body, sizeof body, "load lut sram=0 dram=%" PRIu64 " y_size=1 x_size=%u x_stride=%u\n",
        st_dram(s, ISA_MEM_LUT, 0), ISA_LUT_DEPTH, ISA_LUT_DEPTH);
  cat(body, sizeof body, "load uop sram=0 dram=%" PRIu64 " y_size=1 x_size=1 x_stride=1\n",
      st_dram(s, ISA_MEM_UOP, 0));
  cat(body, sizeof body, "load acc sram=0 dram=%" PRIu64 " y_size=1 x_size=%d x_stride=%d\n",
      st_dram(s, ISA_MEM_ACC, 0), 2 * n, 2 * n);
  cat(body, sizeof body, "alu uop_begin=0 uop_end=1 loop_out=%d loop_in=1 %s%s dst_out=1 dst_in=0 "
      "src_out=1 src_in=0 imm=%d push_next\n", n, isa_alu_name(op), use_imm ? " use_imm" : "", (int)imm);
  /* the data: a = acc[0..n), the operand (or REQ's parameters) acc[n..2n) */
  int32_t *a = malloc(2 * (size_t)n * lanes * sizeof *a), *r = malloc((size_t)n * lanes * sizeof *r);
  int8_t *want = malloc(4 * (size_t)n * lanes);
  if (!a || !r || !want) {
    free(a), free(r), free(want);
    st_report(s, name, 0, "out of memory");
    return;
  }
  for (unsigned i = 0; i < (unsigned)n * lanes; i++) {
    a[i] = op == ISA_ALU_MUL || op == ISA_ALU_REQ ? st_range(s, -200000, 200000)
           : op == ISA_ALU_LUT                    ? st_range(s, -200, 200) /* codes, and both ends */
                                                  : (int32_t)(uint32_t)st_rand(s) / (op == ISA_ALU_SHR ? 1 : 4096);
    int32_t b;
    if (op == ISA_ALU_REQ)
      b = (int32_t)isa_req_word(st_range(s, -(1 << (ISA_REQ_M_WIDTH - 1)), (1 << (ISA_REQ_M_WIDTH - 1)) - 1),
                                (unsigned)st_range(s, 8, 40));
    else if (op == ISA_ALU_SHR)
      b = st_range(s, -31, 31);
    else if (op == ISA_ALU_CLIP)
      b = st_range(s, 0, 127) << 8 | (uint8_t)st_range(s, -128, 0);
    else
      b = (int32_t)(uint32_t)st_rand(s) / 4096;
    a[n * lanes + i] = b;
    r[i] = op == ISA_ALU_LUT ? lut_ref(a[i], i % lanes) : alu_ref(op, a[i], use_imm ? imm : b, b, use_imm);
  }
  st_tail(s, body, sizeof body, n, r, want, "");
  int ok = st_asm(s, body, &p, err, sizeof err) == 0;
  if (ok) {
    put32(p.image + s->off[ISA_MEM_UOP], (int32_t)isa_uop(c, 0, (uint32_t)n, 0));
    for (unsigned i = 0; i < 2u * n * lanes; i++) put32(p.image + s->off[ISA_MEM_ACC] + 4 * i, a[i]);
    if (op == ISA_ALU_LUT)
      for (unsigned k = 0; k < ISA_LUT_DEPTH; k++)
        for (unsigned l = 0; l < lanes; l++) p.image[s->off[ISA_MEM_LUT] + (uint64_t)k * lanes + l] = (uint8_t)lut_entry(k, l);
    ok = st_run_check(s, &p, want, 4 * (uint64_t)n, err, sizeof err);
    isa_prog_free(&p);
  }
  st_report(s, name, ok, ok ? "" : err);
  free(a), free(r), free(want);
}

/* GEMM: micro-ops, weights, inputs (the first block padded on the load unit), reset, two
 * accumulations over a reused input buffer, ordered by the load<->compute tokens: L2C (inputs
 * ready) and C2L (the GEMM has read them, the next LOAD may overwrite). */
static void check_gemm(st *s) {
  const isa_config *c = s->cfg;
  const isa_derived *d = &c->d;
  unsigned B = d->batch, BI = d->block_in, BO = d->block_out, lanes = B * BO;
  int n = 2;
  char body[8192] = "", err[2048] = "";
  /* uops: (a=0, x=0, w=0), (a=0, x=2, w=1); loop_out=n steps a and x by 1 */
  cat(body, sizeof body, "load uop sram=0 dram=%" PRIu64 " y_size=1 x_size=2 x_stride=2\n",
      st_dram(s, ISA_MEM_UOP, 0));
  cat(body, sizeof body, "load wgt sram=0 dram=%" PRIu64 " y_size=1 x_size=2 x_stride=2\n",
      st_dram(s, ISA_MEM_WGT, 0));
  cat(body, sizeof body, "load inp sram=0 dram=%" PRIu64 " y_size=1 x_size=3 x_stride=3 x_pad0=1 "
      "pad_value=3 push_next\n", st_dram(s, ISA_MEM_INP, 0));
  cat(body, sizeof body, "gemm reset uop_begin=0 uop_end=1 loop_out=%d loop_in=1 acc_out=1 acc_in=0 "
      "inp_out=0 inp_in=0 wgt_out=0 wgt_in=0\n", n);
  cat(body, sizeof body, "gemm uop_begin=0 uop_end=2 loop_out=%d loop_in=1 acc_out=1 acc_in=0 "
      "inp_out=1 inp_in=0 wgt_out=0 wgt_in=0 pop_prev push_prev\n", n);
  cat(body, sizeof body, "load inp sram=0 dram=%" PRIu64 " y_size=1 x_size=4 x_stride=4 pop_next "
      "push_next\n", st_dram(s, ISA_MEM_INP, 3));
  cat(body, sizeof body, "gemm uop_begin=0 uop_end=2 loop_out=%d loop_in=1 acc_out=1 acc_in=0 "
      "inp_out=1 inp_in=0 wgt_out=0 wgt_in=0 pop_prev push_next\n", n);
  /* data: 7 input elements, 2 weight elements */
  size_t ni = 7 * (size_t)B * BI, nw = 2 * (size_t)BO * BI;
  int8_t *in = malloc(ni), *w = malloc(nw), *want = malloc(4 * (size_t)n * lanes);
  int32_t *acc = calloc((size_t)n * lanes, sizeof *acc);
  int8_t *x1 = malloc(4 * (size_t)B * BI), *x2 = malloc(4 * (size_t)B * BI);
  if (!in || !w || !want || !acc || !x1 || !x2) {
    free(in), free(w), free(want), free(acc), free(x1), free(x2);
    st_report(s, "gemm_tokens_pad", 0, "out of memory");
    return;
  }
  for (size_t i = 0; i < ni; i++) in[i] = (int8_t)st_range(s, -128, 127);
  for (size_t i = 0; i < nw; i++) w[i] = (int8_t)st_range(s, -128, 127);
  /* the input buffer for the first GEMM: [pad 3, in0, in1, in2]; for the second: in3..in6 */
  for (unsigned e = 0; e < 4; e++)
    for (unsigned l = 0; l < B * BI; l++) {
      x1[e * B * BI + l] = e == 0 ? 3 : in[(e - 1) * B * BI + l];
      x2[e * B * BI + l] = in[(e + 3) * B * BI + l];
    }
  static const unsigned ux[2] = {0, 2}, uw[2] = {0, 1};
  for (int pass = 0; pass < 2; pass++) {
    const int8_t *x = pass ? x2 : x1;
    for (int o = 0; o < n; o++)
      for (int u = 0; u < 2; u++)
        for (unsigned b = 0; b < B; b++)
          for (unsigned j = 0; j < BO; j++) {
            int32_t sum = 0;
            for (unsigned k = 0; k < BI; k++)
              sum += x[(ux[u] + o) * B * BI + b * BI + k] * w[uw[u] * BO * BI + j * BI + k];
            acc[o * lanes + b * BO + j] = (int32_t)((uint32_t)acc[o * lanes + b * BO + j] + (uint32_t)sum);
          }
  }
  st_tail(s, body, sizeof body, n, acc, want, "");
  isa_prog p;
  int ok = st_asm(s, body, &p, err, sizeof err) == 0;
  if (ok) {
    put32(p.image + s->off[ISA_MEM_UOP], (int32_t)isa_uop(c, 0, 0, 0));
    put32(p.image + s->off[ISA_MEM_UOP] + 4, (int32_t)isa_uop(c, 0, 2, 1));
    memcpy(p.image + s->off[ISA_MEM_WGT], w, nw);
    memcpy(p.image + s->off[ISA_MEM_INP], in, ni);
    ok = st_run_check(s, &p, want, 4 * (uint64_t)n, err, sizeof err);
    isa_prog_free(&p);
  }
  st_report(s, "gemm_tokens_pad", ok, ok ? "" : err);
  free(in), free(w), free(want), free(acc), free(x1), free(x2);
}

/* DWGEMM (ISA.md): a reset pass, then a window of T taps over two rows of three outputs (loop_in
 * = 3 + T - 1: T - 1 warm-up iterations a row) with every weight column random, so the lane
 * pairing of the columns and the masking of the taps past T are checked too. */
static void dw_ref(const isa_derived *d, unsigned T, unsigned LI, const int8_t *in, const int8_t *w, int32_t *acc) {
  unsigned B = d->batch, BI = d->block_in, BO = d->block_out, H = d->dw_taps, W = LI - (T - 1);
  for (unsigned o = 0; o < 2; o++)
    for (unsigned i = T - 1; i < LI; i++)
      for (unsigned b = 0; b < B; b++)
        for (unsigned j = 0; j < BO; j++) {
          int32_t sum = 0;
          for (unsigned k = 0; k < BI; k++) {
            unsigned t = k % H, lane = (2 * (j / 2) + (k >= H)) % BI; /* tap t: read t iterations ago */
            if (t < T) sum += in[(o * LI + i - t) * B * BI + b * BI + lane] * w[j * BI + k];
          }
          acc[(o * W + i - (T - 1)) * B * BO + b * BO + j] = sum;
        }
}

static void check_dwgemm(st *s) {
  const isa_config *c = s->cfg;
  const isa_derived *d = &c->d;
  unsigned B = d->batch, BI = d->block_in, BO = d->block_out, lanes = B * BO;
  unsigned T = d->dw_taps < 3 ? d->dw_taps : 3, W = 3, LI = W + T - 1;
  int n = 2 * (int)W;
  char body[8192] = "", err[2048] = "";
  cat(body, sizeof body, "load uop sram=0 dram=%" PRIu64 " y_size=1 x_size=1 x_stride=1\n", st_dram(s, ISA_MEM_UOP, 0));
  cat(body, sizeof body, "load wgt sram=0 dram=%" PRIu64 " y_size=1 x_size=1 x_stride=1\n", st_dram(s, ISA_MEM_WGT, 0));
  cat(body, sizeof body, "load inp sram=0 dram=%" PRIu64 " y_size=1 x_size=%u x_stride=%u push_next\n",
      st_dram(s, ISA_MEM_INP, 0), 2 * LI, 2 * LI);
  cat(body, sizeof body, "dwgemm reset uop_begin=0 uop_end=1 loop_out=2 loop_in=%u acc_out=%u acc_in=1 inp_out=%u "
      "inp_in=1 taps=%u wgt_in=0\n", LI, W, LI, T);
  cat(body, sizeof body, "dwgemm uop_begin=0 uop_end=1 loop_out=2 loop_in=%u acc_out=%u acc_in=1 inp_out=%u "
      "inp_in=1 taps=%u wgt_in=0 pop_prev push_next\n", LI, W, LI, T);
  size_t ni = 2 * (size_t)LI * B * BI, nw = (size_t)BO * BI;
  int8_t *in = malloc(ni), *w = malloc(nw), *want = malloc(4 * (size_t)n * lanes);
  int32_t *acc = calloc((size_t)n * lanes, sizeof *acc);
  if (!in || !w || !want || !acc) {
    free(in), free(w), free(want), free(acc);
    st_report(s, "dwgemm_window", 0, "out of memory");
    return;
  }
  for (size_t i = 0; i < ni; i++) in[i] = (int8_t)st_range(s, -128, 127);
  for (size_t i = 0; i < nw; i++) w[i] = (int8_t)st_range(s, -128, 127);
  dw_ref(d, T, LI, in, w, acc);
  st_tail(s, body, sizeof body, n, acc, want, "");
  isa_prog p;
  int ok = st_asm(s, body, &p, err, sizeof err) == 0;
  if (ok) {
    put32(p.image + s->off[ISA_MEM_UOP], (int32_t)isa_uop(c, 0, 0, 0));
    memcpy(p.image + s->off[ISA_MEM_WGT], w, nw);
    memcpy(p.image + s->off[ISA_MEM_INP], in, ni);
    ok = st_run_check(s, &p, want, 4 * (uint64_t)n, err, sizeof err);
    isa_prog_free(&p);
  }
  st_report(s, "dwgemm_window", ok, ok ? "" : err);
  free(in), free(w), free(want), free(acc);
}

/* LOAD ACC (int32) and ACC8 (int8, sign-extended) with padding on every side on the compute
 * unit, straight out through OUT (the low 8 bits; then the shifted copies of st_tail). */
static void check_acc_pad(st *s, int mem) {
  const isa_config *c = s->cfg;
  unsigned lanes = c->elem_bytes[ISA_MEM_OUT];
  const int ys = 2, xs = 3, stride = 4, yp0 = 1, yp1 = 1, xp0 = 1, xp1 = 2, pad = -7;
  const int rows = yp0 + ys + yp1, cols = xp0 + xs + xp1, n = rows * cols;
  char name[32], body[8192] = "", err[2048] = "";
  snprintf(name, sizeof name, "load_%s_pad_store", mem == ISA_MEM_ACC ? "acc" : "acc8");
  cat(body, sizeof body, "load uop sram=0 dram=%" PRIu64 " y_size=1 x_size=1 x_stride=1\n",
      st_dram(s, ISA_MEM_UOP, 0));
  cat(body, sizeof body, "load %s sram=0 dram=%" PRIu64 " y_size=%d x_size=%d x_stride=%d y_pad0=%d "
      "y_pad1=%d x_pad0=%d x_pad1=%d pad_value=%d push_next\n", mem == ISA_MEM_ACC ? "acc" : "acc8",
      st_dram(s, mem, 0), ys, xs, stride, yp0, yp1, xp0, xp1, pad);
  int32_t *src = malloc((size_t)ys * stride * lanes * sizeof *src), *acc = malloc((size_t)n * lanes * sizeof *acc);
  int8_t *want = malloc(4 * (size_t)n * lanes);
  if (!src || !acc || !want) {
    free(src), free(acc), free(want);
    st_report(s, name, 0, "out of memory");
    return;
  }
  for (unsigned i = 0; i < (unsigned)(ys * stride) * lanes; i++)
    src[i] = mem == ISA_MEM_ACC ? (int32_t)(uint32_t)st_rand(s) : st_range(s, -128, 127);
  for (int r = 0; r < rows; r++)
    for (int col = 0; col < cols; col++)
      for (unsigned l = 0; l < lanes; l++) {
        int in = r >= yp0 && r < yp0 + ys && col >= xp0 && col < xp0 + xs;
        acc[(r * cols + col) * lanes + l] = in ? src[((r - yp0) * stride + (col - xp0)) * lanes + l] : pad;
      }
  st_tail(s, body, sizeof body, n, acc, want, "");
  isa_prog p;
  int ok = st_asm(s, body, &p, err, sizeof err) == 0;
  if (ok) {
    put32(p.image + s->off[ISA_MEM_UOP], (int32_t)isa_uop(c, 0, 0, 0));
    for (unsigned i = 0; i < (unsigned)(ys * stride) * lanes; i++) {
      if (mem == ISA_MEM_ACC)
        put32(p.image + s->off[ISA_MEM_ACC] + 4 * i, src[i]);
      else
        p.image[s->off[ISA_MEM_ACC8] + i] = (uint8_t)src[i];
    }
    ok = st_run_check(s, &p, want, 4 * (uint64_t)n, err, sizeof err);
    isa_prog_free(&p);
  }
  st_report(s, name, ok, ok ? "" : err);
  free(src), free(acc), free(want);
}

/* A program that must fail with `kind` at instruction `index`. */
static void check_error(st *s, const char *name, const char *body, int kind, int64_t index) {
  isa_prog p;
  char err[2048] = "", detail[4200] = "";
  int ok = st_asm(s, body, &p, err, sizeof err) == 0;
  if (!ok) {
    snprintf(detail, sizeof detail, "%s", err);
  } else {
    int rc = drv_run_prog(s->dev, &p, NULL, s->timeout_ms);
    const drv_error *e = drv_last_error(s->dev);
    ok = rc == DRV_E_EXEC && e->kind == kind && e->insn_index == index;
    snprintf(detail, sizeof detail, "%s: kind %d at instruction %" PRId64 " (expected kind %d at %"
             PRId64 "): %s", drv_strerror(rc), e->kind, e->insn_index, kind, index, e->message);
    isa_prog_free(&p);
  }
  st_report(s, name, ok, ok && !s->verbose ? "" : detail);
}

/* A token deadlock (every unit waits for a token nobody pushes): reported with the lowest
 * waiting instruction (0) -- by the simulators as a deadlock, by a board as a timeout after
 * which the driver aborts the run; then the same open device must compute correctly. */
static void check_deadlock(st *s) {
  char body[1024], err[2048] = "", detail[2600] = "";
  snprintf(body, sizeof body,
           "load inp sram=0 dram=%" PRIu64 " y_size=1 x_size=1 x_stride=1 pop_next\n"
           "alu add use_imm imm=1 uop_begin=0 uop_end=1 loop_out=1 loop_in=1 pop_prev\n"
           "store out sram=0 dram=%" PRIu64 " y_size=1 x_size=1 x_stride=1 pop_prev\n"
           "finish\n", st_dram(s, ISA_MEM_INP, 0), st_dram(s, ISA_MEM_OUT, 0));
  isa_prog p;
  int ok = st_asm(s, body, &p, err, sizeof err) == 0;
  if (!ok) {
    snprintf(detail, sizeof detail, "%s", err);
  } else {
    uint32_t t = s->timeout_ms < 500 ? s->timeout_ms : 500;
    int rc = drv_run_prog(s->dev, &p, NULL, t);
    const drv_error *e = drv_last_error(s->dev);
    ok = ((rc == DRV_E_TIMEOUT && e->kind == DRV_ERR_TIMEOUT) ||
          (rc == DRV_E_EXEC && e->kind == DRV_ERR_DEADLOCK)) && e->insn_index == 0;
    snprintf(detail, sizeof detail, "%s (%u ms timeout): %s", drv_strerror(rc), t, e->message);
    isa_prog_free(&p);
  }
  st_report(s, "deadlock_reported", ok, ok && !s->verbose ? "" : detail);
  /* the device must take the next run (a board: after the driver's CTRL.abort) */
  check_alu(s, ISA_ALU_ADD, 0);
  fprintf(s->out, "      (the check above ran after the deadlock on the same open device)\n");
}

/* ---- the entry point ---------------------------------------------------------------------- */

int selftest_run(drv_dev *dev, const selftest_opts *opts, FILE *out) {
  st s;
  memset(&s, 0, sizeof s);
  s.dev = dev;
  s.out = out;
  s.cfg = drv_config(dev);
  s.timeout_ms = opts && opts->timeout_ms ? opts->timeout_ms : 10000;
  s.rng = opts && opts->seed ? opts->seed : 20260;
  s.verbose = opts ? opts->verbose : 0;
  st_layout(&s);
  const char *be = drv_backend_name(dev);
  fprintf(out, "dlvta selftest: backend %s, config %s: %s\n", be, s.cfg->d.name, drv_describe(dev));
  fprintf(out, "PASS  %-22s config %s fingerprint 0x%016" PRIx64 ", register map REGS_ID 0x%08x%s\n",
          "open_fingerprint", s.cfg->d.name, s.cfg->fingerprint, (unsigned)DLVTA_REGS_ID,
          !strcmp(be, "fsim") ? " (fsim: the model of the config, no bitstream)"
                              : " (checked against the device at open)");
  s.passed++;
  check_acc_pad(&s, ISA_MEM_ACC);
  check_acc_pad(&s, ISA_MEM_ACC8);
  check_gemm(&s);
  check_dwgemm(&s);
  for (int op = 0; op < ISA_ALU_COUNT; op++)
    for (int imm = 0; imm < 2; imm++) check_alu(&s, op, imm);
  char body[1024];
  snprintf(body, sizeof body,
           "load wgt sram=0 dram=%" PRIu64 " y_size=1 x_size=1 x_stride=1\n"
           "load inp sram=%u dram=%" PRIu64 " y_size=1 x_size=2 x_stride=2\n"
           "finish\n", st_dram(&s, ISA_MEM_WGT, 0), s.cfg->d.inp_depth - 1,
           st_dram(&s, ISA_MEM_INP, 0));
  check_error(&s, "error_sram_range", body, DRV_ERR_SRAM_RANGE, 1);
  snprintf(body, sizeof body,
           "load wgt sram=0 dram=%" PRIu64 " y_size=1 x_size=1 x_stride=1\n"
           "load uop sram=0 dram=%" PRIu64 " y_size=1 x_size=1 x_stride=1\n"
           ".insn 0x0 0x6\n"
           "finish\n", st_dram(&s, ISA_MEM_WGT, 0), st_dram(&s, ISA_MEM_UOP, 0));
  check_error(&s, "error_illegal", body, DRV_ERR_ILLEGAL, 2);
  check_deadlock(&s);
  selftest_report(out, s.passed, s.failed);
  return s.failed ? -s.failed : s.passed;
}

void selftest_report(FILE *out, int passed, int failed) {
  fprintf(out, "selftest: %d checks, %d passed, %d failed: %s\n", passed + failed, passed, failed,
          failed ? "FAIL" : "PASS");
  fflush(out);
}
