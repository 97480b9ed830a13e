"""tests/onnx_yolo.py -- a YOLOv8-style detector written in PyTorch the way ultralytics' code is
(no ultralytics package here): conv-BN-SiLU, C2f blocks (a channel split, bottlenecks with
residuals, a Concat), SPPF (three chained 5x5 stride-1 max pools and a Concat), a PAN neck
(nearest 2x upsampling, Concats, stride-2 convs) and the anchor-free head with its decoding in the
graph: per level a box branch (4 x 16 distribution bins) and a class branch, their outputs
flattened and joined over the levels, the distribution focal loss' softmax over 16 bins and its
fixed 1x1 conv (the expectation), anchor points and strides as constants, boxes as xywh, class
Sigmoid: one [1, 4 + classes, anchors] output, as `yolo export format=onnx` gives.

Exported at opsets 13 and 17 with random weights (BN statistics randomized), compiled for pynq and
ultra96 with calibration samples and run on fsim against onnxruntime: every convolution and pool
on the accelerator (only the head's decoding on the CPU), class scores at a correlation >= 0.99
and within 0.05, boxes within 2 % of the image's size; `dlvta compare` finds an int8 reference for every layer (the
split halves and Concats it reads are views) and fsim bit-exact with each. Run by `make test`
with Debian's python3."""
import os
import sys
import tempfile

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from onnx_check import DLVTA, ORT, check, compare_layers, run, summary  # noqa: E402


def conv(c1, c2, k=1, s=1):
    return nn.Sequential(nn.Conv2d(c1, c2, k, s, k // 2, bias=False), nn.BatchNorm2d(c2), nn.SiLU())


class Bottleneck(nn.Module):
    def __init__(self, c, shortcut):
        super().__init__()
        self.cv1, self.cv2, self.add = conv(c, c, 3), conv(c, c, 3), shortcut

    def forward(self, x):
        return x + self.cv2(self.cv1(x)) if self.add else self.cv2(self.cv1(x))


class C2f(nn.Module):
    def __init__(self, c1, c2, n=1, shortcut=False):
        super().__init__()
        self.c = c2 // 2
        self.cv1, self.cv2 = conv(c1, 2 * self.c), conv((2 + n) * self.c, c2)
        self.m = nn.ModuleList(Bottleneck(self.c, shortcut) for _ in range(n))

    def forward(self, x):
        y = list(self.cv1(x).split((self.c, self.c), 1))
        y.extend(m(y[-1]) for m in self.m)
        return self.cv2(torch.cat(y, 1))


class SPPF(nn.Module):
    def __init__(self, c1, c2):
        super().__init__()
        self.cv1, self.cv2, self.m = conv(c1, c1 // 2), conv(c1 // 2 * 4, c2), nn.MaxPool2d(5, 1, 2)

    def forward(self, x):
        x = self.cv1(x)
        y1 = self.m(x)
        y2 = self.m(y1)
        return self.cv2(torch.cat((x, y1, y2, self.m(y2)), 1))


class Detect(nn.Module):
    def __init__(self, nc, ch, strides):
        super().__init__()
        self.nc, self.no, self.strides = nc, nc + 64, strides
        c2, c3 = max(16, ch[0] // 4, 64), max(ch[0], min(nc, 100))
        self.cv2 = nn.ModuleList(nn.Sequential(conv(x, c2, 3), conv(c2, c2, 3), nn.Conv2d(c2, 64, 1)) for x in ch)
        self.cv3 = nn.ModuleList(nn.Sequential(conv(x, c3, 3), conv(c3, c3, 3), nn.Conv2d(c3, nc, 1)) for x in ch)
        self.dfl = nn.Conv2d(16, 1, 1, bias=False).requires_grad_(False)
        self.dfl.weight.data[:] = torch.arange(16, dtype=torch.float).view(1, 16, 1, 1)

    def forward(self, xs):
        xs = [torch.cat((self.cv2[i](x), self.cv3[i](x)), 1) for i, x in enumerate(xs)]
        anchors, strides = [], []
        for x, st in zip(xs, self.strides):
            h, w = x.shape[2:]
            yy, xx = torch.meshgrid(torch.arange(h, dtype=torch.float) + 0.5, torch.arange(w, dtype=torch.float) + 0.5,
                                    indexing="ij")
            anchors.append(torch.stack((xx, yy), -1).view(-1, 2))
            strides.append(torch.full((h * w, 1), st))
        anchors, strides = torch.cat(anchors).transpose(0, 1).unsqueeze(0), torch.cat(strides).transpose(0, 1)
        box, cls = torch.cat([x.view(1, self.no, -1) for x in xs], 2).split((64, self.nc), 1)
        a = box.shape[2]
        d = self.dfl(box.view(1, 4, 16, a).transpose(2, 1).softmax(1)).view(1, 4, a)
        lt, rb = d.chunk(2, 1)
        x1y1, x2y2 = anchors - lt, anchors + rb
        return torch.cat((torch.cat(((x1y1 + x2y2) / 2, x2y2 - x1y1), 1) * strides, cls.sigmoid()), 1)


class Yolo(nn.Module):
    def __init__(self, nc=10, w=16):
        super().__init__()
        self.stem = nn.Sequential(conv(3, w, 3, 2), conv(w, 2 * w, 3, 2), C2f(2 * w, 2 * w, 1, True))
        self.p3 = nn.Sequential(conv(2 * w, 4 * w, 3, 2), C2f(4 * w, 4 * w, 2, True))
        self.p4 = nn.Sequential(conv(4 * w, 8 * w, 3, 2), C2f(8 * w, 8 * w, 2, True))
        self.p5 = nn.Sequential(conv(8 * w, 16 * w, 3, 2), C2f(16 * w, 16 * w, 1, True), SPPF(16 * w, 16 * w))
        self.n12, self.n15 = C2f(24 * w, 8 * w), C2f(12 * w, 4 * w)
        self.d16, self.n18 = conv(4 * w, 4 * w, 3, 2), C2f(12 * w, 8 * w)
        self.d19, self.n21 = conv(8 * w, 8 * w, 3, 2), C2f(24 * w, 16 * w)
        self.det = Detect(nc, (4 * w, 8 * w, 16 * w), (8.0, 16.0, 32.0))

    def forward(self, x):
        p3 = self.p3(self.stem(x))
        p4 = self.p4(p3)
        p5 = self.p5(p4)
        up = lambda t: F.interpolate(t, scale_factor=2.0, mode="nearest")  # noqa: E731
        n12 = self.n12(torch.cat((up(p5), p4), 1))
        n15 = self.n15(torch.cat((up(n12), p3), 1))
        n18 = self.n18(torch.cat((self.d16(n15), n12), 1))
        n21 = self.n21(torch.cat((self.d19(n18), p5), 1))
        return self.det([n15, n18, n21])


def main():
    d = tempfile.mkdtemp(prefix="dlvta_yolo_")
    torch.manual_seed(0)
    net = Yolo().eval()
    for mod in net.modules():
        if isinstance(mod, nn.BatchNorm2d):
            mod.running_mean.uniform_(-0.1, 0.1), mod.running_var.uniform_(0.5, 1.5)
            mod.weight.data.uniform_(0.5, 1.5), mod.bias.data.uniform_(-0.2, 0.2)
    size = 256
    rng = np.random.default_rng(0)
    x, calib = rng.uniform(0, 1, (1, 3, size, size)), rng.uniform(0, 1, (8, 3, size, size))
    xp, cp = os.path.join(d, "x.npy"), os.path.join(d, "calib.npy")
    np.save(xp, x.astype(np.float32)), np.save(cp, calib.astype(np.float32))
    for opset in (13, 17):
        path = os.path.join(d, f"yolo{opset}.onnx")
        torch.onnx.export(net, torch.from_numpy(x.astype(np.float32)), path, opset_version=opset,
                          input_names=["images"], output_names=["output0"])
        ref = os.path.join(d, f"ort{opset}.npy")
        r = run(["node", ORT, path, xp, ref])
        check(r.returncode == 0, f"opset {opset}: onnxruntime runs it {r.stderr.strip()[-200:]}")
        if r.returncode:
            continue
        want = np.load(ref)
        for cfg in ("pynq", "ultra96"):
            what = f"opset {opset} {cfg}"
            pkg, out = os.path.join(d, f"y{opset}.{cfg}.dlvta"), os.path.join(d, f"y{opset}.{cfg}.npy")
            r = run([DLVTA, "compile", path, "-o", pkg, "--config", cfg, "--calib", cp])
            log = r.stdout + r.stderr
            part = next((ln for ln in log.splitlines() if ln.startswith("partition:")), log.strip()[-300:])
            cpu = part.split("[", 1)[1] if "[" in part else ""
            check(r.returncode == 0 and not any(op in cpu for op in ("Conv", "MaxPool", "Resize")),
                  f"{what}: every conv, pool and upsampling on the accelerator ({part[:160]})")
            if r.returncode:
                continue
            r = run([DLVTA, "run", pkg, "--input", xp, "--output", out])
            if r.returncode:
                check(False, f"{what}: run: {r.stderr.strip()[-200:]}")
                continue
            got = np.load(out)
            if got.shape != want.shape:
                check(False, f"{what}: output {got.shape}, onnxruntime's {want.shape}")
                continue
            a, b = want[:, 4:].ravel(), got[:, 4:].ravel()
            corr = float(np.corrcoef(a, b)[0, 1])  # centred: scores near 0.5 have a cosine near 1 anyway
            score = float(np.max(np.abs(a - b)))
            box = float(np.max(np.abs(want[:, :4] - got[:, :4])))
            check(corr >= 0.99 and score <= 0.05 and box <= 0.02 * size,
                  f"{what}: {got.shape[2]} anchors, class scores correlation {corr:.5f} (within {score:.4f}), "
                  f"boxes within {box:.2f} px")
        compare(path, os.path.join(d, f"y{opset}.pynq.dlvta"), xp)
    return summary()


def compare(path, pkg, xp):
    """`dlvta compare`: every accelerator layer has an int8 reference (C2f's bottlenecks read a
    channel half of a split and the last conv a Concat, views of their blocks whose values the
    reference gathers from the tensors holding them) and fsim is bit-exact with each."""
    got = compare_layers(f"compare {os.path.basename(pkg)}", path, pkg, xp)
    if got is None:
        return
    rc, acc = got
    noref = [s["node"] for s in acc if not s.get("int8_ref")]
    exact = all(s["devices"]["fsim"].get("bit_exact") for s in acc)
    check(rc == 0 and acc and not noref and exact,
          f"compare {os.path.basename(pkg)}: {len(acc)} layers, each with an int8 reference (missing: "
          f"{noref[:3] or 'none'}), fsim bit-exact with every one")


if __name__ == "__main__":
    sys.exit(main())
