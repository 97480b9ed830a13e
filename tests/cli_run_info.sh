#!/usr/bin/env bash
# tests/cli_run_info.sh -- what `dlvta run` says about where it ran (backend, config, clock) and its
# latency in ms at the config's clock and at the estimated Fmax of cli/fmax.def (the numbers
# checked against the cycles it printed); and the progress line (util/progress.h) of compile and
# run: on a terminal (script(1)'s pseudo-terminal) "dlvta: STAGE NN %" on stderr, nothing with
# --quiet, nothing when stderr is not a terminal. Also `dlvta reference`'s float outputs and
# its errors; `dlvta run MODEL.dlvta` without --input (the package's inputs and outputs) and
# `dlvta --version`.
set -u
D=build/dlvta
M=build/models
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
. tests/expect.sh

$D compile $M/digits/model.onnx -o "$T/d.dlvta" --calib $M/digits/calib.npy >/dev/null 2>"$T/err" ||
  { echo "FAIL: compile digits"; echo "0 passed, 1 failed"; exit 1; }
# not a terminal: no progress line on stderr
if [ ! -s "$T/err" ]; then ok; else bad "compile wrote to a non-terminal stderr: $(cat "$T/err")"; fi

out=$($D run "$T/d.dlvta" --input $M/digits/input.npy 2>&1); rc=$?
cyc=$(echo "$out" | sed -n 's/.*inference(s), \([0-9]*\) accelerator cycles each.*/\1/p')
fmax=$(sed -n 's/^DLVTA_FMAX(pynq, \([0-9.]*\),.*/\1/p' cli/fmax.def)
want_clk=$(awk -v c="$cyc" 'BEGIN { printf "%.3f", c / 100e3 }')
want_fmax=$(awk -v c="$cyc" -v f="$fmax" 'BEGIN { printf "%.3f", c / (f * 1e3) }')
if [ $rc -eq 0 ] && echo "$out" | grep -q "^ran on: backend fsim, config pynq (clock 100 MHz)$" &&
   echo "$out" | grep -q "^latency: $cyc accelerator cycles per inference = $want_clk ms at 100 MHz, $want_fmax ms at the estimated Fmax $fmax MHz (hw/TIMING.md"; then ok
else bad "run's backend and latency lines (cycles $cyc, Fmax $fmax): $out"; fi
# a config without an Fmax estimate: the clock's figure only
$D compile $M/tiny_cnn/model.onnx -o "$T/t.dlvta" --config tiny --calib $M/tiny_cnn/calib.npy >/dev/null
out=$($D run "$T/t.dlvta" --input $M/tiny_cnn/input.npy --backend verilator 2>&1); rc=$?
if [ $rc -eq 0 ] && echo "$out" | grep -q "^ran on: backend verilator.*, config tiny (clock 100 MHz)$" &&
   echo "$out" | grep -q "^latency: [0-9]* accelerator cycles per inference = [0-9.]* ms at 100 MHz$"; then ok
else bad "run on verilator, config tiny: $out"; fi

# on a terminal: the progress line of calibration, lowering and the inference; --quiet: none
pty() { DLVTA_PROGRESS_DELAY_MS=0 script -qec "$*" /dev/null; }
out=$(pty "$D compile $M/tiny_cnn/model.onnx -o $T/p.dlvta --config tiny --calib $M/tiny_cnn/calib.npy" | tr '\r' '\n')
if echo "$out" | grep -q "^dlvta: calibrate  *[0-9]* %  sample 1 of 16" && echo "$out" | grep -q "^dlvta: lower (tile search)  *[0-9]* %"; then ok
else bad "compile's progress on a terminal: $out"; fi
out=$(pty "$D run $T/t.dlvta --input $M/tiny_cnn/input.npy --backend verilator" | tr '\r' '\n')
if echo "$out" | grep -q "^dlvta: inference on verilator  *[0-9]* %  layer 1 of 5: Conv"; then ok; else bad "run's progress on a terminal: $out"; fi
out=$(pty "$D compile $M/tiny_cnn/model.onnx -o $T/p.dlvta --config tiny --calib $M/tiny_cnn/calib.npy --quiet" | tr '\r' '\n')
if echo "$out" | grep -q "^wrote " && ! echo "$out" | grep -q "^dlvta: "; then ok; else bad "--quiet still shows progress: $out"; fi

# dlvta reference: the float model, stacked input, output file; errors
out=$($D reference $M/digits/model.onnx --input $M/digits/input.npy --output "$T/y.npy" 2>&1); rc=$?
if [ $rc -eq 0 ] && echo "$out" | grep -q "wrote $T/y.npy: 4 x 10" && /usr/bin/python3 -c "
import numpy as np
y = np.load('$T/y.npy'); assert y.shape == (4, 10) and np.isfinite(y).all()
"; then ok; else bad "reference: $out"; fi
out=$($D reference $M/digits/model.onnx --input $M/tiny_cnn/input.npy 2>&1); rc=$?
if [ $rc -eq 1 ] && echo "$out" | grep -q "input shape mismatch: expected (1, 1, 8, 8)"; then ok; else bad "reference, wrong shape: rc=$rc $out"; fi
out=$($D reference "$T/none.onnx" --input $M/digits/input.npy 2>&1); rc=$?
if [ $rc -eq 1 ] && echo "$out" | grep -q "none.onnx"; then ok; else bad "reference, missing model: rc=$rc $out"; fi
out=$($D reference $M/digits/model.onnx 2>&1); rc=$?
if [ $rc -eq 2 ] && echo "$out" | grep -q "usage: dlvta reference"; then ok; else bad "reference usage: rc=$rc $out"; fi

# run without --input: the usage, then the package's inputs and outputs with their shapes and types
expect 2 "d.dlvta inputs: '" $D run "$T/d.dlvta"
expect 2 "float32" $D run "$T/d.dlvta"
expect 2 "d.dlvta outputs: '" $D run "$T/d.dlvta"
expect 2 "cannot read" $D run "$T/missing.dlvta"
# --version
expect 0 "dlvta $(cat VERSION) (packages of format" $D --version

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
