/* ir/ir.h -- the graph IR of the dlvta compiler: tensors (name, dtype, shape, optional
 * constant data, optional quantization parameters), nodes (op, inputs, outputs, attributes) in
 * topological order, a verifier, a textual dump and the per-node shape/type inference that both
 * the shape-inference pass and the reference executor use. This header is the IR's contract.
 *
 * Ownership: an ir_graph owns every tensor, node, attribute and constant buffer in it;
 * ir_graph_free releases them all. Tensors are referred to by index into g->tensors; an omitted
 * optional node input is -1. Status codes: IR_OK, IR_ERR (bad input, message in err),
 * IR_UNSUPPORTED (valid ONNX that dlvta does not handle, message in err). The small
 * bookkeeping allocations of the construction helpers treat out-of-memory as fatal
 * (ALWAYS_ASSERT); tensor data goes through ir_value_alloc, which reports it. */
#ifndef DLVTA_IR_H
#define DLVTA_IR_H

#define IR_MAX_OPSET 25 /* the highest default-domain ONNX opset whose operators the IR means */

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum { IR_OK = 0, IR_ERR = -1, IR_UNSUPPORTED = -2 };

#define IR_MAX_DIMS 8   /* highest tensor rank the IR holds */
#define IR_VARIADIC 255 /* "any number" of node inputs in ir_ops.def */
#define IR_MAX_TENSOR_BYTES ((uint64_t)1 << 32) /* largest value ir_value_alloc makes (4 GiB) */

/* Element types; the values are ONNX's TensorProto.DataType codes. */
typedef enum ir_dtype {
  IR_UNDEF = 0,
  IR_F32 = 1,
  IR_U8 = 2,
  IR_I8 = 3,
  IR_I32 = 6,
  IR_I64 = 7,
  IR_BOOL = 9,
} ir_dtype;

/* Operators, from ir_ops.def; IR_OP_UNKNOWN keeps any other ONNX op (name in node->op_name). */
typedef enum ir_op {
  IR_OP_UNKNOWN = 0,
#define X(name, mi, ma, mo, mx, meaning) IR_OP_##name,
#include "ir_ops.def"
#undef X
  IR_OP_COUNT
} ir_op;

/* A tensor type. rank -1: unknown rank; dims[i] -1: unknown (symbolic) extent. */
typedef struct ir_type {
  ir_dtype dtype;
  int rank;
  int64_t dims[IR_MAX_DIMS]; /* elements per axis, row-major (last axis fastest) */
} ir_type;

/* A dense array: a type with every extent known, and its data. */
typedef struct ir_value {
  ir_type type;
  void *data; /* numel * ir_dtype_size(dtype) bytes, row-major; malloc'ed, owner frees */
} ir_value;

/* Quantization parameters of a tensor: real = (q - zero_point) * scale. */
typedef struct ir_quant {
  int axis;            /* channel axis for per-channel parameters, -1 for per-tensor */
  int n;               /* number of scales/zero points: 1, or the extent of axis */
  float *scale;        /* [n], real units per quantization step */
  int32_t *zero_point; /* [n], in the quantized type's units */
  ir_dtype qtype;      /* quantized element type (IR_I8, IR_U8, IR_I32) */
} ir_quant;

typedef struct ir_tensor {
  char *name;
  ir_type type;                /* dtype IR_UNDEF / rank -1 until known */
  char *dim_param[IR_MAX_DIMS]; /* symbolic name of an unknown extent (e.g. "N"), or NULL */
  void *data;                  /* constant data (numel * dtype size bytes), or NULL */
  ir_quant *quant;             /* quantization parameters, or NULL (owned) */
} ir_tensor;

typedef enum ir_attr_kind {
  IR_ATTR_INT,
  IR_ATTR_FLOAT,
  IR_ATTR_STRING,
  IR_ATTR_INTS,
  IR_ATTR_FLOATS,
  IR_ATTR_TENSOR,
  IR_ATTR_OTHER, /* graphs, sparse tensors, type protos: kept by name only */
  IR_ATTR_STRINGS, /* after OTHER: the kinds' numbers, which packages hold, stay */
} ir_attr_kind;

typedef struct ir_attr {
  char *name;
  ir_attr_kind kind;
  int64_t i;      /* IR_ATTR_INT */
  float f;        /* IR_ATTR_FLOAT */
  char *s;        /* IR_ATTR_STRING, NUL-terminated */
  int n;          /* element count of ints/floats/strs */
  int64_t *ints;  /* IR_ATTR_INTS, [n] */
  float *floats;  /* IR_ATTR_FLOATS, [n] */
  char **strs;    /* IR_ATTR_STRINGS, [n] NUL-terminated */
  ir_value *t;    /* IR_ATTR_TENSOR */
} ir_attr;

typedef struct ir_node {
  ir_op op;
  char *op_name;  /* op_type as written in the model (domain-qualified if not ONNX's) */
  char *name;     /* node name (may be empty) */
  int n_in, n_out;
  int *in;        /* [n_in] tensor indices, -1 = omitted optional input */
  int *out;       /* [n_out] tensor indices, -1 = omitted optional output */
  int n_attr;
  ir_attr *attr;  /* [n_attr] */
  int dead;       /* set by passes; ir_graph_compact removes dead nodes */
} ir_node;

typedef struct ir_graph {
  char *name;
  char *source;   /* file the graph came from (for messages), or NULL */
  int opset;      /* version of the default ONNX domain (at most IR_MAX_OPSET) */
  int n_tensors, cap_tensors;
  ir_tensor **tensors;
  int n_nodes, cap_nodes;
  ir_node **nodes; /* topological order */
  int n_inputs, n_outputs;
  int *inputs;    /* [n_inputs] tensor indices of the runtime inputs */
  int *outputs;   /* [n_outputs] tensor indices of the graph outputs */
  int wide_floats; /* float16 / bfloat16 / float64 tensors, types and casts the importer read as float32 */
} ir_graph;

/* ---- dtypes, types, values ---- */
size_t ir_dtype_size(ir_dtype t);      /* bytes per element, 0 if unsupported */
const char *ir_dtype_name(ir_dtype t); /* "f32", "u8", ... */
int64_t ir_type_numel(const ir_type *t); /* -1 if rank or an extent is unknown */
int ir_type_known(const ir_type *t);     /* dtype, rank and all extents known */
/* Allocate v->data for type t (zeroed). Returns IR_OK, or IR_ERR when the type is incomplete,
 * larger than IR_MAX_TENSOR_BYTES or memory runs out. */
int ir_value_alloc(ir_value *v, const ir_type *t);
void ir_value_free(ir_value *v);
/* Element i of a numeric buffer of type dt, converted to double / written from double
 * (integers saturate, float rounds to nearest). */
double ir_get_elem(ir_dtype dt, const void *data, int64_t i);
void ir_set_elem(ir_dtype dt, void *data, int64_t i, double x);

/* ---- ops ---- */
const char *ir_op_name(ir_op op);
ir_op ir_op_from_name(const char *domain, const char *op_type); /* IR_OP_UNKNOWN if none */
int ir_op_is_dlvta(ir_op op); /* a dlvta.* kind (domain "dlvta", op_name "dlvta.<name>") */
int ir_op_min_inputs(ir_op op);
int ir_op_max_inputs(ir_op op);
int ir_op_min_outputs(ir_op op);
int ir_op_max_outputs(ir_op op);
/* The attribute kind an operator's attribute must have, or -1 if the name is not known to the
 * IR for that op (then any kind is accepted). */
int ir_attr_expected_kind(ir_op op, const char *attr_name);
/* 1 if operator op honours an attribute of this name (dlvta.* annotations always; any name for
 * IR_OP_UNKNOWN), 0 if the IR would ignore it. */
int ir_attr_honoured(ir_op op, const char *attr_name);

/* ---- graph construction ---- */
ir_graph *ir_graph_new(const char *name);
void ir_graph_free(ir_graph *g);
/* Add a tensor with a fresh unique name derived from name (suffix added on a clash); returns
 * its index. type may be NULL (unknown). */
int ir_add_tensor(ir_graph *g, const char *name, const ir_type *type);
/* Add a constant tensor; takes ownership of data. Returns its index. */
int ir_add_const(ir_graph *g, const char *name, const ir_type *type, void *data);
/* Index of the tensor named name, or -1. */
int ir_find_tensor(const ir_graph *g, const char *name);
/* Append a node (after all existing ones) with copies of in[]/out[]; returns it. */
ir_node *ir_add_node(ir_graph *g, ir_op op, const char *name, const int *in, int n_in,
                     const int *out, int n_out);
/* Make n an op node (op_name becomes its name, "dlvta.<name>" for the dlvta kinds); the caller
 * fixes inputs and attributes. */
void ir_set_op(ir_node *n, ir_op op);
/* Replace node n's inputs by in[0..count) (in may be a copy of n's own). */
void ir_set_inputs(ir_node *n, const int *in, int count);
/* Insert the node last appended by ir_add_node at position pos (moving it from the end). */
void ir_move_last_node(ir_graph *g, int pos);
void ir_set_attr_int(ir_node *n, const char *name, int64_t v);
void ir_set_attr_float(ir_node *n, const char *name, float v);
void ir_set_attr_string(ir_node *n, const char *name, const char *s);
void ir_set_attr_ints(ir_node *n, const char *name, const int64_t *v, int count);
void ir_set_attr_floats(ir_node *n, const char *name, const float *v, int count);
void ir_set_attr_strings(ir_node *n, const char *name, const char *const *v, int count);
/* Attach quantization parameters to tensor t (copies scale[n] and zero_point[n], zero_point may
 * be NULL for zeros), replacing any it had. axis -1 for per-tensor (n 1). */
void ir_set_quant(ir_graph *g, int t, int axis, int n, const float *scale, const int32_t *zero_point, ir_dtype qtype);
/* a and b are both per-tensor quantizations with the same scale and zero point (NULL: not). */
int ir_same_tensor_quant(const ir_quant *a, const ir_quant *b);
/* Adds attribute storage for a new attribute named name (replacing an old one); internal use
 * by the importer. */
ir_attr *ir_new_attr(ir_node *n, const char *name, ir_attr_kind kind);
void ir_del_attr(ir_node *n, const char *name);
/* Removes every attribute of n (a node that changes op keeps none of its old op's). */
void ir_clear_attrs(ir_node *n);

/* ---- attribute access (defaults when absent; kinds were checked on import/verify) ---- */
const ir_attr *ir_get_attr(const ir_node *n, const char *name);
int64_t ir_attr_int(const ir_node *n, const char *name, int64_t def);
float ir_attr_float(const ir_node *n, const char *name, float def);
const char *ir_attr_string(const ir_node *n, const char *name, const char *def);
/* Pointer to the ints (count in *count), or NULL with *count 0 if absent. */
const int64_t *ir_attr_ints(const ir_node *n, const char *name, int *count);
/* Likewise the floats. */
const float *ir_attr_floats(const ir_node *n, const char *name, int *count);

/* ---- graph queries and edits ---- */
const ir_node *ir_producer(const ir_graph *g, int t, int *node_index); /* NULL if none */
int ir_use_count(const ir_graph *g, int t); /* node inputs + graph outputs using t */
int ir_is_graph_output(const ir_graph *g, int t);
int ir_is_graph_input(const ir_graph *g, int t);
/* Replace every use of tensor from (node inputs and graph outputs) by tensor to. */
void ir_replace_uses(ir_graph *g, int from, int to);
/* Drop dead nodes and tensors no node, input or output refers to; renumbers tensors. */
void ir_graph_compact(ir_graph *g);
/* Make the tensors named names[0..n) the graph's outputs, in that order, and drop the nodes they
 * do not need (a model cut before its post-processing); the inputs stay. IR_OK, or IR_ERR naming
 * a name that is no tensor of g, or one given twice. */
int ir_cut_outputs(ir_graph *g, const char *const *names, int n, char *err, size_t errlen);
/* Deep copy of a graph. */
ir_graph *ir_graph_clone(const ir_graph *g);

/* ---- checking and printing ---- */
/* Structural checks: indices in range, single producer per tensor, topological order, op arity
 * and attribute kinds, inputs/outputs defined, constant sizes. With require_types, every live
 * tensor must also have a known dtype and rank. IR_OK or IR_ERR with the first problem. */
int ir_verify(const ir_graph *g, int require_types, char *err, size_t errlen);
/* A graph of an opset before 11 rewritten into opset 11's forms (ir_upgrade.c: attributes that
 * became inputs, Upsample and Resize-10 as Resize, ImageScaler as Mul and Add, opset 1 to 6's
 * broadcasting by attribute as numpy's), g->opset then 11; above 10, nothing. Run on a
 * topologically sorted graph before shape inference (new tensors' types unknown). IR_OK, IR_ERR or
 * IR_UNSUPPORTED (message in err naming the node). */
int ir_upgrade_opset(ir_graph *g, char *err, size_t errlen);
/* Reduce* node n of graph g takes its axes as an input (ReduceSum from opset 13, the others from
 * 18), not as an attribute. */
int ir_reduce_axes_from_input(const ir_graph *g, const ir_node *n);
/* onnxruntime's quantized com.microsoft operators (QLinearAdd, QLinearMul, QLinearConcat,
 * QLinearGlobalAveragePool, QLinearAveragePool, QLinearSigmoid, QLinearLeakyRelu, QGemm: the
 * QOperator format) rewritten as DequantizeLinear, the float op, QuantizeLinear (ir_contrib.c);
 * other contrib ops stay IR_OP_UNKNOWN. Run after ir_upgrade_opset. IR_OK, IR_ERR or
 * IR_UNSUPPORTED (message in err naming the node). */
int ir_expand_contrib(ir_graph *g, char *err, size_t errlen);
/* An attribute that only opsets before 7 have, at this opset: 0 none such (the op's own list,
 * ir_attr_honoured, decides), 1 kept for ir_upgrade_opset (broadcast and axis of the binary
 * operators, Reshape-1's shape, Pad-1's paddings), 2 dropped by the importer (consumed_inputs,
 * Dropout's is_test: they change nothing in inference). */
int ir_legacy_attr(int opset, ir_op op, const char *name);
/* Textual dump, one line per input, constant, node and output. */
void ir_dump(const ir_graph *g, FILE *f);
void ir_type_str(const ir_tensor *t, char *buf, size_t len); /* "f32[N,3,224,224]" */
/* Format "source: node 'name' (Op): <fmt>" into err; returns IR_ERR. */
int ir_node_err(const ir_graph *g, const ir_node *n, char *err, size_t errlen, const char *fmt,
                ...) __attribute__((format(printf, 5, 6)));

/* ---- inference ---- */
/* Infer output types of node n. in[i] are the input types (NULL for omitted inputs), in_data[i]
 * their constant data or NULL (needed for Reshape's shape, Pad's pads, ...). Writes out[0..n_out).
 * An output whose extent cannot be known yet gets -1. Returns IR_OK, IR_ERR (inconsistent
 * shapes: message names the node) or IR_UNSUPPORTED. */
int ir_infer_node(const ir_graph *g, const ir_node *n, const ir_type *const *in,
                  const void *const *in_data, ir_type *out, char *err, size_t errlen);

/* ir_infer_node on input values: in[i] is input i's type and data (NULL for omitted inputs). */
/* The types and constant data (NULL unless constant) of node n's first max inputs, as
 * ir_infer_node takes them: ti[k] = NULL for an omitted input; slots from n->n_in on untouched. */
void ir_node_operands(const ir_graph *g, const ir_node *n, int max, const ir_type **ti, const void **di);
/* The same for node n's input values in[0..n->n_in) (NULL for an omitted input). */
void ir_value_operands(const ir_node *n, const ir_value *const *in, int max, const ir_type **ti, const void **di);
int ir_infer_values(const ir_graph *g, const ir_node *n, const ir_value *const *in, ir_type *out, char *err,
                    size_t errlen);

/* Numpy broadcast of two types into out (unknown extents stay -1). IR_OK or IR_ERR. */
int ir_broadcast(const ir_type *a, const ir_type *b, ir_type *out);

/* Spatial geometry of a Conv/pool node for an input of spatial extents in[0..nsp): fills
 * kernel, stride, dilation, pad_begin, pad_end and out extents (from pads/auto_pad/ceil_mode).
 * kernel_from_w: kernel extents from W's dims (Conv) or NULL (read kernel_shape). */
typedef struct ir_window {
  int nsp;                         /* number of spatial axes */
  int64_t kernel[IR_MAX_DIMS], stride[IR_MAX_DIMS], dil[IR_MAX_DIMS];
  int64_t pad_b[IR_MAX_DIMS], pad_e[IR_MAX_DIMS]; /* padding before/after, elements */
  int64_t in[IR_MAX_DIMS], out[IR_MAX_DIMS];      /* spatial extents, -1 unknown */
  int64_t out_pad[IR_MAX_DIMS];    /* ConvTranspose's output_padding (0 otherwise) */
} ir_window;
int ir_window_geometry(const ir_graph *g, const ir_node *n, const int64_t *in_sp, int nsp,
                       const int64_t *kernel_from_w, ir_window *w, char *err, size_t errlen);
/* Output extent of one axis of a window of extent ext (kernel and dilation), stride stride over
 * in elements padded by pad_b / pad_e: floor, or with ceil_mode ceil less a last window that would
 * start in the end padding (ONNX, torch); -1 when no window fits. */
int64_t ir_window_out(int64_t in, int64_t pad_b, int64_t pad_e, int64_t ext, int64_t stride, int ceil_mode);
/* The geometry of ConvTranspose n (every attribute of the ONNX spec: kernel_shape, strides,
 * dilations, pads, auto_pad, output_padding, output_shape) on input extents in_sp: output
 *     out[i] = stride*(in-1) + out_pad + (kernel-1)*dil + 1 - pad_b - pad_e,
 * with pads derived from output_shape or auto_pad SAME_* when those are given (the spec's
 * total_padding split; a negative total, an output_shape up to max(stride, dilation) - 1 past
 * the full output, pads nothing before and leaves pad_e < 0, zeros at the end, as onnxruntime).
 * Input pixel i feeds output o = i*stride - pad_b + k*dil. IR_OK, or IR_ERR naming the node and
 * the attribute (negative pads, output_padding not below the stride or dilation, an
 * output_shape beyond that, an empty output). */
int ir_convt_geometry(const ir_graph *g, const ir_node *n, const int64_t *in_sp, int nsp,
                      const int64_t *kernel_from_w, ir_window *w, char *err, size_t errlen);

/* ---- geometry helpers shared by shape inference and the reference executor ---- */
/* Shape's [start, end) (opset 15 attributes) for an input of rank rank. IR_OK. */
int ir_shape_range(const ir_node *n, int rank, int64_t *b, int64_t *e);
/* Slice of an input of type in[0] (rank r): per axis the first index start[], the step step[] and
 * the output extent len[] (-1 if the input extent is unknown). in/in_data as ir_infer_node.
 * IR_OK, IR_ERR (bad parameters), IR_UNSUPPORTED (starts/ends/axes/steps not constant). */
int ir_slice_geometry(const ir_graph *g, const ir_node *n, const ir_type *const *in, const void *const *in_data,
                      int64_t *start, int64_t *step, int64_t *len, char *err, size_t errlen);
/* Resize (opset >= 11; inputs X, roi, scales, sizes): per axis of X (rank r) the output extent
 * len[] (sizes, or floor(extent * scale)) and the scale scale[] (scales, or len / extent).
 * IR_OK, IR_ERR (bad parameters), IR_UNSUPPORTED (scales / sizes not constant, an older opset). */
int ir_resize_geometry(const ir_graph *g, const ir_node *n, const ir_type *const *in, const void *const *in_data,
                       int64_t *len, double *scale, char *err, size_t errlen);
/* Resize: the input coordinate of output index o of an axis (extent in_len -> out_len, scale) by
 * n's coordinate_transformation_mode, unclamped; NAN for a mode the IR does not know. */
double ir_resize_coord(const ir_node *n, int64_t o, int64_t in_len, int64_t out_len, double scale);
/* Resize with mode "nearest": the input index that output index o of an axis (extent in_len ->
 * out_len, scale) reads, by n's coordinate_transformation_mode and nearest_mode, clamped to
 * the input; -1 for a mode the IR does not know (ir_resize_modes_ok says which). */
int64_t ir_resize_nearest_src(const ir_node *n, int64_t o, int64_t in_len, int64_t out_len, double scale);
/* Resize with mode "linear": output index o of an axis reads input indices *i0 and *i0 + 1 with
 * weights 1 - *w1 and *w1 (*w1 = 0 at the last input index), by n's
 * coordinate_transformation_mode, the coordinate clamped to the input; -1 for a mode the IR
 * does not know. */
int ir_resize_linear_src(const ir_node *n, int64_t o, int64_t in_len, int64_t out_len, double scale, int64_t *i0,
                         double *w1);
/* 1 if n's coordinate_transformation_mode and nearest_mode are ones ir_resize_nearest_src knows. */
int ir_resize_modes_ok(const ir_node *n);
/* Pad: the pads of every axis of a rank-rank input into pads[2 * rank] (begins, then ends): the
 * pads attribute (opset < 11) or input, spread over the axes of the axes input when there is one
 * (opset 18; the other axes 0). IR_OK, IR_ERR (bad parameters), IR_UNSUPPORTED (not constant). */
int ir_pad_amounts(const ir_graph *g, const ir_node *n, const ir_type *const *in, const void *const *in_data, int rank,
                   int64_t *pads, char *err, size_t errlen);
/* Split: the normalized axis and the extent of each of the n_out parts. IR_OK, IR_ERR or
 * IR_UNSUPPORTED (sizes not constant, or equal parts of an unknown extent). */
int ir_split_sizes(const ir_graph *g, const ir_node *n, const ir_type *const *in, const void *const *in_data,
                   int *axis, int64_t *sizes, char *err, size_t errlen);
/* Reduce*: mark[i] 1 for each reduced axis of a rank-rank input. IR_OK, IR_ERR or IR_UNSUPPORTED
 * (axes input not constant). */
int ir_reduce_axes(const ir_graph *g, const ir_node *n, const ir_type *const *in, const void *const *in_data, int rank,
                   char *mark, char *err, size_t errlen);
/* PRelu's slope is one value per channel of x (axis 1), legacy style: 1-D of x's channel count
 * that numpy broadcasting would put on the last axis instead. */
int ir_prelu_channel_slope(const ir_type *x, const ir_type *slope);
/* MeanVarianceNormalization: mark[i] 1 for each axis of its axes (default 0, 2, 3) on a rank-rank
 * input. IR_OK, or IR_ERR (an axis out of range or repeated). */
int ir_mvn_axes(const ir_graph *g, const ir_node *n, int rank, char *mark, char *err, size_t errlen);
/* Einsum's equation (subscripts a-z A-Z, "->" optional, "..." for broadcast leading axes: labels
 * '.' after the letters' ones) against its inputs. */
#define IR_EINSUM_MAX_IN 8  /* most operands */
#define IR_EINSUM_LABELS (52 + IR_MAX_DIMS) /* subscript letters a-z, A-Z, the "..." axes */
typedef struct ir_einsum {
  int n_in;                                /* operands */
  int n_labels;                            /* distinct subscripts */
  char label[IR_EINSUM_LABELS];            /* each subscript's letter, in order of appearance */
  int64_t extent[IR_EINSUM_LABELS];        /* each subscript's extent, -1 unknown */
  int rank[IR_EINSUM_MAX_IN];              /* subscripts (axes) of each operand */
  int term[IR_EINSUM_MAX_IN][IR_MAX_DIMS]; /* the subscript of each operand axis */
  int out_rank;                            /* output axes (-1: unknown, a "..." of an unknown rank) */
  int out[IR_MAX_DIMS];                    /* the subscript of each output axis */
} ir_einsum;
/* Parse n's equation for inputs of types in[0..n_in) (unknown ranks not checked). IR_OK, IR_ERR
 * (malformed, extents that disagree) or IR_UNSUPPORTED (more than IR_EINSUM_MAX_IN operands, an
 * output above IR_MAX_DIMS axes). */
int ir_einsum_parse(const ir_graph *g, const ir_node *n, const ir_type *const *in, ir_einsum *e, char *err,
                    size_t errlen);
/* GridSample's mode (IR_GS_LINEAR, _NEAREST, _CUBIC: either opset's names) and padding_mode
 * (IR_GS_ZEROS, _BORDER, _REFLECTION). IR_OK or IR_ERR naming the unknown one. */
enum { IR_GS_LINEAR, IR_GS_NEAREST, IR_GS_CUBIC };
enum { IR_GS_ZEROS, IR_GS_BORDER, IR_GS_REFLECTION };
int ir_grid_sample_parse(const ir_graph *g, const ir_node *n, int *mode, int *pad, char *err, size_t errlen);
/* RNN, GRU and LSTM: the attributes and operand shapes, checked. Gate blocks of W, R and B in
 * ONNX's order (GRU z r h, LSTM i o f c); the activation functions per direction (RNN f, GRU f g,
 * LSTM f g h) with their alpha and beta (activation_alpha / _beta consumed in order by the
 * functions that take them, else ONNX's defaults). */
typedef enum ir_rnn_act {
  IR_RNN_RELU, IR_RNN_TANH, IR_RNN_SIGMOID, IR_RNN_AFFINE, IR_RNN_LEAKYRELU, IR_RNN_THRESHOLDEDRELU,
  IR_RNN_SCALEDTANH, IR_RNN_HARDSIGMOID, IR_RNN_ELU, IR_RNN_SOFTSIGN, IR_RNN_SOFTPLUS
} ir_rnn_act;
typedef struct ir_rnn {
  int gates;               /* gate blocks: RNN 1, GRU 3, LSTM 4 */
  int n_fn;                /* activation functions per direction: 1, 2, 3 */
  int dirs;                /* 1 or 2 (bidirectional) */
  int reverse;             /* direction "reverse" (a single one) */
  int layout;              /* 0: X [S, B, I], Y [S, dirs, B, H]; 1: X [B, S, I], Y [B, S, dirs, H] */
  int64_t seq, batch, input, hidden; /* the extents (-1 unknown) */
  ir_rnn_act act[2][3];    /* [direction][function] */
  float alpha[2][3], beta[2][3];
  float clip;              /* the gates' inputs clipped to [-clip, clip]; 0: no clip */
  int linear_before_reset; /* GRU: the reset gate applied after R_h's product */
  int input_forget;        /* LSTM: the forget gate 1 - the input gate */
} ir_rnn;
/* Parse n (RNN, GRU or LSTM) against its operands' types in[0..n->n_in) (NULL: omitted). IR_OK,
 * IR_ERR (malformed) or IR_UNSUPPORTED (an unknown activation function). */
int ir_rnn_parse(const ir_graph *g, const ir_node *n, const ir_type *const *in, ir_rnn *r, char *err, size_t errlen);
/* Range's element count from scalar start/limit/delta of dtype dt. IR_ERR for delta 0 or NaN. */
int ir_range_count(ir_dtype dt, const void *start, const void *limit, const void *delta, int64_t *count);

#endif
