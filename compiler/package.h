/* compiler/package.h -- what a dlvta package (.dlvta) holds: the compiled model (cc_model) that
 * `dlvta compile` writes and `dlvta run` executes, and its sections inside the container of
 * driver/pkg.h (which supplies magic, version, header size, config fingerprint and checksum).
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
 *                        i32 accelerator tensor (-1: none), f32 scale, i32 zp (its quantization)
 *   CC_SEC_TENSORS(2,0)  u32 n, per accelerator tensor: str name, u32 c h w, u32 im2col,
 *                        i32 geometry[11] (kh kw sh sw dh dw pad_t pad_l pad_b pad_r x_zp),
 *                        u64 offset, u64 bytes, f32 scale, i32 zp
 *   CC_SEC_LAYERS (3,0)  u32 n, per layer: str op, str node, str desc, i32 in, i32 out,
 *                        u64 macs, u64 ideal cycles, u64 predicted cycles, u32 n_insns
 *   CC_SEC_PROG   (4,L)  layer L's instructions, n_insns x 16 bytes (two LE u64 words each)
 *   CC_SEC_IMAGE  (5,0)  u64 image bytes, u64 arena bytes, then the image from the arena's end
 *                        (the arena itself is all zero and not stored)
 *   CC_SEC_GRAPH  (6,0)  the runtime graph: u32 n_tensors, per tensor: str name, u32 dtype,
 *                        i32 rank, i64 dims[rank], u64 data bytes (0: not constant), data;
 *                        u32 n_nodes, per node: str op (ir_op_name), str node name, u32 n_in,
 *                        i32 in[], u32 n_out, i32 out[], u32 n_attr, per attribute: str name,
 *                        u32 kind, then i64 | f32 | str | u32 n + i64[n] | u32 n + f32[n] |
 *                        tensor (u32 dtype, i32 rank, i64 dims[], u64 bytes, data);
 *                        u32 n_inputs, i32[], u32 n_outputs, i32[]
 *                        (the runtime graph's inputs are the model's inputs, then every tensor
 *                        a DEQUANT step defines: for the graph they come from outside)
 *   CC_SEC_PLAN   (7,0)  u32 n, per step: u32 kind, i32 a, i32 b
 *
 * cc_package_read validates every count, index, size, string, the tensor layout (recomputed
 * with the back end and compared), every instruction (decodes, DRAM ranges inside the image),
 * the runtime graph (ir_verify plus shape inference against the stored types) and the plan
 * (each value defined before it is used). A bad package is an error message, never a crash.
 */
#ifndef DLVTA_PACKAGE_H
#define DLVTA_PACKAGE_H

#include <stddef.h>
#include <stdint.h>

#include "cg.h"
#include "ir.h"
#include "isa.h"

#define CC_PKG_FORMAT 1u
#define CC_PKG_MAX_IMAGE ((uint64_t)1 << 30) /* largest accelerator image a package may hold */

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

typedef struct cc_mtensor {   /* an accelerator tensor (int8, blocked layout of cg.h) */
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
} cc_mio;

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
  cg_net *net;                /* the tensors of t[] re-created (for cg_pack / cg_unpack) */
  cg_net *lnet;               /* after cc_compile: the compile's network with its layers (e.g.
                               * to build them as one program); NULL in a loaded package */
} cc_model;

/* Write m as a package at path. 0, or -1 with "path: reason" in err. Deterministic: the same
 * model gives the same bytes. */
int cc_package_write(const cc_model *m, const char *path, char *err, size_t errlen);
/* Read and validate a package into a new model (free with cc_model_free). 0, or -1 with
 * "path: reason" in err. */
int cc_package_read(const char *path, cc_model **out, char *err, size_t errlen);
/* Validate an in-memory model (as cc_package_read does after parsing); re-creates m->net.
 * 0 or -1 with a message. */
int cc_model_check(cc_model *m, char *err, size_t errlen);
void cc_model_free(cc_model *m);

#endif
