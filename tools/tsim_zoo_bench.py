"""tools/tsim_zoo_bench.py -- fsim's cycle estimate against the Verilated RTL on zoo models: per
model and config, the cycles of one inference on fsim and on tsim (`dlvta run --backend fsim` /
`verilator`, the --stats JSON), the error (fsim - RTL) / RTL, the layers fsim is furthest off on,
whether the two outputs are bit for bit the same, and the CPU seconds of each run.

  /usr/bin/python3 tools/tsim_zoo_bench.py [--models a,b,...] [--configs pynq,ultra96]
                                           [--cache build/zoo] [--tol 1.0] [--json OUT.json] [--md OUT.md]

Models come from CACHE/<name>/ (model.onnx, input.npy, calib.npy), exported there once by
tools/models/export.py zoo:<name> when missing (offline: torchvision's architectures with random
weights); CACHE/<name>/model.<config>.dlvta is compiled when missing or older than the compiler.
Prints the table (markdown) and ends with "N passed, N failed": a model and config pass when
both runs succeed, their outputs are identical and |error| <= tol % (the performance issue's 1 %).
"""
import argparse
import json
import os
import resource
import sys
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))
from zoo_bench import ensure_model, last_line, report, run  # noqa: E402

MODELS = "resnet18,mobilenet_v2,efficientnet_b0"


def ensure_package(name, d, dlvta, config):
    ensure_model(name, d)
    pkg = os.path.join(d, f"model.{config}.dlvta")
    if not os.path.exists(pkg) or os.path.getmtime(pkg) < os.path.getmtime(dlvta):
        r = run([dlvta, "compile", os.path.join(d, "model.onnx"), "-o", pkg, "--config", config,
                 "--calib", os.path.join(d, "calib.npy")])
        if r.returncode:
            raise RuntimeError("compile: " + last_line(r))
    return pkg


def run_backend(dlvta, pkg, d, config, backend):
    """(stats dict, output path, CPU seconds, wall seconds) of one inference on backend."""
    out = os.path.join(d, f"out.{backend}.{config}.npy")
    stats = os.path.join(d, f"stats.{backend}.{config}.json")
    t0, c0 = time.time(), resource.getrusage(resource.RUSAGE_CHILDREN)
    r = run([dlvta, "run", pkg, "--input", os.path.join(d, "input.npy"), "--output", out,
             "--backend", backend, "--stats", stats])
    c1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = time.time() - t0
    if r.returncode:
        raise RuntimeError(f"run {backend}: " + last_line(r))
    with open(stats) as f:
        st = json.load(f)
    return st, out, c1.ru_utime - c0.ru_utime + c1.ru_stime - c0.ru_stime, wall


def err_pct(f, t):
    return 100.0 * (f - t) / t if t else 0.0


def bench_one(name, d, dlvta, config, nworst):
    row = {"model": name, "config": config}
    pkg = ensure_package(name, d, dlvta, config)
    fs, fout, row["fsim_cpu_s"], row["fsim_wall_s"] = run_backend(dlvta, pkg, d, config, "fsim")
    ts, tout, row["rtl_cpu_s"], row["rtl_wall_s"] = run_backend(dlvta, pkg, d, config, "verilator")
    row["fsim"] = int(fs["cycles"])
    row["rtl"] = int(ts["cycles"])
    row["err"] = err_pct(row["fsim"], row["rtl"])
    row["same_output"] = bool(np.array_equal(np.load(fout), np.load(tout)))
    layers = []
    for lf, lt in zip(fs["layers"], ts["layers"]):
        if not lt.get("cycles"):
            continue
        layers.append({"index": lf["index"], "op": lf["op"], "shape": lf.get("shape", ""),
                       "fsim": lf["cycles"], "rtl": lt["cycles"], "diff": lf["cycles"] - lt["cycles"],
                       "err": err_pct(lf["cycles"], lt["cycles"])})
    row["layers"] = layers
    row["worst"] = sorted(layers, key=lambda x: -abs(x["diff"]))[:nworst]
    return row


def table(rows, tol):
    lines = ["| model | config | fsim cycles | RTL cycles | error % | outputs | fsim CPU s | RTL CPU s (wall) | "
             "layers furthest off (index op: error %, fsim - RTL cycles) |",
             "|---|---|---:|---:|---:|:-:|---:|---:|---|"]
    for r in rows:
        if "error" in r:
            lines.append(f"| {r['model']} | {r['config']} | | | | | | | FAILS: {r['error']} |")
            continue
        worst = "; ".join(f"{w['index']} {w['op']}: {w['err']:+.2f} %, {w['diff']:+d}" for w in r["worst"])
        mark = "" if abs(r["err"]) <= tol else " **"
        lines.append(f"| {r['model']} | {r['config']} | {r['fsim']:,} | {r['rtl']:,} | {r['err']:+.3f}{mark} | "
                     f"{'=' if r['same_output'] else 'DIFFER'} | {r['fsim_cpu_s']:.2f} | "
                     f"{r['rtl_cpu_s']:.1f} ({r['rtl_wall_s']:.1f}) | {worst} |")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", default=MODELS)
    ap.add_argument("--configs", default="pynq,ultra96")
    ap.add_argument("--cache", default=os.path.join(ROOT, "build", "zoo"))
    ap.add_argument("--dlvta", default=os.path.join(ROOT, "build", "dlvta"))
    ap.add_argument("--tol", type=float, default=1.0, help="largest |error| %% that passes")
    ap.add_argument("--worst", type=int, default=3, help="layers listed per model")
    ap.add_argument("--json")
    ap.add_argument("--md")
    a = ap.parse_args()
    rows, passed, failed = [], 0, 0
    for name in a.models.split(","):
        for config in a.configs.split(","):
            try:
                row = bench_one(name, os.path.join(a.cache, name), a.dlvta, config, a.worst)
            except Exception as e:  # one model's failure is a row of the table, not the end of the run
                row = {"model": name, "config": config, "error": str(e)[:300]}
            rows.append(row)
            if "error" not in row and abs(row["err"]) <= a.tol and row["same_output"]:
                passed += 1
                print(f"{name} {config}: fsim {row['fsim']} RTL {row['rtl']} cycles, {row['err']:+.3f} %", flush=True)
            else:
                failed += 1
                why = row.get("error") or (f"{row['err']:+.3f} % (bound {a.tol} %)" +
                                           ("" if row["same_output"] else ", outputs differ"))
                print(f"FAIL {name} {config}: {why}", flush=True)
    return report(table(rows, a.tol), rows, a.md, a.json, passed, failed)


if __name__ == "__main__":
    sys.exit(main())
