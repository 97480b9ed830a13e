/* compiler/cc.h -- the compiler's pass pipeline over the graph IR (ir.h). One table (in
 * cc_pipeline.c) lists every pass of the compiler in order, front end and back end together:
 *
 *   fold-constants, fold-shapes, shape-infer, unbatch, remove-identity, annotate-quant,
 *   fold-batchnorm, normalize-reshape, fuse-activations, channels-last, reduce-to-pool, fold-pad,
 *   lift-1d, lift-3d, fold-affine, affine-to-conv, prelu-to-conv, convt-to-conv, fuse, dce
 *                      (front end: cc_passes.c, cc_rewrite.c, cc_unbatch.c, cc_lift.c,
 *                       cc_lift3d.c, cc_convt.c)
 *   float-inputs, float-outputs, qdq-import, partition, calibrate, lower
 *                      (back end: cc_passes.c, quant.c, partition.c, plan.c with lower.c;
 *                       see compile.h)
 *
 * cc_run_pipeline runs them in that order with the verifier after each pass; the IR can be
 * dumped after any named pass (the CLI's --dump-after PASS). The compile's state (options,
 * target config, the model being built) is the context passed to every pass: there is no
 * global state and no registration at run time. Without a target config (cx->cfg == NULL, e.g.
 * the front-end tests) the pipeline ends before the first back-end pass.
 *
 * A pass gets the graph and the context and returns IR_OK, IR_ERR or IR_UNSUPPORTED with a
 * message naming the file and node; it may mark nodes dead (the runner compacts the graph). */
#ifndef DLVTA_CC_H
#define DLVTA_CC_H

#include <stdint.h>
#include <stdio.h>

#include "ir.h"

struct isa_config;
struct cc_model;

/* The compiler's one options struct: what `dlvta compile` and the tests ask of a compile. */
typedef struct cc_options {
  const char *config;     /* hardware config name, e.g. "pynq" (cc_compile; NULL: pynq) */
  const float *calib;     /* [n_calib][numel of the model's (single) input] float32, or NULL */
  int n_calib;            /* 0: synthetic samples (see cc_calibrate) */
  const float *const *calib_inputs; /* a model with several inputs: [n_calib_inputs] (the graph's
                                     * input order) of [n_calib][numel of that input] float32;
                                     * NULL: calib, for a single input */
  int n_calib_inputs;
  int n_synth;            /* synthetic samples without calib (0: the default, 8; dlvta dse
                           * takes 1: the cost model needs shapes, not scales) */
  int calib_threads;      /* threads running calibration samples (0: one per online CPU, at
                           * most 4); the result does not depend on it */
  int no_latency_hiding;  /* passed to the back end (cg_opts) */
  const char *dump_after; /* dump the IR after this pass ("all": after every pass, "import":
                           * before the first), or NULL */
  FILE *dump_to;          /* where dumps go; NULL: stderr */
  const char *stop_after; /* end the pipeline after this pass, or NULL for all */
  const char *const *outputs; /* cc_compile_graph: the tensors to end the model at, in place of its
                               * outputs (its post-processing left to the host: ir_cut_outputs),
                               * or NULL */
  int n_outputs;
  int no_verify;          /* skip the verifier between passes (not recommended) */
  int verbose;            /* one line per pass on dump_to: name, nodes, tensors, its wall and
                           * CPU seconds (pass, compaction and verifier) */
  FILE *log;              /* one-line notes: calibration source, partition, layers (NULL: none) */
} cc_options;

#define CC_MAX_SRC_INPUTS 64 /* graph inputs whose integer dtype float-inputs records */

/* The state of one compile, passed to every pass. */
typedef struct cc_ctx {
  const cc_options *o;            /* never NULL inside a pass */
  const struct isa_config *cfg;   /* target config; NULL: front end only */
  struct cc_model *model;         /* set by lower */
  unsigned char *calibrated;      /* [n_calibrated] 1 for tensors whose quantization calibrate
                                   * chose (lower may nudge those, never a model's own), set by
                                   * calibrate, freed by cc_ctx_done */
  int n_calibrated;
  int own_quant;                  /* set by calibrate: every activation had the model's own
                                   * quantization, no samples were run */
  int64_t unbatched;              /* set by unbatch: the fixed batch N the graph was rewritten
                                   * from to one sample (each calibration sample is N of them) */
  char unbatch_why[320];          /* set by unbatch: why a fixed-batch graph stays as it is */
  int declared_wrong;             /* extents the model declares that its ops contradict (the
                                   * inferred ones are used), set by fold-shapes / shape-infer */
  char declared_note[400];        /* the first of them: tensor, node, both extents */
  unsigned char input_dtype[CC_MAX_SRC_INPUTS]; /* set by float-inputs: graph input i's integer
                                   * dtype (ir_dtype: a uint8 image) before it made it float32;
                                   * 0 for the others (lower copies it into cc_mio.src_dtype) */
} cc_ctx;

typedef int (*cc_pass_fn)(ir_graph *g, cc_ctx *cx, char *err, size_t errlen);

typedef struct cc_pass {
  const char *name; /* the --dump-after name */
  cc_pass_fn run;
  int types_after;  /* 1: from this pass on, every tensor has a known dtype and rank */
  int target;       /* 1: a back-end pass, run only when cx->cfg is set */
  const char *what; /* one line for --help */
} cc_pass;

/* Run every pass of the pipeline on g, in order, verifying after each. IR_OK or the first
 * failing pass's status (err names the pass, file and node). cx may be NULL (front end with
 * default options); cx->o may be NULL (default options). */
int cc_run_pipeline(ir_graph *g, cc_ctx *cx, char *err, size_t errlen);

/* Run one pass by name (then compact and verify). IR_ERR if no such pass. cx as above. */
int cc_run_pass(ir_graph *g, const char *name, cc_ctx *cx, char *err, size_t errlen);

/* The pipeline's passes in order; NULL past the end. */
const cc_pass *cc_pass_at(int i);
const cc_pass *cc_find_pass(const char *name);

/* Print the pipeline's passes, one per line with what they do (for --help). */
void cc_print_passes(FILE *f);

/* Free what the passes left in cx (not cx->model). */
void cc_ctx_done(cc_ctx *cx);

/* ---- the passes, in pipeline order; contracts at their definitions ---- */
/* front end (cc_passes.c) */
int cc_fold_constants(ir_graph *g, cc_ctx *cx, char *err, size_t errlen);
int cc_shape_infer(ir_graph *g, cc_ctx *cx, char *err, size_t errlen);
int cc_float_outputs(ir_graph *g, cc_ctx *cx, char *err, size_t errlen);
int cc_float_inputs(ir_graph *g, cc_ctx *cx, char *err, size_t errlen);
int cc_remove_identity(ir_graph *g, cc_ctx *cx, char *err, size_t errlen);
int cc_annotate_quant(ir_graph *g, cc_ctx *cx, char *err, size_t errlen);
int cc_fold_batchnorm(ir_graph *g, cc_ctx *cx, char *err, size_t errlen);
int cc_normalize_reshape(ir_graph *g, cc_ctx *cx, char *err, size_t errlen);
/* cc_rewrite.c */
int cc_fold_shapes(ir_graph *g, cc_ctx *cx, char *err, size_t errlen);
/* cc_unbatch.c */
int cc_unbatch(ir_graph *g, cc_ctx *cx, char *err, size_t errlen);
int cc_fuse_activations(ir_graph *g, cc_ctx *cx, char *err, size_t errlen);
int cc_channels_last(ir_graph *g, cc_ctx *cx, char *err, size_t errlen);
int cc_reduce_to_pool(ir_graph *g, cc_ctx *cx, char *err, size_t errlen);
/* cc_lift.c */
int cc_lift_1d(ir_graph *g, cc_ctx *cx, char *err, size_t errlen);
/* cc_lift3d.c */
int cc_lift_3d(ir_graph *g, cc_ctx *cx, char *err, size_t errlen);
int cc_fold_pad(ir_graph *g, cc_ctx *cx, char *err, size_t errlen);
int cc_fold_affine(ir_graph *g, cc_ctx *cx, char *err, size_t errlen);
int cc_affine_to_conv(ir_graph *g, cc_ctx *cx, char *err, size_t errlen);
int cc_prelu_to_conv(ir_graph *g, cc_ctx *cx, char *err, size_t errlen);
/* cc_passes.c */
/* ConvTranspose -> phase Conv + dlvta.Interleave for the target's block (cc_convt.c; no-op without a target) */
int cc_convt_to_conv(ir_graph *g, cc_ctx *cx, char *err, size_t errlen);
int cc_fuse(ir_graph *g, cc_ctx *cx, char *err, size_t errlen);
int cc_dce(ir_graph *g, cc_ctx *cx, char *err, size_t errlen);
/* back end: qdq-import and calibrate in quant.c, partition in partition.c, lower in plan.c */
int cc_qdq_import(ir_graph *g, cc_ctx *cx, char *err, size_t errlen);
int cc_partition(ir_graph *g, cc_ctx *cx, char *err, size_t errlen);
/* CPU node i (partition's, or one the back end refused) that reads or writes (as a graph output)
 * a float tensor carrying the model's own quantization (a QDQ model's Quantize -> Dequantize
 * pair, which qdq-import folds into the tensor) off its grid: the pair put back around it, as
 * CPU steps, so that the CPU computes on the model's values. The nodes inserted before i. */
int cc_cpu_grid(ir_graph *g, int i, const cc_ctx *cx);
int cc_calibrate(ir_graph *g, cc_ctx *cx, char *err, size_t errlen);
/* Tensor t's quantization, if it has one, is the model's own (a QDQ model's), not one calibrate
 * chose (cx->calibrated; cx may be NULL). */
int cc_own_quant(const cc_ctx *cx, int t);
int cc_lower(ir_graph *g, cc_ctx *cx, char *err, size_t errlen);

#endif
