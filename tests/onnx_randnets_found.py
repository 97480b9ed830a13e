"""tests/onnx_randnets_found.py -- what tools/randnets.py (random networks against onnxruntime)
found, each kept as a directed case:

ceil_mode pooling with padding as torch.onnx.export writes it:

- AvgPool2d(2, 2, padding=1, ceil_mode=True) (count_include_pad) exports as an explicit Pad and an
  unpadded ceil_mode AveragePool. fold-pad moved the Pad into the pool's pads, where ceil_mode then
  drops a last window that starts in padding: a different output extent, and the compile ended in
  "internal: the compiled model is inconsistent". dlvta now keeps that Pad where the move would
  change the extents and runs the graph as written (onnxruntime with its graph optimizations off
  gives the same; its own Pad fusion drops the window, as torch does).
- MaxPool2d(2, 2, padding=1, ceil_mode=True) where torch's exporter declares the output extent
  without the dropped window: the operators' extent is used, with a note (as onnxruntime does);
  the compile stopped with "the model declares 9" before.
- AvgPool2d(..., ceil_mode=True, count_include_pad=False): the pads are the pool's own; onnxruntime
  refuses the export (its shape inference and its kernel disagree), dlvta matches torch.

a ceil_mode pool whose window passes the end of a 2-column map (torch: a 3 / 2 max pool of 2 columns
gives one, from a window that holds both) was refused ("kernel extent 3 larger than padded input 2").

a table op (Abs, ...) on the accelerator right before a channel shuffle: lower took the shuffle's
first Reshape (target "fused", part of the shuffle) for a clamp fused into the table layer and
ended in "tensor ... does not fit the accelerator"; the same after a Concat of 3-channel maps, and
with the table op after the shuffle (fuse moves it before).

a channel shuffle right after a residual conv ran on the CPU ("the shuffled tensor is quantized apart
from its input"): lower nudged the conv's output scale for its residual after the shuffle had been
given the same quantization; a shuffle's reader now keeps it, as a Concat does.

an activation of one value (a softmax over one channel: 1 everywhere) got the scale 1e-8: the
least-squared-error clip put the bound below every value and the range came out empty; now the
values clip to the bound (cosine -0.07 -> 0.99998 on the conv that reads it).

unary functions that ran on the CPU although every unary function of int8 codes is a 256-entry table
(Exp, Log, Sqrt, Reciprocal, Sin, Cos, Atan, Floor, ... ; randnets' census of CPU steps): now table
layers on the accelerator.

coordinate attention (x * sigmoid(conv(x.mean(3, keepdim=True))) * sigmoid(conv(x.amax(2, keepdim=True))))
ran its means, maxima and broadcast Muls on the CPU: a reduction over one spatial axis is now a pool
of that axis, and a gate lacking an axis of 2..16 is repeated along it by a nearest Resize, all on
the accelerator (also on the Verilated RTL, equal to fsim).

a Slice of H, W with steps (YOLOv5's Focus: x[..., ::2, ::2], x[..., 1::2, ::2], ...; randnets'
census): a strided depthwise conv on the accelerator instead of CPU steps.

a pixel shuffle (DepthToSpace, CRD) of a map that no conv of its own makes (after a table op, a pool,
the model's input) ran on the CPU: an identity 1x1 conv before it now takes the reordered output
channels (convt-to-conv's d2s_identity), on the accelerator.

CBAM's channel max (x.amax(1, keepdim=True), beside its channel mean) ran on the CPU: a tree of Max
layers of channel halves now runs it on the accelerator (odd channel counts too).

an InstanceNorm amplifies the int8 error of the channels that vary little next to the tensor's range
(one scale per tensor; randnets: 0.94): calibration now evens the channels of a conv that feeds an
InstanceNorm alone (each scaled to the widest one's range, the norm's epsilon per channel to
match), and a GroupNorm's (torch's export: Reshape, InstanceNorm, Reshape) by one gain per group. A
conv whose output channels span 100x before an InstanceNorm: cosine 0.95 -> 0.987; before a
GroupNorm of 4 groups: 0.958 -> 0.996.

a QDQ model (PyTorch's QAT flow) whose first Conv1d ran on the CPU read its input unquantized: the
model's Quantize -> Dequantize pair had been folded into the tensor for the accelerator. A CPU step
now reads the model's own grid values there (cosine of that conv against the model 0.9875 -> 1.0;
the net's output within one step of onnxruntime's): a LayerNorm of a QDQ model's input here. The
same for a layer the back end refuses after the partition (tiny's buffers and a 720-input fc), and
for a graph output such a CPU step writes: the model clips it to its output quantization (49
output steps off before, with the output's range narrowed).

QDQ models' Conv1d networks and Linear layers on tokens ran on the CPU: the front end lifts 1-D
networks to 2-D and turns MatMuls by constant weights into 1x1 convs, but a QDQ model's weights
are constants only after qdq-import. qdq-import now runs those rewrites again, with the model's
scales carried onto what they insert; a Conv1d net compiles to 0 CPU nodes. The same for Conv3d
networks (lift-3d: each frame's values carry the model's scale of the tensor they are frames of; a
Conv3d + ReLU that fuse joined before qdq-import lifts too): a QDQ video net keeps only its
input's layout change on the CPU. A 1-D Upsample (a
Resize of [N, C, L]) and a SiLU between Conv1ds are lifted too (were CPU steps), float or QDQ.

an AveragePool with padding that count_include_pad=0 leaves out of the average (TensorFlow's SAME
average pools as tf2onnx writes them, torch's count_include_pad=False) ran on the CPU: the pool layer
now multiplies each window's sum by a row and a column factor (L / the window's rows or columns
inside the input, L their least common multiple) before the one requantization by 1 / (Ly Lx), so
every border average is exact; on fsim and the Verilated RTL, equal.

a QDQ model whose conv output has no scale of the model (a region the QAT flow left float, a
ShuffleNet unit's branch) but whose fused table op's output has (through the Concat after it) was
compiled without calibration: the conv's output needs its own quantization as the table's input
codes, and lower stopped ("no usable int8 quantization"; randnets QDQ seed 109).

an upsampling whose output the QDQ model quantizes to a narrower range than its input's was given
its input's quantization (max pooling and upsampling move int8 codes) and lost the model's
clipping: a 1 x 1 average pool now requantizes it on the accelerator (16 output steps off before).

Run by `make test` with Debian's python3."""
import os
import sys
import tempfile

import numpy as np
import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from onnx_check import DLVTA, ORT, check, run, summary  # noqa: E402


def cosine(a, b):
    a, b = a.astype(np.float64).ravel(), b.astype(np.float64).ravel()
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b) + 1e-30)) if a.shape == b.shape else 0.0


def spread_conv(cin, cout, span):
    """A Conv2d whose output channels' scales run from 1 / span to 1 (a trained conv's spread)."""
    torch.manual_seed(3)
    c = nn.Conv2d(cin, cout, 3, 1, 1)
    with torch.no_grad():
        s = torch.logspace(-np.log10(span), 0, cout)
        c.weight.mul_(s[:, None, None, None])
        c.bias.mul_(s)
    return c


def case(d, name, net, shape, ref, note=None, cpu=None, rtl=False, min_cos=0.999):
    """Export net, compile it for pynq (16 calibration samples), run it on fsim; ref: 'ort' (onnxruntime
    with graph optimizations off) or 'torch'; note: a phrase the compile log must hold; cpu: the
    number of CPU nodes the partition must give; rtl: also run on the Verilated RTL, equal to fsim."""
    torch.manual_seed(1)
    net.eval()
    rng = np.random.default_rng(2)
    x = rng.normal(0, 1, (1, 1) + shape).astype(np.float32)
    model, pkg = os.path.join(d, name + ".onnx"), os.path.join(d, name + ".dlvta")
    torch.onnx.export(net, torch.from_numpy(x[0]), model, opset_version=13)
    np.save(os.path.join(d, "c.npy"), rng.normal(0, 1, (16,) + shape).astype(np.float32))
    np.save(os.path.join(d, "x.npy"), x)
    r = run([DLVTA, "compile", model, "-o", pkg, "--calib", os.path.join(d, "c.npy")])
    log = r.stdout + r.stderr
    part = next((ln for ln in log.splitlines() if ln.startswith("partition:")), "no partition line")
    check(r.returncode == 0 and (note is None or note in log) and (cpu is None or f", {cpu} CPU nodes" in part),
          f"{name} compiles" + (f" with the note '{note}'" if note else "") + (f", {cpu} CPU nodes" if cpu is not None else "") +
          f": {part[:160]}")
    if r.returncode:
        return
    r = run([DLVTA, "run", pkg, "--input", os.path.join(d, "x.npy"), "--output", os.path.join(d, "y.npy")])
    check(r.returncode == 0, f"{name} runs on fsim: {(r.stdout + r.stderr).strip().splitlines()[-1][:200]}")
    if r.returncode:
        return
    y = np.load(os.path.join(d, "y.npy"))
    if rtl:
        r = run([DLVTA, "run", pkg, "--input", os.path.join(d, "x.npy"), "--output", os.path.join(d, "yr.npy"),
                 "--backend", "verilator"])
        check(r.returncode == 0 and np.array_equal(np.load(os.path.join(d, "yr.npy")), y),
              f"{name} on the Verilated RTL equals fsim: {(r.stdout + r.stderr).strip().splitlines()[-1][:120]}")
    if ref == "torch":
        with torch.no_grad():
            want = net(torch.from_numpy(x[0])).numpy()[None]
    else:
        r = run(["env", "ORT_RUN_OPT=disabled", "node", ORT, model, os.path.join(d, "x.npy"), os.path.join(d, "ref.npy")])
        if r.returncode:
            check(False, f"{name}: onnxruntime failed: {r.stderr.strip()[-200:]}")
            return
        want = np.load(os.path.join(d, "ref.npy"))
    c = cosine(y, want)
    check(y.size == want.size and c >= min_cos,
          f"{name}: output {y.shape} against {ref}'s {want.shape}, cosine {c:.5f}")


class Shuffle(nn.Module):
    def forward(self, x):
        n, c, h, w = x.shape
        return x.view(n, 2, c // 2, h, w).transpose(1, 2).reshape(n, c, h, w)


class Fn(nn.Module):
    def __init__(self, f):
        super().__init__()
        self.f = f

    def forward(self, x):
        return self.f(x)


class Residual(nn.Module):
    def __init__(self, f):
        super().__init__()
        self.f = f

    def forward(self, x):
        return x + self.f(x)


class CoordAttention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.a, self.b = nn.Conv2d(c, c, 1), nn.Conv2d(c, c, 1)

    def forward(self, x):
        return x * torch.sigmoid(self.a(x.mean(3, keepdim=True))) * torch.sigmoid(self.b(x.amax(2, keepdim=True)))


class Focus(nn.Module):
    def __init__(self, c, co):
        super().__init__()
        self.c = nn.Conv2d(4 * c, co, 3, 1, 1)

    def forward(self, x):
        return self.c(torch.cat([x[..., ::2, ::2], x[..., 1::2, ::2], x[..., ::2, 1::2], x[..., 1::2, 1::2]], 1))


class CBAM(nn.Module):
    def __init__(self):
        super().__init__()
        self.c = nn.Conv2d(2, 1, 7, padding=3)

    def forward(self, x):
        return x * torch.sigmoid(self.c(torch.cat([x.mean(1, keepdim=True), x.amax(1, keepdim=True)], 1)))


class Cat(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.a, self.b = nn.Conv2d(c, c, 1), nn.Conv2d(c, c, 3, 1, 1)

    def forward(self, x):
        return torch.cat([self.a(x), self.b(x)], 1)


def narrow(after, factor):
    """A patch of a QAT-prepared net: the fake quantization right after FX node `after` (a module's
    name, or 'output': the last one) with its scale times factor (< 1: a range that clips)."""
    def patch(p):
        nodes = list(p.graph.nodes)
        if after == "output":
            fq = [n for n in nodes if n.op == "call_module" and "activation_post_process" in str(n.target)][-1]
        else:
            fq = next(iter(next(n for n in nodes if n.target == after).users))
        m = getattr(p, str(fq.target))
        m.scale.mul_(factor)
    return patch


def qdq_case(d, name, net, shape, cpu=None, layers=None, config="pynq", patch=None):
    """net quantized by PyTorch's QAT flow (tools/randnets.py's to_qdq; then patch(prepared net) if
    given), exported as QDQ, compiled for config without calibration and run on fsim: every output
    within one output step of onnxruntime's; cpu / layers: the number of CPU nodes / accelerator
    layers the partition must give."""
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tools"))
    import randnets
    rng = np.random.default_rng(5)
    calib = rng.normal(0, 1, (16,) + shape).astype(np.float32)
    x = rng.normal(0, 1, (1, 1) + shape).astype(np.float32)
    p = randnets.to_qdq(net, (1,) + shape, calib)
    if patch:
        patch(p)
    model, pkg = os.path.join(d, name + ".onnx"), os.path.join(d, name + ".dlvta")
    torch.onnx.export(p, torch.from_numpy(x[0]), model, opset_version=13)
    np.save(os.path.join(d, "x.npy"), x)
    r = run([DLVTA, "compile", model, "-o", pkg, "--config", config])
    r2 = run([DLVTA, "run", pkg, "--input", os.path.join(d, "x.npy"), "--output", os.path.join(d, "y.npy")])
    r3 = run(["env", "ORT_RUN_OPT=disabled", "node", ORT, model, os.path.join(d, "x.npy"), os.path.join(d, "ref.npy")])
    if r.returncode or r2.returncode or r3.returncode:
        check(False, f"{name}: {(r.stdout + r.stderr + r2.stdout + r2.stderr + r3.stderr).strip()[-200:]}")
        return
    part = next((ln for ln in r.stdout.splitlines() if ln.startswith("partition:")), "no partition line")
    if cpu is not None or layers is not None:
        check((cpu is None or f", {cpu} CPU nodes" in part) and (layers is None or f": {layers} accelerator layers" in part),
              f"{name} compiles to" + (f" {layers} accelerator layers" if layers is not None else "") +
              (f" {cpu} CPU nodes" if cpu is not None else "") + f": {part[:160]}")
    y, want = np.load(os.path.join(d, "y.npy")).ravel(), np.load(os.path.join(d, "ref.npy")).ravel()
    step = randnets.output_step(model)
    worst = float(np.max(np.abs(y - want))) / step if step else float("inf")
    check(worst <= 1.001, f"{name}: every output within {worst:.2f} output steps of onnxruntime's (cosine {cosine(y, want):.5f})")


def main():
    with tempfile.TemporaryDirectory() as d:
        case(d, "avgpool_pad_ceil", nn.Sequential(nn.Conv2d(8, 24, 3, padding=1), nn.ReLU(),
                                                  nn.AvgPool2d(2, 2, 1, ceil_mode=True), nn.Conv2d(24, 16, 1)),
             (8, 28, 25), "ort")
        case(d, "se_avgpool_pad_ceil", nn.Sequential(nn.Conv2d(3, 40, 3, padding=1), nn.Sigmoid(),
                                                     nn.AvgPool2d(2, 2, 1, ceil_mode=True)),
             (3, 26, 25), "ort")
        case(d, "maxpool_ceil_declared", nn.Sequential(nn.Conv2d(17, 16, (3, 1), 2), nn.Tanh(),
                                                       nn.MaxPool2d(2, 2, 1, ceil_mode=True), nn.Conv2d(16, 12, 1)),
             (17, 31, 7), "ort", note="output extent(s) the model declares are not what its operators give")
        case(d, "avgpool_ceil_exclude_pad", nn.Sequential(nn.Conv2d(4, 6, 3), nn.ReLU(),
                                                          nn.AvgPool2d(2, 2, 1, ceil_mode=True, count_include_pad=False),
                                                          nn.Flatten(), nn.Linear(6 * 15 * 2, 17)),
             (4, 30, 4), "torch")
        case(d, "maxpool_ceil_window_past_end", nn.Sequential(nn.Conv2d(4, 16, 1), nn.Tanh(), nn.MaxPool2d(3, 2, ceil_mode=True),
                                                              nn.Conv2d(16, 8, 1)), (4, 29, 2), "torch")
        case(d, "avgpool_ceil_window_past_end", nn.Sequential(nn.Conv2d(4, 16, 1), nn.Tanh(), nn.AvgPool2d(3, 2, ceil_mode=True),
                                                              nn.Conv2d(16, 8, 1)), (4, 29, 2), "torch")
        case(d, "cat_abs_shuffle", nn.Sequential(nn.Conv2d(8, 3, 3, 1, 1), Cat(3), Fn(torch.abs), Shuffle(), nn.Conv2d(6, 8, 1)),
             (8, 12, 10), "ort")
        case(d, "cat_shuffle_abs", nn.Sequential(nn.Conv2d(8, 16, 3, 1, 1), Cat(16), Shuffle(), Fn(torch.abs), nn.Conv2d(32, 8, 1)),
             (8, 12, 10), "ort")
        case(d, "residual_shuffle", nn.Sequential(nn.Conv2d(8, 32, 3, 1, 1), Residual(nn.Conv2d(32, 32, 3, 1, 1)), Shuffle(),
                                                  nn.Conv2d(32, 8, 1)), (8, 12, 10), "ort", cpu=0)
        case(d, "constant_activation", nn.Sequential(nn.Conv2d(3, 1, 1), Fn(lambda x: torch.softmax(x, 1)),
                                                     nn.Conv2d(1, 8, 2, (1, 2), (1, 0))), (3, 13, 30), "ort")
        case(d, "negative_constant_activation", nn.Sequential(  # (-1 everywhere: the Neg layer's output, the pool's)
            nn.Conv2d(3, 1, 1), Fn(lambda x: nn.functional.max_pool2d(-torch.softmax(x, 1), 2)), nn.Conv2d(1, 8, 3, 1, 1)),
            (3, 12, 30), "ort")
        case(d, "unary_tables", nn.Sequential(nn.Conv2d(4, 16, 3, 1, 1), Fn(torch.exp), nn.Conv2d(16, 16, 1),
                                              Fn(lambda x: torch.log(torch.sigmoid(x) + 0.01)), nn.Conv2d(16, 16, 1),
                                              Fn(lambda x: torch.sqrt(torch.relu(x) + 0.1)), nn.Conv2d(16, 16, 1),
                                              Fn(lambda x: 1 / (torch.abs(x) + 0.5)), nn.Conv2d(16, 16, 1),
                                              Fn(torch.sin), nn.Conv2d(16, 16, 1), Fn(torch.atan), nn.Conv2d(16, 8, 1)),
             (4, 12, 10), "ort", cpu=0)
        case(d, "coordinate_attention", nn.Sequential(nn.Conv2d(4, 16, 3, 1, 1), nn.ReLU(), CoordAttention(16),
                                                      nn.Conv2d(16, 8, 1)), (4, 12, 10), "ort", cpu=0, rtl=True)
        case(d, "focus_strided_slices", nn.Sequential(Focus(3, 16), nn.SiLU(), nn.Conv2d(16, 8, 1)), (3, 32, 32), "ort", cpu=0,
             rtl=True)
        case(d, "strided_crop", nn.Sequential(nn.Conv2d(3, 16, 3, 1, 1), nn.ReLU(), Fn(lambda x: x[:, :, 1:-1:3, 2::2]),
                                              nn.Conv2d(16, 8, 1)), (3, 20, 15), "ort", cpu=0)
        case(d, "pixel_shuffle_after_table", nn.Sequential(nn.Conv2d(3, 16, 3, 1, 1), nn.Tanh(), nn.PixelShuffle(2),
                                                           nn.Conv2d(4, 8, 1)), (3, 12, 10), "ort", cpu=0, rtl=True)
        case(d, "pixel_shuffle_of_input", nn.Sequential(nn.PixelShuffle(2), nn.Conv2d(4, 8, 3, 1, 1)), (16, 9, 7), "ort", cpu=0)
        for c in (16, 7, 33):
            case(d, f"cbam_channel_max_{c}", nn.Sequential(nn.Conv2d(3, c, 3, 1, 1), nn.ReLU(), CBAM(), nn.Conv2d(c, 8, 1)),
                 (3, 14, 11), "ort", cpu=0, rtl=c == 33)
        case(d, "instance_norm_of_spread_channels", nn.Sequential(nn.Conv2d(3, 8, 3, 1, 1), nn.ReLU(), spread_conv(8, 16, 100),
                                                                  nn.InstanceNorm2d(16, affine=True), nn.ReLU(),
                                                                  nn.Conv2d(16, 8, 3, 1, 1)), (3, 24, 24), "ort", min_cos=0.98)
        case(d, "group_norm_of_spread_channels", nn.Sequential(nn.Conv2d(3, 8, 3, 1, 1), nn.ReLU(), spread_conv(8, 16, 100),
                                                               nn.GroupNorm(4, 16), nn.ReLU(), nn.Conv2d(16, 8, 3, 1, 1)),
             (3, 24, 24), "ort", min_cos=0.99)
        qdq_case(d, "qdq_conv1d_on_accelerator", nn.Sequential(nn.Conv1d(1, 16, 3, 1, 1), nn.BatchNorm1d(16), nn.ReLU(),
                                                               nn.MaxPool1d(2, 2, 1), nn.AdaptiveAvgPool1d(1), nn.Flatten(),
                                                               nn.Linear(16, 10)).eval(), (1, 47), cpu=0)
        qdq_case(d, "qdq_conv1d_upsample", nn.Sequential(nn.Upsample(scale_factor=2), nn.Conv1d(4, 16, 3, 1, 1), nn.ReLU(),
                                                         nn.Upsample(scale_factor=2), nn.Conv1d(16, 8, 3, 1, 1)).eval(),
                 (4, 30), cpu=0)
        qdq_case(d, "qdq_conv3d_on_accelerator", nn.Sequential(nn.Conv3d(3, 8, 3, 1, 1), nn.BatchNorm3d(8), nn.ReLU(),
                                                               nn.Conv3d(8, 8, (1, 3, 3), 1, (0, 1, 1)), nn.ReLU(),
                                                               nn.MaxPool3d((1, 2, 2)), nn.AdaptiveAvgPool3d(1), nn.Flatten(),
                                                               nn.Linear(8, 5)).eval(), (3, 4, 10, 10), cpu=2)
        sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tools"))
        import randnets
        qdq_case(d, "qdq_float_region_table_op", nn.Sequential(
            nn.Conv2d(3, 24, 3, 1, 1), nn.ReLU(),
            randnets.SplitCat(12, nn.Sequential(nn.Conv2d(12, 12, (3, 1), 1, (1, 0), groups=12), nn.GELU()), False),
            nn.Conv2d(24, 8, 1)).eval(), (3, 16, 12), cpu=0)
        qdq_case(d, "qdq_cpu_step_reads_model_grid", nn.Sequential(nn.LayerNorm(24), nn.Linear(24, 32), nn.ReLU(),
                                                                   nn.Linear(32, 10)).eval(), (20, 24))
        qdq_case(d, "qdq_linear_on_tokens", nn.Sequential(nn.Linear(24, 48), nn.ReLU(), nn.Linear(48, 16)).eval(), (20, 24),
                 layers=2)
        qdq_case(d, "qdq_upsample_narrower_quant", nn.Sequential(nn.Conv2d(3, 8, 3, 1, 1), nn.ReLU(), nn.Upsample(scale_factor=2),
                                                                 nn.Conv2d(8, 8, 3, 1, 1)).eval(), (3, 8, 8), cpu=0,
                 patch=narrow("2", 0.6))
        qdq_case(d, "qdq_refused_layer_output", nn.Sequential(nn.BatchNorm2d(3), nn.Hardtanh(-1.0, 2.0), nn.Flatten(),
                                                              nn.Linear(720, 10)).eval(), (3, 6, 40), config="tiny",
                 patch=narrow("output", 0.5))
        case(d, "conv1d_upsample_silu_lifted", nn.Sequential(nn.Upsample(scale_factor=2), nn.Conv1d(4, 16, 3, 1, 1), nn.SiLU(),
                                                             nn.Upsample(scale_factor=3), nn.Conv1d(16, 8, 3, 1, 1)),
             (4, 25), "ort", cpu=0, rtl=True)
        case(d, "avgpool_exclude_pad", nn.Sequential(nn.Conv2d(3, 24, 3, 1, 1), nn.ReLU(),
                                                     nn.AvgPool2d(3, 1, 1, count_include_pad=False), nn.Conv2d(24, 16, 1),
                                                     nn.AvgPool2d(5, 2, 2, count_include_pad=False), nn.Conv2d(16, 8, 1)),
             (3, 17, 14), "ort", cpu=0, rtl=True)
        case(d, "conv_tanh_shuffle", nn.Sequential(nn.Conv2d(8, 32, 3, 1, 1), nn.MaxPool2d(2), nn.Tanh(), Shuffle(), nn.Conv2d(32, 8, 1)),
             (8, 12, 10), "ort")
    return summary()


if __name__ == "__main__":
    sys.exit(main())
