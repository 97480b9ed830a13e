/* ref/ref_nn.c -- the reference executor's heavy kernels: convolution by im2col and a
 * cache-blocked float GEMM, Gemm, batched MatMul, max/average/global pooling (1-3 spatial axes),
 * and the exact-integer QLinearConv / QLinearMatMul. 1-D and 2-D spatial cases run as 3-D with
 * leading extents of 1. See ref_internal.h. */
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ref_internal.h"

#define CERR(...) ir_node_err(c->g, c->n, c->err, c->errlen, __VA_ARGS__)

static int64_t numel(const ir_value *v) { return ir_type_numel(&v->type); }

/* Scratch memory for count elements of size es, or NULL when it is too large to address
 * (IR_MAX_TENSOR_BYTES, or half the address space on 32-bit hosts) or memory runs out. */
static void *scratch(int64_t count, size_t es) {
  uint64_t lim = IR_MAX_TENSOR_BYTES < (uint64_t)SIZE_MAX / 2 ? IR_MAX_TENSOR_BYTES : (uint64_t)SIZE_MAX / 2;
  if (count < 0 || (uint64_t)count > lim / es) return NULL;
  return malloc((size_t)count * es + 1);
}

/* ---- float GEMM ----
 * Blocked over N (GEMM_NB) and K (GEMM_KB); each K x NR panel of B is packed contiguously and a
 * MR x NR block of C is accumulated in a local array the compiler keeps in vector registers. */

enum { GEMM_NB = 512, GEMM_KB = 256, GEMM_MR = 4, GEMM_NR = 8 };
#ifndef GEMM_DIRECT_ROWS
#define GEMM_DIRECT_ROWS 128
#endif

/* c[mr][nr] (ldc) += a[MR][kn] (lda) * bp[kn][NR]. */
static void sgemm_kernel(int kn, const float *a, int lda, const float *bp, int ldbp, float *c, int ldc, int mr, int nr) {
  float acc[GEMM_MR][GEMM_NR];
  memset(acc, 0, sizeof acc);
  for (int k = 0; k < kn; k++) {
    const float *b = bp + (size_t)k * ldbp;
    for (int r = 0; r < GEMM_MR; r++) {
      float av = a[r * lda + k];
      for (int j = 0; j < GEMM_NR; j++) acc[r][j] += av * b[j];
    }
  }
  for (int r = 0; r < mr; r++)
    for (int j = 0; j < nr; j++) c[(size_t)r * ldc + j] += acc[r][j];
}

/* Unpacked fallback (no scratch memory). */
static void sgemm_simple(int M, int N, int K, const float *A, int lda, const float *B, int ldb, float *C, int ldc) {
  for (int i = 0; i < M; i++)
    for (int k = 0; k < K; k++) {
      float a = A[(size_t)i * lda + k];
      const float *b = B + (size_t)k * ldb;
      float *c = C + (size_t)i * ldc;
      for (int j = 0; j < N; j++) c[j] += a * b[j];
    }
}

/* A register-block kernel: c[mr][nr] (ldc) += a[MR][kn] (lda) * bp[kn][NR] (row stride ldbp),
 * with mr <= MR and nr <= NR (a has MR readable rows, bp a K x NR panel: packed (ldbp = NR,
 * zero past nr) or in place in B (ldbp = ldb, nr = NR)). */
typedef void (*sgemm_kernel_fn)(int kn, const float *a, int lda, const float *bp, int ldbp, float *c, int ldc, int mr,
                                int nr);

/* C[M][N] += A * B, blocked over N (GEMM_NB) and K (GEMM_KB) for the kernel (MR x NR register
 * block): each K x NR panel of B packed contiguously, a last partial block of MR rows of A
 * copied into zero-padded scratch. 0, or -1 without scratch memory (nothing done). The one
 * driver of the portable, AVX2 and AVX-512 kernels. */
static int sgemm_blocked(int M, int N, int K, const float *A, int lda, const float *B, int ldb, float *C, int ldc,
                         sgemm_kernel_fn kernel, int MR, int NR) {
  int nb = N < GEMM_NB ? N : GEMM_NB, kb = K < GEMM_KB ? K : GEMM_KB;
  /* few row blocks reuse a packed panel too little to pay for packing it: whole panels are
   * read in place (the same products and sums: results do not change) */
  int direct = M <= GEMM_DIRECT_ROWS;
  float *bp = malloc(sizeof(float) * (size_t)kb * (size_t)(nb + NR));
  float *apad = malloc(sizeof(float) * (size_t)MR * (size_t)kb);
  if (!bp || !apad) {
    free(bp);
    free(apad);
    return -1;
  }
  for (int j0 = 0; j0 < N; j0 += GEMM_NB) {
    int jn = N - j0 < GEMM_NB ? N - j0 : GEMM_NB;
    for (int k0 = 0; k0 < K; k0 += GEMM_KB) {
      int kn = K - k0 < GEMM_KB ? K - k0 : GEMM_KB;
      for (int jp = 0; jp < jn; jp += NR) {
        float *dst = bp + (size_t)(jp / NR) * kn * NR;
        int nr = jn - jp < NR ? jn - jp : NR;
        if (direct && nr == NR) continue; /* read in place */
        for (int k = 0; k < kn; k++) {
          const float *src = B + (size_t)(k0 + k) * ldb + j0 + jp;
          if (nr == NR) {
            memcpy(dst + (size_t)k * NR, src, (size_t)NR * sizeof(float));
          } else {
            for (int j = 0; j < NR; j++) dst[(size_t)k * NR + j] = j < nr ? src[j] : 0.0f;
          }
        }
      }
      for (int i = 0; i < M; i += MR) {
        int mr = M - i < MR ? M - i : MR;
        const float *a = A + (size_t)i * lda + k0;
        int la = lda;
        if (mr < MR) {
          memset(apad, 0, sizeof(float) * (size_t)MR * (size_t)kb);
          for (int r = 0; r < mr; r++) memcpy(apad + (size_t)r * kb, a + (size_t)r * lda, (size_t)kn * sizeof(float));
          a = apad;
          la = kb;
        }
        for (int jp = 0; jp < jn; jp += NR) {
          int nr = jn - jp < NR ? jn - jp : NR;
          if (direct && nr == NR)
            kernel(kn, a, la, B + (size_t)k0 * ldb + j0 + jp, ldb, C + (size_t)i * ldc + j0 + jp, ldc, mr, nr);
          else
            kernel(kn, a, la, bp + (size_t)(jp / NR) * kn * NR, NR, C + (size_t)i * ldc + j0 + jp, ldc, mr, nr);
        }
      }
    }
  }
  free(bp);
  free(apad);
  return 0;
}

/* C[M][N] += A * B, portable version. */
static void sgemm_generic(int M, int N, int K, const float *A, int lda, const float *B, int ldb, float *C, int ldc) {
  /* a few rows (depthwise convs): packing would mostly compute padding; no scratch: unpacked */
  if (M < GEMM_MR || sgemm_blocked(M, N, K, A, lda, B, ldb, C, ldc, sgemm_kernel, GEMM_MR, GEMM_NR) != 0)
    sgemm_simple(M, N, K, A, lda, B, ldb, C, ldc);
}

#if (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__)
/* ---- AVX2/FMA path (chosen at run time when the CPU has it) ----
 * The same blocking with a 6 x 16 register block: 12 ymm accumulators, B packed in K x 16
 * panels, A read in place (6 row streams). FMA rounds once per multiply-add, so results can
 * differ from the portable path in the last bits (the reference's tolerance covers it). */
#include <immintrin.h>
/* the register block's row loops unrolled: the accumulators stay in vector registers (a rolled
 * loop keeps them in memory, one store-to-load round trip per multiply-add) */
#define REF_UNROLL _Pragma("GCC unroll 8")
#define AVX_MR 6
#define AVX_NR 16

__attribute__((target("avx2,fma"))) static void sgemm_kernel_avx2(int kn, const float *a, int lda, const float *bp,
                                                                   int ldbp, float *c, int ldc, int mr, int nr) {
  __m256 acc[AVX_MR][2];
  REF_UNROLL for (int r = 0; r < AVX_MR; r++) acc[r][0] = acc[r][1] = _mm256_setzero_ps();
  for (int k = 0; k < kn; k++) {
    __m256 b0 = _mm256_loadu_ps(bp + (size_t)k * ldbp), b1 = _mm256_loadu_ps(bp + (size_t)k * ldbp + 8);
    REF_UNROLL for (int r = 0; r < AVX_MR; r++) {
      __m256 av = _mm256_broadcast_ss(a + (size_t)r * lda + k);
      acc[r][0] = _mm256_fmadd_ps(av, b0, acc[r][0]);
      acc[r][1] = _mm256_fmadd_ps(av, b1, acc[r][1]);
    }
  }
  if (nr == AVX_NR) {
    for (int r = 0; r < mr; r++) {
      float *cr = c + (size_t)r * ldc;
      _mm256_storeu_ps(cr, _mm256_add_ps(_mm256_loadu_ps(cr), acc[r][0]));
      _mm256_storeu_ps(cr + 8, _mm256_add_ps(_mm256_loadu_ps(cr + 8), acc[r][1]));
    }
    return;
  }
  float t[AVX_MR][AVX_NR];
  for (int r = 0; r < AVX_MR; r++) {
    _mm256_storeu_ps(t[r], acc[r][0]);
    _mm256_storeu_ps(t[r] + 8, acc[r][1]);
  }
  for (int r = 0; r < mr; r++)
    for (int j = 0; j < nr; j++) c[(size_t)r * ldc + j] += t[r][j];
}

/* C[M][N] += A * B with the AVX2 kernel; 0, or -1 without scratch memory (nothing done). */
static int sgemm_avx2(int M, int N, int K, const float *A, int lda, const float *B, int ldb, float *C, int ldc) {
  return sgemm_blocked(M, N, K, A, lda, B, ldb, C, ldc, sgemm_kernel_avx2, AVX_MR, AVX_NR);
}

#define A5_MR 8
#define A5_NR 32
__attribute__((target("avx512f"))) static void sgemm_kernel_avx512(int kn, const float *a, int lda, const float *bp,
                                                                   int ldbp, float *c, int ldc, int mr, int nr) {
  __m512 acc[A5_MR][2];
  REF_UNROLL for (int r = 0; r < A5_MR; r++) acc[r][0] = acc[r][1] = _mm512_setzero_ps();
  for (int k = 0; k < kn; k++) {
    __m512 b0 = _mm512_loadu_ps(bp + (size_t)k * ldbp), b1 = _mm512_loadu_ps(bp + (size_t)k * ldbp + 16);
    REF_UNROLL for (int r = 0; r < A5_MR; r++) {
      __m512 av = _mm512_set1_ps(a[(size_t)r * lda + k]);
      acc[r][0] = _mm512_fmadd_ps(av, b0, acc[r][0]);
      acc[r][1] = _mm512_fmadd_ps(av, b1, acc[r][1]);
    }
  }
  if (nr == A5_NR) {
    for (int r = 0; r < mr; r++) {
      float *cr = c + (size_t)r * ldc;
      _mm512_storeu_ps(cr, _mm512_add_ps(_mm512_loadu_ps(cr), acc[r][0]));
      _mm512_storeu_ps(cr + 16, _mm512_add_ps(_mm512_loadu_ps(cr + 16), acc[r][1]));
    }
    return;
  }
  float t[A5_MR][A5_NR];
  for (int r = 0; r < A5_MR; r++) {
    _mm512_storeu_ps(t[r], acc[r][0]);
    _mm512_storeu_ps(t[r] + 16, acc[r][1]);
  }
  for (int r = 0; r < mr; r++)
    for (int j = 0; j < nr; j++) c[(size_t)r * ldc + j] += t[r][j];
}

/* C[M][N] += A * B with the AVX-512 kernel (8 x 32 register block); 0, or -1 without scratch memory (nothing done). */
static int sgemm_avx512(int M, int N, int K, const float *A, int lda, const float *B, int ldb, float *C, int ldc) {
  return sgemm_blocked(M, N, K, A, lda, B, ldb, C, ldc, sgemm_kernel_avx512, A5_MR, A5_NR);
}

/* 2: AVX-512F, 1: AVX2 + FMA, 0: neither, or DLVTA_REF_PORTABLE=1 in the environment: the
 * portable kernel, whose products and sums round as on any other CPU (the ARM boards' build:
 * tests/cross_qemu.sh compares the two bit for bit with it). */
static int have_avx2(void) {
  static int v = -1;
  if (v < 0) {
    const char *p = getenv("DLVTA_REF_PORTABLE");
    __builtin_cpu_init();
    v = p && *p && strcmp(p, "0") ? 0
        : __builtin_cpu_supports("avx512f") ? 2 : __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  }
  return v;
}
#else
static int have_avx2(void) { return 0; }
static int sgemm_avx2(int M, int N, int K, const float *A, int lda, const float *B, int ldb, float *C, int ldc) {
  (void)M, (void)N, (void)K, (void)A, (void)lda, (void)B, (void)ldb, (void)C, (void)ldc;
  return -1;
}
#define sgemm_avx512 sgemm_avx2
#endif

/* C[M][N] += A * B on one thread: the AVX2 path where the CPU has it, else the portable one. */
static void sgemm_one(int M, int N, int K, const float *A, int lda, const float *B, int ldb, float *C, int ldc) {
  if (M <= 0 || N <= 0 || K <= 0) return;
  int simd = M >= 4 ? have_avx2() : 0;
  if (simd == 2 && sgemm_avx512(M, N, K, A, lda, B, ldb, C, ldc) == 0) return;
  if (simd >= 1 && sgemm_avx2(M, N, K, A, lda, B, ldb, C, ldc) == 0) return;
  sgemm_generic(M, N, K, A, lda, B, ldb, C, ldc);
}

typedef struct sgemm_job {
  int M, N, K, lda, ldb, ldc;
  const float *A, *B;
  float *C;
} sgemm_job;

static void *sgemm_thread(void *arg) {
  sgemm_job *j = arg;
  sgemm_one(j->M, j->N, j->K, j->A, j->lda, j->B, j->ldb, j->C, j->ldc);
  return NULL;
}

/* Threads for one large GEMM: the online CPUs, at most REF_MAX_THREADS. */
#define REF_MAX_THREADS 4
static int ref_threads(void) {
  static int n = 0;
  if (!n) {
    long c = sysconf(_SC_NPROCESSORS_ONLN);
    n = c < 1 ? 1 : c > REF_MAX_THREADS ? REF_MAX_THREADS : (int)c;
  }
  return n;
}

/* ref_run's ref_opts.threads for the GEMMs of this thread's run (0: ref_threads()). */
_Thread_local int ref_gemm_threads;
_Thread_local ref_sgemm_fn ref_gemm_fn;

/* The columns of C are split into one contiguous range per thread (multiples of 16 wide) when
 * the product is large enough to pay for the threads (>= 2^22 multiply-adds); each range is an
 * independent GEMM, so the result does not depend on the thread count. */
void ref_sgemm(int M, int N, int K, const float *A, int lda, const float *B, int ldb, float *C, int ldc,
               int accumulate) {
  if (ref_gemm_fn && !accumulate && M > 0 && N > 0) { /* the run's caller's GEMM */
    if (K > 0) ref_gemm_fn(0, M, N, K, A, lda, B, ldb, C, ldc);
    else
      for (int i = 0; i < M; i++) memset(C + (size_t)i * ldc, 0, (size_t)N * sizeof(float));
    return;
  }
  if (!accumulate)
    for (int i = 0; i < M; i++) memset(C + (size_t)i * ldc, 0, (size_t)N * sizeof(float));
  if (M <= 0 || N <= 0 || K <= 0) return;
  int nt = ref_threads();
  if (ref_gemm_threads > 0 && ref_gemm_threads < nt) nt = ref_gemm_threads;
  if ((double)M * N * K < 4194304.0 || N < 32 * nt) nt = 1;
  if (nt > 1 && nt > N / 32) nt = N / 32;
  if (nt <= 1) {
    sgemm_one(M, N, K, A, lda, B, ldb, C, ldc);
    return;
  }
  sgemm_job jobs[REF_MAX_THREADS];
  pthread_t th[REF_MAX_THREADS];
  int started[REF_MAX_THREADS] = {0};
  int per = (N / nt + 15) / 16 * 16;
  for (int t = 0; t < nt; t++) {
    int j0 = t * per, j1 = t == nt - 1 ? N : (t + 1) * per;
    if (j1 > N) j1 = N;
    jobs[t] = (sgemm_job){M, j1 > j0 ? j1 - j0 : 0, K, lda, ldb, ldc, A, B + j0, C + j0};
  }
  for (int t = 1; t < nt; t++) started[t] = pthread_create(&th[t], NULL, sgemm_thread, &jobs[t]) == 0;
  sgemm_thread(&jobs[0]);
  for (int t = 1; t < nt; t++) {
    if (started[t]) pthread_join(th[t], NULL);
    else sgemm_thread(&jobs[t]); /* no thread: do its share here */
  }
}

/* Extents handed to ref_sgemm must fit its int arguments. */
static int fits_int(int64_t a, int64_t b, int64_t c) {
  return a >= 0 && b >= 0 && c >= 0 && a < INT32_MAX && b < INT32_MAX && c < INT32_MAX;
}

/* ---- geometry ---- */

/* Window geometry of a conv/pool node mapped to 3 spatial axes (leading axes extent 1). */
typedef struct geo3 {
  int64_t in[3], out[3];  /* input / output extents, elements */
  int64_t k[3], s[3], d[3]; /* kernel extent, stride, dilation */
  int64_t pb[3], pe[3];     /* padding before / after, elements */
  int64_t isz, osz, ksz;    /* products of in, out, k */
} geo3;

/* geo3 of node c->n for input type x (kernel from the weight when kw is given). */
static int geo_of(ref_call *c, const ir_type *x, const int64_t *kw, geo3 *g3) {
  int nsp = x->rank - 2;
  if (nsp < 1 || nsp > 3) return CERR("%d spatial axes not supported", nsp), IR_UNSUPPORTED;
  ir_window w;
  if (ir_window_geometry(c->g, c->n, x->dims + 2, nsp, kw, &w, c->err, c->errlen)) return IR_ERR;
  int off = 3 - nsp;
  for (int i = 0; i < 3; i++) {
    int k = i - off;
    g3->in[i] = k < 0 ? 1 : w.in[k];
    g3->out[i] = k < 0 ? 1 : w.out[k];
    g3->k[i] = k < 0 ? 1 : w.kernel[k];
    g3->s[i] = k < 0 ? 1 : w.stride[k];
    g3->d[i] = k < 0 ? 1 : w.dil[k];
    g3->pb[i] = k < 0 ? 0 : w.pad_b[k];
    g3->pe[i] = k < 0 ? 0 : w.pad_e[k];
  }
  g3->isz = g3->in[0] * g3->in[1] * g3->in[2];
  g3->osz = g3->out[0] * g3->out[1] * g3->out[2];
  g3->ksz = g3->k[0] * g3->k[1] * g3->k[2];
  return IR_OK;
}

/* col[(ci*ksz + kidx)][osz] = x[ci][window position] or 0 outside, for C channels. */
static void im2col_f(const float *x, int64_t C, const geo3 *g, float *col) {
  for (int64_t ci = 0; ci < C; ci++)
    for (int64_t k0 = 0; k0 < g->k[0]; k0++)
      for (int64_t k1 = 0; k1 < g->k[1]; k1++)
        for (int64_t k2 = 0; k2 < g->k[2]; k2++) {
          float *dst = col + ((ci * g->k[0] + k0) * g->k[1] * g->k[2] + k1 * g->k[2] + k2) * g->osz;
          const float *xc = x + ci * g->isz;
          for (int64_t o0 = 0; o0 < g->out[0]; o0++) {
            int64_t i0 = o0 * g->s[0] - g->pb[0] + k0 * g->d[0];
            for (int64_t o1 = 0; o1 < g->out[1]; o1++) {
              int64_t i1 = o1 * g->s[1] - g->pb[1] + k1 * g->d[1];
              float *d = dst + (o0 * g->out[1] + o1) * g->out[2];
              if (i0 < 0 || i0 >= g->in[0] || i1 < 0 || i1 >= g->in[1]) {
                memset(d, 0, (size_t)g->out[2] * sizeof(float));
                continue;
              }
              const float *row = xc + (i0 * g->in[1] + i1) * g->in[2];
              int64_t base = -g->pb[2] + k2 * g->d[2], s2 = g->s[2], n2 = g->out[2];
              /* o2 in [lo, hi) reads inside the row (i2 = o2 * s2 + base), zeros around it */
              int64_t lo = base >= 0 ? 0 : (-base + s2 - 1) / s2;
              int64_t hi = g->in[2] - base <= 0 ? 0 : (g->in[2] - base + s2 - 1) / s2;
              lo = lo < n2 ? lo : n2, hi = hi < n2 ? hi : n2, hi = hi > lo ? hi : lo;
              if (lo) memset(d, 0, (size_t)lo * sizeof(float));
              if (s2 == 1) memcpy(d + lo, row + lo + base, (size_t)(hi - lo) * sizeof(float));
              else
                for (int64_t o2 = lo; o2 < hi; o2++) d[o2] = row[o2 * s2 + base];
              if (hi < n2) memset(d + hi, 0, (size_t)(n2 - hi) * sizeof(float));
            }
          }
        }
}

/* The elementwise loops of the conv kernels in 8- / 16-wide vectors where the CPU has them (one
 * clone per target, chosen at load time); separate multiplies and adds as in the portable
 * build (no contraction), so the results are the same bits. */
#if (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__) && !defined(__clang__)
#define REF_VEC_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define REF_VEC_CLONES
#endif

/* Output row (o0, o1) of one depthwise channel: yr[o2] = the sum over the window's taps inside
 * the input, in kernel order (k0, k1, k2), of wm[tap] * x (from 0, a multiply then an add per
 * tap: the bits of a tap-by-tap sweep of the whole map, whatever the loop order outside a
 * tap). A whole row per call, every tap of it; lo[k2], hi[k2]: the outputs o2 whose column
 * tap k2 lies inside the input (depthwise_f). */
REF_VEC_CLONES static void depthwise_row(float *restrict yr, const float *restrict xc, const float *restrict wm,
                                         const geo3 *g, const int64_t *lo, const int64_t *hi, int64_t o0, int64_t o1) {
  int64_t n2 = g->out[2], s2 = g->s[2];
  for (int64_t o2 = 0; o2 < n2; o2++) yr[o2] = 0.0f;
  for (int64_t k0 = 0; k0 < g->k[0]; k0++) {
    int64_t i0 = o0 * g->s[0] - g->pb[0] + k0 * g->d[0];
    if (i0 < 0 || i0 >= g->in[0]) continue;
    for (int64_t k1 = 0; k1 < g->k[1]; k1++) {
      int64_t i1 = o1 * g->s[1] - g->pb[1] + k1 * g->d[1];
      if (i1 < 0 || i1 >= g->in[1]) continue;
      const float *row = xc + (i0 * g->in[1] + i1) * g->in[2];
      const float *wr = wm + (k0 * g->k[1] + k1) * g->k[2];
      for (int64_t k2 = 0; k2 < g->k[2]; k2++) {
        float wv = wr[k2];
        const float *xr = row + k2 * g->d[2] - g->pb[2];
        if (s2 == 1)
          for (int64_t o2 = lo[k2]; o2 <= hi[k2]; o2++) yr[o2] += wv * xr[o2];
        else
          for (int64_t o2 = lo[k2]; o2 <= hi[k2]; o2++) yr[o2] += wv * xr[o2 * s2];
      }
    }
  }
}

/* Depthwise conv (one input channel per group, Mg outputs each): y[n][c*Mg+j] = sum over the
 * window of x[n][c] * w[c*Mg+j], directly (im2col + GEMM would run one-row products), an output
 * row at a time (depthwise_row). IR_OK, or IR_ERR without memory. */
static int depthwise_f(const float *x, const float *w, float *y, int64_t N, int64_t C, int64_t Mg, const geo3 *g) {
  int64_t *lo = scratch(2 * g->k[2], sizeof(int64_t)), *hi = lo ? lo + g->k[2] : NULL;
  if (!lo) return IR_ERR;
  for (int64_t k2 = 0; k2 < g->k[2]; k2++) { /* o2 with 0 <= o2*s + base < in */
    int64_t base = k2 * g->d[2] - g->pb[2], s2 = g->s[2];
    lo[k2] = base >= 0 ? 0 : (-base + s2 - 1) / s2;
    hi[k2] = g->in[2] - 1 - base < 0 ? -1 : (g->in[2] - 1 - base) / s2;
    if (hi[k2] > g->out[2] - 1) hi[k2] = g->out[2] - 1;
  }
  for (int64_t n = 0; n < N; n++)
    for (int64_t c = 0; c < C; c++)
      for (int64_t j = 0; j < Mg; j++) {
        int64_t m = c * Mg + j;
        const float *xc = x + (n * C + c) * g->isz, *wm = w + m * g->ksz;
        float *ym = y + (n * C * Mg + m) * g->osz;
        for (int64_t o0 = 0; o0 < g->out[0]; o0++)
          for (int64_t o1 = 0; o1 < g->out[1]; o1++)
            depthwise_row(ym + (o0 * g->out[1] + o1) * g->out[2], xc, wm, g, lo, hi, o0, o1);
      }
  free(lo);
  return IR_OK;
}

/* y[i] = clamp(x[i] + bias + r[i]) over n elements (x: the product, y itself or a row of a
 * batch's product; r may be NULL; clamp only if asked), as straight loops the compiler
 * vectorizes. */
REF_VEC_CLONES static void conv_epilogue(float *y, const float *x, const float *r, float bias, int clamp, float lo,
                                         float hi, int64_t n) {
  if (r)
    for (int64_t p = 0; p < n; p++) y[p] = (x[p] + bias) + r[p];
  else
    for (int64_t p = 0; p < n; p++) y[p] = x[p] + bias;
  if (clamp)
    for (int64_t p = 0; p < n; p++) {
      float v = y[p] < lo ? lo : y[p];
      y[p] = v > hi ? hi : v;
    }
}

static int conv_finish(ref_call *c, float *py, const float *px, int64_t ldx, const float *pb, const float *pr, int64_t N,
                       int64_t M, int64_t osz);

/* Conv and dlvta.FusedConv (bias, residual R, activation "relu"/"clip"). */
int ref_conv(ref_call *c) {
  const ir_value *x = c->in[0], *w = c->in[1];
  const ir_value *b = c->n->n_in > 2 ? c->in[2] : NULL;
  const ir_value *res = c->n->op == IR_OP_FusedConv && c->n->n_in > 3 ? c->in[3] : NULL;
  ir_value *y = &c->out[0];
  if (x->type.dtype != IR_F32 || w->type.dtype != IR_F32 || (b && b->type.dtype != IR_F32))
    return CERR("conv inputs must be f32"), IR_UNSUPPORTED;
  geo3 g;
  int rc = geo_of(c, &x->type, w->type.dims + 2, &g);
  if (rc) return rc;
  int64_t N = x->type.dims[0], C = x->type.dims[1], M = w->type.dims[0];
  int64_t group = ir_attr_int(c->n, "group", 1), Cg = C / group, Mg = M / group, Kd = Cg * g.ksz;
  if (b && numel(b) != M) return CERR("bias has %lld entries, expected %lld", (long long)numel(b), (long long)M);
  if (res && (res->type.dtype != IR_F32 || numel(res) != numel(y)))
    return CERR("residual must be f32 of the output's size");
  if (!fits_int(Mg, g.osz, Kd)) return CERR("conv too large for the reference GEMM"), IR_UNSUPPORTED;
  int direct = g.ksz == 1 && g.s[0] == 1 && g.s[1] == 1 && g.s[2] == 1 && !g.pb[0] && !g.pb[1] && !g.pb[2] &&
               g.osz == g.isz;
  float *col = NULL;
  if (Cg == 1 && !direct) {
    if (depthwise_f(x->data, w->data, y->data, N, C, Mg, &g)) return CERR("out of memory");
  } else if (!direct) {
    if ((uint64_t)Kd * (uint64_t)g.osz > ((uint64_t)1 << 32)) return CERR("im2col buffer too large"), IR_UNSUPPORTED;
    col = scratch(Kd * g.osz, sizeof(float));
    if (!col) return CERR("out of memory");
  }
  const float *px = x->data, *pw = w->data;
  float *py = y->data;
  for (int64_t n = 0; n < N && (direct || col); n++)
    for (int64_t gi = 0; gi < group; gi++) {
      const float *xg = px + (n * C + gi * Cg) * g.isz;
      const float *src = xg;
      if (!direct) {
        im2col_f(xg, Cg, &g, col);
        src = col;
      }
      ref_sgemm((int)Mg, (int)g.osz, (int)Kd, pw + gi * Mg * Kd, (int)Kd, src, (int)g.osz,
                py + (n * M + gi * Mg) * g.osz, (int)g.osz, 0);
    }
  free(col);
  return conv_finish(c, py, py, g.osz, b ? b->data : NULL, res ? res->data : NULL, N, M, g.osz);
}

/* The conv's epilogue into y[N][M][osz] from the product's rows px[(n * M + m) * ldx ..] (px ==
 * py, ldx == osz: in place): bias pb[M] (or none), residual pr (like y, or none) and the
 * activation of a FusedConv. */
static int conv_finish(ref_call *c, float *py, const float *px, int64_t ldx, const float *pb, const float *pr, int64_t N,
                       int64_t M, int64_t osz) {
  const char *act = c->n->op == IR_OP_FusedConv ? ir_attr_string(c->n, "activation", "none") : "none";
  float lo = -INFINITY, hi = INFINITY;
  if (!strcmp(act, "relu")) {
    lo = 0;
  } else if (!strcmp(act, "clip")) {
    lo = ir_attr_float(c->n, "act_min", -INFINITY);
    hi = ir_attr_float(c->n, "act_max", INFINITY);
  } else if (strcmp(act, "none")) {
    return CERR("activation '%s' not supported", act), IR_UNSUPPORTED;
  }
  int clamp = strcmp(act, "none") != 0;
  for (int64_t n = 0; n < N; n++)
    for (int64_t m = 0; m < M; m++) {
      float *yy = py + (n * M + m) * osz;
      const float *rr = pr ? pr + (n * M + m) * osz : NULL;
      conv_epilogue(yy, px + (n * M + m) * ldx, rr, pb ? pb[m] : 0.0f, clamp, lo, hi, osz);
    }
  return IR_OK;
}

/* ConvTranspose geometry on 3 axes (leading axes extent 1), as geo_of. */
static int geo_convt(ref_call *c, const ir_type *x, const int64_t *kw, geo3 *g3) {
  int nsp = x->rank - 2;
  if (nsp < 1 || nsp > 3) return CERR("%d spatial axes not supported", nsp), IR_UNSUPPORTED;
  ir_window w;
  if (ir_convt_geometry(c->g, c->n, x->dims + 2, nsp, kw, &w, c->err, c->errlen)) return IR_ERR;
  for (int i = 0; i < 3; i++) {
    int k = i - (3 - nsp);
    g3->in[i] = k < 0 ? 1 : w.in[k], g3->out[i] = k < 0 ? 1 : w.out[k], g3->k[i] = k < 0 ? 1 : w.kernel[k];
    g3->s[i] = k < 0 ? 1 : w.stride[k], g3->d[i] = k < 0 ? 1 : w.dil[k];
    g3->pb[i] = k < 0 ? 0 : w.pad_b[k], g3->pe[i] = k < 0 ? 0 : w.pad_e[k];
  }
  g3->isz = g3->in[0] * g3->in[1] * g3->in[2];
  g3->osz = g3->out[0] * g3->out[1] * g3->out[2];
  g3->ksz = g3->k[0] * g3->k[1] * g3->k[2];
  return IR_OK;
}

/* ym[o] += xv * wm[k] for every tap k of input pixel (i0, i1, i2) that lands inside the output
 * (o = i*s - pb + k*d on each axis). */
static void convt_scatter(float *ym, const float *wm, float xv, const geo3 *g, int64_t i0, int64_t i1, int64_t i2) {
  for (int64_t k0 = 0; k0 < g->k[0]; k0++) {
    int64_t o0 = i0 * g->s[0] - g->pb[0] + k0 * g->d[0];
    if (o0 < 0 || o0 >= g->out[0]) continue;
    for (int64_t k1 = 0; k1 < g->k[1]; k1++) {
      int64_t o1 = i1 * g->s[1] - g->pb[1] + k1 * g->d[1];
      if (o1 < 0 || o1 >= g->out[1]) continue;
      float *yr = ym + (o0 * g->out[1] + o1) * g->out[2];
      const float *wr = wm + (k0 * g->k[1] + k1) * g->k[2];
      for (int64_t k2 = 0; k2 < g->k[2]; k2++) {
        int64_t o2 = i2 * g->s[2] - g->pb[2] + k2 * g->d[2];
        if (o2 >= 0 && o2 < g->out[2]) yr[o2] += xv * wr[k2];
      }
    }
  }
}

/* ConvTranspose: y[n][g*Mg+m][o] = B[g*Mg+m] + the sum over c of group g, input pixels i and
 * taps k with o = i*s - pb + k*d of x[n][c][i] * w[c][m][k] (W is [C, M/group, k...]); a
 * direct scatter of every input pixel, input channels in order. */
int ref_conv_transpose(ref_call *c) {
  const ir_value *x = c->in[0], *w = c->in[1], *b = c->n->n_in > 2 ? c->in[2] : NULL;
  ir_value *y = &c->out[0];
  if (x->type.dtype != IR_F32 || w->type.dtype != IR_F32 || (b && b->type.dtype != IR_F32))
    return CERR("ConvTranspose inputs must be f32"), IR_UNSUPPORTED;
  geo3 g;
  int rc = geo_convt(c, &x->type, w->type.dims + 2, &g);
  if (rc) return rc;
  int64_t N = x->type.dims[0], C = x->type.dims[1], group = ir_attr_int(c->n, "group", 1);
  int64_t Cg = C / group, Mg = w->type.dims[1], M = Mg * group;
  if (b && numel(b) != M) return CERR("bias has %lld entries, expected %lld", (long long)numel(b), (long long)M);
  const float *px = x->data, *pw = w->data;
  float *py = y->data;
  memset(py, 0, (size_t)numel(y) * sizeof(float));
  for (int64_t n = 0; n < N; n++)
    for (int64_t ci = 0; ci < C; ci++) {
      int64_t gi = ci / Cg;
      const float *xc = px + (n * C + ci) * g.isz;
      for (int64_t m = 0; m < Mg; m++) {
        float *ym = py + (n * M + gi * Mg + m) * g.osz;
        const float *wm = pw + (ci * Mg + m) * g.ksz;
        for (int64_t i0 = 0; i0 < g.in[0]; i0++)
          for (int64_t i1 = 0; i1 < g.in[1]; i1++)
            for (int64_t i2 = 0; i2 < g.in[2]; i2++) {
              float xv = xc[(i0 * g.in[1] + i1) * g.in[2] + i2];
              if (xv != 0.0f) convt_scatter(ym, wm, xv, &g, i0, i1, i2);
            }
      }
    }
  for (int64_t n = 0; b && n < N; n++)
    for (int64_t m = 0; m < M; m++) {
      float *ym = py + (n * M + m) * g.osz, bv = ((const float *)b->data)[m];
      for (int64_t p = 0; p < g.osz; p++) ym[p] += bv;
    }
  return IR_OK;
}

/* Scalar or per-channel parameter k of a quantization input (NULL: default 0). */
static double qparam(const ir_value *v, int64_t k) {
  if (!v) return 0;
  return ir_get_elem(v->type.dtype, v->data, numel(v) == 1 ? 0 : k);
}

static int check_qparam(ref_call *c, const ir_value *v, int64_t n, const char *what) {
  if (v && numel(v) != 1 && numel(v) != n) return CERR("%s has %lld entries, expected 1 or %lld", what,
                                                       (long long)numel(v), (long long)n);
  return IR_OK;
}

/* Requantize an int accumulator to the output type: saturate(round(acc * mult) + zp); an int32
 * output (ConvInteger, MatMulInteger) takes the accumulator itself. */
static void store_q(ir_dtype dt, void *y, int64_t i, double acc, double mult, double zp) {
  if (dt == IR_I32) {
    ((int32_t *)y)[i] = (int32_t)(uint32_t)(int64_t)acc; /* wraps as int32 accumulation */
    return;
  }
  double r = nearbyint(acc * mult) + zp;
  double lo = dt == IR_U8 ? 0 : -128, hi = dt == IR_U8 ? 255 : 127;
  ir_set_elem(dt, y, i, r < lo ? lo : r > hi ? hi : r);
}

/* The inputs of a QLinear product (QLinearConv, QLinearMatMul: a, its scale and zero point, b,
 * its scale and zero point, y's scale and zero point, QLinearConv's bias) or of an integer one
 * (ConvInteger, MatMulInteger: a, b, their optional zero points; no scales, no bias). */
static void q_operands(const ref_call *c, const ir_value **v) {
  const ir_value *const *in = c->in;
  int n_in = c->n->n_in;
  if (c->n->op == IR_OP_ConvInteger || c->n->op == IR_OP_MatMulInteger) {
    const ir_value *q[9] = {in[0], NULL, n_in > 2 ? in[2] : NULL, in[1], NULL, n_in > 3 ? in[3] : NULL, NULL, NULL, NULL};
    memcpy(v, q, sizeof q);
    return;
  }
  for (int k = 0; k < 9; k++) v[k] = k < n_in ? in[k] : NULL;
}

/* QLinearConv: int32 accumulation of (x - x_zp) * (w - w_zp[m]) + B[m], exact, then
 * requantized with x_scale * w_scale[m] / y_scale (per-channel weights allowed); ConvInteger:
 * the accumulation itself. */
int ref_qlinear_conv(ref_call *c) {
  const ir_value *v[9];
  q_operands(c, v);
  const ir_value *x = v[0], *xs = v[1], *xz = v[2], *w = v[3], *ws = v[4], *wz = v[5], *ys = v[6], *yz = v[7], *b = v[8];
  ir_value *y = &c->out[0];
  ir_dtype xd = x->type.dtype, wd = w->type.dtype;
  if ((xd != IR_U8 && xd != IR_I8) || (wd != IR_U8 && wd != IR_I8) || (b && b->type.dtype != IR_I32))
    return CERR("types %s/%s not supported", ir_dtype_name(xd), ir_dtype_name(wd)), IR_UNSUPPORTED;
  geo3 g;
  int rc = geo_of(c, &x->type, w->type.dims + 2, &g);
  if (rc) return rc;
  int64_t N = x->type.dims[0], C = x->type.dims[1], M = w->type.dims[0];
  int64_t group = ir_attr_int(c->n, "group", 1), Cg = C / group, Mg = M / group, Kd = Cg * g.ksz;
  if (check_qparam(c, xs, 1, "x_scale") || check_qparam(c, xz, 1, "x_zero_point") || check_qparam(c, ws, M, "w_scale") ||
      check_qparam(c, wz, M, "w_zero_point") || check_qparam(c, ys, 1, "y_scale") || check_qparam(c, yz, 1, "y_zero_point") ||
      (b && numel(b) != M))
    return IR_ERR;
  int32_t *col = scratch(Kd * g.osz, sizeof(int32_t));
  int64_t *acc = scratch(g.osz, sizeof(int64_t));
  if (!col || !acc) {
    free(col);
    free(acc);
    return CERR("out of memory");
  }
  int64_t xzp = (int64_t)qparam(xz, 0);
  double yzp = qparam(yz, 0), xsc = qparam(xs, 0), ysc = qparam(ys, 0);
  for (int64_t n = 0; n < N; n++)
    for (int64_t gi = 0; gi < group; gi++) {
      for (int64_t ci = 0; ci < Cg; ci++)
        for (int64_t kk = 0; kk < g.ksz; kk++) {
          int64_t k0 = kk / (g.k[1] * g.k[2]), k1 = kk / g.k[2] % g.k[1], k2 = kk % g.k[2];
          int32_t *d = col + (ci * g.ksz + kk) * g.osz;
          int64_t xb = (n * C + gi * Cg + ci) * g.isz;
          for (int64_t p = 0; p < g.osz; p++) {
            int64_t o0 = p / (g.out[1] * g.out[2]), o1 = p / g.out[2] % g.out[1], o2 = p % g.out[2];
            int64_t i0 = o0 * g.s[0] - g.pb[0] + k0 * g.d[0], i1 = o1 * g.s[1] - g.pb[1] + k1 * g.d[1],
                    i2 = o2 * g.s[2] - g.pb[2] + k2 * g.d[2];
            int in = i0 >= 0 && i0 < g.in[0] && i1 >= 0 && i1 < g.in[1] && i2 >= 0 && i2 < g.in[2];
            d[p] = in ? (int32_t)(ir_get_elem(xd, x->data, xb + (i0 * g.in[1] + i1) * g.in[2] + i2) - xzp) : 0;
          }
        }
      for (int64_t mm = 0; mm < Mg; mm++) {
        int64_t m = gi * Mg + mm;
        int64_t wzp = (int64_t)qparam(wz, m);
        for (int64_t p = 0; p < g.osz; p++) acc[p] = b ? ((const int32_t *)b->data)[m] : 0;
        for (int64_t k = 0; k < Kd; k++) {
          int64_t wv = (int64_t)ir_get_elem(wd, w->data, m * Kd + k) - wzp;
          if (!wv) continue;
          const int32_t *cr = col + k * g.osz;
          for (int64_t p = 0; p < g.osz; p++) acc[p] += wv * cr[p];
        }
        double mult = ys ? xsc * qparam(ws, m) / ysc : 0;
        for (int64_t p = 0; p < g.osz; p++) store_q(y->type.dtype, y->data, (n * M + m) * g.osz + p, (double)acc[p], mult, yzp);
      }
    }
  free(col);
  free(acc);
  return IR_OK;
}

/* ---- Gemm and MatMul ---- */

void ref_transpose(float *t, const float *a, int64_t rows, int64_t cols) {
  /* in 64x64 tiles: a plain column walk misses the cache on every element of a large fc
   * layer's weights (9216 x 4096 for AlexNet: seconds per call instead of tens of ms) */
  for (int64_t i0 = 0; i0 < rows; i0 += 64)
    for (int64_t j0 = 0; j0 < cols; j0 += 64)
      for (int64_t i = i0; i < rows && i < i0 + 64; i++)
        for (int64_t j = j0; j < cols && j < j0 + 64; j++) t[j * rows + i] = a[i * cols + j];
}

static float *transpose_copy(const float *a, int64_t rows, int64_t cols) {
  float *t = scratch(rows * cols, sizeof(float));
  if (t) ref_transpose(t, a, rows, cols);
  return t;
}

/* eight floats as one vector (GCC / clang vector extension; loads through memcpy: unaligned) */
typedef float ref_v8 __attribute__((vector_size(32)));

/* out[i][j] = x[i] . w[j] over K for four rows of x and two of w: each in eight interleaved
 * partial sums (lane q sums k = q mod 8, a multiply then an add), added pairwise, then the tail
 * k by k. The eight dot products run side by side (independent sums: the adds' latency hidden,
 * each loaded vector used four or two times); every one has the order of a dot product alone. */
REF_VEC_CLONES static void dot_4x2(const float *const *x, const float *const *w, int64_t K, float out[4][2]) {
  ref_v8 s00 = {0}, s01 = {0}, s10 = {0}, s11 = {0}, s20 = {0}, s21 = {0}, s30 = {0}, s31 = {0};
  int64_t k = 0;
  for (; k + 8 <= K; k += 8) {
    ref_v8 w0, w1, x0, x1, x2, x3;
    memcpy(&w0, w[0] + k, sizeof w0), memcpy(&w1, w[1] + k, sizeof w1);
    memcpy(&x0, x[0] + k, sizeof x0), memcpy(&x1, x[1] + k, sizeof x1);
    memcpy(&x2, x[2] + k, sizeof x2), memcpy(&x3, x[3] + k, sizeof x3);
    s00 = s00 + x0 * w0, s01 = s01 + x0 * w1, s10 = s10 + x1 * w0, s11 = s11 + x1 * w1;
    s20 = s20 + x2 * w0, s21 = s21 + x2 * w1, s30 = s30 + x3 * w0, s31 = s31 + x3 * w1;
  }
  ref_v8 sv[4][2] = {{s00, s01}, {s10, s11}, {s20, s21}, {s30, s31}};
  for (int i = 0; i < 4; i++)
    for (int j = 0; j < 2; j++) {
      float p[8];
      memcpy(p, &sv[i][j], sizeof p);
      float t = ((p[0] + p[1]) + (p[2] + p[3])) + ((p[4] + p[5]) + (p[6] + p[7]));
      for (int64_t kk = k; kk < K; kk++) t += x[i][kk] * w[j][kk];
      out[i][j] = t;
    }
}

/* y[i][j] = x[i] . w[j] over K for R rows of x and N rows of w (both [.][K]; a few rows times
 * B^T, a batch-1 fc layer: dot products over B's rows as stored, no transposed copy of the
 * weights), by dot_4x2 (rows past the last repeat it, their sums dropped); two rows of w at a
 * time, so that a batch's rows read each weight row once. */
static void gemm_dot_rows(const float *x, int64_t R, const float *w, int64_t N, int64_t K, float *y) {
  for (int64_t j = 0; j < N; j += 2)
    for (int64_t i = 0; i < R; i += 4) {
      const float *xr[4], *wr[2];
      float out[4][2];
      for (int r = 0; r < 4; r++) xr[r] = x + (i + r < R ? i + r : R - 1) * K;
      for (int r = 0; r < 2; r++) wr[r] = w + (j + r < N ? j + r : N - 1) * K;
      dot_4x2(xr, wr, K, out);
      for (int r = 0; r < 4 && i + r < R; r++)
        for (int q = 0; q < 2 && j + q < N; q++) y[(i + r) * N + j + q] = out[r][q];
    }
}

/* Gemm's epilogue on y[M][N]: times alpha, plus beta * C (scalar, [N], [M,1] or [M,N]; or none). */
static void gemm_epilogue(float *py, int64_t M, int64_t N, float alpha, float beta, const ir_value *cc) {
  if (alpha != 1.0f)
    for (int64_t i = 0; i < M * N; i++) py[i] *= alpha;
  if (cc) {
    const float *pc = cc->data;
    int r = cc->type.rank;
    int64_t cm = r == 2 ? cc->type.dims[0] : 1, cn = r >= 1 ? cc->type.dims[r - 1] : 1;
    for (int64_t i = 0; i < M; i++)
      for (int64_t j = 0; j < N; j++) py[i * N + j] += beta * pc[(cm == 1 ? 0 : i) * cn + (cn == 1 ? 0 : j)];
  }
}

/* op(A) op(B) into y[rows][N] for A's rows (rows, each sample's Ms: with B^T and Ms <= 4, dot
 * products, else the GEMM, whose path depends on Ms alone: ref_sgemm of Ms >= 4 rows gives every
 * row the same bits as of more; the run's caller's GEMM, when it has one, for the GEMMs with A
 * not transposed). IR_OK or an error. */
static int gemm_core(ref_call *c, const float *pa, int ta, int tb, int64_t rows, int64_t Ms, int64_t N, int64_t K,
                     const float *pbw, float *y) {
  if (!ta && tb && Ms <= 4) { /* a batch's few rows each read the weights in place (any caller's GEMM would pack them) */
    gemm_dot_rows(pa, rows, pbw, N, K, y);
    return IR_OK;
  }
  if (ref_gemm_fn && !ta && tb && rows > 0 && N > 0 && K > 0) { /* the caller's GEMM takes B^T as it lies */
    ref_gemm_fn(1, (int)rows, (int)N, (int)K, pa, (int)K, pbw, (int)K, y, (int)N);
    return IR_OK;
  }
  const float *pb = pbw;
  float *ta_buf = NULL, *tb_buf = NULL;
  if (ta && !(pa = ta_buf = transpose_copy(pa, K, rows))) return CERR("out of memory");
  if (tb && !(pb = tb_buf = transpose_copy(pbw, N, K))) {
    free(ta_buf);
    return CERR("out of memory");
  }
  ref_sgemm((int)rows, (int)N, (int)K, pa, (int)K, pb, (int)N, y, (int)N, 0);
  free(ta_buf);
  free(tb_buf);
  return IR_OK;
}

/* Gemm: alpha * op(A) op(B) + beta * C, C broadcast from scalar, [N], [M,1] or [M,N]. */
int ref_gemm(ref_call *c) {
  const ir_value *a = c->in[0], *b = c->in[1], *cc = c->n->n_in > 2 ? c->in[2] : NULL;
  ir_value *y = &c->out[0];
  if (a->type.dtype != IR_F32 || b->type.dtype != IR_F32 || (cc && cc->type.dtype != IR_F32))
    return CERR("Gemm inputs must be f32"), IR_UNSUPPORTED;
  int ta = (int)ir_attr_int(c->n, "transA", 0), tb = (int)ir_attr_int(c->n, "transB", 0);
  float alpha = ir_attr_float(c->n, "alpha", 1.0f), beta = ir_attr_float(c->n, "beta", 1.0f);
  int64_t M = y->type.dims[0], N = y->type.dims[1], K = ta ? a->type.dims[0] : a->type.dims[1];
  if (!fits_int(M, N, K)) return CERR("Gemm too large for the reference GEMM"), IR_UNSUPPORTED;
  int rc = gemm_core(c, a->data, ta, tb, M, M, N, K, b->data, y->data);
  if (rc == IR_OK) gemm_epilogue(y->data, M, N, alpha, beta, cc);
  return rc;
}

/* Matrix extents of a (batched) MatMul / QLinearMatMul and its number of output matrices. */
typedef struct mm_shape {
  int64_t M, N, K, batches; /* A is [.., M, K], B [.., K, N]; batches = output matrices */
} mm_shape;

/* Shapes of a (batched, broadcast) matmul of at and bt: M, N, K, the batch count and, per output
 * matrix, the element offsets of its A and B matrices (malloc'ed in *aoffs, *boffs). */
static int mm_plan(ref_call *c, const ir_type *at, const ir_type *bt, const ir_type *yt, int64_t **aoffs,
                   int64_t **boffs, mm_shape *s) {
  ir_type a = *at, b = *bt;
  if (a.rank == 1) {
    a.rank = 2;
    a.dims[1] = a.dims[0];
    a.dims[0] = 1;
  }
  if (b.rank == 1) {
    b.rank = 2;
    b.dims[1] = 1;
  }
  s->M = a.dims[a.rank - 2];
  s->K = a.dims[a.rank - 1];
  s->N = b.dims[b.rank - 1];
  ir_type ab = a, bb = b, ob;
  ab.rank -= 2;
  bb.rank -= 2;
  if (ir_broadcast(&ab, &bb, &ob)) return CERR("batch dimensions do not broadcast");
  s->batches = ir_type_numel(&ob);
  (void)yt;
  *aoffs = scratch(s->batches, sizeof(int64_t));
  *boffs = scratch(s->batches, sizeof(int64_t));
  if (!*aoffs || !*boffs) {
    free(*aoffs);
    free(*boffs);
    return CERR("out of memory");
  }
  int64_t sa[IR_MAX_DIMS] = {0}, sb[IR_MAX_DIMS] = {0}, idx[IR_MAX_DIMS] = {0};
  /* strides in matrices, 0 on broadcast axes */
  int64_t ma = 1, mb = 1;
  for (int i = ob.rank - 1; i >= 0; i--) {
    int ka = i - (ob.rank - ab.rank), kb = i - (ob.rank - bb.rank);
    int64_t da = ka >= 0 ? ab.dims[ka] : 1, db = kb >= 0 ? bb.dims[kb] : 1;
    sa[i] = da == 1 ? 0 : ma;
    sb[i] = db == 1 ? 0 : mb;
    ma *= da;
    mb *= db;
  }
  for (int64_t t = 0; t < s->batches; t++) {
    int64_t oa = 0, obb = 0;
    for (int d = 0; d < ob.rank; d++) {
      oa += idx[d] * sa[d];
      obb += idx[d] * sb[d];
    }
    (*aoffs)[t] = oa * s->M * s->K;
    (*boffs)[t] = obb * s->K * s->N;
    for (int d = ob.rank - 1; d >= 0; d--) {
      if (++idx[d] < ob.dims[d]) break;
      idx[d] = 0;
    }
  }
  return IR_OK;
}

/* MatMul with numpy semantics (1-D promotion, batch broadcasting). */
int ref_matmul(ref_call *c) {
  const ir_value *a = c->in[0], *b = c->in[1];
  if (a->type.dtype != IR_F32 || b->type.dtype != IR_F32) return CERR("MatMul inputs must be f32"), IR_UNSUPPORTED;
  mm_shape s;
  int64_t *ao, *bo;
  if (mm_plan(c, &a->type, &b->type, &c->out[0].type, &ao, &bo, &s)) return IR_ERR;
  if (!fits_int(s.M, s.N, s.K)) {
    free(ao);
    free(bo);
    return CERR("MatMul too large for the reference GEMM"), IR_UNSUPPORTED;
  }
  float *py = c->out[0].data;
  for (int64_t t = 0; t < s.batches; t++)
    ref_sgemm((int)s.M, (int)s.N, (int)s.K, (const float *)a->data + ao[t], (int)s.K, (const float *)b->data + bo[t],
              (int)s.N, py + t * s.M * s.N, (int)s.N, 0);
  free(ao);
  free(bo);
  return IR_OK;
}

/* QLinearMatMul: exact int accumulation, per-row a and per-column b parameters allowed. */
int ref_qlinear_matmul(ref_call *c) {
  const ir_value *v[9];
  q_operands(c, v);
  const ir_value *a = v[0], *as = v[1], *az = v[2], *b = v[3], *bs = v[4], *bz = v[5], *ys = v[6], *yz = v[7];
  ir_dtype ad = a->type.dtype, bd = b->type.dtype;
  if ((ad != IR_U8 && ad != IR_I8) || (bd != IR_U8 && bd != IR_I8))
    return CERR("types %s/%s not supported", ir_dtype_name(ad), ir_dtype_name(bd)), IR_UNSUPPORTED;
  mm_shape s;
  int64_t *ao, *bo;
  if (mm_plan(c, &a->type, &b->type, &c->out[0].type, &ao, &bo, &s)) return IR_ERR;
  if (check_qparam(c, as, s.M, "a_scale") || check_qparam(c, az, s.M, "a_zero_point") ||
      check_qparam(c, bs, s.N, "b_scale") || check_qparam(c, bz, s.N, "b_zero_point") ||
      check_qparam(c, ys, 1, "y_scale") || check_qparam(c, yz, 1, "y_zero_point")) {
    free(ao);
    free(bo);
    return IR_ERR;
  }
  double ysc = qparam(ys, 0), yzp = qparam(yz, 0);
  for (int64_t t = 0; t < s.batches; t++)
    for (int64_t i = 0; i < s.M; i++)
      for (int64_t j = 0; j < s.N; j++) {
        int64_t acc = 0, azp = (int64_t)qparam(az, i), bzp = (int64_t)qparam(bz, j);
        for (int64_t k = 0; k < s.K; k++)
          acc += ((int64_t)ir_get_elem(ad, a->data, ao[t] + i * s.K + k) - azp) *
                 ((int64_t)ir_get_elem(bd, b->data, bo[t] + k * s.N + j) - bzp);
        double mult = ys ? qparam(as, i) * qparam(bs, j) / ysc : 0;
        store_q(c->out[0].type.dtype, c->out[0].data, (t * s.M + i) * s.N + j, (double)acc, mult, yzp);
      }
  free(ao);
  free(bo);
  return IR_OK;
}

/* ---- pooling ---- */

/* Float view of a numeric input (the data itself for f32, else a converted copy in *tmp). */
static const float *as_float(const ir_value *v, float **tmp) {
  *tmp = NULL;
  if (v->type.dtype == IR_F32) return v->data;
  int64_t n = numel(v);
  *tmp = scratch(n, sizeof(float));
  if (!*tmp) return NULL;
  for (int64_t i = 0; i < n; i++) (*tmp)[i] = (float)ir_get_elem(v->type.dtype, v->data, i);
  return *tmp;
}

/* Does the window of output (o0, o1, o2) lie inside the input on every axis? */
static int pool_inside(const geo3 *g, int64_t o0, int64_t o1, int64_t o2) {
  int64_t o[3] = {o0, o1, o2};
  for (int a = 0; a < 3; a++) {
    int64_t i0 = o[a] * g->s[a] - g->pb[a];
    if (i0 < 0 || i0 + (g->k[a] - 1) * g->d[a] >= g->in[a]) return 0;
  }
  return 1;
}

/* The float max over the window of output (o0, o1, o2) of channel xc, the window inside the
 * input: the first element as is, later ones when greater (ref_pool's rule; a NaN first stays). */
static float max_window(const float *xc, const geo3 *g, int64_t o0, int64_t o1, int64_t o2) {
  const float *base = xc + ((o0 * g->s[0] - g->pb[0]) * g->in[1] + (o1 * g->s[1] - g->pb[1])) * g->in[2] +
                      (o2 * g->s[2] - g->pb[2]);
  float acc = base[0];
  int first = 1;
  for (int64_t k0 = 0; k0 < g->k[0]; k0++)
    for (int64_t k1 = 0; k1 < g->k[1]; k1++) {
      const float *row = base + (k0 * g->d[0] * g->in[1] + k1 * g->d[1]) * g->in[2];
      for (int64_t k2 = 0; k2 < g->k[2]; k2++) {
        float v = row[k2 * g->d[2]];
        if (first) first = 0;
        else if (v > acc) acc = v;
      }
    }
  return acc;
}

/* y[o2] for o2 in [lo, hi): the max over the kh x kw window (dilation 1 on both axes, inside the
 * input) at rb + o2 * s2, rows in2 apart; the first element as is, later ones when greater
 * (max_window's rule), 2 x 2 and 3 x 3 unrolled. */
static void max_rows2d(const float *rb, int64_t in2, int64_t s2, int64_t kh, int64_t kw, int64_t lo, int64_t hi,
                       float *y) {
  if (kh == 2 && kw == 2) {
    for (int64_t o2 = lo; o2 < hi; o2++) {
      const float *p = rb + o2 * s2;
      float a = p[0];
      a = p[1] > a ? p[1] : a;
      a = p[in2] > a ? p[in2] : a;
      a = p[in2 + 1] > a ? p[in2 + 1] : a;
      y[o2] = a;
    }
    return;
  }
  for (int64_t o2 = lo; o2 < hi; o2++) {
    const float *p = rb + o2 * s2;
    float a = p[0];
    for (int64_t k1 = 0; k1 < kh; k1++)
      for (int64_t k2 = k1 ? 0 : 1; k2 < kw; k2++) a = p[k1 * in2 + k2] > a ? p[k1 * in2 + k2] : a;
    y[o2] = a;
  }
}

/* The range [*lo, *hi) of outputs along axis a whose windows lie inside the input. */
static void inside_range(const geo3 *g, int a, int64_t *lo, int64_t *hi) {
  int64_t span = (g->k[a] - 1) * g->d[a];
  *lo = g->pb[a] <= 0 ? 0 : (g->pb[a] + g->s[a] - 1) / g->s[a];
  *hi = g->in[a] + g->pb[a] - span <= 0 ? 0 : (g->in[a] + g->pb[a] - span - 1) / g->s[a] + 1;
  if (*hi > g->out[a]) *hi = g->out[a];
  if (*lo > *hi) *lo = *hi;
}

/* MaxPool (with optional Indices, row- or column-major) and AveragePool (count_include_pad,
 * ceil_mode) over 1-3 spatial axes; MaxPool also on u8/i8. */
int ref_pool(ref_call *c) {
  const ir_value *x = c->in[0];
  ir_value *y = &c->out[0];
  int is_max = c->n->op == IR_OP_MaxPool;
  ir_dtype dt = x->type.dtype;
  if (dt != IR_F32 && !(is_max && (dt == IR_U8 || dt == IR_I8)))
    return CERR("type %s not supported", ir_dtype_name(dt)), IR_UNSUPPORTED;
  int colmajor = is_max && ir_attr_int(c->n, "storage_order", 0) != 0;
  geo3 g;
  int rc = geo_of(c, &x->type, NULL, &g);
  if (rc) return rc;
  int incl = (int)ir_attr_int(c->n, "count_include_pad", 0);
  int64_t NC = x->type.dims[0] * x->type.dims[1];
  float *tmp;
  const float *px = as_float(x, &tmp);
  if (!px) return CERR("out of memory");
  int64_t *ind = c->n->n_out > 1 ? c->out[1].data : NULL;
  if (is_max && dt == IR_F32 && !ind) {
    /* float max pooling without indices: the window clipped to the input once per output
     * (the first element taken as is, later ones when greater: the general loop's rule) */
    float *yo = y->data;
    for (int64_t nc = 0; nc < NC; nc++) {
      const float *xc = px + nc * g.isz;
      int64_t lo2, hi2;
      inside_range(&g, 2, &lo2, &hi2);
      int plain2d = g.k[0] == 1 && g.d[1] == 1 && g.d[2] == 1; /* a 2-D window of dilation 1 */
      for (int64_t o0 = 0; o0 < g.out[0]; o0++)
        for (int64_t o1 = 0; o1 < g.out[1]; o1++)
          for (int64_t o2 = 0; o2 < g.out[2]; o2++) {
            float acc = -INFINITY;
            int any = 0;
            if (plain2d && o2 == lo2 && lo2 < hi2 && pool_inside(&g, o0, o1, o2)) { /* the row's inside span at once */
              const float *rb = xc + ((o0 * g.s[0] - g.pb[0]) * g.in[1] + (o1 * g.s[1] - g.pb[1])) * g.in[2] - g.pb[2];
              max_rows2d(rb, g.in[2], g.s[2], g.k[1], g.k[2], lo2, hi2, yo + nc * g.osz + (o0 * g.out[1] + o1) * g.out[2]);
              o2 = hi2 - 1;
              continue;
            }
            if (pool_inside(&g, o0, o1, o2)) { /* the whole window inside: no bound checks */
              yo[nc * g.osz + (o0 * g.out[1] + o1) * g.out[2] + o2] = max_window(xc, &g, o0, o1, o2);
              continue;
            }
            for (int64_t k0 = 0; k0 < g.k[0]; k0++) {
              int64_t i0 = o0 * g.s[0] - g.pb[0] + k0 * g.d[0];
              if (i0 < 0 || i0 >= g.in[0]) continue;
              for (int64_t k1 = 0; k1 < g.k[1]; k1++) {
                int64_t i1 = o1 * g.s[1] - g.pb[1] + k1 * g.d[1];
                if (i1 < 0 || i1 >= g.in[1]) continue;
                const float *row = xc + (i0 * g.in[1] + i1) * g.in[2];
                for (int64_t k2 = 0; k2 < g.k[2]; k2++) {
                  int64_t i2 = o2 * g.s[2] - g.pb[2] + k2 * g.d[2];
                  if (i2 < 0 || i2 >= g.in[2]) continue;
                  float v = row[i2];
                  if (v > acc || !any) acc = v;
                  any = 1;
                }
              }
            }
            yo[nc * g.osz + (o0 * g.out[1] + o1) * g.out[2] + o2] = acc;
          }
    }
    free(tmp);
    return IR_OK;
  }
  for (int64_t nc = 0; nc < NC; nc++) {
    const float *xc = px + nc * g.isz;
    for (int64_t o0 = 0; o0 < g.out[0]; o0++)
      for (int64_t o1 = 0; o1 < g.out[1]; o1++)
        for (int64_t o2 = 0; o2 < g.out[2]; o2++) {
          double acc = is_max ? -INFINITY : 0;
          int64_t cnt = 0, padcnt = 0, arg = -1;
          for (int64_t k0 = 0; k0 < g.k[0]; k0++) {
            int64_t i0 = o0 * g.s[0] - g.pb[0] + k0 * g.d[0];
            for (int64_t k1 = 0; k1 < g.k[1]; k1++) {
              int64_t i1 = o1 * g.s[1] - g.pb[1] + k1 * g.d[1];
              for (int64_t k2 = 0; k2 < g.k[2]; k2++) {
                int64_t i2 = o2 * g.s[2] - g.pb[2] + k2 * g.d[2];
                if (i0 >= -g.pb[0] && i0 < g.in[0] + g.pe[0] && i1 >= -g.pb[1] && i1 < g.in[1] + g.pe[1] &&
                    i2 >= -g.pb[2] && i2 < g.in[2] + g.pe[2])
                  padcnt++;
                if (i0 < 0 || i0 >= g.in[0] || i1 < 0 || i1 >= g.in[1] || i2 < 0 || i2 >= g.in[2]) continue;
                int64_t off = (i0 * g.in[1] + i1) * g.in[2] + i2;
                float v = xc[off];
                cnt++;
                if (is_max) {
                  if (v > acc || arg < 0) {
                    acc = v;
                    arg = off;
                  }
                } else {
                  acc += v;
                }
              }
            }
          }
          int64_t oi = nc * g.osz + (o0 * g.out[1] + o1) * g.out[2] + o2;
          double r = is_max ? acc : acc / (double)(incl ? padcnt : (cnt ? cnt : 1));
          ir_set_elem(dt, y->data, oi, r);
          if (ind && arg < 0) arg = 0;
          if (ind && colmajor) { /* spatial index with the first axis fastest */
            int64_t a2 = arg % g.in[2], a1 = arg / g.in[2] % g.in[1], a0 = arg / (g.in[1] * g.in[2]);
            arg = (g.in[0] == 1 ? 0 : a0) + a1 * g.in[0] + a2 * g.in[0] * g.in[1];
          }
          if (ind) ind[oi] = nc * g.isz + arg;
        }
  }
  free(tmp);
  return IR_OK;
}

/* GlobalAveragePool / GlobalMaxPool over all spatial axes. */
int ref_global_pool(ref_call *c) {
  const ir_value *x = c->in[0];
  if (x->type.dtype != IR_F32) return CERR("type %s not supported", ir_dtype_name(x->type.dtype)), IR_UNSUPPORTED;
  int64_t NC = x->type.dims[0] * x->type.dims[1], sp = NC ? numel(x) / NC : 0;
  const float *px = x->data;
  float *py = c->out[0].data;
  int is_max = c->n->op == IR_OP_GlobalMaxPool;
  for (int64_t i = 0; i < NC; i++) {
    double acc = is_max ? -INFINITY : 0;
    for (int64_t k = 0; k < sp; k++) acc = is_max ? (px[i * sp + k] > acc ? px[i * sp + k] : acc) : acc + px[i * sp + k];
    py[i] = (float)(is_max ? acc : acc / (double)(sp ? sp : 1));
  }
  return IR_OK;
}

/* ---- products over a batch of samples ---- */

/* Whether input j is the same for the nb samples: one constant's data (a weight) or absent in all. */
static int batch_shared(const ir_value *const *in, int n_in, int nb, int j) {
  if (j >= n_in) return 1;
  for (int s = 1; s < nb; s++) {
    const ir_value *v = in[(size_t)s * n_in + j], *v0 = in[j];
    if (!v != !v0 || (v && v->data != v0->data)) return 0;
  }
  return 1;
}

/* Whether input j has one type over the nb samples. */
static int batch_same_type(const ir_value *const *in, int n_in, int nb, int j) {
  const ir_type *t0 = &in[j]->type;
  for (int s = 1; s < nb; s++) {
    const ir_type *t = &in[(size_t)s * n_in + j]->type;
    if (t->dtype != t0->dtype || t->rank != t0->rank || memcmp(t->dims, t0->dims, (size_t)t->rank * sizeof t->dims[0]))
      return 0;
  }
  return 1;
}

/* out[s * n_out] for s < nb: sample 0's inferred output type, allocated (not zeroed: the
 * callers copy every element in). IR_OK or an error. */
static int batch_outputs(const ir_graph *g, const ir_node *n, int nb, const ir_value *const *in, ir_value *out,
                         char *err, size_t errlen) {
  ir_type to[IR_VARIADIC + 1];
  int rc = ir_infer_values(g, n, in, to, err, errlen);
  for (int s = 0; s < nb && rc == IR_OK; s++) {
    out[(size_t)s * n->n_out].data = NULL;
    if (!ir_type_known(&to[0]) || ref_alloc_uninit(&out[(size_t)s * n->n_out], &to[0])) {
      for (int k = 0; k < s; k++) ir_value_free(&out[(size_t)k * n->n_out]);
      rc = ir_node_err(g, n, err, errlen, "cannot allocate output 0 (type unknown or too large)");
    }
  }
  return rc;
}

/* A float Gemm (no transA) with shared B and C over the batch: the rows of every sample's A
 * stacked into one product (gemm_core with each sample's row count). */
static int gemm_batch(ref_call *c, int nb) {
  const ir_node *n = c->n;
  int ni = n->n_in;
  const ir_value *a = c->in[0], *b = c->in[1], *cc = ni > 2 ? c->in[2] : NULL;
  if (n->n_out != 1 || !a || !b || a->type.dtype != IR_F32 || b->type.dtype != IR_F32 || a->type.rank != 2 ||
      b->type.rank != 2 || (cc && cc->type.dtype != IR_F32) || ir_attr_int(n, "transA", 0) ||
      !batch_same_type(c->in, ni, nb, 0) || !batch_shared(c->in, ni, nb, 1) || !batch_shared(c->in, ni, nb, 2))
    return -1;
  int tb = (int)ir_attr_int(n, "transB", 0);
  int64_t M = a->type.dims[0], K = a->type.dims[1], N = b->type.dims[tb ? 0 : 1];
  if (b->type.dims[tb ? 1 : 0] != K || (M < 4 && !(tb && M <= 4)) || !fits_int(M * nb, N, K)) return -1;
  float *pa = scratch(M * nb * K, sizeof(float)), *py = scratch(M * nb * N, sizeof(float));
  int rc = pa && py ? batch_outputs(c->g, n, nb, c->in, c->out, c->err, c->errlen) : CERR("out of memory");
  int have = rc == IR_OK; /* the outputs are allocated */
  for (int s = 0; s < nb && rc == IR_OK; s++)
    memcpy(pa + (size_t)s * M * K, c->in[(size_t)s * ni]->data, (size_t)(M * K) * sizeof(float));
  if (rc == IR_OK) rc = gemm_core(c, pa, 0, tb, M * nb, M, N, K, b->data, py);
  float alpha = ir_attr_float(n, "alpha", 1.0f), beta = ir_attr_float(n, "beta", 1.0f);
  for (int s = 0; s < nb && rc == IR_OK; s++) {
    ir_value *y = &c->out[(size_t)s * n->n_out];
    memcpy(y->data, py + (size_t)s * M * N, (size_t)(M * N) * sizeof(float));
    gemm_epilogue(y->data, M, N, alpha, beta, cc);
  }
  if (rc != IR_OK && have)
    for (int s = 0; s < nb; s++) ir_value_free(&c->out[(size_t)s * n->n_out]);
  free(pa);
  free(py);
  return rc;
}

/* A float 1x1 stride-1 Conv (or FusedConv) of one image per sample, one group, with shared
 * weights and bias over the batch: the samples' pixels side by side as the columns of one GEMM
 * (every column's sums as in its own), then each sample's epilogue from its columns into its
 * output. Only for maps of at most CONV_BATCH_PIXELS pixels (a ViT's tokens, a CNN's last
 * stage), where a sample alone gives the GEMM few columns; larger maps gain nothing from it but
 * the copies in and out. */
#define CONV_BATCH_PIXELS 256
static int conv_batch(ref_call *c, int nb) {
  const ir_node *n = c->n;
  int ni = n->n_in;
  const ir_value *x = c->in[0], *w = c->in[1], *b = ni > 2 ? c->in[2] : NULL;
  if (n->n_out != 1 || !x || !w || x->type.dtype != IR_F32 || w->type.dtype != IR_F32 || x->type.rank < 3 ||
      (b && b->type.dtype != IR_F32) || x->type.dims[0] != 1 || ir_attr_int(n, "group", 1) != 1 ||
      !batch_same_type(c->in, ni, nb, 0) || !batch_shared(c->in, ni, nb, 1) || !batch_shared(c->in, ni, nb, 2) ||
      (n->op == IR_OP_FusedConv && ni > 3 && c->in[3] && !batch_same_type(c->in, ni, nb, 3)))
    return -1;
  geo3 g;
  char e[8];
  ref_call c0 = *c;
  c0.err = e, c0.errlen = sizeof e;
  int64_t C = x->type.dims[1], M = w->type.dims[0];
  if (w->type.rank != x->type.rank || w->type.dims[1] != C || (b && numel(b) != M) || geo_of(&c0, &x->type, w->type.dims + 2, &g) ||
      g.ksz != 1 || g.s[0] != 1 || g.s[1] != 1 || g.s[2] != 1 || g.pb[0] || g.pb[1] || g.pb[2] || g.osz != g.isz ||
      g.osz > CONV_BATCH_PIXELS || !fits_int(M, g.osz * nb, C))
    return -1;
  int64_t osz = g.osz, ncol = osz * nb;
  float *xb = scratch(C * ncol, sizeof(float)), *yb = scratch(M * ncol, sizeof(float));
  int rc = xb && yb ? batch_outputs(c->g, n, nb, c->in, c->out, c->err, c->errlen) : CERR("out of memory");
  int have = rc == IR_OK; /* the outputs are allocated */
  for (int64_t ci = 0; ci < C && rc == IR_OK; ci++)
    for (int s = 0; s < nb; s++)
      memcpy(xb + ci * ncol + s * osz, (const float *)c->in[(size_t)s * ni]->data + ci * osz, (size_t)osz * sizeof(float));
  if (rc == IR_OK) ref_sgemm((int)M, (int)ncol, (int)C, w->data, (int)C, xb, (int)ncol, yb, (int)ncol, 0);
  for (int s = 0; s < nb && rc == IR_OK; s++) {
    float *py = c->out[(size_t)s * n->n_out].data;
    const ir_value *res = n->op == IR_OP_FusedConv && ni > 3 ? c->in[(size_t)s * ni + 3] : NULL;
    if (res && (res->type.dtype != IR_F32 || numel(res) != M * osz)) rc = CERR("residual must be f32 of the output's size");
    else rc = conv_finish(c, py, yb + s * osz, ncol, b ? b->data : NULL, res ? res->data : NULL, 1, M, osz);
  }
  if (rc != IR_OK && have)
    for (int s = 0; s < nb; s++) ir_value_free(&c->out[(size_t)s * n->n_out]);
  free(xb);
  free(yb);
  return rc;
}

int ref_batch_node(const ir_graph *g, const ir_node *n, int nb, const ir_value *const *in, ir_value *out, char *err,
                   size_t errlen) {
  ref_call c = {g, n, in, out, err, errlen};
  if (n->op == IR_OP_Gemm) return gemm_batch(&c, nb);
  if (n->op == IR_OP_Conv || n->op == IR_OP_FusedConv) return conv_batch(&c, nb);
  return -1;
}

/* DynamicQuantizeLinear: scale (max(0, max x) - min(0, min x)) / 255, zero point
 * round(-min / scale) saturated to uint8, y = saturate(round(x / scale) + zero point), rounding
 * half to even (as onnxruntime); all zeros give scale 0, zero point 0, y 0. NaNs are skipped in
 * the range and give the zero point. */
int ref_dynamic_quantize(ref_call *c) {
  const float *x = c->in[0]->data;
  int64_t n = numel(c->in[0]);
  float lo = 0, hi = 0;
  for (int64_t i = 0; i < n; i++) lo = x[i] < lo ? x[i] : lo, hi = x[i] > hi ? x[i] : hi;
  float scale = (hi - lo) / 255.0f;
  double zp = scale > 0 && isfinite(scale) ? nearbyint(0.0 - (double)lo / scale) : 0;
  zp = zp < 0 ? 0 : zp > 255 ? 255 : zp;
  uint8_t *y = c->out[0].data;
  for (int64_t i = 0; i < n; i++) {
    double q = scale > 0 && isfinite(scale) && !isnan(x[i]) ? nearbyint((double)(x[i] / scale)) + zp : zp;
    y[i] = (uint8_t)(q < 0 ? 0 : q > 255 ? 255 : q);
  }
  *(float *)c->out[1].data = scale;
  *(uint8_t *)c->out[2].data = (uint8_t)zp;
  return IR_OK;
}
