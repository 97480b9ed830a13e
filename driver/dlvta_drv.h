/* driver/dlvta_drv.h -- libdlvta's device contract: the one public header of the runtime.
 *
 * Open a device by backend name ("fsim", "verilator", "zynq", "xrt") and hardware config, allocate
 * DMA buffers that have device addresses, copy data in and out (or map them), run a program with a
 * timeout, read the performance counters, close. Every call returns a status code (DRV_OK or a
 * negative DRV_E_*); nothing here exits or aborts on bad input. After a failed drv_run,
 * drv_last_error() says what the device reported (kind, instruction index, message).
 */
#ifndef DLVTA_DRV_H
#define DLVTA_DRV_H

#include <stddef.h>
#include <stdint.h>

#include "dlvta_dev.h" /* the device types: status codes, drv_error, drv_counters, drv_region */
#include "isa.h"

typedef struct drv_dev drv_dev;
typedef struct drv_buf drv_buf;

/* Open a device. backend: a name from drv_backend_names(); config: a name from configs.def;
 * options: backend-specific "key=value,key=value" or NULL (verilator: trace=FILE.fst,
 * rd_latency=N, wr_latency=N, bytes_per_cycle=N; zynq: uio=/dev/uioN ...). */
int drv_open(const char *backend, const char *config, const char *options, drv_dev **out);
/* Why the last drv_open of this thread failed (empty after a success). */
const char *drv_open_error(void);
void drv_close(drv_dev *dev);
const isa_config *drv_config(const drv_dev *dev);
const char *drv_backend_name(const drv_dev *dev);
const char *drv_backend_names(void);         /* "fsim, verilator, zynq, xrt" */
const char *drv_strerror(int status);
/* One line about how the device is reached ("zynq /dev/uio0: interrupt wait, DMA region ..."). */
const char *drv_describe(const drv_dev *dev);

/* DMA buffers: physically contiguous device memory, aligned to ISA_IMAGE_ALIGN. */
int drv_alloc(drv_dev *dev, size_t bytes, drv_buf **out);
void drv_free(drv_dev *dev, drv_buf *buf);
uint64_t drv_buf_addr(const drv_buf *buf);   /* device address */
size_t drv_buf_size(const drv_buf *buf);
void *drv_buf_map(drv_buf *buf);             /* host view, or NULL if the backend cannot map */
/* Copy in (then flush) / invalidate then copy out; off + n must lie in the buffer. */
int drv_write(drv_dev *dev, drv_buf *buf, size_t off, const void *src, size_t n);
int drv_read(drv_dev *dev, drv_buf *buf, size_t off, void *dst, size_t n);
/* Cache maintenance for mapped buffers (no-ops on coherent backends). */
int drv_flush(drv_dev *dev, drv_buf *buf, size_t off, size_t n);
int drv_invalidate(drv_dev *dev, drv_buf *buf, size_t off, size_t n);

/* Run `count` instructions that start at byte `off` of buffer `insns` (16 bytes each, DRAM
 * addresses already relocated to device addresses). Blocks until done, error or timeout_ms
 * (0: no timeout). On DRV_E_EXEC/DRV_E_TIMEOUT, drv_last_error() has the details. */
int drv_run(drv_dev *dev, drv_buf *insns, size_t off, uint32_t count, uint32_t timeout_ms);
int drv_counters_read(drv_dev *dev, drv_counters *out);
const drv_error *drv_last_error(const drv_dev *dev);
/* Report every instruction the next drv_runs execute to fn (drv_insn_event, dlvta_dev.h: unit,
 * start / end cycle, token waits); NULL fn stops it. DRV_OK, or DRV_E_UNSUPPORTED when the
 * backend cannot see single instructions (today only fsim can: the RTL and the boards expose
 * counters, not per-instruction events). */
int drv_set_trace(drv_dev *dev, drv_trace_fn fn, void *ctx);

/* Whether `bytes` more of device memory (the sum of the buffers to come, each rounded up to
 * ISA_IMAGE_ALIGN) fit the device's DMA memory as it is now. DRV_OK, or DRV_E_NOMEM with a
 * message in drv_last_error() that names `what`, the sizes, and how to make the region larger. */
int drv_mem_check(drv_dev *dev, uint64_t bytes, const char *what);

/* Convenience: run a whole program image (isa_prog) on a device. Allocates the data image and
 * the instruction buffer, copies the image in, relocates the instructions to the image's device
 * address, runs, and copies the final image back into image_out (prog->image_bytes bytes; may be
 * NULL). Returns the drv_run status (DRV_E_CONFIG if the program is for another config). */
int drv_run_prog(drv_dev *dev, const isa_prog *prog, uint8_t *image_out, uint32_t timeout_ms);

#endif
