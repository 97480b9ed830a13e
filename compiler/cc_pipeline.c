/* compiler/cc_pipeline.c -- the pass list and the runner: every pass of the compiler in order,
 * front end and back end, the verifier between passes, dumps after a named pass. See cc.h. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cc.h"
#include "util.h"

/* The whole pipeline, in order: {name, pass, types known after it, back-end pass, what}. */
static const cc_pass passes[] = {
    {"fold-constants", cc_fold_constants, 0, 0, "evaluate Constant nodes and nodes whose inputs are all constant (not Q/DQ, nor the Transpose of MatMul weights)"},
    {"fold-shapes", cc_fold_shapes, 0, 0, "Shape/Size of known extents -> constants, then the shape arithmetic on them folded"},
    {"shape-infer", cc_shape_infer, 1, 0, "infer every tensor's dtype and shape (symbolic extents stay -1)"},
    {"unbatch", cc_unbatch, 1, 0, "with a target: a fixed batch N > 1 whose samples the graph keeps apart (proved node by node) -> one sample, run N times"},
    {"remove-identity", cc_remove_identity, 1, 0, "drop Identity, same-type Cast, zero Pad, inference-mode Dropout and one-input Sum; Sum of several -> a chain of Adds"},
    {"annotate-quant", cc_annotate_quant, 1, 0, "record QDQ / QLinear* scales and zero points on the integer tensors"},
    {"fold-batchnorm", cc_fold_batchnorm, 1, 0, "fold BatchNormalization into Conv/Gemm, else into Mul+Add"},
    {"normalize-reshape", cc_normalize_reshape, 1, 0, "Flatten/Squeeze/Unsqueeze/Reshape -> Reshape with explicit shape; a pixel shuffle as Reshape-Transpose-Reshape -> DepthToSpace; unit-axis Transpose -> Reshape; Conv1d across channels (ECA) -> dense 1x1 Conv"},
    {"fuse-activations", cc_fuse_activations, 1, 0, "uniform PRelu -> LeakyRelu, Sigmoid*x -> dlvta.Silu, HardSigmoid*x -> HardSwish, erf GELU -> Gelu, LayerNorm; activations before Reshape/Transpose"},
    {"channels-last", cc_channels_last, 1, 0, "Transpose -> flatten -> dense layer: the Transpose into the weights; MatMul of channels-last activations -> 1x1 Conv; Transposes sunk and cancelled, into Reduce* axes"},
    {"reduce-to-pool", cc_reduce_to_pool, 1, 0, "ReduceMean/ReduceMax over H,W -> GlobalAverage/MaxPool (+ Reshape), over H or W -> Average/MaxPool of that axis; GlobalMaxPool -> MaxPool of the map; ReduceMean/Sum over C -> 1x1 Conv; ReduceMax over C -> a tree of Max layers of channel halves"},
    {"fold-pad", cc_fold_pad, 1, 0, "zero Pad -> the Conv's pads; ceil_mode pooling -> explicit end padding; a spatial crop (negative Pad, Slice of H, W, also with steps) -> a depthwise Conv"},
    {"lift-1d", cc_lift_1d, 1, 0, "1-D convolutional networks ([N,C,L]: Conv1d, pools and what follows them) -> 2-D over [N,C,1,L]; Concat of flattened pooled vectors -> Concat of the pooled maps + one flatten"},
    {"lift-3d", cc_lift_3d, 1, 0, "3-D convolutional networks ([1,C,T,H,W]: Conv3d, frame pools, global pooling and what follows them) -> 2-D over the frames stacked in the channels: a Conv per output frame over a channel view of its input frames"},
    {"fold-affine", cc_fold_affine, 1, 0, "per-channel Mul/Add right before or after a Conv -> its weights and bias; MatMul + constant row -> Gemm with that bias"},
    {"affine-to-conv", cc_affine_to_conv, 1, 0, "remaining per-channel Mul/Add/Sub/Div by constants -> depthwise 1x1 Conv (on the model's input: left to the host); a one-channel gate of a Mul -> broadcast by a 1x1 Conv; Sub of activations -> Add of a Neg"},
    {"prelu-to-conv", cc_prelu_to_conv, 1, 0, "PRelu with a slope per channel -> Neg, Relu (one table layer), depthwise 1x1 Conv by 1 - slope with x as its residual"},
    {"convt-to-conv", cc_convt_to_conv, 1, 0, "with a target: ConvTranspose -> one stride-1 Conv of all its output phases + dlvta.Interleave; a conv's DepthToSpace (CRD, or groups not whole blocks) -> reordered conv + Interleave"},
    {"fuse", cc_fuse, 1, 0, "Conv + bias + residual Add + Relu/Clip -> dlvta.FusedConv"},
    {"dce", cc_dce, 1, 0, "remove nodes and tensors nothing uses"},
    {"float-inputs", cc_float_inputs, 1, 1, "integer graph inputs that are only Cast to float32 (a uint8 image) -> float32 inputs (the runtime's inputs are float32), the Casts gone"},
    {"float-outputs", cc_float_outputs, 1, 1, "integer / bool graph outputs (ArgMax, Cast) -> a Cast to float32 under the output's name (the runtime's outputs are float32)"},
    {"qdq-import", cc_qdq_import, 1, 1, "quantized ONNX (Q/DQ pairs, fake-quantized weights, QLinearConv/MatMul) -> float ops with fixed scales; QAT BN folded"},
    {"partition", cc_partition, 1, 1, "each node to the accelerator, an alias, a fused clamp or the CPU (dlvta.target)"},
    {"calibrate", cc_calibrate, 1, 1, "activation ranges over the calibration samples -> int8 scale/zero point per tensor; the channels of a conv feeding an InstanceNorm evened"},
    {"lower", cc_lower, 1, 1, "accelerator layers, per-layer programs, image, runtime graph, plan"},
};

#define N_PASSES ((int)(sizeof passes / sizeof passes[0]))

const cc_pass *cc_pass_at(int i) { return i >= 0 && i < N_PASSES ? &passes[i] : NULL; }

const cc_pass *cc_find_pass(const char *name) {
  for (int i = 0; i < N_PASSES; i++)
    if (!strcmp(passes[i].name, name)) return &passes[i];
  return NULL;
}

void cc_print_passes(FILE *f) {
  for (int i = 0; i < N_PASSES; i++) fprintf(f, "  %-18s %s\n", passes[i].name, passes[i].what);
}

void cc_ctx_done(cc_ctx *cx) {
  free(cx->calibrated);
  cx->calibrated = NULL;
  cx->n_calibrated = 0;
}

/* Seconds on the clock c (CLOCK_MONOTONIC: wall, CLOCK_PROCESS_CPUTIME_ID: every thread's CPU). */
static double seconds(clockid_t c) {
  struct timespec t;
  clock_gettime(c, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Run pass p, compact, verify, dump as asked. */
static int run_one(ir_graph *g, const cc_pass *p, int typed, cc_ctx *cx, char *err, size_t errlen) {
  const cc_options *o = cx->o;
  FILE *df = o->dump_to ? o->dump_to : stderr;
  double w0 = seconds(CLOCK_MONOTONIC), c0 = seconds(CLOCK_PROCESS_CPUTIME_ID);
  if (err && errlen) err[0] = 0; /* a failure without a message must not show an older one */
  int rc = p->run(g, cx, err, errlen);
  if (rc) {
    char msg[1024];
    snprintf(msg, sizeof msg, "%s", err && err[0] ? err : "(no message)");
    util_err(err, errlen, "pass %s: %s", p->name, msg);
    return rc;
  }
  ir_graph_compact(g);
  if (!o->no_verify && ir_verify(g, typed, err, errlen)) {
    char msg[1024];
    snprintf(msg, sizeof msg, "%s", err ? err : "");
    util_err(err, errlen, "after pass %s: %s", p->name, msg);
    return IR_ERR;
  }
  if (o->verbose)
    fprintf(df, "cc: %-18s %5d nodes %6d tensors %8.3f s %8.3f s CPU\n", p->name, g->n_nodes, g->n_tensors,
            seconds(CLOCK_MONOTONIC) - w0, seconds(CLOCK_PROCESS_CPUTIME_ID) - c0);
  if (o->dump_after && (!strcmp(o->dump_after, "all") || !strcmp(o->dump_after, p->name))) {
    fprintf(df, "## after %s\n", p->name);
    ir_dump(g, df);
  }
  return IR_OK;
}

int cc_run_pipeline(ir_graph *g, cc_ctx *cx, char *err, size_t errlen) {
  static const cc_options none;
  cc_ctx front = {.o = &none};
  if (!cx) cx = &front;
  if (!cx->o) cx->o = &none;
  const cc_options *o = cx->o;
  if (o->dump_after && strcmp(o->dump_after, "all") && strcmp(o->dump_after, "import") && !cc_find_pass(o->dump_after))
    return util_err(err, errlen, "--dump-after: no pass named '%s'", o->dump_after);
  if (!o->no_verify && ir_verify(g, 0, err, errlen)) return IR_ERR;
  if (o->dump_after && (!strcmp(o->dump_after, "all") || !strcmp(o->dump_after, "import"))) {
    fprintf(o->dump_to ? o->dump_to : stderr, "## after import\n");
    ir_dump(g, o->dump_to ? o->dump_to : stderr);
  }
  int typed = 0;
  for (int i = 0; i < N_PASSES; i++) {
    const cc_pass *p = &passes[i];
    if (p->target && !cx->cfg) break;
    typed |= p->types_after;
    int rc = run_one(g, p, typed, cx, err, errlen);
    if (rc) return rc;
    if (o->stop_after && !strcmp(o->stop_after, p->name)) break;
  }
  return IR_OK;
}

int cc_run_pass(ir_graph *g, const char *name, cc_ctx *cx, char *err, size_t errlen) {
  static const cc_options none;
  cc_ctx front = {.o = &none};
  const cc_pass *p = cc_find_pass(name);
  if (!p) return util_err(err, errlen, "no pass named '%s'", name);
  if (!cx) cx = &front;
  if (!cx->o) cx->o = &none;
  return run_one(g, p, p->types_after, cx, err, errlen);
}
