/* compiler/compile.h -- the whole compiler behind `dlvta compile` (compile.c): ONNX import, then
 * the pipeline of cc.h, whose front-end passes are followed by these back-end passes:
 *
 *   qdq-import  quantized ONNX (QuantizeLinear/DequantizeLinear pairs, QLinearConv,
 *               QLinearMatMul) -> float ops whose tensors carry the model's own scales and zero
 *               points (uint8 zero point z becomes int8 z - 128); weights become float constants
 *               with their scales kept (also PyTorch's fake-quantized float weights through
 *               QuantizeLinear -> DequantizeLinear, folded as ONNX rounds them); per-channel
 *               affine maps after a Conv/Gemm with such weights (a QAT module's Div by its BN
 *               scale, bias Add, BatchNormalization) fold into the weights' per-channel scales and
 *               the bias, the integer weights unchanged (-128 included); a conv output with
 *               the model's own quantization stays a stored tensor (no residual fusion, nor a
 *               Relu/Clip of another quantization, past it), as onnxruntime rounds it; then the
 *               front end's rewrites that need constant weights run again (channels-last's
 *               MatMul -> 1x1 conv, lift-1d, lift-3d), the model's scales carried through
 *               what only moves values (quant.c)
 *   partition   each node's target as attribute dlvta.target: "accel" (a cg layer), "alias"
 *               (a Reshape that moves no data in the blocked layout), "fused" (a Relu/Clip
 *               folded into the accelerator layer before it, a unary activation folded into the
 *               conv before it as its last ALU pass, or the first two nodes of a channel shuffle
 *               whose last Reshape is "shuffle"), "fold" (a Reshape flattening a
 *               C x H x W map for Gemm/MatMul consumers only: each reads the map as a conv with
 *               an H x W kernel, the flatten order being its weights' order) or "cpu" (reference
 *               executor, with the reason in dlvta.why); a node neither can run is an error naming
 *               it (partition.c). Unary activations (Sigmoid, Tanh, HardSwish, GELU, SiLU, ... by
 *               name: cc_is_lut_op) run as 256-entry tables of int8 codes (ALU LUT), built from the
 *               node's own float reference on the dequantized codes; a Mul of an activation by a
 *               per-channel vector (squeeze-and-excite) or by an activation of its shape runs as
 *               ALU MUL + REQ; an Add, Max or Min of two activations of one shape as an add
 *               layer (each requantized to the output's scale, then ALU ADD, MAX or MIN) (the mul's
 *               output zero point folded into the mul's bias, lower.c; a's
 *               in the bias of the identity GEMM that brings a per-channel mul's a in, cg_mul.c)
 *   calibrate   per-tensor activation ranges from the float reference over the calibration
 *               samples (one set per model input) -> int8 quantization of every float activation
 *               tensor that has none yet; nothing runs when every one has the model's own
 *               (quant.c); one
 *               pass over the samples gathers the ranges and |x| histograms together (4096 bins
 *               over a power-of-two multiple of the first sample's range, merged pairwise when
 *               the range doubles); the reference's GEMM runs with AVX2/AVX-512 when the CPU has
 *               them, split over the CPUs (at most 4 threads)
 *   lower       accelerator layers (weights per output channel, int32 bias, requant
 *               multipliers, clamp bounds), one program per layer, the image, the runtime
 *               graph of the CPU nodes and the execution plan -> cc_model (lower.c: one node's layer or CPU
 *               node; plan.c: the plan, the image and the pass itself). The output
 *               zero point of a conv goes into its bias (round(y_zp / requant scale): one REQ
 *               pass with the clamp, no ADD/CLIP); a residual goes through the GEMM core (cg.h:
 *               res_d with f fraction bits; the output scale is nudged by <= 0.4 % so that the
 *               residual's scale ratio is exact, unless a max pooling or alias shares it); a 1x1
 *               projection feeding only a residual (ResNet's downsample) is fused into its
 *               consumer as a dense GEMM residual when the back end's cost model predicts the
 *               fused layer faster than the two apart; a Concat along channels is a view of
 *               its inputs' channel blocks (cg.h, cg_net_tensor_view): no layer, no copy; the
 *               producers' outputs stay where they are and the consumers (conv, pool, add, fc)
 *               read the blocks in place; inputs that are not whole blocks (ShuffleNet's 58
 *               channels) leave gaps, recorded as a lane map (logical channel -> lane, lower.h)
 *               that convs and fcs fold into their weights (zero on the gaps) and pools keep; a
 *               channel shuffle (Reshape - Transpose - Reshape, target "shuffle") permutes the
 *               map and moves nothing; anything else reads a gathering 1x1 copy; the inputs
 *               of such Concats (and what shares their quantization through max poolings and
 *               aliases) take the union of their calibrated ranges; a view the runtime must read
 *               (a CPU consumer, a graph output) is first copied by a depthwise 1x1 conv;
 *               grouped convs run on the GEMM core (cg.h, cg_conv.groups); a ceil-mode max
 *               pooling gets end pads (cc_ceil_pads)
 *
 * Quantization: activations are per-tensor int8 over a range from calibration: the observed
 * [min, max], clipped to the bounds that minimize the expected squared quantization error of
 * the observed value histogram (rounding noise inside, clipping error outside), within the flat ends of the tensor's only reader when that
 * is an elementwise function (a hardswish's input below -3, a hardsigmoid's outside [-3, 3]:
 * what the table layer reading the codes gives the same value for); graph outputs (e.g. logits,
 * whose order matters) keep the whole range plus 25 % headroom. A tensor whose range is >= 0
 * (e.g. after ReLU) is asymmetric (zero point -128, scale max/255, all 256 codes used); one whose
 * negative and positive sides differ (the smaller below CC_SYM_RATIO of the larger: a
 * hardswish's output) is affine (scale (max - min)/255, zero point the code of 0, all codes in
 * use), any other symmetric (zero point 0, scale max|x|/127). Weights are symmetric per output channel
 * (scale max|w|/127, codes -127..127; a quantized model's own scales and codes are kept), bias
 * int32 at scale in_scale * w_scale. The IR dump after calibrate shows
 * every tensor's choice; after partition every node's target.
 */
#ifndef DLVTA_COMPILE_H
#define DLVTA_COMPILE_H

#include <stddef.h>
#include <stdio.h>

#include "cc.h"
#include "cg.h"
#include "ir.h"
#include "package.h"

/* Compile the ONNX model at path into a new model (free with cc_model_free) with options o
 * (o->config names the target). IR_OK, or IR_ERR / IR_UNSUPPORTED with
 * "file: node 'name' (Op): message" (or the pass) in err. */
int cc_compile(const char *path, const cc_options *o, cc_model **out, char *err, size_t errlen);

/* cc_compile of the graph g that onnx_import made of the model at path (named in messages):
 * for callers that looked at the model's inputs first, without importing it twice. Takes g
 * (freed here, on success and failure). */
int cc_compile_graph(ir_graph *g, const char *path, const cc_options *o, cc_model **out, char *err, size_t errlen);

/* `dlvta compile` in one call (compile_package.c), for applications and bindings: compiles the
 * ONNX model at onnx_path for config (NULL: "pynq") and writes the package to pkg_path. calib:
 * n_calib samples of sample_numel floats each, checked against the model's single input (an
 * input with a fixed batch B > 1 also takes one-sample samples, n_calib a multiple of B), or
 * NULL / 0 for synthetic samples; calib_source names them in the package's calibration note
 * ("N samples from <calib_source>", as the CLI's --calib path). Notes go to log (NULL: none).
 * IR_OK, or IR_ERR / IR_UNSUPPORTED with the message in err. */
int cc_compile_package(const char *onnx_path, const char *pkg_path, const char *config, const float *calib,
                       int n_calib, int64_t sample_numel, const char *calib_source, int no_latency_hiding,
                       FILE *log, char *err, size_t errlen);

/* cc_compile_package for a model with n_inputs inputs: calib[i] holds n_calib samples of
 * sample_numel[i] floats for input i (the graph's input order), checked against the model. */
int cc_compile_package_multi(const char *onnx_path, const char *pkg_path, const char *config, const float *const *calib,
                             int n_inputs, int n_calib, const int64_t *sample_numel, const char *calib_source,
                             int no_latency_hiding, FILE *log, char *err, size_t errlen);

/* cc_compile_package_multi of the model cut at the tensors named outputs[0..n_outputs) in place
 * of its outputs (dlvta compile --outputs; ir_cut_outputs); outputs NULL / n_outputs 0: none. */
int cc_compile_package_cut(const char *onnx_path, const char *pkg_path, const char *config, const float *const *calib,
                           int n_inputs, int n_calib, const int64_t *sample_numel, const char *calib_source,
                           int no_latency_hiding, const char *const *outputs, int n_outputs, FILE *log, char *err,
                           size_t errlen);

/* How many samples of an input k calibration samples of per floats each make, for an input of
 * numel floats and fixed batch batch (1: none): k when per == numel; k / batch when batch > 1 and
 * per * batch == numel (one-sample samples); CC_CALIB_NOT_MULTIPLE when such a k is not a multiple
 * of batch; CC_CALIB_WRONG_SIZE when per fits neither. One rule for dlvta compile's files and
 * cc_compile_package's arrays. */
#define CC_CALIB_WRONG_SIZE (-1)
#define CC_CALIB_NOT_MULTIPLE (-2)
static inline int64_t cc_calib_samples(int64_t k, int64_t per, int64_t numel, int64_t batch) {
  if (batch > 1 && per * batch == numel) return k % batch ? CC_CALIB_NOT_MULTIPLE : k / batch;
  return per == numel ? k : CC_CALIB_WRONG_SIZE;
}

/* Quantization of a range [lo, hi] as above: scale and int8 zero point. */
#define CC_SYM_RATIO 0.3
void cc_choose_quant(double lo, double hi, float *scale, int32_t *zp);
/* Do node n's outputs keep its input's quantization (the partition's mark in dlvta.target: an
 * accelerated MaxPool, nearest Resize, depth-to-space, interleave, channel slice or zero Pad
 * moves codes, as do a channel shuffle's first Reshape and Transpose; an aliasing node is its
 * input)? Calibration shares the quantization, and nothing after it may
 * change one side alone. */
int cc_keeps_input_quant(const ir_node *n);

#endif
