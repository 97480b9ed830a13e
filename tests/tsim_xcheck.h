/* tests/tsim_xcheck.h -- for the RTL tests: runs one program (instructions with image-relative
 * DRAM addresses plus a data image) on fsim, the golden model, and on tsim, the Verilated RTL,
 * with the same regions, and compares status, error kind and instruction index, every byte of
 * the final data image and every counter that does not depend on timing. A mismatch prints the
 * tag and seed, the first differing byte with the STORE instruction (index and disassembly) and
 * element/lane that wrote it, the differing counters with both values, and both error messages.
 * It also draws random DRAM profiles (latencies, bandwidth, back-pressure) for tsim with the
 * matching fsim timing, and checks fsim's cycle estimate against the RTL's count within bounds.
 * Header-only: static functions every includer uses, static inline the others. Results are
 * counted with the includer's CHECK(cond, fmt, ...) (a test harness's, e.g. tests/testutil.h,
 * included first): this header does not include a test header itself.
 */
#ifndef DLVTA_TSIM_XCHECK_H
#define DLVTA_TSIM_XCHECK_H

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dlvta_drv.h"
#include "fsim.h"
#include "isa.h"
#include "tsim.h"

#ifndef CHECK
#error "tsim_xcheck.h counts results with the includer's CHECK(cond, fmt, ...): include the harness first"
#endif

#define XC_IMAGE_ADDR 0x10000000ull

typedef struct xc {
  const isa_config *cfg;
  isa_config rtl_cfg;           /* cfg as the loaded RTL has it (variant acc2: acc_copies 2) */
  tsim_api api;
  tsim *ts;
  fsim *fs;
  uint64_t runs;
  uint64_t f_cycles, t_cycles;  /* sums over successful runs, for the timing report */
  double sum_abs_rel;           /* sum of |fsim - tsim| / tsim over successful runs */
  uint64_t n_timed;
  struct xc_rel { double rel; uint64_t seed; } *rel; /* [n_timed] (fsim - tsim) / tsim and seed
                                                         of each successful run */
  uint64_t cap_rel;
  tsim_opts dram;               /* the DRAM profile of the next runs (xc_set_dram) */
  drv_counters last_f, last_t;  /* counters of the last run: fsim, tsim */
} xc;

static int xc_set_dram(struct xc *x, const tsim_opts *o);

/* Loads libtsim.so of config and creates both simulators, with the DRAM model of opts (NULL:
 * the config's defaults) and fsim's timing to match; 0 or -1 (message printed). */
static int xc_open(xc *x, const char *config, const tsim_opts *opts) {
  memset(x, 0, sizeof *x);
  x->cfg = isa_config_find(config);
  if (!x->cfg) {
    printf("FAIL unknown config %s\n", config);
    return -1;
  }
  char err[1200];
  tsim_opts o = {0};
  if (opts) o = *opts;
  if (!o.trace && getenv("TSIM_TRACE_FILE")) o.trace = getenv("TSIM_TRACE_FILE");
  if (getenv("XC_RDLAT")) { o.rd_latency = atoi(getenv("XC_RDLAT")); o.wr_latency = atoi(getenv("XC_WRLAT")); }
  opts = &o;
  if (tsim_api_load(config, opts && opts->trace, &x->api, err, sizeof err) != 0) {
    printf("FAIL %s\n", err);
    return -1;
  }
  x->ts = x->api.create(opts, err, sizeof err);
  if (!x->ts) {
    printf("FAIL tsim_create(%s): %s\n", config, err);
    return -1;
  }
  x->fs = fsim_create(x->cfg);
  if (!x->fs) return -1;
  x->rtl_cfg = *x->cfg;
  const char *variant = getenv("DLVTA_TSIM_VARIANT");
  if (variant && !strcmp(variant, "acc2")) x->rtl_cfg.d.acc_copies = 2; /* sim/tsim/tsim.mk */
  return xc_set_dram(x, &o);
}

static void xc_close(xc *x) {
  if (x->ts) x->api.destroy(x->ts);
  if (x->fs) fsim_destroy(x->fs);
  tsim_api_unload(&x->api);
  free(x->rel);
}

/* ---- DRAM profiles -------------------------------------------------------------------------- */

static uint64_t xc_mix(uint64_t *s) { /* splitmix64 */
  uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}
static unsigned xc_pick(uint64_t *s, unsigned lo, unsigned hi) {
  return lo + (unsigned)(xc_mix(s) % (hi - lo + 1));
}

/* A random DRAM profile for tsim, a function of cfg and seed alone. One program in 8 gets the
 * config's defaults (tsim.h); the others: read latency 1-16 (1/4), 16-100 (1/2) or 100-300
 * cycles (1/4); write latency 1-8, 8-64 or 64-150 likewise; half of them a bandwidth below
 * one beat per cycle (a quarter of a beat and up); and on each AXI channel, two times in three,
 * stalls starting with probability 0.1-25 % in runs of up to 1-12 cycles. */
static inline void xc_dram_draw(const isa_config *cfg, uint64_t seed, tsim_opts *o) {
  uint64_t s = seed * 0x2545f4914f6cdd1dull ^ 0xd1a3;
  memset(o, 0, sizeof *o);
  if (xc_pick(&s, 0, 7) == 0) return;
  unsigned k = xc_pick(&s, 0, 3), beat = cfg->d.axi_bits / 8;
  o->rd_latency = k == 0 ? xc_pick(&s, 1, 16) : k == 3 ? xc_pick(&s, 100, 300) : xc_pick(&s, 16, 100);
  k = xc_pick(&s, 0, 3);
  o->wr_latency = k == 0 ? xc_pick(&s, 1, 8) : k == 3 ? xc_pick(&s, 64, 150) : xc_pick(&s, 8, 64);
  o->bytes_per_cycle = xc_pick(&s, 0, 1) ? beat : xc_pick(&s, beat / 4 ? beat / 4 : 1, beat - 1);
  for (int c = 0; c < TSIM_CHANNELS; c++) {
    if (xc_pick(&s, 0, 2) == 0) continue;
    o->stall_permille[c] = xc_pick(&s, 1, 250);
    o->stall_run[c] = xc_pick(&s, 1, 12);
  }
  o->stall_seed = xc_mix(&s);
}

/* One line describing profile o, for messages. */
static void xc_dram_describe(const isa_config *cfg, const tsim_opts *o, char *buf, size_t n) {
  static const char *const ch[TSIM_CHANNELS] = {"AR", "R", "AW", "W", "B"};
  int k = snprintf(buf, n, "DRAM rd_latency %u wr_latency %u bytes/cycle %u",
                   o->rd_latency ? o->rd_latency : cfg->d.dram_rd_latency,
                   o->wr_latency ? o->wr_latency : cfg->d.dram_wr_latency,
                   o->bytes_per_cycle ? o->bytes_per_cycle : cfg->d.axi_bits / 8);
  for (int c = 0; c < TSIM_CHANNELS && k > 0 && (size_t)k < n; c++)
    if (o->stall_permille[c])
      k += snprintf(buf + k, n - (size_t)k, ", %s stalls %u/1000 up to %u", ch[c],
                    o->stall_permille[c], o->stall_run[c] ? o->stall_run[c] : 1);
}

/* fsim's timing for tsim's DRAM profile o: the defaults of the RTL's config with the profile's
 * latencies and the mean effects of its bandwidth and stalls (tsim.h): an address (AR, AW) and
 * a read's first beat and a write's response (R, B) wait tsim_stall_wait on top; a data beat
 * of a stream costs tsim_stream_cycles at full pace, and a beat at a narrow element's pace
 * (two elements a beat, plus a cycle to offer it when writing) its extra wait. */
static void xc_fsim_timing(const xc *x, const tsim_opts *o, fsim_timing *tm) {
  fsim_timing_default(&x->rtl_cfg, tm);
  const unsigned *pm = o->stall_permille, *run = o->stall_run;
  unsigned beat = x->cfg->d.axi_bits / 8, bpc = o->bytes_per_cycle;
  double rd = o->rd_latency ? o->rd_latency : x->cfg->d.dram_rd_latency;
  double wr = o->wr_latency ? o->wr_latency : x->cfg->d.dram_wr_latency;
  tm->rd_latency = (unsigned)(rd + tsim_stall_wait(pm[TSIM_CH_R], run[TSIM_CH_R]) + 0.5);
  tm->wr_latency = (unsigned)(wr + tsim_stall_wait(pm[TSIM_CH_B], run[TSIM_CH_B]) + 0.5);
  tm->rd_addr_wait_q8 = (unsigned)(256 * tsim_stall_wait(pm[TSIM_CH_AR], run[TSIM_CH_AR]) + 0.5);
  tm->wr_addr_wait_q8 = (unsigned)(256 * tsim_stall_wait(pm[TSIM_CH_AW], run[TSIM_CH_AW]) + 0.5);
  enum { N = 1 << 15 };
  double r1 = tsim_stream_cycles(0, beat, bpc, pm[TSIM_CH_R], run[TSIM_CH_R], 1, N);
  double r2 = tsim_stream_cycles(0, beat, bpc, pm[TSIM_CH_R], run[TSIM_CH_R], 2, N);
  double w1 = tsim_stream_cycles(1, beat, bpc, pm[TSIM_CH_W], run[TSIM_CH_W], 1, N);
  double w3 = tsim_stream_cycles(1, beat, bpc, pm[TSIM_CH_W], run[TSIM_CH_W], 3, N);
  tm->rd_beat_q8 = (unsigned)(256 * r1 + 0.5);
  tm->wr_beat_q8 = (unsigned)(256 * w1 + 0.5);
  tm->rd_beat_wait_q8 = (unsigned)(256 * (r2 - 2) + 0.5);
  tm->wr_beat_wait_q8 = (unsigned)(256 * (w3 - 3) + 0.5);
}

/* Profile o on both simulators for the next runs; 0, or -1 with a FAIL line. */
static int xc_set_dram(xc *x, const tsim_opts *o) {
  if (x->api.set_dram(x->ts, o) != DRV_OK) {
    printf("FAIL tsim_set_dram refused the profile\n");
    return -1;
  }
  fsim_timing tm;
  xc_fsim_timing(x, o, &tm);
  fsim_set_timing(x->fs, &tm);
  x->dram = *o;
  return 0;
}

/* The STORE among w[0..n) that last wrote image byte `off` (relocated addresses), or -1. */
static long xc_writer(const xc *x, const isa_word *w, uint32_t n, uint64_t off, uint64_t *elem,
                      unsigned *lane) {
  long found = -1;
  for (uint32_t i = 0; i < n; i++) {
    isa_insn in;
    if (isa_decode(x->cfg, &w[i], &in) != ISA_OK || in.f[ISA_F_opcode] != ISA_OP_STORE) continue;
    uint64_t eb = x->cfg->elem_bytes[ISA_MEM_OUT];
    uint64_t a = XC_IMAGE_ADDR + off;
    for (uint64_t r = 0; r < in.f[ISA_F_y_size]; r++) {
      uint64_t s = ((uint64_t)in.f[ISA_F_dram] + r * in.f[ISA_F_x_stride]) * eb;
      uint64_t e = s + (uint64_t)in.f[ISA_F_x_size] * eb;
      if (a >= s && a < e) {
        found = (long)i;
        *elem = r * in.f[ISA_F_x_size] + (a - s) / eb;
        *lane = (unsigned)((a - s) % eb);
      }
    }
  }
  return found;
}

/* Compares every counter that does not depend on timing: instructions by opcode (FINISH
 * included), LOADs by memory, DRAM bytes read (whole AXI beats, fetch included) and written
 * (strobed bytes), MACs, ALU operations, GEMM and ALU iterations. Prints one line per differing
 * counter with the seed and both values; 1 if all agree. */
static int xc_counters_agree(const char *tag, uint64_t seed, const drv_counters *f,
                             const drv_counters *t) {
  struct xc_ctr { const char *name; int index; uint64_t fv, tv; } c[ISA_OP_COUNT + ISA_MEM_COUNT + 7];
  int n = 0;
  for (int op = 0; op < ISA_OP_COUNT; op++)
    c[n++] = (struct xc_ctr){"insns", op, f->insns[op], t->insns[op]};
  for (int m = 0; m < ISA_MEM_COUNT; m++)
    c[n++] = (struct xc_ctr){"loads", m, f->loads[m], t->loads[m]};
  c[n++] = (struct xc_ctr){"bytes_read", -1, f->bytes_read, t->bytes_read};
  c[n++] = (struct xc_ctr){"bytes_written", -1, f->bytes_written, t->bytes_written};
  c[n++] = (struct xc_ctr){"bytes_read1", -1, f->bytes_read1, t->bytes_read1};
  c[n++] = (struct xc_ctr){"macs", -1, f->macs, t->macs};
  c[n++] = (struct xc_ctr){"alu_ops", -1, f->alu_ops, t->alu_ops};
  c[n++] = (struct xc_ctr){"gemm_cycles", -1, f->gemm_cycles, t->gemm_cycles};
  c[n++] = (struct xc_ctr){"alu_cycles", -1, f->alu_cycles, t->alu_cycles};
  int ok = 1;
  for (int i = 0; i < n; i++) {
    if (c[i].fv == c[i].tv) continue;
    char name[48];
    if (c[i].index < 0) snprintf(name, sizeof name, "%s", c[i].name);
    else snprintf(name, sizeof name, "%s[%s]", c[i].name,
                  !strcmp(c[i].name, "insns") ? isa_op_name(c[i].index) : isa_mem_name(c[i].index));
    printf("FAIL %s seed %" PRIu64 ": counter %s: fsim %" PRIu64 ", tsim %" PRIu64 "\n", tag, seed,
           name, c[i].fv, c[i].tv);
    ok = 0;
  }
  return ok;
}

/* Runs the program on both; returns 1 if they agree (a CHECK line is counted either way). */
static int xc_run(xc *x, const char *tag, uint64_t seed, const isa_word *insns, uint32_t n,
                  const uint8_t *image, uint64_t image_bytes) {
  const isa_config *c = x->cfg;
  uint64_t ibytes = (uint64_t)n * 16;
  uint64_t code_addr = XC_IMAGE_ADDR + (image_bytes + ISA_IMAGE_ALIGN - 1) / ISA_IMAGE_ALIGN *
                                           ISA_IMAGE_ALIGN + ISA_IMAGE_ALIGN;
  isa_word *w = malloc(ibytes + 16);
  uint8_t *code = malloc(ibytes + 16);
  uint8_t *img_f = malloc(image_bytes + 1), *img_t = malloc(image_bytes + 1);
  if (!w || !code || !img_f || !img_t) {
    printf("FAIL out of memory\n");
    exit(1);
  }
  memcpy(w, insns, ibytes);
  uint32_t bad = 0;
  if (isa_relocate(c, w, n, XC_IMAGE_ADDR, &bad) != ISA_OK) {
    printf("FAIL %s seed %" PRIu64 ": instruction %u does not relocate\n", tag, seed, bad);
    exit(1);
  }
  for (uint32_t i = 0; i < n; i++) {
    memcpy(code + 16 * (uint64_t)i, &w[i].w[0], 8);
    memcpy(code + 16 * (uint64_t)i + 8, &w[i].w[1], 8);
  }
  memcpy(img_f, image, image_bytes);
  memcpy(img_t, image, image_bytes);
  drv_region rf[2] = {{XC_IMAGE_ADDR, image_bytes, img_f}, {code_addr, ibytes, code}};
  drv_region rt[2] = {{XC_IMAGE_ADDR, image_bytes, img_t}, {code_addr, ibytes, code}};
  drv_counters cf, ct;
  static drv_error ef, et;
  int rc_f = fsim_run(x->fs, rf, 2, code_addr, n, &cf, &ef);
  int rc_t = x->api.run(x->ts, rt, 2, code_addr, n, 0, &ct, &et);
  x->last_f = cf;
  x->last_t = ct;
  x->runs++;
  tu_programs++;
  int ok = rc_f == rc_t && (rc_f == DRV_OK || (ef.kind == et.kind && ef.insn_index == et.insn_index));
  if (!ok) {
    printf("FAIL %s seed %" PRIu64 ": fsim %s (kind %d, insn %" PRId64 "), tsim %s (kind %d, insn %"
           PRId64 ")\n", tag, seed, drv_strerror(rc_f), ef.kind, ef.insn_index, drv_strerror(rc_t),
           et.kind, et.insn_index);
    if (rc_f != DRV_OK) printf("  fsim: %s\n", ef.message);
    if (rc_t != DRV_OK) printf("  tsim: %s\n", et.message);
  }
  if (ok && rc_f == DRV_OK) {
    for (uint64_t i = 0; i < image_bytes; i++) {
      if (img_f[i] == img_t[i]) continue;
      uint64_t elem = 0;
      unsigned lane = 0;
      long st = xc_writer(x, w, n, i, &elem, &lane);
      char dis[512] = "(no STORE wrote it)";
      if (st >= 0) isa_disasm(c, &w[st], dis, sizeof dis);
      printf("FAIL %s seed %" PRIu64 ": image byte 0x%" PRIx64 " expected 0x%02x (fsim), got 0x%02x "
             "(tsim); instruction %ld: %s; element %" PRIu64 " byte %u\n", tag, seed, i, img_f[i],
             img_t[i], st, dis, elem, lane);
      ok = 0;
      break;
    }
    if (ok) {
      x->f_cycles += cf.cycles;
      x->t_cycles += ct.cycles;
      if (ct.cycles) {
        double d = (double)cf.cycles - (double)ct.cycles;
        x->sum_abs_rel += (d < 0 ? -d : d) / (double)ct.cycles;
        if (x->n_timed == x->cap_rel) {
          x->cap_rel = x->cap_rel ? 2 * x->cap_rel : 256;
          x->rel = realloc(x->rel, x->cap_rel * sizeof *x->rel);
          if (!x->rel) {
            printf("FAIL out of memory\n");
            exit(1);
          }
        }
        x->rel[x->n_timed].rel = d / (double)ct.cycles;
        const char *dump = getenv("XC_TIMING_DUMP"); /* a bound in %: list the programs past it */
        if (dump && 100 * (d < 0 ? -d : d) / (double)ct.cycles > atof(dump)) {
          printf("timing %s seed %" PRIu64 ": fsim %" PRIu64 " RTL %" PRIu64 " (%+.2f%%)\n", tag,
                 seed, cf.cycles, ct.cycles, 100 * d / (double)ct.cycles);
          for (uint32_t i = 0; i < n; i++) {
            char dis[512];
            isa_disasm(c, &w[i], dis, sizeof dis);
            printf("  %u: %s\n", i, dis);
          }
        }
        x->rel[x->n_timed++].seed = seed;
      }
      if (!xc_counters_agree(tag, seed, &cf, &ct)) ok = 0;
    }
  }
  if (!ok) {
    char d[400];
    xc_dram_describe(c, &x->dram, d, sizeof d);
    printf("  %s\n", d);
  }
  CHECK(ok, "%s seed %" PRIu64 ": RTL and fsim disagree (see above)", tag, seed);
  free(w);
  free(code);
  free(img_f);
  free(img_t);
  return ok;
}

/* ---- fsim's cycle estimate against the RTL ---------------------------------------------------- */

static int xc_cmp_abs_rel(const void *a, const void *b) {
  double x = ((const struct xc_rel *)a)->rel, y = ((const struct xc_rel *)b)->rel;
  x = x < 0 ? -x : x;
  y = y < 0 ? -y : y;
  return x < y ? -1 : x > y;
}

/* Prints the distribution of |fsim - tsim| / tsim over x's successful runs (mean, percentiles,
 * the worst program's seed) and checks it: the suite's total cycles within total_tol of the
 * RTL's, the mean within mean_tol, every program within worst_tol. Sorts x->rel. */
static inline void xc_timing_check(xc *x, const char *name, double total_tol, double mean_tol,
                                   double worst_tol) {
  uint64_t n = x->n_timed;
  if (!n) {
    printf("%s: no successful runs to time\n", name);
    return;
  }
  qsort(x->rel, n, sizeof *x->rel, xc_cmp_abs_rel);
  double total = ((double)x->f_cycles - (double)x->t_cycles) / (double)x->t_cycles;
  double pct[4];
  static const double at[4] = {0.5, 0.9, 0.99, 1.0};
  for (int i = 0; i < 4; i++) {
    double r = x->rel[(uint64_t)(at[i] * (double)(n - 1) + 0.5)].rel;
    pct[i] = 100 * (r < 0 ? -r : r);
  }
  const struct xc_rel *w = &x->rel[n - 1];
  double mean = x->sum_abs_rel / (double)n;
  printf("%s: fsim vs RTL cycles over %" PRIu64 " programs: total %" PRIu64 " / %" PRIu64
         " (%+.2f%%); |error| mean %.2f%% p50 %.2f%% p90 %.2f%% p99 %.2f%% max %.2f%% (seed %"
         PRIu64 ", %+.2f%%)\n", name, n, x->f_cycles, x->t_cycles, 100 * total, 100 * mean,
         pct[0], pct[1], pct[2], pct[3], w->seed, 100 * w->rel);
  CHECK((total < 0 ? -total : total) <= total_tol,
        "%s: fsim's total cycle estimate is %+.2f%% off the RTL's (bound %.1f%%)", name,
        100 * total, 100 * total_tol);
  CHECK(mean <= mean_tol, "%s: fsim's cycle estimate is %.2f%% off the RTL's on average per "
        "program (bound %.1f%%)", name, 100 * mean, 100 * mean_tol);
  CHECK(pct[3] <= 100 * worst_tol, "%s: seed %" PRIu64 ": fsim's cycle estimate is %+.2f%% off the "
        "RTL's (bound %.1f%% for one program)", name, w->seed, 100 * w->rel, 100 * worst_tol);
}

#endif
