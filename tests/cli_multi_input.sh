#!/usr/bin/env bash
# tests/cli_multi_input.sh -- a model with two inputs of different shapes (tests/models/
# two_input.onnx: left [1,3,16,16], right [1,1,16,16]) through `dlvta compile --calib` and
# `dlvta run --input`, one per input: NAME=FILE in any order and plain FILEs in the model's
# order give the same package and the same outputs, which match onnxruntime's (cosine >= 0.999,
# same top-1; compiler/e2e.mk makes the reference); clear errors with non-zero exits for a
# missing input, a mix of both forms, an input given twice, files in the wrong order (shape
# mismatch naming the input) and different sample counts.
set -u
D=build/dlvta
M=tests/models
R=build/models/committed/two_input_ref.npy
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
. tests/expect.sh
PY=/usr/bin/python3
L=$M/two_input_left
Rt=$M/two_input_right

if [ ! -f $R ]; then
  env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -f Makefile -f compiler/e2e.mk $R ||
    { echo "FAIL: cannot make $R"; echo "0 passed, 1 failed"; exit 1; }
fi

# compile: by name (in either order) and by position give the same bytes
out=$($D compile $M/two_input.onnx -o "$T/n.dlvta" --calib right=${Rt}_calib.npy --calib left=${L}_calib.npy 2>&1); rc=$?
if [ $rc -eq 0 ] && echo "$out" | grep -q "calibration: 16 samples from --calib (one file per input)"; then ok; else bad "compile --calib NAME=FILE: rc=$rc $out"; fi
$D compile $M/two_input.onnx -o "$T/p.dlvta" --calib ${L}_calib.npy --calib ${Rt}_calib.npy >/dev/null 2>&1
if cmp -s "$T/n.dlvta" "$T/p.dlvta"; then ok; else bad "--calib by name and by position give different packages"; fi

# run: by name and by position, same outputs; they match onnxruntime's
$D run "$T/n.dlvta" --input right=${Rt}_input.npy --input left=${L}_input.npy --output "$T/yn.npy" >/dev/null 2>&1; rc1=$?
$D run "$T/n.dlvta" --input ${L}_input.npy --input ${Rt}_input.npy --output "$T/yp.npy" >/dev/null 2>&1; rc2=$?
v=$($PY -c "
import numpy as np
a, b, r = np.load('$T/yn.npy'), np.load('$T/yp.npy'), np.load('$R')
a, b, r = a.reshape(len(a), -1), b.reshape(len(b), -1), r.reshape(len(r), -1)
cos = min(float(x @ y / np.linalg.norm(x) / np.linalg.norm(y)) for x, y in zip(a, r))
print(np.array_equal(a, b), a.shape == r.shape, '%.5f' % cos, bool((a.argmax(1) == r.argmax(1)).all()))
" 2>&1)
set -- $v
if [ $rc1 -eq 0 ] && [ $rc2 -eq 0 ] && [ "${1:-}" = True ] && [ "${2:-}" = True ] && [ "${4:-}" = True ] &&
   $PY -c "import sys; sys.exit(0 if float('${3:-0}') >= 0.999 else 1)"; then ok
else bad "two-input run: rc=$rc1/$rc2 same/shape/cosine/top-1 = $v"; fi
echo "two_input pynq fsim: outputs vs onnxruntime: same/shape/min cosine/top-1 = $v"

# errors: each a non-zero exit with a message naming the problem
err() { # expected-text, command...
  local want=$1; shift
  out=$("$@" 2>&1); rc=$?
  if [ $rc -ne 0 ] && echo "$out" | grep -q -- "$want"; then ok; else bad "$* -> rc=$rc: $out (wanted '$want')"; fi
}
err "the model has 2 input(s): 'left', 'right'" $D compile $M/two_input.onnx -o "$T/e.dlvta" --calib ${L}_calib.npy
err "give every input as NAME=FILE or none" $D compile $M/two_input.onnx -o "$T/e.dlvta" --calib left=${L}_calib.npy --calib ${Rt}_calib.npy
err "input 'left' given twice" $D compile $M/two_input.onnx -o "$T/e.dlvta" --calib left=${L}_calib.npy --calib left=${L}_calib.npy
err "each sample has 256 values, the model's input has 768" $D compile $M/two_input.onnx -o "$T/e.dlvta" --calib ${Rt}_calib.npy --calib ${L}_calib.npy
$PY -c "import numpy as np; np.save('$T/r8.npy', np.load('${Rt}_calib.npy')[:8])"
err "8 samples for input 'right', but 16 for input 'left'" $D compile $M/two_input.onnx -o "$T/e.dlvta" --calib ${L}_calib.npy --calib "$T/r8.npy"
err "the model has 2 input(s)" $D run "$T/n.dlvta" --input ${L}_input.npy
err "(input 'left')" $D run "$T/n.dlvta" --input ${Rt}_input.npy --input ${L}_input.npy
$PY -c "import numpy as np; np.save('$T/r2.npy', np.load('${Rt}_input.npy')[:2])"
err "2 inference(s) for input 'right', but 4 for input 'left'" $D run "$T/n.dlvta" --input ${L}_input.npy --input "$T/r2.npy"

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
