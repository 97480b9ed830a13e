/* sim/tsim/tsim.h -- tsim, the cycle-accurate simulator: the Verilated RTL (rtl/dlvta_top.v) of one
 * hardware config with a DRAM model behind its AXI4 master, driven through its AXI4-Lite control
 * port, behind a plain C API.
 *
 * Each config is a shared library, build/<config>/libtsim.so (build/<config>/libtsim_trace.so
 * with FST waveform support), built by `make tsim`. Programs that need no Verilator load it at run
 * time with tsim_api_load() below (the `verilator` driver backend and the tests do).
 *
 * DRAM model: the drv_region list given to each run is the modelled DDR: it serves every region
 * as memory, whether or not the run may touch it; a read beat that overlaps no region, or a
 * written byte outside every region, lies beyond the modelled DDR and is answered SLVERR. What
 * the run may touch are the DRAM windows tsim_run programs (the WINn registers; tsim_set_windows,
 * by default the windows that cover the regions): a burst outside them never reaches the DRAM
 * model (the RTL refuses it), so a region outside the windows plays memory the device must not
 * reach, as a board's DDR beyond the run's buffers. Reads return their first beat
 * rd_latency cycles after the address is accepted and then stream at bytes_per_cycle (bursts are
 * pipelined, in order); a write burst's response comes wr_latency cycles after its last beat.
 * Back-pressure (stall_*): each AXI channel can stall in random runs of cycles, drawn from a seed
 * (deterministic); AXI's rules hold: a valid the model raised (R, B) stays until its handshake.
 * The model checks the master's side too: burst rules (rtl/REGS.md), and a raised AR/AW/W valid
 * holds with an unchanged payload until its handshake.
 */
#ifndef DLVTA_TSIM_H
#define DLVTA_TSIM_H

#include <stddef.h>
#include <stdint.h>

#include "dlvta_dev.h"

#ifdef __cplusplus
extern "C" {
#endif

#define TSIM_ABI_VERSION 5 /* 2: DRAM profiles (tsim_set_dram); 3: the port-level functions at the end;
                              4: tsim_irq, REGS_ID checked, timeouts end in CTRL.abort;
                              5: DRAM windows (tsim_set_windows) */

typedef struct tsim tsim;

/* The AXI4 channels, as indices of tsim_opts' stall arrays. */
enum tsim_channel { TSIM_CH_AR, TSIM_CH_R, TSIM_CH_AW, TSIM_CH_W, TSIM_CH_B, TSIM_CHANNELS };

typedef struct tsim_opts {
  const char *trace;        /* FST waveform file, or NULL (needs libtsim_trace.so) */
  unsigned rd_latency;      /* DRAM read latency, core cycles; 0: the config's default */
  unsigned wr_latency;      /* DRAM write response latency, core cycles; 0: the config's default */
  unsigned bytes_per_cycle; /* DRAM bandwidth, each way; 0: one AXI beat per cycle */
  uint64_t max_cycles;      /* cycle budget of one run; 0: 2^32 */
  /* Back-pressure on channel c (TSIM_CH_*): in a cycle in which c is not stalled, a stall starts
   * with probability stall_permille[c] / 1000 (< 1000; 0: never) and lasts a number of cycles
   * drawn uniformly from 1..stall_run[c] (0 counts as 1), this cycle included. A stalled AR, AW
   * or W holds ready low; a stalled R or B does not raise valid (a raised one stays). Mean
   * effects: tsim_stall_wait, tsim_stream_cycles. */
  unsigned stall_permille[TSIM_CHANNELS];
  unsigned stall_run[TSIM_CHANNELS];
  uint64_t stall_seed;      /* seed of the stall draws, restarted by create and set_dram */
} tsim_opts;

/* The functions of one libtsim.so (names as exported, prefix tsim_). */
typedef int (*tsim_abi_fn)(void);
typedef const char *(*tsim_config_fn)(void);
typedef tsim *(*tsim_create_fn)(const tsim_opts *opts, char *err, size_t errlen);
typedef void (*tsim_destroy_fn)(tsim *t);
/* Run count instructions at device byte address insn_addr against the regions. Returns DRV_OK,
 * DRV_E_EXEC (device error: err filled with kind, index and a message naming every unit's
 * instruction with its disassembly and wait bits; a deadlock, no progress over ~8k cycles while
 * units wait, is DRV_ERR_DEADLOCK), DRV_E_TIMEOUT (cycle budget or timeout_ms of wall time: same
 * message) or DRV_E_ARG. After a deadlock or timeout the run is stopped as a board's driver
 * stops it, by CTRL.abort (the message says so); only if that fails (DRV_E_IO) is the RTL reset. ctr is filled from the hardware
 * counters in every case. */
typedef int (*tsim_run_fn)(tsim *t, const drv_region *regions, int n_regions, uint64_t insn_addr,
                           uint32_t count, uint32_t timeout_ms, drv_counters *ctr, drv_error *err);
/* Between runs: take the DRAM model's fields of opts (latencies, bandwidth, stall_*; trace and
 * max_cycles are ignored), with create's defaults for zeros, and restart the stall draws.
 * DRV_OK, or DRV_E_ARG (a stall_permille of 1000 or more, or t NULL) with nothing changed. */
typedef int (*tsim_set_dram_fn)(tsim *t, const tsim_opts *opts);
/* The DRAM windows the following tsim_runs program (at most DLVTA_REGS_WIN_COUNT; n < 0: the
 * default, the windows covering each run's regions, drv_windows_cover). DRV_OK or DRV_E_ARG. */
typedef int (*tsim_set_windows_fn)(tsim *t, const drv_window *w, int n);
/* Read a control register (byte offset) through the AXI4-Lite port; for tests and tools. */
typedef uint32_t (*tsim_reg_read_fn)(tsim *t, uint32_t off);
/* Total cycles simulated by this instance. */
typedef uint64_t (*tsim_cycles_fn)(tsim *t);

typedef struct tsim_api {
  void *handle;
  tsim_abi_fn abi;
  tsim_config_fn config;
  tsim_create_fn create;
  tsim_destroy_fn destroy;
  tsim_run_fn run;
  tsim_set_dram_fn set_dram;
  tsim_set_windows_fn set_windows;
  tsim_reg_read_fn reg_read;
  tsim_cycles_fn cycles;
  char path[1024];
} tsim_api;

/* Direct entry points (inside libtsim.so). */
int tsim_abi(void);
const char *tsim_config(void);
tsim *tsim_create(const tsim_opts *opts, char *err, size_t errlen);
void tsim_destroy(tsim *t);
int tsim_run(tsim *t, const drv_region *regions, int n_regions, uint64_t insn_addr, uint32_t count,
             uint32_t timeout_ms, drv_counters *ctr, drv_error *err);
int tsim_set_dram(tsim *t, const tsim_opts *opts);
int tsim_set_windows(tsim *t, const drv_window *w, int n);
uint32_t tsim_reg_read(tsim *t, uint32_t off);
uint64_t tsim_cycles(tsim *t);

#ifdef __cplusplus
}
#endif

#ifndef __cplusplus
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Under AddressSanitizer the library stays mapped after dlclose (RTLD_NODELETE): Verilator
 * 5.006's Verilated::catName keeps a thread-local buffer (43 bytes) that it never frees, which
 * LeakSanitizer reports at exit, from an unloaded and so unnamed module, when the library is
 * gone; mapped, the buffer stays reachable through it and nothing is reported. */
#if defined(__SANITIZE_ADDRESS__)
#define TSIM_DLOPEN_KEEP RTLD_NODELETE
#else
#define TSIM_DLOPEN_KEEP 0
#endif

/* Find and dlopen libtsim.so (trace: libtsim_trace.so; $DLVTA_TSIM_VARIANT=v: libtsim_v.so, an
 * RTL build variant such as acc2) of config: $DLVTA_TSIM_DIR/<config>/, $DLVTA_TSIM_DIR/, then
 * <dir of the executable>/<config>/ and <dir>/../<config>/. Returns 0, or -1 with a message. */
static inline int tsim_api_load(const char *config, int trace, tsim_api *api, char *err,
                                size_t errlen) {
  const char *lib = trace ? "libtsim_trace.so" : "libtsim.so";
  char vlib[64];
  const char *variant = getenv("DLVTA_TSIM_VARIANT");
  if (!trace && variant && *variant) {
    snprintf(vlib, sizeof vlib, "libtsim_%.40s.so", variant);
    lib = vlib;
  }
  char exe[512], cand[4][1024];
  int n = 0;
  const char *env = getenv("DLVTA_TSIM_DIR");
  if (env && *env) {
    snprintf(cand[n++], sizeof cand[0], "%.400s/%.64s/%.32s", env, config, lib);
    snprintf(cand[n++], sizeof cand[0], "%.400s/%.32s", env, lib);
  }
  ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (len > 0) {
    exe[len] = 0;
    char *slash = strrchr(exe, '/');
    if (slash) *slash = 0;
    snprintf(cand[n++], sizeof cand[0], "%.400s/%.64s/%.32s", exe, config, lib);
    snprintf(cand[n++], sizeof cand[0], "%.400s/../%.64s/%.32s", exe, config, lib);
  }
  memset(api, 0, sizeof *api);
  for (int i = 0; i < n; i++) {
    if (access(cand[i], R_OK) != 0) continue;
    void *h = dlopen(cand[i], RTLD_NOW | RTLD_LOCAL | TSIM_DLOPEN_KEEP);
    if (!h) {
      snprintf(err, errlen, "%.600s: %.300s", cand[i], dlerror());
      return -1;
    }
    api->handle = h;
    *(void **)&api->abi = dlsym(h, "tsim_abi");
    *(void **)&api->config = dlsym(h, "tsim_config");
    *(void **)&api->create = dlsym(h, "tsim_create");
    *(void **)&api->destroy = dlsym(h, "tsim_destroy");
    *(void **)&api->run = dlsym(h, "tsim_run");
    *(void **)&api->set_dram = dlsym(h, "tsim_set_dram");
    *(void **)&api->set_windows = dlsym(h, "tsim_set_windows");
    *(void **)&api->reg_read = dlsym(h, "tsim_reg_read");
    *(void **)&api->cycles = dlsym(h, "tsim_cycles");
    memcpy(api->path, cand[i], sizeof api->path);
    if (!api->abi || !api->config || !api->create || !api->destroy || !api->run || !api->set_dram || !api->set_windows ||
        !api->reg_read || !api->cycles || api->abi() != TSIM_ABI_VERSION ||
        strcmp(api->config(), config) != 0) {
      snprintf(err, errlen, "%.600s: not a tsim library of ABI %d for config '%s'", cand[i],
               TSIM_ABI_VERSION, config);
      dlclose(h);
      memset(api, 0, sizeof *api);
      return -1;
    }
    return 0;
  }
  snprintf(err, errlen, "%s for config '%s' not found (build it with `make tsim`, or set "
           "DLVTA_TSIM_DIR)", lib, config);
  return -1;
}

/* The DRAM model's back-pressure on average (a channel with stall_permille pm and stall_run run),
 * for timing models. tsim_stall_wait: the mean wait, in cycles, of a transfer that becomes ready
 * in a random cycle (0 when the channel is free): stalls form runs of mean length
 * L = (run + 1) / 2 after a geometric number of free cycles of mean (1 - q) / q, q = pm / 1000,
 * and a transfer arriving at cycle k of a run of n waits n - k + 1. */
static inline double tsim_stall_wait(unsigned pm, unsigned run) {
  double q = pm / 1000.0, n = run ? run : 1, l = (n + 1) / 2;
  double l2 = (n + 1) * (2 * n + 1) / 6; /* E[L^2] */
  return pm ? q * (l2 + l) / 2 / (1 - q + q * l) : 0;
}

/* tsim_stream_cycles: the mean cycles per beat of an endless stream on one data channel of the
 * DRAM model, by running the model's rules (tsim.cpp) for `cycles` cycles: the channel earns
 * bytes_per_cycle bpc (0: a beat) into a credit of at most two beats of `beat` bytes and stalls
 * as above; a read beat is raised when the credit holds a beat and the channel is not stalled,
 * then taken `pace` - 1 cycles later (a consumer that cuts pace elements out of it); a write
 * beat is offered `pace` cycles after the last was taken and taken in a cycle with the credit
 * and no stall. */
static inline double tsim_stream_cycles(int write, unsigned beat, unsigned bpc, unsigned pm,
                                        unsigned run, unsigned pace, unsigned cycles) {
  uint64_t rng = 0x5eed ^ (uint64_t)pm << 20 ^ (uint64_t)run << 40, beats = 0;
  unsigned credit = 2 * beat, left = 0, n = run ? run : 1;
  uint64_t raised = 0, last = 0;
  int up = 0, stalled = 0;
  if (!bpc) bpc = beat;
  if (!pace) pace = 1;
  for (uint64_t c = 1; c <= cycles; c++) {
    if (!write) {
      if (!up && credit >= beat && !stalled) up = 1, raised = c;
      if (up && c >= raised + pace - 1) up = 0, credit -= beat, beats++;
    } else if (c >= last + pace && credit >= beat && !stalled) {
      credit -= beat, beats++, last = c;
    }
    credit = credit + bpc > 2 * beat ? 2 * beat : credit + bpc;
    if (left) { /* the next cycle's stall, as tsim.cpp next_stalls */
      left--, stalled = 1;
    } else {
      uint64_t z = (rng += 0x9e3779b97f4a7c15ull);
      z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
      z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
      z ^= z >> 31;
      stalled = pm && z % 1000 < pm;
      if (stalled) left = (unsigned)((z >> 20) % n);
    }
  }
  return beats ? (double)cycles / (double)beats : (double)cycles;
}

static inline void tsim_api_unload(tsim_api *api) {
  if (api->handle) dlclose(api->handle);
  memset(api, 0, sizeof *api);
}
#endif

/* ---- port level (ABI 3): the RTL as a board's processor sees it ---------------------------------
 * For a harness that plays the board around the RTL (tests/test_zynq_rtl.c emulates a Zynq's UIO
 * register window and u-dma-buf memory and runs the zynq driver unchanged): single AXI4-Lite
 * accesses, a clock the caller advances, and the DRAM model serving caller memory. tsim_run does
 * all of this itself; these are for callers that must interleave the three. One thread at a time
 * may use a tsim. */
#ifdef __cplusplus
extern "C" {
#endif
/* One AXI4-Lite write (AW and W together, all strobes; returns after the B response). */
void tsim_reg_write(tsim *t, uint32_t off, uint32_t val);
/* Advance the clock by `cycles` cycles (the DRAM model serves the AXI4 master meanwhile). */
void tsim_step(tsim *t, uint64_t cycles);
/* From now on the DRAM model serves these regions (copied; the memory they point to is used in
 * place and must outlive them). Call only while no burst is in flight (device idle). DRV_OK or
 * DRV_E_ARG. */
int tsim_set_regions(tsim *t, const drv_region *regions, int n_regions);
/* The first AXI4 master protocol violation seen since tsim_create or the last tsim_run, or "". */
const char *tsim_violation(tsim *t);
/* The RTL's interrupt output now (1 or 0). */
int tsim_irq(tsim *t);
#ifdef __cplusplus
}
#endif

typedef void (*tsim_reg_write_fn)(tsim *t, uint32_t off, uint32_t val);
typedef void (*tsim_step_fn)(tsim *t, uint64_t cycles);
typedef int (*tsim_set_regions_fn)(tsim *t, const drv_region *regions, int n_regions);
typedef const char *(*tsim_violation_fn)(tsim *t);
typedef int (*tsim_irq_fn)(tsim *t);

typedef struct tsim_port_api {
  tsim_reg_write_fn reg_write;
  tsim_step_fn step;
  tsim_set_regions_fn set_regions;
  tsim_violation_fn violation;
  tsim_irq_fn irq;
} tsim_port_api;

#ifndef __cplusplus
/* The port-level functions of a library tsim_api_load opened. 0, or -1 with a message. */
static inline int tsim_port_load(const tsim_api *api, tsim_port_api *port, char *err,
                                 size_t errlen) {
  memset(port, 0, sizeof *port);
  if (api->handle) {
    *(void **)&port->reg_write = dlsym(api->handle, "tsim_reg_write");
    *(void **)&port->step = dlsym(api->handle, "tsim_step");
    *(void **)&port->set_regions = dlsym(api->handle, "tsim_set_regions");
    *(void **)&port->violation = dlsym(api->handle, "tsim_violation");
    *(void **)&port->irq = dlsym(api->handle, "tsim_irq");
  }
  if (port->reg_write && port->step && port->set_regions && port->violation && port->irq) return 0;
  snprintf(err, errlen, "%.900s: no port-level functions (tsim_reg_write, tsim_step, "
           "tsim_set_regions, tsim_violation, tsim_irq)", api->path);
  return -1;
}
#endif

#endif
