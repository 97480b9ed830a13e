#!/usr/bin/env bash
# tests/cli_compare.sh -- `dlvta compare`: every layer and CPU step of a package bit-exact on fsim
# and on the Verilated RTL (tiny config) with the int8 reference and close to float; --json;
# a package whose program was changed (tests/pkg_corrupt.c) is caught with exit 1, the element
# and the instruction that wrote it named; clear errors with exit 1 for the wrong model, a
# calibration that differs, an input of the wrong shape, a backend that is not there, and exit 2
# for bad usage. Models of compiler/e2e.mk (tiny_cnn, digits, gen/mixed).
set -u
D=build/dlvta
C=build/tests/pkg_corrupt
M=build/models
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
. tests/expect.sh
PY=/usr/bin/python3

$D compile $M/tiny_cnn/model.onnx -o "$T/t.dlvta" --config tiny --calib $M/tiny_cnn/calib.npy >/dev/null ||
  { echo "FAIL: compile tiny_cnn"; echo "0 passed, 1 failed"; exit 1; }
$D compile $M/gen/mixed.onnx -o "$T/mixed.dlvta" --config tiny --calib $M/gen/calib.npy >/dev/null ||
  { echo "FAIL: compile mixed"; echo "0 passed, 1 failed"; exit 1; }

# fsim and the RTL agree with the int8 reference on every layer; cosine against float near 1
out=$($D compare $M/tiny_cnn/model.onnx "$T/t.dlvta" --input $M/tiny_cnn/input.npy --backend verilator 2>&1); rc=$?
if [ $rc -eq 0 ] && echo "$out" | grep -q "every device is bit-exact" && [ "$(echo "$out" | grep -c ' = *[0-9.]* [0-9.e-]* = *$')" -eq 5 ]; then ok
else bad "compare on fsim and verilator: rc=$rc $out"; fi
# --json: one entry per layer, each bit-exact on both devices, cosine > 0.99
$D compare $M/tiny_cnn/model.onnx "$T/t.dlvta" --input $M/tiny_cnn/input.npy --backend verilator --json >"$T/c.json" 2>/dev/null
if $PY - "$T/c.json" <<'PYEOF'; then ok; else bad "compare --json: $(head -c 600 "$T/c.json")"; fi
import json, sys
j = json.load(open(sys.argv[1]))
assert j["agree"] is True and j["backends"] == ["fsim", "verilator"], j
assert len(j["steps"]) == 5, len(j["steps"])
for s in j["steps"]:
    assert s["kind"] == "accel"
    for b in ("fsim", "verilator"):
        d = s["devices"][b]
        assert d["bit_exact"] is True and d["mismatches"] == 0 and d["cosine"] > 0.99, (s["node"], b, d)
    assert s["int8_ref"]["cosine"] > 0.99, s
PYEOF
# CPU steps appear in plan order with their own rows
out=$($D compare $M/gen/mixed.onnx "$T/mixed.dlvta" --input $M/gen/input.npy 2>&1); rc=$?
if [ $rc -eq 0 ] && echo "$out" | grep -q "cpu   Softmax" && echo "$out" | grep -q "L6 *Gemm"; then ok
else bad "compare with CPU steps: rc=$rc $out"; fi

# a changed program: exit 1, the first differing element, and the instruction that wrote it
what=$($C "$T/t.dlvta" "$T/bad.dlvta" 1 5) || bad "pkg_corrupt failed"
k=$(echo "$what" | sed -n 's/^layer 1 instruction \([0-9]*\):.*/\1/p')
out=$($D compare $M/tiny_cnn/model.onnx "$T/bad.dlvta" --input $M/tiny_cnn/input.npy 2>&1); rc=$?
if [ $rc -eq 1 ] && echo "$out" | grep -q "fsim disagrees with the int8 reference on layer 1" &&
   echo "$out" | grep -q "first: tensor .* fsim -\?[0-9]*, int8 reference -\?[0-9]*" &&
   echo "$out" | grep -q "wrote-> *$k  alu" && echo "$out" | grep -q "program differs from a fresh compile from instruction $k"; then ok
else bad "changed program (instruction $k): rc=$rc $out"; fi
$D compare $M/tiny_cnn/model.onnx "$T/bad.dlvta" --input $M/tiny_cnn/input.npy --json >"$T/b.json" 2>/dev/null; rc=$?
if [ $rc -eq 1 ] && $PY -c "
import json, sys
j = json.load(open('$T/b.json'))
assert j['agree'] is False
m = j['steps'][1]['devices']['fsim']
assert m['bit_exact'] is False and m['first_mismatch']['writer'] == $k, m
assert j['steps'][0]['devices']['fsim']['bit_exact'] is True
"; then ok; else bad "changed program --json: rc=$rc"; fi

# bad input: clear errors, non-zero exits
chk() { # chk WANT_RC PATTERN DESCRIPTION -- ARGS...
  local want=$1 pat=$2 what=$3; shift 4
  local o r
  o=$($D compare "$@" 2>&1); r=$?
  if [ $r -eq "$want" ] && echo "$o" | grep -q -- "$pat"; then ok; else bad "$what: rc=$r (want $want) $o"; fi
}
chk 1 "wrong model for the package" "wrong model" -- $M/digits/model.onnx "$T/t.dlvta" --input $M/tiny_cnn/input.npy
chk 1 "input shape mismatch: expected (1, 3, 16, 16)" "input shape" -- $M/tiny_cnn/model.onnx "$T/t.dlvta" --input $M/digits/input.npy
chk 1 "calibrated differently" "other calibration" -- $M/tiny_cnn/model.onnx "$T/t.dlvta" --input $M/tiny_cnn/input.npy --calib $M/tiny_cnn/input.npy
chk 1 "cannot open backend 'zynq'.*not available" "missing backend" -- $M/tiny_cnn/model.onnx "$T/t.dlvta" --input $M/tiny_cnn/input.npy --backend zynq
chk 1 "unknown backend\|cannot open backend 'nosuch'" "unknown backend" -- $M/tiny_cnn/model.onnx "$T/t.dlvta" --input $M/tiny_cnn/input.npy --backend nosuch
chk 1 "no such file\|cannot open\|No such" "missing package" -- $M/tiny_cnn/model.onnx "$T/none.dlvta" --input $M/tiny_cnn/input.npy
chk 1 "$T/none.onnx" "missing model" -- "$T/none.onnx" "$T/t.dlvta" --input $M/tiny_cnn/input.npy
chk 2 "usage: dlvta compare" "no input" -- $M/tiny_cnn/model.onnx "$T/t.dlvta"
chk 2 "unexpected argument '--frob'" "unknown flag" -- $M/tiny_cnn/model.onnx "$T/t.dlvta" --input x.npy --frob

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
