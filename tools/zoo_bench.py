"""tools/zoo_bench.py -- the torchvision zoo of issue 11 through dlvta: per model, compile time
(16 calibration samples, pynq), the accelerator's share of the model's MACs, the CPU steps with
the partition's reasons, fsim cycles and utilization for one input, and the cosine of dlvta's
output against onnxruntime's float output for the same input.

  /usr/bin/python3 tools/zoo_bench.py [--models a,b,...] [--cache build/zoo] [--config pynq]
                                      [--json OUT.json] [--md OUT.md]

Models are exported once into CACHE/<name>/ (tools/models/export.py zoo:<name>: model.onnx,
input.npy, calib.npy) and onnxruntime's output (tools/ort/ort_run.js) is kept next to them; big
ONNX files live only there (never committed). Prints the table (markdown) and ends with
"N passed, N failed": a model passes when it compiles and runs; how well it runs is the table.
"""
import argparse
import json
import os
import re
import resource
import subprocess
import sys
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools", "models"))
from export import ZOO  # noqa: E402


def run(cmd, **kw):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kw)


def last_line(r):
    lines = r.stdout.strip().splitlines()
    return (lines[-1] if lines else f"exit status {r.returncode}, no output")[:300]


def model_macs(path):
    """Multiply-accumulates of every Conv, Gemm and MatMul of an ONNX model (shapes from onnx's
    shape inference)."""
    import onnx
    from onnx import shape_inference
    m = onnx.load(path, load_external_data=False)
    m = shape_inference.infer_shapes(m, data_prop=True)  # (shape sub-graphs: torch.chunk, view)
    g = m.graph
    shapes = {}
    for vi in list(g.value_info) + list(g.input) + list(g.output):
        d = [x.dim_value if x.HasField("dim_value") else 1 for x in vi.type.tensor_type.shape.dim]
        shapes[vi.name] = d
    for t in g.initializer:
        shapes[t.name] = list(t.dims)
    total = 0
    for n in g.node:
        if n.op_type == "Conv" and n.output[0] in shapes and n.input[1] in shapes:
            y, w = shapes[n.output[0]], shapes[n.input[1]]
            total += int(np.prod(y)) * int(np.prod(w[1:]))
        elif n.op_type in ("Gemm", "MatMul") and shapes.get(n.output[0]) and len(shapes.get(n.input[1], [])) >= 2:
            b, y = shapes[n.input[1]], shapes[n.output[0]]
            trans_b = any(at.name == "transB" and at.i for at in n.attribute)
            k = b[-1] if n.op_type == "Gemm" and trans_b else b[-2]
            total += int(np.prod(y)) * k
    return total


def ir_macs(dump):
    """(all, on the accelerator) MACs of every Conv, dlvta.FusedConv, Gemm and MatMul in the
    last IR dump of a `--dump-after partition` log (every shape known, shape sub-graphs folded;
    a node counts for the accelerator when its dlvta.target is "accel"). Both are the model's
    own (logical) MACs: the compiler's "accelerator: N MACs" counts the layers as they run,
    with padded channels and lane maps, and can exceed the model's."""
    dump = dump.split("## after partition")[-1]
    types = {}
    for m in re.finditer(r"^\s+(?:const\s+|input\s+)?%(\S+): \w+\[([\d,]*)\]", dump, re.M):
        types[m.group(1)] = [int(x) for x in m.group(2).split(",") if x]
    total = acc = 0
    for m in re.finditer(r"^\s+%\S+: \w+\[([\d,]*)\] = (Conv|dlvta\.FusedConv|Gemm|MatMul)\(%[^,]+, %([^,)]+)[^)]*\)(.*)$",
                         dump, re.M):
        y = [int(x) for x in m.group(1).split(",") if x]
        w = types.get(m.group(3))
        if not w or not y:
            continue
        if m.group(2) in ("Conv", "dlvta.FusedConv"):
            macs = int(np.prod(y)) * int(np.prod(w[1:]))
        else:
            k = w[-1] if m.group(2) == "Gemm" and "transB=1" in m.group(4) else w[-2]
            macs = int(np.prod(y)) * k
        total += macs
        if 'dlvta.target="accel"' in m.group(4):
            acc += macs
    return total, acc


def ensure_model(name, d):
    """Export zoo model name into d once (model.onnx, input.npy, calib.npy)."""
    if not os.path.exists(os.path.join(d, "model.onnx")):
        os.makedirs(d, exist_ok=True)
        r = run([sys.executable, os.path.join(ROOT, "tools/models/export.py"), "zoo:" + name, d])
        if r.returncode:
            raise RuntimeError("export failed: " + r.stdout[-500:])


def ensure_export(name, d):
    ensure_model(name, d)
    ref = os.path.join(d, "ort_ref.npy")
    if not os.path.exists(ref):
        r = run(["node", os.path.join(ROOT, "tools/ort/ort_run.js"), os.path.join(d, "model.onnx"),
                 os.path.join(d, "input.npy"), ref])
        if r.returncode:
            raise RuntimeError("onnxruntime failed: " + r.stdout[-500:])


def cpu_summary(log):
    """'op xN (why)' per op kind of the partition line's CPU nodes."""
    m = re.search(r"partition: (\d+) accelerator layers, (\d+) CPU nodes(?: \[(.*?)\](?:;|$))?", log, re.M)
    if not m:
        return 0, 0, ""
    parts = [f"{op} x{c} ({why})" for op, c, why in re.findall(r"(\S+) x(\d+) \(([^)]*)\)", m.group(3) or "")]
    return int(m.group(1)), int(m.group(2)), "; ".join(parts)


def bench_one(name, d, dlvta, config):
    row = {"model": name}
    ensure_export(name, d)
    row["macs"] = model_macs(os.path.join(d, "model.onnx"))
    pkg = os.path.join(d, f"model.{config}.dlvta")
    t0, c0 = time.time(), resource.getrusage(resource.RUSAGE_CHILDREN)
    r = run([dlvta, "compile", os.path.join(d, "model.onnx"), "-o", pkg, "--config", config,
             "--calib", os.path.join(d, "calib.npy"), "--dump-after", "partition", "-v"])
    c1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    row["compile_s"] = round(time.time() - t0, 2)
    row["compile_cpu_s"] = round(c1.ru_utime - c0.ru_utime + c1.ru_stime - c0.ru_stime, 2)
    if r.returncode:
        row["error"] = "compile: " + last_line(r)
        return row
    # -v: wall and CPU seconds of each stage (import, every pass, the package write)
    row["compile_stages"] = {m.group(1): [float(m.group(2)), float(m.group(3))] for m in re.finditer(
        r"^cc: (\S+(?: package)?)\s.*?([\d.]+) s\s+([\d.]+) s CPU$", r.stdout, re.M)}
    row["layers"], row["cpu_nodes"], row["cpu_ops"] = cpu_summary(r.stdout)
    total, acc = ir_macs(r.stdout)  # the IR's shapes: complete where ONNX's inference stops
    row["macs"] = total or row["macs"]
    row["acc_macs"] = acc
    m = re.search(r"accelerator: (\d+) MACs", r.stdout)
    row["acc_layer_macs"] = int(m.group(1)) if m else 0  # as the layers run (padded channels, lane maps)
    out, stats = os.path.join(d, "out.npy"), os.path.join(d, "stats.json")
    r = run([dlvta, "run", pkg, "--input", os.path.join(d, "input.npy"), "--output", out, "--stats", stats])
    if r.returncode:
        row["error"] = "run: " + last_line(r)
        return row
    with open(stats) as f:
        st = json.load(f)
    row["cycles"] = int(st["cycles_per_inference"])
    m = re.search(r"= ([\d.]+) ms at (\d+) MHz", r.stdout)  # the config's clock
    row["ms"], row["clock_mhz"] = (float(m.group(1)), int(m.group(2))) if m else (None, None)
    row["utilization"] = st["utilization"]
    row["cpu_ms"] = st.get("cpu_ms")
    a = np.load(os.path.join(d, "ort_ref.npy")).reshape(-1).astype(np.float64)
    b = np.load(out).reshape(-1).astype(np.float64)
    row["cosine"] = float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b) + 1e-30)) if a.shape == b.shape else None
    row["top1_same"] = bool(a.argmax() == b.argmax()) if a.shape == b.shape else None
    return row


def table(rows):
    mhz = next((r["clock_mhz"] for r in rows if r.get("clock_mhz")), None)
    lines = [f"| model | compile s (CPU s) | acc MAC share | fsim Mcycles | ms at {mhz} MHz | util % | cosine | top-1 | "
             "CPU steps (op xN (reason)) |",
             "|---|---:|---:|---:|---:|---:|---:|:-:|---|"]
    for r in rows:
        if "error" in r and "cycles" not in r:
            lines.append(f"| {r['model']} | {r.get('compile_s', '')} | | | | | | | FAILS: {r['error']} |")
            continue
        share = 100.0 * r["acc_macs"] / r["macs"] if r.get("macs") else 0
        cos = f"{r['cosine']:.4f}" if r.get("cosine") is not None else "shape?"
        ms = f"{r['ms']:.2f}" if r.get("ms") is not None else "?"
        lines.append(f"| {r['model']} | {r['compile_s']:.1f} ({r['compile_cpu_s']:.1f}) | {share:.1f} % | {r['cycles'] / 1e6:.2f} | {ms} | "
                     f"{100 * r['utilization']:.1f} | {cos} | {'=' if r.get('top1_same') else 'x'} | "
                     f"{r['cpu_nodes']}: {r['cpu_ops'] or '-'} |")
    slow = [r for r in rows if r.get("compile_s", 0) > COMPILE_TARGET_S]
    lines.append("")
    lines.append(f"compile time above the {COMPILE_TARGET_S:g} s target (issue 11): " + (", ".join(
        f"{r['model']} {r['compile_s']:.1f} s (" + ", ".join(
            f"{k} {v[0]:.1f}" for k, v in r.get("compile_stages", {}).items() if v[0] >= 0.2) + ")"
        for r in slow) or "none"))
    return "\n".join(lines)


COMPILE_TARGET_S = 5.0


def report(md, rows, md_path, json_path, passed, failed):
    """Print the table, write it (md_path) and the rows (json_path) where asked, end with the
    count line; the exit status."""
    print(md)
    if md_path:
        with open(md_path, "w") as f:
            f.write(md + "\n")
    if json_path:
        with open(json_path, "w") as f:
            json.dump(rows, f, indent=1)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", default=",".join(ZOO))
    ap.add_argument("--cache", default=os.path.join(ROOT, "build", "zoo"))
    ap.add_argument("--dlvta", default=os.path.join(ROOT, "build", "dlvta"))
    ap.add_argument("--config", default="pynq")
    ap.add_argument("--json")
    ap.add_argument("--md")
    a = ap.parse_args()
    rows, passed, failed = [], 0, 0
    for name in a.models.split(","):
        if name not in ZOO:
            print(f"zoo_bench: unknown model '{name}' (known: {', '.join(ZOO)})", file=sys.stderr)
            return 2
        try:
            row = bench_one(name, os.path.join(a.cache, name), a.dlvta, a.config)
        except Exception as e:  # one model's failure is a row of the table, not the end of the run
            row = {"model": name, "error": str(e)[:300]}
        rows.append(row)
        if "error" in row:
            failed += 1
            print(f"FAIL {name}: {row['error']}", flush=True)
        else:
            passed += 1
            print(f"{name}: compile {row['compile_s']} s, cosine {row['cosine']}, {row['cycles']} cycles", flush=True)
    return report(table(rows), rows, a.md, a.json, passed, failed)


if __name__ == "__main__":
    sys.exit(main())
