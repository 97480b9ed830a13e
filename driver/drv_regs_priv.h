/* driver/drv_regs_priv.h -- the run protocol over the accelerator's control registers (the
 * AXI4-Lite slave of dlvta_top), shared by the backends that drive real hardware: zynq (registers
 * mapped through UIO or /dev/mem) and xrt (registers through XRT). The protocol code lives in
 * backend_zynq.c; a backend supplies only a register read and write function.
 *
 * The register map -- offsets DLVTA_REG_*, bits DLVTA_CTRL_* / DLVTA_STATUS_* / DLVTA_WAIT_*,
 * counter indices DLVTA_CNT_*, error kinds DLVTA_ERR_* -- is generated from isa/regs.def into
 * build/gen/dlvta_regs.h (tables in rtl/REGS.md); nothing here repeats it.
 */
#ifndef DLVTA_DRV_REGS_PRIV_H
#define DLVTA_DRV_REGS_PRIV_H

#include <stdint.h>

#include "dlvta_regs.h"
#include "drv_impl.h"

/* Register access of one backend. Both return 0, or -1 if the access itself failed. */
typedef struct drv_regio {
  void *ctx;
  int (*rd)(void *ctx, uint32_t off, uint32_t *val);
  int (*wr)(void *ctx, uint32_t off, uint32_t val);
  unsigned poll_us; /* sleep between STATUS polls after the first ~100 (0: 20 us) */
  const char *where; /* "uio /dev/uio0", "xrt device 0": for messages */
} drv_regio;

/* Reads FP_LO/FP_HI and compares them with dev->cfg->fingerprint. DRV_OK, DRV_E_CONFIG (message
 * in dev->error with both fingerprints and the config the bitstream matches, if known), or
 * DRV_E_IO. */
int drv_regs_check_fingerprint(drv_dev *dev, const drv_regio *io);

/* Runs `count` instructions at device byte address insn_addr: refuses if the device is busy
 * (DRV_E_IO), writes INSN_ADDR, INSN_COUNT and CTRL=start, polls STATUS until done or error or
 * timeout_ms (0: none). Fills dev->counters on every outcome, and dev->error on DRV_E_EXEC
 * (ERR_KIND, ERR_INSN with its disassembly, unit PCs and WAIT) and DRV_E_TIMEOUT (PCs, WAIT). */
int drv_regs_run(drv_dev *dev, const drv_regio *io, uint64_t insn_addr, uint32_t count,
                 uint32_t timeout_ms);

/* Reads every hardware counter into dev->counters (64-bit counters read HI, LO, HI until
 * consistent). DRV_OK or DRV_E_IO. */
int drv_regs_counters(drv_dev *dev, const drv_regio *io);

/* The meaning of WAIT bit i < DLVTA_WAIT_WIDTH ("load waits C2L token (pop_next)", ...). */
extern const char *const drv_wait_names[DLVTA_WAIT_WIDTH];

#endif
