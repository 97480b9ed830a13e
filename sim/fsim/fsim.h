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

#include "dlvta_dev.h"
#include "isa.h"

typedef struct fsim fsim;

fsim *fsim_create(const isa_config *cfg); /* NULL if out of memory */
void fsim_destroy(fsim *s);

/* Run `count` instructions read from DRAM at insn_addr (inside one of the regions). Returns
 * DRV_OK, or DRV_E_EXEC with *err filled (kind, instruction index, message naming the
 * instruction's disassembly). Counters are filled in both cases. Never touches memory outside
 * the regions.
 *   - Fetch reads ahead in order into per-unit queues; an instruction that does not decode (or
 *     lies outside the regions) is reported when fetch reaches it, so an error of an earlier
 *     instruction that executes later in the timing model may be reported instead.
 *   - SRAM/DRAM range errors are checked before an instruction has any effect. A DRAM access is
 *     in range when every 4 KiB page it touches lies in a DRAM window (fsim_set_windows: by
 *     default those covering the regions, as the drivers program the hardware) and its bytes lie
 *     in one region.
 *   - When nothing can act: no FINISH if fetch ran out of instructions before a FINISH (kind
 *     DRV_ERR_NO_FINISH, index -1), else DRV_ERR_DEADLOCK (index: the lowest waiting one); both
 *     messages list each unit's waiting instruction and what it waits for, and fetch's state.
 *   - Environment FSIM_TRACE (any value): one line per executed instruction on stderr (unit,
 *     index, start and end cycle; FSIM_TRACE=2: and its disassembly). Environment FSIM_SIMD=scalar, sse2 or avx2 at fsim_create:
 *     kernels no wider than that (default: the CPU's best; every kernel gives the same bits). */
int fsim_run(fsim *s, const drv_region *regions, int n_regions, uint64_t insn_addr, uint32_t count,
             drv_counters *ctr, drv_error *err);

/* The DRAM windows of the following runs (isa/regs.def WINn_BASE / WINn_LIMIT; drv_window in
 * dlvta_dev.h): a LOAD/STORE row or an instruction fetch that touches a page outside them stops
 * the run with DRV_ERR_DRAM_RANGE at that instruction, as the RTL refuses the burst. n < 0 (the
 * default): at each run, the windows that cover its regions (drv_windows_cover). DRV_OK, or
 * DRV_E_ARG if n > DLVTA_REGS_WIN_COUNT (nothing changed). */
int fsim_set_windows(fsim *s, const drv_window *w, int n);

/* Call fn(ctx, event) after every instruction fsim_run executes (unit, start and end cycle,
 * cycles waiting for tokens; drv_insn_event in dlvta_dev.h), in execution order, with its
 * effects on the buffers and DRAM already made (fsim_sram shows them). NULL fn: no calls (the
 * default; the normal path then only tests the pointer). */
void fsim_set_trace(fsim *s, drv_trace_fn fn, void *ctx);

/* Direct access to the on-chip buffers, for tests: element i of memory mem (ISA_MEM_*) as raw
 * bytes (elem_bytes of that memory; ACC lanes as little-endian int32; ACC8 names the
 * accumulator too, as ACC). NULL if out of range. */
uint8_t *fsim_sram(fsim *s, int mem, uint32_t i);

/* Run a program image (isa_prog: image-relative DRAM addresses) on s: places `image` (the
 * caller's copy of p->image_bytes bytes, updated in place with the program's writes) at device
 * address FSIM_PROG_IMAGE_ADDR and the relocated instructions in a region after it, then runs
 * all p->n_insns instructions. Returns fsim_run's status, DRV_E_ARG if the program does not
 * relocate (err says which instruction) or DRV_E_NOMEM. */
#define FSIM_PROG_IMAGE_ADDR 0x100000u
int fsim_run_prog(fsim *s, const isa_prog *p, uint8_t *image, drv_counters *ctr, drv_error *err);

/* ---- timing model ------------------------------------------------------------------------ */
/* The constants of the cycle estimate (isa/ISA.md "Timing"), all in core clock cycles. They are
 * the one place to calibrate against the RTL; fsim_timing_default() documents each default.
 * The estimate never changes results of race-free programs, only cycle counts and, for racy
 * programs, the order in which units act. The model (B = bytes_per_beat):
 *   read channel  fetch and the LOADs of both units share it: each AXI burst (at most 16
 *             beats, never across 4 KiB; at most rd_bursts in flight, the next waiting for the
 *             oldest's last beat) has its address wait rd_addr_wait_q8 / 256, and its data
 *             rd_latency later books its cycles, D(beats) = beats * rd_beat_q8 / 256, in the
 *             channel's earliest free cycles. The write channel serves the STOREs (wr_*).
 *   fetch     bursts of fetch_burst instructions (ceil(16 / B) beats each) from start_overhead
 *             on, an address a cycle, while at most fetch_buffer - fetch_burst - 1 instructions
 *             are requested and not yet delivered (a delivery's room is seen two cycles after
 *             it: the RTL registers its room test); instruction k is delivered fetch_overhead
 *             after its data, a cycle after instruction k - 1, once its unit's queue has room.
 *   start     max(unit free, arrival, arrival of each popped token, pop that made room for each
 *             pushed token); pushed tokens arrive at the instruction's end.
 *   LOAD      insn_overhead + ld_check + (no DRAM data ? ld_nodata (twice with pads) +
 *             pad_cycles * pads : rd_overhead + the walk): the
 *             walk writes the padded block in order, one element a cycle, pads at once (leading
 *             ones overlap the latency), a row's elements not before its data; rows after the
 *             first take a cycle of set-up, bursts an address cycle each; a row's data is not
 *             handed over before the walk gets to it (elements of a beat or more: up to an
 *             element's beats before, once the walk took the previous row's last element, as
 *             the DMA assembles one element ahead); elements smaller than a beat are taken
 *             one a cycle, holding the channel, each beat waiting rd_beat_wait_q8 more; beats
 *             are the whole beats of B bytes covering each row (BYTES_READ counts them);
 *             row_gap holds the channel after every row but the last. With two read ports
 *             (config rd_ports), a load-unit LOAD of elements of at least 32 beats sends every
 *             other 16-beat burst to the second port, whose data is booked on a channel of
 *             its own, rd_latency after its address slot (BYTES_READ1 counts them).
 *   STORE     insn_overhead + st_check + (rows ? wr_overhead + the rows on the write channel +
 *             wr_latency : 0): a row's beats follow its first address (rows and bursts issued as a LOAD's,
 *             wr_addr_wait_q8), D(beats) at wr_beat_q8 and at least a cycle per element;
 *             elements smaller than a beat are packed one a cycle and each beat takes one more
 *             plus wr_beat_wait_q8.
 *   GEMM/ALU  insn_overhead + (iterations ? fill + span : 0). GEMM: span = iterations, one
 *             per cycle. ALU: iteration k issues one cycle after k-1, but not before
 *             alu_raw_dist cycles (alu_raw_dist_src for an op that reads acc[src] with one
 *             accumulator copy) after an earlier iteration of the instruction that wrote an
 *             element it reads (acc[dst] unless MOV; acc[src] if it reads it); with one copy
 *             an op that reads acc[src] (use_imm = 0, or REQ) adds alu_src_fill, and an
 *             iteration whose source element misses the RTL's source cache (a direct-mapped
 *             cache of min(32, acc_depth / 2) elements that accumulator writes invalidate, reset
 *             at every run) waits src_miss_cycles more when it would issue right behind the
 *             previous one and reads acc[dst] (not MOV); span = last issue + 1.
 *   FINISH    finish_cycles.   cycles = the last unit's end. */
typedef struct fsim_timing {
  unsigned rd_latency;     /* DRAM read request to first beat (config dram_rd_latency) */
  unsigned wr_latency;     /* last write beat to write response (config dram_wr_latency) */
  unsigned bytes_per_beat; /* memory port width in bytes (config axi_bits / 8) */
  unsigned fetch_burst;    /* instructions per fetch burst (the RTL's 16 beats: B of them) */
  unsigned fetch_buffer;   /* instructions the fetch buffer holds (RTL: 32) */
  unsigned fetch_overhead; /* cycles from an instruction's data in the buffer to its delivery */
  unsigned start_overhead; /* cycles from the start to fetch's first address */
  unsigned rd_bursts;      /* read bursts in flight at most (rtl/dlvta_axi_rd.v: 8; max 64) */
  unsigned row_gap;        /* LOAD/STORE: idle cycles between the bursts of consecutive rows
                              (0: row requests pipelined; rd_latency for a non-pipelined DMA) */
  unsigned rd_beat_q8;     /* mean cycles per read data beat, in 1/256 cycle: 256 = one beat per
                              cycle (the default, tsim's default DRAM); a DRAM of fewer bytes per
                              cycle than a beat, or back-pressure, makes it more (0: 256) */
  unsigned wr_beat_q8;     /* the same for write data beats */
  unsigned rd_beat_wait_q8; /* mean wait of a read beat taken at the consumer's pace (elements
                               smaller than a beat) for the DRAM's back-pressure, 1/256 cycle */
  unsigned wr_beat_wait_q8; /* the same for a write beat offered at the packer's pace */
  unsigned rd_addr_wait_q8; /* mean wait of a read burst address (AR) for back-pressure, 1/256 */
  unsigned wr_addr_wait_q8; /* the same for a write burst address (AW) */
  unsigned insn_overhead;  /* dispatch/decode cycles of every instruction in its unit */
  unsigned rd_overhead;    /* LOAD with DRAM data: DMA cycles on top of insn_overhead, rd_latency */
  unsigned wr_overhead;    /* STORE with DRAM data: DMA cycles on top of insn_overhead, wr_latency */
  unsigned ld_check;       /* LOAD: cycles of the block's range check before any data */
  unsigned st_check;       /* STORE: cycles of the block size's register before its check */
  unsigned pad_cycles;     /* cycles per pad element written by a LOAD */
  unsigned ld_nodata;      /* LOAD without DRAM data: the walk's cycle that sizes the block, and
                              one more to drain after pads (rtl/dlvta_ldwalk.v S_PROD, S_DRAIN) */
  unsigned gemm_fill;      /* GEMM pipeline fill + drain per instruction with iterations */
  unsigned alu_fill;       /* ALU pipeline fill + drain per instruction with iterations */
  unsigned alu_src_fill;   /* extra fill of an ALU op that reads acc[src] */
  unsigned src_miss_cycles; /* extra cycles of an ALU iteration reading a new acc[src] element */
  unsigned alu_raw_dist;   /* ALU: least cycles between an iteration and one reading its dst */
  unsigned alu_raw_dist_src; /* the same for an op that reads acc[src] with one accumulator copy */
  unsigned finish_cycles;  /* FINISH's own cycles */
} fsim_timing;

/* The defaults for a config. */
void fsim_timing_default(const isa_config *cfg, fsim_timing *t);
/* Replace the timing constants of s (copied); the next fsim_run uses them. */
void fsim_set_timing(fsim *s, const fsim_timing *t);

#endif
