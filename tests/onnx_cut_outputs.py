"""tests/onnx_cut_outputs.py -- `dlvta compile --outputs` (ir_cut_outputs): a model whose
post-processing dlvta cannot run (a detector's: scores thresholded, NonZero, a Gather of the kept
boxes, whose output extents depend on the data) compiled up to its heads' tensors, built with
onnx.helper:
- without --outputs the compile fails naming the NonZero node and pointing at --outputs;
- with --outputs boxes,scores (no -o: the package takes the model's file name in the current
  directory) both heads run on the accelerator, the outputs in the order named, each against
  onnxruntime's value of that tensor (the model with the heads added as outputs), cosine >= 0.999;
  --outputs given twice in the other order swaps them;
- `dlvta compare` of the whole model with that package cuts the model as the package is cut and
  finds every layer bit-exact with its int8 reference; `dlvta reference --outputs` gives
  onnxruntime's float value of the tensor named;
- an unknown name (with the tensors whose names contain it), an empty one, one named twice: clear
  errors, non-zero exits;
- the Python binding's compile(outputs=...) writes the CLI's package bytes;
- a [C, H, W] image input unsqueezed to a batch of 1 (torchvision's detection models) is not
  taken for a fixed batch of C (no note advising to export it with batch 1).
Run by `make test` with Debian's python3."""
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from onnx_check import DLVTA, ORT, ROOT, check, run, summary  # noqa: E402


def detector(chw=False):
    """A two-head conv net with a NonZero post-processing; chw: a [3, 32, 32] input unsqueezed."""
    rng = np.random.default_rng(7)
    nodes, inits = [], []

    def const(name, v):
        inits.append(numpy_helper.from_array(np.asarray(v), name))
        return name

    def conv(x, cin, cout, k, s, name, act=True):
        w = rng.normal(0, (2.0 / (k * k * cin)) ** 0.5, (cout, cin, k, k)).astype(np.float32)
        b = rng.normal(0, 0.1, cout).astype(np.float32)
        out = name if not act else name + "_pre"
        nodes.append(helper.make_node("Conv", [x, const(name + ".w", w), const(name + ".b", b)], [out], name=name,
                                      kernel_shape=[k, k], strides=[s, s], pads=[k // 2] * 4))
        if act:
            nodes.append(helper.make_node("Relu", [out], [name], name=name + "/relu"))
        return name

    x = "image"
    if chw:
        nodes.append(helper.make_node("Unsqueeze", ["image", const("ax0", np.array([0], np.int64))], ["batched"],
                                      name="unsqueeze"))
        x = "batched"
    f = conv(conv(x, 3, 16, 3, 2, "stem"), 16, 16, 3, 1, "body")
    conv(f, 16, 4, 1, 1, "boxes", act=False)
    conv(f, 16, 3, 1, 1, "logits", act=False)
    nodes += [
        helper.make_node("Sigmoid", ["logits"], ["scores"], name="sigmoid"),
        helper.make_node("Reshape", ["scores", const("s3", np.array([3, 256], np.int64))], ["flat"], name="flat"),
        helper.make_node("ReduceMax", ["flat"], ["best"], name="best", axes=[0], keepdims=0),
        helper.make_node("Greater", ["best", const("thr", np.float32(0.5))], ["mask"], name="thresh"),
        helper.make_node("NonZero", ["mask"], ["idx"], name="nonzero"),
        helper.make_node("Reshape", ["boxes", const("b4", np.array([4, 256], np.int64))], ["bflat"], name="bflat"),
        helper.make_node("Squeeze", ["idx", const("ax0b", np.array([0], np.int64))], ["keep"], name="keep"),
        helper.make_node("Gather", ["bflat", "keep"], ["kept"], name="gather", axis=1),
    ]
    shape = [3, 32, 32] if chw else [1, 3, 32, 32]
    g = helper.make_graph(nodes, "detector", [helper.make_tensor_value_info("image", TensorProto.FLOAT, shape)],
                          [helper.make_tensor_value_info("kept", TensorProto.FLOAT, [4, None])], inits)
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]), shape


def with_outputs(m, names):
    """m with names (float tensors) as its outputs too: onnxruntime's values of them."""
    c = onnx.ModelProto()
    c.CopyFrom(m)
    for n in names:
        c.graph.output.append(helper.make_tensor_value_info(n, TensorProto.FLOAT, None))
    return c


def cosine(a, b):
    a, b = a.ravel().astype(np.float64), b.ravel().astype(np.float64)
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b) + 1e-30)) if a.shape == b.shape else -1.0


def main():
    d = tempfile.mkdtemp(prefix="dlvta_cut_")
    m, shape = detector()
    path = os.path.join(d, "det.onnx")
    onnx.save(m, path)
    rng = np.random.default_rng(3)
    x = rng.uniform(0, 1, shape).astype(np.float32)
    calib = rng.uniform(0, 1, [8] + shape).astype(np.float32)
    xp, cp = os.path.join(d, "x.npy"), os.path.join(d, "calib.npy")
    np.save(xp, x), np.save(cp, calib)
    # onnxruntime: the whole model (its NonZero included) with the heads as outputs too
    onnx.save(with_outputs(m, ["boxes", "scores"]), os.path.join(d, "ort.onnx"))
    env_all = dict(os.environ, ORT_RUN_ALL_OUTPUTS="1")
    r = subprocess.run(["node", ORT, os.path.join(d, "ort.onnx"), xp, os.path.join(d, "ort.npy")], capture_output=True,
                       text=True, env=env_all)
    check(r.returncode == 0, "onnxruntime runs the whole detector " + r.stderr.strip()[-200:])
    if r.returncode:
        return summary()
    ref = {"boxes": np.load(os.path.join(d, "ort_1.npy")), "scores": np.load(os.path.join(d, "ort_2.npy"))}

    r = run([DLVTA, "compile", path, "-o", os.path.join(d, "full.dlvta"), "--calib", cp])
    log = r.stdout + r.stderr
    check(r.returncode == 1 and "'nonzero' (NonZero)" in log and "--outputs" in log,
          "without --outputs: the NonZero named, --outputs pointed at (%s)" % log.strip()[-240:])

    # no -o: det.dlvta in the current directory
    r = subprocess.run([DLVTA, "compile", path, "--outputs", "boxes,scores", "--calib", cp], capture_output=True,
                       text=True, cwd=d)
    log = r.stdout + r.stderr
    pkg = os.path.join(d, "det.dlvta")
    part = next((ln for ln in log.splitlines() if ln.startswith("partition:")), "")
    check(r.returncode == 0 and os.path.exists(pkg) and "wrote det.dlvta" in log and
          "cut: the model ends at the 2 tensor(s) named; 7 of its 14 nodes are before them" in log,
          "--outputs boxes,scores without -o writes det.dlvta (%s)" % log.strip()[-200:])
    check("partition: 4 accelerator layers, 0 CPU nodes" in part, "both heads on the accelerator: " + part[:120])
    out = os.path.join(d, "y.npy")
    r = run([DLVTA, "run", pkg, "--input", xp, "--output", out])
    check(r.returncode == 0, "run the cut package " + r.stderr.strip()[-200:])
    if r.returncode == 0:
        for k, (name, f) in enumerate((("boxes", "y.npy"), ("scores", "y_1.npy"))):
            y = np.load(os.path.join(d, f))
            c = cosine(y, ref[name])
            check(y.shape == ref[name].shape and c >= 0.999,
                  f"output {k} is '{name}' {y.shape}: cosine {c:.5f} against onnxruntime")

    # the other order, the option given twice
    pkg2 = os.path.join(d, "rev.dlvta")
    r = run([DLVTA, "compile", path, "-o", pkg2, "--outputs", "scores", "--outputs", "boxes", "--calib", cp])
    r2 = run([DLVTA, "run", pkg2, "--input", xp, "--output", os.path.join(d, "r.npy")]) if r.returncode == 0 else r
    ok = r2.returncode == 0 and np.array_equal(np.load(os.path.join(d, "r.npy")), np.load(os.path.join(d, "y_1.npy"))) \
        and np.array_equal(np.load(os.path.join(d, "r_1.npy")), np.load(os.path.join(d, "y.npy")))
    check(ok, "--outputs scores --outputs boxes: the outputs in that order, the same values")

    # compare: the whole model, cut as the package is
    r = run([DLVTA, "compare", path, pkg, "--input", xp])
    log = r.stdout + r.stderr
    check(r.returncode == 0 and "every device is bit-exact with the int8 reference" in log and "L3" in log,
          "compare of the whole model with the cut package (%s)" % log.strip()[-200:])

    # reference --outputs
    r = run([DLVTA, "reference", path, "--input", xp, "--outputs", "boxes", "--output", os.path.join(d, "fb.npy")])
    err = float(np.max(np.abs(np.load(os.path.join(d, "fb.npy")).ravel() - ref["boxes"].ravel()))) \
        if r.returncode == 0 else np.inf
    check(err < 1e-4, f"reference --outputs boxes: max |error| {err:.2e} against onnxruntime")
    r = run([DLVTA, "reference", path, "--input", xp, "--output", os.path.join(d, "fb.npy")])
    check(r.returncode == 1 and "NonZero" in r.stderr, "reference of the whole model: the NonZero named")

    # bad names
    for args, rc, words in ((["--outputs", "boxes,nope"], 1, "no tensor named 'nope'"),
                            (["--outputs", "logit"], 1, "no tensor named 'logit' in the model (an output to cut it at); "
                             "names containing it: "),
                            (["--outputs", "boxes,,scores"], 2, "empty tensor name"),
                            (["--outputs", "boxes", "--outputs", "boxes"], 1, "'boxes' named twice")):
        r = run([DLVTA, "compile", path, "-o", os.path.join(d, "bad.dlvta")] + args)
        check(r.returncode == rc and words in r.stderr and not os.path.exists(os.path.join(d, "bad.dlvta")),
              f"compile {' '.join(args)}: exit {r.returncode}, '{words}' ({r.stderr.strip()[-160:]})")

    # the Python binding: the same bytes as the CLI's package
    sys.path.insert(0, os.path.join(ROOT, "python"))
    try:
        import dlvta
        py = os.path.join(d, "py.dlvta")
        os.chdir(d)  # the CLI's package names its calibration file as given: give the same path
        r = run([DLVTA, "compile", "det.onnx", "-o", "cli.dlvta", "--outputs", "boxes,scores", "--calib", "calib.npy"])
        dlvta.compile("det.onnx", py, calib="calib.npy", outputs=["boxes", "scores"])
        same = open(py, "rb").read() == open(os.path.join(d, "cli.dlvta"), "rb").read()
        check(r.returncode == 0 and same, "dlvta.compile(outputs=[...]) writes the CLI's package bytes")
        try:
            dlvta.compile("det.onnx", py, outputs=["nope"])
            check(False, "dlvta.compile(outputs=['nope']) raises")
        except dlvta.Error as e:
            check("no tensor named 'nope'" in str(e), f"dlvta.compile(outputs=['nope']) raises: {e}")
    finally:
        os.chdir(ROOT)

    # a [C, H, W] input unsqueezed: no batch
    m, shape = detector(chw=True)
    path = os.path.join(d, "chw.onnx")
    onnx.save(m, path)
    np.save(cp, rng.uniform(0, 1, [8] + shape).astype(np.float32))
    r = run([DLVTA, "compile", path, "-o", os.path.join(d, "chw.dlvta"), "--outputs", "boxes,scores", "--calib", cp])
    log = r.stdout + r.stderr
    check(r.returncode == 0 and "fixed batch" not in log and "4 accelerator layers" in log,
          "a [3, 32, 32] input unsqueezed: no fixed-batch note, the convs on the accelerator (%s)" % log.strip()[-200:])
    return summary()


if __name__ == "__main__":
    sys.exit(main())
