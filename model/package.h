/* model/package.h -- the model layer's contract: what a dlvta package (.dlvta) holds, the
 * compiled model (cc_model) that `dlvta compile` writes and `dlvta run` executes, its sections
 * inside the container of model/pkg.h (which supplies magic, version, header size, config
 * fingerprint and checksum), and the tensor layout of the accelerator image with its packing
 * (model/layout.c). Below both the compiler and the runtime (ARCHITECTURE.md): it includes only
 * the IR (the runtime graph) and the ISA.
 *
 * ---- the model ------------------------------------------------------------------------------
 * One accelerator image (arena of every accelerator tensor, then each layer's constants), one
 * program per accelerator layer (all addressing that one image from base 0), a runtime graph
 * of the CPU fallback nodes with their constants and every float tensor that crosses a
 * CPU/accelerator boundary, and an execution plan: a list of steps run in order per inference
 *
 *     QUANT   a=graph tensor  b=accelerator tensor   q = clamp(round(x / scale) + zp), packed
 *     DEQUANT a=accelerator   b=graph tensor          x = (q - zp) * scale, unpacked
 *     ACCEL   a=layer                                 run the layer's program on the device
 *     CPU     a=graph node                            run the node with the reference executor
 *
 * ---- sections (type, index); all integers little endian; strings are u32 length + bytes ----
 *   CC_SEC_META   (1,0)  u32 format, str model name, str config, str calibration note,
 *                        u32 n_in, n_out, then per input / output: str name, i32 graph tensor,
 *                        i32 accelerator tensor (-1: none), f32 scale, i32 zp (its quantization);
 *                        format 3 on: per input u32 source dtype (cc_mio.src_dtype: 0, or
 *                        the integer ir_dtype of an input the model only casts to float)
 *   CC_SEC_TENSORS(2,0)  u32 n, per accelerator tensor: str name, u32 c h w, u32 im2col,
 *                        i32 geometry[11] (kh kw sh sw dh dw pad_t pad_l pad_b pad_r x_zp),
 *                        u64 offset, u64 bytes, f32 scale, i32 zp
 *   CC_SEC_LAYERS (3,0)  u32 n, per layer: str op, str node, str desc, i32 in, i32 out,
 *                        u64 macs, u64 ideal cycles, u64 predicted cycles, u32 n_insns
 *   CC_SEC_PROG   (4,L)  layer L's instructions, n_insns x 16 bytes (two LE u64 words each)
 *   CC_SEC_IMAGE  (5,0)  u64 image bytes, u64 arena bytes, then the image from the arena's end
 *                        (the arena itself is all zero and not stored)
 *   CC_SEC_GRAPH  (6,0)  the runtime graph: u32 n_tensors, per tensor: str name, u32 dtype,
 *                        i32 rank, i64 dims[rank], u64 data bytes (0: not constant;
 *                        CC_GRAPH_EMPTY_CONST: a constant of no elements), data;
 *                        u32 n_nodes, per node: str op (ir_op_name), str node name, u32 n_in,
 *                        i32 in[], u32 n_out, i32 out[], u32 n_attr, per attribute: str name,
 *                        u32 kind, then i64 | f32 | str | u32 n + i64[n] | u32 n + f32[n] |
 *                        tensor (u32 dtype, i32 rank, i64 dims[], u64 bytes, data);
 *                        u32 n_inputs, i32[], u32 n_outputs, i32[], u32 opset (the ONNX opset
 *                        its nodes mean: Softmax's axis before 13, a Reduce*'s axes as an input
 *                        from 18, ...; format 1 packages have none and read as opset 17)
 *                        (the runtime graph's inputs are the model's inputs, then every tensor
 *                        a DEQUANT step defines: for the graph they come from outside)
 *   CC_SEC_PLAN   (7,0)  u32 n, per step: u32 kind, i32 a, i32 b
 *
 * cc_package_read validates every count, index, size, string, the tensor layout (recomputed
 * with cc_layout_place and compared), every instruction (decodes, DRAM ranges inside the image),
 * the runtime graph (ir_verify plus shape inference against the stored types) and the plan
 * (each value defined before it is used). A bad package is an error message, never a crash.
 */
#ifndef DLVTA_PACKAGE_H
#define DLVTA_PACKAGE_H

#include <stddef.h>
#include <stdint.h>

#include "ir.h"
#include "isa.h"

#define CC_PKG_FORMAT 3u /* 2: the runtime graph's opset; 3: the inputs' source dtypes; 1 and 2
                          * are read too */
#define CC_PKG_MAX_IMAGE ((uint64_t)1 << 30) /* largest accelerator image a package may hold */
#define CC_GRAPH_EMPTY_CONST UINT64_MAX /* a runtime graph tensor's data bytes: a constant of no elements */

enum cc_section {
  CC_SEC_META = 1,
  CC_SEC_TENSORS = 2,
  CC_SEC_LAYERS = 3,
  CC_SEC_PROG = 4,
  CC_SEC_IMAGE = 5,
  CC_SEC_GRAPH = 6,
  CC_SEC_PLAN = 7,
};

enum cc_step_kind { CC_STEP_QUANT = 1, CC_STEP_DEQUANT = 2, CC_STEP_ACCEL = 3, CC_STEP_CPU = 4 };

struct cg_net; /* the back end's network (compiler/backend/cg.h); opaque here */

typedef struct cc_mtensor {   /* an accelerator tensor (int8, blocked layout, cc_layout_* below) */
  char name[128];             /* the IR tensor it holds */
  int c, h, w;                /* logical shape: channels, rows, columns */
  int im2col;                 /* 1: host-packed im2col input of one conv (geo is its geometry) */
  int geo[11];                /* kh kw sh sw dh dw pad_t pad_l pad_b pad_r x_zp, if im2col */
  uint64_t offset, bytes;     /* place in the image, bytes */
  float scale;                /* real units per step: real = (q - zp) * scale */
  int32_t zp;                 /* zero point, -128..127 */
} cc_mtensor;

typedef struct cc_mlayer {    /* one accelerator layer and its program */
  char op[32];                /* ONNX op of the node (Conv, Gemm, MaxPool, Add, ...) */
  char node[128];             /* ONNX node name */
  char desc[160];             /* the back end's shape description */
  int in, out;                /* accelerator tensors: first input, output */
  uint64_t macs;              /* useful multiply-accumulates per inference */
  uint64_t ideal_cycles;      /* macs / (BLOCK_IN * BLOCK_OUT) */
  uint64_t predicted_cycles;  /* the back end's cost model */
  uint32_t n_insns;
  isa_word *insns;            /* [n_insns], DRAM addresses relative to the image (base 0) */
} cc_mlayer;

typedef struct cc_mstep {
  int kind;                   /* enum cc_step_kind */
  int a, b;                   /* operands, see the table above */
} cc_mstep;

typedef struct cc_mio {       /* a model input or output */
  int tensor;                 /* index in the runtime graph g */
  int acc;                    /* accelerator tensor it is quantized into / read from, or -1 */
  int src_dtype;              /* an input: the model's integer dtype (IR_U8: a uint8 image) of an
                               * input it only casts to float, which the package takes as float32
                               * (its values must be integers of that dtype); 0: as g's */
} cc_mio;

/* The integer types an input may have taken before float-inputs made it float32 (cc_mio.src_dtype;
 * the compiler's pass and the package reader's check use this one list). */
static inline int cc_integer_input_dtype(int d) { return d == IR_U8 || d == IR_I8 || d == IR_I32 || d == IR_I64; }

typedef struct cc_model {
  const isa_config *cfg;
  char name[128];             /* model (graph) name */
  char calib[256];            /* how activation ranges were chosen */
  ir_graph *g;                /* runtime graph: CPU nodes, constants, boundary tensors, I/O */
  int n_in, n_out;            /* the model's: g->inputs[0..n_in) and g->outputs[0..n_out) */
  cc_mio *in, *out;           /* [n_in], [n_out] */
  int nt;
  cc_mtensor *t;              /* [nt] accelerator tensors, in creation (arena) order */
  int nl;
  cc_mlayer *l;               /* [nl] layers */
  int ns;
  cc_mstep *s;                /* [ns] the plan */
  uint8_t *image;             /* [image_bytes] arena (zero) then constants */
  uint64_t image_bytes, arena_bytes;
  struct cg_net *net;         /* after cc_compile: the compile's network with its layers (e.g.
                               * to build them as one program); NULL in a loaded package */
  void (*net_free)(struct cg_net *net); /* frees net (set by whoever sets net) */
} cc_model;

/* Write m as a package at path. 0, or -1 with "path: reason" in err. Deterministic: the same
 * model gives the same bytes. */
int cc_package_write(const cc_model *m, const char *path, char *err, size_t errlen);
/* Read and validate a package into a new model (free with cc_model_free). 0, or -1 with
 * "path: reason" in err. */
int cc_package_read(const char *path, cc_model **out, char *err, size_t errlen);
/* Validate an in-memory model (as cc_package_read does after parsing). 0 or -1 with a
 * message. */
int cc_model_check(cc_model *m, char *err, size_t errlen);
void cc_model_free(cc_model *m);

/* ---- the program verifier (model/verify.c) ---------------------------------------------------
 * cc_model_check (so every package read, and every compile) proves each layer's program safe
 * before it can run: every instruction decodes; every LOAD's DRAM rows lie inside the image and
 * every STORE's inside the activation arena (constants and micro-ops never change at run time);
 * every LOAD/STORE block inside its on-chip buffer; each GEMM/ALU's micro-op range inside the
 * micro-op buffer and loaded before use (from the constant image or a pad word: the verifier
 * follows the buffer's contents), and every accumulator / input / weight index each micro-op
 * makes over the loop nest inside its buffer; and the program's work, the sum over GEMM/ALU of
 * loop_out x loop_in x micro-ops, at most CC_VERIFY_MAX_ITERS.
 * The limit: the largest legitimate layer we compile is a ResNet-18 conv on the tiny config
 * (4x4 blocks) at 7.83 M iterations (pynq: 0.60 M); 2^26 = 67 M is 8.6x that, and about
 * 0.7 s of the RTL at 100 MHz per layer. Measured verifier time (decode included): ResNet-18 on
 * pynq (20 layers, 11 k instructions) 1.6 ms; on tiny (4.2 M instructions) seconds, nearly all of
 * it in isa_decode. */
#define CC_VERIFY_MAX_ITERS ((uint64_t)1 << 26)
/* Verify layer's program of m as above. 0, or -1 with "layer L (op 'node'): instruction K
 * (disassembly): what" in err. */
int cc_verify_program(const cc_model *m, int layer, char *err, size_t errlen);
/* The same proof for a plain program (isa_prog: a program file or assembly, `dlvta sim`): every
 * instruction decodes; every LOAD's and STORE's DRAM rows inside the program's image; every
 * on-chip block and index inside its buffer; every micro-op a GEMM/ALU uses loaded before its use
 * from image bytes no STORE of the program writes (or a pad word); the work at most
 * CC_VERIFY_MAX_ITERS. 0, or -1 with "instruction K (disassembly): what" in err. */
int cc_verify_prog(const isa_prog *prog, char *err, size_t errlen);

/* ---- tensor layout (model/layout.c) ------------------------------------------------------------
 * An accelerator tensor of logical shape c x h x w is stored blocked, B = the config's layout block
 * (cc_layout_block: block_out, the STORE's element; block_out is a multiple of block_in, and a
 * LOAD of one pixel's B channels into the input buffer brings block_out / block_in elements):
 * int8 t[CB][H][W][B], CB = ceil(C / B), byte (cb*H*W + y*W + x)*B + lane
 * holds channel cb*B + lane of pixel (y, x); channels C..CB*B-1 are padding (packed as 0). Stored
 * C, H, W are the logical ones, or for an im2col tensor (the host-packed input of one conv, geo =
 * kh kw sh sw dh dw pad_t pad_l pad_b pad_r x_zp) C = c*kh*kw, H x W = the conv's output pixels,
 * and channel q = (ci*kh + ky)*kw + kx of pixel (oy, ox) = in[ci][oy*sh - pad_t + ky*dh]
 * [ox*sw - pad_l + kx*dw] (x_zp outside the input). Tensors sit at multiples of CC_TENSOR_ALIGN
 * bytes of the image in creation order. The back end (compiler/backend/cg.h) places its tensors
 * with these functions; the runtime packs and unpacks with them. */
#define CC_TENSOR_ALIGN 256u
/* The layout block B of config d (above): its block_out. */
static inline unsigned cc_layout_block(const isa_derived *d) { return d->block_out; }
/* 1 if d's GEMM shape has a tensor layout: batch 1, block_out a multiple of block_in. */
static inline int cc_layout_ok(const isa_derived *d) {
  return d->batch == 1 && d->block_in > 0 && d->block_out % d->block_in == 0;
}
/* Output extent of a window of k taps, stride s, dilation d over in + pad0 + pad1: floor((in +
 * pads - d*(k-1) - 1) / s) + 1, or 0 if the window does not fit (or s < 1). */
int cc_out_dim(int in, int k, int s, int d, int pad0, int pad1);
/* Stored shape of t (from c, h, w, im2col, geo). 0, or -1 if an extent is < 1, the geometry bad
 * or a stored H or W over 65535. */
int cc_layout_shape(const cc_mtensor *t, int *sc, int *sh, int *sw);
/* Place t after *arena: t->offset = the next multiple of CC_TENSOR_ALIGN, t->bytes = CB*H*W*B;
 * *arena moves past it. 0, or -1 as cc_layout_shape (or block 0). */
int cc_layout_place(cc_mtensor *t, unsigned block, uint64_t *arena);
/* Pack an int8 [c][h][w] tensor (logical, plain CHW) into image at t->offset (padding lanes 0,
 * im2col as above), and unpack it back (not for im2col tensors). 0, or -1 on a bad argument. */
int cc_layout_pack(const cc_mtensor *t, unsigned block, const int8_t *chw, uint8_t *image);
int cc_layout_unpack(const cc_mtensor *t, unsigned block, const uint8_t *image, int8_t *chw);

#endif
