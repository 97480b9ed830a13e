/* compiler/cc_pipeline.c -- the pass list and the runner: every pass in order, the verifier
 * between passes, dumps after a named pass. See cc.h. */
#include <string.h>

#include "cc.h"
#include "util.h"

/* The pipeline, in order. Later stages append their lines here (quantize, partition, tile,
 * codegen), or register at run time with cc_register_pass. */
static const cc_pass builtin_passes[] = {
    {"fold-constants", cc_fold_constants, 0, "evaluate Constant nodes and nodes whose inputs are all constant (not Q/DQ)"},
    {"shape-infer", cc_shape_infer, 1, "infer every tensor's dtype and shape (symbolic extents stay -1)"},
    {"remove-identity", cc_remove_identity, 1, "drop Identity, same-type Cast and inference-mode Dropout"},
    {"annotate-quant", cc_annotate_quant, 1, "record QDQ / QLinear* scales and zero points on the integer tensors"},
    {"fold-batchnorm", cc_fold_batchnorm, 1, "fold BatchNormalization into Conv/Gemm, else into Mul+Add"},
    {"normalize-reshape", cc_normalize_reshape, 1, "Flatten/Squeeze/Unsqueeze/Reshape -> Reshape with explicit shape"},
    {"fuse", cc_fuse, 1, "Conv + bias + residual Add + Relu/Clip -> dlvta.FusedConv"},
    {"dce", cc_dce, 1, "remove nodes and tensors nothing uses"},
    /* back end, next: {"quantize", ...}, {"partition", ...}, {"tile", ...}, {"codegen", ...} */
};

#define N_BUILTIN ((int)(sizeof builtin_passes / sizeof builtin_passes[0]))
#define MAX_EXTRA 32

static cc_pass extra_passes[MAX_EXTRA];
static int n_extra;

const cc_pass *cc_pass_at(int i) {
  if (i < 0) return NULL;
  if (i < N_BUILTIN) return &builtin_passes[i];
  if (i < N_BUILTIN + n_extra) return &extra_passes[i - N_BUILTIN];
  return NULL;
}

const cc_pass *cc_find_pass(const char *name) {
  for (int i = 0; cc_pass_at(i); i++)
    if (!strcmp(cc_pass_at(i)->name, name)) return cc_pass_at(i);
  return NULL;
}

void cc_print_passes(FILE *f) {
  for (int i = 0; cc_pass_at(i); i++) fprintf(f, "  %-18s %s\n", cc_pass_at(i)->name, cc_pass_at(i)->what);
}

int cc_register_pass(const cc_pass *p) {
  if (n_extra == MAX_EXTRA || !p->name || !p->run || cc_find_pass(p->name)) return -1;
  extra_passes[n_extra++] = *p;
  return 0;
}

/* Run pass p, compact, verify, dump as asked. */
static int run_one(ir_graph *g, const cc_pass *p, int typed, const cc_options *o, char *err, size_t errlen) {
  FILE *df = o->dump_to ? o->dump_to : stderr;
  int rc = p->run(g, o, err, errlen);
  if (rc) {
    char msg[1024];
    snprintf(msg, sizeof msg, "%s", err ? err : "");
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
  if (o->verbose) fprintf(df, "cc: %-18s %5d nodes %6d tensors\n", p->name, g->n_nodes, g->n_tensors);
  if (o->dump_after && (!strcmp(o->dump_after, "all") || !strcmp(o->dump_after, p->name))) {
    fprintf(df, "## after %s\n", p->name);
    ir_dump(g, df);
  }
  return IR_OK;
}

int cc_run_pipeline(ir_graph *g, const cc_options *o, char *err, size_t errlen) {
  cc_options none = {0};
  if (!o) o = &none;
  if (o->dump_after && strcmp(o->dump_after, "all") && strcmp(o->dump_after, "import") && !cc_find_pass(o->dump_after))
    return util_err(err, errlen, "--dump-after: no pass named '%s'", o->dump_after);
  if (!o->no_verify && ir_verify(g, 0, err, errlen)) return IR_ERR;
  if (o->dump_after && (!strcmp(o->dump_after, "all") || !strcmp(o->dump_after, "import"))) {
    fprintf(o->dump_to ? o->dump_to : stderr, "## after import\n");
    ir_dump(g, o->dump_to ? o->dump_to : stderr);
  }
  int typed = 0;
  for (int i = 0; cc_pass_at(i); i++) {
    const cc_pass *p = cc_pass_at(i);
    typed |= p->types_after;
    int rc = run_one(g, p, typed, o, err, errlen);
    if (rc) return rc;
    if (o->stop_after && !strcmp(o->stop_after, p->name)) break;
  }
  return IR_OK;
}

int cc_run_pass(ir_graph *g, const char *name, const cc_options *o, char *err, size_t errlen) {
  cc_options none = {0};
  const cc_pass *p = cc_find_pass(name);
  if (!p) return util_err(err, errlen, "no pass named '%s'", name);
  return run_one(g, p, p->types_after, o ? o : &none, err, errlen);
}
