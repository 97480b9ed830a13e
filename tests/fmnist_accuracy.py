"""tests/fmnist_accuracy.py -- int8 accuracy of dlvta on trained models: the three Fashion-MNIST
CNNs of tools/models/train_fmnist.py (committed as tests/models/fmnist_*.onnx with their
calibration samples and PyTorch's figures in fmnist_<name>.json) compiled by `dlvta compile`
for pynq with the 32 committed calibration samples, run on fsim over the first N of the 10k
test images of Debian's dataset-fashion-mnist, against the float model run by onnxruntime on the
same images:
  - dlvta's int8 top-1 within 0.5 points of float (same images);
  - dlvta's int8 top-1 at least PyTorch's own post-training quantization's - 0.2 points (FX,
    onednn or qnnpack, same calibration samples; each test image's top-1 by torch's float and
    quantized models is committed by the training script, fmnist_<name>_torch_top1.npy, so the
    comparison is on the same images and the tests need no torch);
  - onnxruntime's float top-1 within 0.1 points of torch's own (the export is faithful).
make test runs the first 1000 images, make bench all 10000.
Prints per model float / int8 / torch figures, compile and run times, the ops left on the CPU;
--json writes them. Per-layer error is not reported here: the runtime has no per-layer output
path yet (`dlvta compare` is to give it).

    /usr/bin/python3 tests/fmnist_accuracy.py [--n 1000] [--json build/bench/fmnist.json]
"""
import argparse
import gzip
import json
import os
import re
import subprocess
import sys
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
os.chdir(ROOT)
DATA = "/usr/share/datasets/fashion-mnist"
MODELS = os.environ.get("FMNIST_MODELS", "res,mbv3,inception").split(",")
MEAN, STD = 0.2860, 0.3530  # as tools/models/train_fmnist.py
OUT = "build/models/fmnist"

npass = nfail = 0


def check(cond, what):
    global npass, nfail
    if cond:
        npass += 1
    else:
        nfail += 1
        print("FAIL: " + what)


def test_images(n):
    """The first n test images, normalized as in training, and their labels (cached as .npy)."""
    xp, yp = "%s/test_x_%d.npy" % (OUT, n), "%s/test_y_%d.npy" % (OUT, n)  # x: [n][1, 1, 28, 28]
    if not os.path.exists(xp):
        with gzip.open(DATA + "/t10k-images-idx3-ubyte.gz") as f:
            x = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 1, 1, 28, 28)[:n]
        with gzip.open(DATA + "/t10k-labels-idx1-ubyte.gz") as f:
            y = np.frombuffer(f.read(), np.uint8, offset=8)[:n]
        np.save(xp, ((x.astype(np.float32) / 255.0 - MEAN) / STD).astype(np.float32))
        np.save(yp, y.astype(np.int64))
    return xp, np.load(yp)


def run(cmd):
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return r.returncode, r.stdout


def top1(path, labels):
    y = np.load(path)
    return 100.0 * float((y.reshape(len(labels), -1).argmax(1) == labels).mean())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--json")
    a = ap.parse_args()
    if not os.path.exists(DATA + "/t10k-images-idx3-ubyte.gz"):
        print("FAIL: %s missing: install dataset-fashion-mnist (tools/deps.sh)" % DATA)
        print("0 passed, 1 failed")
        return 1
    os.makedirs(OUT, exist_ok=True)
    xp, labels = test_images(a.n)
    n = len(labels)
    rows = {}
    for name in MODELS:
        onnx = "tests/models/fmnist_%s.onnx" % name
        info = json.load(open("tests/models/fmnist_%s.json" % name))
        pkg, yq, yf = "%s/%s.dlvta" % (OUT, name), "%s/%s_int8_%d.npy" % (OUT, name, n), "%s/%s_float_%d.npy" % (OUT, name, n)
        t0 = time.time()
        rc, log = run(["build/dlvta", "compile", onnx, "-o", pkg, "--config", "pynq", "--calib",
                       "tests/models/fmnist_calib.npy"])
        t_compile = time.time() - t0
        check(rc == 0, "%s: dlvta compile failed: %s" % (name, log[-500:]))
        if rc:
            continue
        m = re.search(r"partition: (\d+) accelerator layers, (\d+) CPU nodes(?: \[(.*?)\](?:;|$))?", log, re.M)
        cpu = sorted(set(re.findall(r"(\w+) x\d+ \(", m.group(3)))) if m and m.group(3) else []
        t0 = time.time()
        rc, out = run(["build/dlvta", "run", pkg, "--input", xp, "--output", yq])
        t_run = time.time() - t0
        check(rc == 0, "%s: dlvta run failed: %s" % (name, out[-500:]))
        rc2, out2 = run(["node", "tools/ort/ort_run.js", onnx, xp, yf])
        check(rc2 == 0, "%s: onnxruntime failed: %s" % (name, out2[-500:]))
        if rc or rc2:
            continue
        f, q = top1(yf, labels), top1(yq, labels)
        tp = np.load("tests/models/fmnist_%s_torch_top1.npy" % name)[:, :n].astype(np.int64)
        tf, tq = 100.0 * float((tp[0] == labels).mean()), 100.0 * float((tp[1] == labels).mean())
        cyc = re.search(r"([\d.]+) accelerator cycles each", out)
        row = {"images": n, "float_top1_ort": round(f, 2), "int8_top1_dlvta": round(q, 2),
               "torch_float_top1": round(tf, 2), "torch_ptq_top1": round(tq, 2),
               "torch_float_top1_10k": info["float_top1"], "torch_ptq_top1_10k": info["torch_ptq_top1"],
               "torch_ptq_engine": info["torch_ptq_engine"], "compile_s": round(t_compile, 2),
               "fsim_run_s": round(t_run, 1), "cycles_per_inference": float(cyc.group(1)) if cyc else None,
               "cpu_ops": cpu}
        rows[name] = row
        print("fmnist_%-9s %d images: float %.2f %% (onnxruntime), dlvta int8 %.2f %% (pynq, fsim); torch float "
              "%.2f %%, torch PTQ (%s) %.2f %%; compile %.2f s, run %.1f s, %s cycles/inference; CPU ops: %s" % (
                  name, n, f, q, tf, info["torch_ptq_engine"], tq, t_compile, t_run, row["cycles_per_inference"],
                  ", ".join(cpu) or "none"), flush=True)
        check(q >= f - 0.5, "%s: int8 top-1 %.2f %% is more than 0.5 points below float %.2f %%" % (name, q, f))
        check(q >= tq - 0.2, "%s: int8 top-1 %.2f %% is more than 0.2 points below PyTorch's PTQ %.2f %%" % (name, q, tq))
        check(abs(f - tf) <= 0.1, "%s: onnxruntime's float top-1 %.2f %% differs from torch's %.2f %%" % (name, f, tf))
    if a.json:
        os.makedirs(os.path.dirname(a.json) or ".", exist_ok=True)
        with open(a.json, "w") as fj:
            json.dump(rows, fj, indent=1, sort_keys=True)
    print("%d passed, %d failed" % (npass, nfail))
    return 1 if nfail else 0


if __name__ == "__main__":
    sys.exit(main())
