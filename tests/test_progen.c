/* tests/test_progen.c -- the random program generator: for many seeds on tiny and pynq, programs
 * are deterministic, decode, respect the options, run on fsim without error, agree with the
 * program-order reference of tests/test_fsim_ref.h, and give the same results whatever the
 * timing and whatever the on-chip buffers held before (race free, no read before write), and the
 * same results and counters on every level of fsim's kernels (FSIM_SIMD). Over all seeds every
 * instruction form the generator promises appears.
 */
#include "progen.h"
#include "test_fsim_ref.h"

/* Coverage over all programs. */
static uint64_t cov_op[ISA_OP_COUNT], cov_mem[ISA_MEM_COUNT], cov_alu[ISA_ALU_COUNT][2];
static uint64_t cov_pad, cov_padval, cov_reset, cov_bias, cov_src_inp, cov_tok[4], cov_multi_row, cov_empty, cov_fin_pop, cov_dw_taps[2];

static void cover(const isa_prog *p) {
  for (uint32_t i = 0; i < p->n_insns; i++) {
    isa_insn in;
    if (isa_decode(p->cfg, &p->insns[i], &in) != ISA_OK) continue;
    const uint32_t *f = in.f;
    cov_op[f[ISA_F_opcode]]++;
    cov_tok[0] += f[ISA_F_pop_prev], cov_tok[1] += f[ISA_F_pop_next];
    cov_tok[2] += f[ISA_F_push_prev], cov_tok[3] += f[ISA_F_push_next];
    if (f[ISA_F_opcode] == ISA_OP_LOAD) {
      cov_mem[f[ISA_F_mem]]++;
      cov_pad += f[ISA_F_y_pad0] || f[ISA_F_y_pad1] || f[ISA_F_x_pad0] || f[ISA_F_x_pad1];
      cov_padval += (f[ISA_F_y_pad0] || f[ISA_F_x_pad0]) && f[ISA_F_pad_value];
      cov_multi_row += f[ISA_F_y_size] > 1 && f[ISA_F_x_stride] != f[ISA_F_x_size];
    }
    if (f[ISA_F_opcode] == ISA_OP_GEMM || f[ISA_F_opcode] == ISA_OP_DWGEMM)
      cov_reset += f[ISA_F_reset], cov_bias += !f[ISA_F_reset] && f[ISA_F_bias];
    if (f[ISA_F_opcode] == ISA_OP_DWGEMM) cov_dw_taps[f[ISA_F_taps] > 1 ? 1 : 0]++;
    if (f[ISA_F_opcode] == ISA_OP_ALU) cov_alu[f[ISA_F_alu_op]][f[ISA_F_use_imm]]++, cov_src_inp += f[ISA_F_src_inp];
    if ((f[ISA_F_opcode] == ISA_OP_GEMM || f[ISA_F_opcode] == ISA_OP_ALU) &&
        (f[ISA_F_uop_end] <= f[ISA_F_uop_begin] || !f[ISA_F_loop_out] || !f[ISA_F_loop_in]))
      cov_empty++;
    if (f[ISA_F_opcode] == ISA_OP_FINISH) cov_fin_pop += f[ISA_F_pop_next];
  }
}


/* ---- an independent race and read-before-write checker ------------------------------------ *
 * Walks the program in order with a vector clock per unit (tokens carry the pusher's clock to
 * the popper, k-th push to k-th pop) and, per SRAM element, the epoch of its last write and of
 * each unit's last read. A read of an element never written, or two accesses from different
 * units (one a write) not ordered by tokens, is reported with the instruction index. The
 * accumulator and output buffers count as one (every accumulator write also writes OUT). */
enum { B_UOP, B_INP, B_WGT, B_ACC, B_LUT, NB };
typedef struct elem_state {
  int64_t w_unit, w_clock;       /* last write: unit and its clock then; w_unit -1: never */
  int64_t r_clock[ISA_UNIT_COUNT]; /* each unit's clock at its last read (0: none) */
} elem_state;

typedef struct hb {
  const isa_config *c;
  elem_state *st[NB];
  unsigned depth[NB];
  int64_t vc[ISA_UNIT_COUNT][ISA_UNIT_COUNT]; /* vc[u]: unit u's vector clock */
  int64_t *tok[4];                            /* per queue: clocks of pushes, by number */
  uint32_t *uop;                              /* micro-op words as loaded so far */
  uint64_t pushes[4], pops[4];
  uint32_t idx;
  char err[256];
} hb;

static int hb_access(hb *h, int u, int b, uint64_t e, int write) {
  if (h->err[0]) return -1;
  if (e >= h->depth[b]) {
    snprintf(h->err, sizeof h->err, "insn %u: index %" PRIu64 " out of range of buffer %d", h->idx, e, b);
    return -1;
  }
  elem_state *s = &h->st[b][e];
  const int64_t *vc = h->vc[u];
  if (!write && s->w_unit < 0) {
    snprintf(h->err, sizeof h->err, "insn %u: reads element %" PRIu64 " of buffer %d never written", h->idx, e, b);
    return -1;
  }
  if (s->w_unit >= 0 && s->w_unit != u && vc[s->w_unit] < s->w_clock) {
    snprintf(h->err, sizeof h->err, "insn %u: %s of element %" PRIu64 " of buffer %d races with a write by %s",
             h->idx, write ? "write" : "read", e, b, isa_unit_name((int)s->w_unit));
    return -1;
  }
  if (write) {
    for (int r = 0; r < ISA_UNIT_COUNT; r++)
      if (r != u && s->r_clock[r] && vc[r] < s->r_clock[r]) {
        snprintf(h->err, sizeof h->err, "insn %u: write of element %" PRIu64 " of buffer %d races with a read by %s",
                 h->idx, e, b, isa_unit_name(r));
        return -1;
      }
    s->w_unit = u, s->w_clock = vc[u];
  } else {
    s->r_clock[u] = vc[u];
  }
  return 0;
}

static const int hb_pop_q[ISA_UNIT_COUNT][2] = {{-1, 1}, {0, 3}, {2, -1}};
static const int hb_push_q[ISA_UNIT_COUNT][2] = {{-1, 0}, {1, 2}, {3, -1}};

/* 0 if p is race free and reads only written elements; else -1 with the reason in msg. */
static int hb_check(const isa_prog *p, char *msg, size_t n) {
  hb h;
  memset(&h, 0, sizeof h);
  const isa_config *c = p->cfg;
  h.c = c;
  h.depth[B_UOP] = c->d.uop_depth, h.depth[B_INP] = c->d.inp_depth;
  h.depth[B_WGT] = c->d.wgt_depth, h.depth[B_ACC] = c->d.acc_depth, h.depth[B_LUT] = ISA_LUT_DEPTH;
  for (int b = 0; b < NB; b++) {
    h.st[b] = calloc(h.depth[b], sizeof(elem_state));
    for (unsigned e = 0; e < h.depth[b]; e++) h.st[b][e].w_unit = -1;
  }
  h.uop = calloc(c->d.uop_depth, 4);
  for (int q = 0; q < 4; q++) h.tok[q] = calloc((size_t)p->n_insns * ISA_UNIT_COUNT + 1, sizeof(int64_t));
  for (uint32_t i = 0; i < p->n_insns && !h.err[0]; i++) {
    isa_insn in;
    h.idx = i;
    if (isa_decode(c, &p->insns[i], &in) != ISA_OK) {
      snprintf(h.err, sizeof h.err, "insn %u does not decode", i);
      break;
    }
    const uint32_t *f = in.f;
    int u = isa_insn_unit(&in);
    unsigned op = f[ISA_F_opcode];
    for (int dir = 0; dir < 2; dir++)
      if (f[dir ? ISA_F_pop_next : ISA_F_pop_prev]) {
        int q = hb_pop_q[u][dir];
        if (h.pops[q] >= h.pushes[q]) {
          snprintf(h.err, sizeof h.err, "insn %u pops queue %d before its push in program order", i, q);
          break;
        }
        const int64_t *t = &h.tok[q][h.pops[q]++ * ISA_UNIT_COUNT];
        for (int k = 0; k < ISA_UNIT_COUNT; k++)
          if (t[k] > h.vc[u][k]) h.vc[u][k] = t[k];
      }
    h.vc[u][u]++;
    if (op == ISA_OP_FINISH) break;
    if (op == ISA_OP_LOAD || op == ISA_OP_STORE) {
      int m = (int)f[ISA_F_mem];
      int b = m == ISA_MEM_UOP ? B_UOP : m == ISA_MEM_INP ? B_INP : m == ISA_MEM_WGT ? B_WGT
              : m == ISA_MEM_LUT ? B_LUT : B_ACC;
      uint64_t total = op == ISA_OP_STORE ? (uint64_t)f[ISA_F_y_size] * f[ISA_F_x_size]
                                          : ((uint64_t)f[ISA_F_y_pad0] + f[ISA_F_y_size] + f[ISA_F_y_pad1]) *
                                                ((uint64_t)f[ISA_F_x_pad0] + f[ISA_F_x_size] + f[ISA_F_x_pad1]);
      for (uint64_t e = 0; e < total; e++) hb_access(&h, u, b, f[ISA_F_sram] + e, op == ISA_OP_LOAD);
      if (m == ISA_MEM_UOP && !h.err[0]) { /* keep the micro-op words to follow GEMM/ALU */
        uint64_t cols = (uint64_t)f[ISA_F_x_pad0] + f[ISA_F_x_size] + f[ISA_F_x_pad1];
        for (uint64_t e = 0; e < total; e++) {
          uint64_t r = e / cols, x = e % cols;
          int data = r >= f[ISA_F_y_pad0] && r < f[ISA_F_y_pad0] + f[ISA_F_y_size] && x >= f[ISA_F_x_pad0] &&
                     x < f[ISA_F_x_pad0] + f[ISA_F_x_size];
          uint64_t de = f[ISA_F_dram] + (r - f[ISA_F_y_pad0]) * f[ISA_F_x_stride] + (x - f[ISA_F_x_pad0]);
          uint32_t w = (uint32_t)(int32_t)(int8_t)f[ISA_F_pad_value];
          if (data && (de + 1) * 4 <= p->image_bytes) memcpy(&w, p->image + de * 4, 4);
          h.uop[f[ISA_F_sram] + e] = w;
        }
      }
    } else if (f[ISA_F_loop_out] && f[ISA_F_loop_in]) {
      /* an ALU LUT may read any entry of the table: all must be written */
      if (op == ISA_OP_ALU && f[ISA_F_alu_op] == ISA_ALU_LUT && f[ISA_F_uop_end] > f[ISA_F_uop_begin])
        for (unsigned e = 0; e < ISA_LUT_DEPTH; e++) hb_access(&h, u, B_LUT, e, 0);
      for (uint64_t o = 0; o < f[ISA_F_loop_out]; o++)
        for (uint64_t l = 0; l < f[ISA_F_loop_in]; l++)
          for (uint64_t k = f[ISA_F_uop_begin]; k < f[ISA_F_uop_end] && !h.err[0]; k++) {
            if (hb_access(&h, u, B_UOP, k, 0)) break;
            uint32_t ua, us, uw;
            isa_uop_fields(c, h.uop[k], &ua, &us, &uw);
            if (op == ISA_OP_DWGEMM) { /* ISA.md: x at every iteration; a, w at i' = l - (T - 1) */
              uint64_t T = f[ISA_F_taps], ip = l >= T - 1 ? l - (T - 1) : 0;
              uint64_t a = ua + o * f[ISA_F_acc_out] + ip * f[ISA_F_acc_in];
              if (!f[ISA_F_reset]) hb_access(&h, u, B_INP, us + o * f[ISA_F_inp_out] + l * f[ISA_F_inp_in], 0);
              if (l + 1 < T) continue; /* warm-up: nothing else read or written */
              if (!f[ISA_F_reset]) {
                int bias = (int)f[ISA_F_bias];
                hb_access(&h, u, B_WGT, uw + (bias ? 0 : ip * f[ISA_F_wgt_in]), 0);
                hb_access(&h, u, B_ACC, bias ? f[ISA_F_wgt_in] + k - f[ISA_F_uop_begin] : a, 0);
              }
              hb_access(&h, u, B_ACC, a, 1);
            } else if (op == ISA_OP_GEMM) {
              uint64_t a = ua + o * f[ISA_F_acc_out] + l * f[ISA_F_acc_in];
              if (!f[ISA_F_reset]) { /* with bias: acc[wgt_in + k - uop_begin], no inner weight factor */
                int bias = (int)f[ISA_F_bias];
                hb_access(&h, u, B_INP, us + o * f[ISA_F_inp_out] + l * f[ISA_F_inp_in], 0);
                hb_access(&h, u, B_WGT, uw + o * f[ISA_F_wgt_out] + (bias ? 0 : l * f[ISA_F_wgt_in]), 0);
                hb_access(&h, u, B_ACC, bias ? f[ISA_F_wgt_in] + k - f[ISA_F_uop_begin] : a, 0);
              }
              hb_access(&h, u, B_ACC, a, 1);
            } else {
              uint64_t d = ua + o * f[ISA_F_dst_out] + l * f[ISA_F_dst_in];
              hb_access(&h, u, B_ACC, d, 0);
              if (!f[ISA_F_use_imm] || f[ISA_F_alu_op] == ISA_ALU_REQ)
                hb_access(&h, u, f[ISA_F_src_inp] ? B_INP : B_ACC, us + o * f[ISA_F_src_out] + l * f[ISA_F_src_in], 0);
              hb_access(&h, u, B_ACC, d, 1);
            }
          }
    }
    for (int dir = 0; dir < 2; dir++)
      if (f[dir ? ISA_F_push_next : ISA_F_push_prev]) {
        int q = hb_push_q[u][dir];
        memcpy(&h.tok[q][h.pushes[q]++ * ISA_UNIT_COUNT], h.vc[u], sizeof h.vc[u]);
      }
  }
  int rc = h.err[0] ? -1 : 0;
  snprintf(msg, n, "%s", h.err);
  for (int b = 0; b < NB; b++) free(h.st[b]);
  for (int q = 0; q < 4; q++) free(h.tok[q]);
  free(h.uop);
  return rc;
}

/* Fills every on-chip buffer of s with random bytes; returns a copy of what it wrote per mem. */
static void garbage(fsim *s, const isa_config *c) {
  static const int mems[] = {ISA_MEM_UOP, ISA_MEM_WGT, ISA_MEM_INP, ISA_MEM_ACC, ISA_MEM_OUT, ISA_MEM_LUT};
  for (int k = 0; k < 6; k++) {
    int m = mems[k];
    unsigned depth = m == ISA_MEM_UOP ? c->d.uop_depth : m == ISA_MEM_WGT ? c->d.wgt_depth
                     : m == ISA_MEM_INP ? c->d.inp_depth : m == ISA_MEM_LUT ? ISA_LUT_DEPTH : c->d.acc_depth;
    for (uint32_t e = 0; e < depth; e++) {
      uint8_t *p = fsim_sram(s, m, e);
      for (unsigned b = 0; b < c->elem_bytes[m]; b++) p[b] = (uint8_t)rnd();
    }
  }
}

static void random_timing(const isa_config *c, fsim *s) {
  fsim_timing tm;
  fsim_timing_default(c, &tm);
  tm.rd_latency = (unsigned)rr(0, 400), tm.wr_latency = (unsigned)rr(0, 400);
  tm.bytes_per_beat = 1u << rr(0, 7), tm.fetch_burst = (unsigned)rr(1, 40);
  tm.insn_overhead = (unsigned)rr(0, 30), tm.gemm_fill = (unsigned)rr(0, 60), tm.alu_fill = (unsigned)rr(0, 60);
  tm.pad_cycles = (unsigned)rr(0, 5), tm.finish_cycles = (unsigned)rr(0, 5), tm.row_gap = (unsigned)rr(0, 80);
  fsim_set_timing(s, &tm);
}

static void test_config(const char *name, int seeds, const progen_opts *o) {
  const isa_config *c = isa_config_find(name);
  for (int sd = 0; sd < seeds; sd++) {
    uint64_t seed = 1000003ull * (uint64_t)sd + 17;
    isa_prog p, q;
    int rc = progen_make(c, seed, o, &p);
    CHECK(rc == 0, "%s seed %" PRIu64 ": progen_make returns %d", name, seed, rc);
    if (rc) continue;
    /* deterministic */
    rc = progen_make(c, seed, o, &q);
    CHECK(rc == 0 && q.n_insns == p.n_insns && q.image_bytes == p.image_bytes &&
              !memcmp(q.insns, p.insns, 16 * (size_t)p.n_insns) && !memcmp(q.image, p.image, p.image_bytes),
          "%s seed %" PRIu64 ": two runs of progen_make differ", name, seed);
    if (!rc) isa_prog_free(&q);
    CHECK(p.n_insns <= o->max_insns && p.n_insns >= 2, "%s seed %" PRIu64 ": %u instructions (max %u)", name,
          seed, p.n_insns, o->max_insns);
    int bad_dec = 0;
    for (uint32_t i = 0; i < p.n_insns; i++) {
      isa_insn in;
      bad_dec += isa_decode(c, &p.insns[i], &in) != ISA_OK;
      if ((in.f[ISA_F_opcode] == ISA_OP_GEMM || in.f[ISA_F_opcode] == ISA_OP_ALU) &&
          (in.f[ISA_F_loop_out] > o->max_loop || in.f[ISA_F_loop_in] > o->max_loop))
        bad_dec++;
    }
    CHECK(bad_dec == 0, "%s seed %" PRIu64 ": %d instructions do not decode or exceed the options", name, seed, bad_dec);
    cover(&p);
    char why[256];
    CHECK(hb_check(&p, why, sizeof why) == 0, "%s seed %" PRIu64 ": %s", name, seed, why);

    /* expected result, counters */
    uint8_t *a = malloc(p.image_bytes + 1), *b = malloc(p.image_bytes + 1), *r = malloc(p.image_bytes + 1);
    drv_counters ca;
    drv_error e;
    rc = progen_expect(&p, a, &ca, &e);
    CHECK(rc == DRV_OK, "%s seed %" PRIu64 ": fsim: %s", name, seed, e.message);
    CHECK(ca.insns[ISA_OP_FINISH] == 1, "%s seed %" PRIu64 ": FINISH not executed", name, seed);
    uint64_t executed = 0;
    for (int k = 0; k < ISA_OP_COUNT; k++) executed += ca.insns[k];
    CHECK(executed == p.n_insns, "%s seed %" PRIu64 ": executed %" PRIu64 " of %u", name, seed, executed, p.n_insns);

    /* the program-order reference agrees */
    ref *R = ref_new(c);
    memcpy(r, p.image, p.image_bytes);
    int rr_ = ref_run(R, p.insns, p.n_insns, r, p.image_bytes);
    CHECK(rr_ == 0, "%s seed %" PRIu64 ": the reference finds an out-of-range access", name, seed);
    CHECK(!memcmp(a, r, p.image_bytes), "%s seed %" PRIu64 ": fsim and the reference differ in DRAM", name, seed);
    CHECK(R->macs == ca.macs && R->wr_bytes == ca.bytes_written, "%s seed %" PRIu64 ": macs %" PRIu64 "/%" PRIu64
          " bytes_written %" PRIu64 "/%" PRIu64, name, seed, R->macs, ca.macs, R->wr_bytes, ca.bytes_written);
    ref_free(R);

    /* any timing and any previous buffer contents give the same result */
    for (int v = 0; v < 2; v++) {
      fsim *s = fsim_create(c);
      garbage(s, c);
      random_timing(c, s);
      memcpy(b, p.image, p.image_bytes);
      rc = fsim_run_prog(s, &p, b, NULL, &e);
      CHECK(rc == DRV_OK, "%s seed %" PRIu64 " variant %d: %s", name, seed, v, e.message);
      CHECK(!memcmp(a, b, p.image_bytes), "%s seed %" PRIu64 " variant %d: results depend on timing or earlier "
            "buffer contents", name, seed, v);
      fsim_destroy(s);
    }
    /* every kernel level (FSIM_SIMD, fsim.h) gives the same bits and counters */
    static const char *const simd[] = {"scalar", "sse2", "avx2"};
    for (int v = 0; v < 3; v++) {
      setenv("FSIM_SIMD", simd[v], 1);
      fsim *s = fsim_create(c);
      unsetenv("FSIM_SIMD");
      drv_counters cv;
      memcpy(b, p.image, p.image_bytes);
      rc = fsim_run_prog(s, &p, b, &cv, &e);
      CHECK(rc == DRV_OK && !memcmp(a, b, p.image_bytes) && !memcmp(&ca, &cv, sizeof ca),
            "%s seed %" PRIu64 " FSIM_SIMD=%s: results or counters differ from the default kernels", name,
            seed, simd[v]);
      fsim_destroy(s);
    }
    /* progen_diff names the first difference and the STORE behind it */
    char dmsg[1024];
    CHECK(progen_diff(&p, a, r, dmsg, sizeof dmsg) == 0, "%s seed %" PRIu64 ": %s", name, seed, dmsg);
    if (p.image_bytes && sd % 10 == 0) {
      uint64_t at = (uint64_t)rr(0, p.image_bytes - 1);
      memcpy(b, a, p.image_bytes);
      b[at] ^= 0x40;
      int dr = progen_diff(&p, a, b, dmsg, sizeof dmsg);
      char want[64];
      snprintf(want, sizeof want, "image byte %" PRIu64 "", at);
      CHECK(dr == 1 && strstr(dmsg, want), "%s seed %" PRIu64 ": progen_diff on byte %" PRIu64 ": %s", name, seed, at, dmsg);
    }
    if (getenv("PROGEN_DUMP") && (uint64_t)atoll(getenv("PROGEN_DUMP")) == seed) isa_prog_write_asm(&p, stdout);
    free(a), free(b), free(r);
    isa_prog_free(&p);
  }
}

/* argv[1]: multiply the number of seeds (make test-long runs x50). */
int main(int argc, char **argv) {
  int x = argc > 1 ? atoi(argv[1]) : 1;
  if (x < 1) x = 1;
  r_state = 31337;
  progen_opts o;
  progen_opts_default(&o);
  test_config("tiny", 1000 * x, &o);
  test_config("pynq", 300 * x, &o);
  test_config("ultra96", 50 * x, &o);
  o.max_insns = 40, o.max_loop = 9, o.max_uops = 7, o.region = 8;
  test_config("tiny", 300 * x, &o);
  o.max_insns = 600, o.max_loop = 3, o.region = 200;
  test_config("pynq", 30 * x, &o);

  /* restrictions are obeyed (and the programs stay valid) */
  static const struct {
    uint32_t flags, alu_ops;
  } restr[] = {{PROGEN_F_NO_PAD, 0}, {PROGEN_F_NO_GEMM, 0}, {PROGEN_F_NO_ALU, 0},
               {PROGEN_F_NO_GEMM | PROGEN_F_NO_ALU | PROGEN_F_ONE_BUFFER, 0},
               {0, 1u << ISA_ALU_ADD | 1u << ISA_ALU_REQ}};
  for (size_t k = 0; k < sizeof restr / sizeof restr[0]; k++) {
    progen_opts_default(&o);
    o.flags = restr[k].flags, o.alu_ops = restr[k].alu_ops;
    test_config("tiny", 60, &o);
    long bad = 0;
    for (uint64_t sd = 0; sd < 60; sd++) {
      isa_prog q;
      if (progen_make(isa_config_find("tiny"), sd, &o, &q)) {
        bad++;
        continue;
      }
      for (uint32_t i = 0; i < q.n_insns; i++) {
        isa_insn in;
        isa_decode(q.cfg, &q.insns[i], &in);
        const uint32_t *f = in.f;
        int op = (int)f[ISA_F_opcode];
        if ((o.flags & PROGEN_F_NO_GEMM) && op == ISA_OP_GEMM) bad++;
        if ((o.flags & PROGEN_F_NO_ALU) && op == ISA_OP_ALU) bad++;
        if (o.alu_ops && op == ISA_OP_ALU && !(o.alu_ops >> f[ISA_F_alu_op] & 1)) bad++;
        if ((o.flags & PROGEN_F_NO_PAD) && op == ISA_OP_LOAD &&
            (f[ISA_F_y_pad0] || f[ISA_F_y_pad1] || f[ISA_F_x_pad0] || f[ISA_F_x_pad1]))
          bad++;
      }
      isa_prog_free(&q);
    }
    CHECK(bad == 0, "restriction %zu (flags 0x%x, alu_ops 0x%x): %ld violations", k, restr[k].flags, restr[k].alu_ops, bad);
  }

  /* bad options are refused, not crashed on */
  isa_prog p;
  o.max_insns = 3;
  CHECK(progen_make(isa_config_find("tiny"), 1, &o, &p) == -1, "max_insns 3 accepted");

  for (int k = 0; k < ISA_OP_COUNT; k++) CHECK(cov_op[k] > 0, "no %s generated", isa_op_name(k));
  for (int m = 0; m < ISA_MEM_COUNT; m++)
    if (m != ISA_MEM_OUT) CHECK(cov_mem[m] > 0, "no LOAD of %s generated", isa_mem_name(m));
  for (int a = 0; a < ISA_ALU_COUNT; a++)
    for (int u = 0; u < 2; u++) CHECK(cov_alu[a][u] > 0, "no ALU %s use_imm=%d generated", isa_alu_name(a), u);
  CHECK(cov_pad > 0 && cov_padval > 0 && cov_reset > 0 && cov_multi_row > 0 && cov_empty > 0 && cov_fin_pop > 0,
        "coverage: pad %" PRIu64 " pad_value %" PRIu64 " reset %" PRIu64 " strided %" PRIu64 " empty %" PRIu64
        " finish-pop %" PRIu64, cov_pad, cov_padval, cov_reset, cov_multi_row, cov_empty, cov_fin_pop);
  for (int t = 0; t < 4; t++) CHECK(cov_tok[t] > 0, "token flag %d never generated", t);
  CHECK(cov_bias > 0, "no GEMM with bias generated");
  CHECK(cov_dw_taps[0] > 0 && cov_dw_taps[1] > 0, "DWGEMMs of one tap: %" PRIu64 ", of more: %" PRIu64 " (want both)",
        cov_dw_taps[0], cov_dw_taps[1]);
  CHECK(cov_src_inp > 0, "no ALU with an input-buffer source generated");
  printf("coverage: LOAD %" PRIu64 " STORE %" PRIu64 " GEMM %" PRIu64 " DWGEMM %" PRIu64 " ALU %" PRIu64
         " FINISH %" PRIu64 "; padded loads %" PRIu64 ", resets %" PRIu64 ", biases %" PRIu64 ", empty nests %" PRIu64 "\n",
         cov_op[ISA_OP_LOAD], cov_op[ISA_OP_STORE], cov_op[ISA_OP_GEMM], cov_op[ISA_OP_DWGEMM], cov_op[ISA_OP_ALU],
         cov_op[ISA_OP_FINISH], cov_pad, cov_reset, cov_bias, cov_empty);
  return TEST_END();
}
