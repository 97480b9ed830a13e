/* ir/ir.c -- the graph IR: construction, attributes, queries, compaction, cloning, the
 * verifier and the textual dump. Shape inference is in ir_shape.c. See ir.h. */
#include "ir.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static void *xmalloc(size_t n) {
  void *p = malloc(n ? n : 1);
  ALWAYS_ASSERT(p != NULL);
  return p;
}

static void *xcalloc(size_t n, size_t sz) {
  void *p = calloc(n ? n : 1, sz ? sz : 1);
  ALWAYS_ASSERT(p != NULL);
  return p;
}

static void *xrealloc(void *p, size_t n) {
  void *q = realloc(p, n ? n : 1);
  ALWAYS_ASSERT(q != NULL);
  return q;
}

static char *xstrdup(const char *s) {
  size_t n = strlen(s ? s : "") + 1;
  char *d = xmalloc(n);
  memcpy(d, s ? s : "", n);
  return d;
}

/* ---- dtypes, types, values ---- */

size_t ir_dtype_size(ir_dtype t) {
  switch (t) {
  case IR_F32: return 4;
  case IR_U8: return 1;
  case IR_I8: return 1;
  case IR_I32: return 4;
  case IR_I64: return 8;
  case IR_BOOL: return 1;
  default: return 0;
  }
}

const char *ir_dtype_name(ir_dtype t) {
  switch (t) {
  case IR_F32: return "f32";
  case IR_U8: return "u8";
  case IR_I8: return "i8";
  case IR_I32: return "i32";
  case IR_I64: return "i64";
  case IR_BOOL: return "bool";
  default: return "?";
  }
}

int64_t ir_type_numel(const ir_type *t) {
  if (t->rank < 0) return -1;
  int64_t n = 1;
  for (int i = 0; i < t->rank; i++) {
    if (t->dims[i] < 0) return -1;
    if (t->dims[i] && n > INT64_MAX / t->dims[i]) return -1;
    n *= t->dims[i];
  }
  return n;
}

int ir_type_known(const ir_type *t) {
  return ir_dtype_size(t->dtype) && ir_type_numel(t) >= 0;
}

int ir_value_alloc(ir_value *v, const ir_type *t) {
  v->type = *t;
  v->data = NULL;
  int64_t n = ir_type_numel(t);
  size_t es = ir_dtype_size(t->dtype);
  uint64_t lim = IR_MAX_TENSOR_BYTES < (uint64_t)SIZE_MAX / 2 ? IR_MAX_TENSOR_BYTES : (uint64_t)SIZE_MAX / 2;
  if (n < 0 || !es || (uint64_t)n > lim / es) return IR_ERR;
  v->data = calloc((size_t)n ? (size_t)n : 1, es);
  return v->data ? IR_OK : IR_ERR;
}

void ir_value_free(ir_value *v) {
  if (!v) return;
  free(v->data);
  v->data = NULL;
}

double ir_get_elem(ir_dtype dt, const void *data, int64_t i) {
  switch (dt) {
  case IR_F32: return ((const float *)data)[i];
  case IR_U8: return ((const uint8_t *)data)[i];
  case IR_I8: return ((const int8_t *)data)[i];
  case IR_I32: return ((const int32_t *)data)[i];
  case IR_I64: return (double)((const int64_t *)data)[i];
  case IR_BOOL: return ((const uint8_t *)data)[i] != 0;
  default: return 0;
  }
}

static double sat(double x, double lo, double hi) {
  if (isnan(x)) return 0;
  return x < lo ? lo : x > hi ? hi : x;
}

void ir_set_elem(ir_dtype dt, void *data, int64_t i, double x) {
  switch (dt) {
  case IR_F32: ((float *)data)[i] = (float)x; break;
  case IR_U8: ((uint8_t *)data)[i] = (uint8_t)sat(nearbyint(x), 0, 255); break;
  case IR_I8: ((int8_t *)data)[i] = (int8_t)sat(nearbyint(x), -128, 127); break;
  case IR_I32: ((int32_t *)data)[i] = (int32_t)sat(nearbyint(x), -2147483648.0, 2147483647.0); break;
  case IR_I64:
    ((int64_t *)data)[i] = (int64_t)sat(nearbyint(x), -9.2233720368547748e18, 9.2233720368547748e18 - 1024);
    break;
  case IR_BOOL: ((uint8_t *)data)[i] = x != 0; break;
  default: break;
  }
}

/* ---- ops ---- */

typedef struct op_info {
  const char *name;
  int min_in, max_in, min_out, max_out;
} op_info;

static const op_info op_table[IR_OP_COUNT] = {
    [IR_OP_UNKNOWN] = {"?", 0, IR_VARIADIC, 0, IR_VARIADIC},
#define X(nm, mi, ma, mo, mx, meaning) [IR_OP_##nm] = {#nm, mi, ma, mo, mx},
#include "ir_ops.def"
#undef X
};

const char *ir_op_name(ir_op op) {
  return op >= 0 && op < IR_OP_COUNT ? op_table[op].name : "?";
}

ir_op ir_op_from_name(const char *domain, const char *op_type) {
  int dlvta = domain && !strcmp(domain, "dlvta");
  if (domain && *domain && strcmp(domain, "ai.onnx") && !dlvta) return IR_OP_UNKNOWN;
  for (int i = 1; i < IR_OP_COUNT; i++)
    if (!strcmp(op_table[i].name, op_type)) return ir_op_is_dlvta((ir_op)i) == dlvta ? (ir_op)i : IR_OP_UNKNOWN;
  return IR_OP_UNKNOWN;
}

int ir_op_is_dlvta(ir_op op) { return op >= IR_OP_FusedConv && op < IR_OP_COUNT; }

int ir_op_min_inputs(ir_op op) { return op_table[op].min_in; }
int ir_op_max_inputs(ir_op op) { return op_table[op].max_in; }
int ir_op_min_outputs(ir_op op) { return op_table[op].min_out; }
int ir_op_max_outputs(ir_op op) { return op_table[op].max_out; }

/* Attribute names and kinds shared by the supported ops; per-op exceptions in the function. */
static const struct {
  const char *name;
  int kind;
} attr_kinds[] = {
    {"kernel_shape", IR_ATTR_INTS}, {"strides", IR_ATTR_INTS},      {"pads", IR_ATTR_INTS},
    {"dilations", IR_ATTR_INTS},    {"group", IR_ATTR_INT},         {"auto_pad", IR_ATTR_STRING},
    {"alpha", IR_ATTR_FLOAT},       {"beta", IR_ATTR_FLOAT},        {"transA", IR_ATTR_INT},
    {"transB", IR_ATTR_INT},        {"axis", IR_ATTR_INT},          {"axes", IR_ATTR_INTS},
    {"epsilon", IR_ATTR_FLOAT},     {"momentum", IR_ATTR_FLOAT},    {"perm", IR_ATTR_INTS},
    {"min", IR_ATTR_FLOAT},         {"max", IR_ATTR_FLOAT},         {"ceil_mode", IR_ATTR_INT},
    {"count_include_pad", IR_ATTR_INT}, {"storage_order", IR_ATTR_INT}, {"mode", IR_ATTR_STRING},
    {"training_mode", IR_ATTR_INT}, {"seed", IR_ATTR_INT},          {"ratio", IR_ATTR_FLOAT},
    {"allowzero", IR_ATTR_INT},     {"value_float", IR_ATTR_FLOAT}, {"value_floats", IR_ATTR_FLOATS},
    {"value_int", IR_ATTR_INT},     {"value_ints", IR_ATTR_INTS},   {"value_string", IR_ATTR_STRING},
    {"activation", IR_ATTR_STRING}, {"act_min", IR_ATTR_FLOAT},     {"act_max", IR_ATTR_FLOAT},
    {"shape", IR_ATTR_INTS},        {"spatial", IR_ATTR_INT},       {"is_test", IR_ATTR_INT},
    {"to", IR_ATTR_INT},            {"keepdims", IR_ATTR_INT},      {"noop_with_empty_axes", IR_ATTR_INT},
    {"start", IR_ATTR_INT},         {"end", IR_ATTR_INT},           {"split", IR_ATTR_INTS},
    {"approximate", IR_ATTR_STRING}, {"stash_type", IR_ATTR_INT},   {"num_outputs", IR_ATTR_INT},
    {"batch_dims", IR_ATTR_INT},    {"blocksize", IR_ATTR_INT},     {"output_padding", IR_ATTR_INTS},
    {"output_shape", IR_ATTR_INTS},  {"num_groups", IR_ATTR_INT},
    {"coordinate_transformation_mode", IR_ATTR_STRING}, {"nearest_mode", IR_ATTR_STRING},
    {"cubic_coeff_a", IR_ATTR_FLOAT}, {"exclude_outside", IR_ATTR_INT}, {"extrapolation_value", IR_ATTR_FLOAT},
    {"antialias", IR_ATTR_INT},     {"keep_aspect_ratio_policy", IR_ATTR_STRING}, {"block_size", IR_ATTR_INT},
    {"output_dtype", IR_ATTR_INT},  {"precision", IR_ATTR_INT},     {"round_mode", IR_ATTR_STRING},
    {"bias", IR_ATTR_FLOAT},        {"size", IR_ATTR_INT},          {"lambd", IR_ATTR_FLOAT},
    {"detect_negative", IR_ATTR_INT}, {"detect_positive", IR_ATTR_INT}, {"upper", IR_ATTR_INT},
    {"exclusive", IR_ATTR_INT},     {"reverse", IR_ATTR_INT},       {"largest", IR_ATTR_INT},
    {"sorted", IR_ATTR_INT},        {"k", IR_ATTR_INT},             {"dtype", IR_ATTR_INT},
    {"equation", IR_ATTR_STRING},   {"reduction", IR_ATTR_STRING},
    {"activations", IR_ATTR_STRINGS}, {"activation_alpha", IR_ATTR_FLOATS}, {"activation_beta", IR_ATTR_FLOATS},
    {"clip", IR_ATTR_FLOAT},        {"direction", IR_ATTR_STRING},  {"hidden_size", IR_ATTR_INT},
    {"input_forget", IR_ATTR_INT},  {"layout", IR_ATTR_INT},        {"linear_before_reset", IR_ATTR_INT},
    {"align_corners", IR_ATTR_INT}, {"padding_mode", IR_ATTR_STRING},
};

int ir_attr_expected_kind(ir_op op, const char *attr_name) {
  if (op == IR_OP_UNKNOWN) return -1;
  if (!strcmp(attr_name, "value")) {
    if (op == IR_OP_Constant || op == IR_OP_ConstantOfShape) return IR_ATTR_TENSOR;
    if (op == IR_OP_Pad) return IR_ATTR_FLOAT;
    return -1;
  }
  for (size_t i = 0; i < sizeof attr_kinds / sizeof attr_kinds[0]; i++)
    if (!strcmp(attr_kinds[i].name, attr_name)) return attr_kinds[i].kind;
  return -1;
}

/* The attributes of each operator that the IR honours (every ONNX version's names that dlvta
 * accepts; a name outside this list would be silently ignored, so the importer refuses it).
 * Operators absent here take no attributes. */
#define CONV_ATTRS "auto_pad dilations group kernel_shape pads strides "
#define RNN_ATTRS "activation_alpha activation_beta activations clip direction hidden_size layout "
static const struct {
  ir_op op;
  const char *names; /* space-separated, each followed by a space */
} op_attrs[] = {
    {IR_OP_Conv, CONV_ATTRS},
    {IR_OP_QLinearConv, CONV_ATTRS},
    {IR_OP_FusedConv, CONV_ATTRS "activation act_min act_max "},
    {IR_OP_ConvTranspose, CONV_ATTRS "output_padding output_shape "},
    {IR_OP_DepthToSpace, "blocksize mode "},
    {IR_OP_SpaceToDepth, "blocksize "},
    {IR_OP_Interleave, "strides group shape "},
    {IR_OP_Gemm, "alpha beta transA transB broadcast "},
    {IR_OP_Add, "broadcast "}, /* opset < 7: numpy-compatible without axis */
    {IR_OP_Sub, "broadcast "},
    {IR_OP_Mul, "broadcast "},
    {IR_OP_Div, "broadcast "},
    {IR_OP_Mod, "fmod "},
    {IR_OP_ScatterND, "reduction "},
    {IR_OP_Clip, "min max "},
    {IR_OP_BatchNormalization, "epsilon momentum training_mode is_test spatial "},
    {IR_OP_MaxPool, "auto_pad ceil_mode dilations kernel_shape pads storage_order strides "},
    {IR_OP_AveragePool, "auto_pad ceil_mode count_include_pad dilations kernel_shape pads strides "}, /* dilations: opset 19 */
    {IR_OP_Flatten, "axis "},
    {IR_OP_Reshape, "allowzero "},
    {IR_OP_Transpose, "perm "},
    {IR_OP_Concat, "axis "},
    {IR_OP_Squeeze, "axes "},
    {IR_OP_Unsqueeze, "axes "},
    {IR_OP_Constant, "value value_float value_floats value_int value_ints value_string value_strings sparse_value "},
    {IR_OP_Dropout, "ratio seed "},
    {IR_OP_Softmax, "axis "},
    {IR_OP_Pad, "mode pads value "},
    {IR_OP_QuantizeLinear, "axis saturate block_size output_dtype precision "}, /* checked in shape_QuantizeLinear */
    {IR_OP_DequantizeLinear, "axis block_size output_dtype "},
    {IR_OP_Cast, "to saturate round_mode "}, /* both of float 8/4 destinations only */
    {IR_OP_ConstantOfShape, "value "},
    {IR_OP_HardSigmoid, "alpha beta "},
    {IR_OP_LeakyRelu, "alpha "},
    {IR_OP_Elu, "alpha "},
    {IR_OP_Gelu, "approximate "},
    {IR_OP_Shape, "start end "},
    {IR_OP_Gather, "axis "},
    {IR_OP_Slice, "starts ends axes "},
    {IR_OP_Split, "axis split num_outputs "},
    {IR_OP_ReduceMean, "axes keepdims noop_with_empty_axes "},
    {IR_OP_ReduceSum, "axes keepdims noop_with_empty_axes "},
    {IR_OP_ReduceMax, "axes keepdims noop_with_empty_axes "},
    {IR_OP_ReduceMin, "axes keepdims noop_with_empty_axes "},
    {IR_OP_LayerNormalization, "axis epsilon stash_type "},
    {IR_OP_LogSoftmax, "axis "},
    {IR_OP_ArgMax, "axis keepdims select_last_index "},
    {IR_OP_ArgMin, "axis keepdims select_last_index "},
    {IR_OP_InstanceNormalization, "epsilon "},
    {IR_OP_LpNormalization, "axis p "},
    {IR_OP_LRN, "alpha beta bias size "},
    {IR_OP_ReduceL1, "axes keepdims noop_with_empty_axes "},
    {IR_OP_ReduceL2, "axes keepdims noop_with_empty_axes "},
    {IR_OP_ReduceSumSquare, "axes keepdims noop_with_empty_axes "},
    {IR_OP_ReduceLogSumExp, "axes keepdims noop_with_empty_axes "},
    {IR_OP_ReduceProd, "axes keepdims noop_with_empty_axes "},
    {IR_OP_Selu, "alpha gamma "},
    {IR_OP_Celu, "alpha "},
    {IR_OP_ThresholdedRelu, "alpha "},
    {IR_OP_Swish, "alpha "},
    {IR_OP_GroupNormalization, "epsilon num_groups stash_type "},
    {IR_OP_RMSNormalization, "axis epsilon stash_type "},
    {IR_OP_Shrink, "bias lambd "},
    {IR_OP_IsInf, "detect_negative detect_positive "},
    {IR_OP_ReduceLogSum, "axes keepdims noop_with_empty_axes "},
    {IR_OP_MeanVarianceNormalization, "axes "},
    {IR_OP_Trilu, "upper "},
    {IR_OP_CumSum, "exclusive reverse "},
    {IR_OP_GatherElements, "axis "},
    {IR_OP_GatherND, "batch_dims "},
    {IR_OP_ScatterElements, "axis reduction "},
    {IR_OP_Scatter, "axis "},
    {IR_OP_TopK, "axis k largest sorted "}, /* k: opset 1 (an input from 10) */
    {IR_OP_Hardmax, "axis "},
    {IR_OP_EyeLike, "dtype k "},
    {IR_OP_OneHot, "axis "},
    {IR_OP_Einsum, "equation "},
    {IR_OP_CastLike, "saturate round_mode "},
    {IR_OP_ConvInteger, CONV_ATTRS},
    {IR_OP_GridSample, "align_corners mode padding_mode "},
    {IR_OP_MaxUnpool, "kernel_shape pads strides "},
    {IR_OP_RNN, RNN_ATTRS},
    {IR_OP_GRU, RNN_ATTRS "linear_before_reset "},
    {IR_OP_LSTM, RNN_ATTRS "input_forget "},
    /* cubic_coeff_a, exclude_outside: of mode "cubic"; extrapolation_value: of
     * "tf_crop_and_resize", which the executor refuses by name */
    {IR_OP_Resize, "mode coordinate_transformation_mode nearest_mode cubic_coeff_a exclude_outside extrapolation_value "
                   "antialias axes keep_aspect_ratio_policy "},
};

int ir_attr_honoured(ir_op op, const char *attr_name) {
  if (op == IR_OP_UNKNOWN || !*attr_name || strchr(attr_name, ' ')) return op == IR_OP_UNKNOWN;
  if (!strncmp(attr_name, "dlvta.", 6)) return 1; /* the compiler's own annotations */
  size_t len = strlen(attr_name);
  for (size_t i = 0; i < sizeof op_attrs / sizeof op_attrs[0]; i++) {
    if (op_attrs[i].op != op) continue;
    for (const char *p = op_attrs[i].names; (p = strstr(p, attr_name)); p += len)
      if ((p == op_attrs[i].names || p[-1] == ' ') && p[len] == ' ') return 1;
  }
  return 0;
}

/* ---- construction ---- */

static void free_quant(ir_quant *q) {
  if (!q) return;
  free(q->scale);
  free(q->zero_point);
  free(q);
}


ir_graph *ir_graph_new(const char *name) {
  ir_graph *g = xcalloc(1, sizeof *g);
  g->name = xstrdup(name ? name : "graph");
  g->opset = 17;
  return g;
}

static void free_attr(ir_attr *a) {
  free(a->name);
  free(a->s);
  free(a->ints);
  free(a->floats);
  for (int i = 0; a->strs && i < a->n; i++) free(a->strs[i]);
  free(a->strs);
  if (a->t) {
    ir_value_free(a->t);
    free(a->t);
  }
  memset(a, 0, sizeof *a);
}

static void free_node(ir_node *n) {
  if (!n) return;
  free(n->op_name);
  free(n->name);
  free(n->in);
  free(n->out);
  for (int i = 0; i < n->n_attr; i++) free_attr(&n->attr[i]);
  free(n->attr);
  free(n);
}

static void free_tensor(ir_tensor *t) {
  if (!t) return;
  free(t->name);
  for (int i = 0; i < IR_MAX_DIMS; i++) free(t->dim_param[i]);
  free(t->data);
  free_quant(t->quant);
  free(t);
}

void ir_graph_free(ir_graph *g) {
  if (!g) return;
  for (int i = 0; i < g->n_tensors; i++) free_tensor(g->tensors[i]);
  for (int i = 0; i < g->n_nodes; i++) free_node(g->nodes[i]);
  free(g->tensors);
  free(g->nodes);
  free(g->inputs);
  free(g->outputs);
  free(g->name);
  free(g->source);
  free(g);
}

int ir_find_tensor(const ir_graph *g, const char *name) {
  for (int i = 0; i < g->n_tensors; i++)
    if (!strcmp(g->tensors[i]->name, name)) return i;
  return -1;
}

int ir_add_tensor(ir_graph *g, const char *name, const ir_type *type) {
  char buf[512];
  snprintf(buf, sizeof buf, "%s", name && *name ? name : "t");
  for (int k = 1; ir_find_tensor(g, buf) >= 0; k++)
    snprintf(buf, sizeof buf, "%s_%d", name && *name ? name : "t", k);
  if (g->n_tensors == g->cap_tensors) {
    g->cap_tensors = g->cap_tensors ? 2 * g->cap_tensors : 64;
    g->tensors = xrealloc(g->tensors, (size_t)g->cap_tensors * sizeof *g->tensors);
  }
  ir_tensor *t = xcalloc(1, sizeof *t);
  t->name = xstrdup(buf);
  if (type) {
    t->type = *type;
  } else {
    t->type.dtype = IR_UNDEF;
    t->type.rank = -1;
  }
  g->tensors[g->n_tensors] = t;
  return g->n_tensors++;
}

int ir_add_const(ir_graph *g, const char *name, const ir_type *type, void *data) {
  int i = ir_add_tensor(g, name, type);
  g->tensors[i]->data = data;
  return i;
}

void ir_set_op(ir_node *n, ir_op op) {
  free(n->op_name);
  n->op = op;
  if (ir_op_is_dlvta(op)) {
    size_t len = strlen(ir_op_name(op)) + 7;
    n->op_name = xmalloc(len);
    snprintf(n->op_name, len, "dlvta.%s", ir_op_name(op));
  } else {
    n->op_name = xstrdup(ir_op_name(op));
  }
}

void ir_set_inputs(ir_node *n, const int *in, int count) {
  int *p = xmalloc((size_t)count * sizeof(int));
  memcpy(p, in, (size_t)count * sizeof(int));
  free(n->in);
  n->in = p;
  n->n_in = count;
}

ir_node *ir_add_node(ir_graph *g, ir_op op, const char *name, const int *in, int n_in,
                     const int *out, int n_out) {
  if (g->n_nodes == g->cap_nodes) {
    g->cap_nodes = g->cap_nodes ? 2 * g->cap_nodes : 64;
    g->nodes = xrealloc(g->nodes, (size_t)g->cap_nodes * sizeof *g->nodes);
  }
  ir_node *n = xcalloc(1, sizeof *n);
  n->op = op;
  ir_set_op(n, op);
  n->name = xstrdup(name ? name : "");
  n->n_in = n_in;
  n->n_out = n_out;
  n->in = xmalloc((size_t)n_in * sizeof(int));
  n->out = xmalloc((size_t)n_out * sizeof(int));
  if (n_in) memcpy(n->in, in, (size_t)n_in * sizeof(int));
  if (n_out) memcpy(n->out, out, (size_t)n_out * sizeof(int));
  g->nodes[g->n_nodes++] = n;
  return n;
}

void ir_move_last_node(ir_graph *g, int pos) {
  ALWAYS_ASSERT(pos >= 0 && pos < g->n_nodes);
  ir_node *n = g->nodes[g->n_nodes - 1];
  memmove(&g->nodes[pos + 1], &g->nodes[pos], (size_t)(g->n_nodes - 1 - pos) * sizeof *g->nodes);
  g->nodes[pos] = n;
}

ir_attr *ir_new_attr(ir_node *n, const char *name, ir_attr_kind kind) {
  ir_del_attr(n, name);
  n->attr = xrealloc(n->attr, (size_t)(n->n_attr + 1) * sizeof *n->attr);
  ir_attr *a = &n->attr[n->n_attr++];
  memset(a, 0, sizeof *a);
  a->name = xstrdup(name);
  a->kind = kind;
  return a;
}

void ir_del_attr(ir_node *n, const char *name) {
  for (int i = 0; i < n->n_attr; i++) {
    if (strcmp(n->attr[i].name, name)) continue;
    free_attr(&n->attr[i]);
    memmove(&n->attr[i], &n->attr[i + 1], (size_t)(n->n_attr - 1 - i) * sizeof *n->attr);
    n->n_attr--;
    return;
  }
}

void ir_clear_attrs(ir_node *n) {
  for (int i = 0; i < n->n_attr; i++) free_attr(&n->attr[i]);
  n->n_attr = 0;
}

void ir_set_attr_int(ir_node *n, const char *name, int64_t v) { ir_new_attr(n, name, IR_ATTR_INT)->i = v; }
void ir_set_attr_float(ir_node *n, const char *name, float v) { ir_new_attr(n, name, IR_ATTR_FLOAT)->f = v; }
void ir_set_attr_string(ir_node *n, const char *name, const char *s) {
  ir_new_attr(n, name, IR_ATTR_STRING)->s = xstrdup(s);
}

void ir_set_attr_ints(ir_node *n, const char *name, const int64_t *v, int count) {
  ir_attr *a = ir_new_attr(n, name, IR_ATTR_INTS);
  a->n = count;
  a->ints = xmalloc((size_t)count * sizeof *v);
  if (count) memcpy(a->ints, v, (size_t)count * sizeof *v);
}

void ir_set_attr_floats(ir_node *n, const char *name, const float *v, int count) {
  ir_attr *a = ir_new_attr(n, name, IR_ATTR_FLOATS);
  a->n = count;
  a->floats = xmalloc((size_t)count * sizeof *v);
  if (count) memcpy(a->floats, v, (size_t)count * sizeof *v);
}

void ir_set_attr_strings(ir_node *n, const char *name, const char *const *v, int count) {
  ir_attr *a = ir_new_attr(n, name, IR_ATTR_STRINGS);
  a->strs = xcalloc((size_t)count + 1, sizeof *a->strs);
  for (a->n = 0; a->n < count; a->n++) a->strs[a->n] = xstrdup(v[a->n]);
}

int ir_same_tensor_quant(const ir_quant *a, const ir_quant *b) {
  return a && b && a->n == 1 && b->n == 1 && a->scale[0] == b->scale[0] && a->zero_point[0] == b->zero_point[0];
}

void ir_set_quant(ir_graph *g, int t, int axis, int n, const float *scale, const int32_t *zero_point, ir_dtype qtype) {
  ALWAYS_ASSERT(t >= 0 && t < g->n_tensors && n >= 1);
  ir_quant *q = xcalloc(1, sizeof *q);
  q->axis = n > 1 ? axis : -1;
  q->n = n;
  q->qtype = qtype;
  q->scale = xmalloc((size_t)n * sizeof(float));
  q->zero_point = xcalloc((size_t)n, sizeof(int32_t));
  memcpy(q->scale, scale, (size_t)n * sizeof(float));
  if (zero_point) memcpy(q->zero_point, zero_point, (size_t)n * sizeof(int32_t));
  free_quant(g->tensors[t]->quant);
  g->tensors[t]->quant = q;
}

/* ---- attribute access ---- */

const ir_attr *ir_get_attr(const ir_node *n, const char *name) {
  for (int i = 0; i < n->n_attr; i++)
    if (!strcmp(n->attr[i].name, name)) return &n->attr[i];
  return NULL;
}

int64_t ir_attr_int(const ir_node *n, const char *name, int64_t def) {
  const ir_attr *a = ir_get_attr(n, name);
  return a && a->kind == IR_ATTR_INT ? a->i : def;
}

float ir_attr_float(const ir_node *n, const char *name, float def) {
  const ir_attr *a = ir_get_attr(n, name);
  return a && a->kind == IR_ATTR_FLOAT ? a->f : def;
}

const char *ir_attr_string(const ir_node *n, const char *name, const char *def) {
  const ir_attr *a = ir_get_attr(n, name);
  return a && a->kind == IR_ATTR_STRING ? a->s : def;
}

const int64_t *ir_attr_ints(const ir_node *n, const char *name, int *count) {
  const ir_attr *a = ir_get_attr(n, name);
  if (a && a->kind == IR_ATTR_INTS) {
    *count = a->n;
    return a->ints;
  }
  *count = 0;
  return NULL;
}

const float *ir_attr_floats(const ir_node *n, const char *name, int *count) {
  const ir_attr *a = ir_get_attr(n, name);
  *count = a && a->kind == IR_ATTR_FLOATS ? a->n : 0;
  return *count ? a->floats : NULL;
}

/* ---- queries and edits ---- */

const ir_node *ir_producer(const ir_graph *g, int t, int *node_index) {
  for (int i = 0; i < g->n_nodes; i++) {
    const ir_node *n = g->nodes[i];
    if (n->dead) continue;
    for (int j = 0; j < n->n_out; j++)
      if (n->out[j] == t) {
        if (node_index) *node_index = i;
        return n;
      }
  }
  return NULL;
}

int ir_use_count(const ir_graph *g, int t) {
  int c = 0;
  for (int i = 0; i < g->n_nodes; i++) {
    const ir_node *n = g->nodes[i];
    if (n->dead) continue;
    for (int j = 0; j < n->n_in; j++) c += n->in[j] == t;
  }
  for (int i = 0; i < g->n_outputs; i++) c += g->outputs[i] == t;
  return c;
}

int ir_is_graph_output(const ir_graph *g, int t) {
  for (int i = 0; i < g->n_outputs; i++)
    if (g->outputs[i] == t) return 1;
  return 0;
}

int ir_is_graph_input(const ir_graph *g, int t) {
  for (int i = 0; i < g->n_inputs; i++)
    if (g->inputs[i] == t) return 1;
  return 0;
}

void ir_replace_uses(ir_graph *g, int from, int to) {
  for (int i = 0; i < g->n_nodes; i++) {
    ir_node *n = g->nodes[i];
    for (int j = 0; j < n->n_in; j++)
      if (n->in[j] == from) n->in[j] = to;
  }
  for (int i = 0; i < g->n_outputs; i++)
    if (g->outputs[i] == from) g->outputs[i] = to;
}

void ir_graph_compact(ir_graph *g) {
  int k = 0;
  for (int i = 0; i < g->n_nodes; i++) {
    if (g->nodes[i]->dead)
      free_node(g->nodes[i]);
    else
      g->nodes[k++] = g->nodes[i];
  }
  g->n_nodes = k;
  char *used = xcalloc((size_t)g->n_tensors, 1);
  for (int i = 0; i < g->n_nodes; i++) {
    ir_node *n = g->nodes[i];
    for (int j = 0; j < n->n_in; j++)
      if (n->in[j] >= 0) used[n->in[j]] = 1;
    for (int j = 0; j < n->n_out; j++)
      if (n->out[j] >= 0) used[n->out[j]] = 1;
  }
  for (int i = 0; i < g->n_inputs; i++) used[g->inputs[i]] = 1;
  for (int i = 0; i < g->n_outputs; i++) used[g->outputs[i]] = 1;
  int *map = xmalloc((size_t)g->n_tensors * sizeof(int));
  k = 0;
  for (int i = 0; i < g->n_tensors; i++) {
    if (used[i]) {
      map[i] = k;
      g->tensors[k++] = g->tensors[i];
    } else {
      map[i] = -1;
      free_tensor(g->tensors[i]);
    }
  }
  g->n_tensors = k;
  for (int i = 0; i < g->n_nodes; i++) {
    ir_node *n = g->nodes[i];
    for (int j = 0; j < n->n_in; j++)
      if (n->in[j] >= 0) n->in[j] = map[n->in[j]];
    for (int j = 0; j < n->n_out; j++)
      if (n->out[j] >= 0) n->out[j] = map[n->out[j]];
  }
  for (int i = 0; i < g->n_inputs; i++) g->inputs[i] = map[g->inputs[i]];
  for (int i = 0; i < g->n_outputs; i++) g->outputs[i] = map[g->outputs[i]];
  free(map);
  free(used);
}

int ir_cut_outputs(ir_graph *g, const char *const *names, int n, char *err, size_t errlen) {
  if (n < 1 || !names) return util_err(err, errlen, "no output named to cut the model at"), IR_ERR;
  int *outs = xmalloc((size_t)n * sizeof *outs);
  for (int i = 0; i < n; i++) {
    outs[i] = names[i] ? ir_find_tensor(g, names[i]) : -1;
    int twice = 0;
    for (int j = 0; j < i && !twice; j++) twice = outs[j] == outs[i];
    if (outs[i] < 0 || twice) {
      char like[600] = "";
      for (int t = 0, k = 0; outs[i] < 0 && names[i] && *names[i] && t < g->n_tensors && k < 4; t++)
        if (strstr(g->tensors[t]->name, names[i]))
          snprintf(like + strlen(like), sizeof like - strlen(like), "%s'%.120s'", k++ ? ", " : "; names containing it: ",
                   g->tensors[t]->name);
      util_err(err, errlen, outs[i] < 0 ? "no tensor named '%s' in the model (an output to cut it at)%s"
                                        : "output '%s' named twice%s",
               names[i] ? names[i] : "", like);
      free(outs);
      return IR_ERR;
    }
  }
  free(g->outputs);
  g->outputs = outs;
  g->n_outputs = n;
  char *needed = xcalloc((size_t)g->n_tensors, 1);
  for (int i = 0; i < n; i++) needed[outs[i]] = 1;
  for (int i = g->n_nodes - 1; i >= 0; i--) { /* topological order: readers after producers */
    ir_node *nd = g->nodes[i];
    int used = 0;
    for (int j = 0; j < nd->n_out && !used; j++) used = nd->out[j] >= 0 && needed[nd->out[j]];
    nd->dead |= !used;
    for (int j = 0; used && j < nd->n_in; j++)
      if (nd->in[j] >= 0) needed[nd->in[j]] = 1;
  }
  free(needed);
  ir_graph_compact(g);
  return IR_OK;
}

static void *dup_bytes(const void *p, size_t n) {
  if (!p) return NULL;
  void *d = xmalloc(n);
  memcpy(d, p, n);
  return d;
}

static size_t tensor_bytes(const ir_tensor *t) {
  int64_t n = ir_type_numel(&t->type);
  return n < 0 ? 0 : (size_t)n * ir_dtype_size(t->type.dtype);
}

ir_graph *ir_graph_clone(const ir_graph *g) {
  ir_graph *c = ir_graph_new(g->name);
  c->source = g->source ? xstrdup(g->source) : NULL;
  c->opset = g->opset;
  c->wide_floats = g->wide_floats;
  for (int i = 0; i < g->n_tensors; i++) {
    const ir_tensor *t = g->tensors[i];
    int k = ir_add_tensor(c, t->name, &t->type);
    ir_tensor *d = c->tensors[k];
    for (int j = 0; j < IR_MAX_DIMS; j++)
      if (t->dim_param[j]) d->dim_param[j] = xstrdup(t->dim_param[j]);
    d->data = dup_bytes(t->data, tensor_bytes(t));
    if (t->quant) {
      d->quant = dup_bytes(t->quant, sizeof *t->quant);
      d->quant->scale = dup_bytes(t->quant->scale, (size_t)t->quant->n * sizeof(float));
      d->quant->zero_point = dup_bytes(t->quant->zero_point, (size_t)t->quant->n * sizeof(int32_t));
    }
  }
  for (int i = 0; i < g->n_nodes; i++) {
    const ir_node *n = g->nodes[i];
    ir_node *d = ir_add_node(c, n->op, n->name, n->in, n->n_in, n->out, n->n_out);
    free(d->op_name);
    d->op_name = xstrdup(n->op_name);
    d->dead = n->dead;
    for (int j = 0; j < n->n_attr; j++) {
      const ir_attr *a = &n->attr[j];
      ir_attr *b = ir_new_attr(d, a->name, a->kind);
      b->i = a->i;
      b->f = a->f;
      b->n = a->n;
      b->s = a->s ? xstrdup(a->s) : NULL;
      b->ints = dup_bytes(a->ints, (size_t)a->n * sizeof(int64_t));
      b->floats = dup_bytes(a->floats, (size_t)a->n * sizeof(float));
      if (a->t) {
        b->t = xcalloc(1, sizeof *b->t);
        b->t->type = a->t->type;
        b->t->data = dup_bytes(a->t->data, (size_t)ir_type_numel(&a->t->type) * ir_dtype_size(a->t->type.dtype));
      }
    }
  }
  c->n_inputs = g->n_inputs;
  c->n_outputs = g->n_outputs;
  c->inputs = xcalloc((size_t)g->n_inputs + 1, sizeof(int));
  c->outputs = xcalloc((size_t)g->n_outputs + 1, sizeof(int));
  if (g->n_inputs) memcpy(c->inputs, g->inputs, (size_t)g->n_inputs * sizeof(int));
  if (g->n_outputs) memcpy(c->outputs, g->outputs, (size_t)g->n_outputs * sizeof(int));
  return c;
}

/* ---- errors ---- */

int ir_node_err(const ir_graph *g, const ir_node *n, char *err, size_t errlen, const char *fmt, ...) {
  if (!err || !errlen) return IR_ERR;
  strbuf sb;
  sb_init(&sb, err, errlen);
  sb_printf(&sb, "%s: node '%s' (%s): ", g && g->source ? g->source : "<graph>",
            n && n->name ? n->name : "", n ? n->op_name : "?");
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  sb_printf(&sb, "%s", msg);
  return IR_ERR;
}

/* ---- verifier ---- */

int ir_verify(const ir_graph *g, int require_types, char *err, size_t errlen) {
  const char *src = g->source ? g->source : "<graph>";
  int *prod = xmalloc((size_t)g->n_tensors * sizeof(int) + 1);
  int rc = IR_OK;
  for (int i = 0; i < g->n_tensors; i++) prod[i] = -1;
#define VFAIL(...)                \
  do {                            \
    rc = __VA_ARGS__;             \
    goto done;                    \
  } while (0)
  for (int i = 0; i < g->n_inputs; i++)
    if (g->inputs[i] < 0 || g->inputs[i] >= g->n_tensors)
      VFAIL(util_err(err, errlen, "%s: verify: graph input %d out of range", src, i));
  for (int i = 0; i < g->n_nodes; i++) {
    const ir_node *n = g->nodes[i];
    if (n->dead) continue;
    for (int j = 0; j < n->n_out; j++) {
      int t = n->out[j];
      if (t < -1 || t >= g->n_tensors) VFAIL(ir_node_err(g, n, err, errlen, "verify: output %d out of range", j));
      if (t < 0) continue;
      if (prod[t] >= 0)
        VFAIL(ir_node_err(g, n, err, errlen, "verify: tensor '%s' has two producers", g->tensors[t]->name));
      if (g->tensors[t]->data)
        VFAIL(ir_node_err(g, n, err, errlen, "verify: output '%s' is a constant", g->tensors[t]->name));
      if (ir_is_graph_input(g, t))
        VFAIL(ir_node_err(g, n, err, errlen, "verify: output '%s' is a graph input", g->tensors[t]->name));
      prod[t] = i;
    }
  }
  for (int i = 0; i < g->n_nodes; i++) {
    const ir_node *n = g->nodes[i];
    if (n->dead) continue;
    if (n->op != IR_OP_UNKNOWN) {
      if (n->n_in < ir_op_min_inputs(n->op) || n->n_in > ir_op_max_inputs(n->op))
        VFAIL(ir_node_err(g, n, err, errlen, "verify: %d inputs, expected %d..%d", n->n_in,
                          ir_op_min_inputs(n->op), ir_op_max_inputs(n->op)));
      if (n->n_out < ir_op_min_outputs(n->op) || n->n_out > ir_op_max_outputs(n->op))
        VFAIL(ir_node_err(g, n, err, errlen, "verify: %d outputs, expected %d..%d", n->n_out,
                          ir_op_min_outputs(n->op), ir_op_max_outputs(n->op)));
      for (int j = 0; j < n->n_attr; j++) {
        int k = ir_attr_expected_kind(n->op, n->attr[j].name);
        if (k >= 0 && k != (int)n->attr[j].kind)
          VFAIL(ir_node_err(g, n, err, errlen, "verify: attribute '%s' has the wrong type", n->attr[j].name));
      }
    }
    for (int j = 0; j < n->n_in; j++) {
      int t = n->in[j];
      if (t < -1 || t >= g->n_tensors) VFAIL(ir_node_err(g, n, err, errlen, "verify: input %d out of range", j));
      if (t < 0) continue;
      const ir_tensor *tt = g->tensors[t];
      if (!tt->data && !ir_is_graph_input(g, t)) {
        if (prod[t] < 0) VFAIL(ir_node_err(g, n, err, errlen, "verify: input '%s' is never produced", tt->name));
        if (prod[t] >= i)
          VFAIL(ir_node_err(g, n, err, errlen, "verify: input '%s' is produced later (not topological)", tt->name));
      }
    }
  }
  for (int i = 0; i < g->n_outputs; i++) {
    int t = g->outputs[i];
    if (t < 0 || t >= g->n_tensors) VFAIL(util_err(err, errlen, "%s: verify: graph output %d out of range", src, i));
    if (prod[t] < 0 && !g->tensors[t]->data && !ir_is_graph_input(g, t))
      VFAIL(util_err(err, errlen, "%s: verify: graph output '%s' is never produced", src, g->tensors[t]->name));
  }
  for (int i = 0; i < g->n_tensors; i++) {
    const ir_tensor *t = g->tensors[i];
    if (t->data && !ir_type_known(&t->type))
      VFAIL(util_err(err, errlen, "%s: verify: constant '%s' has no complete type", src, t->name));
    if (t->type.rank > IR_MAX_DIMS || t->type.rank < -1)
      VFAIL(util_err(err, errlen, "%s: verify: tensor '%s' has rank %d", src, t->name, t->type.rank));
    if (t->quant && (t->quant->n < 1 || !t->quant->scale || !t->quant->zero_point))
      VFAIL(util_err(err, errlen, "%s: verify: tensor '%s' has bad quantization parameters", src, t->name));
  }
  if (require_types) {
    for (int i = 0; i < g->n_nodes; i++) {
      const ir_node *n = g->nodes[i];
      if (n->dead) continue;
      for (int j = 0; j < n->n_out; j++) {
        int t = n->out[j];
        if (t >= 0 && (g->tensors[t]->type.dtype == IR_UNDEF || g->tensors[t]->type.rank < 0))
          VFAIL(ir_node_err(g, n, err, errlen, "verify: output '%s' has no inferred type", g->tensors[t]->name));
      }
    }
  }
#undef VFAIL
done:
  free(prod);
  return rc;
}

/* ---- dump ---- */

void ir_type_str(const ir_tensor *t, char *buf, size_t len) {
  strbuf sb;
  sb_init(&sb, buf, len);
  sb_printf(&sb, "%s", ir_dtype_name(t->type.dtype));
  if (t->type.rank < 0) {
    sb_printf(&sb, "[?]");
    return;
  }
  sb_printf(&sb, "[");
  for (int i = 0; i < t->type.rank; i++) {
    if (i) sb_printf(&sb, ",");
    if (t->type.dims[i] >= 0)
      sb_printf(&sb, "%lld", (long long)t->type.dims[i]);
    else
      sb_printf(&sb, "%s", t->dim_param[i] ? t->dim_param[i] : "?");
  }
  sb_printf(&sb, "]");
}

static void dump_tensor_ref(const ir_graph *g, int t, FILE *f) {
  if (t < 0)
    fprintf(f, "_");
  else
    fprintf(f, "%%%s", g->tensors[t]->name);
}

static void dump_const_preview(const ir_tensor *t, FILE *f) {
  int64_t n = ir_type_numel(&t->type);
  fprintf(f, " = {");
  for (int64_t i = 0; i < n && i < 4; i++)
    fprintf(f, "%s%g", i ? ", " : "", ir_get_elem(t->type.dtype, t->data, i));
  fprintf(f, "%s}", n > 4 ? ", ..." : "");
}

static void dump_quant(const ir_quant *q, FILE *f) {
  if (!q) return;
  fprintf(f, " quant(%s", ir_dtype_name(q->qtype));
  if (q->axis >= 0) fprintf(f, " axis=%d n=%d", q->axis, q->n);
  fprintf(f, " scale=%g zp=%d%s)", q->scale[0], q->zero_point[0], q->n > 1 ? ",..." : "");
}

void ir_dump(const ir_graph *g, FILE *f) {
  char ty[256];
  fprintf(f, "graph \"%s\" opset %d: %d nodes, %d tensors\n", g->name, g->opset, g->n_nodes, g->n_tensors);
  for (int i = 0; i < g->n_inputs; i++) {
    ir_type_str(g->tensors[g->inputs[i]], ty, sizeof ty);
    fprintf(f, "  input  %%%s: %s", g->tensors[g->inputs[i]]->name, ty);
    dump_quant(g->tensors[g->inputs[i]]->quant, f);
    fprintf(f, "\n");
  }
  for (int i = 0; i < g->n_tensors; i++) {
    const ir_tensor *t = g->tensors[i];
    if (!t->data) continue;
    ir_type_str(t, ty, sizeof ty);
    fprintf(f, "  const  %%%s: %s", t->name, ty);
    dump_const_preview(t, f);
    dump_quant(t->quant, f);
    fprintf(f, "\n");
  }
  for (int i = 0; i < g->n_nodes; i++) {
    const ir_node *n = g->nodes[i];
    if (n->dead) continue;
    fprintf(f, "  ");
    for (int j = 0; j < n->n_out; j++) {
      if (j) fprintf(f, ", ");
      dump_tensor_ref(g, n->out[j], f);
      if (n->out[j] >= 0) {
        ir_type_str(g->tensors[n->out[j]], ty, sizeof ty);
        fprintf(f, ": %s", ty);
        dump_quant(g->tensors[n->out[j]]->quant, f);
      }
    }
    fprintf(f, " = %s(", n->op_name);
    for (int j = 0; j < n->n_in; j++) {
      if (j) fprintf(f, ", ");
      dump_tensor_ref(g, n->in[j], f);
    }
    fprintf(f, ")");
    if (n->n_attr) fprintf(f, " {");
    for (int j = 0; j < n->n_attr; j++) {
      const ir_attr *a = &n->attr[j];
      fprintf(f, "%s%s=", j ? ", " : "", a->name);
      switch (a->kind) {
      case IR_ATTR_INT: fprintf(f, "%lld", (long long)a->i); break;
      case IR_ATTR_FLOAT: fprintf(f, "%g", a->f); break;
      case IR_ATTR_STRING: fprintf(f, "\"%s\"", a->s); break;
      case IR_ATTR_INTS:
        fprintf(f, "[");
        for (int k = 0; k < a->n; k++) fprintf(f, "%s%lld", k ? "," : "", (long long)a->ints[k]);
        fprintf(f, "]");
        break;
      case IR_ATTR_FLOATS:
        fprintf(f, "[");
        for (int k = 0; k < a->n; k++) fprintf(f, "%s%g", k ? "," : "", a->floats[k]);
        fprintf(f, "]");
        break;
      case IR_ATTR_STRINGS:
        fprintf(f, "[");
        for (int k = 0; k < a->n; k++) fprintf(f, "%s\"%s\"", k ? "," : "", a->strs[k]);
        fprintf(f, "]");
        break;
      case IR_ATTR_TENSOR: fprintf(f, "<%s tensor>", ir_dtype_name(a->t->type.dtype)); break;
      default: fprintf(f, "<other>"); break;
      }
    }
    if (n->n_attr) fprintf(f, "}");
    if (n->name && *n->name) fprintf(f, "  # %s", n->name);
    fprintf(f, "\n");
  }
  for (int i = 0; i < g->n_outputs; i++) {
    ir_type_str(g->tensors[g->outputs[i]], ty, sizeof ty);
    fprintf(f, "  output %%%s: %s\n", g->tensors[g->outputs[i]]->name, ty);
  }
}
