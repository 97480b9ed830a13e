"""tests/onnx_rnn.py -- the recurrent layers RNN, GRU and LSTM (CPU steps, ref/ref_rnn.c) against
onnxruntime: one-node models built with onnx.helper over the attributes ONNX defines (directions,
layout 1, sequence_lens, initial states, peepholes, input_forget, linear_before_reset, clip,
activation functions with their alpha / beta), run by `dlvta reference` (the float reference
executor) with Y, Y_h and Y_c compared at once; torch.nn.LSTM / GRU / RNN exports (stacked,
bidirectional, batch_first); malformed ones refused with one error naming the node; and a CRNN
(a conv feature extractor on the accelerator, a bidirectional LSTM and a classifier on the CPU)
compiled for pynq and run on fsim against onnxruntime.

    /usr/bin/python3 tests/onnx_rnn.py [--keep DIR]

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

from onnx_check import DLVTA, check, compile_run, reference_vs_ort, run, summary


def rnn_model(op, seq, batch, inp, hid, dirs=1, layout=0, opset=14, bias=True, lens=None, init_h=False,
              init_c=False, peep=False, outs=("Y", "Y_h", "Y_c"), seed=0, twin=False, **attrs):
    """One op node over x, its weights as initializers, and y = its outputs flattened and
    joined (so that one output compares them all). twin: a layout-1 node as its layout-0 twin
    between Transposes (onnxruntime runs layout 0 only), the same function of x."""
    rng = np.random.default_rng(seed)
    G = {"RNN": 1, "GRU": 3, "LSTM": 4}[op]
    if op != "LSTM":
        outs = tuple(o for o in outs if o != "Y_c")
    inits = [numpy_helper.from_array(rng.uniform(-0.6, 0.6, (dirs, G * hid, inp)).astype(np.float32), "W"),
             numpy_helper.from_array(rng.uniform(-0.6, 0.6, (dirs, G * hid, hid)).astype(np.float32), "R")]
    names = ["x", "W", "R"]
    state = (batch, dirs, hid) if layout else (dirs, batch, hid)
    opt = [("B", bias, lambda: rng.uniform(-0.4, 0.4, (dirs, 2 * G * hid)).astype(np.float32)),
           ("L", lens is not None, lambda: np.array(lens, dtype=np.int32)),
           ("H0", init_h, lambda: rng.uniform(-1, 1, state).astype(np.float32)),
           ("C0", init_c, lambda: rng.uniform(-1, 1, state).astype(np.float32)),
           ("P", peep, lambda: rng.uniform(-0.5, 0.5, (dirs, 3 * hid)).astype(np.float32))]
    if op != "LSTM":
        opt = opt[:3]
    for name, on, make in opt:
        names.append(name if on else "")
        if on:
            v = make()
            inits.append(numpy_helper.from_array(v.transpose(1, 0, 2) if twin and name in ("H0", "C0") else v, name))
    while names[-1] == "":
        names.pop()
    all_outs = ["Y", "Y_h", "Y_c"][:3 if op == "LSTM" else 2]
    node_outs = [(o + "_0" if twin else o) if o in outs else "" for o in all_outs]
    while node_outs[-1] == "":
        node_outs.pop()
    nodes = [h.make_node(op, names, node_outs, name="rec", hidden_size=hid,
                         direction="bidirectional" if dirs == 2 else attrs.pop("direction", "forward"),
                         **({"layout": layout} if layout and not twin else {}), **attrs)]
    if twin:  # x [B, S, I] -> [S, B, I]; Y [S, dirs, B, H] -> [B, S, dirs, H]; Y_h, Y_c [dirs, B, H] -> [B, dirs, H]
        nodes[0].input[0] = "x_0"
        nodes.insert(0, h.make_node("Transpose", ["x"], ["x_0"], perm=[1, 0, 2]))
        for o in outs:
            nodes.append(h.make_node("Transpose", [o + "_0"], [o], perm=[2, 0, 1, 3] if o == "Y" else [1, 0, 2]))
    inits.append(numpy_helper.from_array(np.array([-1], dtype=np.int64), "flat"))
    for o in outs:
        nodes.append(h.make_node("Reshape", [o, "flat"], [o + "_f"]))
    nodes.append(h.make_node("Concat", [o + "_f" for o in outs], ["y"], axis=0))
    xs = (batch, seq, inp) if layout else (seq, batch, inp)
    g = h.make_graph(nodes, "g", [h.make_tensor_value_info("x", T.FLOAT, list(xs))],
                     [h.make_tensor_value_info("y", T.FLOAT, None)], initializer=inits)
    m = h.make_model(g, opset_imports=[h.make_opsetid("", opset)], producer_name="onnx_rnn.py")
    m.ir_version = 8
    return m, xs


def cases():
    C = []
    C.append(("RNN forward, defaults (Tanh)", dict(op="RNN", seq=5, batch=2, inp=3, hid=4)))
    C.append(("RNN reverse, Relu, initial_h", dict(op="RNN", seq=4, batch=1, inp=3, hid=5, direction="reverse",
                                                   init_h=True, activations=["Relu"])))
    C.append(("RNN bidirectional, sequence_lens [5, 2, 0], LeakyRelu alpha 0.2 / Softsign",
              dict(op="RNN", seq=5, batch=3, inp=2, hid=3, dirs=2, lens=[5, 2, 0], activations=["LeakyRelu", "Softsign"],
                   activation_alpha=[0.2])))
    C.append(("RNN layout 1, clip 0.3, no bias", dict(op="RNN", seq=3, batch=2, inp=4, hid=3, layout=1, clip=0.3,
                                                      bias=False)))
    C.append(("GRU forward, defaults", dict(op="GRU", seq=6, batch=2, inp=3, hid=4)))
    C.append(("GRU linear_before_reset, initial_h", dict(op="GRU", seq=4, batch=2, inp=3, hid=5, linear_before_reset=1,
                                                          init_h=True)))
    C.append(("GRU bidirectional, sequence_lens [4, 1], layout 1",
              dict(op="GRU", seq=4, batch=2, inp=3, hid=3, dirs=2, lens=[4, 1], layout=1, init_h=True)))
    C.append(("GRU HardSigmoid (alpha 0.3, beta 0.4) / Elu, clip 2",
              dict(op="GRU", seq=3, batch=1, inp=2, hid=4, activations=["HardSigmoid", "Elu"], activation_alpha=[0.3, 0.9],
                   activation_beta=[0.4], clip=2.0)))
    C.append(("LSTM forward, defaults", dict(op="LSTM", seq=5, batch=2, inp=3, hid=4)))
    C.append(("LSTM peepholes, initial_h / initial_c", dict(op="LSTM", seq=4, batch=2, inp=3, hid=3, peep=True,
                                                             init_h=True, init_c=True)))
    C.append(("LSTM input_forget, clip 0.5", dict(op="LSTM", seq=4, batch=1, inp=2, hid=4, input_forget=1, clip=0.5)))
    C.append(("LSTM bidirectional, sequence_lens [3, 5, 1], peepholes",
              dict(op="LSTM", seq=5, batch=3, inp=3, hid=2, dirs=2, lens=[3, 5, 1], peep=True, init_h=True, init_c=True)))
    C.append(("LSTM layout 1, bidirectional", dict(op="LSTM", seq=3, batch=2, inp=4, hid=3, dirs=2, layout=1,
                                                     init_h=True, init_c=True)))
    C.append(("LSTM reverse, ScaledTanh (0.8, 1.2) / Softplus / Tanh, Y_h only",
              dict(op="LSTM", seq=4, batch=2, inp=3, hid=3, direction="reverse", outs=("Y_h",),
                   activations=["Sigmoid", "ScaledTanh", "Tanh"], activation_alpha=[0.8], activation_beta=[1.2])))
    C.append(("LSTM opset 7 (no layout attribute)", dict(op="LSTM", seq=3, batch=2, inp=3, hid=3, opset=7)))
    return C


def torch_cases(d):
    """torch.nn recurrent layers as torch.onnx.export writes them (opset 14)."""
    import torch
    warnings.filterwarnings("ignore")
    torch.manual_seed(0)
    mods = [("torch LSTM, 2 layers, bidirectional", torch.nn.LSTM(6, 8, num_layers=2, bidirectional=True), (7, 2, 6)),
            ("torch GRU, batch_first", torch.nn.GRU(5, 7, batch_first=True), (2, 6, 5)),
            ("torch RNN relu, 2 layers", torch.nn.RNN(4, 6, num_layers=2, nonlinearity="relu"), (5, 1, 4))]

    class Seq(torch.nn.Module):
        def __init__(self, rec):
            super().__init__()
            self.rec = rec

        def forward(self, x):
            y, _ = self.rec(x)
            return y

    for name, rec, shape in mods:
        m = Seq(rec).eval()
        path = os.path.join(d, "t.onnx")
        torch.onnx.export(m, torch.randn(*shape), path, opset_version=14, input_names=["x"], output_names=["y"])
        reference_vs_ort(d, name, onnx.load(path), shape, span=1.5)


def refusals(d):
    """Malformed recurrent nodes: one error naming the node and the op, non-zero exit."""
    bad = [("hidden_size against R", dict(op="RNN", seq=3, batch=1, inp=2, hid=3), {"hidden_size": 5},
            "hidden_size 5, but R's last extent is 3"),
           ("unknown activation", dict(op="GRU", seq=3, batch=1, inp=2, hid=3), {"activations": ["Sigmoid", "Swoosh"]},
            "activation function 'Swoosh' not supported"),
           ("activation count", dict(op="LSTM", seq=3, batch=1, inp=2, hid=3), {"activations": ["Sigmoid", "Tanh"]},
            "activations has 2 functions, expected 3"),
           ("direction", dict(op="RNN", seq=3, batch=1, inp=2, hid=3), {"direction": "sideways"},
            "direction 'sideways'"),
           ("sequence_lens beyond the sequence", dict(op="GRU", seq=3, batch=2, inp=2, hid=3, lens=[3, 4]), {},
            "sequence_lens[1] = 4, outside [0, 3]")]
    for name, kw, override, words in bad:
        m, xs = rnn_model(**kw)
        node = m.graph.node[0]
        for k, v in override.items():
            for a in list(node.attribute):
                if a.name == k:
                    node.attribute.remove(a)
            node.attribute.append(h.make_attribute(k, v))
        path = os.path.join(d, "bad.onnx")
        onnx.save(m, path)
        np.save(os.path.join(d, "x.npy"), np.zeros(xs, np.float32))
        r = run([DLVTA, "reference", path, "--input", os.path.join(d, "x.npy")])
        out = r.stdout + r.stderr
        check(r.returncode != 0 and words in out and "rec" in out and node.op_type in out,
              f"refused: {name} ({out.strip().splitlines()[-1] if out.strip() else 'no message'})")


def package(d):
    """A GRU with an activations list (a STRINGS attribute) through a package: compiled, run by
    `dlvta run` (a CPU step), the same values as the reference executor."""
    m, xs = rnn_model(op="GRU", seq=3, batch=1, inp=2, hid=4, activations=["HardSigmoid", "Elu"],
                      activation_alpha=[0.3, 0.9], activation_beta=[0.4], clip=2.0)
    path, pkg = os.path.join(d, "g.onnx"), os.path.join(d, "g.dlvta")
    onnx.save(m, path)
    np.save(os.path.join(d, "x.npy"), np.random.default_rng(5).uniform(-1, 1, xs).astype(np.float32))
    rs = [run([DLVTA, "compile", path, "-o", pkg, "--config", "pynq"]),
          run([DLVTA, "run", pkg, "--input", os.path.join(d, "x.npy"), "--output", os.path.join(d, "y.npy")]),
          run([DLVTA, "reference", path, "--input", os.path.join(d, "x.npy"), "--output", os.path.join(d, "r.npy")])]
    bad = next((r for r in rs if r.returncode), None)
    same = not bad and np.array_equal(np.load(os.path.join(d, "y.npy")).ravel(),
                                      np.load(os.path.join(d, "r.npy")).ravel())
    check(same, "GRU with an activations list through a package: `dlvta run` equals the reference" +
          (": " + (bad.stdout + bad.stderr).strip()[-300:] if bad else ""))


def crnn(d):
    """A CRNN for text lines: convs (accelerator) -> [W, N, C*H] sequence -> bidirectional LSTM ->
    per-step classifier (CPU), compiled for pynq with calibration samples and run on fsim."""
    import torch
    torch.manual_seed(3)

    class CRNN(torch.nn.Module):
        def __init__(self):
            super().__init__()
            c = torch.nn
            self.cnn = c.Sequential(c.Conv2d(1, 16, 3, padding=1), c.BatchNorm2d(16), c.ReLU(), c.MaxPool2d(2),
                                    c.Conv2d(16, 32, 3, padding=1), c.BatchNorm2d(32), c.ReLU(), c.MaxPool2d((2, 1)))
            self.rnn = c.LSTM(32 * 4, 32, bidirectional=True)
            self.fc = c.Linear(64, 11)

        def forward(self, x):
            f = self.cnn(x)                    # [N, 32, 4, W/2]
            f = f.flatten(1, 2).permute(2, 0, 1)  # [W/2, N, 128]
            y, _ = self.rnn(f)
            return self.fc(y)

    m = CRNN()
    imgs = torch.rand(24, 1, 16, 48)
    m.train()
    with torch.no_grad():
        m(imgs)
    m.eval()
    path = os.path.join(d, "crnn.onnx")
    torch.onnx.export(m, imgs[:1], path, opset_version=14, input_names=["x"], output_names=["y"])
    compile_run(d, "CRNN", path, imgs[:16].numpy(), imgs[20:21].numpy(), ["LSTM"])

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--keep", help="keep the models in this directory")
    a = ap.parse_args()
    d = a.keep or tempfile.mkdtemp(prefix="onnx_rnn.")
    os.makedirs(d, exist_ok=True)
    try:
        for name, kw in cases():
            m, xs = rnn_model(**kw)
            twin = rnn_model(**kw, twin=True)[0] if kw.get("layout") else None
            reference_vs_ort(d, name + (" (onnxruntime: its layout-0 twin)" if twin else ""), m, xs, span=1.5,
                             ort_model=twin)
        torch_cases(d)
        refusals(d)
        package(d)
        crnn(d)
    finally:
        if not a.keep:
            shutil.rmtree(d, ignore_errors=True)
    return summary()


if __name__ == "__main__":
    sys.exit(main())
