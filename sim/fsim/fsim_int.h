/* sim/fsim/fsim_int.h -- fsim's internals shared by its files: the state of the on-chip
 * buffers (fsim_exec.c executes instructions on them, fsim_gemm.c does a GEMM's arithmetic) and
 * the scheduler (fsim.c: fetch, queues, tokens, timing, counters). Not a public header. */
#ifndef DLVTA_FSIM_INT_H
#define DLVTA_FSIM_INT_H

#include "fsim.h"

/* One run's view of DRAM, for range checks and host pointers. */
typedef struct fsim_dram {
  const drv_region *r;
  int n;
  drv_window w[DLVTA_REGS_WIN_COUNT]; /* the DRAM windows of the run */
  int nw;
} fsim_dram;

#define FSIM_RD_BURSTS_MAX 64 /* largest fsim_timing.rd_bursts */
#define FSIM_SC_MAX 32 /* source cache entries: min(32, acc_depth / 2), as the RTL */

/* The on-chip buffers. Lanes are stored in the ISA's element layout, so fsim_sram can hand out
 * raw elements (the host is little endian, checked in fsim.c). */
struct fsim {
  const isa_config *cfg;
  fsim_timing tm;
  unsigned nb, bi, bo;   /* BATCH, BLOCK_IN, BLOCK_OUT */
  unsigned inp_lanes;    /* nb * bi: int8 lanes of an input element */
  unsigned wgt_lanes;    /* bo * bi: int8 lanes of a weight element */
  unsigned acc_lanes;    /* nb * bo: lanes of an accumulator / output element */
  uint32_t *uop;         /* [uop_depth] micro-op words */
  int8_t *inp;           /* [inp_depth][BATCH][BLOCK_IN] */
  int8_t *wgt;           /* [wgt_depth][BLOCK_OUT][BLOCK_IN] */
  int simd;              /* FSIM_SIMD_*: the GEMM kernels fsim_gemm.c uses (fsim_x_simd_pick) */
  int16_t *wgt16;        /* NULL, or (plain C GEMM) wgt widened to int16 */
  int16_t *wgt16p;       /* NULL, or (the vector GEMM, fsim_x_vec_gemm) each weight element as
                          * [k / 2][BLOCK_OUT][k % 2] int16: for a pair of inputs, the pairs of
                          * weights of every output lane side by side */
  int wgt16_stale;       /* wgt may have changed through fsim_sram: refresh wgt16/wgt16p before use */
  uint32_t *urun;        /* [uop_depth + 1] scratch of the vector GEMM: where its runs start */
  int32_t *acc;          /* [acc_depth][BATCH][BLOCK_OUT] */
  int8_t *out;           /* [acc_depth][BATCH][BLOCK_OUT], low bytes of acc */
  int8_t *lut;           /* [ISA_LUT_DEPTH][BATCH][BLOCK_OUT]: entry k of lane l's table */
  /* scratch for one GEMM/ALU: its micro-ops decoded, and one operand element */
  uint32_t *ua, *us, *uw; /* [uop_depth] */
  int32_t *tmp;           /* [BATCH * BLOCK_OUT] */
  /* the RTL's source cache (config acc_copies = 1, rtl/dlvta_compute.v), for timing only:
   * FSIM_SC_NONE or the accumulator index that entry e (= index mod sc_n) holds */
  uint32_t sc_n;
  uint32_t sc_idx[FSIM_SC_MAX];
  /* ALU read-after-write timing: the issue cycle (relative to the instruction's first
   * iteration) of the last iteration of the current ALU op that wrote each accumulator element,
   * valid where hz_gen[e] == hz_cur */
  uint64_t *hz_go;  /* [acc_depth] */
  /* the DRAM windows (fsim_set_windows); n_win < 0: those covering each run's regions */
  drv_window win[DLVTA_REGS_WIN_COUNT];
  int n_win;
  uint32_t *hz_gen; /* [acc_depth] */
  uint32_t hz_cur;
  drv_trace_fn trace_fn;  /* fsim_set_trace: called per executed instruction, or NULL */
  void *trace_ctx;
};
#define FSIM_SC_NONE UINT32_MAX

/* The outcome of executing one instruction: its DRAM traffic and work, for timing/counters. */
typedef struct fsim_work {
  uint64_t rd_bytes, wr_bytes; /* DRAM bytes moved */
  uint64_t rows, row_bytes;    /* DRAM rows with data, and bytes in each */
  uint64_t row_elems;          /* elements in each row */
  uint64_t beats;              /* AXI data beats of all rows: the whole beats (tm.bytes_per_beat)
                                  covering each row, as the RTL's DMA moves them */
  uint64_t pads;               /* pad elements written (LOAD) */
  uint64_t iters;              /* GEMM/ALU micro-op iterations */
  uint64_t src_reads;          /* ALU reading acc[src]: its iterations (else 0) */
  uint64_t span;               /* ALU: cycles from the first iteration's issue to the last's, + 1 */
  uint64_t macs;               /* GEMM: useful MACs */
} fsim_work;

/* Execute one decoded, legal instruction (index idx, raw word w for messages) on s.
 * Returns DRV_OK and fills *wk, or DRV_E_EXEC with err filled (SRAM/DRAM range; in that case
 * the instruction has had no effect). */
int fsim_x_exec(fsim *s, const fsim_dram *dram, uint32_t idx, const isa_word *w,
                const isa_insn *in, fsim_work *wk, drv_error *err);

#define GEMM_MAX_BI 1024 /* largest BLOCK_IN fsim supports */

/* The loop nest of a GEMM or ALU: extents, micro-op range, and (GEMM) the outer and inner
 * factors of the accumulator, input and weight indices. */
typedef struct fsim_nest {
  uint64_t lo, li, ub, ue; /* loop_out, loop_in, uop range [ub, ue) */
  uint64_t fa[2], fx[2], fw[2];
} fsim_nest;

/* x86 hosts have SSE2 kernels, and AVX2 and AVX-512 ones chosen at run time (target attributes). */
#if defined(__SSE2__) && (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__)
#define FSIM_X86 1
#else
#define FSIM_X86 0
#endif

/* Kernels (fsim_gemm.c's GEMM, fsim.c's read bookkeeping), in increasing speed; all give the same
 * bits. */
enum { FSIM_SIMD_SCALAR, FSIM_SIMD_SSE2, FSIM_SIMD_AVX2, FSIM_SIMD_AVX512 /* + VNNI */ };
/* The best kernels of this CPU, capped by the environment's FSIM_SIMD (scalar, sse2, avx2; fsim.h). */
int fsim_x_simd_pick(void);
/* 1 if fsim has the vector GEMM (and so wgt16p, not wgt16): simd SSE2 or better, batch 1,
 * block_in 16, 32 or 64, block_out 16 or 32. */
int fsim_x_vec_gemm(const fsim *s);
/* Refresh wgt16 or wgt16p from wgt for weight elements [first, first+n). */
void fsim_x_wgt16(fsim *s, uint64_t first, uint64_t n);
/* The arithmetic of a GEMM without reset over nest n (micro-ops decoded into ua/us/uw, every
 * index checked): acc[a] += x . w, out mirroring; bias: each iteration first copies
 * acc[b0 + u - uop_begin] into acc[a]. */
void fsim_x_gemm(fsim *s, const fsim_nest *n, int bias, uint64_t b0);

/* Host pointer of device bytes [addr, addr+n) if they lie inside one region, else NULL. */
uint8_t *fsim_x_dram(const fsim_dram *dram, uint64_t addr, uint64_t n);

/* "insn N (disassembly)" into buf. */
void fsim_x_describe(const isa_config *cfg, uint32_t idx, const isa_word *w, char *buf, size_t n);

#endif
