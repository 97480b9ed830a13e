# examples/notebook_classify.py -- classify images with a compiled dlvta package from Python, as
# a PYNQ user would in a Jupyter notebook on the board: paste the cells (marked "# %%") one by
# one, or run the whole file. On the board the accelerator's bitstream must be loaded first
# (boards/README.md) and the module installed (`make install` or `pip install .`).
#
# Off the board it runs on the functional simulator; tests/example_notebook.sh runs it so:
#   DLVTA_PACKAGE=digits.dlvta DLVTA_BACKEND=fsim DLVTA_IMAGES=x_test.npy DLVTA_LABELS=y_test.npy \
#     python3 examples/notebook_classify.py

# %% Settings: the package (dlvta compile model.onnx -o model.dlvta --config pynq), where it runs,
# the images (float32 .npy, preprocessed as for the ONNX model: (N, C, H, W) or (N, 1, C, H, W)),
# and their labels if known (int .npy) -- edit these in the notebook.
import os
import time

import numpy as np

import dlvta

PACKAGE = os.environ.get("DLVTA_PACKAGE", "resnet18.dlvta")
BACKEND = os.environ.get("DLVTA_BACKEND", "zynq")   # "fsim": simulator, "verilator": RTL model
IMAGES = os.environ.get("DLVTA_IMAGES", "images.npy")
LABELS = os.environ.get("DLVTA_LABELS")             # None: no accuracy
SHOW = 5                                            # images whose top-5 is printed

# %% Load the package onto the accelerator
model = dlvta.Model(PACKAGE, backend=BACKEND)
print(model)
print("calibration:", model.calibration)

# %% Run a batch (one inference per image; the array may carry a leading N)
x = np.load(IMAGES).astype(np.float32)
t0 = time.perf_counter()
logits, = model.run(x)
wall_ms = (time.perf_counter() - t0) * 1e3
logits = logits.reshape(len(x), -1)          # one row of class scores per image
print("%d images in %.1f ms on %s" % (len(x), wall_ms, BACKEND))

# %% Top-5 of the first images, with softmax probabilities
labels = np.load(LABELS) if LABELS else None
p = np.exp(logits - logits.max(axis=1, keepdims=True))
p /= p.sum(axis=1, keepdims=True)
for i in range(min(SHOW, len(x))):
    top = np.argsort(-p[i], kind="stable")[:5]
    truth = " (label %d)" % labels[i] if labels is not None else ""
    print("image %d%s top-5:" % (i, truth))
    for rank, k in enumerate(top, 1):
        print("  %d. class %-4d p=%.3f" % (rank, k, p[i, k]))

# %% Accuracy, when the labels are known
if labels is not None:
    acc = float(np.mean(logits.argmax(axis=1) == labels[:len(x)]))
    print("accuracy (int8 on %s): %.4f over %d images" % (BACKEND, acc, len(x)))

# %% Where the cycles go
s = model.stats()
print("%.0f accelerator cycles per image, utilization %.1f %%, %d CPU steps" % (
    s["cycles_per_inference"], 100 * s["utilization"], s["cpu_steps"]))
for l in sorted(s["layers"], key=lambda l: -l["cycles"])[:3]:
    print("  %-28s %-44s %5.1f %% of cycles" % (l["node"], l["shape"], 100.0 * l["cycles"] / s["cycles"]))
model.close()
