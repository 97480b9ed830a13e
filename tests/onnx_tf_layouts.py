"""tests/onnx_tf_layouts.py -- the layouts TensorFlow's converters (tf2onnx, keras2onnx) write around
a CNN, built with onnx.helper as they write them:
- an NHWC input Transposed to NCHW (a uint8 image cast, Transposed and normalized too), convs with
  auto_pad SAME_UPPER (odd sizes: the extra pad at the end), ReLU6 as Clip with min/max inputs;
- an unoptimized round trip NCHW -> NHWC -> per-channel Mul / Add on the last axis -> Relu -> NCHW;
- every conv and pool in its own pair of Transposes, the ops between them in NHWC: a residual
  Add, an Inception Concat along axis 3, ZeroPadding2D as a Pad, UpSampling2D as a Resize, a
  channel Split and Slices along axis 3;
- GlobalAveragePooling2D as ReduceMean over [1, 2] of an NHWC map (keepdims 0 at opset 13;
  keepdims 1 with the axes an input at opset 18, then a Reshape), an NHWC map that is both a
  model output (through a Sigmoid) and the pool's input, MatMul + Add as the dense layer, Softmax.

Each model is compiled for pynq and ultra96 with calibration samples and run on fsim: the layout
round trips cancel and the reductions become global pools on the accelerator, so only the
input's layout change (and an NHWC output's, and the Softmax) stay on the CPU; every output
against onnxruntime's, cosine >= 0.999; `dlvta compare` finds a float reference for every layer.
Run by `make test` with Debian's python3."""
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from onnx_check import DLVTA, ORT, check, compare_layers, run, summary  # noqa: E402


class Tf:
    """Nodes and initializers of a model as a TensorFlow converter writes it."""

    def __init__(self, seed):
        self.rng = np.random.default_rng(seed)
        self.nodes, self.inits = [], []

    def const(self, name, v):
        self.inits.append(numpy_helper.from_array(np.asarray(v), name))
        return name

    def node(self, op, ins, name, **attrs):
        self.nodes.append(helper.make_node(op, ins, [name], name=name, **attrs))
        return name

    def conv(self, x, cin, cout, k, s, name, group=1):
        w = self.rng.normal(0, (2.0 / (k * k * cin / group)) ** 0.5, (cout, cin // group, k, k)).astype(np.float32)
        b = self.rng.normal(0, 0.1, cout).astype(np.float32)
        return self.node("Conv", [x, self.const(name + "/kernel", w), self.const(name + "/bias", b)], name,
                         auto_pad="SAME_UPPER", strides=[s, s], group=group, kernel_shape=[k, k], dilations=[1, 1])

    def relu6(self, x, name):
        return self.node("Clip", [x, self.const(name + "/min", np.float32(0)), self.const(name + "/max", np.float32(6))],
                         name)

    def transpose(self, x, perm, name):
        return self.node("Transpose", [x], name, perm=perm)

    def save(self, path, in_shape, outputs, opset, in_type=TensorProto.FLOAT):
        g = helper.make_graph(self.nodes, "tf", [helper.make_tensor_value_info("input:0", in_type, in_shape)],
                              [helper.make_tensor_value_info(n, TensorProto.FLOAT, s) for n, s in outputs], self.inits)
        m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)], producer_name="tf2onnx")
        m.ir_version = 8
        if opset <= onnx.defs.onnx_opset_version():  # (Debian's onnx 1.12 knows opsets up to 17)
            onnx.checker.check_model(m)
        onnx.save(m, path)


def round_trip(d):
    """MobileNet-like: the unoptimized NHWC round trip, depthwise and pointwise ReLU6 convs, a
    residual Add, GAP as ReduceMean [1, 2] keepdims 0 of a Transposed map, dense, Softmax."""
    t = Tf(1)
    x = t.transpose("input:0", [0, 3, 1, 2], "input_nchw")
    y = t.relu6(t.conv(x, 3, 16, 3, 2, "conv1"), "conv1_relu")
    y = t.transpose(y, [0, 2, 3, 1], "to_nhwc")
    y = t.node("Mul", [y, t.const("bn/scale", t.rng.uniform(0.5, 1.5, 16).astype(np.float32))], "bn/mul")
    y = t.node("Add", [y, t.const("bn/shift", t.rng.normal(0, 0.1, 16).astype(np.float32))], "bn/add")
    y = t.node("Relu", [y], "bn/relu")
    y = t.transpose(y, [0, 3, 1, 2], "to_nchw")
    y = t.relu6(t.conv(y, 16, 16, 3, 1, "dw", group=16), "dw_relu")
    y = t.relu6(t.conv(y, 16, 32, 1, 1, "pw"), "pw_relu")
    e = t.conv(y, 32, 32, 3, 2, "conv3")
    f = t.conv(e, 32, 32, 3, 1, "dw2", group=32)
    y = t.relu6(t.node("Add", [e, f], "res"), "res_relu")
    y = t.transpose(y, [0, 2, 3, 1], "to_nhwc2")
    y = t.node("ReduceMean", [y], "gap", axes=[1, 2], keepdims=0)
    y = t.node("MatMul", [y, t.const("dense/kernel", t.rng.normal(0, 0.2, (32, 10)).astype(np.float32))], "dense")
    y = t.node("Add", [y, t.const("dense/bias", t.rng.normal(0, 0.1, 10).astype(np.float32))], "logits")
    t.node("Softmax", [y], "prob", axis=-1)
    path = os.path.join(d, "round_trip.onnx")
    t.save(path, ["unk__1", 67, 53, 3], [("prob", ["unk__2", 10])], 13)
    return path, (67, 53, 3), ["Softmax x1"], 1


def two_outputs(d):
    """An NHWC map read by a Sigmoid (a model output, NHWC) and by the pool (ReduceMean [1, 2] at
    opset 18 with the axes an input, keepdims 1, then a Reshape to [N, C]) before the dense layer."""
    t = Tf(2)
    x = t.transpose("input:0", [0, 3, 1, 2], "input_nchw")
    y = t.node("Relu", [t.conv(x, 3, 16, 3, 2, "conv1")], "relu1")
    y = t.node("Relu", [t.conv(y, 16, 24, 3, 1, "conv2")], "relu2")
    y = t.transpose(y, [0, 2, 3, 1], "to_nhwc")
    t.node("Sigmoid", [y], "heatmap")
    p = t.node("ReduceMean", [y, t.const("gap/axes", np.array([1, 2], np.int64))], "gap", keepdims=1)
    p = t.node("Reshape", [p, t.const("flat/shape", np.array([-1, 24], np.int64))], "flat")
    y = t.node("MatMul", [p, t.const("dense/kernel", t.rng.normal(0, 0.2, (24, 10)).astype(np.float32))], "dense")
    t.node("Add", [y, t.const("dense/bias", t.rng.normal(0, 0.1, 10).astype(np.float32))], "logits")
    path = os.path.join(d, "two_outputs.onnx")
    t.save(path, ["unk__1", 40, 36, 3], [("logits", ["unk__2", 10]), ("heatmap", ["unk__3", 20, 18, 24])], 18)
    return path, (40, 36, 3), [], 2


def wrapped(d):
    """Every conv and pool wrapped in its own pair of Transposes, the ops between them in NHWC (a
    converter without its layout optimizer): a ReLU read by two branches and a residual, the
    branches' Concat along axis 3 (an Inception block), the residual Add, a max pool, GAP as
    ReduceMean [1, 2], the dense layer as Gemm."""
    t = Tf(3)

    def nchw(x, name, op):
        return t.transpose(op(t.transpose(x, [0, 3, 1, 2], name + "/to_nchw")), [0, 2, 3, 1], name + "/to_nhwc")

    a = nchw("input:0", "conv1", lambda x: t.conv(x, 3, 16, 3, 2, "conv1"))
    a = t.node("Relu", [a], "relu1")
    b1 = nchw(a, "b1", lambda x: t.conv(x, 16, 8, 1, 1, "b1"))
    b2 = nchw(a, "b2", lambda x: t.conv(x, 16, 8, 3, 1, "b2"))
    y = t.node("Concat", [b1, b2], "mixed", axis=3)
    y = t.node("Relu", [t.node("Add", [y, a], "res")], "relu2")
    y = nchw(y, "pool", lambda x: t.node("MaxPool", [x], "pool", kernel_shape=[3, 3], strides=[2, 2],
                                         auto_pad="SAME_UPPER"))
    y = t.node("ReduceMean", [y], "gap", axes=[1, 2], keepdims=0)
    t.node("Gemm", [y, t.const("dense/kernel", t.rng.normal(0, 0.2, (16, 10)).astype(np.float32)),
                    t.const("dense/bias", t.rng.normal(0, 0.1, 10).astype(np.float32))], "logits")
    path = os.path.join(d, "wrapped.onnx")
    t.save(path, ["unk__1", 33, 30, 3], [("logits", ["unk__2", 10])], 13)
    return path, (33, 30, 3), [], 1


def pad_upsample(d, mode):
    """A small segmentation net, each conv wrapped in Transposes: ZeroPadding2D as an NHWC Pad
    before a VALID conv, UpSampling2D as an NHWC Resize (nearest, or bilinear with
    half_pixel) by scales [1, 2, 2, 1], a skip
    Concat along axis 3, an NHWC output."""
    t = Tf(5 if mode == "nearest" else 6)
    opset = 13

    def nchw(x, name, op):
        return t.transpose(op(t.transpose(x, [0, 3, 1, 2], name + "/to_nchw")), [0, 2, 3, 1], name + "/to_nhwc")

    def conv_valid(x, cin, cout, k, s, name):
        w = t.rng.normal(0, (2.0 / (k * k * cin)) ** 0.5, (cout, cin, k, k)).astype(np.float32)
        return t.node("Conv", [x, t.const(name + "/kernel", w), t.const(name + "/bias", np.zeros(cout, np.float32))],
                      name, strides=[s, s], kernel_shape=[k, k])

    a = t.node("Relu", [nchw("input:0", "conv1", lambda x: t.conv(x, 3, 16, 3, 1, "conv1"))], "relu1")
    p = t.node("Pad", [a, t.const("zp/pads", np.array([0, 1, 1, 0, 0, 1, 1, 0], np.int64))], "zero_padding2d")
    b = t.node("Relu", [nchw(p, "conv2", lambda x: conv_valid(x, 16, 16, 3, 2, "conv2"))], "relu2")
    if mode == "nearest":
        u = t.node("Resize", [b, t.const("up/roi", np.zeros(0, np.float32)),
                              t.const("up/scales", np.array([1, 2, 2, 1], np.float32))], "up_sampling2d", mode="nearest",
                   coordinate_transformation_mode="asymmetric", nearest_mode="floor")
    else:
        u = t.node("Resize", [b, "", t.const("up/scales", np.array([1, 2, 2, 1], np.float32))], "up_sampling2d",
                   mode="linear", coordinate_transformation_mode="half_pixel")
    y = t.node("Concat", [u, a], "skip", axis=3)
    y = t.node("Relu", [nchw(y, "head", lambda x: t.conv(x, 32, 8, 3, 1, "head"))], "seg")
    path = os.path.join(d, f"pad_upsample_{mode}.onnx")
    t.save(path, ["unk__1", 20, 18, 3], [("seg", ["unk__2", 20, 18, 8])], opset)
    return path, (20, 18, 3), [], 1


def split_slice(d):
    """A ShuffleNet-like unit in NHWC between wrapped convs: a channel Split (axis 3, sizes as an
    input) whose halves take their own convs, a channel Slice (axes [3]) of the block input and a
    Slice with negative axes and no steps, a Concat along axis 3 of the three."""
    t = Tf(7)

    def nchw(x, name, op):
        return t.transpose(op(t.transpose(x, [0, 3, 1, 2], name + "/to_nchw")), [0, 2, 3, 1], name + "/to_nhwc")

    a = t.node("Relu", [nchw("input:0", "conv1", lambda x: t.conv(x, 3, 16, 3, 2, "conv1"))], "relu1")
    t.nodes.append(helper.make_node("Split", [a, t.const("split/sizes", np.array([8, 8], np.int64))],
                                    ["half0", "half1"], name="split", axis=3))
    h0 = t.node("Relu", [nchw("half0", "c0", lambda x: t.conv(x, 8, 8, 3, 1, "c0"))], "relu_c0")
    h1 = t.node("Relu", [nchw("half1", "c1", lambda x: t.conv(x, 8, 8, 1, 1, "c1"))], "relu_c1")
    sl = t.node("Slice", [a, t.const("sl/starts", np.array([4], np.int64)), t.const("sl/ends", np.array([12], np.int64)),
                          t.const("sl/axes", np.array([-1], np.int64))], "slice")
    y = t.node("Concat", [h0, h1, sl], "cat", axis=3)
    y = t.node("Relu", [nchw(y, "head", lambda x: t.conv(x, 24, 8, 3, 1, "head"))], "head_relu")
    y = t.node("ReduceMean", [y], "gap", axes=[1, 2], keepdims=0)
    t.node("Gemm", [y, t.const("dense/kernel", t.rng.normal(0, 0.3, (8, 10)).astype(np.float32)),
                    t.const("dense/bias", np.zeros(10, np.float32))], "logits")
    path = os.path.join(d, "split_slice.onnx")
    t.save(path, ["unk__1", 24, 20, 3], [("logits", ["unk__2", 10])], 13)
    return path, (24, 20, 3), [], 1


def uint8_preprocessing(d):
    """A uint8 NHWC image input cast to float, Transposed, normalized by a per-channel mean and
    1/std (Keras's preprocessing after the layout change), then convs: the Transpose stays the
    host's layout change before the input's quantization (it must not sink past the
    normalization, which folds into the first conv)."""
    t = Tf(4)
    x = t.node("Cast", ["input:0"], "cast", to=TensorProto.FLOAT)
    x = t.transpose(x, [0, 3, 1, 2], "input_nchw")
    x = t.node("Sub", [x, t.const("mean", np.array([123.7, 116.3, 103.5], np.float32).reshape(1, 3, 1, 1))], "sub")
    x = t.node("Mul", [x, t.const("istd", (1 / np.array([58.4, 57.1, 57.4], np.float32)).reshape(1, 3, 1, 1))],
               "norm")
    y = t.relu6(t.conv(x, 3, 16, 3, 2, "conv1"), "conv1_relu")
    y = t.node("Relu", [t.conv(y, 16, 16, 3, 1, "conv2")], "logits")
    path = os.path.join(d, "uint8_preprocessing.onnx")
    t.save(path, ["unk__1", 40, 36, 3], [("logits", ["unk__2", 16, 20, 18])], 13, TensorProto.UINT8)
    return path, (40, 36, 3), [], 1


def cosine(a, b):
    a, b = a.astype(np.float64).ravel(), b.astype(np.float64).ravel()
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b) + 1e-30))


def check_model(d, path, in_shape, cpu_ops, n_out, nhwc_output=False):
    name = os.path.splitext(os.path.basename(path))[0]
    rng = np.random.default_rng(5)
    pixels = onnx.load(path).graph.input[0].type.tensor_type.elem_type == TensorProto.UINT8
    x, calib = ((rng.integers(0, 256, (n,) + in_shape) if pixels else rng.normal(0, 1, (n,) + in_shape)).astype(np.float32)
                for n in (1, 8))
    xf, cf, ref = (os.path.join(d, f"{name}_{s}.npy") for s in ("x", "calib", "ref"))
    np.save(xf, x)
    np.save(cf, calib)
    r = subprocess.run(["node", ORT, path, xf, ref], capture_output=True, text=True,
                       env=dict(os.environ, ORT_RUN_ALL_OUTPUTS="1"))
    if r.returncode:
        check(False, f"{name}: onnxruntime failed: {r.stderr.strip()[-300:]}")
        return
    refs = [np.load(ref)] + [np.load(ref[:-4] + f"_{o}.npy") for o in range(1, n_out)]
    for cfg in ("pynq", "ultra96"):
        pkg = os.path.join(d, f"{name}.{cfg}.dlvta")
        r = run([DLVTA, "compile", path, "-o", pkg, "--config", cfg, "--calib", cf])
        log = r.stdout + r.stderr
        part = next((ln for ln in log.splitlines() if ln.startswith("partition:")), log.strip()[-300:])
        # the input's layout change, the NHWC output's (a second model output) and cpu_ops: nothing else
        want = ["a layout change of the model's input"] + cpu_ops
        cpu = part.split(" CPU nodes")[0].rsplit(" ", 1)[-1] if " CPU nodes" in part else "?"
        n_cpu = 1 + len(cpu_ops) + (1 if n_out > 1 or nhwc_output else 0)
        check(r.returncode == 0 and cpu == str(n_cpu) and all(w in part for w in want),
              f"{name} ({cfg}): {n_cpu} CPU steps (the input's Transpose{', the NHWC output' if n_cpu > 1 + len(cpu_ops) else ''}"
              f"{', ' + ', '.join(cpu_ops) if cpu_ops else ''}): {part[:230]}")
        if r.returncode:
            continue
        out = os.path.join(d, f"{name}.{cfg}.out.npy")
        r = run([DLVTA, "run", pkg, "--input", xf, "--output", out])
        if r.returncode:
            check(False, f"{name} ({cfg}): run failed: {(r.stdout + r.stderr).strip()[-300:]}")
            continue
        outs = [np.load(out)] + [np.load(out[:-4] + f"_{o}.npy") for o in range(1, n_out)]
        if pixels:
            uint8_files(d, name, cfg, pkg, x, outs[0])
        for o in range(n_out):
            ok = outs[o].shape == refs[o].shape
            c = cosine(outs[o], refs[o]) if ok else 0.0
            check(ok and c >= 0.999, f"{name} ({cfg}): output {o} {refs[o].shape} against onnxruntime on fsim: "
                  f"cosine {c:.5f}" + ("" if ok else f" (shape {outs[o].shape})"))


def uint8_files(d, name, cfg, pkg, x, y):
    """A uint8 input (the package records it, format 3): a uint8 file gives the float32 file's
    outputs; the image scaled to [0, 1] (float32, not integers) is refused naming the input and
    its type, as onnxruntime would refuse the float type."""
    xu, xs, out = (os.path.join(d, f"{name}_{s}.npy") for s in ("u8", "scaled", "u8out"))
    np.save(xu, x.astype(np.uint8)), np.save(xs, x / 255.0)
    r = run([DLVTA, "run", pkg, "--input", xu, "--output", out])
    check(r.returncode == 0 and np.array_equal(np.load(out), y),
          f"{name} ({cfg}): a uint8 file gives the float32 file's outputs {r.stderr.strip()[-200:]}")
    r = run([DLVTA, "run", pkg, "--input", xs, "--output", out])
    check(r.returncode == 1 and "input 'input:0' is uint8 in the model" in r.stderr and "not integers from 0 to 255" in r.stderr,
          f"{name} ({cfg}): the image scaled to [0, 1] is refused: {r.stderr.strip()[-220:]}")
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "python"))
    import dlvta
    with dlvta.Model(pkg) as m:
        iname, ishape = m.inputs[0]
        py = m.run(x.astype(np.uint8))[0]
        try:
            m.run(x / 255.0)
            refused = ""
        except dlvta.Error as e:
            refused = str(e)
        check(m.inputs[0].dtype == "uint8" and m.outputs[0].dtype == "float32" and iname == "input:0" and
              np.array_equal(py, y) and "is uint8 in the model" in refused,
              f"{name} ({cfg}): Python: inputs[0].dtype {m.inputs[0].dtype}, a uint8 array's outputs as the CLI's, "
              f"[0, 1] refused ({refused[-80:]})")


def compare_rows(d, path):
    """`dlvta compare` on the pynq package of check_model: every accelerator layer has its float
    reference, those whose tensors the layout rewrites made (the NCHW twins of the model's NHWC
    tensors) from the graph as the front end leaves it, and its int8 reference (split_slice's
    layers read channel views)."""
    name = os.path.splitext(os.path.basename(path))[0]
    pkg, xf = os.path.join(d, f"{name}.pynq.dlvta"), os.path.join(d, f"{name}_x.npy")
    got = compare_layers(name, path, pkg, xf)
    if got is None:
        return
    rc, acc = got
    missing = [s["node"] for s in acc if not s["float_reference"]]
    noref = [s["node"] for s in acc if not s.get("int8_ref")]
    check(rc == 0 and acc and not missing and not noref,
          f"{name}: dlvta compare: {len(acc)} accelerator layers, all bit-exact with the int8 reference, "
          f"a float reference for each (missing: {missing or 'none'}), an int8 reference for each (missing: "
          f"{noref or 'none'})")


def main():
    with tempfile.TemporaryDirectory() as d:
        for build in (round_trip, two_outputs, wrapped, uint8_preprocessing, split_slice):
            path = build(d)
            check_model(d, *path)
            if build in (wrapped, split_slice):
                compare_rows(d, path[0])
        for mode in ("nearest", "linear"):
            check_model(d, *pad_upsample(d, mode), nhwc_output=True)
    return summary()


if __name__ == "__main__":
    sys.exit(main())
