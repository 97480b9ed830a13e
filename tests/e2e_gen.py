"""tests/e2e_gen.py OUTDIR -- writes the already-quantized test models of tests/test_e2e_gen.c
(with onnx's helper API, Debian's python3-onnx; run with /usr/bin/python3):

  OUTDIR/qdq.onnx      QuantizeLinear/DequantizeLinear pairs around Conv (int8 per-channel
                       weights, int32 bias), Relu, a strided Conv, GlobalAveragePool, Flatten and
                       Gemm; uint8 activations with zero points 128 and 0
  OUTDIR/qlinear.onnx  QLinearConv -> QLinearConv (uint8 weights with a zero point) -> a
                       QLinearMatMul classifier, with QuantizeLinear in front and
                       DequantizeLinear behind
  OUTDIR/mixed.onnx    a float model that interleaves accelerator and CPU work: Conv, x*Sigmoid(x)
                       (CPU), Conv, Concat of two 8-channel branches (CPU on pynq, a view of whole
                       blocks on tiny), MaxPool, an Add of two
                       activations with Relu, Flatten of a 4x4 map (folded into the Gemm), Gemm, Softmax
  OUTDIR/fallback.onnx a 1x1 Conv on a 96x96 map, GlobalAveragePool, Relu: on the tiny config no
                       tiling of the pooling fits, so the back end refuses it and the compiler
                       moves it (and the Relu it had fused) to the CPU; pynq runs all of it
                       (input x2: fallback_input.npy (4, 1, 4, 96, 96), fallback_calib.npy)
  OUTDIR/act.onnx      Conv + Sigmoid (fused), Conv + Relu, squeeze-and-excite (GlobalAveragePool,
                       1x1 Conv + Relu, 1x1 Conv + Sigmoid, Mul per channel), MaxPool, Sigmoid
                       (on its own), a 1x1 Conv + Sigmoid, GlobalAveragePool, Gemm + Sigmoid:
                       every activation a table of int8 codes on the accelerator (ALU LUT)
  OUTDIR/layout.onnx   layout on the accelerator: Concats of branches (grouped convs among them),
                       a channel shuffle, a ceil-mode max pool, a Flatten of a 4x4 map into a Gemm: no CPU step
  OUTDIR/split.onnx    ShuffleNet v2 units with 10-channel halves (Slice, Split): views with lane
                       maps, no CPU step
  OUTDIR/neck.onnx     a detection neck: Resize x2 (nearest) + Concat, a second Resize to sizes:
                       upsampling layers, no CPU step
  OUTDIR/convt.onnx    a UNet-like decoder (issue 11): ConvTransposes k=s=2 with bias and Relu, k=3 s=2
                       p=1 output_padding=1, k=4 s=2 p=1 in 2 groups, k=3 s=2 p=1 without bias
                       (its output cropped: 63x63), a skip Concat: all phase convs and
                       depth-to-space layers, no CPU step (input x2: convt_input.npy
                       (4, 1, 3, 16, 16), convt_calib.npy (16, 3, 16, 16))
  OUTDIR/d2s.onnx      DepthToSpace DCR (whole blocks), a pixel_shuffle (DepthToSpace CRD of a conv's
                       output: the conv's channels reordered) and SpaceToDepth (CPU)
  OUTDIR/gpool.onnx    global max pooling as GlobalMaxPool, ReduceMax and a map-sized MaxPool
                       (input x2: gpool_input.npy (4, 1, 3, 16, 16), gpool_calib.npy)
  OUTDIR/gpool1d.onnx  a 1-D CNN with a MaxPool1d(200) and a 1-D GlobalMaxPool (gpool1d_input.npy
                       (4, 1, 8, 400), gpool1d_calib.npy)
  OUTDIR/yhead.onnx    a YOLO-like head: conv, view, permute, Sigmoid, view ([1, 192, 6])
  OUTDIR/u8in.onnx     a uint8 image input cast to float and normalized (u8in_input.npy, u8in_calib.npy:
                       integers 0..255 as float32)
  OUTDIR/input.npy     (4, 1, 3, 8, 8) float32 inputs, OUTDIR/calib.npy (8, 3, 8, 8)
The scales of the quantized models are their own; dlvta must keep them (the test checks)."""
import os
import sys

import numpy as np
from onnx import TensorProto, helper, numpy_helper, save

rng = np.random.default_rng(7)


def const(name, arr, dtype):
    return helper.make_tensor(name, dtype, arr.shape, arr.flatten().tolist())


def qdq_model():
    inits, nodes = [], []
    def q(x, s, z, out, dt=TensorProto.UINT8):
        inits.extend([const(out + "_s", np.array(s, np.float32), TensorProto.FLOAT),
                      const(out + "_z", np.array(z, np.uint8 if dt == TensorProto.UINT8 else np.int8), dt)])
        nodes.append(helper.make_node("QuantizeLinear", [x, out + "_s", out + "_z"], [out + "_q"], name=out + "_Q"))
        nodes.append(helper.make_node("DequantizeLinear", [out + "_q", out + "_s", out + "_z"], [out], name=out + "_DQ"))
    def weights(name, shape, x_scale, axis=0):
        w = rng.normal(0, 0.3, shape).astype(np.float32)
        n = shape[axis]
        ws = (np.abs(np.moveaxis(w, axis, 0)).reshape(n, -1).max(1) / 127).astype(np.float32)
        bshape = [1] * len(shape)
        bshape[axis] = n
        wq = np.clip(np.round(w / ws.reshape(bshape)), -127, 127).astype(np.int8)
        inits.extend([const(name + "_q", wq, TensorProto.INT8), const(name + "_s", ws, TensorProto.FLOAT),
                      const(name + "_z", np.zeros(n, np.int8), TensorProto.INT8)])
        nodes.append(helper.make_node("DequantizeLinear", [name + "_q", name + "_s", name + "_z"], [name],
                                      name=name + "_DQ", axis=axis))
        b = rng.normal(0, 0.1, n).astype(np.float32)
        bs = (x_scale * ws).astype(np.float32)
        bq = np.round(b / bs).astype(np.int32)
        inits.extend([const(name + "_bq", bq, TensorProto.INT32), const(name + "_bs", bs, TensorProto.FLOAT),
                      const(name + "_bz", np.zeros(n, np.int32), TensorProto.INT32)])
        nodes.append(helper.make_node("DequantizeLinear", [name + "_bq", name + "_bs", name + "_bz"], [name + "_b"],
                                      name=name + "_bDQ", axis=0))
    q("x", 0.02, 128, "x0")
    weights("w1", (8, 3, 3, 3), 0.02)
    nodes.append(helper.make_node("Conv", ["x0", "w1", "w1_b"], ["c1"], name="conv1", pads=[1, 1, 1, 1]))
    nodes.append(helper.make_node("Relu", ["c1"], ["r1"], name="relu1"))
    q("r1", 0.03, 0, "a1")
    weights("w2", (16, 8, 3, 3), 0.03)
    nodes.append(helper.make_node("Conv", ["a1", "w2", "w2_b"], ["c2"], name="conv2", pads=[1, 1, 1, 1], strides=[2, 2]))
    q("c2", 0.05, 128, "a2")
    nodes.append(helper.make_node("GlobalAveragePool", ["a2"], ["p"], name="gap"))
    q("p", 0.02, 128, "a3")
    nodes.append(helper.make_node("Flatten", ["a3"], ["f"], name="flatten"))
    weights("w3", (10, 16), 0.02)
    nodes.append(helper.make_node("Gemm", ["f", "w3", "w3_b"], ["y"], name="fc", transB=1))
    g = helper.make_graph(nodes, "qdq", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 8, 8])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 10])], inits)
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])


def qlinear_model():
    inits, nodes = [], []
    def sc(name, s, z, dt=TensorProto.UINT8):
        inits.extend([const(name + "_s", np.array(s, np.float32), TensorProto.FLOAT),
                      const(name + "_z", np.array(z, np.uint8 if dt == TensorProto.UINT8 else np.int8), dt)])
        return [name + "_s", name + "_z"]
    def wt(name, shape, zp):
        wq = rng.integers(0, 256, shape).astype(np.uint8)
        inits.append(const(name, wq, TensorProto.UINT8))
        return [name] + sc(name, 0.004, zp)
    nodes.append(helper.make_node("QuantizeLinear", ["x"] + sc("xq", 0.02, 128), ["xq"], name="quant_in"))
    b1 = rng.integers(-300, 300, 8).astype(np.int32)
    inits.append(const("b1", b1, TensorProto.INT32))
    nodes.append(helper.make_node("QLinearConv", ["xq", "xq_s", "xq_z"] + wt("w1", (8, 3, 3, 3), 128) +
                                  sc("y1", 0.04, 128) + ["b1"], ["y1"], name="qconv1", pads=[1, 1, 1, 1]))
    nodes.append(helper.make_node("QLinearConv", ["y1", "y1_s", "y1_z"] + wt("w2", (8, 8, 3, 3), 120) +
                                  sc("y2", 0.08, 128), ["y2"], name="qconv2", pads=[1, 1, 1, 1], strides=[2, 2]))
    inits.append(const("shape", np.array([1, 128], np.int64), TensorProto.INT64))
    nodes.append(helper.make_node("Reshape", ["y2", "shape"], ["f"], name="flatten"))
    nodes.append(helper.make_node("QLinearMatMul", ["f", "y2_s", "y2_z"] + wt("w3", (128, 10), 128) +
                                  sc("y3", 0.2, 128), ["y3"], name="qfc"))
    nodes.append(helper.make_node("DequantizeLinear", ["y3", "y3_s", "y3_z"], ["y"], name="dequant_out"))
    g = helper.make_graph(nodes, "qlinear", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 8, 8])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 10])], inits)
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])


class Net:
    """A float model under construction: its nodes, and initializers drawn from rng (normal, sd
    unless given). x is its input, y its output."""

    def __init__(self, r, sd):
        self.r, self.sd, self.inits, self.nodes = r, sd, [], []

    def w(self, name, shape, sd=None):
        self.inits.append(const(name, self.r.normal(0, self.sd if sd is None else sd, shape).astype(np.float32),
                                TensorProto.FLOAT))
        return name

    def i64(self, name, vals):
        self.inits.append(const(name, np.array(vals, np.int64), TensorProto.INT64))
        return name

    def conv(self, x, y, wshape, relu=True, **kw):
        """Conv with a bias (sd 0.1) named y, and a Relu after it unless relu is False."""
        self.nodes.append(helper.make_node("Conv", [x, self.w(y + "_w", wshape), self.w(y + "_b", (wshape[0],), 0.1)],
                                           [y + "_c" if relu else y], name=y, **kw))
        if relu:
            self.nodes.append(helper.make_node("Relu", [y + "_c"], [y], name=y + "_relu"))

    def head(self, x, c):
        """A classifier's end: GlobalAveragePool of x (c channels), Flatten, Gemm to 10 logits y."""
        self.nodes.append(helper.make_node("GlobalAveragePool", [x], ["gap"], name="gap"))
        self.nodes.append(helper.make_node("Flatten", ["gap"], ["f"], name="flatten"))
        self.nodes.append(helper.make_node("Gemm", ["f", self.w("fc_w", (10, c), 0.3), self.w("fc_b", (10,))], ["y"],
                                           name="fc", transB=1))

    def model(self, name, x_shape, y_shape):
        g = helper.make_graph(self.nodes, name, [helper.make_tensor_value_info("x", TensorProto.FLOAT, x_shape)],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, y_shape)], self.inits)
        return helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])


def mixed_model():
    n = Net(rng, 0.4)
    n.nodes.append(helper.make_node("Conv", ["x", n.w("w1", (8, 3, 3, 3)), n.w("b1", (8,))], ["c1"], name="conv1", pads=[1, 1, 1, 1]))
    n.nodes.append(helper.make_node("Sigmoid", ["c1"], ["s1"], name="sigmoid1"))
    n.nodes.append(helper.make_node("Mul", ["c1", "s1"], ["m1"], name="silu1"))
    n.nodes.append(helper.make_node("Conv", ["m1", n.w("w2", (8, 8, 3, 3))], ["c2"], name="conv2", pads=[1, 1, 1, 1]))
    n.nodes.append(helper.make_node("Relu", ["c2"], ["r2"], name="relu2"))
    n.nodes.append(helper.make_node("Conv", ["m1", n.w("w3", (8, 8, 1, 1))], ["c3"], name="conv3"))
    n.nodes.append(helper.make_node("Concat", ["r2", "c3"], ["cat"], name="concat", axis=1))
    n.nodes.append(helper.make_node("MaxPool", ["cat"], ["mp"], name="pool", kernel_shape=[2, 2], strides=[2, 2]))
    n.nodes.append(helper.make_node("Conv", ["mp", n.w("w4", (16, 16, 3, 3))], ["c4"], name="conv4", pads=[1, 1, 1, 1]))
    n.nodes.append(helper.make_node("Conv", ["mp", n.w("w5", (16, 16, 1, 1))], ["c5"], name="conv5"))
    n.nodes.append(helper.make_node("Add", ["c4", "c5"], ["a"], name="add"))
    n.nodes.append(helper.make_node("Relu", ["a"], ["ra"], name="relu_add"))
    n.nodes.append(helper.make_node("Flatten", ["ra"], ["f"], name="flatten"))
    n.nodes.append(helper.make_node("Gemm", ["f", n.w("w6", (10, 256), 0.01), n.w("b6", (10,))], ["g"], name="fc", transB=1))
    n.nodes.append(helper.make_node("Softmax", ["g"], ["y"], name="softmax", axis=1))
    return n.model("mixed", [1, 3, 8, 8], [1, 10])


def fallback_model():
    # 128 channels: tiny's accumulator holds no global pooling of 32 blocks on the GEMM core
    # (2 + 2 x 32 elements > 64) nor a 96-wide window (uops); the first 4 drawn from rng as before
    w = np.concatenate([rng.normal(0, 0.5, (4, 4, 1, 1)), np.random.default_rng(5).normal(0, 0.5, (124, 4, 1, 1))])
    W = const("w", w.astype(np.float32), TensorProto.FLOAT)
    nodes = [helper.make_node("Conv", ["x", "w"], ["c"], name="conv"),
             helper.make_node("GlobalAveragePool", ["c"], ["p"], name="gap"),
             helper.make_node("Relu", ["p"], ["y"], name="relu")]
    g = helper.make_graph(nodes, "fallback", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4, 96, 96])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 128, 1, 1])], [W])
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])


def act_model():
    """Activations as tables on the accelerator: a Sigmoid fused into the conv before it, one
    after a max pooling on its own, and a last one fused into a 1x1 conv; a squeeze-and-excite
    block (its per-channel Mul on the ALU)."""
    n = Net(rng, 0.4)
    n.nodes.append(helper.make_node("Conv", ["x", n.w("w1", (8, 3, 3, 3)), n.w("b1", (8,))], ["c1"], name="conv1", pads=[1, 1, 1, 1]))
    n.nodes.append(helper.make_node("Sigmoid", ["c1"], ["s1"], name="sigmoid1"))
    n.nodes.append(helper.make_node("Conv", ["s1", n.w("w2", (16, 8, 3, 3))], ["c2"], name="conv2", pads=[1, 1, 1, 1]))
    n.nodes.append(helper.make_node("Relu", ["c2"], ["r2"], name="relu2"))
    # squeeze-and-excite: x * sigmoid(fc(relu(fc(gap(x))))), the scale per channel a runtime vector
    n.nodes.append(helper.make_node("GlobalAveragePool", ["r2"], ["sq"], name="se_gap"))
    n.nodes.append(helper.make_node("Conv", ["sq", n.w("wse1", (4, 16, 1, 1)), n.w("bse1", (4,))], ["e1"], name="se_fc1"))
    n.nodes.append(helper.make_node("Relu", ["e1"], ["e1r"], name="se_relu"))
    n.nodes.append(helper.make_node("Conv", ["e1r", n.w("wse2", (16, 4, 1, 1)), n.w("bse2", (16,))], ["e2"], name="se_fc2"))
    n.nodes.append(helper.make_node("Sigmoid", ["e2"], ["es"], name="se_sigmoid"))
    n.nodes.append(helper.make_node("Mul", ["r2", "es"], ["se"], name="se_scale"))
    n.nodes.append(helper.make_node("MaxPool", ["se"], ["mp"], name="pool", kernel_shape=[2, 2], strides=[2, 2]))
    n.nodes.append(helper.make_node("Sigmoid", ["mp"], ["s2"], name="sigmoid2"))
    n.nodes.append(helper.make_node("Conv", ["s2", n.w("w3", (16, 16, 1, 1)), n.w("b3", (16,))], ["c3"], name="conv3"))
    n.nodes.append(helper.make_node("Sigmoid", ["c3"], ["s3"], name="sigmoid3"))
    n.nodes.append(helper.make_node("GlobalAveragePool", ["s3"], ["gap"], name="gap"))
    n.nodes.append(helper.make_node("Flatten", ["gap"], ["f"], name="flatten"))
    n.nodes.append(helper.make_node("Gemm", ["f", n.w("w4", (10, 16), 0.5), n.w("b4", (10,))], ["g"], name="fc", transB=1))
    n.nodes.append(helper.make_node("Sigmoid", ["g"], ["y"], name="sigmoid4"))
    return n.model("act", [1, 3, 8, 8], [1, 10])


def layout_model():
    """Layout as the accelerator does it, no CPU step: an inception-like Concat of three
    branches (1x1 conv, grouped 3x3 conv with 4 channels per group, max pool + 1x1 conv), a
    channel shuffle (Reshape - Transpose - Reshape), a ceil-mode max pool of it, a grouped conv with 8 channels per group, a second
    Concat and a Flatten of a 4x4 map into a Gemm."""
    n = Net(np.random.default_rng(13), 0.3)
    n.conv("x", "c0", (16, 3, 3, 3), pads=[1, 1, 1, 1])
    n.conv("c0", "ba", (16, 16, 1, 1))
    n.conv("c0", "bb", (16, 4, 3, 3), pads=[1, 1, 1, 1], group=4)
    n.nodes.append(helper.make_node("MaxPool", ["c0"], ["pc"], name="pool_c", kernel_shape=[3, 3], pads=[1, 1, 1, 1]))
    n.conv("pc", "bc", (16, 16, 1, 1), relu=False)
    n.nodes.append(helper.make_node("Concat", ["ba", "bb", "bc"], ["cat1"], name="concat1", axis=1))
    # ShuffleNet's channel shuffle over 3 groups of 16: a lane permutation of the view
    n.inits.append(const("shape5", np.array([1, 3, 16, 8, 8], np.int64), TensorProto.INT64))
    n.inits.append(const("shape4", np.array([1, 48, 8, 8], np.int64), TensorProto.INT64))
    n.nodes.append(helper.make_node("Reshape", ["cat1", "shape5"], ["sh5"], name="shuffle_split"))
    n.nodes.append(helper.make_node("Transpose", ["sh5"], ["sht"], name="shuffle_transpose", perm=[0, 2, 1, 3, 4]))
    n.nodes.append(helper.make_node("Reshape", ["sht", "shape4"], ["shuf"], name="shuffle_merge"))
    n.nodes.append(helper.make_node("MaxPool", ["shuf"], ["mp"], name="pool_ceil", kernel_shape=[3, 3], strides=[2, 2],
                                  ceil_mode=1))
    n.conv("mp", "g2", (48, 8, 3, 3), pads=[1, 1, 1, 1], group=6)
    n.nodes.append(helper.make_node("Concat", ["g2", "mp"], ["cat2"], name="concat2", axis=1))
    n.nodes.append(helper.make_node("Flatten", ["cat2"], ["f"], name="flatten"))
    n.nodes.append(helper.make_node("Gemm", ["f", n.w("fc_w", (10, 96 * 16), 0.05), n.w("fc_b", (10,))], ["y"], name="fc",
                                  transB=1))
    return n.model("layout", [1, 3, 8, 8], [1, 10])


def split_model():
    """ShuffleNet v2's unit with halves that are not whole blocks: a conv to 20 channels, two
    units of (channel split in halves of 10 -- a Slice pair, then a Split --, a 1x1 conv on the
    second half, Concat of the first half with it, channel shuffle), a 3x3 conv reading the
    last shuffle, GlobalAveragePool, Flatten, Gemm: every split a view with a lane map."""
    n = Net(np.random.default_rng(17), 0.3)
    def shuffle(x, y):
        n.nodes.append(helper.make_node("Reshape", [x, n.i64(y + "_s5", [1, 2, 10, 8, 8])], [y + "_5"], name=y + "_split"))
        n.nodes.append(helper.make_node("Transpose", [y + "_5"], [y + "_t"], name=y + "_transpose", perm=[0, 2, 1, 3, 4]))
        n.nodes.append(helper.make_node("Reshape", [y + "_t", n.i64(y + "_s4", [1, 20, 8, 8])], [y], name=y + "_merge"))
    n.conv("x", "c0", (20, 3, 3, 3), pads=[1, 1, 1, 1])
    n.nodes.append(helper.make_node("Slice", ["c0", n.i64("s0", [0]), n.i64("e0", [10]), n.i64("ax", [1])], ["a1"], name="slice_a"))
    n.nodes.append(helper.make_node("Slice", ["c0", n.i64("s1", [10]), n.i64("e1", [20]), "ax"], ["b1"], name="slice_b"))
    n.conv("b1", "u1", (10, 10, 1, 1))
    n.nodes.append(helper.make_node("Concat", ["a1", "u1"], ["cat1"], name="concat1", axis=1))
    shuffle("cat1", "sh1")
    n.nodes.append(helper.make_node("Split", ["sh1", n.i64("halves", [10, 10])], ["a2", "b2"], name="split2", axis=1))
    n.conv("b2", "u2", (10, 10, 1, 1))
    n.nodes.append(helper.make_node("Concat", ["a2", "u2"], ["cat2"], name="concat2", axis=1))
    shuffle("cat2", "sh2")
    n.conv("sh2", "c3", (24, 20, 3, 3), pads=[1, 1, 1, 1])
    n.head("c3", 24)
    return n.model("split", [1, 3, 8, 8], [1, 10])


def neck_model():
    """A detection neck (FPN / YOLO): a stride-2 conv, a 1x1 lateral conv, Resize x2 (nearest,
    scales, torch's asymmetric + floor), Concat with the higher-resolution map, a 3x3 conv, a
    second Resize to sizes 16x16 (nearest, half_pixel + round_prefer_floor: also pixel o reads
    o / 2), a 1x1 conv, GlobalAveragePool, Flatten, Gemm: every Resize an upsampling layer."""
    n = Net(np.random.default_rng(19), 0.3)
    n.conv("x", "p3", (12, 3, 3, 3), pads=[1, 1, 1, 1])
    n.conv("p3", "p4", (24, 12, 3, 3), pads=[1, 1, 1, 1], strides=[2, 2])
    n.conv("p4", "lat", (16, 24, 1, 1))
    n.inits.append(const("sc2", np.array([1, 1, 2, 2], np.float32), TensorProto.FLOAT))
    n.nodes.append(helper.make_node("Resize", ["lat", "", "sc2"], ["up1"], name="up1", mode="nearest",
                                  coordinate_transformation_mode="asymmetric", nearest_mode="floor"))
    n.nodes.append(helper.make_node("Concat", ["up1", "p3"], ["cat"], name="concat", axis=1))
    n.conv("cat", "fuse", (8, 28, 3, 3), pads=[1, 1, 1, 1])
    n.inits.append(const("sz16", np.array([1, 8, 16, 16], np.int64), TensorProto.INT64))
    n.nodes.append(helper.make_node("Resize", ["fuse", "", "", "sz16"], ["up2"], name="up2", mode="nearest"))
    n.conv("up2", "head", (16, 8, 1, 1))
    n.head("head", 16)
    return n.model("neck", [1, 3, 8, 8], [1, 10])


def fpn_model():
    """An FPN top-down path (torchvision's FeaturePyramidNetwork): 1x1 laterals on three levels
    (strides 1, 2, 4), each coarser merged map upsampled x2 (nearest, asymmetric + floor) and
    added to the next lateral (the conv's residual), the merged maps themselves upsampled again:
    a conv whose residual output a Resize reads keeps one quantization across the Resize (the
    residual's scale nudge must leave it). A 3x3 conv on the finest map, pooling, Gemm."""
    n = Net(np.random.default_rng(29), 0.3)
    n.conv("x", "c3", (8, 3, 3, 3), pads=[1, 1, 1, 1])
    n.conv("c3", "c4", (16, 8, 3, 3), pads=[1, 1, 1, 1], strides=[2, 2])
    n.conv("c4", "c5", (24, 16, 3, 3), pads=[1, 1, 1, 1], strides=[2, 2])
    n.conv("c5", "l5", (16, 24, 1, 1), relu=False)
    n.inits.append(const("sc2", np.array([1, 1, 2, 2], np.float32), TensorProto.FLOAT))
    for lo, hi, c in (("l5", "4", 16), ("m4", "3", 8)):
        n.nodes.append(helper.make_node("Resize", [lo, "", "sc2"], ["u" + hi], name="up" + hi, mode="nearest",
                                      coordinate_transformation_mode="asymmetric", nearest_mode="floor"))
        n.conv("c" + hi, "l" + hi, (16, c, 1, 1), relu=False)
        n.nodes.append(helper.make_node("Add", ["l" + hi, "u" + hi], ["m" + hi], name="merge" + hi))
    n.conv("m3", "head", (8, 16, 3, 3), pads=[1, 1, 1, 1])
    n.head("head", 8)
    return n.model("fpn", [1, 3, 8, 8], [1, 10])


def bigpad_model():
    """DeepLab's ASPP at a resolution where its dilated branches keep every tap: a 3x3 conv of
    dilation 20 with pads 20 and one of dilations (28, 17) with pads (28, 17) on a 32 x 32 map.
    A load pads at most 15 a side: the excess goes into zero Pads before the convs (identity
    copies with padding on the accelerator), the convs keep 15."""
    n = Net(np.random.default_rng(31), 0.3)
    n.conv("x", "c1", (16, 3, 3, 3), pads=[1, 1, 1, 1])
    n.conv("c1", "a20", (16, 16, 3, 3), pads=[20, 20, 20, 20], dilations=[20, 20])
    n.conv("a20", "a28", (24, 16, 3, 3), pads=[28, 17, 28, 17], dilations=[28, 17])
    n.head("a28", 24)
    return n.model("bigpad", [1, 3, 32, 32], [1, 10])


def actpool_model():
    """Activations after max pooling, as user CNNs write them: relu(max_pool(conv)) twice (the
    Relu trades places with the pool and joins the conv), then a max pool that two nodes read, a
    Relu of it on its own (a table layer) added to it, GlobalAveragePool, Gemm."""
    n = Net(np.random.default_rng(47), 0.3)
    n.conv("x", "c1", (8, 3, 3, 3), relu=False, pads=[1, 1, 1, 1])
    n.nodes.append(helper.make_node("MaxPool", ["c1"], ["p1"], name="p1", kernel_shape=[2, 2], strides=[2, 2]))
    n.nodes.append(helper.make_node("Relu", ["p1"], ["r1"], name="r1"))
    n.conv("r1", "c2", (16, 8, 3, 3), relu=False, pads=[1, 1, 1, 1])
    n.nodes.append(helper.make_node("MaxPool", ["c2"], ["p2"], name="p2", kernel_shape=[3, 3], pads=[1, 1, 1, 1]))
    n.nodes.append(helper.make_node("Clip", ["p2", "", "six"], ["r2"], name="relu6"))
    n.inits.append(const("six", np.array(6, np.float32), TensorProto.FLOAT))
    n.conv("r2", "c3", (16, 16, 1, 1), relu=False)
    n.nodes.append(helper.make_node("MaxPool", ["c3"], ["p3"], name="p3", kernel_shape=[2, 2], strides=[2, 2]))
    n.nodes.append(helper.make_node("Relu", ["p3"], ["r3"], name="r3"))
    n.nodes.append(helper.make_node("Add", ["r3", "p3"], ["s"], name="add"))
    n.head("s", 16)
    return n.model("actpool", [1, 3, 8, 8], [1, 10])


def bcast_model():
    """DeepLab's ASPP pooling branch at a size beyond 16: a global pooling, a 1x1 conv, and a
    bilinear Resize of the 1 x 1 map back to 32 x 32 (a broadcast: two nearest upsamplings, 2 then
    16), Concat with the map, a 1x1 conv, pooling, Gemm."""
    n = Net(np.random.default_rng(53), 0.3)
    n.conv("x", "c1", (8, 3, 3, 3), pads=[1, 1, 1, 1])
    n.nodes.append(helper.make_node("GlobalAveragePool", ["c1"], ["p"], name="pool"))
    n.conv("p", "b", (8, 8, 1, 1))
    n.inits.append(const("sz32", np.array([1, 8, 32, 32], np.int64), TensorProto.INT64))
    n.nodes.append(helper.make_node("Resize", ["b", "", "", "sz32"], ["u"], name="up", mode="linear",
                                  coordinate_transformation_mode="pytorch_half_pixel"))
    n.nodes.append(helper.make_node("Concat", ["u", "c1"], ["cat"], name="concat", axis=1))
    n.conv("cat", "proj", (16, 16, 1, 1))
    n.head("proj", 16)
    return n.model("bcast", [1, 3, 32, 32], [1, 10])


def seg_model():
    """A segmentation head (LRASPP / FPN style): two convs (the second of stride 2), a bilinear
    Resize x2 (scales, pytorch_half_pixel, as torch's F.interpolate(mode="bilinear") exports),
    Concat with the stride-1 map, a 1x1 conv to 5 classes, and a second bilinear Resize to sizes
    16x16 (asymmetric: weights 1/2, ties to even wherever two codes' sum is odd): a per-pixel
    class map [1, 5, 16, 16]. Both linear Resizes are bilinear layers on the accelerator."""
    n = Net(np.random.default_rng(23), 0.3)
    n.conv("x", "c1", (8, 3, 3, 3), pads=[1, 1, 1, 1])
    n.conv("c1", "c2", (16, 8, 3, 3), pads=[1, 1, 1, 1], strides=[2, 2])
    n.inits.append(const("sc2", np.array([1, 1, 2, 2], np.float32), TensorProto.FLOAT))
    n.nodes.append(helper.make_node("Resize", ["c2", "", "sc2"], ["up1"], name="up1", mode="linear",
                                  coordinate_transformation_mode="pytorch_half_pixel"))
    n.nodes.append(helper.make_node("Concat", ["up1", "c1"], ["cat"], name="concat", axis=1))
    n.conv("cat", "cls", (5, 24, 1, 1), relu=False)
    n.inits.append(const("sz16", np.array([1, 5, 16, 16], np.int64), TensorProto.INT64))
    n.nodes.append(helper.make_node("Resize", ["cls", "", "", "sz16"], ["y"], name="up2", mode="linear",
                                  coordinate_transformation_mode="asymmetric"))
    return n.model("seg", [1, 3, 8, 8], [1, 5, 16, 16])


def seq1d_model():
    """A 1-D CNN over [1, 8, 48] (keyword spotting, sensor series): Conv1d + Relu, MaxPool1d, a
    residual block of a depthwise Conv1d (dilation 2) and a pointwise one, a standalone
    BatchNormalization (per-channel affine), a strided Conv1d, a branch Concat, global average
    pooling over the length, Flatten, Gemm."""
    n = Net(rng, 0.3)
    n.conv("x", "c1", (16, 8, 5), pads=[2, 2])
    n.nodes.append(helper.make_node("MaxPool", ["c1"], ["p1"], name="pool1", kernel_shape=[2], strides=[2]))
    n.conv("p1", "dw", (16, 1, 3), pads=[2, 2], dilations=[2], group=16)
    n.conv("dw", "pw", (16, 16, 1), relu=False)
    n.nodes.append(helper.make_node("Add", ["pw", "p1"], ["r1"], name="res1"))
    c = 16
    n.inits += [const(k, v, TensorProto.FLOAT) for k, v in
                [("bn_s", rng.uniform(0.5, 1.5, c)), ("bn_b", rng.normal(0, 0.2, c)), ("bn_m", rng.normal(0, 0.2, c)),
                 ("bn_v", rng.uniform(0.5, 2, c))]]
    n.nodes.append(helper.make_node("BatchNormalization", ["r1", "bn_s", "bn_b", "bn_m", "bn_v"], ["bn"], name="bn1"))
    n.nodes.append(helper.make_node("Relu", ["bn"], ["a1"], name="relu_bn"))
    n.conv("a1", "s2", (24, 16, 3), pads=[1, 1], strides=[2])
    n.conv("a1", "s2b", (8, 16, 1), strides=[2])
    n.nodes.append(helper.make_node("Concat", ["s2", "s2b"], ["cat"], name="cat", axis=1))
    n.nodes.append(helper.make_node("GlobalAveragePool", ["cat"], ["gap"], name="gap"))
    n.nodes.append(helper.make_node("Flatten", ["gap"], ["flat"], name="flatten"))
    n.nodes.append(helper.make_node("Gemm", ["flat", n.w("fc_w", (10, 32)), n.w("fc_b", (10,), 0.1)], ["y"], name="fc",
                                    transB=1))
    return n.model("seq1d", [1, 8, 48], [1, 10])


def heads_model():
    """Heads that end a user's classifier or style network: InstanceNormalization, Selu, a Softsign,
    global pooling, Gemm, LpNormalization and LogSoftmax (the CPU ops), over [1, 3, 8, 8]."""
    n = Net(rng, 0.4)
    n.conv("x", "c1", (8, 3, 3, 3), relu=False, pads=[1, 1, 1, 1])
    n.nodes.append(helper.make_node("InstanceNormalization", ["c1", n.w("in_s", (8,), 0.3), n.w("in_b", (8,), 0.2)],
                                    ["in1"], name="inorm", epsilon=1e-4))
    n.nodes.append(helper.make_node("Relu", ["in1"], ["r1"], name="relu_in"))
    n.conv("r1", "c2", (16, 8, 3, 3), relu=False, pads=[1, 1, 1, 1])
    n.nodes.append(helper.make_node("Selu", ["c2"], ["s2"], name="selu"))
    n.nodes.append(helper.make_node("Softsign", ["s2"], ["ss"], name="softsign"))
    n.nodes.append(helper.make_node("GlobalAveragePool", ["ss"], ["gap"], name="gap"))
    n.nodes.append(helper.make_node("Flatten", ["gap"], ["flat"], name="flatten"))
    n.nodes.append(helper.make_node("Gemm", ["flat", n.w("fc_w", (10, 16)), n.w("fc_b", (10,), 0.1)], ["fc"], name="fc",
                                    transB=1))
    n.nodes.append(helper.make_node("LpNormalization", ["fc"], ["l2"], name="l2norm", axis=1, p=2))
    n.nodes.append(helper.make_node("LogSoftmax", ["l2"], ["y"], name="logsoftmax", axis=1))
    return n.model("heads", [1, 3, 8, 8], [1, 10])


def argmap_model():
    """A per-pixel class map: two convs, then ArgMax over the channels (int64 [1, 8, 8] out)."""
    n = Net(rng, 0.4)
    n.conv("x", "c1", (8, 3, 3, 3), pads=[1, 1, 1, 1])
    n.conv("c1", "c2", (5, 8, 3, 3), relu=False, pads=[1, 1, 1, 1])
    n.nodes.append(helper.make_node("ArgMax", ["c2"], ["y"], name="argmax", axis=1, keepdims=0))
    g = helper.make_graph(n.nodes, "argmap", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 8, 8])],
                          [helper.make_tensor_value_info("y", TensorProto.INT64, [1, 8, 8])], n.inits)
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])


def convt_model():
    """A UNet-like decoder: two stride-2 convs down, ConvTransposes up (k=s=2 + bias + Relu; k=3
    s=2 p=1 output_padding=1 + Relu after a skip Concat; k=4 s=2 p=1 in 2 groups + Relu; k=3 s=2
    p=1 without bias or Relu, whose output 2*32-1 = 63 crops the last phase row and column). Its
    own 16x16 inputs and 16 calibration samples: six int8 layers deep, ranges from 8 samples of
    8x8 pixels clip one input's largest values (cosine 0.9987 on one of the four)."""
    n = Net(np.random.default_rng(29), 0.3)

    def ct(x, y, wshape, relu=True, bias=True, sd=None, **kw):
        ins = [x, n.w(y + "_w", wshape, sd)] + ([n.w(y + "_b", (wshape[1] * kw.get("group", 1),), 0.1)] if bias else [])
        n.nodes.append(helper.make_node("ConvTranspose", ins, [y + "_c" if relu else y], name=y, **kw))
        if relu:
            n.nodes.append(helper.make_node("Relu", [y + "_c"], [y], name=y + "_relu"))
    n.conv("x", "e1", (16, 3, 3, 3), pads=[1, 1, 1, 1], strides=[2, 2])
    n.conv("e1", "e2", (32, 16, 3, 3), pads=[1, 1, 1, 1], strides=[2, 2])
    # sd 0.1: u1 about e1's range, as the Concat gives both one scale (at 0.3 u1's range would
    # quantize e1 four times coarser, cosine 0.9992 after the Concat whether u1 runs on the CPU
    # or the accelerator)
    ct("e2", "u1", (32, 16, 2, 2), strides=[2, 2], sd=0.1)
    n.nodes.append(helper.make_node("Concat", ["u1", "e1"], ["cat"], name="skip", axis=1))
    ct("cat", "u2", (32, 8, 3, 3), strides=[2, 2], pads=[1, 1, 1, 1], output_padding=[1, 1])
    ct("u2", "u3", (8, 4, 4, 4), strides=[2, 2], pads=[1, 1, 1, 1], group=2)
    ct("u3", "y", (8, 5, 3, 3), relu=False, bias=False, strides=[2, 2], pads=[1, 1, 1, 1])
    return n.model("convt", [1, 3, 16, 16], [1, 5, 63, 63])


def d2s_model():
    """DepthToSpace DCR of 64 channels (phase groups of 16: whole blocks on tiny and pynq), a
    pixel_shuffle as torch exports it (DepthToSpace CRD of a conv + Relu's 12 channels) and a
    SpaceToDepth (CPU) before a 1x1 conv."""
    n = Net(np.random.default_rng(31), 0.3)
    n.conv("x", "c1", (64, 3, 3, 3), pads=[1, 1, 1, 1])
    n.nodes.append(helper.make_node("DepthToSpace", ["c1"], ["s1"], name="d2s_dcr", blocksize=2, mode="DCR"))
    n.conv("s1", "c2", (16, 16, 3, 3), pads=[1, 1, 1, 1], strides=[2, 2])
    n.conv("c2", "c3", (12, 16, 3, 3), pads=[1, 1, 1, 1])
    n.nodes.append(helper.make_node("DepthToSpace", ["c3"], ["s2"], name="pixel_shuffle", blocksize=2, mode="CRD"))
    n.nodes.append(helper.make_node("SpaceToDepth", ["s2"], ["s3"], name="s2d", blocksize=4))
    n.conv("s3", "y", (10, 48, 1, 1), relu=False)
    return n.model("d2s", [1, 3, 8, 8], [1, 10, 4, 4])


def prelu_model():
    """A face-recognition CNN in MobileFaceNet's manner over [1, 3, 8, 8]: Conv + BN + PReLU with a
    slope per channel ([C, 1, 1], as torch's nn.PReLU(C) exports it), a depthwise stride-2 conv +
    BN + PReLU with a [1, C, 1, 1] slope, a bottleneck (1x1 expansion + PReLU, depthwise 3x3 +
    PReLU, linear 1x1 projection, residual Add), a global depthwise conv (GDC) + BN, Flatten,
    Gemm."""
    n = Net(np.random.default_rng(41), 0.3)

    def bn(x, y, c):
        n.inits += [const(y + k, v.astype(np.float32), TensorProto.FLOAT) for k, v in
                    [("_s", n.r.uniform(0.5, 1.5, c)), ("_b", n.r.normal(0, 0.2, c)), ("_m", n.r.normal(0, 0.2, c)),
                     ("_v", n.r.uniform(0.5, 2, c))]]
        n.nodes.append(helper.make_node("BatchNormalization", [x] + [y + k for k in ("_s", "_b", "_m", "_v")], [y], name=y))

    def prelu(x, y, shape):
        n.inits.append(const(y + "_slope", n.r.uniform(-0.2, 0.6, shape).astype(np.float32), TensorProto.FLOAT))
        n.nodes.append(helper.make_node("PRelu", [x, y + "_slope"], [y], name=y))
    n.conv("x", "c1", (16, 3, 3, 3), relu=False, pads=[1, 1, 1, 1])
    bn("c1", "bn1", 16)
    prelu("bn1", "p1", (16, 1, 1))
    n.conv("p1", "dw1", (16, 1, 3, 3), relu=False, pads=[1, 1, 1, 1], strides=[2, 2], group=16)
    bn("dw1", "bn2", 16)
    prelu("bn2", "p2", (1, 16, 1, 1))
    n.conv("p2", "ex", (32, 16, 1, 1), relu=False)
    prelu("ex", "p3", (32, 1, 1))
    n.conv("p3", "dw2", (32, 1, 3, 3), relu=False, pads=[1, 1, 1, 1], group=32)
    prelu("dw2", "p4", (32, 1, 1))
    n.conv("p4", "proj", (16, 32, 1, 1), relu=False)
    n.nodes.append(helper.make_node("Add", ["proj", "p2"], ["res"], name="res"))
    n.conv("res", "gdc", (16, 1, 4, 4), relu=False, group=16)
    bn("gdc", "bn3", 16)
    n.nodes.append(helper.make_node("Flatten", ["bn3"], ["flat"], name="flatten"))
    n.nodes.append(helper.make_node("Gemm", ["flat", n.w("fc_w", (10, 16)), n.w("fc_b", (10,), 0.1)], ["y"], name="fc",
                                    transB=1))
    return n.model("prelu", [1, 3, 8, 8], [1, 10])


def tokens_model():
    """A transformer block on 2-D tokens [16, 16] (torch's MultiheadAttention and Linear layers
    on [T*N, E]): a 2x2 stride-2 patch conv, the map as tokens (Reshape, Transpose), a qkv Gemm
    (transB, bias), Split, attention (MatMul, scale, Softmax, MatMul), the out_proj Gemm,
    residual Add, an MLP of a Gemm (B [K, M], bias) + Relu and a Gemm (transB, alpha 0.5, beta 2,
    scalar C), residual Add, the mean over the tokens and a Gemm classifier."""
    n = Net(np.random.default_rng(43), 0.3)
    e = 16
    n.conv("x", "patch", (e, 3, 2, 2), relu=False, strides=[2, 2])
    n.nodes.append(helper.make_node("Reshape", ["patch", n.i64("tok_shape", [e, 16])], ["map"], name="to_tokens"))
    n.nodes.append(helper.make_node("Transpose", ["map"], ["t"], name="tokens", perm=[1, 0]))
    n.nodes.append(helper.make_node("Gemm", ["t", n.w("qkv_w", (3 * e, e)), n.w("qkv_b", (3 * e,), 0.1)], ["qkv"],
                                    name="in_proj", transB=1))
    n.nodes.append(helper.make_node("Split", ["qkv", n.i64("qkv_split", [e, e, e])], ["q", "k", "v"], name="split", axis=1))
    n.nodes.append(helper.make_node("Transpose", ["k"], ["kt"], name="k_t", perm=[1, 0]))
    n.nodes.append(helper.make_node("MatMul", ["q", "kt"], ["s"], name="scores"))
    n.inits.append(const("scale", np.array(0.25, np.float32), TensorProto.FLOAT))
    n.nodes.append(helper.make_node("Mul", ["s", "scale"], ["s2"], name="scale"))
    n.nodes.append(helper.make_node("Softmax", ["s2"], ["p"], name="softmax", axis=-1))
    n.nodes.append(helper.make_node("MatMul", ["p", "v"], ["a"], name="attend"))
    n.nodes.append(helper.make_node("Gemm", ["a", n.w("out_w", (e, e)), n.w("out_b", (e,), 0.1)], ["o"], name="out_proj",
                                    transB=1))
    n.nodes.append(helper.make_node("Add", ["t", "o"], ["h"], name="res1"))
    n.nodes.append(helper.make_node("Gemm", ["h", n.w("fc1_w", (e, 2 * e)), n.w("fc1_b", (2 * e,), 0.1)], ["f1"], name="fc1"))
    n.nodes.append(helper.make_node("Relu", ["f1"], ["f1r"], name="fc1_relu"))
    n.nodes.append(helper.make_node("Gemm", ["f1r", n.w("fc2_w", (e, 2 * e)), n.w("fc2_c", (), 0.1)], ["f2"], name="fc2",
                                    transB=1, alpha=0.5, beta=2.0))
    n.nodes.append(helper.make_node("Add", ["h", "f2"], ["h2"], name="res2"))
    n.nodes.append(helper.make_node("ReduceMean", ["h2"], ["m"], name="mean", axes=[0], keepdims=1))
    n.nodes.append(helper.make_node("Gemm", ["m", n.w("head_w", (10, e)), n.w("head_b", (10,), 0.1)], ["y"], name="head",
                                    transB=1))
    return n.model("tokens", [1, 3, 8, 8], [1, 10])


def prelu1d_model():
    """A 1-D CNN over [1, 8, 48] with PReLUs (lift-1d, then prelu-to-conv): Conv1d + BN + PReLU
    (slope [C, 1], as torch's nn.PReLU(C) exports it for [N, C, L]), a depthwise Conv1d + PReLU,
    the mean over the length, Flatten, Gemm."""
    n = Net(np.random.default_rng(47), 0.3)
    c = 16
    n.conv("x", "c1", (c, 8, 5), relu=False, pads=[2, 2])
    n.inits += [const(k, v.astype(np.float32), TensorProto.FLOAT) for k, v in
                [("bn_s", n.r.uniform(0.5, 1.5, c)), ("bn_b", n.r.normal(0, 0.2, c)), ("bn_m", n.r.normal(0, 0.2, c)),
                 ("bn_v", n.r.uniform(0.5, 2, c)), ("a1", n.r.uniform(-0.2, 0.6, (c, 1))),
                 ("a2", n.r.uniform(-0.2, 0.6, (c, 1)))]]
    n.nodes.append(helper.make_node("BatchNormalization", ["c1", "bn_s", "bn_b", "bn_m", "bn_v"], ["bn"], name="bn1"))
    n.nodes.append(helper.make_node("PRelu", ["bn", "a1"], ["p1"], name="prelu1"))
    n.conv("p1", "dw", (c, 1, 3), relu=False, pads=[1, 1], group=c)
    n.nodes.append(helper.make_node("PRelu", ["dw", "a2"], ["p2"], name="prelu2"))
    n.nodes.append(helper.make_node("ReduceMean", ["p2"], ["m"], name="mean", axes=[2], keepdims=0))
    n.nodes.append(helper.make_node("Gemm", ["m", n.w("fc_w", (10, c)), n.w("fc_b", (10,), 0.1)], ["y"], name="fc",
                                    transB=1))
    return n.model("prelu1d", [1, 8, 48], [1, 10])


def gpool_model():
    """Global max pooling three ways over [1, 3, 16, 16]: GlobalMaxPool, ReduceMax over H,W
    (keepdims) and a MaxPool whose kernel and stride are the map (torch's adaptive_max_pool2d(x, 1)),
    each a MaxPool of the whole map on the accelerator; Concat, Flatten, Gemm."""
    n = Net(np.random.default_rng(59), 0.3)
    n.conv("x", "c1", (16, 3, 3, 3), pads=[1, 1, 1, 1])
    n.nodes.append(helper.make_node("GlobalMaxPool", ["c1"], ["g1"], name="gmp"))
    n.conv("c1", "c2", (16, 16, 3, 3), relu=False, pads=[1, 1, 1, 1], strides=[2, 2])
    n.nodes.append(helper.make_node("ReduceMax", ["c2"], ["g2"], name="rmax", axes=[2, 3], keepdims=1))
    n.conv("c1", "c3", (16, 16, 1, 1), relu=False, strides=[2, 2])
    n.nodes.append(helper.make_node("MaxPool", ["c3"], ["g3"], name="amax", kernel_shape=[8, 8], strides=[8, 8]))
    n.nodes.append(helper.make_node("Concat", ["g1", "g2", "g3"], ["cat"], name="cat", axis=1))
    n.nodes.append(helper.make_node("Flatten", ["cat"], ["f"], name="flatten"))
    n.nodes.append(helper.make_node("Gemm", ["f", n.w("fc_w", (10, 48), 0.3), n.w("fc_b", (10,))], ["y"], name="fc",
                                    transB=1))
    return n.model("gpool", [1, 3, 16, 16], [1, 10])


def gpool1d_model():
    """A 1-D CNN over [1, 8, 400] with windows wider than 64: MaxPool1d(200) (kernel = stride = 200:
    the separable pass's column order overflowed and the compiler crashed), a 1x1 Conv1d, a 1-D
    GlobalMaxPool, Flatten, Gemm."""
    n = Net(np.random.default_rng(61), 0.3)
    n.conv("x", "c1", (16, 8, 3), pads=[1, 1])
    n.nodes.append(helper.make_node("MaxPool", ["c1"], ["p1"], name="pool200", kernel_shape=[200], strides=[200]))
    n.conv("p1", "c2", (16, 16, 1), relu=False)
    n.nodes.append(helper.make_node("GlobalMaxPool", ["c2"], ["g"], name="gmp"))
    n.nodes.append(helper.make_node("Flatten", ["g"], ["f"], name="flatten"))
    n.nodes.append(helper.make_node("Gemm", ["f", n.w("fc_w", (10, 16), 0.3), n.w("fc_b", (10,))], ["y"], name="fc",
                                    transB=1))
    return n.model("gpool1d", [1, 8, 400], [1, 10])


def yhead_model():
    """A YOLO-like detection head over [1, 3, 8, 8]: conv, a 1x1 conv to 3 anchors x 6 values, view
    [1, 3, 6, 8, 8], permute to [1, 3, 8, 8, 6], Sigmoid, view [1, 192, 6]: the Sigmoid moves
    before the layout change and fuses into the conv; the Reshapes and the Transpose stay on the
    CPU."""
    n = Net(np.random.default_rng(67), 0.3)
    n.conv("x", "c1", (16, 3, 3, 3), pads=[1, 1, 1, 1])
    n.conv("c1", "det", (18, 16, 1, 1), relu=False)
    n.nodes.append(helper.make_node("Reshape", ["det", n.i64("s5", [1, 3, 6, 8, 8])], ["v"], name="view"))
    n.nodes.append(helper.make_node("Transpose", ["v"], ["t"], name="permute", perm=[0, 1, 3, 4, 2]))
    n.nodes.append(helper.make_node("Sigmoid", ["t"], ["s"], name="sigmoid"))
    n.nodes.append(helper.make_node("Reshape", ["s", n.i64("s3", [1, -1, 6])], ["y"], name="flat"))
    return n.model("yhead", [1, 3, 8, 8], [1, 192, 6])


def u8in_model():
    """A deployment export's uint8 image input [1, 3, 8, 8]: Cast to float, / 255, ImageNet's mean
    and std, conv, strided conv, the classifier head. dlvta takes it as a float32 input
    (float-inputs); the normalization runs on the host before the input's quantization."""
    n = Net(np.random.default_rng(71), 0.3)
    n.nodes.append(helper.make_node("Cast", ["x"], ["xf"], name="cast", to=TensorProto.FLOAT))
    n.inits += [const("k255", np.array(255, np.float32), TensorProto.FLOAT),
                const("mean", np.array([0.485, 0.456, 0.406], np.float32).reshape(1, 3, 1, 1), TensorProto.FLOAT),
                const("std", np.array([0.229, 0.224, 0.225], np.float32).reshape(1, 3, 1, 1), TensorProto.FLOAT)]
    n.nodes.append(helper.make_node("Div", ["xf", "k255"], ["x1"], name="scale"))
    n.nodes.append(helper.make_node("Sub", ["x1", "mean"], ["x2"], name="sub_mean"))
    n.nodes.append(helper.make_node("Div", ["x2", "std"], ["x3"], name="div_std"))
    n.conv("x3", "c1", (8, 3, 3, 3), pads=[1, 1, 1, 1])
    n.conv("c1", "c2", (16, 8, 3, 3), pads=[1, 1, 1, 1], strides=[2, 2])
    n.head("c2", 16)
    g = helper.make_graph(n.nodes, "u8in", [helper.make_tensor_value_info("x", TensorProto.UINT8, [1, 3, 8, 8])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 10])], n.inits)
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])


def padcat_model():
    """A UNet's up path at odd sizes: conv 3 -> 16 over [1, 3, 12, 12], a stride-2 conv to 5 x 5,
    ConvTranspose k=s=2 to 10 x 10, F.pad by 1 a side to the skip's 12 x 12 (a Pad on the
    accelerator: an identity copy with padding), Concat with the skip, a Pad of zero amounts (F.pad
    where the sizes match: removed), conv. The padded map and the skip share the Concat's
    quantization (the Pad's input was kept apart from it: cosine 0.85 here, 0.886 on a UNet)."""
    n = Net(np.random.default_rng(89), 0.3)
    n.conv("x", "e1", (16, 3, 3, 3), pads=[1, 1, 1, 1])
    n.conv("e1", "e2", (24, 16, 3, 3), strides=[2, 2])
    n.nodes.append(helper.make_node("ConvTranspose", ["e2", n.w("u_w", (24, 16, 2, 2), 0.03), n.w("u_b", (16,), 0.03)],
                                    ["u"], name="up", strides=[2, 2]))
    n.nodes.append(helper.make_node("Pad", ["u", n.i64("p1", [0, 0, 1, 1, 0, 0, 1, 1])], ["up"], name="pad"))
    n.nodes.append(helper.make_node("Concat", ["e1", "up"], ["cat"], name="skip", axis=1))
    n.nodes.append(helper.make_node("Pad", ["cat", n.i64("p0", [0] * 8)], ["cat0"], name="pad0"))
    n.conv("cat0", "y", (8, 32, 3, 3), relu=False, pads=[1, 1, 1, 1])
    return n.model("padcat", [1, 3, 12, 12], [1, 8, 12, 12])


def catpool_model():
    """Concat pooling before the classifier (torch.cat([x.mean((2, 3)), x.amax((2, 3))], -1),
    fastai's AdaptiveConcatPool2d): two convs over [1, 3, 8, 8], ReduceMean and ReduceMax over H, W
    without keepdims, Concat of the two [1, 16] vectors, Gemm to 10 logits. The Concat joins the
    pooled [1, 16, 1, 1] maps (a view) and the Gemm reads them through one flattening Reshape."""
    n = Net(np.random.default_rng(101), 0.3)
    n.conv("x", "c1", (16, 3, 3, 3), pads=[1, 1, 1, 1])
    n.conv("c1", "c2", (16, 16, 3, 3), pads=[1, 1, 1, 1], strides=[2, 2], relu=False)
    n.nodes.append(helper.make_node("ReduceMean", ["c2"], ["avg"], name="mean", axes=[2, 3], keepdims=0))
    n.nodes.append(helper.make_node("ReduceMax", ["c2"], ["max"], name="amax", axes=[2, 3], keepdims=0))
    n.nodes.append(helper.make_node("Concat", ["avg", "max"], ["f"], name="cat", axis=-1))
    n.nodes.append(helper.make_node("Gemm", ["f", n.w("fc_w", (10, 32), 0.3), n.w("fc_b", (10,))], ["y"], name="fc",
                                    transB=1))
    return n.model("catpool", [1, 3, 8, 8], [1, 10])


def crop_model():
    """Crops of the spatial axes as a UNet at odd sizes writes them, over [1, 3, 11, 13]: a conv, a
    stride-2 conv (pads 1: 6 x 7), ConvTranspose k=s=2 (12 x 14), F.pad by -1 top and right to the
    skip's 11 x 13 (a Pad with negative amounts), the skip Concat, a conv; then x[:, :, 1:, :-2]
    (a Slice of H and W) and a Pad cropping 1 left and padding 2 zeros below. Each crop is a
    depthwise conv whose kernel is one at the first kept pixel, on the accelerator (they were CPU
    steps)."""
    n = Net(np.random.default_rng(103), 0.3)
    n.conv("x", "e1", (16, 3, 3, 3), pads=[1, 1, 1, 1])
    n.conv("e1", "e2", (24, 16, 3, 3), pads=[1, 1, 1, 1], strides=[2, 2])
    n.nodes.append(helper.make_node("ConvTranspose", ["e2", n.w("u_w", (24, 16, 2, 2), 0.1), n.w("u_b", (16,), 0.1)],
                                    ["u"], name="up", strides=[2, 2]))
    n.nodes.append(helper.make_node("Pad", ["u", n.i64("p1", [0, 0, -1, 0, 0, 0, 0, -1])], ["uc"], name="crop_pad"))
    n.nodes.append(helper.make_node("Concat", ["e1", "uc"], ["cat"], name="skip", axis=1))
    n.conv("cat", "d", (16, 32, 3, 3), pads=[1, 1, 1, 1])
    n.nodes.append(helper.make_node("Slice", ["d", n.i64("s0", [1, 0]), n.i64("s1", [11, -2]), n.i64("sa", [2, 3])],
                                    ["ds"], name="crop_slice"))
    n.nodes.append(helper.make_node("Pad", ["ds", n.i64("p2", [0, 0, 0, -1, 0, 0, 2, 0])], ["dp"], name="crop_pad2"))
    n.conv("dp", "y", (8, 16, 3, 3), relu=False, pads=[1, 1, 1, 1])
    return n.model("crop", [1, 3, 11, 13], [1, 8, 12, 10])


def eca_model():
    """ECA channel attention as torch exports it, over [1, 3, 8, 8]: a conv to 24 channels,
    GlobalAveragePool, Squeeze, Transpose to [1, 1, 24], Conv1d(1, 1, 5, pad 2) across the
    channels, Transpose, Unsqueeze, Sigmoid, Mul with the conv's output, the classifier head. The
    Conv1d is a dense 1x1 conv of the band its kernel sweeps (the Transposes of unit axes are
    Reshapes, which merge): no CPU step (the layout ops were 5)."""
    n = Net(np.random.default_rng(109), 0.3)
    n.conv("x", "c1", (24, 3, 3, 3), pads=[1, 1, 1, 1])
    n.nodes.append(helper.make_node("GlobalAveragePool", ["c1"], ["g"], name="pool"))
    n.nodes.append(helper.make_node("Squeeze", ["g", n.i64("ax3", [-1])], ["gs"], name="squeeze"))
    n.nodes.append(helper.make_node("Transpose", ["gs"], ["gt"], name="to_seq", perm=[0, 2, 1]))
    n.nodes.append(helper.make_node("Conv", ["gt", n.w("eca_w", (1, 1, 5), 0.5)], ["e"], name="eca_conv",
                                    kernel_shape=[5], pads=[2, 2]))
    n.nodes.append(helper.make_node("Transpose", ["e"], ["et"], name="to_ch", perm=[0, 2, 1]))
    n.nodes.append(helper.make_node("Unsqueeze", ["et", n.i64("ax3b", [-1])], ["eu"], name="unsqueeze"))
    n.nodes.append(helper.make_node("Sigmoid", ["eu"], ["a"], name="gate"))
    n.nodes.append(helper.make_node("Mul", ["c1", "a"], ["m"], name="scale"))
    n.head("m", 24)
    return n.model("eca", [1, 3, 8, 8], [1, 10])


def cbam_model():
    """CBAM's spatial attention over [1, 3, 8, 8]: a conv to 24 channels, the mean and the max over
    the channels (keepdims), their Concat, a 7x7 conv to one channel, Sigmoid, the conv's output
    times that one-channel gate, the head. The mean is a 1x1 conv of weights 1/24 and the gate is
    broadcast over the channels by a 1x1 conv of ones, so the Mul runs on the accelerator; the max
    over the channels is a tree of Max layers of channel halves."""
    n = Net(np.random.default_rng(113), 0.3)
    n.conv("x", "c1", (24, 3, 3, 3), pads=[1, 1, 1, 1])
    n.nodes.append(helper.make_node("ReduceMean", ["c1"], ["avg"], name="ch_mean", axes=[1], keepdims=1))
    n.nodes.append(helper.make_node("ReduceMax", ["c1"], ["max"], name="ch_max", axes=[1], keepdims=1))
    n.nodes.append(helper.make_node("Concat", ["avg", "max"], ["am"], name="cat", axis=1))
    n.conv("am", "sa", (1, 2, 7, 7), relu=False, pads=[3, 3, 3, 3])
    n.nodes.append(helper.make_node("Sigmoid", ["sa"], ["gate"], name="gate"))
    n.nodes.append(helper.make_node("Mul", ["c1", "gate"], ["m"], name="scale"))
    n.head("m", 24)
    return n.model("cbam", [1, 3, 8, 8], [1, 10])


def groups_model():
    """Grouped convs of group widths the back end takes neither as block-diagonal nor as whole
    blocks, over [1, 3, 8, 8]: a conv to 18 channels, 18 -> 18 in 3 groups of 6 (3x3), 18 -> 40 in
    2 groups (1x1, unequal channels), each a dense conv with zero weights between its groups; a
    depthwise conv with a channel multiplier (40 -> 80 in 40 groups), a 1x1 conv repeating each
    channel twice and a depthwise conv of 80; the head. (They were CPU steps.)"""
    n = Net(np.random.default_rng(127), 0.3)
    n.conv("x", "c1", (18, 3, 3, 3), pads=[1, 1, 1, 1])
    n.conv("c1", "g3", (18, 6, 3, 3), pads=[1, 1, 1, 1], group=3)
    n.conv("g3", "g2", (40, 9, 1, 1), group=2)
    n.conv("g2", "dm", (80, 1, 3, 3), pads=[1, 1, 1, 1], group=40)
    n.head("dm", 80)
    return n.model("groups", [1, 3, 8, 8], [1, 10])


def causal1d_model():
    """A causal dilated 1-D CNN (TCN / WaveNet) over [1, 4, 32] with a feature-map output: F.pad of
    16 on the left, Conv1d(4 -> 8, k=3, dilation 8) + Relu, Conv1d(8 -> 3, 1) to the [1, 3, 32]
    output. The pad beyond a load's 15 goes into a Pad layer after lift-1d, and the output's
    Reshape from [1, 3, 1, 32] is an alias (both were CPU steps)."""
    n = Net(np.random.default_rng(131), 0.3)
    n.nodes.append(helper.make_node("Pad", ["x", n.i64("cp", [0, 0, 16, 0, 0, 0])], ["xp"], name="causal_pad"))
    n.conv("xp", "c1", (8, 4, 3), dilations=[8])
    n.conv("c1", "y", (3, 8, 1), relu=False)
    return n.model("causal1d", [1, 4, 32], [1, 3, 32])


def poolmix_model():
    """PoolFormer's token mixer over [1, 3, 8, 8]: a conv to 16 channels, AveragePool 3x3 (stride
    1, pads 1, padding counted) minus the conv's output (a Sub of two activations: Add of a Neg
    table layer), a conv, the head. No CPU step (the Sub was one)."""
    n = Net(np.random.default_rng(139), 0.3)
    n.conv("x", "c1", (16, 3, 3, 3), pads=[1, 1, 1, 1])
    n.nodes.append(helper.make_node("AveragePool", ["c1"], ["p"], name="pool", kernel_shape=[3, 3], pads=[1, 1, 1, 1],
                                    count_include_pad=1))
    n.nodes.append(helper.make_node("Sub", ["p", "c1"], ["d"], name="mix"))
    n.conv("d", "c2", (16, 16, 1, 1))
    n.head("c2", 16)
    return n.model("poolmix", [1, 3, 8, 8], [1, 10])


def own_samples(out, name, x):
    """A model's own inputs (the first 4 of x) and calibration samples (the rest)."""
    np.save(os.path.join(out, f"{name}_input.npy"), x[:4, None])
    np.save(os.path.join(out, f"{name}_calib.npy"), x[4:])


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    save(qdq_model(), os.path.join(out, "qdq.onnx"))
    save(qlinear_model(), os.path.join(out, "qlinear.onnx"))
    save(mixed_model(), os.path.join(out, "mixed.onnx"))
    x = rng.normal(0, 1, (12, 3, 8, 8)).astype(np.float32)
    np.save(os.path.join(out, "input.npy"), x[:4, None])
    np.save(os.path.join(out, "calib.npy"), x[4:])
    save(fallback_model(), os.path.join(out, "fallback.onnx"))
    xf = rng.normal(0.5, 1, (12, 4, 96, 96)).astype(np.float32)
    own_samples(out, "fallback", xf)
    save(act_model(), os.path.join(out, "act.onnx"))
    save(layout_model(), os.path.join(out, "layout.onnx"))  # inputs: input.npy, calib.npy (its own generator)
    save(split_model(), os.path.join(out, "split.onnx"))
    save(neck_model(), os.path.join(out, "neck.onnx"))
    save(fpn_model(), os.path.join(out, "fpn.onnx"))
    save(bigpad_model(), os.path.join(out, "bigpad.onnx"))
    save(actpool_model(), os.path.join(out, "actpool.onnx"))
    xb = np.random.default_rng(41).normal(0, 1, (12, 3, 32, 32)).astype(np.float32)
    own_samples(out, "bigpad", xb)
    save(bcast_model(), os.path.join(out, "bcast.onnx"))
    own_samples(out, "bcast", xb)  # bigpad's samples (3 x 32 x 32)
    save(seg_model(), os.path.join(out, "seg.onnx"))
    save(seq1d_model(), os.path.join(out, "seq1d.onnx"))
    xs = rng.normal(0, 1, (12, 8, 48)).astype(np.float32)
    own_samples(out, "seq1d", xs)
    save(heads_model(), os.path.join(out, "heads.onnx"))
    save(argmap_model(), os.path.join(out, "argmap.onnx"))
    save(convt_model(), os.path.join(out, "convt.onnx"))
    xc = np.random.default_rng(37).normal(0, 1, (20, 3, 16, 16)).astype(np.float32)
    own_samples(out, "convt", xc)
    save(d2s_model(), os.path.join(out, "d2s.onnx"))
    save(prelu_model(), os.path.join(out, "prelu.onnx"))
    save(tokens_model(), os.path.join(out, "tokens.onnx"))
    save(prelu1d_model(), os.path.join(out, "prelu1d.onnx"))
    own_samples(out, "prelu1d", xs)  # seq1d's samples
    save(gpool_model(), os.path.join(out, "gpool.onnx"))
    own_samples(out, "gpool", np.random.default_rng(73).normal(0, 1, (12, 3, 16, 16)).astype(np.float32))
    save(gpool1d_model(), os.path.join(out, "gpool1d.onnx"))
    own_samples(out, "gpool1d", np.random.default_rng(79).normal(0, 1, (12, 8, 400)).astype(np.float32))
    save(yhead_model(), os.path.join(out, "yhead.onnx"))  # inputs: input.npy, calib.npy
    save(u8in_model(), os.path.join(out, "u8in.onnx"))
    own_samples(out, "u8in", np.random.default_rng(83).integers(0, 256, (12, 3, 8, 8)).astype(np.float32))
    save(hse_model(), os.path.join(out, "hse.onnx"))
    own_samples(out, "hse", np.random.default_rng(97).normal(0, 1, (12, 3, 24, 24)).astype(np.float32))
    save(padcat_model(), os.path.join(out, "padcat.onnx"))
    save(catpool_model(), os.path.join(out, "catpool.onnx"))  # inputs: input.npy, calib.npy
    save(crop_model(), os.path.join(out, "crop.onnx"))
    save(eca_model(), os.path.join(out, "eca.onnx"))  # inputs: input.npy, calib.npy
    save(cbam_model(), os.path.join(out, "cbam.onnx"))  # inputs: input.npy, calib.npy
    save(groups_model(), os.path.join(out, "groups.onnx"))  # inputs: input.npy, calib.npy
    save(causal1d_model(), os.path.join(out, "causal1d.onnx"))
    save(poolmix_model(), os.path.join(out, "poolmix.onnx"))  # inputs: input.npy, calib.npy
    own_samples(out, "causal1d", np.random.default_rng(137).normal(0, 1, (20, 4, 32)).astype(np.float32))
    own_samples(out, "crop", np.random.default_rng(107).normal(0, 1, (20, 3, 11, 13)).astype(np.float32))
    own_samples(out, "padcat", np.random.default_rng(97).normal(0, 1, (20, 3, 12, 12)).astype(np.float32))
    save(rnnhead_model(), os.path.join(out, "rnnhead.onnx"))
    own_samples(out, "rnnhead", np.random.default_rng(139).normal(0, 1, (12, 3, 8, 16)).astype(np.float32))
    save(vanish_model(), os.path.join(out, "vanish.onnx"))  # inputs: input.npy, calib.npy
    save(video_model(), os.path.join(out, "video.onnx"))
    own_samples(out, "video", np.random.default_rng(151).normal(0, 1, (16, 3, 4, 8, 8)).astype(np.float32))


def video_model():
    """A video net over [1, 3, 4, 8, 8] (lift-3d): a Conv3d with its ReLU, a max pool across frames
    (2, 2, 2), two 1x1x1 Conv3d branches joined by an elementwise Max and a Min (add layers with
    MAX / MIN), a temporal (3, 1, 1) Conv3d over their sum, global pooling over T, H, W and a Gemm."""
    n = Net(np.random.default_rng(149), 0.3)
    n.conv("x", "c1", (16, 3, 3, 3, 3), pads=[1, 1, 1, 1, 1, 1])
    n.nodes.append(helper.make_node("MaxPool", ["c1"], ["p"], name="pool_t", kernel_shape=[2, 2, 2], strides=[2, 2, 2]))
    n.conv("p", "a", (16, 16, 1, 1, 1), relu=False)
    n.conv("p", "b", (16, 16, 1, 1, 1), relu=False)
    n.nodes.append(helper.make_node("Max", ["a", "b"], ["mx"], name="max"))
    n.nodes.append(helper.make_node("Min", ["a", "b"], ["mn"], name="min"))
    n.nodes.append(helper.make_node("Add", ["mx", "mn"], ["s"], name="sum"))
    n.conv("s", "t", (16, 16, 3, 1, 1), pads=[1, 0, 0, 1, 0, 0])
    n.head("t", 16)
    return n.model("video", [1, 3, 4, 8, 8], [1, 10])


def vanish_model():
    """Vanishing activations (a first conv of weights ~1e-9: a random-weight net's deep layers with
    default BatchNorm statistics) before a conv with an O(1) bias: at in_scale * w_scale the bias
    does not fit int32 (it was clamped: cosine -0.01), in output units it does (lower.c frac_bias)."""
    n = Net(np.random.default_rng(157), 0.3)
    n.conv("x", "c1", (16, 3, 3, 3), pads=[1, 1, 1, 1], relu=False)
    n.inits = [const(t.name, numpy_helper.to_array(t) * 1e-9, TensorProto.FLOAT) if t.name == "c1_w" else t
               for t in n.inits]
    n.conv("c1", "c2", (16, 16, 3, 3), pads=[1, 1, 1, 1])
    n.head("c2", 16)
    return n.model("vanish", [1, 3, 8, 8], [1, 10])


def rnnhead_model():
    """A CRNN's shape over [1, 3, 8, 16]: two convs (the second of stride 2 in H) on the
    accelerator, the map's columns as a sequence ([16, 1, 32]: Reshape, Transpose), a GRU of 12
    units with a listed activation pair (HardSigmoid, Tanh: a STRINGS attribute through the
    package) on the CPU, and a dense layer per step to 10 logits: [16, 10]."""
    n = Net(np.random.default_rng(131), 0.4)
    n.conv("x", "c1", (8, 3, 3, 3), pads=[1, 1, 1, 1])
    n.conv("c1", "c2", (8, 8, 3, 3), pads=[1, 1, 1, 1], strides=[2, 1])
    n.nodes.append(helper.make_node("Reshape", ["c2", n.i64("cols", [1, 32, 16])], ["f"], name="cols"))
    n.nodes.append(helper.make_node("Transpose", ["f"], ["seq"], name="to_seq", perm=[2, 0, 1]))
    n.nodes.append(helper.make_node("GRU", ["seq", n.w("gw", (1, 36, 32), 0.2), n.w("gr", (1, 36, 12), 0.3),
                                            n.w("gb", (1, 72), 0.1)], ["h", ""], name="gru", hidden_size=12,
                                    activations=["HardSigmoid", "Tanh"], activation_alpha=[0.25],
                                    activation_beta=[0.5]))
    n.nodes.append(helper.make_node("Reshape", ["h", n.i64("steps", [16, 12])], ["hs"], name="steps"))
    n.nodes.append(helper.make_node("Gemm", ["hs", n.w("fc_w", (10, 12), 0.4), n.w("fc_b", (10,), 0.1)], ["y"],
                                    name="fc", transB=1))
    return n.model("rnnhead", [1, 3, 8, 16], [16, 10])


def hse_model():
    """MobileNetV3's blocks over [1, 3, 24, 24]: conv + Hardswish, a depthwise conv + Hardswish
    (outputs in [-0.375, max]: affine int8, zero points far from 0), squeeze-and-excite with a
    Hardsigmoid, its per-channel Mul (affine in, affine out: a's zero point the GEMM's bias, the
    output's folded into the mul's bias with fraction bits), the 1x1 projection; then a stride-3
    depthwise conv to 8 x 8 and a second such block of 40 channels (its Mul in chunks of whole
    channel blocks), the head."""
    n = Net(np.random.default_rng(89), 0.4)

    def se(x, y, c, k):
        n.nodes.append(helper.make_node("GlobalAveragePool", [x], [y + "_sq"], name=y + "_gap"))
        n.conv(y + "_sq", y + "_e1", (k, c, 1, 1))
        n.conv(y + "_e1", y + "_e2", (c, k, 1, 1), relu=False)
        n.nodes.append(helper.make_node("HardSigmoid", [y + "_e2"], [y + "_es"], name=y + "_hsigmoid", alpha=1.0 / 6))
        n.nodes.append(helper.make_node("Mul", [x, y + "_es"], [y], name=y + "_scale"))

    n.conv("x", "c1", (20, 3, 3, 3), relu=False, pads=[1, 1, 1, 1])
    n.nodes.append(helper.make_node("HardSwish", ["c1"], ["h1"], name="hswish1"))
    n.conv("h1", "c2", (20, 1, 3, 3), relu=False, pads=[1, 1, 1, 1], group=20)
    n.nodes.append(helper.make_node("HardSwish", ["c2"], ["h2"], name="hswish2"))
    se("h2", "se1", 20, 8)
    n.conv("se1", "proj1", (40, 20, 1, 1), relu=False)
    n.conv("proj1", "c3", (40, 1, 3, 3), relu=False, strides=[3, 3], group=40)
    n.nodes.append(helper.make_node("HardSwish", ["c3"], ["h3"], name="hswish3"))
    se("h3", "se2", 40, 16)
    n.conv("se2", "proj2", (24, 40, 1, 1), relu=False)
    n.head("proj2", 24)
    m = n.model("hse", [1, 3, 24, 24], [1, 10])
    m.opset_import[0].version = 14  # HardSwish
    return m


if __name__ == "__main__":
    main()
