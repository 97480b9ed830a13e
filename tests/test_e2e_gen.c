/* tests/test_e2e_gen.c -- the generated models of tests/e2e_gen.py, on fsim for the tiny and
 * pynq configs, against onnxruntime (cosine >= 0.999 on the quantized models, >= 0.99 on the
 * float one; same top-1):
 *  - qdq (Q/DQ pairs, int8 per-channel weights, int32 bias, uint8 activations) and qlinear
 *    (QLinearConv, QLinearMatMul, uint8 weights with a zero point): the models' own scales and
 *    zero points are kept (uint8 zero point z becomes int8 z - 128), every Conv/Gemm/MatMul runs
 *    on the accelerator, no (de)quantize node is left on the CPU;
 *  - mixed: CPU steps (Concat, Softmax) interleave with accelerator layers (Conv, Sigmoid as a
 *    table, x * sigmoid(x) as one dlvta.Silu table, MaxPool, Add + Relu, Gemm reading its
 *    input's 4x4 map through a flattening Reshape);
 *  - layout: Concat as a view of its inputs' channel blocks, a channel shuffle as a lane map,
 *    grouped convs (4 and 8 channels per group), a ceil-mode max pool and a Flatten into a
 *    Gemm, all on the accelerator;
 *  - fallback: a pooling no tiling of the tiny config fits: the back end refuses it, the
 *    compiler moves it and its fused Relu to the CPU (pynq keeps them on the accelerator);
 *  - act: Sigmoids as 256-entry tables of int8 codes on the accelerator's ALU (ALU LUT), fused
 *    into the conv before them or a layer of their own, and a squeeze-and-excite block whose
 *    per-channel Mul runs on the ALU; none left on the CPU, and the RTL gives fsim's outputs
 *    bit for bit;
 *  - split: ShuffleNet v2's channel split (Slice, Split) of 10-channel halves, not whole blocks:
 *    views with lane maps, no CPU step;
 *  - neck: a detection neck's nearest Resize x2 + Concat on the accelerator (upsampling layers);
 *  - fpn: an FPN top-down path, convs whose residual output a Resize reads;
 *  - actpool: activations after max pools (moved before them, or a table layer on its own);
 *  - bigpad: convs padded beyond a load's 15 (zero Pads on the accelerator take the excess);
 *  - bcast: a Resize of a 1 x 1 map beyond 16 (DeepLab's pooled branch) as two upsamplings;
 *  - seg: a segmentation head's bilinear Resizes (x2 pytorch_half_pixel, x2 asymmetric) as
 *    bilinear layers on the accelerator; the RTL gives fsim's outputs bit for bit;
 *  - seq1d: a 1-D CNN over [1, 8, 48] (Conv1d, MaxPool1d, a dilated depthwise residual block, a
 *    standalone BatchNorm, Concat, global pooling, Gemm) lifted onto the 2-D layers: every node
 *    on the accelerator;
 *  - heads: InstanceNormalization, LpNormalization and LogSoftmax on the CPU, Selu and Softsign
 *    as ALU tables;
 *  - argmap: ArgMax over the channels of a conv (int64 out, returned as float32): the class of
 *    nearly every pixel as onnxruntime's.;
 *  - convt: a UNet-like decoder's ConvTransposes (k=s=2, k=3 s=2 p=1 output_padding=1, k=4 s=2
 *    p=1 in groups, a cropped k=3 s=2 p=1), each a phase conv and a depth-to-space layer;
 *  - d2s: DepthToSpace DCR and a pixel_shuffle (CRD) as depth-to-space layers, SpaceToDepth on
 *    the CPU;
 *  - prelu: a MobileFaceNet-like CNN whose PReLUs have a slope per channel (prelu-to-conv): no
 *    CPU step;
 *  - tokens: a transformer block on 2-D tokens [16, 16]: its Gemms 1x1 convs over the rows
 *    (channels-last), attention on the CPU;
 *  - prelu1d: a 1-D CNN with PReLUs of a slope per channel: lifted, no CPU step;
 *  - gpool, gpool1d: global max pooling (GlobalMaxPool, ReduceMax, a map-sized MaxPool, a 1-D
 *    MaxPool(200)) as max pool layers of the whole map;
 *  - yhead: a YOLO-like head whose Sigmoid after view / permute fuses into its conv;
 *  - u8in: a uint8 image input cast to float: a float32 input, normalized on the host;
 *  - hse: MobileNetV3's block (Hardswish, affine int8) with squeeze-and-excite: the Mul's zero
 *    points folded (its GEMM's bias, the mul's bias), on the RTL too;
 *  - padcat: a UNet's upsampled map padded to its skip's size (a Pad on the accelerator) before
 *    the skip Concat: the Pad's input shares the Concat's quantization;
 *  - catpool: the Concat of a mean and a max pooled vector before the fc, a view of the pooled
 *    maps;
 *  - crop: spatial crops (a Pad with negative amounts, a Slice of H and W) as depthwise convs;
 *  - eca: ECA's Conv1d across the pooled channels as a dense 1x1 conv, its layout ops gone;
 *  - cbam: CBAM's spatial attention: the mean over the channels a 1x1 conv, the max over them a
 *    tree of Max layers of channel halves, the one-channel gate broadcast by a 1x1 conv of ones
 *    before the Mul;
 *  - groups: grouped convs whose group widths the back end cannot take as such, as dense convs,
 *    and a depthwise conv with a channel multiplier as a channel repeat and a depthwise conv;
 *  - causal1d: a causal dilated Conv1d padded by 16 on the left (a Pad layer takes the excess) and a
 *    [1, C, L] feature-map output read through an alias;
 *  - poolmix: a Sub of two activations (PoolFormer's avgpool(x) - x) as a Neg table and an add;
 *  - vanish: a bias that int32 cannot hold at the scale of vanishing activations
 *  - video: a 3-D conv net (lift-3d: per-frame convs, a max pool across frames, Max / Min layers)
 *  - rnnhead: a CRNN's GRU (a CPU step, its activation list through the package) between
 *    accelerator layers, on the RTL too.
 * The act, convt, hse (pynq and ultra96) and prelu packages on the Verilated RTL give fsim's outputs bit for
 * bit. */
#include <unistd.h>

#include "e2e_util.h"

#define GEN_DIR E2E_MODELS "/gen"
/* the tokens model's CPU steps, in plan order */
#define TOKENS_CPU "Reshape,Transpose,Reshape,Transpose,Transpose,Reshape,Split,Transpose,MatMul,Mul,Softmax,MatMul,Reshape," \
                   "Transpose,Transpose,Reshape,Add,Reshape,Transpose,Transpose,Reshape,Add,ReduceMean"

/* Is there an accelerator tensor with this scale and zero point in package pkg? */
static int has_quant(const char *pkg, float scale, int zp) {
  cc_model *m = NULL;
  char err[1024];
  if (cc_package_read(pkg, &m, err, sizeof err) != 0) return 0;
  int found = 0;
  for (int i = 0; i < m->nt; i++) found |= fabsf(m->t[i].scale - scale) < 1e-7f && m->t[i].zp == zp;
  cc_model_free(m);
  return found;
}

/* Compile GEN_DIR/<name>.onnx for cfg; check the layer count, the ops left on the CPU (a
 * comma-separated list in cpu_ops, in plan order), the kept quantizations, and the outputs. */
static void one(const char *name, const char *cfg, int layers, const char *cpu_ops, double min_cos, const float *sc,
                const int *zp, int nq) {
  char onnx[256], pkg[256], ref[256], err[2048], inp[256], cal[256];
  int fb = !strcmp(name, "fallback");                                      /* random outputs: top-1 not compared */
  /* its own inputs and calibration samples when e2e_gen.py wrote them (GEN_OWN_INPUT in
   * compiler/e2e.mk), else the shared ones */
  snprintf(inp, sizeof inp, GEN_DIR "/%s_input.npy", name);
  int own = access(inp, R_OK) == 0;
  /* a per-pixel map: no single top-1 to compare */
  int map = !strcmp(name, "seg") || !strcmp(name, "convt") || !strcmp(name, "d2s") || !strcmp(name, "yhead") ||
            !strcmp(name, "padcat") || !strcmp(name, "crop") || !strcmp(name, "causal1d") || !strcmp(name, "rnnhead");
  snprintf(inp, sizeof inp, GEN_DIR "/%s%s", own ? name : "", own ? "_input.npy" : "input.npy");
  snprintf(cal, sizeof cal, GEN_DIR "/%s%s", own ? name : "", own ? "_calib.npy" : "calib.npy");
  snprintf(onnx, sizeof onnx, GEN_DIR "/%s.onnx", name);
  snprintf(pkg, sizeof pkg, E2E_OUT "/%s_%s.dlvta", name, cfg);
  snprintf(ref, sizeof ref, GEN_DIR "/%s_ref.npy", name);
  e2e_ensure(ref, ref);
  npy_array ca, xa, ra;
  float *cf, *x, *r;
  if (e2e_load_f32(cal, &ca, &cf) || e2e_load_f32(inp, &xa, &x) ||
      e2e_load_f32(ref, &ra, &r))
    return;
  cc_options o = {.config = cfg, .calib = cf, .n_calib = (int)ca.shape[0]};
  cc_model *m = NULL;
  int rc = cc_compile(onnx, &o, &m, err, sizeof err);
  CHECK(rc == IR_OK, "compile %s: %s", name, err);
  if (rc != IR_OK) return;
  CHECK(m->nl == layers, "%s %s: %d accelerator layers, expected %d", name, cfg, m->nl, layers);
  char ops[512] = "";
  for (int i = 0; i < m->ns; i++)
    if (m->s[i].kind == CC_STEP_CPU) {
      if (ops[0]) strncat(ops, ",", sizeof ops - strlen(ops) - 1);
      strncat(ops, m->g->nodes[m->s[i].a]->op_name, sizeof ops - strlen(ops) - 1);
    }
  printf("%s %s: %d accelerator layers, CPU steps [%s]\n", name, cfg, m->nl, ops);
  CHECK(!strcmp(ops, cpu_ops), "%s %s: CPU steps [%s], expected [%s]", name, cfg, ops, cpu_ops);
  mkdir(E2E_OUT, 0777);
  CHECK(cc_package_write(m, pkg, err, sizeof err) == 0, "%s", err);
  cc_model_free(m);
  for (int k = 0; k < nq; k++)
    CHECK(has_quant(pkg, sc[k], zp[k]), "%s: the model's quantization (scale %g, zero point %d as int8) was not kept",
          name, sc[k], zp[k]);
  int64_t n = xa.shape[0], on = 0;
  float *y = e2e_run(pkg, "fsim", x, n, &on, NULL, NULL);
  CHECK(!y || (int64_t)ra.count == n * on, "%s: %zu reference values for %lld", name, ra.count, (long long)(n * on));
  if (y && (int64_t)ra.count == n * on) {
    for (int64_t k = 0; k < n; k++) {
      double c = e2e_cosine(y + k * on, r + k * on, on);
      int64_t a = e2e_argmax(y + k * on, on), b = e2e_argmax(r + k * on, on);
      printf("%s %s input %lld: cosine %.6f vs onnxruntime, top-1 %lld (onnxruntime %lld)\n", name, cfg, (long long)k, c,
             (long long)a, (long long)b);
      CHECK(c >= min_cos, "%s %s input %lld: cosine %.6f < %.3f", name, cfg, (long long)k, c, min_cos);
      if (!fb && !map) CHECK(a == b, "%s %s input %lld: top-1 %lld vs %lld", name, cfg, (long long)k, (long long)a, (long long)b);
    }
  }
  free(y);
  npy_free(&ca), npy_free(&xa), npy_free(&ra);
  free(cf), free(x), free(r);
}

/* argmap: the package's per-pixel classes (ArgMax, int64 indices returned as float32) against
 * onnxruntime's: integers, and equal on at least 95 % of the pixels (int8 rounding flips near
 * ties). */
static void argmap_check(const char *cfg) {
  char pkg[256], err[2048];
  snprintf(pkg, sizeof pkg, E2E_OUT "/argmap_%s.dlvta", cfg);
  e2e_ensure(GEN_DIR "/argmap_ref.npy", GEN_DIR "/argmap_ref.npy");
  npy_array ca, xa, ra;
  float *cf, *x, *r;
  if (e2e_load_f32(GEN_DIR "/calib.npy", &ca, &cf) || e2e_load_f32(GEN_DIR "/input.npy", &xa, &x) ||
      e2e_load_f32(GEN_DIR "/argmap_ref.npy", &ra, &r))
    return;
  cc_options o = {.config = cfg, .calib = cf, .n_calib = (int)ca.shape[0]};
  cc_model *m = NULL;
  int rc = cc_compile(GEN_DIR "/argmap.onnx", &o, &m, err, sizeof err);
  CHECK(rc == IR_OK, "compile argmap: %s", err);
  if (rc == IR_OK) {
    mkdir(E2E_OUT, 0777);
    CHECK(cc_package_write(m, pkg, err, sizeof err) == 0, "%s", err);
    cc_model_free(m);
    int64_t n = xa.shape[0], on = 0, same = 0, whole = 0;
    float *y = e2e_run(pkg, "fsim", x, n, &on, NULL, NULL);
    CHECK(y && (int64_t)ra.count == n * on, "argmap %s: %lld outputs, onnxruntime %zu", cfg, (long long)(n * on), ra.count);
    for (int64_t i = 0; y && i < n * on && i < (int64_t)ra.count; i++)
      same += y[i] == r[i], whole += y[i] == floorf(y[i]) && y[i] >= 0 && y[i] < 5;
    printf("argmap %s: %lld of %lld pixels of onnxruntime's class, %lld class indices\n", cfg, (long long)same,
           (long long)(n * on), (long long)whole);
    CHECK(y && whole == n * on && same * 100 >= n * on * 95, "argmap %s: %lld of %lld pixels agree, %lld indices", cfg,
          (long long)same, (long long)(n * on), (long long)whole);
    free(y);
  }
  npy_free(&ca), npy_free(&xa), npy_free(&ra);
  free(cf), free(x), free(r);
}

/* A model's package on the Verilated RTL gives fsim's outputs bit for bit: act (its activations
 * run as ALU LUT passes: fused into convs and on their own) and convt (phase convs and
 * depth-to-space layers), two inputs each. */
static void rtl_same(const char *name, const char *cfg) {
  char pkg[256], inp[256];
  snprintf(pkg, sizeof pkg, E2E_OUT "/%s_%s.dlvta", name, cfg);
  int own = !strcmp(name, "convt") || !strcmp(name, "bigpad") || !strcmp(name, "gpool") || !strcmp(name, "hse");
  snprintf(inp, sizeof inp, GEN_DIR "/%s%s", own ? name : "", own ? "_input.npy" : "input.npy");
  npy_array xa;
  float *x;
  if (e2e_load_f32(inp, &xa, &x)) return;
  int64_t n = 2, on = 0;
  float *y = e2e_run(pkg, "fsim", x, n, &on, NULL, NULL);
  float *v = y ? e2e_run(pkg, "verilator", x, n, NULL, NULL, NULL) : NULL;
  CHECK(y && v, "%s %s: no outputs from fsim or verilator", name, cfg);
  if (y && v) {
    int same = !memcmp(v, y, (size_t)(n * on) * sizeof(float));
    printf("%s %s: verilator outputs %s fsim's\n", name, cfg, same ? "identical to" : "DIFFER from");
    CHECK(same, "%s %s: verilator and fsim outputs differ", name, cfg);
  }
  free(y), free(v);
  npy_free(&xa);
  free(x);
}

/* Calibration on 1 thread and on 3 (the samples' runs in parallel, their histograms kept in
 * sample order) gives every accelerator tensor the same scale and zero point, with --calib
 * samples and with synthetic ones. */
static void calib_threads_same(const char *name) {
  char onnx[256], err[2048];
  snprintf(onnx, sizeof onnx, GEN_DIR "/%s.onnx", name);
  npy_array ca;
  float *cf;
  if (e2e_load_f32(GEN_DIR "/calib.npy", &ca, &cf)) return;
  for (int synth = 0; synth < 2; synth++) {
    cc_model *m[2] = {NULL, NULL};
    for (int k = 0; k < 2; k++) {
      cc_options o = {.config = "pynq", .calib = synth ? NULL : cf, .n_calib = synth ? 0 : (int)ca.shape[0],
                      .calib_threads = k ? 3 : 1};
      CHECK(cc_compile(onnx, &o, &m[k], err, sizeof err) == IR_OK, "compile %s: %s", name, err);
    }
    if (m[0] && m[1]) {
      int same = m[0]->nt == m[1]->nt;
      for (int i = 0; same && i < m[0]->nt; i++) same = m[0]->t[i].scale == m[1]->t[i].scale && m[0]->t[i].zp == m[1]->t[i].zp;
      printf("%s, %s samples: calibration on 3 threads %s 1 thread's\n", name, synth ? "synthetic" : "--calib",
             same ? "identical to" : "DIFFERS from");
      CHECK(same, "%s: calibration depends on the thread count", name);
    }
    cc_model_free(m[0]), cc_model_free(m[1]);
  }
  npy_free(&ca);
  free(cf);
}

int main(void) {
  /* qdq: x u8 zp 128 -> int8 0; the relu output u8 zp 0 -> -128; conv2's output u8 zp 128 -> 0 */
  static const float qs[] = {0.02f, 0.03f, 0.05f};
  static const int qz[] = {0, -128, 0};
  /* qlinear: y1 0.04 zp 128 -> 0, y2 0.08 zp 128 -> 0 */
  static const float ls[] = {0.02f, 0.04f, 0.08f};
  static const int lz[] = {0, 0, 0};
  for (int c = 0; c < 2; c++) {
    const char *cfg = c ? "pynq" : "tiny";
    one("qdq", cfg, 4, "", 0.999, qs, qz, 3);
    /* the Flatten of a 8x4x4 map folds into the MatMul, a conv with a 4x4 kernel over the map */
    one("qlinear", cfg, 3, "", 0.999, ls, lz, 3);
    /* conv5 (1x1) feeds only the residual Add of conv4: the cost model weighs fusing it into
     * conv4 as a GEMM residual; on tiny it now predicts the two apart faster (5,786 cycles
     * against 5,884: each layer's first and last steps overlap their loads and stores), so 7
     * layers there too (ResNet-18's downsample projections still fuse on pynq and ultra96) */
    /* x * Sigmoid(x) is one dlvta.Silu step (fuse-activations), a table on the accelerator; its
     * Concat joins two 8-channel branches: whole blocks on tiny (a view), on pynq a view with a
     * lane map that the max pool keeps and conv4 and conv5 fold into their weights (conv5 then
     * runs as a layer of its own) */
    one("mixed", cfg, 7, "Softmax", 0.99, NULL, NULL, 0);
    one("fallback", cfg, c ? 2 : 1, c ? "" : "GlobalAveragePool,Relu", 0.999, NULL, NULL, 0);
    /* five Sigmoids as tables: four fused into their convs and fc, one a LUT layer after the pooling;
     * squeeze-and-excite's Mul per channel a mul layer */
    one("act", cfg, 11, "", 0.999, NULL, NULL, 0);
    /* layout: the Concats are views of their inputs' blocks and the channel shuffle a lane map
     * (no layer); grouped convs, the ceil-mode max pool (keeping the map) and the Flatten into
     * the Gemm on the accelerator; the grouped conv after the pool reads a copy that gathers
     * the lanes: 9 layers, no CPU step */
    one("layout", cfg, 9, "", 0.99, NULL, NULL, 0);
    /* split: ShuffleNet v2 units with 10-channel halves: each Slice / Split output a view of the
     * blocks holding its channels with a lane map (no layer), the 1x1 convs fold the maps into
     * their weights: 6 layers (3 convs, the 3x3 conv, the pooling, the fc), no CPU step */
    one("split", cfg, 6, "", 0.999, NULL, NULL, 0);
    /* neck: both Resizes (scales with asymmetric + floor, sizes with half_pixel) are upsampling
     * layers (CG_POOL_UP), the Concat of the upsampled map and the finer one a view: 9 layers */
    one("neck", cfg, 9, "", 0.999, NULL, NULL, 0);
    /* fpn: the laterals with the upsampled coarser map as their residual, each merged map read
     * by the next Resize (one quantization across it): 3 convs down, 3 laterals, 2 upsamplings,
     * the head conv, the pooling, the fc: 11 layers (was "internal: ... quantized differently") */
    one("fpn", cfg, 11, "", 0.999, NULL, NULL, 0);
    /* bigpad: pads 20 and (28, 17) beyond a load's 15: zero Pads before the convs take the
     * excess, each an identity copy with padding: on pynq 7 layers (conv, pad, conv, pad, conv,
     * pooling, fc); tiny's buffers do not hold the dilated convs' tiles: they run on the CPU */
    /* actpool: relu(max_pool(conv)) and a relu6 of a pool trade places with their pools and join
     * the convs; a Relu of a pool that the Add reads too is a table layer on its own: c1, p1, c2,
     * p2, c3, p3, the Relu, the Add, the pooling, the fc: 10 layers */
    one("actpool", cfg, 10, "", 0.999, NULL, NULL, 0);
    /* bcast: the pooled branch's bilinear Resize of a 1 x 1 map to 32 x 32 is a broadcast, two
     * nearest upsamplings (2, then 16): conv, pooling, conv, 2 upsamplings, the Concat a view,
     * conv, pooling, fc: 8 layers; tiny's buffers do not hold the x16 one: on the CPU there */
    one("bcast", cfg, c ? 8 : 7, c ? "" : "Resize", 0.999, NULL, NULL, 0);
    one("bigpad", cfg, c ? 7 : 5, c ? "" : "dlvta.FusedConv,dlvta.FusedConv", 0.998, NULL, NULL, 0); /* 0.99884 either way */
    /* seg: both bilinear Resizes (pytorch_half_pixel scales, asymmetric sizes) are bilinear
     * layers (CG_POOL_BIL), the Concat of the upsampled map and the conv's a view: 5 layers, no
     * CPU step */
    one("seg", cfg, 5, "", 0.999, NULL, NULL, 0);
    /* seq1d: lifted to [1, C, 1, L]: conv, pool, the depthwise conv, the pointwise conv with the
     * residual, the BatchNorm after the Add (a depthwise 1x1 conv), the two strided convs writing
     * the Concat view, the pooling (on pynq a copy of the view first: its lanes are not whole
     * blocks) and the fc; the input's and the Flatten's Reshapes are aliases: no CPU step */
    one("seq1d", cfg, c ? 10 : 9, "", 0.999, NULL, NULL, 0);
    /* heads: conv, the Relu after the InstanceNormalization (a table layer on its own), conv +
     * Selu (a fused table), Softsign (a table layer), the pooling, the fc */
    one("heads", cfg, 6, "InstanceNormalization,LpNormalization,LogSoftmax", 0.999, NULL, NULL, 0);
    argmap_check(cfg);
    /* convt: two convs down; each ConvTranspose a conv of its phases (its Relu fused) and a
     * depth-to-space layer that interleaves them (the last one cropping 32 -> 31); the skip
     * Concat a view: 10 layers, no CPU step */
    one("convt", cfg, 10, "", 0.999, NULL, NULL, 0);
    /* d2s: the DCR DepthToSpace a layer of its own, the pixel_shuffle's conv reordered into
     * phase groups and a depth-to-space layer; SpaceToDepth on the CPU: 6 layers */
    one("d2s", cfg, 6, "SpaceToDepth", 0.999, NULL, NULL, 0);
    /* prelu: each PReLU with a slope per channel (4) a table layer of relu(-x) (Neg with its Relu
     * as the clamp) and a depthwise 1x1 conv by 1 - slope with x as its residual; the convs, the
     * residual Add (fused into the projection), the GDC and the fc: 15 layers, no CPU step */
    one("prelu", cfg, 15, "", 0.995, NULL, NULL, 0);
    /* tokens: the Gemms on 2-D tokens (qkv, out_proj, the MLP's two, B [K, M] and transB with
     * alpha, beta and a scalar C) 1x1 convs over the 16 rows, the MLP's Relu fused; the patch
     * conv and the head's fc: 6 layers; the token layout (Reshape, Transpose), attention and the
     * residual Adds of [16, 16] tensors on the CPU */
    one("tokens", cfg, 6, TOKENS_CPU, 0.998, NULL, NULL, 0);
    /* prelu1d: lifted to [1, C, 1, L], each PReLU a table layer and a depthwise conv with the
     * residual: conv, 2 x 2 for the PReLUs, the depthwise conv, the pooling, the fc: 8 layers */
    one("prelu1d", cfg, 8, "", 0.999, NULL, NULL, 0);
    /* gpool: GlobalMaxPool, ReduceMax over H,W and a map-sized MaxPool (stride = map) each a max
     * pool layer of the whole map (they were CPU steps, or "no tiling fits"): 3 convs, 3 pools,
     * the Concat a view, the fc: 7 layers */
    one("gpool", cfg, 7, "", 0.998, NULL, NULL, 0); /* 0.99868 at worst: the signed convs before the maxima */
    /* gpool1d: MaxPool1d(200) (the compiler crashed: a 200-wide window overflowed the separable
     * pass) and a 1-D GlobalMaxPool: conv, 2 pools, conv, fc on pynq; tiny's buffers hold neither
     * the 400-long conv nor the pool */
    one("gpool1d", cfg, c ? 5 : 3, c ? "" : "dlvta.FusedConv,MaxPool", 0.999, NULL, NULL, 0);
    /* yhead: the Sigmoid after view / permute moves before them and fuses into the head conv;
     * only the layout change (Reshape, Transpose, Reshape) stays on the CPU */
    one("yhead", cfg, 2, "Reshape,Transpose,Reshape", 0.999, NULL, NULL, 0);
    /* u8in: the uint8 input's Cast goes (float-inputs); of (x / 255 - mean) / std, the input's
     * normalization, the last scale folds into the padded conv and x * (1 / 255) - mean runs on
     * the host before the input's quantization (affine-to-conv leaves it there): 4 layers */
    one("u8in", cfg, 4, "Mul,Add", 0.999, NULL, NULL, 0);
    /* hse: MobileNetV3's blocks, Hardswish outputs affine int8; squeeze-and-excite's Muls with
     * a's zero point in their GEMM's bias and the output's in the mul's bias (2^-7 of the
     * product unit), at 24 x 24 (chunks of one channel block) and 8 x 8 (of whole blocks): 5
     * convs, 3 poolings, 4 SE fcs, 2 Muls, the fc: 15 layers */
    one("hse", cfg, 15, "", 0.999, NULL, NULL, 0);
    /* padcat: 2 convs, the ConvTranspose's phase conv and depth-to-space layer, the Pad a copy
     * with padding, the Concat a view, the zero Pad gone, the last conv: 6 layers (cosine 0.85
     * when the Pad's input was quantized apart from the Concat's output) */
    one("padcat", cfg, 6, "", 0.999, NULL, NULL, 0);
    /* catpool: 2 convs, the average and the max pooling, the fc reading their Concat (a view)
     * through the flattening Reshape: 5 layers (the Concat of the [1, 16] vectors was a CPU step) */
    one("catpool", cfg, 5, "", 0.999, NULL, NULL, 0);
    /* crop: 4 convs, the ConvTranspose's two layers, the three crops each a depthwise conv (the
     * Concat a view): 9 layers (the crops were CPU steps) */
    one("crop", cfg, 9, "", 0.999, NULL, NULL, 0);
    /* eca: the conv, the pooling, the channel conv with its Sigmoid, the Mul by the gate, the
     * head's pooling and fc: 6 layers (Squeeze, Transpose, the lift's Reshapes, Transpose and
     * Unsqueeze were CPU steps) */
    one("eca", cfg, 6, "", 0.999, NULL, NULL, 0);
    /* cbam: the conv, the channel mean, the 7x7 conv with its Sigmoid, the broadcast of the gate,
     * the Mul, the head's pooling and fc, and the channel max's tree over 24 channels (Max layers
     * 24 -> 12 -> 6 -> 3 -> 2 -> 1 and the copies of the halves that start inside a block; tiny's
     * blocks of 4 need one fewer): 16 / 17 layers, nothing on the CPU (the max was a CPU step) */
    one("cbam", cfg, !strcmp(cfg, "tiny") ? 16 : 17, "", 0.999, NULL, NULL, 0);
    /* groups: the conv, the two grouped convs as dense ones, the channel repeat and the
     * depthwise conv of the multiplier, the pooling, the fc: 7 layers (the grouped convs were CPU
     * steps) */
    one("groups", cfg, 7, "", 0.999, NULL, NULL, 0);
    /* causal1d: a Pad layer of 1 on the left, the two convs: 3 layers (the dilated conv, padded
     * beyond 15, and the output's Reshape were CPU steps) */
    one("causal1d", cfg, 3, "", 0.999, NULL, NULL, 0);
    /* poolmix: the conv, the average pool, the Neg table, the add, the conv, the head's pooling
     * and fc: 7 layers (the Sub was a CPU step) */
    one("poolmix", cfg, 7, "", 0.999, NULL, NULL, 0);
    /* rnnhead: the two convs and the per-step dense layer (a 1x1 conv over the 16 steps) on the
     * accelerator, the sequence's layout ops and the GRU (its activation list read back from the
     * package) on the CPU: 3 layers */
    one("rnnhead", cfg, 3, "Reshape,Transpose,GRU,Reshape,Transpose,Transpose,Reshape", 0.999, NULL, NULL, 0);
    /* video (lift-3d): the Conv3d as 4 per-frame convs (its ReLU fused), the frames' 2-D max
     * pool, 2 Max layers across the frame pairs, per pooled frame the two 1x1x1 branches, their
     * Max, Min and sum (2 x 5), the temporal conv's 2 frames, the global pool and the frame mean,
     * the fc: 19 layers; the input's frames stacked on the host (Transpose, Reshape) */
    one("video", cfg, 19, "Transpose,Reshape", 0.999, NULL, NULL, 0);
    /* vanish: activations ~1e-9 before a conv with an O(1) bias, which int32 cannot hold at
     * in_scale * w_scale: added in output units (cosine -0.01 when it was clamped) */
    one("vanish", cfg, 4, "", 0.999, NULL, NULL, 0);
  }
  /* ultra96's layout block is its 32 output lanes, twice the input block: the channel slices
   * and Concat views count blocks of 32 (lower_slice took block_in: every shufflenet Slice fell
   * back to the CPU there) */
  one("split", "ultra96", 6, "", 0.999, NULL, NULL, 0);
  one("layout", "ultra96", 9, "", 0.99, NULL, NULL, 0);
  /* and a's INP element is half a block: the SE Muls' a by two GEMMs (the bias one on the first
   * slice), the global pools' sums a micro-op per slice */
  one("hse", "ultra96", 15, "", 0.999, NULL, NULL, 0);
  calib_threads_same("neck");
  rtl_same("act", "tiny");
  rtl_same("hse", "pynq"); /* the mul's a through INP and an identity GEMM with a bias */
  rtl_same("hse", "ultra96");
  rtl_same("convt", "tiny");
  rtl_same("fpn", "tiny");
  rtl_same("bigpad", "pynq");
  rtl_same("prelu", "tiny"); /* a table layer with its Relu as the clamp */
  rtl_same("rnnhead", "pynq"); /* accelerator layers on both sides of a GRU CPU step */
  rtl_same("gpool", "tiny"); /* max pools of a whole map, stride 1 where one output row */
  rtl_same("seg", "tiny");
  rtl_same("seg", "pynq");
  return TEST_END();
}
