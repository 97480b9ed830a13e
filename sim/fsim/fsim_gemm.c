/* sim/fsim/fsim_gemm.c -- fsim's GEMM arithmetic: the loop nest of a GEMM over its micro-ops, the
 * element kernels, and the int16 copies of the weight buffer they read. Plain C serves every
 * shape; batch 1, BLOCK_IN 16, 32 or 64, BLOCK_OUT 16 or 32 (pynq 1x16x16, ultra96 1x32x32) also
 * have SSE2, AVX2 and AVX-512 VNNI kernels, picked at fsim_create from what the CPU has (FSIM_SIMD
 * caps it, fsim.h). Every kernel
 * gives the same bits: each product and each pair sum fits int32 (|x w| <= 2^14), and the
 * accumulator's wrapping adds commute, so the order and grouping of the adds is free.
 */
#include <stdlib.h>
#include <string.h>

#include "fsim_int.h"

#if FSIM_X86
#include <immintrin.h>
#endif

#define GEMM_VEC_MAX_BI 64 /* largest BLOCK_IN of the vector kernels (GEMM_VEC_SHAPES) */

/* ---- picking the kernels ------------------------------------------------------------------ */

static int host_simd(void) {
#if FSIM_X86
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vnni")) return FSIM_SIMD_AVX512;
  return __builtin_cpu_supports("avx2") ? FSIM_SIMD_AVX2 : FSIM_SIMD_SSE2;
#else
  return FSIM_SIMD_SCALAR;
#endif
}

int fsim_x_simd_pick(void) {
  int best = host_simd();
  const char *e = getenv("FSIM_SIMD");
  int cap = !e                    ? best
            : !strcmp(e, "scalar") ? FSIM_SIMD_SCALAR
            : !strcmp(e, "sse2")   ? FSIM_SIMD_SSE2
            : !strcmp(e, "avx2")   ? FSIM_SIMD_AVX2
                                   : best;
  return cap < best ? cap : best;
}

/* ---- the int16 weights ---------------------------------------------------------------------- */

#if FSIM_X86
/* Element we (BLOCK_OUT bo rows of bi int8, bi a multiple of 16) into p in the wgt16p layout
 * [k / 2][bo][k % 2]: each row's inputs 16c..16c+15 widened to eight int16 pairs, and four rows'
 * pairs transposed at a time. */
static void wgt_pairs(int16_t *restrict p, const int8_t *restrict we, unsigned bi, unsigned bo) {
  for (unsigned c = 0; c < bi / 16; c++) {
    for (unsigned j = 0; j < bo; j += 4) {
      __m128i lo[4], hi[4]; /* row j + r: pairs kp 8c + 0..3 and 8c + 4..7 */
      for (unsigned r = 0; r < 4; r++) {
        __m128i b = _mm_loadu_si128((const __m128i *)(we + (j + r) * bi + 16 * c));
        __m128i sg = _mm_cmpgt_epi8(_mm_setzero_si128(), b);
        lo[r] = _mm_unpacklo_epi8(b, sg);
        hi[r] = _mm_unpackhi_epi8(b, sg);
      }
      for (unsigned h = 0; h < 2; h++) {
        const __m128i *v = h ? hi : lo;
        __m128i t0 = _mm_unpacklo_epi32(v[0], v[1]), t1 = _mm_unpacklo_epi32(v[2], v[3]);
        __m128i t2 = _mm_unpackhi_epi32(v[0], v[1]), t3 = _mm_unpackhi_epi32(v[2], v[3]);
        int16_t *q = p + (8 * c + 4 * h) * 2 * bo + 2 * j; /* pairs 8c + 4h + 0..3 of rows j..j+3 */
        _mm_storeu_si128((__m128i *)(q + 0 * 2 * bo), _mm_unpacklo_epi64(t0, t1));
        _mm_storeu_si128((__m128i *)(q + 1 * 2 * bo), _mm_unpackhi_epi64(t0, t1));
        _mm_storeu_si128((__m128i *)(q + 2 * 2 * bo), _mm_unpacklo_epi64(t2, t3));
        _mm_storeu_si128((__m128i *)(q + 3 * 2 * bo), _mm_unpackhi_epi64(t2, t3));
      }
    }
  }
}
#endif

void fsim_x_wgt16(fsim *s, uint64_t first, uint64_t n) {
  const int8_t *w = s->wgt + first * s->wgt_lanes;
#if FSIM_X86
  if (s->wgt16p) {
    for (uint64_t e = 0; e < n; e++)
      wgt_pairs(s->wgt16p + (first + e) * s->wgt_lanes, w + e * s->wgt_lanes, s->bi, s->bo);
    return;
  }
#endif
  int16_t *t = s->wgt16 + first * s->wgt_lanes;
  for (uint64_t k = 0; k < n * s->wgt_lanes; k++) t[k] = w[k];
}

/* ---- plain C -------------------------------------------------------------------------------- */

/* acc[a][b][j] += sum_k x[b][k] * w[j][k], wrapping; out mirrors. w is the weight element
 * widened to int16 (s->wgt16) and x is widened here, so that with the shapes constant (the
 * specialised nests below) the k loop compiles to multiply-add vector code at -O2. */
static inline __attribute__((always_inline)) void
gemm_elem(int32_t *restrict a, int8_t *restrict o, const int8_t *restrict x8,
          const int16_t *restrict wg, unsigned nb, unsigned bi, unsigned bo) {
  for (unsigned b = 0; b < nb; b++) {
    int16_t x[GEMM_MAX_BI];
    for (unsigned k = 0; k < bi; k++) x[k] = x8[b * bi + k];
    for (unsigned j = 0; j < bo; j++) {
      int32_t sum = 0; /* at most BLOCK_IN * 2^14 in magnitude: no overflow */
      for (unsigned k = 0; k < bi; k++) sum += (int32_t)x[k] * (int32_t)wg[j * bi + k];
      uint32_t v = (uint32_t)a[b * bo + j] + (uint32_t)sum;
      a[b * bo + j] = (int32_t)v;
      o[b * bo + j] = (int8_t)v;
    }
  }
}

/* The nest, one micro-op iteration at a time. bias: each iteration first copies
 * acc[b0 + u - uop_begin] into acc[a] (iterations are sequential), then accumulates. */
static inline __attribute__((always_inline)) void
gemm_nest(fsim *s, const fsim_nest *n, int bias, uint64_t b0, unsigned nb, unsigned bi, unsigned bo) {
  const unsigned al = nb * bo, il = nb * bi, wl = bo * bi;
  for (uint64_t o = 0; o < n->lo; o++)
    for (uint64_t i = 0; i < n->li; i++) {
      uint64_t da = o * n->fa[0] + i * n->fa[1], dx = o * n->fx[0] + i * n->fx[1], dw = o * n->fw[0] + i * n->fw[1];
      for (uint64_t u = n->ub; u < n->ue; u++) {
        uint64_t a = s->ua[u] + da, x = s->us[u] + dx, w = s->uw[u] + dw, b = b0 + u - n->ub;
        if (bias && b != a) memcpy(s->acc + a * al, s->acc + b * al, (size_t)al * 4);
        gemm_elem(s->acc + a * al, s->out + a * al, s->inp + x * il, s->wgt16 + w * wl, nb, bi, bo);
      }
    }
}

static void gemm_nest_1_16_16(fsim *s, const fsim_nest *n, int bias, uint64_t b0) {
  gemm_nest(s, n, bias, b0, 1, 16, 16);
}
static void gemm_nest_1_16_32(fsim *s, const fsim_nest *n, int bias, uint64_t b0) {
  gemm_nest(s, n, bias, b0, 1, 16, 32);
}
static void gemm_nest_1_32_32(fsim *s, const fsim_nest *n, int bias, uint64_t b0) {
  gemm_nest(s, n, bias, b0, 1, 32, 32);
}
static void gemm_nest_1_4_4(fsim *s, const fsim_nest *n, int bias, uint64_t b0) {
  gemm_nest(s, n, bias, b0, 1, 4, 4);
}
static void gemm_nest_any(fsim *s, const fsim_nest *n, int bias, uint64_t b0) {
  gemm_nest(s, n, bias, b0, s->nb, s->bi, s->bo); /* BLOCK_IN <= GEMM_MAX_BI: fsim_create */
}

/* ---- vector kernels: runs of micro-ops on one accumulator element ---------------------------- */

#if FSIM_X86
/* A run: micro-ops [u0, u1) of one (o, i) iteration that all accumulate into one element acc[a]
 * (= a, o: its accumulator and out lanes), on input element us[u] + dx and weight element
 * uw[u] + dw (wgt16p layout) each. The element stays in registers over the run. */
typedef void run_fn(int32_t *a, int8_t *o, const int8_t *inp, const int16_t *wp, const uint32_t *us,
                    const uint32_t *uw, uint64_t u0, uint64_t u1, uint64_t dx, uint64_t dw);

/* o[0..4) = the low bytes of the four lanes of v. */
static inline __attribute__((always_inline)) void out4(int8_t *o, __m128i v) {
  __m128i b = _mm_packs_epi32(_mm_and_si128(v, _mm_set1_epi32(0xff)), _mm_setzero_si128()); /* 0..255 */
  int32_t w = _mm_cvtsi128_si32(_mm_packus_epi16(b, _mm_setzero_si128()));
  memcpy(o, &w, 4);
}

/* Every kernel takes the input element 16 lanes (a chunk c: eight pairs kp = 8c..8c+7) at a time,
 * so that the pairs it broadcasts fit in registers whatever BLOCK_IN; bi and bo are constants in
 * each instance (run_tab), so the chunk loop of BLOCK_IN 16 vanishes. */

/* SSE2: one pmaddwd of a broadcast input pair with a vector of weight pairs gives four output
 * lanes' partial sums; bo / 4 accumulators of four lanes (unrolled: in registers). */
static inline __attribute__((always_inline)) void
run_sse2(int32_t *restrict a, int8_t *restrict o, const int8_t *restrict inp, const int16_t *restrict wp,
         const uint32_t *us, const uint32_t *uw, uint64_t u0, uint64_t u1, uint64_t dx, uint64_t dw,
         unsigned bi, unsigned bo) {
  __m128i acc[8];
#pragma GCC unroll 8
  for (unsigned g = 0; g < bo / 4; g++) acc[g] = _mm_loadu_si128((const __m128i *)(a + 4 * g));
  for (uint64_t u = u0; u < u1; u++) {
    const int16_t *w0 = wp + (uw[u] + dw) * bi * bo;
    const int8_t *x0 = inp + (us[u] + dx) * bi;
    for (unsigned c = 0; c < bi / 16; c++) {
      __m128i xb = _mm_loadu_si128((const __m128i *)(x0 + 16 * c));
      __m128i sg = _mm_cmpgt_epi8(_mm_setzero_si128(), xb);
      __m128i xs[2] = {_mm_unpacklo_epi8(xb, sg), _mm_unpackhi_epi8(xb, sg)}; /* int16 x[16c + 0..7], x[16c + 8..15] */
      __m128i xp[8]; /* xp[kp]: the pair (x[16c + 2kp], x[16c + 2kp + 1]) in every 32-bit lane */
      for (unsigned h = 0; h < 2; h++) {
        xp[4 * h + 0] = _mm_shuffle_epi32(xs[h], 0x00);
        xp[4 * h + 1] = _mm_shuffle_epi32(xs[h], 0x55);
        xp[4 * h + 2] = _mm_shuffle_epi32(xs[h], 0xaa);
        xp[4 * h + 3] = _mm_shuffle_epi32(xs[h], 0xff);
      }
#pragma GCC unroll 8
      for (unsigned kp = 0; kp < 8; kp++) {
        const __m128i *w = (const __m128i *)(w0 + (8 * c + kp) * bo * 2);
#pragma GCC unroll 8
        for (unsigned g = 0; g < bo / 4; g++) acc[g] = _mm_add_epi32(acc[g], _mm_madd_epi16(xp[kp], _mm_loadu_si128(w + g)));
      }
    }
  }
#pragma GCC unroll 8
  for (unsigned g = 0; g < bo / 4; g++) {
    _mm_storeu_si128((__m128i *)(a + 4 * g), acc[g]);
    out4(o + 4 * g, acc[g]);
  }
}

/* AVX2: as run_sse2 on eight lanes a vector, with two accumulators per vector of lanes (even
 * and odd pairs) for shorter add chains. */
__attribute__((target("avx2"))) static inline __attribute__((always_inline)) void
run_avx2(int32_t *restrict a, int8_t *restrict o, const int8_t *restrict inp, const int16_t *restrict wp,
         const uint32_t *us, const uint32_t *uw, uint64_t u0, uint64_t u1, uint64_t dx, uint64_t dw,
         unsigned bi, unsigned bo) {
  __m256i acc[2][4];
#pragma GCC unroll 4
  for (unsigned g = 0; g < bo / 8; g++) {
    acc[0][g] = _mm256_loadu_si256((const __m256i *)(a + 8 * g));
    acc[1][g] = _mm256_setzero_si256();
  }
  for (uint64_t u = u0; u < u1; u++) {
    const int16_t *w0 = wp + (uw[u] + dw) * bi * bo;
    const int8_t *x0 = inp + (us[u] + dx) * bi;
    for (unsigned c = 0; c < bi / 16; c++) {
      __m256i xs = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(x0 + 16 * c)));
      __m256i xh[2] = {_mm256_permute2x128_si256(xs, xs, 0x00), _mm256_permute2x128_si256(xs, xs, 0x11)};
      __m256i xp[8]; /* xp[kp]: the pair (x[16c + 2kp], x[16c + 2kp + 1]) in every 32-bit lane */
      for (unsigned h = 0; h < 2; h++) {
        xp[4 * h + 0] = _mm256_shuffle_epi32(xh[h], 0x00);
        xp[4 * h + 1] = _mm256_shuffle_epi32(xh[h], 0x55);
        xp[4 * h + 2] = _mm256_shuffle_epi32(xh[h], 0xaa);
        xp[4 * h + 3] = _mm256_shuffle_epi32(xh[h], 0xff);
      }
#pragma GCC unroll 8
      for (unsigned kp = 0; kp < 8; kp++) {
        const __m256i *w = (const __m256i *)(w0 + (8 * c + kp) * bo * 2);
#pragma GCC unroll 4
        for (unsigned g = 0; g < bo / 8; g++)
          acc[kp & 1][g] = _mm256_add_epi32(acc[kp & 1][g], _mm256_madd_epi16(xp[kp], _mm256_loadu_si256(w + g)));
      }
    }
  }
#pragma GCC unroll 4
  for (unsigned g = 0; g < bo / 8; g++) {
    __m256i v = _mm256_add_epi32(acc[0][g], acc[1][g]);
    _mm256_storeu_si256((__m256i *)(a + 8 * g), v);
    out4(o + 8 * g, _mm256_castsi256_si128(v));
    out4(o + 8 * g + 4, _mm256_extracti128_si256(v, 1));
  }
}

/* AVX-512 VNNI: vpdpwssd (a broadcast input pair times sixteen lanes' weight pairs, both sums
 * added to the accumulator, wrapping) on sixteen lanes a vector; eight accumulators (by pair,
 * and by vector of lanes) for shorter chains; vpmovdb writes the low bytes. */
#define VNNI_TARGET "avx512f,avx512vnni,avx2"
__attribute__((target(VNNI_TARGET))) static inline __attribute__((always_inline)) void
run_vnni(int32_t *restrict a, int8_t *restrict o, const int8_t *restrict inp, const int16_t *restrict wp,
         const uint32_t *us, const uint32_t *uw, uint64_t u0, uint64_t u1, uint64_t dx, uint64_t dw,
         unsigned bi, unsigned bo) {
  const unsigned nv = bo / 16, ns = 8 / nv; /* vectors of lanes, accumulator sets (ns divides 8) */
  __m512i acc[8];
#pragma GCC unroll 8
  for (unsigned k = 0; k < 8; k++) acc[k] = k < nv ? _mm512_loadu_si512(a + 16 * k) : _mm512_setzero_si512();
  for (uint64_t u = u0; u < u1; u++) {
    const int16_t *w0 = wp + (uw[u] + dw) * bi * bo;
    const int8_t *x0 = inp + (us[u] + dx) * bi;
    int32_t xp[GEMM_VEC_MAX_BI / 2]; /* the pairs (x[2kp], x[2kp+1]), broadcast from memory (load
                                      * ports; the shuffle port is busy enough) */
    for (unsigned c = 0; c < bi / 16; c++)
      _mm256_storeu_si256((__m256i *)(xp + 8 * c), _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(x0 + 16 * c))));
    __asm__ volatile("" : : "r"(xp) : "memory");
    for (unsigned c = 0; c < bi / 16; c++) {
#pragma GCC unroll 8
      for (unsigned kp = 0; kp < 8; kp++) {
        __m512i xb = _mm512_set1_epi32(xp[8 * c + kp]);
#pragma GCC unroll 2
        for (unsigned g = 0; g < nv; g++) {
          unsigned k = (kp % ns) * nv + g;
          acc[k] = _mm512_dpwssd_epi32(acc[k], xb, _mm512_loadu_si512(w0 + (8 * c + kp) * bo * 2 + 32 * g));
        }
      }
    }
  }
#pragma GCC unroll 2
  for (unsigned g = 0; g < nv; g++) {
    __m512i v = acc[g];
#pragma GCC unroll 8
    for (unsigned k = 1; k < ns; k++) v = _mm512_add_epi32(v, acc[k * nv + g]);
    _mm512_storeu_si512(a + 16 * g, v);
    _mm_storeu_si128((__m128i *)(o + 16 * g), _mm512_cvtepi32_epi8(v));
  }
}

/* One instance of each kernel per shape (BLOCK_IN, BLOCK_OUT) the vector GEMM serves: X(bi, bo). */
#define GEMM_VEC_SHAPES(X) X(16, 16) X(16, 32) X(32, 16) X(32, 32) X(64, 16) X(64, 32)
#define RUN_INSTANCE(level, attr, bi, bo)                                                                   \
  attr static void run_##level##_##bi##_##bo(int32_t *a, int8_t *o, const int8_t *inp, const int16_t *wp,  \
                                             const uint32_t *us, const uint32_t *uw, uint64_t u0,          \
                                             uint64_t u1, uint64_t dx, uint64_t dw) {                      \
    run_##level(a, o, inp, wp, us, uw, u0, u1, dx, dw, bi, bo);                                             \
  }
#define RUN_SSE2(bi, bo) RUN_INSTANCE(sse2, , bi, bo)
#define RUN_AVX2(bi, bo) RUN_INSTANCE(avx2, __attribute__((target("avx2"))), bi, bo)
#define RUN_VNNI(bi, bo) RUN_INSTANCE(vnni, __attribute__((target(VNNI_TARGET))), bi, bo)
GEMM_VEC_SHAPES(RUN_SSE2)
GEMM_VEC_SHAPES(RUN_AVX2)
GEMM_VEC_SHAPES(RUN_VNNI)
#define RUN_ENTRY(bi, bo) {bi, bo, {run_sse2_##bi##_##bo, run_avx2_##bi##_##bo, run_vnni_##bi##_##bo}},
static const struct {
  unsigned bi, bo;
  run_fn *fn[3]; /* by FSIM_SIMD_SSE2, AVX2, AVX512 */
} run_tab[] = {GEMM_VEC_SHAPES(RUN_ENTRY)};

/* The kernel for s's shape and kernel level, or NULL (no vector kernel: plain C). */
static run_fn *run_pick(const fsim *s) {
  if (s->simd < FSIM_SIMD_SSE2 || s->nb != 1) return NULL;
  for (size_t t = 0; t < sizeof run_tab / sizeof run_tab[0]; t++)
    if (run_tab[t].bi == s->bi && run_tab[t].bo == s->bo) {
      int l = s->simd >= FSIM_SIMD_AVX512 ? 2 : s->simd >= FSIM_SIMD_AVX2 ? 1 : 0;
      return run_tab[t].fn[l];
    }
  return NULL;
}

/* The nest in runs (one micro-op each with bias, whose copy comes first). */
static void gemm_nest_runs(fsim *s, const fsim_nest *n, int bias, uint64_t b0) {
  const unsigned al = s->bo;
  run_fn *fn = run_pick(s);
  uint32_t *ur = s->urun, nr = 0; /* run r: micro-ops [ur[r], ur[r + 1]) */
  for (uint64_t u = n->ub; u < n->ue; u++)
    if (bias || u == n->ub || s->ua[u] != s->ua[u - 1]) ur[nr++] = (uint32_t)u;
  ur[nr] = (uint32_t)n->ue;
  for (uint64_t o = 0; o < n->lo; o++)
    for (uint64_t i = 0; i < n->li; i++) {
      uint64_t da = o * n->fa[0] + i * n->fa[1], dx = o * n->fx[0] + i * n->fx[1], dw = o * n->fw[0] + i * n->fw[1];
      for (uint32_t r = 0; r < nr; r++) {
        uint64_t u = ur[r], a = s->ua[u] + da, b = b0 + u - n->ub;
        if (bias && b != a) memcpy(s->acc + a * al, s->acc + b * al, (size_t)al * 4);
        fn(s->acc + a * al, s->out + a * al, s->inp, s->wgt16p, s->us, s->uw, u, ur[r + 1], dx, dw);
      }
    }
}
#endif

int fsim_x_vec_gemm(const fsim *s) {
#if FSIM_X86
  return run_pick(s) != NULL;
#else
  (void)s;
  return 0;
#endif
}

void fsim_x_gemm(fsim *s, const fsim_nest *n, int bias, uint64_t b0) {
#if FSIM_X86
  if (fsim_x_vec_gemm(s)) {
    gemm_nest_runs(s, n, bias, b0);
    return;
  }
#endif
  if (s->nb == 1 && s->bi == 16 && s->bo == 16)
    gemm_nest_1_16_16(s, n, bias, b0);
  else if (s->nb == 1 && s->bi == 16 && s->bo == 32)
    gemm_nest_1_16_32(s, n, bias, b0);
  else if (s->nb == 1 && s->bi == 32 && s->bo == 32)
    gemm_nest_1_32_32(s, n, bias, b0);
  else if (s->nb == 1 && s->bi == 4 && s->bo == 4)
    gemm_nest_1_4_4(s, n, bias, b0);
  else
    gemm_nest_any(s, n, bias, b0);
}
