/* compiler/cc.h -- the compiler's pass pipeline over the graph IR (ir.h). One function
 * (cc_run_pipeline, in cc_pipeline.c) runs every pass in the order of one table; the verifier
 * runs after each pass, and the IR can be dumped after any named pass (the CLI's
 * --dump-after PASS). Later stages (quantization, partitioning, tiling, code generation) are
 * added as lines of that table, or at run time with cc_register_pass.
 *
 * A pass gets the graph and the options and returns IR_OK, IR_ERR or IR_UNSUPPORTED with a
 * message naming the file and node; it may mark nodes dead (the runner compacts the graph). */
#ifndef DLVTA_CC_H
#define DLVTA_CC_H

#include <stdio.h>

#include "ir.h"

typedef struct cc_options {
  const char *dump_after; /* dump the IR after this pass ("all": after every pass), or NULL */
  FILE *dump_to;          /* where dumps go; NULL: stderr */
  const char *stop_after; /* end the pipeline after this pass, or NULL for all */
  int no_verify;          /* skip the verifier between passes (not recommended) */
  int verbose;            /* one line per pass on dump_to: name, nodes, tensors */
} cc_options;

typedef int (*cc_pass_fn)(ir_graph *g, const cc_options *o, char *err, size_t errlen);

typedef struct cc_pass {
  const char *name; /* the --dump-after name */
  cc_pass_fn run;
  int types_after;  /* 1: from this pass on, every tensor has a known dtype and rank */
  const char *what; /* one line for --help */
} cc_pass;

/* Run every pass of the pipeline on g, in order, verifying after each. IR_OK or the first
 * failing pass's status (err names the pass, file and node). o may be NULL. */
int cc_run_pipeline(ir_graph *g, const cc_options *o, char *err, size_t errlen);

/* Run one pass by name (then compact and verify). IR_ERR if no such pass. */
int cc_run_pass(ir_graph *g, const char *name, const cc_options *o, char *err, size_t errlen);

/* The pipeline's passes in order (built-in, then registered); NULL past the end. */
const cc_pass *cc_pass_at(int i);
const cc_pass *cc_find_pass(const char *name);

/* Print the pipeline's passes, one per line with what they do (for --help). */
void cc_print_passes(FILE *f);

/* Append a pass to the pipeline (it runs after the built-in ones, in registration order). The
 * struct is copied; name and what must outlive the pipeline. 0 on success, -1 if the table is
 * full or the name is taken. */
int cc_register_pass(const cc_pass *p);

/* ---- the front-end passes (cc_passes.c), in pipeline order; contracts in cc_passes.c ---- */
int cc_fold_constants(ir_graph *g, const cc_options *o, char *err, size_t errlen);
int cc_shape_infer(ir_graph *g, const cc_options *o, char *err, size_t errlen);
int cc_remove_identity(ir_graph *g, const cc_options *o, char *err, size_t errlen);
int cc_annotate_quant(ir_graph *g, const cc_options *o, char *err, size_t errlen);
int cc_fold_batchnorm(ir_graph *g, const cc_options *o, char *err, size_t errlen);
int cc_normalize_reshape(ir_graph *g, const cc_options *o, char *err, size_t errlen);
int cc_fuse(ir_graph *g, const cc_options *o, char *err, size_t errlen);
int cc_dce(ir_graph *g, const cc_options *o, char *err, size_t errlen);

#endif
