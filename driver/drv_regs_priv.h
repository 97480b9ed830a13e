/* driver/drv_regs_priv.h -- the accelerator's control registers (the AXI4-Lite slave of
 * dlvta_top) and the run protocol over them, shared by the backends that drive real hardware:
 * zynq (registers mapped through UIO or /dev/mem) and xrt (registers through XRT). The protocol
 * code lives in backend_zynq.c; a backend supplies only a register read and write function.
 *
 * Register map (32-bit registers at byte offsets; 64-bit counters: LO at the offset, HI at +4):
 *   0x000 CTRL W: bit0 start, bit1 irq_en      0x004 STATUS R: bit0 busy, bit1 done, bit2 error
 *   0x008 INSN_ADDR (device byte address, 16-byte aligned)      0x00C INSN_COUNT
 *   0x010 ERR_KIND (= enum drv_err_kind)       0x014 ERR_INSN (instruction index)
 *   0x018 FP_LO, 0x01C FP_HI (isa_config.fingerprint of the config the bitstream was built for)
 *   0x020 FETCH_PC, 0x024 LOAD_PC, 0x028 COMPUTE_PC, 0x02C STORE_PC (instruction indices,
 *         0xFFFFFFFF = idle)                   0x030 WAIT (bits below)
 *   0x040.. 0x0B8 counters (DRV_REG_CYCLES ...); 0x0C0 MAC_ITERS, 0x0C8.. LOADS_<mem> (the RTL's
 *         extensions, rtl/REGS.md)
 */
#ifndef DLVTA_DRV_REGS_PRIV_H
#define DLVTA_DRV_REGS_PRIV_H

#include <stdint.h>

#include "drv_impl.h"

enum drv_reg {
  DRV_REG_CTRL = 0x000,
  DRV_REG_STATUS = 0x004,
  DRV_REG_INSN_ADDR = 0x008,
  DRV_REG_INSN_COUNT = 0x00C,
  DRV_REG_ERR_KIND = 0x010,
  DRV_REG_ERR_INSN = 0x014,
  DRV_REG_FP_LO = 0x018,
  DRV_REG_FP_HI = 0x01C,
  DRV_REG_FETCH_PC = 0x020,
  DRV_REG_LOAD_PC = 0x024,
  DRV_REG_COMPUTE_PC = 0x028,
  DRV_REG_STORE_PC = 0x02C,
  DRV_REG_WAIT = 0x030,
  DRV_REG_CYCLES = 0x040,
  DRV_REG_GEMM_CYCLES = 0x048,
  DRV_REG_ALU_CYCLES = 0x050,
  DRV_REG_LOAD_BUSY = 0x058,
  DRV_REG_COMPUTE_BUSY = 0x060,
  DRV_REG_STORE_BUSY = 0x068,
  DRV_REG_LOAD_STALL = 0x070,
  DRV_REG_COMPUTE_STALL = 0x078,
  DRV_REG_STORE_STALL = 0x080,
  DRV_REG_BYTES_READ = 0x088,
  DRV_REG_BYTES_WRITTEN = 0x090,
  DRV_REG_INSNS_LOAD = 0x098,
  DRV_REG_INSNS_STORE = 0x0A0,
  DRV_REG_INSNS_GEMM = 0x0A8,
  DRV_REG_INSNS_ALU = 0x0B0,
  DRV_REG_INSNS_FINISH = 0x0B8,
  /* extensions of rtl/REGS.md (read 0 where the RTL lacks them) */
  DRV_REG_MAC_ITERS = 0x0C0, /* non-reset GEMM iterations */
  DRV_REG_LOADS = 0x0C8,     /* LOADs retired by memory m at DRV_REG_LOADS + 8*m, m < ISA_MEM_COUNT */
  DRV_REG_SPAN = 0x0F8,      /* bytes a mapping of the block must cover (through LOADS_ACC8 HI) */
};

#define DRV_CTRL_START 0x1u
#define DRV_CTRL_IRQ_EN 0x2u
#define DRV_STATUS_BUSY 0x1u
#define DRV_STATUS_DONE 0x2u
#define DRV_STATUS_ERROR 0x4u
#define DRV_PC_IDLE 0xFFFFFFFFu
/* WAIT bits: bit i means drv_wait_names[i]. */
#define DRV_WAIT_BITS 9

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

/* "load waits C2L token", ... for WAIT bit i < DRV_WAIT_BITS. */
extern const char *const drv_wait_names[DRV_WAIT_BITS];

#endif
