/* compiler/backend/cg_emit.c -- the instruction builder of the back end: instruction lists and
 * constructors, the image (arena and constants), the micro-op cache that keeps micro-op sets
 * resident in the uop buffer, final encoding, and the cycle model (per-instruction costs and a
 * simulation of the three units, their instruction queues and token queues). */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cg_int.h"

int cg_fail(cg_gen *g, int code, const char *fmt, ...) {
  if (g->status == CG_OK) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(g->msg, sizeof g->msg, fmt, ap);
    va_end(ap);
    g->status = code;
  }
  return code;
}

int cg_gen_init(cg_gen *g, const isa_config *cfg, int dry) {
  memset(g, 0, sizeof *g);
  g->cfg = cfg;
  g->d = &cfg->d;
  g->B = cc_layout_block(&cfg->d);
  g->R = cfg->d.block_out / cfg->d.block_in;
  g->dry = dry;
  for (int i = 0; i < CG_HASH; i++) g->head[i] = -1;
  return CG_OK;
}

void cg_gen_free(cg_gen *g) {
  for (int i = 0; i < g->nsets; i++) free(g->sets[i].w);
  free(g->sets);
  free(g->img);
  cg_list_free(&g->prog);
  memset(g, 0, sizeof *g);
}

int cg_push(cg_gen *g, cg_list *l, const isa_insn *in) {
  if (l->n == l->cap) {
    int nc = l->cap ? 2 * l->cap : 16;
    isa_insn *nv = realloc(l->v, (size_t)nc * sizeof *nv);
    if (!nv) return cg_fail(g, CG_E_NOMEM, "out of memory (instruction list)");
    l->v = nv;
    l->cap = nc;
  }
  l->v[l->n++] = *in;
  return CG_OK;
}

void cg_list_free(cg_list *l) {
  free(l->v);
  l->v = NULL;
  l->n = l->cap = 0;
}

/* ---- instruction constructors ------------------------------------------------------------ */
/* A LOAD in the buffer's own elements. */
static isa_insn load_raw(int mem, uint32_t sram, uint64_t dram, uint32_t y, uint32_t x, uint32_t stride,
                         uint32_t yp0, uint32_t yp1, uint32_t xp0, uint32_t xp1, int padv) {
  isa_insn in;
  memset(&in, 0, sizeof in);
  in.f[ISA_F_opcode] = ISA_OP_LOAD;
  in.f[ISA_F_mem] = (uint32_t)mem;
  in.f[ISA_F_sram] = sram;
  in.f[ISA_F_dram] = dram > 0xffffffffu ? 0xffffffffu : (uint32_t)dram; /* range-checked later */
  in.f[ISA_F_y_size] = y;
  in.f[ISA_F_x_size] = x;
  in.f[ISA_F_x_stride] = stride;
  in.f[ISA_F_y_pad0] = yp0;
  in.f[ISA_F_y_pad1] = yp1;
  in.f[ISA_F_x_pad0] = xp0;
  in.f[ISA_F_x_pad1] = xp1;
  in.f[ISA_F_pad_value] = (uint32_t)padv & 0xffu;
  return in;
}

/* 1 if mem is addressed in blocks of R elements by the schedulers. */
static int blocked(int mem) { return mem == ISA_MEM_INP || mem == ISA_MEM_WGT; }

isa_insn cg_i_load(const cg_gen *g, int mem, uint32_t sram, uint64_t dram, uint32_t y,
                   uint32_t x, uint32_t stride, uint32_t yp0, uint32_t yp1, uint32_t xp0,
                   uint32_t xp1, int padv) {
  uint32_t r = blocked(mem) ? g->R : 1;
  return load_raw(mem, sram * r, dram * r, y, x * r, stride * r, yp0, yp1, xp0 * r, xp1 * r, padv);
}

isa_insn cg_i_store(const cg_gen *g, uint32_t sram, uint64_t dram, uint32_t y, uint32_t x,
                    uint32_t stride) {
  isa_insn in = cg_i_load(g, ISA_MEM_OUT, sram, dram, y, x, stride, 0, 0, 0, 0, 0);
  in.f[ISA_F_opcode] = ISA_OP_STORE;
  return in;
}

isa_insn cg_i_gemm(const cg_gen *g, uint32_t ub, uint32_t ue, uint32_t lo, uint32_t li, uint32_t ao,
                   uint32_t ai, uint32_t io, uint32_t ii, uint32_t wo, uint32_t wi) {
  isa_insn in;
  io *= g->R, ii *= g->R, wo *= g->R, wi *= g->R;
  memset(&in, 0, sizeof in);
  in.f[ISA_F_opcode] = ISA_OP_GEMM;
  in.f[ISA_F_uop_begin] = ub;
  in.f[ISA_F_uop_end] = ue;
  in.f[ISA_F_loop_out] = lo;
  in.f[ISA_F_loop_in] = li;
  in.f[ISA_F_acc_out] = ao;
  in.f[ISA_F_acc_in] = ai;
  in.f[ISA_F_inp_out] = io;
  in.f[ISA_F_inp_in] = ii;
  in.f[ISA_F_wgt_out] = wo;
  in.f[ISA_F_wgt_in] = wi;
  return in;
}

isa_insn cg_i_dwgemm(const cg_gen *g, uint32_t u, uint32_t lo, uint32_t li, uint32_t ao, uint32_t io, uint32_t ii,
                     uint32_t taps) {
  isa_insn in = cg_i_gemm(g, u, u + 1, lo, li, ao, 1, io, ii, 0, 0);
  in.f[ISA_F_opcode] = ISA_OP_DWGEMM;
  in.f[ISA_F_taps] = taps; /* wgt_out's bits (ISA.md): the weight has no outer factor */
  return in;
}

isa_insn cg_i_alu(const cg_gen *g, int op, int use_imm, int imm, uint32_t ub, uint32_t ue,
                  uint32_t lo, uint32_t li, uint32_t dso, uint32_t dsi, uint32_t sro, uint32_t sri) {
  (void)g;
  isa_insn in;
  memset(&in, 0, sizeof in);
  in.f[ISA_F_opcode] = ISA_OP_ALU;
  in.f[ISA_F_alu_op] = (uint32_t)op;
  in.f[ISA_F_use_imm] = (uint32_t)use_imm;
  in.f[ISA_F_imm] = (uint32_t)imm & 0xffffu;
  in.f[ISA_F_uop_begin] = ub;
  in.f[ISA_F_uop_end] = ue;
  in.f[ISA_F_loop_out] = lo;
  in.f[ISA_F_loop_in] = li;
  in.f[ISA_F_dst_out] = dso;
  in.f[ISA_F_dst_in] = dsi;
  in.f[ISA_F_src_out] = sro;
  in.f[ISA_F_src_in] = sri;
  return in;
}

isa_insn cg_i_finish(void) {
  isa_insn in;
  memset(&in, 0, sizeof in);
  in.f[ISA_F_opcode] = ISA_OP_FINISH;
  return in;
}

int cg_pad_fill(cg_gen *g, cg_list *l, int mem, uint32_t sram, uint32_t n, int padv) {
  if (blocked(mem)) sram *= g->R, n *= g->R;
  while (n) {
    uint32_t r = n / 30 > 30 ? 30 : n / 30, cols = 30;
    if (!r) {
      r = 1;
      cols = n;
    }
    uint32_t y0 = r > 15 ? 15 : r, y1 = r - y0, x0 = cols > 15 ? 15 : cols, x1 = cols - x0;
    isa_insn in = load_raw(mem, sram, 0, 0, 0, 0, y0, y1, x0, x1, padv);
    if (cg_push(g, l, &in)) return g->status;
    sram += r * cols;
    n -= r * cols;
  }
  return CG_OK;
}

void cg_tok(isa_insn *in, int pop_prev, int pop_next, int push_prev, int push_next) {
  if (pop_prev) in->f[ISA_F_pop_prev] = 1;
  if (pop_next) in->f[ISA_F_pop_next] = 1;
  if (push_prev) in->f[ISA_F_push_prev] = 1;
  if (push_next) in->f[ISA_F_push_next] = 1;
}

uint32_t cg_uop(const cg_gen *g, uint32_t acc, uint32_t src, uint32_t wgt) {
  return isa_uop(g->cfg, acc, src, wgt);
}

int cg_uop_words(const cg_gen *g, uint32_t begin, uint32_t n, uint32_t *out) {
  for (int i = 0; i < g->nres; i++) {
    const cg_uset *u = &g->sets[g->res[i].set];
    if (begin >= g->res[i].at && begin + n <= g->res[i].at + u->n) {
      memcpy(out, u->w + (begin - g->res[i].at), n * sizeof *out);
      return 0;
    }
  }
  return -1;
}

void cg_gemm_uops(const cg_gen *g, uint32_t *w, uint32_t *n, uint32_t acc, uint32_t inp, uint32_t wgt,
                  unsigned h0, unsigned h1) {
  for (uint32_t h = h0; h < h1; h++) w[(*n)++] = isa_uop(g->cfg, acc, inp * g->R + h, wgt * g->R + h);
}

void cg_gemm_uop(const cg_gen *g, uint32_t *w, uint32_t *n, uint32_t acc, uint32_t inp, uint32_t wgt) {
  cg_gemm_uops(g, w, n, acc, inp, wgt, 0, g->R);
}

uint64_t cg_elem(const cg_gen *g, uint64_t byte_off, int mem) {
  return byte_off / ((uint64_t)g->cfg->elem_bytes[mem] * (blocked(mem) ? g->R : 1));
}

uint32_t cg_req_lane(int32_t mult, int shift) {
  return isa_req_word(mult, (unsigned)shift);
}

int cg_clip_imm(int lo, int hi) {
  return (int)(int16_t)(uint16_t)(((unsigned)(hi & 0xff) << 8) | (unsigned)(lo & 0xff));
}

/* ---- image --------------------------------------------------------------------------------- */
/* Make the image at least `need` bytes, zero-filled up to need (the capacity doubles; what
 * lies past the need is zeroed only when a later need reaches it: a large layer's image
 * touches no page it does not use, and first touches cost on a virtual machine). */
static int img_grow(cg_gen *g, uint64_t need) {
  if (need > g->img_cap) {
    uint64_t nc = g->img_cap ? g->img_cap : 65536;
    while (nc < need) nc *= 2;
    uint8_t *nb = realloc(g->img, nc);
    if (!nb) return cg_fail(g, CG_E_NOMEM, "out of memory (image of %llu bytes)", (unsigned long long)need);
    g->img = nb;
    g->img_cap = nc;
  }
  if (need > g->img_zero) {
    memset(g->img + g->img_zero, 0, need - g->img_zero);
    g->img_zero = need;
  }
  return CG_OK;
}

/* Reserve at an offset aligned to align bytes. */
static uint64_t reserve_at(cg_gen *g, uint64_t bytes, uint64_t align) {
  if (g->dry) return 0;
  uint64_t at = (g->img_n + align - 1) / align * align;
  if (img_grow(g, at + bytes) != CG_OK) return 0;
  g->img_n = at + bytes;
  return at;
}

uint64_t cg_reserve(cg_gen *g, uint64_t bytes) { return reserve_at(g, bytes, CG_ALIGN); }

uint64_t cg_reserve_at(cg_gen *g, uint64_t bytes, uint64_t align) {
  return reserve_at(g, bytes, align < CG_ALIGN ? CG_ALIGN : align);
}

uint64_t cg_const_at(cg_gen *g, const void *p, uint64_t bytes, uint64_t align) {
  if (g->dry) return 0;
  uint64_t at = reserve_at(g, bytes, align < CG_ALIGN ? CG_ALIGN : align);
  if (g->status == CG_OK && bytes) memcpy(g->img + at, p, bytes);
  return at;
}

uint64_t cg_const(cg_gen *g, const void *p, uint64_t bytes) { return cg_const_at(g, p, bytes, CG_ALIGN); }

/* ---- micro-op cache ------------------------------------------------------------------------ */
static uint64_t hash_words(const uint32_t *w, uint32_t n) {
  uint64_t h = 1469598103934665603ull;
  for (uint32_t i = 0; i < n; i++) {
    h ^= w[i];
    h *= 1099511628211ull;
  }
  return h ^ n;
}

/* The hash chain of hash h: its top bits after a multiply by 2^64 / phi, which depend on all
 * of h (h's low bits depend only on the words' low bits: micro-ops that differ in their upper
 * fields would share a chain). */
static int uset_bucket(uint64_t h) { return (int)((h * 0x9E3779B97F4A7C15ull) >> (64 - CG_HASH_BITS)); }

/* The set's index in g->sets, adding it (and its image copy) if new; -1 on failure. */
static int uset_get(cg_gen *g, const uint32_t *w, uint32_t n) {
  uint64_t h = hash_words(w, n);
  int b = uset_bucket(h);
  for (int i = g->head[b]; i >= 0; i = g->sets[i].next)
    if (g->sets[i].hash == h && g->sets[i].n == n && !memcmp(g->sets[i].w, w, n * 4u)) return i;
  if (g->nsets == g->capsets) {
    int nc = g->capsets ? 2 * g->capsets : 64;
    cg_uset *ns = realloc(g->sets, (size_t)nc * sizeof *ns);
    if (!ns) return cg_fail(g, CG_E_NOMEM, "out of memory (uop sets)"), -1;
    g->sets = ns;
    g->capsets = nc;
  }
  cg_uset *s = &g->sets[g->nsets];
  s->w = malloc(n * 4u);
  if (!s->w) return cg_fail(g, CG_E_NOMEM, "out of memory (uop sets)"), -1;
  memcpy(s->w, w, n * 4u);
  s->n = n;
  s->hash = h;
  s->dram = 0;
  s->resi = -1;
  if (!g->dry) {
    uint8_t *tmp = malloc(n * 4u);
    if (!tmp) return cg_fail(g, CG_E_NOMEM, "out of memory (uop sets)"), -1;
    for (uint32_t i = 0; i < n; i++)
      for (int k = 0; k < 4; k++) tmp[4 * i + k] = (uint8_t)(w[i] >> (8 * k));
    uint64_t off = cg_const(g, tmp, n * 4u);
    free(tmp);
    s->dram = off / g->cfg->elem_bytes[ISA_MEM_UOP];
  }
  s->next = g->head[b];
  g->head[b] = g->nsets;
  return g->nsets++;
}

int cg_uops(cg_gen *g, cg_list *l, const uint32_t *w, uint32_t n, uint32_t *begin) {
  if (n == 0 || n > g->d->uop_depth)
    return cg_fail(g, CG_E_FIT, "micro-op set of %u does not fit the uop buffer (%u)", n,
                   g->d->uop_depth);
  int s = uset_get(g, w, n);
  if (s < 0) return g->status;
  if (g->sets[s].resi >= 0) { /* resident (each set is in res at most once) */
    *begin = g->res[g->sets[s].resi].at;
    return CG_OK;
  }
  if (g->uop_top + n > g->d->uop_depth || g->nres == CG_MAX_RES) {
    g->uop_top = 0; /* flush: the compute unit runs in order, earlier users are done */
    for (int i = 0; i < g->nres; i++) g->sets[g->res[i].set].resi = -1;
    g->nres = 0;
  }
  uint32_t at = g->uop_top;
  isa_insn in = cg_i_load(g, ISA_MEM_UOP, at, g->sets[s].dram, 1, n, n, 0, 0, 0, 0, 0);
  if (cg_push(g, l, &in)) return g->status;
  g->res[g->nres].set = s;
  g->res[g->nres].at = at;
  g->sets[s].resi = g->nres;
  g->nres++;
  g->uop_top += n;
  *begin = at;
  return CG_OK;
}

/* The uop buffer range [*a, *b) an instruction reads (GEMM, ALU: 1) or a LOAD UOP writes (2);
 * 0 for any other. */
static int uop_range(const isa_insn *in, uint32_t *a, uint32_t *b) {
  const uint32_t *f = in->f;
  if (f[ISA_F_opcode] == ISA_OP_LOAD && f[ISA_F_mem] == ISA_MEM_UOP) {
    *a = f[ISA_F_sram];
    *b = *a + f[ISA_F_y_size] * f[ISA_F_x_size];
    return f[ISA_F_y_size] == 1 && !f[ISA_F_x_pad0] && !f[ISA_F_x_pad1] && !f[ISA_F_y_pad0] && !f[ISA_F_y_pad1] ? 2 : 3;
  }
  if (f[ISA_F_opcode] != ISA_OP_GEMM && f[ISA_F_opcode] != ISA_OP_DWGEMM && f[ISA_F_opcode] != ISA_OP_ALU) return 0;
  *a = f[ISA_F_uop_begin], *b = f[ISA_F_uop_end];
  return 1;
}

/* The LOAD UOPs of v[s..e) (ld[] their indices, n of them) if they may be one LOAD at the first
 * one's place or earlier: no token flags, together one run [*lo, *hi) of the buffer without
 * overlaps, and no instruction of v[s..e) reads or loads a LOAD's elements before it; else 0. */
static int uop_loads(const isa_insn *v, int s, int e, int *ld, int *n, uint32_t *lo, uint32_t *hi) {
  uint64_t sum = 0;
  *n = 0, *lo = UINT32_MAX, *hi = 0;
  for (int p = s; p < e; p++) {
    uint32_t a, b, c, d;
    int k = uop_range(&v[p], &a, &b);
    if (k == 3) return 0;
    if (k != 2) continue;
    const uint32_t *f = v[p].f;
    if (f[ISA_F_pop_prev] || f[ISA_F_pop_next] || f[ISA_F_push_prev] || f[ISA_F_push_next]) return 0;
    for (int q = s; q < p; q++)
      if (uop_range(&v[q], &c, &d) && a < d && c < b) return 0;
    ld[(*n)++] = p, sum += b - a;
    *lo = a < *lo ? a : *lo, *hi = b > *hi ? b : *hi;
  }
  return *n > 1 && sum == (uint64_t)(*hi - *lo);
}

int cg_merge_uops(cg_gen *g, int start) {
  isa_insn *v = g->prog.v;
  int n = g->prog.n, q = start, m = 0, nl;
  uint32_t lo, hi;
  while (q < n && !(isa_insn_unit(&v[q]) == ISA_UNIT_COMPUTE && v[q].f[ISA_F_opcode] != ISA_OP_LOAD &&
                    (v[q].f[ISA_F_pop_prev] || v[q].f[ISA_F_pop_next])))
    q++;
  int *ld = malloc((size_t)(n - start + 1) * sizeof *ld);
  isa_insn *tmp = malloc((size_t)(n - start + 1) * sizeof *tmp);
  uint8_t *blob = NULL;
  if (!ld || !tmp) goto nomem;
  if (q >= n || !uop_loads(v, start, n, ld, &nl, &lo, &hi)) goto out;
  uint64_t eb = g->cfg->elem_bytes[ISA_MEM_UOP], dram = 0;
  if (!g->dry) { /* the sets' words in buffer order, as one run of the image */
    if (!(blob = malloc((size_t)(hi - lo) * eb))) goto nomem;
    for (int i = 0; i < nl; i++) {
      const uint32_t *f = v[ld[i]].f;
      memcpy(blob + (f[ISA_F_sram] - lo) * eb, g->img + (uint64_t)f[ISA_F_dram] * eb, f[ISA_F_x_size] * eb);
    }
    dram = cg_const(g, blob, (hi - lo) * eb) / eb;
    v = g->prog.v;
  }
  isa_insn one = cg_i_load(g, ISA_MEM_UOP, lo, dram, 1, hi - lo, hi - lo, 0, 0, 0, 0, 0);
  for (int p = start, i = 0; p < n; p++) {
    if (p == q) tmp[m++] = one;
    if (i < nl && ld[i] == p) i++;
    else tmp[m++] = v[p];
  }
  memcpy(v + start, tmp, (size_t)m * sizeof *tmp);
  g->prog.n = start + m;
  goto out;
nomem:
  cg_fail(g, CG_E_NOMEM, "out of memory (micro-op loads)");
out:
  free(ld), free(tmp), free(blob);
  return g->status;
}

int cg_encodable(const cg_gen *g, const cg_list *l) {
  for (int i = 0; i < l->n; i++)
    if (isa_encodable(g->cfg, &l->v[i], NULL) != ISA_OK) return 0;
  return 1;
}

int cg_finish(cg_gen *g, isa_prog *prog) {
  memset(prog, 0, sizeof *prog);
  prog->cfg = g->cfg;
  prog->insns = malloc((size_t)(g->prog.n ? g->prog.n : 1) * sizeof(isa_word));
  if (!prog->insns) return cg_fail(g, CG_E_NOMEM, "out of memory (program)");
  for (int i = 0; i < g->prog.n; i++) {
    int bad = -1;
    int rc = isa_encode(g->cfg, &g->prog.v[i], &prog->insns[i], &bad);
    if (rc != ISA_OK) {
      free(prog->insns);
      prog->insns = NULL;
      return cg_fail(g, CG_E_FIT, "instruction %d (%s): field %s value %u does not fit (%s)", i,
                     isa_op_name((int)g->prog.v[i].f[ISA_F_opcode]),
                     bad >= 0 ? isa_field_name(bad) : "?", bad >= 0 ? g->prog.v[i].f[bad] : 0,
                     isa_strerror(rc));
    }
  }
  prog->n_insns = (uint32_t)g->prog.n;
  uint64_t bytes = (g->img_n + CG_ALIGN - 1) / CG_ALIGN * CG_ALIGN;
  if (!bytes) bytes = CG_ALIGN;
  if (img_grow(g, bytes)) return g->status;
  prog->image = g->img;
  prog->image_bytes = bytes;
  g->img = NULL;
  g->img_n = g->img_cap = g->img_zero = 0;
  return CG_OK;
}

/* ---- cycle model ----------------------------------------------------------------------------- */
/* fsim's cycle model in the large (sim/fsim/fsim.h): the RTL's fixed instruction and DMA costs
 * are isa_derived's, the values fsim_timing_default takes too; LOAD and STORE carry rd_overhead /
 * wr_overhead in their latencies. */
void cg_cost_init(const isa_config *cfg, cg_cost *c) {
  c->rd_lat = cfg->d.dram_rd_latency + cfg->d.rd_overhead;
  c->wr_lat = cfg->d.dram_wr_latency + cfg->d.wr_overhead;
  c->beat_bytes = cfg->d.axi_bits / 8.0;
  c->wgt_beat_bytes = c->beat_bytes * (cfg->d.wgt_split ? 2 : 1);
  c->insn_ovh = cfg->d.insn_overhead;
  c->gemm_fill = cfg->d.loop_prime + cfg->d.gemm_wstage + 1; /* the pipeline's stages (isa_derived) */
  c->alu_fill = cfg->d.loop_prime + cfg->d.alu_wstage + 1;
  c->fetch_beats = 128.0 / cfg->d.axi_bits;
  c->fetch_burst = cfg->d.fetch_burst;
}

/* Port cycles of a LOAD/STORE's data: a cycle per beat, at least one per element (fsim); a
 * weight LOAD over two read ports moves two beats a cycle. */
static double dma_beats(const isa_config *cfg, const cg_cost *c, const uint32_t *f) {
  double eb = cfg->elem_bytes[f[ISA_F_mem]];
  double rows = f[ISA_F_y_size], xs = f[ISA_F_x_size];
  int wgt = f[ISA_F_opcode] == ISA_OP_LOAD && f[ISA_F_mem] == ISA_MEM_WGT;
  double row = ceil(xs * eb / (wgt ? c->wgt_beat_bytes : c->beat_bytes));
  return (rows && xs) ? rows * (row > xs ? row : xs) : 0;
}

double cg_insn_cycles(const isa_config *cfg, const cg_cost *c, const isa_insn *in) {
  const uint32_t *f = in->f;
  switch (f[ISA_F_opcode]) {
  case ISA_OP_LOAD:
  case ISA_OP_STORE: {
    double rows = f[ISA_F_y_size], xs = f[ISA_F_x_size];
    double beats = dma_beats(cfg, c, f);
    double cols = f[ISA_F_x_pad0] + xs + f[ISA_F_x_pad1];
    double all = (f[ISA_F_y_pad0] + rows + f[ISA_F_y_pad1]) * cols;
    double pads = all - rows * xs;
    double lat = beats ? (f[ISA_F_opcode] == ISA_OP_LOAD ? c->rd_lat : c->wr_lat) : 0;
    double check = f[ISA_F_opcode] == ISA_OP_LOAD ? cfg->d.ld_check : cfg->d.st_check;
    return c->insn_ovh + check + lat + beats + pads;
  }
  case ISA_OP_GEMM:
  case ISA_OP_DWGEMM: /* GEMM's pipeline: an iteration a cycle, the window's warm-up ones too */
  case ISA_OP_ALU: {
    double u = f[ISA_F_uop_end] > f[ISA_F_uop_begin] ? f[ISA_F_uop_end] - f[ISA_F_uop_begin] : 0;
    double it = u * f[ISA_F_loop_out] * f[ISA_F_loop_in];
    double fill = f[ISA_F_opcode] != ISA_OP_ALU ? c->gemm_fill : c->alu_fill;
    double src = 0;
    if (it && f[ISA_F_opcode] == ISA_OP_ALU && cfg->d.acc_copies == 1 && !f[ISA_F_src_inp] &&
        (!f[ISA_F_use_imm] || f[ISA_F_alu_op] == ISA_ALU_REQ)) {
      /* fsim counts source-cache misses from the micro-ops; without them: source factors 0
       * mean per-channel elements (one miss per micro-op), otherwise a new source each time */
      double misses = !f[ISA_F_src_out] && !f[ISA_F_src_in] ? u : it;
      double miss = f[ISA_F_alu_op] == ISA_ALU_MOV ? 0 : (misses - 1) * cfg->d.src_miss_cycles;
      src = cfg->d.alu_src_fill + miss;
    }
    return c->insn_ovh + it + (it ? fill : 0) + src;
  }
  default: return 1;
  }
}

/* The memory port of the model: transfers take it in the order they are issued (as fsim's
 * do), although the model visits instructions in program order: a LOAD issued before the STORE
 * that program order put ahead of it takes the port first (that STORE's own end is not moved:
 * stores rarely gate the next instruction of another unit). */
typedef struct cg_port {
  double free;        /* end of the last reservation */
  double st_issue;    /* last reservation was a STORE issued then (-1: it was not) */
  double before_st;   /* the port's end before that STORE */
  double st_beats;    /* that STORE's beats */
} cg_port;

/* Duration of insn in from start, with the memory port shared by LOAD and STORE data (as
 * fsim models it); updates *port. */
static double insn_end(const isa_config *cfg, const cg_cost *c, const isa_insn *in, double start,
                       cg_port *port) {
  const uint32_t *f = in->f;
  int op = (int)f[ISA_F_opcode];
  if (op != ISA_OP_LOAD && op != ISA_OP_STORE) return start + cg_insn_cycles(cfg, c, in);
  double rows = f[ISA_F_y_size], xs = f[ISA_F_x_size];
  double beats = dma_beats(cfg, c, f);
  double cols = f[ISA_F_x_pad0] + xs + f[ISA_F_x_pad1];
  double pads = (f[ISA_F_y_pad0] + rows + f[ISA_F_y_pad1]) * cols - rows * xs;
  double t = start + c->insn_ovh;
  if (beats) {
    double ds = op == ISA_OP_LOAD ? t + c->rd_lat : t;
    if (op == ISA_OP_LOAD && port->st_issue >= 0 && start <= port->st_issue) {
      /* issued before that STORE: ahead of it on the port, the STORE after it */
      if (port->before_st > ds) ds = port->before_st;
      double st_ds = port->free - port->st_beats;
      port->free = (ds + beats > st_ds ? ds + beats : st_ds) + port->st_beats;
      port->st_issue = -1;
    } else {
      if (port->free > ds) ds = port->free;
      if (op == ISA_OP_STORE) port->st_issue = start, port->before_st = port->free, port->st_beats = beats;
      else port->st_issue = -1;
      port->free = ds + beats;
    }
    t = ds + beats + (op == ISA_OP_STORE ? c->wr_lat : 0);
  }
  return t + pads;
}

/* Token queues of the model, by index: L2C, C2L, C2S, S2C. Each a FIFO of push times. */
typedef struct tq {
  double *t;
  uint32_t n, rd;
} tq;

/* The model's token queue of a pop or push by a unit in a direction. */
static int q_of(int unit, int pop_or_push_prev, int is_pop) {
  /* (unit, direction) -> queue: load->next: L2C; compute->prev: C2L; compute->next: C2S;
   * store->prev: S2C. is_pop inverts: popping prev on compute reads L2C, etc. */
  if (!is_pop) {
    if (unit == ISA_UNIT_LOAD) return 0;
    if (unit == ISA_UNIT_COMPUTE) return pop_or_push_prev ? 1 : 2;
    return 3;
  }
  if (unit == ISA_UNIT_LOAD) return 1;
  if (unit == ISA_UNIT_COMPUTE) return pop_or_push_prev ? 0 : 3;
  return 2;
}

double cg_time_prog(const isa_config *cfg, const isa_insn *v, uint32_t n, double *ends) {
  cg_cost c;
  cg_cost_init(cfg, &c);
  unsigned Q = cfg->d.insn_queue;
  tq q[4];
  double *starts[ISA_UNIT_COUNT];
  uint32_t cnt[ISA_UNIT_COUNT] = {0};
  double free_at[ISA_UNIT_COUNT] = {0};
  memset(q, 0, sizeof q);
  int ok = 1;
  for (int i = 0; i < 4; i++) q[i].t = malloc((n + 1) * sizeof(double));
  for (int u = 0; u < ISA_UNIT_COUNT; u++) starts[u] = malloc((n + 1) * sizeof(double));
  for (int i = 0; i < 4; i++)
    if (!q[i].t) ok = 0;
  for (int u = 0; u < ISA_UNIT_COUNT; u++)
    if (!starts[u]) ok = 0;
  double fetch = 0, done = 0;
  cg_port port = {0, -1, 0, 0};
  uint32_t burst_start = 0;
  for (uint32_t i = 0; ok && i < n; i++) {
    const isa_insn *in = &v[i];
    int u = isa_insn_unit(in);
    if (u < 0) u = ISA_UNIT_COMPUTE;
    /* fetch: a new burst (read latency) every fetch_burst insns or after waiting for room */
    double room = cnt[u] >= Q ? starts[u][cnt[u] - Q] : 0;
    int burst = i == 0 || i - burst_start >= c.fetch_burst || room > fetch;
    if (room > fetch) fetch = room;
    if (burst) {
      fetch += c.rd_lat;
      burst_start = i;
    }
    fetch += c.fetch_beats;
    double st = fetch > free_at[u] ? fetch : free_at[u];
    static const int popf[2] = {ISA_F_pop_prev, ISA_F_pop_next};
    for (int k = 0; k < 2; k++)
      if (in->f[popf[k]]) {
        tq *qq = &q[q_of(u, k == 0, 1)];
        if (qq->rd >= qq->n) {
          ok = 0;
          break;
        }
        double t = qq->t[qq->rd++];
        if (t > st) st = t;
      }
    if (!ok) break;
    double en = insn_end(cfg, &c, in, st, &port);
    if (in->f[ISA_F_push_prev]) {
      tq *qq = &q[q_of(u, 1, 0)];
      qq->t[qq->n++] = en;
    }
    if (in->f[ISA_F_push_next]) {
      tq *qq = &q[q_of(u, 0, 0)];
      qq->t[qq->n++] = en;
    }
    starts[u][cnt[u]++] = st;
    free_at[u] = en;
    if (en > done) done = en;
    if (ends) ends[i] = done;
  }
  for (int i = 0; i < 4; i++) free(q[i].t);
  for (int u = 0; u < ISA_UNIT_COUNT; u++) free(starts[u]);
  return ok ? done : -1.0;
}

int cg_verify_tokens(cg_gen *g, const isa_insn *v, uint32_t n) {
  static const char *qn[4] = {"L2C", "C2L", "C2S", "S2C"};
  uint64_t pushes[4] = {0}, pops[4] = {0};
  for (uint32_t i = 0; i < n; i++) {
    int u = isa_insn_unit(&v[i]);
    if (u < 0) return cg_fail(g, CG_E_INTERNAL, "instruction %u: no unit", i);
    for (int k = 0; k < 2; k++)
      if (v[i].f[k ? ISA_F_pop_next : ISA_F_pop_prev]) {
        int q = q_of(u, k == 0, 1);
        if (++pops[q] > pushes[q])
          return cg_fail(g, CG_E_INTERNAL, "instruction %u (%s) pops %s before any push", i,
                         isa_op_name((int)v[i].f[ISA_F_opcode]), qn[q]);
      }
    for (int k = 0; k < 2; k++)
      if (v[i].f[k ? ISA_F_push_next : ISA_F_push_prev]) pushes[q_of(u, k == 0, 0)]++;
  }
  for (int q = 0; q < 4; q++)
    if (pushes[q] != pops[q])
      return cg_fail(g, CG_E_INTERNAL, "token queue %s ends with %llu tokens", qn[q],
                     (unsigned long long)(pushes[q] - pops[q]));
  return CG_OK;
}
