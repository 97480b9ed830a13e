/* sim/fsim/fsim_prog.c -- fsim_run_prog: run a program image (isa_prog) on fsim without a
 * driver, for tests, the random program generator and benchmarks. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsim.h"

int fsim_run_prog(fsim *s, const isa_prog *p, uint8_t *image, drv_counters *ctr, drv_error *err) {
  drv_error dummy;
  if (!err) err = &dummy;
  memset(err, 0, sizeof *err);
  err->insn_index = -1;
  if (!s || !p || (p->image_bytes && !image)) return DRV_E_ARG;
  const isa_config *cfg = p->cfg;
  uint64_t ibytes = (uint64_t)p->n_insns * 16;
  isa_word *w = malloc(ibytes ? ibytes : 16);
  uint8_t *code = malloc(ibytes ? ibytes : 16);
  if (!w || !code) {
    free(w);
    free(code);
    return DRV_E_NOMEM;
  }
  if (p->n_insns) memcpy(w, p->insns, ibytes);
  uint32_t bad = 0;
  if (isa_relocate(cfg, w, p->n_insns, FSIM_PROG_IMAGE_ADDR, &bad) != ISA_OK) {
    err->kind = DRV_ERR_ILLEGAL;
    err->insn_index = bad;
    snprintf(err->message, sizeof err->message,
             "insn %" PRIu32 ": DRAM address does not relocate to the image at 0x%x", bad,
             FSIM_PROG_IMAGE_ADDR);
    free(w);
    free(code);
    return DRV_E_ARG;
  }
  for (uint32_t i = 0; i < p->n_insns; i++) {
    memcpy(code + 16 * (uint64_t)i, &w[i].w[0], 8); /* little endian host: w[0] first */
    memcpy(code + 16 * (uint64_t)i + 8, &w[i].w[1], 8);
  }
  uint64_t code_addr = FSIM_PROG_IMAGE_ADDR +
                       ((p->image_bytes + ISA_IMAGE_ALIGN - 1) / ISA_IMAGE_ALIGN + 1) * ISA_IMAGE_ALIGN;
  drv_region r[2] = {{FSIM_PROG_IMAGE_ADDR, p->image_bytes, image}, {code_addr, ibytes, code}};
  int rc = fsim_run(s, r, 2, code_addr, p->n_insns, ctr, err);
  free(w);
  free(code);
  return rc;
}
