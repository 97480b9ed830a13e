/* compiler/backend/cg_mul.c -- elementwise product on the tensor ALU: an activation times a
 * per-channel vector (squeeze-and-excite's x * sigmoid(fc(gap(x))), the vector a runtime
 * tensor), or times an activation of its own shape (x * sigmoid(x) when not fused).
 *
 * Chunks of at most T elements (MUL_CHUNK, or what the buffers hold): per-channel b, whole
 * channel blocks when a block's pixels fit (MUL's loop_out over them), else parts of one block;
 * b of a's shape, runs of the flat blocked tensor, as the elementwise add (cg_pool.c). A vector
 * b comes into the accumulator once, all its blocks, with [ADD -b_zp] and [MUL 2^frac] over them
 * (when they take at most half of it; else per chunk its block's element, as b of a's shape
 * its chunk). Per chunk: a into the accumulator, MUL acc[a] by acc[b] (the vector: src factor 0
 * within a block, one source element, a source-cache hit after the first), [ADD bias] (src
 * factor 0: the constant element), REQ into the output scale, [ADD y_zp], STORE. The front end
 * folds the output's zero point into the bias (y_zp = 0: REQ with the bounds lands on the
 * codes). a comes in one of two ways:
 *   - per-channel b: LOAD INP by the load unit (double-buffered, tokens L2C / C2L as the pools'
 *     window in INP, overlapping the compute), then one GEMM of an identity weight block starting
 *     from a bias element of -a_zp in every lane: acc = a - a_zp at one cycle per element, where
 *     LOAD ACC8 on the compute unit takes a beat per element (two cycles on pynq) and ADD -a_zp
 *     one more: a's zero point costs nothing, and the compute unit no longer waits for a's bytes
 *     (a block of R INP elements, block_in < block_out: the GEMM with the bias over slice 0, a
 *     second one over the other slices, R cycles an element);
 *   - else LOAD ACC8 of a and [ADD -a_zp].
 * A y_zp left over folds into REQ's bounds (lo - y_zp, hi - y_zp, then ADD y_zp) when REQ cannot
 * come near int32's ends: with |mult| < 2^(ISA_REQ_M_WIDTH - 1) and shift >= MUL_NOSAT_SHIFT,
 * |REQ| <= 2^30 + 1 and clamp(sat32(r) + y_zp) = clamp(r, lo - y_zp, hi - y_zp) + y_zp exactly;
 * else REQ, ADD y_zp, CLIP. (a - a_zp) and (b - b_zp) are within +-255 and (b - b_zp) * 2^frac
 * within +-2^15 (frac <= 7), so MUL (by the source's low 16 bits) is exact. Chunks alternate
 * between two accumulator blocks (tokens C2S / S2C), one with no_latency_hiding.
 */
#include <stdio.h>
#include <string.h>

#include "cg_int.h"

/* |(a - a_zp) * (b - b_zp) * 2^frac + bias| < 2^23 + 2^24 < 2^25 */
#define MUL_NOSAT_SHIFT (25 + ISA_REQ_M_WIDTH - 1 - 30)

/* Elements per chunk at most: a chunk's own instructions (about eight, tens of cycles each)
 * against the pipeline's fill and drain (the first chunk's load before any compute, the last
 * one's store after it: two cycles an element each on pynq). On fsim, efficientnet_b0's 16 muls
 * take 652k cycles with chunks of 256 elements (or 512), 682k with pynq's whole room (about
 * 1000 elements a slot), 690k with 128; the cycle model (cg_time_prog), which puts loads and
 * stores on one port, prefers chunks of 64 (711k), so no candidates are timed. */
#define MUL_CHUNK 256

typedef struct mul_geo {
  int per_channel, inp, nslot, T, per, ntiles, N, HW, cb, fold;
  int bpre;                  /* per channel: b's blocks in the accumulator from the start */
  int kb;                    /* per channel: whole channel blocks per chunk (0: chunks of one) */
  uint32_t base, slot;       /* ACC: first slot's element, elements per slot */
  uint64_t ae, be, oe, ie;   /* DRAM elements of a (ACC8), b (ACC8), out (OUT), a (INP) */
} mul_geo;

/* Chunk j's first element of a (and of a same-shape b), its length, its first channel block
 * and how many whole blocks it holds (per channel; 1 for a part of one). */
static void mul_chunk(const mul_geo *m, int j, uint64_t *a0, int *n, int *cb0, int *nblk) {
  if (m->kb) {
    *cb0 = j * m->kb, *nblk = cg_min(m->kb, m->cb - *cb0), *n = *nblk * m->HW;
    *a0 = (uint64_t)*cb0 * m->HW;
    return;
  }
  *cb0 = m->per_channel ? j / m->per : 0, *nblk = 1;
  int e0 = (m->per_channel ? j % m->per : j) * m->T;
  *n = cg_min(m->T, m->N - e0);
  *a0 = (uint64_t)*cb0 * m->HW + (uint64_t)e0;
}

/* m->inp: chunk j's LOAD INP on the load unit into slot j % nslot, emitted now; it waits for
 * the GEMM that last read the slot (C2L, chunks from nslot on) and signals the compute (L2C). */
static int mul_inp_load(cg_gen *g, const mul_geo *m, int j) {
  uint64_t a0;
  int n, cb0, nblk;
  mul_chunk(m, j, &a0, &n, &cb0, &nblk);
  isa_insn in = cg_i_load(g, ISA_MEM_INP, (uint32_t)((j % m->nslot) * m->T), m->ie + a0, 1, (uint32_t)n, (uint32_t)n, 0,
                          0, 0, 0, 0);
  cg_tok(&in, 0, j >= m->nslot, 0, 1);
  return cg_push(g, &g->prog, &in);
}

/* The compute and store of chunk j. */
static int mul_chunk_gen(cg_gen *g, const cg_mul *p, const mul_geo *m, int j) {
  uint64_t a0;
  int n, cb0, nblk;
  mul_chunk(m, j, &a0, &n, &cb0, &nblk);
  uint32_t A = m->base + (uint32_t)((j % m->nslot) * m->slot), Bv = A + (uint32_t)m->T;
  uint32_t nb = m->per_channel ? 1 : (uint32_t)n, ub[5], li = (uint32_t)(n / nblk);
  isa_insn in;
  /* the first instruction that writes A (a's LOAD ACC8, or the GEMM; b's element is not
   * stored) waits for chunk j - nslot's store to free the slot (S2C) */
  if (!m->inp) {
    in = cg_i_load(g, ISA_MEM_ACC8, A, m->ae + a0, 1, (uint32_t)n, (uint32_t)n, 0, 0, 0, 0, 0);
    cg_tok(&in, 0, j >= m->nslot, 0, 0);
    if (cg_push(g, &g->prog, &in)) return g->status;
  }
  if (!m->bpre) {
    in = cg_i_load(g, ISA_MEM_ACC8, Bv, m->be + (m->per_channel ? (uint64_t)cb0 : a0), 1, nb, nb, 0, 0, 0, 0, 0);
    if (cg_push(g, &g->prog, &in)) return g->status;
  }
  /* micro-ops: 0 on a, 1 on b, 2 a by b (the chunk's first block's element of b), 3 a by REQ's
   * lanes, 4 a by the bias element (the GEMMs of a's INP slot make their own) */
  uint32_t u[5] = {cg_uop(g, A, 0, 0), cg_uop(g, Bv, 0, 0), cg_uop(g, A, m->bpre ? 3 + (uint32_t)cb0 : Bv, 0),
                   cg_uop(g, A, 0, 0), cg_uop(g, A, 2, 0)};
  for (int k = 0; k < 5; k++)
    if (cg_uops(g, &g->prog, &u[k], 1, &ub[k])) return g->status;
  if (m->inp) { /* acc[A + i] = -a_zp (element 1) + inp[slot + i] x identity */
    /* slice 0 of each pixel from the bias element (bias applies to every micro-op of a GEMM),
     * then (R > 1) the other slices onto it */
    uint32_t us[8], nu, ubs;
    int parts = g->R > 1 ? 2 : 1;
    CG_CHECK(g, g->R <= 8);
    for (int h = 0; h < parts; h++) {
      nu = 0;
      cg_gemm_uops(g, us, &nu, A, (uint32_t)((j % m->nslot) * m->T), 0, (unsigned)h, h ? g->R : 1);
      if (cg_uops(g, &g->prog, us, nu, &ubs)) return g->status;
      in = cg_i_gemm(g, ubs, ubs + nu, 1, (uint32_t)n, 0, 1, 0, 1, 0, 0);
      if (!h) in.f[ISA_F_bias] = 1, in.f[ISA_F_wgt_in] = 1;
      int last = h + 1 == parts;
      /* a's INP slot is in and chunk j - nslot's store freed A (first), the slot is free (last) */
      cg_tok(&in, !h, !h && j >= m->nslot, last && j + m->nslot < m->ntiles, 0);
      if (cg_push(g, &g->prog, &in)) return g->status;
    }
  }
  /* MUL per channel: loop_out over the chunk's blocks (dst HW apart, b's next element),
   * loop_in over the block's pixels (b's element throughout) */
  uint32_t U = (uint32_t)n, bo = nblk > 1 ? (uint32_t)nblk : 1, dso = nblk > 1 ? (uint32_t)m->HW : 0;
  struct { int op, use_imm, imm, k, on; uint32_t lo, li, dso, sro, sri; } pass[8] = {
      {ISA_ALU_ADD, 1, -p->a_zp, 0, p->a_zp != 0 && !m->inp, 1, U, 0, 0, 0},
      {ISA_ALU_ADD, 1, -p->b_zp, 1, p->b_zp != 0 && !m->bpre, 1, nb, 0, 0, 0},
      {ISA_ALU_MUL, 1, 1 << p->frac, 1, p->frac != 0 && !m->bpre, 1, nb, 0, 0, 0},
      {ISA_ALU_MUL, 0, 0, 2, 1, bo, li, dso, nblk > 1, m->per_channel ? 0u : 1u},
      {ISA_ALU_ADD, 0, 0, 4, p->bias != 0, 1, U, 0, 0, 0},
      {ISA_ALU_REQ, m->fold, cg_clip_imm(p->lo - (m->fold ? p->y_zp : 0), p->hi - (m->fold ? p->y_zp : 0)), 3, 1, 1,
       U, 0, 0, 0},
      {ISA_ALU_ADD, 1, p->y_zp, 0, p->y_zp != 0, 1, U, 0, 0, 0},
      {ISA_ALU_CLIP, 1, cg_clip_imm(p->lo, p->hi), 0, !m->fold, 1, U, 0, 0, 0},
  };
  int last = 0;
  for (int q = 0; q < 8; q++)
    if (pass[q].on) last = q;
  for (int q = 0; q <= last; q++) {
    if (!pass[q].on) continue;
    int kk = pass[q].k;
    in = cg_i_alu(g, pass[q].op, pass[q].use_imm, pass[q].imm, ub[kk], ub[kk] + 1, pass[q].lo, pass[q].li, pass[q].dso,
                  1, pass[q].sro, pass[q].sri);
    if (q == last) cg_tok(&in, 0, 0, 0, 1);
    if (cg_push(g, &g->prog, &in)) return g->status;
  }
  in = cg_i_store(g, A, m->oe + a0, 1, (uint32_t)n, (uint32_t)n);
  cg_tok(&in, 1, 0, j + m->nslot < m->ntiles, 0);
  return cg_push(g, &g->prog, &in);
}

/* The chunks: at most T elements of a slot (T from the accumulator and, with inp, the input
 * buffer, and at most MUL_CHUNK); per channel whole blocks when a block fits (kb of them,
 * balanced), else balanced parts of one block. */
static int mul_plan(cg_gen *g, const cg_tensor *ta, int no_lh, mul_geo *m) {
  m->nslot = no_lh ? 1 : 2;
  m->HW = ta->h * ta->w, m->cb = ta->cb, m->N = m->per_channel ? m->HW : ta->cb * m->HW;
  /* b's blocks take at most half of the accumulator */
  m->bpre = m->per_channel && m->cb <= (int)(g->d->acc_depth - 3) / 2;
  m->base = 3 + (m->bpre ? (uint32_t)m->cb : 0);
  int avail = (int)g->d->acc_depth - (int)m->base;
  int T = m->inp ? cg_min(avail / m->nslot - !m->bpre, (int)(g->d->inp_depth / g->R) / m->nslot)
                 : avail / m->nslot - (m->per_channel ? !m->bpre : avail / (2 * m->nslot));
  T = cg_min(cg_min(T, MUL_CHUNK), m->per_channel ? m->cb * m->HW : m->N);
  if (T < 1) return cg_fail(g, CG_E_FIT, "mul: accumulator too small");
  if (m->bpre && m->HW <= T) {
    int nch = cg_cdiv(m->cb, T / m->HW);
    m->kb = cg_cdiv(m->cb, nch), m->T = m->kb * m->HW, m->ntiles = cg_cdiv(m->cb, m->kb);
  } else {
    T = cg_min(T, m->N);
    m->per = cg_cdiv(m->N, T);
    m->T = cg_cdiv(m->N, m->per); /* balanced chunks */
    m->ntiles = m->per_channel ? m->per * m->cb : m->per;
  }
  m->slot = (uint32_t)m->T + (m->per_channel ? !m->bpre : (uint32_t)m->T);
  return CG_OK;
}

/* The layer's program; *mp: its geometry. */
static int mul_gen(cg_gen *g, const cg_net *net, const cg_mul *p, int no_lh, mul_geo *mp) {
  const cg_tensor *ta = cg_tens(net, p->a), *tb = cg_tens(net, p->b), *to = cg_tens(net, p->out);
  mul_geo m;
  memset(&m, 0, sizeof m);
  m.per_channel = tb->h == 1 && tb->w == 1 && (ta->h != 1 || ta->w != 1);
  m.inp = m.per_channel;
  if (mul_plan(g, ta, no_lh, &m)) return g->status;
  *mp = m;
  m.fold = !p->y_zp || (p->shift >= MUL_NOSAT_SHIFT && p->lo - p->y_zp >= -128 && p->hi - p->y_zp <= 127);
  m.ae = cg_elem(g, ta->off, ISA_MEM_ACC8), m.be = cg_elem(g, tb->off, ISA_MEM_ACC8);
  m.oe = cg_elem(g, to->off, ISA_MEM_OUT), m.ie = cg_elem(g, ta->off, ISA_MEM_INP);
  /* ACC: [0] REQ's lanes, [1] -a_zp, [2] bias, [3, 3 + cb) (bpre) b's blocks, then nslot slots:
   * T elements of a, then T of b (or 1 of the vector without bpre); INP (inp): nslot slots of
   * T elements of a */
  uint8_t b[3 * 4 * 64], w[64 * 64];
  uint32_t lane[3] = {cg_req_lane(p->mult, p->shift), (uint32_t)-p->a_zp, (uint32_t)p->bias}, ub;
  CG_CHECK(g, g->B <= 64);
  for (unsigned e = 0; e < 3; e++)
    for (unsigned i = 0; i < g->B; i++)
      for (int k = 0; k < 4; k++) b[4 * (e * g->B + i) + k] = (uint8_t)(lane[e] >> (8 * k));
  uint64_t pe = cg_elem(g, cg_const(g, b, 4u * g->B * 3), ISA_MEM_ACC);
  isa_insn in = cg_i_load(g, ISA_MEM_ACC, 0, pe, 1, 3, 3, 0, 0, 0, 0, 0);
  if (cg_push(g, &g->prog, &in)) return g->status;
  if (m.bpre) { /* b's blocks, (b - b_zp) * 2^frac once for every chunk */
    in = cg_i_load(g, ISA_MEM_ACC8, 3, m.be, 1, (uint32_t)m.cb, (uint32_t)m.cb, 0, 0, 0, 0, 0);
    uint32_t u = cg_uop(g, 3, 0, 0);
    if (cg_push(g, &g->prog, &in) || cg_uops(g, &g->prog, &u, 1, &ub)) return g->status;
    for (int q = 0; q < 2; q++) {
      if (q ? !p->frac : !p->b_zp) continue;
      in = cg_i_alu(g, q ? ISA_ALU_MUL : ISA_ALU_ADD, 1, q ? 1 << p->frac : -p->b_zp, ub, ub + 1, 1, (uint32_t)m.cb, 0,
                    1, 0, 0);
      if (cg_push(g, &g->prog, &in)) return g->status;
    }
  }
  if (m.inp) { /* the identity weight block at WGT 0; the load unit's first instruction */
    uint64_t wb = cg_wblock_bytes(g);
    memset(w, 0, sizeof w);
    for (unsigned j = 0; j < g->B; j++) w[cg_wpos(g, j, j)] = 1;
    in = cg_i_load(g, ISA_MEM_WGT, 0, cg_elem(g, cg_const_at(g, w, wb, wb > CG_ALIGN ? wb : CG_ALIGN), ISA_MEM_WGT), 1,
                   1, 1, 0, 0, 0, 0, 0);
    if (g->barrier_c2l) cg_tok(&in, 0, 1, 0, 0), g->barrier_c2l = 0; /* the previous layer is done */
    if (cg_push(g, &g->prog, &in)) return g->status;
  }
  /* the loads of chunk j + nslot - 1 go before the compute of chunk j (every pop after its
   * push in program order) */
  for (int j = 0; m.inp && j < m.nslot - 1 && j < m.ntiles; j++)
    if (mul_inp_load(g, &m, j)) return g->status;
  for (int j = 0; j < m.ntiles; j++) {
    if (m.inp && j + m.nslot - 1 < m.ntiles && mul_inp_load(g, &m, j + m.nslot - 1)) return g->status;
    if (mul_chunk_gen(g, p, &m, j)) return g->status;
  }
  return g->status;
}

int cg_mul_layer(cg_gen *g, const cg_net *net, const cg_layer *L, int no_lh, cg_layer_info *info) {
  const cg_mul *p = &L->mul;
  const cg_tensor *ta = cg_tens(net, p->a), *tb = cg_tens(net, p->b), *to = cg_tens(net, p->out);
  if (ta->blk || tb->blk || to->blk) return cg_fail(g, CG_E_ARG, "mul: a view as input or output (copy it first)");
  mul_geo m;
  if (mul_gen(g, net, p, no_lh, &m)) return g->status;
  info->candidates = 1;
  snprintf(info->tiling, sizeof info->tiling, "%d chunks of %d elements%s%s", m.ntiles, m.T,
           m.kb ? " (whole channel blocks)" : m.per_channel ? " (per channel block)" : "", m.inp ? ", a in INP" : "");
  return g->status;
}
