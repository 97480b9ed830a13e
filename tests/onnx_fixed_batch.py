"""tests/onnx_fixed_batch.py -- models exported with a fixed batch N > 1 (torch.onnx.export of an
[N, ...] example without dynamic_axes): the unbatch pass compiles one sample's graph when it can
prove the graph keeps the samples apart, and `dlvta run` runs the (N, ...) input as N inferences
whose stacked outputs match onnxruntime's batch run sample by sample. Graphs that mix samples (a
mean over the batch, a reshape that merges the batch with the features) stay as exported, run on
the CPU, and the compile's note names the node. Run by `make test` with Debian's python3."""
import os
import sys
import tempfile

import numpy as np
import onnx
import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from onnx_check import DLVTA, ORT, check, run, summary  # noqa: E402


class Flat(nn.Module):
    """conv-BN-ReLU, pooling, x.view(x.size(0), -1), a dense layer and a softmax."""

    def __init__(self):
        super().__init__()
        self.c1, self.b1 = nn.Conv2d(3, 16, 3, padding=1), nn.BatchNorm2d(16)
        self.c2 = nn.Conv2d(16, 32, 3, stride=2, padding=1)
        self.fc = nn.Linear(32 * 4 * 4, 10)

    def forward(self, x):
        x = nn.functional.max_pool2d(torch.relu(self.b1(self.c1(x))), 2)
        x = torch.relu(self.c2(x))
        return torch.softmax(self.fc(x.view(x.size(0), -1)), dim=1)


class Token(nn.Module):
    """A ViT-like net: patches, a class token expanded over the batch, a position embedding,
    LayerNorm, a per-token dense layer, the class token's row as the output."""

    def __init__(self):
        super().__init__()
        self.patch = nn.Conv2d(3, 32, 4, stride=4)
        self.cls = nn.Parameter(torch.randn(1, 1, 32))
        self.pos = nn.Parameter(torch.randn(1, 17, 32) * 0.1)
        self.ln, self.fc, self.head = nn.LayerNorm(32), nn.Linear(32, 32), nn.Linear(32, 5)

    def forward(self, x):
        t = self.patch(x).flatten(2).transpose(1, 2)
        t = torch.cat([self.cls.expand(x.shape[0], -1, -1), t], dim=1) + self.pos
        t = t + torch.relu(self.fc(self.ln(t)))
        return self.head(t[:, 0])


class TwoIn(nn.Module):
    """Two images, a conv each, their sum, a global mean (x.mean([2, 3])) and a dense layer."""

    def __init__(self):
        super().__init__()
        self.a, self.b = nn.Conv2d(3, 16, 3, padding=1), nn.Conv2d(1, 16, 3, padding=1)
        self.fc = nn.Linear(16, 4)

    def forward(self, x, y):
        return self.fc(torch.relu(self.a(x) + self.b(y)).mean([2, 3]))


class BatchMean(nn.Module):
    """Subtracts the batch's mean image: sample n's output depends on every sample."""

    def __init__(self):
        super().__init__()
        self.c = nn.Conv2d(3, 8, 3, padding=1)

    def forward(self, x):
        return torch.relu(self.c(x - x.mean(0, keepdim=True)))


class Merge(nn.Module):
    """Flattens the whole batch into one row (x.view(1, -1)): the batch merges with the features."""

    def __init__(self):
        super().__init__()
        self.c = nn.Conv2d(3, 4, 3, padding=1)
        self.fc = nn.Linear(2 * 4 * 8 * 8, 3)

    def forward(self, x):
        return self.fc(torch.relu(self.c(x)).reshape(1, -1))


def export(d, name, net, shapes):
    torch.manual_seed(0)
    net.eval()
    for m in net.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.running_mean.uniform_(-0.2, 0.2), m.running_var.uniform_(0.5, 1.5)
    ex = tuple(torch.randn(*s) for s in shapes)
    path = os.path.join(d, name + ".onnx")
    torch.onnx.export(net, ex, path, opset_version=13, input_names=[f"in{i}" for i in range(len(shapes))])
    return path


def ort(d, path, xs):
    """onnxruntime's outputs for inputs xs (one .npy each)."""
    files = []
    for i, x in enumerate(xs):
        files.append(os.path.join(d, f"x{i}.npy"))
        np.save(files[-1], x)
    out = os.path.join(d, "ref.npy")
    r = run(["node", ORT, path, ",".join(files), out])
    return (np.load(out) if not r.returncode else None), files, r.stderr


def cosine(a, b):
    a, b = a.ravel().astype(np.float64), b.ravel().astype(np.float64)
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b) + 1e-30))


def unbatched(d, name, net, shapes, calib_k=2):
    """Compiles a fixed-batch model (calibration: calib_k samples of the model's input shape, so
    calib_k * N one-sample ones), checks the note and the partition, runs the (N, ...) inputs on fsim
    against onnxruntime per sample."""
    path = export(d, name, net, shapes)
    n = shapes[0][0]
    rng = np.random.default_rng(3)
    cal = []
    for i, s in enumerate(shapes):
        cal.append(os.path.join(d, f"cal{i}.npy"))
        np.save(cal[-1], rng.normal(size=(calib_k,) + tuple(s)).astype(np.float32))
    pkg = os.path.join(d, name + ".dlvta")
    r = run([DLVTA, "compile", path, "-o", pkg, "--config", "pynq"] + sum([["--calib", c] for c in cal], []))
    log = r.stdout + r.stderr
    part = next((ln for ln in log.splitlines() if ln.startswith("partition:")), "no partition line")
    check(r.returncode == 0 and f"fixed batch of {n} and keeps its samples apart" in log and
          f"calibration: {calib_k * n} samples" in log and " 0 accelerator layers" not in part,
          f"{name} (batch {n}): compiled for one sample, {calib_k} x {n} calibration samples, {part[:120]}")
    if r.returncode:
        print(log[-600:])
        return
    # one-sample calibration samples ([K * N, <one sample's shape>]: the same memory) give the same package
    single = []
    for i, c in enumerate(cal):
        single.append(os.path.join(d, f"single{i}.npy"))
        a = np.load(c)
        np.save(single[-1], a.reshape((a.shape[0] * a.shape[1],) + a.shape[2:]))
    r = run([DLVTA, "compile", path, "-o", os.path.join(d, "single.dlvta"), "--config", "pynq"] +
            sum([["--calib", c] for c in single], []))
    outs, probe = [], []
    for i, c in enumerate(cal):
        probe.append(os.path.join(d, f"probe{i}.npy"))
        np.save(probe[-1], np.load(c)[0])
    for p in (pkg, os.path.join(d, "single.dlvta")):
        y = os.path.join(d, "y_cal.npy")
        rr = run([DLVTA, "run", p, "--output", y] + sum([["--input", c] for c in probe], []))
        outs.append(np.load(y) if rr.returncode == 0 else None)
    check(r.returncode == 0 and f"calibration: {calib_k * n} samples" in r.stdout and outs[0] is not None and
          outs[1] is not None and np.array_equal(outs[0], outs[1]),
          f"{name}: {calib_k * n} one-sample calibration samples give the package of {calib_k} of the model's shape "
          "(the same outputs)" + ("" if r.returncode == 0 else (r.stdout + r.stderr)[-200:]))
    # as good as the model exported for one sample: the same partition and accelerator program
    one = export(d, name + "_1", net, [(1,) + tuple(s[1:]) for s in shapes])
    r1 = run([DLVTA, "compile", one, "-o", os.path.join(d, "one.dlvta"), "--config", "pynq"])
    r2 = run([DLVTA, "compile", path, "-o", os.path.join(d, "n.dlvta"), "--config", "pynq"])
    lines = [[ln for ln in x.stdout.splitlines() if ln.startswith(("partition:", "accelerator:"))] for x in (r1, r2)]
    check(r1.returncode == 0 and r2.returncode == 0 and len(lines[0]) == 2 and lines[0] == lines[1],
          f"{name}: the same partition and accelerator figures as its batch-1 export ({'; '.join(lines[1])[-120:]})")
    xs = [rng.normal(size=s).astype(np.float32) for s in shapes]
    ref, files, e = ort(d, path, xs)
    y = os.path.join(d, "y.npy")
    r = run([DLVTA, "run", pkg, "--output", y] + sum([["--input", f] for f in files], []))
    if ref is None or r.returncode:
        check(False, f"{name} runs: {(e + r.stdout + r.stderr).strip()[-300:]}")
        return
    out = np.load(y)
    coss = [cosine(ref[k], out[k]) for k in range(n)] if out.shape == ref.shape else [0.0]
    check(out.shape == ref.shape and min(coss) >= 0.99 and f"{n} inference(s)" in r.stdout,
          f"{name}: {n} inferences on fsim, output {out.shape} (onnxruntime {ref.shape}), "
          f"per-sample cosine >= {min(coss):.5f}")
    # the samples are not mixed up: sample k alone gives row k of the stacked run
    k = n - 1
    one = [os.path.join(d, f"one{i}.npy") for i in range(len(xs))]
    for f, x in zip(one, xs):
        np.save(f, x[k:k + 1])
    r = run([DLVTA, "run", pkg, "--output", y] + sum([["--input", f] for f in one], []))
    check(r.returncode == 0 and np.array_equal(np.load(y).reshape(out[k].shape), out[k]),
          f"{name}: sample {k} run alone equals row {k} of the batch run")
    if len(xs) == 1:  # dlvta compare: the model's float reference unbatched as the compile did it
        r = run([DLVTA, "compare", path, pkg, "--input", one[0], "--calib", cal[0]])
        check(r.returncode == 0 and "every device is bit-exact with the int8 reference" in r.stdout,
              f"{name}: dlvta compare of the fixed-batch model and its package " + (r.stdout + r.stderr).strip()[-160:])


def kept(d, name, net, shapes, node_op):
    """A fixed-batch model that mixes its samples: compiled as exported (its note names the node),
    run on the (N, ...) input as one inference (the batched layers on the CPU), against onnxruntime."""
    path = export(d, name, net, shapes)
    pkg = os.path.join(d, name + ".dlvta")
    r = run([DLVTA, "compile", path, "-o", pkg, "--config", "pynq"])
    log = r.stdout + r.stderr
    note = next((ln for ln in log.splitlines() if "fixed batch" in ln), "no note")
    check(r.returncode == 0 and "mixes its samples" in note and f"({node_op})" in note,
          f"{name}: stays batched, the note names the {node_op}: {note[:220]}")
    xs = [np.random.default_rng(5).normal(size=s).astype(np.float32) for s in shapes]
    ref, files, e = ort(d, path, xs)
    y = os.path.join(d, "y.npy")
    r = run([DLVTA, "run", pkg, "--output", y] + sum([["--input", f] for f in files], []))
    ok = ref is not None and r.returncode == 0 and np.load(y).shape == ref.shape
    cos = cosine(np.load(y), ref) if ok else 0.0
    check(ok and cos >= 0.999 and "1 inference(s)" in r.stdout,
          f"{name}: one inference of the whole batch against onnxruntime: cosine {cos:.5f}" +
          ("" if ok else f" ({(e + r.stdout + r.stderr)[-200:]})"))


def helper_model(d, name, nodes, inits, x_shape, y_shape):
    """An ONNX model (opset 17) of nodes over input x (a fixed batch) to output y."""
    from onnx import TensorProto, helper, numpy_helper
    g = helper.make_graph(nodes, name, [helper.make_tensor_value_info("x", TensorProto.FLOAT, x_shape)],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, y_shape)],
                          [numpy_helper.from_array(v, k) for k, v in inits.items()])
    path = os.path.join(d, name + ".onnx")
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)]), path)
    return path


def rules(d):
    """Hand-built graphs over the rules: channels-last LayerNorm between Transposes and a conv,
    attention (batched MatMuls, Softmax over the last axis), a gather of one token; and an output
    whose batch a Transpose moved off axis 0, which stays as exported."""
    from onnx import helper
    rng = np.random.default_rng(7)
    w = rng.normal(size=(8, 8, 3, 3)).astype(np.float32) * 0.2
    cases = [
        ("ln_last", [helper.make_node("Transpose", ["x"], ["t"], perm=[0, 2, 3, 1]),
                     helper.make_node("LayerNormalization", ["t", "s", "b"], ["n"], axis=-1),
                     helper.make_node("Transpose", ["n"], ["u"], perm=[0, 3, 1, 2]),
                     helper.make_node("Conv", ["u", "w"], ["y"], pads=[1, 1, 1, 1])],
         {"s": np.ones(8, np.float32), "b": np.zeros(8, np.float32), "w": w}, (3, 8, 6, 6), (3, 8, 6, 6), None),
        ("attention", [helper.make_node("Transpose", ["x"], ["k"], perm=[0, 2, 1]),
                       helper.make_node("MatMul", ["x", "k"], ["a"]),
                       helper.make_node("Softmax", ["a"], ["p"], axis=-1),
                       helper.make_node("MatMul", ["p", "x"], ["o"]),
                       helper.make_node("Gather", ["o", "i"], ["y"], axis=1)],
         {"i": np.array(0, np.int64)}, (2, 5, 4), (2, 4), None),
        ("batch_moved", [helper.make_node("Conv", ["x", "w"], ["c"], pads=[1, 1, 1, 1]),
                         helper.make_node("Transpose", ["c"], ["y"], perm=[1, 0, 2, 3])],
         {"w": w}, (2, 8, 4, 4), (8, 2, 4, 4), "has its batch off axis 0"),
    ]
    for name, nodes, inits, xs, ys, why in cases:
        path = helper_model(d, name, nodes, inits, xs, ys)
        pkg = os.path.join(d, name + ".dlvta")
        r = run([DLVTA, "compile", path, "-o", pkg, "--config", "pynq"])
        note = next((ln for ln in (r.stdout + r.stderr).splitlines() if "fixed batch" in ln), "no note")
        check(r.returncode == 0 and (why in note if why else "keeps its samples apart" in note),
              f"{name}: {'stays as exported' if why else 'compiled for one sample'}: {note[:160]}")
        x = rng.normal(size=xs).astype(np.float32)
        ref, files, e = ort(d, path, [x])
        y = os.path.join(d, "y.npy")
        r = run([DLVTA, "run", pkg, "--input", files[0], "--output", y])
        ok = ref is not None and r.returncode == 0 and np.load(y).shape == ref.shape
        cos = min(cosine(ref[k], np.load(y)[k]) for k in range(ref.shape[0])) if ok else 0.0
        check(ok and cos >= 0.99, f"{name}: {ref.shape if ref is not None else '?'} against onnxruntime, "
              f"cosine per leading index >= {cos:.5f}" + ("" if ok else (e + r.stderr)[-200:]))


def python_api(d):
    """The Python API on a fixed-batch model: compile with one-sample calibration samples, run the
    (N, ...) batch as N inferences with onnxruntime's output shape; a count that is not a multiple
    of N is an InputError-style error naming the batch."""
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "python"))
    import dlvta
    path = export(d, "py_flat", Flat(), [(4, 3, 16, 16)])
    rng = np.random.default_rng(11)
    cal = rng.normal(size=(8, 3, 16, 16)).astype(np.float32)
    pkg = dlvta.compile(path, os.path.join(d, "py_flat.dlvta"), calib=cal)
    x = rng.normal(size=(4, 3, 16, 16)).astype(np.float32)
    ref, _, _ = ort(d, path, [x])
    with dlvta.Model(pkg) as m:
        y = m.run(x)[0]
    coss = [cosine(ref[k], y[k]) for k in range(4)] if ref is not None and y.shape == ref.shape else [0.0]
    check(y.shape == (4, 10) and min(coss) >= 0.99, f"Python: compile with 8 one-sample samples, run (4, 3, 16, 16): "
          f"output {y.shape}, per-sample cosine >= {min(coss):.5f}")
    try:
        dlvta.compile(path, os.path.join(d, "py_bad.dlvta"), calib=cal[:6])
        msg = "no error"
    except dlvta.Error as e:
        msg = str(e)
    check("fixed batch of 4: give a multiple of 4" in msg, f"Python: 6 one-sample samples for batch 4 refused: {msg[-120:]}")


def main():
    torch.manual_seed(0)
    with tempfile.TemporaryDirectory() as d:
        unbatched(d, "flat", Flat(), [(4, 3, 16, 16)])
        unbatched(d, "token", Token(), [(2, 3, 16, 16)])
        unbatched(d, "twoin", TwoIn(), [(3, 3, 12, 12), (3, 1, 12, 12)])
        kept(d, "batchmean", BatchMean(), [(2, 3, 8, 8)], "ReduceMean")
        kept(d, "merge", Merge(), [(2, 3, 8, 8)], "Reshape")
        rules(d)
        python_api(d)
    return summary()


if __name__ == "__main__":
    sys.exit(main())
