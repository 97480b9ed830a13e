#!/usr/bin/env bash
# tools/demo.sh -- `make demo`: ResNet-18 end to end. Exports the model on first use
# (tools/models/export.py), compiles it for pynq with its calibration samples (skipped when the
# package is newer than the model and the compiler), runs its realistic inputs on the functional
# simulator and shows the top-5 of each, the accelerator cycles and the slowest layers.
set -eu
D=build/dlvta
M=build/models/resnet18
O=build/demo
mkdir -p "$O"
if [ ! -f $M/model.onnx ]; then
  echo "== exporting ResNet-18 (first use: tools/models/export.py, ~10 s)"
  mkdir -p $M
  /usr/bin/python3 tools/models/export.py resnet18 $M
fi
P=$O/resnet18_pynq.dlvta
if [ ! -f $P ] || [ $P -ot $M/model.onnx ] || [ $P -ot $D ]; then
  echo "== dlvta compile $M/model.onnx -o $P --config pynq --calib $M/calib.npy"
  start=$(date +%s)
  $D compile $M/model.onnx -o $P --config pynq --calib $M/calib.npy
  echo "   ($(($(date +%s) - start)) s)"
else
  echo "== $P is up to date (compiled earlier)"
fi
echo
echo "== dlvta run $P --input $M/input.npy --backend fsim --stats $O/stats.json"
$D run $P --input $M/input.npy --backend fsim --stats $O/stats.json
echo
echo "== slowest layers (from $O/stats.json; cycles summed over the inputs)"
/usr/bin/python3 - "$O/stats.json" <<'EOF'
import json, sys
s = json.load(open(sys.argv[1]))
print(f"   {s['cycles_per_inference']:.0f} cycles per inference = {s['cycles_per_inference'] / 1e5:.1f} ms at 100 MHz,"
      f" utilization {100 * s['utilization']:.1f} % of {s['peak_macs_per_cycle']} MACs/cycle")
for l in sorted(s["layers"], key=lambda l: -l["cycles"])[:5]:
    print(f"   {l['op']:<18} {l['shape']:<44} {l['cycles'] / s['inferences']:>10.0f} cycles"
          f" (predicted {l['predicted_cycles'] / s['inferences']:.0f}), utilization {100 * l['utilization']:.1f} %")
EOF
echo
echo "The same package runs cycle-accurately on the Verilated RTL (build/pynq/libtsim.so, 'make tsim'),"
echo "(slower: every cycle of the 8 M is simulated; --stats records the wall time):"
echo "   $D run $P --input $M/input.npy --backend verilator --stats $O/stats_rtl.json"
