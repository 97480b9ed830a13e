/* tests/fuzz/fuzz_prog.c -- a binary program file (isa_prog_load): load, disassemble every
 * instruction and run it on fsim (drv_run_prog). fsim runs what it is given to the end, so
 * programs whose GEMM/ALU nests add up to more than FUZZ_PROG_MAX_ITERS iterations x micro-ops
 * are loaded and disassembled but not run (the fuzzer would report them as hangs; packages are
 * bounded by the verifier, model/verify.c). */
#include <stdio.h>
#include <stdlib.h>

#include "dlvta_drv.h"
#include "fuzz.h"
#include "isa.h"

#define FUZZ_PROG_MAX_ITERS (1u << 22)

static uint64_t work(const isa_prog *p) {
  uint64_t n = 0;
  for (uint32_t k = 0; k < p->n_insns; k++) {
    isa_insn in;
    if (isa_decode(p->cfg, &p->insns[k], &in) != ISA_OK) continue;
    unsigned op = in.f[ISA_F_opcode];
    if ((op == ISA_OP_GEMM || op == ISA_OP_DWGEMM || op == ISA_OP_ALU) && in.f[ISA_F_uop_end] > in.f[ISA_F_uop_begin])
      n += (uint64_t)in.f[ISA_F_loop_out] * in.f[ISA_F_loop_in] * (in.f[ISA_F_uop_end] - in.f[ISA_F_uop_begin]);
  }
  return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *path = fuzz_file(data, size, ".bin");
  isa_prog p;
  char err[1024], dis[512];
  if (!path || isa_prog_load(path, &p, err, sizeof err) != 0) return 0;
  for (uint32_t k = 0; k < p.n_insns; k++) isa_disasm(p.cfg, &p.insns[k], dis, sizeof dis);
  drv_dev *dev = NULL;
  if (work(&p) <= FUZZ_PROG_MAX_ITERS && drv_open("fsim", p.cfg->d.name, NULL, &dev) == DRV_OK) {
    uint8_t *out = malloc(p.image_bytes + 1);
    if (out) drv_run_prog(dev, &p, out, 1000);
    free(out);
    drv_close(dev);
  }
  isa_prog_free(&p);
  return 0;
}
