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

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "fsim stores little-endian elements in host order: little-endian hosts only"
#endif

/* ---- timing constants ---------------------------------------------------------------------- */

void fsim_timing_default(const isa_config *cfg, fsim_timing *t) {
  t->rd_latency = cfg->d.dram_rd_latency; /* from the config (tsim's DRAM model default) */
  t->wr_latency = cfg->d.dram_wr_latency;
  t->bytes_per_beat = cfg->d.axi_bits / 8;
  t->fetch_burst = 8;   /* fetch asks for 8 instructions (128 B) per burst */
  t->row_gap = 0;       /* rows of a LOAD/STORE stream back to back, one latency per LOAD */
  /* Calibrated against the RTL (tests/test_tsim_random's programs, instruction sequences of
   * each kind): start, queue pop and the next head's decode of every instruction; LOAD and
   * STORE add their DMA's address and data path (request, arbitration, buffer write / read
   * ahead, response) to the DRAM latencies. */
  t->insn_overhead = 3;
  t->rd_overhead = 4;
  t->wr_overhead = 2;
  t->ld_check = 1;      /* LOAD: the block size's register (rtl/dlvta_ldwalk.v S_PROD) */
  t->pad_cycles = 1;    /* ISA.md: pad elements take one cycle each */
  /* rtl/dlvta_compute.v's stages: S0 uop read, S1 indices, S1R operand reads, S2 read data,
   * S3 operands, then GEMM writes in S(4 + floor(log2(BLOCK_IN) / 2)) (dlvta_gemm.v: operand
   * registers, products, adder tree two levels a stage) and the ALU in S9 (isa_derived) */
  t->gemm_fill = cfg->d.gemm_wstage + 1;
  t->alu_fill = cfg->d.alu_wstage + 1;
  /* one accumulator copy (config acc_copies): the stage that reads acc[dst] after acc[src], and
   * the cycle a source-cache miss (after an instruction's first iteration) waits for the one
   * read port (rtl/dlvta_compute.v) */
  t->alu_src_fill = cfg->d.acc_copies == 1 ? 1 : 0;
  t->src_miss_cycles = cfg->d.acc_copies == 1 ? 1 : 0;
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
}

/* ---- create / destroy ---------------------------------------------------------------------- */

fsim *fsim_create(const isa_config *cfg) {
  const isa_derived *d = &cfg->d;
  if (d->block_in > GEMM_MAX_BI) return NULL;
  fsim *s = calloc(1, sizeof *s);
  if (!s) return NULL;
  s->cfg = cfg;
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
  s->wgt16 = calloc((size_t)d->wgt_depth * s->wgt_lanes, sizeof *s->wgt16);
  s->acc = calloc((size_t)d->acc_depth * s->acc_lanes, sizeof *s->acc);
  s->out = calloc((size_t)d->acc_depth * s->acc_lanes, 1);
  s->ua = calloc(d->uop_depth, sizeof *s->ua);
  s->us = calloc(d->uop_depth, sizeof *s->us);
  s->uw = calloc(d->uop_depth, sizeof *s->uw);
  s->tmp = calloc(s->acc_lanes, sizeof *s->tmp);
  s->hz_go = calloc(d->acc_depth, sizeof *s->hz_go);
  s->hz_gen = calloc(d->acc_depth, sizeof *s->hz_gen);
  s->sc_n = d->acc_depth / 2 < FSIM_SC_MAX ? d->acc_depth / 2 : FSIM_SC_MAX;
  if (!s->uop || !s->inp || !s->wgt || !s->wgt16 || !s->acc || !s->out || !s->ua || !s->us || !s->uw || !s->tmp ||
      !s->hz_go || !s->hz_gen) {
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
  free(s->acc);
  free(s->out);
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
} unitq;

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
  uint64_t f_free;       /* cycle the last fetched instruction arrived */
  uint32_t burst_start;  /* first instruction of the current burst */
  int have_peek;         /* next instruction read and decoded */
  isa_word pw;
  isa_insn pin;
  int p_rc;              /* ISA_OK or isa_decode's error; or 1: DRAM range */
  /* state */
  uint64_t port_free;    /* memory port free from this cycle */
  int finished;
  drv_counters *ctr;
  drv_error *err;
  int trace; /* environment FSIM_TRACE set: one line per executed instruction on stderr */
} run;

static unsigned u_count(const unitq *u) { return (unsigned)(u->enq - u->started); }

/* ---- fetch ---------------------------------------------------------------------------------- */

/* Read and decode instruction r->next (once). */
static void peek(run *r) {
  if (r->have_peek) return;
  r->have_peek = 1;
  uint64_t addr = r->insn_addr + (uint64_t)r->next * 16;
  const uint8_t *p = addr < r->insn_addr ? NULL : fsim_x_dram(&r->dram, addr, 16);
  if (!p) {
    r->p_rc = 1;
    memset(&r->pw, 0, sizeof r->pw);
    return;
  }
  memcpy(&r->pw.w[0], p, 8);
  memcpy(&r->pw.w[1], p + 8, 8);
  r->p_rc = isa_decode(r->s->cfg, &r->pw, &r->pin);
}

static unsigned fetch_beats(const run *r) {
  return (16 + r->s->tm.bytes_per_beat - 1) / r->s->tm.bytes_per_beat;
}

/* Cycle at which fetch would deliver the peeked instruction, given that its queue has room
 * from room_t on; if commit, advance fetch's state. */
static uint64_t fetch_time(run *r, uint64_t room_t, int commit) {
  const fsim_timing *tm = &r->s->tm;
  uint64_t t = r->f_free > room_t ? r->f_free : room_t;
  int burst = r->next == 0 || r->next - r->burst_start >= tm->fetch_burst || room_t > r->f_free;
  uint64_t arrive = t + (burst ? tm->rd_latency : 0) + fetch_beats(r);
  if (commit) {
    r->f_free = arrive;
    if (burst) r->burst_start = r->next;
  }
  return arrive;
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

static uint64_t ceil_div(uint64_t a, uint64_t b) { return (a + b - 1) / b; }

/* Duration model of one executed instruction (ISA.md "Timing"); returns its end cycle. */
static uint64_t timing(run *r, const isa_insn *in, const fsim_work *wk, uint64_t start) {
  const fsim_timing *tm = &r->s->tm;
  uint64_t t = start + tm->insn_overhead;
  /* a row takes a cycle per beat, and at least one per element (elements smaller than a beat
   * are cut out of or packed into the beats one per cycle) */
  uint64_t row = ceil_div(wk->row_bytes, tm->bytes_per_beat);
  if (row < wk->row_elems) row = wk->row_elems;
  uint64_t beats = wk->rows * row;
  if (wk->rows) beats += (wk->rows - 1) * tm->row_gap; /* the port is held across the gaps */
  switch (in->f[ISA_F_opcode]) {
  case ISA_OP_LOAD:
    t += tm->ld_check;
    if (wk->rows) {
      t += tm->rd_overhead;
      uint64_t ds = t + tm->rd_latency;
      if (r->port_free > ds) ds = r->port_free;
      r->port_free = ds + beats;
      t = ds + beats;
    }
    t += wk->pads * tm->pad_cycles;
    break;
  case ISA_OP_STORE:
    if (wk->rows) {
      t += tm->wr_overhead;
      uint64_t ds = t > r->port_free ? t : r->port_free;
      r->port_free = ds + beats;
      t = ds + beats + tm->wr_latency;
    }
    break;
  case ISA_OP_GEMM:
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
  uint64_t end = timing(r, &e.in, &wk, t);
  for (int dir = 0; dir < 2; dir++)
    if (e.in.f[dir ? ISA_F_push_next : ISA_F_push_prev]) {
      tokq *k = &r->tq[push_q[u][dir]];
      k->push_t[k->pushes % r->cap] = end;
      k->pushes++;
    }
  q->free_t = end;
  if (r->trace)
    fprintf(stderr, "fsim: %s insn %" PRIu32 " cycles %" PRIu64 "..%" PRIu64 "\n", isa_unit_name(u),
            e.idx, t, end);
  c->unit_busy[u] += end - t;
  unsigned op = e.in.f[ISA_F_opcode];
  c->insns[op]++;
  if (op == ISA_OP_LOAD) c->loads[e.in.f[ISA_F_mem]]++;
  if (op == ISA_OP_ALU) c->alu_ops += wk.iters;
  c->macs += wk.macs;
  c->bytes_read += wk.rd_bytes;
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
             "insn %" PRIu32 ": fetch of DRAM bytes [0x%" PRIx64 ", 0x%" PRIx64
             ") lies outside every buffer",
             r->next, addr, addr + 16);
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
  }
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
  r.depth = s->cfg->d.insn_queue;
  r.cap = s->cfg->d.token_queue;
  r.insn_addr = insn_addr;
  r.count = count;
  r.ctr = ctr;
  r.err = err;
  r.trace = getenv("FSIM_TRACE") != NULL;
  int ok = 1;
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
    rc = run_loop(&r);
  }
  uint64_t end = r.f_free;
  for (int u = 0; u < ISA_UNIT_COUNT; u++)
    if (r.u[u].free_t > end) end = r.u[u].free_t;
  ctr->cycles = end;
  for (int k = 0; k < NQ; k++) free(r.tq[k].push_t), free(r.tq[k].pop_t);
  for (int u = 0; u < ISA_UNIT_COUNT; u++) free(r.u[u].q), free(r.u[u].start_t);
  return rc;
}
