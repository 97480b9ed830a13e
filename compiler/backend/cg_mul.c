/* compiler/backend/cg_mul.c -- elementwise product on the tensor ALU: an activation times a
 * per-channel vector (squeeze-and-excite's x * sigmoid(fc(gap(x))), the vector a runtime
 * tensor), or times an activation of its own shape (x * sigmoid(x) when not fused).
 *
 * Chunks of at most T pixels of one channel block (per-channel b) or T elements of the flat
 * blocked tensor (b of a's shape), as the elementwise add (cg_pool.c): LOAD ACC8 of a and of b
 * (b: its one element of the block, or the chunk), [ADD -a_zp], [ADD -b_zp], MUL acc[a] by
 * acc[b] (src factor 0 for the vector: one source element, a source-cache hit after the first),
 * then REQ into the output scale with the clamp fused when y_zp = 0 (else REQ, ADD y_zp, CLIP),
 * STORE. The products fit 16 bits ((a - a_zp) and (b - b_zp) within +-255), so MUL is exact.
 * Chunks alternate between two accumulator blocks (tokens C2S / S2C), one with
 * no_latency_hiding.
 */
#include <stdio.h>
#include <string.h>

#include "cg_int.h"

int cg_mul_layer(cg_gen *g, const cg_net *net, const cg_layer *L, int no_lh, cg_layer_info *info) {
  const cg_mul *p = &L->mul;
  const cg_tensor *ta = cg_tens(net, p->a), *tb = cg_tens(net, p->b), *to = cg_tens(net, p->out);
  if (ta->blk || tb->blk || to->blk) return cg_fail(g, CG_E_ARG, "mul: a view as input or output (copy it first)");
  int per_channel = tb->h == 1 && tb->w == 1 && (ta->h != 1 || ta->w != 1);
  int nslot = no_lh ? 1 : 2;
  int HW = ta->h * ta->w, N = per_channel ? HW : ta->cb * HW;
  /* a slot: T elements of a, then T of b (or 1 of the vector); element 0 holds REQ's lanes */
  int T = cg_min((int)(g->d->acc_depth - 1) / (nslot * 2), 16383);
  T = cg_min(T, N);
  if (T < 1) return cg_fail(g, CG_E_FIT, "mul: accumulator too small");
  int per = cg_cdiv(N, T);
  T = cg_cdiv(N, per); /* balanced chunks */
  int ntiles = per_channel ? per * ta->cb : per;
  uint64_t ae = cg_elem(g, ta->off, ISA_MEM_ACC8), be = cg_elem(g, tb->off, ISA_MEM_ACC8);
  uint64_t oe = cg_elem(g, to->off, ISA_MEM_OUT);
  uint8_t b[4 * 64];
  uint32_t lane = cg_req_lane(p->mult, p->shift);
  CG_CHECK(g, g->B <= 64);
  for (unsigned i = 0; i < g->B; i++)
    for (int k = 0; k < 4; k++) b[4 * i + k] = (uint8_t)(lane >> (8 * k));
  uint64_t pe = cg_elem(g, cg_const(g, b, 4u * g->B), ISA_MEM_ACC);
  isa_insn in = cg_i_load(g, ISA_MEM_ACC, 0, pe, 1, 1, 1, 0, 0, 0, 0, 0);
  if (cg_push(g, &g->prog, &in)) return g->status;
  int fused = p->y_zp == 0;
  for (int j = 0; j < ntiles; j++) {
    int cb = per_channel ? j / per : 0, e0 = (per_channel ? j % per : j) * T, n = cg_min(T, N - e0);
    uint64_t a0 = (uint64_t)cb * HW + (uint64_t)e0; /* first element of a (and of a same-shape b) */
    uint32_t A = 1 + (uint32_t)((nslot == 1 ? 0 : j % 2) * 2 * T), Bv = A + (uint32_t)T;
    in = cg_i_load(g, ISA_MEM_ACC8, A, ae + a0, 1, (uint32_t)n, (uint32_t)n, 0, 0, 0, 0, 0);
    if (j >= nslot) cg_tok(&in, 0, 1, 0, 0); /* the store of chunk j - nslot freed the slot */
    if (cg_push(g, &g->prog, &in)) return g->status;
    uint32_t nb = per_channel ? 1 : (uint32_t)n;
    in = cg_i_load(g, ISA_MEM_ACC8, Bv, be + (per_channel ? (uint64_t)cb : a0), 1, nb, nb, 0, 0, 0, 0, 0);
    if (cg_push(g, &g->prog, &in)) return g->status;
    /* micro-ops: 0 on a, 1 on b, 2 a by b, 3 a by REQ's lanes */
    uint32_t u[4] = {cg_uop(g, A, 0, 0), cg_uop(g, Bv, 0, 0), cg_uop(g, A, Bv, 0), cg_uop(g, A, 0, 0)}, ub[4];
    for (int k = 0; k < 4; k++)
      if (cg_uops(g, &g->prog, &u[k], 1, &ub[k])) return g->status;
    struct { int op, use_imm, imm, k, on; uint32_t cnt, src_in; } pass[6] = {
        {ISA_ALU_ADD, 1, -p->a_zp, 0, p->a_zp != 0, (uint32_t)n, 0},
        {ISA_ALU_ADD, 1, -p->b_zp, 1, p->b_zp != 0, nb, 0},
        {ISA_ALU_MUL, 0, 0, 2, 1, (uint32_t)n, per_channel ? 0u : 1u},
        {ISA_ALU_REQ, fused, fused ? cg_clip_imm(p->lo, p->hi) : 0, 3, 1, (uint32_t)n, 0},
        {ISA_ALU_ADD, 1, p->y_zp, 0, !fused, (uint32_t)n, 0},
        {ISA_ALU_CLIP, 1, cg_clip_imm(p->lo, p->hi), 0, !fused, (uint32_t)n, 0},
    };
    int last = fused ? 3 : 5;
    for (int q = 0; q <= last; q++) {
      if (!pass[q].on) continue;
      int kk = pass[q].k;
      isa_insn op = cg_i_alu(g, pass[q].op, pass[q].use_imm, pass[q].imm, ub[kk], ub[kk] + 1, 1, pass[q].cnt, 0,
                             1, 0, pass[q].src_in);
      if (q == last) cg_tok(&op, 0, 0, 0, 1);
      if (cg_push(g, &g->prog, &op)) return g->status;
    }
    in = cg_i_store(g, A, oe + a0, 1, (uint32_t)n, (uint32_t)n);
    cg_tok(&in, 1, 0, j + nslot < ntiles, 0);
    if (cg_push(g, &g->prog, &in)) return g->status;
  }
  info->candidates = 1;
  snprintf(info->tiling, sizeof info->tiling, "%d chunks of %d elements%s", ntiles, T,
           per_channel ? " (per channel block)" : "");
  return g->status;
}
