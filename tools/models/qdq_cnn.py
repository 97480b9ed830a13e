#!/usr/bin/python3
# tools/models/qdq_cnn.py -- writes a small CNN quantized with PyTorch's own QAT flow as a QDQ
# ONNX model (what `torch.onnx.export` makes of FakeQuantize): torch.ao.quantization FX
# prepare_qat_fx (Conv+BN(+ReLU) fused into QAT modules), FakeQuantize per-channel symmetric int8
# weights and per-tensor affine uint8 activations, a few training steps on random data so that
# the observers and BatchNorm statistics settle, then observers disabled, BN frozen and the
# fake-quantized model exported at opset 13. Weights reach each Conv/Gemm through
# QuantizeLinear -> DequantizeLinear of a float initializer, and each conv is followed by the QAT
# module's Div (undo of the BN scale folded into the weights), its bias Add and the
# BatchNormalization itself.
# Usage: qdq_cnn.py OUT_DIR   writes OUT_DIR/qdq_cnn.onnx and OUT_DIR/qdq_cnn_input.npy (8 inputs)
import os
import sys
import warnings

import numpy as np
import onnx
import torch
import torch.nn as nn
from torch.ao.quantization import (FakeQuantize, MovingAverageMinMaxObserver, MovingAveragePerChannelMinMaxObserver,
                                   QConfig, QConfigMapping)
from onnx import numpy_helper
from torch.ao.quantization.quantize_fx import prepare_qat_fx


class QdqCnn(nn.Module):
    """conv-bn-relu stem, a residual block (conv-bn-relu, conv-bn + skip, relu), max pooling, a
    strided conv with bias, global average pooling, flatten, linear."""

    def __init__(self):
        super().__init__()
        self.c1, self.b1, self.r1 = nn.Conv2d(3, 16, 3, padding=1, bias=False), nn.BatchNorm2d(16), nn.ReLU()
        self.c2, self.b2, self.r2 = nn.Conv2d(16, 16, 3, padding=1, bias=False), nn.BatchNorm2d(16), nn.ReLU()
        self.c3, self.b3 = nn.Conv2d(16, 16, 3, padding=1), nn.BatchNorm2d(16)
        self.r3 = nn.ReLU()
        self.pool = nn.MaxPool2d(2)
        self.c4, self.b4, self.r4 = nn.Conv2d(16, 32, 3, stride=2, padding=1), nn.BatchNorm2d(32), nn.ReLU()
        self.gap = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(32, 10)

    def forward(self, x):
        x = self.r1(self.b1(self.c1(x)))
        y = self.r2(self.b2(self.c2(x)))
        x = self.r3(self.b3(self.c3(y)) + x)
        x = self.r4(self.b4(self.c4(self.pool(x))))
        return self.fc(torch.flatten(self.gap(x), 1))


def scalar_qparams(path):
    """PyTorch writes per-tensor scales and zero points as [1]-shaped tensors; ONNX specifies
    scalars there and onnxruntime's QDQ fusions (QLinearAdd) reject anything else: reshape them."""
    m = onnx.load(path)
    names = set()
    for n in m.graph.node:
        if n.op_type in ("QuantizeLinear", "DequantizeLinear"):
            names.update(n.input[1:])
    for t in m.graph.initializer:
        if t.name in names and len(t.dims) == 1 and t.dims[0] == 1:
            a = numpy_helper.to_array(t).reshape(())
            t.CopyFrom(numpy_helper.from_array(a, t.name))
    onnx.checker.check_model(m)
    onnx.save(m, path)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "."
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(11)
    torch.set_num_threads(1)
    torch.backends.quantized.engine = "qnnpack" if "qnnpack" in torch.backends.quantized.supported_engines else "onednn"
    act = FakeQuantize.with_args(observer=MovingAverageMinMaxObserver, quant_min=0, quant_max=255, dtype=torch.quint8,
                                 qscheme=torch.per_tensor_affine)
    wt = FakeQuantize.with_args(observer=MovingAveragePerChannelMinMaxObserver, quant_min=-128, quant_max=127,
                                dtype=torch.qint8, qscheme=torch.per_channel_symmetric, ch_axis=0)
    m = QdqCnn()
    for mod in m.modules():  # BatchNorm with something to fold
        if isinstance(mod, nn.BatchNorm2d):
            n = mod.num_features
            mod.weight.data.uniform_(0.5, 1.5)
            mod.bias.data.normal_(0, 0.2)
    m.train()
    x0 = torch.randn(1, 3, 16, 16)
    p = prepare_qat_fx(m, QConfigMapping().set_global(QConfig(activation=act, weight=wt)), (x0,))
    opt = torch.optim.SGD(p.parameters(), lr=0.01, momentum=0.9)
    target = torch.randn(10, 3 * 16 * 16) * 0.05  # a fixed random linear map to learn
    for _ in range(60):
        xb = torch.randn(16, 3, 16, 16)
        loss = (p(xb) - xb.flatten(1) @ target.t()).pow(2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    p.eval()
    p.apply(torch.ao.quantization.disable_observer)
    p.apply(torch.nn.intrinsic.qat.freeze_bn_stats)
    path = os.path.join(out, "qdq_cnn.onnx")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(p, (x0,), path, opset_version=13, input_names=["input"], output_names=["logits"])
    scalar_qparams(path)
    xs = torch.randn(8, 1, 3, 16, 16, generator=torch.Generator().manual_seed(5))
    np.save(os.path.join(out, "qdq_cnn_input.npy"), xs.numpy().astype(np.float32))
    print("wrote %s (%d bytes) and qdq_cnn_input.npy" % (path, os.path.getsize(path)))


if __name__ == "__main__":
    main()
