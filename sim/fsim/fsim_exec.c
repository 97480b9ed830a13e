/* sim/fsim/fsim_exec.c -- fsim's instruction semantics (isa/ISA.md "Instructions"): LOAD of
 * every memory with padding, STORE, GEMM and ALU over their loop nests and micro-ops. Every
 * SRAM index and DRAM byte range is checked before the instruction has any effect. A GEMM's
 * arithmetic is fsim_gemm.c's; the ALU's inner loops are written so that the compiler vectorizes
 * them (restrict pointers, wrapping arithmetic in unsigned types).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "fsim_int.h"


/* ---- helpers ------------------------------------------------------------------------------ */

uint8_t *fsim_x_dram(const fsim_dram *dram, uint64_t addr, uint64_t n) {
  for (int i = 0; i < dram->n; i++) {
    const drv_region *r = &dram->r[i];
    if (addr >= r->addr && addr - r->addr <= r->size && n <= r->size - (addr - r->addr))
      return r->host + (addr - r->addr);
  }
  return NULL;
}

void fsim_x_describe(const isa_config *cfg, uint32_t idx, const isa_word *w, char *buf, size_t n) {
  char dis[512];
  isa_disasm(cfg, w, dis, sizeof dis);
  snprintf(buf, n, "insn %" PRIu32 " (%s)", idx, dis);
}

/* Fill err with kind, index and "insn N (disassembly): <what>"; returns DRV_E_EXEC. */
static int fail(const fsim *s, drv_error *err, int kind, uint32_t idx, const isa_word *w,
                const char *what) {
  char head[640];
  fsim_x_describe(s->cfg, idx, w, head, sizeof head);
  err->kind = kind;
  err->insn_index = idx;
  snprintf(err->message, sizeof err->message, "%s: %s", head, what);
  return DRV_E_EXEC;
}

static unsigned mem_depth(const fsim *s, int mem) { return isa_mem_depth(s->cfg, mem); }

static int32_t sext8(uint32_t v) { return (int32_t)((v & 0xffu) ^ 0x80u) - 0x80; }
static int32_t sext16(uint32_t v) { return (int32_t)((v & 0xffffu) ^ 0x8000u) - 0x8000; }
static int32_t sext6(uint32_t v) { return (int32_t)((v & 0x3fu) ^ 0x20u) - 0x20; }

/* ---- LOAD / STORE ------------------------------------------------------------------------- */

/* Write n pad elements of memory mem from element i on (indices already checked). */
static void sc_written(fsim *s, uint64_t lo, uint64_t hi);

static void write_pad(fsim *s, int mem, uint64_t i, uint64_t n, int32_t v) {
  if (!n) return;
  switch (mem) {
  case ISA_MEM_UOP:
    for (uint64_t k = 0; k < n; k++) s->uop[i + k] = (uint32_t)v;
    break;
  case ISA_MEM_WGT:
    memset(s->wgt + i * s->wgt_lanes, (int)(int8_t)v, n * s->wgt_lanes);
    fsim_x_wgt16(s, i, n);
    break;
  case ISA_MEM_INP: memset(s->inp + i * s->inp_lanes, (int)(int8_t)v, n * s->inp_lanes); break;
  case ISA_MEM_LUT: memset(s->lut + i * s->acc_lanes, (int)(int8_t)v, n * s->acc_lanes); break;
  case ISA_MEM_ACC:
  case ISA_MEM_ACC8: {
    int32_t *a = s->acc + i * s->acc_lanes;
    for (uint64_t k = 0; k < n * s->acc_lanes; k++) a[k] = v;
    memset(s->out + i * s->acc_lanes, (int)(int8_t)v, n * s->acc_lanes);
    break;
  }
  }
}

/* Write n elements of memory mem from element i on, from DRAM bytes src. */
static void write_data(fsim *s, int mem, uint64_t i, uint64_t n, const uint8_t *src) {
  switch (mem) {
  case ISA_MEM_UOP: memcpy(s->uop + i, src, n * 4); break;
  case ISA_MEM_WGT: /* an element that already holds these bytes keeps its int16 copy too */
    for (uint64_t e = 0; e < n; e++) {
      int8_t *w = s->wgt + (i + e) * s->wgt_lanes;
      if (!memcmp(w, src + e * s->wgt_lanes, s->wgt_lanes)) continue;
      memcpy(w, src + e * s->wgt_lanes, s->wgt_lanes);
      fsim_x_wgt16(s, i + e, 1);
    }
    break;
  case ISA_MEM_INP: memcpy(s->inp + i * s->inp_lanes, src, n * s->inp_lanes); break;
  case ISA_MEM_LUT: memcpy(s->lut + i * s->acc_lanes, src, n * s->acc_lanes); break;
  case ISA_MEM_ACC: {
    int32_t *a = s->acc + i * s->acc_lanes;
    int8_t *o = s->out + i * s->acc_lanes;
    memcpy(a, src, n * s->acc_lanes * 4);
    for (uint64_t k = 0; k < n * s->acc_lanes; k++) o[k] = (int8_t)a[k];
    break;
  }
  case ISA_MEM_ACC8: {
    int32_t *a = s->acc + i * s->acc_lanes;
    int8_t *o = s->out + i * s->acc_lanes;
    const int8_t *b = (const int8_t *)src;
    for (uint64_t k = 0; k < n * s->acc_lanes; k++) a[k] = b[k], o[k] = b[k];
    break;
  }
  }
}

static int exec_mem(fsim *s, const fsim_dram *dram, uint32_t idx, const isa_word *w,
                    const isa_insn *in, fsim_work *wk, drv_error *err) {
  const uint32_t *f = in->f;
  int store = f[ISA_F_opcode] == ISA_OP_STORE;
  int mem = (int)f[ISA_F_mem];
  uint64_t eb = s->cfg->elem_bytes[mem];
  uint64_t yp0 = f[ISA_F_y_pad0], yp1 = f[ISA_F_y_pad1], xp0 = f[ISA_F_x_pad0],
           xp1 = f[ISA_F_x_pad1];
  uint64_t ys = f[ISA_F_y_size], xs = f[ISA_F_x_size], stride = f[ISA_F_x_stride];
  uint64_t rows = yp0 + ys + yp1, cols = xp0 + xs + xp1;
  uint64_t sram = f[ISA_F_sram], total = rows * cols;
  unsigned depth = mem_depth(s, mem);
  char what[512];

  if (total && sram + total > depth) {
    snprintf(what, sizeof what,
             "%s index sram+%" PRIu64 "=%" PRIu64 " (block of %" PRIu64 "x%" PRIu64
             " from sram=%" PRIu64 ") past depth %u",
             isa_mem_name(mem), total - 1, sram + total - 1, rows, cols, sram, depth);
    return fail(s, err, DRV_ERR_SRAM_RANGE, idx, w, what);
  }
  uint64_t dbase = f[ISA_F_dram];
  if (xs)
    for (uint64_t r = 0; r < ys; r++) {
      uint64_t addr = (dbase + r * stride) * eb;
      int in_win = drv_window_ok(dram->w, dram->nw, addr, xs * eb);
      if (!in_win || !fsim_x_dram(dram, addr, xs * eb)) {
        snprintf(what, sizeof what,
                 "DRAM bytes [0x%" PRIx64 ", 0x%" PRIx64 ") of row %" PRIu64 " lie outside %s",
                 addr, addr + xs * eb, r, in_win ? "every buffer" : "the DRAM windows");
        return fail(s, err, DRV_ERR_DRAM_RANGE, idx, w, what);
      }
    }

  wk->rows = xs ? ys : 0;
  wk->row_bytes = xs * eb;
  wk->row_elems = xs;
  uint64_t bb = s->tm.bytes_per_beat;
  for (uint64_t r = 0; r < wk->rows; r++) {
    uint64_t a = (dbase + r * stride) * eb;
    wk->beats += (a + xs * eb - 1) / bb - a / bb + 1;
  }
  if (store) {
    for (uint64_t r = 0; r < ys && xs; r++) {
      uint8_t *dst = fsim_x_dram(dram, (dbase + r * stride) * eb, xs * eb);
      memcpy(dst, s->out + (sram + r * xs) * s->acc_lanes, xs * eb);
    }
    wk->wr_bytes = ys * xs * eb;
    return DRV_OK;
  }
  int32_t padv = isa_sext(f[ISA_F_pad_value], s->cfg->fwidth[ISA_F_pad_value]);
  write_pad(s, mem, sram, yp0 * cols, padv);
  for (uint64_t r = 0; r < ys; r++) {
    uint64_t e = sram + (yp0 + r) * cols;
    write_pad(s, mem, e, xp0, padv);
    if (xs) write_data(s, mem, e + xp0, xs, fsim_x_dram(dram, (dbase + r * stride) * eb, xs * eb));
    write_pad(s, mem, e + xp0 + xs, xp1, padv);
  }
  write_pad(s, mem, sram + (yp0 + ys) * cols, yp1 * cols, padv);
  if ((mem == ISA_MEM_ACC || mem == ISA_MEM_ACC8) && total) sc_written(s, sram, sram + total - 1);
  wk->rd_bytes = wk->beats * bb; /* whole beats cross the bus (REGS.md BYTES_READ) */
  wk->pads = total - ys * xs;
  return DRV_OK;
}

/* ---- GEMM / ALU loop nests ----------------------------------------------------------------- */

/* Checks uop range; decodes the micro-ops into s->ua/us/uw. 0 or DRV_E_EXEC. */
static int decode_uops(fsim *s, uint32_t idx, const isa_word *w, const isa_insn *in, fsim_nest *n,
                       drv_error *err) {
  n->lo = in->f[ISA_F_loop_out];
  n->li = in->f[ISA_F_loop_in];
  n->ub = in->f[ISA_F_uop_begin];
  n->ue = in->f[ISA_F_uop_end];
  if (n->ue <= n->ub || !n->lo || !n->li) return 0;
  unsigned depth = s->cfg->d.uop_depth;
  if (n->ue > depth) {
    char what[256];
    snprintf(what, sizeof what, "UOP index u=%u (uop_end=%" PRIu64 ") past depth %u",
             n->ub > depth ? (unsigned)n->ub : depth, n->ue, depth);
    return fail(s, err, DRV_ERR_SRAM_RANGE, idx, w, what);
  }
  for (uint64_t u = n->ub; u < n->ue; u++) isa_uop_fields(s->cfg, s->uop[u], &s->ua[u], &s->us[u], &s->uw[u]);
  return 0;
}

/* One index kind of a nest: base from a micro-op field array, outer and inner factor. */
typedef struct idx_kind {
  const char *name, *mem;
  const uint32_t *base; /* [uop] */
  uint64_t fo, fi;
  unsigned depth;
} idx_kind;

/* Checks every index of kinds k[0..nk) over the nest (factors are unsigned, so the largest
 * index of a micro-op is at the last iteration); on failure reports the first failing
 * iteration in execution order. */
static int check_nest(fsim *s, uint32_t idx, const isa_word *w, const fsim_nest *n, const idx_kind *k,
                      int nk, drv_error *err) {
  int bad = 0;
  for (int j = 0; j < nk && !bad; j++) {
    uint64_t span = (n->lo - 1) * k[j].fo + (n->li - 1) * k[j].fi;
    for (uint64_t u = n->ub; u < n->ue; u++)
      if (k[j].base[u] + span >= k[j].depth) bad = 1;
  }
  if (!bad) return 0;
  for (uint64_t o = 0; o < n->lo; o++)
    for (uint64_t i = 0; i < n->li; i++)
      for (uint64_t u = n->ub; u < n->ue; u++)
        for (int j = 0; j < nk; j++) {
          uint64_t v = k[j].base[u] + o * k[j].fo + i * k[j].fi;
          if (v < k[j].depth) continue;
          char what[256];
          snprintf(what, sizeof what,
                   "%s index %s=%" PRIu64 " past depth %u (o=%" PRIu64 " i=%" PRIu64
                   " uop %" PRIu64 ")",
                   k[j].mem, k[j].name, v, k[j].depth, o, i, u);
          return fail(s, err, DRV_ERR_SRAM_RANGE, idx, w, what);
        }
  return 0;
}

/* Source cache (timing only): accumulator elements lo..hi were written. */
static void sc_written(fsim *s, uint64_t lo, uint64_t hi) {
  if (lo == hi) {
    uint32_t *e = &s->sc_idx[lo % s->sc_n];
    if (*e == lo) *e = FSIM_SC_NONE;
    return;
  }
  for (uint32_t i = 0; i < s->sc_n; i++)
    if (s->sc_idx[i] != FSIM_SC_NONE && s->sc_idx[i] >= lo && s->sc_idx[i] <= hi) s->sc_idx[i] = FSIM_SC_NONE;
}

/* GEMM / DWGEMM with bias: every bias index b = wgt_in + u - uop_begin inside the accumulator. 0,
 * or DRV_E_EXEC with the error. */
static int check_bias(fsim *s, uint32_t idx, const isa_word *w, uint64_t wgt_in, const fsim_nest *n,
                      drv_error *err) {
  unsigned depth = s->cfg->d.acc_depth;
  if (wgt_in + (n->ue - 1 - n->ub) < depth) return 0;
  char what[256];
  snprintf(what, sizeof what, "ACC index b=%" PRIu64 " past depth %u (bias of uop %" PRIu64 ")",
           wgt_in + (n->ue - 1 - n->ub), depth, n->ue - 1);
  return fail(s, err, DRV_ERR_SRAM_RANGE, idx, w, what);
}

/* The source cache forgets every element between the lowest and highest accumulator index that
 * a nest of li inner iterations with factors fo, fi writes. */
static void sc_nest_written(fsim *s, const fsim_nest *n, uint64_t li, uint64_t fo, uint64_t fi) {
  uint64_t amin = UINT64_MAX, amax = 0;
  for (uint64_t u = n->ub; u < n->ue; u++) {
    if (s->ua[u] < amin) amin = s->ua[u];
    if (s->ua[u] > amax) amax = s->ua[u];
  }
  sc_written(s, amin, amax + (n->lo - 1) * fo + (li - 1) * fi);
}

static int exec_gemm(fsim *s, uint32_t idx, const isa_word *w, const isa_insn *in, fsim_work *wk,
                     drv_error *err) {
  const uint32_t *f = in->f;
  const isa_derived *d = &s->cfg->d;
  fsim_nest n;
  if (decode_uops(s, idx, w, in, &n, err)) return DRV_E_EXEC;
  if (n.ue <= n.ub || !n.lo || !n.li) return DRV_OK;
  int reset = (int)f[ISA_F_reset], bias = !reset && f[ISA_F_bias];
  idx_kind k[3] = {
      {"a", "ACC", s->ua, f[ISA_F_acc_out], f[ISA_F_acc_in], d->acc_depth},
      {"x", "INP", s->us, f[ISA_F_inp_out], f[ISA_F_inp_in], d->inp_depth},
      {"w", "WGT", s->uw, f[ISA_F_wgt_out], bias ? 0 : f[ISA_F_wgt_in], d->wgt_depth},
  };
  if (check_nest(s, idx, w, &n, k, reset ? 1 : 3, err)) return DRV_E_EXEC;
  if (bias && check_bias(s, idx, w, f[ISA_F_wgt_in], &n, err)) return DRV_E_EXEC;
  uint64_t iters = n.lo * n.li * (n.ue - n.ub);
  wk->iters = iters;
  uint64_t *fa = n.fa;
  n.fa[0] = k[0].fo, n.fa[1] = k[0].fi, n.fx[0] = k[1].fo, n.fx[1] = k[1].fi;
  n.fw[0] = k[2].fo, n.fw[1] = k[2].fi;
  sc_nest_written(s, &n, n.li, fa[0], fa[1]);
  if (reset) {
    for (uint64_t o = 0; o < n.lo; o++)
      for (uint64_t i = 0; i < n.li; i++)
        for (uint64_t u = n.ub; u < n.ue; u++) {
          uint64_t a = s->ua[u] + o * fa[0] + i * fa[1];
          memset(s->acc + a * s->acc_lanes, 0, s->acc_lanes * 4);
          memset(s->out + a * s->acc_lanes, 0, s->acc_lanes);
        }
    return DRV_OK;
  }
  wk->macs = iters * s->nb * s->bi * s->bo;
  if (s->wgt16_stale) { /* fsim_sram handed out the weights: refresh the int16 copy */
    fsim_x_wgt16(s, 0, d->wgt_depth);
    s->wgt16_stale = 0;
  }
  fsim_x_gemm(s, &n, bias, f[ISA_F_wgt_in]);
  return DRV_OK;
}

/* DWGEMM (ISA.md): GEMM's nest where every iteration reads inp[x] into a sliding window of the
 * last dw_taps vectors, the first T - 1 inner iterations (T = taps) of each outer one only fill
 * it, and the others write acc[a] (a and w from i' = i - (T - 1)) with lane j's products of
 * weight column k taken from window tap k % H (masked past T) at input lane
 * (2 floor(j / 2) + (k >= H)) % BLOCK_IN. The same pipeline and cycles as GEMM. */
static void dw_row(fsim *s, uint64_t a, uint64_t src, uint64_t wv, const uint64_t *ring, uint64_t nit,
                   unsigned T, unsigned H) {
  const unsigned nb = s->nb, bi = s->bi, bo = s->bo, al = nb * bo, il = nb * bi;
  const int8_t *we = s->wgt + wv * (uint64_t)bo * bi;
  for (unsigned b = 0; b < nb; b++)
    for (unsigned j = 0; j < bo; j++) {
      uint32_t v = (uint32_t)s->acc[src * al + b * bo + j];
      for (unsigned k = 0; k < bi; k++) {
        unsigned t = k % H, lane = (2 * (j / 2) + (k >= H)) % bi;
        if (t >= T) continue;
        const int8_t *x = s->inp + ring[(nit - 1 - t) % H] * il + b * bi;
        v += (uint32_t)((int32_t)x[lane] * (int32_t)we[j * bi + k]);
      }
      s->acc[a * al + b * bo + j] = (int32_t)v;
      s->out[a * al + b * bo + j] = (int8_t)v;
    }
}

static int exec_dwgemm(fsim *s, uint32_t idx, const isa_word *w, const isa_insn *in, fsim_work *wk,
                       drv_error *err) {
  const uint32_t *f = in->f;
  const isa_derived *d = &s->cfg->d;
  fsim_nest n;
  if (decode_uops(s, idx, w, in, &n, err)) return DRV_E_EXEC;
  if (n.ue <= n.ub || !n.lo || !n.li) return DRV_OK;
  const unsigned T = f[ISA_F_taps], H = d->dw_taps; /* 1 <= T <= H: isa_decode */
  int reset = (int)f[ISA_F_reset], bias = !reset && f[ISA_F_bias];
  /* a and w over i' (the written iterations' inner index; warm-up ones use i' = 0), x over i */
  fsim_nest nw = n;
  nw.li = n.li > T - 1 ? n.li - (T - 1) : 1;
  idx_kind kaw[2] = {
      {"a", "ACC", s->ua, f[ISA_F_acc_out], f[ISA_F_acc_in], d->acc_depth},
      {"w", "WGT", s->uw, 0, bias ? 0 : f[ISA_F_wgt_in], d->wgt_depth},
  };
  idx_kind kx = {"x", "INP", s->us, f[ISA_F_inp_out], f[ISA_F_inp_in], d->inp_depth};
  if (check_nest(s, idx, w, &nw, kaw, reset ? 1 : 2, err) || (!reset && check_nest(s, idx, w, &n, &kx, 1, err)))
    return DRV_E_EXEC;
  if (bias && check_bias(s, idx, w, f[ISA_F_wgt_in], &n, err)) return DRV_E_EXEC;
  wk->iters = n.lo * n.li * (n.ue - n.ub);
  if (!reset) wk->macs = wk->iters * s->nb * s->bi * s->bo;
  if (n.li >= T) sc_nest_written(s, &n, nw.li, kaw[0].fo, kaw[0].fi); /* else nothing is written */
  uint64_t ring[GEMM_MAX_BI / 2 + 1], nit = 0;
  const unsigned al = s->acc_lanes;
  for (uint64_t o = 0; o < n.lo; o++)
    for (uint64_t i = 0; i < n.li; i++)
      for (uint64_t u = n.ub; u < n.ue; u++) {
        ring[nit++ % H] = s->us[u] + o * kx.fo + i * kx.fi;
        if (i + 1 < T) continue; /* warm-up: fills the window, writes nothing */
        uint64_t ip = i - (T - 1), a = s->ua[u] + o * kaw[0].fo + ip * kaw[0].fi;
        if (reset) {
          memset(s->acc + a * al, 0, al * 4);
          memset(s->out + a * al, 0, al);
          continue;
        }
        dw_row(s, a, bias ? f[ISA_F_wgt_in] + (u - n.ub) : a, s->uw[u] + ip * kaw[1].fi, ring, nit, T, H);
      }
  return DRV_OK;
}

/* ALU lane operations (ISA.md table); a and b are int32 lanes, c the REQ parameter lane. */
static int32_t alu_shr(int32_t a, int32_t b) {
  int32_t sh = sext6((uint32_t)b);
  if (sh > 0) return (int32_t)(((int64_t)a + ((int64_t)1 << (sh - 1))) >> sh);
  if (sh == 0) return a;
  return (int32_t)(uint32_t)((uint64_t)(uint32_t)a << -sh);
}

static int32_t alu_req(int32_t a, int32_t c, int use_imm, int32_t lo, int32_t hi) {
  int64_t m = isa_req_mult((uint32_t)c); /* |a * m| <= 2^54: the rounding sum fits int64 */
  unsigned sh = isa_req_shift((uint32_t)c);
  int64_t p = (int64_t)a * m;
  int64_t r = sh ? (p + ((int64_t)1 << (sh - 1))) >> sh : p;
  if (use_imm) {
    if (r < lo) r = lo;
    if (r > hi) r = hi;
    return (int32_t)r;
  }
  return r > INT32_MAX ? INT32_MAX : r < INT32_MIN ? INT32_MIN : (int32_t)r;
}

/* One ALU iteration on L lanes: A = acc[d] (out mirror O), B the operand (REQ: its c lane),
 * T the lookup table [ISA_LUT_DEPTH][L] (LUT). */
static void alu_elem(int op, int use_imm, int32_t imm, int32_t *restrict A, int8_t *restrict O,
                     const int32_t *restrict B, const int8_t *restrict T, unsigned L) {
  switch (op) {
  case ISA_ALU_MIN:
    for (unsigned l = 0; l < L; l++) A[l] = A[l] < B[l] ? A[l] : B[l];
    break;
  case ISA_ALU_MAX:
    for (unsigned l = 0; l < L; l++) A[l] = A[l] > B[l] ? A[l] : B[l];
    break;
  case ISA_ALU_ADD:
    for (unsigned l = 0; l < L; l++) A[l] = (int32_t)((uint32_t)A[l] + (uint32_t)B[l]);
    break;
  case ISA_ALU_MUL:
    for (unsigned l = 0; l < L; l++)
      A[l] = (int32_t)((uint32_t)A[l] * (uint32_t)sext16((uint32_t)B[l]));
    break;
  case ISA_ALU_SHR:
    for (unsigned l = 0; l < L; l++) A[l] = alu_shr(A[l], B[l]);
    break;
  case ISA_ALU_CLIP:
    for (unsigned l = 0; l < L; l++) {
      int32_t lo = sext8((uint32_t)B[l]), hi = sext8((uint32_t)B[l] >> 8);
      int32_t v = A[l] > lo ? A[l] : lo;
      A[l] = v < hi ? v : hi;
    }
    break;
  case ISA_ALU_MOV:
    for (unsigned l = 0; l < L; l++) A[l] = B[l];
    break;
  case ISA_ALU_REQ: {
    int32_t lo = sext8((uint32_t)imm), hi = sext8((uint32_t)imm >> 8);
    for (unsigned l = 0; l < L; l++) A[l] = alu_req(A[l], B[l], use_imm, lo, hi);
    break;
  }
  case ISA_ALU_LUT:
    for (unsigned l = 0; l < L; l++) {
      int32_t c = A[l] < -128 ? -128 : A[l] > 127 ? 127 : A[l];
      A[l] = T[(unsigned)(c + 128) * L + l];
    }
    break;
  }
  for (unsigned l = 0; l < L; l++) O[l] = (int8_t)A[l];
}

static int exec_alu(fsim *s, uint32_t idx, const isa_word *w, const isa_insn *in, fsim_work *wk,
                    drv_error *err) {
  const uint32_t *f = in->f;
  const isa_derived *d = &s->cfg->d;
  fsim_nest n;
  if (decode_uops(s, idx, w, in, &n, err)) return DRV_E_EXEC;
  if (n.ue <= n.ub || !n.lo || !n.li) return DRV_OK;
  int op = (int)f[ISA_F_alu_op], use_imm = (int)f[ISA_F_use_imm];
  int32_t imm = isa_sext(f[ISA_F_imm], s->cfg->fwidth[ISA_F_imm]);
  int use_src = !use_imm || op == ISA_ALU_REQ; /* REQ reads acc[s] for c even with imm */
  int src_inp = use_src && f[ISA_F_src_inp];    /* ... or inp[s], sign-extended */
  idx_kind k[2] = {
      {"d", "ACC", s->ua, f[ISA_F_dst_out], f[ISA_F_dst_in], d->acc_depth},
      {"s", src_inp ? "INP" : "ACC", s->us, f[ISA_F_src_out], f[ISA_F_src_in], src_inp ? d->inp_depth : d->acc_depth},
  };
  if (check_nest(s, idx, w, &n, k, use_src ? 2 : 1, err)) return DRV_E_EXEC;
  wk->iters = n.lo * n.li * (n.ue - n.ub);
  const unsigned L = s->acc_lanes, IL = s->nb * s->bi;
  int32_t *B = s->tmp;
  if (!use_src)
    for (unsigned l = 0; l < L; l++) B[l] = imm;
  if (use_src && !src_inp) wk->src_reads = wk->iters;
  /* timing (fsim.h "GEMM/ALU"): each iteration's issue cycle, from read-after-write distances
   * and the one read port of a single accumulator copy */
  const int one_copy = d->acc_copies == 1;
  const int dst_rd = op != ISA_ALU_MOV;
  const uint64_t dist = use_src && !src_inp && one_copy ? s->tm.alu_raw_dist_src : s->tm.alu_raw_dist;
  if (++s->hz_cur == 0) { /* generation counter wrapped: forget every stamp */
    memset(s->hz_gen, 0, (size_t)d->acc_depth * sizeof *s->hz_gen);
    s->hz_cur = 1;
  }
  uint64_t prev = 0;
  int first = 1;
  for (uint64_t o = 0; o < n.lo; o++)
    for (uint64_t i = 0; i < n.li; i++)
      for (uint64_t u = n.ub; u < n.ue; u++) {
        uint64_t dd = s->ua[u] + o * k[0].fo + i * k[0].fi;
        uint64_t go = first ? 0 : prev + 1;
        if (dst_rd && s->hz_gen[dd] == s->hz_cur && s->hz_go[dd] + dist > go) go = s->hz_go[dd] + dist;
        int miss = 0;
        if (src_inp) { /* lane l: inp lane l (0 past the input's lanes); no accumulator read */
          uint64_t ss = s->us[u] + o * k[1].fo + i * k[1].fi;
          for (unsigned l = 0; l < L; l++) B[l] = l < IL ? s->inp[ss * IL + l] : 0;
        } else if (use_src) {
          uint64_t ss = s->us[u] + o * k[1].fo + i * k[1].fi;
          if (s->hz_gen[ss] == s->hz_cur && s->hz_go[ss] + dist > go) go = s->hz_go[ss] + dist;
          memcpy(B, s->acc + ss * L, L * 4); /* a copy: d may equal s */
          uint32_t *e = &s->sc_idx[ss % s->sc_n];
          if (*e != ss) { /* a miss: fills the entry */
            *e = (uint32_t)ss;
            miss = one_copy;
          }
        }
        /* a miss waits for the read port while the previous iteration reads acc[dst] */
        if (miss && dst_rd && !first && go == prev + 1) go += s->tm.src_miss_cycles;
        s->hz_gen[dd] = s->hz_cur;
        s->hz_go[dd] = go;
        prev = go;
        first = 0;
        sc_written(s, dd, dd);
        alu_elem(op, use_imm, imm, s->acc + dd * L, s->out + dd * L, B, s->lut, L);
      }
  wk->span = prev + 1;
  return DRV_OK;
}

int fsim_x_exec(fsim *s, const fsim_dram *dram, uint32_t idx, const isa_word *w,
                const isa_insn *in, fsim_work *wk, drv_error *err) {
  memset(wk, 0, sizeof *wk);
  switch (in->f[ISA_F_opcode]) {
  case ISA_OP_LOAD:
  case ISA_OP_STORE: return exec_mem(s, dram, idx, w, in, wk, err);
  case ISA_OP_GEMM: return exec_gemm(s, idx, w, in, wk, err);
  case ISA_OP_DWGEMM: return exec_dwgemm(s, idx, w, in, wk, err);
  case ISA_OP_ALU: return exec_alu(s, idx, w, in, wk, err);
  default: return DRV_OK; /* FINISH: no data effect */
  }
}
