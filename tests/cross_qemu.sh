#!/usr/bin/env bash
# tests/cross_qemu.sh [--resnet18] -- the runtime as the boards run it: build/armhf/dlvta (PYNQ,
# Cortex-A9) and build/arm64/dlvta (Ultra96, Cortex-A53), cross-built by `make cross`, run here
# under qemu-user on fsim. Everything must match the x86 runtime build bit for bit:
#   - compiled models: outputs and per-layer counters (tiny_cnn: all on the accelerator;
#     gen/fallback and a generated model whose MatMul and Softmax run on the CPU). The x86 side
#     runs with DLVTA_REF_PORTABLE=1 (the reference executor's portable GEMM kernel, the one the
#     ARM build has); how far x86's own AVX2/AVX-512 kernels are from it is printed, not asserted
#   - random programs (dlvta progen) on `dlvta sim`: counters and the whole memory image
#   - the binaries need no glibc newer than 2.34 (what the boards' images ship), and `dlvta
#     selftest` passes on fsim
# --resnet18 (make test-long): ResNet-18 on pynq too.
set -u
cd "$(dirname "$0")/.."
X=build/runtime/dlvta
D=build/dlvta
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
. tests/expect.sh
declare -A QEMU=([armhf]="qemu-arm -L /usr/arm-linux-gnueabihf" [arm64]="qemu-aarch64 -L /usr/aarch64-linux-gnu")
declare -A TRIPLE=([armhf]=arm-linux-gnueabihf [arm64]=aarch64-linux-gnu)
resnet=0; [ "${1:-}" = "--resnet18" ] && resnet=1

for f in $X $D build/armhf/dlvta build/arm64/dlvta; do
  [ -x $f ] || { echo "FAIL: $f missing (make cross runtime all)"; echo "0 passed, 1 failed"; exit 1; }
done
strip_times() { sed -E 's/"(cpu_ms|wall_ms|host_ms|device_ms|quantize|unpack|transfer|cpu_steps|host_total|device_wait)": [0-9.e+-]+//g; s/"backend": "[^"]*"//' "$1"; }

for a in armhf arm64; do
  q=${QEMU[$a]}
  hdr=$(${TRIPLE[$a]}-readelf -h build/$a/dlvta 2>&1)
  want=$([ $a = armhf ] && echo 'ELF32.*Machine: *ARM$' || echo 'ELF64.*Machine: *AArch64$')
  if echo "$hdr" | tr -s ' ' | grep -E 'Class|Machine' | paste -sd' ' | grep -qE "$want"; then ok
  else bad "build/$a/dlvta is not an $a executable: $(echo "$hdr" | grep -E 'Class|Machine')"; fi
  newest=$(${TRIPLE[$a]}-objdump -T build/$a/dlvta | grep -o 'GLIBC_[0-9.]*' | sort -uV | tail -1)
  if [ "$(printf '%s\nGLIBC_2.34\n' "$newest" | sort -V | tail -1)" = GLIBC_2.34 ]; then ok
  else bad "$a: needs $newest (the boards' images have 2.34 / 2.35)"; fi
  if [ "$($q build/$a/dlvta configs 2>&1)" = "$($X configs 2>&1)" ]; then ok; else bad "$a: dlvta configs differs"; fi
  # the first command after flashing, as the board runs it (on fsim here)
  if $q build/$a/dlvta selftest --backend fsim --config pynq >"$T/st.txt" 2>&1 && tail -1 "$T/st.txt" | grep -q ': PASS$'; then ok
  else bad "$a: dlvta selftest on fsim: $(tail -2 "$T/st.txt")"; fi
done

# --- compiled models -----------------------------------------------------------------------
/usr/bin/python3 - "$T" <<'PY' || bad "generating the CPU-step model"
import sys, numpy as np, onnx
from onnx import helper, TensorProto, numpy_helper
rng = np.random.default_rng(1)
w = numpy_helper.from_array((rng.standard_normal((16, 8, 3, 3)) * 0.2).astype(np.float32), "w")
shp = numpy_helper.from_array(np.array([1, 16, 256], np.int64), "shp")
nodes = [helper.make_node("Conv", ["x", "w"], ["c"], pads=[1, 1, 1, 1]), helper.make_node("Relu", ["c"], ["r"]),
         helper.make_node("Reshape", ["r", "shp"], ["f"]), helper.make_node("Transpose", ["f"], ["ft"], perm=[0, 2, 1]),
         helper.make_node("MatMul", ["f", "ft"], ["g"]), helper.make_node("Softmax", ["g"], ["y"], axis=-1)]
g = helper.make_graph(nodes, "cpu_steps", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 8, 16, 16])],
                      [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 16, 16])], [w, shp])
onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]), sys.argv[1] + "/cpu_steps.onnx")
np.save(sys.argv[1] + "/cpu_steps_in.npy", rng.standard_normal((3, 1, 8, 16, 16)).astype(np.float32))
PY
M=build/models
models=("tiny_cnn tiny $M/tiny_cnn/model.onnx $M/tiny_cnn/calib.npy $M/tiny_cnn/input.npy"
        "fallback tiny $M/gen/fallback.onnx $M/gen/fallback_calib.npy $M/gen/fallback_input.npy"
        "cpu_steps tiny $T/cpu_steps.onnx - $T/cpu_steps_in.npy")
if [ $resnet = 1 ]; then
  [ -f $M/resnet18/model.onnx ] || { mkdir -p $M/resnet18 && /usr/bin/python3 tools/models/export.py resnet18 $M/resnet18 >/dev/null; }
  models+=("resnet18 pynq $M/resnet18/model.onnx $M/resnet18/calib.npy $M/resnet18/input.npy")
fi
for spec in "${models[@]}"; do
  read -r name cfg onnx calib input <<<"$spec"
  P=$T/$name.dlvta
  if ! $D compile "$onnx" -o "$P" --config "$cfg" $([ "$calib" != - ] && echo --calib "$calib") >"$T/c.txt" 2>&1; then
    bad "$name: compile: $(tail -2 "$T/c.txt")"; continue
  fi
  DLVTA_REF_PORTABLE=1 $X run "$P" --input "$input" --output "$T/x86.npy" --stats "$T/x86.json" >/dev/null 2>&1 \
    || { bad "$name: x86 run failed"; continue; }
  $X run "$P" --input "$input" --output "$T/x86simd.npy" >/dev/null 2>&1
  for a in armhf arm64; do
    start=$(date +%s.%N)
    if ${QEMU[$a]} build/$a/dlvta run "$P" --input "$input" --output "$T/$a.npy" --stats "$T/$a.json" >"$T/r.txt" 2>&1; then
      if cmp -s "$T/x86.npy" "$T/$a.npy"; then ok; else bad "$name on $a: outputs differ from x86's"; fi
      if [ "$(strip_times "$T/x86.json")" = "$(strip_times "$T/$a.json")" ]; then ok
      else bad "$name on $a: counters differ"; diff <(strip_times "$T/x86.json") <(strip_times "$T/$a.json") | head -4; fi
    else bad "$name on $a: run failed: $(tail -2 "$T/r.txt")"; fi
    echo "  $name on $a under qemu: $(echo "$(date +%s.%N) - $start" | bc | cut -c1-5) s"
  done
  # x86's own SIMD kernels against the portable order (information: where and by how much)
  /usr/bin/python3 - "$T/x86.npy" "$T/x86simd.npy" "$name" <<'PY'
import sys, numpy as np
a, b = np.load(sys.argv[1]), np.load(sys.argv[2])
d = np.abs(a.astype(np.float64) - b)
print(f"  {sys.argv[3]}: x86 AVX2/AVX-512 reference kernels vs the portable order: "
      + ("bit-identical" if not d.any() else f"{np.count_nonzero(d)} of {d.size} outputs differ, max |diff| {d.max():.3g} "
         f"(relative {(d / np.maximum(np.abs(a), 1e-30)).max():.3g}) at {np.unravel_index(d.argmax(), d.shape)}"))
PY
done

# --- random programs on dlvta sim -------------------------------------------------------------
for cfg in tiny pynq; do
  for seed in 1 2 3 4 5 6; do
    $D progen --config $cfg --seed $seed -o "$T/p.bin" >/dev/null 2>&1 || { bad "progen $cfg $seed"; continue; }
    $X sim "$T/p.bin" --config $cfg --json --dump "$T/x86.img" >"$T/x86.sim" 2>&1
    for a in armhf arm64; do
      ${QEMU[$a]} build/$a/dlvta sim "$T/p.bin" --config $cfg --json --dump "$T/$a.img" >"$T/$a.sim" 2>&1
      if cmp -s "$T/x86.sim" "$T/$a.sim" && cmp -s "$T/x86.img" "$T/$a.img"; then ok
      else bad "sim $cfg seed $seed on $a differs: $(diff "$T/x86.sim" "$T/$a.sim" | head -3)"; fi
    done
  done
done
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
