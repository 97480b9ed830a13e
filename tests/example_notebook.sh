#!/usr/bin/env bash
# tests/example_notebook.sh -- examples/notebook_classify.py (the notebook a PYNQ user pastes) on
# fsim with the digits CNN (trained on real data, compiler/e2e.mk's build/models/digits): it
# runs, prints a top-5 for each shown image whose first class is `dlvta run`'s argmax, and an
# int8 accuracy near the float one (info.txt).
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
PY=/usr/bin/python3
M=build/models/digits
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
. tests/expect.sh
if [ ! -f $M/model.onnx ]; then
  env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -f Makefile -f compiler/e2e.mk $M/model.onnx ||
    { echo "FAIL: cannot export digits"; echo "0 passed, 1 failed"; exit 1; }
fi
build/dlvta compile $M/model.onnx -o "$T/digits.dlvta" --config pynq --calib $M/calib.npy >/dev/null 2>&1 ||
  { echo "FAIL: dlvta compile digits"; echo "0 passed, 1 failed"; exit 1; }
$PY -c "import numpy as np; np.save('$T/x.npy', np.load('$M/x_test.npy')[:100]); np.save('$T/y.npy', np.load('$M/y_test.npy')[:100])"
out=$(DLVTA_PACKAGE="$T/digits.dlvta" DLVTA_BACKEND=fsim DLVTA_IMAGES="$T/x.npy" DLVTA_LABELS="$T/y.npy" \
      PYTHONPATH=python $PY examples/notebook_classify.py 2>&1); rc=$?
echo "$out"
[ $rc -eq 0 ] && ok || bad "the example exits $rc"
[ "$(echo "$out" | grep -c '^image [0-9]*.* top-5:$')" -eq 5 ] && ok || bad "five top-5 lists"
[ "$(echo "$out" | grep -c '^  [1-5]\. class ')" -eq 25 ] && ok || bad "five classes in each top-5"
# the first class of each shown image is the argmax of dlvta run's logits on the same image
build/dlvta run "$T/digits.dlvta" --input "$T/x.npy" --output "$T/logits.npy" >/dev/null 2>&1 || bad "dlvta run"
want=$($PY -c "import numpy as np; print(' '.join(str(k) for k in np.load('$T/logits.npy').reshape(100, -1)[:5].argmax(1)))" 2>&1)
got=$(echo "$out" | grep '^  1\. class ' | awk '{print $3}' | tr '\n' ' ' | sed 's/ $//')
[ -n "$got" ] && [ "$got" = "$want" ] && ok || bad "top-1 classes '$got', dlvta run's argmax '$want'"
# int8 accuracy within 3 points of the float model's (about 0.99 on the whole test split)
acc=$(echo "$out" | sed -n 's/^accuracy (int8 on fsim): \([0-9.]*\) over 100 images$/\1/p')
float=$(sed -n 's/.*float test accuracy \([0-9.]*\).*/\1/p' $M/info.txt)
[ -n "$acc" ] && [ -n "$float" ] && $PY -c "import sys; sys.exit(0 if $acc >= $float - 0.03 else 1)" && ok ||
  bad "int8 accuracy '$acc' vs float '$float'"
echo "$out" | grep -q "accelerator cycles per image" && ok || bad "no cycle summary"
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
