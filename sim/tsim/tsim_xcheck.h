/* sim/tsim/tsim_xcheck.h -- for the RTL tests: runs one program (instructions with image-relative
 * DRAM addresses plus a data image) on fsim, the golden model, and on tsim, the Verilated RTL,
 * with the same regions, and compares status, error kind and instruction index, and every byte of
 * the final data image. A mismatch prints the tag and seed, the first differing byte with the
 * STORE instruction (index and disassembly) and element/lane that wrote it, and both error
 * messages. Header-only, every function static and used by each includer.
 */
#ifndef DLVTA_TSIM_XCHECK_H
#define DLVTA_TSIM_XCHECK_H

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsim.h"
#include "isa.h"
#include "testlib.h"
#include "tsim.h"

#define XC_IMAGE_ADDR 0x10000000ull

typedef struct xc {
  const isa_config *cfg;
  tsim_api api;
  tsim *ts;
  fsim *fs;
  uint64_t runs;
  uint64_t f_cycles, t_cycles;  /* sums over successful runs, for the timing report */
  double sum_abs_rel;           /* sum of |fsim - tsim| / tsim over successful runs */
  uint64_t n_timed;
} xc;

/* Loads libtsim.so of config and creates both simulators; 0 or -1 (message printed). */
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
  return x->fs ? 0 : -1;
}

static void xc_close(xc *x) {
  if (x->ts) x->api.destroy(x->ts);
  if (x->fs) fsim_destroy(x->fs);
  tsim_api_unload(&x->api);
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
  x->runs++;
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
        x->n_timed++;
      }
      if (cf.insns[ISA_OP_GEMM] != ct.insns[ISA_OP_GEMM] || cf.insns[ISA_OP_ALU] != ct.insns[ISA_OP_ALU] ||
          cf.insns[ISA_OP_LOAD] != ct.insns[ISA_OP_LOAD] || cf.insns[ISA_OP_STORE] != ct.insns[ISA_OP_STORE] ||
          cf.macs != ct.macs || cf.alu_ops != ct.alu_ops) {
        printf("FAIL %s seed %" PRIu64 ": counters differ: insns L/S/G/A fsim %" PRIu64 "/%" PRIu64
               "/%" PRIu64 "/%" PRIu64 " tsim %" PRIu64 "/%" PRIu64 "/%" PRIu64 "/%" PRIu64
               ", macs %" PRIu64 "/%" PRIu64 ", alu_ops %" PRIu64 "/%" PRIu64 "\n", tag, seed,
               cf.insns[0], cf.insns[1], cf.insns[2], cf.insns[3], ct.insns[0], ct.insns[1],
               ct.insns[2], ct.insns[3], cf.macs, ct.macs, cf.alu_ops, ct.alu_ops);
        ok = 0;
      }
    }
  }
  CHECK(ok, "%s seed %" PRIu64 ": RTL and fsim disagree (see above)", tag, seed);
  free(w);
  free(code);
  free(img_f);
  free(img_t);
  return ok;
}

#endif
