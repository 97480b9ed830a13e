#!/usr/bin/env bash
# tests/cli_e2e.sh -- `dlvta compile` and `dlvta run` as other tools script them: flags, output
# shapes (one input and a stack of N), the summary (top-5, cycles), --stats JSON, --dump-after
# of the back-end passes, compiling without --calib, and clear errors with non-zero exits for a
# truncated or corrupt ONNX file, an unsupported op (node and op named), an input of the wrong
# shape (expected vs got) and a corrupt package. Uses build/models/tiny_cnn (compiler/e2e.mk).
set -u
D=build/dlvta
M=build/models/tiny_cnn
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
. tests/expect.sh
PY=/usr/bin/python3

# the model comes from compiler/e2e.mk's rule (made here too if the Makefile does not include it)
if [ ! -f $M/model.onnx ]; then
  env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -f Makefile -f compiler/e2e.mk $M/model.onnx ||
    { echo "FAIL: cannot export tiny_cnn"; echo "0 passed, 1 failed"; exit 1; }
fi

# compile with calibration samples; the log says how ranges were chosen
out=$($D compile $M/model.onnx -o "$T/m.dlvta" --config tiny --calib $M/calib.npy 2>&1); rc=$?
if [ $rc -eq 0 ] && [ -s "$T/m.dlvta" ] && echo "$out" | grep -q "calibration: 16 samples from --calib"; then ok; else bad "compile with --calib: rc=$rc $out"; fi
# without --calib: still a working package, and it says what it calibrated on
out=$($D compile $M/model.onnx -o "$T/s.dlvta" 2>&1); rc=$?
if [ $rc -eq 0 ] && echo "$out" | grep -q "synthetic inputs .* N(0, 1)"; then ok; else bad "compile without --calib: rc=$rc $out"; fi
if $D run "$T/s.dlvta" --input $M/input.npy --output "$T/s.npy" >/dev/null 2>&1 && [ -s "$T/s.npy" ]; then ok; else bad "package calibrated on synthetic inputs does not run"; fi
# same model twice: same bytes
$D compile $M/model.onnx -o "$T/m2.dlvta" --config tiny --calib $M/calib.npy >/dev/null 2>&1
if cmp -s "$T/m.dlvta" "$T/m2.dlvta"; then ok; else bad "two compiles of one model differ"; fi
# --no-latency-hiding compiles and runs
if $D compile $M/model.onnx -o "$T/n.dlvta" --config tiny --calib $M/calib.npy --no-latency-hiding >/dev/null 2>&1 &&
   $D run "$T/n.dlvta" --input $M/input.npy --output "$T/n.npy" >/dev/null 2>&1; then ok; else bad "--no-latency-hiding"; fi

# --dump-after: the back-end passes are in the pipeline
out=$($D compile $M/model.onnx -o "$T/d.dlvta" --config tiny --dump-after partition 2>&1)
if echo "$out" | grep -q "## after partition" && echo "$out" | grep -q "dlvta.target"; then ok; else bad "--dump-after partition shows no targets"; fi
out=$($D compile $M/model.onnx -o "$T/d.dlvta" --config tiny --dump-after lower 2>&1)
if echo "$out" | grep -q "## plan" && echo "$out" | grep -q "ACCEL"; then ok; else bad "--dump-after lower shows no plan"; fi
out=$($D compile $M/model.onnx -o "$T/d.dlvta" --dump-after calibrate 2>&1)
if echo "$out" | grep -q "quant("; then ok; else bad "--dump-after calibrate shows no quantization"; fi
out=$($D compile $M/model.onnx -o "$T/d.dlvta" --dump-after nosuchpass 2>&1); rc=$?
if [ $rc -ne 0 ] && echo "$out" | grep -q "no pass named 'nosuchpass'"; then ok; else bad "unknown --dump-after pass: rc=$rc"; fi

# run: a stack of N inputs gives N outputs; one input gives the model's output shape
$D run "$T/m.dlvta" --input $M/input.npy --output "$T/y.npy" --stats "$T/s.json" >/dev/null 2>&1; rc=$?
shape=$($PY -c "import numpy as np; print(np.load('$T/y.npy').shape)" 2>/dev/null)
if [ $rc -eq 0 ] && [ "$shape" = "(4, 1, 10)" ]; then ok; else bad "stacked run: rc=$rc shape=$shape"; fi
$PY -c "import numpy as np; np.save('$T/one.npy', np.load('$M/input.npy')[0])"
$D run "$T/m.dlvta" --input "$T/one.npy" --output "$T/y1.npy" >/dev/null 2>&1; rc=$?
shape=$($PY -c "import numpy as np; print(np.load('$T/y1.npy').shape)" 2>/dev/null)
same=$($PY -c "import numpy as np; print(np.array_equal(np.load('$T/y1.npy'), np.load('$T/y.npy')[0]))" 2>/dev/null)
if [ $rc -eq 0 ] && [ "$shape" = "(1, 10)" ] && [ "$same" = "True" ]; then ok; else bad "single run: rc=$rc shape=$shape same=$same"; fi
# --stats: cycles, macs, utilization, per-layer entries with op, shape and predicted cycles
v=$($PY -c "
import json; s = json.load(open('$T/s.json'))
L = s['layers']
ok = s['cycles'] > 0 and s['macs'] > 0 and 0 < s['utilization'] <= 1 and len(L) == 5
ok = ok and all(l['cycles'] > 0 and l['op'] and l['shape'] and l['predicted_cycles'] > 0 and 'macs' in l and 'utilization' in l for l in L)
ok = ok and sum(l['cycles'] for l in L) == s['cycles']
print(ok)" 2>&1)
if [ "$v" = "True" ]; then ok; else bad "--stats JSON: $v"; fi
# summary without --output: shape, top-5 with scores, cycles
out=$($D run "$T/m.dlvta" --input $M/input.npy 2>&1)
if echo "$out" | grep -q "(4, 1, 10)" && echo "$out" | grep -q "top-5:" && echo "$out" | grep -q "accelerator cycles each"; then ok; else bad "summary: $out"; fi

# errors: truncated / corrupt ONNX
head -c 3000 $M/model.onnx >"$T/trunc.onnx"
out=$($D compile "$T/trunc.onnx" -o "$T/x.dlvta" 2>&1); rc=$?
if [ $rc -ne 0 ] && echo "$out" | grep -q "trunc.onnx: .*\(truncated\|corrupt\)"; then ok; else bad "truncated ONNX: rc=$rc $out"; fi
head -c 4000 /dev/urandom >"$T/junk.onnx"
out=$($D compile "$T/junk.onnx" -o "$T/x.dlvta" 2>&1); rc=$?
if [ $rc -ne 0 ] && echo "$out" | grep -q "junk.onnx"; then ok; else bad "corrupt ONNX: rc=$rc $out"; fi
out=$($D compile "$T/missing.onnx" -o "$T/x.dlvta" 2>&1); rc=$?
if [ $rc -ne 0 ] && echo "$out" | grep -q "missing.onnx"; then ok; else bad "missing ONNX: rc=$rc $out"; fi
# an op nobody runs: the node and the op are named
$PY - "$T/unsup.onnx" <<'PYEOF'
import sys, numpy as np
from onnx import helper, TensorProto, save
X = helper.make_tensor_value_info('x', TensorProto.FLOAT, [1, 4, 8, 8])
Y = helper.make_tensor_value_info('y', TensorProto.FLOAT, None)
W = helper.make_tensor('w', TensorProto.FLOAT, [4, 4, 3, 3], np.ones(144, np.float32))
g = helper.make_graph([helper.make_node('Conv', ['x', 'w'], ['c'], name='conv0', pads=[1, 1, 1, 1]),
                       helper.make_node('NonZero', ['c'], ['y'], name='weird_node')], 'g', [X], [Y], [W])
save(helper.make_model(g, opset_imports=[helper.make_opsetid('', 13)]), sys.argv[1])
PYEOF
out=$($D compile "$T/unsup.onnx" -o "$T/x.dlvta" 2>&1); rc=$?
if [ $rc -ne 0 ] && echo "$out" | grep -q "weird_node" && echo "$out" | grep -q "NonZero"; then ok; else bad "unsupported op: rc=$rc $out"; fi
# calibration samples of the wrong shape
out=$($D compile $M/model.onnx -o "$T/x.dlvta" --calib build/models/digits/x_test.npy 2>&1); rc=$?
if [ $rc -ne 0 ] && echo "$out" | grep -q "x_test.npy"; then ok; else bad "calibration shape: rc=$rc $out"; fi
# input of the wrong shape: expected vs got
$PY -c "import numpy as np; np.save('$T/wrong.npy', np.zeros((2, 3, 8, 8), np.float32))"
out=$($D run "$T/m.dlvta" --input "$T/wrong.npy" 2>&1); rc=$?
if [ $rc -ne 0 ] && echo "$out" | grep -q "expected (1, 3, 16, 16)" && echo "$out" | grep -q "got (2, 3, 8, 8)"; then ok; else bad "input shape: rc=$rc $out"; fi
# corrupt packages: truncated, a flipped byte, not a package at all
head -c 5000 "$T/m.dlvta" >"$T/t.dlvta"
out=$($D run "$T/t.dlvta" --input $M/input.npy 2>&1); rc=$?
if [ $rc -ne 0 ] && echo "$out" | grep -q "t.dlvta"; then ok; else bad "truncated package: rc=$rc $out"; fi
cp "$T/m.dlvta" "$T/f.dlvta"
printf '\x55' | dd of="$T/f.dlvta" bs=1 seek=3000 conv=notrunc 2>/dev/null
out=$($D run "$T/f.dlvta" --input $M/input.npy 2>&1); rc=$?
if [ $rc -ne 0 ] && echo "$out" | grep -q "f.dlvta"; then ok; else bad "corrupt package: rc=$rc $out"; fi
out=$($D run $M/model.onnx --input $M/input.npy 2>&1); rc=$?
if [ $rc -ne 0 ] && echo "$out" | grep -q "model.onnx"; then ok; else bad "ONNX given as a package: rc=$rc $out"; fi
out=$($D run "$T/m.dlvta" --input $M/input.npy --backend nosuch 2>&1); rc=$?
if [ $rc -ne 0 ] && echo "$out" | grep -q "nosuch"; then ok; else bad "unknown backend: rc=$rc $out"; fi

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
