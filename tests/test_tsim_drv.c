/* tests/test_tsim_drv.c -- the `verilator` driver backend against `fsim` through the device
 * contract (driver/dlvta_drv.h): the same buffers, program and calls on both (progen programs,
 * relocated into a drv_alloc'ed image), results read back with drv_read, status, errors and
 * counters; the backend's options (latencies, bandwidth, cycle budget, bad options); pynq's two
 * read ports and the DRAM model's DDR budget (isa/configs.def rd_ports, ddr_bytes).
 *
 * Until driver/drv.c lists drv_backend_verilator, the device is opened through the backend table
 * directly (the same calls drv_open makes).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "drv_impl.h"
#include "progen.h"
#include "testutil.h"

/* drv_open("verilator", ...), or the same through the table if drv.c does not list it yet. */
static int open_vl(const char *config, const char *options, drv_dev **out) {
  if (strstr(drv_backend_names(), "verilator")) return drv_open("verilator", config, options, out);
  *out = NULL;
  drv_dev *dev = calloc(1, sizeof *dev);
  if (!dev) return DRV_E_NOMEM;
  dev->be = &drv_backend_verilator;
  dev->cfg = isa_config_find(config);
  dev->error.insn_index = -1;
  if (!dev->cfg) {
    free(dev);
    return DRV_E_CONFIG;
  }
  int rc = dev->be->open(dev, options);
  if (rc != DRV_OK) {
    printf("  (open: %s)\n", dev->error.message);
    free(dev);
    return rc;
  }
  *out = dev;
  return DRV_OK;
}

typedef struct result {
  int rc;
  drv_error err;
  drv_counters ctr;
  uint8_t *image;
} result;

/* Loads program p into fresh buffers of dev, runs it, reads the image back. */
static void run_on(drv_dev *dev, const isa_prog *p, result *r) {
  memset(r, 0, sizeof *r);
  drv_buf *img = NULL, *code = NULL;
  int rc = drv_alloc(dev, p->image_bytes ? p->image_bytes : 1, &img);
  if (rc == DRV_OK) rc = drv_alloc(dev, (size_t)p->n_insns * 16 + 16, &code);
  CHECK(rc == DRV_OK, "drv_alloc: %s", drv_strerror(rc));
  if (rc != DRV_OK) {
    r->rc = rc;
    return;
  }
  isa_word *w = malloc((size_t)p->n_insns * 16 + 16);
  memcpy(w, p->insns, (size_t)p->n_insns * 16);
  uint32_t bad = 0;
  rc = isa_relocate(p->cfg, w, p->n_insns, drv_buf_addr(img), &bad);
  CHECK(rc == ISA_OK, "relocate: instruction %u", bad);
  uint8_t *code_bytes = malloc((size_t)p->n_insns * 16 + 16);
  for (uint32_t i = 0; i < p->n_insns; i++) {
    memcpy(code_bytes + 16 * (size_t)i, &w[i].w[0], 8);
    memcpy(code_bytes + 16 * (size_t)i + 8, &w[i].w[1], 8);
  }
  drv_write(dev, img, 0, p->image, p->image_bytes);
  drv_write(dev, code, 0, code_bytes, (size_t)p->n_insns * 16);
  r->rc = drv_run(dev, code, 0, p->n_insns, 60000);
  r->err = *drv_last_error(dev);
  drv_counters_read(dev, &r->ctr);
  r->image = malloc(p->image_bytes + 1);
  drv_read(dev, img, 0, r->image, p->image_bytes);
  drv_free(dev, img);
  drv_free(dev, code);
  free(w);
  free(code_bytes);
}

static void compare(const char *cfg, uint64_t seed, const isa_prog *p, const result *f, const result *v) {
  CHECK(f->rc == v->rc, "%s seed %" PRIu64 ": status fsim %s, verilator %s (%s)", cfg, seed,
        drv_strerror(f->rc), drv_strerror(v->rc), v->err.message);
  uint64_t diff = p->image_bytes;
  for (uint64_t i = 0; i < p->image_bytes; i++)
    if (f->image[i] != v->image[i]) {
      diff = i;
      break;
    }
  CHECK(diff == p->image_bytes, "%s seed %" PRIu64 ": image byte 0x%" PRIx64 " expected 0x%02x, got 0x%02x",
        cfg, seed, diff, diff < p->image_bytes ? f->image[diff] : 0, diff < p->image_bytes ? v->image[diff] : 0);
  CHECK(f->ctr.macs == v->ctr.macs && f->ctr.insns[ISA_OP_GEMM] == v->ctr.insns[ISA_OP_GEMM],
        "%s seed %" PRIu64 ": macs fsim %" PRIu64 " verilator %" PRIu64, cfg, seed, f->ctr.macs,
        v->ctr.macs);
}

/* pynq: a weight LOAD of 512 elements (128 KiB) goes over both read ports, half the bytes on the
 * second, at about 16 bytes a cycle; with STOREs of 128 KiB streaming beside it (8 bytes a cycle
 * more: 24 of the DDR's 21), the DDR budget holds the total to 21 while the LOAD runs (tsim
 * serves the reads first: the STOREs get the other 5, and take 3/8 of the LOAD's cycles longer).
 * (fsim does not model the DDR budget: no fsim comparison of that run.) */
static void two_ports(void) {
  static const char *load = ".config pynq\n.org 262144\n.space 16\n"
                            "load wgt sram=0 dram=0 y_size=1 x_size=512 x_stride=512\nfinish\n";
#define STORES "store out sram=0 dram=8192 y_size=1 x_size=2048 x_stride=2048\n" \
                            "store out sram=0 dram=10240 y_size=1 x_size=2048 x_stride=2048\n" \
                            "store out sram=0 dram=12288 y_size=1 x_size=2048 x_stride=2048\n" \
                            "store out sram=0 dram=14336 y_size=1 x_size=2048 x_stride=2048\n"
  static const char *both = ".config pynq\n.org 262144\n.space 16\n"
                            "load wgt sram=0 dram=0 y_size=1 x_size=512 x_stride=512\n" STORES "finish\n";
  static const char *stores = ".config pynq\n.org 262144\n.space 16\n" STORES "finish\n";
#undef STORES
  drv_dev *df = NULL, *dv = NULL;
  int rc = drv_open("fsim", "pynq", NULL, &df);
  if (rc == DRV_OK) rc = open_vl("pynq", NULL, &dv);
  CHECK(rc == DRV_OK, "open pynq: %s", drv_strerror(rc));
  isa_prog pa, pb, ps;
  char err[256];
  int ok = isa_assemble(load, "load.s", "pynq", &pa, err, sizeof err) == 0;
  CHECK(ok, "assemble: %s", err);
  int okb = isa_assemble(both, "both.s", "pynq", &pb, err, sizeof err) == 0;
  CHECK(okb, "assemble: %s", err);
  int oks = isa_assemble(stores, "stores.s", "pynq", &ps, err, sizeof err) == 0;
  CHECK(oks, "assemble: %s", err);
  if (df && dv && ok && okb && oks) {
    result fa, va, vb, vs;
    run_on(df, &pa, &fa);
    run_on(dv, &pa, &va);
    compare("pynq two ports", 0, &pa, &fa, &va);
    uint64_t lb = va.ctr.unit_busy[ISA_UNIT_LOAD];
    CHECK(va.ctr.bytes_read1 == 65536 && fa.ctr.bytes_read1 == 65536,
          "weight LOAD: second port read %" PRIu64 " bytes (fsim %" PRIu64 "), expected 65536",
          va.ctr.bytes_read1, fa.ctr.bytes_read1);
    CHECK(lb < 131072 / 16 + 200, "weight LOAD over two ports: %" PRIu64 " cycles busy for 128 KiB", lb);
    double fe = (double)fa.ctr.cycles / (double)va.ctr.cycles - 1;
    CHECK(fe < 0.02 && fe > -0.02, "weight LOAD: fsim %" PRIu64 " cycles, RTL %" PRIu64, fa.ctr.cycles,
          va.ctr.cycles);
    run_on(dv, &pb, &vb);
    run_on(dv, &ps, &vs);
    CHECK(vb.rc == DRV_OK && vs.rc == DRV_OK, "LOAD beside STOREs: %s", drv_strerror(vb.rc));
    uint64_t lbb = vb.ctr.unit_busy[ISA_UNIT_LOAD], sb = vb.ctr.unit_busy[ISA_UNIT_STORE],
             sa = vs.ctr.unit_busy[ISA_UNIT_STORE];
    /* the reads keep their 16 bytes a cycle; the STOREs get 5 of their 8 while the LOAD runs */
    CHECK(lbb < lb + 50, "LOAD beside STOREs: %" PRIu64 " cycles busy, %" PRIu64 " alone", lbb, lb);
    CHECK(sb > sa + lb * 3 / 8 * 9 / 10 && sb < sa + lb * 3 / 8 * 11 / 10,
          "STOREs beside the LOAD (DDR budget 21 bytes a cycle): %" PRIu64 " cycles busy, %" PRIu64
          " alone, expected about %" PRIu64 " more", sb, sa, lb * 3 / 8);
    CHECK(vb.ctr.bytes_written == 131072 && vb.ctr.bytes_read1 == 65536,
          "LOAD beside STOREs: wrote %" PRIu64 ", second port read %" PRIu64, vb.ctr.bytes_written,
          vb.ctr.bytes_read1);
    printf("pynq: weight LOAD of 128 KiB: %" PRIu64 " cycles busy (%.1f bytes a cycle); 128 KiB of STOREs: %"
           PRIu64 " cycles alone, %" PRIu64 " beside it\n", lb, 131072.0 / (double)lb, sa, sb);
    free(vs.image);
    free(fa.image);
    free(va.image);
    free(vb.image);
  }
  if (ok) isa_prog_free(&pa);
  if (okb) isa_prog_free(&pb);
  if (oks) isa_prog_free(&ps);
  if (df) drv_close(df);
  if (dv) drv_close(dv);
}

int main(void) {
  two_ports();
  static const char *cfgs[] = {"tiny", "pynq"};
  for (int c = 0; c < 2; c++) {
    drv_dev *df = NULL, *dv = NULL;
    int rc = drv_open("fsim", cfgs[c], NULL, &df);
    CHECK(rc == DRV_OK, "drv_open fsim %s: %s", cfgs[c], drv_strerror(rc));
    rc = open_vl(cfgs[c], NULL, &dv);
    CHECK(rc == DRV_OK, "open verilator %s: %s", cfgs[c], drv_strerror(rc));
    if (!df || !dv) continue;
    for (uint64_t seed = 1; seed <= 20; seed++) {
      isa_prog p;
      if (progen_make(drv_config(df), seed * 7919, NULL, &p) != 0) {
        CHECK(0, "progen_make");
        continue;
      }
      result rf, rv;
      run_on(df, &p, &rf);
      run_on(dv, &p, &rv);
      compare(cfgs[c], seed * 7919, &p, &rf, &rv);
      free(rf.image);
      free(rv.image);
      isa_prog_free(&p);
    }
    /* options: a slower DRAM takes more cycles for the same program and result */
    drv_dev *slow = NULL;
    rc = open_vl(cfgs[c], "rd_latency=200,wr_latency=100,bytes_per_cycle=2", &slow);
    CHECK(rc == DRV_OK, "open verilator with options: %s", drv_strerror(rc));
    isa_prog p;
    if (slow && progen_make(drv_config(df), 4242, NULL, &p) == 0) {
      result rf, rv, rs;
      run_on(df, &p, &rf);
      run_on(dv, &p, &rv);
      run_on(slow, &p, &rs);
      compare(cfgs[c], 4242, &p, &rf, &rs);
      CHECK(rs.ctr.cycles > rv.ctr.cycles + 200, "slow DRAM: %" PRIu64 " cycles, default %" PRIu64,
            rs.ctr.cycles, rv.ctr.cycles);
      free(rf.image);
      free(rv.image);
      free(rs.image);
      isa_prog_free(&p);
    }
    if (slow) drv_close(slow);
    /* a cycle budget too small: timeout with a message naming the units */
    drv_dev *tight = NULL;
    rc = open_vl(cfgs[c], "max_cycles=100", &tight);
    if (tight && progen_make(drv_config(df), 77, NULL, &p) == 0) {
      result rt;
      run_on(tight, &p, &rt);
      CHECK(rt.rc == DRV_E_TIMEOUT && rt.err.kind == DRV_ERR_TIMEOUT && strstr(rt.err.message, "compute"),
            "timeout expected, got %s kind %d: %s", drv_strerror(rt.rc), rt.err.kind, rt.err.message);
      free(rt.image);
      /* and the device still works afterwards */
      result rf, rv;
      drv_close(tight);
      tight = NULL;
      run_on(df, &p, &rf);
      run_on(dv, &p, &rv);
      compare(cfgs[c], 77, &p, &rf, &rv);
      free(rf.image);
      free(rv.image);
      isa_prog_free(&p);
    }
    if (tight) drv_close(tight);
    /* bad options are refused */
    drv_dev *badd = NULL;
    rc = open_vl(cfgs[c], "rd_latency=x", &badd);
    CHECK(rc == DRV_E_ARG && !badd, "bad option: expected DRV_E_ARG, got %s", drv_strerror(rc));
    rc = open_vl(cfgs[c], "frobnicate=1", &badd);
    CHECK(rc == DRV_E_ARG && !badd, "unknown option: expected DRV_E_ARG, got %s", drv_strerror(rc));
    drv_close(df);
    drv_close(dv);
  }
  /* waveforms: trace=FILE.fst loads libtsim_trace.so and writes the file */
  char fst[64];
  snprintf(fst, sizeof fst, "/tmp/test_tsim_drv.%d.fst", (int)getpid());
  remove(fst);
  char opt[128];
  snprintf(opt, sizeof opt, "trace=%s", fst);
  drv_dev *dt = NULL;
  int rc = open_vl("tiny", opt, &dt);
  CHECK(rc == DRV_OK, "open verilator with %s: %s", opt, drv_strerror(rc));
  isa_prog p;
  if (dt && progen_make(drv_config(dt), 5, NULL, &p) == 0) {
    result rt;
    run_on(dt, &p, &rt);
    CHECK(rt.rc == DRV_OK, "traced run: %s", drv_strerror(rt.rc));
    free(rt.image);
    isa_prog_free(&p);
  }
  if (dt) drv_close(dt);
  FILE *f = fopen(fst, "rb");
  long size = 0;
  if (f) {
    fseek(f, 0, SEEK_END);
    size = ftell(f);
    fclose(f);
  }
  CHECK(size > 4096, "waveform %s: %ld bytes", fst, size);
  remove(fst);
  return TEST_END();
}
