"""tests/onnx_opsets.py -- ONNX opsets 1 to 10 (what the ONNX model zoo's older models, Caffe2's
exporter and torch.onnx.export(opset_version=7..10) write, read as opset 11: ir_upgrade_opset;
those before 7, which onnxruntime does not read, against onnxruntime on a twin in opset 11's
form) and 18 to 25
(what newer exporters write: torch's dynamo exporter writes opset 18 and later): each change of
those opsets to an operator dlvta reads, built as a one- or few-node model with onnx.helper at
the opset that introduced it, run by `dlvta reference` (the float reference executor) against
onnxruntime (tools/ort/ort_run.js, which reads every opset here); the changes dlvta does not
implement are refused with one error naming the node and the op; small CNNs at opsets 21, 10, 9,
8 and 7 (Pad with an axes input or its attributes, Mish, ReduceMean with an axes input, Resize
with an axes attribute, Upsample, Clip-6, Slice-1, ImageScaler, a three-way Sum; MNIST-8's
layout at IR version 3; super-resolution-10's pixel shuffle) and Caffe2-style CNNs at opsets 3 and
5 (biases added by attribute broadcast, Reshape-1, Concat-1), model-local functions, and
onnxruntime's saved-after-optimization FusedConv / FusedGemm, whose every node runs on the
accelerator, compiled for tiny and pynq and run on fsim against onnxruntime.

    /usr/bin/python3 tests/onnx_opsets.py [--keep DIR]

Ends with "N passed, N failed".
"""
import argparse
import os
import shutil
import sys
import tempfile

import numpy as np
import onnx
from onnx import TensorProto as T
from onnx import helper as h

from onnx_check import DLVTA, ORT, check, f32, i64, run, summary


def model(opset, nodes, shape, inits=(), out_type=T.FLOAT):
    x = h.make_tensor_value_info("x", T.FLOAT, list(shape))
    y = h.make_tensor_value_info("y", out_type, None)
    g = h.make_graph(nodes, "g", [x], [y], initializer=list(inits))
    m = h.make_model(g, opset_imports=[h.make_opsetid("", opset)], producer_name="onnx_opsets.py")
    m.ir_version = 8
    return m


def ort(path, xin, yout):
    r = run(["node", ORT, path, xin, yout])
    return r.returncode == 0, r.stderr.strip()[-300:]


# ---- cases the reference executor must match onnxruntime on ----
def old_cases():
    """Opsets 7 to 10: the forms ir_upgrade_opset rewrites, and LRN."""
    C = []
    C.append(("Clip-6 min/max attributes (opset 7)", 7,
              [h.make_node("Clip", ["x"], ["y"], name="clip", min=-0.5, max=1.0)], (1, 3, 4, 4), []))
    C.append(("Clip-6 max only (opset 10)", 10, [h.make_node("Clip", ["x"], ["y"], name="clip", max=0.25)],
              (1, 3, 4, 4), []))
    C.append(("Pad-2 pads / value attributes (opset 9)", 9,
              [h.make_node("Pad", ["x"], ["y"], name="pad", pads=[0, 0, 1, 2, 0, 0, 2, 1], value=0.5)], (1, 2, 4, 5), []))
    C.append(("Pad-2 reflect (opset 10)", 10,
              [h.make_node("Pad", ["x"], ["y"], name="pad", mode="reflect", pads=[0, 0, 1, 2, 0, 0, 2, 1])],
              (1, 2, 4, 5), []))
    C.append(("Slice-1 starts / ends / axes attributes (opset 9)", 9,
              [h.make_node("Slice", ["x"], ["y"], name="sl", axes=[3, 1], starts=[1, 1], ends=[-1, 100])],
              (1, 3, 4, 5), []))
    C.append(("Slice-1 without axes (opset 7)", 7,
              [h.make_node("Slice", ["x"], ["y"], name="sl", starts=[0, 1, 1], ends=[1, 3, 3])], (1, 3, 4, 5), []))
    for mode, sc in (("nearest", [1.0, 1.0, 2.0, 3.0]), ("linear", [1.0, 1.0, 2.0, 2.0])):
        C.append((f"Upsample-7 scales attribute, {mode} {sc[2:]} (opset 7)", 7,
                  [h.make_node("Upsample", ["x"], ["y"], name="up", mode=mode, scales=sc)], (1, 2, 3, 4), []))
    C.append(("Upsample-9 scales input, nearest x2 (opset 9)", 9,
              [h.make_node("Upsample", ["x", "s"], ["y"], name="up")], (1, 2, 3, 4), [f32("s", [1, 1, 2, 2])]))
    C.append(("Upsample-9 scales from a Constant node, linear x2 (opset 9)", 9,
              [h.make_node("Constant", [], ["s"], name="k", value=f32("kv", [1, 1, 2, 2])),
               h.make_node("Upsample", ["x", "s"], ["y"], name="up", mode="linear")], (1, 2, 3, 4), []))
    for mode, sc in (("nearest", [1, 1, 2, 2]), ("linear", [1, 1, 2, 1.5]), ("nearest", [1, 1, 0.5, 0.5]),
                     ("nearest", [1, 1, 0.6, 0.75]), ("linear", [1, 1, 0.5, 0.5])):
        C.append((f"Resize-10 {mode} {sc[2:]} (opset 10)", 10,
                  [h.make_node("Resize", ["x", "s"], ["y"], name="rz", mode=mode)], (1, 2, 6, 8), [f32("s", sc)]))
    C.append(("ImageScaler scale and bias per channel (opset 8)", 8,
              [h.make_node("ImageScaler", ["x"], ["y"], name="is", scale=2.0, bias=[0.1, -0.2, 0.3])], (1, 3, 4, 5), []))
    C.append(("LRN size 5 (opset 7)", 7,
              [h.make_node("LRN", ["x"], ["y"], name="lrn", size=5, alpha=1e-2, beta=0.75, bias=1.0)], (1, 7, 3, 3), []))
    C.append(("LRN size 3, defaults (opset 13)", 13, [h.make_node("LRN", ["x"], ["y"], name="lrn", size=3)],
              (1, 6, 3, 3), []))
    return C


def cases():
    C = old_cases()
    pads_axes = [i64("p", [1, 2, 0, 1]), i64("ax", [2, -1]), f32("v", 0.5)]
    C.append(("Pad-18 axes input (constant 0.5)", 18, [h.make_node("Pad", ["x", "p", "v", "ax"], ["y"], name="pad")],
              (1, 2, 4, 5), pads_axes))
    C.append(("Pad-18 axes input, reflect", 18,
              [h.make_node("Pad", ["x", "p", "", "ax"], ["y"], name="pad", mode="reflect")], (1, 2, 4, 5), pads_axes))
    C.append(("Pad-19 wrap", 19, [h.make_node("Pad", ["x", "p"], ["y"], name="pad", mode="wrap")], (1, 2, 4, 5),
              [i64("p", [0, 0, 2, 1, 0, 0, 1, 3])]))
    C.append(("ReduceMean-18 axes input", 18, [h.make_node("ReduceMean", ["x", "a"], ["y"], name="rm")], (1, 3, 4, 5),
              [i64("a", [2, 3])]))
    C.append(("ReduceMax-20 axes input, keepdims 0", 20,
              [h.make_node("ReduceMax", ["x", "a"], ["y"], name="rx", keepdims=0)], (1, 3, 4, 5), [i64("a", [1])]))
    C.append(("ReduceSumSquare-18 no axes, noop_with_empty_axes 0", 18,
              [h.make_node("ReduceSumSquare", ["x"], ["y"], name="rs")], (1, 3, 4, 5), []))
    C.append(("ReduceL2-18 axes input [-1]", 18, [h.make_node("ReduceL2", ["x", "a"], ["y"], name="rl")], (1, 3, 4, 5),
              [i64("a", [-1])]))
    split = [h.make_node("Split", ["x"], ["s0", "s1", "s2"], name="split", axis=1, num_outputs=3),
             h.make_node("Mul", ["s2", "two"], ["s2x"], name="mul"),
             h.make_node("Concat", ["s2x", "s0", "s1"], ["y"], name="cat", axis=1)]
    C.append(("Split-18 num_outputs (8 channels: 3, 3, 2)", 18, split, (1, 8, 3, 3), [f32("two", 2.0)]))
    C.append(("Resize-18 axes [2, 3], nearest x2", 18,
              [h.make_node("Resize", ["x", "", "s"], ["y"], name="rz", axes=[2, 3], mode="nearest")], (1, 2, 3, 4),
              [f32("s", [2.0, 2.0])]))
    C.append(("Resize-18 sizes, keep_aspect_ratio_policy not_larger, linear", 18,
              [h.make_node("Resize", ["x", "", "", "z"], ["y"], name="rz", axes=[2, 3], mode="linear",
                           keep_aspect_ratio_policy="not_larger")], (1, 2, 4, 6), [i64("z", [7, 20])]))
    C.append(("Resize-18 sizes, keep_aspect_ratio_policy not_smaller, nearest", 18,
              [h.make_node("Resize", ["x", "", "", "z"], ["y"], name="rz", axes=[3, 2], mode="nearest",
                           keep_aspect_ratio_policy="not_smaller")], (1, 2, 4, 6), [i64("z", [9, 5])]))
    C.append(("Resize-18 antialias upsampling (no effect), linear", 18,
              [h.make_node("Resize", ["x", "", "s"], ["y"], name="rz", mode="linear", antialias=1)], (1, 2, 3, 4),
              [f32("s", [1.0, 1.0, 2.0, 1.5])]))
    C.append(("Resize-19 half_pixel_symmetric, linear x1.7", 19,
              [h.make_node("Resize", ["x", "", "s"], ["y"], name="rz", mode="linear",
                           coordinate_transformation_mode="half_pixel_symmetric")], (1, 2, 3, 5),
              [f32("s", [1.0, 1.0, 1.7, 1.7])]))
    C.append(("Resize-19 half_pixel_symmetric, nearest x1.5", 19,
              [h.make_node("Resize", ["x", "", "s"], ["y"], name="rz", mode="nearest",
                           coordinate_transformation_mode="half_pixel_symmetric")], (1, 2, 4, 5),
              [f32("s", [1.0, 1.0, 1.5, 1.5])]))
    for incl in (0, 1):
        C.append((f"AveragePool-19 dilations 2, count_include_pad {incl}", 19,
                  [h.make_node("AveragePool", ["x"], ["y"], name="ap", kernel_shape=[3, 3], dilations=[2, 2],
                               pads=[2, 1, 2, 1], count_include_pad=incl)], (1, 2, 7, 6), []))
    for a in ("none", "tanh"):
        C.append((f"Gelu-20 approximate {a}", 20, [h.make_node("Gelu", ["x"], ["y"], name="gelu", approximate=a)],
                  (1, 3, 4, 4), []))
    C.append(("Mish-18", 18, [h.make_node("Mish", ["x"], ["y"], name="mish")], (1, 3, 4, 4), []))
    C.append(("Swish-24 alpha 0.7", 24, [h.make_node("Swish", ["x"], ["y"], name="swish", alpha=0.7)], (1, 3, 4, 4), []))
    rs = np.random.RandomState(5)
    C.append(("GroupNormalization-18 (scale per group)", 18,
              [h.make_node("GroupNormalization", ["x", "sc", "b"], ["y"], name="gn", num_groups=3, epsilon=1e-3)],
              (1, 6, 4, 4), [f32("sc", rs.rand(3) + 0.5), f32("b", rs.randn(3))]))
    C.append(("GroupNormalization-21 (scale per channel)", 21,
              [h.make_node("GroupNormalization", ["x", "sc", "b"], ["y"], name="gn", num_groups=2)],
              (1, 6, 4, 4), [f32("sc", rs.rand(6) + 0.5), f32("b", rs.randn(6))]))
    C.append(("RMSNormalization-23 axis -1", 23,
              [h.make_node("RMSNormalization", ["x", "sc"], ["y"], name="rms", epsilon=1e-4)], (1, 3, 4, 5),
              [f32("sc", rs.rand(5) + 0.5)]))
    C.append(("RMSNormalization-23 axis 1, scale [C, 1, 1]", 23,
              [h.make_node("RMSNormalization", ["x", "sc"], ["y"], name="rms", axis=1)], (1, 3, 4, 5),
              [f32("sc", rs.rand(3, 1, 1) + 0.5)]))
    qdq = [h.make_node("QuantizeLinear", ["x", "qs"], ["q"], name="q", output_dtype=T.INT8),
           h.make_node("DequantizeLinear", ["q", "qs"], ["y"], name="dq")]
    C.append(("QuantizeLinear-21 output_dtype int8 without a zero point", 21, qdq, (1, 3, 4, 4), [f32("qs", 0.02)]))
    C.append(("Cast-19 saturate to float32 (a no-op here)", 19,
              [h.make_node("Cast", ["x"], ["y"], name="cast", to=T.FLOAT, saturate=1)], (1, 3, 2, 2), []))
    conv = [h.make_node("Conv", ["x", "w"], ["c"], name="conv", pads=[1, 1, 1, 1]),
            h.make_node("Relu", ["c"], ["y"], name="relu")]
    C.append(("Conv-22 + Relu (a types-only version)", 22, conv, (1, 3, 5, 5),
              [f32("w", rs.randn(4, 3, 3, 3) * 0.3)]))
    return C


# ---- changes dlvta does not implement: one clear error naming the node and op ----
def legacy_cases():
    """Opsets 1 to 6 (Caffe2's exports and the ONNX model zoo's -3 and -6 models): broadcasting by
    attribute, consumed_inputs, Reshape-1's shape and Pad-1's paddings attributes, Concat-1 without
    axis, Cast-1's type name, the experimental Upsample. Each is a legacy model and its twin in
    opset 11's form; onnxruntime (which reads opsets from 7) runs the twin."""
    rs = np.random.RandomState(6)
    bv = rs.randn(3)
    L = []
    L.append(("Add broadcast 1 axis 1, a per-channel constant (opset 6)", 6,
              [h.make_node("Add", ["x", "b"], ["y"], name="add", broadcast=1, axis=1)], (2, 3, 4, 5), [f32("b", bv)],
              [h.make_node("Add", ["x", "b"], ["y"])], [f32("b", bv.reshape(3, 1, 1))]))
    w34 = rs.randn(3, 4)
    L.append(("Mul broadcast 1 axis 1 of a [3, 4] constant (opset 3)", 3,
              [h.make_node("Mul", ["x", "w"], ["y"], name="mul", broadcast=1, axis=1)], (2, 3, 4, 5),
              [f32("w", w34)], [h.make_node("Mul", ["x", "w"], ["y"])], [f32("w", w34.reshape(3, 4, 1))]))
    L.append(("Sub broadcast 1 axis 0 of a computed [2] tensor: an Unsqueeze (opset 6)", 6,
              [h.make_node("ReduceMean", ["x"], ["m"], name="mean", axes=[1, 2, 3], keepdims=0),
               h.make_node("Sub", ["x", "m"], ["y"], name="sub", broadcast=1, axis=0)], (2, 3, 4, 5), [],
              [h.make_node("ReduceMean", ["x"], ["m"], axes=[1, 2, 3], keepdims=1),
               h.make_node("Sub", ["x", "m"], ["y"])], []))
    L.append(("Div broadcast 1 without axis (suffix, numpy's rule; opset 6)", 6,
              [h.make_node("Div", ["x", "d"], ["y"], name="div", broadcast=1)], (2, 3, 4, 5),
              [f32("d", rs.rand(5) + 0.5)], [h.make_node("Div", ["x", "d"], ["y"])], None))
    L.append(("Relu, Sum, BatchNormalization with consumed_inputs and is_test (opset 5)", 5,
              [h.make_node("Relu", ["x"], ["r"], name="relu", consumed_inputs=[0]),
               h.make_node("BatchNormalization", ["r", "g", "be", "mu", "var"], ["n"], name="bn", is_test=1,
                           epsilon=1e-3, consumed_inputs=[0, 0, 0, 1, 1]),
               h.make_node("Sum", ["n", "x"], ["y"], name="sum")], (1, 3, 4, 5),
              [f32("g", rs.rand(3) + .5), f32("be", rs.randn(3)), f32("mu", rs.randn(3)), f32("var", rs.rand(3) + .5)],
              [h.make_node("Relu", ["x"], ["r"]),
               h.make_node("BatchNormalization", ["r", "g", "be", "mu", "var"], ["n"], epsilon=1e-3),
               h.make_node("Sum", ["n", "x"], ["y"])], None))
    L.append(("Dropout is_test, Reshape-1 shape attribute with 0 and -1 (opset 4)", 4,
              [h.make_node("Dropout", ["x"], ["d"], name="drop", is_test=1, ratio=0.5),
               h.make_node("Reshape", ["d"], ["y"], name="flat", shape=[0, -1])], (2, 3, 4, 5), [],
              [h.make_node("Dropout", ["x"], ["d"]), h.make_node("Reshape", ["d", "s"], ["y"])], [i64("s", [0, -1])]))
    L.append(("Pad-1 paddings attribute (opset 1)", 1,
              [h.make_node("Pad", ["x"], ["y"], name="pad", paddings=[0, 0, 1, 2, 0, 0, 2, 1], value=0.5)], (1, 2, 4, 5),
              [], [h.make_node("Pad", ["x", "p", "v"], ["y"])], [i64("p", [0, 0, 1, 2, 0, 0, 2, 1]), f32("v", 0.5)]))
    L.append(("Concat-1 without axis (channels), Cast-1 to 'FLOAT' (opset 3)", 3,
              [h.make_node("Relu", ["x"], ["r"], name="relu"), h.make_node("Concat", ["x", "r"], ["c"], name="cat"),
               h.make_node("Cast", ["c"], ["y"], name="cast", to="FLOAT")], (1, 2, 4, 5), [],
              [h.make_node("Relu", ["x"], ["r"]), h.make_node("Concat", ["x", "r"], ["c"], axis=1),
               h.make_node("Cast", ["c"], ["y"], to=T.FLOAT)], []))
    L.append(("Upsample (experimental) height_scale 2 width_scale 3 (opset 6)", 6,
              [h.make_node("Upsample", ["x"], ["y"], name="up", height_scale=2.0, width_scale=3.0)], (1, 2, 3, 4), [],
              [h.make_node("Resize", ["x", "roi", "s"], ["y"], mode="nearest",
                           coordinate_transformation_mode="asymmetric", nearest_mode="floor")],
              [f32("roi", np.zeros(0)), f32("s", [1, 1, 2, 3])]))
    return L


def legacy_run(d, k, case, rs):
    """A legacy case: `dlvta reference` of the legacy model against onnxruntime on its twin (the
    legacy model's constants unless the twin has its own)."""
    name, opset, nodes, shape, inits, twin, twin_inits = case
    legacy, modern = model(opset, nodes, shape, inits), model(11, twin, shape, inits if twin_inits is None else twin_inits)
    paths = [os.path.join(d, f"legacy{k}{w}.onnx") for w in ("", "_twin")]
    onnx.save(legacy, paths[0]), onnx.save(modern, paths[1])
    x = os.path.join(d, f"legacy{k}_x.npy")
    np.save(x, (rs.randn(*shape) * 1.5).astype(np.float32))
    ok, why = ort(paths[1], x, os.path.join(d, f"legacy{k}_ort.npy"))
    r = run([DLVTA, "reference", paths[0], "--input", x, "--output", os.path.join(d, f"legacy{k}_ref.npy")])
    if not ok or r.returncode:
        check(False, f"{name}: onnxruntime {why} / dlvta reference {(r.stdout + r.stderr).strip()[-300:]}")
        return
    want, got = np.load(os.path.join(d, f"legacy{k}_ort.npy")), np.load(os.path.join(d, f"legacy{k}_ref.npy"))
    same = want.size == got.size
    err = float(np.max(np.abs(want.astype(np.float64) - got.reshape(want.shape)))) if same else float("inf")
    check(same and err <= 1e-5 * max(1.0, float(np.max(np.abs(want)))),
          f"{name}: {want.size} elements of {want.shape} as its opset-11 twin on onnxruntime, max |error| {err:.2e}")


def refusals():
    R = []
    R.append(("Resize-18 antialias when downscaling", 18,
              [h.make_node("Resize", ["x", "", "s"], ["y"], name="rz", mode="linear", antialias=1)], (1, 2, 8, 8),
              [f32("s", [1.0, 1.0, 0.5, 0.5])], ["'rz'", "Resize", "antialias"]))
    R.append(("QuantizeLinear-21 block_size", 21,
              [h.make_node("QuantizeLinear", ["x", "qs"], ["q"], name="q", axis=1, block_size=2),
               h.make_node("DequantizeLinear", ["q", "qs"], ["y"], name="dq", axis=1, block_size=2)],
              (1, 4, 2, 2), [f32("qs", np.full((1, 2, 2, 2), 0.02))], ["'q'", "QuantizeLinear", "block_size"]))
    R.append(("Pad-18 axes repeated", 18, [h.make_node("Pad", ["x", "p", "", "ax"], ["y"], name="pad")], (1, 2, 4, 5),
              [i64("p", [1, 1, 1, 1]), i64("ax", [2, 2])], ["'pad'", "Pad", "repeated"]))
    R.append(("Resize-18 scales of the wrong length for axes", 18,
              [h.make_node("Resize", ["x", "", "s"], ["y"], name="rz", axes=[2, 3])], (1, 2, 3, 4),
              [f32("s", [1.0, 1.0, 2.0, 2.0])], ["'rz'", "Resize", "scales must have 2"]))
    R.append(("opset 26", 26, [h.make_node("Relu", ["x"], ["y"], name="relu")], (1, 2, 2, 2), [],
              ["opset 26", "1 to 25"]))
    R.append(("opset 0", 0, [h.make_node("Relu", ["x"], ["y"], name="relu")], (1, 2, 2, 2), [], ["opset 0", "1 to 25"]))
    R.append(("Add-6 axis out of A's rank", 6, [h.make_node("Add", ["x", "b"], ["y"], name="add", broadcast=1, axis=4)],
              (1, 2, 2, 2), [f32("b", [1, 2])], ["'add'", "Add", "does not fit"]))
    R.append(("FusedConv with an activation it does not know", 13,
              [h.make_node("FusedConv", ["x", "w"], ["y"], name="fc", domain="com.microsoft", activation="Softplus")],
              (1, 2, 4, 4), [f32("w", np.ones((2, 2, 1, 1)))], ["'fc'", "FusedConv", "'Softplus'"]))
    R.append(("Cast-1 to an unknown type name", 5, [h.make_node("Cast", ["x"], ["y"], name="cast", to="REAL")],
              (1, 2, 2, 2), [], ["'cast'", "Cast", "'REAL'"]))
    R.append(("Tile-1 (tiles and axis inputs)", 5, [h.make_node("Tile", ["x", "t", "a"], ["y"], name="tile")],
              (1, 2, 2, 2), [f32("t", [2]), f32("a", [1])], ["'tile'", "Tile", "inputs"]))
    R.append(("Upsample-7 mode cubic", 7,
              [h.make_node("Upsample", ["x"], ["y"], name="up", mode="cubic", scales=[1.0, 1.0, 2.0, 2.0])],
              (1, 2, 3, 4), [], ["'up'", "Upsample", "cubic"]))
    R.append(("Upsample-9 int64 scales", 9, [h.make_node("Upsample", ["x", "s"], ["y"], name="up")], (1, 2, 3, 4),
              [i64("s", [1, 1, 2, 2])], ["'up'", "Upsample", "float32"]))
    R.append(("Resize-10 with three inputs", 10, [h.make_node("Resize", ["x", "s", "s"], ["y"], name="rz")], (1, 2, 3, 4),
              [f32("s", [1, 1, 2, 2])], ["'rz'", "Resize", "3 inputs"]))
    R.append(("Pad-2 without pads", 9, [h.make_node("Pad", ["x"], ["y"], name="pad")], (1, 2, 3, 4), [],
              ["'pad'", "Pad", "pads attribute is missing"]))
    R.append(("Resize-10 nearest up on one axis and down by a fraction on another", 10,
              [h.make_node("Resize", ["x", "s"], ["y"], name="rz")], (1, 2, 6, 8), [f32("s", [1, 1, 2, 0.6])],
              ["'rz'", "Resize", "upscales some axes"]))
    return R


def accel_model():
    """A small CNN at opset 21: Pad with an axes input before a conv (fold-pad), Mish (an ALU
    table), Resize nearest x2 with an axes attribute, ReduceMean over H, W by an axes input
    (a global pool), Gemm."""
    rs = np.random.RandomState(7)
    nodes = [h.make_node("Pad", ["x", "p", "", "pax"], ["xp"], name="pad"),
             h.make_node("Conv", ["xp", "w1", "b1"], ["c1"], name="conv1"),
             h.make_node("Mish", ["c1"], ["m1"], name="mish"),
             h.make_node("Resize", ["m1", "", "s"], ["u"], name="up", axes=[2, 3], mode="nearest"),
             h.make_node("Conv", ["u", "w2", "b2"], ["c2"], name="conv2", pads=[1, 1, 1, 1], strides=[2, 2]),
             h.make_node("Relu", ["c2"], ["r2"], name="relu2"),
             h.make_node("ReduceMean", ["r2", "rax"], ["g"], name="gap", keepdims=0),
             h.make_node("Gemm", ["g", "wf", "bf"], ["y"], name="fc", transB=1)]
    inits = [i64("p", [1, 1, 1, 1]), i64("pax", [2, 3]), f32("w1", rs.randn(16, 3, 3, 3) * 0.3),
             f32("b1", rs.randn(16) * 0.1), f32("s", [2.0, 2.0]), f32("w2", rs.randn(16, 16, 3, 3) * 0.1),
             f32("b2", rs.randn(16) * 0.1), i64("rax", [2, 3]), f32("wf", rs.randn(10, 16) * 0.3),
             f32("bf", rs.randn(10) * 0.1)]
    return model(21, nodes, (1, 3, 8, 8), inits)


def accel_model_old(opset):
    """A small CNN at opset 7 or 9 as torch.onnx.export and the ONNX model zoo's older models
    write it: ImageScaler (tiny YOLOv2's first node, opset 7), Pad-2 attributes, Conv +
    BatchNormalization (spatial 1) + LeakyRelu, Clip-6, Upsample (scales attribute at 7, a
    Constant node's output at 9), a three-way Sum (Caffe2's ResNets add shortcuts so), Slice-1 of a
    channel range, MaxPool, GlobalAveragePool, Flatten, Gemm."""
    rs = np.random.RandomState(opset)
    first = "x"
    nodes = []
    if opset < 9:
        nodes.append(h.make_node("ImageScaler", ["x"], ["xs"], name="scaler", scale=1 / 64, bias=[-0.5, 0.25, 0.0]))
        first = "xs"
    up = h.make_node("Upsample", ["m1"], ["u"], name="up", scales=[1.0, 1.0, 2.0, 2.0])
    if opset >= 9:
        nodes.append(h.make_node("Constant", [], ["sc"], name="scales", value=f32("kv", [1, 1, 2, 2])))
        up = h.make_node("Upsample", ["m1", "sc"], ["u"], name="up")
    bn = dict(spatial=1) if opset < 9 else {}
    nodes += [h.make_node("Pad", [first], ["xp"], name="pad", pads=[0, 0, 1, 1, 0, 0, 1, 1]),
              h.make_node("Conv", ["xp", "w1", "b1"], ["c1"], name="conv1"),
              h.make_node("BatchNormalization", ["c1", "g", "be", "mu", "var"], ["n1"], name="bn1", epsilon=1e-3, **bn),
              h.make_node("LeakyRelu", ["n1"], ["l1"], name="leaky", alpha=0.1),
              h.make_node("MaxPool", ["l1"], ["m1"], name="pool", kernel_shape=[2, 2], strides=[2, 2]), up,
              h.make_node("Conv", ["u", "w2", "b2"], ["c2"], name="conv2", pads=[1, 1, 1, 1], strides=[2, 2]),
              h.make_node("Clip", ["c2"], ["r2"], name="relu6", min=0.0, max=6.0),
              h.make_node("Conv", ["r2", "w3", "b3"], ["c3"], name="conv3", pads=[1, 1, 1, 1]),
              h.make_node("Sum", ["c3", "r2", "c2"], ["z3"], name="shortcut"),
              h.make_node("Relu", ["z3"], ["r3"], name="relu3"),
              h.make_node("Slice", ["r3"], ["s2"], name="slice", axes=[1], starts=[0], ends=[16]),
              h.make_node("GlobalAveragePool", ["s2"], ["g2"], name="gap"),
              h.make_node("Flatten", ["g2"], ["f2"], name="flat"),
              h.make_node("Gemm", ["f2", "wf", "bf"], ["y"], name="fc", transB=1)]
    inits = [f32("w1", rs.randn(16, 3, 3, 3) * 0.3), f32("b1", rs.randn(16) * 0.1), f32("g", rs.rand(16) + 0.5),
             f32("be", rs.randn(16) * 0.1), f32("mu", rs.randn(16) * 0.1), f32("var", rs.rand(16) + 0.5),
             f32("w2", rs.randn(32, 16, 3, 3) * 0.1), f32("b2", rs.randn(32) * 0.1),
             f32("w3", rs.randn(32, 32, 3, 3) * 0.06), f32("b3", rs.randn(32) * 0.1), f32("wf", rs.randn(10, 16) * 0.3),
             f32("bf", rs.randn(10) * 0.1)]
    return model(opset, nodes, (1, 3, 16, 16), inits)


def caffe2_like(opset):
    """A CNN as Caffe2's ONNX exporter and the ONNX model zoo's -3 models write it (opset 3 or 5):
    Conv without bias, then Add of the bias by attribute (broadcast 1, axis 1); SpatialBN as
    BatchNormalization with is_test (and consumed_inputs at 5); Relu; MaxPool; two branches joined
    by a Concat without axis (opset 3); Dropout with is_test; Reshape-1 by its shape attribute (opset
    3); Gemm with broadcast 1. Returns the model and its twin in opset 11's form."""
    rs = np.random.RandomState(3 + opset)
    ci = dict(consumed_inputs=[0]) if opset == 5 else {}
    bn_ci = dict(consumed_inputs=[0, 0, 0, 1, 1]) if opset == 5 else {}
    cat_axis = dict(axis=1) if opset >= 4 else {}
    w = dict(w1=rs.randn(16, 3, 3, 3) * 0.3, b1=rs.randn(16) * 0.1, g=rs.rand(16) + 0.5, be=rs.randn(16) * 0.1,
             mu=rs.randn(16) * 0.1, var=rs.rand(16) + 0.5, w2=rs.randn(8, 16, 1, 1) * 0.3, b2=rs.randn(8) * 0.1,
             w3=rs.randn(8, 16, 3, 3) * 0.1, b3=rs.randn(8) * 0.1, wf=rs.randn(10, 256) * 0.05, bf=rs.randn(10) * 0.1)

    def net(old):
        bc = dict(broadcast=1, axis=1) if old else {}
        b = (lambda k: k) if old else (lambda k: k + "_c11")  # [C] by attribute, or [C, 1, 1]
        nodes = [h.make_node("Conv", ["x", "w1"], ["c1"], name="conv1", pads=[1, 1, 1, 1]),
                 h.make_node("Add", ["c1", b("b1")], ["a1"], name="bias1", **bc),
                 h.make_node("BatchNormalization", ["a1", "g", "be", "mu", "var"], ["n1"], name="bn1", epsilon=1e-5,
                             **(dict(is_test=1, **bn_ci) if old else {})),
                 h.make_node("Relu", ["n1"], ["r1"], name="relu1", **(ci if old else {})),
                 h.make_node("MaxPool", ["r1"], ["p1"], name="pool1", kernel_shape=[2, 2], strides=[2, 2]),
                 h.make_node("Conv", ["p1", "w2"], ["c2"], name="squeeze"),
                 h.make_node("Add", ["c2", b("b2")], ["a2"], name="bias2", **bc),
                 h.make_node("Conv", ["p1", "w3"], ["c3"], name="expand3", pads=[1, 1, 1, 1]),
                 h.make_node("Add", ["c3", b("b3")], ["a3"], name="bias3", **bc),
                 h.make_node("Concat", ["a2", "a3"], ["cat"], name="cat", **(cat_axis if old else dict(axis=1))),
                 h.make_node("Relu", ["cat"], ["r2"], name="relu2"),
                 h.make_node("MaxPool", ["r2"], ["p2"], name="pool2", kernel_shape=[2, 2], strides=[2, 2]),
                 h.make_node("Dropout", ["p2"], ["d2"], name="drop", ratio=0.5, **(dict(is_test=1) if old else {}))]
        if old and opset < 5:
            nodes.append(h.make_node("Reshape", ["d2"], ["f"], name="flat", shape=[1, -1]))
        else:
            nodes.append(h.make_node("Reshape", ["d2", "shape"], ["f"], name="flat"))
        nodes.append(h.make_node("Gemm", ["f", "wf", "bf"], ["y"], name="fc", transB=1, **(dict(broadcast=1) if old else {})))
        inits = [f32(k, v) for k, v in w.items()]
        if old and opset >= 5:
            inits.append(i64("shape", [1, -1]))
        if not old:
            inits += [f32(k + "_c11", w[k].reshape(-1, 1, 1)) for k in ("b1", "b2", "b3")] + [i64("shape", [1, -1])]
        return model(opset if old else 11, nodes, (1, 3, 16, 16), inits)

    return net(True), net(False)


def local_functions():
    """Model-local functions (ModelProto.functions, as torch.onnx.export(export_modules_as_functions=
    ...) and onnxscript write them): a ConvRelu function whose Conv takes its pads by reference to
    the call's attribute, called twice by a Block function (nested calls, the reference passed on,
    internal names that repeat in every call), the Block called twice by the graph."""
    rs = np.random.RandomState(15)
    pads = onnx.AttributeProto()
    pads.name, pads.ref_attr_name, pads.type = "pads", "p", onnx.AttributeProto.INTS
    conv = h.make_node("Conv", ["X", "W", "B"], ["t"], strides=[1, 1])
    conv.attribute.append(pads)
    conv_relu = h.make_function("local", "ConvRelu", ["X", "W", "B"], ["Y"],
                                [conv, h.make_node("Relu", ["t"], ["Y"])], [h.make_opsetid("", 15)], ["p"])
    pass_on = onnx.AttributeProto()
    pass_on.name, pass_on.ref_attr_name, pass_on.type = "p", "pad", onnx.AttributeProto.INTS
    c1 = h.make_node("ConvRelu", ["X", "W1", "B1"], ["t"], domain="local")
    c1.attribute.append(pass_on)
    c2 = h.make_node("ConvRelu", ["t", "W2", "B2"], ["u"], domain="local", p=[1, 1, 1, 1])
    block = h.make_function("local", "Block", ["X", "W1", "B1", "W2", "B2"], ["Y"],
                            [c1, c2, h.make_node("Add", ["u", "X"], ["Y"])], [h.make_opsetid("", 15),
                                                                              h.make_opsetid("local", 1)], ["pad"])
    nodes = [h.make_node("Conv", ["x", "ws", "bs"], ["s"], name="stem", pads=[1, 1, 1, 1]),
             h.make_node("Block", ["s", "w1", "b1", "w2", "b2"], ["k1"], name="block1", domain="local", pad=[1, 1, 1, 1]),
             h.make_node("Block", ["k1", "w3", "b3", "w4", "b4"], ["k2"], name="block2", domain="local",
                         pad=[1, 1, 1, 1]),
             h.make_node("GlobalAveragePool", ["k2"], ["g"], name="gap"),
             h.make_node("Flatten", ["g"], ["f"], name="flat"),
             h.make_node("Gemm", ["f", "wf", "bf"], ["y"], name="fc", transB=1)]
    inits = [f32("ws", rs.randn(8, 3, 3, 3) * 0.3), f32("bs", rs.randn(8) * 0.1)]
    for k in range(1, 5):
        inits += [f32(f"w{k}", rs.randn(8, 8, 3, 3) * 0.12), f32(f"b{k}", rs.randn(8) * 0.1)]
    inits += [f32("wf", rs.randn(10, 8) * 0.3), f32("bf", rs.randn(10) * 0.1)]
    m = model(15, nodes, (1, 3, 12, 12), inits)
    m.opset_import.append(h.make_opsetid("local", 1))
    m.functions.extend([conv_relu, block])
    return m


def function_refusals():
    """Model-local functions that call themselves, and calls that double 30 times (2^30 nodes):
    refused, not expanded without end."""
    x = h.make_tensor_value_info("x", T.FLOAT, [1, 2])
    y = h.make_tensor_value_info("y", T.FLOAT, None)
    ops = [h.make_opsetid("", 15), h.make_opsetid("l", 1)]
    fns = [h.make_function("l", "F0", ["X"], ["Y"], [h.make_node("Relu", ["X"], ["Y"])], ops, [])]
    for k in range(1, 31):
        fns.append(h.make_function("l", f"F{k}", ["X"], ["Y"], [h.make_node(f"F{k - 1}", ["X"], ["t"], domain="l"),
                                                                h.make_node(f"F{k - 1}", ["t"], ["Y"], domain="l")],
                                   ops, []))
    bomb = h.make_model(h.make_graph([h.make_node("F30", ["x"], ["y"], domain="l")], "g", [x], [y]), opset_imports=ops)
    bomb.functions.extend(fns)
    rec = h.make_model(h.make_graph([h.make_node("R", ["x"], ["y"], name="r", domain="l")], "g", [x], [y]),
                       opset_imports=ops)
    rec.functions.extend([h.make_function("l", "R", ["X"], ["Y"], [h.make_node("R", ["X"], ["Y"], domain="l")], ops, [])])
    # an attribute the call leaves out, of a function that may default it (attribute_proto, field
    # 11 of ONNX 1.13 on, appended by hand: this onnx.proto keeps it as an unknown field)
    alpha = onnx.AttributeProto()
    alpha.name, alpha.ref_attr_name, alpha.type = "alpha", "a", onnx.AttributeProto.FLOAT
    lrelu = h.make_node("LeakyRelu", ["X"], ["Y"])
    lrelu.attribute.append(alpha)
    fb = h.make_function("l", "LR", ["X"], ["Y"], [lrelu], ops[:1], ["a"]).SerializeToString()
    ab = h.make_attribute("a", 0.3).SerializeToString()
    assert len(ab) < 128
    fn = onnx.FunctionProto()
    fn.ParseFromString(fb + bytes([(11 << 3) | 2, len(ab)]) + ab)
    dflt = h.make_model(h.make_graph([h.make_node("LR", ["x"], ["y"], domain="l")], "g", [x], [y]), opset_imports=ops)
    dflt.functions.append(fn)
    return [("functions doubling 30 times", bomb, ["more than 1048576 nodes"]),
            ("a function that calls itself", rec, ["(R)", "more than 32 deep"]),
            ("a function attribute's default (attribute_proto)", dflt, ["(LeakyRelu)", "'alpha' refers to 'a'",
                                                                       "attribute_proto"])]


def ort_fused():
    """A CNN as onnxruntime saves it after its graph optimizations: com.microsoft FusedConv with
    Relu, with a residual sum input Z, with LeakyRelu, Clip (ReLU6) and HardSigmoid as
    activation_params; FusedGemm with Relu."""
    rs = np.random.RandomState(21)
    ms = "com.microsoft"
    nodes = [h.make_node("FusedConv", ["x", "w1", "b1"], ["c1"], name="c1", domain=ms, pads=[1, 1, 1, 1],
                         kernel_shape=[3, 3], activation="Relu"),
             h.make_node("FusedConv", ["c1", "w2", "b2"], ["c2"], name="c2", domain=ms, pads=[1, 1, 1, 1],
                         kernel_shape=[3, 3], activation="LeakyRelu", activation_params=[0.1]),
             h.make_node("FusedConv", ["c2", "w3", "b3", "c1"], ["c3"], name="c3", domain=ms, pads=[1, 1, 1, 1],
                         kernel_shape=[3, 3], activation="Relu"),
             h.make_node("FusedConv", ["c3", "w4", "b4"], ["c4"], name="c4", domain=ms, strides=[2, 2],
                         pads=[1, 1, 1, 1], kernel_shape=[3, 3], activation="Clip", activation_params=[0.0, 6.0]),
             h.make_node("FusedConv", ["c4", "w5", "b5"], ["c5"], name="c5", domain=ms, kernel_shape=[1, 1],
                         activation="HardSigmoid", activation_params=[0.2, 0.5]),
             h.make_node("GlobalAveragePool", ["c5"], ["g"], name="gap"),
             h.make_node("Flatten", ["g"], ["f"], name="flat"),
             h.make_node("FusedGemm", ["f", "wf", "bf"], ["y"], name="fc", domain=ms, transB=1, activation="Relu")]
    inits = [f32("w1", rs.randn(8, 3, 3, 3) * 0.3), f32("b1", rs.randn(8) * 0.1)]
    for k in range(2, 5):
        inits += [f32(f"w{k}", rs.randn(8, 8, 3, 3) * 0.12), f32(f"b{k}", rs.randn(8) * 0.1)]
    inits += [f32("w5", rs.randn(16, 8, 1, 1) * 0.3), f32("b5", rs.randn(16) * 0.1),
              f32("wf", rs.randn(10, 16) * 0.3), f32("bf", rs.randn(10) * 0.1)]
    m = model(13, nodes, (1, 3, 12, 12), inits)
    m.opset_import.append(h.make_opsetid(ms, 1))
    return m


def mnist8_like():
    """The layout of the ONNX model zoo's MNIST-8 (opset 8, IR version 3: the initializers listed
    as graph inputs too): Conv with auto_pad SAME_UPPER and no bias, then Add of a [C, 1, 1] bias;
    Reshape of a constant weight; MatMul + Add of a [1, 10] row as the dense layer."""
    rs = np.random.RandomState(8)
    nodes = [h.make_node("Conv", ["x", "W1"], ["c1"], auto_pad="SAME_UPPER", kernel_shape=[5, 5]),
             h.make_node("Add", ["c1", "B1"], ["a1"]), h.make_node("Relu", ["a1"], ["r1"]),
             h.make_node("MaxPool", ["r1"], ["p1"], kernel_shape=[2, 2], strides=[2, 2]),
             h.make_node("Conv", ["p1", "W2"], ["c2"], auto_pad="SAME_UPPER", kernel_shape=[5, 5]),
             h.make_node("Add", ["c2", "B2"], ["a2"]), h.make_node("Relu", ["a2"], ["r2"]),
             h.make_node("MaxPool", ["r2"], ["p2"], kernel_shape=[3, 3], strides=[3, 3]),
             h.make_node("Reshape", ["p2", "shp"], ["f"]), h.make_node("Reshape", ["W3raw", "shp3"], ["W3"]),
             h.make_node("MatMul", ["f", "W3"], ["m"]), h.make_node("Add", ["m", "B3"], ["y"])]
    inits = [f32("W1", rs.randn(8, 1, 5, 5) * .2), f32("B1", rs.randn(8, 1, 1) * .1),
             f32("W2", rs.randn(16, 8, 5, 5) * .07), f32("B2", rs.randn(16, 1, 1) * .1), i64("shp", [1, 256]),
             f32("W3raw", rs.randn(16, 4, 4, 10) * .06), i64("shp3", [256, 10]), f32("B3", rs.randn(1, 10) * .1)]
    m = model(8, nodes, (1, 1, 28, 28), inits)
    m.graph.input.extend([h.make_tensor_value_info(t.name, t.data_type, list(t.dims)) for t in inits])
    m.ir_version = 3
    return m


def tf_same_avgpool():
    """TensorFlow's SAME padding as tf2onnx writes it (opset 11): a strided Conv and an AveragePool
    with auto_pad SAME_UPPER (on 16 x 16, stride 2: pads 0 before, 1 after), the pool's padding left
    out of the average (count_include_pad 0), then a 3x3 stride-1 pool with explicit pads."""
    rs = np.random.RandomState(11)
    nodes = [h.make_node("Conv", ["x", "W1", "B1"], ["c1"], auto_pad="SAME_UPPER", kernel_shape=[3, 3], strides=[2, 2]),
             h.make_node("Relu", ["c1"], ["r1"]),
             h.make_node("AveragePool", ["r1"], ["p1"], auto_pad="SAME_UPPER", kernel_shape=[3, 3], strides=[2, 2],
                         count_include_pad=0),
             h.make_node("AveragePool", ["p1"], ["p2"], kernel_shape=[3, 3], pads=[1, 1, 1, 1], count_include_pad=0),
             h.make_node("Conv", ["p2", "W2", "B2"], ["y"])]
    inits = [f32("W1", rs.randn(16, 3, 3, 3) * .3), f32("B1", rs.randn(16) * .1), f32("W2", rs.randn(8, 16, 1, 1) * .3),
             f32("B2", rs.randn(8) * .1)]
    return model(11, nodes, (1, 3, 32, 32), inits)


def super_resolution10():
    """The layout of the ONNX model zoo's super-resolution-10 (PyTorch's PixelShuffle at opset 10:
    Reshape to 6-D -> Transpose -> Reshape, which normalize-reshape reads as DepthToSpace CRD)."""
    rs = np.random.RandomState(10)
    nodes = [h.make_node("Conv", ["x", "w1", "b1"], ["c1"], name="conv1", pads=[2, 2, 2, 2]),
             h.make_node("Relu", ["c1"], ["r1"], name="relu1"),
             h.make_node("Conv", ["r1", "w2", "b2"], ["c2"], name="conv2", pads=[1, 1, 1, 1]),
             h.make_node("Reshape", ["c2", "s6"], ["p6"], name="ps_split"),
             h.make_node("Transpose", ["p6"], ["pt"], name="ps_transpose", perm=[0, 1, 4, 2, 5, 3]),
             h.make_node("Reshape", ["pt", "s4"], ["y"], name="ps_merge")]
    inits = [f32("w1", rs.randn(16, 1, 5, 5) * 0.2), f32("b1", rs.randn(16) * 0.1), f32("w2", rs.randn(9, 16, 3, 3) * 0.1),
             f32("b2", rs.randn(9) * 0.1), i64("s6", [1, 1, 3, 3, 12, 12]), i64("s4", [1, 1, 36, 36])]
    return model(10, nodes, (1, 1, 12, 12), inits)


def cpu_opset_cases():
    """A conv on the accelerator, then a node on the CPU whose meaning changed with the opset: the
    package's runtime graph must run it at the model's opset (it ran every node at opset 17:
    Softmax-11 over a 4-D map normalized C only, not C x H x W; GroupNormalization-21's scale per
    channel was read as opset 17's per group)."""
    rs = np.random.RandomState(3)
    w = f32("w", rs.randn(8, 3, 3, 3) * 0.3)
    conv = h.make_node("Conv", ["x", "w"], ["c"], pads=[1, 1, 1, 1])
    return [
        ("softmax11", 11, [conv, h.make_node("Softmax", ["c"], ["y"], axis=1)], [w], "Softmax"),
        ("logsoftmax12", 12, [conv, h.make_node("LogSoftmax", ["c"], ["y"], axis=2)], [w], "LogSoftmax"),
        ("hardmax11", 11, [conv, h.make_node("Hardmax", ["c"], ["y"], axis=1)], [w], "Hardmax"),
        ("reducel2_18", 18, [conv, h.make_node("ReduceL2", ["c", "ax"], ["y"], keepdims=0)], [w, i64("ax", [1, 3])],
         "ReduceL2"),
        ("groupnorm21", 21, [conv, h.make_node("GroupNormalization", ["c", "gs", "gb"], ["y"], num_groups=2)],
         [w, f32("gs", rs.uniform(0.5, 1.5, 8)), f32("gb", rs.randn(8) * 0.3)], "GroupNormalization"),
        ("reducemax18", 18, [conv, h.make_node("Transpose", ["c"], ["t"], perm=[0, 2, 3, 1]),
                             h.make_node("Softmax", ["t"], ["s"], axis=-1),
                             h.make_node("ReduceMax", ["s", "ax"], ["y"], keepdims=1)], [w, i64("ax", [1, 2])],
         "ReduceMax"),
    ]


def cpu_opset_run(d, rs):
    for name, opset, nodes, inits, op in cpu_opset_cases():
        path, x, cal = (os.path.join(d, f"{name}{s}") for s in (".onnx", "_x.npy", "_cal.npy"))
        onnx.save(model(opset, nodes, (1, 3, 6, 5), inits), path)
        np.save(x, rs.randn(1, 3, 6, 5).astype(np.float32))
        np.save(cal, rs.randn(8, 3, 6, 5).astype(np.float32))
        ok, why = ort(path, x, os.path.join(d, f"{name}_ort.npy"))
        pkg, out = os.path.join(d, f"{name}.dlvta"), os.path.join(d, f"{name}_out.npy")
        r = run([DLVTA, "compile", path, "-o", pkg, "--config", "pynq", "--calib", cal, "--quiet"])
        part = next((ln for ln in (r.stdout + r.stderr).splitlines() if ln.startswith("partition:")), "")
        r2 = run([DLVTA, "run", pkg, "--input", x, "--output", out, "--quiet"]) if r.returncode == 0 else r
        if not ok or r.returncode or r2.returncode:
            check(False, f"{name} (opset {opset}): {why} {(r.stdout + r.stderr + r2.stdout + r2.stderr)[-300:]}")
            continue
        want, got = np.load(os.path.join(d, f"{name}_ort.npy")), np.load(out)
        same = want.shape == got.shape
        cos = float(np.dot(want.ravel(), got.ravel()) / (np.linalg.norm(want) * np.linalg.norm(got) + 1e-30)) if same else 0
        check(same and cos >= 0.999 and f"{op} x1" in part, f"{name}: {op} of opset {opset} on the CPU after an "
              f"accelerator conv, against onnxruntime on fsim: cosine {cos:.5f}, shape {got.shape} ({part[:90]})")


def accel_run(d, name, m, xv, calib=None, host=0, twin=None):
    """Model m compiled for tiny and pynq (calibrated on calib if given) with every node on the
    accelerator but the host nodes of its input's normalization (host of them), run on fsim
    against onnxruntime (on twin, the same model in a later opset's form, if given)."""
    opset = m.opset_import[0].version
    path, x = os.path.join(d, f"{name}.onnx"), os.path.join(d, f"{name}_x.npy")
    onnx.save(m, path)
    np.save(x, xv)
    ort_path = path
    if twin is not None:
        ort_path = os.path.join(d, f"{name}_twin.onnx")
        onnx.save(twin, ort_path)
    cal = []
    if calib is not None:
        cal = ["--calib", os.path.join(d, f"{name}_calib.npy")]
        np.save(cal[1], calib.astype(np.float32))
    ok, why = ort(ort_path, x, os.path.join(d, f"{name}_ort.npy"))
    check(ok, f"{name} model (opset {opset}): onnxruntime {why}")
    for cfg in ("tiny", "pynq"):
        pkg = os.path.join(d, f"{name}_{cfg}.dlvta")
        r = run([DLVTA, "compile", path, "-o", pkg, "--config", cfg, "--quiet"] + cal)
        log = r.stdout + r.stderr
        cpu = [ln for ln in log.splitlines() if ln.startswith("partition:")]
        want = f"{host} CPU nodes" if host else "0 CPU nodes"
        ok_cpu = cpu and want in cpu[0] and (not host or cpu[0].count("normalization of the model's input") == host)
        check(r.returncode == 0 and ok_cpu, f"{name} model (opset {opset}) compiles for {cfg} with every node on the "
              f"accelerator{' but its input normalization' if host else ''}: {cpu[0] if cpu else log[-300:]}")
        out = os.path.join(d, f"{name}_{cfg}_out.npy")
        r = run([DLVTA, "run", pkg, "--input", x, "--output", out, "--quiet"])
        if r.returncode or not ok:
            check(False, f"{name} model on fsim ({cfg}): {(r.stdout + r.stderr)[-300:]}")
            continue
        want, got = np.load(os.path.join(d, f"{name}_ort.npy")).ravel(), np.load(out).ravel()
        cos = float(np.dot(want, got) / (np.linalg.norm(want) * np.linalg.norm(got) + 1e-30))
        check(cos >= 0.999, f"{name} model (opset {opset}) on fsim ({cfg}) vs onnxruntime: cosine {cos:.5f} (>= 0.999)")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--keep")
    a = ap.parse_args()
    d = a.keep or tempfile.mkdtemp(prefix="onnx_opsets_")
    os.makedirs(d, exist_ok=True)
    rs = np.random.RandomState(1)
    for k, (name, opset, nodes, shape, inits) in enumerate(cases()):
        path = os.path.join(d, f"case{k}.onnx")
        onnx.save(model(opset, nodes, shape, inits), path)
        x = os.path.join(d, f"case{k}_x.npy")
        np.save(x, (rs.randn(*shape) * 1.5).astype(np.float32))
        ok, why = ort(path, x, os.path.join(d, f"case{k}_ort.npy"))
        if not ok:
            check(False, f"{name}: onnxruntime failed: {why}")
            continue
        r = run([DLVTA, "reference", path, "--input", x, "--output", os.path.join(d, f"case{k}_ref.npy")])
        if r.returncode:
            check(False, f"{name}: dlvta reference failed: {(r.stdout + r.stderr).strip()[-300:]}")
            continue
        want, got = np.load(os.path.join(d, f"case{k}_ort.npy")), np.load(os.path.join(d, f"case{k}_ref.npy"))
        same = want.size == got.size  # the reference writes [1, N]: compared element by element
        got = got.reshape(want.shape) if same else got
        err = float(np.max(np.abs(want.astype(np.float64) - got))) if same and want.size else float("inf")
        tol = 1e-5 * max(1.0, float(np.max(np.abs(want))) if want.size else 1.0)
        check(same and err <= tol, f"{name} (opset {opset}): {want.size} elements of {want.shape}, max |error| {err:.2e}")
    for k, case in enumerate(legacy_cases()):
        legacy_run(d, k, case, rs)
    for k, (name, opset, nodes, shape, inits, words) in enumerate(refusals()):
        path = os.path.join(d, f"refuse{k}.onnx")
        onnx.save(model(opset, nodes, shape, inits), path)
        r = run([DLVTA, "compile", path, "-o", os.path.join(d, f"refuse{k}.dlvta"), "--config", "tiny", "--quiet"])
        msg = (r.stdout + r.stderr).strip()
        check(r.returncode != 0 and all(w in msg for w in words) and "internal" not in msg,
              f"refused: {name}: exit {r.returncode}, {msg.splitlines()[-1] if msg else ''!r}")
    for k, (name, m, words) in enumerate(function_refusals()):
        path = os.path.join(d, f"fnrefuse{k}.onnx")
        onnx.save(m, path)
        r = run([DLVTA, "compile", path, "-o", os.path.join(d, "fnrefuse.dlvta"), "--config", "tiny", "--quiet"])
        msg = (r.stdout + r.stderr).strip()
        check(r.returncode != 0 and all(w in msg for w in words), f"refused: {name}: exit {r.returncode}, "
              f"{msg.splitlines()[-1] if msg else ''!r}")
    # the opset-7 model reads pixels of 0 to 64 (its ImageScaler maps them near [-0.5, 0.5]),
    # calibrated on such samples (without --calib, compile draws N(0, 1) inputs)
    # (its ImageScaler's bias before a padded conv: the host normalizes the input, 2 CPU nodes)
    for name, m, xv, calib, host in (
            ("accel", accel_model(), np.abs(rs.randn(1, 3, 8, 8)), None, 0),
            ("accel9", accel_model_old(9), rs.randn(1, 3, 16, 16), None, 0),
            ("accel7", accel_model_old(7), rs.rand(1, 3, 16, 16) * 64, rs.rand(8, 1, 3, 16, 16) * 64, 2),
            ("mnist8", mnist8_like(), rs.rand(1, 1, 28, 28) * 255, rs.rand(8, 1, 1, 28, 28) * 255, 0),
            ("sr10", super_resolution10(), rs.rand(1, 1, 12, 12), rs.rand(8, 1, 1, 12, 12), 0),
            ("tf_same_avgpool", tf_same_avgpool(), rs.randn(1, 3, 32, 32), rs.randn(8, 1, 3, 32, 32), 0)):
        accel_run(d, name, m, xv.astype(np.float32), calib, host)
    cpu_opset_run(d, rs)
    accel_run(d, "functions", local_functions(), rs.randn(1, 3, 12, 12).astype(np.float32))
    accel_run(d, "ort_fused", ort_fused(), rs.randn(1, 3, 12, 12).astype(np.float32))
    for opset in (3, 5):
        legacy, twin = caffe2_like(opset)
        accel_run(d, f"caffe2_{opset}", legacy, rs.randn(1, 3, 16, 16).astype(np.float32), None, 0, twin)
    if not a.keep:
        shutil.rmtree(d, ignore_errors=True)
    return summary()


if __name__ == "__main__":
    sys.exit(main())
