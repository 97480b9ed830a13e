/* tests/test_tsim_random.c -- the random cross-check: programs from progen (random, valid,
 * race-free) run on the Verilated RTL (tsim) and on fsim, compared byte for byte over the whole
 * data image, with status, error and instruction counters; also reports how far fsim's cycle
 * estimate is from the RTL's count.
 *
 *   test_tsim_random [-n programs per config] [-s first seed] [-big] [config...]
 *
 * Defaults: 500 programs on each of tiny and pynq, progen's default (small) options; -big uses
 * longer loops, more micro-ops and larger tiles. A failure names the config and seed (rerun it
 * with -s SEED -n 1 CONFIG), the STORE instruction and element of the first differing byte.
 */
#include <time.h>

#include "progen.h"
#include "tsim_xcheck.h"

int main(int argc, char **argv) {
  uint64_t n = 500, seed0 = 1;
  int big = 0;
  const char *cfgs[8];
  int ncfg = 0;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "-n") && i + 1 < argc) n = strtoull(argv[++i], NULL, 0);
    else if (!strcmp(argv[i], "-s") && i + 1 < argc) seed0 = strtoull(argv[++i], NULL, 0);
    else if (!strcmp(argv[i], "-big")) big = 1;
    else if (ncfg < 8) cfgs[ncfg++] = argv[i];
  }
  if (!ncfg) {
    cfgs[ncfg++] = "tiny";
    cfgs[ncfg++] = "pynq";
  }
  for (int c = 0; c < ncfg; c++) {
    xc x;
    if (xc_open(&x, cfgs[c], NULL) != 0) {
      t_fail++;
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
        t_fail++;
        continue;
      }
      char tag[64];
      snprintf(tag, sizeof tag, "%s random", cfgs[c]);
      if (!xc_run(&x, tag, s, p.insns, p.n_insns, p.image, p.image_bytes)) fails++;
      isa_prog_free(&p);
      if (fails >= 10) {
        printf("FAIL %s: stopping after 10 failing programs\n", cfgs[c]);
        break;
      }
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    uint64_t cyc = x.api.cycles(x.ts);
    printf("%s: %" PRIu64 " programs in %.1f s (%.0f RTL cycles/s incl. fsim); fsim estimate vs RTL: "
           "total %" PRIu64 " / %" PRIu64 " cycles (%+.1f%%), mean |error| per program %.1f%%\n",
           cfgs[c], x.runs, secs, (double)cyc / secs, x.f_cycles, x.t_cycles,
           x.t_cycles ? 100.0 * ((double)x.f_cycles - (double)x.t_cycles) / (double)x.t_cycles : 0.0,
           x.n_timed ? 100.0 * x.sum_abs_rel / (double)x.n_timed : 0.0);
    xc_close(&x);
  }
  return TEST_END();
}
