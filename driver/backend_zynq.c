/* driver/backend_zynq.c -- the `zynq` backend: the accelerator in the programmable logic of a
 * Zynq-7000 (PYNQ-Z1/Z2) or Zynq UltraScale+ (Ultra96) running Linux. Registers are mapped from
 * a generic-uio device (found by name in /sys/class/uio) or from /dev/mem at a physical address;
 * DMA memory is one physically contiguous u-dma-buf region (/dev/udmabuf0, its physical address
 * and size from /sys/class/u-dma-buf/udmabuf0/) from which buffers are sub-allocated, first fit,
 * at 4 KiB alignment. Cache maintenance goes through u-dma-buf's sync_* files (cache=sync, the
 * default), or the region is mapped uncached (cache=nocache), or the port is coherent
 * (cache=coherent). This file also holds the register run protocol shared with the xrt backend
 * (drv_regs_*, see drv_regs_priv.h). boards/README.md shows the device-tree overlay.
 *
 * Options ("key=value,..."; DLVTA_ZYNQ_OPTIONS in the environment is read first, so the options
 * string overrides it):
 *   uio=/dev/uioN        the register block's UIO device (else: found by uio_name)
 *   uio_name=NAME        name of the UIO device to look for (default "dlvta")
 *   regs=0xADDR          map the registers from mem= at this physical address instead of UIO
 *   mem=/dev/mem         the file regs= maps from
 *   regs_size=N          bytes of the register block (default: UIO map0 size, else DLVTA_REGS_BYTES)
 *   udmabuf=/dev/udmabuf0  the u-dma-buf device (a bare name means <devdir>/NAME)
 *   dma_phys=0x..., dma_size=N   the region's physical address and size (default: sysfs)
 *   cache=sync|nocache|coherent  cache handling of the DMA region (default sync)
 *   poll_us=N            sleep between STATUS polls (default 20)
 *   irq=PATH|none        where to wait for the accelerator's interrupt: UIO's protocol (write
 *                        the 32-bit 1 to arm it, read() blocks until it fires, poll() for
 *                        timeouts). Default: the UIO device itself; none with regs=. When the
 *                        file is not a character device or its read or write fails (a UIO
 *                        device without an interrupt), the runs poll STATUS instead.
 *   lock=PATH|none       the file locked (flock, exclusive) for as long as the device is open,
 *                        so that a second process gets DRV_E_BUSY naming the holder. Default: the
 *                        UIO device; with regs=, /run/lock/dlvta-regs-0xADDR.lock (created;
 *                        in /tmp where there is no /run/lock).
 *   sysfs=/sys/class, devdir=/dev   roots of the lookups (tests point them at a directory)
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "drv_impl.h"
#include "drv_regs_priv.h"

#define PATH_LEN 512

/* ---- the register protocol (shared with backend_xrt.c) --------------------------------------- */

const char *const drv_wait_names[DLVTA_WAIT_WIDTH] = DLVTA_WAIT_TEXTS;

/* the counters by memory are indexed by isa.def's memory codes (drv_counters.loads[]) */
_Static_assert(DLVTA_CNT_LOADS_LEN == ISA_MEM_COUNT, "one LOADS counter per memory");

static void errf(drv_dev *dev, int kind, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Replace dev->error's message (and kind) with a formatted one. */
static void errf(drv_dev *dev, int kind, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(dev->error.message, sizeof dev->error.message, fmt, ap);
  va_end(ap);
  dev->error.kind = kind;
}

static void erradd(drv_dev *dev, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Append to dev->error's message (truncating at its size). */
static void erradd(drv_dev *dev, const char *fmt, ...) {
  size_t len = strlen(dev->error.message);
  if (len + 1 >= sizeof dev->error.message)
    return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(dev->error.message + len, sizeof dev->error.message - len, fmt, ap);
  va_end(ap);
}

/* A 64-bit counter: HI, LO, HI again until HI is stable (a carry between the reads). */
static int rd64(const drv_regio *io, uint32_t off, uint64_t *v) {
  uint32_t hi, lo, hi2;
  for (int tries = 0; tries < 4; tries++) {
    if (io->rd(io->ctx, off + 4, &hi) || io->rd(io->ctx, off, &lo) || io->rd(io->ctx, off + 4, &hi2))
      return -1;
    if (hi == hi2) {
      *v = (uint64_t)hi << 32 | lo;
      return 0;
    }
  }
  *v = (uint64_t)hi2 << 32 | lo;
  return 0;
}

int drv_regs_check_fingerprint(drv_dev *dev, const drv_regio *io) {
  uint32_t lo, hi;
  if (io->rd(io->ctx, DLVTA_REG_FP_LO, &lo) || io->rd(io->ctx, DLVTA_REG_FP_HI, &hi)) {
    errf(dev, DRV_ERR_BACKEND, "%s: cannot read the fingerprint registers", io->where);
    return DRV_E_IO;
  }
  uint64_t fp = (uint64_t)hi << 32 | lo;
  if (fp == dev->cfg->fingerprint) {
    uint32_t id;
    if (io->rd(io->ctx, DLVTA_REG_REGS_ID, &id)) {
      errf(dev, DRV_ERR_BACKEND, "%s: cannot read REGS_ID", io->where);
      return DRV_E_IO;
    }
    if (id == DLVTA_REGS_ID)
      return DRV_OK;
    errf(dev, DRV_ERR_BACKEND, "%s: the bitstream's register map (REGS_ID 0x%08" PRIx32 "%s) is "
         "not this driver's (0x%08" PRIx32 ", isa/regs.def): rebuild the bitstream from this "
         "tree (make bitstream) or use the driver it was built with", io->where, id,
         id ? "" : ": built before REGS_ID existed", (uint32_t)DLVTA_REGS_ID);
    return DRV_E_CONFIG;
  }
  const char *match = NULL;
  for (int i = 0; i < isa_config_count(); i++)
    if (isa_config_at(i)->fingerprint == fp)
      match = isa_config_at(i)->d.name;
  errf(dev, DRV_ERR_BACKEND,
       "%s: the bitstream's config fingerprint is 0x%016" PRIx64 " (%s%s%s) but config '%s' "
       "has 0x%016" PRIx64 "; load the bitstream built for '%s' or open config '%s'",
       io->where, fp, match ? "config '" : "no known config", match ? match : "",
       match ? "'" : "", dev->cfg->d.name, dev->cfg->fingerprint, dev->cfg->d.name,
       match ? match : "?");
  return DRV_E_CONFIG;
}

int drv_regs_counters(drv_dev *dev, const drv_regio *io) {
  uint64_t v[DLVTA_CNT_COUNT];
  for (uint32_t n = 0; n < DLVTA_CNT_COUNT; n++)
    if (rd64(io, DLVTA_REGS_CNT_BASE + 8u * n, &v[n]))
      return DRV_E_IO;
  drv_counters_from_regs(&dev->cfg->d, v, &dev->counters);
  return DRV_OK;
}

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Host view of instruction `index` of the program at insn_addr, if a live buffer holds it. */
static const uint8_t *insn_host(const drv_dev *dev, uint64_t insn_addr, uint64_t index) {
  uint64_t a = insn_addr + index * 16;
  for (const drv_buf *b = dev->bufs; b; b = b->next)
    if (b->host && a >= b->addr && a + 16 <= b->addr + b->size)
      return b->host + (a - b->addr);
  return NULL;
}

/* Append " <disassembly>" of instruction `index` (or nothing if its bytes are not mapped). */
static void add_disasm(drv_dev *dev, uint64_t insn_addr, uint64_t index, uint32_t count) {
  const uint8_t *p = index < count ? insn_host(dev, insn_addr, index) : NULL;
  if (!p)
    return;
  isa_word w = {{0, 0}};
  for (int i = 0; i < 16; i++)
    w.w[i / 8] |= (uint64_t)p[i] << (8 * (i % 8));
  char text[512];
  isa_disasm(dev->cfg, &w, text, sizeof text);
  erradd(dev, ": %s", text);
}

/* Append the state of fetch and the three units (PCs with disassembly, WAIT bits); returns the
 * lowest PC of a busy unit, or -1. */
static int64_t add_state(drv_dev *dev, const drv_regio *io, uint64_t insn_addr, uint32_t count) {
  static const struct { uint32_t off; const char *name; } pcs[] = {
      {DLVTA_REG_LOAD_PC, "load"}, {DLVTA_REG_COMPUTE_PC, "compute"}, {DLVTA_REG_STORE_PC, "store"}};
  uint32_t v, wait = 0;
  int64_t lowest = -1;
  if (io->rd(io->ctx, DLVTA_REG_FETCH_PC, &v) == 0)
    erradd(dev, "\n  fetch: %s%" PRIu32, v == DLVTA_REGS_PC_IDLE ? "idle" : "at instruction ",
           v == DLVTA_REGS_PC_IDLE ? 0 : v);
  if (io->rd(io->ctx, DLVTA_REG_WAIT, &wait))
    wait = 0;
  for (int u = 0; u < 3; u++) {
    if (io->rd(io->ctx, pcs[u].off, &v))
      continue;
    if (v == DLVTA_REGS_PC_IDLE) {
      erradd(dev, "\n  %s unit: idle", pcs[u].name);
      continue;
    }
    erradd(dev, "\n  %s unit: instruction %" PRIu32, pcs[u].name, v);
    add_disasm(dev, insn_addr, v, count);
    if (lowest < 0 || v < lowest)
      lowest = v;
  }
  if (wait) {
    erradd(dev, "\n  waiting:");
    for (int i = 0; i < DLVTA_WAIT_WIDTH; i++)
      if (wait >> i & 1)
        erradd(dev, " [%s]", drv_wait_names[i]);
  }
  return lowest;
}

int drv_regs_abort(const drv_regio *io, uint32_t wait_ms, uint32_t *status) {
  uint32_t st = 0;
  if (io->rd(io->ctx, DLVTA_REG_STATUS, &st))
    return DRV_E_IO;
  if (st & DLVTA_STATUS_BUSY) {
    if (io->wr(io->ctx, DLVTA_REG_CTRL, DLVTA_CTRL_ABORT))
      return DRV_E_IO;
    uint64_t t0 = now_ns();
    for (unsigned polls = 0; st & DLVTA_STATUS_BUSY; polls++) {
      if (io->rd(io->ctx, DLVTA_REG_STATUS, &st))
        return DRV_E_IO;
      if (!(st & DLVTA_STATUS_BUSY) || now_ns() - t0 >= (uint64_t)wait_ms * 1000000ull)
        break;
      if (polls >= 100) {
        struct timespec ts = {0, 20000};
        nanosleep(&ts, NULL);
      }
    }
  }
  if (status)
    *status = st;
  return st & DLVTA_STATUS_BUSY ? DRV_E_IO : DRV_OK;
}

/* How long an abort may take to drain: the bursts on the bus complete in microseconds on a
 * board; an emulated or simulated device is slower. */
#define ABORT_WAIT_MS 2000

/* Wait for the end of a run: the interrupt while io->wait_irq works, else STATUS polls. Returns
 * 1 with *st the final STATUS, 0 on timeout (*st the last STATUS), -1 if STATUS cannot be read. */
static int wait_end(drv_dev *dev, const drv_regio *io, uint32_t timeout_ms, uint32_t *st,
                    int *use_irq) {
  uint64_t t0 = now_ns();
  unsigned poll_us = io->poll_us ? io->poll_us : 20;
  for (unsigned polls = 0;; polls++) {
    if (io->rd(io->ctx, DLVTA_REG_STATUS, st)) {
      errf(dev, DRV_ERR_BACKEND, "%s: cannot read STATUS", io->where);
      return -1;
    }
    if (!(*st & DLVTA_STATUS_BUSY) && (*st & (DLVTA_STATUS_DONE | DLVTA_STATUS_ERROR)))
      return 1;
    uint64_t el = now_ns() - t0;
    if (timeout_ms && el >= (uint64_t)timeout_ms * 1000000ull)
      return 0;
    if (*use_irq) {
      /* the interrupt is level: (done | error) & irq_en, so one that came before the wait
       * was armed is seen at once; wait in slices so that the timeout holds */
      uint64_t left_ms = timeout_ms ? ((uint64_t)timeout_ms * 1000000ull - el + 999999) / 1000000 : 1000;
      int w = io->wait_irq(io->ctx, (uint32_t)(left_ms < 1000 ? left_ms : 1000));
      if (w < 0)
        *use_irq = 0;
      continue;
    }
    if (polls >= 100) {
      struct timespec ts = {0, (long)poll_us * 1000};
      nanosleep(&ts, NULL);
    }
  }
}

int drv_regs_run(drv_dev *dev, const drv_regio *io, uint64_t insn_addr, uint32_t count,
                 uint32_t timeout_ms) {
  static const char *const kinds[DLVTA_ERR_COUNT] = DLVTA_ERR_TEXTS;
  uint32_t st;
  if (insn_addr % 16 || insn_addr + (uint64_t)count * 16 > 0x100000000ull || count == 0) {
    errf(dev, DRV_ERR_BACKEND, "%s: program at 0x%" PRIx64 " x %" PRIu32
         " instructions is not 16-byte aligned, empty, or past the 32-bit address space",
         io->where, insn_addr, count);
    return DRV_E_ARG;
  }
  if (io->rd(io->ctx, DLVTA_REG_STATUS, &st)) {
    errf(dev, DRV_ERR_BACKEND, "%s: cannot read STATUS", io->where);
    return DRV_E_IO;
  }
  if (st & DLVTA_STATUS_BUSY) {
    /* a run nobody waits for (its process died; this one holds the device's lock): abort it */
    uint32_t st2 = 0;
    if (drv_regs_abort(io, ABORT_WAIT_MS, &st2) != DRV_OK) {
      errf(dev, DRV_ERR_BACKEND, "%s: the device is busy (STATUS 0x%" PRIx32 ") from an earlier "
           "run and did not stop on CTRL.abort within %d ms (STATUS 0x%" PRIx32 "): reload the "
           "bitstream to reset it", io->where, st, ABORT_WAIT_MS, st2);
      return DRV_E_IO;
    }
  }
  int use_irq = io->wait_irq != NULL;
  drv_window w[DLVTA_REGS_WIN_COUNT];
  int nw = drv_windows(dev, w);  /* the run may touch only the device's live buffers */
  if (nw < 0) return DRV_E_NOMEM;
  for (unsigned i = 0; i < DLVTA_REGS_WIN_COUNT; i++)
    if (io->wr(io->ctx, DLVTA_REG_WIN0_BASE + 8 * i, (int)i < nw ? drv_window_reg(w[i].base) : 0) ||
        io->wr(io->ctx, DLVTA_REG_WIN0_LIMIT + 8 * i, (int)i < nw ? drv_window_reg(w[i].limit) : 0)) {
      errf(dev, DRV_ERR_BACKEND, "%s: cannot write the DRAM window registers", io->where);
      return DRV_E_IO;
    }
  if (io->wr(io->ctx, DLVTA_REG_INSN_ADDR, (uint32_t)insn_addr) ||
      io->wr(io->ctx, DLVTA_REG_INSN_COUNT, count) ||
      io->wr(io->ctx, DLVTA_REG_CTRL, DLVTA_CTRL_START | (use_irq ? DLVTA_CTRL_IRQ_EN : 0))) {
    errf(dev, DRV_ERR_BACKEND, "%s: cannot write the start registers", io->where);
    return DRV_E_IO;
  }
  int end = wait_end(dev, io, timeout_ms, &st, &use_irq);
  if (end < 0)
    return DRV_E_IO;
  if (end == 0) {
    drv_regs_counters(dev, io);
    errf(dev, DRV_ERR_TIMEOUT, "%s: timeout after %" PRIu32 " ms (STATUS 0x%" PRIx32
         ", %" PRIu64 " cycles): the program did not finish", io->where, timeout_ms, st,
         dev->counters.cycles);
    dev->error.insn_index = add_state(dev, io, insn_addr, count);
    uint32_t st2 = 0, kind = 0;
    if (drv_regs_abort(io, ABORT_WAIT_MS, &st2) == DRV_OK) {
      io->rd(io->ctx, DLVTA_REG_ERR_KIND, &kind);
      erradd(dev, "\n  aborted (CTRL.abort): the device stopped (STATUS 0x%" PRIx32 ", ERR_KIND %s)"
             " and takes the next run", st2, kind < DLVTA_ERR_COUNT ? kinds[kind] : "?");
    } else {
      erradd(dev, "\n  CTRL.abort did not stop the device within %d ms (STATUS 0x%" PRIx32 "): "
             "reload the bitstream to reset it", ABORT_WAIT_MS, st2);
    }
    return DRV_E_TIMEOUT;
  }
  if (use_irq)
    io->wr(io->ctx, DLVTA_REG_CTRL, 0); /* irq_en off: the level interrupt drops until next start */
  if (drv_regs_counters(dev, io) != DRV_OK) {
    errf(dev, DRV_ERR_BACKEND, "%s: cannot read the counters", io->where);
    return DRV_E_IO;
  }
  if (!(st & DLVTA_STATUS_ERROR))
    return DRV_OK;
  uint32_t kind = 0, insn = 0;
  io->rd(io->ctx, DLVTA_REG_ERR_KIND, &kind);
  io->rd(io->ctx, DLVTA_REG_ERR_INSN, &insn);
  /* a kind the hardware reports (not NONE: the run stopped on an error), else unknown */
  int k = kind != DLVTA_ERR_NONE && kind < DLVTA_ERR_COUNT && (DLVTA_ERR_HW_MASK >> kind & 1)
              ? (int)kind : DRV_ERR_BACKEND;
  errf(dev, k, "%s: device error: %s", io->where,
       k == DRV_ERR_BACKEND ? "unknown ERR_KIND" : kinds[kind]);
  if (k == DRV_ERR_BACKEND)
    erradd(dev, " %" PRIu32, kind);
  erradd(dev, " at instruction %" PRIu32, insn);
  add_disasm(dev, insn_addr, insn, count);
  dev->error.insn_index = insn;
  add_state(dev, io, insn_addr, count);
  return DRV_E_EXEC;
}

/* ---- the zynq backend ------------------------------------------------------------------------- */

enum cache_mode { CACHE_SYNC, CACHE_NOCACHE, CACHE_COHERENT };

/* A sub-allocated block of the DMA region. */
typedef struct zblock {
  size_t off, size; /* bytes from the region's start; size rounded up to ISA_IMAGE_ALIGN */
  struct zblock *next; /* sorted by off */
} zblock;

typedef struct zynq {
  /* options */
  char uio[PATH_LEN], uio_name[128], mem[PATH_LEN], udmabuf[PATH_LEN], sysfs[PATH_LEN],
      devdir[PATH_LEN], irq[PATH_LEN], lock[PATH_LEN];
  uint64_t regs_phys, dma_phys;
  size_t regs_size, dma_size;
  int have_regs, have_dma_phys, have_dma_size, cache;
  unsigned poll_us;
  /* state */
  int reg_fd, dma_fd;
  int irq_fd;                /* the interrupt's file, -1: polling */
  int lock_fd;               /* the flock'ed file, -1: none */
  char irq_note[PATH_LEN + 64]; /* how runs wait, for drv_describe */
  char desc[3 * PATH_LEN];
  uint8_t *reg_map;          /* page-aligned mapping */
  size_t reg_map_len;
  volatile uint32_t *regs;   /* the register block inside reg_map */
  uint8_t *dma;              /* host view of the whole region, dma_size bytes */
  char sync_dir[PATH_LEN];   /* u-dma-buf sysfs directory (cache=sync) */
  char where[PATH_LEN + 16];
  zblock *blocks;
  drv_regio io;
} zynq;

/* Memory barrier between DMA-buffer accesses and register accesses. */
static void io_barrier(void) {
#if defined(__aarch64__)
  __asm__ volatile("dsb sy" ::: "memory");
#elif defined(__arm__)
  __asm__ volatile("dsb" ::: "memory");
#else
  __atomic_thread_fence(__ATOMIC_SEQ_CST);
#endif
}

/* Register access through the mapping; a barrier orders DMA-buffer writes before a register
 * write (the start in particular). */
static int z_rd(void *ctx, uint32_t off, uint32_t *val) {
  zynq *z = ctx;
  if (off + 4 > z->regs_size)
    return -1;
  *val = z->regs[off / 4];
  return 0;
}

static int z_wr(void *ctx, uint32_t off, uint32_t val) {
  zynq *z = ctx;
  if (off + 4 > z->regs_size)
    return -1;
  io_barrier();
  z->regs[off / 4] = val;
  return 0;
}

/* Parse an unsigned number (decimal or 0x hex) that must use the whole string. */
static int parse_u64(const char *s, uint64_t *out) {
  char *end;
  if (!*s || *s == '-')
    return -1;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 0);
  while (*end == '\n' || *end == ' ')
    end++;
  if (errno || *end)
    return -1;
  *out = v;
  return 0;
}

/* Read a small text file (a sysfs attribute) into buf, without the trailing newline. */
static int read_attr(const char *path, char *buf, size_t cap) {
  FILE *f = fopen(path, "r");
  if (!f)
    return -1;
  size_t n = fread(buf, 1, cap - 1, f);
  fclose(f);
  buf[n] = '\0';
  while (n && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
    buf[--n] = '\0';
  return 0;
}

/* Write the decimal v to the attribute file dir/name (one write, as sysfs wants). */
static int write_attr(const char *dir, const char *name, uint64_t v) {
  char path[PATH_LEN + 64];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  int fd = open(path, O_WRONLY);
  if (fd < 0)
    return -1;
  char text[32];
  int len = snprintf(text, sizeof text, "%" PRIu64, v);
  int rc = write(fd, text, (size_t)len) == len ? 0 : -1;
  close(fd);
  return rc;
}

/* Apply one key=value option; returns 0 or -1 with a message in dev->error. */
static int z_option(drv_dev *dev, zynq *z, const char *key, const char *val) {
  uint64_t v;
  struct { const char *key; char *dst; size_t cap; } strs[] = {
      {"uio", z->uio, sizeof z->uio},         {"uio_name", z->uio_name, sizeof z->uio_name},
      {"mem", z->mem, sizeof z->mem},         {"udmabuf", z->udmabuf, sizeof z->udmabuf},
      {"sysfs", z->sysfs, sizeof z->sysfs},   {"devdir", z->devdir, sizeof z->devdir},
      {"irq", z->irq, sizeof z->irq},         {"lock", z->lock, sizeof z->lock},
  };
  for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
    if (!strcmp(key, strs[i].key)) {
      if (strlen(val) >= strs[i].cap || !*val) {
        errf(dev, DRV_ERR_BACKEND, "zynq: option %s: empty or too long", key);
        return -1;
      }
      snprintf(strs[i].dst, strs[i].cap, "%s", val);
      return 0;
    }
  if (!strcmp(key, "cache")) {
    if (!strcmp(val, "sync")) z->cache = CACHE_SYNC;
    else if (!strcmp(val, "nocache")) z->cache = CACHE_NOCACHE;
    else if (!strcmp(val, "coherent")) z->cache = CACHE_COHERENT;
    else {
      errf(dev, DRV_ERR_BACKEND, "zynq: cache=%s: expected sync, nocache or coherent", val);
      return -1;
    }
    return 0;
  }
  static const char *const nums[] = {"regs", "regs_size", "dma_phys", "dma_size", "poll_us"};
  int k = -1;
  for (int i = 0; i < 5; i++)
    if (!strcmp(key, nums[i]))
      k = i;
  if (k < 0) {
    errf(dev, DRV_ERR_BACKEND, "zynq: unknown option '%s' (known: uio, uio_name, regs, mem, "
         "regs_size, udmabuf, dma_phys, dma_size, cache, poll_us, irq, lock, sysfs, devdir)", key);
    return -1;
  }
  if (parse_u64(val, &v)) {
    errf(dev, DRV_ERR_BACKEND, "zynq: option %s=%s: not a number", key, val);
    return -1;
  }
  switch (k) {
  case 0: z->regs_phys = v, z->have_regs = 1; break;
  case 1: z->regs_size = (size_t)v; break;
  case 2: z->dma_phys = v, z->have_dma_phys = 1; break;
  case 3: z->dma_size = (size_t)v, z->have_dma_size = 1; break;
  default: z->poll_us = (unsigned)v; break;
  }
  return 0;
}

/* Parse "key=value,key=value" into z. */
static int z_options(drv_dev *dev, zynq *z, const char *opts) {
  if (!opts)
    return 0;
  char buf[2048];
  if (strlen(opts) >= sizeof buf) {
    errf(dev, DRV_ERR_BACKEND, "zynq: options too long");
    return -1;
  }
  snprintf(buf, sizeof buf, "%s", opts);
  for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
    char *eq = strchr(tok, '=');
    if (!eq) {
      errf(dev, DRV_ERR_BACKEND, "zynq: option '%s' is not key=value", tok);
      return -1;
    }
    *eq = '\0';
    if (z_option(dev, z, tok, eq + 1))
      return -1;
  }
  return 0;
}

/* Find the UIO device named z->uio_name under <sysfs>/uio; fills z->uio. */
static int find_uio(drv_dev *dev, zynq *z) {
  char dir[PATH_LEN + 8];
  snprintf(dir, sizeof dir, "%s/uio", z->sysfs);
  DIR *d = opendir(dir);
  char seen[512] = "";
  if (d) {
    for (struct dirent *e; (e = readdir(d));) {
      if (strncmp(e->d_name, "uio", 3))
        continue;
      char path[2 * PATH_LEN], name[128];
      snprintf(path, sizeof path, "%s/%s/name", dir, e->d_name);
      if (read_attr(path, name, sizeof name))
        continue;
      size_t l = strlen(seen);
      snprintf(seen + l, sizeof seen - l, "%s%s (%s)", l ? ", " : "", e->d_name, name);
      if (!strcmp(name, z->uio_name)) {
        snprintf(z->uio, sizeof z->uio, "%.*s/%.*s", PATH_LEN / 2, z->devdir, PATH_LEN / 4,
                 e->d_name);
        closedir(d);
        return 0;
      }
    }
    closedir(d);
  }
  errf(dev, DRV_ERR_BACKEND, "zynq: no UIO device named '%s' in %s (found: %s) and no regs= "
       "option: is the dlvta overlay loaded? (boards/README.md)", z->uio_name, dir,
       seen[0] ? seen : "none");
  return -1;
}

/* Map the register block (UIO or mem= at regs=). */
static int map_regs(drv_dev *dev, zynq *z) {
  const char *path = z->have_regs ? z->mem : z->uio;
  uint64_t phys = z->have_regs ? z->regs_phys : 0;
  if (!z->have_regs && !z->regs_size) {
    /* UIO: map0's size from sysfs, if there */
    const char *base = strrchr(z->uio, '/');
    char attr[3 * PATH_LEN], text[64];
    uint64_t v;
    snprintf(attr, sizeof attr, "%s/uio/%s/maps/map0/size", z->sysfs, base ? base + 1 : z->uio);
    if (read_attr(attr, text, sizeof text) == 0 && parse_u64(text, &v) == 0)
      z->regs_size = (size_t)v;
  }
  if (!z->regs_size)
    z->regs_size = DLVTA_REGS_BYTES;
  if (z->regs_size < DLVTA_REGS_SPAN) {
    errf(dev, DRV_ERR_BACKEND, "zynq: register block of %zu bytes is smaller than the %u the "
         "accelerator has", z->regs_size, DLVTA_REGS_SPAN);
    return DRV_E_ARG;
  }
  snprintf(z->where, sizeof z->where, "zynq %s", path);
  z->reg_fd = open(path, O_RDWR | O_SYNC);
  if (z->reg_fd < 0) {
    errf(dev, DRV_ERR_BACKEND, "zynq: cannot open %s: %s%s", path, strerror(errno),
         errno == EACCES ? " (run as root or give the user access to the device)" : "");
    return errno == ENOENT ? DRV_E_BACKEND : DRV_E_IO;
  }
  long page = sysconf(_SC_PAGESIZE);
  uint64_t base = phys / (uint64_t)page * (uint64_t)page;
  z->reg_map_len = (size_t)(phys - base) + z->regs_size;
  z->reg_map_len = (z->reg_map_len + (size_t)page - 1) / (size_t)page * (size_t)page;
  struct stat sb;
  if (fstat(z->reg_fd, &sb) == 0 && S_ISREG(sb.st_mode) &&
      (uint64_t)sb.st_size < phys + z->regs_size) {
    errf(dev, DRV_ERR_BACKEND, "zynq: %s holds %lld bytes, less than the register block at "
         "0x%" PRIx64 " + %zu", path, (long long)sb.st_size, phys, z->regs_size);
    return DRV_E_IO;
  }
  void *m = mmap(NULL, z->reg_map_len, PROT_READ | PROT_WRITE, MAP_SHARED, z->reg_fd, (off_t)base);
  if (m == MAP_FAILED) {
    errf(dev, DRV_ERR_BACKEND, "zynq: cannot map %zu bytes of %s at 0x%" PRIx64 ": %s",
         z->reg_map_len, path, base, strerror(errno));
    return DRV_E_IO;
  }
  z->reg_map = m;
  z->regs = (volatile uint32_t *)(z->reg_map + (phys - base));
  return DRV_OK;
}

/* Open and map the u-dma-buf region, finding its physical address and size in sysfs. */
static int map_dma(drv_dev *dev, zynq *z) {
  char path[2 * PATH_LEN];
  if (strchr(z->udmabuf, '/'))
    snprintf(path, sizeof path, "%s", z->udmabuf);
  else
    snprintf(path, sizeof path, "%s/%s", z->devdir, z->udmabuf);
  const char *name = strrchr(path, '/') + 1;
  /* sysfs: u-dma-buf v2+ uses class "u-dma-buf", older udmabuf used "udmabuf" */
  static const char *const classes[] = {"u-dma-buf", "udmabuf"};
  z->sync_dir[0] = '\0';
  for (int i = 0; i < 2 && !z->sync_dir[0]; i++) {
    char dir[PATH_LEN];
    struct stat sb;
    snprintf(dir, sizeof dir, "%.*s/%s/%.*s", PATH_LEN / 2, z->sysfs, classes[i], PATH_LEN / 4,
             name);
    if (stat(dir, &sb) == 0 && S_ISDIR(sb.st_mode))
      snprintf(z->sync_dir, sizeof z->sync_dir, "%s", dir);
  }
  char text[64], attr[2 * PATH_LEN];
  uint64_t v;
  if (!z->have_dma_phys) {
    snprintf(attr, sizeof attr, "%s/phys_addr", z->sync_dir);
    if (!z->sync_dir[0] || read_attr(attr, text, sizeof text) || parse_u64(text, &v)) {
      errf(dev, DRV_ERR_BACKEND, "zynq: no physical address for %s (no %s/u-dma-buf/%s/"
           "phys_addr and no dma_phys= option): is the u-dma-buf module loaded? "
           "(boards/README.md)", path, z->sysfs, name);
      return DRV_E_BACKEND;
    }
    z->dma_phys = v;
  }
  if (!z->have_dma_size) {
    snprintf(attr, sizeof attr, "%s/size", z->sync_dir);
    if (!z->sync_dir[0] || read_attr(attr, text, sizeof text) || parse_u64(text, &v)) {
      errf(dev, DRV_ERR_BACKEND, "zynq: no size for %s (no %s/size and no dma_size= option)",
           path, z->sync_dir[0] ? z->sync_dir : "sysfs directory");
      return DRV_E_BACKEND;
    }
    z->dma_size = (size_t)v;
  }
  if (z->dma_phys % ISA_IMAGE_ALIGN || z->dma_size < ISA_IMAGE_ALIGN ||
      z->dma_phys + z->dma_size > 0x100000000ull) {
    errf(dev, DRV_ERR_BACKEND, "zynq: DMA region 0x%" PRIx64 " + %zu bytes must be 4 KiB aligned, "
         "at least 4 KiB, and below 4 GiB (the accelerator's AXI addresses are 32-bit)",
         z->dma_phys, z->dma_size);
    return DRV_E_CONFIG;
  }
  if (z->cache == CACHE_SYNC && !z->sync_dir[0]) {
    errf(dev, DRV_ERR_BACKEND, "zynq: cache=sync needs u-dma-buf's sysfs sync files for %s; use "
         "cache=nocache or cache=coherent", path);
    return DRV_E_BACKEND;
  }
  z->dma_fd = open(path, O_RDWR | (z->cache == CACHE_NOCACHE ? O_SYNC : 0));
  if (z->dma_fd < 0) {
    errf(dev, DRV_ERR_BACKEND, "zynq: cannot open %s: %s", path, strerror(errno));
    return errno == ENOENT ? DRV_E_BACKEND : DRV_E_IO;
  }
  void *m = mmap(NULL, z->dma_size, PROT_READ | PROT_WRITE, MAP_SHARED, z->dma_fd, 0);
  if (m == MAP_FAILED) {
    errf(dev, DRV_ERR_BACKEND, "zynq: cannot map %zu bytes of %s: %s", z->dma_size, path,
         strerror(errno));
    return DRV_E_IO;
  }
  z->dma = m;
  return DRV_OK;
}

/* The process holding a flock on the file open as fd, from /proc/locks ("1: FLOCK  ADVISORY
 * WRITE <pid> <maj>:<min>:<ino> 0 EOF", device numbers in hex): " (held by pid N, name)", or ""
 * if not found. An inode-only match stands in when the device numbers differ (overlayfs). */
static void lock_holder(int fd, char *out, size_t cap) {
  struct stat sb;
  out[0] = '\0';
  FILE *f = fstat(fd, &sb) == 0 ? fopen("/proc/locks", "r") : NULL;
  if (!f)
    return;
  char line[256];
  long pid = -1, ino_pid = -1;
  int ino_hits = 0;
  while (fgets(line, sizeof line, f)) {
    char kind[16];
    long p;
    unsigned maj, mnr;
    unsigned long ino;
    if (sscanf(line, "%*[^:]: %15s %*s %*s %ld %x:%x:%lu", kind, &p, &maj, &mnr, &ino) != 5 ||
        strcmp(kind, "FLOCK") || ino != (unsigned long)sb.st_ino)
      continue;
    if (maj == major(sb.st_dev) && mnr == minor(sb.st_dev))
      pid = p;
    ino_hits++;
    ino_pid = p;
  }
  fclose(f);
  if (pid < 0 && ino_hits == 1)
    pid = ino_pid;
  if (pid <= 0)
    return;
  char path[64], comm[64] = "";
  snprintf(path, sizeof path, "/proc/%ld/comm", pid);
  read_attr(path, comm, sizeof comm);
  int self = pid == (long)getpid();
  snprintf(out, cap, " (held by %spid %ld%s%s%s)", self ? "this process, " : "", pid,
           comm[0] ? ", " : "", comm, self ? ": the device is open twice" : "");
}

/* Exclusive access: flock z->lock (default: the UIO device, or a lock file for regs=) without
 * waiting. DRV_OK, DRV_E_BUSY naming the holder, or DRV_E_IO. */
static int take_lock(drv_dev *dev, zynq *z) {
  if (!z->lock[0]) {
    if (z->have_regs)
      snprintf(z->lock, sizeof z->lock, "/run/lock/dlvta-regs-0x%" PRIx64 ".lock", z->regs_phys);
    else
      snprintf(z->lock, sizeof z->lock, "%s", z->uio);
  }
  if (!strcmp(z->lock, "none"))
    return DRV_OK;
  z->lock_fd = open(z->lock, O_RDONLY | O_CLOEXEC | (z->have_regs ? O_CREAT : 0), 0666);
  if (z->lock_fd < 0 && z->have_regs && errno == ENOENT && !strncmp(z->lock, "/run/lock/", 10)) {
    /* no /run/lock on this system: the same name in /tmp */
    char alt[PATH_LEN];
    snprintf(alt, sizeof alt, "/tmp/%s", z->lock + 10);
    snprintf(z->lock, sizeof z->lock, "%s", alt);
    z->lock_fd = open(z->lock, O_RDONLY | O_CLOEXEC | O_CREAT, 0666);
  }
  if (z->lock_fd < 0) {
    errf(dev, DRV_ERR_BACKEND, "zynq: cannot open the lock file %s: %s (lock=none skips the "
         "lock)", z->lock, strerror(errno));
    return errno == ENOENT ? DRV_E_BACKEND : DRV_E_IO;
  }
  if (flock(z->lock_fd, LOCK_EX | LOCK_NB) == 0)
    return DRV_OK;
  int e = errno;
  if (e != EWOULDBLOCK) {
    errf(dev, DRV_ERR_BACKEND, "zynq: cannot lock %s: %s", z->lock, strerror(e));
    return DRV_E_IO;
  }
  char who[160];
  lock_holder(z->lock_fd, who, sizeof who);
  errf(dev, DRV_ERR_BACKEND, "zynq: the device is in use: %s is locked by another user%s; wait "
       "for it to close the device (runs cannot share it)", z->lock,
       who[0] ? who : " (holder not found in /proc/locks)");
  return DRV_E_BUSY;
}

/* The interrupt stops being used (a failed read, write or poll): the runs poll from now on. */
static void irq_off(zynq *z, const char *what) {
  snprintf(z->irq_note, sizeof z->irq_note, "polls STATUS (the interrupt on %.*s failed: %s: %s)",
           PATH_LEN / 2, z->irq, what, strerror(errno));
  if (z->irq_fd >= 0)
    close(z->irq_fd);
  z->irq_fd = -1;
  z->io.wait_irq = NULL;
}

/* drv_regio.wait_irq over UIO: arm (write 1), poll for up to timeout_ms, consume the event count. */
static int z_wait_irq(void *ctx, uint32_t timeout_ms) {
  zynq *z = ctx;
  if (z->irq_fd < 0)
    return -1;
  uint32_t one = 1, events;
  if (write(z->irq_fd, &one, 4) != 4) {
    irq_off(z, "arming write");
    return -1;
  }
  struct pollfd p = {z->irq_fd, POLLIN, 0};
  int r = poll(&p, 1, timeout_ms > 60000 ? 60000 : (int)timeout_ms);
  if (r < 0 && errno == EINTR)
    return 0;
  if (r < 0 || (r > 0 && (p.revents & (POLLERR | POLLHUP | POLLNVAL)))) {
    if (r > 0)
      errno = EIO;
    irq_off(z, "poll");
    return -1;
  }
  if (r == 0)
    return 0;
  if (read(z->irq_fd, &events, 4) != 4) {
    if (errno == 0)
      errno = EIO;
    irq_off(z, "read");
    return -1;
  }
  return 1;
}

/* Open the interrupt's file (z->irq; default the UIO device). Not a character device, or
 * irq=none: runs poll, and irq_note says why. */
static void open_irq(zynq *z) {
  if (!z->irq[0])
    snprintf(z->irq, sizeof z->irq, "%s", z->have_regs ? "none" : z->uio);
  z->irq_fd = -1;
  if (!strcmp(z->irq, "none")) {
    snprintf(z->irq_note, sizeof z->irq_note, "polls STATUS (irq=none%s)",
             z->have_regs ? ": registers through regs=" : "");
    return;
  }
  struct stat sb;
  int fd = open(z->irq, O_RDWR | O_CLOEXEC | O_NOCTTY);
  if (fd < 0 || fstat(fd, &sb) || !S_ISCHR(sb.st_mode)) {
    snprintf(z->irq_note, sizeof z->irq_note, "polls STATUS (%.*s: %s)", PATH_LEN / 2, z->irq,
             fd < 0 ? strerror(errno) : "not a character device");
    if (fd >= 0)
      close(fd);
    return;
  }
  z->irq_fd = fd;
  snprintf(z->irq_note, sizeof z->irq_note, "waits on the interrupt (%.*s)", PATH_LEN / 2, z->irq);
}

/* Unmap and close everything open() set up (also its cleanup on failure). */
static void z_close(drv_dev *dev) {
  zynq *z = dev->priv;
  if (!z)
    return;
  while (z->blocks) {
    zblock *b = z->blocks;
    z->blocks = b->next;
    free(b);
  }
  if (z->dma)
    munmap(z->dma, z->dma_size);
  if (z->reg_map)
    munmap(z->reg_map, z->reg_map_len);
  if (z->dma_fd >= 0)
    close(z->dma_fd);
  if (z->reg_fd >= 0)
    close(z->reg_fd);
  if (z->irq_fd >= 0)
    close(z->irq_fd);
  if (z->lock_fd >= 0)
    close(z->lock_fd); /* releases the flock */
  free(z);
  dev->priv = NULL;
}

/* Open: parse options (environment first), map registers and DMA memory, check the
 * fingerprint. On failure everything is undone and dev->error says why. */
static int z_open(drv_dev *dev, const char *options) {
  zynq *z = calloc(1, sizeof *z);
  if (!z)
    return DRV_E_NOMEM;
  z->reg_fd = z->dma_fd = z->irq_fd = z->lock_fd = -1;
  snprintf(z->uio_name, sizeof z->uio_name, "dlvta");
  snprintf(z->mem, sizeof z->mem, "/dev/mem");
  snprintf(z->udmabuf, sizeof z->udmabuf, "udmabuf0");
  snprintf(z->sysfs, sizeof z->sysfs, "/sys/class");
  snprintf(z->devdir, sizeof z->devdir, "/dev");
  dev->priv = z;
  int rc = DRV_E_ARG;
  if (z_options(dev, z, getenv("DLVTA_ZYNQ_OPTIONS")) || z_options(dev, z, options))
    goto fail;
  rc = DRV_E_BACKEND;
  if (!z->have_regs && !z->uio[0] && find_uio(dev, z))
    goto fail;
  if ((rc = take_lock(dev, z)) != DRV_OK)
    goto fail;
  if ((rc = map_regs(dev, z)) != DRV_OK || (rc = map_dma(dev, z)) != DRV_OK)
    goto fail;
  open_irq(z);
  z->io = (drv_regio){z, z_rd, z_wr, z->poll_us, z->where, z->irq_fd >= 0 ? z_wait_irq : NULL};
  if ((rc = drv_regs_check_fingerprint(dev, &z->io)) != DRV_OK)
    goto fail;
  return DRV_OK;
fail:
  z_close(dev);
  return rc;
}

/* The largest free gap of the DMA region, bytes. */
static size_t largest_gap(const zynq *z) {
  size_t off = 0, largest = 0;
  for (const zblock *b = z->blocks;; b = b->next) {
    size_t end = b ? b->off : z->dma_size;
    if (end - off > largest)
      largest = end - off;
    if (!b)
      return largest;
    off = b->off + b->size;
  }
}

/* n bytes for a message: "512 bytes", "64.0 KiB", "150.3 MiB". */
static const char *human(uint64_t n, char *buf, size_t cap) {
  if (n < 1024)
    snprintf(buf, cap, "%" PRIu64 " bytes", n);
  else if (n < (1u << 20))
    snprintf(buf, cap, "%.1f KiB", (double)n / 1024.0);
  else
    snprintf(buf, cap, "%.1f MiB", (double)n / 1048576.0);
  return buf;
}

/* How to make the u-dma-buf region hold `need` bytes, appended to dev->error. */
static void size_hint(drv_dev *dev, const zynq *z, uint64_t need) {
  uint64_t mib = (need + z->dma_size - largest_gap(z) + (1u << 20) - 1) >> 20;
  mib = mib < 4 ? 4 : mib;
  erradd(dev, ". Make the region at least %" PRIu64 " MiB: the u-dma-buf module parameter "
         "(insmod u-dma-buf.ko %s=%" PRIu64 ", or modprobe u-dma-buf %s=...) or the size property "
         "of its device-tree node (boards/<board>/dlvta.dtso: size = <0x%" PRIx64 ">), and boot "
         "with enough CMA for it and the kernel's other users (cma=%" PRIu64 "M on the kernel command line, or "
         "CONFIG_CMA_SIZE_MBYTES); the region must lie below 4 GiB (dma-mask = <32>)",
         mib, strrchr(z->udmabuf, '/') ? strrchr(z->udmabuf, '/') + 1 : z->udmabuf, mib << 20,
         strrchr(z->udmabuf, '/') ? strrchr(z->udmabuf, '/') + 1 : z->udmabuf, mib << 20,
         mib + mib / 2 + 16);
}

static int z_mem_check(drv_dev *dev, uint64_t bytes, const char *what) {
  zynq *z = dev->priv;
  size_t gap = largest_gap(z);
  if (bytes <= gap)
    return DRV_OK;
  char a[32], b[32], c[32];
  errf(dev, DRV_ERR_BACKEND, "zynq: %s need %s (%" PRIu64 " bytes) of contiguous DMA memory, but "
       "the u-dma-buf region %s holds %s (%zu bytes), %s of it free in one piece", what,
       human(bytes, a, sizeof a), bytes, z->udmabuf, human(z->dma_size, b, sizeof b), z->dma_size,
       human(gap, c, sizeof c));
  size_hint(dev, z, bytes);
  return DRV_E_NOMEM;
}

static const char *z_describe(const drv_dev *dev) {
  zynq *z = dev->priv;
  snprintf(z->desc, sizeof z->desc, "%.*s: %s; DMA region %.*s at 0x%" PRIx64 ", %zu MiB, cache=%s;"
           " lock %.*s", PATH_LEN / 2, z->where, z->irq_note, PATH_LEN / 2, z->udmabuf, z->dma_phys,
           z->dma_size >> 20, z->cache == CACHE_SYNC ? "sync" : z->cache == CACHE_NOCACHE ?
           "nocache" : "coherent", PATH_LEN / 2, z->lock_fd >= 0 ? z->lock : "none");
  return z->desc;
}

/* First fit of buf->size bytes (rounded up to ISA_IMAGE_ALIGN) in the DMA region. */
static int z_alloc(drv_dev *dev, drv_buf *buf) {
  zynq *z = dev->priv;
  size_t size = (buf->size + ISA_IMAGE_ALIGN - 1) / ISA_IMAGE_ALIGN * ISA_IMAGE_ALIGN;
  size_t off = 0, largest = 0;
  zblock **link = &z->blocks;
  for (zblock *b = z->blocks;; b = b->next) {
    size_t end = b ? b->off : z->dma_size;
    if (end - off >= size && size)
      break;
    if (end - off > largest)
      largest = end - off;
    if (!b) {
      errf(dev, DRV_ERR_BACKEND, "zynq: no room for %zu bytes in the %zu-byte DMA region (largest "
           "free gap %zu bytes)", buf->size, z->dma_size, largest);
      size_hint(dev, z, size);
      return DRV_E_NOMEM;
    }
    off = b->off + b->size;
    link = &b->next;
  }
  zblock *nb = malloc(sizeof *nb);
  if (!nb)
    return DRV_E_NOMEM;
  *nb = (zblock){off, size, *link};
  *link = nb;
  buf->addr = z->dma_phys + off;
  buf->host = z->dma + off;
  buf->priv = nb;
  return DRV_OK;
}

/* Return buf's block to the region (drv.c calls it once per live buffer). */
static void z_free(drv_dev *dev, drv_buf *buf) {
  zynq *z = dev->priv;
  for (zblock **p = &z->blocks; *p; p = &(*p)->next)
    if (*p == buf->priv) {
      zblock *b = *p;
      *p = b->next;
      free(b);
      return;
    }
}

/* u-dma-buf cache maintenance of [off, off+n) of buf: direction 1 to device, 2 from device. */
static int z_sync(drv_dev *dev, drv_buf *buf, size_t off, size_t n, int to_device) {
  zynq *z = dev->priv;
  if (z->cache != CACHE_SYNC || n == 0) {
    io_barrier();
    return DRV_OK;
  }
  uint64_t start = buf->addr - z->dma_phys + off;
  if (write_attr(z->sync_dir, "sync_offset", start) || write_attr(z->sync_dir, "sync_size", n) ||
      write_attr(z->sync_dir, "sync_direction", to_device ? 1 : 2) ||
      write_attr(z->sync_dir, to_device ? "sync_for_device" : "sync_for_cpu", 1)) {
    errf(dev, DRV_ERR_BACKEND, "zynq: cache sync through %s failed: %s", z->sync_dir,
         strerror(errno));
    return DRV_E_IO;
  }
  return DRV_OK;
}

static int z_flush(drv_dev *dev, drv_buf *buf, size_t off, size_t n) {
  return z_sync(dev, buf, off, n, 1);
}

static int z_invalidate(drv_dev *dev, drv_buf *buf, size_t off, size_t n) {
  return z_sync(dev, buf, off, n, 0);
}

static int z_run(drv_dev *dev, uint64_t insn_addr, uint32_t count, uint32_t timeout_ms) {
  zynq *z = dev->priv;
  return drv_regs_run(dev, &z->io, insn_addr, count, timeout_ms);
}

const drv_backend drv_backend_zynq = {
    .name = "zynq",
    .open = z_open,
    .close = z_close,
    .alloc = z_alloc,
    .free = z_free,
    .flush = z_flush,
    .invalidate = z_invalidate,
    .run = z_run,
    .mem_check = z_mem_check,
    .describe = z_describe,
};
