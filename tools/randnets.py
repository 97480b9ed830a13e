#!/usr/bin/python3
"""tools/randnets.py -- differential test of the whole compiler on random networks: each seed builds
a small PyTorch network of one family from random blocks, at a random input size and channel count:
  cnn     convolutions of random kernel, stride, dilation, padding and groups, BatchNorm, a dozen
          activations, pooling with and without ceil mode, residual Adds, channel Concats, splits
          and shuffles, squeeze-and-excite, elementwise Max / Min / Mul, upsampling, transposed
          convolutions, pixel shuffle, explicit Pad, CBAM, channels-last LayerNorm, GroupNorm,
          InstanceNorm, adaptive pooling, resizes to a size, crops, unary ops; one of several heads
  conv1d  Conv1d, BatchNorm1d, pooling, residuals, Concats, upsampling over [1, C, L]
  video   Conv3d (temporal kernels 1 and 3, strides, padding), BatchNorm3d, pooling within and
          across frames, residuals, Concats over [1, C, T, H, W]
  tokens  Linear, LayerNorm, residual MLPs, multi-head self-attention, token mixing over [1, L, D]
(--family mixed, the default, picks one per seed), one in five exported with a fixed batch of 2 or
3 (compiled per sample: the unbatch pass), exports it to ONNX at a random opset with the options
users vary (initializers also listed as inputs, no constant folding, a dynamic batch axis), and runs
it through
`dlvta compile` (16 random calibration samples) and `dlvta run` on fsim against onnxruntime's float
output for a held-out input (onnxruntime with its graph optimizations off: the graph as written).

  /usr/bin/python3 tools/randnets.py [--seeds A:B] [--config pynq,tiny] [--out DIR] [--min-cos C] [--qdq]
                                    [--family F] [--backend verilator] [-v]     (DLVTA=path: that dlvta binary)

With --qdq each net is first quantized by PyTorch's own QAT flow (FX prepare_qat_fx, FakeQuantize
per-channel int8 weights and per-tensor uint8 activations, observers run over the calibration
samples) and exported as QDQ: dlvta then runs it on the model's own scales, and a seed passes when
every output is within one of the output's quantization steps of onnxruntime's, or at a cosine of
QDQ_MIN_COS (QDQ_CPU_MIN_COS when float CPU steps, a norm, a softmax, a MatMul of two activations,
amplify the accelerator's one-step differences from onnxruntime's float-then-round).

A seed passes when the compile and the run succeed and the cosine of dlvta's output against
onnxruntime's is at least --min-cos (default 0.95: the nets are at most ~14 layers deep; int8 error
stays above it even through an elementwise product of two activations (0.95-0.98 seen); a wrong
layer gives far less; NORM_MIN_COS where an InstanceNorm, GroupNorm or LayerNorm of a map runs on
the CPU, which amplifies the int8 error of channels that vary little (0.94 seen). Look at a low
figure with `dlvta compare`). A seed whose export fails in torch is skipped (counted and named). Ends with
"N passed, N failed"; the exit status is 1 on a failure. Every failing seed's files stay in
OUT/<seed>/ (net.txt describes the network) to reproduce it.
"""
import argparse
import os
import shutil
import subprocess
import sys
import warnings

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DLVTA = os.environ.get("DLVTA", os.path.join(ROOT, "build", "dlvta"))  # (a copy: a long sweep while the tree rebuilds)
ORT = os.path.join(ROOT, "tools", "ort", "ort_run.js")

ACTS = {
    "relu": nn.ReLU, "relu6": nn.ReLU6, "leaky": lambda: nn.LeakyReLU(0.1), "hardswish": nn.Hardswish,
    "hardsigmoid": nn.Hardsigmoid, "silu": nn.SiLU, "sigmoid": nn.Sigmoid, "tanh": nn.Tanh,
    "gelu": nn.GELU, "elu": nn.ELU, "mish": nn.Mish, "clamp": lambda: nn.Hardtanh(-1.0, 2.0),
}


class Lambda(nn.Module):
    def __init__(self, f, what, mods=()):
        super().__init__()
        self.f, self.what, self.mods = f, what, nn.ModuleList(mods)  # mods: the modules f uses

    def forward(self, x):
        return self.f(x)

    def extra_repr(self):
        return self.what


class Residual(nn.Module):
    def __init__(self, body, proj=None):
        super().__init__()
        self.body, self.proj = body, proj

    def forward(self, x):
        return self.body(x) + (self.proj(x) if self.proj is not None else x)


class Branches(nn.Module):
    """Two branches of the same input joined: 'cat' along the channels, 'max', 'min' or 'mul'."""

    def __init__(self, a, b, how):
        super().__init__()
        self.a, self.b, self.how = a, b, how

    def forward(self, x):
        ya, yb = self.a(x), self.b(x)
        if self.how == "cat":
            return torch.cat([ya, yb], 1)
        return {"max": torch.maximum, "min": torch.minimum, "mul": torch.mul}[self.how](ya, yb)

    def extra_repr(self):
        return self.how


class SplitCat(nn.Module):
    """x split in two along the channels, the second half through body, then concatenated (and
    shuffled when shuffle): ShuffleNet v2's unit."""

    def __init__(self, c1, body, shuffle):
        super().__init__()
        self.c1, self.body, self.shuffle = c1, body, shuffle

    def forward(self, x):
        a, b = x[:, :self.c1], x[:, self.c1:]
        y = torch.cat([a, self.body(b)], 1)
        if self.shuffle:
            n, c, h, w = y.shape
            y = y.view(n, 2, c // 2, h, w).transpose(1, 2).reshape(n, c, h, w)
        return y


class SE(nn.Module):
    def __init__(self, c, r, gate):
        super().__init__()
        self.fc1, self.fc2, self.gate = nn.Conv2d(c, r, 1), nn.Conv2d(r, c, 1), gate

    def forward(self, x):
        s = torch.relu(self.fc1(F.adaptive_avg_pool2d(x, 1)))
        return x * (torch.sigmoid(self.fc2(s)) if self.gate == "sigmoid" else F.hardsigmoid(self.fc2(s)))


class Gen:
    """Random blocks over a running shape (c, h, w)."""

    def __init__(self, rng):
        self.r = rng

    def pick(self, xs):
        return xs[int(self.r.integers(len(xs)))]

    def chans(self):
        return int(self.pick([4, 6, 8, 12, 16, 20, 24, 32, 40, 48]))

    def bn(self, c):
        b = nn.BatchNorm2d(c)
        b.weight.data = torch.from_numpy(self.r.uniform(0.5, 1.5, c).astype(np.float32))
        b.bias.data = torch.from_numpy(self.r.normal(0, 0.2, c).astype(np.float32))
        b.running_mean = torch.from_numpy(self.r.normal(0, 0.3, c).astype(np.float32))
        b.running_var = torch.from_numpy(self.r.uniform(0.5, 2.0, c).astype(np.float32))
        return b

    def conv(self, c, h, w, cout=None, keep=False):
        """A Conv2d at shape (c, h, w): (module, (cout, h', w')); keep: the same h, w (stride 1,
        'same' padding)."""
        r = self.r
        k = (1, 1) if keep and r.random() < 0.3 else self.pick([(1, 1), (3, 3), (3, 3), (5, 5), (1, 3), (3, 1), (2, 2), (1, 5)])
        if keep and (k[0] % 2 == 0 or k[1] % 2 == 0):
            k = (3, 3)
        dil = 2 if r.random() < 0.15 and max(k) > 1 and not (k[0] % 2 == 0 or k[1] % 2 == 0) else 1
        stride = (1, 1) if keep or min(h, w) < 6 else self.pick([(1, 1), (1, 1), (2, 2), (2, 2), (1, 2)])
        if keep:
            pad = (dil * (k[0] - 1) // 2, dil * (k[1] - 1) // 2)
        else:
            pad = tuple(int(r.integers(0, dil * (kk - 1) // 2 + 2)) if kk > 1 else int(r.random() < 0.1) for kk in k)
        fixed = cout is not None
        cout = cout or self.chans()
        groups = 1
        u = r.random()
        if u < 0.25 and (not fixed or cout in (c, 2 * c)):
            groups, cout = c, cout if fixed else c * int(self.pick([1, 1, 2]))  # depthwise (multiplier 1 or 2)
        elif u < 0.4:
            g = [d for d in (2, 3, 4, 8) if c % d == 0 and cout % d == 0 and c // d > 1]
            if g:
                groups = self.pick(g)
        ho = (h + 2 * pad[0] - dil * (k[0] - 1) - 1) // stride[0] + 1
        wo = (w + 2 * pad[1] - dil * (k[1] - 1) - 1) // stride[1] + 1
        if ho < 1 or wo < 1:
            return self.conv(c, h, w, cout, keep=True)
        m = nn.Conv2d(c, cout, k, stride, pad, dil, groups, bias=bool(r.random() < 0.6))
        return m, (cout, ho, wo)

    def act(self):
        name = self.pick(sorted(ACTS))
        if self.r.random() < 0.1:
            return nn.PReLU(), "prelu"
        return ACTS[name](), name

    def cba(self, c, h, w, keep=False, cout=None):
        """conv, maybe BN, maybe an activation."""
        m, s = self.conv(c, h, w, cout=cout, keep=keep)
        mods = [m]
        if self.r.random() < 0.6:
            mods.append(self.bn(s[0]))
        if self.r.random() < 0.8:
            mods.append(self.act()[0])
        return nn.Sequential(*mods), s

    def rare(self, c, h, w):
        """The less common blocks: (module, shape) or None when it does not fit the shape."""
        r = self.r
        kind = self.pick(["cbam", "chnorm", "gn", "inorm", "adapt", "interp", "crop", "chsoftmax", "fcmap",
                          "resproj", "cat3", "dilpool", "unary", "unet", "unet", "flip", "roll", "padmode", "hcat",
                          "axismean", "linear_cl", "tokens", "bigdw"])
        if kind == "flip":
            ax = int(self.pick([2, 3]))
            return Lambda(lambda x, ax=ax: torch.flip(x, [ax]), f"flip axis {ax}"), (c, h, w)
        if kind == "roll" and min(h, w) >= 3:  # Swin's shifted windows
            sh = (int(r.integers(1, h)), int(r.integers(1, w)))
            return Lambda(lambda x, sh=sh: torch.roll(x, sh, (2, 3)), f"roll {sh}"), (c, h, w)
        if kind == "padmode" and min(h, w) >= 3:
            mode, p = self.pick(["reflect", "replicate"]), tuple(int(v) for v in r.integers(0, 3, 4))
            return Lambda(lambda x, mode=mode, p=p: F.pad(x, p, mode=mode), f"pad {p} {mode}"), \
                (c, h + p[2] + p[3], w + p[0] + p[1])
        if kind == "hcat":  # a map and a conv of it stacked along H (or W)
            ax = int(self.pick([2, 3]))
            conv = nn.Conv2d(c, c, 3, 1, 1)
            return Lambda(lambda x, conv=conv, ax=ax: torch.cat([x, conv(x)], ax), f"cat along axis {ax}", [conv]), \
                (c, 2 * h if ax == 2 else h, 2 * w if ax == 3 else w)
        if kind == "axismean":  # a mean over one spatial axis broadcast back (coordinate attention)
            ax = int(self.pick([2, 3]))
            return Lambda(lambda x, ax=ax: x * torch.sigmoid(x.mean(ax, keepdim=True)), f"x * sigmoid(mean axis {ax})"), (c, h, w)
        if kind == "linear_cl":  # a Linear over the channels of an NHWC view (ConvNeXt's pointwise layers)
            cout = self.chans()
            fc = nn.Linear(c, cout)
            return Lambda(lambda x, fc=fc: fc(x.permute(0, 2, 3, 1)).permute(0, 3, 1, 2), "channels-last Linear", [fc]), \
                (cout, h, w)
        if kind == "tokens" and h * w <= 256 and c % 4 == 0:  # the map as tokens through attention and back
            att = Attn(h * w, c, int(self.pick([1, 2, 4])))
            return Lambda(lambda x, att=att, s=(c, h, w): att(x.flatten(2).transpose(1, 2)).transpose(1, 2).reshape(-1, *s),
                          "map -> tokens -> attention -> map", [att]), (c, h, w)
        if kind == "bigdw" and min(h, w) >= 4:  # ConvNeXt's 7x7 depthwise, dilated ones
            k, dil = self.pick([(7, 1), (5, 2), (3, 3)])
            return nn.Conv2d(c, c, k, 1, dil * (k - 1) // 2, dil, groups=c), (c, h, w)
        if kind == "unet" and min(h, w) >= 4:  # a U-Net / FPN level: down, body, up to the skip's size, joined
            down, s = self.cba(c, h, w, cout=self.chans())
            down[0].stride, down[0].padding, down[0].kernel_size = (2, 2), (1, 1), (3, 3)
            down[0].weight.data = torch.randn(down[0].out_channels, c // down[0].groups, 3, 3) * 0.3
            s = (s[0], (h + 1) // 2, (w + 1) // 2)
            body, s = self.cba(*s, keep=True)
            up = self.pick(["nearest", "bilinear", "convt"])
            if up == "convt":  # output_padding where the skip's extent is odd
                upm = nn.ConvTranspose2d(s[0], c, 3, 2, 1, output_padding=(1 - h % 2, 1 - w % 2))
            else:
                conv = nn.Conv2d(s[0], c, 1)
                upm = Lambda(lambda x, conv=conv, mode=up, hw=(h, w): conv(F.interpolate(
                    x, size=hw, mode=mode, align_corners=False if mode == "bilinear" else None)), f"up to {(h, w)} {up}", [conv])
            join = self.pick(["add", "cat"])
            inner = nn.Sequential(down, body, upm)
            if join == "add":
                return Residual(inner), (c, h, w)
            return Branches(nn.Identity(), inner, "cat"), (2 * c, h, w)
        if kind == "cbam":  # spatial attention: channel mean and max, a 7x7 conv, a sigmoid gate
            conv = nn.Conv2d(2, 1, 7, padding=3)
            return Lambda(lambda x, conv=conv: x * torch.sigmoid(conv(torch.cat(
                [x.mean(1, keepdim=True), x.amax(1, keepdim=True)], 1))), "CBAM spatial gate", [conv]), (c, h, w)
        if kind == "chnorm":  # ConvNeXt's channels-last LayerNorm
            ln = nn.LayerNorm(c)
            return Lambda(lambda x, ln=ln: ln(x.permute(0, 2, 3, 1)).permute(0, 3, 1, 2), "channels-last LayerNorm", [ln]), (c, h, w)
        if kind == "gn":
            g = [d for d in (1, 2, 4, 8) if c % d == 0]
            return nn.GroupNorm(self.pick(g), c), (c, h, w)
        if kind == "inorm":
            return nn.InstanceNorm2d(c, affine=bool(r.random() < 0.5)), (c, h, w)
        if kind == "adapt" and min(h, w) >= 3:
            o = (self.pick([d for d in range(1, h + 1) if h % d == 0]), self.pick([d for d in range(1, w + 1) if w % d == 0]))
            return (nn.AdaptiveAvgPool2d(o) if r.random() < 0.6 else nn.AdaptiveMaxPool2d(o)), (c,) + o
        if kind == "interp" and max(h, w) <= 24:
            o = (int(r.integers(h, 2 * h + 3)), int(r.integers(w, 2 * w + 3)))
            mode = self.pick(["nearest", "bilinear"])
            ac = bool(r.random() < 0.5) if mode == "bilinear" else None
            return Lambda(lambda x, o=o, mode=mode, ac=ac: F.interpolate(x, size=o, mode=mode, align_corners=ac),
                          f"interpolate to {o} {mode} align_corners={ac}"), (c,) + o
        if kind == "crop" and min(h, w) >= 4:
            return Lambda(lambda x: x[:, :, 1:-1, ::2], "x[:, :, 1:-1, ::2]"), (c, h - 2, (w + 1) // 2)
        if kind == "chsoftmax":
            return nn.Softmax(1), (c, h, w)
        if kind == "fcmap" and c * h * w <= 2048:  # flatten, dense, back to a map
            fc = nn.Linear(c * h * w, c * h * w)
            return Lambda(lambda x, fc=fc, s=(c, h, w): fc(x.flatten(1)).view(1, *s), "dense over the map", [fc]), (c, h, w)
        if kind == "resproj" and min(h, w) >= 2:
            body, s = self.cba(c, h, w, keep=True)
            cout = self.chans()
            body2 = nn.Conv2d(s[0], cout, 3, 2, 1)
            return Residual(nn.Sequential(body, body2), nn.Conv2d(c, cout, 1, 2)), (cout, (h + 1) // 2, (w + 1) // 2)
        if kind == "cat3":
            bs = [self.cba(c, h, w, keep=True) for _ in range(3)]
            mods = [b for b, _ in bs]
            return Lambda(lambda x, mods=mods: torch.cat([b(x) for b in mods], 1), "three-way concat", mods), \
                (sum(sh[0] for _, sh in bs), h, w)
        if kind == "dilpool" and min(h, w) >= 5:
            return nn.MaxPool2d(2, 1, 0, dilation=2), (c, h - 2, w - 2)
        if kind == "unary":
            f, what = self.pick([(torch.abs, "abs"), (lambda x: x * x, "square"), (torch.neg, "neg"),
                                 (lambda x: torch.clamp(x, min=0.1), "clamp min 0.1"), (torch.exp, "exp"),
                                 (torch.erf, "erf")])  # (not sqrt: int8 codes near 0 are its worst case)
            return Lambda(f, what), (c, h, w)
        return None

    def block(self, c, h, w):
        r = self.r
        if r.random() < 0.2:
            got = self.rare(c, h, w)
            if got:
                return got
        kind = self.pick(["cba", "cba", "cba", "pool", "res", "branch", "split", "se", "up", "convt",
                          "pshuffle", "pad", "bnact", "affine"])
        if kind == "pool" and min(h, w) >= 2:
            k = int(self.pick([2, 3]))
            s = int(self.pick([1, 2, 2]))
            p = int(r.integers(0, k // 2 + 1))
            # ceil_mode without padding only: torch's export declares a padded ceil_mode pool's extents without
            # the window it drops and sizes a later adaptive pool by them (an inconsistent model; the padded
            # forms are tests/onnx_randnets_found.py's)
            ceil = bool(r.random() < 0.3) and p == 0
            if r.random() < 0.5:
                m = nn.MaxPool2d(k, s, p, ceil_mode=ceil)
            else:
                m = nn.AvgPool2d(k, s, p, ceil_mode=ceil, count_include_pad=bool(r.random() < 0.5))
            return m, tuple(m(torch.zeros(1, c, h, w)).shape[1:])
        if kind == "res":
            body, s = self.cba(c, h, w, keep=True)
            body2, s = self.cba(s[0], h, w, keep=True, cout=c)
            return Residual(nn.Sequential(body, body2)), (c, h, w)
        if kind == "branch":
            how = self.pick(["cat", "cat", "max", "min", "mul"])
            a, sa = self.cba(c, h, w, keep=True)
            if how == "cat" and r.random() < 0.4:
                b, sb = nn.Identity(), (c, h, w)
            else:
                b, sb = self.cba(c, h, w, keep=True, cout=None if how == "cat" else sa[0])
            return Branches(a, b, how), ((sa[0] + sb[0]) if how == "cat" else sa[0], h, w)
        if kind == "split" and c % 2 == 0 and c >= 4:
            body, _ = self.cba(c - c // 2, h, w, keep=True, cout=c - c // 2)
            return SplitCat(c // 2, body, bool(r.random() < 0.6)), (c, h, w)
        if kind == "se" and c >= 4:
            return SE(c, max(2, c // 4), self.pick(["sigmoid", "hardsigmoid"])), (c, h, w)
        if kind == "up" and max(h, w) <= 24:
            mode = self.pick(["nearest", "bilinear"])
            m = nn.Upsample(scale_factor=2, mode=mode, align_corners=False if mode == "bilinear" else None)
            return m, (c, 2 * h, 2 * w)
        if kind == "convt" and max(h, w) <= 24:
            k, s = self.pick([(2, 2), (3, 2), (4, 2), (3, 1)])
            p = int(r.integers(0, (k - 1) // 2 + 1))
            op = int(r.random() < 0.5) if s == 2 and p > 0 else 0
            cout = self.chans()
            m = nn.ConvTranspose2d(c, cout, k, s, p, output_padding=op, bias=bool(r.random() < 0.5))
            y = m(torch.zeros(1, c, h, w))
            return nn.Sequential(m, self.act()[0]), tuple(y.shape[1:])
        if kind == "pshuffle" and c % 4 == 0 and max(h, w) <= 24:
            return nn.PixelShuffle(2), (c // 4, 2 * h, 2 * w)
        if kind == "pad":
            p = tuple(int(x) for x in r.integers(0, 3, 4))
            return Lambda(lambda x, p=p: F.pad(x, p), f"pad {p}"), (c, h + p[2] + p[3], w + p[0] + p[1])
        if kind == "bnact":  # pre-activation
            a, name = self.act()
            return nn.Sequential(self.bn(c), a), (c, h, w)
        if kind == "affine":
            s, b = float(r.uniform(0.5, 2.0)), float(r.uniform(-0.5, 0.5))
            return Lambda(lambda x, s=s, b=b: x * s + b, f"x * {s:.3f} + {b:.3f}"), (c, h, w)
        return self.cba(c, h, w)

    def head(self, c, h, w):
        r = self.r
        kind = self.pick(["gap_fc", "gap_fc", "flatten_fc", "map", "mean_fc", "softmax"])
        ncls = int(self.pick([3, 10, 17]))
        if kind == "flatten_fc" and c * h * w <= 4096:
            return nn.Sequential(nn.Flatten(), nn.Linear(c * h * w, ncls))
        if kind == "map":
            return nn.Identity()
        if kind == "mean_fc":
            return nn.Sequential(Lambda(lambda x: x.mean([2, 3]), "mean([2, 3])"), nn.Linear(c, ncls))
        if kind == "softmax":
            return nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(c, ncls), nn.Softmax(1))
        return nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(c, ncls))


class Attn(nn.Module):
    """Multi-head self-attention over the tokens with a residual, written out (q, k, v Linears,
    heads by reshape and transpose, softmax(q k^T / sqrt(d)) v) as custom models write it."""

    def __init__(self, length, d, heads):
        super().__init__()
        self.qkv, self.o, self.h, self.l, self.d = nn.Linear(d, 3 * d), nn.Linear(d, d), heads, length, d

    def forward(self, x):
        h, dh = self.h, self.d // self.h
        q, k, v = (t.reshape(-1, self.l, h, dh).transpose(1, 2) for t in self.qkv(x).chunk(3, -1))
        a = torch.softmax(q @ k.transpose(2, 3) / dh ** 0.5, -1)
        return x + self.o((a @ v).transpose(1, 2).reshape(-1, self.l, self.d))


class Gen1d(Gen):
    """Blocks over a running (c, l) of a [1, C, L] sequence: Conv1d, BatchNorm1d, pooling,
    residuals, Concats, nearest upsampling."""

    def conv(self, c, length, cout=None, keep=False):
        r = self.r
        k = 3 if keep else int(self.pick([1, 3, 3, 5, 7]))
        dil = 2 if r.random() < 0.15 and k > 1 else 1
        s = 1 if keep or length < 8 else int(self.pick([1, 1, 2]))
        p = dil * (k - 1) // 2 if keep else int(r.integers(0, dil * (k - 1) // 2 + 2))
        cout = cout or self.chans()
        groups = c if not keep and r.random() < 0.2 else 1
        cout = c if groups > 1 else cout
        lo = (length + 2 * p - dil * (k - 1) - 1) // s + 1
        if lo < 1:
            return self.conv(c, length, cout, keep=True)
        return nn.Conv1d(c, cout, k, s, p, dil, groups, bias=bool(r.random() < 0.6)), (cout, lo)

    BN = nn.BatchNorm1d

    def cba(self, *shape, keep=False, cout=None):
        """conv, maybe BN, maybe an activation (Gen3d's too: its conv and BN)."""
        m, s = self.conv(*shape, cout=cout, keep=keep)
        mods = [m]
        if self.r.random() < 0.6:
            mods.append(self.BN(s[0]))
            self.settle(mods[-1])
        if self.r.random() < 0.8:
            mods.append(self.act()[0])
        return nn.Sequential(*mods), s

    def settle(self, b):
        c = b.num_features
        b.weight.data = torch.from_numpy(self.r.uniform(0.5, 1.5, c).astype(np.float32))
        b.bias.data = torch.from_numpy(self.r.normal(0, 0.2, c).astype(np.float32))
        b.running_mean = torch.from_numpy(self.r.normal(0, 0.3, c).astype(np.float32))
        b.running_var = torch.from_numpy(self.r.uniform(0.5, 2.0, c).astype(np.float32))

    def block(self, c, length):
        kind = self.pick(["cba", "cba", "pool", "res", "cat", "up"])
        if kind == "pool" and length >= 3:
            k, s = int(self.pick([2, 3])), int(self.pick([1, 2]))
            m = nn.MaxPool1d(k, s, k // 2) if self.r.random() < 0.5 else nn.AvgPool1d(k, s, k // 2)
            return m, tuple(m(torch.zeros(1, c, length)).shape[1:])
        if kind == "res":
            body, s = self.cba(c, length, keep=True)
            body2, _ = self.cba(s[0], length, keep=True, cout=c)
            return Residual(nn.Sequential(body, body2)), (c, length)
        if kind == "cat":
            a, sa = self.cba(c, length, keep=True)
            b, sb = self.cba(c, length, keep=True)
            return Branches(a, b, "cat"), (sa[0] + sb[0], length)
        if kind == "up" and length <= 100:
            return nn.Upsample(scale_factor=2, mode="nearest"), (c, 2 * length)
        return self.cba(c, length)

    def head(self, c, length):
        ncls = int(self.pick([3, 10]))
        kind = self.pick(["gap", "mean", "map"])
        if kind == "map":
            return nn.Identity()
        if kind == "mean":
            return nn.Sequential(Lambda(lambda x: x.mean(2), "mean(2)"), nn.Linear(c, ncls))
        return nn.Sequential(nn.AdaptiveAvgPool1d(1), nn.Flatten(), nn.Linear(c, ncls))


class Gen3d(Gen1d):
    """Blocks over a running (c, t, h, w) of a [1, C, T, H, W] clip: Conv3d (temporal kernels 1 or
    3, strides, padding), BatchNorm3d, pooling within and across frames, residuals, Concats."""

    def conv(self, c, t, h, w, cout=None, keep=False):
        r = self.r
        kt = 3 if keep and r.random() < 0.5 else int(self.pick([1, 3])) if not keep else 1
        ks = 3 if keep else int(self.pick([1, 3]))
        st = 1 if keep or t < 4 else int(self.pick([1, 1, 2]))
        ss = 1 if keep or min(h, w) < 6 else int(self.pick([1, 2]))
        pt = (kt - 1) // 2 if keep else int(r.integers(0, kt // 2 + 2))
        ps = (ks - 1) // 2 if keep else int(r.integers(0, ks // 2 + 1))
        cout = cout or self.chans()
        m = nn.Conv3d(c, cout, (kt, ks, ks), (st, ss, ss), (pt, ps, ps), bias=bool(r.random() < 0.6))
        return m, tuple(m(torch.zeros(1, c, t, h, w)).shape[1:])

    BN = nn.BatchNorm3d

    def block(self, c, t, h, w):
        kind = self.pick(["cba", "cba", "pool", "res", "cat"])
        if kind == "pool" and min(h, w) >= 2:
            k = (2, 2, 2) if t >= 2 and self.r.random() < 0.4 else (1, 2, 2)
            m = nn.MaxPool3d(k, k) if self.r.random() < 0.6 else nn.AvgPool3d(k, k)
            return m, tuple(m(torch.zeros(1, c, t, h, w)).shape[1:])
        if kind == "res":
            body, s = self.cba(c, t, h, w, keep=True)
            body2, _ = self.cba(s[0], t, h, w, keep=True, cout=c)
            return Residual(nn.Sequential(body, body2)), (c, t, h, w)
        if kind == "cat":
            a, sa = self.cba(c, t, h, w, keep=True)
            b, sb = self.cba(c, t, h, w, keep=True)
            return Branches(a, b, "cat"), (sa[0] + sb[0], t, h, w)
        return self.cba(c, t, h, w)

    def head(self, c, t, h, w):
        ncls = int(self.pick([3, 10]))
        return nn.Sequential(nn.AdaptiveAvgPool3d(1), nn.Flatten(), nn.Linear(c, ncls))


class GenTokens(Gen):
    """Blocks over a running (l, d) of a [1, L, D] token sequence: Linear, LayerNorm, activations,
    residual MLPs, self-attention, token mixing (a Linear across the tokens)."""

    def block(self, length, d):
        kind = self.pick(["linear", "ln", "act", "mlp", "attn", "attn", "mix"])
        if kind == "linear":
            dout = int(self.pick([8, 16, 24, 32]))
            return nn.Linear(d, dout, bias=bool(self.r.random() < 0.7)), (length, dout)
        if kind == "ln":
            return nn.LayerNorm(d), (length, d)
        if kind == "act":
            return self.act()[0], (length, d)
        if kind == "mlp":
            return Residual(nn.Sequential(nn.Linear(d, 2 * d), nn.GELU(), nn.Linear(2 * d, d))), (length, d)
        if kind == "attn":
            heads = self.pick([h for h in (1, 2, 4) if d % h == 0])
            return nn.Sequential(nn.LayerNorm(d), Attn(length, d, heads)), (length, d)
        fc = nn.Linear(length, length)
        return Lambda(lambda x, fc=fc: fc(x.transpose(1, 2)).transpose(1, 2), "token mixing", [fc]), (length, d)

    def head(self, length, d):
        ncls = int(self.pick([3, 10]))
        kind = self.pick(["mean", "first", "map"])
        if kind == "map":
            return nn.Identity()
        if kind == "first":
            return nn.Sequential(Lambda(lambda x: x[:, 0], "first token"), nn.Linear(d, ncls))
        return nn.Sequential(Lambda(lambda x: x.mean(1), "mean over the tokens"), nn.Linear(d, ncls))


FAMILIES = ("cnn", "conv1d", "video", "tokens")


def family_net(g, family):
    """A net of family built by g: (modules, input shape without the batch)."""
    r = g.r
    if family == "conv1d":
        gen, s = Gen1d(r), (int(g.pick([1, 2, 4, 8, 12])), int(r.integers(16, 201)))
    elif family == "video":
        gen, s = Gen3d(r), (int(g.pick([3, 4, 8])), int(r.integers(2, 9)), int(r.integers(6, 25)), int(r.integers(6, 25)))
    elif family == "tokens":
        gen, s = GenTokens(r), (int(r.integers(4, 41)), int(g.pick([8, 16, 24, 32])))
    else:
        gen, s = g, (int(g.pick([1, 3, 3, 4, 8, 16, 17])), int(r.integers(6, 41)), int(r.integers(6, 41)))
    shape, mods = s, []
    for _ in range(int(r.integers(2, 13 if family == "cnn" else 8))):
        try:
            m, s2 = gen.block(*s)
            m.eval()(torch.zeros((1,) + s))  # (a pooling window larger than its padded input, ...)
        except (RuntimeError, ValueError):
            if family == "tokens":
                continue
            m, s2 = gen.cba(*s, keep=True)
        s = s2
        mods.append(m)
        if np.prod(s) > 64 * 64 * 64:
            break
    mods.append(gen.head(*s))
    return mods, shape


class TwoIn(nn.Module):
    """A second input joined to the first: a conv of it (to the first's channels) added in."""

    def __init__(self, body, c2, c):
        super().__init__()
        self.body, self.stem = body, nn.Conv2d(c2, c, 3, 1, 1)

    def forward(self, x, x2):
        return self.body(x + self.stem(x2))


class TwoOut(nn.Module):
    """The net's output and, as a second output, the map after its block k."""

    def __init__(self, body, k):
        super().__init__()
        self.body, self.k = body, k

    def forward(self, *xs):
        x = xs[0]
        for i, m in enumerate(self.body):
            x = m(x) if i or len(xs) == 1 else m(*xs)
            if i == self.k:
                tap = x
        return x, tap


def make_net(seed, family="mixed"):
    """The network of seed (its family: 'mixed' picks one per seed), its input shapes and opset:
    (net, [shape, ...], opset, family); a second input (a 2-D net's, one seed in eight) and a second
    output (the map after one block, one seed in six) included."""
    rng = np.random.default_rng(seed)
    torch.manual_seed(seed)
    g = Gen(rng)
    if family == "mixed":
        family = FAMILIES[int(rng.choice(4, p=[0.6, 0.13, 0.13, 0.14]))]
    mods, s = family_net(g, family)
    batch = int(g.pick([2, 3])) if rng.random() < 0.2 else 1  # a fixed batch (unbatch's case)
    shapes = [(batch,) + s]
    if family == "cnn" and rng.random() < 0.125:
        c2 = int(g.pick([1, 3, 8]))
        mods[0] = TwoIn(mods[0], c2, s[0])
        shapes.append((batch, c2) + s[1:])
    body = nn.Sequential(*mods)
    net = TwoOut(body, int(rng.integers(0, len(mods) - 1))) if len(mods) > 1 and rng.random() < 1 / 6 else body
    if len(shapes) > 1 and net is body:
        net = TwoOut(body, len(mods) - 1)  # (a Sequential passes one argument: the wrapper takes both)
    net = net.eval().requires_grad_(False)
    opset = int(g.pick([11, 13, 13, 13, 17]))
    return net, shapes, opset, family


def run(cmd):
    return subprocess.run(cmd, capture_output=True, text=True)


QDQ_MIN_COS = 0.999
QDQ_CPU_MIN_COS = 0.99  # a QDQ net with float CPU steps (a norm, softmax, MatMul): one-step differences amplified


def cpu_compute(part):
    """Does the partition line name CPU steps that compute (beyond the QDQ pairs and layout moves)?"""
    import re
    return any(op not in ("QuantizeLinear", "DequantizeLinear", "Transpose", "Reshape", "Identity")
               for op in re.findall(r"(\w+) x\d+ \(", part))
NORM_MIN_COS = 0.9  # a net with a normalization of a map on the CPU (check_config)


def to_qdq(net, shape, calib):
    """net quantized by PyTorch's own flow as a QDQ export takes it (as tools/models/qdq_cnn.py):
    FX prepare_qat_fx (Conv+BN(+ReLU) fused into QAT modules), FakeQuantize per-channel symmetric
    int8 weights and per-tensor affine uint8 activations, observers run over the calibration
    samples (BatchNorm statistics kept), then disabled."""
    from torch.ao.quantization import (FakeQuantize, MovingAverageMinMaxObserver, MovingAveragePerChannelMinMaxObserver,
                                       QConfig, QConfigMapping, get_default_qat_qconfig_mapping)
    from torch.ao.quantization.fx.custom_config import PrepareCustomConfig
    from torch.ao.quantization.quantize_fx import prepare_qat_fx
    act = FakeQuantize.with_args(observer=MovingAverageMinMaxObserver, quant_min=0, quant_max=255, dtype=torch.quint8,
                                 qscheme=torch.per_tensor_affine)
    wt = FakeQuantize.with_args(observer=MovingAveragePerChannelMinMaxObserver, quant_min=-128, quant_max=127,
                                dtype=torch.qint8, qscheme=torch.per_channel_symmetric, ch_axis=0)
    # torch's own mapping for the fixed-range ops (Sigmoid, Tanh, Hardsigmoid: fixed qparams), ours for the rest;
    # the blocks that compute shapes in Python stay whole (FX cannot trace them): float between QDQ pairs
    qmap = QConfigMapping().set_global(QConfig(activation=act, weight=wt))
    for op, qc in get_default_qat_qconfig_mapping("qnnpack").object_type_qconfigs.items():
        if qc is not None and "FixedQParams" in repr(qc.activation):
            qmap.set_object_type(op, qc)
    custom = PrepareCustomConfig().set_non_traceable_module_classes([Lambda, SplitCat, Attn])
    p = prepare_qat_fx(net.train().requires_grad_(True), qmap, (torch.zeros(shape),), prepare_custom_config=custom)
    p.eval()  # (BatchNorm keeps its statistics; the observers run in eval mode too)
    with torch.no_grad():
        for i in range(len(calib)):
            p(torch.from_numpy(calib[i:i + 1]))
    p.apply(torch.ao.quantization.disable_observer)
    return p.eval().requires_grad_(False)


def output_step(model):
    """The quantization step of the model's output when a DequantizeLinear of one scale makes it,
    else None."""
    import onnx
    from onnx import numpy_helper
    m = onnx.load(model)
    consts = {t.name: numpy_helper.to_array(t) for t in m.graph.initializer}
    for n in m.graph.node:
        if n.op_type == "Constant" and n.attribute:
            consts[n.output[0]] = numpy_helper.to_array(n.attribute[0].t)
    for n in m.graph.node:
        if n.output and n.output[0] == m.graph.output[0].name and n.op_type == "DequantizeLinear":
            s = consts.get(n.input[1])
            return float(s.reshape(-1)[0]) if s is not None and s.size == 1 else None
    return None


def cosine(a, b):
    a, b = a.astype(np.float64).ravel(), b.astype(np.float64).ravel()
    if not np.linalg.norm(b):
        return 1.0 if not np.linalg.norm(a) else 0.0
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b) + 1e-30))


def export(d, seed, family, qdq):
    """The net of seed exported to d/model.onnx with its files (x*.npy: the test inputs, c*.npy: the
    calibration samples; per input); (shapes, opset, blocks, outputs, output step) or a skip message."""
    net, shapes, opset, family = make_net(seed, family)
    body = net.body if isinstance(net, TwoOut) else net
    blocks = len(list(body.children()))
    rng = np.random.default_rng(10_000 + seed)
    n = shapes[0][0]  # a fixed batch n > 1: calibration samples of one sample each, a multiple of n
    calib = [rng.normal(0, 1, ((16 if 16 % n == 0 else 18),) + s[1:]).astype(np.float32) for s in shapes]
    xs = [rng.normal(0, 1, (1,) + s).astype(np.float32) for s in shapes]
    with open(os.path.join(d, "net.txt"), "w") as f:
        f.write(f"seed {seed}: {family}, inputs {shapes}, opset {opset}{', QDQ' if qdq else ''}\n{net}\n")
    names = ["input", "input2"][:len(shapes)]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if qdq:
                if len(shapes) > 1:
                    return "one input only with --qdq"
                net, opset = to_qdq(net, shapes[0], calib[0]), 13
            args = tuple(torch.from_numpy(x[0]) for x in xs)
            with torch.no_grad():
                y = net(*args)
            outputs = len(y) if isinstance(y, tuple) else 1
            # the export options users vary: initializers listed as inputs too, no constant folding (shape
            # sub-graphs left in), a dynamic batch axis
            orng = np.random.default_rng(20_000 + seed)
            opts = {"keep_initializers_as_inputs": bool(orng.random() < 0.15),
                    "do_constant_folding": bool(orng.random() < 0.8)}
            if orng.random() < 0.2:
                opts["dynamic_axes"] = {k: {0: "N"} for k in names}
            torch.onnx.export(net, args, os.path.join(d, "model.onnx"), opset_version=opset, input_names=names,
                              output_names=["output", "output2"][:outputs], **opts)
    except Exception as e:  # a torch limit (export, FX tracing), not dlvta's
        return (f"torch cannot {'quantize or ' if qdq else ''}export it "
                f"({(str(e).splitlines() or [type(e).__name__])[0][:120]})")
    for k, name in enumerate(names):
        np.save(os.path.join(d, f"c{k}.npy"), calib[k])
        np.save(os.path.join(d, f"x{k}.npy"), xs[k][0] if n > 1 else xs[k])  # n > 1: the model's own [n, ...] input
    what = (f"{family} {','.join('x'.join(str(v) for v in s) for s in shapes)}, opset {opset}, {blocks} blocks"
            f"{', 2 outputs' if outputs > 1 else ''}{', QDQ' if qdq else ''}"
            f"{', initializers as inputs' if opts['keep_initializers_as_inputs'] else ''}"
            f"{', unfolded' if not opts['do_constant_folding'] else ''}{', dynamic batch' if 'dynamic_axes' in opts else ''}")
    return names, what, outputs, output_step(os.path.join(d, "model.onnx")) if qdq else None


def check_config(d, cfg, names, outputs, refs, step, min_cos, verbose, backend):
    """Compile d/model.onnx for cfg, run it on fsim (and backend) against refs: (status, message)."""
    pkg = os.path.join(d, f"model.{cfg}.dlvta")
    cmd = [DLVTA, "compile", os.path.join(d, "model.onnx"), "-o", pkg, "--config", cfg]
    for k, name in enumerate(names):
        cmd += ["--calib", f"{name}={os.path.join(d, f'c{k}.npy')}"]
    r = run(cmd)
    if r.returncode:
        return "fail", f"compile: {(r.stdout + r.stderr).strip().splitlines()[-1][:300]}"
    part = next((ln for ln in r.stdout.splitlines() if ln.startswith("partition:")), "")
    ins = []
    for k, name in enumerate(names):
        ins += ["--input", f"{name}={os.path.join(d, f'x{k}.npy')}"]
    y = os.path.join(d, f"y.{cfg}.npy")
    r = run([DLVTA, "run", pkg] + ins + ["--output", y])
    if r.returncode:
        return "fail", f"run: {(r.stdout + r.stderr).strip().splitlines()[-1][:300]}"
    got = [np.load(y if o == 0 else y[:-4] + f"_{o}.npy") for o in range(outputs)]
    if backend != "fsim":  # the RTL (or a board) gives fsim's outputs bit for bit
        yb = os.path.join(d, f"y.{cfg}.{backend}.npy")
        r = run([DLVTA, "run", pkg] + ins + ["--output", yb, "--backend", backend])
        if r.returncode or not all(np.array_equal(np.load(yb if o == 0 else yb[:-4] + f"_{o}.npy"), got[o])
                                   for o in range(outputs)):
            return "fail", f"{backend}: " + ((r.stdout + r.stderr).strip().splitlines()[-1][:300] if r.returncode
                                            else "outputs differ from fsim's")
    for o in range(outputs):
        if got[o].size != refs[o].size:
            return "fail", f"output {o} of {got[o].size} values, onnxruntime {refs[o].size}"
    cos = min(cosine(got[o], refs[o]) for o in range(outputs))
    # a normalization over a map on the CPU (InstanceNorm, GroupNorm, a LayerNorm of a map) divides
    # by each channel's spread: a channel that varies little next to the tensor's range (one int8
    # scale for all channels) comes out with its quantization error amplified (0.94 seen)
    norm = any(op + " x" in part for op in ("InstanceNormalization", "LayerNormalization", "Softmax"))
    ok, steps = cos >= (min(min_cos, NORM_MIN_COS) if norm else min_cos), ""
    if step:  # a QDQ model's output: within one of its quantization steps of onnxruntime's, or at
        # QDQ_MIN_COS (a float op after the last quantized tensor, a GroupNorm, amplifies one step)
        worst = float(np.max(np.abs(got[0].astype(np.float64) - refs[0]))) / step
        ok = worst <= 1.001 or cos >= (QDQ_CPU_MIN_COS if cpu_compute(part) else QDQ_MIN_COS)
        steps = f", worst {worst:.2f} output steps"
    return ("pass" if ok else "fail"), f"cosine {cos:.5f}{steps}" + (f"; {part[:200]}" if verbose or not ok else "")


def one(seed, configs, out, min_cos, verbose, qdq=False, family="mixed", backend="fsim"):
    """(status, message) of one seed for each config: status 'pass', 'fail' or 'skip'."""
    d = os.path.join(out, str(seed))
    os.makedirs(d, exist_ok=True)
    got = export(d, seed, family, qdq)
    if isinstance(got, str):
        return [("skip", f"seed {seed}: {got}")]
    names, what, outputs, step = got
    # the graph as written: onnxruntime's own fusions can change its meaning (tools/ort/ort_run.js)
    ref = os.path.join(d, "ref.npy")
    r = subprocess.run(["node", ORT, os.path.join(d, "model.onnx"), ",".join(os.path.join(d, f"x{k}.npy") for k in
                                                                         range(len(names))), ref],
                       capture_output=True, text=True, env=dict(os.environ, ORT_RUN_OPT="disabled", ORT_RUN_ALL_OUTPUTS="1"))
    if r.returncode:
        return [("skip", f"seed {seed}: onnxruntime cannot run it ({r.stderr.strip()[-120:]})")]
    refs = [np.load(ref if o == 0 else ref[:-4] + f"_{o}.npy").astype(np.float64) for o in range(outputs)]
    res = []
    for cfg in configs:
        st, msg = check_config(d, cfg, names, outputs, refs, step, min_cos, verbose, backend)
        res.append((st, f"seed {seed} {cfg} ({what}): {msg}"))
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seeds", default="0:20", help="A:B, seeds A..B-1 (default 0:20)")
    ap.add_argument("--config", default="pynq", help="comma-separated configs (default pynq)")
    ap.add_argument("--out", default=os.path.join(ROOT, "build", "randnets"))
    ap.add_argument("--min-cos", type=float, default=0.95)
    ap.add_argument("--keep", action="store_true", help="keep the files of passing seeds too")
    ap.add_argument("-v", action="store_true", help="print the partition line of every run")
    ap.add_argument("--backend", default="fsim", help="also run each package on this backend (verilator: the "
                    "Verilated RTL), whose outputs must equal fsim's bit for bit")
    ap.add_argument("--family", default="mixed", choices=("mixed",) + FAMILIES,
                    help="cnn (2-D), conv1d, video (3-D) or tokens (Linear, LayerNorm, attention); mixed: one per seed")
    ap.add_argument("--qdq", action="store_true", help="quantize each net with PyTorch's QAT flow and export it as QDQ "
                    "(passes when every output is within one of its quantization steps of onnxruntime's, or at a cosine "
                    f"of {QDQ_MIN_COS}; at --min-cos when the output is not a DequantizeLinear's)")
    a = ap.parse_args()
    lo, hi = (int(v) for v in a.seeds.split(":"))
    counts = {"pass": 0, "fail": 0, "skip": 0}
    low = []
    for seed in range(lo, hi):
        res = one(seed, a.config.split(","), a.out, a.min_cos, a.v, a.qdq, a.family, a.backend)
        for st, msg in res:
            counts[st] += 1
            print(f"{st.upper()} {msg}", flush=True)
            if "cosine " in msg:
                low.append((float(msg.split("cosine ")[1].split(";")[0].split(",")[0]), msg.split(":")[0]))
        if all(st == "pass" for st, _ in res) and not a.keep:
            shutil.rmtree(os.path.join(a.out, str(seed)), ignore_errors=True)
    if counts["skip"]:
        print(f"{counts['skip']} seeds skipped (torch or onnxruntime cannot take them)")
    if low:
        print("lowest cosines: " + ", ".join(f"{c:.4f} ({w})" for c, w in sorted(low)[:3]))
    print(f"{counts['pass']} passed, {counts['fail']} failed")
    return 1 if counts["fail"] else 0


if __name__ == "__main__":
    sys.exit(main())
