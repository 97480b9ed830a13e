#!/usr/bin/python3
"""tools/models/rand_input.py -- N random inputs for a batch-1 ONNX model, stacked as one float32
.npy of shape (N, *input shape), the form `dlvta run --input` and tools/ort/ort_run.js take.
Input i is N(0, 1) times a scale drawn per input from SCALES (default 0.3,1,2,4): inputs both
well inside and past the model's quantization ranges. Deterministic for a given SEED.

  rand_input.py MODEL.onnx N SEED OUT.npy [SCALES]
"""
import sys

import numpy as np
import onnx


def main():
    if len(sys.argv) not in (5, 6):
        sys.exit(__doc__.strip().splitlines()[-1].strip())
    path, n, seed, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    scales = [float(s) for s in (sys.argv[5] if len(sys.argv) == 6 else "0.3,1,2,4").split(",")]
    m = onnx.load(path, load_external_data=False)
    inits = {t.name for t in m.graph.initializer}
    ins = [i for i in m.graph.input if i.name not in inits]
    if len(ins) != 1:
        sys.exit(f"{path}: {len(ins)} graph inputs, rand_input.py makes inputs for a one-input model")
    dims = [d.dim_value for d in ins[0].type.tensor_type.shape.dim]
    if not dims or any(d <= 0 for d in dims):
        sys.exit(f"{path}: input '{ins[0].name}' has a dynamic or unknown shape {dims}")
    g = np.random.default_rng(seed)
    s = g.choice(scales, size=(n,) + (1,) * len(dims))
    np.save(out, (g.standard_normal((n, *dims)) * s).astype(np.float32))


if __name__ == "__main__":
    main()
