/* tests/pkg_corrupt.c -- a test helper: writes a copy of a package whose layer LAYER's program
 * computes a different result (the first ALU instruction with an immediate operand gets
 * imm + DELTA), re-sealed so that it still loads (the package's checks pass: only the values
 * change). Prints the instruction before and after. For tests/cli_compare.sh, which expects
 * `dlvta compare` to find the disagreement and name that instruction.
 *   usage: pkg_corrupt IN.dlvta OUT.dlvta LAYER DELTA */
#include <stdio.h>
#include <stdlib.h>

#include "package.h"

int main(int argc, char **argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: pkg_corrupt IN.dlvta OUT.dlvta LAYER DELTA\n");
    return 2;
  }
  char err[1024];
  cc_model *m;
  if (cc_package_read(argv[1], &m, err, sizeof err)) return fprintf(stderr, "%s\n", err), 1;
  int l = atoi(argv[3]), delta = atoi(argv[4]);
  if (l < 0 || l >= m->nl) return fprintf(stderr, "no layer %d (the package has %d)\n", l, m->nl), 1;
  for (uint32_t k = 0; k < m->l[l].n_insns; k++) {
    isa_insn in;
    isa_word *w = &m->l[l].insns[k];
    if (isa_decode(m->cfg, w, &in) != ISA_OK || in.f[ISA_F_opcode] != ISA_OP_ALU || !in.f[ISA_F_use_imm]) continue;
    char a[256], b[256];
    isa_disasm(m->cfg, w, a, sizeof a);
    int32_t imm = isa_sext(in.f[ISA_F_imm], 16) + delta;
    isa_set(m->cfg, w, ISA_F_imm, (uint32_t)imm & 0xffffu);
    isa_disasm(m->cfg, w, b, sizeof b);
    printf("layer %d instruction %u: %s -> %s\n", l, k, a, b);
    int rc = cc_package_write(m, argv[2], err, sizeof err);
    if (rc) fprintf(stderr, "%s\n", err);
    cc_model_free(m);
    return rc ? 1 : 0;
  }
  fprintf(stderr, "layer %d has no ALU instruction with an immediate\n", l);
  cc_model_free(m);
  return 1;
}
