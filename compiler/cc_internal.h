/* compiler/cc_internal.h -- graph-editing helpers shared by the front-end pass files
 * (cc_passes.c, cc_rewrite.c). Not part of the compiler's contract (cc.h). */
#ifndef DLVTA_CC_INTERNAL_H
#define DLVTA_CC_INTERNAL_H

#include "cc.h"

int cc_is_const(const ir_graph *g, int t); /* t >= 0 and constant */
/* Grow the per-tensor int table *v (*n entries) to at least need, new entries -1 (the lifts'
 * twin tables). */
void cc_fit_ints(int **v, int *n, int need);
const char *cc_node_label(const ir_graph *g, const ir_node *n); /* its name, else its first output's */
/* The single live consumer of tensor t (node index in *idx), or NULL if t has any other use
 * (several consumers, or it is a graph output). */
ir_node *cc_sole_consumer(ir_graph *g, int t, int *idx);
/* Make node n's output y disappear in favour of its input x (n dead); a graph output keeps its
 * name. 0 (n left alone) when impossible. */
int cc_bypass(ir_graph *g, ir_node *n, int x, int y);
/* New f32 constant of the given shape holding data (taken over); its index. */
int cc_new_const_f32(ir_graph *g, const char *name, const int64_t *dims, int rank, float *data);
/* Tensor to gets tensor from's quantization, if any (a copy; per channel along axis of to, for a
 * layout change that keeps the values: a lifted weight, a reshaped activation). */
void cc_copy_quant(ir_graph *g, int from, int to, int axis);
/* A per-output-channel affine (scale s, shift t; t NULL: none) folded into Conv p of C output
 * channels: new constants W' = W * s[m], B' = B * s[m] + t[m], named "<W>_<what>",
 * "<node>_bias_<what>". 1 if done, 0 if p's weights or bias do not fit (p unchanged). */
int cc_fold_into_conv(ir_graph *g, ir_node *p, const float *s, const float *t, int64_t C, const char *what);
/* Merge inferred type inf into tensor t (a dtype or rank contradicting the declared type is IR_ERR
 * naming node n; a contradicting extent is the inferred one, counted in cx->declared_wrong when cx
 * is not NULL); a symbolic batch extent follows first_in's. */
int cc_merge_type(ir_graph *g, cc_ctx *cx, const ir_node *n, ir_tensor *t, const ir_type *inf, const ir_tensor *first_in,
                  char *err, size_t errlen);
/* Same dtype and shape (equal known extents, at most one unknown at the same axis). */
int cc_same_type(const ir_type *a, const ir_type *b);
/* Constant c is a per-channel vector for M channels of a rank-r tensor ([M], [M,1..] of rank
 * r-1, [1,M,1..] of rank r, or a scalar), f32. */
int cc_per_channel(const ir_tensor *c, int64_t M, int r);
/* Node n transposes a 2-D f32 constant that only MatMuls read as their weights (of activations):
 * left for channels-last, which uses the constant as it is. */
int cc_weight_transpose(const ir_graph *g, const ir_node *n);
/* Node n may be constant-folded: known op, not Quantize/DequantizeLinear, every input constant,
 * not a weight transpose (cc_weight_transpose). */
int cc_foldable(const ir_graph *g, const ir_node *n);
/* Evaluate a foldable node with the reference executor, its outputs becoming constants (n dead):
 * 1 done, 0 left (unsupported, or an output too large), or IR_ERR / IR_UNSUPPORTED with err. */
int cc_fold_node(ir_graph *g, ir_node *n, char *err, size_t errlen);

/* 2-D Conv n (at index i) with pads beyond maxp: the excess into zero Pad nodes before it, each
 * at most maxp a side; the number of nodes inserted (cc_rewrite.c, fold-pad). */
int cc_split_big_pads(ir_graph *g, int i, ir_node *n, int64_t maxp);
/* Every Transpose (and unit-axis Reshape) sunk through the pointwise ops and constant Add/Mul
 * after it, two in a row composed, cancelling when inverses (channels-last's end; qdq-import's
 * relayout, where a lift's untwin met the next lift's twin across a model's Q/DQ pair). */
void cc_sink_transposes(ir_graph *g);
/* MatMul / Gemm by constant weights + a constant row -> Gemm with that bias (fold-affine's). */
void cc_fold_row_bias(ir_graph *g);
/* Transposes that move only axes of extent 1 -> Reshapes (the elements keep their order). */
void cc_unit_transposes_to_reshapes(ir_graph *g);
/* Conv1d of one channel over a vector of channels (ECA) -> a dense 1x1 Conv across them
 * (cc_lift.c); the number rewritten. */
int cc_channel_conv(ir_graph *g);

#endif
