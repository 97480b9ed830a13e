#!/usr/bin/python3
# tools/models/two_input.py -- writes a small float CNN with two image inputs of different
# shapes (left [1,3,16,16], right [1,1,16,16]): a conv branch on each, the branches added, a
# conv, global average pooling and a linear layer (opset 13, random weights with settled
# BatchNorm), with calibration samples and test inputs for each input.
# Usage: two_input.py OUT_DIR  -> two_input.onnx, two_input_{left,right}_{calib,input}.npy
import os
import sys
import warnings

import numpy as np
import torch
import torch.nn as nn


class TwoInput(nn.Module):
    def __init__(self):
        super().__init__()
        self.left = nn.Sequential(nn.Conv2d(3, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU())
        self.right = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU())
        self.body = nn.Sequential(nn.Conv2d(16, 24, 3, stride=2, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1),
                                  nn.Flatten(), nn.Linear(24, 10))

    def forward(self, left, right):
        return self.body(torch.relu(self.left(left) + self.right(right)))


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "."
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(7)
    m = TwoInput()
    for mod in m.modules():
        if isinstance(mod, nn.BatchNorm2d):
            mod.running_mean.normal_(0, 0.1)
            mod.running_var.uniform_(0.5, 1.5)
            mod.weight.data.uniform_(0.5, 1.5)
            mod.bias.data.normal_(0, 0.1)
    m.eval()
    g = torch.Generator().manual_seed(3)
    # the right input is offset and scaled differently, so that swapping the inputs shows
    data = {"left": lambda n: torch.randn(n, 1, 3, 16, 16, generator=g),
            "right": lambda n: 2.0 + 0.5 * torch.randn(n, 1, 1, 16, 16, generator=g)}
    for name, f in data.items():
        np.save(os.path.join(out, "two_input_%s_calib.npy" % name), f(16).numpy().astype(np.float32))
        np.save(os.path.join(out, "two_input_%s_input.npy" % name), f(4).numpy().astype(np.float32))
    path = os.path.join(out, "two_input.onnx")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(m, (torch.zeros(1, 3, 16, 16), torch.zeros(1, 1, 16, 16)), path, opset_version=13,
                          input_names=["left", "right"], output_names=["logits"])
    print("wrote %s" % path)


if __name__ == "__main__":
    main()
