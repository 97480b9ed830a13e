#!/usr/bin/env bash
# tests/demo_trained.sh -- `make demo`'s trained-model part (tools/demo.sh, ResNet-18 left out) on
# the digits CNN, 60 test images: it finishes, the int8 accuracy is within 3 points of the float
# model's and above 90 %, the Verilated RTL's outputs are fsim's, predictions come with labels; the
# demo's default model (Fashion-MNIST, tests/models/fmnist_res.onnx) the same, above 70 %; and a
# model without a labelled test set is a clear error.
set -u
. tests/expect.sh
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

out=$(DEMO_OUT="$T/demo" DEMO_TRAINED=build/models/digits/model.onnx DEMO_RESNET=0 DEMO_N_FSIM=60 DEMO_N_RTL=2 \
  tools/demo.sh 2>&1); rc=$?
acc=$(echo "$out" | sed -n 's/.*accuracy: float \([0-9.]*\) %, int8 on the accelerator \([0-9.]*\) %.*/\1 \2/p')
if [ $rc -eq 0 ] && [ -n "$acc" ] && awk -v f="${acc% *}" -v q="${acc#* }" 'BEGIN { exit !(q > 90 && f - q < 3 && q - f < 3) }'; then ok
else bad "demo accuracy (float, int8: $acc): rc=$rc $out"; fi
if echo "$out" | grep -q "Verilated RTL on the first 2: outputs identical to fsim's" &&
   echo "$out" | grep -q "image *0: *[0-9]: *[0-9] / [0-9]"; then ok; else bad "demo RTL line or predictions: $out"; fi
out=$(DEMO_OUT="$T/demo2" DEMO_RESNET=0 DEMO_N_FSIM=60 DEMO_N_RTL=2 tools/demo.sh 2>&1); rc=$?
acc=$(echo "$out" | sed -n 's/.*accuracy: float \([0-9.]*\) %, int8 on the accelerator \([0-9.]*\) %.*/\1 \2/p')
if [ $rc -eq 0 ] && [ -n "$acc" ] && awk -v f="${acc% *}" -v q="${acc#* }" 'BEGIN { exit !(q > 70 && f - q < 3 && q - f < 3) }' &&
   echo "$out" | grep -q "60 test images of fmnist_res" && echo "$out" | grep -q "outputs identical to fsim's"; then ok
else bad "demo on Fashion-MNIST (float, int8: $acc): rc=$rc $out"; fi
cp build/models/tiny_cnn/model.onnx "$T/other.onnx"
out=$(DEMO_OUT="$T/demo" DEMO_TRAINED="$T/other.onnx" DEMO_RESNET=0 tools/demo.sh 2>&1); rc=$?
if [ $rc -ne 0 ] && echo "$out" | grep -q "no labelled test set for $T/other.onnx"; then ok; else bad "model without a test set: rc=$rc $out"; fi

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
