/* driver/drv.c -- the device contract's common code: backend lookup, buffer bookkeeping, bounds
 * checks, and dispatch through the backend's function table. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drv_impl.h"

static const drv_backend *const backends[] = {
    &drv_backend_fsim,
    &drv_backend_verilator,
    &drv_backend_zynq,
    &drv_backend_xrt,
};

#define N_BACKENDS ((int)(sizeof backends / sizeof backends[0]))

const char *drv_backend_names(void) {
  static char names[128];
  if (!names[0]) {
    for (int i = 0; i < N_BACKENDS; i++) {
      if (i) strcat(names, ", ");
      strcat(names, backends[i]->name);
    }
  }
  return names;
}

const char *drv_strerror(int status) {
  switch (status) {
  case DRV_OK: return "ok";
  case DRV_E_ARG: return "bad argument";
  case DRV_E_NOMEM: return "out of memory";
  case DRV_E_BACKEND: return "backend not available";
  case DRV_E_CONFIG: return "config mismatch or unknown config";
  case DRV_E_TIMEOUT: return "timeout";
  case DRV_E_EXEC: return "the device stopped on an error in the program";
  case DRV_E_IO: return "device I/O error";
  case DRV_E_UNSUPPORTED: return "not supported by this backend";
  case DRV_E_BUSY: return "device in use";
  }
  return "unknown status";
}

static _Thread_local char open_error[sizeof(((drv_error *)0)->message) + 64];

const char *drv_open_error(void) { return open_error; }

int drv_open(const char *backend, const char *config, const char *options, drv_dev **out) {
  if (!out) return DRV_E_ARG;
  *out = NULL;
  if (!backend || !config) return DRV_E_ARG;
  const drv_backend *be = NULL;
  for (int i = 0; i < N_BACKENDS; i++)
    if (!strcmp(backends[i]->name, backend)) be = backends[i];
  open_error[0] = 0;
  if (!be) {
    snprintf(open_error, sizeof open_error, "unknown backend '%s' (known: %s)", backend,
             drv_backend_names());
    return DRV_E_BACKEND;
  }
  const isa_config *cfg = isa_config_find(config);
  if (!cfg) {
    snprintf(open_error, sizeof open_error, "unknown config '%s' (known: %s)", config,
             isa_config_names());
    return DRV_E_CONFIG;
  }
  drv_dev *dev = calloc(1, sizeof *dev);
  if (!dev) return DRV_E_NOMEM;
  dev->be = be;
  dev->cfg = cfg;
  dev->error.insn_index = -1;
  int rc = be->open(dev, options);
  if (rc != DRV_OK) {
    snprintf(open_error, sizeof open_error, "%s backend: %s%s%s", be->name, drv_strerror(rc),
             dev->error.message[0] ? ": " : "", dev->error.message);
    free(dev);
    return rc;
  }
  *out = dev;
  return DRV_OK;
}

void drv_close(drv_dev *dev) {
  if (!dev) return;
  while (dev->bufs) drv_free(dev, dev->bufs);
  dev->be->close(dev);
  free(dev);
}

const char *drv_describe(const drv_dev *dev) {
  if (!dev) return "";
  return dev->be->describe ? dev->be->describe(dev) : dev->be->name;
}

int drv_mem_check(drv_dev *dev, uint64_t bytes, const char *what) {
  if (!dev) return DRV_E_ARG;
  memset(&dev->error, 0, sizeof dev->error);
  dev->error.insn_index = -1;
  return dev->be->mem_check ? dev->be->mem_check(dev, bytes, what ? what : "the buffers") : DRV_OK;
}

const isa_config *drv_config(const drv_dev *dev) { return dev ? dev->cfg : NULL; }
const char *drv_backend_name(const drv_dev *dev) { return dev ? dev->be->name : NULL; }

int drv_alloc(drv_dev *dev, size_t bytes, drv_buf **out) {
  if (!out) return DRV_E_ARG;
  *out = NULL;
  if (!dev || bytes == 0 || bytes > (1ull << 31)) return DRV_E_ARG;
  drv_buf *b = calloc(1, sizeof *b);
  if (!b) return DRV_E_NOMEM;
  b->size = (bytes + ISA_IMAGE_ALIGN - 1) / ISA_IMAGE_ALIGN * ISA_IMAGE_ALIGN;
  int rc = dev->be->alloc(dev, b);
  if (rc != DRV_OK) {
    free(b);
    return rc;
  }
  b->size = bytes;
  b->next = dev->bufs;
  dev->bufs = b;
  *out = b;
  return DRV_OK;
}

void drv_free(drv_dev *dev, drv_buf *buf) {
  if (!dev || !buf) return;
  for (drv_buf **p = &dev->bufs; *p; p = &(*p)->next) {
    if (*p == buf) {
      *p = buf->next;
      dev->be->free(dev, buf);
      free(buf);
      return;
    }
  }
}

uint64_t drv_buf_addr(const drv_buf *buf) { return buf ? buf->addr : 0; }
size_t drv_buf_size(const drv_buf *buf) { return buf ? buf->size : 0; }
void *drv_buf_map(drv_buf *buf) { return buf ? buf->host : NULL; }

static int in_range(const drv_buf *buf, size_t off, size_t n) {
  return buf && off <= buf->size && n <= buf->size - off;
}

int drv_flush(drv_dev *dev, drv_buf *buf, size_t off, size_t n) {
  if (!dev || !in_range(buf, off, n)) return DRV_E_ARG;
  return dev->be->flush ? dev->be->flush(dev, buf, off, n) : DRV_OK;
}

int drv_invalidate(drv_dev *dev, drv_buf *buf, size_t off, size_t n) {
  if (!dev || !in_range(buf, off, n)) return DRV_E_ARG;
  return dev->be->invalidate ? dev->be->invalidate(dev, buf, off, n) : DRV_OK;
}

int drv_write(drv_dev *dev, drv_buf *buf, size_t off, const void *src, size_t n) {
  if (!dev || !in_range(buf, off, n) || (!src && n)) return DRV_E_ARG;
  if (!buf->host) return DRV_E_UNSUPPORTED;
  if (n) memcpy(buf->host + off, src, n);
  return drv_flush(dev, buf, off, n);
}

int drv_read(drv_dev *dev, drv_buf *buf, size_t off, void *dst, size_t n) {
  if (!dev || !in_range(buf, off, n) || (!dst && n)) return DRV_E_ARG;
  if (!buf->host) return DRV_E_UNSUPPORTED;
  int rc = drv_invalidate(dev, buf, off, n);
  if (rc == DRV_OK && n) memcpy(dst, buf->host + off, n);
  return rc;
}

int drv_run(drv_dev *dev, drv_buf *insns, size_t off, uint32_t count, uint32_t timeout_ms) {
  if (!dev) return DRV_E_ARG;
  memset(&dev->counters, 0, sizeof dev->counters);
  memset(&dev->error, 0, sizeof dev->error);
  dev->error.insn_index = -1;
  if (off % 16 || !in_range(insns, off, (size_t)count * 16)) return DRV_E_ARG;
  return dev->be->run(dev, insns->addr + off, count, timeout_ms);
}

int drv_counters_read(drv_dev *dev, drv_counters *out) {
  if (!dev || !out) return DRV_E_ARG;
  *out = dev->counters;
  return DRV_OK;
}

const drv_error *drv_last_error(const drv_dev *dev) { return dev ? &dev->error : NULL; }

int drv_set_trace(drv_dev *dev, drv_trace_fn fn, void *ctx) {
  if (!dev) return DRV_E_ARG;
  return dev->be->set_trace ? dev->be->set_trace(dev, fn, ctx) : DRV_E_UNSUPPORTED;
}

static int cmp_region(const void *a, const void *b) {
  const drv_region *x = a, *y = b;
  return x->addr < y->addr ? -1 : x->addr > y->addr;
}

int drv_regions(const drv_dev *dev, drv_region *out, int max) {
  int n = 0;
  for (const drv_buf *b = dev->bufs; b && n < max; b = b->next)
    out[n++] = (drv_region){b->addr, b->size, b->host};
  qsort(out, (size_t)n, sizeof *out, cmp_region);
  return n;
}

int drv_windows(const drv_dev *dev, drv_window *out) {
  int n = 0;
  for (const drv_buf *b = dev->bufs; b; b = b->next) n++;
  drv_region *r = malloc((size_t)(n ? n : 1) * sizeof *r);
  if (!r) return -1;
  n = drv_regions(dev, r, n);
  int k = drv_windows_cover(r, n, out, (int)DLVTA_REGS_WIN_COUNT);
  free(r);
  return k;
}

/* Device addresses of simulated backends start here; a guard page separates buffers so that an
 * access running off the end of one is reported instead of landing in the next. */
#define SIM_ADDR_BASE 0x10000000ull
#define SIM_ADDR_LIMIT 0xF0000000ull

uint64_t drv_sim_addr_alloc(drv_dev *dev, size_t size) {
  uint64_t want = (size + ISA_IMAGE_ALIGN - 1) / ISA_IMAGE_ALIGN * ISA_IMAGE_ALIGN + ISA_IMAGE_ALIGN;
  uint64_t cand = SIM_ADDR_BASE;
  for (int moved = 1; moved;) {
    moved = 0;
    for (const drv_buf *b = dev->bufs; b; b = b->next) {
      uint64_t end = b->addr + (b->size + ISA_IMAGE_ALIGN - 1) / ISA_IMAGE_ALIGN * ISA_IMAGE_ALIGN +
                     ISA_IMAGE_ALIGN;
      if (cand < end && b->addr < cand + want) {
        cand = end;
        moved = 1;
      }
    }
  }
  return cand + want <= SIM_ADDR_LIMIT ? cand : 0;
}
