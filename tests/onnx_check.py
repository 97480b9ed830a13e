"""tests/onnx_check.py -- shared by the Python tests that build ONNX models and check dlvta against
onnxruntime (tests/onnx_opsets.py, onnx_rnn.py, onnx_cpu_ops.py): the tools' paths, the PASS /
FAIL counters and the closing "N passed, N failed" line, constants as initializers, the float
reference (`dlvta reference`) against onnxruntime, a compile for pynq run on fsim against
onnxruntime, and `dlvta compare --json`'s accelerator layers."""
import os
import subprocess

import numpy as np
import onnx
from onnx import numpy_helper

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DLVTA = os.environ.get("DLVTA", os.path.join(ROOT, "build", "dlvta"))
ORT = os.path.join(ROOT, "tools", "ort", "ort_run.js")

counts = {"pass": 0, "fail": 0}


def check(ok, what):
    counts["pass" if ok else "fail"] += 1
    print("PASS" if ok else "FAIL", what)


def summary():
    """Prints "N passed, N failed"; the exit status (1 on a failure)."""
    print(f"{counts['pass']} passed, {counts['fail']} failed")
    return 1 if counts["fail"] else 0


def run(cmd):
    return subprocess.run(cmd, capture_output=True, text=True)


def compare_layers(what, model, pkg, x):
    """`dlvta compare MODEL PKG --input X --json`: (exit status, the report's accelerator steps)
    with the report's "agree" folded into the status (1 when a device disagrees), or None after a
    failed check naming what when there is no report."""
    import json
    r = run([DLVTA, "compare", model, pkg, "--input", x, "--json"])
    try:
        rep = json.loads(r.stdout[r.stdout.index("{"):])
    except ValueError:
        check(False, f"{what}: dlvta compare --json: {(r.stdout + r.stderr).strip()[-300:]}")
        return None
    return (r.returncode or (0 if rep["agree"] else 1)), [s for s in rep["steps"] if s["kind"] == "accel"]


def f32(name, v):
    return numpy_helper.from_array(np.array(v, dtype=np.float32), name)


def i64(name, v):
    return numpy_helper.from_array(np.array(v, dtype=np.int64), name)


def reference_vs_ort(d, name, m, xs, x=None, span=2.0, ort_model=None, tol=1e-5):
    """`dlvta reference` on model m against onnxruntime on ort_model (default m), for input x
    (default uniform in [-span, span] of shape xs, seed 1): max |error| <= tol of the largest
    output (at least 1)."""
    path, ort_path = os.path.join(d, "m.onnx"), os.path.join(d, "ort.onnx")
    onnx.save(m, path)
    onnx.save(ort_model or m, ort_path)
    if x is None:
        x = np.random.default_rng(1).uniform(-span, span, xs).astype(np.float32)
    np.save(os.path.join(d, "x.npy"), x)
    r = run(["node", ORT, ort_path, os.path.join(d, "x.npy"), os.path.join(d, "ref.npy")])
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


def compile_run(d, name, path, calib, x, cpu_ops, accel=True):
    """Compile the model at path for pynq with calibration samples calib, check that the
    partition names cpu_ops as CPU steps (and, with accel, puts layers on the accelerator), run it
    on fsim on x against onnxruntime: cosine >= 0.99."""
    pkg = os.path.splitext(path)[0] + ".dlvta"
    np.save(os.path.join(d, "calib.npy"), calib)
    np.save(os.path.join(d, "x.npy"), x)
    r = run([DLVTA, "compile", path, "-o", pkg, "--config", "pynq", "--calib", os.path.join(d, "calib.npy")])
    log = r.stdout + r.stderr
    part = next((ln for ln in log.splitlines() if ln.startswith("partition:")), "no partition line")
    check(r.returncode == 0 and all(op in part for op in cpu_ops) and (not accel or " 0 accelerator layers" not in part),
          f"{name} compiles: {'convs on the accelerator, ' if accel else ''}{', '.join(cpu_ops)} on the CPU (" +
          (part if r.returncode == 0 else log.strip()[-300:])[:200] + ")")
    if r.returncode:
        return
    r1 = run(["node", ORT, path, os.path.join(d, "x.npy"), os.path.join(d, "ref.npy")])
    r2 = run([DLVTA, "run", pkg, "--input", os.path.join(d, "x.npy"), "--output", os.path.join(d, "y.npy")])
    if r1.returncode or r2.returncode:
        check(False, f"{name} runs: " + (r1.stderr + r2.stdout + r2.stderr).strip()[-300:])
        return
    a, b = np.load(os.path.join(d, "ref.npy")).ravel(), np.load(os.path.join(d, "y.npy")).ravel()
    cos = float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b))) if a.shape == b.shape else 0.0
    check(cos >= 0.99, f"{name} on fsim against onnxruntime: cosine {cos:.5f}")
