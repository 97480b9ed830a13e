/* driver/backend_xrt.c -- the `xrt` backend: the accelerator as a user-managed RTL kernel under
 * Xilinx's runtime (XRT), on an embedded platform (zocl: Ultra96/Kria/PYNQ images with XRT) or a
 * PCIe card. Device memory comes from XRT buffer objects (xrtBOAlloc, physically contiguous on
 * embedded platforms; xrtBOAddress is the device address), the kernel's AXI4-Lite registers are
 * read and written with xrtKernelReadRegister/WriteRegister on an exclusively opened kernel, and
 * runs use the register protocol shared with the zynq backend (drv_regs_priv.h).
 *
 * Options: xclbin=PATH (loaded onto the device first; without it the device's current xclbin is
 * used), device=N (default 0), kernel=NAME (default "dlvta_top"), bank=N (memory group of the
 * buffers, default 0), poll_us=N.
 *
 * Built with XRT only when driver/xrt.mk finds its headers and library (DLVTA_HAVE_XRT); without,
 * open returns DRV_E_BACKEND "built without XRT". XRT 2.13 terminates the process (an uncaught
 * C++ exception inside its error reporting) when its shim library cannot be loaded, so open
 * first checks XILINX_XRT and $XILINX_XRT/lib/<shim> itself and refuses with a message instead.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "drv_impl.h"
#include "drv_regs_priv.h"

#ifdef DLVTA_HAVE_XRT

#include "xrt/xrt_bo.h"
#include "xrt/xrt_device.h"
#include "xrt/xrt_kernel.h"

typedef struct xrtdev {
  xrtDeviceHandle dev;
  xrtKernelHandle kernel;
  unsigned index, bank, poll_us;
  char xclbin[1024], kname[128], where[64];
  drv_regio io;
} xrtdev;

/* Register access through XRT (the kernel is open exclusively, as writes require). */
static int x_rd(void *ctx, uint32_t off, uint32_t *val) {
  xrtdev *x = ctx;
  return xrtKernelReadRegister(x->kernel, off, val) ? -1 : 0;
}

static int x_wr(void *ctx, uint32_t off, uint32_t val) {
  xrtdev *x = ctx;
  return xrtKernelWriteRegister(x->kernel, off, val) ? -1 : 0;
}

static int x_fail(drv_dev *dev, int rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Set dev->error to a formatted message and return rc. */
static int x_fail(drv_dev *dev, int rc, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(dev->error.message, sizeof dev->error.message, fmt, ap);
  va_end(ap);
  dev->error.kind = DRV_ERR_BACKEND;
  return rc;
}

/* Parse "key=value,..." into x; DRV_OK or DRV_E_ARG. */
static int x_options(drv_dev *dev, xrtdev *x, const char *opts) {
  char buf[2048];
  if (!opts)
    return DRV_OK;
  if (strlen(opts) >= sizeof buf)
    return x_fail(dev, DRV_E_ARG, "xrt: options too long");
  snprintf(buf, sizeof buf, "%s", opts);
  for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
    char *eq = strchr(tok, '='), *end;
    if (!eq)
      return x_fail(dev, DRV_E_ARG, "xrt: option '%s' is not key=value", tok);
    *eq++ = '\0';
    if (!strcmp(tok, "xclbin") || !strcmp(tok, "kernel")) {
      char *dst = tok[0] == 'x' ? x->xclbin : x->kname;
      size_t cap = tok[0] == 'x' ? sizeof x->xclbin : sizeof x->kname;
      if (!*eq || strlen(eq) >= cap)
        return x_fail(dev, DRV_E_ARG, "xrt: option %s: empty or too long", tok);
      snprintf(dst, cap, "%s", eq);
      continue;
    }
    unsigned *num = !strcmp(tok, "device") ? &x->index
                    : !strcmp(tok, "bank") ? &x->bank
                    : !strcmp(tok, "poll_us") ? &x->poll_us
                                              : NULL;
    if (!num)
      return x_fail(dev, DRV_E_ARG, "xrt: unknown option '%s' (known: xclbin, device, kernel, "
                    "bank, poll_us)", tok);
    errno = 0;
    unsigned long v = strtoul(eq, &end, 0);
    if (!*eq || *end || errno || v > 0xFFFFFFFFul)
      return x_fail(dev, DRV_E_ARG, "xrt: option %s=%s: not a number", tok, eq);
    *num = (unsigned)v;
  }
  return DRV_OK;
}

/* XRT's runtime must find its shim, or it aborts the process: check first. */
static int x_preflight(drv_dev *dev) {
  const char *root = getenv("XILINX_XRT");
  if (!root || !*root)
    return x_fail(dev, DRV_E_BACKEND, "xrt: XILINX_XRT is not set: XRT is not set up on this "
                  "machine (source /opt/xilinx/xrt/setup.sh, or export XILINX_XRT=/usr on "
                  "PetaLinux/PYNQ images)");
  const char *emu = getenv("XCL_EMULATION_MODE");
  const char *shim = !emu ? "libxrt_core.so.2"
                     : !strcmp(emu, "hw_emu") ? "libxrt_hwemu.so.2"
                                              : "libxrt_swemu.so.2";
  char path[1024];
  struct stat sb;
  snprintf(path, sizeof path, "%s/lib/%s", root, shim);
  if (stat(path, &sb) != 0)
    return x_fail(dev, DRV_E_BACKEND, "xrt: XRT's device library %s is missing (XILINX_XRT=%s): "
                  "XRT is not installed for a device here", path, root);
  return DRV_OK;
}

/* Close the kernel and the device (also open's cleanup on failure). */
static void x_close(drv_dev *dev) {
  xrtdev *x = dev->priv;
  if (!x)
    return;
  if (x->kernel)
    xrtKernelClose(x->kernel);
  if (x->dev)
    xrtDeviceClose(x->dev);
  free(x);
  dev->priv = NULL;
}

/* Open: options, XRT preflight, device, xclbin, kernel, fingerprint; DRV_E_BACKEND with a
 * message in dev->error when any is missing. */
static int x_open(drv_dev *dev, const char *options) {
  xrtdev *x = calloc(1, sizeof *x);
  if (!x)
    return DRV_E_NOMEM;
  dev->priv = x;
  snprintf(x->kname, sizeof x->kname, "dlvta_top");
  int rc = x_options(dev, x, options);
  if (rc == DRV_OK)
    rc = x_preflight(dev);
  if (rc != DRV_OK)
    goto fail;
  snprintf(x->where, sizeof x->where, "xrt device %u", x->index);
  errno = 0;
  x->dev = xrtDeviceOpen(x->index);
  if (!x->dev) {
    rc = x_fail(dev, DRV_E_BACKEND, "xrt: no XRT device %u (xrtDeviceOpen failed: %s)", x->index,
                strerror(errno ? errno : ENODEV));
    goto fail;
  }
  if (x->xclbin[0] && xrtDeviceLoadXclbinFile(x->dev, x->xclbin)) {
    rc = x_fail(dev, DRV_E_IO, "xrt: cannot load %s onto device %u", x->xclbin, x->index);
    goto fail;
  }
  xuid_t uuid;
  if (xrtDeviceGetXclbinUUID(x->dev, uuid)) {
    rc = x_fail(dev, DRV_E_BACKEND, "xrt: device %u has no xclbin loaded (give xclbin=PATH)",
                x->index);
    goto fail;
  }
  x->kernel = xrtPLKernelOpenExclusive(x->dev, uuid, x->kname);
  if (!x->kernel) {
    rc = x_fail(dev, DRV_E_BACKEND, "xrt: no kernel '%s' in the xclbin of device %u (or it is "
                "in use by another process)", x->kname, x->index);
    goto fail;
  }
  /* runs poll STATUS: this backend does not take the kernel's interrupt through XRT */
  x->io = (drv_regio){x, x_rd, x_wr, x->poll_us, x->where, NULL};
  rc = drv_regs_check_fingerprint(dev, &x->io);
  if (rc != DRV_OK)
    goto fail;
  return DRV_OK;
fail:
  x_close(dev);
  return rc;
}

/* One XRT buffer object per drv_buf, in memory bank x->bank; must be 4 KiB aligned and below
 * 4 GiB (32-bit AXI addresses). */
static int x_alloc(drv_dev *dev, drv_buf *buf) {
  xrtdev *x = dev->priv;
  xrtBufferHandle bo = xrtBOAlloc(x->dev, buf->size, XRT_BO_FLAGS_NONE, x->bank);
  if (!bo)
    return x_fail(dev, DRV_E_NOMEM, "xrt: cannot allocate %zu bytes in bank %u", buf->size, x->bank);
  uint64_t addr = xrtBOAddress(bo);
  void *host = xrtBOMap(bo);
  if (addr % ISA_IMAGE_ALIGN || addr + buf->size > 0x100000000ull || !host) {
    xrtBOFree(bo);
    return x_fail(dev, DRV_E_NOMEM, "xrt: buffer at 0x%" PRIx64 " is not 4 KiB aligned, not "
                  "below 4 GiB (32-bit AXI addresses) or not mappable", addr);
  }
  buf->addr = addr;
  buf->host = host;
  buf->priv = bo;
  return DRV_OK;
}

static void x_free(drv_dev *dev, drv_buf *buf) {
  (void)dev;
  if (buf->priv)
    xrtBOFree(buf->priv);
}

static int x_flush(drv_dev *dev, drv_buf *buf, size_t off, size_t n) {
  if (n && xrtBOSync(buf->priv, XCL_BO_SYNC_BO_TO_DEVICE, n, off))
    return x_fail(dev, DRV_E_IO, "xrt: xrtBOSync to device failed");
  return DRV_OK;
}

static int x_invalidate(drv_dev *dev, drv_buf *buf, size_t off, size_t n) {
  if (n && xrtBOSync(buf->priv, XCL_BO_SYNC_BO_FROM_DEVICE, n, off))
    return x_fail(dev, DRV_E_IO, "xrt: xrtBOSync from device failed");
  return DRV_OK;
}

static int x_run(drv_dev *dev, uint64_t insn_addr, uint32_t count, uint32_t timeout_ms) {
  xrtdev *x = dev->priv;
  return drv_regs_run(dev, &x->io, insn_addr, count, timeout_ms);
}

const drv_backend drv_backend_xrt = {
    .name = "xrt",
    .open = x_open,
    .close = x_close,
    .alloc = x_alloc,
    .free = x_free,
    .flush = x_flush,
    .invalidate = x_invalidate,
    .run = x_run,
};

#else /* !DLVTA_HAVE_XRT */

/* Without XRT at build time, only open is reachable and it refuses. */
static int x_open(drv_dev *dev, const char *options) {
  (void)options;
  snprintf(dev->error.message, sizeof dev->error.message,
           "xrt: built without XRT (no XRT headers and libxrt_coreutil when libdlvta was built; "
           "install libxrt-dev or XRT, or give XRT_DIR=, and rebuild)");
  dev->error.kind = DRV_ERR_BACKEND;
  return DRV_E_BACKEND;
}

static void x_close(drv_dev *dev) { (void)dev; }

static int x_alloc(drv_dev *dev, drv_buf *buf) {
  (void)dev, (void)buf;
  return DRV_E_BACKEND;
}

static void x_free(drv_dev *dev, drv_buf *buf) { (void)dev, (void)buf; }

static int x_run(drv_dev *dev, uint64_t insn_addr, uint32_t count, uint32_t timeout_ms) {
  (void)dev, (void)insn_addr, (void)count, (void)timeout_ms;
  return DRV_E_BACKEND;
}

const drv_backend drv_backend_xrt = {
    .name = "xrt",
    .open = x_open,
    .close = x_close,
    .alloc = x_alloc,
    .free = x_free,
    .run = x_run,
};

#endif
