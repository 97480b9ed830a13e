/* sim/fsim/fsim.h -- fsim, the functional golden model of the dlvta accelerator.
 *
 * Executes a program against a set of DRAM regions bit-exactly as the RTL does (isa/ISA.md),
 * enforcing the token protocol with the three units progressing independently, checking every
 * SRAM and DRAM access, and estimating cycles with a timing model of the units overlapping.
 * The on-chip buffers persist across runs of one fsim (as the hardware's do); fsim_create
 * zeroes them.
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
 * bytes (elem_bytes of that memory; ACC lanes as little-endian int32). NULL if out of range. */
uint8_t *fsim_sram(fsim *s, int mem, uint32_t i);

#endif
