/* compiler/compile.c -- the whole compiler behind `dlvta compile`: the target config, ONNX
 * import, the pipeline of cc.h with the compile's context, the check of the model it made and
 * the one-line notes of the log. See compile.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compile.h"
#include "onnx_import.h"

int cc_compile(const char *path, const cc_options *o, cc_model **out, char *err, size_t errlen) {
  *out = NULL;
  cc_ctx cx = {.o = o, .cfg = isa_config_find(o->config ? o->config : "pynq")};
  if (!cx.cfg)
    return snprintf(err, errlen, "unknown config '%s' (known: %s)", o->config, isa_config_names()), IR_ERR;
  ir_graph *g = NULL;
  int rc = onnx_import(path, &g, err, errlen);
  if (rc != IR_OK) return rc;
  /* one inference at a time: a symbolic batch extent becomes 1 */
  for (int i = 0; i < g->n_inputs; i++) {
    ir_tensor *t = g->tensors[g->inputs[i]];
    if (t->type.rank > 0 && t->type.dims[0] < 0) t->type.dims[0] = 1;
    if (!ir_type_known(&t->type)) {
      snprintf(err, errlen, "%s: input '%s' has an unknown extent other than the batch", path, t->name);
      ir_graph_free(g);
      return IR_UNSUPPORTED;
    }
  }
  rc = cc_run_pipeline(g, &cx, err, errlen);
  cc_ctx_done(&cx);
  if (rc == IR_OK && !cx.model) rc = IR_ERR, snprintf(err, errlen, "%s: internal: the pipeline made no model", path);
  if (rc == IR_OK) {
    char why[768];
    if (cc_model_check(cx.model, why, sizeof why) != 0) {
      snprintf(err, errlen, "%s: internal: the compiled model is inconsistent: %s", path, why);
      rc = IR_ERR;
    }
  }
  if (rc == IR_OK && o->log) {
    cc_model *m = cx.model;
    int cpu = 0;
    for (int i = 0; i < m->ns; i++) cpu += m->s[i].kind == CC_STEP_CPU;
    uint64_t pred = 0, macs = 0;
    for (int i = 0; i < m->nl; i++) pred += m->l[i].predicted_cycles, macs += m->l[i].macs;
    fprintf(o->log, "partition: %d accelerator layers, %d CPU nodes", m->nl, cpu);
    for (int i = 0, first = 1; i < g->n_nodes; i++)
      if (!strcmp(ir_attr_string(g->nodes[i], "dlvta.target", "cpu"), "cpu")) {
        fprintf(o->log, "%s%s '%s' (%s)", first ? " [" : ", ", g->nodes[i]->op_name, g->nodes[i]->name,
                ir_attr_string(g->nodes[i], "dlvta.why", "not accelerated"));
        first = 0;
      }
    fprintf(o->log, "%s\n", cpu ? "]" : "");
    fprintf(o->log, "accelerator: %llu MACs, predicted %llu cycles, image %llu bytes (arena %llu)\n",
            (unsigned long long)macs, (unsigned long long)pred, (unsigned long long)m->image_bytes,
            (unsigned long long)m->arena_bytes);
  }
  ir_graph_free(g);
  if (rc != IR_OK) {
    cc_model_free(cx.model);
    return rc;
  }
  if (cx.own_quant) snprintf(cx.model->calib, sizeof cx.model->calib, "none: the model's own quantization on every activation");
  *out = cx.model;
  return IR_OK;
}

