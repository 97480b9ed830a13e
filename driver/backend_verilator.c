/* driver/backend_verilator.c -- the `verilator` backend: device memory is host memory at simulated
 * device addresses (as fsim's), and programs run on tsim, the Verilated RTL of the device's
 * config, loaded at open time from build/<config>/libtsim.so (found next to the executable or
 * through $DLVTA_TSIM_DIR; see sim/tsim/tsim.h), so that nothing else needs Verilator.
 *
 * Options: "trace=FILE.fst,rd_latency=N,wr_latency=N,bytes_per_cycle=N,max_cycles=N" (any
 * subset; trace loads libtsim_trace.so).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drv_impl.h"
#include "tsim.h"

#define MAX_REGIONS 4096

typedef struct vl_priv {
  tsim_api api;
  tsim *t;
  char trace[512];
} vl_priv;

/* Parses one unsigned option value; 0 on success. */
static int vl_num(const char *v, size_t n, uint64_t *out) {
  char buf[32];
  if (n == 0 || n >= sizeof buf) return -1;
  memcpy(buf, v, n);
  buf[n] = 0;
  char *end;
  unsigned long long x = strtoull(buf, &end, 0);
  if (*end) return -1;
  *out = x;
  return 0;
}

/* Fills opts from the option string; DRV_OK or DRV_E_ARG with a message in dev->error. */
static int vl_parse(drv_dev *dev, vl_priv *p, const char *options, tsim_opts *o) {
  memset(o, 0, sizeof *o);
  const char *s = options ? options : "";
  while (*s) {
    const char *end = strchr(s, ',');
    size_t len = end ? (size_t)(end - s) : strlen(s);
    const char *eq = memchr(s, '=', len);
    if (!eq) goto bad;
    size_t klen = (size_t)(eq - s), vlen = len - klen - 1;
    const char *v = eq + 1;
    uint64_t x = 0;
    if (klen == 5 && !strncmp(s, "trace", 5)) {
      if (vlen == 0 || vlen >= sizeof p->trace) goto bad;
      memcpy(p->trace, v, vlen);
      p->trace[vlen] = 0;
      o->trace = p->trace;
    } else if (vl_num(v, vlen, &x) != 0) {
      goto bad;
    } else if (klen == 10 && !strncmp(s, "max_cycles", 10)) {
      o->max_cycles = x;
    } else if (x > UINT32_MAX) {
      goto bad;
    } else if (klen == 10 && !strncmp(s, "rd_latency", 10)) {
      o->rd_latency = (unsigned)x;
    } else if (klen == 10 && !strncmp(s, "wr_latency", 10)) {
      o->wr_latency = (unsigned)x;
    } else if (klen == 15 && !strncmp(s, "bytes_per_cycle", 15)) {
      o->bytes_per_cycle = (unsigned)x;
    } else {
      goto bad;
    }
    s = end ? end + 1 : s + len;
    continue;
  bad:
    snprintf(dev->error.message, sizeof dev->error.message,
             "bad verilator option '%.*s' (known: trace=FILE.fst, rd_latency=N, wr_latency=N, "
             "bytes_per_cycle=N, max_cycles=N)", (int)len, s);
    return DRV_E_ARG;
  }
  return DRV_OK;
}

static int vl_open(drv_dev *dev, const char *options) {
  vl_priv *p = calloc(1, sizeof *p);
  if (!p) return DRV_E_NOMEM;
  tsim_opts o;
  int rc = vl_parse(dev, p, options, &o);
  if (rc != DRV_OK) {
    free(p);
    return rc;
  }
  char err[1200];
  if (tsim_api_load(dev->cfg->d.name, o.trace != NULL, &p->api, err, sizeof err) != 0) {
    snprintf(dev->error.message, sizeof dev->error.message, "%s", err);
    free(p);
    return DRV_E_BACKEND;
  }
  p->t = p->api.create(&o, err, sizeof err);
  if (!p->t) {
    snprintf(dev->error.message, sizeof dev->error.message, "%.900s: %.1000s", p->api.path, err);
    tsim_api_unload(&p->api);
    free(p);
    return DRV_E_BACKEND;
  }
  dev->priv = p;
  return DRV_OK;
}

static void vl_close(drv_dev *dev) {
  vl_priv *p = dev->priv;
  if (!p) return;
  p->api.destroy(p->t);
  tsim_api_unload(&p->api);
  free(p);
}

static int vl_alloc(drv_dev *dev, drv_buf *buf) {
  uint64_t addr = drv_sim_addr_alloc(dev, buf->size);
  if (!addr) return DRV_E_NOMEM;
  buf->host = aligned_alloc(ISA_IMAGE_ALIGN,
                            (buf->size + ISA_IMAGE_ALIGN - 1) / ISA_IMAGE_ALIGN * ISA_IMAGE_ALIGN);
  if (!buf->host) return DRV_E_NOMEM;
  memset(buf->host, 0, buf->size);
  buf->addr = addr;
  return DRV_OK;
}

static void vl_free(drv_dev *dev, drv_buf *buf) {
  (void)dev;
  free(buf->host);
}

static int vl_run(drv_dev *dev, uint64_t insn_addr, uint32_t count, uint32_t timeout_ms) {
  vl_priv *p = dev->priv;
  drv_region *regions = malloc(MAX_REGIONS * sizeof *regions);
  if (!regions) return DRV_E_NOMEM;
  int n = drv_regions(dev, regions, MAX_REGIONS);
  drv_window w[DLVTA_REGS_WIN_COUNT];
  int nw = drv_windows(dev, w); /* the run may touch only the live buffers */
  if (nw < 0 || p->api.set_windows(p->t, w, nw) != DRV_OK) {
    free(regions);
    return DRV_E_NOMEM;
  }
  int rc = p->api.run(p->t, regions, n, insn_addr, count, timeout_ms, &dev->counters, &dev->error);
  free(regions);
  return rc;
}

const drv_backend drv_backend_verilator = {
    .name = "verilator",
    .open = vl_open,
    .close = vl_close,
    .alloc = vl_alloc,
    .free = vl_free,
    .run = vl_run,
};
