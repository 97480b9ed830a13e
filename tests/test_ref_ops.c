/* tests/test_ref_ops.c -- the reference executor's kernels against straightforward double-
 * precision loops written here: Conv over random 1-D/2-D/3-D configurations (groups, depthwise,
 * strides, dilations, asymmetric pads, with and without bias), Gemm (trans, alpha, beta, every C
 * broadcast), batched/broadcast MatMul, QLinearConv and QLinearMatMul with per-channel scales
 * against dequantize-compute-quantize, Quantize/DequantizeLinear per axis and round-half-even,
 * Softmax before and after opset 13, Clip's attribute form, Squeeze/Unsqueeze attribute form,
 * Pad modes, MaxPool on uint8, Cast's conversions, the indexing operators' refusals (indices
 * out of range, malformed Einsum equations) and OneHot's rows of out-of-range indices. Prints the float GEMM and Conv throughput. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ref.h"
#include "testutil.h"

static uint32_t rng = 777;
static uint32_t urand(uint32_t n) {
  return (tu_lcg32(&rng) >> 8) % n;
}
static float frand(void) { return (float)urand(65536) / 32768.0f - 1.0f; }

static ir_value val(ir_dtype dt, int rank, const int64_t *dims) {
  ir_value v = {.type = {.dtype = dt, .rank = rank}};
  for (int i = 0; i < rank; i++) v.type.dims[i] = dims[i];
  ir_value_alloc(&v, &v.type);
  return v;
}

static ir_value rand_f32(int rank, const int64_t *dims) {
  ir_value v = val(IR_F32, rank, dims);
  for (int64_t i = 0; i < ir_type_numel(&v.type); i++) ((float *)v.data)[i] = frand();
  return v;
}

/* A graph holding one node of op with n_in inputs (NULL entries: omitted); runs it. */
typedef struct one {
  ir_graph *g;
  ir_node *n;
} one;

static one mk(ir_op op, int opset, int n_in, int n_out) {
  one o;
  o.g = ir_graph_new("one");
  o.g->opset = opset;
  int in[16], out[4];
  for (int i = 0; i < n_in; i++) in[i] = ir_add_tensor(o.g, "i", NULL);
  for (int i = 0; i < n_out; i++) out[i] = ir_add_tensor(o.g, "o", NULL);
  o.n = ir_add_node(o.g, op, "n", in, n_in, out, n_out);
  return o;
}

static int run(one *o, const ir_value *const *in, ir_value *out, char *err) {
  int rc = ref_run_node(o->g, o->n, in, out, err, 512);
  return rc;
}

static int close_to(double got, double want, double rtol, double atol) { return fabs(got - want) <= atol + rtol * fabs(want); }

/* ---- Conv ---- */

static void test_conv_random(void) {
  int bad = 0, total = 0;
  for (int iter = 0; iter < 150; iter++) {
    int nsp = 1 + (int)urand(3);
    int64_t N = 1 + urand(2), group = 1 + urand(3), Cg = 1 + urand(3), Mg = 1 + urand(3);
    if (urand(4) == 0) Cg = 1, Mg = 1 + urand(2); /* depthwise (with multiplier) */
    int64_t C = Cg * group, M = Mg * group;
    int64_t in[3], k[3], s[3], d[3], pb[3], pe[3], o[3];
    int ok = 1;
    for (int i = 0; i < nsp; i++) {
      in[i] = (nsp == 3 ? 3 : 4) + urand(nsp == 3 ? 3 : 6);
      k[i] = 1 + urand(3);
      s[i] = 1 + urand(3);
      d[i] = 1 + urand(2);
      pb[i] = urand(3);
      pe[i] = urand(3);
      int64_t ext = (k[i] - 1) * d[i] + 1;
      if (in[i] + pb[i] + pe[i] < ext) ok = 0;
      else o[i] = (in[i] + pb[i] + pe[i] - ext) / s[i] + 1;
    }
    if (!ok) continue;
    int has_b = (int)urand(2);
    int64_t xd[5] = {N, C}, wd[5] = {M, Cg};
    for (int i = 0; i < nsp; i++) xd[2 + i] = in[i], wd[2 + i] = k[i];
    ir_value x = rand_f32(2 + nsp, xd), w = rand_f32(2 + nsp, wd), b = rand_f32(1, &M), y;
    one g = mk(IR_OP_Conv, 13, has_b ? 3 : 2, 1);
    int64_t pads[6], st[3], dl[3];
    for (int i = 0; i < nsp; i++) pads[i] = pb[i], pads[i + nsp] = pe[i], st[i] = s[i], dl[i] = d[i];
    ir_set_attr_ints(g.n, "pads", pads, 2 * nsp);
    ir_set_attr_ints(g.n, "strides", st, nsp);
    ir_set_attr_ints(g.n, "dilations", dl, nsp);
    ir_set_attr_int(g.n, "group", group);
    const ir_value *ins[3] = {&x, &w, &b};
    char err[512];
    int rc = run(&g, ins, &y, err);
    total++;
    CHECK(rc == IR_OK, "conv %d: %s", iter, err);
    if (rc == IR_OK) {
      /* naive: map to 3 axes */
      int64_t I[3] = {1, 1, 1}, K[3] = {1, 1, 1}, S[3] = {1, 1, 1}, D[3] = {1, 1, 1}, P[3] = {0, 0, 0}, O[3] = {1, 1, 1};
      for (int i = 0; i < nsp; i++) {
        int j = 3 - nsp + i;
        I[j] = in[i], K[j] = k[i], S[j] = s[i], D[j] = d[i], P[j] = pb[i], O[j] = o[i];
      }
      int64_t osz = O[0] * O[1] * O[2], isz = I[0] * I[1] * I[2], ksz = K[0] * K[1] * K[2];
      CHECK(ir_type_numel(&y.type) == N * M * osz, "conv %d: output size %lld, expected %lld", iter,
            (long long)ir_type_numel(&y.type), (long long)(N * M * osz));
      const float *px = x.data, *pw = w.data, *pbias = b.data, *py = y.data;
      for (int64_t n = 0; n < N && ir_type_numel(&y.type) == N * M * osz; n++)
        for (int64_t m = 0; m < M; m++)
          for (int64_t p = 0; p < osz; p++) {
            int64_t o0 = p / (O[1] * O[2]), o1 = p / O[2] % O[1], o2 = p % O[2], gi = m / Mg;
            double acc = has_b ? pbias[m] : 0;
            for (int64_t c = 0; c < Cg; c++)
              for (int64_t kk = 0; kk < ksz; kk++) {
                int64_t k0 = kk / (K[1] * K[2]), k1 = kk / K[2] % K[1], k2 = kk % K[2];
                int64_t i0 = o0 * S[0] - P[0] + k0 * D[0], i1 = o1 * S[1] - P[1] + k1 * D[1], i2 = o2 * S[2] - P[2] + k2 * D[2];
                if (i0 < 0 || i0 >= I[0] || i1 < 0 || i1 >= I[1] || i2 < 0 || i2 >= I[2]) continue;
                acc += (double)px[((n * C + gi * Cg + c) * isz) + (i0 * I[1] + i1) * I[2] + i2] * pw[(m * Cg + c) * ksz + kk];
              }
            if (!close_to(py[(n * M + m) * osz + p], acc, 1e-4, 1e-5)) {
              if (!bad++)
                printf("FAIL conv %d (nsp %d group %lld): element %lld got %g expected %g\n", iter, nsp, (long long)group,
                       (long long)((n * M + m) * osz + p), py[(n * M + m) * osz + p], acc);
            }
          }
      ir_value_free(&y);
    }
    ir_value_free(&x);
    ir_value_free(&w);
    ir_value_free(&b);
    ir_graph_free(g.g);
  }
  CHECK(bad == 0, "%d conv elements differ from the direct loop", bad);
  CHECK(total > 100, "ran %d random conv configurations", total);
}

/* ---- Gemm and MatMul ---- */

static void test_gemm(void) {
  for (int iter = 0; iter < 40; iter++) {
    int64_t M = 1 + urand(9), N = 1 + urand(9), K = 1 + urand(9);
    int ta = (int)urand(2), tb = (int)urand(2), ck = (int)urand(5);
    float alpha = 0.5f + frand(), beta = frand();
    int64_t ad[2] = {ta ? K : M, ta ? M : K}, bd[2] = {tb ? N : K, tb ? K : N};
    int64_t cdims[4][2] = {{1, 1}, {N, 0}, {M, 1}, {M, N}};
    int crank[4] = {0, 1, 2, 2};
    ir_value a = rand_f32(2, ad), b = rand_f32(2, bd), c = {0}, y;
    if (ck < 4) c = rand_f32(crank[ck], cdims[ck]);
    one g = mk(IR_OP_Gemm, 13, ck < 4 ? 3 : 2, 1);
    ir_set_attr_int(g.n, "transA", ta);
    ir_set_attr_int(g.n, "transB", tb);
    ir_set_attr_float(g.n, "alpha", alpha);
    ir_set_attr_float(g.n, "beta", beta);
    const ir_value *ins[3] = {&a, &b, &c};
    char err[512];
    int rc = run(&g, ins, &y, err);
    CHECK(rc == IR_OK, "gemm %d: %s", iter, err);
    if (rc) continue;
    int bad = 0;
    for (int64_t i = 0; i < M; i++)
      for (int64_t j = 0; j < N; j++) {
        double acc = 0;
        for (int64_t k = 0; k < K; k++)
          acc += (double)((float *)a.data)[ta ? k * M + i : i * K + k] * ((float *)b.data)[tb ? j * K + k : k * N + j];
        acc *= alpha;
        if (ck < 4) {
          const float *pc = c.data;
          double cv = ck == 0 ? pc[0] : ck == 1 ? pc[j] : ck == 2 ? pc[i] : pc[i * N + j];
          acc += beta * cv;
        }
        bad += !close_to(((float *)y.data)[i * N + j], acc, 1e-4, 1e-5);
      }
    CHECK(bad == 0, "gemm %d (M%lld N%lld K%lld ta%d tb%d C%d): %d elements differ", iter, (long long)M, (long long)N,
          (long long)K, ta, tb, ck, bad);
    ir_value_free(&a);
    ir_value_free(&b);
    ir_value_free(&c);
    ir_value_free(&y);
    ir_graph_free(g.g);
  }
}

static void test_matmul(void) {
  struct {
    int ra, rb;
    int64_t a[4], b[4], y[4];
    int ry;
  } cases[] = {
      {4, 3, {2, 1, 3, 4}, {5, 4, 2}, {2, 5, 3, 2}, 4},
      {1, 2, {4}, {4, 3}, {3}, 1},
      {3, 1, {2, 3, 4}, {4}, {2, 3}, 2},
      {2, 3, {3, 4}, {2, 4, 5}, {2, 3, 5}, 3},
  };
  for (int t = 0; t < 4; t++) {
    ir_value a = rand_f32(cases[t].ra, cases[t].a), b = rand_f32(cases[t].rb, cases[t].b), y;
    one g = mk(IR_OP_MatMul, 13, 2, 1);
    const ir_value *ins[2] = {&a, &b};
    char err[512];
    int rc = run(&g, ins, &y, err);
    CHECK(rc == IR_OK, "matmul case %d: %s", t, err);
    if (rc) continue;
    int shape_ok = y.type.rank == cases[t].ry;
    for (int i = 0; shape_ok && i < y.type.rank; i++) shape_ok = y.type.dims[i] == cases[t].y[i];
    CHECK(shape_ok, "matmul case %d: output rank %d", t, y.type.rank);
    /* numpy semantics, written for the promoted shapes */
    int64_t M = cases[t].ra == 1 ? 1 : cases[t].a[cases[t].ra - 2], K = cases[t].a[cases[t].ra - 1];
    int64_t N = cases[t].rb == 1 ? 1 : cases[t].b[cases[t].rb - 1];
    int64_t nb = ir_type_numel(&y.type) / (M * N), bad = 0;
    int64_t abatch = ir_type_numel(&a.type) / (M * K), bbatch = ir_type_numel(&b.type) / (K * N);
    for (int64_t q = 0; q < nb && shape_ok; q++) {
      /* batch index q decomposed over the broadcast batch dims (at most 2 here) */
      int64_t qa, qb;
      if (t == 0) {
        int64_t i0 = q / 5, i1 = q % 5;
        qa = i0;
        qb = i1;
      } else {
        qa = abatch > 1 ? q : 0;
        qb = bbatch > 1 ? q : 0;
      }
      for (int64_t i = 0; i < M; i++)
        for (int64_t j = 0; j < N; j++) {
          double acc = 0;
          for (int64_t k = 0; k < K; k++)
            acc += (double)((float *)a.data)[qa * M * K + i * K + k] * ((float *)b.data)[qb * K * N + k * N + j];
          bad += !close_to(((float *)y.data)[(q * M + i) * N + j], acc, 1e-4, 1e-5);
        }
    }
    CHECK(bad == 0, "matmul case %d: %lld elements differ", t, (long long)bad);
    ir_value_free(&a);
    ir_value_free(&b);
    ir_value_free(&y);
    ir_graph_free(g.g);
  }
}

/* ---- quantized ops ---- */

static double q_round(double x) { return nearbyint(x); }

static void test_qlinear_conv(void) {
  int64_t xd[4] = {1, 4, 6, 5}, wd[4] = {6, 2, 3, 3}, m6 = 6, sc[1] = {0};
  ir_value x = val(IR_U8, 4, xd), w = val(IR_I8, 4, wd), ws = val(IR_F32, 1, &m6), wz = val(IR_I8, 1, &m6);
  ir_value xs = val(IR_F32, 0, sc), xz = val(IR_U8, 0, sc), ys = val(IR_F32, 0, sc), yz = val(IR_U8, 0, sc);
  ir_value b = val(IR_I32, 1, &m6), y;
  for (int i = 0; i < 120; i++) ((uint8_t *)x.data)[i] = (uint8_t)urand(256);
  for (int i = 0; i < 108; i++) ((int8_t *)w.data)[i] = (int8_t)(urand(255) - 127);
  for (int i = 0; i < 6; i++) {
    ((float *)ws.data)[i] = 0.002f * (float)(i + 1);
    ((int32_t *)b.data)[i] = (int32_t)urand(2000) - 1000;
  }
  *(float *)xs.data = 0.05f;
  *(uint8_t *)xz.data = 120;
  *(float *)ys.data = 0.1f;
  *(uint8_t *)yz.data = 100;
  one g = mk(IR_OP_QLinearConv, 13, 9, 1);
  ir_set_attr_int(g.n, "group", 2);
  ir_set_attr_ints(g.n, "pads", (int64_t[]){1, 0, 1, 2}, 4);
  const ir_value *ins[9] = {&x, &xs, &xz, &w, &ws, &wz, &ys, &yz, &b};
  char err[512];
  int rc = run(&g, ins, &y, err);
  CHECK(rc == IR_OK, "qlinearconv: %s", err);
  if (!rc) {
    CHECK(y.type.dtype == IR_U8 && y.type.dims[1] == 6 && y.type.dims[2] == 6 && y.type.dims[3] == 5,
          "qlinearconv output u8[1,6,6,5]");
    int bad = 0;
    for (int m = 0; m < 6; m++)
      for (int oy = 0; oy < 6; oy++)
        for (int ox = 0; ox < 5; ox++) {
          double acc = 0; /* real-valued: dequantized x and w */
          int gi = m / 3;
          for (int c = 0; c < 2; c++)
            for (int ky = 0; ky < 3; ky++)
              for (int kx = 0; kx < 3; kx++) {
                int iy = oy - 1 + ky, ix = ox - 0 + kx;
                if (iy < 0 || iy >= 6 || ix < 0 || ix >= 5) continue;
                double xv = (((uint8_t *)x.data)[((gi * 2 + c) * 6 + iy) * 5 + ix] - 120) * 0.05;
                double wv = ((int8_t *)w.data)[((m * 2 + c) * 3 + ky) * 3 + kx] * (double)((float *)ws.data)[m];
                acc += xv * wv;
              }
          acc += ((int32_t *)b.data)[m] * 0.05 * (double)((float *)ws.data)[m];
          double q = q_round(acc / (double)0.1f) + 100;
          q = q < 0 ? 0 : q > 255 ? 255 : q;
          bad += ((uint8_t *)y.data)[(m * 6 + oy) * 5 + ox] != (uint8_t)q;
        }
    CHECK(bad == 0, "qlinearconv: %d of 180 differ from dequantize-conv-quantize", bad);
    ir_value_free(&y);
  }
  ir_value *all[] = {&x, &w, &ws, &wz, &xs, &xz, &ys, &yz, &b};
  for (int i = 0; i < 9; i++) ir_value_free(all[i]);
  ir_graph_free(g.g);
}

static void test_qlinear_matmul(void) {
  int64_t ad[2] = {3, 5}, bd[2] = {5, 4}, n4 = 4, sc[1] = {0};
  ir_value a = val(IR_I8, 2, ad), b = val(IR_U8, 2, bd), as = val(IR_F32, 0, sc), az = val(IR_I8, 0, sc);
  ir_value bs = val(IR_F32, 1, &n4), bz = val(IR_U8, 1, &n4), ys = val(IR_F32, 0, sc), yz = val(IR_I8, 0, sc), y;
  for (int i = 0; i < 15; i++) ((int8_t *)a.data)[i] = (int8_t)(urand(256) - 128);
  for (int i = 0; i < 20; i++) ((uint8_t *)b.data)[i] = (uint8_t)urand(256);
  for (int j = 0; j < 4; j++) ((float *)bs.data)[j] = 0.01f * (float)(j + 1), ((uint8_t *)bz.data)[j] = (uint8_t)(120 + j);
  *(float *)as.data = 0.02f;
  *(int8_t *)az.data = -3;
  *(float *)ys.data = 0.3f;
  *(int8_t *)yz.data = 5;
  one g = mk(IR_OP_QLinearMatMul, 13, 8, 1);
  const ir_value *ins[8] = {&a, &as, &az, &b, &bs, &bz, &ys, &yz};
  char err[512];
  int rc = run(&g, ins, &y, err);
  CHECK(rc == IR_OK, "qlinearmatmul: %s", err);
  if (!rc) {
    int bad = 0;
    for (int i = 0; i < 3; i++)
      for (int j = 0; j < 4; j++) {
        double acc = 0;
        for (int k = 0; k < 5; k++)
          acc += (((int8_t *)a.data)[i * 5 + k] + 3) * (double)0.02f * (((uint8_t *)b.data)[k * 4 + j] - (120 + j)) *
                 (double)((float *)bs.data)[j];
        double q = q_round(acc / (double)0.3f) + 5;
        q = q < -128 ? -128 : q > 127 ? 127 : q;
        bad += ((int8_t *)y.data)[i * 4 + j] != (int8_t)q;
      }
    CHECK(y.type.dtype == IR_I8 && bad == 0, "qlinearmatmul: %d of 12 differ", bad);
    ir_value_free(&y);
  }
  ir_value *all[] = {&a, &b, &as, &az, &bs, &bz, &ys, &yz};
  for (int i = 0; i < 8; i++) ir_value_free(all[i]);
  ir_graph_free(g.g);
}

static void test_quantize(void) {
  int64_t xd[2] = {3, 4}, c3 = 3;
  ir_value x = val(IR_F32, 2, xd), s = val(IR_F32, 1, &c3), z = val(IR_I8, 1, &c3), q, d;
  float xs[12] = {0.25f, 0.75f, -0.25f, 100, 1.25f, -1.25f, 0.5f, -100, 0, 0.1f, 0.2f, 0.3f};
  memcpy(x.data, xs, sizeof xs);
  ((float *)s.data)[0] = 0.5f, ((float *)s.data)[1] = 0.5f, ((float *)s.data)[2] = 0.1f;
  ((int8_t *)z.data)[0] = 0, ((int8_t *)z.data)[1] = 1, ((int8_t *)z.data)[2] = -128;
  one g = mk(IR_OP_QuantizeLinear, 13, 3, 1);
  ir_set_attr_int(g.n, "axis", 0);
  const ir_value *ins[3] = {&x, &s, &z};
  char err[512];
  int rc = run(&g, ins, &q, err);
  CHECK(rc == IR_OK && q.type.dtype == IR_I8, "quantize per-axis: %s", err);
  if (rc) return;
  /* row 0 scale .5 zp 0: .5->0 (half to even), 1.5->2, -.5->-0, 200->127; row 1 zp 1: 2.5->2+1,
   * -2.5->-2+1, 1->1+1, -200->-128; row 2 scale .1 zp -128: 0, 1, 2, 3 -> -128.. */
  int8_t want[12] = {0, 2, 0, 127, 3, -1, 2, -128, -128, -127, -126, -125};
  int bad = 0;
  for (int i = 0; i < 12; i++) bad += ((int8_t *)q.data)[i] != want[i];
  CHECK(bad == 0, "quantize: %d of 12 differ (e.g. [0] %d, [4] %d)", bad, ((int8_t *)q.data)[0], ((int8_t *)q.data)[4]);
  one h = mk(IR_OP_DequantizeLinear, 13, 3, 1);
  ir_set_attr_int(h.n, "axis", 0);
  const ir_value *dins[3] = {&q, &s, &z};
  rc = run(&h, dins, &d, err);
  CHECK(rc == IR_OK && d.type.dtype == IR_F32, "dequantize per-axis: %s", err);
  if (!rc) {
    CHECK(((float *)d.data)[3] == 63.5f && ((float *)d.data)[9] == 0.1f * 1 && ((float *)d.data)[5] == -1.0f,
          "dequantize values: %g %g %g", ((float *)d.data)[3], ((float *)d.data)[9], ((float *)d.data)[5]);
    ir_value_free(&d);
  }
  ir_value_free(&q);
  ir_value_free(&x);
  ir_value_free(&s);
  ir_value_free(&z);
  ir_graph_free(g.g);
  ir_graph_free(h.g);
}

/* ---- opset-dependent forms and small ops ---- */

static void test_versions(void) {
  int64_t xd[3] = {2, 3, 4};
  ir_value x = rand_f32(3, xd), y;
  char err[512];
  for (int v = 11; v <= 13; v += 2) {
    one g = mk(IR_OP_Softmax, v, 1, 1);
    ir_set_attr_int(g.n, "axis", 1);
    const ir_value *ins[1] = {&x};
    int rc = run(&g, ins, &y, err);
    CHECK(rc == IR_OK, "softmax opset %d: %s", v, err);
    if (rc) continue;
    /* opset 11: rows of 12 (axes 1..2 coerced); opset 13: along axis 1 only (3 values) */
    double s0 = 0;
    if (v == 11)
      for (int i = 0; i < 12; i++) s0 += ((float *)y.data)[i];
    else
      for (int i = 0; i < 3; i++) s0 += ((float *)y.data)[i * 4];
    CHECK(fabs(s0 - 1) < 1e-5, "softmax opset %d sums to %g over its axis", v, s0);
    ir_value_free(&y);
    ir_graph_free(g.g);
  }
  /* Clip-6's attributes become inputs (ir_upgrade_opset), which the executor reads */
  one c = mk(IR_OP_Clip, 10, 1, 1);
  ir_set_attr_float(c.n, "min", -0.25f);
  ir_set_attr_float(c.n, "max", 0.5f);
  int rc = ir_upgrade_opset(c.g, err, 512);
  CHECK(rc == IR_OK && c.n->n_in == 3 && c.g->opset == 11 && !ir_get_attr(c.n, "min"), "clip opset 10 upgrade: %s", err);
  ir_value lo = {0}, hi = {0};
  if (rc == IR_OK && c.n->n_in == 3) {
    lo = (ir_value){c.g->tensors[c.n->in[1]]->type, c.g->tensors[c.n->in[1]]->data};
    hi = (ir_value){c.g->tensors[c.n->in[2]]->type, c.g->tensors[c.n->in[2]]->data};
    const ir_value *cins[3] = {&x, &lo, &hi};
    rc = run(&c, cins, &y, err);
  }
  CHECK(rc == IR_OK, "clip opset 10: %s", err);
  if (!rc) {
    int bad = 0;
    for (int i = 0; i < 24; i++) {
      float v = ((float *)x.data)[i];
      bad += ((float *)y.data)[i] != (v < -0.25f ? -0.25f : v > 0.5f ? 0.5f : v);
    }
    CHECK(bad == 0, "clip attribute form: %d differ", bad);
    ir_value_free(&y);
  }
  ir_graph_free(c.g);
  one u = mk(IR_OP_Unsqueeze, 11, 1, 1);
  ir_set_attr_ints(u.n, "axes", (int64_t[]){0, 4}, 2);
  const ir_value *ins[1] = {&x};
  rc = run(&u, ins, &y, err);
  CHECK(rc == IR_OK && y.type.rank == 5 && y.type.dims[0] == 1 && y.type.dims[4] == 1 && y.type.dims[3] == 4,
        "unsqueeze attr form: %s", err);
  ir_graph_free(u.g);
  if (!rc) {
    one s = mk(IR_OP_Squeeze, 11, 1, 1);
    ir_set_attr_ints(s.n, "axes", (int64_t[]){-1}, 1);
    ir_value z;
    const ir_value *sin[1] = {&y};
    rc = run(&s, sin, &z, err);
    CHECK(rc == IR_OK && z.type.rank == 4 && z.type.dims[0] == 1, "squeeze attr form: %s", err);
    if (!rc) ir_value_free(&z);
    ir_value_free(&y);
    ir_graph_free(s.g);
  }
  ir_value_free(&x);
}

static void test_pad_modes(void) {
  int64_t d1[2] = {1, 3}, pd[1] = {4};
  ir_value x = val(IR_F32, 2, d1), p = val(IR_I64, 1, pd), y;
  for (int i = 0; i < 3; i++) ((float *)x.data)[i] = (float)(i + 1);
  int64_t pads[4] = {0, 2, 0, 2};
  memcpy(p.data, pads, sizeof pads);
  const char *modes[3] = {"constant", "edge", "reflect"};
  float want[3][7] = {{0, 0, 1, 2, 3, 0, 0}, {1, 1, 1, 2, 3, 3, 3}, {3, 2, 1, 2, 3, 2, 1}};
  for (int m = 0; m < 3; m++) {
    one g = mk(IR_OP_Pad, 13, 2, 1);
    ir_set_attr_string(g.n, "mode", modes[m]);
    const ir_value *ins[2] = {&x, &p};
    char err[512];
    int rc = run(&g, ins, &y, err);
    CHECK(rc == IR_OK && y.type.dims[1] == 7, "pad %s: %s", modes[m], err);
    if (!rc) {
      CHECK(!memcmp(y.data, want[m], sizeof want[m]), "pad %s: got %g %g %g %g %g %g %g", modes[m], ((float *)y.data)[0],
            ((float *)y.data)[1], ((float *)y.data)[2], ((float *)y.data)[3], ((float *)y.data)[4], ((float *)y.data)[5],
            ((float *)y.data)[6]);
      ir_value_free(&y);
    }
    ir_graph_free(g.g);
  }
  ir_value_free(&x);
  ir_value_free(&p);
}

static void test_maxpool_u8(void) {
  int64_t xd[4] = {1, 2, 4, 4};
  ir_value x = val(IR_U8, 4, xd), y;
  for (int i = 0; i < 32; i++) ((uint8_t *)x.data)[i] = (uint8_t)urand(256);
  one g = mk(IR_OP_MaxPool, 13, 1, 1);
  ir_set_attr_ints(g.n, "kernel_shape", (int64_t[]){2, 2}, 2);
  ir_set_attr_ints(g.n, "strides", (int64_t[]){2, 2}, 2);
  const ir_value *ins[1] = {&x};
  char err[512];
  int rc = run(&g, ins, &y, err);
  CHECK(rc == IR_OK && y.type.dtype == IR_U8, "maxpool u8: %s", err);
  if (!rc) {
    int bad = 0;
    const uint8_t *px = x.data;
    for (int c = 0; c < 2; c++)
      for (int oy = 0; oy < 2; oy++)
        for (int ox = 0; ox < 2; ox++) {
          uint8_t m = 0;
          for (int k = 0; k < 4; k++) {
            uint8_t v = px[c * 16 + (oy * 2 + k / 2) * 4 + ox * 2 + k % 2];
            m = v > m ? v : m;
          }
          bad += ((uint8_t *)y.data)[c * 4 + oy * 2 + ox] != m;
        }
    CHECK(bad == 0, "maxpool u8: %d differ", bad);
    ir_value_free(&y);
  }
  ir_value_free(&x);
  ir_graph_free(g.g);
}

static void test_cast(void) {
  int64_t d4 = 4;
  ir_value x = val(IR_F32, 1, &d4), i32 = val(IR_I32, 1, &d4), y;
  float xs[4] = {-1.7f, 2.9f, 0.0f, -0.2f};
  int32_t is[4] = {300, -1, 255, -129};
  memcpy(x.data, xs, sizeof xs);
  memcpy(i32.data, is, sizeof is);
  struct {
    const ir_value *in;
    ir_dtype to;
    double want[4];
  } cases[] = {
      {&x, IR_I8, {-1, 2, 0, 0}},       /* float -> int truncates toward zero */
      {&x, IR_BOOL, {1, 1, 0, 1}},      /* non-zero is true */
      {&i32, IR_U8, {44, 255, 255, 127}}, /* int -> int wraps (numpy astype) */
      {&i32, IR_F32, {300, -1, 255, -129}},
  };
  for (int k = 0; k < 4; k++) {
    one g = mk(IR_OP_Cast, 13, 1, 1);
    ir_set_attr_int(g.n, "to", cases[k].to);
    const ir_value *ins[1] = {cases[k].in};
    char err[512];
    int rc = run(&g, ins, &y, err);
    CHECK(rc == IR_OK && y.type.dtype == cases[k].to, "cast case %d: %s", k, err);
    if (!rc) {
      for (int i = 0; i < 4; i++)
        CHECK(ir_get_elem(y.type.dtype, y.data, i) == cases[k].want[i], "cast case %d element %d: %g, expected %g", k, i,
              ir_get_elem(y.type.dtype, y.data, i), cases[k].want[i]);
      ir_value_free(&y);
    }
    ir_graph_free(g.g);
  }
  one g = mk(IR_OP_Cast, 13, 1, 1);
  ir_set_attr_int(g.n, "to", 11); /* DOUBLE */
  const ir_value *ins[1] = {&x};
  char err[512];
  CHECK(run(&g, ins, &y, err) == IR_UNSUPPORTED && strstr(err, "cast to ONNX type 11"), "cast to double: %s", err);
  ir_graph_free(g.g);
  ir_value_free(&x);
  ir_value_free(&i32);
}

/* ---- the indexing operators refuse bad indices and equations (never read out of bounds) ---- */

/* A 1-D value of n elements of dtype dt from v[]. */
static ir_value vec(ir_dtype dt, int n, const double *v) {
  int64_t d = n;
  ir_value x = val(dt, 1, &d);
  for (int i = 0; i < n; i++) ir_set_elem(dt, x.data, i, v[i]);
  return x;
}

/* Run op (opset 13) on in[0..n_in) with one string attribute (name NULL: none); IR_OK, IR_ERR or
 * IR_UNSUPPORTED; a message in err must contain want (when not NULL). */
static int run_case(const char *what, ir_op op, int n_out, const ir_value *const *in, int n_in, const char *sattr,
                    const char *sval, int want_rc, const char *want) {
  one g = mk(op, 13, n_in, n_out);
  if (sattr) ir_set_attr_string(g.n, sattr, sval);
  ir_value y[2];
  memset(y, 0, sizeof y);
  char err[512] = "";
  int rc = run(&g, in, y, err);
  CHECK(rc == want_rc && (!want || strstr(err, want)), "%s: status %d (expected %d), '%s' (expected '%s')", what, rc,
        want_rc, err, want ? want : "");
  if (rc == IR_OK)
    for (int i = 0; i < n_out; i++) ir_value_free(&y[i]);
  ir_graph_free(g.g);
  return rc;
}

static void test_index_ops(void) {
  ir_value x3 = vec(IR_F32, 3, (double[]){1, 2, 3}), i5 = vec(IR_I64, 1, (double[]){5});
  ir_value im4 = vec(IR_I64, 1, (double[]){-4}), u1 = vec(IR_F32, 1, (double[]){9}), k5 = vec(IR_I64, 1, (double[]){5});
  ir_value ax3 = vec(IR_I64, 1, (double[]){3}), on = vec(IR_F32, 2, (double[]){0, 1}), depth = vec(IR_I64, 1, (double[]){3});
  ir_value t7 = vec(IR_I64, 2, (double[]){7, -1});
  run_case("GatherElements index 5 of 3", IR_OP_GatherElements, 1, (const ir_value *[]){&x3, &i5}, 2, NULL, NULL, IR_ERR, "out of range");
  run_case("ScatterElements index -4 of 3", IR_OP_ScatterElements, 1, (const ir_value *[]){&x3, &im4, &u1}, 3, NULL, NULL, IR_ERR, "out of range");
  run_case("ScatterElements reduction", IR_OP_ScatterElements, 1, (const ir_value *[]){&x3, &i5, &u1}, 3, "reduction", "sum", IR_ERR, "reduction 'sum'");
  int64_t d12[2] = {1, 2};
  ir_value tup = val(IR_I64, 2, d12);
  ((int64_t *)tup.data)[0] = 0, ((int64_t *)tup.data)[1] = 0; /* a pair of indices into a 1-D tensor */
  run_case("GatherND tuple longer than the rank", IR_OP_GatherND, 1, (const ir_value *[]){&x3, &tup}, 2, NULL, NULL, IR_ERR, "last extent");
  run_case("GatherND index 5 of 3", IR_OP_GatherND, 1, (const ir_value *[]){&x3, &i5}, 2, NULL, NULL, IR_ERR, "out of range");
  run_case("TopK K 5 of 3", IR_OP_TopK, 2, (const ir_value *[]){&x3, &k5}, 2, NULL, NULL, IR_ERR, "above the axis");
  run_case("CumSum axis 3 of rank 1", IR_OP_CumSum, 1, (const ir_value *[]){&x3, &ax3}, 2, NULL, NULL, IR_ERR, "axis 3");
  run_case("Trilu of a vector", IR_OP_Trilu, 1, (const ir_value *[]){&x3}, 1, NULL, NULL, IR_ERR, "rank 1");
  /* OneHot: an index outside [-depth, depth) is a row of off values, -1 the last column */
  one g = mk(IR_OP_OneHot, 13, 3, 1);
  ir_value y;
  char err[512] = "";
  int rc = run(&g, (const ir_value *[]){&t7, &depth, &on}, &y, err);
  CHECK(rc == IR_OK && y.type.rank == 2 && y.type.dims[1] == 3, "OneHot: %s", err);
  if (rc == IR_OK) {
    const float *py = y.data, want[6] = {0, 0, 0, 0, 0, 1};
    for (int i = 0; i < 6; i++) CHECK(py[i] == want[i], "OneHot element %d: %g, expected %g", i, py[i], want[i]);
    ir_value_free(&y);
  }
  ir_graph_free(g.g);
  /* Einsum: malformed equations are errors; more operands than the parser holds unsupported */
  const ir_value *two[2] = {&x3, &x3}, *nine[9] = {&x3, &x3, &x3, &x3, &x3, &x3, &x3, &x3, &x3};
  run_case("Einsum i,i->i", IR_OP_Einsum, 1, two, 2, "equation", "i,i->i", IR_OK, NULL);
  run_case("Einsum more terms", IR_OP_Einsum, 1, two, 2, "equation", "i,i,i", IR_ERR, "more terms");
  run_case("Einsum rank", IR_OP_Einsum, 1, two, 2, "equation", "ij,j", IR_ERR, "rank 1");
  run_case("Einsum two dots", IR_OP_Einsum, 1, two, 2, "equation", "..i,i", IR_ERR, "'...'");
  run_case("Einsum output label", IR_OP_Einsum, 1, two, 2, "equation", "i,i->k", IR_ERR, "in no input");
  run_case("Einsum digit", IR_OP_Einsum, 1, two, 2, "equation", "i,1", IR_ERR, "not a subscript");
  run_case("Einsum arrow", IR_OP_Einsum, 1, two, 2, "equation", "i,i-i", IR_ERR, "'>'");
  run_case("Einsum extents", IR_OP_Einsum, 1, (const ir_value *[]){&x3, &on}, 2, "equation", "i,i", IR_ERR, "extents 3 and 2");
  run_case("Einsum nine operands", IR_OP_Einsum, 1, nine, 9, "equation", "i,i,i,i,i,i,i,i,i", IR_UNSUPPORTED, "at most 8");
  run_case("Einsum nine terms, one input", IR_OP_Einsum, 1, two, 1, "equation", "i,i,i,i,i,i,i,i,i", IR_ERR, "more terms");
  ir_value *all[] = {&x3, &i5, &im4, &u1, &k5, &ax3, &on, &depth, &t7, &tup};
  for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) ir_value_free(all[i]);
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void bench(void) {
  int M = 256, N = 512, K = 512;
  float *a = malloc(sizeof(float) * (size_t)M * K), *b = malloc(sizeof(float) * (size_t)K * N),
        *c = malloc(sizeof(float) * (size_t)M * N);
  for (int i = 0; i < M * K; i++) a[i] = frand();
  for (int i = 0; i < K * N; i++) b[i] = frand();
  double t0 = now();
  ref_sgemm(M, N, K, a, K, b, N, c, N, 0);
  double t1 = now();
  double gemm_gf = 2.0 * M * N * K / (t1 - t0) / 1e9;
  printf("bench: ref_sgemm %dx%dx%d: %.2f GFLOP/s\n", M, N, K, gemm_gf);
  /* spot-check one element */
  double acc = 0;
  for (int k = 0; k < K; k++) acc += (double)a[5 * K + k] * b[k * N + 7];
  CHECK(close_to(c[5 * N + 7], acc, 1e-4, 1e-4), "sgemm element: %g vs %g", c[5 * N + 7], acc);
  free(a);
  free(b);
  free(c);
  int64_t xd[4] = {1, 64, 56, 56}, wd[4] = {64, 64, 3, 3};
  ir_value x = rand_f32(4, xd), w = rand_f32(4, wd), y;
  one g = mk(IR_OP_Conv, 13, 2, 1);
  ir_set_attr_ints(g.n, "pads", (int64_t[]){1, 1, 1, 1}, 4);
  const ir_value *ins[2] = {&x, &w};
  char err[512];
  t0 = now();
  int rc = run(&g, ins, &y, err);
  t1 = now();
  CHECK(rc == IR_OK, "bench conv: %s", err);
  printf("bench: Conv 64x56x56 -> 64, 3x3: %.1f ms, %.2f GFLOP/s\n", (t1 - t0) * 1e3,
         2.0 * 64 * 56 * 56 * 64 * 9 / (t1 - t0) / 1e9);
  if (!rc) ir_value_free(&y);
  ir_value_free(&x);
  ir_value_free(&w);
  ir_graph_free(g.g);
  FILE *j = fopen("build/bench/ref_kernels.json", "w"); /* only when make bench made the dir */
  if (j) {
    fprintf(j, "{\"ref_sgemm_256x512x512_gflops\": %.3f, \"ref_conv_64x56x56_3x3_ms\": %.2f}\n", gemm_gf,
            (t1 - t0) * 1e3);
    fclose(j);
  }
}

int main(void) {
  test_conv_random();
  test_gemm();
  test_matmul();
  test_qlinear_conv();
  test_qlinear_matmul();
  test_quantize();
  test_versions();
  test_pad_modes();
  test_maxpool_u8();
  test_cast();
  test_index_ops();
  bench();
  return TEST_END();
}
