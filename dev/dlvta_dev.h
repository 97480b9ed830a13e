/* dev/dlvta_dev.h -- the device types: what a device (the driver's backends, fsim, tsim, the
 * boards) reports, shared by the simulators below the driver and the driver above them. Status
 * codes, the kinds of device-reported errors (isa/regs.def), the error record, the performance
 * counters, a DRAM region as a simulator sees it, the DRAM windows (and how they cover regions
 * and test a page), and the one mapping of the hardware counters onto drv_counters. Types,
 * constants and a few static inlines: no library, no state.
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
  uint64_t bytes_read1;               /* of bytes_read, those of the second read port (m1_axi_) */
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

/* A DRAM window (isa/regs.def WINn_BASE / WINn_LIMIT): device byte addresses [base, limit). The
 * hardware keeps 4 KiB page numbers (bits 31:12 of each register; base and limit above
 * 0xFFFFF000 act as 0xFFFFF000) and issues a burst only if its page lies in one of its
 * DLVTA_REGS_WIN_COUNT windows; fsim checks every page a LOAD/STORE row or an instruction fetch
 * touches the same way, so both stop at the same instruction. */
typedef struct drv_window {
  uint64_t base, limit;
} drv_window;
#define DRV_WIN_PAGE ((uint64_t)1 << DLVTA_REGS_WIN_PAGE_BITS)
/* window i's registers: BASE at DLVTA_REG_WIN0_BASE + 8 i, LIMIT at + 4 (regs.def's rows) */
#ifdef __cplusplus
#define DRV_STATIC_ASSERT static_assert
#else
#define DRV_STATIC_ASSERT _Static_assert
#endif
DRV_STATIC_ASSERT(DLVTA_REG_WIN0_LIMIT == DLVTA_REG_WIN0_BASE + 4 && DLVTA_REG_WIN1_BASE == DLVTA_REG_WIN0_BASE + 8 &&
                   DLVTA_REG_WIN3_LIMIT == DLVTA_REG_WIN0_BASE + 8 * (DLVTA_REGS_WIN_COUNT - 1) + 4,
               "isa/regs.def: WINn_BASE / WINn_LIMIT must be consecutive pairs, WIN_COUNT of them");
#define DRV_WIN_MAX_REG 0xFFFFF000u

/* The register value of a window bound (what the hardware keeps of it). */
static inline uint32_t drv_window_reg(uint64_t a) {
  return a >= DRV_WIN_MAX_REG ? DRV_WIN_MAX_REG : (uint32_t)(a & ~(DRV_WIN_PAGE - 1));
}

/* Whether 4 KiB page `page` (a 20-bit page number) lies in one of w[0..n), as the hardware
 * decides it from the register values. */
static inline int drv_window_page_ok(const drv_window *w, int n, uint64_t page) {
  for (int i = 0; i < n; i++)
    if (page >= drv_window_reg(w[i].base) >> DLVTA_REGS_WIN_PAGE_BITS &&
        page < drv_window_reg(w[i].limit) >> DLVTA_REGS_WIN_PAGE_BITS)
      return 1;
  return 0;
}

/* Whether every page of the device bytes [addr, addr + n) (n > 0) lies in a window of w[0..n_w);
 * bytes at or past 4 GiB never do. */
static inline int drv_window_ok(const drv_window *w, int n_w, uint64_t addr, uint64_t n) {
  if (addr >= ((uint64_t)1 << 32) || n > ((uint64_t)1 << 32) - addr) return 0;
  for (uint64_t p = addr >> DLVTA_REGS_WIN_PAGE_BITS; p <= (addr + n - 1) >> DLVTA_REGS_WIN_PAGE_BITS; p++)
    if (!drv_window_page_ok(w, n_w, p)) return 0;
  return 1;
}

/* The windows (at most max <= DLVTA_REGS_WIN_COUNT, written to out sorted by address; returns the
 * count) that cover the ranges [r[i].addr, r[i].addr + r[i].size), each rounded out to whole
 * pages: ranges that touch or overlap are merged; while more than max remain, the two with the
 * smallest gap between them are merged (the gap is then inside a window too). Deterministic for
 * a given order of r; empty ranges are skipped. */
static inline int drv_windows_cover(const drv_region *r, int n, drv_window *out, int max) {
  drv_window w[DLVTA_REGS_WIN_COUNT + 2];
  int k = 0;
  if (max > (int)DLVTA_REGS_WIN_COUNT) max = (int)DLVTA_REGS_WIN_COUNT;
  if (max < 1) return 0;
  for (int i = 0; i < n; i++) {
    if (!r[i].size) continue;
    drv_window c = {r[i].addr & ~(DRV_WIN_PAGE - 1),
                    (r[i].addr + r[i].size + DRV_WIN_PAGE - 1) & ~(DRV_WIN_PAGE - 1)};
    for (int j = 0; j < k;) { /* absorb every window c touches */
      if (w[j].base <= c.limit && c.base <= w[j].limit) {
        if (w[j].base < c.base) c.base = w[j].base;
        if (w[j].limit > c.limit) c.limit = w[j].limit;
        memmove(&w[j], &w[j + 1], (size_t)(k - j - 1) * sizeof *w);
        k--;
      } else {
        j++;
      }
    }
    int at = 0;
    while (at < k && w[at].base < c.base) at++;
    memmove(&w[at + 1], &w[at], (size_t)(k - at) * sizeof *w);
    w[at] = c;
    k++;
    if (k > max) { /* merge the closest neighbours */
      int best = 0;
      for (int j = 1; j + 1 < k; j++)
        if (w[j + 1].base - w[j].limit < w[best + 1].base - w[best].limit) best = j;
      w[best].limit = w[best + 1].limit;
      memmove(&w[best + 1], &w[best + 2], (size_t)(k - best - 2) * sizeof *w);
      k--;
    }
  }
  memcpy(out, w, (size_t)k * sizeof *w);
  return k;
}

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
  c->bytes_read1 = v[DLVTA_CNT_BYTES_READ1];
  c->insns[ISA_OP_LOAD] = v[DLVTA_CNT_INSNS_LOAD];
  c->insns[ISA_OP_STORE] = v[DLVTA_CNT_INSNS_STORE];
  c->insns[ISA_OP_GEMM] = v[DLVTA_CNT_INSNS_GEMM];
  c->insns[ISA_OP_DWGEMM] = v[DLVTA_CNT_INSNS_DWGEMM];
  c->insns[ISA_OP_ALU] = v[DLVTA_CNT_INSNS_ALU];
  c->insns[ISA_OP_FINISH] = v[DLVTA_CNT_INSNS_FINISH];
  for (int m = 0; m < ISA_MEM_COUNT; m++) c->loads[m] = v[DLVTA_CNT_LOADS + m];
  c->macs = v[DLVTA_CNT_MAC_ITERS] * d->batch * d->block_in * d->block_out;
  c->alu_ops = v[DLVTA_CNT_ALU_CYCLES]; /* one vector operation per ALU cycle */
}

#endif
