/* tests/test_tsim_abort.c -- CTRL.abort (the soft reset of rtl/REGS.md) on the Verilated RTL, at
 * many points of a run, under random DRAM back-pressure so that bursts stay on the bus for long:
 * a random program starts, is aborted after K cycles (K spread over the whole run, including
 * the first cycles and the last), and then
 *   - the device goes idle within a bound, with STATUS.error and ERR_KIND = ABORTED (or done, if
 *     the run ended before the abort took effect), ERR_INSN = the FETCH_PC it had;
 *   - no AXI rule was broken, and the next start finds the bus quiet (tsim's checker: no read
 *     burst still delivering beats, no write burst without all its beats or its response);
 *   - the same device (no reset) then runs the program again to fsim's image, byte for byte.
 *
 *   test_tsim_abort [-n aborts per config] [config...]     (default: 40 on tiny and pynq)
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "progen.h"
#include "testutil.h"
#include "tsim.h"

#define IMG_ADDR 0x10000000u
#define INSN_ADDR 0x20000000u
#define DRAIN_MAX 100000 /* cycles an abort may take */

typedef struct rig {
  tsim_api api;
  tsim_port_api port;
  tsim *t;
  isa_prog p;
  uint8_t *img, *ins, *want;
  uint32_t count;
  drv_window win[DLVTA_REGS_WIN_COUNT]; /* the DRAM windows covering the two regions */
  int n_win;
} rig;

/* Fresh image and relocated instructions in the DRAM regions. */
static void rig_load(rig *r) {
  memcpy(r->img, r->p.image, r->p.image_bytes);
}

/* Start the program; returns 0. */
static void rig_start(rig *r) {
  for (int i = 0; i < (int)DLVTA_REGS_WIN_COUNT; i++) { /* the run may touch the two regions */
    r->port.reg_write(r->t, DLVTA_REG_WIN0_BASE + 8u * (unsigned)i, i < r->n_win ? drv_window_reg(r->win[i].base) : 0);
    r->port.reg_write(r->t, DLVTA_REG_WIN0_LIMIT + 8u * (unsigned)i, i < r->n_win ? drv_window_reg(r->win[i].limit) : 0);
  }
  r->port.reg_write(r->t, DLVTA_REG_INSN_ADDR, INSN_ADDR);
  r->port.reg_write(r->t, DLVTA_REG_INSN_COUNT, r->count);
  r->port.reg_write(r->t, DLVTA_REG_CTRL, DLVTA_CTRL_START);
}

/* Clock until STATUS.busy clears (at most max cycles); returns the cycles, or -1. */
static long rig_wait(rig *r, long max) {
  for (long c = 0; c < max; c += 8) {
    if (!(r->api.reg_read(r->t, DLVTA_REG_STATUS) & DLVTA_STATUS_BUSY))
      return c;
    r->port.step(r->t, 8);
  }
  return -1;
}

static void run_config(const char *cfg_name, int n_aborts) {
  const isa_config *cfg = isa_config_find(cfg_name);
  rig r;
  memset(&r, 0, sizeof r);
  char err[1200];
  if (!cfg || tsim_api_load(cfg_name, 0, &r.api, err, sizeof err) ||
      tsim_port_load(&r.api, &r.port, err, sizeof err)) {
    CHECK(0, "%s: %s", cfg_name, cfg ? err : "unknown config");
    return;
  }
  /* back-pressure on every channel: bursts take long, so an abort often finds some in flight */
  tsim_opts o;
  memset(&o, 0, sizeof o);
  for (int c = 0; c < TSIM_CHANNELS; c++) o.stall_permille[c] = 300, o.stall_run[c] = 12;
  o.rd_latency = 40;
  o.wr_latency = 30;
  o.stall_seed = 99;
  r.t = r.api.create(&o, err, sizeof err);
  progen_opts po;
  progen_opts_default(&po);
  po.max_insns = 250;
  po.max_loop = 6;
  if (!r.t || progen_make(cfg, 4242, &po, &r.p)) {
    CHECK(0, "%s: %s", cfg_name, r.t ? "progen_make" : err);
    if (r.t) r.api.destroy(r.t);
    tsim_api_unload(&r.api);
    return;
  }
  r.count = r.p.n_insns;
  r.img = calloc(1, r.p.image_bytes + 16);
  r.ins = calloc(1, (size_t)r.count * 16 + 16);
  r.want = calloc(1, r.p.image_bytes + 16);
  isa_word *w = malloc((size_t)r.count * sizeof *w);
  uint32_t bad = 0;
  if (!r.img || !r.ins || !r.want || !w) {
    CHECK(0, "out of memory");
    goto out;
  }
  memcpy(w, r.p.insns, (size_t)r.count * sizeof *w);
  if (isa_relocate(cfg, w, r.count, IMG_ADDR, &bad) != ISA_OK) {
    CHECK(0, "%s: relocate instruction %u", cfg_name, bad);
    goto out;
  }
  for (uint32_t i = 0; i < r.count; i++)
    for (int k = 0; k < 16; k++) r.ins[16 * i + k] = (uint8_t)(w[i].w[k / 8] >> (8 * (k % 8)));
  CHECK(progen_expect(&r.p, r.want, NULL, NULL) == DRV_OK, "%s: fsim", cfg_name);
  drv_region regions[2] = {{IMG_ADDR, r.p.image_bytes, r.img}, {INSN_ADDR, (uint64_t)r.count * 16, r.ins}};
  r.port.set_regions(r.t, regions, 2);
  r.n_win = drv_windows_cover(regions, 2, r.win, (int)DLVTA_REGS_WIN_COUNT);

  /* the whole run's length */
  rig_load(&r);
  rig_start(&r);
  long total = rig_wait(&r, 50000000);
  CHECK(total > 0 && (r.api.reg_read(r.t, DLVTA_REG_STATUS) & DLVTA_STATUS_DONE), "%s: full run "
        "did not finish (STATUS 0x%x)", cfg_name, r.api.reg_read(r.t, DLVTA_REG_STATUS));
  if (total <= 0)
    goto out;
  int aborted = 0, finished = 0;
  long worst = 0;
  for (int k = 0; k < n_aborts; k++) {
    /* abort points: the first cycles, then spread over the run (the last one after its end) */
    long at = k < 4 ? k * 3 : (long)((double)total * (k - 3) / (n_aborts - 4));
    rig_load(&r);
    rig_start(&r);
    r.port.step(r.t, (uint64_t)at);
    uint32_t pc = r.api.reg_read(r.t, DLVTA_REG_FETCH_PC);
    r.port.reg_write(r.t, DLVTA_REG_CTRL, DLVTA_CTRL_ABORT);
    long drain = rig_wait(&r, DRAIN_MAX);
    uint32_t st = r.api.reg_read(r.t, DLVTA_REG_STATUS), kind = r.api.reg_read(r.t, DLVTA_REG_ERR_KIND);
    uint32_t insn = r.api.reg_read(r.t, DLVTA_REG_ERR_INSN);
    const char *v = r.port.violation(r.t);
    if (drain > worst) worst = drain;
    if (st & DLVTA_STATUS_DONE) {
      finished++;
    } else {
      aborted++;
      CHECK(drain >= 0 && (st & DLVTA_STATUS_ERROR) && kind == DLVTA_ERR_ABORTED && insn >= pc,
            "%s: abort at cycle %ld of %ld: drained in %ld cycles, STATUS 0x%x, ERR_KIND %u, "
            "ERR_INSN %u (FETCH_PC was %u)", cfg_name, at, total, drain, st, kind, insn, pc);
    }
    CHECK(!*v, "%s: abort at cycle %ld: %s", cfg_name, at, v);
    /* the same device runs the program again to fsim's result */
    rig_load(&r);
    rig_start(&r);
    long again = rig_wait(&r, 50000000);
    st = r.api.reg_read(r.t, DLVTA_REG_STATUS);
    char msg[2048] = "";
    CHECK(again > 0 && (st & DLVTA_STATUS_DONE) && !progen_diff(&r.p, r.want, r.img, msg, sizeof msg),
          "%s: run after the abort at cycle %ld: STATUS 0x%x, %s", cfg_name, at, st, msg);
    v = r.port.violation(r.t);
    CHECK(!*v, "%s: run after the abort at cycle %ld: %s", cfg_name, at, v);
    if (*v)
      break;
  }
  printf("%s: %u instructions, %ld cycles a run; %d aborts (%d found the run finished), each "
         "drained within %ld cycles, every next run bit-exact\n", cfg_name, r.count, total,
         aborted, finished, worst);
  CHECK(aborted >= n_aborts / 2, "%s: only %d of %d aborts hit a running program", cfg_name,
        aborted, n_aborts);
out:
  free(w);
  free(r.img);
  free(r.ins);
  free(r.want);
  isa_prog_free(&r.p);
  r.api.destroy(r.t);
  tsim_api_unload(&r.api);
}

int main(int argc, char **argv) {
  int n = 16, first = 1;
  if (argc > 2 && !strcmp(argv[1], "-n")) {
    n = atoi(argv[2]);
    first = 3;
  }
  if (n < 5) n = 5;
  if (first >= argc) {
    run_config("tiny", n);
    run_config("pynq", n);
  }
  for (int i = first; i < argc; i++) run_config(argv[i], n);
  return TEST_END();
}
