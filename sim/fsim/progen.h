/* sim/fsim/progen.h -- progen, the random program generator: valid, race-free dlvta programs for
 * any config from a seed, for fsim's tests and the RTL-vs-fsim cross-check.
 *
 * A program is a load -> compute -> store pipeline of tiles over one or two halves of every
 * buffer (double buffering), with the VTA token pattern (RAW tokens forward, WAR tokens back)
 * and the three units' instructions merged in a random order that keeps every pop after its
 * push. It exercises LOADs of every memory with random shapes, strides and padding (pad_value
 * too), STOREs, GEMMs with random loop extents, factors, micro-op ranges and reset, every ALU op
 * in both operand modes (REQ with realistic and extreme multipliers and shifts; LUT after a
 * whole-table LOAD LUT, with partial reloads of the table later), and FINISH.
 *
 * Guarantees, for every seed: every index is in range; every SRAM element the program reads was
 * written earlier by the same program (so results never depend on earlier runs); every pair of
 * accesses to one SRAM element from different units, one a write, is ordered by tokens (so every
 * timing gives the same result); STOREs write only their own zeroed output areas, which no LOAD
 * reads. The same (config, seed, opts) always gives the same program.
 */
#ifndef DLVTA_PROGEN_H
#define DLVTA_PROGEN_H

#include <stddef.h>
#include <stdint.h>

#include "dlvta_dev.h"
#include "isa.h"

/* The most instructions a generated program may have (a 16 MB program; random programs are for
 * testing, and their RAM use grows with the count). */
#define PROGEN_MAX_INSNS 1000000u

typedef struct progen_opts {
  uint32_t max_insns; /* instructions in the program, FINISH included (8..PROGEN_MAX_INSNS); default 200 */
  uint32_t max_loop;  /* GEMM/ALU loop_out and loop_in at most this (>= 1); default 4 */
  uint32_t max_uops;  /* micro-ops per GEMM/ALU (>= 1); default 4 */
  uint32_t max_rows;  /* LOAD/STORE y_size at most this (>= 1); default 4 */
  uint32_t max_cols;  /* LOAD/STORE x_size at most this (>= 1); default 6 */
  uint32_t region;    /* elements of each buffer half a program uses (>= 8); default 48 */
  /* Restrictions, for bringing up a partial RTL (0: everything): */
  uint32_t alu_ops;   /* bit set of ALU ops to use, (1 << ISA_ALU_x); 0: all */
  uint32_t flags;     /* PROGEN_F_* features to leave out */
} progen_opts;

enum {
  PROGEN_F_NO_PAD = 1,     /* LOADs without padding */
  PROGEN_F_NO_GEMM = 2,    /* no GEMM (accumulators are initialised by LOADs) */
  PROGEN_F_NO_ALU = 4,     /* no ALU */
  PROGEN_F_ONE_BUFFER = 8, /* no double buffering: every tile uses the same halves */
  PROGEN_F_NO_DWGEMM = 16, /* GEMMs are never DWGEMMs */
};

/* Default options (small programs that simulate fast on RTL). */
void progen_opts_default(progen_opts *o);

/* Make a program for cfg from seed (opts NULL: defaults). On success returns 0 and fills *out
 * (free with isa_prog_free): instructions with image-relative DRAM addresses and a data image
 * with random inputs, micro-ops, weights, accumulator data and zeroed output areas. Returns -1
 * if out of memory or opts are out of range. */
int progen_make(const isa_config *cfg, uint64_t seed, const progen_opts *opts, isa_prog *out);

/* The expected result of a program: runs it on a fresh fsim. image_out (p->image_bytes bytes)
 * receives the final data image; ctr and err may be NULL. Returns fsim_run_prog's status. */
int progen_expect(const isa_prog *p, uint8_t *image_out, drv_counters *ctr, drv_error *err);

/* Compare a device's final image `got` with the expected one (both p->image_bytes bytes).
 * Returns 0 if equal; else 1 and writes into msg the first differing byte, the STORE that wrote
 * it last (index and disassembly, with image-relative addresses), the output element and lane
 * and the expected and actual values. For the RTL-vs-fsim cross-check. */
int progen_diff(const isa_prog *p, const uint8_t *expect, const uint8_t *got, char *msg, size_t n);

#endif
