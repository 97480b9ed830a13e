/* compiler/backend/cg_lut.c -- unary functions of int8 codes (quantized activations: Sigmoid,
 * Hardswish, ...) on the tensor ALU's lookup table (isa/ISA.md, memory LUT and ALU op LUT).
 *
 * The table: 256 entries, entry k the output code of input code k - 128, replicated into every
 * lane (LUT element k = tab[k] in each lane), loaded once by a LOAD LUT on the compute unit.
 * A LUT layer walks its input as contiguous chunks of T elements, as the elementwise add does
 * (cg_pool.c): LOAD ACC8 (the int8 codes sign-extended), one ALU LUT over the chunk, STORE; the
 * chunks alternate between two accumulator blocks so the store of one overlaps the next (tokens
 * C2S / S2C), one block with no_latency_hiding. A conv with a fused table (cg_conv.lut) ends
 * each output tile with the same ALU LUT pass after its clamp (cg_conv.c).
 */
#include <stdio.h>
#include <string.h>

#include "cg_int.h"

int cg_lut_load(cg_gen *g, cg_list *l, const int8_t *tab) {
  unsigned L = g->d->batch * g->d->block_out;
  uint8_t b[ISA_LUT_DEPTH * 64];
  CG_CHECK(g, L <= 64 && g->cfg->elem_bytes[ISA_MEM_LUT] == L);
  for (unsigned k = 0; k < ISA_LUT_DEPTH; k++) memset(b + k * L, (uint8_t)tab[k], L);
  uint64_t e = cg_elem(g, cg_const(g, b, (uint64_t)ISA_LUT_DEPTH * L), ISA_MEM_LUT);
  isa_insn in = cg_i_load(g, ISA_MEM_LUT, 0, e, 1, ISA_LUT_DEPTH, ISA_LUT_DEPTH, 0, 0, 0, 0, 0);
  return cg_push(g, l, &in);
}

int cg_lut_layer(cg_gen *g, const cg_net *net, const cg_layer *L, int no_lh, cg_layer_info *info) {
  const cg_lut *p = &L->lut;
  const cg_tensor *ti = cg_tens(net, p->in), *to = cg_tens(net, p->out);
  if (ti->blk || to->blk) return cg_fail(g, CG_E_ARG, "lut: a view as input or output (copy it first)");
  int nslot = no_lh ? 1 : 2;
  int N = ti->cb * ti->h * ti->w;
  int T = cg_min((int)g->d->acc_depth / nslot, 16383);
  T = cg_min(T, N);
  if (T < 1) return cg_fail(g, CG_E_FIT, "lut: accumulator too small");
  int ntiles = cg_cdiv(N, T);
  T = cg_cdiv(N, ntiles); /* balanced chunks */
  uint64_t ie = cg_elem(g, ti->off, ISA_MEM_ACC8), oe = cg_elem(g, to->off, ISA_MEM_OUT);
  if (cg_lut_load(g, &g->prog, p->table)) return g->status;
  for (int j = 0; j < ntiles; j++) {
    int e0 = j * T, n = cg_min(T, N - e0);
    uint32_t A = (uint32_t)((nslot == 1 ? 0 : j % 2) * T), ub;
    uint32_t u = cg_uop(g, A, 0, 0);
    isa_insn in = cg_i_load(g, ISA_MEM_ACC8, A, ie + (uint64_t)e0, 1, (uint32_t)n, (uint32_t)n, 0, 0, 0, 0, 0);
    if (j >= nslot) cg_tok(&in, 0, 1, 0, 0); /* the store of chunk j - nslot freed block A */
    if (cg_push(g, &g->prog, &in)) return g->status;
    if (cg_uops(g, &g->prog, &u, 1, &ub)) return g->status;
    in = cg_i_alu(g, ISA_ALU_LUT, 1, 0, ub, ub + 1, 1, (uint32_t)n, 0, 1, 0, 0);
    cg_tok(&in, 0, 0, 0, 1);
    if (cg_push(g, &g->prog, &in)) return g->status;
    in = cg_i_store(g, A, oe + (uint64_t)e0, 1, (uint32_t)n, (uint32_t)n);
    cg_tok(&in, 1, 0, j + nslot < ntiles, 0);
    if (cg_push(g, &g->prog, &in)) return g->status;
  }
  info->candidates = 1;
  snprintf(info->tiling, sizeof info->tiling, "%d chunks of %d elements", ntiles, T);
  return g->status;
}
