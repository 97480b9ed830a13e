#!/usr/bin/python3
# tools/models/train_fmnist.py -- trains three small CNNs on Fashion-MNIST (Debian's
# dataset-fashion-mnist, /usr/share/datasets/fashion-mnist) and writes them as ONNX for dlvta's
# int8 accuracy tests, with what PyTorch's own post-training quantization makes of them:
#   fmnist_res        residual (ResNet-like: basic blocks, strided 1x1 projections)
#   fmnist_mbv3       depthwise separable + Hardswish + squeeze-and-excite (MobileNetV3-like)
#   fmnist_inception  inception blocks whose four branches are concatenated (GoogLeNet-like)
# Writes OUT/fmnist_<name>.onnx (opset 13, input [1,1,28,28] normalized, output logits [1,10]),
# OUT/fmnist_calib.npy (CALIB training images, the calibration samples of both dlvta and torch)
# OUT/fmnist_<name>.json (epochs, training time, float top-1 on the 10k test images, PyTorch
# FX post-training static quantization's top-1 with the same calibration samples) and
# OUT/fmnist_<name>_torch_top1.npy ([2][10000] uint8: each test image's top-1 class by the float
# model and by PyTorch's quantized model, so that tests compare on the same images).
# Hardswish and hardsigmoid are written as x * relu6(x + 3) / 6 and relu6(x + 3) / 6 in the ONNX
# (the same functions; opset 13 has no HardSwish and torch exports it as HardSigmoid), torch's PTQ
# uses its own quantized Hardswish/Hardsigmoid modules.
# Usage: train_fmnist.py OUT_DIR [--epochs N] [--threads N] [--only res,mbv3,inception] [--train-images N]
# (fixed seeds; the three models can train in parallel processes with --only). The committed
# models were made with the defaults (one epoch over 24000 training images, one thread each, the
# three in parallel: about 10 minutes of wall time on a shared 2-core machine, where each got
# under 10 % of a core); more epochs and images give better models, the tests need no change.
import argparse
import copy
import gzip
import json
import os
import time
import warnings

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

DATA = "/usr/share/datasets/fashion-mnist"
MEAN, STD = 0.2860, 0.3530
CALIB = 32


def load(kind):
    with gzip.open(os.path.join(DATA, "%s-images-idx3-ubyte.gz" % kind)) as f:
        x = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 1, 28, 28)
    with gzip.open(os.path.join(DATA, "%s-labels-idx1-ubyte.gz" % kind)) as f:
        y = np.frombuffer(f.read(), np.uint8, offset=8)
    return ((x.astype(np.float32) / 255.0 - MEAN) / STD).astype(np.float32), y.astype(np.int64)


class HSwish(nn.Module):
    """Hardswish; `explicit` (ONNX export) spells it with Add/Clip/Mul/Div."""

    def __init__(self):
        super().__init__()
        self.explicit = False
        self.m = nn.Hardswish()

    def forward(self, x):
        return x * F.relu6(x + 3.0) / 6.0 if self.explicit else self.m(x)


class HSigmoid(nn.Module):
    def __init__(self):
        super().__init__()
        self.explicit = False
        self.m = nn.Hardsigmoid()

    def forward(self, x):
        return F.relu6(x + 3.0) / 6.0 if self.explicit else self.m(x)


def cbr(cin, cout, k=3, s=1, groups=1, act=None):
    return nn.Sequential(nn.Conv2d(cin, cout, k, s, k // 2, groups=groups, bias=False), nn.BatchNorm2d(cout),
                         act if act is not None else nn.ReLU())


class Basic(nn.Module):
    def __init__(self, cin, cout, s):
        super().__init__()
        self.c1 = cbr(cin, cout, 3, s)
        self.c2 = nn.Sequential(nn.Conv2d(cout, cout, 3, 1, 1, bias=False), nn.BatchNorm2d(cout))
        self.proj = None if s == 1 and cin == cout else nn.Sequential(nn.Conv2d(cin, cout, 1, s, bias=False),
                                                                      nn.BatchNorm2d(cout))
        self.relu = nn.ReLU()

    def forward(self, x):
        return self.relu(self.c2(self.c1(x)) + (x if self.proj is None else self.proj(x)))


class ResNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = cbr(1, 8)
        self.body = nn.Sequential(Basic(8, 8, 1), Basic(8, 16, 2), Basic(16, 16, 1), Basic(16, 32, 2))
        self.head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(32, 10))

    def forward(self, x):
        return self.head(self.body(self.stem(x)))


class SE(nn.Module):
    def __init__(self, c, r=4):
        super().__init__()
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc1, self.relu, self.fc2 = nn.Conv2d(c, c // r, 1), nn.ReLU(), nn.Conv2d(c // r, c, 1)
        self.gate = HSigmoid()

    def forward(self, x):
        return x * self.gate(self.fc2(self.relu(self.fc1(self.pool(x)))))


class InvRes(nn.Module):
    """expand 1x1, depthwise 3x3, squeeze-excite, project 1x1 (residual when shapes allow)."""

    def __init__(self, cin, exp, cout, s, se):
        super().__init__()
        self.expand = cbr(cin, exp, 1, act=HSwish())
        self.dw = cbr(exp, exp, 3, s, groups=exp, act=HSwish())
        self.se = SE(exp) if se else nn.Identity()
        self.proj = nn.Sequential(nn.Conv2d(exp, cout, 1, bias=False), nn.BatchNorm2d(cout))
        self.res = s == 1 and cin == cout

    def forward(self, x):
        y = self.proj(self.se(self.dw(self.expand(x))))
        return x + y if self.res else y


class MobileNetV3ish(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = cbr(1, 16, 3, 2, act=HSwish())  # 14x14
        self.body = nn.Sequential(InvRes(16, 32, 16, 1, False), InvRes(16, 48, 24, 2, True),
                                  InvRes(24, 64, 24, 1, True), InvRes(24, 96, 32, 2, True))
        self.head = nn.Sequential(cbr(32, 64, 1, act=HSwish()), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 10))

    def forward(self, x):
        return self.head(self.body(self.stem(x)))


class Inception(nn.Module):
    def __init__(self, cin, c1, c3r, c3, c5r, c5, cp):
        super().__init__()
        self.b1 = cbr(cin, c1, 1)
        self.b3 = nn.Sequential(cbr(cin, c3r, 1), cbr(c3r, c3, 3))
        self.b5 = nn.Sequential(cbr(cin, c5r, 1), cbr(c5r, c5, 3), cbr(c5, c5, 3))
        self.bp = nn.Sequential(nn.MaxPool2d(3, 1, 1), cbr(cin, cp, 1))

    def forward(self, x):
        return torch.cat([self.b1(x), self.b3(x), self.b5(x), self.bp(x)], 1)


class InceptionNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(cbr(1, 16), nn.MaxPool2d(2))
        self.i1 = Inception(16, 8, 8, 16, 4, 8, 8)     # 40 channels, 14x14
        self.pool = nn.MaxPool2d(2)
        self.i2 = Inception(40, 16, 16, 24, 4, 8, 8)  # 56 channels, 7x7
        self.head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(56, 10))

    def forward(self, x):
        return self.head(self.i2(self.pool(self.i1(self.stem(x)))))


MODELS = {"res": ResNet, "mbv3": MobileNetV3ish, "inception": InceptionNet}


def predict(model, x, bs=500):
    """Top-1 class of each image."""
    model.eval()
    with torch.no_grad():
        return np.concatenate([model(torch.from_numpy(x[i:i + bs])).argmax(1).numpy() for i in range(0, len(x), bs)])


def train(model, xtr, ytr, epochs, seed):
    g = torch.Generator().manual_seed(seed)
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-4)
    bs = 128
    steps = epochs * (len(xtr) // bs)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, total_steps=steps)
    xt, yt = torch.from_numpy(xtr), torch.from_numpy(ytr)
    for ep in range(epochs):
        model.train()
        perm = torch.randperm(len(xtr), generator=g)
        t0, tot = time.time(), 0.0
        for i in range(len(xtr) // bs):
            idx = perm[i * bs:(i + 1) * bs]
            loss = F.cross_entropy(model(xt[idx]), yt[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            tot += loss.item()
        print("  epoch %d: loss %.4f, %.1f s" % (ep + 1, tot / (len(xtr) // bs), time.time() - t0), flush=True)


def torch_ptq(model, calib, xte, yte):
    """FX post-training static quantization with the engine's default qconfig (per-channel
    weights on onednn, per-tensor on qnnpack), calibrated on the same samples as dlvta."""
    from torch.ao.quantization import get_default_qconfig_mapping
    from torch.ao.quantization.quantize_fx import convert_fx, prepare_fx
    engines = torch.backends.quantized.supported_engines
    engine = "onednn" if "onednn" in engines else "qnnpack"
    torch.backends.quantized.engine = engine
    m = copy.deepcopy(model).eval()
    p = prepare_fx(m, get_default_qconfig_mapping(engine), (torch.from_numpy(calib[:1]),))
    with torch.no_grad():
        for i in range(len(calib)):
            p(torch.from_numpy(calib[i:i + 1]))
    q = convert_fx(p)
    return engine, predict(q, xte)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--only", default="")
    ap.add_argument("--train-images", type=int, default=24000, help="train on this many (a fixed random subset)")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    os.makedirs(a.out, exist_ok=True)
    xtr, ytr = load("train")
    xte, yte = load("t10k")
    perm = np.random.RandomState(0).permutation(len(xtr))
    calib = xtr[perm[:CALIB]]
    xtr, ytr = xtr[perm[:a.train_images]], ytr[perm[:a.train_images]]
    if not a.only or "res" in a.only.split(","):
        np.save(os.path.join(a.out, "fmnist_calib.npy"), calib)
    for i, (name, cls) in enumerate(MODELS.items()):
        if a.only and name not in a.only.split(","):
            continue
        torch.manual_seed(100 + i)
        model = cls()
        print("%s: %d parameters" % (name, sum(p.numel() for p in model.parameters())), flush=True)
        t0 = time.time()
        train(model, xtr, ytr, a.epochs, 200 + i)
        t_train = time.time() - t0
        model.eval()
        pf = predict(model, xte)
        engine, pq = torch_ptq(model, calib, xte, yte)
        acc, qacc = 100.0 * (pf == yte).mean(), 100.0 * (pq == yte).mean()
        # every test image's top-1 (float, PTQ): the tests compare on any subset of the images
        np.save(os.path.join(a.out, "fmnist_%s_torch_top1.npy" % name), np.stack([pf, pq]).astype(np.uint8))
        print("%s: float top-1 %.2f %%, torch PTQ (%s) %.2f %%, trained in %.0f s" % (name, acc, engine, qacc, t_train),
              flush=True)
        for mod in model.modules():
            if isinstance(mod, (HSwish, HSigmoid)):
                mod.explicit = True
        path = os.path.join(a.out, "fmnist_%s.onnx" % name)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(model, (torch.from_numpy(xte[:1]),), path, opset_version=13, input_names=["input"],
                              output_names=["logits"])
        info = {"onnx": os.path.basename(path), "epochs": a.epochs, "threads": a.threads, "train_images": len(xtr),
                "train_seconds": round(t_train, 1), "float_top1": round(float(acc), 2),
                "torch_ptq_engine": engine, "torch_ptq_top1": round(float(qacc), 2),
                "calib": "fmnist_calib.npy (%d training images)" % CALIB, "torch": torch.__version__}
        with open(os.path.join(a.out, "fmnist_%s.json" % name), "w") as f:
            json.dump(info, f, indent=1, sort_keys=True)
            f.write("\n")


if __name__ == "__main__":
    main()
