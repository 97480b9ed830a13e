/* sim/fsim/fsim.h -- fsim, the functional golden model of the dlvta accelerator.
 *
 * Executes a program against a set of DRAM regions bit-exactly as the RTL does (isa/ISA.md),
 * enforcing the token protocol with the three units progressing independently, checking every
 * SRAM and DRAM access, and estimating cycles with a timing model of the units overlapping.
 * The on-chip buffers persist across runs of one fsim (as the hardware's do); fsim_create
 * zeroes them. Instruction and token queues start empty at every fsim_run.
 */
#ifndef DLVTA_FSIM_H
#define DLVTA_FSIM_H

#include "dlvta_drv.h"
#include "drv_impl.h"
#include "isa.h"

typedef struct fsim fsim;

fsim *fsim_create(const isa_config *cfg); /* NULL if out of memory */
void fsim_destroy(fsim *s);

/* Run `count` instructions read from DRAM at insn_addr (inside one of the regions). Returns
 * DRV_OK, or DRV_E_EXEC with *err filled (kind, instruction index, message naming the
 * instruction's disassembly). Counters are filled in both cases. Never touches memory outside
 * the regions. */
int fsim_run(fsim *s, const drv_region *regions, int n_regions, uint64_t insn_addr, uint32_t count,
             drv_counters *ctr, drv_error *err);

/* Direct access to the on-chip buffers, for tests: element i of memory mem (ISA_MEM_*) as raw
 * bytes (elem_bytes of that memory; ACC lanes as little-endian int32; ACC8 names the
 * accumulator too, as ACC). NULL if out of range. */
uint8_t *fsim_sram(fsim *s, int mem, uint32_t i);

/* ---- timing model ------------------------------------------------------------------------ */
/* The constants of the cycle estimate (isa/ISA.md "Timing"), all in core clock cycles. They are
 * the one place to calibrate against the RTL; fsim_timing_default() documents each default.
 * The estimate never changes results of race-free programs, only cycle counts and, for racy
 * programs, the order in which units act. */
typedef struct fsim_timing {
  unsigned rd_latency;     /* DRAM read request to first beat (config dram_rd_latency) */
  unsigned wr_latency;     /* last write beat to write response (config dram_wr_latency) */
  unsigned bytes_per_beat; /* memory port width in bytes (config axi_bits / 8) */
  unsigned fetch_burst;    /* instructions fetched per DRAM burst (one rd_latency per burst) */
  unsigned insn_overhead;  /* dispatch/decode cycles of every instruction in its unit */
  unsigned pad_cycles;     /* cycles per pad element written by a LOAD */
  unsigned gemm_fill;      /* GEMM pipeline fill + drain per instruction with iterations */
  unsigned alu_fill;       /* ALU pipeline fill + drain per instruction with iterations */
  unsigned finish_cycles;  /* FINISH's own cycles */
} fsim_timing;

/* The defaults for a config. */
void fsim_timing_default(const isa_config *cfg, fsim_timing *t);
/* Replace the timing constants of s (copied); the next fsim_run uses them. */
void fsim_set_timing(fsim *s, const fsim_timing *t);

#endif
