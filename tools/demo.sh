#!/usr/bin/env bash
# tools/demo.sh -- `make demo`, in two parts:
#  1. a model trained on real data, end to end: compiled for pynq (calibrated on its calib.npy,
#     or on the first 64 test images), a few hundred labelled test images on the functional
#     simulator and a few on the Verilated RTL (bit for bit the same outputs), accuracy of the
#     float model (the reference executor) against the int8 accelerator, a handful of predictions
#     with their labels, and the accelerator's cycles per image;
#  2. ResNet-18 (random weights: its predictions mean nothing) for its size: cycles and ms per
#     inference, the slowest layers.
# The trained model: a directory with model.onnx, x_test.npy (N images as the model takes them),
# y_test.npy (N int labels), optionally calib.npy and labels.txt (one class name a line).
# Switch to another trained model by editing this one line (or DEMO_TRAINED=dir make demo):
TRAINED=${DEMO_TRAINED:-build/models/digits}   # Fashion-MNIST: tests/models/fmnist (qdq's export)
N_FSIM=${DEMO_N_FSIM:-300}                     # test images on fsim
N_RTL=${DEMO_N_RTL:-4}                         # of them, also on the Verilated RTL
set -euo pipefail
D=build/dlvta
O=build/demo
PY=/usr/bin/python3
mkdir -p "$O"

# ---- 1. the trained model ----------------------------------------------------------------------
if [ "$TRAINED" = build/models/digits ] && [ ! -f $TRAINED/model.onnx ]; then
  echo "== training the digits CNN (first use: tools/models/export.py digits, scikit-learn's 8x8 digits)"
  mkdir -p $TRAINED
  $PY tools/models/export.py digits $TRAINED >$TRAINED/export.log
fi
for f in model.onnx x_test.npy y_test.npy; do
  [ -f "$TRAINED/$f" ] || { echo "demo: $TRAINED/$f is missing (the trained model's directory needs model.onnx, x_test.npy, y_test.npy)" >&2; exit 1; }
done
name=$(basename "$TRAINED")
# the images to run: the test set after the calibration images when those come from it
$PY - "$TRAINED" "$O" "$N_FSIM" "$N_RTL" <<'PYEOF'
import os, sys
import numpy as np
d, o, n, nr = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
x, y = np.load(os.path.join(d, "x_test.npy")).astype(np.float32), np.load(os.path.join(d, "y_test.npy"))
first = 0
if os.path.exists(os.path.join(d, "calib.npy")):
    np.save(os.path.join(o, "calib.npy"), np.load(os.path.join(d, "calib.npy")))
else:  # calibrate on the first 64 test images, evaluate on the others
    np.save(os.path.join(o, "calib.npy"), x[:64].reshape((64,) + x.shape[1:]))
    first = 64
x, y = x[first:first + n], y[first:first + n]
np.save(os.path.join(o, "x.npy"), x)
np.save(os.path.join(o, "y.npy"), y)
np.save(os.path.join(o, "x_rtl.npy"), x[:nr])
PYEOF
P=$O/$name.dlvta
echo "== dlvta compile $TRAINED/model.onnx -o $P --config pynq --calib $O/calib.npy"
$D compile $TRAINED/model.onnx -o $P --config pynq --calib $O/calib.npy | sed 's/^/   /'
echo
echo "== the float model on the test images: dlvta reference $TRAINED/model.onnx --input $O/x.npy"
$D reference $TRAINED/model.onnx --input $O/x.npy --output $O/y_float.npy | sed 's/^/   /'
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
$PY - "$TRAINED" "$O" "$rtl" <<'PYEOF'
import json, os, sys
import numpy as np
d, o, rtl = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
y = np.load(os.path.join(o, "y.npy"))
yf = np.load(os.path.join(o, "y_float.npy")).reshape(len(y), -1)
yq = np.load(os.path.join(o, "y_fsim.npy")).reshape(len(y), -1)
names = [str(i) for i in range(yf.shape[1])]
lab = os.path.join(d, "labels.txt")
if os.path.exists(lab):
    names = [l.strip() for l in open(lab) if l.strip()]
elif "fmnist" in d:
    names = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
pf, pq = yf.argmax(1), yq.argmax(1)
s = json.load(open(os.path.join(o, "stats_fsim.json")))
print(f"== {len(y)} test images of {os.path.basename(d)}:")
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
print("   a few predictions (label: float / int8):")
for i in range(min(8, len(y))):
    mark = "" if pq[i] == y[i] else "   <- wrong"
    print(f"     image {i}: {names[y[i]]:>12}: {names[pf[i]]:>12} / {names[pq[i]]:<12}{mark}")
PYEOF

# ---- 2. ResNet-18: cycles and ms -----------------------------------------------------------------
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
echo "Look inside: dlvta compare $TRAINED/model.onnx $O/$name.dlvta --input $O/x_rtl.npy --backend verilator"
echo "            dlvta profile $O/$name.dlvta --input $O/x_rtl.npy -o $O/$name.json -o $O/$name.svg"
