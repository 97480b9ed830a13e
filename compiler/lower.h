/* compiler/lower.h -- the back end's internals shared by partition.c, lower.c and plan.c (not a
 * contract for anything outside these three; the passes themselves are in cc.h, compile.h).
 *   partition.c  which node runs where, and the graph shape helpers the lowering shares
 *   lower.c      one node -> an accelerator layer (with its program) or a CPU node
 *   plan.c       the lower pass: every node in order, the execution plan, the image
 */
#ifndef DLVTA_LOWER_H
#define DLVTA_LOWER_H

#include "compile.h"

/* ---- graph helpers (partition.c) ---- */
/* Does non-constant float tensor t map onto an accelerator tensor (batch 1: [1,C,H,W], [1,C] as
 * C x 1 x 1, or a graph input [1,C,L] as C x 1 x L)? Fills c, h, w. */
int cc_acc_shape(const ir_graph *g, int t, int *c, int *h, int *w);
/* Both a and b map onto accelerator tensors of one shape. */
int cc_same_acc_shape(const ir_graph *g, int a, int b);
/* t is a float32 constant of known shape. */
int cc_is_const_f32(const ir_graph *g, int t);
/* The only node reading t (t no graph output), or NULL. */
ir_node *cc_only_consumer(const ir_graph *g, int t);
/* The table op or clamp fused after t's producer (target "fused", not a channel shuffle's own
 * Reshape / Transpose), or NULL. */
ir_node *cc_fused_after(const ir_graph *g, int t);
/* Constant scalar bounds of a Relu/Clip node into lo/hi (defaults +-inf). 0 if not constant. */
int cc_clip_bounds(const ir_graph *g, const ir_node *n, float *lo, float *hi);
/* The most padding a load adds on a side (its pad fields, isa.def: one width in every config). */
int cc_max_pad(void);
/* Pad node p is a constant-mode zero pad of the spatial axes (2..) only, non-negative, of a float
 * tensor of rank >= 3: its pads (begins, then ends, per axis of the input) in pads, the rank in
 * *rank. 1 if so, else 0. */
int cc_zero_spatial_pad(const ir_graph *g, const ir_node *p, int64_t *pads, int *rank);
/* Pad node n is a constant zero pad of the spatial axes of a [1, C, H, W] activation, each side
 * 0..15 (a load's pad fields): pads (top, left, bottom, right). 1 if so, else 0. */
int cc_spatial_pad(const ir_graph *g, const ir_node *n, int *pads);
/* 2-D window geometry of a Conv/pool node on input x: kernel from W (Conv) or attributes; 0, or
 * -1 with why set when the accelerator's fields cannot hold it. */
int cc_window(const ir_graph *g, const ir_node *n, int x, const int64_t *kernel, ir_window *win, char *why,
              size_t whylen);
/* A MaxPool with ceil_mode = 1: the end pads of win grow (by less than the stride) until the
 * floor formula gives y's extents; the pads hold -128, which no window's maximum takes (a
 * ceil-mode window starts inside the input). 0, or -1 if a pad would pass 15. */
int cc_ceil_pads(const ir_graph *g, const ir_node *n, ir_window *win, int y);
/* Reshape r2 ends a channel shuffle (Reshape - Transpose of the channel dims - Reshape) of the
 * [1, C, H, W] activation *x: perm[j] (C entries) = the channel of *x that output channel j
 * holds. 1 if so, else 0. */
int cc_shuffle_perm(const ir_graph *g, const ir_node *r2, int *x, int *perm);
/* Slice or Split node n takes whole-pixel channel ranges of a [1, C, H, W] activation *x:
 * output k (k < n->n_out) is channels first[k] .. first[k] + its channels - 1 (first has
 * n->n_out entries). 1 if so, else 0. */
int cc_channel_slices(const ir_graph *g, const ir_node *n, int *x, int *first);
/* Resize node n is a nearest-neighbour upsampling of a [1, C, H, W] activation by integer
 * factors *fh, *fw (1..16) in which output pixel (y, x) reads input pixel (y / fh, x / fw), as
 * the back end's CG_POOL_UP does. 1 if so, else 0. */
int cc_upsample_factors(const ir_graph *g, const ir_node *n, int *fh, int *fw);
/* Resize node n of mode linear as the back end's CG_POOL_BIL runs it: a [1, C, H, W] activation
 * upsampled by integer factors *fh, *fw (1..16) with the coordinate transformation *ct (enum
 * cg_bil_ct) whose weights are dyadic (cg_bil_axis) and whose coordinates are the reference
 * executor's. NULL if so, else why not (a constant, or why). */
const char *cc_bilinear_why_not(const ir_graph *g, const ir_node *n, int *fh, int *fw, int *ct, char *why, size_t whylen);
/* Node n is a depth-to-space of a [1, C, H, W] activation as the back end's CG_POOL_D2S runs it:
 * a DepthToSpace in DCR mode (phase groups of *gc = its output channels) or a dlvta.Interleave
 * (phase groups of *gc = its group), factors *sh, *sw in 1..16. 1 if so, else 0. */
int cc_interleave_geometry(const ir_graph *g, const ir_node *n, int *sh, int *sw, int *gc);
/* Output extents of tensor y are those the back end's formula gives for win (floor). */
int cc_dims_match(const ir_graph *g, const ir_window *win, int y);
/* n is a unary elementwise function the accelerator runs as a 256-entry table of int8 codes
 * (ALU LUT): a known op of partition.c's list with one input and one output. The table comes
 * from the float reference of the node itself on the 256 dequantized codes (lower.c), so a new
 * unary op needs only its name in that list (and its reference kernel). */
int cc_is_lut_op(const ir_graph *g, const ir_node *n);
/* Mul node n the accelerator runs: *a an activation of the output's shape, *b a per-channel
 * vector [1, C, 1, 1] of it (squeeze-and-excite) or an activation of its shape. 0 if not. */
int cc_mul_operands(const ir_graph *g, const ir_node *n, int *a, int *b);

/* ---- the lowering's state (lower.c, plan.c) ---- */
typedef struct blob {
  uint8_t *p;
  uint64_t n;        /* bytes of the layer's image from c on */
  uint64_t b, c;     /* arena end when built, and c = b rounded down to ISA_IMAGE_ALIGN */
} blob;

typedef struct lw {
  ir_graph *g;
  cc_ctx *cx;
  cc_model *m;
  int *acc;          /* [g->n_tensors] accelerator tensor of each IR tensor, -1 */
  int *rgi;          /* [g->n_tensors] runtime-graph tensor, -1 */
  int **map;         /* [g->n_tensors] lane map of a tensor whose accelerator tensor holds its
                      * channels with gaps (a Concat of inputs that are not whole blocks, and
                      * what pools it): logical channel -> channel of the accelerator tensor;
                      * NULL: the identity. Convs and fcs fold it into their weights, pools keep
                      * it, anything else reads a copy (materialize in lower.c) */
  blob *bl;          /* [m->nl] */
  int refused;       /* node the back end refused (retry with it on the CPU), -1 */
  signed char *dsfuse; /* [g->n_nodes] ds_consumer's cost decision: -1 not made, 0 no, 1 fuse */
  char *err;
  size_t errlen;
} lw;

/* Error on node n (NULL: the model) into L->err; returns IR_ERR. */
int cc_lower_fail(lw *L, const ir_node *n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Room for element n of an array grown by doubling (n elements in use); out of memory is
 * fatal here as in the IR's construction helpers. */
void *cc_grow(void *p, int n, size_t elem);
/* Appends a plan step. */
void cc_plan_add(lw *L, int kind, int a, int b);
/* The runtime-graph tensor holding IR tensor t as float (constants copied, accelerator values
 * dequantized); -1 with a message if t has no value yet. */
int cc_float_of(lw *L, int t);
/* Lower node i of L->g by its dlvta.target: an accelerator layer, an alias, nothing (fused into
 * another layer) or a CPU node of the runtime graph. IR_OK or IR_ERR (L->refused set when the
 * back end refused the node). */
int cc_lower_node(lw *L, int i);
/* Before lowering: a Concat on the accelerator is a view of its inputs' blocks, so its inputs
 * and output (and whatever shares a quantization with them through max poolings and aliases)
 * take one quantization, the union of their calibrated ranges; a group holding a tensor of the
 * model's own quantization is left alone (lower_concat then refuses the Concat). */
void cc_share_concat_quant(lw *L);

#endif
