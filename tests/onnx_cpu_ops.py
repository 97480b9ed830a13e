"""tests/onnx_cpu_ops.py -- operators that run on the CPU (the reference executor, also the
runtime's CPU steps) against onnxruntime, on the forms exporters write and beyond ONNX's node
tests: Resize with mode cubic (torch's bicubic interpolate, both align_corners, scale and size,
up and down, exclude_outside, cubic_coeff_a) and TensorFlow's tf_half_pixel_for_nn, GridSample (bilinear / nearest / bicubic, the three
padding modes, align_corners), MaxUnpool (with and without output_shape) and onnxruntime's
dynamic quantization (DynamicQuantizeLinear, ConvInteger, MatMulInteger), each a small
model run by `dlvta reference` against onnxruntime; and models that use them between
convolutions compiled for pynq and run on fsim (also a Resize whose roi is an empty constant).

    /usr/bin/python3 tests/onnx_cpu_ops.py [--keep DIR]

Ends with "N passed, N failed".
"""
import argparse
import os
import shutil
import sys
import tempfile
import warnings

import numpy as np
import onnx
from onnx import TensorProto as T
from onnx import helper as h
from onnx import numpy_helper

from onnx_check import compile_run, f32, i64, reference_vs_ort, summary


def one_node(op, xs, attrs, inits=(), extra_inputs=(), opset=19):
    """x -> op(x, extra inputs...) -> y, the extra inputs as initializers."""
    node = h.make_node(op, ["x"] + [i.name if i is not None else "" for i in extra_inputs], ["y"], name="n", **attrs)
    g = h.make_graph([node], "g", [h.make_tensor_value_info("x", T.FLOAT, list(xs))],
                     [h.make_tensor_value_info("y", T.FLOAT, None)],
                     initializer=[i for i in list(inits) + list(extra_inputs) if i is not None])
    m = h.make_model(g, opset_imports=[h.make_opsetid("", opset)], producer_name="onnx_cpu_ops.py")
    m.ir_version = 8
    return m


def cubic_cases(d):
    C = [("cubic x2, half_pixel", (1, 2, 5, 6), {"mode": "cubic"}, [f32("s", [1, 1, 2, 2])], None),
         ("cubic x1.5 / x0.6, align_corners", (1, 1, 7, 5),
          {"mode": "cubic", "coordinate_transformation_mode": "align_corners"}, [f32("s", [1, 1, 1.5, 0.6])], None),
         ("cubic to 4 x 9, asymmetric, exclude_outside, a = -0.5", (1, 3, 6, 6),
          {"mode": "cubic", "coordinate_transformation_mode": "asymmetric", "exclude_outside": 1,
           "cubic_coeff_a": -0.5}, None, [4, 9]),
         ("cubic x3, pytorch_half_pixel", (1, 1, 4, 4),
          {"mode": "cubic", "coordinate_transformation_mode": "pytorch_half_pixel"}, [f32("s", [1, 1, 3, 3])], None),
         ("nearest x2, tf_half_pixel_for_nn (tf2onnx)", (1, 2, 5, 6),
          {"mode": "nearest", "coordinate_transformation_mode": "tf_half_pixel_for_nn"}, [f32("s", [1, 1, 2, 2])], None),
         ("nearest to 3 x 4, tf_half_pixel_for_nn", (1, 2, 7, 9),
          {"mode": "nearest", "coordinate_transformation_mode": "tf_half_pixel_for_nn"}, None, [3, 4]),
         ("linear x1.5 / x0.6, align_corners", (1, 2, 7, 6),
          {"mode": "linear", "coordinate_transformation_mode": "align_corners"}, [f32("s", [1, 1, 1.5, 0.6])], None)]
    for name, xs, attrs, scales, sizes in C:
        extra = [None, scales[0]] if scales else [None, None, i64("z", list(xs[:2]) + sizes)]
        reference_vs_ort(d, "Resize " + name, one_node("Resize", xs, attrs, extra_inputs=extra, opset=13), xs)
    import torch
    warnings.filterwarnings("ignore")

    class Up(torch.nn.Module):
        def __init__(self, ac, size=None, scale=None):
            super().__init__()
            self.ac, self.size, self.scale = ac, size, scale

        def forward(self, x):
            return torch.nn.functional.interpolate(x, size=self.size, scale_factor=self.scale, mode="bicubic",
                                                   align_corners=self.ac)

    for ac in (False, True):
        for size, scale in ((None, 2.0), ((9, 13), None)):
            path = os.path.join(d, "t.onnx")
            torch.onnx.export(Up(ac, size, scale), torch.randn(1, 3, 6, 8), path, opset_version=13)
            reference_vs_ort(d, f"torch bicubic interpolate align_corners={ac} {'size ' + str(size) if size else 'x2'}",
                             onnx.load(path), (1, 3, 6, 8))


def grid_sample_cases(d):
    rng = np.random.default_rng(7)
    for opset, modes in ((16, ("bilinear", "nearest", "bicubic")), (20, ("linear", "nearest", "cubic"))):
        for mode in modes:
            for pad in ("zeros", "border", "reflection"):
                for align in (0, 1):
                    grid = rng.uniform(-1.3, 1.3, (2, 4, 5, 2)).astype(np.float32)
                    grid[0, 0, 0] = [-1, 1]  # the corners exactly, and a grid value on a tap boundary
                    grid[0, 0, 1] = [0.5, -0.25]
                    m = one_node("GridSample", (2, 3, 6, 7), {"mode": mode, "padding_mode": pad, "align_corners": align},
                                 extra_inputs=[f32("grid", grid)], opset=opset)
                    reference_vs_ort(d, f"GridSample opset {opset} {mode} {pad} align_corners={align}", m, (2, 3, 6, 7))
    for mode in ("linear", "nearest"):  # 3-D (opset 20)
        for pad in ("zeros", "border", "reflection"):
            grid = rng.uniform(-1.2, 1.2, (1, 3, 4, 5, 3)).astype(np.float32)
            m = one_node("GridSample", (1, 2, 4, 5, 6), {"mode": mode, "padding_mode": pad}, extra_inputs=[f32("grid", grid)],
                         opset=20)
            reference_vs_ort(d, f"GridSample 3-D {mode} {pad}", m, (1, 2, 4, 5, 6))


def max_unpool_cases(d):
    """MaxPool's values and indices into MaxUnpool, as SegNet's decoder: with and without
    output_shape, with pads and strides."""
    for name, ks, st, pads, oshape in (("2x2 stride 2", [2, 2], [2, 2], None, None),
                                       ("3x3 stride 2 pads 1, output_shape the input's", [3, 3], [2, 2], [1, 1, 1, 1],
                                        [1, 3, 8, 10]),
                                       ("2x2 stride 2, output_shape larger", [2, 2], [2, 2], None, [1, 3, 9, 11])):
        kw = {"kernel_shape": ks, "strides": st, **({"pads": pads} if pads else {})}
        nodes = [h.make_node("MaxPool", ["x"], ["p", "i"], name="pool", **kw),
                 h.make_node("MaxUnpool", ["p", "i"] + (["os"] if oshape else []), ["y"], name="n", **kw)]
        g = h.make_graph(nodes, "g", [h.make_tensor_value_info("x", T.FLOAT, [1, 3, 8, 10])],
                         [h.make_tensor_value_info("y", T.FLOAT, None)], initializer=[i64("os", oshape)] if oshape else [])
        m = h.make_model(g, opset_imports=[h.make_opsetid("", 13)], producer_name="onnx_cpu_ops.py")
        m.ir_version = 8
        reference_vs_ort(d, f"MaxPool -> MaxUnpool {name}", m, (1, 3, 8, 10))


def torch_model(d):
    """A fixed affine warp between convs (grid_sample over the affine_grid of a constant theta),
    exported by torch at opset 16, on fsim. (torch exports neither affine_grid nor max_unpool2d.)"""
    import torch
    warnings.filterwarnings("ignore")
    torch.manual_seed(11)
    F = torch.nn.functional

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            c = torch.nn
            self.enc = c.Sequential(c.Conv2d(3, 16, 3, padding=1), c.BatchNorm2d(16), c.ReLU())
            self.dec = c.Conv2d(16, 8, 3, padding=1)
            theta = torch.tensor([[[0.9, -0.2, 0.1], [0.15, 0.95, -0.05]]])  # (torch does not export affine_grid)
            self.register_buffer("grid", F.affine_grid(theta, [1, 16, 20, 24], align_corners=False))

        def forward(self, x):
            g = self.grid.expand(x.shape[0], -1, -1, -1)
            return self.dec(F.grid_sample(self.enc(x), g, mode="bilinear", padding_mode="border", align_corners=False))

    m = Net()
    imgs = torch.rand(20, 3, 20, 24)
    m.train()
    with torch.no_grad():
        m(imgs)
    m.eval()
    path = os.path.join(d, "warp.onnx")
    torch.onnx.export(m, imgs[:1], path, opset_version=16, input_names=["x"], output_names=["y"])
    compile_run(d, "torch warp net (grid_sample)", path, imgs[:16].numpy(), imgs[18:19].numpy(), ["GridSample"])


def resize_roi_model(d):
    """torch's interpolate to a size that is no integer factor (bilinear, align_corners), exported at
    opset 11: a CPU Resize whose roi is an empty constant. The package dropped that constant's
    "no elements" and `dlvta run` refused the package ("input ... is never produced")."""
    import torch
    warnings.filterwarnings("ignore")
    torch.manual_seed(13)
    c = torch.nn
    F = torch.nn.functional

    class Net(c.Module):
        def __init__(self):
            super().__init__()
            self.a, self.b = c.Conv2d(1, 4, 3, 2), c.Conv2d(4, 8, 3, padding=1)

        def forward(self, x):
            return self.b(F.interpolate(torch.relu(self.a(x)), size=(18, 13), mode="bilinear", align_corners=True))

    m = Net().eval()
    x = torch.randn(20, 1, 34, 16)
    path = os.path.join(d, "resize_roi.onnx")
    torch.onnx.export(m, x[:1], path, opset_version=11, input_names=["x"], output_names=["y"])
    compile_run(d, "opset-11 bilinear Resize to a size (empty roi constant)", path, x[:16].numpy(), x[18:19].numpy(), ["Resize"])


def style_model(d):
    """A fast-neural-style transformer block (reflection Pad, Conv, InstanceNorm, ReLU, a residual,
    nearest upsampling): Pad and InstanceNorm run on the CPU, and a ReLU between two CPU steps goes
    with them ("a clamp between CPU steps") instead of an accelerator pass of its own between a
    quantization and a dequantization; the ReLU before the upsampling (an accelerator layer) stays."""
    import torch
    warnings.filterwarnings("ignore")
    torch.manual_seed(14)
    c = torch.nn

    def cin(ci, co, k, s=1):
        return c.Sequential(c.ReflectionPad2d(k // 2), c.Conv2d(ci, co, k, s), c.InstanceNorm2d(co, affine=True))

    class Res(c.Module):
        def __init__(self, ch):
            super().__init__()
            self.a, self.b = cin(ch, ch, 3), cin(ch, ch, 3)

        def forward(self, x):
            return x + self.b(torch.relu(self.a(x)))

    m = c.Sequential(cin(3, 16, 5), c.ReLU(), cin(16, 32, 3, 2), c.ReLU(), Res(32), c.Upsample(scale_factor=2),
                     cin(32, 16, 3), c.ReLU(), c.Upsample(scale_factor=2), c.Conv2d(16, 3, 3, 1, 1)).eval()
    x = torch.randn(20, 3, 32, 32)
    path = os.path.join(d, "style.onnx")
    torch.onnx.export(m, x[:1], path, opset_version=13, input_names=["x"], output_names=["y"])
    compile_run(d, "style-transfer net (reflection Pad, InstanceNorm, ReLU between them on the host)", path,
                x[:16].numpy(), x[18:19].numpy(), ["Pad", "InstanceNormalization", "Relu x2 (a clamp between CPU steps"])


def unpool_model(d):
    """SegNet's decoder as tf2onnx or a hand export writes it: conv -> MaxPool (values and
    indices) -> conv -> MaxUnpool (output_shape the pooled input's) -> conv, on fsim."""
    rng = np.random.default_rng(12)

    def conv(name, x, y, cin, cout, k):
        w = f32(name + "_w", rng.normal(0, (2.0 / (cin * k * k)) ** 0.5, (cout, cin, k, k)))
        b = f32(name + "_b", rng.normal(0, 0.1, cout))
        return [h.make_node("Conv", [x, w.name, b.name], [y], name=name, pads=[k // 2] * 4)], [w, b]

    nodes, inits = [], [i64("os", [1, 8, 12, 14])]
    for name, x, y, cin, cout, k in (("c1", "x", "a", 3, 8, 3), ("c2", "p", "b", 8, 8, 3), ("c3", "u", "y", 8, 4, 1)):
        nn, ii = conv(name, x, y, cin, cout, k)
        nodes += nn
        inits += ii
        if name == "c1":
            nodes += [h.make_node("Relu", ["a"], ["ar"]),
                      h.make_node("MaxPool", ["ar"], ["p", "i"], name="pool", kernel_shape=[2, 2], strides=[2, 2])]
        if name == "c2":
            nodes += [h.make_node("Relu", ["b"], ["br"]),
                      h.make_node("MaxUnpool", ["br", "i", "os"], ["u"], name="unpool", kernel_shape=[2, 2], strides=[2, 2])]
    g = h.make_graph(nodes, "g", [h.make_tensor_value_info("x", T.FLOAT, [1, 3, 12, 14])],
                     [h.make_tensor_value_info("y", T.FLOAT, None)], initializer=inits)
    m = h.make_model(g, opset_imports=[h.make_opsetid("", 13)], producer_name="onnx_cpu_ops.py")
    m.ir_version = 8
    path = os.path.join(d, "unpool.onnx")
    onnx.save(m, path)
    imgs = rng.uniform(0, 1, (20, 3, 12, 14)).astype(np.float32)
    compile_run(d, "SegNet-style unpooling net", path, imgs[:16], imgs[18:19], ["MaxUnpool"])


def dynamic_quant(d):
    """onnxruntime's dynamic quantization (quantize_dynamic) as it writes a conv and a dense
    layer: DynamicQuantizeLinear -> ConvInteger / MatMulInteger -> Cast -> Mul by the scales;
    the reference against onnxruntime, then compiled for pynq and run on fsim."""
    rng = np.random.default_rng(13)
    w = rng.integers(0, 256, (6, 3, 3, 3)).astype(np.uint8)
    fw = rng.integers(0, 256, (6 * 6 * 6, 5)).astype(np.uint8)
    inits = [numpy_helper.from_array(w, "w"), numpy_helper.from_array(np.array(131, np.uint8), "wz"),
             f32("ws", 0.004), numpy_helper.from_array(fw, "fw"), numpy_helper.from_array(np.array(120, np.uint8), "fz"),
             f32("fs", 0.003), i64("flat", [1, -1])]
    nodes = [h.make_node("DynamicQuantizeLinear", ["x"], ["xq", "xs", "xz"], name="dq1"),
             h.make_node("ConvInteger", ["xq", "w", "xz", "wz"], ["c"], name="conv", pads=[1, 1, 1, 1], strides=[2, 2]),
             h.make_node("Cast", ["c"], ["cf"], to=T.FLOAT), h.make_node("Mul", ["xs", "ws"], ["cs"]),
             h.make_node("Mul", ["cf", "cs"], ["c2"]), h.make_node("Relu", ["c2"], ["r"]),
             h.make_node("Reshape", ["r", "flat"], ["f"]),
             h.make_node("DynamicQuantizeLinear", ["f"], ["fq", "fsx", "fzx"], name="dq2"),
             h.make_node("MatMulInteger", ["fq", "fw", "fzx", "fz"], ["m"], name="fc"),
             h.make_node("Cast", ["m"], ["mf"], to=T.FLOAT), h.make_node("Mul", ["fsx", "fs"], ["ms"]),
             h.make_node("Mul", ["mf", "ms"], ["y"])]
    g = h.make_graph(nodes, "g", [h.make_tensor_value_info("x", T.FLOAT, [1, 3, 12, 12])],
                     [h.make_tensor_value_info("y", T.FLOAT, None)], initializer=inits)
    m = h.make_model(g, opset_imports=[h.make_opsetid("", 13)], producer_name="onnx_cpu_ops.py")
    m.ir_version = 8
    reference_vs_ort(d, "dynamic quantization: DynamicQuantizeLinear, ConvInteger, MatMulInteger", m, (1, 3, 12, 12))
    path = os.path.join(d, "dyn.onnx")
    onnx.save(m, path)
    x = rng.uniform(-1, 1, (20, 3, 12, 12)).astype(np.float32)
    compile_run(d, "dynamically quantized net", path, x[:16], x[18:19],
                ["DynamicQuantizeLinear", "ConvInteger", "MatMulInteger"], accel=False)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--keep", help="keep the models in this directory")
    a = ap.parse_args()
    d = a.keep or tempfile.mkdtemp(prefix="onnx_cpu_ops.")
    os.makedirs(d, exist_ok=True)
    try:
        cubic_cases(d)
        grid_sample_cases(d)
        max_unpool_cases(d)
        torch_model(d)
        resize_roi_model(d)
        style_model(d)
        unpool_model(d)
        dynamic_quant(d)
    finally:
        if not a.keep:
            shutil.rmtree(d, ignore_errors=True)
    return summary()


if __name__ == "__main__":
    sys.exit(main())
