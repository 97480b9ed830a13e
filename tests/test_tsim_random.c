/* tests/test_tsim_random.c -- the random cross-check: programs from progen (random, valid,
 * race-free) run on the Verilated RTL (tsim) and on fsim, each under its own random DRAM profile
 * (read and write latency, bandwidth, back-pressure on every AXI channel: xc_dram_draw), compared
 * byte for byte over the whole data image, with status, error and every timing-free counter; and
 * fsim's cycle estimate, given the same profile, is held to the RTL's count per suite (one config):
 * the total within CYCLES_TOTAL_TOL, the mean per program within CYCLES_MEAN_TOL, every program
 * within CYCLES_WORST_TOL.
 *
 *   test_tsim_random [-n programs per config] [-s first seed] [-big] [-dram default] [-v] [config...]
 *
 * Defaults: 500 programs on each of tiny, pynq (64-bit AXI) and ultra96 (128-bit AXI), progen's
 * default (small) options; -big uses longer loops, more micro-ops and larger tiles; -dram
 * default runs every program on the config's default DRAM (no back-pressure). A failure names
 * the config and seed (rerun it with -s SEED -n 1 CONFIG) and the DRAM profile, the STORE
 * instruction and element of the first differing byte, or the counter with both values. -v
 * prints every program's cycles and profile (to re-check the bounds below).
 */
#include <time.h>

#include "progen.h"
#include "testutil.h"
#include "tsim_xcheck.h"

/* Bounds on fsim's cycle estimate against the RTL's, |fsim - tsim| / tsim with the same DRAM
 * profile on both: the total of a suite (one config), the mean over its programs, and its worst
 * program. Measured on 2026-12-02 (random DRAM, the default seeds; -v lists every program):
 *
 *   suite              total    mean    p50    p90    p99    max
 *   tiny, 500         -1.14 %   1.67   1.24   3.75   7.02  10.56 %
 *   pynq, 500         -1.49 %   1.63   1.41   3.48   5.19   6.04 %
 *   ultra96, 500      -0.35 %   1.02   0.81   2.15   3.48   7.47 %
 *   tiny acc2, 300    +0.08 %   1.55   1.00   3.45   7.56   9.49 %
 *   -big, 150 each    -0.99 / -1.36 / -0.72 % (tiny / pynq / ultra96), max 6.25 % (2026-11-21)
 *
 * How much they see: fsim's LOADs 3 cycles shorter (rd_overhead 3 for 6) give tiny -3.2 % total
 * and 4.3 % mean, pynq -2.3 % and 2.5 %; 3 cycles longer give tiny 2.6 % mean. Re-check after
 * recalibrating fsim (fsim_timing_default).
 *
 * 2026-12-04, fsim's rd_shift (a LOAD's burst granted before bursts booked earlier delays them
 * and their LOAD), the same seeds:
 *
 *   suite              total    mean    p50    p90    p99    max
 *   tiny, 500         -0.43 %   1.19   0.86   2.90   5.59   7.48 %   (before: -0.81, 1.57, max 9.31)
 *   pynq, 500         -0.15 %   0.90   0.69   1.95   4.03   4.67 %   (-1.62, 1.99, max 8.17)
 *   ultra96, 500      +0.02 %   1.02   0.78   2.03   4.22   4.92 %   (-1.27, 1.59, max 7.16)
 *   tiny acc2, 300    +0.56 %   1.68   1.25   3.56   6.61   8.08 %   (+0.23, 1.71, max 7.27)
 *   -big, 150 each    -0.61 / -0.22 / +0.23 %, mean 0.77 / 0.88 / 1.34 %, max 5.42 %
 *                     (before -0.89 / -1.63 / -1.29 %, mean 1.11 / 1.88 / 1.44 %, max 7.15 %)
 *   tiny, 2000 (-s 100000)  -0.41 %, mean 1.18 %, p99 5.70 %, max 10.06 %
 *
 * so the total and mean bounds are 2 %; the worst program keeps its 15 % (tiny's tail). */
#define CYCLES_TOTAL_TOL 0.02
#define CYCLES_MEAN_TOL 0.02
#define CYCLES_WORST_TOL 0.15

int main(int argc, char **argv) {
  uint64_t n = 500, seed0 = 1;
  int big = 0, random_dram = 1, verbose = 0;
  const char *cfgs[8];
  int ncfg = 0;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "-n") && i + 1 < argc) n = strtoull(argv[++i], NULL, 0);
    else if (!strcmp(argv[i], "-s") && i + 1 < argc) seed0 = strtoull(argv[++i], NULL, 0);
    else if (!strcmp(argv[i], "-big")) big = 1;
    else if (!strcmp(argv[i], "-v")) verbose = 1;
    else if (!strcmp(argv[i], "-dram") && i + 1 < argc && !strcmp(argv[i + 1], "default")) random_dram = 0, i++;
    else if (argv[i][0] == '-') {
      printf("FAIL usage: test_tsim_random [-n N] [-s SEED] [-big] [-dram default] [-v] [config...]\n");
      return 2;
    } else if (ncfg < 8) cfgs[ncfg++] = argv[i];
  }
  if (!ncfg) {
    cfgs[ncfg++] = "tiny";
    cfgs[ncfg++] = "pynq";
    cfgs[ncfg++] = "ultra96";
  }
  for (int c = 0; c < ncfg; c++) {
    xc x;
    if (xc_open(&x, cfgs[c], NULL) != 0) {
      tu_fail++;
      continue;
    }
    progen_opts o;
    progen_opts_default(&o);
    if (big) {
      o.max_insns = 600;
      o.max_loop = 8;
      o.max_uops = 8;
      o.max_rows = 8;
      o.max_cols = 12;
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    uint64_t fails = 0;
    for (uint64_t s = seed0; s < seed0 + n; s++) {
      isa_prog p;
      if (progen_make(x.cfg, s, &o, &p) != 0) {
        printf("FAIL %s seed %" PRIu64 ": progen_make failed\n", cfgs[c], s);
        tu_fail++;
        continue;
      }
      tsim_opts dram;
      if (random_dram) xc_dram_draw(x.cfg, s, &dram);
      else memset(&dram, 0, sizeof dram);
      if (xc_set_dram(&x, &dram) != 0) {
        tu_fail++;
        isa_prog_free(&p);
        break;
      }
      char tag[64];
      snprintf(tag, sizeof tag, "%s random", cfgs[c]);
      if (!xc_run(&x, tag, s, p.insns, p.n_insns, p.image, p.image_bytes)) fails++;
      if (verbose) {
        char d[400];
        xc_dram_describe(x.cfg, &dram, d, sizeof d);
        uint64_t f = x.last_f.cycles, t = x.last_t.cycles;
        printf("%s seed %" PRIu64 ": cycles fsim %" PRIu64 " tsim %" PRIu64 " (%+.2f%%); %s\n", cfgs[c], s,
               f, t, t ? 100.0 * ((double)f - (double)t) / (double)t : 0.0, d);
      }
      isa_prog_free(&p);
      if (fails >= 10) {
        printf("FAIL %s: stopping after 10 failing programs\n", cfgs[c]);
        break;
      }
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    uint64_t cyc = x.api.cycles(x.ts);
    const char *variant = getenv("DLVTA_TSIM_VARIANT");
    char name[64];
    snprintf(name, sizeof name, "%s%s%s", cfgs[c], variant && *variant ? " " : "",
             variant && *variant ? variant : "");
    printf("%s: %" PRIu64 " programs in %.1f s (%.0f RTL cycles/s incl. fsim), %s DRAM\n", name,
           x.runs, secs, (double)cyc / secs, random_dram ? "random" : "default");
    xc_timing_check(&x, name, CYCLES_TOTAL_TOL, CYCLES_MEAN_TOL, CYCLES_WORST_TOL);
    xc_close(&x);
  }
  return TEST_END();
}
