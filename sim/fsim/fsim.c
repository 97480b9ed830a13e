/* sim/fsim/fsim.c -- fsim's scheduler: instruction fetch into per-unit queues, the four token
 * queues, the three units progressing independently, deadlock / no-FINISH detection, and the
 * discrete-event timing model behind the cycle estimate and the counters (isa/ISA.md "Units,
 * queues and tokens" and "Timing"). Instruction semantics live in fsim_exec.c.
 *
 * How a run proceeds: four agents (fetch and the three units) each have a next action with a
 * time in the timing model: fetch delivers the next instruction into its unit's queue when that
 * queue has room; a unit starts its head instruction when every queue it pops has a token and
 * every queue it pushes has room. The agent with the earliest time acts (ties: load, compute,
 * store, then fetch); an instruction executes atomically when it starts and its pushed tokens
 * carry its end time, so a consumer never starts before its producer ended. Race-free programs
 * give the same result for any timing; the timing only orders racy ones.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsim_int.h"
#include "util.h"

#if FSIM_X86
#include <immintrin.h>
#endif

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "fsim stores little-endian elements in host order: little-endian hosts only"
#endif

/* ---- timing constants ---------------------------------------------------------------------- */

void fsim_timing_default(const isa_config *cfg, fsim_timing *t) {
  t->rd_latency = cfg->d.dram_rd_latency; /* from the config (tsim's DRAM model default) */
  t->wr_latency = cfg->d.dram_wr_latency;
  t->bytes_per_beat = cfg->d.axi_bits / 8;
  /* fetch (rtl/dlvta_fetch.v): bursts of 16 beats into a buffer of 32 instructions; the read
   * port (rtl/dlvta_axi_rd.v) has at most 8 bursts in flight */
  t->fetch_burst = cfg->d.fetch_burst; /* 16 beats of B bytes: B instructions */
  t->fetch_buffer = 32;
  t->fetch_overhead = 2;
  /* the start's cycle of unit reset, the control's registered go, fetch's registered start and
   * the read port's registered grant before the first address (a program of one FINISH: 45
   * cycles on the pynq RTL; fetch_overhead + 4) */
  t->start_overhead = 6;
  t->rd_bursts = 8;
  t->row_gap = 0;       /* rows of a LOAD/STORE stream back to back, one latency per LOAD */
  t->rd_beat_q8 = 256;  /* one beat per cycle each way, an address per cycle (tsim's DRAM */
  t->wr_beat_q8 = 256;  /* model without stalls) */
  t->rd_addr_wait_q8 = 0;
  t->wr_addr_wait_q8 = 0;
  t->rd_beat_wait_q8 = 0;
  t->wr_beat_wait_q8 = 0;
  /* the RTL's fixed instruction and DMA costs (isa_derived: one value for fsim and the
   * compiler's cost model, calibrated there) */
  t->insn_overhead = cfg->d.insn_overhead;
  t->rd_overhead = cfg->d.rd_overhead;
  t->wr_overhead = cfg->d.wr_overhead;
  t->ld_check = cfg->d.ld_check;
  t->st_check = cfg->d.st_check;
  t->pad_cycles = 1;    /* ISA.md: pad elements take one cycle each */
  t->ld_nodata = 1;     /* a LOAD of pads only: 2 + pads cycles after ld_check; of nothing: 1 */
  /* rtl/dlvta_compute.v's stages: the uop read's priming (loop_prime), S0 uop, S1 indices, S1R
   * operand reads, S2 read data, S3 operands, then GEMM writes in S(4 + floor(log2(BLOCK_IN) / 2)) (dlvta_gemm.v: operand
   * registers, products, adder tree two levels a stage) and the ALU in S9 (isa_derived) */
  t->gemm_fill = cfg->d.loop_prime + cfg->d.gemm_wstage + 1;
  t->alu_fill = cfg->d.loop_prime + cfg->d.alu_wstage + 1;
  /* one accumulator copy (config acc_copies): the source cache's fill and miss (isa_derived) */
  t->alu_src_fill = cfg->d.alu_src_fill;
  t->src_miss_cycles = cfg->d.src_miss_cycles;
  /* ALU read-after-write: cycles between an iteration and a later one that reads its result
   * (the write in S9 reaches the reader's operands in S3; with the source cache, its entry) */
  t->alu_raw_dist = cfg->d.alu_wstage - 2;
  t->alu_raw_dist_src = cfg->d.alu_wstage + 2;
  t->finish_cycles = 1;
}

void fsim_set_timing(fsim *s, const fsim_timing *t) {
  s->tm = *t;
  if (!s->tm.bytes_per_beat) s->tm.bytes_per_beat = 1;
  if (!s->tm.fetch_burst) s->tm.fetch_burst = 1;
  if (!s->tm.fetch_buffer) s->tm.fetch_buffer = 1;
  if (!s->tm.rd_bursts) s->tm.rd_bursts = 1;
  if (s->tm.rd_bursts > FSIM_RD_BURSTS_MAX) s->tm.rd_bursts = FSIM_RD_BURSTS_MAX;
  if (!s->tm.rd_beat_q8) s->tm.rd_beat_q8 = 256;
  if (!s->tm.wr_beat_q8) s->tm.wr_beat_q8 = 256;
}

/* ---- create / destroy ---------------------------------------------------------------------- */

void fsim_set_trace(fsim *s, drv_trace_fn fn, void *ctx) {
  s->trace_fn = fn;
  s->trace_ctx = ctx;
}

fsim *fsim_create(const isa_config *cfg) {
  const isa_derived *d = &cfg->d;
  if (d->block_in > GEMM_MAX_BI) return NULL;
  fsim *s = calloc(1, sizeof *s);
  if (!s) return NULL;
  s->cfg = cfg;
  s->n_win = -1;
  fsim_timing_default(cfg, &s->tm);
  s->nb = d->batch;
  s->bi = d->block_in;
  s->bo = d->block_out;
  s->inp_lanes = d->batch * d->block_in;
  s->wgt_lanes = d->block_out * d->block_in;
  s->acc_lanes = d->batch * d->block_out;
  s->uop = calloc(d->uop_depth, sizeof *s->uop);
  s->inp = calloc((size_t)d->inp_depth * s->inp_lanes, 1);
  s->wgt = calloc((size_t)d->wgt_depth * s->wgt_lanes, 1);
  s->simd = fsim_x_simd_pick();
  int vec = fsim_x_vec_gemm(s);
  if (vec) s->wgt16p = calloc((size_t)d->wgt_depth * s->wgt_lanes, sizeof *s->wgt16p);
  else s->wgt16 = calloc((size_t)d->wgt_depth * s->wgt_lanes, sizeof *s->wgt16);
  s->urun = calloc((size_t)d->uop_depth + 1, sizeof *s->urun);
  s->acc = calloc((size_t)d->acc_depth * s->acc_lanes, sizeof *s->acc);
  s->out = calloc((size_t)d->acc_depth * s->acc_lanes, 1);
  s->lut = calloc((size_t)ISA_LUT_DEPTH * s->acc_lanes, 1);
  s->ua = calloc(d->uop_depth, sizeof *s->ua);
  s->us = calloc(d->uop_depth, sizeof *s->us);
  s->uw = calloc(d->uop_depth, sizeof *s->uw);
  s->tmp = calloc(s->acc_lanes, sizeof *s->tmp);
  s->hz_go = calloc(d->acc_depth, sizeof *s->hz_go);
  s->hz_gen = calloc(d->acc_depth, sizeof *s->hz_gen);
  s->sc_n = d->acc_depth / 2 < FSIM_SC_MAX ? d->acc_depth / 2 : FSIM_SC_MAX;
  if (!s->uop || !s->inp || !s->wgt || !(vec ? s->wgt16p : s->wgt16) || !s->urun || !s->acc || !s->out ||
      !s->lut || !s->ua || !s->us || !s->uw || !s->tmp || !s->hz_go || !s->hz_gen) {
    fsim_destroy(s);
    return NULL;
  }
  return s;
}

void fsim_destroy(fsim *s) {
  if (!s) return;
  free(s->uop);
  free(s->inp);
  free(s->wgt);
  free(s->wgt16);
  free(s->wgt16p);
  free(s->urun);
  free(s->acc);
  free(s->out);
  free(s->lut);
  free(s->ua);
  free(s->us);
  free(s->uw);
  free(s->tmp);
  free(s->hz_go);
  free(s->hz_gen);
  free(s);
}

uint8_t *fsim_sram(fsim *s, int mem, uint32_t i) {
  const isa_derived *d = &s->cfg->d;
  switch (mem) {
  case ISA_MEM_UOP: return i < d->uop_depth ? (uint8_t *)(s->uop + i) : NULL;
  case ISA_MEM_WGT:
    if (i >= d->wgt_depth) return NULL;
    s->wgt16_stale = 1; /* the caller may write through the pointer */
    return (uint8_t *)(s->wgt + (size_t)i * s->wgt_lanes);
  case ISA_MEM_INP: return i < d->inp_depth ? (uint8_t *)(s->inp + (size_t)i * s->inp_lanes) : NULL;
  case ISA_MEM_ACC:
  case ISA_MEM_ACC8:
    return i < d->acc_depth ? (uint8_t *)(s->acc + (size_t)i * s->acc_lanes) : NULL;
  case ISA_MEM_OUT: return i < d->out_depth ? (uint8_t *)(s->out + (size_t)i * s->acc_lanes) : NULL;
  case ISA_MEM_LUT: return i < ISA_LUT_DEPTH ? (uint8_t *)(s->lut + (size_t)i * s->acc_lanes) : NULL;
  }
  return NULL;
}

/* ---- queues -------------------------------------------------------------------------------- */

enum { Q_L2C, Q_C2L, Q_C2S, Q_S2C, NQ };
static const char *const q_names[NQ] = {"L2C (load -> compute)", "C2L (compute -> load)",
                                        "C2S (compute -> store)", "S2C (store -> compute)"};
/* Queue a unit pops for pop_prev / pop_next and pushes for push_prev / push_next (-1: the flag
 * is illegal on that unit, which isa_decode rejects). */
static const int pop_q[ISA_UNIT_COUNT][2] = {{-1, Q_C2L}, {Q_L2C, Q_S2C}, {Q_C2S, -1}};
static const int push_q[ISA_UNIT_COUNT][2] = {{-1, Q_L2C}, {Q_C2L, Q_C2S}, {Q_S2C, -1}};

/* A token queue: count, and rings (capacity entries) of the times of recent pushes and pops,
 * indexed by sequence number, so that a pop knows when its token arrived and a push when its
 * slot was freed. */
typedef struct tokq {
  uint64_t pushes, pops; /* totals; count = pushes - pops */
  uint64_t *push_t;      /* [cap] */
  uint64_t *pop_t;       /* [cap] */
} tokq;

/* An instruction in a unit's queue. */
typedef struct qent {
  uint32_t idx;       /* program index */
  isa_word w;
  isa_insn in;
  uint64_t t_deliver; /* cycle fetch delivered it */
} qent;

typedef struct unitq {
  qent *q;           /* [insn_queue] ring */
  uint64_t enq, started; /* instructions enqueued / started; in queue: enq - started */
  uint64_t *start_t; /* [insn_queue] start times by sequence number, for fetch's room */
  uint64_t free_t;   /* cycle the unit finishes its current instruction */
  int push_q[2];     /* the token queues its current instruction pushed (-1: none) */
} unitq;

/* The read bursts in flight or booked ahead, in the order of their addresses: the cycle the
 * address went (ar), its data's first cycle (st) and the cycle after its last (en). */
typedef struct rdq {
  uint64_t *ar, *st, *en; /* [n]: the live bursts, from `off` on in the buffers below */
  uint64_t *dn;           /* [n]: the cycles of the channel each takes (its data's length) */
  uint8_t *own;           /* [n]: the unit whose LOAD booked each (RD_FETCH: fetch) */
  uint64_t *ar0, *st0, *en0, *dn0; /* [cap] buffers */
  uint8_t *own0;
  size_t n, off, cap;
  uint64_t gone_end;      /* the latest data end of the bursts dropped from the front */
  unsigned frac;          /* the fraction of a cycle the last booking left over, 1/256 */
} rdq;

/* The AXI read data channel's bookings: busy spans [s, e) in increasing order, from a floor
 * (no later request starts before it) on; the fraction of a cycle the last booking left over. */
#define RDCAL_MAX 64
typedef struct rdcal {
  uint64_t s[RDCAL_MAX], e[RDCAL_MAX];
  int n;
} rdcal;

typedef struct run {
  fsim *s;
  fsim_dram dram;
  unsigned depth, cap;
  tokq tq[NQ];
  unitq u[ISA_UNIT_COUNT];
  /* fetch */
  uint64_t insn_addr;
  uint32_t count, next;  /* next instruction to fetch */
  int stopped;           /* FINISH fetched */
  uint64_t f_free;       /* cycle the last instruction was delivered to its unit's queue */
  uint32_t f_req;        /* instructions requested by the fetch bursts issued so far */
  uint64_t f_ar;         /* the fetch DMA's next address slot */
  unsigned f_cap;        /* entries of the two rings below */
  uint64_t *f_ready;     /* [f_cap] by instruction index: cycle its data is in the buffer */
  uint64_t *f_disp;      /* [f_cap] by instruction index: cycle it was delivered */
  int have_peek;         /* next instruction read and decoded */
  isa_word pw;
  isa_insn pin;
  int p_rc;              /* ISA_OK or isa_decode's error; or 1: DRAM range */
  /* state */
  rdq rd;                /* the read bursts (fetch and the LOADs of both units) */
  int rd_unit;           /* the unit booking read bursts now (RD_FETCH: fetch) */
  uint64_t rd_late[ISA_UNIT_COUNT]; /* cycles by which a later-booked burst delayed unit u's
                                     * current LOAD's data (rd_burst), not yet applied */
  rdcal cal;             /* the read data channel's busy cycles */
  unsigned ar_frac, aw_frac, rbw_frac, wbw_frac; /* fractions of a cycle of waits, 1/256 */
  uint64_t rd1_free;     /* the second read port's data is free from this cycle (split LOADs) */
  uint64_t wr_free;      /* the AXI write data channel is free from this cycle (STOREs) */
  unsigned wr_frac;      /* the fraction of a cycle the last STORE's beats left over, 1/256 */
  int finished;
  drv_counters *ctr;
  drv_error *err;
  int trace; /* environment FSIM_TRACE set: one line per executed instruction on stderr (2:
              * with its disassembly) */
} run;

static unsigned u_count(const unitq *u) { return (unsigned)(u->enq - u->started); }

/* ---- fetch ---------------------------------------------------------------------------------- */

/* Read and decode instruction r->next (once). */
static void peek(run *r) {
  if (r->have_peek) return;
  r->have_peek = 1;
  uint64_t addr = r->insn_addr + (uint64_t)r->next * 16;
  const uint8_t *p = addr < r->insn_addr || !drv_window_ok(r->dram.w, r->dram.nw, addr, 16)
                       ? NULL
                       : fsim_x_dram(&r->dram, addr, 16);
  if (!p) {
    r->p_rc = 1;
    memset(&r->pw, 0, sizeof r->pw);
    return;
  }
  memcpy(&r->pw.w[0], p, 8);
  memcpy(&r->pw.w[1], p + 8, 8);
  r->p_rc = isa_decode(r->s->cfg, &r->pw, &r->pin);
}

static uint64_t ceil_div(uint64_t a, uint64_t b) { return (a + b - 1) / b; }


/* ---- the read channels ----------------------------------------------------------------------- */
/* Fetch and the LOADs of both units share the AXI read channels (rtl/dlvta_axi_rd.v): addresses
 * are granted in turn, at most rd_bursts bursts are in flight, and data returns in address
 * order. A burst's data takes the channel's earliest free cycles (cal) from when it could come,
 * so that requesters share its throughput. fsim books a burst when its requester acts, which
 * can be after bursts with later addresses were booked (a long LOAD books all of its bursts at
 * its start): then the new burst takes its address slot and its place in the data order among
 * the earlier bursts only (the RTL grants it in turn), and, if it is a LOAD's, the later ones
 * come after it (rd_shift), so that another unit's LOAD in progress ends later by as much (the
 * compute unit's LUT or bias LOAD at a layer's start, sharing the channel with the load unit's
 * weights: efficientnet_b0 on pynq -0.43 -> -0.20 % of the RTL's cycles). A fetch burst does
 * not move them (the random cross-check is closer without). */

/* Cycles of `beats` read beats at rd_beat_q8, with the fraction carried over from the last
 * booking. */
static uint64_t rd_cycles(run *r, uint64_t beats) {
  uint64_t q = beats * r->s->tm.rd_beat_q8 + r->rd.frac;
  r->rd.frac = (unsigned)(q % 256);
  return q / 256;
}

/* Forget the bursts at the front, and the busy spans, that ended by floor (no later request
 * starts before it). */
static void rd_prune(run *r, uint64_t floor) {
  rdcal *c = &r->cal;
  int m = 0;
  while (m < c->n && c->e[m] <= floor) m++;
  if (m) {
    memmove(c->s, c->s + m, (size_t)(c->n - m) * sizeof c->s[0]);
    memmove(c->e, c->e + m, (size_t)(c->n - m) * sizeof c->e[0]);
    c->n -= m;
  }
  rdq *q = &r->rd;
  size_t k = 0;
  while (k < q->n && q->en[k] <= floor) {
    if (q->en[k] > q->gone_end) q->gone_end = q->en[k];
    k++;
  }
  q->ar += k, q->st += k, q->en += k, q->dn += k, q->own += k, q->off += k, q->n -= k; /* rd_burst moves them back when it needs room */
}

/* Appends span [s, e) to the n spans of ns/ne (in order), merging it with the last if they touch. */
static void span_add(uint64_t *ns, uint64_t *ne, int *n, uint64_t s, uint64_t e) {
  if (*n && ne[*n - 1] >= s) {
    if (e > ne[*n - 1]) ne[*n - 1] = e;
    return;
  }
  ns[*n] = s;
  ne[(*n)++] = e;
}

/* Spans of the channel's list that a new booking leaves as they are: those ending before a
 * (spans are separated, so neither merges with what follows them). The first other span's index. */
static int rd_keep(const rdcal *c, uint64_t a) {
  int lo = 0, hi = c->n;
  while (lo < hi) {
    int mid = (lo + hi) / 2;
    if (c->e[mid] < a) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/* Replaces spans [k0, k1) of the channel's list by the n spans ns/ne; then, while there are too
 * many spans, counts the earliest gap as busy. */
static void rd_splice(rdcal *c, int k0, int k1, const uint64_t *ns, const uint64_t *ne, int n) {
  uint64_t ts[RDCAL_MAX * 3 + 1], te[RDCAL_MAX * 3 + 1];
  int m = k0 + n + (c->n - k1);
  if (m <= RDCAL_MAX) { /* in place */
    memmove(c->s + k0 + n, c->s + k1, (size_t)(c->n - k1) * sizeof c->s[0]);
    memmove(c->e + k0 + n, c->e + k1, (size_t)(c->n - k1) * sizeof c->e[0]);
    memcpy(c->s + k0, ns, (size_t)n * sizeof ns[0]);
    memcpy(c->e + k0, ne, (size_t)n * sizeof ne[0]);
    c->n = m;
    return;
  }
  memcpy(ts, c->s, (size_t)k0 * sizeof ts[0]);
  memcpy(te, c->e, (size_t)k0 * sizeof te[0]);
  memcpy(ts + k0, ns, (size_t)n * sizeof ts[0]);
  memcpy(te + k0, ne, (size_t)n * sizeof te[0]);
  memcpy(ts + k0 + n, c->s + k1, (size_t)(c->n - k1) * sizeof ts[0]);
  memcpy(te + k0 + n, c->e + k1, (size_t)(c->n - k1) * sizeof te[0]);
  int cut = m - RDCAL_MAX; /* the first cut + 1 spans become one */
  te[0] = te[cut];
  memcpy(c->s + 1, ts + 1 + cut, (size_t)(RDCAL_MAX - 1) * sizeof ts[0]);
  memcpy(c->e + 1, te + 1 + cut, (size_t)(RDCAL_MAX - 1) * sizeof te[0]);
  c->s[0] = ts[0];
  c->e[0] = te[0];
  c->n = RDCAL_MAX;
}

/* Books d cycles of the read channel from cycle a on, in its earliest free cycles (if commit;
 * else only computes). Returns the cycle after the last one booked (a if d is 0); *first: the
 * first one. The spans before rd_keep's index stay; the walk stops after the span that follows
 * the last cycle booked (which it may merge with). */
static uint64_t rd_book(run *r, uint64_t a, uint64_t d, uint64_t *first, int commit) {
  rdcal *c = &r->cal;
  *first = a;
  if (!d) return a;
  uint64_t ns[RDCAL_MAX * 2 + 1], ne[RDCAL_MAX * 2 + 1];
  int n = 0, k0 = rd_keep(c, a), k = k0;
  uint64_t cur = a, left = d;
  for (;; k++) {
    uint64_t gap_end = k < c->n ? c->s[k] : UINT64_MAX;
    if (left && gap_end > cur) { /* the free cycles [cur, gap_end) */
      uint64_t take = gap_end - cur < left ? gap_end - cur : left;
      if (left == d) *first = cur;
      if (commit) span_add(ns, ne, &n, cur, cur + take);
      left -= take;
      cur += take;
    }
    if (k == c->n) break;
    if (!left && !commit) break;
    if (commit) span_add(ns, ne, &n, c->s[k], c->e[k]);
    if (!left) {
      k++;
      break;
    }
    if (c->e[k] > cur) cur = c->e[k];
  }
  if (commit) rd_splice(c, k0, k, ns, ne, n);
  return cur;
}

#define RD_FETCH ISA_UNIT_COUNT /* rdq.own of fetch's bursts */
#define RD_SCAN FSIM_RD_BURSTS_MAX /* bursts looked at before a new one (their data ends grow
                                     in address order) */

/* Over the n data ends en[0..n): how many lie after a (the return), the soonest of those
 * (*soonest; UINT64_MAX if none) and the latest of all (*latest; 0 if none). Independent lanes
 * without branches: the ends are in no order that a branch could predict. */
static inline uint64_t min64(uint64_t x, uint64_t y) { return x < y ? x : y; }
static inline uint64_t max64(uint64_t x, uint64_t y) { return x > y ? x : y; }

static unsigned rd_window_c(const uint64_t *en, size_t n, uint64_t a, uint64_t *soonest, uint64_t *latest) {
  unsigned b0 = 0, b1 = 0;
  uint64_t s0 = UINT64_MAX, s1 = UINT64_MAX, m0 = 0, m1 = 0;
  size_t j = 0;
  for (; j + 2 <= n; j += 2) {
    uint64_t e0 = en[j], e1 = en[j + 1];
    b0 += e0 > a, b1 += e1 > a;
    s0 = min64(s0, e0 > a ? e0 : UINT64_MAX), s1 = min64(s1, e1 > a ? e1 : UINT64_MAX);
    m0 = max64(m0, e0), m1 = max64(m1, e1);
  }
  if (j < n) {
    b0 += en[j] > a;
    s0 = min64(s0, en[j] > a ? en[j] : UINT64_MAX);
    m0 = max64(m0, en[j]);
  }
  *soonest = min64(s0, s1);
  *latest = max64(m0, m1);
  return b0 + b1;
}

#if FSIM_X86
/* One vector of four ends into rd_window_avx2's count, soonest and latest (offset by 2^63). */
__attribute__((target("avx2"))) static inline __attribute__((always_inline)) void
rd_window4(const uint64_t *en, __m256i av, __m256i *cnt, __m256i *sn, __m256i *mx) {
  const __m256i sb = _mm256_set1_epi64x(INT64_MIN);
  __m256i e = _mm256_xor_si256(_mm256_loadu_si256((const __m256i *)en), sb);
  __m256i gt = _mm256_cmpgt_epi64(e, av);
  *cnt = _mm256_sub_epi64(*cnt, gt);
  __m256i m = _mm256_blendv_epi8(_mm256_set1_epi64x(INT64_MAX), e, gt);
  *sn = _mm256_blendv_epi8(*sn, m, _mm256_cmpgt_epi64(*sn, m));
  *mx = _mm256_blendv_epi8(*mx, e, _mm256_cmpgt_epi64(e, *mx));
}

/* rd_window_c on four lanes a vector, two vectors at a time (unsigned compares: both sides
 * offset by 2^63). */
__attribute__((target("avx2"))) static unsigned
rd_window_avx2(const uint64_t *en, size_t n, uint64_t a, uint64_t *soonest, uint64_t *latest) {
  const __m256i sb = _mm256_set1_epi64x(INT64_MIN), av = _mm256_set1_epi64x((int64_t)(a ^ (1ull << 63)));
  __m256i cnt[2] = {_mm256_setzero_si256(), _mm256_setzero_si256()};
  __m256i sn[2] = {_mm256_set1_epi64x(INT64_MAX), _mm256_set1_epi64x(INT64_MAX)}, mx[2] = {sb, sb};
  size_t j = 0;
  for (; j + 8 <= n; j += 8) {
    rd_window4(en + j, av, &cnt[0], &sn[0], &mx[0]);
    rd_window4(en + j + 4, av, &cnt[1], &sn[1], &mx[1]);
  }
  if (j + 4 <= n) {
    rd_window4(en + j, av, &cnt[0], &sn[0], &mx[0]);
    j += 4;
  }
  uint64_t c4[2][4], s4[2][4], m4[2][4];
  for (unsigned h = 0; h < 2; h++) {
    _mm256_storeu_si256((__m256i *)c4[h], cnt[h]);
    _mm256_storeu_si256((__m256i *)s4[h], _mm256_xor_si256(sn[h], sb));
    _mm256_storeu_si256((__m256i *)m4[h], _mm256_xor_si256(mx[h], sb));
  }
  uint64_t st, lt;
  unsigned busy = rd_window_c(en + j, n - j, a, &st, &lt);
  for (unsigned h = 0; h < 2; h++)
    for (unsigned l = 0; l < 4; l++) busy += (unsigned)c4[h][l], st = min64(st, s4[h][l]), lt = max64(lt, m4[h][l]);
  *soonest = st;
  *latest = lt;
  return busy;
}
#endif

#if FSIM_X86
/* rd_window_c on eight lanes a vector with AVX-512's unsigned compares and masks. */
__attribute__((target("avx512f"))) static unsigned
rd_window_avx512(const uint64_t *en, size_t n, uint64_t a, uint64_t *soonest, uint64_t *latest) {
  const __m512i av = _mm512_set1_epi64((int64_t)a);
  __m512i cnt = _mm512_setzero_si512(), sn = _mm512_set1_epi64(-1), mx = _mm512_setzero_si512();
  const __m512i one = _mm512_set1_epi64(1);
  size_t j = 0;
  for (; j + 8 <= n; j += 8) {
    __m512i e = _mm512_loadu_si512(en + j);
    __mmask8 gt = _mm512_cmpgt_epu64_mask(e, av);
    cnt = _mm512_mask_add_epi64(cnt, gt, cnt, one);
    sn = _mm512_mask_min_epu64(sn, gt, sn, e);
    mx = _mm512_max_epu64(mx, e);
  }
  uint64_t st, lt;
  unsigned busy = rd_window_c(en + j, n - j, a, &st, &lt);
  busy += (unsigned)_mm512_reduce_add_epi64(cnt);
  *soonest = min64(st, (uint64_t)_mm512_reduce_min_epu64(sn));
  *latest = max64(lt, (uint64_t)_mm512_reduce_max_epu64(mx));
  return busy;
}
#endif

static unsigned rd_window(const run *r, const uint64_t *en, size_t n, uint64_t a, uint64_t *soonest,
                          uint64_t *latest) {
  if (!n) { /* rd_window_c's answer for none, without an offset into an empty queue's NULL array */
    *soonest = UINT64_MAX, *latest = 0;
    return 0;
  }
#if FSIM_X86
  if (r->s->simd >= FSIM_SIMD_AVX512) return rd_window_avx512(en, n, a, soonest, latest);
  if (r->s->simd >= FSIM_SIMD_AVX2) return rd_window_avx2(en, n, a, soonest, latest);
#endif
  (void)r;
  return rd_window_c(en, n, a, soonest, latest);
}

/* Room for one more burst at the end of the buffers: the live ones moved to the front when they
 * fill at most half, else buffers twice as large. 0 if out of memory. */
static int rd_room(rdq *q) {
  if (q->off && q->n <= q->cap / 2) {
    memmove(q->ar0, q->ar, q->n * sizeof q->ar[0]);
    memmove(q->st0, q->st, q->n * sizeof q->st[0]);
    memmove(q->en0, q->en, q->n * sizeof q->en[0]);
    memmove(q->dn0, q->dn, q->n * sizeof q->dn[0]);
    memmove(q->own0, q->own, q->n * sizeof q->own[0]);
  } else {
    size_t cap = q->cap ? 2 * q->cap : 64;
    uint64_t *ar = malloc(cap * sizeof *ar), *st = malloc(cap * sizeof *st), *en = malloc(cap * sizeof *en);
    uint64_t *dn = malloc(cap * sizeof *dn);
    uint8_t *own = malloc(cap);
    if (!ar || !st || !en || !dn || !own) {
      free(ar);
      free(st);
      free(en);
      free(dn);
      free(own);
      return 0;
    }
    if (q->n) {
      memcpy(ar, q->ar, q->n * sizeof *ar), memcpy(st, q->st, q->n * sizeof *st);
      memcpy(en, q->en, q->n * sizeof *en), memcpy(own, q->own, q->n);
      memcpy(dn, q->dn, q->n * sizeof *dn);
    }
    free(q->ar0);
    free(q->st0);
    free(q->en0);
    free(q->dn0);
    free(q->own0);
    q->ar0 = ar, q->st0 = st, q->en0 = en, q->dn0 = dn, q->own0 = own, q->cap = cap;
  }
  q->ar = q->ar0, q->st = q->st0, q->en = q->en0, q->dn = q->dn0, q->own = q->own0, q->off = 0;
  return 1;
}

/* Delays the data of bursts i.. (already booked, later addresses) to after cycle `cur`, each
 * after the one before it; each unit's current LOAD ends as much later as its last burst
 * (rd_late: applied once its booker's timing is done). */
static void rd_shift(run *r, size_t i, uint64_t cur) {
  rdq *q = &r->rd;
  uint64_t late[RD_FETCH + 1] = {0};
  unsigned seen = 0;
  size_t j = i;
  for (; j < q->n && q->st[j] < cur; j++) {
    uint64_t e = cur + q->dn[j] > q->en[j] ? cur + q->dn[j] : q->en[j];
    late[q->own[j]] = e - q->en[j];
    q->st[j] = cur;
    q->en[j] = e;
    cur = e;
    seen |= 1u << q->own[j];
  }
  for (; j < q->n && seen; j++) seen &= ~(1u << q->own[j]); /* a later burst unmoved: no delay */
  for (int u = 0; u < ISA_UNIT_COUNT; u++)
    if (u != r->rd_unit && (seen >> u & 1)) r->rd_late[u] += late[u];
}

/* Issues one read burst whose address is ready at cycle a, whose data takes d cycles of the
 * channel and is taken from cycle `taken` on: the address waits for back-pressure and for one
 * of rd_bursts slots (held by the bursts before it until their data ends); the data comes
 * rd_latency later, after the data of every burst before it. Returns the data's end (0 if out
 * of memory, which only costs accuracy); *first: its first cycle; *addr: the address's cycle. */
static uint64_t rd_burst(run *r, uint64_t a, uint64_t taken, uint64_t d, uint64_t *first,
                         uint64_t *addr) {
  const fsim_timing *tm = &r->s->tm;
  rdq *q = &r->rd;
  uint64_t w = tm->rd_addr_wait_q8 + r->ar_frac; /* back-pressure on AR */
  r->ar_frac = (unsigned)(w % 256);
  a += w / 256;
  size_t i;
  uint64_t latest;
  for (;;) { /* a free slot: fewer than rd_bursts bursts before a whose data has not ended */
    size_t lo = 0, hi = q->n;
    while (lo < hi) { /* i: the first burst with an address at a or later (a burst booked for
                         the cycle a slot frees shares it with this one: the grant alternates) */
      size_t mid = (lo + hi) / 2;
      if (q->ar[mid] < a) lo = mid + 1;
      else hi = mid;
    }
    i = lo;
    uint64_t soonest;
    unsigned busy = rd_window(r, i ? q->en + (i > RD_SCAN ? i - RD_SCAN : 0) : NULL, i > RD_SCAN ? RD_SCAN : i, a,
                              &soonest, &latest);
    if (busy < tm->rd_bursts) break;
    a = soonest;
  }
  uint64_t s0 = a + tm->rd_latency, cf;
  if (s0 < taken) s0 = taken;
  uint64_t order = s0; /* in address order: after the data of every burst before it */
  if (order < q->gone_end) order = q->gone_end;
  if (order < latest) order = latest;
  /* the channel's free cycles from s0 on, unless bursts booked for later addresses hold them
   * beyond that order (they were granted after this one: it goes first, overbooking them) */
  uint64_t end = rd_book(r, s0, d, &cf, 0);
  if (end <= order + d) {
    end = rd_book(r, s0, d, first, 1);
  } else {
    /* it goes first, and the bursts after it come later as far as it pushes them (rd_shift),
     * the channel busy d cycles longer */
    rd_book(r, order, d, &cf, 1);
    *first = order;
    end = order + d;
    if (r->rd_unit != RD_FETCH) rd_shift(r, i, end);
  }
  *addr = a;
  if (q->off + q->n == q->cap && !rd_room(q)) return end;
  memmove(q->ar + i + 1, q->ar + i, (q->n - i) * sizeof q->ar[0]);
  memmove(q->en + i + 1, q->en + i, (q->n - i) * sizeof q->en[0]);
  memmove(q->own + i + 1, q->own + i, (q->n - i) * sizeof q->own[0]);
  memmove(q->st + i + 1, q->st + i, (q->n - i) * sizeof q->st[0]);
  memmove(q->dn + i + 1, q->dn + i, (q->n - i) * sizeof q->dn[0]);
  q->dn[i] = d;
  q->ar[i] = a;
  q->st[i] = *first;
  q->en[i] = end;
  q->own[i] = (uint8_t)r->rd_unit;
  q->n++;
  return end;
}

/* Issues every fetch burst the fetch buffer has room for (as dlvta_fetch: a burst of
 * fetch_burst instructions goes out while at most fetch_buffer - fetch_burst - 1 instructions
 * are requested and not yet delivered), each when its address slot, the delivery that made the
 * room (seen two cycles after it: dlvta_fetch registers its room test) and an in-flight slot
 * allow; records when each instruction's data is in the buffer. */
static void fetch_issue(run *r) {
  const fsim_timing *tm = &r->s->tm;
  uint64_t margin = tm->fetch_buffer > tm->fetch_burst ? tm->fetch_buffer - tm->fetch_burst - 1 : 0;
  uint64_t bpi = ceil_div(16, tm->bytes_per_beat); /* beats per instruction */
  while (!r->stopped && r->f_req < r->count && r->f_req <= r->next + margin) {
    uint64_t a = r->f_ar;
    if (r->f_req > margin) { /* the delivery of instruction f_req - margin - 1 made the room */
      uint64_t room = r->f_disp[(r->f_req - margin - 1) % r->f_cap] + 2;
      if (a < room) a = room;
    }
    uint64_t left = r->count - r->f_req, page = 256 - (r->insn_addr / 16 + r->f_req) % 256;
    uint64_t n = tm->fetch_burst < left ? tm->fetch_burst : left; /* never across 4 KiB */
    if (n > page) n = page;
    r->rd_unit = RD_FETCH;
    uint64_t first, addr, end = rd_burst(r, a, 0, rd_cycles(r, n * bpi), &first, &addr);
    for (uint64_t i = 0; i < n; i++)
      r->f_ready[(r->f_req + i) % r->f_cap] = first + (end - first) * (i + 1) / n;
    r->f_ar = addr + 1;
    r->f_req += (uint32_t)n;
  }
}

/* Cycle at which fetch would deliver the peeked instruction (one per cycle, in order, when its
 * data is in the buffer), given that its queue has room from room_t on; if commit, advance
 * fetch's state and issue the bursts its delivery makes room for. */
static uint64_t fetch_time(run *r, uint64_t room_t, int commit) {
  uint64_t t = r->f_ready[r->next % r->f_cap] + r->s->tm.fetch_overhead;
  if (r->next && t < r->f_free + 1) t = r->f_free + 1;
  if (t < room_t) t = room_t;
  if (commit) {
    r->f_free = t;
    r->f_disp[r->next % r->f_cap] = t;
  }
  return t;
}

/* Room time of unit u's queue for its next enqueue; UINT64_MAX if full. */
static uint64_t queue_room(const run *r, int u) {
  const unitq *q = &r->u[u];
  if (u_count(q) >= r->depth) return UINT64_MAX;
  return q->enq >= r->depth ? q->start_t[(q->enq - r->depth) % r->depth] : 0;
}

/* ---- units ---------------------------------------------------------------------------------- */

/* If unit u can start its head instruction, its start time; else UINT64_MAX. */
static uint64_t unit_ready(const run *r, int u) {
  const unitq *q = &r->u[u];
  if (!u_count(q)) return UINT64_MAX;
  const qent *e = &q->q[q->started % r->depth];
  uint64_t t = q->free_t > e->t_deliver ? q->free_t : e->t_deliver;
  for (int dir = 0; dir < 2; dir++) {
    if (e->in.f[dir ? ISA_F_pop_next : ISA_F_pop_prev]) {
      const tokq *k = &r->tq[pop_q[u][dir]];
      if (k->pushes == k->pops) return UINT64_MAX;
      uint64_t tt = k->push_t[k->pops % r->cap];
      if (tt > t) t = tt;
    }
    if (e->in.f[dir ? ISA_F_push_next : ISA_F_push_prev]) {
      const tokq *k = &r->tq[push_q[u][dir]];
      if (k->pushes - k->pops >= r->cap) return UINT64_MAX;
      if (k->pushes >= r->cap) {
        uint64_t tt = k->pop_t[(k->pushes - r->cap) % r->cap];
        if (tt > t) t = tt;
      }
    }
  }
  return t;
}

/* AXI beats and bursts of a row of n > 0 bytes at byte address a, as the RTL's DMA moves it:
 * the whole beats of bb bytes that cover it, in bursts of at most 16 beats that never cross a
 * 4 KiB boundary. */
static void row_axi(uint64_t a, uint64_t n, uint64_t bb, uint64_t *beats, uint64_t *bursts) {
  uint64_t x = a / bb, last = (a + n - 1) / bb, page = 4096 / bb ? 4096 / bb : 1;
  *beats = last - x + 1;
  *bursts = 0;
  while (x <= last) {
    uint64_t end = (x / page + 1) * page - 1; /* last beat of x's page */
    if (end > last) end = last;
    *bursts += ceil_div(end - x + 1, 16);
    x = end + 1;
  }
}

/* Cycles of n waits of q8 / 256 cycles each, the fraction carried in *frac. */
static uint64_t waits(uint64_t n, unsigned q8, unsigned *frac) {
  uint64_t q = n * q8 + *frac;
  *frac = (unsigned)(q % 256);
  return q / 256;
}

/* Whether LOAD in goes over both read ports (rtl/dlvta_rdma.v Split): a LOAD of the load unit
 * (INP, WGT) whose element is at least 32 beats, on a config with two read ports. Its rows start
 * on an element, so its bursts are all 16 beats, alternating between the ports. */
static int ld_split(const fsim *s, const isa_insn *in) {
  unsigned m = in->f[ISA_F_mem];
  return s->cfg->d.rd_ports == 2 && (m == ISA_MEM_INP || m == ISA_MEM_WGT) &&
         s->cfg->elem_bytes[m] >= 32 * s->tm.bytes_per_beat;
}

/* A LOAD with DRAM data from cycle t0 (its DMA's start) on; returns its end. The walk writes the
 * padded block in order, one element per cycle: pads at once (so the leading ones overlap the
 * read latency), a row's elements not before its data, and elements smaller than a beat at the
 * pace of the walk (each beat then meets the channel's back-pressure, rd_beat_wait_q8). The
 * address side takes a cycle to set up each row after the first, then issues its bursts
 * (rd_burst) a cycle apart; the DMA hands the walk a row's data only when the walk gets to it
 * (elements of a beat or more: it assembles one element ahead, so their beats may come up to an
 * element's beats earlier, while the walk writes pads). The channel is held row_gap cycles after
 * every row but the last. */
static uint64_t load_time(run *r, const isa_insn *in, uint64_t t0) {
  const fsim_timing *tm = &r->s->tm;
  const uint32_t *f = in->f;
  uint64_t eb = r->s->cfg->elem_bytes[f[ISA_F_mem]], xs = f[ISA_F_x_size], ys = f[ISA_F_y_size];
  uint64_t bb = tm->bytes_per_beat, page = 4096 / bb ? 4096 / bb : 1;
  uint64_t cols = f[ISA_F_x_pad0] + xs + f[ISA_F_x_pad1];
  uint64_t w = t0 + (uint64_t)f[ISA_F_y_pad0] * cols * tm->pad_cycles;
  uint64_t a = t0; /* the address side's next slot */
  /* elements of a beat or more: the DMA assembles the next element while the walk writes pads
   * (or the element before), so a row's data may come up to an element's beats before the walk
   * gets to it, once the walk has taken the previous row's last element (wd) */
  uint64_t bpe = eb >= bb ? eb / bb : 0, wd = t0;
  int split = ld_split(r->s, in);
  for (uint64_t row = 0; row < ys; row++) {
    uint64_t byte = ((uint64_t)f[ISA_F_dram] + row * f[ISA_F_x_stride]) * eb;
    uint64_t x = byte / bb, last = (byte + xs * eb - 1) / bb, first = UINT64_MAX, end = 0;
    if (row) a++; /* a row's set-up (the first's is in rd_overhead) */
    w += (uint64_t)f[ISA_F_x_pad0] * tm->pad_cycles;
    while (x <= last) { /* bursts: at most 16 beats, never across 4 KiB */
      uint64_t n = last - x + 1, to_page = page - x % page, bf, addr;
      if (n > 16) n = 16;
      if (n > to_page) n = to_page;
      uint64_t d = rd_cycles(r, n);
      if (eb < bb) { /* the walk takes an element a cycle; the beat on the bus waits for it */
        uint64_t lo = x * bb > byte ? x * bb : byte, hi = (x + n) * bb;
        if (hi > byte + xs * eb) hi = byte + xs * eb;
        uint64_t pace = (hi - lo) / eb + waits(n, tm->rd_beat_wait_q8, &r->rbw_frac);
        if (d < pace) d = pace;
      }
      x += n;
      uint64_t gap = x > last && row + 1 < ys ? tm->row_gap : 0;
      uint64_t taken = w ? w - 1 : 0;
      if (bpe && w > bpe && w - bpe < taken) taken = w - bpe > wd ? w - bpe : (wd ? wd - 1 : 0);
      if (split && ((x - n) & 16)) {
        /* the second port: this LOAD's alone, its data in order a latency after the address */
        uint64_t s0 = a + waits(1, tm->rd_addr_wait_q8, &r->ar_frac) + tm->rd_latency;
        if (s0 < taken) s0 = taken;
        if (s0 < r->rd1_free) s0 = r->rd1_free;
        bf = s0;
        r->rd1_free = s0 + d + gap;
        if (r->rd1_free - gap > end) end = r->rd1_free - gap;
        if (bf < first) first = bf;
        a = a + 1;
        continue;
      }
      uint64_t e = rd_burst(r, a, taken, d + gap, &bf, &addr) - gap;
      if (e > end) end = e;
      if (bf < first) first = bf;
      a = addr + 1;
    }
    w = (w > first ? w : first) + xs;
    if (w < end) w = end;
    wd = w;
    w += (uint64_t)f[ISA_F_x_pad1] * tm->pad_cycles;
  }
  return w + (uint64_t)f[ISA_F_y_pad1] * cols * tm->pad_cycles;
}

/* A STORE from cycle t0 (its DMA's start) on; returns its end. The address side works as a
 * LOAD's (AW back-pressure: wr_addr_wait_q8); a row's beats follow its first address on the
 * write channel at wr_beat_q8, at most one element per cycle; elements smaller than a beat
 * are packed one per cycle, and each beat then takes one more and meets the channel's
 * back-pressure (wr_beat_wait_q8). The channel is held row_gap cycles after every row but the
 * last; the last response comes wr_latency after the last beat. */
static uint64_t store_time(run *r, const isa_insn *in, uint64_t t0) {
  const fsim_timing *tm = &r->s->tm;
  const uint32_t *f = in->f;
  uint64_t eb = r->s->cfg->elem_bytes[ISA_MEM_OUT], xs = f[ISA_F_x_size], ys = f[ISA_F_y_size];
  uint64_t a = t0, w = t0 > r->wr_free ? t0 : r->wr_free;
  for (uint64_t row = 0; row < ys; row++) {
    uint64_t beats, bursts;
    row_axi(((uint64_t)f[ISA_F_dram] + row * f[ISA_F_x_stride]) * eb, xs * eb, tm->bytes_per_beat,
            &beats, &bursts);
    if (row) a++; /* a row's set-up (the first's is in wr_overhead) */
    uint64_t first = a + waits(1, tm->wr_addr_wait_q8, &r->aw_frac); /* its first AW */
    a = first + 1 + waits(bursts - 1, 256 + tm->wr_addr_wait_q8, &r->aw_frac);
    uint64_t d = waits(beats, tm->wr_beat_q8, &r->wr_frac);
    uint64_t pace = xs;
    if (eb < tm->bytes_per_beat) pace += beats + waits(beats, tm->wr_beat_wait_q8, &r->wbw_frac);
    if (d < pace) d = pace;
    if (w < first) w = first;
    w += d + (row + 1 < ys ? tm->row_gap : 0);
  }
  r->wr_free = w;
  return w + tm->wr_latency;
}

/* Duration model of one executed instruction (ISA.md "Timing"); returns its end cycle. */
static uint64_t timing(run *r, const isa_insn *in, const fsim_work *wk, uint64_t start) {
  const fsim_timing *tm = &r->s->tm;
  uint64_t t = start + tm->insn_overhead;
  switch (in->f[ISA_F_opcode]) {
  case ISA_OP_LOAD:
    t += tm->ld_check;
    if (wk->rows) t = load_time(r, in, t + tm->rd_overhead);
    else t += tm->ld_nodata + (wk->pads ? wk->pads * tm->pad_cycles + tm->ld_nodata : 0);
    break;
  case ISA_OP_STORE:
    t += tm->st_check;
    if (wk->rows) t = store_time(r, in, t + tm->wr_overhead);
    break;
  case ISA_OP_GEMM:
  case ISA_OP_DWGEMM: /* the same pipeline, one iteration a cycle (warm-up ones too) */
    if (wk->iters) t += tm->gemm_fill + wk->iters;
    r->ctr->gemm_cycles += wk->iters;
    break;
  case ISA_OP_ALU:
    if (wk->iters) t += tm->alu_fill + wk->span;
    if (wk->src_reads && r->s->cfg->d.acc_copies == 1) t += tm->alu_src_fill;
    r->ctr->alu_cycles += wk->iters;
    break;
  default: t = start + tm->finish_cycles; break;
  }
  return t;
}

/* Moves the end of every other unit's current LOAD, and the tokens it pushed, by the cycles
 * the bursts booked since (at cycle t) delayed its data (rd_late). Nothing has seen that end yet:
 * it lies after t, and the agents act in time order. */
static void rd_late_apply(run *r, uint64_t t) {
  for (int u = 0; u < ISA_UNIT_COUNT; u++) {
    uint64_t d = r->rd_late[u];
    r->rd_late[u] = 0;
    unitq *q = &r->u[u];
    if (!d || q->free_t <= t) continue;
    for (int dir = 0; dir < 2; dir++)
      if (q->push_q[dir] >= 0) {
        tokq *k = &r->tq[q->push_q[dir]];
        uint64_t *pt = &k->push_t[(k->pushes - 1) % r->cap];
        if (*pt == q->free_t) *pt += d;
      }
    q->free_t += d;
    r->ctr->unit_busy[u] += d;
  }
}

/* Start and execute unit u's head instruction at cycle t. DRV_OK or DRV_E_EXEC. */
static int unit_step(run *r, int u, uint64_t t) {
  unitq *q = &r->u[u];
  qent e = q->q[q->started % r->depth];
  uint64_t ready = q->free_t > e.t_deliver ? q->free_t : e.t_deliver;
  for (int dir = 0; dir < 2; dir++)
    if (e.in.f[dir ? ISA_F_pop_next : ISA_F_pop_prev]) {
      tokq *k = &r->tq[pop_q[u][dir]];
      k->pop_t[k->pops % r->cap] = t;
      k->pops++;
    }
  q->start_t[q->started % r->depth] = t;
  q->started++;
  drv_counters *c = r->ctr;
  c->unit_stall[u] += t - ready;
  fsim_work wk;
  int rc = fsim_x_exec(r->s, &r->dram, e.idx, &e.w, &e.in, &wk, r->err);
  if (rc != DRV_OK) return rc;
  rd_prune(r, t < r->f_free ? t : r->f_free);
  r->rd_unit = u;
  uint64_t end = timing(r, &e.in, &wk, t);
  for (int dir = 0; dir < 2; dir++) {
    q->push_q[dir] = e.in.f[dir ? ISA_F_push_next : ISA_F_push_prev] ? push_q[u][dir] : -1;
    if (q->push_q[dir] >= 0) {
      tokq *k = &r->tq[q->push_q[dir]];
      k->push_t[k->pushes % r->cap] = end;
      k->pushes++;
    }
  }
  q->free_t = end;
  rd_late_apply(r, t);
  if (r->trace) {
    char dis[512] = "";
    if (r->trace > 1) isa_disasm(r->s->cfg, &e.w, dis, sizeof dis);
    fprintf(stderr, "fsim: %s insn %" PRIu32 " cycles %" PRIu64 "..%" PRIu64 "%s%s\n", isa_unit_name(u),
            e.idx, t, end, *dis ? "  " : "", dis);
  }
  if (r->s->trace_fn) {
    drv_insn_event ev = {.index = e.idx, .unit = u, .w = e.w, .ready = ready, .start = t, .end = end,
                         .wait = t - ready, .rd_bytes = wk.rd_bytes, .wr_bytes = wk.wr_bytes};
    r->s->trace_fn(r->s->trace_ctx, &ev);
  }
  c->unit_busy[u] += end - t;
  unsigned op = e.in.f[ISA_F_opcode];
  c->insns[op]++;
  if (op == ISA_OP_LOAD) c->loads[e.in.f[ISA_F_mem]]++;
  if (op == ISA_OP_ALU) c->alu_ops += wk.iters;
  c->macs += wk.macs;
  c->bytes_read += wk.rd_bytes;
  if (wk.rd_bytes && e.in.f[ISA_F_opcode] == ISA_OP_LOAD && ld_split(r->s, &e.in))
    c->bytes_read1 += wk.rd_bytes / 2; /* every other 16-beat burst */
  c->bytes_written += wk.wr_bytes;
  if (op == ISA_OP_FINISH) r->finished = 1;
  return DRV_OK;
}

/* ---- errors --------------------------------------------------------------------------------- */

static int fetch_error(run *r) {
  char head[640];
  fsim_x_describe(r->s->cfg, r->next, &r->pw, head, sizeof head);
  drv_error *err = r->err;
  err->insn_index = r->next;
  if (r->p_rc == 1) {
    uint64_t addr = r->insn_addr + (uint64_t)r->next * 16;
    err->kind = DRV_ERR_DRAM_RANGE;
    snprintf(err->message, sizeof err->message,
             "insn %" PRIu32 ": fetch of DRAM bytes [0x%" PRIx64 ", 0x%" PRIx64 ") lies outside %s",
             r->next, addr, addr + 16,
             drv_window_ok(r->dram.w, r->dram.nw, addr, 16) ? "every buffer" : "the DRAM windows");
  } else {
    err->kind = DRV_ERR_ILLEGAL;
    snprintf(err->message, sizeof err->message, "%s: illegal instruction: %s", head,
             isa_strerror(r->p_rc));
  }
  return DRV_E_EXEC;
}

/* Nothing can act: a deadlock, or (fetch ran out of instructions without FINISH) no FINISH.
 * The message explains why each unit and fetch are stuck. */
static int stuck(run *r) {
  drv_error *err = r->err;
  strbuf sb;
  sb_init(&sb, err->message, sizeof err->message);
  int no_finish = !r->stopped && r->next >= r->count;
  if (no_finish)
    sb_printf(&sb, "no FINISH in the %" PRIu32 " instructions of the program", r->count);
  else
    sb_printf(&sb, "deadlock: no unit can progress");
  int64_t first = -1;
  char head[640];
  for (int u = 0; u < ISA_UNIT_COUNT; u++) {
    const unitq *q = &r->u[u];
    if (!u_count(q)) {
      sb_printf(&sb, "\n  %s: idle, queue empty", isa_unit_name(u));
      continue;
    }
    const qent *e = &q->q[q->started % r->depth];
    if (first < 0 || e->idx < first) first = e->idx;
    fsim_x_describe(r->s->cfg, e->idx, &e->w, head, sizeof head);
    sb_printf(&sb, "\n  %s: %s waits for", isa_unit_name(u), head);
    const char *sep = " ";
    for (int dir = 0; dir < 2; dir++) {
      if (e->in.f[dir ? ISA_F_pop_next : ISA_F_pop_prev]) {
        int k = pop_q[u][dir];
        if (r->tq[k].pushes == r->tq[k].pops) {
          sb_printf(&sb, "%sa token in %s (empty)", sep, q_names[k]);
          sep = " and ";
        }
      }
      if (e->in.f[dir ? ISA_F_push_next : ISA_F_push_prev]) {
        int k = push_q[u][dir];
        if (r->tq[k].pushes - r->tq[k].pops >= r->cap) {
          sb_printf(&sb, "%sroom in %s (full, %u tokens)", sep, q_names[k], r->cap);
          sep = " and ";
        }
      }
    }
  }
  if (r->stopped) {
    sb_printf(&sb, "\n  fetch: stopped at FINISH");
  } else if (r->next >= r->count) {
    sb_printf(&sb, "\n  fetch: all %" PRIu32 " instructions fetched, no FINISH", r->count);
  } else {
    int tu = isa_insn_unit(&r->pin);
    fsim_x_describe(r->s->cfg, r->next, &r->pw, head, sizeof head);
    sb_printf(&sb, "\n  fetch: blocked at %s: %s queue full (%u instructions)", head,
              isa_unit_name(tu), r->depth);
  }
  err->kind = no_finish ? DRV_ERR_NO_FINISH : DRV_ERR_DEADLOCK;
  err->insn_index = no_finish ? -1 : first;
  return DRV_E_EXEC;
}

/* ---- run ------------------------------------------------------------------------------------ */

static int run_loop(run *r) {
  for (;;) {
    uint64_t best_t = UINT64_MAX;
    int best = -1; /* unit, or ISA_UNIT_COUNT for fetch */
    for (int u = 0; u < ISA_UNIT_COUNT; u++) {
      uint64_t t = unit_ready(r, u);
      if (t < best_t) best_t = t, best = u;
    }
    uint64_t room_t = 0;
    int target = -1;
    if (!r->stopped && r->next < r->count) {
      peek(r);
      if (r->p_rc != ISA_OK) {
        uint64_t t = fetch_time(r, 0, 0);
        if (t < best_t) best_t = t, best = ISA_UNIT_COUNT;
      } else {
        target = isa_insn_unit(&r->pin);
        room_t = queue_room(r, target);
        if (room_t != UINT64_MAX) {
          uint64_t t = fetch_time(r, room_t, 0);
          if (t < best_t) best_t = t, best = ISA_UNIT_COUNT;
        }
      }
    }
    if (best < 0) {
      int idle = 1;
      for (int u = 0; u < ISA_UNIT_COUNT; u++) idle &= !u_count(&r->u[u]);
      if (r->finished && idle) return DRV_OK;
      return stuck(r);
    }
    if (best < ISA_UNIT_COUNT) {
      int rc = unit_step(r, best, best_t);
      if (rc != DRV_OK) return rc;
      continue;
    }
    /* fetch */
    if (r->p_rc != ISA_OK) return fetch_error(r);
    uint64_t t = fetch_time(r, room_t, 1);
    unitq *q = &r->u[target];
    qent *e = &q->q[q->enq % r->depth];
    e->idx = r->next;
    e->w = r->pw;
    e->in = r->pin;
    e->t_deliver = t;
    q->enq++;
    r->ctr->bytes_read += 16;
    if (r->pin.f[ISA_F_opcode] == ISA_OP_FINISH) r->stopped = 1;
    r->next++;
    r->have_peek = 0;
    fetch_issue(r);
  }
}

int fsim_set_windows(fsim *s, const drv_window *w, int n) {
  if (!s || n > (int)DLVTA_REGS_WIN_COUNT || (n > 0 && !w)) return DRV_E_ARG;
  s->n_win = n < 0 ? -1 : n;
  if (n > 0) memcpy(s->win, w, (size_t)n * sizeof *w);
  return DRV_OK;
}

int fsim_run(fsim *s, const drv_region *regions, int n_regions, uint64_t insn_addr, uint32_t count,
             drv_counters *ctr, drv_error *err) {
  drv_counters dummy_c;
  drv_error dummy_e;
  if (!ctr) ctr = &dummy_c;
  if (!err) err = &dummy_e;
  memset(ctr, 0, sizeof *ctr);
  memset(err, 0, sizeof *err);
  err->insn_index = -1;
  run r;
  memset(&r, 0, sizeof r);
  r.s = s;
  for (uint32_t i = 0; i < FSIM_SC_MAX; i++) s->sc_idx[i] = FSIM_SC_NONE; /* reset by a start */
  r.dram.r = regions;
  r.dram.n = n_regions > 0 && regions ? n_regions : 0;
  if (s->n_win < 0) {
    r.dram.nw = drv_windows_cover(regions, r.dram.n, r.dram.w, (int)DLVTA_REGS_WIN_COUNT);
  } else {
    r.dram.nw = s->n_win;
    memcpy(r.dram.w, s->win, sizeof s->win);
  }
  r.depth = s->cfg->d.insn_queue;
  r.cap = s->cfg->d.token_queue;
  r.insn_addr = insn_addr;
  r.count = count;
  r.ctr = ctr;
  r.err = err;
  r.trace = getenv("FSIM_TRACE") ? 1 + (getenv("FSIM_TRACE")[0] == '2') : 0;
  r.f_cap = s->tm.fetch_buffer + s->tm.fetch_burst + 1;
  r.f_ready = calloc(r.f_cap, sizeof(uint64_t));
  r.f_disp = calloc(r.f_cap, sizeof(uint64_t));
  int ok = r.f_ready && r.f_disp;
  for (int k = 0; k < NQ; k++) {
    r.tq[k].push_t = calloc(r.cap, sizeof(uint64_t));
    r.tq[k].pop_t = calloc(r.cap, sizeof(uint64_t));
    ok &= r.tq[k].push_t && r.tq[k].pop_t;
  }
  for (int u = 0; u < ISA_UNIT_COUNT; u++) {
    r.u[u].q = calloc(r.depth, sizeof(qent));
    r.u[u].start_t = calloc(r.depth, sizeof(uint64_t));
    ok &= r.u[u].q && r.u[u].start_t;
  }
  int rc;
  if (!ok) {
    err->kind = DRV_ERR_BACKEND;
    snprintf(err->message, sizeof err->message, "fsim: out of memory");
    rc = DRV_E_NOMEM;
  } else {
    r.f_ar = s->tm.start_overhead; /* the fetch DMA's first address */
    fetch_issue(&r);
    rc = run_loop(&r);
  }
  uint64_t end = r.f_free;
  for (int u = 0; u < ISA_UNIT_COUNT; u++)
    if (r.u[u].free_t > end) end = r.u[u].free_t;
  ctr->cycles = end;
  free(r.f_ready);
  free(r.f_disp);
  free(r.rd.ar0);
  free(r.rd.st0);
  free(r.rd.en0);
  free(r.rd.dn0);
  free(r.rd.own0);
  for (int k = 0; k < NQ; k++) free(r.tq[k].push_t), free(r.tq[k].pop_t);
  for (int u = 0; u < ISA_UNIT_COUNT; u++) free(r.u[u].q), free(r.u[u].start_t);
  return rc;
}
