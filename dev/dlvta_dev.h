/* dev/dlvta_dev.h -- the device types: what a device (the driver's backends, fsim, tsim, the
 * boards) reports, shared by the simulators below the driver and the driver above them. Status
 * codes, the kinds of device-reported errors (isa/regs.def), the error record, the performance
 * counters, a DRAM region as a simulator sees it, and the one mapping of the hardware counters
 * onto drv_counters. Types and constants only (one static inline): no library, no state.
 */
#ifndef DLVTA_DEV_H
#define DLVTA_DEV_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dlvta_regs.h" /* generated from isa/regs.def: the error kinds and counters below */
#include "isa.h"

enum drv_status {
  DRV_OK = 0,
  DRV_E_ARG = -1,         /* bad argument (NULL, range, alignment) */
  DRV_E_NOMEM = -2,       /* out of host or device memory */
  DRV_E_BACKEND = -3,     /* unknown backend, or not available on this machine/build */
  DRV_E_CONFIG = -4,      /* unknown config, or the device was built for another one */
  DRV_E_TIMEOUT = -5,     /* the program did not finish in time */
  DRV_E_EXEC = -6,        /* the device stopped on an error in the program (see drv_last_error) */
  DRV_E_IO = -7,          /* the backend's device or files failed */
  DRV_E_UNSUPPORTED = -8, /* the backend cannot do this */
  DRV_E_BUSY = -9,        /* the device is open elsewhere (another process, or another drv_open) */
};

/* Kinds of device-reported errors (drv_error.kind): DRV_ERR_<NAME> = DLVTA_ERR_<NAME> for every
 * DLVTA_ERR of isa/regs.def (names, codes and meanings: there and in rtl/REGS.md). The hardware's
 * ERR_KIND register reports the same codes. */
enum drv_err_kind {
#define DRV_ERR_KIND_(CODE, NAME) DRV_ERR_##NAME = CODE,
  DLVTA_ERR_LIST(DRV_ERR_KIND_)
#undef DRV_ERR_KIND_
};

typedef struct drv_error {
  int kind;            /* enum drv_err_kind */
  int64_t insn_index;  /* failing instruction, -1 if none */
  char message[2048];  /* one or more lines, naming instruction indices with their disassembly */
} drv_error;

/* Performance counters of the last drv_run. fsim fills them from its model (cycles is its
 * estimate); verilator and the boards read the hardware counters. */
typedef struct drv_counters {
  uint64_t cycles;                    /* start to done, accelerator clock cycles */
  uint64_t gemm_cycles;               /* cycles the GEMM core retired a micro-op iteration */
  uint64_t alu_cycles;                /* cycles the ALU retired a vector operation */
  uint64_t unit_busy[ISA_UNIT_COUNT];  /* cycles each unit was executing an instruction */
  uint64_t unit_stall[ISA_UNIT_COUNT]; /* cycles each unit had an instruction but waited on tokens */
  uint64_t bytes_read, bytes_written; /* DRAM traffic, instruction fetch included in bytes_read */
  uint64_t insns[ISA_OP_COUNT];       /* instructions executed, by opcode */
  uint64_t loads[ISA_MEM_COUNT];      /* LOAD instructions, by memory */
  uint64_t macs;                      /* useful MACs: non-reset GEMM iterations x BATCH x BLOCK_IN x BLOCK_OUT */
  uint64_t alu_ops;                   /* ALU vector operations (iterations) */
} drv_counters;

/* One executed instruction as a simulator's trace hook reports it (fsim_set_trace,
 * drv_set_trace): for timelines (dlvta profile) and replays (dlvta compare). Reported in
 * execution order, after the instruction took effect. */
typedef struct drv_insn_event {
  uint32_t index;         /* instruction index from the start of the run */
  int unit;               /* ISA_UNIT_*: the unit that executed it */
  isa_word w;             /* the instruction */
  uint64_t ready;         /* cycle it was at its unit's queue head with the unit free */
  uint64_t start, end;    /* cycles: executing in [start, end) */
  uint64_t wait;          /* start - ready: cycles it waited for dependency tokens */
  uint64_t rd_bytes, wr_bytes; /* DRAM bytes it moved */
} drv_insn_event;
typedef void (*drv_trace_fn)(void *ctx, const drv_insn_event *e);

/* A DRAM region as a simulator sees it: device address range and its host memory. */
typedef struct drv_region {
  uint64_t addr, size;
  uint8_t *host;
} drv_region;

/* Fills c from the hardware counters v[DLVTA_CNT_COUNT] (v[DLVTA_CNT_x] = counter x) of a device
 * of config d: the one mapping of the counters onto drv_counters, for the register backends and
 * tsim. */
static inline void drv_counters_from_regs(const isa_derived *d, const uint64_t *v, drv_counters *c) {
  memset(c, 0, sizeof *c);
  c->cycles = v[DLVTA_CNT_CYCLES];
  c->gemm_cycles = v[DLVTA_CNT_GEMM_CYCLES];
  c->alu_cycles = v[DLVTA_CNT_ALU_CYCLES];
  c->unit_busy[ISA_UNIT_LOAD] = v[DLVTA_CNT_LOAD_BUSY];
  c->unit_busy[ISA_UNIT_COMPUTE] = v[DLVTA_CNT_COMPUTE_BUSY];
  c->unit_busy[ISA_UNIT_STORE] = v[DLVTA_CNT_STORE_BUSY];
  c->unit_stall[ISA_UNIT_LOAD] = v[DLVTA_CNT_LOAD_STALL];
  c->unit_stall[ISA_UNIT_COMPUTE] = v[DLVTA_CNT_COMPUTE_STALL];
  c->unit_stall[ISA_UNIT_STORE] = v[DLVTA_CNT_STORE_STALL];
  c->bytes_read = v[DLVTA_CNT_BYTES_READ];
  c->bytes_written = v[DLVTA_CNT_BYTES_WRITTEN];
  c->insns[ISA_OP_LOAD] = v[DLVTA_CNT_INSNS_LOAD];
  c->insns[ISA_OP_STORE] = v[DLVTA_CNT_INSNS_STORE];
  c->insns[ISA_OP_GEMM] = v[DLVTA_CNT_INSNS_GEMM];
  c->insns[ISA_OP_ALU] = v[DLVTA_CNT_INSNS_ALU];
  c->insns[ISA_OP_FINISH] = v[DLVTA_CNT_INSNS_FINISH];
  for (int m = 0; m < ISA_MEM_COUNT; m++) c->loads[m] = v[DLVTA_CNT_LOADS + m];
  c->macs = v[DLVTA_CNT_MAC_ITERS] * d->batch * d->block_in * d->block_out;
  c->alu_ops = v[DLVTA_CNT_ALU_CYCLES]; /* one vector operation per ALU cycle */
}

#endif
