"""tests/onnx_cpu_ops.py -- operators that run on the CPU (the reference executor, also the
runtime's CPU steps) against onnxruntime, on the forms exporters write and beyond ONNX's node
tests: Resize with mode cubic (torch's bicubic interpolate, both align_corners, scale and size,
up and down, exclude_outside, cubic_coeff_a), GridSample (bilinear / nearest / bicubic, the three
padding modes, align_corners) and MaxUnpool (with and without output_shape), each a one-node
model run by `dlvta reference` against onnxruntime; and a model that uses them between
convolutions compiled for pynq and run on fsim.

    /usr/bin/python3 tests/onnx_cpu_ops.py [--keep DIR]

Ends with "N passed, N failed".
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import warnings

import numpy as np
import onnx
from onnx import TensorProto as T
from onnx import helper as h
from onnx import numpy_helper

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DLVTA = os.path.join(ROOT, "build", "dlvta")
ORT = os.path.join(ROOT, "tools", "ort", "ort_run.js")

npass = nfail = 0


def check(ok, what):
    global npass, nfail
    if ok:
        npass += 1
        print("PASS", what)
    else:
        nfail += 1
        print("FAIL", what)


def run(cmd):
    return subprocess.run(cmd, capture_output=True, text=True)


def one_node(op, xs, attrs, inits=(), extra_inputs=(), opset=19):
    """x -> op(x, extra inputs...) -> y, the extra inputs as initializers."""
    node = h.make_node(op, ["x"] + [i.name if i is not None else "" for i in extra_inputs], ["y"], name="n", **attrs)
    g = h.make_graph([node], "g", [h.make_tensor_value_info("x", T.FLOAT, list(xs))],
                     [h.make_tensor_value_info("y", T.FLOAT, None)],
                     initializer=[i for i in list(inits) + list(extra_inputs) if i is not None])
    m = h.make_model(g, opset_imports=[h.make_opsetid("", opset)], producer_name="onnx_cpu_ops.py")
    m.ir_version = 8
    return m


def reference_vs_ort(d, name, m, xs, x=None, tol=1e-5):
    path = os.path.join(d, "m.onnx")
    onnx.save(m, path)
    if x is None:
        x = np.random.default_rng(1).uniform(-2, 2, xs).astype(np.float32)
    np.save(os.path.join(d, "x.npy"), x)
    r = run(["node", ORT, path, os.path.join(d, "x.npy"), os.path.join(d, "ref.npy")])
    if r.returncode:
        check(False, f"{name}: onnxruntime failed: {r.stderr.strip()[-300:]}")
        return
    r = run([DLVTA, "reference", path, "--input", os.path.join(d, "x.npy"), "--output", os.path.join(d, "y.npy")])
    if r.returncode:
        check(False, f"{name}: dlvta reference failed: {(r.stdout + r.stderr).strip()[-300:]}")
        return
    a, b = np.load(os.path.join(d, "ref.npy")).ravel(), np.load(os.path.join(d, "y.npy")).ravel()
    err = float(np.max(np.abs(a - b))) if a.shape == b.shape and a.size else (0.0 if a.shape == b.shape else np.inf)
    check(a.shape == b.shape and err <= tol * max(1.0, float(np.max(np.abs(a))) if a.size else 1.0),
          f"{name}: max |dlvta - onnxruntime| {err:.2e} over {a.size} values")


def f32(name, v):
    return numpy_helper.from_array(np.array(v, dtype=np.float32), name)


def i64(name, v):
    return numpy_helper.from_array(np.array(v, dtype=np.int64), name)


def cubic_cases(d):
    C = [("cubic x2, half_pixel", (1, 2, 5, 6), {"mode": "cubic"}, [f32("s", [1, 1, 2, 2])], None),
         ("cubic x1.5 / x0.6, align_corners", (1, 1, 7, 5),
          {"mode": "cubic", "coordinate_transformation_mode": "align_corners"}, [f32("s", [1, 1, 1.5, 0.6])], None),
         ("cubic to 4 x 9, asymmetric, exclude_outside, a = -0.5", (1, 3, 6, 6),
          {"mode": "cubic", "coordinate_transformation_mode": "asymmetric", "exclude_outside": 1,
           "cubic_coeff_a": -0.5}, None, [4, 9]),
         ("cubic x3, pytorch_half_pixel", (1, 1, 4, 4),
          {"mode": "cubic", "coordinate_transformation_mode": "pytorch_half_pixel"}, [f32("s", [1, 1, 3, 3])], None),
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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--keep", help="keep the models in this directory")
    a = ap.parse_args()
    d = a.keep or tempfile.mkdtemp(prefix="onnx_cpu_ops.")
    os.makedirs(d, exist_ok=True)
    try:
        cubic_cases(d)
    finally:
        if not a.keep:
            shutil.rmtree(d, ignore_errors=True)
    print(f"{npass} passed, {nfail} failed")
    return 1 if nfail else 0


if __name__ == "__main__":
    sys.exit(main())
