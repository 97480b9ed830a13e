"""tools/models/export.py -- makes the test models of dlvta with Debian's torch and torchvision
(no pretrained weights are reachable, so weights are random but the networks are made realistic):

  export.py resnet18 OUTDIR       ResNet-18, BN statistics measured on realistic images
  export.py mobilenet_v2 OUTDIR   MobileNetV2 (depthwise convs, ReLU6 as Clip, Constant nodes)
  export.py digits OUTDIR         a small CNN trained on scikit-learn's digits (real data)
  export.py tiny_cnn OUTDIR       a small random CNN (fast tests)
  export.py zoo:NAME OUTDIR       torchvision classifier NAME of ZOO (issue 11's list; make bench)
  export.py patterns OUTDIR       a small CNN with the front end's rewrite patterns (ReduceMean,
                                  a shape sub-graph, Hardswish, SiLU, explicit Pad, ceil-mode
                                  MaxPool, pre-activation BatchNorm)

Each writes OUTDIR/model.onnx (input "input" of batch 1), OUTDIR/input.npy (N realistic inputs,
shape (N, 1, C, H, W): a leading N over the model's input shape), OUTDIR/calib.npy (calibration
samples, (N, C, H, W)) and OUTDIR/info.txt; digits also writes x_test.npy ((N, 1, 1, 8, 8)),
y_test.npy (int64 labels) and its float accuracy in info.txt.
Run with /usr/bin/python3 (Debian's python, which sees python3-torch).
"""
import os
import sys

import numpy as np
import torch
import torchvision


def realistic_images(n, size, seed):
    """Crops of scikit-learn's bundled photos (china, flower), flipped and scaled, normalized with
    ImageNet's mean and std: natural image statistics without a data download."""
    from sklearn.datasets import load_sample_images
    rng = np.random.default_rng(seed)
    photos = [im.astype(np.float32) / 255.0 for im in load_sample_images().images]
    mean = np.array([0.485, 0.456, 0.406], np.float32)
    std = np.array([0.229, 0.224, 0.225], np.float32)
    out = np.empty((n, 3, size, size), np.float32)
    for i in range(n):
        p = photos[i % len(photos)]
        h, w, _ = p.shape
        s = int(rng.integers(size // 2, min(h, w)))
        y = int(rng.integers(0, h - s + 1)); x = int(rng.integers(0, w - s + 1))
        crop = torch.from_numpy(p[y:y + s, x:x + s].transpose(2, 0, 1).copy())[None]
        crop = torch.nn.functional.interpolate(crop, size=(size, size), mode="bilinear",
                                               align_corners=False)[0].numpy()
        if rng.random() < 0.5:
            crop = crop[:, :, ::-1]
        out[i] = (crop.transpose(1, 2, 0) - mean).transpose(2, 0, 1) / std[:, None, None]
    return out


def calibrate_bn(model, images, seed):
    """Give every BatchNorm realistic statistics: random affine parameters, then running
    mean/var measured on real images in training mode (cumulative average)."""
    g = torch.Generator().manual_seed(seed)
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.weight.data = 0.5 + torch.rand(m.num_features, generator=g)
            m.bias.data = 0.2 * torch.randn(m.num_features, generator=g)
            m.reset_running_stats()
            m.momentum = None
    model.train()
    with torch.no_grad():
        for i in range(0, len(images), 4):
            model(torch.from_numpy(images[i:i + 4]))
    model.eval()


def save(outdir, model, example, inputs, calib, info, opset=13):
    os.makedirs(outdir, exist_ok=True)
    torch.onnx.export(model, torch.from_numpy(example), os.path.join(outdir, "model.onnx"),
                      opset_version=opset, input_names=["input"], output_names=["output"],
                      do_constant_folding=False)
    # a leading N over the model's input shape (N inferences), as `dlvta run --input` takes it
    np.save(os.path.join(outdir, "input.npy"), inputs[:, None].astype(np.float32))
    np.save(os.path.join(outdir, "calib.npy"), calib.astype(np.float32))
    with open(os.path.join(outdir, "info.txt"), "w") as f:
        f.write(info + "\n")


def decisive_inputs(model, candidates, n, min_margin):
    """The first n candidates whose float top-1 is well defined: the gap between the two largest
    logits is at least min_margin standard deviations of that input's logits. A random-weight
    classifier often puts two classes within a hair of each other, and "the same top-1" is not a
    meaningful check on such a tie. The rule looks only at the float model."""
    with torch.no_grad():
        logits = model(torch.from_numpy(candidates)).numpy()
    picked = []
    for i, l in enumerate(logits):
        top = np.sort(l)[-2:]
        if top[1] - top[0] >= min_margin * l.std():
            picked.append(i)
        if len(picked) == n:
            break
    if len(picked) < n:
        raise SystemExit(f"export.py: only {len(picked)} of {len(candidates)} inputs have a top-1 margin")
    return candidates[picked]


def imagenet_model(name, outdir, seed=1):
    torch.manual_seed(seed)
    model = getattr(torchvision.models, name)(weights=None)
    imgs = realistic_images(48, 224, seed)
    calibrate_bn(model, imgs[:32], seed)
    inputs = decisive_inputs(model, imgs[32:], 4, 0.1)
    save(outdir, model, imgs[:1], inputs, imgs[:16],
         f"{name}: random weights, BN statistics from 32 realistic images, opset 13; test inputs:"
         f" the first 4 of 16 held-out realistic images whose float top-1 leads by >= 0.1 std")


# the torchvision classifiers of `make bench`: issue 11's list, then googlenet and alexnet (of its first
# survey), opset 13, batch 1, 3x224x224
ZOO = ["resnet18", "resnet34", "resnet50", "resnext50_32x4d", "mobilenet_v2", "mobilenet_v3_small",
       "mobilenet_v3_large", "efficientnet_b0", "squeezenet1_1", "shufflenet_v2_x1_0", "densenet121",
       "regnet_x_400mf", "vgg11_bn", "convnext_tiny", "vit_b_16", "googlenet", "alexnet"]


def zoo_model(name, outdir, seed=1):
    """A ZOO classifier with random weights and settled BatchNorm (as imagenet_model), one test
    input (input.npy (1, 1, 3, 224, 224)) and 16 calibration samples; no margin rule (the bench
    compares outputs by cosine, not top-1)."""
    torch.manual_seed(seed)
    model = getattr(torchvision.models, name)(weights=None)
    imgs = realistic_images(34, 224, seed)
    for m in model.modules():  # ViT's head starts at zero: a constant output would compare as nothing
        if isinstance(m, torch.nn.Linear) and not m.weight.detach().any():
            torch.nn.init.normal_(m.weight, std=0.02)
    has_bn = any(isinstance(m, torch.nn.BatchNorm2d) for m in model.modules())
    if has_bn:  # (ConvNeXt and ViT have none: their LayerNorms need no statistics)
        calibrate_bn(model, imgs[:32], seed)
    model.eval()
    save(outdir, model, imgs[:1], imgs[32:33], imgs[:16],
         f"{name}: random weights{', BN statistics from 32 realistic images' if has_bn else ''}, opset 13;"
         f" test input: one held-out realistic image")


class Patterns(torch.nn.Module):
    """The patterns the front end rewrites, as torch exports them: an explicit zero Pad before a
    conv, a pre-activation BatchNorm, Hardswish (HardSigmoid + Mul), SiLU (Sigmoid + Mul),
    ceil-mode max pooling, a channel shuffle through a shape sub-graph (x.size() -> Reshape),
    Mish (Softplus + Tanh + Mul before opset 18) and x.mean([2, 3]) as the global pooling."""

    def __init__(self):
        super().__init__()
        nn = torch.nn
        self.conv1 = nn.Conv2d(3, 16, 3, stride=2)
        self.bn1 = nn.BatchNorm2d(16)
        self.bn2 = nn.BatchNorm2d(16)
        self.conv2 = nn.Conv2d(16, 32, 1)
        self.conv3 = nn.Conv2d(32, 32, 3, padding=1)
        self.pool = nn.MaxPool2d(3, 2, ceil_mode=True)
        self.fc = nn.Linear(32, 10)

    def forward(self, x):
        f = torch.nn.functional
        x = f.hardswish(self.bn1(self.conv1(f.pad(x, (1, 1, 1, 1)))))
        x = self.conv2(f.relu(self.bn2(x)))           # pre-activation BN + Relu before a 1x1 conv
        x = self.pool(f.silu(x))
        n, c, h, w = x.size()                          # Shape/Gather/Unsqueeze/Concat -> Reshape
        x = x.view(n, 2, c // 2, h, w).transpose(1, 2).reshape(n, c, h, w)
        x = f.mish(self.conv3(x))
        return self.fc(x.mean([2, 3]))


def patterns(outdir, seed=4):
    torch.manual_seed(seed)
    model = Patterns()
    imgs = realistic_images(24, 32, seed)
    calibrate_bn(model, imgs[:16], seed)
    save(outdir, model, imgs[:1], imgs[16:18], imgs[:16], "patterns: random, 3x32x32 input")


def tiny_cnn(outdir, seed=2):
    torch.manual_seed(seed)
    model = torch.nn.Sequential(
        torch.nn.Conv2d(3, 8, 3, padding=1), torch.nn.BatchNorm2d(8), torch.nn.ReLU(),
        torch.nn.Conv2d(8, 16, 3, stride=2, padding=1), torch.nn.ReLU(),
        torch.nn.MaxPool2d(2),
        torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten(), torch.nn.Linear(16, 10))
    imgs = realistic_images(24, 16, seed)
    calibrate_bn(model, imgs[:16], seed)
    save(outdir, model, imgs[:1], imgs[16:20], imgs[:16], "tiny_cnn: random, 3x16x16 input")


def digits(outdir, seed=3):
    """Train a small CNN on scikit-learn's 8x8 digits (real data shipped in Debian's package)."""
    from sklearn.datasets import load_digits
    torch.manual_seed(seed)
    d = load_digits()
    x = (d.images.astype(np.float32) / 16.0 - 0.5)[:, None]
    y = d.target.astype(np.int64)
    rng = np.random.default_rng(seed)
    idx = rng.permutation(len(x))
    tr, te = idx[:1300], idx[1300:]
    model = torch.nn.Sequential(
        torch.nn.Conv2d(1, 16, 3, padding=1), torch.nn.BatchNorm2d(16), torch.nn.ReLU(),
        torch.nn.Conv2d(16, 32, 3, stride=2, padding=1), torch.nn.BatchNorm2d(32), torch.nn.ReLU(),
        torch.nn.Conv2d(32, 32, 3, padding=1), torch.nn.ReLU(),
        torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten(), torch.nn.Linear(32, 10))
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    xt, yt = torch.from_numpy(x[tr]), torch.from_numpy(y[tr])
    for epoch in range(30):
        model.train()
        perm = torch.randperm(len(tr))
        for i in range(0, len(tr), 64):
            b = perm[i:i + 64]
            opt.zero_grad()
            loss = torch.nn.functional.cross_entropy(model(xt[b]), yt[b])
            loss.backward()
            opt.step()
    model.eval()
    with torch.no_grad():
        acc = float((model(torch.from_numpy(x[te])).argmax(1).numpy() == y[te]).mean())
    save(outdir, model, x[:1], x[te][:4], x[tr][:64], f"digits: float test accuracy {acc:.4f}")
    np.save(os.path.join(outdir, "x_test.npy"), x[te][:, None])
    np.save(os.path.join(outdir, "y_test.npy"), y[te])


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    what, outdir = sys.argv[1], sys.argv[2]
    if what in ("resnet18", "mobilenet_v2"):
        imagenet_model(what, outdir)
    elif what == "digits":
        digits(outdir)
    elif what == "tiny_cnn":
        tiny_cnn(outdir)
    elif what == "patterns":
        patterns(outdir)
    elif what.startswith("zoo:") and what[4:] in ZOO:
        zoo_model(what[4:], outdir)
    else:
        print(f"export.py: unknown model '{what}'", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
