"""tests/onnx_qdq_quantizers.py -- quantized models as quantizers other than PyTorch's write them, built
with onnx.helper: onnxruntime's quantize_static QDQ format (int8 weight initializers through
DequantizeLinear, per channel along the output axis: 1 for a MatMul's [K, M] weights, 0 for a
Conv's; an int32 bias at the input scale times the weight scale; uint8 activations) and the
QOperator format's QLinearMatMul. Each is compiled without calibration samples for pynq and run on
fsim: the layers of constant weights on the accelerator (Linear layers over tokens as 1x1 convs,
Conv1d networks lifted to 2-D, as for float models), a Concat of inputs quantized apart from it
and a MobileNetV3-style block (HardSwish, squeeze-and-excite, residual, max pool) with a pair on
every tensor entirely there, a TensorFlow model's NHWC layout (Transposes, a ReduceMean over
[1, 2], MatMul + Add) all but the input's Transpose there, and a CNN in the QOperator format with onnxruntime's com.microsoft
ops (QLinearAdd, QLinearMul, QLinearSigmoid, QLinearLeakyRelu, QLinearGlobalAveragePool,
QLinearAveragePool, QLinearConcat, QGemm; MaxPool and Flatten on uint8) wholly there, every output
within one output step of onnxruntime's execution of the same model; what that import does not
read is refused naming the node.

Run by `make test` with Debian's python3."""
import os
import sys
import tempfile

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from onnx_check import DLVTA, ORT, check, run, summary  # noqa: E402

RNG = np.random.default_rng(7)


def init(name, v):
    return numpy_helper.from_array(np.asarray(v), name)


class Builder:
    """Nodes and initializers of a QDQ graph; act(x, lo, hi) quantizes activation x to uint8 over
    [lo, hi] (QuantizeLinear -> DequantizeLinear)."""

    def __init__(self):
        self.nodes, self.inits = [], []

    def act(self, x, lo, hi):
        s = np.float32((hi - lo) / 255.0)
        z = np.uint8(np.clip(round(-lo / s), 0, 255))
        self.inits += [init(x + "_s", s), init(x + "_z", z)]
        self.nodes += [helper.make_node("QuantizeLinear", [x, x + "_s", x + "_z"], [x + "_q"]),
                       helper.make_node("DequantizeLinear", [x + "_q", x + "_s", x + "_z"], [x + "_dq"])]
        return x + "_dq", float(s)

    def weight(self, name, w, axis):
        """int8 per-channel symmetric weights along axis, through a DequantizeLinear."""
        red = tuple(a for a in range(w.ndim) if a != axis)
        s = (np.abs(w).max(axis=red) / 127.0).astype(np.float32)
        shape = [1] * w.ndim
        shape[axis] = -1
        q = np.clip(np.round(w / s.reshape(shape)), -127, 127).astype(np.int8)
        self.inits += [init(name + "_q", q), init(name + "_s", s), init(name + "_z", np.zeros(s.shape, np.int8))]
        self.nodes.append(helper.make_node("DequantizeLinear", [name + "_q", name + "_s", name + "_z"], [name],
                                           axis=axis))
        return name, s

    def bias(self, name, b, xs, ws):
        """int32 bias at scale xs * ws (per channel), through a DequantizeLinear."""
        s = (xs * ws).astype(np.float32)
        self.inits += [init(name + "_q", np.round(b / s).astype(np.int32)), init(name + "_s", s),
                       init(name + "_z", np.zeros(s.shape, np.int32))]
        self.nodes.append(helper.make_node("DequantizeLinear", [name + "_q", name + "_s", name + "_z"], [name], axis=0))
        return name

    def model(self, x_shape, y, y_shape):
        g = helper.make_graph(self.nodes, "q", [helper.make_tensor_value_info("x", TensorProto.FLOAT, x_shape)],
                              [helper.make_tensor_value_info(y, TensorProto.FLOAT, y_shape)], self.inits)
        return helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])


def linear_tokens():
    """x [1, T, 24] -> Linear 24 -> 48 (MatMul + Add) -> Relu -> Linear 48 -> 16, weights [K, M]
    per channel along axis 1, float bias Adds, as quantize_static writes a transformer's MLP."""
    b = Builder()
    t, k, m, o = 20, 24, 48, 16
    x, _ = b.act("x", -3.0, 3.0)
    w1, _ = b.weight("w1", RNG.normal(0, 0.3, (k, m)).astype(np.float32), 1)
    b.inits.append(init("b1", RNG.normal(0, 0.1, m).astype(np.float32)))
    b.nodes += [helper.make_node("MatMul", [x, w1], ["mm1"]), helper.make_node("Add", ["mm1", "b1"], ["h1"])]
    h1, _ = b.act("h1", -4.0, 4.0)
    b.nodes.append(helper.make_node("Relu", [h1], ["r1"]))
    r1, _ = b.act("r1", 0.0, 4.0)
    w2, _ = b.weight("w2", RNG.normal(0, 0.2, (m, o)).astype(np.float32), 1)
    b.inits.append(init("b2", RNG.normal(0, 0.1, o).astype(np.float32)))
    b.nodes += [helper.make_node("MatMul", [r1, w2], ["mm2"]), helper.make_node("Add", ["mm2", "b2"], ["h2"])]
    y, _ = b.act("h2", -3.0, 3.0)
    return b.model([1, t, k], y, [1, t, o]), (1, t, k)


def conv1d():
    """x [1, 4, 60] -> Conv1d 4 -> 16 (k 3, int32 bias) -> Relu -> MaxPool1d 2 -> Conv1d 16 -> 8 (k 5,
    stride 2): weights per channel along axis 0."""
    b = Builder()
    x, xs = b.act("x", -3.0, 3.0)
    w1, s1 = b.weight("w1", RNG.normal(0, 0.3, (16, 4, 3)).astype(np.float32), 0)
    b1 = b.bias("b1", RNG.normal(0, 0.1, 16), xs, s1)
    b.nodes.append(helper.make_node("Conv", [x, w1, b1], ["c1"], pads=[1, 1]))
    c1, _ = b.act("c1", -4.0, 4.0)
    b.nodes.append(helper.make_node("Relu", [c1], ["r1"]))
    r1, rs = b.act("r1", 0.0, 4.0)
    b.nodes.append(helper.make_node("MaxPool", [r1], ["p1"], kernel_shape=[2], strides=[2]))
    p1, ps = b.act("p1", 0.0, 4.0)
    w2, s2 = b.weight("w2", RNG.normal(0, 0.2, (8, 16, 5)).astype(np.float32), 0)
    b2 = b.bias("b2", RNG.normal(0, 0.1, 8), ps, s2)
    b.nodes.append(helper.make_node("Conv", [p1, w2, b2], ["c2"], pads=[2, 2], strides=[2]))
    y, _ = b.act("c2", -4.0, 4.0)
    return b.model([1, 4, 60], y, [1, 8, 15]), (1, 4, 60)


def concat_apart():
    """Two conv branches, each quantized on its own range, concatenated and quantized again on a
    third (as quantize_static writes a Concat: a QuantizeLinear -> DequantizeLinear on every
    tensor), then a 1x1 conv: the Concat's inputs requantized to its scale."""
    b = Builder()
    x, xs = b.act("x", -3.0, 3.0)
    outs = []
    for k, (lo, hi) in enumerate(((-2.0, 2.0), (-6.0, 5.0))):
        w, sw = b.weight(f"w{k}", RNG.normal(0, 0.3, (8, 3, 3, 3)).astype(np.float32), 0)
        bb = b.bias(f"b{k}", RNG.normal(0, 0.1, 8), xs, sw)
        b.nodes.append(helper.make_node("Conv", [x, w, bb], [f"c{k}"], pads=[1, 1, 1, 1]))
        outs.append(b.act(f"c{k}", lo, hi)[0])
    b.nodes.append(helper.make_node("Concat", outs, ["cat"], axis=1))
    cat, cs = b.act("cat", -4.0, 4.0)
    w, sw = b.weight("w2", RNG.normal(0, 0.2, (8, 16, 1, 1)).astype(np.float32), 0)
    b.nodes.append(helper.make_node("Conv", [cat, w, b.bias("b2", RNG.normal(0, 0.1, 8), cs, sw)], ["c2"]))
    y, _ = b.act("c2", -4.0, 4.0)
    return b.model([1, 3, 12, 10], y, [1, 8, 12, 10]), (1, 3, 12, 10)


def se_block():
    """A MobileNetV3-style block as quantize_static writes it, a pair on every tensor: Conv ->
    HardSwish -> squeeze-and-excite (GlobalAveragePool, 1x1 Conv, Relu, 1x1 Conv, HardSigmoid,
    Mul) -> residual Add of the block's input -> MaxPool."""
    b = Builder()
    x, xs = b.act("x", -3.0, 3.0)

    def conv(name, inp, ins, cout, cin, k, lo, hi):
        w, sw = b.weight(name + "_w", RNG.normal(0, 0.6 / np.sqrt(cin * k * k), (cout, cin, k, k)).astype(np.float32), 0)
        bb = b.bias(name + "_b", RNG.normal(0, 0.1, cout), ins, sw)
        b.nodes.append(helper.make_node("Conv", [inp, w, bb], [name], pads=[k // 2] * 4))
        return b.act(name, lo, hi)

    c1, c1s = conv("c1", x, xs, 16, 3, 3, -4.0, 4.0)
    b.nodes.append(helper.make_node("HardSwish", [c1], ["hs"]))
    hs, hss = b.act("hs", -0.4, 4.0)
    b.nodes.append(helper.make_node("GlobalAveragePool", [hs], ["gap"]))
    gap, gs = b.act("gap", 0.0, 2.0)
    s1, s1s = conv("s1", gap, gs, 8, 16, 1, -2.0, 2.0)
    b.nodes.append(helper.make_node("Relu", [s1], ["sr"]))
    sr, srs = b.act("sr", 0.0, 2.0)
    s2, _ = conv("s2", sr, srs, 16, 8, 1, -3.0, 3.0)
    b.nodes.append(helper.make_node("HardSigmoid", [s2], ["gate"], alpha=1.0 / 6))
    gate, _ = b.act("gate", 0.0, 1.0)
    b.nodes.append(helper.make_node("Mul", [hs, gate], ["se"]))
    se, ses = b.act("se", -0.4, 4.0)
    c2, _ = conv("c2", se, ses, 3, 16, 1, -3.0, 3.0)
    b.nodes.append(helper.make_node("Add", [c2, x], ["res"]))
    res, _ = b.act("res", -5.0, 5.0)
    b.nodes.append(helper.make_node("MaxPool", [res], ["mp"], kernel_shape=[2, 2], strides=[2, 2]))
    y, _ = b.act("mp", -5.0, 5.0)
    m = b.model([1, 3, 16, 16], y, [1, 3, 8, 8])
    m.opset_import[0].version = 14  # (HardSwish)
    return m, (1, 3, 16, 16)


def tf_nhwc():
    """A TensorFlow model quantized by quantize_static: an NHWC input Transposed, a conv, ReLU, the
    map Transposed back to NHWC, GlobalAveragePooling2D as ReduceMean over [1, 2], the dense layer
    as MatMul + Add of a float row; a Q/DQ pair on every activation (they keep the front end from
    sinking the Transpose: qdq-import's relayout does it, then reduce-to-pool and the row bias)."""
    b = Builder()
    x, xs = b.act("x", -3.0, 3.0)
    b.nodes.append(helper.make_node("Transpose", [x], ["xt"], perm=[0, 3, 1, 2]))
    xt, _ = b.act("xt", -3.0, 3.0)
    w1, s1 = b.weight("w1", RNG.normal(0, 0.3, (16, 3, 3, 3)).astype(np.float32), 0)
    b1 = b.bias("b1", RNG.normal(0, 0.1, 16), xs, s1)
    b.nodes.append(helper.make_node("Conv", [xt, w1, b1], ["c1"], pads=[1, 1, 1, 1]))
    c1, _ = b.act("c1", -4.0, 4.0)
    b.nodes.append(helper.make_node("Relu", [c1], ["r1"]))
    r1, _ = b.act("r1", 0.0, 4.0)
    b.nodes.append(helper.make_node("Transpose", [r1], ["r1t"], perm=[0, 2, 3, 1]))
    r1t, _ = b.act("r1t", 0.0, 4.0)
    b.nodes.append(helper.make_node("ReduceMean", [r1t], ["gap"], axes=[1, 2], keepdims=0))
    gp, _ = b.act("gap", 0.0, 2.0)
    w2, _ = b.weight("w2", RNG.normal(0, 0.3, (16, 10)).astype(np.float32), 1)
    b.inits.append(init("b2", RNG.normal(0, 0.1, 10).astype(np.float32)))
    b.nodes += [helper.make_node("MatMul", [gp, w2], ["mm"]), helper.make_node("Add", ["mm", "b2"], ["y"])]
    y, _ = b.act("y", -4.0, 4.0)
    m = b.model([1, 12, 10, 3], y, [1, 10])
    m.graph.input[0].name = "x"
    return m, (1, 12, 10, 3)


def qlinear_matmul_tokens():
    """QuantizeLinear -> QLinearMatMul (uint8 tokens [1, 12, 32] by int8 [32, 24] weights, per
    tensor) -> DequantizeLinear: the QOperator format."""
    nodes, inits = [], []
    xs, ws, ys = np.float32(6 / 255), np.float32(0.004), np.float32(8 / 255)
    w = RNG.integers(-127, 128, (32, 24)).astype(np.int8)
    inits += [init("xs", xs), init("xz", np.uint8(128)), init("w", w), init("ws", ws), init("wz", np.int8(0)),
              init("ys", ys), init("yz", np.uint8(128))]
    nodes += [helper.make_node("QuantizeLinear", ["x", "xs", "xz"], ["xq"]),
              helper.make_node("QLinearMatMul", ["xq", "xs", "xz", "w", "ws", "wz", "ys", "yz"], ["yq"]),
              helper.make_node("DequantizeLinear", ["yq", "ys", "yz"], ["y"])]
    g = helper.make_graph(nodes, "ql", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 12, 32])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 12, 24])], inits)
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]), (1, 12, 32)


class QOp:
    """A QOperator-format graph (onnxruntime's quantize_static with QuantFormat.QOperator, the ONNX
    model zoo's -int8 models): uint8 activations between QLinear* nodes, the com.microsoft ones
    included. Scales come from a float run of the same network in torch (ranges over a batch)."""

    def __init__(self, x):
        import torch
        self.torch = torch
        self.nodes, self.inits, self.q = [], [], {}
        self.f = {"x": torch.from_numpy(x)}

    def qparams(self, name, relu=False):
        v = self.f[name]
        lo, hi = (0.0 if relu else min(float(v.min()), 0.0)), max(float(v.max()), 1e-3)
        s = np.float32((hi - lo) / 255.0)
        z = np.uint8(np.clip(round(-lo / s), 0, 255))
        self.inits += [init(name + "_s", s), init(name + "_z", z)]
        self.q[name] = (name + "_s", name + "_z", float(s), int(z))
        return name + "_s", name + "_z"

    def quantize_input(self):
        s, z = self.qparams("x")
        self.nodes.append(helper.make_node("QuantizeLinear", ["x", s, z], ["x_q"]))
        return "x"

    def conv(self, x, y, cout, k, pad=0, relu=False, stride=1):
        F, torch = self.torch.nn.functional, self.torch
        cin = self.f[x].shape[1]
        w = RNG.normal(0, 1.0 / np.sqrt(cin * k * k), (cout, cin, k, k)).astype(np.float32)
        b = RNG.normal(0, 0.1, cout).astype(np.float32)
        out = F.conv2d(self.f[x], torch.from_numpy(w), torch.from_numpy(b), stride=stride, padding=pad)
        self.f[y] = F.relu(out) if relu else out
        ws = (np.abs(w).max(axis=(1, 2, 3)) / 127.0).astype(np.float32)
        wq = np.clip(np.round(w / ws[:, None, None, None]), -127, 127).astype(np.int8)
        xs, xz, xsv, _ = self.q[x]
        ys, yz = self.qparams(y, relu)
        bq = np.round(b / (xsv * ws)).astype(np.int32)
        self.inits += [init(y + "_w", wq), init(y + "_ws", ws), init(y + "_wz", np.zeros(cout, np.int8)),
                       init(y + "_b", bq)]
        self.nodes.append(helper.make_node("QLinearConv", [x + "_q", xs, xz, y + "_w", y + "_ws", y + "_wz", ys, yz,
                                                           y + "_b"], [y + "_q"], pads=[pad] * 4, strides=[stride] * 2))
        return y

    def contrib(self, op, ins, y, fval, relu=False, **attrs):
        """com.microsoft op over quantized inputs ins (each X, X_s, X_z), y's float value fval."""
        self.f[y] = fval
        ys, yz = self.qparams(y, relu)
        args = []
        if op == "QLinearConcat":
            args = [ys, yz] + sum([[x + "_q", self.q[x][0], self.q[x][1]] for x in ins], [])
        else:
            args = sum([[x + "_q", self.q[x][0], self.q[x][1]] for x in ins], []) + [ys, yz]
        self.nodes.append(helper.make_node(op, args, [y + "_q"], domain="com.microsoft", **attrs))
        return y

    def model(self, x_shape, y, y_shape):
        s, z = self.q[y][:2]
        self.nodes.append(helper.make_node("DequantizeLinear", [y + "_q", s, z], ["y"]))
        g = helper.make_graph(self.nodes, "qop", [helper.make_tensor_value_info("x", TensorProto.FLOAT, x_shape)],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, y_shape)], self.inits)
        return helper.make_model(g, opset_imports=[helper.make_opsetid("", 13), helper.make_opsetid("com.microsoft", 1)])


def qoperator_cnn():
    """A CNN in the QOperator format: QLinearConv (ReLU in its output range), MaxPool on uint8,
    QLinearAdd (residual), QLinearLeakyRelu, a squeeze-and-excite block (QLinearGlobalAveragePool,
    1x1 QLinearConvs, QLinearSigmoid, QLinearMul), QLinearAveragePool, QLinearConcat, Flatten on
    uint8 and QGemm (int32 bias, per-column weight scales)."""
    import torch
    F = torch.nn.functional
    x = RNG.normal(0, 1, (8, 3, 16, 16)).astype(np.float32)
    b = QOp(x)
    b.quantize_input()
    c1 = b.conv("x", "c1", 16, 3, pad=1, relu=True)
    b.f["p1"] = F.max_pool2d(b.f[c1], 2)
    b.q["p1"] = b.q[c1]
    b.nodes.append(helper.make_node("MaxPool", [c1 + "_q"], ["p1_q"], kernel_shape=[2, 2], strides=[2, 2]))
    c2 = b.conv("p1", "c2", 16, 3, pad=1, relu=True)
    c3 = b.conv(c2, "c3", 16, 3, pad=1)
    a = b.contrib("QLinearAdd", [c3, "p1"], "add", b.f[c3] + b.f["p1"])
    lr = b.contrib("QLinearLeakyRelu", [a], "lrelu", F.leaky_relu(b.f[a], 0.1), alpha=0.1)
    gp = b.contrib("QLinearGlobalAveragePool", [lr], "gap", b.f[lr].mean(dim=(2, 3), keepdim=True), channels_last=0)
    f1 = b.conv(gp, "se1", 4, 1, relu=True)
    f2 = b.conv(f1, "se2", 16, 1)
    sg = b.contrib("QLinearSigmoid", [f2], "sig", torch.sigmoid(b.f[f2]), relu=True)
    m = b.contrib("QLinearMul", [lr, sg], "se", b.f[lr] * b.f[sg])
    ap = b.contrib("QLinearAveragePool", [m], "avg", F.avg_pool2d(b.f[m], 2), kernel_shape=[2, 2], strides=[2, 2])
    br = b.conv(ap, "br", 8, 1, relu=True)
    cat = b.contrib("QLinearConcat", [ap, br], "cat", torch.cat([b.f[ap], b.f[br]], 1), axis=1)
    g2 = b.contrib("QLinearGlobalAveragePool", [cat], "gap2", b.f[cat].mean(dim=(2, 3), keepdim=True))
    b.nodes.append(helper.make_node("Flatten", [g2 + "_q"], ["flat_q"]))
    b.f["flat"], b.q["flat"] = b.f[g2].flatten(1), b.q[g2]
    w = RNG.normal(0, 0.3, (10, 24)).astype(np.float32)
    bias = RNG.normal(0, 0.1, 10).astype(np.float32)
    b.f["fc"] = b.f["flat"] @ torch.from_numpy(w).T + torch.from_numpy(bias)
    ws = (np.abs(w).max(axis=1) / 127.0).astype(np.float32)
    wq = np.clip(np.round(w / ws[:, None]), -127, 127).astype(np.int8)
    xs, xz, xsv, _ = b.q["flat"]
    ys, yz = b.qparams("fc")
    b.inits += [init("fc_w", wq), init("fc_ws", ws), init("fc_wz", np.zeros(10, np.int8)),
                init("fc_b", np.round(bias / (xsv * ws)).astype(np.int32))]
    b.nodes.append(helper.make_node("QGemm", ["flat_q", xs, xz, "fc_w", "fc_ws", "fc_wz", "fc_b", ys, yz], ["fc_q"],
                                    domain="com.microsoft", transB=1))
    return b.model([1, 3, 16, 16], "fc", [1, 10]), (1, 3, 16, 16)


def qoperator_refusals(d):
    """What the QOperator import does not read is refused naming the node and why."""
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4, 6, 6])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, None)
    inits = [init("s", np.float32(0.05)), init("z", np.uint8(128))]
    for name, node, words in (
            ("channels_last", helper.make_node("QLinearGlobalAveragePool", ["xq", "s", "z", "s", "z"], ["yq"], name="gp",
                                               domain="com.microsoft", channels_last=1), ["'gp'", "channels_last"]),
            ("unknown op", helper.make_node("QLinearSoftmax", ["xq", "s", "z", "s", "z"], ["yq"], name="sm",
                                            domain="com.microsoft", axis=1), ["'sm'", "QLinearSoftmax"]),
            ("QLinearAdd inputs", helper.make_node("QLinearAdd", ["xq", "s", "z", "xq"], ["yq"], name="add",
                                                   domain="com.microsoft"), ["'add'", "C_scale"])):
        nodes = [helper.make_node("QuantizeLinear", ["x", "s", "z"], ["xq"]), node,
                 helper.make_node("DequantizeLinear", ["yq", "s", "z"], ["y"])]
        m = helper.make_model(helper.make_graph(nodes, "r", [x], [y], inits),
                              opset_imports=[helper.make_opsetid("", 13), helper.make_opsetid("com.microsoft", 1)])
        path = os.path.join(d, "refuse.onnx")
        onnx.save(m, path)
        r = run([DLVTA, "compile", path, "-o", os.path.join(d, "refuse.dlvta"), "--config", "pynq"])
        msg = (r.stdout + r.stderr).strip()
        check(r.returncode != 0 and all(w in msg for w in words) and "internal" not in msg,
              f"QOperator refusal, {name}: exit {r.returncode}, {msg.splitlines()[-1] if msg else ''!r}")


def output_step(m):
    """Scale of the DequantizeLinear that makes the graph's output."""
    consts = {t.name: numpy_helper.to_array(t) for t in m.graph.initializer}
    out = m.graph.output[0].name
    n = next(n for n in m.graph.node if out in n.output)
    return float(consts[n.input[1]])


def case(d, name, built, layers, cpu=None, steps=1.0):
    """Compile without calibration for pynq: `layers` accelerator layers and `cpu` CPU nodes (each
    when given); run on fsim: every output within `steps` output steps of onnxruntime's."""
    m, shape = built
    if not any(o.domain == "com.microsoft" for o in m.opset_import):
        onnx.checker.check_model(m)
    path, pkg = os.path.join(d, name + ".onnx"), os.path.join(d, name + ".dlvta")
    onnx.save(m, path)
    x = RNG.normal(0, 1, shape).astype(np.float32)
    np.save(os.path.join(d, "x.npy"), x)
    r = run([DLVTA, "compile", path, "-o", pkg, "--config", "pynq"])
    log = r.stdout + r.stderr
    part = next((ln for ln in log.splitlines() if ln.startswith("partition:")), "no partition line")
    check(r.returncode == 0 and (layers is None or f": {layers} accelerator layers" in part) and
          (cpu is None or f", {cpu} CPU nodes" in part) and "calibration: not needed" in log,
          f"{name} compiles without calibration" + (f" to {layers} accelerator layers" if layers is not None else "")
          + (f", {cpu} CPU nodes" if cpu is not None else "") + f": {(part if r.returncode == 0 else log.strip())[-200:]}")
    if r.returncode:
        return
    r1 = run(["env", "ORT_RUN_OPT=disabled", "node", ORT, path, os.path.join(d, "x.npy"), os.path.join(d, "ref.npy")])
    r2 = run([DLVTA, "run", pkg, "--input", os.path.join(d, "x.npy"), "--output", os.path.join(d, "y.npy")])
    if r1.returncode or r2.returncode:
        check(False, f"{name} runs: " + (r1.stderr + r2.stdout + r2.stderr).strip()[-300:])
        return
    a, b = np.load(os.path.join(d, "ref.npy")).ravel(), np.load(os.path.join(d, "y.npy")).ravel()
    worst = float(np.max(np.abs(a - b))) / output_step(m) if a.shape == b.shape else float("inf")
    check(worst <= steps + 0.001, f"{name} on fsim: every output within {worst:.2f} output steps of onnxruntime's "
          f"(<= {steps:g})")


def main():
    with tempfile.TemporaryDirectory() as d:
        # (the Relu a layer of its own: fused into the layer before it would skip the rounding of
        # the model's quantization between them)
        case(d, "ort_qdq_linear_tokens", linear_tokens(), 3)
        case(d, "ort_qdq_conv1d", conv1d(), 4, cpu=0)
        case(d, "qlinear_matmul_tokens", qlinear_matmul_tokens(), 1)
        case(d, "ort_qdq_concat_apart", concat_apart(), 5, cpu=0)
        case(d, "ort_qdq_se_block", se_block(), None, cpu=0)
        case(d, "qoperator_cnn", qoperator_cnn(), 15, cpu=0)
        # (the one CPU node: the host's layout change of the NHWC input)
        case(d, "ort_qdq_tf_nhwc", tf_nhwc(), 4, cpu=1)
        qoperator_refusals(d)
    return summary()


if __name__ == "__main__":
    sys.exit(main())
