#!/usr/bin/python3
# tests/test_onnx_torch_gen.py -- writes small PyTorch models as ONNX, in the layout of ONNX's
# backend tests (OUT/<name>/model.onnx, OUT/<name>/test_data_set_0/{input,output}_N.pb), with
# PyTorch's own outputs as the expected values; tests/test_onnx_torch.c runs them through the
# importer, the reference executor and the pipeline. Random weights (fixed seeds), no downloads.
# Usage: test_onnx_torch_gen.py OUT_DIR [--big]   (--big adds torchvision resnet18/mobilenet_v2)
# Quantized (QDQ) models go to OUT_DIR_qdq: their expected values come from PyTorch's integer
# kernels, which the float QDQ semantics match only to within one quantization step.
import math
import os
import sys

import numpy as np
import onnx
import torch
import torch.nn as nn
from onnx import numpy_helper


class ResBlockNet(nn.Module):
    """conv-bn-relu, a residual basic block, max/avg pooling, flatten, linear, softmax."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 16, 3, 2, 1, bias=False), nn.BatchNorm2d(16), nn.ReLU())
        self.pool = nn.MaxPool2d(3, 2, 1)
        self.c1 = nn.Conv2d(16, 16, 3, 1, 1, bias=False)
        self.b1 = nn.BatchNorm2d(16)
        self.c2 = nn.Conv2d(16, 16, 3, 1, 1, bias=False)
        self.b2 = nn.BatchNorm2d(16)
        self.down = nn.Sequential(nn.Conv2d(16, 32, 1, 2, bias=False), nn.BatchNorm2d(32))
        self.c3 = nn.Conv2d(16, 32, 3, 2, 1)
        self.avg = nn.AvgPool2d(2, ceil_mode=True, count_include_pad=False)
        self.fc = nn.Linear(32 * 2 * 2, 10)

    def forward(self, x):
        x = self.pool(self.stem(x))
        y = torch.relu(self.b1(self.c1(x)))
        x = torch.relu(self.b2(self.c2(y)) + x)
        x = torch.relu(self.c3(x) + self.down(x))
        x = self.avg(x)
        return torch.softmax(self.fc(torch.flatten(x, 1)), dim=1)


class MobileNetish(nn.Module):
    """depthwise separable convs with ReLU6 (Clip), global pooling, dropout, linear."""

    def __init__(self):
        super().__init__()

        def dw(cin, cout, s):
            return nn.Sequential(
                nn.Conv2d(cin, cin, 3, s, 1, groups=cin, bias=False), nn.BatchNorm2d(cin), nn.ReLU6(),
                nn.Conv2d(cin, cout, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU6())

        self.body = nn.Sequential(nn.Conv2d(3, 8, 3, 2, 1), nn.ReLU6(), dw(8, 16, 1), dw(16, 24, 2), dw(24, 24, 1))
        self.head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(0.2), nn.Linear(24, 7))

    def forward(self, x):
        return self.head(self.body(x))


class Attention(nn.Module):
    """one self-attention block: MatMul, Transpose, Reshape, Softmax, Gemm, Sigmoid gate."""

    def __init__(self, d=16, h=2):
        super().__init__()
        self.h, self.d = h, d
        self.q, self.k, self.v = nn.Linear(d, d), nn.Linear(d, d), nn.Linear(d, d)
        self.proj = nn.Linear(d, d)

    def forward(self, x):  # x [B, T, d]
        b, t, d = x.shape
        q, k, v = (f(x).reshape(b, t, self.h, d // self.h).transpose(1, 2) for f in (self.q, self.k, self.v))
        a = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(d // self.h), dim=-1)
        y = (a @ v).transpose(1, 2).reshape(b, t, d)
        return self.proj(y) * torch.sigmoid(x)


class Conv1dPad(nn.Module):
    """1-D convs with dilation and padding, BatchNorm1d, sigmoid, concat, unsqueeze."""

    def __init__(self):
        super().__init__()
        self.a = nn.Conv1d(4, 6, 3, dilation=2, padding=2)
        self.bn = nn.BatchNorm1d(6)
        self.b = nn.Conv1d(4, 6, 5, stride=1, padding=2)

    def forward(self, x):
        y = torch.relu(self.bn(self.a(x)))
        return torch.cat([y, torch.sigmoid(self.b(x))], dim=1).unsqueeze(1)


class QuantCNN(nn.Module):
    """eager-mode static quantization (fbgemm, per-channel int8 weights): exported as QDQ with
    Cast and ConstantOfShape feeding the int32 bias zero points."""

    def __init__(self):
        super().__init__()
        self.q = torch.ao.quantization.QuantStub()
        self.dq = torch.ao.quantization.DeQuantStub()
        self.c1 = nn.Conv2d(3, 8, 3, padding=1)
        self.r1 = nn.ReLU()
        self.c2 = nn.Conv2d(8, 8, 3, stride=2, padding=1, groups=2)
        self.r2 = nn.ReLU()
        self.c3 = nn.Conv2d(8, 6, 1)

    def forward(self, x):
        return self.dq(self.c3(self.r2(self.c2(self.r1(self.c1(self.q(x)))))))


def quantized_cnn(g):
    m = QuantCNN().eval()
    m.qconfig = torch.ao.quantization.get_default_qconfig("fbgemm")
    torch.ao.quantization.fuse_modules(m, [["c1", "r1"], ["c2", "r2"]], inplace=True)
    p = torch.ao.quantization.prepare(m)
    with torch.no_grad():
        for _ in range(8):
            p(torch.randn(2, 3, 16, 16, generator=g))
    return torch.ao.quantization.convert(p)


def randomize_bn(m, g):
    for mod in m.modules():
        if isinstance(mod, (nn.BatchNorm1d, nn.BatchNorm2d)):
            n = mod.num_features
            mod.running_mean.copy_(torch.randn(n, generator=g) * 0.1)
            mod.running_var.copy_(torch.rand(n, generator=g) + 0.5)
            mod.weight.data.copy_(torch.rand(n, generator=g) + 0.5)
            mod.bias.data.copy_(torch.randn(n, generator=g) * 0.1)


def save(out, name, model, x, opset, dynamic_batch=False, keep_bn=False, functions=None):
    d = os.path.join(out, "test_" + name)
    os.makedirs(os.path.join(d, "test_data_set_0"), exist_ok=True)
    model.eval()
    with torch.no_grad():
        y = model(x)
    kw = {}
    if keep_bn:  # export eval-mode BatchNormalization nodes as they are (no Conv+BN fusion)
        kw["training"] = torch.onnx.TrainingMode.PRESERVE
    if dynamic_batch:
        kw["dynamic_axes"] = {"input": {0: "N"}, "output": {0: "N"}}
    if functions:  # these module classes as model-local functions (ModelProto.functions)
        kw["export_modules_as_functions"] = functions
    torch.onnx.export(model, (x,), os.path.join(d, "model.onnx"), opset_version=opset, input_names=["input"],
                      output_names=["output"], do_constant_folding=True, **kw)
    onnx.checker.check_model(onnx.load(os.path.join(d, "model.onnx")))
    for i, (t, kind) in enumerate([(x, "input"), (y, "output")]):
        p = os.path.join(d, "test_data_set_0", "%s_0.pb" % kind)
        with open(p, "wb") as f:
            f.write(numpy_helper.from_array(t.numpy().astype(np.float32), kind).SerializeToString())


def main():
    out = sys.argv[1]
    big = "--big" in sys.argv
    torch.manual_seed(0)
    g = torch.Generator().manual_seed(1)
    m = ResBlockNet()
    randomize_bn(m, g)
    save(out, "resblock_opset13", m, torch.randn(2, 3, 32, 32, generator=g), 13, dynamic_batch=True)
    save(out, "resblock_bn_opset15", m, torch.randn(1, 3, 32, 32, generator=g), 15, keep_bn=True)
    # every Conv2d, BatchNorm2d and ReLU a call of a model-local function, inlined by the importer
    save(out, "resblock_functions_opset15", m, torch.randn(1, 3, 32, 32, generator=g), 15, keep_bn=True,
         functions={nn.Conv2d, nn.BatchNorm2d, nn.ReLU})
    m = MobileNetish()
    randomize_bn(m, g)
    save(out, "mobilenetish_opset11", m, torch.randn(1, 3, 24, 24, generator=g), 11)
    save(out, "mobilenetish_opset17", m, torch.randn(3, 3, 24, 24, generator=g), 17, dynamic_batch=True)
    save(out, "attention_opset17", Attention(), torch.randn(2, 5, 16, generator=g), 17)
    m = Conv1dPad()
    randomize_bn(m, g)
    save(out, "conv1d_opset13", m, torch.randn(2, 4, 20, generator=g), 13, keep_bn=True)
    # QDQ: checked against PyTorch's integer kernels to within a quantization step, apart
    save(out + "_qdq", "qdq_cnn_opset13", quantized_cnn(g), torch.randn(2, 3, 16, 16, generator=g), 13)
    if big:
        import torchvision
        for name, ctor, size in [("resnet18", torchvision.models.resnet18, 64),
                                 ("mobilenet_v2", torchvision.models.mobilenet_v2, 64)]:
            m = ctor()
            randomize_bn(m, g)
            save(out, name + "_opset13", m, torch.randn(1, 3, size, size, generator=g), 13)


if __name__ == "__main__":
    main()
