"""tests/onnx_conv3d.py -- 3-D convolutional networks (video: C3D / R3D / R(2+1)D-like torch exports over
[1, C, T, H, W]) through the lift-3d pass: the frames stacked in the channels, a 2-D Conv per output
frame over a channel view of the frames its window reads, frame pools and global pooling over the
twin, pools across frames (Max layers of frame views, a mean by a 1x1 Conv), channel Concats of frames
(Inception-style blocks); compiled for pynq and run
on fsim against onnxruntime. What does not lift (a grouped Conv3d) stays on the CPU and is still right. Run by `make test` with Debian's python3."""
import os
import re
import sys
import tempfile

import numpy as np
import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from onnx_check import DLVTA, check, compile_run, run, summary  # noqa: E402


class C3D(nn.Module):
    """Conv3d-BN-ReLU, a frame pool, a Conv3d of temporal stride 2 without temporal padding, a
    pre-activation residual block (BN3d, ReLU, Conv3d), global average pooling, a dense layer."""

    def __init__(self):
        super().__init__()
        self.c1, self.b1 = nn.Conv3d(3, 16, 3, padding=1), nn.BatchNorm3d(16)
        self.c2 = nn.Conv3d(16, 32, 3, stride=(2, 1, 1), padding=(0, 1, 1))
        self.b3, self.c3 = nn.BatchNorm3d(32), nn.Conv3d(32, 32, 3, padding=1)
        self.fc = nn.Linear(32, 5)

    def forward(self, x):
        x = nn.functional.max_pool3d(torch.relu(self.b1(self.c1(x))), (1, 2, 2))
        x = torch.relu(self.c2(x))
        x = x + self.c3(torch.relu(self.b3(x)))
        return self.fc(nn.functional.adaptive_avg_pool3d(x, 1).flatten(1))


class R2plus1D(nn.Module):
    """Factorized convs: (1, 3, 3) spatial then (3, 1, 1) temporal, an average frame pool."""

    def __init__(self):
        super().__init__()
        self.s = nn.Conv3d(3, 16, (1, 3, 3), padding=(0, 1, 1))
        self.t = nn.Conv3d(16, 24, (3, 1, 1), padding=(1, 0, 0))
        self.fc = nn.Linear(24, 4)

    def forward(self, x):
        x = nn.functional.avg_pool3d(torch.relu(self.t(torch.relu(self.s(x)))), (1, 2, 2))
        return self.fc(x.mean([2, 3, 4]))


class WidePad(nn.Module):
    """A temporal padding of 2 for a kernel of 3: the end frames read one input frame each."""

    def __init__(self):
        super().__init__()
        self.c = nn.Conv3d(4, 16, 3, padding=(2, 1, 1))

    def forward(self, x):
        return torch.relu(self.c(x))


class PoolT(nn.Module):
    """Pools across frames (C3D's, S3D's): max (2, 2, 2); average (3, 2, 2) of stride 2 with a
    temporal padding of 1, without and with count_include_pad; max (3, 3, 3) of stride 2, padding 1."""

    def __init__(self, include_pad):
        super().__init__()
        self.a, self.b = nn.Conv3d(3, 16, 3, padding=1), nn.Conv3d(16, 16, 3, padding=1)
        self.include_pad = include_pad
        self.fc = nn.Linear(16, 3)

    def forward(self, x):
        x = nn.functional.max_pool3d(torch.relu(self.a(x)), 2)
        x = nn.functional.avg_pool3d(x, (3, 2, 2), stride=(2, 1, 1), padding=(1, 0, 0),
                                     count_include_pad=self.include_pad)
        x = nn.functional.max_pool3d(torch.relu(self.b(x)), 3, stride=2, padding=1)
        return self.fc(x.mean([2, 3, 4]))


class Inception3D(nn.Module):
    """An S3D / I3D-style block: a 1x1x1 branch, a 1x1x1 then (3, 1, 1) branch, a (3, 3, 3) max pool
    then 1x1x1 branch, concatenated along the channels (each branch's frames joined frame by frame)."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Conv3d(3, 16, 3, padding=1)
        self.b0, self.b1a, self.b3 = nn.Conv3d(16, 16, 1), nn.Conv3d(16, 8, 1), nn.Conv3d(16, 16, 1)
        self.b1b = nn.Conv3d(8, 16, (3, 1, 1), padding=(1, 0, 0))
        self.fc = nn.Linear(48, 4)

    def forward(self, x):
        x = torch.relu(self.stem(x))
        a = torch.relu(self.b0(x))
        b = torch.relu(self.b1b(torch.relu(self.b1a(x))))
        c = torch.relu(self.b3(nn.functional.max_pool3d(x, 3, stride=1, padding=1)))
        return self.fc(nn.functional.adaptive_avg_pool3d(torch.cat([a, b, c], 1), 1).flatten(1))


class Grouped(nn.Module):
    """A grouped Conv3d (groups 2): not lifted, on the CPU."""

    def __init__(self):
        super().__init__()
        self.a, self.b = nn.Conv3d(3, 8, 3, padding=1), nn.Conv3d(8, 8, 3, padding=1, groups=2)

    def forward(self, x):
        return self.b(torch.relu(self.a(x)))


def export(d, name, net, shape):
    torch.manual_seed(0)
    for m in net.modules():
        if isinstance(m, nn.BatchNorm3d):
            m.running_mean.uniform_(-0.2, 0.2), m.running_var.uniform_(0.5, 1.5)
            m.weight.data.uniform_(0.5, 1.5), m.bias.data.uniform_(-0.2, 0.2)
    net.eval()
    path = os.path.join(d, name + ".onnx")
    torch.onnx.export(net, torch.randn(*shape), path, opset_version=13, input_names=["clip"])
    return path


def main():
    rng = np.random.default_rng(2)
    with tempfile.TemporaryDirectory() as d:
        host = ["2 CPU nodes", "Transpose x1", "Reshape x1"]  # the input's frames stacked, on the host
        for name, net, shape, cpu in [("c3d", C3D(), (1, 3, 8, 16, 16), host),
                                      ("r2plus1d", R2plus1D(), (1, 3, 6, 12, 12), host),
                                      # a 5-D output: its frames unstacked on the CPU (Reshape, Transpose)
                                      ("widepad", WidePad(), (1, 4, 4, 8, 8), ["4 CPU nodes"]),
                                      ("pool_t", PoolT(False), (1, 3, 8, 12, 12), host),
                                      ("pool_t_incl", PoolT(True), (1, 3, 8, 12, 12), host),
                                      ("inception", Inception3D(), (1, 3, 4, 12, 12), host),
                                      ("grouped", Grouped(), (1, 3, 4, 8, 8), ["Conv"])]:
            path = export(d, name, net, shape)
            calib = rng.normal(size=(6,) + shape[1:]).astype(np.float32)
            compile_run(d, name, path, calib, rng.normal(size=shape).astype(np.float32), cpu)
        # c3d on pynq's Verilated RTL: bit for bit the outputs of fsim (the frame views, the per-frame
        # convs with their fused residuals and the frame concats as the hardware runs them)
        for name, shape in (("pool_t", (1, 3, 8, 12, 12)), ("c3d", (1, 3, 8, 16, 16)), ("inception", (1, 3, 4, 12, 12))):
            pkg, x = os.path.join(d, name + ".dlvta"), os.path.join(d, "x3.npy")
            np.save(x, rng.normal(size=shape).astype(np.float32))
            ys = []
            for be in ("fsim", "verilator"):
                r = run([DLVTA, "run", pkg, "--input", x, "--output", os.path.join(d, be + ".npy"), "--backend", be])
                ys.append(np.load(os.path.join(d, be + ".npy")) if r.returncode == 0 else None)
            check(ys[0] is not None and ys[1] is not None and ys[0].tobytes() == ys[1].tobytes(),
                  f"{name} on pynq's Verilated RTL: the outputs of fsim bit for bit")
        # dlvta compare: every accelerator layer, the per-frame convs included, against the float
        # reference run through the same lift (cosine per layer)
        cal = os.path.join(d, "c3cal.npy")
        np.save(cal, rng.normal(size=(4, 3, 8, 16, 16)).astype(np.float32))
        run([DLVTA, "compile", os.path.join(d, "c3d.onnx"), "-o", os.path.join(d, "c3c.dlvta"), "--calib", cal])
        x = os.path.join(d, "xc.npy")
        np.save(x, rng.normal(size=(1, 3, 8, 16, 16)).astype(np.float32))
        r = run([DLVTA, "compare", os.path.join(d, "c3d.onnx"), os.path.join(d, "c3c.dlvta"), "--input", x, "--calib", cal])
        rows = [ln for ln in r.stdout.splitlines() if re.match(r"\s+\d+ L\d+ ", ln)]
        coss = [float(m.group(1)) for m in (re.search(r"(\d\.\d{5}) \S+ [=?]\s*$", ln) for ln in rows) if m]
        check(r.returncode == 0 and rows and len(coss) == len(rows) and min(coss) >= 0.999,
              f"c3d: dlvta compare gives all {len(rows)} accelerator layers a float cosine "
              f"(min {min(coss) if coss else 0:.5f})")
        # the per-frame convs: one 2-D Conv per output frame in the dump after lift-3d
        r = run([DLVTA, "compile", os.path.join(d, "widepad.onnx"), "-o", os.path.join(d, "w.dlvta"),
                 "--dump-after", "lift-3d"])
        convs = len(re.findall(r"= Conv\(", r.stdout))
        check(convs == 6, f"widepad: {convs} 2-D Convs after lift-3d, one per output frame (6)")
    return summary()


if __name__ == "__main__":
    sys.exit(main())
