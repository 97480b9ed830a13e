/* driver/drv_impl.h -- what a backend implements: a table of functions (ggml's backend
 * interface); driver/drv.c holds the common code and never #ifdefs on a backend. */
#ifndef DLVTA_DRV_IMPL_H
#define DLVTA_DRV_IMPL_H

#include "dlvta_drv.h"

struct drv_buf {
  uint64_t addr;        /* device address, multiple of ISA_IMAGE_ALIGN */
  size_t size;          /* bytes */
  uint8_t *host;        /* host view (NULL if not mappable) */
  void *priv;           /* backend's */
  struct drv_buf *next; /* the device's list of live buffers */
};

typedef struct drv_backend {
  const char *name;
  int (*open)(drv_dev *dev, const char *options);  /* sets dev->priv */
  void (*close)(drv_dev *dev);
  int (*alloc)(drv_dev *dev, drv_buf *buf);        /* sets addr, host, priv for buf->size bytes */
  void (*free)(drv_dev *dev, drv_buf *buf);
  int (*flush)(drv_dev *dev, drv_buf *buf, size_t off, size_t n);      /* may be NULL */
  int (*invalidate)(drv_dev *dev, drv_buf *buf, size_t off, size_t n); /* may be NULL */
  /* Run; fills dev->counters, and dev->error on DRV_E_EXEC / DRV_E_TIMEOUT. */
  int (*run)(drv_dev *dev, uint64_t insn_addr, uint32_t count, uint32_t timeout_ms);
  /* May be NULL (memory is not a fixed region): DRV_OK if bytes more fit, else DRV_E_NOMEM with
   * dev->error saying how to size the region. */
  int (*mem_check)(drv_dev *dev, uint64_t bytes, const char *what);
  /* May be NULL: one line about how the device is reached (drv_describe). */
  const char *(*describe)(const drv_dev *dev);
  /* May be NULL (DRV_E_UNSUPPORTED): per-instruction events (drv_set_trace). */
  int (*set_trace)(drv_dev *dev, drv_trace_fn fn, void *ctx);
} drv_backend;

struct drv_dev {
  const drv_backend *be;
  const isa_config *cfg;
  void *priv;
  drv_buf *bufs;
  drv_counters counters;
  drv_error error;
};

/* The live buffers of a device as simulator regions, sorted by address; returns the count
 * (at most max). */
int drv_regions(const drv_dev *dev, drv_region *out, int max);

/* The DRAM windows of a run (at most DLVTA_REGS_WIN_COUNT, into out; returns the count): those
 * covering the device's live buffers, each rounded out to whole 4 KiB pages (drv_windows_cover);
 * -1 if out of memory.
 * Every backend gives them to its device (the WINn registers, fsim_set_windows,
 * tsim_set_windows), so a program can reach nothing but the buffers. */
int drv_windows(const drv_dev *dev, drv_window *out);

/* A simple first-fit allocator of device addresses for simulated backends. */
uint64_t drv_sim_addr_alloc(drv_dev *dev, size_t size);

extern const drv_backend drv_backend_fsim;
extern const drv_backend drv_backend_verilator;
extern const drv_backend drv_backend_zynq;
extern const drv_backend drv_backend_xrt;

#endif
