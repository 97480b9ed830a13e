/* driver/backend_fsim.c -- the `fsim` backend: device memory is host memory at simulated device
 * addresses, and programs run on the functional golden model (sim/fsim). fsim detects deadlocks
 * itself, so a run always ends; the timeout is not needed to stop it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drv_impl.h"
#include "fsim.h"

#define MAX_REGIONS 4096

static int fsim_be_open(drv_dev *dev, const char *options) {
  if (options && *options) {
    snprintf(dev->error.message, sizeof dev->error.message,
             "fsim backend takes no options (got '%s')", options);
    return DRV_E_ARG;
  }
  dev->priv = fsim_create(dev->cfg);
  return dev->priv ? DRV_OK : DRV_E_NOMEM;
}

static void fsim_be_close(drv_dev *dev) { fsim_destroy(dev->priv); }

static int fsim_be_alloc(drv_dev *dev, drv_buf *buf) {
  uint64_t addr = drv_sim_addr_alloc(dev, buf->size);
  if (!addr) return DRV_E_NOMEM;
  buf->host = aligned_alloc(ISA_IMAGE_ALIGN, buf->size);
  if (!buf->host) return DRV_E_NOMEM;
  memset(buf->host, 0, buf->size);
  buf->addr = addr;
  return DRV_OK;
}

static void fsim_be_free(drv_dev *dev, drv_buf *buf) {
  (void)dev;
  free(buf->host);
}

static int fsim_be_run(drv_dev *dev, uint64_t insn_addr, uint32_t count, uint32_t timeout_ms) {
  (void)timeout_ms;
  drv_region *regions = malloc(MAX_REGIONS * sizeof *regions);
  if (!regions) return DRV_E_NOMEM;
  int n = drv_regions(dev, regions, MAX_REGIONS);
  drv_window w[DLVTA_REGS_WIN_COUNT];
  int nw = drv_windows(dev, w); /* the run may touch only the live buffers */
  if (nw < 0 || fsim_set_windows(dev->priv, w, nw) != DRV_OK) {
    free(regions);
    return DRV_E_NOMEM;
  }
  int rc = fsim_run(dev->priv, regions, n, insn_addr, count, &dev->counters, &dev->error);
  free(regions);
  return rc;
}

static int fsim_be_set_trace(drv_dev *dev, drv_trace_fn fn, void *ctx) {
  fsim_set_trace(dev->priv, fn, ctx);
  return DRV_OK;
}

const drv_backend drv_backend_fsim = {
    .name = "fsim",
    .open = fsim_be_open,
    .close = fsim_be_close,
    .alloc = fsim_be_alloc,
    .free = fsim_be_free,
    .run = fsim_be_run,
    .set_trace = fsim_be_set_trace,
};
