/* compiler/backend/cg.h -- the dlvta compiler back end: quantized int8 layers in, accelerator
 * programs (isa_prog) out, plus a plain-C int8 reference of every layer kind.
 *
 * A network (cg_net) is a list of tensors and layers over one data image (the "arena"). The
 * front end creates tensors, adds layers that read and write them, and builds one program for
 * the whole network; the runtime writes inputs into the image at their tensor's offset, runs the
 * program, and reads outputs back from theirs.
 *
 * ---- activation layout (the contract with the runtime; model/package.h implements it) -------
 * An activation is an int8 tensor of C channels, H rows, W columns (batch 1). In the image it is
 * stored blocked, BLOCK = cfg block_out (cc_layout_block: 16 on pynq, 32 on ultra96, 4 on tiny),
 * a multiple of block_in:
 *
 *     int8 t[CB][H][W][BLOCK],  CB = ceil(C / BLOCK),  byte (cb*H*W + y*W + x)*BLOCK + lane
 *     holds channel c = cb*BLOCK + lane of pixel (y, x).
 *
 * One OUT / ACC8 element is the BLOCK channels of one pixel, and so are R = block_out / block_in
 * consecutive INP elements (ultra96: 2; pynq, tiny: 1): a conv reduces over each block of input
 * channels in R GEMM micro-ops of block_in, with its B x B weight block as R WGT elements. Channels C..CB*BLOCK-1 are
 * padding: the runtime writes them as 0 (cg_pack does); layers may leave any value there (a conv
 * writes its requantized bias-only value, pools and adds combine the padding lanes), and no
 * layer lets them reach a real channel (weights of padded input channels are 0). Tensors sit at
 * byte offsets of the image that are multiples of 256, in creation order (no reuse).
 * An input of a first layer with few channels may instead use the host-packed im2col layout
 * (cg_net_tensor_im2col below).
 *
 * ---- quantization ---------------------------------------------------------------------------
 * Tensors are int8 with a zero point per tensor (real = (q - zp) * scale; zp = 0 for symmetric
 * tensors, the common case, which costs nothing). A requantization step maps an int32 value a
 * to round(a * real_scale) with real_scale = mult * 2^-shift, exactly as the ISA's REQ:
 * p = a * mult (64 bits); r = shift > 0 ? (p + 2^(shift-1)) >> shift : p (arithmetic shift, ties
 * round up). cg_quant_multiplier computes mult in [2^22, 2^23) (REQ's 24-bit signed multiplier
 * field, isa.def DLVTA_REQ_FIELD) and shift in 0..63.
 * Below, sat32 saturates to int32, "+" on int32 values wraps, clamp(v) = min(max(v, lo), hi).
 *
 * Layer semantics (the reference in cg_ref.c is these formulas as straight loops):
 *   conv:   acc[co][y][x] = bias[co] + sum_{ci in group, ky, kx} w[co][ci'][ky][kx] *
 *                 (in[ci][y*sh - pad_t + ky*dh][x*sw - pad_l + kx*dw] - x_zp)  (0 outside)
 *           if res < 0 or neither res_d nor res_w is given (requantized residual):
 *             v = sat32(REQ(acc, mult[co], shift[co]));
 *             if res >= 0: v = v + sat32(REQ(res[co][y][x] - res_zp, res_mult, res_shift))
 *             out = clamp(v + y_zp)
 *           if res >= 0 and res_d != 0 or res_w != NULL (residual through the GEMM core, with
 *           f = res_fc ? res_fc[co] : res_f, s = max(res_s, 1), rw = res_w ? res_w : diagonal
 *           res_d, i.e. rw[co][ci] = ci == co ? res_d : 0):
 *             t = sat32(REQ(acc, mult[co], shift[co] - f))        (output scale, f more bits)
 *             u = t + sum_ci rw[co][ci] * (res[ci][y*s][x*s] - res_zp) + y_zp * 2^f
 *                                                                (int32, wraps)
 *             out = clamp(sat32(REQ(u, 2^14, 14 + f)))              (= round(u / 2^f))
 *           A dense res_w makes the residual a 1x1 conv of stride s over another tensor (e.g.
 *           ResNet's downsample path, fused into the block's second conv).
 *           The same fraction epilogue without a residual (res < 0, res_fc and bias_f given):
 *             u = t + bias_f[co] + y_zp * 2^f, out = clamp(sat32(REQ(u, 2^14, 14 + f)))
 *           with bias_f[co] the bias in units of 2^-f of the output scale (a bias rounded to acc
 *           units is off by up to half an acc unit, rs/2 output LSB; this one by 2^-(f+1)); with
 *           a GEMM residual bias_f[co] adds to u too. It costs two ALU passes more than one REQ.
 *           (the back end folds -x_zp * sum(w) into the bias and pads with x_zp; the GEMM
 *           residual costs the compute unit one GEMM iteration per output element and non-zero
 *           16x16 block of rw, loaded by the load unit as INP, plus one ALU ADD pass when some
 *           -sum_ci rw[co][ci]*res_zp + y_zp*2^f != 0; the front end folds those constants into
 *           the bias to avoid it)
 *           (the back end folds -x_zp * sum(w) into the bias and pads with x_zp)
 *   fc:     a conv with kh = kw = 1 on tensors of H = W = 1.
 *   maxpool: out = max over the window of in (pad elements are -128; in and out share their
 *           quantization).
 *   avgpool: out = clamp(sat32(REQ(sum over the window of (in - x_zp), mult, shift)) + y_zp);
 *           with half_even, REQ's ties round to even instead: with r(v) = sat32(REQ(v, mult,
 *           shift)), he(s) = floor((r(s) - 1) / 2 + 1/2) - floor((r(-s) - 1) / 2 + 1/2)
 *           = floor(r_up / 2) + ceil(r_dn / 2) (r_up = r(s) rounds ties up, r_dn = -r(-s) down;
 *           both are he(s) but at a tie, where the two halves meet at the even one): ten ALU
 *           passes (MOV, MUL -1, REQ, REQ, ADD -1, ADD -1, SHR 1, SHR 1, MUL -1, ADD) for one REQ
 *           pad elements count as x_zp (count_include_pad: they add 0 and count in the divisor);
 *           the front end puts 1/(kh*kw) into mult/shift. Global average pooling: kh = H, kw = W.
 *   add:    out = clamp(SHR(sat32(REQ(a - a_zp, a_mult, a_shift - f)) + sat32(REQ(b - b_zp, b_mult,
 *           b_shift - f)), f) + y_zp), f = cg_add_frac(p) = min(16, a_shift, b_shift): the two
 *           terms keep f fraction bits and the sum is rounded once (SHR rounds), as
 *           round(a' + b') of the real values would be (one rounding, not two); with op
 *           CG_ADD_MAX / CG_ADD_MIN the two terms' max / min instead of their sum (an elementwise
 *           Max / Min of two activations: the terms are monotonic in a and b, so it is round(max(a', b')))
 *   mul:    out = clamp(sat32(REQ((a - a_zp) * (b' - b_zp) * 2^frac + bias, mult, shift)) + y_zp)
 *           with b' = b[c] (b per channel) or b[c][y][x] (b of a's shape), bias a constant at
 *           2^-frac of the product's unit (the front end folds the output's zero point into it,
 *           y_zp = 0, as a conv's into its bias, frac bits finer); ALU MUL by acc[src], [ADD
 *           bias], REQ; a per-channel mul's a - a_zp is a GEMM of a by an identity weight block
 *           from a bias element, and (b' - b_zp) * 2^frac one element's passes (cg_mul.c)
 *   lut:    out = table[in + 128] (any unary function of the int8 codes, e.g. a quantized
 *           Sigmoid: ALU LUT with the table in the lanes' lookup tables, loaded once per layer)
 *   conv with lut: the conv's out as above, then out = lut[out + 128] (one more ALU pass per
 *           output tile, no round trip through DRAM)
 *   upsample (a pool of kind CG_POOL_UP: nearest-neighbour Resize by integer factors sh, sw
 *           in 1..16; kh = kw = 1, no pads): out[c][y][x] = in[c][y / sh][x / sw], out is
 *           (H*sh) x (W*sw); in and out share their quantization.
 *   depth to space (a pool of kind CG_POOL_D2S, factors sh, sw in 1..16, kh = kw = 1, no pads):
 *           out[c][y][x] = in[((y % sh) * sw + x % sw) * gc + c][y / sh][x / sw] for out of
 *           oc <= gc channels and oh x ow pixels, oh <= H*sh, ow <= W*sw (the end cropped); in
 *           has sh*sw*gc channels, gc a multiple of BLOCK (each phase group whole blocks): one
 *           ALU MOV per phase and output block. DepthToSpace (DCR) and the phases of a
 *           ConvTranspose (compiler/cc_convt.c); in and out share their quantization.
 *   bilinear (a pool of kind CG_POOL_BIL: 2-D linear Resize by integer factors sh, sw in 1..16
 *           with coordinate transformation ct (enum cg_bil_ct); kh = kw = 1, no pads): with
 *           (iy, wy) of cg_bil_axis over the rows (Dy = 2^ly) and (ix, wx) over the columns
 *           (Dx = 2^lx), the exact integer
 *             N = sum over j, k in {0, 1} of Wy_j * Wx_k * in[c][iy + j][ix + k]
 *           (Wy_0 = Dy - wy, Wy_1 = wy, the same for x; terms of weight 0 are not read) and
 *           out[c][y][x] = round(N / (Dy * Dx)), ties to even (QuantizeLinear's rounding): the
 *           float Resize of the codes, exactly. out is (H*sh) x (W*sw); in and out share their
 *           quantization (a convex combination). ALU only: per tile the input rows and columns
 *           it reads (LOAD ACC8), scaled copies (MOV, MUL) for each weight, the rows' pass (MOV /
 *           ADD per output row), the columns' pass (per output column), the rounding (MOV, ADD,
 *           SHR, SHR, ADD: he(N) = SHR(N - 2^(s-1), s+1) + SHR(N + 2^(s-1) - 1, s+1), s = ly + lx;
 *           the -2^(s-1) an ADD over the rows' pass).
 *
 * ---- programs ---------------------------------------------------------------------------------
 * cg_net_build emits one program for the whole network: the layers' instructions in order, each
 * layer after the first starting with a barrier (an empty GEMM that relays a token from the
 * store unit to the load unit, so a layer reads only what the previous layers finished
 * writing), and one FINISH at the end. The image holds the arena followed by every layer's
 * constants (packed weights, bias and requant elements, micro-ops). opts.only_layer builds a
 * program of one layer over the same image layout (per-layer measurements).
 *
 * Status codes: CG_OK or a negative CG_E_*, with a message in the net (cg_net_error).
 */
#ifndef DLVTA_CG_H
#define DLVTA_CG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "isa.h"
#include "package.h" /* the model layer: the tensor layout (cc_layout_*), cc_out_dim */

enum cg_status {
  CG_OK = 0,
  CG_E_ARG = -1,         /* bad argument: shapes disagree, bad tensor id, out-of-range value */
  CG_E_NOMEM = -2,       /* out of memory */
  CG_E_UNSUPPORTED = -3, /* valid but not handled (e.g. groups other than 1 and C) */
  CG_E_FIT = -4,         /* no tiling fits the config's buffers or field widths */
  CG_E_INTERNAL = -5,    /* a back-end invariant failed (a bug; message says where) */
};

typedef struct cg_net cg_net;

/* ---- quantization helpers ---------------------------------------------------------------- */
/* Split real_scale (> 0, < 2^15) into mult in [2^22, 2^23) (mb = ISA_REQ_M_WIDTH - 1 = 23
 * bits) and shift in 0..63 with real_scale ~= mult * 2^-shift. Relative error
 * |mult*2^-shift - real_scale| / real_scale <= 2^-23 (round to nearest of a 23-bit mantissa).
 * When real_scale < 2^-41 the shift would pass 63: mult is then scaled down (denormal, error up
 * to 2^-1 of the tiny value) and CG_E_ARG is returned only if real_scale <= 0 or is not finite
 * or >= 2^15. */
int cg_quant_multiplier(double real_scale, int32_t *mult, int *shift);
/* Per-output-channel requant of a conv from float scales: real_scale[o] = in_scale *
 * w_scale[w_per_channel ? o : 0] / out_scale, through cg_quant_multiplier. CG_E_ARG if a scale
 * is not representable (message-free: the caller names the node). */
int cg_quant_conv(double in_scale, const float *w_scale, int w_per_channel, double out_scale,
                  int cout, int32_t *mult, uint8_t *shift);
/* REQ of the ISA on one int32 lane, without bounds: the 64-bit rounded product. */
int64_t cg_req(int32_t a, int32_t mult, int shift);

/* ---- layers --------------------------------------------------------------------------------- */
typedef struct cg_conv {
  int in, out;                /* tensor ids; out has C = cout */
  int res;                    /* residual tensor id (same shape as out), -1 for none */
  int kh, kw;                 /* kernel, pixels */
  int sh, sw;                 /* stride, pixels (>= 1) */
  int dh, dw;                 /* dilation (>= 1) */
  int pad_t, pad_l, pad_b, pad_r; /* padding, pixels (0..15 each); pads hold x_zp */
  int groups;                 /* 1, or grouped with C_in = C_out (cg_groups_ok): depthwise
                               * (groups = C), or a group width dividing the block (weights
                               * block-diagonal: each output block reads its own input block) or
                               * a multiple of it (per-group GEMM over the group's blocks) */
  const int8_t *weight;       /* [cout][cin/groups][kh][kw], copied by cg_net_add_conv */
  const int32_t *bias;        /* [cout], or NULL for 0; copied */
  const int32_t *mult;        /* [cout] requant multipliers (REQ semantics); copied */
  const uint8_t *shift;       /* [cout] requant shifts, 0..63; copied */
  int32_t res_mult;           /* per-tensor requant of the residual into the output scale */
  int res_shift;              /* 0..63 */
  int res_d;                  /* != 0: residual through the GEMM core with this integer weight
                               * (-128..127), in units of 2^-f of the output scale */
  int res_f;                  /* 0..49, <= every shift[co] (when res_fc is NULL) */
  const int8_t *res_w;        /* non-NULL: GEMM residual with these weights [cout][C_res] (the
                               * residual tensor may then have other channels and, with res_s,
                               * pixels); copied */
  const uint8_t *res_fc;      /* non-NULL: f per output channel [cout], 0..49, <= shift[co];
                               * copied */
  int res_s;                  /* residual pixel stride (0 or 1: the output's own pixel) */
  const int32_t *bias_f;      /* non-NULL (with res_fc, and with res < 0 or a GEMM residual): a
                               * bias at the output scale with f = res_fc[co] fraction bits,
                               * [cout], added to u (the fraction epilogue above); copied */
  int lo, hi;                 /* output clamp, -128 <= lo <= hi <= 127 (ReLU: lo = y_zp) */
  int x_zp, y_zp, res_zp;     /* zero points of input, output, residual (-128..127; 0: none) */
  const int8_t *lut;          /* non-NULL: a unary function fused after the clamp, [256]:
                               * out = lut[out + 128] (an activation on the accelerator's ALU
                               * LUT; y_zp, lo, hi are then those of its input codes); copied */
} cg_conv;

enum cg_pool_kind { CG_POOL_MAX, CG_POOL_AVG, CG_POOL_UP, CG_POOL_D2S, CG_POOL_BIL };
/* Coordinate transformations of a bilinear layer (ONNX Resize's; pytorch_half_pixel is
 * half_pixel for integer factors: its output length 1 only arises from an input length 1). */
enum cg_bil_ct { CG_CT_HALF_PIXEL, CG_CT_ASYMMETRIC, CG_CT_ALIGN_CORNERS };

typedef struct cg_pool {
  int in, out;                /* tensor ids, same C */
  int kind;                   /* enum cg_pool_kind */
  int kh, kw, sh, sw;         /* window and stride, pixels */
  int pad_t, pad_l, pad_b, pad_r; /* padding, pixels (0..15); -128 for max, x_zp for avg */
  int32_t mult;               /* avg: requant of the window sum (includes 1/(kh*kw)) */
  int shift;                  /* avg: 0..63 */
  int lo, hi;                 /* avg: output clamp; max: ignored */
  int x_zp, y_zp;             /* avg: zero points of input and output; max: ignored */
  int half_even;              /* avg: REQ's ties round to even (ONNX QuantizeLinear's rounding,
                               * common in averages: a window of 4 or 16 at equal scales) */
  int gc;                     /* d2s: channels per phase group (a multiple of BLOCK) */
  int oc, oh, ow;             /* d2s: the output's channels and pixels (as its tensor's) */
  int ct;                     /* bil: enum cg_bil_ct */
  int excl_pad;               /* avg: the padding is left out of the average (ONNX
                               * count_include_pad = 0): the sum of output (y, x) is multiplied
                               * by fy[y] * fx[x] before the requant (cg_pool_excl: L / the
                               * window's rows, columns inside the input); mult then includes
                               * 1 / (Ly * Lx) instead of 1 / (kh * kw) */
} cg_pool;

/* One axis of an average pool that leaves its padding out (cg_pool.excl_pad): kernel k, stride
 * s, leading pad pad_b over an input of extent in, out outputs. Output o's window holds r(o)
 * input elements; *L = the least common multiple of the r(o), f[o] = L / r(o) (f may be NULL).
 * 0, or -1 when L exceeds CG_EXCL_MAX_L (the factors are the ALU MUL's 16-bit operands) or a
 * window holds no input element. */
#define CG_EXCL_MAX_L 32767
int cg_pool_excl(int k, int s, int pad_b, int in, int out, int *L, int *f);

/* One axis of a bilinear layer: input extent L, integer factor f (1..16), coordinate
 * transformation ct. Output index o < L*f reads input indices i0[o] and i0[o] + 1 with weights
 * (D - w1[o]) / D and w1[o] / D, D = 2^*logd: the coordinate x = (o*A + B) / C (half_pixel:
 * (2o + 1 - f) / 2f; asymmetric: o / f; align_corners: o (L-1) / (fL - 1), 0 when fL = 1)
 * clamped to [0, L-1] as ONNX does, i0 = floor(x), w1 = D * (x - i0) (0 at the last input);
 * D the smallest power of two up to 2^CG_BIL_MAXLOG that makes every weight an integer. i0 and
 * w1 may be NULL. 0, or -1 when no such D exists (odd factors of half_pixel / asymmetric: thirds;
 * align_corners but for a few extents) or the arguments are out of range. */
#define CG_BIL_MAXLOG 5
int cg_bil_axis(int ct, int f, int L, int *logd, int *i0, int *w1);

enum { CG_ADD_SUM = 0, CG_ADD_MAX = 1, CG_ADD_MIN = 2 }; /* cg_add.op */

typedef struct cg_add {
  int a, b, out;              /* tensor ids, all of one shape */
  int op;                     /* CG_ADD_SUM: a + b; CG_ADD_MAX / CG_ADD_MIN: max / min(a, b) */
  int32_t a_mult, b_mult;     /* per-tensor requant of each input into the output scale */
  int a_shift, b_shift;       /* 0..63 */
  int lo, hi;                 /* output clamp */
  int a_zp, b_zp, y_zp;       /* zero points of the inputs and the output */
} cg_add;

/* A unary function on int8 codes (an activation: Sigmoid, Hardswish, ... quantized): one ALU
 * LUT pass per element. */
typedef struct cg_lut {
  int in, out;                /* tensor ids, one shape */
  const int8_t *table;        /* [256]: out = table[in + 128]; copied */
} cg_lut;

/* Elementwise product of an activation a by a per-channel vector b (C x 1 x 1: squeeze-and-
 * excite's scale) or by an activation b of a's shape (x * sigmoid(x)). */
typedef struct cg_mul {
  int a, b, out;              /* tensor ids: a and out of one shape, b the same or C x 1 x 1 */
  int32_t mult;               /* requant of the product (scale a_scale * b_scale) into out's */
  int32_t bias;               /* added to the product before REQ, |bias| <= 2^24 (0: none) */
  int frac;                   /* 0..7: the product's fraction bits (shift includes them) */
  int shift;                  /* 0..63 */
  int lo, hi;                 /* output clamp */
  int a_zp, b_zp, y_zp;       /* zero points */
} cg_mul;

enum cg_layer_kind { CG_LAYER_CONV, CG_LAYER_POOL, CG_LAYER_ADD, CG_LAYER_LUT, CG_LAYER_MUL };

/* ---- networks ----------------------------------------------------------------------------- */
/* A new empty network for a hardware config (batch 1, block_out a multiple of block_in).
 * Returns NULL if out of memory or the config is not supported (cg_net_new_error says why). */
cg_net *cg_net_new(const isa_config *cfg);
const char *cg_net_new_error(void);
void cg_net_free(cg_net *net);
const char *cg_net_error(const cg_net *net); /* message of the last failed call */
const isa_config *cg_net_config(const cg_net *net);

/* Add an activation tensor of c channels, h x w pixels; returns its id (>= 0) or a CG_E_ code.
 * Its place in the arena is fixed at once (cg_tensor_offset). */
int cg_net_tensor(cg_net *net, int c, int h, int w);
/* An input tensor for a conv in the host-side packed im2col layout (for first layers with few
 * channels, e.g. RGB: 3 channels would fill 3 of BLOCK lanes; packed, the reduction over
 * (channel, ky, kx) fills the lanes). Logical shape c x h x w; geom gives kh, kw, sh, sw, dh,
 * dw and the pads of the conv that reads it (only that conv may read it). Stored as the
 * blocked tensor of C' = c*kh*kw channels and oh x ow pixels:
 *     channel q = (ci*kh + ky)*kw + kx of pixel (oy, ox) =
 *         in[ci][oy*sh - pad_t + ky*dh][ox*sw - pad_l + kx*dw]   (geom->x_zp outside the image)
 * cg_pack writes it from the plain CHW input; the conv then runs as a 1x1 conv over C'. */
int cg_net_tensor_im2col(cg_net *net, int c, int h, int w, const cg_conv *geom);
/* 1 if the back end runs a conv of these channels and groups (see cg_conv.groups). */
int cg_groups_ok(const isa_config *cfg, int cin, int cout, int groups);
/* 1 if packing a conv's input as im2col needs fewer reduction blocks per output than the
 * blocked layout (ceil(c*kh*kw / BLOCK) < ceil(c / BLOCK) * kh * kw), e.g. RGB first layers. */
int cg_im2col_pays(const isa_config *cfg, int c, int kh, int kw);
/* A view: a tensor of c channels whose ceil(c / BLOCK) channel blocks are block blk[q] of tensor
 * src[q] (arena tensors or views, of equal extents), q < n. It takes no space: layers read and
 * write those blocks where they are (a Concat of tensors whose channels, but the last's, are
 * whole blocks is a view of their blocks; a channel slice on block boundaries is one too).
 * Channels c..n*BLOCK-1 of the last block are padding as in any tensor. A view cannot be an
 * im2col input or packed / unpacked (the runtime sees arena tensors only). Returns its id
 * (>= CG_VIEW0 of cg_int.h, never a model tensor index) or a CG_E_ code. */
int cg_net_tensor_view(cg_net *net, int c, int n, const int *src, const int *blk);
/* The arena tensor holding block 0 of t (t itself unless t is a view); 1 if t is a view. */
int cg_tensor_base(const cg_net *net, int t);
int cg_tensor_is_view(const cg_net *net, int t);
/* Where channel ch of tensor t lives: channel *src_ch of arena tensor *src (t, ch itself unless
 * t is a view). 0, or CG_E_ARG for a bad tensor or channel. (dlvta compare assembles a view's
 * values from its arena tensors'.) */
int cg_tensor_channel_src(const cg_net *net, int t, int ch, int *src, int *src_ch);
/* Byte offset of a tensor in the image, and its size in bytes (CB*H*W*BLOCK). */
uint64_t cg_tensor_offset(const cg_net *net, int t);
uint64_t cg_tensor_bytes(const cg_net *net, int t);
/* Logical shape of a tensor; returns CG_E_ARG for a bad id. */
int cg_tensor_shape(const cg_net *net, int t, int *c, int *h, int *w);

/* Add layers (checked: shapes, ranges). Data arrays are copied. Return the layer index or a
 * CG_E_ code with a message. Output shape of conv/pool: floor((H + pads - dil*(k-1) - 1)/s) + 1. */
int cg_net_add_conv(cg_net *net, const cg_conv *p);
int cg_net_add_pool(cg_net *net, const cg_pool *p);
int cg_net_add_add(cg_net *net, const cg_add *p);
int cg_net_add_lut(cg_net *net, const cg_lut *p);
int cg_net_add_mul(cg_net *net, const cg_mul *p);
int cg_net_layers(const cg_net *net);
/* A layer's kind (enum cg_layer_kind) and parameters as added (arrays point into the net's own
 * copies; GEMM residual weights expanded to res_w); only the member of its kind is set. Tensor
 * ids may be views (>= CG_VIEW0). CG_E_ARG for a bad index. For the int8 references below
 * (dlvta compare). */
typedef struct cg_layer_params {
  int kind;
  cg_conv conv;
  cg_pool pool;
  cg_add add;
  cg_lut lut;
  cg_mul mul;
} cg_layer_params;
int cg_net_layer(const cg_net *net, int layer, cg_layer_params *out);

typedef struct cg_opts {
  int no_latency_hiding;      /* 1: one buffer slot per memory, every step waits for the last */
  int only_layer;             /* -1: all layers; else build just this layer */
  int exhaustive;             /* 1: time 24 tilings per conv instead of the model's best 6 */
  int plan_only;              /* 1: choose the tilings and predict (cg_net_layer_info) but make
                               * no image and no program (prog is left empty) */
  FILE *dump;                 /* non-NULL: write each layer's tiling, prediction and its
                               * instructions disassembled (the back end's IR dump) */
} cg_opts;
void cg_opts_default(cg_opts *o);

/* Build the program (instructions and the image with the arena zeroed and every constant in
 * place). prog->cfg is the net's config. Frees nothing of the net; call isa_prog_free(prog). */
int cg_net_build(cg_net *net, const cg_opts *opts, isa_prog *prog);

/* What the last cg_net_build chose and predicted for a layer. */
typedef struct cg_layer_info {
  int kind;                   /* enum cg_layer_kind */
  char desc[160];             /* shape, e.g. "conv 64x56x56 -> 64x56x56 k3x3 s1" */
  char tiling[160];           /* the chosen tile shape and loop order */
  uint64_t macs;              /* useful MACs (unpadded channels) */
  uint64_t ideal_cycles;      /* macs / (BLOCK_IN * BLOCK_OUT), rounded up; 0 for non-GEMM */
  uint64_t predicted_cycles;  /* cost model: the layer's share of the program's cycles */
  uint32_t first_insn, n_insns; /* instruction range in the last built program */
  int candidates;             /* tilings evaluated */
} cg_layer_info;
int cg_net_layer_info(const cg_net *net, int layer, cg_layer_info *out);

/* ---- runtime helpers ------------------------------------------------------------------------ */
/* Pack a tensor given as int8 [C][H][W] (plain CHW, logical shape) into the image at the
 * tensor's offset (padding lanes 0; im2col tensors are packed as documented above), and unpack
 * it back (not for im2col tensors). image must be the built program's image. */
int cg_pack(const cg_net *net, int t, const int8_t *chw, uint8_t *image);
int cg_unpack(const cg_net *net, int t, const uint8_t *image, int8_t *chw);

/* ---- plain-C int8 references (cg_ref.c), on plain CHW tensors ---------------------------- */
/* Each computes the layer from the definition above, independently of the code generator.
 * Shapes: in [cin][h][w], out [cout][oh][ow] with oh, ow from cg_out_dim (= cc_out_dim, model/package.h). */
int cg_out_dim(int in, int k, int s, int d, int pad0, int pad1);
void cg_ref_conv(const cg_conv *p, int cin, int h, int w, int cout, const int8_t *in,
                 const int8_t *res, int8_t *out);
/* The same with a residual tensor of its own shape cres x rh x rw (a GEMM residual with res_w
 * and res_s); cg_ref_conv is this with the output's shape. */
void cg_ref_conv_res(const cg_conv *p, int cin, int h, int w, int cout, const int8_t *in,
                     const int8_t *res, int cres, int rh, int rw, int8_t *out);
/* (depth to space: out [p->oc][p->oh][p->ow]) */
void cg_ref_pool(const cg_pool *p, int c, int h, int w, const int8_t *in, int8_t *out);
void cg_ref_add(const cg_add *p, int n, const int8_t *a, const int8_t *b, int8_t *out);
void cg_ref_lut(const cg_lut *p, int n, const int8_t *in, int8_t *out);
/* The fraction bits f an add layer keeps before its one rounding (see "add" above). */
int cg_add_frac(const cg_add *p);
/* a [c][h][w]; b [c] (per_channel) or [c][h][w] */
void cg_ref_mul(const cg_mul *p, int c, int h, int w, int per_channel, const int8_t *a, const int8_t *b, int8_t *out);

#endif
