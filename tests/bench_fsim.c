/* tests/bench_fsim.c -- fsim's speed and cycle estimate on a large double-buffered GEMM workload
 * (pynq by default): tiles of a 64 x 256 x 256 matrix product (rows x inputs x outputs), each
 * loading its inputs and weights into one buffer half while the other half computes, then
 * requantizing (SHR + CLIP) and storing. Prints GMAC/s of fsim (host time) and the estimated
 * accelerator cycles and MAC utilization; writes one JSON line to the file named by argv[1]
 * (default build/bench/fsim.json). Checks a sample of results against plain C and ends with
 * "N passed, N failed". Usage: bench_fsim [json-path [config [tiles]]]
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fsim.h"
#include "testutil.h"

static uint64_t rs = 88172645463325252ull;
static uint64_t rnd(void) {
  return tu_xorshift64(&rs);
}

static const isa_config *cfg;
static isa_word *insns;
static uint32_t n_insns, cap_insns;

static void emit(int op, int tok, const int *fv) {
  if (n_insns == cap_insns) {
    cap_insns = cap_insns ? 2 * cap_insns : 256;
    insns = realloc(insns, cap_insns * sizeof *insns);
  }
  insns[n_insns++] = tu_word(cfg, op, tok, fv);
}
enum { POPP = 1, POPN = 2, PUSHP = 4, PUSHN = 8 };

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t); /* CPU time: steadier on a shared machine */
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

int main(int argc, char **argv) {
  const char *json = argc > 1 ? argv[1] : "build/bench/fsim.json";
  cfg = isa_config_find(argc > 2 ? argv[2] : "pynq");
  int T = argc > 3 ? atoi(argv[3]) : 72;
  if (!cfg || T < 1) {
    fprintf(stderr, "usage: bench_fsim [json-path [config [tiles]]]\n");
    return 2;
  }
  const isa_derived *d = &cfg->d;
  /* per tile: R rows x K input blocks x N output blocks, in halves of each buffer */
  unsigned K = 16, N = 16, R = 64;
  while (R * K > d->inp_depth / 2 || R * N > d->acc_depth / 2) R /= 2;
  while (N * K > d->wgt_depth / 2) N /= 2, K = N;
  if (!R) R = 1;
  unsigned hi = d->inp_depth / 2, hw = d->wgt_depth / 2, ha = d->acc_depth / 2;
  uint64_t eb_inp = cfg->elem_bytes[ISA_MEM_INP], eb_wgt = cfg->elem_bytes[ISA_MEM_WGT];
  uint64_t eb_out = cfg->elem_bytes[ISA_MEM_OUT];
  /* image: uops, inputs, weights (shared by all tiles), outputs (one area per tile) */
  uint64_t off_uop = 0, n_uop = 2 * (N + 2);
  uint64_t off_inp = 4096, off_wgt = off_inp + (uint64_t)R * K * eb_inp;
  off_wgt = (off_wgt + eb_wgt - 1) / eb_wgt * eb_wgt;
  uint64_t off_out = off_wgt + (uint64_t)N * K * eb_wgt;
  uint64_t out_bytes = (uint64_t)R * N * eb_out;
  uint64_t size = off_out + (uint64_t)T * out_bytes;
  uint8_t *img = calloc(size, 1);
  for (uint64_t i = off_inp; i < off_out; i++) img[i] = (uint8_t)rnd();
  /* uops per half h: N gemm uops (a = j, x = 0, w = j*K), a reset uop, an alu uop */
  uint32_t *u = (uint32_t *)(img + off_uop);
  for (unsigned h = 0; h < 2; h++) {
    for (unsigned j = 0; j < N; j++) u[h * (N + 2) + j] = isa_uop(cfg, h * ha + j, h * hi, h * hw + j * K);
    u[h * (N + 2) + N] = isa_uop(cfg, h * ha, 0, 0);
    u[h * (N + 2) + N + 1] = isa_uop(cfg, h * ha, h * ha, 0);
  }
  int f_uop[] = {ISA_F_mem, ISA_MEM_UOP, ISA_F_sram, 0, ISA_F_dram, 0, ISA_F_y_size, 1,
                 ISA_F_x_size, (int)n_uop, ISA_F_x_stride, (int)n_uop, -1};
  emit(ISA_OP_LOAD, 0, f_uop);
  for (int t = 0; t < T; t++) {
    unsigned h = (unsigned)t % 2, ub = h * (N + 2);
    int fi[] = {ISA_F_mem, ISA_MEM_INP, ISA_F_sram, (int)(h * hi), ISA_F_dram, (int)(off_inp / eb_inp),
                ISA_F_y_size, (int)R, ISA_F_x_size, (int)K, ISA_F_x_stride, (int)K, -1};
    emit(ISA_OP_LOAD, t >= 2 ? POPN : 0, fi);
    int fw[] = {ISA_F_mem, ISA_MEM_WGT, ISA_F_sram, (int)(h * hw), ISA_F_dram, (int)(off_wgt / eb_wgt),
                ISA_F_y_size, 1, ISA_F_x_size, (int)(N * K), ISA_F_x_stride, (int)(N * K), -1};
    emit(ISA_OP_LOAD, PUSHN, fw);
    int fr[] = {ISA_F_reset, 1, ISA_F_uop_begin, (int)(ub + N), ISA_F_uop_end, (int)(ub + N + 1),
                ISA_F_loop_out, (int)(R * N), ISA_F_loop_in, 1, ISA_F_acc_out, 1, -1};
    emit(ISA_OP_GEMM, POPP | (t >= 2 ? POPN : 0), fr);
    /* acc[r][j] += inp[r][k] . wgt[j][k] over r (outer), k (inner), j (uops) */
    int fg[] = {ISA_F_uop_begin, (int)ub, ISA_F_uop_end, (int)(ub + N), ISA_F_loop_out, (int)R,
                ISA_F_loop_in, (int)K, ISA_F_acc_out, (int)N, ISA_F_inp_out, (int)K, ISA_F_inp_in, 1,
                ISA_F_wgt_in, 1, -1};
    emit(ISA_OP_GEMM, 0, fg);
    int fs[] = {ISA_F_alu_op, ISA_ALU_SHR, ISA_F_use_imm, 1, ISA_F_imm, 9, ISA_F_uop_begin, (int)(ub + N + 1),
                ISA_F_uop_end, (int)(ub + N + 2), ISA_F_loop_out, (int)(R * N), ISA_F_loop_in, 1,
                ISA_F_dst_out, 1, ISA_F_src_out, 1, -1};
    emit(ISA_OP_ALU, 0, fs);
    int fc[] = {ISA_F_alu_op, ISA_ALU_CLIP, ISA_F_use_imm, 1, ISA_F_imm, 0x7f80, ISA_F_uop_begin, (int)(ub + N + 1),
                ISA_F_uop_end, (int)(ub + N + 2), ISA_F_loop_out, (int)(R * N), ISA_F_loop_in, 1,
                ISA_F_dst_out, 1, ISA_F_src_out, 1, -1};
    emit(ISA_OP_ALU, PUSHN | (t + 2 < T ? PUSHP : 0), fc);
    int fo[] = {ISA_F_mem, ISA_MEM_OUT, ISA_F_sram, (int)(h * ha), ISA_F_dram,
                (int)((off_out + (uint64_t)t * out_bytes) / eb_out), ISA_F_y_size, 1, ISA_F_x_size, (int)(R * N),
                ISA_F_x_stride, (int)(R * N), -1};
    emit(ISA_OP_STORE, POPP | (t + 2 < T ? PUSHP : 0), fo);
  }
  int ff[] = {-1};
  emit(ISA_OP_FINISH, 0, ff);

  isa_prog prog = {cfg, insns, n_insns, img, size};
  uint8_t *run_img = malloc(size);
  memcpy(run_img, img, size);
  fsim *s = fsim_create(cfg);
  drv_counters c;
  drv_error e;
  double t0 = now();
  int rc = fsim_run_prog(s, &prog, run_img, &c, &e);
  double secs = now() - t0;
  CHECK(rc == DRV_OK, "bench run: %s", e.message);
  uint64_t want_macs = (uint64_t)T * R * K * N * d->batch * d->block_in * d->block_out;
  CHECK(c.macs == want_macs, "macs expected %" PRIu64 " got %" PRIu64, want_macs, c.macs);

  /* sample results against plain C: out[t][r][j][lane] */
  unsigned bo = d->block_out, bi = d->block_in, nb = d->batch;
  for (int k = 0; k < 200 && rc == DRV_OK; k++) {
    int t = (int)(rnd() % (uint64_t)T);
    unsigned r = (unsigned)(rnd() % R), j = (unsigned)(rnd() % N), b = (unsigned)(rnd() % nb), l = (unsigned)(rnd() % bo);
    int64_t acc = 0;
    for (unsigned kb = 0; kb < K; kb++)
      for (unsigned q = 0; q < bi; q++)
        acc += (int64_t)(int8_t)img[off_inp + ((uint64_t)r * K + kb) * eb_inp + b * bi + q] *
               (int8_t)img[off_wgt + ((uint64_t)j * K + kb) * eb_wgt + (uint64_t)l * bi + q];
    int64_t v = (acc + 256) >> 9; /* SHR 9 rounds half up */
    v = v < -128 ? -128 : v > 127 ? 127 : v;
    int8_t got = (int8_t)run_img[off_out + (uint64_t)t * out_bytes + ((uint64_t)r * N + j) * eb_out + b * bo + l];
    CHECK(got == v, "tile %d row %u block %u lane %u: expected %d got %d", t, r, j, l, (int)v, got);
  }

  double gmacs = (double)c.macs / secs / 1e9;
  double util = (double)c.macs / ((double)c.cycles * nb * bi * bo);
  double accel_ms = (double)c.cycles / (d->clock_mhz * 1e3);
  printf("fsim %s: %u tiles, %.1f MMAC in %.3f s: %.2f GMAC/s (%.1f M GEMM iterations/s)\n", d->name, T,
         (double)c.macs / 1e6, secs, gmacs, (double)c.gemm_cycles / secs / 1e6);
  printf("estimate: %" PRIu64 " cycles (%.2f ms at %u MHz), MAC utilization %.1f %%, busy load %" PRIu64
         " compute %" PRIu64 " store %" PRIu64 ", DRAM read %.1f MB written %.1f MB\n",
         c.cycles, accel_ms, d->clock_mhz, 100 * util, c.unit_busy[0], c.unit_busy[1], c.unit_busy[2],
         (double)c.bytes_read / 1e6, (double)c.bytes_written / 1e6);
  FILE *f = fopen(json, "w");
  if (f) {
    fprintf(f,
            "{\"bench\":\"fsim\",\"config\":\"%s\",\"tiles\":%d,\"macs\":%" PRIu64 ",\"seconds\":%.4f,"
            "\"gmac_per_s\":%.3f,\"est_cycles\":%" PRIu64 ",\"est_ms\":%.3f,\"mac_utilization\":%.4f,"
            "\"bytes_read\":%" PRIu64 ",\"bytes_written\":%" PRIu64 "}\n",
            d->name, T, c.macs, secs, gmacs, c.cycles, accel_ms, util, c.bytes_read, c.bytes_written);
    fclose(f);
  } else {
    printf("note: cannot write %s\n", json);
  }
  fsim_destroy(s);
  free(run_img);
  free(img);
  free(insns);
  return TEST_END();
}
