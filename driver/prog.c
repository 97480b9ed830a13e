/* driver/prog.c -- drv_run_prog: place a program image on a device and run it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drv_impl.h"

int drv_run_prog(drv_dev *dev, const isa_prog *prog, uint8_t *image_out, uint32_t timeout_ms) {
  if (!dev || !prog) return DRV_E_ARG;
  if (prog->cfg != dev->cfg) {
    snprintf(dev->error.message, sizeof dev->error.message,
             "program is for config '%s', the device runs '%s'", prog->cfg->d.name,
             dev->cfg->d.name);
    return DRV_E_CONFIG;
  }
  drv_buf *img = NULL, *ins = NULL;
  isa_word *words = NULL;
  size_t ins_bytes = (size_t)prog->n_insns * sizeof(isa_word);
  int rc = drv_alloc(dev, prog->image_bytes ? prog->image_bytes : 1, &img);
  if (rc == DRV_OK) rc = drv_alloc(dev, ins_bytes ? ins_bytes : 16, &ins);
  if (rc == DRV_OK && prog->image_bytes)
    rc = drv_write(dev, img, 0, prog->image, prog->image_bytes);
  if (rc == DRV_OK) {
    words = malloc(ins_bytes ? ins_bytes : 16);
    if (!words) rc = DRV_E_NOMEM;
  }
  if (rc == DRV_OK) {
    uint32_t bad = 0;
    if (ins_bytes) memcpy(words, prog->insns, ins_bytes);
    if (isa_relocate(dev->cfg, words, prog->n_insns, drv_buf_addr(img), &bad) != ISA_OK) {
      snprintf(dev->error.message, sizeof dev->error.message,
               "instruction %u: DRAM address does not fit after relocation", bad);
      rc = DRV_E_ARG;
    }
  }
  if (rc == DRV_OK) {
    /* little-endian words in device memory */
    uint8_t *b = (uint8_t *)words;
    for (uint32_t i = 0; i < prog->n_insns; i++) {
      isa_word w = words[i];
      for (int k = 0; k < 16; k++) b[16 * i + k] = (uint8_t)(w.w[k / 8] >> (8 * (k % 8)));
    }
    rc = drv_write(dev, ins, 0, words, ins_bytes);
  }
  if (rc == DRV_OK) rc = drv_run(dev, ins, 0, prog->n_insns, timeout_ms);
  if (image_out && prog->image_bytes && (rc == DRV_OK || rc == DRV_E_EXEC)) {
    int rc2 = drv_read(dev, img, 0, image_out, prog->image_bytes);
    if (rc == DRV_OK) rc = rc2;
  }
  free(words);
  drv_free(dev, ins);
  drv_free(dev, img);
  return rc;
}
