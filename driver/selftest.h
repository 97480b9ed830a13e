/* driver/selftest.h -- the device self-test (`dlvta selftest`, the first command after flashing a
 * board): directed programs with results computed in plain C from isa/ISA.md -- every instruction
 * kind and ALU operation (register and immediate operand), every on-chip memory, padding on the
 * load and the compute unit, the four token queues, an SRAM range error and an illegal
 * instruction reported with their instruction index, a deadlock reported (a board: timeout, then
 * the driver's CTRL.abort) after which the same open device computes correctly again. One line
 * per check ("PASS  name  counters" or "FAIL  name  counters" and why), then a summary line. */
#ifndef DLVTA_SELFTEST_H
#define DLVTA_SELFTEST_H

#include <stdint.h>
#include <stdio.h>

#include "dlvta_drv.h"

typedef struct selftest_opts {
  uint32_t timeout_ms; /* per program (0: 10000); the deadlock check waits at most 500 ms */
  uint64_t seed;       /* of the data (0: a fixed default) */
  int verbose;         /* also print the messages of the checks that passed */
} selftest_opts;

/* Run every check on dev, printing to out. Returns the number of checks passed if all passed,
 * else minus the number that failed. */
int selftest_run(drv_dev *dev, const selftest_opts *opts, FILE *out);

/* The summary line: "selftest: N checks, P passed, F failed: PASS|FAIL". */
void selftest_report(FILE *out, int passed, int failed);

#endif
