"""tests/onnx_compare_views.py -- `dlvta compare` on layers that read views (tensors of no storage
of their own: a Concat of whole channel blocks, a channel slice on block boundaries, and
ShuffleNet's channel shuffle folded into the next conv, which reads whole blocks of a 58-channel
tensor, padding channels included): torchvision's shufflenet_v2_x1_0 (random weights, BN
statistics randomized) at 64 x 64, compiled for pynq and ultra96. Every accelerator layer must
have an int8 reference (its inputs gathered from the tensors whose blocks the views read) and
fsim must be bit-exact with each. Run by `make test` with Debian's python3."""
import os
import sys
import tempfile

import numpy as np
import torch
import torchvision

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from onnx_check import DLVTA, check, compare_layers, run, summary  # noqa: E402


def main():
    d = tempfile.mkdtemp(prefix="dlvta_views_")
    torch.manual_seed(0)
    net = torchvision.models.shufflenet_v2_x1_0(weights=None).eval()
    for m in net.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.running_mean.uniform_(-0.1, 0.1), m.running_var.uniform_(0.5, 1.5)
            m.weight.data.uniform_(0.5, 1.5), m.bias.data.uniform_(-0.2, 0.2)
    rng = np.random.default_rng(0)
    x, calib = (rng.normal(0, 1, (n, 3, 64, 64)).astype(np.float32) for n in (1, 8))
    path, xp, cp = (os.path.join(d, f) for f in ("shufflenet.onnx", "x.npy", "calib.npy"))
    np.save(xp, x), np.save(cp, calib)
    torch.onnx.export(net, torch.from_numpy(x), path, opset_version=13, input_names=["x"], output_names=["y"])
    for cfg in ("pynq", "ultra96"):
        pkg = os.path.join(d, f"s.{cfg}.dlvta")
        r = run([DLVTA, "compile", path, "-o", pkg, "--config", cfg, "--calib", cp])
        if r.returncode:
            check(False, f"{cfg}: compile: {r.stderr.strip()[-300:]}")
            continue
        got = compare_layers(cfg, path, pkg, xp)
        if got is None:
            continue
        rc, acc = got
        noref = [s["node"] for s in acc if not s.get("int8_ref")]
        exact = [s["devices"]["fsim"].get("bit_exact") for s in acc]
        check(rc == 0 and len(acc) > 40 and not noref and all(exact),
              f"{cfg}: {len(acc)} accelerator layers, each with an int8 reference (missing: {noref[:3] or 'none'}), "
              f"fsim bit-exact with {sum(bool(e) for e in exact)} of them")
    return summary()


if __name__ == "__main__":
    sys.exit(main())
