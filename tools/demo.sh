#!/usr/bin/env bash
# tools/demo.sh -- `make demo`, in two parts:
#  1. a model trained on real data, end to end: compiled for pynq (calibrated on its calibration
#     samples, or on the first 64 test images), a few hundred labelled test images on the
#     functional simulator and a few on the Verilated RTL (bit for bit the same outputs),
#     accuracy of the float model (the reference executor) against the int8 accelerator, a
#     handful of predictions with their labels, and the accelerator's cycles per image;
#  2. ResNet-18 (random weights: its predictions mean nothing) for its size: cycles and ms per
#     inference, the slowest layers.
# The trained model is an ONNX file; its labelled test set is x_test.npy (N images as the model
# takes them) and y_test.npy (N int labels) beside it, optional calib.npy and labels.txt (one
# class name a line) too; for fmnist_*.onnx (tools/models/train_fmnist.py) the test set is the
# 10,000 test images of Debian's dataset-fashion-mnist, normalized as the training did, and the
# calibration samples are fmnist_calib.npy beside the model.
# Switch the trained model by editing this one line (or DEMO_TRAINED=FILE.onnx make demo):
TRAINED=${DEMO_TRAINED:-tests/models/fmnist_res.onnx}   # digits: build/models/digits/model.onnx
N_FSIM=${DEMO_N_FSIM:-300}                                # test images on fsim
N_RTL=${DEMO_N_RTL:-4}                                    # of them, also on the Verilated RTL
RESNET=${DEMO_RESNET:-1}                                  # 0: leave out part 2
set -euo pipefail
D=build/dlvta
O=${DEMO_OUT:-build/demo}
PY=/usr/bin/python3
mkdir -p "$O"

# ---- 1. the trained model ----------------------------------------------------------------------
if [ "$TRAINED" = build/models/digits/model.onnx ] && [ ! -f "$TRAINED" ]; then
  echo "== training the digits CNN (first use: tools/models/export.py digits, scikit-learn's 8x8 digits)"
  mkdir -p build/models/digits
  $PY tools/models/export.py digits build/models/digits >build/models/digits/export.log
fi
[ -f "$TRAINED" ] || { echo "demo: $TRAINED: no such model" >&2; exit 1; }
name=$(basename "$TRAINED" .onnx)
[ "$name" = model ] && name=$(basename "$(dirname "$TRAINED")")
# the test set, the calibration samples and the images to run (the test images after the
# calibration images when those come from the test set)
$PY - "$TRAINED" "$O" "$N_FSIM" "$N_RTL" <<'PYEOF'
import gzip, os, sys
import numpy as np
m, o, n, nr = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
d, base = os.path.dirname(m), os.path.basename(m)
names = None
if os.path.exists(os.path.join(d, "x_test.npy")):
    x, y = np.load(os.path.join(d, "x_test.npy")).astype(np.float32), np.load(os.path.join(d, "y_test.npy"))
    calib = os.path.join(d, "calib.npy")
    if os.path.exists(os.path.join(d, "labels.txt")):
        names = [l.strip() for l in open(os.path.join(d, "labels.txt")) if l.strip()]
elif base.startswith("fmnist"):
    ds = "/usr/share/datasets/fashion-mnist"  # Debian's dataset-fashion-mnist
    if not os.path.isdir(ds):
        sys.exit(f"demo: {ds} is missing (apt-get install dataset-fashion-mnist)")
    with gzip.open(os.path.join(ds, "t10k-images-idx3-ubyte.gz")) as f:
        x = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 1, 28, 28)
    with gzip.open(os.path.join(ds, "t10k-labels-idx1-ubyte.gz")) as f:
        y = np.frombuffer(f.read(), np.uint8, offset=8).astype(np.int64)
    x = ((x.astype(np.float32) / 255 - 0.2860) / 0.3530).astype(np.float32)  # train_fmnist.py's MEAN, STD
    calib = os.path.join(d, "fmnist_calib.npy")
    names = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
else:
    sys.exit(f"demo: no labelled test set for {m} (x_test.npy and y_test.npy beside it)")
first = 0
if os.path.exists(calib):
    np.save(os.path.join(o, "calib.npy"), np.load(calib).astype(np.float32))
else:  # calibrate on the first 64 test images, evaluate on the others
    np.save(os.path.join(o, "calib.npy"), x[:64])
    first = 64
x, y = x[first:first + n], y[first:first + n]
np.save(os.path.join(o, "x.npy"), x)
np.save(os.path.join(o, "y.npy"), y)
np.save(os.path.join(o, "x_rtl.npy"), x[:nr])
with open(os.path.join(o, "labels.txt"), "w") as f:
    f.write("\n".join(names or [str(i) for i in range(int(y.max()) + 1)]) + "\n")
PYEOF
P=$O/$name.dlvta
echo "== dlvta compile $TRAINED -o $P --config pynq --calib $O/calib.npy"
$D compile $TRAINED -o $P --config pynq --calib $O/calib.npy | sed 's/^/   /'
echo
echo "== the float model on the test images: dlvta reference $TRAINED --input $O/x.npy"
$D reference $TRAINED --input $O/x.npy --output $O/y_float.npy | sed 's/^/   /'
echo
echo "== the int8 accelerator on the functional simulator: dlvta run $P --input $O/x.npy --backend fsim"
$D run $P --input $O/x.npy --output $O/y_fsim.npy --stats $O/stats_fsim.json | grep -v '^output\|^ \[' | sed 's/^/   /'
echo
rtl=0
if [ -f build/pynq/libtsim.so ]; then
  echo "== the first $N_RTL on the Verilated RTL: dlvta run $P --input $O/x_rtl.npy --backend verilator"
  $D run $P --input $O/x_rtl.npy --output $O/y_rtl.npy --backend verilator --stats $O/stats_rtl.json |
    grep -v '^output\|^ \[' | sed 's/^/   /'
  rtl=1
else
  echo "== (no Verilated RTL: build/pynq/libtsim.so is made by 'make tsim')"
fi
echo
$PY - "$name" "$O" "$rtl" <<'PYEOF'
import json, os, sys
import numpy as np
name, o, rtl = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
y = np.load(os.path.join(o, "y.npy"))
yf = np.load(os.path.join(o, "y_float.npy")).reshape(len(y), -1)
yq = np.load(os.path.join(o, "y_fsim.npy")).reshape(len(y), -1)
names = [l.strip() for l in open(os.path.join(o, "labels.txt")) if l.strip()]
names += [str(i) for i in range(len(names), yf.shape[1])]
pf, pq = yf.argmax(1), yq.argmax(1)
s = json.load(open(os.path.join(o, "stats_fsim.json")))
print(f"== {len(y)} test images of {name}:")
print(f"   accuracy: float {100 * (pf == y).mean():.1f} %, int8 on the accelerator {100 * (pq == y).mean():.1f} %"
      f" (the two agree on {100 * (pf == pq).mean():.1f} % of the images)")
print(f"   {s['cycles_per_inference']:.0f} accelerator cycles per image"
      f" = {s['cycles_per_inference'] / 100e3:.3f} ms at 100 MHz; {s['macs'] // max(s['inferences'], 1)} MACs,"
      f" utilization {100 * s['utilization']:.1f} %")
if rtl:
    yr = np.load(os.path.join(o, "y_rtl.npy")).reshape(-1, yq.shape[1])
    same = np.array_equal(yr, yq[:len(yr)])
    sr = json.load(open(os.path.join(o, "stats_rtl.json")))
    print(f"   Verilated RTL on the first {len(yr)}: outputs {'identical to' if same else 'DIFFERENT from'} fsim's,"
          f" {sr['cycles_per_inference']:.0f} cycles per image (fsim's model: {s['cycles_per_inference']:.0f})")
# a handful: the first few, and the first ones the accelerator got wrong
wrong = [i for i in range(len(y)) if pq[i] != y[i]]
show = sorted(set(list(range(min(6, len(y)))) + wrong[:3]))
p = np.exp(yq - yq.max(1, keepdims=True))
p /= p.sum(1, keepdims=True)
print("   a few predictions (label: float / int8 with its softmax p):")
for i in show:
    mark = "" if pq[i] == y[i] else "   <- wrong"
    print(f"     image {i:3d}: {names[y[i]]:>12}: {names[pf[i]]:>12} / {names[pq[i]]:<12} p={p[i, pq[i]]:.2f}{mark}")
PYEOF

# ---- 2. ResNet-18: cycles and ms -----------------------------------------------------------------
if [ "$RESNET" = 0 ]; then
  echo; echo "Look inside: dlvta compare $TRAINED $O/$name.dlvta --input $O/x_rtl.npy --backend verilator"
  exit 0
fi
M=build/models/resnet18
echo
if [ ! -f $M/model.onnx ]; then
  echo "== exporting ResNet-18 (first use: tools/models/export.py, ~10 s)"
  mkdir -p $M
  $PY tools/models/export.py resnet18 $M
fi
P=$O/resnet18_pynq.dlvta
if [ ! -f $P ] || [ $P -ot $M/model.onnx ] || [ $P -ot $D ]; then
  echo "== ResNet-18: dlvta compile $M/model.onnx -o $P --config pynq --calib $M/calib.npy"
  start=$(date +%s)
  $D compile $M/model.onnx -o $P --config pynq --calib $M/calib.npy | sed 's/^/   /'
  echo "   ($(($(date +%s) - start)) s)"
else
  echo "== ResNet-18: $P is up to date (compiled earlier)"
fi
echo "== ResNet-18 (random weights: only its size matters here): dlvta run $P --input $M/input.npy --backend fsim"
$D run $P --input $M/input.npy --backend fsim --stats $O/stats.json | grep -v '^output\|^ \[' | sed 's/^/   /'
echo "== slowest layers (from $O/stats.json)"
$PY - "$O/stats.json" <<'EOF2'
import json, sys
s = json.load(open(sys.argv[1]))
for l in sorted(s["layers"], key=lambda l: -l["cycles"])[:5]:
    print(f"   {l['op']:<18} {l['shape']:<44} {l['cycles'] / s['inferences']:>10.0f} cycles"
          f" (predicted {l['predicted_cycles'] / s['inferences']:.0f}), utilization {100 * l['utilization']:.1f} %")
EOF2
echo
echo "Look inside: dlvta compare $TRAINED $O/$name.dlvta --input $O/x_rtl.npy --backend verilator"
echo "            dlvta profile $O/$name.dlvta --input $O/x_rtl.npy -o $O/$name.json -o $O/$name.svg"
