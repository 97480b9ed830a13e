/* sim/tsim/bench_tsim.c -- `make bench`: Verilator simulation speed and GEMM utilization on a
 * large double-buffered GEMM (VTA's latency-hiding pattern), checked bit for bit against fsim.
 *
 *   bench_tsim [config [out.json]]      (default pynq)
 *
 * The program: T tiles; tile t loads 64 input elements and 16 weight elements into buffer half
 * t%2 (the load unit waits for the GEMM of tile t-2 to release the half: C2L token) and signals
 * the compute unit (L2C); each GEMM runs 64 x 16 micro-op iterations, acc[o] += inp[o] x wgt[i]
 * (16 back-to-back iterations on each accumulator), then the results are requantized (SHR, CLIP)
 * and stored. Utilization = GEMM cycles / total cycles. Prints one JSON object.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fsim.h"
#include "tsim.h"

/* the benchmark's own checks (it is no test program: it links no test helpers) */
static int n_pass, n_fail;
#define CHECK(cond, ...)                                                     \
  do {                                                                       \
    if (cond) {                                                              \
      n_pass++;                                                              \
    } else {                                                                 \
      n_fail++;                                                              \
      printf("FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);                \
      printf(__VA_ARGS__);                                                   \
      printf("\n");                                                          \
    }                                                                        \
  } while (0)

enum { T_POPP = 1, T_POPN = 2, T_PUSHP = 4, T_PUSHN = 8 };
enum { TILES = 128, NI = 64, NW = 16 };

static const isa_config *cfg;
static isa_word prog[4 * TILES + 64];
static uint32_t n_insns;

static void emit(int op, int tok, const int *fv) {
  isa_insn in;
  memset(&in, 0, sizeof in);
  in.f[ISA_F_opcode] = (uint32_t)op;
  in.f[ISA_F_pop_prev] = !!(tok & T_POPP);
  in.f[ISA_F_pop_next] = !!(tok & T_POPN);
  in.f[ISA_F_push_prev] = !!(tok & T_PUSHP);
  in.f[ISA_F_push_next] = !!(tok & T_PUSHN);
  for (; *fv >= 0; fv += 2) in.f[fv[0]] = (uint32_t)fv[1];
  int bad = -1;
  if (isa_encode(cfg, &in, &prog[n_insns++], &bad) != ISA_OK) {
    printf("FAIL bench encodes a bad instruction (field %s)\n", bad >= 0 ? isa_field_name(bad) : "?");
    exit(1);
  }
}

static void load(int m, uint32_t sram, uint32_t dram, int n, int tok) {
  int fv[] = {ISA_F_mem, m, ISA_F_sram, (int)sram, ISA_F_dram, (int)dram, ISA_F_y_size, 1,
              ISA_F_x_size, n, ISA_F_x_stride, n, -1};
  emit(ISA_OP_LOAD, tok, fv);
}

static void gemm(int reset, int ub, int lo, int li, int ao, int ai, int xo, int xi, int wo, int wi,
                 int tok) {
  int fv[] = {ISA_F_reset, reset, ISA_F_uop_begin, ub, ISA_F_uop_end, ub + 1, ISA_F_loop_out, lo,
              ISA_F_loop_in, li, ISA_F_acc_out, ao, ISA_F_acc_in, ai, ISA_F_inp_out, xo,
              ISA_F_inp_in, xi, ISA_F_wgt_out, wo, ISA_F_wgt_in, wi, -1};
  emit(ISA_OP_GEMM, tok, fv);
}

static void alu(int op, int imm, int n, int tok) {
  int fv[] = {ISA_F_alu_op, op, ISA_F_use_imm, 1, ISA_F_imm, imm & 0xffff, ISA_F_uop_begin, 2,
              ISA_F_uop_end, 3, ISA_F_loop_out, n, ISA_F_loop_in, 1, ISA_F_dst_out, 1, -1};
  emit(ISA_OP_ALU, tok, fv);
}

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

int main(int argc, char **argv) {
  const char *name = argc > 1 ? argv[1] : "pynq";
  const char *json = argc > 2 ? argv[2] : NULL;
  cfg = isa_config_find(name);
  if (!cfg || cfg->d.inp_depth < 2 * NI || cfg->d.wgt_depth < 2 * NW || cfg->d.acc_depth < NI) {
    printf("FAIL config %s unknown or too small for this benchmark\n", name);
    return 1;
  }
  /* data image: micro-ops, then inputs and weights of every tile, then the output */
  uint64_t eb_i = cfg->elem_bytes[ISA_MEM_INP], eb_w = cfg->elem_bytes[ISA_MEM_WGT];
  uint64_t off_w = 4096, off_i = off_w + (uint64_t)TILES * NW * eb_w;
  uint64_t off_o = off_i + (uint64_t)TILES * NI * eb_i;
  uint64_t img_bytes = off_o + NI * cfg->elem_bytes[ISA_MEM_OUT];
  uint8_t *img = malloc(img_bytes), *img_f = malloc(img_bytes), *img_t = malloc(img_bytes);
  uint64_t r = 88172645463325252ull;
  for (uint64_t i = 0; i < img_bytes; i++) {
    r ^= r << 13, r ^= r >> 7, r ^= r << 17;
    img[i] = (uint8_t)r;
  }
  memset(img + off_o, 0, NI * cfg->elem_bytes[ISA_MEM_OUT]);
  uint32_t uops[3] = {isa_uop(cfg, 0, 0, 0), isa_uop(cfg, 0, NI, NW), isa_uop(cfg, 0, 0, 0)};
  memcpy(img, uops, sizeof uops);
  const uint64_t base = 0x10000000ull;
  { int fv[] = {ISA_F_mem, ISA_MEM_UOP, ISA_F_sram, 0, ISA_F_dram, (int)(base / 4), ISA_F_y_size, 1,
                ISA_F_x_size, 3, ISA_F_x_stride, 3, -1};
    emit(ISA_OP_LOAD, 0, fv); }
  gemm(1, 0, NI, 1, 1, 0, 0, 0, 0, 0, 0);  /* acc[0..64) = 0 */
  for (int t = 0; t < TILES; t++) {
    int h = t & 1;
    load(ISA_MEM_INP, (uint32_t)(h * NI), (uint32_t)((base + off_i + (uint64_t)t * NI * eb_i) / eb_i),
         NI, t >= 2 ? T_POPN : 0);
    load(ISA_MEM_WGT, (uint32_t)(h * NW), (uint32_t)((base + off_w + (uint64_t)t * NW * eb_w) / eb_w),
         NW, T_PUSHN);
    /* o: acc and input row; i: weight block (16 back-to-back iterations on acc[o]) */
    gemm(0, h, NI, NW, 1, 0, 1, 0, 0, 1, T_POPP | T_PUSHP);
  }
  alu(ISA_ALU_SHR, 10, NI, 0);
  alu(ISA_ALU_CLIP, (127 << 8) | 0x80, NI, T_PUSHN);
  { int fv[] = {ISA_F_mem, ISA_MEM_OUT, ISA_F_sram, 0, ISA_F_dram,
                (int)((base + off_o) / cfg->elem_bytes[ISA_MEM_OUT]), ISA_F_y_size, 1,
                ISA_F_x_size, NI, ISA_F_x_stride, NI, -1};
    emit(ISA_OP_STORE, T_POPP, fv); }
  { int fv[] = {-1}; emit(ISA_OP_FINISH, 0, fv); }

  uint64_t code_addr = base + (img_bytes + 8191) / 4096 * 4096;
  uint8_t *code = malloc((size_t)n_insns * 16);
  for (uint32_t i = 0; i < n_insns; i++) {
    memcpy(code + 16 * (size_t)i, &prog[i].w[0], 8);
    memcpy(code + 16 * (size_t)i + 8, &prog[i].w[1], 8);
  }
  memcpy(img_f, img, img_bytes);
  memcpy(img_t, img, img_bytes);
  drv_region rf[2] = {{base, img_bytes, img_f}, {code_addr, (uint64_t)n_insns * 16, code}};
  drv_region rt[2] = {{base, img_bytes, img_t}, {code_addr, (uint64_t)n_insns * 16, code}};

  fsim *fs = fsim_create(cfg);
  drv_counters cf, ct;
  drv_error ef, et;
  double t0 = now();
  int rc_f = fsim_run(fs, rf, 2, code_addr, n_insns, &cf, &ef);
  double t_fsim = now() - t0;
  CHECK(rc_f == DRV_OK, "fsim: %s", ef.message);

  tsim_api api;
  char err[1200];
  if (tsim_api_load(name, 0, &api, err, sizeof err) != 0) {
    printf("FAIL %s\n", err);
    return 1;
  }
  tsim *ts = api.create(NULL, err, sizeof err);
  if (!ts) {
    printf("FAIL tsim_create: %s\n", err);
    return 1;
  }
  uint64_t c0 = api.cycles(ts);
  t0 = now();
  int rc_t = api.run(ts, rt, 2, code_addr, n_insns, 0, &ct, &et);
  double t_tsim = now() - t0;
  uint64_t simulated = api.cycles(ts) - c0;
  CHECK(rc_t == DRV_OK, "tsim: %s", et.message);
  CHECK(memcmp(img_f, img_t, img_bytes) == 0, "tsim's output differs from fsim's");
  double util = ct.cycles ? (double)ct.gemm_cycles / (double)ct.cycles : 0;
  uint64_t ideal = (uint64_t)TILES * NI * NW;
  CHECK(ct.gemm_cycles == ideal + NI, "GEMM cycles expected %" PRIu64 ", got %" PRIu64, ideal + NI,
        ct.gemm_cycles);
  CHECK(util > 0.9, "GEMM utilization %.3f below 0.9", util);
  double err_pct = ct.cycles ? 100.0 * ((double)cf.cycles - (double)ct.cycles) / (double)ct.cycles : 0;
  char out[1024];
  snprintf(out, sizeof out,
           "{\"bench\": \"tsim_gemm\", \"config\": \"%s\", \"tiles\": %d, \"instructions\": %u, "
           "\"cycles\": %" PRIu64 ", \"gemm_cycles\": %" PRIu64 ", \"gemm_utilization\": %.4f, "
           "\"macs\": %" PRIu64 ", \"macs_per_cycle\": %.2f, \"bytes_read\": %" PRIu64 ", "
           "\"sim_cycles\": %" PRIu64 ", \"sim_seconds\": %.3f, \"sim_cycles_per_second\": %.0f, "
           "\"fsim_cycles\": %" PRIu64 ", \"fsim_error_pct\": %.2f, \"fsim_seconds\": %.4f}",
           name, TILES, n_insns, ct.cycles, ct.gemm_cycles, util, ct.macs,
           ct.cycles ? (double)ct.macs / (double)ct.cycles : 0.0, ct.bytes_read, simulated, t_tsim,
           t_tsim > 0 ? (double)simulated / t_tsim : 0.0, cf.cycles, err_pct, t_fsim);
  printf("%s\n", out);
  if (json) {
    FILE *f = fopen(json, "w");
    if (f) {
      fprintf(f, "%s\n", out);
      fclose(f);
    }
  }
  api.destroy(ts);
  tsim_api_unload(&api);
  fsim_destroy(fs);
  free(img);
  free(img_f);
  free(img_t);
  free(code);
  printf("%d passed, %d failed\n", n_pass, n_fail);
  return n_fail ? 1 : 0;
}
