/* compiler/compile.c -- the whole compiler behind `dlvta compile`: the target config, ONNX
 * import, the pipeline of cc.h with the compile's context, the check of the model it made and
 * the one-line notes of the log. See compile.h.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compile.h"
#include "onnx_import.h"

/* An input whose extents are all known but whose size passes IR_MAX_TENSOR_BYTES (or int64):
 * 1 with the message naming its shape and size. */
static int input_too_big(const char *path, const ir_tensor *t, char *err, size_t errlen) {
  double n = 1;
  char shape[256] = "";
  size_t at = 0;
  for (int d = 0; d < t->type.rank; d++) {
    if (t->type.dims[d] < 0) return 0;
    n *= (double)t->type.dims[d];
    if (at < sizeof shape)
      at += (size_t)snprintf(shape + at, sizeof shape - at, "%s%lld", d ? " x " : "", (long long)t->type.dims[d]);
  }
  double bytes = n * (double)(ir_dtype_size(t->type.dtype) ? ir_dtype_size(t->type.dtype) : 1);
  if (bytes <= (double)IR_MAX_TENSOR_BYTES) return 0;
  snprintf(err, errlen, "%s: input '%s' of shape %s holds %.3g elements (%.3g bytes), more than a tensor may (%llu bytes)",
           path, t->name, shape, n, bytes, (unsigned long long)IR_MAX_TENSOR_BYTES);
  return 1;
}

int cc_compile(const char *path, const cc_options *o, cc_model **out, char *err, size_t errlen) {
  *out = NULL;
  if (!isa_config_find(o->config ? o->config : "pynq"))
    return snprintf(err, errlen, "unknown config '%s' (known: %s)", o->config, isa_config_names()), IR_ERR;
  ir_graph *g = NULL;
  int rc = onnx_import(path, &g, err, errlen);
  if (rc != IR_OK) return rc;
  return cc_compile_graph(g, path, o, out, err, errlen);
}

static int on_cpu(const ir_node *n) { return !strcmp(ir_attr_string(n, "dlvta.target", "cpu"), "cpu"); }
static const char *cpu_why(const ir_node *n) { return ir_attr_string(n, "dlvta.why", "not accelerated"); }

#define LOG_FIRST_NAMES 3
/* The partition line of the log: the layer and CPU node counts, the CPU nodes per op and reason
 * ("Softmax x12 (why)", in order of first appearance) and the first few of their names; with
 * verbose, one more line per CPU node (op, name, reason). */
static void log_partition(FILE *f, const ir_graph *g, int layers, int cpu, int verbose) {
  fprintf(f, "partition: %d accelerator layers, %d CPU nodes", layers, cpu);
  int first = 1, named = 0, listed = 0;
  for (int i = 0; i < g->n_nodes; i++) listed += on_cpu(g->nodes[i]);
  for (int i = 0; i < g->n_nodes; i++) {
    const ir_node *n = g->nodes[i];
    int seen = 0, count = 0;
    if (!on_cpu(n)) continue;
    for (int k = 0; k < i && !seen; k++)
      seen = on_cpu(g->nodes[k]) && !strcmp(g->nodes[k]->op_name, n->op_name) && !strcmp(cpu_why(g->nodes[k]), cpu_why(n));
    if (seen) continue;
    for (int k = i; k < g->n_nodes; k++)
      count += on_cpu(g->nodes[k]) && !strcmp(g->nodes[k]->op_name, n->op_name) && !strcmp(cpu_why(g->nodes[k]), cpu_why(n));
    fprintf(f, "%s%s x%d (%s)", first ? " [" : ", ", n->op_name, count, cpu_why(n));
    first = 0;
  }
  fprintf(f, "%s", first ? "" : "]");
  for (int i = 0; i < g->n_nodes && named < LOG_FIRST_NAMES; i++)
    if (on_cpu(g->nodes[i])) fprintf(f, "%s'%s'", named++ ? ", " : "; first: ", g->nodes[i]->name);
  fprintf(f, "%s\n", listed > named ? ", ... (-v: all)" : "");
  for (int i = 0; i < g->n_nodes && verbose; i++)
    if (on_cpu(g->nodes[i]))
      fprintf(f, "partition: CPU node %s '%s' (%s)\n", g->nodes[i]->op_name, g->nodes[i]->name, cpu_why(g->nodes[i]));
}

/* The node that reads graph tensor t as its weights or bias (an input after the first of a
 * Conv, ConvTranspose, Gemm or MatMul, fused or not), or NULL. */
static const ir_node *weight_reader(const ir_graph *g, int t) {
  for (int i = 0; i < g->n_nodes; i++) {
    const ir_node *n = g->nodes[i];
    if (n->dead || (n->op != IR_OP_Conv && n->op != IR_OP_FusedConv && n->op != IR_OP_ConvTranspose &&
                    n->op != IR_OP_Gemm && n->op != IR_OP_MatMul))
      continue;
    for (int k = 1; k < n->n_in && k < 3; k++)
      if (n->in[k] == t) return n;
  }
  return NULL;
}

/* Is every reader of input t a recurrent layer of layout 0 (RNN, GRU, LSTM), whose X's first axis
 * is the sequence, not a batch? */
static int sequence_first(const ir_graph *g, int t) {
  int readers = 0;
  for (int i = 0; i < g->n_nodes; i++) {
    const ir_node *n = g->nodes[i];
    for (int k = 0; !n->dead && k < n->n_in; k++) {
      if (n->in[k] != t) continue;
      int rec = (n->op == IR_OP_RNN || n->op == IR_OP_GRU || n->op == IR_OP_LSTM) && k == 0;
      if (!rec || ir_attr_int(n, "layout", 0) != 0) return 0;
      readers++;
    }
  }
  return readers > 0;
}

/* Do the model's convolutions and pools (at least one) all take a batch of 1? Then a fixed
 * first extent of its input is no batch (a [C, H, W] image unsqueezed, torchvision's detectors). */
static int convs_take_batch_1(const ir_graph *g) {
  int convs = 0;
  for (int i = 0; i < g->n_nodes; i++) {
    const ir_node *n = g->nodes[i];
    ir_op op = n->op;
    if (n->dead || n->n_in < 1 || n->in[0] < 0 ||
        (op != IR_OP_Conv && op != IR_OP_FusedConv && op != IR_OP_ConvTranspose && op != IR_OP_MaxPool &&
         op != IR_OP_AveragePool && op != IR_OP_GlobalAveragePool && op != IR_OP_GlobalMaxPool))
      continue;
    const ir_type *t = &g->tensors[n->in[0]]->type;
    if (t->rank >= 3 && t->dims[0] != 1) return 0;
    convs++;
  }
  return convs > 0;
}

/* The log's notes on the inputs: weights fed at run time (a model exported without its
 * parameters: torch.onnx.export(..., export_params=False)), whose layers stay on the CPU, and a
 * fixed batch above 1 (the accelerator runs one inference at a time). */
static void log_inputs(FILE *f, const ir_graph *g, const cc_ctx *cx) {
  int nw = 0;
  const ir_node *first = NULL;
  const char *wname = NULL;
  for (int i = 0; i < g->n_inputs; i++) {
    const ir_node *r = weight_reader(g, g->inputs[i]);
    if (r && !nw++) first = r, wname = g->tensors[g->inputs[i]]->name;
  }
  if (nw)
    fprintf(f,
            "note: %d input(s) are weights or biases ('%s' of node '%s' (%s)%s): weights fed at run time keep "
            "their layers on the CPU; export the model with its parameters as initializers (torch.onnx.export's "
            "export_params=True)\n",
            nw, wname, first->name, first->op_name, nw > 1 ? ", ..." : "");
  if (g->wide_floats)
    fprintf(f, "note: the model's float16 / bfloat16 / float64 tensors (%d initializers, values and casts) are read and "
               "computed as float32 (then int8 on the accelerator); its inputs and outputs are float32 arrays\n",
            g->wide_floats);
  if (cx->declared_wrong)
    fprintf(f, "note: %d output extent(s) the model declares are not what its operators give (%s%s): compiled with "
               "the operators' (as onnxruntime runs it)\n",
            cx->declared_wrong, cx->declared_note, cx->declared_wrong > 1 ? ", ..." : "");
  if (cx->unbatched)
    fprintf(f,
            "note: the model has a fixed batch of %lld and keeps its samples apart: compiled for one sample; dlvta run "
            "and the Python API take (%lld, ...) inputs as %lld inferences and stack the outputs\n",
            (long long)cx->unbatched, (long long)cx->unbatched, (long long)cx->unbatched);
  for (int i = 0; i < g->n_inputs; i++) {
    const ir_type *t = &g->tensors[g->inputs[i]]->type;
    if (t->rank > 1 && t->dims[0] > 1 && !weight_reader(g, g->inputs[i]) && !sequence_first(g, g->inputs[i]) &&
        !convs_take_batch_1(g))
      fprintf(f,
              "note: input '%s' has a fixed batch of %lld: the accelerator's layers take batch 1%s%s%s; export the model "
              "with batch 1 or a dynamic batch axis to run it there\n",
              g->tensors[g->inputs[i]]->name, (long long)t->dims[0],
              cx->unbatch_why[0] ? " and the graph mixes its samples (" : "", cx->unbatch_why, cx->unbatch_why[0] ? ")" : "");
  }
}

/* How many NaN float32 value v holds (the first's index in *first). */
static int64_t nan_count(const ir_value *v, int64_t *first) {
  int64_t cnt = v->type.dtype == IR_F32 && v->data ? ir_type_numel(&v->type) : 0, bad = 0;
  for (int64_t e = 0; e < cnt; e++)
    if (isnan(((const float *)v->data)[e]) && !bad++) *first = e;
  return bad;
}

/* The refusal of constant name (made by or read by node n) holding bad NaN of cnt, the first at
 * index first. 1. */
static int nan_error(const char *path, const char *name, const ir_node *n, int64_t bad, int64_t cnt, int64_t first,
                     char *err, size_t errlen) {
  snprintf(err, errlen, "%s: constant '%s' (of node '%s' (%s)) holds %lld NaN of %lld values (first: element %lld): "
           "the model's weights are not numbers there",
           path, name, n->name ? n->name : "", n->op_name, (long long)bad, (long long)cnt, (long long)first);
  return 1;
}

/* A NaN among the model's float constants that nodes read (initializers) or make (Constant
 * nodes), each scanned once: the weights are corrupt, and nothing downstream can quantize them
 * (infinities are the model's to use: a Clip bound, an attention mask). 1 with err naming the
 * tensor and a node that reads (or makes) it. */
static int nan_constant(const ir_graph *g, const char *path, char *err, size_t errlen) {
  for (int t = 0; t < g->n_tensors; t++) {
    const ir_tensor *ts = g->tensors[t];
    int64_t first = 0, bad = ts->data ? nan_count(&(ir_value){ts->type, ts->data}, &first) : 0;
    for (int i = 0; bad && i < g->n_nodes; i++)
      for (int k = 0; k < g->nodes[i]->n_in; k++)
        if (g->nodes[i]->in[k] == t)
          return nan_error(path, ts->name, g->nodes[i], bad, ir_type_numel(&ts->type), first, err, errlen);
  }
  for (int i = 0; i < g->n_nodes; i++) {
    const ir_node *n = g->nodes[i];
    const ir_attr *cv = n->op == IR_OP_Constant ? ir_get_attr(n, "value") : NULL;
    int64_t first = 0, bad = cv && cv->kind == IR_ATTR_TENSOR && cv->t ? nan_count(cv->t, &first) : 0;
    if (bad)
      return nan_error(path, n->n_out > 0 && n->out[0] >= 0 ? g->tensors[n->out[0]]->name : "?", n, bad,
                       ir_type_numel(&cv->t->type), first, err, errlen);
  }
  return 0;
}

int cc_compile_graph(ir_graph *g, const char *path, const cc_options *o, cc_model **out, char *err, size_t errlen) {
  *out = NULL;
  cc_ctx cx = {.o = o, .cfg = isa_config_find(o->config ? o->config : "pynq")};
  if (!cx.cfg) {
    ir_graph_free(g);
    return snprintf(err, errlen, "unknown config '%s' (known: %s)", o->config, isa_config_names()), IR_ERR;
  }
  int rc, before = g->n_nodes;
  if (o->n_outputs > 0 && ir_cut_outputs(g, o->outputs, o->n_outputs, err, errlen) != IR_OK) {
    char why[512];
    snprintf(why, sizeof why, "%s", err);
    snprintf(err, errlen, "%s: %s", path, why);
    ir_graph_free(g);
    return IR_ERR;
  }
  if (o->n_outputs > 0 && o->log)
    fprintf(o->log, "cut: the model ends at the %d tensor(s) named; %d of its %d nodes are before them\n", o->n_outputs,
            g->n_nodes, before);
  /* one inference at a time: a symbolic batch extent becomes 1 */
  for (int i = 0; i < g->n_inputs; i++) {
    ir_tensor *t = g->tensors[g->inputs[i]];
    if (t->type.rank > 0 && t->type.dims[0] < 0) t->type.dims[0] = 1;
    if (input_too_big(path, t, err, errlen)) {
      ir_graph_free(g);
      return IR_UNSUPPORTED;
    }
    if (!ir_type_known(&t->type)) {
      snprintf(err, errlen,
               "%s: input '%s' has an unknown extent other than the batch (dynamic axes): calibration samples "
               "(--calib) of the size to compile for fix it",
               path, t->name);
      ir_graph_free(g);
      return IR_UNSUPPORTED;
    }
  }
  int64_t sample = 0; /* floats per calibration sample: the inputs' */
  for (int i = 0; i < g->n_inputs; i++) sample += ir_type_numel(&g->tensors[g->inputs[i]]->type);
  /* NaN / Inf samples calibrate nothing: say so (one array for a single input, or one per input) */
  int nsets = o->calib_inputs ? o->n_calib_inputs : o->calib ? 1 : 0;
  for (int k = 0; k < nsets && o->n_calib > 0; k++) {
    const float *cal = o->calib_inputs ? o->calib_inputs[k] : o->calib;
    int64_t per = o->calib_inputs && k < g->n_inputs ? ir_type_numel(&g->tensors[g->inputs[k]]->type) : sample;
    if (!cal || per <= 0) continue;
    size_t total = (size_t)o->n_calib * (size_t)per, bad = 0, first = 0;
    for (size_t i = 0; i < total; i++)
      if (!isfinite(cal[i]) && !bad++) first = i;
    if (bad) {
      if (o->calib_inputs && o->n_calib_inputs > 1)
        snprintf(err, errlen, "calibration data of input '%s': %zu of %zu values are NaN or infinite (first: sample %zu, value %zu)",
                 g->tensors[g->inputs[k]]->name, bad, total, first / (size_t)per, first % (size_t)per);
      else
        snprintf(err, errlen, "calibration data: %zu of %zu values are NaN or infinite (first: sample %zu, value %zu)", bad,
                 total, first / (size_t)per, first % (size_t)per);
      ir_graph_free(g);
      return IR_ERR;
    }
  }
  if (nan_constant(g, path, err, errlen)) {
    ir_graph_free(g);
    return IR_ERR;
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
    log_partition(o->log, g, m->nl, cpu, o->verbose);
    log_inputs(o->log, g, &cx);
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

